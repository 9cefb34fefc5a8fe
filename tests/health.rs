//! The `health` command end to end: every panel of each scenario in `testdata/health/` (a hot
//! shard, bursty throttling, old iterators near retention, an on-demand stream, a calm stream, a
//! reshard, stream-level series only, a CLI export with a 5-minute period, enhanced fan-out
//! consumers, two accounts with a stream of the same name) against the panels
//! `testdata/health_gen.py` computed independently from the datapoints and events it wrote.

mod common;
#[path = "common/exports.rs"]
mod exports;

use std::fs;

use common::{csv_rows, run, testdata};

const PANELS: [&str; 6] = [
    "findings",
    "shards",
    "streams",
    "write-use",
    "consumers",
    "changes",
];

fn path(rel: &str) -> String {
    testdata(rel).to_str().unwrap().to_string()
}

/// Runs `health` with `args`, every panel to CSV files, and compares them with the expected.
fn compare(args: &[String], expected: &str) {
    let out = tempfile::tempdir().unwrap();
    let mut full: Vec<String> = ["health", "-q", "-f", "csv", "-o"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    full.push(out.path().to_str().unwrap().to_string());
    full.extend_from_slice(args);
    let r = run(&full);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for panel in PANELS {
        let got = fs::read_to_string(out.path().join(format!("{panel}.csv"))).unwrap();
        let want = fs::read_to_string(testdata(&format!("expected/health/{expected}/{panel}.csv")))
            .unwrap();
        assert!(
            got == want,
            "{expected}/{panel} differs:\nwant:\n{want}\ngot:\n{got}"
        );
    }
}

fn scenario(name: &str) {
    compare(&[path(&format!("health/{name}"))], name);
}

#[test]
fn hot_shard() {
    scenario("hot-shard");
}

#[test]
fn bursty_throttling() {
    scenario("bursty");
}

#[test]
fn old_iterator_near_retention() {
    scenario("old-iterator");
}

#[test]
fn on_demand_stream() {
    scenario("on-demand");
}

#[test]
fn calm_stream_raises_nothing() {
    scenario("calm");
    let want = fs::read_to_string(testdata("expected/health/calm/findings.csv")).unwrap();
    assert_eq!(
        want.lines().count(),
        1,
        "the calm stream must have no findings"
    );
}

#[test]
fn reshard_in_cloudtrail() {
    scenario("reshard");
}

#[test]
fn stream_level_series_only() {
    scenario("stream-level");
}

#[test]
fn cli_export_with_a_five_minute_period() {
    compare(
        &[
            "--queries".into(),
            path("health/cli-5m/queries.json"),
            path("health/cli-5m/export"),
            path("health/cli-5m/cloudtrail"),
        ],
        "cli-5m",
    );
}

/// The query file in a folder given as input is not read as an input too (as in `metrics`):
/// the same panels as with the export and the trail named apart, no warning, exit 0.
#[test]
fn the_query_file_in_the_folder_read_is_not_an_input() {
    let findings = |inputs: &[&str]| {
        let mut args = vec!["health", "-f", "csv", "-p", "findings", "--queries"];
        let queries = path("health/cli-5m/queries.json");
        args.push(&queries);
        let inputs: Vec<String> = inputs.iter().map(|p| path(p)).collect();
        args.extend(inputs.iter().map(String::as_str));
        run(&args)
    };
    let apart = findings(&["health/cli-5m/export", "health/cli-5m/cloudtrail"]);
    let folder = findings(&["health/cli-5m"]);
    assert_eq!(folder.code, 0, "{}", folder.stderr);
    assert!(!folder.stderr.contains("queries.json"), "{}", folder.stderr);
    assert!(
        folder.stderr.contains("files: 2 read ·"),
        "{}",
        folder.stderr
    );
    assert_eq!(folder.stdout, apart.stdout);
    assert_eq!(folder.stdout.lines().count(), 4, "{}", folder.stdout);
    // Nothing but the query file: said so, as in `metrics`.
    let alone = run(&[
        "health",
        "--queries",
        &path("health/cli-5m/queries.json"),
        &path("health/cli-5m/queries.json"),
    ]);
    assert_eq!(alone.code, 2, "{}", alone.stderr);
    assert!(
        alone.stderr.contains("no input besides the query file"),
        "{}",
        alone.stderr
    );
}

#[test]
fn enhanced_fan_out_consumers_and_their_lag() {
    scenario("consumers");
}

#[test]
fn two_accounts_with_a_stream_of_the_same_name_stay_apart() {
    scenario("accounts");
}

#[test]
fn account_filter_takes_metrics_and_cloudtrail_alike() {
    compare(
        &["--account".into(), "2222*".into(), path("health/accounts")],
        "accounts-filtered",
    );
    // An exact account of no input: nothing passes, and the run still succeeds.
    let r = run(&[
        "health",
        "-q",
        "-f",
        "csv",
        "-p",
        "streams",
        "--account",
        "999999999999",
        &path("health/accounts"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
}

#[test]
fn consumer_lag_threshold_is_a_flag() {
    // At 20 minutes the 12.6-minute consumer and the 95 s GetRecords consumers pass; the one
    // about to lose data is still critical.
    let r = run(&[
        "health",
        "-q",
        "-f",
        "csv",
        "-p",
        "findings",
        "--consumer-lag",
        "20m",
        &path("health/consumers"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows: Vec<&str> = r.stdout.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{}", r.stdout);
    assert!(
        rows[0].starts_with(
            "critical,consumer-lag,123456789012,eu-central-1,feed,,\"consumer replay:"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn table_says_when_outgoing_bytes_include_enhanced_fan_out() {
    let r = run(&["health", "-p", "shards", &path("health/consumers")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let all = r.stdout.replace('\n', " ");
    assert!(
        all.contains("includes the traffic of enhanced fan-out consumers"),
        "{all}"
    );
    // Not where there are none.
    let r = run(&["health", "-p", "shards", &path("health/hot-shard")]);
    assert!(!r.stdout.contains("fan-out"), "{}", r.stdout);
}

#[test]
fn window_and_shard_filter() {
    compare(
        &[
            "--since".into(),
            "2024-05-06T10:30:00Z".into(),
            "--until".into(),
            "2024-05-06T10:50:00Z".into(),
            "--shard".into(),
            "shardId-00000000000[01]".into(),
            path("health/hot-shard"),
        ],
        "hot-shard-filtered",
    );
}

#[test]
fn fail_on_exits_3_at_or_above_the_level() {
    let old = path("health/old-iterator");
    let calm = path("health/calm");
    let code = |args: &[&str]| {
        let mut full = vec!["health", "-q", "-f", "csv", "-p", "findings"];
        full.extend_from_slice(args);
        run(&full).code
    };
    assert_eq!(code(&["--fail-on", "critical", &old]), 3);
    assert_eq!(code(&["--fail-on", "warning", &old]), 3);
    assert_eq!(code(&[&old]), 0);
    assert_eq!(code(&["--fail-on", "warning", &calm]), 0);
    // Warnings only (bursty throttling): critical does not fail, warning does.
    let bursty = path("health/bursty");
    assert_eq!(code(&["--fail-on", "critical", &bursty]), 0);
    assert_eq!(code(&["--fail-on", "warning", &bursty]), 3);
}

#[test]
fn thresholds_are_flags() {
    // At 95% the 93.75% iterator is a warning, not critical.
    let r = run(&[
        "health",
        "-q",
        "-f",
        "csv",
        "-p",
        "findings",
        "--iterator-age-critical-pct",
        "95",
        &path("health/old-iterator"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("warning,iterator-age,123456789012,eu-west-1,audit,")),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("critical"), "{}", r.stdout);
    // A calm stream becomes hot at a low enough threshold.
    let r = run(&[
        "health",
        "-q",
        "-f",
        "csv",
        "-p",
        "findings",
        "--hot-shard-pct",
        "20",
        &path("health/calm"),
    ]);
    assert_eq!(r.stdout.matches(",hot-shard,").count(), 3, "{}", r.stdout);
}

#[test]
fn table_view_leads_with_findings_and_says_what_was_assumed() {
    let r = run(&["health", &path("health/old-iterator")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let findings = r.stdout.find("Findings").expect("findings table");
    let streams = r.stdout.find("Streams").expect("streams table");
    assert!(findings < streams);
    let all = format!("{}{}", r.stdout, r.stderr).replace('\n', " ");
    assert!(all.contains("retention assumed 24 h"), "{all}");
    assert!(all.contains("shard count unknown"), "{all}");
}

#[test]
fn a_file_of_neither_kind_is_named_and_the_rest_counts() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("notes.txt"), "just some notes, not JSON").unwrap();
    // JSON of neither kind: read as a CloudTrail record without eventSource, skipped.
    fs::write(dir.path().join("other.json"), r#"{"hello":"world"}"#).unwrap();
    let r = run(&[
        "health",
        "-f",
        "csv",
        "-p",
        "findings",
        dir.path().to_str().unwrap(),
        &path("health/old-iterator"),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("notes.txt: skipped: neither CloudWatch metrics (not a metrics file"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("other.json: 1 record skipped: a record without eventSource"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("critical,iterator-age"), "{}", r.stdout);
}

/// Every scenario read through the library in pieces of a few bytes up to whole: the same
/// report (every row and note) and the same file reports.
#[test]
fn scenarios_read_the_same_in_pieces() {
    use kinesis_insights::health::analyze::{Settings, analyze};
    use kinesis_insights::health::{Filters, HealthQuery, HealthReader};
    use kinesis_insights::input::{WalkOptions, discover};
    use kinesis_insights::metrics::parse::load_queries;
    use kinesis_insights::pipeline::{self, PassOptions};
    use kinesis_insights::window::Window;

    let queries = load_queries(&testdata("health/cli-5m/queries.json")).unwrap();
    let pass = |dir: &str, chunk: usize| {
        let found = discover(&[testdata(dir)], WalkOptions::default());
        let q = HealthQuery::new(Window::default(), Filters::default(), false);
        let reader = HealthReader {
            query: &q,
            queries: Some(&queries),
            statistics_series: None,
        };
        let opts = PassOptions {
            chunk_bytes: chunk,
            ..PassOptions::default()
        };
        let (mut acc, reports) = pipeline::run(&reader, &found.sources, opts);
        acc.sort();
        let report = analyze(&acc, &Settings::default());
        format!("{report:?}\n{reports:?}")
    };
    for (dir, check) in [
        ("health/hot-shard", "\"hot-shard\""),
        ("health/reshard", "\"resharding-churn\""),
        ("health/stream-level", "\"over-provisioned\""),
        ("health/consumers", "\"consumer-lag\""),
        ("health/accounts", "\"222233334444\""),
        ("health/cli-5m", "\"settlement\""),
    ] {
        let whole = pass(dir, 1 << 30);
        assert!(whole.contains(check), "{whole}");
        for chunk in [7, 300, 10_000] {
            assert_eq!(pass(dir, chunk), whole, "{dir} in pieces of {chunk}");
        }
    }
}

/// Numbers no real stream has (a shard count and a retention of 10^15 from CloudTrail,
/// datapoints 9,000 years apart, huge and non-finite values) are read without overflow or
/// panic, and the run still reports.
#[test]
fn absurd_numbers_neither_overflow_nor_panic() {
    let dir = tempfile::tempdir().unwrap();
    let big = 999_999_999_999_999u64;
    let trail = format!(
        r#"{{"Records":[{{"eventTime":"2024-05-06T09:00:00Z","eventSource":"kinesis.amazonaws.com","eventName":"CreateStream","awsRegion":"us-east-1","requestParameters":{{"streamName":"s","shardCount":{big},"retentionPeriodHours":{big}}}}},{{"eventTime":"2024-05-06T09:01:00Z","eventSource":"kinesis.amazonaws.com","eventName":"IncreaseStreamRetentionPeriod","awsRegion":"us-east-1","requestParameters":{{"streamName":"s","retentionPeriodHours":{big}}}}}]}}"#
    );
    fs::write(dir.path().join("trail.json"), trail).unwrap();
    let point = |ts: i64, metric: &str, dims: &str, v: &str| {
        format!(
            r#"{{"metric_stream_name":"m","account_id":"1","region":"us-east-1","namespace":"AWS/Kinesis","metric_name":"{metric}","dimensions":{{{dims}}},"timestamp":{ts},"value":{{"sum":{v},"count":1e300,"max":{v}}}}}"#
        )
    };
    let mut lines = Vec::new();
    for ts in [1_715_000_000_000i64, 253_402_200_000_000] {
        for m in [
            "IncomingBytes",
            "IncomingRecords",
            "GetRecords.Bytes",
            "GetRecords.Success",
        ] {
            lines.push(point(ts, m, r#""StreamName":"s""#, "1e308"));
        }
        for m in [
            "IncomingBytes",
            "OutgoingBytes",
            "WriteProvisionedThroughputExceeded",
        ] {
            lines.push(point(ts, m, r#""StreamName":"s","ShardId":"a""#, "1.7e308"));
        }
        lines.push(point(
            ts,
            "SubscribeToShardEvent.MillisBehindLatest",
            r#""StreamName":"s","ConsumerName":"c""#,
            "1e308",
        ));
        lines.push(point(
            ts,
            "GetRecords.IteratorAgeMilliseconds",
            r#""StreamName":"s""#,
            "1e308",
        ));
    }
    fs::write(dir.path().join("metrics.json"), lines.join("\n")).unwrap();
    for format in ["json", "table"] {
        let r = run(&["health", "-q", "-f", format, dir.path().to_str().unwrap()]);
        assert_eq!(r.code, 0, "{format}: {}", r.stderr);
        assert!(r.stdout.contains("consumer-lag"), "{}", r.stdout);
    }
}

/// Nothing checked is a critical `no-data` finding, in every format, so `--fail-on critical`
/// does not pass a run that looked at nothing: CloudTrail only, metrics of other namespaces, an
/// old export under `--since 24h`, filters that match nothing. Each detail is written out here.
#[test]
fn nothing_checked_is_a_critical_finding() {
    let dir = tempfile::tempdir().unwrap();
    let point = |namespace: &str, dims: &str| {
        format!(
            r#"{{"metric_stream_name":"M","account_id":"111122223333","region":"us-east-1","namespace":"{namespace}","metric_name":"IncomingBytes","dimensions":{dims},"timestamp":1709942640000,"value":{{"max":1.0,"min":1.0,"sum":1.0,"count":1.0}},"unit":"Bytes"}}"#
        )
    };
    let ec2 = dir.path().join("ec2.json");
    fs::write(
        &ec2,
        [
            point("AWS/EC2", r#"{"InstanceId":"i-1"}"#),
            point("AWS/EC2", r#"{"InstanceId":"i-2"}"#),
            point("AWS/Kinesis", r#"{"StreamName":"s","Other":"x"}"#),
        ]
        .join("\n"),
    )
    .unwrap();
    let calm = path("health/calm");
    let span = "(the data spans 2024-05-06T10:00:00Z to 2024-05-06T11:59:00Z)";
    let cases: [(Vec<&str>, String); 4] = [
        (
            vec![ec2.to_str().unwrap()],
            "3 datapoints read, none of the checks' AWS/Kinesis metrics (2 outside \
             AWS/Kinesis, 1 of Kinesis series with other dimensions)"
                .to_string(),
        ),
        (
            vec!["--stream", "nope", "--region", "eu-*", &calm],
            format!(
                "2280 datapoints of Kinesis streams read, none through the filters --stream \
                 nope, --region eu-* {span}"
            ),
        ),
        (
            vec!["--since", "2030-01-01", &calm],
            format!(
                "2280 datapoints of Kinesis streams read, none in the window \
                 2030-01-01T00:00:00Z to … {span}"
            ),
        ),
        (
            vec!["--until", "2024-05-06T10:00:00Z", "--stream", "calm", &calm],
            format!(
                "2280 datapoints of Kinesis streams read, none in the window … to \
                 2024-05-06T10:00:00Z {span}"
            ),
        ),
    ];
    for (args, detail) in cases {
        let mut full = vec![
            "health",
            "-q",
            "-f",
            "csv",
            "-p",
            "findings",
            "--fail-on",
            "critical",
        ];
        full.extend_from_slice(&args);
        let r = run(&full);
        assert_eq!(r.code, 3, "{args:?}: {}", r.stderr);
        assert_eq!(
            r.stdout,
            format!(
                "severity,check,account,region,stream,shard,detail\ncritical,no-data,,,,,\"{detail}\"\n"
            ),
            "{args:?}"
        );
    }
    // An old export under --since 24h: the hint to count from the newest datapoint.
    let r = run(&[
        "health", "-q", "-f", "csv", "-p", "findings", "--since", "24h", &calm,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.ends_with(&format!(
            " {span}; --relative-to latest counts --since back from the newest datapoint\"\n"
        )),
        "{}",
        r.stdout
    );
    // CloudTrail only: JSON names it (and counts it as critical), tables show it, and the
    // note on stderr says which panels have rows.
    let trail = path("cloudtrail");
    let r = run(&["health", "-f", "json", "--fail-on", "warning", &trail]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["summary"]["critical_findings"], 1);
    let rows = doc["panels"]["findings"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["check"], "no-data");
    assert_eq!(
        rows[0]["detail"],
        "no CloudWatch metric datapoints among the inputs (only CloudTrail: 1823 Kinesis \
         events); the checks need exports of AWS/Kinesis metrics (Metric Streams, \
         get-metric-data or get-metric-statistics output)"
    );
    assert!(
        r.stderr.contains(
            "no CloudWatch datapoints of the checks' AWS/Kinesis metrics in the input: only \
             the findings and changes panels have rows"
        ),
        "{}",
        r.stderr
    );
    let r = run(&["health", "-p", "findings", ec2.to_str().unwrap()]);
    assert!(r.stdout.contains("critical ┆ no-data"), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("in the input: only the findings panel has rows"),
        "{}",
        r.stderr
    );
}

/// `metrics` and `health` count the datapoints of different metrics (the panels', the checks'),
/// so their stream-level counts differ for the same files; each summary says whose metrics it
/// counts, and what it left out, so both add up to every datapoint in the files. The counts are
/// made here from the files and the metric lists of the README, not by the commands' code.
#[test]
fn metrics_and_health_say_whose_datapoints_they_count() {
    let dir = testdata("metrics/streams");
    let panels_stream = [
        "IncomingBytes",
        "IncomingRecords",
        "GetRecords.Bytes",
        "GetRecords.Records",
        "PutRecord.Latency",
        "GetRecords.Latency",
        "WriteProvisionedThroughputExceeded",
        "ReadProvisionedThroughputExceeded",
        "GetRecords.Success",
        "GetRecords.IteratorAgeMilliseconds",
    ];
    let panels_shard = [
        "IncomingBytes",
        "IncomingRecords",
        "OutgoingBytes",
        "OutgoingRecords",
        "WriteProvisionedThroughputExceeded",
        "ReadProvisionedThroughputExceeded",
        "IteratorAgeMilliseconds",
    ];
    let checks_stream = [
        "IncomingBytes",
        "IncomingRecords",
        "GetRecords.Bytes",
        "GetRecords.Success",
        "WriteProvisionedThroughputExceeded",
        "ReadProvisionedThroughputExceeded",
        "GetRecords.IteratorAgeMilliseconds",
        "PutRecords.FailedRecords",
        "PutRecords.ThrottledRecords",
        "PutRecords.TotalRecords",
    ];
    let checks_shard = [
        "IncomingBytes",
        "IncomingRecords",
        "OutgoingBytes",
        "WriteProvisionedThroughputExceeded",
        "ReadProvisionedThroughputExceeded",
        "IteratorAgeMilliseconds",
    ];
    let checks_consumer = [
        "SubscribeToShardEvent.MillisBehindLatest",
        "SubscribeToShardEvent.Records",
        "SubscribeToShardEvent.Bytes",
        "SubscribeToShard.RateExceeded",
    ];
    // [panels stream, panels shard, checks stream, checks shard, checks consumer, all]
    let mut n = [0u64; 6];
    let mut stack = vec![dir.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            // JSON lines, some with records concatenated (and one invalid UTF-8 byte, which
            // the commands read lossily too).
            // Two of the four files are gzipped.
            let mut bytes = std::fs::read(&p).unwrap();
            if bytes.starts_with(&[0x1f, 0x8b]) {
                let mut out = Vec::new();
                std::io::Read::read_to_end(
                    &mut flate2::read::MultiGzDecoder::new(&bytes[..]),
                    &mut out,
                )
                .unwrap();
                bytes = out;
            }
            let text = String::from_utf8_lossy(&bytes).into_owned();
            for v in serde_json::Deserializer::from_str(&text).into_iter::<serde_json::Value>() {
                let v = v.unwrap();
                n[5] += 1;
                if v["namespace"] != "AWS/Kinesis" {
                    continue;
                }
                let m = v["metric_name"].as_str().unwrap();
                let dims = v["dimensions"].as_object().unwrap();
                let names: Vec<&str> = dims.keys().map(String::as_str).collect();
                match names.as_slice() {
                    ["StreamName"] => {
                        n[0] += u64::from(panels_stream.contains(&m));
                        n[2] += u64::from(checks_stream.contains(&m));
                    }
                    ["ShardId", "StreamName"] => {
                        n[1] += u64::from(panels_shard.contains(&m));
                        n[3] += u64::from(checks_shard.contains(&m));
                    }
                    ["ConsumerName", "StreamName"] => {
                        n[4] += u64::from(checks_consumer.contains(&m));
                    }
                    _ => {}
                }
            }
        }
    }
    // The trial's figures: 3,400 stream-level datapoints in `metrics`, 2,380 in `health`.
    assert_eq!((n[0], n[2]), (3400, 2380));
    let line = |cmd: &str| {
        let r = run(&[cmd, "-f", "json", dir.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let summary = r.stderr.lines().find(|l| l.starts_with("files: "));
        summary.unwrap().to_string()
    };
    let m = line("metrics");
    let h = line("health");
    assert!(
        m.contains(&format!(
            "datapoints of the panels' metrics: {} stream-level, {} shard-level · left out: ",
            n[0], n[1]
        )),
        "{m}"
    );
    assert!(
        h.contains(&format!(
            "datapoints of the checks' metrics: {} stream-level, {} shard-level, {} \
             consumer-level ({} others left out)",
            n[2],
            n[3],
            n[4],
            n[5] - n[2] - n[3] - n[4]
        )),
        "{h}"
    );
    // The metrics summary's parts add up to every datapoint too.
    let numbers: Vec<u64> = m
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect();
    // files read, stream, shard, other dimensions, other metrics, other namespaces
    assert_eq!(numbers.len(), 6, "{m}");
    assert_eq!(numbers[1..].iter().sum::<u64>(), n[5], "{m}");
}

/// The summary's counts agree with their nouns. The calm sample's trail holds one record, a
/// CreateStream: one Kinesis event, one change. The reshard sample's holds 11: an AssumeRole,
/// a PutRecords and nine calls that change a stream (a failed UpdateShardCount among them).
#[test]
fn summary_nouns_agree_with_their_counts() {
    for (dir, counts) in [
        ("health/calm", "CloudTrail: 1 Kinesis event, 1 change"),
        ("health/reshard", "CloudTrail: 10 Kinesis events, 9 changes"),
    ] {
        let r = run(&["health", "-f", "csv", "--panel", "findings", &path(dir)]);
        assert!(
            r.stderr.lines().any(|l| l.ends_with(counts)),
            "{dir}: {}",
            r.stderr
        );
    }
}

/// A record is read or skipped by one rule whichever command reads it: a change event dated
/// 1969 and PutRecords dated 1900 and in year 99999 are skipped by `health` as by `events`
/// (health listed the first as a change and counted the others as Kinesis events), with the
/// same warnings, counts and exit status.
#[test]
fn health_reads_and_skips_cloudtrail_records_as_events_does() {
    let rec = |name: Option<&str>, time: &str, extra: &str| {
        let name = name.map_or(String::new(), |n| format!(r#""eventName":"{n}","#));
        format!(
            r#"{{"eventVersion":"1.08",{name}"eventSource":"kinesis.amazonaws.com","awsRegion":"us-east-1","eventTime":"{time}","recipientAccountId":"111122223333","userIdentity":{{"type":"IAMUser","userName":"ops"}},"requestParameters":{{"streamName":"orders","targetShardCount":2}}{extra}}}"#
        )
    };
    let records = [
        // Read: a change, and a PutRecord.
        rec(Some("UpdateShardCount"), "2024-05-06T10:00:00Z", ""),
        rec(Some("PutRecord"), "2024-05-06T10:05:00Z", ""),
        // Skipped: two times outside the years 1970 to 9999, two that are no time (RFC 3339
        // has four-digit years), no name.
        rec(Some("UpdateShardCount"), "1969-12-31T23:59:59Z", ""),
        rec(Some("PutRecord"), "1900-01-01T00:00:00Z", ""),
        rec(Some("PutRecord"), "99999-01-01T00:00:00Z", ""),
        rec(Some("UpdateShardCount"), "garbage", ""),
        rec(None, "2024-05-06T10:06:00Z", ""),
        // Neither: an Insights record of Kinesis, another service's event.
        rec(
            Some("PutRecord"),
            "2024-05-06T10:07:00Z",
            r#","eventType":"AwsCloudTrailInsight""#,
        ),
        r#"{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2024-05-06T10:08:00Z"}"#.to_string(),
    ];
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trail.json");
    fs::write(&file, format!(r#"{{"Records":[{}]}}"#, records.join(","))).unwrap();
    let file = file.to_str().unwrap();
    let skipped = [
        format!(
            "{file}: 2 records skipped: a Kinesis event with an eventTime outside the years \
             1970 to 9999"
        ),
        format!("{file}: 2 records skipped: a Kinesis event without a valid eventTime"),
        format!("{file}: 1 record skipped: a Kinesis event without an eventName"),
    ];
    let mut seen = Vec::new();
    for (command, panel) in [("events", "events"), ("health", "changes")] {
        let r = run(&[command, "-f", "json", "-p", panel, file]);
        assert_eq!(r.code, 1, "{command}: {}", r.stderr);
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        let s = &doc["summary"];
        assert_eq!(
            (&s["kinesis_events"], &s["skipped_records"]),
            (&2.into(), &5.into()),
            "{command}"
        );
        if command == "health" {
            assert_eq!(s["change_events"], 1);
            let rows = doc["panels"]["changes"]["rows"].as_array().unwrap();
            assert_eq!(rows.len(), 1, "{rows:?}");
            assert_eq!(rows[0]["time"], "2024-05-06T10:00:00Z");
        }
        let mut warned: Vec<String> = r
            .stderr
            .lines()
            .filter(|l| l.contains(" skipped: "))
            .map(|l| {
                let l = l.trim_start_matches("kinesis-insights: warning: ");
                l.split(" (first at ").next().unwrap().to_string()
            })
            .collect();
        warned.sort();
        let mut want = skipped.to_vec();
        want.sort();
        assert_eq!(warned, want, "{command}: {}", r.stderr);
        seen.push(
            r.stderr
                .lines()
                .filter(|l| l.contains(" skipped: "))
                .map(String::from)
                .collect::<Vec<_>>(),
        );
    }
    // Word for word, places included.
    assert_eq!(seen[0], seen[1]);
}

/// `health -f csv -p findings --fail-on LEVEL` on `args`: the findings CSV and the exit status.
fn findings_failing_on(level: &str, args: &[&str]) -> (String, i32) {
    let mut all = vec![
        "health",
        "-q",
        "-f",
        "csv",
        "-p",
        "findings",
        "--fail-on",
        level,
    ];
    all.extend_from_slice(args);
    let r = run(&all);
    (r.stdout, r.code)
}

const HEADER: &str = "severity,check,account,region,stream,shard,detail\n";
const QUERY_MAXIMUM: &str = "query the Maximum (get-metric-data \"\"Stat\"\": \"\"Maximum\"\"; \
                             get-metric-statistics --statistics Maximum; Metric Streams carry \
                             every statistic)";

/// get-metric-data with the console's default statistic, Average, for iterator age: the
/// Average is a lower bound of the Maximum the check reads. At 80,000,000 ms against the 24 h
/// retention assumed (86,400,000 ms) it is 92.59%, over the critical 90%, so the Maximum is
/// too: a critical iterator-age finding from the Average, and nothing left to judge. At
/// 50,000,000 ms (57.87%) the Maximum is at least a warning but may be critical: the warning
/// from the Average, and a critical wrong-statistic finding, so `--fail-on critical` does not
/// pass on what was not judged. A p99 (never above the Maximum either) of 3,000,000 ms (3.47%)
/// only says the GetRecords consumers are at least 60 s behind.
#[test]
fn iterator_age_of_an_average_query_is_a_lower_bound_and_never_passes_silently() {
    let dir = tempfile::tempdir().unwrap();
    let at = |v: f64| -> Vec<(u32, f64)> { (0..5).map(|m| (m, v)).collect() };
    let age = |stat, v| {
        let points = at(v);
        exports::get_metric_data(
            dir.path(),
            &[
                exports::Query {
                    id: "ia",
                    metric: "GetRecords.IteratorAgeMilliseconds",
                    stat,
                    points: &points,
                },
                exports::Query {
                    id: "ib",
                    metric: "IncomingBytes",
                    stat: "Sum",
                    points: &at(1000.0),
                },
            ],
        )
    };
    let (q, o) = age("Average", 80_000_000.0);
    assert_eq!(
        findings_failing_on("warning", &["--queries", &q, &o]),
        (
            format!(
                "{HEADER}critical,iterator-age,,,s1,,\"iterator age reached at least 80000000 ms \
                 (from its Average: the Maximum is at least that), 92.59% of the 24 h retention \
                 (assumed), at 2026-11-28T10:00:00Z: data is about to expire unread\"\n"
            ),
            3
        )
    );
    let (q, o) = age("Average", 50_000_000.0);
    assert_eq!(
        findings_failing_on("critical", &["--queries", &q, &o]),
        (
            format!(
                "{HEADER}critical,wrong-statistic,,,s1,,\"iterator-age could not judge 5 minutes \
                 of GetRecords.IteratorAgeMilliseconds: their datapoints carry an Average but not \
                 the Maximum, which the check needs; {QUERY_MAXIMUM}; their Average, a lower \
                 bound of the Maximum, reached 50000000 ms, 57.87% of the 24 h retention \
                 (assumed), at 2026-11-28T10:00:00Z\"\n\
                 warning,iterator-age,,,s1,,\"iterator age reached at least 50000000 ms (from its \
                 Average: the Maximum is at least that), 57.87% of the 24 h retention (assumed), \
                 at 2026-11-28T10:00:00Z\"\n"
            ),
            3
        )
    );
    let (q, o) = age("p99", 3_000_000.0);
    assert_eq!(
        findings_failing_on("critical", &["--queries", &q, &o]),
        (
            format!(
                "{HEADER}critical,wrong-statistic,,,s1,,\"iterator-age could not judge 5 minutes \
                 of GetRecords.IteratorAgeMilliseconds: their datapoints carry p99 but not the \
                 Maximum, which the check needs; {QUERY_MAXIMUM}; their p99, a lower bound of the \
                 Maximum, reached 3000000 ms, 3.47% of the 24 h retention (assumed), at \
                 2026-11-28T10:00:00Z\"\n\
                 warning,consumer-lag,,,s1,,\"GetRecords consumers: iterator age reached at least \
                 3000000 ms (from its p99: the Maximum is at least that), 3.47% of the 24 h \
                 retention (assumed), at 2026-11-28T10:00:00Z\"\n"
            ),
            3
        )
    );
    // With the Maximum queried as well, the check reads it and nothing more is said.
    let (q, o) = exports::get_metric_data(
        dir.path(),
        &[
            exports::Query {
                id: "ia",
                metric: "GetRecords.IteratorAgeMilliseconds",
                stat: "Average",
                points: &at(50_000_000.0),
            },
            exports::Query {
                id: "im",
                metric: "GetRecords.IteratorAgeMilliseconds",
                stat: "Maximum",
                points: &at(1_000.0),
            },
        ],
    );
    assert_eq!(
        findings_failing_on("warning", &["--queries", &q, &o]),
        (HEADER.to_string(), 0)
    );
}

/// get-metric-statistics output as `--statistics Average` writes it for iterator age (80,000,000
/// and 85,000,000 ms: 98.38% of 24 h at the second), and as `--statistics Average Maximum`
/// for incoming bytes: no Sum, so the write checks could not judge its 2 five-minute periods.
#[test]
fn get_metric_statistics_without_the_statistic_a_check_reads() {
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
    assert_eq!(
        findings_failing_on("critical", &["--label-stream", "s1", d]),
        (
            format!(
                "{HEADER}critical,iterator-age,,,s1,,\"iterator age reached at least 85000000 ms \
                 (from its Average: the Maximum is at least that), 98.38% of the 24 h retention \
                 (assumed), at 2026-11-28T10:05:00Z: data is about to expire unread\"\n\
                 warning,wrong-statistic,,,s1,,\"write-capacity and over-provisioned could not \
                 judge 2 periods of 5m of IncomingBytes: their datapoints carry a Maximum and an \
                 Average but not the Sum, which they need; query the Sum (get-metric-data \
                 \"\"Stat\"\": \"\"Sum\"\"; get-metric-statistics --statistics Sum; Metric \
                 Streams carry every statistic)\"\n"
            ),
            3
        )
    );
    // The streams panel does not make the lower bound a Maximum: the highest iterator age
    // stays unknown.
    let r = run(&[
        "health",
        "-q",
        "-f",
        "csv",
        "-p",
        "streams",
        "--label-stream",
        "s1",
        d,
    ]);
    assert_eq!(
        r.stdout.lines().nth(1),
        Some(",,s1,provisioned,,,,,,,24,"),
        "{}",
        r.stdout
    );
}

/// Metric Streams carry every statistic: a shard's iterator age (Maximum 80,000,000 ms, 92.59%
/// of 24 h) is judged as ever, from its Maximum, and datapoints without samples (count 0) leave
/// no check without what it reads. In a get-metric-data export, a shard's Maximum of 10,000
/// ms beside the stream's Average of 80,000,000 ms: the Average, a lower bound of the stream's
/// Maximum, is the higher and is judged.
#[test]
fn metric_streams_are_judged_as_ever_and_a_bound_beats_a_lower_maximum() {
    let dir = tempfile::tempdir().unwrap();
    let records = [
        exports::stream_record("IteratorAgeMilliseconds", "shardId-1", 0, 8e7, 1.0, 8e7),
        exports::stream_record("IncomingBytes", "shardId-1", 0, 0.0, 0.0, 0.0),
        exports::stream_record("IncomingRecords", "shardId-1", 0, 0.0, 0.0, 0.0),
        exports::stream_record("WriteProvisionedThroughputExceeded", "", 0, 0.0, 0.0, 0.0),
    ];
    fs::write(dir.path().join("ms.json"), records.join("\n")).unwrap();
    assert_eq!(
        findings_failing_on("warning", &[dir.path().to_str().unwrap()]),
        (
            format!(
                "{HEADER}critical,iterator-age,111122223333,us-east-1,s1,,\"iterator age reached \
                 80000000 ms, 92.59% of the 24 h retention (assumed), at 2026-11-28T10:00:00Z: \
                 data is about to expire unread\"\n"
            ),
            3
        )
    );
    let cli = dir.path().join("cli");
    fs::create_dir(&cli).unwrap();
    let (q, o) = exports::get_metric_data(
        &cli,
        &[
            exports::Query {
                id: "ia",
                metric: "GetRecords.IteratorAgeMilliseconds",
                stat: "Average",
                points: &[(0, 80_000_000.0)],
            },
            exports::Query {
                id: "sm",
                metric: "IteratorAgeMilliseconds/shardId-1",
                stat: "Maximum",
                points: &[(0, 10_000.0)],
            },
        ],
    );
    assert_eq!(
        findings_failing_on("critical", &["--queries", &q, &o]),
        (
            format!(
                "{HEADER}critical,iterator-age,,,s1,,\"iterator age reached at least 80000000 ms \
                 (from its Average: the Maximum is at least that), 92.59% of the 24 h retention \
                 (assumed), at 2026-11-28T10:00:00Z: data is about to expire unread\"\n"
            ),
            3
        )
    );
}

/// An enhanced fan-out consumer's MillisBehindLatest exported as an Average of 120,000 ms: at
/// least the 60 s of a consumer-lag warning (0.14% of 24 h), and not judged against the
/// critical level, which a critical wrong-statistic finding says.
#[test]
fn consumer_lag_of_an_average_query_is_a_lower_bound() {
    let dir = tempfile::tempdir().unwrap();
    let (q, o) = exports::get_metric_data(
        dir.path(),
        &[exports::Query {
            id: "mbl",
            metric: "SubscribeToShardEvent.MillisBehindLatest@c1",
            stat: "Average",
            points: &[(0, 120_000.0), (1, 90_000.0)],
        }],
    );
    assert_eq!(
        findings_failing_on("critical", &["--queries", &q, &o]),
        (
            format!(
                "{HEADER}critical,wrong-statistic,,,s1,,\"consumer c1: consumer-lag could not \
                 judge 2 minutes of SubscribeToShardEvent.MillisBehindLatest: their datapoints \
                 carry an Average but not the Maximum, which the check needs; {QUERY_MAXIMUM}; \
                 their Average, a lower bound of the Maximum, reached 120000 ms, 0.14% of the 24 \
                 h retention (assumed), at 2026-11-28T10:00:00Z\"\n\
                 warning,consumer-lag,,,s1,,\"consumer c1: MillisBehindLatest reached at least \
                 120000 ms (from its Average: the Maximum is at least that), 0.14% of the 24 h \
                 retention (assumed), at 2026-11-28T10:00:00Z\"\n"
            ),
            3
        )
    );
}

/// Throttling read as a SampleCount only (how many datapoints, not whether any was above 0):
/// the throttling check could not judge it, a warning, as the check's own findings are.
#[test]
fn throttling_exported_as_a_sample_count_only() {
    let dir = tempfile::tempdir().unwrap();
    let (q, o) = exports::get_metric_data(
        dir.path(),
        &[exports::Query {
            id: "w",
            metric: "WriteProvisionedThroughputExceeded/shardId-1",
            stat: "SampleCount",
            points: &[(0, 60.0), (1, 60.0), (2, 60.0)],
        }],
    );
    assert_eq!(
        findings_failing_on("warning", &["--queries", &q, &o]),
        (
            format!(
                "{HEADER}warning,wrong-statistic,,,s1,shardId-1,\"write-throttling could not \
                 judge 3 minutes of WriteProvisionedThroughputExceeded: their datapoints carry a \
                 SampleCount but not a Sum, Maximum or Average, which the check needs; query the \
                 Sum or the Maximum (get-metric-data \"\"Stat\"\": \"\"Sum\"\"; \
                 get-metric-statistics --statistics Sum; Metric Streams carry every statistic)\"\n"
            ),
            3
        )
    );
}

/// An iterator age at 100% of retention and over means the data has expired unread (records
/// were lost), not that it is about to: 144,000,000 ms is 166.67% of the 24 h assumed (the
/// wording keeps the assumption open), 86,400,000 ms exactly 100%; 180,000,000 ms is 104.17%
/// of the 48 h CloudTrail shows (retention seen: no assumption to keep open). 86,399,999 ms
/// (shown as 100.00%, but a millisecond short of it) and 86,000,000 ms (99.54%, critical) are
/// still about to expire. An enhanced fan-out consumer's lag reads the
/// same: 90,000,000 ms is 104.17% of 24 h.
#[test]
fn iterator_age_past_retention_says_the_data_expired() {
    let age = |ms: f64, cloudtrail: bool| {
        let dir = tempfile::tempdir().unwrap();
        let records = [
            exports::stream_record("IteratorAgeMilliseconds", "shardId-1", 0, ms, 1.0, ms),
            exports::stream_record("IncomingBytes", "shardId-1", 0, 0.0, 0.0, 0.0),
        ];
        fs::write(dir.path().join("ms.json"), records.join("\n")).unwrap();
        if cloudtrail {
            fs::write(
                dir.path().join("ct.json"),
                r#"{"Records":[{"eventTime":"2026-11-27T09:00:00Z","eventSource":"kinesis.amazonaws.com","eventName":"IncreaseStreamRetentionPeriod","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"streamName":"s1","retentionPeriodHours":48}}]}"#,
            )
            .unwrap();
        }
        findings_failing_on("critical", &[dir.path().to_str().unwrap()])
    };
    let row = |text: &str| {
        (
            format!(
                "{HEADER}critical,iterator-age,111122223333,us-east-1,s1,,\"iterator age reached \
                 {text}\"\n"
            ),
            3,
        )
    };
    assert_eq!(
        age(144_000_000.0, false),
        row(
            "144000000 ms, 166.67% of the 24 h retention (assumed), at 2026-11-28T10:00:00Z: \
             data has expired unread, records were lost (unless the retention is longer than \
             the 24 h assumed)"
        )
    );
    assert_eq!(
        age(86_400_000.0, false),
        row(
            "86400000 ms, 100.00% of the 24 h retention (assumed), at 2026-11-28T10:00:00Z: \
             data has expired unread, records were lost (unless the retention is longer than \
             the 24 h assumed)"
        )
    );
    assert_eq!(
        age(180_000_000.0, true),
        row(
            "180000000 ms, 104.17% of the 48 h retention (seen in CloudTrail), at \
             2026-11-28T10:00:00Z: data has expired unread, records were lost"
        )
    );
    assert_eq!(
        age(86_399_999.0, false),
        row(
            "86399999 ms, 100.00% of the 24 h retention (assumed), at 2026-11-28T10:00:00Z: \
             data is about to expire unread"
        )
    );
    assert_eq!(
        age(86_000_000.0, false),
        row(
            "86000000 ms, 99.54% of the 24 h retention (assumed), at 2026-11-28T10:00:00Z: \
             data is about to expire unread"
        )
    );
    let dir = tempfile::tempdir().unwrap();
    let (q, o) = exports::get_metric_data(
        dir.path(),
        &[exports::Query {
            id: "lag",
            metric: "SubscribeToShardEvent.MillisBehindLatest@c1",
            stat: "Maximum",
            points: &[(0, 90_000_000.0)],
        }],
    );
    assert_eq!(
        findings_failing_on("critical", &["--queries", &q, &o]),
        (
            format!(
                "{HEADER}critical,consumer-lag,,,s1,,\"consumer c1: MillisBehindLatest reached \
                 90000000 ms, 104.17% of the 24 h retention (assumed), at 2026-11-28T10:00:00Z: \
                 data has expired unread, records were lost (unless the retention is longer \
                 than the 24 h assumed)\"\n"
            ),
            3
        )
    );
}

/// `--stream ARN` in `health`: that stream in that account and region, for the datapoints
/// (their `account_id` and `region`) and the CloudTrail events (`recipientAccountId` and
/// `awsRegion`) alike; `!ARN` leaves out that one.
#[test]
fn stream_arns_select_metrics_and_cloudtrail_of_that_account_and_region() {
    let dir = tempfile::tempdir().unwrap();
    let record = |account: &str| {
        format!(
            r#"{{"metric_stream_name":"ms","account_id":"{account}","region":"eu-west-1","namespace":"AWS/Kinesis","metric_name":"IncomingBytes","dimensions":{{"StreamName":"orders"}},"timestamp":{},"value":{{"max":1.0,"min":1.0,"sum":1.0,"count":1.0}},"unit":"None"}}"#,
            exports::START_MS
        )
    };
    let change = |account: &str, shards: u32| {
        format!(
            r#"{{"eventTime":"2026-11-28T09:00:00Z","eventSource":"kinesis.amazonaws.com","eventName":"UpdateShardCount","awsRegion":"eu-west-1","recipientAccountId":"{account}","requestParameters":{{"streamName":"orders","targetShardCount":{shards},"scalingType":"UNIFORM_SCALING"}}}}"#
        )
    };
    fs::write(
        dir.path().join("ms.json"),
        [record("111122223333"), record("444455556666")].join("\n"),
    )
    .unwrap();
    fs::write(
        dir.path().join("ct.json"),
        format!(
            r#"{{"Records":[{},{}]}}"#,
            change("111122223333", 2),
            change("444455556666", 4)
        ),
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    let panel = |panel: &str, stream: &str| {
        let r = run(&[
            "health", "-q", "-f", "csv", "-p", panel, "--stream", stream, d,
        ]);
        assert_eq!(r.code, 0, "{stream}: {}", r.stderr);
        csv_rows(&r.stdout)[1..]
            .iter()
            .map(|r| r.join(","))
            .collect::<Vec<_>>()
    };
    let arn = "arn:aws:kinesis:eu-west-1:111122223333:stream/orders";
    for (stream, account, shards) in [
        (arn.to_string(), "111122223333", 2),
        (format!("!{arn}"), "444455556666", 4),
    ] {
        let changes = panel("changes", &stream);
        assert_eq!(changes.len(), 1, "{stream}: {changes:?}");
        assert!(
            changes[0].starts_with(&format!(
                "2026-11-28T09:00:00Z,{account},eu-west-1,orders,UpdateShardCount,"
            )) && changes[0].ends_with(&format!("target shard count {shards}")),
            "{stream}: {changes:?}"
        );
        let streams = panel("streams", &stream);
        assert_eq!(streams.len(), 1, "{stream}: {streams:?}");
        assert!(
            streams[0].starts_with(&format!("{account},eu-west-1,orders,")),
            "{stream}: {streams:?}"
        );
    }
}

/// The reshard sample copied into two folders (an `aws s3 sync` run twice): every datapoint
/// repeats once and every CloudTrail event is read twice (its 10 Kinesis events, 9 of them
/// changes). Without `--dedup` the repeats are counted again, with a warning; with it the
/// summary, the changes and the findings are the single copy's, by one thread or two, and it
/// says what was left out: as many datapoints as one copy counts, and 10 events.
#[test]
fn the_same_exports_and_trail_read_twice_count_once_with_dedup() {
    let one = path("health/reshard");
    let dir = tempfile::tempdir().unwrap();
    for copy in ["a", "b"] {
        common::copy_tree(std::path::Path::new(&one), &dir.path().join(copy));
    }
    let two = dir.path().to_str().unwrap();
    let json = |args: &[&str]| {
        let mut all = vec!["health", "-f", "json"];
        all.extend_from_slice(args);
        let r = run(&all);
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        (doc, r.stderr)
    };
    let count = |doc: &serde_json::Value, k: &str| doc["summary"][k].as_u64().unwrap();
    let (single, stderr) = json(&[&one]);
    let n = count(&single, "matched_datapoints");
    assert!(n > 100, "{n}");
    assert!(!stderr.contains("repeat"), "{stderr}");
    let panels = |doc: &serde_json::Value| {
        (
            doc["panels"]["changes"].clone(),
            doc["panels"]["findings"].clone(),
        )
    };
    for threads in ["1", "2"] {
        let (twice, stderr) = json(&["-j", threads, two]);
        let counts: Vec<u64> = [
            "matched_datapoints",
            "repeated_datapoints",
            "duplicate_datapoints",
            "kinesis_events",
            "change_events",
            "duplicate_events",
        ]
        .iter()
        .map(|k| count(&twice, k))
        .collect();
        assert_eq!(counts, [2 * n, n, 0, 20, 18, 0], "-j {threads}");
        assert!(
            stderr.contains(&format!("warning: {n} datapoints repeat a series")),
            "{stderr}"
        );

        let (once, stderr) = json(&["-j", threads, "--dedup", two]);
        let counts: Vec<u64> = [
            "matched_datapoints",
            "repeated_datapoints",
            "duplicate_datapoints",
            "kinesis_events",
            "change_events",
            "duplicate_events",
        ]
        .iter()
        .map(|k| count(&once, k))
        .collect();
        assert_eq!(counts, [n, 0, n, 10, 9, 10], "-j {threads}");
        assert_eq!(panels(&once), panels(&single), "-j {threads}");
        assert!(
            stderr.contains(&format!("note: --dedup: {n} repeated datapoints left out")),
            "{stderr}"
        );
        assert!(stderr.contains("10 duplicates left out"), "{stderr}");
    }
}
