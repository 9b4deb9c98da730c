//! Where output goes: a buffered stdout; broken pipes surface as io errors the
//! dispatcher turns into a quiet exit.

use std::io::{BufWriter, Stdout};

/// Buffered standard output.
pub fn stdout() -> BufWriter<Stdout> {
    BufWriter::new(std::io::stdout())
}
