//! Reading each stream's facts from its codec parameters, as ffprobe does.

use super::ffi_util::{c_str, dict_get, fourcc, rational, rational_f64, ts_seconds};
use super::model::{AudioInfo, Stream, StreamKind, VideoInfo};
use super::{hdr, names};
use ffmpeg_next::ffi;

/// The facts of one stream of an open file.
///
/// # Safety
/// `ctx` must be an open format context and `st` one of its streams.
pub unsafe fn read_stream(ctx: *mut ffi::AVFormatContext, st: *mut ffi::AVStream) -> Stream {
    // SAFETY: per the caller.
    unsafe {
        let s = &*st;
        let par = &*s.codecpar;
        let kind = kind_of(par.codec_type);
        let title = dict_get(s.metadata, "title");
        let handler = dict_get(s.metadata, "handler_name");
        let tag = fourcc(par.codec_tag);
        let mut stream = Stream {
            index: s.index as usize,
            kind,
            codec: codec_name(par.codec_id, tag.as_deref()),
            codec_long_name: codec_long_name(par.codec_id),
            profile: profile_name(par.codec_id, par.profile),
            codec_tag: tag,
            language: dict_get(s.metadata, "language"),
            title: title.clone(),
            handler: handler.clone(),
            duration_s: ts_seconds(s.duration, s.time_base),
            bit_rate_bps: (par.bit_rate > 0).then_some(par.bit_rate as u64),
            timecode: dict_get(s.metadata, "timecode"),
            video: None,
            audio: None,
        };
        match kind {
            StreamKind::Video => stream.video = Some(read_video(ctx, st)),
            StreamKind::Audio => {
                let container = c_str((*(*ctx).iformat).name).unwrap_or_default();
                let title = title.as_deref().or(handler.as_deref());
                stream.audio = Some(read_audio(par, title, &container))
            }
            _ => {}
        }
        stream
    }
}

fn kind_of(t: ffi::AVMediaType) -> StreamKind {
    match t {
        ffi::AVMediaType::AVMEDIA_TYPE_VIDEO => StreamKind::Video,
        ffi::AVMediaType::AVMEDIA_TYPE_AUDIO => StreamKind::Audio,
        ffi::AVMediaType::AVMEDIA_TYPE_SUBTITLE => StreamKind::Subtitle,
        ffi::AVMediaType::AVMEDIA_TYPE_DATA => StreamKind::Data,
        ffi::AVMediaType::AVMEDIA_TYPE_ATTACHMENT => StreamKind::Attachment,
        _ => StreamKind::Unknown,
    }
}

/// FFmpeg's codec name; for streams FFmpeg has no codec for (a QuickTime
/// `tmcd` timecode track), the codec tag; else `unknown`.
fn codec_name(id: ffi::AVCodecID, tag: Option<&str>) -> String {
    // SAFETY: avcodec_descriptor_get accepts any id and may return NULL.
    let desc = unsafe { ffi::avcodec_descriptor_get(id) };
    let name = if desc.is_null() {
        None
    } else {
        // SAFETY: non-NULL descriptors are static.
        c_str(unsafe { (*desc).name })
    };
    name.or_else(|| tag.map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}

fn codec_long_name(id: ffi::AVCodecID) -> Option<String> {
    // SAFETY: as in codec_name.
    let desc = unsafe { ffi::avcodec_descriptor_get(id) };
    (!desc.is_null())
        .then(|| c_str(unsafe { (*desc).long_name }))
        .flatten()
}

fn profile_name(id: ffi::AVCodecID, profile: i32) -> Option<String> {
    // SAFETY: returns a static string or NULL.
    c_str(unsafe { ffi::avcodec_profile_name(id, profile) })
}

/// # Safety
/// As [`read_stream`].
unsafe fn read_video(ctx: *mut ffi::AVFormatContext, st: *mut ffi::AVStream) -> VideoInfo {
    // SAFETY: per the caller.
    unsafe {
        let s = &*st;
        let par = &*s.codecpar;
        let sar = ffi::av_guess_sample_aspect_ratio(ctx, st, std::ptr::null_mut());
        let (sar_s, dar_s) = aspect_ratios(par.width, par.height, sar);
        let field = field_order_name(par.field_order);
        let (scan_type, field_order) = names::field_order(field);
        let pix = pixel_format(par.format);
        let r = s.r_frame_rate;
        let avg = s.avg_frame_rate;
        VideoInfo {
            width: par.width.max(0) as u32,
            height: par.height.max(0) as u32,
            sample_aspect_ratio: sar_s,
            display_aspect_ratio: dar_s,
            frame_rate: rational(r),
            frame_rate_fps: rational(r).and(rational_f64(r)),
            avg_frame_rate: rational(avg),
            constant_frame_rate: (rational(r).is_some() && rational(avg).is_some())
                .then(|| ffi::av_cmp_q(r, avg) == 0),
            scan_type: scan_type.map(Into::into),
            field_order: field_order.map(Into::into),
            pixel_format: pix.as_ref().map(|p| p.name.clone()),
            bit_depth: if par.bits_per_raw_sample > 0 {
                Some(par.bits_per_raw_sample as u32)
            } else {
                pix.as_ref().map(|p| p.depth)
            },
            chroma_subsampling: pix.and_then(|p| p.chroma),
            color_range: color_name(
                ffi::av_color_range_name(par.color_range),
                par.color_range as i32,
            ),
            color_primaries: color_name(
                ffi::av_color_primaries_name(par.color_primaries),
                par.color_primaries as i32 - 2,
            ),
            color_transfer: color_name(
                ffi::av_color_transfer_name(par.color_trc),
                par.color_trc as i32 - 2,
            ),
            color_matrix: color_name(
                ffi::av_color_space_name(par.color_space),
                par.color_space as i32 - 2,
            ),
            hdr: hdr::from_stream(st),
            frame_count: (s.nb_frames > 0).then_some(s.nb_frames as u64),
        }
    }
}

/// A colour property's name; `None` when unspecified (`code == 0` after
/// shifting so that FFmpeg's UNSPECIFIED value lands on zero).
fn color_name(name: *const std::os::raw::c_char, code: i32) -> Option<String> {
    if code == 0 {
        return None;
    }
    c_str(name).filter(|n| n != "unknown" && n != "unspecified")
}

fn aspect_ratios(
    width: i32,
    height: i32,
    sar: ffi::AVRational,
) -> (Option<String>, Option<String>) {
    if sar.num == 0 || sar.den == 0 || width <= 0 || height <= 0 {
        return (None, None);
    }
    let (mut num, mut den) = (0, 0);
    // SAFETY: plain arithmetic helper.
    unsafe {
        ffi::av_reduce(
            &mut num,
            &mut den,
            i64::from(width) * i64::from(sar.num),
            i64::from(height) * i64::from(sar.den),
            1024 * 1024,
        )
    };
    (
        Some(format!("{}:{}", sar.num, sar.den)),
        Some(format!("{num}:{den}")),
    )
}

fn field_order_name(f: ffi::AVFieldOrder) -> &'static str {
    match f {
        ffi::AVFieldOrder::AV_FIELD_PROGRESSIVE => "progressive",
        ffi::AVFieldOrder::AV_FIELD_TT => "tt",
        ffi::AVFieldOrder::AV_FIELD_BB => "bb",
        ffi::AVFieldOrder::AV_FIELD_TB => "tb",
        ffi::AVFieldOrder::AV_FIELD_BT => "bt",
        _ => "unknown",
    }
}

struct PixFmt {
    name: String,
    depth: u32,
    chroma: Option<String>,
}

fn pixel_format(format: i32) -> Option<PixFmt> {
    if format < 0 {
        return None;
    }
    // SAFETY: FFmpeg validates the value; AVPixelFormat is a C int enum.
    unsafe {
        let fmt: ffi::AVPixelFormat = std::mem::transmute(format);
        let desc = ffi::av_pix_fmt_desc_get(fmt);
        if desc.is_null() {
            return None;
        }
        let d = &*desc;
        let is_rgb = d.flags & ffi::AV_PIX_FMT_FLAG_RGB as u64 != 0;
        Some(PixFmt {
            name: c_str(d.name)?,
            depth: d.comp[0].depth as u32,
            chroma: names::chroma_subsampling(
                d.nb_components,
                is_rgb,
                d.log2_chroma_w,
                d.log2_chroma_h,
            ),
        })
    }
}

fn read_audio(par: &ffi::AVCodecParameters, title: Option<&str>, container: &str) -> AudioInfo {
    // SAFETY: par belongs to an open stream.
    unsafe {
        let layout = &par.ch_layout;
        let sample_format = if par.format >= 0 {
            c_str(ffi::av_get_sample_fmt_name(std::mem::transmute::<
                i32,
                ffi::AVSampleFormat,
            >(par.format)))
        } else {
            None
        };
        let bits = ffi::av_get_bits_per_sample(par.codec_id);
        let bit_depth = if par.bits_per_raw_sample > 0 {
            Some(par.bits_per_raw_sample as u32)
        } else {
            (bits > 0).then_some(bits as u32)
        };
        let codec = codec_name(par.codec_id, None);
        let labels = ffmpeg_channels(layout);
        let channels = layout.nb_channels.max(0) as u32;
        let (channel_names, channel_labels) =
            names::label_channels(channels, labels.as_ref(), title, container, &codec);
        AudioInfo {
            sample_rate: par.sample_rate.max(0) as u32,
            sample_format,
            bit_depth,
            channels,
            channel_layout: layout_name(layout),
            channel_names,
            channel_labels,
        }
    }
}

fn layout_name(layout: &ffi::AVChannelLayout) -> Option<String> {
    if layout.order == ffi::AVChannelOrder::AV_CHANNEL_ORDER_UNSPEC {
        return None;
    }
    let mut buf = [0 as std::os::raw::c_char; 128];
    // SAFETY: buffer and size are ours.
    let ret = unsafe { ffi::av_channel_layout_describe(layout, buf.as_mut_ptr(), buf.len()) };
    (ret > 0).then(|| c_str(buf.as_ptr())).flatten()
}

/// FFmpeg's name of every channel of `layout` (`FL`, `USR3`…) and whether
/// the order is FFmpeg's native one; `None` when FFmpeg knows no layout.
fn ffmpeg_channels(layout: &ffi::AVChannelLayout) -> Option<names::FfmpegLayout> {
    if layout.order == ffi::AVChannelOrder::AV_CHANNEL_ORDER_UNSPEC || layout.nb_channels <= 0 {
        return None;
    }
    let channels = (0..layout.nb_channels as u32)
        .map(|i| {
            let mut buf = [0 as std::os::raw::c_char; 32];
            // SAFETY: layout valid; buffer ours.
            unsafe {
                let ch = ffi::av_channel_layout_channel_from_index(layout, i);
                ffi::av_channel_name(buf.as_mut_ptr(), buf.len(), ch);
            }
            c_str(buf.as_ptr()).unwrap_or_else(|| "?".into())
        })
        .collect();
    Some(names::FfmpegLayout {
        channels,
        native: layout.order == ffi::AVChannelOrder::AV_CHANNEL_ORDER_NATIVE,
    })
}
