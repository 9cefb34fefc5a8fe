//! The envelopes other pipelines wrap CloudTrail in (CloudWatch Logs subscription payloads as
//! Firehose writes them, `filter-log-events` and `get-log-events` output, CloudWatch Logs
//! exports, EventBridge events), end to end: every fixture in `testdata/envelopes/` holds the
//! records of one folder of the S3 sample and must give the same panels, byte for byte, as that
//! folder and as `testdata/generate.py` computed; damaged envelopes are counted exactly, each
//! skip with its reason and first place.

mod common;

use std::fs;
use std::path::Path;

use common::{csv_rows, gz, run, testdata};

const PANELS: [&str; 7] = [
    "events",
    "events-over-time",
    "api-calls",
    "by-user",
    "by-region",
    "errors",
    "top-users",
];

/// The S3 files whose records every whole-envelope fixture holds.
const S3_FOLDER: &str = "cloudtrail/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/09";

/// Every panel's CSV for `path`, with the exit status and stderr.
fn panels(path: &Path) -> (i32, Vec<String>, String) {
    let out = tempfile::tempdir().unwrap();
    let r = run(&[
        "events",
        "--format",
        "csv",
        "--output-dir",
        out.path().to_str().unwrap(),
        path.to_str().unwrap(),
    ]);
    let csvs = PANELS
        .iter()
        .map(|p| fs::read_to_string(out.path().join(format!("{p}.csv"))).unwrap_or_default())
        .collect();
    (r.code, csvs, r.stderr)
}

fn expected(dir: &str) -> Vec<String> {
    PANELS
        .iter()
        .map(|p| fs::read_to_string(testdata(&format!("expected/{dir}/{p}.csv"))).unwrap())
        .collect()
}

#[test]
fn every_envelope_gives_the_panels_of_the_s3_files() {
    let want = expected("envelopes");
    let (code, s3, stderr) = panels(&testdata(S3_FOLDER));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(s3, want, "the S3 files differ from expected/envelopes");
    let fixtures = [
        ("cloudwatch-logs/firehose", true),
        ("cloudwatch-logs/firehose-decompressed", true),
        ("cloudwatch-logs/filter-log-events.json", false),
        ("cloudwatch-logs/get-log-events.json", false),
        ("cloudwatch-logs/export", false),
        ("eventbridge/lines", false),
        ("eventbridge/concatenated", false),
    ];
    for (fixture, control) in fixtures {
        let (code, got, stderr) = panels(&testdata(&format!("envelopes/{fixture}")));
        assert_eq!(code, 0, "{fixture}: {stderr}");
        assert!(!stderr.contains("warning"), "{fixture}: {stderr}");
        for (i, panel) in PANELS.iter().enumerate() {
            assert!(
                got[i] == want[i],
                "{fixture}: panel {panel} differs from the S3 files:\n{}\nvs\n{}",
                got[i],
                want[i]
            );
        }
        // The control message a new subscription sends is passed over, and said so.
        assert_eq!(
            stderr.contains("1 CloudWatch Logs control message passed over"),
            control,
            "{fixture}: {stderr}"
        );
    }
}

#[test]
fn eventbridge_one_event_per_object() {
    let (code, got, stderr) = panels(&testdata("envelopes/eventbridge-single"));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(got, expected("envelopes-single"));
}

fn kin(name: &str, second: u32) -> serde_json::Value {
    serde_json::json!({
        "eventVersion": "1.09",
        "eventTime": format!("2024-03-09T10:00:{second:02}Z"),
        "eventSource": "kinesis.amazonaws.com",
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "1.2.3.4",
        "userIdentity": {"type": "IAMUser", "userName": "alice"}
    })
}

/// A CloudWatch Logs subscription payload whose log events carry `messages`, with its keys in
/// the order CloudWatch Logs writes them.
fn payload(messages: &[String]) -> String {
    let events: Vec<String> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            format!(
                r#"{{"id":"{i}","timestamp":1709978400000,"message":{}}}"#,
                serde_json::to_string(m).unwrap()
            )
        })
        .collect();
    format!(
        r#"{{"messageType":"DATA_MESSAGE","owner":"111122223333","logGroup":"trail","logStream":"111122223333_CloudTrail_us-east-1","subscriptionFilters":["f"],"logEvents":[{}]}}"#,
        events.join(",")
    )
}

/// The events panel's rows (header dropped) and the run's exit status and stderr.
fn events_rows(path: &Path) -> (i32, Vec<Vec<String>>, String) {
    let r = run(&[
        "events",
        "-f",
        "csv",
        "-p",
        "events",
        path.to_str().unwrap(),
    ]);
    let mut rows = csv_rows(&r.stdout);
    if !rows.is_empty() {
        rows.remove(0);
    }
    (r.code, rows, r.stderr)
}

fn row(name: &str, count: u64, percent: &str) -> Vec<String> {
    vec![name.into(), count.to_string(), percent.into()]
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn damaged_subscription_payloads_are_counted_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let a = kin("A", 1).to_string();
    let b = kin("B", 2).to_string();
    // Payload 1: A, a message that is not JSON, a broken event JSON, B.
    // Payload 2: logEvents is not an array. Payload 3: of unknown messageType.
    // Payload 4: a control message. Payload 5: an event without a message, a number, A.
    let text = [
        payload(&[
            a.clone(),
            "START RequestId: 1".into(),
            a[..a.len() - 1].to_string(),
            b.clone(),
        ]),
        r#"{"messageType":"DATA_MESSAGE","owner":"1","logEvents":{"message":"x"}}"#.into(),
        r#"{"messageType":"SOMETHING_ELSE","logEvents":[]}"#.into(),
        r#"{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logEvents":[{"id":"","timestamp":1,"message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}"#.into(),
        format!(
            r#"{{"messageType":"DATA_MESSAGE","logEvents":[{{"id":"1"}},7,{{"message":{}}}]}}"#,
            serde_json::to_string(&a).unwrap()
        ),
    ]
    .concat();
    let p = write(dir.path(), "payloads", &gz(text.as_bytes()));
    let (code, rows, err) = events_rows(&p);
    assert_eq!(code, 1, "{err}");
    assert_eq!(rows, [row("A", 2, "66.67"), row("B", 1, "33.33")]);
    // Payload 1 starts the file; payload 2 starts after it, on line 1 as well.
    let second = text
        .find(r#"{"messageType":"DATA_MESSAGE","owner":"1""#)
        .unwrap()
        + 1;
    let third = text.find("SOMETHING_ELSE").unwrap() - r#"{"messageType":""#.len() + 1;
    let fifth = text.rfind(r#"{"messageType":"DATA_MESSAGE""#).unwrap() + 1;
    for needle in [
        "payloads: 2 records skipped: a log event's message is not a JSON object (first at line 1, column 1, .logEvents[1])".to_string(),
        format!("payloads: 1 record skipped: \"logEvents\" is not an array (first at line 1, column {second})"),
        format!("payloads: 1 record skipped: a CloudWatch Logs payload of unknown messageType (not DATA_MESSAGE or CONTROL_MESSAGE) (first at line 1, column {third})"),
        format!("payloads: 1 record skipped: a CloudWatch Logs event without a message string (first at line 1, column {fifth}, .logEvents[0])"),
        format!("payloads: 1 record skipped: not a JSON object (first at line 1, column {fifth}, .logEvents[1])"),
        "payloads: 6 records skipped, 3 read".to_string(),
        "1 CloudWatch Logs control message passed over".to_string(),
    ] {
        assert!(err.contains(&needle), "missing {needle:?} in\n{err}");
    }
}

#[test]
fn truncated_firehose_objects_keep_what_came_before() {
    let dir = tempfile::tempdir().unwrap();
    let a = kin("A", 1).to_string();
    let b = kin("B", 2).to_string();
    // Gzip members, one per payload, the last cut in its header: the first two are read whole.
    let mut members = gz(payload(&[a.clone(), b.clone()]).as_bytes());
    members.extend(gz(payload(&[a.clone(), a.clone()]).as_bytes()));
    members.extend(&gz(payload(std::slice::from_ref(&b)).as_bytes())[..5]);
    let p = write(dir.path(), "members", &members);
    let (code, rows, err) = events_rows(&p);
    // The decoded text ends between payloads: no record is known to be lost, so the exit
    // status is the gzip layer's (a warning, status 0).
    assert_eq!(code, 0, "{err}");
    assert_eq!(rows, [row("A", 3, "75.00"), row("B", 1, "25.00")]);
    assert!(err.contains("members: gzip data"), "{err}");
    // Plain payloads cut inside the third: its first event still counts, the cut costs one.
    let text = [
        payload(&[a.clone(), b.clone()]),
        payload(std::slice::from_ref(&a)),
        payload(&[b.clone(), a.clone()]),
    ]
    .concat();
    let cut = text.rfind(r#""message":"#).unwrap() + 20;
    let p = write(dir.path(), "cut", &text.as_bytes()[..cut]);
    let (code, rows, err) = events_rows(&p);
    assert_eq!(code, 1, "{err}");
    assert_eq!(rows, [row("A", 2, "50.00"), row("B", 2, "50.00")]);
    assert!(
        err.contains("cut: JSON ends in the middle of a value"),
        "{err}"
    );
    assert!(err.contains("cut: 1 record skipped, 4 read"), "{err}");
}

#[test]
fn damaged_log_events_exports_and_eventbridge_events() {
    let dir = tempfile::tempdir().unwrap();
    let a = kin("A", 1);
    // filter-log-events output with a message that is an array and one that is not a string.
    let fle = serde_json::json!({"events": [
        {"logStreamName": "s", "timestamp": 1, "message": a.to_string(), "eventId": "1"},
        {"logStreamName": "s", "timestamp": 1, "message": "[1,2]", "eventId": "2"},
        {"logStreamName": "s", "timestamp": 1, "message": 5, "eventId": "3"}
    ]});
    let p = write(
        dir.path(),
        "fle.json",
        serde_json::to_string_pretty(&fle).unwrap().as_bytes(),
    );
    let (code, rows, err) = events_rows(&p);
    assert_eq!(code, 1, "{err}");
    assert_eq!(rows, [row("A", 1, "100.00")]);
    assert!(
        err.contains("fle.json: 1 record skipped: a log event's message is not a JSON object (first at line 1, column 1, .events[1])"),
        "{err}"
    );
    assert!(
        err.contains("fle.json: 1 record skipped: a CloudWatch Logs event without a message string (first at line 1, column 1, .events[2])"),
        "{err}"
    );

    // An export: a good line, a line without a timestamp, a message that is not JSON, a blank
    // line, a line with CRLF, a message that is JSON but no record.
    let export = format!(
        "2024-03-09T10:00:01.000Z {a}\nsomething else\n2024-03-09T10:00:02.000Z not json\n\n\
         2024-03-09T10:00:03Z {a}\r\n2024-03-09T10:00:04.5Z {{\"hello\":1}}\n"
    );
    let p = write(dir.path(), "000000.gz", &gz(export.as_bytes()));
    let (code, rows, err) = events_rows(&p);
    assert_eq!(code, 1, "{err}");
    assert_eq!(rows, [row("A", 2, "100.00")]);
    for needle in [
        "000000.gz: 1 record skipped: a CloudWatch Logs export line that does not start with a timestamp (first at line 2)",
        "000000.gz: 1 record skipped: an export line's message is not a JSON object (first at line 3)",
        "000000.gz: 1 record skipped: a record without eventSource (first at line 6)",
        "000000.gz: 3 records skipped, 2 read",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in\n{err}");
    }

    // EventBridge: a CloudTrail event, an event of another kind, one without detail, and a
    // CloudTrail record on its own line in the same file.
    let lines = [
        serde_json::json!({"version": "0", "id": "1", "detail-type": "AWS API Call via CloudTrail", "source": "aws.kinesis", "account": "1", "time": "t", "region": "us-east-1", "resources": [], "detail": a}),
        serde_json::json!({"version": "0", "id": "2", "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2", "detail": {"state": "running"}}),
        serde_json::json!({"version": "0", "id": "3", "detail-type": "AWS API Call via CloudTrail", "source": "aws.kinesis", "detail": "x"}),
        kin("B", 3),
    ]
    .map(|v| v.to_string())
    .join("\n");
    let p = write(dir.path(), "eb.jsonl", lines.as_bytes());
    let (code, rows, err) = events_rows(&p);
    assert_eq!(code, 1, "{err}");
    assert_eq!(rows, [row("A", 1, "50.00"), row("B", 1, "50.00")]);
    for needle in [
        "eb.jsonl: 1 record skipped: an EventBridge event that did not come via CloudTrail (detail-type) (first at line 2)",
        "eb.jsonl: 1 record skipped: an EventBridge event without a detail object (first at line 3)",
        "eb.jsonl: 2 records skipped, 2 read",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in\n{err}");
    }
}

#[test]
fn zstd_and_bzip2_read_like_gzip() {
    let want = expected("envelopes");
    // bzip2, two streams, written by Python's bz2 module.
    let (code, got, stderr) = panels(&testdata("compressed/records.json.bz2"));
    assert_eq!((code, got), (0, want.clone()), "{stderr}");
    // zstd, one frame per S3 file of the folder, as `zstd` writes them (by ruzstd's encoder),
    // with a skippable frame first.
    let dir = tempfile::tempdir().unwrap();
    let mut zst = b"\x50\x2a\x4d\x18\x02\x00\x00\x00hi".to_vec();
    let mut files: Vec<_> = fs::read_dir(testdata(S3_FOLDER))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in files {
        let mut json = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(fs::File::open(f).unwrap()),
            &mut json,
        )
        .unwrap();
        zst.extend(ruzstd::encoding::compress_to_vec(
            &json[..],
            ruzstd::encoding::CompressionLevel::Fastest,
        ));
    }
    let p = write(dir.path(), "records.json.zst", &zst);
    let (code, got, stderr) = panels(&p);
    assert_eq!((code, got), (0, want), "{stderr}");
}

#[test]
fn archives_are_named_in_one_warning() {
    let r = run(&[
        "events",
        "-p",
        "events",
        testdata("broken/archive.zip").to_str().unwrap(),
        testdata("broken/archive.tar.gz").to_str().unwrap(),
        testdata("compressed").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let warnings: Vec<&str> = r.stderr.lines().filter(|l| l.contains("archive")).collect();
    assert_eq!(
        warnings,
        [
            "kinesis-insights: warning: testdata/broken/archive.tar.gz: skipped: a compressed tar archive: unpack it first (tar -xf)",
            "kinesis-insights: warning: testdata/broken/archive.zip: skipped: a zip archive: unpack it first (unzip)",
        ]
        .map(|w| w.replace("testdata/", &format!("{}/", testdata("").to_str().unwrap().trim_end_matches('/'))))
    );
    assert!(!r.stderr.contains("UTF-8"), "{}", r.stderr);
}
