//! Picture rules (`[picture]`): the facts they read from the picture
//! stage's measurements, the detector parameters a rule may set, the rules
//! every profile that measures the picture gets by default, and the
//! picture options a job's profiles ask for.
//!
//! A rule's `detector` table sets the detector it reads
//! (`picture.black_s`: `pixel_threshold`, `picture_ratio`,
//! `min_duration_s`, as FFmpeg's `blackdetect`; `picture.freeze_s`:
//! `noise`, `min_duration_s`, as `freezedetect`). The picture is decoded
//! once per file, with the parameters of the first rule that sets them; a
//! rule of another profile asking for different ones is not evaluated.

use super::model::{Profile, Rule, Severity};
use super::value::{Fact, Scalar};
use crate::picture::black::BlackOptions;
use crate::picture::freeze::FreezeOptions;
use crate::picture::{PictureMeasurements, PictureOptions, Segment};

/// The clause shown with a default rule.
pub const DEFAULT_CLAUSE: &str =
    "signoff default: video decode errors fail a file wherever the picture is checked (docs/specs.md, Picture)";

/// Where a picture fact shows in the file (the same as an audio fault's).
pub use super::faults::Evidence;

/// Whether checking against `profile` needs the picture decoded (a
/// `picture.range` alone does not: it only says how to read it).
pub fn needs_picture_measurement(profile: &Profile) -> bool {
    profile
        .picture
        .iter()
        .filter(|(key, _)| key.as_str() != "range")
        .any(|(_, set)| set.0.iter().any(|r| r.severity != Severity::Off))
}

/// The range `picture.range` reads levels in: `Some(true)` for `"full"`,
/// `Some(false)` for `"limited"`, `None` for anything else.
pub fn range_of(rule: &Rule) -> Option<bool> {
    match &rule.equals {
        Some(Scalar::Str(s)) if s.eq_ignore_ascii_case("full") => Some(true),
        Some(Scalar::Str(s)) if s.eq_ignore_ascii_case("limited") => Some(false),
        _ => None,
    }
}

fn range_word(full: bool) -> &'static str {
    if full {
        "full"
    } else {
        "limited"
    }
}

/// The rules a profile that checks the picture gets for the `[picture]`
/// keys it does not set: a video decode error fails the file.
pub fn default_rules() -> Vec<(&'static str, Rule)> {
    vec![(
        "decode_errors",
        Rule {
            max: Some(Scalar::Int(0)),
            clause: Some(DEFAULT_CLAUSE.to_string()),
            ..Rule::default()
        },
    )]
}

/// The detector parameters `group.key` takes.
fn detector_keys(key: &str) -> &'static [&'static str] {
    match key {
        "black_s" => &["pixel_threshold", "picture_ratio", "min_duration_s"],
        "freeze_s" => &["noise", "min_duration_s"],
        _ => super::picture_signal::detector_keys(key).unwrap_or(&[]),
    }
}

/// Whether `head_allowance_s`/`tail_allowance_s` may appear on `picture.key`.
pub fn takes_allowances(key: &str) -> bool {
    matches!(key, "black_s" | "freeze_s")
}

/// What is wrong with a `[picture]` rule, if anything.
pub fn rule_problems(key: &str, rule: &Rule) -> Vec<String> {
    if key == "range" && range_of(rule).is_none() {
        return vec![
            "must be \"limited\" or \"full\" (the range to read the picture's levels in, instead of the one the file states)".into(),
        ];
    }
    if let Some(problems) = super::picture_signal::rule_problems(key, rule) {
        return problems;
    }
    let mut out = Vec::new();
    let known = detector_keys(key);
    for (name, value) in rule.detector.iter().flatten() {
        if !known.contains(&name.as_str()) {
            let hint = super::catalogue::suggest(name, known.iter().copied())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            out.push(if known.is_empty() {
                format!("`picture.{key}` takes no `detector` parameters")
            } else {
                format!(
                    "unknown detector parameter `{name}` for `picture.{key}`{hint}; known: {}",
                    known.join(", ")
                )
            });
            continue;
        }
        let fraction = matches!(name.as_str(), "pixel_threshold" | "picture_ratio" | "noise");
        let ok = value.is_finite()
            && if fraction {
                (0.0..=1.0).contains(value)
            } else {
                *value > 0.0
            };
        if !ok {
            out.push(format!(
                "detector parameter `{name}` of `picture.{key}` must be {}",
                if fraction {
                    "between 0 and 1"
                } else {
                    "more than 0 s"
                }
            ));
        }
    }
    if [rule.head_allowance_s, rule.tail_allowance_s]
        .into_iter()
        .flatten()
        .any(|v| v < 0.0 || !v.is_finite())
    {
        out.push("picture allowances are seconds, 0 or more".into());
    }
    out
}

/// The black detector's parameters for a rule (defaults where it sets none).
pub fn black_options(rule: &Rule) -> BlackOptions {
    let mut o = BlackOptions::default();
    for (name, &v) in rule.detector.iter().flatten() {
        match name.as_str() {
            "pixel_threshold" => o.pixel_threshold = v,
            "picture_ratio" => o.picture_ratio = v,
            "min_duration_s" => o.min_duration_s = v,
            _ => {}
        }
    }
    o
}

/// The freeze detector's parameters for a rule (defaults where it sets none).
pub fn freeze_options(rule: &Rule) -> FreezeOptions {
    let mut o = FreezeOptions::default();
    for (name, &v) in rule.detector.iter().flatten() {
        match name.as_str() {
            "noise" => o.noise = v,
            "min_duration_s" => o.min_duration_s = v,
            _ => {}
        }
    }
    o
}

/// The picture options the job's profiles ask for: each detector with the
/// parameters of the first rule that reads it.
pub fn picture_options(profiles: &[Profile]) -> PictureOptions {
    let first = |key: &str| {
        profiles
            .iter()
            .filter_map(|p| p.picture.get(key))
            .flat_map(|set| &set.0)
            .find(|r| r.severity != Severity::Off)
            .cloned()
    };
    let mut opts = PictureOptions {
        full_range: first("range").and_then(|r| range_of(&r)),
        black: first("black_s")
            .map(|r| black_options(&r))
            .unwrap_or_default(),
        freeze: first("freeze_s")
            .map(|r| freeze_options(&r))
            .unwrap_or_default(),
        // cheap, and what the captions of a master are checked against
        shots: Some(Default::default()),
        ..PictureOptions::default()
    };
    super::picture_signal::apply(&mut opts, profiles);
    opts
}

/// The fact `picture.key` reads from the picture measurements, with where it shows.
pub fn picture_fact(
    key: &str,
    rule: &Rule,
    picture: &[PictureMeasurements],
) -> (Fact, Option<Evidence>) {
    if picture.is_empty() {
        return (Fact::Absent("the file has no video stream".into()), None);
    }
    if let Some(p) = picture.iter().find(|p| p.not_evaluated.is_some()) {
        if key != "decode_errors" || p.frames == 0 {
            let why = p.not_evaluated.clone().unwrap_or_default();
            return (
                Fact::Absent(format!("video stream {}: {why}", p.stream_index)),
                None,
            );
        }
    }
    match key {
        "decode_errors" => decode_errors(picture),
        "range" => range_fact(rule, picture),
        "black_s" => {
            let want = black_options(rule);
            if let Some(p) = picture
                .iter()
                .find(|p| p.black_detector.as_ref() != Some(&want))
            {
                return (
                    Fact::Absent(mismatch("black", p.black_detector.as_ref(), &want)),
                    None,
                );
            }
            longest(picture, |p| &p.black, rule, "black")
        }
        "freeze_s" => {
            let want = freeze_options(rule);
            if let Some(p) = picture
                .iter()
                .find(|p| p.freeze_detector.as_ref() != Some(&want))
            {
                return (
                    Fact::Absent(mismatch("freeze", p.freeze_detector.as_ref(), &want)),
                    None,
                );
            }
            longest(picture, |p| &p.freeze, rule, "frozen")
        }
        _ => super::picture_signal::fact(key, rule, picture).unwrap_or_else(|| {
            (
                Fact::Absent(format!(
                    "`picture.{key}` is not a picture check signoff makes"
                )),
                None,
            )
        }),
    }
}

fn mismatch<T: std::fmt::Debug>(what: &str, used: Option<&T>, want: &T) -> String {
    match used {
        Some(used) => format!(
            "the picture was measured with other {what} parameters ({used:?}) than this rule asks for ({want:?})"
        ),
        None => format!("{what} detection did not run"),
    }
}

/// The range the levels were read in, as `picture.range` asked; not
/// evaluated when another profile's `picture.range` asked for the other one.
fn range_fact(rule: &Rule, picture: &[PictureMeasurements]) -> (Fact, Option<Evidence>) {
    let want = range_of(rule);
    if let Some(p) = picture.iter().find(|p| Some(p.full_range) != want) {
        return (
            Fact::Absent(format!(
                "video stream {} was read as {} range (another profile's `picture.range` asked for it)",
                p.stream_index,
                range_word(p.full_range)
            )),
            None,
        );
    }
    (Fact::Text(range_word(want == Some(true)).into()), None)
}

fn decode_errors(picture: &[PictureMeasurements]) -> (Fact, Option<Evidence>) {
    let n: u64 = picture.iter().map(|p| p.decode_error_count).sum();
    let first = picture
        .iter()
        .find_map(|p| p.decode_errors.first().map(|e| (p, e)));
    let evidence = first.map(|(p, e)| Evidence {
        position_s: e.at_s,
        stream_index: p.stream_index,
        detail: format!(
            "first at {}, video stream {} after {} frames: {}",
            e.at_tc
                .clone()
                .unwrap_or_else(|| format!("{:.3} s", e.at_s)),
            p.stream_index,
            e.after_frames,
            e.message
        ),
    });
    (Fact::Number(n as f64), evidence)
}

/// The longest segment of any stream, leaving out the rule's head and tail
/// allowances.
fn longest(
    picture: &[PictureMeasurements],
    segments: impl Fn(&PictureMeasurements) -> &Vec<Segment>,
    rule: &Rule,
    what: &str,
) -> (Fact, Option<Evidence>) {
    let head = rule.head_allowance_s.unwrap_or(0.0);
    let tail = rule.tail_allowance_s.unwrap_or(0.0);
    let mut best: Option<(f64, f64, &PictureMeasurements, &Segment)> = None;
    for p in picture {
        let (from, to) = (head, p.duration_s - tail);
        for seg in segments(p) {
            let (s, e) = (seg.start_s.max(from), seg.end_s.min(to));
            if e - s > best.map_or(0.0, |b| b.1 - b.0) {
                best = Some((s, e, p, seg));
            }
        }
    }
    let fact = Fact::Number(best.map_or(0.0, |(s, e, _, _)| round2(e - s)));
    let evidence = best.map(|(s, e, p, seg)| {
        let tc = |t: &Option<String>, v: f64| t.clone().unwrap_or_else(|| format!("{v:.3} s"));
        Evidence {
            position_s: s,
            stream_index: p.stream_index,
            detail: format!(
                "video stream {} is {what} from {} to {} ({:.2} s; {:.2} s of it outside the head allowance {head} s and tail allowance {tail} s)",
                p.stream_index,
                tc(&seg.start_tc, seg.start_s),
                tc(&seg.end_tc, seg.end_s),
                seg.duration_s,
                e - s
            ),
        }
    });
    (fact, evidence)
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(s: f64, e: f64) -> Segment {
        Segment {
            start_s: s,
            end_s: e,
            duration_s: e - s,
            start_frame: (s * 25.0) as u64,
            end_frame: (e * 25.0) as u64,
            start_tc: None,
            end_tc: None,
            detail: None,
        }
    }

    fn measured(black: Vec<Segment>) -> PictureMeasurements {
        PictureMeasurements {
            frames: 1500,
            duration_s: 60.0,
            black,
            black_detector: Some(BlackOptions::default()),
            freeze_detector: Some(FreezeOptions::default()),
            ..Default::default()
        }
    }

    #[test]
    fn allowances_leave_out_head_and_tail() {
        let p = [measured(vec![
            seg(0.0, 5.0),
            seg(20.0, 23.0),
            seg(57.0, 60.0),
        ])];
        let fact = |head, tail| {
            let rule = Rule {
                head_allowance_s: Some(head),
                tail_allowance_s: Some(tail),
                ..Rule::default()
            };
            picture_fact("black_s", &rule, &p).0
        };
        assert_eq!(fact(0.0, 0.0), Fact::Number(5.0));
        assert_eq!(fact(4.0, 0.0), Fact::Number(3.0));
        let (f, e) = picture_fact(
            "black_s",
            &Rule {
                head_allowance_s: Some(10.0),
                tail_allowance_s: Some(5.0),
                ..Rule::default()
            },
            &p,
        );
        assert_eq!(f, Fact::Number(3.0));
        assert_eq!(e.unwrap().position_s, 20.0);
    }

    #[test]
    fn other_detector_parameters_are_not_evaluated() {
        let p = [measured(vec![])];
        let rule = Rule {
            detector: Some([("pixel_threshold".to_string(), 0.2)].into()),
            ..Rule::default()
        };
        assert!(matches!(
            picture_fact("black_s", &rule, &p).0,
            Fact::Absent(_)
        ));
        assert_eq!(
            picture_fact("black_s", &Rule::default(), &p).0,
            Fact::Number(0.0)
        );
    }

    #[test]
    fn detector_parameters_are_checked() {
        let rule = |k: &str, v: f64| Rule {
            detector: Some([(k.to_string(), v)].into()),
            ..Rule::default()
        };
        assert!(rule_problems("black_s", &rule("pixel_threshold", 0.1)).is_empty());
        assert_eq!(
            rule_problems("black_s", &rule("pixel_treshold", 0.1)).len(),
            1
        );
        assert_eq!(
            rule_problems("black_s", &rule("picture_ratio", 1.5)).len(),
            1
        );
        assert_eq!(
            rule_problems("freeze_s", &rule("min_duration_s", 0.0)).len(),
            1
        );
        assert_eq!(rule_problems("decode_errors", &rule("noise", 0.1)).len(), 1);
    }

    #[test]
    fn every_picture_key_is_documented() {
        let doc = include_str!("../../docs/specs.md");
        for key in crate::spec::catalogue::keys_of("picture") {
            assert!(doc.contains(&format!("`picture.{key}`")), "{key}");
        }
    }
}
