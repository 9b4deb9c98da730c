//! The HTML report printed to PDF by an installed Chromium, driven over its
//! DevTools pipe (`--remote-debugging-pipe`: commands on fd 3, answers on
//! fd 4, NUL-terminated JSON; no port, no network) with `Page.printToPDF`,
//! whose footer template gives page numbers and the delivery's title
//! (Chromium does not draw CSS `@page` margin boxes).
//!
//! The HTML is written into a new temporary folder (with Chromium's profile),
//! which is removed afterwards; nothing is written next to the delivery.

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Environment variable naming the Chromium to use.
pub const CHROMIUM_ENV: &str = "SIGNOFF_CHROMIUM";

/// Where Chromium is looked for, in order, after [`CHROMIUM_ENV`].
pub const CANDIDATES: [&str; 5] = [
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
];

/// How long one print may take before Chromium is stopped.
const TIMEOUT: Duration = Duration::from_secs(180);

/// Why no PDF was printed.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// No browser to print with.
    #[error(
        "no Chromium to print the PDF with (looked for {looked}); install one \
         (`apt-get install chromium` on Debian/Ubuntu) or set {CHROMIUM_ENV} to a Chromium or Chrome"
    )]
    NoChromium {
        /// The paths tried.
        looked: String,
    },
    /// The browser could not be started, or its pipe failed.
    #[error("failed to run Chromium {}: {source}", path.display())]
    Io {
        /// The browser.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The browser answered with an error, or not at all.
    #[error("Chromium {} did not print the report: {message}", path.display())]
    Print {
        /// The browser.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// The Chromium to print with: `$SIGNOFF_CHROMIUM` when set (it must exist),
/// else the first of [`CANDIDATES`] that exists.
pub fn find_chromium() -> Result<PathBuf, PdfError> {
    if let Some(p) = std::env::var_os(CHROMIUM_ENV).filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(PdfError::NoChromium {
                looked: format!("{CHROMIUM_ENV}={}", p.display()),
            })
        };
    }
    CANDIDATES
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .ok_or_else(|| PdfError::NoChromium {
            looked: CANDIDATES.join(", "),
        })
}

/// The PDF of `html`, with `footer` (the delivery's title) and page numbers
/// at the foot of every page, printed by `chromium`.
pub fn print(chromium: &Path, html: &str, footer: &str) -> Result<Vec<u8>, PdfError> {
    let io = |source| PdfError::Io {
        path: chromium.to_path_buf(),
        source,
    };
    let dir = TempDir::new().map_err(io)?;
    let page = dir.0.join("report.html");
    std::fs::write(&page, html).map_err(io)?;
    let mut browser = Browser::start(chromium, &dir.0).map_err(io)?;
    let result = browser.print(&page, footer);
    browser.stop();
    result.map_err(|message| PdfError::Print {
        path: chromium.to_path_buf(),
        message: browser.explain(message),
    })
}

/// The footer drawn on every page: the title left, `Page N of M` right.
pub fn footer_template(title: &str) -> String {
    format!(
        "<div style=\"font:8px sans-serif;color:#555;width:100%;margin:0 12mm;display:flex;\
         justify-content:space-between\"><span>{}</span><span>Page <span class=\"pageNumber\"></span> \
         of <span class=\"totalPages\"></span></span></div>",
        super::xml::escape(title)
    )
}

/// A temporary folder removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> std::io::Result<Self> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("signoff-pdf-{}-{n}", std::process::id()));
        std::fs::create_dir(&p)?;
        Ok(TempDir(p))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running headless Chromium and its DevTools pipe.
struct Browser {
    child: Child,
    to: Option<std::fs::File>,
    from: mpsc::Receiver<Result<serde_json::Value, String>>,
    next_id: u64,
    deadline: Instant,
    stderr: PathBuf,
}

/// A pipe's (read, write) ends, both close-on-exec.
fn pipe() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: pipe2 succeeded, so both are open descriptors we now own.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

impl Browser {
    fn start(chromium: &Path, dir: &Path) -> std::io::Result<Self> {
        let (child_reads, we_write) = pipe()?;
        let (we_read, child_writes) = pipe()?;
        let stderr = dir.join("chromium.log");
        let mut cmd = Command::new(chromium);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--remote-debugging-pipe",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg("about:blank")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr)?);
        let (r, w) = (child_reads.as_raw_fd(), child_writes.as_raw_fd());
        // SAFETY: between fork and exec only async-signal-safe calls
        // (fcntl, dup2, close) on descriptors this process owns.
        unsafe {
            use std::os::unix::process::CommandExt;
            cmd.pre_exec(move || {
                // Move both out of the way of 3 and 4 first, then dup2
                // (which clears close-on-exec on the new descriptors).
                let a = libc::fcntl(r, libc::F_DUPFD, 10);
                let b = libc::fcntl(w, libc::F_DUPFD, 10);
                if a < 0 || b < 0 || libc::dup2(a, 3) < 0 || libc::dup2(b, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                libc::close(a);
                libc::close(b);
                Ok(())
            });
        }
        let child = cmd.spawn()?;
        drop((child_reads, child_writes));
        let (tx, rx) = mpsc::channel();
        let mut reader = std::fs::File::from(we_read);
        std::thread::spawn(move || read_messages(&mut reader, &tx));
        Ok(Browser {
            child,
            to: Some(std::fs::File::from(we_write)),
            from: rx,
            next_id: 0,
            deadline: Instant::now() + TIMEOUT,
            stderr,
        })
    }

    /// Sends one command (to the page's session when `session` is given)
    /// and waits for its answer; events before it are passed to `seen`.
    fn call(
        &mut self,
        method: &str,
        params: serde_json::Value,
        session: Option<&str>,
        seen: &mut dyn FnMut(&serde_json::Value),
    ) -> Result<serde_json::Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = serde_json::json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = s.into();
        }
        let mut bytes = msg.to_string().into_bytes();
        bytes.push(0);
        let to = self.to.as_mut().ok_or("the pipe is closed")?;
        to.write_all(&bytes)
            .map_err(|e| format!("{method}: writing to Chromium: {e}"))?;
        loop {
            let m = self.next_message(method)?;
            if m.get("id").and_then(|v| v.as_u64()) == Some(id) {
                if let Some(e) = m.get("error") {
                    return Err(format!("{method}: {e}"));
                }
                return Ok(m.get("result").cloned().unwrap_or_default());
            }
            seen(&m);
        }
    }

    fn next_message(&self, waiting_for: &str) -> Result<serde_json::Value, String> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        match self.from.recv_timeout(left) {
            Ok(m) => m,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(format!(
                "no answer to {waiting_for} within {} s",
                TIMEOUT.as_secs()
            )),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                Err(format!("Chromium exited before answering {waiting_for}"))
            }
        }
    }

    fn print(&mut self, page: &Path, footer: &str) -> Result<Vec<u8>, String> {
        use serde_json::json;
        let mut ignore = |_: &serde_json::Value| {};
        let target = self.call(
            "Target.createTarget",
            json!({"url": "about:blank"}),
            None,
            &mut ignore,
        )?;
        let target_id = target["targetId"].as_str().ok_or("no target id")?;
        let attached = self.call(
            "Target.attachToTarget",
            json!({"targetId": target_id, "flatten": true}),
            None,
            &mut ignore,
        )?;
        let session = attached["sessionId"]
            .as_str()
            .ok_or("no session id")?
            .to_string();
        let s = Some(session.as_str());
        self.call("Page.enable", json!({}), s, &mut ignore)?;
        let is_load = |m: &serde_json::Value| {
            m["method"] == "Page.loadEventFired" && m["sessionId"] == session.as_str()
        };
        let mut loaded = false;
        let url = file_url(page);
        let nav = self.call("Page.navigate", json!({"url": url}), s, &mut |m| {
            loaded |= is_load(m)
        })?;
        if let Some(e) = nav.get("errorText").and_then(|e| e.as_str()) {
            return Err(format!("opening the report: {e}"));
        }
        while !loaded {
            loaded = is_load(&self.next_message("Page.loadEventFired")?);
        }
        let pdf = self.call(
            "Page.printToPDF",
            json!({
                "displayHeaderFooter": true,
                "headerTemplate": "<span></span>",
                "footerTemplate": footer_template(footer),
                "printBackground": true,
                "preferCSSPageSize": true,
            }),
            s,
            &mut ignore,
        )?;
        let data = pdf["data"].as_str().ok_or("no PDF data in the answer")?;
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|e| format!("the PDF data is not base64: {e}"))
    }

    /// Asks Chromium to close, then waits a little and kills it if needed.
    fn stop(&mut self) {
        let mut ignore = |_: &serde_json::Value| {};
        self.deadline = Instant::now() + Duration::from_secs(5);
        let _ = self.call("Browser.close", serde_json::json!({}), None, &mut ignore);
        self.to = None;
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// `message` with the last lines Chromium wrote to stderr.
    fn explain(&self, message: String) -> String {
        let log = std::fs::read_to_string(&self.stderr).unwrap_or_default();
        let tail: Vec<&str> = log
            .lines()
            .filter(|l| !l.contains("dbus") && !l.trim().is_empty())
            .collect();
        let tail = &tail[tail.len().saturating_sub(3)..];
        if tail.is_empty() {
            message
        } else {
            format!("{message} (Chromium said: {})", tail.join(" | "))
        }
    }
}

/// Reads NUL-terminated JSON messages until the pipe closes.
fn read_messages(from: &mut impl Read, tx: &mpsc::Sender<Result<serde_json::Value, String>>) {
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        while let Some(end) = buf.iter().position(|&b| b == 0) {
            let msg: Vec<u8> = buf.drain(..=end).collect();
            let parsed = serde_json::from_slice(&msg[..end])
                .map_err(|e| format!("unreadable message from Chromium: {e}"));
            if tx.send(parsed).is_err() {
                return;
            }
        }
        match from.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// `file://` URL of an absolute path, percent-encoding all but unreserved bytes and `/`.
fn file_url(p: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut s = String::from("file://");
    for &b in p.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_are_encoded() {
        assert_eq!(
            file_url(Path::new("/tmp/a b/r#1.html")),
            "file:///tmp/a%20b/r%231.html"
        );
    }

    #[test]
    fn footer_escapes_the_title() {
        let f = footer_template("<b>FEATURE</b>");
        assert!(f.contains("&lt;b&gt;FEATURE&lt;/b&gt;"));
        assert!(f.contains("class=\"pageNumber\""));
    }
}
