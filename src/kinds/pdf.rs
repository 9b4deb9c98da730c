//! `kind.pdf_valid`: a PDF has its `%PDF-` header, ends with `%%EOF`, and
//! its cross-reference table, trailer and page tree parse (with the `lopdf`
//! crate, which bounds nesting) to at least one page.
//!
//! Memory: the parser needs the file in memory, so a PDF larger than
//! [`PARSE_LIMIT_BYTES`] gets the header and end checks only and its
//! structure is reported not evaluated.

use super::{failed, io_words, not_evaluated, passed, read_head, read_tail, KindCheck, Subject};
use crate::inventory::sniff::FileKind;
use crate::spec::Finding;
use lopdf::xref::XrefRecovery;

/// The rule id.
pub const RULE: &str = "kind.pdf_valid";

/// Largest PDF whose structure is parsed (a cue sheet or a report is a few MB).
pub const PARSE_LIMIT_BYTES: u64 = 256 * 1024 * 1024;
/// How far from the end `%%EOF` is looked for.
const TAIL_BYTES: u64 = 1024;

const EXPECTED: &str = "a valid PDF (header, cross-reference table, trailer, pages)";

/// The PDF check.
pub struct Pdf;

impl KindCheck for Pdf {
    fn check(&self, file: &Subject) -> Vec<Finding> {
        let s = file.scanned;
        if s.kind != FileKind::Document || s.format.as_deref() != Some("pdf") {
            return Vec::new();
        }
        vec![check_pdf(file)]
    }
}

fn check_pdf(file: &Subject) -> Finding {
    let unreadable = |e: std::io::Error| {
        let message = format!("the PDF cannot be read: {}", io_words(&e));
        failed(RULE, EXPECTED, "unreadable", message)
    };
    let tail = match read_tail(file.path, TAIL_BYTES) {
        Ok(t) => t,
        Err(e) => return unreadable(e),
    };
    if !super::contains(&tail, b"%%EOF") {
        return failed(
            RULE,
            EXPECTED,
            "no %%EOF",
            "the PDF does not end with %%EOF: it is cut short (truncated) or damaged".into(),
        );
    }
    let (bytes, len) = match read_head(file.path, PARSE_LIMIT_BYTES) {
        Ok(x) => x,
        Err(e) => return unreadable(e),
    };
    if len > PARSE_LIMIT_BYTES {
        return not_evaluated(
            RULE,
            EXPECTED,
            format!(
                "the PDF is {len} bytes; its structure is parsed up to {PARSE_LIMIT_BYTES} bytes only"
            ),
        );
    }
    if !bytes.starts_with(b"%PDF-") {
        return failed(
            RULE,
            EXPECTED,
            "no %PDF- header",
            "the PDF does not start with its %PDF- header".into(),
        );
    }
    let parsed = std::panic::catch_unwind(|| lopdf::Document::load_metadata_mem(&bytes));
    match parsed {
        Ok(Ok(meta)) => judge(&meta),
        Ok(Err(e)) => failed(
            RULE,
            EXPECTED,
            "does not parse",
            format!("the PDF's structure does not parse: {e}"),
        ),
        Err(_) => failed(
            RULE,
            EXPECTED,
            "does not parse",
            "the PDF's structure does not parse (the parser gave up on it)".into(),
        ),
    }
}

fn judge(meta: &lopdf::PdfMetadata) -> Finding {
    let pages = match meta.page_count {
        1 => "1 page".to_string(),
        n => format!("{n} pages"),
    };
    let actual = format!("PDF {}, {pages}", meta.version);
    if meta.xref_recovery == Some(XrefRecovery::Reconstructed) {
        return failed(
            RULE,
            EXPECTED,
            actual,
            "the PDF's cross-reference table is damaged: it could only be read by scanning \
             the whole file (objects may be missing)"
                .into(),
        );
    }
    if meta.encrypted && meta.page_count == 0 {
        return not_evaluated(
            RULE,
            EXPECTED,
            "the PDF is encrypted: its pages cannot be counted without its password".into(),
        );
    }
    if meta.page_count == 0 {
        return failed(RULE, EXPECTED, actual, "the PDF has no pages".into());
    }
    passed(RULE, EXPECTED, actual)
}
