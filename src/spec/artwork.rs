//! The `[image]` and `[document]` groups: typed facts of a still image
//! (format, dimensions, aspect ratio, colour space, ICC profile, bit depth,
//! stated resolution, alpha, pages, file size) and of a PDF (page count,
//! page size, encryption), read by [`crate::artwork`].
//!
//! A file that is not an image (or not a PDF) still has a format: a rule on
//! `image.format` fails on a MOV delivered as key art; the group's other
//! rules are then not evaluated, saying why.

use super::catalogue::Field;
use super::facts::FileFacts;
use super::model::Profile;
use super::value::{Fact, Rational};
use crate::artwork::pdf::{sizes_words, DocumentInfo};
use crate::artwork::{self, ImageError, ImageInfo};
use crate::inventory::sniff::FileKind;
use std::path::Path;

/// What was read of a file for the `[image]` and `[document]` groups.
#[derive(Debug, Clone, Default)]
pub struct Artwork {
    /// The file's format by content (`jpeg`, `pdf`, `mov`), when recognised.
    pub content_format: Option<String>,
    /// The image's facts, when the file is an image and a profile asked.
    pub image: Option<Result<ImageInfo, ImageError>>,
    /// The PDF's facts, when the file is a PDF and a profile asked.
    pub document: Option<Result<DocumentInfo, String>>,
}

impl Artwork {
    /// Reads what `profiles` ask of the file at `path`, whose content is
    /// `format` (`is_image`: sniffed as a still image).
    pub fn read(path: &Path, format: Option<&str>, is_image: bool, profiles: &[Profile]) -> Self {
        let image = (is_image && profiles.iter().any(|p| !p.image.is_empty()))
            .then(|| artwork::read_image(path, format.unwrap_or("")));
        let document = (format == Some("pdf") && profiles.iter().any(|p| !p.document.is_empty()))
            .then(|| artwork::pdf::read_pdf(path));
        Artwork {
            content_format: format.map(str::to_string),
            image,
            document,
        }
    }
}

/// Whether `profiles` have rules on images or documents, so a readable
/// file that is not media, named on the command line or claimed by a
/// deliverable, is evaluated rather than refused as not media.
pub fn judges_non_media(profiles: &[Profile]) -> bool {
    profiles
        .iter()
        .any(|p| !p.image.is_empty() || !p.document.is_empty())
}

/// Whether `profiles` judge a file of this kind and format found in a
/// folder: a still image when they have `[image]` rules, a PDF when they
/// have `[document]` rules (other files of the folder are left alone).
pub fn judges_found(kind: FileKind, format: Option<&str>, profiles: &[Profile]) -> bool {
    let image = kind == FileKind::Image && profiles.iter().any(|p| !p.image.is_empty());
    let pdf = format == Some("pdf") && profiles.iter().any(|p| !p.document.is_empty());
    image || pdf
}

/// The fact `def` (of `[image]` or `[document]`) names, for one file.
pub fn fact(def: &Field, facts: &FileFacts) -> Fact {
    let art = facts.artwork;
    let content = || {
        art.and_then(|a| a.content_format.clone())
            .unwrap_or_else(|| "not recognised".into())
    };
    match def.group {
        "image" => match art.and_then(|a| a.image.as_ref()) {
            Some(Ok(info)) => image_fact(def.key, info, facts.size_bytes),
            Some(Err(_)) if def.key == "format" => Fact::Text(content()),
            Some(Err(e)) => Fact::Absent(e.words().to_string()),
            None if def.key == "format" => Fact::Text(content()),
            None => Fact::Absent(format!(
                "the file is not a still image (its content is {})",
                content()
            )),
        },
        _ => match art.and_then(|a| a.document.as_ref()) {
            Some(Ok(doc)) => document_fact(def.key, doc),
            _ if def.key == "format" => Fact::Text(content()),
            Some(Err(e)) => Fact::Absent(e.clone()),
            None => Fact::Absent(format!(
                "the file is not a PDF (its content is {})",
                content()
            )),
        },
    }
}

fn num(v: impl Into<f64>) -> Fact {
    Fact::Number(v.into())
}

fn image_fact(key: &str, i: &ImageInfo, size_bytes: u64) -> Fact {
    let absent = |what: &str| Fact::Absent(format!("the image does not say its {what}"));
    match key {
        "format" => Fact::Text(i.format.clone()),
        "width_px" => num(i.width_px),
        "height_px" => num(i.height_px),
        "longest_side_px" => num(i.width_px.max(i.height_px)),
        "resolution" => Fact::Text(format!("{}x{}", i.width_px, i.height_px)),
        "aspect_ratio" => Rational::new(i.width_px.into(), i.height_px.into())
            .map(Fact::Rational)
            .unwrap_or_else(|| absent("aspect ratio")),
        "color_space" => i
            .color_space
            .clone()
            .map(Fact::Text)
            .unwrap_or_else(|| absent("colour space")),
        "icc_profile" => match &i.icc {
            Some(Ok(p)) => Fact::Text(p.words()),
            Some(Err(e)) => Fact::Absent(e.clone()),
            None => Fact::Absent("the image has no embedded ICC profile".into()),
        },
        "bit_depth" => i.bit_depth.map(num).unwrap_or_else(|| absent("bit depth")),
        "dpi" => match &i.resolution {
            Ok(r) => num(r.dpi()),
            Err(why) => Fact::Absent(why.clone()),
        },
        "alpha" => Fact::Bool(i.alpha),
        "page_count" => num(i.page_count),
        "file_size_bytes" => Fact::Number(size_bytes as f64),
        other => Fact::Absent(format!("images have no `{other}`")),
    }
}

fn document_fact(key: &str, d: &DocumentInfo) -> Fact {
    match key {
        "format" => Fact::Text("pdf".into()),
        "page_count" => match &d.page_count {
            Ok(n) => num(*n),
            Err(why) => Fact::Absent(why.clone()),
        },
        "page_size" => match &d.pages {
            Ok(pages) if !pages.is_empty() => Fact::Text(sizes_words(pages)),
            Ok(_) => Fact::Absent("the PDF has no pages".into()),
            Err(why) => Fact::Absent(why.clone()),
        },
        "encrypted" => Fact::Bool(d.encrypted),
        other => Fact::Absent(format!("documents have no `{other}`")),
    }
}
