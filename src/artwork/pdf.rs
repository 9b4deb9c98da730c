//! A PDF's pages and their sizes, read with `lopdf`: the page tree in
//! order, each page's crop box (inherited from its parents, clipped to its
//! media box, as `pdfinfo` reports it) in points, named when it is a
//! standard paper size (A0–A6, US Letter, US Legal, Tabloid).
//!
//! Memory: the parser holds the file, so a PDF over [`PARSE_LIMIT_BYTES`]
//! is not read (lopdf also caps decompressed streams and nesting).

use std::path::Path;

/// Largest PDF read (a cue sheet or a report is a few MB).
pub const PARSE_LIMIT_BYTES: u64 = 256 * 1024 * 1024;

/// How many parents a page's boxes are looked for in.
const MAX_DEPTH: usize = 64;

/// What a PDF says about itself.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentInfo {
    /// `1.4`, `1.7`…
    pub version: String,
    /// Pages in its page tree, or why they cannot be counted (encrypted).
    pub page_count: Result<u32, String>,
    /// Each page's size, or why the sizes cannot be read.
    pub pages: Result<Vec<PageSize>, String>,
    /// Whether the document is encrypted.
    pub encrypted: bool,
}

/// One page's crop box, in points (1/72 inch).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageSize {
    /// Width in points.
    pub width_pt: f64,
    /// Height in points.
    pub height_pt: f64,
}

impl PageSize {
    /// The standard paper size it is (either orientation, within 1 pt).
    pub fn name(&self) -> Option<&'static str> {
        PAPER.iter().find_map(|&(name, w, h)| {
            let near = |a: f64, b: f64| (a - b).abs() < 1.0;
            let fits = (near(self.width_pt, w) && near(self.height_pt, h))
                || (near(self.width_pt, h) && near(self.height_pt, w));
            fits.then_some(name)
        })
    }

    /// The size in points (`595.276 x 841.89 pt`).
    pub fn points(&self) -> String {
        let t = crate::spec::value::trim_float;
        format!("{} x {} pt", t(self.width_pt), t(self.height_pt))
    }

    /// Its name when it has one, else its size in points.
    pub fn words(&self) -> String {
        self.name().map_or_else(|| self.points(), str::to_string)
    }
}

/// mm → points.
const fn mm(v: f64) -> f64 {
    v * 72.0 / 25.4
}

/// Standard paper sizes, portrait, in points.
const PAPER: &[(&str, f64, f64)] = &[
    ("US Letter", 612.0, 792.0),
    ("US Legal", 612.0, 1008.0),
    ("Tabloid", 792.0, 1224.0),
    ("A0", mm(841.0), mm(1189.0)),
    ("A1", mm(594.0), mm(841.0)),
    ("A2", mm(420.0), mm(594.0)),
    ("A3", mm(297.0), mm(420.0)),
    ("A4", mm(210.0), mm(297.0)),
    ("A5", mm(148.0), mm(210.0)),
    ("A6", mm(105.0), mm(148.0)),
];

/// The pages' sizes in words: `A4` when every page is A4, else each size
/// with its count (`mixed: A4 (2 pages), US Letter (1 page)`).
pub fn sizes_words(pages: &[PageSize]) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for p in pages {
        let w = p.words();
        match counts.iter_mut().find(|(k, _)| *k == w) {
            Some((_, n)) => *n += 1,
            None => counts.push((w, 1)),
        }
    }
    match counts.as_slice() {
        [] => "no pages".into(),
        [(one, _)] => one.clone(),
        many => {
            let each: Vec<String> = many
                .iter()
                .map(|(k, n)| format!("{k} ({n} page{})", if *n == 1 { "" } else { "s" }))
                .collect();
            format!("mixed: {}", each.join(", "))
        }
    }
}

/// Reads a PDF's pages. `Err` says why it is not a PDF that can be read.
pub fn read_pdf(path: &Path) -> Result<DocumentInfo, String> {
    let (bytes, len) = crate::kinds::read_head(path, PARSE_LIMIT_BYTES).map_err(|e| {
        format!(
            "the PDF cannot be read: {}",
            crate::inventory::sniff::io_words(&e)
        )
    })?;
    if len > PARSE_LIMIT_BYTES {
        return Err(format!(
            "the PDF is {len} bytes; it is read up to {PARSE_LIMIT_BYTES} bytes only"
        ));
    }
    if !bytes.starts_with(b"%PDF-") {
        return Err("the file does not start with a %PDF- header: it is not a PDF".into());
    }
    let loaded = std::panic::catch_unwind(|| lopdf::Document::load_mem(&bytes));
    match loaded {
        Ok(Ok(doc)) => Ok(from_document(&doc, &bytes)),
        Ok(Err(e)) => match trailer_encrypted(&bytes) {
            true => Ok(encrypted_only(String::new(), &bytes)),
            false => Err(format!("the PDF does not parse: {e}")),
        },
        Err(_) => Err("the PDF does not parse (the parser gave up on it)".into()),
    }
}

/// Whether the metadata loader sees an encrypted PDF.
fn trailer_encrypted(bytes: &[u8]) -> bool {
    std::panic::catch_unwind(|| lopdf::Document::load_metadata_mem(bytes))
        .ok()
        .and_then(Result::ok)
        .is_some_and(|m| m.encrypted)
}

fn from_document(doc: &lopdf::Document, bytes: &[u8]) -> DocumentInfo {
    let encrypted = doc.was_encrypted() || doc.is_encrypted();
    let ids: Vec<lopdf::ObjectId> = doc.get_pages().into_values().collect();
    if encrypted && ids.is_empty() {
        return encrypted_only(doc.version.clone(), bytes);
    }
    let pages: Result<Vec<PageSize>, String> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            page_size(doc, *id).ok_or_else(|| format!("page {} has no valid MediaBox", i + 1))
        })
        .collect();
    DocumentInfo {
        version: doc.version.clone(),
        page_count: Ok(ids.len() as u32),
        pages,
        encrypted,
    }
}

/// An encrypted PDF whose page tree cannot be read without its password:
/// its page count from the metadata loader when it has one.
fn encrypted_only(version: String, bytes: &[u8]) -> DocumentInfo {
    const LOCKED: &str = "the PDF is encrypted: its pages cannot be read without its password";
    let meta = std::panic::catch_unwind(|| lopdf::Document::load_metadata_mem(bytes))
        .ok()
        .and_then(Result::ok);
    let page_count = match meta {
        Some(m) if m.page_count > 0 => Ok(m.page_count),
        _ => Err(LOCKED.to_string()),
    };
    DocumentInfo {
        version,
        page_count,
        pages: Err(LOCKED.into()),
        encrypted: true,
    }
}

/// The page's crop box clipped to its media box (both inheritable).
fn page_size(doc: &lopdf::Document, id: lopdf::ObjectId) -> Option<PageSize> {
    let media = inherited_box(doc, id, b"MediaBox")?;
    let crop = inherited_box(doc, id, b"CropBox")
        .map(|c| intersect(c, media))
        .unwrap_or(media);
    let (w, h) = ((crop[2] - crop[0]).abs(), (crop[3] - crop[1]).abs());
    (w > 0.0 && h > 0.0).then_some(PageSize {
        width_pt: w,
        height_pt: h,
    })
}

fn intersect(a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
    let norm = |r: [f64; 4]| {
        [
            r[0].min(r[2]),
            r[1].min(r[3]),
            r[0].max(r[2]),
            r[1].max(r[3]),
        ]
    };
    let (a, b) = (norm(a), norm(b));
    [
        a[0].max(b[0]),
        a[1].max(b[1]),
        a[2].min(b[2]),
        a[3].min(b[3]),
    ]
}

/// `key` on the page or its nearest parent that has it.
fn inherited_box(doc: &lopdf::Document, id: lopdf::ObjectId, key: &[u8]) -> Option<[f64; 4]> {
    let mut dict = doc.get_dictionary(id).ok()?;
    for _ in 0..MAX_DEPTH {
        if let Ok(obj) = dict.get(key) {
            return rect(doc, obj);
        }
        let parent = dict.get(b"Parent").ok()?.as_reference().ok()?;
        dict = doc.get_dictionary(parent).ok()?;
    }
    None
}

fn rect(doc: &lopdf::Document, obj: &lopdf::Object) -> Option<[f64; 4]> {
    let (_, obj) = doc.dereference(obj).ok()?;
    let items = obj.as_array().ok()?;
    if items.len() != 4 {
        return None;
    }
    let mut out = [0.0; 4];
    for (slot, item) in out.iter_mut().zip(items) {
        let (_, item) = doc.dereference(item).ok()?;
        *slot = match item {
            lopdf::Object::Integer(i) => *i as f64,
            lopdf::Object::Real(r) => f64::from(*r),
            _ => return None,
        };
        if !slot.is_finite() {
            return None;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_paper_sizes_either_way_round() {
        let a4 = PageSize {
            width_pt: 595.276,
            height_pt: 841.89,
        };
        assert_eq!(a4.name(), Some("A4"));
        let landscape = PageSize {
            width_pt: 792.0,
            height_pt: 612.0,
        };
        assert_eq!(landscape.name(), Some("US Letter"));
        let odd = PageSize {
            width_pt: 500.0,
            height_pt: 700.0,
        };
        assert_eq!((odd.name(), odd.words().as_str()), (None, "500 x 700 pt"));
        assert_eq!(sizes_words(&[a4, a4]), "A4");
        assert_eq!(
            sizes_words(&[a4, landscape, a4]),
            "mixed: A4 (2 pages), US Letter (1 page)"
        );
    }
}
