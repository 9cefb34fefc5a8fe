//! The Metrics dashboard's data: CloudWatch datapoints of namespace `AWS/Kinesis`, grouped by
//! series `(account, region, stream, shard)` and metric, and accumulated per time bucket so that Sum,
//! Average (count-weighted) and Maximum come out exact.
//!
//! Stream-level series (dimension `StreamName` only) and shard-level series (`StreamName` and
//! `ShardId`) are kept apart. Consumer-level series (`StreamName` and `ConsumerName`: the
//! enhanced fan-out metrics) are kept only for a query that asks for their metrics (`health`);
//! otherwise, like series with any other dimension, they are counted and left out.

pub mod catalogue;
pub mod exact;
pub mod fast;
pub mod otel;
pub mod parse;
pub mod record;
pub mod repeats;
pub mod series;

use std::sync::Arc;

use rayon::prelude::*;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::filter::{Matcher, StreamFilter};
use crate::pipeline::Merge;
use crate::window::{Millis, Window, auto_period, union_range, widen_range};
use exact::ExactSum;
use series::SeriesMap;
pub use series::{Buckets, Layout};

/// The CloudWatch namespace of Kinesis Data Streams.
pub const KINESIS_NAMESPACE: &str = "AWS/Kinesis";

/// A CloudWatch statistic a panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stat {
    /// Σ sum.
    Sum,
    /// Σ sum / Σ count: a count-weighted mean, never a mean of averages.
    Average,
    /// The largest maximum.
    Maximum,
}

/// What one datapoint carries. Metric Streams carry sum, count and max; `get-metric-data`
/// carries one statistic per query; `get-metric-statistics` what was asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Point {
    /// Sum of the samples.
    pub sum: Option<f64>,
    /// Number of samples.
    pub count: Option<f64>,
    /// Largest sample.
    pub max: Option<f64>,
    /// An average with no sample count (a `get-metric-data` `Average` query).
    pub avg: Option<f64>,
}

/// Everything known about one series and metric in one bucket. Kept small (one per series
/// and bucket is the metrics dashboard's memory): the rarely used averages-without-counts live
/// behind a box.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Acc {
    sum: ExactSum,
    count: ExactSum,
    /// Largest maximum; NaN until one is seen.
    max: MaxOf,
    has_sum: bool,
    has_count: bool,
    /// `get-metric-data` `Average` values: their exact sum and how many.
    avg: Option<Box<(ExactSum, u64)>>,
}

/// The largest of some values; NaN while there are none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct MaxOf(f64);

impl Default for MaxOf {
    fn default() -> Self {
        MaxOf(f64::NAN)
    }
}

impl MaxOf {
    fn add(&mut self, v: f64) {
        // f64::max ignores NaN, so the first value replaces the NaN.
        self.0 = self.0.max(v);
    }
    fn get(self) -> Option<f64> {
        (!self.0.is_nan()).then_some(self.0)
    }
}

impl Acc {
    /// A bucket of what a compact [`Layout`] keeps: a sum, a count, a maximum (an empty sum or
    /// count is none).
    pub(crate) fn of_parts(
        sum: Option<&ExactSum>,
        count: Option<&ExactSum>,
        max: Option<f64>,
    ) -> Acc {
        let sum = sum.filter(|s| !s.is_empty());
        let count = count.filter(|c| !c.is_empty());
        Acc {
            has_sum: sum.is_some(),
            has_count: count.is_some(),
            sum: sum.cloned().unwrap_or_default(),
            count: count.cloned().unwrap_or_default(),
            max: MaxOf(max.unwrap_or(f64::NAN)),
            avg: None,
        }
    }

    /// Adds a datapoint.
    pub fn add(&mut self, p: &Point) {
        if let Some(s) = p.sum {
            self.sum.add(s);
            self.has_sum = true;
        }
        if let Some(c) = p.count {
            self.count.add(c);
            self.has_count = true;
        }
        if let Some(m) = p.max {
            self.max.add(m);
        }
        if let Some(a) = p.avg {
            let avg = self.avg.get_or_insert_with(Default::default);
            avg.0.add(a);
            avg.1 += 1;
        }
    }

    /// Adds another bucket's contents.
    pub fn merge(&mut self, o: &Acc) {
        self.sum.merge(&o.sum);
        self.has_sum |= o.has_sum;
        self.count.merge(&o.count);
        self.has_count |= o.has_count;
        if let Some(m) = o.max.get() {
            self.max.add(m);
        }
        if let Some(oa) = &o.avg {
            let avg = self.avg.get_or_insert_with(Default::default);
            avg.0.merge(&oa.0);
            avg.1 += oa.1;
        }
    }

    /// The statistic, when the datapoints carry what it needs. An Average is Σ sum / Σ count;
    /// from averages without counts (a `get-metric-data` `Average` query) it is their plain
    /// mean, exact only when each bucket holds one of them.
    pub fn stat(&self, stat: Stat) -> Option<f64> {
        match stat {
            Stat::Sum => self.has_sum.then(|| self.sum.value()),
            Stat::Maximum => self.max.get(),
            Stat::Average => {
                let count = self.count.value();
                if self.has_sum && self.has_count && count > 0.0 {
                    Some(self.sum.value() / count)
                } else {
                    self.avg
                        .as_ref()
                        .filter(|a| a.1 > 0)
                        .map(|a| a.0.value() / a.1 as f64)
                }
            }
        }
    }

    /// True when [`stat`](Self::stat) gives the statistic, without working it out (an exact
    /// sum is rounded only when read).
    pub fn has(&self, stat: Stat) -> bool {
        match stat {
            Stat::Sum => self.has_sum,
            Stat::Maximum => self.max.get().is_some(),
            Stat::Average => {
                (self.has_sum && self.has_count && self.count.value() > 0.0)
                    || self.avg.as_ref().is_some_and(|a| a.1 > 0)
            }
        }
    }

    /// The number of samples (Σ SampleCount), when the datapoints carry it.
    pub fn sample_count(&self) -> Option<f64> {
        self.has_count.then(|| self.count.value())
    }

    /// True when no datapoint added anything (a bucket without data).
    pub fn is_empty(&self) -> bool {
        !self.has_sum && !self.has_count && self.max.get().is_none() && self.avg.is_none()
    }

    /// True when the datapoints carry a Sum but nothing an Average can be made of (no
    /// SampleCount and no Average): a `get-metric-data` `Sum` query alone.
    pub fn sum_without_count(&self) -> bool {
        self.has_sum && !self.has_count && self.avg.is_none()
    }

    /// True when an Average here is a mean of averages over more than one datapoint.
    pub fn unweighted_average(&self) -> bool {
        !(self.has_sum && self.has_count) && self.avg.as_ref().is_some_and(|a| a.1 > 1)
    }

    /// The statistics the datapoints carry (see [`Carried`]), to say why a statistic they
    /// cannot give is missing.
    pub fn carried(&self) -> Carried {
        let mut c = Carried::default();
        c.set(Carried::SUM, self.has_sum);
        c.set(
            Carried::SAMPLE_COUNT,
            self.has_count && self.count.value() != 0.0,
        );
        c.set(
            Carried::ZERO_COUNT,
            self.has_count && self.count.value() == 0.0,
        );
        c.set(Carried::MAXIMUM, self.max.get().is_some());
        c.set(Carried::AVERAGE, self.avg.as_ref().is_some_and(|a| a.1 > 0));
        c
    }

    /// The mean of the averages without counts (a `get-metric-data` `Average` query, a
    /// `get-metric-statistics` Average without SampleCount), whatever else the datapoints
    /// carry: with the Sum and SampleCount, [`stat`](Self::stat) gives the weighted Average.
    pub fn plain_average(&self) -> Option<f64> {
        self.avg
            .as_ref()
            .filter(|a| a.1 > 0)
            .map(|a| a.0.value() / a.1 as f64)
    }
}

/// Which statistics a bucket's datapoints carry: a set of the flags below.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Carried(pub u8);

impl Carried {
    /// A Sum.
    pub const SUM: u8 = 1;
    /// A SampleCount above 0.
    pub const SAMPLE_COUNT: u8 = 2;
    /// A SampleCount of 0: no samples.
    pub const ZERO_COUNT: u8 = 4;
    /// A Maximum.
    pub const MAXIMUM: u8 = 8;
    /// An Average without a SampleCount.
    pub const AVERAGE: u8 = 16;

    fn set(&mut self, flag: u8, on: bool) {
        if on {
            self.0 |= flag;
        }
    }

    /// True when `flag` is in the set.
    pub fn has(self, flag: u8) -> bool {
        self.0 & flag != 0
    }

    /// The statistics in words: `an Average`, `a Sum and a SampleCount of 0`.
    pub fn words(self) -> String {
        let names = [
            (Self::SUM, "a Sum"),
            (Self::SAMPLE_COUNT, "a SampleCount"),
            (Self::ZERO_COUNT, "a SampleCount of 0"),
            (Self::MAXIMUM, "a Maximum"),
            (Self::AVERAGE, "an Average"),
        ];
        let parts: Vec<&str> = names
            .iter()
            .filter(|(f, _)| self.has(*f))
            .map(|(_, n)| *n)
            .collect();
        crate::text::and_list(&parts)
    }
}

/// Positions of the fields in a [`MetricsCube::series`] key.
pub mod key {
    /// Account (empty for inputs that do not say, see [`crate::account`]).
    pub const ACCOUNT: usize = 0;
    /// Region (empty for inputs that do not say).
    pub const REGION: usize = 1;
    /// `StreamName`.
    pub const STREAM: usize = 2;
    /// `ShardId`, empty for stream-level and consumer-level series.
    pub const SHARD: usize = 3;
    /// `ConsumerName`, empty but for consumer-level series (enhanced fan-out metrics).
    pub const CONSUMER: usize = 4;
    /// Metric name.
    pub const METRIC: usize = 5;
    /// Number of key fields.
    pub const LEN: usize = 6;
}

/// Counts over all datapoints read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MetricCounts {
    /// Kinesis datapoints of stream-level series, before window and filters.
    pub stream_level: u64,
    /// Kinesis datapoints of shard-level series, before window and filters.
    pub shard_level: u64,
    /// Kinesis datapoints of consumer-level series the query reads, before window and filters.
    pub consumer_level: u64,
    /// Kinesis datapoints of series with other dimensions (and of consumers, unless the query
    /// reads their metrics), left out.
    pub other_dimensions: u64,
    /// Kinesis datapoints of metrics no panel shows.
    pub other_metrics: u64,
    /// Datapoints of other namespaces, left out.
    pub other_namespaces: u64,
    /// Datapoints in the window and through the filters.
    pub matched: u64,
    /// Time range of the Kinesis datapoints of the panels' metrics.
    pub range: Option<(Millis, Millis)>,
    /// Time range of the matched datapoints.
    pub matched_range: Option<(Millis, Millis)>,
    /// Accounts of the Kinesis datapoints of the panels' metrics, before window and filters.
    pub accounts: crate::account::Accounts,
    /// Matched datapoints that repeat a series, statistic and time already read, counted
    /// again (see [`repeats`]; none with `--dedup`).
    pub repeated: u64,
    /// Matched datapoints not checked for repeats: not on a whole minute, or too far from the
    /// rest of their series (none with `--dedup`, which checks every one).
    pub unchecked: u64,
    /// With `--dedup`: datapoints left out (or, for the few only some of whose statistics were
    /// counted before, counted with the others only).
    pub duplicates: u64,
    /// The earliest repeat (its time, then its series key, decide): to name it.
    pub first_repeat: Option<(Millis, [String; key::LEN])>,
}

impl MetricCounts {
    /// Notes a repeat of `series` at `time`, when it is the earliest.
    fn note_repeat(&mut self, time: Millis, series: [&str; key::LEN]) {
        let earlier = match &self.first_repeat {
            None => true,
            Some((t, k)) => (time, series) < (*t, k.each_ref().map(String::as_str)),
        };
        if earlier {
            self.first_repeat = Some((time, series.map(str::to_string)));
        }
    }
}

impl Merge for MetricCounts {
    fn merge(&mut self, o: Self) {
        self.stream_level += o.stream_level;
        self.shard_level += o.shard_level;
        self.consumer_level += o.consumer_level;
        self.other_dimensions += o.other_dimensions;
        self.other_metrics += o.other_metrics;
        self.other_namespaces += o.other_namespaces;
        self.matched += o.matched;
        self.range = union_range(self.range, o.range);
        self.matched_range = union_range(self.matched_range, o.matched_range);
        self.accounts.merge(o.accounts);
        self.repeated += o.repeated;
        self.unchecked += o.unchecked;
        self.duplicates += o.duplicates;
        if let Some((t, k)) = o.first_repeat {
            self.note_repeat(t, k.each_ref().map(String::as_str));
        }
    }
}

/// What to count.
#[derive(Debug, Clone)]
pub struct Query {
    /// Only datapoints in this window.
    pub window: Window,
    /// `--stream`: names, globs and stream ARNs (checked against the series' account and
    /// region).
    pub streams: StreamFilter,
    /// `--shard`.
    pub shards: Matcher,
    /// `--region`.
    pub regions: Matcher,
    /// `--account`.
    pub accounts: Matcher,
    /// Width of the buckets datapoints are accumulated in (the panels may merge them further).
    pub bucket: Millis,
    /// Widen the buckets as the data's range grows, to the default period of that range, so
    /// memory stays bounded by [`crate::window::MAX_AUTO_BUCKETS`] per series however long the data runs
    /// (when the period is neither given nor fixed by a bounded window).
    pub adaptive: bool,
    /// With `adaptive`: the range of matched datapoints all threads have seen, so each thread
    /// widens its buckets as soon as the data as a whole is long, not only its own share.
    pub shared_range: Arc<SharedRange>,
    /// Metric names of stream-level series to keep (the panels' metrics).
    pub stream_metrics: Vec<&'static str>,
    /// Metric names of shard-level series to keep.
    pub shard_metrics: Vec<&'static str>,
    /// Metric names of consumer-level series to keep; when empty (the Metrics dashboard),
    /// consumer-level datapoints are counted as other dimensions.
    pub consumer_metrics: Vec<&'static str>,
    /// Keep per bucket only what the Metrics panel of each series reads (see [`Layout`]),
    /// rather than every statistic (`health` reads them all).
    pub compact: bool,
    /// Only find the time range (first pass of `--relative-to latest`).
    pub scan_only: bool,
    /// With `--dedup`: the statistics of every (series, time) counted so far, shared by all
    /// threads; a datapoint whose every statistic was counted is left out.
    pub dedup: Option<Arc<repeats::SeenPoints>>,
}

impl Query {
    /// Everything in `window`, every stream, shard and region, the panels' metrics, in buckets
    /// of `bucket`.
    pub fn new(window: Window, bucket: Millis) -> Self {
        let (stream_metrics, shard_metrics) = catalogue::metric_names();
        Query {
            window,
            streams: StreamFilter::default(),
            shards: Matcher::default(),
            regions: Matcher::default(),
            accounts: Matcher::default(),
            bucket,
            adaptive: false,
            shared_range: Arc::default(),
            stream_metrics,
            shard_metrics,
            consumer_metrics: Vec::new(),
            compact: true,
            scan_only: false,
            dedup: None,
        }
    }
}

/// An inclusive time range updated by many threads.
#[derive(Debug)]
pub struct SharedRange {
    first: AtomicI64,
    last: AtomicI64,
}

impl Default for SharedRange {
    fn default() -> Self {
        SharedRange {
            first: AtomicI64::new(i64::MAX),
            last: AtomicI64::new(i64::MIN),
        }
    }
}

impl SharedRange {
    /// Widens the range to cover `t`.
    pub fn widen(&self, t: Millis) {
        self.first.fetch_min(t, Ordering::Relaxed);
        self.last.fetch_max(t, Ordering::Relaxed);
    }

    /// The range, once anything was added.
    pub fn get(&self) -> Option<(Millis, Millis)> {
        let (a, b) = (
            self.first.load(Ordering::Relaxed),
            self.last.load(Ordering::Relaxed),
        );
        (a <= b).then_some((a, b))
    }
}

/// Datapoints between two looks at the shared range (the own range is looked at every time it
/// grows).
const SHARED_CHECK_EVERY: u32 = 4096;

/// Where a datapoint comes from: the account and region of its resource. A reader fills in what
/// its format says (Metric Streams' `account_id` and `region`, OpenTelemetry's
/// `cloud.account.id` and `cloud.region`) and leaves the rest empty; the account falls back to
/// the file's S3 key ([`crate::account::of`]).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Origin<'a> {
    /// The AWS account id.
    pub account: &'a str,
    /// The region.
    pub region: &'a str,
}

/// The dimensions of a datapoint, as far as the panels care.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Dims<'a> {
    /// `StreamName`.
    pub stream: &'a str,
    /// `ShardId`.
    pub shard: &'a str,
    /// `ConsumerName` (enhanced fan-out metrics).
    pub consumer: &'a str,
    /// Any other dimension present.
    pub other: bool,
}

/// What the cube keeps of one series.
#[derive(Debug, Clone)]
struct Series {
    /// Its metric is one the panels read at its level (stream or shard).
    wanted: bool,
    /// It passes the stream, shard, region and account filters.
    passes: bool,
    /// Its account is in [`MetricCounts::accounts`] (added at its first datapoint, not at
    /// every one: the datapoints of a few accounts come interleaved).
    account_noted: bool,
    /// Its buckets (empty for series that are not counted).
    buckets: Buckets,
    /// The minutes and statistics of its datapoints counted, to find repeats.
    minutes: repeats::Minutes,
    /// With `--dedup`: the hash of its key, the same in every thread.
    hash: u64,
}

impl Series {
    /// A series first seen, judged by `q`: `[account, region, stream, shard, consumer,
    /// metric]`.
    fn new(q: &Query, k: &[&str; key::LEN], width: Millis) -> Self {
        let account = k[key::ACCOUNT];
        let (region, stream, shard, metric) = (
            k[key::REGION],
            k[key::STREAM],
            k[key::SHARD],
            k[key::METRIC],
        );
        let metrics = if !k[key::CONSUMER].is_empty() {
            &q.consumer_metrics
        } else if shard.is_empty() {
            &q.stream_metrics
        } else {
            &q.shard_metrics
        };
        let layout = if q.compact && k[key::CONSUMER].is_empty() {
            catalogue::layout(metric, !shard.is_empty())
        } else {
            Layout::Full
        };
        Series {
            wanted: metrics.contains(&metric),
            passes: q.streams.matches(stream, account, region)
                && q.shards.matches(shard)
                && q.regions.matches(region)
                && q.accounts.matches(account),
            account_noted: false,
            buckets: Buckets::new(width, layout),
            minutes: repeats::Minutes::default(),
            hash: if q.dedup.is_some() {
                repeats::series_hash(k)
            } else {
                0
            },
        }
    }
}

/// The aggregate of the Metrics dashboard, counting under one [`Query`]. Each series is looked
/// up once per datapoint; whether the query counts it is decided the first time it is seen.
#[derive(Debug, Default, Clone)]
pub struct MetricsCube {
    /// Per `[account, region, stream, shard, consumer, metric]` ([`key`]) of the Kinesis
    /// stream, shard (and, when the query reads them, consumer) series seen.
    series: SeriesMap<{ key::LEN }, Series>,
    /// The bucket width datapoints go into now (0 until the first one); every width divides
    /// the panels' period.
    pub width: Millis,
    /// Datapoints since the shared range was last looked at.
    since_check: u32,
    /// Counts over everything read.
    pub counts: MetricCounts,
    /// The Metric Streams reader's prefix cache for this cube (its classes hold this cube's
    /// series ids, so it is never merged), taken out while a text is read.
    pub(crate) prefixes: Option<Box<Prefixes>>,
    /// Datapoints of statistics no panel or check reads, of series the query keeps (see
    /// [`count_other_stat`](Self::count_other_stat)).
    pub other_stats: OtherStats,
}

/// Datapoints of statistics no panel or check reads (get-metric-data's `Minimum` and extended
/// statistics: `p99`, `tm90`, ...), by series key ([`key`]) and statistic as the query names it:
/// their times and values, in no order. Only CLI exports carry them, a few per query.
pub type OtherStats = std::collections::BTreeMap<([String; key::LEN], String), Vec<(Millis, f64)>>;

/// True when `stat`, as get-metric-data names it, is never above the Maximum of the same
/// samples: Minimum, Average, percentiles (`p99`), trimmed and winsorized means (`tm99`,
/// `TM(10%:90%)`, `wm99`, `WM(...)`) and the interquartile mean (`IQM`). A value of one is then a
/// lower bound of the Maximum. Trimmed counts and sums (`tc`, `ts`) and percentile ranks (`PR`)
/// are not.
pub fn bounds_maximum(stat: &str) -> bool {
    let s = stat.to_ascii_lowercase();
    let after = |prefix: &str| {
        s.strip_prefix(prefix)
            .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit() || c == '(' || c == '.'))
    };
    matches!(s.as_str(), "minimum" | "average" | "iqm") || after("p") || after("tm") || after("wm")
}

/// What [`MetricsCube::classify`] made of a datapoint's identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// A namespace other than `AWS/Kinesis`.
    OtherNamespace,
    /// Dimensions of no series the query keeps.
    OtherDimensions,
    /// A series of the cube, by id.
    Series {
        /// Its id in the cube.
        id: u32,
        /// Stream, shard or consumer level.
        level: Level,
    },
}

/// Datapoints of known series read but not yet counted (see [`MetricsCube::count_soon`]),
/// and the room to sort them by series. Kept with the cube's [`Prefixes`] from text to text,
/// empty between them, so that its room is made once a thread, not once a file.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pending {
    /// In the order read.
    points: Vec<Held>,
    /// Indices into `points`, by series.
    order: Vec<u32>,
    /// Per series id (after the classes of no series): where its datapoints start in `order`.
    starts: Vec<u32>,
}

/// A datapoint [`Pending`] holds: 40 bytes, where its class, time and [`Point`] take 80 (a
/// file's ~15,000 held datapoints are then ~600 KB, not ~1.2 MB, of a core's 2 MiB second-level
/// cache). Its statistics are a Metric Streams record's, with no average; an absent one is a NaN,
/// which no value held is (see [`MetricsCube::count_soon`]).
#[derive(Debug, Clone, Copy)]
struct Held {
    class: Class,
    time: Millis,
    sum: f64,
    count: f64,
    max: f64,
}

impl Held {
    /// `point` as held, when it can be: no average, and no statistic a NaN.
    #[inline]
    fn of(class: Class, time: Millis, point: &Point) -> Option<Held> {
        let held = |v: Option<f64>| match v {
            None => Some(f64::NAN),
            Some(v) if v.is_nan() => None,
            Some(v) => Some(v),
        };
        match (
            held(point.sum),
            held(point.count),
            held(point.max),
            point.avg,
        ) {
            (Some(sum), Some(count), Some(max), None) => Some(Held {
                class,
                time,
                sum,
                count,
                max,
            }),
            _ => None,
        }
    }

    /// The datapoint held.
    #[inline]
    fn point(&self) -> Point {
        let given = |v: f64| (!v.is_nan()).then_some(v);
        Point {
            sum: given(self.sum),
            count: given(self.count),
            max: given(self.max),
            avg: None,
        }
    }
}

/// How many datapoints [`MetricsCube::count_soon`] holds back at most: a file of a Metric
/// Streams export has about 15,000, seven minutes of a few thousand series.
const PENDING: usize = 1 << 14;

/// Asks the CPU to bring `value` into cache without waiting for it: the lines of its first and
/// its last byte, all of its lines for a value of at most 65 bytes (a datapoint [`Pending`]
/// holds is 40: one line or two). A hint that never faults and changes nothing the program sees.
#[inline(always)]
fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let first = std::ptr::from_ref(value).cast::<i8>();
        let last = first.wrapping_add(std::mem::size_of::<T>().saturating_sub(1));
        // SAFETY: a prefetch reads nothing the program sees and never faults, whatever the
        // address; SSE is part of every x86_64 target.
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(first);
            _mm_prefetch::<_MM_HINT_T0>(last);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

/// How far ahead of the datapoint counted [`MetricsCube::count_pending`] asks for the next.
const AHEAD: usize = 8;

/// The level of a series, by its dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    /// `StreamName` only.
    Stream,
    /// `StreamName` and `ShardId`.
    Shard,
    /// `StreamName` and `ConsumerName`.
    Consumer,
}

/// The Metric Streams prefix cache of a cube, and the account of the file path it was filled
/// under: a record without `account_id` takes the path's, so the classes it holds are true only
/// for files of that path account. With it, the room for datapoints held back while a text is
/// read.
#[derive(Debug, Clone, Default)]
pub(crate) struct Prefixes {
    /// Classes by record prefix.
    pub cache: fast::PrefixCache<Class>,
    /// The path account the cache was filled under.
    pub path_account: String,
    /// Datapoints of known records held back ([`MetricsCube::count_soon`]); empty between texts.
    pub pending: Pending,
}

impl Prefixes {
    /// Ready for a file of `path_account`: emptied when it was filled under another.
    pub fn for_path_account(&mut self, path_account: &str) {
        if self.path_account != path_account {
            self.cache.clear();
            path_account.clone_into(&mut self.path_account);
        }
    }
}

impl Merge for MetricsCube {
    fn merge(&mut self, o: Self) {
        // A cube is merged once reading is over: its prefix cache is of no more use (`o`'s,
        // holding `o`'s series ids, is dropped with it).
        self.prefixes = None;
        // Both into the wider buckets: each width divides the wider one.
        let width = self.width.max(o.width);
        if self.width != width {
            self.coarsen(width);
        }
        // The other cube's series are found or made here, one after the other; their buckets
        // are then merged into ours on the pool, each of our series taking at most one (the
        // buckets of a day of minutes are most of a merge's work).
        let mut incoming: Vec<Option<(Buckets, repeats::Minutes)>> = Vec::new();
        for (k, s) in o.series.into_entries() {
            let key = k.each_ref().map(String::as_str);
            let layout = s.buckets.layout();
            let id = self.series.id_with(key, |_| Series {
                buckets: Buckets::new(width, layout),
                minutes: repeats::Minutes::default(),
                ..s
            });
            if incoming.len() <= id {
                incoming.resize_with(id + 1, || None);
            }
            incoming[id] = Some((s.buckets, s.minutes));
        }
        incoming.resize_with(self.series.len(), || None);
        // Repeats across the two: (how many, the earliest) per series.
        let repeats: Vec<(u64, Option<Millis>)> = self
            .series
            .values_mut()
            .par_iter_mut()
            .zip(incoming)
            .map(|(mine, theirs)| {
                let Some((mut buckets, minutes)) = theirs else {
                    return (0, None);
                };
                if !buckets.is_empty() && buckets.width() != width {
                    buckets.coarsen(width);
                }
                if mine.buckets.is_empty() {
                    mine.buckets = Buckets::new(width, mine.buckets.layout());
                }
                mine.buckets.merge(buckets);
                mine.minutes.merge(minutes)
            })
            .collect();
        for (id, (n, earliest)) in repeats.into_iter().enumerate() {
            self.counts.repeated += n;
            if let Some(t) = earliest {
                self.counts.note_repeat(t, self.series.key(id));
            }
        }
        self.width = width;
        self.counts.merge(o.counts);
        for (k, mut points) in o.other_stats {
            self.other_stats.entry(k).or_default().append(&mut points);
        }
    }
}

impl MetricsCube {
    /// Counts one datapoint under `q`.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub fn add(
        &mut self,
        q: &Query,
        origin: Origin<'_>,
        namespace: &str,
        metric: &str,
        dims: Dims<'_>,
        time: Millis,
        point: &Point,
    ) {
        let class = self.classify(q, origin, namespace, metric, dims);
        self.count(q, class, time, point);
    }

    /// What [`add`](Self::add) makes of a datapoint's identity under `q`, before counting it
    /// (a series first seen is made here). The same identity gives the same class for as long
    /// as the cube lives, so a reader may keep it ([`fast::PrefixCache`]) and [`count`](Self::count)
    /// later datapoints of that identity with it.
    #[inline]
    pub(crate) fn classify(
        &mut self,
        q: &Query,
        origin: Origin<'_>,
        namespace: &str,
        metric: &str,
        dims: Dims<'_>,
    ) -> Class {
        if namespace != KINESIS_NAMESPACE {
            return Class::OtherNamespace;
        }
        // A consumer-level series has no ShardId; one with both is of no known shape.
        let consumer = !dims.consumer.is_empty();
        if dims.other
            || dims.stream.is_empty()
            || (consumer && (!dims.shard.is_empty() || q.consumer_metrics.is_empty()))
        {
            return Class::OtherDimensions;
        }
        let width = self.width;
        let key = [
            origin.account,
            origin.region,
            dims.stream,
            dims.shard,
            dims.consumer,
            metric,
        ];
        let id = self.series.id_with(key, |k| Series::new(q, k, width));
        let level = if consumer {
            Level::Consumer
        } else if dims.shard.is_empty() {
            Level::Stream
        } else {
            Level::Shard
        };
        // Ids are below the number of series, which a u32 counts (SeriesMap keeps them so).
        Class::Series {
            id: id as u32,
            level,
        }
    }

    /// Counts one datapoint of `class` (from [`classify`](Self::classify) on this cube) under
    /// `q`, and checks it for a repeat (see [`repeats`]).
    #[inline]
    pub(crate) fn count(&mut self, q: &Query, class: Class, time: Millis, point: &Point) {
        let c = &mut self.counts;
        let (id, level) = match class {
            Class::OtherNamespace => {
                c.other_namespaces += 1;
                return;
            }
            Class::OtherDimensions => {
                c.other_dimensions += 1;
                return;
            }
            Class::Series { id, level } => (id as usize, level),
        };
        let series = self.series.get_mut(id);
        if !series.wanted {
            c.other_metrics += 1;
            return;
        }
        match level {
            Level::Consumer => c.consumer_level += 1,
            Level::Stream => c.stream_level += 1,
            Level::Shard => c.shard_level += 1,
        }
        widen_range(&mut c.range, time);
        let noted = std::mem::replace(&mut series.account_noted, true);
        let passes = series.passes;
        if !noted {
            c.accounts.add(self.series.key(id)[key::ACCOUNT]);
        }
        if q.scan_only || !passes || !q.window.contains(time) {
            return;
        }
        if q.dedup.is_some() {
            self.count_once(q, id, time, point);
            return;
        }
        match self
            .series
            .get_mut(id)
            .minutes
            .check(time, repeats::bits(point))
        {
            repeats::Check::New => {}
            repeats::Check::Repeat => self.note_repeat(id, time),
            repeats::Check::Unchecked => self.counts.unchecked += 1,
        }
        self.count_matched(q, id, time, point);
    }

    /// With `--dedup`: counts what of a matched datapoint of series `id` was not counted
    /// before, whichever thread counted it (see [`repeats`]); a datapoint whose every
    /// statistic was is left out.
    #[cold]
    #[inline(never)]
    fn count_once(&mut self, q: &Query, id: usize, time: Millis, point: &Point) {
        let Some(seen) = &q.dedup else { return };
        let b = repeats::bits(point);
        let before = seen.mark(self.series.get(id).hash, time, b) & b;
        if before == 0 {
            self.count_matched(q, id, time, point);
            return;
        }
        self.counts.duplicates += 1;
        if before != b {
            self.count_matched(q, id, time, &repeats::without(point, before));
        }
    }

    #[cold]
    fn note_repeat(&mut self, id: usize, time: Millis) {
        self.counts.repeated += 1;
        self.counts.note_repeat(time, self.series.key(id));
    }

    /// Counts a datapoint of series `id` in the window and through the filters.
    #[inline(always)]
    fn count_matched(&mut self, q: &Query, id: usize, time: Millis, point: &Point) {
        let c = &mut self.counts;
        c.matched += 1;
        let before = c.matched_range;
        widen_range(&mut c.matched_range, time);
        if self.width == 0 {
            self.width = q.bucket;
        }
        if q.adaptive {
            let grew = before != self.counts.matched_range;
            if grew {
                q.shared_range.widen(time);
            }
            self.since_check += 1;
            if grew || self.since_check >= SHARED_CHECK_EVERY {
                self.since_check = 0;
                let wanted = auto_period(q.shared_range.get());
                if wanted > self.width {
                    self.coarsen(wanted);
                }
            }
        }
        let width = self.width;
        let buckets = &mut self.series.get_mut(id).buckets;
        if buckets.width() != width {
            // Made before the first datapoint set the width.
            *buckets = Buckets::new(width, buckets.layout());
        }
        buckets.add(time, point);
    }

    /// Counts a datapoint of a statistic no panel or check reads (`stat`, as the query names
    /// it: `Minimum`, `p99`): among the other metrics, as ever; and when it is of a series the
    /// query keeps, in the window and through the filters, it is kept in
    /// [`other_stats`](Self::other_stats), so that a panel or check left without data can say
    /// what the input carried instead.
    #[allow(clippy::too_many_arguments)]
    pub fn count_other_stat(
        &mut self,
        q: &Query,
        origin: Origin<'_>,
        namespace: &str,
        metric: &str,
        dims: Dims<'_>,
        stat: &str,
        time: Millis,
        value: f64,
    ) {
        self.counts.other_metrics += 1;
        if q.scan_only || !q.window.contains(time) {
            return;
        }
        let Class::Series { id, .. } = self.classify(q, origin, namespace, metric, dims) else {
            return;
        };
        let series = self.series.get(id as usize);
        if !series.wanted || !series.passes {
            return;
        }
        let key = self.series.key(id as usize).map(str::to_string);
        self.other_stats
            .entry((key, stat.to_string()))
            .or_default()
            .push((time, value));
    }

    /// Counts a datapoint of `class` as [`count`](Self::count) does, later, with others of its
    /// series. A Metric Streams export gives a datapoint per series and minute in no order of
    /// series, so each lands on a series and an accumulator (a page of memory per series) that
    /// the text read since that series' last datapoint pushed out of cache: counted as read,
    /// nearly every datapoint waits for memory. Held back and counted series by series
    /// ([`count_pending`](Self::count_pending)), the minutes of one series are counted one
    /// after the other, on memory the first brought in. The caller counts the pending
    /// datapoints before any other and before the cube is read.
    #[inline]
    pub(crate) fn count_soon(
        &mut self,
        q: &Query,
        pending: &mut Pending,
        class: Class,
        time: Millis,
        point: &Point,
    ) {
        let Some(held) = Held::of(class, time, point) else {
            // Not as a Metric Streams record gives it: counted now, after those held (so a
            // series still sees its datapoints in the order read).
            self.count_pending(q, pending);
            self.count(q, class, time, point);
            return;
        };
        pending.points.push(held);
        if pending.points.len() >= PENDING {
            self.count_pending(q, pending);
        }
    }

    /// Counts the datapoints [`count_soon`](Self::count_soon) holds back: series by series, in
    /// the order read within each (a counting sort by series id, which is stable). The order of
    /// datapoints of different series changes nothing [`count`](Self::count) gives: their
    /// accumulators and counts are apart or sums, and the account of a series is noted at its
    /// first datapoint, counted before its class was known.
    pub(crate) fn count_pending(&mut self, q: &Query, pending: &mut Pending) {
        let Pending {
            points,
            order,
            starts,
        } = pending;
        if points.is_empty() {
            return;
        }
        // Slot 0 for the classes of no series, then one per series id.
        let slot = |c: &Class| match c {
            Class::Series { id, .. } => *id as usize + 1,
            _ => 0,
        };
        starts.clear();
        starts.resize(self.series.len() + 2, 0);
        for h in points.iter() {
            starts[slot(&h.class) + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        order.clear();
        order.resize(points.len(), 0);
        for (i, h) in points.iter().enumerate() {
            let at = &mut starts[slot(&h.class)];
            // At most PENDING points.
            order[*at as usize] = i as u32;
            *at += 1;
        }
        for (k, &i) in order.iter().enumerate() {
            // The datapoints are read out of order: the one a few places on is asked for now.
            if let Some(&ahead) = order.get(k + AHEAD) {
                prefetch(&points[ahead as usize]);
            }
            let h = points[i as usize];
            self.count(q, h.class, h.time, &h.point());
        }
        points.clear();
    }

    /// The input's own spacing: the smallest step between two buckets with data of one series
    /// (`None` when no series has two). Datapoints every 30 minutes have a spacing of 30
    /// minutes whatever the buckets they were gathered in, as long as those are finer.
    pub fn spacing(&self) -> Option<Millis> {
        self.series()
            .filter_map(|(_, buckets)| {
                let mut times = buckets.times();
                let first = times.next()?;
                times
                    .scan(first, |prev, t| Some(t - std::mem::replace(prev, t)))
                    .min()
            })
            .min()
    }

    /// Merges every bucket into buckets of `width` (a multiple of the current width).
    pub fn coarsen(&mut self, width: Millis) {
        for s in self.series.iter_mut() {
            if s.buckets.is_empty() {
                s.buckets = Buckets::new(width, s.buckets.layout());
            } else {
                s.buckets.coarsen(width);
            }
        }
        self.width = width;
    }

    /// Every series with data and its buckets, `[account, region, stream, shard, consumer,
    /// metric]` as indexed by [`key`], in no particular order.
    pub fn series(&self) -> impl Iterator<Item = ([&str; key::LEN], &Buckets)> {
        self.series
            .iter()
            .filter(|(_, s)| !s.buckets.is_empty())
            .map(|(k, s)| (k, &s.buckets))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(sum: f64, count: f64, max: f64) -> Point {
        Point {
            sum: Some(sum),
            count: Some(count),
            max: Some(max),
            avg: None,
        }
    }

    /// Counts `point` under `q` for stream `stream`'s `metric` (account "1", region "r") at
    /// `minute`.
    fn add_at(
        cube: &mut MetricsCube,
        q: &Query,
        stream: &str,
        metric: &str,
        minute: i64,
        point: &Point,
    ) {
        let dims = Dims {
            stream,
            ..Dims::default()
        };
        let origin = Origin {
            account: "1",
            region: "r",
        };
        cube.add(
            q,
            origin,
            KINESIS_NAMESPACE,
            metric,
            dims,
            minute * 60_000,
            point,
        );
    }

    /// Datapoints held back and counted series by series make the cube counting each as read
    /// makes: the same series, buckets and counts, over more datapoints than are held at once,
    /// with datapoints of other namespaces and of series no panel shows among them, and with
    /// the held ones counted (before) wherever a datapoint is counted at once.
    #[test]
    fn datapoints_counted_later_give_the_same_cube() {
        let q = Query::new(Window::default(), 60_000);
        let metrics = ["IncomingBytes", "GetRecords.Latency", "NoSuchMetric"];
        let (mut now, mut later) = (MetricsCube::default(), MetricsCube::default());
        let mut pending = Pending::default();
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let n = PENDING * 2 + 123;
        for i in 0..n {
            seed = crate::testing::xorshift(seed);
            let stream = format!("s{}", seed % 97);
            let metric = metrics[(seed >> 20) as usize % metrics.len()];
            let namespace = if seed.is_multiple_of(11) {
                "AWS/EC2"
            } else {
                KINESIS_NAMESPACE
            };
            let minute = (seed >> 32) as i64 % 300;
            let v = (seed >> 40) as f64 / 7.0;
            let mut point = p(v, 1.0 + (seed % 3) as f64, v);
            // Now and then a datapoint not as Metric Streams give them: a statistic absent,
            // a NaN maximum, an average without a count.
            match (seed >> 8) % 16 {
                0 => point.count = None,
                1 => point.sum = None,
                2 => point.max = Some(f64::NAN),
                3 => (point.count, point.avg) = (None, Some(v / 2.0)),
                _ => {}
            }
            let origin = Origin {
                account: "1",
                region: "r",
            };
            let dims = Dims {
                stream: &stream,
                ..Dims::default()
            };
            let time = minute * 60_000 + (i % 60) as i64;
            let class = now.classify(&q, origin, namespace, metric, dims);
            now.count(&q, class, time, &point);
            let class = later.classify(&q, origin, namespace, metric, dims);
            if i % 1000 == 999 {
                // Counted at once, as a record read whole is.
                later.count_pending(&q, &mut pending);
                later.count(&q, class, time, &point);
            } else {
                later.count_soon(&q, &mut pending, class, time, &point);
            }
        }
        later.count_pending(&q, &mut pending);
        let shown = |c: &MetricsCube| {
            let mut series: Vec<String> = c
                .series()
                .map(|(k, b)| format!("{k:?} {:?}", b.iter().collect::<Vec<_>>()))
                .collect();
            series.sort();
            (series, format!("{:?} {}", c.counts, c.width))
        };
        let (series, counts) = shown(&now);
        assert!(series.len() > 97, "{}", series.len());
        assert!(now.counts.other_namespaces > 0 && now.counts.other_metrics > 0);
        assert_eq!(shown(&later), (series, counts));
    }

    /// Repeats between the cubes of two threads are found when they are merged, as one cube
    /// reading everything finds them: a Metric Streams datapoint (sum, count and maximum) read
    /// by both is one repeat; get-metric-data Sum and Maximum results read by both are one
    /// each; a Sum on one side and a Maximum on the other are none. The earliest is named.
    #[test]
    fn repeats_across_threads_are_found_at_the_merge() {
        let q = Query::new(Window::default(), 60_000);
        let sum = Point {
            sum: Some(1.0),
            ..Point::default()
        };
        let max = Point {
            max: Some(1.0),
            ..Point::default()
        };
        let (mut a, mut b, mut one) = (
            MetricsCube::default(),
            MetricsCube::default(),
            MetricsCube::default(),
        );
        let first: [(&str, i64, Point); 4] = [
            ("IncomingBytes", 5, p(1.0, 1.0, 1.0)),
            ("IncomingRecords", 7, sum),
            ("IncomingRecords", 7, max),
            ("PutRecord.Latency", 9, sum),
        ];
        let second: [(&str, i64, Point); 5] = [
            ("IncomingBytes", 5, p(1.0, 1.0, 1.0)),
            ("IncomingBytes", 6, p(1.0, 1.0, 1.0)),
            ("IncomingRecords", 7, max),
            ("IncomingRecords", 7, sum),
            ("PutRecord.Latency", 9, max),
        ];
        for (metric, minute, point) in first {
            add_at(&mut a, &q, "s", metric, minute, &point);
            add_at(&mut one, &q, "s", metric, minute, &point);
        }
        for (metric, minute, point) in second {
            add_at(&mut b, &q, "s", metric, minute, &point);
            add_at(&mut one, &q, "s", metric, minute, &point);
        }
        assert_eq!((a.counts.repeated, b.counts.repeated), (0, 0));
        a.merge(b);
        assert_eq!(one.counts.repeated, 3);
        assert_eq!(a.counts.repeated, 3);
        let earliest = |c: &MetricsCube| c.counts.first_repeat.clone().unwrap();
        assert_eq!(earliest(&a), earliest(&one));
        assert_eq!(earliest(&a).0, 5 * 60_000);
        assert_eq!(earliest(&a).1[key::METRIC], "IncomingBytes");
    }

    #[test]
    fn statistics_are_exact_and_weighted() {
        let mut a = Acc::default();
        a.add(&p(10.0, 1.0, 10.0));
        a.add(&p(30.0, 3.0, 12.0));
        a.add(&p(2.0, 4.0, 1.5));
        assert_eq!(a.stat(Stat::Sum), Some(42.0));
        // Weighted: 42 / 8 = 5.25; the mean of the averages (10, 10, 0.5) would be 6.83.
        assert_eq!(a.stat(Stat::Average), Some(5.25));
        assert_eq!(a.stat(Stat::Maximum), Some(12.0));
        let mut b = Acc::default();
        b.add(&p(1.0, 9.0, 0.5));
        a.merge(&b);
        assert_eq!(a.stat(Stat::Average), Some(43.0 / 17.0));
        assert_eq!(a.stat(Stat::Maximum), Some(12.0));
        assert!(!a.unweighted_average());
    }

    #[test]
    fn adaptive_buckets_widen_exactly() {
        let fixed_q = Query::new(Window::default(), 900_000);
        let adaptive_q = Query {
            adaptive: true,
            ..Query::new(Window::default(), 60_000)
        };
        let (mut fixed, mut adaptive) = (MetricsCube::default(), MetricsCube::default());
        // Two days of minutes: 2880 one-minute buckets would be too many; 15m gives 192.
        for minute in 0..2880i64 {
            let point = p(
                minute as f64 * 0.1,
                1.0 + (minute % 7) as f64,
                minute as f64,
            );
            for (cube, q) in [(&mut fixed, &fixed_q), (&mut adaptive, &adaptive_q)] {
                add_at(cube, q, "s", "PutRecord.Latency", minute, &point);
            }
        }
        assert_eq!(adaptive.width, 900_000);
        let buckets = |c: &MetricsCube| {
            let (_, b) = c.series().next().unwrap();
            let mut v: Vec<(Millis, Option<f64>)> =
                b.iter().map(|(t, a)| (t, a.stat(Stat::Average))).collect();
            v.sort_by_key(|x| x.0);
            v
        };
        assert_eq!(buckets(&adaptive).len(), 192);
        assert_eq!(buckets(&adaptive), buckets(&fixed));
    }

    #[test]
    fn spacing_is_the_smallest_step_of_one_series() {
        // Minute buckets: series of a compact layout (a Sum panel's), and of the full one.
        let compact = Query::new(Window::default(), 60_000);
        let full = Query {
            compact: false,
            ..Query::new(Window::default(), 60_000)
        };
        let add = |cube: &mut MetricsCube, q: &Query, stream, minute| {
            add_at(cube, q, stream, "IncomingBytes", minute, &p(1.0, 1.0, 1.0));
        };
        let mut cube = MetricsCube::default();
        assert_eq!(cube.spacing(), None);
        // Every 30 minutes, out of order; one datapoint alone has no step.
        for minute in [90, 0, 30, 60] {
            add(&mut cube, &compact, "a", minute);
        }
        add(&mut cube, &compact, "b", 7);
        assert_eq!(cube.series().count(), 2);
        assert_eq!(cube.spacing(), Some(30 * 60_000));
        // A series of the full layout, 20 then 45 minutes apart: the smallest step overall.
        for minute in [100, 120, 165] {
            add(&mut cube, &full, "c", minute);
        }
        assert_eq!(cube.spacing(), Some(20 * 60_000));
    }

    #[test]
    fn statistics_never_above_the_maximum() {
        for s in [
            "Minimum",
            "Average",
            "p99",
            "p99.9",
            "P50",
            "tm99",
            "TM(10%:90%)",
            "wm90",
            "IQM",
        ] {
            assert!(bounds_maximum(s), "{s}");
        }
        for s in [
            "Sum",
            "SampleCount",
            "Maximum",
            "tc90",
            "ts90",
            "PR(100:2000)",
            "p",
            "pXX",
        ] {
            assert!(!bounds_maximum(s), "{s}");
        }
    }

    #[test]
    fn missing_parts_give_no_value() {
        let mut a = Acc::default();
        a.add(&Point {
            max: Some(3.0),
            ..Point::default()
        });
        assert_eq!((a.stat(Stat::Sum), a.stat(Stat::Average)), (None, None));
        a.add(&Point {
            avg: Some(4.0),
            ..Point::default()
        });
        a.add(&Point {
            avg: Some(6.0),
            ..Point::default()
        });
        assert_eq!(a.stat(Stat::Average), Some(5.0));
        assert!(a.unweighted_average());
        for stat in [Stat::Sum, Stat::Average, Stat::Maximum] {
            assert_eq!(a.has(stat), a.stat(stat).is_some(), "{stat:?}");
            assert!(!Acc::default().has(stat));
        }
    }
}
