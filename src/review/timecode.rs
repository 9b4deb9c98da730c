//! SMPTE timecode at an exact frame rate, drop-frame correct: labels
//! (`01:00:05:00`, `00:10:00;00`) ↔ frame counts. Drop-frame (29.97 and
//! 59.94 only, `;` before the frames) skips the labels `:00` and `:01`
//! (`:00`–`:03` at 59.94) of every minute not divisible by ten, so the label
//! stays on the wall clock; the frames themselves are never dropped.

use serde::{Deserialize, Serialize};

/// A frame rate as an exact ratio (`24000/1001`), with the timecode counting
/// used on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    /// Numerator (frames).
    pub num: u32,
    /// Denominator (seconds).
    pub den: u32,
    /// Drop-frame counting (29.97 and 59.94 only).
    pub drop_frame: bool,
}

/// Why a timecode could not be read at a rate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimecodeError {
    /// Not `HH:MM:SS:FF` (or `;` before the frames).
    #[error("`{0}` is not a timecode (HH:MM:SS:FF, or HH:MM:SS;FF for drop-frame)")]
    Syntax(String),
    /// A field out of range (minutes 60, frames beyond the rate).
    #[error("`{tc}` has {what} out of range at {rate}")]
    Field {
        /// The text given.
        tc: String,
        /// Which field.
        what: &'static str,
        /// The rate, in words.
        rate: String,
    },
    /// Drop-frame text on a non-drop master or the other way round.
    #[error("`{tc}` is {given} timecode, but the master's is {master} (write it like {example})")]
    Counting {
        /// The text given.
        tc: String,
        /// What the text says.
        given: &'static str,
        /// What the master uses.
        master: &'static str,
        /// The master's start timecode, as an example.
        example: String,
    },
    /// A label drop-frame counting skips (`00:01:00;00`).
    #[error("`{0}` does not exist in drop-frame timecode (frames 00 and 01 of each minute not divisible by ten are skipped; 02 follows 29)")]
    Dropped(String),
}

impl Rate {
    /// From an exact ratio string (`"24000/1001"`, `"25"`), with drop-frame
    /// counting when `drop_frame` and the rate allows it.
    pub fn parse(ratio: &str, drop_frame: bool) -> Option<Rate> {
        let (num, den) = match ratio.split_once('/') {
            Some((n, d)) => (n.trim().parse().ok()?, d.trim().parse().ok()?),
            None => (ratio.trim().parse().ok()?, 1),
        };
        if num == 0 || den == 0 {
            return None;
        }
        let mut r = Rate {
            num,
            den,
            drop_frame: false,
        };
        r.drop_frame = drop_frame && r.can_drop();
        Some(r)
    }

    /// Frames per second.
    pub fn fps(self) -> f64 {
        f64::from(self.num) / f64::from(self.den)
    }

    /// Frames per timecode second (24 for 23.976, 30 for 29.97).
    pub fn nominal(self) -> u64 {
        (self.fps().round() as u64).max(1)
    }

    /// Whether drop-frame counting exists at this rate (29.97, 59.94).
    pub fn can_drop(self) -> bool {
        self.den == 1001 && matches!(self.nominal(), 30 | 60)
    }

    /// Labels skipped per minute in drop-frame counting (0 when non-drop).
    fn dropped(self) -> u64 {
        if self.drop_frame {
            self.nominal() / 15
        } else {
            0
        }
    }

    /// The rate in words (`23.976 fps`, `29.97 fps DF`).
    pub fn describe(self) -> String {
        let fps = (self.fps() * 1000.0).round() / 1000.0;
        format!("{fps} fps{}", if self.drop_frame { " DF" } else { "" })
    }

    /// The label of frame count `frame` (from 00:00:00:00).
    pub fn label(self, frame: u64) -> String {
        let n = self.nominal();
        let d = self.dropped();
        let mut f = frame;
        if d > 0 {
            let per_10 = n * 600 - 9 * d;
            let per_min = n * 60 - d;
            let (tens, rem) = (f / per_10, f % per_10);
            let extra = if rem > d {
                d * ((rem - d) / per_min)
            } else {
                0
            };
            f += 9 * d * tens + extra;
        }
        let sep = if self.drop_frame { ';' } else { ':' };
        let s = f / n;
        format!(
            "{:02}:{:02}:{:02}{sep}{:02}",
            (s / 3600) % 24,
            (s / 60) % 60,
            s % 60,
            f % n
        )
    }

    /// The frame count (from 00:00:00:00) of label `tc`, read in this rate's
    /// counting (a `;` label on a non-drop rate, or the reverse, is refused).
    pub fn frames(self, tc: &str) -> Result<u64, TimecodeError> {
        let syntax = || TimecodeError::Syntax(tc.to_string());
        let t = tc.trim();
        let bytes = t.as_bytes();
        if bytes.len() != 11 || ![2, 5].iter().all(|&i| bytes[i] == b':') {
            return Err(syntax());
        }
        let given_drop = match bytes[8] {
            b';' => true,
            b':' => false,
            _ => return Err(syntax()),
        };
        if given_drop != self.drop_frame {
            return Err(self.counting_error(tc, given_drop));
        }
        let field = |i: usize| -> Result<u64, TimecodeError> {
            let s = &t[i..i + 2];
            if !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(syntax());
            }
            s.parse().map_err(|_| syntax())
        };
        let (h, m, s, f) = (field(0)?, field(3)?, field(6)?, field(9)?);
        let n = self.nominal();
        let bad = |what| TimecodeError::Field {
            tc: tc.to_string(),
            what,
            rate: self.describe(),
        };
        if h > 23 {
            return Err(bad("hours"));
        }
        if m > 59 {
            return Err(bad("minutes"));
        }
        if s > 59 {
            return Err(bad("seconds"));
        }
        if f >= n {
            return Err(bad("frames"));
        }
        let d = self.dropped();
        if d > 0 && s == 0 && m % 10 != 0 && f < d {
            return Err(TimecodeError::Dropped(tc.to_string()));
        }
        let minutes = h * 60 + m;
        Ok(((minutes * 60 + s) * n + f) - d * (minutes - minutes / 10))
    }

    fn counting_error(self, tc: &str, given_drop: bool) -> TimecodeError {
        let word = |df| if df { "drop-frame" } else { "non-drop" };
        TimecodeError::Counting {
            tc: tc.to_string(),
            given: word(given_drop),
            master: word(self.drop_frame),
            example: self.label(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn df() -> Rate {
        Rate::parse("30000/1001", true).unwrap()
    }

    #[test]
    fn drop_frame_labels_skip_two_per_minute_except_tenths() {
        let r = df();
        assert_eq!(r.label(1799), "00:00:59;29");
        assert_eq!(r.label(1800), "00:01:00;02");
        assert_eq!(r.label(17982), "00:10:00;00");
        assert_eq!(r.label(17981), "00:09:59;29");
        assert_eq!(r.label(107892), "01:00:00;00");
        for f in [
            0, 1, 2, 1799, 1800, 1801, 3597, 3598, 17981, 17982, 107892, 123456,
        ] {
            assert_eq!(r.frames(&r.label(f)).unwrap(), f, "{}", r.label(f));
        }
        assert_eq!(
            r.frames("00:01:00;01"),
            Err(TimecodeError::Dropped("00:01:00;01".into()))
        );
        assert!(r.frames("00:10:00;00").is_ok());
        let r60 = Rate::parse("60000/1001", true).unwrap();
        assert_eq!(r60.label(3600), "00:01:00;04");
        assert_eq!(r60.frames("00:01:00;04").unwrap(), 3600);
    }

    #[test]
    fn non_drop_rates_count_plainly() {
        let r = Rate::parse("24000/1001", true).unwrap();
        assert!(!r.drop_frame, "23.976 has no drop-frame counting");
        assert_eq!(r.frames("01:00:00:00").unwrap(), 86400);
        assert_eq!(r.label(86400 + 23), "01:00:00:23");
        assert!(matches!(
            r.frames("01:00:00:24"),
            Err(TimecodeError::Field { what: "frames", .. })
        ));
        let e = r.frames("01:00:00;00").unwrap_err().to_string();
        assert!(e.contains("non-drop") && e.contains("00:00:00:00"), "{e}");
        assert!(Rate::parse("25", false)
            .unwrap()
            .frames("1:00:00:00")
            .is_err());
        assert!(Rate::parse("0/1", false).is_none());
    }
}
