//! Decoding audio streams through FFmpeg's libraries, frame by frame.
//!
//! The file is opened read-only and demuxed once; every packet of a
//! selected audio stream is decoded, and each frame is converted by hand to
//! planar `f32` (full scale = 1.0) and handed to a sink before the next
//! packet is read, so memory does not grow with duration. Packets and frames
//! that fail to decode are counted, with the position of the first.

use crate::error::{FileProblem, ProblemKind};
use ffmpeg::format::Sample;
use ffmpeg_next as ffmpeg;
use std::collections::HashMap;
use std::path::Path;

/// One decoded frame: planar samples of every channel of one stream.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedFrame {
    /// Stream index in the container.
    pub stream_index: usize,
    /// Samples per channel, full scale = 1.0.
    pub planes: Vec<Vec<f32>>,
}

/// What decoding one stream went like.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StreamDecodeReport {
    /// Stream index in the container.
    pub stream_index: usize,
    /// Samples per channel decoded.
    pub samples: u64,
    /// Packets or frames that failed to decode (or had an unexpected shape).
    pub errors: u64,
    /// Samples decoded before the first error.
    pub first_error_sample: Option<u64>,
    /// FFmpeg's description of the first error.
    pub first_error: Option<String>,
}

impl StreamDecodeReport {
    fn error(&mut self, what: String) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error_sample = Some(self.samples);
            self.first_error = Some(what);
        }
    }
}

/// A stream being decoded.
struct Track {
    decoder: ffmpeg::decoder::Audio,
    channels: usize,
    report: StreamDecodeReport,
}

/// Where the audio packets come from.
pub enum AudioSource<'a> {
    /// Read from the file by a demux pass of its own.
    File(&'a Path),
    /// Handed over by the file's one demux pass (beside the picture stage).
    Feed(crate::demux::Feed),
}

/// Decodes the audio streams `streams` (container indices) of the source,
/// handing every frame to `sink` (the frame's buffers are reused for the
/// next one), and reports per stream in the same order.
pub fn decode_audio(
    source: AudioSource<'_>,
    streams: &[(usize, usize)],
    mut sink: impl FnMut(&DecodedFrame),
) -> Result<Vec<StreamDecodeReport>, FileProblem> {
    let mut decoding = Decoding {
        frame: ffmpeg::frame::Audio::empty(),
        out: DecodedFrame {
            stream_index: 0,
            planes: Vec::new(),
        },
        tracks: HashMap::new(),
    };
    let mut failed = match source {
        AudioSource::File(path) => {
            ffmpeg::init().map_err(|e| FileProblem::new(ProblemKind::Unreadable, e.to_string()))?;
            // FFmpeg's own logging goes through signoff's callback (dropped
            // unless captured), never straight to the terminal.
            crate::ffmpeg_log::init();
            // The probe's opener: read-only `file:` protocol, any file name
            // (not only UTF-8, colons included), no other protocol reachable.
            let mut input = crate::probe::open::open(path)
                .map_err(|(code, step)| crate::probe::open::explain(code, step, &[]))?
                .into_input();
            let (tracks, failed) =
                open_tracks(streams, |i| input.stream(i).map(|s| s.parameters()))?;
            decoding.tracks = tracks;
            crate::demux::read_packets(&mut input, |item| decoding.item(item, &mut sink));
            failed
        }
        AudioSource::Feed(feed) => {
            let (tracks, failed) = open_tracks(streams, |i| feed.parameters.get(&i).cloned())?;
            decoding.tracks = tracks;
            feed.each(|item| decoding.item(item, &mut sink));
            failed
        }
    };
    let mut tracks = decoding.finish(&mut sink);
    Ok(streams
        .iter()
        .filter_map(|(i, _)| {
            tracks.remove(i).map(|t| t.report).or_else(|| {
                let at = failed.iter().position(|r| r.stream_index == *i)?;
                Some(failed.remove(at))
            })
        })
        .collect())
}

/// The decoders of one file and their scratch frames.
struct Decoding {
    frame: ffmpeg::frame::Audio,
    out: DecodedFrame,
    tracks: HashMap<usize, Track>,
}

impl Decoding {
    /// Decodes one packet of a selected stream; a damaged packet counts
    /// against every stream.
    fn item(&mut self, item: crate::demux::Item, sink: &mut impl FnMut(&DecodedFrame)) {
        let packet = match item {
            crate::demux::Item::Packet(p) => p,
            crate::demux::Item::ReadError(what) => {
                for t in self.tracks.values_mut() {
                    t.report.error(what.clone());
                }
                return;
            }
        };
        let Some(track) = self.tracks.get_mut(&packet.stream()) else {
            return;
        };
        if let Err(e) = track.decoder.send_packet(&packet) {
            track
                .report
                .error(format!("failed to decode a packet: {e}"));
            return;
        }
        drain(track, &mut self.frame, &mut self.out, sink);
    }

    /// Flushes every decoder.
    fn finish(mut self, sink: &mut impl FnMut(&DecodedFrame)) -> HashMap<usize, Track> {
        for track in self.tracks.values_mut() {
            if track.decoder.send_eof().is_ok() {
                drain(track, &mut self.frame, &mut self.out, sink);
            }
        }
        self.tracks
    }
}

/// Opens a decoder for every requested stream (index, expected channels).
/// A stream without a usable decoder is reported (one decode error at 0 s)
/// instead of failing the whole file.
#[allow(clippy::type_complexity)]
fn open_tracks(
    streams: &[(usize, usize)],
    parameters: impl Fn(usize) -> Option<ffmpeg::codec::Parameters>,
) -> Result<(HashMap<usize, Track>, Vec<StreamDecodeReport>), FileProblem> {
    let mut tracks = HashMap::new();
    let mut failed = Vec::new();
    for &(index, channels) in streams {
        let params = parameters(index).ok_or_else(|| {
            FileProblem::new(
                ProblemKind::Corrupt,
                format!("audio stream {index} not found"),
            )
        })?;
        let mut report = StreamDecodeReport {
            stream_index: index,
            ..Default::default()
        };
        match ffmpeg::codec::Context::from_parameters(params).and_then(|c| c.decoder().audio()) {
            Ok(decoder) => {
                let track = Track {
                    decoder,
                    channels,
                    report,
                };
                tracks.insert(index, track);
            }
            Err(e) => {
                report.error(format!("failed to open a decoder: {e}"));
                failed.push(report);
            }
        }
    }
    Ok((tracks, failed))
}

/// Receives every frame the decoder has ready.
fn drain(
    track: &mut Track,
    frame: &mut ffmpeg::frame::Audio,
    out: &mut DecodedFrame,
    sink: &mut impl FnMut(&DecodedFrame),
) {
    loop {
        match track.decoder.receive_frame(frame) {
            Ok(()) => match to_planar_f32(frame, track.channels, &mut out.planes) {
                Some(()) => {
                    track.report.samples += frame.samples() as u64;
                    out.stream_index = track.report.stream_index;
                    sink(out);
                }
                None => track.report.error(format!(
                    "frame with {} channels in {} ({} expected)",
                    frame.channels(),
                    frame.format().name(),
                    track.channels
                )),
            },
            Err(ffmpeg::Error::Eof) => return,
            Err(ffmpeg::Error::Other { errno }) if errno == libc::EAGAIN => return,
            Err(e) => {
                track.report.error(format!("failed to decode a frame: {e}"));
                return;
            }
        }
    }
}

/// Converts any FFmpeg sample format to planar `f32`; `None` when the frame
/// does not have the expected channel count or an unknown format.
/// The samples replace the contents of `planes`.
pub fn to_planar_f32(
    frame: &ffmpeg::frame::Audio,
    channels: usize,
    planes: &mut Vec<Vec<f32>>,
) -> Option<()> {
    if usize::from(frame.channels()) != channels || channels == 0 {
        return None;
    }
    planes.resize_with(channels, Vec::new);
    planes.iter_mut().for_each(Vec::clear);
    let planes = &mut planes[..];
    match frame.format() {
        Sample::U8(_) => convert(frame, planes, |b: [u8; 1]| {
            (f32::from(b[0]) - 128.0) / 128.0
        }),
        Sample::I16(_) => convert(frame, planes, |b| {
            f32::from(i16::from_ne_bytes(b)) / 32_768.0
        }),
        // Scaling by a power of two after rounding to f32 gives the same
        // value as dividing in f64 and rounding, and vectorises.
        Sample::I32(_) => convert(frame, planes, |b| {
            i32::from_ne_bytes(b) as f32 * (1.0 / 2_147_483_648.0)
        }),
        Sample::I64(_) => convert(frame, planes, |b| {
            (i64::from_ne_bytes(b) as f64 / 9.223_372_036_854_776e18) as f32
        }),
        Sample::F32(_) => convert(frame, planes, f32::from_ne_bytes),
        Sample::F64(_) => convert(frame, planes, |b| f64::from_ne_bytes(b) as f32),
        Sample::None => return None,
    }
    Some(())
}

/// Appends the frame's samples, `W` bytes each, to `planes`.
fn convert<const W: usize>(
    frame: &ffmpeg::frame::Audio,
    planes: &mut [Vec<f32>],
    decode: impl Fn([u8; W]) -> f32,
) {
    let n = frame.samples();
    let word = |b: &[u8]| {
        let mut w = [0u8; W];
        w.copy_from_slice(b);
        decode(w)
    };
    if frame.is_planar() {
        for (c, plane) in planes.iter_mut().enumerate() {
            let data = &frame.data(c)[..n * W];
            plane.extend(data.chunks_exact(W).map(word));
        }
    } else {
        let channels = planes.len();
        let data = &frame.data(0)[..n * W * channels];
        for (c, plane) in planes.iter_mut().enumerate() {
            plane.extend(
                data.chunks_exact(W * channels)
                    .map(|f| word(&f[c * W..(c + 1) * W])),
            );
        }
    }
}
