//! One module per subcommand; each turns its clap arguments into a plain config and runs it.
//! Helpers shared by the commands (input discovery, the stderr reporter, writing results)
//! live here.

pub mod completions;
pub mod events;
pub mod health;
pub mod metrics;
pub mod sql;

use std::io::{self, IsTerminal, Write};

use anyhow::{Context as _, bail};
use clap::CommandFactory;
use clap::error::ErrorKind;

use crate::cli::{AnchorArg, Cli, Command, InputArgs, OutputArgs, WindowArgs};
use crate::config::{InputConfig, OutputConfig};
use crate::diag::{FileReport, FileStatus, FileTotals, Outcome, warnings};
use crate::filter::{Matcher, StreamArn, StreamFilter};
use crate::input::kind::{self, Kind};
use crate::input::{Found, PathProblem, Source, WalkOptions, discover};
use crate::panels::{Cell, Table};
use crate::render::{self, Options, Summary};
use crate::text::{plural, sanitize};
use crate::window::{Anchor, Millis, Window, WindowSpec, format_instant, format_time, now};

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Events(args) if args.from_csv.is_some() => events::run_from_csv(*args),
        Command::Events(args) => events::run(events::config(*args)?),
        Command::Metrics(args) => metrics::run(metrics::config(*args)?),
        Command::Health(args) => health::run(health::config(*args)?),
        Command::Sql(args) => sql::run(*args),
        Command::Completions(args) => completions::run(args.shell),
    }
}

/// Exits with a usage error in clap's style (status 2).
pub fn usage_error(kind: ErrorKind, msg: impl std::fmt::Display, sub: &str) -> ! {
    let mut cmd = Cli::command();
    cmd.build();
    let sub_cmd = cmd.find_subcommand_mut(sub).cloned();
    match sub_cmd {
        Some(mut c) => c.error(kind, msg).exit(),
        None => cmd.error(kind, msg).exit(),
    }
}

fn input_config(a: InputArgs, sub: &str) -> InputConfig {
    if a.paths.is_empty() {
        usage_error(
            ErrorKind::MissingRequiredArgument,
            "no input given: name files or directories to read (directories are walked \
             recursively), or - to read standard input",
            sub,
        );
    }
    if a.paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        usage_error(
            ErrorKind::ArgumentConflict,
            "'-' (standard input) is given more than once",
            sub,
        );
    }
    InputConfig {
        paths: a.paths,
        walk: WalkOptions {
            follow_links: a.follow,
        },
        max_bytes: a.max_file_size,
        chunk_bytes: test_chunk_bytes().unwrap_or(crate::pipeline::CHUNK_BYTES),
        threads: a.threads.map(|n| capped_threads(usize::from(n), cores())),
    }
}

/// Worker threads per core beyond which `-j` is lowered. Idle rayon workers look for work in
/// every other worker's queue (and each look walks crossbeam's list of all threads), so a pass
/// costs time in the square of the thread count: on the sample, 0.4 s with `-j 16`, 2.6 s with
/// 250, 53 s with 1,000, and `-j 65535` did not finish. Reading is CPU-bound; a few threads
/// per core already hide file-system latency.
pub const THREADS_PER_CORE: usize = 4;

/// The cores of this machine (1 when unknown).
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// `-j N`, lowered to [`THREADS_PER_CORE`] per core (at least 8) with a note.
fn capped_threads(n: usize, cores: usize) -> usize {
    let max = (cores * THREADS_PER_CORE).max(8);
    if n > max {
        note(&format!(
            "-j {n}: using {max} threads ({THREADS_PER_CORE} per core on {cores} core{}); more \
             only add contention",
            plural(cores as u64)
        ));
        max
    } else {
        n
    }
}

/// For tests only: `KINESIS_INSIGHTS_TEST_CHUNK_BYTES` sets the piece size of big files, so a
/// test can cut its small fixtures everywhere (not documented for users: the default is
/// right for them).
fn test_chunk_bytes() -> Option<usize> {
    std::env::var("KINESIS_INSIGHTS_TEST_CHUNK_BYTES")
        .ok()?
        .parse()
        .ok()
        .filter(|&n| n > 0)
}

/// The settings of a pass over the inputs.
pub fn pass_options(input: &InputConfig, progress: bool) -> crate::pipeline::PassOptions {
    crate::pipeline::PassOptions {
        max_bytes: input.max_bytes,
        progress,
        chunk_bytes: input.chunk_bytes,
        ..Default::default()
    }
}

fn output_config(a: OutputArgs, panels: usize, sub: &str) -> OutputConfig {
    let format = render::format(&a.format);
    if format.one_panel && a.output_dir.is_none() && panels != 1 {
        usage_error(
            ErrorKind::ArgumentConflict,
            format!(
                "--format {} writes one panel to standard output, but {panels} are selected; \
                 choose one with --panel ID, or write each to its own file with --output-dir DIR",
                format.name
            ),
            sub,
        );
    }
    let terminal = io::stdout().is_terminal();
    OutputConfig {
        format,
        output_dir: a.output_dir,
        render: Options {
            limit: a.limit,
            width: terminal_width(terminal, std::env::var("COLUMNS").ok().as_deref()),
            terminal,
            spreadsheet_safe: a.spreadsheet_safe,
            dashboard: dashboard(sub),
            command_line: command_line(),
        },
        quiet: a.quiet,
    }
}

/// `sub` as a `'static` name: a page's title and file name.
fn dashboard(sub: &str) -> &'static str {
    ["events", "metrics", "health"]
        .into_iter()
        .find(|d| *d == sub)
        .unwrap_or("dashboard")
}

/// The command line as given, each argument quoted where a shell would need it, for a page's
/// header (made once per run, so kept for its whole length).
fn command_line() -> &'static str {
    let args = std::env::args_os().map(|a| a.to_string_lossy().into_owned());
    Box::leak(shell_quoted(args).into_boxed_str())
}

/// `args` as one shell line: the program as `kinesis-insights`, words a shell would split or
/// expand in single quotes (`'` as `'\''`).
fn shell_quoted(args: impl Iterator<Item = String>) -> String {
    let plain = |a: &str| {
        !a.is_empty()
            && a.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@%+".contains(c))
    };
    let words: Vec<String> = args
        .enumerate()
        .map(|(i, a)| {
            if i == 0 {
                "kinesis-insights".to_string()
            } else if plain(&a) {
                a
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect();
    words.join(" ")
}

/// The width to fit tables to: the terminal's when standard output is one, else `$COLUMNS`,
/// else [`render::table::DEFAULT_WIDTH`]. A width of 0 (as Docker, CI runners and `script`
/// report) is unknown, not one column.
fn terminal_width(terminal: bool, columns: Option<&str>) -> u16 {
    let tty = terminal
        .then(|| terminal_size::terminal_size_of(io::stdout()))
        .flatten()
        .map(|(w, _)| w.0);
    tty.filter(|&w| w > 0)
        .or_else(|| {
            columns
                .and_then(|c| c.trim().parse().ok())
                .filter(|&w| w > 0)
        })
        .unwrap_or(render::table::DEFAULT_WIDTH)
}

fn window_spec(a: &WindowArgs) -> WindowSpec {
    WindowSpec {
        since: a.since,
        until: a.until,
        anchor: match a.relative_to {
            AnchorArg::Now => Anchor::Now,
            AnchorArg::Latest => Anchor::Latest,
        },
    }
}

/// Sets the size of the global rayon pool.
fn init_threads(threads: Option<usize>) -> anyhow::Result<()> {
    if let Some(n) = threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .context("cannot start worker threads")?;
    }
    Ok(())
}

/// Leaves the `--queries` file out of the inputs (`metrics` and `health`): it often sits next
/// to the get-metric-data output it describes, in a folder given as input, and is not an input
/// (read as one, its queries were records of no known kind). Fails when nothing else is left.
fn drop_query_file(
    sources: &mut Vec<Source>,
    queries: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let Some(q) = queries else { return Ok(()) };
    // By canonical path; a path that cannot be resolved is not the query file.
    let target = std::fs::canonicalize(q).ok();
    let is_queries =
        |p: &std::path::Path| target.is_some() && std::fs::canonicalize(p).ok() == target;
    sources.retain(|s| !s.path().is_some_and(is_queries));
    if sources.is_empty() {
        bail!(
            "no input besides the query file {}: name the get-metric-data output to read",
            q.display()
        );
    }
    Ok(())
}

/// Finds the inputs, warning about paths that cannot be used; fails when there is nothing.
fn find_inputs(cfg: &InputConfig) -> anyhow::Result<(Vec<Source>, Vec<PathProblem>)> {
    let Found {
        sources,
        problems,
        duplicates,
    } = discover(&cfg.paths, cfg.walk);
    if let Some(first) = duplicates.first() {
        note(&format!(
            "{} path{} named a file already given, read once (first: {})",
            duplicates.len(),
            crate::text::plural(duplicates.len() as u64),
            first.display()
        ));
    }
    let described: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.path.display(), p.reason))
        .collect();
    if sources.is_empty() {
        // One message, not a warning and then an error about the same path.
        match described.as_slice() {
            [] => {
                let names: Vec<String> =
                    cfg.paths.iter().map(|p| p.display().to_string()).collect();
                bail!("no input files found in {}", names.join(", "))
            }
            [one] => bail!("{one}"),
            many => bail!("no input to read: {}", many.join("; ")),
        }
    }
    for d in &described {
        warn(d);
    }
    Ok((sources, problems))
}

/// Prints a warning line to stderr.
pub fn warn(msg: &str) {
    eprintln!("kinesis-insights: warning: {}", sanitize(msg));
}

/// Says what was found of datapoints read more than once (README, "Bad input and exit
/// status"): without `--dedup`, a warning with how many repeats were counted again and the
/// earliest, and (unless `quiet`) a note of those that could not be checked; with it, (unless
/// `quiet`) how many were left out.
fn report_repeats(c: &crate::metrics::MetricCounts, dedup: bool, quiet: bool) {
    use crate::metrics::key;
    use crate::text::plural;
    if dedup {
        if c.duplicates > 0 && !quiet {
            note(&format!(
                "--dedup: {} repeated datapoint{} left out",
                c.duplicates,
                plural(c.duplicates)
            ));
        }
        return;
    }
    if c.repeated > 0 {
        let first = c.first_repeat.as_ref().map_or_else(String::new, |(t, k)| {
            let mut at = format!("{} of stream {}", k[key::METRIC], k[key::STREAM]);
            for (name, i) in [
                ("shard", key::SHARD),
                ("consumer", key::CONSUMER),
                ("account", key::ACCOUNT),
                ("region", key::REGION),
            ] {
                if !k[i].is_empty() {
                    at.push_str(&format!(", {name} {}", k[i]));
                }
            }
            format!(
                ". The earliest: {at}, at {}",
                crate::window::format_time(*t)
            )
        });
        let n = c.repeated;
        warn(&format!(
            "{n} datapoint{} repeat{} a series, statistic and time already read (an export read \
             twice, overlapping exports, or a redelivered Metric Streams batch?): counted again; \
             --dedup counts each once{first}",
            plural(n),
            if n == 1 { "s" } else { "" }
        ));
    }
    if c.unchecked > 0 && !quiet {
        note(&format!(
            "{} datapoint{} not checked for repeats (not on a whole minute, or more than 45 days \
             from the rest of their series); --dedup checks every one",
            c.unchecked,
            plural(c.unchecked)
        ));
    }
}

/// Prints a note line to stderr.
pub fn note(msg: &str) {
    eprintln!("kinesis-insights: note: {}", sanitize(msg));
}

/// A filter from the patterns of `--flag`, or a usage error naming the flag.
fn matcher(flag: &str, patterns: &[String], sub: &str) -> Matcher {
    matcher_with(Matcher::new, flag, patterns, sub)
}

/// The `--stream` filter. A pattern that starts with `arn:` is a stream ARN (that stream in
/// that account and region), refused with what is wrong when it is not one. Otherwise a
/// Kinesis stream name holds only letters, digits, `_`, `.` and `-`, so a pattern with `:` or
/// `/` or a comma outside a glob's `{a,b}` (a list) could match no stream and would silently
/// leave everything out: it is refused with what to write instead.
fn stream_matcher(patterns: &[String], sub: &str) -> StreamFilter {
    let refuse = |p: &str, msg: String| -> ! {
        usage_error(
            ErrorKind::ValueValidation,
            format!("--stream {}: {}", sanitize(p), sanitize(&msg)),
            sub,
        )
    };
    for p in patterns {
        let bare = p.strip_prefix('!').unwrap_or(p);
        match StreamArn::parse(bare) {
            Some(Err(why)) => refuse(p, why),
            Some(Ok(_)) => continue,
            None => {}
        }
        if bare.contains([':', '/']) {
            refuse(
                p,
                "a stream name has no ':' or '/' (give the name, e.g. --stream orders, or the \
                 stream's ARN, arn:aws:kinesis:REGION:ACCOUNT:stream/NAME)"
                    .into(),
            );
        }
        if bare.contains(',') && !bare.contains('{') {
            refuse(
                p,
                "one stream (or glob) for each --stream: repeat it (--stream a --stream b) or \
                 write a glob ('{a,b}')"
                    .into(),
            );
        }
    }
    StreamFilter::new(patterns).unwrap_or_else(|e| {
        usage_error(
            ErrorKind::ValueValidation,
            format!("--stream: {}", sanitize(&e.to_string())),
            sub,
        )
    })
}

/// [`matcher`] built by `build` (e.g. [`Matcher::addresses`]).
fn matcher_with(
    build: fn(&[String]) -> Result<Matcher, crate::filter::PatternError>,
    flag: &str,
    patterns: &[String],
    sub: &str,
) -> Matcher {
    build(patterns)
        .unwrap_or_else(|e| usage_error(ErrorKind::ValueValidation, format!("--{flag}: {e}"), sub))
}

/// Resolves the window. Durations count back from now, or, with `--relative-to latest`, from
/// the newest event or datapoint that `newest` finds (a first pass over the input): `--since
/// 2m` then starts at that instant two minutes back, inclusive, the instant `window_since`
/// reports. Returns the window and the anchor.
fn resolve_window(
    spec: &WindowSpec,
    newest: impl FnOnce() -> Option<Millis>,
) -> anyhow::Result<(Window, Millis)> {
    let wall = now();
    let anchor = if spec.needs_latest() {
        newest().unwrap_or(wall)
    } else {
        wall
    };
    let window = spec.resolve(anchor);
    if let (Some(s), Some(u)) = (window.since, window.until)
        && s >= u
    {
        bail!(
            "the window is empty: --since ({}) is not before --until ({})",
            format_instant(s),
            format_instant(u)
        );
    }
    Ok((window, anchor))
}

/// What a command reads: when its files look like the other command's input, it says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reads {
    /// `events`.
    CloudTrail,
    /// `metrics`.
    Metrics,
    /// `health`, which reads both.
    Both,
}

/// How many of the files that could not be read are looked at for the hint, and named in the
/// warning that stands for them all.
const FIRST_FEW: usize = 3;

/// Prints the warnings of the reports (of `sources`, in their order); fails when no file
/// could be read (no readable input, status 2): every one failed, or they look like the other
/// command's input and gave nothing but skipped records (`events` reads a Metric Streams
/// object as a record without `eventSource`, where `metrics` fails a CloudTrail file: the same
/// situation, the same status).
///
/// When more than half the files could not be read and the first few look like the other
/// command's input (CloudTrail for `metrics`, metrics for `events`), a note says which command
/// reads them, and when there are more than a few, their warnings are said once, with a count
/// and the first names. Only then are files looked at again (the first few, their first
/// 64 KiB).
fn check_reports(
    reports: &mut [FileReport],
    sources: &[Source],
    reads: Reads,
) -> anyhow::Result<FileTotals> {
    name_query_files(reports, sources, reads);
    let reports = &*reports;
    let totals = FileTotals::of(reports);
    let unread: Vec<usize> = (0..reports.len())
        .filter(|&i| unreadable(&reports[i]))
        .collect();
    let considered = reports
        .iter()
        .filter(|r| !matches!(r.status, FileStatus::Ignored(_)))
        .count();
    let other = match unread.len() * 2 > considered {
        true => other_kind(reads, &unread, sources),
        false => None,
    };
    match other {
        Some(_) if unread.len() > FIRST_FEW => {
            let mut shown = unread.iter().peekable();
            for (i, r) in reports.iter().enumerate() {
                if shown.next_if_eq(&&i).is_none() {
                    for w in warnings(std::slice::from_ref(r)) {
                        warn(&w);
                    }
                }
            }
            warn(&unread_as_one(reports, &unread, reads));
        }
        _ => {
            for w in warnings(reports) {
                warn(&w);
            }
        }
    }
    if let Some(kind) = other {
        note(&hint(kind));
    }
    if considered > 0 && unread.len() == considered {
        if totals.failed as usize == considered {
            bail!(
                "no readable input: all {} file{} failed",
                totals.failed,
                plural(totals.failed)
            );
        }
        if other.is_some() {
            bail!(
                "no readable input: none of the {considered} file{} held a record that could \
                 be read",
                plural(considered as u64)
            );
        }
    }
    Ok(totals)
}

/// Says of each file that could not be read and is a get-metric-data query file (given as an
/// input, or in a folder given, without `--queries`) that it is one and where it belongs,
/// instead of what reading it as data found (not metrics; records without `eventSource`): it
/// failed, with no records skipped. Only the files that could not be read are looked at.
fn name_query_files(reports: &mut [FileReport], sources: &[Source], reads: Reads) {
    let why = match reads {
        Reads::CloudTrail => {
            "a get-metric-data query file, not data: pass it to `kinesis-insights metrics` (or \
             `health`) with --queries"
        }
        Reads::Metrics | Reads::Both => {
            "a get-metric-data query file, not data: pass it with --queries"
        }
    };
    for (r, s) in reports.iter_mut().zip(sources) {
        if unreadable(r)
            && let Source::File(path) = s
            && crate::metrics::parse::is_query_file(path)
        {
            r.status = FileStatus::Failed(why.to_string());
            r.records = 0;
            r.skipped_records = 0;
            r.warnings.clear();
        }
    }
}

/// True when nothing of the file could be read: it failed, or every record in it was skipped.
fn unreadable(r: &FileReport) -> bool {
    match r.status {
        FileStatus::Failed(_) => true,
        FileStatus::Read => r.records == 0 && r.skipped_records > 0,
        FileStatus::Ignored(_) => false,
    }
}

/// What the first few of the `unread` files look like, when that is the other command's input
/// (most of those looked at).
fn other_kind(reads: Reads, unread: &[usize], sources: &[Source]) -> Option<Kind> {
    let other = match reads {
        Reads::CloudTrail => Kind::Metrics,
        Reads::Metrics => Kind::CloudTrail,
        Reads::Both => return None,
    };
    let looked: Vec<Option<Kind>> = unread
        .iter()
        .take(FIRST_FEW)
        .map(|&i| sources.get(i).and_then(kind::guess))
        .collect();
    let like = looked.iter().filter(|k| **k == Some(other)).count();
    (like * 2 > looked.len()).then_some(other)
}

/// One warning for all the files that could not be read: how many, the first few names, and
/// what the first one said.
fn unread_as_one(reports: &[FileReport], unread: &[usize], reads: Reads) -> String {
    let what = match reads {
        Reads::Metrics => "CloudWatch metrics",
        _ => "CloudTrail logs",
    };
    let names: Vec<&str> = unread
        .iter()
        .take(FIRST_FEW)
        .map(|&i| reports[i].name.as_str())
        .collect();
    let more = unread.len() - names.len();
    let mut s = format!(
        "{} file{} could not be read as {what}: {}",
        unread.len(),
        plural(unread.len() as u64),
        names.join(", ")
    );
    if more > 0 {
        s.push_str(&format!(" and {more} more"));
    }
    let first = &reports[unread[0]];
    let why = match &first.status {
        FileStatus::Failed(why) => why.clone(),
        _ => first.warnings.first().cloned().unwrap_or_else(|| {
            format!(
                "{} record{} skipped",
                first.skipped_records,
                plural(first.skipped_records)
            )
        }),
    };
    s.push_str(&format!("; the first: {why}"));
    s
}

/// The command that reads files of `kind`.
fn hint(kind: Kind) -> String {
    let (what, command) = match kind {
        Kind::Metrics => ("CloudWatch metrics", "metrics"),
        Kind::CloudTrail => ("CloudTrail logs", "events"),
    };
    format!(
        "the files that could not be read look like {what}: try `kinesis-insights {command} …` \
         (`health` reads both kinds)"
    )
}

/// Clean, or partial when a path or a file lost data.
fn outcome(path_problems: &[PathProblem], reports: &[FileReport]) -> Outcome {
    if !path_problems.is_empty() || reports.iter().any(FileReport::lost_data) {
        Outcome::Partial
    } else {
        Outcome::Clean
    }
}

/// Says where an empty result's data went: `what` in the window, or through the filters.
/// The summary rows both dashboards end with: the window asked for, and the first and last
/// counted item (`first`, `last` name them: `first_event`, `first_datapoint`). Every row is
/// there in every run, empty (`null` in JSON) for an open bound or when nothing was counted,
/// so a JSON consumer reads the same keys whatever the flags.
fn push_time_rows(
    s: &mut Summary,
    window: &Window,
    matched: Option<(Millis, Millis)>,
    (first, last): (&'static str, &'static str),
) {
    // Written to the millisecond when a bound has a fraction of a second: the instant applied.
    let bound = |b: Option<Millis>| b.map_or(Cell::Null, |t| Cell::text(format_instant(t)));
    s.push(("window_since", bound(window.since)));
    s.push(("window_until", bound(window.until)));
    s.push((first, matched.map_or(Cell::Null, |(a, _)| Cell::Time(a))));
    s.push((last, matched.map_or(Cell::Null, |(_, b)| Cell::Time(b))));
}

fn explain_empty(what: &str, window: &Window, range: (Millis, Millis), relative_hint: bool) {
    let range = format!("{} to {}", format_time(range.0), format_time(range.1));
    if window.is_open() {
        note(&format!(
            "no {what} match the filters (the input's range from {range})"
        ));
        return;
    }
    let bound = |b: Option<Millis>| b.map_or_else(|| "…".to_string(), format_instant);
    let mut msg = format!(
        "no {what} in the window {} to {}; the input's range from {range}",
        bound(window.since),
        bound(window.until),
    );
    if relative_hint {
        msg.push_str(" (--relative-to latest counts --since back from the newest instead)");
    }
    note(&msg);
}

/// How a command's tables come to [`emit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Supply {
    /// Built already: with `--output-dir`, as many files written at once as there are worker
    /// threads, and the tables not freed after (their memory is at its peak already and the
    /// process ends after the output: freeing 100,000 rows cell by cell would only delay it).
    Built,
    /// Built one by one as the iterator is read: with `--output-dir`, one written while the
    /// next is built (at most two in memory), each freed once written.
    OneAhead,
}

/// Writes the tables where the output config says, each as the iterator yields it. Panel notes
/// go to stderr where the output has no place for them (CSV, JSON, files), unless `-q`. With
/// `--output-dir`, files are written side by side as `supply` says (never more at once than
/// `--threads`).
fn emit(
    out_cfg: &OutputConfig,
    tables: impl Iterator<Item = Table>,
    summary: &Summary,
    supply: Supply,
) -> anyhow::Result<()> {
    let format = out_cfg.format;
    let notes_aside = (!format.shows_notes || out_cfg.output_dir.is_some()) && !out_cfg.quiet;
    let mut tables = tables.inspect(|t| {
        if let (true, Some(n)) = (notes_aside, &t.note) {
            note(&format!("{}: {n}", t.id));
        }
    });
    if let Some(dir) = &out_cfg.output_dir {
        // Files are read later, elsewhere: a fixed width, and the data exactly.
        let opts = Options {
            width: render::table::DEFAULT_WIDTH,
            terminal: false,
            ..out_cfg.render
        };
        let exporter = (format.exporter)(opts);
        let (in_flight, after): (usize, fn(Table)) = match supply {
            // The process ends after the output: the tables' memory is left to the exit.
            Supply::Built => (render::BUILT, std::mem::forget),
            Supply::OneAhead => (1, drop),
        };
        let written = render::write_dir(
            dir,
            &*exporter,
            format.extension,
            &mut tables,
            (opts.dashboard, summary),
            in_flight,
            &after,
        )?;
        if !out_cfg.quiet {
            eprintln!(
                "wrote {} file{} to {}",
                written.len(),
                plural(written.len() as u64),
                dir.display()
            );
        }
        return Ok(());
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let exporter = (format.exporter)(out_cfg.render);
    exporter
        .write_stream(&mut out, &mut tables, summary)
        .and_then(|()| out.flush())
        .map_err(|e| crate::diag::stdout_error(e.into()))?;
    if exporter.one_page() && out_cfg.render.terminal && !out_cfg.quiet {
        // A page is for a browser: say where it should have gone (after it, to be seen).
        note(&format!(
            "that was an {} page; redirect it to a file ('> {}.{}') or give --output-dir DIR",
            format.name.to_uppercase(),
            out_cfg.render.dashboard,
            format.extension
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_quote_what_a_shell_would_split() {
        let args = [
            "/usr/bin/ki",
            "events",
            "--user",
            "it's me",
            "",
            "a*",
            "s3/x.json.gz",
        ];
        assert_eq!(
            shell_quoted(args.iter().map(|s| s.to_string())),
            r"kinesis-insights events --user 'it'\''s me' '' 'a*' s3/x.json.gz"
        );
    }

    #[test]
    fn zero_or_junk_columns_are_unknown() {
        // Standard output is not a terminal under cargo test: $COLUMNS, then the default.
        assert_eq!(terminal_width(false, Some("120")), 120);
        assert_eq!(terminal_width(false, Some("0")), 100);
        assert_eq!(terminal_width(false, Some("")), 100);
        assert_eq!(terminal_width(false, Some("wide")), 100);
        assert_eq!(terminal_width(false, None), 100);
    }
}
