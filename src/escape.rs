//! Escaping text that came from a file (names, tags) before it reaches a terminal.
//!
//! File names and metadata are hostile until proven otherwise: a title tag
//! can hold ANSI escape sequences that rewrite the operator's terminal.

use std::borrow::Cow;

/// Replaces control characters (ESC, BEL, CR, LF, other C0/C1 codes), bidi
/// overrides, isolates and marks, and the Unicode line and paragraph
/// separators with visible `\u{..}` escapes; everything else is unchanged.
///
/// This is the one function every terminal print of a name or value goes
/// through: a name can then neither move the cursor, set the terminal's
/// title, reorder the line nor start a new (forged) line.
pub fn terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_dangerous) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_dangerous(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether `c` must not reach a terminal raw (what [`terminal`] escapes);
/// other escapers (Markdown) use it so that all agree.
pub fn is_dangerous(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{061c}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// Text as one field of a line-based format (EDL locators, Avid marker
/// lists): every character [`is_dangerous`] (tabs, newlines, bidi
/// controls…) becomes a space, and runs of white space one space, so the
/// text can neither start a new line nor shift the fields after it.
pub fn line_field(s: &str) -> String {
    let spaced: String = s
        .chars()
        .map(|c| if is_dangerous(c) { ' ' } else { c })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_control_characters() {
        assert_eq!(terminal("plain ñ 日本"), "plain ñ 日本");
        assert_eq!(terminal("a\x1b[31mred"), "a\\u{1b}[31mred");
        assert_eq!(terminal("tab\there\n"), "tab\\u{9}here\\u{a}");
        assert_eq!(terminal("\u{202e}evil"), "\\u{202e}evil");
        assert_eq!(terminal("csi\u{9b}2J"), "csi\\u{9b}2J");
        assert_eq!(terminal("cr\rPASS"), "cr\\u{d}PASS");
        assert_eq!(terminal("ls\u{2028}x\u{200f}"), "ls\\u{2028}x\\u{200f}");
    }

    #[test]
    fn line_fields_stay_on_one_line() {
        assert_eq!(
            line_field("a\tb\r\n* LOC: x\u{2028}y  z"),
            "a b * LOC: x y z"
        );
        assert_eq!(line_field("plain ñ"), "plain ñ");
    }
}
