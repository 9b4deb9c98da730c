//! `signoff plan lint`: every problem in a plan file with its line and
//! column and, where it helps, a suggestion — syntax, unknown keys, wrong
//! types, invalid dates, duplicate ids, unknown profiles, invalid globs and
//! patterns reaching outside the delivery root.

use super::model::{parse_date, Plan, DELIVERABLE_KEYS, PROJECT_KEYS, TOP_KEYS};
use crate::spec::catalogue::suggest;
use crate::spec::lint::{line_col, LintProblem};
use crate::spec::Registry;
use std::collections::BTreeMap;
use std::ops::Range;
use toml_edit::{ImDocument, Item, Table, TableLike};

/// Lints plan text named `file`; profile ids are looked up in `registry`.
pub fn lint_text(text: &str, file: &str, registry: &Registry) -> Vec<LintProblem> {
    let mut l = Linter {
        text,
        file,
        out: Vec::new(),
    };
    let doc = match ImDocument::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            l.push(e.span(), e.message().trim().to_string());
            return l.out;
        }
    };
    l.keys(doc.as_table());
    if l.out.is_empty() {
        if let Err(e) = toml::from_str::<Plan>(text) {
            l.push(e.span(), e.message().trim().to_string());
        }
    }
    if let Some(p) = doc.get("project").and_then(Item::as_table_like) {
        l.date(p);
    }
    l.deliverables(doc.as_table(), registry);
    l.out.sort_by_key(|p| (p.line, p.column));
    l.out
}

struct Linter<'a> {
    text: &'a str,
    file: &'a str,
    out: Vec<LintProblem>,
}

impl Linter<'_> {
    fn push(&mut self, span: Option<Range<usize>>, message: String) {
        self.out
            .push(LintProblem::at(self.file, self.text, span, message));
    }

    fn unknown_keys(&mut self, t: &dyn TableLike, known: &[&str], context: &str) {
        for (key, _) in t.iter() {
            if known.contains(&key) {
                continue;
            }
            let span = t.get_key_value(key).and_then(|(k, _)| k.span());
            let message = match suggest(key, known.iter().copied()) {
                Some(s) => format!("unknown key `{key}`{context}; did you mean `{s}`?"),
                None => format!(
                    "unknown key `{key}`{context}; expected one of: {}",
                    known.join(", ")
                ),
            };
            self.push(span, message);
        }
    }

    fn keys(&mut self, doc: &Table) {
        self.unknown_keys(doc, &TOP_KEYS, "");
        if let Some(p) = doc.get("project").and_then(Item::as_table_like) {
            self.unknown_keys(p, &PROJECT_KEYS, " in [project]");
        }
        for d in deliverable_tables(doc) {
            self.unknown_keys(d, &DELIVERABLE_KEYS, " in [[deliverable]]");
        }
    }

    fn date(&mut self, t: &dyn TableLike) {
        let Some(item) = t.get("due") else { return };
        if let Some(s) = item.as_str() {
            if let Err(e) = parse_date(s) {
                self.push(item.span(), format!("`due`: {e}; write e.g. `2025-03-01`"));
            }
        }
    }

    fn deliverables(&mut self, doc: &Table, registry: &Registry) {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let ids: Vec<String> = registry.entries().map(|e| e.id.clone()).collect();
        let deliverable_ids: Vec<String> = deliverable_tables(doc)
            .iter()
            .filter_map(|d| d.get("id").and_then(Item::as_str).map(str::to_string))
            .collect();
        for d in deliverable_tables(doc) {
            self.captions_for(d, &deliverable_ids);
            self.date(d);
            self.required(d);
            if let Some(item) = d.get("id") {
                self.duplicate(item, &mut seen);
            }
            if d.get("count").and_then(Item::as_integer) == Some(0) {
                let span = d.get("count").and_then(Item::span);
                self.push(span, "`count` must be at least 1".into());
            }
            for (value, span) in strings(d, "profiles") {
                self.profile(&value, span, &ids);
            }
            if let Some(item) = d.get("pse_certificate") {
                let bad = match item.as_str() {
                    Some(v) => {
                        v.trim().is_empty()
                            || v.starts_with('/')
                            || v.split('/').any(|c| c == "..")
                            || v.contains(['*', '?', '[', '{'])
                    }
                    None => true,
                };
                if bad {
                    self.push(
                        item.span(),
                        "`pse_certificate` names one file by its path relative to the delivery root (no glob, no `..`)".into(),
                    );
                }
            }
            for key in ["patterns", "sidecars"] {
                for (value, span) in strings(d, key) {
                    if let Err(message) = check_pattern(&value) {
                        self.push(span, format!("`{key}`: {message}"));
                    }
                }
            }
        }
    }

    /// `captions_for` names another deliverable of the plan.
    fn captions_for(&mut self, d: &dyn TableLike, ids: &[String]) {
        let Some(item) = d.get("captions_for") else {
            return;
        };
        let own = d.get("id").and_then(Item::as_str);
        let message = match item.as_str() {
            None => "`captions_for` names the id of the picture deliverable these captions are for"
                .to_string(),
            Some(v) if Some(v) == own => {
                "`captions_for` names this deliverable itself; name its picture master".to_string()
            }
            Some(v) if !ids.iter().any(|i| i == v) => {
                match crate::spec::catalogue::suggest(v, ids.iter().map(String::as_str)) {
                    Some(s) => format!(
                        "`captions_for`: no deliverable `{v}` in the plan; did you mean `{s}`?"
                    ),
                    None => format!("`captions_for`: no deliverable `{v}` in the plan"),
                }
            }
            Some(_) => return,
        };
        self.push(item.span(), message);
    }

    /// Empty ids, titles and pattern lists, and ids with control characters.
    fn required(&mut self, d: &dyn TableLike) {
        for key in ["id", "title"] {
            let Some(item) = d.get(key) else { continue };
            let Some(value) = item.as_str() else { continue };
            if value.trim().is_empty() {
                self.push(
                    item.span(),
                    format!("`{key}` is empty; {}", WHY[usize::from(key == "id")]),
                );
            } else if let Some(c) = value.chars().find(|c| c.is_control() || is_bidi(*c)) {
                let what = format!(
                    "`{key}` holds the control character U+{:04X}; write it without",
                    c as u32
                );
                self.push(item.span(), what);
            }
        }
        let span = d
            .get("patterns")
            .and_then(Item::span)
            .or_else(|| d.get("id").and_then(Item::span));
        let empty = match d.get("patterns") {
            None => true,
            Some(item) => item.as_array().is_some_and(|a| a.is_empty()),
        };
        if empty {
            self.push(
                span,
                "`patterns` is empty: no file can ever fulfil this deliverable; \
                 add globs relative to the delivery root (e.g. `picture/*_FTR_*.mov`)"
                    .into(),
            );
        }
    }

    fn duplicate(&mut self, item: &Item, seen: &mut BTreeMap<String, usize>) {
        let Some(id) = item.as_str() else { return };
        match seen.get(id) {
            Some(line) => {
                let message = format!(
                    "duplicate deliverable id `{id}` (first used on line {line}); ids must be unique"
                );
                self.push(item.span(), message);
            }
            None => {
                let (line, _) = line_col(self.text, item.span().map_or(0, |s| s.start));
                seen.insert(id.to_string(), line);
            }
        }
    }

    fn profile(&mut self, id: &str, span: Option<Range<usize>>, ids: &[String]) {
        if ids.iter().any(|i| i == id) {
            return;
        }
        let message = match suggest(id, ids.iter().map(String::as_str)) {
            Some(s) => format!("unknown spec profile `{id}`; did you mean `{s}`?"),
            None => format!("unknown spec profile `{id}`; `signoff specs list` shows them"),
        };
        self.push(span, message);
    }
}

/// Why an empty title (`[false]`) or id (`[true]`) is refused.
const WHY: [&str; 2] = [
    "the title is what people read on the board",
    "the id names the deliverable in `signoff approve ID`; use e.g. `feature-master`",
];

fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Warnings that do not make the plan invalid: a `project.root` that leaves
/// the plan's folder (`..` or an absolute path), so the plan checks files it
/// does not sit beside.
pub fn warnings(text: &str, file: &str) -> Vec<LintProblem> {
    let Ok(doc) = ImDocument::parse(text) else {
        return Vec::new();
    };
    let Some(item) = doc
        .get("project")
        .and_then(Item::as_table_like)
        .and_then(|p| p.get("root"))
    else {
        return Vec::new();
    };
    let Some(root) = item.as_str() else {
        return Vec::new();
    };
    let leaves =
        std::path::Path::new(root).is_absolute() || root.split(['/', '\\']).any(|c| c == "..");
    if !leaves {
        return Vec::new();
    }
    vec![LintProblem::at(
        file,
        text,
        item.span(),
        format!(
            "warning: `project.root` = `{root}` leaves the plan's folder; the plan, its ledger \
             and the files it checks are no longer kept together"
        ),
    )]
}

/// The `[[deliverable]]` tables (also inline tables in an array).
fn deliverable_tables(doc: &Table) -> Vec<&dyn TableLike> {
    match doc.get("deliverable") {
        Some(Item::ArrayOfTables(a)) => a.iter().map(|t| t as &dyn TableLike).collect(),
        Some(Item::Value(toml_edit::Value::Array(a))) => a
            .iter()
            .filter_map(|v| v.as_inline_table())
            .map(|t| t as &dyn TableLike)
            .collect(),
        _ => Vec::new(),
    }
}

/// The string elements of array `key`, with their spans.
fn strings(t: &dyn TableLike, key: &str) -> Vec<(String, Option<Range<usize>>)> {
    let Some(array) = t.get(key).and_then(Item::as_array) else {
        return Vec::new();
    };
    array
        .iter()
        .filter_map(|v| v.as_str().map(|s| (s.to_string(), v.span())))
        .collect()
}

/// Whether a pattern is a valid glob that stays inside the delivery root.
pub fn check_pattern(pattern: &str) -> Result<(), String> {
    if pattern.starts_with('/') || pattern.starts_with('\\') || pattern.contains(':') {
        return Err(format!(
            "`{pattern}` is absolute; patterns are relative to the delivery root (e.g. `picture/*.mov`)"
        ));
    }
    if pattern.split(['/', '\\']).any(|c| c == "..") {
        return Err(format!(
            "`{pattern}` reaches outside the delivery root (`..`); move the plan or set `project.root`"
        ));
    }
    globset::Glob::new(pattern)
        .map(|_| ())
        .map_err(|e| format!("invalid glob `{pattern}`: {}", e.kind()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "[project]\ntitle = \"Film\"\ndue = \"2025-03-01\"\n";

    fn lint(body: &str) -> Vec<String> {
        let reg = Registry::builtin().unwrap();
        lint_text(&format!("{HEAD}{body}"), "signoff.toml", &reg)
            .iter()
            .map(|p| p.to_string())
            .collect()
    }

    fn item(extra: &str) -> String {
        format!(
            "[[deliverable]]\nid = \"a\"\ntitle = \"A\"\npatterns = [\"picture/*.mov\"]\n{extra}"
        )
    }

    #[test]
    fn clean_plan_and_sample_plan_are_clean() {
        assert_eq!(
            lint(&item("profiles = [\"ebu-r128\"]\n")),
            Vec::<String>::new()
        );
        let sample = include_str!("../../fixtures/sample-delivery/signoff.toml");
        let reg = Registry::builtin().unwrap();
        assert_eq!(lint_text(sample, "sample", &reg), vec![]);
    }

    #[test]
    fn captions_for_names_another_deliverable() {
        let subs = "[[deliverable]]\nid = \"subs\"\ntitle = \"S\"\npatterns = [\"subs/*\"]\n";
        let ok = format!("{}{subs}captions_for = \"a\"\n", item(""));
        assert_eq!(lint(&ok), Vec::<String>::new());
        let typo = format!("{}{subs}captions_for = \"b\"\n", item(""));
        let p = lint(&typo);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].contains("`captions_for`: no deliverable `b` in the plan"),
            "{p:?}"
        );
        let own = format!("{}{subs}captions_for = \"subs\"\n", item(""));
        assert!(lint(&own)[0].contains("names this deliverable itself"));
    }

    #[test]
    fn unknown_profile_with_suggestion() {
        let p = lint(&item("profiles = [\"ebu-r182\"]\n"));
        assert_eq!(
            p,
            ["signoff.toml:8:13: unknown spec profile `ebu-r182`; did you mean `ebu-r128`?"]
        );
    }

    #[test]
    fn invalid_glob_and_outside_root() {
        let p = lint("[[deliverable]]\nid = \"a\"\ntitle = \"A\"\npatterns = [\"pic[ture/*.mov\", \"../other/*.wav\", \"/abs/x\"]\n");
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(
            p[0].starts_with("signoff.toml:7:13: `patterns`: invalid glob `pic[ture/*.mov`"),
            "{p:?}"
        );
        assert!(
            p[1].starts_with("signoff.toml:7:31: `patterns`: `../other/*.wav` reaches outside"),
            "{p:?}"
        );
        assert!(p[2].contains("is absolute"), "{p:?}");
    }

    #[test]
    fn empty_ids_titles_patterns_and_control_characters_are_refused() {
        let p = lint("[[deliverable]]\nid = \"\"\ntitle = \" \"\npatterns = []\n");
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[0].starts_with("signoff.toml:5:6: `id` is empty"), "{p:?}");
        assert!(
            p[1].starts_with("signoff.toml:6:9: `title` is empty"),
            "{p:?}"
        );
        assert!(
            p[2].starts_with("signoff.toml:7:12: `patterns` is empty"),
            "{p:?}"
        );
        let p = lint("[[deliverable]]\nid = \"a\\nb\"\ntitle = \"A\"\n");
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(
            p[0].starts_with("signoff.toml:5:6: `id` holds the control character U+000A"),
            "{p:?}"
        );
        assert!(p[1].contains("`patterns` is empty"), "{p:?}");
    }

    #[test]
    fn a_root_outside_the_plans_folder_is_a_warning() {
        let w = warnings("[project]\ntitle = \"F\"\nroot = \"../media\"\n", "p.toml");
        assert_eq!(w.len(), 1);
        assert!(
            w[0].to_string()
                .starts_with("p.toml:3:8: warning: `project.root`"),
            "{w:?}"
        );
        assert!(warnings("[project]\ntitle = \"F\"\nroot = \"media\"\n", "p.toml").is_empty());
        assert!(!warnings("[project]\nroot = \"/mnt/x\"\n", "p.toml").is_empty());
    }

    #[test]
    fn duplicate_ids() {
        let p = lint(&format!("{}{}", item(""), item("")));
        assert_eq!(
            p,
            ["signoff.toml:9:6: duplicate deliverable id `a` (first used on line 5); ids must be unique"]
        );
    }

    #[test]
    fn invalid_dates() {
        let p = lint(&item("due = \"2025-02-30\"\n"));
        assert!(
            p[0].starts_with("signoff.toml:8:7: `due`: `2025-02-30` is not a date"),
            "{p:?}"
        );
        let reg = Registry::builtin().unwrap();
        let p = lint_text(
            "[project]\ntitle = \"F\"\ndue = \"March\"\n",
            "p.toml",
            &reg,
        );
        assert!(p[0].to_string().starts_with("p.toml:3:7: `due`"), "{p:?}");
    }

    #[test]
    fn unknown_keys_with_suggestions() {
        let p = lint(&item("ownr = \"Ana\"\n"));
        assert_eq!(
            p,
            ["signoff.toml:8:1: unknown key `ownr` in [[deliverable]]; did you mean `owner`?"]
        );
        let p = lint("[projet]\n");
        assert!(
            p.iter().any(|m| m.contains("did you mean `project`")),
            "{p:?}"
        );
    }

    #[test]
    fn wrong_types_and_syntax() {
        let p = lint(&item("count = \"two\"\n"));
        assert!(p[0].starts_with("signoff.toml:8:9: invalid type"), "{p:?}");
        let p = lint("[[deliverable]\n");
        assert!(p[0].starts_with("signoff.toml:4:"), "{p:?}");
    }
}
