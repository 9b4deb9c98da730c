//! Classifying a file by its first bytes (signatures), not by its extension.
//!
//! [`sniff`] is pure: it looks at a file's name and the first [`SNIFF_BYTES`]
//! of its content and says what the file is. The name is only trusted for
//! system clutter (`.DS_Store`, `Thumbs.db`, …) and for raw elementary
//! streams that carry no signature; everything else is decided by content.

use crate::error::{FileProblem, ProblemKind};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// How many bytes from the start of a file [`sniff_path`] reads.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// What a file is, broadly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// Audio, video or image-sequence media (a container or raw stream).
    Media,
    /// Captions or subtitles.
    Caption,
    /// Paperwork: PDFs, spreadsheets, text, XML, JSON.
    Document,
    /// A still image.
    Image,
    /// Operating-system clutter (`.DS_Store`, `Thumbs.db`, AppleDouble files).
    Clutter,
    /// Nothing recognised.
    Unknown,
}

/// The result of sniffing one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sniffed {
    /// The broad kind.
    pub kind: FileKind,
    /// Short format name (`mov`, `wav`, `srt`, `pdf`, `ds_store`, …); `None` when unknown.
    pub format: Option<String>,
    /// A detail worth showing (`imsc`, `major brand isom`, `binary data`, …).
    pub note: Option<String>,
}

impl Sniffed {
    fn found(kind: FileKind, format: &str) -> Self {
        Sniffed {
            kind,
            format: Some(format.to_string()),
            note: None,
        }
    }

    fn unknown(note: &str) -> Self {
        Sniffed {
            kind: FileKind::Unknown,
            format: None,
            note: Some(note.to_string()),
        }
    }

    fn noted(mut self, note: Option<String>) -> Self {
        self.note = match (self.note.take(), note) {
            (Some(a), Some(b)) => Some(format!("{a}; {b}")),
            (a, b) => a.or(b),
        };
        self
    }
}

/// Classify a file from its name, its first bytes and its full length.
///
/// `head` should be the first [`SNIFF_BYTES`] of the file (or all of it when
/// shorter); anything beyond that is ignored.
pub fn sniff(file_name: &OsStr, head: &[u8], file_len: u64) -> Sniffed {
    let head = &head[..head.len().min(SNIFF_BYTES)];
    let truncated = (head.len() as u64) < file_len;
    let ext = extension(file_name);
    let content = || classify_content(head, ext.as_deref(), truncated);
    match clutter_name(file_name.as_bytes()) {
        Some(clutter) => sniff_clutter(clutter, head, content),
        None => content(),
    }
}

/// Read the start of `path` (read-only, at most [`SNIFF_BYTES`]) and [`sniff`] it.
///
/// `file_len` is the file's full length, as the walk saw it. Anything that is
/// not a regular file is refused without being opened (opening a named pipe
/// would block).
pub fn sniff_path(path: &Path, file_len: u64) -> Result<Sniffed, FileProblem> {
    ensure_regular(path)?;
    let file = File::open(path).map_err(|e| unreadable(&e))?;
    ensure_regular_open(&file)?;
    let capacity = usize::try_from(file_len).map_or(SNIFF_BYTES, |n| n.min(SNIFF_BYTES));
    let mut head = Vec::with_capacity(capacity);
    file.take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|e| unreadable(&e))?;
    let name = path.file_name().unwrap_or(path.as_os_str());
    Ok(sniff(name, &head, file_len))
}

fn ensure_regular(path: &Path) -> Result<(), FileProblem> {
    let meta = std::fs::metadata(path).map_err(|e| unreadable(&e))?;
    regular_or_problem(&meta)
}

fn ensure_regular_open(file: &File) -> Result<(), FileProblem> {
    let meta = file.metadata().map_err(|e| unreadable(&e))?;
    regular_or_problem(&meta)
}

fn regular_or_problem(meta: &std::fs::Metadata) -> Result<(), FileProblem> {
    if meta.is_file() {
        return Ok(());
    }
    let word = super::walk::special_file_word(&meta.file_type());
    Err(FileProblem::new(
        ProblemKind::NotRegularFile,
        format!("not a regular file ({word})"),
    ))
}

fn unreadable(err: &io::Error) -> FileProblem {
    FileProblem::new(
        ProblemKind::Unreadable,
        format!("cannot read: {}", io_words(err)),
    )
}

/// An I/O error in plain lowercase words ("permission denied"), without the OS error number.
pub(crate) fn io_words(err: &io::Error) -> String {
    let word = match err.kind() {
        io::ErrorKind::NotFound => "not found",
        io::ErrorKind::PermissionDenied => "permission denied",
        io::ErrorKind::UnexpectedEof => "unexpected end of file",
        io::ErrorKind::Interrupted => "interrupted",
        io::ErrorKind::TimedOut => "timed out",
        _ => match err.raw_os_error() {
            Some(libc::EIO) => "input/output error",
            Some(libc::ELOOP) => "too many levels of symbolic links",
            Some(libc::EISDIR) => "is a folder",
            Some(libc::ENOTDIR) => "a part of the path is not a folder",
            Some(libc::ENAMETOOLONG) => "name too long",
            Some(libc::EMFILE) | Some(libc::ENFILE) => "too many open files",
            Some(libc::ESTALE) => "stale network file handle",
            _ => return plain_message(&err.to_string()),
        },
    };
    word.to_string()
}

fn plain_message(text: &str) -> String {
    let text = text.split(" (os error").next().unwrap_or(text);
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "unknown error".to_string(),
    }
}

// ---------------------------------------------------------------------------
// Names and extensions

/// The extension, lowercased; `None` when missing or not UTF-8.
fn extension(file_name: &OsStr) -> Option<String> {
    let ext = Path::new(file_name).extension()?.to_str()?;
    Some(ext.to_ascii_lowercase())
}

const MEDIA_EXTENSIONS: &[&str] = &[
    "mov", "qt", "mp4", "m4v", "m4a", "3gp", "3g2", "mxf", "wav", "wave", "bwf", "w64", "rf64",
    "bw64", "aif", "aiff", "aifc", "mkv", "webm", "mka", "ts", "m2ts", "mts", "m2t", "mpg", "mpeg",
    "m2p", "vob", "m1v", "m2v", "avi", "mp3", "mp2", "mpa", "aac", "flac", "ogg", "oga", "ogv",
    "opus", "ac3", "ec3", "eac3", "dts", "dv", "dif", "y4m", "caf", "h264", "264", "hevc", "h265",
    "265", "dpx", "exr",
];

/// Whether the name's extension (any case) is one media files are delivered under.
pub fn is_media_extension(file_name: &OsStr) -> bool {
    extension(file_name).is_some_and(|ext| MEDIA_EXTENSIONS.contains(&ext.as_str()))
}

// ---------------------------------------------------------------------------
// Clutter

struct ClutterName {
    format: &'static str,
    magic: Option<&'static [u8]>,
}

const OLE2: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const DS_STORE: &[u8] = b"\0\0\0\x01Bud1";
const APPLEDOUBLE: &[u8] = &[0x00, 0x05, 0x16, 0x07];

fn clutter_name(name: &[u8]) -> Option<ClutterName> {
    let lower = name.to_ascii_lowercase();
    let (format, magic) = match lower.as_slice() {
        b".ds_store" => ("ds_store", Some(DS_STORE)),
        b"thumbs.db" | b"ehthumbs.db" | b"ehthumbs_vista.db" => ("thumbs_db", Some(OLE2)),
        b"desktop.ini" => ("desktop_ini", None),
        b".localized" => ("localized", None),
        b"icon\r" => ("mac_icon", None),
        b".appledouble" => ("appledouble", None),
        n if n.starts_with(b"._") => ("appledouble", Some(APPLEDOUBLE)),
        n if n.starts_with(b"~$") => ("office_lock", None),
        _ => return None,
    };
    Some(ClutterName { format, magic })
}

/// Clutter is known by name; where it has a signature, the content must agree.
fn sniff_clutter(clutter: ClutterName, head: &[u8], content: impl Fn() -> Sniffed) -> Sniffed {
    let confirmed = match clutter.magic {
        None => true,
        Some(magic) => head.is_empty() || head.starts_with(magic),
    };
    if confirmed {
        return Sniffed::found(FileKind::Clutter, clutter.format);
    }
    let by_content = content();
    if by_content.kind == FileKind::Unknown {
        return Sniffed::found(FileKind::Clutter, clutter.format).noted(Some(
            "name matches but the content signature does not".into(),
        ));
    }
    by_content.noted(Some(format!("named like {} clutter", clutter.format)))
}

// ---------------------------------------------------------------------------
// Content

fn classify_content(head: &[u8], ext: Option<&str>, truncated: bool) -> Sniffed {
    if head.is_empty() {
        return Sniffed::unknown("empty");
    }
    fixed_magic(head)
        .or_else(|| structured_binary(head))
        .or_else(|| mxf(head))
        .or_else(|| mpeg_ts(head))
        .or_else(|| weak_binary(head, ext, truncated))
        .or_else(|| text_kind(head, ext, truncated))
        .unwrap_or_else(|| unknown_binary(head))
}

type Magic = (&'static [u8], FileKind, &'static str);

const MAGIC: &[Magic] = &[
    (b"fLaC", FileKind::Media, "flac"),
    (b"caff", FileKind::Media, "caf"),
    (b"SDPX", FileKind::Media, "dpx"),
    (b"XPDS", FileKind::Media, "dpx"),
    (&[0x76, 0x2F, 0x31, 0x01], FileKind::Media, "exr"),
    (b"YUV4MPEG2", FileKind::Media, "y4m"),
    (&[0x7F, 0xFE, 0x80, 0x01], FileKind::Media, "dts"),
    (&[0xFE, 0x7F, 0x01, 0x80], FileKind::Media, "dts"),
    (&[0x1F, 0xFF, 0xE8, 0x00], FileKind::Media, "dts"),
    (&[0xFF, 0x1F, 0x00, 0xE8], FileKind::Media, "dts"),
    (&[0x64, 0x58, 0x20, 0x25], FileKind::Media, "dts"),
    (b"%PDF-", FileKind::Document, "pdf"),
    (b"{\\rtf", FileKind::Document, "rtf"),
    (&[0xFF, 0xD8, 0xFF], FileKind::Image, "jpeg"),
    (b"\x89PNG\r\n\x1a\n", FileKind::Image, "png"),
    (b"II*\0", FileKind::Image, "tiff"),
    (b"MM\0*", FileKind::Image, "tiff"),
    (b"II+\0", FileKind::Image, "tiff"),
    (b"MM\0+", FileKind::Image, "tiff"),
    (b"GIF87a", FileKind::Image, "gif"),
    (b"GIF89a", FileKind::Image, "gif"),
    (b"8BPS", FileKind::Image, "psd"),
    (b"\0\0\0\x0CjP  \r\n\x87\n", FileKind::Image, "jp2"),
    (&[0xFF, 0x4F, 0xFF, 0x51], FileKind::Image, "j2k"),
];

fn fixed_magic(head: &[u8]) -> Option<Sniffed> {
    MAGIC
        .iter()
        .find(|(magic, _, _)| head.starts_with(magic))
        .map(|&(_, kind, format)| Sniffed::found(kind, format))
}

fn structured_binary(head: &[u8]) -> Option<Sniffed> {
    riff(head)
        .or_else(|| aiff(head))
        .or_else(|| wave64(head))
        .or_else(|| iso_bmff(head))
        .or_else(|| ebml(head))
        .or_else(|| ogg(head))
        .or_else(|| zip(head))
        .or_else(|| ole2(head))
        .or_else(|| ebu_stl(head))
}

fn riff(head: &[u8]) -> Option<Sniffed> {
    let id = head.get(0..4)?;
    let form = head.get(8..12)?;
    let (kind, format) = match (id, form) {
        (b"RIFF" | b"RIFX", b"WAVE") => (FileKind::Media, "wav"),
        (b"RF64", b"WAVE") => (FileKind::Media, "rf64"),
        (b"BW64", b"WAVE") => (FileKind::Media, "bw64"),
        (b"RIFF", b"AVI " | b"AVIX") => (FileKind::Media, "avi"),
        (b"RIFF", b"WEBP") => (FileKind::Image, "webp"),
        _ => return None,
    };
    Some(Sniffed::found(kind, format))
}

fn aiff(head: &[u8]) -> Option<Sniffed> {
    let is_aiff = head.starts_with(b"FORM") && matches!(head.get(8..12)?, b"AIFF" | b"AIFC");
    is_aiff.then(|| Sniffed::found(FileKind::Media, "aiff"))
}

const W64_RIFF: &[u8] = &[
    0x72, 0x69, 0x66, 0x66, 0x2E, 0x91, 0xCF, 0x11, 0xA5, 0xD6, 0x28, 0xDB, 0x04, 0xC1, 0x00, 0x00,
];

fn wave64(head: &[u8]) -> Option<Sniffed> {
    head.starts_with(W64_RIFF)
        .then(|| Sniffed::found(FileKind::Media, "w64"))
}

const HEIF_BRANDS: &[&[u8]] = &[
    b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1",
];

fn iso_bmff(head: &[u8]) -> Option<Sniffed> {
    let size = u32::from_be_bytes(head.get(0..4)?.try_into().ok()?);
    let box_type = head.get(4..8)?;
    let sane_size = size == 0 || size == 1 || size >= 8;
    match box_type {
        b"ftyp" => ftyp(head, size),
        b"moov" | b"mdat" | b"wide" | b"free" | b"skip" | b"pnot" if sane_size => {
            Some(Sniffed::found(FileKind::Media, "mov"))
        }
        b"styp" | b"moof" | b"sidx" if sane_size => Some(Sniffed::found(FileKind::Media, "mp4")),
        _ => None,
    }
}

fn ftyp(head: &[u8], size: u32) -> Option<Sniffed> {
    let brand = head.get(8..12)?;
    let end = usize::try_from(size)
        .unwrap_or(0)
        .clamp(16, 256)
        .min(head.len());
    let compatible: Vec<&[u8]> = head.get(16..end).unwrap_or(&[]).chunks(4).collect();
    let has = |b: &[u8]| brand == b || compatible.contains(&b);
    if has(b"avif") || has(b"avis") {
        return Some(Sniffed::found(FileKind::Image, "avif"));
    }
    if HEIF_BRANDS.contains(&brand) {
        return Some(Sniffed::found(FileKind::Image, "heic"));
    }
    if brand == b"crx " {
        return Some(Sniffed::found(FileKind::Image, "cr3"));
    }
    let format = if brand == b"qt  " { "mov" } else { "mp4" };
    let brand_text = String::from_utf8_lossy(brand).trim().to_string();
    Some(Sniffed::found(FileKind::Media, format).noted(Some(format!("major brand {brand_text}"))))
}

fn ebml(head: &[u8]) -> Option<Sniffed> {
    if !head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        return None;
    }
    let format = match ebml_doc_type(head) {
        Some(doc_type) if doc_type == b"webm" => "webm",
        _ => "mkv",
    };
    Some(Sniffed::found(FileKind::Media, format))
}

/// The EBML DocType element (ID 0x4282) value, from the header.
fn ebml_doc_type(head: &[u8]) -> Option<&[u8]> {
    let header = &head[..head.len().min(1024)];
    let at = find(header, &[0x42, 0x82])? + 2;
    let size_byte = *header.get(at)?;
    if size_byte & 0x80 == 0 {
        return None;
    }
    let len = usize::from(size_byte & 0x7F);
    let value = header.get(at + 1..at + 1 + len)?;
    Some(trim_trailing_nuls(value))
}

fn trim_trailing_nuls(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
    &bytes[..end]
}

const OGG_CODECS: &[(&[u8], &str)] = &[
    (b"OpusHead", "opus"),
    (b"\x01vorbis", "vorbis"),
    (b"\x80theora", "theora"),
    (b"\x7fFLAC", "flac"),
    (b"Speex   ", "speex"),
];

fn ogg(head: &[u8]) -> Option<Sniffed> {
    if !head.starts_with(b"OggS") {
        return None;
    }
    let first_page = &head[..head.len().min(512)];
    let codec = OGG_CODECS
        .iter()
        .find(|(magic, _)| find(first_page, magic).is_some())
        .map(|(_, name)| name.to_string());
    Some(Sniffed::found(FileKind::Media, "ogg").noted(codec))
}

fn ebu_stl(head: &[u8]) -> Option<Sniffed> {
    let dfc = head.get(3..11)?;
    let is_stl =
        dfc.starts_with(b"STL") && dfc[3..5].iter().all(u8::is_ascii_digit) && &dfc[5..] == b".01";
    is_stl.then(|| Sniffed::found(FileKind::Caption, "ebu-stl"))
}

// --- Zip-based documents

fn zip(head: &[u8]) -> Option<Sniffed> {
    if !(head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")) {
        return None;
    }
    let format = odf_format(head)
        .or_else(|| ooxml_format(head))
        .unwrap_or("zip");
    let mut sniffed = Sniffed::found(FileKind::Document, format);
    if format == "zip" && zip_entry_names(head).any(|n| n == b"[Content_Types].xml") {
        sniffed.note = Some("office open xml package".into());
    }
    Some(sniffed)
}

/// Names of the zip local file headers found in `head`.
fn zip_entry_names(head: &[u8]) -> impl Iterator<Item = &[u8]> {
    find_all(head, b"PK\x03\x04").filter_map(move |at| {
        let header = head.get(at..)?;
        let name_len = usize::from(u16::from_le_bytes([*header.get(26)?, *header.get(27)?]));
        header.get(30..30 + name_len)
    })
}

fn odf_format(head: &[u8]) -> Option<&'static str> {
    let name_len = usize::from(u16::from_le_bytes([*head.get(26)?, *head.get(27)?]));
    let extra_len = usize::from(u16::from_le_bytes([*head.get(28)?, *head.get(29)?]));
    if head.get(30..30 + name_len)? != b"mimetype" {
        return None;
    }
    let data_start = 30 + name_len + extra_len;
    let data = head.get(data_start..head.len().min(data_start + 80))?;
    let kind = data.strip_prefix(b"application/vnd.oasis.opendocument.".as_slice())?;
    let format = if kind.starts_with(b"text") {
        "odt"
    } else if kind.starts_with(b"spreadsheet") {
        "ods"
    } else if kind.starts_with(b"presentation") {
        "odp"
    } else {
        "odf"
    };
    Some(format)
}

fn ooxml_format(head: &[u8]) -> Option<&'static str> {
    zip_entry_names(head).find_map(|name| {
        if name.starts_with(b"word/") {
            Some("docx")
        } else if name.starts_with(b"xl/") {
            Some("xlsx")
        } else if name.starts_with(b"ppt/") {
            Some("pptx")
        } else {
            None
        }
    })
}

// --- OLE2 (legacy Office)

fn ole2(head: &[u8]) -> Option<Sniffed> {
    if !head.starts_with(OLE2) {
        return None;
    }
    let streams: [(&str, &str); 4] = [
        ("WordDocument", "doc"),
        ("Workbook", "xls"),
        ("Book", "xls"),
        ("PowerPoint Document", "ppt"),
    ];
    let format = streams
        .iter()
        .find(|(name, _)| find(head, &utf16le(name)).is_some())
        .map_or("ole2", |&(_, format)| format);
    Some(Sniffed::found(FileKind::Document, format))
}

fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

// --- MXF and MPEG transport streams

/// SMPTE 377 partition pack key prefix of a header partition.
const MXF_HEADER_PARTITION: &[u8] = &[
    0x06, 0x0E, 0x2B, 0x34, 0x02, 0x05, 0x01, 0x01, 0x0D, 0x01, 0x02, 0x01, 0x01, 0x02,
];

fn mxf(head: &[u8]) -> Option<Sniffed> {
    let run_in = find(head, MXF_HEADER_PARTITION)?;
    let sniffed = Sniffed::found(FileKind::Media, "mxf");
    if run_in == 0 {
        return Some(sniffed);
    }
    Some(sniffed.noted(Some(format!("{run_in}-byte run-in"))))
}

fn mpeg_ts(head: &[u8]) -> Option<Sniffed> {
    if sync_every(head, 0, 188) {
        return Some(Sniffed::found(FileKind::Media, "mpegts"));
    }
    sync_every(head, 4, 192).then(|| {
        Sniffed::found(FileKind::Media, "mpegts").noted(Some("192-byte packets (m2ts)".into()))
    })
}

/// At least three packets in `head`, each with the 0x47 sync byte, checking up to 16.
fn sync_every(head: &[u8], offset: usize, packet: usize) -> bool {
    let positions: Vec<usize> = (0..16)
        .map(|i| offset + i * packet)
        .take_while(|&p| p < head.len())
        .collect();
    positions.len() >= 3 && positions.iter().all(|&p| head[p] == 0x47)
}

// --- Weak signatures (short or needing validation)

fn weak_binary(head: &[u8], ext: Option<&str>, truncated: bool) -> Option<Sniffed> {
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        // A UTF-16 byte-order mark also looks like an MPEG audio frame sync.
        if let Some(text) = text_kind(head, ext, truncated) {
            return Some(text);
        }
    }
    mpeg_program(head)
        .or_else(|| ac3(head))
        .or_else(|| dv(head))
        .or_else(|| mpeg_audio(head, truncated))
        .or_else(|| bmp(head))
        .or_else(|| annex_b(head, ext))
}

fn mpeg_program(head: &[u8]) -> Option<Sniffed> {
    match head.get(0..4)? {
        [0, 0, 1, 0xBA] => Some(Sniffed::found(FileKind::Media, "mpegps")),
        [0, 0, 1, 0xB3] => Some(Sniffed::found(FileKind::Media, "mpegvideo")),
        _ => None,
    }
}

fn ac3(head: &[u8]) -> Option<Sniffed> {
    if !head.starts_with(&[0x0B, 0x77]) {
        return None;
    }
    let bsid = head.get(5)? >> 3;
    match bsid {
        0..=10 if head[4] >> 6 != 3 && head[4] & 0x3F < 38 => {
            Some(Sniffed::found(FileKind::Media, "ac3"))
        }
        11..=16 => Some(Sniffed::found(FileKind::Media, "eac3")),
        _ => None,
    }
}

fn dv(head: &[u8]) -> Option<Sniffed> {
    let state = u32::from_be_bytes(head.get(0..4)?.try_into().ok()?);
    (state & 0xFFFF_FF7F == 0x1F07_003F).then(|| Sniffed::found(FileKind::Media, "dv"))
}

fn bmp(head: &[u8]) -> Option<Sniffed> {
    if !head.starts_with(b"BM") || head.get(6..10)? != [0, 0, 0, 0] {
        return None;
    }
    let dib = u32::from_le_bytes(head.get(14..18)?.try_into().ok()?);
    [12, 40, 52, 56, 64, 108, 124]
        .contains(&dib)
        .then(|| Sniffed::found(FileKind::Image, "bmp"))
}

fn annex_b(head: &[u8], ext: Option<&str>) -> Option<Sniffed> {
    let format = match ext? {
        "h264" | "264" | "avc" | "h26l" => "h264",
        "hevc" | "h265" | "265" => "hevc",
        _ => return None,
    };
    let start_code = head.starts_with(&[0, 0, 0, 1]) || head.starts_with(&[0, 0, 1]);
    start_code.then(|| Sniffed::found(FileKind::Media, format))
}

// --- MPEG audio (MP3, MP2, ADTS AAC)

fn mpeg_audio(head: &[u8], truncated: bool) -> Option<Sniffed> {
    if let Some(after_tag) = id3_end(head) {
        let rest = head.get(after_tag..).unwrap_or(&[]);
        if rest.starts_with(b"fLaC") {
            return Some(Sniffed::found(FileKind::Media, "flac"));
        }
        let format = audio_frames(rest, truncated).unwrap_or("mp3");
        return Some(Sniffed::found(FileKind::Media, format).noted(Some("id3 tag".into())));
    }
    audio_frames(head, truncated).map(|format| Sniffed::found(FileKind::Media, format))
}

/// Where the audio starts after a leading ID3v2 tag, if there is one.
fn id3_end(head: &[u8]) -> Option<usize> {
    let tag = head.get(0..10)?;
    let valid = tag.starts_with(b"ID3")
        && tag[3] < 0xFF
        && tag[4] < 0xFF
        && tag[6..10].iter().all(|&b| b < 0x80);
    if !valid {
        return None;
    }
    let size = tag[6..10]
        .iter()
        .fold(0usize, |acc, &b| (acc << 7) | usize::from(b));
    let footer = if tag[5] & 0x10 != 0 { 10 } else { 0 };
    Some(10 + size + footer)
}

/// The format of an MPEG audio / ADTS frame at 0, confirmed by the next
/// frame, or by the file ending exactly where the frame does.
fn audio_frames(head: &[u8], truncated: bool) -> Option<&'static str> {
    let (format, len) = mpeg_frame(head).or_else(|| adts_frame(head))?;
    let confirmed = match head.get(len..len + 2) {
        Some(next) => next[0] == 0xFF && next[1] & 0xE0 == 0xE0,
        None => head.len() == len || truncated,
    };
    confirmed.then_some(format)
}

const BITRATES_V1: [[u32; 14]; 3] = [
    [
        32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
    ],
    [
        32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
    ],
    [
        32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ],
];
const BITRATES_V2: [[u32; 14]; 2] = [
    [
        32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
    ],
    [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
];

/// An MPEG-1/2/2.5 audio frame header: format name and frame length.
fn mpeg_frame(head: &[u8]) -> Option<(&'static str, usize)> {
    let h = head.get(0..4)?;
    if h[0] != 0xFF || h[1] & 0xE0 != 0xE0 {
        return None;
    }
    let version = (h[1] >> 3) & 3; // 0: 2.5, 1: reserved, 2: 2, 3: 1
    let layer = (h[1] >> 1) & 3; // 1: III, 2: II, 3: I
    let bitrate_index = usize::from(h[2] >> 4);
    let rate_index = usize::from((h[2] >> 2) & 3);
    if version == 1 || layer == 0 || !(1..=14).contains(&bitrate_index) || rate_index == 3 {
        return None;
    }
    let layer_index = usize::from(3 - layer); // 0: I, 1: II, 2: III
    let bitrate = if version == 3 {
        BITRATES_V1[layer_index][bitrate_index - 1]
    } else {
        BITRATES_V2[layer_index.min(1)][bitrate_index - 1]
    } * 1000;
    let rate = [44_100, 48_000, 32_000][rate_index] >> [2, 0, 1, 0][usize::from(version)];
    let padding = u32::from((h[2] >> 1) & 1);
    let len = match layer_index {
        0 => (12 * bitrate / rate + padding) * 4,
        2 if version != 3 => 72 * bitrate / rate + padding,
        _ => 144 * bitrate / rate + padding,
    };
    let format = ["mp1", "mp2", "mp3"][layer_index];
    Some((format, usize::try_from(len).ok()?))
}

/// An ADTS (AAC) frame header: format name and frame length.
fn adts_frame(head: &[u8]) -> Option<(&'static str, usize)> {
    let h = head.get(0..6)?;
    if h[0] != 0xFF || h[1] & 0xF6 != 0xF0 || (h[2] >> 2) & 0x0F > 12 {
        return None;
    }
    let len = (usize::from(h[3] & 3) << 11) | (usize::from(h[4]) << 3) | usize::from(h[5] >> 5);
    (len >= 7).then_some(("aac", len))
}

// ---------------------------------------------------------------------------
// Text

/// Decoded text from the head, with how it was encoded.
struct Text<'a> {
    text: Cow<'a, str>,
    /// UTF-8 or UTF-16 (with a byte-order mark), as opposed to a legacy 8-bit code page.
    unicode: bool,
    /// Encoding worth noting (`utf-16`, legacy 8-bit).
    note: Option<&'static str>,
}

fn decode_text(head: &[u8], truncated: bool) -> Option<Text<'_>> {
    if let Some(body) = head.strip_prefix(b"\xEF\xBB\xBF".as_slice()) {
        return decode_8bit(body, truncated);
    }
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return decode_utf16(head);
    }
    decode_8bit(head, truncated)
}

fn decode_8bit(bytes: &[u8], truncated: bool) -> Option<Text<'_>> {
    if !looks_textual(bytes) {
        return None;
    }
    let utf8 = match std::str::from_utf8(bytes) {
        Ok(text) => Some(text),
        // A multi-byte character cut off by the end of the head.
        Err(e) if truncated && e.error_len().is_none() => {
            std::str::from_utf8(&bytes[..e.valid_up_to()]).ok()
        }
        Err(_) => None,
    };
    Some(match utf8 {
        Some(text) => Text {
            text: Cow::Borrowed(text),
            unicode: true,
            note: None,
        },
        None => Text {
            text: Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
            unicode: false,
            note: Some("not utf-8 (legacy 8-bit encoding)"),
        },
    })
}

fn decode_utf16(head: &[u8]) -> Option<Text<'_>> {
    let big_endian = head.starts_with(b"\xFE\xFF");
    let units: Vec<u16> = head[2..]
        .chunks_exact(2)
        .map(|p| {
            let pair = [p[0], p[1]];
            if big_endian {
                u16::from_be_bytes(pair)
            } else {
                u16::from_le_bytes(pair)
            }
        })
        .collect();
    let text = String::from_utf16_lossy(&units);
    looks_textual(text.as_bytes()).then_some(Text {
        text: Cow::Owned(text),
        unicode: true,
        note: Some("utf-16"),
    })
}

/// No NUL bytes and hardly any control characters.
fn looks_textual(bytes: &[u8]) -> bool {
    if bytes.contains(&0) {
        return false;
    }
    let controls = bytes
        .iter()
        .filter(|&&b| (b < 0x20 && !b"\t\n\r\x0c\x1b".contains(&b)) || b == 0x7F)
        .count();
    controls * 100 <= bytes.len()
}

fn text_kind(head: &[u8], ext: Option<&str>, truncated: bool) -> Option<Sniffed> {
    let decoded = decode_text(head, truncated)?;
    let text = decoded.text.trim_start();
    let encoding = decoded.note.map(str::to_string);
    let sniffed = caption_text(text)
        .or_else(|| markup_text(text))
        .or_else(|| data_text(text, ext, truncated));
    let sniffed = match sniffed {
        Some(s) => s,
        None if decoded.unicode => Sniffed::found(FileKind::Document, "text"),
        None => return Some(Sniffed::unknown("text (not utf-8)")),
    };
    Some(sniffed.noted(encoding))
}

fn caption_text(text: &str) -> Option<Sniffed> {
    let caption = |format| Some(Sniffed::found(FileKind::Caption, format));
    if let Some(rest) = text.strip_prefix("WEBVTT") {
        if rest.is_empty() || rest.starts_with([' ', '\t', '\n', '\r']) {
            return caption("webvtt");
        }
    }
    if text.starts_with("Scenarist_SCC V1.0") {
        return caption("scc");
    }
    if text.starts_with("[Script Info]") {
        let lower = text.to_ascii_lowercase();
        let ass = lower.contains("scripttype: v4.00+") || lower.contains("[v4+ styles]");
        return caption(if ass { "ass" } else { "ssa" });
    }
    if is_srt(text) {
        return caption("srt");
    }
    None
}

/// A cue number line, then a `HH:MM:SS,mmm --> HH:MM:SS,mmm` timing line.
fn is_srt(text: &str) -> bool {
    let mut lines = text.lines().map(str::trim).skip_while(|l| l.is_empty());
    let number = lines.next().unwrap_or("");
    let timing = lines.next().unwrap_or("");
    let numbered = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit());
    numbered && is_srt_timing(timing)
}

fn is_srt_timing(line: &str) -> bool {
    let Some((start, end)) = line.split_once("-->") else {
        return false;
    };
    let end = end.trim_start();
    let end = end.split_whitespace().next().unwrap_or("");
    is_srt_timestamp(start.trim()) && is_srt_timestamp(end)
}

/// `H+:MM:SS,mmm` (a full stop instead of the comma is tolerated).
fn is_srt_timestamp(stamp: &str) -> bool {
    let Some((clock, millis)) = stamp.split_once([',', '.']) else {
        return false;
    };
    let parts: Vec<&str> = clock.split(':').collect();
    let digits = |s: &str, min: usize, max: usize| {
        (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    parts.len() == 3
        && digits(parts[0], 1, 3)
        && digits(parts[1], 2, 2)
        && digits(parts[2], 2, 2)
        && digits(millis, 1, 3)
}

// --- XML

fn markup_text(text: &str) -> Option<Sniffed> {
    if !text.starts_with('<') {
        return None;
    }
    let Some((qname, tag)) = xml_root(text) else {
        // A prolog longer than the head still makes an XML document.
        return text
            .starts_with("<?xml")
            .then(|| Sniffed::found(FileKind::Document, "xml"));
    };
    let (prefix, local) = qname.split_once(':').unwrap_or(("", qname));
    if local == "tt" {
        return Some(Sniffed::found(FileKind::Caption, "ttml").noted(ttml_note(text, tag, prefix)));
    }
    if qname.eq_ignore_ascii_case("html") {
        return Some(Sniffed::found(FileKind::Document, "html"));
    }
    Some(Sniffed::found(FileKind::Document, "xml").noted(Some(qname.to_string())))
}

/// The root element's qualified name and its start tag, skipping the prolog.
fn xml_root(mut text: &str) -> Option<(&str, &str)> {
    loop {
        text = text.trim_start();
        text = if let Some(rest) = text.strip_prefix("<?") {
            after(rest, "?>")?
        } else if let Some(rest) = text.strip_prefix("<!--") {
            after(rest, "-->")?
        } else if let Some(rest) = text.strip_prefix("<!") {
            skip_doctype(rest)?
        } else {
            let rest = text.strip_prefix('<')?;
            let name_end = rest.find(|c: char| c.is_whitespace() || c == '/' || c == '>')?;
            let tag_end = rest.find('>').unwrap_or(rest.len());
            let name = &rest[..name_end];
            let starts_well = name.starts_with(|c: char| c.is_alphabetic() || c == '_');
            return starts_well.then_some((name, &rest[..tag_end]));
        };
    }
}

fn after<'a>(text: &'a str, marker: &str) -> Option<&'a str> {
    text.find(marker).map(|at| &text[at + marker.len()..])
}

/// Skip a `<!DOCTYPE …>` declaration, including an internal subset in brackets.
fn skip_doctype(rest: &str) -> Option<&str> {
    let close = rest.find('>')?;
    match rest.find('[') {
        Some(open) if open < close => after(after(&rest[open..], "]")?, ">"),
        _ => Some(&rest[close + 1..]),
    }
}

const TTAF1: &str = "/ttaf1";
const IMSC_MARKERS: &[&str] = &[
    "ttp:profile",
    "xmlns:ittp",
    "http://www.w3.org/ns/ttml/profile/imsc",
];

fn ttml_note(text: &str, tag: &str, prefix: &str) -> Option<String> {
    let ns_attr = if prefix.is_empty() {
        "xmlns".to_string()
    } else {
        format!("xmlns:{prefix}")
    };
    if attr_value(tag, &ns_attr).is_some_and(|ns| ns.contains(TTAF1)) {
        return Some("dfxp".into());
    }
    IMSC_MARKERS
        .iter()
        .any(|m| text.contains(m))
        .then(|| "imsc".into())
}

/// The value of attribute `name` in a start tag.
fn attr_value<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    tag.match_indices(name).find_map(|(at, _)| {
        let before = tag[..at].chars().next_back()?;
        if !before.is_whitespace() {
            return None;
        }
        let rest = tag[at + name.len()..].trim_start().strip_prefix('=')?;
        let rest = rest.trim_start();
        let quote = rest.chars().next().filter(|&c| c == '"' || c == '\'')?;
        let value = &rest[1..];
        value.find(quote).map(|end| &value[..end])
    })
}

// --- JSON, CSV

fn data_text(text: &str, ext: Option<&str>, truncated: bool) -> Option<Sniffed> {
    if is_json(text, truncated) {
        return Some(Sniffed::found(FileKind::Document, "json"));
    }
    if matches!(ext, Some("csv" | "tsv" | "txt")) {
        if let Some(delimiter) = csv_delimiter(text, truncated) {
            return Some(Sniffed::found(FileKind::Document, "csv").noted(Some(delimiter.into())));
        }
    }
    None
}

fn is_json(text: &str, truncated: bool) -> bool {
    if !text.starts_with(['{', '[']) {
        return false;
    }
    match serde_json::from_str::<serde::de::IgnoredAny>(text) {
        Ok(_) => true,
        Err(e) => truncated && e.is_eof(),
    }
}

const DELIMITERS: [(char, &str); 3] = [
    (',', "comma-separated"),
    (';', "semicolon-separated"),
    ('\t', "tab-separated"),
];

/// A delimiter giving the same field count on the first lines (at least two).
fn csv_delimiter(text: &str, truncated: bool) -> Option<&'static str> {
    let whole = match text.rfind('\n') {
        Some(end) if truncated => &text[..end],
        _ => text,
    };
    let lines: Vec<&str> = whole
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    if lines.len() < 2 {
        return None;
    }
    DELIMITERS.iter().find_map(|&(delimiter, name)| {
        let first = count_unquoted(lines[0], delimiter);
        let consistent = first > 0 && lines.iter().all(|l| count_unquoted(l, delimiter) == first);
        consistent.then_some(name)
    })
}

fn count_unquoted(line: &str, delimiter: char) -> usize {
    let mut quoted = false;
    line.chars()
        .filter(|&c| {
            if c == '"' {
                quoted = !quoted;
            }
            c == delimiter && !quoted
        })
        .count()
}

// --- Binary leftovers

fn unknown_binary(head: &[u8]) -> Sniffed {
    if head.iter().all(|&b| b == 0) {
        return Sniffed::unknown("zero-filled data");
    }
    let note = if head.len() >= 256 && entropy(head) > 7.2 {
        "random binary data"
    } else {
        "binary data"
    };
    Sniffed::unknown(note)
}

/// Shannon entropy in bits per byte.
fn entropy(bytes: &[u8]) -> f64 {
    let mut counts = [0usize; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    let total = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / total;
            -p * p.log2()
        })
        .sum()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    find_all(haystack, needle).next()
}

fn find_all<'a>(haystack: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    haystack
        .windows(needle.len().max(1))
        .enumerate()
        .filter(move |(_, w)| *w == needle)
        .map(|(at, _)| at)
}

// ---------------------------------------------------------------------------
// Problems and warnings

/// The problem a file has on sniffing alone, or `None` when nothing is wrong.
///
/// A 0-byte file is [`ProblemKind::Empty`] (except clutter, which is often
/// empty by design); a file named like media whose content is not media is
/// [`ProblemKind::NotMedia`]. Valid media under the wrong extension is not a
/// problem: see [`extension_mismatch`].
pub fn expected_problem(
    file_name: &OsStr,
    sniffed: &Sniffed,
    file_len: u64,
) -> Option<FileProblem> {
    if sniffed.kind == FileKind::Clutter {
        return None;
    }
    if file_len == 0 {
        return Some(FileProblem::new(ProblemKind::Empty, "empty file (0 bytes)"));
    }
    if sniffed.kind == FileKind::Media || !is_media_extension(file_name) {
        return None;
    }
    let ext = Path::new(file_name)
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    Some(FileProblem::new(
        ProblemKind::NotMedia,
        format!(
            "not a media file: no known container signature (named .{ext}, content {})",
            describe_content(sniffed)
        ),
    ))
}

/// What the content is, as the end of a sentence starting "content …".
fn describe_content(sniffed: &Sniffed) -> String {
    let format = sniffed.format.as_deref().unwrap_or("");
    match (sniffed.kind, sniffed.note.as_deref()) {
        (FileKind::Unknown, Some(note)) if note.starts_with("text") => {
            "looks like plain text".into()
        }
        (FileKind::Unknown, Some(note)) => format!("is {note}"),
        (FileKind::Unknown, None) => "is unrecognised".into(),
        (FileKind::Document, _) if format == "text" => "looks like plain text".into(),
        (kind, _) => format!("is {}", format_label(kind, format)),
    }
}

const LABELS: &[(&str, &str)] = &[
    ("pdf", "a PDF document"),
    ("docx", "a Word document"),
    ("doc", "a Word document (legacy .doc)"),
    ("xlsx", "an Excel spreadsheet"),
    ("xls", "an Excel spreadsheet (legacy .xls)"),
    ("pptx", "a PowerPoint presentation"),
    ("ppt", "a PowerPoint presentation (legacy .ppt)"),
    ("odt", "an OpenDocument text document"),
    ("ods", "an OpenDocument spreadsheet"),
    ("odp", "an OpenDocument presentation"),
    ("zip", "a zip archive"),
    ("ole2", "an OLE2 compound document"),
    ("rtf", "an RTF document"),
    ("json", "JSON data"),
    ("xml", "an XML document"),
    ("html", "an HTML document"),
    ("csv", "a CSV table"),
    ("srt", "SubRip (SRT) captions"),
    ("webvtt", "WebVTT captions"),
    ("scc", "Scenarist (SCC) captions"),
    ("ttml", "TTML captions"),
    ("ebu-stl", "EBU STL subtitles"),
    ("ass", "ASS subtitles"),
    ("ssa", "SSA subtitles"),
];

fn format_label(kind: FileKind, format: &str) -> String {
    if let Some((_, label)) = LABELS.iter().find(|(f, _)| *f == format) {
        return label.to_string();
    }
    match kind {
        FileKind::Image => format!("a {} image", format.to_ascii_uppercase()),
        FileKind::Clutter => format!("system clutter ({format})"),
        _ => format!("a {format} file"),
    }
}

const FORMAT_EXTENSIONS: &[(&str, &[&str])] = &[
    ("mov", &["mov", "qt", "mp4", "m4v", "m4a", "3gp", "3g2"]),
    (
        "mp4",
        &[
            "mp4", "m4v", "m4a", "m4b", "m4p", "m4s", "mov", "3gp", "3g2", "f4v", "cmfv", "cmfa",
            "mj2",
        ],
    ),
    ("wav", &["wav", "wave", "bwf"]),
    ("rf64", &["rf64", "wav", "bwf", "bw64"]),
    ("bw64", &["bw64", "wav", "bwf", "rf64"]),
    ("w64", &["w64"]),
    ("avi", &["avi"]),
    ("aiff", &["aif", "aiff", "aifc"]),
    ("mxf", &["mxf"]),
    ("mkv", &["mkv", "mka", "mks", "mk3d"]),
    ("webm", &["webm", "mkv", "mka"]),
    ("mpegts", &["ts", "m2ts", "mts", "m2t", "trp", "tp"]),
    ("mpegps", &["mpg", "mpeg", "vob", "m2p", "ps", "mod"]),
    ("mpegvideo", &["m1v", "m2v", "mpv", "mpg", "mpeg"]),
    ("mp3", &["mp3"]),
    ("mp2", &["mp2", "mpa", "m2a"]),
    ("mp1", &["mp1", "mpa"]),
    ("aac", &["aac", "adts"]),
    ("flac", &["flac"]),
    ("ogg", &["ogg", "oga", "ogv", "ogx", "opus", "spx"]),
    ("ac3", &["ac3", "a52"]),
    ("eac3", &["eac3", "ec3"]),
    ("dts", &["dts", "dtshd", "cpt"]),
    ("caf", &["caf"]),
    ("dpx", &["dpx"]),
    ("exr", &["exr"]),
    ("y4m", &["y4m"]),
    ("dv", &["dv", "dif"]),
    ("h264", &["h264", "264", "avc", "h26l"]),
    ("hevc", &["hevc", "h265", "265"]),
    ("srt", &["srt"]),
    ("webvtt", &["vtt", "webvtt"]),
    ("scc", &["scc"]),
    ("ttml", &["ttml", "xml", "dfxp", "imsc", "ttml2"]),
    ("ebu-stl", &["stl"]),
    ("ass", &["ass", "ssa"]),
    ("ssa", &["ssa", "ass"]),
    ("pdf", &["pdf"]),
    ("docx", &["docx", "docm", "dotx"]),
    ("xlsx", &["xlsx", "xlsm", "xltx"]),
    ("pptx", &["pptx", "pptm", "potx"]),
    ("odt", &["odt"]),
    ("ods", &["ods"]),
    ("odp", &["odp"]),
    ("doc", &["doc", "dot"]),
    ("xls", &["xls", "xlt"]),
    ("ppt", &["ppt", "pps"]),
    ("zip", &["zip"]),
    ("rtf", &["rtf"]),
    ("json", &["json"]),
    ("xml", &["xml"]),
    ("html", &["html", "htm", "xhtml"]),
    ("csv", &["csv", "tsv", "txt"]),
    ("text", &["txt", "text", "md", "log"]),
    ("jpeg", &["jpg", "jpeg", "jpe", "jfif"]),
    ("png", &["png"]),
    ("tiff", &["tif", "tiff", "dng", "cr2", "nef", "arw"]),
    ("gif", &["gif"]),
    ("bmp", &["bmp", "dib"]),
    ("webp", &["webp"]),
    ("psd", &["psd", "psb"]),
    ("heic", &["heic", "heif", "hif"]),
    ("avif", &["avif"]),
    ("jp2", &["jp2", "jpf", "jpx"]),
    ("j2k", &["j2k", "j2c", "jpc"]),
    ("cr3", &["cr3"]),
];

fn extensions_of(format: &str) -> Option<&'static [&'static str]> {
    FORMAT_EXTENSIONS
        .iter()
        .find(|(f, _)| *f == format)
        .map(|(_, exts)| *exts)
}

fn is_known_extension(ext: &str) -> bool {
    FORMAT_EXTENSIONS
        .iter()
        .any(|(_, exts)| exts.contains(&ext))
}

/// A warning when the extension claims another format than the content
/// ("named .mov but the content is a wav file"); `None` when they agree.
///
/// Only raised for media content, or when the extension names a format
/// signoff knows; unusual extensions on documents pass silently.
pub fn extension_mismatch(file_name: &OsStr, sniffed: &Sniffed) -> Option<String> {
    if matches!(sniffed.kind, FileKind::Clutter | FileKind::Unknown) {
        return None;
    }
    let format = sniffed.format.as_deref()?;
    let allowed = extensions_of(format)?;
    let ext = extension(file_name)?;
    let claims_format = sniffed.kind == FileKind::Media || is_known_extension(&ext);
    if allowed.contains(&ext.as_str()) || !claims_format {
        return None;
    }
    let article = if format.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    Some(format!(
        "named .{ext} but the content is {article} {format} file"
    ))
}

/// The formats a name's extension claims (`a.jpg` → `["jpeg"]`); empty
/// when the extension is missing or names no format signoff knows.
pub fn claimed_formats(file_name: &OsStr) -> Vec<&'static str> {
    let Some(ext) = extension(file_name) else {
        return Vec::new();
    };
    FORMAT_EXTENSIONS
        .iter()
        .filter(|(_, exts)| exts.contains(&ext.as_str()))
        .map(|(format, _)| *format)
        .collect()
}

/// What a format is, in words (`jpeg` → "a JPEG image", `srt` → "SubRip (SRT) captions").
pub fn format_words(kind: FileKind, format: &str) -> String {
    format_label(kind, format)
}

/// What the content of a sniffed file is, as the end of a sentence
/// starting "the content …" ("is a JPEG image", "looks like plain text").
pub fn content_words(sniffed: &Sniffed) -> String {
    describe_content(sniffed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;

    fn name(text: &str) -> OsString {
        OsString::from(text)
    }

    fn sniffed(file: &str, head: &[u8]) -> Sniffed {
        sniff(&name(file), head, head.len() as u64)
    }

    fn format_of(file: &str, head: &[u8]) -> (FileKind, Option<String>) {
        let s = sniffed(file, head);
        (s.kind, s.format)
    }

    fn is(kind: FileKind, format: &str) -> (FileKind, Option<String>) {
        (kind, Some(format.to_string()))
    }

    /// Deterministic pseudo-random bytes (xorshift), never starting with a signature.
    fn noise(len: usize) -> Vec<u8> {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut bytes: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        bytes[0] = 0x5A;
        bytes
    }

    fn with_prefix(prefix: &[u8], len: usize) -> Vec<u8> {
        let mut bytes = prefix.to_vec();
        bytes.resize(len.max(prefix.len()), 0x11);
        bytes
    }

    fn ftyp_box(brand: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let size = 16 + 4 * compatible.len() as u32;
        let mut bytes = size.to_be_bytes().to_vec();
        bytes.extend_from_slice(b"ftyp");
        bytes.extend_from_slice(brand);
        bytes.extend_from_slice(&[0, 0, 2, 0]);
        for c in compatible {
            bytes.extend_from_slice(*c);
        }
        bytes.extend_from_slice(&[0, 0, 0, 8]);
        bytes.extend_from_slice(b"mdat");
        bytes
    }

    #[test]
    fn iso_bmff_brands() {
        let qt = ftyp_box(b"qt  ", &[b"qt  "]);
        assert_eq!(format_of("a.mov", &qt), is(FileKind::Media, "mov"));
        let mp4 = ftyp_box(b"isom", &[b"isom", b"mp42"]);
        let s = sniffed("a.mp4", &mp4);
        assert_eq!(
            (s.kind, s.format.as_deref()),
            (FileKind::Media, Some("mp4"))
        );
        assert_eq!(s.note.as_deref(), Some("major brand isom"));
        let bare = with_prefix(b"\0\0\0\x08wide\0\0\0\x10mdat", 64);
        assert_eq!(format_of("old.mov", &bare), is(FileKind::Media, "mov"));
        let moov = with_prefix(b"\0\0\x01\0moov", 64);
        assert_eq!(format_of("x", &moov), is(FileKind::Media, "mov"));
    }

    #[test]
    fn heic_is_an_image_not_media() {
        let heic = ftyp_box(b"heic", &[b"mif1", b"heic"]);
        assert_eq!(
            format_of("IMG_0001.HEIC", &heic),
            is(FileKind::Image, "heic")
        );
        let mif1 = ftyp_box(b"mif1", &[b"mif1", b"miaf"]);
        assert_eq!(format_of("a.heif", &mif1), is(FileKind::Image, "heic"));
        let avif = ftyp_box(b"avif", &[b"mif1", b"avif"]);
        assert_eq!(format_of("a.avif", &avif), is(FileKind::Image, "avif"));
        let mp4 = ftyp_box(b"mp42", &[b"isom"]);
        assert_eq!(format_of("a.heic", &mp4), is(FileKind::Media, "mp4"));
    }

    #[test]
    fn riff_family() {
        let wav = with_prefix(b"RIFF\x24\0\0\0WAVEfmt ", 44);
        assert_eq!(format_of("a.wav", &wav), is(FileKind::Media, "wav"));
        let rf64 = with_prefix(b"RF64\xff\xff\xff\xffWAVEds64", 44);
        assert_eq!(format_of("a.wav", &rf64), is(FileKind::Media, "rf64"));
        let bw64 = with_prefix(b"BW64\xff\xff\xff\xffWAVEds64", 44);
        assert_eq!(format_of("a.wav", &bw64), is(FileKind::Media, "bw64"));
        let avi = with_prefix(b"RIFF\0\x10\0\0AVI LIST", 64);
        assert_eq!(format_of("a.avi", &avi), is(FileKind::Media, "avi"));
        let webp = with_prefix(b"RIFF\0\x10\0\0WEBPVP8 ", 64);
        assert_eq!(format_of("a.webp", &webp), is(FileKind::Image, "webp"));
        let w64 = with_prefix(W64_RIFF, 64);
        assert_eq!(format_of("a.w64", &w64), is(FileKind::Media, "w64"));
        let aiff = with_prefix(b"FORM\0\0\x10\0AIFFCOMM", 64);
        assert_eq!(format_of("a.aif", &aiff), is(FileKind::Media, "aiff"));
        let aifc = with_prefix(b"FORM\0\0\x10\0AIFCFVER", 64);
        assert_eq!(format_of("a.aifc", &aifc), is(FileKind::Media, "aiff"));
    }

    #[test]
    fn mxf_at_start_and_after_run_in() {
        let mut key = MXF_HEADER_PARTITION.to_vec();
        key.extend_from_slice(&[0x04, 0x00, 0x83, 0, 0, 0x88]);
        assert_eq!(format_of("a.mxf", &key), is(FileKind::Media, "mxf"));
        let mut run_in = noise(1024);
        run_in.extend_from_slice(&key);
        run_in.extend(noise(512));
        let s = sniffed("a.mxf", &run_in);
        assert_eq!(
            (s.kind, s.format.as_deref()),
            (FileKind::Media, Some("mxf"))
        );
        assert_eq!(s.note.as_deref(), Some("1024-byte run-in"));
    }

    #[test]
    fn matroska_and_webm() {
        let mut webm = vec![0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01];
        webm.extend_from_slice(&[0x42, 0x82, 0x84]);
        webm.extend_from_slice(b"webm");
        webm.extend_from_slice(&[0x42, 0x87, 0x81, 0x04]);
        assert_eq!(format_of("a.webm", &webm), is(FileKind::Media, "webm"));
        let mut mkv = vec![0x1A, 0x45, 0xDF, 0xA3, 0xA3, 0x42, 0x86, 0x81, 0x01];
        mkv.extend_from_slice(&[0x42, 0x82, 0x88]);
        mkv.extend_from_slice(b"matroska");
        assert_eq!(format_of("a.mkv", &mkv), is(FileKind::Media, "mkv"));
        assert_eq!(format_of("a.mka", &mkv[..6]), is(FileKind::Media, "mkv"));
    }

    #[test]
    fn transport_streams() {
        let mut ts = vec![0u8; 188 * 3];
        for p in 0..3 {
            ts[p * 188] = 0x47;
        }
        assert_eq!(format_of("a.ts", &ts), is(FileKind::Media, "mpegts"));
        assert_eq!(format_of("a.ts", &ts[..188 * 2]).1, None);
        let mut m2ts = vec![0u8; 192 * 3];
        for p in 0..3 {
            m2ts[p * 192 + 4] = 0x47;
        }
        let s = sniffed("a.m2ts", &m2ts);
        assert_eq!(s.format.as_deref(), Some("mpegts"));
        assert_eq!(s.note.as_deref(), Some("192-byte packets (m2ts)"));
        let ps = with_prefix(&[0, 0, 1, 0xBA, 0x44], 64);
        assert_eq!(format_of("a.vob", &ps), is(FileKind::Media, "mpegps"));
    }

    /// Two MPEG-1 Layer III frames, 128 kb/s, 44.1 kHz (417 bytes each).
    fn mp3_frames() -> Vec<u8> {
        let mut frame = vec![0xFF, 0xFB, 0x90, 0x64];
        frame.resize(417, 0x55);
        [frame.clone(), frame].concat()
    }

    #[test]
    fn mpeg_audio_and_friends() {
        assert_eq!(
            format_of("a.mp3", &mp3_frames()),
            is(FileKind::Media, "mp3")
        );
        let mut tagged = b"ID3\x04\0\0\0\0\0\x0a".to_vec();
        tagged.extend_from_slice(&[0; 10]);
        tagged.extend(mp3_frames());
        let s = sniffed("a.mp3", &tagged);
        assert_eq!(s.format.as_deref(), Some("mp3"));
        assert_eq!(s.note.as_deref(), Some("id3 tag"));
        let mut broken = mp3_frames();
        broken[417] = 0x00;
        assert_ne!(format_of("a.mp3", &broken).1.as_deref(), Some("mp3"));
        assert_eq!(
            format_of("a.flac", b"fLaC\0\0\0\x22"),
            is(FileKind::Media, "flac")
        );
        let ogg = with_prefix(
            b"OggS\0\x02\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\x13OpusHead",
            64,
        );
        let s = sniffed("a.opus", &ogg);
        assert_eq!(s.format.as_deref(), Some("ogg"));
        assert_eq!(s.note.as_deref(), Some("opus"));
        let ac3 = [0x0B, 0x77, 0x12, 0x34, 0x14, 0x40, 0x00];
        assert_eq!(format_of("a.ac3", &ac3), is(FileKind::Media, "ac3"));
        let eac3 = [0x0B, 0x77, 0x02, 0xFF, 0x34, 0x80, 0x00];
        assert_eq!(format_of("a.ec3", &eac3), is(FileKind::Media, "eac3"));
        assert_eq!(
            format_of("a.dts", &[0x7F, 0xFE, 0x80, 0x01, 0xFC]),
            is(FileKind::Media, "dts")
        );
        assert_eq!(
            format_of("a.caf", b"caff\0\x01\0\0"),
            is(FileKind::Media, "caf")
        );
    }

    #[test]
    fn image_sequences_and_raw_video() {
        assert_eq!(
            format_of("f.0001.dpx", b"SDPXV2.0"),
            is(FileKind::Media, "dpx")
        );
        assert_eq!(
            format_of("f.0001.dpx", b"XPDS\0\0\x20\0"),
            is(FileKind::Media, "dpx")
        );
        assert_eq!(
            format_of("f.exr", &[0x76, 0x2F, 0x31, 0x01, 2]),
            is(FileKind::Media, "exr")
        );
        assert_eq!(
            format_of("a.y4m", b"YUV4MPEG2 W1920 H1080 F25:1\n"),
            is(FileKind::Media, "y4m")
        );
        let annex_b = [0, 0, 0, 1, 0x67, 0x64, 0x00, 0x28];
        assert_eq!(format_of("a.h264", &annex_b), is(FileKind::Media, "h264"));
        assert_eq!(format_of("a.265", &annex_b), is(FileKind::Media, "hevc"));
        assert_eq!(format_of("a.bin", &annex_b).0, FileKind::Unknown);
    }

    #[test]
    fn srt_with_bom_and_crlf() {
        let srt = b"\xEF\xBB\xBF1\r\n00:00:01,000 --> 00:00:02,500\r\nHello\r\n\r\n2\r\n";
        assert_eq!(format_of("a.srt", srt), is(FileKind::Caption, "srt"));
        let plain = b"1\n00:00:01,000 --> 00:00:02,500 X1:0\nHi\n";
        assert_eq!(format_of("a.srt", plain), is(FileKind::Caption, "srt"));
        let not_srt = b"1\nthis is a list\n";
        assert_eq!(format_of("a.srt", not_srt), is(FileKind::Document, "text"));
    }

    #[test]
    fn legacy_encoded_srt_is_still_srt() {
        let srt = b"1\n00:00:01,000 --> 00:00:02,000\nCaf\xe9\n";
        let s = sniffed("a.srt", srt);
        assert_eq!(
            (s.kind, s.format.as_deref()),
            (FileKind::Caption, Some("srt"))
        );
        assert_eq!(s.note.as_deref(), Some("not utf-8 (legacy 8-bit encoding)"));
    }

    #[test]
    fn webvtt_scc_ass() {
        let vtt = b"\xEF\xBB\xBFWEBVTT\n\n00:01.000 --> 00:02.000\nHi\n";
        assert_eq!(format_of("a.vtt", vtt), is(FileKind::Caption, "webvtt"));
        assert_eq!(format_of("a.vtt", b"WEBVTTX\n").1.as_deref(), Some("text"));
        let scc = b"Scenarist_SCC V1.0\r\n\r\n00:00:00;00\t9420 9420\r\n";
        assert_eq!(format_of("a.scc", scc), is(FileKind::Caption, "scc"));
        let ass = b"[Script Info]\nScriptType: v4.00+\n";
        assert_eq!(format_of("a.ass", ass), is(FileKind::Caption, "ass"));
        let ssa = b"[Script Info]\nScriptType: v4.00\n";
        assert_eq!(format_of("a.ssa", ssa), is(FileKind::Caption, "ssa"));
    }

    #[test]
    fn utf16_webvtt() {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(utf16le("WEBVTT\r\n\r\n"));
        let s = sniffed("a.vtt", &bytes);
        assert_eq!(
            (s.kind, s.format.as_deref()),
            (FileKind::Caption, Some("webvtt"))
        );
        assert_eq!(s.note.as_deref(), Some("utf-16"));
    }

    #[test]
    fn ttml_variants() {
        let prefixed = br#"<?xml version="1.0" encoding="UTF-8"?>
<!-- made by hand -->
<tt:tt xmlns:tt="http://www.w3.org/ns/ttml" xml:lang="en"><tt:body/></tt:tt>"#;
        let s = sniffed("a.xml", prefixed);
        assert_eq!(
            (s.kind, s.format.as_deref(), s.note),
            (FileKind::Caption, Some("ttml"), None)
        );
        let imsc = br#"<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttp="http://www.w3.org/ns/ttml#parameter"
  ttp:profile="http://www.w3.org/ns/ttml/profile/imsc1/text"><body/></tt>"#;
        assert_eq!(sniffed("a.ttml", imsc).note.as_deref(), Some("imsc"));
        let dfxp =
            br#"<?xml version="1.0"?><tt xmlns='http://www.w3.org/2006/10/ttaf1'><body/></tt>"#;
        let s = sniffed("a.dfxp", dfxp);
        assert_eq!(
            (s.format.as_deref(), s.note.as_deref()),
            (Some("ttml"), Some("dfxp"))
        );
    }

    #[test]
    fn other_xml_names_its_root() {
        let cpl = br#"<?xml version="1.0"?>
<!DOCTYPE x [ <!ENTITY a "b"> ]>
<CompositionPlaylist xmlns="http://www.smpte-ra.org/schemas/2067-3/2016"><Id/></CompositionPlaylist>"#;
        let s = sniffed("CPL.xml", cpl);
        assert_eq!(
            (s.kind, s.format.as_deref()),
            (FileKind::Document, Some("xml"))
        );
        assert_eq!(s.note.as_deref(), Some("CompositionPlaylist"));
        assert_eq!(
            format_of("a.txt", b"<<< not xml >>>\n").1.as_deref(),
            Some("text")
        );
        assert_eq!(
            format_of("a.txt", b"< 3 apples\n").1.as_deref(),
            Some("text")
        );
        let not_tt = b"<ttx/>";
        assert_eq!(format_of("a.xml", not_tt), is(FileKind::Document, "xml"));
    }

    #[test]
    fn ebu_stl_code_pages_and_rates() {
        for dfc in [
            "STL25.01", "STL30.01", "STL24.01", "STL50.01", "STL23.01", "STL48.01",
        ] {
            let mut gsi = b"850".to_vec();
            gsi.extend_from_slice(dfc.as_bytes());
            gsi.extend_from_slice(b"1 0BAIN");
            assert_eq!(
                format_of("a.stl", &gsi),
                is(FileKind::Caption, "ebu-stl"),
                "{dfc}"
            );
        }
        assert_eq!(format_of("a.stl", b"850STLxx.01").0, FileKind::Document);
    }

    fn zip_entry(name: &[u8], data: &[u8]) -> Vec<u8> {
        let mut bytes = b"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0\0\0\0\0".to_vec();
        bytes.extend_from_slice(&(data.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&(data.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&(name.len() as u16).to_le_bytes());
        bytes.extend_from_slice(&[0, 0]);
        bytes.extend_from_slice(name);
        bytes.extend_from_slice(data);
        bytes
    }

    #[test]
    fn zip_based_documents() {
        let ct = zip_entry(b"[Content_Types].xml", b"<Types/>");
        let xlsx = [ct.clone(), zip_entry(b"xl/workbook.xml", b"<x/>")].concat();
        assert_eq!(format_of("a.xlsx", &xlsx), is(FileKind::Document, "xlsx"));
        let docx = [ct.clone(), zip_entry(b"word/document.xml", b"<w/>")].concat();
        assert_eq!(format_of("a.docx", &docx), is(FileKind::Document, "docx"));
        let pptx = [ct.clone(), zip_entry(b"ppt/presentation.xml", b"<p/>")].concat();
        assert_eq!(format_of("a.pptx", &pptx), is(FileKind::Document, "pptx"));
        let s = sniffed("a.docx", &ct);
        assert_eq!(s.format.as_deref(), Some("zip"));
        assert_eq!(s.note.as_deref(), Some("office open xml package"));
        let ods = zip_entry(
            b"mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        );
        assert_eq!(format_of("a.ods", &ods), is(FileKind::Document, "ods"));
        let odt = zip_entry(b"mimetype", b"application/vnd.oasis.opendocument.text");
        assert_eq!(format_of("a.odt", &odt), is(FileKind::Document, "odt"));
        let plain = zip_entry(b"clip.mov", b"data");
        assert_eq!(format_of("a.zip", &plain), is(FileKind::Document, "zip"));
    }

    fn ole2_with_stream(stream: &str) -> Vec<u8> {
        let mut bytes = with_prefix(OLE2, 512);
        bytes.extend(utf16le(stream));
        bytes.resize(1024, 0);
        bytes
    }

    #[test]
    fn thumbs_db_is_clutter_xls_is_a_document() {
        let xls = ole2_with_stream("Workbook");
        assert_eq!(format_of("budget.xls", &xls), is(FileKind::Document, "xls"));
        let doc = ole2_with_stream("WordDocument");
        assert_eq!(format_of("letter.doc", &doc), is(FileKind::Document, "doc"));
        let thumbs = ole2_with_stream("Catalog");
        assert_eq!(
            format_of("Thumbs.db", &thumbs),
            is(FileKind::Clutter, "thumbs_db")
        );
        assert_eq!(
            format_of("thumbs.db", &thumbs),
            is(FileKind::Clutter, "thumbs_db")
        );
    }

    #[test]
    fn other_documents() {
        assert_eq!(
            format_of("a.pdf", b"%PDF-1.7\n%\xe2\xe3"),
            is(FileKind::Document, "pdf")
        );
        assert_eq!(
            format_of("a.rtf", b"{\\rtf1\\ansi"),
            is(FileKind::Document, "rtf")
        );
        assert_eq!(
            format_of("a.json", b" {\"a\": [1, 2]}\n"),
            is(FileKind::Document, "json")
        );
        assert_eq!(
            format_of("a.json", b"{\"a\": [1, 2]").1.as_deref(),
            Some("text")
        );
        let cut = b"{\"a\": [1, 2, 3";
        assert_eq!(
            sniff(&name("a.json"), cut, 10_000).format.as_deref(),
            Some("json")
        );
        let csv =
            b"reel,tc in,tc out\nA001,01:00:00:00,01:00:10:00\nA002,01:00:10:00,01:00:20:00\n";
        let s = sniffed("edl.csv", csv);
        assert_eq!(
            (s.format.as_deref(), s.note.as_deref()),
            (Some("csv"), Some("comma-separated"))
        );
        assert_eq!(format_of("edl.md", csv), is(FileKind::Document, "text"));
        let ragged = b"a,b,c\nd,e\n";
        assert_eq!(format_of("x.csv", ragged), is(FileKind::Document, "text"));
        let semi = b"a;b\n\"1;x\";2\n";
        assert_eq!(
            sniffed("x.txt", semi).note.as_deref(),
            Some("semicolon-separated")
        );
    }

    #[test]
    fn images() {
        let cases: [(&[u8], &str); 8] = [
            (&[0xFF, 0xD8, 0xFF, 0xE0], "jpeg"),
            (b"\x89PNG\r\n\x1a\n\0\0", "png"),
            (b"II*\0\x08\0\0\0", "tiff"),
            (b"MM\0*\0\0\0\x08", "tiff"),
            (b"GIF89a\x01\0", "gif"),
            (b"8BPS\0\x01", "psd"),
            (b"BM\x46\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0", "bmp"),
            (b"\0\0\0\x0CjP  \r\n\x87\n", "jp2"),
        ];
        for (bytes, format) in cases {
            assert_eq!(
                format_of("img", bytes),
                is(FileKind::Image, format),
                "{format}"
            );
        }
        assert_eq!(
            format_of("a.txt", b"BMW owners club\n").1.as_deref(),
            Some("text")
        );
    }

    #[test]
    fn clutter_by_name_confirmed_by_content() {
        let ds = with_prefix(DS_STORE, 64);
        assert_eq!(
            format_of(".DS_Store", &ds),
            is(FileKind::Clutter, "ds_store")
        );
        let double = with_prefix(APPLEDOUBLE, 64);
        assert_eq!(
            format_of("._clip.mov", &double),
            is(FileKind::Clutter, "appledouble")
        );
        assert_eq!(
            format_of(".localized", b""),
            is(FileKind::Clutter, "localized")
        );
        assert_eq!(format_of("Icon\r", b""), is(FileKind::Clutter, "mac_icon"));
        assert_eq!(
            format_of("desktop.ini", b"[.ShellClassInfo]\r\n"),
            is(FileKind::Clutter, "desktop_ini")
        );
        assert_eq!(
            format_of("~$budget.xlsx", &[5, b'j', b'o']),
            is(FileKind::Clutter, "office_lock")
        );
        let s = sniffed("._clip.mov", &mp3_frames());
        assert_eq!(
            (s.kind, s.note.as_deref()),
            (FileKind::Media, Some("named like appledouble clutter"))
        );
    }

    #[test]
    fn unknown_binary_and_text() {
        let s = sniffed("a.bin", &noise(4096));
        assert_eq!(
            (s.kind, s.format, s.note.as_deref()),
            (FileKind::Unknown, None, Some("random binary data"))
        );
        assert_eq!(
            sniffed("a.bin", &[0u8; 100]).note.as_deref(),
            Some("zero-filled data")
        );
        assert_eq!(
            sniffed("a.bin", &[1, 0, 2, 0]).note.as_deref(),
            Some("binary data")
        );
        assert_eq!(sniffed("a", b"").note.as_deref(), Some("empty"));
        assert_eq!(
            format_of("notes", b"hello\n"),
            is(FileKind::Document, "text")
        );
        let latin1 = sniffed("notes", b"caf\xe9\n");
        assert_eq!(
            (latin1.kind, latin1.note.as_deref()),
            (FileKind::Unknown, Some("text (not utf-8)"))
        );
    }

    #[test]
    fn truncated_utf8_at_end_of_head_is_still_text() {
        let head = "caf\u{e9}".as_bytes();
        let cut = &head[..head.len() - 1];
        assert_eq!(
            sniff(&name("a.txt"), cut, 1000).format.as_deref(),
            Some("text")
        );
    }

    #[test]
    fn text_named_wav_is_not_media() {
        let file = name("mix.wav");
        let text = b"this is not audio\n";
        let s = sniff(&file, text, text.len() as u64);
        let problem = expected_problem(&file, &s, text.len() as u64).expect("a problem");
        assert_eq!(problem.kind, ProblemKind::NotMedia);
        assert_eq!(
            problem.message,
            "not a media file: no known container signature (named .wav, content looks like plain text)"
        );
    }

    #[test]
    fn random_bytes_named_mxf_are_not_media() {
        let file = name("REEL_01.MXF");
        let bytes = noise(8192);
        let s = sniff(&file, &bytes, 1 << 30);
        let problem = expected_problem(&file, &s, 1 << 30).expect("a problem");
        assert_eq!(problem.kind, ProblemKind::NotMedia);
        assert_eq!(
            problem.message,
            "not a media file: no known container signature (named .MXF, content is random binary data)"
        );
    }

    #[test]
    fn pdf_named_mov_is_not_media() {
        let file = name("clip.mov");
        let s = sniff(&file, b"%PDF-1.4\n", 9);
        let problem = expected_problem(&file, &s, 9).expect("a problem");
        assert!(problem
            .message
            .ends_with("(named .mov, content is a PDF document)"));
    }

    #[test]
    fn empty_files() {
        for file in ["a.wav", "notes.txt", "noext"] {
            let file = name(file);
            let s = sniff(&file, b"", 0);
            let problem = expected_problem(&file, &s, 0).expect("a problem");
            assert_eq!(
                problem,
                FileProblem::new(ProblemKind::Empty, "empty file (0 bytes)")
            );
        }
        for file in [".localized", "Icon\r", "._a.mov", "Thumbs.db"] {
            let file = name(file);
            assert_eq!(expected_problem(&file, &sniff(&file, b"", 0), 0), None);
        }
    }

    #[test]
    fn valid_media_has_no_problem_but_may_be_misnamed() {
        let wav = with_prefix(b"RIFF\x24\0\0\0WAVEfmt ", 44);
        let file = name("mix.mov");
        let s = sniff(&file, &wav, 44);
        assert_eq!(expected_problem(&file, &s, 44), None);
        assert_eq!(
            extension_mismatch(&file, &s).as_deref(),
            Some("named .mov but the content is a wav file")
        );
        assert_eq!(extension_mismatch(&name("mix.WAV"), &s), None);
        let qt = ftyp_box(b"qt  ", &[]);
        assert_eq!(
            extension_mismatch(&name("a.mp4"), &sniffed("a.mp4", &qt)),
            None
        );
        let pdf = sniffed("a.pdf", b"%PDF-1.4");
        assert_eq!(extension_mismatch(&name("report.final"), &pdf), None);
        assert_eq!(
            extension_mismatch(&name("report.docx"), &pdf).as_deref(),
            Some("named .docx but the content is a pdf file")
        );
        let mxf = sniffed("a", MXF_HEADER_PARTITION);
        assert_eq!(
            extension_mismatch(&name("a.bin"), &mxf).as_deref(),
            Some("named .bin but the content is a mxf file")
        );
    }

    #[test]
    fn media_extensions() {
        for file in [
            "a.mov", "A.MXF", "b.wav", "c.m2ts", "d.h264", "e.3gp", "f.y4m",
        ] {
            assert!(is_media_extension(&name(file)), "{file}");
        }
        for file in ["a.pdf", "mov", ".mov.txt", "noext"] {
            assert!(!is_media_extension(&name(file)), "{file}");
        }
        assert!(!is_media_extension(&OsString::from_vec(
            b"a.\xffmov".to_vec()
        )));
    }

    #[test]
    fn sniff_path_reads_at_most_the_head() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("big.wav");
        let mut bytes = with_prefix(b"RIFF\x24\0\0\0WAVEfmt ", SNIFF_BYTES * 2);
        bytes[SNIFF_BYTES + 10] = 0;
        std::fs::write(&path, &bytes).expect("write");
        let s = sniff_path(&path, bytes.len() as u64).expect("sniffed");
        assert_eq!(s.format.as_deref(), Some("wav"));
    }

    #[test]
    fn sniff_path_problems() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = sniff_path(&dir.path().join("gone.wav"), 0).expect_err("missing");
        assert_eq!(
            missing,
            FileProblem::new(ProblemKind::Unreadable, "cannot read: not found")
        );
        let folder = sniff_path(dir.path(), 0).expect_err("a folder");
        assert_eq!(folder.kind, ProblemKind::NotRegularFile);
        let fifo = dir.path().join("pipe.wav");
        let c_path = std::ffi::CString::new(fifo.as_os_str().as_bytes()).expect("no NUL");
        // SAFETY: c_path is a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) }, 0);
        let problem = sniff_path(&fifo, 0).expect_err("a named pipe");
        assert_eq!(
            problem,
            FileProblem::new(
                ProblemKind::NotRegularFile,
                "not a regular file (named pipe)"
            )
        );
    }

    #[test]
    fn io_errors_in_plain_words() {
        let denied = io::Error::from_raw_os_error(libc::EACCES);
        assert_eq!(io_words(&denied), "permission denied");
        assert_eq!(
            io_words(&io::Error::from_raw_os_error(libc::EIO)),
            "input/output error"
        );
        assert_eq!(
            io_words(&io::Error::from_raw_os_error(libc::ENOSPC)),
            "no space left on device"
        );
    }

    #[test]
    fn serde_names() {
        let s = sniffed("a.srt", b"1\n00:00:01,000 --> 00:00:02,000\nx\n");
        let json = serde_json::to_string(&s).expect("json");
        assert_eq!(json, r#"{"kind":"caption","format":"srt","note":null}"#);
        let back: Sniffed = serde_json::from_str(&json).expect("back");
        assert_eq!(back, s);
    }
}
