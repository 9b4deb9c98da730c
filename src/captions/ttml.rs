//! TTML (IMSC 1.1, DFXP): well-formed XML read with quick-xml, never
//! expanding entities (a DOCTYPE is refused with its location); `ttp:`
//! timing parameters from the root; each `p` is an event, its times
//! inherited through `body`/`div`/`span` (`begin`/`end`/`dur`, parallel
//! time containers); `<br/>` breaks lines.

use super::encoding::{decode, Text};
use super::model::{CaptionDoc, CaptionEvent, CaptionFormat, FrameRate, Location, ParseProblem};
use super::{shown, Problems};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// Deepest element nesting accepted.
const MAX_DEPTH: usize = 256;

/// The TTML namespaces (TTML 1/2 and the DFXP drafts).
const NAMESPACES: &[&str] = &[
    "http://www.w3.org/ns/ttml",
    "http://www.w3.org/2006/10/ttaf1",
    "http://www.w3.org/2006/04/ttaf1",
];

/// A time: seconds, and the frame count when it was written in frames.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Time {
    s: f64,
    frames: Option<i64>,
}

impl Time {
    const ZERO: Time = Time {
        s: 0.0,
        frames: Some(0),
    };

    fn plus(self, o: Time) -> Time {
        Time {
            s: self.s + o.s,
            frames: self.frames.zip(o.frames).map(|(a, b)| a + b),
        }
    }

    fn min(self, o: Time) -> Time {
        if o.s < self.s {
            o
        } else {
            self
        }
    }
}

/// The root's timing parameters.
#[derive(Debug, Clone)]
struct Params {
    frame_rate: f64,
    nominal_fps: i64,
    tick_rate: f64,
    smpte: bool,
    drop: bool,
}

/// An open element's active interval.
#[derive(Debug, Clone, Copy)]
struct Frame {
    begin: Time,
    end: Option<Time>,
}

/// The paragraph being read.
#[derive(Debug)]
struct Para {
    id: Option<String>,
    at: Location,
    begin: Time,
    end: Option<Time>,
    timed: bool,
    spans: Option<(Time, Option<Time>)>,
    lines: Vec<String>,
    depth: usize,
}

struct Parser<'t> {
    text: &'t Text<'t>,
    params: Params,
    stack: Vec<Frame>,
    para: Option<Para>,
    doc: CaptionDoc,
    problems: Problems,
}

/// Reads a TTML file.
pub fn parse(bytes: &[u8]) -> Result<CaptionDoc, ParseProblem> {
    let text = decode(bytes)?;
    let mut p = Parser {
        text: &text,
        params: Params {
            frame_rate: 30.0,
            nominal_fps: 30,
            tick_rate: 1.0,
            smpte: false,
            drop: false,
        },
        stack: Vec::new(),
        para: None,
        doc: CaptionDoc::new(CaptionFormat::Ttml, text.encoding.clone()),
        problems: Problems::default(),
    };
    if let Some(problem) = text.problem.clone() {
        p.problems.add(problem);
    }
    p.run()?;
    p.doc.problems = p.problems.finish();
    Ok(p.doc)
}

/// A prefixed attribute (`ttp:frameRate`: any prefix before `frameRate`;
/// `xml:` names exactly).
fn attr(e: &BytesStart, want: &str) -> Option<String> {
    let (prefix, local) = want.split_once(':')?;
    e.attributes()
        .flatten()
        .find(|a| {
            if prefix == "xml" {
                a.key.as_ref() == want
            } else {
                a.key.prefix().is_some() && a.key.local_name().as_ref() == local
            }
        })
        .map(|a| a.value.to_string())
}

/// A plain (unprefixed) attribute.
fn plain_attr(e: &BytesStart, want: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == want)
        .map(|a| a.value.to_string())
}

impl Parser<'_> {
    fn run(&mut self) -> Result<(), ParseProblem> {
        let mut reader = Reader::from_str(&self.text.text);
        reader.config_mut().check_end_names = true;
        let mut root_done = false;
        let mut seen_root = false;
        loop {
            let pos = reader.buffer_position() as usize;
            let at = self.text.at(pos);
            let event = reader.read_event().map_err(|e| {
                let at = self.text.at(reader.error_position() as usize);
                ParseProblem::new(at, format!("the XML is not well-formed: {e}"))
            })?;
            match event {
                Event::DocType(_) => {
                    return Err(ParseProblem::new(
                        at,
                        "the document has a DOCTYPE (it may declare entities); TTML needs none and signoff never expands entities",
                    ))
                }
                Event::Start(e) | Event::Empty(e) if root_done => {
                    let name = e.name().as_ref().to_string();
                    return Err(ParseProblem::new(at, format!("<{name}> after the end of the root element")));
                }
                Event::Start(e) => {
                    self.open(&e, at, &mut seen_root)?;
                }
                Event::Empty(e) => {
                    self.open(&e, at, &mut seen_root)?;
                    self.close(e.local_name().as_ref());
                    root_done |= self.stack.is_empty();
                }
                Event::End(e) => {
                    self.close(e.local_name().as_ref());
                    root_done |= self.stack.is_empty();
                }
                Event::Text(t) => {
                    let s = t.as_ref().to_string();
                    if self.stack.is_empty() && !s.trim().is_empty() {
                        return Err(ParseProblem::new(at, "text outside the root element"));
                    }
                    self.push_text(&s);
                }
                Event::CData(t) => {
                    let s = t.as_ref().to_string();
                    self.push_text(&s);
                }
                Event::GeneralRef(r) => {
                    let name = r.as_ref().to_string();
                    let c = match name.as_str() {
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "amp" => Some('&'),
                        "apos" => Some('\''),
                        "quot" => Some('"'),
                        _ => r.resolve_char_ref().ok().flatten(),
                    };
                    match c {
                        Some(c) => self.push_text(&c.to_string()),
                        None => return Err(ParseProblem::new(at, format!("unknown entity `&{name};` (signoff never expands entities)"))),
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if !self.stack.is_empty() {
            return Err(ParseProblem::new(
                self.text.at(self.text.text.len()),
                "the file ends before its elements are closed (cut short?)",
            ));
        }
        if !seen_root {
            return Err(ParseProblem::new(
                Location::default(),
                "the file holds no <tt> element",
            ));
        }
        Ok(())
    }

    fn open(
        &mut self,
        e: &BytesStart,
        at: Location,
        seen_root: &mut bool,
    ) -> Result<(), ParseProblem> {
        let local = e.local_name().as_ref().to_string();
        let name = e.name().as_ref().to_string();
        if self.stack.is_empty() {
            if local != "tt" {
                return Err(ParseProblem::new(
                    at,
                    format!("the root element is <{name}>, not <tt>"),
                ));
            }
            *seen_root = true;
            self.root(e, at)?;
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(ParseProblem::new(
                at,
                format!("elements nested deeper than {MAX_DEPTH}"),
            ));
        }
        let parent = self.stack.last().copied().unwrap_or(Frame {
            begin: Time::ZERO,
            end: None,
        });
        let frame = self.interval(e, parent, at, &name);
        let timed = ["begin", "end", "dur"]
            .iter()
            .any(|a| plain_attr(e, a).is_some());
        if local == "br" {
            if let Some(p) = &mut self.para {
                p.lines.push(String::new());
            }
        } else if local == "p" && self.para.is_none() {
            self.para = Some(Para {
                id: attr(e, "xml:id"),
                at,
                begin: frame.begin,
                end: frame.end,
                timed,
                spans: None,
                lines: vec![String::new()],
                depth: self.stack.len(),
            });
        } else if let (Some(p), true) = (&mut self.para, timed) {
            let (b, e) = p.spans.map_or((frame.begin, frame.end), |(b, e)| {
                let b = if frame.begin.s < b.s { frame.begin } else { b };
                let e = match (e, frame.end) {
                    (Some(x), Some(y)) if y.s > x.s => Some(y),
                    (Some(x), _) => Some(x),
                    (None, y) => y,
                };
                (b, e)
            });
            p.spans = Some((b, e));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn close(&mut self, local: &str) {
        self.stack.pop();
        let depth = self.stack.len();
        if local == "p" && self.para.as_ref().is_some_and(|p| p.depth == depth) {
            if let Some(p) = self.para.take() {
                self.finish_para(p);
            }
        }
    }

    fn push_text(&mut self, s: &str) {
        let Some(p) = &mut self.para else {
            return;
        };
        let line = p.lines.last_mut().expect("a paragraph has a line");
        let space = |line: &mut String| {
            if !line.is_empty() && !line.ends_with(' ') {
                line.push(' ');
            }
        };
        if s.starts_with(char::is_whitespace) {
            space(line);
        }
        for (i, word) in s.split_whitespace().enumerate() {
            if i > 0 {
                line.push(' ');
            }
            line.push_str(word);
        }
        if s.ends_with(char::is_whitespace) {
            space(line);
        }
    }

    fn finish_para(&mut self, p: Para) {
        let number = self.doc.events.len() + 1;
        let (begin, end) = match (p.timed, p.spans, p.end) {
            (false, Some((b, e)), _) => (b, e),
            (_, _, e) => (p.begin, e),
        };
        let Some(end) = end else {
            self.problems.push(
                p.at,
                format!("paragraph {number} has no end time (no end or dur on it or around it)"),
            );
            return;
        };
        if end.s <= begin.s {
            let how = if end.s == begin.s { "when" } else { "before" };
            self.problems.push_timing(
                p.at,
                format!(
                    "paragraph {number} ends ({:.3} s) {how} it begins ({:.3} s)",
                    end.s, begin.s
                ),
            );
        }
        let lines = p.lines.iter().map(|l| l.trim().to_string()).collect();
        self.doc.events.push(CaptionEvent {
            number,
            id: p.id,
            start_s: begin.s,
            end_s: end.s,
            start_frames: begin.frames,
            end_frames: end.frames,
            lines,
            at: p.at,
        });
    }

    /// The root's parameters, namespace and language.
    fn root(&mut self, e: &BytesStart, at: Location) -> Result<(), ParseProblem> {
        let prefix = e.name().prefix().map(|p| p.as_ref().to_string());
        let ns_attr = prefix.map_or_else(|| "xmlns".to_string(), |p| format!("xmlns:{p}"));
        match plain_attr(e, &ns_attr) {
            Some(ns) if NAMESPACES.contains(&ns.as_str()) => {}
            Some(ns) => self.problems.push(
                at,
                format!(
                    "the root <tt> is in the namespace {}, not TTML's http://www.w3.org/ns/ttml",
                    shown(&ns)
                ),
            ),
            None => self.problems.push(
                at,
                "the root <tt> declares no namespace; TTML's is http://www.w3.org/ns/ttml",
            ),
        }
        self.doc.language = plain_attr(e, "xml:lang").filter(|l| !l.is_empty());
        let rate = attr(e, "ttp:frameRate");
        let fps = match &rate {
            Some(r) => r
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| {
                    ParseProblem::new(
                        at,
                        format!("ttp:frameRate {} is not a positive whole number", shown(r)),
                    )
                })?,
            None => 30,
        };
        let (mn, md) = match attr(e, "ttp:frameRateMultiplier") {
            Some(m) => {
                let parts: Vec<u32> = m
                    .split_whitespace()
                    .filter_map(|x| x.parse().ok())
                    .collect();
                match parts.as_slice() {
                    [n, d] if *n > 0 && *d > 0 => (*n, *d),
                    _ => return Err(ParseProblem::new(at, format!("ttp:frameRateMultiplier {} is not two positive whole numbers (`1000 1001`)", shown(&m)))),
                }
            }
            None => (1, 1),
        };
        let frame_rate = f64::from(fps) * f64::from(mn) / f64::from(md);
        if rate.is_some() {
            let (num, den) = (u64::from(fps) * u64::from(mn), u64::from(md));
            let g = gcd(num, den);
            self.doc.frame_rate = Some(FrameRate {
                num: u32::try_from(num / g).unwrap_or(u32::MAX),
                den: u32::try_from(den / g).unwrap_or(1),
            });
        }
        let tick_rate = match attr(e, "ttp:tickRate") {
            Some(t) => t
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|&n| n > 0)
                .map(f64::from)
                .ok_or_else(|| {
                    ParseProblem::new(
                        at,
                        format!("ttp:tickRate {} is not a positive whole number", shown(&t)),
                    )
                })?,
            None if rate.is_some() => f64::from(fps),
            None => 1.0,
        };
        self.doc.time_base = attr(e, "ttp:timeBase");
        let smpte = self.doc.time_base.as_deref() == Some("smpte");
        let drop = attr(e, "ttp:dropMode").is_some_and(|d| d.starts_with("drop"));
        self.doc.drop_frame = smpte && drop;
        if self.doc.time_base.as_deref() == Some("clock") {
            self.problems.push(at, "ttp:timeBase=\"clock\" (wall-clock times) is not read; times are taken as media times");
        }
        self.params = Params {
            frame_rate,
            nominal_fps: i64::from(fps),
            tick_rate,
            smpte,
            drop: self.doc.drop_frame,
        };
        Ok(())
    }

    /// The element's active interval within its parent's.
    fn interval(&mut self, e: &BytesStart, parent: Frame, at: Location, name: &str) -> Frame {
        if plain_attr(e, "timeContainer").as_deref() == Some("seq") {
            self.problems.push(at, format!("<{name}> is a sequential time container (timeContainer=\"seq\"), which signoff does not read: its children's times are taken as parallel"));
        }
        let mut get = |a: &str| {
            let v = plain_attr(e, a)?;
            match time(&v, &self.params) {
                Ok(t) => Some(t),
                Err(why) => {
                    self.problems
                        .push(at, format!("<{name}> {a}={}: {why}", shown(&v)));
                    None
                }
            }
        };
        let (begin, end, dur) = (get("begin"), get("end"), get("dur"));
        let start = parent.begin.plus(begin.unwrap_or(Time::ZERO));
        let own = match (end, dur) {
            (Some(e), Some(d)) => Some(parent.begin.plus(e).min(start.plus(d))),
            (Some(e), None) => Some(parent.begin.plus(e)),
            (None, Some(d)) => Some(start.plus(d)),
            (None, None) => parent.end,
        };
        let end = match (own, parent.end) {
            (Some(o), Some(p)) => Some(o.min(p)),
            (o, p) => o.or(p),
        };
        Frame { begin: start, end }
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a.max(1)
    } else {
        gcd(b, a % b)
    }
}

/// A frame count when `x` is whole (to a thousandth of a frame).
fn whole(x: f64) -> Option<i64> {
    ((x - x.round()).abs() < 1e-3).then(|| x.round() as i64)
}

/// A TTML time expression: clock time `HH:MM:SS[.fff]` or `HH:MM:SS:FF`,
/// or offset time `<number>(h|m|s|ms|f|t)`.
fn time(v: &str, p: &Params) -> Result<Time, String> {
    let v = v.trim();
    if v.contains(':') {
        return clock(v, p);
    }
    let split = v
        .find(|c: char| c.is_ascii_alphabetic())
        .ok_or("expected a clock time or a number with a unit (h, m, s, ms, f, t)")?;
    let (num, metric) = v.split_at(split);
    let ok = !num.is_empty()
        && num.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && num.bytes().filter(|&b| b == b'.').count() <= 1;
    let n: f64 = if ok {
        num.parse().map_err(|_| "not a number")?
    } else {
        return Err(format!("{} is not a number", shown(num)));
    };
    Ok(match metric {
        "h" => Time {
            s: n * 3600.0,
            frames: None,
        },
        "m" => Time {
            s: n * 60.0,
            frames: None,
        },
        "s" => Time { s: n, frames: None },
        "ms" => Time {
            s: n / 1000.0,
            frames: None,
        },
        "f" => Time {
            s: n / p.frame_rate,
            frames: whole(n),
        },
        "t" => Time {
            s: n / p.tick_rate,
            frames: None,
        },
        other => return Err(format!("the unit `{other}` is not h, m, s, ms, f or t")),
    })
}

fn clock(v: &str, p: &Params) -> Result<Time, String> {
    let parts: Vec<&str> = v.split(':').collect();
    let num = |s: &str| -> Result<u32, String> {
        if s.len() >= 2 && s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse().map_err(|_| "a number is too large".to_string())
        } else {
            Err(format!("{} is not two digits", shown(s)))
        }
    };
    let bad = || "expected HH:MM:SS, HH:MM:SS.fff or HH:MM:SS:FF".to_string();
    let (h, m) = match parts.as_slice() {
        [h, m, _] | [h, m, _, _] => (num(h)?, num(m)?),
        _ => return Err(bad()),
    };
    let last = parts[2];
    let (sec, frac) = last.split_once('.').unwrap_or((last, ""));
    let s = num(sec)?;
    if m > 59 || s > 59 {
        return Err("minutes and seconds go to 59".into());
    }
    let whole_s = f64::from(h * 3600 + m * 60 + s);
    if parts.len() == 3 {
        let frac = if frac.is_empty() {
            0.0
        } else {
            format!("0.{frac}").parse::<f64>().map_err(|_| bad())?
        };
        return Ok(Time {
            s: whole_s + frac,
            frames: None,
        });
    }
    let ff_text = parts[3].split_once('.').map_or(parts[3], |(f, _)| f);
    let ff = i64::from(num(ff_text)?);
    if ff >= p.nominal_fps {
        return Err(format!(
            "frame {ff} does not exist at {} frames per second",
            p.nominal_fps
        ));
    }
    if p.smpte {
        let minutes = i64::from(h) * 60 + i64::from(m);
        let mut count = (minutes * 60 + i64::from(s)) * p.nominal_fps + ff;
        if p.drop {
            count -= 2 * (minutes - minutes / 10);
        }
        return Ok(Time {
            s: count as f64 / p.frame_rate,
            frames: Some(count),
        });
    }
    let frames = whole_s * p.frame_rate + ff as f64;
    Ok(Time {
        s: whole_s + ff as f64 / p.frame_rate,
        frames: whole(frames),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(s: &str) -> CaptionDoc {
        parse(s.as_bytes()).unwrap()
    }

    #[test]
    fn times_are_inherited_and_frames_counted() {
        let t = r#"<?xml version="1.0" encoding="UTF-8"?>
<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttp="http://www.w3.org/ns/ttml#parameter" ttp:frameRate="24" ttp:frameRateMultiplier="1000 1001" ttp:tickRate="10000000" xml:lang="en-US">
<body><div begin="10s">
<p xml:id="s1" begin="00:00:01:12" end="00:00:02:00">One<br/>two &amp; <span>three</span></p>
<p begin="40f" dur="24f">Frames</p>
<p begin="1.5s" end="20000000t">Ticks</p>
<p><span begin="1s" end="2s">A</span> <span begin="3s" end="4s">B</span></p>
</div></body></tt>"#;
        let d = doc(t);
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        assert_eq!(d.language.as_deref(), Some("en-US"));
        assert_eq!(
            d.frame_rate,
            Some(FrameRate {
                num: 24000,
                den: 1001
            })
        );
        let e = &d.events;
        // 10 s + 1 s + 12 frames at 24000/1001.
        assert!((e[0].start_s - (11.0 + 12.0 * 1001.0 / 24000.0)).abs() < 1e-9);
        assert_eq!(
            e[0].start_frames, None,
            "10 s is no whole frame count at 23.976"
        );
        assert_eq!(e[0].lines, ["One", "two & three"]);
        assert_eq!(e[0].id.as_deref(), Some("s1"));
        assert!((e[1].end_s - (10.0 + 64.0 * 1001.0 / 24000.0)).abs() < 1e-9);
        assert!((e[2].start_s - 11.5).abs() < 1e-9 && (e[2].end_s - 12.0).abs() < 1e-9);
        assert_eq!((e[3].start_s, e[3].end_s), (11.0, 14.0));
        assert_eq!(e[3].lines, ["A B"]);
        assert_eq!(e[0].at.line, 4);
    }

    #[test]
    fn smpte_frames_are_exact() {
        let t = r#"<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttp="http://www.w3.org/ns/ttml#parameter" ttp:timeBase="smpte" ttp:frameRate="25"><body><p begin="00:00:01:05" end="00:00:02:00">x</p></body></tt>"#;
        let e = &doc(t).events[0];
        assert_eq!((e.start_frames, e.end_frames), (Some(30), Some(50)));
        assert_eq!((e.start_s, e.end_s), (1.2, 2.0));
    }

    #[test]
    fn hostile_and_broken_files_are_refused_with_their_place() {
        let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]>\n<tt>&lol2;</tt>";
        let e = parse(laughs.as_bytes()).unwrap_err();
        assert_eq!(e.at.line, 2);
        assert!(e.message.contains("never expands entities"), "{e}");
        let e = parse(b"<tt xmlns=\"http://www.w3.org/ns/ttml\">\n<body>\n<p>\n</body></tt>")
            .unwrap_err();
        assert!(e.to_string().starts_with("line 4"), "{e}");
        assert!(parse(b"<html/>")
            .unwrap_err()
            .to_string()
            .contains("not <tt>"));
        let e = parse(b"<tt xmlns=\"http://www.w3.org/ns/ttml\"><body><p begin=\"1s\">x &nbsp;</p></body></tt>").unwrap_err();
        assert!(e.message.contains("unknown entity `&nbsp;`"), "{e}");
        let deep = format!("<tt>{}", "<div>".repeat(100_000));
        assert!(parse(deep.as_bytes())
            .unwrap_err()
            .message
            .contains("nested deeper"));
    }

    #[test]
    fn located_recoverable_problems() {
        let t = "<tt xmlns=\"http://www.w3.org/ns/ttml\"><body>\n<p begin=\"2s\" end=\"1s\">a</p>\n<p begin=\"1x\" end=\"3s\">b</p>\n<p begin=\"1s\">c</p></body></tt>";
        let d = doc(t);
        let got: Vec<String> = d.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "line 2: paragraph 1 ends (1.000 s) before it begins (2.000 s)",
                "line 3: <p> begin=`1x`: the unit `x` is not h, m, s, ms, f or t",
                "line 4: paragraph 3 has no end time (no end or dur on it or around it)",
            ]
        );
    }

    #[test]
    fn utf16_ttml_is_read_and_flagged() {
        let s = "<tt xmlns=\"http://www.w3.org/ns/ttml\"><body><p begin=\"0s\" end=\"1s\">é</p></body></tt>";
        let bytes: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(s.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let d = parse(&bytes).unwrap();
        assert_eq!(d.events[0].lines, ["é"]);
        assert!(d.problems[0]
            .message
            .starts_with("the file is UTF-16LE, not UTF-8"));
    }
}
