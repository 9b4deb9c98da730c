//! `signoff measure` end to end: human and JSON output, faults with
//! timecodes, unreadable files.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn ffmpeg(args: &[&str]) {
    let status = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y"])
        .args(args)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg {args:?}");
}

fn measure_json(files: &[&Path], extra: &[&str]) -> (i32, Value) {
    let out = Command::cargo_bin("signoff")
        .unwrap()
        .arg("measure")
        .args(files)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    (out.status.code().unwrap(), doc)
}

/// A MOV with timecode 10:00:00:00 at 25 fps and a stereo tone that is
/// silent from 3 s to 7 s.
fn silent_gap_mov(dir: &Path) -> PathBuf {
    let path = dir.join("gap.mov");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "color=size=64x64:rate=25:duration=12",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=997:sample_rate=48000:duration=12,\
         volume='if(between(t,3,7),0,1)':eval=frame,aformat=channel_layouts=stereo",
        "-c:v",
        "mpeg4",
        "-c:a",
        "pcm_s24le",
        "-timecode",
        "10:00:00:00",
        path.to_str().unwrap(),
    ]);
    path
}

#[test]
fn json_carries_the_contract_fields_and_timecoded_faults() {
    let dir = tempfile::tempdir().unwrap();
    let mov = silent_gap_mov(dir.path());
    let (code, doc) = measure_json(&[&mov], &[]);
    assert_eq!(code, 0);
    let audio = &doc["files"][0]["audio"];
    let p = &audio["programmes"][0];
    assert_eq!(p["name"], "stereo");
    for field in [
        "integrated_lufs",
        "loudness_range_lu",
        "true_peak_dbtp",
        "sample_peak_dbfs",
        "max_momentary_lufs",
        "max_short_term_lufs",
    ] {
        assert!(p[field].is_f64(), "{field}: {}", p[field]);
    }
    assert_eq!(p["true_peak_per_channel_dbtp"].as_array().unwrap().len(), 2);
    assert_eq!(p["short_term_timeline"]["interval_s"], 1.0);
    assert_eq!(
        p["short_term_timeline"]["values_lufs"]
            .as_array()
            .unwrap()
            .len(),
        12
    );
    let faults = audio["faults"].as_array().unwrap();
    assert_eq!(faults.len(), 1, "{faults:?}");
    let silence = &faults[0];
    assert_eq!(silence["kind"], "silence");
    assert_eq!(silence["channel"], Value::Null);
    assert_eq!(silence["timecode"], "10:00:03:00");
    assert!((silence["duration_s"].as_f64().unwrap() - 4.0).abs() < 0.05);
}

#[test]
fn silence_options_change_what_counts() {
    let dir = tempfile::tempdir().unwrap();
    let mov = silent_gap_mov(dir.path());
    let (_, doc) = measure_json(&[&mov], &["--silence-min-s", "5"]);
    assert!(doc["files"][0]["audio"]["faults"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn phase_clipping_and_dc_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let inverted = dir.path().join("inverted.wav");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=500:sample_rate=48000:duration=5",
        "-af",
        "pan=stereo|c0=c0|c1=-1*c0",
        inverted.to_str().unwrap(),
    ]);
    let clipped = dir.path().join("clipped.wav");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=100:sample_rate=48000:duration=5,volume=20",
        "-c:a",
        "pcm_s16le",
        clipped.to_str().unwrap(),
    ]);
    let dc = dir.path().join("dc.wav");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=500:sample_rate=48000:duration=5,dcshift=0.05",
        dc.to_str().unwrap(),
    ]);
    let (code, doc) = measure_json(&[&inverted, &clipped, &dc], &[]);
    assert_eq!(code, 0);
    let kinds = |i: usize| -> Vec<String> {
        doc["files"][i]["audio"]["faults"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["kind"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(kinds(0), vec!["phase_inverted"]);
    assert_eq!(kinds(1), vec!["clipping"]);
    assert_eq!(kinds(2), vec!["dc_offset"]);
}

#[test]
fn a_file_that_is_not_media_exits_2_and_the_others_are_measured() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.wav");
    std::fs::write(&text, "not audio at all\n").unwrap();
    let mov = silent_gap_mov(dir.path());
    let (code, doc) = measure_json(&[&text, &mov], &[]);
    assert_eq!(code, 2);
    assert!(doc["files"][0]["error"]["kind"].is_string());
    assert!(doc["files"][1]["audio"]["programmes"][0]["integrated_lufs"].is_f64());
}

#[test]
fn human_output_is_a_table_with_faults() {
    let dir = tempfile::tempdir().unwrap();
    let mov = silent_gap_mov(dir.path());
    let out = Command::cargo_bin("signoff")
        .unwrap()
        .args(["measure"])
        .arg(&mov)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("programme") && text.contains("I LUFS"),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.trim_start().starts_with("stereo")),
        "{text}"
    );
    assert!(text.contains("10:00:03:00"), "{text}");
}

#[test]
fn layout_groups_mono_tracks() {
    let mov =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/media/prores_hq_8mono_tc.mov");
    if !mov.exists() {
        return;
    }
    let (code, doc) = measure_json(&[&mov], &["--layout", "L,R,C,LFE,Ls,Rs,Lt,Rt"]);
    assert_eq!(code, 0);
    let names: Vec<&str> = doc["files"][0]["audio"]["programmes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["5.1", "stereo (Lt Rt)"]);
}

#[test]
fn phase_is_checked_across_mono_tracks() {
    let dir = tempfile::tempdir().unwrap();
    let mov = dir.path().join("two_mono.mov");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=500:sample_rate=48000:duration=6",
        "-filter_complex",
        "[0]asplit[a][b];[b]volume=-1[c]",
        "-map",
        "[a]",
        "-map",
        "[c]",
        "-c:a",
        "pcm_s24le",
        mov.to_str().unwrap(),
    ]);
    let (code, doc) = measure_json(&[&mov], &["--layout", "L,R"]);
    assert_eq!(code, 0);
    let audio = &doc["files"][0]["audio"];
    assert_eq!(audio["programmes"][0]["name"], "stereo");
    let faults = audio["faults"].as_array().unwrap();
    assert_eq!(faults.len(), 1, "{faults:?}");
    assert_eq!(faults[0]["kind"], "phase_inverted");
    assert!(faults[0]["duration_s"].as_f64().unwrap() >= 5.0);
}
