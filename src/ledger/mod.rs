//! The ledger: a database recording every run (when, by whom, tool
//! version, plan digest), per-file results keyed by content hash, a path →
//! (size, mtime, hash) cache, approvals bound to each file's SHA-256, notes
//! and revocations. Embedded SQLite beside the plan by default (WAL mode),
//! or a shared PostgreSQL server (`postgres://…`) for many shards at once;
//! one short transaction per file result: concurrent runs never corrupt
//! it, a killed run loses at most the file in flight.

pub mod approvals;
pub mod backend;
pub mod cache;
pub mod diffs;
pub mod location;
pub mod notes;
pub mod pg_schema;
pub mod schema;
pub mod store;
#[cfg(test)]
pub(crate) mod testing;

pub use location::{Location, LocationError};
pub use store::{default_path, Ledger, LedgerError, RunFileDetail, RunInfo, RunSummary};
