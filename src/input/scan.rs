//! A strict JSON scanner for fast paths that read a few fields and skip the rest.
//!
//! It never builds values: strings come back as byte ranges of the input, and everything else is
//! checked and stepped over. It is strict in one direction only: any input it accepts, serde_json
//! accepts too, and reads the same way. Whatever it is not sure about (a syntax error, an escape
//! in a key, nesting deeper than [`MAX_DEPTH`], a number where a string is wanted) ends the scan
//! with [`Bail`], and the caller reads the document again with the full serde_json path, which
//! reports the damage and recovers. So a bail costs time, never a result.
//!
//! It reads the text once, left to right: whitespace is skipped where a token is wanted, and a
//! string's end is found 16 bytes a step (SSE2 on x86_64, a byte at a time elsewhere). A *token*
//! is a structural character (`{}[]:,`), a string, or a number or literal.

/// The scanner gave up; the serde_json path must read this document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bail;

/// Result of a scan step.
pub type Scan<T> = Result<T, Bail>;

/// Containers nested deeper than this in a skipped value make the scanner bail (serde_json's
/// skipping has no such limit; the fast path just leaves such documents to it).
pub const MAX_DEPTH: u32 = 64;

/// A JSON string found by [`Scanner::string`]: the bytes between the quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Offset of the first byte after the opening quote.
    pub start: usize,
    /// Offset of the closing quote.
    pub end: usize,
    /// True when the contents hold a backslash escape (so they are not the string's value).
    pub escaped: bool,
}

/// A cursor over a JSON text.
pub struct Scanner<'a> {
    buf: &'a [u8],
    /// Offset of the next byte to read.
    pos: usize,
}

impl<'a> Scanner<'a> {
    /// A scanner at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Scanner { buf, pos: 0 }
    }

    /// The input.
    pub fn bytes(&self) -> &'a [u8] {
        self.buf
    }

    /// Skips JSON whitespace.
    #[inline(always)]
    fn ws(&mut self) {
        while self.buf.get(self.pos).is_some_and(|&c| is_ws(c)) {
            self.pos += 1;
        }
    }

    /// The first byte of the next token (whitespace skipped), if any.
    #[inline(always)]
    pub fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.buf.get(self.pos).copied()
    }

    /// Passes the next token, a structural character (after a [`peek`](Self::peek) saw it).
    #[inline(always)]
    pub fn advance(&mut self) {
        self.pos += 1;
    }

    /// True when nothing but whitespace is left.
    pub fn finished(&mut self) -> bool {
        self.peek().is_none()
    }

    /// Passes a UTF-8 byte order mark at the very start of the input. It must be followed by
    /// whitespace or the start of a container (or nothing).
    pub fn skip_bom(&mut self) -> Scan<()> {
        if self.pos == 0 && self.buf.starts_with(b"\xEF\xBB\xBF") {
            match self.buf.get(3) {
                None | Some(b'{' | b'[') => {}
                Some(&c) if is_ws(c) => {}
                Some(_) => return Err(Bail),
            }
            self.pos = 3;
        }
        Ok(())
    }

    /// Reads the string whose opening quote is at the cursor (after a [`peek`](Self::peek) saw
    /// it), checked as serde_json checks it: no raw control characters, only valid escapes.
    #[inline(always)]
    pub fn string(&mut self) -> Scan<Span> {
        let start = self.pos + 1;
        let mut i = start;
        let mut escaped = false;
        loop {
            let quote;
            (i, quote) = find_special(self.buf, i);
            if quote {
                self.pos = i + 1;
                return Ok(Span {
                    start,
                    end: i,
                    escaped,
                });
            }
            match self.buf.get(i) {
                Some(b'\\') => {
                    escaped = true;
                    i = escape(self.buf, i + 1)?;
                }
                // A control character, or the end of the input.
                _ => return Err(Bail),
            }
        }
    }

    /// Passes the number or literal at the cursor (by JSON's grammar, as serde_json checks a
    /// skipped one).
    fn scalar(&mut self) -> Scan<()> {
        // Whatever follows the number or literal is checked as the next token.
        self.pos = scalar(self.buf, self.pos)?;
        Ok(())
    }

    /// True (and passed) when the next token is `c`.
    #[inline(always)]
    pub fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.advance();
            true
        } else {
            false
        }
    }

    /// The next token must be `c`.
    #[inline(always)]
    pub fn expect(&mut self, c: u8) -> Scan<()> {
        if self.eat(c) { Ok(()) } else { Err(Bail) }
    }

    /// After a member of an object (`close` = `}`) or array (`]`): true when another member
    /// follows (the comma is passed), false at the end (the bracket is passed).
    #[inline(always)]
    pub fn more(&mut self, close: u8) -> Scan<bool> {
        match self.peek() {
            Some(b',') => {
                self.advance();
                Ok(true)
            }
            Some(c) if c == close => {
                self.advance();
                Ok(false)
            }
            _ => Err(Bail),
        }
    }

    /// The key of an object member, up to and including the colon. Keys with escapes bail:
    /// their meaning depends on unescaping, which the slow path does.
    #[inline(always)]
    pub fn key(&mut self) -> Scan<&'a [u8]> {
        let s = self.key_span()?;
        if s.escaped {
            return Err(Bail);
        }
        Ok(&self.buf[s.start..s.end])
    }

    /// The string of an object member's key, up to and including the colon.
    #[inline(always)]
    fn key_span(&mut self) -> Scan<Span> {
        if self.peek() != Some(b'"') {
            return Err(Bail);
        }
        let s = self.string()?;
        self.expect(b':')?;
        Ok(s)
    }

    /// Skips one value of any type, checking it as serde_json's skipping does.
    #[inline(always)]
    pub fn skip_value(&mut self) -> Scan<()> {
        // Most skipped values are strings: those take the short way.
        if self.peek() == Some(b'"') {
            return self.string().map(|_| ());
        }
        self.skip_any()
    }

    /// Skips a value of any type. Nesting is tracked in a bit stack, not on the call stack.
    #[inline(never)]
    fn skip_any(&mut self) -> Scan<()> {
        // Bit d of `objects` is set when the container at depth d+1 is an object.
        let mut objects: u64 = 0;
        let mut depth: u32 = 0;
        loop {
            // A value is expected here.
            match self.peek() {
                Some(b'"') => {
                    self.string()?;
                }
                Some(open @ (b'{' | b'[')) => {
                    self.advance();
                    let object = open == b'{';
                    let close = if object { b'}' } else { b']' };
                    if self.eat(close) {
                        // Empty: a complete value.
                    } else {
                        if depth == MAX_DEPTH {
                            return Err(Bail);
                        }
                        objects = (objects << 1) | u64::from(object);
                        depth += 1;
                        if object {
                            self.key_span()?;
                        }
                        continue;
                    }
                }
                Some(_) => self.scalar()?,
                None => return Err(Bail),
            }
            // A value ended: close containers until one has another member.
            loop {
                if depth == 0 {
                    return Ok(());
                }
                let object = objects & 1 == 1;
                if self.more(if object { b'}' } else { b']' })? {
                    if object {
                        self.key_span()?;
                    }
                    break;
                }
                objects >>= 1;
                depth -= 1;
            }
        }
    }
}

/// Checks the escape whose letter is at `i`; returns the offset after it.
#[inline]
fn escape(b: &[u8], i: usize) -> Scan<usize> {
    match b.get(i) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(i + 1),
        Some(b'u') => {
            let hex = b.get(i + 1..i + 5).ok_or(Bail)?;
            if hex.iter().all(u8::is_ascii_hexdigit) {
                Ok(i + 5)
            } else {
                Err(Bail)
            }
        }
        _ => Err(Bail),
    }
}

/// The number or literal at `i`, by JSON's grammar; the offset after it.
#[inline]
fn scalar(b: &[u8], i: usize) -> Scan<usize> {
    match b.get(i) {
        Some(b'-' | b'0'..=b'9') => number(b, i),
        Some(b't') => literal(b, i, b"true"),
        Some(b'f') => literal(b, i, b"false"),
        Some(b'n') => literal(b, i, b"null"),
        _ => Err(Bail),
    }
}

/// A number from `i` (as serde_json checks a skipped number); the offset after it.
fn number(b: &[u8], mut i: usize) -> Scan<usize> {
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => {
            i += 1;
            if b.get(i).is_some_and(u8::is_ascii_digit) {
                return Err(Bail);
            }
        }
        Some(b'1'..=b'9') => {
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        _ => return Err(Bail),
    }
    if b.get(i) == Some(&b'.') {
        i = digits(b, i + 1)?;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = b.get(i) {
            i += 1;
        }
        i = digits(b, i)?;
    }
    Ok(i)
}

/// `word` at `i`; the offset after it.
fn literal(b: &[u8], i: usize, word: &[u8]) -> Scan<usize> {
    if b[i..].starts_with(word) {
        Ok(i + word.len())
    } else {
        Err(Bail)
    }
}

/// One or more digits from `i`; the offset after them.
fn digits(b: &[u8], mut i: usize) -> Scan<usize> {
    let from = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    if i == from { Err(Bail) } else { Ok(i) }
}

/// JSON whitespace: what serde_json skips between tokens.
#[inline(always)]
fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | b'\r' | b'\t')
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

/// SSE2 (part of every x86_64) looks at 16 bytes a step.
#[cfg(target_arch = "x86_64")]
#[inline]
fn find_special_sse2(buf: &[u8], mut i: usize) -> (usize, bool) {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of every x86_64 target, and each load reads the 16 bytes at `i`,
    // which `i + 16 <= buf.len()` keeps inside `buf` (the load need not be aligned).
    unsafe {
        let quote = _mm_set1_epi8(b'"' as i8);
        let backslash = _mm_set1_epi8(b'\\' as i8);
        let control = _mm_set1_epi8(0x1f);
        while i + 16 <= buf.len() {
            let v = _mm_loadu_si128(buf.as_ptr().add(i).cast::<__m128i>());
            let quotes = _mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) as u32;
            // max(v, 0x1f) == 0x1f exactly when v <= 0x1f (unsigned).
            let others = _mm_movemask_epi8(_mm_or_si128(
                _mm_cmpeq_epi8(v, backslash),
                _mm_cmpeq_epi8(_mm_max_epu8(v, control), control),
            )) as u32;
            let mask = quotes | others;
            if mask != 0 {
                let at = mask.trailing_zeros();
                return (i + at as usize, quotes >> at & 1 == 1);
            }
            i += 16;
        }
    }
    find_special_scalar(buf, i)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the scanner skips `text` as exactly one value (then only whitespace).
    fn skips(text: &str) -> bool {
        let mut s = Scanner::new(text.as_bytes());
        s.skip_value().is_ok() && s.finished()
    }

    /// Whether serde_json's skipping accepts `text`.
    fn serde_skips(text: &str) -> bool {
        serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
    }

    #[test]
    fn accepts_only_what_serde_json_accepts() {
        let cases = [
            r#"{}"#,
            r#"[]"#,
            r#"{"a":[1,-2.5e+3,0,-0.0,1E9,true,false,null,"x\"\\\/\b\f\n\r\t\u00e9"],"b":{"c":{}}}"#,
            r#" [ 1 , { "a" : [ ] } ] "#,
            r#""\ud800""#,
            "\t\r\n[\"a\\\\\",\"\\\\\\\"\"]\n",
            r#"01"#,
            r#"-"#,
            r#"1."#,
            r#"1e"#,
            r#".5"#,
            r#"+1"#,
            r#"tru"#,
            r#"nul"#,
            r#"truex"#,
            r#"[1x]"#,
            r#"[1"a"]"#,
            r#"[1\"a"]"#,
            r#"["a"\"b"]"#,
            r#"[1,]"#,
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            r#"{a:1}"#,
            r#"[1 2]"#,
            r#"{"a":1]"#,
            r#"[1}"#,
            "\"tab\there\"",
            "[\"a\"]\u{c}",
            r#""\x""#,
            r#""\u12G4""#,
            r#""\u12"#,
            r#""unterminated"#,
            r#""ends in a backslash\"#,
            r#"[[[["#,
            r#"{"k\u0041":1}"#,
        ];
        for text in cases {
            if skips(text) {
                assert!(
                    serde_skips(text),
                    "scanner accepted what serde_json rejects: {text}"
                );
            }
        }
        // And they do accept the ordinary ones.
        for text in &cases[..6] {
            assert!(skips(text), "{text}");
        }
    }

    #[test]
    fn deep_nesting_bails_instead_of_recursing() {
        let ok = format!("{}{}", "[".repeat(64), "]".repeat(64));
        assert!(skips(&ok));
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(Scanner::new(deep.as_bytes()).skip_value(), Err(Bail));
    }

    #[test]
    fn strings_end_at_the_right_quote() {
        // Long enough to cross the 16-byte steps, with escapes at every offset.
        for n in 0..40 {
            let body = "x".repeat(n);
            for special in ["\\\"", "\\\\", "\\u0041", "\\\\\\\""] {
                let text = format!("\"{body}{special}{body}\" 1");
                let mut s = Scanner::new(text.as_bytes());
                let span = s.string().unwrap();
                assert_eq!(&text[span.end..], "\" 1", "{text}");
                assert!(span.escaped);
                assert_eq!(s.peek(), Some(b'1'));
            }
            let text = format!("\"{body}\"");
            let mut s = Scanner::new(text.as_bytes());
            assert_eq!(s.string().unwrap().end, n + 1);
            assert!(s.finished());
            assert!(!skips(&format!("[\"{body}\u{1}{body}\"]")));
        }
    }

    #[test]
    fn mutated_texts_are_accepted_only_if_serde_json_accepts_them() {
        // Seeded pseudo-random texts over the bytes that matter, from a valid start.
        let alphabet = b"\"\\{}[]:,a1-e. \x01";
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut accepted = 0;
        for round in 0..20_000 {
            let base = r#"{"a":["x\"y",{"b":-1.5e3,"c":[true,null]},"\\"],"d":"\u0041"}"#;
            let mut text = base.as_bytes().to_vec();
            for _ in 0..1 + round % 3 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let at = (seed % text.len() as u64) as usize;
                let c = alphabet[((seed >> 32) % alphabet.len() as u64) as usize];
                match seed >> 60 {
                    0..=5 => text[at] = c,
                    6..=10 => text.insert(at, c),
                    _ => {
                        text.remove(at);
                    }
                }
            }
            let Ok(text) = std::str::from_utf8(&text) else {
                continue;
            };
            if skips(text) {
                accepted += 1;
                assert!(
                    serde_skips(text),
                    "accepted what serde_json rejects: {text}"
                );
            }
        }
        assert!(accepted > 1000, "too few accepted to mean much: {accepted}");
    }

    #[test]
    fn scalar_and_simd_agree() {
        let text = "abc\"def\\ghi\u{1f}jkl\u{7f}é\"".repeat(5);
        let b = text.as_bytes();
        for i in 0..b.len() {
            assert_eq!(find_special(b, i), find_special_scalar(b, i), "at {i}");
        }
    }
}
