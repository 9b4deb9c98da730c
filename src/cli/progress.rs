//! Progress on stderr: one pure function decides whether to draw, indicatif draws.

use indicatif::{ProgressBar, ProgressStyle};
use signoff::progress::Reporter;
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What the environment says about drawing progress.
#[derive(Debug, Clone, Copy, Default)]
pub struct Terminal {
    /// stderr is a terminal.
    pub stderr_is_tty: bool,
    /// stdout is a terminal.
    pub stdout_is_tty: bool,
    /// `CI` is set in the environment.
    pub ci: bool,
    /// `TERM=dumb`.
    pub dumb: bool,
}

impl Terminal {
    /// Reads the real environment.
    pub fn detect() -> Self {
        Terminal {
            stderr_is_tty: std::io::stderr().is_terminal(),
            stdout_is_tty: std::io::stdout().is_terminal(),
            ci: std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0"),
            dumb: std::env::var("TERM").is_ok_and(|t| t == "dumb"),
        }
    }
}

/// Whether to draw a progress bar: only for a person watching stderr, never
/// with `--quiet`, in CI, on a dumb terminal, or when JSON goes to a pipe.
pub fn should_draw(t: Terminal, quiet: bool, json: bool) -> bool {
    let json_to_pipe = json && !t.stdout_is_tty;
    let watched = t.stderr_is_tty && !t.ci && !t.dumb;
    watched && !quiet && !json_to_pipe
}

/// What the bar counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Files done out of files to do: many small files.
    Files,
    /// Bytes read out of bytes to read, with rate and ETA: long files, where
    /// a count of files would stand still for minutes.
    Bytes,
}

/// Bytes once one file alone would hold a count of files still for long:
/// a file of 256 MiB or more, or files of 64 MiB on average.
pub fn unit(files: u64, total_bytes: u64, largest_bytes: u64) -> Unit {
    const LONG_FILE: u64 = 256 << 20;
    const LARGE_AVERAGE: u64 = 64 << 20;
    if largest_bytes >= LONG_FILE || total_bytes >= LARGE_AVERAGE.saturating_mul(files.max(1)) {
        Unit::Bytes
    } else {
        Unit::Files
    }
}

#[derive(Default)]
struct Counts {
    files_total: u64,
    files_done: u64,
    bytes_total: u64,
    bytes_finished: u64,
    in_flight: HashMap<PathBuf, u64>,
    bytes_mode: bool,
}

impl Counts {
    fn bytes_done(&self) -> u64 {
        self.bytes_finished + self.in_flight.values().sum::<u64>()
    }
}

/// A reporter drawing an indicatif bar on stderr (or nothing).
pub struct Bar {
    bar: ProgressBar,
    what: String,
    counts: Mutex<Counts>,
}

impl Bar {
    /// A bar when `draw`, else a hidden one.
    pub fn new(draw: bool, what: &str) -> Self {
        let bar = if draw {
            let bar = ProgressBar::new(0);
            bar.set_style(style(what, Unit::Files));
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        } else {
            ProgressBar::hidden()
        };
        Bar {
            bar,
            what: what.to_string(),
            counts: Mutex::new(Counts::default()),
        }
    }

    /// Removes the bar from the screen.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    fn counts(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Shows the counts in the bar's unit.
    fn show(&self, c: &Counts) {
        if c.bytes_mode {
            self.bar.set_length(c.bytes_total);
            self.bar.set_position(c.bytes_done().min(c.bytes_total));
        } else {
            self.bar.set_length(c.files_total);
            self.bar.set_position(c.files_done);
        }
    }
}

fn style(what: &str, unit: Unit) -> ProgressStyle {
    let template = match unit {
        Unit::Files => {
            format!("{{spinner}} {what} {{pos}}/{{len}} [{{bar:30}}] {{elapsed}} {{wide_msg}}")
        }
        Unit::Bytes => format!(
            "{{spinner}} {what} {{binary_bytes}}/{{binary_total_bytes}} [{{bar:20}}] \
             {{binary_bytes_per_sec}} ETA {{eta}} {{wide_msg}}"
        ),
    };
    ProgressStyle::with_template(&template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

impl Reporter for Bar {
    fn add_total(&self, files: u64) {
        let mut c = self.counts();
        c.files_total += files;
        self.show(&c);
    }

    fn add_total_bytes(&self, total_bytes: u64, largest_bytes: u64) {
        let mut c = self.counts();
        c.bytes_total += total_bytes;
        let files = c.files_total;
        if !c.bytes_mode && unit(files, c.bytes_total, largest_bytes) == Unit::Bytes {
            c.bytes_mode = true;
            self.bar.set_style(style(&self.what, Unit::Bytes));
        }
        self.show(&c);
    }

    fn started(&self, path: &Path) {
        let mut c = self.counts();
        c.in_flight.insert(path.to_path_buf(), 0);
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let name = signoff::escape::terminal(&name).into_owned();
        if c.bytes_mode {
            self.bar
                .set_message(format!("{}/{} files {name}", c.files_done, c.files_total));
        } else {
            self.bar.set_message(name);
        }
        self.show(&c);
    }

    fn advanced(&self, path: &Path, bytes_done: u64) {
        let mut c = self.counts();
        if let Some(done) = c.in_flight.get_mut(path) {
            *done = (*done).max(bytes_done);
        }
        self.show(&c);
    }

    fn finished(&self, path: &Path) {
        let mut c = self.counts();
        let done = c.in_flight.remove(path).unwrap_or(0);
        c.bytes_finished += done;
        c.files_done += 1;
        self.show(&c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tty() -> Terminal {
        Terminal {
            stderr_is_tty: true,
            stdout_is_tty: true,
            ci: false,
            dumb: false,
        }
    }

    #[test]
    fn counts_bytes_for_long_files_and_files_for_many_small_ones() {
        const MIB: u64 = 1 << 20;
        assert_eq!(
            unit(1, 2700 * MIB, 2700 * MIB),
            Unit::Bytes,
            "one long master"
        );
        assert_eq!(
            unit(10, 400 * MIB, 300 * MIB),
            Unit::Bytes,
            "one long file among small ones"
        );
        assert_eq!(
            unit(3, 240 * MIB, 90 * MIB),
            Unit::Bytes,
            "large on average"
        );
        assert_eq!(
            unit(1000, 900 * MIB, 5 * MIB),
            Unit::Files,
            "many small files"
        );
        assert_eq!(unit(0, 0, 0), Unit::Files, "nothing to do");
    }

    #[test]
    fn draws_only_for_a_person_watching() {
        assert!(should_draw(tty(), false, false));
        assert!(
            should_draw(tty(), false, true),
            "JSON to a terminal still shows progress on stderr"
        );
        assert!(!should_draw(tty(), true, false), "--quiet");
        assert!(
            !should_draw(Terminal { ci: true, ..tty() }, false, false),
            "CI"
        );
        assert!(
            !should_draw(
                Terminal {
                    dumb: true,
                    ..tty()
                },
                false,
                false
            ),
            "TERM=dumb"
        );
        assert!(
            !should_draw(
                Terminal {
                    stderr_is_tty: false,
                    ..tty()
                },
                false,
                false
            ),
            "stderr redirected"
        );
        assert!(
            !should_draw(
                Terminal {
                    stdout_is_tty: false,
                    ..tty()
                },
                false,
                true
            ),
            "JSON to a pipe"
        );
        assert!(
            should_draw(
                Terminal {
                    stdout_is_tty: false,
                    ..tty()
                },
                false,
                false
            ),
            "human output to a pipe"
        );
    }
}
