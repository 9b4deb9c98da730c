//! The ledger: an embedded SQLite database beside the plan recording every
//! run (when, by whom, tool version, plan digest), per-file results keyed by
//! content hash, a path → (size, mtime, hash) cache and approvals bound to
//! each file's SHA-256. WAL mode and one short transaction per file result:
//! concurrent runs never corrupt it, a killed run loses at most the file in
//! flight.

pub mod approvals;
pub mod diffs;
pub mod notes;
pub mod schema;
pub mod store;

pub use store::{default_path, Ledger, LedgerError, RunFileDetail, RunInfo, RunSummary};
