//! Progress on stderr: one pure function decides whether to draw, indicatif draws.

use indicatif::{ProgressBar, ProgressStyle};
use signoff::progress::Reporter;
use std::io::IsTerminal;
use std::path::Path;

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

/// A reporter drawing an indicatif bar on stderr (or nothing).
pub struct Bar(ProgressBar);

impl Bar {
    /// A bar when `draw`, else a hidden one.
    pub fn new(draw: bool, what: &str) -> Self {
        if !draw {
            return Bar(ProgressBar::hidden());
        }
        let bar = ProgressBar::new(0);
        let template =
            format!("{{spinner}} {what} {{pos}}/{{len}} [{{bar:30}}] {{elapsed}} {{wide_msg}}");
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Bar(bar)
    }

    /// Removes the bar from the screen.
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Reporter for Bar {
    fn set_total(&self, total: u64) {
        self.0.set_length(total);
    }

    fn started(&self, path: &Path) {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        self.0
            .set_message(signoff::escape::terminal(&name).into_owned());
    }

    fn finished(&self, _path: &Path) {
        self.0.inc(1);
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
