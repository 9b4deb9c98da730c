//! Measurements that specs demand: loudness, true peak, silence, clipping (and later video).

pub mod hash;
pub mod model;
