//! `kinesis-insights health`: stream health from CloudWatch exports and CloudTrail logs.

use super::{
    Supply, check_reports, drop_query_file, emit, explain_empty, find_inputs, init_threads,
    input_config, matcher, note, outcome, output_config, push_time_rows, resolve_window,
    stream_matcher, window_spec,
};
use crate::cli::{FailOn, HealthArgs};
use crate::config::HealthConfig;
use crate::diag::{FileTotals, Outcome};
use crate::health::analyze::{Coverage, Settings, Severity, Thresholds, analyze, no_data};
use crate::health::{Filters, HealthAcc, HealthQuery, HealthReader};
use crate::metrics::parse::load_queries;
use crate::panels::health::PANELS;
use crate::panels::{Cell, select};
use crate::pipeline::{self, PassOptions};
use crate::render::Summary;
use crate::text::plural;
use crate::window::{Anchor, TimeSpec, Window, format_time};

const SUB: &str = "health";

/// Turns the arguments into a config, or exits with a usage error.
pub fn config(a: HealthArgs) -> anyhow::Result<HealthConfig> {
    let panel_count = if a.panels.is_empty() {
        PANELS.len()
    } else {
        select(PANELS, &a.panels).len()
    };
    let statistics_series = a.label.series();
    let filters = [
        ("--stream", &a.stream),
        ("--region", &a.region),
        ("--account", &a.account),
    ]
    .into_iter()
    .flat_map(|(flag, patterns)| patterns.iter().map(move |p| format!("{flag} {p}")))
    .collect();
    let t = a.thresholds;
    if !(t.hot_shard_share.is_finite() && t.hot_shard_share > 0.0) {
        super::usage_error(
            clap::error::ErrorKind::ValueValidation,
            "--hot-shard-share must be a positive number (2 = twice an even share)",
            SUB,
        );
    }
    Ok(HealthConfig {
        window: window_spec(&a.common.window),
        input: input_config(a.common.input, SUB),
        output: output_config(a.common.output, panel_count, SUB),
        streams: stream_matcher(&a.stream, SUB),
        shards: matcher("shard", &a.shard, SUB),
        regions: matcher("region", &a.region, SUB),
        accounts: matcher("account", &a.account, SUB),
        filters,
        statistics_series,
        queries: a.queries,
        datapoint_period: a.datapoint_period,
        dedup: a.dedup,
        thresholds: Thresholds {
            hot_shard_pct: t.hot_shard_pct,
            hot_shard_share: t.hot_shard_share,
            capacity_pct: t.capacity_pct,
            bursty_pct: t.bursty_pct,
            iterator_age_warning_pct: t.iterator_age_warning_pct,
            iterator_age_critical_pct: t.iterator_age_critical_pct,
            consumer_lag: t.consumer_lag,
            resharding_changes: t.resharding_changes,
            over_provisioned_pct: t.over_provisioned_pct,
            over_provisioned_min_data: t.over_provisioned_min_data,
        },
        fail_on: t.fail_on.map(|f| match f {
            FailOn::Warning => Severity::Warning,
            FailOn::Critical => Severity::Critical,
        }),
        panels: a.panels,
    })
}

/// Runs the health checks.
pub fn run(cfg: HealthConfig) -> anyhow::Result<Outcome> {
    init_threads(cfg.input.threads)?;
    let queries = cfg.queries.as_deref().map(load_queries).transpose()?;
    let (mut sources, path_problems) = find_inputs(&cfg.input)?;
    drop_query_file(&mut sources, cfg.queries.as_deref())?;
    let opts = super::pass_options(&cfg.input, !cfg.output.quiet);
    // The pass that finds the newest datapoint reads the input once more after it.
    let scan_opts = PassOptions {
        again: true,
        ..opts
    };
    let pass = |window: Window, scan_only: bool, opts: PassOptions| {
        let filters = Filters {
            streams: cfg.streams.clone(),
            regions: cfg.regions.clone(),
            accounts: cfg.accounts.clone(),
        };
        let mut q = HealthQuery::new(window, filters, scan_only);
        // Sets of its own for each pass (the scan pass finds only the range).
        if cfg.dedup && !scan_only {
            q.dedup();
        }
        let reader = HealthReader {
            query: &q,
            queries: queries.as_ref(),
            statistics_series: cfg.statistics_series.clone(),
        };
        pipeline::run(&reader, &sources, opts)
    };
    let (window, _) = resolve_window(&cfg.window, || {
        pass(Window::default(), true, scan_opts).0.newest()
    })?;
    let (mut acc, mut reports) = pass(window, false, opts);
    acc.sort();
    let totals = check_reports(&mut reports, &sources, super::Reads::Both)?;
    if let Some(q) = &queries
        && !q.expressions.is_empty()
    {
        note(&format!(
            "expression queries ({}) carry no dimensions and are not used",
            q.expressions.join(", ")
        ));
    }
    let c = &acc.cube.counts;
    let since_from_now =
        cfg.window.anchor == Anchor::Now && matches!(cfg.window.since, Some(TimeSpec::Ago(_)));
    let settings = Settings {
        thresholds: cfg.thresholds.clone(),
        window,
        shards: cfg.shards.clone(),
        datapoint_period: cfg.datapoint_period,
    };
    let mut report = analyze(&acc, &settings);
    // Nothing checked is a finding of its own, so that `--fail-on` does not pass on nothing.
    // Critical and the first check: it leads the findings.
    if let Some(f) = no_data(&Coverage {
        counts: c,
        trail_events: acc.trail.kinesis,
        window,
        filters: &cfg.filters,
        since_from_now,
    }) {
        report.findings.insert(0, f);
    }
    if c.matched == 0
        && let Some(range) = c.range
    {
        explain_empty("Kinesis datapoints", &window, range, since_from_now);
    } else if c.matched == 0 && totals.read > 0 {
        let rest = if report.changes.is_empty() {
            "only the findings panel has rows"
        } else {
            "only the findings and changes panels have rows"
        };
        note(&format!(
            "no CloudWatch datapoints of the checks' AWS/Kinesis metrics in the input: {rest}"
        ));
    }
    let failing = cfg
        .fail_on
        .is_some_and(|level| report.findings.iter().any(|f| f.severity <= level));
    let tables = select(PANELS, &cfg.panels)
        .into_iter()
        .filter_map(|p| p.table(&report, &()).ok());
    emit(
        &cfg.output,
        tables,
        &summary(&totals, &acc, &window, &report),
        Supply::OneAhead,
    )?;
    super::report_repeats(c, cfg.dedup, cfg.output.quiet);
    if !cfg.output.quiet {
        print_summary(&totals, &acc, &report);
        // Said only when no --account chose among them already.
        if let Some(n) = cfg
            .accounts
            .is_any()
            .then(|| accounts(&acc).note())
            .flatten()
        {
            note(&n);
        }
    }
    if failing {
        return Ok(Outcome::Findings);
    }
    Ok(outcome(&path_problems, &reports))
}

/// The accounts of the datapoints and of the change events read.
fn accounts(acc: &HealthAcc) -> crate::account::Accounts {
    let mut all = acc.cube.counts.accounts.clone();
    for c in &acc.changes {
        all.add(&c.account);
    }
    all
}

fn count_of(report: &crate::health::analyze::Report, s: Severity) -> u64 {
    report.findings.iter().filter(|f| f.severity == s).count() as u64
}

fn summary(
    t: &FileTotals,
    acc: &HealthAcc,
    window: &Window,
    report: &crate::health::analyze::Report,
) -> Summary {
    let c = &acc.cube.counts;
    let mut s: Summary = vec![
        ("files_read", Cell::Count(t.read)),
        ("files_failed", Cell::Count(t.failed)),
        ("stream_datapoints", Cell::Count(c.stream_level)),
        ("shard_datapoints", Cell::Count(c.shard_level)),
        ("consumer_datapoints", Cell::Count(c.consumer_level)),
        ("matched_datapoints", Cell::Count(c.matched)),
        ("repeated_datapoints", Cell::Count(c.repeated)),
        ("unchecked_datapoints", Cell::Count(c.unchecked)),
        ("duplicate_datapoints", Cell::Count(c.duplicates)),
        ("skipped_records", Cell::Count(t.skipped_records)),
        ("kinesis_events", Cell::Count(acc.trail.kinesis)),
        ("change_events", Cell::Count(acc.trail.changes)),
        ("duplicate_events", Cell::Count(acc.trail.duplicates)),
        ("accounts", Cell::Count(accounts(acc).len() as u64)),
        (
            "critical_findings",
            Cell::Count(count_of(report, Severity::Critical)),
        ),
        (
            "warning_findings",
            Cell::Count(count_of(report, Severity::Warning)),
        ),
        (
            "info_findings",
            Cell::Count(count_of(report, Severity::Info)),
        ),
    ];
    push_time_rows(
        &mut s,
        window,
        c.matched_range,
        ("first_datapoint", "last_datapoint"),
    );
    s
}

fn print_summary(t: &FileTotals, acc: &HealthAcc, report: &crate::health::analyze::Report) {
    let c = &acc.cube.counts;
    // "Of the checks' metrics": `metrics` counts the datapoints of its panels' metrics, another
    // set, so the two commands give other counts for the same files; the others read are left
    // out here, and said, so the totals agree.
    let mut line = format!(
        "{} · datapoints of the checks' metrics: {} stream-level, {} shard-level, {} consumer-level ({} others left out) · CloudTrail: {} Kinesis event{}, {} change{}",
        t.describe(),
        c.stream_level,
        c.shard_level,
        c.consumer_level,
        c.other_metrics + c.other_dimensions + c.other_namespaces,
        acc.trail.kinesis,
        plural(acc.trail.kinesis),
        acc.trail.changes,
        plural(acc.trail.changes)
    );
    if acc.trail.duplicates > 0 {
        line.push_str(&format!(
            ", {} duplicate{} left out",
            acc.trail.duplicates,
            plural(acc.trail.duplicates)
        ));
    }
    if t.skipped_records > 0 {
        line.push_str(&format!(
            ", {} record{} skipped",
            t.skipped_records,
            plural(t.skipped_records)
        ));
    }
    eprintln!("{line}");
    let mut counted = format!("datapoints counted: {}", c.matched);
    if let Some((a, b)) = c.matched_range {
        counted.push_str(&format!(", {} to {}", format_time(a), format_time(b)));
    }
    counted.push_str(&format!(
        " · findings: {} critical, {} warning, {} info",
        count_of(report, Severity::Critical),
        count_of(report, Severity::Warning),
        count_of(report, Severity::Info)
    ));
    eprintln!("{counted}");
}
