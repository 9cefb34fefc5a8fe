//! `kinesis-insights sql`: the Events panels as one SQL script for an engine next to the trail.

use std::io::Write;

use anyhow::bail;
use clap::error::ErrorKind;

use super::{matcher, matcher_with, stream_matcher, usage_error};
use crate::cli::SqlArgs;
use crate::diag::Outcome;
use crate::filter::Matcher;
use crate::panels::events::{LOCATIONS, PANELS};
use crate::panels::select;
use crate::sql::dialect::Dialect;
use crate::sql::duckdb::DuckDb;
use crate::sql::spark::Spark;
use crate::sql::trino::{DEFAULT_TABLE, Trino, partition_day};
use crate::sql::{FilterPatterns, Spec, check_buckets, script};
use crate::window::{Anchor, TimeSpec, WindowSpec, format_instant, now};

const SUB: &str = "sql";

/// First day CloudTrail can have logged (it launched in November 2013): where the Athena
/// table's date projection starts without --since.
const FIRST_TRAIL_DAY: &str = "2013/11/01";

/// Writes the script to standard output.
pub fn run(a: SqlArgs) -> anyhow::Result<Outcome> {
    // Bad globs are usage errors naming the flag, as for `events`.
    for (flag, p) in [
        ("event-name", &a.event_name),
        ("user", &a.user),
        ("region", &a.region),
        ("account", &a.account),
    ] {
        matcher(flag, p, SUB);
    }
    stream_matcher(&a.stream, SUB);
    matcher_with(Matcher::addresses, "source-ip", &a.source_ip, SUB);
    let wall = now();
    let spec_window = WindowSpec {
        since: a.since,
        until: a.until,
        anchor: Anchor::Now,
    };
    let window = spec_window.resolve(wall);
    if let (Some(s), Some(u)) = (window.since, window.until)
        && s >= u
    {
        bail!(
            "the window is empty: --since ({}) is not before --until ({})",
            format_instant(s),
            format_instant(u)
        );
    }
    let since_is_duration = matches!(a.since, Some(TimeSpec::Ago(_)));
    let panels: Vec<&'static str> = if a.panels.is_empty() {
        PANELS
            .iter()
            .map(|p| p.id)
            .filter(|id| *id != LOCATIONS)
            .collect()
    } else {
        select(PANELS, &a.panels).iter().map(|p| p.id).collect()
    };
    let spec = Spec {
        window,
        open_end: (since_is_duration && a.until.is_none()).then_some(wall),
        bucket: a.bucket,
        top: a.top,
        filters: FilterPatterns {
            event_name: a.event_name,
            user: a.user,
            source_ip: a.source_ip,
            region: a.region,
            stream: a.stream,
            account: a.account,
        },
        panels,
    };
    if spec.panels.contains(&"events-over-time")
        && let Err(e) = check_buckets(&spec)
    {
        bail!("{e}");
    }
    let location = a.location.unwrap_or_default();
    let dialect: Box<dyn Dialect> = match a.engine.as_str() {
        "duckdb" | "spark" if a.table.is_some() => usage_error(
            ErrorKind::ArgumentConflict,
            format!(
                "--table is for athena and trino; {} reads the files at --location",
                a.engine
            ),
            SUB,
        ),
        "duckdb" => Box::new(DuckDb::new(&location)),
        "spark" => Box::new(Spark { location }),
        engine => {
            let engine = if engine == "athena" {
                "athena"
            } else {
                "trino"
            };
            if a.table.is_none() && !location.starts_with("s3://") {
                usage_error(
                    ErrorKind::ValueValidation,
                    format!(
                        "--location for {engine} is the trail's S3 prefix of one account, \
                         s3://BUCKET/AWSLogs/ACCOUNT/CloudTrail/ (or name an existing table \
                         with --table)"
                    ),
                    SUB,
                );
            }
            Box::new(Trino {
                engine,
                existing: a.table.is_some(),
                table: a.table.unwrap_or_else(|| DEFAULT_TABLE.to_string()),
                location,
                first_day: spec.window.since.map_or(FIRST_TRAIL_DAY.to_string(), |s| {
                    partition_day(s.saturating_sub(86_400_000).max(0))
                }),
            })
        }
    };
    let generator = format!("kinesis-insights {}", env!("CARGO_PKG_VERSION"));
    let text = script(&*dialect, &spec, &generator)
        .unwrap_or_else(|e| usage_error(ErrorKind::ValueValidation, e, SUB));
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| crate::diag::stdout_error(e.into()))?;
    Ok(Outcome::Clean)
}
