//! The time, duration and size parsers on any text; parsed event times must format back to a
//! time that parses to the same second.
#![no_main]

use kinesis_insights::cli::parse_size;
use kinesis_insights::window::{
    format_time, parse_duration, parse_event_time, parse_time_spec, parse_width,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(t) = parse_event_time(s) {
        let text = format_time(t);
        if !text.starts_with('@') {
            assert_eq!(
                parse_event_time(&text),
                Some(t.div_euclid(1000) * 1000),
                "{s:?} -> {text}"
            );
        }
    }
    let _ = parse_time_spec(s);
    let _ = parse_duration(s);
    let _ = parse_width(s);
    let _ = parse_size(s);
});
