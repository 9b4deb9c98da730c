//! Human text for `signoff check`: a pass/fail line per file, then its
//! findings grouped by severity (failures, then rules not evaluated).
//! Returns strings; the binary prints them. Every name and value that came
//! from a file or a profile is escaped for the terminal here, so no name can
//! start a line of its own.

use super::finding::{FileReport, Finding, Status, Verdict};
use super::model::Severity;
use crate::escape::terminal;
use std::fmt::Write;

/// The verdict as shown to people.
pub fn verdict_word(v: Verdict) -> &'static str {
    v.word()
}

fn count(r: &FileReport, f: impl Fn(&Finding) -> bool) -> usize {
    r.findings.iter().filter(|x| f(x)).count()
}

fn failed(sev: Severity) -> impl Fn(&Finding) -> bool {
    move |x| x.status == Status::Failed && x.severity == sev
}

/// One file's block: verdict line, then findings that did not pass.
pub fn file(r: &FileReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<13} {}  [{}]",
        verdict_word(r.verdict),
        terminal(&r.path.to_string_lossy()),
        terminal(&r.profiles.join(", "))
    );
    if let Some(p) = &r.problem {
        let _ = writeln!(s, "  could not be read: {}", terminal(&p.message));
        return s;
    }
    let errors = count(r, failed(Severity::Error));
    let warnings = count(r, failed(Severity::Warning));
    let _ = writeln!(
        s,
        "  {errors} error{}, {warnings} warning{}, {} info, {} not evaluated, {} passed",
        plural(errors),
        plural(warnings),
        count(r, failed(Severity::Info)),
        count(r, Finding::is_not_evaluated),
        count(r, |x| x.status == Status::Passed),
    );
    for sev in [Severity::Error, Severity::Warning, Severity::Info] {
        section(
            &mut s,
            sev.as_str(),
            r.findings.iter().filter(|x| failed(sev)(x)),
        );
    }
    section(
        &mut s,
        "not evaluated",
        r.findings.iter().filter(|x| x.is_not_evaluated()),
    );
    // Passes that rest on less than the rule asks (a layout matched by
    // channel count only) are shown, never hidden among the passes.
    section(
        &mut s,
        "passed with a caveat",
        r.findings
            .iter()
            .filter(|x| x.status == Status::Passed && super::layout::has_caveat(&x.message)),
    );
    s
}

fn section<'a>(s: &mut String, title: &str, items: impl Iterator<Item = &'a Finding>) {
    let items: Vec<&Finding> = items.collect();
    if items.is_empty() {
        return;
    }
    let _ = writeln!(s, "  {title}:");
    for f in items {
        let mut line = format!("    {:<28} ", terminal(&f.rule_id));
        if let Some(i) = f.stream_index {
            let _ = write!(line, "stream {i:<3} ");
        }
        line.push_str(&terminal(&f.message));
        if f.timecode.is_some() {
            if let Some(tc) = f.timecode_to_show() {
                let _ = write!(line, " at {}", terminal(tc));
            }
        } else if let Some(t) = f.position_s {
            let _ = write!(line, " at {t:.1} s");
        }
        if let Some(c) = &f.source_clause {
            let _ = write!(line, "  [{} {}]", terminal(&f.profile), terminal(c));
        }
        let _ = writeln!(s, "{}", line.trim_end());
    }
}

/// The closing count line (`3 files: 1 pass, 1 fail, 0 not evaluated, 1 unreadable`).
pub fn summary(reports: &[FileReport]) -> String {
    let n = |v| reports.iter().filter(|r| r.verdict == v).count();
    format!(
        "{} file{}: {} pass, {} fail, {} not evaluated, {} unreadable",
        reports.len(),
        if reports.len() == 1 { "" } else { "s" },
        n(Verdict::Pass),
        n(Verdict::Fail),
        n(Verdict::NotEvaluated),
        n(Verdict::Unreadable),
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
