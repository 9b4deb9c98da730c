//! `signoff diff` on pairs of versions made by `fixtures/make-diff.sh`
//! with FFmpeg, every change at a frame the script chose: each change is
//! found within one frame, a high-quality re-encode is no content change,
//! frame counts agree with ffprobe and a loudness change with FFmpeg's
//! own `ebur128` filter; an unreadable version is named, exit 2.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> &'static Path {
    common::diff_fixtures()
}

fn f(name: &str) -> PathBuf {
    fixtures().join(name)
}

/// `signoff diff master.mov NEW --format json`: (exit code, document).
fn diff(new: &str, extra: &[&str]) -> (i32, Value) {
    common::json_of(
        common::plan_signoff()
            .arg("diff")
            .arg(f("master.mov"))
            .arg(f(new))
            .args(["--format", "json"])
            .args(extra),
    )
}

fn changes(doc: &Value) -> &Vec<Value> {
    doc["content"]["changes"].as_array().unwrap()
}

/// The frames of a span: (start, end exclusive).
fn frames(span: &Value) -> (i64, i64) {
    (
        span["start_frame"].as_i64().unwrap(),
        span["end_frame"].as_i64().unwrap(),
    )
}

fn within_one((a, b): (i64, i64), (x, y): (i64, i64)) {
    assert!(
        (a - x).abs() <= 1 && (b - y).abs() <= 1,
        "frames {a}..{b}, expected {x}..{y} (±1)"
    );
}

/// The only change of `doc`, of `kind`.
fn only_change<'a>(doc: &'a Value, kind: &str) -> &'a Value {
    let c = changes(doc);
    assert_eq!(c.len(), 1, "{:#}", doc["content"]);
    assert_eq!(c[0]["kind"], kind, "{:#}", doc["content"]);
    &c[0]
}

#[test]
fn a_high_quality_re_encode_is_no_content_change() {
    let (code, doc) = diff("reencode.mp4", &[]);
    assert_eq!(doc["content"]["unchanged"], true, "{:#}", doc["content"]);
    assert_eq!(doc["content"]["picture_compared"], true);
    assert_eq!(doc["content"]["sound_compared"], true);
    assert!(doc["content"]["level_change_db"].is_null());
    // The container and the sound's codec did change: the versions differ (exit 1).
    assert_eq!(code, 1);
    let facts: Vec<&str> = doc["facts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["what"].as_str().unwrap())
        .collect();
    assert!(facts.contains(&"container"), "{facts:?}");
    assert!(facts.contains(&"audio stream 0: codec"), "{facts:?}");
}

#[test]
fn the_same_file_is_the_same() {
    let (code, doc) = common::json_of(
        common::plan_signoff()
            .arg("diff")
            .arg(f("master.mov"))
            .arg(f("master.mov"))
            .args(["--format", "json"]),
    );
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["differs"], false);
    assert_eq!(doc["content"]["unchanged"], true);
    // Frames decoded agree with ffprobe's count.
    assert_eq!(
        doc["old"]["frames"].as_u64(),
        Some(ffprobe_frames(&f("master.mov")))
    );
    assert_eq!(doc["old"]["start_timecode"], "01:00:00:00");
}

#[test]
fn a_replaced_shot_is_found_to_the_frame() {
    let (code, doc) = diff("replaced.mov", &["--no-measure"]);
    assert_eq!(code, 1);
    let c = only_change(&doc, "replaced");
    within_one(frames(&c["old"]), (250, 275));
    within_one(frames(&c["new"]), (250, 275));
    assert_eq!(c["old"]["start_tc"], "01:00:10:00");
    assert_eq!(c["old"]["end_tc"], "01:00:11:00");
}

#[test]
fn two_inserted_seconds_are_an_insertion() {
    let (code, doc) = diff("inserted.mov", &["--no-measure"]);
    assert_eq!(code, 1);
    let c = only_change(&doc, "inserted");
    within_one(frames(&c["new"]), (375, 425));
    within_one(frames(&c["old"]), (375, 375));
    assert_eq!(c["new"]["start_tc"], "01:00:15:00");
    assert_eq!(
        doc["new"]["frames"].as_u64(),
        Some(ffprobe_frames(&f("inserted.mov")))
    );
}

#[test]
fn two_removed_seconds_are_a_removal() {
    let (_, doc) = diff("removed.mov", &["--no-measure"]);
    let c = only_change(&doc, "removed");
    within_one(frames(&c["old"]), (100, 150));
    within_one(frames(&c["new"]), (100, 100));
}

#[test]
fn changed_sound_under_the_same_picture_is_audio_changed() {
    let (_, doc) = diff("audio.mov", &["--no-measure"]);
    let c = only_change(&doc, "audio_changed");
    within_one(frames(&c["old"]), (300, 350));
    within_one(frames(&c["new"]), (300, 350));
    assert_eq!(c["old"]["start_tc"], "01:00:12:00");
}

#[test]
fn a_louder_version_is_a_level_change_measured_as_ffmpeg_does() {
    let (code, doc) = diff("louder.mov", &[]);
    assert_eq!(code, 1);
    assert!(changes(&doc).is_empty(), "{:#}", doc["content"]);
    let gain = doc["content"]["level_change_db"].as_f64().unwrap();
    assert!((gain - 20.0 * 2f64.log10()).abs() < 0.15, "{gain}");
    let integrated = doc["measurements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["field"] == "integrated_lufs")
        .expect("integrated loudness differs");
    let expected = ffmpeg_integrated(&f("louder.mov")) - ffmpeg_integrated(&f("master.mov"));
    let delta = integrated["delta"].as_f64().unwrap();
    assert!(
        (delta - expected).abs() < 0.15,
        "{delta} vs ffmpeg {expected}"
    );
}

#[test]
fn different_frame_rates_are_compared_by_time_and_said() {
    let (_, doc) = diff("fps30.mov", &["--no-measure"]);
    assert_eq!(doc["content"]["unchanged"], true, "{:#}", doc["content"]);
    let notes = doc["not_compared"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n
            .as_str()
            .unwrap()
            .contains("frame rates differ (25 and 30 fps)")),
        "{notes:?}"
    );
    let facts = doc["facts"].as_array().unwrap();
    assert!(facts
        .iter()
        .any(|c| c["what"] == "video stream 0: frame rate"));
}

#[test]
fn an_unreadable_version_is_named_and_exits_2() {
    let (code, doc) = diff("truncated.mov", &[]);
    assert_eq!(code, 2);
    assert!(doc["new"]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("truncated"));
    let notes = doc["not_compared"].as_array().unwrap();
    assert!(
        notes[0].as_str().unwrap().contains("truncated.mov"),
        "{notes:?}"
    );
    // For people too, on stdout, and nothing panics.
    let out = common::plan_signoff()
        .arg("diff")
        .arg(f("master.mov"))
        .arg(f("truncated.mov"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("truncated.mov") && text.contains("UNREADABLE"),
        "{text}"
    );
    // A missing file likewise.
    let (code, doc) = diff("no-such-file.mov", &[]);
    assert_eq!(code, 2);
    assert!(doc["new"]["error"].is_object());
}

#[test]
fn what_cannot_be_compared_is_never_the_same() {
    let rgb = f("rgb.mov");
    let (code, doc) = common::json_of(
        common::plan_signoff()
            .arg("diff")
            .arg(&rgb)
            .arg(&rgb)
            .args(["--no-measure", "--format", "json"]),
    );
    assert_eq!(doc["differs"], false, "{doc:#}");
    assert_eq!(doc["fully_compared"], false);
    assert_eq!(doc["content"]["picture_compared"], false);
    assert_eq!(code, 2);
    let notes = doc["not_compared"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n.as_str().unwrap().contains("rgb")),
        "{notes:?}"
    );
}

#[test]
fn outputs_validate_and_escape_names() {
    let tmp = tempfile::tempdir().unwrap();
    let hostile = tmp.path().join("v2 <b>\x1b[31m.mov");
    std::fs::copy(f("replaced.mov"), &hostile).unwrap();
    let html = tmp.path().join("diff.html");
    let json = tmp.path().join("diff.json");
    let out = common::plan_signoff()
        .arg("diff")
        .arg(f("master.mov"))
        .arg(&hostile)
        .args(["--no-measure", "--format", "json", "--html"])
        .arg(&html)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    std::fs::write(&json, &out.stdout).unwrap();
    common::assert_schema_valid(&[("diff", &json)]);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("v2 &lt;b&gt;"), "HTML escapes the name");
    assert!(!page.contains("<b>"));
    assert!(page.contains("replaced"));
    let human = common::plan_signoff()
        .arg("diff")
        .arg(f("master.mov"))
        .arg(&hostile)
        .arg("--no-measure")
        .output()
        .unwrap();
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(!text.contains('\x1b'), "terminal output escapes the name");
    assert!(text.contains("\\u{1b}[31m.mov"));
    assert!(text.contains("replaced"));
}

/// Frames in the first video stream, as ffprobe counts them by decoding.
fn ffprobe_frames(path: &Path) -> u64 {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
        .args(["-show_entries", "stream=nb_read_frames", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Integrated loudness by FFmpeg's `ebur128` filter, LUFS.
fn ffmpeg_integrated(path: &Path) -> f64 {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-i"])
        .arg(path)
        .args(["-map", "0:a", "-af", "ebur128", "-f", "null", "-"])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    let summary = log.rsplit("Summary:").next().unwrap();
    let line = summary
        .lines()
        .find(|l| l.trim_start().starts_with("I:"))
        .unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}
