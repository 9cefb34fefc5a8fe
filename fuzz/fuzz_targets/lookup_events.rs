//! Any text as the `CloudTrailEvent` string of `aws cloudtrail lookup-events` output.
#![no_main]

use kinesis_insights::cloudtrail::Record;
use kinesis_insights::cloudtrail::{FnSink, parse_document};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let doc =
        serde_json::json!({ "Events": [{ "EventId": "x", "CloudTrailEvent": text }] }).to_string();
    let mut n = 0u64;
    let mut sink = FnSink(|r: &kinesis_insights::cloudtrail::RawRecord<'_>| {
        let _ = (r.user(), r.stream(), r.identity_type());
        n += 1;
    });
    let report = parse_document(&doc, &mut sink);
    assert!(report.records + report.skipped.total() == 1);
});
