//! The receiving side: per approved deliverable, whether the files that arrived are the bytes that were approved (the
//! ledger's SHA-256s against SHA-256s taken in `verify`'s one read of each file).

use super::check::{FileCheck, State};
use crate::board::Approval;
use crate::paths::RelPath;
use serde::Serialize;
use std::collections::BTreeMap;

/// Per-deliverable answers, and where the approvals came from.
#[derive(Debug, Clone, Serialize)]
pub struct Arrival {
    /// The root the ledger recorded the approvals for (it differs from the
    /// verified root when the delivery moved, as it does on arrival).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_root: Option<String>,
    /// Why approvals could not be compared at all (no ledger, several roots…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_evaluated: Option<String>,
    /// One entry per deliverable of the plan.
    pub deliverables: Vec<DeliverableArrival>,
}

/// Whether a deliverable arrived as approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArrivalState {
    /// Every approved file arrived with the approved SHA-256.
    AsApproved,
    /// An approved file is missing or has other bytes.
    Differs,
    /// The ledger holds no approval for it.
    NotApproved,
}

/// One deliverable.
#[derive(Debug, Clone, Serialize)]
pub struct DeliverableArrival {
    /// Its id.
    pub deliverable: String,
    /// The answer.
    pub state: ArrivalState,
    /// Who approved it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// When.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_at: Option<String>,
    /// Each approved file that did not arrive as approved, and how.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<String>,
}

impl Arrival {
    /// True when every approved deliverable arrived as approved (and approvals could be compared).
    pub fn all_as_approved(&self) -> bool {
        self.not_evaluated.is_none()
            && self
                .deliverables
                .iter()
                .all(|d| d.state != ArrivalState::Differs)
    }
}

/// Compares each deliverable's approval with the files' SHA-256s.
pub fn compare(
    ids: &[String],
    approvals: &BTreeMap<String, Approval>,
    files: &[FileCheck],
) -> Vec<DeliverableArrival> {
    let by_path: BTreeMap<&RelPath, &FileCheck> = files.iter().map(|f| (&f.path, f)).collect();
    ids.iter()
        .map(|id| match approvals.get(id) {
            None => DeliverableArrival {
                deliverable: id.clone(),
                state: ArrivalState::NotApproved,
                approved_by: None,
                approved_at: None,
                differences: Vec::new(),
            },
            Some(a) => {
                let differences: Vec<String> = a
                    .files
                    .iter()
                    .filter_map(|(p, want)| difference(p, want, by_path.get(p).copied()))
                    .collect();
                DeliverableArrival {
                    deliverable: id.clone(),
                    state: if differences.is_empty() {
                        ArrivalState::AsApproved
                    } else {
                        ArrivalState::Differs
                    },
                    approved_by: Some(a.by.clone()),
                    approved_at: Some(a.at.clone()),
                    differences,
                }
            }
        })
        .collect()
}

fn difference(path: &RelPath, want: &str, f: Option<&FileCheck>) -> Option<String> {
    let shown = path.display();
    match f {
        None => Some(format!("{shown}: approved, not in the folder")),
        Some(f) if f.state == State::Missing => {
            Some(format!("{shown}: approved, not in the folder"))
        }
        Some(f) => match &f.sha256 {
            Some(have) if have == want => None,
            Some(have) => Some(format!("{shown}: SHA-256 {have}, approved {want}")),
            None => Some(format!(
                "{shown}: could not be hashed ({})",
                f.reason.as_deref().unwrap_or(f.state.name())
            )),
        },
    }
}
