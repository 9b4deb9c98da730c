//! Thumbnails of a picture file for the HTML report: N frames evenly spaced
//! over the duration, decoded with FFmpeg, scaled small to RGB and encoded
//! as PNG `data:` URIs (the report stays one self-contained file).
//!
//! Memory stays flat whatever the file: one decoder, one frame and one small
//! RGB buffer at a time. Every failure becomes a note on the strip, never a
//! panic; FFmpeg's log lines are captured, not printed.

use crate::ffmpeg_log::capture;
use crate::probe::ffi_util::error_string;
use crate::probe::open::{open, Demuxer};
use base64::Engine;
use ffmpeg_next::ffi;
use std::path::Path;
use std::ptr;

/// Most packets read after a seek while looking for the wanted frame.
const MAX_PACKETS: usize = 600;

/// One thumbnail.
#[derive(Debug, Clone, PartialEq)]
pub struct Thumbnail {
    /// Seconds from the start of the stream.
    pub at_s: f64,
    /// Width in pixels (square pixels: the display aspect is applied).
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `data:image/png;base64,…`.
    pub data_uri: String,
}

/// The thumbnails of one file, and why some or all are missing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Strip {
    /// The frames that could be decoded, in time order.
    pub thumbnails: Vec<Thumbnail>,
    /// Why thumbnails are missing, in plain words.
    pub note: Option<String>,
}

/// Up to `count` thumbnails `width` pixels wide of the first video stream of `path`.
pub fn strip(path: &Path, count: usize, width: u32) -> Strip {
    let (result, log) = capture(|| {
        std::panic::catch_unwind(|| thumbnails(path, count, width.max(16)))
            .unwrap_or_else(|_| Err("internal error while decoding thumbnails".into()))
    });
    match result {
        Ok(thumbnails) if thumbnails.len() == count => Strip {
            thumbnails,
            note: None,
        },
        Ok(thumbnails) => {
            let detail = log
                .last()
                .map(|l| format!(" ({})", l.message))
                .unwrap_or_default();
            Strip {
                note: Some(format!(
                    "{} of {count} thumbnails could be decoded{detail}",
                    thumbnails.len()
                )),
                thumbnails,
            }
        }
        Err(why) => Strip {
            thumbnails: Vec::new(),
            note: Some(format!("no thumbnails: {why}")),
        },
    }
}

/// Owned FFmpeg objects, freed on drop.
struct Work {
    ctx: *mut ffi::AVCodecContext,
    packet: *mut ffi::AVPacket,
    frame: *mut ffi::AVFrame,
    last: *mut ffi::AVFrame,
    sws: *mut ffi::SwsContext,
}

impl Drop for Work {
    fn drop(&mut self) {
        // SAFETY: each pointer is NULL or owned by us; the free functions accept NULL.
        unsafe {
            ffi::sws_freeContext(self.sws);
            ffi::av_frame_free(&mut self.frame);
            ffi::av_frame_free(&mut self.last);
            ffi::av_packet_free(&mut self.packet);
            ffi::avcodec_free_context(&mut self.ctx);
        }
    }
}

fn thumbnails(path: &Path, count: usize, width: u32) -> Result<Vec<Thumbnail>, String> {
    let demuxer = open(path)
        .map_err(|(code, step)| format!("failed to {step} the file: {}", error_string(code)))?;
    // SAFETY: the demuxer is open; av_find_best_stream only reads it.
    let index = unsafe {
        ffi::av_find_best_stream(
            demuxer.ctx(),
            ffi::AVMediaType::AVMEDIA_TYPE_VIDEO,
            -1,
            -1,
            ptr::null_mut(),
            0,
        )
    };
    if index < 0 {
        return Err("no video stream".into());
    }
    let index = index as usize;
    let mut work = decoder(&demuxer, index)?;
    let (start, time_base, duration) = timing(&demuxer, index);
    if duration <= 0.0 {
        return Err("the duration is unknown".into());
    }
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let at_s = duration * (i as f64 + 0.5) / count as f64;
        let ts = start + (at_s / time_base) as i64;
        if let Some(frame) = frame_at(&demuxer, &mut work, index, ts)? {
            out.push(encode(&mut work, frame, width, at_s)?);
        }
    }
    Ok(out)
}

fn decoder(demuxer: &Demuxer, index: usize) -> Result<Work, String> {
    let st = demuxer.streams()[index];
    // SAFETY: standard libavcodec setup on an open stream; every object is
    // owned by `work` and freed on every path.
    unsafe {
        let par = (*st).codecpar;
        let codec = ffi::avcodec_find_decoder((*par).codec_id);
        if codec.is_null() {
            return Err("FFmpeg has no decoder for this codec".into());
        }
        let work = Work {
            ctx: ffi::avcodec_alloc_context3(codec),
            packet: ffi::av_packet_alloc(),
            frame: ffi::av_frame_alloc(),
            last: ffi::av_frame_alloc(),
            sws: ptr::null_mut(),
        };
        if work.ctx.is_null()
            || work.packet.is_null()
            || work.frame.is_null()
            || work.last.is_null()
        {
            return Err("out of memory".into());
        }
        check(ffi::avcodec_parameters_to_context(work.ctx, par))?;
        (*work.ctx).thread_count = 2;
        check(ffi::avcodec_open2(work.ctx, codec, ptr::null_mut()))?;
        Ok(work)
    }
}

/// Start (in stream time base), seconds per tick, and duration in seconds.
fn timing(demuxer: &Demuxer, index: usize) -> (i64, f64, f64) {
    // SAFETY: the stream and context belong to the open demuxer.
    unsafe {
        let st = &*demuxer.streams()[index];
        let tb = st.time_base;
        let tb = if tb.den > 0 && tb.num > 0 {
            tb.num as f64 / tb.den as f64
        } else {
            1.0 / 90_000.0
        };
        let start = if st.start_time == ffi::AV_NOPTS_VALUE {
            0
        } else {
            st.start_time
        };
        let duration = if st.duration > 0 && st.duration != ffi::AV_NOPTS_VALUE {
            st.duration as f64 * tb
        } else {
            let d = (*demuxer.ctx()).duration;
            if d > 0 && d != ffi::AV_NOPTS_VALUE {
                d as f64 / f64::from(ffi::AV_TIME_BASE)
            } else {
                0.0
            }
        };
        (start, tb, duration)
    }
}

/// The first frame at or after `ts`: decoded from the key frame before it,
/// or, where the container cannot seek to key frames (MPEG-TS), from the
/// start of the stream. The last frame counts when the file ends first.
fn frame_at(
    demuxer: &Demuxer,
    w: &mut Work,
    index: usize,
    ts: i64,
) -> Result<Option<*const ffi::AVFrame>, String> {
    if let Some(frame) = decode_from(demuxer, w, index, Seek::Time(ts), ts)? {
        return Ok(Some(frame));
    }
    decode_from(demuxer, w, index, Seek::FirstByte, ts)
}

/// Where to seek to.
#[derive(Clone, Copy)]
enum Seek {
    /// The key frame at or before this time, in stream time base.
    Time(i64),
    /// The first byte of the file (MPEG-TS lands past the first key frame by time).
    FirstByte,
}

/// Seeks to `seek` and decodes from the next key frame up to the first frame at or after `ts`.
fn decode_from(
    demuxer: &Demuxer,
    w: &mut Work,
    index: usize,
    seek: Seek,
    ts: i64,
) -> Result<Option<*const ffi::AVFrame>, String> {
    // SAFETY: standard seek/decode sequence on objects we own; frames are
    // moved into `w.last`, which outlives the returned pointer's use.
    unsafe {
        let ret = match seek {
            Seek::Time(t) => {
                ffi::avformat_seek_file(demuxer.ctx(), index as i32, i64::MIN, t, t, 0)
            }
            Seek::FirstByte => {
                ffi::avformat_seek_file(demuxer.ctx(), -1, 0, 0, 0, ffi::AVSEEK_FLAG_BYTE)
            }
        };
        check(ret)?;
        ffi::avcodec_flush_buffers(w.ctx);
        ffi::av_frame_unref(w.last);
        let mut have = false;
        let mut keyed = false;
        for _ in 0..MAX_PACKETS {
            let ret = ffi::av_read_frame(demuxer.ctx(), w.packet);
            if ret < 0 {
                ffi::avcodec_send_packet(w.ctx, ptr::null());
            } else {
                let ours = (*w.packet).stream_index as usize == index;
                keyed |= ours && (*w.packet).flags & ffi::AV_PKT_FLAG_KEY != 0;
                if ours && keyed {
                    ffi::avcodec_send_packet(w.ctx, w.packet);
                }
                ffi::av_packet_unref(w.packet);
            }
            while ffi::avcodec_receive_frame(w.ctx, w.frame) >= 0 {
                let pts = (*w.frame).best_effort_timestamp;
                ffi::av_frame_unref(w.last);
                ffi::av_frame_move_ref(w.last, w.frame);
                have = true;
                if pts == ffi::AV_NOPTS_VALUE || pts >= ts {
                    return Ok(Some(w.last));
                }
            }
            if ret < 0 {
                return Ok(have.then_some(w.last as *const _));
            }
        }
        Ok(None)
    }
}

/// Scales `frame` to `width` pixels (display aspect applied) and encodes a PNG data URI.
fn encode(
    w: &mut Work,
    frame: *const ffi::AVFrame,
    width: u32,
    at_s: f64,
) -> Result<Thumbnail, String> {
    // SAFETY: `frame` holds a decoded picture; sws reads it and writes into
    // our buffer of exactly height × width × 3 bytes with stride width × 3.
    unsafe {
        let f = &*frame;
        let (sw, sh) = (f.width, f.height);
        if sw <= 0 || sh <= 0 {
            return Err("a decoded frame has no size".into());
        }
        let sar = if f.sample_aspect_ratio.num > 0 && f.sample_aspect_ratio.den > 0 {
            f.sample_aspect_ratio.num as f64 / f.sample_aspect_ratio.den as f64
        } else {
            1.0
        };
        let height =
            ((width as f64 * sh as f64 / (sw as f64 * sar)).round() as u32).clamp(2, 4 * width);
        let format: ffi::AVPixelFormat = std::mem::transmute(f.format);
        w.sws = ffi::sws_getCachedContext(
            w.sws,
            sw,
            sh,
            format,
            width as i32,
            height as i32,
            ffi::AVPixelFormat::AV_PIX_FMT_RGB24,
            ffi::SWS_BILINEAR,
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null(),
        );
        if w.sws.is_null() {
            return Err("FFmpeg cannot convert this pixel format to RGB".into());
        }
        let mut rgb = vec![0u8; (width * height * 3) as usize];
        let dst = [
            rgb.as_mut_ptr(),
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
        ];
        let stride = [(width * 3) as i32, 0, 0, 0];
        let rows = ffi::sws_scale(
            w.sws,
            f.data.as_ptr() as *const *const u8,
            f.linesize.as_ptr(),
            0,
            sh,
            dst.as_ptr(),
            stride.as_ptr(),
        );
        if rows <= 0 {
            return Err("scaling a frame failed".into());
        }
        Ok(Thumbnail {
            at_s,
            width,
            height,
            data_uri: png_data_uri(&rgb, width, height)?,
        })
    }
}

/// RGB24 pixels as a `data:image/png;base64,` URI.
pub fn png_data_uri(rgb: &[u8], width: u32, height: u32) -> Result<String, String> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(rgb).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
    Ok(format!("data:image/png;base64,{b64}"))
}

fn check(ret: i32) -> Result<(), String> {
    if ret < 0 {
        Err(error_string(ret))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn media(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/media")
            .join(name)
    }

    #[test]
    fn eight_frames_of_a_prores_master() {
        let s = strip(&media("prores_hq_8mono_tc.mov"), 8, 160);
        assert_eq!(s.note, None);
        assert_eq!(s.thumbnails.len(), 8);
        let t = &s.thumbnails[0];
        assert_eq!((t.width, t.height), (160, 90));
        assert!(t.data_uri.starts_with("data:image/png;base64,iVBORw0KGgo"));
        assert!(s.thumbnails.windows(2).all(|w| w[0].at_s < w[1].at_s));
    }

    #[test]
    fn long_gop_and_interlaced_files() {
        for name in [
            "h264_high_aac.mp4",
            "dnxhd_1080i25_op1a.mxf",
            "hevc_main10_hdr10.mp4",
            "ts_h264_mp2.ts",
        ] {
            let s = strip(&media(name), 4, 120);
            assert_eq!(s.thumbnails.len(), 4, "{name}: {:?}", s.note);
        }
    }

    #[test]
    fn failures_are_notes() {
        let s = strip(&media("wav_stereo_24bit.wav"), 8, 160);
        assert!(s.thumbnails.is_empty());
        assert_eq!(s.note.as_deref(), Some("no thumbnails: no video stream"));
        let bad = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bad/truncated.mov");
        let s = strip(&bad, 8, 160);
        assert!(s.note.unwrap().starts_with("no thumbnails: failed to open"));
        let s = strip(Path::new("/nonexistent/x.mov"), 8, 160);
        assert!(s.note.is_some());
    }
}
