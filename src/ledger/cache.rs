//! What the ledger's cache holds for every file under one delivery root,
//! read in one query at the start of a run: the path → (size, mtime,
//! SHA-256) rows and the stored outcomes of those contents, so that a
//! re-run of an unchanged delivery asks the database once, not twice a file.

use super::backend::{args, BackendError, Row};
use super::store::{outcome, Ledger, LedgerError};
use crate::board::FileOutcome;
use std::collections::HashMap;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// The cache rows of the files under one root (see [`Ledger::cached_under`]).
#[derive(Default)]
pub struct CachedFiles {
    by_path: HashMap<Vec<u8>, Cached>,
}

/// One file's cache row and the outcomes stored for its content.
struct Cached {
    size_bytes: u64,
    mtime_ns: i64,
    sha256: String,
    /// The stored outcomes, by profiles digest.
    outcomes: Vec<(String, FileOutcome)>,
}

/// The columns after the cache's own: digest, then the outcome's.
const QUERY: &str = "SELECT fc.path, fc.size_bytes, fc.mtime_ns, fc.sha256, fr.profiles_digest,
        fr.verdict, fr.errors, fr.warnings, fr.not_evaluated, fr.by_profile_json, fr.picture_json
     FROM file_cache fc LEFT JOIN file_results fr ON fr.sha256 = fc.sha256
     WHERE fc.path >= ?1 AND fc.path < ?2";

impl CachedFiles {
    /// The SHA-256 of `abs_path` when the cache knows it at this size and mtime.
    pub fn hash(&self, abs_path: &Path, size_bytes: u64, mtime_ns: i64) -> Option<&str> {
        self.by_path
            .get(abs_path.as_os_str().as_bytes())
            .filter(|c| c.size_bytes == size_bytes && c.mtime_ns == mtime_ns)
            .map(|c| c.sha256.as_str())
    }

    /// The stored outcome of `abs_path`'s cached content `sha256` against
    /// `profiles_digest`, when there is one.
    pub fn result(
        &self,
        abs_path: &Path,
        sha256: &str,
        profiles_digest: &str,
    ) -> Option<FileOutcome> {
        let cached = self.by_path.get(abs_path.as_os_str().as_bytes())?;
        if cached.sha256 != sha256 {
            return None;
        }
        cached
            .outcomes
            .iter()
            .find(|(digest, _)| digest == profiles_digest)
            .map(|(_, outcome)| outcome.clone())
    }

    /// How many files the cache knows under the root.
    pub fn len(&self) -> usize {
        self.by_path.len()
    }

    /// Whether the cache knows no file under the root.
    pub fn is_empty(&self) -> bool {
        self.by_path.is_empty()
    }

    /// Adds one row of [`QUERY`]: a cache row, with an outcome when stored.
    fn add(&mut self, row: Row) -> Result<(), BackendError> {
        let path = row.bytes(0)?;
        let digest = row.opt_text(4)?;
        let cached = match self.by_path.entry(path) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(Cached {
                size_bytes: row.int(1)? as u64,
                mtime_ns: row.int(2)?,
                sha256: row.text(3)?,
                outcomes: Vec::new(),
            }),
        };
        if let Some(digest) = digest {
            let outcome = outcome(Some(cached.sha256.clone()), &row, 5)?;
            cached.outcomes.push((digest, outcome));
        }
        Ok(())
    }
}

/// The byte range of every path under `root`: `root/` up to `root0`
/// (`0` being the byte after `/`), compared as bytes by both backends.
fn range(root: &Path) -> (Vec<u8>, Vec<u8>) {
    let mut low = root.as_os_str().as_bytes().to_vec();
    if low.last() != Some(&b'/') {
        low.push(b'/');
    }
    let mut high = low.clone();
    if let Some(last) = high.last_mut() {
        *last = b'0';
    }
    (low, high)
}

impl Ledger {
    /// Every cache row under `root` with the outcomes stored for its
    /// content, in one query.
    pub fn cached_under(&self, root: &Path) -> Result<CachedFiles, LedgerError> {
        let (low, high) = range(root);
        let rows = self.rows(QUERY, args![low.as_slice(), high.as_slice()])?;
        let mut out = CachedFiles::default();
        for row in rows {
            out.add(row).map_err(|e| self.err(e))?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::store::{FileRecord, RunFile};
    use crate::paths::RelPath;

    fn record(abs: &str, rel: &str, sha: &str, digest: &str, errors: usize) -> FileRecord {
        FileRecord {
            abs_path: abs.into(),
            relative_path: RelPath::from(rel),
            size_bytes: 10,
            mtime_ns: 5,
            profiles_digest: digest.into(),
            outcome: FileOutcome {
                sha256: Some(sha.into()),
                verdict: Some(crate::spec::Verdict::Fail),
                errors,
                ..Default::default()
            },
            report_json: Some("{}".into()),
            problem: None,
            detail_json: Some("{\"x\":1}".into()),
        }
    }

    /// What one query reads agrees with the per-file lookups it replaces.
    fn reads_what_the_lookups_read(l: &mut Ledger) {
        let run = l
            .begin_run("t0", "ana", "plan", Path::new("/d/SHOW"))
            .unwrap();
        let a = record("/d/SHOW/a.wav", "a.wav", "aaa", "p", 1);
        let b = record("/d/SHOW/deep/b.wav", "deep/b.wav", "bbb", "p", 2);
        let b_other = record("/d/SHOW/deep/b.wav", "deep/b.wav", "bbb", "q", 3);
        let sibling = record("/d/SHOW2/c.wav", "c.wav", "ccc", "p", 4);
        l.record_files(run, &[a.clone(), b.clone(), b_other.clone(), sibling])
            .unwrap();
        let cache = l.cached_under(Path::new("/d/SHOW")).unwrap();
        assert_eq!(cache.len(), 2, "the sibling folder is not under the root");
        for (rec, digest) in [(&a, "p"), (&b, "p"), (&b_other, "q")] {
            let path = rec.abs_path.as_path();
            let sha = rec.outcome.sha256.as_deref().unwrap();
            assert_eq!(
                cache.hash(path, 10, 5),
                l.cached_hash(path, 10, 5).unwrap().as_deref()
            );
            assert_eq!(
                cache.result(path, sha, digest),
                l.result(sha, digest).unwrap()
            );
            assert_eq!(cache.result(path, sha, digest), Some(rec.outcome.clone()));
        }
        assert_eq!(
            cache.hash(Path::new("/d/SHOW/a.wav"), 10, 6),
            None,
            "mtime changed"
        );
        assert_eq!(
            cache.hash(Path::new("/d/SHOW/a.wav"), 11, 5),
            None,
            "size changed"
        );
        assert_eq!(
            cache.result(Path::new("/d/SHOW/a.wav"), "aaa", "other"),
            None
        );
        assert_eq!(cache.result(Path::new("/d/SHOW/a.wav"), "zzz", "p"), None);
        assert!(l.cached_under(Path::new("/d/NONE")).unwrap().is_empty());
        // A reused file's run row only: the cache and the stored result stay.
        let again = l
            .begin_run("t1", "ana", "plan", Path::new("/d/SHOW"))
            .unwrap();
        let reused = RunFile {
            relative_path: RelPath::from("a.wav"),
            sha256: Some("aaa".into()),
            profiles_digest: "p".into(),
            problem: None,
            size_bytes: 10,
            mtime_ns: 5,
        };
        l.record_reused(again, &[reused]).unwrap();
        assert_eq!(
            l.run_files(again).unwrap()[&RelPath::from("a.wav")],
            a.outcome
        );
        assert_eq!(
            l.result_detail("aaa", "p").unwrap().as_deref(),
            Some("{\"x\":1}")
        );
    }

    #[test]
    fn one_query_reads_what_the_lookups_read_in_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let file = crate::ledger::Location::File(dir.path().join("l.sqlite"));
        let mut l = Ledger::open(&file).unwrap();
        reads_what_the_lookups_read(&mut l);
    }

    #[test]
    fn one_query_reads_what_the_lookups_read_in_postgres() {
        let db = crate::ledger::testing::TestDb::new();
        reads_what_the_lookups_read(&mut db.open());
    }

    #[test]
    fn the_range_holds_every_path_under_the_root_and_no_sibling() {
        let (low, high) = range(Path::new("/d/SHOW"));
        let inside = |p: &str| p.as_bytes() >= low.as_slice() && p.as_bytes() < high.as_slice();
        assert!(inside("/d/SHOW/a.wav"));
        assert!(inside("/d/SHOW/deep/\u{ff}.wav"));
        assert!(!inside("/d/SHOW"));
        assert!(!inside("/d/SHOW2/a.wav"));
        assert!(!inside("/d/SHOW-old/a.wav"));
        assert!(!inside("/d/SHOV/a.wav"));
        let (low, high) = range(Path::new("/"));
        assert_eq!((low.as_slice(), high.as_slice()), (&b"/"[..], &b"0"[..]));
    }
}
