//! How the core reports progress without knowing how (or whether) it is drawn.

use std::path::Path;

/// Receives progress events from long-running core operations.
///
/// Implementations must be cheap and thread-safe: events arrive from worker
/// threads. The CLI implements this with an indicatif bar; tests and
/// pipelines use [`Silent`].
pub trait Reporter: Send + Sync {
    /// The total number of work items is now known.
    fn set_total(&self, _total: u64) {}
    /// Work on one item started.
    fn started(&self, _path: &Path) {}
    /// Work on one item finished (successfully or not).
    fn finished(&self, _path: &Path) {}
}

/// A reporter that shows nothing.
pub struct Silent;

impl Reporter for Silent {}
