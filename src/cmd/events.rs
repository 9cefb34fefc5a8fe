//! `kinesis-insights events`: the Events dashboard from CloudTrail logs.

use anyhow::bail;
use clap::error::ErrorKind;

use super::{
    emit, find_inputs, init_threads, input_config, note, output_config, usage_error, warn,
    window_spec,
};
use std::sync::Arc;

use crate::cli::EventsArgs;
use crate::config::EventsConfig;
use crate::diag::{FileReport, FileTotals, Outcome, plural, warnings};
use crate::events::{CloudTrailReader, EventCounts, EventCube, Filters, Query};
use crate::filter::Matcher;
use crate::geo::{self, DbChoice, GeoDb};
use crate::input::Source;
use crate::panels::events::{EventsCtx, LOCATIONS, PANELS};
use crate::panels::{Cell, select};
use crate::pipeline::{self, PassOptions};
use crate::render::{Format, Summary};
use crate::window::{Anchor, Millis, TimeSpec, Window, format_time, now};

const SUB: &str = "events";

/// Turns the arguments into a config, or exits with a usage error.
pub fn config(a: EventsArgs) -> anyhow::Result<EventsConfig> {
    let matcher = |flag: &str, patterns: &[String]| {
        Matcher::new(patterns).unwrap_or_else(|e| {
            usage_error(ErrorKind::ValueValidation, format!("--{flag}: {e}"), SUB)
        })
    };
    let filters = Filters {
        event_name: matcher("event-name", &a.event_name),
        user: matcher("user", &a.user),
        source_ip: matcher("source-ip", &a.source_ip),
        region: matcher("region", &a.region),
        stream: matcher("stream", &a.stream),
    };
    let panel_count = if a.panels.is_empty() {
        PANELS.len()
    } else {
        select(PANELS, &a.panels).len()
    };
    Ok(EventsConfig {
        window: window_spec(&a.window),
        input: input_config(a.input, SUB),
        output: output_config(a.output, panel_count, SUB),
        filters,
        bucket: a.bucket,
        top: a.top,
        panels: a.panels,
        geoip: a.geoip,
    })
}

/// Runs the Events dashboard.
pub fn run(cfg: EventsConfig) -> anyhow::Result<Outcome> {
    init_threads(cfg.input.threads)?;
    let selected = select(PANELS, &cfg.panels);
    // Open the database before the pass, so a bad file fails fast.
    let geo = if selected.iter().any(|p| p.id == LOCATIONS) {
        let env = std::env::var_os(geo::ENV_VAR);
        match geo::choose(cfg.geoip.as_deref(), env.as_deref()) {
            DbChoice::Path(p) => Some(Arc::new(GeoDb::open(&p)?)),
            DbChoice::Missing => None,
        }
    } else {
        None
    };
    let (sources, path_problems) = find_inputs(&cfg.input)?;
    let opts = PassOptions {
        max_bytes: cfg.input.max_bytes,
        progress: !cfg.output.quiet,
    };

    let wall_now = now();
    let anchor = if cfg.window.needs_latest() {
        let scan = Query {
            window: Window::default(),
            filters: Filters::default(),
            bucket: cfg.bucket,
            scan_only: true,
        };
        let (cube, _) = pipeline::run(&CloudTrailReader { query: &scan }, &sources, opts);
        match cube.counts.kinesis_range {
            Some((_, newest)) => newest + 1,
            None => wall_now,
        }
    } else {
        wall_now
    };
    let window = cfg.window.resolve(anchor);
    if let (Some(s), Some(u)) = (window.since, window.until)
        && s >= u
    {
        bail!(
            "the window is empty: --since ({}) is not before --until ({})",
            format_time(s),
            format_time(u)
        );
    }

    let query = Query {
        window,
        filters: cfg.filters.clone(),
        bucket: cfg.bucket,
        scan_only: false,
    };
    let (cube, reports) = pipeline::run(&CloudTrailReader { query: &query }, &sources, opts);
    for w in warnings(&reports) {
        warn(&w);
    }
    let totals = FileTotals::of(&reports);
    if totals.read == 0 && totals.failed > 0 {
        bail!(
            "no readable input: all {} file{} failed",
            totals.failed,
            plural(totals.failed)
        );
    }

    let since_is_duration = matches!(cfg.window.since, Some(TimeSpec::Ago(_)));
    let ctx = EventsCtx {
        window,
        bucket: cfg.bucket,
        top: cfg.top,
        open_end: (since_is_duration && cfg.window.until.is_none()).then_some(anchor),
        geo,
    };
    let tables = selected
        .into_iter()
        .map(|p| p.table(&cube, &ctx))
        .collect::<Result<Vec<_>, _>>()?;
    if cfg.output.format != Format::Table || cfg.output.output_dir.is_some() {
        for t in &tables {
            if let Some(n) = &t.note {
                note(&format!("{}: {n}", t.id));
            }
        }
    }

    explain_empty(&cube.counts, &window, &cfg);
    let summary = summary(&totals, &cube, &window);
    emit(&cfg.output, &tables, &summary)?;
    if !cfg.output.quiet {
        print_summary(&totals, &cube.counts, &sources, cfg.window.anchor, anchor);
    }
    let lost = !path_problems.is_empty() || reports.iter().any(FileReport::lost_data);
    Ok(if lost {
        Outcome::Partial
    } else {
        Outcome::Clean
    })
}

/// Says why the panels are empty when the input had Kinesis events but none counted.
fn explain_empty(c: &EventCounts, window: &Window, cfg: &EventsConfig) {
    if c.matched > 0 {
        return;
    }
    let Some((first, last)) = c.kinesis_range else {
        if c.records > 0 {
            note(&format!(
                "no Kinesis Data Streams events in the input ({} record{} of other services)",
                c.other_services,
                plural(c.other_services)
            ));
        }
        return;
    };
    let range = format!("{} to {}", format_time(first), format_time(last));
    if window.is_open() {
        note(&format!(
            "no Kinesis events match the filters (the input has {} from {range})",
            c.kinesis
        ));
        return;
    }
    let bound = |b: Option<Millis>| b.map_or_else(|| "…".to_string(), format_time);
    let mut msg = format!(
        "no Kinesis events in the window {} to {}; the input's {} Kinesis event{} range from {range}",
        bound(window.since),
        bound(window.until),
        c.kinesis,
        plural(c.kinesis),
    );
    if cfg.window.anchor == Anchor::Now && matches!(cfg.window.since, Some(TimeSpec::Ago(_))) {
        msg.push_str(" (--relative-to latest counts --since back from the newest event instead)");
    }
    note(&msg);
}

fn summary(t: &FileTotals, cube: &EventCube, window: &Window) -> Summary {
    let c = &cube.counts;
    let mut s: Summary = vec![
        ("files_read", Cell::Count(t.read)),
        (
            "files_ignored",
            Cell::Count(t.ignored.iter().map(|(_, n)| n).sum()),
        ),
        ("files_failed", Cell::Count(t.failed)),
        ("kinesis_events", Cell::Count(c.kinesis)),
        ("other_service_events", Cell::Count(c.other_services)),
        ("insights_events", Cell::Count(c.insights)),
        ("skipped_records", Cell::Count(t.skipped_records)),
        ("matched_events", Cell::Count(c.matched)),
    ];
    if let Some(since) = window.since {
        s.push(("window_since", Cell::Time(since)));
    }
    if let Some(until) = window.until {
        s.push(("window_until", Cell::Time(until)));
    }
    if let Some((a, b)) = c.matched_range {
        s.push(("first_event", Cell::Time(a)));
        s.push(("last_event", Cell::Time(b)));
    }
    s
}

fn print_summary(t: &FileTotals, c: &EventCounts, sources: &[Source], anchor: Anchor, at: Millis) {
    let mut records = format!(
        "records: {} Kinesis, {} other services",
        c.kinesis, c.other_services
    );
    if c.insights > 0 {
        records.push_str(&format!(", {} Insights", c.insights));
    }
    if t.skipped_records > 0 {
        records.push_str(&format!(", {} skipped", t.skipped_records));
    }
    let mut matched = format!("Kinesis events counted: {}", c.matched);
    if let Some((a, b)) = c.matched_range {
        matched.push_str(&format!(", {} to {}", format_time(a), format_time(b)));
    }
    if anchor == Anchor::Latest {
        matched.push_str(&format!(
            " (durations counted back from {})",
            format_time(at)
        ));
    }
    let stdin = if sources.contains(&Source::Stdin) {
        " (with stdin)"
    } else {
        ""
    };
    eprintln!("{}{stdin} · {records}", t.describe());
    eprintln!("{matched}");
}
