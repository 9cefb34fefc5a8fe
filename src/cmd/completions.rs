//! `kinesis-insights completions <shell>`: shell completion scripts from the clap definition.

use std::io::{self, Write};

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::diag::Outcome;

/// Writes the completion script for `shell` to `out`.
pub fn generate(shell: Shell, out: &mut dyn Write) {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "kinesis-insights", out);
}

/// Prints the completion script for `shell`.
pub fn run(shell: Shell) -> anyhow::Result<Outcome> {
    let mut buf = Vec::new();
    generate(shell, &mut buf);
    io::stdout().lock().write_all(&buf)?;
    Ok(Outcome::Clean)
}
