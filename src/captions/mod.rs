//! Caption and subtitle files: parsed into one model ([`model`]) with
//! located errors, then checked by the caption rules.

pub mod model;

pub use model::{
    CaptionDoc, CaptionEvent, CaptionFormat, Encoding, FrameRate, Location, ParseProblem,
};
