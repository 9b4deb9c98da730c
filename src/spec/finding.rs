//! Findings: the outcome of one rule on one file (or stream, or programme),
//! and the per-file verdict. Part of the JSON contract of `signoff check`.

use super::model::Severity;
use crate::error::FileProblem;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Whether a rule held.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// The rule holds.
    Passed,
    /// The rule does not hold.
    Failed,
    /// The rule could not be evaluated; never counted as passed.
    NotEvaluated {
        /// Why, in plain words ("loudness not measured").
        reason: String,
    },
}

impl Status {
    /// The wire name (`passed`, `failed`, `not_evaluated`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::NotEvaluated { .. } => "not_evaluated",
        }
    }
}

/// The outcome of one rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Profile the rule belongs to.
    pub profile: String,
    /// Rule id (`video.frame_rate`).
    pub rule_id: String,
    /// How much a failure matters.
    pub severity: Severity,
    /// Passed, failed or not evaluated.
    #[serde(flatten)]
    pub status: Status,
    /// Stream index in the container, when the rule concerns one stream.
    pub stream_index: Option<usize>,
    /// Loudness programme name, when the rule concerns one programme.
    pub programme: Option<String>,
    /// What the spec asks for (`23.976, 24 fps`).
    pub expected: String,
    /// What the file has (`25 fps`).
    pub actual: String,
    /// A sentence a QC operator understands.
    pub message: String,
    /// The profile's source clause for this rule.
    pub source_clause: Option<String>,
    /// Seconds from the start, when the rule concerns a moment in the file.
    pub position_s: Option<f64>,
    /// The same moment as timecode, where the file's start timecode is known.
    pub timecode: Option<String>,
}

impl Finding {
    /// Whether this is a failed error-severity rule (fails the file).
    pub fn is_error(&self) -> bool {
        self.status == Status::Failed && self.severity == Severity::Error
    }

    /// Whether the rule was not evaluated.
    pub fn is_not_evaluated(&self) -> bool {
        matches!(self.status, Status::NotEvaluated { .. })
    }

    /// The timecode to show after the message: `None` when there is none
    /// or the message already says it (a caption finding names its event
    /// "at 00:00:02:16"), so no output repeats it.
    pub fn timecode_to_show(&self) -> Option<&str> {
        self.timecode
            .as_deref()
            .filter(|tc| !self.message.contains(*tc))
    }
}

/// The verdict on one file. The one vocabulary of file verdicts: every
/// output (terminal, JSON, JUnit, HTML, Markdown) takes its words from
/// [`Verdict::as_str`] (wire) and [`Verdict::word`] (people).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every rule held and none was left unevaluated.
    Pass,
    /// No error rule failed, but some rules could not be checked ("not
    /// evaluated"; never a pass). Not to be confused with a deliverable that
    /// is `incomplete` (fewer files than its count). Read from `incomplete`,
    /// its name in schema 1.
    #[serde(alias = "incomplete")]
    NotEvaluated,
    /// At least one error-severity rule failed.
    Fail,
    /// The file could not be read.
    Unreadable,
}

impl Verdict {
    /// Every verdict, best first.
    pub const ALL: [Verdict; 4] = [
        Verdict::Pass,
        Verdict::NotEvaluated,
        Verdict::Fail,
        Verdict::Unreadable,
    ];

    /// The wire name (`pass`, `not_evaluated`, `fail`, `unreadable`), as in JSON and the ledger.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::NotEvaluated => "not_evaluated",
            Verdict::Fail => "fail",
            Verdict::Unreadable => "unreadable",
        }
    }

    /// The words for people (`PASS`, `NOT EVALUATED`, `FAIL`, `UNREADABLE`).
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::NotEvaluated => "NOT EVALUATED",
            Verdict::Fail => "FAIL",
            Verdict::Unreadable => "UNREADABLE",
        }
    }

    /// Reads a wire name; `incomplete` is the name ledgers of schema 1
    /// documents used for `not_evaluated`.
    pub fn parse(s: &str) -> Option<Verdict> {
        match s {
            "incomplete" => Some(Verdict::NotEvaluated),
            _ => Verdict::ALL.into_iter().find(|v| v.as_str() == s),
        }
    }

    /// The worst of `verdicts` (unreadable, then fail, then not evaluated); `Pass` for none.
    pub fn worst(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
        verdicts.into_iter().max().unwrap_or(Verdict::Pass)
    }
}

/// Everything `check` says about one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileReport {
    /// The file (lossy UTF-8 in JSON).
    #[serde(serialize_with = "crate::paths::lossy")]
    pub path: PathBuf,
    /// The verdict.
    pub verdict: Verdict,
    /// Profiles checked against.
    pub profiles: Vec<String>,
    /// Why the file could not be read, when it could not.
    pub problem: Option<FileProblem>,
    /// Every rule outcome, passed ones included, in profile order.
    pub findings: Vec<Finding>,
}

impl FileReport {
    /// A report for findings, with the verdict they imply.
    pub fn from_findings(path: PathBuf, profiles: Vec<String>, findings: Vec<Finding>) -> Self {
        let verdict = if findings.iter().any(Finding::is_error) {
            Verdict::Fail
        } else if findings.iter().any(Finding::is_not_evaluated) {
            Verdict::NotEvaluated
        } else {
            Verdict::Pass
        };
        FileReport {
            path,
            verdict,
            profiles,
            problem: None,
            findings,
        }
    }

    /// A report for a file that could not be read.
    pub fn unreadable(path: PathBuf, profiles: Vec<String>, problem: FileProblem) -> Self {
        FileReport {
            path,
            verdict: Verdict::Unreadable,
            profiles,
            problem: Some(problem),
            findings: Vec::new(),
        }
    }
}
