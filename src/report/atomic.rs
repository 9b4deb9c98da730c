//! Writing a report whole or not at all: a temporary file in the target's
//! folder, flushed to disk, then renamed over the target. A run killed
//! half-way leaves the previous report (or none), never half a report.
//! The path `-` means standard output.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Whether `path` means standard output.
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Writes `bytes` to `path` atomically (or to stdout for `-`).
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if is_stdout(path) {
        let mut out = io::stdout().lock();
        out.write_all(bytes)?;
        return out.flush();
    }
    let temp = temp_path(path);
    let result = write_then_rename(&temp, path, bytes);
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

fn write_then_rename(temp: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
    // create_new: never follow or reuse whatever sits at the temp name;
    // mode 0666 less the umask, as a plain create would give.
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o666)
        .open(temp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(temp, path)
}

/// `.NAME.tmp-PID-N` beside `path`: same folder, so the rename is atomic.
fn temp_path(path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".into());
    let temp = format!(".{name}.tmp-{}-{n}", std::process::id());
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(temp),
        _ => PathBuf::from(temp),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.html");
        fs::write(&target, "old").unwrap();
        write(&target, b"new report").unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new report");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left behind");
    }

    #[test]
    fn a_failed_write_keeps_the_old_report() {
        let dir = tempfile::tempdir().unwrap();
        // The target is a non-empty folder: rename fails after the temp file was written.
        let target = dir.path().join("busy");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("x"), "keep").unwrap();
        assert!(write(&target, b"report").is_err());
        assert_eq!(fs::read_to_string(target.join("x")).unwrap(), "keep");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "temp removed");
    }

    #[test]
    fn temp_is_beside_the_target() {
        let t = temp_path(Path::new("/a/b/out.xml"));
        assert_eq!(t.parent(), Some(Path::new("/a/b")));
        assert!(t
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(".out.xml.tmp-"));
        assert_eq!(temp_path(Path::new("out.md")).parent(), Some(Path::new("")));
    }

    #[test]
    fn dash_is_stdout() {
        assert!(is_stdout(Path::new("-")));
        assert!(!is_stdout(Path::new("./-")));
    }
}
