//! Reading CloudWatch metric data in the forms it is saved in, recognised by content:
//!
//! 1. CloudWatch Metric Streams, JSON output format (as Firehose writes it to S3): one object per
//!    datapoint, newline-separated or concatenated with no separator. (The OpenTelemetry output
//!    formats are binary: [`super::otel`] reads them, through [`Reader::read_binary`].)
//! 2. `aws cloudwatch get-metric-data` output (`MetricDataResults`), read together with the
//!    query file given to `--metric-data-queries`, which says what each result `Id` is.
//! 3. `aws cloudwatch get-metric-statistics` output (`Label`, `Datapoints`), which carries no
//!    dimensions: the stream (and shard) come from the command line.
//!
//! Metric Streams records are read by the fast path in [`super::fast`] first; from the first
//! top-level value it is not sure of, the rest of the text is read here with serde_json.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::Deserialize;

use super::fast::{Item, PrefixCache, Tail};
use super::record::{Given, StreamDims, StreamRecord, StreamValue};
use super::{Class, Dims, MetricsCube, Origin, Pending, Point, Prefixes, Query, fast};
use crate::diag::{FileReport, FileStatus};
use crate::input::json::{
    Broken, Damage, ValueStream, describe_damage, for_each_value_in, place_words,
};
use crate::input::lenient::{Arr, Num, Obj, Str, field};
use crate::pipeline::{Part, Reader};
use crate::window::{
    END_TIME, FIRST_TIME, Millis, RANGE_WORDS, in_range, parse_event_time, time_from_epoch_millis,
};

/// One `MetricDataResults` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct DataResult<'a> {
    #[serde(borrow)]
    id: Str<'a>,
    #[serde(borrow)]
    timestamps: Arr<Str<'a>>,
    values: Arr<Num>,
    /// `Complete`, or `PartialData` (more datapoints than one call returns), `InternalError`,
    /// `Forbidden`: anything but `Complete` means the series is incomplete.
    #[serde(borrow)]
    status_code: Str<'a>,
}

/// One `Datapoints` entry of get-metric-statistics.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
struct StatPoint<'a> {
    #[serde(borrow)]
    timestamp: Str<'a>,
    sum: Given<f64>,
    average: Given<f64>,
    maximum: Given<f64>,
    sample_count: Given<f64>,
}

/// Any top-level object of the three forms; which fields are present tells the form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct TopObject<'a> {
    // Metric Streams
    #[serde(borrow)]
    namespace: Str<'a>,
    #[serde(borrow)]
    metric_name: Str<'a>,
    #[serde(borrow)]
    region: Str<'a>,
    #[serde(borrow)]
    account_id: Str<'a>,
    #[serde(borrow)]
    dimensions: Obj<StreamDims<'a>>,
    timestamp: Given<f64>,
    value: Given<StreamValue>,
    // get-metric-data
    #[serde(rename = "MetricDataResults", borrow)]
    results: Arr<Obj<DataResult<'a>>>,
    /// Present when the call had more results than it returned: the export is incomplete.
    #[serde(rename = "NextToken", borrow)]
    next_token: Str<'a>,
    // get-metric-statistics
    #[serde(rename = "Label", borrow)]
    label: Str<'a>,
    #[serde(rename = "Datapoints", borrow)]
    datapoints: Arr<Obj<StatPoint<'a>>>,
}

impl<'a> TopObject<'a> {
    /// Which kind of value this is: a CLI form when it has one's array, else a Metric Streams
    /// record (or nothing recognisable).
    fn into_value<V>(self) -> TopValue<'a, V> {
        if self.results.0.is_some() || self.datapoints.0.is_some() {
            return TopValue::Cli(Box::new(self));
        }
        TopValue::Stream(StreamRecord {
            namespace: self.namespace,
            metric_name: self.metric_name,
            region: self.region,
            account_id: self.account_id,
            dimensions: self.dimensions.0,
            timestamp: self.timestamp,
            value: self.value,
        })
    }
}

/// One top-level value of a metrics input.
#[derive(Debug)]
pub(super) enum TopValue<'a, V = ()> {
    /// An object of neither CLI form: a Metric Streams record, or nothing recognisable.
    Stream(StreamRecord<'a>),
    /// A Metric Streams record whose prefix a [`PrefixCache`] knows: the value kept for it, and
    /// the members after it.
    Known(V, Tail),
    /// `get-metric-data` or `get-metric-statistics` output (boxed: one or a few per file, and
    /// unboxed it would make every record passed on a copy into a larger value).
    Cli(Box<TopObject<'a>>),
    /// Not an object.
    NotObject,
}

/// Reads every top-level value of `text` in order, passing each to `each` with the offset where
/// it starts: with the fast path first, when `fast`, and with serde_json from the first value
/// the fast path leaves to it. With a `cache` (and `fast`), records of a known prefix come as
/// [`TopValue::Known`], and a value `each` gives back for a record read whole is kept for its
/// prefix (see [`PrefixCache`]).
pub(super) fn read_values<'t, V: Copy>(
    text: &'t str,
    fast: bool,
    cache: Option<&mut PrefixCache<V>>,
    continued: bool,
    mut each: impl FnMut(TopValue<'t, V>, usize) -> Option<V>,
) -> ValueStream {
    let (fast_values, start) = match fast {
        true => {
            let end = fast::read(text, cache, |item, at| {
                let value = match item {
                    Item::Record(r) => TopValue::Stream(r),
                    Item::Known(v, tail) => TopValue::Known(v, tail),
                };
                each(value, at)
            });
            match end {
                fast::End::Done { values } => {
                    return ValueStream {
                        empty: false,
                        values,
                        damage: Vec::new(),
                    };
                }
                fast::End::HandOver { values, at } => (values, at),
            }
        }
        false => (0, 0),
    };
    let mut stream = for_each_value_in(text, start, continued || start > 0, |de, at| {
        // A value is passed on only once read whole: nothing is kept of one that breaks.
        let top =
            Obj::<TopObject<'t>>::deserialize(de).map_err(|error| Broken::new(error, false))?;
        let value = match top.0 {
            Some(o) => o.into_value(),
            None => TopValue::NotObject,
        };
        each(value, at);
        Ok(())
    });
    stream.values += fast_values;
    stream
}

/// Reads `text` on the serde path alone and with the fast path (then serde from where it handed
/// over), and compares them: `Ok(n)` when both read the same values (every record as the serde
/// path builds it, at the same offset, in order, and the same report of values and damage) and
/// the fast path read
/// the first `n` values itself; `Err` saying how they differ otherwise. The fast path is run
/// without the prefix cache, and with one, twice over (the second time most records hit): each
/// record read whole keeps its identity members for its prefix, and a hit must be the kept
/// identity and its own tail, exactly what serde makes of the record. For the tests and the
/// `metric_streams_paths` fuzz target.
#[doc(hidden)]
pub fn compare_with_serde(text: &str) -> Result<u32, String> {
    let read_all = |fast: bool| {
        let mut values = Vec::new();
        let stream = read_values::<()>(text, fast, None, false, |v, at| {
            values.push(format!("{at}: {v:?}"));
            None
        });
        (values, stream)
    };
    let slow = read_all(false);
    let end = fast::read::<()>(text, None, |_, _| None);
    let fast = read_all(true);
    if fast != slow {
        return Err(format!(
            "fast ({end:?}) and serde paths differ on {text:?}:\n{fast:?}\nvs\n{slow:?}"
        ));
    }
    // The same, split into identity and tail.
    let identity = |r: &StreamRecord<'_>| {
        format!(
            "{:?} {:?} {:?} {:?} {:?}",
            r.namespace, r.metric_name, r.region, r.account_id, r.dimensions
        )
    };
    let shown = |identity: &str, tail: Tail| format!("{identity} {tail:?}");
    let split = |v: TopValue<'_, u32>| match v {
        TopValue::Stream(r) => shown(
            &identity(&r),
            Tail {
                timestamp: r.timestamp,
                value: r.value,
            },
        ),
        other => format!("{other:?}"),
    };
    let mut slow_split = Vec::new();
    let slow_stream = read_values::<u32>(text, false, None, false, |v, at| {
        slow_split.push(format!("{at}: {}", split(v)));
        None
    });
    let mut cache = PrefixCache::default();
    let mut identities: Vec<String> = Vec::new();
    for round in 1..=2 {
        let mut values = Vec::new();
        let stream = read_values(text, true, Some(&mut cache), false, |v, at| match v {
            TopValue::Stream(r) => {
                let id = identity(&r);
                let tail = Tail {
                    timestamp: r.timestamp,
                    value: r.value,
                };
                values.push(format!("{at}: {}", shown(&id, tail)));
                identities.push(id);
                u32::try_from(identities.len() - 1).ok()
            }
            TopValue::Known(i, tail) => {
                values.push(format!("{at}: {}", shown(&identities[i as usize], tail)));
                None
            }
            other => {
                values.push(format!("{at}: {other:?}"));
                None
            }
        });
        if (&values, &stream) != (&slow_split, &slow_stream) {
            return Err(format!(
                "the fast path with the prefix cache (read {round}) and the serde path differ \
                 on {text:?}:\n{values:?} {stream:?}\nvs\n{slow_split:?} {slow_stream:?}"
            ));
        }
    }
    let (fast::End::Done { values } | fast::End::HandOver { values, .. }) = end;
    Ok(values)
}

/// The time and datapoint of a Metric Streams record whose value starts at `at`, counted as read
/// (or skipped, and why) in `st`; `no_metric` when it has no metric name. A datapoint needs a
/// number for its `timestamp` and for each of `value`'s `sum`, `count` and `max` (Metric Streams
/// always write them; the panels' statistics are made of them), so one without is skipped, not
/// counted with nothing to show. Inlined: out of line, its call costs more than the integer time
/// saves (callgrind, 11 of the day corpus's files).
#[inline(always)]
fn stream_point(
    timestamp: Given<f64>,
    value: Given<StreamValue>,
    no_metric: bool,
    at: usize,
    st: &mut FileState,
) -> Option<(Millis, Point)> {
    let Given::Value(raw) = timestamp else {
        let why = match timestamp {
            Given::Absent => Skip::NoTimestamp,
            _ => Skip::TimestampNotANumber,
        };
        st.skip(why, Place::value(at));
        return None;
    };
    let Some(ts) = stream_time(raw) else {
        st.skip_with(Skip::TimeOutOfRange, Place::value(at), || {
            format!("{raw:e} ms")
        });
        return None;
    };
    let numbers = match value {
        Given::Value(v) if !no_metric => v.numbers(),
        _ => None,
    };
    let Some([sum, count, max]) = numbers else {
        st.skip(no_point(no_metric, value), Place::value(at));
        return None;
    };
    let point = Point {
        sum: Some(sum),
        count: Some(count),
        max: Some(max),
        avg: None,
    };
    st.records += 1;
    Some((ts, point))
}

/// Why a Metric Streams record with a good timestamp is no datapoint.
#[cold]
fn no_point(no_metric: bool, value: Given<StreamValue>) -> Skip {
    let v = match value {
        _ if no_metric => return Skip::NoMetricName,
        Given::Absent => return Skip::NoValue,
        Given::WrongType => return Skip::ValueNotAnObject,
        Given::Value(v) => v,
    };
    [
        (v.sum, "value.sum"),
        (v.count, "value.count"),
        (v.max, "value.max"),
    ]
    .into_iter()
    .find_map(|(g, name)| match g {
        Given::Absent => Some(Skip::NoStatistic(name)),
        Given::WrongType => Some(Skip::NotANumber(name)),
        Given::Value(_) => None,
    })
    .unwrap_or(Skip::NoStatistic("value.sum"))
}

/// A record's `timestamp` as [`time_from_epoch_millis`] gives it, without its rounding down for
/// an integer, as Metric Streams write times (the library's `floor` is a call on this target).
#[inline(always)]
fn stream_time(raw: f64) -> Option<Millis> {
    // Saturating: an integer beyond an `i64` compares unequal, and so does a NaN.
    let whole = raw as i64;
    match whole as f64 == raw {
        true => (FIRST_TIME..END_TIME).contains(&whole).then_some(whole),
        false => time_from_epoch_millis(raw),
    }
}

/// What one `get-metric-data` query asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuerySpec {
    /// `Namespace`.
    pub namespace: String,
    /// `MetricName`.
    pub metric: String,
    /// `StreamName` dimension.
    pub stream: String,
    /// `ShardId` dimension.
    pub shard: String,
    /// `ConsumerName` dimension.
    pub consumer: String,
    /// Any other dimension.
    pub other_dims: bool,
    /// `Stat`.
    pub stat: String,
}

/// The queries of a `--metric-data-queries` file, by `Id`.
#[derive(Debug, Clone, Default)]
pub struct Queries {
    /// `Id` → what it asks for.
    pub by_id: HashMap<String, QuerySpec>,
    /// Ids of queries that are expressions (metric math), which carry no dimensions to use.
    pub expressions: Vec<String>,
}

/// Loads a query file: a JSON array of `MetricDataQuery` objects, or an object with
/// `MetricDataQueries` (a `--cli-input-json` file).
pub fn load_queries(path: &Path) -> anyhow::Result<Queries> {
    use anyhow::Context as _;
    use std::io::Read as _;
    let mut text = Vec::new();
    let utf16 = crate::input::decode::text_file(path)
        .and_then(|(mut r, utf16)| r.read_to_end(&mut text).map(|_| utf16))
        .map_err(|e| anyhow::anyhow!("{}", crate::diag::io_reason(&e)))
        .with_context(|| format!("cannot read query file {}", path.display()))?;
    // What JSON would call an invalid code point, said in the file's own encoding.
    if let Some(invalid) = utf16.map(|t| t.get()).filter(|i| i.any()) {
        anyhow::bail!(
            "query file {} is not valid UTF-16: {}",
            path.display(),
            invalid.what()
        );
    }
    let v: serde_json::Value = serde_json::from_slice(&text)
        .with_context(|| format!("query file {} is not JSON", path.display()))?;
    let list = match (&v, query_list(&v)) {
        (_, Some(list)) => list,
        (serde_json::Value::Object(_), None) => anyhow::bail!(
            "query file {} has no MetricDataQueries array",
            path.display()
        ),
        _ => anyhow::bail!("query file {} is not a list of queries", path.display()),
    };
    let mut q = Queries::default();
    for item in list {
        let s = |v: &serde_json::Value| v.as_str().unwrap_or("").trim().to_string();
        let id = s(&item["Id"]);
        if id.is_empty() {
            continue;
        }
        let stat = &item["MetricStat"];
        if stat.is_null() {
            q.expressions.push(id);
            continue;
        }
        let metric = &stat["Metric"];
        let mut spec = QuerySpec {
            namespace: s(&metric["Namespace"]),
            metric: s(&metric["MetricName"]),
            stream: String::new(),
            shard: String::new(),
            consumer: String::new(),
            other_dims: false,
            stat: s(&stat["Stat"]),
        };
        for d in metric["Dimensions"].as_array().into_iter().flatten() {
            match (s(&d["Name"]).as_str(), s(&d["Value"])) {
                ("StreamName", v) => spec.stream = v,
                ("ShardId", v) => spec.shard = v,
                ("ConsumerName", v) => spec.consumer = v,
                _ => spec.other_dims = true,
            }
        }
        q.by_id.insert(id, spec);
    }
    Ok(q)
}

/// The queries of a query file's JSON: a top-level array, or the `MetricDataQueries` array of
/// an object (a `--cli-input-json` file).
fn query_list(v: &serde_json::Value) -> Option<&Vec<serde_json::Value>> {
    match v {
        serde_json::Value::Array(a) => Some(a),
        serde_json::Value::Object(o) => o.get("MetricDataQueries")?.as_array(),
        _ => None,
    }
}

/// The largest file [`is_query_file`] reads: 500 queries (the most one get-metric-data call
/// takes) of a few KiB each fit in it.
const QUERY_FILE_MAX: u64 = 4 << 20;

/// Whether the file at `path` is a get-metric-data query file (what `--queries` takes, read as
/// it reads one: uncompressed, UTF-8 or UTF-16): a JSON array of queries or an object with
/// `MetricDataQueries`, not empty, every query an object with an `Id` and a `MetricStat` or an
/// `Expression`. Only files of at most 4 MiB whose first 64 KiB name `MetricStat`,
/// `Expression` or `MetricDataQueries` are read whole, so looking at a file that is something
/// else costs little.
pub fn is_query_file(path: &Path) -> bool {
    use std::io::Read as _;
    const HEAD: u64 = 64 * 1024;
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() <= QUERY_FILE_MAX) {
        return false;
    }
    let Ok((mut r, _)) = crate::input::decode::text_file(path) else {
        return false;
    };
    let mut text = Vec::new();
    if (&mut r).take(HEAD).read_to_end(&mut text).is_err() {
        return false;
    }
    let has = |key: &[u8]| memchr::memmem::find(&text, key).is_some();
    if !(has(b"\"MetricStat\"") || has(b"\"Expression\"") || has(b"\"MetricDataQueries\"")) {
        return false;
    }
    // UTF-16 doubles the bytes: the limit is of the text.
    if r.take(2 * QUERY_FILE_MAX).read_to_end(&mut text).is_err() {
        return false;
    }
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&text) else {
        return false;
    };
    query_list(&v).is_some_and(|list| {
        !list.is_empty()
            && list.iter().all(|q| {
                q.get("Id").is_some_and(serde_json::Value::is_string)
                    && (q
                        .get("MetricStat")
                        .is_some_and(serde_json::Value::is_object)
                        || q.get("Expression")
                            .is_some_and(serde_json::Value::is_string))
            })
    })
}

/// Reads metrics inputs into a [`MetricsCube`].
#[derive(Debug)]
pub struct MetricsReader<'q> {
    /// What to count.
    pub query: &'q Query,
    /// The `get-metric-data` queries, when given.
    pub queries: Option<&'q Queries>,
    /// Stream and shard for `get-metric-statistics` input (`--stream`, `--shard` as given).
    pub statistics_series: Option<(String, String)>,
}

/// A timestamp of the CLI outputs (RFC 3339 text): `Err(())` when it is missing or not a time,
/// `Ok(None)` when it is a time outside the years 1970 to 9999.
fn cli_time(s: &Str<'_>) -> Result<Option<Millis>, ()> {
    let t = parse_event_time(s.as_deref().ok_or(())?).ok_or(())?;
    Ok(in_range(t).then_some(t))
}

/// Why a value of a metrics input is not counted as a datapoint. Each reason is reported once
/// per file, with its count and the place of the first (as the CloudTrail reader reports its
/// skipped records).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Skip {
    /// A top-level value that is not an object.
    NotAnObject,
    /// An object of none of the three forms.
    NotADatapoint,
    /// A Metric Streams record with a `namespace` but no `metric_name`.
    NoMetricName,
    /// A Metric Streams record without `timestamp`.
    NoTimestamp,
    /// A Metric Streams `timestamp` that is not a number.
    TimestampNotANumber,
    /// A time outside the years 1970 to 9999.
    TimeOutOfRange,
    /// A Metric Streams record without `value`.
    NoValue,
    /// A Metric Streams `value` that is not an object.
    ValueNotAnObject,
    /// A statistic the datapoint needs is absent (named as a path: `value.sum`).
    NoStatistic(&'static str),
    /// A statistic that is not a number (`value.sum`, or a get-metric-statistics `Sum`).
    NotANumber(&'static str),
    /// A `MetricDataResults` entry that is not an object.
    ResultNotAnObject,
    /// A get-metric-data `Timestamps` entry that is not a time.
    TimestampsEntryNotATime,
    /// A get-metric-data `Values` entry that is not a number.
    ValuesEntryNotANumber,
    /// A get-metric-statistics `Datapoints` entry that is not an object.
    PointNotAnObject,
    /// A get-metric-statistics datapoint without a `Timestamp` that is a time.
    NoTime,
    /// A get-metric-statistics datapoint without any statistic.
    NoStatistics,
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Skip::NotAnObject => f.write_str("not a JSON object"),
            Skip::NotADatapoint => {
                f.write_str("an object that is not a datapoint (no metric_name or namespace)")
            }
            Skip::NoMetricName => f.write_str("a datapoint without a metric_name"),
            Skip::NoTimestamp => f.write_str("a datapoint without a timestamp"),
            Skip::TimestampNotANumber => f.write_str("a timestamp that is not a number"),
            Skip::TimeOutOfRange => write!(f, "a timestamp {RANGE_WORDS}"),
            Skip::NoValue => f.write_str("a datapoint without a value"),
            Skip::ValueNotAnObject => f.write_str("a value that is not an object"),
            Skip::NoStatistic(name) => write!(f, "a datapoint without {name}"),
            Skip::NotANumber(name) => write!(f, "a {name} that is not a number"),
            Skip::ResultNotAnObject => {
                f.write_str("a MetricDataResults entry that is not an object")
            }
            Skip::TimestampsEntryNotATime => f.write_str("a Timestamps entry that is not a time"),
            Skip::ValuesEntryNotANumber => f.write_str("a Values entry that is not a number"),
            Skip::PointNotAnObject => f.write_str("a Datapoints entry that is not an object"),
            Skip::NoTime => f.write_str("a datapoint without a Timestamp that is a time"),
            Skip::NoStatistics => {
                f.write_str("a datapoint without a Sum, Average, Maximum or SampleCount")
            }
        }
    }
}

/// Where a skipped value is, while its text is read: the offset of the top-level value it is
/// (or is in), and for a datapoint inside one, the array and index of its entry and the path
/// from there (`.Timestamps[3]`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Place {
    at: usize,
    index: Option<(&'static str, u64)>,
    rest: String,
}

impl Place {
    /// A top-level value.
    fn value(at: usize) -> Self {
        Place {
            at,
            index: None,
            rest: String::new(),
        }
    }

    /// Entry `i` of the array `key` of the top-level value at `at`, and `rest` from there.
    fn entry(at: usize, key: &'static str, i: usize, rest: String) -> Self {
        Place {
            at,
            index: Some((key, i as u64)),
            rest,
        }
    }
}

/// A [`Place`] as a line and column (of the piece read, then of the file: see
/// [`Part::positions`]).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Position {
    line: usize,
    column: usize,
    index: Option<(&'static str, u64)>,
    rest: String,
}

impl Position {
    /// As the CloudTrail reader says a place: `line 12`, `line 1, column 301`, `line 1, column
    /// 1, .MetricDataResults[2].Timestamps[7]`.
    fn describe(&self) -> String {
        place_words(self.line, self.column, self.index, &self.rest)
    }
}

/// The values skipped for one reason: how many, where the first was, and (for a time out of
/// range) the first as written.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Skipped<P> {
    why: Skip,
    count: u64,
    first: P,
    detail: Option<String>,
}

#[derive(Debug, Default)]
struct FileState {
    /// The account in the file's S3 key, for records that do not name theirs.
    path_account: String,
    /// Some object of one of the three forms was seen.
    recognised: bool,
    records: u64,
    /// Values skipped, by reason, in the order first seen.
    skips: Vec<Skipped<Place>>,
    /// Values skipped for a reason one of `problems` gives (no `--queries`, an unknown result
    /// `Id`, timestamps without values).
    explained: u64,
    problems: Vec<String>,
}

impl FileState {
    /// Counts a value skipped for `why` at `place`.
    #[cold]
    #[inline(never)]
    fn skip(&mut self, why: Skip, place: Place) {
        self.skip_with(why, place, String::new);
    }

    /// [`skip`](Self::skip), with `detail` saying what the first such value was (empty for
    /// nothing).
    #[cold]
    #[inline(never)]
    fn skip_with(&mut self, why: Skip, place: Place, detail: impl FnOnce() -> String) {
        match self.skips.iter_mut().find(|s| s.why == why) {
            Some(s) => s.count += 1,
            None => self.skips.push(Skipped {
                why,
                count: 1,
                first: place,
                detail: Some(detail()).filter(|d| !d.is_empty()),
            }),
        }
    }
}

impl MetricsReader<'_> {
    /// `get-metric-data` or `get-metric-statistics` output, the top-level value at `at`.
    fn cli(&self, cube: &mut MetricsCube, o: TopObject<'_>, at: usize, st: &mut FileState) {
        st.recognised = true;
        if let Some(results) = o.results.0 {
            if !field(&o.next_token).is_empty() {
                st.problems.push(
                    "get-metric-data output has a NextToken: the call returned only part of its \
                     results, so this export is incomplete (fetch the other pages with \
                     --next-token, or use the CLI's automatic pagination)"
                        .into(),
                );
            }
            let incomplete: Vec<String> = results
                .iter()
                .filter_map(|r| r.0.as_ref())
                .filter(|r| !matches!(field(&r.status_code), "" | "Complete"))
                .map(|r| format!("{} ({})", field(&r.id), field(&r.status_code)))
                .collect();
            if let Some(first) = incomplete.first() {
                st.problems.push(format!(
                    "{} get-metric-data result{} not Complete, so {} incomplete (first: {first}); \
                     PartialData means more datapoints than one call returns: fetch the rest \
                     with --next-token",
                    incomplete.len(),
                    if incomplete.len() == 1 {
                        " is"
                    } else {
                        "s are"
                    },
                    if incomplete.len() == 1 {
                        "it is"
                    } else {
                        "they are"
                    },
                ));
            }
            self.metric_data(cube, results, at, st);
        } else if let Some(points) = o.datapoints.0 {
            self.statistics(cube, field(&o.label), points, at, st);
        }
    }

    /// An object of neither CLI form, at `at`: a Metric Streams record when it has a metric name
    /// or a namespace. The class of its identity, when it was counted (to keep for its prefix).
    fn stream_object(
        &self,
        cube: &mut MetricsCube,
        r: StreamRecord<'_>,
        at: usize,
        st: &mut FileState,
    ) -> Option<Class> {
        if r.metric_name.is_some() || r.namespace.is_some() {
            st.recognised = true;
            self.stream_record(cube, r, at, st)
        } else {
            st.skip(Skip::NotADatapoint, Place::value(at));
            None
        }
    }

    fn stream_record(
        &self,
        cube: &mut MetricsCube,
        o: StreamRecord<'_>,
        at: usize,
        st: &mut FileState,
    ) -> Option<Class> {
        let (namespace, metric, region) =
            (field(&o.namespace), field(&o.metric_name), field(&o.region));
        let (time, point) = stream_point(o.timestamp, o.value, metric.is_empty(), at, st)?;
        let dims = o.dimensions.unwrap_or_default();
        let d = Dims {
            stream: field(&dims.stream),
            shard: field(&dims.shard),
            consumer: field(&dims.consumer),
            other: dims.other,
        };
        let origin = Origin {
            account: crate::account::of(field(&o.account_id), &st.path_account),
            region,
        };
        let class = cube.classify(self.query, origin, namespace, metric, d);
        cube.count(self.query, class, time, &point);
        Some(class)
    }

    /// A Metric Streams record at `at` of a prefix seen before, which
    /// [`stream_object`](Self::stream_object) counted under `class`: a record with a metric
    /// name, so recognised, and read as [`stream_record`](Self::stream_record) reads it.
    /// Counted soon (see [`MetricsCube::count_soon`]): `pending` must be counted before any
    /// other datapoint and before the cube is read.
    fn known_record(
        &self,
        cube: &mut MetricsCube,
        pending: &mut Pending,
        class: Class,
        tail: Tail,
        at: usize,
        st: &mut FileState,
    ) {
        st.recognised = true;
        if let Some((time, point)) = stream_point(tail.timestamp, tail.value, false, at, st) {
            cube.count_soon(self.query, pending, class, time, &point);
        }
    }

    fn metric_data(
        &self,
        cube: &mut MetricsCube,
        results: Vec<Obj<DataResult<'_>>>,
        at: usize,
        st: &mut FileState,
    ) {
        let Some(queries) = self.queries else {
            st.problems.push(
                "get-metric-data output names its series only by query Id; pass the file given \
                 to --metric-data-queries with --queries FILE"
                    .into(),
            );
            st.explained += results.len() as u64;
            return;
        };
        let mut unknown: Vec<String> = Vec::new();
        for (i, r) in results.into_iter().enumerate() {
            let place = |rest: String| Place::entry(at, "MetricDataResults", i, rest);
            let Some(r) = r.0 else {
                st.skip(Skip::ResultNotAnObject, place(String::new()));
                continue;
            };
            let id = field(&r.id).to_string();
            let times = r.timestamps.0.unwrap_or_default();
            let values = r.values.0.unwrap_or_default();
            let Some(spec) = queries.by_id.get(&id) else {
                if queries.expressions.contains(&id) {
                    // Metric math has no namespace or dimensions: like another namespace's
                    // datapoints, counted and left out (the command notes which ones), not
                    // damage.
                    cube.counts.other_metrics += times.len() as u64;
                } else {
                    unknown.push(id);
                    st.explained += times.len() as u64;
                }
                continue;
            };
            if times.len() != values.len() {
                st.problems.push(format!(
                    "result {id} has {} timestamps but {} values; the unpaired ones are skipped",
                    times.len(),
                    values.len()
                ));
                st.explained += times.len().abs_diff(values.len()) as u64;
            }
            for (j, (t, v)) in times.iter().zip(&values).enumerate() {
                let Ok(time) = cli_time(t) else {
                    st.skip(
                        Skip::TimestampsEntryNotATime,
                        place(format!(".Timestamps[{j}]")),
                    );
                    continue;
                };
                let Some(v) = v.0 else {
                    st.skip(Skip::ValuesEntryNotANumber, place(format!(".Values[{j}]")));
                    continue;
                };
                let Some(t) = time else {
                    st.skip_with(
                        Skip::TimeOutOfRange,
                        place(format!(".Timestamps[{j}]")),
                        || field(t).to_string(),
                    );
                    continue;
                };
                let dims = Dims {
                    stream: &spec.stream,
                    shard: &spec.shard,
                    consumer: &spec.consumer,
                    other: spec.other_dims,
                };
                let origin = Origin {
                    account: &st.path_account,
                    region: "",
                };
                let point = match spec.stat.as_str() {
                    "Sum" => Point {
                        sum: Some(v),
                        ..Point::default()
                    },
                    "SampleCount" => Point {
                        count: Some(v),
                        ..Point::default()
                    },
                    "Maximum" => Point {
                        max: Some(v),
                        ..Point::default()
                    },
                    "Average" => Point {
                        avg: Some(v),
                        ..Point::default()
                    },
                    other => {
                        // Minimum, percentiles: no panel or check reads them. Counted among the
                        // other metrics, and kept aside for the panels' notes and the checks.
                        cube.count_other_stat(
                            self.query,
                            origin,
                            &spec.namespace,
                            &spec.metric,
                            dims,
                            other,
                            t,
                            v,
                        );
                        continue;
                    }
                };
                st.records += 1;
                cube.add(
                    self.query,
                    origin,
                    &spec.namespace,
                    &spec.metric,
                    dims,
                    t,
                    &point,
                );
            }
        }
        if !unknown.is_empty() {
            st.problems.push(format!(
                "result Id{} {} not in the query file; skipped",
                if unknown.len() == 1 { "" } else { "s" },
                unknown.join(", ")
            ));
        }
    }

    fn statistics(
        &self,
        cube: &mut MetricsCube,
        label: &str,
        points: Vec<Obj<StatPoint<'_>>>,
        at: usize,
        st: &mut FileState,
    ) {
        let Some((stream, shard)) = &self.statistics_series else {
            st.problems.push(
                "get-metric-statistics output carries no dimensions: name its stream with \
                 --label-stream NAME (and its shard with --label-shard ID for a shard-level metric)"
                    .into(),
            );
            st.explained += points.len() as u64;
            return;
        };
        if label.is_empty() {
            st.problems
                .push("get-metric-statistics output without a Label (the metric name)".into());
            st.explained += points.len() as u64;
            return;
        }
        for (i, p) in points.into_iter().enumerate() {
            let place = || Place::entry(at, "Datapoints", i, String::new());
            let Some(p) = p.0 else {
                st.skip(Skip::PointNotAnObject, place());
                continue;
            };
            let t = match cli_time(&p.timestamp) {
                Err(()) => {
                    st.skip(Skip::NoTime, place());
                    continue;
                }
                Ok(None) => {
                    st.skip_with(Skip::TimeOutOfRange, place(), || {
                        field(&p.timestamp).to_string()
                    });
                    continue;
                }
                Ok(Some(t)) => t,
            };
            // A statistic of the wrong type is damage, as in Metric Streams; an absent one was
            // not asked for.
            let stats = [
                (p.sum, "Sum"),
                (p.average, "Average"),
                (p.maximum, "Maximum"),
                (p.sample_count, "SampleCount"),
            ];
            if let Some((_, name)) = stats.iter().find(|(g, _)| *g == Given::WrongType) {
                st.skip(Skip::NotANumber(name), place());
                continue;
            }
            let number = |g: Given<f64>| match g {
                Given::Value(v) => Some(v),
                _ => None,
            };
            let (sum, average, maximum, sample_count) = (
                number(p.sum),
                number(p.average),
                number(p.maximum),
                number(p.sample_count),
            );
            // Sum, or Average weighted by SampleCount when Sum was not asked for.
            let sum = sum.or(match (average, sample_count) {
                (Some(a), Some(c)) => Some(a * c),
                _ => None,
            });
            let avg = if sample_count.is_none() {
                average
            } else {
                None
            };
            let point = Point {
                sum,
                count: sample_count,
                max: maximum,
                avg,
            };
            if point == Point::default() {
                st.skip(Skip::NoStatistics, place());
                continue;
            }
            st.records += 1;
            let dims = Dims {
                stream,
                shard,
                ..Dims::default()
            };
            let origin = Origin {
                account: &st.path_account,
                region: "",
            };
            cube.add(
                self.query,
                origin,
                super::KINESIS_NAMESPACE,
                label,
                dims,
                t,
                &point,
            );
        }
    }
}

impl Reader for MetricsReader<'_> {
    type Acc = MetricsCube;
    type Part = MetricsPart;

    fn new_acc(&self) -> MetricsCube {
        MetricsCube::default()
    }

    fn read_binary(
        &self,
        acc: &mut MetricsCube,
        head: &[u8],
        input: &mut dyn std::io::Read,
        report: &mut FileReport,
    ) -> bool {
        if !super::otel::looks_like(head) {
            return false;
        }
        let path_account = crate::account::from_path(&report.name);
        let out = super::otel::read_stream(input, |d| {
            let origin = Origin {
                account: crate::account::of(d.account, &path_account),
                region: d.region,
            };
            acc.add(
                self.query,
                origin,
                d.namespace,
                d.metric,
                d.dims,
                d.time,
                &d.point,
            );
        });
        report.records = out.datapoints;
        report.skipped_records = out.skipped;
        if out.messages == 0 {
            let why = out
                .damage
                .first()
                .map_or_else(|| "no messages".to_string(), ToString::to_string);
            report.skipped_records = 0;
            report.status = FileStatus::Failed(format!(
                "not a metrics file: looks like OpenTelemetry Metric Streams, but {why}"
            ));
        } else {
            report
                .warnings
                .extend(out.damage.iter().map(|d| format!("OpenTelemetry: {d}")));
        }
        true
    }

    fn split_keys(&self) -> &'static [&'static str] {
        // Each `MetricDataResults` entry names its own series (`Id`); `Datapoints` of
        // get-metric-statistics need the object's `Label`, so they are not cut.
        &["MetricDataResults"]
    }

    fn read_text(
        &self,
        acc: &mut MetricsCube,
        file: &str,
        text: &str,
        continued: bool,
    ) -> MetricsPart {
        self.read_part(acc, file, text, true, continued)
    }

    fn finish(&self, part: MetricsPart, report: &mut FileReport) {
        let MetricsPart {
            st,
            skips,
            stream,
            unshown_damage,
            ..
        } = part;
        let skipped = skips.iter().map(|s| s.count).sum::<u64>()
            + st.explained
            + stream.damage.len() as u64
            + unshown_damage;
        report.records = st.records;
        report.skipped_records = skipped;
        if stream.empty {
            report.warnings.push("empty file".into());
            return;
        }
        if !st.recognised {
            // Nothing here was metrics; the failure says so once, without counting records.
            report.skipped_records = 0;
            let why = stream.damage.first().map_or_else(
                || "no CloudWatch datapoints (not Metric Streams, get-metric-data or get-metric-statistics output)".to_string(),
                |d| d.to_string(),
            );
            report.status = FileStatus::Failed(format!("not a metrics file: {why}"));
            return;
        }
        for s in &skips {
            let mut first = s.first.describe();
            if let Some(d) = &s.detail {
                let _ = write!(first, ": {d}");
            }
            report.warnings.push(format!(
                "{} record{} skipped: {} (first at {first})",
                s.count,
                crate::text::plural(s.count),
                s.why
            ));
        }
        report.warnings.extend(st.problems);
        report
            .warnings
            .extend(describe_damage(&stream.damage, unshown_damage));
    }
}

impl MetricsReader<'_> {
    /// [`Reader::read`] with the fast path (`fast`), or with serde_json alone: for comparing the
    /// two.
    #[doc(hidden)]
    pub fn read_with(
        &self,
        acc: &mut MetricsCube,
        text: &str,
        report: &mut FileReport,
        fast: bool,
    ) {
        let part = self.read_part(acc, &report.name, text, fast, false);
        self.finish(part, report);
    }

    fn read_part(
        &self,
        acc: &mut MetricsCube,
        file: &str,
        text: &str,
        fast: bool,
        continued: bool,
    ) -> MetricsPart {
        let mut st = FileState {
            path_account: crate::account::from_path(file),
            ..FileState::default()
        };
        // The prefix cache is the cube's, taken out while the text is read.
        let mut prefixes = acc.prefixes.take().unwrap_or_default();
        prefixes.for_path_account(&st.path_account);
        let Prefixes { cache, pending, .. } = &mut *prefixes;
        let stream = read_values(text, fast, Some(cache), continued, |value, at| {
            // In the order read: the datapoints held back are counted before any other.
            if !matches!(value, TopValue::Known(..)) {
                acc.count_pending(self.query, pending);
            }
            match value {
                TopValue::Known(class, tail) => {
                    self.known_record(acc, pending, class, tail, at, &mut st);
                    None
                }
                TopValue::Stream(r) => self.stream_object(acc, r, at, &mut st),
                TopValue::Cli(o) => {
                    self.cli(acc, *o, at, &mut st);
                    None
                }
                TopValue::NotObject => {
                    st.skip(Skip::NotAnObject, Place::value(at));
                    None
                }
            }
        });
        acc.count_pending(self.query, pending);
        acc.prefixes = Some(prefixes);
        let skips = std::mem::take(&mut st.skips)
            .into_iter()
            .map(|s| Skipped {
                why: s.why,
                count: s.count,
                first: position(text, s.first),
                detail: s.detail,
            })
            .collect();
        MetricsPart {
            read: true,
            st,
            skips,
            stream,
            unshown_damage: 0,
        }
    }
}

/// `place` as a line and column of `text`.
fn position(text: &str, place: Place) -> Position {
    let before = text.as_bytes().get(..place.at).unwrap_or(text.as_bytes());
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    Position {
        line: memchr::memchr_iter(b'\n', before).count() + 1,
        column: before.len() - line_start + 1,
        index: place.index,
        rest: place.rest,
    }
}

/// What reading metrics text found.
#[derive(Debug, Default)]
pub struct MetricsPart {
    /// Some text was read into it.
    read: bool,
    st: FileState,
    /// Values skipped, by reason, with the first place of each.
    skips: Vec<Skipped<Position>>,
    stream: ValueStream,
    /// Damaged places beyond those in `stream.damage`.
    unshown_damage: u64,
}

impl MetricsPart {
    /// True when some object of one of the three forms was read.
    pub fn recognised(&self) -> bool {
        self.st.recognised
    }
}

impl Part for MetricsPart {
    fn join(&mut self, next: Self) {
        let (a, b) = (&mut self.st, next.st);
        a.recognised |= b.recognised;
        a.records += b.records;
        a.explained += b.explained;
        // The same problem found in several pieces is said once.
        for p in b.problems {
            if !a.problems.contains(&p) {
                a.problems.push(p);
            }
        }
        // A reason already seen keeps its first place; a new one comes with its own.
        for s in next.skips {
            match self.skips.iter_mut().find(|k| k.why == s.why) {
                Some(k) => k.count += s.count,
                None => self.skips.push(s),
            }
        }
        // Empty only when every piece was (a part that read nothing yet takes the next's word).
        let fresh = !self.read && self.stream.damage.is_empty();
        self.stream.empty = next.stream.empty && (fresh || self.stream.empty);
        self.read |= next.read;
        self.stream.values += next.stream.values;
        self.stream.damage.extend(next.stream.damage);
        self.unshown_damage += next.unshown_damage;
    }

    fn damage_mut(&mut self) -> &mut Vec<Damage> {
        &mut self.stream.damage
    }

    fn positions(&mut self, each: &mut dyn FnMut(&mut usize, &mut usize, Option<&mut u64>)) {
        for d in &mut self.stream.damage {
            each(&mut d.line, &mut d.column, None);
        }
        for s in &mut self.skips {
            let p = &mut s.first;
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

    /// A Metric Streams line cut where a value was expected costs that record only: the next
    /// line's record, which serde_json read as the missing value, is read again as itself, on
    /// the serde path and with the fast path first.
    #[test]
    fn a_line_cut_where_a_value_was_expected_costs_only_itself() {
        let line = |i: usize| {
            format!(
                r#"{{"metric_stream_name":"m","account_id":"111122223333","region":"us-east-1","namespace":"AWS/Kinesis","metric_name":"IncomingRecords","dimensions":{{"StreamName":"s{i}"}},"timestamp":1709942400000,"value":{{"max":1.0,"min":1.0,"sum":{i}.0,"count":1.0}},"unit":"Count"}}"#
            )
        };
        let mut lines: Vec<String> = (0..6).map(line).collect();
        lines[2] = lines[2][..lines[2].find(r#""dimensions":"#).unwrap() + 13].to_string();
        let text = lines.join("\n");
        for fast in [false, true] {
            let mut sums = Vec::new();
            let stream = read_values::<()>(&text, fast, None, false, |v, _| {
                if let TopValue::Stream(r) = v {
                    sums.push(match r.value {
                        Given::Value(v) => v.sum,
                        _ => Given::Absent,
                    });
                }
                None
            });
            assert_eq!(
                sums,
                [0.0, 1.0, 3.0, 4.0, 5.0].map(Given::Value),
                "fast path first: {fast}"
            );
            assert_eq!((stream.values, stream.damage.len()), (5, 1));
            // At the end of the cut line: 146 bytes long.
            assert_eq!(lines[2].len(), 146);
            assert_eq!((stream.damage[0].line, stream.damage[0].column), (3, 147));
        }
    }

    /// A Metric Streams line of stream `s`, minute `minute` of 2024-03-09 10:00, its value
    /// object as given.
    fn stream_line(minute: u64, value: &str) -> String {
        format!(
            r#"{{"metric_stream_name":"m","account_id":"111122223333","region":"us-east-1","namespace":"AWS/Kinesis","metric_name":"IncomingRecords","dimensions":{{"StreamName":"s"}},"timestamp":{},"value":{value},"unit":"Count"}}"#,
            1_709_978_400_000 + minute * 60_000
        )
    }

    /// Every way a Metric Streams record can lack what a datapoint needs, each reported once
    /// with its count and the line (and column, for concatenated records) of the first, the
    /// same on the fast path and on serde: the lines and counts are those the text is built of.
    #[test]
    fn skipped_records_say_why_and_where_on_both_paths() {
        let value = |sum: &str| format!(r#"{{"max":1.0,"min":1.0,"sum":{sum},"count":1.0}}"#);
        let good = |minute: u64| stream_line(minute, &value("5.0"));
        let ts_text = good(1).replace("1709978460000", r#""2024-03-09T10:01:00Z""#);
        let lines = [
            good(0),
            ts_text.clone(),
            good(2).replace(&format!(r#","value":{}"#, value("5.0")), ""),
            stream_line(3, &value(r#""5""#)),
            good(4),
            ts_text,
            good(6).replace(r#""timestamp":1709978760000,"#, ""),
            stream_line(7, r#""x""#),
            stream_line(8, r#"{"max":1.0,"min":1.0,"sum":5.0}"#),
            r#"{"unit":"Count"}"#.to_string(),
            good(10).replace(r#""metric_name":"IncomingRecords","#, ""),
            // Two records on one line: the second is the first with a max that is no number.
            format!(
                "{}{}",
                good(11),
                stream_line(12, r#"{"max":null,"min":1.0,"sum":5.0,"count":1.0}"#)
            ),
            // Last: the fast path leaves the rest to serde here.
            "[1]".to_string(),
        ];
        let text = lines.join("\n");
        let column = good(11).len() + 1;
        let want = [
            "2 records skipped: a timestamp that is not a number (first at line 2)".to_string(),
            "1 record skipped: a datapoint without a value (first at line 3)".into(),
            "1 record skipped: a value.sum that is not a number (first at line 4)".into(),
            "1 record skipped: a datapoint without a timestamp (first at line 7)".into(),
            "1 record skipped: a value that is not an object (first at line 8)".into(),
            "1 record skipped: a datapoint without value.count (first at line 9)".into(),
            "1 record skipped: an object that is not a datapoint (no metric_name or namespace) \
             (first at line 10)"
                .into(),
            "1 record skipped: a datapoint without a metric_name (first at line 11)".into(),
            format!(
                "1 record skipped: a value.max that is not a number (first at line 12, column \
                 {column})"
            ),
            "1 record skipped: not a JSON object (first at line 13)".into(),
        ];
        let query = Query::new(crate::window::Window::default(), 60_000);
        let reader = MetricsReader {
            query: &query,
            queries: None,
            statistics_series: None,
        };
        for fast in [true, false] {
            let mut cube = MetricsCube::default();
            let mut report = FileReport::new("f".into());
            reader.read_with(&mut cube, &text, &mut report, fast);
            assert_eq!(report.warnings, want, "fast path first: {fast}");
            if fast {
                // The fast path read all but the last line itself.
                assert_eq!(compare_with_serde(&text), Ok(13));
            }
            // Lines 1, 5 and the first record of 12 are datapoints; the other 11 are not.
            assert_eq!(
                (report.records, report.skipped_records),
                (3, 11),
                "fast path first: {fast}"
            );
            assert_eq!(cube.counts.stream_level, 3);
        }
    }

    /// Times in milliseconds since the epoch, from 1970-01-01 (0) to before 10000-01-01
    /// (253402300800000), rounded down; anything else is out of range.
    #[test]
    fn stream_times_are_rounded_down_and_bounded() {
        for (raw, want) in [
            (1_709_942_400_000.0, Some(1_709_942_400_000)),
            (0.0, Some(0)),
            (-0.0, Some(0)),
            (1.5, Some(1)),
            (0.25, Some(0)),
            (1_709_942_400_000.75, Some(1_709_942_400_000)),
            (253_402_300_799_999.0, Some(253_402_300_799_999)),
            (253_402_300_799_999.5, Some(253_402_300_799_999)),
            (253_402_300_800_000.0, None),
            (-1.0, None),
            (-0.5, None),
            (1e300, None),
            (-1e300, None),
            (9.3e18, None),
            (f64::NAN, None),
            (f64::INFINITY, None),
            (f64::NEG_INFINITY, None),
        ] {
            assert_eq!(stream_time(raw), want, "{raw:e}");
        }
    }
}
