//! The README's examples run: every `kinesis-insights …` command in its code blocks is run on the
//! sample data (with `AWSLogs/` standing for `testdata/cloudtrail/` and `metrics/` for
//! `testdata/metrics/streams/`) and must succeed, so the documented flags stay true to the code.

mod common;

use std::path::Path;

fn readme_commands() -> Vec<String> {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut commands = Vec::new();
    let mut in_block = false;
    let mut pending = String::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block {
            continue;
        }
        let line = line.trim();
        if !pending.is_empty() {
            pending.push(' ');
            pending.push_str(line.trim_end_matches('\\').trim());
            if !line.ends_with('\\') {
                commands.push(std::mem::take(&mut pending));
            }
        } else if line.starts_with("kinesis-insights ") {
            if line.ends_with('\\') {
                pending = line.trim_end_matches('\\').trim().to_string();
            } else {
                commands.push(line.to_string());
            }
        }
    }
    commands
}

/// Splits a shell command line into words, honouring single quotes (enough for the README).
fn words(cmd: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in cmd.chars() {
        match c {
            '\'' => quoted = !quoted,
            ' ' if !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[test]
fn readme_examples_run() {
    let commands = readme_commands();
    assert!(commands.len() >= 5, "{commands:?}");
    let sample = common::testdata("cloudtrail");
    let metrics = common::testdata("metrics/streams");
    let out = tempfile::tempdir().unwrap();
    let mut ran = 0;
    for cmd in &commands {
        // Only the kinesis-insights part of a pipeline; commands reading stdin or files made by
        // other tools are skipped.
        let cmd = cmd.split(" | ").next().unwrap();
        // Output redirected to a file is left on standard output.
        let cmd = cmd.split(" > ").next().unwrap();
        if cmd.ends_with(" -") || cmd.contains("events.json") {
            continue;
        }
        let args: Vec<String> = words(cmd)
            .into_iter()
            .skip(1)
            .map(|w| match w.as_str() {
                "AWSLogs/" => sample.to_str().unwrap().to_string(),
                "metrics/" => metrics.to_str().unwrap().to_string(),
                "report/" => out.path().to_str().unwrap().to_string(),
                _ => w,
            })
            .collect();
        let r = common::run(&args);
        assert_eq!(r.code, 0, "README example failed: {cmd}\n{}", r.stderr);
        ran += 1;
    }
    assert!(ran >= 5, "only {ran} README examples ran");
}

/// Example lines compared as a reader sees them: blank lines (between groups) kept, a comment's
/// lines joined into one, a command as its shell words.
fn normalised(lines: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in lines.lines().map(str::trim) {
        match line.strip_prefix("# ") {
            Some(c) => match out.last_mut() {
                Some(last) if last.starts_with("# ") => {
                    last.push(' ');
                    last.push_str(c);
                }
                _ => out.push(format!("# {c}")),
            },
            None if line.is_empty() => out.push(String::new()),
            None => out.push(words(line).join(" ")),
        }
    }
    out
}

/// Each subcommand's `--help` ends with the README's example groups that run it (each comment
/// and its commands), word for word once the lines help breaks (with ` \`) are joined, and
/// nothing follows them: so the examples users read in help are the ones run above. No line
/// is wider than 79 columns.
#[test]
fn help_ends_with_the_readme_examples() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let block = readme
        .split_once("\n## Examples\n")
        .and_then(|(_, rest)| rest.split_once("```sh\n"))
        .and_then(|(_, rest)| rest.split_once("\n```"))
        .expect("an sh block in the README's Examples")
        .0
        .replace(" \\\n", " ");
    for sub in ["events", "metrics", "health", "sql", "completions"] {
        let help = common::run(&[sub, "--help"]).stdout;
        let (_, examples) = help
            .split_once("\nExamples:\n")
            .unwrap_or_else(|| panic!("{sub} --help has no examples:\n{help}"));
        for line in examples.lines() {
            assert!(line.chars().count() <= 79, "{sub} --help: too wide: {line}");
        }
        let runs = |line: &str| {
            line.split(" | ").any(|part| {
                part.trim_start()
                    .starts_with(&format!("kinesis-insights {sub} "))
            })
        };
        let groups: Vec<&str> = block
            .split("\n\n")
            .filter(|g| g.lines().any(runs))
            .collect();
        assert!(!groups.is_empty(), "the README has no {sub} example");
        let want = normalised(&groups.join("\n\n"));
        let shown = normalised(examples.trim_end().replace(" \\\n", " ").as_str());
        assert_eq!(shown, want, "{sub} --help");
    }
}
