//! Sign-off: approving a deliverable binds the approval to the SHA-256 of
//! each of its files and the digests of the profiles used. A failing,
//! incomplete or missing deliverable (one with no files included) is refused
//! unless an override reason is given (and recorded), and so is one with
//! review notes still open; a refusal records nothing. An approval can be
//! revoked (who, when, why), which leaves the deliverable unapproved. Who
//! signs off defaults to the login name.

use crate::board::{Approval, DeliverableStatus, State};
use crate::delivery::BoardReport;
use crate::ledger::approvals::NewApproval;
use crate::ledger::{Ledger, LedgerError};
use crate::paths::RelPath;
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
    /// Their role (producer, QC lead…), for the report's signature block.
    pub role: Option<String>,
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
    /// Review notes are still open and no override was given.
    #[error("refusing to approve `{id}`: {count} review note(s) still open (signoff note --list {id}); mark them addressed or won't fix (signoff note --set-state ID addressed|wont-fix), or approve anyway with --override \"reason\"")]
    OpenNotes {
        /// Deliverable id.
        id: String,
        /// Open notes.
        count: usize,
    },
    /// `--revoke` on a deliverable with no approval in force.
    #[error("`{id}` has no approval in force to revoke (never approved, or its latest approval is already revoked); see `signoff history {id}`")]
    NothingToRevoke {
        /// Deliverable id.
        id: String,
    },
    /// A file could not be read, so there is no hash to bind the approval to.
    #[error("cannot approve `{id}`: {path} could not be read, so there is no SHA-256 to bind the approval to")]
    Unhashed {
        /// Deliverable id.
        id: String,
        /// The file.
        path: RelPath,
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
    let prepared = prepare(plan, report, req)?;
    record(ledger, report, &prepared)?;
    Ok(prepared.approval)
}

/// An approval checked against the board and not yet recorded.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The deliverable.
    pub deliverable: String,
    /// The approval, bound to each file's SHA-256.
    pub approval: Approval,
    /// Profile id → digest of the profiles it was judged by.
    pub profiles: BTreeMap<String, String>,
}

/// Checks the request against a fresh board: refusals, and the SHA-256 of every file.
pub fn prepare(
    plan: &Plan,
    report: &BoardReport,
    req: &ApproveRequest,
) -> Result<Prepared, ApproveError> {
    let status = find(plan, report, &req.deliverable)?;
    if req.override_reason.is_none() {
        refuse_if_not_passing(status)?;
        if status.open_notes > 0 {
            return Err(ApproveError::OpenNotes {
                id: status.id.clone(),
                count: status.open_notes,
            });
        }
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
        role: req.role.clone(),
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
    Ok(Prepared {
        deliverable: status.id.clone(),
        approval,
        profiles,
    })
}

/// Revokes the approval in force of `deliverable` over `root`, recorded
/// with who, when and why; returns the approval's number.
pub fn revoke(
    plan: &Plan,
    ledger: &mut Ledger,
    root: &std::path::Path,
    deliverable: &str,
    revocation: &crate::ledger::notes::Revocation,
) -> Result<i64, ApproveError> {
    known(plan, deliverable)?;
    ledger
        .revoke(root, deliverable, revocation)?
        .ok_or_else(|| ApproveError::NothingToRevoke {
            id: deliverable.to_string(),
        })
}

/// Records a prepared approval in the ledger.
pub fn record(ledger: &mut Ledger, report: &BoardReport, p: &Prepared) -> Result<(), ApproveError> {
    ledger.approve(&NewApproval {
        root: &report.root,
        deliverable: &p.deliverable,
        approval: &p.approval,
        profiles: &p.profiles,
    })?;
    Ok(())
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
        State::Failing if !s.findings.is_empty() => format!(" ({})", s.findings.join("; ")),
        _ => {
            let bad: Vec<String> = s
                .files
                .iter()
                .filter(|f| f.outcome.fails())
                .map(|f| f.path.display())
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

/// The login name of whoever runs signoff: `$SIGNOFF_USER`, `$USER`,
/// `$LOGNAME`, `$USERNAME`, else the password database's name for the real
/// user id; `None` only when none of these names anyone.
pub fn login_name() -> Option<String> {
    ["SIGNOFF_USER", "USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .or_else(passwd_name)
}

/// The user name of the real user id, from the password database.
fn passwd_name() -> Option<String> {
    let mut buf = vec![0 as libc::c_char; 4096];
    // SAFETY: `pwd` and `buf` outlive the call and `buf.len()` is passed;
    // getpwuid_r writes only into them and sets `result` to `&pwd` or null.
    unsafe {
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(
            libc::getuid(),
            &mut pwd,
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        );
        if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
            return None;
        }
        let name = std::ffi::CStr::from_ptr(pwd.pw_name)
            .to_string_lossy()
            .into_owned();
        (!name.is_empty()).then_some(name)
    }
}

/// What is being approved, file by file, for people: `sha  path  (verdict;
/// N warnings, M not evaluated)`.
pub fn approved_lines(status: &DeliverableStatus) -> Vec<String> {
    status
        .files
        .iter()
        .map(|f| {
            let o = &f.outcome;
            let mut notes: Vec<String> = Vec::new();
            if let Some(v) = o.verdict {
                notes.push(v.as_str().to_string());
            } else {
                notes.push("no profile".into());
            }
            if o.errors > 0 {
                notes.push(format!("{} error(s)", o.errors));
            }
            if o.warnings > 0 {
                notes.push(format!("{} warning(s)", o.warnings));
            }
            if o.not_evaluated > 0 {
                notes.push(format!("{} rule(s) not evaluated", o.not_evaluated));
            }
            format!(
                "{}  {}  ({})",
                o.sha256.as_deref().unwrap_or("-"),
                f.path.display(),
                notes.join("; ")
            )
        })
        .collect()
}

/// The warnings and rules not evaluated of each of a deliverable's files in
/// `run`, against the deliverable's own profiles, read from the detail the
/// ledger stored: `warning RULE: message`, `not evaluated RULE: why`.
pub fn file_notes(
    ledger: &Ledger,
    run: i64,
    status: &DeliverableStatus,
    profiles: &[String],
) -> Result<BTreeMap<RelPath, Vec<String>>, LedgerError> {
    let details = ledger.run_details(run)?;
    let mut out = BTreeMap::new();
    for f in &status.files {
        let Some(json) = details.get(&f.path).and_then(|d| d.detail_json.as_deref()) else {
            continue;
        };
        let Ok(checked) = serde_json::from_str::<crate::check::CheckedFile>(json) else {
            continue;
        };
        let notes: Vec<String> = checked
            .report
            .iter()
            .flat_map(|r| &r.findings)
            .filter(|x| profiles.contains(&x.profile))
            .filter_map(|x| {
                let warned = x.status == crate::spec::finding::Status::Failed
                    && x.severity == crate::spec::Severity::Warning;
                let what = if warned {
                    "warning"
                } else if x.is_not_evaluated() {
                    "not evaluated"
                } else {
                    return None;
                };
                Some(format!("{what} {}: {}", x.rule_id, x.message))
            })
            .collect();
        out.insert(f.path.clone(), notes);
    }
    Ok(out)
}

/// Checks that `id` is a deliverable of `plan` (before anything is run).
pub fn known(plan: &Plan, id: &str) -> Result<(), ApproveError> {
    match plan.deliverable(id) {
        Some(_) => Ok(()),
        None => Err(ApproveError::Unknown {
            id: id.to_string(),
            suggestion: suggest(id, plan.deliverables.iter().map(|d| d.id.as_str()))
                .map(String::from),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_name_comes_from_the_password_database() {
        let name = passwd_name().expect("the test user has a passwd entry");
        assert!(!name.is_empty());
    }
}
