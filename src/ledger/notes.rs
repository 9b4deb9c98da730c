//! Notes at timecodes, their state changes and revocations of approvals:
//! rows of the ledger, one transaction per change. No presentation here.

use super::store::{rel_path, Ledger, LedgerError};
use crate::paths::RelPath;
use crate::review::notes::{Note, NoteKind, NoteState, StateChange};
use crate::review::timecode::Rate;
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use std::collections::BTreeMap;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// A note to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewNote {
    /// Deliverable id.
    pub deliverable: String,
    /// SHA-256 of the version it is made on.
    pub sha256: String,
    /// The file it points into.
    pub path: RelPath,
    /// First frame, counted from the file's first frame.
    pub start_frame: u64,
    /// One past the last frame.
    pub end_frame: u64,
    /// The file's rate and counting.
    pub rate: Rate,
    /// Timecode of the first frame.
    pub start_timecode: String,
    /// Timecode one past the last frame.
    pub end_timecode: String,
    /// What it says.
    pub text: String,
    /// Who wrote it.
    pub by: String,
    /// Creative, technical or QC.
    pub kind: NoteKind,
    /// When (RFC 3339, UTC).
    pub created_at: String,
    /// Where it comes from (`qc finding PROFILE/RULE`); `None` for a person's note.
    pub source: Option<String>,
}

/// A revocation of an approval, as recorded.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Revocation {
    /// The approval revoked.
    pub approval_id: i64,
    /// Who revoked it.
    pub by: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Why.
    pub reason: String,
}

type Row = (NewNote, i64);

impl Ledger {
    /// Records `notes` in one transaction; a note from a source already
    /// recorded at the same frame of the same version is skipped. Returns
    /// the ids of those recorded.
    pub fn add_notes(&mut self, root: &Path, notes: &[NewNote]) -> Result<Vec<i64>, LedgerError> {
        let path = self.path.clone();
        let wrap = |source| LedgerError::Sql {
            path: path.clone(),
            source,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(wrap)?;
        let mut ids = Vec::new();
        for n in notes {
            let added = tx
                .execute(
                    "INSERT OR IGNORE INTO notes (root, deliverable, sha256, path, start_frame, end_frame,
                         rate_num, rate_den, drop_frame, start_timecode, end_timecode, text, author, kind, created_at, source)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                    params![
                        root.as_os_str().as_bytes(),
                        n.deliverable,
                        n.sha256,
                        n.path.as_bytes(),
                        n.start_frame as i64,
                        n.end_frame as i64,
                        n.rate.num,
                        n.rate.den,
                        n.rate.drop_frame,
                        n.start_timecode,
                        n.end_timecode,
                        n.text,
                        n.by,
                        n.kind.as_str(),
                        n.created_at,
                        n.source
                    ],
                )
                .map_err(wrap)?;
            if added == 1 {
                ids.push(tx.last_insert_rowid());
            }
        }
        tx.commit().map_err(wrap)?;
        Ok(ids)
    }

    /// Every note over `root` (of `deliverable` when given), oldest first,
    /// with its state changes.
    pub fn notes(&self, root: &Path, deliverable: Option<&str>) -> Result<Vec<Note>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, deliverable, sha256, path, start_frame, end_frame, rate_num, rate_den, drop_frame,
                        start_timecode, end_timecode, text, author, kind, created_at, source
                 FROM notes WHERE root = ?1 AND (?2 IS NULL OR deliverable = ?2) ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![root.as_os_str().as_bytes(), deliverable], note_row)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<Row>>>())
            .map_err(|e| self.err(e))?;
        rows.into_iter()
            .map(|(n, id)| {
                let changes = self.state_changes(id)?;
                Ok(Note::from_record(id, n, changes))
            })
            .collect()
    }

    /// One note by id (any root), when it exists: its root bytes and the note.
    pub fn note(&self, id: i64) -> Result<Option<(Vec<u8>, Note)>, LedgerError> {
        let root: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT CAST(root AS BLOB) FROM notes WHERE id = ?1",
                params![id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some(root) = root else { return Ok(None) };
        let root_path = Path::new(std::ffi::OsStr::from_bytes(&root));
        let note = self
            .notes(root_path, None)?
            .into_iter()
            .find(|n| n.id == id);
        Ok(note.map(|n| (root, n)))
    }

    fn state_changes(&self, id: i64) -> Result<Vec<StateChange>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT state, changed_by, changed_at, comment FROM note_states WHERE note_id = ?1 ORDER BY id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![id], |r| {
                let state: String = r.get(0)?;
                Ok(StateChange {
                    state: NoteState::parse(&state).unwrap_or(NoteState::Open),
                    by: r.get(1)?,
                    at: r.get(2)?,
                    comment: r.get(3)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>());
        rows.map_err(|e| self.err(e))
    }

    /// Records a state change of note `id`, in one transaction; `false`
    /// when there is no such note (nothing is written).
    pub fn set_note_state(&mut self, id: i64, change: &StateChange) -> Result<bool, LedgerError> {
        let path = self.path.clone();
        let wrap = |source| LedgerError::Sql {
            path: path.clone(),
            source,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(wrap)?;
        let exists: Option<i64> = tx
            .query_row("SELECT id FROM notes WHERE id = ?1", params![id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(wrap)?;
        if exists.is_none() {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO note_states (note_id, state, changed_by, changed_at, comment) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, change.state.as_str(), change.by, change.at, change.comment],
        )
        .map_err(wrap)?;
        tx.commit().map_err(wrap)?;
        Ok(true)
    }

    /// Open notes per deliverable over `root` (deliverables with none are absent).
    pub fn open_notes(&self, root: &Path) -> Result<BTreeMap<String, usize>, LedgerError> {
        let mut out = BTreeMap::new();
        for n in self.notes(root, None)? {
            if n.state == NoteState::Open {
                *out.entry(n.deliverable).or_insert(0) += 1;
            }
        }
        Ok(out)
    }

    /// Revokes the latest approval of `deliverable` over `root`, in one
    /// transaction; `None` when it has no approval in force (none, or the
    /// latest is already revoked).
    pub fn revoke(
        &mut self,
        root: &Path,
        deliverable: &str,
        r: &Revocation,
    ) -> Result<Option<i64>, LedgerError> {
        let path = self.path.clone();
        let wrap = |source| LedgerError::Sql {
            path: path.clone(),
            source,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(wrap)?;
        let latest: Option<(i64, Option<i64>)> = tx
            .query_row(
                "SELECT a.id, v.id FROM approvals a LEFT JOIN revocations v ON v.approval_id = a.id
                 WHERE a.root = ?1 AND a.deliverable = ?2 ORDER BY a.id DESC LIMIT 1",
                params![root.as_os_str().as_bytes(), deliverable],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(wrap)?;
        let Some((approval, None)) = latest else {
            return Ok(None);
        };
        tx.execute(
            "INSERT INTO revocations (approval_id, revoked_by, revoked_at, reason) VALUES (?1, ?2, ?3, ?4)",
            params![approval, r.by, r.at, r.reason],
        )
        .map_err(wrap)?;
        tx.commit().map_err(wrap)?;
        Ok(Some(approval))
    }

    /// The revocation of approval `id`, when it was revoked.
    pub fn revocation(&self, id: i64) -> Result<Option<Revocation>, LedgerError> {
        self.conn
            .query_row(
                "SELECT approval_id, revoked_by, revoked_at, reason FROM revocations WHERE approval_id = ?1",
                params![id],
                |r| {
                    Ok(Revocation {
                        approval_id: r.get(0)?,
                        by: r.get(1)?,
                        at: r.get(2)?,
                        reason: r.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))
    }
}

fn note_row(r: &rusqlite::Row) -> rusqlite::Result<Row> {
    let kind: String = r.get(13)?;
    let n = NewNote {
        deliverable: r.get(1)?,
        sha256: r.get(2)?,
        path: rel_path(r, 3)?,
        start_frame: r.get::<_, i64>(4)? as u64,
        end_frame: r.get::<_, i64>(5)? as u64,
        rate: Rate {
            num: r.get(6)?,
            den: r.get(7)?,
            drop_frame: r.get(8)?,
        },
        start_timecode: r.get(9)?,
        end_timecode: r.get(10)?,
        text: r.get(11)?,
        by: r.get(12)?,
        kind: NoteKind::parse(&kind).unwrap_or(NoteKind::Creative),
        created_at: r.get(14)?,
        source: r.get(15)?,
    };
    Ok((n, r.get(0)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::Approval;
    use crate::ledger::approvals::NewApproval;

    fn note(source: Option<&str>, start: u64) -> NewNote {
        NewNote {
            deliverable: "ftr".into(),
            sha256: "ab".into(),
            path: RelPath::from("m.mov"),
            start_frame: start,
            end_frame: start + 1,
            rate: Rate::parse("24000/1001", false).unwrap(),
            start_timecode: "01:00:00:00".into(),
            end_timecode: "01:00:00:01".into(),
            text: "fix the grade\nin shot 3".into(),
            by: "Ana".into(),
            kind: NoteKind::Creative,
            created_at: "t0".into(),
            source: source.map(String::from),
        }
    }

    #[test]
    fn a_v5_ledger_migrates_and_keeps_notes_states_and_revocations() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("l.sqlite");
        {
            let mut c = rusqlite::Connection::open(&path).unwrap();
            for step in [
                super::super::schema::V1,
                super::super::schema::V2,
                super::super::schema::V3,
                super::super::schema::V4,
                super::super::schema::V5,
            ] {
                c.execute_batch(step).unwrap();
            }
            c.pragma_update(None, "user_version", 5).unwrap();
            let tx = c.transaction().unwrap();
            tx.execute("INSERT INTO approvals (root, deliverable, approved_by, approved_at, note, profiles_json) VALUES (CAST('/r' AS BLOB), 'ftr', 'Ana', 't', NULL, '{}')", []).unwrap();
            tx.commit().unwrap();
        }
        let mut l = Ledger::open(&path).unwrap();
        let root = Path::new("/r");
        let ids = l
            .add_notes(root, &[note(None, 5), note(Some("qc finding p/r"), 9)])
            .unwrap();
        assert_eq!(ids.len(), 2);
        // The same finding at the same frame of the same version adds nothing.
        assert!(l
            .add_notes(root, &[note(Some("qc finding p/r"), 9)])
            .unwrap()
            .is_empty());
        assert_eq!(l.open_notes(root).unwrap()["ftr"], 2);
        let change = StateChange {
            state: NoteState::Addressed,
            by: "Bo".into(),
            at: "t1".into(),
            comment: Some("regraded".into()),
        };
        assert!(l.set_note_state(ids[0], &change).unwrap());
        assert!(!l.set_note_state(999, &change).unwrap());
        let notes = l.notes(root, Some("ftr")).unwrap();
        assert_eq!(notes[0].state, NoteState::Addressed);
        assert_eq!(notes[0].text, "fix the grade\nin shot 3");
        assert_eq!(notes[0].state_changes, [change]);
        assert_eq!(notes[1].state, NoteState::Open);
        assert_eq!(l.open_notes(root).unwrap()["ftr"], 1);
        assert_eq!(l.latest_approvals(root, &["ftr".into()]).unwrap().len(), 1);
        let r = Revocation {
            approval_id: 0,
            by: "Cy".into(),
            at: "t2".into(),
            reason: "wrong audio".into(),
        };
        assert_eq!(l.revoke(root, "ftr", &r).unwrap(), Some(1));
        assert_eq!(l.revoke(root, "ftr", &r).unwrap(), None, "already revoked");
        assert!(l
            .latest_approvals(root, &["ftr".into()])
            .unwrap()
            .is_empty());
        let history = l.approvals_of(root, "ftr").unwrap();
        assert_eq!(
            history[0].revocation.as_ref().unwrap().reason,
            "wrong audio"
        );
        // A new approval is in force again.
        let approval = Approval {
            by: "Ana".into(),
            role: None,
            at: "t3".into(),
            note: None,
            override_reason: None,
            files: BTreeMap::new(),
        };
        l.approve(&NewApproval {
            root,
            deliverable: "ftr",
            approval: &approval,
            profiles: &BTreeMap::new(),
        })
        .unwrap();
        assert_eq!(
            l.latest_approvals(root, &["ftr".into()]).unwrap()["ftr"],
            approval
        );
    }
}
