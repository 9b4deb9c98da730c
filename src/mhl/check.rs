//! One file against what the history records for it: hashed once in every recorded (and requested) format, then compared.

use super::history::Recorded;
use super::model::Format;
use super::write::is_exact_in_xml;
use crate::digest::{digest_file, Algo, DigestError};
use crate::paths::RelPath;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// A file's state against the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Every recorded hash (and the size) equals the file's.
    Verified,
    /// A recorded hash or the size differs.
    Changed,
    /// Recorded, but not in the folder.
    Missing,
    /// In the folder, not recorded.
    New,
    /// Could not be hashed (unreadable, or changed while it was read).
    Unreadable,
    /// An MHL cannot record it (a name that is not UTF-8 or not exact in XML, a link, a special file).
    Unrecordable,
}

impl State {
    /// The word people see.
    pub fn name(self) -> &'static str {
        match self {
            State::Verified => "verified",
            State::Changed => "changed",
            State::Missing => "missing",
            State::New => "new",
            State::Unreadable => "unreadable",
            State::Unrecordable => "unrecordable",
        }
    }
}

/// One file's answer.
#[derive(Debug, Clone, Serialize)]
pub struct FileCheck {
    /// The path relative to the root ([`RelPath::display`] form).
    #[serde(serialize_with = "display")]
    pub path: RelPath,
    /// The raw bytes of the path in hex, when its display differs from the name itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_hex: Option<String>,
    /// Its state.
    pub state: State,
    /// Why, when not verified (which hash differs, and both values).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Size on disk, when read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_bytes: Option<u64>,
    /// The generation whose record it was compared with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_generation: Option<u64>,
    /// The hashes computed from the file, by format.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub digests: BTreeMap<Format, String>,
    /// Its SHA-256 from the same read, when asked (to compare with an approval).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

fn display<S: serde::Serializer>(p: &RelPath, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&p.display())
}

impl FileCheck {
    /// A file with no digest, in `state`.
    pub fn bare(path: RelPath, state: State, reason: Option<String>) -> FileCheck {
        FileCheck {
            path_hex: path.path_hex(),
            path,
            state,
            reason,
            size_bytes: None,
            recorded_generation: None,
            digests: BTreeMap::new(),
            sha256: None,
        }
    }
}

/// The path as MHL text, or why an MHL cannot hold it.
pub fn mhl_text(path: &RelPath) -> Result<&str, String> {
    let s = std::str::from_utf8(path.as_bytes())
        .map_err(|_| "its name is not UTF-8, and an MHL path is UTF-8 XML text".to_string())?;
    if !is_exact_in_xml(s) {
        return Err(
            "its name holds characters XML text cannot carry exactly (control or bidi characters)"
                .into(),
        );
    }
    Ok(s)
}

/// Hashes `rel` under `root` in `formats` (plus every recorded format, and
/// SHA-256 when `sha256`), all from one read, and compares with `recorded`.
pub fn check_file(
    root: &Path,
    rel: &RelPath,
    recorded: Option<&Recorded>,
    formats: &[Format],
    sha256: bool,
) -> FileCheck {
    let mut algos: Vec<Algo> = formats.iter().map(|f| f.algo()).collect();
    if let Some(r) = recorded {
        algos.extend(r.digests.keys());
    }
    if sha256 {
        algos.push(Algo::Sha256);
    }
    algos.sort();
    algos.dedup();
    let got = match digest_file(&root.join(rel.as_path()), &algos) {
        Ok(d) => d,
        Err(e) => return unreadable(rel, &e),
    };
    let digests: BTreeMap<Format, String> = Format::ALL
        .iter()
        .filter_map(|f| got.digests.get(&f.algo()).map(|v| (*f, v.clone())))
        .collect();
    let mut check = FileCheck::bare(rel.clone(), State::New, None);
    check.size_bytes = Some(got.size_bytes);
    check.recorded_generation = recorded.map(|r| r.generation).filter(|g| *g > 0);
    check.digests = digests;
    check.sha256 = got.digests.get(&Algo::Sha256).cloned();
    if let Some(r) = recorded {
        let diffs = differences(r, &check, &got.digests);
        check.state = if diffs.is_empty() {
            State::Verified
        } else {
            State::Changed
        };
        check.reason = (!diffs.is_empty()).then(|| diffs.join("; "));
    }
    check
}

fn differences(r: &Recorded, check: &FileCheck, got: &BTreeMap<Algo, String>) -> Vec<String> {
    let mut out = Vec::new();
    if let (Some(want), Some(have)) = (r.entry.size_bytes, check.size_bytes) {
        if want != have {
            out.push(format!(
                "size is {have} bytes, {} recorded {want}",
                r.source
            ));
        }
    }
    for (algo, want) in &r.digests {
        let have = got.get(algo).map(String::as_str).unwrap_or("");
        if have != want {
            out.push(format!(
                "{} is {have}, {} recorded {want}",
                algo.name(),
                r.source
            ));
        }
    }
    out
}

fn unreadable(rel: &RelPath, e: &DigestError) -> FileCheck {
    let why = match e {
        DigestError::ChangedDuringRead { .. } => {
            format!("changed while it was read, so no hash of it is trustworthy: {e}")
        }
        _ => e.to_string(),
    };
    FileCheck::bare(rel.clone(), State::Unreadable, Some(why))
}
