//! A compact Markdown summary of a run, for a ticket, a chat message or an
//! email: the verdict in one line, a table of files, the failures with
//! their timecodes, the board when there is one. Every string from a file
//! is escaped so it shows as text (no HTML, links or emphasis sneak in).

use super::model::{FileEntry, RunReport};
use crate::policy::RunVerdict;
use crate::spec::{Finding, Verdict};
use std::fmt::Write;

/// Most failures listed per file; the rest are counted.
const MAX_LISTED: usize = 10;

/// Escapes `s` for Markdown text or a table cell: CommonMark's inline
/// punctuation is backslash-escaped, `&` too (no entities), and control
/// characters and line breaks become visible `\u{..}`.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if crate::escape::is_dangerous(c) => {
                out.push_str(&format!("\\\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

fn mark(v: Option<Verdict>) -> &'static str {
    match v {
        Some(Verdict::Pass) => "✅",
        Some(Verdict::NotEvaluated) => "⚠️",
        Some(Verdict::Fail) => "❌",
        Some(Verdict::Unreadable) => "⛔",
        None => "·",
    }
}

/// The run as Markdown.
pub fn render(r: &RunReport) -> String {
    let mut s = String::new();
    header(&mut s, r);
    if let Some(board) = &r.board {
        let _ = writeln!(
            s,
            "\n| Deliverable | Title | State | Owner | Due | Errors | Warnings |"
        );
        s.push_str("|---|---|---|---|---|---:|---:|\n");
        for b in board {
            let mut state = b.states_text();
            if let Some(notes) = b.notes_text() {
                state.push_str(&format!(" ({notes})"));
            }
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} |",
                escape(&b.id),
                escape(&b.title),
                escape(&state),
                escape(b.owner.as_deref().unwrap_or("")),
                escape(b.due.as_deref().unwrap_or("")),
                b.error_count,
                b.warning_count
            );
        }
    }
    s.push_str("\n| | File | Verdict | Errors | Warnings |\n|---|---|---|---:|---:|\n");
    for f in &r.files {
        let (errors, warnings) = f.failed_counts();
        let _ = writeln!(
            s,
            "| {} | {} | {} | {errors} | {warnings} |",
            mark(f.verdict()),
            escape(f.name()),
            f.verdict().map(Verdict::word).unwrap_or("not checked")
        );
    }
    problems(&mut s, r);
    warnings(&mut s, r);
    caveats(&mut s, r);
    s
}

fn header(s: &mut String, r: &RunReport) {
    let c = r.counts();
    let d = r.decide();
    let mark = match d.verdict {
        RunVerdict::Pass => "✅",
        RunVerdict::NotEvaluated => "⚠️",
        RunVerdict::Fail => "❌",
        RunVerdict::Unreadable => "⛔",
    };
    let _ = writeln!(
        s,
        "**signoff QC: {}** {mark} (exit {})",
        escape(&d.headline()),
        d.verdict.exit_code()
    );
    let mut totals = Vec::new();
    if let Some(rows) = &r.board {
        let states: Vec<String> = r
            .deliverable_states()
            .iter()
            .map(|(st, n)| format!("{n} {}", st.word()))
            .collect();
        totals.push(format!(
            "{} deliverable{}: {}",
            rows.len(),
            if rows.len() == 1 { "" } else { "s" },
            states.join(", ")
        ));
    }
    let files: Vec<String> = c
        .parts()
        .iter()
        .map(|(_, n, word)| format!("{n} {word}"))
        .collect();
    totals.push(format!(
        "{} file{}: {}",
        c.files,
        if c.files == 1 { "" } else { "s" },
        files.join(", ")
    ));
    let _ = writeln!(s, "\n{}", totals.join(" · "));
    let mut about = Vec::new();
    if let Some(p) = &r.project {
        about.push(format!("project {}", escape(p)));
    }
    if let Some(d) = &r.distributor {
        about.push(format!("for {}", escape(d)));
    }
    let roots: Vec<String> = r.roots.iter().map(|x| escape(x)).collect();
    about.push(roots.join(", "));
    let profiles: Vec<String> = r.profiles.iter().map(|p| escape(&p.id)).collect();
    about.push(format!("profiles {}", profiles.join(", ")));
    let who = match (&r.user, &r.host) {
        (Some(u), Some(h)) => format!(" by {} on {}", escape(u), escape(h)),
        (Some(u), None) => format!(" by {}", escape(u)),
        _ => String::new(),
    };
    about.push(format!("{}{who}", escape(&r.finished_at)));
    about.push(escape(&r.tool));
    let _ = writeln!(s, "\n{}", about.join(" · "));
}

fn problems(s: &mut String, r: &RunReport) {
    let bad: Vec<&FileEntry> = r
        .files
        .iter()
        .filter(|f| matches!(f.verdict(), Some(Verdict::Fail | Verdict::Unreadable)))
        .collect();
    if bad.is_empty() {
        return;
    }
    s.push_str("\n**What failed**\n\n");
    for f in bad {
        let Some(report) = &f.report else { continue };
        if let Some(p) = &report.problem {
            let _ = writeln!(
                s,
                "- {}: cannot be read — {}",
                escape(f.name()),
                escape(&p.message)
            );
            continue;
        }
        let errors: Vec<&Finding> = report.findings.iter().filter(|x| x.is_error()).collect();
        let _ = writeln!(s, "- {}", escape(f.name()));
        for x in errors.iter().take(MAX_LISTED) {
            let _ = writeln!(
                s,
                "  - {}: {} (expected {}, actual {}){}",
                escape(&x.rule_id),
                escape(&x.message),
                escape(&x.expected),
                escape(&x.actual),
                at(x)
            );
        }
        if errors.len() > MAX_LISTED {
            let _ = writeln!(s, "  - … and {} more", errors.len() - MAX_LISTED);
        }
    }
}

/// ` at TIMECODE` after a finding's message, unless it has none or the
/// message already says it.
fn at(x: &Finding) -> String {
    x.timecode_to_show()
        .map(|t| format!(" at {}", escape(t)))
        .unwrap_or_default()
}

/// Every finding `keep` picks, with its file, in the run's order.
fn findings_where(r: &RunReport, keep: fn(&Finding) -> bool) -> Vec<(&FileEntry, &Finding)> {
    r.files
        .iter()
        .filter_map(|f| f.report.as_ref().map(|rep| (f, rep)))
        .flat_map(|(f, rep)| rep.findings.iter().filter(|x| keep(x)).map(move |x| (f, x)))
        .collect()
}

/// Failed warning-severity rules, described: they do not fail a file
/// (unless `--fail-on warnings`) but are worth a look.
fn warnings(s: &mut String, r: &RunReport) {
    let warned = findings_where(r, |x| {
        x.status == crate::spec::finding::Status::Failed
            && x.severity == crate::spec::Severity::Warning
    });
    if warned.is_empty() {
        return;
    }
    s.push_str("\n**Warnings**\n\n");
    for (f, x) in warned.iter().take(MAX_LISTED * 3) {
        let _ = writeln!(
            s,
            "- {}: {}: {} (expected {}, actual {}){}",
            escape(f.name()),
            escape(&x.rule_id),
            escape(&x.message),
            escape(&x.expected),
            escape(&x.actual),
            at(x)
        );
    }
    if warned.len() > MAX_LISTED * 3 {
        let _ = writeln!(s, "- … and {} more", warned.len() - MAX_LISTED * 3);
    }
}

/// Passes that rest on less than the rule asks (a layout matched by
/// channel count only, the file not labelling its channels).
fn caveats(s: &mut String, r: &RunReport) {
    let noted = findings_where(r, |x| {
        x.status == crate::spec::finding::Status::Passed
            && crate::spec::layout::has_caveat(&x.message)
    });
    if noted.is_empty() {
        return;
    }
    s.push_str("\n**Passed with a caveat**\n\n");
    for (f, x) in noted {
        let _ = writeln!(
            s,
            "- {}: {}: {}",
            escape(f.name()),
            escape(&x.rule_id),
            escape(&x.message)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::sample_run;

    #[test]
    fn escapes_what_markdown_would_interpret() {
        assert_eq!(
            escape("<img src=x onerror=alert(1)>.mov"),
            "\\<img src=x onerror=alert(1)\\>.mov"
        );
        assert_eq!(escape("a&b\"c'.wav"), "a\\&b\"c'.wav");
        assert_eq!(
            escape("[x](http://e) | *b* `c`"),
            "\\[x\\](http://e) \\| \\*b\\* \\`c\\`"
        );
        assert_eq!(escape("two\nlines\x1b"), "two\\\\u{a}lines\\\\u{1b}");
    }

    #[test]
    fn summary_names_every_file_and_escapes_them() {
        let md = render(&sample_run());
        assert!(
            md.starts_with("**signoff QC: UNREADABLE: 1 file unreadable, 1 file fails**"),
            "{md}"
        );
        assert!(md.contains("\\<img src=x onerror=alert(1)\\>.mov"));
        let unescaped = md.replace("\\<", "");
        assert!(!unescaped.contains("<img"));
        assert!(!unescaped.contains("<script"));
        assert!(md.contains("video.frame\\_rate"));
        assert!(md.contains("at 01:00:01:12"));
        assert!(md.contains("| FTR | Feature \\<main\\> | approved |"));
        assert!(
            md.contains("1 deliverable: 1 approved · 3 files: 1 pass, 1 fail, 1 unreadable"),
            "{md}"
        );
        assert!(md.contains("**Warnings**"), "{md}");
        for line in md.lines().filter(|l| l.starts_with("| ")) {
            let cells = line.matches(" | ").count();
            assert!(cells >= 4, "table row broken by an unescaped pipe: {line}");
        }
    }
}
