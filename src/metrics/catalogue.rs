//! The metric catalogue: which CloudWatch metric (and statistic) each Metrics panel shows, for
//! stream-level and shard-level series. The data layer reads it to know which datapoints to
//! keep; the panels read it to build their rows. A new metrics panel is one line here (and its
//! index in `panels/metrics.rs`, which a test checks).

use super::{Layout, Stat};

/// What a metrics panel shows.
#[derive(Debug, Clone, Copy)]
pub struct MetricSpec {
    /// Panel id.
    pub id: &'static str,
    /// Panel title.
    pub title: &'static str,
    /// Metric of stream-level series.
    pub stream_metric: &'static str,
    /// Metric of shard-level series (`None`: the panel has no shard-level series).
    pub shard_metric: Option<&'static str>,
    /// Statistic over a bucket.
    pub stat: Stat,
    /// Divisor from the metric's unit to the panel's (1048576 for MiB).
    pub scale: f64,
    /// The panel's unit.
    pub unit: &'static str,
    /// One line for `--help` and the README: the metric and statistic.
    pub about: &'static str,
}

const MIB: f64 = 1_048_576.0;

macro_rules! catalogue {
    ($( $id:literal, $title:literal, $stream:literal, $shard:expr, $stat:ident, $scale:expr, $unit:literal; )*) => {
        /// The metric behind each panel, in dashboard order.
        pub const SPECS: [MetricSpec; [$($id),*].len()] = [$(
            MetricSpec {
                id: $id,
                title: $title,
                stream_metric: $stream,
                shard_metric: $shard,
                stat: Stat::$stat,
                scale: $scale,
                unit: $unit,
                about: concat!($stream, " (", stringify!($stat), ")"),
            },
        )*];
    };
}

catalogue! {
    "incoming-bytes", "Incoming Bytes (MiB)", "IncomingBytes", Some("IncomingBytes"), Sum, MIB, "MiB";
    "incoming-records", "Incoming Records", "IncomingRecords", Some("IncomingRecords"), Sum, 1.0, "count";
    "get-bytes", "Get Bytes (MiB)", "GetRecords.Bytes", Some("OutgoingBytes"), Sum, MIB, "MiB";
    "get-records", "Get Records", "GetRecords.Records", Some("OutgoingRecords"), Sum, 1.0, "count";
    "put-latency", "Put Latency (ms)", "PutRecord.Latency", None, Average, 1.0, "ms";
    "get-latency", "Get Latency (ms)", "GetRecords.Latency", None, Average, 1.0, "ms";
    "write-exceeded", "Write Provisioned Throughput Exceeded", "WriteProvisionedThroughputExceeded", Some("WriteProvisionedThroughputExceeded"), Average, 1.0, "ratio";
    "read-exceeded", "Read Provisioned Throughput Exceeded", "ReadProvisionedThroughputExceeded", Some("ReadProvisionedThroughputExceeded"), Average, 1.0, "ratio";
    "get-success", "Get Records Success", "GetRecords.Success", None, Average, 1.0, "ratio";
    "iterator-age", "Iterator Age (ms)", "GetRecords.IteratorAgeMilliseconds", Some("IteratorAgeMilliseconds"), Maximum, 1.0, "ms";
}

/// The metric names the panels read: of stream-level series, and of shard-level series.
pub fn metric_names() -> (Vec<&'static str>, Vec<&'static str>) {
    let stream = SPECS.iter().map(|s| s.stream_metric).collect();
    let mut shard: Vec<&'static str> = SPECS.iter().filter_map(|s| s.shard_metric).collect();
    shard.sort_unstable();
    shard.dedup();
    (stream, shard)
}

/// What a series of `metric` (shard-level or stream-level) keeps per bucket for the panels
/// that show it: what their statistic needs, or everything when panels of different
/// statistics show it (or none does).
pub fn layout(metric: &str, shard_level: bool) -> Layout {
    let mut stats = SPECS.iter().filter_map(|s| {
        let m = if shard_level {
            s.shard_metric
        } else {
            Some(s.stream_metric)
        };
        (m == Some(metric)).then_some(s.stat)
    });
    let Some(first) = stats.next() else {
        return Layout::Full;
    };
    if stats.any(|s| s != first) {
        return Layout::Full;
    }
    match first {
        Stat::Sum => Layout::Sum,
        Stat::Average => Layout::Average,
        Stat::Maximum => Layout::Maximum,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_panels_seven_shard_metrics() {
        let (stream, shard) = metric_names();
        assert_eq!((stream.len(), shard.len()), (10, 7));
        let mut ids: Vec<&str> = SPECS.iter().map(|s| s.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), SPECS.len());
    }
}
