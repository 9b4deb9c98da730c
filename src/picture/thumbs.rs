//! Thumbnails for reports, taken from the picture stage's one decode: a
//! few small pictures evenly spaced over the stream's expected duration,
//! converted from the Y′CbCr planes at the stream's bit depth with its
//! matrix and range, and kept as PNG.
//!
//! Memory stays flat: at most a few dozen small PNGs at once whatever the
//! length. When the probe does not know the duration, pictures are taken
//! at an interval that doubles whenever the store is full (every other one
//! is dropped), and the evenly spaced ones are kept at the end.

use super::{Detector, FrameView, Matrix, PictureMeasurements, Plane, StreamContext, StreamInfo};
use base64::Engine;
use serde::{Deserialize, Serialize};

/// How many thumbnails, how wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThumbnailOptions {
    /// Thumbnails per stream (0: none).
    pub count: usize,
    /// Width in pixels (square pixels: the sample aspect ratio is applied).
    pub width: usize,
}

impl Default for ThumbnailOptions {
    fn default() -> Self {
        ThumbnailOptions {
            count: 6,
            width: 160,
        }
    }
}

impl ThumbnailOptions {
    /// No thumbnails (`signoff measure` has no report to show them in).
    pub fn none() -> Self {
        ThumbnailOptions {
            count: 0,
            ..Default::default()
        }
    }
}

/// One thumbnail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Thumbnail {
    /// Presentation time of the frame, seconds from the stream's first frame.
    pub at_s: f64,
    /// Frame number from 0.
    pub frame: u64,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The picture as an 8-bit R′G′B′ PNG, base64.
    pub png_base64: String,
}

/// Takes the thumbnails of one stream.
pub struct ThumbnailDetector {
    opts: ThumbnailOptions,
    pixel_aspect: f64,
    /// Evenly spaced times to take them at, when the duration is known.
    targets: Option<Vec<f64>>,
    /// Fallback: the next time to take one at, and the interval.
    next_s: f64,
    interval_s: f64,
    taken: Vec<Thumbnail>,
    failure: Option<String>,
}

impl ThumbnailDetector {
    /// A detector for a stream described by `info`.
    pub fn new(opts: ThumbnailOptions, info: &StreamInfo) -> Self {
        let targets = info.expected_duration_s().map(|d| {
            (0..opts.count)
                .map(|i| d * (i as f64 + 0.5) / opts.count as f64)
                .collect()
        });
        ThumbnailDetector {
            opts,
            pixel_aspect: if info.pixel_aspect.is_finite() && info.pixel_aspect > 0.0 {
                info.pixel_aspect
            } else {
                1.0
            },
            targets,
            next_s: 0.5,
            interval_s: 1.0,
            taken: Vec::new(),
            failure: None,
        }
    }

    /// Whether frame `f` is one to take.
    fn wanted(&mut self, f: &FrameView<'_>) -> bool {
        if self.opts.count == 0 {
            return false;
        }
        match &self.targets {
            Some(t) => t.get(self.taken.len()).is_some_and(|&at| f.time_s >= at),
            None => f.time_s >= self.next_s,
        }
    }

    /// After taking one without a known duration: keep the store bounded.
    fn thin(&mut self) {
        if self.targets.is_some() {
            return;
        }
        self.next_s += self.interval_s;
        if self.taken.len() >= 2 * self.opts.count.max(1) {
            let mut i = 0;
            self.taken.retain(|_| {
                i += 1;
                i % 2 == 1
            });
            self.interval_s *= 2.0;
            self.next_s = self.taken.last().map_or(0.0, |t| t.at_s) + self.interval_s;
        }
    }
}

impl Detector for ThumbnailDetector {
    fn frame(&mut self, f: &FrameView<'_>) {
        if !self.wanted(f) {
            return;
        }
        match thumbnail(f, self.opts.width, self.pixel_aspect) {
            Ok(t) => self.taken.push(t),
            Err(why) => {
                self.failure.get_or_insert(why);
                self.opts.count = 0;
            }
        }
        self.thin();
    }

    fn finish(self: Box<Self>, ctx: &StreamContext, out: &mut PictureMeasurements) {
        let want = self.opts.count;
        let mut taken = self.taken;
        if self.targets.is_none() && taken.len() > want {
            let n = taken.len();
            let keep: Vec<usize> = (0..want).map(|i| (2 * i + 1) * n / (2 * want)).collect();
            taken = keep.into_iter().map(|i| taken[i].clone()).collect();
        }
        out.thumbnails_note = match (&self.failure, taken.len()) {
            (Some(why), _) => Some(format!("no thumbnails: {why}")),
            (None, n) if want > 0 && n < want => Some(format!(
                "{n} of {want} thumbnails: the picture ends at {:.2} s, before the duration the file states",
                ctx.duration_s
            )),
            _ => None,
        };
        if want > 0 && ctx.frames == 0 {
            out.thumbnails_note = Some("no thumbnails: no picture was decoded".into());
        }
        out.thumbnails = taken;
    }
}

/// Luma coefficients (Kr, Kb) of a matrix.
fn coefficients(m: Matrix) -> (f64, f64) {
    match m {
        Matrix::Bt601 => (0.299, 0.114),
        Matrix::Bt709 => (0.2126, 0.0722),
        Matrix::Bt2020 => (0.2627, 0.0593),
    }
}

/// Mean of plane `p` over columns `x0..x1`, rows `y0..y1` (at most 8 × 8
/// samples read: enough for a thumbnail, cheap on a UHD frame).
fn box_mean(p: &Plane<'_>, (x0, x1): (usize, usize), (y0, y1): (usize, usize)) -> f64 {
    let (x1, y1) = (x1.clamp(x0 + 1, p.width), y1.clamp(y0 + 1, p.height));
    let (x0, y0) = (x0.min(x1 - 1), y0.min(y1 - 1));
    let sx = (x1 - x0).div_ceil(8).max(1);
    let sy = (y1 - y0).div_ceil(8).max(1);
    let (mut sum, mut n) = (0u64, 0u64);
    for y in (y0..y1).step_by(sy) {
        for x in (x0..x1).step_by(sx) {
            sum += u64::from(p.sample(x, y));
            n += 1;
        }
    }
    sum as f64 / n.max(1) as f64
}

/// Frame `f` scaled to `width` pixels wide, as R′G′B′ with its own matrix,
/// depth and range, encoded as PNG.
pub fn thumbnail(f: &FrameView<'_>, width: usize, pixel_aspect: f64) -> Result<Thumbnail, String> {
    if f.width == 0 || f.height == 0 || f.u.width == 0 || f.u.height == 0 {
        return Err("a decoded picture has no size".into());
    }
    let w = width.clamp(2, f.width.max(2));
    let display_w = f.width as f64 * pixel_aspect;
    let h = ((w as f64 * f.height as f64 / display_w).round() as usize).clamp(2, 4 * w);
    let rgb = to_rgb(f, w, h);
    let png = encode_png(&rgb, w as u32, h as u32)?;
    Ok(Thumbnail {
        at_s: f.time_s,
        frame: f.index,
        width: w as u32,
        height: h as u32,
        png_base64: base64::engine::general_purpose::STANDARD.encode(png),
    })
}

/// `w × h` 8-bit R′G′B′ pixels of `f`, each the mean of its source area.
fn to_rgb(f: &FrameView<'_>, w: usize, h: usize) -> Vec<u8> {
    let depth = i32::from(f.bit_depth);
    let (black, white) = (f64::from(f.luma_black()), f64::from(f.luma_white()));
    let mid = f64::from(1u32 << (depth - 1));
    let chroma_span = if f.full_range {
        f64::from((1u32 << depth) - 1)
    } else {
        f64::from(224u32 << (depth - 8))
    };
    let (kr, kb) = coefficients(f.matrix);
    let kg = 1.0 - kr - kb;
    let (sx, sy) = (f.chroma_shift.0, f.chroma_shift.1);
    let mut out = Vec::with_capacity(w * h * 3);
    for oy in 0..h {
        let (y0, y1) = (oy * f.height / h, (oy + 1) * f.height / h);
        for ox in 0..w {
            let (x0, x1) = (ox * f.width / w, (ox + 1) * f.width / w);
            let luma = box_mean(&f.y, (x0, x1), (y0, y1));
            let cx = (x0 >> sx, (x1 >> sx).max((x0 >> sx) + 1));
            let cy = (y0 >> sy, (y1 >> sy).max((y0 >> sy) + 1));
            let cb = (box_mean(&f.u, cx, cy) - mid) / chroma_span;
            let cr = (box_mean(&f.v, cx, cy) - mid) / chroma_span;
            let y = (luma - black) / (white - black);
            let r = y + 2.0 * (1.0 - kr) * cr;
            let b = y + 2.0 * (1.0 - kb) * cb;
            let g = (y - kr * r - kb * b) / kg;
            out.extend([r, g, b].map(|c| (c.clamp(0.0, 1.0) * 255.0).round() as u8));
        }
    }
    out
}

/// 8-bit R′G′B′ pixels as PNG bytes.
pub fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::High);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(rgb).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::picture::test_util::Owned;

    fn ctx(frames: u64, fps: f64) -> StreamContext {
        StreamContext {
            stream_index: 0,
            frame_rate: (fps as u32, 1),
            start_timecode: None,
            frames,
            duration_s: frames as f64 / fps,
            field_order: None,
        }
    }

    fn run(duration_s: Option<f64>, frames: u64, count: usize) -> PictureMeasurements {
        let info = StreamInfo {
            width: 64,
            height: 36,
            fps: 25.0,
            duration_s,
            pixel_aspect: 1.0,
        };
        let opts = ThumbnailOptions { count, width: 32 };
        let mut d = Box::new(ThumbnailDetector::new(opts, &info));
        let pic = Owned::flat(64, 36, 126, 128, 128);
        for i in 0..frames {
            d.frame(&pic.view(i, 25.0));
        }
        let mut out = PictureMeasurements::default();
        d.finish(&ctx(frames, 25.0), &mut out);
        out
    }

    #[test]
    fn evenly_spaced_over_the_expected_duration() {
        let out = run(Some(4.0), 100, 4);
        let at: Vec<f64> = out.thumbnails.iter().map(|t| t.at_s).collect();
        // The first frame at or after each of 0.5, 1.5, 2.5 and 3.5 s.
        assert_eq!(at, [0.52, 1.52, 2.52, 3.52]);
        assert_eq!(out.thumbnails_note, None);
        let t = &out.thumbnails[0];
        assert_eq!((t.width, t.height), (32, 18));
    }

    #[test]
    fn a_stream_shorter_than_stated_says_so() {
        let out = run(Some(8.0), 100, 4);
        assert_eq!(out.thumbnails.len(), 2);
        assert!(out
            .thumbnails_note
            .unwrap()
            .starts_with("2 of 4 thumbnails"));
    }

    #[test]
    fn unknown_duration_stays_bounded_and_spread() {
        // 10 minutes at 25 fps, no duration from the probe.
        let out = run(None, 15_000, 6);
        assert_eq!(out.thumbnails.len(), 6);
        let first = out.thumbnails[0].at_s;
        let last = out.thumbnails[5].at_s;
        assert!(first < 120.0 && last > 400.0, "{first} {last}");
    }

    #[test]
    fn converts_with_matrix_and_range() {
        // BT.709 limited: 75 % red is Y′ 51, Cb 109, Cr 212 (8-bit).
        let pic = Owned::flat(16, 16, 51, 109, 212);
        let rgb = to_rgb(&pic.view(0, 25.0), 2, 2);
        let px = &rgb[0..3];
        assert!((i32::from(px[0]) - 191).abs() <= 2, "{px:?}");
        assert!(px[1] <= 2 && px[2] <= 2, "{px:?}");
        // Limited-range black and white.
        let black = Owned::flat(16, 16, 16, 128, 128);
        assert_eq!(to_rgb(&black.view(0, 25.0), 2, 2)[0..3], [0, 0, 0]);
        let white = Owned::flat(16, 16, 235, 128, 128);
        assert_eq!(to_rgb(&white.view(0, 25.0), 2, 2)[0..3], [255, 255, 255]);
    }

    #[test]
    fn png_decodes_back() {
        let png = encode_png(&[0, 0, 0, 255, 255, 255], 2, 1).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let reader = decoder.read_info().unwrap();
        assert_eq!((reader.info().width, reader.info().height), (2, 1));
    }
}
