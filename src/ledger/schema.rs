//! The ledger's schema and its migration ladder. `PRAGMA user_version` holds
//! the schema version; each step upgrades by one, inside one transaction, so
//! an older ledger is migrated, never rejected.

use rusqlite::{Connection, TransactionBehavior};

/// The schema version this build writes.
pub const CURRENT: i64 = 3;

/// Version 1: runs, the file cache, results, approvals.
pub const V1: &str = "
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    user TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    plan_digest TEXT NOT NULL,
    root TEXT NOT NULL
);
CREATE TABLE file_cache (
    path TEXT PRIMARY KEY,
    size_bytes INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL
);
CREATE TABLE file_results (
    sha256 TEXT NOT NULL,
    profiles_digest TEXT NOT NULL,
    verdict TEXT,
    errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    not_evaluated INTEGER NOT NULL,
    report_json TEXT,
    PRIMARY KEY (sha256, profiles_digest)
);
CREATE TABLE run_files (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    path TEXT NOT NULL,
    sha256 TEXT,
    profiles_digest TEXT NOT NULL,
    PRIMARY KEY (run_id, path)
);
CREATE TABLE approvals (
    id INTEGER PRIMARY KEY,
    root TEXT NOT NULL,
    deliverable TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    approved_at TEXT NOT NULL,
    note TEXT,
    profiles_json TEXT NOT NULL
);
CREATE TABLE approval_files (
    approval_id INTEGER NOT NULL REFERENCES approvals(id),
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (approval_id, path)
);
";

/// Version 2: runs know when they finished (an interrupted run is never
/// shown by `status`), approvals record an override reason, unreadable files
/// keep their problem, results keep their counts per profile, and each run records its board per deliverable.
pub const V2: &str = "
ALTER TABLE runs ADD COLUMN finished_at TEXT;
ALTER TABLE approvals ADD COLUMN override_reason TEXT;
ALTER TABLE run_files ADD COLUMN problem TEXT;
ALTER TABLE file_results ADD COLUMN by_profile_json TEXT;
CREATE TABLE run_deliverables (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    deliverable TEXT NOT NULL,
    states TEXT NOT NULL,
    files INTEGER NOT NULL,
    PRIMARY KEY (run_id, deliverable)
);
CREATE INDEX runs_root ON runs(root, id);
CREATE INDEX approvals_deliverable ON approvals(root, deliverable, id);
";

/// Version 3: results keep the full per-file detail (probe, findings,
/// audio measurements: a serialised `CheckedFile`, keyed like the result by
/// content hash and profiles digest, so reports render from the ledger), and
/// runs record the host they ran on. Older rows get NULL detail.
pub const V3: &str = "
ALTER TABLE file_results ADD COLUMN detail_json TEXT;
ALTER TABLE runs ADD COLUMN host TEXT;
";

const STEPS: [&str; 3] = [V1, V2, V3];

/// WAL, a generous busy timeout (another run may hold the write lock), then
/// every migration step still missing, each in its own transaction.
pub fn prepare(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(60))?;
    // Switching a fresh database to WAL while another process migrates it
    // can answer "locked" without waiting on the busy timeout: retry.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0)) {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => {
                other?;
                break;
            }
        }
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version >= CURRENT {
            return Ok(());
        }
        tx.execute_batch(STEPS[version as usize])?;
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::OptionalExtension;

    #[test]
    fn fresh_and_v1_ledgers_reach_current() {
        let mut fresh = Connection::open_in_memory().unwrap();
        prepare(&mut fresh).unwrap();
        let v: i64 = fresh
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, CURRENT);
        let mut old = Connection::open_in_memory().unwrap();
        old.execute_batch(V1).unwrap();
        old.pragma_update(None, "user_version", 1).unwrap();
        old.execute(
            "INSERT INTO runs VALUES (1, 't', 'u', '0.0', 'd', '/r')",
            [],
        )
        .unwrap();
        prepare(&mut old).unwrap();
        let finished: Option<String> = old
            .query_row("SELECT finished_at FROM runs WHERE id = 1", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(finished, None);
        prepare(&mut old).unwrap();
    }

    #[test]
    fn a_v2_ledger_migrates_to_v3_with_null_detail() {
        let mut old = Connection::open_in_memory().unwrap();
        old.execute_batch(V1).unwrap();
        old.execute_batch(V2).unwrap();
        old.pragma_update(None, "user_version", 2).unwrap();
        old.execute(
            "INSERT INTO file_results (sha256, profiles_digest, verdict, errors, warnings, not_evaluated, report_json, by_profile_json)
             VALUES ('ab', 'pd', 'pass', 0, 1, 0, NULL, '{}')",
            [],
        )
        .unwrap();
        prepare(&mut old).unwrap();
        let v: i64 = old
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, 3);
        let (verdict, detail): (String, Option<String>) = old
            .query_row(
                "SELECT verdict, detail_json FROM file_results WHERE sha256 = 'ab'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((verdict.as_str(), detail), ("pass", None));
        let host: Option<String> = old
            .query_row("SELECT host FROM runs", [], |r| r.get(0))
            .optional()
            .unwrap()
            .flatten();
        assert_eq!(host, None);
    }
}
