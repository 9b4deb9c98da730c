//! Probing media files through FFmpeg's libraries.

pub mod chan;
mod decode_check;
pub(crate) mod ffi_util;
mod first_frame;
mod hdr;
pub mod limits;
pub mod model;
pub mod names;
pub(crate) mod open;
mod read;
mod riff;
mod streams;
mod structure;
pub mod summary;
mod tail;

pub use read::{display_path, probe_file, ProbeFailure, ProbeOutcome, ProbedFile, Status};
