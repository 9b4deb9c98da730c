//! Every JSON document of every command, from the real binary, validated
//! against its committed schema (docs/schema/*.json) by Python's
//! `jsonschema`; docs/json.md names every schema.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema")
}

/// Runs `signoff ARGS` and saves its stdout as `dir/name`; returns the exit code.
fn save(dir: &Path, name: &str, args: &[&str], extra: &[&Path]) -> (PathBuf, i32) {
    let out = common::plan_signoff()
        .args(args)
        .args(extra)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert!(
        code <= 2,
        "signoff {args:?} {extra:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir.join(name);
    fs::write(&path, &out.stdout).unwrap();
    (path, code)
}

fn validate(pairs: &[(&str, PathBuf)]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/validate_json.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(schema_dir())
        .args(pairs.iter().map(|(n, p)| format!("{n}={}", p.display())))
        .output()
        .expect("python3 with jsonschema (see setup.sh)");
    assert!(
        out.status.success(),
        "schema violations:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_document_validates_against_its_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let root = d.join("FEATURE");
    common::copy_dir(&common::sample_delivery(), &root).unwrap();
    let ledger = d.join("ledger.sqlite");
    let ledger_s = ledger.to_str().unwrap();
    let wav = common::media("wav_stereo_24bit.wav");
    let bad = common::bad("truncated.mov");
    let mut pairs: Vec<(&str, PathBuf)> = Vec::new();

    pairs.push((
        "probe",
        save(
            d,
            "probe.json",
            &["probe", "--format", "json"],
            &[&wav, &bad],
        )
        .0,
    ));
    pairs.push((
        "scan",
        save(
            d,
            "scan.json",
            &["scan", "-q", "--format", "json"],
            &[&root],
        )
        .0,
    ));
    pairs.push((
        "measure",
        save(
            d,
            "measure.json",
            &["measure", "--format", "json"],
            &[&wav, &bad],
        )
        .0,
    ));
    let audio = root.join("audio");
    let pdf = root.join("docs/FEATURE_music_cue_sheet.pdf");
    let spec = ["check", "-q", "--spec", "ebu-r128", "--format"];
    pairs.push((
        "check",
        save(
            d,
            "check.json",
            &[&spec[..], &["json"]].concat(),
            &[&audio, &pdf, &bad],
        )
        .0,
    ));
    pairs.push((
        "run-line",
        save(
            d,
            "check.jsonl",
            &[&spec[..], &["jsonl"]].concat(),
            &[&audio, &bad],
        )
        .0,
    ));
    let run_json = d.join("run.json");
    let run_jsonl = d.join("run.jsonl");
    let report_json = format!("--report={}", run_json.display());
    let report_jsonl = format!("--report={}", run_jsonl.display());
    pairs.push((
        "board",
        save(
            d,
            "board.json",
            &[
                "check",
                "-q",
                "--format",
                "json",
                "--ledger",
                ledger_s,
                &report_json,
                &report_jsonl,
            ],
            &[&root],
        )
        .0,
    ));
    pairs.push(("run", run_json.clone()));
    pairs.push(("run-line", run_jsonl.clone()));
    let (_, approved) = save(
        d,
        "approve.txt",
        &[
            "approve",
            "printmaster-51",
            "--by",
            "Ana",
            "-q",
            "--ledger",
            ledger_s,
            "--root",
        ],
        &[&root],
    );
    assert_eq!(approved, 0);
    pairs.push((
        "board",
        save(
            d,
            "status.json",
            &["status", "--format", "json", "--ledger", ledger_s],
            &[&root],
        )
        .0,
    ));
    pairs.push((
        "history",
        save(
            d,
            "history.json",
            &[
                "history",
                "printmaster-51",
                "--format",
                "json",
                "--ledger",
                ledger_s,
                "--root",
            ],
            &[&root],
        )
        .0,
    ));
    let again = d.join("again.json");
    save(
        d,
        "report.txt",
        &[
            "report",
            "--ledger",
            ledger_s,
            &format!("--report={}", again.display()),
        ],
        &[&root],
    );
    pairs.push(("run", again));
    let from = d.join("from.json");
    save(
        d,
        "from.txt",
        &[
            "report",
            "--from",
            run_json.to_str().unwrap(),
            &format!("--report={}", from.display()),
        ],
        &[],
    );
    pairs.push(("run", from));
    pairs.push((
        "specs-list",
        save(d, "list.json", &["specs", "list", "--format", "json"], &[]).0,
    ));
    pairs.push((
        "specs-show",
        save(
            d,
            "show.json",
            &["specs", "show", "ebu-r128", "--format", "json"],
            &[],
        )
        .0,
    ));
    let bad_spec = d.join("bad-spec.toml");
    fs::write(
        &bad_spec,
        "id = \"x\"\ntitle = \"x\"\n[video]\nfram_rate = 3\n",
    )
    .unwrap();
    pairs.push((
        "lint",
        save(
            d,
            "specs-lint.json",
            &["specs", "lint", "--format", "json"],
            &[&bad_spec],
        )
        .0,
    ));
    pairs.push((
        "lint",
        save(
            d,
            "plan-lint.json",
            &["plan", "lint", "--format", "json"],
            &[&root.join("signoff.toml")],
        )
        .0,
    ));
    for (name, path) in &pairs {
        let text = fs::read_to_string(path).unwrap();
        assert!(
            !text.trim().is_empty(),
            "{name}: {} is empty",
            path.display()
        );
    }
    pairs.push((
        "hash",
        save(
            d,
            "hash.json",
            &[
                "hash",
                "-q",
                "--algo",
                "sha256,xxh128,c4",
                "--format",
                "json",
            ],
            &[&root, &bad],
        )
        .0,
    ));
    let list = d.join("FEATURE.md5");
    let lines = common::plan_signoff()
        .args(["hash", "-q", "--algo", "md5"])
        .arg(&root)
        .output()
        .unwrap();
    fs::write(&list, [&lines.stdout[..], b"not a line\n"].concat()).unwrap();
    pairs.push((
        "hash-check",
        save(
            d,
            "hash-check.json",
            &["hash", "--format", "json", "-c"],
            &[&list],
        )
        .0,
    ));
    // last: seal writes ascmhl/ into the copy
    pairs.push((
        "seal",
        save(d, "seal.json", &["seal", "--format", "json"], &[&root]).0,
    ));
    pairs.push((
        "verify",
        save(d, "verify.json", &["verify", "--format", "json"], &[&root]).0,
    ));
    validate(&pairs);
}

#[test]
fn docs_name_every_schema() {
    let doc =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/json.md")).unwrap();
    for e in fs::read_dir(schema_dir()).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            doc.contains(&format!("docs/schema/{name}")),
            "docs/json.md does not name {name}"
        );
    }
}
