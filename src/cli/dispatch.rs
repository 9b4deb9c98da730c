//! Runs the chosen command and turns its outcome into an exit code.

use super::args::{Cli, Command};
use clap::Parser;
use std::process::ExitCode;

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: anyhow::Result<u8> = match &cli.command {
        Command::Measure(args) => super::measure::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => report_error(&err),
    }
}

/// Prints a top-level error; a closed pipe (`| head`) is not an error.
fn report_error(err: &anyhow::Error) -> ExitCode {
    for cause in err.chain() {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::BrokenPipe {
                return ExitCode::from(signoff::exit::OK);
            }
        }
    }
    eprintln!("signoff: error: {err:#}");
    ExitCode::from(signoff::exit::SETUP)
}
