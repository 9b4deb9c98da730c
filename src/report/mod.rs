//! Reports of a run: the [`model::RunReport`] every renderer reads, and the
//! renderers (HTML sign-off report, JUnit XML, JSON / JSON Lines, Markdown),
//! with the pieces they share (escaping, atomic writes, loudness graphs,
//! thumbnails). No command-line concerns here. See docs/reports.md.

pub mod atomic;
pub mod branding;
pub mod caption_strip;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod model;
pub mod pdf;
pub mod plan;
pub mod svg;
pub mod tc;
pub mod thumbs;
pub mod timeline;
pub mod xml;

#[cfg(test)]
pub(crate) mod testing;
