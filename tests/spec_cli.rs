//! `signoff specs lint|list|show` and `signoff check` through the binary.

mod common;

use assert_cmd::Command;
use predicates::str::contains;
use std::fs;

fn signoff() -> Command {
    let mut c = Command::cargo_bin("signoff").unwrap();
    c.env_remove("SIGNOFF_SPECS");
    c
}

#[test]
fn lint_prints_typo_wrong_type_and_cycle_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("b.toml"),
        "id = \"b\"\ntitle = \"b\"\nextends = \"a\"\n",
    )
    .unwrap();
    let a = dir.path().join("a.toml");
    fs::write(
        &a,
        "id = \"a\"\ntitle = \"a\"\nextends = \"b\"\n[video]\nframe_rat = \"25\"\nwidth = { min = \"wide\" }\n",
    )
    .unwrap();
    let a_s = a.display().to_string();
    signoff()
        .args(["specs", "lint", &a_s, "--specs-dir"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(contains(format!(
            "{a_s}:3:11: inheritance cycle: a → b → a"
        )))
        .stdout(contains(format!(
            "{a_s}:5:1: unknown key `video.frame_rat`; did you mean `frame_rate`?"
        )))
        .stdout(contains(format!(
            "{a_s}:6:9: `video.width`: `wide` is not a number"
        )));
}

#[test]
fn list_and_show_builtins() {
    signoff()
        .args(["specs", "list"])
        .assert()
        .success()
        .stdout(contains("netflix-prores-hq"))
        .stdout(contains("atsc-a85             secondary"));
    signoff()
        .args(["specs", "show", "ebu-r128-live"])
        .assert()
        .success()
        .stdout(contains("tolerance = 1.0"))
        .stdout(contains("[loudness.true_peak_dbtp]"));
    signoff()
        .args(["specs", "show", "ebu-r12"])
        .assert()
        .code(4)
        .stderr(contains("did you mean `ebu-r128`"));
}

#[test]
fn check_exit_codes_and_json() {
    let prores = common::media("prores_hq_8mono_tc.mov");
    let mp4 = common::media("h264_high_aac.mp4");
    signoff()
        .arg("check")
        .arg(&prores)
        .args(["--spec", "netflix-prores-hq"])
        .assert()
        .code(0)
        .stdout(contains("PASS"))
        .stdout(contains("0 not evaluated"));
    signoff()
        .arg("check")
        .arg(&mp4)
        .args(["--spec", "netflix-prores-hq"])
        .assert()
        .code(1)
        .stdout(contains("video codec is h264; the spec requires prores"));
    let out = signoff()
        .arg("check")
        .arg(&mp4)
        .arg(common::fixtures().join("bad/empty.mov"))
        .args(["--spec", "netflix-prores-hq", "--format", "json"])
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["schema_version"], 2);
    assert_eq!(doc["files"][0]["verdict"], "fail");
    assert_eq!(doc["files"][1]["verdict"], "unreadable");
}

#[test]
fn show_prints_bands_and_lint_refuses_a_warning_only_number() {
    signoff()
        .args(["specs", "show", "atsc-a85"])
        .assert()
        .success()
        .stdout(contains("tolerance = 2.0\nfail_tolerance = 5.0"))
        .stdout(contains("max = -2.0\nfail_max = -1.5"))
        .stdout(contains("confidence = \"secondary\""));
    signoff()
        .args(["specs", "show", "spotify"])
        .assert()
        .success()
        .stdout(contains("advisory = true"));

    let dir = tempfile::tempdir().unwrap();
    let soft = dir.path().join("soft.toml");
    fs::write(
        &soft,
        "id = \"soft\"\ntitle = \"t\"\nextends = \"atsc-a85\"\n[loudness]\nintegrated_lufs = { target = -24, tolerance = 2, severity = \"warning\" }\n",
    )
    .unwrap();
    let soft_s = soft.display().to_string();
    signoff()
        .args(["specs", "lint", &soft_s])
        .assert()
        .code(1)
        .stdout(contains(format!(
            "{soft_s}:5:19: `loudness.integrated_lufs`: `integrated_lufs` is a number: a warning-only rule on it would never fail a file clearly outside it"
        )));
    // Loading it for a check is refused too: it could hide a clear failure.
    signoff()
        .arg("check")
        .arg(common::media("wav_stereo_loud_-16.wav"))
        .args(["--spec", &soft_s])
        .assert()
        .code(4)
        .stderr(contains("warning-only rule"));
    let banded = dir.path().join("banded.toml");
    fs::write(
        &banded,
        "id = \"banded\"\ntitle = \"t\"\nextends = \"atsc-a85\"\n[loudness]\nintegrated_lufs = { target = -24, tolerance = 2, fail_tolerance = 10 }\n",
    )
    .unwrap();
    signoff()
        .args(["specs", "lint"])
        .arg(&banded)
        .assert()
        .code(0);
    signoff()
        .arg("check")
        .arg(common::media("wav_stereo_loud_-16.wav"))
        .arg("--spec")
        .arg(&banded)
        .assert()
        .code(0)
        .stdout(contains("band of doubt, a warning"));
}
