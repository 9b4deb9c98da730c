//! PSE screening per ITU-R BT.1702 flash limits (not a certified test).
//!
//! The luma plane is read on a grid of cells (8×8 pixels by default, 4
//! samples each, 2×2 evenly spaced: the flash areas BT.1702 speaks of are
//! a quarter of the screen, far above one cell); each sample's Y′ becomes luminance through the BT.1886
//! EOTF at the profile's display peak. A transition is a change of a cell's
//! luminance in one direction by at least 20 cd/m² whose darker end is below
//! 160 cd/m²; a flash is a pair of opposing transitions. A cell flashes too
//! fast at a frame when more than 3 flashes (7 or more transitions) fall
//! within the last second; a frame fails when such cells cover more than
//! 25 % of the screen. Red flashes are counted the same way on the
//! saturated-red value (R/(R+G+B) ≥ 0.8 in linear light, 320·(R−G−B)),
//! separately. Every output labels this "PSE screening, not a certified test".

use super::kernels::Rows;
use super::runs::Runs;
use super::{Detector, FrameView, Matrix, PictureMeasurements, StreamContext, StreamInfo};
use serde::{Deserialize, Serialize};

/// The words every output carries with a PSE result.
pub const LABEL: &str = "PSE screening, not a certified test";

/// Parameters (BT.1702 limits; the display is a profile choice).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PseOptions {
    /// Display peak white for the BT.1886 EOTF, cd/m².
    pub display_peak_cd_m2: f64,
    /// Display black for the BT.1886 EOTF, cd/m².
    pub display_black_cd_m2: f64,
    /// Smallest luminance change that is a transition, cd/m².
    pub min_change_cd_m2: f64,
    /// The darker end of a transition must be below this, cd/m².
    pub dark_limit_cd_m2: f64,
    /// More flashes than this within one second are harmful.
    pub max_flashes_per_s: u32,
    /// Harmful when the flashing covers more than this fraction of the screen.
    pub max_area: f64,
    /// Whether red flashes are counted.
    pub red: bool,
    /// Cell size in pixels (the grid the picture is read on).
    pub cell: usize,
}

impl Default for PseOptions {
    fn default() -> Self {
        PseOptions {
            display_peak_cd_m2: 200.0,
            display_black_cd_m2: 0.0,
            min_change_cd_m2: 20.0,
            dark_limit_cd_m2: 160.0,
            max_flashes_per_s: 3,
            max_area: 0.25,
            red: true,
            cell: 8,
        }
    }
}

/// What was measured on one stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PseResult {
    /// Always [`LABEL`].
    pub label: String,
    /// Display peak the luminance was computed for, cd/m².
    pub display_peak_cd_m2: f64,
    /// Flash limit used, flashes per second.
    pub max_flashes_per_s: u32,
    /// Area limit used, fraction of the screen.
    pub max_area: f64,
    /// Frames looked at.
    pub frames: u64,
    /// Largest fraction of the screen flashing over the limit at one frame.
    pub max_flash_area: f64,
    /// Largest fraction of the screen red-flashing over the limit at one frame.
    pub max_red_flash_area: f64,
    /// Whether red flashes were counted.
    pub red_checked: bool,
    /// Runs of frames where flashing over the limit covers more than `max_area`.
    pub flash_segments: Vec<super::Segment>,
    /// The same for red flashes.
    pub red_flash_segments: Vec<super::Segment>,
    /// No segment of either kind.
    pub passed: bool,
    /// The parameters it ran with.
    pub detector: PseOptions,
}

/// One cell's luminance history: the run it is in and its recent transitions.
#[derive(Debug, Clone, Copy)]
struct Track {
    dir: i8,
    anchor: f32,
    extreme: f32,
    lo: f32,
    hi: f32,
    counted: bool,
}

impl Default for Track {
    fn default() -> Self {
        Track {
            dir: 0,
            anchor: 0.0,
            extreme: 0.0,
            lo: f32::INFINITY,
            hi: f32::NEG_INFINITY,
            counted: false,
        }
    }
}

impl Track {
    /// Takes the next value; true when this completes a transition of at
    /// least `thr` whose darker end is below `dark`.
    fn step(&mut self, l: f32, thr: f32, dark: f32) -> bool {
        match self.dir {
            0 => {
                self.lo = self.lo.min(l);
                self.hi = self.hi.max(l);
                if l - self.lo >= thr {
                    (self.dir, self.anchor, self.extreme, self.counted) = (1, self.lo, l, false);
                } else if self.hi - l >= thr {
                    (self.dir, self.anchor, self.extreme, self.counted) = (-1, self.hi, l, false);
                } else {
                    return false;
                }
            }
            1 if l > self.extreme => self.extreme = l,
            1 if self.extreme - l >= thr => {
                (self.dir, self.anchor, self.extreme, self.counted) = (-1, self.extreme, l, false);
            }
            -1 if l < self.extreme => self.extreme = l,
            -1 if l - self.extreme >= thr => {
                (self.dir, self.anchor, self.extreme, self.counted) = (1, self.extreme, l, false);
            }
            _ => {}
        }
        if !self.counted
            && (self.extreme - self.anchor).abs() >= thr
            && self.anchor.min(self.extreme) < dark
        {
            self.counted = true;
            return true;
        }
        false
    }
}

/// Transition trackers for every cell, with the frame numbers of each
/// cell's last `k` transitions.
#[derive(Debug, Clone, Default)]
struct Grid {
    tracks: Vec<Track>,
    /// Each cell's value at the frame before (NaN before the first).
    last: Vec<f32>,
    times: Vec<u64>,
    seen: Vec<u32>,
    k: usize,
}

impl Grid {
    fn new(cells: usize, k: usize) -> Self {
        Grid {
            tracks: vec![Track::default(); cells],
            last: vec![f32::NAN; cells],
            times: vec![0; cells * k],
            seen: vec![0; cells],
            k,
        }
    }

    /// Feeds cell `c` its value at frame `index`; true when the cell has
    /// had `k` transitions within the last `window` frames.
    fn step(&mut self, c: usize, v: f32, thr: f32, dark: f32, index: u64, window: u64) -> bool {
        let k = self.k;
        // A track fed the value it was just fed stays as it is and
        // completes nothing (a still cell, a cell that is not red), so
        // only changed cells are stepped.
        let changed = v != self.last[c];
        self.last[c] = v;
        if changed && self.tracks[c].step(v, thr, dark) {
            let n = self.seen[c] as usize;
            self.times[c * k + n % k] = index;
            self.seen[c] = self.seen[c].saturating_add(1);
        }
        let n = self.seen[c] as usize;
        if n < k {
            return false;
        }
        let oldest = self.times[c * k + n % k];
        index - oldest < window
    }
}

/// Per-cell sums of one frame.
#[derive(Debug, Clone, Copy, Default)]
struct CellSum {
    lum: f32,
    y: u32,
    cb: u32,
    cr: u32,
    n: u32,
}

/// The transfer tables for one bit depth and range.
#[derive(Debug, Clone)]
struct Tables {
    depth: u8,
    full_range: bool,
    luminance: Vec<f32>,
    black: f32,
    luma_span: f32,
    chroma_span: f32,
    mid: f32,
}

/// Linear light (0–1) of a BT.1886 signal (0–1) at black 0, on 4096 steps.
fn linear_table() -> Vec<f32> {
    (0..4096).map(|i| (i as f32 / 4095.0).powf(2.4)).collect()
}

impl Tables {
    fn new(depth: u8, full_range: bool, o: &PseOptions) -> Self {
        let max = (1u32 << depth) - 1;
        let s = f32::from(1u16 << (depth - 8));
        let (black, white) = if full_range {
            (0.0, max as f32)
        } else {
            (16.0 * s, 235.0 * s)
        };
        let g = 1.0 / 2.4;
        let (lw, lb) = (o.display_peak_cd_m2.powf(g), o.display_black_cd_m2.powf(g));
        let a = (lw - lb).powf(2.4);
        let b = if lw > lb { lb / (lw - lb) } else { 0.0 };
        let luminance = (0..=max)
            .map(|c| {
                let v = ((c as f32 - black) / (white - black)).clamp(0.0, 1.0);
                (a * (f64::from(v) + b).max(0.0).powf(2.4)) as f32
            })
            .collect();
        Tables {
            depth,
            full_range,
            luminance,
            black,
            luma_span: white - black,
            chroma_span: if full_range { max as f32 } else { 224.0 * s },
            mid: f32::from(1u16 << (depth - 1)),
        }
    }
}

/// The saturated-red value of a cell's mean Y′CbCr (0 unless saturated red).
fn red_value(y: f32, cb: f32, cr: f32, t: &Tables, k: (f32, f32), lin: &[f32]) -> f32 {
    let (kr, kb) = k;
    let kg = 1.0 - kr - kb;
    let yn = (y - t.black) / t.luma_span;
    let (cbn, crn) = ((cb - t.mid) / t.chroma_span, (cr - t.mid) / t.chroma_span);
    let r = yn + 2.0 * (1.0 - kr) * crn;
    let g = yn - (2.0 * (1.0 - kb) * kb * cbn + 2.0 * (1.0 - kr) * kr * crn) / kg;
    let b = yn + 2.0 * (1.0 - kb) * cbn;
    // Rounded to the nearest table entry (v ≥ 0, so adding ½ and
    // truncating is `round`, without the call).
    let at = |v: f32| (v.clamp(0.0, 1.0) * 4095.0 + 0.5) as usize;
    let (ir, ig, ib) = (at(r), at(g), at(b));
    // The table rises with its index, so R at or below G (or B) in it is
    // at most half of R + G + B: never saturated red (nor is a dark cell).
    if ir <= ig || ir <= ib {
        return 0.0;
    }
    let (r, g, b) = (lin[ir], lin[ig], lin[ib]);
    let sum = r + g + b;
    if sum <= 0.0 || r / sum < 0.8 {
        return 0.0;
    }
    320.0 * (r - g - b).max(0.0)
}

/// The detector.
pub struct PseDetector {
    opts: PseOptions,
    window: u64,
    tables: Option<Tables>,
    linear: Vec<f32>,
    shape: (usize, usize),
    sums: Vec<CellSum>,
    luminance: Grid,
    red: Grid,
    frames: u64,
    max_area: f64,
    max_red_area: f64,
    flash_runs: Runs<f64>,
    red_runs: Runs<f64>,
    rows: [Rows; 3],
}

impl PseDetector {
    /// A detector for a stream described by `info`.
    pub fn new(opts: PseOptions, info: &StreamInfo) -> Self {
        let fps = if info.fps.is_finite() && info.fps > 0.0 {
            info.fps
        } else {
            25.0
        };
        PseDetector {
            window: (fps.round() as u64).max(1),
            tables: None,
            linear: linear_table(),
            shape: (0, 0),
            sums: Vec::new(),
            rows: Default::default(),
            luminance: Grid::default(),
            red: Grid::default(),
            frames: 0,
            max_area: 0.0,
            max_red_area: 0.0,
            flash_runs: Runs::default(),
            red_runs: Runs::default(),
            opts,
        }
    }

    /// Sizes the grid and tables for `f`, starting afresh when they change.
    fn prepare(&mut self, f: &FrameView<'_>) -> (usize, usize) {
        let cell = self
            .opts
            .cell
            .max(1)
            .min(f.y.width.max(1))
            .min(f.y.height.max(1));
        let shape = ((f.y.width / cell).max(1), (f.y.height / cell).max(1));
        let depth = f.bit_depth.clamp(8, 16);
        if self.tables.as_ref().map(|t| (t.depth, t.full_range)) != Some((depth, f.full_range)) {
            self.tables = Some(Tables::new(depth, f.full_range, &self.opts));
        }
        if shape != self.shape {
            let cells = shape.0 * shape.1;
            let k = 2 * self.opts.max_flashes_per_s as usize + 1;
            self.shape = shape;
            self.sums = vec![CellSum::default(); cells];
            self.luminance = Grid::new(cells, k);
            self.red = Grid::new(cells, k);
        }
        (cell, shape.0)
    }

    /// Sums 4 samples (2×2, evenly spaced) of each cell.
    fn sample(&mut self, f: &FrameView<'_>, cell: usize, cols: usize) {
        let t = self.tables.as_ref().expect("prepared");
        let step = (cell / 2).max(1);
        // The columns sampled inside a cell (0 and `step` for even cells).
        let offsets: Vec<usize> = (0..cell).step_by(step).collect();
        let (sx, sy) = (usize::from(f.chroma_shift.0), usize::from(f.chroma_shift.1));
        let chroma = self.opts.red && f.u.width > 0 && f.v.width > 0;
        self.sums.iter_mut().for_each(|s| *s = CellSum::default());
        let lut = &t.luminance[..];
        let top = lut.len() - 1;
        let [ry, ru, rv] = &mut self.rows;
        for cy in 0..self.shape.1 {
            let sums = &mut self.sums[cy * cols..(cy + 1) * cols];
            for dy in (0..cell).step_by(step) {
                let y = cy * cell + dy;
                let luma = ry.row(&f.y, y);
                let cells = sums.iter_mut().zip(luma.chunks_exact(cell));
                if !chroma {
                    for (s, part) in cells {
                        for &o in &offsets {
                            s.lum += lut[usize::from(part[o]).min(top)];
                            s.n += 1;
                        }
                    }
                    continue;
                }
                let crow = (y >> sy).min(f.u.height.saturating_sub(1));
                let (cb, cr) = (ru.row(&f.u, crow), rv.row(&f.v, crow));
                let last = cb.len().min(cr.len()).saturating_sub(1);
                for (cx, (s, part)) in cells.enumerate() {
                    for &o in &offsets {
                        let v = part[o];
                        s.lum += lut[usize::from(v).min(top)];
                        s.n += 1;
                        s.y += u32::from(v);
                        let c = ((cx * cell + o) >> sx).min(last);
                        s.cb += u32::from(cb[c]);
                        s.cr += u32::from(cr[c]);
                    }
                }
            }
        }
    }
}

fn matrix_k(m: Matrix) -> (f32, f32) {
    match m {
        Matrix::Bt601 => (0.299, 0.114),
        Matrix::Bt709 => (0.2126, 0.0722),
        Matrix::Bt2020 => (0.2627, 0.0593),
    }
}

impl Detector for PseDetector {
    fn frame(&mut self, f: &FrameView<'_>) {
        if f.y.width == 0 || f.y.height == 0 {
            return;
        }
        let (cell, cols) = self.prepare(f);
        self.sample(f, cell, cols);
        let t = self.tables.as_ref().expect("prepared");
        let o = &self.opts;
        let (thr, dark) = (o.min_change_cd_m2 as f32, o.dark_limit_cd_m2 as f32);
        let k = matrix_k(f.matrix);
        let (mut flashing, mut red_flashing) = (0usize, 0usize);
        for (c, s) in self.sums.iter().enumerate() {
            let n = s.n.max(1) as f32;
            if self
                .luminance
                .step(c, s.lum / n, thr, dark, f.index, self.window)
            {
                flashing += 1;
            }
            if o.red {
                let red = red_value(
                    s.y as f32 / n,
                    s.cb as f32 / n,
                    s.cr as f32 / n,
                    t,
                    k,
                    &self.linear,
                );
                if self
                    .red
                    .step(c, red, 20.0, f32::INFINITY, f.index, self.window)
                {
                    red_flashing += 1;
                }
            }
        }
        let cells = self.sums.len().max(1) as f64;
        let (area, red_area) = (flashing as f64 / cells, red_flashing as f64 / cells);
        self.frames += 1;
        self.max_area = self.max_area.max(area);
        self.max_red_area = self.max_red_area.max(red_area);
        let limit = self.opts.max_area;
        for (runs, a) in [(&mut self.flash_runs, area), (&mut self.red_runs, red_area)] {
            if a > limit {
                runs.hit(f.index, f.time_s, a, |w, v| *w = w.max(v));
            } else {
                runs.miss(f.index, f.time_s);
            }
        }
    }

    fn finish(self: Box<Self>, ctx: &StreamContext, out: &mut PictureMeasurements) {
        let o = &self.opts;
        let describe = |what: &'static str| {
            let n = o.max_flashes_per_s;
            move |a: &f64| {
                format!(
                    "{what} over {n} per second on up to {:.0} % of the screen ({LABEL})",
                    a * 100.0
                )
            }
        };
        let flash_segments = self.flash_runs.segments(ctx, 0.0, describe("flashes"));
        let red_flash_segments = self.red_runs.segments(ctx, 0.0, describe("red flashes"));
        out.pse = Some(PseResult {
            label: LABEL.to_string(),
            display_peak_cd_m2: o.display_peak_cd_m2,
            max_flashes_per_s: o.max_flashes_per_s,
            max_area: o.max_area,
            frames: self.frames,
            max_flash_area: self.max_area,
            max_red_flash_area: self.max_red_area,
            red_checked: o.red,
            passed: flash_segments.is_empty() && red_flash_segments.is_empty(),
            flash_segments,
            red_flash_segments,
            detector: o.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::Owned;
    use super::*;

    const W: usize = 64;
    const H: usize = 48;
    const FPS: f64 = 60.0;

    /// `seconds` of a picture alternating between `a` and `b` at `hz`
    /// (a full cycle is one flash), on the left `share` of the screen's
    /// width; the rest stays at `a`.
    fn flashing(hz: f64, seconds: f64, share: f64, a: (u8, u8, u8), b: (u8, u8, u8)) -> Vec<Owned> {
        let frames = (seconds * FPS) as usize;
        let edge = (W as f64 * share).round() as usize;
        (0..frames)
            .map(|i| {
                let phase = (i as f64 * hz / FPS).fract();
                let on = phase >= 0.5;
                let mut o = Owned::flat(W, H, a.0, a.1, a.2);
                if on {
                    for y in 0..H {
                        o.y[y * W..y * W + edge].fill(b.0);
                    }
                    for y in 0..H / 2 {
                        o.u[y * W / 2..y * W / 2 + edge / 2].fill(b.1);
                        o.v[y * W / 2..y * W / 2 + edge / 2].fill(b.2);
                    }
                }
                o
            })
            .collect()
    }

    fn run(frames: &[Owned], opts: PseOptions) -> PseResult {
        let info = StreamInfo {
            width: W,
            height: H,
            fps: FPS,
            ..Default::default()
        };
        let mut d = Box::new(PseDetector::new(opts, &info));
        for (i, f) in frames.iter().enumerate() {
            d.frame(&f.view(i as u64, FPS));
        }
        let ctx = StreamContext {
            stream_index: 0,
            frame_rate: (60, 1),
            start_timecode: None,
            frames: frames.len() as u64,
            duration_s: frames.len() as f64 / FPS,
            field_order: None,
        };
        let mut out = PictureMeasurements::default();
        d.finish(&ctx, &mut out);
        out.pse.unwrap()
    }

    const BLACK: (u8, u8, u8) = (16, 128, 128);
    const WHITE: (u8, u8, u8) = (235, 128, 128);
    // BT.709 100 % red.
    const RED: (u8, u8, u8) = (63, 102, 240);

    #[test]
    fn full_screen_10hz_black_white_fails() {
        let r = run(
            &flashing(10.0, 3.0, 1.0, BLACK, WHITE),
            PseOptions::default(),
        );
        assert!(!r.passed);
        assert_eq!(r.label, LABEL);
        assert_eq!(r.max_flash_area, 1.0);
        assert_eq!(r.flash_segments.len(), 1, "{r:?}");
        let s = &r.flash_segments[0];
        // The 7th transition of a 10 Hz flash that starts on black comes at
        // 0.3 s (edges every 0.05 s from 0.05 s).
        assert!((s.start_s - 0.35).abs() < 0.02, "{s:?}");
        assert!((s.end_s - 3.0).abs() < 0.02, "{s:?}");
        assert!(r.red_flash_segments.is_empty());
    }

    #[test]
    fn full_screen_2hz_passes() {
        let r = run(
            &flashing(2.0, 4.0, 1.0, BLACK, WHITE),
            PseOptions::default(),
        );
        assert!(r.passed, "{r:?}");
        assert_eq!(r.max_flash_area, 0.0);
    }

    #[test]
    fn three_per_second_is_the_limit_and_four_fail() {
        assert!(
            run(
                &flashing(3.0, 4.0, 1.0, BLACK, WHITE),
                PseOptions::default()
            )
            .passed
        );
        assert!(
            !run(
                &flashing(4.0, 4.0, 1.0, BLACK, WHITE),
                PseOptions::default()
            )
            .passed
        );
    }

    #[test]
    fn ten_hz_on_a_fifth_of_the_screen_passes_and_on_a_third_fails() {
        let r = run(
            &flashing(10.0, 3.0, 0.2, BLACK, WHITE),
            PseOptions::default(),
        );
        assert!(r.passed, "{r:?}");
        assert!(r.max_flash_area > 0.1 && r.max_flash_area <= 0.25, "{r:?}");
        let r = run(
            &flashing(10.0, 3.0, 0.33, BLACK, WHITE),
            PseOptions::default(),
        );
        assert!(!r.passed, "{r:?}");
    }

    #[test]
    fn bright_flashes_above_the_dark_limit_pass() {
        // 200 cd/m² peak: Y′ 220 ≈ 169 cd/m², 235 = 200: both ends above 160.
        let r = run(
            &flashing(10.0, 3.0, 1.0, (220, 128, 128), WHITE),
            PseOptions::default(),
        );
        assert!(r.passed, "{r:?}");
        // Small changes (Y′ 16 ↔ 40: ~0 ↔ 1.2 cd/m²) pass.
        let r = run(
            &flashing(10.0, 3.0, 1.0, BLACK, (40, 128, 128)),
            PseOptions::default(),
        );
        assert!(r.passed, "{r:?}");
    }

    #[test]
    fn five_hz_saturated_red_fails_as_red() {
        let r = run(&flashing(5.0, 3.0, 1.0, BLACK, RED), PseOptions::default());
        assert!(!r.red_flash_segments.is_empty(), "{r:?}");
        assert!(!r.passed);
        // A dim red that changes luminance too little still flashes red.
        let dim_red = run(
            &flashing(5.0, 3.0, 1.0, BLACK, RED),
            PseOptions {
                display_peak_cd_m2: 40.0,
                ..PseOptions::default()
            },
        );
        assert!(dim_red.flash_segments.is_empty(), "{dim_red:?}");
        assert!(!dim_red.red_flash_segments.is_empty());
        let off = run(
            &flashing(5.0, 3.0, 1.0, BLACK, RED),
            PseOptions {
                red: false,
                display_peak_cd_m2: 40.0,
                ..PseOptions::default()
            },
        );
        assert!(off.passed);
    }

    #[test]
    fn a_track_fed_the_same_value_again_does_not_change() {
        // Grid::step skips a cell whose value did not change; that is
        // only right if stepping a track twice with one value is stepping
        // it once, from every state a sequence can reach.
        let values = [
            0.0f32, 5.0, 30.0, 25.0, 0.0, 170.0, 200.0, 150.0, 10.0, 10.0, 180.0,
        ];
        for start in 0..values.len() {
            let mut once = Track::default();
            for &v in &values[..start] {
                once.step(v, 20.0, 160.0);
            }
            let v = values[start];
            once.step(v, 20.0, 160.0);
            let mut twice = once;
            assert!(!twice.step(v, 20.0, 160.0), "at {start}");
            assert_eq!(format!("{once:?}"), format!("{twice:?}"), "at {start}");
        }
    }

    #[test]
    fn the_linear_table_rises() {
        // red_value's shortcut (R at or below G or B in the table is not red) needs it.
        let lin = linear_table();
        assert!(lin.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn bt1886_at_the_peak() {
        let t = Tables::new(8, false, &PseOptions::default());
        assert_eq!(t.luminance[16], 0.0);
        assert!((t.luminance[235] - 200.0).abs() < 1e-3);
        // Half signal: 200 × 0.5^2.4 ≈ 37.9 cd/m².
        let mid = 16 + 219 / 2;
        let v = (mid as f64 - 16.0) / 219.0;
        assert!((f64::from(t.luminance[mid]) - 200.0 * v.powf(2.4)).abs() < 1e-3);
        let t10 = Tables::new(10, false, &PseOptions::default());
        assert!((t10.luminance[940] - 200.0).abs() < 1e-3);
    }
}
