//! One rule against one typed fact: passed, failed or not evaluated, with
//! the expected and actual values in words; for a banded rule, which band
//! the value is in (strict, band of doubt, outside the widest credible).

use super::catalogue::Field;
use super::finding::Status;
use super::model::{Band, Rule, Severity};
use super::value::{as_f64, equal, order, trim_float, typed, with_unit, Fact, Kind, Scalar};
use std::cmp::Ordering;

/// The result of comparing one fact with one rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Passed, failed, not evaluated.
    pub status: Status,
    /// What the rule asks for, in words (`23.976, 24 fps`).
    pub expected: String,
    /// What the file has, in words (`25 fps`).
    pub actual: String,
    /// How the spec phrases its demand (`allows 23.976, 24 fps`).
    pub demand: String,
    /// For a banded rule that failed: which band the value is in.
    pub band: Option<BandPosition>,
}

/// Where a failed banded rule's value lies.
#[derive(Debug, Clone, PartialEq)]
pub enum BandPosition {
    /// Outside the strict reading but inside the widest credible one: a warning.
    Doubt {
        /// Which band and why, in words.
        why: String,
    },
    /// Outside even the widest credible reading: an error.
    Outside {
        /// Which band and why, in words.
        why: String,
    },
}

impl BandPosition {
    /// The severity of a failure in this band.
    pub fn severity(&self) -> Severity {
        match self {
            BandPosition::Doubt { .. } => Severity::Warning,
            BandPosition::Outside { .. } => Severity::Error,
        }
    }

    /// Which band and why, in words.
    pub fn why(&self) -> &str {
        match self {
            BandPosition::Doubt { why } | BandPosition::Outside { why } => why,
        }
    }
}

impl Outcome {
    /// The severity of this outcome: the band's for a failed banded rule,
    /// else the rule's own.
    pub fn severity(&self, rule: &Rule) -> Severity {
        self.band
            .as_ref()
            .map_or(rule.severity, BandPosition::severity)
    }
}

fn not_evaluated(reason: impl Into<String>, expected: String, actual: String) -> Outcome {
    Outcome {
        status: Status::NotEvaluated {
            reason: reason.into(),
        },
        demand: String::new(),
        expected,
        actual,
        band: None,
    }
}

/// Compares `fact` with `rule` for the field `def`.
pub fn compare(rule: &Rule, def: &Field, fact: &Fact) -> Outcome {
    let (expected, demand) = match describe(rule, def) {
        Ok(d) => d,
        Err(e) => {
            return not_evaluated(
                format!("the profile is invalid: {e}"),
                String::new(),
                String::new(),
            )
        }
    };
    let expected = match rule.band().map(|b| describe_band(b, def)) {
        Some(Ok(wide)) => format!("{expected} (widest credible: {wide})"),
        _ => expected,
    };
    let actual = fact.display(def.kind, def.unit);
    let held = match (rule.present, fact) {
        (Some(want), Fact::Absent(_)) => Ok(!want),
        (Some(want), _) => Ok(want),
        (None, Fact::Absent(reason)) => Err(reason.clone()),
        (None, _) => holds(rule, def.kind, fact),
    };
    let band = match (&held, rule.band()) {
        (Ok(false), Some(b)) => match position(rule, def, fact, b) {
            Ok(p) => Some(p),
            Err(reason) => return not_evaluated(reason, expected, actual),
        },
        _ => None,
    };
    match held {
        Ok(passed) => Outcome {
            status: if passed {
                Status::Passed
            } else {
                Status::Failed
            },
            expected,
            actual,
            demand,
            band,
        },
        Err(reason) => not_evaluated(reason, expected, actual),
    }
}

/// Where a value that fails the strict comparison lies against the widest
/// credible band `b`.
fn position(rule: &Rule, def: &Field, fact: &Fact, b: Band) -> Result<BandPosition, String> {
    let wide = describe_band(b, def)?;
    let inside = match b {
        Band::Tolerance(w) => {
            let target = rule.target.ok_or("`fail_tolerance` needs a `target`")?;
            let x = as_f64(fact).ok_or("this field is not numeric")?;
            let d = x - target;
            let side = if d > 0.0 { "above" } else { "below" };
            let dist = with_unit(format!("{:.1}", d.abs()), delta_unit(def.unit));
            let head = format!("{dist} {side} {}", trim_float(target));
            if d.abs() <= w + super::value::EPSILON {
                let strict = trim_float(rule.tolerance.unwrap_or(0.0));
                let why = format!(
                    "{head}: outside the strict tolerance ±{strict} but inside the widest credible {wide}; band of doubt, a warning"
                );
                return Ok(BandPosition::Doubt { why });
            }
            let why = format!("{head}: outside even the widest credible {wide}");
            return Ok(BandPosition::Outside { why });
        }
        Band::Range { min, max } => {
            let t = |v: &Scalar| typed(def.kind, v);
            let mut ok = true;
            if let Some(min) = min {
                ok &= order(fact, &t(min)?).ok_or("this field has no order")? != Ordering::Less;
            }
            if let Some(max) = max {
                ok &= order(fact, &t(max)?).ok_or("this field has no order")? != Ordering::Greater;
            }
            ok
        }
        Band::Values(values) => {
            let mut ok = false;
            for v in values {
                ok |= equal(def.kind, fact, &typed(def.kind, v)?);
            }
            ok
        }
    };
    Ok(if inside {
        BandPosition::Doubt {
            why: format!("inside the widest credible {wide}: band of doubt, a warning"),
        }
    } else {
        BandPosition::Outside {
            why: format!("outside even the widest credible {wide}"),
        }
    })
}

/// A ratio target as people name it: `16:9 (1.778)` when a ratio of
/// small whole numbers (up to 16) is within 0.0001 of it, else the number.
fn ratio_words(target: f64) -> String {
    let small = (1..=16u32).find_map(|d| {
        let n = (target * f64::from(d)).round();
        ((n / f64::from(d) - target).abs() < 1e-4 && n >= 1.0).then_some((n as u32, d))
    });
    match small {
        Some((n, d)) => format!(
            "{n}:{d} ({})",
            trim_float((target * 1000.0).round() / 1000.0)
        ),
        None => trim_float(target),
    }
}

/// The widest credible band in words (`tolerance ±5 LU`, `maximum -1 dBTP`,
/// `set prores, mpeg2video`).
pub fn describe_band(b: Band, def: &Field) -> Result<String, String> {
    let show =
        |v: &Scalar| -> Result<String, String> { Ok(typed(def.kind, v)?.display(def.kind, "")) };
    Ok(match b {
        Band::Tolerance(w) => format!(
            "tolerance ±{}",
            with_unit(trim_float(w), delta_unit(def.unit))
        ),
        Band::Range {
            min: Some(a),
            max: Some(b),
        } => format!(
            "range {}",
            with_unit(format!("{} to {}", show(a)?, show(b)?), def.unit)
        ),
        Band::Range {
            min: Some(a),
            max: None,
        } => format!("minimum {}", with_unit(show(a)?, def.unit)),
        Band::Range {
            min: None,
            max: Some(b),
        } => format!("maximum {}", with_unit(show(b)?, def.unit)),
        Band::Range {
            min: None,
            max: None,
        } => return Err("a band needs `fail_min` or `fail_max`".into()),
        Band::Values(values) => {
            let list = values.iter().map(show).collect::<Result<Vec<_>, _>>()?;
            format!("set {}", with_unit(list.join(", "), def.unit))
        }
    })
}

/// The unit of a difference between two values of a field: loudness
/// levels (LUFS) differ in LU, true-peak levels (dBTP) in dB.
fn delta_unit(unit: &str) -> &str {
    match unit {
        "LUFS" => "LU",
        "dBTP" => "dB",
        u => u,
    }
}

/// Whether a present fact satisfies the rule's comparison.
fn holds(rule: &Rule, kind: Kind, fact: &Fact) -> Result<bool, String> {
    let t = |v: &Scalar| typed(kind, v);
    if let Some(v) = &rule.equals {
        return Ok(equal(kind, fact, &t(v)?));
    }
    if let Some(vs) = &rule.one_of {
        for v in vs {
            if equal(kind, fact, &t(v)?) {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    if rule.min.is_some() || rule.max.is_some() {
        let mut ok = true;
        if let Some(min) = &rule.min {
            let o = order(fact, &t(min)?).ok_or("this field has no order")?;
            ok &= o != Ordering::Less;
        }
        if let Some(max) = &rule.max {
            let o = order(fact, &t(max)?).ok_or("this field has no order")?;
            ok &= o != Ordering::Greater;
        }
        return Ok(ok);
    }
    if let Some(target) = rule.target {
        let x = as_f64(fact).ok_or("this field is not numeric")?;
        return Ok((x - target).abs() <= rule.tolerance.unwrap_or(0.0) + super::value::EPSILON);
    }
    if let Some(re) = &rule.regex {
        let re = regex::Regex::new(re).map_err(|e| format!("bad regex: {e}"))?;
        return match fact {
            Fact::Text(s) => Ok(re.is_match(s)),
            _ => Err("a regex only applies to text".into()),
        };
    }
    Err("the rule has no comparison".into())
}

/// The expected value and the spec's demand in words; `Err` when a
/// profile value does not fit the field's type.
pub fn describe(rule: &Rule, def: &Field) -> Result<(String, String), String> {
    let show =
        |v: &Scalar| -> Result<String, String> { Ok(typed(def.kind, v)?.display(def.kind, "")) };
    let unit = def.unit;
    if let Some(want) = rule.present {
        let w = if want { "present" } else { "absent" };
        return Ok((w.into(), format!("requires it to be {w}")));
    }
    if let Some(v) = &rule.equals {
        let e = with_unit(show(v)?, unit);
        return Ok((e.clone(), format!("requires {e}")));
    }
    if let Some(vs) = &rule.one_of {
        let list = vs
            .iter()
            .map(show)
            .collect::<Result<Vec<_>, _>>()?
            .join(", ");
        let e = with_unit(list, unit);
        return Ok((format!("one of {e}"), format!("allows {e}")));
    }
    match (&rule.min, &rule.max) {
        (Some(a), Some(b)) => {
            let e = with_unit(format!("{} to {}", show(a)?, show(b)?), unit);
            return Ok((e.clone(), format!("requires {e}")));
        }
        (Some(a), None) => {
            let e = with_unit(show(a)?, unit);
            return Ok((format!("≥ {e}"), format!("requires at least {e}")));
        }
        (None, Some(b)) => {
            let e = with_unit(show(b)?, unit);
            return Ok((format!("≤ {e}"), format!("allows at most {e}")));
        }
        (None, None) => {}
    }
    if let Some(target) = rule.target {
        let tol = rule.tolerance.unwrap_or(0.0);
        let shown = match def.kind {
            Kind::Ratio => ratio_words(target),
            _ => trim_float(target),
        };
        let e = if tol == 0.0 {
            format!("{} exactly", with_unit(shown, unit))
        } else {
            with_unit(format!("{shown} ± {}", trim_float(tol)), unit)
        };
        return Ok((e.clone(), format!("requires {e}")));
    }
    if let Some(re) = &rule.regex {
        // `{stem}` (sidecar rules) is replaced by the file's stem at evaluation.
        regex::Regex::new(&re.replace("{stem}", "stem"))
            .map_err(|e| format!("bad regex `{re}`: {e}"))?;
        return Ok((
            format!("matches /{re}/"),
            format!("requires a match for /{re}/"),
        ));
    }
    if rule.alternatives.is_some() {
        return Ok(("a listed layout".into(), "allows the listed layouts".into()));
    }
    Err("the rule has no comparison (equals, one_of, min/max, target, regex or present)".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::catalogue::lookup;
    use crate::spec::model::Severity;
    use crate::spec::value::Rational;

    fn rule(src: &str) -> Rule {
        toml::from_str(src).unwrap()
    }

    fn status(r: &str, group: &str, key: &str, fact: Fact) -> Status {
        compare(&rule(r), &lookup(group, key).unwrap(), &fact).status
    }

    fn rate(n: i64, d: i64) -> Fact {
        Fact::Rational(Rational::new(n, d).unwrap())
    }

    #[test]
    fn frame_rate_one_of_is_exact() {
        let r = r#"one_of = ["23.976", "24"]"#;
        assert_eq!(
            status(r, "video", "frame_rate", rate(24000, 1001)),
            Status::Passed
        );
        assert_eq!(
            status(r, "video", "frame_rate", rate(24, 1)),
            Status::Passed
        );
        assert_eq!(
            status(r, "video", "frame_rate", rate(25, 1)),
            Status::Failed
        );
        let only = r#"equals = "23.976""#;
        assert_eq!(
            status(only, "video", "frame_rate", rate(24, 1)),
            Status::Failed
        );
    }

    #[test]
    fn failure_sentence_parts() {
        let o = compare(
            &rule(r#"one_of = ["23.976", "24"]"#),
            &lookup("video", "frame_rate").unwrap(),
            &rate(25, 1),
        );
        assert_eq!(o.actual, "25 fps");
        assert_eq!(o.demand, "allows 23.976, 24 fps");
    }

    #[test]
    fn tolerance_boundaries_are_inclusive() {
        let r = "target = -23.0\ntolerance = 0.2";
        let k = ("loudness", "integrated_lufs");
        assert_eq!(status(r, k.0, k.1, Fact::Number(-23.2)), Status::Passed);
        assert_eq!(status(r, k.0, k.1, Fact::Number(-22.8)), Status::Passed);
        assert_eq!(status(r, k.0, k.1, Fact::Number(-23.21)), Status::Failed);
        assert_eq!(status(r, k.0, k.1, Fact::Number(-22.79)), Status::Failed);
        assert_eq!(
            status("target = -23.0", k.0, k.1, Fact::Number(-23.0)),
            Status::Passed
        );
    }

    #[test]
    fn ranges_are_inclusive() {
        let r = "min = 4\nmax = 18";
        let k = ("loudness", "loudness_range_lu");
        assert_eq!(status(r, k.0, k.1, Fact::Number(4.0)), Status::Passed);
        assert_eq!(status(r, k.0, k.1, Fact::Number(18.0)), Status::Passed);
        assert_eq!(status(r, k.0, k.1, Fact::Number(18.1)), Status::Failed);
        assert_eq!(
            status("max = -1", "loudness", "true_peak_dbtp", Fact::Number(-0.9)),
            Status::Failed
        );
        assert_eq!(
            status("max = -1", "loudness", "true_peak_dbtp", Fact::Number(-1.0)),
            Status::Passed
        );
        assert_eq!(
            status("min = \"24\"", "video", "frame_rate", rate(24000, 1001)),
            Status::Failed
        );
    }

    #[test]
    fn missing_fields_are_not_evaluated() {
        let s = status(
            r#"equals = "tff""#,
            "video",
            "field_order",
            Fact::Absent("the file does not say".into()),
        );
        assert_eq!(
            s,
            Status::NotEvaluated {
                reason: "the file does not say".into()
            }
        );
    }

    #[test]
    fn present_and_absent() {
        let k = ("video", "hdr_metadata");
        let hdr = Fact::Present("HDR10".into());
        let none = Fact::Absent("no HDR metadata".into());
        assert_eq!(
            status("present = true", k.0, k.1, hdr.clone()),
            Status::Passed
        );
        assert_eq!(
            status("present = true", k.0, k.1, none.clone()),
            Status::Failed
        );
        assert_eq!(status("present = false", k.0, k.1, none), Status::Passed);
        assert_eq!(status("present = false", k.0, k.1, hdr), Status::Failed);
    }

    #[test]
    fn regex_and_text() {
        let k = ("naming", "file_name");
        let r = r#"regex = '^[A-Z]{3}_\d{3}\.mov$'"#;
        assert_eq!(
            status(r, k.0, k.1, Fact::Text("ABC_001.mov".into())),
            Status::Passed
        );
        assert_eq!(
            status(r, k.0, k.1, Fact::Text("abc_001.mov".into())),
            Status::Failed
        );
        assert_eq!(
            status(
                r#"equals = "ProRes""#,
                "video",
                "codec",
                Fact::Text("prores".into())
            ),
            Status::Passed
        );
    }

    fn banded(r: &str, group: &str, key: &str, fact: Fact) -> (Status, Severity, String) {
        let rule = rule(r);
        let o = compare(&rule, &lookup(group, key).unwrap(), &fact);
        let why = o
            .band
            .as_ref()
            .map(|b| b.why().to_string())
            .unwrap_or_default();
        (o.status.clone(), o.severity(&rule), why)
    }

    #[test]
    fn tolerance_bands_pass_warn_and_fail() {
        let r = "target = -24.0\ntolerance = 2.0\nfail_tolerance = 3.0";
        let k = ("loudness", "integrated_lufs");
        let at = |x| banded(r, k.0, k.1, Fact::Number(x));
        assert_eq!(at(-24.0).0, Status::Passed);
        assert_eq!(at(-22.0).0, Status::Passed);
        assert_eq!(at(-26.0).0, Status::Passed);
        let (s, sev, why) = at(-21.5);
        assert_eq!((s, sev), (Status::Failed, Severity::Warning));
        assert!(why.contains("2.5 LU above -24"), "{why}");
        assert!(why.contains("band of doubt"), "{why}");
        let (s, sev, _) = at(-27.0);
        assert_eq!(
            (s, sev),
            (Status::Failed, Severity::Warning),
            "the wide edge is inclusive"
        );
        let (s, sev, why) = at(-16.0);
        assert_eq!((s, sev), (Status::Failed, Severity::Error));
        assert_eq!(
            why,
            "8.0 LU above -24: outside even the widest credible tolerance ±3 LU"
        );
        let (s, sev, why) = at(-27.01);
        assert_eq!((s, sev), (Status::Failed, Severity::Error));
        assert!(why.starts_with("3.0 LU below -24"), "{why}");
    }

    #[test]
    fn range_bands_pass_warn_and_fail() {
        let r = "max = -2.0\nfail_max = -1.0";
        let k = ("loudness", "true_peak_dbtp");
        let at = |x| banded(r, k.0, k.1, Fact::Number(x));
        assert_eq!(at(-2.0).0, Status::Passed);
        assert_eq!(at(-1.5).1, Severity::Warning);
        assert_eq!(at(-1.0).1, Severity::Warning);
        let (s, sev, why) = at(-0.5);
        assert_eq!((s, sev), (Status::Failed, Severity::Error));
        assert_eq!(why, "outside even the widest credible maximum -1 dBTP");
        let list = r#"one_of = ["23.976", "24", "25"]
fail_min = "23.976"
fail_max = "30""#;
        let k = ("video", "frame_rate");
        assert_eq!(banded(list, k.0, k.1, rate(24, 1)).0, Status::Passed);
        let (s, sev, why) = banded(list, k.0, k.1, rate(30000, 1001));
        assert_eq!((s, sev), (Status::Failed, Severity::Warning));
        assert!(
            why.contains("inside the widest credible range 23.976 to 30 fps"),
            "{why}"
        );
        assert_eq!(banded(list, k.0, k.1, rate(50, 1)).1, Severity::Error);
        assert_eq!(banded(list, k.0, k.1, rate(12, 1)).1, Severity::Error);
    }

    #[test]
    fn banded_expectations_name_both_readings() {
        let o = compare(
            &rule("target = -24.0\ntolerance = 2.0\nfail_tolerance = 3.0"),
            &lookup("loudness", "integrated_lufs").unwrap(),
            &Fact::Number(-24.0),
        );
        assert_eq!(
            o.expected,
            "-24 ± 2 LUFS (widest credible: tolerance ±3 LU)"
        );
        assert_eq!(o.demand, "requires -24 ± 2 LUFS");
    }

    #[test]
    fn value_bands_pass_warn_and_fail() {
        let r = r#"equals = "prores"
fail_outside = ["prores", "mpeg2video"]"#;
        let k = ("video", "codec");
        let at = |c: &str| banded(r, k.0, k.1, Fact::Text(c.into()));
        assert_eq!(at("ProRes").0, Status::Passed);
        let (s, sev, why) = at("mpeg2video");
        assert_eq!((s, sev), (Status::Failed, Severity::Warning));
        assert_eq!(
            why,
            "inside the widest credible set prores, mpeg2video: band of doubt, a warning"
        );
        let (s, sev, why) = at("h264");
        assert_eq!((s, sev), (Status::Failed, Severity::Error));
        assert_eq!(
            why,
            "outside even the widest credible set prores, mpeg2video"
        );
    }

    #[test]
    fn unbanded_rules_keep_their_severity() {
        let r = "max = -1.0\nseverity = \"warning\"\nadvisory = true";
        let (s, sev, why) = banded(r, "loudness", "true_peak_dbtp", Fact::Number(3.0));
        assert_eq!(
            (s, sev, why.as_str()),
            (Status::Failed, Severity::Warning, "")
        );
        let (s, sev, _) = banded(
            "max = -1.0",
            "loudness",
            "true_peak_dbtp",
            Fact::Number(3.0),
        );
        assert_eq!((s, sev), (Status::Failed, Severity::Error));
    }

    #[test]
    fn bad_profile_values_are_not_evaluated() {
        let s = status(r#"equals = "fast""#, "video", "frame_rate", rate(25, 1));
        assert!(matches!(s, Status::NotEvaluated { .. }));
        let s = status(
            "severity = \"warning\"",
            "video",
            "width",
            Fact::Number(1.0),
        );
        assert!(matches!(s, Status::NotEvaluated { .. }));
    }

    #[test]
    fn ratio_targets_read_as_ratios() {
        assert_eq!(ratio_words(1.7777778), "16:9 (1.778)");
        assert_eq!(ratio_words(0.6666667), "2:3 (0.667)");
        assert_eq!(ratio_words(1.85), "1.85");
        assert_eq!(ratio_words(2.39), "2.39");
    }
}
