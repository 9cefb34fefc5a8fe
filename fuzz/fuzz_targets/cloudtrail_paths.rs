//! Any text, read by the CloudTrail fast path and by the serde path: when the fast path accepts
//! a document, it must find exactly the records and report that the serde path finds.
#![no_main]

use kinesis_insights::cloudtrail::RawRecord;
use kinesis_insights::cloudtrail::fast;
use kinesis_insights::cloudtrail::parse::{FnSink, parse_document_serde};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let mut fast_recs = Vec::new();
    let Some(fast) = fast::parse_document(
        text,
        &mut FnSink(|r: &RawRecord<'_>| fast_recs.push(format!("{r:?}"))),
    ) else {
        return;
    };
    let mut slow_recs = Vec::new();
    let slow = parse_document_serde(
        text,
        &mut FnSink(|r: &RawRecord<'_>| slow_recs.push(format!("{r:?}"))),
    );
    assert_eq!(fast, slow);
    assert_eq!(fast_recs, slow_recs);
});
