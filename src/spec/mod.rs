//! Spec profiles: the profile format, typed comparisons, the built-in and
//! user profile registry, lint, and evaluation of a file against profiles.
//!
//! The library knows no command line and prints nothing; `render` returns
//! text for the binary to print.

pub mod artwork;
pub mod captions;
#[cfg(test)]
mod captions_tests;
pub mod catalogue;
pub mod compare;
pub mod eval;
#[cfg(test)]
mod eval_tests;
pub mod facts;
pub mod faults;
pub mod finding;
pub mod layout;
pub mod lint;
pub mod load;
pub mod model;
pub mod picture;
pub mod picture_signal;
pub mod render;
pub mod validate;
pub mod value;
pub mod vocabulary;

pub use eval::{check_file, evaluate, needs_audio_measurement};
pub use facts::FileFacts;
pub use finding::{FileReport, Finding, Status, Verdict};
pub use load::{Registry, SpecError};
pub use model::{Profile, Severity};
pub use picture::needs_picture_measurement;
