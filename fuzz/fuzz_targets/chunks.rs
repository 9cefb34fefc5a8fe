//! Any bytes as a CloudTrail input read in pieces (the first byte picks the piece size, 1 to 64
//! bytes, so cuts fall everywhere) and read whole: nothing may panic or hang, and where the
//! whole read finds clean input, the pieces must give exactly the same panels and report.
#![no_main]

use kinesis_insights::cloudtrail::reader::CloudTrailReader;
use kinesis_insights::diag::FileStatus;
use kinesis_insights::events::Query;
use kinesis_insights::geo::NoDb;
use kinesis_insights::panels::events::{EventsCtx, PANELS};
use kinesis_insights::pipeline::{PassOptions, run_bytes};
use kinesis_insights::window::Window;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, bytes)) = data.split_first() else {
        return;
    };
    let pass = |chunk: usize| {
        // A query per pass: the dedup set is the query's, and a second pass sharing it would
        // take every event for a duplicate.
        let query = Query {
            dedup: Some(Default::default()),
            ..Query::new(Window::default(), 3_600_000)
        };
        let reader = CloudTrailReader { query: &query };
        let opts = PassOptions {
            chunk_bytes: chunk,
            max_value: 1 << 20,
            ..PassOptions::default()
        };
        let (cube, report) = run_bytes(&reader, bytes.to_vec(), opts);
        let ctx = EventsCtx {
            window: Window::default(),
            bucket: 3_600_000,
            default_bucket: false,
            top: 10,
            open_end: None,
            geo: Err(NoDb::NotFound),
        };
        let tables: Vec<_> = PANELS.iter().map(|p| p.table(&cube, &ctx).ok()).collect();
        (format!("{tables:?}"), report, cube.counts.duplicates)
    };
    let whole = pass(1 << 30);
    let pieces = pass(1 + usize::from(first % 64));
    let clean = whole.1.status == FileStatus::Read
        && whole.1.skipped_records == 0
        && whole.1.warnings.is_empty()
        && whole.2 == 0;
    if clean {
        assert_eq!(pieces, whole, "read in pieces of {} bytes", 1 + first % 64);
    }
});
