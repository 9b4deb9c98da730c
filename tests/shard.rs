//! Shards and merge (issue 15): N processes each check `--shard K/N` of a
//! delivery into one ledger, at the same time, as an engine's array job
//! runs them; `merge` then builds the one board, identical to the board of
//! an unsharded run of the same delivery (run ids and cache counts aside).

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};

fn sample(tmp: &Path, name: &str) -> PathBuf {
    let root = tmp.join(name).join("FEATURE");
    common::copy_dir(&common::sample_delivery(), &root).unwrap();
    root
}

fn board(cmd: &mut assert_cmd::Command) -> (i32, Value) {
    let (code, mut doc) = common::json_of(cmd);
    for key in ["run_id", "reused_files", "analysed_files"] {
        doc.as_object_mut().unwrap().remove(key);
    }
    (code, doc)
}

/// Runs the N shards of `root` at once, as separate processes.
fn run_shards(root: &Path, n: u32) {
    let children: Vec<_> = (1..=n)
        .map(|k| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("signoff"))
                .env("SIGNOFF_TODAY", common::PLAN_TODAY)
                .env("SIGNOFF_USER", "tester")
                .env_remove("SIGNOFF_SPECS")
                .arg("check")
                .arg(root)
                .args(["--shard", &format!("{k}/{n}"), "-q"])
                .output()
                .unwrap()
        })
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

#[test]
fn merged_shards_give_the_board_of_an_unsharded_run() {
    let tmp = tempfile::tempdir().unwrap();
    let sharded = sample(tmp.path(), "a");
    let whole = sample(tmp.path(), "b");
    run_shards(&sharded, 3);
    let (merged_code, merged) = board(
        common::plan_signoff()
            .arg("merge")
            .arg(&sharded)
            .args(["--format", "json", "-q"]),
    );
    let (code, unsharded) = board(
        common::plan_signoff()
            .arg("check")
            .arg(&whole)
            .args(["--format", "json", "-q"]),
    );
    assert_eq!(merged_code, code);
    // The roots differ (two copies); everything else is the same.
    let text = |d: &Value, root: &Path| d.to_string().replace(&*root.to_string_lossy(), "ROOT");
    assert_eq!(text(&merged, &sharded), text(&unsharded, &whole));
    // The status board is the merge's, not a shard's.
    let (_, status) = board(
        common::plan_signoff()
            .arg("status")
            .arg(&sharded)
            .args(["--format", "json"]),
    );
    assert_eq!(status["deliverables"], merged["deliverables"]);
}

#[test]
fn a_missing_shard_or_another_plan_is_refused_at_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let root = sample(tmp.path(), "a");
    common::plan_signoff()
        .arg("check")
        .arg(&root)
        .args(["--shard", "1/3", "-q"])
        .assert()
        .success();
    common::plan_signoff()
        .env("JOB_COMPLETION_INDEX", "2")
        .arg("check")
        .arg(&root)
        .args(["--shard", "auto/3", "-q"])
        .assert()
        .success()
        .stdout(predicates::str::contains("shard 3/3: "));
    common::plan_signoff()
        .arg("merge")
        .arg(&root)
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "shard 2/3 has not recorded a run",
        ));
    common::plan_signoff()
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
    common::plan_signoff()
        .arg("merge")
        .arg(&root)
        .assert()
        .failure()
        .stderr(predicates::str::contains("ran with a different plan"));
}
