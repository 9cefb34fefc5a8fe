//! Strict JSON scanners for fast paths that read a few fields and skip the rest.
//!
//! They never build values: strings come back as byte ranges of the input, and everything else
//! is checked and stepped over. They are strict in one direction only: any input they accept,
//! serde_json accepts too, and reads the same way. Whatever they are not sure about (a syntax
//! error, an escape in a key, nesting deeper than [`MAX_DEPTH`], a number where a string is
//! wanted) ends the scan with [`Bail`], and the caller reads the document again with the full
//! serde_json path, which reports the damage and recovers. So a bail costs time, never a result.
//!
//! The grammar is written once, as the provided methods of [`Cursor`], over a few steps a scanner
//! provides; [`Bytes`] provides them, reading the text once, left to right, and finding string
//! ends 16 bytes at a time. (A second scanner, simdjson's two-stage tape with AVX-512, was
//! removed: it did not pay on realistic data; see the README's Performance section.)

mod bytes;

pub use bytes::Bytes;

/// The scanner gave up; the serde_json path must read this document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bail;

/// Result of a scan step.
pub type Scan<T> = Result<T, Bail>;

/// Containers nested deeper than this in a skipped value make the scanner bail (serde_json's
/// skipping has no such limit; the fast path just leaves such documents to it).
pub const MAX_DEPTH: u32 = 64;

/// A JSON string found by [`Cursor::string`]: the bytes between the quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Offset of the first byte after the opening quote.
    pub start: usize,
    /// Offset of the closing quote.
    pub end: usize,
    /// True when the contents hold a backslash escape (so they are not the string's value).
    pub escaped: bool,
}

/// An object key as compact JSON writes it after the member before, comma, quotes and colon
/// included (`,"key":`), for a comparison of fixed size: three 8-byte words, the bytes past its
/// end masked off. A fast path that expects a key (the one the object before had at this place)
/// checks for it with [`Cursor::eat_next_key`] right after a value (the comma and the key in one
/// comparison) or [`Cursor::eat_key_text`] after an object's `{`, before reading a key the long
/// way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyText {
    words: [u64; 3],
    masks: [u64; 3],
    len: usize,
}

impl KeyText {
    /// The longest `,"key":` a `KeyText` holds.
    pub const MAX: usize = 24;

    /// A key text found nowhere in UTF-8 text: 24 bytes 0xFF (a byte UTF-8 never holds), for
    /// a table of key texts to fill its free places with.
    pub const NEVER: KeyText = KeyText {
        words: [u64::MAX; 3],
        masks: [u64::MAX; 3],
        len: Self::MAX,
    };

    /// `,"key":` of `key`, the contents of a key without escapes; `None` when it is too long.
    pub fn new(key: &[u8]) -> Option<KeyText> {
        let len = key.len() + 4;
        if len > Self::MAX {
            return None;
        }
        let mut text = [0u8; Self::MAX];
        text[0] = b',';
        text[1] = b'"';
        text[2..key.len() + 2].copy_from_slice(key);
        text[key.len() + 2] = b'"';
        text[key.len() + 3] = b':';
        let mut mask = [0u8; Self::MAX];
        mask[..len].fill(0xff);
        Some(KeyText {
            words: words(&text),
            masks: words(&mask),
            len,
        })
    }

    /// True when `buf` holds `,"key":` at `at`. False too when fewer than [`Self::MAX`] bytes
    /// are left from `at` (the caller reads the key the long way then).
    #[inline(always)]
    pub fn is_at(&self, buf: &[u8], at: usize) -> bool {
        self.matches(buf, at, self.masks[0])
    }

    /// True when `buf` holds `"key":` at `at` (whatever is before it). False too when `at` is 0
    /// or fewer than [`Self::MAX`] bytes are left from `at - 1`.
    #[inline(always)]
    pub fn is_after(&self, buf: &[u8], at: usize) -> bool {
        // The same comparison from the byte before, that byte (the comma's place) masked off.
        at.checked_sub(1)
            .is_some_and(|before| self.matches(buf, before, self.masks[0] & !0xff))
    }

    /// The comparison from `at`, the first word under `mask0`.
    #[inline(always)]
    fn matches(&self, buf: &[u8], at: usize, mask0: u64) -> bool {
        // One comparison with the last place a key text can start (the same for every key of
        // a walk, so computed once), then no other bounds check.
        if buf
            .len()
            .checked_sub(Self::MAX)
            .is_none_or(|last| at > last)
        {
            return false;
        }
        // SAFETY: `at + MAX <= buf.len()`, checked above.
        let chunk = unsafe { buf.get_unchecked(at..at + Self::MAX) };
        let w = words(chunk);
        ((w[0] ^ self.words[0]) & mask0)
            | ((w[1] ^ self.words[1]) & self.masks[1])
            | ((w[2] ^ self.words[2]) & self.masks[2])
            == 0
    }

    /// Its length in bytes, the comma included (the key's and 4).
    pub fn byte_len(&self) -> usize {
        self.len
    }
}

/// The first 24 bytes of `b` as three little-endian words.
#[inline(always)]
fn words(b: &[u8]) -> [u64; 3] {
    let w = |i: usize| u64::from_le_bytes(b[i * 8..i * 8 + 8].try_into().unwrap_or_default());
    [w(0), w(1), w(2)]
}

/// A cursor over the tokens of a JSON text: the grammar is written once here, over a few steps
/// each scanner provides. A *token* is a structural character (`{}[]:,`), a string, or a number
/// or literal; whitespace between them is never a token.
///
/// A cursor is a small value (the input and an offset) that is copied rather than shared: a
/// fast path keeps the one it walks with in a local, which the compiler keeps in registers as
/// long as no call out of line is handed its address. So the steps out of line here
/// ([`skip_any`](Self::skip_any), a string's escapes, a number) take the offset and give back
/// the next one, and a fast path's own functions out of line do the same
/// ([`at`](Self::at), [`offset`](Self::offset)).
pub trait Cursor<'a>: Sized + Copy {
    /// A cursor at the start of `buf`, which must be shorter than 4 GiB.
    fn new(buf: &'a [u8]) -> Self;

    /// The input.
    fn bytes(&self) -> &'a [u8];

    /// Offset of the next byte to read (whitespace before the next token included): where
    /// [`at`](Self::at) resumes.
    fn offset(&self) -> usize;

    /// A cursor over `buf` at `pos`, an [`offset`](Self::offset) of a cursor over `buf`.
    #[inline(always)]
    fn at(buf: &'a [u8], pos: usize) -> Self {
        let mut s = Self::new(buf);
        s.seek(pos);
        s
    }

    /// Offset of the next token's first byte, if there is one.
    fn peek_at(&mut self) -> Option<usize>;

    /// Passes the next token, a structural character (after a [`peek`](Self::peek) saw it).
    fn advance(&mut self);

    /// Reads the string whose opening quote is the next token, checked as serde_json checks it:
    /// no raw control characters, only valid escapes.
    fn string(&mut self) -> Scan<Span>;

    /// Passes the number or literal that is the next token (by JSON's grammar, as serde_json
    /// checks a skipped one); the offset just after it.
    fn scalar(&mut self) -> Scan<usize>;

    /// Passes a UTF-8 byte order mark at the very start of the input.
    fn skip_bom(&mut self) -> Scan<()>;

    /// True when every token has been passed and nothing but whitespace is left.
    fn finished(&mut self) -> bool;

    /// Moves the cursor to `pos`, where a token starts (or whitespace before one). The caller
    /// knows what the grammar expects there: a fast path that resumes a value it read the start
    /// of before, or reads one again from its start.
    fn seek(&mut self, pos: usize);

    /// The first byte of the next token, if any.
    #[inline(always)]
    fn peek(&mut self) -> Option<u8> {
        let at = self.peek_at()?;
        self.bytes().get(at).copied()
    }

    /// True (and passed) when the next token is `c`.
    #[inline(always)]
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.advance();
            true
        } else {
            false
        }
    }

    /// The next token must be `c`.
    #[inline(always)]
    fn expect(&mut self, c: u8) -> Scan<()> {
        if self.eat(c) { Ok(()) } else { Err(Bail) }
    }

    /// After a member of an object (`close` = `}`) or array (`]`): true when another member
    /// follows (the comma is passed), false at the end (the bracket is passed).
    #[inline(always)]
    fn more(&mut self, close: u8) -> Scan<bool> {
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
    fn key(&mut self) -> Scan<&'a [u8]> {
        let s = self.key_span()?;
        if s.escaped {
            return Err(Bail);
        }
        Ok(&self.bytes()[s.start..s.end])
    }

    /// True (and passed) when the next token is the key `k` and its colon, written without
    /// whitespace between them: what [`key`](Self::key) would read as `k`'s key.
    #[inline(always)]
    fn eat_key_text(&mut self, k: &KeyText) -> bool {
        match self.peek_at() {
            Some(at) if k.is_after(self.bytes(), at) => {
                self.seek(at + k.byte_len() - 1);
                true
            }
            _ => false,
        }
    }

    /// After a member's value: true (and passed) when the next token is a comma and `k`'s key
    /// and colon follow it with no whitespace between them: what [`more`](Self::more) then
    /// [`key`](Self::key) would read as another member with `k`'s key.
    #[inline(always)]
    fn eat_next_key(&mut self, k: &KeyText) -> bool {
        match self.peek_at() {
            Some(at) if k.is_at(self.bytes(), at) => {
                self.seek(at + k.byte_len());
                true
            }
            _ => false,
        }
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
    fn skip_value(&mut self) -> Scan<()> {
        // Most skipped values are strings, numbers or literals (`null`, `true`, `false`):
        // those take the short way, containers the long one.
        match self.peek() {
            Some(b'"') => self.string().map(|_| ()),
            Some(b'{' | b'[') => self.skip_any(),
            _ => self.scalar().map(|_| ()),
        }
    }

    /// Skips a value of any type, out of line (`skip_from`): the cursor is handed its
    /// offset, not its address.
    #[inline(always)]
    fn skip_any(&mut self) -> Scan<()> {
        let pos = skip_from::<Self>(self.bytes(), self.offset())?;
        self.seek(pos);
        Ok(())
    }

    /// Skips a value of any type. Nesting is tracked in a bit stack, not on the call stack.
    #[inline(always)]
    fn skip_nested(&mut self) -> Scan<()> {
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
                Some(_) => {
                    self.scalar()?;
                }
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

/// [`Cursor::skip_nested`] from `pos` of `buf`: the offset after the value.
#[inline(never)]
fn skip_from<'a, C: Cursor<'a>>(buf: &'a [u8], pos: usize) -> Scan<usize> {
    let mut s = C::at(buf, pos);
    s.skip_nested()?;
    Ok(s.offset())
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

/// The byte order mark's check: it must be followed by whitespace or the
/// start of a container (or nothing), so that it is a token of its own.
fn bom_ends_cleanly(b: &[u8]) -> Scan<bool> {
    if !b.starts_with(b"\xEF\xBB\xBF") {
        return Ok(false);
    }
    match b.get(3) {
        None | Some(b'{' | b'[') => Ok(true),
        Some(&c) if is_ws(c) => Ok(true),
        Some(_) => Err(Bail),
    }
}

/// Damaged copies of `doc` for the fast paths' differential tests: `n` times, at a random
/// place, one byte is deleted, or one of `pieces` is inserted or written over it (xorshift, fixed
/// seed, so every run tries the same texts); the copies that are still UTF-8.
#[cfg(test)]
pub(crate) fn mutations<'a>(
    doc: &'a [u8],
    pieces: &'a [&'a str],
    n: usize,
) -> impl Iterator<Item = String> + 'a {
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        seed = crate::testing::xorshift(seed);
        seed
    };
    (0..n).filter_map(move |_| {
        let at = (next() % doc.len() as u64) as usize;
        let piece = pieces[(next() % pieces.len() as u64) as usize];
        let mut m = doc[..at].to_vec();
        match next() % 3 {
            0 => m.extend_from_slice(&doc[at + 1..]),
            1 => {
                m.extend_from_slice(piece.as_bytes());
                m.extend_from_slice(&doc[at..]);
            }
            _ => {
                m.extend_from_slice(piece.as_bytes());
                m.extend_from_slice(&doc[(at + 1).min(doc.len())..]);
            }
        }
        String::from_utf8(m).ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether scanner `C` skips `text` as exactly one value (then only whitespace).
    fn skips<'a, C: Cursor<'a>>(text: &'a str) -> bool {
        let mut s = C::new(text.as_bytes());
        s.skip_value().is_ok() && s.finished()
    }

    /// Whether the scanner skips `text`.
    fn skips_text(text: &str) -> bool {
        skips::<Bytes>(text)
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
            if skips_text(text) {
                assert!(
                    serde_skips(text),
                    "scanner accepted what serde_json rejects: {text}"
                );
            }
        }
        // And they do accept the ordinary ones.
        for text in &cases[..6] {
            assert!(skips_text(text), "{text}");
        }
    }

    /// A literal is stepped over exactly, whatever container it is in, and only when whole.
    #[test]
    fn skip_value_steps_over_literals_exactly() {
        for (text, end) in [
            ("true,", 4),
            ("false]", 5),
            ("null}", 4),
            (" \n null ,", 8),
            ("-0.5e+1,", 7),
            ("\"a\\\"b\",", 6),
            ("[null,true],", 11),
        ] {
            let mut s = Bytes::new(text.as_bytes());
            assert_eq!(s.skip_value(), Ok(()), "{text:?}");
            assert_eq!(s.peek_at(), Some(end), "{text:?}");
        }
        for text in ["tru,", "nul]", "fals}", "nulL", "t", "", "]", ",", ":"] {
            let mut s = Bytes::new(text.as_bytes());
            assert_eq!(s.skip_value(), Err(Bail), "{text:?}");
        }
    }

    /// A key is read up to its colon; one with an escape or a control character bails.
    #[test]
    fn keys_are_read_to_the_colon_and_escapes_bail() {
        for (text, key, end) in [
            ("\"ab\":1", &b"ab"[..], 5),
            (" \"ab\" : 1", b"ab", 8),
            ("\"\":1", b"", 3),
            (
                "\"a key longer than sixteen bytes\":",
                b"a key longer than sixteen bytes",
                34,
            ),
        ] {
            let mut s = Bytes::new(text.as_bytes());
            assert_eq!(s.key(), Ok(key), "{text:?}");
            assert_eq!(
                s.peek_at(),
                Some(end).filter(|&e| e < text.len()),
                "{text:?}"
            );
        }
        for text in [
            "\"a\\\"b\":1",
            "\"a\\u0041\":1",
            "\"a\u{1}\":1",
            "\"a\u{1}:\":1",
            "\"a\\:\":1",
            "\"ab\"1",
            "\"ab\"",
            "\"ab",
            "ab:1",
            "1:1",
        ] {
            let mut s = Bytes::new(text.as_bytes());
            assert_eq!(s.key(), Err(Bail), "{text:?}");
        }
    }

    /// A key text is found exactly where `,"key":` (`is_at`) or `"key":` (`is_after`) is
    /// written, never in a longer or shorter key, nor within 24 bytes of the end (where the key
    /// is read the long way).
    #[test]
    fn key_texts_match_only_their_key() {
        let pad = " ".repeat(KeyText::MAX);
        for n in 0..=KeyText::MAX - 4 {
            let key = "k".repeat(n);
            let k = KeyText::new(key.as_bytes()).unwrap();
            assert_eq!(k.byte_len(), n + 4);
            let at = |text: &str| k.is_at(text.as_bytes(), 1);
            // `is_after` at 2: the byte before the key (where the comma is) may be anything.
            let after = |text: &str| k.is_after(text.as_bytes(), 2);
            assert!(at(&format!(" ,\"{key}\":{pad}")), "{n}");
            assert!(at(&format!(" ,\"{key}\":\"{key}\"{pad}")), "{n}");
            for before in [",", "{", "x"] {
                assert!(after(&format!(" {before}\"{key}\":{pad}")), "{n}");
            }
            assert!(!at(&format!(" {{\"{key}\":{pad}")), "{n}");
            for other in [
                format!(" ,\"{key}x\":{pad}"),
                format!(" ,\"x{key}\":{pad}"),
                format!(" ,\"{key}\" :{pad}"),
                format!(" ,\"{key}\",{pad}"),
                format!(" , {key}\":{pad}"),
                format!(" , \"{key}\":{pad}"),
            ] {
                assert!(!at(&other), "{n} {other:?}");
                assert!(!after(&other), "{n} {other:?}");
            }
            // Fewer than 24 bytes left: never found.
            assert_eq!(at(&format!(" ,\"{key}\":")), n + 4 == KeyText::MAX, "{n}");
            assert_eq!(
                after(&format!(" ,\"{key}\":")),
                n + 4 == KeyText::MAX,
                "{n}"
            );
            // At the very start there is no byte before.
            assert!(!k.is_after(format!("\"{key}\":{pad}").as_bytes(), 0));
            if n > 0 {
                assert!(!at(&format!(" ,\"{}\":{pad}", &key[1..])), "{n}");
                assert!(!after(&format!(" ,\"{}\":{pad}", &key[1..])), "{n}");
                let mut cursor =
                    Bytes::new(format!("{{\"{key}\":1,\"{key}\":2{pad}").leak().as_bytes());
                assert!(cursor.eat(b'{'));
                assert!(cursor.eat_key_text(&k));
                assert_eq!(cursor.scalar(), Ok(n + 5));
                assert!(cursor.eat_next_key(&k));
                assert_eq!(cursor.scalar(), Ok(2 * n + 10));
                // After whitespace the key is left to `key`, which reads it.
                let text = format!("{{ \"{key}\":1 ,\"{key}\":2{pad}").leak();
                let mut cursor = Bytes::new(text.as_bytes());
                assert!(cursor.eat(b'{'));
                assert!(!cursor.eat_key_text(&k));
                assert_eq!(cursor.key(), Ok(key.as_bytes()));
                assert_eq!(cursor.scalar(), Ok(n + 6));
                assert!(!cursor.eat_next_key(&k));
                assert_eq!(cursor.more(b'}'), Ok(true));
                assert!(cursor.eat_key_text(&k));
                assert_eq!(cursor.scalar(), Ok(2 * n + 12));
            }
        }
        assert_eq!(KeyText::new(&[b'k'; KeyText::MAX - 3]), None);
    }

    /// `NEVER` is found nowhere in UTF-8 text, whatever it holds.
    #[test]
    fn the_never_key_text_matches_no_text() {
        let text = format!(
            "{}{}",
            (0u8..0x80).map(char::from).collect::<String>(),
            "é\u{10ffff}ÿ".repeat(20)
        );
        let b = text.as_bytes();
        for at in 0..b.len() {
            assert!(!KeyText::NEVER.is_at(b, at), "{at}");
            assert!(!KeyText::NEVER.is_after(b, at), "{at}");
        }
    }

    /// A cursor made at an offset reads on from there, and a container skipped out of line
    /// ([`Cursor::skip_any`]) leaves it just after the container.
    #[test]
    fn a_cursor_resumes_at_its_offset() {
        let text = br#"x [1,{"a":[2,"]"]}] , {"b":{}}"#;
        let mut s = Bytes::at(text, 2);
        assert_eq!(s.offset(), 2);
        assert_eq!(s.skip_value(), Ok(()));
        assert_eq!(s.offset(), 19);
        assert_eq!(s.more(b']'), Ok(true));
        let mut again = Bytes::at(text, s.offset());
        assert_eq!(again.skip_any(), Ok(()));
        assert_eq!(again.offset(), text.len());
        assert!(again.finished());
        assert_eq!(Bytes::at(text, 4).skip_any(), Err(Bail));
    }

    #[test]
    fn deep_nesting_bails_instead_of_recursing() {
        let ok = format!("{}{}", "[".repeat(64), "]".repeat(64));
        assert!(skips_text(&ok));
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(Bytes::new(deep.as_bytes()).skip_value(), Err(Bail));
    }

    fn strings_end_at_the_right_quote_in<'a, C: Cursor<'a>>() {
        // Long enough to cross 64-byte blocks and 4 KiB windows, with escapes at every offset.
        for n in (0..140).chain(4090..4100) {
            let body = "x".repeat(n);
            for special in ["\\\"", "\\\\", "\\u0041", "\\\\\\\""] {
                let text: &'a str = format!("\"{body}{special}{body}\" 1").leak();
                let mut s = C::new(text.as_bytes());
                let span = s.string().unwrap();
                assert_eq!(&text[span.end..], "\" 1", "{text}");
                assert!(span.escaped);
                assert_eq!(s.peek_at(), Some(text.len() - 1));
            }
            let text: &'a str = format!("\"{body}\"").leak();
            let mut s = C::new(text.as_bytes());
            assert_eq!(s.string().unwrap().end, n + 1);
            assert!(s.finished());
            let raw: &'a str = format!("[\"{body}\u{1}{body}\"]").leak();
            assert!(!skips::<C>(raw));
        }
    }

    #[test]
    fn strings_end_at_the_right_quote() {
        strings_end_at_the_right_quote_in::<Bytes>();
    }

    #[test]
    fn random_texts_are_read_only_if_serde_agrees() {
        // Seeded pseudo-random texts over the bytes that matter, from a valid start.
        let alphabet = b"\"\\{}[]:,a1-e. \x01";
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut accepted = 0;
        for round in 0..20_000 {
            let base = r#"{"a":["x\"y",{"b":-1.5e3,"c":[true,null]},"\\"],"d":"\u0041"}"#;
            let mut text = base.as_bytes().to_vec();
            for _ in 0..1 + round % 3 {
                seed = crate::testing::xorshift(seed);
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
            if skips_text(text) {
                accepted += 1;
                assert!(
                    serde_skips(text),
                    "accepted what serde_json rejects: {text}"
                );
            }
        }
        assert!(accepted > 1000, "too few accepted to mean much: {accepted}");
    }
}
