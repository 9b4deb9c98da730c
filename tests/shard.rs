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
    let children: Vec<_> = (1..=n)
        .map(|k| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("signoff"))
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
