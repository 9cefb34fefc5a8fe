//! `kinesis-insights sql` and `events --from-csv`: the scripts' structure and what the flags
//! put in them (here), and the scripts run on real engines against the CLI's panels (DuckDB,
//! Spark) or parsed by a real Trino parser (Athena, Trino): those need Python packages and
//! Java and are `#[ignore]`d, run by `tests/e2e.sh`.

mod common;

use std::collections::BTreeMap;
use std::fs;

use common::{csv_rows, run, testdata, utf16};

const ALL_BUT_LOCATIONS: [&str; 7] = [
    "events",
    "events-over-time",
    "api-calls",
    "by-user",
    "by-region",
    "errors",
    "top-users",
];

fn sql(args: &[&str]) -> common::Run {
    let mut a = vec!["sql"];
    a.extend_from_slice(args);
    run(&a)
}

/// The script's statements as (panel, text): a statement ends at a line ending in `;`, and
/// a `-- panel: ID` line names the query after it.
fn statements(script: &str) -> Vec<(Option<String>, String)> {
    let mut out = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    let mut panel = None;
    for line in script.lines() {
        if let Some(id) = line.strip_prefix("-- panel: ") {
            assert!(cur.iter().all(|l| l.trim().is_empty()), "{cur:?}");
            panel = Some(id.to_string());
            continue;
        }
        cur.push(line);
        if line.ends_with(';') {
            out.push((panel.take(), cur.join("\n")));
            cur.clear();
        }
    }
    assert!(
        cur.iter()
            .all(|l| l.trim().is_empty() || l.starts_with("--")),
        "text after the last statement: {cur:?}"
    );
    out
}

/// The statement defining `view`.
fn view<'a>(stmts: &'a [(Option<String>, String)], view: &str) -> &'a str {
    &stmts
        .iter()
        .find(|(_, s)| s.contains(&format!("VIEW {view} AS")))
        .unwrap_or_else(|| panic!("no view {view}"))
        .1
}

const S3: &str = "s3://bucket/AWSLogs/111122223333/CloudTrail/";

fn engine_args(engine: &str) -> Vec<&str> {
    let location = if matches!(engine, "athena" | "trino") {
        S3
    } else {
        "AWSLogs/"
    };
    vec!["--engine", engine, "--location", location]
}

#[test]
fn every_selected_panel_has_one_query_ending_in_a_semicolon() {
    for engine in ["athena", "trino", "spark", "duckdb"] {
        let r = sql(&engine_args(engine));
        assert_eq!(r.code, 0, "{engine}: {}", r.stderr);
        let stmts = statements(&r.stdout);
        let panels: Vec<&str> = stmts.iter().filter_map(|(p, _)| p.as_deref()).collect();
        assert_eq!(panels, ALL_BUT_LOCATIONS, "{engine}");
        // Every query ends its last line with `;`, and no other line does (a `;` inside a
        // statement would cut it for a runner that splits at line ends).
        for (_, s) in &stmts {
            let lines: Vec<&str> = s.lines().collect();
            assert!(lines.last().unwrap().ends_with(';'));
            assert!(lines[..lines.len() - 1].iter().all(|l| !l.ends_with(';')));
        }
        view(&stmts, "kinesis_events");
        view(&stmts, "kinesis_matched");

        let mut args = engine_args(engine);
        args.extend(["--panel", "locations,events", "-p", "top-users"]);
        let r = sql(&args);
        let stmts = statements(&r.stdout);
        let panels: Vec<&str> = stmts.iter().filter_map(|(p, _)| p.as_deref()).collect();
        assert_eq!(panels, ["locations", "events", "top-users"], "{engine}");
        let locations = &stmts
            .iter()
            .find(|(p, _)| p.as_deref() == Some("locations"))
            .unwrap()
            .1;
        assert!(
            locations.contains("SELECT source_ip, COUNT(*) AS count"),
            "{locations}"
        );
    }
}

#[test]
fn flags_change_the_where_clauses() {
    // 2024-03-09T00:00:00Z and 2024-03-10T06:00:00Z in milliseconds (by hand: 19791 and
    // 19792 days since 1970-01-01).
    let (since, until) = (
        19_791u64 * 86_400_000,
        19_792u64 * 86_400_000 + 6 * 3_600_000,
    );
    let cases: [(&str, &[&str], &[String]); 7] = [
        (
            "duckdb",
            &[
                "--since",
                "2024-03-09",
                "--until",
                "2024-03-10T06:00:00Z",
                "--event-name",
                "PutRecord",
                "--event-name",
                "GetRecords",
                "--region",
                "eu-*",
            ],
            &[
                format!("event_time >= {since}"),
                format!("event_time < {until}"),
                "((event_name IN ('PutRecord', 'GetRecords')))".into(),
                r"((regexp_matches(region, '(?s)^eu\-.*\z')))".into(),
            ],
        ),
        (
            "spark",
            &["--user", "o'neil", "--source-ip", "10.0.0.[12]"],
            &[
                r"((user_name IN ('o\'neil')))".into(),
                r"(((source_ip RLIKE '(?s)^10\\.0\\.0\\.[12]\\z')))".into(),
            ],
        ),
        (
            "athena",
            &[
                "--stream",
                "orders",
                "--stream",
                "{a,b}*",
                "--account",
                "1111*",
            ],
            &[
                r"((stream IN ('orders') OR regexp_like(stream, '(?s)^(?:a|b).*\z')))".into(),
                r"((regexp_like(account, '(?s)^1111.*\z')))".into(),
            ],
        ),
        (
            "trino",
            &["--user", "o'neil"],
            &["((user_name IN ('o''neil')))".into()],
        ),
        (
            // Exclusions; `\!` is a literal `!`; 81.2.69.0/24 is 1359103232 to 1359103487
            // (81 * 2^24 + 2 * 2^16 + 69 * 2^8, plus 255).
            "duckdb",
            &[
                "--event-name",
                "!Put*",
                "--event-name",
                "!ListShards",
                "--user",
                "\\!bang",
                "--source-ip",
                "81.2.69.0/24",
                "--source-ip",
                "!10.0.0.1",
            ],
            &[
                r"(NOT COALESCE(event_name IN ('ListShards') OR regexp_matches(event_name, '(?s)^Put.*\z'), FALSE))".into(),
                "((user_name IN ('!bang')))".into(),
                "((source_ipv4 BETWEEN 1359103232 AND 1359103487) AND NOT COALESCE(source_ip IN ('10.0.0.1'), FALSE))".into(),
            ],
        ),
        (
            // A stream ARN is its name, account and region (an empty account matched by name,
            // as the CLI matches it), ORed with the names; `!ARN` leaves out that one.
            "duckdb",
            &[
                "--stream",
                "arn:aws-cn:kinesis:cn-north-1:111122223333:stream/orders",
                "--stream",
                "clicks",
                "--stream",
                "!arn:aws:kinesis:eu-west-1:444455556666:stream/o.x",
            ],
            &["((stream IN ('clicks') OR (stream = 'orders' AND account IN ('111122223333', '') \
               AND region IN ('cn-north-1', ''))) AND NOT COALESCE((stream = 'o.x' AND account \
               IN ('444455556666', '') AND region IN ('eu-west-1', '')), FALSE))"
                .into()],
        ),
        ("duckdb", &[], &[]),
    ];
    for (engine, flags, wanted) in cases {
        let mut args = engine_args(engine);
        args.extend_from_slice(flags);
        let r = sql(&args);
        assert_eq!(r.code, 0, "{engine} {flags:?}: {}", r.stderr);
        let stmts = statements(&r.stdout);
        let matched = view(&stmts, "kinesis_matched");
        let where_clause = matched.split_once("\nWHERE ").map(|(_, w)| w);
        for w in wanted {
            assert!(
                where_clause.is_some_and(|c| c.contains(w.as_str())),
                "{engine} {flags:?}: {w} not in\n{matched}"
            );
        }
        if wanted.is_empty() {
            assert_eq!(where_clause, None, "no flags, no WHERE:\n{matched}");
        }
    }
}

#[test]
fn bucket_top_and_partitions_reach_their_queries() {
    let mut args = engine_args("athena");
    args.extend([
        "--since",
        "2024-03-09T10:00:00Z",
        "--until",
        "2024-03-11",
        "--bucket",
        "15m",
        "--top",
        "3",
    ]);
    let r = sql(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let stmts = statements(&r.stdout);
    let query = |id: &str| {
        stmts
            .iter()
            .find(|(p, _)| p.as_deref() == Some(id))
            .map(|(_, s)| s.as_str())
            .unwrap()
    };
    assert!(query("events-over-time").contains("CAST(900000 AS BIGINT) AS width"));
    assert!(query("top-users").ends_with("LIMIT 3;"));
    // Partitions a day either side of the window; the projection starts the day before.
    let events = view(&stmts, "kinesis_events");
    assert!(
        events.contains(r#"WHERE "timestamp" >= '2024/03/08' AND "timestamp" <= '2024/03/12'"#),
        "{events}"
    );
    assert!(
        r.stdout
            .contains("'projection.timestamp.range' = '2024/03/08,NOW'")
    );
    assert!(r.stdout.contains(&format!(
        "'storage.location.template' = '{S3}${{region}}/${{timestamp}}'"
    )));

    // --top 0: every user; --table: no table made, the queries read it.
    let mut args = engine_args("trino");
    args.truncate(2);
    args.extend(["--table", "my_trail", "--top", "0"]);
    let r = sql(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains("CREATE EXTERNAL TABLE"));
    assert!(r.stdout.contains("FROM my_trail CROSS JOIN"));
    assert!(!r.stdout.contains("LIMIT"));
}

#[test]
fn bad_arguments_are_usage_errors() {
    for (args, says) in [
        (
            &["--engine", "duckdb", "--location", "x/", "--region", "eu-["][..],
            "--region: invalid pattern 'eu-['",
        ),
        (
            &["--engine", "duckdb", "--location", "x/", "--table", "t"][..],
            "--table is for athena and trino",
        ),
        (
            &["--engine", "athena", "--location", "AWSLogs/"][..],
            "s3://BUCKET/AWSLogs/ACCOUNT/CloudTrail/",
        ),
        (&["--engine", "spark"][..], "--location"),
        (
            &[
                "--engine",
                "duckdb",
                "--location",
                "x",
                "--source-ip",
                "2600:1f18::/32",
            ][..],
            "--source-ip: IPv6 networks are not written as SQL",
        ),
        (
            &[
                "--engine",
                "duckdb",
                "--location",
                "x",
                "--source-ip",
                "10.0.0.0/33",
            ][..],
            "not a network in CIDR notation",
        ),
        (
            &[
                "--engine",
                "spark",
                "--location",
                "x",
                "--since",
                "2024-03-09",
                "--until",
                "2024-03-08",
            ][..],
            "the window is empty",
        ),
        (
            // 2 days of 1-second buckets: 172,800, more than the CLI allows.
            &[
                "--engine",
                "duckdb",
                "--location",
                "x",
                "--since",
                "2024-03-09",
                "--until",
                "2024-03-11",
                "--bucket",
                "1s",
            ][..],
            "172800 buckets of 1s would be needed",
        ),
    ] {
        let r = sql(args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty());
    }
}

/// Runs `events` on the S3 sample with `extra`, writing every panel to `dir`.
fn output_dir(dir: &std::path::Path, format: &str, extra: &[&str]) {
    let mut args = vec!["events", "-q", "-f", format, "-o", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    let sample = testdata("cloudtrail");
    args.push(sample.to_str().unwrap());
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn from_csv_gives_back_what_output_dir_wrote() {
    let tmp = tempfile::tempdir().unwrap();
    let geoip = testdata("geoip/test-city.mmdb");
    for (name, extra) in [
        ("default", vec![]),
        (
            "geo",
            vec![
                "--geoip",
                geoip.to_str().unwrap(),
                "--bucket",
                "6h",
                "--top",
                "3",
            ],
        ),
    ] {
        let csv_dir = tmp.path().join(format!("{name}-csv"));
        output_dir(&csv_dir, "csv", &extra);
        let top: Vec<&str> = extra
            .windows(2)
            .filter(|w| w[0] == "--top")
            .map(|w| w[1])
            .collect();
        for format in ["csv", "json", "table"] {
            let direct = tmp.path().join(format!("{name}-direct-{format}"));
            output_dir(&direct, format, &extra);
            let back = tmp.path().join(format!("{name}-back-{format}"));
            let mut args = vec![
                "events",
                "-q",
                "-f",
                format,
                "-o",
                back.to_str().unwrap(),
                "--from-csv",
                csv_dir.to_str().unwrap(),
            ];
            if let Some(t) = top.first() {
                args.extend(["--top", t]);
            }
            let r = run(&args);
            assert_eq!(r.code, 0, "{name} {format}: {}", r.stderr);
            let mut files: Vec<_> = fs::read_dir(&direct)
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            files.sort();
            assert_eq!(files.len(), 8, "{files:?}");
            for f in files {
                let want = fs::read_to_string(direct.join(&f)).unwrap();
                let got = fs::read_to_string(back.join(&f)).unwrap();
                if format == "table" {
                    // A table's notes (bucket width, no GeoIP database) come from the pass,
                    // which --from-csv does not make: the rows must be the same.
                    let rows = |t: &str| -> Vec<String> {
                        t.lines()
                            .filter(|l| l.starts_with('│'))
                            .map(String::from)
                            .collect()
                    };
                    assert_eq!(rows(&got), rows(&want), "{name} {f:?}");
                } else if format == "json" {
                    // So are a JSON panel's notes (ef177f9 put them in the document).
                    let panel = |t: &str| {
                        let mut v: serde_json::Value = serde_json::from_str(t).unwrap();
                        v.as_object_mut().unwrap().remove("note");
                        v
                    };
                    assert_eq!(panel(&got), panel(&want), "{name} {f:?}");
                } else {
                    assert_eq!(got, want, "{name} {format} {f:?}");
                }
            }
        }
    }
}

/// CSV files saved by PowerShell's `>` (UTF-16 with a byte order mark, little- or big-endian)
/// or with UTF-8's byte order mark (spreadsheets write one, before a quoted header too) read
/// as their UTF-8 originals.
#[test]
fn from_csv_reads_utf16_and_a_byte_order_mark() {
    let tmp = tempfile::tempdir().unwrap();
    let csv_dir = tmp.path().join("csv");
    output_dir(&csv_dir, "csv", &[]);
    let mut files: Vec<_> = fs::read_dir(&csv_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 8, "{files:?}");
    let back = |dir: &std::path::Path| {
        let r = run(&["events", "-f", "json", "--from-csv", dir.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        // The summary names the folder; the panels are what was read.
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        doc["panels"].clone()
    };
    let want = back(&csv_dir);
    assert_eq!(want.as_object().map(|p| p.len()), Some(8), "{want}");
    for (name, encode) in [
        ("le", (|t: &str| utf16(t, false)) as fn(&str) -> Vec<u8>),
        ("be", |t| utf16(t, true)),
        ("bom", |t| format!("\u{feff}{t}").into_bytes()),
        // Every field quoted, as Athena writes them, after the mark.
        ("bom-quoted", |t| {
            let (header, rest) = t.split_once('\n').unwrap();
            let quoted: Vec<String> = header.split(',').map(|h| format!("\"{h}\"")).collect();
            format!("\u{feff}{}\n{rest}", quoted.join(",")).into_bytes()
        }),
    ] {
        let dir = tmp.path().join(name);
        fs::create_dir(&dir).unwrap();
        for f in &files {
            let text = fs::read_to_string(f).unwrap();
            fs::write(dir.join(f.file_name().unwrap()), encode(&text)).unwrap();
        }
        assert_eq!(back(&dir), want, "{name}");
    }
}

/// A CSV row in UTF-16 with an unpaired surrogate is skipped and named with its line, the
/// reason in UTF-16's terms; the other rows are read.
#[test]
fn from_csv_names_a_utf16_row_with_an_unpaired_surrogate() {
    let tmp = tempfile::tempdir().unwrap();
    let text = "user,count\nalice,3\nbob,2\ncarol,1\n";
    let mut bytes = utf16(text, true);
    // The `b` of bob, on line 3.
    let unit = text.find("bob").unwrap();
    bytes[2 + 2 * unit..4 + 2 * unit].copy_from_slice(&0xDC00u16.to_be_bytes());
    let file = tmp.path().join("top-users.csv");
    fs::write(&file, bytes).unwrap();
    let r = run(&["events", "-f", "csv", "--from-csv", file.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "{}: 1 row skipped (line 3: invalid UTF-16 (an unpaired surrogate or an odd last byte))",
            file.display()
        )),
        "{}",
        r.stderr
    );
    assert_eq!(r.stdout, "user,count\nalice,3\ncarol,1\n");
}

#[test]
fn from_csv_renders_the_html_page() {
    let tmp = tempfile::tempdir().unwrap();
    let csv_dir = tmp.path().join("csv");
    output_dir(&csv_dir, "csv", &[]);
    let r = run(&[
        "events",
        "-q",
        "-f",
        "html",
        "--from-csv",
        csv_dir.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for title in [
        "Events Over Time",
        "Kinesis API Calls Summary",
        "Top 10 Users",
        "Errors",
    ] {
        assert!(r.stdout.contains(title), "{title}");
    }
}

#[test]
fn from_csv_source_counts_give_the_locations_panel() {
    // Calls by address from generate.py's api-calls panel of the sample, made into the SQL
    // locations query's output; with the City test database they are generate.py's panel.
    let api = csv_rows(&fs::read_to_string(testdata("expected/all/api-calls.csv")).unwrap());
    let mut by_ip: BTreeMap<String, u64> = BTreeMap::new();
    for row in &api[1..] {
        *by_ip.entry(row[3].clone()).or_default() += row[4].parse::<u64>().unwrap();
    }
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("athena-results.csv");
    // As Athena writes its results: every field quoted.
    let mut text = String::from("\"source_ip\",\"count\"\n");
    for (ip, n) in &by_ip {
        text.push_str(&format!("\"{}\",\"{n}\"\n", ip.replace('"', "\"\"")));
    }
    fs::write(&file, text).unwrap();
    let geoip = testdata("geoip/test-city.mmdb");
    let r = run(&[
        "events",
        "-q",
        "-f",
        "csv",
        "-p",
        "locations",
        "--geoip",
        geoip.to_str().unwrap(),
        "--from-csv",
        file.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let want = fs::read_to_string(testdata("expected/locations/city.csv")).unwrap();
    assert_eq!(r.stdout, want);

    // Without a database: the panel is empty and says why, as `events` does.
    let r = run(&[
        "events",
        "-f",
        "json",
        "-p",
        "locations",
        "--from-csv",
        file.to_str().unwrap(),
    ]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["panels"]["locations"]["rows"], serde_json::json!([]));
    assert!(doc["summary"]["locations_note"].is_string(), "{doc}");
}

#[test]
fn bad_csv_is_named_with_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let p = tmp.path().join(name);
        fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let events = |args: &[&str]| {
        let mut a = vec!["events", "-q", "-f", "csv"];
        a.extend_from_slice(args);
        run(&a)
    };

    // A header that is no panel's: an error naming the file and line 1.
    let bad_header = file("x.csv", "name,count\nPutRecord,3\n");
    let r = events(&["--from-csv", &bad_header]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "{bad_header}: line 1: header 'name,count' is not a panel's"
        )),
        "{}",
        r.stderr
    );

    // Bad numbers: the row is skipped and named; the good rows are rendered; exit 1.
    let bad_rows = file(
        "events.csv",
        "event_name,count,percent\nPutRecord,3,75.00\nGetRecords,x,25.00\nListShards,1,2.5.0\nA,1\nB,1,25\n",
    );
    let r = events(&["--from-csv", &bad_rows]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "event_name,count,percent\nPutRecord,3,75.00\nB,1,25.00\n"
    );
    assert!(
        r.stderr.contains(&format!(
            "{bad_rows}: 3 rows skipped (line 3: count 'x' is not a whole number; line 4: \
             percent '2.5.0' is not a number with at most 2 decimals; line 5: 2 fields, the \
             header has 3)"
        )),
        "{}",
        r.stderr
    );

    // A time that is not one.
    let bad_time = file(
        "t.csv",
        "time,event_name,count\n2024-03-09 10h,PutRecord,1\n",
    );
    let r = events(&["--from-csv", &bad_time]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("line 2: time '2024-03-09 10h' is not a time"),
        "{}",
        r.stderr
    );

    // Empty, missing, two files of one panel in a directory, window flags.
    let empty = file("empty.csv", "");
    let r = events(&["--from-csv", &empty]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("empty file: no CSV header"),
        "{}",
        r.stderr
    );
    let r = events(&["--from-csv", "/nonexistent/x.csv"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("/nonexistent/x.csv: cannot open"),
        "{}",
        r.stderr
    );
    let dir = tmp.path().join("two");
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("a.csv"), "user,count\nalice,2\n").unwrap();
    fs::write(dir.join("b.csv"), "user,count\nbob,1\n").unwrap();
    let r = events(&[
        "--from-csv",
        dir.to_str().unwrap(),
        "-o",
        tmp.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("both hold panel 'top-users'"),
        "{}",
        r.stderr
    );
    // In a directory, a file that is no panel is passed over with a warning; the rest shows.
    let mixed = tmp.path().join("mixed");
    fs::create_dir(&mixed).unwrap();
    fs::write(mixed.join("top.csv"), "user,count\nalice,2\n").unwrap();
    fs::write(mixed.join("notes.csv"), "what,when\nx,y\n").unwrap();
    let r = events(&["--from-csv", mixed.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout, "user,count\nalice,2\n");
    assert!(
        r.stderr
            .contains("notes.csv: line 1: header 'what,when' is not a panel's")
            && r.stderr.contains("; skipped"),
        "{}",
        r.stderr
    );
    let r = events(&["--from-csv", &bad_rows, "--since", "24h"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--since cannot be used with --from-csv"),
        "{}",
        r.stderr
    );
    // --panel names a panel no file holds.
    let r = events(&["--from-csv", &bad_rows, "-p", "by-user"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no CSV holds panel 'by-user'"),
        "{}",
        r.stderr
    );
}

/// Runs a Python checker of `tests/sql/` with the binary.
fn python(script: &str, args: &[&str]) {
    let bin = env!("CARGO_BIN_EXE_kinesis-insights");
    let status = std::process::Command::new("python3")
        .arg(testdata("../tests/sql").join(script))
        .args(["--bin", bin])
        .args(args)
        .status()
        .expect("python3 runs");
    assert!(status.success(), "{script} {args:?} failed");
}

#[test]
#[ignore = "needs duckdb/pyspark/java (tests/e2e.sh installs them)"]
fn duckdb_gives_the_cli_panels() {
    let data = testdata("cloudtrail/AWSLogs");
    let identities = testdata("identities/identities.json");
    let edges = testdata("sql-edges/common");
    let types = testdata("sql-edges/types");
    let geoip = testdata("geoip/test-city.mmdb");
    python(
        "run_engine.py",
        &[
            "--engine",
            "duckdb",
            "--data",
            data.to_str().unwrap(),
            "--data",
            identities.to_str().unwrap(),
            "--data",
            edges.to_str().unwrap(),
            "--data",
            types.to_str().unwrap(),
            "--geoip",
            geoip.to_str().unwrap(),
        ],
    );
}

#[test]
#[ignore = "needs duckdb/pyspark/java (tests/e2e.sh installs them)"]
fn spark_gives_the_cli_panels() {
    // Not sql-edges/types: Spark reads a field of another JSON type as its text (README).
    let data = testdata("cloudtrail/AWSLogs");
    let identities = testdata("identities/identities.json");
    let edges = testdata("sql-edges/common");
    let geoip = testdata("geoip/test-city.mmdb");
    python(
        "run_engine.py",
        &[
            "--engine",
            "spark",
            "--quick",
            "--data",
            data.to_str().unwrap(),
            "--data",
            identities.to_str().unwrap(),
            "--data",
            edges.to_str().unwrap(),
            "--geoip",
            geoip.to_str().unwrap(),
        ],
    );
}

#[test]
#[ignore = "needs duckdb/pyspark/java (tests/e2e.sh installs them)"]
fn athena_and_trino_scripts_parse() {
    python("check_trino.py", &[]);
}
