//! Any bytes as one input of `health` (CloudWatch metrics or CloudTrail, told apart by content),
//! read whole and in pieces (the first byte picks the piece size, 1 to 64 bytes), then every
//! check and every panel: nothing may panic or hang, whatever the numbers (shard counts,
//! periods, retention and values no real stream has); where the whole read finds clean input,
//! the pieces must give exactly the same report.
#![no_main]

use kinesis_insights::diag::FileStatus;
use kinesis_insights::health::analyze::{Settings, analyze};
use kinesis_insights::health::{Filters, HealthQuery, HealthReader};
use kinesis_insights::panels::health::PANELS;
use kinesis_insights::pipeline::{PassOptions, run_bytes};
use kinesis_insights::window::Window;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, bytes)) = data.split_first() else {
        return;
    };
    let query = HealthQuery::new(Window::default(), Filters::default(), false);
    let reader = HealthReader {
        query: &query,
        queries: None,
        statistics_series: None,
    };
    let pass = |chunk: usize| {
        let opts = PassOptions {
            chunk_bytes: chunk,
            max_value: 1 << 20,
            ..PassOptions::default()
        };
        let (mut acc, report) = run_bytes(&reader, bytes.to_vec(), opts);
        acc.sort();
        let health = analyze(&acc, &Settings::default());
        let tables: Vec<_> = PANELS.iter().map(|p| p.table(&health, &()).ok()).collect();
        (format!("{tables:?}"), report)
    };
    let whole = pass(1 << 30);
    let pieces = pass(1 + usize::from(first % 64));
    let clean = whole.1.status == FileStatus::Read
        && whole.1.skipped_records == 0
        && whole.1.warnings.is_empty();
    if clean {
        assert_eq!(pieces, whole, "read in pieces of {} bytes", 1 + first % 64);
    }
});
