//! signoff: delivery QC and sign-off for post production.
//!
//! The library is the core: walking a delivery, probing media through
//! FFmpeg's libraries, measuring, checking against spec profiles. It knows
//! nothing of the command line; the `signoff` binary parses arguments,
//! draws progress and prints.

pub mod analyse;
pub mod approve;
pub mod artwork;
pub mod board;
pub mod captions;
pub mod check;
pub mod delivery;
pub mod demux;
pub mod digest;
pub mod disk;
pub mod document;
pub mod duplicates;
pub mod error;
pub mod escape;
pub mod exit;
pub mod ffmpeg_log;
pub mod inventory;
pub mod isolate;
pub mod kinds;
pub mod ledger;
pub mod measure;
pub mod mhl;
pub mod paths;
pub mod picture;
pub mod plan;
pub mod policy;
pub mod probe;
pub mod progress;
pub mod report;
pub mod review;
pub mod scan;
pub mod shard;
pub mod spec;

/// Version of every JSON document signoff writes. Bumped on any breaking
/// change to a field's name, type or meaning.
pub const SCHEMA_VERSION: u32 = 2;

/// Names the analysis (probe, measurements, rule evaluation) whose results
/// the ledger caches. It is part of every cache key, so results stored by an
/// older analysis are never reused as if current: bump it whenever what a
/// detector finds or a rule decides could change.
pub const ANALYSIS_VERSION: &str = "analysis-7";

/// The tool's version, as recorded in reports and the ledger.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
