//! Markers for the editor's timeline: a deliverable's open notes and the
//! latest run's positioned QC findings on its current master, written as a
//! CMX 3600 EDL with locators, an Avid Media Composer marker list or an
//! OpenTimelineIO timeline, in the master's own timecode and rate.

pub mod avid;
pub mod edl;
pub mod otio;

use super::notes::{Master, Note, NoteKind, NoteState, PlacedFinding};

/// A marker colour, as the three formats name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Color {
    /// QC errors and QC notes.
    Red,
    /// Technical notes and QC warnings.
    Yellow,
    /// Creative notes.
    Blue,
}

impl Color {
    /// Upper case (`RED`): EDL locators and OTIO's `MarkerColor`.
    pub fn upper(self) -> &'static str {
        match self {
            Color::Red => "RED",
            Color::Yellow => "YELLOW",
            Color::Blue => "BLUE",
        }
    }

    /// Lower case (`red`): Avid's marker list.
    pub fn lower(self) -> &'static str {
        match self {
            Color::Red => "red",
            Color::Yellow => "yellow",
            Color::Blue => "blue",
        }
    }
}

/// One marker on the master.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Marker {
    /// First frame, from the file's first frame.
    pub frame: u64,
    /// Length in frames (at least 1).
    pub duration_frames: u64,
    /// Timecode of the first frame, in the master's timecode.
    pub timecode: String,
    /// Short name (`Note 3 (creative)`, `QC ebu-r128/loudness.true_peak`).
    pub name: String,
    /// What it says.
    pub comment: String,
    /// Who (the note's author; `signoff` for a finding).
    pub by: String,
    /// Colour.
    pub color: Color,
}

impl Marker {
    /// `name: comment`, for the formats with one text field.
    pub fn text(&self) -> String {
        format!("{}: {}", self.name, self.comment)
    }
}

/// The markers of `master`: the deliverable's open notes (a note made on
/// another version says so, and is clamped to this master's length), then
/// the findings not already a note at the same frame, in time order.
pub fn collect(master: &Master, notes: &[Note], findings: &[PlacedFinding]) -> Vec<Marker> {
    let last = master.duration_frames - 1;
    let mut out: Vec<Marker> = Vec::new();
    for n in notes.iter().filter(|n| n.state == NoteState::Open) {
        let frame = n.start_frame.min(last);
        let end = n.end_frame.min(master.duration_frames).max(frame + 1);
        let mut comment = n.text.clone();
        if n.sha256 != master.sha256 {
            comment = format!(
                "[made on version {}] {comment}",
                &n.sha256[..12.min(n.sha256.len())]
            );
        }
        let color = match n.kind {
            NoteKind::Creative => Color::Blue,
            NoteKind::Technical => Color::Yellow,
            NoteKind::Qc => Color::Red,
        };
        out.push(marker(
            master,
            frame,
            end - frame,
            format!("Note {} ({})", n.id, n.kind.as_str()),
            comment,
            &n.by,
            color,
        ));
    }
    for f in findings {
        let source = format!("qc finding {}", f.rule);
        let noted = notes.iter().any(|n| {
            n.sha256 == master.sha256
                && n.start_frame == f.frame
                && n.source.as_deref() == Some(&source)
        });
        if noted {
            continue;
        }
        let color = if f.error { Color::Red } else { Color::Yellow };
        out.push(marker(
            master,
            f.frame,
            1,
            format!("QC {}", f.rule),
            f.message.clone(),
            "signoff",
            color,
        ));
    }
    out.sort_by_key(|m| m.frame);
    out
}

fn marker(
    m: &Master,
    frame: u64,
    duration: u64,
    name: String,
    comment: String,
    by: &str,
    color: Color,
) -> Marker {
    Marker {
        frame,
        duration_frames: duration,
        timecode: m.timecode(frame),
        name,
        comment,
        by: by.to_string(),
        color,
    }
}
