//! Walking a delivery folder: every file, link problems and loops reported, nothing followed unless asked.
//!
//! The walk never opens a file and never stops early: anything it cannot
//! read becomes an [`Entry`] with a [`FileProblem`], so the report shows it.

use super::sniff::io_words;
use crate::error::{FileProblem, ProblemKind};
use serde::{Deserialize, Serialize};
use std::fs::{FileType, Metadata};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;
use walkdir::{DirEntry, WalkDir};

/// How to walk a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalkOptions {
    /// Follow symbolic links (into folders too). Off by default: links are
    /// listed, not followed.
    pub follow_links: bool,
    /// List hidden (dot) files and look inside hidden folders. On by default:
    /// delivery clutter must be seen.
    pub include_hidden: bool,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            follow_links: false,
            include_hidden: true,
        }
    }
}

/// What the walk did with a symbolic link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LinkInfo {
    /// A valid link that was listed but not followed (use `--follow-links`).
    NotFollowed {
        /// The link's target, as stored in the link.
        target: PathBuf,
    },
    /// A link that was followed; the entry describes its target.
    Followed {
        /// The link's target, as stored in the link.
        target: PathBuf,
    },
}

/// One file (or unreadable thing) found by the walk.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Full path, as reached from the root (names kept byte-exact).
    pub path: PathBuf,
    /// Path relative to the walked root (the file name when the root is a file).
    pub relative_path: PathBuf,
    /// Size in bytes; for a link not followed, its target's size (0 for a folder).
    pub size_bytes: u64,
    /// Last modification time, when known.
    pub modified: Option<SystemTime>,
    /// Set when the entry is a symbolic link.
    pub link: Option<LinkInfo>,
    /// What is wrong with this entry, if anything.
    pub problem: Option<FileProblem>,
}

/// Walk `root` and list every file under it, sorted by path.
///
/// Folders are not listed. Never panics and never fails as a whole: an
/// unreadable folder, a broken link or a loop becomes an entry with a problem.
pub fn walk(root: &Path, opts: &WalkOptions) -> Vec<Entry> {
    let include_hidden = opts.include_hidden;
    let walker = WalkDir::new(root)
        .follow_links(opts.follow_links)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(move |e| include_hidden || e.depth() == 0 || !is_hidden(e));
    let mut entries: Vec<Entry> = walker
        .filter_map(|item| match item {
            Ok(dir_entry) => entry_from(root, &dir_entry),
            Err(err) => Some(entry_from_error(root, &err)),
        })
        .collect();
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    entries
}

fn is_hidden(entry: &DirEntry) -> bool {
    entry.file_name().as_encoded_bytes().starts_with(b".")
}

/// The word for a file type that is not a regular file ("named pipe", "socket", "device").
pub(crate) fn special_file_word(file_type: &FileType) -> &'static str {
    if file_type.is_fifo() {
        "named pipe"
    } else if file_type.is_socket() {
        "socket"
    } else if file_type.is_block_device() || file_type.is_char_device() {
        "device"
    } else if file_type.is_dir() {
        "folder"
    } else if file_type.is_symlink() {
        "symbolic link"
    } else {
        "special file"
    }
}

fn entry_from(root: &Path, dir_entry: &DirEntry) -> Option<Entry> {
    let file_type = dir_entry.file_type();
    if file_type.is_dir() {
        return None;
    }
    let path = dir_entry.path();
    if file_type.is_symlink() {
        return Some(unfollowed_link(root, path));
    }
    let mut entry = bare_entry(root, path);
    if dir_entry.path_is_symlink() {
        entry.link = std::fs::read_link(path)
            .ok()
            .map(|target| LinkInfo::Followed { target });
    }
    if !file_type.is_file() {
        let word = special_file_word(&file_type);
        entry.problem = Some(FileProblem::new(
            ProblemKind::NotRegularFile,
            format!("not a regular file ({word})"),
        ));
        return Some(entry);
    }
    match dir_entry.metadata() {
        Ok(meta) => fill_from_metadata(&mut entry, &meta),
        Err(err) => entry.problem = Some(walk_problem(root, &err)),
    }
    Some(entry)
}

fn bare_entry(root: &Path, path: &Path) -> Entry {
    Entry {
        path: path.to_path_buf(),
        relative_path: relative(root, path),
        size_bytes: 0,
        modified: None,
        link: None,
        problem: None,
    }
}

fn fill_from_metadata(entry: &mut Entry, meta: &Metadata) {
    entry.size_bytes = if meta.is_file() { meta.len() } else { 0 };
    entry.modified = meta.modified().ok();
}

fn relative(root: &Path, path: &Path) -> PathBuf {
    match path.strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
        _ => path
            .file_name()
            .map_or_else(|| path.to_path_buf(), PathBuf::from),
    }
}

/// How a path is shown in a message: relative to the root, or the root itself.
fn shown(root: &Path, path: &Path) -> String {
    match path.strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.display().to_string(),
        _ => path.display().to_string(),
    }
}

/// A symbolic link seen without following it: valid, broken or looping.
fn unfollowed_link(root: &Path, path: &Path) -> Entry {
    let mut entry = bare_entry(root, path);
    let target = std::fs::read_link(path).unwrap_or_default();
    match std::fs::metadata(path) {
        Ok(meta) => {
            fill_from_metadata(&mut entry, &meta);
            entry.link = Some(LinkInfo::NotFollowed { target });
        }
        Err(err) => entry.problem = Some(link_problem(root, path, &target, &err)),
    }
    entry
}

/// Why a link's target could not be reached.
fn link_problem(root: &Path, path: &Path, target: &Path, err: &std::io::Error) -> FileProblem {
    let raw = err.raw_os_error();
    if raw == Some(libc::ELOOP) {
        return FileProblem::new(
            ProblemKind::SymlinkLoop,
            format!(
                "symbolic link loop: {} leads back to itself",
                shown(root, path)
            ),
        );
    }
    if err.kind() == std::io::ErrorKind::NotFound || raw == Some(libc::ENOTDIR) {
        return FileProblem::new(
            ProblemKind::BrokenSymlink,
            format!(
                "broken symbolic link: target {} does not exist",
                target.display()
            ),
        );
    }
    FileProblem::new(
        ProblemKind::Unreadable,
        format!(
            "cannot reach link target {}: {}",
            target.display(),
            io_words(err)
        ),
    )
}

fn entry_from_error(root: &Path, err: &walkdir::Error) -> Entry {
    let path = err.path().unwrap_or(root);
    let mut entry = bare_entry(root, path);
    if err.loop_ancestor().is_none() && is_symlink(path) {
        let target = std::fs::read_link(path).unwrap_or_default();
        entry.problem = err
            .io_error()
            .map(|io| link_problem(root, path, &target, io));
    }
    if entry.problem.is_none() {
        entry.problem = Some(walk_problem(root, err));
    }
    entry
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// A walkdir error in plain words: a loop, an unreadable folder or file.
fn walk_problem(root: &Path, err: &walkdir::Error) -> FileProblem {
    let path = err.path().unwrap_or(root);
    if let Some(ancestor) = err.loop_ancestor() {
        return FileProblem::new(
            ProblemKind::SymlinkLoop,
            format!(
                "symbolic link loop: {} points back to its ancestor {}",
                shown(root, path),
                shown(root, ancestor)
            ),
        );
    }
    let words = err
        .io_error()
        .map_or_else(|| "unknown error".to_string(), io_words);
    let is_dir = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
    if is_dir || path == root {
        FileProblem::new(
            ProblemKind::WalkError,
            format!("cannot read folder {}: {words}", shown(root, path)),
        )
    } else {
        FileProblem::new(ProblemKind::Unreadable, format!("cannot read: {words}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
}
