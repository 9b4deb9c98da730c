//! Escaping for XML 1.0 (JUnit, SVG) and HTML text and attributes.
//!
//! Every string that came from a file (names, tags, titles, FFmpeg's
//! messages) goes through [`escape`] before it is written into markup. The
//! five markup characters become entities, and characters XML 1.0 forbids
//! or a reader would be fooled by (C0/C1 controls, bidi overrides,
//! U+FFFE/U+FFFF) become visible `\u{..}` text, so the document stays valid
//! and a hostile name shows as what it is.

use std::borrow::Cow;

/// Escapes `s` for XML or HTML text and for attribute values in either quote.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_hidden(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`escape`]d text of a path or URL with a `<wbr>` after every `/`, so a
/// line may break between its parts and never inside a name (a part with a
/// hyphen is kept whole as in [`escape_words`]).
pub fn escape_path(s: &str) -> String {
    let parts: Vec<String> = s.split('/').map(escape_words).collect();
    parts.join("/<wbr>")
}

/// [`escape`]d text in which no word breaks at its hyphens: each
/// whitespace-separated word with a `-` is wrapped in `<span class="nw">`
/// (no-wrap), so `feature-master` and `2026-12-15` stay whole on a line.
pub fn escape_words(s: &str) -> String {
    let e = escape(s);
    if !e.contains('-') {
        return e.into_owned();
    }
    let mut out = String::with_capacity(e.len() + 32);
    let mut word = String::new();
    let flush = |out: &mut String, word: &mut String| {
        if word.contains('-') {
            out.push_str("<span class=\"nw\">");
            out.push_str(word);
            out.push_str("</span>");
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in e.chars() {
        if c.is_whitespace() {
            flush(&mut out, &mut word);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut out, &mut word);
    out
}

fn needs_escape(c: char) -> bool {
    matches!(c, '&' | '<' | '>' | '"' | '\'') || is_hidden(c)
}

/// Characters that must not reach markup as themselves: every control
/// character (tab and newline included: in an attribute a parser folds them
/// to spaces), bidi overrides and isolates, and XML's non-characters.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{fffe}' | '\u{ffff}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_words_keep_whole() {
        assert_eq!(escape_path("a/<b>/c.mov"), "a/<wbr>&lt;b&gt;/<wbr>c.mov");
        assert_eq!(
            escape_path("/x/sample-delivery/a.wav"),
            "/<wbr>x/<wbr><span class=\"nw\">sample-delivery</span>/<wbr>a.wav"
        );
        assert_eq!(
            escape_words("feature-master due 2026-12-15 <x-y>"),
            "<span class=\"nw\">feature-master</span> due <span class=\"nw\">2026-12-15</span> \
             <span class=\"nw\">&lt;x-y&gt;</span>"
        );
        assert_eq!(escape_words("no hyphen"), "no hyphen");
    }

    #[test]
    fn hostile_names_become_text() {
        assert_eq!(
            escape("<img src=x onerror=alert(1)>.mov"),
            "&lt;img src=x onerror=alert(1)&gt;.mov"
        );
        assert_eq!(escape("a&b\"c'.wav"), "a&amp;b&quot;c&#39;.wav");
        assert_eq!(
            escape("</title><script>alert(1)</script>"),
            "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
        );
    }

    #[test]
    fn control_characters_are_made_visible() {
        assert_eq!(escape("bell\x07esc\x1b[31m"), "bell\\u{7}esc\\u{1b}[31m");
        assert_eq!(escape("nul\0"), "nul\\u{0}");
        assert_eq!(escape("line\nbreak\ttab"), "line\\u{a}break\\u{9}tab");
        assert_eq!(escape("\u{202e}vom.exe"), "\\u{202e}vom.exe");
        assert_eq!(escape("c1\u{85}"), "c1\\u{85}");
        assert_eq!(escape("\u{ffff}"), "\\u{ffff}");
    }

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(escape("FEATURE ñ 日本.mov"), Cow::Borrowed(_)));
    }

    #[test]
    fn escaped_text_parses_back_in_an_attribute_and_text() {
        let hostile = "<img src=x onerror=alert(1)>&\"'\x01\u{202e}";
        let doc = format!("<a b=\"{0}\" c='{0}'>{0}</a>", escape(hostile));
        let mut reader = quick_xml::Reader::from_str(&doc);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("not well-formed: {e}: {doc}"),
            }
        }
    }
}
