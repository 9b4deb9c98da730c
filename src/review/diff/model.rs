//! What `signoff diff` found: the typed model behind every output (JSON,
//! terminal, HTML). Frames are counted from each file's first picture;
//! an end is exclusive (the first frame after, like an EDL out point).

use crate::error::FileProblem;
use serde::{Deserialize, Serialize};

/// One version as compared.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Version {
    /// The path as given (lossy for display; see `path_hex`).
    pub path: String,
    /// The path's bytes in hex, when it is not UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_hex: Option<String>,
    /// Why the file could not be read (then nothing of it is compared).
    pub error: Option<FileProblem>,
    /// Duration, seconds (container).
    pub duration_s: Option<f64>,
    /// Frames decoded of the compared video stream.
    pub frames: Option<u64>,
    /// Frame rate of the compared video stream, frames per second.
    pub frame_rate_fps: Option<f64>,
    /// Start timecode the ranges are placed on.
    pub start_timecode: Option<String>,
    /// Decode errors in the compared video stream.
    pub decode_errors: u64,
}

/// What changed, or what could not be compared.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct DiffReport {
    /// The old version.
    pub old: Version,
    /// The new version.
    pub new: Version,
    /// Whether anything below differs (the exit code: 1 when it does).
    pub differs: bool,
    /// Whether everything both versions have (picture, sound) was
    /// compared; when not, and nothing differs, the versions are not
    /// called the same (exit 2), and `not_compared` says why.
    pub fully_compared: bool,
    /// Facts of the files (container, streams, timecode, layout, colour, HDR) that differ.
    pub facts: Vec<Change>,
    /// Loudness measurements (per programme) that differ by 0.1 or more.
    pub measurements: Vec<MeasurementChange>,
    /// Where the content changed.
    pub content: ContentDiff,
    /// Plain statements of what could not be compared, and why.
    pub not_compared: Vec<String>,
}

/// One fact or measurement that differs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// What (`video stream 0: codec`, `programme 5.1: integrated loudness (LUFS)`).
    pub what: String,
    /// The old version's value (`null`: it does not have one).
    pub old: Option<String>,
    /// The new version's value.
    pub new: Option<String>,
}

/// One loudness measurement that differs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasurementChange {
    /// The programme (`stereo`, `5.1`; `old / new` when they are named differently).
    pub programme: String,
    /// The measurement, as the measure document names it (`integrated_lufs`).
    pub field: String,
    /// In words (`integrated loudness`).
    pub what: String,
    /// Its unit (`LUFS`, `LU`, `dBTP`).
    pub unit: String,
    /// The old version's value (`null`: none, e.g. all below the gate).
    pub old: Option<f64>,
    /// The new version's value.
    pub new: Option<f64>,
    /// new − old, when both have one.
    pub delta: Option<f64>,
}

/// The content comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Default, Deserialize)]
pub struct ContentDiff {
    /// Whether the pictures were compared (frame fingerprints).
    pub picture_compared: bool,
    /// Whether the sound was compared (block fingerprints).
    pub sound_compared: bool,
    /// What the two versions were aligned on: `picture`, `sound` or `position` (in place, no alignment).
    pub aligned_on: Option<String>,
    /// Whether no change of picture or sound was found in what was compared.
    pub unchanged: bool,
    /// A change of the sound's level throughout, dB (new − old), when the
    /// sound is otherwise the same.
    pub level_change_db: Option<f64>,
    /// The ranges that changed, in old-file order.
    pub changes: Vec<ContentChange>,
}

/// What happened to a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Old pictures replaced by other pictures (sound included).
    Replaced,
    /// Pictures (or sound) in the new version that the old one does not have.
    Inserted,
    /// Pictures (or sound) of the old version that the new one does not have.
    Removed,
    /// The same pictures with different sound.
    AudioChanged,
}

impl ChangeKind {
    /// Words for people.
    pub fn words(self) -> &'static str {
        match self {
            ChangeKind::Replaced => "replaced",
            ChangeKind::Inserted => "inserted",
            ChangeKind::Removed => "removed",
            ChangeKind::AudioChanged => "audio changed",
        }
    }
}

/// One changed range, in each file's own frames and timecode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentChange {
    /// What happened.
    pub kind: ChangeKind,
    /// The range in the old version (empty at the place of an insertion).
    pub old: Span,
    /// The range in the new version (empty at the place of a removal).
    pub new: Span,
}

/// Frames `start_frame..end_frame` of one version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Span {
    /// First frame (from 0).
    pub start_frame: u64,
    /// The frame after the last (exclusive).
    pub end_frame: u64,
    /// Start, seconds from the first frame.
    pub start_s: f64,
    /// End, seconds.
    pub end_s: f64,
    /// Length, seconds.
    pub duration_s: f64,
    /// Start in the file's timecode.
    pub start_tc: Option<String>,
    /// End (exclusive) in the file's timecode.
    pub end_tc: Option<String>,
}
