//! Errors that help (issue 14): the real binary, given what a new user
//! types wrong, answers in plain words, with the usage or setup exit code,
//! before any work is spent.

mod common;

use assert_cmd::Command;
use predicates::str::contains;

fn signoff() -> Command {
    Command::cargo_bin("signoff").unwrap()
}

#[test]
fn a_path_that_does_not_exist_is_named_as_such() {
    signoff()
        .args(["check", "--spec", "ebu-r128", "/nonexistent/master.mov"])
        .assert()
        .code(4)
        .stderr(contains("/nonexistent/master.mov does not exist"));
    signoff()
        .args(["check", "/nonexistent"])
        .assert()
        .code(4)
        .stderr(contains("/nonexistent does not exist"));
}

#[test]
fn a_report_into_a_missing_folder_is_refused_before_the_run() {
    signoff()
        .args([
            "check",
            "--spec",
            "ebu-r128",
            "--report",
            "/nonexistent/qc.html",
        ])
        .arg(common::media("wav_mono_24bit.wav"))
        .assert()
        .code(3)
        .stderr(contains("the folder `/nonexistent` does not exist"));
}

#[test]
fn a_misspelt_value_in_a_profile_gets_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.toml");
    std::fs::write(
        &file,
        "id = \"mine\"\ntitle = \"Mine\"\n[video]\nscan_type = \"progresive\"\ncolor_range = \"limited\"\n",
    )
    .unwrap();
    signoff()
        .args(["specs", "lint"])
        .arg(&file)
        .assert()
        .code(1)
        .stdout(contains(
            "mine.toml:4:13: `video.scan_type`: `progresive` is not a scan type signoff reads; did you mean `progressive`?",
        ))
        .stdout(contains("`limited` is not a colour range signoff reads; did you mean `tv`?"));
}

#[test]
fn a_programme_shorter_than_a_gating_block_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("short.wav");
    let made = std::process::Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "sine=d=0.25:r=48000",
        ])
        .arg(&wav)
        .status()
        .unwrap();
    assert!(made.success());
    signoff()
        .args(["check", "--spec", "ebu-r128", "-v"])
        .arg(&wav)
        .assert()
        .stdout(contains(
            "the programme is 250 ms long, shorter than one 400 ms gating block",
        ));
}

#[test]
fn no_command_and_zero_jobs_are_usage_errors() {
    signoff().assert().code(3);
    signoff()
        .args(["check", "--spec", "ebu-r128", "--jobs", "0"])
        .arg(common::media("wav_mono_24bit.wav"))
        .assert()
        .code(3);
}

/// A plan whose `[project] logo` cannot go into a report is refused before
/// the run (nothing analysed, no ledger written), with the setup code,
/// naming the file and why; without a report the logo is not needed.
#[test]
fn a_bad_logo_is_refused_before_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("FEATURE");
    common::copy_dir(&common::sample_delivery(), &root).unwrap();
    std::fs::write(tmp.path().join("logo.png"), "<svg onload=alert(1)>").unwrap();
    let plan = root.join("signoff.toml");
    let text = std::fs::read_to_string(&plan).unwrap().replacen(
        "[project]\n",
        "[project]\nlogo = \"../logo.png\"\n",
        1,
    );
    std::fs::write(&plan, text).unwrap();
    let ledger = tmp.path().join("l.sqlite");
    let html = tmp.path().join("qc.html");
    let with_report = |command: &str| {
        let mut c = common::plan_signoff();
        c.arg(command).arg(&root).arg("--ledger").arg(&ledger);
        c.arg("--report").arg(&html);
        c
    };
    with_report("check")
        .assert()
        .code(4)
        .stderr(contains("logo.png is not a PNG, JPEG, GIF or WebP image"));
    assert!(!ledger.exists(), "refused before the run");
    assert!(!html.exists());
    std::fs::remove_file(tmp.path().join("logo.png")).unwrap();
    with_report("report")
        .assert()
        .code(4)
        .stderr(contains("failed to read the plan's logo"))
        .stderr(contains("logo.png"));
    assert!(!ledger.exists() && !html.exists());
}
