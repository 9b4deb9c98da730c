//! The board's manifest line for a deliverable whose plan requires a seal: sealed (generation N), not sealed, seal out of
//! date, or a damaged history. Read-only and cheap: the history is parsed, files are only stat'ed (size and modification
//! time against the newest record); `signoff verify` proves the bytes.

use super::history::{self, History};
use crate::board::DeliverableStatus;
use crate::plan::model::Manifest;
use crate::plan::Plan;
use serde::{Deserialize, Serialize};
use std::path::Path;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Where a deliverable stands with the manifest its plan requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SealState {
    /// Every file is in the newest record with its size and modification time.
    Sealed,
    /// No history, or none of its files recorded.
    NotSealed,
    /// A file changed (size or modification time) or is not recorded.
    OutOfDate,
    /// The history itself has problems (`signoff verify` lists them).
    Damaged,
}

/// The manifest line of one deliverable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealStatus {
    /// The manifest the plan requires.
    pub manifest: Manifest,
    /// Where it stands.
    pub state: SealState,
    /// The newest generation, when there is a history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<u64>,
    /// Files out of date (`path (changed)`, `path (not sealed)`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// The first history problem, when damaged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl SealStatus {
    /// In words for the board.
    pub fn text(&self) -> String {
        let g = self.generation.unwrap_or(0);
        match self.state {
            SealState::Sealed => format!("sealed (generation {g})"),
            SealState::NotSealed => {
                "NOT SEALED (the plan requires an ASC MHL seal: signoff seal ROOT)".into()
            }
            SealState::OutOfDate => format!(
                "seal out of date (generation {g}): {}",
                self.files.join(", ")
            ),
            SealState::Damaged => format!(
                "seal DAMAGED (generation {g}): {}; run signoff verify",
                self.detail.as_deref().unwrap_or("")
            ),
        }
    }
}

/// Sets `seal` on every deliverable with files whose plan requires a manifest.
pub fn annotate(plan: &Plan, root: &Path, board: &mut [DeliverableStatus]) {
    let needs = |d: &DeliverableStatus| plan.deliverable(&d.id).and_then(|p| plan.manifest_of(p));
    if !board.iter().any(|d| needs(d).is_some()) {
        return;
    }
    let hist = history::load(root).ok().flatten();
    for d in board.iter_mut() {
        if let Some(m) = needs(d).filter(|_| !d.files.is_empty()) {
            d.seal = Some(of(m, root, hist.as_ref(), d));
        }
    }
}

fn of(
    manifest: Manifest,
    root: &Path,
    hist: Option<&History>,
    d: &DeliverableStatus,
) -> SealStatus {
    let mut s = SealStatus {
        manifest,
        state: SealState::NotSealed,
        generation: None,
        files: Vec::new(),
        detail: None,
    };
    let Some(h) = hist.filter(|h| h.latest() > 0) else {
        return s;
    };
    s.generation = Some(h.latest());
    if let Some(p) = h.problems.first() {
        s.state = SealState::Damaged;
        s.detail = Some(format!("{}: {}", p.file, p.message));
        return s;
    }
    let recorded = h.recorded();
    let mut unrecorded = 0;
    for f in &d.files {
        match recorded.get(&f.path) {
            None => {
                unrecorded += 1;
                s.files.push(format!("{} (not sealed)", f.path.display()));
            }
            Some(r) if !same_stat(root, &f.path, r) => {
                s.files.push(format!("{} (changed)", f.path.display()))
            }
            Some(_) => {}
        }
    }
    s.state = if s.files.is_empty() {
        SealState::Sealed
    } else if unrecorded == d.files.len() {
        s.files.clear();
        SealState::NotSealed
    } else {
        SealState::OutOfDate
    };
    s
}

fn same_stat(root: &Path, rel: &crate::paths::RelPath, r: &history::Recorded) -> bool {
    let Ok(meta) = std::fs::metadata(root.join(rel.as_path())) else {
        return false;
    };
    if r.entry.size_bytes.is_some_and(|s| s != meta.len()) {
        return false;
    }
    let recorded = r
        .entry
        .modification_date
        .as_deref()
        .and_then(|d| OffsetDateTime::parse(d, &Rfc3339).ok());
    match (recorded, meta.modified().ok()) {
        (Some(want), Some(have)) => {
            OffsetDateTime::from(have).unix_timestamp() == want.unix_timestamp()
        }
        _ => true,
    }
}
