//! Positions and sizes as the reports show them: a moment in the file as
//! the file's own timecode (its start timecode plus the offset, at its
//! frame rate) when the file has one, else as a clock from the start; a
//! size in binary units.

use super::svg::clock;
use crate::measure::timecode::TimecodeBase;
use crate::probe::model::{MediaInfo, StreamKind};

/// How one file's positions are labelled.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TimeLabels {
    base: Option<TimecodeBase>,
}

impl TimeLabels {
    /// The labels of a file with this probe: timecode when it has a start
    /// timecode and a video frame rate, else clock labels.
    pub fn of(media: Option<&MediaInfo>) -> Self {
        let base = media.and_then(|m| {
            let start = m
                .container
                .start_timecode
                .clone()
                .or_else(|| m.streams.iter().find_map(|s| s.timecode.clone()))?;
            let fps = m
                .streams
                .iter()
                .filter(|s| s.kind == StreamKind::Video)
                .find_map(|s| s.video.as_ref()?.frame_rate_fps)?;
            TimecodeBase::parse(&start, fps)
        });
        TimeLabels { base }
    }

    /// Clock labels only (`1:02:05`).
    pub fn clock() -> Self {
        TimeLabels { base: None }
    }

    /// Whether positions are shown as timecode.
    pub fn is_timecode(&self) -> bool {
        self.base.is_some()
    }

    /// The label of `seconds` from the start: `01:00:02:12` or `0:02.5`.
    pub fn label(&self, seconds: f64) -> String {
        match &self.base {
            Some(b) => b.at(seconds),
            None => clock(seconds),
        }
    }
}

/// `85.7 MiB`, `912 bytes`: binary units, one decimal from KiB up.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} byte{}", if bytes == 1 { "" } else { "s" });
    }
    let mut v = bytes as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1023.95 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

/// Whether a track's title is a muxer's handler name (`SoundHandler`,
/// `VideoHandler`, `Core Media Audio`, `Apple Sound Media Handler`,
/// `ISO Media file produced by Google Inc.`…) rather than a real title.
pub fn is_handler_name(title: &str) -> bool {
    let t = title.trim().to_ascii_lowercase();
    t.is_empty()
        || t.contains("handler")
        || t.starts_with("core media ")
        || t.starts_with("iso media file produced by")
        || matches!(
            t.as_str(),
            "sound" | "video" | "audio" | "data" | "timecode" | "time code" | "text" | "subtitle"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(human_size(0), "0 bytes");
        assert_eq!(human_size(1), "1 byte");
        assert_eq!(human_size(1023), "1023 bytes");
        assert_eq!(human_size(1024), "1.0 KiB");
        assert_eq!(human_size(89_822_860), "85.7 MiB");
        assert_eq!(human_size(1024 * 1024 - 1), "1.0 MiB");
        assert_eq!(human_size(2_700_000_000), "2.5 GiB");
    }

    #[test]
    fn handler_names_are_not_titles() {
        for h in [
            "SoundHandler",
            "VideoHandler",
            "Core Media Audio",
            "Core Media Video",
            "Apple Sound Media Handler",
            "ISO Media file produced by Google Inc.",
            "TimeCodeHandler",
            "",
        ] {
            assert!(is_handler_name(h), "{h}");
        }
        for t in ["English 5.1", "Commentary", "Stereo mix", "Dialogue stem"] {
            assert!(!is_handler_name(t), "{t}");
        }
    }

    #[test]
    fn labels_fall_back_to_a_clock() {
        assert_eq!(TimeLabels::clock().label(75.0), "1:15");
        assert!(!TimeLabels::of(None).is_timecode());
    }
}
