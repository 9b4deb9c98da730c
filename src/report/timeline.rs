//! The timeline strip of one picture stream, as a self-contained SVG.
//!
//! One lane per picture check (black, freeze, Y′ and R′G′B′ levels, scan
//! type against its flag, flashes and red flashes — PSE screening, not a
//! certified test), each segment a dark bar across its time with its
//! details as a tooltip, then a small luma graph (mean Y′ as a dark line,
//! lowest to highest Y′ as a light band, black and white levels dashed),
//! over a time axis. Solid dark marks on white and a text label per lane,
//! so it reads the same in print. A pure function: data in, SVG text out;
//! every string from the file is escaped.

use super::tc::TimeLabels;
use super::xml::escape;
use crate::picture::luma::{LumaBin, LumaSeries};
use crate::picture::{PictureMeasurements, Segment};
use std::fmt::Write;

const W: f64 = 760.0;
const LEFT: f64 = 150.0;
const RIGHT: f64 = 740.0;
const LANE: f64 = 16.0;
const TOP: f64 = 6.0;
/// Height of the luma graph.
const GRAPH: f64 = 56.0;

/// The lanes of `p` that were measured: label and segments.
fn lanes(p: &PictureMeasurements) -> Vec<(String, Vec<&Segment>)> {
    let mut out: Vec<(String, Vec<&Segment>)> = Vec::new();
    // a stream measured for its shot changes alone has no black or freeze lane
    if p.black_detector.is_some() || !p.black.is_empty() {
        out.push(("black".into(), p.black.iter().collect()));
    }
    if p.freeze_detector.is_some() || !p.freeze.is_empty() {
        out.push(("freeze".into(), p.freeze.iter().collect()));
    }
    if let Some(l) = &p.levels {
        out.push(("Y′ levels".into(), l.luma_segments.iter().collect()));
        if l.rgb_checked {
            out.push(("R′G′B′ levels".into(), l.rgb_segments.iter().collect()));
        }
    }
    if let Some(s) = &p.scan {
        out.push(("scan vs flag".into(), s.segments.iter().collect()));
    }
    if let Some(f) = &p.pse {
        out.push(("flashes (PSE)".into(), f.flash_segments.iter().collect()));
        if f.red_checked {
            out.push((
                "red flashes (PSE)".into(),
                f.red_flash_segments.iter().collect(),
            ));
        }
    }
    out
}

/// The SVG strip of `p` (empty when the stream has no duration), its
/// times labelled by `labels` (the file's timecode, when it has one).
pub fn picture_strip(p: &PictureMeasurements, labels: &TimeLabels) -> String {
    if p.duration_s <= 0.0 || !p.duration_s.is_finite() {
        return String::new();
    }
    let lanes = lanes(p);
    if lanes.is_empty() && p.luma.is_none() {
        return String::new();
    }
    let graph_h = if p.luma.is_some() { GRAPH + 6.0 } else { 0.0 };
    let h = TOP + LANE * lanes.len() as f64 + graph_h + 22.0;
    let x = |t: f64| LEFT + (t / p.duration_s).clamp(0.0, 1.0) * (RIGHT - LEFT);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {h}\" width=\"{W}\" height=\"{h}\" \
         role=\"img\" aria-label=\"picture checks over time, video stream {}\" font-family=\"sans-serif\" font-size=\"11\">",
        p.stream_index
    );
    for (i, (label, segments)) in lanes.iter().enumerate() {
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
        for seg in segments {
            let (x0, x1) = (x(seg.start_s), x(seg.end_s));
            let tip = format!(
                "{label}: {} to {}{}",
                seg.start_tc
                    .clone()
                    .unwrap_or_else(|| labels.label(seg.start_s)),
                seg.end_tc
                    .clone()
                    .unwrap_or_else(|| labels.label(seg.end_s)),
                seg.detail
                    .as_deref()
                    .map(|d| format!(" — {d}"))
                    .unwrap_or_default()
            );
            let _ = write!(
                s,
                "<rect x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#222\"><title>{}</title></rect>",
                y + 2.0,
                (x1 - x0).max(1.5),
                LANE - 4.0,
                escape(&tip)
            );
        }
    }
    if let Some(l) = &p.luma {
        luma_graph(&mut s, p, l, TOP + LANE * lanes.len() as f64 + 4.0, &x);
    }
    let axis = TOP + LANE * lanes.len() as f64 + graph_h + 4.0;
    let _ = write!(
        s,
        "<line x1=\"{LEFT}\" y1=\"{axis:.1}\" x2=\"{RIGHT}\" y2=\"{axis:.1}\" stroke=\"#000\"/>\
         <text x=\"{LEFT}\" y=\"{:.1}\">{}</text><text x=\"{RIGHT}\" y=\"{:.1}\" text-anchor=\"end\">{}</text></svg>",
        axis + 13.0,
        labels.label(0.0),
        axis + 13.0,
        labels.label(p.duration_s)
    );
    s
}

/// The luma graph of `l` with its top at `top`; `x` maps seconds to the strip.
fn luma_graph(
    s: &mut String,
    p: &PictureMeasurements,
    l: &LumaSeries,
    top: f64,
    x: &dyn Fn(f64) -> f64,
) {
    let full = f64::from((1u32 << l.bit_depth.clamp(8, 16)) - 1);
    let y = |v: f64| top + GRAPH * (1.0 - (v / full).clamp(0.0, 1.0));
    let mid = |b: &LumaBin| x(b.start_s + l.bin_s / 2.0);
    let _ = write!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">Y′ (0–{full})</text>\
         <rect x=\"{LEFT}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{GRAPH}\" fill=\"none\" stroke=\"#999\" stroke-width=\"0.5\"/>",
        LEFT - 6.0,
        top + GRAPH / 2.0 + 4.0,
        RIGHT - LEFT
    );
    if !p.full_range {
        let shift = l.bit_depth.saturating_sub(8);
        for level in [16u32 << shift, 235u32 << shift] {
            let ly = y(f64::from(level));
            let _ = write!(
                s,
                "<line x1=\"{LEFT}\" y1=\"{ly:.1}\" x2=\"{RIGHT}\" y2=\"{ly:.1}\" stroke=\"#666\" stroke-width=\"0.5\" stroke-dasharray=\"3 3\"/>"
            );
        }
    }
    let band: Vec<String> = l
        .bins
        .iter()
        .map(|b| format!("{:.1},{:.1}", mid(b), y(f64::from(b.max))))
        .chain(
            l.bins
                .iter()
                .rev()
                .map(|b| format!("{:.1},{:.1}", mid(b), y(f64::from(b.min)))),
        )
        .collect();
    let line: Vec<String> = l
        .bins
        .iter()
        .map(|b| format!("{:.1},{:.1}", mid(b), y(b.mean)))
        .collect();
    let mean = l.bins.iter().map(|b| b.mean * b.frames as f64).sum::<f64>()
        / l.bins.iter().map(|b| b.frames).sum::<u64>().max(1) as f64;
    let _ = write!(
        s,
        "<polygon points=\"{}\" fill=\"#ddd\" stroke=\"none\"/>\
         <polyline points=\"{}\" fill=\"none\" stroke=\"#000\" stroke-width=\"1.2\"><title>mean Y′ {mean:.1} of 0–{full} ({}-bit code values)</title></polyline>",
        band.join(" "),
        line.join(" "),
        l.bit_depth
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::picture::pse::{PseOptions, PseResult, LABEL};

    fn seg(s: f64, e: f64, detail: &str) -> Segment {
        Segment {
            start_s: s,
            end_s: e,
            duration_s: e - s,
            start_frame: 0,
            end_frame: 0,
            start_tc: None,
            end_tc: None,
            detail: Some(detail.into()),
        }
    }

    #[test]
    fn draws_a_lane_per_check_and_escapes_details() {
        let p = PictureMeasurements {
            duration_s: 10.0,
            black: vec![seg(0.0, 2.0, "<b>black</b>")],
            freeze_detector: Some(Default::default()),
            pse: Some(PseResult {
                label: LABEL.into(),
                display_peak_cd_m2: 200.0,
                max_flashes_per_s: 3,
                max_area: 0.25,
                frames: 250,
                max_flash_area: 1.0,
                max_red_flash_area: 0.0,
                red_checked: true,
                flash_segments: vec![seg(5.0, 7.5, LABEL)],
                red_flash_segments: vec![],
                passed: false,
                detector: PseOptions::default(),
            }),
            ..PictureMeasurements::default()
        };
        let svg = picture_strip(&p, &TimeLabels::clock());
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        for lane in ["black", "freeze", "flashes (PSE)", "red flashes (PSE)"] {
            assert!(svg.contains(&format!(">{lane}</text>")), "{lane}");
        }
        assert!(svg.contains("&lt;b&gt;black&lt;/b&gt;"));
        assert!(!svg.contains("<b>"));
        // The flash bar starts half-way along the lane.
        let mid = LEFT + 0.5 * (RIGHT - LEFT);
        assert!(svg.contains(&format!("<rect x=\"{mid:.1}\"")), "{svg}");
        assert!(svg.contains(LABEL));
        assert_eq!(
            picture_strip(&PictureMeasurements::default(), &TimeLabels::clock()),
            ""
        );
    }

    #[test]
    fn draws_the_luma_graph_in_code_values() {
        let bins = (0..10)
            .map(|i| LumaBin {
                start_s: f64::from(i),
                frames: 25,
                min: 64,
                mean: 512.0,
                max: 940,
            })
            .collect();
        let p = PictureMeasurements {
            duration_s: 10.0,
            bit_depth: 10,
            luma: Some(LumaSeries {
                bit_depth: 10,
                bin_s: 1.0,
                bins,
            }),
            ..PictureMeasurements::default()
        };
        let svg = picture_strip(&p, &TimeLabels::clock());
        assert!(svg.contains(">Y′ (0–1023)</text>"), "{svg}");
        assert!(svg.contains("<polyline points=\""));
        assert!(svg.contains("mean Y′ 512.0 of 0–1023 (10-bit code values)"));
        // Limited range: black (64) and white (940) levels dashed.
        assert_eq!(svg.matches("stroke-dasharray").count(), 2);
        assert!(svg.contains("stroke=\"#000\""), "dark line for print");
    }
}
