//! Notes at timecodes, their state changes and revocations of approvals:
//! rows of the ledger, one transaction per change. No presentation here.

use super::backend::{args, BackendError, Row};
use super::store::{rel_path, Ledger, LedgerError};
use crate::paths::RelPath;
use crate::review::notes::{Note, NoteKind, NoteState, StateChange};
use crate::review::timecode::Rate;
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

type NoteRow = (NewNote, i64);

impl Ledger {
    /// Records `notes` in one transaction; a note from a source already
    /// recorded at the same frame of the same version is skipped. Returns
    /// the ids of those recorded.
    pub fn add_notes(&mut self, root: &Path, notes: &[NewNote]) -> Result<Vec<i64>, LedgerError> {
        self.write(|db| {
            let mut ids = Vec::new();
            for n in notes {
                let added = db.query(
                    "INSERT INTO notes (root, deliverable, sha256, path, start_frame, end_frame,
                         rate_num, rate_den, drop_frame, start_timecode, end_timecode, text, author, kind, created_at, source)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
                     ON CONFLICT DO NOTHING RETURNING id",
                    args![
                        root.as_os_str().as_bytes(),
                        &n.deliverable,
                        &n.sha256,
                        n.path.as_bytes(),
                        n.start_frame as i64,
                        n.end_frame as i64,
                        n.rate.num,
                        n.rate.den,
                        n.rate.drop_frame,
                        &n.start_timecode,
                        &n.end_timecode,
                        &n.text,
                        &n.by,
                        n.kind.as_str(),
                        &n.created_at,
                        &n.source
                    ],
                )?;
                for row in added {
                    ids.push(row.int(0)?);
                }
            }
            Ok(ids)
        })
    }

    /// Every note over `root` (of `deliverable` when given), oldest first,
    /// with its state changes.
    pub fn notes(&self, root: &Path, deliverable: Option<&str>) -> Result<Vec<Note>, LedgerError> {
        let rows = self.rows_as(
            "SELECT id, deliverable, sha256, path, start_frame, end_frame, rate_num, rate_den, drop_frame,
                    start_timecode, end_timecode, text, author, kind, created_at, source
             FROM notes WHERE root = ?1 AND (CAST(?2 AS TEXT) IS NULL OR deliverable = ?2) ORDER BY id",
            args![root.as_os_str().as_bytes(), deliverable],
            note_row,
        )?;
        rows.into_iter()
            .map(|(n, id)| {
                let changes = self.state_changes(id)?;
                Ok(Note::from_record(id, n, changes))
            })
            .collect()
    }

    /// One note by id (any root), when it exists: its root bytes and the note.
    pub fn note(&self, id: i64) -> Result<Option<(Vec<u8>, Note)>, LedgerError> {
        let root = self.row_as("SELECT root FROM notes WHERE id = ?1", args![id], |r| {
            r.bytes(0)
        })?;
        let Some(root) = root else { return Ok(None) };
        let root_path = Path::new(std::ffi::OsStr::from_bytes(&root));
        let note = self
            .notes(root_path, None)?
            .into_iter()
            .find(|n| n.id == id);
        Ok(note.map(|n| (root, n)))
    }

    fn state_changes(&self, id: i64) -> Result<Vec<StateChange>, LedgerError> {
        self.rows_as(
            "SELECT state, changed_by, changed_at, comment FROM note_states WHERE note_id = ?1 ORDER BY id",
            args![id],
            |r| {
                Ok(StateChange {
                    state: NoteState::parse(&r.text(0)?).unwrap_or(NoteState::Open),
                    by: r.text(1)?,
                    at: r.text(2)?,
                    comment: r.opt_text(3)?,
                })
            },
        )
    }

    /// Records a state change of note `id`, in one transaction; `false`
    /// when there is no such note (nothing is written).
    pub fn set_note_state(&mut self, id: i64, change: &StateChange) -> Result<bool, LedgerError> {
        self.write(|db| {
            if db.query("SELECT id FROM notes WHERE id = ?1", args![id])?.is_empty() {
                return Ok(false);
            }
            db.execute(
                "INSERT INTO note_states (note_id, state, changed_by, changed_at, comment) VALUES (?1, ?2, ?3, ?4, ?5)",
                args![id, change.state.as_str(), &change.by, &change.at, &change.comment],
            )?;
            Ok(true)
        })
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
    /// latest is already revoked, by this call or by a concurrent one).
    pub fn revoke(
        &mut self,
        root: &Path,
        deliverable: &str,
        r: &Revocation,
    ) -> Result<Option<i64>, LedgerError> {
        self.write(|db| {
            let latest = db.query(
                "SELECT a.id, v.id FROM approvals a LEFT JOIN revocations v ON v.approval_id = a.id
                 WHERE a.root = ?1 AND a.deliverable = ?2 ORDER BY a.id DESC LIMIT 1",
                args![root.as_os_str().as_bytes(), deliverable],
            )?;
            let Some(row) = latest.first() else {
                return Ok(None);
            };
            if row.opt_int(1)?.is_some() {
                return Ok(None);
            }
            let approval = row.int(0)?;
            let added = db.query(
                "INSERT INTO revocations (approval_id, revoked_by, revoked_at, reason) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (approval_id) DO NOTHING RETURNING id",
                args![approval, &r.by, &r.at, &r.reason],
            )?;
            Ok((!added.is_empty()).then_some(approval))
        })
    }

    /// The revocation of approval `id`, when it was revoked.
    pub fn revocation(&self, id: i64) -> Result<Option<Revocation>, LedgerError> {
        self.row_as(
            "SELECT approval_id, revoked_by, revoked_at, reason FROM revocations WHERE approval_id = ?1",
            args![id],
            |r| {
                Ok(Revocation {
                    approval_id: r.int(0)?,
                    by: r.text(1)?,
                    at: r.text(2)?,
                    reason: r.text(3)?,
                })
            },
        )
    }
}

fn note_row(r: &Row) -> Result<NoteRow, BackendError> {
    let small = |i: usize| -> Result<u32, BackendError> {
        u32::try_from(r.int(i)?).map_err(|e| BackendError::Decode(format!("column {i}: {e}")))
    };
    let n = NewNote {
        deliverable: r.text(1)?,
        sha256: r.text(2)?,
        path: rel_path(r, 3)?,
        start_frame: r.int(4)? as u64,
        end_frame: r.int(5)? as u64,
        rate: Rate {
            num: small(6)?,
            den: small(7)?,
            drop_frame: r.int(8)? != 0,
        },
        start_timecode: r.text(9)?,
        end_timecode: r.text(10)?,
        text: r.text(11)?,
        by: r.text(12)?,
        kind: NoteKind::parse(&r.text(13)?).unwrap_or(NoteKind::Creative),
        created_at: r.text(14)?,
        source: r.opt_text(15)?,
    };
    Ok((n, r.int(0)?))
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
        let mut l = Ledger::open(&crate::ledger::Location::File(path.clone())).unwrap();
        notes_states_and_revocations(&mut l);
    }

    #[test]
    fn notes_states_and_revocations_in_postgres() {
        let db = crate::ledger::testing::TestDb::new();
        let mut l = db.open();
        let approval = Approval {
            by: "Ana".into(),
            role: None,
            at: "t".into(),
            note: None,
            override_reason: None,
            files: BTreeMap::new(),
        };
        let id = l
            .approve(&NewApproval {
                root: Path::new("/r"),
                deliverable: "ftr",
                approval: &approval,
                profiles: &BTreeMap::new(),
            })
            .unwrap();
        assert_eq!(id, 1);
        notes_states_and_revocations(&mut l);
    }

    /// Over a ledger holding one approval (id 1) of `ftr` over `/r`.
    fn notes_states_and_revocations(l: &mut Ledger) {
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
