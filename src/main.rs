//! The `signoff` command line: parses arguments, draws progress, prints.

mod cli;

use std::process::ExitCode;

/// mimalloc rather than glibc's allocator: a run over ten thousand small
/// files spent a sixth of its time in malloc and free (bench/scale.sh).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cli::main()
}
