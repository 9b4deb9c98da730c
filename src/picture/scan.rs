//! Scan type from the picture: combing and field motion against the flag (pdet fills this in).

use super::{Detector, FrameView, PictureMeasurements, StreamContext, StreamInfo};
use serde::{Deserialize, Serialize};

/// Parameters.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScanOptions {}

/// What was measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ScanResult {}

/// The detector.
pub struct ScanDetector {
    _opts: ScanOptions,
}

impl ScanDetector {
    /// A detector for a stream described by `info`.
    pub fn new(opts: ScanOptions, _info: &StreamInfo) -> Self {
        ScanDetector { _opts: opts }
    }
}

impl Detector for ScanDetector {
    fn frame(&mut self, _f: &FrameView<'_>) {}

    fn finish(self: Box<Self>, _ctx: &StreamContext, _out: &mut PictureMeasurements) {}
}
