//! The scanner that indexes first, as simdjson does.
//!
//! The first stage classifies 64 bytes at a time with SIMD compares and bit arithmetic, with no
//! branch per byte: which quotes are escaped, which bytes are inside strings, and from that the
//! offset of every *token* — a structural character (`{}[]:,`) outside strings, each unescaped
//! quote, each escaping backslash inside a string, and the first byte of each run of other
//! non-whitespace bytes outside strings (a number or literal, or garbage). The second stage, the
//! [`Cursor`] methods, walks those offsets: a string's end is its next token, not a search, and
//! whitespace is never looked at.
//!
//! Why accepting is safe: every byte outside the strings the walk reads is whitespace, a token
//! the walk checks against the grammar, or part of a number or literal whose first byte is a
//! token and which the walk parses to its end (the byte after it must not continue it). Every
//! byte inside a string is checked too: a control character inside one fails the document before
//! the walk enters its stretch of text, and each escape is a token the walk checks. Damage can
//! make the masks wrong *after* it (a backslash outside a string shifts which quotes count, say),
//! but the walk meets the damage, in order, before anything those masks describe.

use super::{Bail, Cursor, Scan, Span};

/// 64-byte blocks indexed in one step (4 KiB of text); the token buffer has room for a step's
/// worst case (a token at every byte) before each.
const WINDOW_BLOCKS: usize = 64;

/// Text indexed before the walk goes on (64 KiB): its tokens stay in the L2 cache, and the
/// token buffer stays small (256 KiB at worst) however large the document.
const STRETCH: usize = 64 * 1024;

// Only the input's last block may be padded: a padded block anywhere else would cut a number or
// literal in two.
const _: () = assert!(STRETCH.is_multiple_of(64 * WINDOW_BLOCKS));

/// Marks the end of the tokens found so far.
const END: u32 = u32::MAX;

thread_local! {
    /// Each thread's token buffer, kept from one document to the next.
    static TOKENS: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A cursor over a text's tokens, found a stretch of text ahead of the walk.
pub struct Tape<'a> {
    buf: &'a [u8],
    /// The offsets of the tokens of the current stretch, then [`END`].
    tokens: Vec<u32>,
    /// Index of the next token.
    next: usize,
    /// The first stage: how far it has read, and what it carries to the next stretch.
    indexed: usize,
    carry: Carry,
    /// A control character inside a string, or a string open at the end: the text is not JSON,
    /// and the walk sees no more tokens.
    failed: bool,
}

impl Drop for Tape<'_> {
    fn drop(&mut self) {
        let tokens = std::mem::take(&mut self.tokens);
        TOKENS.with_borrow_mut(|t| {
            if tokens.len() > t.len() {
                *t = tokens;
            }
        });
    }
}

impl Tape<'_> {
    /// At the end of a stretch: indexes the next one that has tokens; the offset of its first.
    #[cold]
    #[inline(never)]
    fn refill(&mut self) -> Option<usize> {
        while self.indexed < self.buf.len() && !self.failed {
            let end = (self.indexed + STRETCH).min(self.buf.len());
            let mut st = Stage {
                carry: self.carry,
                len: 0,
                control: 0,
            };
            let mut at = self.indexed;
            while at < end {
                let room = st.len + 64 * (WINDOW_BLOCKS + 1);
                if self.tokens.len() < room {
                    self.tokens.resize(room, 0);
                }
                let stop = (at + 64 * WINDOW_BLOCKS).min(end);
                st.window(self.buf, at, stop, &mut self.tokens);
                at = stop;
            }
            self.indexed = end;
            self.carry = st.carry;
            self.failed = st.control != 0 || (end == self.buf.len() && st.carry.in_string != 0);
            let len = if self.failed { 0 } else { st.len };
            self.tokens[len] = END;
            self.next = 0;
            if len > 0 {
                return Some(self.tokens[0] as usize);
            }
        }
        None
    }
}

impl<'a> Cursor<'a> for Tape<'a> {
    fn new(buf: &'a [u8]) -> Self {
        assert!(
            u32::try_from(buf.len()).is_ok(),
            "scanner input of 4 GiB or more"
        );
        let mut tokens = TOKENS.with_borrow_mut(std::mem::take);
        if tokens.is_empty() {
            tokens.push(END);
        }
        tokens[0] = END;
        Tape {
            buf,
            tokens,
            next: 0,
            indexed: 0,
            carry: Carry::default(),
            failed: false,
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.buf
    }

    #[inline(always)]
    fn peek_at(&mut self) -> Option<usize> {
        let at = self.tokens[self.next];
        if at != END {
            Some(at as usize)
        } else {
            self.refill()
        }
    }

    #[inline(always)]
    fn advance(&mut self) {
        debug_assert!(self.tokens[self.next] != END, "advance past the end");
        self.next += 1;
    }

    #[inline(always)]
    fn string(&mut self) -> Scan<Span> {
        let open = self.peek_at().ok_or(Bail)?;
        self.next += 1;
        let mut escaped = false;
        loop {
            let at = self.peek_at().ok_or(Bail)?;
            self.next += 1;
            if self.buf[at] == b'"' {
                return Ok(Span {
                    start: open + 1,
                    end: at,
                    escaped,
                });
            }
            // An escaping backslash: the only other token inside a string.
            escaped = true;
            super::escape(self.buf, at + 1)?;
        }
    }

    fn scalar(&mut self) -> Scan<usize> {
        let at = self.peek_at().ok_or(Bail)?;
        self.next += 1;
        let end = super::scalar(self.buf, at)?;
        // It must run to the end of its run of bytes (`12x` or `truex` bail). A quote right
        // after is a token of its own, which the grammar then rejects.
        match self.buf.get(end) {
            None | Some(b'"' | b',' | b':' | b'[' | b']' | b'{' | b'}') => Ok(end),
            Some(&c) if super::is_ws(c) => Ok(end),
            Some(_) => Err(Bail),
        }
    }

    fn skip_bom(&mut self) -> Scan<()> {
        // The mark is a run of other bytes, so a token; it must be the first.
        if super::bom_ends_cleanly(self.buf)? {
            if self.peek_at() != Some(0) {
                return Err(Bail);
            }
            self.next += 1;
        }
        Ok(())
    }

    fn finished(&mut self) -> bool {
        self.peek_at().is_none() && !self.failed
    }
}

/// Whether this CPU has what the AVX-512 first stage uses (asked once).
pub(super) fn has_avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        use std::sync::atomic::{AtomicU8, Ordering};
        static HAS: AtomicU8 = AtomicU8::new(0);
        match HAS.load(Ordering::Relaxed) {
            1 => true,
            2 => false,
            _ => {
                use std::arch::is_x86_feature_detected as has;
                let yes = has!("avx512bw") && has!("avx512vbmi2") && has!("popcnt") && has!("bmi2");
                HAS.store(if yes { 1 } else { 2 }, Ordering::Relaxed);
                yes
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// The first stage's state.
struct Stage {
    carry: Carry,
    /// Tokens found so far in this stretch.
    len: usize,
    /// Control characters inside strings found so far in this stretch.
    control: u64,
}

/// What the first stage carries from one block to the next.
#[derive(Debug, Default, Clone, Copy)]
struct Carry {
    /// 1 when the block's first byte is escaped (the last one before was an escaping `\`).
    escaped: u64,
    /// All ones when the block starts inside a string.
    in_string: u64,
    /// 1 when the last byte before the block was part of a number, literal or other run.
    scalar: u64,
}

impl Stage {
    /// Adds the tokens of `buf[at..end]` (at most [`WINDOW_BLOCKS`] blocks) to `tokens`, with
    /// the widest SIMD this CPU has.
    #[inline(always)]
    fn window(&mut self, buf: &[u8], at: usize, end: usize, tokens: &mut [u32]) {
        #[cfg(target_arch = "x86_64")]
        if has_avx512() {
            // SAFETY: the CPU has the features (checked at run time).
            unsafe { self.window_avx512(buf, at, end, tokens) };
        } else {
            self.window_with(buf, at, end, tokens, block_masks_sse2, flatten);
        }
        #[cfg(not(target_arch = "x86_64"))]
        self.window_with(buf, at, end, tokens, block_masks_scalar, flatten);
    }

    /// [`window`](Self::window) with AVX-512: compares straight into bit masks, and offsets
    /// written with a compress instead of a bit at a time.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512bw,avx512vbmi2,popcnt,bmi1,bmi2")]
    fn window_avx512(&mut self, buf: &[u8], at: usize, end: usize, tokens: &mut [u32]) {
        self.window_with(
            buf,
            at,
            end,
            tokens,
            |b| block_masks_avx512(b),
            |t, n, base, bits| flatten_avx512(t, n, base, bits),
        );
    }

    /// [`window`](Self::window) with the given block classification and offset writer.
    #[inline(always)]
    fn window_with(
        &mut self,
        buf: &[u8],
        at: usize,
        end: usize,
        tokens: &mut [u32],
        masks: impl Fn(&[u8; 64]) -> Masks,
        flatten: impl Fn(&mut [u32], usize, u32, u64) -> usize,
    ) {
        let mut carry = self.carry;
        let mut n = self.len;
        let mut control = 0;
        let mut blocks = buf[at..end].chunks_exact(64);
        let mut base = at as u32;
        for block in blocks.by_ref() {
            let block: &[u8; 64] = block.try_into().expect("64-byte chunk");
            let (found, ctrl) = classify(masks(block), &mut carry);
            control |= ctrl;
            n = flatten(tokens, n, base, found);
            base += 64;
        }
        let tail = blocks.remainder();
        if !tail.is_empty() {
            // Padded with spaces: never tokens, and inside a string if one is open.
            let mut block = [b' '; 64];
            block[..tail.len()].copy_from_slice(tail);
            let (found, ctrl) = classify(masks(&block), &mut carry);
            control |= ctrl;
            n = flatten(tokens, n, base, found);
        }
        self.carry = carry;
        self.len = n;
        self.control |= control;
    }
}

/// The tokens of one block, and its control characters inside strings (which fail the
/// document), from its byte classes and what the blocks before carry.
#[inline(always)]
fn classify(m: Masks, c: &mut Carry) -> (u64, u64) {
    // Which bytes are escaped, and which backslashes escape (simdjson's method: a run of
    // backslashes escapes alternately, found with one subtraction).
    const ODD: u64 = 0xAAAA_AAAA_AAAA_AAAA;
    let potential = m.backslash & !c.escaped;
    let codes = (((potential << 1) | ODD).wrapping_sub(potential)) ^ ODD;
    let escaped = codes ^ (m.backslash | c.escaped);
    let escape = codes & m.backslash;
    c.escaped = escape >> 63;
    let quote = m.quote & !escaped;
    // Opening quotes and string contents (not closing quotes).
    let in_string = prefix_xor(quote) ^ c.in_string;
    c.in_string = ((in_string as i64) >> 63) as u64;
    let outside = !(in_string | quote);
    let scalar = outside & !m.op & !m.ws;
    let scalar_start = scalar & !((scalar << 1) | c.scalar);
    c.scalar = scalar >> 63;
    let found = (m.op & outside) | quote | scalar_start | (escape & in_string);
    (found, m.control & in_string)
}

/// Bit `k` is the parity of bits `0..=k` of `x`.
#[inline(always)]
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// Writes the offsets of `bits` (from `base`) at `tokens[n..]`; the new length. It writes 16
/// whatever the count, past the end too (the buffer has room), so the usual block costs no
/// mispredicted loop exit.
#[inline(always)]
fn flatten(tokens: &mut [u32], n: usize, base: u32, mut bits: u64) -> usize {
    let count = bits.count_ones() as usize;
    let out = &mut tokens[n..n + 64];
    for slot in &mut out[..16] {
        *slot = base.wrapping_add(bits.trailing_zeros());
        bits &= bits.wrapping_sub(1);
    }
    if count > 16 {
        for slot in &mut out[16..count] {
            *slot = base + bits.trailing_zeros();
            bits &= bits - 1;
        }
    }
    n + count
}

/// [`flatten`] with AVX-512 VBMI2: the set bits' offsets are compressed into bytes, then
/// widened and stored 16 at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512bw,avx512vbmi2,popcnt,bmi1,bmi2")]
fn flatten_avx512(tokens: &mut [u32], n: usize, base: u32, bits: u64) -> usize {
    use std::arch::x86_64::{
        __m128i, __m512i, _mm512_add_epi32, _mm512_castsi512_si128, _mm512_cvtepu8_epi32,
        _mm512_extracti32x4_epi32, _mm512_loadu_si512, _mm512_maskz_compress_epi8,
        _mm512_set1_epi32, _mm512_storeu_si512,
    };
    const IOTA: [u8; 64] = {
        let mut a = [0u8; 64];
        let mut i = 0;
        while i < 64 {
            a[i] = i as u8;
            i += 1;
        }
        a
    };
    let count = bits.count_ones() as usize;
    let out = tokens[n..n + 64].as_mut_ptr().cast::<__m512i>();
    // SAFETY: IOTA is 64 bytes; `out` points at 64 u32 slots, and each store writes 16 of them.
    unsafe {
        let packed = _mm512_maskz_compress_epi8(bits, _mm512_loadu_si512(IOTA.as_ptr().cast()));
        let base = _mm512_set1_epi32(base as i32);
        let store = |k: usize, q: __m128i| {
            _mm512_storeu_si512(out.add(k), _mm512_add_epi32(_mm512_cvtepu8_epi32(q), base));
        };
        // Two stores always (most blocks have fewer than 32 tokens), two more seldom.
        store(0, _mm512_castsi512_si128(packed));
        store(1, _mm512_extracti32x4_epi32::<1>(packed));
        if count > 32 {
            store(2, _mm512_extracti32x4_epi32::<2>(packed));
            store(3, _mm512_extracti32x4_epi32::<3>(packed));
        }
    }
    n + count
}

/// The classes of a 64-byte block's bytes, a bit each (bit `k` for byte `k`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Masks {
    quote: u64,
    backslash: u64,
    /// Below 0x20.
    control: u64,
    /// JSON whitespace: space, tab, line feed, carriage return.
    ws: u64,
    /// `{}[]:,`
    op: u64,
}

#[cfg_attr(all(target_arch = "x86_64", not(test)), allow(dead_code))]
fn block_masks_scalar(block: &[u8; 64]) -> Masks {
    let mut m = Masks::default();
    for (k, &c) in block.iter().enumerate() {
        let bit = 1u64 << k;
        match c {
            b'"' => m.quote |= bit,
            b'\\' => m.backslash |= bit,
            b' ' | b'\t' | b'\n' | b'\r' => m.ws |= bit,
            b'{' | b'}' | b'[' | b']' | b':' | b',' => m.op |= bit,
            _ => {}
        }
        if c < 0x20 {
            m.control |= bit;
        }
    }
    m
}

/// SSE2 (part of every x86_64): four 16-byte steps.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn block_masks_sse2(block: &[u8; 64]) -> Masks {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    let mut m = Masks::default();
    // SAFETY: SSE2 is part of every x86_64 target, and each load reads 16 of the block's 64
    // bytes (the load need not be aligned).
    unsafe {
        let splat = |c: u8| _mm_set1_epi8(c as i8);
        for k in 0..4 {
            let v = _mm_loadu_si128(block.as_ptr().add(16 * k).cast::<__m128i>());
            let eq = |c: u8| _mm_cmpeq_epi8(v, splat(c));
            let bits = |x: __m128i| u64::from(_mm_movemask_epi8(x) as u16) << (16 * k);
            m.quote |= bits(eq(b'"'));
            m.backslash |= bits(eq(b'\\'));
            // max(v, 0x1f) == 0x1f exactly when v <= 0x1f (unsigned).
            m.control |= bits(_mm_cmpeq_epi8(_mm_max_epu8(v, splat(0x1f)), splat(0x1f)));
            m.ws |= bits(_mm_or_si128(
                _mm_or_si128(eq(b' '), eq(b'\t')),
                _mm_or_si128(eq(b'\n'), eq(b'\r')),
            ));
            // `[` and `]` are `{` and `}` with bit 5 clear.
            let lower = _mm_or_si128(v, splat(0x20));
            m.op |= bits(_mm_or_si128(
                _mm_or_si128(
                    _mm_cmpeq_epi8(lower, splat(b'{')),
                    _mm_cmpeq_epi8(lower, splat(b'}')),
                ),
                _mm_or_si128(eq(b':'), eq(b',')),
            ));
        }
    }
    m
}

/// AVX-512 BW: one 64-byte step, compares straight into bit masks.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512bw")]
fn block_masks_avx512(block: &[u8; 64]) -> Masks {
    use std::arch::x86_64::{
        __m512i, _mm512_cmpeq_epi8_mask, _mm512_cmple_epu8_mask, _mm512_loadu_si512,
        _mm512_or_si512, _mm512_set1_epi8,
    };
    // SAFETY: the load reads the block's 64 bytes (it need not be aligned).
    let v = unsafe { _mm512_loadu_si512(block.as_ptr().cast::<__m512i>()) };
    let splat = |c: u8| _mm512_set1_epi8(c as i8);
    let eq = |c: u8| _mm512_cmpeq_epi8_mask(v, splat(c));
    let lower = _mm512_or_si512(v, splat(0x20));
    Masks {
        quote: eq(b'"'),
        backslash: eq(b'\\'),
        control: _mm512_cmple_epu8_mask(v, splat(0x1f)),
        ws: eq(b' ') | eq(b'\t') | eq(b'\n') | eq(b'\r'),
        op: _mm512_cmpeq_epi8_mask(lower, splat(b'{'))
            | _mm512_cmpeq_epi8_mask(lower, splat(b'}'))
            | eq(b':')
            | eq(b','),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_masks_agree_with_the_scalar_ones() {
        let text: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        for block in text.windows(64) {
            let block: &[u8; 64] = block.try_into().unwrap();
            #[cfg(target_arch = "x86_64")]
            {
                assert_eq!(block_masks_sse2(block), block_masks_scalar(block));
                if has_avx512() {
                    // SAFETY: the CPU has AVX-512 BW.
                    assert_eq!(
                        unsafe { block_masks_avx512(block) },
                        block_masks_scalar(block)
                    );
                }
            }
        }
    }

    #[test]
    fn both_flattens_write_the_same_offsets() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..2000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            // Dense and sparse masks, and all-ones.
            let bits = match round % 4 {
                0 => seed,
                1 => seed & (seed >> 3) & (seed >> 7),
                2 => u64::MAX,
                _ => seed & (seed >> 1),
            };
            let want: Vec<u32> = (0..64)
                .filter(|k| bits >> k & 1 == 1)
                .map(|k| 640 + k)
                .collect();
            let mut t = vec![0; 130];
            let n = flatten(&mut t, 3, 640, bits);
            assert_eq!(&t[3..n], &want[..]);
            #[cfg(target_arch = "x86_64")]
            if has_avx512() {
                let mut t = vec![0; 130];
                // SAFETY: the CPU has the features.
                let n = unsafe { flatten_avx512(&mut t, 3, 640, bits) };
                assert_eq!(&t[3..n], &want[..]);
            }
        }
    }

    /// The tokens, found one byte at a time: what the first stage must find 64 at a time; and
    /// whether the text holds a control character inside a string or ends inside one.
    fn tokens_plainly(b: &[u8]) -> (Vec<usize>, bool) {
        let (mut out, mut in_string, mut escaped, mut scalar) = (Vec::new(), false, false, false);
        let mut bad = false;
        for (i, &c) in b.iter().enumerate() {
            // A backslash escapes the next byte, inside strings or out (as in the first stage).
            let this_escaped = escaped;
            escaped = !escaped && c == b'\\';
            if in_string {
                bad |= c < 0x20;
                if this_escaped {
                    // Any byte, a quote too.
                } else if c == b'\\' {
                    out.push(i);
                } else if c == b'"' {
                    in_string = false;
                    out.push(i);
                }
                continue;
            }
            match c {
                b'"' if !this_escaped => {
                    in_string = true;
                    scalar = false;
                    out.push(i);
                }
                b'{' | b'}' | b'[' | b']' | b':' | b',' => {
                    scalar = false;
                    out.push(i);
                }
                b' ' | b'\t' | b'\n' | b'\r' => scalar = false,
                _ => {
                    if !scalar {
                        out.push(i);
                    }
                    scalar = true;
                }
            }
        }
        (out, bad || in_string)
    }

    /// Every token a [`Tape`] walk sees, and whether it ended well.
    fn walk(text: &[u8]) -> (Vec<usize>, bool) {
        let mut t = Tape::new(text);
        let mut found = Vec::new();
        while let Some(at) = t.peek_at() {
            found.push(at);
            t.advance();
        }
        (found, t.finished())
    }

    #[test]
    fn tokens_agree_with_a_byte_at_a_time_reading() {
        // Seeded pseudo-random texts over the bytes that matter, long enough for several
        // stretches.
        let alphabet = b"\"\\\\ {}[]:,ab1-\n\tx\x01";
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for len in (1..300).chain([4095, 4096, 4097, 9000, 70_000, 200_000]) {
            // Some texts draw control characters too (so most of those fail).
            let letters = if len % 3 == 0 {
                alphabet.len()
            } else {
                alphabet.len() - 3
            };
            let text: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    alphabet[(seed % letters as u64) as usize]
                })
                .collect();
            let (found, ok) = walk(&text);
            let (want, bad) = tokens_plainly(&text);
            assert_eq!(ok, !bad, "{:?}", String::from_utf8_lossy(&text));
            if ok {
                assert_eq!(found, want);
            } else {
                // Up to the stretch that failed.
                assert!(want.starts_with(&found));
            }
        }
    }

    #[test]
    fn a_control_character_in_a_string_fails_the_text_in_a_later_stretch_too() {
        let mut text = "[\"a\"],".repeat(20_000);
        text.push_str("\"b\u{1}\"");
        let (found, ok) = walk(text.as_bytes());
        assert!(!ok);
        // The first stretch was walked; the one with the damage was not.
        assert!(!found.is_empty() && found.len() < 5 * 20_000);
        // Outside a string it is a token, which the grammar rejects.
        assert_eq!(walk(b"[1]\x01").0, vec![0, 1, 2, 3]);
        assert!(walk(b"[1]\x01").1);
    }
}
