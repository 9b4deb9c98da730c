//! Sign-off: approving a deliverable binds the approval to the SHA-256 of
//! each of its files and the digests of the profiles used. A failing,
//! incomplete or missing deliverable is refused unless an override reason
//! is given (and recorded).

use crate::board::{Approval, DeliverableStatus, State};
use crate::delivery::BoardReport;
use crate::ledger::approvals::NewApproval;
use crate::ledger::{Ledger, LedgerError};
use crate::plan::Plan;
use crate::spec::catalogue::suggest;
use std::collections::BTreeMap;

/// What to approve.
#[derive(Debug, Clone)]
pub struct ApproveRequest {
    /// Deliverable id.
    pub deliverable: String,
    /// Who signs off.
    pub by: String,
    /// A note.
    pub note: Option<String>,
    /// Why a deliverable that does not pass is approved anyway.
    pub override_reason: Option<String>,
    /// Now, RFC 3339 UTC.
    pub now: String,
}

/// Why an approval was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum ApproveError {
    /// The plan has no such deliverable.
    #[error("no deliverable `{id}` in the plan{}", .suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    Unknown {
        /// The id given.
        id: String,
        /// The closest id in the plan.
        suggestion: Option<String>,
    },
    /// The deliverable does not pass and no override was given.
    #[error("refusing to approve `{id}`: it is {state}{detail}; fix it and run `signoff check` again, or approve anyway with --override \"reason\"")]
    Refused {
        /// Deliverable id.
        id: String,
        /// Its state, in words.
        state: String,
        /// What is wrong, briefly.
        detail: String,
    },
    /// A file could not be read, so there is no hash to bind the approval to.
    #[error("cannot approve `{id}`: {path} could not be read, so there is no SHA-256 to bind the approval to")]
    Unhashed {
        /// Deliverable id.
        id: String,
        /// The file.
        path: String,
    },
    /// The ledger could not record it.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// Checks the request against a fresh board and records the approval.
pub fn approve(
    plan: &Plan,
    report: &BoardReport,
    ledger: &mut Ledger,
    req: &ApproveRequest,
) -> Result<Approval, ApproveError> {
    let status = find(plan, report, &req.deliverable)?;
    if req.override_reason.is_none() {
        refuse_if_not_passing(status)?;
    }
    let mut files = BTreeMap::new();
    for f in &status.files {
        let sha = f
            .outcome
            .sha256
            .clone()
            .ok_or_else(|| ApproveError::Unhashed {
                id: status.id.clone(),
                path: f.path.clone(),
            })?;
        files.insert(f.path.clone(), sha);
    }
    let approval = Approval {
        by: req.by.clone(),
        at: req.now.clone(),
        note: req.note.clone(),
        override_reason: req.override_reason.clone(),
        files,
    };
    let d = plan.deliverable(&status.id).expect("on the board");
    let profiles: BTreeMap<String, String> = d
        .profiles
        .iter()
        .map(|p| {
            (
                p.clone(),
                report.profile_digests.get(p).cloned().unwrap_or_default(),
            )
        })
        .collect();
    ledger.approve(&NewApproval {
        root: &report.root,
        deliverable: &status.id,
        approval: &approval,
        profiles: &profiles,
    })?;
    Ok(approval)
}

fn find<'a>(
    plan: &Plan,
    report: &'a BoardReport,
    id: &str,
) -> Result<&'a DeliverableStatus, ApproveError> {
    report
        .deliverables
        .iter()
        .find(|d| d.id == id)
        .ok_or_else(|| ApproveError::Unknown {
            id: id.to_string(),
            suggestion: suggest(id, plan.deliverables.iter().map(|d| d.id.as_str()))
                .map(String::from),
        })
}

fn refuse_if_not_passing(s: &DeliverableStatus) -> Result<(), ApproveError> {
    let bad = [State::Missing, State::Incomplete, State::Failing];
    let Some(state) = s.states.iter().find(|st| bad.contains(st)) else {
        return Ok(());
    };
    let detail = match state {
        State::Missing => " (no file matches its patterns)".to_string(),
        State::Incomplete if !s.missing_sidecars.is_empty() => {
            format!(" (missing sidecar {})", s.missing_sidecars.join(", "))
        }
        State::Incomplete => format!(" ({} of {} files)", s.files.len(), s.expected_files),
        _ => {
            let bad: Vec<&str> = s
                .files
                .iter()
                .filter(|f| f.outcome.fails())
                .map(|f| f.path.as_str())
                .collect();
            format!(" ({} error(s) in {})", s.error_count, bad.join(", "))
        }
    };
    Err(ApproveError::Refused {
        id: s.id.clone(),
        state: state.word().to_string(),
        detail,
    })
}
