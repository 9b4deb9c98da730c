//! Colour and column widths for people: one pure function decides whether
//! to colour, one style per state and severity, padding by display width.
//!
//! [`set_colour`] decides once per run, for stdout and stderr; [`paint`]
//! and [`paint_err`] add escape codes only where it said yes, so machine
//! output (JSON, checksum lines) is never touched.

use anstyle::{AnsiColor, Style};
use std::io::IsTerminal;
use std::sync::OnceLock;
use unicode_width::UnicodeWidthStr;

/// Whether stdout and stderr get colour, decided once.
static COLOUR: OnceLock<(bool, bool)> = OnceLock::new();

/// Decides, once per run, whether stdout and stderr get colour.
pub fn set_colour(flag: ColorFlag) {
    let env = ColourEnv::detect();
    let out = colour(flag, &env, std::io::stdout().is_terminal());
    let err = colour(flag, &env, std::io::stderr().is_terminal());
    let _ = COLOUR.set((out, err));
}

/// `--color`: when to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorFlag {
    /// On a terminal, unless `NO_COLOR` is set or `CLICOLOR=0`; `CLICOLOR_FORCE` colours pipes too.
    #[default]
    Auto,
    /// Always, even into a pipe or file.
    Always,
    /// Never.
    Never,
}

/// What the environment says about colour.
#[derive(Debug, Clone, Default)]
pub struct ColourEnv {
    /// `NO_COLOR` is set to something other than the empty string.
    pub no_color: bool,
    /// `CLICOLOR_FORCE` is set and not `0`.
    pub force: bool,
    /// `CLICOLOR=0`.
    pub clicolor_off: bool,
    /// `TERM=dumb`.
    pub dumb: bool,
}

impl ColourEnv {
    /// Reads the real environment.
    pub fn detect() -> Self {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        let is = |name: &str, value: &str| std::env::var_os(name).is_some_and(|v| v == value);
        ColourEnv {
            no_color: set("NO_COLOR"),
            force: set("CLICOLOR_FORCE") && !is("CLICOLOR_FORCE", "0"),
            clicolor_off: is("CLICOLOR", "0"),
            dumb: is("TERM", "dumb"),
        }
    }
}

/// Whether to colour a stream: `--color always|never` wins; otherwise
/// `NO_COLOR` turns colour off, `CLICOLOR_FORCE` on (even into a pipe),
/// `CLICOLOR=0` off, and a terminal that is not `TERM=dumb` gets colour.
pub fn colour(flag: ColorFlag, env: &ColourEnv, is_terminal: bool) -> bool {
    match flag {
        ColorFlag::Always => true,
        ColorFlag::Never => false,
        ColorFlag::Auto if env.no_color => false,
        ColorFlag::Auto if env.force => true,
        ColorFlag::Auto if env.clicolor_off || env.dumb => false,
        ColorFlag::Auto => is_terminal,
    }
}

/// The meanings text can be painted with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Failing, missing, unreadable, overdue: needs action.
    Bad,
    /// Warnings, stale approvals, incomplete deliverables, not evaluated.
    Warn,
    /// Passing and approved.
    Good,
    /// Headings.
    Strong,
    /// Secondary detail.
    Dim,
}

fn style(tone: Tone) -> Style {
    let fg = |c: AnsiColor| Style::new().fg_color(Some(c.into()));
    match tone {
        Tone::Bad => fg(AnsiColor::Red).bold(),
        Tone::Warn => fg(AnsiColor::Yellow),
        Tone::Good => fg(AnsiColor::Green),
        Tone::Strong => Style::new().bold(),
        Tone::Dim => Style::new().dimmed(),
    }
}

/// `text` in `tone` for stdout, when stdout gets colour.
pub fn paint(tone: Tone, text: &str) -> String {
    if COLOUR.get().is_some_and(|c| c.0) {
        painted(tone, text)
    } else {
        text.to_string()
    }
}

/// `text` in `tone` for stderr, when stderr gets colour.
pub fn paint_err(tone: Tone, text: &str) -> String {
    if COLOUR.get().is_some_and(|c| c.1) {
        painted(tone, text)
    } else {
        text.to_string()
    }
}

/// `text` wrapped in the escape codes of `tone`.
pub fn painted(tone: Tone, text: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    let s = style(tone);
    format!("{}{text}{}", s.render(), s.render_reset())
}

/// The columns `text` takes on a terminal (CJK characters take two).
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` followed by spaces up to `columns` display columns (never cut).
pub fn pad(text: &str, columns: usize) -> String {
    format!("{text}{}", " ".repeat(columns.saturating_sub(width(text))))
}

/// The widest of `texts` in display columns, at least `min`.
pub fn widest<'a>(texts: impl IntoIterator<Item = &'a str>, min: usize) -> usize {
    texts.into_iter().map(width).max().unwrap_or(0).max(min)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_wins_then_no_color_then_force_then_the_terminal() {
        let none = ColourEnv::default();
        assert!(colour(ColorFlag::Auto, &none, true));
        assert!(!colour(ColorFlag::Auto, &none, false), "a pipe");
        assert!(colour(ColorFlag::Always, &none, false));
        let no_color = ColourEnv {
            no_color: true,
            force: true,
            ..none.clone()
        };
        assert!(!colour(ColorFlag::Never, &none, true));
        assert!(
            !colour(ColorFlag::Auto, &no_color, true),
            "NO_COLOR beats CLICOLOR_FORCE"
        );
        assert!(
            colour(ColorFlag::Always, &no_color, true),
            "--color always beats NO_COLOR"
        );
        let force = ColourEnv {
            force: true,
            ..none.clone()
        };
        assert!(
            colour(ColorFlag::Auto, &force, false),
            "CLICOLOR_FORCE into a pipe"
        );
        let off = ColourEnv {
            clicolor_off: true,
            ..none.clone()
        };
        assert!(!colour(ColorFlag::Auto, &off, true));
        let dumb = ColourEnv { dumb: true, ..none };
        assert!(!colour(ColorFlag::Auto, &dumb, true));
    }

    #[test]
    fn widths_count_display_columns() {
        assert_eq!(width("abc"), 3);
        assert_eq!(width("字幕"), 4);
        assert_eq!(pad("字幕", 6), "字幕  ");
        assert_eq!(pad("toolong", 3), "toolong");
        assert_eq!(widest(["a", "字幕字"], 2), 6);
    }

    #[test]
    fn paint_wraps_in_codes_that_strip_to_the_text() {
        let p = painted(Tone::Bad, "FAILING");
        assert!(p.starts_with('\u{1b}') && p.contains("FAILING"));
        let mut plain = Vec::new();
        {
            use std::io::Write;
            let mut s = anstream::StripStream::new(&mut plain);
            s.write_all(p.as_bytes()).unwrap();
        }
        assert_eq!(String::from_utf8(plain).unwrap(), "FAILING");
        assert_eq!(painted(Tone::Good, ""), "");
    }
}
