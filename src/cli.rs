//! The command line: clap derive types only. Values are typed here (durations, times, formats,
//! panel ids) and turned into plain configs by [`crate::cmd`]; nothing past that imports clap.

use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::window::{Millis, TimeSpec, parse_time_spec, parse_width};

const AFTER_HELP: &str = "\
Exit status: 0 when every input was read; 1 when results were printed but some input was \
skipped (unreadable files, malformed records; each is named on stderr); 2 on a fatal error \
(bad arguments, no readable input).";

/// `kinesis-insights --help`'s: every command's statuses, `health`'s 3 included.
const TOP_AFTER_HELP: &str = "\
Exit status: 0 when every input was read; 1 when results were printed but some input was \
skipped (unreadable files, malformed records; each is named on stderr); 2 on a fatal error \
(bad arguments, no readable input); 3 when `health --fail-on` finds a problem at or above its \
severity.";

/// The README, whose "Examples" section ends each subcommand's `--help` (so the examples
/// `tests/readme.rs` runs are the ones users read).
const README: &str = include_str!("../README.md");

/// The end of `SUB --help`: the exit statuses, then the README's examples that run
/// `kinesis-insights SUB`, each with its comment.
fn long_help(sub: &str) -> String {
    format!("{AFTER_HELP}\n\n{}", examples_help(sub))
}

/// The README's examples that run `kinesis-insights SUB`, under a heading.
fn examples_help(sub: &str) -> String {
    format!("Examples:\n{}", examples(README, sub))
}

/// Widest line of the examples in `--help`, so help wraps no command on an 80-column
/// terminal (it would break one where the shell cannot read it).
const EXAMPLE_WIDTH: usize = 79;

/// `s` split at the spaces a shell splits at: not those inside '…' or "…".
fn shell_words(s: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = 0;
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, ' ') => {
                words.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    words.push(&s[start..]);
    words
}

/// `line` indented by two spaces, a command longer than `width` broken at spaces outside
/// quotes into lines ending in ` \` (so it still pastes into a shell), continued four spaces
/// further in.
fn fold_command(line: &str, width: usize) -> String {
    if line.chars().count() + 2 <= width {
        return format!("  {line}\n");
    }
    // A comment goes on as a comment; a command with a backslash.
    let (words, end, next, first) = match line.strip_prefix("# ") {
        Some(text) => (text.split(' ').collect(), "\n", "  # ", "  # "),
        None => (shell_words(line), " \\\n", "      ", "  "),
    };
    let mut out = String::new();
    let mut current = String::from(first);
    let mut fresh = true;
    for word in words {
        let len = current.chars().count() + 1 + word.chars().count();
        if !fresh && len + end.len() - 1 > width {
            out.push_str(&current);
            out.push_str(end);
            current = String::from(next);
        } else if !fresh {
            current.push(' ');
        }
        current.push_str(word);
        fresh = false;
    }
    out.push_str(&current);
    out.push('\n');
    out
}

/// The groups (a comment and its commands, separated by blank lines) of the first `sh` block
/// of `readme`'s "## Examples" section in which a command runs `kinesis-insights SUB`,
/// indented by two spaces.
pub fn examples(readme: &str, sub: &str) -> String {
    let section = readme
        .split_once("\n## Examples\n")
        .map_or("", |(_, rest)| rest);
    let block = section
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.split_once("\n```"))
        .map_or("", |(block, _)| block);
    let runs = |line: &str| {
        line.split(" | ").any(|part| {
            part.trim_start()
                .starts_with(&format!("kinesis-insights {sub} "))
        })
    };
    let mut out = String::new();
    for group in block.split("\n\n") {
        if group.lines().any(runs) {
            if !out.is_empty() {
                out.push('\n');
            }
            for line in joined_lines(group) {
                out.push_str(&fold_command(&line, EXAMPLE_WIDTH));
            }
        }
    }
    out
}

const HEALTH_AFTER_HELP: &str = "\
Exit status: 0 when every input was read; 1 when results were printed but some input was \
skipped (unreadable files, malformed records; each is named on stderr); 2 on a fatal error \
(bad arguments, no readable input); 3 with --fail-on when a finding at or above that severity \
exists (3 wins over 1).";

/// The end of `health --help`: its exit statuses (3 with --fail-on), then its examples.
fn health_long_help() -> String {
    format!(
        "{HEALTH_AFTER_HELP}\n\nExamples:\n{}",
        examples(README, "health")
    )
}

/// The lines of `text` with the lines that continue a command (after a line ending in ` \`)
/// joined to it, so a command the README already breaks is folded afresh.
fn joined_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending: Option<String> = None;
    for line in text.lines() {
        let line = match pending.take() {
            Some(head) => format!("{head} {}", line.trim_start()),
            None => line.to_string(),
        };
        match line.strip_suffix(" \\") {
            Some(head) => pending = Some(head.trim_end().to_string()),
            None => out.push(line),
        }
    }
    out.extend(pending);
    out
}

/// Kinesis Data Streams dashboards from CloudTrail logs and CloudWatch exports on disk.
#[derive(Debug, Parser)]
#[command(name = "kinesis-insights", bin_name = "kinesis-insights", version, after_help = TOP_AFTER_HELP, propagate_version = true)]
pub struct Cli {
    /// What to show.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The Events dashboard: Kinesis API calls from CloudTrail logs (S3 layout, JSON arrays,
    /// JSON lines, lookup-events output; gzip or not).
    #[command(
        after_help = AFTER_HELP,
        after_long_help = long_help("events"),
        display_name = "kinesis-insights"
    )]
    Events(Box<EventsArgs>),
    /// The Metrics dashboard: throughput, latency, throttling and iterator age of streams, from
    /// CloudWatch Metric Streams files (JSON or OpenTelemetry 0.7/1.0) or `aws cloudwatch
    /// get-metric-data` / `get-metric-statistics` output.
    #[command(
        after_help = AFTER_HELP,
        after_long_help = long_help("metrics"),
        display_name = "kinesis-insights"
    )]
    Metrics(Box<MetricsArgs>),
    /// Stream health: hot shards, use of capacity, throttling, failed puts, iterator age and
    /// consumer lag against retention, and capacity changes, from CloudWatch exports and
    /// CloudTrail logs in the same paths; ranked findings first.
    #[command(
        after_help = HEALTH_AFTER_HELP,
        after_long_help = health_long_help(),
        display_name = "kinesis-insights"
    )]
    Health(Box<HealthArgs>),
    /// The Events panels as one SQL script for Athena, Trino, Spark or DuckDB, to run next to
    /// a trail too big for one machine; `events --from-csv` renders the results.
    #[command(
        after_long_help = examples_help("sql"),
        display_name = "kinesis-insights"
    )]
    Sql(Box<SqlArgs>),
    /// Print a shell completion script to standard output.
    #[command(
        after_long_help = examples_help("completions"),
        display_name = "kinesis-insights"
    )]
    Completions(CompletionsArgs),
}

/// `kinesis-insights completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Where input comes from and how it is read.
#[derive(Debug, Args)]
#[command(next_help_heading = "Input")]
pub struct InputArgs {
    /// Files and directories to read (directories recursively); `-` reads standard input.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Follow symbolic links to directories while walking (loops are detected).
    #[arg(short = 'L', long)]
    pub follow: bool,

    /// Skip inputs larger than this once decompressed [default: no limit]. Not needed for
    /// safety: any input is read in bounded memory; a cap for those who want one.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_file_size: Option<u64>,

    /// Worker threads, at most 4 per core [default: all cores].
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
}

/// What durations in `--since`/`--until` count back from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnchorArg {
    /// The current time.
    Now,
    /// The time of the newest record in the input (reads the input twice).
    Latest,
}

/// The time window.
#[derive(Debug, Args)]
#[command(next_help_heading = "Time window")]
pub struct WindowArgs {
    /// Start of the window (inclusive): a duration back from now (24h, 90m, 7d) or a time
    /// (2024-03-09, 2024-03-09T10:00:00Z).
    #[arg(long, value_name = "WHEN", value_parser = parse_time_spec, allow_hyphen_values = true)]
    pub since: Option<TimeSpec>,

    /// End of the window (exclusive); same forms as --since.
    #[arg(long, value_name = "WHEN", value_parser = parse_time_spec, allow_hyphen_values = true)]
    pub until: Option<TimeSpec>,

    /// What durations in --since/--until count back from: now, or the newest event (or
    /// datapoint) of the input, itself inclusive; `latest` shows e.g. the last day of an old dump.
    #[arg(long, value_enum, value_name = "FROM", default_value = "now")]
    pub relative_to: AnchorArg,
}

/// The `--format` values, with their help, from the registry of output formats.
fn formats() -> PossibleValuesParser {
    PossibleValuesParser::new(
        crate::render::FORMATS
            .iter()
            .map(|f| PossibleValue::new(f.name).help(f.about)),
    )
}

/// `--output-dir`'s help, naming the registered formats' file extensions (a format whose
/// panels make one page writes that page, named after the command).
fn output_dir_help() -> String {
    let (pages, files): (Vec<_>, Vec<_>) = crate::render::FORMATS
        .iter()
        .partition(|f| (f.exporter)(crate::render::Options::default()).one_page());
    let names = |fs: &[&crate::render::FormatDef]| {
        fs.iter().map(|f| f.extension).collect::<Vec<_>>().join("|")
    };
    let mut help = format!(
        "Write each panel to DIR/<panel>.<{}> instead of standard output",
        names(&files)
    );
    if !pages.is_empty() {
        help.push_str(&format!(
            " ({} writes one page, DIR/<command>.<{}>)",
            pages.iter().map(|f| f.name).collect::<Vec<_>>().join(", "),
            names(&pages)
        ));
    }
    help
}

/// How results are written.
#[derive(Debug, Args)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Output format.
    #[arg(short, long, value_name = "FORMAT", default_value = crate::render::FORMATS[0].name, value_parser = formats())]
    pub format: String,

    /// Write each panel to `DIR/<panel>.<extension of the format>` instead of standard output.
    #[arg(short, long, value_name = "DIR", help = output_dir_help())]
    pub output_dir: Option<PathBuf>,

    /// Rows shown per panel in tables (0 = all); the other formats carry every row.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: usize,

    /// No summary and no progress bar on stderr (warnings still print).
    #[arg(short, long)]
    pub quiet: bool,

    /// In CSV, prefix text cells starting with =, +, -, @, tab or CR with a ' so spreadsheets
    /// show them instead of running them as formulas (CSV is exact without it).
    #[arg(long)]
    pub spreadsheet_safe: bool,
}

/// What every dashboard command takes: input, window and output.
#[derive(Debug, Args)]
pub struct CommonArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub input: InputArgs,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub window: WindowArgs,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub output: OutputArgs,
}

/// `kinesis-insights events`.
#[derive(Debug, Args)]
pub struct EventsArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub common: CommonArgs,

    /// Panels to show, repeated or comma-separated [default: all].
    #[arg(
        help_heading = "Panels",
        short,
        long = "panel",
        value_name = "ID",
        value_delimiter = ',',
        value_parser = PossibleValuesParser::new(crate::panels::events::ids())
    )]
    pub panels: Vec<String>,

    /// Width of the events-over-time buckets, aligned to UTC [default: 1h; over more than 7
    /// days the shortest of 3h, 6h, 12h, 1d, 7d giving at most 300 buckets].
    #[arg(help_heading = "Panels", long, value_name = "DURATION", value_parser = parse_width)]
    pub bucket: Option<Millis>,

    /// Users kept by the top-users panel (0 = all).
    #[arg(help_heading = "Panels", long, value_name = "N", default_value_t = 10)]
    pub top: usize,

    /// Only these event names (exact or glob, e.g. 'Put*'; '!PATTERN' leaves them out; repeat
    /// for more).
    #[arg(help_heading = "Filters", long, value_name = "PATTERN")]
    pub event_name: Vec<String>,

    /// Only these users, as the user rule names them (exact or glob; '!PATTERN' leaves them
    /// out; repeat for more).
    #[arg(help_heading = "Filters", long, value_name = "PATTERN")]
    pub user: Vec<String>,

    /// Only these source addresses (exact, glob such as '10.*', or a network in CIDR notation
    /// such as 10.0.0.0/8 or 2600:1f18::/32; '!PATTERN' leaves them out; repeat for more).
    #[arg(help_heading = "Filters", long, value_name = "PATTERN")]
    pub source_ip: Vec<String>,

    /// Only these regions (exact or glob, e.g. 'eu-*'; '!PATTERN' leaves them out; repeat for
    /// more).
    #[arg(help_heading = "Filters", long, value_name = "PATTERN")]
    pub region: Vec<String>,

    /// Count each eventID once, when the same log was delivered or copied more than once.
    #[arg(help_heading = "Input", long)]
    pub dedup: bool,

    /// MaxMind DB file for the locations panel (GeoLite2/GeoIP2 City or Country, DB-IP Lite,
    /// ip-location-db); repeat it to consult several in order, as ip-location-db's IPv4 and
    /// IPv6 files [default: $KINESIS_INSIGHTS_GEOIP, else /usr/share/GeoIP/…].
    #[arg(help_heading = "Panels", long, value_name = "FILE")]
    pub geoip: Vec<PathBuf>,

    /// Only calls about these streams (streamName, else the stream in streamARN, consumerARN,
    /// resourceARN or the first resource's ARN; exact or glob), or a stream's ARN
    /// (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME: that stream in that account and region).
    #[arg(help_heading = "Filters", long, value_name = "PATTERN")]
    pub stream: Vec<String>,

    /// Only calls to resources of these AWS accounts (recipientAccountId, else the account in
    /// the S3 key AWSLogs/ACCOUNT/...; exact or glob).
    #[arg(help_heading = "Filters", long, value_name = "PATTERN")]
    pub account: Vec<String>,

    /// Render panels from CSV instead of reading CloudTrail: a file, or every *.csv in a
    /// directory, each recognised by its header (as --output-dir writes them, or as an engine
    /// returns the `sql` queries); a source_ip,count file gives the locations panel (--geoip).
    #[arg(
        help_heading = "Input",
        long,
        value_name = "FILE|DIR",
        conflicts_with = "paths"
    )]
    pub from_csv: Option<PathBuf>,
}

/// The `--engine` values, with their help.
fn engines() -> PossibleValuesParser {
    PossibleValuesParser::new(
        crate::sql::ENGINES
            .iter()
            .map(|(name, about)| PossibleValue::new(*name).help(*about)),
    )
}

/// `kinesis-insights sql`.
#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The engine to write SQL for.
    #[arg(short, long, value_name = "ENGINE", value_parser = engines())]
    pub engine: String,

    /// Where the trail's files are: athena, trino: the S3 prefix of one account up to
    /// CloudTrail/ (s3://BUCKET/AWSLogs/ACCOUNT/CloudTrail/); spark: any Hadoop path (s3a://…,
    /// a folder); duckdb: a folder, a glob or an s3:// URL.
    #[arg(short, long, value_name = "LOC", required_unless_present = "table")]
    pub location: Option<String>,

    /// athena, trino: read this existing table (the AWS documentation's CloudTrail table)
    /// instead of creating one over --location.
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,

    /// Panels to write queries for, repeated or comma-separated [default: all but locations,
    /// whose query gives source_ip,count for `events --from-csv` with --geoip].
    #[arg(
        help_heading = "Panels",
        short,
        long = "panel",
        value_name = "ID",
        value_delimiter = ',',
        value_parser = PossibleValuesParser::new(crate::panels::events::ids())
    )]
    pub panels: Vec<String>,

    /// Width of the events-over-time buckets, aligned to UTC [default: 1h; over more than 7
    /// days the shortest of 3h, 6h, 12h, 1d, 7d giving at most 300 buckets].
    #[arg(help_heading = "Panels", long, value_name = "DURATION", value_parser = parse_width)]
    pub bucket: Option<Millis>,

    /// Users kept by the top-users panel (0 = all).
    #[arg(help_heading = "Panels", long, value_name = "N", default_value_t = 10)]
    pub top: usize,

    /// Start of the window (inclusive): a duration back from now (24h, 7d) or a time
    /// (2024-03-09, 2024-03-09T10:00:00Z). Durations are resolved when the script is written.
    #[arg(help_heading = "Time window", long, value_name = "WHEN", value_parser = parse_time_spec, allow_hyphen_values = true)]
    pub since: Option<TimeSpec>,

    /// End of the window (exclusive); same forms as --since.
    #[arg(help_heading = "Time window", long, value_name = "WHEN", value_parser = parse_time_spec, allow_hyphen_values = true)]
    pub until: Option<TimeSpec>,

    /// Only these event names (exact or glob, e.g. 'Put*'; repeat for more).
    #[arg(help_heading = "Filters", long, value_name = "PATTERN")]
    pub event_name: Vec<String>,

    /// Only these users, as the user rule names them (exact or glob; repeat for more).
    #[arg(help_heading = "Filters", long, value_name = "PATTERN")]
    pub user: Vec<String>,

    /// Only these source addresses (exact or glob; repeat for more).
    #[arg(help_heading = "Filters", long, value_name = "PATTERN")]
    pub source_ip: Vec<String>,

    /// Only these regions (exact or glob; repeat for more).
    #[arg(help_heading = "Filters", long, value_name = "PATTERN")]
    pub region: Vec<String>,

    /// Only calls about these streams (streamName, else the stream in streamARN, consumerARN,
    /// resourceARN or the first resource's ARN; exact or glob), or a stream's ARN
    /// (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME: that stream in that account and region).
    #[arg(help_heading = "Filters", long, value_name = "PATTERN")]
    pub stream: Vec<String>,

    /// Only calls to resources of these AWS accounts (recipientAccountId, else the account in
    /// the S3 key; exact or glob).
    #[arg(help_heading = "Filters", long, value_name = "PATTERN")]
    pub account: Vec<String>,
}

/// What to call the series of `aws cloudwatch get-metric-statistics` output, which carries no
/// dimensions.
#[derive(Debug, Args)]
pub struct LabelArgs {
    /// Read get-metric-statistics output (which names no stream) as the stream NAME's; without
    /// it such files are skipped with a warning. The series then passes the filters as any.
    #[arg(help_heading = "Input", long, value_name = "NAME")]
    pub label_stream: Option<String>,

    /// With --label-stream: the shard get-metric-statistics output is of (a shard-level
    /// metric).
    #[arg(
        help_heading = "Input",
        long,
        value_name = "ID",
        requires = "label_stream"
    )]
    pub label_shard: Option<String>,
}

impl LabelArgs {
    /// The (stream, shard) get-metric-statistics output is read as, if it is labelled (the
    /// shard empty for a stream-level metric).
    pub fn series(self) -> Option<(String, String)> {
        self.label_stream
            .map(|stream| (stream, self.label_shard.unwrap_or_default()))
    }
}

/// `kinesis-insights metrics`.
#[derive(Debug, Args)]
pub struct MetricsArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub common: CommonArgs,

    /// Panels to show, repeated or comma-separated [default: all].
    #[arg(
        help_heading = "Panels",
        short,
        long = "panel",
        value_name = "ID",
        value_delimiter = ',',
        value_parser = PossibleValuesParser::new(crate::panels::metrics::ids())
    )]
    pub panels: Vec<String>,

    /// Bucket width, aligned to UTC [default: the shortest of 1m, 5m, 15m, 30m, 1h, 3h, 6h,
    /// 12h, 1d, 7d giving at most 300 buckets].
    #[arg(help_heading = "Panels", long, value_name = "DURATION", value_parser = parse_width)]
    pub period: Option<Millis>,

    /// The query file given to `aws cloudwatch get-metric-data --metric-data-queries`, which
    /// says what each result Id is (needed to read get-metric-data output).
    #[arg(help_heading = "Input", long, value_name = "FILE")]
    pub queries: Option<PathBuf>,

    /// Count each datapoint once (per series, statistic and time; the first read wins), when
    /// the same export was read twice, exports overlap or a Metric Streams batch was delivered
    /// again. Without it, such repeats are counted again and a warning says how many.
    #[arg(help_heading = "Input", long)]
    pub dedup: bool,

    /// Only these streams (exact or glob, or a stream's ARN
    /// arn:aws:kinesis:REGION:ACCOUNT:stream/NAME: that stream in that account and region;
    /// '!PATTERN' leaves them out; repeat for more).
    #[arg(help_heading = "Filters", long, value_name = "PATTERN")]
    pub stream: Vec<String>,

    /// Only these shards (exact or glob, e.g. 'shardId-00000000000[0-3]'); stream-level series
    /// have no shard.
    #[arg(help_heading = "Filters", long, value_name = "PATTERN")]
    pub shard: Vec<String>,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub label: LabelArgs,

    /// Only these regions (exact or glob). get-metric-data and get-metric-statistics output
    /// carry no region; their series have an empty one.
    #[arg(help_heading = "Filters", long, value_name = "PATTERN")]
    pub region: Vec<String>,

    /// Only these AWS accounts (Metric Streams' account_id, else the account in the S3 key
    /// AWSLogs/ACCOUNT/...; exact or glob). CLI outputs carry none.
    #[arg(help_heading = "Filters", long, value_name = "PATTERN")]
    pub account: Vec<String>,
}

/// The least severity that makes `health --fail-on` exit with status 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Warnings and critical findings.
    Warning,
    /// Critical findings only.
    Critical,
}

/// The thresholds of the `health` checks.
#[derive(Debug, Args)]
#[command(next_help_heading = "Checks")]
pub struct ThresholdArgs {
    /// hot-shard: a shard whose peak minute writes at least this % of its limit.
    #[arg(long, value_name = "PCT", default_value = "80", value_parser = parse_percent)]
    pub hot_shard_pct: u64,

    /// hot-shard: a shard taking at least this many even shares of the stream's writes.
    #[arg(long, value_name = "FACTOR", default_value_t = 2.0)]
    pub hot_shard_share: f64,

    /// write-capacity, read-capacity: a stream whose peak minute uses at least this % of its
    /// capacity.
    #[arg(long, value_name = "PCT", default_value = "80", value_parser = parse_percent)]
    pub capacity_pct: u64,

    /// write-throttling, read-throttling: throttled minutes under this % use are noted bursty.
    #[arg(long, value_name = "PCT", default_value = "50", value_parser = parse_percent)]
    pub bursty_pct: u64,

    /// iterator-age: a warning at this % of retention.
    #[arg(long, value_name = "PCT", default_value = "50", value_parser = parse_percent)]
    pub iterator_age_warning_pct: u64,

    /// iterator-age: critical at this % of retention (data about to expire unread).
    #[arg(long, value_name = "PCT", default_value = "90", value_parser = parse_percent)]
    pub iterator_age_critical_pct: u64,

    /// consumer-lag: an enhanced fan-out consumer whose MillisBehindLatest reaches this (and
    /// GetRecords consumers whose iterator age does, below the iterator-age levels).
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = crate::window::parse_duration)]
    pub consumer_lag: Millis,

    /// resharding-churn: more than this many shard-count changes within 24 hours.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub resharding_changes: u64,

    /// over-provisioned: a peak under this % of capacity...
    #[arg(long, value_name = "PCT", default_value = "25", value_parser = parse_percent)]
    pub over_provisioned_pct: u64,

    /// ... over at least this much data.
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = crate::window::parse_duration)]
    pub over_provisioned_min_data: Millis,

    /// Exit with status 3 when a finding of this severity or worse exists (for cron and CI).
    ///
    /// A run that checked no datapoint (no metrics among the inputs, none of Kinesis, none in
    /// the window or through the filters) has a critical no-data finding saying why, so it
    /// fails too; so does one whose exports lack the statistic a check reads (an Average of
    /// iterator age: a wrong-statistic finding).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
}

/// `kinesis-insights health`.
#[derive(Debug, Args)]
pub struct HealthArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub common: CommonArgs,

    /// Panels to show, repeated or comma-separated [default: all].
    #[arg(
        help_heading = "Panels",
        short,
        long = "panel",
        value_name = "ID",
        value_delimiter = ',',
        value_parser = PossibleValuesParser::new(crate::panels::health::ids())
    )]
    pub panels: Vec<String>,

    /// The period of every datapoint [default: 60s for Metric Streams; for CLI exports the
    /// query period, found from the gaps between a stream's datapoints].
    #[arg(help_heading = "Input", long, value_name = "DURATION", value_parser = parse_width)]
    pub datapoint_period: Option<Millis>,

    /// The query file given to `aws cloudwatch get-metric-data --metric-data-queries` (needed
    /// to read get-metric-data output).
    #[arg(help_heading = "Input", long, value_name = "FILE")]
    pub queries: Option<PathBuf>,

    /// Count each datapoint once (per series, statistic and time; the first read wins) and
    /// each CloudTrail eventID once, when the same file was read twice, exports overlap or a
    /// batch was delivered again. Without it, repeated datapoints are counted again and a
    /// warning says how many.
    #[arg(help_heading = "Input", long)]
    pub dedup: bool,

    /// Only these streams (exact or glob, or a stream's ARN
    /// arn:aws:kinesis:REGION:ACCOUNT:stream/NAME: that stream in that account and region;
    /// '!PATTERN' leaves them out; repeat for more).
    #[arg(help_heading = "Filters", long, value_name = "NAME")]
    pub stream: Vec<String>,

    /// Only these shards in the shards panel and the shard findings (exact or glob); stream
    /// figures count every shard.
    #[arg(help_heading = "Filters", long, value_name = "ID")]
    pub shard: Vec<String>,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub label: LabelArgs,

    /// Only these regions (exact or glob).
    #[arg(help_heading = "Filters", long, value_name = "PATTERN")]
    pub region: Vec<String>,

    /// Only these AWS accounts (exact or glob): Metric Streams' account_id and CloudTrail's
    /// recipientAccountId, else the account in the S3 key AWSLogs/ACCOUNT/... CLI outputs carry
    /// none.
    #[arg(help_heading = "Filters", long, value_name = "PATTERN")]
    pub account: Vec<String>,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub thresholds: ThresholdArgs,
}

/// Parses a percentage (`80`, `12.5`) into hundredths of a percent.
pub fn parse_percent(s: &str) -> Result<u64, String> {
    let v: f64 = s
        .trim()
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("'{s}' is not a percentage (try 80 or 12.5)"))?;
    if !(0.0..=10_000.0).contains(&v) {
        return Err(format!("'{s}' is out of range (0 to 10000)"));
    }
    Ok((v * 100.0).round() as u64)
}

/// Parses a size such as `1GiB`, `1.5GiB`, `500M`, `64k` or `1048576` (bytes). Suffixes are
/// binary (K = KiB = 1024); a fraction must come to whole bytes.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    if int.is_empty() && frac.is_empty() || frac.contains('.') {
        return Err(format!("'{s}' is not a size (try 500M, 1.5G or 2GiB)"));
    }
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => {
            return Err(format!(
                "'{s}' has an unknown unit '{}' (use K, M, G or T)",
                unit.trim()
            ));
        }
    };
    // Exactly: (int.frac) * 2^shift, in u128 so no digits are lost.
    let digits = |d: &str| -> Result<u128, String> {
        if d.is_empty() {
            Ok(0)
        } else {
            d.parse::<u128>()
                .map_err(|_| format!("'{s}' is out of range"))
        }
    };
    let scale = 10u128
        .checked_pow(frac.len() as u32)
        .ok_or_else(|| format!("'{s}' has too many decimals"))?;
    let value = (digits(int)? * scale + digits(frac)?)
        .checked_mul(1 << shift)
        .ok_or_else(|| format!("'{s}' is out of range"))?;
    if value % scale != 0 {
        return Err(format!("'{s}' is not a whole number of bytes"));
    }
    u64::try_from(value / scale)
        .ok()
        .filter(|&v| v > 0)
        .ok_or_else(|| format!("'{s}' is out of range (1 byte to 16 EiB)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// A shell's words of `folded`: backslash-newlines removed, split at blanks outside quotes,
    /// quotes kept.
    fn unfolded_words(folded: &str) -> Vec<String> {
        let text = folded.replace("\\\n", "");
        let mut words = vec![String::new()];
        let mut quote = None;
        for c in text.chars() {
            match (quote, c) {
                (None, ' ' | '\n') => words.push(String::new()),
                (None, '\'' | '"') => quote = Some(c),
                (Some(q), c) if q == c => quote = None,
                _ => {}
            }
            if quote.is_some() || !matches!(c, ' ' | '\n') {
                words.last_mut().unwrap().push(c);
            }
        }
        words.retain(|w| !w.is_empty());
        words
    }

    #[test]
    fn folding_keeps_quoted_words_whole() {
        let cmd = "kinesis-insights events --event-name 'Put *' AWSLogs/";
        // At 45 columns, 'Put would end the first line and *' start the next.
        assert_eq!(
            fold_command(cmd, 45),
            "  kinesis-insights events --event-name \\\n      'Put *' AWSLogs/\n"
        );
        assert_eq!(
            unfolded_words(&fold_command(cmd, 45)),
            [
                "kinesis-insights",
                "events",
                "--event-name",
                "'Put *'",
                "AWSLogs/"
            ]
        );
        // Every README example, folded as help shows it, is the README's command again.
        let block = README
            .split_once("\n## Examples\n")
            .and_then(|(_, rest)| rest.split_once("```sh\n"))
            .and_then(|(_, rest)| rest.split_once("\n```"))
            .unwrap()
            .0;
        for line in block.replace("\\\n", "").lines() {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let folded = fold_command(line, EXAMPLE_WIDTH);
            assert!(folded.lines().all(|l| l.chars().count() <= EXAMPLE_WIDTH));
            assert_eq!(unfolded_words(&folded), unfolded_words(line), "{line}");
        }
    }

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn examples_come_from_the_readme() {
        let readme = "# x\n\n## Examples\n\n```sh\n# One\nkinesis-insights events a/\n\n\
                      # Two\nkinesis-insights metrics \\\n    m/\n\n\
                      # Three\naws x > e.json\nzcat e | kinesis-insights events -\n```\n\n\
                      ```sh\nkinesis-insights events other/\n```\n";
        assert_eq!(
            examples(readme, "events"),
            "  # One\n  kinesis-insights events a/\n\n  \
             # Three\n  aws x > e.json\n  zcat e | kinesis-insights events -\n"
        );
        // A command the README breaks is joined, then folded afresh (here: it fits).
        assert_eq!(
            examples(readme, "metrics"),
            "  # Two\n  kinesis-insights metrics m/\n"
        );
        assert_eq!(
            fold_command(
                "kinesis-insights events --since 24h AWSLogs/ | sort | head",
                30
            ),
            "  kinesis-insights events \\\n      --since 24h AWSLogs/ | \\\n      sort | head\n"
        );
        assert_eq!(
            fold_command("# The Metrics dashboard for one stream", 24),
            "  # The Metrics\n  # dashboard for one\n  # stream\n"
        );
        // Every subcommand has examples in the real README.
        for sub in ["events", "metrics", "sql", "completions"] {
            assert!(examples(README, sub).contains(&format!("kinesis-insights {sub} ")));
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("500M"), Ok(500 << 20));
        assert_eq!(parse_size("64k"), Ok(64 << 10));
        assert_eq!(parse_size("123"), Ok(123));
        assert!(parse_size("0").is_err());
        assert!(parse_size("12X").is_err());
        assert!(parse_size("G").is_err());
        assert!(parse_size("99999999999T").is_err());
        // Fractions: 1.5 * 2^30 and 0.5 * 2^10 bytes.
        assert_eq!(parse_size("1.5GiB"), Ok(1_610_612_736));
        assert_eq!(parse_size("0.5K"), Ok(512));
        assert_eq!(parse_size(".25M"), Ok(262_144));
        assert_eq!(
            parse_size("0.1K"),
            Err("'0.1K' is not a whole number of bytes".into())
        );
        assert_eq!(
            parse_size("1.5X"),
            Err("'1.5X' has an unknown unit 'X' (use K, M, G or T)".into())
        );
        assert!(parse_size("1.2.3G").is_err());
        assert!(parse_size(".").is_err());
    }
}
