//! Any text, read by the Metric Streams fast path (then serde from where it hands over) and by
//! the serde path alone: both must find exactly the same values (every record as serde builds
//! it, in order) and report the same damage.
#![no_main]

use kinesis_insights::metrics::parse::compare_with_serde;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Err(difference) = compare_with_serde(text) {
        panic!("{difference}");
    }
});
