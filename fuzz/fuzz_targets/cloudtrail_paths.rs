//! Any text, read by the CloudTrail fast path and by the serde path: when the fast path accepts
//! a document, it must find exactly the records and report that the serde path finds, and each
//! record must read the same through `Record` (every field, the user, the stream).
#![no_main]

use kinesis_insights::cloudtrail::fast::compare_with_serde;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Err(difference) = compare_with_serde(text) {
        panic!("{difference}");
    }
});
