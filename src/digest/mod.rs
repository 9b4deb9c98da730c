//! Every requested digest of a file from one sequential read: SHA-256 for approvals, xxh128/xxh3/xxh64/md5/sha1/c4 for manifests.
//!
//! A file is read once, read-only, in 1 MiB blocks (flat memory); each block
//! is fed to every requested hasher. When more than one costly algorithm is
//! requested, the hashers run on worker threads while the next block is read
//! (see [`Lanes`]). A file whose size or modification time differs between
//! the start and the end of the read is reported as
//! [`DigestError::ChangedDuringRead`], never given a digest.

mod algo;
mod c4;
mod lanes;
pub mod run;
pub mod sidecar;

pub use algo::{Algo, ParseAlgoError};
pub use c4::c4_of_bytes;
pub use lanes::Lanes;

use crate::error::{FileProblem, ProblemKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Bytes read per block (the reference tool's chunk size too).
pub const BLOCK: usize = 1 << 20;

/// Digests by algorithm: lowercase hex, c4 as its 90-character `c4…` id.
pub type Digests = BTreeMap<Algo, String>;

/// A file's size and its digests, from one read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDigests {
    /// Bytes read (equal to the file's size before and after the read).
    pub size_bytes: u64,
    /// Every requested digest.
    pub digests: Digests,
}

/// Size and modification time of a file at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    /// Size in bytes.
    pub size_bytes: u64,
    /// Modification time, when the file system gives one.
    pub modified: Option<SystemTime>,
}

impl FileStamp {
    fn of(meta: &Metadata) -> Self {
        FileStamp {
            size_bytes: meta.len(),
            modified: meta.modified().ok(),
        }
    }
}

impl std::fmt::Display for FileStamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} bytes", self.size_bytes)?;
        if let Some(t) = self.modified {
            let t = time::OffsetDateTime::from(t);
            let fmt = time::format_description::well_known::Rfc3339;
            if let Ok(s) = t.format(&fmt) {
                write!(f, ", modified {s}")?;
            }
        }
        Ok(())
    }
}

/// Why a file has no digest.
#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    /// The file could not be opened or read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// Not a regular file (folder, pipe, socket, device): never read, so a
    /// pipe cannot block the run.
    #[error("{} is not a regular file", path.display())]
    NotRegularFile {
        /// The path.
        path: PathBuf,
    },
    /// The file's size or modification time (or the file itself) changed
    /// between the start and the end of the read: a digest of it would name
    /// bytes that may never have been on disk together.
    #[error("{} changed while it was read (before: {before}; after: {after})", path.display())]
    ChangedDuringRead {
        /// The file.
        path: PathBuf,
        /// Size and modification time when the read began.
        before: FileStamp,
        /// Size and modification time when the read ended.
        after: FileStamp,
    },
}

impl DigestError {
    /// The per-file problem a run reports for this error.
    pub fn to_problem(&self) -> FileProblem {
        match self {
            DigestError::Io { source, .. } => FileProblem::from_io(source),
            DigestError::NotRegularFile { .. } => FileProblem::new(
                ProblemKind::NotRegularFile,
                "not a regular file: nothing to hash",
            ),
            DigestError::ChangedDuringRead { before, after, .. } => FileProblem::new(
                ProblemKind::ChangedDuringRead,
                format!(
                    "changed while it was read (before: {before}; after: {after}): \
                     no digest of a file that is being written"
                ),
            ),
        }
    }

    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            DigestError::Io { path, .. }
            | DigestError::NotRegularFile { path }
            | DigestError::ChangedDuringRead { path, .. } => path,
        }
    }
}

/// Feeds bytes to one hasher per requested algorithm, on the caller's thread.
pub struct MultiHasher {
    hashers: Vec<algo::Hasher>,
}

impl MultiHasher {
    /// A hasher for each of `algos` (duplicates ignored).
    pub fn new(algos: &[Algo]) -> Self {
        let mut algos = algos.to_vec();
        algos.sort();
        algos.dedup();
        MultiHasher {
            hashers: algo::Hasher::for_algos(&algos),
        }
    }

    /// Feeds `bytes` to every hasher.
    pub fn update(&mut self, bytes: &[u8]) {
        for h in &mut self.hashers {
            h.update(bytes);
        }
    }

    /// The digests of everything fed so far.
    pub fn finish(self) -> Digests {
        let mut out = Digests::new();
        for h in self.hashers {
            h.finish_into(&mut out);
        }
        out
    }
}

/// Every digest in `algos` of the file at `path`, from one read-only
/// sequential read. Fails with [`DigestError::ChangedDuringRead`] when the
/// file's size, modification time or identity changed during the read.
pub fn digest_file(path: &Path, algos: &[Algo]) -> Result<FileDigests, DigestError> {
    // A file of a few blocks is hashed before a worker thread would start.
    let small = std::fs::metadata(path).is_ok_and(|m| m.len() <= 4 * BLOCK as u64);
    let lanes = if small {
        Lanes::Inline
    } else {
        Lanes::auto(algos)
    };
    digest_file_with(path, algos, lanes)
}

/// As [`digest_file`], with the hashers spread over `lanes`.
pub fn digest_file_with(
    path: &Path,
    algos: &[Algo],
    lanes: Lanes,
) -> Result<FileDigests, DigestError> {
    let io = |source| DigestError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(DigestError::NotRegularFile {
            path: path.to_path_buf(),
        });
    }
    let mut file = File::open(path).map_err(io)?;
    let opened = file.metadata().map_err(io)?;
    let before = FileStamp::of(&opened);
    let result = lanes.digest(&mut file, algos).map_err(io)?;
    let after_handle = file.metadata().map_err(io)?;
    let after_path = std::fs::metadata(path).ok();
    let changed = |after: FileStamp| DigestError::ChangedDuringRead {
        path: path.to_path_buf(),
        before,
        after,
    };
    let after = FileStamp::of(&after_handle);
    if after != before || result.size_bytes != before.size_bytes {
        return Err(changed(FileStamp {
            size_bytes: after.size_bytes.max(result.size_bytes),
            ..after
        }));
    }
    match after_path {
        Some(m) if same_file(&m, &opened) && FileStamp::of(&m) == before => Ok(result),
        Some(m) => Err(changed(FileStamp::of(&m))),
        None => Err(io(io::Error::new(
            io::ErrorKind::NotFound,
            "the file was removed while it was read",
        ))),
    }
}

#[cfg(unix)]
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &Metadata, _: &Metadata) -> bool {
    true
}

/// Every digest in `algos` of everything `reader` yields, and its length.
pub fn digest_reader(reader: &mut impl Read, algos: &[Algo]) -> io::Result<FileDigests> {
    Lanes::auto(algos).digest(reader, algos)
}

/// Fills `buf` from `reader` until it is full or the reader ends; the
/// number of bytes read.
fn read_block(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests;
