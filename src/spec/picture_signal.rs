//! `[picture]` rules on video levels, scan type and PSE screening: the
//! detector parameters each key takes, the detector options a job's
//! profiles ask for, and the facts the keys read from the measurements.
//!
//! Keys: `luma_out_of_range_frames` and `rgb_out_of_range_frames` (EBU
//! R 103: `low`, `high` in 8-bit narrow-range code values, `area` as a
//! fraction), `scan_matches_flag` and `scan_mismatch_s` (`idet`'s
//! `interlace_threshold`, `progressive_threshold`), `pse_flash_s` and
//! `pse_red_flash_s` (`display_peak_cd_m2`). PSE results are screening,
//! not a certified test, and every finding says so.

use super::model::{Profile, Rule, Severity};
use super::picture::Evidence;
use super::value::Fact;
use crate::picture::levels::LevelsOptions;
use crate::picture::pse::{PseOptions, LABEL};
use crate::picture::scan::ScanOptions;
use crate::picture::{PictureMeasurements, PictureOptions, Segment};

/// The keys this module answers for.
pub const KEYS: [&str; 6] = [
    "luma_out_of_range_frames",
    "rgb_out_of_range_frames",
    "scan_matches_flag",
    "scan_mismatch_s",
    "pse_flash_s",
    "pse_red_flash_s",
];

/// The detector parameters `picture.key` takes (`None`: not one of these keys).
pub fn detector_keys(key: &str) -> Option<&'static [&'static str]> {
    Some(match key {
        "luma_out_of_range_frames" | "rgb_out_of_range_frames" => &["low", "high", "area"],
        "scan_matches_flag" | "scan_mismatch_s" => {
            &["interlace_threshold", "progressive_threshold"]
        }
        "pse_flash_s" | "pse_red_flash_s" => &["display_peak_cd_m2"],
        _ => return None,
    })
}

/// What is wrong with the detector parameters of a rule on one of these
/// keys (`None`: not one of these keys).
pub fn rule_problems(key: &str, rule: &Rule) -> Option<Vec<String>> {
    let known = detector_keys(key)?;
    let mut out = Vec::new();
    let params = rule.detector.clone().unwrap_or_default();
    for (name, &v) in &params {
        if !known.contains(&name.as_str()) {
            let hint = super::catalogue::suggest(name, known.iter().copied())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            out.push(format!(
                "unknown detector parameter `{name}` for `picture.{key}`{hint}; known: {}",
                known.join(", ")
            ));
            continue;
        }
        let (ok, want) = match name.as_str() {
            "area" => (v > 0.0 && v <= 1.0, "a fraction above 0, at most 1"),
            "low" | "high" => (
                (-64.0..=320.0).contains(&v),
                "an 8-bit narrow-range code value (−64 to 320)",
            ),
            _ => (v > 0.0, "more than 0"),
        };
        if !v.is_finite() || !ok {
            out.push(format!(
                "detector parameter `{name}` of `picture.{key}` must be {want}"
            ));
        }
    }
    if let (Some(lo), Some(hi)) = (params.get("low"), params.get("high")) {
        if lo >= hi {
            out.push(format!("`low` must be below `high` in `picture.{key}`"));
        }
    }
    Some(out)
}

/// The first rule (over the job's profiles) on `picture.key` that is not off.
fn first<'a>(profiles: &'a [Profile], key: &str) -> Option<&'a Rule> {
    profiles
        .iter()
        .filter_map(|p| p.picture.get(key))
        .flat_map(|set| &set.0)
        .find(|r| r.severity != Severity::Off)
}

fn param(rule: Option<&Rule>, name: &str) -> Option<f64> {
    rule?.detector.as_ref()?.get(name).copied()
}

/// The levels detector's parameters for a job's luma and R′G′B′ rules.
pub fn levels_options(luma: Option<&Rule>, rgb: Option<&Rule>) -> LevelsOptions {
    let d = LevelsOptions::default();
    LevelsOptions {
        luma_range_8bit: (
            param(luma, "low").unwrap_or(d.luma_range_8bit.0),
            param(luma, "high").unwrap_or(d.luma_range_8bit.1),
        ),
        luma_min_area: param(luma, "area").unwrap_or(d.luma_min_area),
        rgb_range_8bit: (
            param(rgb, "low").unwrap_or(d.rgb_range_8bit.0),
            param(rgb, "high").unwrap_or(d.rgb_range_8bit.1),
        ),
        rgb_min_area: param(rgb, "area").unwrap_or(d.rgb_min_area),
        check_rgb: rgb.is_some(),
    }
}

/// The scan detector's parameters for a rule.
pub fn scan_options(rule: Option<&Rule>) -> ScanOptions {
    let d = ScanOptions::default();
    ScanOptions {
        interlace_threshold: param(rule, "interlace_threshold").unwrap_or(d.interlace_threshold),
        progressive_threshold: param(rule, "progressive_threshold")
            .unwrap_or(d.progressive_threshold),
        ..d
    }
}

/// The PSE detector's parameters for the job's flash and red-flash rules.
pub fn pse_options(flash: Option<&Rule>, red: Option<&Rule>) -> PseOptions {
    let d = PseOptions::default();
    PseOptions {
        display_peak_cd_m2: param(flash, "display_peak_cd_m2")
            .or(param(red, "display_peak_cd_m2"))
            .unwrap_or(d.display_peak_cd_m2),
        red: red.is_some(),
        ..d
    }
}

/// Sets the levels, scan and PSE detectors in `opts` as the job's profiles ask.
pub fn apply(opts: &mut PictureOptions, profiles: &[Profile]) {
    let rule = |k: &str| first(profiles, k);
    let (luma, rgb) = (
        rule("luma_out_of_range_frames"),
        rule("rgb_out_of_range_frames"),
    );
    if luma.is_some() || rgb.is_some() {
        opts.levels = Some(levels_options(luma, rgb));
    }
    let scan = rule("scan_matches_flag").or(rule("scan_mismatch_s"));
    if scan.is_some() {
        opts.scan = Some(scan_options(scan));
    }
    let (flash, red) = (rule("pse_flash_s"), rule("pse_red_flash_s"));
    if flash.is_some() || red.is_some() {
        opts.pse = Some(pse_options(flash, red));
    }
}

fn not_run(what: &str) -> Fact {
    Fact::Absent(format!("{what} was not measured"))
}

fn other_parameters(what: &str) -> Fact {
    Fact::Absent(format!(
        "the picture was measured with other {what} parameters than this rule asks for (another profile's rule set them)"
    ))
}

fn at(seg: &Segment) -> String {
    let tc = |t: &Option<String>, v: f64| t.clone().unwrap_or_else(|| format!("{v:.3} s"));
    format!(
        "from {} to {}",
        tc(&seg.start_tc, seg.start_s),
        tc(&seg.end_tc, seg.end_s)
    )
}

/// The earliest segment of any stream.
fn earliest<'a>(
    picture: &'a [PictureMeasurements],
    segments: impl Fn(&'a PictureMeasurements) -> Option<&'a Vec<Segment>>,
) -> Option<(&'a PictureMeasurements, &'a Segment)> {
    picture
        .iter()
        .filter_map(|p| segments(p).map(|s| (p, s)))
        .flat_map(|(p, s)| s.iter().map(move |seg| (p, seg)))
        .min_by(|a, b| a.1.start_s.total_cmp(&b.1.start_s))
}

/// The longest segment of any stream.
fn longest<'a>(
    picture: &'a [PictureMeasurements],
    segments: impl Fn(&'a PictureMeasurements) -> Option<&'a Vec<Segment>>,
) -> Option<(&'a PictureMeasurements, &'a Segment)> {
    picture
        .iter()
        .filter_map(|p| segments(p).map(|s| (p, s)))
        .flat_map(|(p, s)| s.iter().map(move |seg| (p, seg)))
        .max_by(|a, b| a.1.duration_s.total_cmp(&b.1.duration_s))
}

fn evidence(p: &PictureMeasurements, seg: &Segment, lead: &str) -> Evidence {
    Evidence {
        position_s: seg.start_s,
        stream_index: p.stream_index,
        detail: format!(
            "{lead}video stream {} {}: {}",
            p.stream_index,
            at(seg),
            seg.detail.as_deref().unwrap_or("")
        ),
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The fact `picture.key` reads, with where it shows (`None`: not one of these keys).
pub fn fact(
    key: &str,
    rule: &Rule,
    picture: &[PictureMeasurements],
) -> Option<(Fact, Option<Evidence>)> {
    Some(match key {
        "luma_out_of_range_frames" | "rgb_out_of_range_frames" => levels_fact(key, rule, picture),
        "scan_matches_flag" | "scan_mismatch_s" => scan_fact(key, rule, picture),
        "pse_flash_s" | "pse_red_flash_s" => pse_fact(key, rule, picture),
        _ => return None,
    })
}

fn levels_fact(
    key: &str,
    rule: &Rule,
    picture: &[PictureMeasurements],
) -> (Fact, Option<Evidence>) {
    let luma = key == "luma_out_of_range_frames";
    let mut frames = 0u64;
    for p in picture {
        let Some(l) = &p.levels else {
            return (not_run("video levels"), None);
        };
        let want = levels_options(luma.then_some(rule), (!luma).then_some(rule));
        let used = &l.detector;
        let same = if luma {
            (used.luma_range_8bit, used.luma_min_area) == (want.luma_range_8bit, want.luma_min_area)
        } else {
            used.check_rgb
                && (used.rgb_range_8bit, used.rgb_min_area)
                    == (want.rgb_range_8bit, want.rgb_min_area)
        };
        if !same {
            return (other_parameters("levels"), None);
        }
        frames += if luma {
            l.luma_frames_out_of_range
        } else {
            l.rgb_frames_out_of_range
        };
    }
    let first = earliest(picture, |p| {
        p.levels.as_ref().map(|l| {
            if luma {
                &l.luma_segments
            } else {
                &l.rgb_segments
            }
        })
    });
    let ev = first.map(|(p, s)| evidence(p, s, "first: "));
    (Fact::Number(frames as f64), ev)
}

fn scan_fact(key: &str, rule: &Rule, picture: &[PictureMeasurements]) -> (Fact, Option<Evidence>) {
    let want = scan_options(Some(rule));
    for p in picture {
        let Some(s) = &p.scan else {
            return (not_run("the scan type"), None);
        };
        let used = &s.detector;
        if (used.interlace_threshold, used.progressive_threshold)
            != (want.interlace_threshold, want.progressive_threshold)
        {
            return (other_parameters("scan-type"), None);
        }
    }
    let scans = || {
        picture
            .iter()
            .filter_map(|p| p.scan.as_ref().map(|s| (p, s)))
    };
    let untold = scans().find(|(_, s)| s.matches_flag.is_none());
    if let Some((p, _)) = untold {
        return (untold_fact(p), None);
    }
    if key == "scan_mismatch_s" {
        let worst = longest(picture, |p| p.scan.as_ref().map(|s| &s.segments));
        let fact = Fact::Number(worst.map_or(0.0, |(_, s)| round2(s.duration_s)));
        return (fact, worst.map(|(p, s)| evidence(p, s, "longest: ")));
    }
    let wrong = scans().find(|(_, s)| s.matches_flag == Some(false));
    let ev = wrong.map(|(p, s)| {
        let m = &s.multi_frame;
        let place = s
            .segments
            .first()
            .map(|seg| format!("; first {}", at(seg)))
            .unwrap_or_default();
        Evidence {
            position_s: s.segments.first().map_or(0.0, |seg| seg.start_s),
            stream_index: p.stream_index,
            detail: format!(
                "video stream {}: the picture is {} but flagged {} (frames: TFF {}, BFF {}, progressive {}, undetermined {}){place}",
                p.stream_index,
                s.detected.label(),
                s.flagged.label(),
                m.tff,
                m.bff,
                m.progressive,
                m.undetermined
            ),
        }
    });
    (Fact::Bool(wrong.is_none()), ev)
}

fn untold_fact(p: &PictureMeasurements) -> Fact {
    Fact::Absent(format!(
        "video stream {}: the picture's scan type cannot be told (no motion between fields in any frame)",
        p.stream_index
    ))
}

fn pse_fact(key: &str, rule: &Rule, picture: &[PictureMeasurements]) -> (Fact, Option<Evidence>) {
    let red = key == "pse_red_flash_s";
    let want = pse_options(Some(rule), None);
    for p in picture {
        let Some(r) = &p.pse else {
            return (not_run(&format!("PSE screening ({LABEL})")), None);
        };
        if r.detector.display_peak_cd_m2 != want.display_peak_cd_m2 || (red && !r.detector.red) {
            return (other_parameters("PSE"), None);
        }
    }
    let worst = longest(picture, |p| {
        p.pse.as_ref().map(|r| {
            if red {
                &r.red_flash_segments
            } else {
                &r.flash_segments
            }
        })
    });
    let fact = Fact::Number(worst.map_or(0.0, |(_, s)| round2(s.duration_s)));
    (fact, worst.map(|(p, s)| evidence(p, s, "longest: ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::picture::levels::LevelsResult;

    fn seg(s: f64, e: f64, detail: &str) -> Segment {
        Segment {
            start_s: s,
            end_s: e,
            duration_s: e - s,
            start_frame: (s * 25.0) as u64,
            end_frame: (e * 25.0) as u64,
            start_tc: Some("10:00:00:00".into()),
            end_tc: None,
            detail: Some(detail.into()),
        }
    }

    fn rule(params: &[(&str, f64)]) -> Rule {
        Rule {
            detector: (!params.is_empty())
                .then(|| params.iter().map(|(k, v)| (k.to_string(), *v)).collect()),
            ..Rule::default()
        }
    }

    #[test]
    fn parameters_are_checked() {
        let ok = rule(&[("low", 4.0), ("high", 250.0), ("area", 0.02)]);
        assert_eq!(rule_problems("luma_out_of_range_frames", &ok), Some(vec![]));
        let bad = rule(&[("low", 250.0), ("high", 4.0), ("area", 2.0), ("aera", 1.0)]);
        let p = rule_problems("rgb_out_of_range_frames", &bad).unwrap();
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p.iter().any(|m| m.contains("did you mean `area`")));
        assert_eq!(rule_problems("black_s", &ok), None);
        let peak = rule(&[("display_peak_cd_m2", 0.0)]);
        assert_eq!(rule_problems("pse_flash_s", &peak).unwrap().len(), 1);
    }

    #[test]
    fn levels_fact_counts_frames_and_places_the_first_segment() {
        let luma = rule(&[("high", 240.0)]);
        let detector = levels_options(Some(&luma), None);
        let p = PictureMeasurements {
            stream_index: 0,
            levels: Some(LevelsResult {
                luma_frames_out_of_range: 12,
                luma_segments: vec![seg(4.0, 4.48, "Y′ outside"), seg(1.0, 1.2, "Y′ early")],
                detector,
                ..LevelsResult::default()
            }),
            ..PictureMeasurements::default()
        };
        let (f, e) = fact("luma_out_of_range_frames", &luma, std::slice::from_ref(&p)).unwrap();
        assert_eq!(f, Fact::Number(12.0));
        let e = e.unwrap();
        assert_eq!(e.position_s, 1.0);
        assert!(e.detail.contains("Y′ early"), "{}", e.detail);
        // Another high is another measurement: not evaluated.
        let (f, _) = fact(
            "luma_out_of_range_frames",
            &rule(&[]),
            std::slice::from_ref(&p),
        )
        .unwrap();
        assert!(matches!(f, Fact::Absent(_)));
        // R′G′B′ was not checked in that run.
        let (f, _) = fact("rgb_out_of_range_frames", &rule(&[]), &[p]).unwrap();
        assert!(matches!(f, Fact::Absent(_)));
        let (f, _) = fact("pse_flash_s", &rule(&[]), &[PictureMeasurements::default()]).unwrap();
        assert!(matches!(f, Fact::Absent(ref why) if why.contains(LABEL)));
    }
}
