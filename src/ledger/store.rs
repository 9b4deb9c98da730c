//! Opening the ledger and recording runs, file results and the cache.

use super::schema;
use crate::board::FileOutcome;
use crate::paths::RelPath;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::collections::BTreeMap;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Errors reading or writing the ledger.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The database could not be opened, migrated, read or written.
    #[error("failed to use the ledger {path}")]
    Sql {
        /// The ledger file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: rusqlite::Error,
    },
    /// The ledger's schema version is unknown to this build (newer or invalid).
    #[error("refusing to use the ledger {path}: {message}")]
    Schema {
        /// The ledger file.
        path: PathBuf,
        /// What is wrong, in words.
        message: String,
    },
    /// A recorded value could not be decoded.
    #[error("the ledger {path} holds an unreadable record: {message}")]
    Corrupt {
        /// The ledger file.
        path: PathBuf,
        /// What could not be read.
        message: String,
    },
}

/// The ledger beside a plan: `signoff.toml` → `signoff.ledger.sqlite`.
pub fn default_path(plan: &Path) -> PathBuf {
    plan.with_file_name("signoff.ledger.sqlite")
}

/// One file's result, as written after it is analysed.
#[derive(Debug, Clone)]
pub struct FileRecord {
    /// Cache key: the file's absolute path (its bytes are stored).
    pub abs_path: PathBuf,
    /// Path relative to the delivery root (its bytes are stored).
    pub relative_path: RelPath,
    /// Size in bytes, for the cache.
    pub size_bytes: u64,
    /// Modification time in nanoseconds since the epoch, for the cache.
    pub mtime_ns: i64,
    /// Digest of the profiles the file was checked against.
    pub profiles_digest: String,
    /// The outcome.
    pub outcome: FileOutcome,
    /// The full report as JSON, when the file was checked.
    pub report_json: Option<String>,
    /// Why the file could not be hashed.
    pub problem: Option<String>,
    /// The full detail (a serialised `CheckedFile`), when the file was analysed.
    pub detail_json: Option<String>,
}

/// One file of a recorded run, with its stored detail.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFileDetail {
    /// SHA-256, when the file could be read.
    pub sha256: Option<String>,
    /// Why it could not be hashed.
    pub problem: Option<String>,
    /// The serialised `CheckedFile`; `None` when not stored (older ledgers).
    pub detail_json: Option<String>,
}

/// One file's row in a run, as `merge` reads a shard's record of it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFileRow {
    /// SHA-256, when the file could be read.
    pub sha256: Option<String>,
    /// Digest of the profiles (and analysis) it was checked against.
    pub profiles_digest: String,
    /// Why it has no result worth caching (unreadable, its analysis stopped).
    pub problem: Option<String>,
    /// Size and mtime (ns) the run saw (`None` before schema 4).
    pub stat: Option<(u64, i64)>,
}

/// A run as listed by `history`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RunSummary {
    /// Run number.
    pub id: i64,
    /// Start (RFC 3339, UTC).
    pub started_at: String,
    /// End, when the run completed.
    pub finished_at: Option<String>,
    /// Who ran it.
    pub user: String,
    /// signoff version.
    pub tool_version: String,
    /// SHA-256 of the plan text.
    pub plan_digest: String,
}

/// A run as a report needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    /// Start (RFC 3339, UTC).
    pub started_at: String,
    /// End, when the run completed.
    pub finished_at: Option<String>,
    /// Who ran it.
    pub user: String,
    /// On which machine (recorded since schema 3).
    pub host: Option<String>,
    /// signoff version.
    pub tool_version: String,
}

/// An open ledger.
pub struct Ledger {
    pub(super) conn: Connection,
    pub(super) path: PathBuf,
}

impl Ledger {
    /// Opens (creating or migrating) the ledger at `path`.
    pub fn open(path: &Path) -> Result<Self, LedgerError> {
        let wrap = |source| LedgerError::Sql {
            path: path.to_path_buf(),
            source,
        };
        let mut conn = Connection::open(path).map_err(wrap)?;
        schema::prepare(&mut conn).map_err(|e| match e {
            schema::SchemaError::Sql(source) => wrap(source),
            e @ schema::SchemaError::Unknown { .. } => LedgerError::Schema {
                path: path.to_path_buf(),
                message: e.to_string(),
            },
        })?;
        Ok(Ledger {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Opens an existing ledger read-only (nothing created, nothing
    /// migrated): for `verify`, which never writes. Its schema must be the
    /// current one.
    pub fn open_read_only(path: &Path) -> Result<Self, LedgerError> {
        let wrap = |source| LedgerError::Sql {
            path: path.to_path_buf(),
            source,
        };
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(wrap)?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(wrap)?;
        if version != schema::CURRENT {
            return Err(LedgerError::Schema {
                path: path.to_path_buf(),
                message: format!(
                    "schema version {version}, this signoff reads {} without writing; `signoff status` migrates it",
                    schema::CURRENT
                ),
            });
        }
        Ok(Ledger {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub(super) fn err(&self, source: rusqlite::Error) -> LedgerError {
        LedgerError::Sql {
            path: self.path.clone(),
            source,
        }
    }

    /// The ledger file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records the start of a run; returns its id.
    pub fn begin_run(
        &self,
        now: &str,
        user: &str,
        plan_digest: &str,
        root: &Path,
    ) -> Result<i64, LedgerError> {
        self.conn
            .execute(
                "INSERT INTO runs (started_at, user, tool_version, plan_digest, root, host) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![now, user, crate::TOOL_VERSION, plan_digest, root.as_os_str().as_bytes(), crate::report::model::host_name()],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Marks a run complete and stores its board (deliverable → states, files).
    pub fn finish_run(
        &mut self,
        run: i64,
        now: &str,
        board: &[(String, String, usize)],
    ) -> Result<(), LedgerError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| LedgerError::Sql {
                path: self.path.clone(),
                source: e,
            })?;
        let write = || -> rusqlite::Result<()> {
            for (id, states, files) in board {
                tx.execute(
                    "INSERT OR REPLACE INTO run_deliverables VALUES (?1, ?2, ?3, ?4)",
                    params![run, id, states, *files as i64],
                )?;
            }
            tx.execute(
                "UPDATE runs SET finished_at = ?1 WHERE id = ?2",
                params![now, run],
            )?;
            Ok(())
        };
        write()
            .and_then(|()| tx.commit())
            .map_err(|e| LedgerError::Sql {
                path: self.path.clone(),
                source: e,
            })
    }

    /// The cached hash of a file whose size and mtime are unchanged.
    pub fn cached_hash(
        &self,
        abs_path: &Path,
        size: u64,
        mtime_ns: i64,
    ) -> Result<Option<String>, LedgerError> {
        self.conn
            .query_row(
                "SELECT sha256 FROM file_cache WHERE path = ?1 AND size_bytes = ?2 AND mtime_ns = ?3",
                params![abs_path.as_os_str().as_bytes(), size as i64, mtime_ns],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The stored outcome of content `sha256` against `profiles_digest`.
    pub fn result(
        &self,
        sha256: &str,
        profiles_digest: &str,
    ) -> Result<Option<FileOutcome>, LedgerError> {
        self.conn
            .query_row(
                "SELECT verdict, errors, warnings, not_evaluated, by_profile_json, picture_json FROM file_results WHERE sha256 = ?1 AND profiles_digest = ?2",
                params![sha256, profiles_digest],
                |r| outcome(Some(sha256.to_string()), r),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The stored detail (the whole [`crate::check::FileResult`] as JSON)
    /// of content `sha256` against `profiles_digest`, when recorded.
    pub fn result_detail(
        &self,
        sha256: &str,
        profiles_digest: &str,
    ) -> Result<Option<String>, LedgerError> {
        self.conn
            .query_row(
                "SELECT detail_json FROM file_results WHERE sha256 = ?1 AND profiles_digest = ?2",
                params![sha256, profiles_digest],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(|e| self.err(e))
    }

    /// Records one file's result for `run`, in one transaction.
    pub fn record_file(&mut self, run: i64, f: &FileRecord) -> Result<(), LedgerError> {
        let path = self.path.clone();
        let wrap = |source| LedgerError::Sql {
            path: path.clone(),
            source,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(wrap)?;
        write_file(&tx, run, f).map_err(wrap)?;
        tx.commit().map_err(wrap)
    }

    /// Records many files' results for `run` in one transaction: for results
    /// the ledger already holds (a re-run's reused files), where one
    /// transaction per file would cost more than the run itself. A run cut
    /// short is incomplete either way (it has no end).
    pub fn record_files(&mut self, run: i64, files: &[FileRecord]) -> Result<(), LedgerError> {
        let path = self.path.clone();
        let wrap = |source| LedgerError::Sql {
            path: path.clone(),
            source,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(wrap)?;
        for f in files {
            write_file(&tx, run, f).map_err(wrap)?;
        }
        tx.commit().map_err(wrap)
    }

    /// The latest completed run over `root`.
    pub fn latest_run(&self, root: &Path) -> Result<Option<i64>, LedgerError> {
        self.conn
            .query_row(
                "SELECT id FROM runs WHERE root = ?1 AND finished_at IS NOT NULL ORDER BY id DESC LIMIT 1",
                params![root.as_os_str().as_bytes()],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The latest completed run over `root` made by `check` (not by `approve`).
    pub fn latest_check(&self, root: &Path) -> Result<Option<i64>, LedgerError> {
        self.conn
            .query_row(
                "SELECT id FROM runs WHERE root = ?1 AND finished_at IS NOT NULL AND (kind IS NULL OR kind = 'check') ORDER BY id DESC LIMIT 1",
                params![root.as_os_str().as_bytes()],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The latest completed run of each shard over `root` (`kind` `shard K/N`):
    /// (kind, run id, plan digest), by kind.
    pub fn latest_shard_runs(
        &self,
        root: &Path,
    ) -> Result<BTreeMap<String, (i64, String)>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT kind, id, plan_digest FROM runs
                 WHERE root = ?1 AND finished_at IS NOT NULL AND kind LIKE 'shard %' ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![root.as_os_str().as_bytes()], |r| {
                Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?)))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<BTreeMap<_, _>>>());
        rows.map_err(|e| self.err(e))
    }

    /// Removes every record of `run` (its files, its board, the run itself),
    /// in one transaction: a refused approval records nothing. The cache of
    /// hashes and results, keyed by content, stays.
    pub fn discard_run(&mut self, run: i64) -> Result<(), LedgerError> {
        let path = self.path.clone();
        let wrap = |source| LedgerError::Sql {
            path: path.clone(),
            source,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(wrap)?;
        for table in ["run_files", "run_deliverables"] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE run_id = ?1"),
                params![run],
            )
            .map_err(wrap)?;
        }
        tx.execute("DELETE FROM runs WHERE id = ?1", params![run])
            .map_err(wrap)?;
        tx.commit().map_err(wrap)
    }

    /// Says what made `run` (`check`, `approve`).
    pub fn set_run_kind(&self, run: i64, kind: &str) -> Result<(), LedgerError> {
        self.conn
            .execute(
                "UPDATE runs SET kind = ?1 WHERE id = ?2",
                params![kind, run],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// The size and mtime (ns) `run` saw of each file, by relative path
    /// (`None` for runs recorded before schema 4).
    pub fn run_file_stats(
        &self,
        run: i64,
    ) -> Result<BTreeMap<RelPath, Option<(u64, i64)>>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare("SELECT path, size_bytes, mtime_ns FROM run_files WHERE run_id = ?1")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![run], |r| {
                let size: Option<i64> = r.get(1)?;
                let mtime: Option<i64> = r.get(2)?;
                Ok((rel_path(r, 0)?, size.zip(mtime).map(|(s, m)| (s as u64, m))))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<BTreeMap<_, _>>>());
        rows.map_err(|e| self.err(e))
    }

    /// Every file outcome of `run`, by relative path.
    pub fn run_files(&self, run: i64) -> Result<BTreeMap<RelPath, FileOutcome>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT f.path, f.sha256, r.verdict, COALESCE(r.errors, 0), COALESCE(r.warnings, 0), COALESCE(r.not_evaluated, 0), r.by_profile_json, r.picture_json
                 FROM run_files f LEFT JOIN file_results r ON r.sha256 = f.sha256 AND r.profiles_digest = f.profiles_digest
                 WHERE f.run_id = ?1",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![run], |r| {
                let o = FileOutcome {
                    sha256: r.get(1)?,
                    verdict: r
                        .get::<_, Option<String>>(2)?
                        .as_deref()
                        .and_then(crate::spec::Verdict::parse),
                    errors: r.get::<_, i64>(3)? as usize,
                    warnings: r.get::<_, i64>(4)? as usize,
                    not_evaluated: r.get::<_, i64>(5)? as usize,
                    by_profile: r
                        .get::<_, Option<String>>(6)?
                        .and_then(|j| serde_json::from_str(&j).ok())
                        .unwrap_or_default(),
                    picture: r
                        .get::<_, Option<String>>(7)?
                        .and_then(|j| serde_json::from_str(&j).ok()),
                };
                Ok((rel_path(r, 0)?, o))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<BTreeMap<_, _>>>());
        rows.map_err(|e| self.err(e))
    }

    /// Runs over `root` in which `deliverable` was on the board, oldest first,
    /// with its states in each.
    pub fn runs_of(
        &self,
        root: &Path,
        deliverable: &str,
    ) -> Result<Vec<(RunSummary, String)>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT r.id, r.started_at, r.finished_at, r.user, r.tool_version, r.plan_digest, d.states
                 FROM runs r JOIN run_deliverables d ON d.run_id = r.id
                 WHERE r.root = ?1 AND d.deliverable = ?2 ORDER BY r.id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![root.as_os_str().as_bytes(), deliverable], |r| {
                let run = RunSummary {
                    id: r.get(0)?,
                    started_at: r.get(1)?,
                    finished_at: r.get(2)?,
                    user: r.get(3)?,
                    tool_version: r.get(4)?,
                    plan_digest: r.get(5)?,
                };
                Ok((run, r.get(6)?))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>());
        rows.map_err(|e| self.err(e))
    }

    /// When, by whom and where `run` ran.
    pub fn run_info(&self, run: i64) -> Result<RunInfo, LedgerError> {
        self.conn
            .query_row(
                "SELECT started_at, finished_at, user, host, tool_version FROM runs WHERE id = ?1",
                params![run],
                |r| {
                    Ok(RunInfo {
                        started_at: r.get(0)?,
                        finished_at: r.get(1)?,
                        user: r.get(2)?,
                        host: r.get(3)?,
                        tool_version: r.get(4)?,
                    })
                },
            )
            .map_err(|e| self.err(e))
    }

    /// Every file of `run` with its stored detail, by relative path.
    pub fn run_details(&self, run: i64) -> Result<BTreeMap<RelPath, RunFileDetail>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT f.path, f.sha256, f.problem, r.detail_json
                 FROM run_files f LEFT JOIN file_results r ON r.sha256 = f.sha256 AND r.profiles_digest = f.profiles_digest
                 WHERE f.run_id = ?1",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![run], |r| {
                Ok((
                    rel_path(r, 0)?,
                    RunFileDetail {
                        sha256: r.get(1)?,
                        problem: r.get(2)?,
                        detail_json: r.get(3)?,
                    },
                ))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<BTreeMap<_, _>>>());
        rows.map_err(|e| self.err(e))
    }

    /// Every file row of `run` (hash, profiles digest, problem), by
    /// relative path: what `merge` reuses of a shard's run.
    pub fn run_file_rows(&self, run: i64) -> Result<BTreeMap<RelPath, RunFileRow>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT path, sha256, profiles_digest, problem, size_bytes, mtime_ns FROM run_files WHERE run_id = ?1",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![run], |r| {
                let size: Option<i64> = r.get(4)?;
                let mtime: Option<i64> = r.get(5)?;
                let row = RunFileRow {
                    sha256: r.get(1)?,
                    profiles_digest: r.get(2)?,
                    problem: r.get(3)?,
                    stat: size.zip(mtime).map(|(s, m)| (s as u64, m)),
                };
                Ok((rel_path(r, 0)?, row))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<BTreeMap<_, _>>>());
        rows.map_err(|e| self.err(e))
    }

    /// Number of runs recorded (complete or not).
    pub fn run_count(&self) -> Result<i64, LedgerError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM runs", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }
}

/// A relative path from a BLOB column (or the TEXT an older schema wrote).
pub(super) fn rel_path(r: &rusqlite::Row, i: usize) -> rusqlite::Result<RelPath> {
    use rusqlite::types::ValueRef;
    match r.get_ref(i)? {
        ValueRef::Blob(b) | ValueRef::Text(b) => Ok(RelPath::from_bytes(b)),
        other => Err(rusqlite::Error::InvalidColumnType(
            i,
            "path".into(),
            other.data_type(),
        )),
    }
}

/// An outcome from columns `verdict, errors, warnings, not_evaluated, by_profile_json, picture_json`.
fn outcome(sha256: Option<String>, r: &rusqlite::Row) -> rusqlite::Result<FileOutcome> {
    let by_profile: Option<String> = r.get(4)?;
    let picture: Option<String> = r.get(5)?;
    Ok(FileOutcome {
        sha256,
        verdict: r
            .get::<_, Option<String>>(0)?
            .as_deref()
            .and_then(crate::spec::Verdict::parse),
        errors: r.get::<_, i64>(1)? as usize,
        warnings: r.get::<_, i64>(2)? as usize,
        not_evaluated: r.get::<_, i64>(3)? as usize,
        by_profile: by_profile
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default(),
        picture: picture.and_then(|j| serde_json::from_str(&j).ok()),
    })
}

fn write_file(tx: &rusqlite::Transaction, run: i64, f: &FileRecord) -> rusqlite::Result<()> {
    let o = &f.outcome;
    if let Some(sha) = &o.sha256 {
        tx.prepare_cached("INSERT OR REPLACE INTO file_cache VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![
                f.abs_path.as_os_str().as_bytes(),
                f.size_bytes as i64,
                f.mtime_ns,
                sha
            ])?;
        // A reused result is recorded again without its report and detail:
        // keep the stored ones rather than overwrite them with NULL.
        tx.prepare_cached(
            "INSERT INTO file_results (sha256, profiles_digest, verdict, errors, warnings, not_evaluated, report_json, by_profile_json, detail_json, picture_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (sha256, profiles_digest) DO UPDATE SET
                 verdict = excluded.verdict, errors = excluded.errors, warnings = excluded.warnings,
                 not_evaluated = excluded.not_evaluated,
                 report_json = COALESCE(excluded.report_json, file_results.report_json),
                 by_profile_json = excluded.by_profile_json,
                 detail_json = COALESCE(excluded.detail_json, file_results.detail_json),
                 picture_json = COALESCE(excluded.picture_json, file_results.picture_json)",
        )?
        .execute(params![
                sha,
                f.profiles_digest,
                o.verdict.map(crate::spec::Verdict::as_str),
                o.errors as i64,
                o.warnings as i64,
                o.not_evaluated as i64,
                f.report_json,
                serde_json::to_string(&o.by_profile).ok(),
                f.detail_json,
                o.picture.as_ref().and_then(|p| serde_json::to_string(p).ok())
            ],
        )?;
    }
    tx.prepare_cached(
        "INSERT OR REPLACE INTO run_files (run_id, path, sha256, profiles_digest, problem, size_bytes, mtime_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
            run,
            f.relative_path.as_bytes(),
            o.sha256,
            f.profiles_digest,
            f.problem,
            f.size_bytes as i64,
            f.mtime_ns
        ],
    )?;
    Ok(())
}
