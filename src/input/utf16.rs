//! Text in UTF-16 with a byte order mark (what Windows PowerShell 5.1's `>` writes), read as
//! UTF-8, as ripgrep reads it: a stream that transcodes as it goes, so memory stays bounded
//! whatever the size, compressed or not. Text without a byte order mark is not guessed at.
//!
//! An unpaired surrogate (or a last odd byte) becomes one byte that is not UTF-8, so the check
//! every text gets replaces it with U+FFFD; the reader counts them ([`Tally`]), so the warning
//! says what was wrong in UTF-16's terms, not UTF-8's.

use std::fmt;
use std::io::{self, Read};
use std::sync::{Arc, Mutex};

/// The byte order of UTF-16 text that starts with a byte order mark (`true`: big-endian), when
/// what follows it is nothing or a character of ASCII (JSON and the export's lines start so;
/// a binary file that happens to start with `FF FE` is not taken for text).
pub fn detect(head: &[u8]) -> Option<bool> {
    let big = match head.get(..2)? {
        [0xFF, 0xFE] => false,
        [0xFE, 0xFF] => true,
        _ => return None,
    };
    match head.get(2..4) {
        None => (head.len() == 2).then_some(big),
        Some(&[a, b]) => {
            let (hi, lo) = if big { (a, b) } else { (b, a) };
            (hi == 0 && lo.is_ascii() && lo != 0).then_some(big)
        }
        Some(_) => None,
    }
}

/// The byte that stands for what is not a character: never part of UTF-8.
const INVALID: u8 = 0xFF;

/// What was not UTF-16 in a text read through [`Utf16`] (each became U+FFFD).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Invalid {
    /// Unpaired surrogates.
    pub surrogates: u64,
    /// The byte offset of the first, in the UTF-16 text (its byte order mark is bytes 0 and 1).
    pub first: u64,
    /// Whether the text ends in an odd byte (half a code unit).
    pub odd_byte: bool,
}

impl Invalid {
    /// Whether anything was invalid.
    pub fn any(&self) -> bool {
        self.surrogates > 0 || self.odd_byte
    }

    /// What was invalid, in words: `2 unpaired surrogates, the first at byte 38`.
    pub fn what(&self) -> String {
        let mut parts = Vec::new();
        match self.surrogates {
            0 => {}
            1 => parts.push(format!("1 unpaired surrogate at byte {}", self.first)),
            n => parts.push(format!(
                "{n} unpaired surrogates, the first at byte {}",
                self.first
            )),
        }
        if self.odd_byte {
            parts.push("an odd last byte".to_string());
        }
        parts.join("; ")
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "invalid UTF-16 replaced with U+FFFD: {}", self.what())
    }
}

/// The count of what was invalid, shared with a [`Utf16`] reader so that it can be read once the
/// reader has been handed on (to a stream's cutter) and has read the text.
#[derive(Debug, Default, Clone)]
pub struct Tally(Arc<Mutex<Invalid>>);

impl Tally {
    /// What was invalid so far.
    pub fn get(&self) -> Invalid {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn update(&self, f: impl FnOnce(&mut Invalid)) {
        f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()));
    }
}

/// Reads UTF-16 text (its byte order mark first) from `inner` as UTF-8.
pub struct Utf16<R> {
    inner: R,
    big_endian: bool,
    /// Whether the byte order mark has been passed.
    started: bool,
    /// The offset of `carry[0]` in the UTF-16 text.
    pos: u64,
    tally: Tally,
    /// UTF-8 not yet handed out: `out[done..]`.
    out: Vec<u8>,
    done: usize,
    /// Bytes read and not yet decoded: an odd last byte, a high surrogate waiting for its pair.
    carry: Vec<u8>,
    raw: Vec<u8>,
    eof: bool,
}

impl<R: Read> Utf16<R> {
    /// `inner` starts with the byte order mark of `big_endian` ([`detect`]).
    pub fn new(inner: R, big_endian: bool) -> Self {
        Utf16 {
            inner,
            big_endian,
            started: false,
            pos: 0,
            tally: Tally::default(),
            out: Vec::new(),
            done: 0,
            carry: Vec::new(),
            raw: vec![0; 1 << 16],
            eof: false,
        }
    }

    /// What it found invalid, shared: read it when the text has been read.
    pub fn tally(&self) -> Tally {
        self.tally.clone()
    }

    /// Counts the unpaired surrogates of `units`, which start at byte `at` of the text.
    fn count_lone(&self, units: &[u16], at: u64) {
        let high = |u: u16| (0xD800..0xDC00).contains(&u);
        let low = |u: u16| (0xDC00..0xE000).contains(&u);
        let mut i = 0;
        while i < units.len() {
            if high(units[i]) && units.get(i + 1).is_some_and(|&u| low(u)) {
                i += 2;
                continue;
            }
            if high(units[i]) || low(units[i]) {
                let at = at + 2 * i as u64;
                self.tally.update(|t| {
                    if t.surrogates == 0 {
                        t.first = at;
                    }
                    t.surrogates += 1;
                });
            }
            i += 1;
        }
    }

    /// Reads and decodes the next piece into `out`; false at the end.
    fn decode_more(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        self.out.clear();
        self.done = 0;
        let n = loop {
            match self.inner.read(&mut self.raw) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        self.carry.extend_from_slice(&self.raw[..n]);
        if n == 0 {
            self.eof = true;
        }
        let mut bytes = &self.carry[..];
        let mut at = self.pos;
        if !self.started {
            if bytes.len() < 2 && !self.eof {
                return Ok(true);
            }
            self.started = true;
            bytes = bytes.get(2..).unwrap_or(&[]);
            at += 2;
        }
        let mut units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|p| {
                let pair = [p[0], p[1]];
                if self.big_endian {
                    u16::from_be_bytes(pair)
                } else {
                    u16::from_le_bytes(pair)
                }
            })
            .collect();
        let odd = bytes.len() % 2 == 1;
        // A high surrogate at the end waits for the next read, which may hold its pair.
        let mut keep = if odd { 1 } else { 0 };
        if !self.eof && units.last().is_some_and(|u| (0xD800..0xDC00).contains(u)) {
            units.pop();
            keep += 2;
        }
        let mut lone = false;
        for c in char::decode_utf16(units.iter().copied()) {
            match c {
                Ok(c) => {
                    let mut b = [0; 4];
                    self.out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
                }
                Err(_) => {
                    self.out.push(INVALID);
                    lone = true;
                }
            }
        }
        if lone {
            // Rare: counted and placed by a second look, not in the loop above.
            self.count_lone(&units, at);
        }
        if self.eof && odd {
            self.out.push(INVALID);
            self.tally.update(|t| t.odd_byte = true);
            keep = 0;
        }
        let len = self.carry.len();
        let used = len - keep.min(len);
        self.carry.drain(..used);
        self.pos += used as u64;
        Ok(true)
    }
}

impl<R: Read> Read for Utf16<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.done == self.out.len() {
            if !self.decode_more()? {
                return Ok(0);
            }
        }
        let n = buf.len().min(self.out.len() - self.done);
        buf[..n].copy_from_slice(&self.out[self.done..self.done + n]);
        self.done += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `bytes` through the transcoder `step` bytes at a time.
    fn read(bytes: &[u8], step: usize) -> Vec<u8> {
        read_counting(bytes, step).0
    }

    /// [`read`], and what it found invalid.
    fn read_counting(bytes: &[u8], step: usize) -> (Vec<u8>, Invalid) {
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let big = detect(bytes).expect("a byte order mark");
        let mut out = Vec::new();
        let mut reader = Utf16::new(Trickle(bytes, step), big);
        let tally = reader.tally();
        reader.read_to_end(&mut out).unwrap();
        (out, tally.get())
    }

    fn utf16(s: &str, big: bool) -> Vec<u8> {
        let mut out = if big {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for u in s.encode_utf16() {
            out.extend(if big {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        out
    }

    #[test]
    fn transcodes_in_any_pieces() {
        // ASCII, two-byte, three-byte and four-byte (a surrogate pair) characters.
        let text = "{\"eventName\":\"Put\u{e9}\u{20ac}\u{1F600}\"}\n";
        for big in [false, true] {
            let bytes = utf16(text, big);
            for step in [1, 2, 3, 5, 1 << 20] {
                assert_eq!(read(&bytes, step), text.as_bytes(), "{big} {step}");
            }
        }
        assert_eq!(read(&[0xFF, 0xFE], 1), b"");
    }

    #[test]
    fn unpaired_surrogates_and_an_odd_byte_are_marked_invalid() {
        // LE: "a", a lone high surrogate, "b", a lone low surrogate, a high one last, and an
        // odd byte.
        let bytes = [
            0xFF, 0xFE, b'a', 0, 0x00, 0xD8, b'b', 0, 0x00, 0xDC, 0x01, 0xD8, b'c',
        ];
        for step in [1, 2, 7, 64] {
            let (text, invalid) = read_counting(&bytes, step);
            assert_eq!(text, b"a\xFFb\xFF\xFF\xFF", "{step}");
            // The lone high surrogate is bytes 4 and 5, after the mark and "a".
            let want = Invalid {
                surrogates: 3,
                first: 4,
                odd_byte: true,
            };
            assert_eq!(invalid, want, "{step}");
        }
        assert_eq!(
            read_counting(&bytes, 3).1.to_string(),
            "invalid UTF-16 replaced with U+FFFD: 3 unpaired surrogates, the first at byte 4; \
             an odd last byte"
        );
    }

    #[test]
    fn the_first_unpaired_surrogate_is_placed_in_the_utf16_text() {
        // After a BMP character of three UTF-8 bytes and a pair (4 bytes of UTF-16 each way),
        // far enough in to span reads: the offset counts UTF-16 bytes, the mark included.
        for big in [false, true] {
            let text = format!("{}\u{20ac}\u{1F600}", "x".repeat(40_000));
            let mut bytes = utf16(&text, big);
            let at = bytes.len();
            let lone = 0xDC00u16;
            bytes.extend(if big {
                lone.to_be_bytes()
            } else {
                lone.to_le_bytes()
            });
            bytes.extend(utf16("y", big).split_off(2));
            assert_eq!(at, 2 + 2 * 40_000 + 2 + 4);
            for step in [1, 3, 4096, 1 << 20] {
                let (out, invalid) = read_counting(&bytes, step);
                let mut want_out = text.clone().into_bytes();
                want_out.extend(b"\xFFy");
                assert_eq!(out, want_out, "{big} {step}");
                let want = Invalid {
                    surrogates: 1,
                    first: at as u64,
                    odd_byte: false,
                };
                assert_eq!(invalid, want, "{big} {step}");
                assert_eq!(
                    invalid.to_string(),
                    format!(
                        "invalid UTF-16 replaced with U+FFFD: 1 unpaired surrogate at byte {at}"
                    )
                );
            }
        }
    }

    #[test]
    fn only_text_after_the_mark_is_taken_for_utf16() {
        assert_eq!(detect(&[0xFF, 0xFE, b'{', 0]), Some(false));
        assert_eq!(detect(&[0xFE, 0xFF, 0, b'[']), Some(true));
        assert_eq!(detect(&[0xFF, 0xFE]), Some(false));
        // A varint length prefix of 0xFF 0xFE... (OpenTelemetry), UTF-8 text, UTF-8's mark.
        assert_eq!(detect(&[0xFF, 0xFE, 0x01, 0x0A]), None);
        assert_eq!(detect(b"{\"a\":1}"), None);
        assert_eq!(detect(&[0xEF, 0xBB, 0xBF, b'{']), None);
        assert_eq!(detect(&[0xFF, 0xFE, b'{']), None);
    }
}
