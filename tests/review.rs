//! The review loop through the binary: a note is refused outside the master (with its range),
//! bound to the current version; the board counts open notes and `approve` refuses while
//! any is open (unless --override, recorded); a revoked approval leaves the deliverable
//! passing, and `history` shows the revocation and each version; a new version keeps the
//! old notes on the old hash; the ledger survives concurrent note writers and SIGKILL.

mod common;
#[path = "common/review.rs"]
mod review_fixture;

use common::ledger::Backend;
use review_fixture::Review;
use serde_json::Value;

both_backends!(
    notes_outside_the_master_are_refused_with_its_range,
    open_notes_block_approval_and_a_revocation_unapproves,
    a_new_version_keeps_old_notes_on_the_old_hash_and_history_lists_versions,
    findings_become_notes_once,
    concurrent_note_writers_and_a_killed_writer_leave_a_consistent_ledger,
);

fn board_row(r: &Review) -> Value {
    let doc = r.json_any(&["status", ".", "--format", "json"]);
    doc["deliverables"][0].clone()
}

trait Any {
    fn json_any(&self, args: &[&str]) -> Value;
}

impl Any for Review {
    /// JSON of a command whatever its exit code (status exits 1 on a failing board).
    fn json_any(&self, args: &[&str]) -> Value {
        let (_, out, err) = self.run(args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"))
    }
}

/// A passing 25 fps master from 10:00:00:00 (no black).
fn clean(backend: Backend) -> Review {
    let r = Review::on(backend, "25", "10:00:00:00");
    r.master("picture/MASTER_v1.mov", "25", "10:00:00:00", "100", "101");
    r.check();
    r
}

fn notes_outside_the_master_are_refused_with_its_range(backend: Backend) {
    let r = clean(backend);
    for tc in ["10:00:08:00", "09:59:59:24", "23:00:00:00"] {
        let (code, _, err) = r.run(&["note", "ftr", "--at", tc, "x", "--by", "Ana"]);
        assert_eq!(code, 3, "{tc}: {err}");
        assert!(err.contains("10:00:00:00–10:00:07:24"), "{err}");
        assert!(err.contains("picture/MASTER_v1.mov"), "{err}");
    }
    let (code, _, err) = r.run(&["note", "ftr", "--at", "10:00:01;00", "x", "--by", "Ana"]);
    assert_eq!(code, 3);
    assert!(err.contains("non-drop"), "{err}");
    let (code, _, err) = r.run(&["note", "nope", "--at", "10:00:01:00", "x", "--by", "Ana"]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("no deliverable `nope`"), "{err}");
    let (code, _, err) = r.run(&["note", "--set-state", "42", "addressed", "--by", "Ana"]);
    assert_eq!(code, 3, "{err}");
    // A master changed on disk since the check: no note on a version that is gone.
    let m = r.root.join("picture/MASTER_v1.mov");
    let mut bytes = std::fs::read(&m).unwrap();
    bytes.extend_from_slice(b"\0");
    std::fs::write(&m, bytes).unwrap();
    let (code, _, err) = r.run(&["note", "ftr", "--at", "10:00:01:00", "x", "--by", "Ana"]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("changed on disk since the latest check"),
        "{err}"
    );
    assert_eq!(
        r.ledger.count("SELECT COUNT(*) FROM notes"),
        0,
        "nothing recorded"
    );
}

fn open_notes_block_approval_and_a_revocation_unapproves(backend: Backend) {
    let r = clean(backend);
    assert_eq!(board_row(&r)["state"], "passing");
    let n = r.json(&[
        "note",
        "ftr",
        "--at",
        "10:00:02:00",
        "music too loud",
        "--by",
        "Dir",
        "--format",
        "json",
    ]);
    let sha_v1 = n["notes"][0]["sha256"].as_str().unwrap().to_string();
    let row = board_row(&r);
    assert_eq!(row["open_notes"], 1);
    assert_eq!(
        row["files"][0]["sha256"].as_str().unwrap(),
        sha_v1,
        "bound to the current version"
    );
    let (_, human, _) = r.run(&["status", "."]);
    assert!(human.contains("notes: 1 open"), "{human}");
    let (md, html) = common::md_and_html_reports(r.tmp.path(), |a| r.run(a));
    assert!(md.contains("passing (notes: 1 open)"), "{md}");
    assert!(html.contains("notes: 1 open"), "{html}");
    let (code, _, err) = r.run(&["approve", "ftr", "--by", "Ana", "-q"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("1 review note(s) still open"), "{err}");
    assert_eq!(r.ledger.count("SELECT COUNT(*) FROM approvals"), 0);
    let id = n["notes"][0]["id"].to_string();
    let changed = r.json(&[
        "note",
        "--set-state",
        &id,
        "wont-fix",
        "--by",
        "Ana",
        "director keeps it",
        "--format",
        "json",
    ]);
    assert_eq!(changed["notes"][0]["state"], "wont_fix");
    assert_eq!(
        changed["notes"][0]["state_changes"][0]["comment"],
        "director keeps it"
    );
    assert_eq!(board_row(&r)["open_notes"], 0);
    let (code, _, err) = r.run(&["approve", "ftr", "--by", "Ana", "-q"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(board_row(&r)["state"], "approved");
    // Revoke: recorded, the board is back to passing, history says so.
    let (code, out, err) = r.run(&[
        "approve",
        "--revoke",
        "ftr",
        "--by",
        "Cy",
        "wrong audio in reel 4",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("revoked approval 1 of ftr by Cy"), "{out}");
    let row = board_row(&r);
    assert_eq!(row["state"], "passing");
    assert!(row["approval"].is_null());
    let (code, _, err) = r.run(&["approve", "--revoke", "ftr", "--by", "Cy", "again"]);
    assert_eq!(code, 1, "nothing in force: {err}");
    let (code, _, _) = r.run(&["approve", "--revoke", "ftr", "--by", "Cy"]);
    assert_eq!(code, 3, "a reason is required");
    let (_, human, _) = r.run(&["history", "ftr"]);
    assert!(
        human.contains("REVOKED approval 1 by Cy: wrong audio in reel 4"),
        "{human}"
    );
    let hist = r.json(&["history", "ftr", "--format", "json"]);
    assert_eq!(
        hist["approvals"][0]["revocation"]["reason"],
        "wrong audio in reel 4"
    );
    // A new open note, approved over with --override: the reason is recorded.
    r.json(&[
        "note",
        "ftr",
        "--at",
        "10:00:03:00",
        "a flash frame?",
        "--by",
        "Dir",
        "--kind",
        "technical",
        "--format",
        "json",
    ]);
    let (code, _, err) = r.run(&[
        "approve",
        "ftr",
        "--by",
        "Ana",
        "-q",
        "--override",
        "flash is in the source, accepted by the network",
    ]);
    assert_eq!(code, 0, "{err}");
    let hist = r.json(&["history", "ftr", "--format", "json"]);
    assert_eq!(
        hist["approvals"][1]["override_reason"],
        "flash is in the source, accepted by the network"
    );
    let dir = r.tmp.path();
    let status = r.json_any(&["status", ".", "--format", "json"]);
    for (name, v) in [("history", &hist), ("board", &status)] {
        std::fs::write(dir.join(format!("{name}.json")), v.to_string()).unwrap();
    }
    common::assert_schema_valid(&[
        ("history", &dir.join("history.json")),
        ("board", &dir.join("board.json")),
    ]);
}

fn a_new_version_keeps_old_notes_on_the_old_hash_and_history_lists_versions(backend: Backend) {
    let r = clean(backend);
    let old = r.json(&[
        "note",
        "ftr",
        "--at",
        "10:00:02:00",
        "v1 note",
        "--by",
        "Dir",
        "--format",
        "json",
    ]);
    r.json(&[
        "note",
        "ftr",
        "--at",
        "10:00:05:00",
        "v1 other",
        "--by",
        "Dir",
        "--format",
        "json",
    ]);
    r.run(&[
        "approve",
        "ftr",
        "--by",
        "Ana",
        "-q",
        "--override",
        "notes go to v2",
    ]);
    std::fs::remove_file(r.root.join("picture/MASTER_v1.mov")).unwrap();
    // Not the same bytes: another test pattern.
    let v2 = r.root.join("picture/MASTER_v2.mov");
    let out = std::process::Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=160x90:rate=25:duration=8",
        ])
        .args([
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-timecode",
            "10:00:00:00",
        ])
        .arg(&v2)
        .output()
        .unwrap();
    assert!(out.status.success());
    r.check();
    let row = board_row(&r);
    assert_eq!(row["state"], "approval_stale");
    let (_, human, _) = r.run(&["status", "."]);
    assert!(
        human.contains("version now ")
            && human.contains("of picture/MASTER_v2.mov; approved none (file added)"),
        "{human}"
    );
    let new = r.json(&[
        "note",
        "ftr",
        "--at",
        "10:00:02:00",
        "v2 note",
        "--by",
        "Dir",
        "--format",
        "json",
    ]);
    assert_ne!(new["notes"][0]["sha256"], old["notes"][0]["sha256"]);
    assert_eq!(new["notes"][0]["path"], "picture/MASTER_v2.mov");
    let list = r.json(&["note", "--list", "ftr", "--format", "json"]);
    assert_eq!(list["notes"].as_array().unwrap().len(), 3);
    assert_eq!(list["notes"][0]["path"], "picture/MASTER_v1.mov");
    assert_eq!(board_row(&r)["open_notes"], 3);
    let hist = r.json(&["history", "ftr", "--format", "json"]);
    let versions = hist["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2, "{hist}");
    assert_eq!(versions[0]["path"], "picture/MASTER_v1.mov");
    assert_eq!(versions[0]["sha256"], old["notes"][0]["sha256"]);
    assert_eq!(versions[1]["path"], "picture/MASTER_v2.mov");
    assert!(versions[1]["first_run"].as_i64() > versions[0]["last_run"].as_i64());
    // Markers on v2 say which notes were made on v1.
    let out = r.tmp.path().join("v2.txt");
    r.json(&[
        "markers",
        "ftr",
        "--format",
        "avid",
        "-o",
        out.to_str().unwrap(),
        "--json",
    ]);
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.matches("[made on version ").count(), 2, "{text}");
}

fn findings_become_notes_once(backend: Backend) {
    let r = Review::on(backend, "25", "10:00:00:00");
    r.check();
    let first = r.json(&[
        "note",
        "--from-findings",
        "ftr",
        "--by",
        "QC",
        "--format",
        "json",
    ]);
    let notes = first["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{first}");
    assert_eq!(notes[0]["kind"], "qc");
    // Black from 3 s: frame 75 at 25 fps, 10:00:03:00 (the detector's own position).
    assert_eq!(notes[0]["start_timecode"], "10:00:03:00");
    assert!(notes[0]["source"]
        .as_str()
        .unwrap()
        .starts_with("qc finding review-test/"));
    let again = r.json(&[
        "note",
        "--from-findings",
        "ftr",
        "--by",
        "QC",
        "--format",
        "json",
    ]);
    assert_eq!(again["notes"].as_array().unwrap().len(), 0);
    assert_eq!(again["already_noted"], 1);
    assert_eq!(r.ledger.count("SELECT COUNT(*) FROM notes"), 1);
}

fn concurrent_note_writers_and_a_killed_writer_leave_a_consistent_ledger(backend: Backend) {
    let r = clean(backend);
    let bin = assert_cmd::cargo::cargo_bin("signoff");
    let spawn = |i: usize| {
        std::process::Command::new(&bin)
            .current_dir(&r.root)
            .env("SIGNOFF_SPECS", &r.specs)
            .env("SIGNOFF_TODAY", common::PLAN_TODAY)
            .args([
                "note",
                "ftr",
                "--at",
                "10:00:01:00",
                &format!("note {i}"),
                "--by",
                "Ana",
                "--ledger",
            ])
            .arg(&r.ledger.arg)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let children: Vec<_> = (0..6).map(spawn).collect();
    for mut c in children {
        assert_eq!(c.wait().unwrap().code(), Some(0));
    }
    assert_eq!(
        r.ledger.count("SELECT COUNT(*) FROM notes"),
        6,
        "no note lost"
    );
    for delay_ms in [1, 5, 10, 20, 40, 80] {
        let mut c = spawn(100 + delay_ms as usize);
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        // SAFETY: signalling our own child by its pid.
        unsafe { libc::kill(c.id() as i32, libc::SIGKILL) };
        let _ = c.wait();
        if backend == Backend::Sqlite {
            let conn = rusqlite::Connection::open(&r.ledger.arg).unwrap();
            let ok: String = conn
                .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                .unwrap();
            assert_eq!(ok, "ok");
        }
        let torn = r
            .ledger
            .count("SELECT COUNT(*) FROM notes WHERE text NOT LIKE 'note %' OR sha256 = ''");
        assert_eq!(torn, 0);
    }
    let list = r.json(&["note", "--list", "--format", "json"]);
    assert!(list["notes"].as_array().unwrap().len() >= 6);
}
