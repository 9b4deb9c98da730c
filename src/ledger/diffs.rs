//! Recorded diffs: what `signoff diff OLD NEW` found between two versions,
//! keyed by the two files' SHA-256 (32 bytes each), one transaction per
//! change; recording the same pair again replaces the row. Portable SQL
//! only (an upsert on the unique pair, no rowid tricks). No presentation here.

use super::store::{Ledger, LedgerError};
use rusqlite::{params, OptionalExtension, TransactionBehavior};

/// A diff to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDiff<'a> {
    /// SHA-256 of the old version (64 hex digits).
    pub old_sha256: &'a str,
    /// SHA-256 of the new version.
    pub new_sha256: &'a str,
    /// When (RFC 3339, UTC).
    pub recorded_at: &'a str,
    /// Who ran the diff.
    pub recorded_by: &'a str,
    /// The diff report as JSON.
    pub json: &'a str,
}

/// A recorded diff.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffRecord {
    /// Row number.
    pub id: i64,
    /// SHA-256 of the old version (hex).
    pub old_sha256: String,
    /// SHA-256 of the new version (hex).
    pub new_sha256: String,
    /// When it was recorded.
    pub recorded_at: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// The diff report as JSON.
    pub json: String,
}

/// The 32 bytes of a SHA-256 written in hex.
fn sha_bytes(hex: &str) -> Option<Vec<u8>> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    (0..32)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
        .collect()
}

fn sha_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Ledger {
    fn sha_key(&self, hex: &str) -> Result<Vec<u8>, LedgerError> {
        sha_bytes(hex).ok_or_else(|| LedgerError::Corrupt {
            path: self.path.clone(),
            message: format!("{hex:?} is not a SHA-256 in hex"),
        })
    }

    /// Records `d` in one transaction (replacing an earlier diff of the
    /// same pair); returns its row number.
    pub fn record_diff(&mut self, d: &NewDiff) -> Result<i64, LedgerError> {
        let (old, new) = (self.sha_key(d.old_sha256)?, self.sha_key(d.new_sha256)?);
        let path = self.path.clone();
        let wrap = |source| LedgerError::Sql {
            path: path.clone(),
            source,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(wrap)?;
        tx.execute(
            "INSERT INTO diffs (old_sha256, new_sha256, recorded_at, recorded_by, json)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (old_sha256, new_sha256) DO UPDATE SET
                 recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by,
                 json = excluded.json",
            params![old, new, d.recorded_at, d.recorded_by, d.json],
        )
        .map_err(wrap)?;
        let id: i64 = tx
            .query_row(
                "SELECT id FROM diffs WHERE old_sha256 = ?1 AND new_sha256 = ?2",
                params![old, new],
                |r| r.get(0),
            )
            .map_err(wrap)?;
        tx.commit().map_err(wrap)?;
        Ok(id)
    }

    /// The recorded diff from version `old` to version `new` (SHA-256s in
    /// hex), when there is one. Only that direction: a diff new → old is
    /// another diff.
    pub fn diff_between(&self, old: &str, new: &str) -> Result<Option<DiffRecord>, LedgerError> {
        let (Some(o), Some(n)) = (sha_bytes(old), sha_bytes(new)) else {
            return Ok(None);
        };
        self.conn
            .query_row(
                "SELECT id, old_sha256, new_sha256, recorded_at, recorded_by, json FROM diffs
                 WHERE old_sha256 = ?1 AND new_sha256 = ?2",
                params![o, n],
                |r| {
                    Ok(DiffRecord {
                        id: r.get(0)?,
                        old_sha256: sha_hex(&r.get::<_, Vec<u8>>(1)?),
                        new_sha256: sha_hex(&r.get::<_, Vec<u8>>(2)?),
                        recorded_at: r.get(3)?,
                        recorded_by: r.get(4)?,
                        json: r.get(5)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::super::schema;
    use super::*;

    const A: &str = "7a29659f86a0022d1beebf72d96a0817863161e24b1d923ebd3dc234a98016ba";
    const B: &str = "00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff";

    #[test]
    fn a_v6_ledger_migrates_and_records_diffs_once_per_pair() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("l.sqlite");
        {
            let mut c = rusqlite::Connection::open(&path).unwrap();
            for step in [
                schema::V1,
                schema::V2,
                schema::V3,
                schema::V4,
                schema::V5,
                schema::V6,
            ] {
                c.execute_batch(step).unwrap();
            }
            c.pragma_update(None, "user_version", 6).unwrap();
            let tx = c.transaction().unwrap();
            tx.execute("INSERT INTO notes (root, deliverable, sha256, path, start_frame, end_frame, rate_num, rate_den, drop_frame, start_timecode, end_timecode, text, author, kind, created_at)
                        VALUES (CAST('/r' AS BLOB), 'ftr', 'ab', CAST('m.mov' AS BLOB), 1, 2, 25, 1, 0, '01:00:00:01', '01:00:00:02', 'kept', 'Ana', 'creative', 't')", []).unwrap();
            tx.commit().unwrap();
        }
        let mut l = Ledger::open(&path).unwrap();
        let v: i64 = l
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, super::super::schema::CURRENT);
        assert_eq!(
            l.notes(std::path::Path::new("/r"), None).unwrap()[0].text,
            "kept"
        );
        assert_eq!(l.diff_between(A, B).unwrap(), None);
        let d = |at, json| NewDiff {
            old_sha256: A,
            new_sha256: B,
            recorded_at: at,
            recorded_by: "Ana",
            json,
        };
        let first = l.record_diff(&d("t1", "{\"a\":1}")).unwrap();
        let again = l.record_diff(&d("t2", "{\"a\":2}")).unwrap();
        assert_eq!(first, again, "re-recording replaces the row");
        let rows: i64 = l
            .conn
            .query_row("SELECT COUNT(*) FROM diffs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 1);
        let got = l.diff_between(A, B).unwrap().unwrap();
        assert_eq!(
            (
                got.old_sha256.as_str(),
                got.new_sha256.as_str(),
                got.recorded_at.as_str(),
                got.json.as_str()
            ),
            (A, B, "t2", "{\"a\":2}")
        );
        let stored: Vec<u8> = l
            .conn
            .query_row("SELECT old_sha256 FROM diffs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(stored.len(), 32);
        assert_eq!(stored[..2], [0x7a, 0x29]);
        assert_eq!(l.diff_between(B, A).unwrap(), None, "one direction only");
        assert!(l
            .record_diff(&NewDiff {
                old_sha256: "xyz",
                ..d("t3", "{}")
            })
            .is_err());
    }
}
