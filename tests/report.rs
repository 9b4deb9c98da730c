//! `signoff check --report …` end to end: the real binary over a tmp copy of
//! fixtures plus hostile-named copies; the JUnit file read by a real JUnit
//! consumer (Python's junitparser) with counts equal to the run's; every
//! format escapes the hostile names; reports re-render from the saved run.

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::Path;

const HOSTILE: &str = "<img src=x onerror=alert(1)>.mov";
const QUOTES: &str = "a&b\"c'.wav";

fn signoff() -> Command {
    Command::cargo_bin("signoff").unwrap()
}

/// A delivery: two masters, a WAV, the hostile names, a truncated file.
fn delivery() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("signoff-report-")
        .tempdir()
        .unwrap();
    let root = dir.path();
    fs::create_dir(root.join("picture")).unwrap();
    fs::create_dir(root.join("audio")).unwrap();
    let copy = |from: &Path, to: &str| fs::copy(from, root.join(to)).unwrap();
    copy(
        &common::media("prores_hq_8mono_tc.mov"),
        "picture/FEATURE.mov",
    );
    copy(&common::media("h264_high_aac.mp4"), "picture/TRAILER.mp4");
    copy(
        &common::media("prores_hq_8mono_tc.mov"),
        &format!("picture/{HOSTILE}"),
    );
    copy(&common::media("wav_stereo_24bit.wav"), "audio/PM_20.wav");
    copy(
        &common::media("wav_mono_24bit.wav"),
        &format!("audio/{QUOTES}"),
    );
    copy(&common::bad("truncated.mov"), "picture/BROKEN.mov");
    dir
}

struct Run {
    _delivery: tempfile::TempDir,
    out: tempfile::TempDir,
    code: i32,
}

impl Run {
    fn read(&self, name: &str) -> String {
        fs::read_to_string(self.out.path().join(name)).unwrap()
    }
}

fn run() -> Run {
    let delivery = delivery();
    let out = tempfile::tempdir().unwrap();
    let o = |n: &str| out.path().join(n).to_string_lossy().into_owned();
    let assert = signoff()
        .arg("check")
        .arg(delivery.path())
        .args([
            "--spec",
            "netflix-prores-hq",
            "--spec",
            "ebu-r128",
            "--quiet",
        ])
        .args(["--report", &o("x.xml"), "--report", &o("x.html")])
        .args(["--report", &o("x.md"), "--report", &o("x.json")])
        .args(["--report", &format!("jsonl:{}", o("x.ndjson"))])
        .assert();
    let code = assert.get_output().status.code().unwrap();
    Run {
        _delivery: delivery,
        out,
        code,
    }
}

/// (tests, failures, errors, skipped) from the run's own JSON: one case per
/// file × profile; failure = an error-severity rule failed; error = unreadable;
/// skipped = some rule not evaluated and none failed.
fn expected_counts(run: &Value) -> (u64, u64, u64, u64) {
    let mut counts = (0, 0, 0, 0);
    for file in run["files"].as_array().unwrap() {
        let report = &file["report"];
        for profile in report["profiles"].as_array().unwrap() {
            common::tally_case(&mut counts, common::case_outcome(report, profile));
        }
    }
    counts
}

fn junitparser(xml: &Path) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/junit_counts.py");
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(xml)
        .output()
        .expect("python3 is needed to read the JUnit report with junitparser (see .ci/run)");
    assert!(
        out.status.success(),
        "junitparser could not read the JUnit report (is it installed? `python3 -m pip install junitparser`, as .ci/run does):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn every_format_from_one_check_run() {
    let r = run();
    assert_eq!(r.code, 2, "a truncated file is unreadable: exit 2");
    for name in ["x.xml", "x.html", "x.md", "x.json", "x.ndjson"] {
        assert!(r.out.path().join(name).is_file(), "{name} written");
    }
    let names: Vec<String> = fs::read_dir(r.out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.contains(".tmp-")),
        "no temp files left: {names:?}"
    );

    let run: Value = serde_json::from_str(&r.read("x.json")).unwrap();
    assert_eq!(run["schema_version"], 2);
    assert_eq!(run["files"].as_array().unwrap().len(), 6);
    assert_eq!(run["summary"]["verdict"], "unreadable");
    for f in run["files"].as_array().unwrap() {
        // Every file whose bytes can be read is hashed, whatever its verdict
        // (one pipeline: as with a plan).
        let bytes_readable = fs::File::open(f["file"]["path"].as_str().unwrap()).is_ok();
        assert_eq!(
            f["sha256"].is_string(),
            bytes_readable,
            "{}",
            f["file"]["path"]
        );
    }

    // The JUnit file, read by a real consumer, counts what the run found.
    let junit = junitparser(&r.out.path().join("x.xml"));
    let (tests, failures, errors, skipped) = expected_counts(&run);
    assert_eq!(tests, 18, "6 files × (2 profiles + the kind checks)");
    assert!(
        failures > 0 && errors == 3,
        "{failures} failures, {errors} errors, {skipped} skipped"
    );
    assert_eq!(junit["tests"], tests);
    assert_eq!(junit["failures"], failures);
    assert_eq!(junit["errors"], errors);
    assert_eq!(junit["skipped"], skipped);
    assert_eq!(junit["cases"], tests);
    assert_eq!(junit["case_failures"], failures);
    assert_eq!(junit["case_errors"], errors);
    assert_eq!(junit["suites"], 6, "one suite per file without a plan");
    let classnames: Vec<&str> = junit["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        classnames.contains(&format!("picture/{HOSTILE}").as_str()),
        "the hostile name read back intact"
    );
    assert!(classnames.contains(&format!("audio/{QUOTES}").as_str()));

    // JSON Lines: begin, one line per file, end.
    let lines: Vec<Value> = r
        .read("x.ndjson")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 8);
    assert_eq!(lines[0]["type"], "begin");
    assert_eq!(lines[7]["type"], "end");
    assert_eq!(lines[7]["data"]["summary"], run["summary"]);
}

#[test]
fn hostile_names_are_text_everywhere() {
    let r = run();
    let html = r.read("x.html");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;.mov"));
    assert!(html.contains("a&amp;b&quot;c&#39;.wav"));
    assert!(!html.contains("<img src=x"), "raw hostile tag in HTML");
    assert!(!html.contains("<script"), "no script at all");
    assert!(
        !html.contains("src=\"http") && !html.contains("<link"),
        "self-contained"
    );

    let xml = r.read("x.xml");
    assert!(!xml.contains("<img"));
    assert!(xml.contains("&lt;img src=x onerror=alert(1)&gt;.mov"));

    let md = r.read("x.md");
    assert!(md.contains("\\<img src=x onerror=alert(1)\\>.mov"), "{md}");
    assert!(md.contains("a\\&b\"c'.wav"));
    assert!(!md.replace("\\<", "").contains("<img"));
}

#[test]
fn html_shows_thumbnails_for_picture_files() {
    let r = run();
    let html = r.read("x.html");
    // FEATURE.mov, TRAILER.mp4 and the hostile copy: 6 frames each, taken
    // in the picture stage's decode (netflix-prores-hq has picture rules);
    // BROKEN.mov has none.
    assert_eq!(
        html.matches("<img src=\"data:image/png;base64,").count(),
        18
    );
    assert_eq!(html.matches("<div class=\"thumbs\">").count(), 3);
    assert_eq!(
        html.matches(">Y′ (0–").count(),
        3,
        "a luma graph per picture stream"
    );
    // Loudness measured (the profiles ask for it): one graph per programme at least per audio file.
    assert!(
        html.matches("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"loudness\"")
            .count()
            >= 4
    );
    assert!(html.contains("class=\"band\""), "the target band is drawn");
    assert!(html.contains("Delivery QC report"));
    assert!(html.contains("How to read this report"));
    assert!(html.contains("not tied to a delivery plan"));
    assert!(html.contains("truncated"));
}

#[test]
fn reports_render_again_from_the_saved_run() {
    let r = run();
    let md = r.out.path().join("again.md");
    signoff()
        .args(["report", "--from"])
        .arg(r.out.path().join("x.json"))
        .arg("--report")
        .arg(&md)
        .assert()
        .success();
    assert_eq!(fs::read_to_string(md).unwrap(), r.read("x.md"));
    // The HTML too, thumbnails included: they are in the run, not re-decoded.
    let html = r.out.path().join("again.html");
    signoff()
        .args(["report", "--from"])
        .arg(r.out.path().join("x.json"))
        .arg("--report")
        .arg(&html)
        .assert()
        .success();
    assert_eq!(fs::read_to_string(html).unwrap(), r.read("x.html"));
    let out = signoff()
        .args(["report", "--from"])
        .arg(r.out.path().join("x.json"))
        .args(["--report", "junit:-"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), r.read("x.xml"));
}

#[test]
fn jsonl_streams_on_stdout_and_bad_targets_are_usage_errors() {
    let out = signoff()
        .args([
            "check", "--quiet", "--spec", "ebu-r128", "--format", "jsonl",
        ])
        .arg(common::media("wav_stereo_24bit.wav"))
        .arg(common::media("wav_mono_24bit.wav"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let types: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(types, ["begin", "file", "file", "end"]);

    signoff()
        .args(["check", "--spec", "ebu-r128", "--report", "out.pdf"])
        .arg(common::media("wav_mono_24bit.wav"))
        .assert()
        .code(3)
        .stderr(predicates::str::contains("FORMAT:PATH"));
    signoff()
        .args([
            "report",
            "--from",
            "/nonexistent/run.json",
            "--report",
            "md:-",
        ])
        .assert()
        .code(4);
}

#[test]
fn a_picture_not_decoded_says_why_there_are_no_thumbnails() {
    let out = tempfile::tempdir().unwrap();
    let html = out.path().join("x.html");
    signoff()
        .arg("check")
        .arg(common::media("h264_high_aac.mp4"))
        .args(["--spec", "ebu-r128", "--quiet", "--report"])
        .arg(&html)
        .assert()
        .code(1); // the trailer is louder than R 128 asks; the report is written

    let html = fs::read_to_string(html).unwrap();
    assert!(!html.contains("<img src="));
    assert!(
        html.contains(
            "No thumbnails: the picture was not decoded (no profile this file is checked against has [picture] rules)"
        ),
        "{html}"
    );
}
