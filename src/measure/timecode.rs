//! Positions as timecode: the file's start timecode plus an offset.
//!
//! Frames are counted at the nominal rate (24 for 23.976, 30 for 29.97…);
//! a drop-frame start timecode (`;` before the frames) skips labels as
//! SMPTE 12M does at 29.97 and 59.94.

/// Start timecode and frame rate to place offsets on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimecodeBase {
    start_frames: u64,
    fps: f64,
    nominal: u64,
    drop_frame: bool,
}

impl TimecodeBase {
    /// Parses `HH:MM:SS:FF` (or `;`/`.` before the frames) at `fps`;
    /// `None` when it does not parse or the rate is not a positive number.
    pub fn parse(timecode: &str, fps: f64) -> Option<Self> {
        if !(fps.is_finite() && fps > 0.0) {
            return None;
        }
        let drop_frame = timecode.contains(';');
        let parts: Vec<u64> = timecode
            .split([':', ';', '.'])
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        let [h, m, s, f] = parts[..] else { return None };
        let nominal = fps.round().max(1.0) as u64;
        let base = TimecodeBase {
            start_frames: 0,
            fps,
            nominal,
            drop_frame,
        };
        let labelled = ((h * 60 + m) * 60 + s) * nominal + f;
        let skipped = base.dropped() * ((h * 60 + m) - (h * 60 + m) / 10);
        Some(TimecodeBase {
            start_frames: labelled.saturating_sub(skipped),
            ..base
        })
    }

    /// Labels drop-frame counting skips each minute but every tenth (2 at
    /// 29.97, 4 at 59.94; 0 when the timecode is non-drop).
    fn dropped(&self) -> u64 {
        match (self.drop_frame, self.nominal) {
            (true, 30 | 60) => self.nominal / 15,
            _ => 0,
        }
    }

    /// The timecode `seconds` after the start (drop-frame labels skipped
    /// as SMPTE 12M counts them when the start timecode is drop-frame).
    pub fn at(&self, seconds: f64) -> String {
        // A position computed from a frame's own time (3 / 25 s) may land a
        // hair below that frame's start: the microframe keeps it there.
        let frames = (seconds.max(0.0) * self.fps + 1e-6).floor() as u64;
        let mut total = self.start_frames + frames;
        let d = self.dropped();
        if d > 0 {
            let per_10 = self.nominal * 600 - 9 * d;
            let per_min = self.nominal * 60 - d;
            let (tens, rem) = (total / per_10, total % per_10);
            let extra = if rem > d {
                d * ((rem - d) / per_min)
            } else {
                0
            };
            total += 9 * d * tens + extra;
        }
        let f = total % self.nominal;
        let s = total / self.nominal;
        let sep = if self.drop_frame { ';' } else { ':' };
        format!(
            "{:02}:{:02}:{:02}{sep}{:02}",
            (s / 3600) % 24,
            (s / 60) % 60,
            s % 60,
            f
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_offset() {
        let tc = TimecodeBase::parse("10:00:00:00", 25.0).unwrap();
        assert_eq!(tc.at(0.0), "10:00:00:00");
        assert_eq!(tc.at(61.5), "10:01:01:12");
        let tc = TimecodeBase::parse("00:59:59:23", 24000.0 / 1001.0).unwrap();
        assert_eq!(tc.at(1.0 / 23.976), "01:00:00:00");
        assert!(TimecodeBase::parse("garbage", 25.0).is_none());
    }

    #[test]
    fn drop_frame_labels_skip_as_smpte_counts() {
        let ntsc = 30000.0 / 1001.0;
        let tc = TimecodeBase::parse("00:00:59;29", ntsc).unwrap();
        assert_eq!(tc.at(0.0), "00:00:59;29");
        assert_eq!(tc.at(1.0 / ntsc), "00:01:00;02", "00 and 01 are skipped");
        let tc = TimecodeBase::parse("00:09:59;29", ntsc).unwrap();
        assert_eq!(tc.at(1.0 / ntsc), "00:10:00;00", "not on the tenth minute");
        // One hour of 29.97 DF is 107 892 frames and reads 01:00:00;00.
        let tc = TimecodeBase::parse("00:00:00;00", ntsc).unwrap();
        assert_eq!(tc.at(107_892.0 / ntsc + 1e-6), "01:00:00;00");
        let tc = TimecodeBase::parse("01:00:00;00", 60000.0 / 1001.0).unwrap();
        let hour = 215_784.0 * 1001.0 / 60000.0 + 1e-6; // 59.94 DF drops 4 a minute
        assert_eq!(tc.at(hour), "02:00:00;00");
    }

    /// The same labels as the review loop's timecode (checked against
    /// OpenTimelineIO in tests/markers.rs), frame by frame.
    #[test]
    fn drop_frame_agrees_with_the_review_timecode() {
        let rate = crate::review::timecode::Rate::parse("30000/1001", true).unwrap();
        let ntsc = 30000.0 / 1001.0;
        let tc = TimecodeBase::parse("00:00:00;00", ntsc).unwrap();
        for frame in (0..300_000u64).step_by(7) {
            let at = (frame as f64 + 0.5) / ntsc;
            assert_eq!(tc.at(at), rate.label(frame), "frame {frame}");
        }
        let start = TimecodeBase::parse("00:58:00;04", ntsc).unwrap();
        assert_eq!(start.start_frames, rate.frames("00:58:00;04").unwrap());
    }
}
