//! Approvals: a sign-off bound to the SHA-256 of each of a deliverable's
//! files and the digests of the profiles it was checked against.

use super::backend::{args, BackendError};
use super::store::{Ledger, LedgerError};
use crate::board::Approval;
use crate::paths::RelPath;
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
        let profiles = serde_json::to_string(a.profiles).unwrap_or_default();
        let ap = a.approval;
        self.write(|db| {
            let rows = db.query(
                "INSERT INTO approvals (root, deliverable, approved_by, approved_at, note, profiles_json, override_reason, role)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
                args![a.root.as_os_str().as_bytes(), a.deliverable, &ap.by, &ap.at, &ap.note, profiles, &ap.override_reason, &ap.role],
            )?;
            let id = rows
                .first()
                .ok_or_else(|| BackendError::Decode("no approval id returned".into()))?
                .int(0)?;
            for (p, sha) in &ap.files {
                db.execute(
                    "INSERT INTO approval_files (approval_id, path, sha256) VALUES (?1, ?2, ?3)",
                    args![id, p.as_bytes(), sha],
                )?;
            }
            Ok(id)
        })
    }

    /// Every approval of `deliverable` over `root`, oldest first.
    pub fn approvals_of(
        &self,
        root: &Path,
        deliverable: &str,
    ) -> Result<Vec<ApprovalRecord>, LedgerError> {
        let rows = self.rows_as(
            "SELECT id, approved_by, approved_at, note, override_reason, profiles_json, role
             FROM approvals WHERE root = ?1 AND deliverable = ?2 ORDER BY id",
            args![root.as_os_str().as_bytes(), deliverable],
            |r| {
                Ok((
                    r.int(0)?,
                    r.text(1)?,
                    r.text(2)?,
                    r.opt_text(3)?,
                    r.opt_text(4)?,
                    r.text(5)?,
                    r.opt_text(6)?,
                ))
            },
        )?;
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
                        self.err(BackendError::Decode(format!("approval {id}: {e}")))
                    })?,
                    revocation: self.revocation(id)?,
                })
            })
            .collect()
    }

    fn approval_files(&self, id: i64) -> Result<BTreeMap<RelPath, String>, LedgerError> {
        let rows = self.rows_as(
            "SELECT path, sha256 FROM approval_files WHERE approval_id = ?1",
            args![id],
            |r| Ok((super::store::rel_path(r, 0)?, r.text(1)?)),
        )?;
        Ok(rows.into_iter().collect())
    }

    /// Every root the ledger holds approvals for (raw path bytes).
    pub fn approval_roots(&self) -> Result<Vec<std::path::PathBuf>, LedgerError> {
        self.rows_as(
            "SELECT DISTINCT root FROM approvals ORDER BY root",
            args![],
            |r| {
                let b = r.bytes(0).unwrap_or_default();
                Ok(std::path::PathBuf::from(std::ffi::OsStr::from_bytes(&b)))
            },
        )
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
    fn records_runs_results_cache_and_approvals_in_sqlite() {
        let tmp = tempfile::tempdir().unwrap();
        let file = crate::ledger::Location::File(tmp.path().join("l.sqlite"));
        records_runs_results_cache_and_approvals(&mut Ledger::open(&file).unwrap());
    }

    #[test]
    fn records_runs_results_cache_and_approvals_in_postgres() {
        let db = crate::ledger::testing::TestDb::new();
        records_runs_results_cache_and_approvals(&mut db.open());
    }

    fn records_runs_results_cache_and_approvals(l: &mut Ledger) {
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
