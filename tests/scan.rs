//! `signoff scan` on real trees: the sample delivery, and every bad input at once.

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn scan_json(root: &Path, extra: &[&str]) -> (i32, Value) {
    let out = Command::cargo_bin("signoff")
        .unwrap()
        .args(["scan", "--format", "json", "--jobs", "2"])
        .args(extra)
        .arg(root)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), doc)
}

fn file<'a>(doc: &'a Value, relative: &str) -> &'a Value {
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["relative_path"] == relative)
        .unwrap_or_else(|| panic!("{relative} not in the inventory"))
}

fn problem_kind(doc: &Value, relative: &str) -> String {
    let f = file(doc, relative);
    assert_eq!(f["status"], "error", "{relative}: {f}");
    f["problem"]["kind"].as_str().unwrap().to_string()
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

#[test]
fn every_bad_input_is_named_with_its_reason_and_the_run_goes_on() {
    let tree = common::bad_tree();
    let (code, doc) = scan_json(tree.path(), &[]);
    assert_eq!(code, 2, "some files could not be read");
    let expect = [
        ("empty.mov", "empty"),
        ("truncated.mov", "truncated"),
        ("truncated.wav", "truncated"),
        ("truncated_faststart.mp4", "truncated"),
        ("random_bytes.mxf", "not_media"),
        ("text_named.wav", "not_media"),
        ("corrupt_header.mov", "corrupt"),
        ("socket.wav", "not_regular_file"),
        ("pipe.mov", "not_regular_file"),
        ("broken_link.mov", "broken_symlink"),
        ("loop_a.mov", "symlink_loop"),
        ("loop_b.mov", "symlink_loop"),
    ];
    for (name, kind) in expect {
        assert_eq!(problem_kind(&doc, name), kind, "{name}");
        let message = file(&doc, name)["problem"]["message"].as_str().unwrap();
        assert!(message.len() > 10, "{name}: message too terse: {message}");
    }
    assert!(file(&doc, "truncated.mov")["problem"]["message"]
        .as_str()
        .unwrap()
        .contains("moov atom missing"));
    assert!(file(&doc, "text_named.wav")["problem"]["message"]
        .as_str()
        .unwrap()
        .starts_with("not a media file"));
    assert!(
        !file(&doc, "corrupt_header.mov")["ffmpeg_log"]
            .as_array()
            .unwrap()
            .is_empty(),
        "FFmpeg's log is attached"
    );
    if !is_root() {
        assert_eq!(problem_kind(&doc, "unreadable.wav"), "unreadable");
    }
    // Good files among the bad still read, whatever their names.
    for name in [
        "name with spaces.wav",
        "Ελληνικά ñ 日本語 файл.wav",
        "mp4_named.bin",
        "mislabelled_wav.mov",
    ] {
        let f = file(&doc, name);
        assert_eq!(f["kind"], "media", "{name}");
        assert_ne!(f["status"], "error", "{name}: {f}");
    }
    assert_eq!(
        file(&doc, "mp4_named.bin")["media"]["container"]["format"],
        "mp4"
    );
    let mislabelled = file(&doc, "mislabelled_wav.mov");
    assert_eq!(mislabelled["status"], "warning");
    assert_eq!(mislabelled["media"]["container"]["format"], "wav");
    let non_utf8 = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path_hex"].is_string())
        .expect("non-UTF-8 name listed");
    assert_eq!(non_utf8["status"], "ok");
    let deep = common::deep_wav_rel();
    assert_eq!(file(&doc, deep.to_str().unwrap())["status"], "ok");
    // The directory link back to the root is listed, not followed.
    assert!(file(&doc, "deep/up")["link"]["state"] == "not_followed");
}

#[test]
fn following_links_detects_the_loop_and_terminates() {
    let tree = common::bad_tree();
    let (code, doc) = scan_json(tree.path(), &["--follow-links"]);
    assert_eq!(code, 2);
    let loops = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["problem"]["kind"] == "symlink_loop")
        .count();
    assert!(
        loops >= 3,
        "loop pair and deep/up -> .. are reported: {loops}"
    );
}

#[test]
fn scanning_and_probing_leave_every_byte_and_mtime_as_it_was() {
    let tree = common::bad_tree();
    let before = common::snapshot(tree.path());
    scan_json(tree.path(), &[]);
    scan_json(tree.path(), &["--follow-links"]);
    common::assert_unchanged(tree.path(), &before);

    let fixtures = common::fixtures();
    let before = common::snapshot(&fixtures);
    scan_json(&fixtures, &[]);
    let media: Vec<_> = std::fs::read_dir(fixtures.join("media"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    Command::cargo_bin("signoff")
        .unwrap()
        .arg("probe")
        .args(&media)
        .assert()
        .success();
    common::assert_unchanged(&fixtures, &before);
}

#[test]
fn the_sample_delivery_is_inventoried_by_content() {
    let (code, doc) = scan_json(&common::sample_delivery(), &[]);
    assert_eq!(code, 0, "{doc}");
    let expect = [
        (
            "picture/FEATURE_FTR_ProResHQ_2398_178_EN.mov",
            "media",
            "mov",
        ),
        (
            "picture/._FEATURE_FTR_ProResHQ_2398_178_EN.mov",
            "clutter",
            "appledouble",
        ),
        ("audio/FEATURE_PM_51_24bit.wav", "media", "wav"),
        ("subtitles/FEATURE_EN_SDH.srt", "caption", "srt"),
        ("subtitles/FEATURE_FR.ttml", "caption", "ttml"),
        ("artwork/FEATURE_keyart.jpg", "image", "jpeg"),
        ("docs/FEATURE_music_cue_sheet.pdf", "document", "pdf"),
        (".DS_Store", "clutter", "ds_store"),
    ];
    for (rel, kind, format) in expect {
        let f = file(&doc, rel);
        assert_eq!(f["kind"], kind, "{rel}");
        assert_eq!(f["format"], format, "{rel}");
    }
    let picture = doc["folders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["folder"] == "picture")
        .unwrap();
    assert_eq!(picture["files"], 4);
    assert!(picture["media_duration_s"].as_f64().unwrap() > 3.9);
    assert_eq!(doc["schema_version"], 2);
}

#[test]
fn human_output_lists_folders_and_the_unreadable_files() {
    let tree = common::bad_tree();
    let out = Command::cargo_bin("signoff")
        .unwrap()
        .args(["scan", "--quiet"])
        .arg(tree.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("could not be read:"), "{text}");
    assert!(text.contains("empty.mov: empty file (0 bytes)"), "{text}");
    assert!(
        out.stderr.is_empty(),
        "no FFmpeg noise on the terminal: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::process::{Command as Std, Stdio};
    let mut child = Std::new(assert_cmd::cargo::cargo_bin("signoff"))
        .args(["scan", "--quiet"])
        .arg(common::fixtures())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.code() == Some(0) || out.status.code() == Some(2));
}

#[test]
fn a_missing_root_is_a_setup_error() {
    let out = Command::cargo_bin("signoff")
        .unwrap()
        .args(["scan", "/does/not/exist"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/does/not/exist"));
}

#[test]
fn help_explains_itself_with_examples() {
    for args in [
        vec!["--help"],
        vec!["probe", "--help"],
        vec!["scan", "--help"],
    ] {
        let out = Command::cargo_bin("signoff")
            .unwrap()
            .args(&args)
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("Example"), "{args:?}: {text}");
    }
}
