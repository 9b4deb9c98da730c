//! The delivery board: from the plan, which files each deliverable claims,
//! each file's QC outcome and hash, the approvals and today's date, the
//! state of every deliverable. Pure: no I/O, no clock.
//!
//! Each deliverable has one primary `state` and a `states` list:
//!
//! - `missing`: no file matches its patterns;
//! - `incomplete`: fewer files than `count`, or a required sidecar is missing
//!   ("files missing"; a *file* whose rules could not all be checked is
//!   `not_evaluated`, a different word for a different thing);
//! - `failing`: a file fails an error-severity rule or cannot be read, or
//!   there are more files than `count` ("3 files where the plan expects 1");
//! - `passing`: every file passes (warnings and unevaluated rules counted);
//! - `approved`: signed off, and every file still has the approved SHA-256
//!   (an approval given with `--override` counts, whatever the QC says);
//! - `approval_stale`: signed off, but a file changed, appeared or went
//!   since; the files are named; the QC state follows in `states`;
//! - `overdue`: past its due date and not approved. It is a flag added to
//!   `states` after the primary state, never the primary state itself, so
//!   "failing, overdue" and "missing, overdue" both stay readable.
//!
//! Precedence of the primary state: approval (approved / approval stale)
//! first, then missing > incomplete > failing > passing.

use crate::paths::RelPath;
use crate::picture::summary::PictureSummary;
use crate::plan::model::Plan;
use crate::plan::Matching;
use crate::spec::Verdict;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::Date;

/// A deliverable's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// No file matches.
    Missing,
    /// Fewer files than expected, or a sidecar is missing.
    Incomplete,
    /// A file fails QC or cannot be read.
    Failing,
    /// Every file passes.
    Passing,
    /// Signed off; the files are those approved.
    Approved,
    /// Signed off, but a file changed since.
    ApprovalStale,
    /// Past due and not approved (a flag, see the module docs).
    Overdue,
}

impl State {
    /// The wire name (`approval_stale`…), as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Missing => "missing",
            State::Incomplete => "incomplete",
            State::Failing => "failing",
            State::Passing => "passing",
            State::Approved => "approved",
            State::ApprovalStale => "approval_stale",
            State::Overdue => "overdue",
        }
    }

    /// What it means, in a few words, for legends and reports.
    pub fn meaning(self) -> &'static str {
        match self {
            State::Missing => "no file matches",
            State::Incomplete => "files missing: fewer than its count, or a sidecar",
            State::Failing => "a file fails QC or cannot be read",
            State::Passing => "every file passes",
            State::Approved => "signed off; the files are those approved",
            State::ApprovalStale => "signed off, but a file changed since",
            State::Overdue => "past due and not approved",
        }
    }

    /// The word shown on the board.
    pub fn word(self) -> &'static str {
        match self {
            State::Missing => "missing",
            State::Incomplete => "incomplete",
            State::Failing => "failing",
            State::Passing => "passing",
            State::Approved => "approved",
            State::ApprovalStale => "approval stale",
            State::Overdue => "overdue",
        }
    }
}

/// One file's outcome as the board needs it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileOutcome {
    /// SHA-256 of the content; `None` when it could not be read.
    pub sha256: Option<String>,
    /// The QC verdict, when checked.
    pub verdict: Option<Verdict>,
    /// Failed error-severity rules.
    pub errors: usize,
    /// Failed warning-severity rules.
    pub warnings: usize,
    /// Rules that could not be evaluated.
    pub not_evaluated: usize,
    /// The same counts per profile (a file claimed by two deliverables is
    /// judged by each against its own profiles only).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_profile: BTreeMap<String, Counts>,
    /// Its picture results in brief, when its picture was checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<PictureSummary>,
}

/// Failed and unevaluated rule counts of one file against one profile.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Failed error-severity rules.
    pub errors: usize,
    /// Failed warning-severity rules.
    pub warnings: usize,
    /// Rules not evaluated.
    pub not_evaluated: usize,
}

impl FileOutcome {
    /// The outcome judged against `profiles` only (all when none are recorded).
    pub fn for_profiles(&self, profiles: &[String]) -> FileOutcome {
        if self.by_profile.is_empty() || self.verdict == Some(Verdict::Unreadable) {
            return FileOutcome {
                by_profile: BTreeMap::new(),
                ..self.clone()
            };
        }
        let mut c = Counts::default();
        for p in profiles.iter().filter_map(|p| self.by_profile.get(p)) {
            c.errors += p.errors;
            c.warnings += p.warnings;
            c.not_evaluated += p.not_evaluated;
        }
        let verdict = match (profiles.is_empty(), c.errors, c.not_evaluated) {
            (true, _, _) => None,
            (_, e, _) if e > 0 => Some(Verdict::Fail),
            (_, _, n) if n > 0 => Some(Verdict::NotEvaluated),
            _ => Some(Verdict::Pass),
        };
        FileOutcome {
            sha256: self.sha256.clone(),
            verdict,
            errors: c.errors,
            warnings: c.warnings,
            not_evaluated: c.not_evaluated,
            by_profile: BTreeMap::new(),
            picture: self
                .picture
                .clone()
                .filter(|p| p.checked_by.iter().any(|c| profiles.contains(c))),
        }
    }

    /// Whether the file fails its deliverable: it fails QC or cannot be read.
    pub fn fails(&self) -> bool {
        self.sha256.is_none() || matches!(self.verdict, Some(Verdict::Fail | Verdict::Unreadable))
    }

    /// Whether it could not be read (no hash, or unreadable).
    pub fn unreadable(&self) -> bool {
        self.sha256.is_none() || self.verdict == Some(Verdict::Unreadable)
    }
}

/// A recorded sign-off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Approval {
    /// Who signed off.
    pub by: String,
    /// Their role (`approve --role`), shown in the report's signature block.
    #[serde(default)]
    pub role: Option<String>,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Their note.
    pub note: Option<String>,
    /// Why a failing or incomplete deliverable was approved anyway.
    pub override_reason: Option<String>,
    /// Relative path (exact bytes; JSON keys are its display form) → SHA-256 approved.
    #[serde(alias = "hashes")]
    pub files: BTreeMap<RelPath, String>,
}

/// One file of a deliverable on the board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoardFile {
    /// Path relative to the delivery root (exact; shown as its display form).
    pub path: RelPath,
    /// The raw bytes of the path in hex, when `path` is not the name itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_hex: Option<String>,
    /// Its outcome.
    #[serde(flatten)]
    pub outcome: FileOutcome,
}

/// One row of the board (also the board of a run report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliverableStatus {
    /// Deliverable id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Primary state.
    pub state: State,
    /// Primary state first, then the QC state under a stale approval, then `overdue`.
    pub states: Vec<State>,
    /// Owner.
    pub owner: Option<String>,
    /// Due date, `YYYY-MM-DD` (its own or the project's).
    pub due: Option<String>,
    /// Files expected.
    pub expected_files: usize,
    /// The files it claims.
    pub files: Vec<BoardFile>,
    /// Failed error rules over its files.
    pub error_count: usize,
    /// Failed warning rules over its files.
    pub warning_count: usize,
    /// Unevaluated rules over its files.
    pub not_evaluated_count: usize,
    /// Sidecar patterns that match no file (and a named PSE certificate
    /// that is not in the delivery, as `PSE certificate PATH`).
    pub missing_sidecars: Vec<String>,
    /// The external PSE certificate the plan names, present in the
    /// delivery (signoff's own PSE check is screening, not a certified test).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pse_certificate: Option<RelPath>,
    /// Findings about the deliverable as a whole ("3 files where the plan
    /// expects 1"); each makes it failing and counts as an error.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<String>,
    /// Files changed, added or removed since the approval (`path (changed)`).
    pub stale_files: Vec<String>,
    /// The latest approval, if any.
    pub approval: Option<Approval>,
    /// The profiles its files are checked against (a file claimed by two
    /// deliverables is judged by each against its own).
    #[serde(default)]
    pub profiles: Vec<String>,
    /// Where it stands with the manifest its plan requires (`manifest = "ascmhl"`); absent when none is required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal: Option<crate::mhl::status::SealStatus>,
    /// Review notes still open on it (any version; `signoff note`).
    #[serde(default)]
    pub open_notes: usize,
    /// Of those, the notes made on an earlier version whose range a
    /// recorded diff says changed in the current version (`signoff diff`).
    #[serde(default)]
    pub open_notes_range_changed: usize,
    /// The current version's number (`history`'s vN), when some open
    /// note's range changed in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes_current_version: Option<usize>,
}

impl DeliverableStatus {
    /// Its open review notes in words (`notes: 2 open, 1 range changed in
    /// v2`), the same on the terminal and in every report; `None` when none
    /// is open.
    pub fn notes_text(&self) -> Option<String> {
        if self.open_notes == 0 {
            return None;
        }
        let changed = match (self.open_notes_range_changed, self.notes_current_version) {
            (0, _) => String::new(),
            (n, Some(v)) => format!(", {n} range changed in v{v}"),
            (n, None) => format!(", {n} range changed"),
        };
        Some(format!("notes: {} open{changed}", self.open_notes))
    }

    /// Every state in words, joined (`passing, overdue`; `approval stale, failing`).
    pub fn states_text(&self) -> String {
        let words: Vec<&str> = self.states.iter().map(|s| s.word()).collect();
        words.join(", ")
    }
}

/// Everything the board is computed from.
pub struct BoardInput<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// Which files each deliverable claims.
    pub matching: &'a Matching,
    /// Relative path → outcome.
    pub files: &'a BTreeMap<RelPath, FileOutcome>,
    /// Deliverable id → latest approval.
    pub approvals: &'a BTreeMap<String, Approval>,
    /// Today, for `overdue`.
    pub today: Date,
}

/// The board: one status per deliverable, in plan order.
pub fn board(input: &BoardInput) -> Vec<DeliverableStatus> {
    input
        .plan
        .deliverables
        .iter()
        .map(|d| status(input, &d.id))
        .collect()
}

fn status(input: &BoardInput, id: &str) -> DeliverableStatus {
    let d = input.plan.deliverable(id).expect("id from the plan");
    let paths = input.matching.claims.get(id).cloned().unwrap_or_default();
    let judged = crate::kinds::judged_by(&d.profiles);
    let files: Vec<BoardFile> = paths
        .iter()
        .map(|p| BoardFile {
            path: p.clone(),
            path_hex: p.path_hex(),
            outcome: input
                .files
                .get(p)
                .map(|o| o.for_profiles(&judged))
                .unwrap_or_default(),
        })
        .collect();
    let missing_sidecars = input
        .matching
        .missing_sidecars
        .get(id)
        .cloned()
        .unwrap_or_default();
    let findings: Vec<String> = crate::plan::matching::count_finding(files.len(), d.count)
        .into_iter()
        .collect();
    let qc = qc_state(
        &files,
        d.count,
        !missing_sidecars.is_empty(),
        !findings.is_empty(),
    );
    let approval = input.approvals.get(id).cloned();
    let stale_files = approval
        .as_ref()
        .map(|a| stale(a, &files))
        .unwrap_or_default();
    let due = input.plan.due_of(d);
    let (state, states) = combine(
        qc,
        approval.is_some(),
        !stale_files.is_empty(),
        due.is_some_and(|x| x < input.today),
    );
    let sum = |f: fn(&FileOutcome) -> usize| files.iter().map(|b| f(&b.outcome)).sum();
    DeliverableStatus {
        id: d.id.clone(),
        title: d.title.clone(),
        state,
        states,
        owner: d.owner.clone(),
        due: due.map(crate::plan::model::format_date),
        expected_files: d.count,
        error_count: sum(|o| o.errors) + findings.len(),
        warning_count: sum(|o| o.warnings),
        not_evaluated_count: sum(|o| o.not_evaluated),
        files,
        missing_sidecars,
        pse_certificate: input.matching.pse_certificates.get(id).cloned(),
        findings,
        stale_files,
        approval,
        profiles: judged,
        seal: None,
        open_notes: 0,
        open_notes_range_changed: 0,
        notes_current_version: None,
    }
}

/// What the files alone say.
fn qc_state(files: &[BoardFile], expected: usize, sidecar_missing: bool, finding: bool) -> State {
    if files.is_empty() {
        State::Missing
    } else if files.len() < expected || sidecar_missing {
        State::Incomplete
    } else if finding || files.iter().any(|f| f.outcome.fails()) {
        State::Failing
    } else {
        State::Passing
    }
}

/// The primary state and the list (see the module docs for precedence).
fn combine(qc: State, approved: bool, stale: bool, past_due: bool) -> (State, Vec<State>) {
    let mut states = match (approved, stale) {
        (true, false) => vec![State::Approved],
        (true, true) => vec![State::ApprovalStale, qc],
        (false, _) => vec![qc],
    };
    let primary = states[0];
    if past_due && primary != State::Approved {
        states.push(State::Overdue);
    }
    (primary, states)
}

/// Files changed, added or removed since `approval`.
fn stale(approval: &Approval, files: &[BoardFile]) -> Vec<String> {
    let mut out = Vec::new();
    for f in files {
        match approval.files.get(&f.path) {
            None => out.push(format!("{} (added)", f.path.display())),
            Some(h) if Some(h) != f.outcome.sha256.as_ref() => {
                out.push(format!("{} (changed)", f.path.display()))
            }
            Some(_) => {}
        }
    }
    for p in approval.files.keys() {
        if !files.iter().any(|f| &f.path == p) {
            out.push(format!("{} (removed)", p.display()));
        }
    }
    out
}

/// Whether any deliverable is failing (its QC state, also under a stale approval).
pub fn any_failing(board: &[DeliverableStatus]) -> bool {
    board.iter().any(|d| d.states.contains(&State::Failing))
}

#[cfg(test)]
#[path = "board_tests.rs"]
mod tests;
