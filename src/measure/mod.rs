//! Measurements that specs demand: loudness, true peak, silence, clipping (and later video).

pub mod decode;
pub mod faults;
pub mod hash;
pub mod loudness;
pub mod model;
pub mod pairs;
pub mod programme;
mod report;
mod router;
mod run;
pub mod timecode;
pub mod truepeak;

pub use run::{measure_file, measure_source, MeasureOptions};
