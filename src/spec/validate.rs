//! Checks a profile's meaning after parsing: known keys, one comparison
//! per rule, values that fit each field's type, valid regexes and conditions.

use super::catalogue::{keys_of, lookup, lookup_path, suggest, Field};
use super::compare::describe;
use super::model::{Profile, Rule};

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
    if (rule.head_allowance_s.is_some() || rule.tail_allowance_s.is_some())
        && !super::faults::takes_allowances(def.group, def.key)
    {
        bad("`head_allowance_s` and `tail_allowance_s` only apply to `faults.silence_s`".into());
    }
    if rule.severity == super::model::Severity::Off {
        return; // switched off: needs no comparison
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
        }
    }
}
