//! The run report of a planned run, built from the board and the ledger:
//! every file of the run (analysed then or reused from the cache) with the
//! detail the ledger stored for its content, each tagged with its
//! deliverable, and one board row per deliverable. `signoff check --report`
//! and `signoff report` (the last run, no re-analysis) both build it here.

use super::model::{FileEntry, ProfileRef, RunReport};
use crate::board::DeliverableStatus;
use crate::check::FileResult;
use crate::delivery::{resolve_profiles, BoardReport, DeliveryError};
use crate::error::{FileProblem, ProblemKind};
use crate::inventory::sniff::FileKind;
use crate::ledger::{Ledger, LedgerError, RunFileDetail};
use crate::paths::RelPath;
use crate::plan::LoadedPlan;
use crate::policy::FailPolicy;
use crate::probe::Status;
use crate::scan::ScannedFile;
use crate::spec::{FileReport, Registry};
use std::collections::BTreeMap;
use std::path::Path;

/// Shown for a file whose detail the ledger does not hold (a result
/// recorded before schema 3).
pub const NO_DETAIL: &str = "details not stored for this file; run with --rehash";

/// The run report of `board` (a run recorded in `ledger`), judged by `policy`.
pub fn run_report(
    plan: &LoadedPlan,
    registry: &Registry,
    board: &BoardReport,
    ledger: &Ledger,
    policy: FailPolicy,
) -> Result<RunReport, DeliveryError> {
    let profiles = resolve_profiles(plan, registry)?;
    let info = ledger.run_info(board.run_id)?;
    let details = ledger.run_details(board.run_id)?;
    let mut owner: BTreeMap<&RelPath, &DeliverableStatus> = BTreeMap::new();
    for d in &board.deliverables {
        for f in &d.files {
            owner.entry(&f.path).or_insert(d);
        }
    }
    let root = board.root.as_path();
    let mut files = Vec::with_capacity(details.len());
    for (rel, det) in &details {
        let d = owner.get(rel).copied();
        let ids: Vec<String> = d
            .and_then(|d| plan.plan.deliverable(&d.id))
            .map(|d| d.profiles.clone())
            .unwrap_or_default();
        let mut e = file_entry(root, rel, det, ids).map_err(|message| LedgerError::Corrupt {
            ledger: ledger.location().to_string(),
            message,
        })?;
        e.deliverable = d.map(|d| d.id.clone());
        if let Some(ids) = board.double_claimed.get(rel) {
            e.file.warnings.push(format!(
                "claimed by more than one deliverable: {} (shown under the first)",
                ids.join(", ")
            ));
        }
        if let (Some(others), Some(r)) = (board.duplicates.get(rel), e.report.as_mut()) {
            let paths: Vec<_> = others.iter().map(|o| root.join(o.as_path())).collect();
            crate::duplicates::add_to(r, crate::duplicates::warning(&paths));
        }
        files.push(e);
    }
    files.sort_by(|a, b| a.file.relative_path.cmp(&b.file.relative_path));
    let project = &plan.plan.project;
    Ok(RunReport {
        schema_version: crate::SCHEMA_VERSION,
        tool: format!("signoff {}", info.tool_version),
        command: "check".into(),
        tool_version: info.tool_version,
        finished_at: info.finished_at.unwrap_or_else(|| info.started_at.clone()),
        started_at: info.started_at,
        user: Some(info.user),
        host: info.host,
        roots: vec![board.root.to_string_lossy().into_owned()],
        project: Some(project.title.clone()),
        distributor: project.distributor.clone(),
        policy,
        profiles: profiles
            .values()
            .map(|(p, _)| ProfileRef::from_profile(p))
            .collect(),
        files,
        board: Some(board.deliverables.clone()),
        branding: Default::default(),
    })
}

/// The entry of one file: its stored detail moved to where the file is now
/// (the detail is keyed by content, not path), or what the run knows.
fn file_entry(
    root: &Path,
    rel: &RelPath,
    det: &RunFileDetail,
    profiles: Vec<String>,
) -> Result<FileEntry, String> {
    let abs_path = root.join(rel.as_path());
    let (abs, path_hex) = crate::probe::display_path(&abs_path);
    let rel_shown = rel.display();
    let detail: Option<FileResult> = match &det.detail_json {
        Some(j) => Some(
            serde_json::from_str(j)
                .map_err(|e| format!("the detail of {rel_shown} is unreadable: {e}"))?,
        ),
        None => None,
    };
    if let Some(mut c) = detail {
        c.scanned.path = abs.clone();
        c.scanned.path_hex = path_hex;
        c.scanned.relative_path = rel_shown;
        if let Some(r) = &mut c.report {
            r.path = abs_path.clone();
        }
        return Ok(FileEntry {
            file: c.scanned,
            report: c.report,
            audio: c.audio,
            picture: c.picture,
            captions: c.captions,
            sha256: det.sha256.clone(),
            deliverable: None,
        });
    }
    let problem = match (&det.sha256, &det.problem) {
        (None, p) => Some(FileProblem::new(
            ProblemKind::Unreadable,
            p.clone()
                .unwrap_or_else(|| "the file could not be read".into()),
        )),
        (Some(_), _) => None,
    };
    let report = match &problem {
        Some(p) if !profiles.is_empty() => Some(FileReport::unreadable(
            abs_path.clone(),
            profiles,
            p.clone(),
        )),
        _ => None,
    };
    let size_bytes = std::fs::metadata(&abs_path).map_or(0, |m| m.len());
    Ok(FileEntry {
        file: ScannedFile {
            path: abs,
            path_hex,
            relative_path: rel_shown,
            size_bytes,
            modified_unix_s: None,
            kind: FileKind::Unknown,
            format: None,
            summary: if problem.is_some() {
                "could not be read".into()
            } else {
                NO_DETAIL.into()
            },
            status: if problem.is_some() {
                Status::Error
            } else {
                Status::Warning
            },
            warnings: if problem.is_some() {
                Vec::new()
            } else {
                vec![NO_DETAIL.into()]
            },
            problem,
            link: None,
            media: None,
            ffmpeg_log: Vec::new(),
        },
        report,
        audio: None,
        captions: None,
        picture: None,
        sha256: det.sha256.clone(),
        deliverable: None,
    })
}
