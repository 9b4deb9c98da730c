//! `seal ROOT`: verifies the folder against its history, then (only if that passed, or when told to anyway) writes one new generation and the chain.

use super::check::{check_file, mhl_text, FileCheck, State};
use super::hashing::DirHasher;
use super::history::{self, History, Problem};
use super::model::{
    Action, ChainEntry, Creator, DirEntry, FileEntry, Format, Generation, HashValue, Position,
    CHAIN_FILE, HISTORY_DIR,
};
use super::tree::{walk, Ignore, Tree};
use super::verify::{ignore_patterns, Counts};
use super::write;
use crate::paths::RelPath;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;
use time::OffsetDateTime;

/// What `seal` is told; the clock, host and user come from the caller.
#[derive(Debug, Clone)]
pub struct SealOptions {
    /// Hash formats to record (every one from one read of each file).
    pub formats: Vec<Format>,
    /// `--by`.
    pub author: Option<String>,
    /// The host name to record.
    pub hostname: String,
    /// The time of the seal.
    pub now: OffsetDateTime,
    /// Ignore patterns beyond the defaults and the history's.
    pub ignores: Vec<String>,
    /// Write the generation even when verification against the history failed (the reference tool's behaviour).
    pub allow_failed: bool,
    /// Files that must have exactly these SHA-256s (an approval being recorded
    /// with the seal): checked from the same read; any difference refuses the seal.
    pub expect_sha256: BTreeMap<RelPath, String>,
}

/// Why nothing could be sealed at all.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// The root is not a folder.
    #[error("{0}: not a folder")]
    NotAFolder(String),
    /// File-system trouble with the history folder.
    #[error("{path}: {source}")]
    Io {
        /// What was being read or written.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A bad ignore pattern.
    #[error("{0}")]
    Ignore(String),
}

/// The answer of `seal`.
#[derive(Debug, Serialize)]
pub struct SealReport {
    /// True when the generation was written.
    pub written: bool,
    /// Its number (the one it would have had, when not written).
    pub generation: u64,
    /// Its path relative to the root.
    pub manifest: String,
    /// Formats recorded.
    pub formats: Vec<Format>,
    /// Why it was not written (empty when written).
    pub refused: Vec<String>,
    /// Counts by state (`new` = recorded as original).
    pub counts: Counts,
    /// What is wrong with the existing history.
    pub problems: Vec<Problem>,
    /// Every file, by path.
    pub files: Vec<FileCheck>,
}

impl SealReport {
    /// True when written and every file verified or was new.
    pub fn clean(&self) -> bool {
        self.written
            && self.problems.is_empty()
            && self
                .files
                .iter()
                .all(|f| matches!(f.state, State::Verified | State::New))
    }
}

/// Seals `root`: one new generation in `root/ascmhl/`, plus the chain file.
pub fn seal(root: &Path, opts: &SealOptions) -> Result<SealReport, SealError> {
    if !root.is_dir() {
        return Err(SealError::NotAFolder(root.display().to_string()));
    }
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| SealError::Io { path, source }
    };
    if let Some(p) = opts
        .ignores
        .iter()
        .find(|p| p.trim_end_matches('/').contains('/'))
    {
        return Err(SealError::Ignore(format!(
            "ignore pattern `{p}`: a `/` other than a trailing one anchors it, and the reference tool \
             (ascmhl) matches patterns against absolute paths, so it would not ignore the same files; \
             use a name pattern such as `*.tmp` or `renders/`"
        )));
    }
    let hist = history::load(root).map_err(io(&history::dir_of(root)))?;
    let mut extra = opts.ignores.clone();
    extra.extend(own_files(root));
    let patterns = ignore_patterns(hist.as_ref(), &extra);
    let ignore = Ignore::new(root, &patterns).map_err(SealError::Ignore)?;
    let tree = walk(root, &ignore);
    let recorded = hist.as_ref().map(History::recorded).unwrap_or_default();
    let mut files = Vec::new();
    for rel in &tree.files {
        files.push(match mhl_text(rel) {
            Err(why) => FileCheck::bare(rel.clone(), State::Unrecordable, Some(why)),
            Ok(_) => check_file(
                root,
                rel,
                recorded.get(rel),
                &opts.formats,
                opts.expect_sha256.contains_key(rel),
            ),
        });
    }
    for (rel, why) in &tree.skipped {
        files.push(FileCheck::bare(
            rel.clone(),
            State::Unrecordable,
            Some(why.clone()),
        ));
    }
    let on_disk: std::collections::BTreeSet<&RelPath> = tree.files.iter().collect();
    for (path, rec) in &recorded {
        if !on_disk.contains(path) && !ignore.is_ignored(path.as_path(), false) {
            files.push(FileCheck::bare(
                RelPath::from_bytes(path.as_bytes()),
                State::Missing,
                Some(format!(
                    "recorded in generation {}, not in the folder",
                    rec.generation
                )),
            ));
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let problems = hist
        .as_ref()
        .map(|h| h.problems.clone())
        .unwrap_or_default();
    let number = hist.as_ref().map_or(0, History::latest) + 1;
    let name = generation_name(root, number, opts.now);
    let mut report = SealReport {
        written: false,
        generation: number,
        manifest: format!("{HISTORY_DIR}/{name}"),
        formats: sorted(&opts.formats),
        refused: refusals(&files, &problems, opts.allow_failed)
            .into_iter()
            .chain(sha256_refusals(&files, &opts.expect_sha256))
            .collect(),
        counts: Counts::of(&files),
        problems,
        files,
    };
    if report.refused.is_empty() {
        let g = generation(root, &tree, &report, &recorded, &patterns, opts);
        write_generation(root, &name, number, &g, hist.as_ref())
            .map_err(io(&history::dir_of(root)))?;
        report.written = true;
    }
    Ok(report)
}

/// signoff's own files in the root (plan and ledger), never part of a seal.
pub(crate) fn own_files(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    // unanchored: the reference tool matches patterns against absolute paths
    if root.join(crate::plan::PLAN_FILE).exists() {
        out.push(crate::plan::PLAN_FILE.to_string());
    }
    if root.join("signoff.ledger.sqlite").exists() {
        out.push("signoff.ledger.sqlite".to_string());
        out.push("signoff.ledger.sqlite-*".to_string());
    }
    out
}

fn sorted(formats: &[Format]) -> Vec<Format> {
    let mut f = formats.to_vec();
    f.sort();
    f.dedup();
    f
}

fn refusals(files: &[FileCheck], problems: &[Problem], allow_failed: bool) -> Vec<String> {
    let mut out = Vec::new();
    let count = |s: State| files.iter().filter(|f| f.state == s).count();
    // These can never be sealed: there is no trustworthy hash, or no exact name.
    for (s, what) in [
        (State::Unreadable, "could not be hashed"),
        (State::Unrecordable, "cannot be recorded in an MHL"),
    ] {
        let n = count(s);
        if n > 0 {
            out.push(format!("{n} file(s) {what}"));
        }
    }
    if allow_failed {
        return out;
    }
    let (changed, missing) = (count(State::Changed), count(State::Missing));
    if changed > 0 {
        out.push(format!("{changed} file(s) changed since the history recorded them (--allow-failed records them as failed)"));
    }
    if missing > 0 {
        out.push(format!(
            "{missing} recorded file(s) missing (--allow-failed seals without them)"
        ));
    }
    if !problems.is_empty() {
        out.push(format!(
            "{} problem(s) with the existing history (--allow-failed seals anyway)",
            problems.len()
        ));
    }
    out
}

/// Files whose bytes are not the ones being approved.
fn sha256_refusals(files: &[FileCheck], expect: &BTreeMap<RelPath, String>) -> Vec<String> {
    expect
        .iter()
        .filter_map(|(path, want)| {
            let f = files.iter().find(|f| &f.path == path);
            match f.and_then(|f| f.sha256.as_ref()) {
                Some(have) if have == want => None,
                Some(have) => Some(format!(
                    "{} changed since it was checked: SHA-256 {have}, the approval names {want}",
                    path.display()
                )),
                None => Some(format!(
                    "{} could not be hashed for the approval",
                    path.display()
                )),
            }
        })
        .collect()
}

/// `NNNN_<root folder name>_<YYYY-MM-DD_HHMMSSZ>.mhl`.
pub fn generation_name(root: &Path, number: u64, now: OffsetDateTime) -> String {
    let base = std::fs::canonicalize(root)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| !n.contains(['/', '\\']))
        .unwrap_or_else(|| "root".into());
    let now = now.to_offset(time::UtcOffset::UTC);
    format!(
        "{number:04}_{base}_{:04}-{:02}-{:02}_{:02}{:02}{:02}Z.mhl",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// An xs:dateTime in UTC, as the reference tool writes it.
pub fn xml_date(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn mtime_of(path: &Path) -> Option<String> {
    let m: SystemTime = std::fs::symlink_metadata(path).ok()?.modified().ok()?;
    Some(xml_date(OffsetDateTime::from(m)))
}

fn generation(
    root: &Path,
    tree: &Tree,
    report: &SealReport,
    recorded: &BTreeMap<RelPath, history::Recorded>,
    patterns: &[String],
    opts: &SealOptions,
) -> Generation {
    let date = xml_date(opts.now);
    let mut files = Vec::new();
    for f in report.files.iter().filter(|f| f.state != State::Missing) {
        let Ok(path) = mhl_text(&f.path) else {
            continue;
        };
        let before = recorded
            .get(&f.path)
            .map(|r| r.values())
            .unwrap_or_default();
        let hashes = f
            .digests
            .iter()
            .filter_map(|(format, value)| {
                let action = action_for(f.state, before.get(format), value)?;
                Some(HashValue {
                    format: *format,
                    value: value.clone(),
                    action: Some(action),
                    hash_date: Some(date.clone()),
                })
            })
            .collect();
        files.push(FileEntry {
            path: path.to_string(),
            size_bytes: f.size_bytes,
            creation_date: None,
            modification_date: mtime_of(&root.join(f.path.as_path())),
            hashes,
            previous_path: None,
            at: Position::default(),
        });
    }
    let (dirs, root_hash) = dir_hashes(root, tree, &report.files, &report.formats, &date);
    Generation {
        creator: Creator {
            creation_date: date.clone(),
            hostname: opts.hostname.clone(),
            tool: "signoff".into(),
            tool_version: crate::TOOL_VERSION.into(),
            authors: opts.author.iter().cloned().collect(),
        },
        process: "in-place".into(),
        root_hash: Some(root_hash),
        ignore: patterns.to_vec(),
        files,
        dirs,
        ..Generation::default()
    }
}

/// The action of one hash: original for a new file; verified or failed
/// against the recorded value; a format newly added to a recorded file is
/// verified when the file verified, and left out when it did not.
fn action_for(state: State, before: Option<&String>, value: &str) -> Option<Action> {
    match (state, before) {
        (State::New, _) => Some(Action::Original),
        (_, Some(b)) if b.eq_ignore_ascii_case(value) => Some(Action::Verified),
        (_, Some(_)) => Some(Action::Failed),
        (State::Verified, None) => Some(Action::Verified),
        _ => None,
    }
}

/// One entry of a folder, for its directory hashes.
struct Child {
    name: String,
    is_dir: bool,
    path: Vec<u8>,
}

type Hashes = BTreeMap<Format, (String, String)>;

fn split_parent(p: &[u8]) -> (Vec<u8>, String) {
    match p.iter().rposition(|&b| b == b'/') {
        Some(i) => (
            p[..i].to_vec(),
            String::from_utf8_lossy(&p[i + 1..]).into_owned(),
        ),
        None => (Vec::new(), String::from_utf8_lossy(p).into_owned()),
    }
}

/// Every folder (root = empty path) with its children.
fn children_of(tree: &Tree, files: &[FileCheck]) -> BTreeMap<Vec<u8>, Vec<Child>> {
    let mut children: BTreeMap<Vec<u8>, Vec<Child>> = BTreeMap::new();
    children.entry(Vec::new()).or_default();
    for d in &tree.dirs {
        let (parent, name) = split_parent(d.as_bytes());
        let path = d.as_bytes().to_vec();
        children.entry(path.clone()).or_default();
        children.entry(parent).or_default().push(Child {
            name,
            is_dir: true,
            path,
        });
    }
    for f in files.iter().filter(|f| !f.digests.is_empty()) {
        let (parent, name) = split_parent(f.path.as_bytes());
        let path = f.path.as_bytes().to_vec();
        children.entry(parent).or_default().push(Child {
            name,
            is_dir: false,
            path,
        });
    }
    children
}

fn depth(p: &[u8]) -> usize {
    if p.is_empty() {
        0
    } else {
        1 + p.iter().filter(|&&b| b == b'/').count()
    }
}

/// Content and structure hashes of every folder, deepest first so each
/// child folder is done before its parent.
fn folder_hashes(
    tree: &Tree,
    files: &[FileCheck],
    formats: &[Format],
) -> BTreeMap<Vec<u8>, Hashes> {
    let children = children_of(tree, files);
    let digest: BTreeMap<&[u8], &BTreeMap<Format, String>> = files
        .iter()
        .map(|f| (f.path.as_bytes(), &f.digests))
        .collect();
    let mut order: Vec<&Vec<u8>> = children.keys().collect();
    order.sort_by_key(|p| std::cmp::Reverse(depth(p)));
    let mut done: BTreeMap<Vec<u8>, Hashes> = BTreeMap::new();
    for dir in order {
        let mut per = Hashes::new();
        for &format in formats {
            let mut h = DirHasher::default();
            for c in &children[dir] {
                if c.is_dir {
                    if let Some((content, structure)) =
                        done.get(&c.path).and_then(|m| m.get(&format))
                    {
                        h.add_dir(format, &c.name, content, structure);
                    }
                } else if let Some(v) = digest.get(c.path.as_slice()).and_then(|d| d.get(&format)) {
                    h.add_file(format, &c.name, v);
                }
            }
            per.insert(format, h.finish(format));
        }
        done.insert(dir.clone(), per);
    }
    done
}

fn dir_entry(root: &Path, path: &[u8], hashes: &Hashes, date: &str) -> DirEntry {
    let value = |v: &String, f: &Format| HashValue {
        format: *f,
        value: v.clone(),
        action: None,
        hash_date: Some(date.to_string()),
    };
    DirEntry {
        path: String::from_utf8_lossy(path).into_owned(),
        modification_date: mtime_of(&root.join(RelPath::from_bytes(path).as_path())),
        content: hashes.iter().map(|(f, (c, _))| value(c, f)).collect(),
        structure: hashes.iter().map(|(f, (_, s))| value(s, f)).collect(),
    }
}

fn dir_hashes(
    root: &Path,
    tree: &Tree,
    files: &[FileCheck],
    formats: &[Format],
    date: &str,
) -> (Vec<DirEntry>, DirEntry) {
    let done = folder_hashes(tree, files, formats);
    let root_entry = dir_entry(root, b"", &done[&Vec::new()], date);
    let dirs = tree
        .dirs
        .iter()
        .filter_map(|d| {
            done.get(d.as_bytes())
                .map(|h| dir_entry(root, d.as_bytes(), h, date))
        })
        .collect();
    (dirs, root_entry)
}

fn write_generation(
    root: &Path,
    name: &str,
    number: u64,
    g: &Generation,
    hist: Option<&History>,
) -> std::io::Result<()> {
    let dir = history::dir_of(root);
    if !dir.exists() {
        std::fs::create_dir(&dir)?;
    }
    let path: PathBuf = dir.join(name);
    if path.exists() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!("{name} already exists"),
        ));
    }
    let bytes = write::generation_xml(g)?;
    crate::report::atomic::write(&path, &bytes)?;
    let mut chain: Vec<ChainEntry> = hist.map(|h| h.chain.clone()).unwrap_or_default();
    chain.push(ChainEntry {
        sequence: number,
        path: name.to_string(),
        c4: Some(crate::digest::c4_of_bytes(&bytes)),
        at: Position::default(),
    });
    crate::report::atomic::write(&dir.join(CHAIN_FILE), &write::chain_xml(&chain)?)
}
