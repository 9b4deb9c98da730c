//! The one pipeline's per-file step and its driver: walk → jobs → execute
//! (bounded pool) → [`analyse_file`]. `check` with or without a plan,
//! `approve`, `status` and `report` all see files through it (the plan's run,
//! [`crate::delivery::run`], adds the cache, the ledger and the board).
//!
//! [`analyse_file`] is a plain function from a serialisable [`Job`] to a
//! serialisable [`FileResult`]: it could run in another process. Every
//! source of findings for one file is gathered in [`findings_for`].

use crate::captions::context::CaptionContext;
use crate::error::{Error, FileProblem, ProblemKind};
use crate::inventory::sniff::FileKind;
use crate::inventory::walk::{self, Entry, WalkOptions};
use crate::measure::model::AudioMeasurements;
use crate::measure::MeasureOptions;
use crate::picture::PictureMeasurements;
use crate::probe::model::{MediaInfo, StreamKind};
use crate::probe::Status;
use crate::progress::Reporter;
use crate::scan::{self, AsEntry, ScannedFile};
use crate::spec::artwork::Artwork;
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
    /// Hash each readable reported file (SHA-256) in the same pool task.
    pub hash: bool,
    /// Names of every audio channel in file order (`--layout`): they group
    /// loudness programmes and name, for the layout rules, the channels
    /// the file does not label.
    pub layout: Option<Vec<String>>,
    /// What caption files are checked against (`--master`, `--language`).
    pub captions: Option<CaptionContext>,
    /// Analyse each file in a worker process ([`crate::isolate`]); `None`:
    /// in this process.
    pub isolation: Option<Arc<crate::isolate::Isolation>>,
}

/// Analyses one job in a worker process when `isolation` is given, else
/// here ([`analyse_file`]).
pub fn analyse_job(isolation: Option<&crate::isolate::Isolation>, job: &Job) -> FileResult {
    match isolation {
        Some(iso) => crate::isolate::analyse(iso, job),
        None => {
            crate::isolate::in_process_fault(&job.entry.path);
            analyse_file(job)
        }
    }
}

/// One file to analyse: what the walk found and what to do with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// The walked file.
    pub entry: Entry,
    /// Profiles to check it against (none: classify, probe and hash only).
    pub profiles: Vec<Profile>,
    /// Named on the command line or claimed by a deliverable: a readable
    /// file that is not media is then reported (not media), not left alone.
    pub explicit: bool,
    /// Hash the content (SHA-256).
    pub hash: bool,
    /// The hash the cache already knows (size and mtime unchanged): not hashed again.
    pub cached_sha256: Option<String>,
    /// Channel names given by the user (`check --layout`), in file order.
    #[serde(default)]
    pub layout: Option<Vec<String>>,
    /// For a caption file: the plan's language and the master it captions
    /// (`None`: no plan; the caption rules then have no master).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captions: Option<CaptionContext>,
    /// Measure the picture's shot changes even when no profile asks for
    /// picture QC: the file is the master of captions whose rules need them.
    #[serde(default)]
    pub shot_changes: bool,
}

/// Everything the pipeline learnt about one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileResult {
    /// Classification and probe.
    pub scanned: ScannedFile,
    /// Findings against the profiles and the verdict; `None` for a file that
    /// is no concern of the run (a sidecar in a checked folder, a file of a
    /// deliverable without profiles).
    pub report: Option<FileReport>,
    /// Loudness and audio faults, when a profile asked for them.
    pub audio: Option<AudioMeasurements>,
    /// Picture measurements per video stream, when a profile asked for them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<Vec<PictureMeasurements>>,
    /// A caption file's events against its master, for the report's strip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captions: Option<crate::captions::timeline::CaptionTimeline>,
    /// SHA-256 of the content, when asked for and the file could be read.
    #[serde(default)]
    pub sha256: Option<String>,
    /// Why the content could not be hashed, when it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_problem: Option<String>,
}

/// The former name of [`FileResult`].
pub type CheckedFile = FileResult;

impl AsEntry for Job {
    fn entry(&self) -> &Entry {
        &self.entry
    }
}

/// Walks every path (a file, or every file of a folder), in order; a path
/// that does not exist stops here.
pub fn walk_paths(paths: &[PathBuf], follow_links: bool) -> Result<Vec<(Entry, bool)>, Error> {
    let walk_opts = WalkOptions {
        follow_links,
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
    Ok(entries)
}

/// Runs `work` over `jobs` on the bounded pool, in order, calling `each` on
/// every result as soon as it and those before it are done. A job that
/// panics becomes `on_panic(job)`: reported, never lost.
pub fn execute<T: Send + 'static>(
    jobs: Vec<Job>,
    workers: usize,
    reporter: Arc<dyn Reporter>,
    work: impl Fn(&Job) -> T + Send + Sync + 'static,
    on_panic: fn(&Job) -> T,
    each: &mut dyn FnMut(&T),
) -> Result<Vec<T>, Error> {
    reporter.add_total(jobs.len() as u64);
    scan::run_pool_each(jobs, workers, reporter, work, on_panic, each)
}

/// `check PATH… --spec …`: every path walked, every file analysed against
/// `profiles`; `each` sees every reported file in path order as soon as it
/// is done (for streaming output). Files that cannot be read are reported,
/// never skipped; readable non-media files found in a folder are left alone.
pub fn check_files(
    paths: &[PathBuf],
    profiles: &[Profile],
    opts: &CheckOptions,
    reporter: Arc<dyn Reporter>,
    each: &mut dyn FnMut(&FileResult),
) -> Result<Vec<FileResult>, Error> {
    let mut jobs: Vec<Job> = walk_paths(paths, opts.follow_links)?
        .into_iter()
        .map(|(entry, explicit)| Job {
            entry,
            profiles: profiles.to_vec(),
            explicit,
            hash: opts.hash,
            cached_sha256: None,
            layout: opts.layout.clone(),
            captions: opts.captions.clone(),
            shot_changes: false,
        })
        .collect();
    // Files that share their size with another are hashed, so that byte
    // copies are found (crate::duplicates).
    let sizes = jobs.iter().map(|j| j.entry.size_bytes).collect();
    let mut stream = crate::duplicates::Stream::new(sizes);
    for &i in stream.candidates() {
        jobs[i].hash = true;
    }
    let isolation = opts.isolation.clone();
    let mut all = execute(
        jobs,
        opts.jobs,
        reporter,
        move |job: &Job| analyse_job(isolation.as_deref(), job),
        panicked,
        &mut |r: &FileResult| stream.push(r, each),
    )?;
    crate::duplicates::mark(&mut all);
    Ok(all.into_iter().filter(|r| r.report.is_some()).collect())
}

/// The result of a job whose analysis panicked: unreadable, with the reason.
pub fn panicked(job: &Job) -> FileResult {
    failed(
        job,
        ProblemKind::Corrupt,
        "internal error while analysing this file (please report it)",
    )
}

/// The result of a job whose analysis could not finish: unreadable, with
/// why. It carries no hash, even one the cache knows: a result without a
/// hash is never cached, so the next run analyses the file again (a crash
/// or a stop may not happen twice: a busy machine, a limit since raised),
/// and the file's board is the same whatever the cache knew.
pub fn failed(job: &Job, kind: ProblemKind, why: &str) -> FileResult {
    let scanned = scan::analysis_failed(&job.entry, FileProblem::new(kind, why));
    let report = scanned
        .problem
        .clone()
        .map(|p| FileReport::unreadable(job.entry.path.clone(), ids(&job.profiles), p));
    FileResult {
        scanned,
        report,
        audio: None,
        picture: None,
        captions: None,
        sha256: None,
        hash_problem: None,
    }
}

/// Analyses one file: classify and probe it, hash it (unless the cache
/// knows its hash), measure its audio when a profile asks, and gather its
/// findings. Never panics on content.
pub fn analyse_file(job: &Job) -> FileResult {
    let entry = &job.entry;
    // The content of a large file is hashed on its own thread while the
    // file is probed and measured: the two reads meet in the page cache,
    // and neither waits for the other. A small one is hashed first on this
    // thread: starting a thread would cost more than reading it twice.
    std::thread::scope(|scope| {
        let hashing = if entry.size_bytes < HASH_INLINE_BELOW_BYTES {
            Hashing::Done(hash(job))
        } else {
            Hashing::Beside(scope.spawn(|| hash(job)))
        };
        let scanned = scan::analyse(entry);
        if let Some(d) = scanned.media.as_ref().and_then(|m| m.container.duration_s) {
            crate::progress::duration(d);
        }
        let mut result = FileResult {
            scanned,
            report: None,
            audio: None,
            picture: None,
            captions: None,
            sha256: None,
            hash_problem: None,
        };
        let measured = measure_for(job, &result);
        let (sha256, hash_problem) = match hashing {
            Hashing::Done(done) => done,
            Hashing::Beside(thread) => thread
                .join()
                .unwrap_or_else(|_| (None, Some("internal error while hashing the file".into()))),
        };
        result.sha256 = sha256;
        result.hash_problem = hash_problem;
        let (report, measured) = findings_for(job, &result, measured);
        result.report = report;
        result.audio = measured.audio;
        result.picture = measured.picture;
        result.captions = measured.captions;
        result
    })
}

/// Files smaller than this are hashed on the analysing thread, before
/// the analysis; larger ones on a thread of their own beside it.
const HASH_INLINE_BELOW_BYTES: u64 = 4 << 20;

/// A file's SHA-256 (or why there is none): hashed already, or on its way.
enum Hashing<'scope> {
    Done((Option<String>, Option<String>)),
    Beside(std::thread::ScopedJoinHandle<'scope, (Option<String>, Option<String>)>),
}

fn hash(job: &Job) -> (Option<String>, Option<String>) {
    if let Some(s) = &job.cached_sha256 {
        return (Some(s.clone()), None);
    }
    if !job.hash {
        return (None, None);
    }
    if let Some(p) = &job.entry.problem {
        return (None, Some(p.message.clone()));
    }
    match crate::measure::hash::sha256_file(&job.entry.path) {
        Ok(s) => (Some(s), None),
        Err(p) => (None, Some(p.message)),
    }
}

/// Where every source of findings on one file is gathered: the job's
/// profiles ([`profile_findings`]), then the checks the file's kind implies
/// ([`crate::kinds`]) for every file the run judges: one named or claimed
/// by a deliverable (with or without profiles), or checked against
/// profiles. A readable file of a folder that no profile concerns (a
/// sidecar) is reported only when a kind check fails on it.
pub fn findings_for(
    job: &Job,
    done: &FileResult,
    decoded: Decoded,
) -> (Option<FileReport>, Measured) {
    let (report, measured) = profile_findings(job, done, decoded);
    let file = &done.scanned;
    let path = &job.entry.path;
    let judged = job.explicit || !job.profiles.is_empty();
    let report = match report {
        Some(r) if judged => Some(crate::kinds::with_kind_checks(r, file)),
        Some(r) => Some(r),
        None if job.explicit => Some(crate::kinds::kind_report(path, file, ids(&job.profiles))),
        None if judged => crate::kinds::failing_kind_report(path, file),
        None => None,
    };
    (report, measured)
}

/// What the one decode of a file measured for its profiles, or why the
/// file could not be measured (then it is unreadable).
pub type Decoded = Result<Measured, FileProblem>;

/// Measures what the job's profiles need of a readable media file (the
/// one decode of [`crate::analyse`]); nothing for any other file.
pub fn measure_for(job: &Job, done: &FileResult) -> Decoded {
    let file = &done.scanned;
    let media = match (file.status, file.kind, file.media.as_ref()) {
        (Status::Error, _, _) => return Ok(Measured::default()),
        (_, FileKind::Media, Some(media)) if !job.profiles.is_empty() => named_media(job, media),
        _ => return Ok(Measured::default()),
    };
    let audio_opts = audio_options(job, &media);
    let picture_opts = picture_options(job);
    let analysed = crate::analyse::analyse_media(
        &job.entry.path,
        &media,
        audio_opts.as_ref(),
        picture_opts.as_ref(),
    );
    Ok(Measured {
        audio: analysed.audio.transpose()?,
        picture: analysed.picture,
        captions: None,
    })
}

/// The probe's media with the channel names the user gave (`--layout`).
fn named_media(job: &Job, media: &MediaInfo) -> MediaInfo {
    let mut m = media.clone();
    if let Some(names) = &job.layout {
        crate::spec::layout::apply_given_layout(&mut m, names);
    }
    m
}

/// What was measured on a file for its profiles.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Measured {
    /// Loudness and audio faults.
    pub audio: Option<AudioMeasurements>,
    /// The picture stage, per video stream.
    pub picture: Option<Vec<PictureMeasurements>>,
    /// A caption file's events against its master.
    pub captions: Option<crate::captions::timeline::CaptionTimeline>,
}

/// The findings of the job's profiles: a file that cannot be read is
/// unreadable whatever was asked; a readable media file is evaluated
/// against the job's profiles (its audio measured when one needs it); a
/// readable non-media file named explicitly with profiles is reported as
/// not media.
fn profile_findings(
    job: &Job,
    done: &FileResult,
    decoded: Decoded,
) -> (Option<FileReport>, Measured) {
    let file = &done.scanned;
    let path = job.entry.path.clone();
    let ids = || ids(&job.profiles);
    if let Some(problem) = unreadable(done) {
        return (
            Some(FileReport::unreadable(path, ids(), problem)),
            Measured::default(),
        );
    }
    if job.profiles.is_empty() {
        return (None, Measured::default());
    }
    match (file.kind, file.media.as_ref()) {
        // a folder's media files are no concern of caption-only profiles
        (FileKind::Media, Some(media))
            if job.explicit || job.profiles.iter().any(has_media_rules) =>
        {
            check_media(job, file, media, decoded)
        }
        (FileKind::Caption, _) if job.profiles.iter().any(has_caption_rules) => {
            check_captions(job, file)
        }
        _ if judges_artwork(job, file) => (Some(check_artwork(job, file)), Measured::default()),
        _ if job.explicit => {
            let problem = FileProblem::new(
                ProblemKind::NotMedia,
                format!(
                    "not a media file: the content is {}",
                    file.format.as_deref().unwrap_or("not recognised")
                ),
            );
            (
                Some(FileReport::unreadable(path, ids(), problem)),
                Measured::default(),
            )
        }
        _ => (None, Measured::default()),
    }
}

/// Why the file could not be read, if it could not (probe or hash).
fn unreadable(done: &FileResult) -> Option<FileProblem> {
    if done.scanned.status == Status::Error {
        return Some(done.scanned.problem.clone().unwrap_or_else(|| {
            FileProblem::new(ProblemKind::Unreadable, "the file could not be read")
        }));
    }
    done.hash_problem
        .as_ref()
        .map(|m| FileProblem::new(ProblemKind::Unreadable, m.clone()))
}

fn ids(profiles: &[Profile]) -> Vec<String> {
    profiles.iter().map(|p| p.id.clone()).collect()
}

/// The audio measurement's settings, when a profile asks for it and the
/// file has sound.
fn audio_options(job: &Job, media: &MediaInfo) -> Option<MeasureOptions> {
    let has_audio = media.streams.iter().any(|s| s.kind == StreamKind::Audio);
    if !has_audio || !job.profiles.iter().any(needs_audio_measurement) {
        return None;
    }
    use crate::measure::model::Grouping;
    let (layout, layout_origin) = match &job.layout {
        Some(names) => (Some(names.clone()), Grouping::GivenLayout),
        None => (
            job.profiles
                .iter()
                .find_map(|p| measurement_layout(p, media)),
            Grouping::ProfileLayout,
        ),
    };
    Some(MeasureOptions {
        layout,
        layout_origin,
        ..MeasureOptions::default()
    })
}

/// Evaluates a readable media file against the job's profiles, from what
/// its decode measured.
fn check_media(
    job: &Job,
    file: &ScannedFile,
    media: &MediaInfo,
    decoded: Decoded,
) -> (Option<FileReport>, Measured) {
    let entry = &job.entry;
    let measured = match decoded {
        Ok(m) => m,
        Err(problem) => {
            return (
                Some(FileReport::unreadable(
                    entry.path.clone(),
                    ids(&job.profiles),
                    problem,
                )),
                Measured::default(),
            )
        }
    };
    let media = named_media(job, media);
    let name = entry
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let sidecars = siblings(&entry.path);
    let artwork = Artwork {
        content_format: file.format.clone(),
        ..Artwork::default()
    };
    let facts = FileFacts {
        path: &entry.path,
        file_name: &name,
        size_bytes: entry.size_bytes,
        media: Some(&media),
        audio: measured.audio.as_ref(),
        sidecars: &sidecars,
        picture: measured.picture.as_deref(),
        captions: None,
        artwork: Some(&artwork),
    };
    let report = check_file(&facts, &job.profiles);
    (Some(report), measured)
}

/// Whether the job's `[image]` / `[document]` rules judge this readable
/// file that is not media: any such file named or claimed; in a folder,
/// only the images or PDFs the rules are about.
fn judges_artwork(job: &Job, file: &ScannedFile) -> bool {
    use crate::spec::artwork::{judges_found, judges_non_media};
    match job.explicit {
        true => judges_non_media(&job.profiles),
        false => judges_found(file.kind, file.format.as_deref(), &job.profiles),
    }
}

/// Evaluates a readable file that is not media (key art, a cue sheet)
/// against profiles with `[image]` or `[document]` rules: its headers are
/// read for what they ask ([`Artwork::read`]); media rules are not
/// evaluated ("the file was not probed").
fn check_artwork(job: &Job, file: &ScannedFile) -> FileReport {
    let entry = &job.entry;
    let name = entry
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let sidecars = siblings(&entry.path);
    let artwork = Artwork::read(
        &entry.path,
        file.format.as_deref(),
        file.kind == FileKind::Image,
        &job.profiles,
    );
    let facts = FileFacts {
        path: &entry.path,
        file_name: &name,
        size_bytes: entry.size_bytes,
        media: None,
        audio: None,
        sidecars: &sidecars,
        picture: None,
        artwork: Some(&artwork),
        captions: None,
    };
    check_file(&facts, &job.profiles)
}

/// The picture stage's settings: every detector a profile's picture rules
/// read (shot changes among them), else the shot changes alone for the
/// master of captions that need them, else none.
fn picture_options(job: &Job) -> Option<crate::picture::PictureOptions> {
    if job
        .profiles
        .iter()
        .any(crate::spec::needs_picture_measurement)
    {
        return Some(crate::spec::picture::picture_options(&job.profiles));
    }
    job.shot_changes
        .then(crate::picture::PictureOptions::shots_only)
}

/// Whether a profile has rules other than caption rules (a media file in
/// a checked folder is left alone by profiles with caption rules only).
pub fn has_media_rules(p: &Profile) -> bool {
    p.groups()
        .iter()
        .any(|(group, rules)| *group != "captions" && !rules.is_empty())
}

/// Whether a profile has `[captions]` rules (a caption file is checked
/// against those profiles only).
pub fn has_caption_rules(p: &Profile) -> bool {
    !p.captions.is_empty()
}

/// Evaluates a readable caption file against the job's profiles that have
/// caption rules: parsed (read-only, at most
/// [`CAPTION_PARSE_LIMIT_BYTES`]), with its context.
fn check_captions(job: &Job, file: &ScannedFile) -> (Option<FileReport>, Measured) {
    let entry = &job.entry;
    let profiles: Vec<Profile> = job
        .profiles
        .iter()
        .filter(|p| has_caption_rules(p))
        .cloned()
        .collect();
    let captions = crate::spec::captions::CaptionFacts {
        doc: parse_captions(&entry.path, file.format.as_deref()),
        context: job.captions.clone().unwrap_or_default(),
    };
    let name = entry
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let facts = FileFacts {
        path: &entry.path,
        file_name: &name,
        size_bytes: entry.size_bytes,
        media: None,
        audio: None,
        sidecars: &[],
        picture: None,
        captions: Some(&captions),
        artwork: None,
    };
    let measured = Measured {
        captions: crate::spec::captions::timeline(&profiles, &captions),
        ..Measured::default()
    };
    (Some(check_file(&facts, &profiles)), measured)
}

/// The caption file parsed, or why it cannot be (in words, located).
fn parse_captions(
    path: &std::path::Path,
    format: Option<&str>,
) -> Result<crate::captions::CaptionDoc, String> {
    use crate::captions::CaptionFormat as F;
    let format = match format {
        Some("srt") => F::Srt,
        Some("webvtt") => F::Webvtt,
        Some("ttml") => F::Ttml,
        Some("scc") => F::Scc,
        Some("ebu-stl") => F::EbuStl,
        other => {
            return Err(format!(
                "not a caption format signoff parses: {}",
                other.unwrap_or("unknown")
            ))
        }
    };
    let limit = CAPTION_PARSE_LIMIT_BYTES;
    let bytes = read_limited(path, limit)
        .map_err(|e| {
            let words = crate::inventory::sniff::io_words(&e);
            format!("the {} file cannot be read: {words}", format.label())
        })?
        .ok_or_else(|| {
            format!("the file is over {limit} bytes; captions are parsed up to {limit}")
        })?;
    crate::captions::parse(format, &bytes)
        .map_err(|p| format!("the {} file does not parse: {p}", format.label()))
}

/// Largest caption file the caption rules parse (as the kind check).
pub const CAPTION_PARSE_LIMIT_BYTES: u64 = 64 * 1024 * 1024;

/// The whole file, read-only, when it is at most `limit` bytes (`None` when larger).
fn read_limited(path: &std::path::Path, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}
