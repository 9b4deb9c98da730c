//! Scenarist SCC: the `Scenarist_SCC V1.0` header, then lines of a
//! timecode (`HH:MM:SS:FF`, or `HH:MM:SS;FF` drop-frame, at 30000/1001)
//! and CEA-608 byte pairs. Each pair takes one frame to send, so the pair
//! `i` of a line is decoded at the line's timecode plus `i` frames. Every
//! byte must have odd parity; a doubled control code is sent once.
//! Channel 1 (CC1) is decoded: pop-on captions (RCL … EOC) span from their
//! EOC to the next EOC or EDM; roll-up and paint-on captions from one
//! change of the display (CR, EDM, EOC) to the next.

use super::encoding::decode;
use super::model::{CaptionDoc, CaptionEvent, CaptionFormat, FrameRate, Location, ParseProblem};
use super::{shown, Problems};

const ROWS: usize = 15;
const COLS: usize = 32;

/// The header every SCC file starts with.
pub const HEADER: &str = "Scenarist_SCC V1.0";

/// A caption memory: 15 rows of 32 columns.
#[derive(Clone, PartialEq)]
struct Screen([[char; COLS]; ROWS]);

impl Screen {
    fn blank() -> Self {
        Screen([[' '; COLS]; ROWS])
    }

    fn is_blank(&self) -> bool {
        self.0.iter().all(|r| r.iter().all(|&c| c == ' '))
    }

    fn lines(&self) -> Vec<String> {
        self.0
            .iter()
            .map(|r| r.iter().collect::<String>().trim().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    PopOn,
    RollUp(usize),
    PaintOn,
}

struct Decoder {
    shown: Screen,
    hidden: Screen,
    mode: Mode,
    row: usize,
    col: usize,
    /// The caption on screen: since which frame, from which line.
    showing: Option<(i64, Location)>,
    last_control: Option<(u8, u8)>,
    events: Vec<CaptionEvent>,
}

/// Reads an SCC file.
pub fn parse(bytes: &[u8]) -> Result<CaptionDoc, ParseProblem> {
    let text = decode(bytes)?;
    let mut problems = Problems::default();
    if let Some(p) = text.problem.clone() {
        problems.add(p);
    }
    let mut doc = CaptionDoc::new(CaptionFormat::Scc, text.encoding.clone());
    doc.frame_rate = Some(FrameRate {
        num: 30000,
        den: 1001,
    });
    let mut lines = text.lines();
    let header = lines.next().map_or("", |l| l.text);
    if header.trim_end() != HEADER {
        return Err(ParseProblem::new(
            Location {
                line: 1,
                column: 1,
                byte: text.at(0).byte,
            },
            format!("expected the `{HEADER}` header, found {}", shown(header)),
        ));
    }
    let mut dec = Decoder {
        shown: Screen::blank(),
        hidden: Screen::blank(),
        mode: Mode::PopOn,
        row: ROWS - 1,
        col: 0,
        showing: None,
        last_control: None,
        events: Vec::new(),
    };
    let mut last_frame: Option<(i64, String)> = None;
    let mut any_drop = false;
    for line in lines.filter(|l| !l.text.trim().is_empty()) {
        let at = text.at(line.start);
        let mut words = line.text.split_whitespace();
        let tc = words.next().unwrap_or("");
        let (frame, drop) = match timecode(tc) {
            Ok(t) => t,
            Err(why) => {
                problems.push(
                    at,
                    format!("the timecode {}: {why}; the line is skipped", shown(tc)),
                );
                continue;
            }
        };
        any_drop |= drop;
        if let Some((prev, prev_tc)) = &last_frame {
            if frame < *prev {
                problems.push(
                    at,
                    format!("the timecode {tc} is before the previous line's {prev_tc}"),
                );
            }
        }
        let mut n = 0i64;
        for word in words {
            let offset = line.text.find(word).unwrap_or(0);
            let word_at = text.at(line.start + offset);
            let Some((b1, b2)) = hex_pair(word) else {
                problems.push(
                    word_at,
                    format!("{} is not a 4-digit hex byte pair", shown(word)),
                );
                continue;
            };
            if !odd(b1) || !odd(b2) {
                let bad = if odd(b1) { b2 } else { b1 };
                problems.push(
                    word_at,
                    format!("the byte pair {word} fails the odd-parity check (byte 0x{bad:02X}): the caption data is corrupt"),
                );
            }
            dec.pair(b1 & 0x7F, b2 & 0x7F, frame + n, word_at);
            n += 1;
        }
        if n == 0 {
            problems.push(at, format!("the timecode {tc} has no caption data"));
        }
        last_frame = Some((frame + n, tc.to_string()));
    }
    doc.drop_frame = any_drop;
    if let Some((since, at)) = dec.showing {
        let end = last_frame.map_or(since, |(f, _)| f);
        problems.push(
            at,
            "the caption shown here is never cleared (no EDM or EOC after it)",
        );
        dec.close(since, end.max(since), at);
    }
    doc.events = dec.events;
    for (i, e) in doc.events.iter_mut().enumerate() {
        e.number = i + 1;
    }
    doc.problems = problems.finish();
    Ok(doc)
}

fn hex_pair(w: &str) -> Option<(u8, u8)> {
    if w.len() != 4 || !w.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some((
        u8::from_str_radix(&w[..2], 16).ok()?,
        u8::from_str_radix(&w[2..], 16).ok()?,
    ))
}

fn odd(b: u8) -> bool {
    b.count_ones() % 2 == 1
}

/// A timecode as a frame count at 30000/1001 (drop-frame when written
/// with `;`), and whether it is drop-frame.
pub fn timecode(tc: &str) -> Result<(i64, bool), String> {
    let b = tc.as_bytes();
    let shape =
        b.len() == 11 && b[2] == b':' && b[5] == b':' && matches!(b[8], b':' | b';' | b'.' | b',');
    let num = |i: usize| -> Option<i64> {
        let d = b.get(i..i + 2)?;
        d.iter()
            .all(u8::is_ascii_digit)
            .then(|| i64::from((d[0] - b'0') * 10 + (d[1] - b'0')))
    };
    let (Some(h), Some(m), Some(s), Some(f), true) = (num(0), num(3), num(6), num(9), shape) else {
        return Err("expected HH:MM:SS:FF (or HH:MM:SS;FF drop-frame)".into());
    };
    if m > 59 || s > 59 || f > 29 {
        return Err("minutes and seconds go to 59, frames to 29".into());
    }
    let drop = b[8] != b':';
    let minutes = h * 60 + m;
    if drop && s == 0 && f < 2 && m % 10 != 0 {
        return Err(format!("frame {f:02} of minute {m:02} does not exist in drop-frame timecode (frames 00 and 01 are dropped)"));
    }
    let mut frames = (minutes * 60 + s) * 30 + f;
    if drop {
        frames -= 2 * (minutes - minutes / 10);
    }
    Ok((frames, drop))
}

/// CEA-608 characters for 0x20–0x7F where they differ from ASCII.
fn basic(b: u8) -> char {
    match b {
        0x2A => 'á',
        0x5C => 'é',
        0x5E => 'í',
        0x5F => 'ó',
        0x60 => 'ú',
        0x7B => 'ç',
        0x7C => '÷',
        0x7D => 'Ñ',
        0x7E => 'ñ',
        0x7F => '█',
        _ => char::from(b),
    }
}

/// The special characters (0x11 0x30–0x3F).
const SPECIAL: [char; 16] = [
    '®', '°', '½', '¿', '™', '¢', '£', '♪', 'à', ' ', 'è', 'â', 'ê', 'î', 'ô', 'û',
];

/// The extended characters (0x12 and 0x13, 0x20–0x3F).
const EXTENDED: [[char; 32]; 2] = [
    [
        'Á', 'É', 'Ó', 'Ú', 'Ü', 'ü', '‘', '¡', '*', '\'', '—', '©', '℠', '•', '“', '”', 'À', 'Â',
        'Ç', 'È', 'Ê', 'Ë', 'ë', 'Î', 'Ï', 'ï', 'Ô', 'Ù', 'ù', 'Û', '«', '»',
    ],
    [
        'Ã', 'ã', 'Í', 'Ì', 'ì', 'Ò', 'ò', 'Õ', 'õ', '{', '}', '\\', '^', '_', '|', '~', 'Ä', 'ä',
        'Ö', 'ö', 'ß', '¥', '¤', '│', 'Å', 'å', 'Ø', 'ø', '┌', '┐', '└', '┘',
    ],
];

/// The PAC row of the first byte (0x10–0x17, channel bit cleared) and the
/// second's bit 5.
fn pac_row(b1: u8, b2: u8) -> usize {
    let high = b2 & 0x20 != 0;
    let row = match (b1 & 0x07, high) {
        (0x01, false) => 1,
        (0x01, true) => 2,
        (0x02, false) => 3,
        (0x02, true) => 4,
        (0x05, false) => 5,
        (0x05, true) => 6,
        (0x06, false) => 7,
        (0x06, true) => 8,
        (0x07, false) => 9,
        (0x07, true) => 10,
        (0x00, _) => 11,
        (0x03, false) => 12,
        (0x03, true) => 13,
        (0x04, false) => 14,
        (0x04, true) => 15,
        _ => 15,
    };
    row - 1
}

impl Decoder {
    /// One byte pair (parity removed) at `frame`.
    fn pair(&mut self, b1: u8, b2: u8, frame: i64, at: Location) {
        if b1 == 0 && b2 == 0 {
            return;
        }
        if (0x10..=0x1F).contains(&b1) {
            if self.last_control == Some((b1, b2)) {
                self.last_control = None;
                return;
            }
            self.last_control = Some((b1, b2));
            if b1 & 0x08 == 0 {
                self.control(b1, b2, frame, at);
            }
            return;
        }
        self.last_control = None;
        if b1 >= 0x20 {
            self.put(basic(b1), frame, at);
            if b2 >= 0x20 {
                self.put(basic(b2), frame, at);
            }
        }
    }

    fn control(&mut self, b1: u8, b2: u8, frame: i64, at: Location) {
        match (b1, b2) {
            (0x14 | 0x15, 0x20..=0x2F) => self.command(b2, frame, at),
            (0x11, 0x30..=0x3F) => self.put(SPECIAL[usize::from(b2 - 0x30)], frame, at),
            (0x11, 0x20..=0x2F) => self.put(' ', frame, at),
            (0x12 | 0x13, 0x20..=0x3F) => {
                // An extended character replaces the standard one sent before it.
                self.col = self.col.saturating_sub(1);
                self.put(
                    EXTENDED[usize::from(b1 - 0x12)][usize::from(b2 - 0x20)],
                    frame,
                    at,
                );
            }
            (0x17, 0x21..=0x23) => self.col = (self.col + usize::from(b2 - 0x20)).min(COLS - 1),
            (0x10..=0x17, 0x40..=0x7F) => {
                self.row = pac_row(b1, b2);
                self.col = if b2 & 0x10 != 0 {
                    usize::from((b2 & 0x0E) >> 1) * 4
                } else {
                    0
                };
            }
            _ => {}
        }
    }

    fn command(&mut self, cmd: u8, frame: i64, at: Location) {
        match cmd {
            0x20 => self.mode = Mode::PopOn,
            0x25..=0x27 => {
                self.mode = Mode::RollUp(usize::from(cmd - 0x23));
                self.row = ROWS - 1;
                self.col = 0;
            }
            0x29 => self.mode = Mode::PaintOn,
            0x21 => {
                self.col = self.col.saturating_sub(1);
                let (r, c) = (self.row, self.col);
                self.memory()[r][c] = ' ';
            }
            0x24 => {
                let (r, c) = (self.row, self.col);
                self.memory()[r][c..].fill(' ');
            }
            0x2C => self.change(Screen::blank(), frame, at),
            0x2E => self.hidden = Screen::blank(),
            0x2F => {
                let next = std::mem::replace(&mut self.hidden, Screen::blank());
                self.hidden = self.shown.clone();
                self.change(next, frame, at);
                self.mode = Mode::PopOn;
            }
            0x2D => {
                if let Mode::RollUp(depth) = self.mode {
                    let mut next = self.shown.clone();
                    next.0.rotate_left(1);
                    next.0[ROWS - 1] = [' '; COLS];
                    let top = ROWS.saturating_sub(depth);
                    for row in &mut next.0[..top] {
                        *row = [' '; COLS];
                    }
                    self.change(next, frame, at);
                    self.col = 0;
                }
            }
            _ => {}
        }
    }

    /// The memory characters go to in this mode.
    fn memory(&mut self) -> &mut [[char; COLS]; ROWS] {
        match self.mode {
            Mode::PopOn => &mut self.hidden.0,
            _ => &mut self.shown.0,
        }
    }

    fn put(&mut self, c: char, frame: i64, at: Location) {
        let (r, col) = (self.row, self.col.min(COLS - 1));
        self.memory()[r][col] = c;
        self.col = (col + 1).min(COLS - 1);
        if self.mode != Mode::PopOn && self.showing.is_none() {
            self.showing = Some((frame, at));
        }
    }

    /// The display becomes `next` at `frame`: the caption on screen ends.
    fn change(&mut self, next: Screen, frame: i64, at: Location) {
        if let Some((since, from)) = self.showing.take() {
            self.close(since, frame, from);
        }
        self.shown = next;
        if !self.shown.is_blank() {
            self.showing = Some((frame, at));
        }
    }

    fn close(&mut self, since: i64, until: i64, at: Location) {
        let lines = self.shown.lines();
        if lines.is_empty() || until <= since {
            return;
        }
        let s = |f: i64| f as f64 * 1001.0 / 30000.0;
        self.events.push(CaptionEvent {
            number: 0,
            id: None,
            start_s: s(since),
            end_s: s(until),
            start_frames: Some(since),
            end_frames: Some(until),
            lines,
            at,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timecodes_count_frames_drop_and_non_drop() {
        assert_eq!(timecode("00:00:01:00"), Ok((30, false)));
        assert_eq!(timecode("00:01:00;02"), Ok((1800, true)));
        assert_eq!(timecode("00:10:00;00"), Ok((17982, true)));
        assert_eq!(timecode("01:00:00;00"), Ok((107892, true)));
        assert!(timecode("00:01:00;00")
            .unwrap_err()
            .contains("does not exist in drop-frame"));
        assert!(timecode("00:00:00:30").is_err() && timecode("0:00:00:00").is_err());
    }

    #[test]
    fn pop_on_captions_span_from_eoc_to_the_next_clear() {
        // RCL RCL ENM ENM PAC(row 15) "HELLO" EOC EOC; then EDM EDM two seconds later.
        let scc = "Scenarist_SCC V1.0\n\n00:00:01:00\t9420 9420 94ae 94ae 9470 9470 c845 4c4c 4f80 942f 942f\n\n00:00:03:00\t942c 942c\n";
        let doc = parse(scc.as_bytes()).unwrap();
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
        let e = &doc.events[0];
        assert_eq!(e.lines, ["HELLO"]);
        // EOC is pair 9 (0-based), sent at frame 30 + 9; EDM at frame 90.
        assert_eq!((e.start_frames, e.end_frames), (Some(39), Some(90)));
        assert!((e.start_s - 39.0 * 1001.0 / 30000.0).abs() < 1e-12);
        assert_eq!(e.at.line, 3);
    }

    #[test]
    fn parity_errors_and_broken_timecodes_are_located() {
        let scc = "Scenarist_SCC V1.0\n\n00:00:01:00\t9420 c845 cf80 942f\n00:00:0x:00\t942c\n00:00:03:00\t942c 94zz\n";
        let doc = parse(scc.as_bytes()).unwrap();
        let got: Vec<String> = doc.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "line 3, column 23: the byte pair cf80 fails the odd-parity check (byte 0xCF): the caption data is corrupt",
                "line 4: the timecode `00:00:0x:00`: expected HH:MM:SS:FF (or HH:MM:SS;FF drop-frame); the line is skipped",
                "line 5, column 18: `94zz` is not a 4-digit hex byte pair",
            ]
        );
        assert!(parse(b"Scenarist_SCC V2.0\n")
            .unwrap_err()
            .to_string()
            .starts_with("line 1: expected"));
    }

    #[test]
    fn special_and_extended_characters_are_read() {
        // PAC, "e" then extended É replacing it, special ♪, basic é (0x5C).
        let scc = "Scenarist_SCC V1.0\n\n00:00:00:00\t9420 9470 e580 92a1 9137 dc80 942f\n00:00:02:00\t942c\n";
        let doc = parse(scc.as_bytes()).unwrap();
        assert_eq!(doc.events[0].lines, ["É♪é"]);
    }
}
