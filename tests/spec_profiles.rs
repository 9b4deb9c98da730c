//! Every built-in profile is exercised by a fixture that passes it and one that fails it,
//! through the real binary (probe, loudness measurement, evaluation).

mod common;

use assert_cmd::Command;
use serde_json::Value;

fn check(profile: &str, fixture: &str) -> (i32, Value) {
    let out = Command::cargo_bin("signoff")
        .unwrap()
        .args(["check", "--quiet", "--format", "json", "--spec", profile])
        .arg(common::media(fixture))
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    (out.status.code().unwrap(), doc["files"][0].clone())
}

fn failed(file: &Value) -> Vec<(String, String)> {
    file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "failed" && f["severity"] != "info")
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// (profile, a fixture that passes, a fixture that fails, whether the failure is an error)
const CASES: &[(&str, &str, &str, bool)] = &[
    (
        "amazon-pvd",
        "h264_high_aac.mp4",
        "h264_422_intra.mov",
        true,
    ),
    (
        "apple-itunes-hd",
        "prores_hq_8mono_tc.mov",
        "h264_high_aac.mp4",
        false,
    ),
    (
        "apple-podcasts",
        "wav_stereo_loud_-16.wav",
        "wav_stereo_24bit.wav",
        true,
    ),
    (
        "atsc-a85",
        "wav_51_24bit.wav",
        "wav_stereo_loud_-16.wav",
        false,
    ),
    (
        "ebu-r128",
        "wav_stereo_24bit.wav",
        "wav_stereo_loud_-16.wav",
        true,
    ),
    (
        "ebu-r128-live",
        "prores_hq_8mono_tc.mov",
        "wav_stereo_loud_-16.wav",
        true,
    ),
    (
        "ebu-r128-s1",
        "wav_stereo_24bit.wav",
        "wav_stereo_loud_-16.wav",
        true,
    ),
    (
        "netflix-prores-hq",
        "prores_hq_8mono_tc.mov",
        "dnxhd_1080i25_op1a.mxf",
        true,
    ),
    (
        "spotify",
        "mkv_h264_ac3_51.mkv",
        "wav_stereo_clipping.wav",
        false,
    ),
    (
        "uk-dpp-as11-hd",
        "avcintra100_1080i25_op1a.mxf",
        "prores_hq_8mono_tc.mov",
        true,
    ),
    (
        "youtube-upload",
        "h264_high_aac.mp4",
        "prores_hq_8mono_tc.mov",
        false,
    ),
];

#[test]
fn every_builtin_profile_has_a_passing_and_a_failing_fixture() {
    let out = Command::cargo_bin("signoff")
        .unwrap()
        .args(["specs", "list"])
        .output()
        .unwrap();
    let listed = String::from_utf8(out.stdout).unwrap();
    for line in listed
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
    {
        let id = line.split_whitespace().next().unwrap();
        assert!(
            CASES.iter().any(|c| c.0 == id),
            "built-in profile {id} has no fixture case"
        );
    }
    for &(profile, good, bad, is_error) in CASES {
        let (code, file) = check(profile, good);
        assert_eq!(
            file["verdict"],
            "pass",
            "{profile} on {good}: {:?}",
            failed(&file)
        );
        assert_eq!(code, 0, "{profile} on {good}");

        let (code, file) = check(profile, bad);
        let failures = failed(&file);
        assert!(
            !failures.is_empty(),
            "{profile} on {bad} should fail something"
        );
        if is_error {
            assert_eq!(file["verdict"], "fail", "{profile} on {bad}");
            assert_eq!(code, 1, "{profile} on {bad}: exit 1 on QC failure");
        } else {
            assert!(
                failures.iter().all(|(_, s)| s == "warning"),
                "{profile}: secondary numbers ship as warnings"
            );
            assert_eq!(code, 0, "{profile} on {bad}: warnings do not fail");
        }
    }
}

#[test]
fn r128_names_the_measured_value_the_target_and_the_tolerance() {
    let (code, file) = check("ebu-r128", "wav_stereo_loud_-16.wav");
    assert_eq!(code, 1);
    let finding = file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "loudness.integrated_lufs")
        .unwrap();
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains("-15.9") || message.contains("-16.0"),
        "{message}"
    );
    assert!(
        message.contains("-23") && message.contains("0.2"),
        "{message}"
    );
    let (code, file) = check("ebu-r128", "wav_stereo_24bit.wav");
    assert_eq!((code, file["verdict"].as_str()), (0, Some("pass")));
}
