//! What changed on disk since a recorded run, by size and mtime alone (no
//! hashing, no analysis): `status` shows the board of the last check and says
//! which files changed, appeared or went since, and an approval whose files
//! changed on disk is stale, not approved.

use crate::board::{DeliverableStatus, State};
use crate::inventory::walk::Entry;
use crate::paths::RelPath;
use crate::plan::Matcher;
use serde::Serialize;
use std::collections::BTreeMap;

/// How a file differs from what the run saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Its size or modification time is not what the run recorded.
    Changed,
    /// It is on disk but was not in the run.
    Added,
    /// It was in the run and is no longer on disk.
    Removed,
}

impl Change {
    /// The word shown to people.
    pub fn word(self) -> &'static str {
        match self {
            Change::Changed => "changed",
            Change::Added => "added",
            Change::Removed => "removed",
        }
    }
}

/// One file that changed on disk since the run shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiskChange {
    /// Relative path (display form).
    pub path: RelPath,
    /// The path's raw bytes in hex, when `path` is not the name itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_hex: Option<String>,
    /// What changed.
    pub change: Change,
    /// The deliverables claiming it.
    pub deliverables: Vec<String>,
}

/// Size and mtime (ns since the epoch, -1 unknown) of a walked entry.
pub fn stat_of(e: &Entry) -> (u64, i64) {
    let mtime = e
        .modified
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(-1, |d| d.as_nanos() as i64);
    (e.size_bytes, mtime)
}

/// Compares the files on disk now (`current`) with what the run recorded
/// (`recorded`: size and mtime per file, `None` when the run predates their
/// recording — such a file is never called changed).
pub fn changes(
    recorded: &BTreeMap<RelPath, Option<(u64, i64)>>,
    current: &[Entry],
    matcher: &Matcher,
) -> Vec<DiskChange> {
    let now: BTreeMap<RelPath, (u64, i64)> = current
        .iter()
        .map(|e| (RelPath::from_path(&e.relative_path), stat_of(e)))
        .collect();
    let mut out = Vec::new();
    let mut push = |path: &RelPath, change| {
        out.push(DiskChange {
            path: path.clone(),
            path_hex: path.path_hex(),
            change,
            deliverables: matcher.claimants(path),
        })
    };
    for (path, seen) in recorded {
        match (now.get(path), seen) {
            (None, _) => push(path, Change::Removed),
            (Some(n), Some(s)) if n != s => push(path, Change::Changed),
            _ => {}
        }
    }
    for path in now.keys().filter(|p| !recorded.contains_key(*p)) {
        push(path, Change::Added);
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Marks every approved deliverable whose files changed on disk as
/// `approval stale`, naming the files.
pub fn stale_approvals(board: &mut [DeliverableStatus], changes: &[DiskChange]) {
    for d in board.iter_mut() {
        let mine: Vec<&DiskChange> = changes
            .iter()
            .filter(|c| c.deliverables.contains(&d.id))
            .collect();
        if d.approval.is_none() || mine.is_empty() {
            continue;
        }
        for c in mine {
            let line = format!(
                "{} ({} on disk since the last check)",
                c.path,
                c.change.word()
            );
            if !d.stale_files.contains(&line) {
                d.stale_files.push(line);
            }
        }
        if d.state == State::Approved {
            d.state = State::ApprovalStale;
            d.states.retain(|s| *s != State::Approved);
            d.states.insert(0, State::ApprovalStale);
        }
    }
}
