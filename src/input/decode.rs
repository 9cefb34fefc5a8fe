//! Opening one input and undoing its compression: small inputs are read whole into memory
//! (the fast way), big ones are handed on as a stream of text for [`super::chunk`] to cut.
//!
//! gzip is recognised by its magic bytes, not the file name (Firehose and hand-made dumps often
//! have no `.gz`), and every member of a multi-member file is read. A damaged gzip stream keeps
//! what was decompressed before the damage. zstd and bzip2 are read the same way; archives and
//! other compressions are refused with what they are ([`super::magic`]). Text in UTF-16 with a
//! byte order mark, compressed or not, is transcoded to UTF-8 as it is read ([`super::utf16`]).
//! Text that is not valid UTF-8 is read lossily: invalid bytes become U+FFFD and the file gets
//! a warning (for UTF-16, in UTF-16's terms: [`invalid_text`]). Nothing here holds more than a
//! chunk of any input, so no size needs refusing; `--max-file-size` remains as an explicit cap
//! for users who want one.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek};
use std::sync::Mutex;

use flate2::bufread::MultiGzDecoder;

use super::Source;
use super::magic::{self, Magic};
use super::utf16;

/// Per-thread reusable buffers (and decompressor) for reading inputs.
#[derive(Debug, Default)]
pub struct Loader {
    raw: Vec<u8>,
    text: Vec<u8>,
    lossy: String,
    inflater: Option<super::inflate::Inflater>,
    /// What the transcoder found invalid, when the input being read is UTF-16.
    utf16: Option<utf16::Tally>,
}

/// A loaded input, decompressed; [`Loaded::into_text`] makes it text.
#[derive(Debug)]
pub struct Loaded<'a> {
    /// The decompressed bytes.
    pub bytes: &'a [u8],
    /// Whether the input was gzip.
    pub gzip: bool,
    /// Problems that did not stop the read (damaged gzip).
    pub warnings: Vec<String>,
    /// Where invalid UTF-8 is replaced, when it must be.
    lossy: &'a mut String,
    /// What was not UTF-16, when the input was UTF-16.
    utf16: Option<utf16::Invalid>,
}

/// A loaded input as text.
#[derive(Debug)]
pub struct Text<'a> {
    /// The decoded text (after lossy replacement of invalid UTF-8).
    pub text: &'a str,
    /// Whether the input was gzip.
    pub gzip: bool,
    /// Problems that did not stop the read (damaged gzip, invalid UTF-8).
    pub warnings: Vec<String>,
}

impl<'a> Loaded<'a> {
    /// The bytes as UTF-8 text; invalid bytes become U+FFFD, with a warning. Binary formats
    /// read [`Loaded::bytes`] instead and never pay for the check.
    pub fn into_text(self) -> Text<'a> {
        let mut warnings = self.warnings;
        let (text, lossy) = text_of(self.bytes, self.lossy);
        if lossy {
            warnings.push(invalid_text(self.utf16));
        }
        Text {
            text,
            gzip: self.gzip,
            warnings,
        }
    }
}

/// An input too big to read whole: its decoded text so far, and the rest as a stream.
pub struct Stream {
    /// The first bytes of decoded text.
    pub head: Vec<u8>,
    /// The rest of the decoded text.
    pub rest: Box<dyn Read + Send>,
    /// The compression undone (gzip, zstd, bzip2), if any.
    pub compression: Option<&'static str>,
    /// What was not UTF-16, when the text is transcoded from UTF-16: read it at the end.
    pub utf16: Option<utf16::Tally>,
}

/// An opened input.
pub enum Opened<'a> {
    /// Small enough to read whole: here it is.
    Whole(Loaded<'a>),
    /// Bigger: to be read in chunks.
    Stream(Stream),
}

/// How much to read whole, and the user's cap.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Inputs of at most this many bytes of text are read whole.
    pub whole: usize,
    /// `--max-file-size`: inputs with more text than this are refused (or, where that cannot
    /// be known before reading, standard input and pipes, read only up to it).
    pub max_bytes: Option<u64>,
    /// The input will be read again in this run (standard input and FIFOs are then kept in a temporary
    /// file).
    pub again: bool,
}

/// Why an input could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Opening or reading failed.
    #[error("{0}")]
    Io(String),
    /// Larger than the cap.
    #[error("{what} more than {limit} bytes; refused (--max-file-size)")]
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
    /// Opens `src`: its whole text when it has at most `limits.whole` bytes, else a stream.
    pub fn open(&mut self, src: &Source, limits: Limits) -> Result<Opened<'_>, LoadError> {
        let io_err = |e: io::Error| LoadError::Io(crate::diag::io_reason(&e));
        let input: Box<dyn Read + Send> = match src {
            Source::Stdin => {
                spooled(None, limits.again, || Ok(Box::new(io::stdin()))).map_err(io_err)?
            }
            Source::File(p) => {
                // Read before and kept: reopening a FIFO would wait for a writer that is gone.
                if let Some(kept) = kept(Some(p)).map_err(io_err)? {
                    return self.open_input(kept, limits);
                }
                let f = File::open(p).map_err(io_err)?;
                let regular = f.metadata().map(|m| m.is_file()).unwrap_or(true);
                if regular {
                    if let Some(max) = limits.max_bytes {
                        refuse_if_larger(&f, max)?;
                    }
                    Box::new(f)
                } else {
                    // A FIFO (`<(zcat x.gz)`) or a device can be read once only.
                    spooled(Some(p), limits.again, || Ok(Box::new(f))).map_err(io_err)?
                }
            }
        };
        self.open_input(input, limits)
    }

    /// [`Loader::open`] of an input already opened (for tests and fuzzing: bytes in memory).
    pub fn open_input(
        &mut self,
        mut input: Box<dyn Read + Send>,
        limits: Limits,
    ) -> Result<Opened<'_>, LoadError> {
        let io_err = |e: io::Error| LoadError::Io(crate::diag::io_reason(&e));
        self.utf16 = None;
        self.raw.clear();
        read_up_to(&mut input, &mut self.raw, limits.whole + 1).map_err(io_err)?;
        let gzip = self.raw.starts_with(&GZIP_MAGIC);
        let other = if gzip { None } else { magic::sniff(&self.raw) };
        let name = match other {
            Some(Magic::Unreadable(what)) => return Err(LoadError::Unreadable(what)),
            Some(Magic::Zstd) => "zstd",
            Some(Magic::Bzip2) => "bzip2",
            None if gzip => "gzip",
            None => {
                if let Some(big_endian) = utf16::detect(&self.raw) {
                    let raw = std::mem::take(&mut self.raw);
                    let text = utf16::Utf16::new(io::Cursor::new(raw).chain(input), big_endian);
                    self.utf16 = Some(text.tally());
                    return self.open_utf16(Box::new(text), limits);
                }
                if self.raw.len() <= limits.whole {
                    return self
                        .finish_whole(false, Vec::new(), limits.max_bytes)
                        .map(Opened::Whole);
                }
                return stream(self.raw.clone(), input, None, None, limits.max_bytes);
            }
        };
        if gzip && self.raw.len() <= limits.whole {
            if self.inflater.is_none() {
                // Without one (allocation failed), every file takes the streaming path.
                self.inflater = super::inflate::Inflater::new();
            }
            let whole = limits
                .max_bytes
                .map_or(limits.whole as u64, |m| m.min(limits.whole as u64));
            if self
                .inflater
                .as_mut()
                .is_some_and(|i| i.whole_member(&self.raw, &mut self.text, whole))
            {
                self.transcode_text()?;
                return self
                    .finish_whole(true, Vec::new(), limits.max_bytes)
                    .map(Opened::Whole);
            }
        }
        let raw = std::mem::take(&mut self.raw);
        let compressed = BufReader::with_capacity(1 << 16, io::Cursor::new(raw).chain(input));
        let mut decoder: Box<dyn Read + Send> = match other {
            Some(m) => magic::stream_decoder(m, compressed)
                .ok_or(LoadError::Unreadable("an unreadable compression"))?,
            None => Box::new(MultiGzDecoder::new(compressed)),
        };
        self.text.clear();
        let mut warnings = Vec::new();
        // At least a tar header's worth, to tell a compressed tar archive.
        let mut read = read_up_to(&mut decoder, &mut self.text, (limits.whole + 1).max(513));
        if let Some(big_endian) = utf16::detect(&self.text) {
            // Compressed UTF-16: what is decompressed goes through the transcoder too.
            let head = std::mem::take(&mut self.text);
            let text = utf16::Utf16::new(io::Cursor::new(head).chain(decoder), big_endian);
            self.utf16 = Some(text.tally());
            decoder = Box::new(text);
            let again = read_up_to(&mut decoder, &mut self.text, limits.whole + 1);
            // A damaged stream's error, when it came with the first bytes, stays the one told.
            if read.is_ok() {
                read = again;
            }
        }
        if magic::is_tar(&self.text) {
            return Err(LoadError::Unreadable(
                "a compressed tar archive: unpack it first (tar -xf)",
            ));
        }
        match read {
            Ok(()) => {}
            Err(e) if self.text.is_empty() => return Err(stream_error(name, e)),
            Err(e) => {
                warnings.push(truncated(name, &e, self.text.len() as u64));
                return self
                    .finish_whole(true, warnings, limits.max_bytes)
                    .map(Opened::Whole);
            }
        }
        if self.text.len() <= limits.whole {
            return self
                .finish_whole(true, warnings, limits.max_bytes)
                .map(Opened::Whole);
        }
        let utf16 = self.utf16.clone();
        stream(
            self.text.clone(),
            decoder,
            Some(name),
            utf16,
            limits.max_bytes,
        )
    }

    /// An input of plain UTF-16 text, read through the transcoder `text`: whole when it
    /// makes at most `limits.whole` bytes of UTF-8, else as a stream.
    fn open_utf16(
        &mut self,
        mut text: Box<dyn Read + Send>,
        limits: Limits,
    ) -> Result<Opened<'_>, LoadError> {
        self.text.clear();
        read_up_to(&mut text, &mut self.text, limits.whole + 1)
            .map_err(|e| LoadError::Io(crate::diag::io_reason(&e)))?;
        if self.text.len() <= limits.whole {
            return self
                .finish_whole(true, Vec::new(), limits.max_bytes)
                .map(Opened::Whole);
        }
        let utf16 = self.utf16.clone();
        stream(self.text.clone(), text, None, utf16, limits.max_bytes)
    }

    /// Decompressed text in `text` that is UTF-16 is made UTF-8, in place.
    fn transcode_text(&mut self) -> Result<(), LoadError> {
        if let Some(big_endian) = utf16::detect(&self.text) {
            let utf16 = std::mem::take(&mut self.text);
            let mut text = utf16::Utf16::new(&utf16[..], big_endian);
            self.utf16 = Some(text.tally());
            text.read_to_end(&mut self.text)
                .map_err(|e| LoadError::Io(crate::diag::io_reason(&e)))?;
        }
        Ok(())
    }

    /// A buffer for text with invalid UTF-8 replaced.
    pub fn lossy_buffer(&mut self) -> &mut String {
        &mut self.lossy
    }

    /// Decodes bytes already in memory, whole (for tests and fuzzing).
    pub fn load_bytes(&mut self, bytes: &[u8], max_bytes: u64) -> Result<Loaded<'_>, LoadError> {
        self.utf16 = None;
        self.raw.clear();
        self.raw.extend_from_slice(bytes);
        let gzip = self.raw.starts_with(&GZIP_MAGIC);
        let other = if gzip { None } else { magic::sniff(&self.raw) };
        let name = match other {
            Some(Magic::Unreadable(what)) => return Err(LoadError::Unreadable(what)),
            Some(Magic::Zstd) => "zstd",
            Some(Magic::Bzip2) => "bzip2",
            None if gzip => "gzip",
            None => {
                if let Some(big_endian) = utf16::detect(&self.raw) {
                    self.text.clear();
                    let text = utf16::Utf16::new(&self.raw[..], big_endian);
                    self.utf16 = Some(text.tally());
                    let read = text
                        .take(max_bytes.saturating_add(1))
                        .read_to_end(&mut self.text);
                    read.map_err(|e| LoadError::Io(crate::diag::io_reason(&e)))?;
                    return self.finish_whole(true, Vec::new(), Some(max_bytes));
                }
                return self.finish_whole(false, Vec::new(), Some(max_bytes));
            }
        };
        let raw = std::mem::take(&mut self.raw);
        let decoder: Box<dyn Read + '_> = match other {
            Some(m) => magic::decoder(m, &raw).ok_or(LoadError::Unreadable("unreadable"))?,
            None => Box::new(MultiGzDecoder::new(&raw[..])),
        };
        self.text.clear();
        let mut warnings = Vec::new();
        let read = decoder
            .take(max_bytes.saturating_add(1))
            .read_to_end(&mut self.text);
        self.raw = raw;
        self.transcode_text()?;
        if magic::is_tar(&self.text) {
            return Err(LoadError::Unreadable(
                "a compressed tar archive: unpack it first (tar -xf)",
            ));
        }
        match read {
            Ok(_) => {}
            Err(e) if self.text.is_empty() => return Err(stream_error(name, e)),
            Err(e) => warnings.push(truncated(name, &e, self.text.len() as u64)),
        }
        self.finish_whole(true, warnings, Some(max_bytes))
    }

    /// The whole text is in `raw` (plain) or `text` (gzip): checks the cap and UTF-8.
    fn finish_whole(
        &mut self,
        gzip: bool,
        warnings: Vec<String>,
        max_bytes: Option<u64>,
    ) -> Result<Loaded<'_>, LoadError> {
        let text: &[u8] = if gzip { &self.text } else { &self.raw };
        if gzip && magic::is_tar(text) {
            return Err(LoadError::Unreadable(
                "a compressed tar archive: unpack it first (tar -xf)",
            ));
        }
        if let Some(max) = max_bytes
            && text.len() as u64 > max
        {
            return Err(LoadError::TooLarge {
                what: if gzip { "decompresses to" } else { "is" },
                limit: max,
            });
        }
        Ok(Loaded {
            bytes: text,
            gzip,
            warnings,
            lossy: &mut self.lossy,
            utf16: self.utf16.as_ref().map(utf16::Tally::get),
        })
    }
}

/// Opens a text file that is not an input (a `--queries` file, a CSV file read back by
/// `--from-csv`) as UTF-8, by the inputs' rules for its encoding: UTF-16 with a byte order mark
/// is transcoded as it is read ([`utf16`]), UTF-8's byte order mark is left out, and anything
/// else is passed on as it is (such files are not compressed). With UTF-16, what the
/// transcoder found invalid, to be read when the text has been read.
pub fn text_file(
    path: &std::path::Path,
) -> io::Result<(Box<dyn Read + Send>, Option<utf16::Tally>)> {
    let mut file = File::open(path)?;
    let mut head = Vec::with_capacity(4);
    (&mut file).take(4).read_to_end(&mut head)?;
    if let Some(big_endian) = utf16::detect(&head) {
        let whole = io::Cursor::new(head).chain(file);
        let text = utf16::Utf16::new(whole, big_endian);
        let tally = text.tally();
        return Ok((Box::new(text), Some(tally)));
    }
    let start = if head.starts_with(UTF8_BOM) {
        UTF8_BOM.len()
    } else {
        0
    };
    head.drain(..start);
    Ok((Box::new(io::Cursor::new(head).chain(file)), None))
}

/// UTF-8's byte order mark.
const UTF8_BOM: &[u8] = "\u{feff}".as_bytes();

/// The warning for text that is not valid UTF-8.
pub const INVALID_UTF8: &str = "invalid UTF-8 replaced with U+FFFD";

/// The warning for text that had to be replaced: in UTF-16's terms when it was UTF-16 (the
/// transcoder's output is UTF-8 but for what was invalid), else [`INVALID_UTF8`].
pub fn invalid_text(utf16: Option<utf16::Invalid>) -> String {
    match utf16 {
        Some(invalid) if invalid.any() => invalid.to_string(),
        _ => INVALID_UTF8.into(),
    }
}

/// `bytes` as text, replacing invalid UTF-8 in `lossy`; true when it had to.
pub fn text_of<'a>(bytes: &'a [u8], lossy: &'a mut String) -> (&'a str, bool) {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(s) => (s, false),
        Err(_) => {
            *lossy = String::from_utf8_lossy(bytes).into_owned();
            (lossy.as_str(), true)
        }
    }
}

/// A regular file larger than `max` is refused before it is read. A gzip file is measured by
/// inflating it once without keeping anything (the user asked for the cap).
fn refuse_if_larger(f: &File, max: u64) -> Result<(), LoadError> {
    let Ok(meta) = f.metadata() else {
        return Ok(());
    };
    if !meta.is_file() {
        return Ok(());
    }
    let mut f = f;
    let mut magic = [0u8; 2];
    let gzip = f.read_exact(&mut magic).is_ok() && magic == GZIP_MAGIC;
    let rewind = |mut f: &File| {
        f.rewind()
            .map_err(|e| LoadError::Io(crate::diag::io_reason(&e)))
    };
    rewind(f)?;
    if !gzip {
        if meta.len() > max {
            return Err(LoadError::TooLarge {
                what: "is",
                limit: max,
            });
        }
        return Ok(());
    }
    let mut decoder = MultiGzDecoder::new(BufReader::new(f)).take(max.saturating_add(1));
    // A damaged stream is measured up to the damage; reading reports it.
    let n = io::copy(&mut decoder, &mut io::sink()).unwrap_or(0);
    rewind(f)?;
    if n > max {
        return Err(LoadError::TooLarge {
            what: "decompresses to",
            limit: max,
        });
    }
    Ok(())
}

/// A stream of text after `head`, stopped at the cap when there is one.
fn stream(
    head: Vec<u8>,
    rest: Box<dyn Read + Send>,
    compression: Option<&'static str>,
    utf16: Option<utf16::Tally>,
    max_bytes: Option<u64>,
) -> Result<Opened<'static>, LoadError> {
    let rest = match max_bytes {
        None => rest,
        Some(max) if head.len() as u64 > max => {
            return Err(LoadError::TooLarge {
                what: if compression.is_some() {
                    "decompresses to"
                } else {
                    "is"
                },
                limit: max,
            });
        }
        Some(max) => Box::new(Capped {
            inner: rest,
            left: max - head.len() as u64,
            max,
        }),
    };
    Ok(Opened::Stream(Stream {
        head,
        rest,
        compression,
        utf16,
    }))
}

/// The text of an input of unknown size (a pipe) went past `--max-file-size`.
#[derive(Debug, thiserror::Error)]
#[error("stopped after {0} bytes (--max-file-size); the rest is not read")]
pub struct CapReached(pub u64);

/// Stops a stream at the cap, with a [`CapReached`] error when there is more.
struct Capped {
    inner: Box<dyn Read + Send>,
    left: u64,
    max: u64,
}

impl Read for Capped {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            let mut one = [0u8; 1];
            return match self.inner.read(&mut one)? {
                0 => Ok(0),
                _ => Err(io::Error::other(CapReached(self.max))),
            };
        }
        let n = buf.len().min(self.left.min(usize::MAX as u64) as usize);
        let got = self.inner.read(&mut buf[..n])?;
        self.left -= got as u64;
        Ok(got)
    }
}

/// Inputs that can be read once only: standard input (`None`) and named FIFOs or devices.
/// When the run reads its inputs twice (`--relative-to latest`), the first read copies such an
/// input into a temporary file and later reads come from there, so memory stays bounded and
/// both reads see the same bytes (reopening a FIFO would wait for a writer that is gone).
fn spooled(
    key: Option<&std::path::Path>,
    again: bool,
    open: impl FnOnce() -> io::Result<Box<dyn Read + Send>>,
) -> io::Result<Box<dyn Read + Send>> {
    if let Some(kept) = kept(key)? {
        return Ok(kept);
    }
    let inner = open()?;
    if again {
        let file = tempfile::tempfile()?;
        let mut spools = SPOOLS.lock().unwrap_or_else(|e| e.into_inner());
        spools.push((key.map(ToOwned::to_owned), file.try_clone()?));
        return Ok(Box::new(Tee { inner, copy: file }));
    }
    Ok(inner)
}

type Spools = Vec<(Option<std::path::PathBuf>, File)>;
/// The read-once inputs kept by [`spooled`], by path (`None`: standard input).
static SPOOLS: Mutex<Spools> = Mutex::new(Vec::new());

/// The copy [`spooled`] kept of the input `key`, from its start, if there is one.
fn kept(key: Option<&std::path::Path>) -> io::Result<Option<Box<dyn Read + Send>>> {
    let spools = SPOOLS.lock().unwrap_or_else(|e| e.into_inner());
    let Some((_, f)) = spools.iter().find(|(k, _)| k.as_deref() == key) else {
        return Ok(None);
    };
    let mut copy = f.try_clone()?;
    copy.rewind()?;
    Ok(Some(Box::new(copy)))
}

/// Reads `inner`, writing a copy of everything read to `copy`.
struct Tee {
    inner: Box<dyn Read + Send>,
    copy: File,
}

impl Read for Tee {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        io::Write::write_all(&mut self.copy, &buf[..n])?;
        Ok(n)
    }
}

impl Drop for Tee {
    fn drop(&mut self) {
        // What the first read did not need is copied too, for the second.
        let _ = io::copy(&mut self.inner, &mut self.copy);
    }
}

fn stream_error(name: &'static str, e: io::Error) -> LoadError {
    if name == "gzip" {
        LoadError::BadGzip(e.to_string())
    } else {
        LoadError::BadStream(name, e.to_string())
    }
}

/// The warning for a compressed stream (`name`: gzip, zstd, bzip2) that broke after `n` bytes
/// of text.
pub fn truncated(name: &str, e: &io::Error, n: u64) -> String {
    format!(
        "{name} data {} after {n} decompressed bytes; reading what came before",
        gzip_reason(e),
    )
}

fn gzip_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::UnexpectedEof => "ends early (truncated)".into(),
        _ => format!("is corrupt ({e})"),
    }
}

/// Reads into `buf` until it holds `n` bytes or the input ends.
fn read_up_to(r: &mut dyn Read, buf: &mut Vec<u8>, n: usize) -> io::Result<()> {
    let want = n.saturating_sub(buf.len()) as u64;
    r.take(want).read_to_end(buf).map(|_| ())
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
        let got = l.load_bytes(b"{\"a\":1}", 100).unwrap().into_text();
        assert_eq!((got.text, got.gzip), ("{\"a\":1}", false));
        let mut two = gz(b"first\n");
        two.extend(gz(b"second\n"));
        let got = l.load_bytes(&two, 100).unwrap().into_text();
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
        let got = l
            .load_bytes(&whole[..whole.len() / 2], u64::MAX)
            .unwrap()
            .into_text();
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
    fn invalid_utf16_is_said_in_its_terms() {
        // LE: the mark, "a", a lone low surrogate at bytes 4 and 5, "b"; plain and gzipped.
        let bytes = [0xFF, 0xFE, b'a', 0, 0x00, 0xDC, b'b', 0];
        let mut l = Loader::default();
        for input in [bytes.to_vec(), gz(&bytes)] {
            let got = l.load_bytes(&input, 100).unwrap().into_text();
            assert_eq!(got.text, "a\u{fffd}b");
            assert_eq!(
                got.warnings,
                ["invalid UTF-16 replaced with U+FFFD: 1 unpaired surrogate at byte 4"]
            );
        }
        // The next input, UTF-8, is said in UTF-8's terms.
        let got = l.load_bytes(b"x\xffy", 100).unwrap().into_text();
        assert_eq!(got.warnings, ["invalid UTF-8 replaced with U+FFFD"]);
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        let mut l = Loader::default();
        let got = l
            .load_bytes(b"{\"a\":\"x\xffy\"}", 100)
            .unwrap()
            .into_text();
        assert_eq!(got.text, "{\"a\":\"x\u{fffd}y\"}");
        assert_eq!(got.warnings, ["invalid UTF-8 replaced with U+FFFD"]);
    }
}
