//! The diff as one self-contained HTML page (the sign-off report's CSS,
//! no script, no network): the two versions, a strip of the changed
//! ranges against each file's duration, the facts and loudness that
//! differ, and what could not be compared. Every value from a file goes
//! through the report's one HTML escaper.

use super::model::{
    Change, ChangeKind, ContentChange, DiffReport, MeasurementChange, Span, Version,
};
use crate::report::html::escape;
use std::fmt::Write;

const CSS: &str = include_str!("../../report/report.css");

/// The page.
pub fn render(r: &DiffReport) -> String {
    let mut s = String::with_capacity(16 * 1024);
    let verdict = if r.old.error.is_some() || r.new.error.is_some() {
        ("unreadable", "UNREADABLE")
    } else if r.differs {
        ("fail", "DIFFERS")
    } else if !r.fully_compared {
        ("unreadable", "NOT COMPARED")
    } else {
        ("pass", "SAME")
    };
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
         <title>What changed: {} → {}</title><style>{CSS}\
         .strip{{position:relative;height:18px;background:#e8e8e8;margin:4px 0 12px}}\
         .strip span{{position:absolute;top:0;height:18px;min-width:2px}}\
         .strip .replaced{{background:#c0392b}}.strip .inserted{{background:#2471a3}}\
         .strip .removed{{background:#7d3c98}}.strip .audio_changed{{background:#d68910}}</style></head><body>\n",
        escape(&r.old.path),
        escape(&r.new.path)
    );
    let _ = write!(
        s,
        "<header class=\"run {}\"><div class=\"verdict\"><span class=\"badge {}\">{}</span></div>\
         <h1>What changed between two versions</h1><dl class=\"facts\">",
        verdict.0, verdict.0, verdict.1
    );
    for (name, v) in [("Old", &r.old), ("New", &r.new)] {
        let _ = write!(s, "<dt>{name}</dt><dd>{}</dd>", version_text(v));
    }
    s.push_str("</dl></header>\n<main>");
    content(&mut s, r);
    changes(&mut s, "Facts", &r.facts);
    loudness(&mut s, &r.measurements);
    if !r.not_compared.is_empty() {
        s.push_str("<section><h2>Not compared</h2><ul>");
        for n in &r.not_compared {
            let _ = write!(s, "<li>{}</li>", escape(n));
        }
        s.push_str("</ul></section>");
    }
    let _ = write!(
        s,
        "</main><footer>Written by signoff {}. Pictures are compared by fingerprints of \
         their luma (a 16×9 grid of block means), sound by its level per frame-long block; \
         a re-encode of the same picture and sound is no change.</footer>\n</body></html>\n",
        escape(crate::TOOL_VERSION)
    );
    s
}

fn version_text(v: &Version) -> String {
    let mut t = escape(&v.path).into_owned();
    if let Some(e) = &v.error {
        let _ = write!(t, " — could not be read: {}", escape(&e.message));
    }
    if let Some(d) = v.duration_s {
        let _ = write!(t, " · {}", escape(&crate::probe::summary::duration(d)));
    }
    if let Some(tc) = &v.start_timecode {
        let _ = write!(t, " · TC {}", escape(tc));
    }
    t
}

fn when(s: &Span, end: bool) -> String {
    let (tc, secs) = if end {
        (&s.end_tc, s.end_s)
    } else {
        (&s.start_tc, s.start_s)
    };
    tc.clone().unwrap_or_else(|| format!("{secs:.3} s"))
}

fn strip(s: &mut String, label: &str, spans: &[(ChangeKind, &Span)], total_s: f64) {
    let _ = write!(
        s,
        "<p>{label}</p><div class=\"strip\" role=\"img\" aria-label=\"{label}: changed ranges\">"
    );
    if total_s > 0.0 {
        for (kind, span) in spans {
            let left = (span.start_s / total_s * 100.0).clamp(0.0, 100.0);
            let width = (span.duration_s / total_s * 100.0).clamp(0.0, 100.0 - left);
            let _ = write!(
                s,
                "<span class=\"{}\" style=\"left:{left:.3}%;width:{width:.3}%\" title=\"{} {}–{}\"></span>",
                match kind {
                    ChangeKind::Replaced => "replaced",
                    ChangeKind::Inserted => "inserted",
                    ChangeKind::Removed => "removed",
                    ChangeKind::AudioChanged => "audio_changed",
                },
                kind.words(),
                escape(&when(span, false)),
                escape(&when(span, true))
            );
        }
    }
    s.push_str("</div>");
}

fn content(s: &mut String, r: &DiffReport) {
    let c = &r.content;
    s.push_str("<section><h2>Content</h2>");
    if !c.picture_compared && !c.sound_compared {
        s.push_str("<p>Not compared.</p></section>");
        return;
    }
    if c.unchanged {
        s.push_str("<p>No change of picture or sound.</p>");
    }
    if let Some(g) = c.level_change_db {
        let _ = write!(s, "<p>Sound level changed by {g:+.1} dB throughout.</p>");
    }
    let olds: Vec<(ChangeKind, &Span)> = c.changes.iter().map(|x| (x.kind, &x.old)).collect();
    let news: Vec<(ChangeKind, &Span)> = c.changes.iter().map(|x| (x.kind, &x.new)).collect();
    strip(s, "Old", &olds, r.old.duration_s.unwrap_or(0.0));
    strip(s, "New", &news, r.new.duration_s.unwrap_or(0.0));
    if !c.changes.is_empty() {
        s.push_str("<table><thead><tr><th>change</th><th>old</th><th>new</th><th>length</th></tr></thead><tbody>");
        for ch in &c.changes {
            change_row(s, ch);
        }
        s.push_str("</tbody></table>");
    }
    s.push_str("</section>");
}

fn change_row(s: &mut String, c: &ContentChange) {
    let range = |sp: &Span| {
        if sp.end_frame == sp.start_frame {
            format!("at {}", escape(&when(sp, false)))
        } else {
            format!("{}–{}", escape(&when(sp, false)), escape(&when(sp, true)))
        }
    };
    let len = c.old.duration_s.max(c.new.duration_s);
    let _ = write!(
        s,
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{len:.2} s</td></tr>",
        c.kind.words(),
        range(&c.old),
        range(&c.new)
    );
}

fn changes(s: &mut String, title: &str, rows: &[Change]) {
    let _ = write!(s, "<section><h2>{title}</h2>");
    if rows.is_empty() {
        s.push_str("<p>The same.</p></section>");
        return;
    }
    s.push_str("<table><thead><tr><th>what</th><th>old</th><th>new</th></tr></thead><tbody>");
    let v = |x: &Option<String>| {
        x.as_deref()
            .map_or("(none)".to_string(), |t| escape(t).into_owned())
    };
    for c in rows {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&c.what),
            v(&c.old),
            v(&c.new)
        );
    }
    s.push_str("</tbody></table></section>");
}

fn loudness(s: &mut String, rows: &[MeasurementChange]) {
    s.push_str("<section><h2>Loudness</h2>");
    if rows.is_empty() {
        s.push_str("<p>The same (within 0.1).</p></section>");
        return;
    }
    s.push_str("<table><thead><tr><th>programme</th><th>measurement</th><th>old</th><th>new</th><th>change</th></tr></thead><tbody>");
    for m in rows {
        let v = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.1} {}", m.unit));
        let d = m.delta.map_or(String::new(), |d| format!("{d:+.1}"));
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{d}</td></tr>",
            escape(&m.programme),
            escape(&m.what),
            v(m.old),
            v(m.new)
        );
    }
    s.push_str("</tbody></table></section>");
}
