//! The review commands' work, over the plan and the ledger: add a note to
//! the current version, turn the latest run's findings into notes, change
//! a note's state, list notes, and gather the markers of a deliverable. The
//! board they read is the latest check's, from the ledger (nothing is
//! analysed again); who and when are given by the caller.

use super::changes::{check_note, Current, NoteCheck, RangeStatus, Step, StoredDiff};
use super::markers::{self, Marker};
use super::notes::{
    current, find, notes_from_findings, placed_findings, Master, Note, NoteError, NoteKind,
    StateChange, Written,
};
use crate::delivery::{root_key, status, BoardReport, DeliveryError};
use crate::ledger::Ledger;
use crate::plan::LoadedPlan;
use std::collections::BTreeMap;
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

/// A deliverable's masters in the board's run (their files and content
/// hashes, in board order) and its versions as `history` numbers them;
/// `None` when it has no master there.
type Versions = Option<(Vec<Current>, Vec<super::versions::Version>)>;

fn note_err(e: NoteError) -> DeliveryError {
    match e {
        NoteError::Ledger(e) => DeliveryError::Ledger(e),
        other => DeliveryError::Write(other.to_string()),
    }
}

fn versions_of(
    plan: &LoadedPlan,
    ledger: &Ledger,
    report: &BoardReport,
    id: &str,
) -> Result<Versions, DeliveryError> {
    let Some(status) = report.deliverables.iter().find(|d| d.id == id) else {
        return Ok(None);
    };
    let masters: Vec<Current> = super::notes::versions(ledger, report, status)
        .map_err(note_err)?
        .into_iter()
        .map(|(m, _)| Current {
            path: m.path,
            sha256: m.sha256,
        })
        .collect();
    if masters.is_empty() {
        return Ok(None);
    }
    Ok(Some((
        masters,
        super::versions::versions(plan, ledger, id)?,
    )))
}

/// Whether `n` is on a file the deliverable has now, as it is now.
fn on_current_file(report: &BoardReport, n: &Note) -> bool {
    report
        .deliverables
        .iter()
        .filter(|d| d.id == n.deliverable)
        .flat_map(|d| &d.files)
        .any(|f| f.outcome.sha256.as_deref() == Some(n.sha256.as_str()))
}

/// How each of `notes` fared in its deliverable's current version: the
/// master of `report`'s run at the note's path, else its first master.
/// `None` for a note on a file the deliverable has now, as it is now, or
/// when the deliverable has no master there.
pub fn checks_on(
    plan: &LoadedPlan,
    ledger: &Ledger,
    report: &BoardReport,
    notes: &[Note],
) -> Result<Vec<Option<NoteCheck>>, DeliveryError> {
    let mut known: BTreeMap<String, Versions> = BTreeMap::new();
    let mut out = Vec::with_capacity(notes.len());
    for n in notes {
        if on_current_file(report, n) {
            out.push(None);
            continue;
        }
        if !known.contains_key(&n.deliverable) {
            let v = versions_of(plan, ledger, report, &n.deliverable)?;
            known.insert(n.deliverable.clone(), v);
        }
        let Some((masters, versions)) = &known[&n.deliverable] else {
            out.push(None);
            continue;
        };
        let current = masters
            .iter()
            .find(|m| m.path == n.path)
            .unwrap_or(&masters[0]);
        let steps = steps(ledger, versions, &n.sha256, &current.sha256)?;
        out.push(check_note(n, current, versions, &steps));
    }
    Ok(out)
}

fn recorded(ledger: &Ledger, old: &str, new: &str) -> Result<Option<StoredDiff>, DeliveryError> {
    Ok(ledger
        .diff_between(old, new)?
        .and_then(|r| StoredDiff::parse(&r.json)))
}

/// The recorded diffs from version `from` to version `to` (SHA-256s): the
/// direct one when recorded, else the fewest through the deliverable's
/// other versions (v1→v2→v3); none when they are not connected.
fn steps(
    ledger: &Ledger,
    versions: &[super::versions::Version],
    from: &str,
    to: &str,
) -> Result<Vec<Step>, DeliveryError> {
    if let Some(diff) = recorded(ledger, from, to)? {
        return Ok(vec![Step {
            to_sha256: to.to_string(),
            diff,
        }]);
    }
    let mut nodes: Vec<&str> = versions.iter().map(|v| v.sha256.as_str()).collect();
    nodes.push(to);
    nodes.sort_unstable();
    nodes.dedup();
    // Breadth first: `came[y]` = (x, diff x→y) on a shortest way from `from`.
    let mut came: BTreeMap<&str, (&str, StoredDiff)> = BTreeMap::new();
    let mut frontier = vec![from];
    while !frontier.is_empty() && !came.contains_key(to) {
        let mut next = Vec::new();
        for &x in &frontier {
            for &y in &nodes {
                if y == from || came.contains_key(y) {
                    continue;
                }
                if let Some(d) = recorded(ledger, x, y)? {
                    came.insert(y, (x, d));
                    next.push(y);
                }
            }
        }
        frontier = next;
    }
    let mut out = Vec::new();
    let mut at = to;
    while let Some((x, d)) = came.remove(at) {
        out.push(Step {
            to_sha256: at.to_string(),
            diff: d,
        });
        at = x;
    }
    out.reverse();
    Ok(out)
}

/// [`checks_on`] the board of the latest check; every note `None` when
/// there is no check yet.
pub fn check_notes(
    plan: &LoadedPlan,
    ledger: &Ledger,
    today: Date,
    notes: &[Note],
) -> Result<Vec<Option<NoteCheck>>, ReviewError> {
    match status(plan, ledger, today) {
        Ok(report) => {
            // A note by number may be over another delivery root.
            let here: Vec<i64> = ledger
                .notes(&report.root, None)
                .map_err(NoteError::from)?
                .iter()
                .map(|n| n.id)
                .collect();
            let checks = checks_on(plan, ledger, &report, notes)?;
            Ok(notes
                .iter()
                .zip(checks)
                .map(|(n, c)| c.filter(|_| here.contains(&n.id)))
                .collect())
        }
        Err(DeliveryError::NoRun { .. }) => Ok(vec![None; notes.len()]),
        Err(e) => Err(e.into()),
    }
}

/// Counts, per deliverable on `report` with open notes, those whose range
/// changed in the current version (`open_notes_range_changed`, and that
/// version's number).
pub fn flag_board(
    plan: &LoadedPlan,
    ledger: &Ledger,
    report: &mut BoardReport,
) -> Result<(), DeliveryError> {
    let mut counts = Vec::new();
    for (i, d) in report.deliverables.iter().enumerate() {
        if d.open_notes == 0 {
            continue;
        }
        let open: Vec<Note> = ledger
            .notes(&report.root, Some(&d.id))?
            .into_iter()
            .filter(|n| n.state == super::notes::NoteState::Open)
            .collect();
        let checks = checks_on(plan, ledger, report, &open)?;
        let changed: Vec<&NoteCheck> = checks
            .iter()
            .flatten()
            .filter(|c| c.range == RangeStatus::Changed)
            .collect();
        let version = changed.first().and_then(|c| c.current_version);
        counts.push((i, changed.len(), version));
    }
    for (i, n, version) in counts {
        report.deliverables[i].open_notes_range_changed = n;
        report.deliverables[i].notes_current_version = version;
    }
    Ok(())
}
