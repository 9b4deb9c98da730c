//! Unit tests of the kind checks' parsers.

use super::caption::*;

#[test]
fn placeholder() {}
