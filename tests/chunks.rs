//! Big files are read in pieces (`input::chunk`): reading a file in pieces of any size must give
//! exactly what reading it whole gives (every panel, every count, every warning), for every
//! layout, plain and gzipped. Piece sizes of a few bytes put cuts everywhere: inside strings,
//! between every value, inside envelopes and arrays.

use std::io::Write;

use kinesis_insights::cloudtrail::reader::CloudTrailReader;
use kinesis_insights::diag::{FileReport, FileStatus};
use kinesis_insights::events::{EventsAgg, Query};
use kinesis_insights::input::Source;
use kinesis_insights::metrics::parse::MetricsReader;
use kinesis_insights::metrics::{MetricsCube, Query as MetricsQuery};
use kinesis_insights::panels::events::{EventsCtx, PANELS};
use kinesis_insights::panels::metrics::{MetricsCtx, PANELS as METRICS_PANELS};
use kinesis_insights::panels::{Cell, Table};
use kinesis_insights::pipeline::{self, PassOptions};
use kinesis_insights::window::Window;

/// A CloudTrail record with varied fields (escapes, nested arrays and objects, a `Records` key
/// inside, text that looks like a cut).
fn record(i: usize) -> String {
    let name = ["PutRecord", "GetRecords", "PutRecords", "ListShards"][i % 4];
    let user = ["alice", "bob", "ci\\\"bot", "d\\u00e9ploy"][i % 4];
    let kinesis = !i.is_multiple_of(5);
    let source = if kinesis {
        "kinesis.amazonaws.com"
    } else {
        "s3.amazonaws.com"
    };
    let error = if i.is_multiple_of(7) {
        r#","errorCode":"ThrottlingException","errorMessage":"Rate exceeded }\n{ for [stream]""#
    } else {
        ""
    };
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","userName":"{user}","sessionContext":{{"attributes":{{"x":[1,{{"y":[]}}]}}}}}},"eventTime":"2024-03-09T{:02}:{:02}:00Z","eventSource":"{source}","eventName":"{name}","awsRegion":"us-east-{}","sourceIPAddress":"10.0.{}.{}","requestParameters":{{"streamName":"s{}","Records":[{{"data":"eA==","partitionKey":"k,]}}"}}]}},"resources":[],"eventID":"id-{i}"{error}}}"#,
        (i / 60) % 24,
        i % 60,
        1 + i % 2,
        i % 3,
        i % 11,
        i % 3,
    )
}

fn records(n: usize) -> Vec<String> {
    (0..n).map(record).collect()
}

/// The layouts a big file comes in, each holding the same records.
fn layouts(n: usize) -> Vec<(&'static str, String)> {
    let r = records(n);
    let pretty = |rec: &String| {
        let v: serde_json::Value = serde_json::from_str(rec).unwrap();
        serde_json::to_string_pretty(&v).unwrap()
    };
    let pretty_all: Vec<String> = r.iter().map(pretty).collect();
    let lookup: Vec<String> = r
        .iter()
        .map(|rec| {
            format!(
                r#"{{"EventId":"x","CloudTrailEvent":{}}}"#,
                serde_json::to_string(rec).unwrap()
            )
        })
        .collect();
    vec![
        ("json lines", r.join("\n") + "\n"),
        ("json lines, CRLF, no final newline", r.join("\r\n")),
        ("concatenated", r.concat()),
        ("concatenated pretty", pretty_all.join("\n")),
        ("commas between values", r.join(",\n")),
        (
            "records envelope",
            format!(r#"{{"Records":[{}]}}"#, r.join(",")),
        ),
        (
            "records envelope, pretty",
            format!(
                "{{\n  \"Records\": [\n{}\n  ]\n}}\n",
                pretty_all.join(",\n")
            ),
        ),
        (
            "records envelope with other members",
            format!(
                r#"{{"a":{{"Records":[1]}},"Records":[{}],"b":[{{"c":"]"}}],"Records":[{}]}}"#,
                r[..n / 2].join(","),
                r[n / 2..].join(",")
            ),
        ),
        ("top-level array", format!("[{}]", r.join(", "))),
        (
            "envelopes concatenated",
            r.chunks(7)
                .map(|c| format!(r#"{{"Records":[{}]}}"#, c.join(",")))
                .collect::<Vec<_>>()
                .concat(),
        ),
        (
            "with a byte order mark",
            format!("\u{feff}{}", r.join("\n")),
        ),
        (
            "lookup-events",
            format!(r#"{{"Events":[{}],"NextToken":"t"}}"#, lookup.join(",")),
        ),
        (
            "mixed",
            format!(
                "{}\n{{\"Records\":[{}]}}\n[{}]\n{}",
                r[0],
                r[1..n / 2].join(","),
                r[n / 2..n - 1].join(","),
                r[n - 1]
            ),
        ),
    ]
}

/// JSON lines of `r` with every ninth line (from the fifth) cut right after its
/// `"userIdentity":` key, and the indices of the cut lines.
fn cut_lines(r: &[String]) -> (String, Vec<usize>) {
    let cut: Vec<usize> = (0..r.len()).filter(|i| i % 9 == 4).collect();
    let lines: Vec<&str> = r
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if cut.contains(&i) {
                let key = "\"userIdentity\":";
                &l[..l.find(key).unwrap() + key.len()]
            } else {
                l.as_str()
            }
        })
        .collect();
    (lines.join("\n") + "\n", cut)
}

/// Damaged files: they must read the same in pieces as whole too.
fn damaged(n: usize) -> Vec<(&'static str, String)> {
    let r = records(n);
    let mut lines = r.clone();
    lines[n / 3] = r#"{"eventTime": oops}"#.into();
    lines[n / 2] = "not json at all".into();
    let lines = lines.join("\n");
    let envelope = format!(r#"{{"Records":[{}]}}"#, r.join(","));
    vec![
        ("bad lines", lines.clone()),
        ("truncated lines", lines[..lines.len() * 2 / 3].to_string()),
        (
            "truncated envelope",
            envelope[..envelope.len() * 2 / 3].to_string(),
        ),
        (
            "truncated pretty envelope",
            layouts(n)[6].1[..layouts(n)[6].1.len() / 2].to_string(),
        ),
        (
            "a raw newline in a string",
            r.join("\n").replacen("alice", "al\nice", 1),
        ),
        ("garbage first", format!("<html>\n{}", r.join("\n"))),
        ("lines cut where a value was expected", cut_lines(&r).0),
        (
            "many bad lines",
            r.iter()
                .map(|l| format!("{l}\n{{\"eventTime\": oops}}\n"))
                .collect::<String>()
                .repeat(4),
        ),
        ("empty", String::new()),
        ("blank", " \n\t\r\n".repeat(50)),
        (
            "invalid utf-8",
            r.join("\n").replacen("bob", "b\u{fffd}b", 2),
        ),
    ]
}

fn gz(data: &[u8], members: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let step = data.len().div_ceil(members.max(1)).max(1);
    for part in data.chunks(step) {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(part).unwrap();
        out.extend(e.finish().unwrap());
    }
    if data.is_empty() {
        let e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        out.extend(e.finish().unwrap());
    }
    out
}

fn events_pass(path: &std::path::Path, chunk: usize, max_value: usize) -> (Vec<Table>, FileReport) {
    let query = Query::new(Window::default(), 3_600_000);
    let opts = PassOptions {
        chunk_bytes: chunk,
        max_value,
        ..PassOptions::default()
    };
    let (cube, mut reports): (EventsAgg, _) = pipeline::run(
        &CloudTrailReader { query: &query },
        &[Source::File(path.to_path_buf())],
        opts,
    );
    let ctx = EventsCtx {
        window: Window::default(),
        bucket: 3_600_000,
        default_bucket: false,
        top: 10,
        open_end: None,
        geo: Err(kinesis_insights::geo::NoDb::NotFound),
    };
    let tables = PANELS
        .iter()
        .map(|p| p.table(&cube, &ctx).unwrap())
        .collect();
    (tables, reports.remove(0))
}

/// Piece sizes that cut everywhere, and one that reads the file whole.
const SIZES: [usize; 9] = [1, 2, 3, 5, 17, 64, 333, 4096, 1 << 30];

/// The Kinesis events the events panel (the first table) counts: the sum of its counts.
fn kinesis_events(tables: &[Table]) -> u64 {
    tables[0]
        .rows
        .iter()
        .map(|row| match row[1] {
            Cell::Count(n) => n,
            ref other => panic!("{other:?}"),
        })
        .sum()
}

fn check_events(name: &str, bytes: &[u8], sizes: &[usize]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    std::fs::write(&path, bytes).unwrap();
    let whole = events_pass(&path, 1 << 30, 1 << 30);
    for &chunk in sizes {
        let got = events_pass(&path, chunk, 1 << 30);
        assert_eq!(
            got.1, whole.1,
            "{name}: report with pieces of {chunk} bytes"
        );
        assert_eq!(
            got.0, whole.0,
            "{name}: panels with pieces of {chunk} bytes"
        );
    }
}

/// Every CloudTrail fixture (the S3 sample, the envelopes of other pipelines, CloudWatch Logs
/// exports, broken files) reads the same in pieces as whole.
#[test]
fn every_fixture_reads_the_same_in_pieces() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut files = Vec::new();
    for dir in [
        "cloudtrail",
        "envelopes",
        "compressed",
        "broken",
        "doc-sample",
        "encodings",
    ] {
        let mut stack = vec![root.join(dir)];
        while let Some(d) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in entries {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    files.push(p);
                }
            }
        }
    }
    files.sort();
    assert!(files.len() > 50, "{}", files.len());
    // Every file in pieces of a few bytes is slow in a debug build: every seventh file.
    for (i, f) in files.iter().enumerate() {
        let sizes: &[usize] = if i % 7 == 0 { &[3, 100, 4096] } else { &[4096] };
        check_events(&f.display().to_string(), &std::fs::read(f).unwrap(), sizes);
    }
}

#[test]
fn every_layout_reads_the_same_in_pieces_of_any_size() {
    for (name, text) in layouts(40) {
        check_events(name, text.as_bytes(), &SIZES);
    }
}

#[test]
fn gzipped_multi_member_reads_the_same_in_pieces() {
    for (name, text) in layouts(40).into_iter().take(6) {
        check_events(name, &gz(text.as_bytes(), 3), &[7, 500, 1 << 30]);
    }
}

#[test]
fn damaged_files_read_the_same_in_pieces() {
    for (name, text) in damaged(40) {
        check_events(name, text.as_bytes(), &SIZES);
    }
}

/// Text in UTF-16 with a byte order mark, little- and big-endian, plain and gzipped, read in
/// pieces of any size (transcoded as a stream): the same panels and counts as its UTF-8
/// original read whole.
#[test]
fn utf16_reads_as_its_utf8_original_in_pieces() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in layouts(12).into_iter().take(7) {
        let original = dir.path().join("utf8.json");
        std::fs::write(&original, &text).unwrap();
        let want = events_pass(&original, 1 << 30, 1 << 30);
        for big_endian in [false, true] {
            let mut bytes = Vec::new();
            for u in std::iter::once(0xFEFF).chain(text.encode_utf16()) {
                bytes.extend(if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                });
            }
            for (file, bytes) in [
                ("utf16.json", bytes.clone()),
                ("utf16.json.gz", gz(&bytes, 2)),
            ] {
                let path = dir.path().join(file);
                std::fs::write(&path, &bytes).unwrap();
                for chunk in [1, 5, 64, 333, 1 << 30] {
                    let got = events_pass(&path, chunk, 1 << 30);
                    let what =
                        format!("{name}, {file}, big-endian {big_endian}, pieces of {chunk}");
                    assert_eq!(got.0, want.0, "{what}");
                    assert_eq!(
                        (got.1.records, got.1.skipped_records, &got.1.warnings),
                        (want.1.records, want.1.skipped_records, &want.1.warnings),
                        "{what}"
                    );
                }
            }
        }
    }
}

/// An unpaired surrogate in UTF-16, read whole and in pieces, plain and gzipped, becomes U+FFFD
/// with one warning in UTF-16's terms: how many, and the byte offset of the first in the UTF-16
/// text (its byte order mark included). Here it stands for the `i` of the last `eventID`, which
/// no panel shows: the panels are the UTF-8 original's.
#[test]
fn utf16_with_an_unpaired_surrogate_is_said_in_utf16s_terms() {
    let dir = tempfile::tempdir().unwrap();
    let text = layouts(12).remove(0).1;
    let original = dir.path().join("utf8.json");
    std::fs::write(&original, &text).unwrap();
    let want = events_pass(&original, 1 << 30, 1 << 30);
    let lone = text.rfind("\"id-").unwrap() + 1;
    let unit = text[..lone].encode_utf16().count();
    let at = 2 + 2 * unit;
    for big_endian in [false, true] {
        let mut units: Vec<u16> = std::iter::once(0xFEFF).chain(text.encode_utf16()).collect();
        assert_eq!(units[1 + unit], u16::from(b'i'));
        units[1 + unit] = 0xDC00;
        let bytes: Vec<u8> = units
            .iter()
            .flat_map(|u| {
                if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect();
        for (file, bytes) in [
            ("lone.json", bytes.clone()),
            ("lone.json.gz", gz(&bytes, 2)),
        ] {
            let path = dir.path().join(file);
            std::fs::write(&path, &bytes).unwrap();
            for chunk in [1, 64, 333, 1 << 30] {
                let got = events_pass(&path, chunk, 1 << 30);
                let what = format!("{file}, big-endian {big_endian}, pieces of {chunk}");
                assert_eq!(got.0, want.0, "{what}");
                assert_eq!(
                    (got.1.records, got.1.skipped_records, &got.1.warnings),
                    (
                        want.1.records,
                        want.1.skipped_records,
                        &vec![format!(
                            "invalid UTF-16 replaced with U+FFFD: 1 unpaired surrogate at byte {at}"
                        )]
                    ),
                    "{what}"
                );
            }
        }
    }
}

/// A JSON line cut where a value was expected (`"userIdentity":` and the newline) costs that
/// record only: serde_json reads the next line's record as the missing value, and that record
/// is read again as itself, whole and in pieces.
#[test]
fn a_line_cut_where_a_value_was_expected_costs_only_itself() {
    let r = records(40);
    let (text, cut) = cut_lines(&r);
    assert_eq!(cut, [4, 13, 22, 31]);
    // Every fifth record is another service's (see `record`).
    let kinesis = (0..40).filter(|i| !cut.contains(i) && i % 5 != 0).count() as u64;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.json");
    std::fs::write(&path, &text).unwrap();
    for chunk in [17, 333, 1 << 30] {
        let query = Query::new(Window::default(), 3_600_000);
        let opts = PassOptions {
            chunk_bytes: chunk,
            ..PassOptions::default()
        };
        let (cube, reports): (EventsAgg, _) = pipeline::run(
            &CloudTrailReader { query: &query },
            &[Source::File(path.clone())],
            opts,
        );
        let name = format!("pieces of {chunk} bytes");
        assert_eq!(cube.counts.records, 36, "{name}");
        assert_eq!(cube.counts.kinesis, kinesis, "{name}");
        assert_eq!(
            (reports[0].records, reports[0].skipped_records),
            (36, 4),
            "{name}"
        );
    }
}

/// 100 records on one line, as CloudTrail delivers them to S3, with record 11 damaged: only
/// that record is lost (none when the damage is a missing comma between records), whole and
/// in pieces of any size, and the one place is named with its jq path. Expected counts by
/// construction: every fifth record is another service's (see `record`).
#[test]
fn a_damaged_record_on_one_line_costs_only_itself() {
    let r = records(100);
    type Mutate = fn(&str) -> String;
    let damages: [(&str, Mutate, bool); 6] = [
        (
            "a string's closing quote cut",
            |s| s.replacen(r#""ListShards","#, r#""ListShards,"#, 1),
            true,
        ),
        (
            "a quote added in a key",
            |s| s.replacen("eventSource", "eventS\"ource", 1),
            true,
        ),
        (
            "a stray byte after a value",
            |s| s.replacen(r#""us-east-2""#, r#""us-east-2"x"#, 1),
            true,
        ),
        (
            "a missing comma between members",
            |s| s.replacen(r#""ListShards","#, r#""ListShards""#, 1),
            true,
        ),
        (
            "a raw newline in a string",
            |s| s.replacen("10.0.", "10.\n0.", 1),
            true,
        ),
        ("the comma before it missing", |s| s.to_string(), false),
    ];
    for (what, damage, lost) in damages {
        let mut rs = r.clone();
        rs[11] = damage(&rs[11]);
        let text = if lost {
            assert_ne!(rs[11], r[11], "{what}");
            format!(r#"{{"Records":[{}]}}"#, rs.join(","))
        } else {
            format!(
                r#"{{"Records":[{}{}]}}"#,
                rs[..11].join(","),
                [String::new(), rs[11..].join(",")].join("")
            )
        };
        // A missing comma between records costs none: every record is read, and the place
        // is named, but nothing counts as skipped.
        let (read, skipped) = if lost { (99, 1) } else { (100, 0) };
        let kinesis = (0..100)
            .filter(|&i| i % 5 != 0 && !(lost && i == 11))
            .count() as u64;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("one-line.json");
        std::fs::write(&path, &text).unwrap();
        let whole = events_pass(&path, 1 << 30, 1 << 30);
        assert_eq!(
            (whole.1.records, whole.1.skipped_records),
            (read, skipped),
            "{what}: {:?}",
            whole.1
        );
        assert_eq!(whole.1.warnings.len(), 1, "{what}: {:?}", whole.1.warnings);
        assert!(
            whole.1.warnings[0].contains(".Records[11]"),
            "{what}: {:?}",
            whole.1.warnings
        );
        let events = kinesis_events(&whole.0);
        assert_eq!(events, kinesis, "{what}");
        for chunk in [1, 7, 100, 333, 4096] {
            let got = events_pass(&path, chunk, 1 << 30);
            assert_eq!(got.1, whole.1, "{what}: pieces of {chunk}");
            assert_eq!(got.0, whole.0, "{what}: pieces of {chunk}");
        }
    }
}

/// 100 records concatenated on one line with no separator, as Firehose writes them to S3,
/// with record 11 damaged: only that record is lost, whole and in pieces of any size (the
/// cutter reads on from the next `}{` as the readers do, rather than giving the rest of the
/// line out as one piece). Expected counts by construction: every fifth record is another
/// service's (see `record`).
#[test]
fn a_damaged_record_in_a_line_of_concatenated_records_costs_only_itself() {
    let r = records(100);
    type Mutate = fn(&str) -> String;
    let damages: [(&str, Mutate); 5] = [
        ("a string's closing quote cut", |s| {
            s.replacen(r#""ListShards","#, r#""ListShards,"#, 1)
        }),
        ("a quote added in a key", |s| {
            s.replacen("eventSource", "eventS\"ource", 1)
        }),
        ("a stray byte after a value", |s| {
            s.replacen(r#""us-east-2""#, r#""us-east-2"x"#, 1)
        }),
        ("a missing comma between members", |s| {
            s.replacen(r#""ListShards","#, r#""ListShards""#, 1)
        }),
        ("a value without quotes", |s| {
            s.replacen(r#""us-east-2""#, "us-east-2", 1)
        }),
    ];
    for (what, damage) in damages {
        let mut rs = r.clone();
        rs[11] = damage(&rs[11]);
        assert_ne!(rs[11], r[11], "{what}");
        let text = rs.concat();
        let kinesis = (0..100).filter(|&i| i % 5 != 0 && i != 11).count() as u64;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("firehose");
        std::fs::write(&path, &text).unwrap();
        let whole = events_pass(&path, 1 << 30, 1 << 30);
        assert_eq!(
            (whole.1.records, whole.1.skipped_records),
            (99, 1),
            "{what}: {:?}",
            whole.1
        );
        assert_eq!(kinesis_events(&whole.0), kinesis, "{what}");
        for chunk in [1, 7, 100, 333, 4096] {
            let got = events_pass(&path, chunk, 1 << 30);
            assert_eq!(got.1, whole.1, "{what}: pieces of {chunk}");
            assert_eq!(got.0, whole.0, "{what}: pieces of {chunk}");
        }
    }
}
/// Two lines in a row each cut where a value was expected: both are lost and both are named,
/// two skipped records, whole and in pieces; every other line counts (by construction).
#[test]
fn two_cut_lines_in_a_row_are_two_places() {
    let r = records(20);
    let key = "\"userIdentity\":";
    let lines: Vec<&str> = r
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 6 || i == 7 {
                &l[..l.find(key).unwrap() + key.len()]
            } else {
                l.as_str()
            }
        })
        .collect();
    let text = lines.join("\n") + "\n";
    let kinesis = (0..20).filter(|&i| i != 6 && i != 7 && i % 5 != 0).count() as u64;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.json");
    std::fs::write(&path, &text).unwrap();
    let whole = events_pass(&path, 1 << 30, 1 << 30);
    assert_eq!(
        (whole.1.records, whole.1.skipped_records),
        (18, 2),
        "{:?}",
        whole.1
    );
    let line_end = |i: usize| format!("line {}, column {}", i + 1, lines[i].len() + 1);
    assert!(
        whole.1.warnings[0].contains(&line_end(6)),
        "{:?}",
        whole.1.warnings
    );
    assert!(
        whole.1.warnings[1].contains(&line_end(7)),
        "{:?}",
        whole.1.warnings
    );
    let events = kinesis_events(&whole.0);
    assert_eq!(events, kinesis);
    for chunk in [1, 17, 333] {
        let got = events_pass(&path, chunk, 1 << 30);
        assert_eq!((&got.0, &got.1), (&whole.0, &whole.1), "pieces of {chunk}");
    }
}

/// An envelope whose records sit one a line in the first column, with the comma after the
/// first missing: the first is passed on as the envelope is read, the break comes at the
/// start of the next line, and the first must not be read again as a line of its own (it
/// would count twice); the rest are read on as the array's elements, from the second (it
/// reads whole, and the array after it ends the envelope). Every record counts once.
#[test]
fn a_record_passed_on_before_a_break_is_not_read_again() {
    let r = records(12);
    let text = format!("{{\"Records\":[\n{}\n{}\n]}}\n", r[0], r[1..].join(",\n"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("env.json");
    std::fs::write(&path, &text).unwrap();
    let query = Query::new(Window::default(), 3_600_000);
    let (cube, reports): (EventsAgg, _) = pipeline::run(
        &CloudTrailReader { query: &query },
        &[Source::File(path)],
        PassOptions::default(),
    );
    assert_eq!(cube.counts.records, 12);
    // The missing comma is a damaged place that cost no record; the envelope's `]}` closes
    // the array read on, no place of its own.
    assert_eq!(reports[0].skipped_records, 0);
    assert_eq!(reports[0].warnings.len(), 1, "{:?}", reports[0].warnings);
    assert!(
        reports[0].warnings[0].contains(".Records[1]")
            && reports[0].warnings[0].contains("both read"),
        "{:?}",
        reports[0].warnings
    );
}

/// Mutated files (a byte replaced, inserted or removed, a few times): reading in pieces never
/// counts a record twice and finds at least the records reading whole finds; where the whole
/// reading found no damage, exactly the same. (Where it did, the pieces may recover more:
/// reading whole, a broken value on a long line costs the rest of the line.)
#[test]
fn mutated_files_read_the_same_in_pieces() {
    const PIECES: [&str; 12] = [
        "{", "}", "[", "]", ",", "\"", "\\", "\n", " ", "x", "},{", "}\n{",
    ];
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let bases = layouts(6);
    let mut exact = 0;
    for round in 0..300 {
        let (name, base) = &bases[round % bases.len()];
        let mut text = base.as_bytes().to_vec();
        for _ in 0..1 + round % 3 {
            let at = (next() % text.len() as u64) as usize;
            let piece = PIECES[(next() % PIECES.len() as u64) as usize].as_bytes();
            match next() % 3 {
                0 => {
                    text.remove(at);
                }
                1 => {
                    text.splice(at..at, piece.iter().copied());
                }
                _ => {
                    text.splice(at..=at, piece.iter().copied());
                }
            }
        }
        let sizes = [1 + (next() % 7) as usize, 10 + (next() % 200) as usize];
        let name = format!("{name}, round {round}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.json");
        std::fs::write(&path, &text).unwrap();
        let whole = events_pass(&path, 1 << 30, 1 << 30);
        for chunk in sizes {
            let (tables, report, duplicates) = events_pass_dedup(&path, chunk);
            assert_eq!(duplicates, 0, "{name}: counted twice, pieces of {chunk}");
            let clean = whole.1.status == FileStatus::Read
                && whole.1.skipped_records == 0
                && whole.1.warnings.is_empty();
            if clean {
                assert_eq!((&tables, &report), (&whole.0, &whole.1), "{name}, {chunk}");
            } else {
                assert!(
                    report.records >= whole.1.records,
                    "{name}, {chunk}: {report:?} vs {:?}",
                    whole.1
                );
                exact += usize::from(report == whole.1);
            }
        }
    }
    // Most damage reads exactly the same anyway.
    assert!(exact > 50, "{exact}");
}

fn events_pass_dedup(path: &std::path::Path, chunk: usize) -> (Vec<Table>, FileReport, u64) {
    let query = Query {
        dedup: Some(Default::default()),
        ..Query::new(Window::default(), 3_600_000)
    };
    let opts = PassOptions {
        chunk_bytes: chunk,
        ..PassOptions::default()
    };
    let (cube, mut reports): (EventsAgg, _) = pipeline::run(
        &CloudTrailReader { query: &query },
        &[Source::File(path.to_path_buf())],
        opts,
    );
    let ctx = EventsCtx {
        window: Window::default(),
        bucket: 3_600_000,
        default_bucket: false,
        top: 10,
        open_end: None,
        geo: Err(kinesis_insights::geo::NoDb::NotFound),
    };
    let tables = PANELS
        .iter()
        .map(|p| p.table(&cube, &ctx).unwrap())
        .collect();
    (tables, reports.remove(0), cube.counts.duplicates)
}

#[test]
fn the_whole_reading_counts_what_the_records_say() {
    // The reference the pieces are compared with, checked against the fixture itself: every
    // layout holds 40 records, 32 of them Kinesis (every fifth is S3).
    for (name, text) in layouts(40) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.json");
        std::fs::write(&path, text).unwrap();
        let (tables, report) = events_pass(&path, 3, 1 << 30);
        assert_eq!((report.records, report.skipped_records), (40, 0), "{name}");
        let events = kinesis_events(&tables);
        assert_eq!(events, 32, "{name}");
    }
}

#[test]
fn a_value_past_the_cap_is_skipped_with_a_warning() {
    let r = records(10);
    let huge = format!(
        r#"{{"eventTime":"2024-03-09T00:00:00Z","eventSource":"kinesis.amazonaws.com","eventName":"Huge","userAgent":"{}"}}"#,
        "a".repeat(10_000)
    );
    let cases = [
        (
            "a huge line",
            format!("{}\n{huge}\n{}\n", r[..5].join("\n"), r[5..].join("\n")),
        ),
        (
            "a huge element",
            format!(
                r#"{{"Records":[{},{huge},{}]}}"#,
                r[..5].join(","),
                r[5..].join(",")
            ),
        ),
    ];
    for (name, text) in cases {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.json");
        std::fs::write(&path, text).unwrap();
        let (_, report) = events_pass(&path, 100, 5_000);
        assert_eq!((report.records, report.skipped_records), (10, 1), "{name}");
        assert!(
            report.warnings[0].contains("a single value of more than 5000 bytes"),
            "{name}: {:?}",
            report.warnings
        );
        // Under the cap it is read.
        let (_, report) = events_pass(&path, 100, 1 << 20);
        assert_eq!((report.records, report.skipped_records), (11, 0), "{name}");
    }
}

fn metrics_pass(path: &std::path::Path, chunk: usize) -> (Vec<Table>, FileReport) {
    let query = MetricsQuery::new(Window::default(), 60_000);
    let reader = MetricsReader {
        query: &query,
        queries: None,
        statistics_series: None,
    };
    let opts = PassOptions {
        chunk_bytes: chunk,
        ..PassOptions::default()
    };
    let (cube, mut reports): (MetricsCube, _) =
        pipeline::run(&reader, &[Source::File(path.to_path_buf())], opts);
    let ctx = MetricsCtx {
        window: Window::default(),
        period: 300_000,
    };
    let tables = METRICS_PANELS
        .iter()
        .map(|p| p.table(&cube, &ctx).unwrap())
        .collect();
    (tables, reports.remove(0))
}

#[test]
fn metric_streams_read_the_same_in_pieces() {
    let lines: Vec<String> = (0..60)
        .map(|i| {
            format!(
                r#"{{"metric_stream_name":"m","account_id":"1","region":"eu-west-1","namespace":"AWS/Kinesis","metric_name":"{}","dimensions":{{"StreamName":"s{}"}},"timestamp":{},"value":{{"max":{i}.5,"min":0.0,"sum":{}.25,"count":{}.0}},"unit":"Bytes"}}"#,
                ["IncomingBytes", "IncomingRecords", "GetRecords.IteratorAgeMilliseconds"][i % 3],
                i % 2,
                1_709_942_400_000u64 + 60_000 * i as u64,
                i * 10,
                1 + i % 4
            )
        })
        .collect();
    let mut broken = lines.clone();
    broken[30] = r#"{"namespace": "AWS/Kinesis", oops}"#.into();
    // Records skipped for a reason: the first of each is named by its line in the file, however
    // it was cut (lines 11, 21 and 41; the sum in quotes twice).
    let mut skipped = lines.clone();
    skipped[10] = skipped[10].replace(r#""timestamp":"#, r#""timestamp":"x","t":"#);
    skipped[20] = skipped[20].replace(r#""value":"#, r#""v":"#);
    for i in [40, 50] {
        skipped[i] = skipped[i].replace(r#""sum":"#, r#""sum":"1","s":"#);
    }
    for (name, text) in [
        ("lines", lines.join("\n")),
        ("concatenated", lines.concat()),
        ("broken", broken.join("\n")),
        ("skipped", skipped.join("\n")),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.json");
        std::fs::write(&path, &text).unwrap();
        let whole = metrics_pass(&path, 1 << 30);
        if name == "skipped" {
            assert_eq!(
                whole.1.warnings,
                [
                    "1 record skipped: a timestamp that is not a number (first at line 11)",
                    "1 record skipped: a datapoint without a value (first at line 21)",
                    "2 records skipped: a value.sum that is not a number (first at line 41)",
                ]
            );
            assert_eq!((whole.1.records, whole.1.skipped_records), (56, 4));
        }
        for chunk in [1, 5, 100, 1000] {
            assert_eq!(
                metrics_pass(&path, chunk),
                whole,
                "{name}, pieces of {chunk}"
            );
        }
    }
}

/// get-metric-data output read in pieces (its `MetricDataResults` split): a skipped datapoint
/// is named by the index of its result in the whole array, however the array was cut.
#[test]
fn split_get_metric_data_names_skips_by_their_index_in_the_file() {
    use kinesis_insights::metrics::parse::{Queries, QuerySpec};
    let result = |i: usize, time: &str| {
        format!(
            r#"{{"Id":"m{i}","StatusCode":"Complete","Timestamps":["2024-03-09T10:00:00Z",{time}],"Values":[{i}.0,1.0]}}"#
        )
    };
    let results: Vec<String> = (0..40)
        .map(|i| match i {
            25 | 33 => result(i, r#""not a time""#),
            _ => result(i, r#""2024-03-09T10:01:00Z""#),
        })
        .collect();
    let text = format!("{{\"MetricDataResults\": [\n{}\n]}}\n", results.join(",\n"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gmd.json");
    std::fs::write(&path, &text).unwrap();
    let mut queries = Queries::default();
    for i in 0..40 {
        queries.by_id.insert(
            format!("m{i}"),
            QuerySpec {
                namespace: "AWS/Kinesis".into(),
                metric: "IncomingBytes".into(),
                stream: format!("s{i}"),
                shard: String::new(),
                consumer: String::new(),
                other_dims: false,
                stat: "Sum".into(),
            },
        );
    }
    let query = MetricsQuery::new(Window::default(), 60_000);
    let reader = MetricsReader {
        query: &query,
        queries: Some(&queries),
        statistics_series: None,
    };
    let pass = |chunk: usize| {
        let opts = PassOptions {
            chunk_bytes: chunk,
            ..PassOptions::default()
        };
        let (_, mut reports): (MetricsCube, _) =
            pipeline::run(&reader, &[Source::File(path.clone())], opts);
        reports.remove(0)
    };
    let whole = pass(1 << 30);
    assert_eq!(
        whole.warnings,
        [
            "2 records skipped: a Timestamps entry that is not a time (first at line 1, column 1, \
          .MetricDataResults[25].Timestamps[1])"
        ]
    );
    assert_eq!((whole.records, whole.skipped_records), (78, 2));
    for chunk in [50, 200, 1000] {
        assert_eq!(pass(chunk), whole, "pieces of {chunk}");
    }
}

/// An object given out in pieces (its array split) that breaks after the array closed, once
/// the object's start has left the buffer: the broken line goes out from where the shell
/// stopped, not from the object's start (which once sliced before the buffer and panicked; the
/// `chunks` fuzz target found it in a lookup-events file).
#[test]
fn an_object_breaking_after_its_split_array() {
    let r = records(12);
    let text = format!(
        "{{\"Records\": [{}],\n \"NextToken\": \"abc\ndef\"}}\n{}\n",
        r[..10].join(",\n"),
        r[10]
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.json");
    std::fs::write(&path, &text).unwrap();
    let whole = events_pass(&path, 1 << 30, 1 << 30).1;
    for chunk in [3, 6, 50, 200] {
        let (_, report) = events_pass(&path, chunk, 1 << 30);
        // The ten elements and the record after the broken line are read; the break is told.
        assert_eq!(report.records, 11, "pieces of {chunk}: {report:?}");
        assert!(report.skipped_records > 0, "pieces of {chunk}: {report:?}");
    }
    assert!(whole.skipped_records > 0, "{whole:?}");
}

/// A long run of damaged records in a row (each breaks before its end, so none ends at a comma
/// of its own) is cut into pieces like any other elements: memory stays bounded (no value past
/// the cap is skipped), and each one is one damaged place, whole and in pieces of any size.
/// Counts by construction: 1 good record, 400 damaged, 1 good; then without the last good one.
#[test]
fn a_run_of_damaged_records_is_cut_into_pieces() {
    let r = records(3);
    let bad = r[1].replacen(r#""us-east-2""#, r#""us-east-2"x"#, 1);
    assert_ne!(bad, r[1]);
    let run = vec![bad; 400].join(",");
    for (what, text, read) in [
        (
            "good after",
            format!(r#"{{"Records":[{},{run},{}]}}"#, r[0], r[2]),
            2,
        ),
        (
            "none after",
            format!(r#"{{"Records":[{},{run}]}}"#, r[0]),
            1,
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.json");
        std::fs::write(&path, &text).unwrap();
        let whole = events_pass(&path, 1 << 30, 1 << 30);
        assert_eq!(
            (whole.1.records, whole.1.skipped_records),
            (read, 400),
            "{what}: {:?}",
            whole.1
        );
        for chunk in [1, 100, 4096] {
            // A cap far under the run's length: reached, the run would be skipped as one
            // value too big.
            assert!(text.len() > 20 * 5_000);
            let got = events_pass(&path, chunk, 5_000);
            assert_eq!(got.1, whole.1, "{what}: pieces of {chunk}");
            assert_eq!(got.0, whole.0, "{what}: pieces of {chunk}");
        }
    }
}

/// Record `i` with arrays of objects nested in it, one of objects whose first key is
/// `eventVersion` as records' is, and a first key that is `eventVersion` for even `i` and
/// `eventTime` for odd `i` (records written by more than one tool).
fn nested(i: usize) -> String {
    let time = format!(r#""eventTime":"2024-03-09T10:{:02}:00Z""#, i % 60);
    let version = r#""eventVersion":"1.08""#.to_string();
    let (first, second) = if i.is_multiple_of(2) {
        (version, time)
    } else {
        (time, version)
    };
    format!(
        r#"{{{first},{second},"eventSource":"kinesis.amazonaws.com","eventName":"PutRecord","awsRegion":"us-east-1","requestParameters":{{"streamName":"s{i}","items":[{{"eventVersion":"a"}},{{"eventVersion":"b"}},{{"eventVersion":"c"}}]}},"resources":[{{"ARN":"arn:a"}},{{"ARN":"arn:b"}},{{"ARN":"arn:c"}}],"eventID":"id-{i}"}}"#
    )
}

/// The review's cases, read by the pipeline whole, in pieces of any size and as JSON lines:
/// 40 records, record 10 damaged so that what follows the break inside it looks like the
/// next record (a `}{` of a comma missing between nested objects, D1; nested objects whose
/// first key is `eventVersion` after a stray byte, D4), or a string cut open swallows the
/// start of record 11 (D3), or record 11's first key is not record 0's (D9, every case
/// here). By construction 39 records read, 1 skipped, one warning naming `.Records[10]` (in
/// JSON lines, line 11), the same in pieces of every size.
#[test]
fn what_follows_a_break_is_checked_in_pieces_too() {
    let r: Vec<String> = (0..40).map(nested).collect();
    type Mutate = fn(&str) -> String;
    let damages: [(&str, Mutate); 4] = [
        ("D1: a }{ inside the record", |s| {
            s.replacen(
                r#"{"ARN":"arn:a"},{"ARN":"arn:b"}"#,
                r#"{"ARN":"arn:a"}{"ARN":"arn:b"}"#,
                1,
            )
        }),
        ("D4: objects like records after a stray byte", |s| {
            s.replacen(r#""us-east-1""#, r#""us-east-1"x"#, 1)
        }),
        ("D3: a string cut open at the record's end", |s| {
            s.replacen(r#""id-10""#, r#""id-10"#, 1)
        }),
        ("D9: a missing comma between members", |s| {
            s.replacen(r#""PutRecord","#, r#""PutRecord""#, 1)
        }),
    ];
    for (what, damage) in damages {
        let mut rs = r.clone();
        rs[10] = damage(&rs[10]);
        assert_ne!(rs[10], r[10], "{what}");
        for (layout, text, place) in [
            (
                "envelope",
                format!(r#"{{"Records":[{}]}}"#, rs.join(",")),
                ".Records[10]",
            ),
            ("array", format!("[{}]", rs.join(",")), "[10]"),
            ("json lines", rs.join("\n") + "\n", "line 1"),
        ] {
            let name = format!("{what}, {layout}");
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("d.json");
            std::fs::write(&path, &text).unwrap();
            let whole = events_pass(&path, 1 << 30, 1 << 30);
            assert_eq!(
                (whole.1.records, whole.1.skipped_records),
                (39, 1),
                "{name}: {:?}",
                whole.1
            );
            assert_eq!(whole.1.warnings.len(), 1, "{name}: {:?}", whole.1.warnings);
            assert!(
                whole.1.warnings[0].contains(place),
                "{name}: {:?}",
                whole.1.warnings
            );
            assert_eq!(kinesis_events(&whole.0), 39, "{name}");
            for chunk in [1, 7, 100, 333, 4096] {
                let got = events_pass(&path, chunk, 1 << 30);
                assert_eq!(got.1, whole.1, "{name}: pieces of {chunk}");
                assert_eq!(got.0, whole.0, "{name}: pieces of {chunk}");
            }
        }
    }
}

/// D2: a pretty-printed damaged record in a pretty-printed envelope (`json.dumps(indent=2)`),
/// a stray byte after a value before its nested objects (each on lines of their own): only
/// that record is lost, 39 read of 40, one place `.Records[10]`, whole and in pieces.
#[test]
fn a_pretty_damaged_record_costs_only_itself() {
    let pretty: Vec<String> = (0..40)
        .map(|i| {
            let v: serde_json::Value = serde_json::from_str(&nested(i)).unwrap();
            serde_json::to_string_pretty(&v).unwrap()
        })
        .collect();
    let mut rs = pretty.clone();
    rs[10] = rs[10].replacen(r#""us-east-1""#, r#""us-east-1"x"#, 1);
    assert_ne!(rs[10], pretty[10]);
    let text = format!("{{\n  \"Records\": [\n{}\n  ]\n}}\n", rs.join(",\n"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pretty.json");
    std::fs::write(&path, &text).unwrap();
    let whole = events_pass(&path, 1 << 30, 1 << 30);
    assert_eq!(
        (whole.1.records, whole.1.skipped_records),
        (39, 1),
        "{:?}",
        whole.1
    );
    assert_eq!(whole.1.warnings.len(), 1, "{:?}", whole.1.warnings);
    assert!(
        whole.1.warnings[0].contains(".Records[10]"),
        "{:?}",
        whole.1.warnings
    );
    for chunk in [1, 7, 100, 333, 4096] {
        let got = events_pass(&path, chunk, 1 << 30);
        assert_eq!(got.1, whole.1, "pieces of {chunk}");
        assert_eq!(got.0, whole.0, "pieces of {chunk}");
    }
}
