//! `kinesis-insights completions <shell>`: shell completion scripts from the clap definition.
//!
//! clap_complete's scripts are patched where they fail for this tool (both fixes are tested by
//! running the real shells, see `tests/completions.rs`):
//! - bash: the generator spells a hyphenated binary name two ways (`kinesis__insights` where it
//!   tracks the subcommand, `kinesis__subcmd__insights` in the labels it matches it against;
//!   clap-rs/clap#6421), so nothing completed after the subcommand;
//! - fish: the generator completes no values of positional arguments, so `completions <TAB>`
//!   offered files instead of the shell names.

use std::io::{self, Write};

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::diag::Outcome;

/// The binary's name, as shells know it.
const BIN: &str = "kinesis-insights";

/// Writes the completion script for `shell` to `out`.
pub fn generate(shell: Shell, out: &mut dyn Write) -> io::Result<()> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, BIN, &mut script);
    let mut script = String::from_utf8(script).map_err(io::Error::other)?;
    match shell {
        Shell::Bash => {
            // The labels' spelling of the binary, made the one the subcommand is tracked in.
            let wrong = format!("{}__subcmd__", BIN.replace('-', "__subcmd__"));
            let right = format!("{}__subcmd__", BIN.replace('-', "__"));
            script = script.replace(&wrong, &right);
        }
        Shell::Fish => script.push_str(&fish_positional_values(&mut cmd)),
        _ => {}
    }
    out.write_all(script.as_bytes())
}

/// Fish lines completing the values of each subcommand's positional arguments.
fn fish_positional_values(cmd: &mut clap::Command) -> String {
    cmd.build();
    let function = format!("__fish_{}_using_subcommand", BIN.replace('-', "_"));
    let mut lines = String::new();
    for sub in cmd.get_subcommands() {
        for arg in sub.get_positionals() {
            let values: Vec<String> = arg
                .get_possible_values()
                .iter()
                .filter(|v| !v.is_hide_set())
                .map(|v| v.get_name().to_string())
                .collect();
            if !values.is_empty() {
                lines.push_str(&format!(
                    "complete -c {BIN} -n \"{function} {}\" -f -a \"{}\"\n",
                    sub.get_name(),
                    values.join(" ")
                ));
            }
        }
    }
    lines
}

/// Prints the completion script for `shell`.
pub fn run(shell: Shell) -> anyhow::Result<Outcome> {
    let mut buf = Vec::new();
    generate(shell, &mut buf)?;
    io::stdout().lock().write_all(&buf)?;
    Ok(Outcome::Clean)
}
