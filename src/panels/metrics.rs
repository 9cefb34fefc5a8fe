//! The Metrics dashboard's panels: one CloudWatch metric each, as a time series per
//! `(region, stream, shard)`.

use std::collections::BTreeMap;

use super::{Built, Cell, PanelDef, PanelError, SeriesSummary, View};
use crate::metrics::{Acc, MetricsCube, Stat, key};
use crate::window::{Millis, Window, bucket_start};

/// The columns of every metrics panel.
pub const COLUMNS: [&str; 5] = ["time", "region", "stream", "shard", "value"];

/// What a metrics panel shows.
#[derive(Debug, Clone, Copy)]
pub struct MetricSpec {
    /// Panel id.
    pub id: &'static str,
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
}

/// What the metrics panels need besides the cube.
#[derive(Debug, Clone, Default)]
pub struct MetricsCtx {
    /// The resolved window.
    pub window: Window,
    /// Bucket width of the panels.
    pub period: Millis,
}

/// A metrics panel.
pub type MetricsPanel = PanelDef<MetricsCube, MetricsCtx>;

const MIB: f64 = 1_048_576.0;

macro_rules! metric_panels {
    ($( $id:literal, $title:literal, $stream:literal, $shard:expr, $stat:ident, $scale:expr, $unit:literal; )*) => {
        /// The metric behind each panel, in dashboard order.
        pub static SPECS: &[MetricSpec] = &[$(
            MetricSpec { id: $id, stream_metric: $stream, shard_metric: $shard, stat: Stat::$stat, scale: $scale, unit: $unit },
        )*];

        /// Every panel of the Metrics dashboard, in dashboard order.
        pub static PANELS: &[MetricsPanel] = &[$(
            PanelDef {
                id: $id,
                title: $title,
                columns: &COLUMNS,
                about: concat!($stream, " (", stringify!($stat), ")"),
                build: |cube, ctx| series_rows(cube, ctx, spec($id)),
            },
        )*];
    };
}

metric_panels! {
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

/// The spec of a panel id.
fn spec(id: &str) -> &'static MetricSpec {
    SPECS
        .iter()
        .find(|s| s.id == id)
        .expect("every panel has a spec")
}

/// Panel ids, for `--panel`.
pub fn ids() -> Vec<&'static str> {
    PANELS.iter().map(|p| p.id).collect()
}

/// The metric names the panels read: of stream-level series, and of shard-level series.
pub fn metric_names() -> (Vec<&'static str>, Vec<&'static str>) {
    let stream = SPECS.iter().map(|s| s.stream_metric).collect();
    let mut shard: Vec<&'static str> = SPECS.iter().filter_map(|s| s.shard_metric).collect();
    shard.sort_unstable();
    shard.dedup();
    (stream, shard)
}

pub use crate::metrics::{MAX_AUTO_BUCKETS, auto_period};

fn series_rows(
    cube: &MetricsCube,
    ctx: &MetricsCtx,
    spec: &MetricSpec,
) -> Result<Built, PanelError> {
    let mut series: Vec<([&str; 4], &crate::metrics::Buckets)> = cube
        .series
        .iter()
        .filter(|(k, _)| {
            let m = k[key::METRIC];
            if k[key::SHARD].is_empty() {
                m == spec.stream_metric
            } else {
                Some(m) == spec.shard_metric
            }
        })
        .collect();
    series.sort_unstable_by(|a, b| a.0[..3].cmp(&b.0[..3]));
    let mut rows = Vec::new();
    let mut unweighted = false;
    for (k, buckets) in series {
        let mut merged: BTreeMap<Millis, Acc> = BTreeMap::new();
        for (t, acc) in buckets {
            merged
                .entry(bucket_start(*t, ctx.period))
                .or_default()
                .merge(acc);
        }
        for (t, acc) in merged {
            let Some(v) = acc.stat(spec.stat) else {
                continue;
            };
            unweighted |= spec.stat == Stat::Average && acc.unweighted_average();
            rows.push(vec![
                Cell::Time(t),
                Cell::text(k[key::REGION]),
                Cell::text(k[key::STREAM]),
                Cell::text(k[key::SHARD]),
                Cell::Float(v / spec.scale),
            ]);
        }
    }
    let note = unweighted.then(|| {
        "some averages are plain means of get-metric-data Average values (no Sum and SampleCount \
         queries to weight them); query Sum and SampleCount for exact averages"
            .to_string()
    });
    let view = View::Series {
        time: 0,
        keys: vec![1, 2, 3],
        value: 4,
        bucket: ctx.period,
        summary: SeriesSummary::Stats,
    };
    Ok(Built { rows, view, note })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_panel_has_its_spec() {
        assert_eq!(SPECS.len(), PANELS.len());
        for (s, p) in SPECS.iter().zip(PANELS) {
            assert_eq!(s.id, p.id);
            assert!(std::ptr::eq(spec(p.id), s));
        }
        let (stream, shard) = metric_names();
        assert_eq!((stream.len(), shard.len()), (10, 7));
    }

    #[test]
    fn auto_period_keeps_buckets_few() {
        let h = 3_600_000;
        assert_eq!(auto_period(None), 60_000);
        assert_eq!(auto_period(Some((0, h - 1))), 60_000);
        assert_eq!(auto_period(Some((0, 5 * h - 1))), 60_000); // 300 minutes
        assert_eq!(auto_period(Some((0, 5 * h))), 300_000); // 301 minutes
        assert_eq!(auto_period(Some((0, 24 * h - 1))), 300_000); // 288 buckets of 5m
        assert_eq!(auto_period(Some((0, 2 * 24 * h - 1))), 900_000); // 192 of 15m
        assert_eq!(auto_period(Some((0, 400 * 24 * h))), 604_800_000);
    }
}
