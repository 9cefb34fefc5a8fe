//! Property tests of the aggregation: any split of the input, merged in any order, gives the
//! single-pass panels, whichever panels are selected (each counts only its own groupings); and
//! the window never counts an event outside `[since, until)`.

use kinesis_insights::cloudtrail::parse::parse_record;
use std::path::PathBuf;
use std::sync::Arc;

use kinesis_insights::events::{EventsAgg, Query};
use kinesis_insights::geo::GeoDb;
use kinesis_insights::panels::Table;
use kinesis_insights::panels::events::{EventsCtx, EventsPanel, PANELS, groupings};
use kinesis_insights::pipeline::Merge;
use kinesis_insights::window::{Window, parse_event_time};
use proptest::prelude::*;

fn record_json(name: u8, user: u8, region: u8, err: u8, minute: u16, kinesis: bool) -> String {
    let source = if kinesis {
        "kinesis.amazonaws.com"
    } else {
        "s3.amazonaws.com"
    };
    let error = if err.is_multiple_of(4) {
        format!(r#","errorCode":"E{err}","errorMessage":"m{}""#, err % 3)
    } else {
        String::new()
    };
    let kind = ["IAMUser", "AssumedRole", "AWSService", "Root"][usize::from(user % 4)];
    // Private, public (in and out of the test database), IPv6 and service addresses.
    let ip = [
        "10.0.0.7",
        "81.2.69.142",
        "89.160.20.112",
        "2001:480::17",
        "firehose.amazonaws.com",
        "1.1.1.1",
        "10.0.0.8",
    ][usize::from(user % 7)];
    format!(
        r#"{{"eventTime":"2024-03-09T{:02}:{:02}:00Z","eventSource":"{source}","eventName":"N{}","awsRegion":"r{}","sourceIPAddress":"{ip}","userIdentity":{{"type":"{kind}","userName":"u{}"}}{error}}}"#,
        minute / 60,
        minute % 60,
        name % 5,
        region % 3,
        user % 6,
    )
}

fn tables(panels: &[&EventsPanel], agg: &EventsAgg, ctx: &EventsCtx) -> Vec<Table> {
    panels.iter().map(|p| p.table(agg, ctx).unwrap()).collect()
}

fn ctx() -> EventsCtx {
    let db = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/geoip/test-city.mmdb");
    EventsCtx {
        window: Window::default(),
        bucket: 900_000,
        default_bucket: false,
        top: 3,
        open_end: None,
        geo: Ok(Arc::new(GeoDb::open(&[db]).unwrap())),
    }
}

fn query(window: Window) -> Query {
    Query::new(window, 900_000)
}

/// Records as JSON, with the minute of the day and whether each is a Kinesis event.
fn records_with_truth() -> impl Strategy<Value = Vec<(String, i64, bool)>> {
    prop::collection::vec(
        (
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            0u16..1440,
            prop::bool::weighted(0.8),
        ),
        0..120,
    )
    .prop_map(|recs| {
        recs.into_iter()
            .map(|(n, u, r, e, m, k)| (record_json(n, u, r, e, m, k), i64::from(m), k))
            .collect()
    })
}

fn records() -> impl Strategy<Value = Vec<String>> {
    records_with_truth().prop_map(|v| v.into_iter().map(|(j, _, _)| j).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The parts count only the groupings of a random choice of panels (the groupings the
    /// api-calls one contains are then summed from it, or counted on their own); the single
    /// pass counts every grouping.
    #[test]
    fn any_split_merged_equals_one_pass(
        recs in records(),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
        reverse in any::<bool>(),
        chosen in prop::collection::vec(any::<bool>(), PANELS.len()),
        sharing in prop::collection::vec(any::<bool>(), 7),
    ) {
        let all = query(Window::default());
        let mut single = EventsAgg::default();
        for r in &recs {
            let _ = single.add(&all, &parse_record(r).unwrap(), "");
        }
        let panels: Vec<&EventsPanel> =
            PANELS.iter().zip(&chosen).filter(|(_, c)| **c).map(|(p, _)| p).collect();
        let q = Query { groupings: groupings(panels.iter().copied(), true), ..query(Window::default()) };
        let mut bounds: Vec<usize> = cuts.iter().map(|i| i.index(recs.len() + 1)).collect();
        bounds.extend([0, recs.len()]);
        bounds.sort_unstable();
        // Some parts store their strings in the store the parts made with them share (as a
        // pass's threads do), the others each their own.
        let mut parts: Vec<EventsAgg> = bounds
            .windows(2)
            .enumerate()
            .map(|(i, w)| {
                let mut c = if sharing[i] { EventsAgg::sharing_strings() } else { EventsAgg::default() };
                for r in &recs[w[0]..w[1]] {
                    let _ = c.add(&q, &parse_record(r).unwrap(), "");
                }
                c
            })
            .collect();
        if reverse {
            parts.reverse();
        }
        let mut merged = EventsAgg::default();
        for p in parts {
            merged.merge(p);
        }
        let ctx = ctx();
        prop_assert_eq!(merged.counts.clone(), single.counts.clone());
        prop_assert_eq!(tables(&panels, &merged, &ctx), tables(&panels, &single, &ctx));
    }

    #[test]
    fn window_counts_exactly_the_events_inside(
        recs in records_with_truth(),
        a in 0i64..1440,
        len in 1i64..1440,
    ) {
        let base = parse_event_time("2024-03-09T00:00:00Z").unwrap();
        let window = Window { since: Some(base + a * 60_000), until: Some(base + (a + len) * 60_000) };
        let q = query(window);
        let mut cube = EventsAgg::default();
        let mut inside = 0u64;
        for (json, minute, kinesis) in &recs {
            // The simple second computation: the minute each record was generated at.
            if *kinesis && *minute >= a && *minute < a + len {
                inside += 1;
            }
            let _ = cube.add(&q, &parse_record(json).unwrap(), "");
        }
        prop_assert_eq!(cube.counts.matched, inside);
        if let Some((first, last)) = cube.counts.matched_range {
            prop_assert!(first >= window.since.unwrap() && last < window.until.unwrap());
        }
    }
}

mod metrics {
    use kinesis_insights::metrics::catalogue::metric_names;
    use kinesis_insights::metrics::{Dims, MetricsCube, Origin, Point, Query};
    use kinesis_insights::panels::Table;
    use kinesis_insights::panels::metrics::{MetricsCtx, PANELS};
    use kinesis_insights::pipeline::Merge;
    use kinesis_insights::window::Window;
    use proptest::prelude::*;

    /// Metric, series, minute, sum, count, max, and which of them the datapoint lacks or
    /// carries as non-finite (mostly none: the Metric Streams case).
    type Datapoint = (u8, u8, u16, f64, f64, f64, u8);

    /// `v`, unless `odd` (3 bits of the mask) says the datapoint lacks it or carries it as
    /// infinity, NaN (as OpenTelemetry and get-metric-data inputs can) or zero.
    fn part(v: f64, odd: u8) -> Option<f64> {
        match odd & 7 {
            1 => None,
            2 => Some(f64::INFINITY),
            3 => Some(f64::NAN),
            4 => Some(0.0),
            _ => Some(v),
        }
    }

    fn add(cube: &mut MetricsCube, q: &Query, (m, s, minute, sum, count, max, odd): Datapoint) {
        let (stream_metrics, shard_metrics) = metric_names();
        let shard = if s % 3 == 0 { "shardId-1" } else { "" };
        let names = if shard.is_empty() {
            &stream_metrics
        } else {
            &shard_metrics
        };
        let metric = names[usize::from(m) % names.len()];
        let dims = Dims {
            stream: ["a", "b"][usize::from(s % 2)],
            shard,
            ..Dims::default()
        };
        // Only one datapoint in 4 is odd, so most series stay in their compact layout.
        let odd = if odd & 0x80 == 0 { 0 } else { odd };
        let point = Point {
            sum: part(sum, odd),
            count: part(count, odd >> 2),
            max: part(max, odd >> 4),
            avg: (odd & 0x40 != 0).then_some(sum / 2.0),
        };
        let origin = Origin {
            account: ["111122223333", "444455556666"][usize::from(s / 2 % 2)],
            region: "r",
        };
        cube.add(
            q,
            origin,
            "AWS/Kinesis",
            metric,
            dims,
            i64::from(minute) * 60_000,
            &point,
        );
    }

    fn tables(cube: &MetricsCube) -> Vec<Table> {
        let ctx = MetricsCtx {
            window: Window::default(),
            period: 300_000,
        };
        PANELS
            .iter()
            .map(|p| p.table(cube, &ctx).unwrap())
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(150))]

        /// Float sums are exact, so even the last bit does not depend on how the input was
        /// split between threads or in which order the parts were merged; and a cube that
        /// keeps per bucket only what each panel reads gives the panels a cube of every
        /// statistic gives.
        #[test]
        fn any_split_merged_equals_one_pass(
            points in prop::collection::vec(
                (
                    any::<u8>(),
                    any::<u8>(),
                    0u16..120,
                    -1e12f64..1e12,
                    1f64..1e3,
                    -1e6f64..1e6,
                    prop::num::u8::ANY.prop_map(|b| if b % 4 == 0 { b | 0x80 } else { b & 0x7f }),
                ),
                0..150,
            ),
            cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..5),
            reverse in any::<bool>(),
        ) {
            let q = Query::new(Window::default(), 60_000);
            let mut single = MetricsCube::default();
            for p in &points {
                add(&mut single, &q, *p);
            }
            let mut bounds: Vec<usize> = cuts.iter().map(|i| i.index(points.len() + 1)).collect();
            bounds.extend([0, points.len()]);
            bounds.sort_unstable();
            let mut parts: Vec<MetricsCube> = bounds
                .windows(2)
                .map(|w| {
                    let mut c = MetricsCube::default();
                    for p in &points[w[0]..w[1]] {
                        add(&mut c, &q, *p);
                    }
                    c
                })
                .collect();
            if reverse {
                parts.reverse();
            }
            let mut merged = MetricsCube::default();
            for p in parts {
                merged.merge(p);
            }
            prop_assert_eq!(merged.counts.clone(), single.counts.clone());
            prop_assert_eq!(tables(&merged), tables(&single));
            let full_q = Query {
                compact: false,
                ..Query::new(Window::default(), 60_000)
            };
            let mut full = MetricsCube::default();
            for p in &points {
                add(&mut full, &full_q, *p);
            }
            prop_assert_eq!(full.counts.clone(), single.counts.clone());
            prop_assert_eq!(tables(&full), tables(&single));
        }
    }
}
