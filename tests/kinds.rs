//! Every file of a deliverable gets the checks its kind implies, with or
//! without profiles: files that are not what their names say, images, PDFs
//! and captions that do not parse fail; unreadable files are unreadable;
//! `plan init` names unreadable files. Fixtures from `fixtures/make-kinds.sh`,
//! copied into a temp dir (never written in place).

mod common;

use predicates::str::contains;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

fn kinds(name: &str) -> PathBuf {
    common::fixtures().join("kinds").join(name)
}

/// (deliverable id, file name in the delivery, fixture it is a copy of).
const FILES: &[(&str, &str, &str)] = &[
    ("text-named-jpg", "text_named.jpg", "kinds/text_named.jpg"),
    ("jpeg-named-pdf", "jpeg_named.pdf", "kinds/jpeg_named.pdf"),
    ("truncated-jpg", "truncated.jpg", "kinds/truncated.jpg"),
    (
        "srt-backwards",
        "cue_ends_before_start.srt",
        "kinds/cue_ends_before_start.srt",
    ),
    ("vtt-bad-timing", "bad_timing.vtt", "kinds/bad_timing.vtt"),
    ("ttml-unclosed", "unclosed.ttml", "kinds/unclosed.ttml"),
    ("ttml-entity", "entity.ttml", "kinds/entity.ttml"),
    ("pdf-truncated", "truncated.pdf", "kinds/truncated.pdf"),
    ("pdf-valid", "report.pdf", "kinds/valid_two_pages.pdf"),
    ("key-art-jpg", "keyart.jpg", "other/artwork.jpg"),
    ("key-art-png", "keyart.png", "other/artwork.png"),
    ("key-art-tiff", "keyart.tiff", "other/artwork.tiff"),
    ("srt", "captions_en.srt", "sidecars/captions_en.srt"),
    ("vtt", "captions_en.vtt", "sidecars/captions_en.vtt"),
    ("ttml", "captions_fr.ttml", "sidecars/captions_fr.ttml"),
    ("dfxp", "captions.dfxp", "sidecars/captions.dfxp"),
    ("scc", "captions_en.scc", "sidecars/captions_en.scc"),
    ("stl", "captions_de.stl", "sidecars/captions_de.stl"),
    ("mixed-wav", "mix.wav", "media/wav_stereo_24bit.wav"),
];

const FAILING: &[&str] = &[
    "text-named-jpg",
    "jpeg-named-pdf",
    "truncated-jpg",
    "srt-backwards",
    "vtt-bad-timing",
    "ttml-unclosed",
    "ttml-entity",
    "pdf-truncated",
    // three byte pairs fail odd parity (fixtures/generate.sh)
    "scc",
];

/// A delivery of every file in [`FILES`], one deliverable each, no profiles.
fn delivery() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("KINDS");
    fs::create_dir_all(&root).unwrap();
    let mut plan = String::from("[project]\ntitle = \"KINDS\"\n");
    for (id, name, from) in FILES {
        fs::copy(common::fixtures().join(from), root.join(name)).unwrap();
        plan.push_str(&format!(
            "\n[[deliverable]]\nid = \"{id}\"\ntitle = \"{id}\"\npatterns = [\"{name}\"]\n"
        ));
    }
    fs::write(root.join("signoff.toml"), plan).unwrap();
    (tmp, root)
}

fn check_json(root: &Path, extra: &[&str]) -> (i32, Value) {
    common::json_of(
        common::plan_signoff()
            .arg("check")
            .arg(root)
            .args(["--format", "json", "-q"])
            .args(extra),
    )
}

fn state(doc: &Value, id: &str) -> String {
    let d = doc["deliverables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .unwrap_or_else(|| panic!("{id} not on the board"));
    d["state"].as_str().unwrap().to_string()
}

/// The findings of `name` in a run report, as (rule id, status, actual, message).
fn findings(run: &Value, name: &str) -> Vec<(String, String, String, String)> {
    let file = run["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"]["relative_path"] == name)
        .unwrap_or_else(|| panic!("{name} not in the run"));
    file["report"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("rule_id"), s("status"), s("actual"), s("message"))
        })
        .collect()
}

fn failed_message(run: &Value, name: &str, rule: &str) -> String {
    findings(run, name)
        .into_iter()
        .find(|(r, s, _, _)| r == rule && s == "failed")
        .map(|(_, _, _, m)| m)
        .unwrap_or_else(|| panic!("{name}: no failed {rule} in {:?}", findings(run, name)))
}

fn passed_actual(run: &Value, name: &str, rule: &str) -> String {
    findings(run, name)
        .into_iter()
        .find(|(r, s, _, _)| r == rule && s == "passed")
        .map(|(_, _, a, _)| a)
        .unwrap_or_else(|| panic!("{name}: no passed {rule} in {:?}", findings(run, name)))
}

/// Stdout of a reference tool.
fn tool(program: &str, args: &[&str], file: &Path) -> String {
    let out = std::process::Command::new(program)
        .args(args)
        .arg(file)
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} is needed for this test (setup.sh installs it): {e}")
        });
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn files_that_are_not_what_they_are_named_or_do_not_parse_fail_without_profiles() {
    let before = common::snapshot(&common::fixtures().join("kinds"));
    let (tmp, root) = delivery();
    let report = tmp.path().join("run.json");
    let (code, doc) = check_json(&root, &["--report", report.to_str().unwrap()]);
    assert_eq!(code, 1, "failing deliverables, nothing unreadable: {doc}");
    for (id, _, _) in FILES {
        let expected = if FAILING.contains(id) {
            "failing"
        } else {
            "passing"
        };
        assert_eq!(state(&doc, id), expected, "{id}");
    }
    let run: Value = serde_json::from_str(&fs::read_to_string(&report).unwrap()).unwrap();
    let rule = "kind.extension_matches_content";
    assert!(failed_message(&run, "text_named.jpg", rule)
        .contains("named .jpg but the content is a text file"));
    assert!(failed_message(&run, "jpeg_named.pdf", rule)
        .contains("named .pdf but the content is a jpeg file"));
    assert!(failed_message(&run, "truncated.jpg", "kind.image_complete").contains("truncated"));
    let srt = failed_message(&run, "cue_ends_before_start.srt", "kind.caption_parses");
    assert!(
        srt.contains("line 6: cue 2 ends (00:00:03.500) before it starts (00:00:05.000)"),
        "{srt}"
    );
    let vtt = failed_message(&run, "bad_timing.vtt", "kind.caption_parses");
    assert!(vtt.contains("line 3:"), "{vtt}");
    let ttml = failed_message(&run, "unclosed.ttml", "kind.caption_parses");
    assert!(
        ttml.contains("<tt> opened on line 2 is never closed"),
        "{ttml}"
    );
    // the full SCC parser: the first byte pair that fails odd parity, located
    let scc = failed_message(&run, "captions_en.scc", "kind.caption_parses");
    assert!(
        scc.contains("line 3, column 53: the byte pair cf80 fails the odd-parity check"),
        "{scc}"
    );
    let entity = failed_message(&run, "entity.ttml", "kind.caption_parses");
    assert!(entity.contains("never expands"), "{entity}");
    assert!(failed_message(&run, "truncated.pdf", "kind.pdf_valid").contains("%%EOF"));
    // The kind checks are judged on the board and in the JUnit alike.
    let row = run["board"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == "srt-backwards")
        .unwrap();
    assert_eq!(row["profiles"], serde_json::json!(["kind"]));
    common::assert_unchanged(&common::fixtures().join("kinds"), &before);
}

#[test]
fn what_the_kind_checks_read_agrees_with_reference_tools() {
    let (tmp, root) = delivery();
    let report = tmp.path().join("run.json");
    check_json(&root, &["--report", report.to_str().unwrap()]);
    let run: Value = serde_json::from_str(&fs::read_to_string(&report).unwrap()).unwrap();
    // file(1) reads the PDF's page count and the images' dimensions.
    let pdf = tool("file", &["-b"], &root.join("report.pdf"));
    assert!(pdf.contains("2 pages"), "{pdf}");
    assert_eq!(
        passed_actual(&run, "report.pdf", "kind.pdf_valid"),
        "PDF 1.4, 2 pages"
    );
    let jpg = tool("file", &["-b"], &root.join("keyart.jpg"));
    assert!(jpg.contains("320x180"), "{jpg}");
    let png = tool("file", &["-b"], &root.join("keyart.png"));
    assert!(png.contains("320 x 180"), "{png}");
    for name in ["keyart.jpg", "keyart.png", "keyart.tiff"] {
        let actual = passed_actual(&run, name, "kind.image_readable");
        assert!(actual.ends_with("320x180 pixels"), "{name}: {actual}");
    }
    // FFmpeg's subtitle demuxers read as many cues as the parse counts.
    for name in ["captions_en.srt", "captions_en.vtt"] {
        let packets = tool(
            "ffprobe",
            &[
                "-v",
                "error",
                "-show_entries",
                "packet=pts_time",
                "-of",
                "csv=p=0",
            ],
            &root.join(name),
        );
        let n = packets.lines().filter(|l| !l.trim().is_empty()).count();
        assert_eq!(
            passed_actual(&run, name, "kind.caption_parses"),
            format!("{n} cues"),
            "{name}"
        );
    }
}

/// A folder of files named like media that are not media.
fn unreadable_takes(root: &Path, n: usize) {
    fs::create_dir_all(root.join("audio")).unwrap();
    fs::create_dir_all(root.join("picture")).unwrap();
    for i in 0..n {
        fs::write(
            root.join(format!("audio/take{i:03}.wav")),
            format!("take {i}\n"),
        )
        .unwrap();
        let noise: Vec<u8> = (0..4096u32)
            .map(|j| (j.wrapping_mul(2_654_435_761).wrapping_add(i as u32) >> 13) as u8)
            .collect();
        fs::write(root.join(format!("picture/reel{i:03}.mov")), noise).unwrap();
    }
}

#[test]
fn unreadable_files_fail_their_deliverable_even_with_no_profiles() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("TAKES");
    unreadable_takes(&root, 40);
    fs::write(
        root.join("signoff.toml"),
        "[project]\ntitle = \"TAKES\"\n\n[[deliverable]]\nid = \"takes\"\ntitle = \"Takes\"\n\
         patterns = [\"audio/take*.wav\"]\ncount = 40\n\n[[deliverable]]\nid = \"reels\"\n\
         title = \"Reels\"\nprofiles = []\npatterns = [\"picture/reel*.mov\"]\ncount = 40\n",
    )
    .unwrap();
    let (code, doc) = check_json(&root, &[]);
    assert_eq!(code, 2, "unreadable files: exit 2");
    assert_eq!(state(&doc, "takes"), "failing");
    assert_eq!(state(&doc, "reels"), "failing");
    let files = doc["deliverables"][0]["files"].as_array().unwrap();
    assert_eq!(files.len(), 40);
    assert!(
        files.iter().all(|f| f["verdict"] == "unreadable"),
        "{files:?}"
    );
}

#[test]
fn plan_init_never_plans_an_unreadable_file_silently() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("TAKES");
    unreadable_takes(&root, 3);
    common::plan_signoff()
        .args(["plan", "init", "-q"])
        .arg(&root)
        .assert()
        .code(0)
        .stderr(contains("6 files could not be read"))
        .stderr(contains("audio/take000.wav: not a media file"));
    let text = fs::read_to_string(root.join("signoff.toml")).unwrap();
    assert!(!text.contains("profiles = []"), "{text}");
    assert!(text.contains("profiles = [\"ebu-r128\"]"), "{text}");
    assert!(
        text.contains("profiles = [\"netflix-prores-hq\"]"),
        "{text}"
    );
    assert!(
        text.contains("# UNREADABLE: 6 files could not be read"),
        "{text}"
    );
    assert!(
        text.contains("#   picture/reel002.mov: not a media file"),
        "{text}"
    );
    assert!(
        text.contains("notes = \"UNREADABLE: 3 of 3 files"),
        "{text}"
    );
    common::plan_signoff()
        .args(["plan", "lint"])
        .arg(root.join("signoff.toml"))
        .assert()
        .code(0);
    let (code, _) = check_json(&root, &[]);
    assert_eq!(code, 2);
}

#[test]
fn check_with_a_spec_judges_names_too() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::copy(
        common::media("wav_stereo_24bit.wav"),
        dir.join("stereo.wav"),
    )
    .unwrap();
    fs::copy(
        common::media("wav_stereo_24bit.wav"),
        dir.join("stereo.mov"),
    )
    .unwrap();
    fs::copy(kinds("text_named.jpg"), dir.join("still.jpg")).unwrap();
    fs::copy(
        common::fixtures().join("sidecars/captions_en.srt"),
        dir.join("captions.srt"),
    )
    .unwrap();
    let out = assert_cmd::Command::cargo_bin("signoff")
        .unwrap()
        .args(["check", "-q", "--format", "json", "--spec", "ebu-r128"])
        .arg(dir)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{doc}");
    let verdict = |name: &str| {
        doc["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(name))
            .map(|f| f["verdict"].as_str().unwrap().to_string())
    };
    assert_eq!(verdict("stereo.wav").as_deref(), Some("pass"));
    assert_eq!(
        verdict("stereo.mov").as_deref(),
        Some("fail"),
        "a WAV named .mov"
    );
    assert_eq!(
        verdict("still.jpg").as_deref(),
        Some("fail"),
        "text named .jpg"
    );
    assert_eq!(
        verdict("captions.srt"),
        None,
        "a good sidecar is left alone"
    );
    let still = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("still.jpg"))
        .unwrap();
    assert_eq!(still["profiles"], serde_json::json!(["kind"]));
    assert_eq!(still["findings"].as_array().unwrap().len(), 1, "{still}");
}

#[test]
fn hostile_pdfs_and_captions_fail_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("HOSTILE");
    fs::create_dir_all(&root).unwrap();
    // 200,000 nested arrays: a parser without a depth bound overflows its stack.
    let mut nested = b"%PDF-1.4\n1 0 obj\n".to_vec();
    nested.extend(std::iter::repeat_n(b'[', 200_000));
    nested.extend(std::iter::repeat_n(b']', 200_000));
    nested.extend_from_slice(b"\nendobj\ntrailer\n<< /Root 1 0 R >>\nstartxref\n9\n%%EOF\n");
    fs::write(root.join("nested.pdf"), nested).unwrap();
    // A header and an end marker around nothing.
    fs::write(
        root.join("hollow.pdf"),
        b"%PDF-1.7\nstartxref\n999999\n%%EOF\n",
    )
    .unwrap();
    // 100,000 nested TTML elements.
    let deep = format!("<tt>{}", "<div>".repeat(100_000));
    fs::write(root.join("deep.ttml"), deep).unwrap();
    let mut plan = String::from("[project]\ntitle = \"HOSTILE\"\n");
    for name in ["nested.pdf", "hollow.pdf", "deep.ttml"] {
        let id = name.replace('.', "-");
        plan.push_str(&format!(
            "\n[[deliverable]]\nid = \"{id}\"\ntitle = \"{id}\"\npatterns = [\"{name}\"]\n"
        ));
    }
    fs::write(root.join("signoff.toml"), plan).unwrap();
    let (code, doc) = check_json(&root, &[]);
    assert_eq!(code, 1, "{doc}");
    for id in ["nested-pdf", "hollow-pdf", "deep-ttml"] {
        assert_eq!(state(&doc, id), "failing", "{id}");
    }
}
