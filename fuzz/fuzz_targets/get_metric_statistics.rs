//! Any bytes as `aws cloudwatch get-metric-statistics` output, with the stream named.
#![no_main]

use kinesis_insights::diag::FileReport;
use kinesis_insights::metrics::parse::MetricsReader;
use kinesis_insights::metrics::{MetricsCube, Query};

use kinesis_insights::pipeline::Reader;
use kinesis_insights::window::Window;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let query = Query::new(Window::default(), 60_000);
    let reader = MetricsReader {
        query: &query,
        queries: None,
        statistics_series: Some(("s".into(), String::new())),
    };
    let mut cube = MetricsCube::default();
    let mut report = FileReport::new("fuzz".into());
    let text = [
        br#"{"Label":"IncomingBytes","Datapoints":"#.as_slice(),
        data,
        b"}",
    ]
    .concat();
    reader.read(&mut cube, &String::from_utf8_lossy(&text), &mut report);
    reader.read(&mut cube, &String::from_utf8_lossy(data), &mut report);
});
