//! Opening a file with libavformat, read-only, and naming what went wrong.

use super::ffi_util::error_string;
use crate::error::{FileProblem, ProblemKind};
use crate::ffmpeg_log::LogLine;
use ffmpeg_next::ffi;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::ptr;

/// An open demuxer; closed on drop.
pub struct Demuxer {
    ctx: *mut ffi::AVFormatContext,
}

impl Drop for Demuxer {
    fn drop(&mut self) {
        // SAFETY: ctx came from avformat_open_input and is closed once.
        unsafe { ffi::avformat_close_input(&mut self.ctx) };
    }
}

impl Demuxer {
    /// The format context.
    pub fn ctx(&self) -> *mut ffi::AVFormatContext {
        self.ctx
    }

    /// Hands the open context to ffmpeg-next, which closes it on drop.
    pub fn into_input(self) -> ffmpeg_next::format::context::Input {
        let ctx = self.ctx;
        std::mem::forget(self);
        // SAFETY: ownership of the open context moves to the Input, exactly once.
        unsafe { ffmpeg_next::format::context::Input::wrap(ctx) }
    }

    /// The streams of the open file.
    pub fn streams(&self) -> &[*mut ffi::AVStream] {
        // SAFETY: the context is open; nb_streams counts the streams array.
        unsafe {
            let ctx = &*self.ctx;
            if ctx.streams.is_null() {
                return &[];
            }
            std::slice::from_raw_parts(ctx.streams, ctx.nb_streams as usize)
        }
    }
}

/// Opens `path` for reading only through FFmpeg's `file` protocol (never a
/// network protocol, whatever the name looks like) and reads stream info.
pub fn open(path: &Path) -> Result<Demuxer, (i32, &'static str)> {
    let mut url = b"file:".to_vec();
    url.extend_from_slice(path.as_os_str().as_bytes());
    let url = CString::new(url).map_err(|_| (ffi::AVERROR(libc::EINVAL), "open"))?;
    let mut ctx: *mut ffi::AVFormatContext = ptr::null_mut();
    let mut options: *mut ffi::AVDictionary = ptr::null_mut();
    // SAFETY: standard libavformat open sequence; options are freed after use.
    unsafe {
        ffi::av_dict_set(
            &mut options,
            c"protocol_whitelist".as_ptr(),
            c"file".as_ptr(),
            0,
        );
        let ret = ffi::avformat_open_input(&mut ctx, url.as_ptr(), ptr::null(), &mut options);
        ffi::av_dict_free(&mut options);
        if ret < 0 {
            return Err((ret, "open"));
        }
        let demuxer = Demuxer { ctx };
        let ret = ffi::avformat_find_stream_info(ctx, ptr::null_mut());
        if ret < 0 {
            return Err((ret, "read stream information from"));
        }
        Ok(demuxer)
    }
}

/// Turns an FFmpeg failure into a problem a QC operator understands,
/// using what FFmpeg logged meanwhile.
pub fn explain(code: i32, step: &str, log: &[LogLine]) -> FileProblem {
    if let Some(problem) = truncation_in_log(log) {
        return problem;
    }
    if code == ffi::AVERROR(libc::EACCES) || code == ffi::AVERROR(libc::EPERM) {
        return FileProblem::new(ProblemKind::Unreadable, "cannot read: permission denied");
    }
    if code == ffi::AVERROR(libc::ENOENT) {
        return FileProblem::new(ProblemKind::Unreadable, "cannot read: file not found");
    }
    if code == ffi::AVERROR_INVALIDDATA {
        // FFmpeg logs nothing when no demuxer recognised the content; a
        // demuxer that recognised it and then failed says why.
        if step == "open" && log.is_empty() {
            return FileProblem::new(
                ProblemKind::NotMedia,
                "not a media file: no known container signature",
            );
        }
        return FileProblem::new(
            ProblemKind::Corrupt,
            format!("damaged container: {}", last_error(log)),
        );
    }
    if code == ffi::AVERROR_EOF {
        return FileProblem::new(
            ProblemKind::Truncated,
            "truncated: the file ends inside its header",
        );
    }
    FileProblem::new(
        ProblemKind::Corrupt,
        format!(
            "failed to {step} the file: {} ({})",
            error_string(code),
            last_error(log)
        ),
    )
}

/// A truncation FFmpeg noticed and logged, in plain words.
pub fn truncation_in_log(log: &[LogLine]) -> Option<FileProblem> {
    let logged = |needle: &str| log.iter().any(|l| l.message.contains(needle));
    if logged("moov atom not found") {
        return Some(FileProblem::new(
            ProblemKind::Truncated,
            "truncated: moov atom missing (the file ends before its index; an interrupted copy or render?)",
        ));
    }
    if logged("partial file") {
        return Some(FileProblem::new(
            ProblemKind::Truncated,
            "truncated: the file ends before the media data its index points to",
        ));
    }
    None
}

fn last_error(log: &[LogLine]) -> String {
    log.iter()
        .find(|l| l.level != "warning")
        .or(log.last())
        .map(|l| l.message.clone())
        .unwrap_or_else(|| "FFmpeg gave no details".into())
}
