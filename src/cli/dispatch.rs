//! Runs the chosen command and turns its outcome into an exit code.

use super::args::{Cli, Command};
use clap::Parser;
use std::process::ExitCode;

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(&err),
    };
    super::style::set_colour(cli.color);
    let result: anyhow::Result<u8> = match &cli.command {
        Command::Probe(args) => super::probe::run(args),
        Command::Scan(args) => super::scan::run(args),
        Command::Check(args) => super::check::run(args),
        Command::Specs(args) => super::specs::run(args),
        Command::Plan(args) => super::plan::run(args),
        Command::Approve(args) => super::approve::run(args),
        Command::Status(args) => super::status::run(args),
        Command::History(args) => super::history::run(args),
        Command::Note(args) => super::note::run(args),
        Command::Markers(args) => super::markers::run(args),
        Command::Report(args) => super::report::run(args),
        Command::Measure(args) => super::measure::run(args),
        Command::Diff(args) => super::diff::run(args),
        Command::Hash(args) => super::hash::run(args),
        Command::Seal(args) => super::seal::run_seal(args),
        Command::Verify(args) => super::seal::run_verify(args),
        Command::Completions(args) => super::completions::run_completions(args),
        Command::Man(args) => super::completions::run_man(args),
        Command::Merge(args) => super::check_plan::run_merge(args),
        Command::Worker => signoff::isolate::serve(std::io::stdin().lock(), std::io::stdout())
            .map(|()| signoff::exit::OK)
            .map_err(Into::into),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => report_error(&err),
    }
}

/// Help and version go to stdout with exit 0; usage errors, and `signoff`
/// with no command (the usage is printed), exit 3 (clap's own 2 would
/// collide with "some file could not be read").
fn usage_error(err: &clap::Error) -> ExitCode {
    let _ = err.print();
    match err.kind() {
        clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
            ExitCode::from(signoff::exit::OK)
        }
        _ => ExitCode::from(signoff::exit::USAGE),
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
    eprintln!(
        "signoff: {} {}",
        super::style::paint_err(super::style::Tone::Bad, "error:"),
        signoff::escape::terminal(&format!("{err:#}"))
    );
    ExitCode::from(signoff::exit::SETUP)
}
