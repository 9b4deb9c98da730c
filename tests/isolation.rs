//! Worker isolation (issue 15): each file is analysed in a worker process,
//! so a crash, an abort, a hang or a runaway allocation in one file becomes
//! that file's result and the batch completes. The faults are made with the
//! test-only `SIGNOFF_TEST_WORKER_FAULT`, not with a real exploit.

mod common;

use serde_json::Value;
use std::fs;
use std::path::Path;

const FAULTS: &str = "crash:crash.wav;abort:abort.wav;hang:hang.wav;memory:memory.wav";

/// Six copies of a small WAV, four of them doomed.
fn batch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in ["ok1", "crash", "abort", "hang", "memory", "ok2"] {
        fs::copy(
            common::media("wav_mono_24bit.wav"),
            dir.path().join(format!("{name}.wav")),
        )
        .unwrap();
    }
    dir
}

fn files(doc: &Value) -> Vec<(String, String, String)> {
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let name = Path::new(f["path"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let problem = f["problem"]["message"].as_str().unwrap_or("").to_string();
            (
                name,
                f["verdict"].as_str().unwrap_or("").to_string(),
                problem,
            )
        })
        .collect()
}

fn problem_of<'a>(all: &'a [(String, String, String)], name: &str) -> &'a (String, String, String) {
    all.iter().find(|f| f.0 == name).unwrap()
}

#[test]
fn a_crash_an_abort_a_hang_and_a_runaway_allocation_are_reported_and_the_rest_checked() {
    let dir = batch();
    let (code, doc) = common::json_of(
        assert_cmd::Command::cargo_bin("signoff")
            .unwrap()
            .env(signoff::isolate::TEST_FAULT_ENV, FAULTS)
            .args(["check", "--spec", "ebu-r128", "--format", "json", "-q"])
            .args([
                "--stall-timeout",
                "3",
                "--worker-memory",
                "1024",
                "--jobs",
                "2",
            ])
            .arg(dir.path()),
    );
    assert_eq!(code, 2, "unreadable files: exit 2");
    let all = files(&doc);
    assert_eq!(all.len(), 6, "every file reported: {all:?}");
    let crash = problem_of(&all, "crash.wav");
    assert_eq!(crash.1, "unreadable");
    assert!(
        crash.2.contains("the analysis crashed (signal 11, SIGSEGV"),
        "{crash:?}"
    );
    let abort = problem_of(&all, "abort.wav");
    assert!(abort.2.contains("crashed (signal 6, SIGABRT"), "{abort:?}");
    let hang = problem_of(&all, "hang.wav");
    assert!(hang.2.contains("no progress for 3 s"), "{hang:?}");
    let memory = problem_of(&all, "memory.wav");
    assert!(memory.2.contains("memory allocation of"), "{memory:?}");
    assert!(memory.2.contains("memory limit is 1024 MiB"), "{memory:?}");
    // The others were measured as in-process: the same loudness failure.
    for ok in ["ok1.wav", "ok2.wav"] {
        assert_eq!(problem_of(&all, ok).1, "fail", "{all:?}");
    }
}

#[test]
fn a_file_past_its_time_limit_is_stopped() {
    let dir = batch();
    let (_, doc) = common::json_of(
        assert_cmd::Command::cargo_bin("signoff")
            .unwrap()
            .env(signoff::isolate::TEST_FAULT_ENV, "hang:hang.wav")
            .args(["check", "--spec", "ebu-r128", "--format", "json", "-q"])
            .args(["--stall-timeout", "60", "--file-timeout", "2"])
            .arg(dir.path().join("hang.wav")),
    );
    let all = files(&doc);
    assert!(
        all[0]
            .2
            .contains("took longer than its limit of 2 s (--file-timeout)"),
        "{all:?}"
    );
}

/// Workers give the same answers as analysis in this process, byte for
/// byte in the JSON (the run's clock aside), over every fixture.
#[test]
fn workers_and_in_process_agree() {
    let run = |extra: &[&str]| {
        let out = assert_cmd::Command::cargo_bin("signoff")
            .unwrap()
            .args(["check", "--spec", "ebu-r128", "--format", "json", "-q"])
            .args(extra)
            .arg(common::fixtures().join("media"))
            .output()
            .unwrap();
        let mut doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        for key in ["started_at", "finished_at", "elapsed_s"] {
            doc.as_object_mut().unwrap().remove(key);
        }
        doc
    };
    assert_eq!(run(&[]), run(&["--in-process"]));
}

#[test]
fn a_planned_run_goes_on_past_a_crashed_file_and_records_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("FEATURE");
    common::copy_dir(&common::sample_delivery(), &root).unwrap();
    let (code, doc) = common::json_of(
        common::plan_signoff()
            .env(
                signoff::isolate::TEST_FAULT_ENV,
                "crash:FEATURE_PM_51_24bit.wav",
            )
            .arg("check")
            .arg(&root)
            .args(["--format", "json", "-q"]),
    );
    assert_ne!(code, 0);
    let pm = doc["deliverables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "printmaster-51")
        .unwrap();
    assert_eq!(pm["files"][0]["verdict"], "unreadable", "{pm}");
    assert_eq!(pm["state"], "failing", "{pm}");
    let stereo = doc["deliverables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "printmaster-20")
        .unwrap();
    assert_ne!(
        stereo["files"][0]["verdict"], "unreadable",
        "the other files are checked: {stereo}"
    );
}

/// A file whose analysis crashed is analysed again by the next run, even
/// when the cache knew its hash: the crash is not cached as its result.
#[test]
fn a_crash_is_not_cached_the_next_run_analyses_the_file_again() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("FEATURE");
    common::copy_dir(&common::sample_delivery(), &root).unwrap();
    let pm = |doc: &Value| {
        doc["deliverables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == "printmaster-51")
            .unwrap()["files"][0]
            .clone()
    };
    let check = |fault: Option<&str>| {
        let mut cmd = common::plan_signoff();
        if let Some(f) = fault {
            cmd.env(signoff::isolate::TEST_FAULT_ENV, f);
        }
        common::json_of(cmd.arg("check").arg(&root).args(["--format", "json", "-q"])).1
    };
    let clean = pm(&check(None));
    assert_eq!(clean["verdict"], "pass", "{clean}");
    // Other profiles: the cache knows the hash, not a result against them.
    let plan = root.join("signoff.toml");
    let text = fs::read_to_string(&plan).unwrap();
    let edited = text.replacen(
        "profiles = [\"ebu-r128\"]\npatterns = [\"audio/FEATURE_PM_51_*.wav\"]",
        "profiles = [\"ebu-r128-live\"]\npatterns = [\"audio/FEATURE_PM_51_*.wav\"]",
        1,
    );
    assert_ne!(edited, text);
    fs::write(&plan, edited).unwrap();
    let crashed = pm(&check(Some("crash:FEATURE_PM_51_24bit.wav")));
    assert_eq!(crashed["verdict"], "unreadable", "{crashed}");
    assert!(crashed["sha256"].is_null(), "{crashed}");
    let doc = check(None);
    let again = pm(&doc);
    assert_eq!(again["verdict"], "pass", "analysed again: {again}");
    assert_eq!(again["sha256"], clean["sha256"]);
    assert!(doc["analysed_files"].as_u64().unwrap() >= 1, "{doc}");
}

/// A panic while analysing a file in-process (`--in-process`) is that
/// file's result, recorded in the ledger: `status` reads the same board.
#[test]
fn a_panic_in_process_is_recorded_as_the_files_result() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("D");
    fs::create_dir(&root).unwrap();
    for name in ["ok", "panics"] {
        fs::copy(
            common::media("wav_mono_24bit.wav"),
            root.join(format!("{name}.wav")),
        )
        .unwrap();
    }
    fs::write(
        root.join("signoff.toml"),
        "[project]\ntitle = \"P\"\n[[deliverable]]\nid = \"stems\"\ntitle = \"Stems\"\npatterns = [\"*.wav\"]\ncount = 2\n",
    )
    .unwrap();
    let ledger = dir.path().join("l.sqlite");
    let run = |args: &[&str]| {
        common::json_of(
            assert_cmd::Command::cargo_bin("signoff")
                .unwrap()
                .env(signoff::isolate::TEST_FAULT_ENV, "panic:panics.wav")
                .args(args)
                .arg(&root)
                .args(["--format", "json", "--ledger"])
                .arg(&ledger),
        )
    };
    let (code, checked) = run(&["check", "--in-process", "-q"]);
    assert_eq!(code, 2, "an unreadable file: exit 2");
    let files = checked["deliverables"][0]["files"].as_array().unwrap();
    let verdict = |name: &str| files.iter().find(|f| f["path"] == name).unwrap()["verdict"].clone();
    assert_eq!(verdict("panics.wav"), "unreadable");
    assert_ne!(verdict("ok.wav"), "unreadable");
    let (_, status) = run(&["status"]);
    assert_eq!(status["deliverables"], checked["deliverables"]);
}
