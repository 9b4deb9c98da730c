//! How the core reports progress without knowing how (or whether) it is drawn.
//!
//! Files are counted by the pool; bytes within a long file are reported by
//! the reading loops (the demuxer's and the digest's) through [`at`], which
//! reaches the reporter of the file the current pool thread is working on
//! ([`within`]). Reading code therefore needs no reporter of its own, and a
//! read outside any pool job (a test, a helper thread) reports nothing.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Receives progress events from long-running core operations.
///
/// Implementations must be cheap and thread-safe: events arrive from worker
/// threads. The CLI implements this with an indicatif bar; tests and
/// pipelines use [`Silent`].
pub trait Reporter: Send + Sync {
    /// `files` more work items are to come (a run may have several batches).
    fn add_total(&self, _files: u64) {}
    /// The sizes of the batch's items: their sum and the largest.
    fn add_total_bytes(&self, _total_bytes: u64, _largest_bytes: u64) {}
    /// Work on one item started.
    fn started(&self, _path: &Path) {}
    /// The item at `path` has been read up to `bytes_done` (monotonic per
    /// item; the item's size when it is finished).
    fn advanced(&self, _path: &Path, _bytes_done: u64) {}
    /// The item at `path` is media of this duration (once it is probed).
    fn duration(&self, _path: &Path, _duration_s: f64) {}
    /// Work on one item finished (successfully or not).
    fn finished(&self, _path: &Path) {}
}

/// A reporter that shows nothing.
pub struct Silent;

impl Reporter for Silent {}

/// Bytes read between two reports of one file: often enough for a smooth
/// bar, rarely enough to cost nothing.
const REPORT_EVERY_BYTES: u64 = 4 << 20;

struct Current {
    reporter: Arc<dyn Reporter>,
    path: PathBuf,
    reported: u64,
    reported_at: Instant,
    media_s: Option<f64>,
}

/// The longest a moving read goes unreported (a slow decode of a small file
/// still shows, and a worker's parent still hears, that it moves).
const REPORT_EVERY: Duration = Duration::from_millis(500);

thread_local! {
    static CURRENT: RefCell<Option<Current>> = const { RefCell::new(None) };
}

/// Runs `work` on this thread as the job for `path`: reads inside it report
/// their position to `reporter` through [`at`].
pub fn within<T>(reporter: &Arc<dyn Reporter>, path: &Path, work: impl FnOnce() -> T) -> T {
    let previous = CURRENT.with(|c| {
        c.replace(Some(Current {
            reporter: Arc::clone(reporter),
            path: path.to_path_buf(),
            reported: 0,
            reported_at: Instant::now(),
            media_s: None,
        }))
    });
    struct Restore(Option<Option<Current>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take().flatten();
            CURRENT.with(|c| *c.borrow_mut() = previous);
        }
    }
    let _restore = Restore(Some(previous));
    work()
}

/// The current job's file has been read up to `bytes_done`. Cheap: reports
/// every few MiB or half second, and only inside [`within`].
pub fn at(bytes_done: u64) {
    at_media(bytes_done, None);
}

/// [`at`], with the media time of what was just read.
pub fn at_media(bytes_done: u64, media_s: Option<f64>) {
    let due = CURRENT.with(|c| {
        let mut c = c.borrow_mut();
        let cur = c.as_mut()?;
        cur.media_s = media_s.or(cur.media_s);
        let moved = bytes_done > cur.reported;
        let due = bytes_done >= cur.reported + REPORT_EVERY_BYTES
            || (moved && cur.reported_at.elapsed() >= REPORT_EVERY);
        if !due {
            return None;
        }
        cur.reported = bytes_done;
        cur.reported_at = Instant::now();
        Some((Arc::clone(&cur.reporter), cur.path.clone()))
    });
    if let Some((reporter, path)) = due {
        reporter.advanced(&path, bytes_done);
    }
}

/// The media time the current job's read has reached, when known.
pub fn media_position() -> Option<f64> {
    CURRENT.with(|c| c.borrow().as_ref().and_then(|cur| cur.media_s))
}

/// The current job's file is media of `duration_s`.
pub fn duration(duration_s: f64) {
    let current = CURRENT.with(|c| {
        let c = c.borrow();
        c.as_ref()
            .map(|cur| (Arc::clone(&cur.reporter), cur.path.clone()))
    });
    if let Some((reporter, path)) = current {
        reporter.duration(&path, duration_s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Log(Mutex<Vec<(PathBuf, u64)>>);

    impl Reporter for Log {
        fn advanced(&self, path: &Path, bytes_done: u64) {
            self.0
                .lock()
                .unwrap()
                .push((path.to_path_buf(), bytes_done));
        }
    }

    #[test]
    fn reads_report_only_inside_a_job_and_every_few_mib() {
        let log = Arc::new(Log::default());
        let reporter: Arc<dyn Reporter> = log.clone();
        at(100 << 20); // outside any job: nothing
        within(&reporter, Path::new("a.mov"), || {
            for mib in 1..=10u64 {
                at(mib << 20);
            }
        });
        at(200 << 20); // after the job: nothing
        let got = log.0.lock().unwrap().clone();
        let a = PathBuf::from("a.mov");
        assert_eq!(got, vec![(a.clone(), 4 << 20), (a, 8 << 20)]);
    }
}
