//! One rule against one typed fact: passed, failed or not evaluated, with
//! the expected and actual values in words.

use super::catalogue::Field;
use super::finding::Status;
use super::model::Rule;
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
}

fn not_evaluated(reason: impl Into<String>, expected: String, actual: String) -> Outcome {
    Outcome {
        status: Status::NotEvaluated {
            reason: reason.into(),
        },
        demand: String::new(),
        expected,
        actual,
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
    let actual = fact.display(def.kind, def.unit);
    let held = match (rule.present, fact) {
        (Some(want), Fact::Absent(_)) => Ok(!want),
        (Some(want), _) => Ok(want),
        (None, Fact::Absent(reason)) => Err(reason.clone()),
        (None, _) => holds(rule, def.kind, fact),
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
        },
        Err(reason) => not_evaluated(reason, expected, actual),
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
        let tol = trim_float(rule.tolerance.unwrap_or(0.0));
        let e = with_unit(format!("{} ± {tol}", trim_float(target)), unit);
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
}
