//! A minimal stand-in for the probe: enough of [`MediaInfo`] (audio streams,
//! their rates and channel counts, video frame rate, start timecode) to
//! measure a file. To be replaced by `crate::probe::probe_file` once it lands.

use super::programme::default_channel_names;
use crate::error::{FileProblem, ProblemKind};
use crate::probe::model::{AudioInfo, Container, MediaInfo, Stream, StreamKind, VideoInfo};
use ffmpeg_next as ffmpeg;
use std::path::Path;

/// Reads the stream table of `path`.
pub fn minimal_media_info(path: &Path) -> Result<MediaInfo, FileProblem> {
    ffmpeg::init().map_err(|e| FileProblem::new(ProblemKind::Unreadable, e.to_string()))?;
    let input = ffmpeg::format::input(path).map_err(|e| {
        let kind = match e {
            ffmpeg::Error::InvalidData => ProblemKind::NotMedia,
            _ => ProblemKind::Unreadable,
        };
        FileProblem::new(kind, format!("failed to open: {e}"))
    })?;
    let streams: Vec<Stream> = input.streams().map(|s| stream(&s)).collect();
    let start_timecode = input
        .metadata()
        .get("timecode")
        .map(str::to_string)
        .or_else(|| streams.iter().find_map(|s| s.timecode.clone()));
    Ok(MediaInfo {
        container: Container {
            format: input.format().name().to_string(),
            ffmpeg_format: input.format().name().to_string(),
            format_long_name: None,
            major_brand: None,
            operational_pattern: None,
            duration_s: None,
            bit_rate_bps: None,
            start_time_s: None,
            start_timecode,
            creation_time: None,
            encoder: None,
            title: None,
            stream_count: streams.len(),
        },
        streams,
    })
}

fn stream(s: &ffmpeg::format::stream::Stream) -> Stream {
    let params = s.parameters();
    let medium = params.medium();
    let kind = match medium {
        ffmpeg::media::Type::Audio => StreamKind::Audio,
        ffmpeg::media::Type::Video => StreamKind::Video,
        ffmpeg::media::Type::Data => StreamKind::Data,
        ffmpeg::media::Type::Subtitle => StreamKind::Subtitle,
        _ => StreamKind::Unknown,
    };
    let codec = ffmpeg::codec::Context::from_parameters(params.clone())
        .map(|c| c.id().name().to_string())
        .unwrap_or_default();
    let audio = ffmpeg::codec::Context::from_parameters(params)
        .ok()
        .filter(|_| kind == StreamKind::Audio)
        .and_then(|c| c.decoder().audio().ok())
        .map(|a| AudioInfo {
            sample_rate: a.rate(),
            sample_format: None,
            bit_depth: None,
            channels: u32::from(a.channels()),
            channel_layout: None,
            channel_names: default_channel_names(u32::from(a.channels())),
        });
    let rate = s.avg_frame_rate();
    let video = (kind == StreamKind::Video).then(|| VideoInfo {
        width: 0,
        height: 0,
        sample_aspect_ratio: None,
        display_aspect_ratio: None,
        frame_rate: None,
        frame_rate_fps: (rate.denominator() != 0).then(|| f64::from(rate)),
        avg_frame_rate: None,
        constant_frame_rate: None,
        scan_type: None,
        field_order: None,
        pixel_format: None,
        bit_depth: None,
        chroma_subsampling: None,
        color_range: None,
        color_primaries: None,
        color_transfer: None,
        color_matrix: None,
        hdr: None,
        frame_count: None,
    });
    Stream {
        index: s.index(),
        kind,
        codec,
        codec_long_name: None,
        profile: None,
        codec_tag: None,
        language: None,
        title: None,
        handler: None,
        duration_s: None,
        bit_rate_bps: None,
        timecode: s.metadata().get("timecode").map(str::to_string),
        video,
        audio,
    }
}
