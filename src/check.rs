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
    let (entries, explicit): (Vec<Entry>, Vec<bool>) = entries.into_iter().unzip();
    let work_profiles = Arc::clone(&profiles);
    let scanned = scan::run_pool(
        entries,
        opts.jobs,
        reporter,
        move |e| {
            let file = scan::analyse(e);
            let report = check_scanned(e, &file, &work_profiles);
            (file, report)
        },
        |e| (scan::internal_error(e), None),
    )?;
    Ok(scanned
        .into_iter()
        .zip(explicit)
        .filter_map(|((file, report), explicit)| {
            report.or_else(|| unreadable_if_wanted(&file, explicit, &ids))
        })
        .collect())
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

/// Checks one walked file against `profiles`, as `check_paths` does for a
/// file named on the command line (used by the plan's runs, which pick the
/// profiles per file).
pub fn check_entry(entry: &Entry, profiles: &[Profile]) -> FileReport {
    let file = scan::analyse(entry);
    let ids: Vec<String> = profiles.iter().map(|p| p.id.clone()).collect();
    check_scanned(entry, &file, profiles)
        .or_else(|| unreadable_if_wanted(&file, true, &ids))
        .unwrap_or_else(|| FileReport::from_findings(entry.path.clone(), ids, Vec::new()))
}
