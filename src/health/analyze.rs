//! The checks: per-minute use of the shard and stream limits from the metrics cube, the state of
//! each stream (shard count, mode, retention) from the change events, and the findings.
//!
//! Every figure follows the documented rules: a datapoint's rate is its Sum over its period (60 s
//! for Metric Streams; the query period of a CLI export, the greatest common divisor of the gaps
//! between a stream's datapoints); percentages are hundredths rounded half up, exactly where the
//! values are whole numbers.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{
    Change, DEFAULT_RETENTION_HOURS, HealthAcc, MINUTE, SHARD_READ_BYTES, SHARD_READ_CALLS,
    SHARD_WRITE_BYTES, SHARD_WRITE_RECORDS,
};
use crate::filter::Matcher;
use crate::metrics::{Acc, Buckets, MetricsCube, Stat, bounds_maximum, key};
use crate::text::and_list;
use crate::window::{Millis, Window, bucket_start, format_duration, format_instant, format_time};

const DAY: Millis = 86_400_000;
const HOUR: Millis = 3_600_000;

/// How bad a finding is, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Act now (data about to expire unread).
    Critical,
    /// Something is wrong or close to a limit.
    Warning,
    /// Worth knowing (capacity that is not used).
    Info,
}

impl Severity {
    /// The name in the `severity` column and for `--fail-on`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// The check ids, in the order findings of one severity are listed.
pub const CHECKS: [&str; 12] = [
    "no-data",
    "wrong-statistic",
    "hot-shard",
    "write-capacity",
    "read-capacity",
    "write-throttling",
    "read-throttling",
    "put-failures",
    "iterator-age",
    "consumer-lag",
    "resharding-churn",
    "over-provisioned",
];

/// The thresholds of the checks (percentages in hundredths).
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    /// `hot-shard`: a shard's write peak at or above this share of its limit.
    pub hot_shard_pct: u64,
    /// `hot-shard`: a shard's share of the stream's writes at or above this many even shares.
    pub hot_shard_share: f64,
    /// `write-capacity`, `read-capacity`: stream peak at or above this share of capacity.
    pub capacity_pct: u64,
    /// Throttling at a minute whose use is under this is noted as bursty.
    pub bursty_pct: u64,
    /// `iterator-age` warning: max age at or above this share of retention.
    pub iterator_age_warning_pct: u64,
    /// `iterator-age` critical.
    pub iterator_age_critical_pct: u64,
    /// `consumer-lag`: MillisBehindLatest at or above this.
    pub consumer_lag: Millis,
    /// `resharding-churn`: more than this many shard-count changes within 24 h.
    pub resharding_changes: u64,
    /// `over-provisioned`: peak under this share of capacity...
    pub over_provisioned_pct: u64,
    /// ... over at least this much data.
    pub over_provisioned_min_data: Millis,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            hot_shard_pct: 8000,
            hot_shard_share: 2.0,
            capacity_pct: 8000,
            bursty_pct: 5000,
            iterator_age_warning_pct: 5000,
            iterator_age_critical_pct: 9000,
            consumer_lag: 60_000,
            resharding_changes: 4,
            over_provisioned_pct: 2500,
            over_provisioned_min_data: DAY,
        }
    }
}

/// What the analysis needs besides the aggregate.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Thresholds of the checks.
    pub thresholds: Thresholds,
    /// The resolved window (for the changes panel; datapoints were windowed when read).
    pub window: Window,
    /// `--shard`: applied to the shards panel and the shard findings only.
    pub shards: Matcher,
    /// The period of every datapoint, when given; else found per stream.
    pub datapoint_period: Option<Millis>,
}

/// The capacity mode of a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Provisioned shards.
    Provisioned,
    /// On-demand: no provisioned capacity.
    OnDemand,
}

impl Mode {
    /// The name in the `mode` column.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Provisioned => "provisioned",
            Mode::OnDemand => "on-demand",
        }
    }

    fn parse(s: &str) -> Option<Mode> {
        match s {
            "PROVISIONED" => Some(Mode::Provisioned),
            "ON_DEMAND" => Some(Mode::OnDemand),
            _ => None,
        }
    }
}

/// A row of the `shards` panel (percentages in hundredths).
#[derive(Debug, Clone, PartialEq)]
pub struct ShardRow {
    /// Account.
    pub account: String,
    /// Region.
    pub region: String,
    /// Stream.
    pub stream: String,
    /// Shard id.
    pub shard: String,
    /// Highest minute's IncomingBytes as a share of 1 MiB/s.
    pub write_bytes_peak: Option<u64>,
    /// Highest minute's IncomingRecords as a share of 1,000 records/s.
    pub write_records_peak: Option<u64>,
    /// When the bytes peaked.
    pub write_peak_time: Option<Millis>,
    /// Highest minute's OutgoingBytes as a share of 2 MiB/s.
    pub read_bytes_peak: Option<u64>,
    /// The shard's share of the stream's incoming bytes.
    pub share: Option<u64>,
    /// Minutes with WriteProvisionedThroughputExceeded > 0.
    pub throttled_minutes: u64,
}

/// A row of the `streams` panel.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamRow {
    /// Account.
    pub account: String,
    /// Region.
    pub region: String,
    /// Stream.
    pub stream: String,
    /// Mode at the end of the data.
    pub mode: Mode,
    /// Whether CloudTrail showed the mode (else provisioned is assumed).
    pub mode_seen: bool,
    /// Open shards at the end of the data, when known.
    pub shards: Option<u64>,
    /// Peak minute's use of write capacity.
    pub write_peak: Option<u64>,
    /// Peak minute's use of read capacity.
    pub read_peak: Option<u64>,
    /// PutRecords.FailedRecords as a share of PutRecords.TotalRecords.
    pub put_failed: Option<u64>,
    /// PutRecords.ThrottledRecords as a share of PutRecords.TotalRecords.
    pub put_throttled: Option<u64>,
    /// Highest iterator age, ms.
    pub iterator_age_max: Option<f64>,
    /// Retention at the end of the data.
    pub retention_hours: u64,
    /// Whether CloudTrail showed the retention (else 24 h is assumed).
    pub retention_seen: bool,
    /// The highest iterator age as a share of retention.
    pub iterator_age_pct: Option<u64>,
}

/// A row of the `consumers` panel: an enhanced fan-out consumer's figures over the window.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsumerRow {
    /// Account.
    pub account: String,
    /// Region.
    pub region: String,
    /// Stream.
    pub stream: String,
    /// `ConsumerName`.
    pub consumer: String,
    /// The highest SubscribeToShardEvent.MillisBehindLatest (Maximum).
    pub millis_behind_latest_max: Option<f64>,
    /// SubscribeToShardEvent.Records (Sum).
    pub records: Option<f64>,
    /// SubscribeToShardEvent.Bytes (Sum), in bytes.
    pub bytes: Option<f64>,
    /// SubscribeToShard.RateExceeded (Sum): subscription attempts refused.
    pub rate_exceeded: Option<f64>,
}

/// A row of the `write-use` panel: one datapoint's write use of a shard's limits, or of a
/// stream's capacity where it has no shard-level series.
#[derive(Debug, Clone, PartialEq)]
pub struct UseRow {
    /// The datapoint's time.
    pub time: Millis,
    /// Account.
    pub account: String,
    /// Region.
    pub region: String,
    /// Stream.
    pub stream: String,
    /// Shard (empty for a stream's use of its capacity).
    pub shard: String,
    /// Use in hundredths of a percent: the larger of bytes and records.
    pub pct: u64,
}

/// A row of the `changes` panel.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRow {
    /// `eventTime`.
    pub time: Millis,
    /// Account.
    pub account: String,
    /// Region.
    pub region: String,
    /// Stream.
    pub stream: String,
    /// Event name.
    pub event_name: String,
    /// Caller.
    pub user: String,
    /// What changed, and the error code of a failed attempt.
    pub detail: String,
}

/// A problem found by a check.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// How bad.
    pub severity: Severity,
    /// The check id.
    pub check: &'static str,
    /// Account.
    pub account: String,
    /// Region.
    pub region: String,
    /// Stream.
    pub stream: String,
    /// Shard (empty for stream-wide findings).
    pub shard: String,
    /// The numbers, in plain words.
    pub detail: String,
}

/// Everything the panels show.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// `shards` rows.
    pub shards: Vec<ShardRow>,
    /// `streams` rows.
    pub streams: Vec<StreamRow>,
    /// `consumers` rows.
    pub consumers: Vec<ConsumerRow>,
    /// `write-use` rows, by account, region, stream, shard and time.
    pub write_use: Vec<UseRow>,
    /// The shortest datapoint period of the streams in `write_use` (the width of its time
    /// axis).
    pub write_use_period: Millis,
    /// `changes` rows.
    pub changes: Vec<ChangeRow>,
    /// `findings` rows, ranked.
    pub findings: Vec<Finding>,
    /// Remarks on what was assumed or unknown, for the `streams` panel.
    pub stream_notes: Vec<String>,
    /// Streams whose OutgoingBytes include enhanced fan-out consumers' traffic, for the
    /// `shards` panel.
    pub efo_read: Vec<String>,
}

/// What a run without a checked datapoint had, for the `no-data` finding's detail.
#[derive(Debug, Clone)]
pub struct Coverage<'a> {
    /// The datapoints read, by kind.
    pub counts: &'a crate::metrics::MetricCounts,
    /// Kinesis events read from CloudTrail.
    pub trail_events: u64,
    /// The window the datapoints had to fall in.
    pub window: Window,
    /// The filters given, as the user wrote them (`--stream orders`).
    pub filters: &'a [String],
    /// `--since` counted back from now: the hint to count it from the newest datapoint.
    pub since_from_now: bool,
}

/// The `no-data` finding (critical) when no datapoint was checked: every check would pass on
/// nothing, so a CI gate (`--fail-on critical`) must not. Its detail says why, in the user's
/// terms: no metric datapoints among the inputs, none of Kinesis, none in the window (with the
/// span of the data), none through the filters (named).
pub fn no_data(c: &Coverage<'_>) -> Option<Finding> {
    let n = c.counts;
    if n.matched > 0 {
        return None;
    }
    let kinesis = n.stream_level + n.shard_level + n.consumer_level;
    let read = kinesis + n.other_dimensions + n.other_metrics + n.other_namespaces;
    let points = |k: u64| format!("{k} datapoint{}", if k == 1 { "" } else { "s" });
    let detail = if read == 0 {
        let trail = if c.trail_events > 0 {
            format!(" (only CloudTrail: {} Kinesis events)", c.trail_events)
        } else {
            String::new()
        };
        format!(
            "no CloudWatch metric datapoints among the inputs{trail}; \
             the checks need exports of AWS/Kinesis metrics (Metric Streams, get-metric-data \
             or get-metric-statistics output)"
        )
    } else if kinesis == 0 {
        let parts: Vec<String> = [
            (n.other_namespaces, "outside AWS/Kinesis"),
            (
                n.other_dimensions,
                "of Kinesis series with other dimensions",
            ),
            (n.other_metrics, "of Kinesis metrics the checks do not read"),
        ]
        .into_iter()
        .filter(|(k, _)| *k > 0)
        .map(|(k, what)| format!("{k} {what}"))
        .collect();
        format!(
            "{} read, none of the checks' AWS/Kinesis metrics ({})",
            points(read),
            parts.join(", ")
        )
    } else {
        let (first, last) = n.range.unwrap_or_default();
        let span = format!(
            "the data spans {} to {}",
            format_time(first),
            format_time(last)
        );
        let bound = |b: Option<Millis>| b.map_or_else(|| "…".to_string(), format_instant);
        let window = format!(
            "the window {} to {}",
            bound(c.window.since),
            bound(c.window.until)
        );
        let outside =
            c.window.since.is_some_and(|s| last < s) || c.window.until.is_some_and(|u| first >= u);
        let filters = c.filters.join(", ");
        let why = if c.window.is_open() || (!outside && !c.filters.is_empty()) {
            if c.window.is_open() {
                format!("none through the filters {filters} ({span})")
            } else {
                format!("none through the filters {filters} in {window} ({span})")
            }
        } else {
            let mut s = format!("none in {window} ({span})");
            if c.since_from_now {
                s.push_str("; --relative-to latest counts --since back from the newest datapoint");
            }
            s
        };
        format!("{} of Kinesis streams read, {why}", points(kinesis))
    };
    Some(Finding {
        severity: Severity::Critical,
        check: "no-data",
        account: String::new(),
        region: String::new(),
        stream: String::new(),
        shard: String::new(),
        detail,
    })
}

/// `num / den` as a percentage in hundredths, rounded half up: exactly for whole numbers (as
/// byte and record sums are), else in floating point.
pub fn pct(num: f64, den: u64) -> u64 {
    if den == 0 || !num.is_finite() || num <= 0.0 {
        return 0;
    }
    if num.fract() == 0.0 && num < 1e18 {
        let (n, d) = (num as u128, u128::from(den));
        return ((n * 20_000 + d) / (2 * d)) as u64;
    }
    (num * 10_000.0 / den as f64 + 0.5).floor() as u64
}

/// A limit over a time: the product of its factors (seconds, shards, the per-shard limit),
/// saturating: a shard count or period no real stream has must not overflow.
fn cap(factors: &[u64]) -> u64 {
    factors.iter().fold(1u64, |a, b| a.saturating_mul(*b))
}

/// A percentage in hundredths as text: `12.34`.
pub fn fmt_pct(h: u64) -> String {
    format!("{}.{:02}", h / 100, h % 100)
}

fn sum(a: &Acc) -> Option<f64> {
    a.stat(Stat::Sum)
}

/// True when a throttling datapoint says something was throttled: any statistic above 0.
fn exceeded(a: &Acc) -> bool {
    [Stat::Sum, Stat::Maximum, Stat::Average]
        .into_iter()
        .any(|s| a.stat(s).is_some_and(|v| v > 0.0))
}

fn gcd(a: Millis, b: Millis) -> Millis {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// The datapoints of one stream, by series.
#[derive(Default)]
struct StreamData<'c> {
    stream_level: HashMap<&'c str, &'c Buckets>,
    shards: BTreeMap<&'c str, HashMap<&'c str, &'c Buckets>>,
    consumers: BTreeMap<&'c str, HashMap<&'c str, &'c Buckets>>,
}

impl<'c> StreamData<'c> {
    fn all(&self) -> impl Iterator<Item = &'c Buckets> + '_ {
        self.stream_level.values().copied().chain(
            self.shards
                .values()
                .chain(self.consumers.values())
                .flat_map(|m| m.values().copied()),
        )
    }

    /// The period of the datapoints: the greatest common divisor of the gaps between them in
    /// each series, at least a minute; a minute when no series has two.
    fn period(&self) -> Millis {
        let mut g = 0;
        for b in self.all() {
            let mut prev = None;
            for (t, _) in b.iter() {
                if let Some(p) = prev {
                    g = gcd(g, t - p);
                }
                prev = Some(t);
            }
        }
        g.max(MINUTE)
    }

    /// Per-minute Sums of a metric for the whole stream: the stream-level series when there is
    /// one, else the shard-level series added up.
    fn totals(&self, stream_metric: &str, shard_metric: &str) -> BTreeMap<Millis, f64> {
        let mut out = BTreeMap::new();
        if let Some(b) = self.stream_level.get(stream_metric) {
            for (t, a) in b.iter() {
                if let Some(v) = sum(&a) {
                    out.insert(t, v);
                }
            }
            return out;
        }
        for m in self.shards.values() {
            if let Some(b) = m.get(shard_metric) {
                for (t, a) in b.iter() {
                    if let Some(v) = sum(&a) {
                        *out.entry(t).or_insert(0.0) += v;
                    }
                }
            }
        }
        out
    }
}

/// What CloudTrail says about a stream at one time.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct State {
    count: Option<u64>,
    mode: Option<Mode>,
    retention: Option<u64>,
}

fn whole(v: Option<f64>) -> Option<u64> {
    v.filter(|v| *v >= 0.0 && v.fract() == 0.0 && *v < 1e15)
        .map(|v| v as u64)
}

/// The state after the successful change events at or before `t` (in time order).
fn state_at(events: &[&Change], t: Millis) -> State {
    let mut s = State::default();
    for e in events.iter().take_while(|e| e.time <= t) {
        match e.event_name.as_str() {
            "CreateStream" => {
                s = State {
                    count: whole(e.shard_count),
                    mode: Some(Mode::parse(&e.stream_mode).unwrap_or(Mode::Provisioned)),
                    retention: Some(whole(e.retention_hours).unwrap_or(DEFAULT_RETENTION_HOURS)),
                };
            }
            "DeleteStream" => s = State::default(),
            "UpdateShardCount" => {
                if let Some(n) = whole(e.target_shard_count) {
                    s.count = Some(n);
                }
            }
            "SplitShard" => s.count = s.count.map(|n| n + 1),
            "MergeShards" => s.count = s.count.map(|n| n.saturating_sub(1)),
            "UpdateStreamMode" => {
                if let Some(m) = Mode::parse(&e.stream_mode) {
                    s.mode = Some(m);
                }
            }
            "IncreaseStreamRetentionPeriod" | "DecreaseStreamRetentionPeriod" => {
                if let Some(h) = whole(e.retention_hours).filter(|h| *h > 0) {
                    s.retention = Some(h);
                }
            }
            _ => {}
        }
    }
    s
}

/// The `detail` of a change: its parameters, and the error code of a failed attempt.
pub fn change_detail(c: &Change) -> String {
    let mut parts = Vec::new();
    if let Some(n) = c.shard_count {
        parts.push(format!("shard count {n}"));
    }
    if let Some(n) = c.target_shard_count {
        parts.push(format!("target shard count {n}"));
    }
    if !c.stream_mode.is_empty() {
        parts.push(format!("mode {}", c.stream_mode));
    }
    if let Some(h) = c.retention_hours {
        parts.push(format!("retention {h} h"));
    }
    if !c.shard_to_split.is_empty() {
        parts.push(format!("split {}", c.shard_to_split));
    }
    let (a, b) = &c.shards_to_merge;
    if !a.is_empty() || !b.is_empty() {
        parts.push(format!("merge {a} and {b}"));
    }
    if !c.shard_level_metrics.is_empty() {
        parts.push(format!("metrics {}", c.shard_level_metrics.join(", ")));
    }
    if !c.consumer.is_empty() {
        parts.push(format!("consumer {}", c.consumer));
    }
    if !c.error_code.is_empty() {
        parts.push(format!("failed: {}", c.error_code));
    }
    parts.join("; ")
}

/// `1 shard`, `4 shards`.
fn shards_word(n: u64) -> String {
    format!("{n} shard{}", if n == 1 { "" } else { "s" })
}

/// `k minutes`, or `k periods of 5m` for longer datapoints.
fn periods(k: u64, period: Millis) -> String {
    let s = if k == 1 { "" } else { "s" };
    if period == MINUTE {
        format!("{k} minute{s}")
    } else {
        format!("{k} period{s} of {}", format_duration(period))
    }
}

/// The highest value of a series' Sums, with the earliest minute it was reached.
fn peak_sum(b: &Buckets) -> Option<(f64, Millis)> {
    let mut best: Option<(f64, Millis)> = None;
    for (t, a) in b.iter() {
        if let Some(v) = sum(&a)
            && best.is_none_or(|(bv, _)| v > bv)
        {
            best = Some((v, t));
        }
    }
    best
}

/// The highest use in hundredths with its earliest minute, of per-minute uses.
fn peak_use(uses: &BTreeMap<Millis, u64>) -> Option<(u64, Millis)> {
    let mut best: Option<(u64, Millis)> = None;
    for (t, u) in uses {
        if best.is_none_or(|(b, _)| *u > b) {
            best = Some((*u, *t));
        }
    }
    best
}

/// Per-minute use of `n_of(t)` shards' limits: the larger of `a` against the per-shard limit
/// `limits[0]` and `b` against `limits[1]` (write: bytes and records; read: bytes and
/// GetRecords calls).
fn uses(
    a: &BTreeMap<Millis, f64>,
    b: &BTreeMap<Millis, f64>,
    secs: u64,
    limits: [u64; 2],
    n_of: impl Fn(Millis) -> Option<u64>,
) -> BTreeMap<Millis, u64> {
    let times: BTreeSet<Millis> = a.keys().chain(b.keys()).copied().collect();
    let mut out = BTreeMap::new();
    for t in times {
        let Some(n) = n_of(t).filter(|n| *n > 0) else {
            continue;
        };
        let ua = a.get(&t).map(|v| pct(*v, cap(&[secs, n, limits[0]])));
        let ub = b.get(&t).map(|v| pct(*v, cap(&[secs, n, limits[1]])));
        if let Some(u) = ua.max(ub) {
            out.insert(t, u);
        }
    }
    out
}

/// Write use: bytes and records against a shard's write limits.
const WRITE_LIMITS: [u64; 2] = [SHARD_WRITE_BYTES, SHARD_WRITE_RECORDS];
/// Read use: bytes and GetRecords calls against a shard's read limits.
const READ_LIMITS: [u64; 2] = [SHARD_READ_BYTES, SHARD_READ_CALLS];

fn sums_of(b: Option<&&Buckets>) -> BTreeMap<Millis, f64> {
    b.map(|b| {
        b.iter()
            .filter_map(|(t, a)| sum(&a).map(|v| (t, v)))
            .collect()
    })
    .unwrap_or_default()
}

/// The `write-use` rows of one shard (or stream) from its per-datapoint uses.
fn use_rows(
    report: &mut Report,
    period: Millis,
    (account, region, stream, shard): (&str, &str, &str, &str),
    uses: &BTreeMap<Millis, u64>,
) {
    if uses.is_empty() {
        return;
    }
    report.write_use_period = match report.write_use_period {
        0 => period,
        p => p.min(period),
    };
    report.write_use.extend(uses.iter().map(|(t, u)| UseRow {
        time: *t,
        account: account.to_string(),
        region: region.to_string(),
        stream: stream.to_string(),
        shard: shard.to_string(),
        pct: *u,
    }));
}

/// A throttling finding from one series: how many minutes, the first, and how many of them
/// were bursty (use under the threshold).
fn throttling(
    metric: &str,
    b: &Buckets,
    uses: &BTreeMap<Millis, u64>,
    period: Millis,
    bursty_pct: u64,
) -> Option<String> {
    let throttled: Vec<Millis> = b
        .iter()
        .filter(|(_, a)| exceeded(a))
        .map(|(t, _)| t)
        .collect();
    let first = *throttled.first()?;
    let bursty = throttled
        .iter()
        .filter(|t| uses.get(t).is_some_and(|u| *u < bursty_pct))
        .count() as u64;
    let mut s = format!(
        "{} with {metric} > 0, first at {}",
        periods(throttled.len() as u64, period),
        format_time(first)
    );
    if bursty > 0 {
        s.push_str(&format!(
            "; bursty: {bursty} of them under {}% use (the period's average hides bursts over the limit)",
            fmt_pct(bursty_pct)
        ));
    }
    Some(s)
}

/// The CloudTrail changes of a stream: successful ones, in time order. A series without a
/// region or an account (CLI exports) takes the events of its stream name in the one region
/// (and then the one account) they name, when they name one; an event without an account
/// (no `recipientAccountId`, no `AWSLogs/ACCOUNT/` key) belongs to a series of any account.
fn stream_events<'e>(
    changes: &'e [Change],
    account: &str,
    region: &str,
    stream: &str,
) -> Vec<&'e Change> {
    let named: Vec<&Change> = changes
        .iter()
        .filter(|c| {
            c.stream == stream
                && (region.is_empty() || c.region == region)
                && (account.is_empty() || c.account.is_empty() || c.account == account)
        })
        .collect();
    let region = {
        let regions: BTreeSet<&str> = named.iter().map(|c| c.region.as_str()).collect();
        match regions.first() {
            Some(one) if region.is_empty() && regions.len() == 1 => one.to_string(),
            _ => region.to_string(),
        }
    };
    let account = {
        let accounts: BTreeSet<&str> = named
            .iter()
            .filter(|c| c.region == region && !c.account.is_empty())
            .map(|c| c.account.as_str())
            .collect();
        match accounts.first() {
            Some(one) if account.is_empty() && accounts.len() == 1 => one.to_string(),
            _ => account.to_string(),
        }
    };
    named
        .into_iter()
        .filter(|c| {
            c.region == region
                && (c.account == account || c.account.is_empty())
                && c.error_code.is_empty()
        })
        .collect()
}

/// The statistic a check reads of a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// The Sum (throughput, failed records).
    Sum,
    /// The Maximum (iterator age, MillisBehindLatest).
    Maximum,
    /// Any of Sum, Maximum and Average above 0 (throttling: see [`exceeded`]).
    Exceeded,
}

impl Need {
    fn usable(self, a: &Acc) -> bool {
        match self {
            Need::Sum => a.has(Stat::Sum),
            Need::Maximum => a.has(Stat::Maximum),
            Need::Exceeded => [Stat::Sum, Stat::Maximum, Stat::Average]
                .into_iter()
                .any(|s| a.has(s)),
        }
    }

    /// What the check needs, in words.
    fn words(self) -> &'static str {
        match self {
            Need::Sum => "the Sum",
            Need::Maximum => "the Maximum",
            Need::Exceeded => "a Sum, Maximum or Average",
        }
    }

    /// How to export it.
    fn how(self) -> &'static str {
        match self {
            Need::Sum => {
                "query the Sum (get-metric-data \"Stat\": \"Sum\"; get-metric-statistics \
                 --statistics Sum; Metric Streams carry every statistic)"
            }
            Need::Maximum => {
                "query the Maximum (get-metric-data \"Stat\": \"Maximum\"; \
                 get-metric-statistics --statistics Maximum; Metric Streams carry every statistic)"
            }
            Need::Exceeded => {
                "query the Sum or the Maximum (get-metric-data \"Stat\": \"Sum\"; \
                 get-metric-statistics --statistics Sum; Metric Streams carry every statistic)"
            }
        }
    }
}

/// The periods in which a check's metric is present only with statistics the check cannot use.
#[derive(Debug, Default)]
struct Unusable {
    /// The metrics, by name.
    metrics: BTreeSet<String>,
    /// The datapoints' times (bucket starts) without the statistic the check needs.
    times: BTreeSet<Millis>,
    /// What those datapoints carried, in words.
    carried: BTreeSet<String>,
    /// For a Maximum: the highest value of a statistic never above it (Average, Minimum,
    /// percentiles) in those periods, its time and the statistic: a lower bound of the Maximum.
    bound: Option<(f64, Millis, String)>,
}

impl Unusable {
    /// Adds what series `k` (its [`key`] fields) holds that `need` cannot use: its buckets
    /// without the statistic, and its datapoints of statistics no check reads
    /// ([`MetricsCube::other_stats`]) where it has no bucket with the statistic.
    fn scan(&mut self, cube: &MetricsCube, k: [&str; key::LEN], b: Option<&Buckets>, need: Need) {
        // This series' datapoints of statistics no check reads: none but in CLI exports.
        let others: Vec<(&String, &Vec<(Millis, f64)>)> = if cube.other_stats.is_empty() {
            Vec::new()
        } else {
            cube.other_stats
                .iter()
                .filter(|((ok, _), _)| ok.iter().zip(k).all(|(a, b)| a == b))
                .map(|((_, stat), points)| (stat, points))
                .collect()
        };
        if others.is_empty() && b.is_none_or(Buckets::sum_and_max_everywhere) {
            // Every bucket has what any check reads (Metric Streams): nothing to look through.
            return;
        }
        // The times with the statistic, only to look the others' times up in.
        let mut usable = BTreeSet::new();
        let raise = |v: f64, t: Millis, stat: &str, bound: &mut Option<(f64, Millis, String)>| {
            if need == Need::Maximum
                && v.is_finite()
                && bound
                    .as_ref()
                    .is_none_or(|(bv, bt, _)| v > *bv || (v == *bv && t < *bt))
            {
                *bound = Some((v, t, stat.to_string()));
            }
        };
        for (t, a) in b.into_iter().flat_map(|b| b.iter()) {
            if need.usable(&a) {
                if !others.is_empty() {
                    usable.insert(t);
                }
                continue;
            }
            if a.is_empty() {
                continue;
            }
            self.times.insert(t);
            self.carried.insert(a.carried().words());
            self.metrics.insert(k[key::METRIC].to_string());
            // Σ sum / Σ count, or the mean of Averages without counts: never above the Maximum.
            for v in [a.stat(Stat::Average), a.plain_average()]
                .into_iter()
                .flatten()
            {
                raise(v, t, "Average", &mut self.bound);
            }
        }
        for (stat, points) in others {
            for &(t, v) in points {
                let t = bucket_start(t, MINUTE);
                if usable.contains(&t) {
                    continue;
                }
                self.times.insert(t);
                self.carried.insert(stat.clone());
                self.metrics.insert(k[key::METRIC].to_string());
                if need == Need::Sum || need == Need::Exceeded {
                    continue;
                }
                if bounds_maximum(stat) {
                    raise(v, t, stat, &mut self.bound);
                }
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// Adds what `o` found (of other metrics of the same checks).
    fn absorb(&mut self, o: Unusable) {
        self.metrics.extend(o.metrics);
        self.times.extend(o.times);
        self.carried.extend(o.carried);
    }

    /// `CHECKS could not judge N minutes of METRICS: their datapoints carry X but not the
    /// Sum, which the check needs; query the Sum (...)`.
    fn detail(&self, checks: &[&str], need: Need, period: Millis) -> String {
        let metrics: Vec<&str> = self.metrics.iter().map(String::as_str).collect();
        let carried: Vec<&str> = self.carried.iter().map(String::as_str).collect();
        format!(
            "{} could not judge {} of {}: their datapoints carry {} but not {}, which {}; {}",
            and_list(checks),
            periods(self.times.len() as u64, period),
            and_list(&metrics),
            and_list(&carried),
            need.words(),
            if checks.len() == 1 {
                "the check needs"
            } else {
                "they need"
            },
            need.how()
        )
    }
}

/// The metrics whose Sum (or, for throttling, any of Sum, Maximum and Average) the checks read,
/// by level (true: shard-level), with the checks that read them. Shard-level bytes and records
/// feed the stream's write checks only where it has no stream-level series of them.
const NEEDS: [(bool, &str, Need, &[&str]); 11] = [
    (
        false,
        "IncomingBytes",
        Need::Sum,
        &["write-capacity", "over-provisioned"],
    ),
    (
        false,
        "IncomingRecords",
        Need::Sum,
        &["write-capacity", "over-provisioned"],
    ),
    (false, "GetRecords.Bytes", Need::Sum, &["read-capacity"]),
    (
        false,
        "PutRecords.FailedRecords",
        Need::Sum,
        &["put-failures"],
    ),
    (
        false,
        "WriteProvisionedThroughputExceeded",
        Need::Exceeded,
        &["write-throttling"],
    ),
    (
        false,
        "ReadProvisionedThroughputExceeded",
        Need::Exceeded,
        &["read-throttling"],
    ),
    (true, "IncomingBytes", Need::Sum, &["hot-shard"]),
    (true, "IncomingRecords", Need::Sum, &["hot-shard"]),
    (true, "OutgoingBytes", Need::Sum, &["read-capacity"]),
    (
        true,
        "WriteProvisionedThroughputExceeded",
        Need::Exceeded,
        &["write-throttling"],
    ),
    (
        true,
        "ReadProvisionedThroughputExceeded",
        Need::Exceeded,
        &["read-throttling"],
    ),
];

/// Runs the checks over the aggregate.
pub fn analyze(acc: &HealthAcc, set: &Settings) -> Report {
    let th = &set.thresholds;
    let mut by_stream: BTreeMap<(&str, &str, &str), StreamData<'_>> = BTreeMap::new();
    for (k, b) in acc.cube.series() {
        let d = by_stream
            .entry((k[key::ACCOUNT], k[key::REGION], k[key::STREAM]))
            .or_default();
        if !k[key::CONSUMER].is_empty() {
            d.consumers
                .entry(k[key::CONSUMER])
                .or_default()
                .insert(k[key::METRIC], b);
        } else if k[key::SHARD].is_empty() {
            d.stream_level.insert(k[key::METRIC], b);
        } else {
            d.shards
                .entry(k[key::SHARD])
                .or_default()
                .insert(k[key::METRIC], b);
        }
    }
    let mut report = Report::default();
    let mut unknown_count = Vec::new();
    let mut assumed_retention = Vec::new();
    let mut assumed_mode = Vec::new();
    let mut efo_read = Vec::new();
    for (&(account, region, stream), d) in &by_stream {
        let period = set.datapoint_period.unwrap_or_else(|| d.period());
        let secs = (period / 1000).max(1) as u64;
        let events = stream_events(&acc.changes, account, region, stream);
        let (first, end) = d
            .all()
            .flat_map(|b| b.iter().next().into_iter().chain(b.iter().last()))
            .map(|(t, _)| t)
            .fold((Millis::MAX, Millis::MIN), |(a, z), t| (a.min(t), z.max(t)));
        let series_shards = d.shards.len() as u64;
        let n_of = |t: Millis| {
            state_at(&events, t)
                .count
                .or((series_shards > 0).then_some(series_shards))
        };
        let provisioned_at = |t: Millis| state_at(&events, t).mode != Some(Mode::OnDemand);
        let end_state = state_at(&events, end);
        let mode = end_state.mode.unwrap_or(Mode::Provisioned);
        let shards_end = n_of(end);
        let retention = end_state.retention.unwrap_or(DEFAULT_RETENTION_HOURS);
        if shards_end.is_none() {
            unknown_count.push(stream.to_string());
        }
        if end_state.retention.is_none() {
            assumed_retention.push(stream.to_string());
        }
        if end_state.mode.is_none() {
            assumed_mode.push(stream.to_string());
        }
        // Enhanced fan-out consumers read through OutgoingBytes too: seen as consumer series or
        // as RegisterStreamConsumer in CloudTrail.
        let has_efo = !d.consumers.is_empty()
            || events
                .iter()
                .any(|e| e.event_name == "RegisterStreamConsumer");
        if has_efo && d.shards.keys().any(|s| set.shards.matches(s)) {
            efo_read.push(stream.to_string());
        }
        let finding = |severity, check, shard: &str, detail: String| Finding {
            severity,
            check,
            account: account.to_string(),
            region: region.to_string(),
            stream: stream.to_string(),
            shard: shard.to_string(),
            detail,
        };
        let mut findings = Vec::new();
        // Shards with series, and those with only datapoints of statistics no check reads.
        let shard_names: BTreeSet<&str> = d
            .shards
            .keys()
            .copied()
            .chain(acc.cube.other_stats.keys().filter_map(|(k, _)| {
                (k[key::ACCOUNT] == account
                    && k[key::REGION] == region
                    && k[key::STREAM] == stream
                    && k[key::CONSUMER].is_empty()
                    && !k[key::SHARD].is_empty())
                .then_some(k[key::SHARD].as_str())
            }))
            .collect();
        // What the series of `metric` (of `shard`, or stream-level) holds that `need` cannot use.
        let scan = |u: &mut Unusable, shard: &str, metric: &str, need: Need| {
            let b = if shard.is_empty() {
                d.stream_level.get(metric)
            } else {
                d.shards.get(shard).and_then(|m| m.get(metric))
            };
            u.scan(
                &acc.cube,
                [account, region, stream, shard, "", metric],
                b.copied(),
                need,
            );
        };

        // Shards.
        let totals: Vec<(&str, f64)> = d
            .shards
            .iter()
            .filter_map(|(s, m)| {
                let b = m.get("IncomingBytes")?;
                let t: f64 = b.iter().filter_map(|(_, a)| sum(&a)).sum();
                Some((*s, t))
            })
            .collect();
        let stream_total: f64 = totals.iter().map(|(_, t)| t).sum();
        let sharing = totals.len() as u64;
        let shard_write_throttle = d
            .shards
            .values()
            .any(|m| m.contains_key("WriteProvisionedThroughputExceeded"));
        let shard_read_throttle = d
            .shards
            .values()
            .any(|m| m.contains_key("ReadProvisionedThroughputExceeded"));
        for (&shard, m) in &d.shards {
            let bytes = m.get("IncomingBytes").and_then(|b| peak_sum(b));
            let records = m.get("IncomingRecords").and_then(|b| peak_sum(b));
            let read = m.get("OutgoingBytes").and_then(|b| peak_sum(b));
            let wb = bytes.map(|(v, _)| pct(v, cap(&[secs, SHARD_WRITE_BYTES])));
            let wr = records.map(|(v, _)| pct(v, cap(&[secs, SHARD_WRITE_RECORDS])));
            let share = totals
                .iter()
                .find(|(s, _)| *s == shard)
                .filter(|_| stream_total > 0.0)
                .map(|(_, t)| pct_of(*t, stream_total));
            let wpte = m.get("WriteProvisionedThroughputExceeded");
            let throttled =
                wpte.map_or(0, |b| b.iter().filter(|(_, a)| exceeded(a)).count()) as u64;
            if !set.shards.matches(shard) {
                continue;
            }
            report.shards.push(ShardRow {
                account: account.to_string(),
                region: region.to_string(),
                stream: stream.to_string(),
                shard: shard.to_string(),
                write_bytes_peak: wb,
                write_records_peak: wr,
                write_peak_time: bytes.map(|(_, t)| t),
                read_bytes_peak: read.map(|(v, _)| pct(v, cap(&[secs, SHARD_READ_BYTES]))),
                share,
                throttled_minutes: throttled,
            });

            // hot-shard
            let mut hot = Vec::new();
            let peak = wb.max(wr);
            if let Some(p) = peak
                && p >= th.hot_shard_pct
            {
                let (limit, t) = if wb >= wr {
                    ("1 MiB/s", bytes.map(|x| x.1))
                } else {
                    ("1,000 records/s", records.map(|x| x.1))
                };
                hot.push(format!(
                    "write peak {}% of the shard limit of {limit} at {}",
                    fmt_pct(p),
                    t.map(format_time).unwrap_or_default()
                ));
            }
            if let Some(s) = share
                && sharing >= 2
                && (s as f64) * (sharing as f64) >= th.hot_shard_share * 10_000.0
            {
                hot.push(format!(
                    "{}% of the stream's incoming bytes against an even share of {}% ({})",
                    fmt_pct(s),
                    fmt_pct(pct_of(1.0, sharing as f64)),
                    shards_word(sharing)
                ));
            }
            if !hot.is_empty() {
                findings.push(finding(
                    Severity::Warning,
                    "hot-shard",
                    shard,
                    hot.join("; "),
                ));
            }

            // Throttling seen per shard.
            let shard_bytes = sums_of(m.get("IncomingBytes"));
            let shard_records = sums_of(m.get("IncomingRecords"));
            let shard_uses = uses(&shard_bytes, &shard_records, secs, WRITE_LIMITS, |_| {
                Some(1)
            });
            use_rows(
                &mut report,
                period,
                (account, region, stream, shard),
                &shard_uses,
            );
            if let Some(b) = wpte
                && let Some(detail) = throttling(
                    "WriteProvisionedThroughputExceeded",
                    b,
                    &shard_uses,
                    period,
                    th.bursty_pct,
                )
            {
                findings.push(finding(
                    Severity::Warning,
                    "write-throttling",
                    shard,
                    detail,
                ));
            }
            let shard_read = sums_of(m.get("OutgoingBytes"));
            let read_use = uses(&shard_read, &BTreeMap::new(), secs, READ_LIMITS, |_| {
                Some(1)
            });
            if let Some(b) = m.get("ReadProvisionedThroughputExceeded")
                && let Some(detail) = throttling(
                    "ReadProvisionedThroughputExceeded",
                    b,
                    &read_use,
                    period,
                    th.bursty_pct,
                )
            {
                findings.push(finding(Severity::Warning, "read-throttling", shard, detail));
            }
        }

        // The stream: use of capacity per minute, provisioned minutes with a known count.
        let bytes = d.totals("IncomingBytes", "IncomingBytes");
        let records = d.totals("IncomingRecords", "IncomingRecords");
        let read = d.totals("GetRecords.Bytes", "OutgoingBytes");
        let cap_n = |t: Millis| n_of(t).filter(|_| provisioned_at(t));
        let w_uses = uses(&bytes, &records, secs, WRITE_LIMITS, cap_n);
        // GetRecords calls: the SampleCount of GetRecords.Success (stream-level only).
        let calls: BTreeMap<Millis, f64> = d
            .stream_level
            .get("GetRecords.Success")
            .map(|b| {
                b.iter()
                    .filter_map(|(t, a)| a.sample_count().map(|c| (t, c)))
                    .collect()
            })
            .unwrap_or_default();
        let r_uses = uses(&read, &calls, secs, READ_LIMITS, cap_n);
        let shard_writes = d
            .shards
            .values()
            .any(|m| m.contains_key("IncomingBytes") || m.contains_key("IncomingRecords"));
        if !shard_writes {
            use_rows(&mut report, period, (account, region, stream, ""), &w_uses);
        }
        let w_peak = peak_use(&w_uses);
        let r_peak = peak_use(&r_uses);
        // The limit a peak minute is nearest: bytes, unless records (or calls) use more.
        let binding = |t: Millis, write: bool| {
            let n = n_of(t).unwrap_or(1).max(1);
            let of = |m: &BTreeMap<Millis, f64>, limit: u64| m.get(&t).map(|v| pct(*v, limit));
            let (by_bytes, by_count) = if write {
                (
                    of(&bytes, cap(&[secs, n, SHARD_WRITE_BYTES])),
                    of(&records, cap(&[secs, n, SHARD_WRITE_RECORDS])),
                )
            } else {
                (
                    of(&read, cap(&[secs, n, SHARD_READ_BYTES])),
                    of(&calls, cap(&[secs, n, SHARD_READ_CALLS])),
                )
            };
            match (by_bytes.is_some() && by_bytes >= by_count, write) {
                (true, true) => "bytes, 1 MiB/s per shard",
                (false, true) => "records, 1,000 a second per shard",
                (true, false) => "bytes, 2 MiB/s per shard",
                (false, false) => "GetRecords calls, 5 a second per shard",
            }
        };
        for (check, peak, what) in [
            ("write-capacity", w_peak, "write"),
            ("read-capacity", r_peak, "read"),
        ] {
            if let Some((p, t)) = peak
                && p >= th.capacity_pct
            {
                findings.push(finding(
                    Severity::Warning,
                    check,
                    "",
                    format!(
                        "stream {what} peak {}% of capacity ({}; {}) at {}",
                        fmt_pct(p),
                        shards_word(n_of(t).unwrap_or_default()),
                        binding(t, what == "write"),
                        format_time(t)
                    ),
                ));
            }
        }
        // Throttling seen only at stream level.
        let stream_checks = [
            (
                "write-throttling",
                "WriteProvisionedThroughputExceeded",
                shard_write_throttle,
                &w_uses,
            ),
            (
                "read-throttling",
                "ReadProvisionedThroughputExceeded",
                shard_read_throttle,
                &r_uses,
            ),
        ];
        for (check, metric, per_shard, uses) in stream_checks {
            if per_shard {
                continue;
            }
            if let Some(b) = d.stream_level.get(metric)
                && let Some(detail) = throttling(metric, b, uses, period, th.bursty_pct)
            {
                findings.push(finding(Severity::Warning, check, "", detail));
            }
        }

        // PutRecords.
        let total_of = |m: &str| {
            d.stream_level
                .get(m)
                .map(|b| b.iter().filter_map(|(_, a)| sum(&a)).sum::<f64>())
        };
        let failed = total_of("PutRecords.FailedRecords");
        let throttled = total_of("PutRecords.ThrottledRecords");
        let total = total_of("PutRecords.TotalRecords").filter(|t| *t > 0.0);
        let put_failed = failed.zip(total).map(|(f, t)| pct_of(f, t));
        let put_throttled = throttled.zip(total).map(|(f, t)| pct_of(f, t));
        if let Some(f) = failed.filter(|f| *f > 0.0) {
            let detail = match (total, put_failed) {
                (Some(t), Some(p)) => {
                    format!("{f} of {t} records failed in PutRecords ({}%)", fmt_pct(p))
                }
                _ => format!("{f} records failed in PutRecords"),
            };
            findings.push(finding(Severity::Warning, "put-failures", "", detail));
        }

        // Iterator age: the stream-level and shard-level maxima.
        let mut age: Option<(f64, Millis)> = None;
        let age_series = d
            .stream_level
            .get("GetRecords.IteratorAgeMilliseconds")
            .into_iter()
            .chain(
                d.shards
                    .values()
                    .filter_map(|m| m.get("IteratorAgeMilliseconds")),
            );
        for b in age_series {
            for (t, a) in b.iter() {
                if let Some(v) = a.stat(Stat::Maximum)
                    && age.is_none_or(|(bv, bt)| v > bv || (v == bv && t < bt))
                {
                    age = Some((v, t));
                }
            }
        }
        let retention_ms = cap(&[retention, HOUR as u64]);
        let seen = if end_state.retention.is_some() {
            "seen in CloudTrail"
        } else {
            "assumed"
        };
        // What a lag of `v` ms means for the data: at the retention and over (exactly, not as
        // rounded to a percent) it has expired unread; at the critical level below that it is
        // about to.
        let expiry_words = |v: f64, sev: Severity| {
            if v >= retention_ms as f64 {
                if end_state.retention.is_some() {
                    ": data has expired unread, records were lost".to_string()
                } else {
                    format!(
                        ": data has expired unread, records were lost (unless the retention is \
                         longer than the {retention} h assumed)"
                    )
                }
            } else if sev == Severity::Critical {
                ": data is about to expire unread".to_string()
            } else {
                String::new()
            }
        };
        // A lag against retention: `what reached V ms, P% of the R h retention (seen), at T`.
        // `V ms`, or for a lower bound of the Maximum, `at least V ms (its Average; ...)`.
        let value_words = |v: f64, bound: Option<&str>| match bound {
            Some(stat) => {
                format!("at least {v} ms (from its {stat}: the Maximum is at least that)")
            }
            None => format!("{v} ms"),
        };
        // `; their Average, a lower bound of the Maximum, reached ...`, when there is one.
        let bound_words = |u: &Unusable| match &u.bound {
            Some((v, t, stat)) => format!(
                "; their {stat}, a lower bound of the Maximum, reached {v} ms, {}% of the \
                 {retention} h retention ({seen}), at {}",
                fmt_pct(pct(*v, retention_ms)),
                format_time(*t)
            ),
            None => String::new(),
        };
        let lag_words = |what: &str, v: String, p: u64, t: Millis| {
            format!(
                "{what} reached {v}, {}% of the {retention} h retention ({seen}), at {}",
                fmt_pct(p),
                format_time(t)
            )
        };
        // Periods without a Maximum: a lower bound of it above every Maximum seen is judged in
        // its place (an Average over the threshold means a Maximum over it); a check that could
        // not tell whether the top severity was reached says so, at that severity, so that a
        // gate does not pass on what was not judged.
        let mut age_unusable = Unusable::default();
        scan(
            &mut age_unusable,
            "",
            "GetRecords.IteratorAgeMilliseconds",
            Need::Maximum,
        );
        for &shard in &shard_names {
            scan(
                &mut age_unusable,
                shard,
                "IteratorAgeMilliseconds",
                Need::Maximum,
            );
        }
        let from_bound = age_unusable
            .bound
            .as_ref()
            .filter(|(bv, _, _)| age.is_none_or(|(v, _)| *bv > v));
        let judged = from_bound.map(|(v, t, _)| (*v, *t)).or(age);
        let bound_stat = from_bound.map(|(_, _, s)| s.as_str());
        let age_pct = age.map(|(v, _)| pct(v, retention_ms));
        let mut age_severity = None;
        if let Some((v, t)) = judged {
            let p = pct(v, retention_ms);
            let severity = if p >= th.iterator_age_critical_pct {
                Some(Severity::Critical)
            } else if p >= th.iterator_age_warning_pct {
                Some(Severity::Warning)
            } else {
                None
            };
            age_severity = severity;
            if let Some(sev) = severity {
                let mut detail = lag_words("iterator age", value_words(v, bound_stat), p, t);
                detail.push_str(&expiry_words(v, sev));
                findings.push(finding(sev, "iterator-age", "", detail));
            } else if v >= th.consumer_lag as f64 {
                // Behind, though not yet near retention: the GetRecords consumers lag.
                findings.push(finding(
                    Severity::Warning,
                    "consumer-lag",
                    "",
                    format!(
                        "GetRecords consumers: {}",
                        lag_words("iterator age", value_words(v, bound_stat), p, t)
                    ),
                ));
            }
        }
        if !age_unusable.is_empty() && age_severity != Some(Severity::Critical) {
            let detail = format!(
                "{}{}",
                age_unusable.detail(&["iterator-age"], Need::Maximum, period),
                bound_words(&age_unusable)
            );
            findings.push(finding(Severity::Critical, "wrong-statistic", "", detail));
        }

        // The checks of Sums (and throttling) left without what they read: one finding per
        // stream or shard and statistic, naming the checks and metrics.
        for shard in std::iter::once("").chain(shard_names.iter().copied()) {
            for need in [Need::Sum, Need::Exceeded] {
                let mut all = Unusable::default();
                let mut checks: BTreeSet<&str> = BTreeSet::new();
                for (shard_level, metric, n, cs) in NEEDS {
                    if n != need || shard_level == shard.is_empty() {
                        continue;
                    }
                    let mut u = Unusable::default();
                    scan(&mut u, shard, metric, need);
                    if u.is_empty() {
                        continue;
                    }
                    checks.extend(cs.iter().copied());
                    if shard_level
                        && need == Need::Sum
                        && metric.starts_with("Incoming")
                        && !d.stream_level.contains_key(metric)
                    {
                        checks.extend(["write-capacity", "over-provisioned"]);
                    }
                    all.absorb(u);
                }
                if all.is_empty() {
                    continue;
                }
                let mut checks: Vec<&str> = checks.into_iter().collect();
                checks.sort_by_key(|c| CHECKS.iter().position(|x| x == c));
                findings.push(finding(
                    Severity::Warning,
                    "wrong-statistic",
                    shard,
                    all.detail(&checks, need, period),
                ));
            }
        }

        // Enhanced fan-out consumers: their figures, and how far behind they fell.
        for (&consumer, m) in &d.consumers {
            let total = |metric: &str| {
                m.get(metric)
                    .map(|b| b.iter().filter_map(|(_, a)| sum(&a)).sum::<f64>())
            };
            let mut lag: Option<(f64, Millis)> = None;
            if let Some(b) = m.get("SubscribeToShardEvent.MillisBehindLatest") {
                for (t, a) in b.iter() {
                    if let Some(v) = a.stat(Stat::Maximum)
                        && lag.is_none_or(|(bv, _)| v > bv)
                    {
                        lag = Some((v, t));
                    }
                }
            }
            // Periods without a Maximum, as for iterator age.
            let metric = "SubscribeToShardEvent.MillisBehindLatest";
            let mut lag_unusable = Unusable::default();
            lag_unusable.scan(
                &acc.cube,
                [account, region, stream, "", consumer, metric],
                m.get(metric).copied(),
                Need::Maximum,
            );
            let from_bound = lag_unusable
                .bound
                .as_ref()
                .filter(|(bv, _, _)| lag.is_none_or(|(v, _)| *bv > v));
            let judged = from_bound.map(|(v, t, _)| (*v, *t)).or(lag);
            let bound_stat = from_bound.map(|(_, _, s)| s.as_str());
            let mut lag_severity = None;
            if let Some((v, t)) = judged {
                let p = pct(v, retention_ms);
                let severity = if p >= th.iterator_age_critical_pct {
                    Some(Severity::Critical)
                } else if v >= th.consumer_lag as f64 || p >= th.iterator_age_warning_pct {
                    Some(Severity::Warning)
                } else {
                    None
                };
                lag_severity = severity;
                if let Some(sev) = severity {
                    let mut detail = format!(
                        "consumer {consumer}: {}",
                        lag_words("MillisBehindLatest", value_words(v, bound_stat), p, t)
                    );
                    detail.push_str(&expiry_words(v, sev));
                    findings.push(finding(sev, "consumer-lag", "", detail));
                }
            }
            if !lag_unusable.is_empty() && lag_severity != Some(Severity::Critical) {
                let detail = format!(
                    "consumer {consumer}: {}{}",
                    lag_unusable.detail(&["consumer-lag"], Need::Maximum, period),
                    bound_words(&lag_unusable)
                );
                findings.push(finding(Severity::Critical, "wrong-statistic", "", detail));
            }
            report.consumers.push(ConsumerRow {
                account: account.to_string(),
                region: region.to_string(),
                stream: stream.to_string(),
                consumer: consumer.to_string(),
                millis_behind_latest_max: lag.map(|l| l.0),
                records: total("SubscribeToShardEvent.Records"),
                bytes: total("SubscribeToShardEvent.Bytes"),
                rate_exceeded: total("SubscribeToShard.RateExceeded"),
            });
        }

        // Over-provisioned: little use of provisioned capacity over a long enough time.
        let span = end - first + period;
        if mode == Mode::Provisioned
            && let Some(n) = shards_end
            && let Some((wp, _)) = w_peak
            && span >= th.over_provisioned_min_data
        {
            let peak = r_peak.map_or(wp, |(rp, _)| rp.max(wp));
            let would = n.saturating_mul(peak).div_ceil(5000).max(1);
            if peak < th.over_provisioned_pct && would < n {
                findings.push(finding(
                    Severity::Info,
                    "over-provisioned",
                    "",
                    format!(
                        "peak {}% of capacity ({}) over {} of data; {} would keep the peak at or under 50%",
                        fmt_pct(peak),
                        shards_word(n),
                        format_duration(span),
                        shards_word(would)
                    ),
                ));
            }
        }

        report.streams.push(StreamRow {
            account: account.to_string(),
            region: region.to_string(),
            stream: stream.to_string(),
            mode,
            mode_seen: end_state.mode.is_some(),
            shards: shards_end,
            write_peak: (mode == Mode::Provisioned)
                .then_some(w_peak)
                .flatten()
                .map(|p| p.0),
            read_peak: (mode == Mode::Provisioned)
                .then_some(r_peak)
                .flatten()
                .map(|p| p.0),
            put_failed,
            put_throttled,
            iterator_age_max: age.map(|a| a.0),
            retention_hours: retention,
            retention_seen: end_state.retention.is_some(),
            iterator_age_pct: age_pct,
        });
        report.findings.extend(
            findings
                .into_iter()
                .filter(|f| f.shard.is_empty() || set.shards.matches(&f.shard)),
        );
    }

    // Changes in the window, and resharding churn.
    let mut resharding: BTreeMap<(&str, &str, &str), Vec<Millis>> = BTreeMap::new();
    for c in &acc.changes {
        if !set.window.contains(c.time) {
            continue;
        }
        report.changes.push(ChangeRow {
            time: c.time,
            account: c.account.clone(),
            region: c.region.clone(),
            stream: c.stream.clone(),
            event_name: c.event_name.clone(),
            user: c.user.clone(),
            detail: change_detail(c),
        });
        if c.error_code.is_empty()
            && !c.stream.is_empty()
            && matches!(
                c.event_name.as_str(),
                "UpdateShardCount" | "SplitShard" | "MergeShards"
            )
        {
            resharding
                .entry((&c.account, &c.region, &c.stream))
                .or_default()
                .push(c.time);
        }
    }
    report.changes.sort_by(|a, b| {
        (
            a.time,
            &a.account,
            &a.region,
            &a.stream,
            &a.event_name,
            &a.user,
            &a.detail,
        )
            .cmp(&(
                b.time,
                &b.account,
                &b.region,
                &b.stream,
                &b.event_name,
                &b.user,
                &b.detail,
            ))
    });
    for ((account, region, stream), mut times) in resharding {
        times.sort_unstable();
        let mut best: Option<(usize, usize)> = None; // (count, start index)
        for i in 0..times.len() {
            let k = times[i..]
                .iter()
                .take_while(|t| **t < times[i] + DAY)
                .count();
            if best.is_none_or(|(bk, _)| k > bk) {
                best = Some((k, i));
            }
        }
        if let Some((k, i)) = best
            && k as u64 > th.resharding_changes
        {
            report.findings.push(Finding {
                severity: Severity::Warning,
                check: "resharding-churn",
                account: account.to_string(),
                region: region.to_string(),
                stream: stream.to_string(),
                shard: String::new(),
                detail: format!(
                    "{k} shard-count changes within 24 h, from {} to {}",
                    format_time(times[i]),
                    format_time(times[i + k - 1])
                ),
            });
        }
    }

    let rank = |c: &str| CHECKS.iter().position(|x| *x == c).unwrap_or(CHECKS.len());
    report.findings.sort_by(|a, b| {
        (
            a.severity,
            rank(a.check),
            &a.account,
            &a.region,
            &a.stream,
            &a.shard,
            &a.detail,
        )
            .cmp(&(
                b.severity,
                rank(b.check),
                &b.account,
                &b.region,
                &b.stream,
                &b.shard,
                &b.detail,
            ))
    });
    // A stream of two accounts or regions is named once.
    let list = |v: &[String]| {
        let mut seen = BTreeSet::new();
        v.iter()
            .filter(|s| seen.insert(s.as_str()))
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !unknown_count.is_empty() {
        report.stream_notes.push(format!(
            "shard count unknown (no shard-level series, no shard count in CloudTrail), so no capacity use, for: {}",
            list(&unknown_count)
        ));
    }
    if !assumed_retention.is_empty() {
        report.stream_notes.push(format!(
            "retention assumed {DEFAULT_RETENTION_HOURS} h (not seen in CloudTrail) for: {}",
            list(&assumed_retention)
        ));
    }
    report.efo_read = efo_read;
    if !assumed_mode.is_empty() {
        report.stream_notes.push(format!(
            "mode assumed provisioned (not seen in CloudTrail) for: {}",
            list(&assumed_mode)
        ));
    }
    report
}

/// `part / whole` as a percentage in hundredths, exactly for whole numbers.
fn pct_of(part: f64, whole: f64) -> u64 {
    if whole.fract() == 0.0 && whole > 0.0 && whole < 1e18 {
        pct(part, whole as u64)
    } else if whole > 0.0 {
        (part * 10_000.0 / whole + 0.5).floor().max(0.0) as u64
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `no-data` finding: none when a datapoint was checked; otherwise one detail per
    /// reason, each written out here by hand.
    #[test]
    fn no_data_says_why_nothing_was_checked() {
        use crate::metrics::MetricCounts;
        let day = |d: i64| d * DAY;
        let detail = |counts: &MetricCounts, trail: u64, window: Window, filters: &[&str], hint| {
            let filters: Vec<String> = filters.iter().map(|f| f.to_string()).collect();
            no_data(&Coverage {
                counts,
                trail_events: trail,
                window,
                filters: &filters,
                since_from_now: hint,
            })
            .map(|f| {
                assert_eq!(
                    (f.severity, f.check, f.account.as_str(), f.stream.as_str()),
                    (Severity::Critical, "no-data", "", "")
                );
                f.detail
            })
        };
        let open = Window::default();
        let checked = MetricCounts {
            shard_level: 5,
            matched: 1,
            range: Some((0, 60_000)),
            ..MetricCounts::default()
        };
        assert_eq!(detail(&checked, 0, open, &[], false), None);
        let need = "the checks need exports of AWS/Kinesis metrics (Metric Streams, \
                    get-metric-data or get-metric-statistics output)";
        assert_eq!(
            detail(&MetricCounts::default(), 0, open, &[], false).unwrap(),
            format!("no CloudWatch metric datapoints among the inputs; {need}")
        );
        assert_eq!(
            detail(&MetricCounts::default(), 12, open, &[], false).unwrap(),
            format!(
                "no CloudWatch metric datapoints among the inputs (only CloudTrail: 12 Kinesis \
                 events); {need}"
            )
        );
        let elsewhere = MetricCounts {
            other_namespaces: 7,
            other_metrics: 2,
            ..MetricCounts::default()
        };
        assert_eq!(
            detail(&elsewhere, 0, open, &["--stream x"], false).unwrap(),
            "9 datapoints read, none of the checks' AWS/Kinesis metrics (7 outside AWS/Kinesis, \
             2 of Kinesis metrics the checks do not read)"
        );
        // Datapoints from 1970-01-02 to 1970-01-03, none counted.
        let kinesis = MetricCounts {
            stream_level: 3,
            consumer_level: 1,
            range: Some((day(1), day(2))),
            ..MetricCounts::default()
        };
        let span = "(the data spans 1970-01-02T00:00:00Z to 1970-01-03T00:00:00Z)";
        let after = Window {
            since: Some(day(5)),
            until: None,
        };
        assert_eq!(
            detail(&kinesis, 0, after, &[], true).unwrap(),
            format!(
                "4 datapoints of Kinesis streams read, none in the window \
                 1970-01-06T00:00:00Z to … {span}; --relative-to latest counts --since back from \
                 the newest datapoint"
            )
        );
        // Outside the window, filters or not: the window is the reason.
        let before = Window {
            since: None,
            until: Some(day(1)),
        };
        assert_eq!(
            detail(&kinesis, 0, before, &["--stream x"], false).unwrap(),
            format!(
                "4 datapoints of Kinesis streams read, none in the window … to \
                 1970-01-02T00:00:00Z {span}"
            )
        );
        let filters = ["--stream orders", "--region eu-*"];
        assert_eq!(
            detail(&kinesis, 0, open, &filters, false).unwrap(),
            format!(
                "4 datapoints of Kinesis streams read, none through the filters --stream orders, \
                 --region eu-* {span}"
            )
        );
        // A window over the data with filters: both are named.
        let over = Window {
            since: Some(day(1)),
            until: Some(day(3)),
        };
        assert_eq!(
            detail(&kinesis, 0, over, &filters[..1], false).unwrap(),
            format!(
                "4 datapoints of Kinesis streams read, none through the filters --stream orders \
                 in the window 1970-01-02T00:00:00Z to 1970-01-04T00:00:00Z {span}"
            )
        );
        // Over the data's span without filters: a gap in the data.
        assert_eq!(
            detail(&kinesis, 0, over, &[], false).unwrap(),
            format!(
                "4 datapoints of Kinesis streams read, none in the window 1970-01-02T00:00:00Z \
                 to 1970-01-04T00:00:00Z {span}"
            )
        );
    }

    #[test]
    fn percentages_round_half_up_exactly() {
        // 0.5 MiB over a minute of one shard: 1/120 of the limit = 0.8333...%
        assert_eq!(pct(524_288.0, 60 * SHARD_WRITE_BYTES), 83);
        // 1/8 % exactly halfway at the third decimal: 0.125 -> 0.13
        assert_eq!(pct(1.0, 800), 13);
        assert_eq!(pct(0.0, 5), 0);
        assert_eq!(pct(5.0, 0), 0);
        assert_eq!(fmt_pct(8333), "83.33");
        assert_eq!(fmt_pct(5), "0.05");
        assert_eq!(pct_of(1.0, 3.0), 3333);
    }

    impl Change {
        fn with_stream(self, stream: &str) -> Change {
            Change {
                stream: stream.into(),
                ..self
            }
        }
    }

    fn change(name: &str, t: Millis) -> Change {
        Change {
            time: t,
            stream: "s".into(),
            event_name: name.into(),
            ..Change::default()
        }
    }

    #[test]
    fn state_follows_the_changes() {
        let create = Change {
            shard_count: Some(2.0),
            ..change("CreateStream", 0)
        };
        let update = Change {
            target_shard_count: Some(4.0),
            ..change("UpdateShardCount", 10)
        };
        let split = change("SplitShard", 20);
        let merge = change("MergeShards", 30);
        let mode = Change {
            stream_mode: "ON_DEMAND".into(),
            ..change("UpdateStreamMode", 40)
        };
        let retention = Change {
            retention_hours: Some(48.0),
            ..change("IncreaseStreamRetentionPeriod", 50)
        };
        let ev = [&create, &update, &split, &merge, &mode, &retention];
        assert_eq!(state_at(&ev, -1), State::default());
        let s0 = state_at(&ev, 0);
        assert_eq!(
            (s0.count, s0.mode, s0.retention),
            (Some(2), Some(Mode::Provisioned), Some(24))
        );
        assert_eq!(state_at(&ev, 10).count, Some(4));
        assert_eq!(state_at(&ev, 25).count, Some(5));
        assert_eq!(state_at(&ev, 35).count, Some(4));
        assert_eq!(state_at(&ev, 45).mode, Some(Mode::OnDemand));
        assert_eq!(state_at(&ev, 55).retention, Some(48));
        // A split without a known count keeps it unknown.
        assert_eq!(state_at(&[&split], 99).count, None);
    }

    #[test]
    fn a_series_takes_the_events_of_its_account_region_and_stream() {
        let ev = |account: &str, region: &str, stream: &str, t: Millis| {
            Change {
                account: account.into(),
                region: region.into(),
                ..change("CreateStream", t)
            }
            .with_stream(stream)
        };
        let changes = [
            ev("A", "r1", "s", 1),
            ev("B", "r1", "s", 2),
            ev("", "r1", "s", 3),
            ev("A", "r2", "s", 4),
            ev("A", "r1", "other", 5),
        ];
        let times = |account: &str, region: &str| -> Vec<Millis> {
            stream_events(&changes, account, region, "s")
                .iter()
                .map(|c| c.time)
                .collect()
        };
        // Its own account's events and those of no account, never another account's.
        assert_eq!(times("A", "r1"), [1, 3]);
        assert_eq!(times("B", "r1"), [2, 3]);
        assert_eq!(times("C", "r1"), [3]);
        // No region (a CLI export): events of two regions name none.
        assert_eq!(times("A", ""), Vec::<Millis>::new());
        // One region: taken; no account among two: only the events of no account.
        let one_region = &changes[..3];
        let t = |account: &str| -> Vec<Millis> {
            stream_events(one_region, account, "", "s")
                .iter()
                .map(|c| c.time)
                .collect()
        };
        assert_eq!(t(""), [3]);
        assert_eq!(t("B"), [2, 3]);
        // One account among the events: a series of no account takes it.
        assert_eq!(
            stream_events(&changes[..1], "", "", "s")
                .iter()
                .map(|c| c.time)
                .collect::<Vec<_>>(),
            [1]
        );
    }

    #[test]
    fn details_name_the_parameters() {
        let c = Change {
            target_shard_count: Some(8.0),
            error_code: "LimitExceededException".into(),
            ..change("UpdateShardCount", 0)
        };
        assert_eq!(
            change_detail(&c),
            "target shard count 8; failed: LimitExceededException"
        );
        assert_eq!(periods(1, MINUTE), "1 minute");
        assert_eq!(periods(3, 300_000), "3 periods of 5m");
    }
}
