//! Reports of a planned run, through the binary, on temp copies of the
//! sample delivery with the ledger in a temp folder (never the repo's
//! fixtures): `check ROOT --report …` writes the board with every file's
//! detail, the JUnit has one suite per deliverable (read by Python's
//! junitparser), and `signoff report ROOT` renders the ledger's last run
//! again without analysing anything.

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

fn signoff() -> Command {
    common::plan_signoff()
}

/// A temp copy of the sample delivery, its ledger path, and a reports folder.
struct Sample {
    tmp: tempfile::TempDir,
    root: PathBuf,
    ledger: PathBuf,
}

impl Sample {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("FEATURE");
        common::copy_dir(&common::sample_delivery(), &root).unwrap();
        let ledger = tmp.path().join("ledger").join("l.sqlite");
        Sample { tmp, root, ledger }
    }

    fn out(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// `signoff CMD ROOT --ledger L --report OUT…`; returns the exit code.
    fn run(&self, cmd: &str, reports: &[&str]) -> i32 {
        let mut c = signoff();
        c.arg(cmd).arg(&self.root).arg("--ledger").arg(&self.ledger);
        if cmd == "check" {
            c.arg("-q");
        }
        for r in reports {
            c.arg("--report").arg(self.out(r));
        }
        let out = c.output().unwrap();
        assert!(
            out.status.code().is_some_and(|c| c <= 2),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.status.code().unwrap()
    }

    fn json(&self, name: &str) -> Value {
        serde_json::from_str(&fs::read_to_string(self.out(name)).unwrap()).unwrap()
    }

    fn runs(&self) -> i64 {
        let conn = rusqlite::Connection::open(&self.ledger).unwrap();
        conn.query_row("SELECT COUNT(*) FROM runs", [], |r| r.get(0))
            .unwrap()
    }
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
        "junitparser could not read the JUnit report (`python3 -m pip install junitparser`):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// (tests, failures, errors, skipped) the JUnit should hold, from the JSON
/// run: per deliverable, each of its files × its own profiles; one failing
/// case per deliverable with no file.
fn expected_junit(run: &Value) -> (u64, u64, u64, u64) {
    let mut counts = (0, 0, 0, 0);
    for row in run["board"].as_array().unwrap() {
        let files = row["files"].as_array().unwrap();
        if files.is_empty() {
            common::tally_case(&mut counts, common::CaseOutcome::Failure);
            continue;
        }
        let profiles: Vec<&Value> = row["profiles"]
            .as_array()
            .map(|p| p.iter().collect())
            .unwrap_or_default();
        for path in files {
            let entry = run["files"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["file"]["relative_path"] == path["path"])
                .unwrap_or_else(|| panic!("{path} of {} is not in the run", row["id"]));
            for p in &profiles {
                common::tally_case(&mut counts, common::case_outcome(&entry["report"], p));
            }
        }
    }
    counts
}

#[test]
fn check_writes_the_board_reports_and_report_renders_them_again() {
    let s = Sample::new();
    let code = s.run("check", &["x.html", "x.xml", "x.md", "x.json"]);
    assert_eq!(code, 1, "the sample delivery has failing deliverables");
    let run = s.json("x.json");
    let board = run["board"].as_array().expect("a board");
    let ids: Vec<&str> = board.iter().map(|b| b["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 12, "{ids:?}");
    assert_eq!(run["project"], "FEATURE");
    assert_eq!(run["distributor"], "Meridian Distribution");
    let row = |id: &str| board.iter().find(|b| b["id"] == id).unwrap();
    assert_eq!(row("dub-de")["state"], "missing");
    assert_eq!(row("mne")["state"], "failing");
    assert_eq!(row("key-art")["state"], "passing");
    assert_eq!(
        row("key-art")["states"],
        serde_json::json!(["passing", "overdue"])
    );
    assert_eq!(row("subtitles-foreign")["expected_files"], 3);

    // Every file of the run is there, with its deliverable, hash and detail.
    let files = run["files"].as_array().unwrap();
    assert_eq!(files.len(), 14, "every file of the delivery");
    let file = |rel: &str| {
        files
            .iter()
            .find(|f| f["file"]["relative_path"] == rel)
            .unwrap_or_else(|| panic!("{rel}"))
    };
    let master = file("picture/FEATURE_FTR_ProResHQ_2398_178_EN.mov");
    assert_eq!(master["deliverable"], "feature-master");
    assert_eq!(master["sha256"].as_str().unwrap().len(), 64);
    assert!(master["file"]["media"]["streams"].is_array());
    assert_eq!(master["report"]["verdict"], "pass");
    let mne = file("audio/FEATURE_MnE_20_24bit.wav");
    assert!(mne["audio"]["programmes"].is_array(), "{mne}");
    let trailer = file("picture/FEATURE_TRL_H264_25.mp4");
    assert_eq!(trailer["deliverable"], "trailer-web", "the first claimant");
    assert!(trailer["file"]["warnings"]
        .to_string()
        .contains("trailer-web, trailer-broadcast"));
    assert!(file(".DS_Store")["deliverable"].is_null());

    // HTML: the board with every deliverable and its state, thumbnails, graphs.
    let html = fs::read_to_string(s.out("x.html")).unwrap();
    assert!(html.contains("<section class=\"board\">"));
    for b in board {
        let id = b["id"].as_str().unwrap();
        let words: Vec<String> = b["states"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().replace('_', " "))
            .collect();
        let state = words.join(", ");
        assert!(
            html.contains(&format!("<b class=\"nw\">{id}</b>")),
            "{id} not on the board"
        );
        assert!(html.contains(&format!(">{state}</span>")), "{id}: {state}");
    }
    assert!(html.contains("data:image/"), "thumbnails");
    assert!(html.contains("<svg"), "loudness graphs");
    let md = fs::read_to_string(s.out("x.md")).unwrap();
    assert!(md.contains("dub-de") && md.contains("missing"), "{md}");

    // JUnit: one suite per deliverable, counts as the run says.
    let junit = junitparser(&s.out("x.xml"));
    assert_eq!(junit["suites"], 12, "{junit}");
    let (t, f, e, sk) = expected_junit(&run);
    assert_eq!(
        (
            junit["tests"].as_u64().unwrap(),
            junit["failures"].as_u64().unwrap(),
            junit["errors"].as_u64().unwrap(),
            junit["skipped"].as_u64().unwrap()
        ),
        (t, f, e, sk),
        "{junit}"
    );
    assert_eq!(junit["cases"].as_u64().unwrap(), t);
    let xml = fs::read_to_string(s.out("x.xml")).unwrap();
    for id in &ids {
        assert!(xml.contains(&format!("<testsuite name=\"{id}\"")), "{id}");
    }
    assert!(
        xml.contains("classname=\"dub-de\""),
        "the missing deliverable fails"
    );
    assert!(xml.contains("type=\"missing\""));

    // `signoff report`: the same run from the ledger, nothing analysed.
    assert_eq!(s.runs(), 1);
    let code = s.run("report", &["y.html", "y.json"]);
    assert_eq!(code, 0);
    assert_eq!(s.runs(), 1, "report records no run");
    let again = s.json("y.json");
    assert_eq!(again["started_at"], run["started_at"]);
    assert_eq!(again, run, "the same run, rendered again");
    let html2 = fs::read_to_string(s.out("y.html")).unwrap();
    for id in &ids {
        assert!(html2.contains(&format!("<b class=\"nw\">{id}</b>")), "{id}");
    }
    assert!(html2.contains("data:image/") && html2.contains("<svg"));

    // The saved JSON renders the same JUnit with `--from`.
    signoff()
        .arg("report")
        .arg("--from")
        .arg(s.out("x.json"))
        .arg("--report")
        .arg(s.out("z.xml"))
        .assert()
        .code(0);
    assert_eq!(
        fs::read_to_string(s.out("z.xml")).unwrap(),
        xml,
        "--from renders the same JUnit"
    );
}

#[test]
fn a_rerun_from_the_cache_keeps_every_detail() {
    let s = Sample::new();
    s.run("check", &["a.json"]);
    s.run("check", &["b.json"]);
    assert_eq!(s.runs(), 2);
    let (a, b) = (s.json("a.json"), s.json("b.json"));
    assert_eq!(a["files"], b["files"], "reused results keep their detail");
    assert_eq!(a["board"], b["board"]);
}

#[test]
fn results_without_stored_detail_say_so() {
    let s = Sample::new();
    s.run("check", &[]);
    // What a result recorded before schema 3 looks like once migrated.
    rusqlite::Connection::open(&s.ledger)
        .unwrap()
        .execute("UPDATE file_results SET detail_json = NULL", [])
        .unwrap();
    assert_eq!(s.run("report", &["old.json", "old.html"]), 0);
    let run = s.json("old.json");
    let files = run["files"].as_array().unwrap();
    assert_eq!(files.len(), 14);
    for f in files {
        assert!(
            f["file"]["warnings"]
                .to_string()
                .contains("details not stored for this file; run with --rehash"),
            "{f}"
        );
    }
    assert_eq!(run["board"].as_array().unwrap().len(), 12);
    let html = fs::read_to_string(s.out("old.html")).unwrap();
    assert!(html.contains("run with --rehash"));
}

#[test]
fn report_without_a_run_says_so() {
    let s = Sample::new();
    let out = signoff()
        .arg("report")
        .arg(&s.root)
        .arg("--ledger")
        .arg(&s.ledger)
        .arg("--report")
        .arg(s.out("z.html"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("signoff check"));
    assert!(!s.out("z.html").exists());
}
