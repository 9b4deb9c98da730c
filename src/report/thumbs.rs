//! Thumbnails for the HTML report, as the picture stage took them in its
//! one decode (no second decode at report time): `data:` URIs, so the
//! report stays one self-contained file, and a note whenever some or all
//! are missing, saying why.

use super::model::FileEntry;
use crate::picture::thumbs::Thumbnail;
use crate::probe::model::StreamKind;

/// What the report shows of one file's thumbnails.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Strip<'a> {
    /// The thumbnails, in time order.
    pub thumbnails: &'a [Thumbnail],
    /// Why thumbnails are missing, in plain words.
    pub note: Option<String>,
}

/// `data:image/png;base64,…` of a thumbnail.
pub fn data_uri(t: &Thumbnail) -> String {
    format!("data:image/png;base64,{}", t.png_base64)
}

/// The thumbnails of `f`'s first analysed video stream, or why there are
/// none; `None` for a file without a picture (or one that cannot be read,
/// whose problem the report shows instead).
pub fn strip_of(f: &FileEntry) -> Option<Strip<'_>> {
    if f.file.problem.is_some() {
        return None;
    }
    let picture = f.picture.as_deref().unwrap_or_default();
    let Some(p) = picture
        .iter()
        .find(|p| !p.thumbnails.is_empty())
        .or(picture.first())
    else {
        let video = f
            .file
            .media
            .as_ref()
            .is_some_and(|m| m.streams.iter().any(|s| s.kind == StreamKind::Video));
        return video.then(|| Strip {
            thumbnails: &[],
            note: Some(
                "No thumbnails: the picture was not decoded (no profile this file is checked against has [picture] rules)"
                    .into(),
            ),
        });
    };
    let note = match (&p.not_evaluated, &p.thumbnails_note) {
        (_, Some(n)) => Some(format!("Video stream {}: {n}", p.stream_index)),
        (Some(why), None) if p.thumbnails.is_empty() => Some(format!(
            "No thumbnails: video stream {}: {why}",
            p.stream_index
        )),
        _ => None,
    };
    Some(Strip {
        thumbnails: &p.thumbnails,
        note,
    })
}
