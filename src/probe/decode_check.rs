//! Does the content decode? The first frames of every audio and video
//! stream are decoded while probing: a stream whose decoder will not open,
//! or whose first packets all fail to decode (a payload of zeros, garbage),
//! makes the file damaged, whatever its container says.
//!
//! This is a first-frames check, bounded in packets read: full decoding is
//! `measure`'s job (audio) and a later issue's (picture).

use super::ffi_util::error_string;
use super::model::{Stream, StreamKind};
use super::open::Demuxer;
use crate::error::{FileProblem, ProblemKind};
use ffmpeg_next::ffi;
use std::ptr;

/// Packets read at most, over all streams.
const MAX_PACKETS: usize = 2_000;
/// Audio frames decoded before an audio stream counts as decodable.
const AUDIO_FRAMES: u32 = 4;
/// Packets of a stream that must fail, with no frame decoded, before it is
/// judged undecodable without reaching the end of the file.
const FAILED_PACKETS: u32 = 24;

/// One stream being tried.
struct Trial {
    index: usize,
    kind: StreamKind,
    codec: String,
    ctx: *mut ffi::AVCodecContext,
    packets: u32,
    failures: u32,
    frames: u32,
    first_error: Option<String>,
}

impl Drop for Trial {
    fn drop(&mut self) {
        // SAFETY: ctx is NULL or owned by this trial.
        unsafe { ffi::avcodec_free_context(&mut self.ctx) };
    }
}

impl Trial {
    fn done(&self) -> bool {
        match self.kind {
            StreamKind::Audio => self.frames >= AUDIO_FRAMES,
            _ => self.frames >= 1,
        }
    }

    fn fail(&mut self, code: i32) {
        self.failures += 1;
        self.first_error.get_or_insert_with(|| error_string(code));
    }

    fn what(&self) -> String {
        format!(
            "{} stream {} ({})",
            self.kind.as_str(),
            self.index,
            self.codec
        )
    }
}

/// `Some(problem)` when a stream cannot be decoded.
pub fn check_decoding(demuxer: &Demuxer, streams: &[Stream]) -> Option<FileProblem> {
    let mut trials = Vec::new();
    for s in streams {
        if !matches!(s.kind, StreamKind::Audio | StreamKind::Video) {
            continue;
        }
        match open_trial(demuxer, s) {
            Ok(t) => trials.push(t),
            Err(problem) => return Some(problem),
        }
    }
    if trials.is_empty() {
        return None;
    }
    let at_end = read_packets(demuxer, &mut trials);
    trials.iter().find_map(|t| verdict(t, at_end))
}

/// Opens a decoder for one stream; a stream FFmpeg cannot decode is a problem.
fn open_trial(demuxer: &Demuxer, s: &Stream) -> Result<Trial, FileProblem> {
    let st = *demuxer.streams().get(s.index).ok_or_else(|| {
        FileProblem::new(ProblemKind::Corrupt, format!("stream {} vanished", s.index))
    })?;
    let mut trial = Trial {
        index: s.index,
        kind: s.kind,
        codec: s.codec.clone(),
        ctx: ptr::null_mut(),
        packets: 0,
        failures: 0,
        frames: 0,
        first_error: None,
    };
    // SAFETY: standard libavcodec set-up on a stream of an open context; the
    // context is owned by the trial and freed on every path.
    unsafe {
        let par = (*st).codecpar;
        let codec = ffi::avcodec_find_decoder((*par).codec_id);
        if codec.is_null() {
            return Err(FileProblem::new(
                ProblemKind::Unsupported,
                format!(
                    "unsupported: {} cannot be decoded (FFmpeg has no decoder for it)",
                    trial.what()
                ),
            ));
        }
        trial.ctx = ffi::avcodec_alloc_context3(codec);
        if trial.ctx.is_null() {
            return Err(FileProblem::new(ProblemKind::Corrupt, "out of memory"));
        }
        let mut ret = ffi::avcodec_parameters_to_context(trial.ctx, par);
        if ret >= 0 {
            (*trial.ctx).thread_count = 1;
            ret = ffi::avcodec_open2(trial.ctx, codec, ptr::null_mut());
        }
        if ret < 0 {
            return Err(FileProblem::new(
                ProblemKind::Corrupt,
                format!(
                    "damaged: the decoder of {} will not open ({}); its parameters are invalid",
                    trial.what(),
                    error_string(ret)
                ),
            ));
        }
    }
    Ok(trial)
}

/// Back to the first packet, for a second look at the first frames.
pub(super) fn rewind(demuxer: &Demuxer) {
    // SAFETY: seeking an open context; failure leaves it where it was.
    unsafe {
        let ctx = demuxer.ctx();
        let start = if (*ctx).start_time == ffi::AV_NOPTS_VALUE {
            0
        } else {
            (*ctx).start_time
        };
        if ffi::av_seek_frame(ctx, -1, start, ffi::AVSEEK_FLAG_BACKWARD) < 0 {
            ffi::av_seek_frame(ctx, -1, 0, ffi::AVSEEK_FLAG_BYTE);
        }
    }
}

/// Feeds packets to the trials until each has decoded enough, the budget
/// is spent or the file ends; `true` when it ended.
fn read_packets(demuxer: &Demuxer, trials: &mut [Trial]) -> bool {
    // SAFETY: packet and frame are allocated and freed here; every decoder
    // context belongs to an open trial.
    unsafe {
        let mut pkt = ffi::av_packet_alloc();
        let mut frame = ffi::av_frame_alloc();
        let mut at_end = false;
        if !pkt.is_null() && !frame.is_null() {
            for _ in 0..MAX_PACKETS {
                if trials.iter().all(Trial::done) {
                    break;
                }
                if ffi::av_read_frame(demuxer.ctx(), pkt) < 0 {
                    at_end = true;
                    break;
                }
                let index = (*pkt).stream_index as usize;
                if let Some(t) = trials.iter_mut().find(|t| t.index == index && !t.done()) {
                    t.packets += 1;
                    let ret = ffi::avcodec_send_packet(t.ctx, pkt);
                    if ret < 0 && ret != ffi::AVERROR(libc::EAGAIN) {
                        t.fail(ret);
                    }
                    receive(t, frame);
                }
                ffi::av_packet_unref(pkt);
            }
            if at_end {
                for t in trials.iter_mut().filter(|t| !t.done()) {
                    ffi::avcodec_send_packet(t.ctx, ptr::null());
                    receive(t, frame);
                }
            }
        }
        ffi::av_frame_free(&mut frame);
        ffi::av_packet_free(&mut pkt);
        at_end
    }
}

/// Takes every frame the decoder has ready.
///
/// # Safety
/// `frame` is an allocated frame and the trial's context is open.
unsafe fn receive(t: &mut Trial, frame: *mut ffi::AVFrame) {
    loop {
        let ret = ffi::avcodec_receive_frame(t.ctx, frame);
        if ret == ffi::AVERROR(libc::EAGAIN) || ret == ffi::AVERROR_EOF {
            return;
        }
        if ret < 0 {
            t.fail(ret);
            return;
        }
        t.frames += 1;
        ffi::av_frame_unref(frame);
    }
}

/// The problem with one tried stream, if the trial says enough.
fn verdict(t: &Trial, at_end: bool) -> Option<FileProblem> {
    if t.frames > 0 {
        return None;
    }
    let damaged = |message: String| Some(FileProblem::new(ProblemKind::Corrupt, message));
    if t.packets == 0 {
        return at_end.then(|| {
            FileProblem::new(
                ProblemKind::Corrupt,
                format!("damaged: {} holds no data at all", t.what()),
            )
        });
    }
    if t.failures >= FAILED_PACKETS || (at_end && t.failures > 0) {
        return damaged(format!(
            "damaged: {} does not decode: its first {} packet(s) all fail ({})",
            t.what(),
            t.packets,
            t.first_error.as_deref().unwrap_or("no picture or sound")
        ));
    }
    if at_end {
        return damaged(format!(
            "damaged: {} does not decode: {} packet(s) gave no picture or sound",
            t.what(),
            t.packets
        ));
    }
    None
}
