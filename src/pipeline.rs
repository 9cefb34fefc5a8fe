//! The parallel pass over the inputs, shared by every command: each worker thread loads files
//! with its own reusable buffers and folds their records into its own accumulator; the
//! accumulators are merged at the end. Reading a format is a [`Reader`]; what to count is its accumulator.

use std::io::IsTerminal;

use std::cell::RefCell;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use thread_local::ThreadLocal;

use crate::diag::{FileReport, FileStatus};
use crate::input::Source;
use crate::input::decode::Loader;

/// An accumulator that can absorb another of its kind. Merging must not depend on order: any
/// split of the input, merged, gives the single-pass result.
pub trait Merge {
    /// Folds `other` into `self`.
    fn merge(&mut self, other: Self);
}

/// One input format: how to recognise files to pass over and how to read a decoded file.
pub trait Reader: Sync {
    /// Per-thread state the records are counted into.
    type Acc: Merge + Send;

    /// A fresh accumulator.
    fn new_acc(&self) -> Self::Acc;

    /// A reason to pass over `src` without reading it (e.g. `"digest"`), judged by its path.
    fn ignore(&self, _src: &Source) -> Option<&'static str> {
        None
    }

    /// Reads one decoded input into `acc`, noting counts and problems in `report`.
    fn read(&self, acc: &mut Self::Acc, text: &str, report: &mut FileReport);
}

/// Settings of a pass.
#[derive(Debug, Clone, Copy)]
pub struct PassOptions {
    /// Largest decompressed size of one input.
    pub max_bytes: u64,
    /// Show a progress bar (only drawn when stderr is a terminal).
    pub progress: bool,
}

/// Inputs from which a progress bar is worth drawing.
const PROGRESS_MIN_FILES: usize = 64;

/// Reads every source with `reader`, in parallel on the current rayon pool. Returns the merged
/// accumulator and one report per source, in the order of `sources`.
pub fn run<R: Reader>(
    reader: &R,
    sources: &[Source],
    opts: PassOptions,
) -> (R::Acc, Vec<FileReport>) {
    // One accumulator (and one set of buffers) per worker thread, not per rayon split: a split
    // per chunk of files would hold as many copies of the aggregate as there are chunks.
    let per_thread: ThreadLocal<RefCell<(R::Acc, Loader)>> = ThreadLocal::new();
    let bar = progress_bar(sources.len(), opts.progress);
    let reports: Vec<FileReport> = sources
        .par_iter()
        .map(|src| {
            let cell = per_thread.get_or(|| RefCell::new((reader.new_acc(), Loader::default())));
            let mut state = cell.borrow_mut();
            let (acc, loader) = &mut *state;
            let report = read_one(reader, acc, loader, src, opts.max_bytes);
            bar.inc(1);
            report
        })
        .collect();
    bar.finish_and_clear();
    let mut accs = per_thread.into_iter().map(|cell| cell.into_inner().0);
    let mut acc = accs.next().unwrap_or_else(|| reader.new_acc());
    for other in accs {
        acc.merge(other);
    }
    (acc, reports)
}

fn read_one<R: Reader>(
    reader: &R,
    acc: &mut R::Acc,
    loader: &mut Loader,
    src: &Source,
    max_bytes: u64,
) -> FileReport {
    let mut report = FileReport::new(src.to_string());
    if let Some(why) = reader.ignore(src) {
        report.status = FileStatus::Ignored(why);
        return report;
    }
    match loader.load(src, max_bytes) {
        Err(e) => report.status = FileStatus::Failed(e.to_string()),
        Ok(loaded) => {
            report.warnings.extend(loaded.warnings);
            reader.read(acc, loaded.text, &mut report);
        }
    }
    report
}

fn progress_bar(len: usize, wanted: bool) -> ProgressBar {
    if !wanted || len < PROGRESS_MIN_FILES || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} {pos}/{len} files [{bar:30}] {elapsed} (eta {eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
