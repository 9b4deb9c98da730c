//! Positions as timecode: the file's start timecode plus an offset.
//!
//! Frames are counted at the nominal rate (24 for 23.976, 30 for 29.97…);
//! drop-frame timecodes are counted as if non-drop (the frame labels can be
//! off by up to 18 frames per 10 minutes at 29.97 DF).

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
    /// `None` when it does not parse.
    pub fn parse(timecode: &str, fps: f64) -> Option<Self> {
        let drop_frame = timecode.contains(';');
        let parts: Vec<u64> = timecode
            .split([':', ';', '.'])
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        let [h, m, s, f] = parts[..] else { return None };
        let nominal = fps.round().max(1.0) as u64;
        Some(TimecodeBase {
            start_frames: ((h * 60 + m) * 60 + s) * nominal + f,
            fps,
            nominal,
            drop_frame,
        })
    }

    /// The timecode `seconds` after the start.
    pub fn at(&self, seconds: f64) -> String {
        let total = self.start_frames + (seconds.max(0.0) * self.fps).floor() as u64;
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
}
