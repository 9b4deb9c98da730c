//! The `signoff` command line: parses arguments, draws progress, prints.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
