//! Per-file problems: what is wrong with a file, in words a QC operator understands.
//!
//! A problem with one file never stops a run; it becomes part of that
//! file's result and sets the exit code.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The class of a per-file problem, stable for pipelines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// The file has no bytes.
    Empty,
    /// The file ends before its container says it should.
    Truncated,
    /// The content is not a media container FFmpeg knows (random bytes, text…).
    NotMedia,
    /// The container was recognised but its contents are damaged.
    Corrupt,
    /// The file claims something signoff does not read (65 535 channels, a
    /// 2 GHz sample rate, a codec FFmpeg cannot decode): refused before
    /// anything is allocated for it.
    Unsupported,
    /// The file could not be opened or read (permissions, I/O error).
    Unreadable,
    /// Not a regular file (named pipe, socket, device).
    NotRegularFile,
    /// A symbolic link whose target does not exist.
    BrokenSymlink,
    /// A symbolic link that leads back to itself or an ancestor folder.
    SymlinkLoop,
    /// The walk could not enter a folder or read an entry.
    WalkError,
    /// The file's size or modification time changed while it was read: it is
    /// being written, so no digest or verdict names its bytes.
    ChangedDuringRead,
}

/// A problem with one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct FileProblem {
    /// Stable class of the problem.
    pub kind: ProblemKind,
    /// What is wrong, in plain words ("truncated: moov atom missing").
    pub message: String,
}

impl FileProblem {
    /// A problem of `kind` described by `message`.
    pub fn new(kind: ProblemKind, message: impl Into<String>) -> Self {
        FileProblem {
            kind,
            message: message.into(),
        }
    }
}

/// Errors that stop a whole command (as opposed to one file's problem).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A path given by the user does not exist or cannot be read.
    #[error("{}", path_problem(path, source))]
    Path {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// FFmpeg's libraries could not be initialised.
    #[error("failed to initialise FFmpeg: {0}")]
    Ffmpeg(String),
    /// The worker pool could not be started.
    #[error("failed to start the worker pool")]
    Runtime(#[source] std::io::Error),
}

impl FileProblem {
    /// A problem from an I/O error met while opening or reading a file.
    pub fn from_io(err: &std::io::Error) -> Self {
        use std::io::ErrorKind as K;
        let (kind, what) = match err.kind() {
            K::PermissionDenied => (
                ProblemKind::Unreadable,
                "cannot read: permission denied".to_string(),
            ),
            K::NotFound => (
                ProblemKind::Unreadable,
                "cannot read: file not found".to_string(),
            ),
            K::UnexpectedEof => (
                ProblemKind::Truncated,
                "truncated: the file ended while reading".to_string(),
            ),
            _ if err.raw_os_error() == Some(libc::ELOOP) => (
                ProblemKind::SymlinkLoop,
                "symbolic link loop: the link leads back to itself".to_string(),
            ),
            _ if err.raw_os_error() == Some(libc::ENXIO) => (
                ProblemKind::NotRegularFile,
                "not a regular file (socket or device)".to_string(),
            ),
            _ => (ProblemKind::Unreadable, format!("cannot read: {err}")),
        };
        FileProblem::new(kind, what)
    }
}

fn path_problem(path: &std::path::Path, source: &std::io::Error) -> String {
    match source.kind() {
        std::io::ErrorKind::NotFound => format!("{} does not exist", path.display()),
        std::io::ErrorKind::PermissionDenied => {
            format!("{} cannot be read: permission denied", path.display())
        }
        _ => format!("failed to read {}", path.display()),
    }
}
