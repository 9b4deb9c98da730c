//! signoff: delivery QC and sign-off for post production.
//!
//! The library is the core: walking a delivery, probing media through
//! FFmpeg's libraries, measuring, checking against spec profiles. It knows
//! nothing of the command line; the `signoff` binary parses arguments,
//! draws progress and prints.

pub mod approve;
pub mod board;
pub mod check;
pub mod delivery;
pub mod disk;
pub mod document;
pub mod error;
pub mod escape;
pub mod exit;
pub mod ffmpeg_log;
pub mod inventory;
pub mod kinds;
pub mod ledger;
pub mod measure;
pub mod paths;
pub mod picture;
pub mod plan;
pub mod policy;
pub mod probe;
pub mod progress;
pub mod report;
pub mod scan;
pub mod spec;

/// Version of every JSON document signoff writes. Bumped on any breaking
/// change to a field's name, type or meaning.
pub const SCHEMA_VERSION: u32 = 2;

/// The tool's version, as recorded in reports and the ledger.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
