//! The JSON documents of every command, built here and only printed by the
//! binary: one envelope (`schema_version`, `tool`, `command`, then the
//! payload's fields) around each payload. docs/json.md lists them all and
//! docs/schema/*.json gives each one's JSON Schema.

use crate::delivery::BoardReport;
use crate::error::FileProblem;
use crate::ledger::approvals::ApprovalRecord;
use crate::ledger::RunSummary;
use crate::measure::model::AudioMeasurements;
use crate::plan::Project;
use crate::policy::{Decision, FailPolicy, RunVerdict};
use crate::probe::ProbedFile;
use crate::scan::Inventory;
use crate::spec::lint::LintProblem;
use crate::spec::{FileReport, Profile};
use serde::Serialize;
use std::path::Path;

/// Every document: the envelope, then the payload's fields.
#[derive(Debug, Serialize)]
pub struct Envelope<T: Serialize> {
    /// [`crate::SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `signoff X.Y.Z`.
    pub tool: String,
    /// The command that wrote it (`check`, `specs list`, `plan lint`…).
    pub command: String,
    /// The command's own fields.
    #[serde(flatten)]
    pub payload: T,
}

/// `payload` in the envelope of `command`.
pub fn envelope<T: Serialize>(command: &str, payload: T) -> Envelope<T> {
    Envelope {
        schema_version: crate::SCHEMA_VERSION,
        tool: format!("signoff {}", crate::TOOL_VERSION),
        command: command.to_string(),
        payload,
    }
}

/// A document as pretty JSON, newline-terminated.
pub fn to_json<T: Serialize>(doc: &Envelope<T>) -> serde_json::Result<String> {
    let mut s = serde_json::to_string_pretty(doc)?;
    s.push('\n');
    Ok(s)
}

/// The run's answer as written in `check` and `status` documents.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// `pass`, `fail` or `unreadable`, as the exit code.
    pub verdict: RunVerdict,
    /// The exit code.
    pub exit_code: u8,
    /// The headline.
    pub headline: String,
    /// What fails the run.
    pub reasons: Vec<String>,
    /// What does not fail it under the policy.
    pub notes: Vec<String>,
}

impl From<Decision> for Outcome {
    fn from(d: Decision) -> Self {
        Outcome {
            verdict: d.verdict,
            exit_code: d.verdict.exit_code(),
            headline: d.headline(),
            reasons: d.reasons,
            notes: d.notes,
        }
    }
}

/// `probe --format json`.
#[derive(Debug, Serialize)]
pub struct ProbeDoc<'a> {
    /// Every file, in argument order.
    pub files: &'a [ProbedFile],
}

/// `hash --format json` (`hash -c` writes [`crate::digest::run::ListCheck`]).
#[derive(Debug, Serialize)]
pub struct HashDoc<'a> {
    /// The algorithms asked for.
    pub algos: &'a [crate::digest::Algo],
    /// Every file, in walk order.
    pub files: &'a [crate::digest::run::HashedFile],
}

/// `scan --format json`.
#[derive(Debug, Serialize)]
pub struct ScanDoc<'a> {
    /// The inventory.
    #[serde(flatten)]
    pub inventory: &'a Inventory,
}

/// One file of `measure --format json`.
#[derive(Debug, Serialize)]
pub struct MeasuredFile {
    /// The path as given (lossy UTF-8).
    pub path: String,
    /// The raw path bytes in hex, only when the name is not valid UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_hex: Option<String>,
    /// The measurements, when the file could be read.
    pub audio: Option<AudioMeasurements>,
    /// The picture stage per video stream, when the file has video.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub picture: Option<Vec<crate::picture::PictureMeasurements>>,
    /// What is wrong, when it could not.
    pub error: Option<FileProblem>,
}

impl MeasuredFile {
    /// The entry of one measured file.
    pub fn new(path: &Path, result: &Result<AudioMeasurements, FileProblem>) -> Self {
        let (path, path_hex) = crate::probe::display_path(path);
        MeasuredFile {
            path,
            path_hex,
            audio: result.as_ref().ok().cloned(),
            picture: None,
            error: result.as_ref().err().cloned(),
        }
    }

    /// With the picture stage's measurements.
    pub fn with_picture(
        mut self,
        picture: Option<Vec<crate::picture::PictureMeasurements>>,
    ) -> Self {
        self.picture = picture;
        self
    }
}

/// `measure --format json`.
#[derive(Debug, Serialize)]
pub struct MeasureDoc {
    /// Every file, in argument order.
    pub files: Vec<MeasuredFile>,
}

/// `check PATH… --spec … --format json`.
#[derive(Debug, Serialize)]
pub struct CheckDoc<'a> {
    /// What fails the run.
    pub policy: FailPolicy,
    /// The run's answer.
    pub outcome: Outcome,
    /// Profiles checked against.
    pub profiles: &'a [Profile],
    /// One report per file.
    pub files: &'a [FileReport],
}

/// `check ROOT --format json` with a plan, and `status --format json`.
#[derive(Debug, Serialize)]
pub struct BoardDoc<'a> {
    /// The plan file.
    pub plan: String,
    /// The ledger file.
    pub ledger: String,
    /// The date deadlines were compared with.
    pub today: String,
    /// The plan's project.
    pub project: &'a Project,
    /// What fails the run.
    pub policy: FailPolicy,
    /// The run's answer.
    pub outcome: Outcome,
    /// The board.
    #[serde(flatten)]
    pub board: &'a BoardReport,
}

/// One run of `history`.
#[derive(Debug, Serialize)]
pub struct HistoryRun<'a> {
    /// The run.
    pub run: &'a RunSummary,
    /// The deliverable's states in it, as recorded (`passing, overdue`).
    pub states: &'a str,
}

/// `history DELIVERABLE --format json`.
#[derive(Debug, Serialize)]
pub struct HistoryDoc<'a> {
    /// The deliverable id.
    pub deliverable: &'a str,
    /// Its runs, oldest first.
    pub runs: Vec<HistoryRun<'a>>,
    /// Its approvals, oldest first (each with its revocation, when revoked).
    pub approvals: &'a [ApprovalRecord],
    /// Each distinct (file, SHA-256) its runs saw, in the order first seen.
    pub versions: &'a [crate::review::versions::Version],
    /// For each version after the first of the same file, what changed
    /// since the one before it (a recorded `signoff diff`, or not compared).
    pub version_changes: &'a [crate::review::changes::VersionChange],
}

/// `note --format json` (adding, listing, changing, from findings).
#[derive(Debug, Serialize)]
pub struct NotesDoc<'a> {
    /// What was done: `add`, `list`, `set_state` or `from_findings`.
    pub action: &'a str,
    /// The notes added, listed or changed, oldest first, each with how its
    /// range fared in the deliverable's current version.
    pub notes: &'a [crate::review::changes::CheckedNote<'a>],
    /// With `from_findings`: findings that were already notes (nothing added for them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub already_noted: Option<usize>,
}

/// `markers --format json`: what was written.
#[derive(Debug, Serialize)]
pub struct MarkersDoc<'a> {
    /// The deliverable.
    pub deliverable: &'a str,
    /// `edl`, `avid` or `otio`.
    pub format: &'a str,
    /// The file written (lossy UTF-8).
    pub output: String,
    /// The master the markers are placed on.
    pub master: MarkersMaster,
    /// The markers, in time order.
    pub markers: &'a [crate::review::markers::Marker],
}

/// The master of a [`MarkersDoc`].
#[derive(Debug, Serialize)]
pub struct MarkersMaster {
    /// Its path in the delivery.
    pub path: crate::paths::RelPath,
    /// Its content hash.
    pub sha256: String,
    /// Exact frame rate (`24000/1001`).
    pub frame_rate: String,
    /// Drop-frame timecode.
    pub drop_frame: bool,
    /// Its first frame's timecode.
    pub start_timecode: String,
    /// Its length in frames.
    pub duration_frames: u64,
}

impl MarkersMaster {
    /// The document's view of `m`.
    pub fn of(m: &crate::review::notes::Master) -> Self {
        MarkersMaster {
            path: m.path.clone(),
            sha256: m.sha256.clone(),
            frame_rate: format!("{}/{}", m.rate.num, m.rate.den),
            drop_frame: m.rate.drop_frame,
            start_timecode: m.timecode(0),
            duration_frames: m.duration_frames,
        }
    }
}

/// One profile of `specs list`.
#[derive(Debug, Serialize)]
pub struct ProfileListing {
    /// Profile id.
    pub id: String,
    /// How sure the profile's numbers are (`primary`, `secondary`…), `-` when invalid.
    pub confidence: String,
    /// Where it comes from (built in, or its file).
    pub origin: String,
    /// Its title, or why it is invalid.
    pub title: String,
}

/// `specs list --format json`.
#[derive(Debug, Serialize)]
pub struct SpecsListDoc {
    /// Every profile.
    pub profiles: Vec<ProfileListing>,
}

/// `specs show ID --format json`.
#[derive(Debug, Serialize)]
pub struct SpecsShowDoc<'a> {
    /// The profile after inheritance.
    pub profile: &'a Profile,
}

/// `specs lint` and `plan lint --format json`.
#[derive(Debug, Serialize)]
pub struct LintDoc<'a> {
    /// Every problem, located.
    pub problems: &'a [LintProblem],
    /// Warnings that do not make the file invalid (`plan lint`: a
    /// `project.root` leaving the plan's folder); absent when none.
    #[serde(skip_serializing_if = "<[LintProblem]>::is_empty")]
    pub warnings: &'a [LintProblem],
}
