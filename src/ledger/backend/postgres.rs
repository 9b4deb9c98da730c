//! The PostgreSQL backend: a facility's shared ledger, written by many
//! shards at once. A plain connection (no TLS: a socket or a trusted
//! network), statements prepared once per connection, the ledger's `?N`
//! placeholders as PostgreSQL's `$N`.

use super::{Backend, BackendError, Row, Value};
use bytes::BytesMut;
use postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use postgres::{Client, Statement};
use std::collections::HashMap;

/// An open PostgreSQL ledger.
pub struct Postgres {
    client: Client,
    prepared: HashMap<String, Statement>,
}

impl Postgres {
    /// Connects with `config` (no TLS).
    pub fn connect(config: &postgres::Config) -> Result<Self, postgres::Error> {
        Ok(Postgres {
            client: config.connect(postgres::NoTls)?,
            prepared: HashMap::new(),
        })
    }

    /// Runs `sql` (several statements, no parameters) as it is.
    pub fn batch(&mut self, sql: &str) -> Result<(), BackendError> {
        Ok(self.client.batch_execute(sql)?)
    }

    fn statement(&mut self, sql: &str) -> Result<Statement, BackendError> {
        if let Some(s) = self.prepared.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(&dollars(sql))?;
        self.prepared.insert(sql.to_string(), s.clone());
        Ok(s)
    }
}

/// `?1` → `$1` (the ledger's SQL has no `?` in its literals).
fn dollars(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('?', Some(d)) if d.is_ascii_digit() => out.push('$'),
            _ => out.push(c),
        }
    }
    out
}

/// Why a connection could not be made, in words: the server's own refusal when it answered.
pub fn refusal(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("the PostgreSQL server refused: {db}"),
        None => words(e),
    }
}

/// What went wrong, in words: the server's own message when it answered.
pub fn words(e: &postgres::Error) -> String {
    if e.is_closed() {
        return "the connection to the PostgreSQL server was lost".into();
    }
    if let Some(db) = e.as_db_error() {
        // A FATAL message ends the session: the server closes the connection after it.
        if db.severity() == "FATAL" {
            return format!("the connection to the PostgreSQL server was lost: {db}");
        }
        return format!("the PostgreSQL server answered: {db}");
    }
    match std::error::Error::source(e) {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) if *ty == Type::INT4 => i32::try_from(*v)?.to_sql_checked(ty, out),
            Value::Int(v) => v.to_sql_checked(ty, out),
            Value::Real(v) => v.to_sql_checked(ty, out),
            Value::Text(v) => v.to_sql_checked(ty, out),
            Value::Blob(v) => v.to_sql_checked(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn value(row: &postgres::Row, i: usize) -> Result<Value, BackendError> {
    let ty = row.columns()[i].type_();
    let v = match *ty {
        Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map(Value::Int),
        Type::INT4 => row
            .try_get::<_, Option<i32>>(i)?
            .map(|v| Value::Int(v.into())),
        Type::INT2 => row
            .try_get::<_, Option<i16>>(i)?
            .map(|v| Value::Int(v.into())),
        Type::BOOL => row
            .try_get::<_, Option<bool>>(i)?
            .map(|v| Value::Int(v.into())),
        Type::FLOAT8 => row.try_get::<_, Option<f64>>(i)?.map(Value::Real),
        Type::FLOAT4 => row
            .try_get::<_, Option<f32>>(i)?
            .map(|v| Value::Real(v.into())),
        Type::BYTEA => row.try_get::<_, Option<Vec<u8>>>(i)?.map(Value::Blob),
        Type::TEXT | Type::VARCHAR | Type::NAME | Type::BPCHAR => {
            row.try_get::<_, Option<String>>(i)?.map(Value::Text)
        }
        _ => return Err(BackendError::Decode(format!("column {i} has type {ty}"))),
    };
    Ok(v.unwrap_or(Value::Null))
}

fn refs(params: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

impl Backend for Postgres {
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, BackendError> {
        let stmt = self.statement(sql)?;
        Ok(self.client.execute(&stmt, &refs(params))?)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, BackendError> {
        let stmt = self.statement(sql)?;
        let rows = self.client.query(&stmt, &refs(params))?;
        rows.iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| value(r, i))
                    .collect::<Result<_, _>>()
                    .map(Row)
            })
            .collect()
    }

    fn begin(&mut self) -> Result<(), BackendError> {
        self.batch("BEGIN")
    }

    fn commit(&mut self) -> Result<(), BackendError> {
        self.batch("COMMIT")
    }

    fn rollback(&mut self) {
        let _ = self.client.batch_execute("ROLLBACK");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_become_dollars() {
        assert_eq!(
            super::dollars("SELECT a FROM t WHERE b = ?1 AND (?2 IS NULL OR c = ?2) AND d = ?12"),
            "SELECT a FROM t WHERE b = $1 AND ($2 IS NULL OR c = $2) AND d = $12"
        );
    }
}
