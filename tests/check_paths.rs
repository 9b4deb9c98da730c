//! `signoff check` on folders and odd arguments: media found by content,
//! sidecars left alone, unreadable and non-media files reported, never skipped.

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn check(args: &[&Path]) -> (i32, Value) {
    let out = Command::cargo_bin("signoff")
        .unwrap()
        .args(["check", "--quiet", "--format", "json", "--spec", "ebu-r128"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

fn verdicts(doc: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let name = Path::new(f["path"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, f["verdict"].as_str().unwrap().to_string())
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_folder_is_checked_by_content_and_sidecars_are_left_alone() {
    let (code, doc) = check(&[
        &common::sample_delivery().join("audio"),
        &common::sample_delivery().join("subtitles"),
    ]);
    assert_eq!(code, 1, "the M&E at -16 LUFS fails R 128");
    assert_eq!(
        verdicts(&doc),
        [
            ("FEATURE_MnE_20_24bit.wav".to_string(), "fail".to_string()),
            ("FEATURE_PM_20_24bit.wav".to_string(), "pass".to_string()),
            ("FEATURE_PM_51_24bit.wav".to_string(), "pass".to_string()),
        ]
    );
}

#[test]
fn a_named_file_that_is_not_media_is_reported() {
    let pdf = common::sample_delivery().join("docs/FEATURE_music_cue_sheet.pdf");
    let (code, doc) = check(&[&pdf]);
    assert_eq!(code, 2);
    let file = &doc["files"][0];
    assert_eq!(file["verdict"], "unreadable");
    assert_eq!(file["problem"]["kind"], "not_media");
    assert!(file["problem"]["message"].as_str().unwrap().contains("pdf"));
}

#[test]
fn bad_files_in_a_folder_are_reported_not_skipped() {
    let tree = common::bad_tree();
    let (code, doc) = check(&[tree.path()]);
    assert_eq!(code, 2);
    let v = verdicts(&doc);
    for name in [
        "empty.mov",
        "truncated.mov",
        "text_named.wav",
        "broken_link.mov",
        "pipe.mov",
    ] {
        assert!(
            v.contains(&(name.to_string(), "unreadable".to_string())),
            "{name} in {v:?}"
        );
    }
    for good in [
        "name with spaces.wav",
        "Ελληνικά ñ 日本語 файл.wav",
        "latin1_",
    ] {
        assert!(
            v.iter()
                .any(|(n, verdict)| n.starts_with(good) && verdict != "unreadable"),
            "{good} is measured and checked, whatever its name: {v:?}"
        );
    }
}

#[test]
fn unlabelled_mono_tracks_are_measured_as_the_spec_lays_them_out() {
    // The ProRes master with its track names stripped: eight mono tracks
    // that say nothing of their channels.
    let dir = tempfile::tempdir().unwrap();
    let unlabelled = dir.path().join("unlabelled.mov");
    let status = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-i"])
        .arg(common::media("prores_hq_8mono_tc.mov"))
        .args([
            "-map",
            "0:v",
            "-map",
            "0:a",
            "-c",
            "copy",
            "-map_metadata",
            "-1",
        ])
        .args(["-metadata:s:a", "handler_name=SoundHandler"])
        .arg(&unlabelled)
        .status()
        .unwrap();
    assert!(status.success());
    let out = Command::cargo_bin("signoff")
        .unwrap()
        .args([
            "check",
            "--quiet",
            "--format",
            "json",
            "--spec",
            "netflix-prores-hq",
        ])
        .arg(&unlabelled)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = doc["files"][0]["findings"].as_array().unwrap();
    let programmes: Vec<&str> = findings
        .iter()
        .filter(|f| f["rule_id"] == "loudness.integrated_lufs")
        .map(|f| f["programme"].as_str().unwrap())
        .collect();
    assert_eq!(
        programmes,
        ["5.1", "stereo (Lt Rt)"],
        "grouped by Netflix's `eight mono streams` layout"
    );
    assert_eq!(doc["files"][0]["verdict"], "pass");
}
