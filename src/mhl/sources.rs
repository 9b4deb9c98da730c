//! Manifests other than an ASC MHL v2.0 history that `verify` reads: legacy MHL v1.1 files (`*.mhl`, md5/sha1/xxhash64/
//! xxhash64be) and checksum sidecars (`*.md5`, `SHA256SUMS`, … via `digest::sidecar`), anywhere in the root.

use super::history::{canonical, Problem, Recorded};
use super::model::{FileEntry, Position};
use super::read;
use super::tree::Tree;
use crate::digest::{sidecar, Algo};
use crate::paths::RelPath;
use std::collections::BTreeMap;
use std::path::Path;

/// What the legacy manifests and sidecars of a root record.
#[derive(Debug, Default)]
pub struct Sources {
    /// `mhl-1.1`, `sidecar`, or both joined with `+`; empty when none was found.
    pub kind: String,
    /// The manifest files read (relative to the root).
    pub files: Vec<RelPath>,
    /// What they record, by exact path.
    pub recorded: BTreeMap<RelPath, Recorded>,
    /// Lines and entries that could not be used; each fails verification.
    pub problems: Vec<Problem>,
}

/// Finds and reads every legacy MHL file and sidecar among the walked files.
pub fn find(root: &Path, tree: &Tree) -> Sources {
    let mut s = Sources::default();
    let (mut legacy, mut sidecars) = (false, false);
    for rel in &tree.files {
        let path = root.join(rel.as_path());
        if is_legacy_mhl(&path) {
            legacy = true;
            s.files.push(rel.clone());
            read_legacy(&path, rel, &mut s);
        } else if let Some(algo) = sidecar::algo_from_file_name(rel.as_path()) {
            sidecars = true;
            s.files.push(rel.clone());
            read_sidecar(&path, rel, algo, &mut s);
        }
    }
    s.kind = match (legacy, sidecars) {
        (true, true) => "mhl-1.1+sidecar",
        (true, false) => "mhl-1.1",
        (false, true) => "sidecar",
        (false, false) => "",
    }
    .into();
    s
}

fn is_legacy_mhl(path: &Path) -> bool {
    if path.extension().is_none_or(|e| e != "mhl") {
        return false;
    }
    let mut head = [0u8; 512];
    let n = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    let head = String::from_utf8_lossy(&head[..n]);
    head.contains("<hashlist")
        && (head.contains("version=\"1.1\"") || head.contains("version='1.1'"))
}

/// `dir/` of a manifest joined with a path it names.
fn beside(manifest: &RelPath, named: &[u8]) -> RelPath {
    match manifest.as_bytes().iter().rposition(|&b| b == b'/') {
        Some(i) => {
            let mut p = manifest.as_bytes()[..=i].to_vec();
            p.extend_from_slice(named);
            RelPath::from_bytes(p)
        }
        None => RelPath::from_bytes(named),
    }
}

fn problem(rel: &RelPath, at: Option<Position>, message: String) -> Problem {
    Problem {
        file: rel.display(),
        line: at.map(|p| p.line),
        column: at.map(|p| p.column),
        message,
    }
}

fn read_legacy(path: &Path, rel: &RelPath, s: &mut Sources) {
    let entries = match read::read_bytes(path).and_then(|b| read::parse_legacy(path, &b)) {
        Ok(e) => e,
        Err(e) => return s.problems.push(problem(rel, e.at, e.message)),
    };
    for e in entries {
        let mut digests = BTreeMap::new();
        for (name, value) in &e.hashes {
            match legacy_digest(name, value) {
                Ok((algo, v)) => {
                    digests.insert(algo, v);
                }
                Err(why) => s
                    .problems
                    .push(problem(rel, Some(e.at), format!("{}: {why}", e.path))),
            }
        }
        if digests.is_empty() {
            continue;
        }
        let target = beside(rel, e.path.as_bytes());
        s.recorded.insert(
            target,
            recorded(
                rel.display(),
                &e.path,
                e.size_bytes,
                e.modification_date,
                digests,
                e.at,
            ),
        );
    }
}

/// A v1.1 hash element as an algorithm and canonical value: `xxhash64be` is
/// XXH64 as written everywhere else; `xxhash64` (deprecated) is its bytes in
/// little-endian order (16 hex digits), or a decimal number.
fn legacy_digest(name: &str, value: &str) -> Result<(Algo, String), String> {
    let hex16 = value.len() == 16 && value.bytes().all(|b| b.is_ascii_hexdigit());
    match name {
        "md5" if value.len() == 32 => Ok((Algo::Md5, value.to_ascii_lowercase())),
        "sha1" if value.len() == 40 => Ok((Algo::Sha1, value.to_ascii_lowercase())),
        "xxhash64be" if hex16 => Ok((Algo::Xxh64, value.to_ascii_lowercase())),
        "xxhash64" if hex16 => {
            let bytes: Vec<String> = (0..8)
                .rev()
                .map(|i| value[2 * i..2 * i + 2].to_ascii_lowercase())
                .collect();
            Ok((Algo::Xxh64, bytes.concat()))
        }
        "xxhash64" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => value
            .parse::<u64>()
            .map(|n| (Algo::Xxh64, format!("{n:016x}")))
            .map_err(|_| format!("xxhash64 \"{value}\" is not a 64-bit number")),
        "xxhash" => Err("xxhash (32-bit XXH32) is not a format signoff can verify".into()),
        "null" => Err("a <null> hash records no content".into()),
        _ => Err(format!("<{name}> value \"{value}\" is not a {name} hash")),
    }
}

fn recorded(
    source: String,
    path: &str,
    size_bytes: Option<u64>,
    modification_date: Option<String>,
    digests: BTreeMap<Algo, String>,
    at: Position,
) -> Recorded {
    Recorded {
        generation: 0,
        source,
        entry: FileEntry {
            path: path.to_string(),
            size_bytes,
            creation_date: None,
            modification_date,
            hashes: Vec::new(),
            previous_path: None,
            at,
        },
        digests,
    }
}

fn read_sidecar(path: &Path, rel: &RelPath, algo: Algo, s: &mut Sources) {
    let bytes = match std::fs::metadata(path) {
        Ok(m) if m.len() > read::MAX_MANIFEST_BYTES => {
            return s.problems.push(problem(
                rel,
                None,
                format!("{} bytes; too large to read", m.len()),
            ))
        }
        _ => match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => return s.problems.push(problem(rel, None, e.to_string())),
        },
    };
    let parsed = sidecar::parse(&bytes, Some(algo));
    for e in &parsed.errors {
        s.problems.push(problem(
            rel,
            Some(Position {
                line: e.line as u64,
                column: 1,
            }),
            e.message.clone(),
        ));
    }
    for e in parsed.entries {
        let at = Position {
            line: e.line as u64,
            column: 1,
        };
        let named = match &e.path {
            Some(p) => p.as_bytes().to_vec(),
            // a bare digest names the file the sidecar is named after
            None => rel
                .as_path()
                .file_stem()
                .map(|n| std::os::unix::ffi::OsStrExt::as_bytes(n).to_vec())
                .unwrap_or_default(),
        };
        if let Some(why) = outside(&named) {
            s.problems.push(problem(
                rel,
                Some(at),
                format!("{why}: {}", RelPath::from_bytes(named.clone()).display()),
            ));
            continue;
        }
        let named = named
            .strip_prefix(b"./")
            .map(<[u8]>::to_vec)
            .unwrap_or(named);
        let target = beside(rel, &named);
        let digests = BTreeMap::from([(e.algo, canonical(e.algo, &e.digest))]);
        let source = format!("{} line {}", rel.display(), e.line);
        let text = String::from_utf8_lossy(&named).into_owned();
        match s.recorded.get_mut(&target) {
            Some(r) => {
                r.digests.extend(digests);
                r.source = format!("{}, {source}", r.source);
            }
            None => {
                s.recorded
                    .insert(target, recorded(source, &text, None, None, digests, at));
            }
        }
    }
}

/// Why a sidecar path does not name a file inside the root.
fn outside(p: &[u8]) -> Option<&'static str> {
    if p.is_empty() {
        Some("an empty path")
    } else if p.starts_with(b"/") {
        Some("an absolute path; a sidecar names files beside it")
    } else if p.split(|&b| b == b'/').any(|c| c == b"..") {
        Some("a path that leaves the root (`..`)")
    } else {
        None
    }
}
