//! Any bytes, as a CloudTrail input file: decoding (gzip, UTF-8), every layout, and the events
//! aggregate and panels must neither panic nor hang.
#![no_main]

use kinesis_insights::cloudtrail::reader::CloudTrailReader;
use kinesis_insights::diag::FileReport;
use kinesis_insights::events::{EventsAgg, Query};
use kinesis_insights::geo::NoDb;
use kinesis_insights::input::decode::Loader;
use kinesis_insights::panels::events::{EventsCtx, PANELS, groupings};
use kinesis_insights::pipeline::Reader;
use kinesis_insights::window::Window;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let query = Query {
        dedup: Some(Default::default()),
        groupings: groupings(PANELS.iter(), false),
        ..Query::new(Window::default(), 3_600_000)
    };
    let reader = CloudTrailReader { query: &query };
    let mut loader = Loader::default();
    let mut cube = EventsAgg::default();
    let mut report = FileReport::new("fuzz".into());
    if let Ok(loaded) = loader.load_bytes(data, 1 << 24) {
        reader.read(&mut cube, loaded.into_text().text, &mut report);
    }
    let ctx = EventsCtx {
        window: Window::default(),
        bucket: 86_400_000,
        default_bucket: true,
        top: 10,
        open_end: None,
        geo: Err(NoDb::NotFound),
    };
    for p in PANELS {
        let _ = p.table(&cube, &ctx);
    }
});
