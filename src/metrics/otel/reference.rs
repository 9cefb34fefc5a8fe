//! The decoder the wire walker replaced, kept to compare with: prost's derive into message
//! structs (a `Vec` per repeated field, strings as `bytes::Bytes` slices of the message), read
//! into datapoints and damage exactly as before. [`compare_with_prost`] reads bytes both ways;
//! the tests and the `otel` fuzz target call it. Built for tests and fuzzing only.

use bytes::Bytes;
use prost::Message;

use super::{Datapoint, Outcome, Problem, set_dim};
use crate::input::lenient::trim;
use crate::metrics::{Dims, Point};
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

/// Reads a message as the old decoder did: prost's `Message::decode`, then the structs.
fn message(msg: &[u8], at: usize, out: &mut Outcome, each: &mut impl FnMut(&Datapoint<'_>)) {
    match Request::decode(Bytes::copy_from_slice(msg)) {
        Err(e) => out.note(Problem::NotARequest, at, || e.to_string()),
        Ok(req) => {
            out.messages += 1;
            request(&req, at, out, each);
        }
    }
}

/// [`super::looks_like`] as it was: the same framing, the first message decoded by prost.
fn looks_like(bytes: &[u8]) -> bool {
    super::looks_like_with(bytes, |m| {
        Request::decode(m).is_ok_and(|r| {
            r.resource_metrics
                .iter()
                .flat_map(|rm| &rm.scope_metrics)
                .any(|s| !s.metrics.is_empty())
        })
    })
}

/// Reads `bytes` as an OpenTelemetry file with the wire walker and with prost's structs, and
/// says how they differ, if they do: in the datapoints (each, in order), the outcome (messages,
/// datapoints, skipped, every damage with its count, place and words) or [`super::looks_like`].
#[doc(hidden)]
pub fn compare_with_prost(bytes: &[u8]) -> Result<(), String> {
    let mut walked = Vec::new();
    let walked_out = super::read(bytes, |d| walked.push(format!("{d:?}")));
    let mut decoded = Vec::new();
    let decoded_out = super::frames(&mut &bytes[..], |msg, at, out| {
        message(msg, at, out, &mut |d| decoded.push(format!("{d:?}")));
    });
    if walked != decoded || walked_out != decoded_out {
        return Err(format!(
            "the walker and prost differ on {bytes:?}:\n{walked:#?}\n{walked_out:#?}\nvs\n{decoded:#?}\n{decoded_out:#?}"
        ));
    }
    // The one-pass check and prost's functions agree on every message (a message the check
    // refuses is given to prost's functions for the error, so a refusal too many would not
    // show above).
    let mut disagree = None;
    super::frames(&mut &bytes[..], |msg, at, _| {
        use super::wire;
        let fast = wire::valid(msg, &wire::REQUEST, wire::RECURSION_LIMIT);
        let by_prost = wire::check_by_prost(msg);
        if fast != by_prost.is_ok() && disagree.is_none() {
            disagree = Some(format!(
                "the check says {fast} and prost {by_prost:?} of the message at byte {at} of {bytes:?}"
            ));
        }
    });
    if let Some(d) = disagree {
        return Err(d);
    }
    let (new, old) = (super::looks_like(bytes), looks_like(bytes));
    if new != old {
        return Err(format!(
            "looks_like differs on {bytes:?}: the walker {new}, prost {old}"
        ));
    }
    Ok(())
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
                let Some(max) = dp
                    .quantile_values
                    .iter()
                    .find(|q| q.quantile == 1.0)
                    .map(|q| q.value)
                else {
                    out.note(Problem::NoMaximum, at, || {
                        format!("metric {:?}", String::from_utf8_lossy(&m.name))
                    });
                    continue;
                };
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
                        max: Some(max),
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

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::compare_with_prost;
    use crate::metrics::otel::read;

    fn same(bytes: &[u8]) {
        compare_with_prost(bytes).unwrap_or_else(|e| panic!("{e}"));
    }

    /// The OpenTelemetry fixtures, decompressed.
    fn fixtures() -> Vec<(String, Vec<u8>)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/metrics");
        let mut out = Vec::new();
        for version in ["otel-1.0", "otel-0.7"] {
            let mut dirs = vec![root.join(version)];
            while let Some(dir) = dirs.pop() {
                for e in std::fs::read_dir(dir).unwrap() {
                    let path = e.unwrap().path();
                    if path.is_dir() {
                        dirs.push(path);
                        continue;
                    }
                    let raw = std::fs::read(&path).unwrap();
                    let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
                        let mut v = Vec::new();
                        flate2::read::MultiGzDecoder::new(&raw[..])
                            .read_to_end(&mut v)
                            .unwrap();
                        v
                    } else {
                        raw
                    };
                    out.push((path.display().to_string(), bytes));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn fixtures_read_as_prost_reads_them() {
        let files = fixtures();
        assert_eq!(files.len(), 8);
        let mut datapoints = 0;
        for (_, bytes) in &files {
            same(bytes);
            datapoints += read(bytes, |_| {}).datapoints;
        }
        // The JSON sample's datapoints, in each version.
        assert_eq!(datapoints, 2 * 7_080);
    }

    /// A data point without quantile 1.0 has no maximum: it is skipped and said, with the count
    /// and the first message's byte offset, as a JSON record without `max` is. A count and a
    /// sum of zero (protobuf writes no field for them, nor for a maximum of 0: CloudWatch's
    /// files have `quantile: 1` alone) are numbers, and count.
    #[test]
    fn a_data_point_without_quantile_one_is_skipped_and_said() {
        use super::{
            AnyValue, DataPoint, KeyValue, Metric, Request, Resource, ResourceMetrics,
            ScopeMetrics, Summary, ValueAtQuantile,
        };
        use crate::metrics::Point;
        use prost::Message;

        let kv = |k: &str, v: &str| KeyValue {
            key: k.as_bytes().to_vec().into(),
            value: Some(AnyValue {
                string_value: Some(v.as_bytes().to_vec().into()),
                kvlist_value: None,
            }),
        };
        let point = |quantiles: &[(f64, f64)], count: u64, sum: f64| DataPoint {
            attributes: vec![
                kv("Namespace", "AWS/Kinesis"),
                kv("MetricName", "GetRecords.IteratorAgeMilliseconds"),
            ],
            start_time_unix_nano: 1_709_942_400_000_000_000,
            count,
            sum,
            quantile_values: quantiles
                .iter()
                .map(|&(quantile, value)| ValueAtQuantile { quantile, value })
                .collect(),
            ..Default::default()
        };
        let framed = |points: Vec<DataPoint>| {
            Request {
                resource_metrics: vec![ResourceMetrics {
                    resource: Some(Resource {
                        attributes: vec![kv("cloud.region", "eu-west-1")],
                    }),
                    scope_metrics: vec![ScopeMetrics {
                        metrics: vec![Metric {
                            name: b"m".to_vec().into(),
                            summary: Some(Summary {
                                data_points: points,
                            }),
                        }],
                    }],
                }],
            }
            .encode_length_delimited_to_vec()
        };
        let mut bytes = framed(vec![
            point(&[(0.0, 1.0), (1.0, 9.0)], 3, 6.5),
            point(&[(0.0, 2.0)], 1, 2.0),
            point(&[], 1, 2.0),
        ]);
        bytes.extend(framed(vec![
            point(&[(0.0, 0.0), (1.0, 0.0)], 0, 0.0),
            point(&[(0.5, 3.0)], 2, 4.0),
        ]));
        let mut got = Vec::new();
        let out = read(&bytes, |d| got.push((d.time, d.point)));
        same(&bytes);
        let p = |sum, count, max| Point {
            sum: Some(sum),
            count: Some(count),
            max: Some(max),
            avg: None,
        };
        assert_eq!(
            got,
            [
                (1_709_942_400_000, p(6.5, 3.0, 9.0)),
                (1_709_942_400_000, p(0.0, 0.0, 0.0)),
            ]
        );
        assert_eq!((out.messages, out.datapoints, out.skipped), (2, 2, 3));
        assert_eq!(
            out.damage
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            [
                "a data point has no quantile 1.0 (its Maximum): 3 times, first at byte 0: \
              metric \"m\""
            ]
        );
        // The place is the message's: after a message without damage, its length.
        let mut later = framed(vec![point(&[(1.0, 5.0)], 1, 5.0)]);
        let at = later.len();
        later.extend(framed(vec![point(&[], 1, 5.0)]));
        let out = read(&later, |_| {});
        same(&later);
        assert_eq!((out.datapoints, out.skipped), (1, 1));
        assert_eq!(
            out.damage[0].to_string(),
            format!("a data point has no quantile 1.0 (its Maximum) (at byte {at}): metric \"m\"")
        );
    }

    /// The first message of a fixture of each version and the next one's length, cut all
    /// along and with bytes changed all along: whatever prost makes of them, the walker makes
    /// the same.
    #[test]
    fn damaged_fixtures_read_as_prost_reads_them() {
        for (name, bytes) in fixtures().iter().filter(|(n, _)| n.ends_with("bbbb")) {
            let (len, used) = super::super::varint32(bytes).unwrap();
            let head = &bytes[..used + len as usize + 2];
            // A cut message is not read at all (its length runs past the end): cut the next
            // length.
            for cut in head.len() - 4..=head.len() {
                same(&head[..cut]);
            }
            let mut changed = head.to_vec();
            for at in (0..head.len()).step_by(31) {
                for flip in [0x01, 0x80, 0xff] {
                    changed[at] ^= flip;
                    compare_with_prost(&changed).unwrap_or_else(|e| panic!("{name}: {e}"));
                    changed[at] ^= flip;
                }
            }
        }
    }
}

/// Messages built field by field from the `.proto` files' field numbers (not from the walker's
/// tables), with what protobuf allows and encoders rarely do: fields in any order, given twice,
/// unknown fields of every wire type (groups too), and now and then a known field of the wrong
/// wire type or a byte changed.
#[cfg(test)]
mod built {
    use super::compare_with_prost;
    use crate::metrics::otel::{Outcome, read};

    /// xorshift64: a fixed seed, so a failure repeats. `bad`: whether this message may be
    /// malformed.
    struct Rng(u64, bool);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        fn chance(&mut self, percent: u64) -> bool {
            self.below(100) < percent
        }
        fn string(&mut self) -> &'static [u8] {
            let s: &&'static [u8] = self.pick(STRINGS);
            s
        }
        fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
            &xs[self.below(xs.len() as u64) as usize]
        }
    }

    #[derive(Clone, Copy)]
    enum M {
        Request,
        ResourceMetrics,
        Resource,
        Scope,
        Metric,
        Summary,
        DataPoint,
        Quantile,
        Label,
        KeyValue,
        AnyValue,
        KvList,
    }

    #[derive(Clone, Copy)]
    enum F {
        Msg(M),
        Str,
        Fixed,
        Double,
    }

    /// The fields of each message that matter here (`.proto` numbers).
    fn fields(m: M) -> &'static [(u32, F)] {
        use F::*;
        match m {
            M::Request => &[(1, Msg(M::ResourceMetrics))],
            M::ResourceMetrics => &[(1, Msg(M::Resource)), (2, Msg(M::Scope))],
            M::Resource => &[(1, Msg(M::KeyValue))],
            M::Scope => &[(2, Msg(M::Metric))],
            M::Metric => &[(1, Str), (11, Msg(M::Summary))],
            M::Summary => &[(1, Msg(M::DataPoint))],
            M::DataPoint => &[
                (1, Msg(M::Label)),
                (2, Fixed),
                (3, Fixed),
                (4, Fixed),
                (5, Double),
                (6, Msg(M::Quantile)),
                (7, Msg(M::KeyValue)),
            ],
            M::Quantile => &[(1, Double), (2, Double)],
            M::Label => &[(1, Str), (2, Str)],
            M::KeyValue => &[(1, Str), (2, Msg(M::AnyValue))],
            M::AnyValue => &[(1, Str), (6, Msg(M::KvList))],
            M::KvList => &[(1, Msg(M::KeyValue))],
        }
    }

    const STRINGS: &[&[u8]] = &[
        b"Namespace",
        b"MetricName",
        b"Dimensions",
        b"StreamName",
        b"ShardId",
        b"ConsumerName",
        b"Other",
        b"cloud.region",
        b"cloud.account.id",
        b"aws.exporter.arn",
        b"AWS/Kinesis",
        b"IncomingBytes",
        b" us-east-1 ",
        b"",
        b"\xff\xfe",
    ];

    fn varint(out: &mut Vec<u8>, mut n: u64) {
        while n >= 0x80 {
            out.push((n as u8 & 0x7f) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
    }

    fn key(out: &mut Vec<u8>, tag: u32, wire_type: u8) {
        varint(out, u64::from(tag) << 3 | u64::from(wire_type));
    }

    fn len(out: &mut Vec<u8>, tag: u32, body: &[u8]) {
        key(out, tag, 2);
        varint(out, body.len() as u64);
        out.extend_from_slice(body);
    }

    /// An unknown field (or, now and then, a malformed group).
    fn unknown(rng: &mut Rng, out: &mut Vec<u8>, depth: u32) {
        let tag = *rng.pick(&[3, 8, 12, 15, 100, 2047]);
        match rng.below(5) {
            0 => {
                key(out, tag, 0);
                varint(out, rng.next() >> rng.below(64));
            }
            1 => {
                key(out, tag, 1);
                out.extend_from_slice(&rng.next().to_le_bytes());
            }
            2 => {
                key(out, tag, 5);
                out.extend_from_slice(&[1, 2, 3, 4]);
            }
            3 => len(out, tag, rng.string()),
            _ => {
                key(out, tag, 3);
                if depth < 4 {
                    for _ in 0..rng.below(3) {
                        unknown(rng, out, depth + 1);
                    }
                }
                let end = if rng.1 && rng.chance(10) {
                    tag + 1
                } else {
                    tag
                };
                key(out, end, 4);
            }
        }
    }

    fn message(rng: &mut Rng, m: M, depth: u32) -> Vec<u8> {
        let mut out = Vec::new();
        let known = fields(m);
        let n = if depth > 9 {
            rng.below(2)
        } else {
            rng.below(5)
        };
        for _ in 0..n {
            if rng.chance(8) {
                unknown(rng, &mut out, 0);
                continue;
            }
            let &(tag, f) = rng.pick(known);
            if rng.1 && rng.chance(5) {
                // A known field with the wrong wire type.
                key(&mut out, tag, *rng.pick(&[0, 1, 2, 5]));
                out.extend_from_slice(&[0; 8]);
                continue;
            }
            match f {
                F::Msg(inner) => {
                    let body = message(rng, inner, depth + 1);
                    len(&mut out, tag, &body);
                }
                F::Str => len(&mut out, tag, rng.string()),
                F::Fixed => {
                    key(&mut out, tag, 1);
                    let v = *rng.pick(&[0, 1, 1_709_942_400_000_000_000, u64::MAX]);
                    out.extend_from_slice(&u64::to_le_bytes(v));
                }
                F::Double => {
                    key(&mut out, tag, 1);
                    let v = *rng.pick(&[0.0, 1.0, 0.5, -0.0, f64::NAN, 3.25]);
                    out.extend_from_slice(&f64::to_le_bytes(v));
                }
            }
        }
        out
    }

    /// A request shaped like CloudWatch's, mostly: resource attributes and summaries of named
    /// data points, so that the names, dimensions and values are exercised and not only the
    /// damage.
    fn request(rng: &mut Rng) -> Vec<u8> {
        let mut out = Vec::new();
        for _ in 0..1 + rng.below(2) {
            let mut rm = Vec::new();
            for _ in 0..rng.below(3) {
                let mut res = Vec::new();
                for _ in 0..rng.below(4) {
                    len(&mut res, 1, &kv(rng, 0));
                }
                len(&mut rm, 1, &res);
            }
            for _ in 0..1 + rng.below(2) {
                let mut metric = Vec::new();
                if rng.chance(80) {
                    len(&mut metric, 1, b"amazonaws.com/AWS/Kinesis/X");
                }
                let mut summary = Vec::new();
                for _ in 0..rng.below(3) {
                    len(&mut summary, 1, &data_point(rng));
                }
                len(&mut metric, 11, &summary);
                if rng.chance(30) {
                    metric.extend(message(rng, M::Metric, 4));
                }
                let mut scope = Vec::new();
                len(&mut scope, 2, &metric);
                len(&mut rm, 2, &scope);
            }
            if rng.chance(30) {
                rm.extend(message(rng, M::ResourceMetrics, 1));
            }
            len(&mut out, 1, &rm);
        }
        out
    }

    /// A `KeyValue` with a string value, a list of them, or anything.
    fn kv(rng: &mut Rng, depth: u32) -> Vec<u8> {
        let mut out = Vec::new();
        len(&mut out, 1, rng.string());
        let mut value = Vec::new();
        if depth < 2 && rng.chance(40) {
            let mut list = Vec::new();
            for _ in 0..rng.below(4) {
                len(&mut list, 1, &kv(rng, depth + 1));
            }
            len(&mut value, 6, &list);
        } else {
            len(&mut value, 1, rng.string());
        }
        len(&mut out, 2, &value);
        if rng.chance(20) {
            out.extend(message(rng, M::KeyValue, depth + 5));
        }
        // Now and then the key after the value.
        if rng.chance(15) {
            len(&mut out, 1, rng.string());
        }
        out
    }

    fn data_point(rng: &mut Rng) -> Vec<u8> {
        let mut parts: Vec<Vec<u8>> = Vec::new();
        let mut field = |f: &mut dyn FnMut(&mut Vec<u8>)| {
            let mut v = Vec::new();
            f(&mut v);
            parts.push(v);
        };
        let v07 = rng.chance(50);
        for (name, value) in [
            (&b"Namespace"[..], &b"AWS/Kinesis"[..]),
            (b"MetricName", b"IncomingBytes"),
        ] {
            if !rng.chance(90) {
                continue;
            }
            let mut body = Vec::new();
            len(&mut body, 1, name);
            if v07 {
                len(&mut body, 2, value);
                field(&mut |v| len(v, 1, &body));
            } else {
                let mut any = Vec::new();
                len(&mut any, 1, value);
                len(&mut body, 2, &any);
                field(&mut |v| len(v, 7, &body));
            }
        }
        for _ in 0..rng.below(4) {
            let mut body = Vec::new();
            if v07 {
                len(&mut body, 1, rng.string());
                len(&mut body, 2, rng.string());
                field(&mut |v| len(v, 1, &body));
            } else {
                body = kv(rng, 0);
                field(&mut |v| len(v, 7, &body));
            }
        }
        for tag in [2, 3, 4, 5] {
            let x = *rng.pick(&[0, 1, 1_709_942_400_000_000_000, 4_617_315_517_961_601_024]);
            field(&mut |v| {
                key(v, tag, 1);
                v.extend_from_slice(&u64::to_le_bytes(x));
            });
        }
        // Up to three quantiles, so that most data points have a 1.0 (their maximum).
        for _ in 0..rng.below(4) {
            let mut q = Vec::new();
            for tag in [1, 2] {
                key(&mut q, tag, 1);
                q.extend_from_slice(&f64::to_le_bytes(*rng.pick(&[0.0, 1.0, 7.5])));
            }
            field(&mut |v| len(v, 6, &q));
        }
        // Any order.
        for i in (1..parts.len()).rev() {
            parts.swap(i, rng.below(i as u64 + 1) as usize);
        }
        parts.concat()
    }

    fn framed(msg: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        varint(&mut out, msg.len() as u64);
        out.extend_from_slice(msg);
        out
    }

    #[test]
    fn random_messages_read_as_prost_reads_them() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15, false);
        let (mut read, mut failed, mut no_max) = (0, 0, 0);
        for _ in 0..3_000 {
            rng.1 = rng.chance(20);
            let mut bytes = framed(&request(&mut rng));
            if rng.chance(30) {
                bytes.extend(framed(&message(&mut rng, M::Request, 0)));
            }
            if rng.1 && rng.chance(50) {
                let at = rng.below(bytes.len() as u64) as usize;
                bytes[at] ^= 1 << rng.below(8);
            }
            compare_with_prost(&bytes).unwrap_or_else(|e| panic!("{e}"));
            let out = crate::metrics::otel::read(&bytes, |_| {});
            read += out.datapoints;
            failed += u64::from(out.damage.iter().any(|d| d.to_string().contains("not an")));
            no_max += u64::from(out.damage.iter().any(|d| d.to_string().contains("1.0")));
        }
        // Every kind of case came up often.
        assert!(
            read > 1_000 && failed > 100 && no_max > 100,
            "{read} datapoints, {failed} failed, {no_max} with a data point without quantile 1.0"
        );
    }

    fn same(bytes: &[u8]) -> (Vec<String>, Outcome) {
        compare_with_prost(bytes).unwrap_or_else(|e| panic!("{e}"));
        let mut got = Vec::new();
        let out = read(bytes, |d| got.push(format!("{d:?}")));
        (got, out)
    }

    fn fixed(out: &mut Vec<u8>, tag: u32, v: u64) {
        key(out, tag, 1);
        out.extend_from_slice(&v.to_le_bytes());
    }

    /// A `KeyValue` of a string.
    fn string_kv(k: &[u8], v: &[u8]) -> Vec<u8> {
        let (mut kv, mut any) = (Vec::new(), Vec::new());
        len(&mut any, 1, v);
        len(&mut kv, 1, k);
        len(&mut kv, 2, &any);
        kv
    }

    /// A resource metrics entry with a resource of `attributes` and one metric of one named
    /// data point (its maximum 0, as CloudWatch writes it: quantile 1.0 without its value).
    fn with_resource(attributes: &[Vec<u8>]) -> Vec<u8> {
        let mut res = Vec::new();
        for a in attributes {
            len(&mut res, 1, a);
        }
        let mut dp = Vec::new();
        len(&mut dp, 7, &string_kv(b"Namespace", b"AWS/Kinesis"));
        len(&mut dp, 7, &string_kv(b"MetricName", b"IncomingBytes"));
        fixed(&mut dp, 2, 1_709_942_400_000_000_000);
        let mut max = Vec::new();
        fixed(&mut max, 1, 1.0f64.to_bits());
        len(&mut dp, 6, &max);
        let (mut summary, mut metric, mut scope, mut rm, mut req) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        len(&mut summary, 1, &dp);
        len(&mut metric, 11, &summary);
        len(&mut scope, 2, &metric);
        len(&mut rm, 1, &res);
        len(&mut rm, 2, &scope);
        len(&mut req, 1, &rm);
        framed(&req)
    }

    /// An attribute whose value is a list, nested `levels` lists deep, the innermost `AnyValue`
    /// being `inner`. The message depths: request 0, resource metrics 1, resource 2, the
    /// attribute 3, its value 4, and 3 more per level.
    fn nested(levels: usize, inner: &[u8]) -> Vec<u8> {
        let mut any = inner.to_vec();
        for _ in 0..levels {
            let (mut kv, mut list) = (Vec::new(), Vec::new());
            len(&mut kv, 1, b"k");
            len(&mut kv, 2, &any);
            len(&mut list, 1, &kv);
            any.clear();
            len(&mut any, 6, &list);
        }
        let mut kv = Vec::new();
        len(&mut kv, 1, b"deep");
        len(&mut kv, 2, &any);
        with_resource(&[kv])
    }

    /// prost's recursion limit (100 messages deep) is the walker's: the same messages pass and
    /// fail, with the same words.
    #[test]
    fn recursion_limit_as_prost() {
        let mut string = Vec::new();
        len(&mut string, 1, b"x");
        let unknown = [0x10, 1]; // bool_value, not read: skipped as unknown
        let list = [0x32, 0]; // an empty kvlist_value: one message deeper
        for (levels, inner, ok) in [
            (32, &string[..], true),   // a string in a message 100 deep
            (31, &unknown[..], true),  // an unknown field 97 deep
            (32, &unknown[..], false), // an unknown field 100 deep
            (31, &list[..], true),     // a message 98 deep
            (32, &list[..], false),    // a message 101 deep
        ] {
            let (got, out) = same(&nested(levels, inner));
            assert_eq!(
                out.messages,
                u64::from(ok),
                "{levels} {inner:?}: {:?}",
                out.damage
            );
            assert_eq!(got.len(), usize::from(ok));
            if !ok {
                let said = out.damage[0].to_string();
                assert!(said.ends_with("recursion limit reached"), "{said}");
                assert!(said.contains("Request.resource_metrics: "), "{said}");
            }
        }
        // Unknown groups nested in the request: 100 deep pass, 101 do not.
        for (depth, ok) in [(100, true), (101, false)] {
            let mut req = Vec::new();
            for _ in 0..depth {
                key(&mut req, 9, 3);
            }
            for _ in 0..depth {
                key(&mut req, 9, 4);
            }
            let (_, out) = same(&framed(&req));
            // Passing, it is an empty request: no metrics.
            let said = out.damage[0].to_string();
            assert_eq!(said.contains("recursion limit reached"), !ok, "{said}");
        }
    }

    /// Fields in any order and given twice read as protobuf says (and prost reads them): a
    /// scalar or string, the last one; a repeated field, all of them; an embedded message, all
    /// of them merged. Expected values by hand.
    #[test]
    fn fields_given_twice_read_as_protobuf_says() {
        let t = 1_709_942_400_000_000_000u64;
        // The data point: MetricName twice, the start time twice (0 first), Dimensions as two
        // values of one attribute (their lists merged) with its key last, the quantiles in
        // reverse field order, the first 1.0 counting.
        let mut dp = Vec::new();
        len(&mut dp, 7, &string_kv(b"Namespace", b"AWS/Kinesis"));
        len(&mut dp, 7, &string_kv(b"MetricName", b"GetRecords.Bytes"));
        fixed(&mut dp, 2, 0);
        let mut dims = Vec::new();
        for (k, v) in [(&b"StreamName"[..], &b"s"[..]), (b"ShardId", b"sh")] {
            let (mut list, mut any) = (Vec::new(), Vec::new());
            len(&mut list, 1, &string_kv(k, v));
            len(&mut any, 6, &list);
            len(&mut dims, 2, &any);
        }
        len(&mut dims, 1, b"Dimensions");
        len(&mut dp, 7, &dims);
        len(&mut dp, 7, &string_kv(b"MetricName", b"IncomingBytes"));
        for (quantile, value) in [(1.0f64, 9.0f64), (1.0, 4.0)] {
            let mut q = Vec::new();
            fixed(&mut q, 2, value.to_bits());
            fixed(&mut q, 1, quantile.to_bits());
            len(&mut dp, 6, &q);
        }
        fixed(&mut dp, 5, 6.5f64.to_bits());
        fixed(&mut dp, 4, 3);
        fixed(&mut dp, 2, t);
        // The metric: a summary with an unnamed data point, a second summary (merged: its data
        // point follows), the name given twice after them.
        let mut metric = Vec::new();
        let mut unnamed = Vec::new();
        fixed(&mut unnamed, 2, t);
        for body in [&unnamed, &dp] {
            let mut summary = Vec::new();
            len(&mut summary, 1, body);
            len(&mut metric, 11, &summary);
        }
        len(&mut metric, 1, b"a");
        len(&mut metric, 1, b"b");
        // The resource given twice, after the metrics: the first cloud.region counts; the
        // account's value is given twice (merged: the last string).
        let mut rm = Vec::new();
        let mut scope = Vec::new();
        len(&mut scope, 2, &metric);
        len(&mut rm, 2, &scope);
        let mut account = string_kv(b"cloud.account.id", b"1");
        let mut any = Vec::new();
        len(&mut any, 1, b"123456789012");
        len(&mut account, 2, &any);
        for attrs in [
            vec![string_kv(b"other", b"o")],
            vec![
                string_kv(b"cloud.region", b" eu-west-1 "),
                account,
                string_kv(b"cloud.region", b"us-east-1"),
            ],
        ] {
            let mut res = Vec::new();
            for a in attrs {
                len(&mut res, 1, &a);
            }
            len(&mut rm, 1, &res);
        }
        let mut req = Vec::new();
        len(&mut req, 1, &rm);
        let (got, out) = same(&framed(&req));
        assert_eq!(
            got,
            [format!(
                "{:?}",
                crate::metrics::otel::Datapoint {
                    region: "eu-west-1",
                    account: "123456789012",
                    stream_arn: "",
                    namespace: "AWS/Kinesis",
                    metric: "IncomingBytes",
                    dims: crate::metrics::Dims {
                        stream: "s",
                        shard: "sh",
                        consumer: "",
                        other: false,
                    },
                    time: 1_709_942_400_000,
                    point: crate::metrics::Point {
                        sum: Some(6.5),
                        count: Some(3.0),
                        max: Some(9.0),
                        avg: None,
                    },
                }
            )]
        );
        assert_eq!((out.messages, out.datapoints, out.skipped), (1, 1, 1));
        assert_eq!(
            out.damage[0].to_string(),
            "a data point has no Namespace or MetricName attribute (at byte 0): metric \"b\""
        );
    }

    /// Known fields of the wrong wire type fail the message as prost fails it, naming the field;
    /// the other messages are read.
    #[test]
    fn wrong_wire_types_as_prost() {
        let good = with_resource(&[string_kv(b"cloud.region", b"r")]);
        // Between two good messages, one whose data point has its sum (a double) as a varint.
        let mut bytes = good.clone();
        let mut wrong = Vec::new();
        let mut dp = Vec::new();
        key(&mut dp, 5, 0);
        varint(&mut dp, 7);
        let (mut summary, mut metric, mut scope, mut rm) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        len(&mut summary, 1, &dp);
        len(&mut metric, 11, &summary);
        len(&mut scope, 2, &metric);
        len(&mut rm, 2, &scope);
        len(&mut wrong, 1, &rm);
        bytes.extend(framed(&wrong));
        bytes.extend(&good);
        let (got, out) = same(&bytes);
        assert_eq!((got.len(), out.messages), (2, 2));
        assert_eq!(
            out.damage[0].to_string(),
            format!(
                "a message is not an ExportMetricsServiceRequest (at byte {}): failed to decode \
                 Protobuf message: DataPoint.sum: Summary.data_points: Metric.summary: \
                 ScopeMetrics.metrics: ResourceMetrics.scope_metrics: Request.resource_metrics: \
                 invalid wire type: Varint (expected SixtyFourBit)",
                good.len()
            )
        );
    }
}
