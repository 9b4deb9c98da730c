//! The ledger's two stores behind one small trait: SQLite (embedded, the
//! default) and PostgreSQL (a facility's shared server). The ledger's
//! methods are written once, in SQL both understand (`?N` placeholders,
//! `INSERT … ON CONFLICT`, `RETURNING id`); each backend runs it.

pub mod postgres;
pub mod sqlite;

/// One SQL value, as both stores hold it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// NULL.
    Null,
    /// A 64-bit integer (BIGINT in PostgreSQL).
    Int(i64),
    /// A double.
    Real(f64),
    /// Text.
    Text(String),
    /// Bytes (BLOB / BYTEA): paths are stored as their raw bytes.
    Blob(Vec<u8>),
}

/// Why a statement failed.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// SQLite failed.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed (or the connection to it).
    #[error("{}", postgres::words(.0))]
    Postgres(#[from] ::postgres::Error),
    /// A column did not hold what the ledger expects.
    #[error("{0}")]
    Decode(String),
}

/// A store the ledger runs its SQL on.
pub trait Backend: Send {
    /// Runs one statement; returns the rows changed.
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, BackendError>;
    /// Runs one query (or a statement with `RETURNING`); returns every row.
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, BackendError>;
    /// Starts a write transaction (SQLite takes the write lock now).
    fn begin(&mut self) -> Result<(), BackendError>;
    /// Commits the transaction.
    fn commit(&mut self) -> Result<(), BackendError>;
    /// Abandons the transaction (errors ignored: the connection may be gone).
    fn rollback(&mut self);
}

/// One row of a query's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Value>);

impl Row {
    fn at(&self, i: usize) -> Result<&Value, BackendError> {
        self.0
            .get(i)
            .ok_or_else(|| BackendError::Decode(format!("no column {i}")))
    }

    fn wrong(&self, i: usize, want: &str) -> BackendError {
        BackendError::Decode(format!("column {i} holds {:?}, not {want}", self.0[i]))
    }

    /// An integer column that may be NULL.
    pub fn opt_int(&self, i: usize) -> Result<Option<i64>, BackendError> {
        match self.at(i)? {
            Value::Null => Ok(None),
            Value::Int(v) => Ok(Some(*v)),
            _ => Err(self.wrong(i, "an integer")),
        }
    }

    /// An integer column.
    pub fn int(&self, i: usize) -> Result<i64, BackendError> {
        self.opt_int(i)?.ok_or_else(|| self.wrong(i, "an integer"))
    }

    /// A text column that may be NULL.
    pub fn opt_text(&self, i: usize) -> Result<Option<String>, BackendError> {
        match self.at(i)? {
            Value::Null => Ok(None),
            Value::Text(t) => Ok(Some(t.clone())),
            _ => Err(self.wrong(i, "text")),
        }
    }

    /// A text column.
    pub fn text(&self, i: usize) -> Result<String, BackendError> {
        self.opt_text(i)?.ok_or_else(|| self.wrong(i, "text"))
    }

    /// A bytes column (a path or a root; older SQLite rows hold their text).
    pub fn bytes(&self, i: usize) -> Result<Vec<u8>, BackendError> {
        match self.at(i)? {
            Value::Blob(b) => Ok(b.clone()),
            Value::Text(t) => Ok(t.clone().into_bytes()),
            _ => Err(self.wrong(i, "bytes")),
        }
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Int(v.into())
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Int(v.into())
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}

impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Self {
        Value::Blob(v.to_vec())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

impl<'a> From<&'a Option<String>> for Value {
    fn from(v: &'a Option<String>) -> Self {
        v.as_deref().into()
    }
}

/// `args![a, b, …]`: the parameters of one statement, as [`Value`]s.
macro_rules! args {
    ($($v:expr),* $(,)?) => { &[$($crate::ledger::backend::Value::from($v)),*][..] };
}
pub(crate) use args;
