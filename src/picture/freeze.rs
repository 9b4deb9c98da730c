//! Freeze segments: a picture that stays within a noise tolerance of a
//! reference frame for at least a minimum duration — the same test as
//! FFmpeg's `freezedetect` (`n`, `d`: mean absolute frame difference over
//! every plane against the first frame of the run). A hold on a black
//! picture is black's to report, not freeze's.

use super::black::BlackOptions;
use super::held::Held;
use super::kernels::{self, Rows};
use super::{Detector, FrameView, PictureMeasurements, StreamContext, StreamInfo};
use serde::{Deserialize, Serialize};

/// Parameters, as FFmpeg's `freezedetect` names them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FreezeOptions {
    /// Noise tolerance as a fraction of full scale (`n`, default 0.001, −60 dB).
    pub noise: f64,
    /// Shortest freeze reported, seconds (`d`, default 2.0).
    pub min_duration_s: f64,
}

impl Default for FreezeOptions {
    fn default() -> Self {
        FreezeOptions {
            noise: 0.001,
            min_duration_s: 2.0,
        }
    }
}

/// The reference picture (kept without a copy when it came from the
/// decoder), the buffers kept between runs.
#[derive(Default)]
struct Reference {
    held: Held,
    index: u64,
    time_s: f64,
    black: bool,
}

/// A found hold: (first, after-last) frames, (start, end) seconds, and whether it is black.
type Hold = ((u64, u64), (f64, f64), bool);

/// Finds frozen segments.
pub struct FreezeDetector {
    opts: FreezeOptions,
    black: BlackOptions,
    frame_s: f64,
    reference: Option<Reference>,
    spare: Reference,
    frozen: bool,
    last: Option<(u64, f64)>,
    segments: Vec<Hold>,
    rows: [Rows; 2],
}

impl FreezeDetector {
    /// A detector for a stream described by `info`; `black` says which
    /// holds are black (and so not freezes).
    pub fn new(opts: FreezeOptions, black: BlackOptions, info: &StreamInfo) -> Self {
        FreezeDetector {
            opts,
            black,
            frame_s: 1.0 / if info.fps > 0.0 { info.fps } else { 25.0 },
            reference: None,
            spare: Reference::default(),
            frozen: false,
            last: None,
            segments: Vec::new(),
            rows: Default::default(),
        }
    }

    fn set_reference(&mut self, f: &FrameView<'_>) {
        let mut r = self
            .reference
            .take()
            .unwrap_or_else(|| std::mem::take(&mut self.spare));
        r.held.keep(f);
        r.index = f.index;
        r.time_s = f.time_s;
        r.black = self.black.is_black(f);
        self.reference = Some(r);
    }
}

/// Whether `f` is within `noise` of `r` (mean absolute difference over all
/// planes, as a fraction of 2^depth), stopping as soon as it cannot be.
fn is_frozen(r: &Reference, f: &FrameView<'_>, noise: f64, rows: &mut [Rows; 2]) -> bool {
    let Some(kept) = r.held.view() else {
        return false;
    };
    let planes = [&f.y, &f.u, &f.v];
    let count: usize = planes.iter().map(|p| p.width * p.height).sum();
    let budget = (noise * count as f64 * f64::from(1u32 << f.bit_depth)) as u64;
    let mut sad = 0u64;
    let [ra, rb] = rows;
    for (k, p) in [&kept.y, &kept.u, &kept.v].into_iter().zip(planes) {
        let same =
            (k.width, k.height, k.bytes_per_sample) == (p.width, p.height, p.bytes_per_sample);
        if !same {
            return false;
        }
        for y in 0..p.height {
            sad += kernels::abs_diff_sum(ra.row(k, y), rb.row(p, y));
            if sad > budget {
                return false;
            }
        }
    }
    true
}

impl Detector for FreezeDetector {
    fn frame(&mut self, f: &FrameView<'_>) {
        let frozen = match &self.reference {
            Some(r) => {
                let frozen = is_frozen(r, f, self.opts.noise, &mut self.rows);
                let held = f.time_s - r.time_s;
                if held >= self.opts.min_duration_s - 1e-6 {
                    if !frozen && self.frozen {
                        self.segments
                            .push(((r.index, f.index), (r.time_s, f.time_s), r.black));
                    }
                    self.frozen = frozen;
                }
                frozen
            }
            None => false,
        };
        if !frozen {
            self.set_reference(f);
        }
        self.last = Some((f.index, f.time_s));
    }

    fn finish(mut self: Box<Self>, ctx: &StreamContext, out: &mut PictureMeasurements) {
        if let (true, Some(r), Some((index, time_s))) = (self.frozen, &self.reference, self.last) {
            self.segments.push((
                (r.index, index + 1),
                (r.time_s, time_s + self.frame_s),
                r.black,
            ));
        }
        out.freeze_detector = Some(self.opts.clone());
        out.freeze = self
            .segments
            .iter()
            .filter(|s| !s.2)
            .map(|&(frames, times, _)| ctx.segment(frames, times, None))
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::Owned;
    use super::*;

    fn run(plan: &[(&Owned, u64)]) -> PictureMeasurements {
        let info = StreamInfo {
            width: 16,
            height: 16,
            fps: 25.0,
            ..Default::default()
        };
        let mut d = Box::new(FreezeDetector::new(
            FreezeOptions::default(),
            BlackOptions::default(),
            &info,
        ));
        let mut i = 0;
        for &(pic, n) in plan {
            for _ in 0..n {
                d.frame(&pic.view(i, 25.0));
                i += 1;
            }
        }
        let ctx = StreamContext {
            stream_index: 0,
            frame_rate: (25, 1),
            start_timecode: None,
            frames: i,
            duration_s: i as f64 / 25.0,
            field_order: None,
        };
        let mut out = PictureMeasurements::default();
        d.finish(&ctx, &mut out);
        out
    }

    #[test]
    fn finds_a_hold_and_ignores_black_holds() {
        let a = Owned::flat(16, 16, 100, 128, 128);
        let b = Owned::flat(16, 16, 140, 128, 128);
        let black = Owned::flat(16, 16, 16, 128, 128);
        let out = run(&[(&a, 1), (&b, 1), (&a, 75), (&b, 1), (&black, 60), (&a, 1)]);
        assert_eq!(out.freeze.len(), 1, "{:?}", out.freeze);
        assert_eq!(
            (out.freeze[0].start_frame, out.freeze[0].end_frame),
            (2, 77)
        );
        assert!((out.freeze[0].duration_s - 3.0).abs() < 1e-9);
    }

    #[test]
    fn noise_within_tolerance_is_frozen_beyond_is_not() {
        let a = Owned::flat(16, 16, 100, 128, 128);
        let mut near = Owned::flat(16, 16, 100, 128, 128);
        near.y[0] = 101; // 1 / (384 * 256) of full scale: well within 0.001
        let mut plan = Vec::new();
        for _ in 0..30 {
            plan.push((&a, 1));
            plan.push((&near, 1));
        }
        assert_eq!(run(&plan).freeze.len(), 1);
        let far = Owned::flat(16, 16, 110, 128, 128);
        let mut plan = Vec::new();
        for _ in 0..30 {
            plan.push((&a, 1));
            plan.push((&far, 1));
        }
        assert!(run(&plan).freeze.is_empty());
    }
}
