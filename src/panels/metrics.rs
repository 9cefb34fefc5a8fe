//! The Metrics dashboard's panels: one CloudWatch metric each, as a time series per
//! `(region, stream, shard)`.

use std::collections::BTreeMap;

use super::{Built, Cell, PanelDef, PanelError, SeriesSummary, View};
use crate::metrics::catalogue::{MetricSpec, SPECS};
use crate::metrics::{Acc, MetricsCube, Stat, key};
use crate::window::{Millis, Window, bucket_start};

/// The columns of every metrics panel.
pub const COLUMNS: [&str; 5] = ["time", "region", "stream", "shard", "value"];

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

/// One panel per catalogue entry, by its index in [`SPECS`] (a test checks that none is missing).
macro_rules! metric_panels {
    ($($i:literal)*) => {
        /// Every panel of the Metrics dashboard, in dashboard order.
        pub static PANELS: &[MetricsPanel] = &[$(
            PanelDef {
                id: SPECS[$i].id,
                title: SPECS[$i].title,
                columns: &COLUMNS,
                about: SPECS[$i].about,
                build: |cube, ctx| series_rows(cube, ctx, &SPECS[$i]),
            },
        )*];
    };
}

metric_panels!(0 1 2 3 4 5 6 7 8 9);

/// Panel ids, for `--panel`.
pub fn ids() -> Vec<&'static str> {
    PANELS.iter().map(|p| p.id).collect()
}

fn series_rows(
    cube: &MetricsCube,
    ctx: &MetricsCtx,
    spec: &MetricSpec,
) -> Result<Built, PanelError> {
    let mut series: Vec<([&str; 4], &crate::metrics::Buckets)> = cube
        .series()
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
        for (t, acc) in buckets.iter() {
            merged
                .entry(bucket_start(t, ctx.period))
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
    Ok(Built {
        rows,
        view,
        note,
        title: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spec_has_its_panel() {
        assert_eq!(SPECS.len(), PANELS.len());
        for (s, p) in SPECS.iter().zip(PANELS) {
            assert_eq!((s.id, s.title, s.about), (p.id, p.title, p.about));
        }
    }
}
