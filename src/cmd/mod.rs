//! One module per subcommand; each turns its clap arguments into a plain config and runs it.
//! Helpers shared by the commands (input discovery, the stderr reporter, writing results)
//! live here.

pub mod completions;
pub mod events;

use std::io::{self, IsTerminal, Write};

use anyhow::{Context as _, bail};
use clap::CommandFactory;
use clap::error::ErrorKind;

use crate::cli::{AnchorArg, Cli, Command, FormatArg, InputArgs, OutputArgs, WindowArgs};
use crate::config::{InputConfig, OutputConfig};
use crate::diag::Outcome;
use crate::input::{Found, PathProblem, Source, WalkOptions, discover};
use crate::panels::Table;
use crate::render::{self, Format, Summary, TableOptions, sanitize};
use crate::window::{Anchor, WindowSpec};

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Events(args) => events::run(events::config(*args)?),
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
        threads: a.threads.map(usize::from),
    }
}

fn output_config(a: OutputArgs, panels: usize, sub: &str) -> OutputConfig {
    let format = match a.format {
        FormatArg::Table => Format::Table,
        FormatArg::Csv => Format::Csv,
        FormatArg::Json => Format::Json,
    };
    if format == Format::Csv && a.output_dir.is_none() && panels != 1 {
        usage_error(
            ErrorKind::ArgumentConflict,
            format!(
                "--format csv writes one panel to standard output, but {panels} are selected; \
                 choose one with --panel ID, or write each to its own file with --output-dir DIR"
            ),
            sub,
        );
    }
    let width = if io::stdout().is_terminal() {
        comfy_table::Table::new().width()
    } else {
        std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok())
    };
    OutputConfig {
        format,
        output_dir: a.output_dir,
        table: TableOptions {
            limit: a.limit,
            width,
        },
        quiet: a.quiet,
    }
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

/// Finds the inputs, warning about paths that cannot be used; fails when there is nothing.
fn find_inputs(cfg: &InputConfig) -> anyhow::Result<(Vec<Source>, Vec<PathProblem>)> {
    let Found { sources, problems } = discover(&cfg.paths, cfg.walk);
    for p in &problems {
        warn(&format!("{}: {}", p.path.display(), p.reason));
    }
    if sources.is_empty() {
        let names: Vec<String> = cfg.paths.iter().map(|p| p.display().to_string()).collect();
        bail!("no input files found in {}", names.join(", "));
    }
    Ok((sources, problems))
}

/// Prints a warning line to stderr.
pub fn warn(msg: &str) {
    eprintln!("kinesis-insights: warning: {}", sanitize(msg));
}

/// Prints a note line to stderr.
pub fn note(msg: &str) {
    eprintln!("kinesis-insights: note: {}", sanitize(msg));
}

/// Writes the tables where the output config says.
fn emit(out_cfg: &OutputConfig, tables: &[Table], summary: &Summary) -> anyhow::Result<()> {
    if let Some(dir) = &out_cfg.output_dir {
        let written = render::write_dir(dir, out_cfg.format, tables, out_cfg.table)?;
        if !out_cfg.quiet {
            eprintln!(
                "wrote {} file{} to {}",
                written.len(),
                crate::diag::plural(written.len() as u64),
                dir.display()
            );
        }
        return Ok(());
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
    render::write(&mut out, out_cfg.format, tables, summary, out_cfg.table)?;
    out.flush()?;
    Ok(())
}
