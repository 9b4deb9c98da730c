//! ASC MHL v2.0 manifests: `seal` writes a generation into `ROOT/ascmhl/`, `verify` checks a folder against its history (read-only).

pub mod arrival;
pub mod check;
pub mod hashing;
pub mod history;
pub mod model;
pub mod read;
pub mod seal;
pub mod sources;
pub mod status;
pub mod tree;
pub mod verify;
pub mod write;
