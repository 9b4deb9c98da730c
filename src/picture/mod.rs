//! The picture stage: detectors fed by the one decode of each video stream.
//!
//! The decode loop ([`decode`]) turns each decoded frame into a [`FrameView`]
//! over its planes at the stream's own bit depth and hands it to every
//! [`Detector`]; at the end each detector writes its result into the
//! stream's [`PictureMeasurements`]. A new detector is one file: a type
//! implementing [`Detector`], its options in [`PictureOptions`], and one
//! line in [`detectors`].

pub mod black;
pub mod decode;
pub mod freeze;
pub mod held;
pub mod kernels;
pub mod levels;
pub mod luma;
pub mod pse;
mod runs;
pub mod scan;
pub mod shots;
pub mod summary;
pub mod thumbs;

pub use decode::{analyse_picture, picture_of};
use serde::{Deserialize, Serialize};

/// One plane of a decoded picture at the stream's bit depth.
#[derive(Debug, Clone, Copy)]
pub struct Plane<'a> {
    /// The plane's bytes, `stride * height` (the last row may be shorter).
    pub data: &'a [u8],
    /// Bytes from one row to the next.
    pub stride: usize,
    /// Samples per row.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// 1 for 8-bit, 2 for more than 8 bits (little-endian).
    pub bytes_per_sample: usize,
}

impl<'a> Plane<'a> {
    /// The sample at column `x`, row `y`.
    pub fn sample(&self, x: usize, y: usize) -> u16 {
        let at = y * self.stride + x * self.bytes_per_sample;
        if self.bytes_per_sample == 1 {
            u16::from(self.data[at])
        } else {
            u16::from_le_bytes([self.data[at], self.data[at + 1]])
        }
    }

    /// The bytes of row `y` (`width * bytes_per_sample` of them).
    pub fn row_bytes(&self, y: usize) -> &'a [u8] {
        let start = y * self.stride;
        &self.data[start..start + self.width * self.bytes_per_sample]
    }

    /// Row `y` of an 8-bit plane; `None` for a deeper one.
    pub fn row_u8(&self, y: usize) -> Option<&'a [u8]> {
        (self.bytes_per_sample == 1).then(|| self.row_bytes(y))
    }

    /// Calls `f` with every sample of row `y`, widened to `u16`.
    #[inline]
    pub fn for_each_in_row(&self, y: usize, mut f: impl FnMut(u16)) {
        let row = self.row_bytes(y);
        if self.bytes_per_sample == 1 {
            row.iter().for_each(|&b| f(u16::from(b)));
        } else {
            row.chunks_exact(2)
                .for_each(|c| f(u16::from_le_bytes([c[0], c[1]])));
        }
    }
}

/// The colour matrix Y′CbCr was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Matrix {
    /// ITU-R BT.601 (SD).
    Bt601,
    /// ITU-R BT.709 (HD; the default when the file does not say).
    Bt709,
    /// ITU-R BT.2020 non-constant luminance (UHD).
    Bt2020,
}

/// What detectors see of one frame.
#[derive(Debug, Clone, Copy)]
pub struct FrameView<'a> {
    /// Frame number from 0 in decode (presentation) order.
    pub index: u64,
    /// Presentation time, seconds from the stream's first frame.
    pub time_s: f64,
    /// Luma width.
    pub width: usize,
    /// Luma height.
    pub height: usize,
    /// Bits per sample (8, 10, 12).
    pub bit_depth: u8,
    /// Full range (0–2ⁿ−1) rather than limited (16–235 scaled).
    pub full_range: bool,
    /// Colour matrix.
    pub matrix: Matrix,
    /// log2 of chroma subsampling (x, y): (1, 0) for 4:2:2, (1, 1) for 4:2:0.
    pub chroma_shift: (u8, u8),
    /// The frame says it is interlaced.
    pub interlaced_flag: bool,
    /// The frame says its top field comes first.
    pub top_field_first: bool,
    /// Luma plane.
    pub y: Plane<'a>,
    /// Cb plane.
    pub u: Plane<'a>,
    /// Cr plane.
    pub v: Plane<'a>,
    /// The decoded FFmpeg frame these planes are of, when they are (a
    /// detector keeps a picture by referencing it: [`held::Held`]).
    pub source: Option<held::Source<'a>>,
    /// Sums of this frame's planes shared by the detectors (worked out
    /// once, by the first that asks); `None`: each works them out itself.
    pub cache: Option<&'a FrameCache>,
}

/// Sum, lowest and highest sample of a frame's Y′ plane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LumaStats {
    /// Sum of every Y′ sample.
    pub sum: u64,
    /// Lowest Y′ sample (`u16::MAX` for an empty plane).
    pub min: u16,
    /// Highest Y′ sample (0 for an empty plane).
    pub max: u16,
}

/// What several detectors read of one frame, worked out once: the decode
/// loop makes one per frame, so a frame's planes are read once for what
/// the luma graph, the levels and black all need of them.
#[derive(Debug, Default)]
pub struct FrameCache {
    luma: std::cell::OnceCell<LumaStats>,
}

impl FrameView<'_> {
    /// Sum, lowest and highest Y′ sample (from the frame's cache when it has one).
    pub fn luma_stats(&self) -> LumaStats {
        let work = || {
            let (sum, min, max) = luma::plane_stats(&self.y, &mut kernels::Rows::default());
            LumaStats { sum, min, max }
        };
        match self.cache {
            Some(c) => *c.luma.get_or_init(work),
            None => work(),
        }
    }

    /// The black level of luma at this frame's depth and range.
    pub fn luma_black(&self) -> u16 {
        if self.full_range {
            0
        } else {
            16 << (self.bit_depth - 8)
        }
    }

    /// The white level of luma at this frame's depth and range.
    pub fn luma_white(&self) -> u16 {
        if self.full_range {
            ((1u32 << self.bit_depth) - 1) as u16
        } else {
            235 << (self.bit_depth - 8)
        }
    }
}

/// Stream facts every detector may need at the end.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamContext {
    /// Stream index in the container.
    pub stream_index: usize,
    /// Frame rate as a fraction (numerator, denominator); (0, 1) when unknown.
    pub frame_rate: (u32, u32),
    /// The file's start timecode (`HH:MM:SS:FF`), if it has one.
    pub start_timecode: Option<String>,
    /// Frames decoded.
    pub frames: u64,
    /// End of the last frame, seconds from the first.
    pub duration_s: f64,
    /// The stream's flagged field order, as the container/codec says it.
    pub field_order: Option<String>,
}

impl StreamContext {
    /// Frames per second (25.0 when the stream does not say).
    pub fn fps(&self) -> f64 {
        match self.frame_rate {
            (n, d) if n > 0 && d > 0 => f64::from(n) / f64::from(d),
            _ => 25.0,
        }
    }

    /// The timecode `seconds` after the first frame, when the file has one.
    pub fn timecode_at(&self, seconds: f64) -> Option<String> {
        let tc = self.start_timecode.as_deref()?;
        crate::measure::timecode::TimecodeBase::parse(tc, self.fps()).map(|b| b.at(seconds))
    }

    /// A segment from frame `start_frame` (inclusive) to `end_frame`
    /// (exclusive) with times `start_s` .. `end_s`.
    pub fn segment(
        &self,
        (start_frame, end_frame): (u64, u64),
        (start_s, end_s): (f64, f64),
        detail: Option<String>,
    ) -> Segment {
        Segment {
            start_s,
            end_s,
            duration_s: end_s - start_s,
            start_frame,
            end_frame,
            start_tc: self.timecode_at(start_s),
            end_tc: self.timecode_at(end_s),
            detail,
        }
    }
}

/// A detector: one file per detector (black.rs, freeze.rs, levels.rs, scan.rs, pse.rs, shots.rs, luma.rs, thumbs.rs).
pub trait Detector: Send {
    /// Looks at one decoded frame (frames come in presentation order).
    fn frame(&mut self, f: &FrameView<'_>);
    /// Writes the result once the stream has ended.
    fn finish(self: Box<Self>, ctx: &StreamContext, out: &mut PictureMeasurements);
}

/// A time range of a stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// Start, seconds from the stream's first frame.
    pub start_s: f64,
    /// End (exclusive: the end of the last frame in the segment), seconds.
    pub end_s: f64,
    /// `end_s - start_s`.
    pub duration_s: f64,
    /// First frame in the segment, from 0.
    pub start_frame: u64,
    /// First frame after the segment.
    pub end_frame: u64,
    /// Start as timecode in the file's own timecode, when it has one.
    pub start_tc: Option<String>,
    /// End as timecode, when the file has one.
    pub end_tc: Option<String>,
    /// Detector-specific detail (worst value, area, field order…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A frame (or stretch of packets) the decoder could not decode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecodeError {
    /// Where it happened, seconds from the stream's start (the packet's time).
    pub at_s: f64,
    /// Where it happened, as timecode, when the file has one.
    pub at_tc: Option<String>,
    /// Frames decoded before it.
    pub after_frames: u64,
    /// What the decoder said.
    pub message: String,
}

/// Everything the picture stage measured on one video stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct PictureMeasurements {
    /// Stream index in the container.
    pub stream_index: usize,
    /// Frames decoded.
    pub frames: u64,
    /// Decoded duration, seconds.
    pub duration_s: f64,
    /// Bits per sample of the decoded planes.
    pub bit_depth: u8,
    /// Whether levels were read as full range.
    pub full_range: bool,
    /// Black (constant dark picture) segments at least the minimum duration long.
    pub black: Vec<Segment>,
    /// Frozen-picture segments (black holds excluded) at least the minimum duration long.
    pub freeze: Vec<Segment>,
    /// Video levels (Y′ and R′G′B′ excursions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub levels: Option<levels::LevelsResult>,
    /// Scan type measured from the picture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan: Option<scan::ScanResult>,
    /// PSE screening (not a certified test).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pse: Option<pse::PseResult>,
    /// Mean, lowest and highest Y′ over time, in bins (for the luma graph).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub luma: Option<luma::LumaSeries>,
    /// Shot changes (cuts), when measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shots: Option<shots::ShotChanges>,
    /// Small pictures evenly spaced over the stream, for reports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thumbnails: Vec<thumbs::Thumbnail>,
    /// Why there are fewer thumbnails than asked for, in plain words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnails_note: Option<String>,
    /// Frames the decoder could not decode, with position (the first 100).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decode_errors: Vec<DecodeError>,
    /// How many decode errors there were in all.
    #[serde(default)]
    pub decode_error_count: u64,
    /// The black detector's parameters, when it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub black_detector: Option<black::BlackOptions>,
    /// The freeze detector's parameters, when it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freeze_detector: Option<freeze::FreezeOptions>,
    /// Why the stream could not be (fully) analysed, in plain words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_evaluated: Option<String>,
}

/// Every detector's parameters, built from the profile's `[picture]` rules
/// (defaults from FFmpeg's filters and the references in docs/specs.md).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PictureOptions {
    /// Read levels as full range (`Some(true)`), limited (`Some(false)`) or as the file says (`None`).
    pub full_range: Option<bool>,
    /// Black detection.
    pub black: black::BlackOptions,
    /// Freeze detection.
    pub freeze: freeze::FreezeOptions,
    /// Video levels (`None`: not measured).
    pub levels: Option<levels::LevelsOptions>,
    /// Scan type (`None`: not measured).
    pub scan: Option<scan::ScanOptions>,
    /// PSE screening (`None`: not measured).
    pub pse: Option<pse::PseOptions>,
    /// Shot changes (`None`: not measured).
    pub shots: Option<shots::ShotOptions>,
    /// Only the shot changes: no other detector runs (the master of
    /// captions whose profiles have no picture QC).
    pub shots_only: bool,
    /// Thumbnails for reports, taken from the same decode.
    pub thumbnails: thumbs::ThumbnailOptions,
}

impl PictureOptions {
    /// Every detector on, at its defaults (what `signoff measure` runs).
    pub fn every_detector() -> Self {
        PictureOptions {
            levels: Some(Default::default()),
            scan: Some(Default::default()),
            pse: Some(Default::default()),
            shots: Some(Default::default()),
            thumbnails: thumbs::ThumbnailOptions::none(),
            ..Default::default()
        }
    }

    /// The shot-change detector alone, at its defaults.
    pub fn shots_only() -> Self {
        PictureOptions {
            shots: Some(Default::default()),
            shots_only: true,
            thumbnails: thumbs::ThumbnailOptions::none(),
            ..Default::default()
        }
    }
}

/// Facts about the stream known before the first frame, for building detectors.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StreamInfo {
    /// Luma width.
    pub width: usize,
    /// Luma height.
    pub height: usize,
    /// Frame rate, frames per second.
    pub fps: f64,
    /// The duration the probe expects (the stream's, else the container's),
    /// for detectors that spread their work over the stream; `None` when
    /// the file does not say.
    pub duration_s: Option<f64>,
    /// Width of a pixel over its height (the sample aspect ratio; 1 when unknown).
    pub pixel_aspect: f64,
}

impl StreamInfo {
    /// What the probe says of video stream `stream` of `media`, at `fps`.
    pub fn of(
        stream: &crate::probe::model::Stream,
        media: &crate::probe::model::MediaInfo,
        fps: f64,
    ) -> Self {
        let video = stream.video.as_ref();
        let pixel_aspect = video
            .and_then(|v| v.sample_aspect_ratio.as_deref())
            .and_then(|r| r.split_once(':'))
            .and_then(|(n, d)| Some(n.parse::<f64>().ok()? / d.parse::<f64>().ok()?))
            .filter(|a| a.is_finite() && *a > 0.0)
            .unwrap_or(1.0);
        StreamInfo {
            width: video.map_or(0, |v| v.width as usize),
            height: video.map_or(0, |v| v.height as usize),
            fps,
            duration_s: stream.duration_s.or(media.container.duration_s),
            pixel_aspect,
        }
    }

    /// The expected duration, when it is known and positive.
    pub fn expected_duration_s(&self) -> Option<f64> {
        self.duration_s.filter(|d| d.is_finite() && *d > 0.0)
    }
}

/// The detectors for one stream.
pub fn detectors(opts: &PictureOptions, info: &StreamInfo) -> Vec<Box<dyn Detector>> {
    let shots = opts
        .shots
        .map(|o| Box::new(shots::ShotDetector::new(o)) as Box<dyn Detector>);
    if opts.shots_only {
        return shots.into_iter().collect();
    }
    let mut out: Vec<Box<dyn Detector>> = vec![
        Box::new(black::BlackDetector::new(opts.black.clone(), info)),
        Box::new(freeze::FreezeDetector::new(
            opts.freeze.clone(),
            opts.black.clone(),
            info,
        )),
    ];
    if let Some(o) = &opts.levels {
        out.push(Box::new(levels::LevelsDetector::new(o.clone(), info)));
    }
    if let Some(o) = &opts.scan {
        out.push(Box::new(scan::ScanDetector::new(o.clone(), info)));
    }
    if let Some(o) = &opts.pse {
        out.push(Box::new(pse::PseDetector::new(o.clone(), info)));
    }
    out.extend(shots);
    out.push(Box::new(luma::LumaDetector::new(info)));
    out.push(Box::new(thumbs::ThumbnailDetector::new(
        opts.thumbnails,
        info,
    )));
    out
}

#[cfg(test)]
pub(crate) mod test_util {
    //! Synthetic frames for detector unit tests.
    use super::*;

    /// An owned 8-bit 4:2:0 picture.
    pub struct Owned {
        pub y: Vec<u8>,
        pub u: Vec<u8>,
        pub v: Vec<u8>,
        pub width: usize,
        pub height: usize,
    }

    impl Owned {
        /// A flat picture of one Y′CbCr value.
        pub fn flat(width: usize, height: usize, y: u8, u: u8, v: u8) -> Self {
            let c = (width / 2) * (height / 2);
            Owned {
                y: vec![y; width * height],
                u: vec![u; c],
                v: vec![v; c],
                width,
                height,
            }
        }

        /// A view of it as frame `index` at `fps`.
        pub fn view(&self, index: u64, fps: f64) -> FrameView<'_> {
            fn plane(data: &[u8], w: usize, h: usize) -> Plane<'_> {
                Plane {
                    data,
                    stride: w,
                    width: w,
                    height: h,
                    bytes_per_sample: 1,
                }
            }
            let (w, h) = (self.width, self.height);
            FrameView {
                index,
                time_s: index as f64 / fps,
                width: w,
                height: h,
                bit_depth: 8,
                full_range: false,
                matrix: Matrix::Bt709,
                chroma_shift: (1, 1),
                interlaced_flag: false,
                top_field_first: false,
                y: plane(&self.y, w, h),
                u: plane(&self.u, w / 2, h / 2),
                v: plane(&self.v, w / 2, h / 2),
                source: None,
                cache: None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plane_reads_8_and_16_bit_samples() {
        let data = [1u8, 2, 3, 4, 0xff, 0x03, 0x10, 0x00];
        let p8 = Plane {
            data: &data,
            stride: 4,
            width: 4,
            height: 2,
            bytes_per_sample: 1,
        };
        assert_eq!(p8.sample(2, 0), 3);
        assert_eq!(p8.sample(0, 1), 0xff);
        let p16 = Plane {
            data: &data,
            stride: 4,
            width: 2,
            height: 2,
            bytes_per_sample: 2,
        };
        assert_eq!(p16.sample(0, 1), 0x3ff);
        assert_eq!(p16.sample(1, 1), 0x10);
        let mut row = Vec::new();
        p16.for_each_in_row(1, |s| row.push(s));
        assert_eq!(row, [0x3ff, 0x10]);
        assert!(p16.row_u8(0).is_none());
    }

    #[test]
    fn segment_carries_timecode() {
        let ctx = StreamContext {
            stream_index: 0,
            frame_rate: (25, 1),
            start_timecode: Some("10:00:00:00".into()),
            frames: 100,
            duration_s: 4.0,
            field_order: None,
        };
        let s = ctx.segment((25, 75), (1.0, 3.0), None);
        assert_eq!(s.start_tc.as_deref(), Some("10:00:01:00"));
        assert_eq!(s.end_tc.as_deref(), Some("10:00:03:00"));
        assert_eq!(s.duration_s, 2.0);
    }
}
