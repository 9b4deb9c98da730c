//! Paths are identities and the ledger refuses what it does not know, through
//! the binary: names that a lossy conversion would merge (`a\b.wav` and
//! `a/b.wav`, two names differing only in invalid UTF-8 bytes) stay separate
//! files through check with a plan, the board, approve and status, each bound
//! to its own SHA-256 (checked against `sha256sum`); a ledger from a newer
//! schema or with an invalid version is a setup error and is left byte for
//! byte as it was.

mod common;

use serde_json::Value;
use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

fn signoff() -> assert_cmd::Command {
    common::plan_signoff()
}

/// A 16-bit mono PCM WAV of `n` samples of value `v`.
fn wav(v: i16, n: usize) -> Vec<u8> {
    let data_len = (n * 2) as u32;
    let mut b = Vec::new();
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(36 + data_len).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes()); // PCM
    b.extend_from_slice(&1u16.to_le_bytes()); // mono
    b.extend_from_slice(&48_000u32.to_le_bytes());
    b.extend_from_slice(&96_000u32.to_le_bytes());
    b.extend_from_slice(&2u16.to_le_bytes());
    b.extend_from_slice(&16u16.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&data_len.to_le_bytes());
    for i in 0..n {
        let s = if i % 2 == 0 { v } else { -v };
        b.extend_from_slice(&s.to_le_bytes());
    }
    b
}

/// The five names: raw bytes relative to the root.
const NAMES: [&[u8]; 5] = [
    b"a\\b.wav",
    b"a/b.wav",
    b"x\xe9.wav",
    b"x\xe8.wav",
    b"plain.wav",
];

/// How each name is displayed (the injective display form).
const SHOWN: [&str; 5] = [
    "a\\\\b.wav",
    "a/b.wav",
    "x\\xe9.wav",
    "x\\xe8.wav",
    "plain.wav",
];

fn path_of(root: &Path, name: &[u8]) -> PathBuf {
    root.join(OsStr::from_bytes(name))
}

/// A delivery of the five files (each with its own content) and a plan
/// expecting five WAVs.
fn delivery() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("DELIVERY");
    fs::create_dir_all(root.join("a")).unwrap();
    for (i, n) in NAMES.iter().enumerate() {
        fs::write(path_of(&root, n), wav(1000 * (i as i16 + 1), 4800)).unwrap();
    }
    fs::write(
        root.join("signoff.toml"),
        "[project]\ntitle = \"Names\"\n\n[[deliverable]]\nid = \"stems\"\ntitle = \"Stems\"\npatterns = [\"**/*.wav\"]\ncount = 5\n",
    )
    .unwrap();
    (tmp, root)
}

/// `sha256sum FILE`, the independent source.
fn sha256sum(path: &Path) -> String {
    let out = std::process::Command::new("sha256sum")
        .stdin(fs::File::open(path).unwrap())
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)[..64].to_string()
}

fn json(cmd: &mut assert_cmd::Command) -> (i32, Value) {
    common::json_of(cmd)
}

fn stems(doc: &Value) -> &Value {
    &doc["deliverables"][0]
}

/// The board's files: display path → (path_hex, sha256).
fn board_files(doc: &Value) -> Vec<(String, Option<String>, String)> {
    stems(doc)["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["path_hex"].as_str().map(String::from),
                f["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn five_names_stay_five_files_through_check_approve_and_status() {
    let (_tmp, root) = delivery();
    let (code, doc) = json(signoff().arg("check").arg(&root).args(["--format", "json"]));
    assert_eq!(code, 0, "{doc}");
    assert_eq!(stems(&doc)["states"], serde_json::json!(["passing"]));
    assert_eq!(stems(&doc)["expected_files"], 5);
    let files = board_files(&doc);
    assert_eq!(files.len(), 5, "{files:?}");
    for (name, shown) in NAMES.iter().zip(SHOWN) {
        let f = files
            .iter()
            .find(|f| f.0 == shown)
            .unwrap_or_else(|| panic!("{shown} not on the board: {files:?}"));
        assert_eq!(f.2, sha256sum(&path_of(&root, name)), "{shown}");
        let lossless = (shown != std::str::from_utf8(name).unwrap_or("")).then(|| hex(name));
        assert_eq!(f.1, lossless, "{shown}");
    }
    let shas: std::collections::BTreeSet<&String> = files.iter().map(|f| &f.2).collect();
    assert_eq!(shas.len(), 5, "five different contents");

    let out = signoff()
        .args(["approve", "stems", "--by", "Ana", "-q", "--root"])
        .arg(&root)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("5 file(s) bound by SHA-256"), "{stdout}");
    // The ledger binds each file's exact bytes to its own hash.
    let conn = rusqlite::Connection::open(root.join("signoff.ledger.sqlite")).unwrap();
    let mut stmt = conn
        .prepare("SELECT path, sha256 FROM approval_files")
        .unwrap();
    let rows: Vec<(Vec<u8>, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 5);
    for n in NAMES {
        let (_, sha) = rows
            .iter()
            .find(|(p, _)| p == n)
            .unwrap_or_else(|| panic!("{} not approved: {rows:?}", hex(n)));
        assert_eq!(*sha, sha256sum(&path_of(&root, n)));
    }

    let (_, status) = json(
        signoff()
            .arg("status")
            .arg(&root)
            .args(["--format", "json"]),
    );
    assert_eq!(stems(&status)["states"], serde_json::json!(["approved"]));
    assert_eq!(board_files(&status).len(), 5);
    let approved = stems(&status)["approval"]["files"].as_object().unwrap();
    assert_eq!(approved.len(), 5, "{approved:?}");
    assert_eq!(
        approved["a\\\\b.wav"].as_str().unwrap(),
        sha256sum(&path_of(&root, NAMES[0]))
    );

    // Changing `a\b.wav` stales the approval for that file, not for `a/b.wav`.
    fs::write(path_of(&root, NAMES[0]), wav(7, 4800)).unwrap();
    let (_, doc) = json(signoff().arg("check").arg(&root).args(["--format", "json"]));
    assert_eq!(
        stems(&doc)["states"],
        serde_json::json!(["approval_stale", "passing"])
    );
    assert_eq!(
        stems(&doc)["stale_files"],
        serde_json::json!(["a\\\\b.wav (changed)"])
    );
    let human = signoff().arg("status").arg(&root).output().unwrap();
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("changed since approval: a\\\\b.wav (changed)"),
        "{text}"
    );
}

/// A ledger whose `user_version` is `v` (with one table, as if written).
fn foreign_ledger(path: &Path, v: i64) -> Vec<u8> {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch("CREATE TABLE runs (id INTEGER PRIMARY KEY);")
        .unwrap();
    c.pragma_update(None, "user_version", v).unwrap();
    drop(c);
    fs::read(path).unwrap()
}

#[test]
fn newer_or_invalid_ledgers_are_refused_and_left_untouched() {
    let (tmp, root) = delivery();
    for (v, words) in [
        (-1, "is not one signoff writes"),
        (99, "newer than this signoff"),
    ] {
        let ledger = tmp.path().join(format!("ledger{v}.sqlite"));
        let before = foreign_ledger(&ledger, v);
        for args in [
            vec!["check".to_string(), root.display().to_string()],
            vec!["status".to_string(), root.display().to_string()],
            vec![
                "approve".into(),
                "stems".into(),
                "--by".into(),
                "Ana".into(),
                "-q".into(),
                "--root".into(),
                root.display().to_string(),
            ],
        ] {
            let out = signoff()
                .args(&args)
                .arg("--ledger")
                .arg(&ledger)
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(4), "{args:?} v{v}: {err}");
            assert!(err.contains(words), "{args:?} v{v}: {err}");
            assert!(err.contains("nothing was written"), "{err}");
            assert!(!err.contains("panicked"), "{err}");
            assert_eq!(fs::read(&ledger).unwrap(), before, "{args:?} v{v}");
        }
    }
}

#[test]
fn status_looks_at_the_disk_and_names_the_last_check() {
    let (_tmp, root) = delivery();
    let (_, checked) = json(signoff().arg("check").arg(&root).args(["--format", "json"]));
    let check_run = checked["run_id"].as_i64().unwrap();
    signoff()
        .args(["approve", "stems", "--by", "Ana", "-q", "--root"])
        .arg(&root)
        .assert()
        .code(0);
    let (_, doc) = json(
        signoff()
            .arg("status")
            .arg(&root)
            .args(["--format", "json"]),
    );
    assert_eq!(stems(&doc)["states"], serde_json::json!(["approved"]));
    assert_eq!(
        doc["run_id"].as_i64(),
        Some(check_run),
        "the last check, not the approve"
    );
    let conn = rusqlite::Connection::open(root.join("signoff.ledger.sqlite")).unwrap();
    let at: String = conn
        .query_row(
            "SELECT finished_at FROM runs WHERE id = ?1",
            [check_run],
            |r| r.get(0),
        )
        .unwrap();
    drop(conn);
    assert_eq!(doc["checked_at"], at.as_str());
    assert!(doc.get("changed_since_check").is_none(), "{doc}");

    // Same size, new mtime: changed. Plus one file gone and one new.
    let target = path_of(&root, NAMES[2]);
    let mut bytes = fs::read(&target).unwrap();
    bytes[50] ^= 1;
    std::thread::sleep(std::time::Duration::from_millis(20));
    fs::write(&target, &bytes).unwrap();
    fs::remove_file(path_of(&root, NAMES[4])).unwrap();
    fs::write(root.join("a/new.wav"), wav(5, 480)).unwrap();
    fs::write(root.join("notes.txt"), "stray").unwrap();
    let ledger = root.join("signoff.ledger.sqlite");
    let runs_before = fs::metadata(&ledger).unwrap().len();
    let (_, doc) = json(
        signoff()
            .arg("status")
            .arg(&root)
            .args(["--format", "json"]),
    );
    assert_eq!(stems(&doc)["states"], serde_json::json!(["approval_stale"]));
    let changes: Vec<(String, String)> = doc["changed_since_check"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["path"].as_str().unwrap().to_string(),
                c["change"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            ("a/new.wav".to_string(), "added".to_string()),
            ("notes.txt".into(), "added".into()),
            ("plain.wav".into(), "removed".into()),
            ("x\\xe9.wav".into(), "changed".into()),
        ]
    );
    assert_eq!(doc["analysed_files"], 0);
    let out = signoff().arg("status").arg(&root).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("APPROVAL STALE"), "{text}");
    assert!(
        text.contains("changed since last check: x\\xe9.wav"),
        "{text}"
    );
    assert!(
        text.contains("removed since last check: plain.wav"),
        "{text}"
    );
    assert!(text.contains(&format!("last check {at}")), "{text}");
    assert_eq!(
        fs::metadata(&ledger).unwrap().len(),
        runs_before,
        "status writes nothing"
    );
}

#[test]
fn two_roots_differing_in_invalid_bytes_keep_their_own_runs_and_approvals() {
    let (tmp, first) = delivery();
    let second = tmp.path().join(OsStr::from_bytes(b"D\xe8"));
    let first_renamed = tmp.path().join(OsStr::from_bytes(b"D\xe9"));
    fs::rename(&first, &first_renamed).unwrap();
    common::copy_dir(&first_renamed, &second).unwrap();
    let ledger = tmp.path().join("shared.sqlite");
    signoff()
        .args(["approve", "stems", "--by", "Ana", "-q", "--ledger"])
        .arg(&ledger)
        .arg("--root")
        .arg(&first_renamed)
        .assert()
        .code(0);
    let (_, doc) = json(
        signoff()
            .arg("check")
            .arg(&second)
            .arg("--ledger")
            .arg(&ledger)
            .args(["--format", "json"]),
    );
    assert_eq!(
        stems(&doc)["states"],
        serde_json::json!(["passing"]),
        "the approval of the other root does not apply"
    );
}
