//! kinesis-insights: the Events and Metrics dashboards of Amazon Kinesis Data Streams, computed
//! from CloudTrail logs and CloudWatch exports on disk.
//!
//! The modules follow the pipeline: [`input`] finds and decodes files, [`cloudtrail`] parses
//! records, [`events`] filters and aggregates them (per thread, merged by [`pipeline`]),
//! [`panels`] turns aggregates into render-neutral tables, and [`render`] writes them.

pub mod account;
pub mod cli;
pub mod cloudtrail;
pub mod cmd;
pub mod config;
pub mod diag;
pub mod events;
pub mod filter;
pub mod geo;
pub mod group;
pub mod health;
pub mod input;
pub mod metrics;
pub mod panels;
pub mod pipeline;
pub mod render;
pub mod sql;
#[cfg(test)]
mod testing;
pub mod text;
pub mod window;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

/// Runs the program on `args` and returns its exit status. Errors are printed here.
pub fn main_with_args<I: IntoIterator<Item = OsString>>(args: I) -> ExitCode {
    let cli = cli::Cli::parse_from(args);
    match cmd::run(cli) {
        Ok(outcome) => outcome.into(),
        Err(e) if diag::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "kinesis-insights: error: {}",
                text::sanitize(&format!("{e:#}"))
            );
            ExitCode::from(diag::EXIT_FATAL)
        }
    }
}
