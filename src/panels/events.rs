//! The Events dashboard's panels, each built from its grouping in the [`EventsAgg`].

use std::sync::Arc;

use super::{Built, Cell, PanelDef, PanelError, SeriesSummary, View, percent_hundredths};
use crate::events::{self, BucketCounts, EventsAgg, Groupings, Ranked};
use crate::geo::{GeoDb, NoDb, locate_all};
use crate::window::{Millis, Window, auto_period, bucket_start, format_duration};

/// Most buckets the over-time panel will zero-fill.
pub const MAX_BUCKETS: u64 = 100_000;

/// The over-time buckets without `--bucket`: 1h, as the dashboard shows them.
pub const DEFAULT_BUCKET: Millis = 3_600_000;

/// Longest range shown in [`DEFAULT_BUCKET`]s by default (the dashboard's longest view).
const DEFAULT_SPAN: Millis = 7 * 86_400_000;

/// The default bucket over the inclusive range `(start, end)`: 1h up to 7 days; beyond that
/// the shortest of 3h, 6h, 12h, 1d, 7d that gives at most 300 buckets, as `metrics` chooses
/// (a multi-year dump in hours would be tens of thousands of buckets).
pub fn default_bucket((start, end): (Millis, Millis)) -> Millis {
    if end - start <= DEFAULT_SPAN {
        DEFAULT_BUCKET
    } else {
        auto_period(Some((start, end))).max(3 * DEFAULT_BUCKET)
    }
}

/// What the events panels need besides the cube.
#[derive(Debug, Clone)]
pub struct EventsCtx {
    /// The resolved window.
    pub window: Window,
    /// Over-time bucket width the events were counted in.
    pub bucket: Millis,
    /// `--bucket` was not given: the panel widens [`DEFAULT_BUCKET`] over long ranges (see
    /// [`default_bucket`]).
    pub default_bucket: bool,
    /// How many users `top-users` keeps (0: all).
    pub top: usize,
    /// Where an open-ended window ends for zero-filling when `--since` was a duration: the
    /// anchor it counted back from.
    pub open_end: Option<Millis>,
    /// The GeoIP database for `locations`, or why there is none.
    pub geo: Result<Arc<GeoDb>, NoDb>,
}

/// An events panel.
pub type EventsPanel = PanelDef<EventsAgg, EventsCtx>;

/// Every panel of the Events dashboard, in dashboard order.
pub static PANELS: &[EventsPanel] = &[
    PanelDef {
        id: "events",
        title: "Events",
        columns: &["event_name", "count", "percent"],
        about: "events by name, with their share of all Kinesis events in the window",
        build: events,
    },
    PanelDef {
        id: "events-over-time",
        title: "Events Over Time",
        columns: &["time", "event_name", "count"],
        about: "events per --bucket by name, zero-filled over the window",
        build: events_over_time,
    },
    PanelDef {
        id: "api-calls",
        title: "Kinesis API Calls Summary",
        columns: &["region", "user", "event_name", "source_ip", "count"],
        about: "calls by region, user, event and source address",
        build: api_calls,
    },
    PanelDef {
        id: "by-user",
        title: "Events by User",
        columns: &["user", "event_name", "count"],
        about: "calls by user and event",
        build: by_user,
    },
    PanelDef {
        id: "by-region",
        title: "Events by Region",
        columns: &["region", "event_name", "count"],
        about: "calls by region and event",
        build: by_region,
    },
    PanelDef {
        id: "errors",
        title: "Errors",
        columns: &[
            "error_code",
            "error_message",
            "event_name",
            "user",
            "source_ip",
            "count",
        ],
        about: "calls that returned an errorCode",
        build: errors,
    },
    PanelDef {
        id: "top-users",
        title: "Top Users",
        columns: &["user", "count"],
        about: "the --top users of type IAMUser, AssumedRole, FederatedUser or Root",
        build: top_users,
    },
    PanelDef {
        id: LOCATIONS,
        title: "Location of Events",
        columns: &[
            "country_code",
            "country_name",
            "region",
            "city",
            "latitude",
            "longitude",
            "count",
        ],
        about: "calls by where their source address is, from a GeoIP database (--geoip)",
        build: locations,
    },
];

/// Id of the panel that needs a GeoIP database.
pub const LOCATIONS: &str = "locations";

/// Panel ids, for `--panel`.
pub fn ids() -> Vec<&'static str> {
    PANELS.iter().map(|p| p.id).collect()
}

/// The first `limit` rows: each row's key as text cells, then its count. The key's cells are
/// drawn from a dictionary per part, of the strings the rows hold.
fn grouped<const N: usize>(rows: events::Rows<'_, N>, limit: usize) -> Built {
    let Ranked {
        strings,
        codes,
        counts,
    } = rows.ranked(limit);
    let dicts = strings
        .into_iter()
        .map(|s| s.into_iter().map(Cell::Text).collect())
        .collect();
    let counts = counts.into_iter().map(Cell::Count).collect();
    Built {
        rows: crate::panels::Rows::coded(dicts, codes, 1, counts),
        view: View::Rows,
        note: None,
        title: None,
    }
}

/// The groupings `panels` are built from (`locations` only with a database to look addresses
/// up in).
pub fn groupings<'p>(panels: impl IntoIterator<Item = &'p EventsPanel>, geo: bool) -> Groupings {
    let mut g = Groupings::default();
    for p in panels {
        match p.id {
            "events" => g.by_name = true,
            "events-over-time" => g.over_time = true,
            "api-calls" => g.calls = true,
            "by-user" => g.by_user = true,
            "by-region" => g.by_region = true,
            "errors" => g.errors = true,
            "top-users" => g.person_users = true,
            LOCATIONS => g.by_ip = geo,
            _ => {}
        }
    }
    g
}

fn events(cube: &EventsAgg, _: &EventsCtx) -> Result<Built, PanelError> {
    let total = cube.counts.matched;
    let rows = cube
        .by_name()
        .map(|([name], n)| {
            vec![
                Cell::text(name),
                Cell::Count(n),
                Cell::Percent(percent_hundredths(n, total)),
            ]
        })
        .collect();
    Ok(Built::rows(rows))
}

/// The inclusive instants the over-time panel covers: the window where it is bounded, the
/// matched events where it is not.
fn over_time_range(cube: &EventsAgg, ctx: &EventsCtx) -> Option<(Millis, Millis)> {
    let matched = cube.counts.matched_range;
    let start = ctx.window.since.or(matched.map(|r| r.0))?;
    let end = match ctx.window.until {
        Some(u) => u - 1,
        None => match (matched.map(|r| r.1), ctx.open_end) {
            (Some(a), Some(b)) => a.max(b),
            (a, b) => a.or(b)?,
        },
    };
    (end >= start).then_some((start, end))
}

/// Buckets of `bucket` covering the inclusive range `(start, end)`.
fn bucket_count((start, end): (Millis, Millis), bucket: Millis) -> u64 {
    ((bucket_start(end, bucket) - bucket_start(start, bucket)) / bucket + 1) as u64
}

/// The range, bucket and note of the over-time panel without `--bucket`, whose events were
/// counted in `counted`-wide buckets: [`default_bucket`] over `range`. Where that would be more
/// than [`MAX_BUCKETS`] buckets (a window open to 9999-12-31), only the range the events
/// cover is zero-filled, in the default bucket over it, widened to 30d, 365d and tenfold
/// beyond until the buckets are few enough.
fn automatic_buckets(
    range: (Millis, Millis),
    matched: Option<(Millis, Millis)>,
    counted: Millis,
) -> ((Millis, Millis), Millis, Option<String>) {
    let b = default_bucket(range);
    let needed = bucket_count(range, b);
    if needed <= MAX_BUCKETS {
        let days = (range.1 - range.0) / 86_400_000;
        let note = (b != counted).then(|| {
            format!(
                "buckets of {} over {days} days (1h up to 7 days); --bucket sets the width",
                format_duration(b)
            )
        });
        return (range, b, note);
    }
    let shown = matched.map_or(range, |(a, z)| (a.max(range.0), z.min(range.1).max(a)));
    let mut wider = [30, 365]
        .into_iter()
        .chain(std::iter::successors(Some(3650), |d: &i64| {
            d.checked_mul(10)
        }))
        .map(|days| days * 86_400_000);
    let mut bucket = default_bucket(shown);
    while bucket_count(shown, bucket) > MAX_BUCKETS {
        bucket = wider.next().expect("a year of buckets covers any range");
    }
    let note = format!(
        "the window would need {needed} buckets of {}: buckets of {} over the events' range \
         only; --bucket sets the width",
        format_duration(b),
        format_duration(bucket)
    );
    (shown, bucket, Some(note))
}

fn events_over_time(cube: &EventsAgg, ctx: &EventsCtx) -> Result<Built, PanelError> {
    // Counted in hours when no --bucket was given; shown in a coarser width over long ranges.
    let (range, bucket, note) = match over_time_range(cube, ctx) {
        Some(r) if ctx.default_bucket => {
            let (r, b, note) = automatic_buckets(r, cube.counts.matched_range, ctx.bucket);
            (Some(r), b, note)
        }
        range => (range, ctx.bucket, None),
    };
    let view = over_time_view(bucket);
    let counted = cube.over_time();
    let (Some((start, end)), false) = (range, counted.is_empty()) else {
        return Ok(Built {
            rows: Default::default(),
            view,
            note: None,
            title: None,
        });
    };
    let (first, last) = (bucket_start(start, bucket), bucket_start(end, bucket));
    let buckets = bucket_count((start, end), bucket);
    if buckets > MAX_BUCKETS {
        return Err(PanelError {
            panel: "events-over-time",
            reason: format!(
                "{buckets} buckets of {} would be needed (at most {MAX_BUCKETS}); choose a larger \
                 --bucket or a narrower --since/--until",
                format_duration(bucket)
            ),
        });
    }
    // Each name's counts in the buckets shown (the counted ones summed into wider ones).
    let series: Vec<(&str, BucketCounts)> = counted
        .into_iter()
        .map(|(name, counts)| {
            let mut shown = BucketCounts::default();
            for (t, c) in counts {
                *shown.entry(bucket_start(t, bucket)).or_default() += c;
            }
            (name, shown)
        })
        .collect();
    let mut rows = Vec::with_capacity(buckets as usize * series.len());
    let mut t = first;
    while t <= last {
        for (name, counts) in &series {
            let n = counts.get(&t).copied().unwrap_or(0);
            rows.push(vec![Cell::Time(t), Cell::text(*name), Cell::Count(n)]);
        }
        t += bucket;
    }
    Ok(Built {
        rows: rows.into(),
        view,
        note,
        title: None,
    })
}

/// How the over-time panel reads in a terminal (or a page), with buckets of `bucket`.
pub fn over_time_view(bucket: Millis) -> View {
    View::Series {
        time: 0,
        keys: vec![1],
        value: 2,
        bucket,
        summary: SeriesSummary::Total,
        unit: "events",
    }
}

/// How the locations panel reads: a bar chart by country, then the rows.
pub const LOCATIONS_VIEW: View = View::Bars { label: 1, value: 6 };

fn api_calls(cube: &EventsAgg, _: &EventsCtx) -> Result<Built, PanelError> {
    Ok(grouped(cube.calls(), usize::MAX))
}

fn by_user(cube: &EventsAgg, _: &EventsCtx) -> Result<Built, PanelError> {
    Ok(grouped(cube.by_user(), usize::MAX))
}

fn by_region(cube: &EventsAgg, _: &EventsCtx) -> Result<Built, PanelError> {
    Ok(grouped(cube.by_region(), usize::MAX))
}

fn errors(cube: &EventsAgg, _: &EventsCtx) -> Result<Built, PanelError> {
    Ok(grouped(cube.errors(), usize::MAX))
}

fn top_users(cube: &EventsAgg, ctx: &EventsCtx) -> Result<Built, PanelError> {
    let top = if ctx.top > 0 { ctx.top } else { usize::MAX };
    Ok(Built {
        // Named as the dashboard's "Top 10 IAM Users" is.
        title: (ctx.top > 0).then(|| format!("Top {} Users", ctx.top)),
        ..grouped(cube.person_users(), top)
    })
}

fn locations(cube: &EventsAgg, ctx: &EventsCtx) -> Result<Built, PanelError> {
    let view = LOCATIONS_VIEW;
    let db = match &ctx.geo {
        Ok(db) => db,
        Err(why) => {
            return Ok(Built {
                rows: Default::default(),
                view,
                note: Some(why.note()),
                title: None,
            });
        }
    };
    Ok(Built {
        rows: location_rows(db, cube.by_ip()).into(),
        view,
        note: None,
        title: None,
    })
}

/// The locations panel's rows from calls by source address (also read from an engine's
/// `source_ip,count` by `events --from-csv`).
pub fn location_rows<'a>(
    db: &GeoDb,
    by_ip: impl IntoIterator<Item = (&'a str, u64)>,
) -> Vec<Vec<Cell>> {
    // Failed lookups count as not found; the command warns about them once, on stderr.
    let (groups, _failures) = locate_all(db, by_ip);
    let coord = |c: Option<f64>| c.map_or(Cell::Null, Cell::Float);
    groups
        .into_iter()
        .map(|(l, n)| {
            vec![
                Cell::text(l.country_code),
                Cell::text(l.country_name),
                Cell::text(l.region),
                Cell::text(l.city),
                coord(l.latitude),
                coord(l.longitude),
                Cell::Count(n),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Millis = 86_400_000;
    /// 2024-03-09T00:00:00Z and 9999-12-31T23:59:59.999Z.
    const T: Millis = 1_709_942_400_000;
    const END: Millis = 253_402_300_799_999;

    #[test]
    fn automatic_buckets_fit_any_window() {
        // Two days: hours, as counted; no note.
        assert_eq!(
            automatic_buckets((T, T + 2 * DAY - 1), Some((T, T + DAY)), DEFAULT_BUCKET),
            ((T, T + 2 * DAY - 1), DEFAULT_BUCKET, None)
        );
        // Thirty days: the shortest width giving at most 300 buckets, 3h (240 buckets).
        let (r, b, note) = automatic_buckets((T, T + 30 * DAY - 1), None, DEFAULT_BUCKET);
        assert_eq!((r, b), ((T, T + 30 * DAY - 1), 3 * DEFAULT_BUCKET));
        assert_eq!(
            note.as_deref(),
            Some("buckets of 3h over 29 days (1h up to 7 days); --bucket sets the width")
        );
        // To the end of 9999: (END - T) / 7d + 1 = 416159 weeks. Zero-filled over the events
        // only, two days of them in hours.
        let (r, b, note) = automatic_buckets((T, END), Some((T, T + DAY)), DEFAULT_BUCKET);
        assert_eq!((r, b), ((T, T + DAY), DEFAULT_BUCKET));
        assert_eq!(
            note.as_deref(),
            Some(
                "the window would need 416159 buckets of 7d: buckets of 1h over the events' \
                 range only; --bucket sets the width"
            )
        );
        // Events from year 1 to 9999 (3,652,059 days): 7d and 30d give more than 100,000
        // buckets, 365d about 10,006.
        let first = -62_135_596_800_000;
        let (r, b, _) = automatic_buckets((first, END), Some((first, END)), DEFAULT_BUCKET);
        assert_eq!((r, b), ((first, END), 365 * DAY));
    }
}
