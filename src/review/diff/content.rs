//! Where the content changed: the two versions' fingerprints aligned
//! (on the pictures when both have them, else on the sound), the
//! differing stretches named replaced / inserted / removed, and the
//! sound compared block by block along the matching stretches.

use super::align::{align, hunks, Hunk, Run};
use super::model::{ChangeKind, ContentChange, ContentDiff, Span};
use super::prints::{PicturePrint, SoundPrints, FEATURES};
use crate::measure::timecode::TimecodeBase;

/// Most differing positions aligned; past it the versions are compared in place.
pub const MAX_EDITS: usize = 1500;
/// Matching runs shorter than this between two changes are part of the change.
const MIN_RUN: usize = 3;
/// Pictures differ when their block means differ by more than this on
/// average (8-bit)…
const PICTURE_MEAN: f64 = 2.0;
/// …or by more than this in one block. A high-quality re-encode differs
/// by 1 at most; the next frame of a moving shot by 10 or more.
const PICTURE_MAX: u8 = 8;
/// Sound blocks differ when a channel's level differs by more than this, dB.
const SOUND_DB: f32 = 3.0;
/// Both below this level: too quiet to compare (codec noise), dBFS.
const QUIET_DB: f32 = -50.0;

/// How positions of one version become its frames, times and timecodes.
#[derive(Debug, Clone)]
pub struct Timeline {
    /// Frames per second of the version.
    pub fps: f64,
    /// Its start timecode.
    pub timecode: Option<TimecodeBase>,
    /// Position → frame of this version (`None`: the same).
    pub frame_of: Option<Vec<u64>>,
    /// Positions in all.
    pub len: usize,
    /// Frames in all.
    pub frames: u64,
}

impl Timeline {
    fn frame(&self, position: usize) -> u64 {
        match &self.frame_of {
            None => position as u64,
            Some(map) => map.get(position).copied().unwrap_or(self.frames),
        }
    }

    /// The span of positions `r` in this version's frames.
    pub fn span(&self, r: std::ops::Range<usize>) -> Span {
        let start = self.frame(r.start);
        let end = if r.end > r.start {
            self.frame(r.end - 1) + 1
        } else {
            start
        };
        let secs = |f: u64| f as f64 / self.fps;
        let tc = |f: u64| {
            self.timecode
                .as_ref()
                .map(|b| b.at((f as f64 + 1e-6) / self.fps))
        };
        Span {
            start_frame: start,
            end_frame: end,
            start_s: secs(start),
            end_s: secs(end),
            duration_s: secs(end) - secs(start),
            start_tc: tc(start),
            end_tc: tc(end),
        }
    }
}

/// Whether two pictures are the same picture (a re-encode is).
pub fn same_picture(a: &PicturePrint, b: &PicturePrint) -> bool {
    let mut sum = 0u32;
    let mut max = 0u8;
    for (x, y) in a.iter().zip(b.iter()) {
        let d = x.abs_diff(*y);
        sum += u32::from(d);
        max = max.max(d);
    }
    max <= PICTURE_MAX && f64::from(sum) / a.len() as f64 <= PICTURE_MEAN
}

/// Whether block `i` of `a` and block `j` of `b` are the same sound,
/// `b` corrected by `gain_db`, over the first `channels` channels.
fn same_sound(a: &[f32], b: &[f32], channels: usize, gain_db: f32) -> bool {
    (0..channels * FEATURES).all(|f| match (a.get(f), b.get(f)) {
        (Some(&x), Some(&y)) => {
            let y = y - gain_db;
            x.max(y) < QUIET_DB || (x - y).abs() <= SOUND_DB
        }
        _ => true,
    })
}

/// The inputs of a content comparison.
pub struct Inputs<'a> {
    /// Old pictures (on the old frame grid), when compared.
    pub old_pictures: Option<&'a [PicturePrint]>,
    /// New pictures, resampled onto the old frame grid when the rates differ.
    pub new_pictures: Option<Vec<PicturePrint>>,
    /// Old sound, when compared.
    pub old_sound: Option<&'a SoundPrints>,
    /// New sound, when compared (same block length).
    pub new_sound: Option<&'a SoundPrints>,
    /// Old positions to frames and timecodes.
    pub old_line: Timeline,
    /// New positions to frames and timecodes.
    pub new_line: Timeline,
}

/// Compares what `inputs` holds; statements of what could not be
/// compared go to `not_compared`.
pub fn compare(inputs: &Inputs<'_>, not_compared: &mut Vec<String>) -> ContentDiff {
    compare_bounded(inputs, not_compared, MAX_EDITS)
}

/// [`compare`], aligning at most `max_edits` differing positions.
fn compare_bounded(
    inputs: &Inputs<'_>,
    not_compared: &mut Vec<String>,
    max_edits: usize,
) -> ContentDiff {
    let mut out = ContentDiff::default();
    let sound = inputs.old_sound.zip(inputs.new_sound);
    let channels = sound.map_or(0, |(a, b)| a.channels.min(b.channels));
    out.sound_compared = sound.is_some() && channels > 0;
    let (runs, n, m) = match (inputs.old_pictures, inputs.new_pictures.as_deref()) {
        (Some(a), Some(b)) => {
            out.picture_compared = true;
            let runs = align(a.len(), b.len(), max_edits, |i, j| {
                same_picture(&a[i], &b[j])
            });
            out.aligned_on = Some("picture".into());
            let runs = runs.unwrap_or_else(|| {
                out.aligned_on = Some("position".into());
                not_compared.push(format!(
                    "more than {max_edits} frames differ: the pictures were compared in place, frame by frame, without looking for inserted or removed frames"
                ));
                in_place(a.len().min(b.len()), |i| same_picture(&a[i], &b[i]))
            });
            (runs, a.len(), b.len())
        }
        _ if out.sound_compared => {
            let (a, b) = sound.expect("compared");
            let same = |i: usize, j: usize| same_sound(&a.values[i], &b.values[j], channels, 0.0);
            out.aligned_on = Some("sound".into());
            let runs = align(a.len(), b.len(), max_edits, same).unwrap_or_else(|| {
                out.aligned_on = Some("position".into());
                not_compared.push(format!(
                    "more than {max_edits} blocks of sound differ: the sound was compared in place, without looking for inserted or removed sound"
                ));
                in_place(a.len().min(b.len()), |i| same(i, i))
            });
            (runs, a.len(), b.len())
        }
        _ => return out,
    };
    let sound_runs = if out.picture_compared && out.sound_compared {
        let (a, b) = sound.expect("compared");
        let kept: Vec<Run> = runs.iter().copied().filter(|r| r.len >= MIN_RUN).collect();
        let gain = level_change(&kept, a, b, channels);
        out.level_change_db = gain.map(f64::from);
        Some((kept, a, b, gain.unwrap_or(0.0)))
    } else {
        None
    };
    let mut changes = match (
        &sound_runs,
        inputs.old_pictures,
        inputs.new_pictures.as_deref(),
    ) {
        (Some((kept, sa, sb, gain)), Some(pa), Some(pb)) => {
            joint(pa, pb, sa, sb, channels, *gain, inputs, max_edits).unwrap_or_else(|| {
                let mut c = picture_changes(&runs, n, m, inputs);
                c.extend(
                    sound_changes(kept, sa, sb, channels, *gain)
                        .into_iter()
                        .map(|(ra, rb)| change(ChangeKind::AudioChanged, ra, rb, inputs)),
                );
                c
            })
        }
        _ => picture_changes(&runs, n, m, inputs),
    };
    changes.sort_by_key(|c| (c.old.start_frame, c.new.start_frame));
    out.unchanged = changes.is_empty() && out.level_change_db.is_none();
    out.changes = changes;
    out
}

fn change(
    kind: ChangeKind,
    a: std::ops::Range<usize>,
    b: std::ops::Range<usize>,
    inputs: &Inputs<'_>,
) -> ContentChange {
    ContentChange {
        kind,
        old: inputs.old_line.span(a),
        new: inputs.new_line.span(b),
    }
}

fn kind_of(h: &Hunk) -> ChangeKind {
    match (h.a.is_empty(), h.b.is_empty()) {
        (true, _) => ChangeKind::Inserted,
        (_, true) => ChangeKind::Removed,
        _ => ChangeKind::Replaced,
    }
}

/// The stretches between matching runs, named by shape.
fn picture_changes(runs: &[Run], n: usize, m: usize, inputs: &Inputs<'_>) -> Vec<ContentChange> {
    hunks(runs, n, m, MIN_RUN)
        .into_iter()
        .map(|h| change(kind_of(&h), h.a.clone(), h.b.clone(), inputs))
        .collect()
}

/// Aligned on picture and sound together (the sound decides where a
/// still picture alone could not): a stretch whose pictures match one to
/// one is a change of the sound, any other a change of the picture.
/// `None` when too much differs to align.
#[allow(clippy::too_many_arguments)]
fn joint(
    pa: &[PicturePrint],
    pb: &[PicturePrint],
    sa: &SoundPrints,
    sb: &SoundPrints,
    channels: usize,
    gain: f32,
    inputs: &Inputs<'_>,
    max_edits: usize,
) -> Option<Vec<ContentChange>> {
    let same_sound_at = |i: usize, j: usize| match (sa.values.get(i), sb.values.get(j)) {
        (Some(x), Some(y)) => same_sound(x, y, channels, gain),
        (Some(x), None) => !audible_before_end(x, i, sa.len(), channels),
        (None, Some(y)) => !audible_before_end(y, j, sb.len(), channels),
        (None, None) => true,
    };
    let runs = align(pa.len(), pb.len(), max_edits, |i, j| {
        same_picture(&pa[i], &pb[j]) && same_sound_at(i, j)
    })?;
    Some(
        hunks(&runs, pa.len(), pb.len(), MIN_RUN)
            .into_iter()
            .map(|h| {
                let same_pictures = h.a.len() == h.b.len()
                    && h.a
                        .clone()
                        .zip(h.b.clone())
                        .all(|(i, j)| same_picture(&pa[i], &pb[j]));
                let kind = if same_pictures {
                    ChangeKind::AudioChanged
                } else {
                    kind_of(&h)
                };
                change(kind, h.a.clone(), h.b.clone(), inputs)
            })
            .collect(),
    )
}

/// Runs of positions equal in place.
fn in_place(n: usize, same: impl Fn(usize) -> bool) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut start = None;
    for i in 0..=n {
        match (i < n && same(i), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push(Run {
                    a_start: s,
                    b_start: s,
                    len: i - s,
                });
                start = None;
            }
            _ => {}
        }
    }
    runs
}

/// A level change throughout (new − old, dB): when nine in ten
/// comparable blocks of the matching stretches differ by the same gain
/// within 1 dB, and it is at least 0.5 dB.
fn level_change(runs: &[Run], a: &SoundPrints, b: &SoundPrints, channels: usize) -> Option<f32> {
    let mut deltas = Vec::new();
    for r in runs {
        for t in 0..r.len {
            let (Some(x), Some(y)) = (a.values.get(r.a_start + t), b.values.get(r.b_start + t))
            else {
                continue;
            };
            for c in 0..channels {
                let (lx, ly) = (x[c * FEATURES], y[c * FEATURES]);
                if lx.max(ly) >= QUIET_DB {
                    deltas.push(ly - lx);
                }
            }
        }
    }
    if deltas.len() < 10 {
        return None;
    }
    deltas.sort_by(f32::total_cmp);
    let median = deltas[deltas.len() / 2];
    let near = deltas.iter().filter(|d| (*d - median).abs() <= 1.0).count();
    (median.abs() >= 0.5 && near * 10 >= deltas.len() * 9).then_some((median * 10.0).round() / 10.0)
}

/// Ranges (old, new positions) along the matching runs where the sound differs.
fn sound_changes(
    runs: &[Run],
    a: &SoundPrints,
    b: &SoundPrints,
    channels: usize,
    gain: f32,
) -> Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    let mut out: Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> = Vec::new();
    for r in runs {
        let mut open: Option<usize> = None;
        let mut last = 0usize;
        for t in 0..r.len {
            let (i, j) = (r.a_start + t, r.b_start + t);
            let differs = match (a.values.get(i), b.values.get(j)) {
                (Some(x), Some(y)) => !same_sound(x, y, channels, gain),
                (Some(x), None) => audible_before_end(x, i, a.len(), channels),
                (None, Some(y)) => audible_before_end(y, j, b.len(), channels),
                (None, None) => false,
            };
            if differs {
                if open.is_none() {
                    open = Some(t);
                }
                last = t;
            } else if let Some(s) = open {
                if t - last > MIN_RUN {
                    out.push((
                        r.a_start + s..r.a_start + last + 1,
                        r.b_start + s..r.b_start + last + 1,
                    ));
                    open = None;
                }
            }
        }
        if let Some(s) = open {
            out.push((
                r.a_start + s..r.a_start + last + 1,
                r.b_start + s..r.b_start + last + 1,
            ));
        }
    }
    out
}

/// Sound on one side only is a change when it is audible and not the
/// last (partial) block of its file.
fn audible_before_end(block: &[f32], at: usize, len: usize, channels: usize) -> bool {
    at + 1 < len && (0..channels).any(|c| block.get(c * FEATURES).is_some_and(|&l| l >= QUIET_DB))
}

/// New pictures resampled onto the old frame grid (by time), with the
/// new frame each old-grid position came from.
pub fn resample(new: &[PicturePrint], new_fps: f64, old_fps: f64) -> (Vec<PicturePrint>, Vec<u64>) {
    let len = ((new.len() as f64) * old_fps / new_fps).floor() as usize;
    let frames: Vec<u64> = (0..len)
        .map(|i| (i as f64 * new_fps / old_fps).round() as u64)
        .filter(|&f| (f as usize) < new.len())
        .collect();
    (frames.iter().map(|&f| new[f as usize]).collect(), frames)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(len: usize) -> Timeline {
        Timeline {
            fps: 25.0,
            timecode: TimecodeBase::parse("10:00:00:00", 25.0),
            frame_of: None,
            len,
            frames: len as u64,
        }
    }

    /// A picture of frame `i` of shot `shot`: every block differs from the next frame's.
    fn picture(shot: u8, i: usize) -> PicturePrint {
        let mut p = [0u8; super::super::prints::CELLS];
        for (c, v) in p.iter_mut().enumerate() {
            // splitmix64's finaliser: every (shot, frame, cell) its own value.
            let mut x = (u64::from(shot) << 40) ^ ((i as u64) << 16) ^ c as u64;
            x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            *v = ((x ^ (x >> 31)) >> 56) as u8;
        }
        p
    }

    fn sound(len: usize, level: impl Fn(usize) -> f32) -> SoundPrints {
        SoundPrints {
            channels: 1,
            block_s: 0.04,
            values: (0..len).map(|i| vec![level(i), level(i) - 10.0]).collect(),
        }
    }

    #[test]
    fn a_replaced_stretch_and_a_level_change() {
        let old: Vec<PicturePrint> = (0..200).map(|i| picture(0, i)).collect();
        let mut new = old.clone();
        for (i, p) in new.iter_mut().enumerate().take(120).skip(100) {
            *p = picture(1, i);
        }
        let a = sound(200, |i| -20.0 - (i % 7) as f32);
        let b = sound(200, |i| -14.0 - (i % 7) as f32);
        let inputs = Inputs {
            old_pictures: Some(&old),
            new_pictures: Some(new),
            old_sound: Some(&a),
            new_sound: Some(&b),
            old_line: line(200),
            new_line: line(200),
        };
        let mut notes = Vec::new();
        let d = compare(&inputs, &mut notes);
        assert_eq!(d.level_change_db, Some(6.0));
        assert_eq!(d.changes.len(), 1, "{:?}", d.changes);
        let c = &d.changes[0];
        assert_eq!(c.kind, ChangeKind::Replaced);
        assert_eq!((c.old.start_frame, c.old.end_frame), (100, 120));
        assert_eq!(c.old.start_tc.as_deref(), Some("10:00:04:00"));
        assert!(notes.is_empty());
    }

    #[test]
    fn past_the_edit_bound_it_compares_in_place_and_says_so() {
        let n = 60;
        let old: Vec<PicturePrint> = (0..n).map(|i| picture(0, i)).collect();
        let new: Vec<PicturePrint> = (0..n).map(|i| picture(3, i)).collect();
        let inputs = Inputs {
            old_pictures: Some(&old),
            new_pictures: Some(new),
            old_sound: None,
            new_sound: None,
            old_line: line(n),
            new_line: line(n),
        };
        let mut notes = Vec::new();
        let d = compare_bounded(&inputs, &mut notes, 50);
        assert_eq!(
            d.aligned_on.as_deref(),
            Some("position"),
            "{:?} {notes:?}",
            d.changes
        );
        assert!(notes[0].contains("compared in place"));
        assert_eq!(d.changes.len(), 1);
        assert_eq!(d.changes[0].kind, ChangeKind::Replaced);
        assert_eq!(d.changes[0].new.end_frame, n as u64);
    }

    #[test]
    fn resampling_picks_the_nearest_frame() {
        let new: Vec<PicturePrint> = (0..30).map(|i| picture(0, i)).collect();
        let (pictures, frames) = resample(&new, 30.0, 25.0);
        assert_eq!(pictures.len(), 25);
        assert_eq!(&frames[..6], &[0, 1, 2, 4, 5, 6]);
    }
}
