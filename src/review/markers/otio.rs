//! An OpenTimelineIO timeline (`.otio`, JSON): `Timeline.1` → `Stack.1` →
//! `Track.1` (V1) → one `Clip.2` (the master, from its start timecode)
//! carrying a `Marker.2` per marker, times as `RationalTime.1` frame
//! counts at the master's exact rate. serde_json escapes every string.

use super::Marker;
use crate::review::notes::Master;
use serde_json::{json, Value};

/// The timeline of `master` named `title`, with `markers`.
pub fn write(title: &str, master: &Master, markers: &[Marker]) -> String {
    let rate = master.rate.fps();
    let t = |v: u64| json!({"OTIO_SCHEMA": "RationalTime.1", "rate": rate, "value": v as f64});
    let range = |start: u64, dur: u64| json!({"OTIO_SCHEMA": "TimeRange.1", "start_time": t(start), "duration": t(dur)});
    let start = master.start_label;
    let marks: Vec<Value> = markers
        .iter()
        .map(|m| {
            json!({
                "OTIO_SCHEMA": "Marker.2",
                "metadata": {"signoff": {"by": m.by, "timecode": m.timecode}},
                "name": m.name,
                "color": m.color.upper(),
                "marked_range": range(start + m.frame, m.duration_frames),
                "comment": m.comment,
            })
        })
        .collect();
    let clip = json!({
        "OTIO_SCHEMA": "Clip.2",
        "metadata": {"signoff": {"sha256": master.sha256}},
        "name": master.path.display(),
        "source_range": range(start, master.duration_frames),
        "effects": [],
        "markers": marks,
        "enabled": true,
        "media_references": {
            "DEFAULT_MEDIA": {
                "OTIO_SCHEMA": "ExternalReference.1",
                "metadata": {},
                "name": "",
                "available_range": range(start, master.duration_frames),
                "target_url": master.path.display(),
            }
        },
        "active_media_reference_key": "DEFAULT_MEDIA",
    });
    let track = json!({
        "OTIO_SCHEMA": "Track.1", "metadata": {}, "name": "V1", "source_range": null,
        "effects": [], "markers": [], "enabled": true, "children": [clip], "kind": "Video",
    });
    let timeline = json!({
        "OTIO_SCHEMA": "Timeline.1",
        "metadata": {},
        "name": title,
        "global_start_time": t(start),
        "tracks": {
            "OTIO_SCHEMA": "Stack.1", "metadata": {}, "name": "tracks", "source_range": null,
            "effects": [], "markers": [], "enabled": true, "children": [track],
        },
    });
    let mut s = serde_json::to_string_pretty(&timeline).unwrap_or_default();
    s.push('\n');
    s
}
