//! The review commands' work, over the plan and the ledger: add a note to
//! the current version, turn the latest run's findings into notes, change
//! a note's state, list notes, and gather the markers of a deliverable. The
//! board they read is the latest check's, from the ledger (nothing is
//! analysed again); who and when are given by the caller.

use super::markers::{self, Marker};
use super::notes::{
    current, find, notes_from_findings, placed_findings, Master, Note, NoteError, NoteKind,
    StateChange, Written,
};
use crate::delivery::{root_key, status, BoardReport, DeliveryError};
use crate::ledger::Ledger;
use crate::plan::LoadedPlan;
use time::Date;

/// Why a review command failed.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// The note could not be made or changed.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// The board could not be read from the ledger.
    #[error(transparent)]
    Delivery(#[from] DeliveryError),
}

impl ReviewError {
    /// Whether the user asked for something impossible (a timecode outside
    /// the master, a note that does not exist): a usage error, not a setup one.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            ReviewError::Note(
                NoteError::Timecode { .. }
                    | NoteError::OutOfRange { .. }
                    | NoteError::ChangedSinceCheck { .. }
                    | NoteError::Backwards { .. }
                    | NoteError::NoSuchNote(_)
            )
        )
    }
}

/// A note to add.
#[derive(Debug, Clone)]
pub struct NoteRequest {
    /// Deliverable id.
    pub deliverable: String,
    /// Start timecode, in the master's timecode.
    pub at: String,
    /// End timecode (one past the last frame), when a range.
    pub to: Option<String>,
    /// What it says.
    pub text: String,
    /// Who.
    pub by: String,
    /// Kind.
    pub kind: NoteKind,
    /// Now (RFC 3339, UTC).
    pub now: String,
}

/// The board of the latest check, from the ledger.
fn board(plan: &LoadedPlan, ledger: &Ledger, today: Date) -> Result<BoardReport, ReviewError> {
    Ok(status(plan, ledger, today)?)
}

/// Adds a note to the current version of the deliverable's master.
pub fn add_note(
    plan: &LoadedPlan,
    ledger: &mut Ledger,
    today: Date,
    req: &NoteRequest,
) -> Result<Note, ReviewError> {
    let report = board(plan, ledger, today)?;
    let status = find(&plan.plan, &report, &req.deliverable)?;
    let (master, _) = current(ledger, &report, status)?;
    let range = master.place(&req.at, req.to.as_deref())?;
    let w = Written {
        text: req.text.clone(),
        by: req.by.clone(),
        kind: req.kind,
        at: req.now.clone(),
        source: None,
    };
    let new = master.note(&req.deliverable, range, w);
    let ids = ledger
        .add_notes(&report.root, &[new])
        .map_err(NoteError::from)?;
    note_by_id(ledger, ids[0])
}

/// What `--from-findings` did.
#[derive(Debug, Clone)]
pub struct FromFindings {
    /// Notes added.
    pub added: Vec<Note>,
    /// Findings already notes (same finding, frame and version).
    pub already: usize,
}

/// Turns the latest run's positioned findings on the deliverable's current
/// master into qc notes, in one transaction; running it again adds nothing.
pub fn notes_from_run(
    plan: &LoadedPlan,
    ledger: &mut Ledger,
    today: Date,
    deliverable: &str,
    by: &str,
    now: &str,
) -> Result<FromFindings, ReviewError> {
    let report = board(plan, ledger, today)?;
    let status = find(&plan.plan, &report, deliverable)?;
    let (master, detail) = current(ledger, &report, status)?;
    let placed = placed_findings(&master, &detail, &status.profiles);
    let new = notes_from_findings(&master, deliverable, &placed, by, now);
    let ids = ledger
        .add_notes(&report.root, &new)
        .map_err(NoteError::from)?;
    let added = ids
        .iter()
        .map(|id| note_by_id(ledger, *id))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(FromFindings {
        already: new.len() - added.len(),
        added,
    })
}

/// Records a state change of note `id` and returns the note as it is now.
pub fn set_state(ledger: &mut Ledger, id: i64, change: &StateChange) -> Result<Note, ReviewError> {
    if !ledger.set_note_state(id, change).map_err(NoteError::from)? {
        return Err(NoteError::NoSuchNote(id).into());
    }
    note_by_id(ledger, id)
}

fn note_by_id(ledger: &Ledger, id: i64) -> Result<Note, ReviewError> {
    match ledger.note(id).map_err(NoteError::from)? {
        Some((_, n)) => Ok(n),
        None => Err(NoteError::NoSuchNote(id).into()),
    }
}

/// The notes over the plan's root (of `deliverable` when given), oldest first.
pub fn list(
    plan: &LoadedPlan,
    ledger: &Ledger,
    deliverable: Option<&str>,
) -> Result<Vec<Note>, ReviewError> {
    if let Some(id) = deliverable {
        if plan.plan.deliverable(id).is_none() {
            return Err(NoteError::Unknown {
                id: id.to_string(),
                suggestion: crate::spec::catalogue::suggest(
                    id,
                    plan.plan.deliverables.iter().map(|d| d.id.as_str()),
                )
                .map(String::from),
            }
            .into());
        }
    }
    let root = root_key(&plan.root)?;
    Ok(ledger.notes(&root, deliverable).map_err(NoteError::from)?)
}

/// A deliverable's markers on its current master.
#[derive(Debug, Clone)]
pub struct MarkerSet {
    /// The master they are placed on.
    pub master: Master,
    /// The markers, in time order.
    pub markers: Vec<Marker>,
}

/// The open notes and the latest run's positioned findings of
/// `deliverable`, as markers on its current master.
pub fn markers_of(
    plan: &LoadedPlan,
    ledger: &Ledger,
    today: Date,
    deliverable: &str,
) -> Result<MarkerSet, ReviewError> {
    let report = board(plan, ledger, today)?;
    let status = find(&plan.plan, &report, deliverable)?;
    let (master, detail) = current(ledger, &report, status)?;
    let placed = placed_findings(&master, &detail, &status.profiles);
    let notes = ledger
        .notes(&report.root, Some(deliverable))
        .map_err(NoteError::from)?;
    let markers = markers::collect(&master, &notes, &placed);
    Ok(MarkerSet { master, markers })
}
