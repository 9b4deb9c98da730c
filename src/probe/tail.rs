//! Truncation check: does the media data reach the duration the container declares?
//!
//! A container's header or index can promise more than the file holds
//! (an interrupted copy). Seeking near the declared end and reading a few
//! packets tells, at the cost of one seek.

use super::ffi_util::ts_seconds;
use super::open::Demuxer;
use crate::error::{FileProblem, ProblemKind};
use ffmpeg_next::ffi;

/// Packets read after the seek, at most.
const MAX_PACKETS: usize = 4000;
/// How far before the declared end to seek, seconds.
const SEEK_BACK_S: f64 = 2.0;

/// `Some(problem)` when the media data stops well before `duration_s`.
pub fn check_tail(demuxer: &Demuxer, duration_s: Option<f64>) -> Option<FileProblem> {
    let duration = duration_s.filter(|d| *d > 0.5)?;
    // SAFETY: open context.
    let start = unsafe { ts_seconds((*demuxer.ctx()).start_time, av_time_base()) }.unwrap_or(0.0);
    let target = ((duration - SEEK_BACK_S).max(0.0) + start) * f64::from(ffi::AV_TIME_BASE);
    // SAFETY: seeking an open context; failure is reported by the return value.
    let ret =
        unsafe { ffi::av_seek_frame(demuxer.ctx(), -1, target as i64, ffi::AVSEEK_FLAG_BACKWARD) };
    if ret < 0 {
        return None;
    }
    let (packets, end) = read_to_end(demuxer);
    let reached = end.map(|e| e - start);
    let tolerance = (duration * 0.02).max(0.5);
    match reached {
        None if packets == 0 => Some(truncated(duration, None)),
        Some(r) if r < duration - tolerance => Some(truncated(duration, Some(r))),
        _ => None,
    }
}

fn truncated(duration: f64, reached: Option<f64>) -> FileProblem {
    let message = match reached {
        Some(r) => format!(
            "truncated: media data ends at {r:.2} s but the container declares {duration:.2} s"
        ),
        None => {
            format!("truncated: no media data near the end; the container declares {duration:.2} s")
        }
    };
    FileProblem::new(ProblemKind::Truncated, message)
}

fn av_time_base() -> ffi::AVRational {
    ffi::AVRational {
        num: 1,
        den: ffi::AV_TIME_BASE,
    }
}

/// Reads packets to the end; returns how many and the latest end time seen.
fn read_to_end(demuxer: &Demuxer) -> (usize, Option<f64>) {
    let streams = demuxer.streams();
    let mut latest: Option<f64> = None;
    let mut count = 0;
    // SAFETY: packet allocated and freed here; streams belong to the open context.
    unsafe {
        let mut pkt = ffi::av_packet_alloc();
        if pkt.is_null() {
            return (0, None);
        }
        while count < MAX_PACKETS && ffi::av_read_frame(demuxer.ctx(), pkt) >= 0 {
            count += 1;
            let p = &*pkt;
            if let Some(&st) = streams.get(p.stream_index as usize) {
                let ts = if p.pts != ffi::AV_NOPTS_VALUE {
                    p.pts
                } else {
                    p.dts
                };
                let end = ts_seconds(ts, (*st).time_base)
                    .map(|t| t + ts_seconds(p.duration.max(0), (*st).time_base).unwrap_or(0.0));
                if let Some(e) = end {
                    latest = Some(latest.map_or(e, |l: f64| l.max(e)));
                }
            }
            ffi::av_packet_unref(pkt);
        }
        ffi::av_packet_free(&mut pkt);
    }
    (count, latest)
}
