//! The review loop finished, through the binary: notes on v1, v2 arrives
//! (a 1 s shot replaced at a known frame, by `fixtures/make-diff.sh` with
//! FFmpeg), `signoff diff v1 v2 --root …` records what changed, keyed by
//! both files' SHA-256 (checked against `sha256sum`); then the note inside
//! the replaced range says "range changed in v2 — addressed?", the one
//! outside "range unchanged in v2", history lists the change between v1 and
//! v2, the board counts it; recording again keeps one row; a v3 not yet
//! compared is said to be so, then answered through v2 (v1→v2→v3). Note
//! text is escaped in every output.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> &'static Path {
    common::diff_fixtures()
}

const PLAN: &str = r#"[project]
title = "LOOP"

[[deliverable]]
id = "ftr"
title = "Feature master"
profiles = []
patterns = ["picture/*.mov"]
"#;

/// A note with markup and terminal control bytes in it.
const HOSTILE: &str = "<script>alert(1)</script>\u{1b}[31mRED\u{1b}]0;title\u{7}";

struct Loop {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    ledger: PathBuf,
    docs: PathBuf,
}

impl Loop {
    fn new() -> Loop {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("DELIVERY");
        std::fs::create_dir_all(root.join("picture")).unwrap();
        std::fs::write(root.join("signoff.toml"), PLAN).unwrap();
        let docs = tmp.path().join("docs");
        std::fs::create_dir_all(&docs).unwrap();
        Loop {
            ledger: tmp.path().join("ledger.sqlite"),
            root,
            docs,
            _tmp: tmp,
        }
    }

    /// Puts `name` of the fixtures in the delivery as its master.
    fn deliver(&self, name: &str) {
        std::fs::copy(fixtures().join(name), self.root.join("picture/FTR.mov")).unwrap();
    }

    /// `signoff ARGS --ledger L` in the delivery: (exit code, stdout, stderr).
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = common::plan_signoff()
            .args(["--color", "never"])
            .args(args)
            .arg("--ledger")
            .arg(&self.ledger)
            .current_dir(&self.root)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// The JSON of `signoff ARGS --format json`, saved as `file` for the schema check.
    fn json(&self, file: &str, args: &[&str]) -> (i32, Value) {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        let (code, out, err) = self.run(&all);
        assert!(code <= 2, "signoff {args:?} exited {code}: {err}");
        std::fs::write(self.docs.join(file), &out).unwrap();
        let doc = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
        (code, doc)
    }

    fn check(&self) {
        let (code, _, err) = self.run(&["check", "."]);
        assert!(code <= 1, "{err}");
    }

    fn diff(&self, old: &Path) -> (i32, Value) {
        let old = old.to_str().unwrap();
        self.json(
            "diff.json",
            &[
                "diff",
                old,
                "picture/FTR.mov",
                "--root",
                ".",
                "--no-measure",
            ],
        )
    }

    fn notes(&self) -> Vec<Value> {
        let (_, doc) = self.json("note.json", &["note", "--list"]);
        doc["notes"].as_array().unwrap().clone()
    }
}

fn sha256sum(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_string()
}

fn rows(ledger: &Path) -> i64 {
    let c = rusqlite::Connection::open(ledger).unwrap();
    c.query_row("SELECT COUNT(*) FROM diffs", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_recorded_diff_says_which_notes_ranges_changed_in_v2() {
    let l = Loop::new();
    l.deliver("master.mov");
    l.check();
    // replaced.mov: frames 250–274 (01:00:10:00–01:00:11:00) are another shot.
    let (code, _, err) = l.run(&["note", "ftr", "--at", "01:00:10:05", HOSTILE, "--by", "Dir"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = l.run(&[
        "note",
        "ftr",
        "--at",
        "01:00:03:00",
        "--to",
        "01:00:04:00",
        "hum",
        "--by",
        "Dir",
        "--kind",
        "technical",
    ]);
    assert_eq!(code, 0, "{err}");
    let notes = l.notes();
    assert!(notes.iter().all(|n| n["version_check"].is_null()), "on v1");
    let v1 = sha256sum(&fixtures().join("master.mov"));
    assert_eq!(notes[0]["sha256"], v1.as_str());

    // v2 arrives.
    l.deliver("replaced.mov");
    l.check();
    for n in l.notes() {
        let c = &n["version_check"];
        assert_eq!(c["range"], "not_compared", "{n}");
        assert_eq!(c["current_version"], 2);
        assert!(c["message"].as_str().unwrap().starts_with(
            "master changed since this note (now v2); `signoff diff OLD NEW --root …`"
        ));
    }
    let (_, history) = l.json("history.json", &["history", "ftr"]);
    assert_eq!(history["version_changes"][0]["compared"], false);

    // The old version kept outside the delivery, the new one in it.
    let (code, diff) = l.diff(&fixtures().join("master.mov"));
    assert_eq!(code, 1, "{diff}");
    let v2 = sha256sum(&l.root.join("picture/FTR.mov"));
    assert_eq!(diff["recorded"]["old_sha256"], v1.as_str());
    assert_eq!(diff["recorded"]["new_sha256"], v2.as_str());
    let id = diff["recorded"]["id"].clone();
    let (_, human, _) = l.run(&[
        "diff",
        fixtures().join("master.mov").to_str().unwrap(),
        "picture/FTR.mov",
        "--root",
        ".",
        "--no-measure",
    ]);
    assert!(
        human.ends_with(&format!("recorded in {}\n", l.ledger.display())),
        "{human}"
    );
    let (_, again) = l.diff(&fixtures().join("master.mov"));
    assert_eq!(again["recorded"]["id"], id, "recording again replaces");
    assert_eq!(rows(&l.ledger), 1);

    let notes = l.notes();
    let inside = &notes[0]["version_check"];
    assert_eq!(inside["range"], "changed", "{inside}");
    assert_eq!(inside["message"], "range changed in v2 — addressed?");
    assert_eq!(
        (
            inside["made_on_version"].clone(),
            inside["current_version"].clone()
        ),
        (1.into(), 2.into())
    );
    let change = &inside["changes"][0];
    assert_eq!(change["kind"], "replaced");
    let start = change["old"]["start_frame"].as_i64().unwrap();
    let end = change["old"]["end_frame"].as_i64().unwrap();
    assert!(
        (start - 250).abs() <= 1 && (end - 275).abs() <= 1,
        "{change}"
    );
    let outside = &notes[1]["version_check"];
    assert_eq!(outside["range"], "unchanged", "{outside}");
    assert_eq!(outside["message"], "range unchanged in v2");
    assert_eq!(outside["changes"], serde_json::json!([]));

    let (_, list, _) = l.run(&["note", "--list"]);
    assert!(
        list.contains("range changed in v2 — addressed? (01:00:10:"),
        "{list}"
    );
    assert!(list.contains(" replaced)\n"), "{list}");
    assert!(list.contains("range unchanged in v2\n"), "{list}");
    assert!(
        !list.contains('\u{1b}') && !list.contains('\u{7}'),
        "{list:?}"
    );

    let (_, history) = l.json("history.json", &["history", "ftr"]);
    let vc = &history["version_changes"][0];
    assert_eq!((vc["from"].clone(), vc["to"].clone()), (1.into(), 2.into()));
    assert_eq!(vc["compared"], true);
    assert_eq!(vc["changes"][0]["kind"], "replaced");
    let (_, h, _) = l.run(&["history", "ftr"]);
    assert!(h.contains("v1→v2: content changed 01:00:10:"), "{h}");
    assert!(h.contains(" replaced\n"), "{h}");

    let (_, board) = l.json("board.json", &["status", "."]);
    let row = &board["deliverables"][0];
    assert_eq!(row["open_notes"], 2);
    assert_eq!(row["open_notes_range_changed"], 1);
    assert_eq!(row["notes_current_version"], 2);
    let (_, b, _) = l.run(&["status", "."]);
    assert!(
        b.contains("notes: 2 open, 1 range changed in v2 (signoff note --list ftr)"),
        "{b}"
    );
    // The reports say it in the same words as the terminal.
    let (md, html) = common::md_and_html_reports(&l.docs, |a| l.run(a));
    for (name, text) in [("Markdown", md), ("HTML", html)] {
        assert!(
            text.contains("notes: 2 open, 1 range changed in v2"),
            "{name} report:\n{text}"
        );
    }
    // A check now (v2 again) numbers its own version on the board too.
    let (_, checked) = l.json("check-board.json", &["check", "."]);
    assert_eq!(checked["deliverables"][0]["notes_current_version"], 2);
    assert_eq!(checked["deliverables"][0]["open_notes_range_changed"], 1);
    common::assert_schema_valid(&[
        ("note", &l.docs.join("note.json")),
        ("history", &l.docs.join("history.json")),
        ("board", &l.docs.join("board.json")),
        ("board", &l.docs.join("check-board.json")),
        ("diff", &l.docs.join("diff.json")),
    ]);

    // Addressed: no longer asked, no longer counted.
    let (code, _, err) = l.run(&[
        "note",
        "--set-state",
        "1",
        "addressed",
        "--by",
        "Ed",
        "regraded",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        l.notes()[0]["version_check"]["message"],
        "range changed in v2"
    );
    let (_, board) = l.json("board.json", &["status", "."]);
    assert_eq!(board["deliverables"][0]["open_notes_range_changed"], 0);

    // Markers for the editor: the note text cannot break a line or a field.
    let edl = l.root.parent().unwrap().join("notes.edl");
    let (code, _, err) = l.run(&["note", "ftr", "--at", "01:00:01:00", HOSTILE, "--by", "Dir"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = l.run(&[
        "markers",
        "ftr",
        "--format",
        "edl",
        "-o",
        edl.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&edl).unwrap();
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(text.contains("<script>alert(1)</script>"), "{text}");

    // v3 (v1 with its sound changed at 12–14 s): compared with v2 only, not
    // yet; then the v1 notes are answered through v2 (v1→v2→v3).
    l.deliver("audio.mov");
    l.check();
    let notes = l.notes();
    assert_eq!(notes[1]["version_check"]["range"], "not_compared");
    assert_eq!(notes[1]["version_check"]["current_version"], 3);
    let (_, history) = l.json("history.json", &["history", "ftr"]);
    let last = &history["version_changes"][1];
    assert_eq!(
        (
            last["from"].clone(),
            last["to"].clone(),
            last["compared"].clone()
        ),
        (2.into(), 3.into(), false.into())
    );
    let (_, h, _) = l.run(&["history", "ftr"]);
    assert!(h.contains("v2→v3: not compared (signoff diff"), "{h}");
    let (code, _) = l.diff(&fixtures().join("replaced.mov"));
    assert_eq!(code, 1);
    assert_eq!(rows(&l.ledger), 2);
    let notes = l.notes();
    let hum = &notes[1]["version_check"];
    assert_eq!(hum["message"], "range unchanged in v3", "{hum}");
    assert_eq!(hum["compared_through"], serde_json::json!([1, 2, 3]));
    let shot = &notes[0]["version_check"];
    assert_eq!(shot["message"], "range changed in v2", "{shot}");
    let on_v2 = &notes[2]["version_check"];
    assert_eq!(on_v2["message"], "range unchanged in v3", "{on_v2}");
    assert_eq!(on_v2["compared_through"], serde_json::json!([2, 3]));
    let (_, h, _) = l.run(&["history", "ftr"]);
    assert!(h.contains("v2→v3: content changed 01:00:10:"), "{h}");
    assert!(h.contains("audio changed"), "{h}");
    common::assert_schema_valid(&[
        ("note", &l.docs.join("note.json")),
        ("history", &l.docs.join("history.json")),
    ]);
}

#[test]
fn a_diff_without_a_ledger_records_nothing_and_an_unreadable_one_is_not_recorded() {
    let l = Loop::new();
    l.deliver("master.mov");
    let out = common::plan_signoff()
        .arg("diff")
        .arg(fixtures().join("master.mov"))
        .arg(fixtures().join("replaced.mov"))
        .args(["--no-measure", "--format", "json"])
        .current_dir(&l.root)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc.get("recorded").is_none(), "{doc}");
    assert!(!l.root.join("signoff.ledger.sqlite").exists());
    let (code, doc) = l.json(
        "diff.json",
        &[
            "diff",
            fixtures().join("truncated.mov").to_str().unwrap(),
            "picture/FTR.mov",
            "--root",
            ".",
            "--no-measure",
        ],
    );
    let _ = code;
    assert!(doc.get("recorded").is_none(), "{doc}");
    assert!(doc["not_recorded"]
        .as_str()
        .unwrap()
        .contains("could not be read"));
    assert_eq!(rows(&l.ledger), 0);
}
