//! One demux pass of one version: its first video stream decoded and
//! fingerprinted on this thread (the decoder's frame threads use the
//! cores), its sound decoded and fingerprinted on another, and measured
//! for loudness on a third, from the same packets.

use super::prints::{PicturePrints, PrintDetector, PrintSlot, SoundPrinter, SoundPrints};
use crate::demux::{self, Item};
use crate::error::{FileProblem, ProblemKind};
use crate::measure::decode::{decode_audio, AudioSource};
use crate::measure::model::AudioMeasurements;
use crate::measure::{measure_source, MeasureOptions};
use crate::picture::decode::{open_input, PictureRun};
use crate::picture::{Detector, PictureMeasurements, PictureOptions};
use crate::probe::model::{MediaInfo, StreamKind};
use ffmpeg_next as ffmpeg;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// What one pass over a version found.
#[derive(Debug, Clone, Default)]
pub struct Scanned {
    /// The fingerprinted video stream's index and decode summary.
    pub picture: Option<PictureMeasurements>,
    /// Its fingerprints.
    pub picture_prints: Option<PicturePrints>,
    /// The sound's fingerprints (`None`: no sound).
    pub sound_prints: Option<SoundPrints>,
    /// Why the sound could not be fingerprinted.
    pub sound_problem: Option<String>,
    /// Loudness per programme (`None`: not asked or no sound).
    pub loudness: Option<Result<AudioMeasurements, FileProblem>>,
}

/// Decodes `path` once, fingerprinting picture and sound in blocks of
/// `block_s`, and measuring loudness when `measure`.
pub fn scan(
    path: &Path,
    media: &MediaInfo,
    block_s: f64,
    measure: bool,
) -> Result<Scanned, FileProblem> {
    let (result, _log) = crate::ffmpeg_log::capture(|| {
        let mut input = open_input(path, media)?;
        one_pass(&mut input, media, block_s, measure)
    });
    result
}

/// The audio streams to decode: (index, channels, sample rate).
fn sound_streams(media: &MediaInfo) -> Vec<(usize, usize, u32)> {
    media
        .streams
        .iter()
        .filter(|s| s.kind == StreamKind::Audio)
        .filter_map(|s| {
            let a = s.audio.as_ref()?;
            (a.channels > 0 && a.sample_rate > 0).then_some((
                s.index,
                a.channels as usize,
                a.sample_rate,
            ))
        })
        .collect()
}

/// The first video stream that is a picture (not cover art).
fn first_video(input: &ffmpeg::format::context::Input) -> Option<usize> {
    input
        .streams()
        .find(|s| {
            s.parameters().medium() == ffmpeg::media::Type::Video
                && !s
                    .disposition()
                    .contains(ffmpeg::format::stream::Disposition::ATTACHED_PIC)
        })
        .map(|s| s.index())
}

fn one_pass(
    input: &mut ffmpeg::format::context::Input,
    media: &MediaInfo,
    block_s: f64,
    measure: bool,
) -> Result<Scanned, FileProblem> {
    let video = first_video(input);
    let slot: PrintSlot = Arc::new(Mutex::new(None));
    let make = |index: usize, _: &crate::picture::StreamInfo| -> Vec<Box<dyn Detector>> {
        if Some(index) == video {
            vec![Box::new(PrintDetector::new(slot.clone()))]
        } else {
            Vec::new()
        }
    };
    let mut run =
        video.map(|_| PictureRun::with_detectors(input, media, &PictureOptions::default(), &make));
    let streams = sound_streams(media);
    let indices: Vec<usize> = streams.iter().map(|s| s.0).collect();
    let (print_tx, print_feed) = demux::feed(input, &indices);
    let (measure_tx, measure_feed) = demux::feed(input, &indices);
    let measure_tx = (measure && !indices.is_empty()).then_some(measure_tx);
    let mut out = std::thread::scope(|scope| {
        let sound = (!streams.is_empty()).then(|| {
            let streams = streams.clone();
            scope.spawn(move || print_sound(print_feed, &streams, block_s))
        });
        let loudness = measure_tx.as_ref().map(|_| {
            scope.spawn(move || {
                measure_source(
                    AudioSource::Feed(measure_feed),
                    media,
                    &MeasureOptions::default(),
                )
            })
        });
        demux::read_packets(input, |item| match item {
            Item::Packet(p) if print_tx.wants(p.stream()) => {
                if let Some(m) = &measure_tx {
                    m.send(Item::Packet(p.clone()));
                }
                print_tx.send(Item::Packet(p));
            }
            Item::Packet(p) => {
                if Some(p.stream()) == video {
                    if let Some(r) = run.as_mut() {
                        r.item(Item::Packet(p));
                    }
                }
            }
            Item::ReadError(what) => {
                if let Some(m) = &measure_tx {
                    m.send(Item::ReadError(what.clone()));
                }
                print_tx.send(Item::ReadError(what.clone()));
                if let Some(r) = run.as_mut() {
                    r.item(Item::ReadError(what));
                }
            }
        });
        drop(print_tx);
        drop(measure_tx);
        let picture = run
            .take()
            .map(PictureRun::finish)
            .and_then(|p| p.into_iter().find(|m| Some(m.stream_index) == video));
        let internal = |what: &str| format!("internal error while {what}");
        let (sound_prints, sound_problem) = match sound.map(|h| h.join()) {
            None => (None, None),
            Some(Ok(Ok(p))) => (Some(p), None),
            Some(Ok(Err(why))) => (None, Some(why)),
            Some(Err(_)) => (None, Some(internal("fingerprinting the sound"))),
        };
        let loudness = loudness.map(|h| {
            h.join().unwrap_or_else(|_| {
                Err(FileProblem::new(
                    ProblemKind::Corrupt,
                    internal("measuring the audio"),
                ))
            })
        });
        Scanned {
            picture,
            picture_prints: None,
            sound_prints,
            sound_problem,
            loudness,
        }
    });
    out.picture_prints = slot.lock().ok().and_then(|mut s| s.take());
    Ok(out)
}

/// Decodes the fed sound and fingerprints it.
fn print_sound(
    feed: demux::Feed,
    streams: &[(usize, usize, u32)],
    block_s: f64,
) -> Result<SoundPrints, String> {
    let mut printer = SoundPrinter::new(streams, block_s);
    let decode: Vec<(usize, usize)> = streams.iter().map(|&(i, n, _)| (i, n)).collect();
    let reports = decode_audio(AudioSource::Feed(feed), &decode, |frame| {
        printer.push(frame.stream_index, &frame.planes)
    })
    .map_err(|p| p.message)?;
    if let Some(r) = reports.iter().find(|r| r.samples == 0 && r.errors > 0) {
        return Err(format!(
            "audio stream {} does not decode ({})",
            r.stream_index,
            r.first_error.as_deref().unwrap_or("unknown error")
        ));
    }
    Ok(printer.finish())
}
