//! The plan workflow through the binary, on temp copies of the sample
//! delivery (never the repo's fixtures): every board state, approve /
//! override / stale, the cache, concurrent writers, SIGKILL mid-run, an old
//! ledger migrated, plan init, CSV import and every bad-plan case. The
//! cache, concurrent writers and SIGKILL run on SQLite and PostgreSQL.

mod common;

use assert_cmd::Command;
use common::ledger::{Backend, TestLedger};
use predicates::str::contains;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

// The ledger's guarantees on both stores: the cache, concurrent writers, SIGKILL mid-run.
both_backends!(
    rerun_reuses_the_cache_and_rehash_forces_a_full_pass,
    two_concurrent_runs_share_one_ledger,
    a_run_killed_mid_way_leaves_a_consistent_ledger,
);

fn signoff() -> Command {
    common::plan_signoff()
}

/// A temp copy of the sample delivery (plan included).
fn sample() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("FEATURE");
    common::copy_dir(&common::sample_delivery(), &root).unwrap();
    (tmp, root)
}

fn check_json(root: &Path, extra: &[&str]) -> (i32, Value) {
    common::json_of(
        signoff()
            .arg("check")
            .arg(root)
            .args(["--format", "json"])
            .args(extra),
    )
}

fn deliverable<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["deliverables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .unwrap()
}

fn states(doc: &Value, id: &str) -> Vec<String> {
    deliverable(doc, id)["states"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

fn approve(root: &Path, id: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    signoff()
        .args(["approve", id, "--by", "Ana Ruiz", "-q", "--root"])
        .arg(root)
        .args(extra)
        .assert()
}

fn integrity(ledger: &Path) -> String {
    let conn = rusqlite::Connection::open(ledger).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

fn count(ledger: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(ledger).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn one_check_shows_every_state() {
    let (_tmp, root) = sample();
    approve(&root, "feature-master", &["--note", "viewed in full"])
        .code(0)
        .stdout(contains("bound by SHA-256"));
    approve(&root, "music-cue-sheet", &[]).code(0);
    // A revised (still valid) cue sheet: a comment appended after %%EOF.
    let sheet = root.join("docs/FEATURE_music_cue_sheet.pdf");
    let mut revised = fs::read(&sheet).unwrap();
    revised.extend_from_slice(b"% revised\n");
    fs::write(&sheet, revised).unwrap();
    let (code, doc) = check_json(&root, &[]);
    assert_eq!(code, 1, "a failing deliverable exits 1");
    assert_eq!(doc["schema_version"], 2);
    assert_eq!(doc["command"], "check");
    assert_eq!(doc["outcome"]["verdict"], "fail");
    assert_eq!(doc["outcome"]["exit_code"], 1);
    assert_eq!(states(&doc, "dub-de"), ["missing"]);
    assert_eq!(states(&doc, "subtitles-foreign"), ["incomplete"]);
    assert_eq!(states(&doc, "trailer-broadcast"), ["failing"]);
    assert_eq!(
        states(&doc, "mne"),
        ["failing"],
        "the M&E at -16 LUFS fails EBU R 128"
    );
    assert_eq!(states(&doc, "printmaster-51"), ["passing"]);
    assert_eq!(states(&doc, "trailer-web"), ["passing"]);
    assert_eq!(deliverable(&doc, "trailer-web")["warning_count"], 1);
    assert_eq!(states(&doc, "feature-master"), ["approved"]);
    assert_eq!(
        states(&doc, "music-cue-sheet"),
        ["approval_stale", "passing"]
    );
    assert_eq!(
        deliverable(&doc, "music-cue-sheet")["stale_files"][0],
        "docs/FEATURE_music_cue_sheet.pdf (changed)"
    );
    assert_eq!(states(&doc, "key-art"), ["passing", "overdue"]);
    assert_eq!(deliverable(&doc, "key-art")["owner"], "Marketing");
    assert_eq!(deliverable(&doc, "key-art")["due"], "2025-01-15");
    let unplanned: Vec<&str> = doc["unplanned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        unplanned,
        [
            ".DS_Store",
            "docs/delivery_schedule.csv",
            "picture/._FEATURE_FTR_ProResHQ_2398_178_EN.mov"
        ]
    );
    assert_eq!(
        doc["double_claimed"]["picture/FEATURE_TRL_H264_25.mp4"],
        serde_json::json!(["trailer-web", "trailer-broadcast"])
    );
    signoff()
        .arg("check")
        .arg(&root)
        .assert()
        .code(1)
        .stdout(contains("APPROVAL STALE"))
        .stdout(contains(
            "changed since approval: docs/FEATURE_music_cue_sheet.pdf",
        ))
        .stdout(contains("passing, OVERDUE"))
        .stdout(contains("MISSING"))
        .stdout(contains("unplanned (3)"))
        .stdout(contains("claimed twice (1)"));
}

#[test]
fn readme_command_leaves_the_fixtures_untouched() {
    let before = common::snapshot(&common::sample_delivery());
    let tmp = tempfile::tempdir().unwrap();
    let ledger = tmp.path().join("sub/sample-ledger.sqlite");
    signoff()
        .arg("check")
        .arg(common::sample_delivery())
        .arg("--ledger")
        .arg(&ledger)
        .assert()
        .code(1);
    assert!(ledger.exists());
    common::assert_unchanged(&common::sample_delivery(), &before);
}

#[test]
fn approve_refuses_failing_and_incomplete_unless_overridden() {
    let (_tmp, root) = sample();
    approve(&root, "trailer-broadcast", &[])
        .code(1)
        .stderr(contains(
            "refusing to approve `trailer-broadcast`: it is failing",
        ))
        .stderr(contains("--override"));
    approve(&root, "subtitles-foreign", &[])
        .code(1)
        .stderr(contains("it is incomplete (1 of 3 files)"));
    approve(&root, "dub-de", &[])
        .code(1)
        .stderr(contains("it is missing"));
    approve(&root, "trailer-broadcst", &[])
        .code(4)
        .stderr(contains("did you mean `trailer-broadcast`?"));
    approve(
        &root,
        "trailer-broadcast",
        &["--override", "broadcaster accepts the MP4"],
    )
    .code(0)
    .stdout(contains("override recorded"));
    let (_, doc) = check_json(&root, &[]);
    assert_eq!(states(&doc, "trailer-broadcast"), ["approved"]);
    assert_eq!(
        deliverable(&doc, "trailer-broadcast")["approval"]["override_reason"],
        "broadcaster accepts the MP4"
    );
    signoff()
        .args(["history", "trailer-broadcast", "--root"])
        .arg(&root)
        .assert()
        .code(0)
        .stdout(contains("OVERRIDE: broadcaster accepts the MP4"))
        .stdout(contains("failing"));
}

#[test]
fn status_reads_the_ledger_without_analysing() {
    let (_tmp, root) = sample();
    signoff()
        .arg("status")
        .arg(&root)
        .assert()
        .code(4)
        .stderr(contains("no completed run"));
    signoff().arg("check").arg(&root).assert().code(1);
    let out = signoff()
        .arg("status")
        .arg(&root)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(states(&doc, "dub-de"), ["missing"]);
    assert_eq!(doc["analysed_files"], 0);
    // From inside the delivery, with no argument: the plan is discovered.
    signoff()
        .arg("status")
        .current_dir(root.join("picture"))
        .assert()
        .code(1)
        .stdout(contains("trailer-broadcast"));
}

#[test]
fn a_subfolder_of_a_planned_delivery_is_refused_with_a_hint() {
    let (_tmp, root) = sample();
    let ledger = root.join("signoff.ledger.sqlite");
    for cmd in ["check", "status"] {
        signoff()
            .arg(cmd)
            .arg(root.join("picture"))
            .assert()
            .code(4)
            .stderr(contains("is inside the delivery"))
            .stderr(contains("Check the whole delivery with `signoff check"))
            .stderr(contains("--spec PROFILE"));
    }
    signoff()
        .args(["approve", "feature-master", "--by", "Ana", "--root"])
        .arg(root.join("picture"))
        .assert()
        .code(4);
    assert!(!ledger.exists(), "nothing recorded for a partial run");
    signoff()
        .arg("check")
        .arg(root.join("picture/.."))
        .assert()
        .code(1);
}

/// SQLite's own integrity check (PostgreSQL has none to ask: "ok").
fn store_integrity(ledger: &TestLedger) -> String {
    match ledger.backend {
        Backend::Sqlite => integrity(Path::new(&ledger.arg)),
        Backend::Postgres => "ok".into(),
    }
}

fn rerun_reuses_the_cache_and_rehash_forces_a_full_pass(backend: Backend) {
    let (tmp, root) = sample();
    let ledger = TestLedger::new(backend, &tmp.path().join("ledger.sqlite"));
    let check = |extra: &[&str]| {
        common::json_of(
            ledger
                .signoff()
                .arg("check")
                .arg(&root)
                .args(["--format", "json"])
                .args(extra),
        )
        .1
    };
    let first = check(&[]);
    assert_eq!(
        (
            first["reused_files"].as_u64(),
            first["analysed_files"].as_u64()
        ),
        (Some(0), Some(14))
    );
    let second = check(&[]);
    assert_eq!(
        (
            second["reused_files"].as_u64(),
            second["analysed_files"].as_u64()
        ),
        (Some(14), Some(0))
    );
    assert_eq!(first["deliverables"], second["deliverables"]);
    let third = check(&["--rehash"]);
    assert_eq!(third["analysed_files"], 14);
    fs::write(
        root.join("subtitles/FEATURE_EN_SDH.srt"),
        "1\n00:00:01,000 --> 00:00:02,000\nHi\n",
    )
    .unwrap();
    let fourth = check(&[]);
    assert_eq!(fourth["analysed_files"], 1);
}

fn two_concurrent_runs_share_one_ledger(backend: Backend) {
    let (tmp, root) = sample();
    let ledger = TestLedger::new(backend, &tmp.path().join("ledger.sqlite"));
    let spawn = || {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("signoff"))
            .arg("check")
            .arg(&root)
            .args(["--rehash", "--jobs", "2", "--ledger"])
            .arg(&ledger.arg)
            .env("SIGNOFF_TODAY", common::PLAN_TODAY)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let (mut a, mut b) = (spawn(), spawn());
    assert_eq!(a.wait().unwrap().code(), Some(1));
    assert_eq!(b.wait().unwrap().code(), Some(1));
    assert_eq!(store_integrity(&ledger), "ok");
    assert_eq!(
        ledger.count("SELECT COUNT(*) FROM runs WHERE finished_at IS NOT NULL"),
        2
    );
    assert_eq!(
        ledger.count("SELECT COUNT(*) FROM run_files"),
        28,
        "no result lost"
    );
}

fn a_run_killed_mid_way_leaves_a_consistent_ledger(backend: Backend) {
    let (tmp, root) = sample();
    let ledger = TestLedger::new(backend, &tmp.path().join("ledger.sqlite"));
    let killed_runs = || {
        ledger
            .try_count("SELECT COUNT(*) FROM runs WHERE finished_at IS NULL")
            .unwrap_or(0)
    };
    // Kill later and later until one kill lands mid-run: under load the
    // first kills may land before the ledger's schema exists.
    for delay_ms in [15, 40, 80, 150, 300, 600, 1200, 2500, 5000] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("signoff"))
            .arg("check")
            .arg(&root)
            .args(["--rehash", "--jobs", "1", "--ledger"])
            .arg(&ledger.arg)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        // SAFETY: signalling our own child by its pid.
        unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
        let _ = child.wait();
        if backend == Backend::Postgres || Path::new(&ledger.arg).exists() {
            assert_eq!(store_integrity(&ledger), "ok");
            if killed_runs() > 0 {
                break;
            }
        }
    }
    assert!(killed_runs() > 0, "no run was killed mid-way");
    let (code, doc) = common::json_of(
        ledger
            .signoff()
            .arg("check")
            .arg(&root)
            .args(["--format", "json"]),
    );
    assert_eq!(code, 1);
    assert_eq!(
        doc["analysed_files"].as_u64().unwrap() + doc["reused_files"].as_u64().unwrap(),
        14
    );
    assert_eq!(states(&doc, "dub-de"), ["missing"]);
    assert_eq!(store_integrity(&ledger), "ok");
    ledger.signoff().arg("status").arg(&root).assert().code(1);
}

/// Version 1 of the ledger schema, as an older signoff wrote it.
const V1: &str = "
CREATE TABLE runs (id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, user TEXT NOT NULL, tool_version TEXT NOT NULL, plan_digest TEXT NOT NULL, root TEXT NOT NULL);
CREATE TABLE file_cache (path TEXT PRIMARY KEY, size_bytes INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, sha256 TEXT NOT NULL);
CREATE TABLE file_results (sha256 TEXT NOT NULL, profiles_digest TEXT NOT NULL, verdict TEXT, errors INTEGER NOT NULL, warnings INTEGER NOT NULL, not_evaluated INTEGER NOT NULL, report_json TEXT, PRIMARY KEY (sha256, profiles_digest));
CREATE TABLE run_files (run_id INTEGER NOT NULL REFERENCES runs(id), path TEXT NOT NULL, sha256 TEXT, profiles_digest TEXT NOT NULL, PRIMARY KEY (run_id, path));
CREATE TABLE approvals (id INTEGER PRIMARY KEY, root TEXT NOT NULL, deliverable TEXT NOT NULL, approved_by TEXT NOT NULL, approved_at TEXT NOT NULL, note TEXT, profiles_json TEXT NOT NULL);
CREATE TABLE approval_files (approval_id INTEGER NOT NULL REFERENCES approvals(id), path TEXT NOT NULL, sha256 TEXT NOT NULL, PRIMARY KEY (approval_id, path));
INSERT INTO runs VALUES (1, '2024-01-01T00:00:00Z', 'old', '0.0.1', 'x', '/old/root');
PRAGMA user_version = 1;
";

#[test]
fn an_old_ledger_is_migrated_not_rejected() {
    let (tmp, root) = sample();
    let ledger = tmp.path().join("old.sqlite");
    rusqlite::Connection::open(&ledger)
        .unwrap()
        .execute_batch(V1)
        .unwrap();
    signoff()
        .arg("check")
        .arg(&root)
        .arg("--ledger")
        .arg(&ledger)
        .assert()
        .code(1);
    assert_eq!(count(&ledger, "PRAGMA user_version"), 8);
    assert_eq!(
        count(&ledger, "SELECT COUNT(*) FROM runs"),
        2,
        "the old run is kept"
    );
    assert_eq!(
        count(
            &ledger,
            "SELECT COUNT(*) FROM runs WHERE finished_at IS NOT NULL"
        ),
        1
    );
    approve(
        &root,
        "feature-master",
        &["--ledger", ledger.to_str().unwrap()],
    )
    .code(0);
    assert_eq!(integrity(&ledger), "ok");
}

#[test]
fn plan_init_guesses_a_plan_and_never_overwrites() {
    let (_tmp, root) = sample();
    fs::remove_file(root.join("signoff.toml")).unwrap();
    signoff()
        .args(["plan", "init", "-q"])
        .arg(&root)
        .assert()
        .code(0)
        .stderr(contains("deliverables guessed"));
    let plan = root.join("signoff.toml");
    let text = fs::read_to_string(&plan).unwrap();
    assert!(text.contains("title = \"FEATURE\""), "{text}");
    assert!(
        text.contains("patterns = [\"picture/FEATURE_FTR_ProResHQ_2398_178_EN.mov\"]"),
        "{text}"
    );
    assert!(
        text.contains("profiles = [\"netflix-prores-hq\"]"),
        "{text}"
    );
    assert!(!text.contains(".DS_Store"), "clutter is not a deliverable");
    signoff().args(["plan", "lint"]).arg(&plan).assert().code(0);
    signoff()
        .args(["plan", "init", "-q"])
        .arg(&root)
        .assert()
        .code(4)
        .stderr(contains("already exists"));
    assert_eq!(fs::read_to_string(&plan).unwrap(), text);
    let (_, doc) = check_json(&root, &[]);
    assert!(doc["unplanned"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f == ".DS_Store"));
}

#[test]
fn csv_import_turns_a_schedule_into_a_plan() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = common::sample_delivery().join("docs/delivery_schedule.csv");
    let out = tmp.path().join("signoff.toml");
    signoff()
        .args(["plan", "import"])
        .arg(&csv)
        .args(["--title", "FEATURE", "-o"])
        .arg(&out)
        .assert()
        .code(0);
    let text = fs::read_to_string(&out).unwrap();
    assert!(text.contains("id = \"ftr-pic-01\""), "{text}");
    assert!(text.contains("due = \"2024-02-20\""), "{text}");
    assert!(text.contains("owner = \"Re-recording Mixer\""), "{text}");
    // Imported rows have no patterns yet: lint says so until they are filled in.
    signoff()
        .args(["plan", "lint"])
        .arg(&out)
        .assert()
        .code(1)
        .stdout(contains("`patterns` is empty"));
    let filled = text.replace("patterns = []", "patterns = [\"*.mov\"]");
    fs::write(&out, filled).unwrap();
    signoff().args(["plan", "lint"]).arg(&out).assert().code(0);
    signoff()
        .args(["plan", "import"])
        .arg(&csv)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(4)
        .stderr(contains("already exists"));
    let custom = tmp.path().join("custom.csv");
    fs::write(&custom, "Ref,Name,Deadline\nT1,Trailer,31/01/2025\n").unwrap();
    signoff()
        .args(["plan", "import"])
        .arg(&custom)
        .args([
            "--map",
            "id=Ref",
            "--map",
            "title=Name",
            "--map",
            "due=Deadline",
        ])
        .assert()
        .code(0)
        .stdout(contains("id = \"t1\""))
        .stdout(contains("due = \"2025-01-31\""));
}

#[test]
fn plan_lint_warns_when_the_root_leaves_the_plans_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = tmp.path().join("signoff.toml");
    fs::write(&plan, "[project]\ntitle = \"F\"\nroot = \"../elsewhere\"\n").unwrap();
    signoff()
        .args(["plan", "lint"])
        .arg(&plan)
        .assert()
        .code(0)
        .stdout(contains(
            "3:8: warning: `project.root` = `../elsewhere` leaves the plan's folder",
        ));
}

/// A plan with one problem: `check` refuses it with file:line:column and
/// writes nothing to the ledger.
fn bad_plan(body: &str, expected: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let plan = tmp.path().join("signoff.toml");
    fs::write(&plan, format!("[project]\ntitle = \"F\"\n{body}")).unwrap();
    let ledger = tmp.path().join("signoff.ledger.sqlite");
    let location = format!("{}:{expected}", plan.display());
    signoff()
        .arg("check")
        .arg(tmp.path())
        .assert()
        .code(4)
        .stderr(contains(location.clone()));
    signoff()
        .args(["plan", "lint"])
        .arg(&plan)
        .assert()
        .code(1)
        .stdout(contains(location));
    assert!(!ledger.exists(), "nothing written from an invalid plan");
}

const ITEM: &str = "[[deliverable]]\nid = \"a\"\ntitle = \"A\"\n";

#[test]
fn bad_plans_are_located_with_suggestions() {
    bad_plan(
        "[[deliverable]]\nid = \"\"\ntitle = \"A\"\npatterns = [\"*.wav\"]\n",
        "4:6: `id` is empty",
    );
    bad_plan(
        "[[deliverable]]\nid = \"a\\u001b]0;x\"\ntitle = \"A\"\npatterns = [\"*.wav\"]\n",
        "4:6: `id` holds the control character U+001B",
    );
    bad_plan(
        "[[deliverable]]\nid = \"a\"\ntitle = \"\"\npatterns = [\"*.wav\"]\n",
        "5:9: `title` is empty",
    );
    bad_plan(
        "[[deliverable]]\nid = \"a\"\ntitle = \"A\"\npatterns = []\n",
        "6:12: `patterns` is empty",
    );
    bad_plan(
        &format!("{ITEM}profiles = [\"netflix-prores\"]\n"),
        "6:13: unknown spec profile `netflix-prores`; did you mean `netflix-prores-hq`?",
    );
    bad_plan(
        &format!("{ITEM}patterns = [\"picture/*.{{mov\"]\n"),
        "6:13: `patterns`: invalid glob `picture/*.{mov`",
    );
    bad_plan(
        &format!("{ITEM}{ITEM}"),
        "7:6: duplicate deliverable id `a` (first used on line 4)",
    );
    bad_plan(
        &format!("{ITEM}patterns = [\"../other/*.mov\"]\n"),
        "6:13: `patterns`: `../other/*.mov` reaches outside the delivery root",
    );
    bad_plan(
        &format!("{ITEM}due = \"2025-13-01\"\n"),
        "6:7: `due`: `2025-13-01` is not a date (YYYY-MM-DD)",
    );
    bad_plan(
        &format!("{ITEM}ower = \"Ana\"\n"),
        "6:1: unknown key `ower` in [[deliverable]]; did you mean `owner`?",
    );
}
