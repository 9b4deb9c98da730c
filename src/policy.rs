//! What fails a run: one documented policy ([`FailPolicy`]) applied by every
//! output alike — the exit code, the JUnit XML, the HTML and Markdown
//! headlines and the terminal summary all call [`FailPolicy::decide_files`]
//! or [`FailPolicy::decide_board`] and show the same [`Decision`].
//!
//! By default a run fails when a file fails an error-severity rule or cannot
//! be read, and (with a plan) when a deliverable is failing or missing.
//! `--fail-on` adds more: `warnings` (a failed warning-severity rule),
//! `not-evaluated` (a rule that could not be checked), `incomplete` (a
//! deliverable with fewer files than its count, or a missing sidecar),
//! `stale` (an approval whose files changed since) and `overdue` (past its
//! due date and not approved). A run that nothing fails but in which some
//! rule could not be evaluated is [`RunVerdict::NotEvaluated`], never a
//! pass (exit 0 all the same: nothing fails it). See docs/json.md ("What
//! fails a run").

use crate::board::{DeliverableStatus, State};
use crate::spec::Verdict;
use serde::{Deserialize, Serialize};

/// One thing `--fail-on` can add to the default policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailOn {
    /// A failed warning-severity rule.
    Warnings,
    /// A rule that could not be evaluated.
    NotEvaluated,
    /// A deliverable with fewer files than its count (or a missing sidecar).
    Incomplete,
    /// A stale approval (a file changed, appeared or went since).
    Stale,
    /// A deliverable past its due date and not approved.
    Overdue,
}

impl FailOn {
    /// Every choice, with its command-line name.
    pub const ALL: [(FailOn, &'static str); 5] = [
        (FailOn::Warnings, "warnings"),
        (FailOn::NotEvaluated, "not-evaluated"),
        (FailOn::Incomplete, "incomplete"),
        (FailOn::Stale, "stale"),
        (FailOn::Overdue, "overdue"),
    ];

    /// Parses a command-line name (`warnings`, `not-evaluated`, `incomplete`, `stale`, `overdue`).
    pub fn parse(s: &str) -> Result<FailOn, String> {
        let s = s.trim().to_ascii_lowercase().replace('_', "-");
        FailOn::ALL
            .iter()
            .find(|(_, n)| *n == s)
            .map(|(f, _)| *f)
            .ok_or_else(|| {
                let names: Vec<&str> = FailOn::ALL.iter().map(|(_, n)| *n).collect();
                format!("`{s}` is not one of {}", names.join(", "))
            })
    }
}

/// What fails a run. The default fails on failing and unreadable files and
/// failing and missing deliverables; each flag adds one more condition.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailPolicy {
    /// Failed warning-severity rules fail the run.
    #[serde(default)]
    pub warnings: bool,
    /// Rules not evaluated fail the run.
    #[serde(default)]
    pub not_evaluated: bool,
    /// Incomplete deliverables fail the run.
    #[serde(default)]
    pub incomplete: bool,
    /// Stale approvals fail the run.
    #[serde(default)]
    pub stale: bool,
    /// Overdue deliverables fail the run.
    #[serde(default)]
    pub overdue: bool,
}

/// Why a deliverable fails the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailReason {
    /// No file matches.
    Missing,
    /// A file fails QC or cannot be read.
    Failing,
    /// Fewer files than its count, or a sidecar missing (`--fail-on incomplete`).
    Incomplete,
    /// A stale approval (`--fail-on stale`).
    ApprovalStale,
    /// Past due and not approved (`--fail-on overdue`).
    Overdue,
    /// Failed warning-severity rules (`--fail-on warnings`).
    Warnings,
    /// Rules not evaluated (`--fail-on not-evaluated`).
    NotEvaluated,
}

impl FailReason {
    /// The wire name (JUnit's failure `type`).
    pub fn as_str(self) -> &'static str {
        match self {
            FailReason::Missing => State::Missing.as_str(),
            FailReason::Failing => State::Failing.as_str(),
            FailReason::Incomplete => State::Incomplete.as_str(),
            FailReason::ApprovalStale => State::ApprovalStale.as_str(),
            FailReason::Overdue => State::Overdue.as_str(),
            FailReason::Warnings => "warnings",
            FailReason::NotEvaluated => Verdict::NotEvaluated.as_str(),
        }
    }
}

/// The run's answer: what the exit code, the JUnit and every headline say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunVerdict {
    /// Nothing the policy fails on, and every rule was evaluated.
    Pass,
    /// Nothing the policy fails on, but some rule could not be evaluated
    /// (exit 0, as nothing fails the run; never called a pass).
    /// `--fail-on not-evaluated` makes it a failure.
    NotEvaluated,
    /// Something the policy fails on (exit 1).
    Fail,
    /// Some file could not be read (exit 2); the run fails.
    Unreadable,
}

impl RunVerdict {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            RunVerdict::Pass => "pass",
            RunVerdict::NotEvaluated => "not_evaluated",
            RunVerdict::Fail => "fail",
            RunVerdict::Unreadable => "unreadable",
        }
    }

    /// The headline word for people.
    pub fn word(self) -> &'static str {
        match self {
            RunVerdict::Pass => "PASS",
            RunVerdict::NotEvaluated => "NOT EVALUATED",
            RunVerdict::Fail => "FAIL",
            RunVerdict::Unreadable => "UNREADABLE",
        }
    }

    /// The process exit code ([`crate::exit`]).
    pub fn exit_code(self) -> u8 {
        match self {
            RunVerdict::Pass | RunVerdict::NotEvaluated => crate::exit::OK,
            RunVerdict::Fail => crate::exit::QC_FAILED,
            RunVerdict::Unreadable => crate::exit::UNREADABLE,
        }
    }
}

/// The decision on a run: its verdict, why it fails (`reasons`) and what is
/// worth a look but does not fail it under this policy (`notes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The run's answer.
    pub verdict: RunVerdict,
    /// What fails it (`1 deliverable missing`), empty when it passes.
    pub reasons: Vec<String>,
    /// What does not fail it under this policy (`2 rules not evaluated`).
    pub notes: Vec<String>,
}

impl Decision {
    /// The headline: `FAIL: 1 deliverable missing, 2 files fail` (notes after `·`).
    pub fn headline(&self) -> String {
        let mut s = self.verdict.word().to_string();
        if !self.reasons.is_empty() {
            s.push_str(": ");
            s.push_str(&self.reasons.join(", "));
        }
        if !self.notes.is_empty() {
            s.push_str(" · not failing: ");
            s.push_str(&self.notes.join(", "));
        }
        s
    }
}

/// A file as the policy sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileView {
    /// The verdict, when the file was checked.
    pub verdict: Option<Verdict>,
    /// Failed warning-severity rules.
    pub warnings: usize,
    /// Whether the file could not be read at all (no hash).
    pub unreadable: bool,
}

/// Tally of conditions, each with a count, split into failing and not.
struct Tally {
    policy_reasons: Vec<String>,
    notes: Vec<String>,
    unreadable: bool,
    /// Some rule could not be evaluated: the run is not a pass.
    unevaluated: bool,
}

impl Tally {
    fn new() -> Self {
        Tally {
            policy_reasons: Vec::new(),
            notes: Vec::new(),
            unreadable: false,
            unevaluated: false,
        }
    }

    fn add(&mut self, n: usize, one: &str, many: &str, fails: bool) {
        if n == 0 {
            return;
        }
        let text = format!("{n} {}", if n == 1 { one } else { many });
        if fails {
            self.policy_reasons.push(text);
        } else {
            self.notes.push(text);
        }
    }

    fn decision(self) -> Decision {
        let verdict = match (self.unreadable, self.policy_reasons.is_empty()) {
            (true, _) => RunVerdict::Unreadable,
            (false, false) => RunVerdict::Fail,
            (false, true) if self.unevaluated => RunVerdict::NotEvaluated,
            (false, true) => RunVerdict::Pass,
        };
        Decision {
            verdict,
            reasons: self.policy_reasons,
            notes: self.notes,
        }
    }
}

impl FailPolicy {
    /// The policy with `flags` added to the default.
    pub fn with(flags: &[FailOn]) -> Self {
        let mut p = FailPolicy::default();
        for f in flags {
            match f {
                FailOn::Warnings => p.warnings = true,
                FailOn::NotEvaluated => p.not_evaluated = true,
                FailOn::Incomplete => p.incomplete = true,
                FailOn::Stale => p.stale = true,
                FailOn::Overdue => p.overdue = true,
            }
        }
        p
    }

    /// Whether one file fails the run by itself.
    pub fn file_fails(&self, f: &FileView) -> bool {
        f.unreadable
            || matches!(f.verdict, Some(Verdict::Fail | Verdict::Unreadable))
            || (self.not_evaluated && f.verdict == Some(Verdict::NotEvaluated))
            || (self.warnings && f.warnings > 0)
    }

    /// The decision on a run without a plan: its files alone.
    pub fn decide_files(&self, files: &[FileView]) -> Decision {
        self.decide(&[], files)
    }

    /// The decision on a planned run: its board.
    pub fn decide_board(&self, board: &[DeliverableStatus]) -> Decision {
        self.decide(board, &[])
    }

    /// The decision on a board and on checked files that belong to no
    /// deliverable of it (every file, without a plan).
    pub fn decide(&self, board: &[DeliverableStatus], loose: &[FileView]) -> Decision {
        let mut t = Tally::new();
        self.tally_board(&mut t, board);
        self.tally_files(&mut t, loose);
        t.decision()
    }

    fn tally_files(&self, t: &mut Tally, files: &[FileView]) {
        let n = |v: Verdict| files.iter().filter(|f| f.verdict == Some(v)).count();
        let unreadable = files
            .iter()
            .filter(|f| f.unreadable || f.verdict == Some(Verdict::Unreadable))
            .count();
        t.unreadable |= unreadable > 0;
        t.add(unreadable, "file unreadable", "files unreadable", true);
        t.add(n(Verdict::Fail), "file fails", "files fail", true);
        t.unevaluated |= n(Verdict::NotEvaluated) > 0;
        t.add(
            n(Verdict::NotEvaluated),
            "file with rules not evaluated",
            "files with rules not evaluated",
            self.not_evaluated,
        );
        let warned = files
            .iter()
            .filter(|f| f.warnings > 0 && !matches!(f.verdict, Some(Verdict::Fail)))
            .count();
        t.add(
            warned,
            "file with warnings",
            "files with warnings",
            self.warnings,
        );
    }

    /// Why one deliverable fails the run under this policy (`None`: it does not).
    pub fn deliverable_fails(&self, d: &DeliverableStatus) -> Option<FailReason> {
        if d.state == State::Approved {
            return None;
        }
        let has = |s: State| d.states.contains(&s);
        if has(State::Missing) {
            Some(FailReason::Missing)
        } else if has(State::Failing) {
            Some(FailReason::Failing)
        } else if self.incomplete && has(State::Incomplete) {
            Some(FailReason::Incomplete)
        } else if self.stale && has(State::ApprovalStale) {
            Some(FailReason::ApprovalStale)
        } else if self.overdue && has(State::Overdue) {
            Some(FailReason::Overdue)
        } else if self.warnings && d.warning_count > 0 {
            Some(FailReason::Warnings)
        } else if self.not_evaluated && d.not_evaluated_count > 0 {
            Some(FailReason::NotEvaluated)
        } else {
            None
        }
    }

    fn tally_board(&self, t: &mut Tally, board: &[DeliverableStatus]) {
        let live: Vec<&DeliverableStatus> = board
            .iter()
            .filter(|d| d.state != State::Approved)
            .collect();
        let n = |s: State| live.iter().filter(|d| d.states.contains(&s)).count();
        t.unreadable |= live
            .iter()
            .flat_map(|d| &d.files)
            .any(|f| f.outcome.sha256.is_none() || f.outcome.verdict == Some(Verdict::Unreadable));
        t.add(
            n(State::Missing),
            "deliverable missing",
            "deliverables missing",
            true,
        );
        t.add(
            n(State::Failing),
            "deliverable failing",
            "deliverables failing",
            true,
        );
        t.add(
            n(State::Incomplete),
            "deliverable incomplete (files missing)",
            "deliverables incomplete (files missing)",
            self.incomplete,
        );
        t.add(
            n(State::ApprovalStale),
            "approval stale",
            "approvals stale",
            self.stale,
        );
        t.add(
            n(State::Overdue),
            "deliverable overdue",
            "deliverables overdue",
            self.overdue,
        );
        let warned = live.iter().filter(|d| d.warning_count > 0).count();
        t.add(
            warned,
            "deliverable with warnings",
            "deliverables with warnings",
            self.warnings,
        );
        let unevaluated = live.iter().filter(|d| d.not_evaluated_count > 0).count();
        t.unevaluated |= unevaluated > 0;
        t.add(
            unevaluated,
            "deliverable with rules not evaluated",
            "deliverables with rules not evaluated",
            self.not_evaluated,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_flag() {
        for (f, n) in FailOn::ALL {
            assert_eq!(FailOn::parse(n), Ok(f));
        }
        assert_eq!(FailOn::parse("not_evaluated"), Ok(FailOn::NotEvaluated));
        assert!(FailOn::parse("nope").unwrap_err().contains("warnings"));
    }

    #[test]
    fn files_fail_by_default_only_on_fail_and_unreadable() {
        let f = |verdict, warnings| FileView {
            verdict: Some(verdict),
            warnings,
            unreadable: false,
        };
        let p = FailPolicy::default();
        let d = p.decide_files(&[f(Verdict::Pass, 1), f(Verdict::NotEvaluated, 0)]);
        assert_eq!(d.verdict, RunVerdict::NotEvaluated, "never a pass");
        assert_eq!(d.verdict.exit_code(), crate::exit::OK, "nothing fails it");
        assert_eq!(d.notes.len(), 2, "{d:?}");
        assert_eq!(
            d.headline(),
            "NOT EVALUATED · not failing: 1 file with rules not evaluated, 1 file with warnings"
        );
        let d = p.decide_files(&[f(Verdict::Pass, 1)]);
        assert_eq!(d.verdict, RunVerdict::Pass, "a warning is evaluated");
        let strict = FailPolicy::with(&[FailOn::NotEvaluated]);
        let d = strict.decide_files(&[f(Verdict::NotEvaluated, 0)]);
        assert_eq!(d.verdict, RunVerdict::Fail);
        let d = p.decide_files(&[f(Verdict::Fail, 0), f(Verdict::Unreadable, 0)]);
        assert_eq!(d.verdict, RunVerdict::Unreadable);
        assert_eq!(d.verdict.exit_code(), crate::exit::UNREADABLE);
    }

    #[test]
    fn the_board_fails_on_missing_and_failing_and_what_fail_on_adds() {
        use crate::report::testing::board_row;
        let with = |state: State, extra: &[State]| {
            let mut d = board_row("d", "D", state);
            d.states.extend_from_slice(extra);
            d
        };
        let p = FailPolicy::default();
        let missing = with(State::Missing, &[State::Overdue]);
        let d = p.decide_board(std::slice::from_ref(&missing));
        assert_eq!(d.verdict, RunVerdict::Fail);
        assert_eq!(d.reasons, ["1 deliverable missing"]);
        assert_eq!(d.notes, ["1 deliverable overdue"]);
        let stale = with(State::ApprovalStale, &[State::Passing]);
        assert_eq!(
            p.decide_board(std::slice::from_ref(&stale)).verdict,
            RunVerdict::Pass
        );
        let strict = FailPolicy::with(&[FailOn::Stale]);
        assert_eq!(
            strict.deliverable_fails(&stale),
            Some(FailReason::ApprovalStale)
        );
        assert_eq!(strict.decide_board(&[stale]).verdict, RunVerdict::Fail);
        let incomplete = with(State::Incomplete, &[]);
        assert_eq!(p.deliverable_fails(&incomplete), None);
        let every = FailPolicy::with(&[FailOn::Incomplete, FailOn::Overdue]);
        assert_eq!(
            every.deliverable_fails(&incomplete),
            Some(FailReason::Incomplete)
        );
        // An approved deliverable (override included) never fails the run.
        let approved = with(State::Approved, &[]);
        assert_eq!(every.decide_board(&[approved]).verdict, RunVerdict::Pass);
    }
}
