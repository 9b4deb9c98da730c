//! `signoff diff OLD NEW`: what changed between two versions of a master.
//!
//! Both versions are probed, then decoded once each, at the same time (one
//! thread per file): every picture and every frame-long block of sound is
//! fingerprinted as it is decoded ([`prints`]), loudness is measured from
//! the same packets, and nothing else is kept. The fingerprint sequences
//! are aligned ([`align`]) so that inserted, removed and replaced
//! stretches are named as such, in each file's own frames and timecode
//! ([`content`]); facts and measurements are compared field by field
//! ([`facts`]). What cannot be compared is said, never passed over.

pub mod align;
pub mod content;
pub mod facts;
pub mod html;
pub mod model;
pub mod pass;
pub mod prints;

use crate::error::FileProblem;
use crate::measure::timecode::TimecodeBase;
use crate::probe::model::{MediaInfo, StreamKind};
use content::{Inputs, Timeline};
use model::{DiffReport, Version};
use pass::Scanned;
use std::path::Path;

/// How to compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffOptions {
    /// Measure loudness per programme too (`--no-measure` turns it off).
    pub measure: bool,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions { measure: true }
    }
}

/// One version: its probe and its pass (or why it could not be read).
struct Side {
    version: Version,
    media: Option<MediaInfo>,
    scanned: Option<Scanned>,
}

/// Frames per second of the first video stream, as the probe says.
fn video_fps(media: &MediaInfo) -> Option<f64> {
    media
        .streams
        .iter()
        .find(|s| s.kind == StreamKind::Video)
        .and_then(|s| s.video.as_ref()?.frame_rate_fps)
        .filter(|f| f.is_finite() && *f > 0.0)
}

/// The timecode ranges are placed on: the video stream's, else the container's.
fn start_timecode(media: &MediaInfo) -> Option<String> {
    media
        .streams
        .iter()
        .find(|s| s.kind == StreamKind::Video)
        .and_then(|s| s.timecode.clone())
        .or_else(|| media.container.start_timecode.clone())
}

fn version_of(path: &Path) -> Version {
    let (path, path_hex) = crate::probe::display_path(path);
    Version {
        path,
        path_hex,
        ..Default::default()
    }
}

fn probe(path: &Path) -> Side {
    let mut version = version_of(path);
    match crate::probe::probe_file(path) {
        Ok(p) => {
            version.duration_s = p.info.container.duration_s;
            version.frame_rate_fps = video_fps(&p.info);
            version.start_timecode = start_timecode(&p.info);
            Side {
                version,
                media: Some(p.info),
                scanned: None,
            }
        }
        Err(failure) => {
            version.error = Some(failure.problem);
            Side {
                version,
                media: None,
                scanned: None,
            }
        }
    }
}

fn scan_side(side: &mut Side, path: &Path, block_s: f64, opts: &DiffOptions) {
    let Some(media) = &side.media else { return };
    match pass::scan(path, media, block_s, opts.measure) {
        Ok(s) => {
            if let Some(p) = &s.picture {
                side.version.frames = Some(p.frames);
                side.version.decode_errors = p.decode_error_count;
            }
            side.scanned = Some(s);
        }
        Err(problem) => side.version.error = Some(problem),
    }
}

/// Compares `old` with `new`. Never fails: an unreadable version is
/// named in the report with its problem, and nothing of it is compared.
pub fn diff_files(old: &Path, new: &Path, opts: &DiffOptions) -> DiffReport {
    let (mut a, mut b) = std::thread::scope(|s| {
        let h = s.spawn(|| probe(new));
        (probe(old), h.join().unwrap_or_else(|_| probe(new)))
    });
    // Sound blocks are one old frame long in both versions.
    let fps = a
        .media
        .as_ref()
        .and_then(video_fps)
        .or_else(|| b.media.as_ref().and_then(video_fps))
        .unwrap_or(25.0);
    let block_s = 1.0 / fps;
    let failed = std::thread::scope(|s| {
        let h = s.spawn(|| scan_side(&mut b, new, block_s, opts));
        scan_side(&mut a, old, block_s, opts);
        h.join().is_err()
    });
    if failed {
        b.version.error = Some(internal());
    }
    report(a, b, fps)
}

/// [`diff_files`], and the two versions' SHA-256 (for recording the diff):
/// each one `known` is taken as it is (a cache whose size and mtime still
/// match), the others are hashed beside the decode, on their own threads,
/// so the file is read while it is in the page cache.
pub fn diff_files_hashed(
    old: &Path,
    new: &Path,
    opts: &DiffOptions,
    known: [Option<String>; 2],
) -> (DiffReport, [Result<String, FileProblem>; 2]) {
    let [ko, kn] = known;
    std::thread::scope(|s| {
        let ho = s.spawn(move || match ko {
            Some(k) => Ok(k),
            None => crate::measure::hash::sha256_file(old),
        });
        let hn = s.spawn(move || match kn {
            Some(k) => Ok(k),
            None => crate::measure::hash::sha256_file(new),
        });
        let report = diff_files(old, new, opts);
        let join = |h: std::thread::ScopedJoinHandle<'_, Result<String, FileProblem>>| {
            h.join().unwrap_or_else(|_| Err(internal()))
        };
        (report, [join(ho), join(hn)])
    })
}

fn internal() -> FileProblem {
    FileProblem::new(
        crate::error::ProblemKind::Corrupt,
        "internal error while decoding",
    )
}

fn report(a: Side, b: Side, fps: f64) -> DiffReport {
    let mut r = DiffReport {
        old: a.version.clone(),
        new: b.version.clone(),
        ..Default::default()
    };
    for (side, name) in [(&a, "OLD"), (&b, "NEW")] {
        if let Some(e) = &side.version.error {
            r.not_compared.push(format!(
                "{name} ({}) could not be read: {}",
                side.version.path, e.message
            ));
        }
    }
    if a.version.error.is_some() || b.version.error.is_some() {
        r.differs = false;
        return r;
    }
    let (ma, mb) = (
        a.media.as_ref().expect("probed"),
        b.media.as_ref().expect("probed"),
    );
    r.facts = facts::facts(ma, mb, fps);
    let (sa, sb) = (
        a.scanned.as_ref().expect("scanned"),
        b.scanned.as_ref().expect("scanned"),
    );
    compare_loudness(sa, sb, &mut r);
    let inputs = inputs(&a, &b, &mut r.not_compared);
    r.content = content::compare(&inputs, &mut r.not_compared);
    let has = |m: &MediaInfo, k| m.streams.iter().any(|s| s.kind == k);
    let both = |k| has(ma, k) && has(mb, k);
    let c = &r.content;
    r.fully_compared = (c.picture_compared || !both(StreamKind::Video))
        && (c.sound_compared || !both(StreamKind::Audio))
        && (c.picture_compared || c.sound_compared);
    let content_changed = (c.picture_compared || c.sound_compared) && !c.unchanged;
    r.differs = !r.facts.is_empty() || !r.measurements.is_empty() || content_changed;
    r
}

fn compare_loudness(a: &Scanned, b: &Scanned, r: &mut DiffReport) {
    match (&a.loudness, &b.loudness) {
        (Some(Ok(x)), Some(Ok(y))) => {
            r.measurements = facts::measurements(x, y);
            r.facts.extend(facts::programme_count(x, y));
        }
        (None, None) => {}
        (x, y) => {
            for (m, name) in [(x, "OLD"), (y, "NEW")] {
                match m {
                    Some(Err(e)) => r.not_compared.push(format!(
                        "loudness: {name} could not be measured: {}",
                        e.message
                    )),
                    None => r
                        .not_compared
                        .push(format!("loudness: {name} has no sound")),
                    Some(Ok(_)) => {}
                }
            }
        }
    }
}

/// Whether a version's pictures can be compared; why not, when not.
fn pictures<'a>(side: &'a Side, name: &str) -> Result<&'a prints::PicturePrints, String> {
    let s = side.scanned.as_ref().expect("scanned");
    let Some(p) = &s.picture else {
        return Err(format!("{name} has no video stream"));
    };
    if let Some(why) = &p.not_evaluated {
        return Err(format!("{name}'s pictures: {why}"));
    }
    match &s.picture_prints {
        Some(prints) if !prints.frames.is_empty() => Ok(prints),
        _ => Err(format!("{name}'s video decoded to no pictures")),
    }
}

fn timeline(side: &Side, fps: f64, len: usize) -> Timeline {
    let frames = side.version.frames.unwrap_or(len as u64);
    Timeline {
        fps,
        timecode: side
            .version
            .start_timecode
            .as_deref()
            .and_then(|tc| TimecodeBase::parse(tc, fps)),
        frame_of: None,
        len,
        frames,
    }
}

fn inputs<'a>(a: &'a Side, b: &'a Side, not_compared: &mut Vec<String>) -> Inputs<'a> {
    let (sa, sb) = (
        a.scanned.as_ref().expect("scanned"),
        b.scanned.as_ref().expect("scanned"),
    );
    let sound = |s: &'a Scanned, name: &str, out: &mut Vec<String>| match (
        &s.sound_prints,
        &s.sound_problem,
    ) {
        (Some(p), _) if !p.is_empty() => Some(p),
        (_, Some(why)) => {
            out.push(format!("sound: {name}: {why}"));
            None
        }
        _ => {
            out.push(format!("sound: {name} has no sound"));
            None
        }
    };
    let has_sound = |s: &Scanned| s.sound_prints.is_some() || s.sound_problem.is_some();
    let (old_sound, new_sound) = if has_sound(sa) || has_sound(sb) {
        (
            sound(sa, "OLD", not_compared),
            sound(sb, "NEW", not_compared),
        )
    } else {
        (None, None)
    };
    if let (Some(x), Some(y)) = (old_sound, new_sound) {
        if x.channels != y.channels {
            not_compared.push(format!(
                "sound: OLD has {} channels, NEW {}: only the first {} were compared",
                x.channels,
                y.channels,
                x.channels.min(y.channels)
            ));
        }
    }
    let block_fps = old_sound.or(new_sound).map_or(25.0, |s| 1.0 / s.block_s);
    let (pa, pb) = (pictures(a, "OLD"), pictures(b, "NEW"));
    let mut out = Inputs {
        old_pictures: None,
        new_pictures: None,
        old_sound,
        new_sound,
        old_line: timeline(a, block_fps, old_sound.map_or(0, |s| s.len())),
        new_line: timeline(b, block_fps, new_sound.map_or(0, |s| s.len())),
    };
    match (pa, pb) {
        (Ok(x), Ok(y)) => {
            out.old_pictures = Some(&x.frames);
            out.old_line = timeline(a, x.fps, x.frames.len());
            let mut new_line = timeline(b, y.fps, y.frames.len());
            if (x.fps - y.fps).abs() > 1e-3 * x.fps {
                let (resampled, frame_of) = content::resample(&y.frames, y.fps, x.fps);
                not_compared.push(format!(
                    "frame rates differ ({} and {} fps): NEW's pictures were matched to OLD's frame times, so NEW's bounds are to its nearest frame",
                    crate::probe::summary::fps(x.fps),
                    crate::probe::summary::fps(y.fps)
                ));
                new_line.frame_of = Some(frame_of);
                new_line.len = resampled.len();
                out.new_pictures = Some(resampled);
            } else {
                out.new_pictures = Some(y.frames.clone());
            }
            out.new_line = new_line;
        }
        (x, y) => {
            let no_video = |side: &Side| side.scanned.as_ref().is_some_and(|s| s.picture.is_none());
            if no_video(a) && no_video(b) {
                not_compared
                    .push("neither version has a picture: the sound was compared alone".into());
            } else {
                for why in [x.err(), y.err()].into_iter().flatten() {
                    not_compared.push(format!("pictures not compared: {why}"));
                }
            }
            if out.old_sound.is_some() && out.new_sound.is_some() {
                not_compared.push(format!(
                    "the versions were aligned on their sound alone; ranges are in blocks of 1/{} s",
                    crate::probe::summary::fps(block_fps)
                ));
            }
        }
    }
    out
}
