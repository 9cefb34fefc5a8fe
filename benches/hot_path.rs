//! Micro-benchmarks of the hot path, so a change to it can be judged on its own:
//! parsing CloudTrail records into the events aggregate, and Metric Streams datapoints into the
//! metrics aggregate, from decoded text in memory. `cargo bench --bench hot_path`.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kinesis_insights::cloudtrail::fast::FastRecord;
use kinesis_insights::cloudtrail::reader::CloudTrailReader;
use kinesis_insights::cloudtrail::{
    Field, RawRecord, Record, RecordSink, Skip, parse_document, parse_document_serde,
};
use kinesis_insights::diag::FileReport;
use kinesis_insights::events::Query;
use kinesis_insights::input::decode::Loader;
use kinesis_insights::input::{WalkOptions, discover};
use kinesis_insights::metrics::Query as MetricsQuery;
use kinesis_insights::metrics::parse::MetricsReader;
use kinesis_insights::pipeline::Reader;
use kinesis_insights::window::Window;

/// The files under `testdata/<dir>`, sorted, found as the tool finds its inputs.
fn testdata_files(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(dir);
    discover(&[root], WalkOptions::default())
        .sources
        .iter()
        .filter_map(|s| s.path().map(Path::to_path_buf))
        .collect()
}

/// The decoded text of each of `files`, joined by newlines.
fn decoded(files: &[PathBuf]) -> String {
    let mut loader = Loader::default();
    let mut all = String::new();
    for f in files {
        let raw = std::fs::read(f).unwrap();
        all.push_str(loader.load_bytes(&raw, u64::MAX).unwrap().into_text().text);
        all.push('\n');
    }
    all
}

/// Reads `text` into a fresh accumulator, as the pipeline reads one file.
fn read_all<R: Reader>(reader: &R, text: &str) -> R::Acc {
    let mut acc = reader.new_acc();
    let mut report = FileReport::new(String::new());
    reader.read(&mut acc, black_box(text), &mut report);
    acc
}

/// A sink that reads one field of each record, as cheaply on either path.
struct NameSink;

impl RecordSink for NameSink {
    fn record(&mut self, rec: &RawRecord<'_>) -> Result<(), Skip> {
        black_box(rec.get(Field::EventName));
        Ok(())
    }
    fn fast_record(&mut self, rec: &FastRecord<'_>) -> Result<(), Skip> {
        black_box(rec.get(Field::EventName));
        Ok(())
    }
}

fn events(c: &mut Criterion) {
    // All S3-layout files of the sample, concatenated as one buffer of Records documents.
    let files = testdata_files("cloudtrail/AWSLogs");
    let text = decoded(
        &files
            .into_iter()
            .filter(|f| !f.to_string_lossy().contains("Digest"))
            .collect::<Vec<_>>(),
    );
    let query = Query::new(Window::default(), 3_600_000);
    let reader = CloudTrailReader { query: &query };
    let mut g = c.benchmark_group("events");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("parse+aggregate", |b| b.iter(|| read_all(&reader, &text)));
    // The record layer alone, on both paths: the fast path and the serde path it falls back to.
    g.bench_function("parse (fast path)", |b| {
        b.iter(|| parse_document(black_box(&text), &mut NameSink).records)
    });
    g.bench_function("parse (serde path)", |b| {
        b.iter(|| parse_document_serde(black_box(&text), &mut NameSink).records)
    });
    g.finish();
}

fn metrics(c: &mut Criterion) {
    // The first Metric Streams file of the sample.
    let text = decoded(&testdata_files("metrics/streams")[..1]);
    let query = MetricsQuery::new(Window::default(), 60_000);
    let reader = MetricsReader {
        query: &query,
        queries: None,
        statistics_series: None,
    };
    let mut g = c.benchmark_group("metrics");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("parse+aggregate", |b| b.iter(|| read_all(&reader, &text)));
    g.finish();
}

criterion_group!(benches, events, metrics);
criterion_main!(benches);
