//! CloudTrail as an input of the parallel pass: which files to pass over, how the records of a
//! decoded file (or of a piece of a big one) reach the accumulator of whatever is computed from
//! them, and how what was found is reported per file.

use super::fast::FastRecord;
use super::{DocReport, Layout, RawRecord, Record, RecordSink, Skip, parse_text};
use crate::diag::{FileReport, FileStatus};
use crate::input::Source;
use crate::input::json::{describe_damage, place_words};
use crate::pipeline::{Merge, Part, Reader};
use crate::text::plural;

/// What a pass computes from CloudTrail records: a fresh accumulator per worker thread, and
/// how one record is counted into it.
pub trait RecordQuery: Sync {
    /// Per-thread state the records are counted into.
    type Acc: Merge + Send;

    /// A fresh accumulator.
    fn new_acc(&self) -> Self::Acc;

    /// Counts one record into `acc`, or refuses it as malformed with the reason (it then counts
    /// as a skipped record of its file). `path_account` is the account in the S3 key of the
    /// record's file, for records that do not name theirs ([`crate::account`]).
    fn add(
        &self,
        acc: &mut Self::Acc,
        record: &impl Record,
        path_account: &str,
    ) -> Result<(), Skip>;
}

/// Reads CloudTrail inputs, in every layout, for the query `Q`.
#[derive(Debug)]
pub struct CloudTrailReader<'q, Q> {
    /// What to compute.
    pub query: &'q Q,
}

struct Sink<'a, Q: RecordQuery> {
    query: &'a Q,
    acc: &'a mut Q::Acc,
    path_account: &'a str,
}

impl<Q: RecordQuery> RecordSink for Sink<'_, Q> {
    fn record(&mut self, rec: &RawRecord<'_>) -> Result<(), Skip> {
        self.query.add(self.acc, rec, self.path_account)
    }
    fn fast_record(&mut self, rec: &FastRecord<'_>) -> Result<(), Skip> {
        self.query.add(self.acc, rec, self.path_account)
    }
}

impl<Q: RecordQuery> Reader for CloudTrailReader<'_, Q> {
    type Acc = Q::Acc;
    type Part = CloudTrailPart;

    fn new_acc(&self) -> Q::Acc {
        self.query.new_acc()
    }

    fn ignore(&self, src: &Source) -> Option<&'static str> {
        let path = src.path()?.to_string_lossy();
        if path.contains("CloudTrail-Digest") {
            Some("digest")
        } else if path.contains("CloudTrail-Insight") {
            Some("Insights")
        } else {
            None
        }
    }

    fn split_keys(&self) -> &'static [&'static str] {
        // A top-level object with either key is an envelope, never a record itself, and each
        // element of its array is read on its own (a record, or a lookup-events entry).
        &["Records", "Events"]
    }

    fn line_based(&self, head: &str) -> bool {
        // A CloudWatch Logs export: `<timestamp> <event JSON>` lines.
        super::parse::is_export(head)
    }

    fn read_text(
        &self,
        acc: &mut Q::Acc,
        file: &str,
        text: &str,
        continued: bool,
    ) -> CloudTrailPart {
        let path_account = crate::account::from_path(file);
        let mut sink = Sink {
            query: self.query,
            acc,
            path_account: &path_account,
        };
        let doc = parse_text(text, continued, &mut sink);
        CloudTrailPart::new(doc, text)
    }

    fn finish(&self, part: CloudTrailPart, report: &mut FileReport) {
        let CloudTrailPart {
            doc,
            firsts,
            unshown_damage,
        } = part;
        match doc.layout {
            // An input of digests only is passed over. One whose first value is a digest but
            // that holds records too (`zcat */*.json.gz | kinesis-insights events -`, digests
            // among the logs) is read like one whose digest comes after its records: the
            // summary does not depend on the order.
            Some(Layout::Digest) if doc.records == 0 && doc.skipped.is_empty() => {
                report.status = FileStatus::Ignored("digest");
                return;
            }
            Some(Layout::Empty) => report.warnings.push("empty file".into()),
            None if doc.records == 0 && doc.skipped.is_empty() => {
                let why = doc
                    .damage
                    .first()
                    .map_or_else(|| "not JSON".into(), |d| d.to_string());
                report.status = FileStatus::Failed(format!("not a CloudTrail file: {why}"));
                return;
            }
            _ => {}
        }
        report
            .warnings
            .extend(describe_damage(&doc.damage, unshown_damage));
        for ((why, n, _), first) in doc.skipped.iter().zip(&firsts) {
            report.warnings.push(format!(
                "{n} record{} skipped: {why} (first at {})",
                plural(n),
                first.describe()
            ));
        }
        // A damaged place cost at least one record (but a comma missing between two records:
        // none); how many more cannot be known.
        report.records = doc.records;
        report.skipped_records = (doc.skipped.total() + doc.damage.len() as u64 + unshown_damage)
            .saturating_sub(doc.intact);
        report.ignored_records = doc.control_messages;
    }
}

/// What reading CloudTrail text found: the document report, with the first place of each skip
/// reason as a line and column (so the places of a file read in pieces can be moved to the
/// file's lines).
#[derive(Debug, Default)]
pub struct CloudTrailPart {
    doc: DocReport,
    /// The first place of each reason of `doc.skipped`, in its order.
    firsts: Vec<Position>,
    /// Damaged places beyond those in `doc.damage`.
    unshown_damage: u64,
}

/// A place as a line, column and array index.
#[derive(Debug, Clone, Copy)]
struct Position {
    line: usize,
    column: usize,
    index: Option<(&'static str, u64)>,
}

impl Position {
    /// As `cloudtrail::Place::describe` says it.
    fn describe(&self) -> String {
        place_words(self.line, self.column, self.index, "")
    }
}

impl CloudTrailPart {
    /// True when the text was CloudTrail in some layout (records, skipped records, a digest,
    /// an empty file), not something else.
    pub fn recognised(&self) -> bool {
        self.doc.layout.is_some() || self.doc.records > 0 || !self.doc.skipped.is_empty()
    }

    fn new(doc: DocReport, text: &str) -> Self {
        let firsts = doc
            .skipped
            .iter()
            .map(|(_, _, place)| {
                let before = text
                    .as_bytes()
                    .get(..place.value)
                    .unwrap_or(text.as_bytes());
                let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
                Position {
                    line: memchr::memchr_iter(b'\n', before).count() + 1,
                    column: before.len() - line_start + 1,
                    index: place.index,
                }
            })
            .collect();
        CloudTrailPart {
            doc,
            firsts,
            unshown_damage: 0,
        }
    }
}

impl Part for CloudTrailPart {
    fn join(&mut self, next: Self) {
        // A reason already seen keeps its first place; a new one comes with its own.
        for ((why, _, _), first) in next.doc.skipped.iter().zip(next.firsts) {
            if !self.doc.skipped.iter().any(|(w, _, _)| w == why) {
                self.firsts.push(first);
            }
        }
        self.doc.join(next.doc);
        self.unshown_damage += next.unshown_damage;
    }

    fn damage_mut(&mut self) -> &mut Vec<crate::input::json::Damage> {
        &mut self.doc.damage
    }

    fn positions(&mut self, each: &mut dyn FnMut(&mut usize, &mut usize, Option<&mut u64>)) {
        for d in &mut self.doc.damage {
            each(&mut d.line, &mut d.column, d.index.as_mut().map(|(_, i)| i));
        }
        for p in &mut self.firsts {
            each(&mut p.line, &mut p.column, p.index.as_mut().map(|(_, i)| i));
        }
    }

    fn add_unshown_damage(&mut self, n: u64) {
        self.unshown_damage += n;
    }
}
