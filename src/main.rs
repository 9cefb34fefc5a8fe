//! The `kinesis-insights` binary: a thin shell over the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    kinesis_insights::main_with_args(std::env::args_os())
}
