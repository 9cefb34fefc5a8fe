//! Any bytes as a metrics or CloudTrail input file, through the aggregate and every panel, and
//! then rendered as tables (at a width the input picks), CSV and JSON: what the parsers accept
//! must never make a renderer panic, overflow or allocate without bound (a far-off timestamp
//! with a short period once made the table renderer ask for petabytes).
//!
//! The first byte picks the dashboard and the bucket width, the second the table width; the
//! rest is the file.
#![no_main]

use kinesis_insights::diag::FileReport;
use kinesis_insights::events::{self, CloudTrailReader, EventCube};
use kinesis_insights::input::decode::Loader;
use kinesis_insights::metrics::parse::MetricsReader;
use kinesis_insights::metrics::{self, MetricsCube};
use kinesis_insights::panels::Table;
use kinesis_insights::panels::events::EventsCtx;
use kinesis_insights::panels::metrics::MetricsCtx;
use kinesis_insights::pipeline::Reader;
use kinesis_insights::render::{self, Format, TableOptions};
use kinesis_insights::window::Window;
use libfuzzer_sys::fuzz_target;

const WIDTHS: [i64; 4] = [60_000, 300_000, 3_600_000, 86_400_000];

fn render_all(tables: Vec<Table>, width: u16) {
    for format in [Format::Table, Format::Csv, Format::Json] {
        for limit in [0, 3] {
            let opts = TableOptions {
                limit,
                width: Some(width),
            };
            let mut it = tables.clone().into_iter();
            let _ = render::write(&mut std::io::sink(), format, &mut it, &Vec::new(), opts, true);
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
        reader.read(&mut cube, loaded.text, &mut report);
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
        let query = events::Query::new(Window::default(), bucket);
        let reader = CloudTrailReader { query: &query };
        let mut cube = EventCube::default();
        reader.read(&mut cube, loaded.text, &mut report);
        let ctx = EventsCtx {
            window: Window::default(),
            bucket,
            top: usize::from(mode >> 4),
            open_end: None,
            geo: None,
        };
        let tables = kinesis_insights::panels::events::PANELS
            .iter()
            .filter_map(|p| p.table(&cube, &ctx).ok())
            .collect();
        render_all(tables, width);
    }
});
