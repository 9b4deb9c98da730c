//! Caption and subtitle files: parsed into one model ([`model`]) with
//! located errors, then checked by the caption rules.
//!
//! [`parse`] reads a whole file as one format: `Err` when it cannot be read
//! as that format at all (empty, binary, no header, no cue), otherwise a
//! [`CaptionDoc`] whose `problems` list what did not parse cleanly, each
//! with its line and column (byte offset for EBU STL).

pub mod context;
pub mod encoding;
pub mod master;
pub mod metrics;
pub mod model;
pub mod scc;
pub mod srt;
pub mod stl;
pub mod timeline;
pub mod ttml;
pub mod webvtt;

pub use model::{
    CaptionDoc, CaptionEvent, CaptionFormat, Encoding, FrameRate, Location, ParseProblem,
};

/// Most problems one file keeps (the rest are counted in a last one), so a
/// hostile file cannot grow the list without bound.
pub const MAX_PROBLEMS: usize = 200;

/// Reads `bytes` as `format`.
pub fn parse(format: CaptionFormat, bytes: &[u8]) -> Result<CaptionDoc, ParseProblem> {
    if bytes.is_empty() {
        return Err(ParseProblem::new(
            Location::default(),
            "the file is empty (0 bytes)",
        ));
    }
    let doc = match format {
        CaptionFormat::Srt => srt::parse(bytes),
        CaptionFormat::Webvtt => webvtt::parse(bytes),
        CaptionFormat::Ttml => ttml::parse(bytes),
        CaptionFormat::Scc => scc::parse(bytes),
        CaptionFormat::EbuStl => stl::parse(bytes),
    }?;
    if doc.events.is_empty() {
        let first = doc.problems.first().cloned();
        return Err(first.unwrap_or_else(|| {
            ParseProblem::new(Location::default(), "the file holds no timed captions")
        }));
    }
    Ok(doc)
}

/// The problems of one parse, at most [`MAX_PROBLEMS`] kept.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    kept: Vec<ParseProblem>,
    more: usize,
    first_more: Option<Location>,
}

impl Problems {
    /// Records a problem.
    pub(crate) fn push(&mut self, at: Location, message: impl Into<String>) {
        if self.kept.len() < MAX_PROBLEMS {
            self.kept.push(ParseProblem::new(at, message));
        } else {
            self.more += 1;
            self.first_more.get_or_insert(at);
        }
    }

    /// Records a problem already made.
    pub(crate) fn add(&mut self, problem: ParseProblem) {
        if self.kept.len() < MAX_PROBLEMS {
            self.kept.push(problem);
        } else {
            self.push(problem.at, problem.message);
        }
    }

    /// Records an event that ends at or before it starts.
    pub(crate) fn push_timing(&mut self, at: Location, message: impl Into<String>) {
        self.add(ParseProblem::timing(at, message));
    }

    /// The list, with a last entry counting those not kept.
    pub(crate) fn finish(mut self) -> Vec<ParseProblem> {
        if let Some(at) = self.first_more {
            let more = self.more;
            self.kept.push(ParseProblem::new(
                at,
                format!("{more} more problems from here on are not listed"),
            ));
        }
        self.kept
    }
}

/// A piece of a file shown in a message: trimmed, at most 40 characters,
/// in backquotes.
pub(crate) fn shown(s: &str) -> String {
    let s = s.trim();
    let short: String = s.chars().take(40).collect();
    if short.len() < s.len() {
        format!("`{short}…`")
    } else {
        format!("`{short}`")
    }
}

/// Milliseconds as `HH:MM:SS.mmm`.
pub(crate) fn clock_ms(ms: u64) -> String {
    let (s, ms) = (ms / 1000, ms % 1000);
    format!("{:02}:{:02}:{:02}.{ms:03}", s / 3600, s / 60 % 60, s % 60)
}

/// `H+:MM:SS<sep>mmm` in milliseconds (hours optional when
/// `hours_optional`, as WebVTT allows); `None` when it is not one.
pub(crate) fn timestamp_ms(stamp: &str, seps: &[char], hours_optional: bool) -> Option<u64> {
    let (clock, millis) = stamp.split_once(seps)?;
    let parts: Vec<&str> = clock.split(':').collect();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (h, m, s) = match parts.as_slice() {
        [h, m, s] if digits(h) && h.len() <= 4 => (h.parse::<u64>().ok()?, *m, *s),
        [m, s] if hours_optional => (0, *m, *s),
        _ => return None,
    };
    let two = |x: &str| (x.len() == 2 && digits(x)).then(|| x.parse::<u64>().ok())?;
    let (m, s) = (two(m)?, two(s)?);
    if m > 59 || s > 59 || millis.len() != 3 || !digits(millis) {
        return None;
    }
    Some(((h * 60 + m) * 60 + s) * 1000 + millis.parse::<u64>().ok()?)
}

/// Markup removed from a cue line: `<…>` tags, `{\…}` override blocks and
/// the character references `&amp; &lt; &gt; &nbsp; &lrm; &rlm; &quot;`.
pub(crate) fn plain(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        let skip = match c {
            '<' if rest[1..].starts_with(|n: char| n.is_alphanumeric() || n == '/') => {
                rest.find('>').map(|e| e + 1)
            }
            '{' if rest.starts_with("{\\") => rest.find('}').map(|e| e + 1),
            '&' => entity(rest).map(|(ch, n)| {
                out.push(ch);
                n
            }),
            _ => None,
        };
        match skip {
            Some(n) => rest = &rest[n..],
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

fn entity(s: &str) -> Option<(char, usize)> {
    const NAMED: &[(&str, char)] = &[
        ("&amp;", '&'),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&nbsp;", '\u{a0}'),
        ("&lrm;", '\u{200e}'),
        ("&rlm;", '\u{200f}'),
        ("&quot;", '"'),
        ("&apos;", '\''),
    ];
    NAMED
        .iter()
        .find(|(name, _)| s.starts_with(name))
        .map(|&(name, c)| (c, name.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_removed_and_entities_read() {
        assert_eq!(
            plain("<i>Hi</i> {\\an8}there &amp; <c.red>you</c>"),
            "Hi there & you"
        );
        assert_eq!(plain("a < b & c > d"), "a < b & c > d");
    }

    #[test]
    fn empty_files_and_files_without_cues_are_refused() {
        let e = parse(CaptionFormat::Srt, b"").unwrap_err();
        assert_eq!(e.to_string(), "the file is empty (0 bytes)");
        let e = parse(CaptionFormat::Srt, b"\n\n").unwrap_err();
        assert_eq!(e.to_string(), "the file holds no timed captions");
    }

    #[test]
    fn problems_are_bounded() {
        let mut p = Problems::default();
        for i in 0..MAX_PROBLEMS + 5 {
            p.push(
                Location {
                    line: i as u32 + 1,
                    column: 1,
                    byte: 0,
                },
                "x",
            );
        }
        let list = p.finish();
        assert_eq!(list.len(), MAX_PROBLEMS + 1);
        assert_eq!(
            list.last().unwrap().to_string(),
            format!(
                "line {}: 5 more problems from here on are not listed",
                MAX_PROBLEMS + 1
            )
        );
    }
}
