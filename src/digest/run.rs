//! `hash`: digests of every file under the given paths on the bounded pool, and `hash -c`: a checksum list checked against the files it names.

use super::sidecar::{self, LineError, Sidecar};
use super::{digest_file, Algo, DigestError, Digests};
use crate::error::{Error, FileProblem};
use crate::inventory::walk::{self, Entry, LinkInfo, WalkOptions};
use crate::probe::display_path;
use crate::progress::Reporter;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The largest checksum list read (a list of millions of files is far smaller).
pub const MAX_LIST_BYTES: u64 = 256 << 20;

/// How to hash.
#[derive(Debug, Clone)]
pub struct HashOptions {
    /// The algorithms (at least one).
    pub algos: Vec<Algo>,
    /// Follow symbolic links in folders.
    pub follow_links: bool,
    /// Files hashed at once.
    pub jobs: usize,
}

/// One file of `hash`.
#[derive(Debug, Clone, Serialize)]
pub struct HashedFile {
    /// The path as reached from the argument (lossy UTF-8).
    pub path: String,
    /// The raw path bytes in hex, only when the name is not valid UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_hex: Option<String>,
    /// The exact path.
    #[serde(skip)]
    pub raw_path: PathBuf,
    /// Bytes hashed, when the file was read.
    pub size_bytes: Option<u64>,
    /// Every requested digest (empty when the file could not be hashed).
    pub digests: Digests,
    /// Why the file has no digests.
    pub problem: Option<FileProblem>,
    /// Why the file was not hashed although nothing is wrong with it (a
    /// symbolic link not followed).
    pub skipped: Option<String>,
}

/// Hashes every file under `paths` (files or folders, walked as `scan`
/// walks), `jobs` at a time, in walk order; `each` sees every result as soon
/// as it and those before it are done. A path that does not exist is an
/// error before anything is read.
pub fn hash_paths(
    paths: &[PathBuf],
    opts: &HashOptions,
    reporter: Arc<dyn Reporter>,
    each: &mut dyn FnMut(&HashedFile),
) -> Result<Vec<HashedFile>, Error> {
    let walk_opts = WalkOptions {
        follow_links: opts.follow_links,
        ..WalkOptions::default()
    };
    let mut entries = Vec::new();
    for p in paths {
        std::fs::symlink_metadata(p).map_err(|source| Error::Path {
            path: p.clone(),
            source,
        })?;
        entries.extend(walk::walk(p, &walk_opts));
    }
    reporter.add_total(entries.len() as u64);
    let algos = opts.algos.clone();
    crate::scan::run_pool_each(
        entries,
        opts.jobs,
        reporter,
        move |e: &Entry| hash_entry(e, &algos),
        hash_panicked,
        each,
    )
}

fn hashed(entry: &Entry) -> HashedFile {
    let (path, path_hex) = display_path(&entry.path);
    HashedFile {
        path,
        path_hex,
        raw_path: entry.path.clone(),
        size_bytes: None,
        digests: Digests::new(),
        problem: None,
        skipped: None,
    }
}

fn hash_entry(entry: &Entry, algos: &[Algo]) -> HashedFile {
    let mut out = hashed(entry);
    if let Some(p) = &entry.problem {
        out.problem = Some(p.clone());
        return out;
    }
    if let Some(LinkInfo::NotFollowed { target }) = &entry.link {
        out.skipped = Some(format!(
            "symbolic link to {}, not followed (use --follow-links)",
            target.to_string_lossy()
        ));
        return out;
    }
    match digest_file(&entry.path, algos) {
        Ok(d) => {
            out.size_bytes = Some(d.size_bytes);
            out.digests = d.digests;
        }
        Err(e) => out.problem = Some(e.to_problem()),
    }
    out
}

fn hash_panicked(entry: &Entry) -> HashedFile {
    let mut out = hashed(entry);
    out.problem = Some(FileProblem::new(
        crate::error::ProblemKind::Unreadable,
        "internal error while hashing this file (please report it)",
    ));
    out
}

/// The answer for one line of a checksum list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineStatus {
    /// The file's digest equals the list's.
    Ok,
    /// The file's digest differs from the list's.
    Failed,
    /// The file named is not there.
    Missing,
    /// The file could not be read (permissions, not a regular file, I/O).
    Unreadable,
    /// The file changed while it was read: no digest to compare.
    ChangedDuringRead,
}

impl LineStatus {
    /// The word `hash -c` prints (`OK`, `FAILED` …).
    pub fn word(self) -> &'static str {
        match self {
            LineStatus::Ok => "OK",
            LineStatus::Failed => "FAILED",
            LineStatus::Missing => "FAILED (missing)",
            LineStatus::Unreadable => "FAILED (unreadable)",
            LineStatus::ChangedDuringRead => "FAILED (changed while read)",
        }
    }
}

/// One checked line.
#[derive(Debug, Clone, Serialize)]
pub struct CheckedLine {
    /// Line number in the list.
    pub line: usize,
    /// The file checked (as resolved: the list's folder joined with the
    /// listed path; lossy UTF-8).
    pub path: String,
    /// The raw path bytes in hex, only when the name is not valid UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_hex: Option<String>,
    /// The exact path.
    #[serde(skip)]
    pub raw_path: PathBuf,
    /// The algorithm.
    pub algo: Algo,
    /// The digest the list gives.
    pub expected: String,
    /// The file's digest, when it was read.
    pub actual: Option<String>,
    /// The answer.
    pub status: LineStatus,
    /// Why, when not `ok` and not a plain mismatch.
    pub message: Option<String>,
}

/// A line of the list that is not a checksum line.
#[derive(Debug, Clone, Serialize)]
pub struct MalformedLine {
    /// Line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl From<&LineError> for MalformedLine {
    fn from(e: &LineError) -> Self {
        MalformedLine {
            line: e.line,
            message: e.message.clone(),
        }
    }
}

/// Counts of a list check.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckCounts {
    /// Lines whose file matched.
    pub ok: usize,
    /// Lines whose file differs.
    pub failed: usize,
    /// Lines whose file is missing.
    pub missing: usize,
    /// Lines whose file could not be read or changed while read.
    pub unreadable: usize,
    /// Lines that are not checksum lines.
    pub malformed: usize,
}

/// `hash -c LIST`.
#[derive(Debug, Clone, Serialize)]
pub struct ListCheck {
    /// The list (lossy UTF-8).
    pub list: String,
    /// The folder listed paths are relative to.
    pub base: String,
    /// Every checksum line, in list order.
    pub lines: Vec<CheckedLine>,
    /// Lines that are not checksum lines (they fail the check).
    pub malformed: Vec<MalformedLine>,
    /// Counts.
    pub counts: CheckCounts,
}

impl ListCheck {
    /// Whether every line is a checksum line and every file matched.
    pub fn all_ok(&self) -> bool {
        self.malformed.is_empty() && self.lines.iter().all(|l| l.status == LineStatus::Ok)
    }
}

/// How to check a list.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The algorithm of untagged lines (else from the list's name or the
    /// digest's length).
    pub algo: Option<Algo>,
    /// The folder relative paths are taken from (default: the list's folder).
    pub base: Option<PathBuf>,
    /// Files hashed at once.
    pub jobs: usize,
}

/// Checks every line of the checksum list at `list`: each file named is read
/// once (every algorithm the list gives for it from that read), read-only.
pub fn check_list(
    list: &Path,
    opts: &CheckOptions,
    reporter: Arc<dyn Reporter>,
) -> Result<ListCheck, Error> {
    let bytes = read_list(list)?;
    let hint = opts.algo.or_else(|| sidecar::algo_from_file_name(list));
    let mut parsed = sidecar::parse(&bytes, hint);
    if list.extension().is_none() {
        bare_digests_are_errors(&mut parsed);
    }
    let base = match &opts.base {
        Some(b) => b.clone(),
        None => match list.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        },
    };
    let targets = targets(list, &base, &parsed);
    let mut groups: BTreeMap<PathBuf, Vec<Algo>> = BTreeMap::new();
    for (path, e) in targets.iter().zip(&parsed.entries) {
        groups.entry(path.clone()).or_default().push(e.algo);
    }
    let items: Vec<(Entry, Vec<Algo>)> = groups
        .into_iter()
        .map(|(path, algos)| (bare_entry(path), algos))
        .collect();
    reporter.add_total(items.len() as u64);
    let results = crate::scan::run_pool_each(
        items,
        opts.jobs,
        reporter,
        |(e, algos): &(Entry, Vec<Algo>)| (e.path.clone(), digest_file(&e.path, algos)),
        |(e, _)| {
            let err = std::io::Error::other("internal error while hashing (please report it)");
            (e.path.clone(), Err(io_error(&e.path, err)))
        },
        &mut |_| {},
    )?;
    let results: BTreeMap<PathBuf, Result<super::FileDigests, DigestError>> =
        results.into_iter().collect();
    let lines: Vec<CheckedLine> = targets
        .iter()
        .zip(&parsed.entries)
        .map(|(path, e)| judge(path, e, &results[path]))
        .collect();
    let malformed: Vec<MalformedLine> = parsed.errors.iter().map(MalformedLine::from).collect();
    Ok(ListCheck {
        list: list.to_string_lossy().into_owned(),
        base: base.to_string_lossy().into_owned(),
        counts: counts(&lines, malformed.len()),
        lines,
        malformed,
    })
}

fn read_list(list: &Path) -> Result<Vec<u8>, Error> {
    let err = |source| Error::Path {
        path: list.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(list).map_err(err)?;
    if !meta.is_file() {
        return Err(err(std::io::Error::other("not a regular file")));
    }
    if meta.len() > MAX_LIST_BYTES {
        return Err(err(std::io::Error::other(format!(
            "{} bytes: larger than any checksum list signoff reads ({MAX_LIST_BYTES} bytes)",
            meta.len()
        ))));
    }
    std::fs::read(list).map_err(err)
}

/// The file each entry names: the listed path under `base` (absolute paths
/// as they are), or for a bare digest the file the list is named after.
fn targets(list: &Path, base: &Path, parsed: &Sidecar) -> Vec<PathBuf> {
    parsed
        .entries
        .iter()
        .map(|e| match &e.path {
            Some(p) => base.join(p.as_path()),
            None => list.with_extension(""),
        })
        .collect()
}

/// A bare digest names the file the list is named after (`clip.wav.md5`);
/// a list without an extension names none.
fn bare_digests_are_errors(parsed: &mut Sidecar) {
    let (bare, named): (Vec<_>, Vec<_>) = std::mem::take(&mut parsed.entries)
        .into_iter()
        .partition(|e| e.path.is_none());
    parsed.entries = named;
    parsed.errors.extend(bare.into_iter().map(|e| LineError {
        line: e.line,
        message: "a digest without a path, in a list whose name names no file (x.wav.md5 names x.wav)"
            .into(),
    }));
    parsed.errors.sort_by_key(|e| e.line);
}

fn bare_entry(path: PathBuf) -> Entry {
    Entry {
        relative_path: path.clone(),
        path,
        size_bytes: 0,
        modified: None,
        link: None,
        problem: None,
        file_id: None,
    }
}

fn io_error(path: &Path, source: std::io::Error) -> DigestError {
    DigestError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn judge(
    path: &Path,
    e: &sidecar::SidecarEntry,
    result: &Result<super::FileDigests, DigestError>,
) -> CheckedLine {
    let (shown, path_hex) = display_path(path);
    let mut line = CheckedLine {
        line: e.line,
        path: shown,
        path_hex,
        raw_path: path.to_path_buf(),
        algo: e.algo,
        expected: e.digest.clone(),
        actual: None,
        status: LineStatus::Ok,
        message: None,
    };
    match result {
        Ok(d) => {
            let actual = d.digests.get(&e.algo).cloned();
            if actual.as_deref() != Some(e.digest.as_str()) {
                line.status = LineStatus::Failed;
            }
            line.actual = actual;
        }
        Err(err) => {
            line.status = match err {
                DigestError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                    LineStatus::Missing
                }
                DigestError::ChangedDuringRead { .. } => LineStatus::ChangedDuringRead,
                _ => LineStatus::Unreadable,
            };
            if line.status != LineStatus::Missing {
                line.message = Some(err.to_problem().message);
            }
        }
    }
    line
}

fn counts(lines: &[CheckedLine], malformed: usize) -> CheckCounts {
    let mut c = CheckCounts {
        malformed,
        ..CheckCounts::default()
    };
    for l in lines {
        match l.status {
            LineStatus::Ok => c.ok += 1,
            LineStatus::Failed => c.failed += 1,
            LineStatus::Missing => c.missing += 1,
            LineStatus::Unreadable | LineStatus::ChangedDuringRead => c.unreadable += 1,
        }
    }
    c
}
