//! Bounds on what a header may claim, checked before anything is allocated
//! for it: a lying header gets "unsupported: 65535 channels", never gigabytes.
//!
//! The bounds are generous for real post-production media: 128 channels in
//! one stream (a Dolby Atmos ADM BWF master has up to 128), 256 audio
//! channels in a file, 768 kHz, and pictures up to 16K (16384 × 9216,
//! 151 Mpixel; no side over 32768).

use super::model::{Stream, StreamKind};
use crate::error::{FileProblem, ProblemKind};

/// Channels of one audio stream, at most.
pub const MAX_CHANNELS_PER_STREAM: u32 = 128;
/// Audio channels of a whole file, at most.
pub const MAX_AUDIO_CHANNELS: u32 = 256;
/// Sample rate, at most, Hz.
pub const MAX_SAMPLE_RATE_HZ: u32 = 768_000;
/// Picture width or height, at most, pixels.
pub const MAX_PICTURE_SIDE_PX: u32 = 32_768;
/// Picture area, at most, pixels (16K: 16384 × 9216).
pub const MAX_PICTURE_PIXELS: u64 = 16_384 * 9_216;

/// The first claim of `streams` beyond the bounds, as a problem.
pub fn check(streams: &[Stream]) -> Option<FileProblem> {
    let unsupported = |what: String| Some(FileProblem::new(ProblemKind::Unsupported, what));
    let mut total = 0u64;
    for s in streams {
        if let Some(a) = s.audio.as_ref().filter(|_| s.kind == StreamKind::Audio) {
            if a.channels > MAX_CHANNELS_PER_STREAM {
                return unsupported(format!(
                    "unsupported: {} channels in audio stream {} (signoff reads at most {MAX_CHANNELS_PER_STREAM} per stream)",
                    a.channels, s.index
                ));
            }
            if a.sample_rate > MAX_SAMPLE_RATE_HZ {
                return unsupported(format!(
                    "unsupported: sample rate {} Hz in audio stream {} (signoff reads at most {MAX_SAMPLE_RATE_HZ} Hz)",
                    a.sample_rate, s.index
                ));
            }
            total += u64::from(a.channels);
        }
        if let Some(v) = s.video.as_ref().filter(|_| s.kind == StreamKind::Video) {
            let pixels = u64::from(v.width) * u64::from(v.height);
            if v.width > MAX_PICTURE_SIDE_PX
                || v.height > MAX_PICTURE_SIDE_PX
                || pixels > MAX_PICTURE_PIXELS
            {
                return unsupported(format!(
                    "unsupported: a {}x{} picture in video stream {} (signoff reads pictures up to 16384x9216)",
                    v.width, v.height, s.index
                ));
            }
        }
    }
    if total > u64::from(MAX_AUDIO_CHANNELS) {
        return unsupported(format!(
            "unsupported: {total} audio channels in all (signoff reads at most {MAX_AUDIO_CHANNELS} per file)"
        ));
    }
    None
}
