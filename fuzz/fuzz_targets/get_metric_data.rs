//! Any bytes as `aws cloudwatch get-metric-data` output, read with a fixed query file.
#![no_main]

use kinesis_insights::diag::FileReport;
use kinesis_insights::metrics::parse::{MetricsReader, Queries, QuerySpec};
use kinesis_insights::metrics::{MetricsCube, Query};

use kinesis_insights::pipeline::Reader;
use kinesis_insights::window::Window;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let query = Query::new(Window::default(), 60_000);
    let mut queries = Queries::default();
    for (id, metric, stat) in [
        ("m1", "IncomingBytes", "Sum"),
        ("m2", "PutRecord.Latency", "Average"),
        ("m3", "IncomingBytes", "SampleCount"),
    ] {
        queries.by_id.insert(
            id.into(),
            QuerySpec {
                namespace: "AWS/Kinesis".into(),
                metric: metric.into(),
                stream: "s".into(),
                shard: String::new(),
                consumer: String::new(),
                other_dims: false,
                stat: stat.into(),
            },
        );
    }
    let reader = MetricsReader {
        query: &query,
        queries: Some(&queries),
        statistics_series: None,
    };
    let mut cube = MetricsCube::default();
    let mut report = FileReport::new("fuzz".into());
    let text = [br#"{"MetricDataResults":"#.as_slice(), data, b"}"].concat();
    reader.read(&mut cube, &String::from_utf8_lossy(&text), &mut report);
    reader.read(&mut cube, &String::from_utf8_lossy(data), &mut report);
});
