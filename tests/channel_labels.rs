//! Channel labels (fixtures/labels/, made by fixtures/make-labels.sh): the
//! probe agrees with ffprobe's `channel_layout` and says what labels the
//! channels; layout rules match by label where the file labels its channels
//! and say "by count only" where it does not; programmes say what grouped them.

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;

fn label_fixture(name: &str) -> PathBuf {
    common::fixtures().join("labels").join(name)
}

fn signoff(args: &[&str], files: &[PathBuf]) -> (i32, String) {
    let out = Command::cargo_bin("signoff")
        .unwrap()
        .args(args)
        .args(files)
        .env_remove("SIGNOFF_SPECS")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

fn json(args: &[&str], files: &[PathBuf]) -> (i32, Value) {
    let (code, text) = signoff(args, files);
    (
        code,
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")),
    )
}

/// ffprobe's `channel_layout` of every audio stream (`None` for `unknown`).
fn ffprobe_layouts(path: &PathBuf) -> Vec<Option<String>> {
    let out = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "a"])
        .args(["-show_entries", "stream=channel_layout", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .expect("ffprobe runs");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| Some(l.trim().to_string()).filter(|l| l != "unknown" && !l.is_empty()))
        .collect()
}

fn audio_streams(doc: &Value) -> Vec<Value> {
    doc["files"][0]["media"]["streams"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "audio")
        .map(|s| s["audio"].clone())
        .collect()
}

#[test]
fn probe_agrees_with_ffprobe_and_says_what_labels_the_channels() {
    // (fixture, names per audio stream, what labels them)
    let cases: &[(&str, &[&[&str]], &str)] = &[
        (
            "mov_51_labelled.mov",
            &[&["L", "R", "C", "LFE", "Ls", "Rs"]],
            "chan_atom",
        ),
        (
            "mov_60_wrong_labels.mov",
            &[&["L", "R", "C", "Cs", "Ls", "Rs"]],
            "chan_atom",
        ),
        (
            "wav_51_mask.wav",
            &[&["L", "R", "C", "LFE", "Ls", "Rs"]],
            "channel_mask",
        ),
        ("mov_2mono_LR.mov", &[&["L"], &["R"]], "chan_atom"),
        ("mov_2mono_L_LFE.mov", &[&["L"], &["LFE"]], "chan_atom"),
        ("wav_6ch_unlabelled.wav", &[&[]], "none"),
    ];
    for &(name, names, labels) in cases {
        let path = label_fixture(name);
        let (code, doc) = json(&["probe", "--format", "json"], std::slice::from_ref(&path));
        assert_eq!(code, 0, "{name}");
        let streams = audio_streams(&doc);
        let ours: Vec<Option<String>> = streams
            .iter()
            .map(|a| a["channel_layout"].as_str().map(str::to_string))
            .collect();
        assert_eq!(ours, ffprobe_layouts(&path), "{name}: layout as ffprobe");
        for (a, want) in streams.iter().zip(names) {
            let got: Vec<&str> = a["channel_names"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            assert_eq!(&got, want, "{name}");
            assert_eq!(a["channel_labels"], labels, "{name}");
        }
    }
}

/// A profile whose only rule is a 5.1 layout.
fn five_one_profile(dir: &std::path::Path) -> String {
    let path = dir.join("layout-51.toml");
    std::fs::write(
        &path,
        r#"id = "layout-51"
title = "5.1 in one stream, SMPTE order"

[source]
document = "test"
date_read = "2026-12"
confidence = "primary"

[audio.layouts]
alternatives = [
  { name = "5.1", streams = [["L", "R", "C", "LFE", "Ls", "Rs"]] },
]
"#,
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

fn layout_finding(doc: &Value) -> Value {
    doc["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "audio.layouts")
        .cloned()
        .unwrap()
}

#[test]
fn layout_rules_match_by_label_and_say_when_only_by_count() {
    let dir = tempfile::tempdir().unwrap();
    let spec = five_one_profile(dir.path());
    let check = |name: &str, extra: &[&str]| {
        let mut args = vec!["check", "--quiet", "--format", "json", "--spec", &spec];
        args.extend_from_slice(extra);
        let (code, doc) = json(&args, &[label_fixture(name)]);
        (code, layout_finding(&doc))
    };
    for name in ["mov_51_labelled.mov", "wav_51_mask.wav"] {
        let (code, f) = check(name, &[]);
        assert_eq!((code, f["status"].as_str()), (0, Some("passed")), "{f}");
        let message = f["message"].as_str().unwrap();
        assert!(message.contains("by channel labels"), "{name}: {message}");
        assert!(!message.contains("by count only"), "{name}: {message}");
    }
    // six channels, labelled 6.0: the count is right, the labels are not
    let (code, f) = check("mov_60_wrong_labels.mov", &[]);
    assert_eq!((code, f["status"].as_str()), (1, Some("failed")), "{f}");
    assert!(f["actual"].as_str().unwrap().contains("Cs"), "{f}");
    // unlabelled: passes by count, and says so
    let (code, f) = check("wav_6ch_unlabelled.wav", &[]);
    assert_eq!((code, f["status"].as_str()), (0, Some("passed")), "{f}");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("by count only: the file does not label its channels"),
        "{f}"
    );
    // --layout names the unlabelled channels, and the message says whose names they are
    let (code, f) = check("wav_6ch_unlabelled.wav", &["--layout", "L,R,C,LFE,Ls,Rs"]);
    assert_eq!((code, f["status"].as_str()), (0, Some("passed")), "{f}");
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains("--layout") && message.contains("the file does not label its channels"),
        "{message}"
    );
    let (code, f) = check("wav_6ch_unlabelled.wav", &["--layout", "L,R,C,Ls,Rs,LFE"]);
    assert_eq!((code, f["status"].as_str()), (1, Some("failed")), "{f}");
    // the terminal shows the caveat, not only JSON
    let (_, text) = signoff(
        &["check", "--spec", &spec],
        &[label_fixture("wav_6ch_unlabelled.wav")],
    );
    assert!(
        text.contains("by count only: the file does not label its channels"),
        "{text}"
    );
    // and so do the HTML and Markdown reports
    let html = dir.path().join("qc.html");
    let md = dir.path().join("qc.md");
    let xml = dir.path().join("qc.xml");
    let (code, _) = signoff(
        &[
            "check",
            "--quiet",
            "--spec",
            &spec,
            "--report",
            html.to_str().unwrap(),
            "--report",
            md.to_str().unwrap(),
            "--report",
            xml.to_str().unwrap(),
        ],
        &[label_fixture("wav_6ch_unlabelled.wav")],
    );
    assert_eq!(code, 0);
    for report in [html, md, xml] {
        let text = std::fs::read_to_string(&report).unwrap();
        assert!(
            text.to_lowercase().contains("passed with a caveat"),
            "{report:?}"
        );
        assert!(
            text.contains("by count only: the file does not label its channels"),
            "{report:?}"
        );
    }
}

#[test]
fn netflix_two_mono_tracks_pass_by_labels_and_fail_with_wrong_labels() {
    let check = |name: &str| {
        let (_, doc) = json(
            &[
                "check",
                "--quiet",
                "--format",
                "json",
                "--spec",
                "netflix-prores-hq",
            ],
            &[label_fixture(name)],
        );
        layout_finding(&doc)
    };
    let f = check("mov_2mono_LR.mov");
    assert_eq!(f["status"], "passed", "{f}");
    assert!(
        f["message"].as_str().unwrap().contains("by channel labels"),
        "{f}"
    );
    let f = check("mov_2mono_L_LFE.mov");
    assert_eq!(f["status"], "failed", "right count, wrong labels: {f}");
}

#[test]
fn programmes_say_what_grouped_them() {
    let grouping = |name: PathBuf, extra: &[&str]| -> Vec<String> {
        let mut args = vec!["measure", "--format", "json"];
        args.extend_from_slice(extra);
        let (code, doc) = json(&args, &[name]);
        assert_eq!(code, 0);
        doc["files"][0]["audio"]["programmes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["grouping"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        grouping(label_fixture("mov_51_labelled.mov"), &[]),
        ["by channel labels"]
    );
    assert_eq!(
        grouping(label_fixture("mov_2mono_LR.mov"), &[]),
        ["by channel labels"]
    );
    assert_eq!(
        grouping(label_fixture("wav_6ch_unlabelled.wav"), &[]),
        ["by position (unlabelled)"]
    );
    assert_eq!(
        grouping(
            label_fixture("wav_6ch_unlabelled.wav"),
            &["--layout", "L,R,C,LFE,Ls,Rs"]
        ),
        ["by the given layout"]
    );
    assert_eq!(
        grouping(common::media("prores_hq_8mono_tc.mov"), &[]),
        ["by track titles", "by track titles"]
    );
    // and the terminal says it too
    let (_, text) = signoff(&["measure"], &[label_fixture("wav_6ch_unlabelled.wav")]);
    assert!(text.contains("by position (unlabelled)"), "{text}");
}

/// Six mono tracks labelled L R C LFE Ls Rs by their chan atoms. FFmpeg 5.1
/// calls the Center-labelled track `mono` (as a track that says only Mono):
/// signoff reads that atom itself.
#[test]
fn six_labelled_mono_tracks_are_one_5_1_programme() {
    let path = label_fixture("mov_6mono_labelled.mov");
    assert_eq!(
        ffprobe_layouts(&path),
        [
            Some("1 channels (FL)".to_string()),
            Some("1 channels (FR)".to_string()),
            Some("mono".to_string()),
            Some("1 channels (LFE)".to_string()),
            Some("1 channels (BL)".to_string()),
            Some("1 channels (BR)".to_string()),
        ]
    );
    let (_, doc) = json(&["probe", "--format", "json"], std::slice::from_ref(&path));
    let names: Vec<String> = audio_streams(&doc)
        .iter()
        .map(|a| {
            assert_eq!(a["channel_labels"], "chan_atom", "{a}");
            a["channel_names"][0].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(names, ["L", "R", "C", "LFE", "Ls", "Rs"]);
    let (code, doc) = json(&["measure", "--format", "json"], &[path]);
    assert_eq!(code, 0);
    let p = &doc["files"][0]["audio"]["programmes"];
    assert_eq!(p.as_array().unwrap().len(), 1, "{p}");
    assert_eq!(p[0]["name"], "5.1");
    assert_eq!(p[0]["grouping"], "by channel labels");
}
