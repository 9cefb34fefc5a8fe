//! What a reader of the terminal sees: text escaped once, tables that never split a token,
//! sparklines within their column, titles within the width.

mod common;

use common::run;

/// A file name with a backslash is shown with it doubled once (`a\\b.json`), not twice.
#[test]
fn names_are_escaped_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a\\b.json"), b"{\"Records\": [1, 2]}").unwrap();
    let r = run(&["events".as_ref(), "-q".as_ref(), dir.path().as_os_str()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let line = r
        .stderr
        .lines()
        .find(|l| l.contains("b.json"))
        .unwrap_or_else(|| panic!("{}", r.stderr));
    assert!(line.contains("/a\\\\b.json: "), "{line}");
    assert!(!line.contains("a\\\\\\\\b"), "{line}");
}

fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// Runs with `$COLUMNS` set (standard output is not a terminal here).
fn run_at(columns: u16, args: &[&str]) -> common::Run {
    let out = common::bin()
        .env("COLUMNS", columns.to_string())
        .args(args)
        .output()
        .unwrap();
    common::Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// The cells of the body lines of the table that follows the line `title`: one `Vec` per
/// line, continuation lines of wrapped cells included.
fn body_lines(text: &str, title: &str) -> Vec<Vec<String>> {
    let mut lines = text.lines().skip_while(|l| *l != title);
    lines.by_ref().find(|l| l.starts_with('╞')).expect(title);
    lines
        .take_while(|l| l.starts_with('│'))
        .map(|l| {
            l.trim_matches('│')
                .split('┆')
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

/// Every line fits the width; no address, number or name is split over two lines: each cell
/// shows a whole value of the panel's CSV or a shortened one (marked with `…`).
#[test]
fn tables_fit_the_width_without_splitting_values() {
    let geoip = common::testdata("geoip/test-city.mmdb");
    let sample = common::testdata("cloudtrail");
    let (geoip, sample) = (geoip.to_str().unwrap(), sample.to_str().unwrap());
    let csv = run(&[
        "events", "-q", "--geoip", geoip, "-p", "errors", "-f", "csv", sample,
    ]);
    let rows = common::csv_rows(&csv.stdout);
    for columns in [80u16, 100, 120, 160] {
        let r = run_at(
            columns,
            &["events", "-q", "--geoip", geoip, "--limit", "0", sample],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        for line in r.stdout.lines() {
            assert!(width(line) <= usize::from(columns), "{columns}: {line}");
        }
        let body = body_lines(&r.stdout, "Errors");
        assert_eq!(
            body.iter().filter(|l| !l[0].is_empty()).count(),
            rows.len() - 1,
            "one line per row, continuation lines only for wrapped messages"
        );
        for line in &body {
            // error_code, event_name, user, source_ip, count: never wrapped.
            for (col, cell) in [(0, &line[0]), (2, &line[2]), (3, &line[3]), (4, &line[4])] {
                if cell.is_empty() {
                    continue;
                }
                let whole = rows.iter().any(|r| shown(&r[col]) == *cell);
                let cut = cell.split_once('…').is_some_and(|(head, tail)| {
                    rows.iter()
                        .any(|r| shown(&r[col]).starts_with(head) && shown(&r[col]).ends_with(tail))
                });
                assert!(
                    whole || cut,
                    "{columns}: {cell:?} of column {col}\n{}",
                    r.stdout
                );
            }
            if !line[0].is_empty() {
                assert!(rows.iter().any(|r| r[5] == line[5]), "{line:?}");
            }
        }
    }
}

/// How a CSV value shows in a table: escaped, `-` when empty.
fn shown(v: &str) -> String {
    if v.is_empty() {
        "-".into()
    } else {
        v.escape_debug().to_string().replace("\\u{1b}", "\\x1b")
    }
}

/// Sparklines are drawn within their column: one line per series at every width, never a
/// wrapped trend.
#[test]
fn sparklines_stay_on_their_line() {
    let metrics = common::testdata("metrics/streams");
    for columns in [80u16, 100, 120] {
        let r = run_at(columns, &["metrics", "-q", metrics.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        for line in r.stdout.lines() {
            assert!(width(line) <= usize::from(columns), "{columns}: {line}");
        }
        for title in ["Put Latency (ms)", "Incoming Records", "Iterator Age (ms)"] {
            let title_line = r.stdout.lines().find(|l| l.starts_with(title)).unwrap();
            let body = body_lines(&r.stdout, title_line);
            assert!(!body.is_empty());
            for line in &body {
                assert!(!line[0].is_empty(), "{columns}: wrapped line {line:?}");
                let trend = line.last().unwrap();
                assert!(
                    trend.chars().all(|c| c == ' ' || ('▁'..='█').contains(&c)),
                    "{trend:?}"
                );
            }
        }
    }
}

/// The top-users title names its N, as the dashboard's "Top 10 IAM Users" does.
#[test]
fn top_users_title_names_its_n() {
    let sample = common::testdata("cloudtrail");
    let sample = sample.to_str().unwrap();
    let r = run(&["events", "-q", "-p", "top-users", sample]);
    assert!(r.stdout.starts_with("Top 10 Users\n"), "{}", r.stdout);
    let r = run(&["events", "-q", "-p", "top-users", "--top", "25", sample]);
    assert!(r.stdout.starts_with("Top 25 Users\n"), "{}", r.stdout);
    let r = run(&[
        "events",
        "-q",
        "-p",
        "top-users",
        "--top",
        "3",
        "-f",
        "json",
        sample,
    ]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["panels"]["top-users"]["title"], "Top 3 Users");
    assert_eq!(
        doc["panels"]["top-users"]["rows"].as_array().unwrap().len(),
        3
    );
}

fn record(time: &str) -> String {
    format!(
        r#"{{"eventTime":"{time}","eventSource":"kinesis.amazonaws.com","eventName":"PutRecord","awsRegion":"us-east-1"}}"#
    )
}

/// Without --bucket, the over-time panel uses 1h up to 7 days and a coarser width (with a note)
/// beyond; an explicit --bucket always wins.
#[test]
fn over_time_default_bucket_widens_over_long_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let two_years = dir.path().join("two-years.json");
    let times = [
        "2022-01-01T00:00:00Z",
        "2023-01-01T00:00:00Z",
        "2024-01-01T00:00:00Z",
    ];
    std::fs::write(&two_years, times.map(record).join("\n")).unwrap();
    let week = dir.path().join("week.json");
    let times = ["2024-03-01T00:00:00Z", "2024-03-08T00:00:00Z"];
    std::fs::write(&week, times.map(record).join("\n")).unwrap();
    let over_time = |path: &std::path::Path, extra: &[&str]| {
        let mut args = vec!["events", "-p", "events-over-time", "-f", "csv"];
        args.extend(extra);
        args.push(path.to_str().unwrap());
        let r = run(&args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        (common::csv_rows(&r.stdout), r.stderr)
    };
    // 730 days: 1h, 3h, 6h, 12h and 1d give more than 300 buckets; 7d (aligned to the epoch,
    // a Thursday) gives 105, from 2021-12-30 to 2023-12-28.
    let (rows, stderr) = over_time(&two_years, &[]);
    assert_eq!(rows.len(), 1 + 105);
    assert_eq!(rows[1], ["2021-12-30T00:00:00Z", "PutRecord", "1"]);
    assert_eq!(rows[2], ["2022-01-06T00:00:00Z", "PutRecord", "0"]);
    assert_eq!(rows[1 + 52], ["2022-12-29T00:00:00Z", "PutRecord", "1"]);
    assert_eq!(rows[105], ["2023-12-28T00:00:00Z", "PutRecord", "1"]);
    assert!(
        stderr.contains("events-over-time: buckets of 7d over 730 days (1h up to 7 days)"),
        "{stderr}"
    );
    // --bucket wins: 730 days and one hour of hours.
    let (rows, stderr) = over_time(&two_years, &["--bucket", "1h"]);
    assert_eq!(rows.len(), 1 + 730 * 24 + 1);
    assert!(!stderr.contains("buckets of"), "{stderr}");
    // Exactly 7 days: hours.
    let (rows, _) = over_time(&week, &[]);
    assert_eq!(rows.len(), 1 + 7 * 24 + 1);
    assert_eq!(rows[2], ["2024-03-01T01:00:00Z", "PutRecord", "0"]);
}

/// The wording a user sees for versions, help, a missing path and bad values.
#[test]
fn wording() {
    let version = format!("kinesis-insights {}\n", env!("CARGO_PKG_VERSION"));
    for args in [&["-V"][..], &["events", "-V"], &["metrics", "--version"]] {
        assert_eq!(run(args).stdout, version, "{args:?}");
    }
    let help = run(&["metrics", "--help"]).stdout;
    assert!(
        !help.contains("events"),
        "metrics --help speaks of events:\n{help}"
    );
    // One message for a missing path, not a warning and an error.
    let r = run(&["events", "/definitely/not/here"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            2,
            "kinesis-insights: error: /definitely/not/here: no such file or directory\n"
        )
    );
    // Where only a duration fits, no time is suggested.
    let r = run(&["events", "--bucket", "2024-03-09", "/dev/null"]);
    assert!(
        r.stderr
            .contains("'2024-03-09' is not a duration (like 1h, 15m, 90s or 1d)"),
        "{}",
        r.stderr
    );
    let r = run(&["metrics", "--period", "90", "/dev/null"]);
    assert!(r.stderr.contains("'90' is not a duration"), "{}", r.stderr);
    // Sizes with a fraction are read; a wrong unit is named.
    let sample = common::testdata("doc-sample");
    let r = run(&[
        "events",
        "-q",
        "--max-file-size",
        "1.5GiB",
        sample.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["events", "--max-file-size", "1.5GB!", "/dev/null"]);
    assert!(r.stderr.contains("unknown unit 'GB!'"), "{}", r.stderr);
}

/// Runs the binary with `args` on a pseudo-terminal (`script`, util-linux) after `stty`
/// `settings`; returns what the terminal showed, lines without their `\r`.
fn on_terminal(stty: &str, args: &[&str]) -> String {
    let bin = env!("CARGO_BIN_EXE_kinesis-insights");
    let command = format!("stty {stty}; {bin} {}", args.join(" "));
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env_remove("COLUMNS")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("script (util-linux) runs: tests/e2e.sh installs it");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().replace("\r\n", "\n")
}

/// A terminal reporting 0 columns (Docker, CI, `script`) is of unknown width: tables are 100
/// columns wide, as when standard output is not a terminal; a terminal of 80 gets 80.
#[test]
#[ignore = "needs util-linux's script: run tests/e2e.sh"]
fn zero_columns_is_unknown() {
    let args = [
        "metrics",
        "-q",
        "-p",
        "put-latency",
        "testdata/metrics/streams/",
    ];
    for (stty, want) in [("cols 0 rows 0", 100), ("cols 80 rows 40", 80)] {
        let shown = on_terminal(stty, &args);
        let widths: Vec<usize> = shown
            .lines()
            .filter(|l| l.starts_with(['┌', '│', '└']))
            .map(width)
            .collect();
        assert!(!widths.is_empty(), "{shown}");
        // 120 buckets: the sparkline takes all the width there is.
        assert!(
            widths.iter().all(|&w| w == want),
            "{stty}: {widths:?}\n{shown}"
        );
    }
}

/// CSV and JSON on a terminal show control characters escaped as tables do; redirected, the
/// data is exact.
#[test]
#[ignore = "needs util-linux's script: run tests/e2e.sh"]
fn csv_and_json_on_a_terminal_are_escaped() {
    let csv = [
        "events",
        "-q",
        "-p",
        "errors",
        "-f",
        "csv",
        "testdata/cloudtrail/",
    ];
    let shown = on_terminal("cols 100", &csv);
    assert!(
        shown.contains(",\\x1b[31mred alert\\x1b[0m injected,"),
        "{shown}"
    );
    assert!(!shown.contains('\u{1b}'), "{shown}");
    let redirected = run(&csv);
    assert!(
        redirected
            .stdout
            .contains(",\u{1b}[31mred alert\u{1b}[0m injected,")
    );
    let json = [
        "events",
        "-q",
        "-p",
        "errors",
        "-f",
        "json",
        "testdata/cloudtrail/",
    ];
    let shown = on_terminal("cols 100", &json);
    assert!(
        shown.contains("\"\\u001b[31mred alert\\u001b[0m injected\""),
        "{shown}"
    );
    assert!(!shown.contains('\u{1b}'), "{shown}");
}

/// An HTML page written to a terminal (a forgotten redirect) is followed by a hint saying
/// where it should go; redirected, stderr has no such hint.
#[test]
#[ignore = "needs util-linux's script: run tests/e2e.sh"]
fn an_html_page_on_a_terminal_says_to_redirect_it() {
    let args = ["events", "-f", "html", "testdata/doc-sample/"];
    let shown = on_terminal("cols 100", &args);
    assert!(
        shown.contains("that was an HTML page; redirect it to a file ('> events.html')"),
        "{}",
        &shown[shown.len().saturating_sub(600)..]
    );
    let redirected = run(&args);
    assert_eq!(redirected.code, 0, "{}", redirected.stderr);
    assert!(
        !redirected.stderr.contains("redirect it"),
        "{}",
        redirected.stderr
    );
}

/// Table files written with --output-dir are 100 columns wide whatever the terminal's width:
/// they are read later, elsewhere.
#[test]
fn table_files_have_a_fixed_width() {
    let dir = tempfile::tempdir().unwrap();
    let metrics = common::testdata("metrics/streams");
    let args = [
        "metrics",
        "-q",
        "-p",
        "put-latency",
        "-o",
        dir.path().to_str().unwrap(),
        metrics.to_str().unwrap(),
    ];
    for columns in [60, 140] {
        let r = run_at(columns, &args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let text = std::fs::read_to_string(dir.path().join("put-latency.txt")).unwrap();
        let widths: Vec<usize> = text
            .lines()
            .filter(|l| l.starts_with(['┌', '│', '└']))
            .map(width)
            .collect();
        // 120 buckets: the sparkline takes all the width there is.
        assert!(
            !widths.is_empty() && widths.iter().all(|&w| w == 100),
            "{columns}: {widths:?}"
        );
    }
}
