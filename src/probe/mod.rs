//! Probing media files through FFmpeg's libraries.

mod ffi_util;
mod first_frame;
mod hdr;
pub mod model;
pub mod names;
mod open;
mod read;
mod riff;
mod streams;
pub mod summary;
mod tail;

pub use read::{display_path, probe_file, ProbeFailure, ProbeOutcome, ProbedFile, Status};
