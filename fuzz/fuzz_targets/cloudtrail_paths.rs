//! Any text, read by the CloudTrail fast path and by the serde path: when the fast path accepts
//! a document, it must find exactly the records and report that the serde path finds, and each
//! record must read the same through `Record` (every field, the user, the stream).
#![no_main]

use kinesis_insights::cloudtrail::fast::{self, FastRecord};
use kinesis_insights::cloudtrail::parse::{RecordSink, parse_document_serde};
use kinesis_insights::cloudtrail::{Field, RawRecord, Record};
use libfuzzer_sys::fuzz_target;

fn show(raw: &RawRecord<'_>, view: &impl Record) -> String {
    let fields: Vec<_> = Field::ALL.iter().map(|&f| view.get(f)).collect();
    format!("{raw:?} {fields:?} {} {}", view.user(), view.stream())
}

#[derive(Default)]
struct Shown(Vec<String>);

impl RecordSink for Shown {
    fn record(&mut self, rec: &RawRecord<'_>) {
        self.0.push(show(rec, rec));
    }
    fn fast_record(&mut self, rec: &FastRecord<'_>) {
        self.0.push(show(&rec.to_raw(), rec));
    }
}

fuzz_target!(|text: &str| {
    let mut fast_recs = Shown::default();
    let Some(fast) = fast::parse_document(text, &mut fast_recs) else {
        return;
    };
    let mut slow_recs = Shown::default();
    let slow = parse_document_serde(text, &mut slow_recs);
    assert_eq!(fast, slow);
    assert_eq!(fast_recs.0, slow_recs.0);
});
