//! W3C WebVTT: the `WEBVTT` header (header lines after it, such as the
//! non-standard `Language:` and `Kind:`, are ignored except that a
//! `Language:` is kept as the declared language), `NOTE`, `STYLE` and
//! `REGION` blocks, then cues: an optional identifier, a
//! `[HH:]MM:SS.mmm --> [HH:]MM:SS.mmm [settings]` line and text lines.

use super::encoding::{decode, Line, Text};
use super::model::{CaptionDoc, CaptionEvent, CaptionFormat, Location, ParseProblem};
use super::{clock_ms, plain, shown, timestamp_ms, Problems};

/// The cue settings WebVTT defines.
const SETTINGS: &[&str] = &["vertical", "line", "position", "size", "align", "region"];

/// Reads a WebVTT file.
pub fn parse(bytes: &[u8]) -> Result<CaptionDoc, ParseProblem> {
    let text = decode(bytes)?;
    let mut problems = Problems::default();
    if let Some(p) = text.problem.clone() {
        problems.add(p);
    }
    let mut doc = CaptionDoc::new(CaptionFormat::Webvtt, text.encoding.clone());
    let mut lines = text.lines().peekable();
    let header = lines.next().map_or("", |l| l.text);
    let rest = header.strip_prefix("WEBVTT");
    if !rest.is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t'])) {
        return Err(ParseProblem::new(
            Location {
                line: 1,
                column: 1,
                byte: text.at(0).byte,
            },
            format!("expected the `WEBVTT` header, found {}", shown(header)),
        ));
    }
    while let Some(l) = lines.next_if(|l| !l.text.trim().is_empty()) {
        if let Some(lang) = l.text.strip_prefix("Language:") {
            doc.language = Some(lang.trim().to_string());
        }
    }
    loop {
        while lines.next_if(|l| l.text.trim().is_empty()).is_some() {}
        let Some(first) = lines.next() else {
            break;
        };
        let mut block = vec![first];
        while let Some(l) = lines.next_if(|l| !l.text.trim().is_empty()) {
            block.push(l);
        }
        let kind = first.text.split([' ', '\t']).next().unwrap_or("");
        if matches!(kind, "NOTE" | "STYLE" | "REGION") && !first.text.contains("-->") {
            continue;
        }
        if let Some(event) = cue(&text, &block, doc.events.len() + 1, &mut problems) {
            doc.events.push(event);
        }
    }
    doc.problems = problems.finish();
    Ok(doc)
}

/// One block as cue `number`, or `None` (with a problem) when it is not one.
fn cue(
    text: &Text,
    block: &[Line],
    number: usize,
    problems: &mut Problems,
) -> Option<CaptionEvent> {
    let at = text.at(block[0].start);
    let (id, timing, body) = if block[0].text.contains("-->") {
        (None, block[0], &block[1..])
    } else {
        match block.get(1) {
            Some(&t) if t.text.contains("-->") => (Some(block[0].text.to_string()), t, &block[2..]),
            _ => {
                problems.push(
                    at,
                    format!(
                        "expected a cue's `start --> end` timing line, found {}; the block up to the next blank line is skipped",
                        shown(block[0].text)
                    ),
                );
                return None;
            }
        }
    };
    let where_ = text.at(timing.start);
    let (start, end) = match times(timing.text) {
        Ok(t) => t,
        Err(why) => {
            problems.push(where_, format!("cue {number}: {why}"));
            return None;
        }
    };
    if end <= start {
        let how = if start == end { "when" } else { "before" };
        problems.push_timing(
            where_,
            format!(
                "cue {number} ends ({}) {how} it starts ({})",
                clock_ms(end),
                clock_ms(start)
            ),
        );
    }
    settings(text, timing, number, problems);
    Some(CaptionEvent {
        number,
        id,
        start_s: start as f64 / 1000.0,
        end_s: end as f64 / 1000.0,
        start_frames: None,
        end_frames: None,
        lines: body.iter().map(|l| plain(l.text)).collect(),
        at,
    })
}

/// A timing line's start and end in milliseconds.
fn times(line: &str) -> Result<(u64, u64), String> {
    let Some((start, rest)) = line.split_once("-->") else {
        return Err(format!(
            "expected a `start --> end` timing line, found {}",
            shown(line)
        ));
    };
    let end = rest.split_whitespace().next().unwrap_or("");
    let parse = |s: &str| timestamp_ms(s.trim(), &['.'], true);
    match (parse(start), parse(end)) {
        (Some(a), Some(b)) => Ok((a, b)),
        (None, _) => Err(format!(
            "the timing line {} has an invalid start time {}: expected [HH:]MM:SS.mmm",
            shown(line),
            shown(start)
        )),
        (_, None) => Err(format!(
            "the timing line {} has an invalid end time {}: expected [HH:]MM:SS.mmm",
            shown(line),
            shown(end)
        )),
    }
}

/// Problems with the cue settings after the end time.
fn settings(text: &Text, timing: Line, number: usize, problems: &mut Problems) {
    let Some((_, rest)) = timing.text.split_once("-->") else {
        return;
    };
    for setting in rest.split_whitespace().skip(1) {
        let name = setting.split_once(':').map(|(n, v)| (n, v.is_empty()));
        let offset = timing.text.find(setting).unwrap_or(0);
        let at = text.at(timing.start + offset);
        match name {
            Some((n, false)) if SETTINGS.contains(&n) => {}
            Some((n, false)) => problems.push(
                at,
                format!("cue {number}: `{n}` is not a WebVTT cue setting (vertical, line, position, size, align, region)"),
            ),
            _ => problems.push(
                at,
                format!("cue {number}: the cue setting {} is not `name:value`", shown(setting)),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cues_are_read_past_header_notes_and_styles() {
        let vtt = "WEBVTT - a title\nKind: captions\nLanguage: en\n\nNOTE a comment\nspanning lines\n\nSTYLE\n::cue { color: red }\n\nintro\n00:01.000 --> 00:02.000 align:start line:0\n<v Bob>Hi</v> &amp; bye\n\n01:00:03.000 --> 01:00:04.000\nThere\n";
        let doc = parse(vtt.as_bytes()).unwrap();
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
        assert_eq!(doc.language.as_deref(), Some("en"));
        let e = &doc.events;
        assert_eq!((e[0].start_s, e[0].end_s), (1.0, 2.0));
        assert_eq!(e[0].id.as_deref(), Some("intro"));
        assert_eq!(e[0].lines, ["Hi & bye"]);
        assert_eq!(
            e[0].at,
            Location {
                line: 11,
                column: 1,
                byte: 105
            }
        );
        assert_eq!((e[1].start_s, e[1].number), (3603.0, 2));
    }

    #[test]
    fn problems_are_located() {
        assert_eq!(
            parse(b"WEBVTTX\n").unwrap_err().to_string(),
            "line 1: expected the `WEBVTT` header, found `WEBVTTX`"
        );
        let vtt = "WEBVTT\n\n00:05.000 --> 00:04.000 colour:red\nA\n\nstray\ntext\n\n00:06.000 --> 00:0x.000\nB\n";
        let doc = parse(vtt.as_bytes()).unwrap();
        let got: Vec<String> = doc.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "line 3: cue 1 ends (00:00:04.000) before it starts (00:00:05.000)",
                "line 3, column 25: cue 1: `colour` is not a WebVTT cue setting (vertical, line, position, size, align, region)",
                "line 6: expected a cue's `start --> end` timing line, found `stray`; the block up to the next blank line is skipped",
                "line 9: cue 2: the timing line `00:06.000 --> 00:0x.000` has an invalid end time `00:0x.000`: expected [HH:]MM:SS.mmm",
            ]
        );
    }
}
