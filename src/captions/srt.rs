//! SubRip (SRT): blocks of a cue number, a `HH:MM:SS,mmm --> HH:MM:SS,mmm`
//! timing line and text lines, separated by blank lines. A malformed block
//! is skipped with a located problem and the parse goes on.

use super::encoding::{decode, Line, Text};
use super::model::{CaptionDoc, CaptionEvent, CaptionFormat, ParseProblem};
use super::{clock_ms, plain, shown, timestamp_ms, Problems};

/// Reads an SRT file.
pub fn parse(bytes: &[u8]) -> Result<CaptionDoc, ParseProblem> {
    let text = decode(bytes)?;
    let mut problems = Problems::default();
    if let Some(p) = text.problem.clone() {
        problems.add(p);
    }
    let mut doc = CaptionDoc::new(CaptionFormat::Srt, text.encoding.clone());
    let mut lines = text.lines().peekable();
    // The previous cue number: `Some(None)` before the first cue, `None`
    // after a skipped block (whose number is unknown).
    let mut last_number: Option<Option<u64>> = Some(None);
    loop {
        while lines.next_if(|l| l.text.trim().is_empty()).is_some() {}
        let Some(first) = lines.next() else {
            break;
        };
        let mut block = vec![first];
        while let Some(l) = lines.next_if(|l| !l.text.trim().is_empty()) {
            block.push(l);
        }
        if let Some(event) = cue(&text, &block, &mut last_number, &mut problems) {
            doc.events.push(CaptionEvent {
                number: doc.events.len() + 1,
                ..event
            });
        }
    }
    doc.problems = problems.finish();
    Ok(doc)
}

/// One block as a cue, or `None` (with a problem) when it is not one.
fn cue(
    text: &Text,
    block: &[Line],
    last: &mut Option<Option<u64>>,
    problems: &mut Problems,
) -> Option<CaptionEvent> {
    let first = block[0];
    let at = text.at(first.start);
    let (id, timing, body) = if first.text.contains("-->") {
        problems.push(at, "the cue has no number before its timing line");
        *last = None;
        (None, first, &block[1..])
    } else {
        let number = first.text.trim();
        if !number.bytes().all(|b| b.is_ascii_digit()) {
            *last = None;
            problems.push(
                at,
                format!(
                    "expected a cue number, found {}; the block up to the next blank line is skipped",
                    shown(number)
                ),
            );
            return None;
        }
        let Some(&timing) = block.get(1) else {
            problems.push(at, format!("cue {number} has no timing line"));
            *last = None;
            return None;
        };
        if let Some(previous) = *last {
            check_sequence(number, previous, at, problems);
        }
        *last = Some(number.parse().ok());
        (Some(number.to_string()), timing, &block[2..])
    };
    let label = id
        .as_deref()
        .map_or_else(|| "the cue".to_string(), |n| format!("cue {n}"));
    let (start, end) = match times(timing.text) {
        Ok(t) => t,
        Err(why) => {
            problems.push(text.at(timing.start), format!("{label}: {why}"));
            return None;
        }
    };
    if end <= start {
        let how = if start == end { "when" } else { "before" };
        problems.push_timing(
            text.at(timing.start),
            format!(
                "{label} ends ({}) {how} it starts ({})",
                clock_ms(end),
                clock_ms(start)
            ),
        );
    }
    Some(CaptionEvent {
        number: 0,
        id,
        start_s: start as f64 / 1000.0,
        end_s: end as f64 / 1000.0,
        start_frames: None,
        end_frames: None,
        lines: body.iter().map(|l| plain(l.text)).collect(),
        at,
    })
}

/// A problem when cue numbers do not count up by one.
fn check_sequence(number: &str, last: Option<u64>, at: super::Location, problems: &mut Problems) {
    let Ok(n) = number.parse::<u64>() else {
        problems.push(at, format!("the cue number {} is too large", shown(number)));
        return;
    };
    let expected = last.map_or(1, |l| l + 1);
    if n != expected {
        let after = last.map_or_else(|| "first cue".to_string(), |l| format!("cue after {l}"));
        problems.push(
            at,
            format!("cue number {n} where {expected} was expected (the {after})"),
        );
    }
}

/// A timing line's start and end in milliseconds.
fn times(line: &str) -> Result<(u64, u64), String> {
    let Some((start, rest)) = line.split_once("-->") else {
        return Err(format!(
            "expected a `HH:MM:SS,mmm --> HH:MM:SS,mmm` timing line, found {}",
            shown(line)
        ));
    };
    // SRT allows `X1:… X2:… Y1:… Y2:…` coordinates after the end time.
    let end = rest.split_whitespace().next().unwrap_or("");
    let parse = |s: &str| timestamp_ms(s.trim(), &[',', '.'], false);
    match (parse(start), parse(end)) {
        (Some(a), Some(b)) => Ok((a, b)),
        (None, _) => Err(format!(
            "the timing line {} has an invalid start time {}: expected HH:MM:SS,mmm",
            shown(line),
            shown(start)
        )),
        (_, None) => Err(format!(
            "the timing line {} has an invalid end time {}: expected HH:MM:SS,mmm",
            shown(line),
            shown(end)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::captions::Location;

    fn problems(doc: &CaptionDoc) -> Vec<String> {
        doc.problems.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn cues_are_read_with_times_text_and_locations() {
        let srt = "1\r\n00:00:01,000 --> 00:00:02,500\r\n<i>Hello</i>\r\nthere\r\n\r\n2\r\n01:02:03,004 --> 01:02:04,000 X1:10 X2:20\r\nBye\r\n";
        let doc = parse(srt.as_bytes()).unwrap();
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
        assert_eq!(doc.events.len(), 2);
        let (a, b) = (&doc.events[0], &doc.events[1]);
        assert_eq!((a.start_s, a.end_s), (1.0, 2.5));
        assert_eq!(a.lines, ["Hello", "there"]);
        assert_eq!(a.id.as_deref(), Some("1"));
        assert_eq!(b.start_s, 3723.004);
        assert_eq!(
            b.at,
            Location {
                line: 6,
                column: 1,
                byte: 57
            }
        );
        assert_eq!(b.number, 2);
    }

    #[test]
    fn bad_blocks_are_skipped_with_located_problems() {
        let srt = "1\n00:00:05,000 --> 00:00:03,500\nA\n\nx\n00:00:06,000 --> 00:00:07,000\nB\n\n3\n00:00:08,000 -> 00:00:09,000\nC\n\n5\n00:00:10,000 --> 00:00:11,000\nD\n\n00:00:12,000 --> 00:00:13,000\nE\n";
        let doc = parse(srt.as_bytes()).unwrap();
        assert_eq!(
            problems(&doc),
            [
                "line 2: cue 1 ends (00:00:03.500) before it starts (00:00:05.000)",
                "line 5: expected a cue number, found `x`; the block up to the next blank line is skipped",
                "line 10: cue 3: expected a `HH:MM:SS,mmm --> HH:MM:SS,mmm` timing line, found `00:00:08,000 -> 00:00:09,000`",
                "line 13: cue number 5 where 4 was expected (the cue after 3)",
                "line 17: the cue has no number before its timing line",
            ]
        );
        let starts: Vec<f64> = doc.events.iter().map(|e| e.start_s).collect();
        assert_eq!(starts, [5.0, 10.0, 12.0]);
    }

    #[test]
    fn invalid_times_say_which_end_is_wrong() {
        let doc =
            parse(b"1\n00:00:01,000 --> 00:61:00,000\nA\n\n2\n00:00:01,000 --> 00:00:02,000\nB\n")
                .unwrap();
        assert_eq!(
            problems(&doc),
            ["line 2: cue 1: the timing line `00:00:01,000 --> 00:61:00,000` has an invalid end time `00:61:00,000`: expected HH:MM:SS,mmm"]
        );
        assert!(parse(b"1\n").unwrap().events.is_empty());
    }

    #[test]
    fn latin1_is_read_and_flagged() {
        let doc = parse(b"1\n00:00:01,000 --> 00:00:02,000\nCaf\xe9\n").unwrap();
        assert_eq!(doc.events[0].lines, ["Café"]);
        assert_eq!(
            problems(&doc),
            ["line 3, column 4: the file is not UTF-8: byte 0xE9 (`é` in Latin-1 or Windows-1252) is not valid UTF-8; it looks like Latin-1 or Windows-1252: save it as UTF-8"]
        );
    }
}
