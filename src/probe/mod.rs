//! Probing media files through FFmpeg's libraries.

pub mod model;
