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

/// The columns said once above a table (`Every row: region us-east-1, stream orders`, on one
/// line or wrapped at spaces over more) and their values, from the panel's lines after its
/// title; none when there is no such line.
fn said_once<'a>(mut lines: impl Iterator<Item = &'a str>) -> Vec<(String, String)> {
    let Some(first) = lines.next().and_then(|l| l.strip_prefix("Every row: ")) else {
        return Vec::new();
    };
    let mut text = first.to_string();
    for l in lines.take_while(|l| !l.starts_with('┌')) {
        text = format!("{text} {l}");
    }
    text.split(", ")
        .map(|pair| {
            let (name, value) = pair.split_once(' ').expect(pair);
            (name.to_string(), value.to_string())
        })
        .collect()
}

/// A panel's cells as a table or as blocks shows them, read back: each row's cells in the
/// order of `header`, free text that wrapped joined again with spaces, the columns said once
/// above a table given their value in every row. Asserts that every line fits `columns` (a
/// block line may run past it only with a single unbroken value), that identifiers and
/// numbers are never wrapped, and returns whether the panel was blocks and the columns said
/// once.
fn shown_cells(
    text: &str,
    title: &str,
    header: &[String],
    columns: usize,
) -> (bool, Vec<String>, Vec<Vec<String>>) {
    let mut lines = text.lines().skip_while(|l| *l != title).skip(1);
    let said = said_once(lines.clone());
    let mut rows: Vec<Vec<String>> = Vec::new();
    let first = lines
        .by_ref()
        .find(|l| l.starts_with('┌') || l.starts_with("(a block per row"))
        .unwrap_or_else(|| panic!("{title}:\n{text}"));
    if first.starts_with('┌') {
        assert!(width(first) <= columns, "{columns}: {first}");
        let shown: Vec<&String> = header
            .iter()
            .filter(|h| said.iter().all(|(name, _)| name != *h))
            .collect();
        assert_eq!(shown.len() + said.len(), header.len(), "{said:?}");
        lines.by_ref().find(|l| l.starts_with('╞')).expect(title);
        for l in lines.take_while(|l| l.starts_with('│')) {
            assert!(width(l) <= columns, "{columns}: {l}");
            let cells: Vec<String> = l
                .trim_matches('│')
                .split('┆')
                .map(|c| c.trim().to_string())
                .collect();
            assert_eq!(cells.len(), shown.len(), "{l}");
            if cells[0].is_empty() {
                // A continuation line of free text, joined with a space: a value split
                // anywhere else would not read back as the CSV's.
                let row = rows.last_mut().expect("a row before");
                for (i, c) in cells.iter().enumerate().filter(|(_, c)| !c.is_empty()) {
                    row[i] = format!("{} {c}", row[i]);
                }
            } else {
                rows.push(cells);
            }
        }
        let rows = rows
            .into_iter()
            .map(|cells| {
                let mut cells = cells.into_iter();
                header
                    .iter()
                    .map(|h| match said.iter().find(|(name, _)| name == h) {
                        Some((_, value)) => value.clone(),
                        None => cells.next().unwrap(),
                    })
                    .collect()
            })
            .collect();
        let said = said.into_iter().map(|(name, _)| name).collect();
        return (false, said, rows);
    }
    // Blocks: a rule line per row, then `name  value` per column; free text continues on lines
    // that start with spaces.
    let label = header.iter().map(|h| width(h)).max().unwrap();
    for l in lines {
        if l.starts_with("── ") {
            assert_eq!(width(l), columns, "{l}");
            assert!(rows.last().is_none_or(|r| r.len() == header.len()));
            rows.push(Vec::new());
            continue;
        }
        let Some(row) = rows.last_mut() else { break };
        let value = l.get(label + 2..).unwrap_or("");
        if width(l) > columns {
            assert!(!value.trim().contains(' '), "{columns}: {l}");
        }
        if l.starts_with(' ') && !row.is_empty() {
            assert!(l[..label + 2].trim().is_empty(), "{l}");
            let last = row.last_mut().unwrap();
            *last = format!("{last} {value}");
        } else if row.len() < header.len()
            && (l == header[row.len()] || l.starts_with(&format!("{} ", header[row.len()])))
        {
            assert_eq!(l.get(..label + 2).unwrap_or(l).trim(), header[row.len()]);
            row.push(value.to_string());
        } else {
            break;
        }
    }
    (true, Vec::new(), rows)
}

/// How a CSV value shows in a table: `-` when empty, C0 control characters (the samples'
/// only unsafe ones) as `\xNN`.
fn shown(v: &str) -> String {
    if v.is_empty() {
        return "-".into();
    }
    v.chars()
        .map(|c| match c {
            '\0'..='\x1f' => format!("\\x{:02x}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

/// At every width, each panel shows every value of its CSV whole: as a table where one fits
/// (identifiers and numbers on one line, free text wrapped at spaces), else as blocks.
#[test]
fn every_value_is_shown_whole_at_every_width() {
    let geoip = common::testdata("geoip/test-city.mmdb");
    let sample = common::testdata("cloudtrail");
    let health = common::testdata("health");
    let (geoip, sample, health) = (
        geoip.to_str().unwrap(),
        sample.to_str().unwrap(),
        health.to_str().unwrap(),
    );
    let events = ["events", "-q", "--geoip", geoip, sample];
    let health = ["health", "-q", health];
    let panels: [(&[&str], &str, &str); 8] = [
        (&events, "errors", "Errors"),
        (&events, "api-calls", "Kinesis API Calls Summary"),
        (&events, "locations", "Location of Events"),
        (&health, "findings", "Findings"),
        (&health, "shards", "Shards"),
        (&health, "streams", "Streams"),
        (&health, "consumers", "Enhanced Fan-Out Consumers"),
        (&health, "changes", "Capacity Changes"),
    ];
    let mut forms = Vec::new();
    let mut hoisted = Vec::new();
    for (command, panel, title) in panels {
        let mut args = command.to_vec();
        args.extend(["-p", panel, "-f", "csv"]);
        let csv = common::csv_rows(&run(&args).stdout);
        let want: Vec<Vec<String>> = csv[1..]
            .iter()
            .map(|r| r.iter().map(|v| shown(v)).collect())
            .collect();
        assert!(!want.is_empty(), "{panel}");
        for columns in [80u16, 100, 120, 160] {
            let mut args = command.to_vec();
            args.extend(["-p", panel, "--limit", "0"]);
            let r = run_at(columns, &args);
            assert!(r.code <= 1, "{}", r.stderr);
            for line in r.stdout.lines().filter(|l| !l.starts_with(['│', '─'])) {
                if !line.contains("  ") {
                    assert!(width(line) <= usize::from(columns), "{columns}: {line}");
                }
            }
            let (blocks, said, got) = shown_cells(&r.stdout, title, &csv[0], usize::from(columns));
            assert_eq!(got.len(), want.len(), "{panel} at {columns}:\n{}", r.stdout);
            for (g, w) in got.iter().zip(&want) {
                assert_eq!(g, w, "{panel} at {columns}");
            }
            if !said.is_empty() {
                hoisted.push((panel, columns, said));
            }
            forms.push((panel, columns, blocks));
        }
    }
    // Which panels are blocks where (the widths their notes give, 172 for errors with the
    // 38-column ProvisionedThroughputExceededException and the 44-column HYPERLINK message
    // whole, 110, 81, 154, 138, 150): tables from the width on that holds them.
    let blocks_at = |panel: &str| -> Vec<u16> {
        forms
            .iter()
            .filter(|(p, _, b)| *p == panel && *b)
            .map(|(_, c, _)| *c)
            .collect()
    };
    assert_eq!(blocks_at("errors"), [80, 100, 120, 160]);
    assert_eq!(blocks_at("api-calls"), [80, 100]);
    assert_eq!(blocks_at("locations"), [80]);
    assert_eq!(blocks_at("findings"), [80, 100, 120]);
    assert_eq!(blocks_at("shards"), [80, 100, 120]);
    assert_eq!(blocks_at("changes"), [80, 100, 120]);
    // The consumers of the sample are all of one stream: at 80 and 100 columns (the table of
    // every column needs 104) the account, region and stream are said once and the table of
    // the rest fits; wider, every column is in the table. The other panels' rows differ in
    // their keys (or are blocks even without them).
    let shared = || ["account", "region", "stream"].map(String::from).to_vec();
    assert_eq!(
        hoisted,
        [("consumers", 80, shared()), ("consumers", 100, shared())]
    );
}

/// A panel written out by hand at 120 columns (a table: the message wraps at spaces, the
/// error codes, names, addresses and counts whole, wide characters counted as two columns)
/// and at 80 (blocks: the table would need 108).
#[test]
fn errors_panel_by_hand_at_80_and_120() {
    let dir = tempfile::tempdir().unwrap();
    let event = |name: &str, ip: &str, user: &str, code: &str, message: &str| {
        format!(
            r#"{{"eventTime":"2024-03-09T10:00:00Z","eventSource":"kinesis.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"{ip}","userIdentity":{{"type":"IAMUser","userName":"{user}"}},"errorCode":"{code}","errorMessage":"{message}"}}"#
        )
    };
    let rate = "Rate exceeded for shard shardId-000000000001 in stream orders";
    let a = event(
        "PutRecords",
        "2001:db8::7334",
        "🚀-deployer",
        "LimitExceededException",
        rate,
    );
    let missing = "Stream 注文 under account 111122223333 not found.";
    let b = event(
        "DescribeStream",
        "203.0.113.7",
        "注文-bot",
        "ResourceNotFoundException",
        missing,
    );
    let file = dir.path().join("errors.json");
    std::fs::write(&file, [a.clone(), a, b].join("\n")).unwrap();
    let args = ["events", "-q", "-p", "errors", file.to_str().unwrap()];
    let at_120 = "Errors
┌───────────────────────────┬──────────────────────────────────┬────────────────┬─────────────┬────────────────┬───────┐
│ error_code                ┆ error_message                    ┆ event_name     ┆ user        ┆ source_ip      ┆ count │
╞═══════════════════════════╪══════════════════════════════════╪════════════════╪═════════════╪════════════════╪═══════╡
│ LimitExceededException    ┆ Rate exceeded for shard          ┆ PutRecords     ┆ 🚀-deployer ┆ 2001:db8::7334 ┆     2 │
│                           ┆ shardId-000000000001 in stream   ┆                ┆             ┆                ┆       │
│                           ┆ orders                           ┆                ┆             ┆                ┆       │
│ ResourceNotFoundException ┆ Stream 注文 under account        ┆ DescribeStream ┆ 注文-bot    ┆ 203.0.113.7    ┆     1 │
│                           ┆ 111122223333 not found.          ┆                ┆             ┆                ┆       │
└───────────────────────────┴──────────────────────────────────┴────────────────┴─────────────┴────────────────┴───────┘
";
    let r = run_at(120, &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, at_120);
    for line in at_120.lines().skip(1) {
        assert_eq!(width(line), 120, "{line}");
    }
    let at_80 = "Errors
(a block per row: as a table it needs 108 columns)
── 1 ───────────────────────────────────────────────────────────────────────────
error_code     LimitExceededException
error_message  Rate exceeded for shard shardId-000000000001 in stream orders
event_name     PutRecords
user           🚀-deployer
source_ip      2001:db8::7334
count          2
── 2 ───────────────────────────────────────────────────────────────────────────
error_code     ResourceNotFoundException
error_message  Stream 注文 under account 111122223333 not found.
event_name     DescribeStream
user           注文-bot
source_ip      203.0.113.7
count          1
";
    let r = run_at(80, &args);
    assert_eq!(r.stdout, at_80);
}

/// Sparklines are drawn within their column: one line per series in a table, never a wrapped
/// trend; in blocks, a `trend` line of sparkline characters for each series.
#[test]
fn sparklines_stay_on_their_line() {
    let metrics = common::testdata("metrics/streams");
    let is_spark = |t: &str| t.chars().all(|c| c == ' ' || ('▁'..='█').contains(&c));
    for columns in [80u16, 100, 120] {
        let r = run_at(columns, &["metrics", "-q", metrics.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        for line in r.stdout.lines() {
            assert!(width(line) <= usize::from(columns), "{columns}: {line}");
        }
        for title in ["Put Latency (ms)", "Incoming Records", "Iterator Age (ms)"] {
            let panel: Vec<&str> = r
                .stdout
                .lines()
                .skip_while(|l| !l.starts_with(title))
                .take_while(|l| !l.is_empty())
                .collect();
            if panel.iter().any(|l| l.starts_with("(a block per row")) {
                let trends: Vec<&str> = panel
                    .iter()
                    .filter_map(|l| l.strip_prefix("trend"))
                    .collect();
                let blocks = panel.iter().filter(|l| l.starts_with("── ")).count();
                assert_eq!(trends.len(), blocks, "{panel:?}");
                assert!(trends.iter().all(|t| is_spark(t)), "{panel:?}");
                continue;
            }
            let body: Vec<&&str> = panel
                .iter()
                .skip_while(|l| !l.starts_with('╞'))
                .skip(1)
                .take_while(|l| l.starts_with('│'))
                .collect();
            assert!(!body.is_empty(), "{columns}: {panel:?}");
            for line in body {
                let cells: Vec<&str> = line.trim_matches('│').split('┆').collect();
                assert!(!cells[0].trim().is_empty(), "{columns}: wrapped {line:?}");
                assert!(is_spark(cells.last().unwrap().trim()), "{line:?}");
            }
        }
    }
}

/// Metric Streams datapoints of iterator age (the `max` is what the panel reads), one a
/// minute from 2024-03-09T10:00Z, for the series `(region, stream, shard)` (`None`: the
/// stream-level metric).
fn iterator_ages(series: &[(&str, &str, Option<&str>, &[u32])]) -> String {
    let mut lines = Vec::new();
    for (region, stream, shard, values) in series {
        let (metric, dims) = match shard {
            None => (
                "GetRecords.IteratorAgeMilliseconds",
                format!(r#"{{"StreamName":"{stream}"}}"#),
            ),
            Some(shard) => (
                "IteratorAgeMilliseconds",
                format!(r#"{{"StreamName":"{stream}","ShardId":"{shard}"}}"#),
            ),
        };
        for (minute, v) in values.iter().enumerate() {
            lines.push(format!(
                r#"{{"region":"{region}","namespace":"AWS/Kinesis","metric_name":"{metric}","dimensions":{dims},"timestamp":{},"value":{{"sum":{v},"count":1,"max":{v},"min":{v}}}}}"#,
                1_709_978_400_000u64 + minute as u64 * 60_000
            ));
        }
    }
    lines.join("\n")
}

/// Columns whose value every row shares are said once above a table that does not fit with
/// them, and only then: a panel of one region and one stream, its three series 24 buckets
/// long. With every column the table needs 97 columns (region 9, stream 6, shard 20, min 3,
/// avg 3, max 3, last 4, the sparkline 24, borders 25), 81 with the sparkline at its 8.
#[test]
fn columns_every_row_shares_are_said_once_when_the_table_is_too_wide() {
    let dir = tempfile::tempdir().unwrap();
    // The stream: 0, 0, 0, 2, 2, 2, ... 14, 14, 14 (mean 7); shard 0 the other way round;
    // shard 1 always 5. Measurements are drawn from their smallest to their largest value:
    // 2 * k is level k of 0..7; a series that never moves is drawn mid-height (level 3).
    let up: Vec<u32> = (0..24).map(|i| 2 * (i / 3)).collect();
    let down: Vec<u32> = up.iter().rev().copied().collect();
    let flat = [5; 24];
    let file = dir.path().join("ages.json");
    std::fs::write(
        &file,
        iterator_ages(&[
            ("us-east-1", "orders", None, &up),
            ("us-east-1", "orders", Some("shardId-000000000000"), &down),
            ("us-east-1", "orders", Some("shardId-000000000001"), &flat),
        ]),
    )
    .unwrap();
    let args = [
        "metrics",
        "-q",
        "-p",
        "iterator-age",
        "--period",
        "1m",
        file.to_str().unwrap(),
    ];
    let title =
        "Iterator Age (ms)\n(24 buckets of 1m, 2024-03-09T10:00:00Z to 2024-03-09T10:24:00Z)\n";
    // 80 columns: region and stream said once; the table of the rest fits, sparklines whole
    // (24 characters, one a bucket).
    let at_80 = format!(
        "{title}\
Every row: region us-east-1, stream orders
┌──────────────────────┬─────┬─────┬─────┬──────┬──────────────────────────┐
│ shard                ┆ min ┆ avg ┆ max ┆ last ┆ trend                    │
╞══════════════════════╪═════╪═════╪═════╪══════╪══════════════════════════╡
│ -                    ┆   0 ┆   7 ┆  14 ┆   14 ┆ ▁▁▁▂▂▂▃▃▃▄▄▄▅▅▅▆▆▆▇▇▇███ │
│ shardId-000000000000 ┆   0 ┆   7 ┆  14 ┆    0 ┆ ███▇▇▇▆▆▆▅▅▅▄▄▄▃▃▃▂▂▂▁▁▁ │
│ shardId-000000000001 ┆   5 ┆   5 ┆   5 ┆    5 ┆ ▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄ │
└──────────────────────┴─────┴─────┴─────┴──────┴──────────────────────────┘
"
    );
    let r = run_at(80, &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, at_80);
    // 60 columns (a pipe, $COLUMNS=60): the sparkline shrinks to 8, a character the mean of
    // three buckets (0, 2, ... 14), and the table is exactly 60 wide.
    let at_60 = "Iterator Age (ms)
(24 buckets of 1m, 2024-03-09T10:00:00Z to
2024-03-09T10:24:00Z)
Every row: region us-east-1, stream orders
┌──────────────────────┬─────┬─────┬─────┬──────┬──────────┐
│ shard                ┆ min ┆ avg ┆ max ┆ last ┆ trend    │
╞══════════════════════╪═════╪═════╪═════╪══════╪══════════╡
│ -                    ┆   0 ┆   7 ┆  14 ┆   14 ┆ ▁▂▃▄▅▆▇█ │
│ shardId-000000000000 ┆   0 ┆   7 ┆  14 ┆    0 ┆ █▇▆▅▄▃▂▁ │
│ shardId-000000000001 ┆   5 ┆   5 ┆   5 ┆    5 ┆ ▄▄▄▄▄▄▄▄ │
└──────────────────────┴─────┴─────┴─────┴──────┴──────────┘
";
    let r = run_at(60, &args);
    assert_eq!(r.stdout, at_60);
    for line in r.stdout.lines().skip(3) {
        assert_eq!(width(line), if line.starts_with("Every") { 42 } else { 60 });
    }
    // 90 columns: the table fits with every column once the sparkline is 17 characters
    // (90 - 73): nothing is said once.
    let at_90 = format!(
        "{}\
┌───────────┬────────┬──────────────────────┬─────┬─────┬─────┬──────┬───────────────────┐
│ region    ┆ stream ┆ shard                ┆ min ┆ avg ┆ max ┆ last ┆ trend             │
╞═══════════╪════════╪══════════════════════╪═════╪═════╪═════╪══════╪═══════════════════╡
",
        title.replacen('\n', " ", 1)
    );
    let r = run_at(90, &args);
    assert!(r.stdout.starts_with(&at_90), "{}", r.stdout);
    assert!(!r.stdout.contains("Every row"), "{}", r.stdout);
    assert!(
        r.stdout.lines().skip(1).all(|l| width(l) == 90),
        "{}",
        r.stdout
    );
    // A pipe without $COLUMNS is 100 wide: the table of every column at its natural width.
    let r = run(&args);
    assert!(!r.stdout.contains("Every row"), "{}", r.stdout);
    assert!(
        r.stdout.lines().skip(1).all(|l| width(l) == 97),
        "{}",
        r.stdout
    );
    // 59 columns: even without region and stream it does not fit (60): blocks of every
    // column, as before.
    let r = run_at(59, &args);
    assert!(
        r.stdout
            .contains("\n(a block per row: as a table it needs 81 columns)\n── 1 ─"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("\nregion  us-east-1\nstream  orders\nshard   -\n")
    );
    assert!(!r.stdout.contains("Every row"), "{}", r.stdout);
    // Table files (--output-dir) are 100 columns and keep every column: nothing said once
    // (this one fits anyway; `every row` is for terminals and pipes).
    let out = dir.path().join("out");
    let mut with_dir = args.to_vec();
    with_dir.extend(["-o", out.to_str().unwrap()]);
    let r = run_at(60, &with_dir);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(out.join("iterator-age.txt")).unwrap();
    assert!(!text.contains("Every row"), "{text}");
}

/// Rows that differ in every key column have nothing to say once: at 80 columns the same
/// panel of two regions and two streams is blocks, every column in each.
#[test]
fn rows_that_differ_in_every_key_say_nothing_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ages.json");
    let up: Vec<u32> = (0..24).map(|i| 2 * (i / 3)).collect();
    std::fs::write(
        &file,
        iterator_ages(&[
            ("us-east-1", "orders", Some("shardId-000000000000"), &up),
            (
                "eu-west-1",
                "clicks",
                Some("shardId-000000000001"),
                &[5; 24],
            ),
        ]),
    )
    .unwrap();
    let r = run_at(
        80,
        &[
            "metrics",
            "-q",
            "-p",
            "iterator-age",
            "--period",
            "1m",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rule = |n: u8| format!("── {n} {}", "─".repeat(80 - 5));
    assert_eq!(
        r.stdout,
        format!(
            "Iterator Age (ms)
(24 buckets of 1m, 2024-03-09T10:00:00Z to 2024-03-09T10:24:00Z)
(a block per row: as a table it needs 81 columns)
{}
region  eu-west-1
stream  clicks
shard   shardId-000000000001
min     5
avg     5
max     5
last    5
trend   ▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄
{}
region  us-east-1
stream  orders
shard   shardId-000000000000
min     0
avg     7
max     14
last    14
trend   ▁▁▁▂▂▂▃▃▃▄▄▄▅▅▅▆▆▆▇▇▇███
",
            rule(1),
            rule(2)
        )
    );
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
        // Table lines, or the rule lines of blocks (at 80 the panel needs 81 columns as a
        // table).
        let widths: Vec<usize> = shown
            .lines()
            .filter(|l| l.starts_with(['┌', '│', '└']) || l.starts_with("── "))
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

/// Usage lines name the program `kinesis-insights` whatever its file is called (clap would
/// take the name from argv[0]: a link named `ki` printed `Usage: ki events`).
#[test]
fn usage_names_the_program_whatever_it_is_called() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("ki");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_kinesis-insights"), &link).unwrap();
    let out = std::process::Command::new(&link)
        .args(["events", "--bogus"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("\nUsage: kinesis-insights events [OPTIONS] [PATH]...\n"),
        "{stderr}"
    );
    let help = std::process::Command::new(&link)
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(
        help.contains("\nUsage: kinesis-insights <COMMAND>\n"),
        "{help}"
    );
    assert!(!help.contains("Usage: ki "), "{help}");
}
