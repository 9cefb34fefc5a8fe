//! The Metrics dashboard's panels: one CloudWatch metric each, as a time series per
//! `(account, region, stream, shard)`.

use rayon::prelude::*;

use super::{Built, Cell, PanelDef, PanelError, Rows, SeriesSummary, View};
use crate::metrics::catalogue::{MetricSpec, SPECS};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::metrics::{Carried, MetricsCube, Stat, key};
use crate::text::and_list;
use crate::window::{Millis, Window, bucket_start};

/// The columns of every metrics panel.
pub const COLUMNS: [&str; 6] = ["time", "account", "region", "stream", "shard", "value"];

/// Most buckets a panel spans from its first to its last, as for the events-over-time panel:
/// the terminal view lays every series out over that span.
pub const MAX_BUCKETS: u64 = super::events::MAX_BUCKETS;

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
    let mut series: Vec<([&str; key::LEN], &crate::metrics::Buckets)> = cube
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
    series.sort_unstable_by(|a, b| a.0[..key::METRIC].cmp(&b.0[..key::METRIC]));
    check_span(&series, ctx.period, spec.id)?;
    // One account across the panel (the usual single-account dump): the terminal table leaves
    // its column out (a 12-digit key column costs the width of the trend) and the title names it.
    let accounts: std::collections::BTreeSet<&str> =
        series.iter().map(|(k, _)| k[key::ACCOUNT]).collect();
    let one_account = (accounts.len() <= 1).then(|| accounts.first().copied().unwrap_or(""));
    // Series by series on the worker threads (the panels are built one at a time, each over
    // all threads, while the one before is written), then end to end in order.
    let per_series: Vec<SeriesRows> = series
        .par_iter()
        .map(|(_, buckets)| one_series(buckets, ctx.period, spec))
        .collect();
    let (mut unweighted, mut overflowed, mut sums_only) = (false, false, 0u64);
    // Buckets left out for want of the panel's statistic, by what their datapoints carried:
    // how many, of how many series, of which metrics.
    let mut left_out: BTreeMap<String, Unusable> = BTreeMap::new();
    for ((k, _), s) in series.iter().zip(&per_series) {
        unweighted |= s.unweighted;
        overflowed |= s.overflowed;
        sums_only += s.sums_only;
        for (carried, buckets) in &s.left_out {
            left_out
                .entry(carried.words())
                .or_default()
                .add(k[key::METRIC], *buckets);
        }
    }
    other_stats_left_out(cube, ctx.period, spec, &series, &per_series, &mut left_out);
    // Each series' key once, shared by its rows.
    let rows = Rows::series(series.iter().zip(per_series).map(|((k, _), s)| {
        let key = [key::ACCOUNT, key::REGION, key::STREAM, key::SHARD].map(|i| Cell::text(k[i]));
        (key.to_vec(), s.points)
    }));
    let mut notes = Vec::new();
    if unweighted {
        notes.push(
            "some averages are plain means of get-metric-data Average values (no Sum and \
             SampleCount queries to weight them); query Sum and SampleCount for exact averages"
                .to_string(),
        );
    }
    if overflowed {
        notes.push(
            "some sums are beyond the largest number a double holds (about 1.8e308) and show \
             as inf; the input carries values that large"
                .to_string(),
        );
    }
    if sums_only > 0 {
        notes.push(format!(
            "no Average where the datapoints of {} carry a Sum but no SampleCount (Average = \
             Sum / SampleCount; buckets left out: {sums_only}); query SampleCount as well as Sum \
             (get-metric-data Stat \"SampleCount\")",
            spec.stream_metric,
        ));
    }
    for (what, u) in &left_out {
        notes.push(u.note(spec, what));
    }
    let note = (!notes.is_empty()).then(|| notes.join("; "));
    let view = View::Series {
        time: 0,
        keys: if one_account.is_some() {
            vec![2, 3, 4]
        } else {
            vec![1, 2, 3, 4]
        },
        value: 5,
        bucket: ctx.period,
        summary: SeriesSummary::Stats,
        unit: spec.unit,
    };
    let title = one_account
        .filter(|a| !a.is_empty())
        .map(|a| format!("{} (account {a})", spec.title));
    Ok(Built {
        rows,
        view,
        note,
        title,
    })
}

/// One series' rows of a panel (their time and value), and what its notes need to know.
struct SeriesRows {
    points: Vec<[Cell; 2]>,
    /// Some average is a plain mean of averages.
    unweighted: bool,
    /// Some value is infinite.
    overflowed: bool,
    /// Buckets left out: a Sum but no count for an Average.
    sums_only: u64,
    /// Other buckets left out for want of the panel's statistic, by what they carried.
    left_out: Vec<(Carried, u64)>,
}

/// Buckets of a panel left out because their datapoints carry statistics it cannot use.
#[derive(Default)]
struct Unusable {
    buckets: u64,
    series: u64,
    metrics: BTreeSet<String>,
}

impl Unusable {
    fn add(&mut self, metric: &str, buckets: u64) {
        self.buckets += buckets;
        self.series += 1;
        if !self.metrics.contains(metric) {
            self.metrics.insert(metric.to_string());
        }
    }

    /// `no Maximum where the datapoints of M carry an Average (1 series, buckets left out: 5);
    /// this panel shows the Maximum: ...`.
    fn note(&self, spec: &MetricSpec, carried: &str) -> String {
        let stat = stat_name(spec.stat);
        let metrics: Vec<&str> = self.metrics.iter().map(String::as_str).collect();
        let head = format!(
            "no {stat} where the datapoints of {} carry {carried} ({} series, buckets left out: {})",
            and_list(&metrics),
            self.series,
            self.buckets
        );
        if carried.contains("SampleCount of 0") {
            return format!("{head}: no samples in those periods, so nothing to average");
        }
        format!(
            "{head}; this panel shows the {stat}: {}",
            how_to_get(spec.stat)
        )
    }
}

/// A statistic's name as CloudWatch spells it.
fn stat_name(stat: Stat) -> &'static str {
    match stat {
        Stat::Sum => "Sum",
        Stat::Average => "Average",
        Stat::Maximum => "Maximum",
    }
}

/// How each CLI export gets the statistic a panel needs (Metric Streams always carry it).
pub fn how_to_get(stat: Stat) -> String {
    match stat {
        Stat::Average => "query Sum and SampleCount (get-metric-data \"Stat\": \"Sum\" and \
                          \"Stat\": \"SampleCount\"; get-metric-statistics --statistics Sum \
                          SampleCount; Metric Streams carry every statistic)"
            .to_string(),
        s => {
            let s = stat_name(s);
            format!(
                "query it (get-metric-data \"Stat\": \"{s}\"; get-metric-statistics \
                 --statistics {s}; Metric Streams carry every statistic)"
            )
        }
    }
}

/// Adds to `left_out` the panel buckets that only datapoints of statistics no panel reads
/// (get-metric-data's Minimum, percentiles) would have filled: those of the panel's series
/// (by key) where the series has no value.
fn other_stats_left_out(
    cube: &MetricsCube,
    period: Millis,
    spec: &MetricSpec,
    series: &[([&str; key::LEN], &crate::metrics::Buckets)],
    per_series: &[SeriesRows],
    left_out: &mut BTreeMap<String, Unusable>,
) {
    if cube.other_stats.is_empty() {
        return;
    }
    // The buckets with a value, per series key.
    let mut shown: HashMap<[&str; key::LEN], HashSet<Millis>> = HashMap::new();
    for ((k, _), s) in series.iter().zip(per_series) {
        let times = s.points.iter().filter_map(|[t, _]| match t {
            Cell::Time(t) => Some(*t),
            _ => None,
        });
        shown.entry(*k).or_default().extend(times);
    }
    for ((k, stat), points) in &cube.other_stats {
        let k: [&str; key::LEN] = k.each_ref().map(String::as_str);
        let of_panel = if k[key::SHARD].is_empty() {
            k[key::METRIC] == spec.stream_metric
        } else {
            Some(k[key::METRIC]) == spec.shard_metric
        };
        if !of_panel || !k[key::CONSUMER].is_empty() {
            continue;
        }
        let with_value = shown.get(&k);
        let buckets: BTreeSet<Millis> = points
            .iter()
            .map(|(t, _)| bucket_start(*t, period))
            .filter(|b| with_value.is_none_or(|v| !v.contains(b)))
            .collect();
        if !buckets.is_empty() {
            left_out
                .entry(format!("{stat}, a statistic no panel reads"))
                .or_default()
                .add(k[key::METRIC], buckets.len() as u64);
        }
    }
}

fn one_series(buckets: &crate::metrics::Buckets, period: Millis, spec: &MetricSpec) -> SeriesRows {
    // At most a row a panel bucket from the first to the last (the buckets spanned are
    // bounded by `check_span`).
    let rows = buckets.span().map_or(0, |(first, last)| {
        ((bucket_start(last, period) - bucket_start(first, period)) / period + 1) as usize
    });
    let mut out = SeriesRows {
        points: Vec::with_capacity(rows),
        unweighted: false,
        overflowed: false,
        sums_only: 0,
        left_out: Vec::new(),
    };
    // Buckets come in time order: those of one panel bucket are next to each other, and
    // one alone is used as it is.
    let mut buckets = buckets.iter().peekable();
    while let Some((t, mut acc)) = buckets.next() {
        let t = bucket_start(t, period);
        while let Some((_, more)) = buckets.next_if(|(u, _)| bucket_start(*u, period) == t) {
            acc.to_mut().merge(&more);
        }
        let Some(v) = acc.stat(spec.stat) else {
            if spec.stat == Stat::Average && acc.sum_without_count() {
                out.sums_only += 1;
            } else if !acc.is_empty() {
                let mut carried = acc.carried();
                if spec.stat == Stat::Average && carried.has(Carried::ZERO_COUNT) {
                    // No samples is the reason, whatever else the layout kept.
                    carried = Carried(Carried::ZERO_COUNT);
                }
                match out.left_out.iter_mut().find(|(c, _)| *c == carried) {
                    Some((_, n)) => *n += 1,
                    None => out.left_out.push((carried, 1)),
                }
            }
            continue;
        };
        out.unweighted |= spec.stat == Stat::Average && acc.unweighted_average();
        out.overflowed |= v.is_infinite();
        out.points
            .push([Cell::Time(t), Cell::Float(v / spec.scale)]);
    }
    out
}

/// Fails when the panel's buckets would span more than [`MAX_BUCKETS`] (a stray datapoint far
/// from the rest, with a short `--period`), saying what to do instead.
fn check_span(
    series: &[([&str; key::LEN], &crate::metrics::Buckets)],
    period: Millis,
    panel: &'static str,
) -> Result<(), PanelError> {
    let ends = series.iter().filter_map(|(_, b)| b.span());
    let Some((first, last)) = ends.reduce(|a, b| (a.0.min(b.0), a.1.max(b.1))) else {
        return Ok(());
    };
    // Times are in the years 1970 to 9999 and periods at most 9999 years: no overflow.
    let buckets = (bucket_start(last, period) - bucket_start(first, period)) / period + 1;
    if buckets as u64 > MAX_BUCKETS {
        return Err(PanelError {
            panel,
            reason: format!(
                "{buckets} buckets of {} would be needed from {} to {} (at most {MAX_BUCKETS}); \
                 choose a larger --period or a narrower --since/--until",
                humantime::format_duration(std::time::Duration::from_millis(period as u64)),
                crate::window::format_time(first),
                crate::window::format_time(last),
            ),
        });
    }
    Ok(())
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
