//! Scanning a delivery: walk, classify each file by content, probe media on a bounded pool.
//!
//! Analysis of one file is a plain function, [`analyse`], from a walk entry
//! to a serialisable [`ScannedFile`]; the pool only schedules it.

use crate::error::{Error, FileProblem, ProblemKind};
use crate::ffmpeg_log::LogLine;
use crate::inventory::sniff::{self, FileKind, Sniffed};
use crate::inventory::walk::{self, Entry, LinkInfo, WalkOptions};
use crate::probe::model::MediaInfo;
use crate::probe::{display_path, summary, ProbedFile, Status};
use crate::progress::Reporter;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How to scan.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Follow symbolic links.
    pub follow_links: bool,
    /// Files analysed at once (FFmpeg calls block; this bounds the pool).
    pub jobs: usize,
}

/// One file of a scanned delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScannedFile {
    /// Full path (lossy UTF-8 for display).
    pub path: String,
    /// Raw path bytes in hex, only when the name is not valid UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_hex: Option<String>,
    /// Path relative to the scanned root.
    pub relative_path: String,
    /// Size in bytes.
    pub size_bytes: u64,
    /// Last modification, seconds since the Unix epoch.
    pub modified_unix_s: Option<i64>,
    /// What the file is, by content.
    pub kind: FileKind,
    /// Short format name (`mov`, `srt`, `pdf`…).
    pub format: Option<String>,
    /// One line for people.
    pub summary: String,
    /// `ok`, `warning` or `error`.
    pub status: Status,
    /// What is wrong, when `status` is `error`.
    pub problem: Option<FileProblem>,
    /// Things worth a look.
    pub warnings: Vec<String>,
    /// Set when the file is a symbolic link.
    pub link: Option<LinkInfo>,
    /// Container and stream facts, for media.
    pub media: Option<MediaInfo>,
    /// FFmpeg's warnings and errors for this file.
    pub ffmpeg_log: Vec<LogLine>,
}

/// Counts and totals for one folder (files directly inside it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct FolderSummary {
    /// Folder relative to the root (`.` for the root itself).
    pub folder: String,
    /// Number of files.
    pub files: usize,
    /// Total size in bytes.
    pub size_bytes: u64,
    /// Sum of media durations, seconds.
    pub media_duration_s: f64,
    /// Files per kind.
    pub kinds: BTreeMap<String, usize>,
    /// Files that could not be read.
    pub errors: usize,
}

/// The inventory of a delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    /// The scanned root as given.
    pub root: String,
    /// Every file, sorted by path.
    pub files: Vec<ScannedFile>,
    /// Per-folder counts, sorted by folder.
    pub folders: Vec<FolderSummary>,
    /// Totals over the whole root.
    pub totals: FolderSummary,
}

impl Inventory {
    /// Whether any file could not be read.
    pub fn has_errors(&self) -> bool {
        self.files.iter().any(|f| f.status == Status::Error)
    }
}

/// Scans `root`: walks it, then analyses every file on a pool of `jobs` workers.
pub fn scan(
    root: &Path,
    opts: &ScanOptions,
    reporter: Arc<dyn Reporter>,
) -> Result<Inventory, Error> {
    std::fs::symlink_metadata(root).map_err(|source| Error::Path {
        path: root.to_path_buf(),
        source,
    })?;
    let walk_opts = WalkOptions {
        follow_links: opts.follow_links,
        ..WalkOptions::default()
    };
    let entries = walk::walk(root, &walk_opts);
    reporter.add_total(entries.len() as u64);
    let files = run_pool(entries, opts.jobs, reporter, analyse, internal_error)?;
    Ok(Inventory {
        root: root.to_string_lossy().into_owned(),
        folders: folder_summaries(&files),
        totals: totals(&files),
        files,
    })
}

/// Runs `work` over `entries` on a bounded blocking pool (FFmpeg calls
/// block), keeping their order. A panicking item becomes `on_panic(entry)`:
/// reported, never lost.
pub fn run_pool<T: Send + 'static>(
    entries: Vec<Entry>,
    jobs: usize,
    reporter: Arc<dyn Reporter>,
    work: impl Fn(&Entry) -> T + Send + Sync + 'static,
    on_panic: fn(&Entry) -> T,
) -> Result<Vec<T>, Error> {
    run_pool_each(entries, jobs, reporter, work, on_panic, &mut |_| {})
}

/// [`run_pool`] over any items with a path, calling `each` on every result
/// in order as soon as it and those before it are done.
pub fn run_pool_each<I: AsEntry + Clone + Send + 'static, T: Send + 'static>(
    items: Vec<I>,
    jobs: usize,
    reporter: Arc<dyn Reporter>,
    work: impl Fn(&I) -> T + Send + Sync + 'static,
    on_panic: fn(&I) -> T,
    each: &mut dyn FnMut(&T),
) -> Result<Vec<T>, Error> {
    let sizes = items.iter().map(|i| i.entry().size_bytes);
    reporter.add_total_bytes(sizes.clone().sum(), sizes.max().unwrap_or(0));
    let work = Arc::new(work);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .max_blocking_threads(jobs.max(1))
        .build()
        .map_err(Error::Runtime)?;
    runtime.block_on(async move {
        let tasks: Vec<_> = items
            .into_iter()
            .map(|item| {
                let reporter = Arc::clone(&reporter);
                let work = Arc::clone(&work);
                let fallback = item.clone();
                let task = tokio::task::spawn_blocking(move || {
                    let entry = item.entry();
                    reporter.started(&entry.path);
                    let result = crate::progress::within(&reporter, &entry.path, || work(&item));
                    reporter.advanced(&entry.path, entry.size_bytes);
                    reporter.finished(&entry.path);
                    result
                });
                (task, fallback)
            })
            .collect();
        let mut files = Vec::with_capacity(tasks.len());
        for (task, item) in tasks {
            let result = task.await.unwrap_or_else(|_| on_panic(&item));
            each(&result);
            files.push(result);
        }
        Ok(files)
    })
}

/// Work items of the pool: a walk entry, alone or with more.
pub trait AsEntry {
    /// The walk entry.
    fn entry(&self) -> &Entry;
}

impl AsEntry for Entry {
    fn entry(&self) -> &Entry {
        self
    }
}

impl<X> AsEntry for (Entry, X) {
    fn entry(&self) -> &Entry {
        &self.0
    }
}

/// A file whose analysis panicked: reported, never lost.
pub fn internal_error(entry: &Entry) -> ScannedFile {
    analysis_failed(
        entry,
        FileProblem::new(
            ProblemKind::Corrupt,
            "internal error while analysing this file (please report it)",
        ),
    )
}

/// A file whose analysis could not finish (it panicked, or its worker
/// crashed or was stopped): reported with `problem`, never lost.
pub fn analysis_failed(entry: &Entry, problem: FileProblem) -> ScannedFile {
    failed(
        entry,
        Sniffed {
            kind: FileKind::Unknown,
            format: None,
            note: None,
        },
        problem,
    )
}

/// Analyses one walked file: classify by content, probe media. Never panics on content.
pub fn analyse(entry: &Entry) -> ScannedFile {
    let unknown = Sniffed {
        kind: FileKind::Unknown,
        format: None,
        note: None,
    };
    if let Some(problem) = &entry.problem {
        return failed(entry, unknown, problem.clone());
    }
    if let Some(LinkInfo::NotFollowed { target }) = &entry.link {
        let mut file = base(entry, unknown);
        file.summary = format!(
            "symbolic link to {} (not followed; use --follow-links)",
            target.display()
        );
        return file;
    }
    let name = entry.path.file_name().unwrap_or_default();
    let sniffed = match sniff::sniff_path(&entry.path, entry.size_bytes) {
        Ok(s) => s,
        Err(problem) => return failed(entry, unknown, problem),
    };
    if let Some(problem) = sniff::expected_problem(name, &sniffed, entry.size_bytes) {
        return failed(entry, sniffed, problem);
    }
    let mismatch = sniff::extension_mismatch(name, &sniffed);
    let mut file = if sniffed.kind == FileKind::Media {
        probed(entry, sniffed)
    } else {
        let mut file = base(entry, sniffed.clone());
        file.summary = describe(&sniffed);
        file
    };
    if let Some(m) = mismatch {
        file.warnings.push(m);
        if file.status == Status::Ok {
            file.status = Status::Warning;
        }
    }
    file
}

fn probed(entry: &Entry, sniffed: Sniffed) -> ScannedFile {
    let p = ProbedFile::probe(&entry.path);
    let mut file = base(entry, sniffed);
    file.status = p.status;
    file.summary = match (&p.media, &p.problem) {
        (Some(m), _) => summary::one_line(m),
        (None, Some(problem)) => problem.message.clone(),
        (None, None) => String::new(),
    };
    file.problem = p.problem;
    file.warnings = p.warnings;
    file.media = p.media;
    file.ffmpeg_log = p.ffmpeg_log;
    file
}

fn describe(s: &Sniffed) -> String {
    match (&s.format, &s.note) {
        (Some(f), Some(n)) => format!("{f} ({n})"),
        (Some(f), None) => f.clone(),
        (None, Some(n)) => n.clone(),
        (None, None) => String::new(),
    }
}

fn failed(entry: &Entry, sniffed: Sniffed, problem: FileProblem) -> ScannedFile {
    let mut file = base(entry, sniffed);
    file.status = Status::Error;
    file.summary = problem.message.clone();
    file.problem = Some(problem);
    file
}

fn base(entry: &Entry, sniffed: Sniffed) -> ScannedFile {
    let (path, path_hex) = display_path(&entry.path);
    ScannedFile {
        path,
        path_hex,
        relative_path: entry.relative_path.to_string_lossy().into_owned(),
        size_bytes: entry.size_bytes,
        modified_unix_s: entry.modified.and_then(unix_seconds),
        kind: sniffed.kind,
        format: sniffed.format,
        summary: String::new(),
        status: Status::Ok,
        problem: None,
        warnings: Vec::new(),
        link: entry.link.clone(),
        media: None,
        ffmpeg_log: Vec::new(),
    }
}

fn unix_seconds(t: std::time::SystemTime) -> Option<i64> {
    t.duration_since(std::time::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs() as i64)
}

fn folder_of(f: &ScannedFile) -> String {
    let parent = Path::new(&f.relative_path)
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default();
    if parent.as_os_str().is_empty() {
        ".".into()
    } else {
        parent.to_string_lossy().into_owned()
    }
}

fn add(summary: &mut FolderSummary, f: &ScannedFile) {
    summary.files += 1;
    summary.size_bytes += f.size_bytes;
    summary.media_duration_s += f
        .media
        .as_ref()
        .and_then(|m| m.container.duration_s)
        .unwrap_or(0.0);
    let kind = if f.status == Status::Error {
        "error".to_string()
    } else {
        format!("{:?}", f.kind).to_lowercase()
    };
    *summary.kinds.entry(kind).or_default() += 1;
    summary.errors += usize::from(f.status == Status::Error);
}

fn folder_summaries(files: &[ScannedFile]) -> Vec<FolderSummary> {
    let mut folders: BTreeMap<String, FolderSummary> = BTreeMap::new();
    for f in files {
        let folder = folder_of(f);
        let entry = folders
            .entry(folder.clone())
            .or_insert_with(|| FolderSummary {
                folder,
                ..Default::default()
            });
        add(entry, f);
    }
    folders.into_values().collect()
}

fn totals(files: &[ScannedFile]) -> FolderSummary {
    let mut total = FolderSummary {
        folder: "total".into(),
        ..Default::default()
    };
    for f in files {
        add(&mut total, f);
    }
    total
}
