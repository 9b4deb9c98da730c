//! Video levels: Y′ and R′G′B′ excursions per EBU R 103 (pdet fills this in).

use super::{Detector, FrameView, PictureMeasurements, StreamContext, StreamInfo};
use serde::{Deserialize, Serialize};

/// Parameters.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LevelsOptions {}

/// What was measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct LevelsResult {}

/// The detector.
pub struct LevelsDetector {
    _opts: LevelsOptions,
}

impl LevelsDetector {
    /// A detector for a stream described by `info`.
    pub fn new(opts: LevelsOptions, _info: &StreamInfo) -> Self {
        LevelsDetector { _opts: opts }
    }
}

impl Detector for LevelsDetector {
    fn frame(&mut self, _f: &FrameView<'_>) {}

    fn finish(self: Box<Self>, _ctx: &StreamContext, _out: &mut PictureMeasurements) {}
}
