//! The HTML sign-off report: one self-contained file (inline CSS and SVG,
//! thumbnails as `data:` URIs, no network, no script) that explains itself
//! to whoever opens it, and prints to clean paginated PDF from a browser.
//!
//! Every string that came from a file, a tag, a profile or the environment
//! goes through [`escape`]; a file named `<img src=x onerror=alert(1)>.mov`
//! shows as that text.

use super::model::{FileEntry, RunReport};
use super::svg::{self, Mark};
use super::thumbs::Strip;
use crate::board::DeliverableStatus;
use crate::measure::model::FaultKind;
use crate::probe::model::{MediaInfo, Stream, StreamKind};
use crate::probe::summary::{duration, rate_and_scan};
use crate::spec::{Finding, Severity, Status, Verdict};
use std::fmt::Write;

/// Escapes text for HTML content and attribute values (see [`super::xml::escape`]).
pub fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    super::xml::escape(s)
}

const CSS: &str = include_str!("report.css");

/// The run as one HTML document.
pub fn render(r: &RunReport) -> String {
    let mut s = String::with_capacity(64 * 1024);
    let title = r.project.clone().unwrap_or_else(|| r.roots.join(", "));
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
         <title>QC report: {} ({})</title><style>{CSS}</style></head><body>\n",
        escape(&title),
        r.decide().verdict.as_str()
    );
    header(&mut s, r);
    guide(&mut s);
    summary(&mut s, r);
    board(&mut s, r);
    index(&mut s, r);
    for (i, f) in r.files.iter().enumerate() {
        file(&mut s, r, i, f);
    }
    let _ = write!(
        s,
        "<footer>Written by {} at {}. Files are identified by SHA-256 of their content; \
         any change to a file changes its hash.</footer>\n</body></html>\n",
        escape(&r.tool),
        escape(&r.finished_at)
    );
    s
}

fn verdict_badge(v: Option<Verdict>) -> String {
    let (class, text) = match v {
        Some(v) => (v.as_str(), v.word()),
        None => ("unchecked", "NOT CHECKED"),
    };
    format!("<span class=\"badge {class}\">{text}</span>")
}

fn header(s: &mut String, r: &RunReport) {
    let d = r.decide();
    let v = d.verdict;
    let _ = write!(
        s,
        "<header class=\"run {}\"><div class=\"verdict\"><span class=\"badge {}\">{}</span></div><h1>Delivery QC report</h1>\
         <p class=\"headline\">{} (exit {})</p><dl class=\"facts\">",
        v.as_str(),
        v.as_str(),
        v.word(),
        escape(&d.headline()),
        v.exit_code()
    );
    let mut row = |k: &str, v: &str| {
        let _ = write!(s, "<dt>{k}</dt><dd>{}</dd>", escape(v));
    };
    row("Project", r.project.as_deref().unwrap_or("—"));
    row("Distributor", r.distributor.as_deref().unwrap_or("—"));
    row("Delivery", &r.roots.join(", "));
    row("Checked", &format!("{} → {}", r.started_at, r.finished_at));
    let by = match (&r.user, &r.host) {
        (Some(u), Some(h)) => format!("{u} on {h}"),
        (Some(u), None) => u.clone(),
        (None, Some(h)) => format!("on {h}"),
        (None, None) => "—".into(),
    };
    row("By", &by);
    row("Tool", &r.tool);
    let profiles: Vec<String> = r
        .profiles
        .iter()
        .map(|p| format!("{} ({})", p.id, p.title))
        .collect();
    row("Profiles", &profiles.join("; "));
    s.push_str("</dl></header>\n");
}

fn guide(s: &mut String) {
    s.push_str(
        "<section class=\"guide\"><h2>How to read this report</h2><ul>\
         <li>Every media file was probed and checked against the profiles above, and every \
         file also against the checks its kind implies (profile <code>kind</code>: the content is \
         what its name says, images, PDFs and captions are readable). \
         <span class=\"badge pass\">PASS</span> every rule held; \
         <span class=\"badge not_evaluated\">NOT EVALUATED</span> no rule failed but some could not \
         be checked (never counted as a pass); <span class=\"badge fail\">FAIL</span> an \
         error-severity rule failed; <span class=\"badge unreadable\">UNREADABLE</span> the file \
         could not be read.</li>\
         <li>The verdict at the top is the run's, as its exit code gives it: by default it fails when a \
         file fails or cannot be read, or a deliverable is failing or missing; <code>--fail-on</code> \
         adds warnings, not-evaluated, incomplete (a deliverable with fewer files than its count), \
         stale (approvals) and overdue. What does not fail the run is listed after \
         \u{201c}not failing\u{201d}.</li>\
         <li>Findings are grouped by severity: <b>errors</b> fail a file, <b>warnings</b> are worth a \
         look, <b>not evaluated</b> rules need another check. Each names the rule, what the spec \
         expects, what the file has, and where (timecode, or seconds from the start).</li>\
         <li>Loudness graphs show short-term loudness (3 s window, blue) over time against the \
         profile's target (green line) and tolerance band (green area); the dashed red line is \
         the true-peak limit and the triangle on the right the file's highest true peak. Red \
         ticks on the time axis mark clipping.</li>\
         <li>Thumbnails are frames evenly spaced over each picture file, for recognition only.</li>\
         <li>The SHA-256 identifies each file's exact content: an approval is bound to it.</li>\
         </ul></section>\n",
    );
}

fn summary(s: &mut String, r: &RunReport) {
    let c = r.counts();
    let _ = writeln!(
        s,
        "<section class=\"summary\"><h2>Summary</h2><p class=\"counts\">\
         <span><b>{}</b> file{}</span><span class=\"pass\"><b>{}</b> pass</span>\
         <span class=\"fail\"><b>{}</b> fail</span><span class=\"not_evaluated\"><b>{}</b> not evaluated</span>\
         <span class=\"unreadable\"><b>{}</b> unreadable</span></p></section>",
        c.files,
        if c.files == 1 { "" } else { "s" },
        c.pass,
        c.fail,
        c.not_evaluated,
        c.unreadable
    );
}

fn board(s: &mut String, r: &RunReport) {
    s.push_str("<section class=\"board\"><h2>Delivery board</h2>");
    let Some(rows) = &r.board else {
        s.push_str(
            "<p class=\"note\">This run was not tied to a delivery plan, so there is no board: \
             each file below stands on its own.</p></section>\n",
        );
        return;
    };
    s.push_str(
        "<table><thead><tr><th>Deliverable</th><th>State</th><th>Owner</th><th>Due</th>\
         <th>Files</th><th>Errors</th><th>Warnings</th><th>Approval</th></tr></thead><tbody>",
    );
    for b in rows {
        let approval = match &b.approval {
            None => "—".to_string(),
            Some(a) => {
                let mut t = format!("{} · {}", escape(&a.by), escape(&a.at));
                if let Some(n) = &a.note {
                    let _ = write!(t, "<br><q>{}</q>", escape(n));
                }
                if let Some(o) = &a.override_reason {
                    let _ = write!(t, "<br><b>override:</b> <q>{}</q>", escape(o));
                }
                for (file, hash) in &a.files {
                    let _ = write!(
                        t,
                        "<br><span class=\"hash\" title=\"{}\">{} {}</span>",
                        escape(hash),
                        escape(&file.display()),
                        escape(hash.get(..12).unwrap_or(hash))
                    );
                }
                if !b.stale_files.is_empty() {
                    let _ = write!(
                        t,
                        "<br><b class=\"stale\">changed since approval: {}</b>",
                        escape(&b.stale_files.join(", "))
                    );
                }
                t
            }
        };
        let mut files: Vec<String> = b
            .files
            .iter()
            .map(|f| {
                let path = escape(&f.path.display()).into_owned();
                match &f.outcome.picture {
                    Some(p) => format!(
                        "{path}<br><span class=\"picture\">picture: {}</span>",
                        escape(&p.text)
                    ),
                    None => path,
                }
            })
            .collect();
        files.insert(0, format!("<b>{}/{}</b>", b.files.len(), b.expected_files));
        for p in &b.missing_sidecars {
            files.push(format!(
                "<b class=\"stale\">no sidecar matches {}</b>",
                escape(p)
            ));
        }
        if let Some(c) = &b.pse_certificate {
            files.push(format!("PSE certificate {}", escape(&c.to_string())));
        }
        if let Some(seal) = &b.seal {
            files.push(format!("manifest: {}", escape(&seal.text())));
        }
        if b.open_notes > 0 {
            files.push(format!(
                "<b class=\"stale\">notes: {} open</b>",
                b.open_notes
            ));
        }
        let _ = write!(
            s,
            "<tr><td><b>{}</b> {}</td><td><span class=\"state {}\">{}</span>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{approval}</td></tr>",
            escape(&b.id),
            escape(&b.title),
            b.state.as_str(),
            escape(&b.states_text()),
            fails_note(b, r),
            escape(b.owner.as_deref().unwrap_or("—")),
            escape(b.due.as_deref().unwrap_or("—")),
            files.join("<br>"),
            b.error_count,
            b.warning_count
        );
    }
    s.push_str("</tbody></table></section>\n");
}

/// Whether the run's policy fails a row, in words after its states.
fn fails_note(b: &DeliverableStatus, r: &RunReport) -> &'static str {
    match r.policy.deliverable_fails(b) {
        Some(_) => "<br><b class=\"stale\">fails the run</b>",
        None => "",
    }
}

fn index(s: &mut String, r: &RunReport) {
    s.push_str(
        "<section class=\"index\"><h2>Files</h2><table><thead><tr><th>File</th><th>Verdict</th>\
         <th>Errors</th><th>Warnings</th><th>What it is</th></tr></thead><tbody>",
    );
    for (i, f) in r.files.iter().enumerate() {
        let (e, w) = f.failed_counts();
        let _ = write!(
            s,
            "<tr><td><a href=\"#file-{i}\">{}</a></td><td>{}</td><td class=\"num\">{e}</td>\
             <td class=\"num\">{w}</td><td class=\"what\">{}</td></tr>",
            escape(f.name()),
            verdict_badge(f.verdict()),
            escape(&f.file.summary)
        );
    }
    s.push_str("</tbody></table></section>\n");
}

fn file(s: &mut String, r: &RunReport, i: usize, f: &FileEntry) {
    let _ = write!(
        s,
        "<section class=\"file\" id=\"file-{i}\"><h2>{} {}</h2><dl class=\"facts\">",
        verdict_badge(f.verdict()),
        escape(f.name())
    );
    let mut row = |k: &str, v: &str, class: &str| {
        let _ = write!(s, "<dt>{k}</dt><dd class=\"{class}\">{}</dd>", escape(v));
    };
    row("Path", &f.file.path, "path");
    row("Size", &format!("{} bytes", f.file.size_bytes), "");
    if let Some(d) = &f.deliverable {
        row("Deliverable", d, "");
    }
    row(
        "SHA-256",
        f.sha256.as_deref().unwrap_or("not computed"),
        "hash",
    );
    if !f.file.summary.is_empty() {
        row("Summary", &f.file.summary, "");
    }
    s.push_str("</dl>");
    if let Some(problem) = f
        .report
        .as_ref()
        .and_then(|r| r.problem.as_ref())
        .or(f.file.problem.as_ref())
    {
        let _ = write!(
            s,
            "<p class=\"problem\"><b>Cannot be read:</b> {}</p>",
            escape(&problem.message)
        );
    }
    if let Some(strip) = super::thumbs::strip_of(f) {
        thumbnails(s, &strip);
    }
    if let Some(m) = &f.file.media {
        streams(s, m);
    }
    if let Some(report) = &f.report {
        findings(s, &report.findings);
    }
    for p in f.picture.iter().flatten() {
        let strip = super::timeline::picture_strip(p);
        if !strip.is_empty() {
            let _ = write!(
                s,
                "<figure class=\"graph\">{strip}<figcaption>Picture checks over time, video stream {}{}</figcaption></figure>",
                p.stream_index,
                if p.pse.is_some() {
                    " (flashes: PSE screening, not a certified test)"
                } else {
                    ""
                }
            );
        }
    }
    if let Some(t) = &f.captions {
        let strip = super::caption_strip::caption_strip(t);
        if !strip.is_empty() {
            let against = t
                .master
                .as_deref()
                .map_or_else(|| "no master".to_string(), |m| format!("master {m}"));
            let shown = if t.events.len() < t.event_count {
                format!(", the first {} drawn", t.events.len())
            } else {
                String::new()
            };
            let _ = write!(
                s,
                "<figure class=\"graph\">{strip}<figcaption>Caption events over the programme ({} events{shown}; {}; {})</figcaption></figure>",
                t.event_count,
                escape(&against),
                escape(&t.time_base)
            );
        }
    }
    if let Some(audio) = &f.audio {
        let target = r.loudness_target();
        let marks: Vec<Mark> = audio
            .faults
            .iter()
            .filter(|x| x.kind == FaultKind::Clipping)
            .map(|x| Mark {
                at_s: x.start_s,
                label: x.message.clone(),
            })
            .collect();
        for p in &audio.programmes {
            let _ = write!(
                s,
                "<figure class=\"graph\">{}<figcaption>Loudness of programme {}</figcaption></figure>",
                svg::loudness_graph(p, target.as_ref(), &marks),
                escape(&p.name)
            );
        }
    }
    for w in &f.file.warnings {
        let _ = write!(s, "<p class=\"note\">Note: {}</p>", escape(w));
    }
    s.push_str("</section>\n");
}

fn thumbnails(s: &mut String, strip: &Strip) {
    if !strip.thumbnails.is_empty() {
        s.push_str("<div class=\"thumbs\">");
        for t in strip.thumbnails {
            let _ = write!(
                s,
                "<figure><img src=\"{}\" width=\"{}\" height=\"{}\" alt=\"frame at {}\"><figcaption>{}</figcaption></figure>",
                escape(&super::thumbs::data_uri(t)),
                t.width,
                t.height,
                svg::clock(t.at_s),
                svg::clock(t.at_s)
            );
        }
        s.push_str("</div>");
    }
    if let Some(note) = &strip.note {
        let _ = write!(s, "<p class=\"note\">{}</p>", escape(note));
    }
}

fn streams(s: &mut String, m: &MediaInfo) {
    let c = &m.container;
    let mut head = vec![c.format.clone()];
    head.extend(c.duration_s.map(duration));
    head.extend(c.start_timecode.as_ref().map(|t| format!("TC {t}")));
    head.extend(c.operational_pattern.clone());
    head.extend(c.title.as_ref().map(|t| format!("title “{t}”")));
    let _ = write!(
        s,
        "<table class=\"streams\"><caption>{}</caption><thead><tr><th>#</th><th>Kind</th><th>Codec</th>\
         <th>Details</th><th>Language</th><th>Title</th></tr></thead><tbody>",
        escape(&head.join(" · "))
    );
    for st in &m.streams {
        let codec = match &st.profile {
            Some(p) => format!("{} {p}", st.codec),
            None => st.codec.clone(),
        };
        let _ = write!(
            s,
            "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            st.index,
            st.kind.as_str(),
            escape(&codec),
            escape(&details(st)),
            escape(st.language.as_deref().unwrap_or("")),
            escape(st.title.as_deref().or(st.handler.as_deref()).unwrap_or(""))
        );
    }
    s.push_str("</tbody></table>");
}

fn details(st: &Stream) -> String {
    let mut parts = Vec::new();
    match st.kind {
        StreamKind::Video => {
            if let Some(v) = &st.video {
                parts.push(format!("{}x{}", v.width, v.height));
                parts.push(rate_and_scan(v));
                parts.extend(v.pixel_format.clone());
                parts.extend(v.color_transfer.as_ref().map(|t| format!("transfer {t}")));
            }
        }
        StreamKind::Audio => {
            if let Some(a) = &st.audio {
                parts.push(format!("{} Hz", a.sample_rate));
                parts.extend(a.bit_depth.map(|b| format!("{b}-bit")));
                parts.push(format!("{} ch", a.channels));
                if !a.channel_names.is_empty() {
                    parts.push(a.channel_names.join(" "));
                }
            }
        }
        _ => parts.extend(st.timecode.as_ref().map(|t| format!("TC {t}"))),
    }
    parts.retain(|p| !p.is_empty());
    parts.join(" · ")
}

fn findings(s: &mut String, all: &[Finding]) {
    let failed = |sev: Severity| -> Vec<&Finding> {
        all.iter()
            .filter(|x| x.status == Status::Failed && x.severity == sev)
            .collect()
    };
    let groups = [
        ("Errors", "error", failed(Severity::Error)),
        ("Warnings", "warning", failed(Severity::Warning)),
        ("Information", "info", failed(Severity::Info)),
        (
            "Not evaluated",
            "not-evaluated",
            all.iter().filter(|x| x.is_not_evaluated()).collect(),
        ),
        (
            "Passed with a caveat",
            "caveat",
            all.iter()
                .filter(|x| {
                    x.status == Status::Passed && crate::spec::layout::has_caveat(&x.message)
                })
                .collect(),
        ),
    ];
    for (title, class, items) in &groups {
        if items.is_empty() {
            continue;
        }
        let _ = write!(s, "<h3 class=\"{class}\">{title} ({})</h3>", items.len());
        finding_table(s, items, class);
    }
    let passed: Vec<&Finding> = all.iter().filter(|x| x.status == Status::Passed).collect();
    if !passed.is_empty() {
        let _ = write!(
            s,
            "<details class=\"passed\"><summary>{} rule{} passed</summary>",
            passed.len(),
            if passed.len() == 1 { "" } else { "s" }
        );
        finding_table(s, &passed, "passed");
        s.push_str("</details>");
    }
}

fn finding_table(s: &mut String, items: &[&Finding], class: &str) {
    let _ = write!(
        s,
        "<table class=\"findings {class}\"><thead><tr><th>Rule</th><th>What</th><th>Expected</th>\
         <th>Actual</th><th>Where</th></tr></thead><tbody>"
    );
    for f in items {
        let mut what = f.message.clone();
        if let Status::NotEvaluated { reason } = &f.status {
            if !what.contains(reason.as_str()) {
                what = format!("{what} — {reason}");
            }
        }
        let mut place = Vec::new();
        place.extend(f.timecode.clone());
        if f.timecode.is_none() {
            place.extend(f.position_s.map(|p| format!("{p:.3} s")));
        }
        place.extend(f.stream_index.map(|i| format!("stream #{i}")));
        place.extend(f.programme.as_ref().map(|p| format!("programme {p}")));
        let clause = f
            .source_clause
            .as_ref()
            .map(|c| format!("<br><small>{} · {}</small>", escape(&f.profile), escape(c)))
            .unwrap_or_else(|| format!("<br><small>{}</small>", escape(&f.profile)));
        let _ = write!(
            s,
            "<tr><td><code>{}</code>{clause}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&f.rule_id),
            escape(&what),
            escape(&f.expected),
            escape(&f.actual),
            escape(&place.join(" · "))
        );
    }
    s.push_str("</tbody></table>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::picture::thumbs::{encode_png, Thumbnail};
    use crate::picture::PictureMeasurements;
    use crate::report::testing::{sample_run, HOSTILE};
    use base64::Engine;

    /// The sample run, its first file with a picture stream's thumbnail.
    fn run_with_thumbnail() -> RunReport {
        let mut r = sample_run();
        let png = encode_png(&[0, 0, 0, 255, 255, 255], 2, 1).unwrap();
        r.files[0].picture = Some(vec![PictureMeasurements {
            duration_s: 10.0,
            thumbnails: vec![Thumbnail {
                at_s: 0.5,
                frame: 12,
                width: 2,
                height: 1,
                png_base64: base64::engine::general_purpose::STANDARD.encode(png),
            }],
            ..Default::default()
        }]);
        r
    }

    #[test]
    fn hostile_strings_are_text() {
        let html = render(&run_with_thumbnail());
        assert!(html.contains(&*escape(HOSTILE)));
        assert!(!html.contains("<img src=x"), "raw hostile tag");
        assert!(!html.contains("<script"), "raw script");
        assert!(!html.contains("<b>ok</b>"), "approval note escaped");
        assert!(html.contains("&lt;script&gt;alert(2)&lt;/script&gt;"));
        assert!(html.contains("qc&lt;op&gt;"));
    }

    #[test]
    fn shows_board_graph_thumbnails_and_findings() {
        let html = render(&run_with_thumbnail());
        assert!(html.contains("<section class=\"board\">"));
        assert!(html.contains("<td><b>FTR</b> Feature &lt;main&gt;</td>"));
        assert!(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"loudness\""));
        assert!(html.contains("class=\"fault-mark\""), "clipping marked");
        assert!(html.contains("<img src=\"data:image/png;base64,"));
        assert!(html.contains("<h3 class=\"error\">Errors (1)</h3>"));
        assert!(html.contains("<h3 class=\"warning\">Warnings (1)</h3>"));
        assert!(html.contains("<h3 class=\"not-evaluated\">Not evaluated (1)</h3>"));
        assert!(html.contains("01:00:01:12"));
        assert!(html.contains(&"ab".repeat(32)));
        assert!(
            !html.contains("http://") || !html.contains("src=\"http"),
            "no external assets"
        );
        assert!(!html.contains("<link") && !html.contains("<script"));
    }

    #[test]
    fn board_rows_show_counts_sidecars_and_overrides() {
        let mut r = sample_run();
        let row = &mut r.board.as_mut().unwrap()[0];
        row.expected_files = 3;
        row.missing_sidecars = vec!["subtitles/<x>.srt".into()];
        row.approval.as_mut().unwrap().override_reason = Some("accepted <b>".into());
        let html = render(&r);
        assert!(html.contains("<b>1/3</b>"), "{html}");
        assert!(html.contains("no sidecar matches subtitles/&lt;x&gt;.srt"));
        assert!(html.contains("<b>override:</b> <q>accepted &lt;b&gt;</q>"));
    }

    #[test]
    fn without_a_board_says_so() {
        let mut r = sample_run();
        r.board = None;
        let html = render(&r);
        assert!(html.contains("not tied to a delivery plan"));
    }
}
