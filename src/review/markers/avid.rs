//! An Avid Media Composer marker list (Markers window → Import Markers):
//! one tab-separated line per marker, `name TC track colour comment
//! duration`, the layout Media Composer exports. Fields go through
//! [`crate::escape::line_field`], so no text adds a tab or a line.

use super::Marker;
use crate::escape::line_field;

/// The marker list of `markers`, on track V1.
pub fn write(markers: &[Marker]) -> String {
    let mut out = String::new();
    for m in markers {
        out.push_str(&format!(
            "{}\t{}\tV1\t{}\t{}\t{}\n",
            line_field(&m.by),
            m.timecode,
            m.color.lower(),
            line_field(&m.text()),
            m.duration_frames
        ));
    }
    out
}
