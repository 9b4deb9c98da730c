//! Loads `ROOT/ascmhl/` (every generation and the chain) and checks it strictly: chain c4s, gaps, missing actions, deleted entries.

use super::model::{ChainEntry, FileEntry, Format, Generation, Position, CHAIN_FILE, HISTORY_DIR};
use super::read::{self, ManifestError};
use super::tree::Ignore;
use crate::paths::RelPath;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Something wrong with the history itself; every one fails verification.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// The manifest or chain file, relative to the root.
    pub file: String,
    /// Line, when it points into a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// Column, when it points into a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    fn new(file: &str, at: Option<Position>, message: impl Into<String>) -> Problem {
        Problem {
            file: file.to_string(),
            line: at.map(|p| p.line),
            column: at.map(|p| p.column),
            message: message.into(),
        }
    }

    fn of(file: &str, e: &ManifestError) -> Problem {
        Problem::new(file, e.at, e.message.clone())
    }
}

/// One generation file of the history.
#[derive(Debug)]
pub struct GenerationFile {
    /// Its number (`NNNN_`).
    pub number: u64,
    /// Its file name inside `ascmhl/`.
    pub name: String,
    /// Its content, when it could be read.
    pub generation: Option<Generation>,
}

/// What a manifest records for one file: its newest entry.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The MHL generation of that entry (0 for a legacy MHL or a sidecar).
    pub generation: u64,
    /// Where it is recorded, for people (`generation 2`, `A001.mhl`, `SHA256SUMS line 3`).
    pub source: String,
    /// The entry (for a sidecar: the path and no hash elements).
    pub entry: FileEntry,
    /// What is compared: each recorded digest, by algorithm (canonical lowercase hex, or a C4 ID).
    pub digests: BTreeMap<crate::digest::Algo, String>,
}

impl Recorded {
    /// From an MHL v2.0 entry of generation `generation`.
    pub fn of_generation(generation: u64, entry: &FileEntry) -> Recorded {
        Recorded {
            generation,
            source: format!("generation {generation}"),
            digests: entry
                .hashes
                .iter()
                .map(|h| (h.format.algo(), canonical(h.format.algo(), &h.value)))
                .collect(),
            entry: entry.clone(),
        }
    }
}

/// A digest as compared: hex lowercased, C4 IDs as they are.
pub fn canonical(algo: crate::digest::Algo, value: &str) -> String {
    if algo == crate::digest::Algo::C4 {
        value.to_string()
    } else {
        value.to_ascii_lowercase()
    }
}

/// The whole history.
#[derive(Debug, Default)]
pub struct History {
    /// Generation files, by number.
    pub generations: Vec<GenerationFile>,
    /// The chain file's entries (empty when it is missing).
    pub chain: Vec<ChainEntry>,
    /// Everything wrong with it.
    pub problems: Vec<Problem>,
}

/// The history folder of `root`.
pub fn dir_of(root: &Path) -> PathBuf {
    root.join(HISTORY_DIR)
}

/// A generation file name's number: `^(\d{4,})_.+\.mhl$`.
pub fn generation_number(name: &str) -> Option<u64> {
    let stem = name.strip_suffix(".mhl")?;
    let (num, rest) = stem.split_once('_')?;
    (num.len() >= 4 && num.bytes().all(|b| b.is_ascii_digit()) && !rest.is_empty())
        .then(|| num.parse().ok())
        .flatten()
}

/// Loads the history of `root`; `None` when there is no `ascmhl/` folder.
pub fn load(root: &Path) -> std::io::Result<Option<History>> {
    let dir = dir_of(root);
    if !dir.is_dir() {
        return Ok(None);
    }
    let mut h = History::default();
    let mut names: Vec<(u64, String)> = Vec::new();
    for entry in std::fs::read_dir(&dir)? {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if name.starts_with("._") {
            continue;
        }
        if let Some(n) = generation_number(&name) {
            names.push((n, name));
        }
    }
    names.sort();
    for (number, name) in names {
        let rel = format!("{HISTORY_DIR}/{name}");
        let path = dir.join(&name);
        let generation =
            match read::read_bytes(&path).and_then(|b| read::parse_generation(&path, &b)) {
                Ok(g) => Some(g),
                Err(e) => {
                    h.problems.push(Problem::of(&rel, &e));
                    None
                }
            };
        h.generations.push(GenerationFile {
            number,
            name,
            generation,
        });
    }
    load_chain(&dir, &mut h);
    check_numbers(&mut h);
    check_actions(&mut h);
    check_deleted(root, &mut h);
    Ok(Some(h))
}

fn load_chain(dir: &Path, h: &mut History) {
    let rel = format!("{HISTORY_DIR}/{CHAIN_FILE}");
    let path = dir.join(CHAIN_FILE);
    if !path.exists() {
        if !h.generations.is_empty() {
            h.problems.push(Problem::new(
                &rel,
                None,
                "the chain file is missing: no generation can be checked for tampering",
            ));
        }
        return;
    }
    match read::read_bytes(&path).and_then(|b| read::parse_chain(&path, &b)) {
        Ok(chain) => h.chain = chain,
        Err(e) => h.problems.push(Problem::of(&rel, &e)),
    }
    let chain = h.chain.clone();
    for c in &chain {
        check_chain_entry(dir, &rel, c, h);
    }
    for g in &h.generations {
        if !chain.iter().any(|c| c.path == g.name) {
            h.problems.push(Problem::new(
                &rel,
                None,
                format!("generation {} ({}) is not in the chain", g.number, g.name),
            ));
        }
    }
}

fn check_chain_entry(dir: &Path, rel: &str, c: &ChainEntry, h: &mut History) {
    let Some(expected) = &c.c4 else {
        h.problems.push(Problem::new(
            rel,
            Some(c.at),
            format!(
                "no <c4> for {}; the chain must name every generation's C4 ID",
                c.path
            ),
        ));
        return;
    };
    match std::fs::read(dir.join(&c.path)) {
        Err(e) => h.problems.push(Problem::new(
            rel,
            Some(c.at),
            format!("{} is listed but cannot be read: {e}", c.path),
        )),
        Ok(bytes) => {
            let actual = crate::digest::c4_of_bytes(&bytes);
            if &actual != expected {
                h.problems.push(Problem::new(
                    rel,
                    Some(c.at),
                    format!(
                        "{} has been modified: its C4 ID is {actual}, the chain records {expected}",
                        c.path
                    ),
                ));
            }
        }
    }
    if generation_number(&c.path) != Some(c.sequence) {
        h.problems.push(Problem::new(
            rel,
            Some(c.at),
            format!(
                "sequencenr {} does not match the file name {}",
                c.sequence, c.path
            ),
        ));
    }
}

fn check_numbers(h: &mut History) {
    for (i, g) in h.generations.iter().enumerate() {
        let want = i as u64 + 1;
        if g.number != want {
            h.problems.push(Problem::new(&format!("{HISTORY_DIR}/{}", g.name), None, format!("generation {} where {want} was expected (a generation is missing or duplicated)", g.number)));
            return;
        }
    }
}

fn check_actions(h: &mut History) {
    let mut found = Vec::new();
    for g in &h.generations {
        let Some(gen) = &g.generation else { continue };
        for f in &gen.files {
            for v in f.hashes.iter().filter(|v| v.action.is_none()) {
                found.push(Problem::new(&format!("{HISTORY_DIR}/{}", g.name), Some(f.at), format!("the {} hash of {} has no action (the reference tool takes it as original; signoff fails it)", v.format.name(), f.path)));
            }
        }
    }
    h.problems.extend(found);
}

/// A file recorded in one generation and absent from a later one, with no
/// rename (`previousPath`) and no ignore pattern of that generation to explain it.
fn check_deleted(root: &Path, h: &mut History) {
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    let mut reported: BTreeSet<String> = BTreeSet::new();
    let mut found = Vec::new();
    for g in &h.generations {
        let Some(gen) = &g.generation else { continue };
        let here: BTreeSet<&str> = gen.files.iter().map(|f| f.path.as_str()).collect();
        let renamed: BTreeSet<&str> = gen
            .files
            .iter()
            .filter_map(|f| f.previous_path.as_deref())
            .collect();
        let ignore = Ignore::new(root, &gen.ignore).ok();
        for (path, first) in &seen {
            let explained = here.contains(path.as_str())
                || renamed.contains(path.as_str())
                || ignore
                    .as_ref()
                    .is_some_and(|i| i.is_ignored(Path::new(path), false));
            if !explained && reported.insert(path.clone()) {
                found.push(Problem::new(&format!("{HISTORY_DIR}/{}", g.name), None, format!("{path} (recorded in generation {first}) is absent from generation {} without a rename or ignore pattern: a deleted hash entry", g.number)));
            }
        }
        for f in &gen.files {
            seen.entry(f.path.clone()).or_insert(g.number);
        }
    }
    h.problems.extend(found);
}

impl History {
    /// The newest generation number (0 when none).
    pub fn latest(&self) -> u64 {
        self.generations.last().map_or(0, |g| g.number)
    }

    /// The newest entry of every recorded file, by exact path.
    pub fn recorded(&self) -> BTreeMap<RelPath, Recorded> {
        let mut out = BTreeMap::new();
        for g in &self.generations {
            let Some(gen) = &g.generation else { continue };
            for f in &gen.files {
                out.insert(
                    RelPath::from_bytes(f.path.as_bytes()),
                    Recorded::of_generation(g.number, f),
                );
            }
        }
        out
    }

    /// The ignore patterns of the newest readable generation.
    pub fn latest_ignores(&self) -> Vec<String> {
        self.generations
            .iter()
            .rev()
            .find_map(|g| g.generation.as_ref().map(|g| g.ignore.clone()))
            .unwrap_or_default()
    }
}

impl Recorded {
    /// The newest recorded value of each format.
    pub fn values(&self) -> BTreeMap<Format, String> {
        self.entry
            .hashes
            .iter()
            .map(|h| (h.format, h.value.clone()))
            .collect()
    }
}
