//! JUnit XML of a run, for CI dashboards (Jenkins, GitLab, Azure…).
//!
//! Mapping: one `<testsuite>` per deliverable, in board order (files of no
//! deliverable, or every file when there is no plan, get a suite each, named
//! by their path); a deliverable with no file at all is one failing case
//! (`type="missing"`), so pipelines see it;
//! one `<testcase>` per file × profile, `classname` the file, `name` the
//! profile. A failed error-severity rule is a `<failure>` carrying every
//! such finding; an unreadable file is an `<error>`; a case with rules left
//! unevaluated and none failed is `<skipped>` (never a pass). Warnings and
//! the file's SHA-256 go to `<system-out>`. Attributes follow the common
//! (Ant / Jenkins) JUnit schema.

use super::model::{verdict_name, FileEntry, RunReport};
use super::xml::escape;
use crate::spec::{Finding, Severity, Status, Verdict};
use std::fmt::Write;

/// Counts as written on `<testsuites>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JunitCounts {
    /// Test cases (files × profiles).
    pub tests: usize,
    /// Cases with a failed error-severity rule.
    pub failures: usize,
    /// Cases of unreadable files.
    pub errors: usize,
    /// Cases with unevaluated rules and no failure.
    pub skipped: usize,
}

/// What one case ended as.
enum Outcome<'a> {
    Pass,
    Failure(Vec<&'a Finding>),
    Error(String),
    Skipped(Vec<&'a Finding>),
    Missing(String),
}

/// One test case: a file against one profile (or a missing deliverable).
struct Case<'a> {
    file: Option<&'a FileEntry>,
    classname: &'a str,
    profile: &'a str,
    outcome: Outcome<'a>,
    warnings: Vec<&'a Finding>,
}

fn cases(f: &FileEntry) -> Vec<Case<'_>> {
    let Some(report) = &f.report else {
        return Vec::new();
    };
    report
        .profiles
        .iter()
        .map(|profile| {
            let mine: Vec<&Finding> = report
                .findings
                .iter()
                .filter(|x| &x.profile == profile)
                .collect();
            let failed: Vec<&Finding> = mine.iter().copied().filter(|x| x.is_error()).collect();
            let unevaluated: Vec<&Finding> = mine
                .iter()
                .copied()
                .filter(|x| x.is_not_evaluated())
                .collect();
            let outcome = if report.verdict == Verdict::Unreadable {
                let why = report.problem.as_ref().map(|p| p.message.clone());
                Outcome::Error(why.unwrap_or_else(|| "the file could not be read".into()))
            } else if !failed.is_empty() {
                Outcome::Failure(failed)
            } else if !unevaluated.is_empty() {
                Outcome::Skipped(unevaluated)
            } else {
                Outcome::Pass
            };
            let warnings = mine
                .into_iter()
                .filter(|x| {
                    (x.status == Status::Failed && x.severity == Severity::Warning)
                        || (x.status == Status::Passed
                            && crate::spec::layout::has_caveat(&x.message))
                })
                .collect();
            Case {
                file: Some(f),
                classname: f.name(),
                profile,
                outcome,
                warnings,
            }
        })
        .collect()
}

fn count(cases: &[Case]) -> JunitCounts {
    let mut c = JunitCounts {
        tests: cases.len(),
        ..JunitCounts::default()
    };
    for case in cases {
        match case.outcome {
            Outcome::Pass => {}
            Outcome::Failure(_) | Outcome::Missing(_) => c.failures += 1,
            Outcome::Error(_) => c.errors += 1,
            Outcome::Skipped(_) => c.skipped += 1,
        }
    }
    c
}

/// The counts `render` writes on `<testsuites>` for `r`.
pub fn counts(r: &RunReport) -> JunitCounts {
    let all: Vec<Case> = suites(r).iter().flat_map(|s| suite_cases(r, s)).collect();
    count(&all)
}

/// A suite: its name, its files and the profiles its cases are limited to
/// (`None`: every profile a file was checked against).
type Suite<'a> = (String, Vec<&'a FileEntry>, Option<&'a [String]>);

/// A suite's cases: each file × profile, or one failure for a deliverable
/// of the board with no file.
fn suite_cases<'a>(r: &'a RunReport, suite: &Suite<'a>) -> Vec<Case<'a>> {
    let (name, files, only) = suite;
    let mut out: Vec<Case> = files
        .iter()
        .flat_map(|f| cases(f))
        .filter(|c| only.is_none_or(|p| p.iter().any(|p| p == c.profile)))
        .collect();
    let row = r.board.iter().flatten().find(|b| &b.id == name);
    if let Some(b) = row.filter(|b| b.files.is_empty()) {
        let expected = b.expected_files.unwrap_or(1);
        out.push(Case {
            file: None,
            classname: &b.id,
            profile: "files",
            outcome: Outcome::Missing(format!(
                "no file matches the deliverable's patterns ({expected} expected)"
            )),
            warnings: Vec::new(),
        });
    }
    out
}

/// Suites: one per deliverable of the board, in order, holding every file
/// it claims judged against its own profiles (runs saved before rows named
/// their profiles: the files tagged with it); then any other deliverable in
/// order of first appearance; then one per file of no deliverable.
fn suites(r: &RunReport) -> Vec<Suite<'_>> {
    let mut out: Vec<Suite> = Vec::new();
    for b in r.board.iter().flatten() {
        let files = if b.profiles.is_empty() {
            Vec::new()
        } else {
            b.files
                .iter()
                .filter_map(|p| r.files.iter().find(|f| f.name() == p))
                .filter(|f| f.report.is_some())
                .collect()
        };
        let only = (!b.profiles.is_empty()).then_some(b.profiles.as_slice());
        out.push((b.id.clone(), files, only));
    }
    for f in r.files.iter().filter(|f| f.report.is_some()) {
        let name = f
            .deliverable
            .clone()
            .unwrap_or_else(|| f.name().to_string());
        match out.iter_mut().find(|(n, _, _)| *n == name) {
            Some((_, _, Some(_))) => {}
            Some((_, files, None)) => files.push(f),
            None => out.push((name, vec![f], None)),
        }
    }
    out
}

/// ISO 8601 without a zone, as the JUnit schema's `timestamp` wants.
fn timestamp(rfc3339: &str) -> &str {
    rfc3339.trim_end_matches('Z')
}

/// The run as a JUnit XML document.
pub fn render(r: &RunReport) -> String {
    let mut s = String::with_capacity(8 * 1024);
    let total = counts(r);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        s,
        "<testsuites name=\"signoff {}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        escape(&r.roots.join(" ")),
        total.tests,
        total.failures,
        total.errors,
        total.skipped
    );
    for (id, one) in suites(r).iter().enumerate() {
        suite(&mut s, r, id, one);
    }
    s.push_str("</testsuites>\n");
    s
}

fn suite(s: &mut String, r: &RunReport, id: usize, one: &Suite) {
    let cases = suite_cases(r, one);
    let (name, files, _) = one;
    let c = count(&cases);
    let _ = writeln!(
        s,
        "  <testsuite name=\"{}\" id=\"{id}\" package=\"signoff\" tests=\"{}\" failures=\"{}\" \
         errors=\"{}\" skipped=\"{}\" time=\"0\" timestamp=\"{}\" hostname=\"{}\">",
        escape(name),
        c.tests,
        c.failures,
        c.errors,
        c.skipped,
        escape(timestamp(&r.started_at)),
        escape(r.host.as_deref().unwrap_or("localhost"))
    );
    s.push_str("    <properties>\n");
    let mut prop = |k: &str, v: &str| {
        let _ = writeln!(
            s,
            "      <property name=\"{}\" value=\"{}\"/>",
            escape(k),
            escape(v)
        );
    };
    prop("tool", &r.tool);
    for f in files {
        if let Some(v) = f.verdict() {
            prop(&format!("verdict {}", f.name()), verdict_name(v));
        }
        if let Some(h) = &f.sha256 {
            prop(&format!("sha256 {}", f.name()), h);
        }
    }
    s.push_str("    </properties>\n");
    for case in &cases {
        testcase(s, case);
    }
    s.push_str("  </testsuite>\n");
}

fn testcase(s: &mut String, c: &Case) {
    let _ = write!(
        s,
        "    <testcase name=\"{}\" classname=\"{}\" time=\"0\">",
        escape(c.profile),
        escape(c.classname)
    );
    match &c.outcome {
        Outcome::Pass => {}
        Outcome::Failure(found) => {
            let _ = write!(
                s,
                "\n      <failure message=\"{}\" type=\"qc\">{}</failure>",
                escape(&headline(found)),
                lines(found)
            );
        }
        Outcome::Error(why) => {
            let _ = write!(
                s,
                "\n      <error message=\"{}\" type=\"unreadable\">{}</error>",
                escape(why),
                escape(why)
            );
        }
        Outcome::Missing(why) => {
            let _ = write!(
                s,
                "\n      <failure message=\"{}\" type=\"missing\">{}</failure>",
                escape(why),
                escape(why)
            );
        }
        Outcome::Skipped(found) => {
            let _ = write!(
                s,
                "\n      <skipped message=\"{}\"/>",
                escape(&format!(
                    "{} rule(s) not evaluated: {}",
                    found.len(),
                    reasons(found)
                ))
            );
        }
    }
    let mut out = String::new();
    for w in &c.warnings {
        // a pass that rests on less than the rule asks says so
        let tag = if w.status == Status::Passed {
            "passed with a caveat"
        } else {
            "warning"
        };
        out.push_str(&format!("{tag}: {}\n", describe(w)));
    }
    if let Some(h) = c.file.and_then(|f| f.sha256.as_ref()) {
        out.push_str(&format!("sha256: {h}\n"));
    }
    if !out.is_empty() {
        let _ = write!(s, "\n      <system-out>{}</system-out>", escape_lines(&out));
    }
    if !matches!(c.outcome, Outcome::Pass) || !out.is_empty() {
        s.push_str("\n    ");
    }
    s.push_str("</testcase>\n");
}

fn headline(found: &[&Finding]) -> String {
    let first = found.first().map(|f| describe(f)).unwrap_or_default();
    match found.len() {
        1 => first,
        n => format!("{n} errors; first: {first}"),
    }
}

/// `video.frame_rate: message (expected X, actual Y) at 01:00:01:12`.
fn describe(f: &Finding) -> String {
    let mut s = format!(
        "{}: {} (expected {}, actual {})",
        f.rule_id, f.message, f.expected, f.actual
    );
    if let Some(tc) = &f.timecode {
        s.push_str(&format!(" at {tc}"));
    } else if let Some(p) = f.position_s {
        s.push_str(&format!(" at {p:.3} s"));
    }
    s
}

fn reasons(found: &[&Finding]) -> String {
    found
        .iter()
        .map(|f| match &f.status {
            Status::NotEvaluated { reason } => format!("{} ({reason})", f.rule_id),
            _ => f.rule_id.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn lines(found: &[&Finding]) -> String {
    let text: String = found.iter().map(|f| describe(f) + "\n").collect();
    escape_lines(&text)
}

/// Escapes each line, keeping our own line breaks.
fn escape_lines(text: &str) -> String {
    text.lines()
        .map(|l| escape(l).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::{sample_run, HOSTILE};

    #[test]
    fn counts_follow_the_verdicts() {
        let r = sample_run();
        assert_eq!(
            counts(&r),
            JunitCounts {
                tests: 3,
                failures: 1,
                errors: 1,
                skipped: 0
            }
        );
    }

    #[test]
    fn well_formed_and_escaped() {
        let xml = render(&sample_run());
        let mut reader = quick_xml::Reader::from_str(&xml);
        reader.config_mut().check_end_names = true;
        let mut suites = 0;
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(quick_xml::events::Event::Start(e)) if e.name().as_ref() == "testsuite" => {
                    suites += 1
                }
                Ok(_) => {}
                Err(e) => panic!("not well-formed: {e}\n{xml}"),
            }
        }
        assert_eq!(suites, 3, "FTR, TRL and the file of no deliverable");
        assert!(!xml.contains("<img"), "{xml}");
        assert!(!xml.contains("<script"));
        assert!(xml.contains(&*escape(HOSTILE)));
        assert!(xml.contains("timestamp=\"2026-11-05T14:03:22\""));
    }

    #[test]
    fn a_missing_deliverable_is_one_failing_case() {
        let mut r = sample_run();
        let before = counts(&r);
        r.board
            .as_mut()
            .unwrap()
            .push(crate::report::model::BoardRow {
                id: "dub-de".into(),
                title: "German dub".into(),
                state: "missing".into(),
                expected_files: Some(2),
                ..Default::default()
            });
        let c = counts(&r);
        assert_eq!(c.tests, before.tests + 1);
        assert_eq!(c.failures, before.failures + 1);
        let xml = render(&r);
        assert!(xml.contains("<testsuite name=\"dub-de\""), "{xml}");
        assert!(xml.contains("type=\"missing\""), "{xml}");
        assert!(xml.contains("(2 expected)"), "{xml}");
    }
}
