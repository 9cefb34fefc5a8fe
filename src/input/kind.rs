//! A guess at which kind of log an input holds, from its first bytes: CloudTrail (what `events`
//! reads) or CloudWatch metrics (what `metrics` reads). It only decides a hint: when a command
//! could read nothing of its files and they look like the other command's input, it says which
//! command to try. So it runs only on that failure path, on a few files, and reads at most
//! [`HEAD`] bytes of each.

use super::Source;
use super::decode::{Limits, Loader, Opened};

/// What an input looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// CloudTrail logs, in any layout or envelope.
    CloudTrail,
    /// CloudWatch metrics: Metric Streams (JSON or OpenTelemetry), get-metric-data or
    /// get-metric-statistics output, or a get-metric-data query file.
    Metrics,
}

/// How much of an input's decoded start is looked at.
pub const HEAD: usize = 64 * 1024;

/// What the file `src` looks like; `None` for standard input (read once, already), for what
/// cannot be opened, and for what looks like neither or both.
pub fn guess(src: &Source) -> Option<Kind> {
    if !matches!(src, Source::File(_)) {
        return None;
    }
    let mut loader = Loader::default();
    let limits = Limits {
        whole: HEAD,
        max_bytes: None,
        again: false,
    };
    match loader.open(src, limits).ok()? {
        Opened::Whole(loaded) => of_head(loaded.bytes),
        Opened::Stream(stream) => of_head(&stream.head),
    }
}

/// What text (or OpenTelemetry bytes) starting with `head` looks like: keys only one kind has.
/// Inside CloudWatch Logs envelopes a CloudTrail event is an escaped string, so its keys are
/// looked for without their quotes.
pub fn of_head(head: &[u8]) -> Option<Kind> {
    if crate::metrics::otel::looks_like(head) {
        return Some(Kind::Metrics);
    }
    let has = |key: &[u8]| memchr::memmem::find(head, key).is_some();
    let metrics = has(b"\"metric_stream_name\"")
        || has(b"\"metric_name\"")
        || has(b"\"MetricDataResults\"")
        // A get-metric-data query file (what `--queries` takes).
        || has(b"\"MetricDataQueries\"")
        || has(b"\"MetricStat\"")
        || (has(b"\"Label\"") && has(b"\"Datapoints\""));
    let trail = (has(b"eventSource") && has(b"eventName")) || has(b"CloudTrailEvent");
    match (metrics, trail) {
        (true, false) => Some(Kind::Metrics),
        (false, true) => Some(Kind::CloudTrail),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_only_one_kind_has_tell_it() {
        let cases: [(&[u8], Option<Kind>); 10] = [
            (
                br#"{"metric_stream_name":"m","namespace":"AWS/Kinesis","metric_name":"IncomingBytes"}"#,
                Some(Kind::Metrics),
            ),
            (br#"{"MetricDataResults":[]}"#, Some(Kind::Metrics)),
            (
                br#"[{"Id":"m1","MetricStat":{"Metric":{"MetricName":"IncomingBytes"}}}]"#,
                Some(Kind::Metrics),
            ),
            (br#"{"MetricDataQueries":[{"Id":"e","Expression":"m1*2"}]}"#, Some(Kind::Metrics)),
            (br#"{"Label":"IncomingBytes","Datapoints":[]}"#, Some(Kind::Metrics)),
            (
                br#"{"Records":[{"eventVersion":"1.08","eventSource":"kinesis.amazonaws.com","eventName":"PutRecord"}]}"#,
                Some(Kind::CloudTrail),
            ),
            (
                br#"{"logEvents":[{"message":"{\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\"}"}]}"#,
                Some(Kind::CloudTrail),
            ),
            (br#"{"Events":[{"CloudTrailEvent":"{}"}]}"#, Some(Kind::CloudTrail)),
            (b"random text", None),
            // A CloudTrail event about a metric stream names both: no guess.
            (
                br#"{"eventSource":"monitoring.amazonaws.com","eventName":"PutMetricStream","requestParameters":{"metric_name":"x"}}"#,
                None,
            ),
        ];
        for (head, want) in cases {
            assert_eq!(of_head(head), want, "{}", String::from_utf8_lossy(head));
        }
    }
}
