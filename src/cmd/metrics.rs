//! `kinesis-insights metrics`: the Metrics dashboard from CloudWatch exports.

use super::{
    Supply, check_reports, drop_query_file, emit, explain_empty, find_inputs, init_threads,
    input_config, matcher, note, outcome, output_config, push_time_rows, resolve_window,
    stream_matcher, warn, window_spec,
};

use crate::cli::MetricsArgs;
use crate::config::MetricsConfig;
use crate::diag::{FileTotals, Outcome};
use crate::metrics::parse::{MetricsReader, load_queries};
use crate::metrics::{MetricCounts, Query};
use crate::panels::metrics::{MetricsCtx, PANELS};
use crate::panels::{Cell, select};
use crate::pipeline::{self, PassOptions};
use crate::render::Summary;
use crate::window::{
    Anchor, Millis, TimeSpec, Window, auto_period, format_duration, format_time, period_at_least,
};

const SUB: &str = "metrics";

/// Width datapoints start out in when the period is not known up front; every default period
/// is a multiple of it.
const FINE_BUCKET: Millis = 60_000;

/// Turns the arguments into a config, or exits with a usage error.
pub fn config(a: MetricsArgs) -> anyhow::Result<MetricsConfig> {
    let panel_count = if a.panels.is_empty() {
        PANELS.len()
    } else {
        select(PANELS, &a.panels).len()
    };
    let statistics_series = a.label.series();
    Ok(MetricsConfig {
        window: window_spec(&a.common.window),
        input: input_config(a.common.input, SUB),
        output: output_config(a.common.output, panel_count, SUB),
        streams: stream_matcher(&a.stream, SUB),
        shards: matcher("shard", &a.shard, SUB),
        regions: matcher("region", &a.region, SUB),
        accounts: matcher("account", &a.account, SUB),
        statistics_series,
        period: a.period,
        dedup: a.dedup,
        queries: a.queries,
        panels: a.panels,
    })
}

/// Runs the Metrics dashboard.
pub fn run(cfg: MetricsConfig) -> anyhow::Result<Outcome> {
    init_threads(cfg.input.threads)?;
    let queries = cfg.queries.as_deref().map(load_queries).transpose()?;
    let (mut sources, path_problems) = find_inputs(&cfg.input)?;
    drop_query_file(&mut sources, cfg.queries.as_deref())?;
    let opts = super::pass_options(&cfg.input, !cfg.output.quiet);
    // The pass that finds the newest event reads the input once more after it.
    let scan_opts = PassOptions {
        again: true,
        ..opts
    };
    let query = |window: Window, scan_only: bool| {
        // Datapoints go into buckets of the period given, else of the default period of a
        // bounded window, else of one minute widened as the data's range grows.
        let (bucket, adaptive) = match (cfg.period, window.since, window.until) {
            (Some(p), _, _) => (p, false),
            (None, Some(s), Some(u)) => (auto_period(Some((s, u - 1))), false),
            (None, _, _) => (FINE_BUCKET, true),
        };
        Query {
            streams: cfg.streams.clone(),
            shards: cfg.shards.clone(),
            regions: cfg.regions.clone(),
            accounts: cfg.accounts.clone(),
            adaptive,
            scan_only,
            // A set of its own for each pass (the scan pass finds only the range).
            dedup: (cfg.dedup && !scan_only).then(Default::default),
            ..Query::new(window, bucket)
        }
    };
    let reader = |q: &Query, opts: PassOptions| {
        let r = MetricsReader {
            query: q,
            queries: queries.as_ref(),
            statistics_series: cfg.statistics_series.clone(),
        };
        let (mut cube, reports) = pipeline::run(&r, &sources, opts);
        // Reading is over: the prefix cache goes (a merge drops the others; with one thread
        // nothing is merged).
        cube.prefixes = None;
        (cube, reports)
    };
    let (window, _) = resolve_window(&cfg.window, || {
        let (cube, _) = reader(&query(Window::default(), true), scan_opts);
        cube.counts.range.map(|(_, newest)| newest)
    })?;
    let (cube, mut reports) = reader(&query(window, false), opts);
    let totals = check_reports(&mut reports, &sources, super::Reads::Metrics)?;
    if let Some(q) = &queries
        && !q.expressions.is_empty()
    {
        note(&format!(
            "expression queries ({}) carry no dimensions and are not shown",
            q.expressions.join(", ")
        ));
    }

    let period = cfg.period.unwrap_or_else(|| {
        let covered = match (window.since, window.until) {
            (Some(s), Some(u)) => Some((s, u - 1)),
            _ => cube.counts.matched_range,
        };
        // Never finer than the buckets the data was gathered in, nor than the data's own
        // spacing (30-minute datapoints in 1-minute buckets would be mostly empty).
        let spacing = cube.spacing().map_or(0, period_at_least);
        auto_period(covered).max(cube.width).max(spacing)
    });
    let ctx = MetricsCtx { window, period };
    let c = &cube.counts;
    if c.matched == 0
        && let Some(range) = c.range
    {
        let hint =
            cfg.window.anchor == Anchor::Now && matches!(cfg.window.since, Some(TimeSpec::Ago(_)));
        explain_empty("Kinesis datapoints", &window, range, hint);
    } else if c.matched == 0 && c.range.is_none() && totals.read > 0 {
        note(&format!(
            "no datapoints of the panels' AWS/Kinesis metrics for a stream or shard in the input \
             ({} of other namespaces, {} with other dimensions, {} of other metrics)",
            c.other_namespaces, c.other_dimensions, c.other_metrics
        ));
    }
    // The panels are built one at a time, each over all worker threads (a panel's series are
    // built side by side), then written and dropped in turn (with --output-dir, one is written
    // while the next is built): with many series and buckets the rows of all ten panels at
    // once would be most of the memory, and two at a time are not. A panel that cannot be
    // built (too many buckets) is left out with a warning, and the run says something is
    // missing.
    let failed_panels = std::cell::Cell::new(false);
    let tables = select(PANELS, &cfg.panels).into_iter().filter_map(|p| {
        p.table(&cube, &ctx)
            .map_err(|e| {
                warn(&e.to_string());
                failed_panels.set(true);
            })
            .ok()
    });
    emit(
        &cfg.output,
        tables,
        &summary(&totals, c, &window, period),
        Supply::OneAhead,
    )?;
    super::report_repeats(c, cfg.dedup, cfg.output.quiet);
    if !cfg.output.quiet {
        print_summary(&totals, c, period);
        // Said only when no --account chose among them already.
        if let Some(n) = cfg.accounts.is_any().then(|| c.accounts.note()).flatten() {
            note(&n);
        }
    }
    if failed_panels.get() {
        return Ok(Outcome::Partial);
    }
    Ok(outcome(&path_problems, &reports))
}

fn summary(t: &FileTotals, c: &MetricCounts, window: &Window, period: Millis) -> Summary {
    let mut s: Summary = vec![
        ("files_read", Cell::Count(t.read)),
        ("files_failed", Cell::Count(t.failed)),
        ("stream_datapoints", Cell::Count(c.stream_level)),
        ("shard_datapoints", Cell::Count(c.shard_level)),
        (
            "other_dimension_datapoints",
            Cell::Count(c.other_dimensions),
        ),
        ("other_metric_datapoints", Cell::Count(c.other_metrics)),
        (
            "other_namespace_datapoints",
            Cell::Count(c.other_namespaces),
        ),
        ("skipped_datapoints", Cell::Count(t.skipped_records)),
        ("matched_datapoints", Cell::Count(c.matched)),
        ("repeated_datapoints", Cell::Count(c.repeated)),
        ("unchecked_datapoints", Cell::Count(c.unchecked)),
        ("duplicate_datapoints", Cell::Count(c.duplicates)),
        ("accounts", Cell::Count(c.accounts.len() as u64)),
        ("period_seconds", Cell::Count((period / 1000) as u64)),
    ];
    push_time_rows(
        &mut s,
        window,
        c.matched_range,
        ("first_datapoint", "last_datapoint"),
    );
    s
}

fn print_summary(t: &FileTotals, c: &MetricCounts, period: Millis) {
    // "Of the panels' metrics": `health` counts the datapoints of its checks' metrics, another
    // set, so the two commands give other counts for the same files (README, "Stream health").
    let mut line = format!(
        "{} · datapoints of the panels' metrics: {} stream-level, {} shard-level · left out: {} other dimensions, {} other metrics, {} other namespaces",
        t.describe(),
        c.stream_level,
        c.shard_level,
        c.other_dimensions,
        c.other_metrics,
        c.other_namespaces
    );
    if t.skipped_records > 0 {
        line.push_str(&format!(", {} skipped", t.skipped_records));
    }
    eprintln!("{line}");
    let mut counted = format!("datapoints counted: {}", c.matched);
    if let Some((a, b)) = c.matched_range {
        counted.push_str(&format!(", {} to {}", format_time(a), format_time(b)));
    }
    counted.push_str(&format!(" · period {}", format_duration(period)));
    eprintln!("{counted}");
}
