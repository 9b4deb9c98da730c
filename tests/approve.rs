//! `approve` says what it means, through the binary: it shows what it
//! approves file by file (warnings and rules not evaluated included), refuses
//! a deliverable with more files than its count or with none, records nothing
//! when it refuses (no approval, no run), and names the user from the login
//! name when no `$USER` says who.

mod common;

use common::ledger::{Backend, TestLedger};
use predicates::str::contains;
use std::fs;
use std::path::{Path, PathBuf};

both_backends!(
    approve_shows_each_file_with_its_warnings,
    refusals_record_nothing,
    the_login_name_signs_when_user_is_unset,
    the_role_is_recorded_and_fills_the_signature_block,
);

fn sample(backend: Backend) -> (tempfile::TempDir, PathBuf, TestLedger) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("FEATURE");
    common::copy_dir(&common::sample_delivery(), &root).unwrap();
    let ledger = TestLedger::new(backend, &root.join("signoff.ledger.sqlite"));
    (tmp, root, ledger)
}

fn approve(l: &TestLedger, root: &Path, id: &str) -> assert_cmd::Command {
    let mut c = l.signoff();
    c.args(["approve", id, "-q", "--root"]).arg(root);
    c
}

fn approve_shows_each_file_with_its_warnings(backend: Backend) {
    let (_tmp, root, l) = sample(backend);
    // --override so the test holds whatever severity the profile gives the rule.
    let out = approve(&l, &root, "trailer-web")
        .args(["--by", "Ana", "--override", "test"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("  picture/FEATURE_TRL_H264_25.mp4  ("))
        .unwrap_or_else(|| panic!("{text}"));
    let count = |word: &str| -> usize {
        let line = lines[at];
        line.split("; ")
            .find(|p| p.contains(word))
            .and_then(|p| p.split_whitespace().next())
            .and_then(|n| n.trim_start_matches('(').parse().ok())
            .unwrap_or(0)
    };
    let notes = &lines[at + 1..];
    let shown = |prefix: &str| {
        notes
            .iter()
            .take_while(|l| l.starts_with("      "))
            .filter(|l| l.trim_start().starts_with(prefix))
            .count()
    };
    assert!(count("warning(s)") + count("error(s)") > 0, "{text}");
    assert_eq!(shown("warning "), count("warning(s)"), "{text}");
    assert_eq!(shown("not evaluated "), count("not evaluated"), "{text}");
    assert!(
        text.contains("warning video.bit_rate_bps") || count("warning(s)") == 0,
        "{text}"
    );
}

fn refusals_record_nothing(backend: Backend) {
    let (_tmp, root, ledger) = sample(backend);
    ledger.signoff().arg("check").arg(&root).assert().code(1);
    let runs = ledger.count("SELECT COUNT(*) FROM runs");
    approve(&ledger, &root, "dub-de")
        .args(["--by", "Ana"])
        .assert()
        .code(1)
        .stderr(contains("it is missing"));
    // More files than the plan's count: a finding that refuses the approval.
    fs::copy(
        root.join("audio/FEATURE_PM_51_24bit.wav"),
        root.join("audio/FEATURE_PM_51_24bit_v2.wav"),
    )
    .unwrap();
    ledger
        .signoff()
        .arg("check")
        .arg(&root)
        .assert()
        .code(1)
        .stdout(contains("2 files where the plan expects 1"));
    let runs = runs + 1;
    approve(&ledger, &root, "printmaster-51")
        .args(["--by", "Ana"])
        .assert()
        .code(1)
        .stderr(contains("it is failing (2 files where the plan expects 1)"));
    approve(&ledger, &root, "nope")
        .args(["--by", "Ana"])
        .assert()
        .code(4);
    assert_eq!(ledger.count("SELECT COUNT(*) FROM approvals"), 0);
    assert_eq!(ledger.count("SELECT COUNT(*) FROM approval_files"), 0);
    assert_eq!(
        ledger.count("SELECT COUNT(*) FROM runs"),
        runs,
        "no run kept"
    );
}

fn the_login_name_signs_when_user_is_unset(backend: Backend) {
    let (_tmp, root, l) = sample(backend);
    let id = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    let name = String::from_utf8_lossy(&id.stdout).trim().to_string();
    approve(&l, &root, "feature-master")
        .env_remove("SIGNOFF_USER")
        .env_remove("USER")
        .env_remove("LOGNAME")
        .env_remove("USERNAME")
        .assert()
        .code(0)
        .stdout(contains(format!("approved feature-master by {name}:")));
}

/// `--role` is recorded with the approval: `approve` says it, `history`
/// lists it, the board shows it, and the report's signature block fills its role line (read back
/// from the ledger by `signoff report`); without it the line stays blank.
fn the_role_is_recorded_and_fills_the_signature_block(backend: Backend) {
    let (tmp, root, ledger) = sample(backend);
    approve(&ledger, &root, "printmaster-51")
        .args(["--by", "Dana Whitfield", "--role", "Head of Post"])
        .assert()
        .code(0)
        .stdout(contains(
            "approved printmaster-51 by Dana Whitfield (Head of Post): 1 file(s)",
        ));
    approve(&ledger, &root, "trailer-web")
        .args(["--by", "Ana", "--override", "test"])
        .assert()
        .code(0);
    let role = "SELECT COUNT(*) FROM approvals WHERE deliverable = 'printmaster-51' AND role = 'Head of Post'";
    assert_eq!(ledger.count(role), 1);
    let (_, history) = common::json_of(
        ledger
            .signoff()
            .args(["history", "printmaster-51", "--format", "json", "--root"])
            .arg(&root),
    );
    assert_eq!(history["approvals"][0]["role"], "Head of Post", "{history}");
    ledger
        .signoff()
        .args(["history", "printmaster-51", "--root"])
        .arg(&root)
        .assert()
        .stdout(predicates::str::contains(
            "APPROVED by Dana Whitfield (Head of Post) (1 file(s))",
        ));
    ledger
        .signoff()
        .arg("status")
        .arg(&root)
        .assert()
        .stdout(contains("approved by Dana Whitfield (Head of Post) at "));
    let html = tmp.path().join("qc.html");
    ledger
        .signoff()
        .arg("report")
        .arg(&root)
        .arg("--report")
        .arg(&html)
        .assert()
        .code(0);
    let html = fs::read_to_string(&html).unwrap();
    assert!(
        html.contains("<dd>Dana Whitfield</dd><dt>Role</dt><dd>Head of Post</dd>"),
        "{html}"
    );
    assert!(
        html.contains("<dd>Ana</dd><dt>Role</dt><dd class=\"blank\"></dd>"),
        "no --role: a line to fill by hand"
    );
}
