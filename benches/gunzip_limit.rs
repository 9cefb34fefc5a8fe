//! The physical limit of the benchmark: reads every file under the given paths and gunzips it,
//! in parallel on all cores, with the fastest decompressor at hand (libdeflate for a whole
//! single-member file, zlib-rs streaming for the rest), and does nothing else. Prints the files,
//! the decompressed bytes and the time.
//!
//! `cargo run --release --example gunzip-limit -- DIR...`

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

fn walk(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for e in entries {
            walk(&e, out);
        }
    } else {
        out.push(p.to_path_buf());
    }
}

fn gunzip(raw: &[u8], out: &mut Vec<u8>, d: &mut libdeflater::Decompressor) -> usize {
    if raw.len() < 18 || raw[0] != 0x1f || raw[1] != 0x8b {
        return raw.len();
    }
    let isize = u32::from_le_bytes(raw[raw.len() - 4..].try_into().unwrap()) as usize;
    out.clear();
    out.resize(isize, 0);
    match d.gzip_decompress(raw, out) {
        Ok(n) if n == isize => n,
        _ => {
            out.clear();
            flate2::read::MultiGzDecoder::new(raw)
                .read_to_end(out)
                .unwrap_or(0)
        }
    }
}

fn main() {
    let mut files = Vec::new();
    for a in std::env::args().skip(1) {
        walk(Path::new(&a), &mut files);
    }
    let start = Instant::now();
    let total: usize = files
        .par_iter()
        .map_init(
            || (Vec::new(), Vec::new(), libdeflater::Decompressor::new()),
            |(raw, out, d), f| {
                raw.clear();
                std::fs::File::open(f)
                    .and_then(|mut h| h.read_to_end(raw))
                    .unwrap();
                gunzip(raw, out, d)
            },
        )
        .sum();
    let secs = start.elapsed().as_secs_f64();
    println!("{} files, {} bytes, {:.3} s", files.len(), total, secs);
}
