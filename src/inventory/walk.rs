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
        /// The link's target, as stored in the link (lossy UTF-8 in JSON).
        #[serde(serialize_with = "crate::paths::lossy")]
        target: PathBuf,
    },
    /// A link that was followed; the entry describes its target.
    Followed {
        /// The link's target, as stored in the link (lossy UTF-8 in JSON).
        #[serde(serialize_with = "crate::paths::lossy")]
        target: PathBuf,
    },
}

/// One file (or unreadable thing) found by the walk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// The file's identity on its file system (device, inode), from the
    /// walk's own stat; not part of the wire format.
    #[serde(skip)]
    pub file_id: Option<(u64, u64)>,
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
        file_id: None,
    }
}

fn fill_from_metadata(entry: &mut Entry, meta: &Metadata) {
    entry.size_bytes = if meta.is_file() { meta.len() } else { 0 };
    entry.modified = meta.modified().ok();
    entry.file_id = Some(file_id(meta));
}

/// A file's identity on its file system: (device, inode).
pub fn file_id(meta: &Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
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
    use std::ffi::{CString, OsStr};
    use std::fs;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::symlink;

    fn tree() -> tempfile::TempDir {
        tempfile::tempdir().expect("tempdir")
    }

    fn touch(path: &Path, bytes: &[u8]) {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(path, bytes).expect("write");
    }

    fn rels(entries: &[Entry]) -> Vec<String> {
        entries
            .iter()
            .map(|e| e.relative_path.display().to_string())
            .collect()
    }

    fn find<'a>(entries: &'a [Entry], rel: &str) -> &'a Entry {
        entries
            .iter()
            .find(|e| e.relative_path == Path::new(rel))
            .unwrap_or_else(|| panic!("no entry {rel} in {:?}", rels(entries)))
    }

    const FOLLOW: WalkOptions = WalkOptions {
        follow_links: true,
        include_hidden: true,
    };

    #[test]
    fn files_sorted_by_path_without_folders() {
        let dir = tree();
        touch(&dir.path().join("b.wav"), b"bb");
        touch(&dir.path().join("a.mov"), b"a");
        touch(&dir.path().join("sub/c.srt"), b"ccc");
        touch(&dir.path().join("a-sub/z.txt"), b"");
        fs::create_dir(dir.path().join("empty")).expect("mkdir");
        let entries = walk(dir.path(), &WalkOptions::default());
        assert_eq!(
            rels(&entries),
            ["a-sub/z.txt", "a.mov", "b.wav", "sub/c.srt"]
        );
        let srt = find(&entries, "sub/c.srt");
        assert_eq!(srt.path, dir.path().join("sub/c.srt"));
        assert_eq!(
            (srt.size_bytes, srt.link.as_ref(), srt.problem.as_ref()),
            (3, None, None)
        );
        assert!(srt.modified.is_some());
    }

    #[test]
    fn root_that_is_a_file() {
        let dir = tree();
        let file = dir.path().join("one.wav");
        touch(&file, b"1234");
        let entries = walk(&file, &WalkOptions::default());
        assert_eq!(rels(&entries), ["one.wav"]);
        assert_eq!(entries[0].size_bytes, 4);
    }

    #[test]
    fn missing_root_is_a_walk_error() {
        let dir = tree();
        let entries = walk(&dir.path().join("nope"), &WalkOptions::default());
        assert_eq!(entries.len(), 1);
        let problem = entries[0].problem.as_ref().expect("problem");
        assert_eq!(problem.kind, ProblemKind::WalkError);
        assert!(
            problem.message.ends_with(": not found"),
            "{}",
            problem.message
        );
    }

    #[test]
    fn broken_symlink() {
        let dir = tree();
        symlink("missing.wav", dir.path().join("link.wav")).expect("symlink");
        for opts in [WalkOptions::default(), FOLLOW] {
            let entries = walk(dir.path(), &opts);
            let problem = find(&entries, "link.wav").problem.clone().expect("problem");
            assert_eq!(
                problem,
                FileProblem::new(
                    ProblemKind::BrokenSymlink,
                    "broken symbolic link: target missing.wav does not exist"
                )
            );
        }
    }

    #[test]
    fn symlink_loop_pair() {
        let dir = tree();
        symlink("b", dir.path().join("a")).expect("symlink");
        symlink("a", dir.path().join("b")).expect("symlink");
        for opts in [WalkOptions::default(), FOLLOW] {
            let entries = walk(dir.path(), &opts);
            assert_eq!(rels(&entries), ["a", "b"]);
            let problem = find(&entries, "a").problem.clone().expect("problem");
            assert_eq!(
                problem,
                FileProblem::new(
                    ProblemKind::SymlinkLoop,
                    "symbolic link loop: a leads back to itself"
                )
            );
        }
    }

    /// Paths sort component by component, so `media/…` comes before `media-link`.
    #[test]
    fn valid_links_not_followed_by_default() {
        let dir = tree();
        touch(&dir.path().join("media/clip.mov"), b"12345");
        symlink("media/clip.mov", dir.path().join("alias.mov")).expect("symlink");
        symlink("media", dir.path().join("media-link")).expect("symlink");
        let entries = walk(dir.path(), &WalkOptions::default());
        assert_eq!(
            rels(&entries),
            ["alias.mov", "media/clip.mov", "media-link"]
        );
        let alias = find(&entries, "alias.mov");
        assert_eq!(
            alias.link,
            Some(LinkInfo::NotFollowed {
                target: "media/clip.mov".into()
            })
        );
        assert_eq!((alias.size_bytes, alias.problem.as_ref()), (5, None));
        let dir_link = find(&entries, "media-link");
        assert_eq!(
            dir_link.link,
            Some(LinkInfo::NotFollowed {
                target: "media".into()
            })
        );
        assert_eq!(dir_link.size_bytes, 0);
    }

    #[test]
    fn links_followed_when_asked() {
        let dir = tree();
        touch(&dir.path().join("media/clip.mov"), b"12345");
        symlink("media/clip.mov", dir.path().join("alias.mov")).expect("symlink");
        symlink("media", dir.path().join("media-link")).expect("symlink");
        let entries = walk(dir.path(), &FOLLOW);
        assert_eq!(
            rels(&entries),
            ["alias.mov", "media/clip.mov", "media-link/clip.mov"]
        );
        let alias = find(&entries, "alias.mov");
        assert_eq!(
            alias.link,
            Some(LinkInfo::Followed {
                target: "media/clip.mov".into()
            })
        );
        assert_eq!(alias.size_bytes, 5);
    }

    #[test]
    fn folder_link_to_parent_never_loops_forever() {
        let dir = tree();
        touch(&dir.path().join("sub/a.wav"), b"a");
        symlink("..", dir.path().join("sub/up")).expect("symlink");
        let entries = walk(dir.path(), &WalkOptions::default());
        assert_eq!(rels(&entries), ["sub/a.wav", "sub/up"]);
        assert_eq!(
            find(&entries, "sub/up").link,
            Some(LinkInfo::NotFollowed {
                target: "..".into()
            })
        );

        let entries = walk(dir.path(), &FOLLOW);
        assert_eq!(rels(&entries), ["sub/a.wav", "sub/up"]);
        let problem = find(&entries, "sub/up").problem.clone().expect("problem");
        assert_eq!(problem.kind, ProblemKind::SymlinkLoop);
        let expected = format!(
            "symbolic link loop: sub/up points back to its ancestor {}",
            dir.path().display()
        );
        assert_eq!(problem.message, expected);
    }

    fn mkfifo(path: &Path) {
        let c_path = CString::new(path.as_os_str().as_bytes()).expect("no NUL");
        // SAFETY: c_path is a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) }, 0);
    }

    #[test]
    fn named_pipe_is_listed_never_opened() {
        let dir = tree();
        mkfifo(&dir.path().join("pipe.wav"));
        symlink("pipe.wav", dir.path().join("pipe-link.wav")).expect("symlink");
        for opts in [WalkOptions::default(), FOLLOW] {
            let entries = walk(dir.path(), &opts);
            let problem = find(&entries, "pipe.wav").problem.clone();
            let expected = FileProblem::new(
                ProblemKind::NotRegularFile,
                "not a regular file (named pipe)",
            );
            assert_eq!(problem, Some(expected.clone()));
            let link = find(&entries, "pipe-link.wav");
            if opts.follow_links {
                assert_eq!(link.problem, Some(expected));
            } else {
                assert_eq!(link.problem, None);
            }
        }
    }

    #[test]
    fn socket_is_not_a_regular_file() {
        let dir = tree();
        let path = dir.path().join("s.sock");
        let _listener = std::os::unix::net::UnixListener::bind(&path).expect("bind");
        let entries = walk(dir.path(), &WalkOptions::default());
        let problem = find(&entries, "s.sock").problem.clone().expect("problem");
        assert_eq!(problem.message, "not a regular file (socket)");
    }

    #[test]
    fn non_utf8_names_survive() {
        let dir = tree();
        let name = OsStr::from_bytes(b"caf\xe9 mix.wav");
        touch(&dir.path().join(name), b"x");
        let entries = walk(dir.path(), &WalkOptions::default());
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].relative_path.as_os_str(), name);
        assert_eq!(entries[0].path, dir.path().join(name));
    }

    #[test]
    fn deep_tree() {
        let dir = tree();
        let mut deep = dir.path().to_path_buf();
        for level in 0..60 {
            deep.push(format!("d{level}"));
        }
        touch(&deep.join("bottom.wav"), b"deep");
        let entries = walk(dir.path(), &WalkOptions::default());
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].relative_path.components().count(), 61);
        assert_eq!(entries[0].size_bytes, 4);
    }

    #[test]
    fn hidden_and_clutter_files_included_by_default() {
        let dir = tree();
        for name in [
            ".DS_Store",
            "._clip.mov",
            "Thumbs.db",
            ".hidden/x.wav",
            "clip.mov",
        ] {
            touch(&dir.path().join(name), b"x");
        }
        let entries = walk(dir.path(), &WalkOptions::default());
        assert_eq!(
            rels(&entries),
            [
                ".DS_Store",
                "._clip.mov",
                ".hidden/x.wav",
                "Thumbs.db",
                "clip.mov"
            ]
        );
        let visible = WalkOptions {
            include_hidden: false,
            ..WalkOptions::default()
        };
        assert_eq!(rels(&walk(dir.path(), &visible)), ["Thumbs.db", "clip.mov"]);
        assert!(!walk(&dir.path().join(".hidden"), &visible).is_empty());
    }

    #[test]
    fn unreadable_folder_is_reported() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tree();
        let locked = dir.path().join("locked");
        touch(&locked.join("a.wav"), b"x");
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).expect("chmod");
        let readable = fs::read_dir(&locked).is_ok(); // true when running as root
        let entries = walk(dir.path(), &WalkOptions::default());
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).expect("chmod");
        if readable {
            return;
        }
        let problem = find(&entries, "locked").problem.clone().expect("problem");
        assert_eq!(
            problem,
            FileProblem::new(
                ProblemKind::WalkError,
                "cannot read folder locked: permission denied"
            )
        );
    }

    #[test]
    fn link_info_serialises_with_a_state_tag() {
        let info = LinkInfo::NotFollowed { target: "a".into() };
        let json = serde_json::to_string(&info).expect("json");
        assert_eq!(json, r#"{"state":"not_followed","target":"a"}"#);
    }
}
