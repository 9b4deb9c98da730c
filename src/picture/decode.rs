//! The picture stage's decode loop: every video stream of a file decoded
//! once (threaded, both cores), each frame shown to the stream's detectors
//! as planes at its own bit depth, nothing copied or converted.
//!
//! Memory stays flat: one frame in flight per stream, detectors keep at
//! most a reference picture. Decode errors become [`DecodeError`]s with
//! their position and the rest of the stream is still analysed; FFmpeg's
//! log lines are captured, never printed.

use super::{
    detectors, DecodeError, Detector, FrameView, Matrix, PictureMeasurements, PictureOptions,
    Plane, StreamContext, StreamInfo,
};
use crate::error::{FileProblem, ProblemKind};
use crate::probe::model::{MediaInfo, StreamKind};
use ffmpeg_next as ffmpeg;
use ffmpeg_next::ffi;
use std::collections::HashMap;
use std::path::Path;

/// Most decode errors kept per stream (all are counted in the last one's message).
const MAX_DECODE_ERRORS: usize = 100;

/// One video stream being decoded.
struct Track {
    /// `None` for a stream without a usable decoder.
    decoder: Option<ffmpeg::decoder::Video>,
    detectors: Vec<Box<dyn Detector>>,
    ctx: StreamContext,
    time_base: f64,
    origin: Option<i64>,
    fps: f64,
    full_range: Option<bool>,
    out: PictureMeasurements,
    errors: u64,
    last_packet_s: f64,
    unsupported: Option<String>,
}

/// The picture stage's measurements of every video stream of `path`, or
/// `None` when it has none. A file whose picture cannot be decoded at all
/// gets the reason on every stream (`not_evaluated`), never an empty pass.
pub fn picture_of(
    path: &Path,
    media: &MediaInfo,
    opts: &PictureOptions,
) -> Option<Vec<PictureMeasurements>> {
    let video = || media.streams.iter().filter(|s| s.kind == StreamKind::Video);
    video().next()?;
    Some(match analyse_picture(path, media, opts) {
        Ok(p) => p,
        Err(problem) => not_evaluated(media, &problem),
    })
}

/// Every video stream of `media`, not evaluated because of `problem`.
pub fn not_evaluated(media: &MediaInfo, problem: &FileProblem) -> Vec<PictureMeasurements> {
    media
        .streams
        .iter()
        .filter(|s| s.kind == StreamKind::Video)
        .map(|s| PictureMeasurements {
            stream_index: s.index,
            not_evaluated: Some(problem.message.clone()),
            ..Default::default()
        })
        .collect()
}

/// Runs the picture stage over every video stream of `path` (cover art
/// and other attached pictures excepted).
pub fn analyse_picture(
    path: &Path,
    media: &MediaInfo,
    opts: &PictureOptions,
) -> Result<Vec<PictureMeasurements>, FileProblem> {
    let (result, _log) = crate::ffmpeg_log::capture(|| analyse_captured(path, media, opts));
    result
}

fn analyse_captured(
    path: &Path,
    media: &MediaInfo,
    opts: &PictureOptions,
) -> Result<Vec<PictureMeasurements>, FileProblem> {
    let mut input = open_input(path, media)?;
    let mut run = PictureRun::new(&input, media, opts);
    crate::demux::read_packets(&mut input, |item| run.item(item));
    Ok(run.finish())
}

/// Opens `path` for the picture stage (read-only), once its header's
/// claims are known to be within bounds.
pub(crate) fn open_input(
    path: &Path,
    media: &MediaInfo,
) -> Result<ffmpeg::format::context::Input, FileProblem> {
    if let Some(problem) = crate::probe::limits::check(&media.streams) {
        return Err(problem);
    }
    ffmpeg::init().map_err(|e| FileProblem::new(ProblemKind::Unreadable, e.to_string()))?;
    crate::ffmpeg_log::init();
    Ok(crate::probe::open::open(path)
        .map_err(|(code, step)| crate::probe::open::explain(code, step, &[]))?
        .into_input())
}

/// The picture stage of one file, fed packet by packet by a demux pass.
pub struct PictureRun {
    tracks: HashMap<usize, Track>,
    frame: ffmpeg::frame::Video,
}

impl PictureRun {
    /// Decoders and detectors for every video stream of `input`.
    pub fn new(
        input: &ffmpeg::format::context::Input,
        media: &MediaInfo,
        opts: &PictureOptions,
    ) -> PictureRun {
        PictureRun::with_detectors(input, media, opts, &|_, info| detectors(opts, info))
    }

    /// Decoders for every video stream of `input`, each frame shown to the
    /// detectors `make` builds for the stream (its container index and
    /// facts) instead of the QC detectors (`signoff diff`'s fingerprints).
    pub fn with_detectors(
        input: &ffmpeg::format::context::Input,
        media: &MediaInfo,
        opts: &PictureOptions,
        make: &MakeDetectors<'_>,
    ) -> PictureRun {
        PictureRun {
            tracks: open_tracks(input, media, opts, make),
            frame: ffmpeg::frame::Video::empty(),
        }
    }

    /// Whether the packets of `stream` are this stage's.
    pub fn wants(&self, stream: usize) -> bool {
        self.tracks.contains_key(&stream)
    }

    /// Decodes one packet (or records a damaged one against every stream).
    pub fn item(&mut self, item: crate::demux::Item) {
        let packet = match item {
            crate::demux::Item::Packet(p) => p,
            crate::demux::Item::ReadError(what) => {
                for t in self.tracks.values_mut() {
                    let at = t.last_packet_s;
                    t.error(at, what.clone());
                }
                return;
            }
        };
        let Some(track) = self.tracks.get_mut(&packet.stream()) else {
            return;
        };
        if let Some(ts) = packet.pts().or(packet.dts()) {
            track.last_packet_s = track.seconds(ts);
        }
        let Some(decoder) = track.decoder.as_mut() else {
            return;
        };
        if let Err(e) = decoder.send_packet(&packet) {
            let at = track.last_packet_s;
            track.error(at, format!("failed to decode a packet: {e}"));
            return;
        }
        track.drain(&mut self.frame);
    }

    /// Flushes every decoder; the measurements in stream order.
    pub fn finish(mut self) -> Vec<PictureMeasurements> {
        let mut indices: Vec<usize> = self.tracks.keys().copied().collect();
        indices.sort_unstable();
        let frame = &mut self.frame;
        indices
            .into_iter()
            .filter_map(|i| self.tracks.remove(&i))
            .map(|mut t| {
                if t.decoder.as_mut().is_some_and(|d| d.send_eof().is_ok()) {
                    t.drain(frame);
                }
                t.finish()
            })
            .collect()
    }
}

/// Builds the detectors of one video stream (container index, facts).
pub type MakeDetectors<'a> = dyn Fn(usize, &StreamInfo) -> Vec<Box<dyn Detector>> + 'a;

/// A decoder and detectors for every video stream that is not an attached picture.
fn open_tracks(
    input: &ffmpeg::format::context::Input,
    media: &MediaInfo,
    opts: &PictureOptions,
    make: &MakeDetectors<'_>,
) -> HashMap<usize, Track> {
    let mut tracks = HashMap::new();
    for stream in input.streams() {
        let index = stream.index();
        let Some(info) = media
            .streams
            .iter()
            .find(|s| s.index == index && s.kind == StreamKind::Video)
        else {
            continue;
        };
        if stream
            .disposition()
            .contains(ffmpeg::format::stream::Disposition::ATTACHED_PIC)
        {
            continue;
        }
        let video = info.video.as_ref();
        let rate = stream.avg_frame_rate();
        let rate = if rate.numerator() > 0 && rate.denominator() > 0 {
            rate
        } else {
            stream.rate()
        };
        let frame_rate = (
            rate.numerator().max(0) as u32,
            rate.denominator().max(0) as u32,
        );
        let fps = match frame_rate {
            (n, d) if n > 0 && d > 0 => f64::from(n) / f64::from(d),
            _ => video.and_then(|v| v.frame_rate_fps).unwrap_or(25.0),
        };
        let tb = stream.time_base();
        let time_base = if tb.denominator() != 0 {
            f64::from(tb.numerator()) / f64::from(tb.denominator())
        } else {
            1.0 / 90_000.0
        };
        let start = stream.start_time();
        let ctx = StreamContext {
            stream_index: index,
            frame_rate,
            start_timecode: info
                .timecode
                .clone()
                .or_else(|| media.container.start_timecode.clone()),
            frames: 0,
            duration_s: 0.0,
            field_order: video.and_then(|v| v.field_order.clone()),
        };
        let stream_info = StreamInfo::of(info, media, fps);
        let mut out = PictureMeasurements {
            stream_index: index,
            ..Default::default()
        };
        let decoder =
            ffmpeg::codec::Context::from_parameters(stream.parameters()).and_then(|mut c| {
                // Frame and slice threads, one per core (as the ffmpeg tool does).
                // SAFETY: the context is not open yet; these are plain fields.
                unsafe {
                    let raw = c.as_mut_ptr();
                    (*raw).thread_count = 0;
                    (*raw).thread_type = ffi::FF_THREAD_FRAME | ffi::FF_THREAD_SLICE;
                }
                c.decoder().video()
            });
        let decoder = match decoder {
            Ok(d) => d,
            Err(e) => {
                out.not_evaluated = Some(format!("no decoder for video stream {index}: {e}"));
                tracks.insert(index, Track::failed(out, ctx));
                continue;
            }
        };
        tracks.insert(
            index,
            Track {
                decoder: Some(decoder),
                detectors: make(index, &stream_info),
                ctx,
                time_base,
                origin: (start != ffi::AV_NOPTS_VALUE).then_some(start),
                fps,
                full_range: opts.full_range,
                out,
                errors: 0,
                last_packet_s: 0.0,
                unsupported: None,
            },
        );
    }
    tracks
}

impl Track {
    /// A stream without a decoder: reported, not analysed.
    fn failed(out: PictureMeasurements, ctx: StreamContext) -> Track {
        Track {
            decoder: None,
            detectors: Vec::new(),
            ctx,
            time_base: 1.0,
            origin: None,
            fps: 25.0,
            full_range: None,
            out,
            errors: 0,
            last_packet_s: 0.0,
            unsupported: Some(String::new()),
        }
    }

    fn seconds(&self, ts: i64) -> f64 {
        let origin = self.origin.unwrap_or(0);
        (ts.saturating_sub(origin)) as f64 * self.time_base
    }

    fn error(&mut self, at_s: f64, message: String) {
        self.errors += 1;
        if self.out.decode_errors.len() < MAX_DECODE_ERRORS {
            self.out.decode_errors.push(DecodeError {
                at_s,
                at_tc: self.ctx.timecode_at(at_s),
                after_frames: self.ctx.frames,
                message,
            });
        } else if let Some(last) = self.out.decode_errors.last_mut() {
            last.message = format!(
                "{} more decode errors after this point (the last: {message})",
                self.errors - MAX_DECODE_ERRORS as u64 + 1
            );
        }
    }

    /// Receives every frame the decoder has ready and shows it to the detectors.
    fn drain(&mut self, frame: &mut ffmpeg::frame::Video) {
        loop {
            let Some(decoder) = self.decoder.as_mut() else {
                return;
            };
            match decoder.receive_frame(frame) {
                Ok(()) => self.show(frame),
                Err(ffmpeg::Error::Eof) => return,
                Err(ffmpeg::Error::Other { errno }) if errno == libc::EAGAIN => return,
                Err(e) => {
                    let at = self.last_packet_s;
                    self.error(at, format!("failed to decode a frame: {e}"));
                    return;
                }
            }
        }
    }

    fn show(&mut self, frame: &ffmpeg::frame::Video) {
        let ts = frame.timestamp().or(frame.pts());
        if self.origin.is_none() {
            self.origin = ts;
        }
        let index = self.ctx.frames;
        let time_s = match ts {
            Some(ts) => self.seconds(ts),
            None => index as f64 / self.fps,
        };
        // SAFETY: the frame was just received from the decoder.
        if unsafe { (*frame.as_ptr()).decode_error_flags } != 0 {
            self.error(time_s, "the decoder concealed damage in this frame".into());
        }
        self.ctx.frames += 1;
        self.ctx.duration_s = self.ctx.duration_s.max(time_s + 1.0 / self.fps);
        let cache = super::FrameCache::default();
        match view(frame, index, time_s, self.full_range) {
            Ok(mut v) => {
                v.cache = Some(&cache);
                self.out.bit_depth = v.bit_depth;
                self.out.full_range = v.full_range;
                for d in &mut self.detectors {
                    d.frame(&v);
                }
            }
            Err(why) => {
                if self.unsupported.is_none() {
                    self.unsupported = Some(why);
                }
            }
        }
    }

    fn finish(mut self) -> PictureMeasurements {
        let mut out = std::mem::take(&mut self.out);
        out.frames = self.ctx.frames;
        out.decode_error_count = self.errors;
        out.duration_s = self.ctx.duration_s;
        for d in std::mem::take(&mut self.detectors) {
            d.finish(&self.ctx, &mut out);
        }
        match self.unsupported {
            Some(why) if !why.is_empty() => out.not_evaluated = Some(why),
            _ => {}
        }
        if out.not_evaluated.is_none() && out.frames == 0 {
            out.not_evaluated = Some(format!(
                "video stream {} decoded to no pictures",
                out.stream_index
            ));
        }
        out
    }
}

/// The frame's planes as detectors see them; why not, for a pixel format
/// the detectors do not read (packed, RGB, big-endian, semi-planar).
fn view(
    frame: &ffmpeg::frame::Video,
    index: u64,
    time_s: f64,
    full_range: Option<bool>,
) -> Result<FrameView<'_>, String> {
    // SAFETY: the frame is decoded; its format is a valid AVPixelFormat.
    let raw = unsafe { &*frame.as_ptr() };
    let desc = unsafe {
        ffi::av_pix_fmt_desc_get(std::mem::transmute::<i32, ffi::AVPixelFormat>(raw.format))
    };
    if desc.is_null() {
        return Err("the decoded pictures have no known pixel format".into());
    }
    // SAFETY: a non-null descriptor from libavutil's static table.
    let desc = unsafe { &*desc };
    let name = unsafe { std::ffi::CStr::from_ptr(desc.name) }
        .to_string_lossy()
        .into_owned();
    let flags = desc.flags;
    let planar = flags & ffi::AV_PIX_FMT_FLAG_PLANAR as u64 != 0;
    let rgb = flags & ffi::AV_PIX_FMT_FLAG_RGB as u64 != 0;
    let be = flags & ffi::AV_PIX_FMT_FLAG_BE as u64 != 0;
    let depth = desc.comp[0].depth;
    let step = desc.comp[0].step;
    let chroma_planes = desc.comp[1].plane != desc.comp[2].plane;
    if !planar
        || rgb
        || be
        || desc.nb_components < 3
        || !chroma_planes
        || !(8..=16).contains(&depth)
    {
        return Err(format!(
            "picture checks read planar Y′CbCr; this stream decodes to {name}"
        ));
    }
    let bps = if depth > 8 { 2 } else { 1 };
    if step as usize != bps {
        return Err(format!("picture checks cannot read {name}"));
    }
    let (w, h) = (raw.width.max(0) as usize, raw.height.max(0) as usize);
    let (sx, sy) = (desc.log2_chroma_w, desc.log2_chroma_h);
    let cw = (w + (1 << sx) - 1) >> sx;
    let ch = (h + (1 << sy) - 1) >> sy;
    let plane = |i: usize, width: usize, height: usize| -> Result<Plane<'_>, String> {
        let data = frame.data(i);
        let stride = frame.stride(i);
        if width * bps > stride || stride * height.saturating_sub(1) + width * bps > data.len() {
            return Err(format!("a decoded {name} picture is smaller than it says"));
        }
        Ok(Plane {
            data,
            stride,
            width,
            height,
            bytes_per_sample: bps,
        })
    };
    let planes = [0, 1, 2].map(|c| desc.comp[c].plane as usize);
    let y = plane(planes[0], w, h)?;
    let u = plane(planes[1], cw, ch)?;
    let v = plane(planes[2], cw, ch)?;
    let file_full =
        raw.color_range == ffi::AVColorRange::AVCOL_RANGE_JPEG || name.starts_with("yuvj");
    let matrix = match raw.colorspace {
        ffi::AVColorSpace::AVCOL_SPC_BT2020_NCL | ffi::AVColorSpace::AVCOL_SPC_BT2020_CL => {
            Matrix::Bt2020
        }
        ffi::AVColorSpace::AVCOL_SPC_BT470BG
        | ffi::AVColorSpace::AVCOL_SPC_SMPTE170M
        | ffi::AVColorSpace::AVCOL_SPC_SMPTE240M => Matrix::Bt601,
        ffi::AVColorSpace::AVCOL_SPC_BT709 => Matrix::Bt709,
        _ if h <= 576 => Matrix::Bt601,
        _ => Matrix::Bt709,
    };
    Ok(FrameView {
        index,
        time_s,
        width: w,
        height: h,
        bit_depth: depth as u8,
        full_range: full_range.unwrap_or(file_full),
        matrix,
        chroma_shift: (sx, sy),
        interlaced_flag: raw.interlaced_frame != 0,
        top_field_first: raw.top_field_first != 0,
        y,
        u,
        v,
        source: Some(super::held::Source { frame, planes }),
        cache: None,
    })
}
