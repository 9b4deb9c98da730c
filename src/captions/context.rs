//! What a caption file is checked against besides itself: the language
//! the plan ordered, and the picture master it captions (its duration,
//! frame rate, start timecode and shot changes), with how that master was
//! found. Serialisable: it travels in the job and is part of the caption
//! file's cache key, so a caption result is never reused when the master
//! (or the plan's language) changed.

use super::model::FrameRate;
use serde::{Deserialize, Serialize};

/// The context of one caption file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CaptionContext {
    /// The plan deliverable's `language`, when the plan gives one.
    pub plan_language: Option<String>,
    /// The master the captions are checked against, or why there is none.
    pub master: MasterLink,
}

/// The master of a caption file, or why it has none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum MasterLink {
    /// The master's facts.
    Found(MasterFacts),
    /// No master: why, in words ("no plan names the master …").
    None {
        /// Why.
        reason: String,
    },
}

impl Default for MasterLink {
    fn default() -> Self {
        MasterLink::None {
            reason:
                "no master: the caption file is checked without a plan naming its picture master"
                    .into(),
        }
    }
}

impl MasterLink {
    /// The master's facts, when there is one.
    pub fn facts(&self) -> Option<&MasterFacts> {
        match self {
            MasterLink::Found(m) => Some(m),
            MasterLink::None { .. } => None,
        }
    }

    /// Why there is no master (empty when there is one).
    pub fn reason(&self) -> &str {
        match self {
            MasterLink::Found(_) => "",
            MasterLink::None { reason } => reason,
        }
    }
}

/// What the caption rules read of the master.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MasterFacts {
    /// The plan deliverable of the master (`feature-master`).
    pub deliverable: String,
    /// The master file, relative to the delivery root (lossy text: shown
    /// to people only; the identity is the deliverable and its hash).
    pub file: String,
    /// The master's SHA-256, when known (the cache key's anchor).
    pub sha256: Option<String>,
    /// How the master was found, in words ("`captions_for` in the plan").
    pub found_by: String,
    /// Duration in seconds.
    pub duration_s: Option<f64>,
    /// Frame rate of its first video stream.
    pub frame_rate: Option<FrameRate>,
    /// Start timecode (`01:00:00:00`).
    pub start_timecode: Option<String>,
    /// Shot changes in seconds from the start; `None` when not measured.
    pub shot_changes_s: Option<Vec<f64>>,
}

impl MasterFacts {
    /// The master for people: its deliverable and file, or the file alone
    /// when it was given with `--master`.
    pub fn name(&self) -> String {
        if self.deliverable == "--master" {
            self.file.clone()
        } else {
            format!("{} ({})", self.deliverable, self.file)
        }
    }

    /// "feature-master (picture/FEATURE_FTR.mov, found by …)".
    pub fn words(&self) -> String {
        format!("{} ({}, {})", self.deliverable, self.file, self.found_by)
    }
}
