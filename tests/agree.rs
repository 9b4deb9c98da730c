//! The run's answer is one answer: the exit code, the terminal summary, the
//! JSON (on stdout and `--report run.json`), the JUnit XML (read by Python's
//! junitparser), the HTML headline and the Markdown headline all say the same
//! thing, on the sample delivery (ledger in a temp folder) and on fixture
//! files, under the default policy and with `--fail-on`.

mod common;

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

/// What every output said.
#[derive(Debug, PartialEq)]
struct Answers {
    exit: i32,
    terminal: String,
    stdout_json: String,
    run_json: String,
    html: String,
    markdown: String,
    junit_fails: bool,
}

fn junitparser(xml: &Path) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/junit_counts.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(xml)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn word(v: &str) -> String {
    v.to_ascii_uppercase().replace('_', " ")
}

/// The verdict word a headline starts with (`FAIL: …`, `NOT EVALUATED · …`, `PASS`).
fn headline_word(h: &str) -> String {
    h.split([':', '·', '*']).next().unwrap().trim().to_string()
}

/// Runs `signoff check ARGS` twice (people's output with every report, then
/// `--format json`) and reads each output's answer.
fn answers(dir: &Path, args: &[&str], paths: &[PathBuf]) -> Answers {
    let r = |n: &str| dir.join(n);
    let mut c = common::plan_signoff();
    c.arg("check").arg("-q").args(args).args(paths);
    for n in ["x.html", "x.xml", "x.md", "x.json"] {
        c.arg("--report").arg(r(n));
    }
    let out = c.output().unwrap();
    let exit = out.status.code().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let terminal = stdout.lines().last().unwrap_or_default().to_string();
    let terminal = headline_word(&terminal);
    let json_out = common::plan_signoff()
        .arg("check")
        .args(["-q", "--format", "json"])
        .args(args)
        .args(paths)
        .output()
        .unwrap();
    assert_eq!(json_out.status.code().unwrap(), exit, "the same run twice");
    let doc: Value = serde_json::from_slice(&json_out.stdout).unwrap();
    assert_eq!(doc["outcome"]["exit_code"], exit);
    let run: Value = serde_json::from_str(&fs::read_to_string(r("x.json")).unwrap()).unwrap();
    assert_eq!(run["summary"]["exit_code"], exit);
    let html = fs::read_to_string(r("x.html")).unwrap();
    let html_class = html
        .split("<header class=\"run ")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let md = fs::read_to_string(r("x.md")).unwrap();
    let md_word = headline_word(md.trim_start_matches("**signoff QC: "));
    let junit = junitparser(&r("x.xml"));
    let junit_fails = junit["failures"].as_u64().unwrap() + junit["errors"].as_u64().unwrap() > 0;
    Answers {
        exit,
        terminal,
        stdout_json: word(doc["outcome"]["verdict"].as_str().unwrap()),
        run_json: word(run["summary"]["verdict"].as_str().unwrap()),
        html: word(&html_class),
        markdown: md_word,
        junit_fails,
    }
}

/// Asserts every output gives `expected` (`PASS`, `NOT EVALUATED`, `FAIL`, `UNREADABLE`).
fn agree(a: &Answers, expected: &str) {
    let exit = match expected {
        "PASS" | "NOT EVALUATED" => 0,
        "FAIL" => 1,
        _ => 2,
    };
    assert_eq!(
        a,
        &Answers {
            exit,
            terminal: expected.into(),
            stdout_json: expected.into(),
            run_json: expected.into(),
            html: expected.into(),
            markdown: expected.into(),
            junit_fails: !matches!(expected, "PASS" | "NOT EVALUATED"),
        }
    );
}

#[test]
fn fixture_files_get_one_answer_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let pass = common::sample_delivery().join("audio/FEATURE_PM_20_24bit.wav");
    // No audio to measure: the loudness rules of R 128 cannot be evaluated.
    let unevaluated = common::media("h264_422_intra.mov");
    let spec = ["--spec", "ebu-r128"];
    let both = [pass.clone(), unevaluated.clone()];
    // Nothing fails the run, but it is not a pass either (exit 0 all the same).
    agree(&answers(d, &spec, &both), "NOT EVALUATED");
    agree(&answers(d, &spec, std::slice::from_ref(&pass)), "PASS");
    let strict = ["--spec", "ebu-r128", "--fail-on", "not-evaluated"];
    agree(&answers(d, &strict, &both), "FAIL");
    let loud = common::sample_delivery().join("audio/FEATURE_MnE_20_24bit.wav");
    agree(&answers(d, &spec, &[pass.clone(), loud.clone()]), "FAIL");
    agree(
        &answers(d, &spec, &[pass, loud, common::bad("truncated.mov")]),
        "UNREADABLE",
    );
}

#[test]
fn the_sample_delivery_gets_one_answer_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("FEATURE");
    common::copy_dir(&common::sample_delivery(), &root).unwrap();
    let ledger = tmp.path().join("ledger.sqlite");
    let l = ledger.to_str().unwrap();
    let out = tmp.path().join("out");
    fs::create_dir(&out).unwrap();
    let approve = |id: &str| {
        common::plan_signoff()
            .args(["approve", id, "--by", "Ana", "-q", "--ledger", l, "--root"])
            .arg(&root)
            .assert()
            .code(0);
    };
    approve("music-cue-sheet");
    // A revised (still valid) cue sheet: a comment appended after %%EOF.
    let sheet = root.join("docs/FEATURE_music_cue_sheet.pdf");
    let mut revised = fs::read(&sheet).unwrap();
    revised.extend_from_slice(b"% revised\n");
    fs::write(&sheet, revised).unwrap();
    let roots = [root.clone()];
    let a = answers(&out, &["--ledger", l], &roots);
    agree(&a, "FAIL");
    // The JUnit fails what the policy fails: the missing deliverable, not the
    // stale approval or the overdue key art (until --fail-on asks).
    let xml = fs::read_to_string(out.join("x.xml")).unwrap();
    assert!(xml.contains("type=\"missing\""), "{xml}");
    assert!(!xml.contains("type=\"approval_stale\"") && !xml.contains("type=\"overdue\""));
    let md = fs::read_to_string(out.join("x.md")).unwrap();
    assert!(md.contains("1 deliverable missing"), "{md}");
    assert!(
        md.contains("not failing: ") && md.contains("1 approval stale"),
        "{md}"
    );
    let strict = ["--ledger", l, "--fail-on", "stale,overdue,incomplete"];
    agree(&answers(&out, &strict, &roots), "FAIL");
    let xml = fs::read_to_string(out.join("x.xml")).unwrap();
    for kind in ["approval_stale", "overdue", "incomplete"] {
        assert!(xml.contains(&format!("type=\"{kind}\"")), "{kind}: {xml}");
    }
}

/// The case of the issue: a missing, overdue deliverable and a stale
/// approval used to exit 0 with a JUnit that failed and a headline that
/// said otherwise.
#[test]
fn a_missing_overdue_deliverable_fails_every_output() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("D");
    fs::create_dir_all(root.join("audio")).unwrap();
    fs::copy(
        common::sample_delivery().join("audio/FEATURE_PM_20_24bit.wav"),
        root.join("audio/PM_20.wav"),
    )
    .unwrap();
    fs::write(
        root.join("signoff.toml"),
        "[project]\ntitle = \"D\"\n\n[[deliverable]]\nid = \"pm\"\ntitle = \"Printmaster\"\n\
         profiles = [\"ebu-r128\"]\npatterns = [\"audio/PM_*.wav\"]\n\n[[deliverable]]\n\
         id = \"dub\"\ntitle = \"Dub\"\nprofiles = [\"ebu-r128\"]\npatterns = [\"audio/DUB_*.wav\"]\n\
         due = \"2025-01-01\"\n",
    )
    .unwrap();
    let ledger = tmp.path().join("l.sqlite");
    let l = ledger.to_str().unwrap();
    let out = tmp.path().join("out");
    fs::create_dir(&out).unwrap();
    agree(
        &answers(&out, &["--ledger", l], std::slice::from_ref(&root)),
        "FAIL",
    );
    let html = fs::read_to_string(out.join("x.html")).unwrap();
    assert!(
        html.contains("1 deliverable missing"),
        "the headline says why"
    );
}

/// `approve` walks the delivery as `check` does (the same flags): a
/// deliverable that passes through a followed link is approved, not refused.
#[test]
fn approve_sees_the_files_check_sees() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("D");
    fs::create_dir_all(root.join("audio")).unwrap();
    let store = tmp.path().join("store");
    fs::create_dir_all(&store).unwrap();
    fs::copy(
        common::sample_delivery().join("audio/FEATURE_PM_20_24bit.wav"),
        store.join("PM_20.wav"),
    )
    .unwrap();
    std::os::unix::fs::symlink(store.join("PM_20.wav"), root.join("audio/PM_20.wav")).unwrap();
    fs::write(
        root.join("signoff.toml"),
        "[project]\ntitle = \"D\"\n\n[[deliverable]]\nid = \"pm\"\ntitle = \"Printmaster\"\n\
         profiles = [\"ebu-r128\"]\npatterns = [\"audio/PM_*.wav\"]\n",
    )
    .unwrap();
    let ledger = tmp.path().join("l.sqlite");
    let l = ledger.to_str().unwrap();
    common::plan_signoff()
        .args(["check", "-q", "--follow-links", "--ledger", l])
        .arg(&root)
        .assert()
        .code(0);
    let out = common::plan_signoff()
        .args([
            "approve",
            "pm",
            "--by",
            "Ana",
            "-q",
            "--follow-links",
            "--ledger",
            l,
            "--root",
        ])
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 file(s) bound by SHA-256"));
}

/// The board's picture line of each master is one line everywhere: the
/// terminal board prints `picture: TEXT` under its deliverable, the JSON
/// board carries the same `text` with the counts it is made of, and the
/// HTML board shows it; the HTML report also shows the thumbnails and luma
/// graph taken in the same decode.
#[test]
fn the_sample_delivery_board_shows_each_masters_picture_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let ledger = tmp.path().join("ledger.sqlite");
    let html = tmp.path().join("x.html");
    let root = common::sample_delivery();
    let out = common::plan_signoff()
        .args(["check", "--ledger"])
        .arg(&ledger)
        .arg("--report")
        .arg(&html)
        .arg(&root)
        .output()
        .unwrap();
    let terminal = String::from_utf8(out.stdout).unwrap();
    let json = common::plan_signoff()
        .args(["check", "-q", "--format", "json", "--ledger"])
        .arg(&ledger)
        .arg(&root)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&json.stdout).unwrap();
    let html = fs::read_to_string(&html).unwrap();
    let mut lines = 0;
    for d in doc["deliverables"].as_array().unwrap() {
        let id = d["id"].as_str().unwrap();
        let block: Vec<&str> = terminal
            .lines()
            .skip_while(|l| !l.starts_with(&format!("{id} ")))
            .skip(1)
            .take_while(|l| l.starts_with(' '))
            .collect();
        for f in d["files"].as_array().unwrap() {
            let Some(text) = f["picture"]["text"].as_str() else {
                continue;
            };
            lines += 1;
            assert!(
                block.iter().any(|l| l.trim() == format!("picture: {text}")),
                "{id}: {block:?}"
            );
            let escaped = text.replace('&', "&amp;").replace('<', "&lt;");
            assert!(
                html.contains(&format!(
                    "<span class=\"picture\">picture: {escaped}</span>"
                )),
                "{id}"
            );
        }
    }
    // The two ProRes masters and the broadcast trailer; the web trailer's
    // profile has no picture rules, so its row has no picture line.
    assert_eq!(lines, 3, "{terminal}");
    let row = |id: &str| {
        doc["deliverables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .unwrap()["files"][0]["picture"]
            .clone()
    };
    assert_eq!(row("trailer-web"), Value::Null);
    let trailer = row("trailer-broadcast");
    assert!(
        trailer["rgb_out_of_range_frames"].as_u64().unwrap() > 0,
        "{trailer}"
    );
    assert_eq!(trailer["pse_passed"], true);
    assert!(trailer["text"]
        .as_str()
        .unwrap()
        .contains("PSE screening, not a certified test: pass"));
    assert_eq!(row("feature-master")["text"], "black 0 · freeze 0");
    // Thumbnails from the picture pass (6 per master with picture rules),
    // and a luma graph in each timeline strip.
    assert_eq!(html.matches("<div class=\"thumbs\">").count(), 3);
    assert_eq!(
        html.matches("<img src=\"data:image/png;base64,").count(),
        18
    );
    assert_eq!(html.matches(">Y′ (0–").count(), 3);
}
