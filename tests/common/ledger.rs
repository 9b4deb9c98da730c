//! The ledger a test runs against: a SQLite file, or a fresh database on a
//! real PostgreSQL server (`SIGNOFF_TEST_POSTGRES`, an admin URL; default
//! the local socket as root), created per test and dropped after. No
//! server is a failure with the way to start one, never a skip.

use std::ffi::OsString;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The variable naming the test server's admin database.
pub const SERVER_ENV: &str = "SIGNOFF_TEST_POSTGRES";
/// The server the tests use unless told.
pub const DEFAULT_SERVER: &str = "postgres://%2Fvar%2Frun%2Fpostgresql/postgres";

/// Which store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A ledger for one test.
pub struct TestLedger {
    pub backend: Backend,
    /// What `--ledger` (or `SIGNOFF_LEDGER`) is given.
    pub arg: OsString,
    db: Option<PgDb>,
}

struct PgDb {
    admin: String,
    name: String,
}

/// The admin URL of the test server.
pub fn admin_url() -> String {
    std::env::var(SERVER_ENV).unwrap_or_else(|_| DEFAULT_SERVER.into())
}

/// A client of the test server's admin database; panics plainly when there is none.
pub fn admin() -> postgres::Client {
    let url = admin_url();
    postgres::Client::connect(&url, postgres::NoTls).unwrap_or_else(|e| {
        panic!("PostgreSQL is not running: ./setup.sh --no-run starts it ({SERVER_ENV}={url}: {e})")
    })
}

/// `url` naming database `db` instead of its own.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let server = &base[..base.rfind('/').expect("a URL with a database")];
    match query {
        "" => format!("{server}/{db}"),
        q => format!("{server}/{db}?{q}"),
    }
}

impl TestLedger {
    /// A SQLite ledger at `file`, or a fresh PostgreSQL database.
    pub fn new(backend: Backend, file: &Path) -> TestLedger {
        match backend {
            Backend::Sqlite => TestLedger {
                backend,
                arg: file.into(),
                db: None,
            },
            Backend::Postgres => {
                static N: AtomicUsize = AtomicUsize::new(0);
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.subsec_nanos())
                    .unwrap_or(0);
                let name = format!(
                    "t_{}_{}_{nanos}",
                    std::process::id(),
                    N.fetch_add(1, Ordering::Relaxed)
                );
                admin()
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("CREATE DATABASE");
                let admin = admin_url();
                TestLedger {
                    backend,
                    arg: with_database(&admin, &name).into(),
                    db: Some(PgDb { admin, name }),
                }
            }
        }
    }

    /// `signoff` (as [`super::plan_signoff`]) recording in this ledger (`SIGNOFF_LEDGER`).
    pub fn signoff(&self) -> assert_cmd::Command {
        let mut c = super::plan_signoff();
        c.env("SIGNOFF_LEDGER", &self.arg);
        c
    }

    /// The ledger's URL (PostgreSQL) or file (SQLite), as text.
    pub fn text(&self) -> String {
        self.arg.to_string_lossy().into_owned()
    }

    /// The one integer `sql` answers (`SELECT COUNT(*) …`), read directly from the store.
    pub fn count(&self, sql: &str) -> i64 {
        match self.backend {
            Backend::Sqlite => {
                let c = rusqlite::Connection::open(&self.arg).unwrap();
                c.query_row(sql, [], |r| r.get(0)).unwrap()
            }
            Backend::Postgres => {
                let mut c = postgres::Client::connect(&self.text(), postgres::NoTls).unwrap();
                c.query_one(sql, &[]).unwrap().get::<_, i64>(0)
            }
        }
    }

    /// As [`TestLedger::count`], `None` while the store cannot answer (no table yet).
    pub fn try_count(&self, sql: &str) -> Option<i64> {
        match self.backend {
            Backend::Sqlite => {
                let c = rusqlite::Connection::open(&self.arg).ok()?;
                c.query_row(sql, [], |r| r.get(0)).ok()
            }
            Backend::Postgres => {
                let mut c = postgres::Client::connect(&self.text(), postgres::NoTls).ok()?;
                c.query_one(sql, &[]).ok()?.try_get::<_, i64>(0).ok()
            }
        }
    }

    /// Runs `sql` on the store (a test's own change).
    pub fn execute(&self, sql: &str) {
        match self.backend {
            Backend::Sqlite => {
                let c = rusqlite::Connection::open(&self.arg).unwrap();
                c.execute_batch(sql).unwrap();
            }
            Backend::Postgres => {
                let mut c = postgres::Client::connect(&self.text(), postgres::NoTls).unwrap();
                c.batch_execute(sql).unwrap();
            }
        }
    }
}

impl Drop for TestLedger {
    fn drop(&mut self) {
        if let Some(db) = &self.db {
            if let Ok(mut c) = postgres::Client::connect(&db.admin, postgres::NoTls) {
                let _ =
                    c.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", db.name));
            }
        }
    }
}

/// `both_backends!(name, …)`: each `fn name(backend: Backend)` of the file
/// becomes two tests, `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $name() { super::$name($crate::common::ledger::Backend::Sqlite) })*
        }
        mod postgres {
            $(#[test] fn $name() { super::$name($crate::common::ledger::Backend::Postgres) })*
        }
    };
}
