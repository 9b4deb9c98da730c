//! The loudness-over-time graph of one programme, as a self-contained SVG.
//!
//! Short-term loudness (3 s window) is drawn against time, over the
//! target's tolerance band and target line; the true-peak limit is a dashed
//! line, the measured maximum true peak a marker on the right edge, and
//! clipping faults ticks on the time axis. A pure function: data in, SVG
//! text out; every string from the file is escaped.

use super::model::LoudnessTarget;
use super::tc::TimeLabels;
use super::xml::escape;
use crate::measure::model::Programme;
use std::fmt::Write;

/// Width and height of the drawing, in SVG user units.
const W: f64 = 760.0;
const H: f64 = 250.0;
/// The plot area inside the drawing.
const LEFT: f64 = 56.0;
const RIGHT: f64 = 650.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 206.0;
/// Most points drawn: longer timelines are reduced to the loudest value per bucket.
const MAX_POINTS: usize = 1200;

/// Times (seconds from the start) to mark on the time axis, with a label.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// Seconds from the programme start.
    pub at_s: f64,
    /// Short words for the tooltip ("clipping").
    pub label: String,
}

/// The SVG of `p`'s short-term loudness, with `target`'s band and limits and `marks`.
/// Times are labelled by `labels` (the file's timecode, when it has one).
pub fn loudness_graph(
    p: &Programme,
    target: Option<&LoudnessTarget>,
    marks: &[Mark],
    labels: &TimeLabels,
) -> String {
    let t = &p.short_term_timeline;
    let duration = (t.values_lufs.len() as f64 * t.interval_s).max(1.0);
    let (lo, hi) = y_range(p, target);
    let scale = Scale { duration, lo, hi };
    let mut s = String::with_capacity(16 * 1024);
    let title = format!("Short-term loudness over time, programme {}", p.name);
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"loudness\" viewBox=\"0 0 {W} {H}\" \
         role=\"img\" aria-label=\"{0}\" font-family=\"sans-serif\" font-size=\"11\">\
         <title>{0}</title>",
        escape(&title)
    );
    let _ = write!(
        s,
        "<rect x=\"{LEFT}\" y=\"{TOP}\" width=\"{}\" height=\"{}\" fill=\"#fafafa\" stroke=\"#999\"/>",
        RIGHT - LEFT,
        BOTTOM - TOP
    );
    if let Some(target) = target {
        band(&mut s, &scale, target);
    }
    y_axis(&mut s, &scale);
    x_axis(&mut s, &scale, labels);
    curve(&mut s, &scale, t.interval_s, &t.values_lufs);
    if let Some(tp) = p.true_peak_dbtp {
        peak_marker(
            &mut s,
            &scale,
            tp,
            target.and_then(|t| t.true_peak_max_dbtp),
        );
    }
    for m in marks {
        mark(&mut s, &scale, m, labels);
    }
    legend(&mut s, p, target);
    s.push_str("</svg>");
    s
}

/// The value range shown: always the target band and true peak, rounded to 5 LU.
fn y_range(p: &Programme, target: Option<&LoudnessTarget>) -> (f64, f64) {
    let values = p.short_term_timeline.values_lufs.iter().flatten().copied();
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for v in values.chain(p.true_peak_dbtp).chain(p.integrated_lufs) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if let Some(t) = target {
        lo = lo.min(t.target_lufs - t.tolerance_lu - 10.0);
        hi = hi.max(t.target_lufs + t.tolerance_lu + 10.0);
        if let Some(tp) = t.true_peak_max_dbtp {
            hi = hi.max(tp);
        }
    }
    if !lo.is_finite() || !hi.is_finite() {
        return (-50.0, 0.0);
    }
    let lo = ((lo - 2.0) / 5.0).floor() * 5.0;
    let hi = ((hi + 2.0) / 5.0).ceil() * 5.0;
    (lo.max(-70.0), hi.max(lo.max(-70.0) + 10.0))
}

struct Scale {
    duration: f64,
    lo: f64,
    hi: f64,
}

impl Scale {
    fn x(&self, seconds: f64) -> f64 {
        LEFT + (seconds / self.duration).clamp(0.0, 1.0) * (RIGHT - LEFT)
    }

    fn y(&self, lufs: f64) -> f64 {
        BOTTOM - ((lufs - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0) * (BOTTOM - TOP)
    }
}

fn band(s: &mut String, sc: &Scale, t: &LoudnessTarget) {
    let top = sc.y(t.target_lufs + t.tolerance_lu);
    let bottom = sc.y(t.target_lufs - t.tolerance_lu);
    let _ = write!(
        s,
        "<rect class=\"band\" x=\"{LEFT}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{:.1}\" \
         fill=\"#2e7d32\" fill-opacity=\"0.15\"><title>target {} LUFS ±{} LU</title></rect>",
        RIGHT - LEFT,
        (bottom - top).max(1.0),
        t.target_lufs,
        t.tolerance_lu
    );
    let y = sc.y(t.target_lufs);
    let _ = write!(
        s,
        "<line class=\"target\" x1=\"{LEFT}\" x2=\"{RIGHT}\" y1=\"{y:.1}\" y2=\"{y:.1}\" \
         stroke=\"#2e7d32\" stroke-width=\"1.5\"/>"
    );
    if let Some(tp) = t.true_peak_max_dbtp {
        let y = sc.y(tp);
        let _ = write!(
            s,
            "<line class=\"tp-limit\" x1=\"{LEFT}\" x2=\"{RIGHT}\" y1=\"{y:.1}\" y2=\"{y:.1}\" \
             stroke=\"#c62828\" stroke-dasharray=\"6 4\"><title>true-peak limit {tp} dBTP</title></line>"
        );
    }
}

fn y_axis(s: &mut String, sc: &Scale) {
    let step = if sc.hi - sc.lo > 40.0 { 10.0 } else { 5.0 };
    let mut v = (sc.lo / step).ceil() * step;
    while v <= sc.hi + 1e-9 {
        let y = sc.y(v);
        let _ = write!(
            s,
            "<line x1=\"{LEFT}\" x2=\"{RIGHT}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{v}</text>",
            LEFT - 4.0,
            y + 4.0
        );
        v += step;
    }
    let mid = (TOP + BOTTOM) / 2.0;
    let _ = write!(
        s,
        "<text x=\"12\" y=\"{mid:.1}\" text-anchor=\"middle\" transform=\"rotate(-90 12 {mid:.1})\">LUFS / dBTP</text>"
    );
}

fn x_axis(s: &mut String, sc: &Scale, labels: &TimeLabels) {
    // Timecode labels are wider: at most about 5 of them.
    let most = if labels.is_timecode() { 5.0 } else { 10.0 };
    let step = tick_step(sc.duration, most);
    let mut t = 0.0;
    while t <= sc.duration + 1e-9 {
        let x = sc.x(t);
        let _ = write!(
            s,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{BOTTOM}\" y2=\"{:.1}\" stroke=\"#999\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            BOTTOM + 4.0,
            BOTTOM + 16.0,
            labels.label(t)
        );
        t += step;
    }
}

/// A tick spacing that gives at most about `most` ticks.
fn tick_step(duration: f64, most: f64) -> f64 {
    const STEPS: [f64; 14] = [
        0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0,
    ];
    STEPS
        .into_iter()
        .find(|s| duration / s <= most)
        .unwrap_or(7200.0)
}

/// `1:02:03`, `2:03` or `3.5 s`-style clock labels (minutes:seconds under an hour).
pub fn clock(seconds: f64) -> String {
    let whole = seconds.floor() as u64;
    let (h, m, sec) = (whole / 3600, whole / 60 % 60, whole % 60);
    let frac = seconds - seconds.floor();
    let sec = if frac > 1e-6 {
        format!("{:04.1}", sec as f64 + frac)
    } else {
        format!("{sec:02}")
    };
    if h > 0 {
        format!("{h}:{m:02}:{sec}")
    } else {
        format!("{m}:{sec}")
    }
}

fn curve(s: &mut String, sc: &Scale, interval: f64, values: &[Option<f64>]) {
    let per = values.len().div_ceil(MAX_POINTS).max(1);
    let mut d = String::new();
    let mut pen_down = false;
    for (i, chunk) in values.chunks(per).enumerate() {
        let loudest = chunk.iter().flatten().copied().reduce(f64::max);
        let Some(v) = loudest else {
            pen_down = false;
            continue;
        };
        let t = (i * per) as f64 * interval + interval * per as f64 / 2.0;
        let cmd = if pen_down { 'L' } else { 'M' };
        let _ = write!(d, "{cmd}{:.1} {:.1} ", sc.x(t), sc.y(v));
        pen_down = true;
    }
    if !d.is_empty() {
        let _ = write!(
            s,
            "<path class=\"short-term\" d=\"{}\" fill=\"none\" stroke=\"#1565c0\" stroke-width=\"1.5\" \
             stroke-linejoin=\"round\"/>",
            d.trim_end()
        );
    }
}

fn peak_marker(s: &mut String, sc: &Scale, tp: f64, limit: Option<f64>) {
    let over = limit.is_some_and(|l| tp > l);
    let colour = if over { "#c62828" } else { "#555" };
    let y = sc.y(tp);
    let _ = write!(
        s,
        "<g class=\"tp-marker\"><path d=\"M{RIGHT} {y:.1} l8 -5 v10 z\" fill=\"{colour}\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\" fill=\"{colour}\">TP {tp:.1} dBTP</text>\
         <title>maximum true peak {tp:.1} dBTP{}</title></g>",
        RIGHT + 11.0,
        y + 4.0,
        if over { ", over the limit" } else { "" }
    );
}

fn mark(s: &mut String, sc: &Scale, m: &Mark, labels: &TimeLabels) {
    let x = sc.x(m.at_s);
    let _ = write!(
        s,
        "<g class=\"fault-mark\"><path d=\"M{x:.1} {BOTTOM} l-4 7 h8 z\" fill=\"#c62828\"/>\
         <line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{TOP}\" y2=\"{BOTTOM}\" stroke=\"#c62828\" stroke-opacity=\"0.4\"/>\
         <title>{} at {}</title></g>",
        escape(&m.label),
        labels.label(m.at_s)
    );
}

fn legend(s: &mut String, p: &Programme, target: Option<&LoudnessTarget>) {
    let y = H - 12.0;
    let integrated = p
        .integrated_lufs
        .map(|v| format!("integrated {v:.1} LUFS"))
        .unwrap_or_else(|| "integrated: below the gate".into());
    let lra = p
        .loudness_range_lu
        .map(|v| format!(" · LRA {v:.1} LU"))
        .unwrap_or_default();
    let band = target
        .map(|t| {
            format!(
                " · band: target {} LUFS ±{} LU",
                t.target_lufs, t.tolerance_lu
            )
        })
        .unwrap_or_default();
    let _ = write!(
        s,
        "<text x=\"{LEFT}\" y=\"{y}\"><tspan fill=\"#1565c0\">━ short-term</tspan> · {}{}{}</text>",
        escape(&integrated),
        lra,
        escape(&band)
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::model::Timeline;

    fn programme(values: Vec<Option<f64>>) -> Programme {
        Programme {
            name: "stereo <L&R>\u{1b}".into(),
            channels: vec![],
            grouping: Default::default(),
            integrated_lufs: Some(-23.1),
            loudness_range_lu: Some(4.2),
            true_peak_dbtp: Some(-0.4),
            true_peak_per_channel_dbtp: vec![],
            sample_peak_dbfs: Some(-0.5),
            max_momentary_lufs: None,
            max_short_term_lufs: None,
            short_term_timeline: Timeline {
                interval_s: 0.1,
                values_lufs: values,
            },
        }
    }

    fn target() -> LoudnessTarget {
        LoudnessTarget {
            target_lufs: -23.0,
            tolerance_lu: 1.0,
            true_peak_max_dbtp: Some(-1.0),
        }
    }

    /// Parses with quick-xml; panics when not well-formed. Returns element names.
    fn parse(svg: &str) -> Vec<String> {
        let mut reader = quick_xml::Reader::from_str(svg);
        reader.config_mut().check_end_names = true;
        let mut names = Vec::new();
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => {
                    names.push(format!("{:?}", e.name()));
                    for a in e.attributes() {
                        a.expect("well-formed attribute");
                    }
                }
                Ok(_) => {}
                Err(e) => panic!("SVG not well-formed at {}: {e}", reader.buffer_position()),
            }
        }
        names
    }

    #[test]
    fn well_formed_with_band_curve_and_markers() {
        let mut values: Vec<Option<f64>> = (0..600)
            .map(|i| Some(-23.0 + (i as f64 / 50.0).sin() * 3.0))
            .collect();
        values[100..130].iter_mut().for_each(|v| *v = None);
        let marks = [Mark {
            at_s: 12.5,
            label: "clipping <2 samples>".into(),
        }];
        let svg = loudness_graph(
            &programme(values),
            Some(&target()),
            &marks,
            &TimeLabels::clock(),
        );
        let names = parse(&svg);
        assert!(names[0].contains("svg"), "{:?}", names[0]);
        assert!(svg.contains("class=\"band\""));
        assert!(svg.contains("class=\"tp-limit\""));
        assert!(svg.contains("class=\"tp-marker\""));
        assert!(svg.contains("over the limit"), "−0.4 dBTP is over −1");
        assert!(svg.contains("class=\"fault-mark\""));
        assert!(svg.contains("stereo &lt;L&amp;R&gt;\\u{1b}"));
        let path = svg.split("class=\"short-term\" d=\"").nth(1).unwrap();
        let moves = path.split('"').next().unwrap().matches('M').count();
        assert_eq!(moves, 2, "the gap below the floor breaks the line");
    }

    #[test]
    fn empty_and_silent_timelines_still_draw() {
        let mut p = programme(vec![]);
        p.true_peak_dbtp = None;
        p.integrated_lufs = None;
        parse(&loudness_graph(&p, None, &[], &TimeLabels::clock()));
        let p = programme(vec![None; 50]);
        let svg = loudness_graph(&p, None, &[], &TimeLabels::clock());
        parse(&svg);
        assert!(!svg.contains("short-term\" d="));
    }

    #[test]
    fn long_timelines_are_reduced() {
        let p = programme(vec![Some(-20.0); 72_000]);
        let svg = loudness_graph(&p, Some(&target()), &[], &TimeLabels::clock());
        parse(&svg);
        assert!(svg.len() < 40_000, "{} bytes", svg.len());
        assert!(
            svg.contains(">2:00:00<") || svg.contains(">1:"),
            "hour ticks"
        );
    }

    #[test]
    fn clock_labels() {
        assert_eq!(clock(0.0), "0:00");
        assert_eq!(clock(75.0), "1:15");
        assert_eq!(clock(3725.0), "1:02:05");
        assert_eq!(clock(0.5), "0:00.5");
    }
}
