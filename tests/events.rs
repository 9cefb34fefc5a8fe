//! The `events` command end to end: exact panels on the sample data against expectations that
//! `testdata/generate.py` computed independently, every input layout on hand-counted fixtures,
//! the window, filters, output formats and exit statuses.

mod common;

use std::fs;
use std::path::Path;

use common::{csv_rows, gz, record, run, run_stdin, testdata};

const PANELS: [&str; 7] = [
    "events",
    "events-over-time",
    "api-calls",
    "by-user",
    "by-region",
    "errors",
    "top-users",
];

/// Runs `events` with `args` into a temporary --output-dir and compares every panel's CSV with
/// `testdata/expected/<expected>/`.
fn compare_with_expected(args: &[&str], expected: &str) {
    let out = tempfile::tempdir().unwrap();
    let mut full = vec!["events", "--format", "csv", "--output-dir"];
    full.push(out.path().to_str().unwrap());
    full.extend_from_slice(args);
    let r = run(&full);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for panel in PANELS {
        let got = fs::read_to_string(out.path().join(format!("{panel}.csv"))).unwrap();
        let want =
            fs::read_to_string(testdata(&format!("expected/{expected}/{panel}.csv"))).unwrap();
        assert!(
            got == want,
            "panel {panel} differs from expected/{expected}:\n{}",
            diff(&want, &got)
        );
    }
}

fn diff(want: &str, got: &str) -> String {
    let (w, g): (Vec<_>, Vec<_>) = (want.lines().collect(), got.lines().collect());
    let mut out = format!("{} expected lines, {} got\n", w.len(), g.len());
    for i in 0..w.len().max(g.len()) {
        if w.get(i) != g.get(i) {
            out += &format!(
                "line {}: want {:?}\n         got  {:?}\n",
                i + 1,
                w.get(i),
                g.get(i)
            );
            break;
        }
    }
    out
}

/// Without --bucket, a window open to the end of 9999 (416,159 weeks from the sample's first
/// event) is zero-filled over the events' range only: every panel as without --until.
#[test]
fn a_window_to_year_9999_keeps_the_automatic_buckets() {
    compare_with_expected(
        &[
            "--until",
            "9999-12-31T23:59:59Z",
            testdata("cloudtrail").to_str().unwrap(),
        ],
        "all",
    );
}

#[test]
fn sample_all_panels_exact() {
    compare_with_expected(&[testdata("cloudtrail").to_str().unwrap()], "all");
}

#[test]
fn sample_window_exact() {
    compare_with_expected(
        &[
            testdata("cloudtrail").to_str().unwrap(),
            "--since",
            "2024-03-09T06:30:00Z",
            "--until",
            "2024-03-10T12:00:00Z",
            "--bucket",
            "6h",
        ],
        "window",
    );
}

#[test]
fn sample_filters_exact() {
    compare_with_expected(
        &[
            testdata("cloudtrail").to_str().unwrap(),
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
            "--event-name",
            "Put*",
            "--stream",
            "orders",
            "--top",
            "3",
        ],
        "filtered",
    );
}

/// Networks in CIDR notation for addresses, and `!PATTERN` to leave values out (expected
/// panels from testdata/generate.py, which filters with Python's ipaddress module).
#[test]
fn sample_cidr_networks_and_exclusions() {
    compare_with_expected(
        &[
            testdata("cloudtrail").to_str().unwrap(),
            "--source-ip",
            "10.0.0.0/8",
            "--source-ip",
            "2001:480::/32",
            "--user",
            "!alice",
            "--event-name",
            "!Describe*",
        ],
        "cidr-exclude",
    );
    // A bad network is a usage error naming the flag and the pattern.
    let r = run(&["events", "--source-ip", "10.0.0.0/33", "-"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--source-ip") && r.stderr.contains("10.0.0.0/33"),
        "{}",
        r.stderr
    );
}

#[test]
fn sample_account_filter_exact() {
    compare_with_expected(
        &[
            testdata("cloudtrail").to_str().unwrap(),
            "--account",
            "4444*",
        ],
        "account",
    );
}

/// The user rule's named people: IAM Identity Center role sessions as
/// `AWSReservedSSO_<permission set>/<session>`, another account's callers as
/// `<account>/<principal>` (expected panels from testdata/generate.py's own rule).
#[test]
fn identity_center_sessions_and_other_accounts_are_named() {
    compare_with_expected(&[testdata("identities").to_str().unwrap()], "identities");
}

#[test]
fn account_from_the_record_else_the_s3_key_and_the_summary_says_when_several() {
    let dir = tempfile::tempdir().unwrap();
    let rec = |acct: &str| {
        let mut fields = vec![
            ("eventTime", "2024-03-09T10:00:00Z"),
            ("eventSource", "kinesis.amazonaws.com"),
            ("eventName", "PutRecord"),
            ("awsRegion", "us-east-1"),
            ("sourceIPAddress", "10.0.0.1"),
        ];
        if !acct.is_empty() {
            fields.push(("recipientAccountId", acct));
        }
        record(&fields)
    };
    // An organization trail's key: AWSLogs/<org>/<account>/CloudTrail/...
    let keyed = dir
        .path()
        .join("AWSLogs/o-abc123/222233334444/CloudTrail/us-east-1");
    fs::create_dir_all(&keyed).unwrap();
    // Two records that name no account (the key's counts) and one that names its own.
    fs::write(
        keyed.join("a.json"),
        format!("{}\n{}\n{}", rec(""), rec(""), rec("555566667777")),
    )
    .unwrap();
    let path = dir.path().to_str().unwrap();
    let count = |account: &str| {
        let r = run(&[
            "events",
            "-q",
            "-f",
            "csv",
            "-p",
            "events",
            "--account",
            account,
            path,
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    assert_eq!(
        count("222233334444"),
        "event_name,count,percent\nPutRecord,2,100.00\n"
    );
    // With --account given, the note that --account selects some is not said again.
    let r = run(&["events", "-p", "events", "--account", "2*", path]);
    assert!(!r.stderr.contains("selects some"), "{}", r.stderr);
    assert_eq!(
        count("5555*"),
        "event_name,count,percent\nPutRecord,1,100.00\n"
    );
    assert_eq!(count("1*"), "event_name,count,percent\n");
    let r = run(&["events", "-p", "events", path]);
    assert!(
        r.stderr.contains(
            "note: the input spans 2 accounts (222233334444, 555566667777); --account selects some"
        ),
        "{}",
        r.stderr
    );
    let r = run(&["events", "-f", "json", "-p", "events", path]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["summary"]["accounts"], 2);
}

#[test]
fn event_times_outside_1970_to_9999_are_bad_records() {
    let dir = tempfile::tempdir().unwrap();
    let rec = |t: &str| {
        record(&[
            ("eventTime", t),
            ("eventSource", "kinesis.amazonaws.com"),
            ("eventName", "PutRecord"),
        ])
    };
    let lines = [
        rec("2024-03-09T10:00:00Z"),
        rec("1969-12-31T23:59:59Z"),
        rec("0000-01-01T00:00:00Z"),
        rec("9999-12-31T23:59:59-01:00"),
        rec("9999-12-31T23:59:59Z"),
    ];
    fs::write(dir.path().join("t.json"), lines.join("\n")).unwrap();
    let r = run(&[
        "events",
        "-f",
        "csv",
        "-p",
        "events-over-time",
        "--bucket",
        "1d",
        "--until",
        "2024-03-10",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "t.json: 3 records skipped: a Kinesis event with an eventTime outside the years 1970 \
             to 9999 (first at line 2)"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("t.json: 3 records skipped, 2 read"),
        "{}",
        r.stderr
    );
    assert_eq!(
        r.stdout,
        "time,event_name,count\n2024-03-09T00:00:00Z,PutRecord,1\n"
    );
}

#[test]
fn documentation_sample_record() {
    compare_with_expected(&[testdata("doc-sample").to_str().unwrap()], "doc-sample");
}

#[test]
fn same_output_for_any_thread_count() {
    let dir = testdata("cloudtrail");
    let one = run(&[
        "events",
        "-j",
        "1",
        "-f",
        "json",
        "-q",
        dir.to_str().unwrap(),
    ]);
    let two = run(&[
        "events",
        "-j",
        "2",
        "-f",
        "json",
        "-q",
        dir.to_str().unwrap(),
    ]);
    let many = run(&[
        "events",
        "-j",
        "7",
        "-f",
        "json",
        "-q",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(one.code, 0);
    assert_eq!(one.stdout, two.stdout);
    assert_eq!(one.stdout, many.stdout);
}

#[test]
fn json_carries_the_same_rows_as_csv() {
    let dir = testdata("cloudtrail");
    let r = run(&["events", "-f", "json", "-q", dir.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    for panel in PANELS {
        let want =
            csv_rows(&fs::read_to_string(testdata(&format!("expected/all/{panel}.csv"))).unwrap());
        let p = &doc["panels"][panel];
        let columns: Vec<&str> = p["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(columns, want[0], "{panel}");
        let rows = p["rows"].as_array().unwrap();
        assert_eq!(rows.len(), want.len() - 1, "{panel}");
        for (row, expected) in rows.iter().zip(&want[1..]) {
            for (col, cell) in columns.iter().zip(expected) {
                let v = &row[*col];
                let text = match v {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Number(n) if *col == "percent" => {
                        format!("{:.2}", n.as_f64().unwrap())
                    }
                    serde_json::Value::Number(n) => {
                        assert!(n.is_u64(), "{panel}.{col} is a count");
                        n.to_string()
                    }
                    other => panic!("{panel}.{col}: unexpected {other}"),
                };
                assert_eq!(&text, cell, "{panel}.{col}");
            }
        }
    }
    assert_eq!(doc["summary"]["kinesis_events"], 1823);
    assert_eq!(doc["summary"]["other_service_events"], 1156);
    assert_eq!(doc["summary"]["files_read"], 100);
    assert_eq!(doc["summary"]["files_ignored"], 14);
}

/// A panel's note is part of the JSON document (`"note"`, only where the panel has one), the
/// same text a CSV run gives on stderr, and is not repeated on stderr: the locations panel
/// without a GeoIP database, and with one (no note).
#[test]
fn json_carries_panel_notes() {
    let dir = testdata("cloudtrail");
    let dir = dir.to_str().unwrap();
    let csv = run(&["events", "-f", "csv", "-p", "locations", dir]);
    let prefix = "kinesis-insights: note: locations: ";
    let want = csv
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("{}", csv.stderr));
    assert!(want.starts_with("no GeoIP database found"), "{want}");
    let r = run(&["events", "-f", "json", dir]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains(prefix), "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["panels"]["locations"]["note"], want);
    for panel in PANELS.iter().filter(|p| **p != "locations") {
        assert!(doc["panels"][panel].get("note").is_none(), "{panel}");
    }
    let geoip = testdata("geoip/test-city.mmdb");
    let r = run(&[
        "events",
        "-f",
        "json",
        "--geoip",
        geoip.to_str().unwrap(),
        dir,
    ]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(
        doc["panels"]["locations"].get("note").is_none(),
        "{}",
        r.stdout
    );
}

/// Writes `files` (relative path, bytes) under a fresh temporary directory.
fn fixture(files: &[(&str, Vec<u8>)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, bytes) in files {
        let p = dir.path().join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
    }
    dir
}

fn kin(name: &str, time: &str, user: &str) -> String {
    format!(
        r#"{{"eventTime":"{time}","eventSource":"kinesis.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"1.2.3.4","userIdentity":{{"type":"IAMUser","userName":"{user}"}}}}"#
    )
}

fn events_csv(path: &Path, extra: &[&str]) -> (i32, Vec<Vec<String>>, String) {
    let mut args = vec![
        "events",
        "-f",
        "csv",
        "-p",
        "events",
        "-q",
        path.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let r = run(&args);
    (r.code, csv_rows(&r.stdout), r.stderr)
}

fn rows(spec: &[(&str, u64, &str)]) -> Vec<Vec<String>> {
    let mut out = vec![vec![
        "event_name".to_string(),
        "count".into(),
        "percent".into(),
    ]];
    out.extend(
        spec.iter()
            .map(|(n, c, p)| vec![n.to_string(), c.to_string(), p.to_string()]),
    );
    out
}

#[test]
fn every_layout_is_read() {
    let (a, b, c) = (
        kin("A", "2024-03-09T10:00:00Z", "u"),
        kin("B", "2024-03-09T10:00:01.5Z", "u"),
        kin("C", "2024-03-09T10:00:02+00:00", "u"),
    );
    let other = record(&[
        ("eventTime", "2024-03-09T10:00:00Z"),
        ("eventSource", "s3.amazonaws.com"),
        ("eventName", "GetObject"),
    ]);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "records.json.gz",
            gz(format!(r#"{{"Records":[{a},{other}]}}"#).as_bytes()),
        ),
        ("array.json", format!("[\n{b},\n{other}\n]").into_bytes()),
        ("lines", gz(format!("{c}\n{a}\n").as_bytes())),
        ("concat.json", format!("{b}{c}").into_bytes()),
        ("single.json", format!("\n\n{a}\n").into_bytes()),
        (
            "lookup.json",
            format!(
                r#"{{"Events":[{{"EventId":"1","CloudTrailEvent":{}}}]}}"#,
                serde_json::to_string(&c).unwrap()
            )
            .into_bytes(),
        ),
        ("CloudTrail-Digest/x.json.gz", gz(a.as_bytes())),
        (
            "digest-by-content.json",
            br#"{"digestStartTime":"x","digestEndTime":"y"}"#.to_vec(),
        ),
    ];
    let dir = fixture(&cases);
    // Hand count: A in records, single, lines = 3; B in array, concat = 2; C in lines, concat,
    // lookup = 3. The digest folder's A does not count.
    let (code, got, stderr) = events_csv(dir.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        got,
        rows(&[("A", 3, "37.50"), ("C", 3, "37.50"), ("B", 2, "25.00")])
    );
    let r = run(&["events", "-p", "events", dir.path().to_str().unwrap()]);
    assert!(
        r.stderr.contains("files: 6 read, 2 digest ignored"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("records: 8 Kinesis, 2 other services"),
        "{}",
        r.stderr
    );
}

#[test]
fn multi_member_gzip_from_stdin() {
    let mut data = gz(kin("A", "2024-03-09T10:00:00Z", "u").as_bytes());
    data.extend(gz(
        format!("\n{}\n", kin("B", "2024-03-09T11:00:00Z", "u")).as_bytes()
    ));
    let r = run_stdin(&["events", "-f", "csv", "-p", "events", "-"], &data);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        csv_rows(&r.stdout),
        rows(&[("A", 1, "50.00"), ("B", 1, "50.00")])
    );
}

/// A CloudTrail digest as AWS writes one under `CloudTrail-Digest/` (signature fields and the
/// log files it covers; no `Records`).
const DIGEST: &str = r#"{"awsAccountId":"111122223333","digestStartTime":"2024-03-09T09:00:00Z","digestEndTime":"2024-03-09T10:00:00Z","digestS3Bucket":"trail-bucket","digestS3Object":"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/03/09/111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20240309T100000Z.json.gz","digestPublicKeyFingerprint":"a1b2c3d4e5f60718293a4b5c6d7e8f90","digestSignatureAlgorithm":"SHA256withRSA","newestEventTime":"2024-03-09T09:52:00Z","oldestEventTime":"2024-03-09T09:50:00Z","previousDigestS3Bucket":"trail-bucket","previousDigestS3Object":"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/03/09/111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20240309T090000Z.json.gz","previousDigestHashValue":"0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0","previousDigestHashAlgorithm":"SHA-256","previousDigestSignature":"6e7f8091a2b3c4d5","logFiles":[{"s3Bucket":"trail-bucket","s3Object":"AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/09/111122223333_CloudTrail_us-east-1_20240309T0955Z_abc.json.gz","hashValue":"9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0","hashAlgorithm":"SHA-256","newestEventTime":"2024-03-09T09:52:00Z","oldestEventTime":"2024-03-09T09:50:00Z"}]}"#;

#[test]
fn stdin_with_a_digest_among_the_logs_is_one_input_read_whichever_comes_first() {
    // `zcat */*.json.gz | kinesis-insights events -` over a trail's folder: a digest and a log
    // of three Kinesis events, as two gzip members in either order. Standard input is one
    // input, read; the digest in it holds no events and is passed over.
    let log = format!(
        r#"{{"Records":[{}]}}"#,
        [
            kin("A", "2024-03-09T09:50:00Z", "u"),
            kin("A", "2024-03-09T09:51:00Z", "u"),
            kin("B", "2024-03-09T09:52:00Z", "u"),
        ]
        .join(",")
    );
    let (digest, log) = (gz(DIGEST.as_bytes()), gz(log.as_bytes()));
    for (what, data) in [
        ("digest first", [&digest[..], &log[..]].concat()),
        ("log first", [&log[..], &digest[..]].concat()),
    ] {
        for command in ["events", "health"] {
            let r = run_stdin(&[command, "-f", "json", "-"], &data);
            let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
            let s = &doc["summary"];
            assert_eq!(s["files_read"], 1, "{command}, {what}: {}", r.stderr);
            assert_eq!(s["kinesis_events"], 3, "{command}, {what}");
            if command == "events" {
                assert_eq!(r.code, 0, "{what}: {}", r.stderr);
                assert_eq!(s["files_ignored"], 0, "{what}");
                assert!(
                    r.stderr
                        .contains("files: 1 read (with stdin) · records: 3 Kinesis, 0 other"),
                    "{what}: {}",
                    r.stderr
                );
            }
        }
    }
    // Digests alone are an input passed over, as a digest file is.
    let r = run_stdin(&["events", "-f", "json", "-"], &digest);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        (
            &doc["summary"]["files_read"],
            &doc["summary"]["files_ignored"]
        ),
        (&0.into(), &1.into())
    );
    assert!(
        r.stderr
            .contains("files: 0 read, 1 digest ignored (with stdin)"),
        "{}",
        r.stderr
    );
}

#[test]
fn user_rule_end_to_end() {
    let base = r#""eventTime":"2024-03-09T10:00:00Z","eventSource":"kinesis.amazonaws.com","eventName":"PutRecord""#;
    let identities = [
        r#"{"type":"IAMUser","userName":"alice","principalId":"P1"}"#,
        r#"{"type":"FederatedUser","arn":"arn:aws:sts::1:federated-user/bob","principalId":"1:bob"}"#,
        r#"{"type":"AssumedRole","principalId":"AR:s","sessionContext":{"sessionIssuer":{"userName":"etl-role"}}}"#,
        r#"{"type":"Root","principalId":"123456789012"}"#,
        r#"{"type":"AWSService","invokedBy":"firehose.amazonaws.com"}"#,
        r#"{"type":"IdentityCenterUser","onBehalfOf":{"userId":"sso-user"}}"#,
        r#"{"type":"Unknown","principalId":"PRINC"}"#,
        r#"{}"#,
    ];
    let mut lines: Vec<String> = identities
        .iter()
        .map(|i| format!(r#"{{{base},"userIdentity":{i}}}"#))
        .collect();
    lines.push(format!("{{{base}}}"));
    let dir = fixture(&[("ids.jsonl", lines.join("\n").into_bytes())]);
    let r = run(&[
        "events",
        "-f",
        "csv",
        "-p",
        "by-user",
        "-q",
        dir.path().to_str().unwrap(),
    ]);
    let mut got = csv_rows(&r.stdout);
    got.remove(0);
    let users: Vec<(String, String)> = got
        .into_iter()
        .map(|r| (r[0].clone(), r[2].clone()))
        .collect();
    // Hand-derived: `{}` and a missing userIdentity are both "unknown"; then count 1 each,
    // by name (upper case sorts first).
    let want: Vec<(String, String)> = [
        ("unknown", "2"),
        ("PRINC", "1"),
        ("alice", "1"),
        ("bob", "1"),
        ("etl-role", "1"),
        ("firehose.amazonaws.com", "1"),
        ("root", "1"),
        ("sso-user", "1"),
    ]
    .iter()
    .map(|(u, n)| (u.to_string(), n.to_string()))
    .collect();
    assert_eq!(users, want);
    // top-users keeps only people: IAMUser, FederatedUser, AssumedRole, Root.
    let r = run(&[
        "events",
        "-f",
        "csv",
        "-p",
        "top-users",
        "-q",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(r.stdout, "user,count\nalice,1\nbob,1\netl-role,1\nroot,1\n");
}

#[test]
fn window_relative_to_latest_and_now() {
    let lines = [
        kin("Old", "2020-01-01T00:00:00Z", "u"),
        kin("Mid", "2020-01-01T20:00:00Z", "u"),
        kin("New", "2020-01-02T00:00:00Z", "u"),
    ];
    let dir = fixture(&[("l.jsonl", lines.join("\n").into_bytes())]);
    let (code, got, _) = events_csv(dir.path(), &["--since", "6h", "--relative-to", "latest"]);
    assert_eq!(code, 0);
    assert_eq!(got, rows(&[("Mid", 1, "50.00"), ("New", 1, "50.00")]));
    // From now, a 2020 dump has nothing in the last day; the note says what the input covers.
    let r = run(&[
        "events",
        "-p",
        "events",
        "--since",
        "24h",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("(no rows)"), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("range from 2020-01-01T00:00:00Z to 2020-01-02T00:00:00Z"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--relative-to latest"), "{}", r.stderr);
    // --since inclusive, --until exclusive.
    let (_, got, _) = events_csv(
        dir.path(),
        &[
            "--since",
            "2020-01-01T20:00:00Z",
            "--until",
            "2020-01-02T00:00:00Z",
        ],
    );
    assert_eq!(got, rows(&[("Mid", 1, "100.00")]));
    let (_, got, _) = events_csv(dir.path(), &["--since", "2020-01-02"]);
    assert_eq!(got, rows(&[("New", 1, "100.00")]));
}

/// The summary of `events -f json -q ARGS DIR`: (matched_events, window_since, window_until).
fn window_summary(dir: &Path, args: &[&str]) -> (u64, serde_json::Value, serde_json::Value) {
    let mut all = vec!["events", "-f", "json", "-q", "-p", "events"];
    all.extend_from_slice(args);
    all.push(dir.to_str().unwrap());
    let r = run(&all);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let s = &doc["summary"];
    (
        s["matched_events"].as_u64().unwrap(),
        s["window_since"].clone(),
        s["window_until"].clone(),
    )
}

#[test]
fn relative_to_latest_applies_the_window_it_reports() {
    // The newest event is at 10:02:39, so `--since 2m` starts at 10:00:39, where an event
    // is: it counts (--since is inclusive), and the window reported is that instant, so
    // giving it back as an absolute --since counts the same events.
    let lines = [
        kin("Before", "2026-11-28T10:00:38Z", "u"),
        kin("OnTheBound", "2026-11-28T10:00:39Z", "u"),
        kin("After", "2026-11-28T10:00:40Z", "u"),
        kin("Newest", "2026-11-28T10:02:39Z", "u"),
    ];
    let dir = fixture(&[("l.jsonl", lines.join("\n").into_bytes())]);
    let (n, since, _) = window_summary(dir.path(), &["--since", "2m", "--relative-to", "latest"]);
    assert_eq!((n, since.as_str()), (3, Some("2026-11-28T10:00:39Z")));
    let (again, _, _) = window_summary(dir.path(), &["--since", since.as_str().unwrap()]);
    assert_eq!(again, 3);
    // --until is exclusive: 2m back from the newest leaves out the event on the bound.
    let (n, _, until) = window_summary(dir.path(), &["--until", "2m", "--relative-to", "latest"]);
    assert_eq!((n, until.as_str()), (1, Some("2026-11-28T10:00:39Z")));
    // The stderr summary names the anchor: the newest event itself.
    let r = run(&[
        "events",
        "-p",
        "events",
        "--since",
        "2m",
        "--relative-to",
        "latest",
        dir.path().to_str().unwrap(),
    ]);
    assert!(
        r.stderr.contains(
            "(durations counted back from 2026-11-28T10:02:39Z, the newest Kinesis event)"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn a_window_bound_with_a_fraction_of_a_second_is_reported_to_the_millisecond() {
    // The newest event is at 10:02:39.500: 2m back is 10:00:39.500, between two events a
    // millisecond apart; written without its fraction, the bound would count one more.
    let lines = [
        kin("Early", "2026-11-28T10:00:39.499Z", "u"),
        kin("OnTheBound", "2026-11-28T10:00:39.500Z", "u"),
        kin("Newest", "2026-11-28T10:02:39.500Z", "u"),
    ];
    let dir = fixture(&[("l.jsonl", lines.join("\n").into_bytes())]);
    let (n, since, _) = window_summary(dir.path(), &["--since", "2m", "--relative-to", "latest"]);
    assert_eq!((n, since.as_str()), (2, Some("2026-11-28T10:00:39.500Z")));
    let (again, _, _) = window_summary(dir.path(), &["--since", since.as_str().unwrap()]);
    assert_eq!(again, 2);
    // A fraction given on the command line is reported as given.
    let (n, since, until) = window_summary(
        dir.path(),
        &[
            "--since",
            "2026-11-28T10:00:39.499Z",
            "--until",
            "2026-11-28T10:02:39.5Z",
        ],
    );
    assert_eq!(n, 2);
    assert_eq!(since, "2026-11-28T10:00:39.499Z");
    assert_eq!(until, "2026-11-28T10:02:39.500Z");
}

#[test]
fn the_json_summary_has_its_time_keys_in_every_run() {
    // Each command's JSON summary names the window and the range counted whatever the flags:
    // null for an open bound, and for the range when nothing passed the filters.
    for (command, dir, first, last) in [
        ("events", "cloudtrail", "first_event", "last_event"),
        (
            "metrics",
            "metrics/streams",
            "first_datapoint",
            "last_datapoint",
        ),
        ("health", "health/calm", "first_datapoint", "last_datapoint"),
    ] {
        let dir = testdata(dir);
        let summary = |extra: &[&str]| {
            let mut args = vec![command, "-q", "-f", "json"];
            args.extend_from_slice(extra);
            args.push(dir.to_str().unwrap());
            let r = run(&args);
            let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect(&r.stderr);
            let s = doc["summary"].as_object().unwrap().clone();
            ["window_since", "window_until", first, last].map(|k| {
                s.get(k)
                    .cloned()
                    .unwrap_or_else(|| panic!("{command}: no {k} in {s:?}"))
            })
        };
        let null = serde_json::Value::Null;
        let [since, until, a, b] = summary(&[]);
        assert_eq!((since, until), (null.clone(), null.clone()), "{command}");
        assert!(a.is_string() && b.is_string(), "{command}");
        let [since, until, ..] = summary(&["--since", "2000-01-01"]);
        assert_eq!(since, "2000-01-01T00:00:00Z", "{command}");
        assert_eq!(until, null, "{command}");
        let [since, until, a, b] = summary(&["--until", "2000-01-01T00:00:00.250Z"]);
        assert_eq!(since, null, "{command}");
        assert_eq!(until, "2000-01-01T00:00:00.250Z", "{command}");
        assert_eq!((a, b), (null.clone(), null.clone()), "{command}");
    }
}

#[test]
fn over_time_zero_fills_the_window() {
    let lines = [
        kin("A", "2024-03-09T10:15:00Z", "u"),
        kin("B", "2024-03-09T12:59:59Z", "u"),
    ];
    let dir = fixture(&[("l.jsonl", lines.join("\n").into_bytes())]);
    let r = run(&[
        "events",
        "-f",
        "csv",
        "-p",
        "events-over-time",
        "-q",
        "--since",
        "2024-03-09T09:30:00Z",
        "--until",
        "2024-03-09T12:00:00Z",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(
        r.stdout,
        "time,event_name,count\n\
         2024-03-09T09:00:00Z,A,0\n\
         2024-03-09T10:00:00Z,A,1\n\
         2024-03-09T11:00:00Z,A,0\n"
    );
    let r = run(&[
        "events",
        "-f",
        "csv",
        "-p",
        "events-over-time",
        "-q",
        "--bucket",
        "90m",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(
        r.stdout,
        "time,event_name,count\n\
         2024-03-09T09:00:00Z,A,1\n\
         2024-03-09T09:00:00Z,B,0\n\
         2024-03-09T10:30:00Z,A,0\n\
         2024-03-09T10:30:00Z,B,0\n\
         2024-03-09T12:00:00Z,A,0\n\
         2024-03-09T12:00:00Z,B,1\n"
    );
}

#[test]
fn broken_inputs_warn_and_keep_good_data() {
    let r = run(&[
        "events",
        "-f",
        "csv",
        "-p",
        "events",
        testdata("broken").to_str().unwrap(),
        testdata("doc-sample").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    for needle in [
        "broken/empty.json: empty file",
        "broken/garbage.bin: skipped: not a CloudTrail file",
        "broken/invalid-line.jsonl: invalid JSON at line 3",
        "broken/invalid-line.jsonl: 1 record skipped, 5 read",
        "broken/numbers.json: 3 records skipped, 0 read",
        "broken/truncated.json.gz: gzip data ends early (truncated)",
        "broken/wrong-shape.json: 1 record skipped, 0 read",
    ] {
        assert!(
            r.stderr.contains(needle),
            "missing {needle:?} in\n{}",
            r.stderr
        );
    }
    // The documentation's sample is still counted.
    assert!(r.stdout.contains("MergeShards,"), "{}", r.stdout);
    // The truncated file kept the records before the cut: with invalid-line's 5 that is every
    // Kinesis record that was read.
    let truncated = run(&[
        "events",
        "-f",
        "json",
        "-q",
        testdata("broken/truncated.json.gz").to_str().unwrap(),
    ]);
    assert_eq!(truncated.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&truncated.stdout).unwrap();
    let kept = doc["summary"]["kinesis_events"].as_u64().unwrap();
    assert!(kept > 0 && kept < 40, "{kept}");
}

#[test]
fn exit_statuses() {
    assert_eq!(
        run(&["events", testdata("doc-sample").to_str().unwrap()]).code,
        0
    );
    assert_eq!(
        run(&["events", testdata("broken").to_str().unwrap()]).code,
        1
    );
    let garbage = run(&["events", testdata("broken/garbage.bin").to_str().unwrap()]);
    assert_eq!(garbage.code, 2);
    assert!(
        garbage.stderr.contains("no readable input"),
        "{}",
        garbage.stderr
    );
    let none = run(&["events"]);
    assert_eq!(none.code, 2);
    assert!(none.stderr.contains("no input given"), "{}", none.stderr);
    let missing = run(&["events", "/definitely/not/here"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .contains("/definitely/not/here: no such file or directory"),
        "{}",
        missing.stderr
    );
    let empty = tempfile::tempdir().unwrap();
    let r = run(&["events", empty.path().to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no input files found"), "{}", r.stderr);
    let csv_many = run(&[
        "events",
        "-f",
        "csv",
        testdata("doc-sample").to_str().unwrap(),
    ]);
    assert_eq!(csv_many.code, 2);
    assert!(
        csv_many.stderr.contains("--output-dir"),
        "{}",
        csv_many.stderr
    );
    let twice = run(&["events", "-", "-"]);
    assert_eq!(twice.code, 2);
    assert!(twice.stderr.contains("more than once"), "{}", twice.stderr);
    let bad_time = run(&["events", "--since", "yesterday", "x"]);
    assert_eq!(bad_time.code, 2);
    assert!(
        bad_time.stderr.contains("neither a duration"),
        "{}",
        bad_time.stderr
    );
    let bad_glob = run(&["events", "--user", "a[", "x"]);
    assert_eq!(bad_glob.code, 2);
    let bad_panel = run(&["events", "-p", "nope", "x"]);
    assert_eq!(bad_panel.code, 2);
    assert!(
        bad_panel.stderr.contains("top-users"),
        "{}",
        bad_panel.stderr
    );
    let inverted = run(&[
        "events",
        "--since",
        "2024-01-02",
        "--until",
        "2024-01-01",
        testdata("doc-sample").to_str().unwrap(),
    ]);
    assert_eq!(inverted.code, 2);
    assert!(
        inverted.stderr.contains("window is empty"),
        "{}",
        inverted.stderr
    );
}

#[test]
fn terminal_output_is_neutralised_but_csv_is_exact() {
    let nasty = "\u{1b}]0;owned\u{7}\u{1b}[2J=1+1";
    let line = format!(
        r#"{{"eventTime":"2024-03-09T10:00:00Z","eventSource":"kinesis.amazonaws.com","eventName":"PutRecord","errorCode":"X","errorMessage":{}}}"#,
        serde_json::to_string(nasty).unwrap()
    );
    let dir = fixture(&[("n.json", line.into_bytes())]);
    let table = run(&["events", "-p", "errors", dir.path().to_str().unwrap()]);
    assert!(!table.stdout.contains('\u{1b}') && !table.stdout.contains('\u{7}'));
    assert!(
        table.stdout.contains("\\x1b]0;owned\\x07"),
        "{}",
        table.stdout
    );
    let csv = run(&[
        "events",
        "-f",
        "csv",
        "-p",
        "errors",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(csv_rows(&csv.stdout)[1][1], nasty);
}

/// `--stream` given what can name no stream (a comma-separated list, a path) is a usage error
/// that says what to write, in every command that takes it; a glob with `{a,b}` is not a
/// list. (A stream's ARN is taken: see `stream_arns_select_that_stream_in_that_account_and_region`.)
#[test]
fn stream_patterns_that_match_no_stream_are_refused() {
    let dir = testdata("cloudtrail");
    let dir = dir.to_str().unwrap();
    for (sub, pattern, says) in [
        ("health", "orders,clicks", "--stream a --stream b"),
        ("events", "!logs/raw", "no ':' or '/'"),
        ("metrics", "orders:1", "or the stream's ARN"),
    ] {
        let r = run(&[sub, "--stream", pattern, dir]);
        assert_eq!(r.code, 2, "{sub} {pattern}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{sub} {pattern}: {}", r.stderr);
        assert!(r.stdout.is_empty());
    }
    let r = run(&[
        "sql",
        "-e",
        "duckdb",
        "--location",
        "s3://b/AWSLogs/",
        "--stream",
        "a,b",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    // A glob's alternatives are one pattern: the same events as the two streams given apart.
    let apart = run(&[
        "events", "-f", "csv", "-p", "events", "--stream", "orders", "--stream", "clicks", dir,
    ]);
    let glob = run(&[
        "events",
        "-f",
        "csv",
        "-p",
        "events",
        "--stream",
        "{orders,clicks}",
        dir,
    ]);
    assert_eq!(glob.code, 0, "{}", glob.stderr);
    assert_eq!(glob.stdout, apart.stdout);
    assert!(glob.stdout.lines().count() > 1);
}

/// Users whose names differ only by characters that show as nothing (a zero-width space, a
/// word joiner, a byte order mark, a soft hyphen) are told apart in a table: those characters
/// are shown as escapes there, and written as they are in CSV.
#[test]
fn invisible_characters_are_shown_in_tables() {
    let users = [
        "alice",
        "al\u{200b}ice",
        "alice\u{2060}",
        "\u{feff}alice",
        "alice\u{ad}",
    ];
    let lines: Vec<String> = users
        .iter()
        .map(|u| kin("PutRecord", "2024-03-09T10:00:00Z", u))
        .collect();
    let dir = fixture(&[("u.jsonl", lines.join("\n").into_bytes())]);
    let table = run(&["events", "-p", "by-user", dir.path().to_str().unwrap()]);
    for shown in [
        "al\\u{200b}ice",
        "alice\\u{2060}",
        "\\u{feff}alice",
        "alice\\u{ad}",
    ] {
        assert!(table.stdout.contains(shown), "{shown}: {}", table.stdout);
    }
    for hidden in ['\u{200b}', '\u{2060}', '\u{feff}', '\u{ad}'] {
        assert!(
            !table.stdout.contains(hidden),
            "{hidden:?}: {}",
            table.stdout
        );
    }
    let csv = run(&[
        "events",
        "-f",
        "csv",
        "-p",
        "by-user",
        dir.path().to_str().unwrap(),
    ]);
    let mut got: Vec<String> = csv_rows(&csv.stdout)[1..]
        .iter()
        .map(|r| r[0].clone())
        .collect();
    got.sort();
    let mut want: Vec<String> = users.iter().map(|u| u.to_string()).collect();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn long_panels_are_cut_in_tables_only() {
    let lines: Vec<String> = (0..30)
        .map(|i| kin(&format!("E{i:02}"), "2024-03-09T10:00:00Z", "u"))
        .collect();
    let dir = fixture(&[("l.jsonl", lines.join("\n").into_bytes())]);
    let t = run(&[
        "events",
        "-p",
        "events",
        "--limit",
        "5",
        dir.path().to_str().unwrap(),
    ]);
    assert!(
        t.stdout.contains("E04") && !t.stdout.contains("E05"),
        "{}",
        t.stdout
    );
    assert!(t.stdout.contains("… 25 more rows"), "{}", t.stdout);
    let all = run(&[
        "events",
        "-p",
        "events",
        "--limit",
        "0",
        dir.path().to_str().unwrap(),
    ]);
    assert!(all.stdout.contains("E29"));
    let csv = run(&[
        "events",
        "-f",
        "csv",
        "-p",
        "events",
        "--limit",
        "5",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(csv_rows(&csv.stdout).len(), 31);
}

#[test]
fn closed_pipe_exits_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = common::bin()
        .args([
            "events",
            "-f",
            "json",
            "-p",
            "events-over-time",
            "--bucket",
            "1m",
            "-q",
        ])
        .arg(testdata("cloudtrail"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn output_dir_in_every_format() {
    let out = tempfile::tempdir().unwrap();
    let sample = testdata("doc-sample");
    for (format, ext) in [("json", "json"), ("table", "txt"), ("csv", "csv")] {
        let dir = out.path().join(format);
        let r = run(&[
            "events",
            "-q",
            "-f",
            format,
            "-p",
            "events,top-users",
            "-o",
            dir.to_str().unwrap(),
            sample.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.is_empty());
        let mut files: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        assert_eq!(files, [format!("events.{ext}"), format!("top-users.{ext}")]);
    }
    let panel: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.path().join("json/events.json")).unwrap())
            .unwrap();
    assert_eq!(
        panel,
        serde_json::json!({"id": "events", "title": "Events", "columns": ["event_name", "count", "percent"],
                           "rows": [{"event_name": "MergeShards", "count": 1, "percent": 100.0}]})
    );
    assert!(
        fs::read_to_string(out.path().join("table/top-users.txt"))
            .unwrap()
            .starts_with("Top 10 Users\n")
    );
}

#[test]
fn top_zero_means_all() {
    let top = |n: &str| {
        let r = run(&[
            "events",
            "-q",
            "-f",
            "csv",
            "-p",
            "top-users",
            "--top",
            n,
            testdata("cloudtrail").to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        csv_rows(&r.stdout)
    };
    // The expected panel (all person users of the sample, fewer than the default 10) by
    // generate.py.
    let all = csv_rows(&fs::read_to_string(testdata("expected/all/top-users.csv")).unwrap());
    assert!(all.len() > 4, "{all:?}");
    assert_eq!(top("0"), all);
    assert_eq!(top("3"), all[..4].to_vec());
}

/// Overlapping paths (`dir dir/ dir/./x/..`, a file inside a directory already given) read each
/// file once: the counts equal one reading of the directory, and a note says how many names
/// were left out.
#[test]
fn overlapping_paths_are_read_once() {
    let dir = testdata("cloudtrail");
    let d = dir.to_str().unwrap();
    let once = run(&["events", "-q", "-f", "csv", "-p", "events", d]);
    assert_eq!(once.code, 0, "{}", once.stderr);
    let slash = format!("{d}/");
    let dotted = format!("{d}/./extra/..");
    let file = first_file(&dir);
    let r = run(&[
        "events",
        "-f",
        "csv",
        "-p",
        "events",
        d,
        &slash,
        &dotted,
        file.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, once.stdout);
    // Every file of the folder is named twice: as d/… and as d/extra/../… (paths compare by
    // components, so d/ is d, and the file named alone is spelt as the walk of d spells it).
    let files = walk_count(&dir);
    assert!(
        r.stderr.contains(&format!(
            "note: {files} paths named a file already given, read once"
        )),
        "{}",
        r.stderr
    );
}

fn walk_count(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| if p.is_dir() { walk_count(&p) } else { 1 })
        .sum()
}

fn first_file(dir: &std::path::Path) -> std::path::PathBuf {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let p = entries.remove(0);
    if p.is_dir() { first_file(&p) } else { p }
}

/// Every file below `dir`.
fn files_below(dir: &Path) -> usize {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| if p.is_dir() { files_below(&p) } else { 1 })
        .sum()
}

/// Metric Streams files given to `events`: each is read as records without `eventSource`.
/// Nothing could be read, so the status is that of `metrics` given CloudTrail (2, no readable
/// input), the files' warnings are one, and a note names the command that reads them.
#[test]
fn metrics_files_given_to_events_say_which_command_reads_them() {
    let dir = testdata("metrics/streams");
    let n = files_below(&dir);
    assert_eq!(n, 4);
    let r = run(&["events", dir.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{}", r.stderr);
    assert!(
        lines[0].starts_with(&format!(
            "kinesis-insights: warning: {n} files could not be read as CloudTrail logs: "
        )) && lines[0].contains(" and 1 more; the first: "),
        "{}",
        r.stderr
    );
    assert_eq!(
        lines[1],
        "kinesis-insights: note: the files that could not be read look like CloudWatch \
         metrics: try `kinesis-insights metrics …` (`health` reads both kinds)"
    );
    assert_eq!(
        lines[2],
        format!(
            "kinesis-insights: error: no readable input: none of the {n} files held a record \
             that could be read"
        )
    );
    // The same files next to CloudTrail logs that are read: a warning, the note, status 1.
    let trail = testdata("doc-sample");
    let r = run(&[
        "events",
        "-q",
        dir.to_str().unwrap(),
        trail.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("look like CloudWatch metrics: try `kinesis-insights metrics …`"),
        "{}",
        r.stderr
    );
}

/// A comma missing between two records of a file (`}{` where `},{` belongs) costs no record:
/// every record counts, a warning names the place, and the exit status is 0 (every input was
/// read); a record damaged inside is skipped and the status is 1. Counts by construction:
/// 3 records, the comma before the third missing; then the second damaged.
#[test]
fn a_missing_comma_between_records_warns_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let rec = |name: &str| {
        record(&[
            ("eventTime", "2024-03-09T10:00:00Z"),
            ("eventSource", "kinesis.amazonaws.com"),
            ("eventName", name),
        ])
    };
    let (a, b, c) = (rec("PutRecord"), rec("GetRecords"), rec("ListShards"));
    let path = dir.path().join("comma.json");
    fs::write(&path, format!(r#"{{"Records":[{a},{b}{c}]}}"#)).unwrap();
    let r = run(&[
        "events",
        "-f",
        "csv",
        "-p",
        "events",
        path.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            ".Records[2]: expected `,` or `]` (a comma missing between two records; both read)"
        ),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("skipped"), "{}", r.stderr);
    assert!(r.stderr.contains("records: 3 Kinesis"), "{}", r.stderr);
    let damaged = b.replacen("GetRecords\"", "GetRecords\"x", 1);
    assert_ne!(damaged, b);
    fs::write(&path, format!(r#"{{"Records":[{a},{damaged},{c}]}}"#)).unwrap();
    let r = run(&[
        "events",
        "-f",
        "csv",
        "-p",
        "events",
        path.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("1 record skipped, 2 read"),
        "{}",
        r.stderr
    );
}

/// `--stream` takes a stream's ARN: that stream in that account and region only, checked
/// against the record's own account (recipientAccountId, else the S3 key's) and awsRegion, in
/// any partition; ORed with names and globs, and `!ARN` leaves out that one stream. Each
/// record is told by its event name: orders of 111122223333 in eu-west-1 (PutRecord, and a
/// SubscribeToShard that names it only by its consumer's ARN), orders of 444455556666 there
/// (PutRecords, and ListShards whose account is the S3 key's), orders of 111122223333 in
/// us-east-1 (GetRecords), clicks of 111122223333 in eu-west-1 (DescribeStream).
#[test]
fn stream_arns_select_that_stream_in_that_account_and_region() {
    let ev = |name: &str, region: &str, account: Option<&str>, params: &str| {
        let account = account.map_or(String::new(), |a| format!(r#""recipientAccountId":"{a}","#));
        format!(
            r#"{{"eventTime":"2024-03-09T10:00:00Z","eventSource":"kinesis.amazonaws.com","eventName":"{name}","awsRegion":"{region}",{account}"requestParameters":{params}}}"#
        )
    };
    let (a1, a2) = (Some("111122223333"), Some("444455556666"));
    let orders = r#"{"streamName":"orders"}"#;
    let lines = [
        ev("PutRecord", "eu-west-1", a1, orders),
        ev(
            "SubscribeToShard",
            "eu-west-1",
            a1,
            r#"{"consumerARN":"arn:aws:kinesis:eu-west-1:111122223333:stream/orders/consumer/app:1700000000","shardId":"shardId-000000000000"}"#,
        ),
        ev("PutRecords", "eu-west-1", a2, orders),
        ev("GetRecords", "us-east-1", a1, orders),
        ev(
            "DescribeStream",
            "eu-west-1",
            a1,
            r#"{"streamName":"clicks"}"#,
        ),
        // A call from 999999999999 to 111122223333's orders, in the caller's trail.
        ev(
            "GetShardIterator",
            "eu-west-1",
            Some("999999999999"),
            r#"{"streamARN":"arn:aws:kinesis:eu-west-1:111122223333:stream/orders","shardId":"shardId-000000000000"}"#,
        ),
    ];
    let keyed = ev("ListShards", "eu-west-1", None, orders);
    let dir = fixture(&[
        ("a.jsonl", lines.join("\n").into_bytes()),
        (
            "AWSLogs/444455556666/CloudTrail/eu-west-1/2024/03/09/b.json",
            format!(r#"{{"Records":[{keyed}]}}"#).into_bytes(),
        ),
    ]);
    let names = |streams: &[&str]| {
        let mut args = vec![];
        for s in streams {
            args.extend(["--stream", s]);
        }
        let (code, rows, stderr) = events_csv(dir.path(), &args);
        assert_eq!(code, 0, "{streams:?}: {stderr}");
        let mut names: Vec<String> = rows[1..].iter().map(|r| r[0].clone()).collect();
        names.sort();
        names
    };
    let orders_1 = "arn:aws:kinesis:eu-west-1:111122223333:stream/orders";
    // The cross-account call is the stream's own account's (its ARN says so), not the
    // caller's.
    assert_eq!(
        names(&[orders_1]),
        ["GetShardIterator", "PutRecord", "SubscribeToShard"]
    );
    assert!(names(&["arn:aws:kinesis:eu-west-1:999999999999:stream/orders"]).is_empty());
    // Another partition reads the same.
    assert_eq!(
        names(&["arn:aws-cn:kinesis:eu-west-1:111122223333:stream/orders"]),
        ["GetShardIterator", "PutRecord", "SubscribeToShard"]
    );
    // The account from the S3 key counts as the record's.
    assert_eq!(
        names(&["arn:aws:kinesis:eu-west-1:444455556666:stream/orders"]),
        ["ListShards", "PutRecords"]
    );
    assert_eq!(
        names(&["arn:aws:kinesis:us-east-1:111122223333:stream/orders"]),
        ["GetRecords"]
    );
    // ORed with a name.
    assert_eq!(
        names(&[orders_1, "clicks"]),
        [
            "DescribeStream",
            "GetShardIterator",
            "PutRecord",
            "SubscribeToShard"
        ]
    );
    // Left out: that one stream, the other accounts' and regions' orders kept.
    assert_eq!(
        names(&[&format!("!{orders_1}")]),
        ["DescribeStream", "GetRecords", "ListShards", "PutRecords"]
    );
    assert_eq!(
        names(&["o*", &format!("!{orders_1}")]),
        ["GetRecords", "ListShards", "PutRecords"]
    );
}

/// A `--stream` value that starts with `arn:` but is not a stream's ARN is a usage error that
/// says what is wrong, in every command that takes `--stream`.
#[test]
fn malformed_stream_arns_are_usage_errors() {
    let dir = testdata("cloudtrail");
    let dir = dir.to_str().unwrap();
    for (pattern, says) in [
        (
            "arn:aws:kinesis:us-east-2:444455556666:stream/clicks/consumer/app:1700000000",
            "an enhanced fan-out consumer's ARN, not a stream's: its stream is \
             arn:aws:kinesis:us-east-2:444455556666:stream/clicks",
        ),
        (
            "!arn:aws:firehose:us-east-1:111122223333:deliverystream/d",
            "not a Kinesis stream ARN: its service is 'firehose', not kinesis",
        ),
        (
            "arn:aws:kinesis:us-east-1:1111:stream/orders",
            "the account '1111' is not 12 digits",
        ),
        (
            "arn:aws:kinesis:us-east-1:111122223333:stream/ord*",
            "an ARN is matched whole, without globs",
        ),
        (
            "arn:aws:kinesis:us-east-1",
            "not a stream ARN: it has too few parts",
        ),
    ] {
        for sub in ["events", "metrics", "health"] {
            let r = run(&[sub, "--stream", pattern, dir]);
            assert_eq!(r.code, 2, "{sub} {pattern}: {}", r.stderr);
            assert!(
                r.stderr.contains(&format!("--stream {pattern}: {says}")),
                "{sub} {pattern}: {}",
                r.stderr
            );
            assert!(r.stdout.is_empty());
        }
        let r = run(&[
            "sql",
            "-e",
            "duckdb",
            "--location",
            "s3://b/AWSLogs/",
            "--stream",
            pattern,
        ]);
        assert_eq!(r.code, 2, "sql {pattern}: {}", r.stderr);
        assert!(r.stderr.contains(says), "sql {pattern}: {}", r.stderr);
    }
}
