//! Small safe wrappers over FFmpeg C helpers used while probing.

use ffmpeg_next::ffi;
use std::ffi::{CStr, CString};
use std::os::raw::c_char;

/// A C string owned by FFmpeg, copied out; `None` for NULL or empty.
pub fn c_str(ptr: *const c_char) -> Option<String> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: FFmpeg returns NUL-terminated strings that outlive this call.
    let s = unsafe { CStr::from_ptr(ptr) }
        .to_string_lossy()
        .into_owned();
    (!s.is_empty()).then_some(s)
}

/// Looks up `key` (case-insensitive, as ffprobe) in an FFmpeg dictionary.
pub fn dict_get(dict: *const ffi::AVDictionary, key: &str) -> Option<String> {
    let key = CString::new(key).ok()?;
    // SAFETY: a NULL dictionary is valid for av_dict_get; the entry lives as long as the dict.
    let entry = unsafe { ffi::av_dict_get(dict, key.as_ptr(), std::ptr::null(), 0) };
    if entry.is_null() {
        return None;
    }
    // SAFETY: a non-NULL entry has a valid value pointer.
    c_str(unsafe { (*entry).value })
}

/// `num/den` as ffprobe prints rationals; `None` for 0/0 or a zero denominator.
pub fn rational(r: ffi::AVRational) -> Option<String> {
    (r.den != 0 && r.num != 0).then(|| format!("{}/{}", r.num, r.den))
}

/// A rational as a decimal.
pub fn rational_f64(r: ffi::AVRational) -> Option<f64> {
    (r.den != 0).then(|| r.num as f64 / r.den as f64)
}

/// A timestamp in `time_base` units as seconds; `None` for AV_NOPTS_VALUE.
pub fn ts_seconds(ts: i64, time_base: ffi::AVRational) -> Option<f64> {
    (ts != ffi::AV_NOPTS_VALUE && time_base.den != 0)
        .then(|| ts as f64 * time_base.num as f64 / time_base.den as f64)
}

/// FFmpeg's description of an error code.
pub fn error_string(code: i32) -> String {
    let mut buf = [0 as c_char; 256];
    // SAFETY: the buffer and its size are ours.
    unsafe { ffi::av_strerror(code, buf.as_mut_ptr(), buf.len()) };
    c_str(buf.as_ptr()).unwrap_or_else(|| format!("error {code}"))
}

/// A codec tag as FFmpeg spells it: four printable characters, or `[n]` escapes.
pub fn fourcc(tag: u32) -> Option<String> {
    if tag == 0 {
        return None;
    }
    let mut buf = [0 as c_char; 32];
    // SAFETY: AV_FOURCC_MAX_STRING_SIZE is 32.
    unsafe { ffi::av_fourcc_make_string(buf.as_mut_ptr(), tag) };
    c_str(buf.as_ptr())
}
