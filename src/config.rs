//! Plain run settings, built from the command line before any work starts.

use std::path::PathBuf;

use crate::input::WalkOptions;
use crate::render::{FormatDef, Options};
use crate::window::WindowSpec;

/// Where input comes from.
#[derive(Debug, Clone)]
pub struct InputConfig {
    /// Paths as given (`-` is standard input).
    pub paths: Vec<PathBuf>,
    /// Directory walking.
    pub walk: WalkOptions,
    /// `--max-file-size`: the largest text (decompressed) of one input, when the user set one.
    pub max_bytes: Option<u64>,
    /// Inputs with more text than this are read in pieces of about this size, in parallel.
    pub chunk_bytes: usize,
    /// Worker threads (None = all cores).
    pub threads: Option<usize>,
}

/// Where and how results go.
#[derive(Debug, Clone)]
pub struct OutputConfig {
    /// Format.
    pub format: &'static FormatDef,
    /// Write one file per panel here instead of stdout.
    pub output_dir: Option<PathBuf>,
    /// How panels are written to standard output (files get a fixed width and exact data).
    pub render: Options,
    /// No summary or progress on stderr.
    pub quiet: bool,
}

/// Settings of `kinesis-insights events`.
#[derive(Debug, Clone)]
pub struct EventsConfig {
    /// Input.
    pub input: InputConfig,
    /// Output.
    pub output: OutputConfig,
    /// The window as given.
    pub window: WindowSpec,
    /// Filters.
    pub filters: crate::events::Filters,
    /// `--bucket` (None: 1h, coarser over long ranges).
    pub bucket: Option<crate::window::Millis>,
    /// Users in top-users.
    pub top: usize,
    /// Panel ids (empty = all).
    pub panels: Vec<String>,
    /// `--geoip`, in order.
    pub geoip: Vec<PathBuf>,
    /// `--dedup`.
    pub dedup: bool,
}

/// Settings of `kinesis-insights metrics`.
#[derive(Debug, Clone)]
pub struct MetricsConfig {
    /// Input.
    pub input: InputConfig,
    /// Output.
    pub output: OutputConfig,
    /// The window as given.
    pub window: WindowSpec,
    /// `--stream`.
    pub streams: crate::filter::StreamFilter,
    /// `--shard`.
    pub shards: crate::filter::Matcher,
    /// `--region`.
    pub regions: crate::filter::Matcher,
    /// `--account`.
    pub accounts: crate::filter::Matcher,
    /// Stream and shard that get-metric-statistics output is of, when `--stream` names one.
    pub statistics_series: Option<(String, String)>,
    /// `--period` (None: chosen from the data).
    pub period: Option<crate::window::Millis>,
    /// `--dedup`.
    pub dedup: bool,
    /// `--queries`.
    pub queries: Option<PathBuf>,
    /// Panel ids (empty = all).
    pub panels: Vec<String>,
}

/// Settings of `kinesis-insights health`.
#[derive(Debug, Clone)]
pub struct HealthConfig {
    /// Input.
    pub input: InputConfig,
    /// Output.
    pub output: OutputConfig,
    /// The window as given.
    pub window: WindowSpec,
    /// `--stream`.
    pub streams: crate::filter::StreamFilter,
    /// `--shard`.
    pub shards: crate::filter::Matcher,
    /// `--region`.
    pub regions: crate::filter::Matcher,
    /// `--account`.
    pub accounts: crate::filter::Matcher,
    /// `--stream`, `--region` and `--account` as given (`--stream orders`), to name them.
    pub filters: Vec<String>,
    /// Stream and shard that get-metric-statistics output is of, when `--stream` names one.
    pub statistics_series: Option<(String, String)>,
    /// `--queries`.
    pub queries: Option<PathBuf>,
    /// `--datapoint-period`.
    pub datapoint_period: Option<crate::window::Millis>,
    /// `--dedup`.
    pub dedup: bool,
    /// The checks' thresholds.
    pub thresholds: crate::health::analyze::Thresholds,
    /// `--fail-on`.
    pub fail_on: Option<crate::health::analyze::Severity>,
    /// Panel ids (empty = all).
    pub panels: Vec<String>,
}
