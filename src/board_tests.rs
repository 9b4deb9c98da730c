//! Unit tests of the board: every state and their precedence.

use super::*;
use crate::plan::model::{parse_date, Deliverable, Project};
use crate::plan::Matcher;

fn plan(count: usize, due: Option<&str>) -> Plan {
    Plan {
        project: Project::default(),
        deliverables: vec![Deliverable {
            id: "d".into(),
            title: "D".into(),
            patterns: vec!["*.wav".into()],
            count,
            due: due.map(String::from),
            owner: Some("Ana".into()),
            ..Default::default()
        }],
    }
}

fn ok(sha: &str) -> FileOutcome {
    FileOutcome {
        sha256: Some(sha.into()),
        verdict: Some(crate::spec::Verdict::Pass),
        warnings: 1,
        ..Default::default()
    }
}

fn approval(files: &[(&str, &str)]) -> Approval {
    Approval {
        by: "Ana".into(),
        role: None,
        at: "2025-01-01T00:00:00Z".into(),
        note: None,
        override_reason: None,
        files: files
            .iter()
            .map(|(p, h)| (RelPath::from(*p), h.to_string()))
            .collect(),
    }
}

fn run(
    plan: &Plan,
    files: &[(&str, FileOutcome)],
    approvals: &[(&str, Approval)],
) -> DeliverableStatus {
    let names: Vec<RelPath> = files.iter().map(|(p, _)| RelPath::from(*p)).collect();
    let matching = Matcher::new(plan).unwrap().match_files(&names);
    let files: BTreeMap<RelPath, FileOutcome> = files
        .iter()
        .map(|(p, o)| (RelPath::from(*p), o.clone()))
        .collect();
    let approvals: BTreeMap<String, Approval> = approvals
        .iter()
        .map(|(i, a)| (i.to_string(), a.clone()))
        .collect();
    let input = BoardInput {
        plan,
        matching: &matching,
        files: &files,
        approvals: &approvals,
        today: parse_date("2025-06-01").unwrap(),
    };
    board(&input).remove(0)
}

#[test]
fn missing_incomplete_failing_passing() {
    assert_eq!(run(&plan(1, None), &[], &[]).state, State::Missing);
    assert_eq!(
        run(&plan(2, None), &[("a.wav", ok("1"))], &[]).state,
        State::Incomplete
    );
    let fail = FileOutcome {
        verdict: Some(crate::spec::Verdict::Fail),
        errors: 2,
        ..ok("1")
    };
    let s = run(&plan(1, None), &[("a.wav", fail)], &[]);
    assert_eq!((s.state, s.error_count), (State::Failing, 2));
    let unreadable = FileOutcome::default();
    assert_eq!(
        run(&plan(1, None), &[("a.wav", unreadable)], &[]).state,
        State::Failing
    );
    let s = run(&plan(1, None), &[("a.wav", ok("1"))], &[]);
    assert_eq!(
        (s.state, s.warning_count, s.owner.as_deref()),
        (State::Passing, 1, Some("Ana"))
    );
}

#[test]
fn incomplete_beats_failing_and_missing_sidecar_is_incomplete() {
    let fail = FileOutcome {
        verdict: Some(crate::spec::Verdict::Fail),
        ..ok("1")
    };
    assert_eq!(
        run(&plan(2, None), &[("a.wav", fail)], &[]).state,
        State::Incomplete
    );
    let mut p = plan(1, None);
    p.deliverables[0].sidecars = vec!["*.srt".into()];
    let s = run(&p, &[("a.wav", ok("1"))], &[]);
    assert_eq!(
        (s.state, s.missing_sidecars.clone()),
        (State::Incomplete, vec!["*.srt".to_string()])
    );
}

#[test]
fn approved_and_stale_name_the_file() {
    let files = [("a.wav", ok("1")), ("b.wav", ok("2"))];
    let s = run(
        &plan(2, None),
        &files,
        &[("d", approval(&[("a.wav", "1"), ("b.wav", "2")]))],
    );
    assert_eq!(s.states, [State::Approved]);
    let s = run(
        &plan(2, None),
        &files,
        &[(
            "d",
            approval(&[("a.wav", "1"), ("b.wav", "9"), ("c.wav", "3")]),
        )],
    );
    assert_eq!(s.states, [State::ApprovalStale, State::Passing]);
    assert_eq!(s.stale_files, ["b.wav (changed)", "c.wav (removed)"]);
    let s = run(
        &plan(2, None),
        &files,
        &[("d", approval(&[("a.wav", "1")]))],
    );
    assert_eq!(s.stale_files, ["b.wav (added)"]);
}

#[test]
fn stale_keeps_the_qc_state_visible() {
    let fail = FileOutcome {
        verdict: Some(crate::spec::Verdict::Fail),
        ..ok("changed")
    };
    let s = run(
        &plan(1, None),
        &[("a.wav", fail)],
        &[("d", approval(&[("a.wav", "1")]))],
    );
    assert_eq!(s.states, [State::ApprovalStale, State::Failing]);
    assert!(any_failing(&[s]));
}

#[test]
fn overdue_is_a_flag_after_the_primary_state() {
    let late = Some("2025-05-31");
    assert_eq!(
        run(&plan(1, late), &[], &[]).states,
        [State::Missing, State::Overdue]
    );
    let s = run(&plan(1, late), &[("a.wav", ok("1"))], &[]);
    assert_eq!(
        (s.state, s.states.clone()),
        (State::Passing, vec![State::Passing, State::Overdue])
    );
    // Due today is not overdue; approved is never overdue.
    assert_eq!(
        run(&plan(1, Some("2025-06-01")), &[], &[]).states,
        [State::Missing]
    );
    let s = run(
        &plan(1, late),
        &[("a.wav", ok("1"))],
        &[("d", approval(&[("a.wav", "1")]))],
    );
    assert_eq!(s.states, [State::Approved]);
    let s = run(
        &plan(1, late),
        &[("a.wav", ok("2"))],
        &[("d", approval(&[("a.wav", "1")]))],
    );
    assert_eq!(
        s.states,
        [State::ApprovalStale, State::Passing, State::Overdue]
    );
}

#[test]
fn project_due_date_is_inherited() {
    let mut p = plan(1, None);
    p.project.due = Some("2025-01-01".into());
    let s = run(&p, &[], &[]);
    assert_eq!(
        (s.due.as_deref(), s.states.clone()),
        (Some("2025-01-01"), vec![State::Missing, State::Overdue])
    );
}

#[test]
fn a_file_claimed_twice_is_judged_by_each_deliverables_profiles() {
    let mut p = plan(1, None);
    p.deliverables[0].profiles = vec!["web".into()];
    let mut other = p.deliverables[0].clone();
    other.id = "e".into();
    other.profiles = vec!["broadcast".into()];
    p.deliverables.push(other);
    let mut o = ok("1");
    o.by_profile.insert(
        "web".into(),
        Counts {
            warnings: 1,
            ..Default::default()
        },
    );
    o.by_profile.insert(
        "broadcast".into(),
        Counts {
            errors: 3,
            ..Default::default()
        },
    );
    let matching = Matcher::new(&p)
        .unwrap()
        .match_files(&[RelPath::from("a.wav")]);
    let files = BTreeMap::from([(RelPath::from("a.wav"), o)]);
    let approvals = BTreeMap::new();
    let input = BoardInput {
        plan: &p,
        matching: &matching,
        files: &files,
        approvals: &approvals,
        today: parse_date("2025-06-01").unwrap(),
    };
    let b = board(&input);
    assert_eq!((b[0].state, b[0].warning_count), (State::Passing, 1));
    assert_eq!((b[1].state, b[1].error_count), (State::Failing, 3));
    assert_eq!(matching.double_claimed[&RelPath::from("a.wav")], ["d", "e"]);
}

#[test]
fn more_files_than_count_is_a_failing_finding() {
    let s = run(
        &plan(1, None),
        &[("a.wav", ok("1")), ("b.wav", ok("2")), ("c.wav", ok("3"))],
        &[],
    );
    assert_eq!(s.state, State::Failing);
    assert_eq!(s.findings, ["3 files where the plan expects 1"]);
    assert_eq!(s.error_count, 1);
    let exact = run(
        &plan(3, None),
        &[("a.wav", ok("1")), ("b.wav", ok("2")), ("c.wav", ok("3"))],
        &[],
    );
    assert_eq!((exact.state, exact.findings.len()), (State::Passing, 0));
}
