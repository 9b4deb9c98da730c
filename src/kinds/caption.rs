//! `kind.caption_parses`: a caption file parses as the format its content
//! is, minimally (full caption QC is a later step):
//!
//! - SRT: numbered cues, each with a `start --> end` timing line whose start
//!   is before its end;
//! - WebVTT: the `WEBVTT` header, then cues with valid timings, start before end;
//! - TTML: well-formed XML whose root is `tt`; entity declarations are
//!   refused, never expanded;
//! - SCC: the `Scenarist_SCC V1.0` header, then timecode lines of hex words;
//! - EBU STL: read by its full parser alone (GSI, then every TTI block).
//!
//! Parse errors name the line (or byte) where the file goes wrong.
//!
//! Every format is read by its full parser in [`crate::captions`] (every
//! problem located, the first one shown, the rest counted); TTML and SCC
//! are first checked for structure by the minimal parse below (its
//! messages name the unclosed element, the refused entity, the bad word).
//! An event that ends before it starts is left to the caption rule
//! `captions.start_before_end` when the file's report has it: said once.

use super::{failed, io_words, not_evaluated, passed, read_head, KindCheck, Subject};
use crate::captions::{self, CaptionFormat};
use crate::inventory::sniff::FileKind;
use crate::spec::Finding;
use quick_xml::events::Event;

/// The rule id.
pub const RULE: &str = "kind.caption_parses";

/// The caption rule that reports an event ending before it starts.
pub const TIMING_RULE: &str = "captions.start_before_end";

/// Largest caption file parsed (a feature's captions are well under 1 MB;
/// a 50 MB SRT of 472 571 events peaks at 430 MB, 8.6× the file, under a
/// check — docs/kinds.md).
pub const PARSE_LIMIT_BYTES: u64 = 64 * 1024 * 1024;

/// Deepest TTML element nesting accepted.
const MAX_DEPTH: usize = 256;

/// The caption check.
pub struct Caption;

type Parse = fn(&[u8]) -> Result<String, String>;

impl KindCheck for Caption {
    fn check(&self, file: &Subject) -> Vec<Finding> {
        let s = file.scanned;
        if s.kind != FileKind::Caption {
            return Vec::new();
        }
        let (label, format, minimal): (&str, CaptionFormat, Option<Parse>) =
            match s.format.as_deref() {
                Some("srt") => ("SRT", CaptionFormat::Srt, None),
                Some("webvtt") => ("WebVTT", CaptionFormat::Webvtt, None),
                Some("ttml") => ("TTML", CaptionFormat::Ttml, Some(ttml)),
                Some("scc") => ("SCC", CaptionFormat::Scc, Some(scc)),
                Some("ebu-stl") => ("EBU STL", CaptionFormat::EbuStl, None),
                _ => return Vec::new(),
            };
        let parse = |bytes: &[u8]| {
            let structure = minimal.map(|m| m(bytes)).transpose()?;
            let events = full(format, bytes, file.timing_judged)?;
            Ok(structure.unwrap_or(events))
        };
        vec![check_caption(file, label, &parse)]
    }
}

fn check_caption(
    file: &Subject,
    label: &str,
    parse: &dyn Fn(&[u8]) -> Result<String, String>,
) -> Finding {
    let expected = format!("{label} captions that parse");
    let bytes = match read_head(file.path, PARSE_LIMIT_BYTES) {
        Ok((_, len)) if len > PARSE_LIMIT_BYTES => {
            let reason =
                format!("the file is {len} bytes; captions are parsed up to {PARSE_LIMIT_BYTES}");
            return not_evaluated(RULE, &expected, reason);
        }
        Ok((bytes, _)) => bytes,
        Err(e) => {
            let message = format!("the {label} file cannot be read: {}", io_words(&e));
            return failed(RULE, &expected, "unreadable", message);
        }
    };
    match parse(&bytes) {
        Ok(summary) => passed(RULE, &expected, summary),
        Err(why) => failed(
            RULE,
            &expected,
            "does not parse",
            format!("the {label} captions do not parse: {why}"),
        ),
    }
}

/// The text without a UTF-8 byte order mark (other bytes replaced, not refused:
/// the minimal parse is about structure, not encoding).
fn text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

/// A line shown in a message: trimmed, at most 40 characters.
fn shown(line: &str) -> String {
    let line = line.trim();
    let short: String = line.chars().take(40).collect();
    if short.len() < line.len() {
        format!("`{short}…`")
    } else {
        format!("`{short}`")
    }
}

fn cues(n: usize) -> String {
    match n {
        1 => "1 cue".to_string(),
        n => format!("{n} cues"),
    }
}

// ---------------------------------------------------------------------------
// The full parsers

#[cfg(test)]
pub(super) fn srt(bytes: &[u8]) -> Result<String, String> {
    full(CaptionFormat::Srt, bytes, false)
}

#[cfg(test)]
pub(super) fn webvtt(bytes: &[u8]) -> Result<String, String> {
    full(CaptionFormat::Webvtt, bytes, false)
}

/// `format` parsed: the cue count, or the first located problem (and how
/// many more there are); events ending before they start left out when
/// `timing_judged` (the caption rule reports them).
pub(super) fn full(
    format: CaptionFormat,
    bytes: &[u8],
    timing_judged: bool,
) -> Result<String, String> {
    let doc = captions::parse(format, bytes).map_err(|p| p.to_string())?;
    let problems: Vec<&captions::ParseProblem> = doc
        .problems
        .iter()
        .filter(|p| !(timing_judged && p.timing))
        .collect();
    match problems.as_slice() {
        [] => Ok(cues(doc.events.len())),
        [one] => Err(one.to_string()),
        [first, rest @ ..] => Err(format!("{first} (and {} more problems)", rest.len())),
    }
}

// ---------------------------------------------------------------------------
// TTML

pub(super) fn ttml(bytes: &[u8]) -> Result<String, String> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err("the file is UTF-16; TTML is read as UTF-8 only".into());
    }
    let line_at = |pos: u64| {
        let pos = usize::try_from(pos).unwrap_or(usize::MAX).min(bytes.len());
        1 + bytes[..pos].iter().filter(|&&b| b == b'\n').count()
    };
    let mut reader = quick_xml::Reader::from_reader(bytes);
    reader.config_mut().check_end_names = true;
    let mut open: Vec<(String, usize)> = Vec::new();
    let mut root_done = false;
    let mut paragraphs = 0usize;
    loop {
        let at = line_at(reader.buffer_position());
        let event = reader.read_event().map_err(|e| {
            format!(
                "line {}: the XML is not well-formed: {e}",
                line_at(reader.error_position())
            )
        })?;
        match event {
            Event::Start(e) | Event::Empty(e) if root_done => {
                let name = e.name().as_ref().to_string();
                return Err(format!(
                    "line {at}: <{name}> after the end of the root element"
                ));
            }
            Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                check_root(&open, e.local_name().as_ref(), &name, at)?;
                paragraphs += usize::from(e.local_name().as_ref() == "p");
                if open.len() >= MAX_DEPTH {
                    return Err(format!(
                        "line {at}: elements nested deeper than {MAX_DEPTH}"
                    ));
                }
                open.push((name, at));
            }
            Event::Empty(e) => {
                let name = e.name().as_ref().to_string();
                check_root(&open, e.local_name().as_ref(), &name, at)?;
                paragraphs += usize::from(e.local_name().as_ref() == "p");
                root_done |= open.is_empty();
            }
            Event::End(_) => {
                open.pop();
                root_done |= open.is_empty();
            }
            Event::DocType(d) if d.as_ref().contains("<!ENTITY") => {
                return Err(format!(
                    "line {at}: the document declares entities; signoff never expands them"
                ));
            }
            Event::GeneralRef(r) => {
                let name = r.as_ref().to_string();
                let known = matches!(name.as_str(), "lt" | "gt" | "amp" | "apos" | "quot");
                let char_ok = r.is_char_ref() && matches!(r.resolve_char_ref(), Ok(Some(_)));
                if !known && !char_ok {
                    return Err(format!("line {at}: unknown entity `&{name};`"));
                }
            }
            Event::Text(t) if open.is_empty() && !t.as_ref().trim().is_empty() => {
                return Err(format!("line {at}: text outside the root element"));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some((name, line)) = open.first() {
        let (inner, inner_line) = open.last().cloned().unwrap_or_default();
        return Err(format!(
            "the file ends before <{inner}> (line {inner_line}) is closed; <{name}> opened on line {line} is never closed"
        ));
    }
    if !root_done {
        return Err("the file holds no <tt> element".into());
    }
    Ok(match paragraphs {
        1 => "1 paragraph".into(),
        n => format!("{n} paragraphs"),
    })
}

/// The first element must be `tt` (any prefix).
fn check_root(
    open: &[(String, usize)],
    local: &str,
    name: &str,
    line: usize,
) -> Result<(), String> {
    if open.is_empty() && local != "tt" {
        return Err(format!(
            "line {line}: the root element is <{name}>, not <tt>"
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// SCC

pub(super) fn scc(bytes: &[u8]) -> Result<String, String> {
    let text = text(bytes);
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim_end()));
    let header = lines.next().map_or("", |(_, l)| l);
    if header != "Scenarist_SCC V1.0" {
        return Err(format!(
            "line 1: expected the `Scenarist_SCC V1.0` header, found {}",
            shown(header)
        ));
    }
    let mut count = 0;
    for (n, line) in lines.filter(|(_, l)| !l.trim().is_empty()) {
        let mut words = line.split_whitespace();
        let tc = words.next().unwrap_or("");
        if !is_scc_timecode(tc) {
            return Err(format!(
                "line {n}: expected a timecode (HH:MM:SS:FF or HH:MM:SS;FF), found {}",
                shown(tc)
            ));
        }
        let mut any = false;
        for w in words {
            if w.len() != 4 || !w.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!(
                    "line {n}: {} is not a 4-digit hex caption word",
                    shown(w)
                ));
            }
            any = true;
        }
        if !any {
            return Err(format!("line {n}: the timecode {tc} has no caption data"));
        }
        count += 1;
    }
    if count == 0 {
        return Err("the file holds no caption lines".into());
    }
    Ok(match count {
        1 => "1 timed line".into(),
        n => format!("{n} timed lines"),
    })
}

fn is_scc_timecode(tc: &str) -> bool {
    let b = tc.as_bytes();
    let pair = |i: usize, max: u8| {
        b.get(i..i + 2).is_some_and(|d| {
            d.iter().all(u8::is_ascii_digit) && (d[0] - b'0') * 10 + (d[1] - b'0') <= max
        })
    };
    b.len() == 11
        && pair(0, 99)
        && b[2] == b':'
        && pair(3, 59)
        && b[5] == b':'
        && pair(6, 59)
        && matches!(b[8], b':' | b';')
        && pair(9, 29)
}
