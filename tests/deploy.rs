//! Deployment examples that run (issue 15): the Kubernetes manifests and the
//! Slurm scripts of `deploy/` are run here as their engines run them — N
//! local processes at once, each with its array index in the engine's
//! variable, against a SQLite ledger put in place of the Secret's
//! PostgreSQL URL — then their merge, whose board must be the board of an
//! unsharded run of the same delivery. The manifests are read with PyYAML
//! (a YAML parser independent of this crate).

mod common;

use serde_json::Value;
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn deploy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy")
}

fn signoff_bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("signoff")
}

/// Every document of a YAML file, as JSON, read by PyYAML.
fn yaml_docs(path: &Path) -> Vec<Value> {
    let script = "import sys, json, yaml\n\
                  docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]\n\
                  print(json.dumps(docs))";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .output()
        .expect("python3 with PyYAML (see setup.sh)");
    assert!(
        out.status.success(),
        "{} does not parse as YAML: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn sample(tmp: &Path, name: &str) -> PathBuf {
    let root = tmp.join(name).join("FEATURE");
    common::copy_dir(&common::sample_delivery(), &root).unwrap();
    root
}

/// The board of a run, its run id, cache counts and ledger aside (each run
/// here has its own ledger), with its root as `ROOT`.
fn board_text(stdout: &[u8], root: &Path) -> String {
    let mut doc: Value = serde_json::from_slice(stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(stdout));
    });
    for key in ["run_id", "reused_files", "analysed_files", "ledger"] {
        doc.as_object_mut().unwrap().remove(key);
    }
    doc.to_string().replace(&*root.to_string_lossy(), "ROOT")
}

/// The unsharded run's board, for comparison, with the same user.
fn unsharded(root: &Path, user: &str) -> (i32, String) {
    let out = common::plan_signoff()
        .env("SIGNOFF_USER", user)
        .arg("check")
        .arg(root)
        .args(["--format", "json", "-q"])
        .output()
        .unwrap();
    (out.status.code().unwrap(), board_text(&out.stdout, root))
}

fn succeeded(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what}: {:?}\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A pod of a Job spec, run here: its container's command and args, with
/// `$(VAR)` expanded from its environment as the kubelet does, and each
/// volume's mount path replaced by a local folder.
struct Pod<'a> {
    container: &'a Value,
    env: BTreeMap<String, String>,
    mounts: &'a BTreeMap<String, PathBuf>,
}

impl Pod<'_> {
    fn command(&self) -> Command {
        let words: Vec<String> = ["command", "args"]
            .iter()
            .flat_map(|k| self.container[k].as_array().cloned().unwrap_or_default())
            .map(|w| self.expand(w.as_str().expect("command words are strings")))
            .collect();
        assert_eq!(words[0], "signoff", "the container runs signoff");
        let mut cmd = Command::new(signoff_bin());
        cmd.args(&words[1..])
            .env_remove("SIGNOFF_SPECS")
            .env("SIGNOFF_TODAY", common::PLAN_TODAY)
            .envs(&self.env);
        cmd
    }

    fn expand(&self, word: &str) -> String {
        let mut w = word.to_string();
        for (k, v) in &self.env {
            w = w.replace(&format!("$({k})"), v);
        }
        assert!(
            !w.contains("$("),
            "`{word}`: a variable the pod does not set"
        );
        for (mount, local) in self.mounts {
            if let Some(rest) = w.strip_prefix(mount.as_str()) {
                w = format!("{}{rest}", local.display());
            }
        }
        w
    }
}

/// The one container of a Job, and its literal environment.
fn container_of(job: &Value) -> (&Value, BTreeMap<String, String>) {
    let containers = job["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap();
    assert_eq!(containers.len(), 1);
    let c = &containers[0];
    let env = c["env"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            Some((
                e["name"].as_str()?.to_string(),
                e["value"].as_str()?.to_string(),
            ))
        })
        .collect();
    (c, env)
}

/// The Secret a container takes SIGNOFF_LEDGER from: (name, key).
fn ledger_secret(container: &Value) -> (String, String) {
    let e = container["env"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "SIGNOFF_LEDGER")
        .expect("SIGNOFF_LEDGER in the env");
    let r = &e["valueFrom"]["secretKeyRef"];
    (
        r["name"].as_str().unwrap().to_string(),
        r["key"].as_str().unwrap().to_string(),
    )
}

/// The claim mounted at `path`, and whether it is mounted read-only.
fn claim_at(job: &Value, container: &Value, path: &str) -> (String, bool) {
    let mount = container["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["mountPath"] == path)
        .unwrap_or_else(|| panic!("nothing mounted at {path}"));
    let volume = job["spec"]["template"]["spec"]["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == mount["name"])
        .unwrap();
    let claim = &volume["persistentVolumeClaim"];
    let read_only = mount["readOnly"] == true && claim["readOnly"] == true;
    (claim["claimName"].as_str().unwrap().to_string(), read_only)
}

#[test]
fn the_kubernetes_manifests_parse_and_their_commands_run_as_an_indexed_job() {
    let dir = deploy().join("kubernetes");
    let kustomization = &yaml_docs(&dir.join("kustomization.yaml"))[0];
    let mut docs = Vec::new();
    for r in kustomization["resources"].as_array().unwrap() {
        docs.extend(yaml_docs(&dir.join(r.as_str().unwrap())));
    }
    let merge_job = yaml_docs(&dir.join("merge-job.yaml")).remove(0);
    let secret = yaml_docs(&dir.join("secret.example.yaml")).remove(0);
    let claims: Vec<&str> = docs
        .iter()
        .filter(|d| d["kind"] == "PersistentVolumeClaim")
        .map(|d| d["metadata"]["name"].as_str().unwrap())
        .collect();
    let shards = docs
        .iter()
        .find(|d| d["kind"] == "Job")
        .expect("the shards' Job");
    let spec = &shards["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    let n = spec["completions"].as_u64().unwrap() as u32;
    assert!(spec["parallelism"].as_u64().unwrap() <= n as u64);
    assert_eq!(spec["template"]["spec"]["restartPolicy"], "Never");
    assert_eq!(
        merge_job["spec"]["template"]["spec"]["restartPolicy"],
        "Never"
    );
    let (shard_c, shard_env) = container_of(shards);
    let (merge_c, merge_env) = container_of(&merge_job);
    let args: Vec<&str> = shard_c["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let at = args.iter().position(|a| *a == "--shard").unwrap();
    assert_eq!(
        args[at + 1],
        format!("auto/{n}"),
        "auto/N with N = completions"
    );
    // Both read the delivery read-only from the same claim at the same path,
    // and the ledger from the Secret.
    let delivery = claim_at(shards, shard_c, "/delivery");
    assert_eq!(delivery, claim_at(&merge_job, merge_c, "/delivery"));
    assert!(delivery.1, "the delivery is mounted read-only");
    assert!(claims.contains(&delivery.0.as_str()), "{claims:?}");
    let (reports_claim, _) = claim_at(&merge_job, merge_c, "/reports");
    assert!(claims.contains(&reports_claim.as_str()), "{claims:?}");
    for c in [shard_c, merge_c] {
        let (name, key) = ledger_secret(c);
        assert_eq!(secret["metadata"]["name"], name.as_str());
        let url = secret["stringData"][&key].as_str().unwrap();
        assert!(url.starts_with("postgres://"), "{url}");
    }

    // Run them: the Secret's URL replaced by a SQLite ledger outside the delivery.
    let tmp = tempfile::tempdir().unwrap();
    let root = sample(tmp.path(), "a");
    let reports = tmp.path().join("reports");
    std::fs::create_dir(&reports).unwrap();
    let ledger = tmp.path().join("ledger.sqlite");
    let mounts = BTreeMap::from([
        ("/delivery".to_string(), root.clone()),
        ("/reports".to_string(), reports.clone()),
    ]);
    let before = common::snapshot(&root);
    let pods: Vec<_> = (0..n)
        .map(|k| {
            let mut env = shard_env.clone();
            env.insert("SIGNOFF_LEDGER".into(), ledger.display().to_string());
            env.insert("JOB_COMPLETION_INDEX".into(), k.to_string());
            let pod = Pod {
                container: shard_c,
                env,
                mounts: &mounts,
            };
            pod.command().spawn_output()
        })
        .collect();
    for (k, child) in pods.into_iter().enumerate() {
        let out = child.wait_with_output().unwrap();
        succeeded(&format!("pod {k}"), &out);
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["shard"], format!("shard {}/{n}", k + 1), "{doc}");
    }
    let mut env = merge_env.clone();
    env.insert("SIGNOFF_LEDGER".into(), ledger.display().to_string());
    let merge = Pod {
        container: merge_c,
        env,
        mounts: &mounts,
    }
    .command()
    .output()
    .unwrap();
    common::assert_unchanged(&root, &before);
    let user = &shard_env["SIGNOFF_USER"];
    let whole = sample(tmp.path(), "b");
    let (code, expected) = unsharded(&whole, user);
    assert_eq!(
        merge.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&merge.stderr)
    );
    assert_eq!(board_text(&merge.stdout, &root), expected);
    for name in ["board.html", "junit.xml", "run.json"] {
        assert!(reports.join(name).is_file(), "the merge wrote {name}");
    }
}

/// Spawns with stdout and stderr captured.
trait SpawnOutput {
    fn spawn_output(&mut self) -> std::process::Child;
}

impl SpawnOutput for Command {
    fn spawn_output(&mut self) -> std::process::Child {
        self.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }
}

/// A stand-in for Slurm's `sbatch` that runs the job here: every task of
/// `--array=0-M` at once (SLURM_ARRAY_TASK_ID set), each job's output in
/// `$SBATCH_DIR/JOB[_TASK].out` and its exit status in `.rc`; the
/// dependency is met by running jobs in the order submitted. Prints the job
/// id as `--parsable` does (`ID;cluster`), and logs its arguments.
const FAKE_SBATCH: &str = r#"#!/bin/bash
set -u
echo "$*" >> "$SBATCH_DIR/args.log"
id=$((1000 + $(wc -l < "$SBATCH_DIR/args.log")))
array="" script=""
for a in "$@"; do
  case $a in
    --array=*) array=${a#--array=} ;;
    --*) ;;
    *) script=$a ;;
  esac
done
if [[ -n $array ]]; then
  for i in $(seq "${array%-*}" "${array#*-}"); do
    ( SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_JOB_ID=$id bash "$script" > "$SBATCH_DIR/${id}_$i.out" 2> "$SBATCH_DIR/${id}_$i.err"
      echo $? > "$SBATCH_DIR/${id}_$i.rc" ) &
  done
  wait
else
  SLURM_JOB_ID=$id bash "$script" > "$SBATCH_DIR/$id.out" 2>"$SBATCH_DIR/$id.err"
  echo $? > "$SBATCH_DIR/$id.rc"
fi
echo "$id;cluster"
"#;

#[test]
fn the_slurm_scripts_run_as_an_array_then_the_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let root = sample(tmp.path(), "a");
    let fake = tmp.path().join("bin");
    let jobs = tmp.path().join("jobs");
    std::fs::create_dir_all(&fake).unwrap();
    std::fs::create_dir_all(&jobs).unwrap();
    let sbatch = fake.join("sbatch");
    std::fs::write(&sbatch, FAKE_SBATCH).unwrap();
    std::fs::set_permissions(&sbatch, std::fs::Permissions::from_mode(0o755)).unwrap();
    let bin_dir = signoff_bin().parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}:{}",
        fake.display(),
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let ledger = tmp.path().join("ledger.sqlite");
    let reports = tmp.path().join("reports");
    let before = common::snapshot(&root);
    let out = Command::new("bash")
        .arg(deploy().join("slurm/submit.sh"))
        .arg(&root)
        .arg("3")
        .arg(&reports)
        .env("PATH", &path)
        .env("SBATCH_DIR", &jobs)
        .env("SIGNOFF_LEDGER", &ledger)
        .env("SIGNOFF_TODAY", common::PLAN_TODAY)
        .env("SIGNOFF_USER", "qc-nightly")
        .env_remove("SIGNOFF_SPECS")
        .output()
        .unwrap();
    succeeded("submit.sh", &out);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("3 shards as array job 1001; the merge as job 1002"),
        "{said}"
    );
    let log = std::fs::read_to_string(jobs.join("args.log")).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 2, "{log}");
    assert!(
        lines[0].contains("--array=0-2") && lines[0].ends_with("shard.sbatch"),
        "{log}"
    );
    assert!(
        lines[1].contains("--dependency=afterok:1001") && lines[1].ends_with("merge.sbatch"),
        "{log}"
    );
    for i in 0..3 {
        let rc = std::fs::read_to_string(jobs.join(format!("1001_{i}.rc"))).unwrap();
        let text = std::fs::read_to_string(jobs.join(format!("1001_{i}.out"))).unwrap();
        assert_eq!(rc.trim(), "0", "task {i}: {text}");
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["shard"], format!("shard {}/3", i + 1), "{doc}");
    }
    common::assert_unchanged(&root, &before);
    let merged = std::fs::read(jobs.join("1002.out")).unwrap();
    let rc = std::fs::read_to_string(jobs.join("1002.rc")).unwrap();
    let whole = sample(tmp.path(), "b");
    let (code, expected) = unsharded(&whole, "qc-nightly");
    assert_eq!(
        rc.trim(),
        code.to_string(),
        "{}",
        std::fs::read_to_string(jobs.join("1002.err")).unwrap()
    );
    assert_eq!(board_text(&merged, &root), expected);
    for name in ["board.html", "junit.xml", "run.json"] {
        assert!(reports.join(name).is_file(), "the merge wrote {name}");
    }
}

#[test]
fn submit_refuses_a_shard_count_below_one() {
    let out = Command::new("bash")
        .arg(deploy().join("slurm/submit.sh"))
        .args([".", "0"])
        .env("SIGNOFF_LEDGER", "/nowhere")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SHARDS must be a number"));
}
