//! `kinesis-insights events`: the Events dashboard from CloudTrail logs.

use std::sync::Arc;

use rayon::prelude::*;

use super::{
    Supply, check_reports, emit, explain_empty, find_inputs, init_threads, input_config, matcher,
    note, outcome, output_config, push_time_rows, resolve_window, stream_matcher, warn,
    window_spec,
};
use crate::cli::EventsArgs;
use crate::cloudtrail::reader::CloudTrailReader;
use crate::config::EventsConfig;
use crate::diag::{FileTotals, Outcome};
use crate::events::{EventCounts, EventsAgg, Filters, Groupings, Query};
use crate::geo::{self, DbChoice, GeoDb};
use crate::input::Source;
use crate::panels::events::{DEFAULT_BUCKET, EventsCtx, LOCATIONS, PANELS, groupings};
use crate::panels::{Cell, Table, select};
use crate::pipeline::{self, PassOptions};
use crate::render::Summary;
use crate::text::plural;
use crate::window::{Anchor, Millis, TimeSpec, Window, format_instant, format_time};

const SUB: &str = "events";

/// Turns the arguments into a config, or exits with a usage error.
pub fn config(a: EventsArgs) -> anyhow::Result<EventsConfig> {
    let filters = Filters {
        event_name: matcher("event-name", &a.event_name, SUB),
        user: matcher("user", &a.user, SUB),
        source_ip: super::matcher_with(
            crate::filter::Matcher::addresses,
            "source-ip",
            &a.source_ip,
            SUB,
        ),
        region: matcher("region", &a.region, SUB),
        stream: stream_matcher(&a.stream, SUB),
        account: matcher("account", &a.account, SUB),
    };
    let panel_count = if a.panels.is_empty() {
        PANELS.len()
    } else {
        select(PANELS, &a.panels).len()
    };
    Ok(EventsConfig {
        window: window_spec(&a.common.window),
        input: input_config(a.common.input, SUB),
        output: output_config(a.common.output, panel_count, SUB),
        filters,
        bucket: a.bucket,
        top: a.top,
        panels: a.panels,
        geoip: a.geoip,
        dedup: a.dedup,
    })
}

/// Runs the Events dashboard.
pub fn run(cfg: EventsConfig) -> anyhow::Result<Outcome> {
    init_threads(cfg.input.threads)?;
    let selected = select(PANELS, &cfg.panels);
    // Open the database before the pass, so a bad file fails fast.
    let wants_geo = selected.iter().any(|p| p.id == LOCATIONS);
    let geo = if wants_geo {
        let env = std::env::var_os(geo::ENV_VAR);
        match geo::choose(&cfg.geoip, env.as_deref()) {
            DbChoice::Paths(p) => Ok(Arc::new(GeoDb::open(&p)?)),
            DbChoice::Missing(why) => Err(why),
        }
    } else {
        Err(geo::NoDb::NotFound)
    };
    let (sources, path_problems) = find_inputs(&cfg.input)?;
    let opts = super::pass_options(&cfg.input, !cfg.output.quiet);
    // The pass that finds the newest event reads the input once more after it.
    let scan_opts = PassOptions {
        again: true,
        ..opts
    };

    // Without --bucket, events are counted in hours; the panel widens them over long ranges.
    let bucket = cfg.bucket.unwrap_or(DEFAULT_BUCKET);
    let (window, anchor) = resolve_window(&cfg.window, || {
        let scan = Query {
            scan_only: true,
            groupings: Groupings::default(),
            ..Query::new(Window::default(), bucket)
        };
        let (cube, _) = pipeline::run(&CloudTrailReader { query: &scan }, &sources, scan_opts);
        cube.counts.kinesis_range.map(|(_, newest)| newest)
    })?;
    let query = Query {
        filters: cfg.filters.clone(),
        dedup: cfg.dedup.then(Default::default),
        groupings: groupings(selected.iter().copied(), geo.is_ok()),
        ..Query::new(window, bucket)
    };
    let (cube, mut reports) = pipeline::run(&CloudTrailReader { query: &query }, &sources, opts);
    let totals = check_reports(&mut reports, &sources, super::Reads::CloudTrail)?;

    let since_is_duration = matches!(cfg.window.since, Some(TimeSpec::Ago(_)));
    let ctx = EventsCtx {
        window,
        bucket,
        default_bucket: cfg.bucket.is_none(),
        top: cfg.top,
        open_end: (since_is_duration && cfg.window.until.is_none()).then_some(anchor),
        geo,
    };
    // The panels are independent: built side by side (api-calls and errors, the big ones of a
    // busy trail, are sorted at the same time), in dashboard order.
    let tables = selected
        .par_iter()
        .map(|p| p.table(&cube, &ctx))
        .collect::<Result<Vec<_>, _>>()?;
    explain_no_events(&cube.counts, &window, &cfg);
    let mut summary = summary(&totals, &cube, &window);
    let mut geo_failed = false;
    if wants_geo {
        geo_failed = geo_summary(&mut summary, &ctx.geo, &tables);
    }
    // Built in full first: a panel that cannot be built fails the run before any output.
    emit(&cfg.output, tables.into_iter(), &summary, Supply::Built)?;
    if !cfg.output.quiet {
        print_summary(&totals, &cube.counts, &sources, cfg.window.anchor, anchor);
        // Said only when no --account chose among them already.
        if let Some(n) = cfg
            .filters
            .account
            .is_any()
            .then(|| cube.counts.accounts.note())
            .flatten()
        {
            note(&n);
        }
    }
    if cube.counts.unchecked > 0 {
        let n = cube.counts.unchecked;
        note(&format!(
            "--dedup: {n} event{} without an eventID could not be checked for duplicates and \
             {} counted",
            plural(n),
            if n == 1 { "is" } else { "are" }
        ));
    }
    // The process ends after this: freeing every interned string and grouping one by one
    // would only delay the exit (tens of milliseconds on a big trail).
    std::mem::forget(cube);
    Ok(match outcome(&path_problems, &reports) {
        Outcome::Clean if geo_failed => Outcome::Partial,
        o => o,
    })
}

/// Warns about addresses the GeoIP database could not look up (one warning for them all) and
/// adds the database to the JSON summary: `geoip_database` (its path, or null),
/// `geoip_failed_addresses`, and `locations_note` saying why the panel is empty when it has no
/// database. True when some lookups failed.
fn geo_summary(s: &mut Summary, geo: &Result<Arc<GeoDb>, geo::NoDb>, tables: &[Table]) -> bool {
    let note = tables
        .iter()
        .find(|t| t.id == LOCATIONS)
        .and_then(|t| t.note.clone());
    match geo {
        Ok(db) => {
            // Several files as KINESIS_INSIGHTS_GEOIP lists them (`a.mmdb:b.mmdb`).
            let paths = std::env::join_paths(db.paths()).unwrap_or_default();
            s.push(("geoip_database", Cell::text(paths.to_string_lossy())));
            let failed = db.failures().addresses;
            s.push(("geoip_failed_addresses", Cell::Count(failed)));
            for w in db.failure_warnings() {
                warn(&w);
            }
            failed > 0
        }
        Err(_) => {
            s.push(("geoip_database", Cell::Null));
            if let Some(n) = note {
                s.push(("locations_note", Cell::text(n)));
            }
            false
        }
    }
}

/// Says why the panels are empty when the input had Kinesis events but none counted.
fn explain_no_events(c: &EventCounts, window: &Window, cfg: &EventsConfig) {
    if c.matched > 0 {
        return;
    }
    match c.kinesis_range {
        Some(range) => {
            let hint = cfg.window.anchor == Anchor::Now
                && matches!(cfg.window.since, Some(TimeSpec::Ago(_)));
            explain_empty("Kinesis events", window, range, hint);
        }
        None if c.records > 0 => note(&format!(
            "no Kinesis Data Streams events in the input ({} record{} of other services)",
            c.other_services,
            plural(c.other_services)
        )),
        None => {}
    }
}

fn summary(t: &FileTotals, cube: &EventsAgg, window: &Window) -> Summary {
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
        ("duplicate_events", Cell::Count(c.duplicates)),
        ("unchecked_events", Cell::Count(c.unchecked)),
        ("accounts", Cell::Count(c.accounts.len() as u64)),
    ];
    push_time_rows(
        &mut s,
        window,
        c.matched_range,
        ("first_event", "last_event"),
    );
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
    if t.ignored_records > 0 {
        records.push_str(&format!(
            ", {} CloudWatch Logs control message{} passed over",
            t.ignored_records,
            plural(t.ignored_records)
        ));
    }
    if c.duplicates > 0 {
        records.push_str(&format!(", {} duplicates left out", c.duplicates));
    }

    let mut matched = format!("Kinesis events counted: {}", c.matched);
    if let Some((a, b)) = c.matched_range {
        matched.push_str(&format!(", {} to {}", format_time(a), format_time(b)));
    }
    if anchor == Anchor::Latest {
        let from = if c.kinesis_range.is_some() {
            "the newest Kinesis event"
        } else {
            "now, as the input has no Kinesis events"
        };
        matched.push_str(&format!(
            " (durations counted back from {}, {from})",
            format_instant(at)
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

/// `events --from-csv`: renders panels read back from CSV (`--output-dir`'s files, or an
/// engine's results of `kinesis-insights sql`) in any output format.
pub fn run_from_csv(a: EventsArgs) -> anyhow::Result<Outcome> {
    use crate::panels::events::location_rows;
    use crate::panels::from_csv::{self, Content};

    let path = a.from_csv.clone().expect("called with --from-csv");
    // The engine applied the window and filters: here they would silently do nothing.
    let ignored = [
        ("--since", a.common.window.since.is_some()),
        ("--until", a.common.window.until.is_some()),
        ("--event-name", !a.event_name.is_empty()),
        ("--user", !a.user.is_empty()),
        ("--source-ip", !a.source_ip.is_empty()),
        ("--region", !a.region.is_empty()),
        ("--stream", !a.stream.is_empty()),
        ("--account", !a.account.is_empty()),
        ("--bucket", a.bucket.is_some()),
        ("--dedup", a.dedup),
    ];
    if let Some((flag, _)) = ignored.iter().find(|(_, given)| *given) {
        super::usage_error(
            clap::error::ErrorKind::ArgumentConflict,
            format!(
                "{flag} cannot be used with --from-csv: the panels are rendered as the CSV \
                 holds them (give the window and filters to `kinesis-insights sql`)"
            ),
            SUB,
        );
    }
    let mut partial = false;
    let mut found: Vec<(
        &'static crate::panels::events::EventsPanel,
        Vec<Vec<Cell>>,
        String,
    )> = Vec::new();
    let mut counts: Option<(Vec<(String, u64)>, String)> = None;
    let is_dir = path.is_dir();
    for file in from_csv::files(&path)? {
        let read = match from_csv::read_file(&file) {
            Ok(r) => r,
            // In a directory, a file that is not a panel is passed over with a warning.
            Err(e) if is_dir => {
                warn(&format!("{e}; skipped"));
                partial = true;
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let name = file.display().to_string();
        if read.skipped > 0 {
            partial = true;
            warn(&format!(
                "{name}: {} row{} skipped ({})",
                read.skipped,
                plural(read.skipped),
                read.bad_rows.join("; ")
            ));
        }
        match read.content {
            Content::Panel(p, rows) => {
                if let Some((_, _, other)) = found.iter().find(|(q, _, _)| q.id == p.id) {
                    anyhow::bail!("{other} and {name} both hold panel '{}'", p.id);
                }
                found.push((p, rows, name));
            }
            Content::SourceCounts(c) => {
                if let Some((_, other)) = &counts {
                    anyhow::bail!("{other} and {name} both hold source_ip,count");
                }
                counts = Some((c, name));
            }
        }
    }
    let mut summary: Summary = vec![("from_csv", Cell::text(path.display().to_string()))];
    let mut geo_failed = false;
    if let Some((by_ip, name)) = counts {
        if let Some((_, _, other)) = found.iter().find(|(q, _, _)| q.id == LOCATIONS) {
            anyhow::bail!(
                "{other} holds the locations panel and {name} the calls it is made of: give one"
            );
        }
        let locations = PANELS
            .iter()
            .find(|p| p.id == LOCATIONS)
            .expect("locations is a panel");
        let env = std::env::var_os(geo::ENV_VAR);
        let (rows, note) = match geo::choose(&a.geoip, env.as_deref()) {
            DbChoice::Paths(p) => {
                let db = GeoDb::open(&p)?;
                let rows = location_rows(&db, by_ip.iter().map(|(ip, n)| (ip.as_str(), *n)));
                let paths = std::env::join_paths(db.paths()).unwrap_or_default();
                summary.push(("geoip_database", Cell::text(paths.to_string_lossy())));
                summary.push((
                    "geoip_failed_addresses",
                    Cell::Count(db.failures().addresses),
                ));
                for w in db.failure_warnings() {
                    warn(&w);
                    geo_failed = true;
                }
                (rows, None)
            }
            DbChoice::Missing(why) => (vec![], Some(why.note())),
        };
        found.push((locations, rows, name));
        if let Some(n) = note {
            summary.push(("locations_note", Cell::text(n)));
        }
    }
    // Dashboard order; --panel picks.
    let selected = if a.panels.is_empty() {
        PANELS.iter().collect::<Vec<_>>()
    } else {
        select(PANELS, &a.panels)
    };
    for p in &selected {
        if !a.panels.is_empty() && !found.iter().any(|(q, _, _)| q.id == p.id) {
            anyhow::bail!(
                "{}: no CSV holds panel '{}' (header {})",
                path.display(),
                p.id,
                p.columns.join(",")
            );
        }
    }
    let locations_note = summary.iter().find_map(|(k, v)| match (k, v) {
        (&"locations_note", Cell::Text(n)) => Some(n.to_string()),
        _ => None,
    });
    let tables: Vec<Table> = selected
        .into_iter()
        .filter_map(|p| {
            let i = found.iter().position(|(q, _, _)| q.id == p.id)?;
            let rows = std::mem::take(&mut found[i].1);
            let title = (p.id == "top-users" && a.top > 0).then(|| format!("Top {} Users", a.top));
            let mut t = crate::panels::from_csv::table(p, rows, title);
            if p.id == LOCATIONS {
                t.note = locations_note.clone();
            }
            Some(t)
        })
        .collect();
    summary.push(("panels_read", Cell::Count(tables.len() as u64)));
    let output = output_config(a.common.output, tables.len(), SUB);
    emit(&output, tables.into_iter(), &summary, Supply::Built)?;
    Ok(if partial || geo_failed {
        Outcome::Partial
    } else {
        Outcome::Clean
    })
}
