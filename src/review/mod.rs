//! Review: what changed between two versions of a master (`diff`).

pub mod diff;
