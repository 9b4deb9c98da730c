//! PSE screening per ITU-R BT.1702, not a certified test (pdet fills this in).

use super::{Detector, FrameView, PictureMeasurements, StreamContext, StreamInfo};
use serde::{Deserialize, Serialize};

/// Parameters.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PseOptions {}

/// What was measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct PseResult {}

/// The detector.
pub struct PseDetector {
    _opts: PseOptions,
}

impl PseDetector {
    /// A detector for a stream described by `info`.
    pub fn new(opts: PseOptions, _info: &StreamInfo) -> Self {
        PseDetector { _opts: opts }
    }
}

impl Detector for PseDetector {
    fn frame(&mut self, _f: &FrameView<'_>) {}

    fn finish(self: Box<Self>, _ctx: &StreamContext, _out: &mut PictureMeasurements) {}
}
