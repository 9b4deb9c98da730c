//! Video levels: Y′ and R′G′B′ excursions outside the profile's range (EBU R 103).
//!
//! Ranges are given in 8-bit narrow-range code values (R 103: 5–246 for
//! Y′ and for R′G′B′, about −5 % … +105 %) and scaled to the stream's bit
//! depth (10-bit: 20–984). A frame is out of range when the samples outside
//! cover at least the profile's area (R 103: 1 % of the picture). Y′ is
//! checked on every sample; R′G′B′ is converted with the stream's matrix at
//! every chroma site, with Y′ averaged over the pixels that site covers (a
//! 4:2:2 frame is judged at half its horizontal resolution, the chroma's
//! own), so an edge the chroma subsampling softens is not an excursion.
//! R 103's low-pass filter against transients is not otherwise applied, so
//! short overshoots count (a little stricter than R 103).

use super::kernels::{self, RgbCoefficients, Rows};
use super::runs::Runs;
use super::{Detector, FrameView, Matrix, PictureMeasurements, StreamContext, StreamInfo};
use serde::{Deserialize, Serialize};

/// Parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LevelsOptions {
    /// Lowest and highest legal Y′, 8-bit narrow-range code values.
    pub luma_range_8bit: (f64, f64),
    /// Lowest and highest legal R′, G′ and B′, 8-bit narrow-range code values.
    pub rgb_range_8bit: (f64, f64),
    /// Whether R′G′B′ is checked at all.
    pub check_rgb: bool,
    /// Fraction of the picture Y′ must be outside for a frame to count.
    pub luma_min_area: f64,
    /// Fraction of the picture R′G′B′ must be outside for a frame to count.
    pub rgb_min_area: f64,
}

impl Default for LevelsOptions {
    fn default() -> Self {
        LevelsOptions {
            luma_range_8bit: (5.0, 246.0),
            rgb_range_8bit: (5.0, 246.0),
            check_rgb: true,
            luma_min_area: 0.01,
            rgb_min_area: 0.01,
        }
    }
}

/// What was measured on one stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct LevelsResult {
    /// Legal Y′ at the stream's depth, code values (inclusive).
    pub luma_range: [i32; 2],
    /// Legal R′G′B′ at the stream's depth, code values (inclusive).
    pub rgb_range: [i32; 2],
    /// Whether R′G′B′ was checked.
    pub rgb_checked: bool,
    /// Y′ area that makes a frame count, fraction of the picture.
    pub luma_min_area: f64,
    /// R′G′B′ area that makes a frame count, fraction of the picture.
    pub rgb_min_area: f64,
    /// Frames looked at.
    pub frames: u64,
    /// Frames with at least `luma_min_area` of Y′ outside the range.
    pub luma_frames_out_of_range: u64,
    /// Frames with at least `rgb_min_area` of R′G′B′ outside the range.
    pub rgb_frames_out_of_range: u64,
    /// Largest fraction of one frame with Y′ outside the range.
    pub max_luma_area: f64,
    /// Largest fraction of one frame with R′G′B′ outside the range.
    pub max_rgb_area: f64,
    /// Lowest and highest Y′ seen, code values.
    pub luma_min_max: [i32; 2],
    /// Lowest and highest R′, G′ or B′ seen, code values (may be outside the code range).
    pub rgb_min_max: [i32; 2],
    /// Runs of frames with Y′ out of range, with the worst value and area.
    pub luma_segments: Vec<super::Segment>,
    /// Runs of frames with R′G′B′ out of range, with the worst value and area.
    pub rgb_segments: Vec<super::Segment>,
    /// The parameters it ran with.
    pub detector: LevelsOptions,
}

/// The worst of a run of out-of-range frames: area, lowest and highest value.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Worst {
    area: f64,
    min_max: [i32; 2],
}

impl Worst {
    fn merge(&mut self, o: Worst) {
        self.area = self.area.max(o.area);
        self.min_max = [
            self.min_max[0].min(o.min_max[0]),
            self.min_max[1].max(o.min_max[1]),
        ];
    }
}

/// The detector.
pub struct LevelsDetector {
    opts: LevelsOptions,
    result: LevelsResult,
    luma_runs: Runs<Worst>,
    rgb_runs: Runs<Worst>,
    scratch: Scratch,
}

impl LevelsDetector {
    /// A detector for a stream described by `info`.
    pub fn new(opts: LevelsOptions, _info: &StreamInfo) -> Self {
        LevelsDetector {
            opts,
            result: LevelsResult {
                luma_min_max: [i32::MAX, i32::MIN],
                rgb_min_max: [i32::MAX, i32::MIN],
                ..LevelsResult::default()
            },
            luma_runs: Runs::default(),
            rgb_runs: Runs::default(),
            scratch: Scratch::default(),
        }
    }
}

/// An 8-bit narrow-range code value at `depth` and range, rounded.
fn scale(value_8bit: f64, depth: u8, full_range: bool) -> i32 {
    let v = if full_range {
        let max = f64::from((1u32 << depth) - 1);
        (value_8bit - 16.0) / 219.0 * max
    } else {
        value_8bit * f64::from(1u32 << (depth - 8))
    };
    v.round() as i32
}

/// Counts of Y′ samples outside `lo..=hi`, with the lowest and highest
/// seen: none when the frame's lowest and highest Y′ (which the luma graph
/// needs too) are inside, else counted row by row.
fn luma_excursions(f: &FrameView<'_>, lo: i32, hi: i32, rows: &mut Rows) -> (u64, [i32; 2]) {
    let y = &f.y;
    if y.width > 0 && y.height > 0 {
        let s = f.luma_stats();
        let (min, max) = (i32::from(s.min), i32::from(s.max));
        if min >= lo && max <= hi {
            return (0, [min, max]);
        }
    }
    let (lo, hi) = (lo.clamp(0, 65_535) as u16, hi.clamp(0, 65_535) as u16);
    let mut outside = 0u64;
    let (mut min, mut max) = (i32::MAX, i32::MIN);
    for row in 0..y.height {
        let (n, lo_s, hi_s) = kernels::outside_min_max(rows.row(y, row), lo, hi);
        outside += u64::from(n);
        if y.width > 0 {
            min = min.min(i32::from(lo_s));
            max = max.max(i32::from(hi_s));
        }
    }
    (outside, [min, max])
}

/// Y′CbCr → R′G′B′ in code values at one depth and range, fixed point.
#[derive(Debug, Clone, Copy)]
struct ToRgb {
    mid: i32,
    r_cr: i32,
    g_cb: i32,
    g_cr: i32,
    b_cb: i32,
}

const FRAC: i32 = 16;

impl ToRgb {
    fn new(matrix: Matrix, depth: u8, full_range: bool) -> Self {
        let (kr, kb) = match matrix {
            Matrix::Bt601 => (0.299, 0.114),
            Matrix::Bt709 => (0.2126, 0.0722),
            Matrix::Bt2020 => (0.2627, 0.0593),
        };
        let kg = 1.0 - kr - kb;
        // Narrow range: chroma spans 224 steps where luma spans 219.
        let k = if full_range { 1.0 } else { 219.0 / 224.0 };
        let fx = |v: f64| (v * k * f64::from(1 << FRAC)).round() as i32;
        ToRgb {
            mid: 1 << (depth - 1),
            r_cr: fx(2.0 * (1.0 - kr)),
            g_cb: fx(2.0 * (1.0 - kb) * kb / kg),
            g_cr: fx(2.0 * (1.0 - kr) * kr / kg),
            b_cb: fx(2.0 * (1.0 - kb)),
        }
    }

    #[inline]
    fn rgb(&self, y: i32, cb: i32, cr: i32) -> [i32; 3] {
        let (cb, cr) = (i64::from(cb - self.mid), i64::from(cr - self.mid));
        let half = 1i64 << (FRAC - 1);
        let y = i64::from(y);
        let r = y + ((i64::from(self.r_cr) * cr + half) >> FRAC);
        let g = y - ((i64::from(self.g_cb) * cb + i64::from(self.g_cr) * cr + half) >> FRAC);
        let b = y + ((i64::from(self.b_cb) * cb + half) >> FRAC);
        [r as i32, g as i32, b as i32]
    }
}

/// Scratch rows of the levels detector.
#[derive(Debug, Default)]
struct Scratch {
    luma: [Rows; 2],
    cb: Rows,
    cr: Rows,
    avg: Vec<u16>,
}

/// [`rgb_excursions`] with the row kernels, for samples of up to 12 bits
/// and chroma subsampled by at most 2 each way (the same answer).
fn rgb_excursions_fast(
    f: &FrameView<'_>,
    conv: ToRgb,
    lo: i32,
    hi: i32,
    s: &mut Scratch,
) -> Option<(u64, u64, [i32; 2])> {
    let (sx, sy) = (usize::from(f.chroma_shift.0), usize::from(f.chroma_shift.1));
    if f.bit_depth > 12 || sx > 1 || sy > 1 {
        return None;
    }
    let k = RgbCoefficients {
        mid: conv.mid,
        r_cr: conv.r_cr,
        g_cb: conv.g_cb,
        g_cr: conv.g_cr,
        b_cb: conv.b_cb,
    };
    let (cw, ch) = (f.u.width.min(f.v.width), f.u.height.min(f.v.height));
    let mut outside = 0u64;
    let mut sites = 0u64;
    let (mut min, mut max) = (i32::MAX, i32::MIN);
    for cy in 0..ch {
        let ly = cy << sy;
        if ly >= f.y.height {
            break;
        }
        let n_rows = (1usize << sy).min(f.y.height - ly);
        let n_sites = cw.min((f.y.width + (1 << sx) - 1) >> sx);
        let [l0, l1] = &mut s.luma;
        let r0 = l0.row(&f.y, ly);
        let r1 = (n_rows == 2).then(|| l1.row(&f.y, ly + 1));
        let cb = &s.cb.row(&f.u, cy)[..n_sites];
        let cr = &s.cr.row(&f.v, cy)[..n_sites];
        // Whole 2-sample sites (even width): Y′ averaged inside the kernel.
        let whole = sx == 1 && 2 * n_sites <= f.y.width;
        let (n, l, h) = match r1 {
            _ if sx == 1 && !whole => {
                let rows: Vec<&[u16]> = [Some(r0), r1].into_iter().flatten().collect();
                kernels::luma_at_chroma(&rows, sx, n_sites, &mut s.avg);
                kernels::rgb_outside(&s.avg, cb, cr, k, lo, hi)
            }
            None if sx == 1 => kernels::rgb_outside_pairs(&r0[..2 * n_sites], cb, cr, k, lo, hi),
            Some(r1) if sx == 1 => {
                let m = 2 * n_sites;
                kernels::rgb_outside_quads(&r0[..m], &r1[..m], cb, cr, k, lo, hi)
            }
            None => kernels::rgb_outside(&r0[..n_sites], cb, cr, k, lo, hi),
            Some(r1) => {
                kernels::luma_at_chroma(&[r0, r1], sx, n_sites, &mut s.avg);
                kernels::rgb_outside(&s.avg, cb, cr, k, lo, hi)
            }
        };
        outside += u64::from(n);
        if n_sites > 0 {
            min = min.min(l);
            max = max.max(h);
        }
        sites += n_sites as u64;
    }
    Some((outside, sites, [min, max]))
}

/// Chroma sites with any of R′G′B′ outside `lo..=hi`, the number of sites,
/// and the lowest and highest component seen.
fn rgb_excursions(f: &FrameView<'_>, conv: ToRgb, lo: i32, hi: i32) -> (u64, u64, [i32; 2]) {
    let (sx, sy) = (usize::from(f.chroma_shift.0), usize::from(f.chroma_shift.1));
    let (cw, ch) = (f.u.width.min(f.v.width), f.u.height.min(f.v.height));
    let mut outside = 0u64;
    let mut sites = 0u64;
    let (mut min, mut max) = (i32::MAX, i32::MIN);
    let (bw, bh) = (1usize << sx, 1usize << sy);
    for cy in 0..ch {
        let ly = cy << sy;
        if ly >= f.y.height {
            break;
        }
        let rows = bh.min(f.y.height - ly);
        for cx in 0..cw {
            let lx = cx << sx;
            if lx >= f.y.width {
                break;
            }
            // Y′ averaged over the pixels this chroma sample covers: R′G′B′
            // at the chroma's own resolution, so a sharp colour edge is not
            // read as an excursion the subsampling made.
            let cols = bw.min(f.y.width - lx);
            let mut sum = 0u32;
            for dy in 0..rows {
                for dx in 0..cols {
                    sum += u32::from(f.y.sample(lx + dx, ly + dy));
                }
            }
            let n = (rows * cols) as u32;
            let y = ((sum + n / 2) / n) as i32;
            let [r, g, b] = conv.rgb(
                y,
                i32::from(f.u.sample(cx, cy)),
                i32::from(f.v.sample(cx, cy)),
            );
            let lo_c = r.min(g).min(b);
            let hi_c = r.max(g).max(b);
            outside += u64::from(lo_c < lo || hi_c > hi);
            min = min.min(lo_c);
            max = max.max(hi_c);
            sites += 1;
        }
    }
    (outside, sites, [min, max])
}

fn percent(area: f64) -> String {
    format!("{:.2} %", area * 100.0)
}

impl Detector for LevelsDetector {
    fn frame(&mut self, f: &FrameView<'_>) {
        let (depth, full) = (f.bit_depth.clamp(8, 16), f.full_range);
        let luma = (
            scale(self.opts.luma_range_8bit.0, depth, full),
            scale(self.opts.luma_range_8bit.1, depth, full),
        );
        let rgb = (
            scale(self.opts.rgb_range_8bit.0, depth, full),
            scale(self.opts.rgb_range_8bit.1, depth, full),
        );
        self.result.luma_range = [luma.0, luma.1];
        self.result.rgb_range = [rgb.0, rgb.1];
        let pixels = (f.y.width * f.y.height).max(1) as f64;
        let (y_out, y_mm) = luma_excursions(f, luma.0, luma.1, &mut self.scratch.luma[0]);
        let luma_area = y_out as f64 / pixels;
        let (rgb_area, rgb_mm) = if self.opts.check_rgb && f.u.width > 0 && f.v.width > 0 {
            let conv = ToRgb::new(f.matrix, depth, full);
            let (out, sites, mm) = rgb_excursions_fast(f, conv, rgb.0, rgb.1, &mut self.scratch)
                .unwrap_or_else(|| rgb_excursions(f, conv, rgb.0, rgb.1));
            (out as f64 / sites.max(1) as f64, mm)
        } else {
            (0.0, [i32::MAX, i32::MIN])
        };
        let r = &mut self.result;
        r.frames += 1;
        r.max_luma_area = r.max_luma_area.max(luma_area);
        r.max_rgb_area = r.max_rgb_area.max(rgb_area);
        r.luma_min_max = [
            r.luma_min_max[0].min(y_mm[0]),
            r.luma_min_max[1].max(y_mm[1]),
        ];
        r.rgb_min_max = [
            r.rgb_min_max[0].min(rgb_mm[0]),
            r.rgb_min_max[1].max(rgb_mm[1]),
        ];
        let (luma_hit, rgb_hit) = (
            luma_area >= self.opts.luma_min_area,
            rgb_area >= self.opts.rgb_min_area,
        );
        r.luma_frames_out_of_range += u64::from(luma_hit);
        r.rgb_frames_out_of_range += u64::from(rgb_hit);
        for (runs, hit, area, min_max) in [
            (&mut self.luma_runs, luma_hit, luma_area, y_mm),
            (&mut self.rgb_runs, rgb_hit, rgb_area, rgb_mm),
        ] {
            if hit {
                runs.hit(f.index, f.time_s, Worst { area, min_max }, Worst::merge);
            } else {
                runs.miss(f.index, f.time_s);
            }
        }
    }

    fn finish(self: Box<Self>, ctx: &StreamContext, out: &mut PictureMeasurements) {
        let mut result = self.result;
        result.detector = self.opts.clone();
        result.rgb_checked = self.opts.check_rgb;
        result.luma_min_area = self.opts.luma_min_area;
        result.rgb_min_area = self.opts.rgb_min_area;
        if result.luma_min_max[0] > result.luma_min_max[1] {
            result.luma_min_max = [0, 0];
        }
        if result.rgb_min_max[0] > result.rgb_min_max[1] {
            result.rgb_min_max = [0, 0];
        }
        let describe = |what: &'static str, range: [i32; 2]| {
            move |w: &Worst| {
                format!(
                    "{what} outside {}–{} on up to {} of the picture (lowest {}, highest {})",
                    range[0],
                    range[1],
                    percent(w.area),
                    w.min_max[0],
                    w.min_max[1]
                )
            }
        };
        result.luma_segments = self
            .luma_runs
            .segments(ctx, 0.0, describe("Y′", result.luma_range));
        result.rgb_segments =
            self.rgb_runs
                .segments(ctx, 0.0, describe("R′G′B′", result.rgb_range));
        out.levels = Some(result);
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::Owned;
    use super::*;
    use crate::picture::Plane;

    fn ctx(frames: u64, fps: f64) -> StreamContext {
        StreamContext {
            stream_index: 0,
            frame_rate: (fps as u32, 1),
            start_timecode: Some("10:00:00:00".into()),
            frames,
            duration_s: frames as f64 / fps,
            field_order: None,
        }
    }

    fn info() -> StreamInfo {
        StreamInfo {
            width: 64,
            height: 64,
            fps: 25.0,
            ..Default::default()
        }
    }

    fn run(frames: &[Owned], opts: LevelsOptions) -> LevelsResult {
        let mut d = Box::new(LevelsDetector::new(opts, &info()));
        for (i, f) in frames.iter().enumerate() {
            d.frame(&f.view(i as u64, 25.0));
        }
        let mut out = PictureMeasurements::default();
        d.finish(&ctx(frames.len() as u64, 25.0), &mut out);
        out.levels.unwrap()
    }

    /// A grey picture with `n` luma samples set to `value`.
    fn with_luma(n: usize, value: u8) -> Owned {
        let mut o = Owned::flat(64, 64, 128, 128, 128);
        o.y[..n].fill(value);
        o
    }

    #[test]
    fn counts_only_from_the_area_threshold() {
        // 64×64 = 4096 samples; 1 % is 40.96: 41 samples count, 40 do not.
        let frames = vec![with_luma(40, 255), with_luma(41, 255), with_luma(41, 2)];
        let luma_only = LevelsOptions {
            check_rgb: false,
            ..LevelsOptions::default()
        };
        let r = run(&frames, luma_only);
        assert_eq!(r.luma_range, [5, 246]);
        assert_eq!(r.luma_frames_out_of_range, 2);
        assert_eq!(r.luma_min_max, [2, 255]);
        assert!((r.max_luma_area - 41.0 / 4096.0).abs() < 1e-12);
        assert_eq!(r.luma_segments.len(), 1);
        let s = &r.luma_segments[0];
        assert_eq!((s.start_frame, s.end_frame), (1, 3));
        assert_eq!(s.start_tc.as_deref(), Some("10:00:00:01"));
        assert!(s
            .detail
            .as_deref()
            .unwrap()
            .contains("lowest 2, highest 255"));
    }

    #[test]
    fn legal_edges_are_legal() {
        let frames = vec![with_luma(4096, 5), with_luma(4096, 246)];
        let r = run(&frames, LevelsOptions::default());
        assert_eq!(r.luma_frames_out_of_range + r.rgb_frames_out_of_range, 0);
        assert!(r.luma_segments.is_empty() && r.rgb_segments.is_empty());
    }

    #[test]
    fn saturated_colour_is_an_rgb_excursion_with_legal_luma() {
        // BT.709 Y′=63 Cb=102 Cr=240 is 100 % red (R′=235, G′=B′=16); with
        // more Y′ and Cr, R′ goes over 246 while Y′ stays legal.
        let legal = Owned::flat(64, 64, 63, 102, 240);
        let r = run(&[legal], LevelsOptions::default());
        assert_eq!(r.rgb_frames_out_of_range, 0, "{r:?}");
        let over = Owned::flat(64, 64, 81, 90, 255);
        let r = run(&[over], LevelsOptions::default());
        assert_eq!(r.rgb_frames_out_of_range, 1);
        assert_eq!(r.luma_frames_out_of_range, 0);
        assert_eq!(r.rgb_segments.len(), 1);
        assert_eq!(r.max_luma_area, 0.0);
        assert_eq!(r.max_rgb_area, 1.0);
        assert!(r.rgb_min_max[1] > 246, "{r:?}");
        let off = LevelsOptions {
            check_rgb: false,
            ..LevelsOptions::default()
        };
        assert_eq!(
            run(&[Owned::flat(64, 64, 81, 90, 255)], off).rgb_frames_out_of_range,
            0
        );
    }

    #[test]
    fn matrix_converts_known_colours() {
        let c = ToRgb::new(Matrix::Bt709, 8, false);
        // Grey, and BT.709 narrow-range 100 % red.
        assert_eq!(c.rgb(180, 128, 128), [180, 180, 180]);
        let [r, g, b] = c.rgb(63, 102, 240); // 100 % red
        assert!(
            (r - 235).abs() <= 1 && (g - 16).abs() <= 1 && (b - 16).abs() <= 1,
            "{r} {g} {b}"
        );
        let c10 = ToRgb::new(Matrix::Bt709, 10, false);
        let [r, g, b] = c10.rgb(252, 408, 960);
        assert!(
            (r - 940).abs() <= 2 && (g - 64).abs() <= 2 && (b - 64).abs() <= 2,
            "{r} {g} {b}"
        );
    }

    #[test]
    fn ranges_scale_with_bit_depth() {
        assert_eq!(scale(5.0, 10, false), 20);
        assert_eq!(scale(246.0, 10, false), 984);
        assert_eq!(scale(246.0, 12, false), 3936);
        assert_eq!(scale(16.0, 10, true), 0);
        assert_eq!(scale(235.0, 8, true), 255);
    }

    #[test]
    fn ten_bit_planes_use_ten_bit_ranges() {
        let (w, h) = (16usize, 16usize);
        // 10-bit samples: 1000 is over 984 but a 8-bit test would call 1000>>2=250 over 246 too;
        // 990 is over 984, while 990>>2 = 247 … use 985 (246.25 in 8-bit terms).
        let mut y: Vec<u8> = Vec::new();
        for i in 0..w * h {
            let v: u16 = if i < 3 { 985 } else { 500 };
            y.extend_from_slice(&v.to_le_bytes());
        }
        let c: Vec<u8> = std::iter::repeat_n(512u16.to_le_bytes(), w * h / 4)
            .flatten()
            .collect();
        fn plane(d: &[u8], pw: usize, ph: usize) -> Plane<'_> {
            Plane {
                data: d,
                stride: pw * 2,
                width: pw,
                height: ph,
                bytes_per_sample: 2,
            }
        }
        let f = FrameView {
            index: 0,
            time_s: 0.0,
            width: w,
            height: h,
            bit_depth: 10,
            full_range: false,
            matrix: Matrix::Bt709,
            chroma_shift: (1, 1),
            interlaced_flag: false,
            top_field_first: false,
            y: plane(&y, w, h),
            u: plane(&c, w / 2, h / 2),
            v: plane(&c, w / 2, h / 2),
            source: None,
            cache: None,
        };
        let mut d = Box::new(LevelsDetector::new(LevelsOptions::default(), &info()));
        d.frame(&f);
        let mut out = PictureMeasurements::default();
        d.finish(&ctx(1, 25.0), &mut out);
        let r = out.levels.unwrap();
        assert_eq!(r.luma_range, [20, 984]);
        assert_eq!(r.luma_min_max, [500, 985]);
        assert_eq!(r.luma_frames_out_of_range, 1); // 3/256 > 1 %
        assert!((r.max_luma_area - 3.0 / 256.0).abs() < 1e-12);
    }
}
