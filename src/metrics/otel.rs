//! CloudWatch Metric Streams in the OpenTelemetry output formats (0.7.0 and 1.0.0).
//!
//! A file is a sequence of `ExportMetricsServiceRequest` messages, each prefixed by its length
//! as an unsigned varint32 (protobuf's size-delimited framing; Firehose concatenates them). Each
//! metric is a Summary whose data points are CloudWatch datapoints: `count` = SampleCount, `sum`
//! = Sum, quantile 1.0 = Maximum (0.0 = Minimum), `start_time_unix_nano` = the CloudWatch
//! timestamp. The two versions differ only in where a data point names its metric: 0.7.0 has
//! `labels` (field 1, `StringKeyValue`: `Namespace`, `MetricName`, one per dimension), 1.0.0
//! `attributes` (field 7, `KeyValue`: `Namespace`, `MetricName` and `Dimensions` as a
//! `kvlist_value`). The message structs below carry both fields, so one decoder reads both
//! versions (the stock 1.x types would drop the 0.7 labels).
//!
//! Messages are decoded one at a time from the buffer, so memory per message is bounded by the
//! message. Damage is located and counted: a message that does not decode is skipped and the
//! next one read (its length is known); a length prefix that is cut off or runs past the end
//! ends the file.

use std::fmt;
use std::io::Read;

use bytes::Bytes;
use prost::Message;

use super::{Dims, Point};
use crate::input::lenient::trim;
use crate::window::Millis;

/// `opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest`.
#[derive(Clone, PartialEq, Message)]
pub struct Request {
    /// `resource_metrics`.
    #[prost(message, repeated, tag = "1")]
    pub resource_metrics: Vec<ResourceMetrics>,
}

/// `ResourceMetrics`: field 2 is `instrumentation_library_metrics` in 0.7.0 and `scope_metrics`
/// in 1.0.0, of the same shape.
#[derive(Clone, PartialEq, Message)]
pub struct ResourceMetrics {
    /// `resource`.
    #[prost(message, optional, tag = "1")]
    pub resource: Option<Resource>,
    /// `scope_metrics` / `instrumentation_library_metrics`.
    #[prost(message, repeated, tag = "2")]
    pub scope_metrics: Vec<ScopeMetrics>,
}

/// `opentelemetry.proto.resource.v1.Resource`.
#[derive(Clone, PartialEq, Message)]
pub struct Resource {
    /// `attributes`.
    #[prost(message, repeated, tag = "1")]
    pub attributes: Vec<KeyValue>,
}

/// `ScopeMetrics` / `InstrumentationLibraryMetrics`.
#[derive(Clone, PartialEq, Message)]
pub struct ScopeMetrics {
    /// `metrics`.
    #[prost(message, repeated, tag = "2")]
    pub metrics: Vec<Metric>,
}

/// `Metric`: only the Summary (field 11: `summary` in 1.0.0, `double_summary` in 0.7.0) is
/// CloudWatch's; the other kinds are recognised only to be reported.
#[derive(Clone, PartialEq, Message)]
pub struct Metric {
    /// `name`: `amazonaws.com/<Namespace>/<MetricName>`.
    #[prost(bytes = "bytes", tag = "1")]
    pub name: Bytes,
    /// `summary` / `double_summary`.
    #[prost(message, optional, tag = "11")]
    pub summary: Option<Summary>,
}

/// `Summary` / `DoubleSummary`.
#[derive(Clone, PartialEq, Message)]
pub struct Summary {
    /// `data_points`.
    #[prost(message, repeated, tag = "1")]
    pub data_points: Vec<DataPoint>,
}

/// `SummaryDataPoint` (1.0.0) and `DoubleSummaryDataPoint` (0.7.0) in one.
#[derive(Clone, PartialEq, Message)]
pub struct DataPoint {
    /// 0.7.0 `labels`.
    #[prost(message, repeated, tag = "1")]
    pub labels: Vec<StringKeyValue>,
    /// The CloudWatch timestamp (start of the period).
    #[prost(fixed64, tag = "2")]
    pub start_time_unix_nano: u64,
    /// End of the period.
    #[prost(fixed64, tag = "3")]
    pub time_unix_nano: u64,
    /// SampleCount.
    #[prost(fixed64, tag = "4")]
    pub count: u64,
    /// Sum.
    #[prost(double, tag = "5")]
    pub sum: f64,
    /// Quantile 0.0 = Minimum, 1.0 = Maximum.
    #[prost(message, repeated, tag = "6")]
    pub quantile_values: Vec<ValueAtQuantile>,
    /// 1.0.0 `attributes`.
    #[prost(message, repeated, tag = "7")]
    pub attributes: Vec<KeyValue>,
}

/// `ValueAtQuantile`.
#[derive(Clone, PartialEq, Message)]
pub struct ValueAtQuantile {
    /// `quantile`, 0 to 1.
    #[prost(double, tag = "1")]
    pub quantile: f64,
    /// `value`.
    #[prost(double, tag = "2")]
    pub value: f64,
}

/// 0.7.0 `StringKeyValue`.
#[derive(Clone, PartialEq, Message)]
pub struct StringKeyValue {
    /// `key`.
    #[prost(bytes = "bytes", tag = "1")]
    pub key: Bytes,
    /// `value`.
    #[prost(bytes = "bytes", tag = "2")]
    pub value: Bytes,
}

/// `KeyValue`.
#[derive(Clone, PartialEq, Message)]
pub struct KeyValue {
    /// `key`.
    #[prost(bytes = "bytes", tag = "1")]
    pub key: Bytes,
    /// `value`.
    #[prost(message, optional, tag = "2")]
    pub value: Option<AnyValue>,
}

/// `AnyValue`: the two members CloudWatch uses (the others of the oneof are skipped as unknown
/// fields).
#[derive(Clone, PartialEq, Message)]
pub struct AnyValue {
    /// `string_value`.
    #[prost(bytes = "bytes", optional, tag = "1")]
    pub string_value: Option<Bytes>,
    /// `kvlist_value`.
    #[prost(message, optional, tag = "6")]
    pub kvlist_value: Option<KeyValueList>,
}

/// `KeyValueList`.
#[derive(Clone, PartialEq, Message)]
pub struct KeyValueList {
    /// `values`.
    #[prost(message, repeated, tag = "1")]
    pub values: Vec<KeyValue>,
}

impl AnyValue {
    /// The string value, trimmed (as the JSON format's fields are).
    fn str(&self) -> Option<&str> {
        self.string_value.as_ref().and_then(text).map(trim)
    }
}

/// A protobuf string field, kept as the bytes of the message it came in (no copy, no
/// allocation): its text, or `None` when it is not UTF-8 (read as absent, as a JSON field of the
/// wrong type is).
fn text(b: &Bytes) -> Option<&str> {
    std::str::from_utf8(b).ok()
}

fn attr_str<'a>(attrs: &'a [KeyValue], key: &str) -> &'a str {
    attrs
        .iter()
        .find(|a| a.key == key.as_bytes())
        .and_then(|a| a.value.as_ref())
        .and_then(AnyValue::str)
        .map_or("", trim)
}

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
    bytes
        .get(used..used + len as usize)
        .and_then(|m| Request::decode(m).ok())
        .is_some_and(|r| {
            r.resource_metrics
                .iter()
                .flat_map(|rm| &rm.scope_metrics)
                .any(|s| !s.metrics.is_empty())
        })
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
    /// Damage by kind, in the order of [`Problem`].
    pub damage: Vec<Damage>,
}

impl Outcome {
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
    let mut out = Outcome::default();
    let mut at = 0usize;
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
        // The strings of a message are slices of its buffer (`Bytes`), so each message gets a
        // buffer of its own.
        let mut msg = Vec::with_capacity((len as usize).min(1 << 20));
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
        match Request::decode(Bytes::from(msg)) {
            Err(e) => out.note(Problem::NotARequest, at, || e.to_string()),
            Ok(req) => {
                out.messages += 1;
                request(&req, at, &mut out, &mut each);
            }
        }
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

fn request(req: &Request, at: usize, out: &mut Outcome, each: &mut impl FnMut(&Datapoint<'_>)) {
    let mut metrics = 0usize;
    for rm in &req.resource_metrics {
        let attrs = rm.resource.as_ref().map_or(&[][..], |r| &r.attributes[..]);
        let (region, account, stream_arn) = (
            attr_str(attrs, "cloud.region"),
            attr_str(attrs, "cloud.account.id"),
            attr_str(attrs, "aws.exporter.arn"),
        );
        for m in rm.scope_metrics.iter().flat_map(|s| &s.metrics) {
            metrics += 1;
            let Some(summary) = &m.summary else {
                out.note(Problem::NotASummary, at, || {
                    format!("metric {:?}", String::from_utf8_lossy(&m.name))
                });
                continue;
            };
            for dp in &summary.data_points {
                let Some((namespace, metric, dims)) = names(dp) else {
                    out.note(Problem::Unnamed, at, || {
                        format!("metric {:?}", String::from_utf8_lossy(&m.name))
                    });
                    continue;
                };
                if dp.start_time_unix_nano == 0 {
                    out.note(Problem::NoTime, at, || {
                        format!("metric {:?}", String::from_utf8_lossy(&m.name))
                    });
                    continue;
                }
                let max = dp
                    .quantile_values
                    .iter()
                    .find(|q| q.quantile == 1.0)
                    .map(|q| q.value);
                let d = Datapoint {
                    region,
                    account,
                    stream_arn,
                    namespace,
                    metric,
                    dims,
                    time: (dp.start_time_unix_nano / 1_000_000) as Millis,
                    point: Point {
                        sum: Some(dp.sum),
                        count: Some(dp.count as f64),
                        max,
                        avg: None,
                    },
                };
                out.datapoints += 1;
                each(&d);
            }
        }
    }
    if metrics == 0 {
        out.note(Problem::NoMetrics, at, String::new);
    }
}

/// Namespace, metric name and dimensions of a data point, from its 1.0.0 attributes or else its
/// 0.7.0 labels.
fn names(dp: &DataPoint) -> Option<(&str, &str, Dims<'_>)> {
    let mut dims = Dims::default();
    let (mut namespace, mut metric) = ("", "");
    if !dp.attributes.is_empty() {
        for a in &dp.attributes {
            let v = a.value.as_ref();
            match &a.key[..] {
                b"Namespace" => namespace = v.and_then(AnyValue::str).unwrap_or(""),
                b"MetricName" => metric = v.and_then(AnyValue::str).unwrap_or(""),
                b"Dimensions" => {
                    for d in v
                        .and_then(|v| v.kvlist_value.as_ref())
                        .map_or(&[][..], |l| &l.values)
                    {
                        let value = d.value.as_ref().and_then(AnyValue::str);
                        set_dim(&mut dims, &d.key, value);
                    }
                }
                _ => {}
            }
        }
    } else {
        for l in &dp.labels {
            let value = text(&l.value).map(trim);
            match &l.key[..] {
                b"Namespace" => namespace = value.unwrap_or(""),
                b"MetricName" => metric = value.unwrap_or(""),
                key => set_dim(&mut dims, key, value),
            }
        }
    }
    (!namespace.is_empty() && !metric.is_empty()).then_some((namespace, metric, dims))
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
