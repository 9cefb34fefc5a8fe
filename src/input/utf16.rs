//! Text in UTF-16 with a byte order mark (what Windows PowerShell 5.1's `>` writes), read as
//! UTF-8, as ripgrep reads it: a stream that transcodes as it goes, so memory stays bounded
//! whatever the size, compressed or not. Text without a byte order mark is not guessed at.
//!
//! An unpaired surrogate (or a last odd byte) becomes one byte that is not UTF-8, so the check
//! every text gets replaces it with U+FFFD and says so, as for any invalid text.

use std::io::{self, Read};

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

/// Reads UTF-16 text (its byte order mark first) from `inner` as UTF-8.
pub struct Utf16<R> {
    inner: R,
    big_endian: bool,
    /// Whether the byte order mark has been passed.
    started: bool,
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
            out: Vec::new(),
            done: 0,
            carry: Vec::new(),
            raw: vec![0; 1 << 16],
            eof: false,
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
        if !self.started {
            if bytes.len() < 2 && !self.eof {
                return Ok(true);
            }
            self.started = true;
            bytes = bytes.get(2..).unwrap_or(&[]);
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
        for c in char::decode_utf16(units.iter().copied()) {
            match c {
                Ok(c) => {
                    let mut b = [0; 4];
                    self.out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
                }
                Err(_) => self.out.push(INVALID),
            }
        }
        if self.eof && odd {
            self.out.push(INVALID);
            keep = 0;
        }
        let len = self.carry.len();
        self.carry.drain(..len - keep.min(len));
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
        Utf16::new(Trickle(bytes, step), big)
            .read_to_end(&mut out)
            .unwrap();
        out
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
            assert_eq!(read(&bytes, step), b"a\xFFb\xFF\xFF\xFF", "{step}");
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
