//! Notes at timecodes: the model (kind, state, who and when), placing a
//! note on the current version of a deliverable's master (its own start
//! timecode and rate, drop-frame correct, refused outside the master), QC
//! findings turned into notes, and the notes a changed range touches.

use super::timecode::{Rate, TimecodeError};
use super::ChangedRange;
use crate::board::DeliverableStatus;
use crate::check::FileResult;
use crate::delivery::BoardReport;
use crate::ledger::notes::NewNote;
use crate::ledger::{Ledger, LedgerError};
use crate::paths::RelPath;
use crate::probe::model::StreamKind;
use serde::{Deserialize, Serialize};

/// What a note is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// Cut, performance, grade, mix: a matter of taste.
    Creative,
    /// Something technically wrong that a person saw or heard.
    Technical,
    /// A QC finding (made by hand, or from a run's findings).
    Qc,
}

impl NoteKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            NoteKind::Creative => "creative",
            NoteKind::Technical => "technical",
            NoteKind::Qc => "qc",
        }
    }

    /// Reads a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        [NoteKind::Creative, NoteKind::Technical, NoteKind::Qc]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Where a note stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteState {
    /// Still to be dealt with (counts on the board; blocks `approve`).
    Open,
    /// Dealt with.
    Addressed,
    /// Decided against.
    WontFix,
}

impl NoteState {
    /// The wire name (`open`, `addressed`, `wont_fix`).
    pub fn as_str(self) -> &'static str {
        match self {
            NoteState::Open => "open",
            NoteState::Addressed => "addressed",
            NoteState::WontFix => "wont_fix",
        }
    }

    /// The word for people.
    pub fn word(self) -> &'static str {
        match self {
            NoteState::Open => "open",
            NoteState::Addressed => "addressed",
            NoteState::WontFix => "won't fix",
        }
    }

    /// Reads a wire name (`wont-fix` too, as typed on the command line).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(NoteState::Open),
            "addressed" => Some(NoteState::Addressed),
            "wont_fix" | "wont-fix" => Some(NoteState::WontFix),
            _ => None,
        }
    }
}

/// A change of a note's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateChange {
    /// The new state.
    pub state: NoteState,
    /// Who changed it.
    pub by: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Why, or what was done.
    pub comment: Option<String>,
}

/// A note as recorded, with its current state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Note {
    /// Note number.
    pub id: i64,
    /// Deliverable id.
    pub deliverable: String,
    /// SHA-256 of the version it was made on.
    pub sha256: String,
    /// The file it points into.
    pub path: RelPath,
    /// Timecode of its first frame, in the file's own timecode.
    pub start_timecode: String,
    /// Timecode one past its last frame.
    pub end_timecode: String,
    /// Its first frame, counted from the file's first frame.
    pub start_frame: u64,
    /// One past its last frame.
    pub end_frame: u64,
    /// The file's frame rate, exact (`24000/1001`).
    pub frame_rate: String,
    /// Drop-frame timecode.
    pub drop_frame: bool,
    /// Its start, seconds from the file's first frame.
    pub start_s: f64,
    /// Its end, seconds from the file's first frame.
    pub end_s: f64,
    /// What it says.
    pub text: String,
    /// Who wrote it.
    pub by: String,
    /// Creative, technical or QC.
    pub kind: NoteKind,
    /// When (RFC 3339, UTC).
    pub created_at: String,
    /// Where it comes from (`qc finding PROFILE/RULE`), when not a person's note.
    pub source: Option<String>,
    /// Its current state (the latest change; open when never changed).
    pub state: NoteState,
    /// Every change of its state, oldest first.
    pub state_changes: Vec<StateChange>,
}

impl Note {
    /// A recorded note and its changes.
    pub fn from_record(id: i64, n: NewNote, state_changes: Vec<StateChange>) -> Note {
        let fps = n.rate.fps();
        Note {
            id,
            deliverable: n.deliverable,
            sha256: n.sha256,
            path: n.path,
            start_timecode: n.start_timecode,
            end_timecode: n.end_timecode,
            start_frame: n.start_frame,
            end_frame: n.end_frame,
            frame_rate: format!("{}/{}", n.rate.num, n.rate.den),
            drop_frame: n.rate.drop_frame,
            start_s: n.start_frame as f64 / fps,
            end_s: n.end_frame as f64 / fps,
            text: n.text,
            by: n.by,
            kind: n.kind,
            created_at: n.created_at,
            source: n.source,
            state: state_changes.last().map_or(NoteState::Open, |c| c.state),
            state_changes,
        }
    }
}

/// Why a note could not be made or changed.
#[derive(Debug, thiserror::Error)]
pub enum NoteError {
    /// The plan has no such deliverable.
    #[error("no deliverable `{id}` in the plan{}", .suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    Unknown {
        /// The id given.
        id: String,
        /// The closest id.
        suggestion: Option<String>,
    },
    /// No file of the deliverable has a picture with a frame rate.
    #[error("`{id}` has no file with a picture frame rate in the latest check (run {run}), so there is no timecode to place a note on; run `signoff check` first")]
    NoMaster {
        /// Deliverable id.
        id: String,
        /// The run looked at.
        run: i64,
    },
    /// The timecode does not read in the master's counting.
    #[error("{path}: {source}")]
    Timecode {
        /// The master.
        path: String,
        /// Why.
        #[source]
        source: TimecodeError,
    },
    /// The timecode is outside the master.
    #[error("{path}: {tc} is outside the master; its timecode runs {range} ({rate})")]
    OutOfRange {
        /// The master.
        path: String,
        /// The timecode given.
        tc: String,
        /// First to last frame.
        range: String,
        /// Its rate.
        rate: String,
    },
    /// `--to` before `--at`.
    #[error("--to {to} is before --at {at}")]
    Backwards {
        /// Start.
        at: String,
        /// End.
        to: String,
    },
    /// The master changed on disk since the check the note would bind to.
    #[error("{path} changed on disk since the latest check (run {run}); run `signoff check` first, so the note is bound to the version that is there now")]
    ChangedSinceCheck {
        /// The master.
        path: String,
        /// The run.
        run: i64,
    },
    /// No note has this number.
    #[error("there is no note {0} in the ledger (see `signoff note --list`)")]
    NoSuchNote(i64),
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// A version of a master: a file of the deliverable in the latest check,
/// with its timecode.
#[derive(Debug, Clone, PartialEq)]
pub struct Master {
    /// The file.
    pub path: RelPath,
    /// Its content hash.
    pub sha256: String,
    /// Its frame rate and counting.
    pub rate: Rate,
    /// Its start timecode as a frame count from 00:00:00:00.
    pub start_label: u64,
    /// Its length in frames.
    pub duration_frames: u64,
}

impl Master {
    /// The master a checked file is, when it has a picture with a frame rate
    /// and a duration.
    pub fn from_detail(path: RelPath, sha256: String, detail: &FileResult) -> Option<Master> {
        let media = detail.scanned.media.as_ref()?;
        let stream = media
            .streams
            .iter()
            .find(|s| s.kind == StreamKind::Video && s.video.is_some())?;
        let video = stream.video.as_ref()?;
        let tc = media.container.start_timecode.as_deref();
        let drop = tc.is_some_and(|t| t.contains(';'));
        let rate = Rate::parse(video.frame_rate.as_deref()?, drop)?;
        let duration_s = stream.duration_s.or(media.container.duration_s)?;
        let duration_frames = (duration_s * rate.fps()).round() as u64;
        // A `;` on a rate without drop-frame counting is read as non-drop.
        let start_label = tc
            .map(|t| {
                if rate.drop_frame {
                    t.to_string()
                } else {
                    t.replace(';', ":")
                }
            })
            .and_then(|t| rate.frames(&t).ok())
            .unwrap_or(0);
        (duration_frames > 0).then_some(Master {
            path,
            sha256,
            rate,
            start_label,
            duration_frames,
        })
    }

    /// The timecode of frame `offset` (from the file's first frame).
    pub fn timecode(&self, offset: u64) -> String {
        self.rate.label(self.start_label + offset)
    }

    /// First to last frame (`01:00:00:00–01:00:09:23`).
    pub fn range_text(&self) -> String {
        format!(
            "{}–{}",
            self.timecode(0),
            self.timecode(self.duration_frames - 1)
        )
    }

    /// The frames `[start, end)` of a note from `at` (to `to`, else one
    /// frame), refused outside the master.
    pub fn place(&self, at: &str, to: Option<&str>) -> Result<(u64, u64), NoteError> {
        let start = self.offset(at, self.duration_frames - 1)?;
        let end = match to {
            None => start + 1,
            Some(to) => {
                let end = self.offset(to, self.duration_frames)?;
                if end < start {
                    return Err(NoteError::Backwards {
                        at: at.into(),
                        to: to.into(),
                    });
                }
                end.max(start + 1)
            }
        };
        Ok((start, end))
    }

    fn offset(&self, tc: &str, last: u64) -> Result<u64, NoteError> {
        let label = self.rate.frames(tc).map_err(|source| NoteError::Timecode {
            path: self.path.display(),
            source: match source {
                TimecodeError::Counting {
                    tc, given, master, ..
                } => TimecodeError::Counting {
                    tc,
                    given,
                    master,
                    example: self.timecode(0),
                },
                other => other,
            },
        })?;
        label
            .checked_sub(self.start_label)
            .filter(|o| *o <= last)
            .ok_or_else(|| NoteError::OutOfRange {
                path: self.path.display(),
                tc: tc.to_string(),
                range: self.range_text(),
                rate: self.rate.describe(),
            })
    }

    /// A note on frames `[start, end)` of this version.
    pub fn note(&self, deliverable: &str, range: (u64, u64), w: Written) -> NewNote {
        NewNote {
            deliverable: deliverable.to_string(),
            sha256: self.sha256.clone(),
            path: self.path.clone(),
            start_frame: range.0,
            end_frame: range.1,
            rate: self.rate,
            start_timecode: self.timecode(range.0),
            end_timecode: self.timecode(range.1),
            text: w.text,
            by: w.by,
            kind: w.kind,
            created_at: w.at,
            source: w.source,
        }
    }
}

/// What a note says and who wrote it, when.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    /// The text.
    pub text: String,
    /// Who.
    pub by: String,
    /// Kind.
    pub kind: NoteKind,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Where it comes from, when not a person.
    pub source: Option<String>,
}

/// The deliverable `id` on the board.
pub fn find<'a>(
    plan: &crate::plan::Plan,
    report: &'a BoardReport,
    id: &str,
) -> Result<&'a DeliverableStatus, NoteError> {
    report
        .deliverables
        .iter()
        .find(|d| d.id == id)
        .ok_or_else(|| NoteError::Unknown {
            id: id.to_string(),
            suggestion: crate::spec::catalogue::suggest(
                id,
                plan.deliverables.iter().map(|d| d.id.as_str()),
            )
            .map(String::from),
        })
}

/// Every file of `status` in the board's run that is a master (has a
/// picture with a rate), with its stored detail, in board order.
pub fn versions(
    ledger: &Ledger,
    report: &BoardReport,
    status: &DeliverableStatus,
) -> Result<Vec<(Master, FileResult)>, NoteError> {
    let details = ledger.run_details(report.run_id)?;
    let mut out = Vec::new();
    for f in &status.files {
        let Some(sha) = f.outcome.sha256.clone() else {
            continue;
        };
        let Some(json) = details.get(&f.path).and_then(|d| d.detail_json.as_deref()) else {
            continue;
        };
        let Ok(detail) = serde_json::from_str::<FileResult>(json) else {
            continue;
        };
        if let Some(m) = Master::from_detail(f.path.clone(), sha, &detail) {
            out.push((m, detail));
        }
    }
    Ok(out)
}

/// The current version of the deliverable's master: its first master file,
/// refused when it changed on disk since that check (size or mtime).
pub fn current(
    ledger: &Ledger,
    report: &BoardReport,
    status: &DeliverableStatus,
) -> Result<(Master, FileResult), NoteError> {
    let found = versions(ledger, report, status)?
        .into_iter()
        .next()
        .ok_or_else(|| NoteError::NoMaster {
            id: status.id.clone(),
            run: report.run_id,
        })?;
    if report
        .changed_since_check
        .iter()
        .any(|c| c.path == found.0.path)
    {
        return Err(NoteError::ChangedSinceCheck {
            path: found.0.path.display(),
            run: report.run_id,
        });
    }
    Ok(found)
}

/// A positioned QC finding of a master, on its frames.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedFinding {
    /// Its frame from the file's first frame.
    pub frame: u64,
    /// `PROFILE/RULE`.
    pub rule: String,
    /// Error or warning.
    pub error: bool,
    /// The finding's sentence.
    pub message: String,
}

/// The failed findings of `detail` that have a position, against
/// `profiles` only, on the master's frames (a position past the end is
/// placed on the last frame).
pub fn placed_findings(
    master: &Master,
    detail: &FileResult,
    profiles: &[String],
) -> Vec<PlacedFinding> {
    let fps = master.rate.fps();
    detail
        .report
        .iter()
        .flat_map(|r| &r.findings)
        .filter(|f| f.status == crate::spec::finding::Status::Failed)
        .filter(|f| profiles.contains(&f.profile))
        .filter_map(|f| {
            let pos = f.position_s?;
            let frame = ((pos.max(0.0) * fps).round() as u64).min(master.duration_frames - 1);
            Some(PlacedFinding {
                frame,
                rule: format!("{}/{}", f.profile, f.rule_id),
                error: f.severity == crate::spec::Severity::Error,
                message: f.message.clone(),
            })
        })
        .collect()
}

/// The notes `placed` findings become (kind qc, source `qc finding RULE`).
pub fn notes_from_findings(
    master: &Master,
    deliverable: &str,
    placed: &[PlacedFinding],
    by: &str,
    at: &str,
) -> Vec<NewNote> {
    placed
        .iter()
        .map(|p| {
            let w = Written {
                text: p.message.clone(),
                by: by.to_string(),
                kind: NoteKind::Qc,
                at: at.to_string(),
                source: Some(format!("qc finding {}", p.rule)),
            };
            master.note(deliverable, (p.frame, p.frame + 1), w)
        })
        .collect()
}

/// A note whose range a later version changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoteFlag {
    /// The note.
    pub note_id: i64,
    /// Its state now.
    pub state: NoteState,
    /// The changed range it overlaps (index into the ranges given).
    pub range_index: usize,
}

/// The notes whose range overlaps a changed range (seconds from the
/// file's first frame; a note's range is `[start_s, end_s)`, a changed
/// range `[start_s, end_s)` too, and a zero-length change, an insertion
/// point, touches the note it falls in, its first frame included). One
/// flag per note, for the first range.
pub fn flag_changed_notes(notes: &[Note], changed: &[ChangedRange]) -> Vec<NoteFlag> {
    notes
        .iter()
        .filter_map(|n| {
            let i = changed.iter().position(|c| c.touches(n.start_s, n.end_s))?;
            Some(NoteFlag {
                note_id: n.id,
                state: n.state,
                range_index: i,
            })
        })
        .collect()
}

impl ChangedRange {
    /// Whether this change touches `[start_s, end_s)` (an insertion point
    /// touches the range it falls in, its first frame included).
    pub fn touches(&self, start_s: f64, end_s: f64) -> bool {
        if self.end_s > self.start_s {
            self.start_s < end_s && self.end_s > start_s
        } else {
            self.start_s >= start_s && self.start_s < end_s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn master(rate: &str, tc: &str, frames: u64) -> Master {
        let rate = Rate::parse(rate, tc.contains(';')).unwrap();
        Master {
            path: RelPath::from("m.mov"),
            sha256: "ab".into(),
            rate,
            start_label: rate.frames(tc).unwrap(),
            duration_frames: frames,
        }
    }

    #[test]
    fn notes_are_placed_in_the_masters_timecode_and_refused_outside() {
        let m = master("25", "10:00:00:00", 250);
        assert_eq!(m.place("10:00:01:00", None).unwrap(), (25, 26));
        assert_eq!(
            m.place("10:00:01:00", Some("10:00:02:00")).unwrap(),
            (25, 50)
        );
        assert_eq!(
            m.place("10:00:09:24", Some("10:00:10:00")).unwrap(),
            (249, 250)
        );
        let e = m.place("10:00:10:00", None).unwrap_err().to_string();
        assert!(e.contains("10:00:00:00–10:00:09:24"), "{e}");
        assert!(m.place("09:59:59:24", None).is_err());
        assert!(matches!(
            m.place("10:00:02:00", Some("10:00:01:00")),
            Err(NoteError::Backwards { .. })
        ));
        let df = master("30000/1001", "00:59:59;00", 3600);
        assert_eq!(df.place("01:00:00;00", None).unwrap().0, 30);
        assert_eq!(df.timecode(30 + 1800), "01:01:00;02");
        assert!(
            df.place("01:00:00:00", None).is_err(),
            "non-drop text on a DF master"
        );
    }

    fn note(id: i64, start_s: f64, end_s: f64) -> Note {
        let m = master("25", "00:00:00:00", 10_000);
        let range = ((start_s * 25.0) as u64, (end_s * 25.0) as u64);
        let w = Written {
            text: "t".into(),
            by: "a".into(),
            kind: NoteKind::Creative,
            at: "now".into(),
            source: None,
        };
        Note::from_record(id, m.note("d", range, w), Vec::new())
    }

    #[test]
    fn changed_ranges_flag_the_notes_they_overlap() {
        let notes = [
            note(1, 10.0, 12.0),
            note(2, 30.0, 30.04),
            note(3, 50.0, 60.0),
        ];
        let changed = [
            ChangedRange {
                start_s: 11.5,
                end_s: 20.0,
            },
            ChangedRange {
                start_s: 30.0,
                end_s: 30.0,
            },
            ChangedRange {
                start_s: 60.0,
                end_s: 61.0,
            },
        ];
        let flags = flag_changed_notes(&notes, &changed);
        let got: Vec<(i64, usize)> = flags.iter().map(|f| (f.note_id, f.range_index)).collect();
        assert_eq!(
            got,
            [(1, 0), (2, 1)],
            "a range starting at a note's end does not touch it"
        );
    }
}
