//! The ledger's schema and its migration ladder. `PRAGMA user_version` holds
//! the schema version; each step upgrades by one, inside one transaction, so
//! an older ledger is migrated, never rejected. A ledger from a newer signoff
//! (a version above [`CURRENT`]) or with an invalid version (negative) is
//! refused before anything is written to it, WAL switch included.

use rusqlite::{Connection, TransactionBehavior};

/// The schema version this build writes.
pub const CURRENT: i64 = 8;

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

/// Version 4: paths are identities. Every file path (the cache's absolute
/// path, a run's and an approval's relative path) is the file's raw bytes in a
/// BLOB column, never lossy text; older rows are carried over as the bytes of
/// their text. Run files keep the size and mtime seen by the run (so `status`
/// can tell a file changed on disk since without hashing it), and runs say
/// what made them (`check` or `approve`). The delivery root of runs and
/// approvals is stored as its bytes too (a BLOB value; SQLite keeps a BLOB
/// as it is in a column declared TEXT, so those tables are not rebuilt).
pub const V4: &str = "
CREATE TABLE file_cache_v4 (
    path BLOB PRIMARY KEY,
    size_bytes INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL
);
INSERT INTO file_cache_v4 SELECT CAST(path AS BLOB), size_bytes, mtime_ns, sha256 FROM file_cache;
DROP TABLE file_cache;
ALTER TABLE file_cache_v4 RENAME TO file_cache;
CREATE TABLE run_files_v4 (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    path BLOB NOT NULL,
    sha256 TEXT,
    profiles_digest TEXT NOT NULL,
    problem TEXT,
    size_bytes INTEGER,
    mtime_ns INTEGER,
    PRIMARY KEY (run_id, path)
);
INSERT INTO run_files_v4 (run_id, path, sha256, profiles_digest, problem)
    SELECT run_id, CAST(path AS BLOB), sha256, profiles_digest, problem FROM run_files;
DROP TABLE run_files;
ALTER TABLE run_files_v4 RENAME TO run_files;
CREATE TABLE approval_files_v4 (
    approval_id INTEGER NOT NULL REFERENCES approvals(id),
    path BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (approval_id, path)
);
INSERT INTO approval_files_v4 SELECT approval_id, CAST(path AS BLOB), sha256 FROM approval_files;
DROP TABLE approval_files;
ALTER TABLE approval_files_v4 RENAME TO approval_files;
ALTER TABLE runs ADD COLUMN kind TEXT;
UPDATE runs SET root = CAST(root AS BLOB);
UPDATE approvals SET root = CAST(root AS BLOB);
";

/// Version 5: results keep the file's picture results in brief (a
/// serialised `PictureSummary`), so the board shows them for reused files
/// too. Older rows get NULL (no picture line).
pub const V5: &str = "
ALTER TABLE file_results ADD COLUMN picture_json TEXT;
";

/// Version 6: the review loop. Notes at timecodes, each bound to the
/// content (SHA-256) and file of the version it was made on, its range as
/// frame counts from the file's first frame at an exact rate (with the
/// timecode text as typed); a note's state changes (open, addressed,
/// won't fix: who, when, why), latest wins; and revocations of approvals.
/// Every path and root is its raw bytes (BLOB), as since version 4.
pub const V6: &str = "
CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    root TEXT NOT NULL,
    deliverable TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    path BLOB NOT NULL,
    start_frame INTEGER NOT NULL,
    end_frame INTEGER NOT NULL,
    rate_num INTEGER NOT NULL,
    rate_den INTEGER NOT NULL,
    drop_frame INTEGER NOT NULL,
    start_timecode TEXT NOT NULL,
    end_timecode TEXT NOT NULL,
    text TEXT NOT NULL,
    author TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('creative', 'technical', 'qc')),
    created_at TEXT NOT NULL,
    source TEXT,
    CHECK (end_frame >= start_frame)
);
CREATE INDEX notes_deliverable ON notes(root, deliverable, id);
CREATE UNIQUE INDEX notes_source ON notes(root, deliverable, sha256, path, source, start_frame)
    WHERE source IS NOT NULL;
CREATE TABLE note_states (
    id INTEGER PRIMARY KEY,
    note_id INTEGER NOT NULL REFERENCES notes(id),
    state TEXT NOT NULL CHECK (state IN ('open', 'addressed', 'wont_fix')),
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    comment TEXT
);
CREATE INDEX note_states_note ON note_states(note_id, id);
CREATE TABLE revocations (
    id INTEGER PRIMARY KEY,
    approval_id INTEGER NOT NULL UNIQUE REFERENCES approvals(id),
    revoked_by TEXT NOT NULL,
    revoked_at TEXT NOT NULL,
    reason TEXT NOT NULL
);
";

/// Version 7: recorded diffs. `signoff diff OLD NEW` pointed at a ledger
/// keeps what it found, keyed by the two versions' SHA-256 (32 bytes each);
/// re-recording the same pair replaces the row. `json` is the diff report
/// as `signoff diff --format json` gives it (without the envelope).
pub const V7: &str = "
CREATE TABLE diffs (
    id INTEGER PRIMARY KEY,
    old_sha256 BLOB NOT NULL,
    new_sha256 BLOB NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    json TEXT NOT NULL,
    UNIQUE(old_sha256, new_sha256)
);
";

/// Version 8: an approval records the role of who signed off (`approve
/// --role`), which the report's signature block shows. Older approvals get
/// NULL: the role line stays blank, to fill by hand.
pub const V8: &str = "
ALTER TABLE approvals ADD COLUMN role TEXT;
";

const STEPS: [&str; 8] = [V1, V2, V3, V4, V5, V6, V7, V8];

/// Why a ledger could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// SQLite failed.
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
    /// The schema version is one this build does not know.
    #[error("{}", unknown_words(*.found))]
    Unknown {
        /// The `user_version` found.
        found: i64,
    },
}

/// Why a ledger with schema version `found` is refused.
pub(super) fn unknown_words(found: i64) -> String {
    if found > CURRENT {
        format!(
            "its schema version is {found}, newer than this signoff knows (up to {CURRENT}); \
             use the signoff that wrote it (or a newer one); nothing was written"
        )
    } else {
        format!(
            "its schema version {found} is not one signoff writes (1 to {CURRENT}): \
             it is damaged or not a signoff ledger; nothing was written"
        )
    }
}

/// Why a ledger at schema version `found` cannot be read without writing.
pub(super) fn read_only_words(found: i64) -> String {
    format!("schema version {found}, this signoff reads {CURRENT} without writing; `signoff status` migrates it")
}

/// The schema version of `conn`, refused unless this build can migrate or use it.
fn known_version(conn: &Connection) -> Result<i64, SchemaError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if (0..=CURRENT).contains(&version) {
        Ok(version)
    } else {
        Err(SchemaError::Unknown { found: version })
    }
}

/// While another connection holds the write lock: wait a little and ask
/// again, for about a minute in all. SQLite's own busy timeout sleeps 1 ms,
/// then 2, 5, 10 … 100 ms between tries, which is long beside one file's
/// transaction (well under a millisecond): shards writing one ledger at
/// once would spend their time asleep. Here a try waits 25 µs, doubling to
/// 1 ms at most.
fn wait_for_writer(tries: i32) -> bool {
    const LIMIT_US: u64 = 60_000_000;
    let tries = u64::try_from(tries).unwrap_or(0);
    // 25 + 50 + … + 800 µs for the first six tries, then 1 ms each
    let waited_us = if tries < 6 {
        25 * ((1 << tries) - 1)
    } else {
        1575 + (tries - 6) * 1000
    };
    if waited_us >= LIMIT_US {
        return false;
    }
    let next_us = if tries < 6 { 25 << tries } else { 1000 };
    std::thread::sleep(std::time::Duration::from_micros(next_us));
    true
}

/// WAL, a generous busy timeout (another run may hold the write lock), then
/// every migration step still missing, each in its own transaction.
pub fn prepare(conn: &mut Connection) -> Result<(), SchemaError> {
    conn.busy_timeout(std::time::Duration::from_secs(60))?;
    known_version(conn)?;
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
    conn.busy_handler(Some(wait_for_writer))?;
    // A run looks up every file of the delivery: pages are read through a
    // memory map (up to 256 MiB of the file) rather than copied by a
    // system call each, and up to 16 MiB are cached (SQLite's default: 2).
    conn.pragma_update(None, "cache_size", -16384)?;
    conn.pragma_update(None, "mmap_size", 256i64 << 20)?;
    // Each checkpoint waits on two fsyncs (about 20 ms on a VM's disk): at
    // SQLite's default of 1,000 pages a run of small files checkpointed
    // every 100 ms and spent a fifth of its time waiting. 10,000 pages
    // (40 MB of WAL) checkpoint a tenth as often.
    conn.pragma_update(None, "wal_autocheckpoint", 10_000)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version = known_version(&tx)?;
        if version == CURRENT {
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

    #[test]
    fn a_busy_writer_is_waited_for_about_a_minute_then_refused() {
        let started = std::time::Instant::now();
        assert!(
            (0..6).all(wait_for_writer),
            "the first tries wait 25 µs … 800 µs"
        );
        assert!(started.elapsed() < std::time::Duration::from_millis(500));
        // 1575 µs, then 1 ms a try: the minute is up after 6 + 59,999 tries
        assert!(!wait_for_writer(6 + 59_999));
        assert!(!wait_for_writer(i32::MAX));
    }
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
    fn a_v2_ledger_migrates_to_current_with_null_detail() {
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
        assert_eq!(v, CURRENT);
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

    #[test]
    fn a_v3_ledger_keeps_its_paths_as_bytes() {
        let mut old = Connection::open_in_memory().unwrap();
        for step in [V1, V2, V3] {
            old.execute_batch(step).unwrap();
        }
        old.pragma_update(None, "user_version", 3).unwrap();
        old.execute_batch(
            "INSERT INTO runs (id, started_at, user, tool_version, plan_digest, root) VALUES (1, 't', 'u', '0', 'd', '/r');
             INSERT INTO run_files (run_id, path, sha256, profiles_digest) VALUES (1, 'a/b.wav', 'ab', 'pd');
             INSERT INTO file_cache VALUES ('/r/a/b.wav', 1, 2, 'ab');",
        )
        .unwrap();
        prepare(&mut old).unwrap();
        let (kind, path): (String, Vec<u8>) = old
            .query_row("SELECT typeof(path), path FROM run_files", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((kind.as_str(), path.as_slice()), ("blob", &b"a/b.wav"[..]));
        let cached: String = old
            .query_row(
                "SELECT sha256 FROM file_cache WHERE path = ?1",
                [&b"/r/a/b.wav"[..]],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(cached, "ab");
    }

    #[test]
    fn newer_and_invalid_versions_are_refused_untouched() {
        for v in [CURRENT + 1, -1] {
            let mut c = Connection::open_in_memory().unwrap();
            c.pragma_update(None, "user_version", v).unwrap();
            let e = prepare(&mut c).unwrap_err();
            assert!(matches!(e, SchemaError::Unknown { found } if found == v));
            assert!(e.to_string().contains("nothing was written"), "{e}");
            let tables: i64 = c
                .query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get(0))
                .unwrap();
            assert_eq!(tables, 0);
        }
    }
}
