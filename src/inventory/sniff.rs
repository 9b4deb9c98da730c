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
        .or_else(|| weak_binary(head, ext))
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

fn weak_binary(head: &[u8], ext: Option<&str>) -> Option<Sniffed> {
    mpeg_program(head)
        .or_else(|| ac3(head))
        .or_else(|| dv(head))
        .or_else(|| mpeg_audio(head))
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

fn mpeg_audio(head: &[u8]) -> Option<Sniffed> {
    if let Some(after_tag) = id3_end(head) {
        let rest = head.get(after_tag..).unwrap_or(&[]);
        if rest.starts_with(b"fLaC") {
            return Some(Sniffed::found(FileKind::Media, "flac"));
        }
        let format = audio_frames(rest).unwrap_or("mp3");
        return Some(Sniffed::found(FileKind::Media, format).noted(Some("id3 tag".into())));
    }
    audio_frames(head).map(|format| Sniffed::found(FileKind::Media, format))
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

/// The format of an MPEG audio / ADTS frame at 0, confirmed by the next frame when in `head`.
fn audio_frames(head: &[u8]) -> Option<&'static str> {
    let (format, len) = mpeg_frame(head).or_else(|| adts_frame(head))?;
    match head.get(len..len + 2) {
        Some(next) if next[0] != 0xFF || next[1] & 0xE0 != 0xE0 => None,
        _ => Some(format),
    }
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
        return Some(Sniffed::found(FileKind::Document, "xml"));
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
            return (!name.is_empty()).then_some((name, &rest[..tag_end]));
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

#[cfg(test)]
mod tests {
    use super::*;
}
