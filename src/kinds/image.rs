//! `kind.image_readable` and `kind.image_complete`: a still image has pixel
//! dimensions its header gives (read with the `imagesize` crate from the
//! first bytes only, so memory stays flat whatever the header claims), and a
//! JPEG or PNG ends with its end marker (a cut-off download does not).

use super::{failed, io_words, not_evaluated, passed, read_head, read_tail, KindCheck, Subject};
use crate::inventory::sniff::FileKind;
use crate::spec::Finding;

/// The rule ids.
pub const READABLE: &str = "kind.image_readable";
/// See the module docs.
pub const COMPLETE: &str = "kind.image_complete";

/// How much of the start of an image its header is looked for in (JPEG
/// metadata segments before the frame header can be large).
const HEAD_BYTES: u64 = 4 * 1024 * 1024;
/// How far from the end an end marker is looked for (some writers pad).
const TAIL_BYTES: u64 = 1024;

/// The image check.
pub struct Image;

impl KindCheck for Image {
    fn check(&self, file: &Subject) -> Vec<Finding> {
        if file.scanned.kind != FileKind::Image {
            return Vec::new();
        }
        let format = file.scanned.format.as_deref().unwrap_or("image");
        let label = format.to_ascii_uppercase();
        let mut out = vec![dimensions(file, format, &label)];
        out.extend(complete(file, format, &label));
        out
    }
}

/// Formats whose dimensions `imagesize` reads (the others are not evaluated).
const SIZED: &[&str] = &[
    "jpeg", "png", "gif", "bmp", "webp", "tiff", "psd", "heic", "avif",
];

fn dimensions(file: &Subject, format: &str, label: &str) -> Finding {
    let expected = format!("a readable {label} header with pixel dimensions");
    if !SIZED.contains(&format) {
        let reason = format!("the dimensions of {label} images are not read yet");
        return not_evaluated(READABLE, &expected, reason);
    }
    let head = match read_head(file.path, HEAD_BYTES) {
        Ok((head, _)) => head,
        Err(e) => {
            let message = format!("the {label} image cannot be read: {}", io_words(&e));
            return failed(READABLE, &expected, "unreadable", message);
        }
    };
    match imagesize::blob_size(&head) {
        Ok(size) if size.width > 0 && size.height > 0 => passed(
            READABLE,
            &expected,
            format!("{label}, {}x{} pixels", size.width, size.height),
        ),
        Ok(size) => failed(
            READABLE,
            &expected,
            format!("{}x{} pixels", size.width, size.height),
            format!(
                "the {label} header gives {}x{} pixels: an image with no pixels",
                size.width, size.height
            ),
        ),
        Err(imagesize::ImageError::NotSupported) => not_evaluated(
            READABLE,
            &expected,
            format!("the dimensions of {label} images are not read yet"),
        ),
        Err(e) => failed(
            READABLE,
            &expected,
            "header unreadable",
            format!("the {label} header cannot be read ({e}): the image is damaged or cut short"),
        ),
    }
}

/// The end marker of JPEG (EOI) and PNG (the IEND chunk); `None` for other formats.
fn complete(file: &Subject, format: &str, label: &str) -> Option<Finding> {
    let (marker, words): (&[u8], &str) = match format {
        "jpeg" => (&[0xFF, 0xD9], "end-of-image marker (FF D9)"),
        "png" => (b"IEND\xAE\x42\x60\x82", "IEND chunk"),
        _ => return None,
    };
    let expected = format!("the {label} {words} at the end");
    let finding = match read_tail(file.path, TAIL_BYTES) {
        Ok(tail) if super::contains(&tail, marker) => passed(COMPLETE, &expected, "present"),
        Ok(_) => failed(
            COMPLETE,
            &expected,
            "missing",
            format!("the {label} image has no {words} at its end: it is cut short (truncated)"),
        ),
        Err(e) => failed(
            COMPLETE,
            &expected,
            "unreadable",
            format!(
                "the end of the {label} image cannot be read: {}",
                io_words(&e)
            ),
        ),
    };
    Some(finding)
}
