//! ttml: placeholder until its parser lands (the next commits on cap-parse).

use super::model::{CaptionDoc, Location, ParseProblem};

/// Not read yet: always a problem saying so.
pub fn parse(_bytes: &[u8]) -> Result<CaptionDoc, ParseProblem> {
    Err(ParseProblem::new(
        Location::default(),
        "this caption format is not parsed yet",
    ))
}
