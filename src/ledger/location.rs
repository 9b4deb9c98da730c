//! Where a ledger is: a SQLite file (a path, kept exact) or a PostgreSQL
//! server (a `postgres://` URL). Parsed once, early; shown anywhere without
//! its password.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

/// A ledger's address.
#[derive(Debug, Clone)]
pub enum Location {
    /// An embedded SQLite database file.
    File(PathBuf),
    /// A PostgreSQL database.
    Postgres(Box<PgAddress>),
}

/// A PostgreSQL URL, parsed, with the form that may be shown.
#[derive(Debug, Clone)]
pub struct PgAddress {
    /// The connection settings (password included).
    pub config: postgres::Config,
    shown: String,
}

/// Why a ledger address is not one.
#[derive(Debug, thiserror::Error)]
pub enum LocationError {
    /// A URL of a store signoff does not write.
    #[error("`{scheme}://…` is not a ledger signoff can use: give a SQLite file path or a postgres://user@host/database URL")]
    Scheme {
        /// The URL's scheme.
        scheme: String,
    },
    /// A `postgres://` URL that does not parse.
    #[error("the ledger URL is not a valid PostgreSQL URL ({reason}); the form is postgres://user[:password]@host[:port]/database (a socket folder as the host: %2Fvar%2Frun%2Fpostgresql)")]
    Url {
        /// What the parser said.
        reason: String,
    },
}

/// How long a connection to the ledger's server may take, unless the URL says (`connect_timeout=`).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

impl Location {
    /// A path, or a URL when `given` starts with a scheme (`postgres://`, `postgresql://`).
    pub fn parse(given: &OsStr) -> Result<Location, LocationError> {
        let bytes = given.as_bytes();
        let Some(scheme) = scheme_of(bytes) else {
            return Ok(Location::File(PathBuf::from(given)));
        };
        if scheme != "postgres" && scheme != "postgresql" {
            return Err(LocationError::Scheme { scheme });
        }
        let text = std::str::from_utf8(bytes).map_err(|_| LocationError::Url {
            reason: "it is not UTF-8".into(),
        })?;
        let mut config = postgres::Config::from_str(text).map_err(|e| LocationError::Url {
            reason: e.to_string(),
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let shown = shown(&config);
        Ok(Location::Postgres(Box::new(PgAddress { config, shown })))
    }

    /// The file, for a SQLite ledger.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Location::File(p) => Some(p),
            Location::Postgres(_) => None,
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::File(p) => write!(f, "{}", p.display()),
            Location::Postgres(a) => f.write_str(&a.shown),
        }
    }
}

impl std::fmt::Display for PgAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

/// `postgres` for `postgres://…`; `None` for a path (no `scheme://` prefix).
fn scheme_of(bytes: &[u8]) -> Option<String> {
    let end = bytes.windows(3).position(|w| w == b"://")?;
    let scheme = &bytes[..end];
    let ok = scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"+.-".contains(b));
    ok.then(|| String::from_utf8_lossy(scheme).to_ascii_lowercase())
}

/// `postgres://user@host:port/database`: what the URL names, never its password.
fn shown(c: &postgres::Config) -> String {
    use postgres::config::Host;
    let hosts: Vec<String> = c
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let host = match h {
                Host::Tcp(name) => name.clone(),
                Host::Unix(dir) => dir.to_string_lossy().replace('/', "%2F"),
            };
            match c.get_ports().get(i).or(c.get_ports().first()) {
                Some(port) if *port != 5432 => format!("{host}:{port}"),
                _ => host,
            }
        })
        .collect();
    let user = c.get_user().map(|u| format!("{u}@")).unwrap_or_default();
    let db = c.get_dbname().unwrap_or_default();
    format!("postgres://{user}{}/{db}", hosts.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Location, LocationError> {
        Location::parse(OsStr::new(s))
    }

    #[test]
    fn paths_stay_paths_and_urls_lose_their_password() {
        let l = parse("ledger.sqlite").unwrap();
        assert_eq!(l.file(), Some(Path::new("ledger.sqlite")));
        let odd = OsStr::from_bytes(b"caf\xe9://x.sqlite");
        assert!(matches!(Location::parse(odd).unwrap(), Location::File(_)));
        for (url, want) in [
            (
                "postgres://qc:s3cret@db.example:6543/ledger",
                "postgres://qc@db.example:6543/ledger",
            ),
            (
                "postgresql://qc@%2Fvar%2Frun%2Fpostgresql/ledger",
                "postgres://qc@%2Fvar%2Frun%2Fpostgresql/ledger",
            ),
            (
                "postgres://db.example/ledger?password=s3cret&user=qc",
                "postgres://qc@db.example/ledger",
            ),
        ] {
            let l = parse(url).unwrap();
            assert!(l.file().is_none());
            assert_eq!(l.to_string(), want);
            assert!(!format!("{l:?}").contains("s3cret"));
        }
    }

    #[test]
    fn other_schemes_and_bad_urls_are_refused_plainly() {
        let e = parse("mysql://qc:pw@db/ledger").unwrap_err();
        assert!(
            e.to_string().starts_with("`mysql://…` is not a ledger"),
            "{e}"
        );
        let e = parse("postgres://qc:s3cret@db:notaport/ledger").unwrap_err();
        assert!(matches!(e, LocationError::Url { .. }), "{e}");
        assert!(!e.to_string().contains("s3cret"), "{e}");
    }
}
