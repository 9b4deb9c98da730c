//! Opening the ledger and recording runs, file results and the cache.

use super::backend::{args, Backend, BackendError, Row, Value};
use super::location::Location;
use super::{pg_schema, schema};
use crate::board::FileOutcome;
use crate::paths::RelPath;
use rusqlite::Connection;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Errors reading or writing the ledger.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The ledger's server could not be reached, or refused the connection.
    #[error("could not connect to the ledger {ledger}: {reason}")]
    Connect {
        /// The ledger, as it may be shown (no password).
        ledger: String,
        /// Why, in words.
        reason: String,
    },
    /// The database could not be opened, migrated, read or written.
    #[error("failed to use the ledger {ledger}")]
    Sql {
        /// The ledger, as it may be shown (no password).
        ledger: String,
        /// The cause.
        #[source]
        source: BackendError,
    },
    /// The ledger's schema version is unknown to this build (newer or invalid).
    #[error("refusing to use the ledger {ledger}: {message}")]
    Schema {
        /// The ledger, as it may be shown (no password).
        ledger: String,
        /// What is wrong, in words.
        message: String,
    },
    /// A recorded value could not be decoded.
    #[error("the ledger {ledger} holds an unreadable record: {message}")]
    Corrupt {
        /// The ledger, as it may be shown (no password).
        ledger: String,
        /// What could not be read.
        message: String,
    },
    /// What was asked needs the ledger's file (a SQLite ledger).
    #[error("{what} needs a SQLite ledger file; {ledger} is a PostgreSQL ledger")]
    NeedsFile {
        /// The ledger, as it may be shown (no password).
        ledger: String,
        /// What needs it.
        what: String,
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

/// An open ledger: its store (SQLite or PostgreSQL) and where it is.
pub struct Ledger {
    db: RefCell<Box<dyn Backend>>,
    location: Location,
}

impl Ledger {
    /// Opens (creating or migrating) the ledger at `location`: a PostgreSQL
    /// ledger is connected to now, so an unreachable server stops a run
    /// before anything is analysed.
    pub fn open(location: &Location) -> Result<Self, LedgerError> {
        let shown = location.to_string();
        let db: Box<dyn Backend> = match location {
            Location::File(path) => {
                let wrap = |source: rusqlite::Error| LedgerError::Sql {
                    ledger: shown.clone(),
                    source: source.into(),
                };
                let mut conn = Connection::open(path).map_err(wrap)?;
                schema::prepare(&mut conn).map_err(|e| match e {
                    schema::SchemaError::Sql(source) => wrap(source),
                    e @ schema::SchemaError::Unknown { .. } => LedgerError::Schema {
                        ledger: shown.clone(),
                        message: e.to_string(),
                    },
                })?;
                Box::new(super::backend::sqlite::Sqlite { conn })
            }
            Location::Postgres(address) => Box::new(pg_schema::connect(address, false)?),
        };
        Ok(Ledger {
            db: RefCell::new(db),
            location: location.clone(),
        })
    }

    /// Opens an existing ledger read-only (nothing created, nothing
    /// migrated): for `verify`, which never writes. Its schema must be the
    /// current one. A PostgreSQL ledger is read in read-only transactions.
    pub fn open_read_only(location: &Location) -> Result<Self, LedgerError> {
        let shown = location.to_string();
        let db: Box<dyn Backend> = match location {
            Location::File(path) => {
                let wrap = |source: rusqlite::Error| LedgerError::Sql {
                    ledger: shown.clone(),
                    source: source.into(),
                };
                let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                    | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
                let conn = Connection::open_with_flags(path, flags).map_err(wrap)?;
                let version: i64 = conn
                    .pragma_query_value(None, "user_version", |r| r.get(0))
                    .map_err(wrap)?;
                if version != schema::CURRENT {
                    return Err(LedgerError::Schema {
                        ledger: shown,
                        message: schema::read_only_words(version),
                    });
                }
                Box::new(super::backend::sqlite::Sqlite { conn })
            }
            Location::Postgres(address) => Box::new(pg_schema::connect(address, true)?),
        };
        Ok(Ledger {
            db: RefCell::new(db),
            location: location.clone(),
        })
    }

    /// The error of a failed statement (a value that does not decode: a corrupt record).
    pub(super) fn err(&self, source: impl Into<BackendError>) -> LedgerError {
        match source.into() {
            BackendError::Decode(message) => LedgerError::Corrupt {
                ledger: self.location.to_string(),
                message,
            },
            source => LedgerError::Sql {
                ledger: self.location.to_string(),
                source,
            },
        }
    }

    /// Every row `sql` answers.
    pub(super) fn rows(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, LedgerError> {
        let answer = self.db.borrow_mut().query(sql, params);
        answer.map_err(|e| self.err(e))
    }

    /// Every row `sql` answers, each read by `read`.
    pub(super) fn rows_as<T>(
        &self,
        sql: &str,
        params: &[Value],
        read: impl Fn(&Row) -> Result<T, BackendError>,
    ) -> Result<Vec<T>, LedgerError> {
        self.rows(sql, params)?
            .iter()
            .map(|r| read(r).map_err(|e| self.err(e)))
            .collect()
    }

    /// The first row `sql` answers, read by `read`.
    pub(super) fn row_as<T>(
        &self,
        sql: &str,
        params: &[Value],
        read: impl Fn(&Row) -> Result<T, BackendError>,
    ) -> Result<Option<T>, LedgerError> {
        Ok(self.rows_as(sql, params, read)?.into_iter().next())
    }

    /// Runs `f` in one write transaction: all of it is recorded, or none.
    pub(super) fn write<T>(
        &self,
        f: impl FnOnce(&mut dyn Backend) -> Result<T, BackendError>,
    ) -> Result<T, LedgerError> {
        let mut db = self.db.borrow_mut();
        let done = db.begin().and_then(|()| f(&mut **db));
        let done = done.and_then(|v| db.commit().map(|()| v));
        if done.is_err() {
            db.rollback();
        }
        drop(db);
        done.map_err(|e| self.err(e))
    }

    /// Where the ledger is.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Records the start of a run; returns its id.
    pub fn begin_run(
        &self,
        now: &str,
        user: &str,
        plan_digest: &str,
        root: &Path,
    ) -> Result<i64, LedgerError> {
        let id = self.row_as(
            "INSERT INTO runs (started_at, \"user\", tool_version, plan_digest, root, host) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
            args![now, user, crate::TOOL_VERSION, plan_digest, root.as_os_str().as_bytes(), crate::report::model::host_name()],
            |r| r.int(0),
        )?;
        id.ok_or_else(|| self.err(BackendError::Decode("no run id returned".into())))
    }

    /// Marks a run complete and stores its board (deliverable → states, files).
    pub fn finish_run(
        &mut self,
        run: i64,
        now: &str,
        board: &[(String, String, usize)],
    ) -> Result<(), LedgerError> {
        self.write(|db| {
            for (id, states, files) in board {
                db.execute(
                    "INSERT INTO run_deliverables (run_id, deliverable, states, files) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (run_id, deliverable) DO UPDATE SET states = excluded.states, files = excluded.files",
                    args![run, id, states, *files as i64],
                )?;
            }
            db.execute(
                "UPDATE runs SET finished_at = ?1 WHERE id = ?2",
                args![now, run],
            )?;
            Ok(())
        })
    }

    /// The cached hash of a file whose size and mtime are unchanged.
    pub fn cached_hash(
        &self,
        abs_path: &Path,
        size: u64,
        mtime_ns: i64,
    ) -> Result<Option<String>, LedgerError> {
        self.row_as(
            "SELECT sha256 FROM file_cache WHERE path = ?1 AND size_bytes = ?2 AND mtime_ns = ?3",
            args![abs_path.as_os_str().as_bytes(), size as i64, mtime_ns],
            |r| r.text(0),
        )
    }

    /// The stored outcome of content `sha256` against `profiles_digest`.
    pub fn result(
        &self,
        sha256: &str,
        profiles_digest: &str,
    ) -> Result<Option<FileOutcome>, LedgerError> {
        self.row_as(
            "SELECT verdict, errors, warnings, not_evaluated, by_profile_json, picture_json FROM file_results WHERE sha256 = ?1 AND profiles_digest = ?2",
            args![sha256, profiles_digest],
            |r| outcome(Some(sha256.to_string()), r, 0),
        )
    }

    /// The stored detail (the whole [`crate::check::FileResult`] as JSON)
    /// of content `sha256` against `profiles_digest`, when recorded.
    pub fn result_detail(
        &self,
        sha256: &str,
        profiles_digest: &str,
    ) -> Result<Option<String>, LedgerError> {
        self.row_as(
            "SELECT detail_json FROM file_results WHERE sha256 = ?1 AND profiles_digest = ?2",
            args![sha256, profiles_digest],
            |r| r.opt_text(0),
        )
        .map(Option::flatten)
    }

    /// Records one file's result for `run`, in one transaction.
    pub fn record_file(&mut self, run: i64, f: &FileRecord) -> Result<(), LedgerError> {
        self.write(|db| write_file(db, run, f))
    }

    /// Records many files' results for `run` in one transaction: for results
    /// the ledger already holds (a re-run's reused files), where one
    /// transaction per file would cost more than the run itself. A run cut
    /// short is incomplete either way (it has no end).
    pub fn record_files(&mut self, run: i64, files: &[FileRecord]) -> Result<(), LedgerError> {
        self.write(|db| files.iter().try_for_each(|f| write_file(db, run, f)))
    }

    /// Records, in one transaction, that `run` saw `files` whose results came
    /// from the cache: their cache and result rows already hold exactly
    /// these values (found through [`Ledger::cached_under`]), so only the
    /// run's own rows are written.
    pub fn record_reused(&mut self, run: i64, files: &[RunFile]) -> Result<(), LedgerError> {
        self.write(|db| files.iter().try_for_each(|f| write_run_row(db, run, f)))
    }

    /// The latest completed run over `root`.
    pub fn latest_run(&self, root: &Path) -> Result<Option<i64>, LedgerError> {
        self.row_as(
            "SELECT id FROM runs WHERE root = ?1 AND finished_at IS NOT NULL ORDER BY id DESC LIMIT 1",
            args![root.as_os_str().as_bytes()],
            |r| r.int(0),
        )
    }

    /// The latest completed run over `root` made by `check` (not by `approve`).
    pub fn latest_check(&self, root: &Path) -> Result<Option<i64>, LedgerError> {
        self.row_as(
            "SELECT id FROM runs WHERE root = ?1 AND finished_at IS NOT NULL AND (kind IS NULL OR kind = 'check') ORDER BY id DESC LIMIT 1",
            args![root.as_os_str().as_bytes()],
            |r| r.int(0),
        )
    }

    /// The latest completed run of each shard over `root` (`kind` `shard K/N`):
    /// (kind, run id, plan digest), by kind.
    pub fn latest_shard_runs(
        &self,
        root: &Path,
    ) -> Result<BTreeMap<String, (i64, String)>, LedgerError> {
        let rows = self.rows_as(
            "SELECT kind, id, plan_digest FROM runs
             WHERE root = ?1 AND finished_at IS NOT NULL AND kind LIKE 'shard %' ORDER BY id",
            args![root.as_os_str().as_bytes()],
            |r| Ok((r.text(0)?, (r.int(1)?, r.text(2)?))),
        )?;
        Ok(rows.into_iter().collect())
    }

    /// Removes every record of `run` (its files, its board, the run itself),
    /// in one transaction: a refused approval records nothing. The cache of
    /// hashes and results, keyed by content, stays.
    pub fn discard_run(&mut self, run: i64) -> Result<(), LedgerError> {
        self.write(|db| {
            for table in ["run_files", "run_deliverables"] {
                db.execute(
                    &format!("DELETE FROM {table} WHERE run_id = ?1"),
                    args![run],
                )?;
            }
            db.execute("DELETE FROM runs WHERE id = ?1", args![run])?;
            Ok(())
        })
    }

    /// Says what made `run` (`check`, `approve`).
    pub fn set_run_kind(&self, run: i64, kind: &str) -> Result<(), LedgerError> {
        self.write(|db| db.execute("UPDATE runs SET kind = ?1 WHERE id = ?2", args![kind, run]))
            .map(|_| ())
    }

    /// The size and mtime (ns) `run` saw of each file, by relative path
    /// (`None` for runs recorded before schema 4).
    pub fn run_file_stats(
        &self,
        run: i64,
    ) -> Result<BTreeMap<RelPath, Option<(u64, i64)>>, LedgerError> {
        let rows = self.rows_as(
            "SELECT path, size_bytes, mtime_ns FROM run_files WHERE run_id = ?1",
            args![run],
            |r| {
                let size = r.opt_int(1)?;
                let mtime = r.opt_int(2)?;
                Ok((rel_path(r, 0)?, size.zip(mtime).map(|(s, m)| (s as u64, m))))
            },
        )?;
        Ok(rows.into_iter().collect())
    }

    /// Every file outcome of `run`, by relative path.
    pub fn run_files(&self, run: i64) -> Result<BTreeMap<RelPath, FileOutcome>, LedgerError> {
        let rows = self.rows_as(
            "SELECT f.path, f.sha256, r.verdict, COALESCE(r.errors, 0), COALESCE(r.warnings, 0), COALESCE(r.not_evaluated, 0), r.by_profile_json, r.picture_json
             FROM run_files f LEFT JOIN file_results r ON r.sha256 = f.sha256 AND r.profiles_digest = f.profiles_digest
             WHERE f.run_id = ?1",
            args![run],
            |r| Ok((rel_path(r, 0)?, unreadable_unless_hashed(outcome(r.opt_text(1)?, r, 2)?))),
        )?;
        Ok(rows.into_iter().collect())
    }

    /// Runs over `root` in which `deliverable` was on the board, oldest first,
    /// with its states in each.
    pub fn runs_of(
        &self,
        root: &Path,
        deliverable: &str,
    ) -> Result<Vec<(RunSummary, String)>, LedgerError> {
        self.rows_as(
            "SELECT r.id, r.started_at, r.finished_at, r.\"user\", r.tool_version, r.plan_digest, d.states
             FROM runs r JOIN run_deliverables d ON d.run_id = r.id
             WHERE r.root = ?1 AND d.deliverable = ?2 ORDER BY r.id",
            args![root.as_os_str().as_bytes(), deliverable],
            |r| {
                let run = RunSummary {
                    id: r.int(0)?,
                    started_at: r.text(1)?,
                    finished_at: r.opt_text(2)?,
                    user: r.text(3)?,
                    tool_version: r.text(4)?,
                    plan_digest: r.text(5)?,
                };
                Ok((run, r.text(6)?))
            },
        )
    }

    /// When, by whom and where `run` ran.
    pub fn run_info(&self, run: i64) -> Result<RunInfo, LedgerError> {
        let info = self.row_as(
            "SELECT started_at, finished_at, \"user\", host, tool_version FROM runs WHERE id = ?1",
            args![run],
            |r| {
                Ok(RunInfo {
                    started_at: r.text(0)?,
                    finished_at: r.opt_text(1)?,
                    user: r.text(2)?,
                    host: r.opt_text(3)?,
                    tool_version: r.text(4)?,
                })
            },
        )?;
        info.ok_or_else(|| self.err(BackendError::Decode(format!("there is no run {run}"))))
    }

    /// Every file of `run` with its stored detail, by relative path.
    pub fn run_details(&self, run: i64) -> Result<BTreeMap<RelPath, RunFileDetail>, LedgerError> {
        let rows = self.rows_as(
            "SELECT f.path, f.sha256, f.problem, r.detail_json
             FROM run_files f LEFT JOIN file_results r ON r.sha256 = f.sha256 AND r.profiles_digest = f.profiles_digest
             WHERE f.run_id = ?1",
            args![run],
            |r| {
                let detail = RunFileDetail {
                    sha256: r.opt_text(1)?,
                    problem: r.opt_text(2)?,
                    detail_json: r.opt_text(3)?,
                };
                Ok((rel_path(r, 0)?, detail))
            },
        )?;
        Ok(rows.into_iter().collect())
    }

    /// Every file row of `run` (hash, profiles digest, problem), by
    /// relative path: what `merge` reuses of a shard's run.
    pub fn run_file_rows(&self, run: i64) -> Result<BTreeMap<RelPath, RunFileRow>, LedgerError> {
        let rows = self.rows_as(
            "SELECT path, sha256, profiles_digest, problem, size_bytes, mtime_ns FROM run_files WHERE run_id = ?1",
            args![run],
            |r| {
                let stat = r.opt_int(4)?.zip(r.opt_int(5)?);
                let row = RunFileRow {
                    sha256: r.opt_text(1)?,
                    profiles_digest: r.text(2)?,
                    problem: r.opt_text(3)?,
                    stat: stat.map(|(s, m)| (s as u64, m)),
                };
                Ok((rel_path(r, 0)?, row))
            },
        )?;
        Ok(rows.into_iter().collect())
    }

    /// Number of runs recorded (complete or not).
    pub fn run_count(&self) -> Result<i64, LedgerError> {
        let n = self.row_as("SELECT COUNT(*) FROM runs", args![], |r| r.int(0))?;
        Ok(n.unwrap_or(0))
    }
}

/// A relative path from a bytes column (or the TEXT an older schema wrote).
pub(super) fn rel_path(r: &Row, i: usize) -> Result<RelPath, BackendError> {
    Ok(RelPath::from_bytes(r.bytes(i)?))
}

/// A file the run could not hash has no stored result: it is unreadable,
/// as `check` and `merge` said when they recorded it.
fn unreadable_unless_hashed(mut o: FileOutcome) -> FileOutcome {
    if o.sha256.is_none() && o.verdict.is_none() {
        o.verdict = Some(crate::spec::Verdict::Unreadable);
    }
    o
}

/// An outcome from columns `verdict, errors, warnings, not_evaluated,
/// by_profile_json, picture_json`, the first at `at`.
pub(super) fn outcome(
    sha256: Option<String>,
    r: &Row,
    at: usize,
) -> Result<FileOutcome, BackendError> {
    let by_profile = r.opt_text(at + 4)?;
    let picture = r.opt_text(at + 5)?;
    Ok(FileOutcome {
        sha256,
        verdict: r
            .opt_text(at)?
            .as_deref()
            .and_then(crate::spec::Verdict::parse),
        errors: r.int(at + 1)? as usize,
        warnings: r.int(at + 2)? as usize,
        not_evaluated: r.int(at + 3)? as usize,
        by_profile: by_profile
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default(),
        picture: picture.and_then(|j| serde_json::from_str(&j).ok()),
    })
}

fn write_file(db: &mut dyn Backend, run: i64, f: &FileRecord) -> Result<(), BackendError> {
    let o = &f.outcome;
    if let Some(sha) = &o.sha256 {
        db.execute(
            "INSERT INTO file_cache (path, size_bytes, mtime_ns, sha256) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (path) DO UPDATE SET size_bytes = excluded.size_bytes,
                 mtime_ns = excluded.mtime_ns, sha256 = excluded.sha256",
            args![
                f.abs_path.as_os_str().as_bytes(),
                f.size_bytes as i64,
                f.mtime_ns,
                sha
            ],
        )?;
        // A reused result is recorded again without its report and detail:
        // keep the stored ones rather than overwrite them with NULL.
        db.execute(
            "INSERT INTO file_results (sha256, profiles_digest, verdict, errors, warnings, not_evaluated, report_json, by_profile_json, detail_json, picture_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (sha256, profiles_digest) DO UPDATE SET
                 verdict = excluded.verdict, errors = excluded.errors, warnings = excluded.warnings,
                 not_evaluated = excluded.not_evaluated,
                 report_json = COALESCE(excluded.report_json, file_results.report_json),
                 by_profile_json = excluded.by_profile_json,
                 detail_json = COALESCE(excluded.detail_json, file_results.detail_json),
                 picture_json = COALESCE(excluded.picture_json, file_results.picture_json)",
            args![
                sha,
                &f.profiles_digest,
                o.verdict.map(crate::spec::Verdict::as_str),
                o.errors as i64,
                o.warnings as i64,
                o.not_evaluated as i64,
                &f.report_json,
                serde_json::to_string(&o.by_profile).ok(),
                &f.detail_json,
                o.picture.as_ref().and_then(|p| serde_json::to_string(p).ok())
            ],
        )?;
    }
    write_run_row(db, run, &RunFile::of(f))
}

/// One file's row of a run: what [`Ledger::record_reused`] writes.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFile {
    /// Path relative to the delivery root.
    pub relative_path: RelPath,
    /// SHA-256 of the content, when it could be read.
    pub sha256: Option<String>,
    /// Digest of the profiles the file was checked against.
    pub profiles_digest: String,
    /// Why the file could not be hashed.
    pub problem: Option<String>,
    /// Size in bytes, as the run saw it.
    pub size_bytes: u64,
    /// Modification time in nanoseconds since the epoch, as the run saw it.
    pub mtime_ns: i64,
}

impl RunFile {
    fn of(f: &FileRecord) -> RunFile {
        RunFile {
            relative_path: f.relative_path.clone(),
            sha256: f.outcome.sha256.clone(),
            profiles_digest: f.profiles_digest.clone(),
            problem: f.problem.clone(),
            size_bytes: f.size_bytes,
            mtime_ns: f.mtime_ns,
        }
    }
}

fn write_run_row(db: &mut dyn Backend, run: i64, f: &RunFile) -> Result<(), BackendError> {
    db.execute(
        "INSERT INTO run_files (run_id, path, sha256, profiles_digest, problem, size_bytes, mtime_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (run_id, path) DO UPDATE SET sha256 = excluded.sha256,
             profiles_digest = excluded.profiles_digest, problem = excluded.problem,
             size_bytes = excluded.size_bytes, mtime_ns = excluded.mtime_ns",
        args![
            run,
            f.relative_path.as_bytes(),
            &f.sha256,
            &f.profiles_digest,
            &f.problem,
            f.size_bytes as i64,
            f.mtime_ns
        ],
    )?;
    Ok(())
}
