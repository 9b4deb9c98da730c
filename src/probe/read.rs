//! `probe_file`: one media file in, its container and stream facts out.

use super::ffi_util::{c_str, dict_get, ts_seconds};
use super::model::{Container, MediaInfo, Stream, StreamKind};
use super::open::{self, Demuxer};
use super::{hdr, names, streams};
use crate::error::{FileProblem, ProblemKind};
use crate::ffmpeg_log::{self, LogLine};
use ffmpeg_next::ffi;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// A successful probe: the facts, plus what FFmpeg and signoff noticed on the way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeOutcome {
    /// Container and streams.
    pub info: MediaInfo,
    /// Things worth a look that do not stop the file from being read.
    pub warnings: Vec<String>,
    /// FFmpeg's warnings and errors while reading this file.
    pub ffmpeg_log: Vec<LogLine>,
}

/// A failed probe: what is wrong, and what FFmpeg said about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{problem}")]
pub struct ProbeFailure {
    /// What is wrong.
    pub problem: FileProblem,
    /// FFmpeg's warnings and errors while trying.
    pub ffmpeg_log: Vec<LogLine>,
}

/// Probes one file read-only. Never panics on file content.
pub fn probe_file(path: &Path) -> Result<ProbeOutcome, ProbeFailure> {
    if let Err(problem) = precheck(path) {
        return Err(ProbeFailure {
            problem,
            ffmpeg_log: Vec::new(),
        });
    }
    let (result, log) = ffmpeg_log::capture(|| probe_open(path));
    match result {
        Ok((info, warnings)) => match open::truncation_in_log(&log) {
            Some(problem) => Err(ProbeFailure {
                problem,
                ffmpeg_log: log,
            }),
            None => Ok(ProbeOutcome {
                info,
                warnings,
                ffmpeg_log: log,
            }),
        },
        Err(Failure::Ffmpeg(code, step)) => Err(ProbeFailure {
            problem: open::explain(code, step, &log),
            ffmpeg_log: log,
        }),
        Err(Failure::Problem(problem)) => Err(ProbeFailure {
            problem,
            ffmpeg_log: log,
        }),
    }
}

enum Failure {
    Ffmpeg(i32, &'static str),
    Problem(FileProblem),
}

/// Cheap checks before FFmpeg sees the file: it exists, is a regular file, has bytes.
fn precheck(path: &Path) -> Result<(), FileProblem> {
    let meta = std::fs::metadata(path).map_err(|e| FileProblem::from_io(&e))?;
    if !meta.is_file() {
        return Err(FileProblem::new(
            ProblemKind::NotRegularFile,
            "not a regular file",
        ));
    }
    if meta.len() == 0 {
        return Err(FileProblem::new(ProblemKind::Empty, "empty file (0 bytes)"));
    }
    // Fail early and in plain words when the file cannot be opened at all.
    std::fs::File::open(path).map_err(|e| FileProblem::from_io(&e))?;
    Ok(())
}

fn probe_open(path: &Path) -> Result<(MediaInfo, Vec<String>), Failure> {
    let demuxer = open::open(path).map_err(|(c, s)| Failure::Ffmpeg(c, s))?;
    let mut streams: Vec<Stream> = demuxer
        .streams()
        .iter()
        // SAFETY: streams of an open context.
        .map(|&st| unsafe { streams::read_stream(demuxer.ctx(), st) })
        .collect();
    let container = container(&demuxer, &streams);
    if container.ffmpeg_format.starts_with("mov") {
        super::chan::name_centre_tracks(path, &mut streams);
    }
    if streams.is_empty() {
        return Err(Failure::Problem(FileProblem::new(
            ProblemKind::NotMedia,
            format!(
                "not a media file: the {} container holds no streams",
                container.format
            ),
        )));
    }
    // What the header claims is bounded before anything is decoded.
    if let Some(problem) = super::limits::check(&streams) {
        return Err(Failure::Problem(problem));
    }
    // Cut short by its container's structure, or not decoding: damaged.
    // (Decoding first reads the packets stream probing buffered, from the
    // start, without a seek.)
    let damage = super::riff::check_riff(path, &container.format)
        .or_else(|| super::structure::check_structure(path, &container.ffmpeg_format))
        .or_else(|| super::decode_check::check_decoding(&demuxer, &streams));
    if let Some(problem) = damage {
        return Err(Failure::Problem(problem));
    }
    let mut warnings = Vec::new();
    fill_hdr_from_first_frame(&demuxer, &mut streams, &mut warnings);
    // Media data that stops before the declared duration: truncated.
    if let Some(problem) = super::tail::check_tail(&demuxer, container.duration_s) {
        return Err(Failure::Problem(problem));
    }
    Ok((MediaInfo { container, streams }, warnings))
}

fn container(demuxer: &Demuxer, streams: &[Stream]) -> Container {
    // SAFETY: the context is open and its iformat set.
    let ctx = unsafe { &*demuxer.ctx() };
    let iformat = unsafe { &*ctx.iformat };
    let ffmpeg_format = c_str(iformat.name).unwrap_or_else(|| "unknown".into());
    let major_brand = dict_get(ctx.metadata, "major_brand");
    let av_tb = ffi::AVRational {
        num: 1,
        den: ffi::AV_TIME_BASE,
    };
    Container {
        format: names::container_format(&ffmpeg_format, major_brand.as_deref()),
        format_long_name: c_str(iformat.long_name),
        major_brand,
        operational_pattern: dict_get(ctx.metadata, "operational_pattern_ul")
            .and_then(|ul| names::mxf_operational_pattern(&ul)),
        duration_s: ts_seconds(ctx.duration, av_tb),
        bit_rate_bps: (ctx.bit_rate > 0).then_some(ctx.bit_rate as u64),
        start_time_s: ts_seconds(ctx.start_time, av_tb),
        start_timecode: start_timecode(ctx.metadata, streams),
        creation_time: dict_get(ctx.metadata, "creation_time"),
        encoder: dict_get(ctx.metadata, "encoder"),
        title: dict_get(ctx.metadata, "title"),
        stream_count: streams.len(),
        ffmpeg_format,
    }
}

/// The start timecode: the container's tag, else a timecode track's, else any stream's.
fn start_timecode(metadata: *const ffi::AVDictionary, streams: &[Stream]) -> Option<String> {
    dict_get(metadata, "timecode")
        .or_else(|| {
            streams
                .iter()
                .find(|s| s.kind == StreamKind::Data && s.timecode.is_some())
                .and_then(|s| s.timecode.clone())
        })
        .or_else(|| streams.iter().find_map(|s| s.timecode.clone()))
}

/// HEVC and AV1 carry HDR10 metadata in the bitstream: decode the first
/// frame of HDR-looking streams that the container told us nothing about.
fn fill_hdr_from_first_frame(
    demuxer: &Demuxer,
    streams: &mut [Stream],
    warnings: &mut Vec<String>,
) {
    for stream in streams.iter_mut() {
        let Some(video) = stream.video.as_mut() else {
            continue;
        };
        let pq_or_hlg = matches!(
            video.color_transfer.as_deref(),
            Some("smpte2084") | Some("arib-std-b67")
        );
        let hdr_codec = matches!(stream.codec.as_str(), "hevc" | "av1" | "vp9");
        if video.hdr.is_some() || !(pq_or_hlg || hdr_codec && video.bit_depth.unwrap_or(8) > 8) {
            continue;
        }
        // The decode check has read past the first frame.
        super::decode_check::rewind(demuxer);
        match super::first_frame::decode_first_frame(demuxer, stream.index, |f| unsafe {
            hdr::from_frame(f)
        }) {
            Ok(hdr) => video.hdr = hdr.flatten(),
            Err(e) => warnings.push(format!(
                "stream {}: could not decode the first frame: {e}",
                stream.index
            )),
        }
    }
}

/// Whether a file could be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Read cleanly.
    Ok,
    /// Read, with warnings worth a look.
    Warning,
    /// Could not be read; see `problem`.
    Error,
}

/// A probe result keyed by path: the unit of `signoff probe --format json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbedFile {
    /// The path as given (lossy UTF-8 for display).
    pub path: String,
    /// The raw path bytes in hex, only when the name is not valid UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_hex: Option<String>,
    /// File size in bytes, when it could be read.
    pub size_bytes: Option<u64>,
    /// `ok`, `warning` or `error`.
    pub status: Status,
    /// What is wrong, when `status` is `error`.
    pub problem: Option<FileProblem>,
    /// Things worth a look.
    pub warnings: Vec<String>,
    /// The probe, when the file could be read.
    pub media: Option<MediaInfo>,
    /// FFmpeg's warnings and errors for this file.
    pub ffmpeg_log: Vec<LogLine>,
}

impl ProbedFile {
    /// Probes `path` and records the outcome, good or bad.
    pub fn probe(path: &Path) -> Self {
        let size_bytes = std::fs::symlink_metadata(path).ok().map(|m| m.len());
        let (display, path_hex) = display_path(path);
        let mut file = ProbedFile {
            path: display,
            path_hex,
            size_bytes,
            status: Status::Ok,
            problem: None,
            warnings: Vec::new(),
            media: None,
            ffmpeg_log: Vec::new(),
        };
        match probe_file(path) {
            Ok(outcome) => {
                if !outcome.warnings.is_empty() {
                    file.status = Status::Warning;
                }
                file.warnings = outcome.warnings;
                file.media = Some(outcome.info);
                file.ffmpeg_log = outcome.ffmpeg_log;
            }
            Err(failure) => {
                file.status = Status::Error;
                file.problem = Some(failure.problem);
                file.ffmpeg_log = failure.ffmpeg_log;
            }
        }
        file
    }
}

/// A path for display (lossy UTF-8) and, when not valid UTF-8, its raw bytes in hex.
pub fn display_path(path: &Path) -> (String, Option<String>) {
    use std::os::unix::ffi::OsStrExt;
    match path.to_str() {
        Some(s) => (s.to_string(), None),
        None => {
            let hex = path
                .as_os_str()
                .as_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            (path.to_string_lossy().into_owned(), Some(hex))
        }
    }
}
