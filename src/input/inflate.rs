//! The fast path for gzip: a whole single-member file inflated in one call by libdeflate, into
//! a buffer sized from the gzip trailer. libdeflate is the fastest inflater available (and
//! checks the CRC-32 with carry-less multiplication); it cannot stream, so anything it does
//! not take whole and exactly (multi-member files, damaged or truncated data, sizes past the
//! cap) is left to the streaming decoder, which recovers what it can.

use std::ptr::NonNull;

use libdeflate_sys::{
    libdeflate_alloc_decompressor, libdeflate_decompressor, libdeflate_free_decompressor,
    libdeflate_gzip_decompress_ex, libdeflate_result_LIBDEFLATE_SUCCESS,
};

/// A libdeflate decompressor, reused for every file a thread reads.
pub struct Inflater(NonNull<libdeflate_decompressor>);

// The decompressor is plain heap state with no thread affinity; it is used by one thread at a
// time through `&mut self`.
unsafe impl Send for Inflater {}

impl std::fmt::Debug for Inflater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Inflater")
    }
}

impl Inflater {
    /// A new decompressor; `None` only when libdeflate cannot allocate one.
    pub fn new() -> Option<Self> {
        // SAFETY: no preconditions; a null return means allocation failed.
        NonNull::new(unsafe { libdeflate_alloc_decompressor() }).map(Inflater)
    }

    /// Inflates `gz` into `out` (cleared first) when it is exactly one gzip member whose size,
    /// from its trailer, is at most `max` bytes. Returns false, with `out` empty, otherwise.
    pub fn whole_member(&mut self, gz: &[u8], out: &mut Vec<u8>, max: u64) -> bool {
        out.clear();
        if gz.len() < 18 {
            return false;
        }
        let size = u32::from_le_bytes([
            gz[gz.len() - 4],
            gz[gz.len() - 3],
            gz[gz.len() - 2],
            gz[gz.len() - 1],
        ]);
        let size = size as usize;
        if size as u64 > max {
            return false;
        }
        out.reserve(size.max(1));
        let (mut used_in, mut used_out) = (0usize, 0usize);
        // SAFETY: `gz` is valid for reads of its length; `out` has capacity for at least
        // `size` bytes past its (zero) length, and libdeflate writes at most `size` bytes there.
        let ret = unsafe {
            libdeflate_gzip_decompress_ex(
                self.0.as_ptr(),
                gz.as_ptr().cast(),
                gz.len(),
                out.as_mut_ptr().cast(),
                size,
                &mut used_in,
                &mut used_out,
            )
        };
        if ret != libdeflate_result_LIBDEFLATE_SUCCESS || used_in != gz.len() || used_out != size {
            return false;
        }
        // SAFETY: libdeflate initialised exactly `used_out` (= `size`) bytes.
        unsafe { out.set_len(used_out) };
        true
    }
}

impl Drop for Inflater {
    fn drop(&mut self) {
        // SAFETY: allocated by libdeflate_alloc_decompressor and freed once.
        unsafe { libdeflate_free_decompressor(self.0.as_ptr()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn whole_single_member_only() {
        let mut inf = Inflater::new().unwrap();
        let mut out = Vec::new();
        let data = b"hello, kinesis ".repeat(1000);
        let one = gz(&data);
        assert!(inf.whole_member(&one, &mut out, u64::MAX));
        assert_eq!(out, data);
        // Two members whose sizes are equal: libdeflate alone would stop after the first.
        let mut two = one.clone();
        two.extend_from_slice(&one);
        assert!(!inf.whole_member(&two, &mut out, u64::MAX));
        assert!(out.is_empty());
        // Truncated, damaged, over the cap, empty content.
        assert!(!inf.whole_member(&one[..one.len() - 1], &mut out, u64::MAX));
        let mut bad = one.clone();
        bad[20] ^= 0xff;
        assert!(!inf.whole_member(&bad, &mut out, u64::MAX));
        assert!(!inf.whole_member(&one, &mut out, 100));
        assert!(inf.whole_member(&gz(b""), &mut out, 100));
        assert!(out.is_empty());
    }
}
