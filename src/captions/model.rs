//! The caption model every parser fills and every caption rule reads: a
//! file's timed events with their display lines, where each was written,
//! and what the file declares (language, frame rate, time base).
//!
//! Times are seconds from the file's own zero (media time for TTML, the
//! timecode as written for SCC and EBU STL, converted at the file's frame
//! rate); [`CaptionDoc::frame_rate`] and [`CaptionEvent::start_frames`] keep
//! the frame count where the format writes frames, so frame-boundary checks
//! need no rounding guess.

use serde::{Deserialize, Serialize};

/// The caption formats signoff parses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaptionFormat {
    /// SubRip.
    Srt,
    /// W3C WebVTT.
    Webvtt,
    /// TTML, including IMSC 1.1 and DFXP.
    Ttml,
    /// Scenarist SCC (CEA-608 byte pairs).
    Scc,
    /// EBU Tech 3264 STL.
    EbuStl,
}

impl CaptionFormat {
    /// The name a subtitle vendor uses.
    pub fn label(self) -> &'static str {
        match self {
            Self::Srt => "SRT",
            Self::Webvtt => "WebVTT",
            Self::Ttml => "TTML",
            Self::Scc => "SCC",
            Self::EbuStl => "EBU STL",
        }
    }
}

/// Where something is in a caption file: 1-based line and column for text
/// formats (column in characters), the byte offset for binary ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Location {
    /// 1-based line (0 when the format has no lines, as EBU STL).
    pub line: u32,
    /// 1-based column in characters (0 when unknown).
    pub column: u32,
    /// Byte offset from the start of the file.
    pub byte: u64,
}

/// A frame rate as a fraction (`24000/1001`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameRate {
    /// Numerator.
    pub num: u32,
    /// Denominator (never 0).
    pub den: u32,
}

impl FrameRate {
    /// Frames per second as a float.
    pub fn fps(self) -> f64 {
        f64::from(self.num) / f64::from(self.den)
    }
}

/// One timed event (an SRT or WebVTT cue, a TTML `p`, an SCC caption from
/// its display command to the next clear, an EBU STL TTI block group).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptionEvent {
    /// 1-based position of the event in the file.
    pub number: usize,
    /// The event's id as written (SRT counter, WebVTT cue id, `xml:id`).
    pub id: Option<String>,
    /// When it appears, in seconds.
    pub start_s: f64,
    /// When it disappears, in seconds.
    pub end_s: f64,
    /// The start as a frame count at [`CaptionDoc::frame_rate`], when the
    /// format wrote frames (SCC, EBU STL, TTML frame-based times).
    pub start_frames: Option<i64>,
    /// The end as a frame count, likewise.
    pub end_frames: Option<i64>,
    /// The lines shown, markup removed, in display order.
    pub lines: Vec<String>,
    /// Where the event starts in the file.
    pub at: Location,
}

/// How a text file is encoded, as found (not as declared).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Encoding {
    /// It began with a UTF-8 byte order mark.
    pub utf8_bom: bool,
    /// It is valid UTF-8 (after any BOM).
    pub utf8_valid: bool,
    /// What else it looks like when not UTF-8 ("UTF-16LE", "Latin-1 or
    /// Windows-1252"), in words.
    pub detected: Option<String>,
    /// The first invalid UTF-8 byte or disallowed control character.
    pub first_bad: Option<Location>,
    /// Control characters other than tab, CR and LF, counted.
    pub control_chars: usize,
}

/// A problem found while parsing: where, and what is wrong in words a
/// subtitle vendor understands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParseProblem {
    /// Where.
    pub at: Location,
    /// What.
    pub message: String,
    /// An event that ends at or before it starts: the caption rule
    /// `captions.start_before_end` reports it too, so a report with that
    /// rule shows it once, there.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub timing: bool,
}

/// A parsed caption file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptionDoc {
    /// What it is.
    pub format: CaptionFormat,
    /// Its events, in file order (not sorted: order is a rule).
    pub events: Vec<CaptionEvent>,
    /// The language it declares (`xml:lang`, WebVTT `Language:`, STL GSI).
    pub language: Option<String>,
    /// The frame rate it declares or implies (TTML `ttp:frameRate` with its
    /// multiplier, SCC's 29.97, STL's disk format code).
    pub frame_rate: Option<FrameRate>,
    /// SCC and STL: times are drop-frame timecode.
    pub drop_frame: bool,
    /// TTML `ttp:timeBase` (`media`, `smpte`, `clock`) when declared.
    pub time_base: Option<String>,
    /// How the text was encoded.
    pub encoding: Encoding,
    /// Problems that did not stop the parse (a malformed cue skipped, a
    /// parity error), each located.
    pub problems: Vec<ParseProblem>,
}

impl ParseProblem {
    /// A problem at `at`.
    pub fn new(at: Location, message: impl Into<String>) -> Self {
        Self {
            at,
            message: message.into(),
            timing: false,
        }
    }

    /// An event's end at or before its start, at `at`.
    pub fn timing(at: Location, message: impl Into<String>) -> Self {
        Self {
            timing: true,
            ..Self::new(at, message)
        }
    }
}

impl std::fmt::Display for ParseProblem {
    /// `line 14, column 3: …` (or `byte 1024: …` in a binary format; the
    /// bare message for the whole file, at the default location).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.at.line, self.at.column) {
            (0, 0) if self.at.byte == 0 => f.write_str(&self.message),
            (0, _) => write!(f, "byte {}: {}", self.at.byte, self.message),
            (line, 0 | 1) => write!(f, "line {line}: {}", self.message),
            (line, column) => write!(f, "line {line}, column {column}: {}", self.message),
        }
    }
}

impl CaptionDoc {
    /// An empty document of `format` read with `encoding`.
    pub fn new(format: CaptionFormat, encoding: Encoding) -> Self {
        Self {
            format,
            events: Vec::new(),
            language: None,
            frame_rate: None,
            drop_frame: false,
            time_base: None,
            encoding,
            problems: Vec::new(),
        }
    }
}
