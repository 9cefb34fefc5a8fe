//! Any bytes as an OpenTelemetry Metric Streams file: the varint32 framing and the messages
//! (0.7.0 labels and 1.0.0 attributes), gzipped or not, through the aggregate and every metrics
//! panel. Also checks that every datapoint read is counted, that half of a file never gives
//! more messages or datapoints than the whole, and that the wire walker reads exactly what
//! prost's derive (the decoder it replaced) reads: the same datapoints, damage and words.
#![no_main]

use kinesis_insights::diag::FileReport;
use kinesis_insights::input::decode::Loader;
use kinesis_insights::metrics::otel;
use kinesis_insights::metrics::parse::MetricsReader;
use kinesis_insights::metrics::{MetricsCube, Query};
use kinesis_insights::panels::metrics::{MetricsCtx, PANELS};
use kinesis_insights::pipeline::Reader;
use kinesis_insights::window::Window;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(difference) = otel::compare_with_prost(data) {
        panic!("{difference}");
    }
    let mut seen = 0u64;
    let whole = otel::read(data, |_| seen += 1);
    assert_eq!(seen, whole.datapoints);
    // Cut in the middle.
    let cut = data.len() / 2;
    let mut prefix = 0u64;
    let part = otel::read(&data[..cut], |_| prefix += 1);
    assert!(part.messages <= whole.messages);
    assert!(prefix <= whole.datapoints);

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
