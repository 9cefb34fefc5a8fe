//! Any bytes as a metrics or CloudTrail input file, through the aggregate and every panel, and
//! then rendered in every output format (tables at a width the input picks, CSV, JSON, HTML),
//! to a terminal and not: what the parsers accept must never make a renderer panic, overflow
//! or allocate without bound (a far-off timestamp with a short period once made the table
//! renderer ask for petabytes).
//!
//! The first byte picks the dashboard, the bucket width and the top; the second the table
//! width; the rest is the file.
#![no_main]

use kinesis_insights::cloudtrail::reader::CloudTrailReader;
use kinesis_insights::diag::FileReport;
use kinesis_insights::events;
use kinesis_insights::geo::NoDb;
use kinesis_insights::input::decode::Loader;
use kinesis_insights::metrics::parse::MetricsReader;
use kinesis_insights::metrics::{self, MetricsCube};
use kinesis_insights::panels::Table;
use kinesis_insights::panels::events::{EventsCtx, groupings};
use kinesis_insights::panels::metrics::MetricsCtx;
use kinesis_insights::pipeline::Reader;
use kinesis_insights::render::{FORMATS, Options};
use kinesis_insights::window::Window;
use libfuzzer_sys::fuzz_target;

const WIDTHS: [i64; 4] = [60_000, 300_000, 3_600_000, 86_400_000];

fn render_all(tables: Vec<Table>, width: u16) {
    for format in FORMATS {
        for limit in [0, 3] {
            for terminal in [false, true] {
                let opts = Options {
                    limit,
                    width,
                    terminal,
                    ..Options::default()
                };
                let exporter = (format.exporter)(opts);
                let mut it = tables.clone().into_iter();
                let _ = exporter.write_stream(&mut std::io::sink(), &mut it, &Vec::new());
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let [mode, width, file @ ..] = data else {
        return;
    };
    let bucket = WIDTHS[usize::from(mode & 3)];
    let width = u16::from(*width).max(1);
    let mut loader = Loader::default();
    let Ok(loaded) = loader.load_bytes(file, 1 << 24) else {
        return;
    };
    let mut report = FileReport::new("AWSLogs/111122223333/fuzz".into());
    if mode & 4 == 0 {
        let query = metrics::Query::new(Window::default(), bucket);
        let reader = MetricsReader {
            query: &query,
            queries: None,
            statistics_series: Some(("s".into(), String::new())),
        };
        let mut cube = MetricsCube::default();
        if !reader.read_binary(&mut cube, loaded.bytes, &mut &loaded.bytes[..], &mut report) {
            reader.read(&mut cube, loaded.into_text().text, &mut report);
        }
        let ctx = MetricsCtx {
            window: Window::default(),
            period: bucket,
        };
        let tables = kinesis_insights::panels::metrics::PANELS
            .iter()
            .filter_map(|p| p.table(&cube, &ctx).ok())
            .collect();
        render_all(tables, width);
    } else {
        let panels = kinesis_insights::panels::events::PANELS;
        let query = events::Query {
            groupings: groupings(panels.iter(), false),
            ..events::Query::new(Window::default(), bucket)
        };
        let reader = CloudTrailReader { query: &query };
        let mut cube = reader.new_acc();
        reader.read(&mut cube, loaded.into_text().text, &mut report);
        let ctx = EventsCtx {
            window: Window::default(),
            bucket,
            default_bucket: mode & 8 != 0,
            top: usize::from(mode >> 4),
            open_end: None,
            geo: Err(NoDb::NotFound),
        };
        let tables = panels
            .iter()
            .filter_map(|p| p.table(&cube, &ctx).ok())
            .collect();
        render_all(tables, width);
    }
});
