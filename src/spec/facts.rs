//! What is known about one file, and reading one typed fact from it.

use super::catalogue::Field;
use super::value::{Fact, Rational};
use crate::measure::model::{AudioMeasurements, Programme};
use crate::measure::timecode::TimecodeBase;
use crate::probe::model::{MediaInfo, Stream, StreamKind};
use std::path::{Path, PathBuf};

/// Everything a profile is checked against, for one file.
#[derive(Debug, Clone, Copy)]
pub struct FileFacts<'a> {
    /// The file.
    pub path: &'a Path,
    /// Its name (last path component).
    pub file_name: &'a str,
    /// Its size.
    pub size_bytes: u64,
    /// The probe result; `None` when the file was not probed.
    pub media: Option<&'a MediaInfo>,
    /// Loudness measurements; `None` when audio was not measured.
    pub audio: Option<&'a AudioMeasurements>,
    /// Files next to it that may be its sidecars.
    pub sidecars: &'a [PathBuf],
    /// Picture measurements per video stream; `None` when the picture was not measured.
    pub picture: Option<&'a [crate::picture::PictureMeasurements]>,
    /// The parsed caption file and its context; `None` for other files.
    pub captions: Option<&'a super::captions::CaptionFacts>,
    /// What was read for the `[image]` and `[document]` groups; `None` when nothing was.
    pub artwork: Option<&'a super::artwork::Artwork>,
}

impl FileFacts<'_> {
    /// Streams of one kind, in file order.
    pub fn streams(&self, kind: StreamKind) -> Vec<&Stream> {
        self.media
            .map(|m| m.streams.iter().filter(|s| s.kind == kind).collect())
            .unwrap_or_default()
    }
}

/// The other files in `path`'s folder, sorted: candidate sidecars.
pub fn siblings(path: &Path) -> Vec<PathBuf> {
    let Some(dir) = path.parent() else {
        return Vec::new();
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .map(|e| e.path())
                .filter(|p| p.file_name() != path.file_name())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// What a rule is evaluated on: the file, one stream, or one programme.
#[derive(Debug, Clone, Copy, Default)]
pub struct Subject<'a> {
    /// The stream, for per-stream rules.
    pub stream: Option<&'a Stream>,
    /// The programme, for loudness rules.
    pub programme: Option<&'a Programme>,
}

fn absent(what: &str) -> Fact {
    Fact::Absent(format!("the file does not say its {what}"))
}

fn text(v: &Option<String>, what: &str) -> Fact {
    match v {
        Some(s) if !s.trim().is_empty() => Fact::Text(s.clone()),
        _ => absent(what),
    }
}

fn num<T: Into<f64> + Copy>(v: Option<T>, what: &str) -> Fact {
    v.map(|x| Fact::Number(x.into()))
        .unwrap_or_else(|| absent(what))
}

fn big(v: Option<u64>, what: &str) -> Fact {
    num(v.map(|x| x as f64), what)
}

/// Reads the fact `def` names from `facts` for `subject`.
pub fn fact(def: &Field, facts: &FileFacts, subject: Subject) -> Fact {
    if def.group == "naming" {
        return Fact::Text(facts.file_name.to_string());
    }
    if def.group == "image" || def.group == "document" {
        return super::artwork::fact(def, facts);
    }
    if let Some(p) = subject.programme {
        return programme_fact(def, p, facts);
    }
    let Some(media) = facts.media else {
        return Fact::Absent("the file was not probed".into());
    };
    if let Some(s) = subject.stream {
        return stream_fact(def, s);
    }
    let c = &media.container;
    match (def.group, def.key) {
        ("container", "format") => Fact::Text(c.format.clone()),
        ("container", "operational_pattern") => {
            text(&c.operational_pattern, "MXF operational pattern")
        }
        ("container", "major_brand") => text(&c.major_brand, "major brand"),
        ("container", "bit_rate_bps") => big(c.bit_rate_bps, "bit rate"),
        ("video", "stream_count") => Fact::Number(facts.streams(StreamKind::Video).len() as f64),
        ("audio", "stream_count") => Fact::Number(facts.streams(StreamKind::Audio).len() as f64),
        ("audio", "total_channels") => Fact::Number(
            facts
                .streams(StreamKind::Audio)
                .iter()
                .filter_map(|s| s.audio.as_ref())
                .map(|a| a.channels as f64)
                .sum(),
        ),
        ("timing", "duration_s") => num(duration(media), "duration"),
        ("timing", "start_timecode") => text(&start_timecode(media), "start timecode"),
        ("timing", "av_duration_difference_s") => av_difference(facts, media),
        _ => Fact::Absent(format!(
            "{}.{} is not read at file level",
            def.group, def.key
        )),
    }
}

fn stream_fact(def: &Field, s: &Stream) -> Fact {
    match (def.group, def.key) {
        (_, "codec") => return Fact::Text(s.codec.clone()),
        (_, "profile") => return text(&s.profile, "codec profile"),
        (_, "codec_tag") => return text(&s.codec_tag, "codec tag"),
        (_, "bit_rate_bps") => return big(s.bit_rate_bps, "bit rate"),
        _ => {}
    }
    if let Some(a) = &s.audio {
        return match def.key {
            "sample_rate" => Fact::Number(a.sample_rate.into()),
            "bit_depth" => num(a.bit_depth, "bit depth (lossy codecs have none)"),
            "channels" => Fact::Number(a.channels.into()),
            _ => Fact::Absent(format!("audio streams have no {}", def.label)),
        };
    }
    let Some(v) = &s.video else {
        return Fact::Absent("the stream has no picture facts".into());
    };
    match def.key {
        "width" => Fact::Number(v.width.into()),
        "height" => Fact::Number(v.height.into()),
        "resolution" => Fact::Text(format!("{}x{}", v.width, v.height)),
        "frame_rate" => rational(&v.frame_rate, Rational::parse_rate, "frame rate"),
        "constant_frame_rate" => v
            .constant_frame_rate
            .map(Fact::Bool)
            .unwrap_or_else(|| absent("whether the frame rate is constant")),
        "scan_type" => text(&v.scan_type, "scan type"),
        "field_order" => text(&v.field_order, "field order"),
        "pixel_format" => text(&v.pixel_format, "pixel format"),
        "bit_depth" => num(v.bit_depth, "bit depth"),
        "chroma_subsampling" => text(&v.chroma_subsampling, "chroma subsampling"),
        "color_range" => text(&v.color_range, "colour range"),
        "color_primaries" => text(&v.color_primaries, "colour primaries"),
        "color_transfer" => text(&v.color_transfer, "transfer characteristics"),
        "color_matrix" => text(&v.color_matrix, "matrix coefficients"),
        "hdr_metadata" => match &v.hdr {
            Some(h) => Fact::Present(format!("HDR10 metadata ({})", h.source)),
            None => Fact::Absent("no HDR metadata".into()),
        },
        "display_aspect_ratio" => rational(
            &v.display_aspect_ratio,
            Rational::parse_ratio,
            "display aspect ratio",
        ),
        _ => Fact::Absent(format!("video streams have no {}", def.label)),
    }
}

fn rational(v: &Option<String>, parse: fn(&str) -> Option<Rational>, what: &str) -> Fact {
    match v.as_deref().and_then(parse) {
        Some(r) if r.num > 0 => Fact::Rational(r),
        _ => absent(what),
    }
}

fn programme_fact(def: &Field, p: &Programme, facts: &FileFacts) -> Fact {
    let audio = facts.audio;
    let v = match def.key {
        "integrated_lufs" => p.integrated_lufs,
        "true_peak_dbtp" => p.true_peak_dbtp,
        "max_short_term_lufs" => p.max_short_term_lufs,
        "max_momentary_lufs" => p.max_momentary_lufs,
        "loudness_range_lu" => p.loudness_range_lu,
        _ => None,
    };
    v.map(Fact::Number).unwrap_or_else(|| {
        Fact::Absent(match invalid_channel(p, audio) {
            Some((stream, channel)) => format!(
                "not measured: samples of stream {stream} channel {channel} are not numbers (NaN or infinite)"
            ),
            None => match too_short(def.key, programme_duration_s(p, facts)) {
                Some(why) => why,
                None => format!("the measurement has no {} for this programme", def.label),
            },
        })
    })
}

/// Why a loudness value is missing when the programme is shorter than the
/// window it is measured over (BS.1770's 400 ms gating block, EBU Tech
/// 3341's 3 s short-term window, which Tech 3342's loudness range uses).
fn too_short(key: &str, duration_s: Option<f64>) -> Option<String> {
    let (window_s, window) = match key {
        "integrated_lufs" | "max_momentary_lufs" => {
            (0.4, "one 400 ms gating block (ITU-R BS.1770)")
        }
        "max_short_term_lufs" | "loudness_range_lu" => {
            (3.0, "the 3 s short-term window (EBU Tech 3341/3342)")
        }
        _ => return None,
    };
    let d = duration_s.filter(|d| *d < window_s)?;
    Some(format!(
        "not measured: the programme is {:.0} ms long, shorter than {window}",
        d * 1000.0
    ))
}

/// The programme's duration: the longest of its streams, else the file's.
fn programme_duration_s(p: &Programme, facts: &FileFacts) -> Option<f64> {
    let media = facts.media?;
    let streams = media
        .streams
        .iter()
        .filter(|s| p.channels.iter().any(|c| c.stream_index == s.index))
        .filter_map(|s| s.duration_s)
        .reduce(f64::max);
    streams.or(media.container.duration_s)
}

/// A channel of `p` holding samples that are not numbers.
fn invalid_channel(p: &Programme, audio: Option<&AudioMeasurements>) -> Option<(usize, usize)> {
    audio?.faults.iter().find_map(|f| {
        let here = f.kind == crate::measure::model::FaultKind::InvalidSamples
            && p.channels
                .iter()
                .any(|c| c.stream_index == f.stream_index && f.channel == Some(c.channel));
        here.then(|| (f.stream_index, f.channel.unwrap_or(0)))
    })
}

fn duration(m: &MediaInfo) -> Option<f64> {
    m.container.duration_s.or_else(|| {
        m.streams
            .iter()
            .filter_map(|s| s.duration_s)
            .reduce(f64::max)
    })
}

fn start_timecode(m: &MediaInfo) -> Option<String> {
    m.container
        .start_timecode
        .clone()
        .or_else(|| m.streams.iter().find_map(|s| s.timecode.clone()))
}

/// The largest difference between the first video stream's duration and
/// any audio stream's.
fn av_difference(facts: &FileFacts, m: &MediaInfo) -> Fact {
    let dur = |s: &Stream| s.duration_s.or(m.container.duration_s);
    let Some(video) = facts
        .streams(StreamKind::Video)
        .first()
        .and_then(|s| dur(s))
    else {
        return Fact::Absent("the file has no video stream with a duration".into());
    };
    let audio: Vec<f64> = facts
        .streams(StreamKind::Audio)
        .into_iter()
        .filter_map(dur)
        .collect();
    if audio.is_empty() {
        return Fact::Absent("the file has no audio stream with a duration".into());
    }
    Fact::Number(audio.iter().map(|a| (a - video).abs()).fold(0.0, f64::max))
}

/// `start` timecode plus `offset_s`, at `fps`; a drop-frame start (`;`)
/// is counted as SMPTE 12M drops its labels.
pub fn timecode_at(start: &str, offset_s: f64, fps: f64) -> Option<String> {
    Some(TimecodeBase::parse(start, fps)?.at(offset_s))
}

/// The timecode of a moment in the file, when its start timecode and frame rate are known.
pub fn timecode_of(facts: &FileFacts, position_s: f64) -> Option<String> {
    let m = facts.media?;
    let fps = facts
        .streams(StreamKind::Video)
        .first()
        .and_then(|s| s.video.as_ref()?.frame_rate_fps)?;
    timecode_at(&start_timecode(m)?, position_s, fps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timecode_offsets() {
        assert_eq!(
            timecode_at("10:00:00:00", 1.5, 25.0).as_deref(),
            Some("10:00:01:12")
        );
        assert_eq!(
            timecode_at("09:59:59:24", 0.04, 25.0).as_deref(),
            Some("10:00:00:00")
        );
        let ntsc = 30000.0 / 1001.0;
        assert_eq!(
            timecode_at("00:00:59;29", 1.0 / ntsc, ntsc).as_deref(),
            Some("00:01:00;02"),
            "drop-frame labels 00 and 01 are skipped"
        );
        assert_eq!(timecode_at("10:00:00:00", 1.0, 0.0), None);
    }

    #[test]
    fn a_programme_shorter_than_the_window_says_so() {
        let why = too_short("integrated_lufs", Some(0.25)).unwrap();
        assert!(
            why.contains("250 ms long, shorter than one 400 ms gating block"),
            "{why}"
        );
        let why = too_short("loudness_range_lu", Some(2.0)).unwrap();
        assert!(
            why.contains("2000 ms long, shorter than the 3 s short-term window"),
            "{why}"
        );
        assert_eq!(
            too_short("integrated_lufs", Some(0.5)),
            None,
            "long enough: silence, not length"
        );
        assert_eq!(too_short("integrated_lufs", None), None, "length unknown");
        assert_eq!(
            too_short("true_peak_dbtp", Some(0.1)),
            None,
            "true peak needs no window"
        );
    }
}
