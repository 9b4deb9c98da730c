//! A deliverable's versions over time: each distinct (file, SHA-256) its
//! patterns claimed in the ledger's runs, with the first and last run that
//! saw it. Claims are judged by the plan as it is now.

use crate::delivery::{root_key, DeliveryError};
use crate::ledger::Ledger;
use crate::paths::RelPath;
use crate::plan::{LoadedPlan, Matcher};
use serde::Serialize;

/// One version of one of a deliverable's files.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Version {
    /// The file.
    pub path: RelPath,
    /// Its content.
    pub sha256: String,
    /// The first run that saw it.
    pub first_run: i64,
    /// When that run started (RFC 3339, UTC).
    pub first_seen_at: String,
    /// The last run that saw it.
    pub last_run: i64,
    /// When that run started.
    pub last_seen_at: String,
}

/// Every version of `deliverable`'s files, in the order first seen.
pub fn versions(
    plan: &LoadedPlan,
    ledger: &Ledger,
    deliverable: &str,
) -> Result<Vec<Version>, DeliveryError> {
    let root = root_key(&plan.root)?;
    let matcher = Matcher::new(&plan.plan)?;
    let mut out: Vec<Version> = Vec::new();
    for (run, _) in ledger.runs_of(&root, deliverable)? {
        let files = ledger.run_files(run.id)?;
        let rels: Vec<RelPath> = files.keys().cloned().collect();
        let matching = matcher.match_files(&rels);
        for path in matching.claims.get(deliverable).into_iter().flatten() {
            let Some(sha) = files.get(path).and_then(|o| o.sha256.clone()) else {
                continue;
            };
            match out.iter_mut().find(|v| &v.path == path && v.sha256 == sha) {
                Some(v) => {
                    v.last_run = run.id;
                    v.last_seen_at = run.started_at.clone();
                }
                None => out.push(Version {
                    path: path.clone(),
                    sha256: sha,
                    first_run: run.id,
                    first_seen_at: run.started_at.clone(),
                    last_run: run.id,
                    last_seen_at: run.started_at.clone(),
                }),
            }
        }
    }
    Ok(out)
}
