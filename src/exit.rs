//! Documented process exit codes, shared by every command.

/// Every file was read and (where checked) passed.
pub const OK: u8 = 0;
/// QC failures: at least one error-severity finding.
pub const QC_FAILED: u8 = 1;
/// At least one file could not be read (empty, truncated, not media, unreadable…).
pub const UNREADABLE: u8 = 2;
/// Usage error: bad arguments or options.
pub const USAGE: u8 = 3;
/// Setup error: FFmpeg could not start, a path given on the command line does not exist, …
pub const SETUP: u8 = 4;
