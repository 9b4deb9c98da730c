//! Shot changes (cuts): frames whose picture differs from the one before
//! much more than the one before differed from its own predecessor — the
//! same scene score as FFmpeg's `scdet` filter on Y′CbCr pictures: the
//! mean absolute difference of Y′ from the previous frame (`scdet` reads
//! the luma plane alone of planar YUV), in percent of full scale (MAFD);
//! the score is the smaller of MAFD and its change since the
//! previous frame, clipped to 0–100, so steady motion scores low and a
//! sudden change high; a frame scoring above `threshold` (default 10)
//! starts a new shot.

use super::held::Held;
use super::kernels::{self, Rows};
use super::{Detector, FrameView, PictureMeasurements, Plane, StreamContext};
use multiversion::multiversion;
use serde::{Deserialize, Serialize};

/// Parameters, as FFmpeg's `scdet` names them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ShotOptions {
    /// A frame whose scene score is above this starts a new shot (`threshold`, 0–100, default 10).
    pub threshold: f64,
}

impl Default for ShotOptions {
    fn default() -> Self {
        ShotOptions { threshold: 10.0 }
    }
}

/// One shot change: the first frame of the new shot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShotChange {
    /// The frame the new shot starts on, from 0.
    pub frame: u64,
    /// Its time, seconds from the stream's first frame.
    pub time_s: f64,
    /// Its time as timecode, when the file has one.
    pub timecode: Option<String>,
    /// Its scene score (`scdet`'s `lavfi.scd.score`, 0–100).
    pub score: f64,
}

/// The shot changes of one stream, with the threshold they were found at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShotChanges {
    /// The detector's parameters.
    pub detector: ShotOptions,
    /// Every shot change, in order.
    pub changes: Vec<ShotChange>,
}

impl ShotChanges {
    /// The times of the changes, seconds from the stream's first frame.
    pub fn times_s(&self) -> Vec<f64> {
        self.changes.iter().map(|c| c.time_s).collect()
    }
}

/// Finds shot changes.
pub struct ShotDetector {
    opts: ShotOptions,
    previous: Held,
    previous_mafd: f64,
    rows: [Rows; 2],
    found: Vec<(u64, f64, f64)>,
}

impl ShotDetector {
    /// A detector with `opts`.
    pub fn new(opts: ShotOptions) -> Self {
        ShotDetector {
            opts,
            previous: Held::default(),
            previous_mafd: 0.0,
            rows: Default::default(),
            found: Vec::new(),
        }
    }
}

/// Sum of `|a − b|` over two rows of 8-bit samples.
#[multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
fn abs_diff_sum_u8(a: &[u8], b: &[u8]) -> u64 {
    let mut total = 0u64;
    // 16 384 × 255 fits a u32
    for (a, b) in a.chunks(16_384).zip(b.chunks(16_384)) {
        let mut sum = 0u32;
        for (&x, &y) in a.iter().zip(b) {
            sum += u32::from(x.abs_diff(y));
        }
        total += u64::from(sum);
    }
    total
}

/// Σ |a − b| over one plane; `None` when the planes differ in shape.
fn plane_sad(a: &Plane<'_>, b: &Plane<'_>, rows: &mut [Rows; 2]) -> Option<u64> {
    let shape = |p: &Plane<'_>| (p.width, p.height, p.bytes_per_sample);
    if shape(a) != shape(b) {
        return None;
    }
    let [ra, rb] = rows;
    let mut sad = 0u64;
    for y in 0..a.height {
        sad += if a.bytes_per_sample == 1 {
            abs_diff_sum_u8(a.row_bytes(y), b.row_bytes(y))
        } else {
            kernels::abs_diff_sum(ra.row(a, y), rb.row(b, y))
        };
    }
    Some(sad)
}

/// The mean absolute difference of `f`'s Y′ from `p`'s, in percent of
/// full scale (`scdet`'s MAFD); `None` when the pictures differ in size
/// (`scdet` then scores 0 and keeps its previous MAFD).
fn mafd(p: &FrameView<'_>, f: &FrameView<'_>, rows: &mut [Rows; 2]) -> Option<f64> {
    if (p.width, p.height, p.bit_depth) != (f.width, f.height, f.bit_depth) {
        return None;
    }
    let sad = plane_sad(&p.y, &f.y, rows)?;
    let count = (f.y.width * f.y.height) as u64;
    if count == 0 {
        return None;
    }
    Some(sad as f64 * 100.0 / count as f64 / f64::from(1u32 << f.bit_depth))
}

impl Detector for ShotDetector {
    fn frame(&mut self, f: &FrameView<'_>) {
        let measured = self
            .previous
            .view()
            .and_then(|p| mafd(&p, f, &mut self.rows));
        if let Some(mafd) = measured {
            let diff = (mafd - self.previous_mafd).abs();
            let score = mafd.min(diff).clamp(0.0, 100.0);
            self.previous_mafd = mafd;
            if score > self.opts.threshold {
                self.found.push((f.index, f.time_s, score));
            }
        }
        self.previous.keep(f);
    }

    fn finish(self: Box<Self>, ctx: &StreamContext, out: &mut PictureMeasurements) {
        let changes = self
            .found
            .iter()
            .map(|&(frame, time_s, score)| ShotChange {
                frame,
                time_s,
                timecode: ctx.timecode_at(time_s),
                score,
            })
            .collect();
        out.shots = Some(ShotChanges {
            detector: self.opts,
            changes,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::Owned;
    use super::*;

    fn run(plan: &[(&Owned, u64)]) -> ShotChanges {
        let mut d = Box::new(ShotDetector::new(ShotOptions::default()));
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
            start_timecode: Some("01:00:00:00".into()),
            frames: i,
            duration_s: i as f64 / 25.0,
            field_order: None,
        };
        let mut out = PictureMeasurements::default();
        d.finish(&ctx, &mut out);
        out.shots.unwrap()
    }

    #[test]
    fn a_cut_is_found_on_its_first_frame_with_scdets_score() {
        let grey = Owned::flat(16, 16, 100, 128, 128);
        let bright = Owned::flat(16, 16, 200, 128, 128);
        let s = run(&[(&grey, 10), (&bright, 10)]);
        assert_eq!(s.changes.len(), 1, "{s:?}");
        let c = &s.changes[0];
        assert_eq!(c.frame, 10);
        assert_eq!(c.timecode.as_deref(), Some("01:00:00:10"));
        // Y′ differs by 100 on every sample: 100/256 of full scale, in percent
        let expect = 100.0 / 256.0 * 100.0;
        assert!((c.score - expect).abs() < 1e-9, "{}", c.score);
        // a change of colour alone is no cut (as for scdet: Y′ only)
        let red = Owned::flat(16, 16, 100, 90, 240);
        assert!(run(&[(&grey, 10), (&red, 10)]).changes.is_empty());
    }

    #[test]
    fn steady_motion_is_no_cut_and_a_small_change_is_none() {
        // every frame differs from the last by the same amount: MAFD is
        // high but does not rise, so only the first change scores
        let a = Owned::flat(16, 16, 60, 128, 128);
        let b = Owned::flat(16, 16, 160, 128, 128);
        let mut plan = vec![(&a, 5)];
        for _ in 0..10 {
            plan.push((&b, 1));
            plan.push((&a, 1));
        }
        let s = run(&plan);
        assert_eq!(s.changes.len(), 1, "{s:?}");
        assert_eq!(s.changes[0].frame, 5);
        let near = Owned::flat(16, 16, 110, 128, 128);
        let grey = Owned::flat(16, 16, 100, 128, 128);
        assert!(run(&[(&grey, 5), (&near, 5)]).changes.is_empty());
    }
}
