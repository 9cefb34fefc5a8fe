//! The `metrics` command end to end: exact panels on the sample data (all three input forms)
//! against expectations that `testdata/generate.py` computed independently (with `math.fsum`),
//! plus hand-counted fixtures for the weighted average, the stream/shard separation and the
//! messages about what is missing.

mod common;
#[path = "common/exports.rs"]
mod exports;

use std::fs;

use common::{csv_rows, run, testdata, utf16};

const PANELS: [&str; 10] = [
    "incoming-bytes",
    "incoming-records",
    "get-bytes",
    "get-records",
    "put-latency",
    "get-latency",
    "write-exceeded",
    "read-exceeded",
    "get-success",
    "iterator-age",
];

fn compare(args: &[&str], expected: &str, panels: &[&str]) {
    let out = tempfile::tempdir().unwrap();
    let mut full = vec![
        "metrics",
        "-q",
        "-f",
        "csv",
        "-o",
        out.path().to_str().unwrap(),
    ];
    full.extend_from_slice(args);
    let r = run(&full);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for panel in panels {
        let got = fs::read_to_string(out.path().join(format!("{panel}.csv"))).unwrap();
        let want = fs::read_to_string(testdata(&format!(
            "expected/metrics/{expected}/{panel}.csv"
        )))
        .unwrap();
        assert!(
            got == want,
            "{expected}/{panel} differs:\n{}",
            first_difference(&want, &got)
        );
    }
}

fn first_difference(want: &str, got: &str) -> String {
    for (i, (w, g)) in want.lines().zip(got.lines()).enumerate() {
        if w != g {
            return format!("line {}: want {w:?}, got {g:?}", i + 1);
        }
    }
    format!(
        "{} lines wanted, {} got",
        want.lines().count(),
        got.lines().count()
    )
}

#[test]
fn metric_streams_every_panel_exact() {
    compare(
        &[
            "--period",
            "5m",
            testdata("metrics/streams").to_str().unwrap(),
        ],
        "streams-5m",
        &PANELS,
    );
}

#[test]
fn metric_streams_window_and_stream_filter() {
    compare(
        &[
            "--period",
            "15m",
            "--since",
            "2024-03-09T00:30:00Z",
            "--until",
            "2024-03-09T01:30:00Z",
            "--stream",
            "orders",
            testdata("metrics/streams").to_str().unwrap(),
        ],
        "streams-window",
        &PANELS,
    );
}

#[test]
fn default_period_is_chosen_from_the_range() {
    // Two hours of data: 1-minute buckets are at most 300.
    compare(
        &[
            "-p",
            "incoming-bytes",
            testdata("metrics/streams").to_str().unwrap(),
        ],
        "streams-auto",
        &["incoming-bytes"],
    );
    let r = run(&[
        "metrics",
        "-q",
        "-f",
        "json",
        "-p",
        "incoming-bytes",
        testdata("metrics/streams").to_str().unwrap(),
    ]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["summary"]["period_seconds"], 60);
    // A one-day window: 5-minute buckets (288).
    let r = run(&[
        "metrics",
        "-q",
        "-f",
        "json",
        "-p",
        "incoming-bytes",
        "--since",
        "2024-03-09",
        "--until",
        "2024-03-10",
        testdata("metrics/streams").to_str().unwrap(),
    ]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["summary"]["period_seconds"], 300);
}

#[test]
fn get_metric_data_with_its_queries() {
    let dir = testdata("metrics/get-metric-data");
    compare(
        &[
            "--period",
            "5m",
            "--queries",
            dir.join("queries.json").to_str().unwrap(),
            dir.join("output.json").to_str().unwrap(),
        ],
        "get-metric-data",
        &PANELS,
    );
}

/// A query file saved by PowerShell's `>` (UTF-16 with a byte order mark, little- or
/// big-endian) or with UTF-8's byte order mark is read as its UTF-8 original.
#[test]
fn get_metric_data_queries_in_utf16_or_with_a_byte_order_mark() {
    let dir = testdata("metrics/get-metric-data");
    let text = fs::read_to_string(dir.join("queries.json")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut bom = "\u{feff}".as_bytes().to_vec();
    bom.extend(text.as_bytes());
    for (name, bytes) in [
        ("le", utf16(&text, false)),
        ("be", utf16(&text, true)),
        ("bom", bom),
    ] {
        let queries = tmp.path().join(format!("queries-{name}.json"));
        fs::write(&queries, bytes).unwrap();
        compare(
            &[
                "--period",
                "5m",
                "--queries",
                queries.to_str().unwrap(),
                dir.join("output.json").to_str().unwrap(),
            ],
            "get-metric-data",
            &PANELS,
        );
    }
}

/// A query file in UTF-16 with an unpaired surrogate is refused in UTF-16's terms (JSON's
/// would be an invalid code point), with the surrogate's byte offset.
#[test]
fn a_utf16_query_file_with_an_unpaired_surrogate_says_so() {
    let dir = testdata("metrics/get-metric-data");
    let text = fs::read_to_string(dir.join("queries.json")).unwrap();
    let mut bytes = utf16(&text, false);
    // The first unit after the mark and the opening bracket or brace.
    bytes[4..6].copy_from_slice(&0xD800u16.to_le_bytes());
    let tmp = tempfile::tempdir().unwrap();
    let queries = tmp.path().join("queries.json");
    fs::write(&queries, bytes).unwrap();
    let r = run(&[
        "metrics",
        "--queries",
        queries.to_str().unwrap(),
        dir.join("output.json").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "query file {} is not valid UTF-16: 1 unpaired surrogate at byte 4",
            queries.display()
        )),
        "{}",
        r.stderr
    );
}

#[test]
fn get_metric_data_without_queries_says_what_is_missing() {
    let r = run(&[
        "metrics",
        "-f",
        "csv",
        "-p",
        "incoming-bytes",
        testdata("metrics/get-metric-data/output.json")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("pass the file given to --metric-data-queries with --queries FILE"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stdout, "time,account,region,stream,shard,value\n");
}

#[test]
fn get_metric_statistics_with_the_stream_named() {
    compare(
        &[
            "--period",
            "10m",
            "--label-stream",
            "payments",
            testdata("metrics/get-metric-statistics").to_str().unwrap(),
        ],
        "get-metric-statistics",
        &PANELS,
    );
    // --stream filters only: it no longer names a file that names no stream, which is skipped
    // with a warning that says how to name it.
    for extra in [&[][..], &["--stream", "payments"][..]] {
        let mut args = vec!["metrics", "-p", "incoming-bytes", "-f", "csv"];
        args.extend_from_slice(extra);
        let dir = testdata("metrics/get-metric-statistics");
        args.push(dir.to_str().unwrap());
        let r = run(&args);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(
            r.stderr
                .contains("carries no dimensions: name its stream with --label-stream NAME"),
            "{}",
            r.stderr
        );
        assert_eq!(r.stdout, "time,account,region,stream,shard,value\n");
    }
    // The labelled series passes the filters as any other.
    let dir = testdata("metrics/get-metric-statistics");
    let r = run(&[
        "metrics",
        "-p",
        "incoming-bytes",
        "-f",
        "csv",
        "--label-stream",
        "payments",
        "--stream",
        "orders",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "time,account,region,stream,shard,value\n");
    // A shard needs its stream.
    let r = run(&["metrics", "--label-shard", "shardId-000000000000", "-"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--label-stream"), "{}", r.stderr);
}

#[test]
fn same_output_for_any_thread_count() {
    let dir = testdata("metrics/streams");
    let outs: Vec<String> = ["1", "2", "5"]
        .iter()
        .map(|j| {
            run(&[
                "metrics",
                "-j",
                j,
                "-q",
                "-f",
                "json",
                "--period",
                "5m",
                dir.to_str().unwrap(),
            ])
            .stdout
        })
        .collect();
    assert_eq!(outs[0], outs[1]);
    assert_eq!(outs[0], outs[2]);
}

fn datapoint(metric: &str, dims: &str, minute: u32, sum: f64, count: f64, max: f64) -> String {
    format!(
        r#"{{"region":"r","namespace":"AWS/Kinesis","metric_name":"{metric}","dimensions":{dims},"timestamp":{},"value":{{"sum":{sum},"count":{count},"max":{max},"min":0}}}}"#,
        1_709_978_400_000u64 + u64::from(minute) * 60_000
    )
}

#[test]
fn weighted_average_and_stream_shard_separation_by_hand() {
    let stream = r#"{"StreamName":"s"}"#;
    let shard = r#"{"StreamName":"s","ShardId":"shardId-1"}"#;
    let consumer = r#"{"StreamName":"s","ConsumerName":"c"}"#;
    let lines = [
        // Put latency: (10 over 1 sample) and (30 over 3 samples) in one 5-minute bucket:
        // 40 / 4 = 10; the mean of the averages would be (10 + 10) / 2 = 10 too, so a third:
        // 2 over 4 samples -> 42 / 8 = 5.25 (mean of averages: 6.83).
        datapoint("PutRecord.Latency", stream, 0, 10.0, 1.0, 10.0),
        datapoint("PutRecord.Latency", stream, 1, 30.0, 3.0, 12.0),
        datapoint("PutRecord.Latency", stream, 2, 2.0, 4.0, 1.0),
        // Incoming bytes: stream level 3 MiB, shard level 1 MiB; never added together.
        datapoint("IncomingBytes", stream, 0, 3_145_728.0, 5.0, 1.0),
        datapoint("IncomingBytes", shard, 0, 1_048_576.0, 5.0, 1.0),
        // A consumer series and another namespace: left out.
        datapoint("IncomingBytes", consumer, 0, 999.0, 1.0, 1.0),
        datapoint("IncomingBytes", stream, 0, 5.0, 1.0, 1.0).replace("AWS/Kinesis", "AWS/EC2"),
        // Iterator age: the maximum of maxima; shard level uses IteratorAgeMilliseconds.
        datapoint(
            "GetRecords.IteratorAgeMilliseconds",
            stream,
            0,
            100.0,
            2.0,
            70.0,
        ),
        datapoint(
            "GetRecords.IteratorAgeMilliseconds",
            stream,
            4,
            100.0,
            2.0,
            90.0,
        ),
        datapoint("IteratorAgeMilliseconds", shard, 3, 1.0, 1.0, 5.0),
        // get-success has no shard-level metric: a shard series of GetRecords.Success is ignored.
        datapoint("GetRecords.Success", shard, 0, 1.0, 1.0, 1.0),
    ];
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("points.json"), lines.join("\n")).unwrap();
    let csv = |panel: &str| {
        let r = run(&[
            "metrics",
            "-q",
            "-f",
            "csv",
            "--period",
            "5m",
            "-p",
            panel,
            dir.path().to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        csv_rows(&r.stdout)[1..].to_vec()
    };
    let row = |shard: &str, v: &str| {
        vec![
            "2024-03-09T10:00:00Z".to_string(),
            String::new(),
            "r".into(),
            "s".into(),
            shard.into(),
            v.into(),
        ]
    };
    assert_eq!(csv("put-latency"), [row("", "5.25")]);
    assert_eq!(csv("incoming-bytes"), [row("", "3"), row("shardId-1", "1")]);
    assert_eq!(csv("iterator-age"), [row("", "90"), row("shardId-1", "5")]);
    assert!(csv("get-success").is_empty());
    let r = run(&[
        "metrics",
        "-f",
        "json",
        "-p",
        "put-latency",
        dir.path().to_str().unwrap(),
    ]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["summary"]["other_dimension_datapoints"], 1);
    assert_eq!(doc["summary"]["other_namespace_datapoints"], 1);
    assert_eq!(doc["summary"]["other_metric_datapoints"], 1);
    assert_eq!(doc["summary"]["stream_datapoints"], 6);
    assert_eq!(doc["summary"]["shard_datapoints"], 2);
}

#[test]
fn metric_table_shows_min_avg_max_last() {
    let r = run(&[
        "metrics",
        "-p",
        "iterator-age",
        "--period",
        "15m",
        testdata("metrics/streams").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with(
            "Iterator Age (ms) (account 111122223333)\n(8 buckets of 15m, 2024-03-09T00:00:00Z to 2024-03-09T02:00:00Z)\n"
        ),
        "{}",
        r.stdout
    );
    for h in [
        "region", "stream", "shard", "min", "avg", "max", "last", "trend",
    ] {
        assert!(r.stdout.contains(h), "{h}: {}", r.stdout);
    }
    // 3 stream-level and 4 shard-level series.
    assert_eq!(
        r.stdout.matches("│ us-east-1").count() + r.stdout.matches("│ eu-west-1").count(),
        7,
        "{}",
        r.stdout
    );
}

#[test]
fn cloudtrail_input_is_not_metrics() {
    let r = run(&["metrics", testdata("doc-sample").to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("sumo-sample.json: skipped: not a metrics file: no CloudWatch datapoints"),
        "{}",
        r.stderr
    );
    // Next to good metrics, it is a warning and the good data counts.
    let r = run(&[
        "metrics",
        "-f",
        "json",
        "-p",
        "iterator-age",
        testdata("doc-sample").to_str().unwrap(),
        testdata("metrics/streams").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["summary"]["files_read"], 4);
    assert_eq!(doc["summary"]["files_failed"], 1);
    let r = run(&["metrics", testdata("broken/garbage.bin").to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a metrics file"), "{}", r.stderr);
}

#[test]
fn relative_to_latest_counts_back_from_the_newest_datapoint() {
    // The sample's newest datapoint is at 01:59; 30 minutes back from it is 01:29:00, inclusive,
    // so the buckets of 01:29 to 01:59 count: 31 one-minute buckets per series, as with
    // `--since 2024-03-09T01:29:00Z`, the window_since reported.
    let r = run(&[
        "metrics",
        "-q",
        "-f",
        "json",
        "-p",
        "incoming-bytes",
        "--since",
        "30m",
        "--relative-to",
        "latest",
        testdata("metrics/streams").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["summary"]["window_since"], "2024-03-09T01:29:00Z");
    assert_eq!(doc["summary"]["first_datapoint"], "2024-03-09T01:29:00Z");
    assert_eq!(doc["summary"]["last_datapoint"], "2024-03-09T01:59:00Z");
    let rows = doc["panels"]["incoming-bytes"]["rows"].as_array().unwrap();
    // 7 series (3 stream-level, 4 shard-level), each with 31 buckets.
    assert_eq!(rows.len(), 7 * 31);
}

#[test]
fn accounts_are_kept_apart_and_filtered() {
    // An organisation's dump: two accounts, each with a stream orders in us-east-1.
    let both = [testdata("metrics/streams"), testdata("metrics/accounts")];
    let both: Vec<&str> = both.iter().map(|p| p.to_str().unwrap()).collect();
    compare(
        &[&["--period", "10m"], &both[..]].concat(),
        "two-accounts",
        &PANELS,
    );
    compare(
        &[&["--period", "10m", "--account", "4444*"], &both[..]].concat(),
        "streams-account",
        &PANELS,
    );
    // The table keeps an account column only when the panel spans several.
    let r = run(&[
        &["metrics", "-p", "iterator-age", "--period", "15m"],
        &both[..],
    ]
    .concat());
    // (At 100 columns, blocks: a line per column.)
    let has_account = |s: &str| s.contains("│ account ") || s.contains("\naccount ");
    assert!(has_account(&r.stdout), "{}", r.stdout);
    let r = run(&["metrics", "-p", "iterator-age", "--period", "15m", both[1]]);
    assert!(
        r.stdout
            .starts_with("Iterator Age (ms) (account 444455556666)\n(8 buckets of 15m"),
        "{}",
        r.stdout
    );
    assert!(!has_account(&r.stdout), "{}", r.stdout);
    // By hand: the same stream name in the same region, in two accounts (one from the record,
    // one from the S3 key), and a CLI output with no account at all.
    let dir = tempfile::tempdir().unwrap();
    let point = |account: &str, sum: f64| {
        datapoint(
            "IncomingRecords",
            r#"{"StreamName":"orders"}"#,
            0,
            sum,
            1.0,
            sum,
        )
        .replace(
            r#"{"region""#,
            &format!(r#"{{"account_id":"{account}","region""#),
        )
    };
    fs::write(dir.path().join("a.json"), point("111122223333", 100.0)).unwrap();
    let keyed = dir.path().join("AWSLogs/444455556666/metrics");
    fs::create_dir_all(&keyed).unwrap();
    fs::write(keyed.join("b.json"), point("", 1.0)).unwrap();
    let args = |extra: &[&str]| {
        let mut a = vec!["metrics", "-f", "csv", "-p", "incoming-records"];
        a.extend_from_slice(extra);
        a.push(dir.path().to_str().unwrap());
        run(&a)
    };
    let r = args(&[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "time,account,region,stream,shard,value\n\
         2024-03-09T10:00:00Z,111122223333,r,orders,,100\n\
         2024-03-09T10:00:00Z,444455556666,r,orders,,1\n"
    );
    assert!(
        r.stderr.contains(
            "note: the input spans 2 accounts (111122223333, 444455556666); --account selects some"
        ),
        "{}",
        r.stderr
    );
    let r = args(&["--account", "444455556666"]);
    assert_eq!(
        r.stdout,
        "time,account,region,stream,shard,value\n\
         2024-03-09T10:00:00Z,444455556666,r,orders,,1\n"
    );
    // --account chose already: the note is not said again.
    assert!(!r.stderr.contains("selects some"), "{}", r.stderr);
}

#[test]
fn times_outside_1970_to_9999_are_bad_records() {
    let dir = tempfile::tempdir().unwrap();
    let good = datapoint("IncomingRecords", r#"{"StreamName":"s"}"#, 0, 7.0, 1.0, 7.0);
    let at = |ts: &str| good.replace("1709978400000", ts);
    let lines = [
        good.clone(),
        at("-1e300"),
        at("1e300"),
        at("-1"),
        at("253402300800000"),
    ];
    fs::write(dir.path().join("points.json"), lines.join("\n")).unwrap();
    let gms = r#"{"Label":"IncomingRecords","Datapoints":[{"Timestamp":"1969-12-31T23:59:59Z","Sum":1.0},{"Timestamp":"2024-03-09T10:00:00Z","Sum":2.0}]}"#;
    fs::write(dir.path().join("gms.json"), gms).unwrap();
    let r = run(&[
        "metrics",
        "-f",
        "csv",
        "-p",
        "incoming-records",
        "--label-stream",
        "s",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    // Said as every skip reason is: the count, the first place (the second line; the first
    // entry of the one top-level object) and the first time as written.
    assert!(
        r.stderr.contains(
            "points.json: 4 records skipped: a timestamp outside the years 1970 to 9999 \
             (first at line 2: -1e300 ms)"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(
            "gms.json: 1 record skipped: a timestamp outside the years 1970 to 9999 \
             (first at line 1, column 1, .Datapoints[0]: 1969-12-31T23:59:59Z)"
        ),
        "{}",
        r.stderr
    );
    assert_eq!(
        r.stdout,
        "time,account,region,stream,shard,value\n\
         2024-03-09T10:00:00Z,,,s,,2\n\
         2024-03-09T10:00:00Z,,r,s,,7\n"
    );
}

#[test]
fn a_far_outlier_with_a_short_period_is_refused_not_allocated() {
    // One datapoint in 2100 next to one in 2024: with 1-minute buckets the panel would span
    // about 40 million buckets.
    let dir = tempfile::tempdir().unwrap();
    let good = datapoint("IncomingRecords", r#"{"StreamName":"s"}"#, 0, 7.0, 1.0, 7.0);
    // 2100-01-01T00:00:00Z
    let far = good.replace("1709978400000", "4102444800000");
    fs::write(dir.path().join("points.json"), format!("{good}\n{far}")).unwrap();
    let path = dir.path().to_str().unwrap();
    let r = run(&["metrics", "-p", "incoming-records", "--period", "1m", path]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    // (4102444800000 - 1709978400000) / 60000 + 1 buckets.
    assert!(
        r.stderr.contains(
            "panel 'incoming-records': 39874441 buckets of 1m would be needed from \
             2024-03-09T10:00:00Z to 2100-01-01T00:00:00Z (at most 100000); choose a larger \
             --period or a narrower --since/--until"
        ),
        "{}",
        r.stderr
    );
    // The default period covers the range in few buckets.
    let r = run(&["metrics", "-q", "-p", "incoming-records", path]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn an_overflowing_sum_is_infinite_not_zero() {
    let dir = tempfile::tempdir().unwrap();
    let big = datapoint(
        "IncomingRecords",
        r#"{"StreamName":"s"}"#,
        0,
        1e308,
        1.0,
        1.0,
    );
    fs::write(dir.path().join("points.json"), format!("{big}\n{big}")).unwrap();
    let r = run(&[
        "metrics",
        "-f",
        "csv",
        "-p",
        "incoming-records",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "time,account,region,stream,shard,value\n2024-03-09T10:00:00Z,,r,s,,inf\n"
    );
    assert!(r.stderr.contains("show as inf"), "{}", r.stderr);
}

#[test]
fn the_query_file_in_the_folder_read_is_not_an_input() {
    let dir = testdata("metrics/get-metric-data");
    let r = run(&[
        "metrics",
        "-f",
        "json",
        "-p",
        "incoming-bytes",
        "--queries",
        dir.join("queries.json").to_str().unwrap(),
        dir.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["summary"]["files_read"], 1);
    assert_eq!(doc["summary"]["files_failed"], 0);
    assert!(!r.stderr.contains("queries.json"), "{}", r.stderr);
}

#[test]
fn opentelemetry_formats_give_the_json_panels() {
    for dir in ["streams", "otel-1.0", "otel-0.7"] {
        let path = testdata(&format!("metrics/{dir}"));
        compare(
            &["--period", "5m", path.to_str().unwrap()],
            "streams-5m",
            &PANELS,
        );
        compare(
            &[
                "--period",
                "15m",
                "--since",
                "2024-03-09T00:30:00Z",
                "--until",
                "2024-03-09T01:30:00Z",
                "--stream",
                "orders",
                path.to_str().unwrap(),
            ],
            "streams-window",
            &PANELS,
        );
    }
    let summary = |dir: &str| {
        let r = run(&[
            "metrics",
            "-q",
            "-f",
            "json",
            "-p",
            "iterator-age",
            testdata(&format!("metrics/{dir}")).to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        doc["summary"].clone()
    };
    let json = summary("streams");
    // 120 minutes of EC2 datapoints and 120 x 3 streams minus clickstream's 20-minute gap of
    // consumer datapoints, as generate.py writes them.
    assert_eq!(json["other_namespace_datapoints"], 120);
    assert_eq!(json["other_dimension_datapoints"], 340);
    assert_eq!(summary("otel-1.0"), json);
    assert_eq!(summary("otel-0.7"), json);
}

/// The first plain (not gzipped) OpenTelemetry 1.0 fixture file.
fn otel_plain_file() -> (std::path::PathBuf, Vec<u8>) {
    let path =
        testdata("metrics/otel-1.0/2024/03/09/00/KinesisMetrics-1-2024-03-09-00-30-00-0000bbbb");
    let bytes = fs::read(&path).unwrap();
    assert_ne!(&bytes[..2], b"\x1f\x8b", "the fixture is plain");
    (path, bytes)
}

/// The length of the first message and the size of its prefix, read by hand.
fn first_frame(bytes: &[u8]) -> usize {
    let (mut len, mut shift, mut i) = (0usize, 0, 0);
    loop {
        let b = bytes[i];
        len |= usize::from(b & 0x7f) << shift;
        i += 1;
        if b & 0x80 == 0 {
            return i + len;
        }
        shift += 7;
    }
}

/// Every panel of `path` as CSV, with the exit status and stderr.
fn all_panels(path: &std::path::Path) -> (Vec<String>, i32, String) {
    let out = tempfile::tempdir().unwrap();
    let r = run(&[
        "metrics",
        "-f",
        "csv",
        "--period",
        "5m",
        "-o",
        out.path().to_str().unwrap(),
        path.to_str().unwrap(),
    ]);
    let csvs = PANELS
        .iter()
        .map(|p| fs::read_to_string(out.path().join(format!("{p}.csv"))).unwrap_or_default())
        .collect();
    (csvs, r.code, r.stderr)
}

#[test]
fn opentelemetry_damage_is_named_and_counted_and_nothing_good_is_lost() {
    let (clean_path, clean) = otel_plain_file();
    let (want, code, _) = all_panels(&clean_path);
    assert_eq!(code, 0);
    let cut = first_frame(&clean);
    assert!(cut < clean.len());
    // A length-delimited frame whose content is not a request: field 1 says 16 bytes, 1 follows.
    let not_a_request: &[u8] = &[3, 0x0a, 0x10, 0x01];
    // A frame holding an empty request: it decodes, but carries no metrics.
    let empty_request: &[u8] = &[2, 0x0a, 0x00];
    let cases: Vec<(&str, Vec<u8>, &str, u64)> = vec![
        (
            "truncated-varint",
            [&clean[..], &[0xff, 0xff]].concat(),
            "the file ends inside a message's length prefix (at byte",
            1,
        ),
        (
            "past-the-end",
            [&clean[..], &[0xe8, 0x07], &[0x0a; 10]].concat(),
            "a message's length runs past the end of the file (at byte",
            1,
        ),
        (
            "truncated-message",
            clean[..clean.len() - 7].to_vec(),
            "a message's length runs past the end of the file",
            // The last message is lost: all its datapoints go, and the panels differ (below).
            1,
        ),
        (
            "not-a-request",
            [&clean[..cut], not_a_request, &clean[cut..], not_a_request].concat(),
            "a message is not an ExportMetricsServiceRequest: 2 times, first at byte",
            2,
        ),
        (
            "no-metrics",
            [&clean[..cut], empty_request, &clean[cut..]].concat(),
            "a message carries no metrics (at byte",
            1,
        ),
        (
            "bad-varint",
            [&clean[..], &[0xff; 6]].concat(),
            "a message's length prefix is not a varint32",
            1,
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes, message, skipped) in cases {
        let path = dir.path().join(name);
        fs::write(&path, &bytes).unwrap();
        let (got, code, stderr) = all_panels(&path);
        assert_eq!(code, 1, "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("{}: ", path.display())) && stderr.contains(message),
            "{name}: {stderr}"
        );
        assert!(
            stderr.contains(&format!(", {skipped} skipped")),
            "{name}: {stderr}"
        );
        if name == "truncated-message" {
            assert_ne!(got, want, "{name}");
        } else {
            assert_eq!(got, want, "{name}: the good messages all count");
        }
        // The same damage gzipped reads the same.
        let gz_path = dir.path().join(format!("{name}.gz"));
        fs::write(&gz_path, common::gz(&bytes)).unwrap();
        let (gz_got, gz_code, _) = all_panels(&gz_path);
        assert_eq!((gz_got, gz_code), (got, code), "{name} gzipped");
    }
}

#[test]
fn opentelemetry_files_that_are_not_metrics() {
    let (_, clean) = otel_plain_file();
    let dir = tempfile::tempdir().unwrap();
    // gzip of garbage: decompresses, but is neither format.
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    fs::write(dir.path().join("garbage.gz"), common::gz(&garbage)).unwrap();
    // The start of a message and nothing else: recognised, but nothing readable.
    fs::write(dir.path().join("cut"), &clean[..100]).unwrap();
    let r = run(&["metrics", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("garbage.gz: skipped: not a metrics file"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(
            "cut: skipped: not a metrics file: looks like OpenTelemetry Metric Streams, but a \
             message's length runs past the end of the file (at byte 0"
        ),
        "{}",
        r.stderr
    );
}

/// A get-metric-data run as real tools make it (the shape of a real one: Period 1800, seven
/// points, throttling queried with `Sum` only, timestamps with `+00:00`), plus an expression.
fn half_hourly_get_metric_data(dir: &std::path::Path) -> (String, String) {
    let query = |id: &str, metric: &str| {
        format!(
            r#"{{"Id":"{id}","MetricStat":{{"Metric":{{"Namespace":"AWS/Kinesis","MetricName":"{metric}","Dimensions":[{{"Name":"StreamName","Value":"report"}}]}},"Period":1800,"Stat":"Sum"}}}}"#
        )
    };
    let queries = format!(
        "[{},{},{},{}]",
        query("ir", "IncomingRecords"),
        query("wpte", "WriteProvisionedThroughputExceeded"),
        query("rpte", "ReadProvisionedThroughputExceeded"),
        r#"{"Id":"rate","Expression":"ir/1800","Label":"records per second"}"#
    );
    let times: Vec<String> = (0..7)
        .map(|i| {
            format!(
                "\"2019-10-11T{:02}:{:02}:00+00:00\"",
                5 + i / 2,
                30 * (i % 2)
            )
        })
        .collect();
    let times = times.join(",");
    let result = |id: &str, values: &str| {
        format!(
            r#"{{"Id":"{id}","Label":"{id}","Timestamps":[{times}],"Values":[{values}],"StatusCode":"Complete"}}"#
        )
    };
    let output = format!(
        r#"{{"MetricDataResults":[{},{},{},{}],"Messages":[]}}"#,
        result("ir", "297200.0,265471.0,255861.0,1.0,2.0,3.0,4.0"),
        result("wpte", "0.0,0.0,0.0,5.0,0.0,0.0,0.0"),
        result("rpte", "0.0,1.0,0.0,0.0,0.0,0.0,0.0"),
        result("rate", "165.1,147.5,142.1,0.0,0.0,0.0,0.0"),
    );
    let (q, o) = (dir.join("queries.json"), dir.join("output.json"));
    fs::write(&q, queries).unwrap();
    fs::write(&o, output).unwrap();
    (
        q.to_str().unwrap().to_string(),
        o.to_str().unwrap().to_string(),
    )
}

#[test]
fn default_period_is_never_finer_than_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let (q, o) = half_hourly_get_metric_data(dir.path());
    let r = run(&[
        "metrics",
        "-f",
        "json",
        "-p",
        "incoming-records",
        "--queries",
        &q,
        &o,
    ]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    // Three hours of half-hourly datapoints: 30-minute buckets, one per datapoint (1-minute
    // buckets would be 181, 7 of them with data).
    assert_eq!(doc["summary"]["period_seconds"], 1800, "{}", r.stderr);
    let rows = doc["panels"]["incoming-records"]["rows"]
        .as_array()
        .unwrap();
    let got: Vec<(String, f64)> = rows
        .iter()
        .map(|r| {
            (
                r["time"].as_str().unwrap().to_string(),
                r["value"].as_f64().unwrap(),
            )
        })
        .collect();
    let want = [
        ("2019-10-11T05:00:00Z", 297200.0),
        ("2019-10-11T05:30:00Z", 265471.0),
        ("2019-10-11T06:00:00Z", 255861.0),
        ("2019-10-11T06:30:00Z", 1.0),
        ("2019-10-11T07:00:00Z", 2.0),
        ("2019-10-11T07:30:00Z", 3.0),
        ("2019-10-11T08:00:00Z", 4.0),
    ];
    assert_eq!(got, want.map(|(t, v)| (t.to_string(), v)), "{}", r.stderr);
    // An explicit --period still wins.
    let r = run(&[
        "metrics",
        "-q",
        "-f",
        "json",
        "-p",
        "incoming-records",
        "--period",
        "1m",
        "--queries",
        &q,
        &o,
    ]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["summary"]["period_seconds"], 60);
}

#[test]
fn average_panels_with_sums_only_say_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let (q, o) = half_hourly_get_metric_data(dir.path());
    let r = run(&[
        "metrics",
        "-f",
        "csv",
        "-p",
        "write-exceeded",
        "--queries",
        &q,
        &o,
    ]);
    assert_eq!(r.stdout, "time,account,region,stream,shard,value\n");
    assert!(
        r.stderr.contains(
            "write-exceeded: no Average where the datapoints of \
             WriteProvisionedThroughputExceeded carry a Sum but no SampleCount (Average = Sum / \
             SampleCount; buckets left out: 7); query SampleCount as well as Sum"
        ),
        "{}",
        r.stderr
    );
    // In the terminal table, under the panel.
    let r = run(&["metrics", "-p", "read-exceeded", "--queries", &q, &o]);
    assert!(
        r.stdout.contains(
            "no Average where the datapoints of ReadProvisionedThroughputExceeded carry a Sum"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn expression_results_are_counted_like_other_metrics_not_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let (q, o) = half_hourly_get_metric_data(dir.path());
    let r = run(&[
        "metrics",
        "-f",
        "json",
        "-p",
        "incoming-records",
        "--queries",
        &q,
        &o,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["summary"]["skipped_datapoints"], 0);
    assert_eq!(doc["summary"]["other_metric_datapoints"], 7);
    assert_eq!(doc["summary"]["stream_datapoints"], 21);
    assert!(
        r.stderr
            .contains("expression queries (rate) carry no dimensions and are not shown"),
        "{}",
        r.stderr
    );
}

#[test]
fn big_opentelemetry_files_stream_with_the_same_panels() {
    let (_, clean) = otel_plain_file();
    let copies = (9 << 20) / clean.len() + 1;
    let dir = tempfile::tempdir().unwrap();
    let parts = dir.path().join("parts");
    fs::create_dir(&parts).unwrap();
    for i in 0..copies {
        fs::write(parts.join(format!("part-{i:03}")), &clean).unwrap();
    }
    let big = clean.repeat(copies);
    assert!(big.len() > 8 << 20);
    fs::write(dir.path().join("big"), &big).unwrap();
    fs::write(dir.path().join("big.gz"), common::gz(&big)).unwrap();
    let (want, code, stderr) = all_panels(&parts);
    assert_eq!(code, 0, "{stderr}");
    for name in ["big", "big.gz"] {
        let (got, code, stderr) = all_panels(&dir.path().join(name));
        assert_eq!(code, 0, "{name}: {stderr}");
        assert_eq!(got, want, "{name}");
    }
}

/// A get-metric-data export that says it is incomplete (a result's `StatusCode` other than
/// `Complete`, or a `NextToken`) is read, with a warning naming the file; a complete one has
/// neither warning.
#[test]
fn partial_get_metric_data_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (q, o) = half_hourly_get_metric_data(dir.path());
    let complete = run(&[
        "metrics",
        "-q",
        "-f",
        "csv",
        "-p",
        "incoming-records",
        "--queries",
        &q,
        &o,
    ]);
    assert!(
        !complete.stderr.contains("incomplete"),
        "{}",
        complete.stderr
    );
    let text = fs::read_to_string(&o).unwrap();
    // Two of the four results partial, and a NextToken.
    let partial = text
        .replacen(
            r#""StatusCode":"Complete""#,
            r#""StatusCode":"PartialData""#,
            2,
        )
        .replace(r#""Messages":[]"#, r#""Messages":[],"NextToken":"abc""#);
    let p = dir.path().join("partial.json");
    fs::write(&p, partial).unwrap();
    let r = run(&[
        "metrics",
        "-q",
        "-f",
        "csv",
        "-p",
        "incoming-records",
        "--queries",
        &q,
        p.to_str().unwrap(),
    ]);
    let name = p.to_str().unwrap();
    assert!(
        r.stderr.contains(&format!(
            "{name}: get-metric-data output has a NextToken: the call returned only part of its \
             results"
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&format!(
            "{name}: 2 get-metric-data results are not Complete, so they are incomplete (first: \
             ir (PartialData))"
        )),
        "{}",
        r.stderr
    );
    // The datapoints themselves are still counted: the same panels as the complete file.
    assert_eq!(r.stdout, complete.stdout);
}

/// Datapoints that cannot be counted are skipped with a reason and the place of the first, in
/// each JSON form; a statistic of the wrong type is never read as absent (the datapoint would
/// count and show nowhere). The counts and places are those the fixtures are built of.
#[test]
fn skipped_datapoints_say_why_and_where_in_every_json_form() {
    let dir = tempfile::tempdir().unwrap();
    // Metric Streams: minutes 0 and 3 are good (sums 5 and 7); minute 1's timestamp is text,
    // minute 2 has no value, and minute 2 again a sum in quotes (read as absent before: counted
    // with nothing to show on the Sum panel).
    let good = datapoint("IncomingRecords", r#"{"StreamName":"s"}"#, 0, 5.0, 1.0, 5.0);
    let lines = [
        good.clone(),
        good.replace("1709978400000", r#""2024-03-09T10:01:00Z""#),
        good.replace("1709978400000", "1709978520000")
            .replace(r#","value":{"sum":5,"count":1,"max":5,"min":0}"#, ""),
        good.replace("1709978400000", "1709978520000")
            .replace(r#""sum":5"#, r#""sum":"5""#),
        datapoint("IncomingRecords", r#"{"StreamName":"s"}"#, 3, 7.0, 1.0, 7.0),
    ];
    let streams = dir.path().join("streams");
    fs::create_dir(&streams).unwrap();
    fs::write(streams.join("points.json"), lines.join("\n")).unwrap();
    let r = run(&[
        "metrics",
        "-f",
        "csv",
        "-p",
        "incoming-records",
        "--period",
        "1m",
        streams.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let warnings: Vec<&str> = r.stderr.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(
        warnings,
        [
            "kinesis-insights: warning: points.json: 1 record skipped: a timestamp that is not a \
             number (first at line 2)",
            "kinesis-insights: warning: points.json: 1 record skipped: a datapoint without a \
             value (first at line 3)",
            "kinesis-insights: warning: points.json: 1 record skipped: a value.sum that is not a \
             number (first at line 4)",
            "kinesis-insights: warning: points.json: 3 records skipped, 2 read",
        ]
        .map(|w| w.replace("points.json", streams.join("points.json").to_str().unwrap())),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("datapoints of the panels' metrics: 2 stream-level"),
        "{}",
        r.stderr
    );
    assert_eq!(
        r.stdout,
        "time,account,region,stream,shard,value\n\
         2024-03-09T10:00:00Z,,r,s,,5\n\
         2024-03-09T10:03:00Z,,r,s,,7\n"
    );

    // get-metric-data: a result that is not an object, a timestamp that is not a time and a
    // value that is not a number, each at its path in the one top-level object; 10:00 is read.
    let gmd = dir.path().join("gmd");
    fs::create_dir(&gmd).unwrap();
    fs::write(
        gmd.join("output.json"),
        r#"{"MetricDataResults":["oops",{"Id":"m1","StatusCode":"Complete","Timestamps":["2024-03-09T10:00:00Z","nope","2024-03-09T10:02:00Z"],"Values":[1.0,2.0,"3"]}]}"#,
    )
    .unwrap();
    let queries = dir.path().join("queries.json");
    fs::write(
        &queries,
        r#"[{"Id":"m1","MetricStat":{"Metric":{"Namespace":"AWS/Kinesis","MetricName":"IncomingRecords","Dimensions":[{"Name":"StreamName","Value":"s"}]},"Period":60,"Stat":"Sum"}}]"#,
    )
    .unwrap();
    let r = run(&[
        "metrics",
        "-f",
        "csv",
        "-p",
        "incoming-records",
        "--queries",
        queries.to_str().unwrap(),
        gmd.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    for w in [
        "output.json: 1 record skipped: a MetricDataResults entry that is not an object (first \
         at line 1, column 1, .MetricDataResults[0])",
        "output.json: 1 record skipped: a Timestamps entry that is not a time (first at line 1, \
         column 1, .MetricDataResults[1].Timestamps[1])",
        "output.json: 1 record skipped: a Values entry that is not a number (first at line 1, \
         column 1, .MetricDataResults[1].Values[2])",
        "output.json: 3 records skipped, 1 read",
    ] {
        assert!(r.stderr.contains(w), "{w}\n{}", r.stderr);
    }
    assert_eq!(
        r.stdout,
        "time,account,region,stream,shard,value\n2024-03-09T10:00:00Z,,,s,,1\n"
    );

    // get-metric-statistics: a Sum in quotes, an entry that is not an object, a timestamp that
    // is not a time, an entry with no statistic; 10:02 is read.
    let gms = dir.path().join("gms");
    fs::create_dir(&gms).unwrap();
    fs::write(
        gms.join("stats.json"),
        r#"{"Label":"IncomingRecords","Datapoints":[{"Timestamp":"2024-03-09T10:00:00Z","Sum":"2","Maximum":2.0},7,{"Timestamp":"x","Sum":1.0},{"Timestamp":"2024-03-09T10:01:00Z","Unit":"Count"},{"Timestamp":"2024-03-09T10:02:00Z","Sum":4.0}]}"#,
    )
    .unwrap();
    let r = run(&[
        "metrics",
        "-f",
        "csv",
        "-p",
        "incoming-records",
        "--label-stream",
        "s",
        gms.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    for w in [
        "stats.json: 1 record skipped: a Sum that is not a number (first at line 1, column 1, \
         .Datapoints[0])",
        "stats.json: 1 record skipped: a Datapoints entry that is not an object (first at line \
         1, column 1, .Datapoints[1])",
        "stats.json: 1 record skipped: a datapoint without a Timestamp that is a time (first at \
         line 1, column 1, .Datapoints[2])",
        "stats.json: 1 record skipped: a datapoint without a Sum, Average, Maximum or \
         SampleCount (first at line 1, column 1, .Datapoints[3])",
        "stats.json: 4 records skipped, 1 read",
    ] {
        assert!(r.stderr.contains(w), "{w}\n{}", r.stderr);
    }
    assert_eq!(
        r.stdout,
        "time,account,region,stream,shard,value\n2024-03-09T10:02:00Z,,,s,,4\n"
    );
}

/// Every file below `dir`.
fn files_below(dir: &std::path::Path) -> usize {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| if p.is_dir() { files_below(&p) } else { 1 })
        .sum()
}

/// CloudTrail logs given to `metrics`: one warning for all the files (their count and the
/// first three names), a note that names the command that reads them, status 2 (no readable
/// input); next to metrics files that are read, status 1; `health` reads both and says nothing.
#[test]
fn cloudtrail_files_given_to_metrics_say_which_command_reads_them() {
    let trail = testdata("cloudtrail");
    let n = files_below(&trail);
    let r = run(&["metrics", trail.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let warnings: Vec<&str> = r.stderr.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warnings.len(), 1, "{}", r.stderr);
    assert!(
        warnings[0].starts_with(&format!(
            "kinesis-insights: warning: {n} files could not be read as CloudWatch metrics: "
        )) && warnings[0].contains(&format!(
            " and {} more; the first: not a metrics file: no CloudWatch datapoints",
            n - 3
        )),
        "{}",
        r.stderr
    );
    let hint = "kinesis-insights: note: the files that could not be read look like CloudTrail \
                logs: try `kinesis-insights events …` (`health` reads both kinds)";
    assert!(r.stderr.contains(hint), "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("error: no readable input: all {n} files failed")),
        "{}",
        r.stderr
    );
    // Mostly CloudTrail, with the metrics files read: the same warning and note, the panels of
    // the metrics, status 1.
    let streams = testdata("metrics/streams");
    let r = run(&[
        "metrics",
        "-f",
        "json",
        "-p",
        "iterator-age",
        trail.to_str().unwrap(),
        streams.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains(hint), "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["summary"]["files_read"], 4);
    assert_eq!(doc["summary"]["files_failed"], n);
    // health reads both kinds: no note.
    let r = run(&["health", "-q", trail.to_str().unwrap()]);
    assert!(!r.stderr.contains("look like"), "{}", r.stderr);
}

/// The notes (`PANEL: ...`, in panel order) of every panel of a `metrics -f json` run, and its
/// summary.
fn notes_and_summary(args: &[&str]) -> (Vec<String>, serde_json::Value) {
    let mut all = vec!["metrics", "-f", "json"];
    all.extend_from_slice(args);
    let r = run(&all);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let notes = PANELS
        .iter()
        .filter_map(|p| {
            let note = doc["panels"][*p]["note"].as_str()?;
            Some(format!("{p}: {note}"))
        })
        .collect();
    (notes, doc["summary"].clone())
}

const GET_MAXIMUM: &str = "this panel shows the Maximum: query it (get-metric-data \"Stat\": \
                           \"Maximum\"; get-metric-statistics --statistics Maximum; Metric \
                           Streams carry every statistic)";
const GET_SUM: &str = "this panel shows the Sum: query it (get-metric-data \"Stat\": \"Sum\"; \
                       get-metric-statistics --statistics Sum; Metric Streams carry every statistic)";
const GET_AVERAGE: &str = "this panel shows the Average: query Sum and SampleCount \
                           (get-metric-data \"Stat\": \"Sum\" and \"Stat\": \"SampleCount\"; \
                           get-metric-statistics --statistics Sum SampleCount; Metric Streams carry \
                           every statistic)";

/// get-metric-data queries of statistics the panels cannot use: the console's default Average
/// for iterator age (a Maximum panel), a Maximum for incoming bytes (a Sum panel), a p99 for
/// put latency (an Average panel; extended statistics are read by no panel). Each panel stays
/// empty and says why in its note, with the buckets left out (one a datapoint: 1-minute data),
/// and the summary still accounts for all 5 + 3 + 4 datapoints.
#[test]
fn get_metric_data_of_statistics_a_panel_cannot_use_is_noted() {
    let dir = tempfile::tempdir().unwrap();
    let five: Vec<(u32, f64)> = (0..5).map(|m| (m, 80_000_000.0)).collect();
    let (q, o) = exports::get_metric_data(
        dir.path(),
        &[
            exports::Query {
                id: "ia",
                metric: "GetRecords.IteratorAgeMilliseconds",
                stat: "Average",
                points: &five,
            },
            exports::Query {
                id: "ib",
                metric: "IncomingBytes",
                stat: "Maximum",
                points: &[(0, 1000.0), (1, 1000.0), (2, 1000.0)],
            },
            exports::Query {
                id: "lat",
                metric: "PutRecord.Latency",
                stat: "p99",
                points: &[(0, 5.0), (1, 5.0), (2, 5.0), (3, 5.0)],
            },
        ],
    );
    let (notes, summary) = notes_and_summary(&["--queries", &q, &o]);
    assert_eq!(
        notes,
        [
            format!(
                "incoming-bytes: no Sum where the datapoints of IncomingBytes carry a Maximum (1 \
                 series, buckets left out: 3); {GET_SUM}"
            ),
            format!(
                "put-latency: no Average where the datapoints of PutRecord.Latency carry p99, a \
                 statistic no panel reads (1 series, buckets left out: 4); {GET_AVERAGE}"
            ),
            format!(
                "iterator-age: no Maximum where the datapoints of \
                 GetRecords.IteratorAgeMilliseconds carry an Average (1 series, buckets left out: \
                 5); {GET_MAXIMUM}"
            ),
        ]
    );
    // 5 + 3 of the panels' metrics, the 4 p99 datapoints among the other metrics: 12 in all.
    assert_eq!(summary["stream_datapoints"], 8);
    assert_eq!(summary["other_metric_datapoints"], 4);
    // With the Maximum queried as well, iterator age has its rows and no note; a p99 beside an
    // Average the panel can show leaves no bucket out either.
    let (q, o) = exports::get_metric_data(
        dir.path(),
        &[
            exports::Query {
                id: "ia",
                metric: "GetRecords.IteratorAgeMilliseconds",
                stat: "Average",
                points: &five,
            },
            exports::Query {
                id: "im",
                metric: "GetRecords.IteratorAgeMilliseconds",
                stat: "Maximum",
                points: &five,
            },
            exports::Query {
                id: "lat",
                metric: "PutRecord.Latency",
                stat: "p99",
                points: &[(0, 5.0)],
            },
            exports::Query {
                id: "lav",
                metric: "PutRecord.Latency",
                stat: "Average",
                points: &[(0, 2.0)],
            },
        ],
    );
    let (notes, _) = notes_and_summary(&["--queries", &q, &o]);
    assert!(notes.is_empty(), "{notes:?}");
}

/// get-metric-statistics output of an Average without a SampleCount for iterator age, and of
/// an Average and a Maximum without a Sum for incoming bytes, as `--statistics Average` and
/// `--statistics Average Maximum` write them.
#[test]
fn get_metric_statistics_of_statistics_a_panel_cannot_use_is_noted() {
    let dir = tempfile::tempdir().unwrap();
    exports::get_metric_statistics(
        dir.path(),
        "ia.json",
        "GetRecords.IteratorAgeMilliseconds",
        &[
            (0, &[("Average", 80_000_000.0)]),
            (5, &[("Average", 85_000_000.0)]),
        ],
    );
    exports::get_metric_statistics(
        dir.path(),
        "ib.json",
        "IncomingBytes",
        &[
            (0, &[("Average", 900_000.0), ("Maximum", 1_000_000.0)]),
            (5, &[("Average", 900_000.0), ("Maximum", 1_000_000.0)]),
        ],
    );
    let d = dir.path().to_str().unwrap();
    let (notes, summary) = notes_and_summary(&["--label-stream", "s1", d]);
    assert_eq!(
        notes,
        [
            format!(
                "incoming-bytes: no Sum where the datapoints of IncomingBytes carry a Maximum and \
                 an Average (1 series, buckets left out: 2); {GET_SUM}"
            ),
            format!(
                "iterator-age: no Maximum where the datapoints of \
                 GetRecords.IteratorAgeMilliseconds carry an Average (1 series, buckets left out: \
                 2); {GET_MAXIMUM}"
            ),
        ]
    );
    assert_eq!(summary["stream_datapoints"], 4);
}

/// Metric Streams datapoints with a SampleCount of 0 (no samples in the minute) give an Average
/// panel nothing to show for their minutes: said, not dropped silently; a minute with samples
/// beside them keeps its row (sum 6 over count 3: 2 ms). Shard-level iterator age with a
/// Maximum needs no note.
#[test]
fn metric_streams_datapoints_without_samples_are_noted() {
    let dir = tempfile::tempdir().unwrap();
    let records = [
        exports::stream_record("PutRecord.Latency", "", 0, 0.0, 0.0, 0.0),
        exports::stream_record("PutRecord.Latency", "", 1, 0.0, 0.0, 0.0),
        exports::stream_record("PutRecord.Latency", "", 2, 6.0, 3.0, 4.0),
        exports::stream_record("IteratorAgeMilliseconds", "shardId-1", 0, 10.0, 1.0, 10.0),
    ];
    fs::write(dir.path().join("ms.json"), records.join("\n")).unwrap();
    let d = dir.path().to_str().unwrap();
    let (notes, summary) = notes_and_summary(&[d]);
    assert_eq!(
        notes,
        [
            "put-latency: no Average where the datapoints of PutRecord.Latency carry a SampleCount \
          of 0 (1 series, buckets left out: 2): no samples in those periods, so nothing to \
          average"
        ]
    );
    assert_eq!(
        (&summary["stream_datapoints"], &summary["shard_datapoints"]),
        (&3.into(), &1.into())
    );
    let r = run(&["metrics", "-f", "csv", "-p", "put-latency", "-q", d]);
    assert_eq!(
        r.stdout,
        "time,account,region,stream,shard,value\n2026-11-28T10:02:00Z,111122223333,us-east-1,s1,,2\n"
    );
}

/// A get-metric-data query file given as data (the file passed to `--metric-data-queries`,
/// named as an input where `--queries` was meant) is named as one, with where it belongs,
/// in `metrics`, `health` and `events`, in both of its shapes (an object with
/// `MetricDataQueries`, a top-level array; a query with an `Expression` too) and in UTF-16;
/// a JSON array of objects that are not queries (no `MetricStat` or `Expression`) is still
/// not metrics.
#[test]
fn a_query_file_given_as_data_is_named_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let (q, o) = exports::get_metric_data(
        dir.path(),
        &[exports::Query {
            id: "ib",
            metric: "IncomingBytes",
            stat: "Sum",
            points: &[(0, 1000.0)],
        }],
    );
    let said = |file: &str| {
        format!("{file}: skipped: a get-metric-data query file, not data: pass it with --queries")
    };
    // The tester's command: both files given as inputs.
    let r = run(&["metrics", &q, &o]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains(&said(&q)), "{}", r.stderr);
    assert!(!r.stderr.contains("not a metrics file"), "{}", r.stderr);
    // The query file alone: nothing else to read.
    let r = run(&["health", &q]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains(&said(&q)), "{}", r.stderr);
    assert!(!r.stderr.contains("eventSource"), "{}", r.stderr);
    // A top-level array, with an expression, in UTF-16 as PowerShell 5.1 writes it.
    let array = dir.path().join("array.json");
    fs::write(
        &array,
        utf16(
            r#"[{"Id":"m1","MetricStat":{"Metric":{"Namespace":"AWS/Kinesis","MetricName":"IncomingBytes","Dimensions":[{"Name":"StreamName","Value":"s1"}]},"Period":60,"Stat":"Sum"}},{"Id":"e1","Expression":"m1/60","Label":"per second"}]"#,
            false,
        ),
    )
    .unwrap();
    let array = array.to_str().unwrap();
    let r = run(&["metrics", array]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains(&said(array)), "{}", r.stderr);
    // `events` says which command takes it, and the other command's note follows.
    let r = run(&["events", &q]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "{q}: skipped: a get-metric-data query file, not data: pass it to `kinesis-insights \
             metrics` (or `health`) with --queries"
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("the files that could not be read look like CloudWatch metrics"),
        "{}",
        r.stderr
    );
    // Objects with an Id but no query in them are not a query file.
    let other = dir.path().join("other.json");
    fs::write(&other, r#"[{"Id":"m1","MetricStats":{}}]"#).unwrap();
    let other = other.to_str().unwrap();
    let r = run(&["metrics", other]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("{other}: skipped: not a metrics file")),
        "{}",
        r.stderr
    );
}

/// `--stream` takes a stream's ARN: the series of that stream in that account and region (the
/// series key's). get-metric-data output carries neither: its series match by name, and by
/// the account too where the file lies under an `AWSLogs/ACCOUNT/` key. Names and ARNs are
/// ORed; `!ARN` leaves out that one stream.
#[test]
fn stream_arns_select_series_by_account_and_region() {
    let dir = tempfile::tempdir().unwrap();
    let record = |account: &str, region: &str, stream: &str| {
        format!(
            r#"{{"metric_stream_name":"ms","account_id":"{account}","region":"{region}","namespace":"AWS/Kinesis","metric_name":"IncomingRecords","dimensions":{{"StreamName":"{stream}"}},"timestamp":{},"value":{{"max":1.0,"min":1.0,"sum":1.0,"count":1.0}},"unit":"None"}}"#,
            exports::START_MS
        )
    };
    let lines = [
        record("111122223333", "eu-west-1", "orders"),
        record("444455556666", "eu-west-1", "orders"),
        record("111122223333", "us-east-1", "orders"),
        record("111122223333", "eu-west-1", "clicks"),
        record("111122223333", "eu-west-1", "s1"),
    ];
    fs::write(dir.path().join("streams.json"), lines.join("\n")).unwrap();
    let (q, o) = exports::get_metric_data(
        dir.path(),
        &[exports::Query {
            id: "ir",
            metric: "IncomingRecords",
            stat: "Sum",
            points: &[(0, 5.0)],
        }],
    );
    let keyed = dir.path().join("AWSLogs/999988887777/cw");
    fs::create_dir_all(&keyed).unwrap();
    fs::copy(&o, keyed.join("output.json")).unwrap();
    let d = dir.path().to_str().unwrap();
    let series = |streams: &[&str]| {
        let mut args = vec![
            "metrics",
            "-f",
            "csv",
            "-p",
            "incoming-records",
            "--queries",
            &q,
        ];
        for s in streams {
            args.extend(["--stream", s]);
        }
        args.push(d);
        let r = run(&args);
        assert_eq!(r.code, 0, "{streams:?}: {}", r.stderr);
        let mut keys: Vec<String> = csv_rows(&r.stdout)[1..]
            .iter()
            .map(|r| format!("{}/{}/{}", r[1], r[2], r[3]))
            .collect();
        keys.sort();
        keys
    };
    let orders_1 = "arn:aws:kinesis:eu-west-1:111122223333:stream/orders";
    assert_eq!(series(&[orders_1]), ["111122223333/eu-west-1/orders"]);
    assert_eq!(
        series(&["arn:aws-us-gov:kinesis:eu-west-1:444455556666:stream/orders"]),
        ["444455556666/eu-west-1/orders"]
    );
    // The export's series have no region and, outside the key, no account: the name decides.
    assert_eq!(
        series(&["arn:aws:kinesis:eu-west-1:111122223333:stream/s1"]),
        ["//s1", "111122223333/eu-west-1/s1"]
    );
    assert_eq!(
        series(&["arn:aws:kinesis:eu-west-1:999988887777:stream/s1"]),
        ["//s1", "999988887777//s1"]
    );
    assert_eq!(
        series(&[orders_1, "clicks"]),
        [
            "111122223333/eu-west-1/clicks",
            "111122223333/eu-west-1/orders"
        ]
    );
    assert_eq!(
        series(&["orders", &format!("!{orders_1}")]),
        [
            "111122223333/us-east-1/orders",
            "444455556666/eu-west-1/orders"
        ]
    );
}

/// The summary of a JSON run of `args`, its stderr and exit status.
fn summary_of(args: &[&str]) -> (serde_json::Value, String, i32) {
    let mut all = vec![
        "metrics",
        "-f",
        "json",
        "--panel",
        "incoming-bytes",
        "--period",
        "1m",
    ];
    all.extend_from_slice(args);
    let r = run(&all);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", r.stderr);
    });
    (doc, r.stderr, r.code)
}

/// `(repeated, unchecked, duplicate, matched)` datapoints of a summary, and the panel's values.
fn repeat_counts(doc: &serde_json::Value) -> ([u64; 4], Vec<f64>) {
    let s = &doc["summary"];
    let n = |k: &str| s[k].as_u64().unwrap_or_else(|| panic!("{k}: {s}"));
    let values = doc["panels"]["incoming-bytes"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["value"].as_f64().unwrap())
        .collect();
    (
        [
            n("repeated_datapoints"),
            n("unchecked_datapoints"),
            n("duplicate_datapoints"),
            n("matched_datapoints"),
        ],
        values,
    )
}

/// The same get-metric-data export read twice (saved under two names): a Sum result and a
/// Maximum result of IncomingBytes over minutes 0 to 2, 1 MiB a minute. Read once, the two
/// results of a minute are not repeats (they make one bucket); read twice, each of the 6
/// datapoints repeats, the sums double (2 MiB a minute) and a warning says so, whatever the
/// thread count; `--dedup` counts each once (1 MiB, 6 left out).
#[test]
fn a_get_metric_data_export_read_twice_is_found_and_dedup_counts_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let points: Vec<(u32, f64)> = (0..3).map(|m| (m, 1_048_576.0)).collect();
    let (q, o) = exports::get_metric_data(
        dir.path(),
        &[
            exports::Query {
                id: "s",
                metric: "IncomingBytes",
                stat: "Sum",
                points: &points,
            },
            exports::Query {
                id: "m",
                metric: "IncomingBytes",
                stat: "Maximum",
                points: &points,
            },
        ],
    );
    let copy = dir.path().join("copy.json");
    fs::copy(&o, &copy).unwrap();
    let copy = copy.to_str().unwrap();

    let (doc, stderr, code) = summary_of(&["--queries", &q, &o]);
    assert_eq!(repeat_counts(&doc), ([0, 0, 0, 6], vec![1.0; 3]));
    assert!(!stderr.contains("repeat"), "{stderr}");
    assert_eq!(code, 0);

    for threads in ["1", "2"] {
        let (doc, stderr, code) = summary_of(&["-j", threads, "--queries", &q, &o, copy]);
        assert_eq!(
            repeat_counts(&doc),
            ([6, 0, 0, 12], vec![2.0; 3]),
            "-j {threads}"
        );
        assert!(
            stderr.contains(
                "warning: 6 datapoints repeat a series, statistic and time already read (an \
                 export read twice, overlapping exports, or a redelivered Metric Streams \
                 batch?): counted again; --dedup counts each once. The earliest: IncomingBytes \
                 of stream s1, at 2026-11-28T10:00:00Z\n"
            ),
            "{stderr}"
        );
        // Nothing was skipped.
        assert_eq!(code, 0);

        let (doc, stderr, code) =
            summary_of(&["-j", threads, "--dedup", "--queries", &q, &o, copy]);
        assert_eq!(
            repeat_counts(&doc),
            ([0, 0, 6, 6], vec![1.0; 3]),
            "-j {threads}"
        );
        assert!(
            stderr.contains("note: --dedup: 6 repeated datapoints left out"),
            "{stderr}"
        );
        assert!(!stderr.contains("warning"), "{stderr}");
        assert_eq!(code, 0);
    }
}

/// A Metric Streams file copied under two names (an `aws s3 sync` into two folders): its 4
/// records (IncomingBytes of minutes 0 to 3, 2 MiB each; sum, count and maximum together) repeat
/// once each, read by one thread or by two; with `--dedup` the sums are as in one copy. Two
/// records of one minute at 10:00:00 and 10:00:30 (a high-resolution export) are not repeats:
/// the one not on a whole minute is not checked, and says so.
#[test]
fn a_metric_streams_file_copied_repeats_once_a_record() {
    let dir = tempfile::tempdir().unwrap();
    let records: Vec<String> = (0..4)
        .map(|m| exports::stream_record("IncomingBytes", "", m, 2_097_152.0, 2.0, 1_048_576.0))
        .collect();
    for name in ["a.json", "b.json"] {
        fs::write(dir.path().join(name), records.join("\n")).unwrap();
    }
    let d = dir.path().to_str().unwrap();
    for threads in ["1", "2"] {
        let (doc, stderr, _) = summary_of(&["-j", threads, d]);
        assert_eq!(
            repeat_counts(&doc),
            ([4, 0, 0, 8], vec![4.0; 4]),
            "-j {threads}"
        );
        assert!(stderr.contains("warning: 4 datapoints repeat"), "{stderr}");
        let (doc, _, _) = summary_of(&["-j", threads, "--dedup", d]);
        assert_eq!(
            repeat_counts(&doc),
            ([0, 0, 4, 4], vec![2.0; 4]),
            "-j {threads}"
        );
    }

    let half = exports::stream_record("IncomingBytes", "", 0, 1_048_576.0, 1.0, 1_048_576.0)
        .replace(
            &exports::START_MS.to_string(),
            &(exports::START_MS + 30_000).to_string(),
        );
    let whole = exports::stream_record("IncomingBytes", "", 0, 1_048_576.0, 1.0, 1_048_576.0);
    let sub = tempfile::tempdir().unwrap();
    fs::write(sub.path().join("hi.json"), format!("{whole}\n{half}\n")).unwrap();
    let (doc, stderr, code) = summary_of(&[sub.path().to_str().unwrap()]);
    assert_eq!(repeat_counts(&doc), ([0, 1, 0, 2], vec![2.0]));
    assert!(
        stderr.contains(
            "note: 1 datapoint not checked for repeats (not on a whole minute, or more than 45 \
             days from the rest of their series); --dedup checks every one"
        ),
        "{stderr}"
    );
    assert_eq!(code, 0);
    // --dedup keys the time exactly: two times, no repeat.
    let (doc, _, _) = summary_of(&["--dedup", sub.path().to_str().unwrap()]);
    assert_eq!(repeat_counts(&doc), ([0, 0, 0, 2], vec![2.0]));
}

/// The Metric Streams samples, JSON and OpenTelemetry, copied into two folders: every datapoint
/// of the panel's metric repeats once, read by one thread or two, and each bucket's sum is
/// twice the single copy's; with `--dedup` the panel and counts are the single copy's.
#[test]
fn metric_streams_samples_copied_twice_repeat_once_each() {
    for sample in ["streams", "otel-1.0"] {
        let one = testdata(&format!("metrics/{sample}"));
        let dir = tempfile::tempdir().unwrap();
        for copy in ["a", "b"] {
            common::copy_tree(&one, &dir.path().join(copy));
        }
        let (single, _, _) = summary_of(&[one.to_str().unwrap()]);
        let ([_, _, _, n], values) = repeat_counts(&single);
        assert!(n > 100, "{sample}: {n}");
        let doubled: Vec<f64> = values.iter().map(|v| v * 2.0).collect();
        for threads in ["1", "2"] {
            let d = dir.path().to_str().unwrap();
            let (twice, _, _) = summary_of(&["-j", threads, d]);
            assert_eq!(
                repeat_counts(&twice),
                ([n, 0, 0, 2 * n], doubled.clone()),
                "{sample} -j {threads}"
            );
            let (once, _, _) = summary_of(&["-j", threads, "--dedup", d]);
            assert_eq!(
                repeat_counts(&once),
                ([0, 0, n, n], values.clone()),
                "{sample} -j {threads}"
            );
        }
    }
}
