//! Worker isolation: each file is analysed in a worker process (the same
//! binary, serving [`serve`] on its standard input and output, one JSON
//! line per message), so that a crash, an abort, a hang or a runaway
//! allocation inside a decoder becomes that file's result and the run goes
//! on.
//!
//! Each pool thread keeps one worker for the files it is given, starting
//! it on first use and again after it died. The parent watches every file:
//! a worker that reports no progress for [`Isolation::stall`] or runs past
//! its [`FileTimeout`] is killed and the file reported as stopped. Paths
//! travel as their raw bytes, so a file with a name that is not UTF-8 is
//! analysed in a worker like any other; a job that cannot be put into words
//! at all is analysed in-process, never dropped.

use crate::check::{self, FileResult, Job};
use crate::progress::{self, Reporter};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::ffi::OsString;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The environment variable a test sets to make the worker fail on chosen
/// files: `crash:NAME`, `abort:NAME`, `hang:NAME`, `memory:NAME` or
/// `panic:NAME`, separated by `;` (NAME is a file name). `panic` also
/// applies to analysis in-process (`--in-process`). Never set it otherwise.
pub const TEST_FAULT_ENV: &str = "SIGNOFF_TEST_WORKER_FAULT";

/// How long one file may take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FileTimeout {
    /// No limit beyond [`Isolation::stall`].
    None,
    /// At most this many seconds.
    Seconds(f64),
    /// At most this multiple of the file's duration (once it is probed),
    /// and never less than [`FileTimeout::FLOOR_S`].
    TimesDuration(f64),
}

impl FileTimeout {
    /// The least time a duration-proportional limit allows: probing and
    /// opening take time even for a short file.
    pub const FLOOR_S: f64 = 30.0;

    /// Parses `600` (seconds), `4x` (times the file's duration) or `none`.
    pub fn parse(s: &str) -> Result<FileTimeout, String> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("none") {
            return Ok(FileTimeout::None);
        }
        let (number, times) = match s.strip_suffix(['x', 'X']) {
            Some(n) => (n, true),
            None => (s.strip_suffix('s').unwrap_or(s), false),
        };
        match number.trim().parse::<f64>() {
            Ok(v) if v > 0.0 && v.is_finite() => Ok(match times {
                true => FileTimeout::TimesDuration(v),
                false => FileTimeout::Seconds(v),
            }),
            _ => Err(format!(
                "`{s}` is not a time limit: give seconds (`600`), a multiple of the file's duration (`4x`) or `none`"
            )),
        }
    }

    fn limit(self, duration_s: Option<f64>) -> Option<Duration> {
        let secs = match (self, duration_s) {
            (FileTimeout::None, _) => return None,
            (FileTimeout::Seconds(s), _) => s,
            (FileTimeout::TimesDuration(k), Some(d)) => (k * d).max(Self::FLOOR_S),
            (FileTimeout::TimesDuration(_), None) => return None,
        };
        Some(Duration::from_secs_f64(secs))
    }
}

/// How files are analysed in workers.
#[derive(Debug, Clone)]
pub struct Isolation {
    /// The worker program (the signoff binary) and the arguments that make
    /// it serve [`serve`].
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<OsString>,
    /// A worker that reports no progress for this long is stopped.
    pub stall: Duration,
    /// The limit on one file's whole analysis.
    pub file_timeout: FileTimeout,
    /// The address-space limit of each worker (`RLIMIT_AS`), when set.
    pub memory_limit_bytes: Option<u64>,
}

/// One message from a worker to the parent.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Message {
    /// The file has been read up to `bytes_done`.
    Progress {
        bytes_done: u64,
        media_s: Option<f64>,
    },
    /// The file's duration is known.
    Duration { duration_s: f64 },
    /// The analysis is done.
    Result { result: Box<FileResult> },
    /// The job could not be read, or its result not written.
    Refused { why: String },
}

/// One job, with its paths as raw bytes (hex).
#[derive(Debug, Serialize, Deserialize)]
struct Request {
    path_hex: String,
    relative_hex: String,
    job: Job,
}

fn hex(p: &Path) -> String {
    p.as_os_str()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn unhex(s: &str) -> Option<PathBuf> {
    let bytes = (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    Some(PathBuf::from(std::ffi::OsStr::from_bytes(&bytes)))
}

/// The job in words, its paths as bytes; `None` when some other part of it
/// cannot be written as JSON (it is then analysed in-process).
fn request_line(job: &Job) -> Option<String> {
    let mut blank = job.clone();
    blank.entry.path = PathBuf::new();
    blank.entry.relative_path = PathBuf::new();
    let req = Request {
        path_hex: hex(&job.entry.path),
        relative_hex: hex(&job.entry.relative_path),
        job: blank,
    };
    serde_json::to_string(&req).ok()
}

/// Puts the job's own path back into a result that crossed the pipe (the
/// report's path is written as text; the scan's carries its bytes).
fn restore_paths(mut result: FileResult, job: &Job) -> FileResult {
    if let Some(r) = result.report.as_mut() {
        r.path = job.entry.path.clone();
    }
    result
}

struct Worker {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    stderr_tail: Arc<Mutex<Vec<u8>>>,
}

/// A worker still running when its pool thread ends (or after it died) is
/// stopped and reaped: no zombie is left, and its resource use is counted
/// with its parent's (what `/usr/bin/time` and `getrusage` report).
impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

thread_local! {
    static WORKER: RefCell<Option<Worker>> = const { RefCell::new(None) };
}

/// Analyses `job` in this pool thread's worker process; whatever happens
/// to the worker, the file gets a result.
pub fn analyse(iso: &Isolation, job: &Job) -> FileResult {
    let Some(line) = request_line(job) else {
        return check::analyse_file(job);
    };
    WORKER.with(|slot| {
        let mut slot = slot.borrow_mut();
        let worker = match slot.take() {
            Some(w) => w,
            None => match spawn(iso) {
                Ok(w) => w,
                Err(e) => {
                    return stopped(
                        job,
                        &format!("the analysis worker could not be started ({e})"),
                    )
                }
            },
        };
        let (result, alive) = run_one(iso, worker, job, &line);
        *slot = alive;
        result
    })
}

fn spawn(iso: &Isolation) -> io::Result<Worker> {
    let mut cmd = Command::new(&iso.program);
    cmd.args(&iso.args)
        .env_remove("SIGNOFF_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(limit) = iso.memory_limit_bytes {
        // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                let r = libc::rlimit {
                    rlim_cur: limit as libc::rlim_t,
                    rlim_max: limit as libc::rlim_t,
                };
                if libc::setrlimit(libc::RLIMIT_AS, &r) != 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let mut child = cmd.spawn()?;
    let stdin = child
        .stdin
        .take()
        .ok_or_else(|| io::Error::other("no stdin"))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| io::Error::other("no stdout"))?;
    let stderr = child
        .stderr
        .take()
        .ok_or_else(|| io::Error::other("no stderr"))?;
    let (tx, lines) = mpsc::channel();
    std::thread::Builder::new()
        .name("worker-out".into())
        .spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        })?;
    let stderr_tail = Arc::new(Mutex::new(Vec::new()));
    let tail = Arc::clone(&stderr_tail);
    std::thread::Builder::new()
        .name("worker-err".into())
        .spawn(move || keep_tail(stderr, &tail))?;
    Ok(Worker {
        child,
        stdin,
        lines,
        stderr_tail,
    })
}

/// Keeps the last few KiB a worker wrote to stderr (for a crash's message).
fn keep_tail(mut stderr: impl Read, tail: &Mutex<Vec<u8>>) {
    const KEEP: usize = 4096;
    let mut buf = [0u8; 1024];
    while let Ok(n @ 1..) = stderr.read(&mut buf) {
        let mut t = tail.lock().unwrap_or_else(|e| e.into_inner());
        t.extend_from_slice(&buf[..n]);
        if t.len() > KEEP {
            let cut = t.len() - KEEP;
            t.drain(..cut);
        }
    }
}

/// What the parent knows of a file while its worker works.
struct Watch {
    started: Instant,
    last_progress: Instant,
    bytes_done: u64,
    media_s: Option<f64>,
    duration_s: Option<f64>,
}

/// Runs one job on `worker`; the result and the worker, if it lives on.
fn run_one(iso: &Isolation, mut w: Worker, job: &Job, line: &str) -> (FileResult, Option<Worker>) {
    if writeln!(w.stdin, "{line}")
        .and_then(|_| w.stdin.flush())
        .is_err()
    {
        let why = died(iso, &mut w, job, &new_watch());
        return (stopped(job, &why), None);
    }
    let mut watch = new_watch();
    loop {
        let deadline = deadline(iso, &watch);
        let wait = deadline.saturating_duration_since(Instant::now());
        match w.lines.recv_timeout(wait) {
            Ok(line) => match serde_json::from_str::<Message>(&line) {
                Ok(Message::Progress {
                    bytes_done,
                    media_s,
                }) => {
                    watch.last_progress = Instant::now();
                    watch.bytes_done = watch.bytes_done.max(bytes_done);
                    watch.media_s = media_s.or(watch.media_s);
                    progress::at(bytes_done);
                }
                Ok(Message::Duration { duration_s }) => watch.duration_s = Some(duration_s),
                Ok(Message::Result { result }) => return (restore_paths(*result, job), Some(w)),
                Ok(Message::Refused { .. }) => return (check::analyse_file(job), Some(w)),
                Err(_) => {} // not ours (a library writing to stdout): ignored
            },
            Err(RecvTimeoutError::Timeout) => {
                let why = timed_out(iso, &watch, job);
                kill(&mut w);
                return (stopped(job, &why), None);
            }
            Err(RecvTimeoutError::Disconnected) => {
                let why = died(iso, &mut w, job, &watch);
                return (stopped(job, &why), None);
            }
        }
    }
}

fn new_watch() -> Watch {
    let now = Instant::now();
    Watch {
        started: now,
        last_progress: now,
        bytes_done: 0,
        media_s: None,
        duration_s: None,
    }
}

/// When the parent stops waiting: no progress for the stall time, or the
/// file's whole limit, whichever comes first.
fn deadline(iso: &Isolation, w: &Watch) -> Instant {
    let stall = w.last_progress + iso.stall;
    match iso.file_timeout.limit(w.duration_s) {
        Some(limit) => stall.min(w.started + limit),
        None => stall,
    }
}

fn kill(w: &mut Worker) {
    let _ = w.child.kill();
    let _ = w.child.wait();
}

/// Where the analysis had got to, in words.
fn whereabouts(w: &Watch, job: &Job) -> String {
    let size = job.entry.size_bytes;
    let share = match size {
        0 => String::new(),
        _ => format!(
            ", {:.0} % of the file read",
            100.0 * w.bytes_done.min(size) as f64 / size as f64
        ),
    };
    match w.media_s {
        Some(s) => format!(" at about {}{share}", clock(s)),
        None if w.bytes_done > 0 => format!(" after {} bytes{share}", w.bytes_done),
        None => " before it had read the file".to_string(),
    }
}

/// `HH:MM:SS` of a media time (the file's own timecode is not known to the
/// parent when its worker dies).
fn clock(s: f64) -> String {
    let t = s.max(0.0) as u64;
    format!(
        "{:02}:{:02}:{:02} into the file",
        t / 3600,
        t / 60 % 60,
        t % 60
    )
}

fn timed_out(iso: &Isolation, w: &Watch, job: &Job) -> String {
    let now = Instant::now();
    let limit = iso.file_timeout.limit(w.duration_s);
    match limit {
        Some(l) if now >= w.started + l => format!(
            "the analysis took longer than its limit of {:.0} s (--file-timeout){}: stopped",
            l.as_secs_f64(),
            whereabouts(w, job)
        ),
        _ => format!(
            "no progress for {:.0} s{}: stopped (--stall-timeout)",
            iso.stall.as_secs_f64(),
            whereabouts(w, job)
        ),
    }
}

/// Why the worker ended without a result.
fn died(iso: &Isolation, w: &mut Worker, job: &Job, watch: &Watch) -> String {
    let status = w.child.wait();
    let tail = w.stderr_tail.lock().map(|t| t.clone()).unwrap_or_default();
    let said = last_words(&String::from_utf8_lossy(&tail));
    let limit = match (iso.memory_limit_bytes, said.as_deref()) {
        (Some(l), Some(s)) if s.contains("memory allocation") => format!(
            "; the worker's memory limit is {} MiB (--worker-memory)",
            l >> 20
        ),
        _ => String::new(),
    };
    let last = said
        .map(|s| format!(" (it said: {s}){limit}"))
        .unwrap_or_default();
    let at = whereabouts(watch, job);
    match status {
        Ok(s) => match s.signal() {
            Some(sig) => format!(
                "the analysis crashed (signal {sig}, {}){at}{last}",
                signal_name(sig)
            ),
            None => format!(
                "the analysis stopped with exit status {}{at}{last}",
                s.code().unwrap_or(-1)
            ),
        },
        Err(e) => format!("the analysis worker was lost ({e}){at}"),
    }
}

/// What a dying worker said that explains it: a failed allocation or a
/// panic first, else its last line.
fn last_words(stderr: &str) -> Option<String> {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let line = lines
        .iter()
        .rev()
        .find(|l| l.contains("memory allocation") || l.contains("panicked at"))
        .or_else(|| lines.iter().rev().find(|l| !l.starts_with("note:")))?;
    Some(line.chars().take(300).collect())
}

fn signal_name(sig: i32) -> &'static str {
    match sig {
        libc::SIGSEGV => "SIGSEGV: invalid memory access",
        libc::SIGABRT => "SIGABRT: aborted",
        libc::SIGBUS => "SIGBUS: bus error",
        libc::SIGFPE => "SIGFPE: arithmetic error",
        libc::SIGILL => "SIGILL: illegal instruction",
        libc::SIGKILL => "SIGKILL: killed",
        _ => "signal",
    }
}

/// The result of a file whose analysis was stopped or lost: unreadable, with why.
fn stopped(job: &Job, why: &str) -> FileResult {
    check::failed(job, crate::error::ProblemKind::Corrupt, why)
}

/// A worker's side: reads one job a line from `input`, analyses it, writes
/// progress and the result to `output`, until `input` ends.
pub fn serve(input: impl BufRead, output: impl Write + Send + 'static) -> io::Result<()> {
    let out: Arc<Mutex<Box<dyn Write + Send>>> = Arc::new(Mutex::new(Box::new(output)));
    let faults = std::env::var(TEST_FAULT_ENV).unwrap_or_default();
    for line in input.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let message = match parse_request(&line) {
            Some(job) => {
                inject_fault(&faults, &job.entry.path);
                let reporter: Arc<dyn Reporter> = Arc::new(Wire(Arc::clone(&out)));
                let result =
                    progress::within(&reporter, &job.entry.path, || check::analyse_file(&job));
                Message::Result {
                    result: Box::new(result),
                }
            }
            None => Message::Refused {
                why: "the job could not be read".into(),
            },
        };
        let text = serde_json::to_string(&message).unwrap_or_else(|e| {
            serde_json::to_string(&Message::Refused { why: e.to_string() }).unwrap_or_default()
        });
        send(&out, &text)?;
    }
    Ok(())
}

fn parse_request(line: &str) -> Option<Job> {
    let req: Request = serde_json::from_str(line).ok()?;
    let mut job = req.job;
    job.entry.path = unhex(&req.path_hex)?;
    job.entry.relative_path = unhex(&req.relative_hex)?;
    Some(job)
}

fn send(out: &Mutex<Box<dyn Write + Send>>, text: &str) -> io::Result<()> {
    let mut o = out.lock().unwrap_or_else(|e| e.into_inner());
    writeln!(o, "{text}")?;
    o.flush()
}

/// Progress of the worker's file, written to the parent.
struct Wire(Arc<Mutex<Box<dyn Write + Send>>>);

impl Reporter for Wire {
    fn advanced(&self, _path: &Path, bytes_done: u64) {
        let m = Message::Progress {
            bytes_done,
            media_s: progress::media_position(),
        };
        if let Ok(text) = serde_json::to_string(&m) {
            let _ = send(&self.0, &text);
        }
    }

    fn duration(&self, _path: &Path, duration_s: f64) {
        if let Ok(text) = serde_json::to_string(&Message::Duration { duration_s }) {
            let _ = send(&self.0, &text);
        }
    }
}

/// In-process analysis: the test-only `panic` fault of [`TEST_FAULT_ENV`]
/// for the file at `path` (the others would end the run itself).
pub fn in_process_fault(path: &Path) {
    if let Ok(faults) = std::env::var(TEST_FAULT_ENV) {
        let panics: Vec<&str> = faults
            .split(';')
            .filter(|f| f.starts_with("panic:"))
            .collect();
        inject_fault(&panics.join(";"), path);
    }
}

/// The test-only faults of [`TEST_FAULT_ENV`] for the file at `path`.
fn inject_fault(faults: &str, path: &Path) {
    let Some(name) = path.file_name() else { return };
    for spec in faults.split(';') {
        let Some((what, file)) = spec.split_once(':') else {
            continue;
        };
        if std::ffi::OsStr::new(file) != name {
            continue;
        }
        match what {
            // SAFETY: the default action of SIGSEGV (Rust's own handler only
            // reports stack overflows), then the signal a decoder's bug raises.
            "crash" => unsafe {
                libc::signal(libc::SIGSEGV, libc::SIG_DFL);
                libc::raise(libc::SIGSEGV);
            },
            "abort" => std::process::abort(),
            "hang" => loop {
                std::thread::sleep(Duration::from_secs(3600));
            },
            "memory" => {
                let mut hog: Vec<Vec<u8>> = Vec::new();
                loop {
                    hog.push(vec![0u8; 64 << 20]);
                }
            }
            "panic" => panic!("test fault: a panic while analysing {}", path.display()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_limits_parse() {
        assert_eq!(FileTimeout::parse("600"), Ok(FileTimeout::Seconds(600.0)));
        assert_eq!(FileTimeout::parse("90s"), Ok(FileTimeout::Seconds(90.0)));
        assert_eq!(
            FileTimeout::parse("4x"),
            Ok(FileTimeout::TimesDuration(4.0))
        );
        assert_eq!(FileTimeout::parse("none"), Ok(FileTimeout::None));
        assert!(FileTimeout::parse("0").is_err());
        assert!(FileTimeout::parse("soon").is_err());
        let four = FileTimeout::TimesDuration(4.0);
        assert_eq!(four.limit(Some(600.0)), Some(Duration::from_secs(2400)));
        assert_eq!(
            four.limit(Some(1.0)),
            Some(Duration::from_secs(30)),
            "the floor"
        );
        assert_eq!(four.limit(None), None, "not known before the probe");
    }

    #[test]
    fn paths_cross_as_bytes() {
        let odd = PathBuf::from(std::ffi::OsStr::from_bytes(b"/d/caf\xe9 \\ x.wav"));
        assert_eq!(unhex(&hex(&odd)), Some(odd));
        assert_eq!(unhex("zz"), None);
    }
}
