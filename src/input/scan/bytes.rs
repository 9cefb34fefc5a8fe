//! The scanner that reads the text once, left to right: whitespace is skipped where a token is
//! wanted, and a string's end is found by looking at 16 bytes a step (SSE2 on x86_64, a byte at
//! a time elsewhere).

use super::{Bail, Cursor, Scan, Span, is_ws};

/// A cursor that reads the text as it goes.
#[derive(Clone, Copy)]
pub struct Bytes<'a> {
    buf: &'a [u8],
    /// Offset of the next byte to read.
    pos: usize,
}

/// The rest of the string of `buf` whose contents start at `start`, from `i`, the first
/// backslash or control character in it (or the end of the input). By offsets, so that the
/// cursor stays in registers.
#[cold]
#[inline(never)]
fn string_rest(buf: &[u8], start: usize, mut i: usize) -> Scan<Span> {
    loop {
        match buf.get(i) {
            Some(b'\\') => i = super::escape(buf, i + 1)?,
            // A control character, or the end of the input.
            _ => return Err(Bail),
        }
        let quote;
        (i, quote) = find_special(buf, i);
        if quote {
            return Ok(Span {
                start,
                end: i,
                escaped: true,
            });
        }
    }
}

impl<'a> Bytes<'a> {
    /// Skips JSON whitespace.
    #[inline(always)]
    fn ws(&mut self) {
        while self.buf.get(self.pos).is_some_and(|&c| is_ws(c)) {
            self.pos += 1;
        }
    }
}

impl<'a> Cursor<'a> for Bytes<'a> {
    #[inline(always)]
    fn new(buf: &'a [u8]) -> Self {
        Bytes { buf, pos: 0 }
    }

    #[inline(always)]
    fn bytes(&self) -> &'a [u8] {
        self.buf
    }

    #[inline(always)]
    fn offset(&self) -> usize {
        self.pos
    }

    #[inline(always)]
    fn peek_at(&mut self) -> Option<usize> {
        self.ws();
        (self.pos < self.buf.len()).then_some(self.pos)
    }

    /// As the provided [`Cursor::peek`], but the byte is looked at first and whitespace
    /// skipped only when it is some (compact JSON has none): one load and one comparison.
    #[inline(always)]
    fn peek(&mut self) -> Option<u8> {
        match self.buf.get(self.pos) {
            Some(&c) if c > b' ' => Some(c),
            _ => {
                self.ws();
                self.buf.get(self.pos).copied()
            }
        }
    }

    #[inline(always)]
    fn advance(&mut self) {
        self.pos += 1;
    }

    // `eat`, `key_span` and `more` look first for the token they want right where the cursor is, as it is
    // in compact JSON (CloudTrail's own files), and only then skip whitespace and look again:
    // a key's opening quote, the colon after it and the comma after a value cost one
    // comparison each.

    #[inline(always)]
    fn eat(&mut self, c: u8) -> bool {
        if self.buf.get(self.pos) != Some(&c) {
            self.ws();
            if self.buf.get(self.pos) != Some(&c) {
                return false;
            }
        }
        self.pos += 1;
        true
    }

    #[inline(always)]
    fn key_span(&mut self) -> Scan<Span> {
        if self.buf.get(self.pos) != Some(&b'"') {
            self.ws();
            if self.buf.get(self.pos) != Some(&b'"') {
                return Err(Bail);
            }
        }
        let s = self.string()?;
        if self.eat(b':') { Ok(s) } else { Err(Bail) }
    }

    /// As the provided [`Cursor::key`], but a key with a backslash bails at the backslash
    /// instead of being read to its end first (it would bail then): the inlined key read
    /// holds no call.
    #[inline(always)]
    fn key(&mut self) -> Scan<&'a [u8]> {
        if !self.eat(b'"') {
            return Err(Bail);
        }
        let start = self.pos;
        let (end, quote) = find_special(self.buf, start);
        if !quote {
            return Err(Bail);
        }
        self.pos = end + 1;
        if self.eat(b':') {
            Ok(&self.buf[start..end])
        } else {
            Err(Bail)
        }
    }

    /// Looks for the key right where the cursor is, without skipping whitespace first: in
    /// compact JSON it is there, and otherwise the key is read the long way, which skips it.
    #[inline(always)]
    fn eat_key_text(&mut self, k: &super::KeyText) -> bool {
        if k.is_after(self.buf, self.pos) {
            self.pos += k.byte_len() - 1;
            true
        } else {
            false
        }
    }

    /// As `eat_key_text`, the comma before the key included.
    #[inline(always)]
    fn eat_next_key(&mut self, k: &super::KeyText) -> bool {
        if k.is_at(self.buf, self.pos) {
            self.pos += k.byte_len();
            true
        } else {
            false
        }
    }

    #[inline(always)]
    fn more(&mut self, close: u8) -> Scan<bool> {
        // The comma or the bracket right where the cursor is; only then whitespace is skipped.
        let step = |c: Option<&u8>| match c {
            Some(b',') => Some(true),
            Some(&c) if c == close => Some(false),
            _ => None,
        };
        if let Some(more) = step(self.buf.get(self.pos)) {
            self.pos += 1;
            return Ok(more);
        }
        self.ws();
        let more = step(self.buf.get(self.pos)).ok_or(Bail)?;
        self.pos += 1;
        Ok(more)
    }

    #[inline(always)]
    fn string(&mut self) -> Scan<Span> {
        let start = self.pos + 1;
        let (i, quote) = find_special(self.buf, start);
        if quote {
            self.pos = i + 1;
            return Ok(Span {
                start,
                end: i,
                escaped: false,
            });
        }
        // Out of line, so that the inlined path holds no call (whose saved registers the
        // common case paid for).
        let span = string_rest(self.buf, start, i)?;
        self.pos = span.end + 1;
        Ok(span)
    }

    #[inline(always)]
    fn scalar(&mut self) -> Scan<usize> {
        // Whatever follows the number or literal is checked as the next token.
        self.pos = super::scalar(self.buf, self.pos)?;
        Ok(self.pos)
    }

    fn skip_bom(&mut self) -> Scan<()> {
        if super::bom_ends_cleanly(self.buf)? {
            self.pos = 3;
        }
        Ok(())
    }

    fn finished(&mut self) -> bool {
        self.peek_at().is_none()
    }

    #[inline(always)]
    fn seek(&mut self, pos: usize) {
        self.pos = pos;
    }
}

/// The first offset at or after `i` holding `"`, `\` or a control character (below 0x20), or
/// `buf.len()`; and whether it holds the quote.
#[inline]
fn find_special(buf: &[u8], i: usize) -> (usize, bool) {
    #[cfg(target_arch = "x86_64")]
    {
        find_special_sse2(buf, i)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        find_special_scalar(buf, i)
    }
}

#[inline]
fn is_special(c: u8) -> bool {
    c == b'"' || c == b'\\' || c < 0x20
}

#[cfg_attr(all(target_arch = "x86_64", not(test)), allow(dead_code))]
fn find_special_scalar(buf: &[u8], i: usize) -> (usize, bool) {
    let at = buf
        .get(i..)
        .and_then(|rest| rest.iter().position(|&c| is_special(c)))
        .map_or(buf.len(), |p| i + p);
    (at, buf.get(at) == Some(&b'"'))
}

/// SSE2 (part of every x86_64) looks at 16 bytes a step, four steps to a bounds check while 64
/// bytes are left.
#[cfg(target_arch = "x86_64")]
#[inline]
fn find_special_sse2(buf: &[u8], mut i: usize) -> (usize, bool) {
    // The special byte found at `at`, a quote or not.
    // SAFETY (each call): `at` is in a 16-byte block the loop checked to be inside `buf`.
    let found = |at: usize| (at, unsafe { *buf.get_unchecked(at) } == b'"');
    while i + 64 <= buf.len() {
        for step in [0, 16, 32, 48] {
            // SAFETY: `i + step + 16 <= i + 64 <= buf.len()`.
            let mask = unsafe { specials16(buf, i + step) };
            if mask != 0 {
                return found(i + step + mask.trailing_zeros() as usize);
            }
        }
        i += 64;
    }
    while i + 16 <= buf.len() {
        // SAFETY: `i + 16 <= buf.len()`.
        let mask = unsafe { specials16(buf, i) };
        if mask != 0 {
            return found(i + mask.trailing_zeros() as usize);
        }
        i += 16;
    }
    find_special_scalar(buf, i)
}

/// A mask of the quotes, backslashes and control characters among the 16 bytes at `i`.
///
/// # Safety
/// `i + 16 <= buf.len()`.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn specials16(buf: &[u8], i: usize) -> u32 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8, _mm_xor_si128,
    };
    // SAFETY: SSE2 is part of every x86_64 target, and the load reads the 16 bytes at `i`,
    // inside `buf` by the caller's contract (the load need not be aligned).
    unsafe {
        let v = _mm_loadu_si128(buf.as_ptr().add(i).cast::<__m128i>());
        // With bit 1 flipped, the quote (0x22) becomes 0x20 and the control characters stay
        // below 0x20, while no other byte falls to 0x20 or below: min(x, 0x20) == x exactly
        // for those.
        let x = _mm_xor_si128(v, _mm_set1_epi8(0x02));
        let quote_or_control = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x20)), x);
        let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
        _mm_movemask_epi8(_mm_or_si128(quote_or_control, backslash)) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalar_and_simd_agree() {
        let text = "abc\"def\\ghi\u{1f}jkl\u{7f}é\"".repeat(5);
        // Every byte value at every place of a 64-byte block and past it, in a text of
        // bytes that are not special: found where it is, and only the specials.
        let plain = "x!#a ~\u{7f}é".repeat(30);
        let b = text.as_bytes();
        for i in 0..b.len() {
            assert_eq!(find_special(b, i), find_special_scalar(b, i), "at {i}");
        }
        let mut p = plain.into_bytes();
        for at in [0, 15, 16, 47, 63, 64, 70, 100] {
            for c in 0..=255u8 {
                let keep = p[at];
                p[at] = c;
                for i in [0, 1, at.saturating_sub(16)] {
                    assert_eq!(
                        find_special(&p, i),
                        find_special_scalar(&p, i),
                        "{c} at {at} from {i}"
                    );
                }
                p[at] = keep;
            }
        }
    }
}
