//! Black segments: frames whose luma is at or below a pixel threshold over
//! at least a picture ratio, for at least a minimum duration — the same
//! test as FFmpeg's `blackdetect` (`d`, `pic_th`, `pix_th`).

use super::{Detector, FrameView, PictureMeasurements, StreamContext, StreamInfo};
use serde::{Deserialize, Serialize};

/// Parameters, as FFmpeg's `blackdetect` names them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlackOptions {
    /// Shortest black segment reported, seconds (`d`, default 2.0).
    pub min_duration_s: f64,
    /// Share of the picture's pixels that must be black (`pic_th`, default 0.98).
    pub picture_ratio: f64,
    /// Luma at or below this fraction of the range above black is black (`pix_th`, default 0.10).
    pub pixel_threshold: f64,
}

impl Default for BlackOptions {
    fn default() -> Self {
        BlackOptions {
            min_duration_s: 2.0,
            picture_ratio: 0.98,
            pixel_threshold: 0.10,
        }
    }
}

impl BlackOptions {
    /// The luma sample value at or below which a pixel is black, for a
    /// frame's depth and range (as `blackdetect` computes it, truncated).
    pub fn pixel_limit(&self, f: &FrameView<'_>) -> u16 {
        let factor = f64::from(1u32 << (f.bit_depth.max(8) - 8));
        let limit = if f.full_range {
            self.pixel_threshold * 255.0 * factor
        } else {
            16.0 * factor + self.pixel_threshold * (235.0 - 16.0) * factor
        };
        limit.clamp(0.0, 65535.0) as u16
    }

    /// Whether frame `f` is black.
    pub fn is_black(&self, f: &FrameView<'_>) -> bool {
        let limit = self.pixel_limit(f);
        let total = f.y.width * f.y.height;
        if total == 0 {
            return false;
        }
        // Stop once enough pixels are above the limit to rule black out.
        let allowed_bright = total - (self.picture_ratio * total as f64).ceil() as usize;
        let mut bright = 0usize;
        for y in 0..f.y.height {
            bright += match f.y.row_u8(y) {
                Some(row) => {
                    let l = limit.min(255) as u8;
                    row.iter().filter(|&&s| s > l).count()
                }
                None => {
                    let mut n = 0;
                    f.y.for_each_in_row(y, |s| n += usize::from(s > limit));
                    n
                }
            };
            if bright > allowed_bright {
                return false;
            }
        }
        true
    }
}

/// Finds black segments.
pub struct BlackDetector {
    opts: BlackOptions,
    frame_s: f64,
    /// The current run of black frames: first frame and its time.
    run: Option<(u64, f64)>,
    last: Option<(u64, f64)>,
    segments: Vec<((u64, u64), (f64, f64))>,
}

impl BlackDetector {
    /// A detector for a stream described by `info`.
    pub fn new(opts: BlackOptions, info: &StreamInfo) -> Self {
        BlackDetector {
            opts,
            frame_s: 1.0 / if info.fps > 0.0 { info.fps } else { 25.0 },
            run: None,
            last: None,
            segments: Vec::new(),
        }
    }

    fn close(&mut self, end: (u64, f64)) {
        if let Some((start_frame, start_s)) = self.run.take() {
            // A tiny slack absorbs timestamp rounding (40 ms steps in a 1/1000 time base).
            if end.1 - start_s >= self.opts.min_duration_s - 1e-6 {
                self.segments.push(((start_frame, end.0), (start_s, end.1)));
            }
        }
    }
}

impl Detector for BlackDetector {
    fn frame(&mut self, f: &FrameView<'_>) {
        if self.opts.is_black(f) {
            self.run.get_or_insert((f.index, f.time_s));
        } else {
            self.close((f.index, f.time_s));
        }
        self.last = Some((f.index, f.time_s));
    }

    fn finish(mut self: Box<Self>, ctx: &StreamContext, out: &mut PictureMeasurements) {
        if let Some((index, time_s)) = self.last {
            self.close((index + 1, time_s + self.frame_s));
        }
        out.black_detector = Some(self.opts.clone());
        out.black = self
            .segments
            .iter()
            .map(|&(frames, times)| ctx.segment(frames, times, None))
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::Owned;
    use super::*;

    fn ctx(frames: u64) -> StreamContext {
        StreamContext {
            stream_index: 0,
            frame_rate: (25, 1),
            start_timecode: Some("01:00:00:00".into()),
            frames,
            duration_s: frames as f64 / 25.0,
            field_order: None,
        }
    }

    #[test]
    fn limit_matches_blackdetect() {
        let o = BlackOptions::default();
        let p = Owned::flat(4, 4, 16, 128, 128);
        let mut v = p.view(0, 25.0);
        assert_eq!(o.pixel_limit(&v), 37); // 16 + 0.1 * 219 = 37.9
        v.bit_depth = 10;
        assert_eq!(o.pixel_limit(&v), 151); // 64 + 0.1 * 876 = 151.6
        v.full_range = true;
        v.bit_depth = 8;
        assert_eq!(o.pixel_limit(&v), 25);
    }

    #[test]
    fn finds_a_black_run_and_its_end_at_eof() {
        let info = StreamInfo {
            width: 16,
            height: 16,
            fps: 25.0,
            ..Default::default()
        };
        let grey = Owned::flat(16, 16, 120, 128, 128);
        let black = Owned::flat(16, 16, 20, 128, 128);
        let mut d = Box::new(BlackDetector::new(BlackOptions::default(), &info));
        // 1 s grey, 3 s black, 1 s grey, 1 s black (too short), 2 s black at the end.
        let plan = [
            (&grey, 25),
            (&black, 75),
            (&grey, 25),
            (&black, 25),
            (&grey, 1),
            (&black, 50),
        ];
        let mut i = 0;
        for (pic, n) in plan {
            for _ in 0..n {
                d.frame(&pic.view(i, 25.0));
                i += 1;
            }
        }
        let mut out = PictureMeasurements::default();
        d.finish(&ctx(i), &mut out);
        assert_eq!(out.black.len(), 2, "{:?}", out.black);
        assert_eq!(
            (out.black[0].start_frame, out.black[0].end_frame),
            (25, 100)
        );
        assert_eq!(out.black[0].start_tc.as_deref(), Some("01:00:01:00"));
        assert!((out.black[0].duration_s - 3.0).abs() < 1e-9);
        assert_eq!(
            (out.black[1].start_frame, out.black[1].end_frame),
            (151, 201)
        );
    }
}
