//! HDR10 static metadata from stream side data or the first decoded frame.

use super::model::{HdrMetadata, MasteringDisplay};
use ffmpeg_next::ffi;

/// libavutil's `AVMasteringDisplayMetadata` (mastering_display_metadata.h),
/// which the generated bindings leave out. Its layout is part of FFmpeg's ABI.
#[repr(C)]
struct AvMasteringDisplay {
    display_primaries: [[ffi::AVRational; 2]; 3],
    white_point: [ffi::AVRational; 2],
    min_luminance: ffi::AVRational,
    max_luminance: ffi::AVRational,
    has_primaries: i32,
    has_luminance: i32,
}

/// libavutil's `AVContentLightMetadata`.
#[repr(C)]
struct AvContentLight {
    max_cll: u32,
    max_fall: u32,
}

fn q(r: ffi::AVRational) -> f64 {
    if r.den == 0 {
        0.0
    } else {
        r.num as f64 / r.den as f64
    }
}

fn xy(p: [ffi::AVRational; 2]) -> [f64; 2] {
    [q(p[0]), q(p[1])]
}

/// Reads the two structures from raw side-data bytes (either may be absent).
///
/// # Safety
/// Each pointer must be NULL or point at `size` valid bytes of the named struct.
pub unsafe fn from_raw(
    mastering: *const u8,
    mastering_size: usize,
    light: *const u8,
    light_size: usize,
    source: &str,
) -> Option<HdrMetadata> {
    let mut hdr = HdrMetadata {
        source: source.into(),
        ..Default::default()
    };
    if !mastering.is_null() && mastering_size >= std::mem::size_of::<AvMasteringDisplay>() {
        // SAFETY: size checked above; FFmpeg allocates side data suitably aligned.
        let m = unsafe { &*(mastering as *const AvMasteringDisplay) };
        hdr.mastering_display = Some(mastering_display(m));
    }
    if !light.is_null() && light_size >= std::mem::size_of::<AvContentLight>() {
        // SAFETY: as above.
        let l = unsafe { &*(light as *const AvContentLight) };
        hdr.max_cll_nits = Some(l.max_cll);
        hdr.max_fall_nits = Some(l.max_fall);
    }
    (hdr.mastering_display.is_some() || hdr.max_cll_nits.is_some()).then_some(hdr)
}

fn mastering_display(m: &AvMasteringDisplay) -> MasteringDisplay {
    let primaries = m.has_primaries != 0;
    let luminance = m.has_luminance != 0;
    MasteringDisplay {
        red_xy: primaries.then(|| xy(m.display_primaries[0])),
        green_xy: primaries.then(|| xy(m.display_primaries[1])),
        blue_xy: primaries.then(|| xy(m.display_primaries[2])),
        white_point_xy: primaries.then(|| xy(m.white_point)),
        min_luminance_nits: luminance.then(|| q(m.min_luminance)),
        max_luminance_nits: luminance.then(|| q(m.max_luminance)),
    }
}

/// HDR metadata a demuxer attached to the stream itself (MKV, MP4 `mdcv`…).
///
/// # Safety
/// `stream` must be a valid stream of an open format context.
pub unsafe fn from_stream(stream: *const ffi::AVStream) -> Option<HdrMetadata> {
    let mut msize = 0usize;
    let mut lsize = 0usize;
    // SAFETY: valid stream per the caller; FFmpeg returns NULL when absent.
    unsafe {
        let m = ffi::av_stream_get_side_data(
            stream,
            ffi::AVPacketSideDataType::AV_PKT_DATA_MASTERING_DISPLAY_METADATA,
            &mut msize,
        );
        let l = ffi::av_stream_get_side_data(
            stream,
            ffi::AVPacketSideDataType::AV_PKT_DATA_CONTENT_LIGHT_LEVEL,
            &mut lsize,
        );
        from_raw(m, msize, l, lsize, "stream")
    }
}

/// HDR metadata on a decoded frame (HEVC SEI, AV1 metadata OBUs).
///
/// # Safety
/// `frame` must be a valid decoded frame.
pub unsafe fn from_frame(frame: *const ffi::AVFrame) -> Option<HdrMetadata> {
    // SAFETY: valid frame per the caller; FFmpeg returns NULL when absent.
    unsafe {
        let m = ffi::av_frame_get_side_data(
            frame,
            ffi::AVFrameSideDataType::AV_FRAME_DATA_MASTERING_DISPLAY_METADATA,
        );
        let l = ffi::av_frame_get_side_data(
            frame,
            ffi::AVFrameSideDataType::AV_FRAME_DATA_CONTENT_LIGHT_LEVEL,
        );
        let (mp, ms) = if m.is_null() {
            (std::ptr::null(), 0)
        } else {
            ((*m).data as *const u8, (*m).size)
        };
        let (lp, ls) = if l.is_null() {
            (std::ptr::null(), 0)
        } else {
            ((*l).data as *const u8, (*l).size)
        };
        from_raw(mp, ms, lp, ls, "frame")
    }
}
