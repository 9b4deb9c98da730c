//! Checking files or folders against spec profiles: scan's classification and
//! pool, then each media file's facts evaluated against every profile.

use crate::error::{Error, FileProblem, ProblemKind};
use crate::inventory::sniff::FileKind;
use crate::inventory::walk::{self, Entry, WalkOptions};
use crate::measure::model::AudioMeasurements;
use crate::measure::{measure_file, MeasureOptions};
use crate::probe::model::{MediaInfo, StreamKind};
use crate::probe::Status;
use crate::progress::Reporter;
use crate::scan::{self, ScannedFile};
use crate::spec::facts::siblings;
use crate::spec::layout::measurement_layout;
use crate::spec::{check_file, needs_audio_measurement, FileFacts, FileReport, Profile};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;

/// How to check.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Files analysed at once.
    pub jobs: usize,
    /// Follow symbolic links when walking folders.
    pub follow_links: bool,
    /// Names of every audio channel in file order (`--layout`): they group
    /// loudness programmes and name, for the layout rules, the channels
    /// the file does not label.
    pub layout: Option<Vec<String>>,
}

/// Everything `check` learnt about one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckedFile {
    /// Classification and probe.
    pub scanned: ScannedFile,
    /// Findings against the profiles; `None` for files that are no concern
    /// of `check` (a sidecar in a checked folder).
    pub report: Option<FileReport>,
    /// Loudness and audio faults, when a profile asked for them.
    pub audio: Option<AudioMeasurements>,
    /// SHA-256 of the content, when asked for and the file could be read.
    #[serde(default)]
    pub sha256: Option<String>,
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
    let files = check_paths_detailed(paths, profiles, opts, reporter)?;
    Ok(files.into_iter().filter_map(|f| f.report).collect())
}

/// As [`check_paths`], keeping every file's probe and measurements.
pub fn check_paths_detailed(
    paths: &[PathBuf],
    profiles: &[Profile],
    opts: &CheckOptions,
    reporter: Arc<dyn Reporter>,
) -> Result<Vec<CheckedFile>, Error> {
    check_paths_streaming(paths, profiles, opts, false, reporter, &mut |_| {})
}

/// As [`check_paths_detailed`], also hashing each readable reported file
/// (SHA-256, in the same pool task) when `hash`, and calling `each` on every
/// reported file in path order as soon as it and the files before it are
/// done (for streaming output).
pub fn check_paths_streaming(
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
    let work_profiles = Arc::clone(&profiles);
    let given = opts.layout.clone();
    scan::run_pool_each(
        entries,
        opts.jobs,
        reporter,
        move |(e, explicit)| {
            let scanned = scan::analyse(e);
            let (mut report, audio) = check_scanned(e, &scanned, &work_profiles, given.as_deref());
            if report.is_none() {
                report = unreadable_if_wanted(&scanned, *explicit, &ids);
            }
            let sha256 = report
                .as_ref()
                .filter(|r| hash && r.problem.is_none())
                .and_then(|_| crate::measure::hash::sha256_file(&e.path).ok());
            CheckedFile {
                scanned,
                report,
                audio,
                sha256,
            }
        },
        |(e, _)| {
            let scanned = scan::internal_error(e);
            let report = scanned
                .problem
                .clone()
                .map(|p| FileReport::unreadable(e.path.clone(), Vec::new(), p));
            CheckedFile {
                scanned,
                report,
                audio: None,
                sha256: None,
            }
        },
        &mut |c: &CheckedFile| {
            if c.report.is_some() {
                each(c)
            }
        },
    )
}

/// A readable file that is not media is no concern of `check` in a folder
/// (it may be a sidecar); one named on the command line, or any file with a
/// problem (empty, unreadable, a text file named `.wav`…), is.
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
    Some(FileReport::unreadable(
        PathBuf::from(&file.path),
        ids.to_vec(),
        problem,
    ))
}

/// Measures loudness when a profile asks and the file has sound.
fn measure_if_needed(
    entry: &Entry,
    media: &MediaInfo,
    profiles: &[Profile],
    given: Option<&[String]>,
) -> Result<Option<AudioMeasurements>, FileProblem> {
    let has_audio = media.streams.iter().any(|s| s.kind == StreamKind::Audio);
    if !has_audio || !profiles.iter().any(needs_audio_measurement) {
        return Ok(None);
    }
    use crate::measure::model::Grouping;
    let (layout, layout_origin) = match given {
        Some(names) => (Some(names.to_vec()), Grouping::GivenLayout),
        None => (
            profiles.iter().find_map(|p| measurement_layout(p, media)),
            Grouping::ProfileLayout,
        ),
    };
    let opts = MeasureOptions {
        layout,
        layout_origin,
        ..MeasureOptions::default()
    };
    measure_file(&entry.path, media, &opts).map(Some)
}

/// Evaluates a readable media file (measuring its audio when a profile
/// needs it); `(None, None)` for anything else.
fn check_scanned(
    entry: &Entry,
    file: &ScannedFile,
    profiles: &[Profile],
    given: Option<&[String]>,
) -> (Option<FileReport>, Option<AudioMeasurements>) {
    if file.status == Status::Error || file.kind != FileKind::Media {
        return (None, None);
    }
    let Some(media) = file.media.as_ref() else {
        return (None, None);
    };
    let named;
    let media = match given {
        Some(names) => {
            let mut m = media.clone();
            crate::spec::layout::apply_given_layout(&mut m, names);
            named = m;
            &named
        }
        None => media,
    };
    let ids = || profiles.iter().map(|p| p.id.clone()).collect();
    let audio = match measure_if_needed(entry, media, profiles, given) {
        Ok(audio) => audio,
        Err(problem) => {
            return (
                Some(FileReport::unreadable(entry.path.clone(), ids(), problem)),
                None,
            )
        }
    };
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
        audio: audio.as_ref(),
        sidecars: &sidecars,
    };
    (Some(check_file(&facts, profiles)), audio)
}

/// Checks one walked file against `profiles`, as `check_paths` does for a
/// file named on the command line (used by the plan's runs, which pick the
/// profiles per file).
pub fn check_entry(entry: &Entry, profiles: &[Profile]) -> FileReport {
    check_entry_detailed(entry, profiles)
        .report
        .unwrap_or_else(|| FileReport::from_findings(entry.path.clone(), Vec::new(), Vec::new()))
}

/// As [`check_entry`], keeping the probe and the measurements. With no
/// profiles the file is only classified and probed (`report` is `None`).
pub fn check_entry_detailed(entry: &Entry, profiles: &[Profile]) -> CheckedFile {
    let scanned = scan::analyse(entry);
    if profiles.is_empty() {
        return CheckedFile {
            scanned,
            report: None,
            audio: None,
            sha256: None,
        };
    }
    let ids: Vec<String> = profiles.iter().map(|p| p.id.clone()).collect();
    let (report, audio) = check_scanned(entry, &scanned, profiles, None);
    let report = report
        .or_else(|| unreadable_if_wanted(&scanned, true, &ids))
        .unwrap_or_else(|| FileReport::from_findings(entry.path.clone(), ids, Vec::new()));
    CheckedFile {
        scanned,
        report: Some(report),
        audio,
        sha256: None,
    }
}
