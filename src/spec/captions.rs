//! Caption rules (`[captions]`): the facts they read from a parsed caption
//! file and its context (the plan's language, the picture master), and one
//! finding per rule: a per-event rule is compared on every event and
//! reported once, with the count of events that fail, the first and the
//! worst (event number and time), so "14 of 212 events: reading speed …;
//! first: event 12 at 00:01:02:10 (19.4 cps)".
//!
//! Times are the file's own; against a master they are read from the
//! origin [`time_base`] finds (0 for programme-relative times, the master's
//! start timecode for timecode-relative ones).

use super::catalogue::Field;
use super::compare::{compare, Outcome};
use super::finding::Status;
use super::model::{Rule, Severity};
use super::value::{Fact, Kind};
use crate::captions::context::{CaptionContext, MasterFacts};
use crate::captions::metrics::{self, Counting, FRAME_SLACK_S};
use crate::captions::model::{CaptionDoc, CaptionEvent, FrameRate};

/// A caption file as the caption rules see it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptionFacts {
    /// The parsed file, or why it does not parse (located).
    pub doc: Result<CaptionDoc, String>,
    /// The plan's language and the master.
    pub context: CaptionContext,
}

impl CaptionFacts {
    /// The language the file is judged in: the plan's, else the file's own.
    pub fn language(&self) -> Option<&str> {
        self.context
            .plan_language
            .as_deref()
            .or_else(|| self.doc.as_ref().ok()?.language.as_deref())
    }
}

/// Whether `profile` has a `captions.shot_change_frames` rule that is on:
/// its caption files' master then has its shot changes measured.
pub fn needs_shot_changes(profile: &super::Profile) -> bool {
    let group = &profile.captions;
    std::iter::once(&group.rules)
        .chain(group.languages.values())
        .filter_map(|rules| rules.get("shot_change_frames"))
        .any(|set| set.0.iter().any(|r| r.severity != Severity::Off))
}

/// Events listed by number in a failing finding before "…".
const LISTED_EVENTS: usize = 5;

/// What one caption rule found, ready for a finding.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptionOutcome {
    /// Passed, failed, not evaluated.
    pub status: Status,
    /// The outcome's severity (a banded rule's band decides).
    pub severity: Severity,
    /// What the rule asks for.
    pub expected: String,
    /// What the file has (the worst event's value, or the file's).
    pub actual: String,
    /// The sentence for people.
    pub message: String,
    /// The first failing event's start, in the file's own seconds.
    pub position_s: Option<f64>,
    /// The same as `HH:MM:SS:FF` (at the master's or the file's rate).
    pub timecode: Option<String>,
}

/// One event's value for a per-event rule.
struct EventValue<'a> {
    event: &'a CaptionEvent,
    fact: Fact,
    /// The value in words, for the finding ("19.4 cps").
    shown: String,
}

/// How caption times are read against the master.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeBase {
    /// `programme` (from 0) or `timecode` (from the master's start timecode).
    pub kind: &'static str,
    /// Seconds of the file's clock where the master's first frame is.
    pub origin_s: f64,
    /// How it was decided, in words.
    pub words: String,
}

/// Programme- or timecode-relative: the reading that puts more events
/// inside the master (a tie, or no duration: timecode when the earliest
/// event is at or after the master's start timecode).
pub fn time_base(doc: &CaptionDoc, master: &MasterFacts) -> TimeBase {
    let programme = |words: String| TimeBase {
        kind: "programme",
        origin_s: 0.0,
        words,
    };
    let (Some(tc), Some(rate)) = (&master.start_timecode, master.frame_rate) else {
        return programme("programme-relative (the master has no start timecode)".into());
    };
    let Some(origin) = metrics::timecode_origin_s(tc, rate).filter(|o| *o > 0.0) else {
        return programme(format!(
            "programme-relative (the master starts at {tc}, the same origin)"
        ));
    };
    let earliest = doc
        .events
        .iter()
        .map(|e| e.start_s)
        .fold(f64::INFINITY, f64::min);
    let inside = |o: f64| {
        let d = master.duration_s.unwrap_or(f64::INFINITY);
        doc.events
            .iter()
            .filter(|e| e.start_s >= o - FRAME_SLACK_S && e.end_s <= o + d + FRAME_SLACK_S)
            .count()
    };
    let (at_zero, at_tc) = (inside(0.0), inside(origin));
    let timecode = at_tc > at_zero || (at_tc == at_zero && earliest >= origin);
    if timecode {
        TimeBase {
            kind: "timecode",
            origin_s: origin,
            words: format!("timecode-relative (times from the master's start timecode {tc})"),
        }
    } else {
        programme(format!(
            "programme-relative (times from 0; the master starts at {tc})"
        ))
    }
}

/// The caption rule `def` (with `rule`) on `facts`.
pub fn caption_outcome(rule: &Rule, def: &Field, facts: &CaptionFacts) -> CaptionOutcome {
    let doc = match &facts.doc {
        Ok(doc) => doc,
        Err(why) => return not_evaluated(rule, def, why.clone()),
    };
    let ctx = Env::new(doc, facts);
    if super::catalogue::is_caption_event_key(def.key) {
        match event_values(def.key, &ctx) {
            Ok(values) => per_event(rule, def, &ctx, values),
            Err(reason) => not_evaluated(rule, def, reason),
        }
    } else {
        let (fact, detail) = file_fact(def.key, &ctx);
        let o = compare(rule, def, &fact);
        let mut out = from_outcome(rule, def, o);
        if out.status != Status::Passed && !detail.is_empty() {
            out.message = format!("{} ({detail})", out.message);
        } else if out.status == Status::Passed && !detail.is_empty() && def.key == "time_base" {
            out.message = format!("{}: {detail}", out.message);
        }
        out
    }
}

/// What every fact of one file reads.
struct Env<'a> {
    doc: &'a CaptionDoc,
    facts: &'a CaptionFacts,
    master: Option<&'a MasterFacts>,
    counting: Counting,
    /// The rate times are shown and gaps counted at: the master's, else the file's.
    rate: Option<FrameRate>,
    /// How the times are read against the master, when there is one.
    base: Option<TimeBase>,
}

impl<'a> Env<'a> {
    fn new(doc: &'a CaptionDoc, facts: &'a CaptionFacts) -> Self {
        let master = facts.context.master.facts();
        Env {
            doc,
            facts,
            master,
            counting: Counting::for_language(facts.language(), doc),
            rate: master.and_then(|m| m.frame_rate).or(doc.frame_rate),
            base: master.map(|m| time_base(doc, m)),
        }
    }

    /// `t_s` of the file as people read it: the master's timecode for a
    /// timecode-relative file, else the file's own time.
    fn at(&self, t_s: f64) -> String {
        match (&self.base, self.rate) {
            (Some(b), Some(rate)) if b.kind == "timecode" => {
                metrics::timecode_words(t_s, b.origin_s, rate)
            }
            _ => metrics::time_words(t_s, self.rate),
        }
    }

    fn no_master(&self) -> String {
        self.facts.context.master.reason().to_string()
    }

    fn master_with_rate(&self) -> Result<(&'a MasterFacts, FrameRate), String> {
        let m = self.master.ok_or_else(|| self.no_master())?;
        let r = m
            .frame_rate
            .ok_or_else(|| format!("the master {} has no video frame rate", m.name()))?;
        Ok((m, r))
    }
}

fn not_evaluated(rule: &Rule, def: &Field, reason: String) -> CaptionOutcome {
    let expected = super::compare::describe(rule, def)
        .map(|d| d.0)
        .unwrap_or_default();
    CaptionOutcome {
        status: Status::NotEvaluated {
            reason: reason.clone(),
        },
        severity: rule.severity,
        expected,
        actual: String::new(),
        message: format!("{} not evaluated: {reason}", def.label),
        position_s: None,
        timecode: None,
    }
}

fn from_outcome(rule: &Rule, def: &Field, o: Outcome) -> CaptionOutcome {
    let label = def.label;
    let mut message = match &o.status {
        Status::Passed => format!("{label} is {}", o.actual),
        Status::Failed => format!("{label} is {}; the spec {}", o.actual, o.demand),
        Status::NotEvaluated { reason } => format!("{label} not evaluated: {reason}"),
    };
    if let Some(band) = &o.band {
        message = format!("{message}; {}", band.why());
    }
    CaptionOutcome {
        severity: o.severity(rule),
        status: o.status,
        expected: o.expected,
        actual: o.actual,
        message,
        position_s: None,
        timecode: None,
    }
}

/// One per-event rule over every event that has a value.
fn per_event(rule: &Rule, def: &Field, env: &Env, values: Vec<EventValue>) -> CaptionOutcome {
    let total = env.doc.events.len();
    if total == 0 {
        return not_evaluated(rule, def, "the file has no events".into());
    }
    let judged: Vec<(EventValue, Outcome)> = values
        .into_iter()
        .map(|v| {
            let o = compare(rule, def, &v.fact);
            (v, o)
        })
        .collect();
    if let Some((_, o)) = judged
        .iter()
        .find(|(_, o)| matches!(o.status, Status::NotEvaluated { .. }))
    {
        return from_outcome(rule, def, o.clone());
    }
    let expected = super::compare::describe(rule, def)
        .map(|d| d.0)
        .unwrap_or_default();
    let failed: Vec<&(EventValue, Outcome)> = judged
        .iter()
        .filter(|(_, o)| o.status == Status::Failed)
        .collect();
    let Some((first, first_o)) = failed.first().map(|(v, o)| (v, o)) else {
        return passed_per_event(rule, def, env, &judged, expected);
    };
    let worst = worst_of(&failed, rule);
    let severity = failed
        .iter()
        .map(|(_, o)| o.severity(rule))
        .min()
        .unwrap_or(rule.severity);
    let what = failing_words(def, &first_o.demand);
    let mut message = format!(
        "{} of {total} events {what}; first: event {} at {} ({})",
        failed.len(),
        first.event.number,
        env.at(first.event.start_s),
        first.shown
    );
    if failed.len() > 1 && worst.0.event.number != first.event.number {
        message.push_str(&format!(
            "; worst: event {} at {} ({})",
            worst.0.event.number,
            env.at(worst.0.event.start_s),
            worst.0.shown
        ));
    }
    if failed.len() > 1 {
        let mut numbers: Vec<String> = failed
            .iter()
            .take(LISTED_EVENTS)
            .map(|(v, _)| v.event.number.to_string())
            .collect();
        if failed.len() > LISTED_EVENTS {
            numbers.push("…".into());
        }
        message.push_str(&format!(" (events {})", numbers.join(", ")));
    }
    message.push_str(&band_words(&failed, rule));
    message.push_str(&extra_words(def.key, env));
    CaptionOutcome {
        status: Status::Failed,
        severity,
        expected,
        actual: worst.0.shown.clone(),
        message,
        position_s: Some(first.event.start_s),
        timecode: Some(env.at(first.event.start_s)),
    }
}

fn passed_per_event(
    rule: &Rule,
    def: &Field,
    env: &Env,
    judged: &[(EventValue, Outcome)],
    expected: String,
) -> CaptionOutcome {
    let total = env.doc.events.len();
    let extreme = judged_extreme(judged, rule);
    let message = match extreme {
        None => format!("{}: no event to check ({total} events)", def.label),
        Some(_) if def.kind == Kind::Bool => {
            format!("{}: all {} checked events hold", def.label, judged.len())
        }
        Some(v) => format!(
            "{}: all {} checked events hold; furthest: event {} ({})",
            def.label,
            judged.len(),
            v.event.number,
            v.shown
        ),
    };
    CaptionOutcome {
        status: Status::Passed,
        severity: rule.severity,
        expected,
        actual: extreme.map_or_else(|| "no values".into(), |v| v.shown.clone()),
        message,
        position_s: None,
        timecode: None,
    }
}

/// The value furthest outside the rule's bounds among `of` (for a
/// rule without bounds, the first).
fn worst_of<'v>(
    of: &[&'v (EventValue<'v>, Outcome)],
    rule: &Rule,
) -> &'v (EventValue<'v>, Outcome) {
    let bound = |s: &Option<super::value::Scalar>| {
        s.as_ref()
            .and_then(|v| super::value::typed(Kind::Number, v).ok())
            .and_then(|f| super::value::as_f64(&f))
    };
    let (min, max) = match rule.target {
        Some(t) => {
            let tol = rule.tolerance.unwrap_or(0.0);
            (Some(t - tol), Some(t + tol))
        }
        None => (bound(&rule.min), bound(&rule.max)),
    };
    let outside = |v: &EventValue| match v.fact {
        Fact::Number(x) => {
            let below = min.map_or(f64::NEG_INFINITY, |m| m - x);
            let above = max.map_or(f64::NEG_INFINITY, |m| x - m);
            below.max(above)
        }
        _ => 0.0,
    };
    of.iter()
        .copied()
        .reduce(|a, b| if outside(&b.0) > outside(&a.0) { b } else { a })
        .unwrap_or(of[0])
}

/// The event closest to (or furthest past) the rule's bounds.
fn judged_extreme<'v>(
    judged: &'v [(EventValue<'v>, Outcome)],
    rule: &Rule,
) -> Option<&'v EventValue<'v>> {
    let refs: Vec<&(EventValue, Outcome)> = judged.iter().collect();
    if refs.is_empty() {
        return None;
    }
    Some(&worst_of(&refs, rule).0)
}

/// "have a reading speed outside the spec (allows at most 17 cps)".
fn failing_words(def: &Field, demand: &str) -> String {
    match def.key {
        "in_order" => "start before the event before them".into(),
        "no_overlap" => "overlap the event after them".into(),
        "start_before_end" => "do not start before they end".into(),
        "within_master" => "fall outside the master's programme".into(),
        "frame_aligned" => "are not on the master's frame boundaries".into(),
        _ => format!("fail the {}: the spec {demand}", def.label),
    }
}

/// For a banded rule: how many failures are errors and how many in the band of doubt.
fn band_words(failed: &[&(EventValue, Outcome)], rule: &Rule) -> String {
    if rule.band().is_none() {
        return String::new();
    }
    let errors = failed
        .iter()
        .filter(|(_, o)| o.severity(rule) == Severity::Error)
        .count();
    let doubt = failed.len() - errors;
    let why = failed
        .iter()
        .find_map(|(_, o)| o.band.as_ref().map(|b| b.why().to_string()))
        .unwrap_or_default();
    format!("; {errors} outside the widest credible reading, {doubt} in the band of doubt (a warning); first: {why}")
}

/// Words a failing rule adds about the whole file (the rates its times fit).
fn extra_words(key: &str, env: &Env) -> String {
    if key != "frame_aligned" {
        return String::new();
    }
    let Ok((m, rate)) = env.master_with_rate() else {
        return String::new();
    };
    let base = time_base(env.doc, m);
    let fits = metrics::fitting_rates(&env.doc.events, base.origin_s);
    let master = metrics::rate_words(rate);
    let declared = env
        .doc
        .frame_rate
        .filter(|r| r.fps() != rate.fps())
        .map(|r| format!("; the file declares {} fps", metrics::rate_words(r)))
        .unwrap_or_default();
    if fits.is_empty() {
        return format!(
            "; the times fit none of the common frame rates (the master is {master} fps){declared}"
        );
    }
    let words: Vec<String> = fits.iter().map(|r| metrics::rate_words(*r)).collect();
    format!(
        "; the times fit {} fps, the master is {master} fps{declared}",
        words.join(" and ")
    )
}

/// The per-event values of `key`; `Err` when the rule cannot be evaluated.
fn event_values<'a>(key: &str, env: &Env<'a>) -> Result<Vec<EventValue<'a>>, String> {
    let evs = &env.doc.events;
    let each = |f: &dyn Fn(usize, &'a CaptionEvent) -> Option<(Fact, String)>| {
        evs.iter()
            .enumerate()
            .filter_map(|(i, e)| {
                f(i, e).map(|(fact, shown)| EventValue {
                    event: e,
                    fact,
                    shown,
                })
            })
            .collect::<Vec<_>>()
    };
    let at = |t: f64| env.at(t);
    Ok(match key {
        "in_order" => each(&|i, e| {
            let prev = evs.get(i.checked_sub(1)?)?;
            Some((
                Fact::Bool(e.start_s >= prev.start_s),
                format!(
                    "starts at {}, event {} at {}",
                    at(e.start_s),
                    prev.number,
                    at(prev.start_s)
                ),
            ))
        }),
        "no_overlap" => each(&|i, e| {
            let next = evs.get(i + 1)?;
            Some((
                Fact::Bool(e.end_s <= next.start_s + 1e-9),
                format!(
                    "ends at {}, event {} starts at {}",
                    at(e.end_s),
                    next.number,
                    at(next.start_s)
                ),
            ))
        }),
        "start_before_end" => each(&|_, e| {
            Some((
                Fact::Bool(e.start_s < e.end_s),
                format!("starts at {}, ends at {}", at(e.start_s), at(e.end_s)),
            ))
        }),
        "duration_s" => each(&|_, e| {
            let d = metrics::duration_s(e);
            Some((Fact::Number(d), format!("{d:.3} s")))
        }),
        "lines" => each(&|_, e| {
            let n = e.lines.len();
            Some((Fact::Number(n as f64), format!("{n} lines")))
        }),
        "chars_per_line" => each(&|_, e| {
            let n = metrics::longest_line(e, env.counting);
            Some((Fact::Number(n), format!("{} characters", trim(n))))
        }),
        "reading_speed_cps" => each(&|_, e| {
            let cps = metrics::reading_speed_cps(e, env.counting)?;
            let chars = metrics::event_chars(e, env.counting);
            let d = metrics::duration_s(e);
            Some((
                Fact::Number(cps),
                format!("{cps:.1} cps: {} characters in {d:.3} s", trim(chars)),
            ))
        }),
        "gap_frames" => gaps(env)?,
        "within_master" => within_master(env)?,
        "frame_aligned" => frame_aligned(env)?,
        "shot_change_frames" => shot_changes(env)?,
        other => return Err(format!("unknown caption key `{other}`")),
    })
}

fn trim(x: f64) -> String {
    super::value::trim_float(x)
}

fn gaps<'a>(env: &Env<'a>) -> Result<Vec<EventValue<'a>>, String> {
    let rate = env.rate.ok_or_else(|| {
        format!(
            "no frame rate to count frames in: {}, and the {} file declares none",
            env.no_master(),
            env.doc.format.label()
        )
    })?;
    let evs = &env.doc.events;
    Ok(evs
        .windows(2)
        .filter(|w| w[1].start_s >= w[0].end_s)
        .map(|w| {
            let frames = metrics::frames_of(w[1].start_s - w[0].end_s, rate);
            EventValue {
                event: &w[0],
                fact: Fact::Number(frames),
                shown: format!(
                    "{} frames at {} fps before event {}",
                    trim(frames),
                    metrics::rate_words(rate),
                    w[1].number
                ),
            }
        })
        .collect())
}

fn within_master<'a>(env: &Env<'a>) -> Result<Vec<EventValue<'a>>, String> {
    let (m, _) = env.master_with_rate()?;
    let duration = m
        .duration_s
        .ok_or_else(|| format!("the master {} has no duration", m.name()))?;
    let base = time_base(env.doc, m);
    let (start, end) = (base.origin_s, base.origin_s + duration);
    Ok(env
        .doc
        .events
        .iter()
        .map(|e| {
            let before = e.start_s < start - FRAME_SLACK_S;
            let after = e.end_s > end + FRAME_SLACK_S;
            let shown = if before {
                format!(
                    "starts at {}, before the master's start at {}",
                    env.at(e.start_s),
                    env.at(start)
                )
            } else if after {
                format!(
                    "ends at {}, after the master's end at {}",
                    env.at(e.end_s),
                    env.at(end)
                )
            } else {
                format!("{} to {}", env.at(e.start_s), env.at(e.end_s))
            };
            EventValue {
                event: e,
                fact: Fact::Bool(!before && !after),
                shown,
            }
        })
        .collect())
}

fn frame_aligned<'a>(env: &Env<'a>) -> Result<Vec<EventValue<'a>>, String> {
    let (m, rate) = env.master_with_rate()?;
    let base = time_base(env.doc, m);
    let same_rate = env.doc.frame_rate.is_some_and(|r| r.fps() == rate.fps());
    let frame = |t: f64| (t - base.origin_s) * rate.fps();
    Ok(env
        .doc
        .events
        .iter()
        .map(|e| {
            let written_in_frames = same_rate && e.start_frames.is_some() && e.end_frames.is_some();
            let ok = written_in_frames
                || (metrics::on_frame(e.start_s - base.origin_s, rate)
                    && metrics::on_frame(e.end_s - base.origin_s, rate));
            EventValue {
                event: e,
                fact: Fact::Bool(ok),
                shown: format!(
                    "starts at frame {:.2}, ends at frame {:.2} of {} fps",
                    frame(e.start_s),
                    frame(e.end_s),
                    metrics::rate_words(rate)
                ),
            }
        })
        .collect())
}

fn shot_changes<'a>(env: &Env<'a>) -> Result<Vec<EventValue<'a>>, String> {
    let (m, rate) = env.master_with_rate()?;
    let cuts = m
        .shot_changes_s
        .as_ref()
        .ok_or_else(|| format!("no shot changes measured on the master {}", m.name()))?;
    let base = time_base(env.doc, m);
    let mut cuts = cuts.clone();
    cuts.sort_by(f64::total_cmp);
    // the cuts around `x` (a cut within half a frame is skipped, so two on each side)
    let around = |x: f64| {
        let i = cuts.partition_point(|c| *c < x);
        cuts[i.saturating_sub(2)..(i + 2).min(cuts.len())].to_vec()
    };
    Ok(env
        .doc
        .events
        .iter()
        .filter_map(|e| {
            let near = |t: f64| {
                around(t - base.origin_s)
                    .into_iter()
                    .map(|c| (metrics::frames_of(t - base.origin_s - c, rate), c))
                    .filter(|(d, _)| d.abs() >= 0.5)
                    .min_by(|a, b| a.0.abs().total_cmp(&b.0.abs()))
            };
            let (d, cut, which) = [(near(e.start_s), "starts"), (near(e.end_s), "ends")]
                .into_iter()
                .filter_map(|(n, w)| n.map(|(d, c)| (d, c, w)))
                .min_by(|a, b| a.0.abs().total_cmp(&b.0.abs()))?;
            let frames = d.abs();
            let side = if d < 0.0 { "before" } else { "after" };
            Some(EventValue {
                event: e,
                fact: Fact::Number(frames),
                shown: format!(
                    "{which} {} frames {side} the shot change at {}",
                    trim(frames),
                    env.at(cut + base.origin_s)
                ),
            })
        })
        .collect())
}

/// A file-level fact and, where it helps, where it shows ("line 4, column 2").
fn file_fact(key: &str, env: &Env) -> (Fact, String) {
    let doc = env.doc;
    let enc = &doc.encoding;
    let bad_at = || {
        enc.first_bad
            .map(|l| format!("first at line {}, column {}", l.line, l.column))
            .unwrap_or_default()
    };
    let binary = doc.format == crate::captions::model::CaptionFormat::EbuStl;
    if binary && matches!(key, "utf8" | "bom" | "control_characters") {
        let why = "EBU STL is a binary format: its text is in the code page its GSI block names, not UTF-8";
        return (Fact::Absent(why.into()), String::new());
    }
    match key {
        "utf8" => {
            let detail = match &enc.detected {
                Some(d) if !enc.utf8_valid => format!("it looks like {d}; {}", bad_at()),
                _ if !enc.utf8_valid => bad_at(),
                _ => String::new(),
            };
            (Fact::Bool(enc.utf8_valid), detail)
        }
        "bom" => (Fact::Bool(enc.utf8_bom), String::new()),
        "control_characters" => (Fact::Number(enc.control_chars as f64), bad_at()),
        "event_count" => (Fact::Number(doc.events.len() as f64), String::new()),
        "parse_problems" => {
            let detail = doc
                .problems
                .first()
                .map(|p| {
                    format!(
                        "first at line {}, column {}: {}",
                        p.at.line, p.at.column, p.message
                    )
                })
                .unwrap_or_default();
            (Fact::Number(doc.problems.len() as f64), detail)
        }
        "language" => match &doc.language {
            Some(l) if !l.trim().is_empty() => (Fact::Text(l.clone()), String::new()),
            _ => (declares_no_language(doc), String::new()),
        },
        "language_matches_plan" => language_matches(env),
        "time_base" => match env.master {
            Some(m) => {
                let b = time_base(doc, m);
                (
                    Fact::Text(b.kind.into()),
                    format!("{}; master {}", b.words, m.words()),
                )
            }
            None => (Fact::Absent(env.no_master()), String::new()),
        },
        other => (
            Fact::Absent(format!("unknown caption key `{other}`")),
            String::new(),
        ),
    }
}

fn declares_no_language(doc: &CaptionDoc) -> Fact {
    Fact::Absent(format!(
        "the {} file declares no language",
        doc.format.label()
    ))
}

fn language_matches(env: &Env) -> (Fact, String) {
    let Some(plan) = env.facts.context.plan_language.as_deref() else {
        return (
            Fact::Absent("the plan gives no language for this deliverable".into()),
            String::new(),
        );
    };
    let Some(file) = env.doc.language.as_deref().filter(|l| !l.trim().is_empty()) else {
        return (declares_no_language(env.doc), String::new());
    };
    (
        Fact::Bool(same_language(plan, file)),
        format!("the file declares `{file}`, the plan orders `{plan}`"),
    )
}

/// Whether two BCP 47 tags name the same language: compared subtag by
/// subtag, case-insensitively, as far as the shorter goes (`en` = `en-US`,
/// `en-GB` ≠ `en-US`).
pub fn same_language(a: &str, b: &str) -> bool {
    let tags = |s: &str| {
        s.trim()
            .split(['-', '_'])
            .map(str::to_ascii_lowercase)
            .collect::<Vec<_>>()
    };
    let (a, b) = (tags(a), tags(b));
    a.iter().zip(&b).all(|(x, y)| x == y) && !a.is_empty() && !b.is_empty()
}

/// The caption file's events for the report's timing strip, each with the
/// per-event rules of `profiles` it fails; `None` when the file did not parse.
pub fn timeline(
    profiles: &[super::model::Profile],
    facts: &CaptionFacts,
) -> Option<crate::captions::timeline::CaptionTimeline> {
    use crate::captions::timeline::{CaptionTimeline, TimelineEvent, MAX_EVENTS};
    let doc = facts.doc.as_ref().ok()?;
    let env = Env::new(doc, facts);
    let base = env.master.map(|m| time_base(doc, m));
    let origin = base.as_ref().map_or(0.0, |b| b.origin_s);
    let mut failed: std::collections::BTreeMap<usize, Vec<String>> = Default::default();
    for p in profiles {
        let rules = p.captions.effective(facts.language());
        for (key, set) in &rules {
            let Some(def) = super::catalogue::lookup("captions", key) else {
                continue;
            };
            if !super::catalogue::is_caption_event_key(key) {
                continue;
            }
            let Ok(values) = event_values(key, &env) else {
                continue;
            };
            for (i, rule) in set.0.iter().enumerate() {
                if rule.severity == Severity::Off {
                    continue;
                }
                let id = rule.id.clone().unwrap_or_else(|| match i {
                    0 => format!("captions.{key}"),
                    n => format!("captions.{key}#{}", n + 1),
                });
                for v in &values {
                    if compare(rule, &def, &v.fact).status == Status::Failed {
                        let ids = failed.entry(v.event.number).or_default();
                        if !ids.contains(&id) {
                            ids.push(id.clone());
                        }
                    }
                }
            }
        }
    }
    let events = doc
        .events
        .iter()
        .take(MAX_EVENTS)
        .map(|e| TimelineEvent {
            number: e.number,
            start_s: e.start_s - origin,
            end_s: e.end_s - origin,
            failed_rules: failed.remove(&e.number).unwrap_or_default(),
        })
        .collect();
    Some(CaptionTimeline {
        events,
        event_count: doc.events.len(),
        master: env.master.map(MasterFacts::words),
        master_duration_s: env.master.and_then(|m| m.duration_s),
        time_base: base.map_or_else(
            || "the file's own times (no master)".to_string(),
            |b| b.words,
        ),
    })
}
