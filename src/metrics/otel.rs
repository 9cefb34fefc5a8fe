//! CloudWatch Metric Streams in the OpenTelemetry output formats (0.7.0 and 1.0.0).
//!
//! A file is a sequence of `ExportMetricsServiceRequest` messages, each prefixed by its length
//! as an unsigned varint32 (protobuf's size-delimited framing; Firehose concatenates them). Each
//! metric is a Summary whose data points are CloudWatch datapoints: `count` = SampleCount, `sum`
//! = Sum, quantile 1.0 = Maximum (0.0 = Minimum), `start_time_unix_nano` = the CloudWatch
//! timestamp. A data point without quantile 1.0 is skipped as damage (a JSON record without
//! `max` is); an absent `count` or `sum` is protobuf's zero, which is how a zero is written.
//! The two versions differ only in where a data point names its metric: 0.7.0 has
//! `labels` (field 1, `StringKeyValue`: `Namespace`, `MetricName`, one per dimension), 1.0.0
//! `attributes` (field 7, `KeyValue`: `Namespace`, `MetricName` and `Dimensions` as a
//! `kvlist_value`). One reader reads both fields, so both versions (the stock 1.x types would
//! drop the 0.7 labels).
//!
//! Messages are read one at a time into one buffer, so memory is bounded by the largest
//! message. Each is read in place (`wire.rs`): first checked as prost would decode it, then
//! walked field by field, its strings slices of the buffer, with nothing allocated per message
//! or field. Damage is located and counted: a message that does not decode is skipped and the
//! next one read (its length is known); a length prefix that is cut off or runs past the end
//! ends the file.

use std::fmt;
use std::io::Read;

use super::{Dims, Point};
use crate::input::lenient::trim;
use crate::window::Millis;

#[cfg(any(test, fuzzing))]
mod reference;
mod wire;

#[cfg(any(test, fuzzing))]
#[doc(hidden)]
pub use reference::compare_with_prost;
use wire::{Fields, Value, last};

/// One CloudWatch datapoint read from a message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Datapoint<'a> {
    /// `cloud.region` of the resource.
    pub region: &'a str,
    /// `cloud.account.id` of the resource.
    pub account: &'a str,
    /// `aws.exporter.arn` of the resource (the metric stream).
    pub stream_arn: &'a str,
    /// `Namespace`.
    pub namespace: &'a str,
    /// `MetricName`.
    pub metric: &'a str,
    /// `StreamName`, `ShardId`, `ConsumerName`, and whether other dimensions are present.
    pub dims: Dims<'a>,
    /// The CloudWatch timestamp.
    pub time: Millis,
    /// Sum, count and maximum.
    pub point: Point,
}

/// Largest length prefix a varint32 can carry in its five bytes.
const MAX_VARINT32_BYTES: usize = 5;

/// Reads the varint32 at the start of `b`: `Ok((value, bytes used))`, `Err(true)` when `b` ends
/// inside it, `Err(false)` when it is longer than five bytes or overflows 32 bits.
fn varint32(b: &[u8]) -> Result<(u32, usize), bool> {
    let mut v: u64 = 0;
    for (i, &byte) in b.iter().take(MAX_VARINT32_BYTES).enumerate() {
        v |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return u32::try_from(v).map(|v| (v, i + 1)).map_err(|_| false);
        }
    }
    Err(b.len() < MAX_VARINT32_BYTES)
}

/// True when `bytes` start like the OpenTelemetry formats: a varint32 length, then a message
/// whose first field is `resource_metrics` (field 1, length-delimited). Text that could also be
/// JSON (it starts with `{`, `[` or whitespace) must hold a whole first message that decodes.
pub fn looks_like(bytes: &[u8]) -> bool {
    looks_like_with(bytes, |m| {
        wire::check(m).is_ok()
            && wire::each(m, 1)
                .flat_map(|rm| wire::each(rm, 2))
                .any(|sm| wire::each(sm, 2).next().is_some())
    })
}

/// [`looks_like`], with `has_metric` saying whether a first message holds a metric (the
/// reference decoder in the tests asks it its own way).
fn looks_like_with(bytes: &[u8], has_metric: impl Fn(&[u8]) -> bool) -> bool {
    let Ok((len, used)) = varint32(bytes) else {
        return false;
    };
    if bytes.get(used) != Some(&0x0a) {
        return false;
    }
    let json_like = matches!(bytes[0], b'{' | b'[' | b' ' | b'\t' | b'\r' | b'\n');
    if !json_like {
        return true;
    }
    bytes.get(used..used + len as usize).is_some_and(has_metric)
}

/// A kind of damage, counted per file with its first place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Problem {
    /// The file ends inside a length prefix.
    TruncatedLength,
    /// A length prefix longer than five bytes or beyond 32 bits.
    BadLength,
    /// A length that runs past the end of the file.
    PastTheEnd,
    /// A message that does not decode as an `ExportMetricsServiceRequest`.
    NotARequest,
    /// A message that decodes but carries no metrics.
    NoMetrics,
    /// A metric that is not a Summary (not CloudWatch's).
    NotASummary,
    /// A data point without `Namespace` or `MetricName`.
    Unnamed,
    /// A data point without a start time.
    NoTime,
    /// A data point without quantile 1.0 (its Maximum).
    NoMaximum,
    /// The input could not be read on (a damaged gzip stream).
    ReadError,
}

impl Problem {
    fn what(self) -> &'static str {
        match self {
            Problem::TruncatedLength => "the file ends inside a message's length prefix",
            Problem::BadLength => "a message's length prefix is not a varint32",
            Problem::PastTheEnd => "a message's length runs past the end of the file",
            Problem::NotARequest => "a message is not an ExportMetricsServiceRequest",
            Problem::NoMetrics => "a message carries no metrics",
            Problem::NotASummary => "a metric is not a Summary (not a CloudWatch datapoint)",
            Problem::Unnamed => "a data point has no Namespace or MetricName attribute",
            Problem::NoTime => "a data point has no start_time_unix_nano",
            Problem::NoMaximum => "a data point has no quantile 1.0 (its Maximum)",
            Problem::ReadError => "the input cannot be read on",
        }
    }

    /// Whether reading goes on after it.
    fn ends_file(self) -> bool {
        matches!(
            self,
            Problem::TruncatedLength
                | Problem::BadLength
                | Problem::PastTheEnd
                | Problem::ReadError
        )
    }
}

/// One kind of damage: how often, and where first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    problem: Problem,
    /// How many times.
    pub count: u64,
    /// Byte offset of the first message (or length prefix) it was found in.
    pub first_at: usize,
    /// The decoder's words for the first one, if any.
    detail: Option<String>,
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let what = self.problem.what();
        if self.count == 1 {
            write!(f, "{what} (at byte {})", self.first_at)?;
        } else {
            write!(
                f,
                "{what}: {} times, first at byte {}",
                self.count, self.first_at
            )?;
        }
        if let Some(d) = &self.detail {
            write!(f, ": {d}")?;
        }
        if self.problem.ends_file() {
            f.write_str("; the rest of the file is unreadable")?;
        }
        Ok(())
    }
}

/// What reading one file gave.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Messages read whole.
    pub messages: u64,
    /// Datapoints passed on.
    pub datapoints: u64,
    /// Skipped pieces: each damaged message, metric or data point counts once.
    pub skipped: u64,
    /// Damage by kind, in the order of `Problem`.
    pub damage: Vec<Damage>,
}

impl Outcome {
    // Damage is rare: kept out of the loops that read data points.
    #[cold]
    #[inline(never)]
    fn note(&mut self, problem: Problem, at: usize, detail: impl FnOnce() -> String) {
        self.skipped += 1;
        match self.damage.iter_mut().find(|d| d.problem == problem) {
            Some(d) => d.count += 1,
            None => {
                self.damage.push(Damage {
                    problem,
                    count: 1,
                    first_at: at,
                    detail: Some(detail()).filter(|s| !s.is_empty()),
                });
                self.damage.sort_by_key(|d| d.problem);
            }
        }
    }
}

/// Largest message read (a CloudWatch metric stream sends requests of kilobytes; a length
/// beyond this is damage, not a reason to buffer the rest of the file).
pub const MAX_MESSAGE: u32 = 64 << 20;

/// Reads every message of an OpenTelemetry Metric Streams file in memory, passing each
/// datapoint to `each`.
pub fn read(bytes: &[u8], each: impl FnMut(&Datapoint<'_>)) -> Outcome {
    read_stream(&mut &bytes[..], each)
}

/// Reads every message from `input`, one at a time into one buffer (memory is bounded by the
/// largest message, at most [`MAX_MESSAGE`]), passing each datapoint to `each`.
pub fn read_stream(input: &mut dyn Read, mut each: impl FnMut(&Datapoint<'_>)) -> Outcome {
    frames(input, |msg, at, out| match wire::check(msg) {
        Err(e) => out.note(Problem::NotARequest, at, || e.to_string()),
        Ok(()) => {
            out.messages += 1;
            request(msg, at, out, &mut each);
        }
    })
}

/// Reads the size-delimited frames of `input` into one buffer, passing each message whole, with
/// its offset, to `message`.
fn frames(input: &mut dyn Read, mut message: impl FnMut(&[u8], usize, &mut Outcome)) -> Outcome {
    let mut out = Outcome::default();
    let mut at = 0usize;
    let mut msg = Vec::new();
    loop {
        let (len, used) = match read_varint32(input) {
            Ok(None) => break,
            Ok(Some(v)) => v,
            Err(FrameError::Io(e)) => {
                out.note(Problem::ReadError, at, || e.to_string());
                break;
            }
            Err(FrameError::Truncated) => {
                out.note(Problem::TruncatedLength, at, String::new);
                break;
            }
            Err(FrameError::Bad) => {
                out.note(Problem::BadLength, at, String::new);
                break;
            }
        };
        if len > MAX_MESSAGE {
            out.note(Problem::BadLength, at, || {
                format!("{len} bytes, more than any metric stream sends")
            });
            break;
        }
        msg.clear();
        // A length that runs past the end is found by reading, not by trusting it: at most
        // 1 MiB is reserved ahead, then the buffer grows with what arrives.
        msg.reserve((len as usize).min(1 << 20));
        if let Err(e) = input.take(u64::from(len)).read_to_end(&mut msg) {
            out.note(Problem::ReadError, at, || e.to_string());
            break;
        }
        if msg.len() < len as usize {
            let left = msg.len();
            out.note(Problem::PastTheEnd, at, || {
                format!("{len} bytes said, {left} left")
            });
            break;
        }
        message(&msg, at, &mut out);
        at += used + len as usize;
    }
    out
}

enum FrameError {
    Io(std::io::Error),
    Truncated,
    Bad,
}

/// Reads a varint32 length prefix: `None` at a clean end of input, else the value and the
/// bytes it took.
fn read_varint32(input: &mut dyn Read) -> Result<Option<(u32, usize)>, FrameError> {
    let mut buf = [0u8; MAX_VARINT32_BYTES];
    for i in 0..MAX_VARINT32_BYTES {
        let mut byte = [0u8];
        loop {
            match input.read(&mut byte) {
                Ok(0) if i == 0 => return Ok(None),
                Ok(0) => return Err(FrameError::Truncated),
                Ok(_) => break,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(FrameError::Io(e)),
            }
        }
        buf[i] = byte[0];
        if byte[0] & 0x80 == 0 {
            return varint32(&buf[..=i]).map(Some).map_err(|_| FrameError::Bad);
        }
    }
    Err(FrameError::Bad)
}

/// Reads the datapoints of a checked request.
fn request(msg: &[u8], at: usize, out: &mut Outcome, each: &mut impl FnMut(&Datapoint<'_>)) {
    let mut metrics = 0usize;
    for rm in wire::each(msg, 1) {
        let resource = Resource::of(rm);
        for m in wire::each(rm, 2).flat_map(|sm| wire::each(sm, 2)) {
            metrics += 1;
            // The name only for the damage report; it is the last one given, wherever it is.
            let name = || {
                format!(
                    "metric {:?}",
                    String::from_utf8_lossy(last(m, 1).unwrap_or(&[]))
                )
            };
            let mut summary = false;
            for dp in wire::each(m, 11).flat_map(|s| wire::each(s, 1)) {
                summary = true;
                let p = DataPoint::of(dp);
                let Some((namespace, metric, dims)) = p.names() else {
                    out.note(Problem::Unnamed, at, name);
                    continue;
                };
                if p.start == 0 {
                    out.note(Problem::NoTime, at, name);
                    continue;
                }
                let Some(max) = p.max else {
                    out.note(Problem::NoMaximum, at, name);
                    continue;
                };
                let d = Datapoint {
                    region: resource.region.unwrap_or(""),
                    account: resource.account.unwrap_or(""),
                    stream_arn: resource.stream_arn.unwrap_or(""),
                    namespace,
                    metric,
                    dims,
                    time: (p.start / 1_000_000) as Millis,
                    point: Point {
                        sum: Some(p.sum),
                        count: Some(p.count as f64),
                        max: Some(max),
                        avg: None,
                    },
                };
                out.datapoints += 1;
                each(&d);
            }
            // A Summary without data points is still a Summary.
            if !summary && wire::each(m, 11).next().is_none() {
                out.note(Problem::NotASummary, at, name);
            }
        }
    }
    if metrics == 0 {
        out.note(Problem::NoMetrics, at, String::new);
    }
}

/// The attributes of a `ResourceMetrics` the datapoints carry: for each key, the value of the
/// first attribute of that key (`""` when it is not a string), as every `resource` given, merged,
/// lists them.
#[derive(Default)]
struct Resource<'a> {
    region: Option<&'a str>,
    account: Option<&'a str>,
    stream_arn: Option<&'a str>,
}

impl<'a> Resource<'a> {
    fn of(rm: &'a [u8]) -> Self {
        let mut r = Resource::default();
        for kv in wire::each(rm, 1).flat_map(|res| wire::each(res, 1)) {
            let kv = KeyValue::of(kv);
            let slot = match kv.key {
                b"cloud.region" => &mut r.region,
                b"cloud.account.id" => &mut r.account,
                b"aws.exporter.arn" => &mut r.stream_arn,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(kv.str().unwrap_or(""));
            }
        }
        r
    }
}

/// A `KeyValue`, read in one pass: its key (the last one given) and its `value`s (an
/// `AnyValue`; protobuf merges several, and CloudWatch gives one).
struct KeyValue<'a> {
    kv: &'a [u8],
    key: &'a [u8],
    /// The last value given, and how many were.
    value: &'a [u8],
    values: u32,
}

impl<'a> KeyValue<'a> {
    #[inline]
    fn of(kv: &'a [u8]) -> Self {
        let mut r = KeyValue {
            kv,
            key: &[],
            value: &[],
            values: 0,
        };
        for (tag, v) in Fields::new(kv) {
            match (tag, v) {
                (1, Value::Bytes(b)) => r.key = b,
                (2, Value::Bytes(b)) => {
                    r.value = b;
                    r.values += 1;
                }
                _ => {}
            }
        }
        r
    }

    /// Its value as text: the `string_value` (the last one of every value given), trimmed (as
    /// the JSON format's fields are); `None` when there is none or it is not UTF-8 (read as
    /// absent, as a JSON field of the wrong type is).
    fn str(&self) -> Option<&'a str> {
        let s = match self.values {
            0 => None,
            1 => last(self.value, 1),
            _ => wire::each(self.kv, 2).filter_map(|v| last(v, 1)).last(),
        };
        s.and_then(text)
    }

    /// Passes each `KeyValue` of its `kvlist_value`s (merged: every list of every value, in
    /// order) to `f`.
    fn each_listed(&self, mut f: impl FnMut(&'a [u8])) {
        let mut lists = |v: &'a [u8]| {
            for d in wire::each(v, 6).flat_map(|list| wire::each(list, 1)) {
                f(d);
            }
        };
        if self.values == 1 {
            lists(self.value);
        } else {
            wire::each(self.kv, 2).for_each(lists);
        }
    }
}

/// A protobuf string as text, trimmed; `None` when it is not UTF-8.
fn text(b: &[u8]) -> Option<&str> {
    std::str::from_utf8(b).ok().map(trim)
}

/// One data point's fields, read in one pass: scalars as the last one given, the maximum from
/// the first quantile 1.0, the names from the 1.0.0 attributes and from the 0.7.0 labels (the
/// attributes count when there are any).
#[derive(Default)]
struct DataPoint<'a> {
    start: u64,
    count: u64,
    sum: f64,
    max: Option<f64>,
    attributes: bool,
    by_attributes: Names<'a>,
    by_labels: Names<'a>,
}

/// `Namespace`, `MetricName` and the dimensions.
#[derive(Default)]
struct Names<'a> {
    namespace: &'a str,
    metric: &'a str,
    dims: Dims<'a>,
}

impl<'a> DataPoint<'a> {
    fn of(dp: &'a [u8]) -> Self {
        let mut p = DataPoint::default();
        for (tag, value) in Fields::new(dp) {
            match (tag, value) {
                (1, Value::Bytes(l)) => p.by_labels.label(l),
                (2, Value::Fixed64(v)) => p.start = v,
                (4, Value::Fixed64(v)) => p.count = v,
                (5, Value::Fixed64(v)) => p.sum = f64::from_bits(v),
                (6, Value::Bytes(q)) if p.max.is_none() => p.max = max(q),
                (7, Value::Bytes(a)) => {
                    p.attributes = true;
                    p.by_attributes.attribute(a);
                }
                _ => {}
            }
        }
        p
    }

    fn names(&self) -> Option<(&'a str, &'a str, Dims<'a>)> {
        let n = if self.attributes {
            &self.by_attributes
        } else {
            &self.by_labels
        };
        (!n.namespace.is_empty() && !n.metric.is_empty()).then_some((n.namespace, n.metric, n.dims))
    }
}

/// The value of a `ValueAtQuantile` if its quantile is 1.0 (the Maximum).
fn max(q: &[u8]) -> Option<f64> {
    let (mut quantile, mut value) = (0.0, 0.0);
    for (tag, v) in Fields::new(q) {
        match (tag, v) {
            (1, Value::Fixed64(v)) => quantile = f64::from_bits(v),
            (2, Value::Fixed64(v)) => value = f64::from_bits(v),
            _ => {}
        }
    }
    (quantile == 1.0).then_some(value)
}

impl<'a> Names<'a> {
    /// A 0.7.0 `StringKeyValue` label.
    fn label(&mut self, l: &'a [u8]) {
        let (mut key, mut value): (&[u8], &[u8]) = (&[], &[]);
        for (tag, v) in Fields::new(l) {
            match (tag, v) {
                (1, Value::Bytes(b)) => key = b,
                (2, Value::Bytes(b)) => value = b,
                _ => {}
            }
        }
        let value = text(value);
        match key {
            b"Namespace" => self.namespace = value.unwrap_or(""),
            b"MetricName" => self.metric = value.unwrap_or(""),
            key => set_dim(&mut self.dims, key, value),
        }
    }

    /// A 1.0.0 `KeyValue` attribute.
    fn attribute(&mut self, kv: &'a [u8]) {
        let kv = KeyValue::of(kv);
        match kv.key {
            b"Namespace" => self.namespace = kv.str().unwrap_or(""),
            b"MetricName" => self.metric = kv.str().unwrap_or(""),
            b"Dimensions" => kv.each_listed(|d| {
                let d = KeyValue::of(d);
                set_dim(&mut self.dims, d.key, d.str());
            }),
            _ => {}
        }
    }
}

fn set_dim<'a>(dims: &mut Dims<'a>, key: &[u8], value: Option<&'a str>) {
    match (key, value) {
        (b"StreamName", Some(v)) => dims.stream = v,
        (b"ShardId", Some(v)) => dims.shard = v,
        (b"ConsumerName", Some(v)) => dims.consumer = v,
        _ => dims.other = true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint32_edges() {
        assert_eq!(varint32(&[0]), Ok((0, 1)));
        assert_eq!(varint32(&[0x7f, 9]), Ok((127, 1)));
        assert_eq!(varint32(&[0xe8, 0x07]), Ok((1000, 2)));
        assert_eq!(varint32(&[0xff, 0xff, 0xff, 0xff, 0x0f]), Ok((u32::MAX, 5)));
        // Cut off inside: truncated; past 32 bits or five bytes: not a varint32.
        assert_eq!(varint32(&[]), Err(true));
        assert_eq!(varint32(&[0x80, 0x80]), Err(true));
        assert_eq!(varint32(&[0xff, 0xff, 0xff, 0xff, 0x1f]), Err(false));
        assert_eq!(varint32(&[0x80; 6]), Err(false));
    }

    /// A 1.0.0 request with one data point, encoded by hand (field numbers from the proto
    /// files): resource {cloud.region = r}, one Summary metric with one data point.
    fn one_point(attributes: &[u8]) -> Vec<u8> {
        fn len(tag: u8, body: &[u8]) -> Vec<u8> {
            [vec![tag], varint(body.len()), body.to_vec()].concat()
        }
        let kv = |k: &str, v: &str| {
            len(
                0x0a,
                &[len(0x0a, k.as_bytes()), len(0x12, &len(0x0a, v.as_bytes()))].concat(),
            )
        };
        let resource = len(0x0a, &kv("cloud.region", "r"));
        let mut dp = vec![0x11];
        dp.extend_from_slice(&1_709_942_400_000_000_000u64.to_le_bytes());
        dp.push(0x21);
        dp.extend_from_slice(&3u64.to_le_bytes());
        dp.push(0x29);
        dp.extend_from_slice(&6.5f64.to_le_bytes());
        dp.extend(len(
            0x32,
            &[
                &[0x09][..],
                &1f64.to_le_bytes(),
                &[0x11],
                &4f64.to_le_bytes(),
            ]
            .concat(),
        ));
        dp.extend_from_slice(attributes);
        let metric = [
            len(0x0a, b"amazonaws.com/AWS/Kinesis/X"),
            len(0x5a, &len(0x0a, &dp)),
        ]
        .concat();
        let rm = [resource, len(0x12, &len(0x12, &metric))].concat();
        let msg = len(0x0a, &rm);
        [varint(msg.len()), msg].concat()
    }

    fn varint(mut n: usize) -> Vec<u8> {
        let mut out = Vec::new();
        while n >= 0x80 {
            out.push((n as u8 & 0x7f) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
        out
    }

    #[test]
    fn reads_both_versions_of_one_point() {
        let kv = |k: &str, v: &str| {
            let (k, v) = (k.as_bytes(), v.as_bytes());
            [
                &[0x0a, k.len() as u8][..],
                k,
                &[0x12, v.len() as u8 + 2, 0x0a, v.len() as u8],
                v,
            ]
            .concat()
        };
        let attr = |body: Vec<u8>| [&[0x3a, body.len() as u8][..], &body].concat();
        let dims = {
            // An enhanced fan-out consumer's series: StreamName and ConsumerName.
            let list = [
                &[0x0a][..],
                &[kv("StreamName", "s").len() as u8],
                &kv("StreamName", "s"),
                &[0x0a],
                &[kv("ConsumerName", "c").len() as u8],
                &kv("ConsumerName", "c"),
            ]
            .concat();
            let key = b"Dimensions";
            [
                &[0x0a, key.len() as u8][..],
                key,
                &[0x12, list.len() as u8 + 2, 0x32, list.len() as u8],
                &list,
            ]
            .concat()
        };
        let v1 = [
            attr(kv("Namespace", "AWS/Kinesis")),
            attr(kv("MetricName", " X ")),
            attr(dims),
        ]
        .concat();
        let skv = |k: &str, v: &str| {
            let body = [
                &[0x0a, k.len() as u8][..],
                k.as_bytes(),
                &[0x12, v.len() as u8],
                v.as_bytes(),
            ]
            .concat();
            [&[0x0a, body.len() as u8][..], &body].concat()
        };
        let v07 = [
            skv("Namespace", "AWS/Kinesis"),
            skv("MetricName", "X"),
            skv("StreamName", "s"),
            skv("ShardId", "sh"),
        ]
        .concat();
        let v07_consumer = [
            skv("Namespace", "AWS/Kinesis"),
            skv("MetricName", "X"),
            skv("ConsumerName", "c"),
            skv("StreamName", "s"),
        ]
        .concat();
        for (attrs, shard, consumer) in [(v1, "", "c"), (v07, "sh", ""), (v07_consumer, "", "c")] {
            let bytes = one_point(&attrs);
            assert!(looks_like(&bytes));
            let mut got = Vec::new();
            let out = read(&bytes, |d| {
                got.push((
                    d.region.to_string(),
                    d.namespace.to_string(),
                    d.metric.to_string(),
                    d.dims.stream.to_string(),
                    d.dims.shard.to_string(),
                    d.dims.consumer.to_string(),
                    d.dims.other,
                    d.time,
                    d.point,
                ))
            });
            assert_eq!(
                (out.messages, out.datapoints, out.skipped),
                (1, 1, 0),
                "{:?}",
                out.damage
            );
            let want_point = Point {
                sum: Some(6.5),
                count: Some(3.0),
                max: Some(4.0),
                avg: None,
            };
            assert_eq!(
                got,
                [(
                    "r".into(),
                    "AWS/Kinesis".into(),
                    "X".into(),
                    "s".into(),
                    shard.into(),
                    consumer.into(),
                    false,
                    1_709_942_400_000,
                    want_point
                )]
            );
        }
        // No names: skipped and said.
        let out = read(&one_point(&[]), |_| panic!("no datapoint"));
        assert_eq!(out.skipped, 1);
        assert!(
            out.damage[0]
                .to_string()
                .contains("no Namespace or MetricName"),
            "{}",
            out.damage[0]
        );
    }

    #[test]
    fn json_is_not_taken_for_protobuf() {
        // `{` is 123 and `\n` is field 1, length-delimited: pretty-printed JSON starts like a
        // frame, so a JSON-like start must decode as a whole request.
        assert!(!looks_like(
            b"{\n  \"namespace\": \"AWS/Kinesis\", \"metric_name\": \"IncomingBytes\"\n}"
        ));
        assert!(!looks_like(b"[\n]"));
        assert!(!looks_like(b"{\"MetricDataResults\": []}"));
        assert!(!looks_like(b""));
    }
}
