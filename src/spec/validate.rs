//! Checks a profile's meaning after parsing: known keys, one comparison
//! per rule, values that fit each field's type, valid regexes and conditions.

use super::catalogue::{keys_of, lookup, lookup_path, suggest, Field};
use super::compare::describe;
use super::model::{Band, Profile, Rule, Severity};
use super::value::{order, typed, Kind, Scalar};
use std::cmp::Ordering;

/// One problem in a profile, located by its key path (`["video", "frame_rate"]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Keys from the top of the file to the offending item.
    pub path: Vec<String>,
    /// What is wrong, and how to fix it.
    pub message: String,
}

/// Every problem in `profile`; empty when it is valid.
pub fn validate(profile: &Profile) -> Vec<Problem> {
    let mut out = Vec::new();
    for (group, rules) in profile.groups() {
        for (key, set) in rules {
            let path = vec![group.to_string(), key.clone()];
            let Some(def) = lookup(group, key) else {
                out.push(Problem {
                    path,
                    message: unknown_key(group, key),
                });
                continue;
            };
            for rule in &set.0 {
                check_rule(rule, &def, &path, &mut out);
            }
        }
    }
    for (lang, rules) in &profile.captions.languages {
        for (key, set) in rules {
            let path = vec![
                "captions".into(),
                "languages".into(),
                lang.clone(),
                key.clone(),
            ];
            let Some(def) = lookup("captions", key) else {
                out.push(Problem {
                    path,
                    message: unknown_key("captions", key),
                });
                continue;
            };
            for rule in &set.0 {
                check_rule(rule, &def, &path, &mut out);
            }
        }
    }
    out
}

/// "unknown key `video.frame_rat`; did you mean `frame_rate`?"
pub fn unknown_key(group: &str, key: &str) -> String {
    match suggest(key, keys_of(group)) {
        Some(s) => format!("unknown key `{group}.{key}`; did you mean `{s}`?"),
        None => format!(
            "unknown key `{group}.{key}`; known keys: {}",
            keys_of(group).join(", ")
        ),
    }
}

fn comparisons(rule: &Rule) -> Vec<&'static str> {
    let mut c = Vec::new();
    let set = [
        (rule.equals.is_some(), "equals"),
        (rule.one_of.is_some(), "one_of"),
        (rule.min.is_some() || rule.max.is_some(), "min/max"),
        (rule.target.is_some(), "target"),
        (rule.regex.is_some(), "regex"),
        (rule.present.is_some(), "present"),
        (rule.alternatives.is_some(), "alternatives"),
    ];
    for (on, name) in set {
        if on {
            c.push(name);
        }
    }
    c
}

/// Checks one rule of the field `def`, at `path`, adding problems to `out`.
pub fn check_rule(rule: &Rule, def: &Field, path: &[String], out: &mut Vec<Problem>) {
    let mut bad = |message: String| {
        out.push(Problem {
            path: path.to_vec(),
            message,
        })
    };
    if def.group == "faults" {
        super::faults::rule_problems(def.key, rule)
            .into_iter()
            .for_each(&mut bad);
    }
    if def.group == "picture" {
        super::picture::rule_problems(def.key, rule)
            .into_iter()
            .for_each(&mut bad);
    } else if rule.detector.is_some() {
        bad("`detector` only applies to `[picture]` rules".into());
    }
    let allowances = super::faults::takes_allowances(def.group, def.key)
        || (def.group == "picture" && super::picture::takes_allowances(def.key));
    if (rule.head_allowance_s.is_some() || rule.tail_allowance_s.is_some()) && !allowances {
        bad("`head_allowance_s` and `tail_allowance_s` only apply to `faults.silence_s`, `picture.black_s` and `picture.freeze_s`".into());
    }
    if rule.severity == super::model::Severity::Off {
        return; // switched off: needs no comparison
    }
    let texts = rule.equals.iter().chain(rule.one_of.iter().flatten());
    for value in texts {
        if let Some(p) = value_problem(def, value) {
            bad(p);
        }
    }
    let c = comparisons(rule);
    if c.len() > 1 {
        bad(format!(
            "a rule takes one comparison; found {}",
            c.join(" and ")
        ));
    }
    let layouts = def.group == "audio" && def.key == "layouts";
    if layouts != rule.alternatives.is_some() {
        bad(if layouts {
            "`audio.layouts` needs `alternatives = [...]`".into()
        } else {
            "`alternatives` only applies to `audio.layouts`".into()
        });
    }
    if def.group == "sidecars" && rule.regex.is_none() {
        bad("a sidecar rule needs a `regex` on file names ({stem} = this file's stem)".into());
    }
    if rule.tolerance.is_some() && rule.target.is_none() {
        bad("`tolerance` needs a `target`".into());
    }
    if rule.tolerance.is_some_and(|t| t < 0.0) {
        bad("`tolerance` cannot be negative".into());
    }
    for message in severity_problems(rule, def) {
        bad(message);
    }
    if def.kind == super::value::Kind::Presence && !layouts && rule.present.is_none() {
        bad(format!("`{}` only takes `present = true|false`", def.key));
    }
    if let Err(e) = describe(rule, def) {
        bad(e);
    }
    for (cpath, set) in rule.when.iter().flatten() {
        let Some(cdef) = lookup_path(cpath) else {
            bad(format!(
                "unknown condition field `{cpath}`; write `group.key`, e.g. `video.height`"
            ));
            continue;
        };
        for cond in &set.0 {
            if let Err(e) = describe(cond, &cdef) {
                bad(format!("condition on `{cpath}`: {e}"));
            }
            if cond.band().is_some() {
                bad(format!(
                    "condition on `{cpath}`: a condition takes no band (`fail_tolerance`, `fail_min`, `fail_max`, `fail_outside`)"
                ));
            }
        }
    }
}

/// The groups whose numbers come from the profile's source (a delivery
/// spec): a warning-only rule on one of their numbers must be advisory or
/// banded. Other groups (file names, sidecars, and detector thresholds such
/// as audio faults) hold the house's or signoff's own settings.
pub const SPEC_NUMBER_GROUPS: [&str; 8] = [
    "container",
    "video",
    "audio",
    "loudness",
    "timing",
    "image",
    "document",
    "captions",
];

/// Whether the field holds a number (a count, a level, a rate, a ratio).
fn numeric(def: &Field) -> bool {
    matches!(def.kind, Kind::Number | Kind::Rate | Kind::Ratio)
}

/// Problems with a rule's severity, band and `advisory` mark: a rule on a
/// number that only warns must be advisory by its source, or banded so a
/// clearly-outside file still fails.
fn severity_problems(rule: &Rule, def: &Field) -> Vec<String> {
    let mut out = Vec::new();
    let numeric_rule = numeric(def) && rule.present.is_none() && rule.alternatives.is_none();
    let soft = matches!(rule.severity, Severity::Warning | Severity::Info);
    if let Some(band) = rule.band() {
        let listed = matches!(band, Band::Values(_))
            && def.kind != Kind::Presence
            && rule.alternatives.is_none();
        if !numeric_rule && !listed {
            out.push(format!(
                "a band (`fail_tolerance`, `fail_min`, `fail_max`) only applies to numbers; `{}` is not one (a list of values takes `fail_outside`)",
                def.key
            ));
            return out;
        }
        if rule.severity != Severity::Error {
            out.push(
                "a banded rule warns in its band of doubt and fails outside it; leave `severity` at `error`"
                    .into(),
            );
        }
        if rule.advisory {
            out.push("an advisory rule has no band: it never fails a file".into());
        }
        out.extend(band_problems(rule, def, band));
    } else if numeric_rule && SPEC_NUMBER_GROUPS.contains(&def.group) && soft && !rule.advisory {
        out.push(format!(
            "`{}` is a number: {} rule on it would never fail a file clearly outside it; \
             give it a band (`fail_tolerance`, or `fail_min`/`fail_max`: the widest credible \
             reading, failed outside) or, if its source only recommends the value, `advisory = true`",
            def.key,
            if rule.severity == Severity::Info {
                "an info-only"
            } else {
                "a warning-only"
            }
        ));
    }
    if rule.advisory && !soft {
        out.push(
            "`advisory = true` marks a recommendation: give the rule `severity = \"warning\"` or `\"info\"`"
                .into(),
        );
    }
    out
}

/// The widest credible band must be wider than the strict comparison.
fn band_problems(rule: &Rule, def: &Field, band: Band) -> Vec<String> {
    let mut out = Vec::new();
    let bands = [
        rule.fail_tolerance.is_some(),
        rule.fail_min.is_some() || rule.fail_max.is_some(),
        rule.fail_outside.is_some(),
    ];
    if bands.iter().filter(|b| **b).count() > 1 {
        out.push(
            "a rule takes one band: `fail_tolerance`, `fail_min`/`fail_max` or `fail_outside`"
                .into(),
        );
        return out;
    }
    match band {
        Band::Values(values) => {
            let strict: Vec<&Scalar> = rule
                .equals
                .iter()
                .chain(rule.one_of.iter().flatten())
                .collect();
            if strict.is_empty() {
                out.push("`fail_outside` needs a strict `equals` or `one_of`".into());
            }
            let wide: Vec<_> = values
                .iter()
                .filter_map(|v| typed(def.kind, v).ok())
                .collect();
            if wide.len() != values.len() {
                out.push(format!(
                    "`fail_outside` has a value that is not a valid `{}`",
                    def.key
                ));
            }
            for v in strict {
                let Ok(t) = typed(def.kind, v) else { continue };
                if !wide.iter().any(|w| super::value::equal(def.kind, &t, w)) {
                    out.push(format!(
                        "`fail_outside` must include every strict value (`{v}`): it is the widest credible set"
                    ));
                }
            }
        }
        Band::Tolerance(w) => {
            if rule.target.is_none() {
                out.push("`fail_tolerance` needs a `target`".into());
            }
            if w < rule.tolerance.unwrap_or(0.0) {
                out.push(
                    "`fail_tolerance` must be at least `tolerance`: it is the widest credible one"
                        .into(),
                );
            }
        }
        Band::Range { min, max } => {
            if rule.target.is_some() {
                out.push("with `target`, give the widest credible band as `fail_tolerance`".into());
                return out;
            }
            let strict: Vec<&Scalar> = rule
                .equals
                .iter()
                .chain(rule.one_of.iter().flatten())
                .collect();
            let (lo, hi): (Vec<&Scalar>, Vec<&Scalar>) = if strict.is_empty() {
                (rule.min.iter().collect(), rule.max.iter().collect())
            } else {
                (strict.clone(), strict)
            };
            if min.is_some() && lo.is_empty() {
                out.push(
                    "`fail_min` needs a strict lower bound (`min`, `equals` or `one_of`)".into(),
                );
            }
            if max.is_some() && hi.is_empty() {
                out.push(
                    "`fail_max` needs a strict upper bound (`max`, `equals` or `one_of`)".into(),
                );
            }
            let mut wider = |bound: Option<&Scalar>,
                             values: &[&Scalar],
                             bad: Ordering,
                             name: &str| {
                let Some(bound) = bound else { return };
                let Ok(b) = typed(def.kind, bound) else {
                    return out.push(format!(
                        "`{name}` = `{bound}` is not a valid value for `{}`",
                        def.key
                    ));
                };
                for v in values {
                    let Ok(v) = typed(def.kind, v) else { continue };
                    if order(&v, &b) == Some(bad) {
                        out.push(format!(
                            "`{name}` = `{bound}` must be outside the strict comparison: it is the widest credible bound"
                        ));
                        return;
                    }
                }
            };
            wider(min, &lo, Ordering::Less, "fail_min");
            wider(max, &hi, Ordering::Greater, "fail_max");
        }
    }
    out
}

/// A text value outside the key's closed vocabulary (a misspelling would
/// fail every file).
fn value_problem(def: &Field, value: &super::value::Scalar) -> Option<String> {
    match value {
        super::value::Scalar::Str(s) => super::vocabulary::problem(def, s),
        _ => None,
    }
}
