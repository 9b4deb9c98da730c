//! How a caption text file is encoded, found from its bytes (a BOM, UTF-8
//! validity, the NUL pattern of UTF-16, a Latin-1 guess), and its text
//! decoded with a line table so every problem can be located.

use super::model::{Encoding, Location, ParseProblem};
use std::borrow::Cow;

/// How the decoded text maps back to the file's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// UTF-8 (possibly after a 3-byte BOM): bytes as they are.
    Utf8,
    /// One byte per character (Latin-1 or Windows-1252).
    SingleByte,
    /// Two bytes per UTF-16 code unit.
    Utf16,
}

/// A caption file's text with its line table.
#[derive(Debug)]
pub struct Text<'a> {
    /// The decoded text (borrowed when the file is UTF-8), BOM removed.
    pub text: Cow<'a, str>,
    /// What was found about the encoding.
    pub encoding: Encoding,
    /// A problem with the encoding itself (not UTF-8), located.
    pub problem: Option<ParseProblem>,
    source: Source,
    /// Bytes before the text (the BOM).
    skipped: u32,
    /// Byte offset in `text` where each line starts.
    starts: Vec<u32>,
    /// Byte offset in the file where each line starts.
    file_starts: Vec<u32>,
}

/// One line of a [`Text`], without its terminator.
#[derive(Debug, Clone, Copy)]
pub struct Line<'t> {
    /// 1-based line number.
    pub number: u32,
    /// Byte offset in the decoded text where the line starts.
    pub start: usize,
    /// The line.
    pub text: &'t str,
}

/// Windows-1252's characters for 0x80–0x9F (the C1 control where unassigned).
const CP1252: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

/// A byte as Windows-1252 (Latin-1 outside 0x80–0x9F).
fn cp1252(b: u8) -> char {
    match b {
        0x80..=0x9F => CP1252[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// Which UTF-16 byte order the NUL pattern of the first bytes suggests
/// (mostly-ASCII text has a NUL in every other byte).
fn utf16_by_nuls(bytes: &[u8]) -> Option<bool> {
    let head = &bytes[..bytes.len().min(4096) & !1];
    let pairs = head.len() / 2;
    if pairs < 2 {
        return None;
    }
    let even = head.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    if odd * 4 >= pairs * 3 && even * 8 < pairs {
        Some(true)
    } else if even * 4 >= pairs * 3 && odd * 8 < pairs {
        Some(false)
    } else {
        None
    }
}

fn utf16(bytes: &[u8], little: bool) -> String {
    let units = bytes.chunks_exact(2).map(|p| {
        if little {
            u16::from_le_bytes([p[0], p[1]])
        } else {
            u16::from_be_bytes([p[0], p[1]])
        }
    });
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Decodes `bytes` (a text caption format), or says why they are no text.
pub fn decode(bytes: &[u8]) -> Result<Text<'_>, ParseProblem> {
    if bytes.starts_with(&[0xFF, 0xFE, 0, 0]) || bytes.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return Err(ParseProblem::new(
            Location::default(),
            "the file is UTF-32, not UTF-8; save it as UTF-8",
        ));
    }
    let mut encoding = Encoding::default();
    let (text, source, skipped, label) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        encoding.utf8_bom = true;
        utf8_or_guess(rest, 3)?
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        (Cow::Owned(utf16(rest, true)), Source::Utf16, 2, "UTF-16LE")
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        (Cow::Owned(utf16(rest, false)), Source::Utf16, 2, "UTF-16BE")
    } else if let Some(little) = utf16_by_nuls(bytes) {
        let label = if little { "UTF-16LE" } else { "UTF-16BE" };
        (Cow::Owned(utf16(bytes, little)), Source::Utf16, 0, label)
    } else {
        utf8_or_guess(bytes, 0)?
    };
    encoding.utf8_valid = source == Source::Utf8;
    let mut decoded = Text {
        text,
        encoding,
        problem: None,
        source,
        skipped,
        starts: Vec::new(),
        file_starts: Vec::new(),
    };
    decoded.index_lines();
    decoded.note_encoding(bytes, label);
    Ok(decoded)
}

type Decoded<'a> = (Cow<'a, str>, Source, u32, &'static str);

/// UTF-8 when valid, else Windows-1252 (refusing binary with NULs).
fn utf8_or_guess(bytes: &[u8], skipped: u32) -> Result<Decoded<'_>, ParseProblem> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((Cow::Borrowed(s), Source::Utf8, skipped, "UTF-8")),
        Err(_) if bytes.contains(&0) => {
            let at = bytes.iter().position(|&b| b == 0).unwrap_or(0) as u64;
            Err(ParseProblem::new(
                Location { line: 0, column: 0, byte: at + u64::from(skipped) },
                format!(
                    "byte {}: the file holds NUL bytes and is not UTF-8 text: it is binary or in an encoding signoff does not read",
                    at + u64::from(skipped)
                ),
            ))
        }
        Err(_) => {
            let text: String = bytes.iter().map(|&b| cp1252(b)).collect();
            Ok((
                Cow::Owned(text),
                Source::SingleByte,
                skipped,
                "Latin-1 or Windows-1252",
            ))
        }
    }
}

impl<'a> Text<'a> {
    /// Builds the line tables: a line ends at LF, CR LF or a lone CR.
    fn index_lines(&mut self) {
        let bytes = self.text.as_bytes();
        let mut starts = vec![0u32];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    i += 2;
                    starts.push(i as u32);
                }
                b'\n' | b'\r' => {
                    i += 1;
                    starts.push(i as u32);
                }
                _ => i += 1,
            }
        }
        let file_starts = match self.source {
            Source::Utf8 => starts.iter().map(|s| s + self.skipped).collect(),
            _ => {
                let mut out = Vec::with_capacity(starts.len());
                let mut units = 0u32;
                let mut prev = 0usize;
                for &s in &starts {
                    units += self.units(&self.text[prev..s as usize]);
                    prev = s as usize;
                    out.push(units + self.skipped);
                }
                out
            }
        };
        self.starts = starts;
        self.file_starts = file_starts;
    }

    /// How many file bytes `s` took.
    fn units(&self, s: &str) -> u32 {
        let n = match self.source {
            Source::Utf8 => s.len(),
            Source::SingleByte => s.chars().count(),
            Source::Utf16 => s.encode_utf16().count() * 2,
        };
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// Records what the encoding is and counts control characters.
    fn note_encoding(&mut self, bytes: &[u8], label: &str) {
        let mut first_control = None;
        let mut controls = 0usize;
        for (i, c) in self.text.char_indices() {
            if c.is_control() && !matches!(c, '\t' | '\r' | '\n') {
                controls += 1;
                first_control.get_or_insert(i);
            }
        }
        self.encoding.control_chars = controls;
        let invalid = match self.source {
            Source::Utf8 => None,
            Source::SingleByte => {
                let body = &bytes[self.skipped as usize..];
                let valid = std::str::from_utf8(body).map_or_else(|e| e.valid_up_to(), |_| 0);
                // The character index of the first bad byte is its byte index
                // in a single-byte encoding.
                self.text.char_indices().nth(valid).map(|(i, _)| i)
            }
            Source::Utf16 => Some(0),
        };
        if self.source != Source::Utf8 {
            self.encoding.detected = Some(label.to_string());
        }
        self.encoding.first_bad = invalid.or(first_control).map(|i| self.at(i));
        self.problem = invalid.map(|i| self.encoding_problem(bytes, i, label));
    }

    fn encoding_problem(&self, bytes: &[u8], i: usize, label: &str) -> ParseProblem {
        let at = self.at(i);
        let message = if self.source == Source::Utf16 {
            format!(
                "the file is {label}, not UTF-8; its text was read as {label}: save it as UTF-8"
            )
        } else {
            let byte = bytes.get(at.byte as usize).copied().unwrap_or(0);
            let shown: String = self.text[i..].chars().next().into_iter().collect();
            format!(
                "the file is not UTF-8: byte 0x{byte:02X} (`{shown}` in {label}) is not valid UTF-8; it looks like {label}: save it as UTF-8"
            )
        };
        ParseProblem::new(at, message)
    }

    /// Where byte `pos` of the decoded text is in the file.
    pub fn at(&self, pos: usize) -> Location {
        let pos = pos.min(self.text.len());
        let line = self.starts.partition_point(|&s| s as usize <= pos).max(1) - 1;
        let start = self.starts[line] as usize;
        let prefix = self.text.get(start..pos).unwrap_or("");
        Location {
            line: u32::try_from(line + 1).unwrap_or(u32::MAX),
            column: u32::try_from(prefix.chars().count() + 1).unwrap_or(u32::MAX),
            byte: u64::from(self.file_starts[line]) + u64::from(self.units(prefix)),
        }
    }

    /// The file's lines, in order.
    pub fn lines(&self) -> impl Iterator<Item = Line<'_>> + '_ {
        let text: &str = &self.text;
        self.starts.iter().enumerate().filter_map(move |(i, &s)| {
            let s = s as usize;
            let end = self.starts.get(i + 1).map_or(text.len(), |&e| e as usize);
            if s == text.len() && i > 0 {
                return None;
            }
            let line = text[s..end].trim_end_matches(['\n', '\r']);
            Some(Line {
                number: u32::try_from(i + 1).unwrap_or(u32::MAX),
                start: s,
                text: line,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_bom_is_noted_and_located_after_it() {
        let t = decode(b"\xEF\xBB\xBFab\ncd").unwrap();
        assert!(t.encoding.utf8_bom && t.encoding.utf8_valid && t.problem.is_none());
        assert_eq!(
            t.at(4),
            Location {
                line: 2,
                column: 2,
                byte: 7
            }
        );
        let lines: Vec<_> = t.lines().map(|l| (l.number, l.text)).collect();
        assert_eq!(lines, [(1, "ab"), (2, "cd")]);
    }

    #[test]
    fn latin1_is_guessed_decoded_and_located() {
        // "1\r\ncaf\xE9" — é in Latin-1 at line 2, column 4, byte 6.
        let t = decode(b"1\r\ncaf\xE9\r\n").unwrap();
        assert_eq!(t.text, "1\r\ncafé\r\n");
        assert_eq!(
            t.encoding.detected.as_deref(),
            Some("Latin-1 or Windows-1252")
        );
        let p = t.problem.unwrap();
        assert_eq!(
            p.at,
            Location {
                line: 2,
                column: 4,
                byte: 6
            }
        );
        assert!(
            p.message
                .contains("byte 0xE9 (`é` in Latin-1 or Windows-1252)"),
            "{}",
            p.message
        );
        assert_eq!(cp1252(0x93), '“');
    }

    #[test]
    fn utf16_is_found_by_bom_or_nuls() {
        let le: Vec<u8> = "<tt>\né</tt>"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let with_bom = [&[0xFF, 0xFE][..], &le].concat();
        let t = decode(&with_bom).unwrap();
        assert_eq!(t.text, "<tt>\né</tt>");
        assert!(t
            .problem
            .as_ref()
            .unwrap()
            .message
            .starts_with("the file is UTF-16LE, not UTF-8"));
        // `é` is line 2, column 1: bytes 2 (BOM) + 5 units × 2.
        assert_eq!(
            t.at(5),
            Location {
                line: 2,
                column: 1,
                byte: 12
            }
        );
        let be: Vec<u8> = "<tt></tt>"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(
            decode(&be).unwrap().encoding.detected.as_deref(),
            Some("UTF-16BE")
        );
    }

    #[test]
    fn control_characters_are_counted_and_binary_refused() {
        let t = decode(b"a\x07b\n\x1b").unwrap();
        assert_eq!(t.encoding.control_chars, 2);
        assert_eq!(
            t.encoding.first_bad,
            Some(Location {
                line: 1,
                column: 2,
                byte: 1
            })
        );
        assert!(t.problem.is_none());
        let e = decode(b"\x89PNG\0\0\xff").unwrap_err();
        assert!(e.message.contains("NUL bytes"), "{}", e.message);
    }
}
