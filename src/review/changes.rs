//! What a recorded diff says about a deliverable's notes and versions: for a
//! note made on an earlier version, whether the current version changed its
//! range ("range changed in v2 — addressed?"), left it alone, or was never
//! compared with it; and the one-line summary of what changed between two
//! versions, for `history`. Versions are numbered as `history` lists them.

use super::diff::model::{Change, ContentChange, ContentDiff, MeasurementChange};
use super::notes::{Note, NoteState};
use super::versions::Version;
use super::ChangedRange;
use crate::paths::RelPath;
use serde::{Deserialize, Serialize};

/// A diff as recorded in the ledger (the parts read back from its JSON).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct StoredDiff {
    /// Whether anything differs.
    pub differs: bool,
    /// Whether everything both versions have was compared.
    pub fully_compared: bool,
    /// Facts that differ.
    #[serde(default)]
    pub facts: Vec<Change>,
    /// Loudness values that differ.
    #[serde(default)]
    pub measurements: Vec<MeasurementChange>,
    /// The content comparison, in the old version's frames.
    pub content: ContentDiff,
    /// What could not be compared.
    #[serde(default)]
    pub not_compared: Vec<String>,
}

impl StoredDiff {
    /// Reads a recorded diff's JSON (`None` when it is not one).
    pub fn parse(json: &str) -> Option<StoredDiff> {
        serde_json::from_str(json).ok()
    }

    fn content_compared(&self) -> bool {
        self.content.picture_compared || self.content.sound_compared
    }

    /// One line: `content changed 01:00:10:00–01:00:11:00 replaced; 1 fact differs`.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        let c = &self.content;
        if !self.content_compared() {
            parts.push("content not compared".to_string());
        } else if c.unchanged {
            parts.push("content unchanged".to_string());
        } else {
            let mut what: Vec<String> = c.changes.iter().map(change_words).collect();
            if let Some(g) = c.level_change_db {
                what.push(format!("sound level {g:+.1} dB throughout"));
            }
            parts.push(format!("content changed {}", what.join(", ")));
        }
        let count =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        if !self.facts.is_empty() {
            parts.push(count(self.facts.len(), "fact differs", "facts differ"));
        }
        if !self.measurements.is_empty() {
            parts.push(count(
                self.measurements.len(),
                "loudness value differs",
                "loudness values differ",
            ));
        }
        if !self.fully_compared {
            parts.push("not everything could be compared".into());
        }
        parts.join("; ")
    }

    /// The changes whose old range touches frames `[start, end)` of the old
    /// version at `fps` (a change of the sound's level throughout touches
    /// every range).
    fn touching(&self, start: u64, end: u64, fps: f64) -> Vec<ContentChange> {
        let s = |f: u64| f as f64 / fps;
        let (from, to) = (s(start), s(end));
        self.content
            .changes
            .iter()
            .filter(|c| {
                let range = ChangedRange {
                    start_s: s(c.old.start_frame),
                    end_s: s(c.old.end_frame),
                };
                range.touches(from, to)
            })
            .cloned()
            .collect()
    }
}

/// `01:00:10:00–01:00:11:00 replaced`, `2.00 s inserted at 01:00:15:00`, in
/// the old version's timecode (seconds when it has none).
pub fn change_words(c: &ContentChange) -> String {
    use super::diff::model::ChangeKind;
    let at = |tc: &Option<String>, s: f64| tc.clone().unwrap_or_else(|| format!("{s:.3} s"));
    let start = at(&c.old.start_tc, c.old.start_s);
    let end = at(&c.old.end_tc, c.old.end_s);
    match c.kind {
        ChangeKind::Inserted => format!("{:.2} s inserted at {start}", c.new.duration_s),
        kind => format!("{start}–{end} {}", kind.words()),
    }
}

/// How a note's range fared in the current version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RangeStatus {
    /// A recorded change touches it.
    Changed,
    /// The recorded diff compared everything and no change touches it.
    Unchanged,
    /// No diff from the note's version to the current one is recorded, or
    /// it could not compare the content (then nothing is claimed).
    NotCompared,
}

/// A note made on another version than the deliverable's current master,
/// against the current one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoteCheck {
    /// The number (`history`'s vN) of the version the note was made on.
    pub made_on_version: Option<usize>,
    /// The number of the current version.
    pub current_version: Option<usize>,
    /// The current version's content hash.
    pub current_sha256: String,
    /// The current version's file.
    pub current_path: RelPath,
    /// Whether the range changed.
    pub range: RangeStatus,
    /// The versions (numbers) of the recorded diffs the answer comes from,
    /// the note's first: `[1, 2]` direct, `[1, 2, 3]` through v2; empty
    /// when none is recorded.
    pub compared_through: Vec<usize>,
    /// The recorded changes that touch the note's range (`old` in the
    /// frames of the version before the change: the note's own, unless
    /// the change came later in a chain).
    pub changes: Vec<ContentChange>,
    /// A change of the sound's level throughout, dB, when recorded.
    pub level_change_db: Option<f64>,
    /// In words: `range changed in v2 — addressed?`.
    pub message: String,
}

/// A note as `note --format json` gives it: its fields, and how its range
/// fared in the current version (`null` when it is on that version).
#[derive(Debug, Clone, Serialize)]
pub struct CheckedNote<'a> {
    /// The note.
    #[serde(flatten)]
    pub note: &'a Note,
    /// Its range against the current version.
    pub version_check: Option<&'a NoteCheck>,
}

/// The deliverable's current master: its file and content hash.
#[derive(Debug, Clone, PartialEq)]
pub struct Current {
    /// The file.
    pub path: RelPath,
    /// Its content hash.
    pub sha256: String,
}

/// `history`'s number (1-based) of the version `sha256` of `path` (of any
/// file when that path has no such version).
pub fn version_number(versions: &[Version], path: &RelPath, sha256: &str) -> Option<usize> {
    versions
        .iter()
        .position(|v| &v.path == path && v.sha256 == sha256)
        .or_else(|| versions.iter().position(|v| v.sha256 == sha256))
        .map(|i| i + 1)
}

fn name(n: Option<usize>, sha256: &str) -> String {
    n.map_or_else(
        || format!("version {}", &sha256[..12.min(sha256.len())]),
        |n| format!("v{n}"),
    )
}

/// One recorded diff on the way from a note's version to the current one.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The SHA-256 of the version it leads to.
    pub to_sha256: String,
    /// What it found.
    pub diff: StoredDiff,
}

impl StoredDiff {
    /// Frames `[start, end)` of the old version, which no change touches,
    /// in the new version: after the last change before them, frame for
    /// frame (both versions begin alike when no change comes first).
    fn carry(&self, (start, end): (u64, u64)) -> (u64, u64) {
        let before = self
            .content
            .changes
            .iter()
            .rfind(|c| c.old.end_frame <= start && c.old.start_frame < start);
        let to = before.map_or(start, |c| c.new.end_frame + (start - c.old.end_frame));
        (to, to + (end - start))
    }
}

/// The check of `note` against `current`, given the diffs recorded on the
/// way from the note's version to it (one, direct, or a chain v1→v2→v3;
/// none: not compared); `None` when the note is on the current version.
pub fn check_note(
    note: &Note,
    current: &Current,
    versions: &[Version],
    steps: &[Step],
) -> Option<NoteCheck> {
    if note.sha256 == current.sha256 {
        return None;
    }
    let now = version_number(versions, &current.path, &current.sha256);
    let vn = name(now, &current.sha256);
    let made_on = version_number(versions, &note.path, &note.sha256);
    let fps = rate_fps(&note.frame_rate);
    let mut check = NoteCheck {
        made_on_version: made_on,
        current_version: now,
        current_sha256: current.sha256.clone(),
        current_path: current.path.clone(),
        range: RangeStatus::NotCompared,
        compared_through: Vec::new(),
        changes: Vec::new(),
        level_change_db: None,
        message: format!(
            "master changed since this note (now {vn}); `signoff diff OLD NEW --root …` tells whether this range changed"
        ),
    };
    if steps.is_empty() {
        return Some(check);
    }
    check.compared_through = std::iter::once(made_on)
        .chain(
            steps
                .iter()
                .map(|s| version_number(versions, &current.path, &s.to_sha256)),
        )
        .collect::<Option<Vec<usize>>>()
        .unwrap_or_default();
    let mut range = (note.start_frame, note.end_frame);
    let mut fully = true;
    for step in steps {
        let d = &step.diff;
        let to = name(
            version_number(versions, &current.path, &step.to_sha256),
            &step.to_sha256,
        );
        if !d.content_compared() {
            check.message = format!(
                "master changed since this note (now {vn}); the diff recorded to {to} could not compare the content"
            );
            return Some(check);
        }
        check.changes = d.touching(range.0, range.1, fps);
        check.level_change_db = d.content.level_change_db;
        if !check.changes.is_empty() || check.level_change_db.is_some() {
            check.range = RangeStatus::Changed;
            let ask = if note.state == NoteState::Open {
                " — addressed?"
            } else {
                ""
            };
            check.message = format!("range changed in {to}{ask}");
            return Some(check);
        }
        fully &= d.fully_compared;
        range = d.carry(range);
    }
    if fully {
        check.range = RangeStatus::Unchanged;
        check.message = format!("range unchanged in {vn}");
    } else {
        check.message = format!(
            "no change found in this range in {vn}, but not everything could be compared (see `signoff diff`)"
        );
    }
    Some(check)
}

/// Frames per second of an exact rate `num/den`.
fn rate_fps(rate: &str) -> f64 {
    let (n, d) = rate.split_once('/').unwrap_or((rate, "1"));
    match (n.parse::<f64>(), d.parse::<f64>()) {
        (Ok(n), Ok(d)) if n > 0.0 && d > 0.0 => n / d,
        _ => 25.0,
    }
}

/// What changed between two versions of a file, as `history` shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionChange {
    /// The earlier version's number.
    pub from: usize,
    /// The later version's number.
    pub to: usize,
    /// The file.
    pub path: RelPath,
    /// Whether a diff between them is recorded.
    pub compared: bool,
    /// When it was recorded.
    pub recorded_at: Option<String>,
    /// Who recorded it.
    pub recorded_by: Option<String>,
    /// The recorded content changes (in the earlier version's frames as `old`).
    pub changes: Vec<ContentChange>,
    /// In words: `content changed 01:00:10:00–01:00:11:00 replaced; 1 fact
    /// differs`, or `not compared (…)`.
    pub summary: String,
}

/// A recorded diff as history needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// When.
    pub at: String,
    /// Who.
    pub by: String,
    /// What it found.
    pub diff: StoredDiff,
}

/// For each version, what changed since the one before it: the latest
/// earlier version a diff to it is recorded from (a new file name of the
/// master, too), else the previous version of the same file, not compared
/// (`lookup(old_sha, new_sha)` gives the recorded diff).
pub fn version_changes<E>(
    versions: &[Version],
    mut lookup: impl FnMut(&str, &str) -> Result<Option<Recorded>, E>,
) -> Result<Vec<VersionChange>, E> {
    let mut out = Vec::new();
    for (i, v) in versions.iter().enumerate() {
        let mut found = None;
        for j in (0..i).rev() {
            if versions[j].sha256 == v.sha256 {
                continue;
            }
            if let Some(r) = lookup(&versions[j].sha256, &v.sha256)? {
                found = Some((j, r));
                break;
            }
        }
        let (j, recorded) = match found {
            Some((j, r)) => (j, Some(r)),
            None => match versions[..i].iter().rposition(|p| p.path == v.path) {
                Some(j) => (j, None),
                None => continue,
            },
        };
        let prev = &versions[j];
        let summary = match &recorded {
            Some(r) => r.diff.summary(),
            None => format!(
                "not compared (signoff diff OLD NEW --root … records it; OLD: version {})",
                &prev.sha256[..12.min(prev.sha256.len())]
            ),
        };
        out.push(VersionChange {
            from: j + 1,
            to: i + 1,
            path: v.path.clone(),
            compared: recorded.is_some(),
            recorded_at: recorded.as_ref().map(|r| r.at.clone()),
            recorded_by: recorded.as_ref().map(|r| r.by.clone()),
            changes: recorded.map(|r| r.diff.content.changes).unwrap_or_default(),
            summary,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    fn blank_note() -> Note {
        Note {
            id: 0,
            deliverable: String::new(),
            sha256: String::new(),
            path: RelPath::from(""),
            start_timecode: String::new(),
            end_timecode: String::new(),
            start_frame: 0,
            end_frame: 0,
            frame_rate: String::new(),
            drop_frame: false,
            start_s: 0.0,
            end_s: 0.0,
            text: String::new(),
            by: String::new(),
            kind: crate::review::notes::NoteKind::Creative,
            created_at: String::new(),
            source: None,
            state: NoteState::Open,
            state_changes: Vec::new(),
        }
    }

    use super::super::diff::model::{ChangeKind, Span};
    use super::*;

    fn span(a: u64, b: u64) -> Span {
        let tc = |f: u64| Some(format!("01:00:{:02}:{:02}", f / 25, f % 25));
        Span {
            start_frame: a,
            end_frame: b,
            start_s: a as f64 / 25.0,
            end_s: b as f64 / 25.0,
            duration_s: (b - a) as f64 / 25.0,
            start_tc: tc(a),
            end_tc: tc(b),
        }
    }

    fn diff(changes: Vec<ContentChange>, fully: bool) -> StoredDiff {
        StoredDiff {
            differs: !changes.is_empty(),
            fully_compared: fully,
            facts: Vec::new(),
            measurements: Vec::new(),
            content: ContentDiff {
                picture_compared: true,
                sound_compared: true,
                aligned_on: Some("picture".into()),
                unchanged: changes.is_empty(),
                level_change_db: None,
                changes,
            },
            not_compared: Vec::new(),
        }
    }

    fn note(start: u64, end: u64, state: NoteState) -> Note {
        Note {
            sha256: "a".repeat(64),
            path: RelPath::from("m.mov"),
            start_frame: start,
            end_frame: end,
            frame_rate: "25/1".into(),
            start_s: start as f64 / 25.0,
            end_s: end as f64 / 25.0,
            state,
            ..blank_note()
        }
    }

    fn version(sha: char) -> Version {
        Version {
            path: RelPath::from("m.mov"),
            sha256: sha.to_string().repeat(64),
            first_run: 1,
            first_seen_at: "t".into(),
            last_run: 1,
            last_seen_at: "t".into(),
        }
    }

    fn step(to: char, d: &StoredDiff) -> Step {
        Step {
            to_sha256: to.to_string().repeat(64),
            diff: d.clone(),
        }
    }

    #[test]
    fn a_chain_carries_the_range_through_each_version() {
        let versions = [version('a'), version('b'), version('c')];
        let current = Current {
            path: RelPath::from("m.mov"),
            sha256: "c".repeat(64),
        };
        // v1→v2: 50 frames inserted at 100; v2→v3: frames 300–325 replaced.
        let ins = diff(
            vec![ContentChange {
                kind: ChangeKind::Inserted,
                old: span(100, 100),
                new: span(100, 150),
            }],
            true,
        );
        let rep = diff(
            vec![ContentChange {
                kind: ChangeKind::Replaced,
                old: span(300, 325),
                new: span(300, 325),
            }],
            true,
        );
        let chain = [step('b', &ins), step('c', &rep)];
        // Frame 255 of v1 is frame 305 of v2: replaced in v3.
        let moved = check_note(
            &note(255, 256, NoteState::Open),
            &current,
            &versions,
            &chain,
        )
        .unwrap();
        assert_eq!(moved.message, "range changed in v3 — addressed?");
        assert_eq!(moved.compared_through, [1, 2, 3]);
        assert_eq!(moved.changes[0].old.start_frame, 300);
        // Frame 300 of v1 is 350 of v2: untouched.
        let kept = check_note(
            &note(300, 310, NoteState::Open),
            &current,
            &versions,
            &chain,
        )
        .unwrap();
        assert_eq!(kept.message, "range unchanged in v3");
        // Before the insertion nothing moves: frame 10 stays 10.
        assert_eq!(ins.carry((10, 20)), (10, 20));
        assert_eq!(ins.carry((120, 130)), (170, 180));
        let first =
            check_note(&note(99, 101, NoteState::Open), &current, &versions, &chain).unwrap();
        assert_eq!(first.message, "range changed in v2 — addressed?");
    }

    #[test]
    fn a_note_is_changed_unchanged_or_not_compared_in_the_current_version() {
        let versions = [version('a'), version('b')];
        let current = Current {
            path: RelPath::from("m.mov"),
            sha256: "b".repeat(64),
        };
        let replaced = ContentChange {
            kind: ChangeKind::Replaced,
            old: span(250, 275),
            new: span(250, 275),
        };
        let d = diff(vec![replaced.clone()], true);
        let inside = check_note(
            &note(255, 256, NoteState::Open),
            &current,
            &versions,
            &[step('b', &d)],
        );
        let inside = inside.unwrap();
        assert_eq!(inside.range, RangeStatus::Changed);
        assert_eq!(inside.message, "range changed in v2 — addressed?");
        assert_eq!(inside.changes, std::slice::from_ref(&replaced));
        assert_eq!(
            (inside.made_on_version, inside.current_version),
            (Some(1), Some(2))
        );
        // The frame after the change's exclusive end is not touched.
        let after = check_note(
            &note(275, 300, NoteState::Open),
            &current,
            &versions,
            &[step('b', &d)],
        );
        assert_eq!(after.unwrap().message, "range unchanged in v2");
        let before = check_note(
            &note(200, 250, NoteState::Open),
            &current,
            &versions,
            &[step('b', &d)],
        );
        assert_eq!(before.unwrap().range, RangeStatus::Unchanged);
        let done = check_note(
            &note(270, 280, NoteState::Addressed),
            &current,
            &versions,
            &[step('b', &d)],
        );
        assert_eq!(done.unwrap().message, "range changed in v2");
        let none = check_note(&note(1, 2, NoteState::Open), &current, &versions, &[]).unwrap();
        assert_eq!(none.range, RangeStatus::NotCompared);
        assert!(
            none.message.starts_with(
                "master changed since this note (now v2); `signoff diff OLD NEW --root …`"
            ),
            "{}",
            none.message
        );
        let partial = diff(Vec::new(), false);
        let p = check_note(
            &note(1, 2, NoteState::Open),
            &current,
            &versions,
            &[step('b', &partial)],
        );
        assert_eq!(
            p.unwrap().range,
            RangeStatus::NotCompared,
            "never unchanged when not fully compared"
        );
        let same = Current {
            sha256: "a".repeat(64),
            ..current
        };
        assert_eq!(
            check_note(
                &note(1, 2, NoteState::Open),
                &same,
                &versions,
                &[step('b', &d)]
            ),
            None
        );
    }

    #[test]
    fn an_insertion_touches_the_note_it_falls_in_and_summaries_read() {
        let ins = ContentChange {
            kind: ChangeKind::Inserted,
            old: span(375, 375),
            new: span(375, 425),
        };
        let d = diff(vec![ins], true);
        assert_eq!(d.touching(370, 376, 25.0).len(), 1);
        assert_eq!(d.touching(375, 376, 25.0).len(), 1);
        assert!(d.touching(370, 375, 25.0).is_empty());
        assert_eq!(
            d.summary(),
            "content changed 2.00 s inserted at 01:00:15:00"
        );
        let mut r = diff(
            vec![ContentChange {
                kind: ChangeKind::Replaced,
                old: span(250, 275),
                new: span(250, 275),
            }],
            true,
        );
        r.facts.push(Change {
            what: "duration".into(),
            old: None,
            new: None,
        });
        assert_eq!(
            r.summary(),
            "content changed 01:00:10:00–01:00:11:00 replaced; 1 fact differs"
        );
        assert_eq!(diff(Vec::new(), true).summary(), "content unchanged");
    }

    #[test]
    fn history_pairs_a_renamed_master_when_a_diff_is_recorded() {
        let mut renamed = version('b');
        renamed.path = RelPath::from("m_v2.mov");
        let mut other = version('c');
        other.path = RelPath::from("mix.wav");
        let versions = [version('a'), other, renamed];
        let recorded = |_: &str, _: &str| Recorded {
            at: "t".into(),
            by: "Ana".into(),
            diff: diff(Vec::new(), true),
        };
        let none = version_changes::<()>(&versions, |_, _| Ok(None)).unwrap();
        assert!(none.is_empty(), "no file before it of the same name");
        let got = version_changes::<()>(&versions, |o, n| {
            Ok((o.starts_with('a') && n.starts_with('b')).then(|| recorded(o, n)))
        })
        .unwrap();
        assert_eq!((got[0].from, got[0].to), (1, 3));
    }

    #[test]
    fn history_pairs_consecutive_versions_of_a_file() {
        let mut other = version('c');
        other.path = RelPath::from("mix.wav");
        let versions = [version('a'), other, version('b')];
        let got = version_changes::<()>(&versions, |old, new| {
            Ok(
                (old.starts_with('a') && new.starts_with('b')).then(|| Recorded {
                    at: "t".into(),
                    by: "Ana".into(),
                    diff: diff(Vec::new(), true),
                }),
            )
        })
        .unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].from, got[0].to, got[0].compared), (1, 3, true));
        assert_eq!(got[0].summary, "content unchanged");
    }
}
