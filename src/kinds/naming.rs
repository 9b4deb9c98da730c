//! `kind.extension_matches_content`: the content is what the file's name
//! says (a JPEG named `.pdf`, a text file named `.jpg` and a WAV named
//! `.mov` all fail). The same disagreement `scan` warns about.

use super::{failed, passed, KindCheck, Subject};
use crate::inventory::sniff::{self, FileKind, Sniffed};
use crate::spec::Finding;
use std::path::Path;

/// The rule id.
pub const RULE: &str = "kind.extension_matches_content";

/// Extensions any text document may carry (`notes.txt` holding JSON is fine).
const GENERIC_TEXT: &[&str] = &["txt", "text"];

/// The naming check.
pub struct Naming;

impl KindCheck for Naming {
    fn check(&self, file: &Subject) -> Vec<Finding> {
        let Some(name) = file.path.file_name() else {
            return Vec::new();
        };
        let Some(ext) = Path::new(name).extension().map(|e| e.to_string_lossy()) else {
            return Vec::new();
        };
        let ext = ext.to_ascii_lowercase();
        let s = file.scanned;
        let sniffed = Sniffed {
            kind: s.kind,
            format: s.format.clone(),
            note: None,
        };
        let claimed = sniff::claimed_formats(name);
        let expected = format!("content that is what .{ext} names");
        let content = match &s.format {
            Some(f) => sniff::format_words(s.kind, f),
            None if s.summary.is_empty() => "not recognised".to_string(),
            None => format!("not recognised ({})", s.summary),
        };
        if s.kind == FileKind::Document && GENERIC_TEXT.contains(&ext.as_str()) {
            return vec![passed(RULE, &expected, content)];
        }
        if let Some(mismatch) = sniff::extension_mismatch(name, &sniffed) {
            let message = format!("{mismatch}: the file is not what its name says");
            return vec![failed(RULE, &expected, content, message)];
        }
        if claimed.is_empty() && s.kind != FileKind::Media {
            // The extension names no format signoff knows: nothing is claimed.
            return Vec::new();
        }
        if s.kind == FileKind::Unknown {
            let message = format!(
                "named .{ext} but the content {}: the file is not what its name says",
                unknown_words(s.summary.as_str())
            );
            return vec![failed(RULE, &expected, content, message)];
        }
        vec![passed(RULE, &expected, content)]
    }
}

/// "is not recognised (binary data)" for content no signature matched.
fn unknown_words(summary: &str) -> String {
    if summary.is_empty() {
        "is not recognised".to_string()
    } else {
        format!("is not recognised ({summary})")
    }
}
