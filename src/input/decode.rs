//! Reading one input into memory and undoing its compression.
//!
//! gzip is recognised by its magic bytes, not the file name (Firehose and hand-made dumps often
//! have no `.gz`), and every member of a multi-member file is read. A damaged gzip stream keeps
//! what was decompressed before the damage. zstd and bzip2 are read the same way; archives and
//! other compressions are refused with what they are ([`super::magic`]). Output is capped (`max_bytes`) so a gzip bomb is
//! refused instead of exhausting memory. Text that is not valid UTF-8 is read lossily: invalid
//! bytes become U+FFFD and the file gets a warning.

use std::fs::File;
use std::io::{self, Read};
use std::sync::OnceLock;

use flate2::bufread::MultiGzDecoder;

use super::Source;
use super::magic::Magic;

/// Largest decompressed size of one input accepted by default (1 GiB).
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;

/// Per-thread reusable buffers (and decompressor) for reading inputs.
#[derive(Debug, Default)]
pub struct Loader {
    raw: Vec<u8>,
    text: Vec<u8>,
    lossy: String,
    inflater: Option<super::inflate::Inflater>,
}

/// A loaded input.
#[derive(Debug)]
pub struct Loaded<'a> {
    /// The decoded text (after lossy replacement of invalid UTF-8).
    pub text: &'a str,
    /// Whether the input was gzip.
    pub gzip: bool,
    /// Problems that did not stop the read (damaged gzip, invalid UTF-8).
    pub warnings: Vec<String>,
}

/// Why an input could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Opening or reading failed.
    #[error("{0}")]
    Io(String),
    /// Larger than the cap.
    #[error(
        "{what} more than {limit} bytes; refused (a gzip bomb, or raise the limit with \
         --max-file-size)"
    )]
    TooLarge {
        /// "is" or "decompresses to".
        what: &'static str,
        /// The cap in bytes.
        limit: u64,
    },
    /// The gzip stream is broken before any data came out.
    #[error("not a readable gzip stream: {0}")]
    BadGzip(String),
    /// A zstd or bzip2 stream is broken before any data came out.
    #[error("not a readable {0} stream: {1}")]
    BadStream(&'static str, String),
    /// An archive or a compression that is not read.
    #[error("{0}")]
    Unreadable(&'static str),
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

impl Loader {
    /// Reads and decodes `src`, refusing more than `max_bytes` of text.
    pub fn load(&mut self, src: &Source, max_bytes: u64) -> Result<Loaded<'_>, LoadError> {
        self.raw.clear();
        let io_err = |e: io::Error| LoadError::Io(crate::diag::io_reason(&e));
        let n = match src {
            Source::Stdin => {
                let data = stdin_bytes(max_bytes).map_err(|e| LoadError::Io(e.clone()))?;
                self.raw.extend_from_slice(data);
                data.len() as u64
            }
            Source::File(p) => {
                let f = File::open(p).map_err(io_err)?;
                read_capped(f, &mut self.raw, max_bytes).map_err(io_err)?
            }
        };
        if n > max_bytes {
            return Err(LoadError::TooLarge {
                what: "is",
                limit: max_bytes,
            });
        }
        self.decode(max_bytes)
    }

    /// Decodes bytes already in memory (for tests and fuzzing).
    pub fn load_bytes(&mut self, bytes: &[u8], max_bytes: u64) -> Result<Loaded<'_>, LoadError> {
        self.raw.clear();
        self.raw.extend_from_slice(bytes);
        self.decode(max_bytes)
    }

    fn decode(&mut self, max_bytes: u64) -> Result<Loaded<'_>, LoadError> {
        let mut warnings = Vec::new();
        let gzip = self.raw.starts_with(&GZIP_MAGIC);
        let other = if gzip {
            None
        } else {
            super::magic::sniff(&self.raw)
        };
        if let Some(magic) = other {
            let (name, reader) = match magic {
                Magic::Unreadable(what) => return Err(LoadError::Unreadable(what)),
                Magic::Zstd => ("zstd", super::magic::decoder(magic, &self.raw)),
                Magic::Bzip2 => ("bzip2", super::magic::decoder(magic, &self.raw)),
            };
            self.text.clear();
            if let Some(reader) = reader {
                match read_capped(reader, &mut self.text, max_bytes) {
                    Ok(n) if n > max_bytes => {
                        return Err(LoadError::TooLarge {
                            what: "decompresses to",
                            limit: max_bytes,
                        });
                    }
                    Ok(_) => {}
                    Err(e) if self.text.is_empty() => {
                        return Err(LoadError::BadStream(name, e.to_string()));
                    }
                    Err(e) => warnings.push(format!(
                        "{name} data {} after {} decompressed bytes; reading what came before",
                        gzip_reason(&e),
                        self.text.len(),
                    )),
                }
            }
        }
        if gzip && self.inflater.is_none() {
            // Without one (allocation failed), every file takes the streaming path.
            self.inflater = super::inflate::Inflater::new();
        }
        let fast = gzip
            && self
                .inflater
                .as_mut()
                .is_some_and(|i| i.whole_member(&self.raw, &mut self.text, max_bytes));
        let text: &[u8] = if fast || other.is_some() {
            &self.text
        } else if gzip {
            self.text.clear();
            let decoder = MultiGzDecoder::new(&self.raw[..]);
            match read_capped(decoder, &mut self.text, max_bytes) {
                Ok(n) if n > max_bytes => {
                    return Err(LoadError::TooLarge {
                        what: "decompresses to",
                        limit: max_bytes,
                    });
                }
                Ok(_) => {}
                Err(e) if self.text.is_empty() => return Err(LoadError::BadGzip(e.to_string())),
                Err(e) => warnings.push(format!(
                    "gzip data {} after {} decompressed bytes; reading what came before",
                    gzip_reason(&e),
                    self.text.len(),
                )),
            }
            &self.text
        } else {
            &self.raw
        };
        if (gzip || other.is_some()) && super::magic::is_tar(text) {
            return Err(LoadError::Unreadable(
                "a compressed tar archive: unpack it first (tar -xf)",
            ));
        }
        let text = match simdutf8::basic::from_utf8(text) {
            Ok(s) => s,
            Err(_) => {
                warnings.push("invalid UTF-8 replaced with U+FFFD".into());
                self.lossy = String::from_utf8_lossy(text).into_owned();
                self.lossy.as_str()
            }
        };
        Ok(Loaded {
            text,
            gzip,
            warnings,
        })
    }
}

/// Standard input, read once per process and kept, so a command that reads its input twice
/// (`--relative-to latest`) sees the same bytes both times.
fn stdin_bytes(max_bytes: u64) -> Result<&'static [u8], &'static String> {
    static STDIN: OnceLock<Result<Vec<u8>, String>> = OnceLock::new();
    STDIN
        .get_or_init(|| {
            let mut buf = Vec::new();
            read_capped(io::stdin().lock(), &mut buf, max_bytes)
                .map(|_| buf)
                .map_err(|e| crate::diag::io_reason(&e))
        })
        .as_ref()
        .map(Vec::as_slice)
}

fn gzip_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::UnexpectedEof => "ends early (truncated)".into(),
        _ => format!("is corrupt ({e})"),
    }
}

/// Reads `r` to its end into `buf`, stopping once more than `max` bytes came; returns the count
/// read (more than `max` means "too large").
fn read_capped(r: impl Read, buf: &mut Vec<u8>, max: u64) -> io::Result<u64> {
    let mut limited = r.take(max.saturating_add(1));
    limited.read_to_end(buf)?;
    Ok(buf.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn plain_gzip_and_multi_member() {
        let mut l = Loader::default();
        let got = l.load_bytes(b"{\"a\":1}", 100).unwrap();
        assert_eq!((got.text, got.gzip), ("{\"a\":1}", false));
        let mut two = gz(b"first\n");
        two.extend(gz(b"second\n"));
        let got = l.load_bytes(&two, 100).unwrap();
        assert_eq!(got.text, "first\nsecond\n");
        assert!(got.gzip && got.warnings.is_empty());
    }

    #[test]
    fn truncated_gzip_keeps_the_start() {
        let data: Vec<u8> = (0..200_000u32)
            .flat_map(|i| format!("line {i}\n").into_bytes())
            .collect();
        let whole = gz(&data);
        let mut l = Loader::default();
        let got = l.load_bytes(&whole[..whole.len() / 2], u64::MAX).unwrap();
        assert!(!got.text.is_empty() && got.text.len() < data.len());
        assert_eq!(got.text.as_bytes(), &data[..got.text.len()]);
        assert_eq!(got.warnings.len(), 1);
        assert!(got.warnings[0].contains("truncated"), "{:?}", got.warnings);
    }

    #[test]
    fn broken_gzip_header_is_an_error() {
        let mut l = Loader::default();
        let err = l.load_bytes(&[0x1f, 0x8b, 0, 0, 0], 100).unwrap_err();
        assert!(matches!(err, LoadError::BadGzip(_)), "{err}");
    }

    #[test]
    fn bombs_are_refused() {
        let bomb = gz(&vec![b' '; 10_000_000]);
        assert!(bomb.len() < 50_000);
        let mut l = Loader::default();
        let err = l.load_bytes(&bomb, 1_000_000).unwrap_err();
        assert!(matches!(err, LoadError::TooLarge { .. }), "{err}");
        assert!(l.load_bytes(&bomb, 10_000_000).is_ok());
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        let mut l = Loader::default();
        let got = l.load_bytes(b"{\"a\":\"x\xffy\"}", 100).unwrap();
        assert_eq!(got.text, "{\"a\":\"x\u{fffd}y\"}");
        assert_eq!(got.warnings, ["invalid UTF-8 replaced with U+FFFD"]);
    }
}
