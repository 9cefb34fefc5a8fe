//! The Events dashboard's data: which CloudTrail records count (Kinesis only, in the window,
//! through the filters) and the one aggregate, [`EventCube`], that every events panel is a
//! projection of.
//!
//! The cube counts calls grouped by every field a panel shows (region, user, identity type,
//! event name, source address, error code and message, stream) plus per-bucket counts by event
//! name. One hash lookup per record feeds all panels; a new panel over these fields is a new
//! projection and touches nothing here. The same grouping is what a SQL rendering of the panels
//! would `GROUP BY`.

pub mod dedup;

use std::collections::HashMap;
use std::sync::Arc;

use foldhash::fast::RandomState;

use crate::cloudtrail::fast::FastRecord;
use crate::cloudtrail::{
    DocReport, Field, KINESIS_SOURCE, Layout, RawRecord, Record, RecordSink, Skip, parse_text,
};
use crate::diag::{FileReport, FileStatus};
use crate::filter::Matcher;
use crate::group::GroupMap;
use crate::input::Source;
use crate::input::json::describe_damage;
use crate::pipeline::{Merge, Part, Reader};
use crate::text::plural;
use crate::window::{Millis, Window, bucket_start, parse_event_time, union_range, widen_range};

/// Positions of the fields in a [`EventCube::calls`] key.
pub mod key {
    /// `awsRegion`, trimmed.
    pub const REGION: usize = 0;
    /// The `user` by the documented rule.
    pub const USER: usize = 1;
    /// `userIdentity.type`.
    pub const USER_TYPE: usize = 2;
    /// `eventName`, trimmed.
    pub const EVENT_NAME: usize = 3;
    /// `sourceIPAddress`, trimmed.
    pub const SOURCE_IP: usize = 4;
    /// `errorCode`, trimmed (empty for successful calls).
    pub const ERROR_CODE: usize = 5;
    /// `errorMessage`, trimmed.
    pub const ERROR_MESSAGE: usize = 6;
    /// The stream from the request parameters.
    pub const STREAM: usize = 7;
    /// Number of key fields.
    pub const LEN: usize = 8;
}

/// The filters the dashboard offers as template variables.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// `--event-name`.
    pub event_name: Matcher,
    /// `--user` (the derived user).
    pub user: Matcher,
    /// `--source-ip`.
    pub source_ip: Matcher,
    /// `--region`.
    pub region: Matcher,
    /// `--stream`.
    pub stream: Matcher,
}

/// What to count.
#[derive(Debug, Clone)]
pub struct Query {
    /// Only events in this window count.
    pub window: Window,
    /// Only events through these filters count.
    pub filters: Filters,
    /// Width of the over-time buckets.
    pub bucket: Millis,
    /// Only find the time range of the Kinesis events (the first pass of `--relative-to
    /// latest`); nothing is grouped.
    pub scan_only: bool,
    /// With `--dedup`: the event IDs already counted, shared by all threads.
    pub dedup: Option<Arc<dedup::SeenIds>>,
}

impl Query {
    /// Every Kinesis event in `window`, no filters, no dedup, over-time buckets of `bucket`.
    pub fn new(window: Window, bucket: Millis) -> Self {
        Query {
            window,
            filters: Filters::default(),
            bucket,
            scan_only: false,
            dedup: None,
        }
    }
}

/// Counts over all records read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct EventCounts {
    /// Records read, of any service.
    pub records: u64,
    /// Kinesis Data Streams events (before window and filters).
    pub kinesis: u64,
    /// Events of other services (read and ignored).
    pub other_services: u64,
    /// CloudTrail Insights events (ignored).
    pub insights: u64,
    /// Records skipped as malformed: no `eventSource`, or a Kinesis event without a valid
    /// `eventTime` or `eventName`.
    pub malformed: u64,
    /// Kinesis events in the window and through the filters: what the panels count.
    pub matched: u64,
    /// Events left out by `--dedup` because their `eventID` was already counted.
    pub duplicates: u64,
    /// Time range of all Kinesis events.
    pub kinesis_range: Option<(Millis, Millis)>,
    /// Time range of the matched events.
    pub matched_range: Option<(Millis, Millis)>,
}

impl Merge for EventCounts {
    fn merge(&mut self, o: Self) {
        self.records += o.records;
        self.kinesis += o.kinesis;
        self.other_services += o.other_services;
        self.insights += o.insights;
        self.malformed += o.malformed;
        self.matched += o.matched;
        self.duplicates += o.duplicates;
        self.kinesis_range = union_range(self.kinesis_range, o.kinesis_range);
        self.matched_range = union_range(self.matched_range, o.matched_range);
    }
}

/// Counts per bucket start.
pub type BucketCounts = HashMap<Millis, u64, RandomState>;

/// The aggregate of the Events dashboard.
#[derive(Debug, Default, Clone)]
pub struct EventCube {
    /// Matched calls grouped by all [`key`] fields.
    pub calls: GroupMap<{ key::LEN }, u64>,
    /// Matched calls by event name, then bucket start.
    pub over_time: GroupMap<1, BucketCounts>,
    /// Counts over everything read.
    pub counts: EventCounts,
}

impl Merge for EventCube {
    fn merge(&mut self, o: Self) {
        self.calls.merge(o.calls);
        self.over_time.merge_with(o.over_time, |a, b| {
            for (t, n) in b {
                *a.entry(t).or_default() += n;
            }
        });
        self.counts.merge(o.counts);
    }
}

impl EventCube {
    /// Counts one record under `q`; a malformed record is counted as such and refused with
    /// the reason.
    #[inline]
    pub fn add(&mut self, q: &Query, r: &impl Record) -> Result<(), Skip> {
        let c = &mut self.counts;
        c.records += 1;
        if r.field(Field::EventType) == "AwsCloudTrailInsight" {
            c.insights += 1;
            return Ok(());
        }
        let source = r.field(Field::EventSource);
        if source != KINESIS_SOURCE {
            if source.is_empty() {
                c.malformed += 1;
                return Err(Skip::NoEventSource);
            }
            c.other_services += 1;
            return Ok(());
        }
        let name = r.field(Field::EventName);
        let Some(t) = r.get(Field::EventTime).and_then(parse_event_time) else {
            c.malformed += 1;
            return Err(Skip::BadEventTime);
        };
        if name.is_empty() {
            c.malformed += 1;
            return Err(Skip::NoEventName);
        }
        c.kinesis += 1;
        widen_range(&mut c.kinesis_range, t);
        if q.scan_only || !q.window.contains(t) {
            return Ok(());
        }
        let f = &q.filters;
        let (region, user, ip, stream) = (
            r.field(Field::AwsRegion),
            r.user(),
            r.field(Field::SourceIp),
            r.stream(),
        );
        if !(f.event_name.matches(name)
            && f.region.matches(region)
            && f.user.matches(user)
            && f.source_ip.matches(ip)
            && f.stream.matches(stream))
        {
            return Ok(());
        }
        if let Some(seen) = &q.dedup {
            let id = r.field(Field::EventId);
            if !id.is_empty() && !seen.first_time(id) {
                c.duplicates += 1;
                return Ok(());
            }
        }
        c.matched += 1;
        widen_range(&mut c.matched_range, t);
        let k = [
            region,
            user,
            r.identity_type(),
            name,
            ip,
            r.field(Field::ErrorCode),
            r.field(Field::ErrorMessage),
            stream,
        ];
        self.calls.add(k, 1);
        *self
            .over_time
            .entry([name])
            .entry(bucket_start(t, q.bucket))
            .or_default() += 1;
        Ok(())
    }
}

struct CubeSink<'a> {
    query: &'a Query,
    cube: &'a mut EventCube,
}

impl RecordSink for CubeSink<'_> {
    fn record(&mut self, rec: &RawRecord<'_>) -> Result<(), Skip> {
        self.cube.add(self.query, rec)
    }
    fn fast_record(&mut self, rec: &FastRecord<'_>) -> Result<(), Skip> {
        self.cube.add(self.query, rec)
    }
}

/// Reads CloudTrail inputs into an [`EventCube`].
#[derive(Debug)]
pub struct CloudTrailReader<'q> {
    /// What to count.
    pub query: &'q Query,
}

impl Reader for CloudTrailReader<'_> {
    type Acc = EventCube;
    type Part = CloudTrailPart;

    fn new_acc(&self) -> EventCube {
        EventCube::default()
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
        crate::cloudtrail::parse::is_export(head)
    }

    fn read_text(&self, acc: &mut EventCube, text: &str, continued: bool) -> CloudTrailPart {
        let doc = parse_text(
            text,
            continued,
            &mut CubeSink {
                query: self.query,
                cube: acc,
            },
        );
        CloudTrailPart::new(doc, text)
    }

    fn finish(&self, part: CloudTrailPart, report: &mut FileReport) {
        let CloudTrailPart {
            doc,
            firsts,
            unshown_damage,
        } = part;
        match doc.layout {
            Some(Layout::Digest) => {
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
        // A damaged place cost at least one record; how many more cannot be known.
        report.records = doc.records;
        report.skipped_records = doc.skipped.total() + doc.damage.len() as u64 + unshown_damage;
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
        let mut s = if self.column == 1 && self.index.is_none() {
            format!("line {}", self.line)
        } else {
            format!("line {}, column {}", self.line, self.column)
        };
        match self.index {
            Some(("", i)) => s.push_str(&format!(", [{i}]")),
            Some((key, i)) => s.push_str(&format!(", .{key}[{i}]")),
            None => {}
        }
        s
    }
}

impl CloudTrailPart {
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
            each(&mut d.line, &mut d.column, None);
        }
        for p in &mut self.firsts {
            each(&mut p.line, &mut p.column, p.index.as_mut().map(|(_, i)| i));
        }
    }

    fn add_unshown_damage(&mut self, n: u64) {
        self.unshown_damage += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudtrail::parse::parse_record;

    fn query() -> Query {
        Query {
            window: Window::default(),
            filters: Filters::default(),
            bucket: 3_600_000,
            scan_only: false,
            dedup: None,
        }
    }

    fn add_all(q: &Query, recs: &[&str]) -> EventCube {
        let mut cube = EventCube::default();
        for r in recs {
            let _ = cube.add(q, &parse_record(r).unwrap());
        }
        cube
    }

    const KIN: &str = r#"{"eventTime":"2024-03-09T10:00:00Z","eventSource":" kinesis.amazonaws.com ","eventName":"PutRecord ","awsRegion":"us-east-2 ","sourceIPAddress":" 1.2.3.4","userIdentity":{"type":"IAMUser","userName":"alice"},"requestParameters":{"streamName":"orders"}}"#;

    #[test]
    fn classifies_records() {
        let recs = [
            KIN,
            r#"{"eventTime":"2024-03-09T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject"}"#,
            r#"{"eventTime":"2024-03-09T10:00:00Z","eventSource":"kinesis.amazonaws.com","eventName":"PutRecord","eventType":"AwsCloudTrailInsight"}"#,
            r#"{"eventSource":"kinesis.amazonaws.com","eventName":"PutRecord"}"#,
            r#"{"eventTime":"yesterday","eventSource":"kinesis.amazonaws.com","eventName":"PutRecord"}"#,
            r#"{"eventTime":"2024-03-09T10:00:00Z","eventSource":"kinesis.amazonaws.com"}"#,
            r#"{"eventTime":"2024-03-09T10:00:00Z"}"#,
        ];
        let cube = add_all(&query(), &recs);
        let c = &cube.counts;
        assert_eq!(
            (
                c.records,
                c.kinesis,
                c.other_services,
                c.insights,
                c.malformed,
                c.matched
            ),
            (7, 1, 1, 1, 4, 1)
        );
        let rows = cube.calls.sorted();
        assert_eq!(
            rows,
            vec![(
                [
                    "us-east-2",
                    "alice",
                    "IAMUser",
                    "PutRecord",
                    "1.2.3.4",
                    "",
                    "",
                    "orders"
                ]
                .map(String::from),
                1
            )]
        );
    }

    #[test]
    fn window_and_filters() {
        let at = |t: &str, name: &str| {
            KIN.replace("2024-03-09T10:00:00Z", t)
                .replace("PutRecord ", name)
        };
        let recs = [
            at("2024-03-09T09:59:59Z", "A"),
            at("2024-03-09T10:00:00Z", "A"),
            at("2024-03-09T10:59:59.999Z", "B"),
            at("2024-03-09T11:00:00Z", "A"),
        ];
        let refs: Vec<&str> = recs.iter().map(String::as_str).collect();
        let mut q = query();
        q.window = Window {
            since: Some(1_709_978_400_000),
            until: Some(1_709_982_000_000),
        };
        let cube = add_all(&q, &refs);
        assert_eq!((cube.counts.kinesis, cube.counts.matched), (4, 2));
        assert_eq!(
            cube.counts.kinesis_range,
            Some((1_709_978_399_000, 1_709_982_000_000))
        );
        assert_eq!(
            cube.counts.matched_range,
            Some((1_709_978_400_000, 1_709_981_999_999))
        );
        q.filters.event_name = Matcher::new(&["B".to_string()]).unwrap();
        assert_eq!(add_all(&q, &refs).counts.matched, 1);
        q.filters.event_name = Matcher::default();
        q.filters.stream = Matcher::new(&["ord*".to_string()]).unwrap();
        assert_eq!(add_all(&q, &refs).counts.matched, 2);
        q.filters.region = Matcher::new(&["us-west-2".to_string()]).unwrap();
        assert_eq!(add_all(&q, &refs).counts.matched, 0);
    }
}
