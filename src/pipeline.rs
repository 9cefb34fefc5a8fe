//! The parallel pass over the inputs, shared by every command: each rayon task loads files with
//! its own reusable buffers and folds their records into its own accumulator; accumulators are
//! merged at the end. Reading a format is a [`Reader`]; what to count is its accumulator.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

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
    let bar = progress_bar(sources.len(), opts.progress);
    let (acc, mut reports) = sources
        .par_iter()
        .enumerate()
        .fold(
            || (reader.new_acc(), Vec::new(), Loader::default()),
            |(mut acc, mut reports, mut loader), (i, src)| {
                let report = read_one(reader, &mut acc, &mut loader, src, opts.max_bytes);
                reports.push((i, report));
                bar.inc(1);
                (acc, reports, loader)
            },
        )
        .map(|(acc, reports, _)| (acc, reports))
        .reduce(
            || (reader.new_acc(), Vec::new()),
            |(mut a, mut ra), (b, rb)| {
                a.merge(b);
                ra.extend(rb);
                (a, ra)
            },
        );
    bar.finish_and_clear();
    reports.sort_unstable_by_key(|(i, _)| *i);
    (acc, reports.into_iter().map(|(_, r)| r).collect())
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
