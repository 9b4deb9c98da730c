//! EBU STL (EBU Tech 3264): a 1024-byte GSI block, then 128-byte TTI
//! blocks. The GSI gives the code page (CPN), the frame rate (DFC
//! `STL25.01` or `STL30.01`), the display standard (DSC), the character
//! table (CCT), the language (LC) and the block count (TNB). Each TTI block
//! holds a subtitle's group (SGN) and number (SN), its extension block
//! number (EBN: `FF` for the last or only block of a subtitle, `FE` for
//! user data), cumulative status (CS), in and out timecodes (TCI, TCO:
//! hours, minutes, seconds, frames as binary bytes), vertical position
//! (VP), justification (JC), comment flag (CF) and 112 bytes of text (TF):
//! characters of the CCT table, teletext control codes (colours, double
//! height, italics: white space), `8A` for a new line and `8F` filling the rest.
//! CCT 00 is ISO 6937 Latin, its accents (`C1`–`CF`) prefixed to the letter
//! they go on; CCT 01 is ISO 8859-5 Cyrillic. Times are the timecodes as
//! written, at 25 fps or (STL30.01) 30-frame timecode at 30000/1001, as
//! SCC. Every problem names the TTI block (from 1) and its byte offset.

use super::model::{
    CaptionDoc, CaptionEvent, CaptionFormat, Encoding, FrameRate, Location, ParseProblem,
};
use super::{shown, Problems};

const GSI_BYTES: usize = 1024;
const TTI_BYTES: usize = 128;

/// What the GSI block says that the TTI blocks are read with.
struct Gsi {
    /// Nominal frames per second of the timecodes (25 or 30).
    nominal: u8,
    rate: FrameRate,
    cct: u8,
}

fn at(byte: usize) -> Location {
    Location {
        line: 0,
        column: 0,
        byte: byte as u64,
    }
}

fn field(bytes: &[u8], from: usize, to: usize) -> String {
    bytes[from..to].iter().map(|&b| char::from(b)).collect()
}

/// Reads `bytes` as EBU STL.
pub fn parse(bytes: &[u8]) -> Result<CaptionDoc, ParseProblem> {
    if bytes.len() < GSI_BYTES {
        return Err(ParseProblem::new(
            Location::default(),
            format!(
                "the file is {} bytes, shorter than the 1024-byte GSI block of EBU STL",
                bytes.len()
            ),
        ));
    }
    let mut problems = Problems::default();
    let gsi = gsi(bytes, &mut problems)?;
    let mut doc = CaptionDoc::new(CaptionFormat::EbuStl, encoding(gsi.cct));
    doc.frame_rate = Some(gsi.rate);
    doc.language = language(&field(bytes, 14, 16), &mut problems);
    let body = &bytes[GSI_BYTES..];
    let whole = body.len() / TTI_BYTES;
    if !body.len().is_multiple_of(TTI_BYTES) {
        problems.push(
            at(GSI_BYTES + whole * TTI_BYTES),
            format!(
                "{} bytes after the last whole 128-byte TTI block (the file is cut short or padded)",
                body.len() % TTI_BYTES
            ),
        );
    }
    block_count(bytes, whole, &mut problems);
    let mut reader = Blocks {
        gsi: &gsi,
        pending: None,
        events: Vec::new(),
    };
    for k in 0..whole {
        let offset = GSI_BYTES + k * TTI_BYTES;
        reader.block(
            k + 1,
            offset,
            &bytes[offset..offset + TTI_BYTES],
            &mut problems,
        );
    }
    reader.flush(&mut problems);
    doc.events = reader.events;
    doc.problems = problems.finish();
    Ok(doc)
}

/// The GSI block's fields the parse needs; `Err` when the frame rate
/// cannot be known (no time could be read).
fn gsi(bytes: &[u8], problems: &mut Problems) -> Result<Gsi, ParseProblem> {
    let cpn = field(bytes, 0, 3);
    if !matches!(cpn.as_str(), "437" | "850" | "860" | "863" | "865") {
        problems.push(
            at(0),
            format!(
                "the GSI code page number (CPN) {} is not one EBU Tech 3264 defines (437, 850, 860, 863, 865)",
                shown(&cpn)
            ),
        );
    }
    let dfc = field(bytes, 3, 11);
    let (nominal, rate) = match dfc.as_str() {
        "STL25.01" => (25, FrameRate { num: 25, den: 1 }),
        "STL30.01" => (
            30,
            FrameRate {
                num: 30000,
                den: 1001,
            },
        ),
        _ => {
            return Err(ParseProblem::new(
                at(3),
                format!(
                    "the GSI disk format code (DFC) {} is neither STL25.01 nor STL30.01: the frame rate of the timecodes is unknown",
                    shown(&dfc)
                ),
            ))
        }
    };
    let dsc = bytes[11];
    if !matches!(dsc, b' ' | b'0' | b'1' | b'2' | b'3') {
        problems.push(
            at(11),
            format!(
                "the GSI display standard code (DSC) `{}` is not blank, 0, 1, 2 or 3",
                char::from(dsc)
            ),
        );
    }
    let cct_text = field(bytes, 12, 14);
    let cct = match cct_text.as_str() {
        "00" | "01" | "02" | "03" | "04" => cct_text.parse().unwrap_or(0),
        _ => {
            problems.push(
                at(12),
                format!(
                    "the GSI character code table (CCT) {} is not 00–04; the text is read as 00 (Latin)",
                    shown(&cct_text)
                ),
            );
            0
        }
    };
    Ok(Gsi { nominal, rate, cct })
}

/// The GSI's total number of TTI blocks (TNB) against the blocks the file holds.
fn block_count(bytes: &[u8], whole: usize, problems: &mut Problems) {
    let tnb = field(bytes, 238, 243);
    match tnb.trim().parse::<usize>() {
        Ok(n) if n == whole => {}
        Ok(n) => problems.push(
            at(238),
            format!(
                "the GSI says {n} TTI blocks (TNB), the file holds {whole} ({} bytes after the GSI)",
                bytes.len() - GSI_BYTES
            ),
        ),
        Err(_) => problems.push(
            at(238),
            format!(
                "the GSI total number of TTI blocks (TNB) {} is not a number",
                shown(&tnb)
            ),
        ),
    }
}

fn encoding(cct: u8) -> Encoding {
    let table = match cct {
        1 => "01, Latin/Cyrillic (ISO 8859-5)",
        2 => "02, Latin/Arabic (ISO 8859-6)",
        3 => "03, Latin/Greek (ISO 8859-7)",
        4 => "04, Latin/Hebrew (ISO 8859-8)",
        _ => "00, Latin (ISO 6937)",
    };
    Encoding {
        utf8_bom: false,
        utf8_valid: false,
        detected: Some(format!("EBU STL character code table {table}")),
        first_bad: None,
        control_chars: 0,
    }
}

/// The GSI language code (LC, EBU Tech 3264 appendix 3) as a language tag.
fn language(lc: &str, problems: &mut Problems) -> Option<String> {
    const CODES: &[(&str, &str)] = &[
        ("01", "sq"),
        ("02", "br"),
        ("03", "ca"),
        ("04", "hr"),
        ("05", "cy"),
        ("06", "cs"),
        ("07", "da"),
        ("08", "de"),
        ("09", "en"),
        ("0A", "es"),
        ("0B", "eo"),
        ("0C", "et"),
        ("0D", "eu"),
        ("0E", "fo"),
        ("0F", "fr"),
        ("10", "fy"),
        ("11", "ga"),
        ("12", "gd"),
        ("13", "gl"),
        ("14", "is"),
        ("15", "it"),
        ("16", "se"),
        ("17", "la"),
        ("18", "lv"),
        ("19", "lb"),
        ("1A", "lt"),
        ("1B", "hu"),
        ("1C", "mt"),
        ("1D", "nl"),
        ("1E", "no"),
        ("1F", "oc"),
        ("20", "pl"),
        ("21", "pt"),
        ("22", "ro"),
        ("23", "rm"),
        ("24", "sr"),
        ("25", "sk"),
        ("26", "sl"),
        ("27", "fi"),
        ("28", "sv"),
        ("29", "tr"),
        ("2A", "nl-BE"),
        ("2B", "wa"),
        ("49", "uk"),
        ("56", "ru"),
        ("65", "ko"),
        ("69", "ja"),
        ("6B", "hi"),
        ("6C", "he"),
        ("70", "el"),
        ("75", "zh"),
        ("77", "bg"),
        ("7E", "ar"),
    ];
    let lc = lc.trim();
    if lc.is_empty() || lc == "00" {
        return None;
    }
    let found = CODES
        .iter()
        .find(|(code, _)| code.eq_ignore_ascii_case(lc))
        .map(|(_, tag)| tag.to_string());
    if found.is_none() {
        problems.push(
            at(14),
            format!(
                "the GSI language code (LC) {} is not one signoff knows (EBU Tech 3264 appendix 3)",
                shown(lc)
            ),
        );
    }
    found
}

/// A subtitle whose extension blocks are still being read.
struct Pending {
    sn: u16,
    block: usize,
    offset: usize,
    times: Option<(i64, i64)>,
    text: Vec<u8>,
}

/// The TTI blocks read so far.
struct Blocks<'a> {
    gsi: &'a Gsi,
    pending: Option<Pending>,
    events: Vec<CaptionEvent>,
}

impl Blocks<'_> {
    /// Reads TTI block number `k` (from 1) at byte `offset`.
    fn block(&mut self, k: usize, offset: usize, b: &[u8], problems: &mut Problems) {
        let sn = u16::from_le_bytes([b[1], b[2]]);
        let (ebn, cf) = (b[3], b[15]);
        let label = format!("TTI block {k} (subtitle {sn})");
        if ebn == 0xFE || cf == 1 {
            return; // user data, or a comment: not shown
        }
        if cf > 1 {
            problems.push(
                at(offset + 15),
                format!("{label}: the comment flag (CF) is {cf}, not 0 or 1"),
            );
        }
        if ebn > 0xEF && ebn != 0xFF {
            problems.push(
                at(offset + 3),
                format!("{label}: the extension block number (EBN) {ebn:02X}h is reserved"),
            );
        }
        if b[14] > 3 {
            problems.push(
                at(offset + 14),
                format!("{label}: the justification code (JC) is {}, not 0–3", b[14]),
            );
        }
        if self.pending.as_ref().is_some_and(|p| p.sn != sn) {
            self.flush(problems);
        }
        let times = self.times(&label, offset, b, problems);
        let p = self.pending.get_or_insert(Pending {
            sn,
            block: k,
            offset,
            times,
            text: Vec::new(),
        });
        let end = b[16..].iter().position(|&c| c == 0x8F).unwrap_or(112);
        p.text.extend_from_slice(&b[16..16 + end]);
        if ebn == 0xFF {
            let done = self.pending.take();
            self.close(done, problems);
        }
    }

    /// The in and out timecodes as frame counts, or `None` with a problem.
    fn times(
        &self,
        label: &str,
        offset: usize,
        b: &[u8],
        problems: &mut Problems,
    ) -> Option<(i64, i64)> {
        let read = |from: usize, name: &str, problems: &mut Problems| {
            let [h, m, s, f] = [b[from], b[from + 1], b[from + 2], b[from + 3]];
            if h > 23 || m > 59 || s > 59 || f >= self.gsi.nominal {
                problems.push(
                    at(offset + from),
                    format!(
                        "{label}: the {name} bytes {h:02X} {m:02X} {s:02X} {f:02X} are not a timecode at {} fps (hours 0–23, minutes and seconds 0–59, frames 0–{}); the subtitle is skipped",
                        self.gsi.nominal,
                        self.gsi.nominal - 1
                    ),
                );
                return None;
            }
            let secs = (i64::from(h) * 60 + i64::from(m)) * 60 + i64::from(s);
            Some(secs * i64::from(self.gsi.nominal) + i64::from(f))
        };
        let tci = read(5, "time code in (TCI)", problems);
        let tco = read(9, "time code out (TCO)", problems);
        Some((tci?, tco?))
    }

    /// Ends a subtitle whose last block never came.
    fn flush(&mut self, problems: &mut Problems) {
        if let Some(p) = self.pending.take() {
            problems.push(
                at(p.offset + 3),
                format!(
                    "TTI block {} (subtitle {}): its extension blocks end without a last block (EBN FFh)",
                    p.block, p.sn
                ),
            );
            self.close(Some(p), problems);
        }
    }

    fn close(&mut self, p: Option<Pending>, problems: &mut Problems) {
        let Some(p) = p else { return };
        let Some((tci, tco)) = p.times else { return };
        let label = format!("TTI block {} (subtitle {})", p.block, p.sn);
        let secs = |frames: i64| frames as f64 / self.gsi.rate.fps();
        if tco <= tci {
            let how = if tco == tci { "when" } else { "before" };
            problems.push_timing(
                at(p.offset + 9),
                format!(
                    "{label} ends ({}) {how} it starts ({})",
                    clock(tco, self.gsi.nominal),
                    clock(tci, self.gsi.nominal)
                ),
            );
        }
        self.events.push(CaptionEvent {
            number: self.events.len() + 1,
            id: Some(p.sn.to_string()),
            start_s: secs(tci),
            end_s: secs(tco),
            start_frames: Some(tci),
            end_frames: Some(tco),
            lines: text_lines(&p.text, self.gsi.cct),
            at: at(p.offset),
        });
    }
}

/// A frame count as `HH:MM:SS:FF` at `nominal` frames a second.
fn clock(frames: i64, nominal: u8) -> String {
    let n = i64::from(nominal);
    let (s, f) = (frames / n, frames % n);
    format!("{:02}:{:02}:{:02}:{f:02}", s / 3600, s / 60 % 60, s % 60)
}

/// The lines a text field shows: control codes (teletext spacing
/// attributes; italics, underline, boxing) as white space, `8A` a new
/// line, each line trimmed and its runs of spaces made one, empty lines
/// (double height's second row) left out.
pub fn text_lines(tf: &[u8], cct: u8) -> Vec<String> {
    let mut lines = vec![String::new()];
    let mut accent: Option<char> = None;
    for &c in tf {
        let line = lines.last_mut().expect("one line");
        match c {
            0x8A => {
                lines.push(String::new());
                accent = None;
            }
            0x00..=0x1F | 0x80..=0x85 => line.push(' '),
            0x20..=0x7E => push(line, char::from(c), &mut accent),
            0xA0..=0xFF if cct == 0 => match diacritic(c) {
                Some(mark) => accent = Some(mark),
                None => push(line, g2(c), &mut accent),
            },
            0xA0..=0xFF if cct == 1 => line.push(cyrillic(c)),
            0xA0..=0xFF => line.push('\u{FFFD}'),
            _ => {}
        }
    }
    lines
        .iter()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect()
}

/// `c` after any pending accent, composed with it where Unicode has the letter.
fn push(line: &mut String, c: char, accent: &mut Option<char>) {
    match accent.take() {
        Some(mark) => match unicode_normalization::char::compose(c, mark) {
            Some(one) => line.push(one),
            None => {
                line.push(c);
                line.push(mark);
            }
        },
        None => line.push(c),
    }
}

/// ISO 6937's non-spacing accents (C1h–CFh) as combining marks.
fn diacritic(c: u8) -> Option<char> {
    Some(match c {
        0xC1 => '\u{300}',
        0xC2 => '\u{301}',
        0xC3 => '\u{302}',
        0xC4 => '\u{303}',
        0xC5 => '\u{304}',
        0xC6 => '\u{306}',
        0xC7 => '\u{307}',
        0xC8 => '\u{308}',
        0xCA => '\u{30A}',
        0xCB => '\u{327}',
        0xCD => '\u{30B}',
        0xCE => '\u{328}',
        0xCF => '\u{30C}',
        _ => return None,
    })
}

/// ISO 6937's G2 characters (A0h–FFh) other than the accents.
fn g2(c: u8) -> char {
    const TABLE: [char; 96] = [
        '\u{A0}', '¡', '¢', '£', '$', '¥', '#', '§', '¤', '‘', '“', '«', '←', '↑', '→',
        '↓', // A0
        '°', '±', '²', '³', '×', 'µ', '¶', '·', '÷', '’', '”', '»', '¼', '½', '¾', '¿', // B0
        '\u{FFFD}', '\u{FFFD}', '\u{FFFD}', '\u{FFFD}', '\u{FFFD}', '\u{FFFD}', '\u{FFFD}',
        '\u{FFFD}', // C0
        '\u{FFFD}', '\u{FFFD}', '\u{FFFD}', '\u{FFFD}', '\u{FFFD}', '\u{FFFD}', '\u{FFFD}',
        '\u{FFFD}', '―', '¹', '®', '©', '™', '♪', '¬', '¦', '\u{FFFD}', '\u{FFFD}', '\u{FFFD}',
        '\u{FFFD}', '⅛', '⅜', '⅝', '⅞', // D0
        'Ω', 'Æ', 'Đ', 'ª', 'Ħ', '\u{FFFD}', 'Ĳ', 'Ŀ', 'Ł', 'Ø', 'Œ', 'º', 'Þ', 'Ŧ', 'Ŋ',
        'ŉ', // E0
        'ĸ', 'æ', 'đ', 'ð', 'ħ', 'ı', 'ĳ', 'ŀ', 'ł', 'ø', 'œ', 'ß', 'þ', 'ŧ', 'ŋ',
        '\u{AD}', // F0
    ];
    TABLE[usize::from(c - 0xA0)]
}

/// ISO 8859-5 (A0h–FFh).
fn cyrillic(c: u8) -> char {
    match c {
        0xA0 => '\u{A0}',
        0xAD => '\u{AD}',
        0xF0 => '№',
        0xFD => '§',
        _ => char::from_u32(0x0400 + u32::from(c) - 0xA0).unwrap_or('\u{FFFD}'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A GSI block at 25 fps, Latin, German, `tnb` blocks.
    pub(crate) fn gsi(tnb: usize) -> Vec<u8> {
        let mut g = vec![b' '; GSI_BYTES];
        g[..3].copy_from_slice(b"850");
        g[3..11].copy_from_slice(b"STL25.01");
        g[11] = b'1';
        g[12..14].copy_from_slice(b"00");
        g[14..16].copy_from_slice(b"08");
        g[238..243].copy_from_slice(format!("{tnb:05}").as_bytes());
        g
    }

    fn tti(sn: u16, ebn: u8, tci: [u8; 4], tco: [u8; 4], text: &[u8]) -> Vec<u8> {
        let mut b = vec![0u8; 16];
        b[1..3].copy_from_slice(&sn.to_le_bytes());
        b[3] = ebn;
        b[5..9].copy_from_slice(&tci);
        b[9..13].copy_from_slice(&tco);
        b[13] = 20;
        b[14] = 2;
        b.extend_from_slice(text);
        b.resize(TTI_BYTES, 0x8F);
        b
    }

    #[test]
    fn reads_times_text_accents_and_extension_blocks() {
        let mut f = gsi(3);
        f.extend(tti(
            1,
            0xFF,
            [10, 0, 1, 5],
            [10, 0, 3, 0],
            b"\x0d\x07Caf\xc2e\x8a\x8a\x0dcr\xc3eme",
        ));
        f.extend(tti(2, 0x00, [10, 0, 4, 0], [10, 0, 6, 12], b"Zwei "));
        f.extend(tti(
            2,
            0xFF,
            [10, 0, 4, 0],
            [10, 0, 6, 12],
            b"\x80Teile\x81",
        ));
        let doc = parse(&f).unwrap();
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
        assert_eq!(doc.language.as_deref(), Some("de"));
        assert_eq!(doc.frame_rate, Some(FrameRate { num: 25, den: 1 }));
        assert_eq!(doc.events.len(), 2);
        let e = &doc.events[0];
        assert_eq!(e.lines, ["Café", "crême"]);
        assert_eq!(e.start_frames, Some((36000 + 1) * 25 + 5));
        assert!((e.start_s - 36001.2).abs() < 1e-9);
        assert!((e.end_s - 36003.0).abs() < 1e-9);
        assert_eq!(doc.events[1].lines, ["Zwei Teile"]);
        assert_eq!(doc.events[1].id.as_deref(), Some("2"));
    }

    #[test]
    fn problems_name_the_block_and_byte() {
        let mut f = gsi(4);
        f.extend(tti(1, 0xFF, [0, 0, 1, 0], [0, 0, 2, 0], b"ok"));
        f.extend(tti(2, 0xFF, [0, 0, 1, 30], [0, 0, 2, 0], b"bad frame"));
        f.extend(tti(3, 0xFF, [0, 0, 5, 0], [0, 0, 4, 0], b"backwards"));
        f.extend(vec![0u8; 10]);
        let doc = parse(&f).unwrap();
        let said: Vec<String> = doc.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(said.len(), 4, "{said:#?}");
        assert_eq!(said[0], "byte 1408: 10 bytes after the last whole 128-byte TTI block (the file is cut short or padded)");
        assert_eq!(
            said[1],
            "byte 238: the GSI says 4 TTI blocks (TNB), the file holds 3 (394 bytes after the GSI)"
        );
        assert!(said[2].starts_with("byte 1157: TTI block 2 (subtitle 2): the time code in (TCI) bytes 00 00 01 1E are not a timecode at 25 fps"), "{}", said[2]);
        assert_eq!(
            said[3],
            "byte 1289: TTI block 3 (subtitle 3) ends (00:00:04:00) before it starts (00:00:05:00)"
        );
        assert!(doc.problems[3].timing && !doc.problems[2].timing);
        assert_eq!(doc.events.len(), 2);
        let mut bad = gsi(0);
        bad[3..11].copy_from_slice(b"STL24.01");
        let e = parse(&bad).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("byte 3: the GSI disk format code (DFC) `STL24.01`"),
            "{e}"
        );
        assert!(parse(&bad[..100])
            .unwrap_err()
            .to_string()
            .contains("shorter than the 1024-byte GSI"));
    }

    #[test]
    fn cyrillic_and_30_fps() {
        let mut f = gsi(1);
        f[3..11].copy_from_slice(b"STL30.01");
        f[12..14].copy_from_slice(b"01");
        f[14..16].copy_from_slice(b"56");
        f.extend(tti(
            1,
            0xFF,
            [0, 0, 1, 15],
            [0, 0, 2, 0],
            b"\xbf\xe0\xd8\xd2\xd5\xe2",
        ));
        let doc = parse(&f).unwrap();
        assert_eq!(doc.language.as_deref(), Some("ru"));
        assert_eq!(doc.events[0].lines, ["Привет"]);
        assert_eq!(doc.events[0].start_frames, Some(45));
        assert!((doc.events[0].start_s - 45.0 * 1001.0 / 30000.0).abs() < 1e-12);
    }
}
