//! The files and folders of a sealed root, in name order, minus what the ignore patterns (gitignore syntax, as ASC MHL uses) exclude.

use crate::paths::RelPath;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use std::path::Path;

/// What a walk of the root found.
#[derive(Debug, Default)]
pub struct Tree {
    /// Regular files.
    pub files: Vec<RelPath>,
    /// Folders below the root (not the root itself).
    pub dirs: Vec<RelPath>,
    /// Entries an MHL cannot record, and why (symlinks, special files, unreadable folders).
    pub skipped: Vec<(RelPath, String)>,
}

/// Ignore patterns, matched as the reference tool does (gitignore rules).
pub struct Ignore(Gitignore);

impl Ignore {
    /// From patterns; a pattern gitignore syntax rejects is an error naming it.
    pub fn new(root: &Path, patterns: &[String]) -> Result<Ignore, String> {
        let mut b = GitignoreBuilder::new(root);
        for p in patterns {
            b.add_line(None, p)
                .map_err(|e| format!("ignore pattern `{p}`: {e}"))?;
        }
        b.build().map(Ignore).map_err(|e| e.to_string())
    }

    /// True when `rel` (or a folder above it) is ignored.
    pub fn is_ignored(&self, rel: &Path, is_dir: bool) -> bool {
        self.0.matched_path_or_any_parents(rel, is_dir).is_ignore()
    }
}

/// Walks `root` (never following symlinks), children in byte order of their names.
pub fn walk(root: &Path, ignore: &Ignore) -> Tree {
    let mut tree = Tree::default();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by(|a, b| a.file_name().cmp(b.file_name()))
        .into_iter()
        .filter_entry(|e| {
            let rel = e.path().strip_prefix(root).unwrap_or(e.path());
            rel.as_os_str().is_empty() || !ignore.is_ignored(rel, e.file_type().is_dir())
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let rel = err
                    .path()
                    .and_then(|p| p.strip_prefix(root).ok())
                    .map(RelPath::from_path)
                    .unwrap_or_default();
                tree.skipped.push((rel, format!("cannot be read: {err}")));
                continue;
            }
        };
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
        if rel.as_os_str().is_empty() {
            continue;
        }
        let rel = RelPath::from_path(rel);
        let ft = entry.file_type();
        if ft.is_dir() {
            tree.dirs.push(rel);
        } else if ft.is_file() {
            tree.files.push(rel);
        } else if ft.is_symlink() {
            tree.skipped.push((
                rel,
                "a symbolic link (an MHL records files, not links)".into(),
            ));
        } else {
            tree.skipped
                .push((rel, "not a regular file (device, FIFO or socket)".into()));
        }
    }
    tree
}
