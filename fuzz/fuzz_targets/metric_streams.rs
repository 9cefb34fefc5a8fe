//! Any bytes as a metrics input file (Metric Streams JSON and OpenTelemetry, and the CLI outputs,
//! are all tried by content), through the aggregate and every metrics panel.
#![no_main]

use kinesis_insights::diag::FileReport;
use kinesis_insights::input::decode::Loader;
use kinesis_insights::metrics::parse::MetricsReader;
use kinesis_insights::metrics::{MetricsCube, Query};
use kinesis_insights::panels::metrics::{MetricsCtx, PANELS};
use kinesis_insights::pipeline::Reader;
use kinesis_insights::window::Window;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let query = Query::new(Window::default(), 60_000);
    let reader = MetricsReader {
        query: &query,
        queries: None,
        statistics_series: None,
    };
    let mut loader = Loader::default();
    let mut cube = MetricsCube::default();
    let mut report = FileReport::new("fuzz".into());
    if let Ok(loaded) = loader.load_bytes(data, 1 << 24)
        && !reader.read_binary(&mut cube, loaded.bytes, &mut &loaded.bytes[..], &mut report)
    {
        reader.read(&mut cube, loaded.into_text().text, &mut report);
    }
    let ctx = MetricsCtx {
        window: Window::default(),
        period: 3_600_000,
    };
    for p in PANELS {
        let _ = p.table(&cube, &ctx);
    }
});
