//! Snapshot tests (insta) of what people read in the terminal: the board,
//! `check -v`, `check -q` (only what needs action), `--color always`, and `NO_COLOR` beating
//! `CLICOLOR_FORCE`; the ledger path and run numbers are redacted.

mod common;

use assert_cmd::Command;
use regex::Regex;
use std::path::Path;

/// `signoff check` of the sample delivery with `args`, environment `env`, its stdout redacted.
fn board(ledger: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut cmd = Command::cargo_bin("signoff").unwrap();
    cmd.arg("check")
        .arg(common::sample_delivery())
        .arg("--ledger")
        .arg(ledger)
        .args(["--today", "2026-12-01"])
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "the sample delivery fails the run"
    );
    let text = String::from_utf8(out.stdout).unwrap();
    redact(&text, ledger)
}

fn redact(text: &str, ledger: &Path) -> String {
    let text = text.replace(&ledger.display().to_string(), "[LEDGER]");
    let text = text.replace(&common::sample_delivery().display().to_string(), "[ROOT]");
    let run = Regex::new(r"run \d+ \(\d+ files reused, \d+ analysed\)").unwrap();
    let text = run.replace_all(&text, "run [N] ([reused], [analysed])");
    // Escape codes made visible, so a snapshot shows where colour is.
    text.replace('\u{1b}', "␛")
}

#[test]
fn the_board_as_people_read_it() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.sqlite");
    let plain = board(&ledger, &[], &[]);
    assert!(!plain.contains('␛'), "no escape codes into a pipe");
    insta::assert_snapshot!("board", plain);
    insta::assert_snapshot!("board_verbose", board(&ledger, &["-v"], &[]));
    let quiet = board(&ledger, &["-q"], &[]);
    insta::assert_snapshot!("board_quiet", quiet);
    // `status -q` shows the same: what needs action, the totals, the verdict.
    let status = Command::cargo_bin("signoff")
        .unwrap()
        .arg("status")
        .arg(common::sample_delivery())
        .arg("--ledger")
        .arg(&ledger)
        .args(["--today", "2026-12-01", "-q"])
        .output()
        .unwrap();
    let status = String::from_utf8(status.stdout).unwrap();
    let rows = |t: &str| t[t.find("DELIVERABLE").unwrap()..].to_string();
    assert_eq!(rows(&redact(&status, &ledger)), rows(&quiet));
    assert!(!quiet.contains("feature-master") && quiet.contains("dub-de"));
    let always = board(&ledger, &["--color", "always"], &[]);
    assert!(always.contains("␛[1m␛[31mFAILING"), "{always}");
    insta::assert_snapshot!("board_color_always", always);
    let forced = board(&ledger, &[], &[("CLICOLOR_FORCE", "1")]);
    assert!(forced.contains('␛'), "CLICOLOR_FORCE colours a pipe");
    let no_color = board(&ledger, &[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert_eq!(no_color, plain, "NO_COLOR beats CLICOLOR_FORCE");
    let never = board(&ledger, &["--color", "never"], &[("CLICOLOR_FORCE", "1")]);
    assert_eq!(never, plain, "--color never beats CLICOLOR_FORCE");
}

#[test]
fn no_command_and_zero_jobs_are_usage_errors() {
    let code = |args: &[&str]| {
        let out = Command::cargo_bin("signoff")
            .unwrap()
            .args(args)
            .output()
            .unwrap();
        out.status.code()
    };
    assert_eq!(code(&[]), Some(3));
    assert_eq!(code(&["scan", "--jobs", "0", "."]), Some(3));
    assert_eq!(code(&["--version"]), Some(0));
}

#[test]
fn completions_and_man_page_come_from_the_clap_definition() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = Command::cargo_bin("signoff")
            .unwrap()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success());
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(
            script.contains("verify") && script.contains("color"),
            "{shell}"
        );
    }
    let out = Command::cargo_bin("signoff")
        .unwrap()
        .arg("man")
        .output()
        .unwrap();
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(
        page.starts_with(".ie") && page.contains(".TH signoff 1"),
        "{page}"
    );
}
