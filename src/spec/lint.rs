//! `signoff specs lint`: every problem in a profile file, each with its
//! line and column — unknown keys (with "did you mean"), values of the
//! wrong type, invalid comparisons, and `extends` cycles.

use super::catalogue::{lookup, suggest};
use super::load::{Origin, Registry, SpecError};
use super::model::{Profile, RuleSet, GROUPS};
use super::validate::{check_rule, unknown_key, Problem};
use std::fmt;
use std::ops::Range;
use std::path::Path;
use toml_edit::{Item, TableLike};

/// One problem, located in the file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LintProblem {
    /// The file, as given.
    pub file: String,
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl LintProblem {
    /// A problem at byte `span.start` of `text` (the file's start when unknown).
    pub fn at(file: &str, text: &str, span: Option<Range<usize>>, message: String) -> Self {
        let (line, column) = line_col(text, span.map_or(0, |s| s.start));
        LintProblem {
            file: file.to_string(),
            line,
            column,
            message,
        }
    }
}

impl fmt::Display for LintProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

const TOP_KEYS: [&str; 5] = ["id", "title", "extends", "source", "notes"];
const SOURCE_KEYS: [&str; 5] = ["document", "url", "clause", "date_read", "confidence"];
const RULE_KEYS: [&str; 23] = [
    "id",
    "equals",
    "one_of",
    "min",
    "max",
    "target",
    "tolerance",
    "fail_tolerance",
    "fail_min",
    "fail_max",
    "fail_outside",
    "confidence",
    "advisory",
    "regex",
    "present",
    "alternatives",
    "head_allowance_s",
    "tail_allowance_s",
    "when",
    "severity",
    "message",
    "clause",
    "",
];

/// Lints one profile file; other profiles (for `extends`) come from `registry`.
pub fn lint_file(path: &Path, registry: &Registry) -> Result<Vec<LintProblem>, SpecError> {
    let text = std::fs::read_to_string(path).map_err(|source| SpecError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(lint_text(&text, &path.display().to_string(), registry))
}

/// Lints profile text named `file`.
pub fn lint_text(text: &str, file: &str, registry: &Registry) -> Vec<LintProblem> {
    let mut l = Linter {
        text,
        file,
        out: Vec::new(),
    };
    let doc = match toml_edit::ImDocument::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            l.push(e.span(), e.message().trim().to_string());
            return l.out;
        }
    };
    let value: toml::Table = toml::from_str(text).unwrap_or_default();
    l.top(doc.as_table(), &value);
    let local = l.out.is_empty();
    if local {
        l.whole(text, doc.as_table());
    }
    l.inheritance(text, doc.as_table(), registry, local && l.out.is_empty());
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

    fn unknown(&mut self, t: &dyn TableLike, key: &str, known: &[&str], context: &str) {
        let span = t.get_key_value(key).and_then(|(k, _)| k.span());
        let message = match suggest(key, known.iter().copied()) {
            Some(s) => format!("unknown key `{key}`{context}; did you mean `{s}`?"),
            None => format!("unknown key `{key}`{context}"),
        };
        self.push(span, message);
    }

    fn top(&mut self, doc: &toml_edit::Table, value: &toml::Table) {
        for (key, item) in doc.iter() {
            if GROUPS.contains(&key) {
                match item.as_table_like() {
                    Some(t) => self.group(key, t, value),
                    None => self.push(item.span(), format!("`{key}` must be a table: [{key}]")),
                }
            } else if key == "source" {
                if let Some(t) = item.as_table_like() {
                    for (k, _) in t.iter() {
                        if !SOURCE_KEYS.contains(&k) {
                            self.unknown(t, k, &SOURCE_KEYS, " in [source]");
                        }
                    }
                }
            } else if !TOP_KEYS.contains(&key) {
                let known: Vec<&str> = TOP_KEYS.iter().chain(GROUPS.iter()).copied().collect();
                self.unknown(doc, key, &known, "");
            }
        }
    }

    fn group(&mut self, group: &str, t: &dyn TableLike, value: &toml::Table) {
        let empty = toml::Value::Table(toml::Table::new());
        let v = value.get(group).unwrap_or(&empty);
        self.rules(group, group, t, v);
    }

    /// The rules of one table of `group` (`[captions]` or one of its
    /// `[captions.languages.TAG]` tables); `value` is that table parsed.
    fn rules(&mut self, group: &str, at: &str, t: &dyn TableLike, value: &toml::Value) {
        for (key, item) in t.iter() {
            if group == "captions" && at == "captions" && key == "languages" {
                self.languages(item, value);
                continue;
            }
            let Some(def) = lookup(group, key) else {
                let span = t.get_key_value(key).and_then(|(k, _)| k.span());
                self.push(span, unknown_key(group, key));
                continue;
            };
            if self.rule_keys(item) {
                continue;
            }
            let v = value
                .get(key)
                .cloned()
                .unwrap_or(toml::Value::Boolean(false));
            match RuleSet::try_from(v) {
                Err(e) => self.push(item.span(), format!("`{at}.{key}`: {e}")),
                Ok(set) => {
                    let mut problems: Vec<Problem> = Vec::new();
                    let path = [group.to_string(), key.to_string()];
                    for rule in &set.0 {
                        check_rule(rule, &def, &path, &mut problems);
                    }
                    for p in problems {
                        self.push(item.span(), format!("`{at}.{key}`: {}", p.message));
                    }
                }
            }
        }
    }

    /// `[captions.languages]`: one table of caption rules per language tag.
    fn languages(&mut self, item: &Item, value: &toml::Value) {
        let Some(langs) = item.as_table_like() else {
            let msg = "`captions.languages` must be a table: [captions.languages.TAG]".to_string();
            return self.push(item.span(), msg);
        };
        let empty = toml::Value::Table(toml::Table::new());
        for (tag, rules) in langs.iter() {
            let at = format!("captions.languages.{tag}");
            let v = value
                .get("languages")
                .and_then(|l| l.get(tag))
                .unwrap_or(&empty);
            match rules.as_table_like() {
                Some(t) => self.rules("captions", &at, t, v),
                None => self.push(rules.span(), format!("`{at}` must be a table: [{at}]")),
            }
        }
    }

    /// Reports unknown keys inside rule tables; true when there were any.
    fn rule_keys(&mut self, item: &Item) -> bool {
        let mut tables: Vec<&dyn TableLike> = Vec::new();
        match item {
            Item::Table(t) => tables.push(t),
            Item::ArrayOfTables(a) => tables.extend(a.iter().map(|t| t as &dyn TableLike)),
            Item::Value(toml_edit::Value::InlineTable(t)) => tables.push(t),
            Item::Value(toml_edit::Value::Array(a)) => tables.extend(
                a.iter()
                    .filter_map(|v| v.as_inline_table())
                    .map(|t| t as &dyn TableLike),
            ),
            _ => {}
        }
        let before = self.out.len();
        for t in tables {
            for (k, _) in t.iter() {
                if !RULE_KEYS.contains(&k) {
                    self.unknown(t, k, &RULE_KEYS, " in a rule");
                }
            }
        }
        self.out.len() > before
    }

    /// Type errors serde finds in the file as a whole (missing `title`, …).
    fn whole(&mut self, text: &str, doc: &toml_edit::Table) {
        if let Err(e) = toml::from_str::<Profile>(text) {
            let inherits = doc.contains_key("extends");
            if !(inherits && e.message().starts_with("missing field")) {
                self.push(e.span(), e.message().trim().to_string());
            }
        }
    }

    /// `extends` cycles and unknown parents, always; problems of the
    /// resolved profile only when `resolve` (the file itself is clean).
    fn inheritance(
        &mut self,
        text: &str,
        doc: &toml_edit::Table,
        registry: &Registry,
        resolve: bool,
    ) {
        let mut reg = registry.clone();
        let id = match reg.add_text(text, Origin::File(self.file.into())) {
            Ok(id) => id,
            Err(e) => return self.push(None, e.to_string()),
        };
        let extends = doc.get("extends").and_then(|i| i.span());
        if let Err(e) = reg.chain(&id) {
            return self.push(extends, e.to_string());
        }
        if resolve {
            if let Err(e) = reg.resolve(&id) {
                self.push(None, e.to_string());
            }
        }
    }
}

/// 1-based line and character column of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "id = \"mine\"\ntitle = \"t\"\n[source]\ndocument = \"d\"\nurl = \"u\"\ndate_read = \"2026-11\"\nconfidence = \"primary\"\n";

    fn lint(body: &str) -> Vec<String> {
        let reg = Registry::builtin().unwrap();
        lint_text(&format!("{HEAD}{body}"), "mine.toml", &reg)
            .iter()
            .map(|p| p.to_string())
            .collect()
    }

    #[test]
    fn clean_profile_has_no_problems() {
        assert_eq!(
            lint("[video]\nframe_rate = [\"23.976\", 25]\n"),
            Vec::<String>::new()
        );
        let reg = Registry::builtin().unwrap();
        for e in reg.entries() {
            let problems = lint_text(&e.text, &e.id, &reg);
            assert!(problems.is_empty(), "{}: {problems:?}", e.id);
        }
    }

    #[test]
    fn typo_type_and_rule_key_each_located() {
        let p = lint("[video]\nframe_rat = \"25\"\nwidth = \"wide\"\nheight = { min = 720, tolerence = 1 }\n");
        assert_eq!(
            p,
            [
                "mine.toml:9:1: unknown key `video.frame_rat`; did you mean `frame_rate`?",
                "mine.toml:10:9: `video.width`: `wide` is not a number",
                "mine.toml:11:23: unknown key `tolerence` in a rule; did you mean `tolerance`?",
            ]
        );
    }

    #[test]
    fn wrong_shapes() {
        let p = lint("[audio]\nsample_rate = { one_of = 48000 }\n");
        assert!(
            p[0].starts_with("mine.toml:9:15: `audio.sample_rate`: invalid type"),
            "{p:?}"
        );
        let p = lint("[loudness]\nintegrated_lufs = { target = -23, max = -22 }\n");
        assert!(p[0].contains("one comparison"), "{p:?}");
        let reg = Registry::builtin().unwrap();
        let p = lint_text(
            "id = \"x\"\ntitel = \"x\"\nextends = \"ebu-r128\"\n",
            "x.toml",
            &reg,
        );
        assert_eq!(
            p[0].to_string(),
            "x.toml:2:1: unknown key `titel`; did you mean `title`?"
        );
        let p = lint("dat_read = \"x\"\n");
        assert!(
            p[0].contains("in [source]; did you mean `date_read`?"),
            "{p:?}"
        );
        let p = lint("[video]\ncodec = { equals = \"h264\", when = { height = 2160 } }\n");
        assert!(p[0].contains("unknown condition field `height`"), "{p:?}");
    }

    #[test]
    fn warning_only_numbers_need_a_band_or_advisory() {
        let p = lint("[loudness]\nintegrated_lufs = { target = -24, tolerance = 2, severity = \"warning\" }\n");
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].starts_with("mine.toml:9:19: `loudness.integrated_lufs`: `integrated_lufs` is a number: a warning-only rule on it would never fail"), "{p:?}");
        assert!(p[0].contains("`advisory = true`"), "{p:?}");
        let p = lint("[video]\nframe_rate = { one_of = [\"25\"], severity = \"info\" }\n");
        assert!(p[0].contains("an info-only rule"), "{p:?}");
        // Advisory by its source, banded, or text: clean.
        for body in [
            "[loudness]\nintegrated_lufs = { target = -14, tolerance = 1, severity = \"info\", advisory = true }\n",
            "[loudness]\nintegrated_lufs = { target = -24, tolerance = 2, fail_tolerance = 5 }\n",
            "[loudness]\ntrue_peak_dbtp = { max = -2, fail_max = -1, confidence = \"secondary\" }\n",
            "[video]\nframe_rate = { one_of = [\"24\", \"25\"], fail_min = \"23.976\", fail_max = \"60\" }\n",
            "[video]\ncodec = { equals = \"prores\", severity = \"warning\" }\n",
        ] {
            assert_eq!(lint(body), Vec::<String>::new(), "{body}");
        }
    }

    #[test]
    fn bands_are_validated() {
        let one = |body: &str| {
            let p = lint(body);
            assert_eq!(p.len(), 1, "{body}: {p:?}");
            p[0].clone()
        };
        let k = "[loudness]\nintegrated_lufs = ";
        assert!(one(&format!(
            "{k}{{ target = -24, tolerance = 2, fail_tolerance = 1 }}\n"
        ))
        .contains("`fail_tolerance` must be at least `tolerance`"));
        assert!(one(&format!("{k}{{ max = -20, fail_tolerance = 1 }}\n"))
            .contains("`fail_tolerance` needs a `target`"));
        assert!(one(&format!(
            "{k}{{ target = -24, tolerance = 2, fail_tolerance = 5, severity = \"warning\" }}\n"
        ))
        .contains("leave `severity` at `error`"));
        assert!(one(&format!("{k}{{ target = -24, fail_max = -20 }}\n"))
            .contains("give the widest credible band as `fail_tolerance`"));
        assert!(one(&format!("{k}{{ max = -20, fail_max = -22 }}\n"))
            .contains("`fail_max` = `-22` must be outside the strict comparison"));
        assert!(one(&format!("{k}{{ max = -20, fail_min = -30 }}\n"))
            .contains("`fail_min` needs a strict lower bound"));
        assert!(one(&format!("{k}{{ max = -20, advisory = true }}\n"))
            .contains("`advisory = true` marks a recommendation"));
        assert!(
            one("[video]\ncodec = { equals = \"prores\", fail_max = 3 }\n")
                .contains("only applies to numbers")
        );
        assert!(one("[video]\nframe_rate = { one_of = [\"24\", \"50\"], fail_min = \"23.976\", fail_max = \"30\" }\n")
            .contains("`fail_max` = `30` must be outside"));
        assert!(one("[video]\nwidth = { min = 1, when = { \"video.height\" = { max = 1080, fail_max = 2000 } } }\n")
            .contains("a condition takes no band"));
        assert!(
            one("[video]\ncodec = { equals = \"prores\", fail_outside = [\"h264\"] }\n")
                .contains("`fail_outside` must include every strict value (`prores`)")
        );
        assert!(
            one("[video]\ncodec = { regex = \"^pro\", fail_outside = [\"prores\"] }\n")
                .contains("`fail_outside` needs a strict `equals` or `one_of`")
        );
        assert!(one(
            "[video]\nwidth = { equals = 1920, fail_outside = [1920, 1280], fail_max = 2000 }\n"
        )
        .contains("a rule takes one band"));
        assert_eq!(
            lint("[video]\ncodec = { equals = \"prores\", fail_outside = [\"prores\", \"mpeg2video\"] }\n"),
            Vec::<String>::new()
        );
    }

    /// The rule, checked over the built-ins independently of the validator:
    /// no built-in rule on a number only warns unless its source only
    /// recommends it (`advisory`); a doubtful number is banded instead.
    #[test]
    fn no_builtin_hides_a_clear_failure_behind_a_warning() {
        use crate::spec::model::Severity;
        use crate::spec::value::Kind;
        let reg = Registry::builtin().unwrap();
        for e in reg.entries() {
            let p = reg.resolve(&e.id).unwrap();
            for (group, rules) in p.groups() {
                if !crate::spec::validate::SPEC_NUMBER_GROUPS.contains(&group) {
                    continue;
                }
                for (key, set) in rules {
                    let def = lookup(group, key).unwrap();
                    let numeric = matches!(def.kind, Kind::Number | Kind::Rate | Kind::Ratio);
                    for r in &set.0 {
                        let soft = matches!(r.severity, Severity::Warning | Severity::Info);
                        if numeric && soft && r.alternatives.is_none() {
                            assert!(
                                r.advisory,
                                "{}: {group}.{key} only warns and is not advisory",
                                e.id
                            );
                        }
                        if r.band().is_some() {
                            assert_eq!(r.severity, Severity::Error, "{}: {group}.{key}", e.id);
                        }
                        if r.advisory {
                            assert!(soft, "{}: {group}.{key}", e.id);
                        }
                    }
                }
            }
        }
        let text = "id = \"bad\"\ntitle = \"b\"\nextends = \"atsc-a85\"\n[loudness]\nintegrated_lufs = { target = -24, tolerance = 2, severity = \"warning\" }\n";
        let p = lint_text(text, "bad.toml", &reg);
        assert_eq!(p.len(), 1, "{p:?}");
        let mut bad = reg.clone();
        bad.add_text(text, Origin::BuiltIn("bad")).unwrap();
        assert!(matches!(bad.resolve("bad"), Err(SpecError::Invalid { .. })));
    }

    #[test]
    fn syntax_errors_are_located() {
        let p = lint("[video\n");
        assert!(p[0].starts_with("mine.toml:8:"), "{p:?}");
    }

    #[test]
    fn cycles_are_located_at_extends() {
        let mut reg = Registry::builtin().unwrap();
        reg.add_text(
            "id = \"b\"\ntitle = \"b\"\nextends = \"a\"\n",
            Origin::BuiltIn("b"),
        )
        .unwrap();
        let p = lint_text(
            "id = \"a\"\ntitle = \"a\"\nextends = \"b\"\n",
            "a.toml",
            &reg,
        );
        assert_eq!(
            p[0].to_string(),
            "a.toml:3:11: inheritance cycle: a → b → a"
        );
        let p = lint_text("id = \"a\"\nextends = \"ebu-r129\"\n", "a.toml", &reg);
        assert!(
            p[0].to_string()
                .starts_with("a.toml:2:11: no spec profile `ebu-r129`"),
            "{p:?}"
        );
    }

    #[test]
    fn typo_wrong_type_and_cycle_together() {
        let mut reg = Registry::builtin().unwrap();
        reg.add_text(
            "id = \"b\"\ntitle = \"b\"\nextends = \"a\"\n",
            Origin::BuiltIn("b"),
        )
        .unwrap();
        let text = "id = \"a\"\ntitle = \"a\"\nextends = \"b\"\n[video]\nframe_rat = \"25\"\nwidth = { min = \"wide\" }\n";
        let p: Vec<String> = lint_text(text, "a.toml", &reg)
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(
            p,
            [
                "a.toml:3:11: inheritance cycle: a → b → a",
                "a.toml:5:1: unknown key `video.frame_rat`; did you mean `frame_rate`?",
                "a.toml:6:9: `video.width`: `wide` is not a number",
            ]
        );
    }

    #[test]
    fn documented_example_is_clean_and_resolves() {
        let doc = include_str!("../../docs/specs.md");
        let start = doc.find("```toml\n# house-netflix.toml").unwrap() + "```toml\n".len();
        let example = &doc[start..start + doc[start..].find("```").unwrap()];
        let mut reg = Registry::builtin().unwrap();
        assert_eq!(lint_text(example, "house.toml", &reg), vec![]);
        reg.add_text(example, Origin::BuiltIn("house")).unwrap();
        let p = reg.resolve("house-netflix").unwrap();
        assert_eq!(p.video["bit_depth"].0.len(), 2);
        assert_eq!(
            p.video["codec"],
            reg.resolve("netflix-prores-hq").unwrap().video["codec"]
        );
    }

    #[test]
    fn columns_count_characters() {
        assert_eq!(line_col("a\n−é x", "a\n−é ".len()), (2, 4));
    }
}
