//! The review loop: what changed between two versions of a master
//! (`diff`), notes at timecodes bound to the version they were made on, and
//! markers for the editor's timeline.

pub mod changes;
pub mod diff;
pub mod markers;
pub mod notes;
pub mod session;
pub mod timecode;
pub mod versions;

/// A range of a master whose content changed between two versions, in
/// seconds from the first frame of the version a note was made on (the
/// diff's old version). The end is exclusive, as in the diff; a range
/// whose end is its start is a point (an insertion before that frame).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ChangedRange {
    /// Start.
    pub start_s: f64,
    /// End, exclusive (equal to the start for a point, such as an insertion).
    pub end_s: f64,
}
