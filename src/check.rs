//! Checking files or folders against spec profiles: scan's classification and
//! pool, then each media file's facts evaluated against every profile.

use crate::error::{Error, FileProblem, ProblemKind};
use crate::inventory::sniff::FileKind;
use crate::inventory::walk::{self, Entry, WalkOptions};
use crate::probe::Status;
use crate::progress::Reporter;
use crate::scan::{self, ScannedFile};
use crate::spec::facts::siblings;
use crate::spec::{check_file, FileFacts, FileReport, Profile};
use std::path::PathBuf;
use std::sync::Arc;

/// How to check.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Files analysed at once.
    pub jobs: usize,
    /// Follow symbolic links when walking folders.
    pub follow_links: bool,
}

/// Checks every path (a file, or every media file of a folder, found by
/// content) against `profiles`. Files that cannot be read are reported,
/// never skipped.
pub fn check_paths(
    paths: &[PathBuf],
    profiles: &[Profile],
    opts: &CheckOptions,
    reporter: Arc<dyn Reporter>,
) -> Result<Vec<FileReport>, Error> {
    let files = check_paths_detailed(paths, profiles, opts, false, reporter, &mut |_| {})?;
    Ok(files.into_iter().map(|f| f.report).collect())
}

/// One checked file with everything found about it: what reports need.
#[derive(Debug, Clone)]
pub struct CheckedFile {
    /// What the file is, with its probe.
    pub scanned: ScannedFile,
    /// Findings and verdict.
    pub report: FileReport,
    /// SHA-256 of the content, when asked for and the file could be read.
    pub sha256: Option<String>,
}

/// [`check_paths`], keeping each file's scan and (with `hash`) its SHA-256,
/// computed in the same pool task. `each` sees every file in path order as
/// soon as it and the files before it are done (for streaming output).
pub fn check_paths_detailed(
    paths: &[PathBuf],
    profiles: &[Profile],
    opts: &CheckOptions,
    hash: bool,
    reporter: Arc<dyn Reporter>,
    each: &mut dyn FnMut(&CheckedFile),
) -> Result<Vec<CheckedFile>, Error> {
    let walk_opts = WalkOptions {
        follow_links: opts.follow_links,
        ..WalkOptions::default()
    };
    let mut entries = Vec::new();
    for path in paths {
        std::fs::symlink_metadata(path).map_err(|source| Error::Path {
            path: path.clone(),
            source,
        })?;
        let explicit = !path.is_dir();
        entries.extend(
            walk::walk(path, &walk_opts)
                .into_iter()
                .map(|e| (e, explicit)),
        );
    }
    reporter.set_total(entries.len() as u64);
    let profiles: Arc<Vec<Profile>> = Arc::new(profiles.to_vec());
    let ids: Vec<String> = profiles.iter().map(|p| p.id.clone()).collect();
    let work_ids = ids.clone();
    let work_profiles = Arc::clone(&profiles);
    let checked = scan::run_pool_each(
        entries,
        opts.jobs,
        reporter,
        move |(e, explicit)| {
            let file = scan::analyse(e);
            let report = check_scanned(e, &file, &work_profiles)
                .or_else(|| unreadable_if_wanted(&file, *explicit, &work_ids))?;
            let sha256 = (hash && report.problem.is_none())
                .then(|| crate::measure::hash::sha256_file(&e.path).ok())
                .flatten();
            Some(CheckedFile {
                scanned: file,
                report,
                sha256,
            })
        },
        |(e, _)| {
            let file = scan::internal_error(e);
            let problem = file.problem.clone()?;
            Some(CheckedFile {
                report: FileReport::unreadable(e.path.clone(), Vec::new(), problem),
                scanned: file,
                sha256: None,
            })
        },
        &mut |c: &Option<CheckedFile>| {
            if let Some(c) = c {
                each(c)
            }
        },
    )?;
    let mut checked: Vec<CheckedFile> = checked.into_iter().flatten().collect();
    for c in checked.iter_mut().filter(|c| c.report.profiles.is_empty()) {
        c.report.profiles = ids.clone();
    }
    Ok(checked)
}

/// A file that is not media is no concern of `check` in a folder (it may be a
/// sidecar), but one named on the command line, or one that cannot be read, is.
fn unreadable_if_wanted(file: &ScannedFile, explicit: bool, ids: &[String]) -> Option<FileReport> {
    let problem = match (&file.problem, explicit) {
        (Some(p), _) => p.clone(),
        (None, true) => FileProblem::new(
            ProblemKind::NotMedia,
            format!(
                "not a media file: the content is {}",
                file.format.as_deref().unwrap_or("not recognised")
            ),
        ),
        (None, false) => return None,
    };
    (explicit || file.kind == FileKind::Media || file.kind == FileKind::Unknown)
        .then(|| FileReport::unreadable(PathBuf::from(&file.path), ids.to_vec(), problem))
}

/// Evaluates a readable media file; `None` for anything else.
fn check_scanned(entry: &Entry, file: &ScannedFile, profiles: &[Profile]) -> Option<FileReport> {
    if file.status == Status::Error || file.kind != FileKind::Media {
        return None;
    }
    let media = file.media.as_ref()?;
    let name = entry
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let sidecars = siblings(&entry.path);
    let facts = FileFacts {
        path: &entry.path,
        file_name: &name,
        size_bytes: entry.size_bytes,
        media: Some(media),
        audio: None,
        sidecars: &sidecars,
    };
    Some(check_file(&facts, profiles))
}
