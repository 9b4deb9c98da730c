//! Duplicate content in one run: files with the same SHA-256 (and more than zero bytes) each get a warning naming the others.
//!
//! A pure function over finished results ([`findings`]), plus the size
//! pre-filter that decides which files need hashing at all ([`candidates`]):
//! only files that share their size with another can share their content.

use crate::board::FileOutcome;
use crate::check::FileResult;
use crate::paths::RelPath;
use crate::spec::Verdict;
use crate::spec::{Finding, Severity, Status};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The rule id of the duplicate warning (under the kind checks' profile).
pub const RULE_ID: &str = "content.duplicate";

/// Paths named in one duplicate message at most; the rest are counted.
const NAMED: usize = 3;

/// Indexes of the items whose size (> 0) another item shares: the only ones
/// that can have a duplicate.
pub fn candidates(sizes: &[u64]) -> BTreeSet<usize> {
    let mut by_size: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for (i, &s) in sizes.iter().enumerate() {
        if s > 0 {
            by_size.entry(s).or_default().push(i);
        }
    }
    by_size
        .into_values()
        .filter(|v| v.len() > 1)
        .flatten()
        .collect()
}

/// One file of the run: its path, size and SHA-256 (when read).
#[derive(Debug, Clone, Copy)]
pub struct Content<'a> {
    /// The file.
    pub path: &'a Path,
    /// Its size in bytes.
    pub size_bytes: u64,
    /// Its SHA-256, when it was hashed.
    pub sha256: Option<&'a str>,
}

/// The duplicate warning of every file that has the same content as another
/// file of `files` (same SHA-256, more than zero bytes), by index.
pub fn findings(files: &[Content]) -> BTreeMap<usize, Finding> {
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, f) in files.iter().enumerate() {
        if let (Some(sha), true) = (f.sha256, f.size_bytes > 0) {
            groups.entry(sha).or_default().push(i);
        }
    }
    let mut out = BTreeMap::new();
    for members in groups.into_values() {
        let paths: Vec<&Path> = members.iter().map(|&j| files[j].path).collect();
        for &i in &members {
            if let Some(f) = finding_among(files[i].path, &paths) {
                out.insert(i, f);
            }
        }
    }
    out
}

/// The warning for `own` among the files of one content (`all`, in run
/// order, `own` included), or `None` when no other file has it (a file
/// named twice is not its own duplicate).
fn finding_among(own: &Path, all: &[&Path]) -> Option<Finding> {
    let mut others: Vec<&Path> = Vec::new();
    for p in all {
        if *p != own && !others.contains(p) {
            others.push(p);
        }
    }
    (!others.is_empty()).then(|| finding(&others))
}

/// Streams results in run order, holding back each file that may have a
/// duplicate until every file of its size is done, so that what streams
/// carries the same duplicate warnings as [`findings`] gives at the end.
pub struct Stream {
    sizes: Vec<u64>,
    candidates: BTreeSet<usize>,
    remaining: BTreeMap<u64, usize>,
    next: usize,
    held: std::collections::VecDeque<(usize, FileResult)>,
    by_sha: BTreeMap<String, Vec<PathBuf>>,
}

impl Stream {
    /// For a run whose items have these sizes (0 for an item that cannot be read).
    pub fn new(sizes: Vec<u64>) -> Self {
        let candidates = candidates(&sizes);
        let mut remaining = BTreeMap::new();
        for &i in &candidates {
            *remaining.entry(sizes[i]).or_insert(0) += 1;
        }
        Stream {
            sizes,
            candidates,
            remaining,
            next: 0,
            held: Default::default(),
            by_sha: BTreeMap::new(),
        }
    }

    /// The items that must be hashed to find duplicates.
    pub fn candidates(&self) -> &BTreeSet<usize> {
        &self.candidates
    }

    /// The next result (results come in run order); `emit` sees every
    /// reported result that can go out now, with its duplicate warning.
    pub fn push(&mut self, r: &FileResult, emit: &mut dyn FnMut(&FileResult)) {
        let i = self.next;
        self.next += 1;
        if self.candidates.contains(&i) {
            if let Some(n) = self.remaining.get_mut(&self.sizes[i]) {
                *n -= 1;
            }
        }
        let Some(report) = &r.report else {
            return self.flush(emit);
        };
        if let Some(sha) = content_sha(r) {
            self.by_sha
                .entry(sha.to_string())
                .or_default()
                .push(report.path.clone());
        }
        self.held.push_back((i, r.clone()));
        self.flush(emit);
    }

    fn flush(&mut self, emit: &mut dyn FnMut(&FileResult)) {
        while let Some((i, _)) = self.held.front() {
            let waiting = self.candidates.contains(i)
                && self.remaining.get(&self.sizes[*i]).is_some_and(|&n| n > 0);
            if waiting {
                return;
            }
            let Some((_, mut r)) = self.held.pop_front() else {
                return;
            };
            let found = content_sha(&r).and_then(|sha| {
                let all: Vec<&Path> = self.by_sha[sha].iter().map(PathBuf::as_path).collect();
                r.report
                    .as_ref()
                    .and_then(|rep| finding_among(&rep.path, &all))
            });
            if let (Some(f), Some(rep)) = (found, r.report.as_mut()) {
                add_to(rep, f);
            }
            emit(&r);
        }
    }
}

/// The SHA-256 that duplicate detection compares: a reported, non-empty file's.
fn content_sha(r: &FileResult) -> Option<&str> {
    r.report.as_ref()?;
    (r.scanned.size_bytes > 0).then_some(())?;
    r.sha256.as_deref()
}

/// Adds the duplicate warning to every reported result whose content
/// another reported result of the run has.
pub fn mark(results: &mut [FileResult]) {
    let contents: Vec<Option<Content>> = results
        .iter()
        .map(|r| {
            let sha = content_sha(r)?;
            Some(Content {
                path: &r.report.as_ref()?.path,
                size_bytes: r.scanned.size_bytes,
                sha256: Some(sha),
            })
        })
        .collect();
    let index: Vec<usize> = (0..results.len())
        .filter(|&i| contents[i].is_some())
        .collect();
    let dense: Vec<Content> = contents.into_iter().flatten().collect();
    let found = findings(&dense);
    for (k, f) in found {
        if let Some(rep) = results[index[k]].report.as_mut() {
            add_to(rep, f);
        }
    }
}

/// SHA-256 of no bytes: an empty file is nobody's copy.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The judged, readable files of a planned run that share their content
/// with another: each file → the others, in path order. (The ledger keeps
/// results by content, so this path-dependent warning is never stored: it
/// is added to the board's counts and the reports of each run shown.)
pub fn in_board(files: &BTreeMap<RelPath, FileOutcome>) -> BTreeMap<RelPath, Vec<RelPath>> {
    let mut groups: BTreeMap<&str, Vec<&RelPath>> = BTreeMap::new();
    for (rel, o) in files {
        let judged = matches!(o.verdict, Some(v) if v != Verdict::Unreadable);
        match o.sha256.as_deref() {
            Some(sha) if judged && sha != EMPTY_SHA256 => groups.entry(sha).or_default().push(rel),
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    for members in groups.into_values().filter(|m| m.len() > 1) {
        for &m in &members {
            let others = members
                .iter()
                .filter(|&&o| o != m)
                .map(|&o| o.clone())
                .collect();
            out.insert(m.clone(), others);
        }
    }
    out
}

/// Counts the duplicate warning of every file in `dups` in its outcome
/// (under the kind profile), as [`add_to`] adds it to its report.
pub fn count_in(
    files: &mut BTreeMap<RelPath, FileOutcome>,
    dups: &BTreeMap<RelPath, Vec<RelPath>>,
) {
    for rel in dups.keys() {
        if let Some(o) = files.get_mut(rel) {
            o.warnings += 1;
            o.by_profile
                .entry(crate::kinds::PROFILE.to_string())
                .or_default()
                .warnings += 1;
        }
    }
}

/// The duplicate warning of a file whose content `others` have.
pub fn warning(others: &[PathBuf]) -> Finding {
    let others: Vec<&Path> = others.iter().map(PathBuf::as_path).collect();
    finding(&others)
}

fn finding(others: &[&Path]) -> Finding {
    let mut names: Vec<String> = others
        .iter()
        .take(NAMED)
        .map(|p| crate::paths::RelPath::from_path(p).display())
        .collect();
    if others.len() > NAMED {
        names.push(format!("{} more", others.len() - NAMED));
    }
    let list = names.join(", ");
    Finding {
        profile: crate::kinds::PROFILE.to_string(),
        rule_id: RULE_ID.to_string(),
        severity: Severity::Warning,
        status: Status::Failed,
        stream_index: None,
        programme: None,
        expected: "content unlike every other file of the run".into(),
        actual: format!("same content as {list}"),
        message: format!(
            "same content (SHA-256) as {list}: a byte copy, not a distinct deliverable"
        ),
        source_clause: None,
        position_s: None,
        timecode: None,
    }
}

/// Adds `finding` to `report` (under the kind profile), keeping the verdict
/// the findings imply; an unreadable file's report is left as it is.
pub fn add_to(report: &mut crate::spec::FileReport, finding: Finding) {
    if report.problem.is_some() {
        return;
    }
    let profile = crate::kinds::PROFILE.to_string();
    if !report.profiles.contains(&profile) {
        report.profiles.push(profile);
    }
    let mut findings = std::mem::take(&mut report.findings);
    findings.push(finding);
    let path: PathBuf = std::mem::take(&mut report.path);
    let profiles = std::mem::take(&mut report.profiles);
    *report = crate::spec::FileReport::from_findings(path, profiles, findings);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_shared_sizes_are_candidates() {
        assert_eq!(candidates(&[5, 0, 5, 0, 7]), BTreeSet::from([0, 2]));
    }

    #[test]
    fn every_copy_names_the_others_and_empty_files_are_no_duplicates() {
        let p = |s| Path::new(s);
        let files = [
            Content {
                path: p("a/texted.mov"),
                size_bytes: 9,
                sha256: Some("x"),
            },
            Content {
                path: p("b/empty"),
                size_bytes: 0,
                sha256: Some("e"),
            },
            Content {
                path: p("c/textless.mov"),
                size_bytes: 9,
                sha256: Some("x"),
            },
            Content {
                path: p("d/other.mov"),
                size_bytes: 9,
                sha256: Some("y"),
            },
            Content {
                path: p("e/empty2"),
                size_bytes: 0,
                sha256: Some("e"),
            },
            Content {
                path: p("f/unread"),
                size_bytes: 9,
                sha256: None,
            },
        ];
        let f = findings(&files);
        assert_eq!(f.keys().copied().collect::<Vec<_>>(), [0, 2]);
        assert_eq!(f[&0].actual, "same content as c/textless.mov");
        assert_eq!(f[&2].actual, "same content as a/texted.mov");
        assert_eq!(f[&0].severity, Severity::Warning);
    }
}
