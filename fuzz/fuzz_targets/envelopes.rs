//! Any text as the event an envelope carries: the `message` of a CloudWatch Logs subscription
//! payload (plain and as concatenated payloads), of `filter-log-events` output, and of a
//! CloudWatch Logs export line, and as an EventBridge event's `detail`. Each must give exactly
//! one record or one skipped record, never more, never a panic.
#![no_main]

use kinesis_insights::cloudtrail::{FnSink, Record, parse_document};
use libfuzzer_sys::fuzz_target;

fn one(doc: &str, what: &str) {
    let mut sink = FnSink(|r: &kinesis_insights::cloudtrail::RawRecord<'_>| {
        let _ = (r.user(), r.stream(), r.identity_type());
    });
    let report = parse_document(doc, &mut sink);
    assert_eq!(
        report.records + report.skipped.total() + report.damage.len() as u64,
        1,
        "{what}: {doc:?} gave {report:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let message = serde_json::to_string(text).unwrap();
    let payload = format!(
        r#"{{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s","subscriptionFilters":["f"],"logEvents":[{{"id":"1","timestamp":1,"message":{message}}}]}}"#
    );
    one(&payload, "subscription payload");
    let control = r#"{"messageType":"CONTROL_MESSAGE","logEvents":[{"message":"x"}]}"#;
    one(&format!("{control}{payload}"), "after a control message");
    one(
        &format!(r#"{{"events":[{{"timestamp":1,"message":{message},"eventId":"1"}}]}}"#),
        "filter-log-events",
    );
    if !text.contains(['\n', '\r']) {
        one(&format!("2024-03-09T10:00:00.000Z {text}\n"), "export line");
    }
    // As `detail`, the text must be one JSON value for the event to be JSON at all.
    if serde_json::from_str::<serde_json::Value>(text).is_ok() {
        one(
            &format!(
                r#"{{"version":"0","detail-type":"AWS API Call via CloudTrail","detail":{text}}}"#
            ),
            "EventBridge detail",
        );
    }
});
