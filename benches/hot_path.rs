//! Micro-benchmarks of the hot path, so a change to it can be judged on its own:
//! parsing CloudTrail records into the events aggregate, and Metric Streams datapoints into the
//! metrics aggregate, from decoded text in memory. `cargo bench --bench hot_path`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kinesis_insights::cloudtrail::fast::FastRecord;
use kinesis_insights::cloudtrail::parse::{RecordSink, parse_document, parse_document_serde};
use kinesis_insights::cloudtrail::{Field, RawRecord, Record};
use kinesis_insights::diag::FileReport;
use kinesis_insights::events::{CloudTrailReader, EventCube, Query};
use kinesis_insights::input::decode::Loader;
use kinesis_insights::metrics::parse::MetricsReader;
use kinesis_insights::metrics::{MetricsCube, Query as MetricsQuery};
use kinesis_insights::pipeline::Reader;
use kinesis_insights::window::Window;

fn testdata_text(rel: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(rel);
    let raw = std::fs::read(path).unwrap();
    let mut loader = Loader::default();
    loader.load_bytes(&raw, u64::MAX).unwrap().text.to_string()
}

fn first_file(dir: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(dir);
    let mut stack = vec![root.clone()];
    let mut files = Vec::new();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p)
            } else {
                files.push(p)
            }
        }
    }
    files.sort();
    files[0]
        .strip_prefix(root.parent().unwrap())
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// A sink that reads one field of each record, as cheaply on either path.
struct NameSink;

impl RecordSink for NameSink {
    fn record(&mut self, rec: &RawRecord<'_>) {
        black_box(rec.get(Field::EventName));
    }
    fn fast_record(&mut self, rec: &FastRecord<'_>) {
        black_box(rec.get(Field::EventName));
    }
}

fn events(c: &mut Criterion) {
    // All S3-layout files of the sample, concatenated as one buffer of Records documents.
    let text: String = {
        let root =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/cloudtrail/AWSLogs");
        let mut stack = vec![root];
        let mut files = Vec::new();
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p)
                } else if !p.to_string_lossy().contains("Digest") {
                    files.push(p)
                }
            }
        }
        files.sort();
        let mut loader = Loader::default();
        let mut all = String::new();
        for f in files {
            all.push_str(
                loader
                    .load_bytes(&std::fs::read(f).unwrap(), u64::MAX)
                    .unwrap()
                    .text,
            );
            all.push('\n');
        }
        all
    };
    let query = Query::new(Window::default(), 3_600_000);
    let reader = CloudTrailReader { query: &query };
    let mut g = c.benchmark_group("events");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("parse+aggregate", |b| {
        b.iter(|| {
            let mut cube = EventCube::default();
            let mut report = FileReport::new(String::new());
            reader.read(&mut cube, black_box(&text), &mut report);
            cube
        })
    });
    // The record layer alone, on both paths: the fast scanner and the serde path it falls back to.
    g.bench_function("parse (fast path)", |b| {
        b.iter(|| parse_document(black_box(&text), &mut NameSink).records)
    });
    g.bench_function("parse (serde path)", |b| {
        b.iter(|| parse_document_serde(black_box(&text), &mut NameSink).records)
    });
    g.finish();
}

fn metrics(c: &mut Criterion) {
    let text = testdata_text(&first_file("metrics/streams"));
    let query = MetricsQuery::new(Window::default(), 60_000);
    let reader = MetricsReader {
        query: &query,
        queries: None,
        statistics_series: None,
    };
    let mut g = c.benchmark_group("metrics");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("parse+aggregate", |b| {
        b.iter(|| {
            let mut cube = MetricsCube::default();
            let mut report = FileReport::new(String::new());
            reader.read(&mut cube, black_box(&text), &mut report);
            cube
        })
    });
    g.finish();
}

criterion_group!(benches, events, metrics);
criterion_main!(benches);
