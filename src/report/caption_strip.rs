//! The event-timing strip of one caption file, as a self-contained SVG:
//! every event a bar on the master's programme time (light when it holds,
//! dark when it fails a caption rule, its number and failed rules as a
//! tooltip), a line where the master ends, and the time axis. Solid marks
//! on white, so it reads the same in print. A pure function: data in, SVG
//! text out; every string from the file is escaped.

use super::svg::clock;
use super::xml::escape;
use crate::captions::timeline::CaptionTimeline;
use std::fmt::Write;

const W: f64 = 760.0;
const LEFT: f64 = 150.0;
const RIGHT: f64 = 740.0;
const LANE: f64 = 16.0;
const TOP: f64 = 6.0;

/// The SVG strip of `t` (empty when it spans no time).
pub fn caption_strip(t: &CaptionTimeline) -> String {
    // events before the master's start or past its end stay in view
    let first = t.events.iter().map(|e| e.start_s).fold(0.0, f64::min);
    let last = t.events.iter().map(|e| e.end_s).fold(t.span_s(), f64::max);
    let span = last - first;
    if !(span > 0.0 && span.is_finite()) {
        return String::new();
    }
    let x = |s: f64| LEFT + ((s - first) / span).clamp(0.0, 1.0) * (RIGHT - LEFT);
    let h = TOP + 2.0 * LANE + 22.0;
    let failing = t
        .events
        .iter()
        .filter(|e| !e.failed_rules.is_empty())
        .count();
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {h}\" width=\"{W}\" height=\"{h}\" \
         role=\"img\" aria-label=\"caption events over the programme: {} events, {failing} failing\" \
         font-family=\"sans-serif\" font-size=\"11\">",
        t.event_count
    );
    lane(&mut s, 0, "events", &x, t, false);
    lane(&mut s, 1, &format!("failing ({failing})"), &x, t, true);
    if let Some(d) = t.master_duration_s {
        for (at, what) in [(0.0, "master start"), (d, "master end")] {
            let _ = write!(
                s,
                "<line x1=\"{0:.1}\" y1=\"{TOP}\" x2=\"{0:.1}\" y2=\"{1:.1}\" stroke=\"#000\" stroke-dasharray=\"3 2\"><title>{what} ({2})</title></line>",
                x(at),
                TOP + 2.0 * LANE,
                clock(at)
            );
        }
    }
    let axis = TOP + 2.0 * LANE + 4.0;
    let _ = write!(
        s,
        "<line x1=\"{LEFT}\" y1=\"{axis:.1}\" x2=\"{RIGHT}\" y2=\"{axis:.1}\" stroke=\"#000\"/>\
         <text x=\"{LEFT}\" y=\"{:.1}\">{}</text><text x=\"{RIGHT}\" y=\"{:.1}\" text-anchor=\"end\">{}</text></svg>",
        axis + 13.0,
        signed_clock(first),
        axis + 13.0,
        signed_clock(last)
    );
    s
}

fn signed_clock(t: f64) -> String {
    if t < 0.0 {
        format!("-{}", clock(-t))
    } else {
        clock(t)
    }
}

/// One lane: every event (`failing_only`: only those failing a rule).
fn lane(
    s: &mut String,
    i: usize,
    label: &str,
    x: &dyn Fn(f64) -> f64,
    t: &CaptionTimeline,
    failing_only: bool,
) {
    let y = TOP + LANE * i as f64;
    let _ = write!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
         <rect x=\"{LEFT}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"none\" stroke=\"#999\" stroke-width=\"0.5\"/>",
        LEFT - 6.0,
        y + 11.0,
        escape(label),
        y + 2.0,
        RIGHT - LEFT,
        LANE - 4.0
    );
    for e in &t.events {
        let fails = !e.failed_rules.is_empty();
        if failing_only && !fails {
            continue;
        }
        let (x0, x1) = (x(e.start_s.min(e.end_s)), x(e.end_s.max(e.start_s)));
        let tip = if fails {
            format!(
                "event {}: {} to {}; fails {}",
                e.number,
                signed_clock(e.start_s),
                signed_clock(e.end_s),
                e.failed_rules.join(", ")
            )
        } else {
            format!(
                "event {}: {} to {}",
                e.number,
                signed_clock(e.start_s),
                signed_clock(e.end_s)
            )
        };
        let fill = if fails { "#222" } else { "#bbb" };
        let _ = write!(
            s,
            "<rect x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\"><title>{}</title></rect>",
            y + 2.0,
            (x1 - x0).max(1.5),
            LANE - 4.0,
            escape(&tip)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::captions::timeline::TimelineEvent;

    #[test]
    fn draws_events_failures_and_the_master_end_escaped() {
        let t = CaptionTimeline {
            events: vec![
                TimelineEvent {
                    number: 1,
                    start_s: 0.5,
                    end_s: 2.5,
                    failed_rules: Vec::new(),
                },
                TimelineEvent {
                    number: 2,
                    start_s: 8.0,
                    end_s: 11.0,
                    failed_rules: vec!["captions.within_master".into(), "<x>".into()],
                },
            ],
            event_count: 2,
            master: Some("feature".into()),
            master_duration_s: Some(10.0),
            time_base: "programme-relative".into(),
        };
        let svg = caption_strip(&t);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("2 events, 1 failing"), "{svg}");
        assert!(
            svg.contains("event 2: 0:08 to 0:11; fails captions.within_master, &lt;x&gt;"),
            "{svg}"
        );
        assert!(svg.contains("master end (0:10)"), "{svg}");
        assert!(!svg.contains("<x>"));
        // the strip runs to the later of the master's end and the last event
        assert!(svg.contains(">0:11</text></svg>"), "{svg}");
        assert_eq!(caption_strip(&CaptionTimeline::default()), "");
    }
}
