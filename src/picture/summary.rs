//! One file's picture results in a line, for the delivery board: black,
//! freeze, levels, scan type, PSE screening (not a certified test) and
//! decode errors over all its video streams, as measured. The same
//! [`PictureSummary::text`] is printed on the terminal board, written in the
//! HTML board and carried in JSON, so the three agree.

use super::scan::ScanKind;
use super::{PictureMeasurements, Segment};
use serde::{Deserialize, Serialize};

/// What the picture stage found in one file, in brief.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct PictureSummary {
    /// Video streams measured.
    pub streams: usize,
    /// Black segments, all streams.
    pub black_segments: usize,
    /// Their total duration, seconds.
    pub black_s: f64,
    /// Frozen-picture segments, all streams.
    pub freeze_segments: usize,
    /// Their total duration, seconds.
    pub freeze_s: f64,
    /// Frames with Y′ out of range over the area limit (when measured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub luma_out_of_range_frames: Option<u64>,
    /// Frames with R′G′B′ out of range over the area limit (when measured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rgb_out_of_range_frames: Option<u64>,
    /// Scan type from the picture against its flag, in words (when measured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan: Option<String>,
    /// Whether PSE screening (not a certified test) passed (when measured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pse_passed: Option<bool>,
    /// Shot changes (cuts) found, all streams (when measured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shot_changes: Option<u64>,
    /// Video decode errors.
    pub decode_errors: u64,
    /// Why some stream's picture could not be analysed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_evaluated: Option<String>,
    /// All of it in one line, as the board shows it.
    pub text: String,
    /// The profiles that judged the picture (those with `[picture]` rules):
    /// a deliverable whose profiles are not among them shows no picture line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checked_by: Vec<String>,
}

fn segments(
    picture: &[PictureMeasurements],
    of: fn(&PictureMeasurements) -> &Vec<Segment>,
) -> (usize, f64) {
    let all = picture.iter().flat_map(|p| of(p).iter());
    (all.clone().count(), all.fold(0.0, |t, s| t + s.duration_s))
}

fn sum_of(
    picture: &[PictureMeasurements],
    of: impl Fn(&PictureMeasurements) -> Option<u64>,
) -> Option<u64> {
    let values: Vec<u64> = picture.iter().filter_map(of).collect();
    (!values.is_empty()).then(|| values.iter().sum())
}

fn scan_words(picture: &[PictureMeasurements]) -> Option<String> {
    let words: Vec<String> = picture
        .iter()
        .filter_map(|p| p.scan.as_ref())
        .map(|s| match s.matches_flag {
            Some(true) => format!("{}, as flagged", s.detected.label()),
            Some(false) => format!("{}, flagged {}", s.detected.label(), s.flagged.label()),
            None if s.detected == ScanKind::Undetermined => "undetermined".to_string(),
            None => s.detected.label().to_string(),
        })
        .collect();
    (!words.is_empty()).then(|| words.join(" / "))
}

fn count_words(what: &str, (n, s): (usize, f64)) -> String {
    if n == 0 {
        format!("{what} 0")
    } else {
        format!("{what} {n} ({s:.2} s)")
    }
}

impl PictureSummary {
    /// The summary of a file's picture measurements (`None` without any).
    pub fn of(picture: &[PictureMeasurements]) -> Option<PictureSummary> {
        if picture.is_empty() {
            return None;
        }
        let not_evaluated = picture.iter().find_map(|p| {
            p.not_evaluated
                .as_ref()
                .map(|why| format!("video stream {}: {why}", p.stream_index))
        });
        let mut s = PictureSummary {
            streams: picture.len(),
            luma_out_of_range_frames: sum_of(picture, |p| {
                p.levels.as_ref().map(|l| l.luma_frames_out_of_range)
            }),
            rgb_out_of_range_frames: sum_of(picture, |p| {
                p.levels
                    .as_ref()
                    .filter(|l| l.rgb_checked)
                    .map(|l| l.rgb_frames_out_of_range)
            }),
            scan: scan_words(picture),
            pse_passed: picture
                .iter()
                .filter_map(|p| p.pse.as_ref().map(|r| r.passed))
                .reduce(|a, b| a && b),
            shot_changes: sum_of(picture, |p| {
                p.shots.as_ref().map(|s| s.changes.len() as u64)
            }),
            decode_errors: picture.iter().map(|p| p.decode_error_count).sum(),
            not_evaluated,
            ..Default::default()
        };
        (s.black_segments, s.black_s) = segments(picture, |p| &p.black);
        (s.freeze_segments, s.freeze_s) = segments(picture, |p| &p.freeze);
        s.text = s.words();
        Some(s)
    }

    fn words(&self) -> String {
        if let Some(why) = &self.not_evaluated {
            return format!("not evaluated ({why})");
        }
        let mut parts = vec![
            count_words("black", (self.black_segments, self.black_s)),
            count_words("freeze", (self.freeze_segments, self.freeze_s)),
        ];
        let frames = |n: u64| format!("{n} frame{} out of range", if n == 1 { "" } else { "s" });
        if let Some(n) = self.luma_out_of_range_frames {
            parts.push(format!("Y′ levels {}", frames(n)));
        }
        if let Some(n) = self.rgb_out_of_range_frames {
            parts.push(format!("R′G′B′ levels {}", frames(n)));
        }
        if let Some(scan) = &self.scan {
            parts.push(format!("scan {scan}"));
        }
        if let Some(passed) = self.pse_passed {
            let word = if passed { "pass" } else { "FAIL" };
            parts.push(format!("{}: {word}", super::pse::LABEL));
        }
        if self.decode_errors > 0 {
            parts.push(format!("{} decode errors", self.decode_errors));
        }
        parts.join(" · ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_of_what_was_measured() {
        let seg = Segment {
            start_s: 0.0,
            end_s: 2.5,
            duration_s: 2.5,
            start_frame: 0,
            end_frame: 62,
            start_tc: None,
            end_tc: None,
            detail: None,
        };
        let p = PictureMeasurements {
            black: vec![seg.clone(), seg],
            frames: 100,
            ..Default::default()
        };
        let s = PictureSummary::of(std::slice::from_ref(&p)).unwrap();
        assert_eq!(s.text, "black 2 (5.00 s) · freeze 0");
        let broken = PictureMeasurements {
            stream_index: 1,
            not_evaluated: Some("no decoder".into()),
            ..Default::default()
        };
        let s = PictureSummary::of(&[p, broken]).unwrap();
        assert_eq!(s.text, "not evaluated (video stream 1: no decoder)");
        assert_eq!(PictureSummary::of(&[]), None);
    }
}
