//! The numbers the caption rules read from a parsed file: characters
//! counted as Netflix counts them, each event's duration, gap, lines and
//! reading speed, frame alignment, and which frame rates the times fit.

use super::model::{CaptionDoc, CaptionEvent, FrameRate};

/// How far (seconds) an event time may be from a frame boundary and still
/// be on it: times written in milliseconds are rounded (or truncated) to
/// the millisecond, so a frame boundary is within 1 ms of its written time.
pub const FRAME_SLACK_S: f64 = 0.001;

/// Frame rates a caption file's times are tested against when they do not
/// fit the master's ("times fit 25 fps, the master is 23.976").
pub const COMMON_RATES: [(u32, u32); 8] = [
    (24000, 1001),
    (24, 1),
    (25, 1),
    (30000, 1001),
    (30, 1),
    (50, 1),
    (60000, 1001),
    (60, 1),
];

/// Primary language subtags whose subtitles count a half-width character
/// as 0.5 and a full-width one as 1 (Netflix's CJK templates).
pub const HALF_WIDTH_LANGUAGES: [&str; 5] = ["ja", "zh", "ko", "yue", "cmn"];

/// How characters are counted for line length and reading speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counting {
    /// Every character 1, spaces and punctuation included.
    EveryCharacter,
    /// Full-width (East Asian wide) characters 1, half-width 0.5.
    HalfWidth,
}

impl Counting {
    /// The counting for a language (BCP 47); without one, half-width when
    /// the text has full-width characters.
    pub fn for_language(language: Option<&str>, doc: &CaptionDoc) -> Counting {
        match language {
            Some(l) => {
                let primary = l.split(['-', '_']).next().unwrap_or(l).to_ascii_lowercase();
                if HALF_WIDTH_LANGUAGES.contains(&primary.as_str()) {
                    Counting::HalfWidth
                } else {
                    Counting::EveryCharacter
                }
            }
            None if doc
                .events
                .iter()
                .flat_map(|e| &e.lines)
                .any(|l| has_wide(l)) =>
            {
                Counting::HalfWidth
            }
            None => Counting::EveryCharacter,
        }
    }

    /// In words, for findings.
    pub fn words(self) -> &'static str {
        match self {
            Counting::EveryCharacter => "every character counted, spaces and punctuation included",
            Counting::HalfWidth => "full-width characters counted 1, half-width 0.5",
        }
    }
}

fn has_wide(line: &str) -> bool {
    line.chars()
        .any(|c| unicode_width::UnicodeWidthChar::width(c) == Some(2))
}

/// The characters of `line` as counted (control characters not counted;
/// zero-width marks count nothing under [`Counting::HalfWidth`]).
pub fn count_chars(line: &str, counting: Counting) -> f64 {
    line.chars()
        .filter(|c| !c.is_control())
        .map(|c| match counting {
            Counting::EveryCharacter => 1.0,
            Counting::HalfWidth => {
                f64::from(unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) as u8) / 2.0
            }
        })
        .sum()
}

/// An event's duration in seconds (negative when it ends before it starts).
pub fn duration_s(e: &CaptionEvent) -> f64 {
    e.end_s - e.start_s
}

/// The characters of an event's lines together (line breaks not counted).
pub fn event_chars(e: &CaptionEvent, counting: Counting) -> f64 {
    e.lines.iter().map(|l| count_chars(l, counting)).sum()
}

/// The longest line of an event, as counted.
pub fn longest_line(e: &CaptionEvent, counting: Counting) -> f64 {
    e.lines
        .iter()
        .map(|l| count_chars(l, counting))
        .fold(0.0, f64::max)
}

/// Reading speed: characters per second of display; `None` when the event
/// has no positive duration.
pub fn reading_speed_cps(e: &CaptionEvent, counting: Counting) -> Option<f64> {
    let d = duration_s(e);
    (d > 0.0).then(|| event_chars(e, counting) / d)
}

/// Frames from `t_s` to the nearest frame boundary, as a fraction of a
/// frame at `rate` (0 on a boundary).
fn off_frame_s(t_s: f64, rate: FrameRate) -> f64 {
    let fps = rate.fps();
    let frames = t_s * fps;
    (frames - frames.round()).abs() / fps
}

/// A span of `d_s` seconds in frames of `rate`: a whole number when the
/// span is within [`FRAME_SLACK_S`] of whole frames (2 frames at 23.976
/// written in milliseconds is 83 ms, 1.99 frames: 2), else to 0.001 frame.
pub fn frames_of(d_s: f64, rate: FrameRate) -> f64 {
    let fps = rate.fps();
    let frames = d_s * fps;
    let whole = frames.round();
    if (frames - whole).abs() <= FRAME_SLACK_S * fps + 1e-9 {
        whole
    } else {
        (frames * 1000.0).round() / 1000.0
    }
}

/// Whether `t_s` is on a frame boundary of `rate`, within [`FRAME_SLACK_S`].
pub fn on_frame(t_s: f64, rate: FrameRate) -> bool {
    off_frame_s(t_s, rate) <= FRAME_SLACK_S + 1e-9
}

/// The common frame rates on whose boundaries every event time (relative
/// to `origin_s`) falls; empty when none fits.
pub fn fitting_rates(events: &[CaptionEvent], origin_s: f64) -> Vec<FrameRate> {
    COMMON_RATES
        .iter()
        .map(|&(num, den)| FrameRate { num, den })
        .filter(|&r| {
            events
                .iter()
                .all(|e| on_frame(e.start_s - origin_s, r) && on_frame(e.end_s - origin_s, r))
        })
        .collect()
}

/// A frame rate for people (`23.976`, `25`).
pub fn rate_words(r: FrameRate) -> String {
    if r.den == 1 {
        return r.num.to_string();
    }
    let s = format!("{:.3}", r.fps());
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The frame `d_s` seconds fall in at `rate` (a time written in
/// milliseconds just before a frame boundary is that frame).
pub fn frame_index(d_s: f64, rate: FrameRate) -> i64 {
    let exact = d_s * rate.fps();
    if (exact - exact.round()).abs() <= FRAME_SLACK_S * rate.fps() + 1e-9 {
        exact.round() as i64
    } else {
        exact.floor() as i64
    }
}

/// A frame count as `HH:MM:SS:FF` at `nominal` frames per second.
pub fn frames_words(frames: i64, nominal: u64) -> String {
    let sign = if frames < 0 { "-" } else { "" };
    let frames = frames.unsigned_abs();
    let (s, f) = (frames / nominal, frames % nominal);
    format!(
        "{sign}{:02}:{:02}:{:02}:{:02}",
        s / 3600,
        s / 60 % 60,
        s % 60,
        f
    )
}

/// Timecode frames per second of `rate` (24 for 23.976).
pub fn nominal(rate: FrameRate) -> u64 {
    rate.fps().round().max(1.0) as u64
}

/// A time in the file as people read it: `HH:MM:SS:FF` at `rate` (frames
/// counted at the nominal rate, as timecode is), else `HH:MM:SS.mmm`.
pub fn time_words(t_s: f64, rate: Option<FrameRate>) -> String {
    match rate {
        Some(r) => frames_words(frame_index(t_s, r), nominal(r)),
        None => {
            let sign = if t_s < 0.0 { "-" } else { "" };
            let ms = (t_s.abs() * 1000.0).round() as u64;
            let s = ms / 1000;
            format!(
                "{sign}{:02}:{:02}:{:02}.{:03}",
                s / 3600,
                s / 60 % 60,
                s % 60,
                ms % 1000
            )
        }
    }
}

/// A time of a timecode-relative file as the master's timecode: the
/// origin's label (`01:00:00:00` = 3600 s) plus the frames since it.
pub fn timecode_words(t_s: f64, origin_s: f64, rate: FrameRate) -> String {
    let n = nominal(rate);
    let base = (origin_s * n as f64).round() as i64;
    frames_words(base + frame_index(t_s - origin_s, rate), n)
}

/// Seconds of a timecode label (`01:00:00:00` = 3600 s; frames at `rate`),
/// the origin of timecode-relative caption times.
pub fn timecode_origin_s(timecode: &str, rate: FrameRate) -> Option<f64> {
    let parts: Vec<u64> = timecode
        .split([':', ';', '.'])
        .map(|p| p.trim().parse().ok())
        .collect::<Option<_>>()?;
    let [h, m, s, f] = parts[..] else { return None };
    let nominal = rate.fps().round().max(1.0);
    if f as f64 >= nominal || m >= 60 || s >= 60 {
        return None;
    }
    Some(((h * 60 + m) * 60 + s) as f64 + f as f64 / nominal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(start_s: f64, end_s: f64, lines: &[&str]) -> CaptionEvent {
        CaptionEvent {
            number: 1,
            id: None,
            start_s,
            end_s,
            start_frames: None,
            end_frames: None,
            lines: lines.iter().map(|l| l.to_string()).collect(),
            at: Default::default(),
        }
    }

    #[test]
    fn counts_as_netflix_counts() {
        // spaces and punctuation count: "Hi, you." is 8 characters
        assert_eq!(count_chars("Hi, you.", Counting::EveryCharacter), 8.0);
        // full-width 1, half-width 0.5 (ASCII and half-width katakana)
        assert_eq!(count_chars("日本語", Counting::HalfWidth), 3.0);
        assert_eq!(count_chars("ｱｲ12", Counting::HalfWidth), 2.0);
        assert_eq!(count_chars("日本 OK", Counting::HalfWidth), 3.5);
        // line breaks are not characters of a line; an event sums its lines
        let e = ev(0.0, 2.0, &["Hello there,", "general."]);
        assert_eq!(event_chars(&e, Counting::EveryCharacter), 20.0);
        assert_eq!(reading_speed_cps(&e, Counting::EveryCharacter), Some(10.0));
        assert_eq!(longest_line(&e, Counting::EveryCharacter), 12.0);
        assert_eq!(
            reading_speed_cps(&ev(1.0, 1.0, &["x"]), Counting::EveryCharacter),
            None
        );
    }

    #[test]
    fn counting_follows_the_language() {
        let doc = CaptionDoc {
            format: super::super::CaptionFormat::Srt,
            events: vec![ev(0.0, 1.0, &["こんにちは"])],
            language: None,
            frame_rate: None,
            drop_frame: false,
            time_base: None,
            encoding: Default::default(),
            problems: Vec::new(),
        };
        assert_eq!(
            Counting::for_language(Some("ja-JP"), &doc),
            Counting::HalfWidth
        );
        assert_eq!(
            Counting::for_language(Some("en"), &doc),
            Counting::EveryCharacter
        );
        assert_eq!(Counting::for_language(None, &doc), Counting::HalfWidth);
    }

    #[test]
    fn frame_boundaries_and_fitting_rates() {
        let r2398 = FrameRate {
            num: 24000,
            den: 1001,
        };
        let r25 = FrameRate { num: 25, den: 1 };
        // frame 48 at 23.976 is 2.002002 s, written 2.002 in milliseconds;
        // at 25 fps it is 2 ms from frame 50
        assert!(on_frame(2.002, r2398));
        assert!(!on_frame(2.002, r25));
        // 2 frames at 23.976 written in milliseconds (0.083 s) are 2 frames
        assert_eq!(frames_of(0.083, r2398), 2.0);
        assert_eq!(frames_of(0.06, r25), 1.5);
        // 0.04 s steps are 25 fps frames, not 23.976 ones
        let evs = vec![ev(0.04, 1.2, &["a"]), ev(1.28, 2.0, &["b"])];
        let fit = fitting_rates(&evs, 0.0);
        assert!(fit.contains(&r25), "{fit:?}");
        assert!(!fit.contains(&r2398));
        // relative to a timecode origin
        let origin = timecode_origin_s("10:00:00:00", r25).unwrap();
        assert_eq!(origin, 36000.0);
        let evs = vec![ev(36000.04, 36001.0, &["a"])];
        assert!(fitting_rates(&evs, origin).contains(&r25));
        assert_eq!(rate_words(r2398), "23.976");
        assert_eq!(
            rate_words(FrameRate {
                num: 30000,
                den: 1001
            }),
            "29.97"
        );
    }

    #[test]
    fn times_for_people() {
        let r25 = FrameRate { num: 25, den: 1 };
        assert_eq!(time_words(62.4, Some(r25)), "00:01:02:10");
        // frame 64 at 23.976 (2.66933 s) written as 2.669
        let r2398 = FrameRate {
            num: 24000,
            den: 1001,
        };
        assert_eq!(time_words(2.669, Some(r2398)), "00:00:02:16");
        // 12 frames before 01:00:00:00, written as label seconds 3599.5
        assert_eq!(
            timecode_words(3600.0 - 12.0 * 1001.0 / 24000.0, 3600.0, r2398),
            "00:59:59:12"
        );
        assert_eq!(timecode_words(3602.669, 3600.0, r2398), "01:00:02:16");
        assert_eq!(time_words(62.4, None), "00:01:02.400");
        assert_eq!(time_words(3600.0, Some(r25)), "01:00:00:00");
        assert_eq!(timecode_origin_s("01:00:00:12", r25), Some(3600.48));
        assert_eq!(timecode_origin_s("garbage", r25), None);
    }
}
