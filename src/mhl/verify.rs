//! `verify ROOT`: every file of the folder against the newest record of it in the ASC MHL history; read-only, writes nothing.

use super::check::{check_file, FileCheck, State};
use super::history::{self, History, Problem, Recorded};
use super::model::DEFAULT_IGNORES;
use super::tree::{walk, Ignore};
use crate::paths::RelPath;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Why verification could not be made at all.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// No `ascmhl/` folder.
    #[error("{0}: no manifest: no ASC MHL history (ascmhl/), no MHL v1.1 file and no checksum sidecar (.md5, .sha256, SHA256SUMS…); nothing to verify against")]
    NoHistory(String),
    /// The history folder could not be listed.
    #[error("{path}: {source}")]
    Io {
        /// The folder.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The recorded ignore patterns are not valid.
    #[error("{0}")]
    Ignore(String),
}

/// How many files are in each state.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    /// Verified.
    pub verified: usize,
    /// Changed.
    pub changed: usize,
    /// Missing.
    pub missing: usize,
    /// New.
    pub new: usize,
    /// Unreadable.
    pub unreadable: usize,
    /// Unrecordable.
    pub unrecordable: usize,
}

impl Counts {
    /// Tallies `files`.
    pub fn of(files: &[FileCheck]) -> Counts {
        let mut c = Counts::default();
        for f in files {
            *match f.state {
                State::Verified => &mut c.verified,
                State::Changed => &mut c.changed,
                State::Missing => &mut c.missing,
                State::New => &mut c.new,
                State::Unreadable => &mut c.unreadable,
                State::Unrecordable => &mut c.unrecordable,
            } += 1;
        }
        c
    }
}

/// The answer of `verify`.
#[derive(Debug, Serialize)]
pub struct VerifyReport {
    /// What was verified against: `ascmhl` (a v2.0 history), `mhl-1.1`, `sidecar`, or `mhl-1.1+sidecar`.
    pub manifest: String,
    /// The newest generation of the history (0 for a legacy MHL or sidecars).
    pub generation: u64,
    /// The legacy MHL files and sidecars read (empty for an ASC MHL history).
    #[serde(skip_serializing_if = "Vec::is_empty", serialize_with = "displays")]
    pub sources: Vec<RelPath>,
    /// True only when every file verified and the history has no problem.
    pub verified: bool,
    /// Counts by state.
    pub counts: Counts,
    /// What is wrong with the history itself (each one fails verification).
    pub problems: Vec<Problem>,
    /// Every file, by path.
    pub files: Vec<FileCheck>,
    /// With a plan: per approved deliverable, whether what arrived is what was approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approvals: Option<super::arrival::Arrival>,
}

/// Verifies `root` against its ASC MHL history. Opens every file read-only; writes nothing.
pub fn verify(root: &Path) -> Result<VerifyReport, VerifyError> {
    verify_with(root, &BTreeSet::new())
}

/// [`verify`], also taking the SHA-256 of the files in `sha256_for` from the same read.
pub fn verify_with(
    root: &Path,
    sha256_for: &BTreeSet<RelPath>,
) -> Result<VerifyReport, VerifyError> {
    let history = history::load(root).map_err(|source| VerifyError::Io {
        path: history::dir_of(root).display().to_string(),
        source,
    })?;
    let Some(history) = history else {
        return verify_other(root, sha256_for);
    };
    let files = check_tree(root, &history, sha256_for)?;
    let counts = Counts::of(&files);
    Ok(VerifyReport {
        manifest: "ascmhl".into(),
        generation: history.latest(),
        sources: Vec::new(),
        verified: history.problems.is_empty() && counts.verified == files.len(),
        counts,
        problems: history.problems,
        files,
        approvals: None,
    })
}

/// Against legacy MHL v1.1 files and checksum sidecars found in the root.
fn verify_other(root: &Path, sha256_for: &BTreeSet<RelPath>) -> Result<VerifyReport, VerifyError> {
    let own = super::seal::own_files(root);
    let ignore = Ignore::new(root, &ignore_patterns(None, &own)).map_err(VerifyError::Ignore)?;
    let found = super::sources::find(root, &walk(root, &ignore));
    if found.kind.is_empty() {
        return Err(VerifyError::NoHistory(root.display().to_string()));
    }
    let manifests: BTreeSet<&RelPath> = found.files.iter().collect();
    let files: Vec<FileCheck> = check_against(root, &found.recorded, &ignore, sha256_for)
        .into_iter()
        .filter(|f| !manifests.contains(&f.path))
        .collect();
    let counts = Counts::of(&files);
    Ok(VerifyReport {
        manifest: found.kind,
        generation: 0,
        verified: found.problems.is_empty() && counts.verified == files.len(),
        counts,
        problems: found.problems,
        sources: found.files,
        files,
        approvals: None,
    })
}

fn displays<S: serde::Serializer>(paths: &[RelPath], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(paths.iter().map(RelPath::display))
}

/// The patterns a walk of a sealed root ignores: the defaults, the newest generation's, and `extra`.
pub fn ignore_patterns(history: Option<&History>, extra: &[String]) -> Vec<String> {
    let mut out: Vec<String> = DEFAULT_IGNORES.iter().map(|s| s.to_string()).collect();
    let recorded = history.map(History::latest_ignores).unwrap_or_default();
    for p in recorded.iter().chain(extra) {
        if !out.contains(p) {
            out.push(p.clone());
        }
    }
    out
}

fn check_tree(
    root: &Path,
    history: &History,
    sha256_for: &BTreeSet<RelPath>,
) -> Result<Vec<FileCheck>, VerifyError> {
    let patterns = ignore_patterns(Some(history), &[]);
    let ignore = Ignore::new(root, &patterns).map_err(VerifyError::Ignore)?;
    Ok(check_against(
        root,
        &history.recorded(),
        &ignore,
        sha256_for,
    ))
}

/// Every file of the walk against `recorded`: verified or changed (hashed in
/// the recorded algorithms, plus SHA-256 for `sha256_for`, from one read),
/// new (not recorded; hashed only when its SHA-256 is wanted), missing.
pub fn check_against(
    root: &Path,
    recorded: &BTreeMap<RelPath, Recorded>,
    ignore: &Ignore,
    sha256_for: &BTreeSet<RelPath>,
) -> Vec<FileCheck> {
    let tree = walk(root, ignore);
    let mut out = Vec::new();
    for rel in &tree.files {
        let rec = recorded.get(rel);
        let sha = sha256_for.contains(rel);
        out.push(match rec {
            None if !sha => FileCheck::bare(rel.clone(), State::New, Some("not recorded".into())),
            rec => check_file(root, rel, rec, &[], sha),
        });
    }
    for (rel, why) in &tree.skipped {
        out.push(FileCheck::bare(
            rel.clone(),
            State::Unrecordable,
            Some(why.clone()),
        ));
    }
    let on_disk: BTreeSet<&RelPath> = tree.files.iter().collect();
    for (path, rec) in recorded {
        if !on_disk.contains(path) && !ignore.is_ignored(path.as_path(), false) {
            let why = format!("recorded in {}, not in the folder", rec.source);
            let mut c = FileCheck::bare(path.clone(), State::Missing, Some(why));
            c.recorded_generation = (rec.generation > 0).then_some(rec.generation);
            out.push(c);
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}
