//! Stream health: what is wrong with a stream and where, from the same files the dashboards
//! read. CloudWatch exports (every form `metrics` reads, through its reader and its cube) give
//! per-minute use of the shard and stream limits, throttling, failed puts and iterator age;
//! CloudTrail logs in the same paths (recognised by content, read by the CloudTrail reader) give
//! the capacity, mode and retention changes that say what the limits were.
//!
//! This module holds the aggregate and the reader; [`analyze`] turns them into the rows of the
//! `health` panels and the findings of the checks.

pub mod analyze;

use crate::cloudtrail::reader::{CloudTrailPart, CloudTrailReader, RecordQuery};
use crate::cloudtrail::{Damage, Field, Kind, Record, RequestParameters, Skip, kind};
use crate::diag::{FileReport, FileStatus};
use crate::filter::{Matcher, StreamFilter};
use crate::input::Source;
use crate::input::lenient::field;
use crate::metrics::parse::{MetricsPart, MetricsReader, Queries};
use crate::metrics::{MetricsCube, Query};
use crate::pipeline::{Merge, Part, Reader};
use crate::window::{Millis, Window};

/// Per-shard write limit: 1 MiB/s.
pub const SHARD_WRITE_BYTES: u64 = 1_048_576;
/// Per-shard write limit: 1,000 records/s.
pub const SHARD_WRITE_RECORDS: u64 = 1_000;
/// Per-shard read limit (shared by GetRecords consumers): 2 MiB/s.
pub const SHARD_READ_BYTES: u64 = 2_097_152;
/// Per-shard read limit (shared by GetRecords consumers): 5 GetRecords calls a second.
pub const SHARD_READ_CALLS: u64 = 5;
/// Retention of a stream when CloudTrail does not say otherwise: 24 hours.
pub const DEFAULT_RETENTION_HOURS: u64 = 24;
/// The period of Metric Streams datapoints, and of series with a single datapoint.
pub const MINUTE: Millis = 60_000;

/// Metrics of stream-level series that the checks read.
pub const STREAM_METRICS: [&str; 10] = [
    "IncomingBytes",
    "IncomingRecords",
    "GetRecords.Bytes",
    // Its SampleCount is the number of GetRecords calls.
    "GetRecords.Success",
    "WriteProvisionedThroughputExceeded",
    "ReadProvisionedThroughputExceeded",
    "GetRecords.IteratorAgeMilliseconds",
    "PutRecords.FailedRecords",
    "PutRecords.ThrottledRecords",
    "PutRecords.TotalRecords",
];

/// Metrics of shard-level series (enhanced monitoring) that the checks read.
pub const SHARD_METRICS: [&str; 6] = [
    "IncomingBytes",
    "IncomingRecords",
    "OutgoingBytes",
    "WriteProvisionedThroughputExceeded",
    "ReadProvisionedThroughputExceeded",
    "IteratorAgeMilliseconds",
];

/// Metrics of consumer-level series (enhanced fan-out consumers, dimension `ConsumerName`)
/// that the `consumers` panel and the `consumer-lag` check read.
pub const CONSUMER_METRICS: [&str; 4] = [
    "SubscribeToShardEvent.MillisBehindLatest",
    "SubscribeToShardEvent.Records",
    "SubscribeToShardEvent.Bytes",
    "SubscribeToShard.RateExceeded",
];

/// The CloudTrail events of the `changes` panel: capacity, mode, retention, monitoring and
/// consumer changes.
pub const CHANGE_EVENTS: [&str; 12] = [
    "CreateStream",
    "DeleteStream",
    "SplitShard",
    "MergeShards",
    "UpdateShardCount",
    "UpdateStreamMode",
    "IncreaseStreamRetentionPeriod",
    "DecreaseStreamRetentionPeriod",
    "EnableEnhancedMonitoring",
    "DisableEnhancedMonitoring",
    "RegisterStreamConsumer",
    "DeregisterStreamConsumer",
];

/// One change event from CloudTrail, with the parameters that say what changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Change {
    /// `eventTime`.
    pub time: Millis,
    /// `recipientAccountId`, else the account in the file's S3 key.
    pub account: String,
    /// `awsRegion`.
    pub region: String,
    /// The stream (`streamName`, or the name in `streamARN`).
    pub stream: String,
    /// `eventName`.
    pub event_name: String,
    /// The caller, by the `user` rule of the Events dashboard.
    pub user: String,
    /// `errorCode` (empty when the call succeeded).
    pub error_code: String,
    /// `shardCount`.
    pub shard_count: Option<f64>,
    /// `targetShardCount`.
    pub target_shard_count: Option<f64>,
    /// `retentionPeriodHours`.
    pub retention_hours: Option<f64>,
    /// `streamModeDetails.streamMode`.
    pub stream_mode: String,
    /// `shardToSplit`.
    pub shard_to_split: String,
    /// `shardToMerge` and `adjacentShardToMerge`.
    pub shards_to_merge: (String, String),
    /// `shardLevelMetrics`.
    pub shard_level_metrics: Vec<String>,
    /// `consumerName`.
    pub consumer: String,
}

/// Counts of what the CloudTrail inputs held.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TrailCounts {
    /// Kinesis events read.
    pub kinesis: u64,
    /// Events of other services, ignored.
    pub other: u64,
    /// Change events kept (before the window: state needs the history).
    pub changes: u64,
    /// With `--dedup`: Kinesis events left out because their `eventID` was already read.
    pub duplicates: u64,
}

/// The aggregate of `health`: the metrics cube and the change events.
#[derive(Debug, Default, Clone)]
pub struct HealthAcc {
    /// CloudWatch datapoints in one-minute buckets.
    pub cube: MetricsCube,
    /// Change events of the streams through the filters, in no order until [`HealthAcc::sort`].
    pub changes: Vec<Change>,
    /// CloudTrail counts.
    pub trail: TrailCounts,
}

impl Merge for HealthAcc {
    fn merge(&mut self, o: Self) {
        self.cube.merge(o.cube);
        self.changes.extend(o.changes);
        self.trail.kinesis += o.trail.kinesis;
        self.trail.other += o.trail.other;
        self.trail.changes += o.trail.changes;
        self.trail.duplicates += o.trail.duplicates;
    }
}

impl HealthAcc {
    /// Puts the change events in a fixed order (time, then the other fields), so results do
    /// not depend on file order or thread count.
    pub fn sort(&mut self) {
        self.changes.sort_by(|a, b| {
            (
                a.time,
                &a.account,
                &a.region,
                &a.stream,
                &a.event_name,
                &a.user,
                &a.error_code,
            )
                .cmp(&(
                    b.time,
                    &b.account,
                    &b.region,
                    &b.stream,
                    &b.event_name,
                    &b.user,
                    &b.error_code,
                ))
                .then_with(|| format!("{a:?}").cmp(&format!("{b:?}")))
        });
    }

    /// The newest datapoint or change event, for `--relative-to latest`.
    pub fn newest(&self) -> Option<Millis> {
        let metrics = self.cube.counts.range.map(|r| r.1);
        let trail = self.changes.iter().map(|c| c.time).max();
        metrics.max(trail)
    }
}

/// The filters of `health`: `--stream`, `--region` and `--account`, applied alike to metrics
/// and CloudTrail (`--shard` is applied when the panels are built).
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// `--stream`: names, globs and stream ARNs.
    pub streams: StreamFilter,
    /// `--region`.
    pub regions: Matcher,
    /// `--account`.
    pub accounts: Matcher,
}

/// What to read: the metrics query (window, filters, the checks' metrics) and the same
/// filters for CloudTrail.
#[derive(Debug, Clone)]
pub struct HealthQuery {
    /// For the metrics reader.
    pub metrics: Query,
    /// For the CloudTrail reader.
    changes: ChangeQuery,
}

impl HealthQuery {
    /// Datapoints of the checks' metrics in `window`, in one-minute buckets, of the streams,
    /// regions and accounts the filters pass. Shards are filtered when the panels are built, so
    /// shares and stream capacity count every shard.
    pub fn new(window: Window, filters: Filters, scan_only: bool) -> Self {
        HealthQuery {
            metrics: Query {
                streams: filters.streams.clone(),
                regions: filters.regions.clone(),
                accounts: filters.accounts.clone(),
                stream_metrics: STREAM_METRICS.to_vec(),
                shard_metrics: SHARD_METRICS.to_vec(),
                consumer_metrics: CONSUMER_METRICS.to_vec(),
                // The checks read every statistic of their metrics.
                compact: false,
                scan_only,
                ..Query::new(window, MINUTE)
            },
            changes: ChangeQuery {
                filters,
                dedup: None,
            },
        }
    }

    /// `--dedup`: each datapoint counted once per series, statistic and time, and each
    /// CloudTrail event once per `eventID`, the first read winning whichever thread reads it.
    pub fn dedup(&mut self) {
        self.metrics.dedup = Some(Default::default());
        self.changes.dedup = Some(Default::default());
    }
}

/// Reads every input of `health`: CloudWatch exports with the metrics reader, CloudTrail logs
/// with the CloudTrail reader, told apart by content.
#[derive(Debug)]
pub struct HealthReader<'q> {
    /// What to count.
    pub query: &'q HealthQuery,
    /// `--queries`.
    pub queries: Option<&'q Queries>,
    /// Stream and shard of get-metric-statistics output.
    pub statistics_series: Option<(String, String)>,
}

/// Keys only CloudWatch exports have: a text whose start names one is read as metrics first.
const METRIC_KEYS: [&str; 4] = [
    "\"metric_name\"",
    "\"metric_stream_name\"",
    "\"MetricDataResults\"",
    "\"Datapoints\"",
];

/// How much of a file's start is looked at to guess its kind (the guess only decides which
/// reader tries first).
const SNIFF_BYTES: usize = 64 * 1024;

fn looks_like_metrics(text: &str) -> bool {
    // Searchers made once, each led by the rarest bytes of its key: four `str::contains` over
    // the sniffed head cost a sixth of the instructions of a CloudTrail-only run (callgrind).
    static KEYS: std::sync::LazyLock<Vec<memchr::memmem::Finder<'static>>> =
        std::sync::LazyLock::new(|| {
            METRIC_KEYS
                .iter()
                .map(|k| memchr::memmem::Finder::new(k.as_bytes()))
                .collect()
        });
    let head = &text.as_bytes()[..text.len().min(SNIFF_BYTES)];
    KEYS.iter().any(|k| k.find(head).is_some())
}

/// The change events of CloudTrail, as the CloudTrail reader's query: read by the fast path
/// like every Kinesis event; a change event's parameters from the record read whole.
#[derive(Debug, Clone)]
struct ChangeQuery {
    filters: Filters,
    /// With `--dedup`: the event IDs already read, shared by all threads.
    dedup: Option<std::sync::Arc<crate::events::dedup::SeenIds>>,
}

impl RecordQuery for ChangeQuery {
    type Acc = HealthAcc;

    fn new_acc(&self) -> HealthAcc {
        HealthAcc::default()
    }

    fn add(&self, acc: &mut HealthAcc, r: &impl Record, path_account: &str) -> Result<(), Skip> {
        // Read or skipped by the rule `events` reads CloudTrail with, so the same record is a
        // Kinesis event (or skipped, with the same warning) in both.
        let (time, name) = match kind(r)? {
            Kind::Kinesis { time, name } => (time, name),
            Kind::OtherService => {
                acc.trail.other += 1;
                return Ok(());
            }
            Kind::Insight => return Ok(()),
        };
        if let Some(seen) = &self.dedup {
            // An event without an eventID cannot be checked: it counts.
            let id = r.field(Field::EventId);
            if !id.is_empty() && !seen.first_time(id) {
                acc.trail.duplicates += 1;
                return Ok(());
            }
        }
        acc.trail.kinesis += 1;
        if !CHANGE_EVENTS.contains(&name) {
            return Ok(());
        }
        let region = r.field(Field::AwsRegion);
        let stream = r.stream();
        let account = crate::account::of(r.field(Field::RecipientAccountId), path_account);
        let f = &self.filters;
        if !f.streams.matches(stream, account, region)
            || !f.regions.matches(region)
            || !f.accounts.matches(account)
        {
            return Ok(());
        }
        let mut change = Change {
            time,
            account: account.to_string(),
            region: region.to_string(),
            stream: stream.to_string(),
            event_name: name.to_string(),
            user: r.user().to_string(),
            error_code: r.field(Field::ErrorCode).to_string(),
            ..Change::default()
        };
        // The parameters are in the record read whole: the fast path steps over them, so the
        // few change events among the Kinesis events are read again (a record the scan read
        // always is; were it not, the change would keep its name and time without them).
        r.with_whole(|w| {
            if let Some(p) = w.request_parameters.as_ref() {
                parameters(&mut change, p);
            }
        });
        acc.trail.changes += 1;
        acc.changes.push(change);
        Ok(())
    }
}

/// The capacity, mode, retention, monitoring and consumer parameters of a change event.
fn parameters(c: &mut Change, p: &RequestParameters<'_>) {
    let num = |n: &crate::input::lenient::Num| n.0.filter(|v| v.is_finite());
    c.shard_count = num(&p.shard_count);
    c.target_shard_count = num(&p.target_shard_count);
    c.retention_hours = num(&p.retention_period_hours);
    c.stream_mode = p
        .stream_mode_details
        .as_ref()
        .map(|d| field(&d.stream_mode).to_string())
        .unwrap_or_default();
    c.shard_to_split = field(&p.shard_to_split).to_string();
    c.shards_to_merge = (
        field(&p.shard_to_merge).to_string(),
        field(&p.adjacent_shard_to_merge).to_string(),
    );
    c.shard_level_metrics = p
        .shard_level_metrics
        .as_ref()
        .map(|v| {
            v.iter()
                .map(|s| field(s).to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    c.consumer = field(&p.consumer_name).to_string();
}

impl HealthReader<'_> {
    fn metrics(&self) -> MetricsReader<'_> {
        MetricsReader {
            query: &self.query.metrics,
            queries: self.queries,
            statistics_series: self.statistics_series.clone(),
        }
    }

    fn trail(&self) -> CloudTrailReader<'_, ChangeQuery> {
        CloudTrailReader {
            query: &self.query.changes,
        }
    }

    fn read_trail(
        &self,
        acc: &mut HealthAcc,
        file: &str,
        text: &str,
        continued: bool,
    ) -> CloudTrailPart {
        self.trail().read_text(acc, file, text, continued)
    }
}

/// What reading a text (a file, or a piece of a big one) found: with the reader the text
/// suggests, and with the other when that one recognised nothing.
#[derive(Debug, Default)]
pub struct HealthPart {
    metrics: Option<MetricsPart>,
    trail: Option<CloudTrailPart>,
}

fn join_opt<P: Part>(a: &mut Option<P>, b: Option<P>) {
    match (a.as_mut(), b) {
        (Some(x), Some(y)) => x.join(y),
        (None, Some(y)) => *a = Some(y),
        _ => {}
    }
}

impl Part for HealthPart {
    fn join(&mut self, next: Self) {
        join_opt(&mut self.metrics, next.metrics);
        join_opt(&mut self.trail, next.trail);
    }

    fn damage_mut(&mut self) -> &mut Vec<Damage> {
        // The damage of the kind the file is read as: CloudTrail when it recognised the text,
        // else metrics (which says what is wrong with a file of neither kind).
        let trail = self.trail.as_ref().is_some_and(CloudTrailPart::recognised);
        if trail && let Some(t) = &mut self.trail {
            return t.damage_mut();
        }
        self.metrics
            .get_or_insert_with(MetricsPart::default)
            .damage_mut()
    }

    fn positions(&mut self, each: &mut dyn FnMut(&mut usize, &mut usize, Option<&mut u64>)) {
        if let Some(m) = &mut self.metrics {
            m.positions(each);
        }
        if let Some(t) = &mut self.trail {
            t.positions(each);
        }
    }

    fn add_unshown_damage(&mut self, n: u64) {
        // With the damage `damage_mut` gave.
        let trail = self.trail.as_ref().is_some_and(CloudTrailPart::recognised);
        if trail && let Some(t) = &mut self.trail {
            return t.add_unshown_damage(n);
        }
        self.metrics
            .get_or_insert_with(MetricsPart::default)
            .add_unshown_damage(n);
    }
}

fn failure(r: &FileReport) -> Option<&str> {
    match &r.status {
        FileStatus::Failed(why) => Some(why),
        _ => None,
    }
}

impl Reader for HealthReader<'_> {
    type Acc = HealthAcc;
    type Part = HealthPart;

    fn new_acc(&self) -> HealthAcc {
        HealthAcc::default()
    }

    fn ignore(&self, src: &Source) -> Option<&'static str> {
        self.trail().ignore(src)
    }

    fn split_keys(&self) -> &'static [&'static str] {
        // CloudTrail's and get-metric-data's arrays of items each read on their own.
        &["Records", "Events", "MetricDataResults"]
    }

    fn line_based(&self, head: &str) -> bool {
        crate::cloudtrail::parse::is_export(head)
    }

    fn read_text(
        &self,
        acc: &mut HealthAcc,
        file: &str,
        text: &str,
        continued: bool,
    ) -> HealthPart {
        // Whichever reader the text suggests tries first; a text it does not recognise at all
        // (nothing read, nothing counted) goes to the other.
        let mut part = HealthPart::default();
        if looks_like_metrics(text) {
            let m = self
                .metrics()
                .read_text(&mut acc.cube, file, text, continued);
            if !m.recognised() {
                part.trail = Some(self.read_trail(acc, file, text, continued));
            }
            part.metrics = Some(m);
        } else {
            let t = self.read_trail(acc, file, text, continued);
            if !t.recognised() {
                part.metrics = Some(
                    self.metrics()
                        .read_text(&mut acc.cube, file, text, continued),
                );
            }
            part.trail = Some(t);
        }
        part
    }

    fn finish(&self, part: HealthPart, report: &mut FileReport) {
        // The file is of the kind that recognised something in it.
        let (metrics, trail) = match (part.metrics, part.trail) {
            (Some(m), _) if m.recognised() => return self.metrics().finish(m, report),
            (_, Some(t)) if t.recognised() => return self.trail().finish(t, report),
            other => other,
        };
        // Neither: an empty file is said once; else both readers' reasons.
        let mut m_report = FileReport::new(report.name.clone());
        if let Some(m) = metrics {
            self.metrics().finish(m, &mut m_report);
        }
        let mut t_report = FileReport::new(report.name.clone());
        if let Some(t) = trail {
            self.trail().finish(t, &mut t_report);
        }
        match (failure(&m_report), failure(&t_report)) {
            (Some(m), Some(t)) => {
                report.status = FileStatus::Failed(format!(
                    "neither CloudWatch metrics ({m}) nor CloudTrail ({t})"
                ));
            }
            (None, _) if m_report.warnings.iter().any(|w| w == "empty file") => *report = m_report,
            (_, None) => *report = t_report,
            (None, Some(_)) => *report = m_report,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Change events are read on the fast path (as every CloudTrail record of the dashboards)
    /// and their parameters from the record read again whole: the same changes as the serde
    /// path reads, whatever the escapes, numbers and nesting of `requestParameters`.
    #[test]
    fn change_events_read_alike_on_both_paths() {
        use crate::cloudtrail::{RawRecord, RecordSink, parse_document_serde};
        struct Sink<'q>(&'q ChangeQuery, HealthAcc);
        impl RecordSink for Sink<'_> {
            fn record(&mut self, r: &RawRecord<'_>) -> Result<(), Skip> {
                self.0.add(&mut self.1, r, "999988887777")
            }
            fn fast_record(
                &mut self,
                r: &crate::cloudtrail::fast::FastRecord<'_>,
            ) -> Result<(), Skip> {
                self.0.add(&mut self.1, r, "999988887777")
            }
        }
        let rec = |name: &str, params: &str, extra: &str| {
            format!(
                r#"{{"eventTime":"2024-05-06T10:00:00Z","eventSource":"kinesis.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","userIdentity":{{"type":"IAMUser","userName":"ops"}},"requestParameters":{params}{extra}}}"#
            )
        };
        let arn = "arn:aws:kinesis:us-east-1:111122223333:stream/orders";
        let records = [
            rec(
                "CreateStream",
                r#"{"streamName":"ord\u0065rs","shardCount":2e0,"streamModeDetails":{"streamMode":"PROVISIONED"},"tags":{"a":[1,{"b":null}]}}"#,
                r#","recipientAccountId":"111122223333""#,
            ),
            rec(
                "UpdateShardCount",
                r#"{"streamName":"orders","targetShardCount":4,"scalingType":"UNIFORM_SCALING"}"#,
                r#","errorCode":"LimitExceededException""#,
            ),
            rec(
                "SplitShard",
                r#"{"streamName":"orders","shardToSplit":"shardId-000000000000","newStartingHashKey":"1"}"#,
                "",
            ),
            rec(
                "MergeShards",
                r#"{"streamName":"orders","shardToMerge":"shardId-000000000001","adjacentShardToMerge":"shardId-000000000002"}"#,
                "",
            ),
            rec(
                "UpdateStreamMode",
                &format!(
                    r#"{{"streamARN":"{arn}","streamModeDetails":{{"streamMode":"ON_DEMAND"}}}}"#
                ),
                "",
            ),
            rec(
                "IncreaseStreamRetentionPeriod",
                &format!(r#"{{"streamARN":"{arn}","retentionPeriodHours":48}}"#),
                "",
            ),
            rec(
                "EnableEnhancedMonitoring",
                r#"{"streamName":"orders","shardLevelMetrics":["IncomingBytes"," OutgoingBytes ",7]}"#,
                "",
            ),
            rec(
                "RegisterStreamConsumer",
                &format!(r#"{{"streamARN":"{arn}","consumerName":"app"}}"#),
                "",
            ),
            rec(
                "PutRecords",
                r#"{"streamName":"orders","shardCount":9}"#,
                "",
            ),
        ];
        let doc = format!(r#"{{"Records":[{}]}}"#, records.join(","));
        let q = ChangeQuery {
            filters: Filters::default(),
            dedup: None,
        };
        let mut fast = Sink(&q, HealthAcc::default());
        assert!(crate::cloudtrail::fast::parse_document(&doc, &mut fast).is_some());
        let mut slow = Sink(&q, HealthAcc::default());
        parse_document_serde(&doc, &mut slow);
        assert_eq!(fast.1.changes, slow.1.changes);
        assert_eq!(fast.1.trail, slow.1.trail);
        let c = &fast.1.changes;
        assert_eq!(c.len(), 8, "{c:?}");
        assert_eq!(
            (
                c[0].stream.as_str(),
                c[0].shard_count,
                c[0].account.as_str()
            ),
            ("orders", Some(2.0), "111122223333")
        );
        assert_eq!(
            (
                c[1].target_shard_count,
                c[1].error_code.as_str(),
                c[1].account.as_str()
            ),
            (Some(4.0), "LimitExceededException", "999988887777")
        );
        assert_eq!(c[3].shards_to_merge.1, "shardId-000000000002");
        assert_eq!(
            (c[4].stream.as_str(), c[4].stream_mode.as_str()),
            ("orders", "ON_DEMAND")
        );
        assert_eq!(c[5].retention_hours, Some(48.0));
        assert_eq!(c[6].shard_level_metrics, ["IncomingBytes", "OutgoingBytes"]);
        assert_eq!(c[7].consumer, "app");
        assert_eq!(fast.1.trail.kinesis, 9);
    }

    #[test]
    fn sniffing_only_orders_the_readers() {
        assert!(looks_like_metrics(r#"{"metric_stream_name":"x"}"#));
        assert!(looks_like_metrics(r#"{"MetricDataResults":[]}"#));
        assert!(!looks_like_metrics(r#"{"Records":[]}"#));
        // An escaped quote inside a CloudTrail message is not the key.
        assert!(!looks_like_metrics(
            r#"{"errorMessage":"bad \"metric_name\\"}"#
        ));
        // A multi-byte character at the sniff boundary is not split.
        let mut s = "x".repeat(SNIFF_BYTES - 1);
        s.push('é');
        assert!(!looks_like_metrics(&s));
    }
}
