//! Approvals: a sign-off bound to the SHA-256 of each of a deliverable's
//! files and the digests of the profiles it was checked against.

use super::store::{Ledger, LedgerError};
use crate::board::Approval;
use crate::paths::RelPath;
use rusqlite::{params, TransactionBehavior};
use std::collections::BTreeMap;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// A sign-off to record.
#[derive(Debug, Clone)]
pub struct NewApproval<'a> {
    /// The delivery root (canonical).
    pub root: &'a Path,
    /// Deliverable id.
    pub deliverable: &'a str,
    /// The approval itself (who, when, note, override, file hashes).
    pub approval: &'a Approval,
    /// Profile id → digest of the resolved profile used.
    pub profiles: &'a BTreeMap<String, String>,
}

/// An approval as listed by `history`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ApprovalRecord {
    /// Approval number.
    pub id: i64,
    /// The approval.
    #[serde(flatten)]
    pub approval: Approval,
    /// Profile id → digest used.
    pub profiles: BTreeMap<String, String>,
    /// Its revocation, when it was revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation: Option<super::notes::Revocation>,
}

impl Ledger {
    /// Records an approval and its file hashes in one transaction.
    pub fn approve(&mut self, a: &NewApproval) -> Result<i64, LedgerError> {
        let path = self.path.clone();
        let wrap = |source| LedgerError::Sql {
            path: path.clone(),
            source,
        };
        let profiles = serde_json::to_string(a.profiles).unwrap_or_default();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(wrap)?;
        let ap = a.approval;
        tx.execute(
            "INSERT INTO approvals (root, deliverable, approved_by, approved_at, note, profiles_json, override_reason, role)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![a.root.as_os_str().as_bytes(), a.deliverable, ap.by, ap.at, ap.note, profiles, ap.override_reason, ap.role],
        )
        .map_err(wrap)?;
        let id = tx.last_insert_rowid();
        for (p, sha) in &ap.files {
            tx.execute(
                "INSERT INTO approval_files VALUES (?1, ?2, ?3)",
                params![id, p.as_bytes(), sha],
            )
            .map_err(wrap)?;
        }
        tx.commit().map_err(wrap)?;
        Ok(id)
    }

    /// Every approval of `deliverable` over `root`, oldest first.
    pub fn approvals_of(
        &self,
        root: &Path,
        deliverable: &str,
    ) -> Result<Vec<ApprovalRecord>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, approved_by, approved_at, note, override_reason, profiles_json, role
                 FROM approvals WHERE root = ?1 AND deliverable = ?2 ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![root.as_os_str().as_bytes(), deliverable], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get::<_, String>(5)?,
                    r.get(6)?,
                ))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        rows.into_iter()
            .map(|(id, by, at, note, override_reason, profiles, role)| {
                Ok(ApprovalRecord {
                    id,
                    approval: Approval {
                        by,
                        role,
                        at,
                        note,
                        override_reason,
                        files: self.approval_files(id)?,
                    },
                    profiles: serde_json::from_str(&profiles).map_err(|e| {
                        LedgerError::Corrupt {
                            path: self.path.clone(),
                            message: format!("approval {id}: {e}"),
                        }
                    })?,
                    revocation: self.revocation(id)?,
                })
            })
            .collect()
    }

    fn approval_files(&self, id: i64) -> Result<BTreeMap<RelPath, String>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare("SELECT path, sha256 FROM approval_files WHERE approval_id = ?1")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![id], |r| {
                Ok((super::store::rel_path(r, 0)?, r.get(1)?))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<BTreeMap<_, _>>>());
        rows.map_err(|e| self.err(e))
    }

    /// Every root the ledger holds approvals for (raw path bytes).
    pub fn approval_roots(&self) -> Result<Vec<std::path::PathBuf>, LedgerError> {
        use std::os::unix::ffi::OsStrExt;
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT root FROM approvals ORDER BY root")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                let v: rusqlite::types::Value = r.get(0)?;
                Ok(match v {
                    rusqlite::types::Value::Blob(b) => b,
                    rusqlite::types::Value::Text(t) => t.into_bytes(),
                    _ => Vec::new(),
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.err(e))?;
        Ok(rows
            .into_iter()
            .map(|b| std::path::PathBuf::from(std::ffi::OsStr::from_bytes(&b)))
            .collect())
    }

    /// The latest approval of each of `deliverables` over `root`, when it
    /// is in force (a revoked latest approval leaves the deliverable
    /// unapproved: an earlier one does not come back).
    pub fn latest_approvals(
        &self,
        root: &Path,
        deliverables: &[String],
    ) -> Result<BTreeMap<String, Approval>, LedgerError> {
        let mut out = BTreeMap::new();
        for d in deliverables {
            if let Some(last) = self.approvals_of(root, d)?.pop() {
                if last.revocation.is_none() {
                    out.insert(d.clone(), last.approval);
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::FileOutcome;
    use crate::ledger::store::FileRecord;

    #[test]
    fn records_runs_results_cache_and_approvals() {
        let tmp = tempfile::tempdir().unwrap();
        let mut l = Ledger::open(&tmp.path().join("l.sqlite")).unwrap();
        let run = l
            .begin_run("t0", "ana", "plan", Path::new("/root"))
            .unwrap();
        let outcome = FileOutcome {
            sha256: Some("abc".into()),
            verdict: Some(crate::spec::Verdict::Pass),
            warnings: 1,
            ..Default::default()
        };
        let rec = FileRecord {
            abs_path: "/root/a.wav".into(),
            relative_path: RelPath::from("a.wav"),
            size_bytes: 10,
            mtime_ns: 5,
            profiles_digest: "p".into(),
            outcome: outcome.clone(),
            report_json: None,
            problem: None,
            detail_json: Some("{\"x\":1}".into()),
        };
        l.record_file(run, &rec).unwrap();
        assert_eq!(
            l.cached_hash(Path::new("/root/a.wav"), 10, 5)
                .unwrap()
                .as_deref(),
            Some("abc")
        );
        assert_eq!(
            l.cached_hash(Path::new("/root/a.wav"), 10, 6).unwrap(),
            None
        );
        assert_eq!(l.result("abc", "p").unwrap(), Some(outcome.clone()));
        // Recording the reused result again (no detail) keeps the stored detail.
        l.record_file(
            run,
            &FileRecord {
                detail_json: None,
                ..rec.clone()
            },
        )
        .unwrap();
        let details = l.run_details(run).unwrap();
        assert_eq!(
            details[&RelPath::from("a.wav")].detail_json.as_deref(),
            Some("{\"x\":1}")
        );
        assert_eq!(l.latest_run(Path::new("/root")).unwrap(), None);
        l.finish_run(run, "t1", &[("d".into(), "passing".into(), 1)])
            .unwrap();
        assert_eq!(l.latest_run(Path::new("/root")).unwrap(), Some(run));
        assert_eq!(l.run_files(run).unwrap()[&RelPath::from("a.wav")], outcome);
        assert_eq!(l.runs_of(Path::new("/root"), "d").unwrap()[0].1, "passing");
        let approval = Approval {
            by: "Ana".into(),
            role: Some("Head of post".into()),
            at: "t2".into(),
            note: Some("ok".into()),
            override_reason: None,
            files: [(RelPath::from("a.wav"), "abc".to_string())].into(),
        };
        let profiles = BTreeMap::from([("ebu-r128".to_string(), "digest".to_string())]);
        l.approve(&NewApproval {
            root: Path::new("/root"),
            deliverable: "d",
            approval: &approval,
            profiles: &profiles,
        })
        .unwrap();
        let latest = l
            .latest_approvals(Path::new("/root"), &["d".into(), "e".into()])
            .unwrap();
        assert_eq!(latest["d"], approval);
        assert!(!latest.contains_key("e"));
        assert_eq!(
            l.approvals_of(Path::new("/root"), "d").unwrap()[0].profiles,
            profiles
        );
    }
}
