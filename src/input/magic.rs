//! What the first bytes of an input say it is, when it is not gzip or text: zstd and bzip2 are
//! read (both appear in S3 exports), archives and other compressions are named in one clear
//! reason, so a `.zip` is not read as text that happens to be invalid UTF-8.

use std::io::{self, BufRead, Read};

use ruzstd::decoding::StreamingDecoder;

/// What an input's magic bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Magic {
    /// Zstandard frames (`28 B5 2F FD`, or a skippable frame): read.
    Zstd,
    /// bzip2 streams (`BZh1`..`BZh9`): read.
    Bzip2,
    /// Something that is not read, with what to do instead.
    Unreadable(&'static str),
}

/// Magic numbers at the start of a file, with what they are (after "is ").
const UNREADABLE: [(&[u8], &str); 8] = [
    (b"PK\x03\x04", "a zip archive: unpack it first (unzip)"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"PK\x07\x08", "a zip archive: unpack it first (unzip)"),
    (
        b"7z\xBC\xAF\x27\x1C",
        "a 7z archive: unpack it first (7z x)",
    ),
    (b"\xFD7zXZ\x00", "xz-compressed: decompress it first (unxz)"),
    (
        b"\x04\x22\x4D\x18",
        "lz4-compressed: decompress it first (unlz4)",
    ),
    (
        b"\xFF\x06\x00\x00sNaPpY",
        "Snappy-compressed (as Firehose writes with Snappy): decompress it first",
    ),
    (
        b"PAR1",
        "a Parquet file: export the data as JSON to read it",
    ),
];

/// The offset of a tar header's `ustar` magic.
const TAR_MAGIC_AT: usize = 257;

/// What `bytes` (the start of an input) are, when they are neither gzip nor text.
pub fn sniff(bytes: &[u8]) -> Option<Magic> {
    if bytes.starts_with(&[0x28, 0xB5, 0x2F, 0xFD]) || skippable_frame(bytes) {
        return Some(Magic::Zstd);
    }
    if bytes.len() >= 4 && bytes.starts_with(b"BZh") && (b'1'..=b'9').contains(&bytes[3]) {
        return Some(Magic::Bzip2);
    }
    if let Some((_, what)) = UNREADABLE.iter().find(|(m, _)| bytes.starts_with(m)) {
        return Some(Magic::Unreadable(what));
    }
    is_tar(bytes).then_some(Magic::Unreadable(
        "a tar archive: unpack it first (tar -xf)",
    ))
}

/// True when `bytes` start with a tar header (also checked on decompressed text, for
/// `.tar.gz`).
pub fn is_tar(bytes: &[u8]) -> bool {
    bytes
        .get(TAR_MAGIC_AT..TAR_MAGIC_AT + 5)
        .is_some_and(|m| m == b"ustar")
}

/// A zstd skippable frame (`50 2A 4D 18` to `5F 2A 4D 18`), which may start a zstd file.
fn skippable_frame(bytes: &[u8]) -> bool {
    bytes.len() >= 4 && bytes[0] & 0xF0 == 0x50 && bytes[1..4] == [0x2A, 0x4D, 0x18]
}

/// A reader of the decompressed data of `raw`, for [`Magic::Zstd`] and [`Magic::Bzip2`].
pub fn decoder(magic: Magic, raw: &[u8]) -> Option<Box<dyn Read + '_>> {
    match magic {
        Magic::Zstd => Some(Box::new(ZstdFrames {
            rest: Some(raw),
            frame: None,
        })),
        // Every stream of a multi-stream file (as `pbzip2` writes), like gzip members.
        Magic::Bzip2 => Some(Box::new(bzip2::read::MultiBzDecoder::new(raw))),
        Magic::Unreadable(_) => None,
    }
}

/// [`decoder`] over a stream (a big file read in pieces).
pub fn stream_decoder<R: BufRead + Send + 'static>(
    magic: Magic,
    src: R,
) -> Option<Box<dyn Read + Send>> {
    match magic {
        Magic::Zstd => Some(Box::new(ZstdFrames {
            rest: Some(src),
            frame: None,
        })),
        Magic::Bzip2 => Some(Box::new(bzip2::bufread::MultiBzDecoder::new(src))),
        Magic::Unreadable(_) => None,
    }
}

/// Every frame of a zstd file, one after another (skippable frames are passed over).
struct ZstdFrames<R: BufRead> {
    /// The input after the frames read (while no frame is being read).
    rest: Option<R>,
    frame: Option<StreamingDecoder<R, ruzstd::decoding::FrameDecoder>>,
}

impl<R: BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(frame) = &mut self.frame {
                let n = frame.read(buf)?;
                if n > 0 || buf.is_empty() {
                    return Ok(n);
                }
                // The frame is done; the next one starts where its reader stopped.
                self.rest = self.frame.take().map(|f| f.into_inner());
                continue;
            }
            let Some(mut src) = self.rest.take() else {
                return Ok(0);
            };
            let head = src.fill_buf()?;
            if head.is_empty() {
                return Ok(0);
            }
            if skippable_frame(head) {
                // The 8-byte header, then as many bytes of data as it says.
                let mut header = [0u8; 8];
                src.read_exact(&mut header)?;
                let length = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
                io::copy(&mut (&mut src).take(u64::from(length)), &mut io::sink())?;
                self.rest = Some(src);
                continue;
            }
            match StreamingDecoder::new(src) {
                Ok(frame) => self.frame = Some(frame),
                Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_what_it_cannot_read() {
        let cases: [(&[u8], &str); 6] = [
            (b"PK\x03\x04\x14\x00rest", "a zip archive"),
            (b"7z\xBC\xAF\x27\x1C\x00\x04", "a 7z archive"),
            (b"\xFD7zXZ\x00\x00", "xz-compressed"),
            (b"\x04\x22\x4D\x18\x64", "lz4-compressed"),
            (b"\xFF\x06\x00\x00sNaPpY\x01", "Snappy-compressed"),
            (b"PAR1\x15\x04", "a Parquet file"),
        ];
        for (bytes, want) in cases {
            match sniff(bytes) {
                Some(Magic::Unreadable(what)) => assert!(what.starts_with(want), "{what}"),
                other => panic!("{bytes:?}: {other:?}"),
            }
        }
        let mut tar = vec![0u8; 512];
        tar[..8].copy_from_slice(b"log.json");
        tar[257..263].copy_from_slice(b"ustar\0");
        assert!(matches!(sniff(&tar), Some(Magic::Unreadable(w)) if w.starts_with("a tar")));
        for text in [
            &b"{\"Records\":[]}"[..],
            b"",
            b"PK",
            b"BZh0",
            b"2024-03-09T",
        ] {
            assert_eq!(sniff(text), None, "{text:?}");
        }
        assert_eq!(sniff(b"BZh91AY&SY"), Some(Magic::Bzip2));
        assert_eq!(sniff(&[0x28, 0xB5, 0x2F, 0xFD, 0]), Some(Magic::Zstd));
    }

    fn read_all(magic: Magic, raw: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        decoder(magic, raw).unwrap().read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn zstd_frames_and_skippable_frames() {
        // `printf '{"a":1}\n' | zstd -c` and `printf '{"b":2}\n' | zstd -c`, by the zstd CLI
        // (v1.5.4): each a frame with a content checksum.
        const A: &[u8] =
            b"\x28\xb5\x2f\xfd\x04\x58\x41\x00\x00\x7b\x22\x61\x22\x3a\x31\x7d\x0a\xe2\xef\xec\xe0";
        const B: &[u8] =
            b"\x28\xb5\x2f\xfd\x04\x58\x41\x00\x00\x7b\x22\x62\x22\x3a\x32\x7d\x0a\x04\xee\x57\xc0";
        assert_eq!(read_all(Magic::Zstd, A).unwrap(), b"{\"a\":1}\n");
        // Two frames, with a skippable frame (4 bytes of data) before and between them.
        let skip: &[u8] = b"\x50\x2a\x4d\x18\x04\x00\x00\x00meta";
        let all = [skip, A, skip, B].concat();
        assert_eq!(sniff(&all), Some(Magic::Zstd));
        assert_eq!(
            read_all(Magic::Zstd, &all).unwrap(),
            b"{\"a\":1}\n{\"b\":2}\n"
        );
        // Cut short: an error after what came before.
        let mut d = decoder(Magic::Zstd, &all[..all.len() - 6]).unwrap();
        let mut out = Vec::new();
        assert!(d.read_to_end(&mut out).is_err());
        assert_eq!(out, b"{\"a\":1}\n");
    }

    #[test]
    fn bzip2_streams() {
        use std::io::Write;
        let bz = |data: &[u8]| {
            let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        };
        let two = [bz(b"{\"a\":1}\n"), bz(b"{\"b\":2}\n")].concat();
        assert_eq!(sniff(&two), Some(Magic::Bzip2));
        assert_eq!(
            read_all(Magic::Bzip2, &two).unwrap(),
            b"{\"a\":1}\n{\"b\":2}\n"
        );
    }
}
