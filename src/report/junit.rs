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
//!
//! The run's fail policy decides, as it decides the exit code: with
//! `--fail-on not-evaluated` unevaluated rules are failures, with
//! `--fail-on warnings` warnings are; the files of an approved deliverable
//! are `<skipped>` ("accepted by approval"); and a deliverable the policy
//! fails whose files carry no failure (missing, incomplete, stale, overdue,
//! a file that could not be read at all) gets one failing case of its own
//! (`name="deliverable"`, `type` = the reason).

use super::model::{FileEntry, RunReport};
use super::xml::escape;
use crate::board::{DeliverableStatus, State};
use crate::policy::{FailPolicy, FailReason};
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
    Accepted(String),
    Deliverable(FailReason, String),
}

/// One test case: a file against one profile (or a missing deliverable).
struct Case<'a> {
    file: Option<&'a FileEntry>,
    classname: &'a str,
    profile: &'a str,
    outcome: Outcome<'a>,
    warnings: Vec<&'a Finding>,
}

fn cases<'a>(f: &'a FileEntry, policy: &FailPolicy) -> Vec<Case<'a>> {
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
            } else if !unevaluated.is_empty() && policy.not_evaluated {
                Outcome::Failure(unevaluated)
            } else if !unevaluated.is_empty() {
                Outcome::Skipped(unevaluated)
            } else {
                Outcome::Pass
            };
            let warnings: Vec<&Finding> = mine
                .into_iter()
                .filter(|x| {
                    (x.status == Status::Failed && x.severity == Severity::Warning)
                        || (x.status == Status::Passed
                            && crate::spec::layout::has_caveat(&x.message))
                })
                .collect();
            let outcome = match outcome {
                Outcome::Pass if policy.warnings && !warnings.is_empty() => {
                    Outcome::Failure(warnings.clone())
                }
                o => o,
            };
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
            Outcome::Failure(_) | Outcome::Deliverable(..) => c.failures += 1,
            Outcome::Error(_) => c.errors += 1,
            Outcome::Skipped(_) | Outcome::Accepted(_) => c.skipped += 1,
        }
    }
    c
}

/// The counts `render` writes on `<testsuites>` for `r`.
pub fn counts(r: &RunReport) -> JunitCounts {
    let all: Vec<Case> = suites(r).iter().flat_map(|s| suite_cases(r, s)).collect();
    count(&all)
}

/// A suite: its name, its files, the profiles its cases are limited to
/// (`None`: every profile a file was checked against) and its board row.
type Suite<'a> = (
    String,
    Vec<&'a FileEntry>,
    Option<&'a [String]>,
    Option<&'a DeliverableStatus>,
);

/// A suite's cases: each file × profile, judged by the run's policy; then,
/// for a deliverable the policy fails whose files carry no failure, one
/// failing case of its own.
fn suite_cases<'a>(r: &'a RunReport, suite: &Suite<'a>) -> Vec<Case<'a>> {
    let (_, files, only, row) = suite;
    let mut out: Vec<Case> = files
        .iter()
        .flat_map(|f| cases(f, &r.policy))
        .filter(|c| only.is_none_or(|p| p.iter().any(|p| p == c.profile)))
        .collect();
    let Some(b) = row else { return out };
    if b.state == State::Approved {
        let why = match b.approval.as_ref().and_then(|a| a.override_reason.as_ref()) {
            Some(o) => format!("accepted by approval (override: {o})"),
            None => "accepted by approval".to_string(),
        };
        for c in out.iter_mut() {
            if matches!(c.outcome, Outcome::Failure(_) | Outcome::Error(_)) {
                c.outcome = Outcome::Accepted(why.clone());
            }
        }
    }
    let carried = out
        .iter()
        .any(|c| matches!(c.outcome, Outcome::Failure(_) | Outcome::Error(_)));
    if let Some(reason) = r.policy.deliverable_fails(b).filter(|_| !carried) {
        out.push(Case {
            file: None,
            classname: &b.id,
            profile: "deliverable",
            outcome: Outcome::Deliverable(reason, deliverable_message(b, reason)),
            warnings: Vec::new(),
        });
    }
    out
}

/// Why a deliverable fails, in words.
fn deliverable_message(b: &DeliverableStatus, reason: FailReason) -> String {
    let n = b.files.len();
    let what = b.states_text();
    match reason {
        FailReason::Missing => format!(
            "missing: no file matches the deliverable's patterns ({} expected)",
            b.expected_files
        ),
        FailReason::Incomplete if !b.missing_sidecars.is_empty() => format!(
            "incomplete: no sidecar matches {}",
            b.missing_sidecars.join(", ")
        ),
        FailReason::Incomplete => format!("incomplete: {n} of {} files", b.expected_files),
        FailReason::ApprovalStale => format!(
            "approval stale: changed since approval: {}",
            b.stale_files.join(", ")
        ),
        FailReason::Overdue => format!(
            "overdue: due {} and not approved",
            b.due.as_deref().unwrap_or("?")
        ),
        FailReason::Failing if !b.findings.is_empty() => {
            format!("failing: {}", b.findings.join("; "))
        }
        FailReason::Failing => {
            let bad: Vec<String> = b
                .files
                .iter()
                .filter(|f| f.outcome.fails())
                .map(|f| f.path.display())
                .collect();
            format!("failing: {} cannot be read or fails QC", bad.join(", "))
        }
        FailReason::Warnings => format!("{what}: {} warning(s)", b.warning_count),
        FailReason::NotEvaluated => {
            format!("{what}: {} rule(s) not evaluated", b.not_evaluated_count)
        }
    }
}

/// Suites: one per deliverable of the board, in order, holding every file
/// it claims judged against its own profiles; then one per file of no
/// deliverable (every file without a plan).
fn suites(r: &RunReport) -> Vec<Suite<'_>> {
    let mut out: Vec<Suite> = Vec::new();
    for b in r.board.iter().flatten() {
        let files = if b.profiles.is_empty() {
            Vec::new()
        } else {
            b.files
                .iter()
                .filter_map(|p| r.files.iter().find(|f| f.name() == p.path.display()))
                .filter(|f| f.report.is_some())
                .collect()
        };
        out.push((b.id.clone(), files, Some(b.profiles.as_slice()), Some(b)));
    }
    for f in r.files.iter().filter(|f| f.report.is_some()) {
        let name = f
            .deliverable
            .clone()
            .unwrap_or_else(|| f.name().to_string());
        match out.iter_mut().find(|(n, ..)| *n == name) {
            Some((_, _, Some(_), _)) => {}
            Some((_, files, None, _)) => files.push(f),
            None => out.push((name, vec![f], None, None)),
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
    let (name, files, ..) = one;
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
            prop(&format!("verdict {}", f.name()), v.as_str());
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
        Outcome::Deliverable(kind, why) => {
            let _ = write!(
                s,
                "\n      <failure message=\"{}\" type=\"{}\">{}</failure>",
                escape(why),
                kind.as_str(),
                escape(why)
            );
        }
        Outcome::Accepted(why) => {
            let _ = write!(s, "\n      <skipped message=\"{}\"/>", escape(why));
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
    if f.timecode.is_some() {
        if let Some(tc) = f.timecode_to_show() {
            s.push_str(&format!(" at {tc}"));
        }
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
    fn more_files_than_count_is_one_failing_case() {
        let mut r = sample_run();
        let before = counts(&r);
        r.board
            .as_mut()
            .unwrap()
            .push(crate::board::DeliverableStatus {
                findings: vec!["2 files where the plan expects 1".into()],
                ..crate::report::testing::board_row(
                    "pm",
                    "Printmaster",
                    crate::board::State::Failing,
                )
            });
        let c = counts(&r);
        assert_eq!(c.failures, before.failures + 1);
        let xml = render(&r);
        assert!(
            xml.contains("failing: 2 files where the plan expects 1"),
            "{xml}"
        );
    }

    #[test]
    fn a_missing_deliverable_is_one_failing_case() {
        let mut r = sample_run();
        let before = counts(&r);
        r.board
            .as_mut()
            .unwrap()
            .push(crate::board::DeliverableStatus {
                expected_files: 2,
                ..crate::report::testing::board_row(
                    "dub-de",
                    "German dub",
                    crate::board::State::Missing,
                )
            });
        let c = counts(&r);
        assert_eq!(c.tests, before.tests + 1);
        assert_eq!(c.failures, before.failures + 1);
        let xml = render(&r);
        assert!(xml.contains("<testsuite name=\"dub-de\""), "{xml}");
        assert!(xml.contains("type=\"missing\""), "{xml}");
        assert!(xml.contains("(2 expected)"), "{xml}");
    }

    #[test]
    fn overdue_and_stale_fail_only_when_the_policy_says() {
        use crate::board::{BoardFile, FileOutcome, State};
        let mut r = sample_run();
        let passing_file = BoardFile {
            path: "art/key.jpg".into(),
            path_hex: None,
            outcome: FileOutcome {
                verdict: Some(crate::spec::Verdict::Pass),
                ..Default::default()
            },
        };
        let board = r.board.as_mut().unwrap();
        board.push(crate::board::DeliverableStatus {
            due: Some("2025-01-15".into()),
            states: vec![State::Passing, State::Overdue],
            files: vec![passing_file.clone()],
            ..crate::report::testing::board_row("key-art", "Key art", State::Passing)
        });
        let mut stale = board[0].clone();
        stale.id = "FTR2".into();
        stale.state = State::ApprovalStale;
        stale.states = vec![State::ApprovalStale];
        stale.stale_files = vec!["picture/FEATURE.mov".into()];
        board.push(stale);
        let before = counts(&r);
        let xml = render(&r);
        assert!(!xml.contains("overdue: due"), "{xml}");
        assert!(!xml.contains("approval stale:"), "{xml}");
        r.policy.overdue = true;
        r.policy.stale = true;
        let after = counts(&r);
        assert_eq!(after.failures, before.failures + 2, "one case each");
        let xml = render(&r);
        assert!(xml.contains("type=\"overdue\""), "{xml}");
        assert!(
            xml.contains("overdue: due 2025-01-15 and not approved"),
            "{xml}"
        );
        assert!(
            xml.contains("approval stale: changed since approval: picture/FEATURE.mov"),
            "{xml}"
        );
    }
}
