//! One decode of a media file feeding both the audio measurement and the
//! picture stage: the file is demuxed once; video packets are decoded on
//! the demuxing thread (the decoder's own frame threads use the cores) and
//! shown to the picture detectors, audio packets go over a bounded feed to
//! the audio measurement's thread. Either alone reads the file itself.

use crate::demux::{self, Item};
use crate::error::{FileProblem, ProblemKind};
use crate::measure::decode::AudioSource;
use crate::measure::model::AudioMeasurements;
use crate::measure::{measure_file, measure_source, MeasureOptions};
use crate::picture::decode::{open_input, PictureRun};
use crate::picture::{picture_of, PictureMeasurements, PictureOptions};
use crate::probe::model::{MediaInfo, StreamKind};
use ffmpeg_next as ffmpeg;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

/// Why the picture was not evaluated when the picture stage failed inside.
fn internal_error() -> FileProblem {
    FileProblem::new(
        ProblemKind::Corrupt,
        "internal error while analysing the picture",
    )
}

/// Runs the picture stage, turning a failure inside it into "not
/// evaluated" on every video stream instead of losing the file.
fn guarded(
    media: &MediaInfo,
    stage: impl FnOnce() -> Option<Vec<PictureMeasurements>>,
) -> Option<Vec<PictureMeasurements>> {
    catch_unwind(AssertUnwindSafe(stage)).unwrap_or_else(|_| {
        Some(crate::picture::decode::not_evaluated(
            media,
            &internal_error(),
        ))
    })
}

/// What the one decode of a file measured.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MediaAnalysis {
    /// Loudness and audio faults (`None`: not asked, or no sound).
    pub audio: Option<Result<AudioMeasurements, FileProblem>>,
    /// The picture stage per video stream (`None`: not asked, or no picture).
    pub picture: Option<Vec<PictureMeasurements>>,
}

/// Measures the audio (when `audio` is given and the file has sound) and
/// the picture (when `picture` is given and the file has video) of `path`,
/// reading the file once when both are asked.
pub fn analyse_media(
    path: &Path,
    media: &MediaInfo,
    audio: Option<&MeasureOptions>,
    picture: Option<&PictureOptions>,
) -> MediaAnalysis {
    let has = |kind| media.streams.iter().any(|s| s.kind == kind);
    let audio = audio.filter(|_| has(StreamKind::Audio));
    let picture = picture.filter(|_| has(StreamKind::Video));
    match (audio, picture) {
        (None, None) => MediaAnalysis::default(),
        (Some(a), None) => MediaAnalysis {
            audio: Some(measure_file(path, media, a)),
            picture: None,
        },
        (None, Some(p)) => MediaAnalysis {
            audio: None,
            picture: guarded(media, || picture_of(path, media, p)),
        },
        (Some(a), Some(p)) => together(path, media, a, p),
    }
}

/// Both stages from one demux pass.
fn together(
    path: &Path,
    media: &MediaInfo,
    audio_opts: &MeasureOptions,
    picture_opts: &PictureOptions,
) -> MediaAnalysis {
    let (result, demux_log) = crate::ffmpeg_log::capture(|| {
        let mut input = open_input(path, media)?;
        Ok::<_, FileProblem>(one_pass(&mut input, media, audio_opts, picture_opts))
    });
    match result {
        Ok((audio, picture)) => MediaAnalysis {
            // What the demuxer (and the picture decoder) logged is part of
            // the file's story too.
            audio: Some(audio.map(|mut a| {
                a.ffmpeg_log.extend(demux_log);
                a
            })),
            picture: Some(picture),
        },
        Err(problem) => MediaAnalysis {
            audio: Some(Err(problem.clone())),
            picture: Some(crate::picture::decode::not_evaluated(media, &problem)),
        },
    }
}

/// Demuxes `input` once: video to the picture stage on this thread, audio
/// to the measurement on another.
fn one_pass(
    input: &mut ffmpeg::format::context::Input,
    media: &MediaInfo,
    audio_opts: &MeasureOptions,
    picture_opts: &PictureOptions,
) -> (
    Result<AudioMeasurements, FileProblem>,
    Vec<PictureMeasurements>,
) {
    let run = PictureRun::new(input, media, picture_opts);
    let audio_streams: Vec<usize> = input
        .streams()
        .filter(|s| s.parameters().medium() == ffmpeg::media::Type::Audio)
        .map(|s| s.index())
        .collect();
    let (sender, feed) = demux::feed(input, &audio_streams);
    std::thread::scope(|scope| {
        let audio = scope.spawn(move || measure_source(AudioSource::Feed(feed), media, audio_opts));
        // A picture stage that fails inside stops taking packets; the
        // audio measurement goes on.
        let mut run = Some(run);
        let to_picture = |run: &mut Option<PictureRun>, item: Item| {
            let Some(r) = run.as_mut() else { return };
            if catch_unwind(AssertUnwindSafe(|| r.item(item))).is_err() {
                *run = None;
            }
        };
        demux::read_packets(input, |item| match item {
            Item::Packet(p) if sender.wants(p.stream()) => sender.send(Item::Packet(p)),
            Item::Packet(p) => {
                if run.as_ref().is_some_and(|r| r.wants(p.stream())) {
                    to_picture(&mut run, Item::Packet(p));
                }
            }
            Item::ReadError(what) => {
                sender.send(Item::ReadError(what.clone()));
                to_picture(&mut run, Item::ReadError(what));
            }
        });
        // The end of the file for the audio thread.
        drop(sender);
        let picture = guarded(media, || run.map(PictureRun::finish))
            .unwrap_or_else(|| crate::picture::decode::not_evaluated(media, &internal_error()));
        let audio = audio.join().unwrap_or_else(|_| {
            Err(FileProblem::new(
                ProblemKind::Corrupt,
                "internal error while measuring the audio",
            ))
        });
        (audio, picture)
    })
}
