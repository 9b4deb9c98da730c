//! Test support: a fresh PostgreSQL database per test on the server named by
//! `SIGNOFF_TEST_POSTGRES` (an admin URL; default the local socket), dropped
//! afterwards. No server is a failure, never a skip.

use super::{Ledger, Location};
use std::ffi::OsStr;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The variable naming the test server's admin database.
pub const SERVER_ENV: &str = "SIGNOFF_TEST_POSTGRES";
/// The server the tests use unless told.
pub const DEFAULT_SERVER: &str = "postgres://%2Fvar%2Frun%2Fpostgresql/postgres";

/// A database created for one test, dropped with it.
pub struct TestDb {
    admin: String,
    name: String,
    /// Its address.
    pub location: Location,
}

fn admin_client(admin: &str) -> postgres::Client {
    postgres::Client::connect(admin, postgres::NoTls).unwrap_or_else(|e| {
        panic!(
            "PostgreSQL is not running: ./setup.sh --no-run starts it ({SERVER_ENV}={admin}: {e})"
        )
    })
}

impl TestDb {
    /// A new empty database.
    pub fn new() -> TestDb {
        static N: AtomicUsize = AtomicUsize::new(0);
        let admin = std::env::var(SERVER_ENV).unwrap_or_else(|_| DEFAULT_SERVER.into());
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "t_unit_{}_{}_{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        admin_client(&admin)
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("CREATE DATABASE");
        let (base, query) = admin.split_once('?').unwrap_or((&admin, ""));
        let server = &base[..base.rfind('/').expect("a URL with a database")];
        let url = match query {
            "" => format!("{server}/{name}"),
            q => format!("{server}/{name}?{q}"),
        };
        let location = Location::parse(OsStr::new(&url)).expect("the test server's URL");
        TestDb {
            admin,
            name,
            location,
        }
    }

    /// The ledger in it (created on first open).
    pub fn open(&self) -> Ledger {
        Ledger::open(&self.location).expect("open the PostgreSQL ledger")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = admin_client(&self.admin).batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ));
    }
}
