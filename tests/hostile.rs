//! Hostile and broken input (the "Bad input and exit status" table of the README): every case
//! ends in a warning naming the file or a counted skip, never a panic, a hang or lost good data.

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;

use common::{csv_rows, gz, run, testdata, utf16};

fn kin(i: usize) -> String {
    format!(
        r#"{{"eventTime":"2024-03-09T10:{:02}:00Z","eventSource":"kinesis.amazonaws.com","eventName":"PutRecord","eventID":"id-{i}","awsRegion":"us-east-1"}}"#,
        i % 60
    )
}

/// The `matched_events` of a JSON run over `paths`, with its exit status and stderr.
fn matched(paths: &[&Path], extra: &[&str]) -> (u64, i32, String) {
    let mut args: Vec<String> = vec![
        "events".into(),
        "-f".into(),
        "json".into(),
        "-p".into(),
        "events".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(paths.iter().map(|p| p.to_str().unwrap().to_string()));
    let r = run(&args);
    let doc: serde_json::Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|_| panic!("no JSON: {}", r.stderr));
    (
        doc["summary"]["matched_events"].as_u64().unwrap(),
        r.code,
        r.stderr,
    )
}

#[test]
fn truncated_json_lines_keep_every_complete_record() {
    let dir = tempfile::tempdir().unwrap();
    let text: String = (0..100).map(|i| kin(i) + "\n").collect();
    // Cut in the middle of line 61: 60 complete records remain.
    let cut = text.lines().take(60).map(|l| l.len() + 1).sum::<usize>() + 20;
    fs::write(dir.path().join("cut.jsonl"), &text[..cut]).unwrap();
    fs::write(dir.path().join("good.jsonl"), &text).unwrap();
    let (n, code, err) = matched(&[dir.path()], &[]);
    assert_eq!((n, code), (160, 1), "{err}");
    assert!(
        err.contains("cut.jsonl: JSON ends in the middle of a value (line 61"),
        "{err}"
    );
}

#[test]
fn truncated_gzip_keeps_what_decompresses() {
    let dir = tempfile::tempdir().unwrap();
    let text: String = (0..3000).map(|i| kin(i) + "\n").collect();
    let whole = gz(text.as_bytes());
    let part = &whole[..whole.len() / 2];
    fs::write(dir.path().join("half.json.gz"), part).unwrap();
    // What a streaming decoder can give back from the half, counted line by line.
    let mut prefix = Vec::new();
    let _ = std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(part), &mut prefix);
    let complete = prefix.iter().filter(|&&b| b == b'\n').count() as u64;
    assert!(complete > 100 && complete < 3000);
    let (n, code, err) = matched(&[dir.path()], &[]);
    assert_eq!((n, code), (complete, 1), "{err}");
    assert!(
        err.contains("half.json.gz: gzip data ends early (truncated)"),
        "{err}"
    );
}

#[test]
fn random_empty_directory_and_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(
        root.join("random.bin"),
        (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    fs::write(root.join("empty.json"), b"").unwrap();
    fs::create_dir(root.join("looks-like-a-file.json.gz")).unwrap();
    fs::write(root.join("looks-like-a-file.json.gz/inside.json"), kin(1)).unwrap();
    fs::write(root.join("good.json"), kin(2)).unwrap();
    let locked = root.join("locked.json");
    fs::write(&locked, kin(3)).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    }
    // As root, permissions do not stop a read; the locked file then simply counts.
    let locked_readable = fs::read(&locked).is_ok();
    let (n, code, err) = matched(&[root], &[]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("random.bin: skipped: not a CloudTrail file"),
        "{err}"
    );
    assert!(err.contains("empty.json: empty file"), "{err}");
    if locked_readable {
        assert_eq!(n, 3, "{err}");
    } else {
        assert_eq!(n, 2, "{err}");
        assert!(
            err.contains("locked.json: skipped: permission denied"),
            "{err}"
        );
    }
}

#[test]
fn wrong_shapes_are_counted_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.json"), r#"{"Records":"x"}"#).unwrap();
    fs::write(dir.path().join("b.json"), r#"{"Records":[{"eventTime":1,"eventSource":"kinesis.amazonaws.com","eventName":"X"},{"eventTime":"2024-03-09T10:00:00Z","eventSource":"kinesis.amazonaws.com","eventName":"Y","userIdentity":7,"awsRegion":["r"]}]}"#).unwrap();
    let (n, code, err) = matched(&[dir.path()], &[]);
    assert_eq!((n, code), (1, 1), "{err}");
    assert!(err.contains("a.json: 1 record skipped, 0 read"), "{err}");
    assert!(err.contains("b.json: 1 record skipped, 1 read"), "{err}");
}

#[test]
fn deep_nesting_and_a_huge_line() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    fs::write(dir.path().join("deep.json"), deep).unwrap();
    let nested = format!(
        r#"{{"eventTime":"2024-03-09T10:00:00Z","eventSource":"kinesis.amazonaws.com","eventName":"Deep","x":{}0{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    fs::write(dir.path().join("nested.json"), nested).unwrap();
    // One 200 MB line: a record whose user agent is 200 MB long.
    let mut f = fs::File::create(dir.path().join("huge.json")).unwrap();
    write!(f, r#"{{"eventTime":"2024-03-09T10:00:00Z","eventSource":"kinesis.amazonaws.com","eventName":"Huge","userAgent":""#).unwrap();
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..200 {
        f.write_all(&chunk).unwrap();
    }
    f.write_all(b"\"}\n").unwrap();
    drop(f);
    let r = run(&[
        "events",
        "-f",
        "csv",
        "-p",
        "events",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        csv_rows(&r.stdout),
        [
            ["event_name", "count", "percent"],
            ["Deep", "1", "50.00"],
            ["Huge", "1", "50.00"]
        ]
    );
    assert!(
        r.stderr.contains("deep.json: 1 record skipped"),
        "{}",
        r.stderr
    );
    // With a cap below its size, the huge file is refused with a message instead.
    let r = run(&[
        "events",
        "-p",
        "events",
        "--max-file-size",
        "64M",
        dir.path().join("huge.json").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("huge.json: skipped: is more than 67108864 bytes; refused"),
        "{}",
        r.stderr
    );
}

#[test]
fn gzip_bomb_is_refused_with_bounded_memory() {
    // 2 GiB of zeros in a few MB: members of 64 MiB each, repeated.
    let member = gz(&vec![0u8; 64 << 20]);
    let bomb: Vec<u8> = member
        .iter()
        .copied()
        .cycle()
        .take(member.len() * 32)
        .collect();
    assert!(bomb.len() < 4 << 20, "{}", bomb.len());
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("bomb.json.gz"), &bomb).unwrap();
    fs::write(dir.path().join("good.json"), kin(1)).unwrap();
    let (n, code, err) = matched(&[dir.path()], &["--max-file-size", "100M"]);
    assert_eq!((n, code), (1, 1), "{err}");
    assert!(
        err.contains("bomb.json.gz: skipped: decompresses to more than 104857600 bytes; refused"),
        "{err}"
    );
}

#[test]
fn invalid_utf8_is_read_lossily() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = kin(1).into_bytes();
    let at = bytes.windows(9).position(|w| w == b"PutRecord").unwrap();
    bytes[at + 3] = 0xff;
    fs::write(dir.path().join("bad-utf8.json"), &bytes).unwrap();
    let r = run(&[
        "events",
        "-f",
        "csv",
        "-p",
        "events",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("bad-utf8.json: invalid UTF-8 replaced with U+FFFD"),
        "{}",
        r.stderr
    );
    assert_eq!(csv_rows(&r.stdout)[1], ["Put\u{fffd}ecord", "1", "100.00"]);
}

#[test]
fn dedup_counts_each_event_id_once() {
    let dir = tempfile::tempdir().unwrap();
    let text: String = (0..50).map(|i| kin(i) + "\n").collect();
    fs::write(dir.path().join("a.jsonl"), &text).unwrap();
    fs::write(dir.path().join("copy-of-a.jsonl.gz"), gz(text.as_bytes())).unwrap();
    let extra: String = (50..60).map(|i| kin(i) + "\n").collect();
    fs::write(dir.path().join("b.jsonl"), &extra).unwrap();
    assert_eq!(matched(&[dir.path()], &[]).0, 110);
    for threads in ["1", "2"] {
        let r = run(&[
            "events",
            "-f",
            "json",
            "-p",
            "events",
            "--dedup",
            "-j",
            threads,
            dir.path().to_str().unwrap(),
        ]);
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(doc["summary"]["matched_events"], 60);
        assert_eq!(doc["summary"]["duplicate_events"], 50);
        assert_eq!(doc["summary"]["unchecked_events"], 0);
    }
    // Records without an eventID count, and the run says how many could not be checked.
    let no_id = |i: usize| kin(i).replace(&format!(r#""eventID":"id-{i}","#), "");
    let text: String = (0..3).map(|i| no_id(i) + "\n").collect();
    fs::write(dir.path().join("c.jsonl"), &text).unwrap();
    fs::write(dir.path().join("copy-of-c.jsonl"), &text).unwrap();
    let r = run(&[
        "events",
        "-f",
        "json",
        "-p",
        "events",
        "--dedup",
        dir.path().to_str().unwrap(),
    ]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["summary"]["matched_events"], 66);
    assert_eq!(doc["summary"]["unchecked_events"], 6);
    assert!(
        r.stderr.contains(
            "note: --dedup: 6 events without an eventID could not be checked for duplicates and \
             are counted"
        ),
        "{}",
        r.stderr
    );
}

#[cfg(unix)]
#[test]
fn links_fifos_and_stdin_do_not_hang() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir(root.join("d")).unwrap();
    fs::write(root.join("d/a.json"), kin(1)).unwrap();
    std::os::unix::fs::symlink(root, root.join("d/loop")).unwrap();
    let fifo = root.join("d/pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    // A FIFO inside a tree is passed over; a symlink loop is reported with -L.
    let (n, code, err) = matched(&[root], &["-L"]);
    assert_eq!(n, 1, "{err}");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("symbolic link loop"), "{err}");
    let (n, code, _) = matched(&[root], &[]);
    assert_eq!((n, code), (1, 0));
    if made {
        // Named explicitly, a FIFO is read (as with `<(zcat x.gz)`).
        let writer_path = fifo.clone();
        let writer = std::thread::spawn(move || fs::write(writer_path, kin(2)).unwrap());
        let (n, code, err) = matched(&[&fifo], &[]);
        writer.join().unwrap();
        assert_eq!((n, code), (1, 0), "{err}");
    }
    let twice = run(&["events", "-", "-"]);
    assert_eq!(twice.code, 2);
}

/// `--relative-to latest` reads its inputs twice; a named FIFO (`<(zcat x.gz)`) can be read
/// once only, so it is kept as standard input is. Before, the second open waited for a writer
/// that was gone (a hang), and a run that got past it counted nothing.
#[cfg(unix)]
#[test]
fn a_fifo_is_read_once_when_the_window_is_relative_to_its_latest_event() {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.map(|s| s.success()).unwrap_or(false) {
        return;
    }
    // Events at 10:00, 10:01 and 10:02 (gzipped, as from `<(cat x.gz)`); 90 s back from the
    // latest, 10:02, are 10:01 and 10:02.
    let body: Vec<String> = (0..3).map(kin).collect();
    let bytes = gz(body.join("\n").as_bytes());
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || fs::write(writer_path, bytes));
    let mut child = common::bin()
        .args(["events", "-f", "json", "-p", "events", "--since", "90s"])
        .args(["--relative-to", "latest"])
        .arg(&fifo)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("hangs on a FIFO with --relative-to latest");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["summary"]["matched_events"], 2, "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

#[test]
fn formulas_are_exact_in_csv_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let rec = r#"{"eventTime":"2024-03-09T10:00:00Z","eventSource":"kinesis.amazonaws.com","eventName":"PutRecord","errorCode":"=cmd|' /C calc'!A0","errorMessage":"@SUM(1+1)","sourceIPAddress":"-2+3","userIdentity":{"userName":"+1"}}"#;
    fs::write(dir.path().join("f.json"), rec).unwrap();
    let exact = run(&[
        "events",
        "-f",
        "csv",
        "-p",
        "errors",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(
        csv_rows(&exact.stdout)[1],
        [
            "=cmd|' /C calc'!A0",
            "@SUM(1+1)",
            "PutRecord",
            "+1",
            "-2+3",
            "1"
        ]
    );
    let safe = run(&[
        "events",
        "-f",
        "csv",
        "-p",
        "errors",
        "--spreadsheet-safe",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(
        csv_rows(&safe.stdout)[1],
        [
            "'=cmd|' /C calc'!A0",
            "'@SUM(1+1)",
            "PutRecord",
            "'+1",
            "'-2+3",
            "1"
        ]
    );
}

#[test]
fn sample_broken_folder_is_all_reported() {
    let r = run(&[
        "events",
        "-p",
        "events",
        testdata("broken").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1);
    for file in [
        "empty.json",
        "garbage.bin",
        "invalid-line.jsonl",
        "numbers.json",
        "truncated.json.gz",
        "wrong-shape.json",
    ] {
        assert!(
            r.stderr.contains(&format!("broken/{file}:")),
            "{file}: {}",
            r.stderr
        );
    }
}

/// Output that cannot be written is named, with the reason in words (no `os error N`).
#[test]
fn unwritable_output_is_named() {
    let sample = common::testdata("cloudtrail");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("README.md");
    std::fs::write(&file, "not a folder").unwrap();
    let r = common::run(&[
        "events".as_ref(),
        "-o".as_ref(),
        file.as_os_str(),
        sample.as_os_str(),
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        format!(
            "kinesis-insights: error: --output-dir {}: is not a directory\n",
            file.display()
        )
    );
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = common::bin()
        .args(["events".as_ref(), "-q".as_ref(), sample.as_os_str()])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "kinesis-insights: error: cannot write to standard output: no space left on device\n"
    );
}

#[test]
fn huge_thread_counts_are_capped() {
    // Without the cap, -j 65535 did not finish in ten minutes (see cmd::THREADS_PER_CORE).
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.json"), kin(1)).unwrap();
    let r = run(&[
        "events",
        "-f",
        "csv",
        "-p",
        "events",
        "-j",
        "65535",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("note: -j 65535: using "), "{}", r.stderr);
    assert!(
        r.stderr.contains("more only add contention"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stdout, "event_name,count,percent\nPutRecord,1,100.00\n");
}

/// UTF-16 with a byte order mark (the fixtures made by Python's `.encode('utf-16')`), plain,
/// big-endian and gzipped: read as the text it is, every record counted (3 Kinesis records of
/// 4, by construction, see the fixtures' README), names outside ASCII and outside the BMP
/// intact, and no warning.
#[test]
fn utf16_with_a_byte_order_mark_is_read() {
    for name in [
        "records-utf16le.json",
        "records-utf16be.json",
        "lines-utf16le.json.gz",
    ] {
        let path = testdata(&format!("encodings/{name}"));
        let r = run(&[
            "events",
            "-f",
            "csv",
            "-p",
            "top-users",
            path.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        assert!(!r.stderr.contains("warning"), "{name}: {}", r.stderr);
        let mut users: Vec<String> = csv_rows(&r.stdout)
            .into_iter()
            .skip(1)
            .map(|row| row[0].clone())
            .collect();
        users.sort();
        assert_eq!(users, ["emoji-😀", "josé", "€uro"], "{name}: {}", r.stdout);
        let (n, code, err) = matched(&[&path], &[]);
        assert_eq!((n, code), (3, 0), "{name}: {err}");
    }
}

/// An unpaired surrogate becomes U+FFFD with a warning that says so in UTF-16's terms, with its
/// byte offset (the mark is bytes 0 and 1); the record still counts.
#[test]
fn utf16_with_an_unpaired_surrogate_is_read_lossily() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = utf16(&kin(1), false);
    let at = bytes
        .windows(4)
        .position(|w| w == [b'R', 0, b'e', 0])
        .unwrap();
    bytes[at..at + 2].copy_from_slice(&0xD800u16.to_le_bytes());
    fs::write(dir.path().join("lone.json"), &bytes).unwrap();
    let (n, code, err) = matched(&[dir.path()], &[]);
    assert_eq!((n, code), (1, 0), "{err}");
    let said = format!(
        "lone.json: invalid UTF-16 replaced with U+FFFD: 1 unpaired surrogate at byte {at}\n"
    );
    assert!(err.contains(&said), "{err}");
    assert!(!err.contains("UTF-8"), "{err}");
}

/// Every reader gets the text: a metrics export in UTF-16 reads as its UTF-8 original does.
#[test]
fn utf16_metrics_read_as_their_utf8_original() {
    let original = testdata("metrics/get-metric-data/output.json");
    let text = fs::read_to_string(&original).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for big_endian in [false, true] {
        let copy = dir.path().join("output.json");
        fs::write(&copy, utf16(&text, big_endian)).unwrap();
        let args = |p: &Path| {
            vec![
                "metrics".to_string(),
                "-f".into(),
                "json".into(),
                p.to_str().unwrap().into(),
            ]
        };
        let want = run(&args(&original));
        let got = run(&args(&copy));
        assert_eq!(got.code, want.code, "{}", got.stderr);
        assert!(!want.stdout.is_empty());
        assert_eq!(
            got.stdout.replace(copy.to_str().unwrap(), "F"),
            want.stdout.replace(original.to_str().unwrap(), "F"),
            "big-endian: {big_endian}"
        );
    }
}
