//! The luma graph's data: per-frame mean, lowest and highest Y′ (as
//! FFmpeg's `signalstats` YAVG, YMIN, YMAX), gathered into at most
//! [`MAX_BINS`] bins over the stream whatever its length.
//!
//! Values are code values at the stream's bit depth (`bit_depth` says
//! which). Bins are the expected duration over [`MAX_BINS`] (at least one
//! frame); when the stream runs longer than expected, or its duration is
//! unknown (bins of 1 s to start), neighbouring bins are merged in pairs
//! and the bin width doubles, so memory stays flat.

use super::kernels::{self, Rows};
use super::{Detector, FrameView, PictureMeasurements, Plane, StreamContext, StreamInfo};
use serde::{Deserialize, Serialize};

/// Most bins per stream.
pub const MAX_BINS: usize = 600;

/// Y′ over one stretch of the stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LumaBin {
    /// Start of the bin, seconds from the first frame.
    pub start_s: f64,
    /// Frames in the bin.
    pub frames: u64,
    /// Lowest Y′ sample of any frame in the bin (code value).
    pub min: u16,
    /// Mean of the frames' mean Y′ (code value, as `signalstats` YAVG).
    pub mean: f64,
    /// Highest Y′ sample of any frame in the bin (code value).
    pub max: u16,
}

/// Y′ over the whole stream, in bins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LumaSeries {
    /// Bits per sample the code values are in.
    pub bit_depth: u8,
    /// Width of each bin, seconds.
    pub bin_s: f64,
    /// The bins that have frames, in time order.
    pub bins: Vec<LumaBin>,
}

/// Gathers the luma series of one stream.
pub struct LumaDetector {
    bin_s: f64,
    bit_depth: u8,
    /// Bin number and its running (frames, sum of means, min, max).
    bins: Vec<(u64, u64, f64, u16, u16)>,
}

impl LumaDetector {
    /// A detector for a stream described by `info`.
    pub fn new(info: &StreamInfo) -> Self {
        let frame_s = if info.fps > 0.0 { 1.0 / info.fps } else { 0.04 };
        let bin_s = info
            .expected_duration_s()
            .map_or(1.0, |d| (d / MAX_BINS as f64).max(frame_s));
        LumaDetector {
            bin_s,
            bit_depth: 8,
            bins: Vec::new(),
        }
    }

    /// The bin of a frame at `time_s` (a frame's time lands in its own bin
    /// despite rounding: 0.12 s / 0.04 s is bin 3).
    fn index_of(&self, time_s: f64) -> u64 {
        (time_s.max(0.0) / self.bin_s + 1e-6) as u64
    }

    /// Merges bins in pairs and doubles their width.
    fn coarsen(&mut self) {
        let mut merged: Vec<(u64, u64, f64, u16, u16)> = Vec::with_capacity(MAX_BINS / 2 + 1);
        for &(i, n, sum, lo, hi) in &self.bins {
            match merged.last_mut() {
                Some(m) if m.0 == i / 2 => {
                    m.1 += n;
                    m.2 += sum;
                    m.3 = m.3.min(lo);
                    m.4 = m.4.max(hi);
                }
                _ => merged.push((i / 2, n, sum, lo, hi)),
            }
        }
        self.bins = merged;
        self.bin_s *= 2.0;
    }
}

/// Sum, lowest and highest sample of a plane (`rows` reads its rows as
/// 16-bit samples).
pub fn plane_stats(p: &Plane<'_>, rows: &mut Rows) -> (u64, u16, u16) {
    let (mut sum, mut lo, mut hi) = (0u64, u16::MAX, 0u16);
    for y in 0..p.height {
        let (s, l, h) = kernels::sum_min_max(rows.row(p, y));
        sum += u64::from(s);
        lo = lo.min(l);
        hi = hi.max(h);
    }
    (sum, lo, hi)
}

impl Detector for LumaDetector {
    fn frame(&mut self, f: &FrameView<'_>) {
        let n = (f.y.width * f.y.height) as u64;
        if n == 0 {
            return;
        }
        self.bit_depth = f.bit_depth;
        let super::LumaStats {
            sum,
            min: lo,
            max: hi,
        } = f.luma_stats();
        let mean = sum as f64 / n as f64;
        let mut index = self.index_of(f.time_s);
        while index >= MAX_BINS as u64 || self.bins.len() >= MAX_BINS {
            if self.bins.last().is_some_and(|b| b.0 == index) {
                break;
            }
            self.coarsen();
            index = self.index_of(f.time_s);
        }
        match self.bins.last_mut() {
            Some(b) if b.0 == index => {
                b.1 += 1;
                b.2 += mean;
                b.3 = b.3.min(lo);
                b.4 = b.4.max(hi);
            }
            _ => self.bins.push((index, 1, mean, lo, hi)),
        }
    }

    fn finish(self: Box<Self>, _ctx: &StreamContext, out: &mut PictureMeasurements) {
        if self.bins.is_empty() {
            return;
        }
        let bins = self
            .bins
            .iter()
            .map(|&(i, n, sum, lo, hi)| LumaBin {
                start_s: i as f64 * self.bin_s,
                frames: n,
                min: lo,
                mean: (sum / n as f64 * 1000.0).round() / 1000.0,
                max: hi,
            })
            .collect();
        out.luma = Some(LumaSeries {
            bit_depth: self.bit_depth,
            bin_s: self.bin_s,
            bins,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::picture::test_util::Owned;

    fn run(duration_s: Option<f64>, frames: u64, value: impl Fn(u64) -> u8) -> LumaSeries {
        let info = StreamInfo {
            width: 16,
            height: 16,
            fps: 25.0,
            duration_s,
            pixel_aspect: 1.0,
        };
        let mut d = Box::new(LumaDetector::new(&info));
        for i in 0..frames {
            let pic = Owned::flat(16, 16, value(i), 128, 128);
            d.frame(&pic.view(i, 25.0));
        }
        let mut out = PictureMeasurements::default();
        let ctx = StreamContext {
            stream_index: 0,
            frame_rate: (25, 1),
            start_timecode: None,
            frames,
            duration_s: frames as f64 / 25.0,
            field_order: None,
        };
        d.finish(&ctx, &mut out);
        out.luma.unwrap()
    }

    #[test]
    fn short_stream_has_a_bin_per_frame() {
        let s = run(Some(2.0), 50, |i| 16 + i as u8);
        assert_eq!(s.bins.len(), 50);
        assert_eq!(s.bins[3].mean, 19.0);
        assert_eq!((s.bins[3].min, s.bins[3].max), (19, 19));
        assert_eq!(s.bit_depth, 8);
    }

    #[test]
    fn long_or_unknown_streams_stay_bounded() {
        // An hour at 25 fps, stated as 60 s; and with no duration at all.
        for duration in [Some(60.0), None] {
            let s = run(duration, 90_000, |i| (i % 100) as u8 + 16);
            assert!(s.bins.len() <= MAX_BINS && s.bins.len() > MAX_BINS / 4);
            assert_eq!(s.bins.iter().map(|b| b.frames).sum::<u64>(), 90_000);
            assert_eq!(s.bins[0].min, 16);
            assert_eq!(s.bins[0].max, 115);
        }
    }

    #[test]
    fn stats_of_a_ten_bit_plane() {
        let data: Vec<u8> = [64u16, 940, 512, 512]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let p = Plane {
            data: &data,
            stride: 4,
            width: 2,
            height: 2,
            bytes_per_sample: 2,
        };
        assert_eq!(plane_stats(&p, &mut Rows::default()), (2028, 64, 940));
    }
}
