//! The checks a file's kind implies, whatever profiles the plan names (or
//! none): the content is what the name says it is, an image has readable
//! dimensions, a PDF parses, a caption file parses.
//!
//! Each checker is one file behind [`KindCheck`]; [`kind_findings`] runs
//! every checker on one file, and [`with_kind_checks`] / [`kind_report`]
//! fold the findings into the file's report under the profile id
//! [`PROFILE`]. Media need no checker here: a media file that cannot be
//! probed or decoded is already unreadable (see [`crate::scan::analyse`]),
//! and an unreadable file stays unreadable.

mod caption;
mod image;
mod naming;
mod pdf;

use crate::error::{FileProblem, ProblemKind};
use crate::inventory::sniff::FileKind;
use crate::inventory::walk::LinkInfo;
use crate::probe::Status as ScanStatus;
use crate::scan::ScannedFile;
use crate::spec::{FileReport, Finding, Severity, Status};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

/// The profile id the kind checks report under (in findings, a report's
/// `profiles`, the board's per-profile counts and JUnit cases).
pub const PROFILE: &str = "kind";

/// Names the current kind checks. It is part of the ledger's cache key, so
/// results stored by older checks are not reused; change it whenever what
/// a checker finds could change.
pub const VERSION: &str = "kind-checks-2";

/// The part of a file's cache key the kind checks add: their version and
/// the file's extension (the naming check judges the name, so two files
/// with the same content and different extensions have different results).
pub fn cache_key(path: &Path) -> String {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    format!("{VERSION}:ext={ext}")
}

/// What the files of a deliverable with `profiles` are judged by: those
/// profiles, then the checks their kind implies.
pub fn judged_by(profiles: &[String]) -> Vec<String> {
    let mut ids = profiles.to_vec();
    if !ids.iter().any(|p| p == PROFILE) {
        ids.push(PROFILE.to_string());
    }
    ids
}

/// One file as the kind checks see it.
pub struct Subject<'a> {
    /// Where to read it (read-only).
    pub path: &'a Path,
    /// What scanning it found (kind and format by content).
    pub scanned: &'a ScannedFile,
    /// The file's report has the caption rule `captions.start_before_end`:
    /// an event ending before it starts is reported there, not twice.
    pub timing_judged: bool,
}

/// A check a file's kind implies.
pub trait KindCheck: Sync {
    /// The findings on `file`; empty when the check does not apply to it.
    fn check(&self, file: &Subject) -> Vec<Finding>;
}

/// Every checker, in the order their findings are reported.
const CHECKS: &[&dyn KindCheck] = &[&naming::Naming, &image::Image, &pdf::Pdf, &caption::Caption];

/// The kind findings on one readable file (none for clutter, for a link
/// that was not followed, or for a file that could not be read).
pub fn kind_findings(path: &Path, scanned: &ScannedFile, timing_judged: bool) -> Vec<Finding> {
    let unfollowed = matches!(scanned.link, Some(LinkInfo::NotFollowed { .. }));
    if problem_of(scanned).is_some() || scanned.kind == FileKind::Clutter || unfollowed {
        return Vec::new();
    }
    let subject = Subject {
        path,
        scanned,
        timing_judged,
    };
    CHECKS.iter().flat_map(|c| c.check(&subject)).collect()
}

/// `report` with the kind checks added: [`PROFILE`] among its profiles and
/// the kind findings after the profiles' own, the verdict recomputed. An
/// unreadable report only gains the profile id: it stays unreadable. A
/// report that already names [`PROFILE`] is returned as it is.
pub fn with_kind_checks(mut report: FileReport, scanned: &ScannedFile) -> FileReport {
    if report.profiles.iter().any(|p| p == PROFILE) {
        return report;
    }
    report.profiles.push(PROFILE.to_string());
    if report.problem.is_some() {
        return report;
    }
    let timing_judged = report
        .findings
        .iter()
        .any(|f| f.rule_id == caption::TIMING_RULE && !f.is_not_evaluated());
    let mut findings = report.findings;
    findings.extend(kind_findings(&report.path, scanned, timing_judged));
    FileReport::from_findings(report.path, report.profiles, findings)
}

/// The report on a file that no profile evaluated: unreadable when it
/// could not be read, else its kind findings (a file with only kind checks,
/// all passing, passes).
pub fn kind_report(path: &Path, scanned: &ScannedFile, profiles: Vec<String>) -> FileReport {
    let report = match problem_of(scanned) {
        Some(problem) => FileReport::unreadable(path.to_path_buf(), profiles, problem),
        None => FileReport::from_findings(path.to_path_buf(), profiles, Vec::new()),
    };
    with_kind_checks(report, scanned)
}

/// [`kind_report`], only when a kind check fails with an error: a file in a
/// checked folder that is no concern of the profiles (a sidecar) is still
/// reported when it is not what its name says.
pub fn failing_kind_report(path: &Path, scanned: &ScannedFile) -> Option<FileReport> {
    let report = kind_report(path, scanned, Vec::new());
    report
        .findings
        .iter()
        .any(Finding::is_error)
        .then_some(report)
}

/// Why the file could not be read, if it could not.
fn problem_of(scanned: &ScannedFile) -> Option<FileProblem> {
    match (&scanned.problem, scanned.status) {
        (Some(p), _) => Some(p.clone()),
        (None, ScanStatus::Error) => Some(FileProblem::new(
            ProblemKind::Unreadable,
            "the file could not be read",
        )),
        (None, _) => None,
    }
}

// ---------------------------------------------------------------------------
// Helpers for the checkers

/// A kind finding of error severity.
fn finding(
    rule_id: &str,
    status: Status,
    expected: impl Into<String>,
    actual: impl Into<String>,
    message: impl Into<String>,
) -> Finding {
    Finding {
        profile: PROFILE.to_string(),
        rule_id: rule_id.to_string(),
        severity: Severity::Error,
        status,
        stream_index: None,
        programme: None,
        expected: expected.into(),
        actual: actual.into(),
        message: message.into(),
        source_clause: None,
        position_s: None,
        timecode: None,
    }
}

/// A rule that held.
fn passed(rule_id: &str, expected: &str, actual: impl Into<String>) -> Finding {
    let actual = actual.into();
    let message = format!("{expected}: {actual}");
    finding(rule_id, Status::Passed, expected, actual, message)
}

/// A rule that did not hold, with what is wrong in plain words.
fn failed(rule_id: &str, expected: &str, actual: impl Into<String>, message: String) -> Finding {
    finding(rule_id, Status::Failed, expected, actual, message)
}

/// A rule that could not be evaluated, and why.
fn not_evaluated(rule_id: &str, expected: &str, reason: String) -> Finding {
    finding(
        rule_id,
        Status::NotEvaluated {
            reason: reason.clone(),
        },
        expected,
        "not evaluated",
        reason,
    )
}

/// At most `limit` bytes from the start of `path`, and the file's length.
pub(crate) fn read_head(path: &Path, limit: u64) -> io::Result<(Vec<u8>, u64)> {
    let file = File::open(path)?;
    let len = file.metadata()?.len();
    let mut head = Vec::with_capacity(usize::try_from(len.min(limit)).unwrap_or(0));
    file.take(limit).read_to_end(&mut head)?;
    Ok((head, len))
}

/// The last `n` bytes of `path` (all of it when shorter).
fn read_tail(path: &Path, n: u64) -> io::Result<Vec<u8>> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    file.seek(SeekFrom::Start(len.saturating_sub(n)))?;
    let mut tail = Vec::with_capacity(usize::try_from(n.min(len)).unwrap_or(0));
    file.take(n).read_to_end(&mut tail)?;
    Ok(tail)
}

/// Whether `needle` occurs in `haystack`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// An I/O error in plain words, for a finding.
fn io_words(err: &io::Error) -> String {
    crate::inventory::sniff::io_words(err)
}

#[cfg(test)]
mod tests;
