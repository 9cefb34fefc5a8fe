//! Diagnostics: what happened to each input, the end-of-run summary, and the exit status.
//!
//! A file that cannot be read is a warning naming it, not a fatal error; the run goes on and the
//! exit status tells scripts that something was skipped. Warnings are printed after the pass,
//! in path order, so runs are reproducible whatever the thread count.

use std::fmt::Write as _;
use std::io;
use std::process::ExitCode;

use crate::text::plural;

/// Exit status: every input was read.
pub const EXIT_OK: u8 = 0;
/// Exit status: results were printed, but some input (files or records) was skipped.
pub const EXIT_PARTIAL: u8 = 1;
/// Exit status: nothing useful could be done (bad arguments, no readable input, bad database).
pub const EXIT_FATAL: u8 = 2;
/// Exit status: `health --fail-on` found a problem of that severity or worse.
pub const EXIT_FINDINGS: u8 = 3;

/// How a run ended, before it becomes an exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything was read.
    Clean,
    /// Results printed; some input skipped.
    Partial,
    /// Results printed; `health --fail-on` found a problem at its level.
    Findings,
}

impl From<Outcome> for ExitCode {
    fn from(o: Outcome) -> Self {
        ExitCode::from(match o {
            Outcome::Clean => EXIT_OK,
            Outcome::Partial => EXIT_PARTIAL,
            Outcome::Findings => EXIT_FINDINGS,
        })
    }
}

/// What became of one input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileStatus {
    /// Read (possibly with warnings).
    Read,
    /// Recognised and deliberately not read (digest, Insights).
    Ignored(&'static str),
    /// Could not be read at all.
    Failed(String),
}

/// The record of one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    /// The input, as shown to the user.
    pub name: String,
    /// What became of it.
    pub status: FileStatus,
    /// Records read from it.
    pub records: u64,
    /// Records skipped as malformed (wrong shape, missing fields, damaged JSON).
    pub skipped_records: u64,
    /// Values recognised and passed over on purpose, not lost (CloudWatch Logs control
    /// messages).
    pub ignored_records: u64,
    /// Problems worth a warning even though the file was read.
    pub warnings: Vec<String>,
}

impl FileReport {
    /// A report for `name` with nothing read yet.
    pub fn new(name: String) -> Self {
        Self {
            name,
            status: FileStatus::Read,
            records: 0,
            skipped_records: 0,
            ignored_records: 0,
            warnings: Vec::new(),
        }
    }

    /// True when this input lost data.
    pub fn lost_data(&self) -> bool {
        matches!(self.status, FileStatus::Failed(_)) || self.skipped_records > 0
    }
}

/// File-level totals for the summary.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FileTotals {
    /// Files read.
    pub read: u64,
    /// Files ignored on purpose, by reason.
    pub ignored: Vec<(&'static str, u64)>,
    /// Files that could not be read.
    pub failed: u64,
    /// Records read.
    pub records: u64,
    /// Records skipped.
    pub skipped_records: u64,
    /// Values passed over on purpose (see [`FileReport::ignored_records`]).
    pub ignored_records: u64,
    /// Files that lost some records but were otherwise read.
    pub partial: u64,
}

impl FileTotals {
    /// Totals over `reports`.
    pub fn of(reports: &[FileReport]) -> Self {
        let mut t = FileTotals::default();
        for r in reports {
            match &r.status {
                FileStatus::Read => t.read += 1,
                FileStatus::Failed(_) => t.failed += 1,
                FileStatus::Ignored(why) => match t.ignored.iter_mut().find(|(w, _)| w == why) {
                    Some((_, n)) => *n += 1,
                    None => t.ignored.push((why, 1)),
                },
            }
            if r.status == FileStatus::Read && r.skipped_records > 0 {
                t.partial += 1;
            }
            t.records += r.records;
            t.skipped_records += r.skipped_records;
            t.ignored_records += r.ignored_records;
        }
        t
    }

    /// One line such as `files: 12 read (1 partly), 3 digest ignored, 1 failed`.
    pub fn describe(&self) -> String {
        let mut s = format!("files: {} read", self.read);
        if self.partial > 0 {
            let _ = write!(s, " ({} partly)", self.partial);
        }
        for (why, n) in &self.ignored {
            let _ = write!(s, ", {n} {why} ignored");
        }
        if self.failed > 0 {
            let _ = write!(s, ", {} failed", self.failed);
        }
        s
    }
}

/// The warning lines for the reports, one or more per problem file, in report order: raw text,
/// sanitised once where it is printed.
pub fn warnings(reports: &[FileReport]) -> Vec<String> {
    let mut out = Vec::new();
    for r in reports {
        let name = &r.name;
        if let FileStatus::Failed(why) = &r.status {
            out.push(format!("{name}: skipped: {why}"));
        }
        for w in &r.warnings {
            out.push(format!("{name}: {w}"));
        }
        if r.status == FileStatus::Read && r.skipped_records > 0 {
            out.push(format!(
                "{name}: {} record{} skipped, {} read",
                r.skipped_records,
                plural(r.skipped_records),
                r.records
            ));
        }
    }
    out
}

/// An I/O error in words, without Rust's `(os error N)` noise.
pub fn io_reason(e: &io::Error) -> String {
    let s = match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        io::ErrorKind::IsADirectory => "is a directory".to_string(),
        io::ErrorKind::NotADirectory => "is not a directory".to_string(),
        io::ErrorKind::StorageFull => "no space left on device".to_string(),
        _ => e.to_string(),
    };
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// The reason of the first I/O error in `err`'s chain (also inside a CSV error), in words.
fn io_reason_in(err: &anyhow::Error) -> Option<String> {
    err.chain().find_map(|e| {
        e.downcast_ref::<io::Error>().map(io_reason).or_else(|| {
            e.downcast_ref::<csv::Error>().and_then(|c| match c.kind() {
                csv::ErrorKind::Io(io) => Some(io_reason(io)),
                _ => None,
            })
        })
    })
}

/// An error writing results to standard output, saying so (`cannot write to standard output:
/// no space left on device`); a closed pipe stays as it is, to exit quietly.
pub fn stdout_error(err: anyhow::Error) -> anyhow::Error {
    if is_broken_pipe(&err) {
        return err;
    }
    match io_reason_in(&err) {
        Some(reason) => anyhow::anyhow!("cannot write to standard output: {reason}"),
        None => err.context("cannot write to standard output"),
    }
}

/// True when `err` (or anything in its chain) is a closed output pipe.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
            || e.downcast_ref::<csv::Error>().is_some_and(|c| {
                matches!(c.kind(), csv::ErrorKind::Io(io) if io.kind() == io::ErrorKind::BrokenPipe)
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_and_words() {
        let mut a = FileReport::new("a".into());
        a.records = 10;
        let mut b = FileReport::new("b".into());
        b.records = 3;
        b.skipped_records = 2;
        let mut c = FileReport::new("c".into());
        c.status = FileStatus::Failed("permission denied".into());
        let mut d = FileReport::new("d".into());
        d.status = FileStatus::Ignored("digest");
        let reports = [a, b, c, d];
        let t = FileTotals::of(&reports);
        assert_eq!(
            (t.read, t.failed, t.records, t.skipped_records, t.partial),
            (2, 1, 13, 2, 1)
        );
        assert_eq!(
            t.describe(),
            "files: 2 read (1 partly), 1 digest ignored, 1 failed"
        );
        assert_eq!(
            warnings(&reports),
            [
                "b: 2 records skipped, 3 read",
                "c: skipped: permission denied"
            ]
        );
    }

    #[test]
    fn io_reasons_are_plain() {
        let e = io::Error::from_raw_os_error(2);
        assert_eq!(io_reason(&e), "no such file or directory");
        assert_eq!(
            io_reason(&io::Error::from_raw_os_error(20)),
            "is not a directory"
        );
        assert_eq!(
            io_reason(&io::Error::from_raw_os_error(28)),
            "no space left on device"
        );
        let full = anyhow::Error::from(io::Error::from_raw_os_error(28)).context("writing");
        assert_eq!(
            format!("{:#}", stdout_error(full)),
            "cannot write to standard output: no space left on device"
        );
        let pipe = anyhow::Error::from(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(is_broken_pipe(&stdout_error(pipe)));
    }
}
