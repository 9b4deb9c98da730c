//! Shards and merge (issue 15): N processes each check `--shard K/N` of a
//! delivery into one ledger, at the same time, as an engine's array job
//! runs them; `merge` then builds the one board, identical to the board of
//! an unsharded run of the same delivery (run ids and cache counts aside).

mod common;

use common::ledger::{Backend, TestLedger};
use serde_json::Value;
use std::path::{Path, PathBuf};

both_backends!(
    merged_shards_give_the_board_of_an_unsharded_run,
    a_missing_shard_or_another_plan_is_refused_at_merge,
    merge_takes_crashed_and_unreadable_files_from_the_shards,
    a_shard_with_other_profiles_or_a_changed_file_is_named_at_merge,
);

/// A copy of the sample delivery and its ledger (SQLite: the file beside its plan).
fn sample(tmp: &Path, name: &str, backend: Backend) -> (PathBuf, TestLedger) {
    let root = tmp.join(name).join("FEATURE");
    common::copy_dir(&common::sample_delivery(), &root).unwrap();
    let ledger = TestLedger::new(backend, &root.join("signoff.ledger.sqlite"));
    (root, ledger)
}

fn board(cmd: &mut assert_cmd::Command) -> (i32, Value) {
    let (code, mut doc) = common::json_of(cmd);
    for key in ["run_id", "reused_files", "analysed_files"] {
        doc.as_object_mut().unwrap().remove(key);
    }
    (code, doc)
}

/// Runs the N shards of `root` at once, as separate processes, as the
/// deployment examples do (the ledger from `SIGNOFF_LEDGER`).
fn run_shards(root: &Path, ledger: &TestLedger, n: u32) {
    run_shards_with(root, ledger, n, &[]);
}

/// [`run_shards`] with more environment variables.
fn run_shards_with(root: &Path, ledger: &TestLedger, n: u32, env: &[(&str, &str)]) {
    let children: Vec<_> = (1..=n)
        .map(|k| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("signoff"))
                .envs(env.iter().copied())
                .env("SIGNOFF_TODAY", common::PLAN_TODAY)
                .env("SIGNOFF_USER", "tester")
                .env("SIGNOFF_LEDGER", &ledger.arg)
                .env_remove("SIGNOFF_SPECS")
                .arg("check")
                .arg(root)
                .args(["--shard", &format!("{k}/{n}"), "-q"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let children: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    for (k, out) in children.iter().enumerate() {
        assert!(
            out.status.success(),
            "shard {}: {}",
            k + 1,
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(&format!("shard {}/{n}: ", k + 1)), "{text}");
    }
}

fn merged_shards_give_the_board_of_an_unsharded_run(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let (sharded, ledger) = sample(tmp.path(), "a", backend);
    let (whole, whole_ledger) = sample(tmp.path(), "b", backend);
    run_shards(&sharded, &ledger, 3);
    let (merged_code, merged) = board(
        ledger
            .signoff()
            .arg("merge")
            .arg(&sharded)
            .args(["--format", "json", "-q"]),
    );
    let (code, unsharded) = board(
        whole_ledger
            .signoff()
            .arg("check")
            .arg(&whole)
            .args(["--format", "json", "-q"]),
    );
    assert_eq!(merged_code, code);
    // The roots (and so the default ledgers) differ: two copies; everything else is the same.
    let text = |d: &Value, root: &Path, ledger: &TestLedger| {
        d.to_string()
            .replace(&ledger.text(), "LEDGER")
            .replace(&*root.to_string_lossy(), "ROOT")
    };
    assert_eq!(
        text(&merged, &sharded, &ledger),
        text(&unsharded, &whole, &whole_ledger)
    );
    // The status board is the merge's, not a shard's.
    let (_, status) = board(
        ledger
            .signoff()
            .arg("status")
            .arg(&sharded)
            .args(["--format", "json"]),
    );
    assert_eq!(status["deliverables"], merged["deliverables"]);
}

fn a_missing_shard_or_another_plan_is_refused_at_merge(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let (root, ledger) = sample(tmp.path(), "a", backend);
    ledger
        .signoff()
        .arg("check")
        .arg(&root)
        .args(["--shard", "1/3", "-q"])
        .assert()
        .success();
    ledger
        .signoff()
        .env("JOB_COMPLETION_INDEX", "2")
        .arg("check")
        .arg(&root)
        .args(["--shard", "auto/3", "-q"])
        .assert()
        .success()
        .stdout(predicates::str::contains("shard 3/3: "));
    ledger
        .signoff()
        .arg("merge")
        .arg(&root)
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "shard 2/3 has not recorded a run",
        ));
    ledger
        .signoff()
        .arg("check")
        .arg(&root)
        .args(["--shard", "2/3", "-q"])
        .assert()
        .success();
    let plan = root.join("signoff.toml");
    let text = std::fs::read_to_string(&plan).unwrap();
    std::fs::write(
        &plan,
        text.replacen("title = \"FEATURE\"", "title = \"FEATURE v2\"", 1),
    )
    .unwrap();
    ledger
        .signoff()
        .arg("merge")
        .arg(&root)
        .assert()
        .failure()
        .stderr(predicates::str::contains("ran with a different plan"));
}

/// The JSON of a board with its delivery root written `ROOT`.
fn rooted(doc: &Value, root: &Path) -> String {
    doc.to_string().replace(&*root.to_string_lossy(), "ROOT")
}

/// A file without a hash has no cached result: `merge` takes the shard's
/// record of it. A worker that crashed (the test-only fault) and a file
/// the walk cannot read (a broken link a deliverable claims) give the
/// merged board the unsharded run's, byte for byte.
fn merge_takes_crashed_and_unreadable_files_from_the_shards(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let (sharded, ledger) = sample(tmp.path(), "a", backend);
    let (whole, whole_ledger) = sample(tmp.path(), "b", backend);
    for root in [&sharded, &whole] {
        std::os::unix::fs::symlink("gone.wav", root.join("audio/FEATURE_DUB_DE_51.wav")).unwrap();
    }
    let fault = (
        signoff::isolate::TEST_FAULT_ENV,
        "crash:FEATURE_PM_51_24bit.wav",
    );
    run_shards_with(&sharded, &ledger, 3, &[fault]);
    let (merged_code, merged) = board(
        ledger
            .signoff()
            .arg("merge")
            .arg(&sharded)
            .args(["--format", "json", "-q"]),
    );
    let (code, unsharded) = board(
        whole_ledger
            .signoff()
            .env(fault.0, fault.1)
            .arg("check")
            .arg(&whole)
            .args(["--format", "json", "-q"]),
    );
    assert_eq!((merged_code, code), (2, 2), "unreadable files: exit 2");
    let file = |doc: &Value, id: &str| {
        doc["deliverables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .unwrap()["files"][0]
            .clone()
    };
    for id in ["printmaster-51", "dub-de"] {
        let f = file(&unsharded, id);
        assert_eq!(f["verdict"], "unreadable", "{id}: {f}");
        assert!(f.get("sha256").is_none_or(Value::is_null), "{id}: {f}");
    }
    assert_eq!(
        rooted(&merged, &sharded).replace(&ledger.text(), "LEDGER"),
        rooted(&unsharded, &whole).replace(&whole_ledger.text(), "LEDGER")
    );
    // Merging again (a retried merge Job) gives the same board.
    let (_, again) = board(
        ledger
            .signoff()
            .arg("merge")
            .arg(&sharded)
            .args(["--format", "json", "-q"]),
    );
    assert_eq!(again, merged);
    // `status` reads the same board back from the ledger: the crashed and
    // the unreadable file say `unreadable` there too, not nothing.
    for (root, l, doc) in [
        (&sharded, &ledger, &merged),
        (&whole, &whole_ledger, &unsharded),
    ] {
        let (_, status) = board(
            l.signoff()
                .arg("status")
                .arg(root)
                .args(["--format", "json"]),
        );
        assert_eq!(status["deliverables"], doc["deliverables"]);
    }
}

/// A shard that read other profiles than the merge's is named, with why;
/// so is a file changed on disk since its shard checked it. Exit 4.
fn a_shard_with_other_profiles_or_a_changed_file_is_named_at_merge(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let (root, ledger) = sample(tmp.path(), "a", backend);
    // Every profile of the plan, each with another title.
    let specs = tmp.path().join("specs");
    std::fs::create_dir(&specs).unwrap();
    let builtin = Path::new(env!("CARGO_MANIFEST_DIR")).join("specs");
    for id in [
        "netflix-prores-hq",
        "youtube-upload",
        "uk-dpp-as11-hd",
        "ebu-r128",
        "netflix-timed-text",
    ] {
        let name = format!("{id}.toml");
        let text = std::fs::read_to_string(builtin.join(&name)).unwrap();
        let edited = text.replacen("\ntitle = \"", "\ntitle = \"(house copy) ", 1);
        assert_ne!(edited, text, "{id}");
        std::fs::write(specs.join(name), edited).unwrap();
    }
    for k in 1..=2 {
        let mut cmd = ledger.signoff();
        if k == 2 {
            cmd.env("SIGNOFF_SPECS", &specs);
        }
        cmd.arg("check")
            .arg(&root)
            .args(["--shard", &format!("{k}/2"), "-q"])
            .assert()
            .success();
    }
    let out = ledger.signoff().arg("merge").arg(&root).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("shard 2/2 checked ")
            && err.contains("against other profiles than this merge's"),
        "{err}"
    );
    assert!(err.contains("run shard 2/2 again"), "{err}");
    assert!(
        !err.contains("shard 1/2"),
        "shard 1/2 is not at fault: {err}"
    );
    // Shard 2 again with the merge's profiles; then a file changes.
    ledger
        .signoff()
        .arg("check")
        .arg(&root)
        .args(["--shard", "2/2", "-q"])
        .assert()
        .success();
    ledger
        .signoff()
        .arg("merge")
        .arg(&root)
        .args(["-q"])
        .assert()
        .code(1);
    let changed = root.join("audio/FEATURE_MnE_20_24bit.wav");
    let bytes = std::fs::read(&changed).unwrap();
    std::fs::write(&changed, [bytes.as_slice(), &[0u8; 4]].concat()).unwrap();
    let out = ledger.signoff().arg("merge").arg(&root).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("audio/FEATURE_MnE_20_24bit.wav changed on disk since shard ")
            && err.contains("checked it: run shard "),
        "{err}"
    );
}
