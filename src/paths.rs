//! Paths in serialised output: names that are not valid UTF-8 must not break a report.

use serde::Serializer;
use std::path::Path;

/// Serialises a path as (lossy) UTF-8 text; serde's own impl fails on
/// non-UTF-8 names, which would lose the whole document.
pub fn lossy<S: Serializer>(path: &Path, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&path.to_string_lossy())
}
