//! The HTML sign-off report: one self-contained file (inline CSS and SVG,
//! thumbnails as `data:` URIs, no network, no script) that explains itself
//! to whoever opens it, and prints to clean paginated PDF from a browser.
//!
//! Every string that came from a file, a tag, a profile or the environment
//! goes through [`escape`]; a file named `<img src=x onerror=alert(1)>.mov`
//! shows as that text.

use super::model::{local_time, FileEntry, RunReport};
use super::svg::{self, Mark};
use super::tc::{human_size, is_handler_name, TimeLabels};
use super::thumbs::Strip;
use super::xml::{escape_path, escape_words};
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
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
         <title>{}: {} ({})</title><style>{CSS}</style></head><body>\n",
        escape(r.report_title()),
        escape(&r.delivery_title()),
        r.decide().verdict.as_str()
    );
    cover(&mut s, r);
    signatures(&mut s, r);
    guide(&mut s);
    board(&mut s, r);
    index(&mut s, r);
    clutter(&mut s, r);
    sources(&mut s, r);
    not_covered(&mut s, r);
    for (i, f) in r.files.iter().enumerate() {
        if !f.is_clutter() {
            file(&mut s, r, i, f);
        }
    }
    let _ = write!(
        s,
        "<footer>Written by {} at {}. Files are identified by SHA-256 of their content; \
         any change to a file changes its hash.</footer>\n</body></html>\n",
        escape(&r.tool),
        escape(&local_time(&r.finished_at))
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

/// The cover: letterhead, the verdict in one line, the counts, who ran it
/// where and when, with which tool and profiles.
fn cover(s: &mut String, r: &RunReport) {
    let d = r.decide();
    let v = d.verdict;
    let _ = write!(s, "<header class=\"run {}\">", v.as_str());
    let b = &r.branding;
    if b.logo_data_uri.is_some() || b.company.is_some() {
        s.push_str("<div class=\"letterhead\">");
        if let Some(uri) = &b.logo_data_uri {
            let _ = write!(
                s,
                "<img class=\"logo\" src=\"{}\" alt=\"logo\">",
                escape(uri)
            );
        }
        if let Some(c) = &b.company {
            let _ = write!(s, "<span class=\"company\">{}</span>", escape(c));
        }
        s.push_str("</div>");
    }
    let _ = write!(
        s,
        "<h1>{}: {}</h1><p class=\"verdict-line\"><span class=\"badge {}\">{}</span> {} (exit {})</p>",
        escape(r.report_title()),
        escape_path(&r.delivery_title()),
        v.as_str(),
        v.word(),
        escape(&d.headline()),
        v.exit_code()
    );
    tallies(s, r);
    s.push_str("<dl class=\"facts\">");
    let mut row = |k: &str, v: &str| {
        let _ = write!(s, "<dt>{k}</dt><dd>{}</dd>", escape_words(v));
    };
    row("Project", r.project.as_deref().unwrap_or("—"));
    row("Distributor", r.distributor.as_deref().unwrap_or("—"));
    row("Checked", &local_time(&r.started_at));
    row("Finished", &local_time(&r.finished_at));
    row("By", r.user.as_deref().unwrap_or("—"));
    row("On host", r.host.as_deref().unwrap_or("—"));
    row("Tool", &r.tool);
    let profiles: Vec<String> = r
        .profiles
        .iter()
        .map(|p| format!("{} ({})", p.id, p.title))
        .collect();
    row("Profiles", &profiles.join("; "));
    let roots: Vec<String> = r.roots.iter().map(|x| escape_path(x)).collect();
    let _ = writeln!(
        s,
        "<dt>Delivery</dt><dd class=\"path\">{}</dd></dl></header>",
        roots.join(", ")
    );
}

/// Deliverables by state and files by verdict, each list adding up to its total.
fn tallies(s: &mut String, r: &RunReport) {
    s.push_str("<div class=\"tallies\">");
    if let Some(rows) = &r.board {
        let parts: Vec<String> = r
            .deliverable_states()
            .iter()
            .map(|(st, n)| {
                format!(
                    "<span class=\"state {}\">{n} {}</span>",
                    st.as_str(),
                    st.word()
                )
            })
            .collect();
        let _ = write!(
            s,
            "<p class=\"counts\"><b>{} deliverable{}</b>: {}</p>",
            rows.len(),
            plural(rows.len()),
            parts.join(" · ")
        );
    }
    let c = r.counts();
    let parts: Vec<String> = c
        .parts()
        .iter()
        .map(|(class, n, word)| format!("<span class=\"{class}\">{n} {word}</span>"))
        .collect();
    let _ = write!(
        s,
        "<p class=\"counts\"><b>{} file{}</b>: {}</p></div>",
        c.files,
        plural(c.files),
        parts.join(" · ")
    );
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A signature block per signed-off deliverable, filled from its approval,
/// and an empty one for the producer.
fn signatures(s: &mut String, r: &RunReport) {
    s.push_str("<section class=\"signatures\"><h2>Sign-off</h2><div class=\"sig-grid\">");
    for b in r.board.iter().flatten() {
        let Some(a) = &b.approval else { continue };
        let stale = if b.stale_files.is_empty() {
            String::new()
        } else {
            format!(
                "<p class=\"stale\">Changed since approval: {}</p>",
                escape_path(&b.stale_files.join(", "))
            )
        };
        let _ = write!(
            s,
            "<div class=\"sig\"><p class=\"sig-what\"><b>{}</b> {}</p>\
             <dl><dt>Approved by</dt><dd>{}</dd><dt>Role</dt>{}\
             <dt>Date</dt><dd>{}</dd><dt>Signature</dt><dd class=\"blank\"></dd></dl>{stale}</div>",
            escape_words(&b.id),
            escape_words(&b.title),
            escape_words(&a.by),
            role_cell(a.role.as_deref()),
            escape_words(&local_time(&a.at))
        );
    }
    s.push_str(
        "<div class=\"sig\"><p class=\"sig-what\"><b>Producer</b> accepts this delivery</p>\
         <dl><dt>Name</dt><dd class=\"blank\"></dd><dt>Role</dt><dd class=\"blank\"></dd>\
         <dt>Date</dt><dd class=\"blank\"></dd><dt>Signature</dt><dd class=\"blank\"></dd></dl></div>\
         </div></section>\n",
    );
}

/// The role line of a signature block: the role recorded by `approve
/// --role`, or a blank line to fill by hand.
fn role_cell(role: Option<&str>) -> String {
    match role.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => format!("<dd>{}</dd>", escape_words(r)),
        None => "<dd class=\"blank\"></dd>".into(),
    }
}

/// Each profile's source document, clause and address.
fn sources(s: &mut String, r: &RunReport) {
    if r.profiles.is_empty() {
        return;
    }
    s.push_str(
        "<section class=\"sources\"><h2>Sources</h2><table><thead><tr><th>Profile</th>\
         <th>Document</th><th>Read</th><th>Where to read it</th></tr></thead><tbody>",
    );
    for p in &r.profiles {
        let (doc, read, link) = match &p.source {
            Some(src) => {
                let mut doc = escape_words(&src.document);
                if let Some(c) = &src.clause {
                    let _ = write!(doc, "<br><small>{}</small>", escape_words(c));
                }
                let read = format!(
                    "{}, {}",
                    escape_words(&src.date_read),
                    match src.confidence {
                        crate::spec::model::Confidence::Primary => "the document itself",
                        crate::spec::model::Confidence::Secondary => "third-party quotes only",
                    }
                );
                let link = src.url.as_deref().map_or_else(
                    || "no public address".to_string(),
                    |u| format!("<a href=\"{}\">{}</a>", escape(u), escape_path(u)),
                );
                (doc, read, link)
            }
            None => ("—".into(), "—".into(), "—".into()),
        };
        let _ = write!(
            s,
            "<tr id=\"source-{}\"><td><b>{}</b><br>{}</td><td>{doc}</td><td>{read}</td><td class=\"url\">{link}</td></tr>",
            escape(&p.id),
            escape_words(&p.id),
            escape_words(&p.title)
        );
    }
    s.push_str("</tbody></table></section>\n");
}

/// What the run did not check: each profile's caveats, and every rule that
/// could not be evaluated, with its files.
fn not_covered(s: &mut String, r: &RunReport) {
    s.push_str("<section class=\"not-covered\"><h2>What this report does not cover</h2>");
    let caveats: Vec<_> = r
        .profiles
        .iter()
        .filter_map(|p| Some((p, p.caveats.as_deref()?)))
        .collect();
    if !caveats.is_empty() {
        s.push_str("<h3>The profiles' own caveats</h3><ul>");
        for (p, c) in caveats {
            let _ = write!(
                s,
                "<li><b>{}</b>: {}</li>",
                escape_words(&p.id),
                escape_words(c)
            );
        }
        s.push_str("</ul>");
    }
    let mut not_evaluated: std::collections::BTreeMap<(String, String, String), Vec<&str>> =
        Default::default();
    for f in &r.files {
        for x in f.report.iter().flat_map(|r| &r.findings) {
            if let Status::NotEvaluated { reason } = &x.status {
                not_evaluated
                    .entry((x.profile.clone(), x.rule_id.clone(), reason.clone()))
                    .or_default()
                    .push(f.name());
            }
        }
    }
    if not_evaluated.is_empty() {
        s.push_str("<p>Every rule of every checked file was evaluated.</p>");
    } else {
        s.push_str(
            "<h3>Rules not evaluated in this run</h3><table><thead><tr><th>Rule</th>\
             <th>Why</th><th>Files</th></tr></thead><tbody>",
        );
        for ((profile, rule, reason), files) in &not_evaluated {
            let files: Vec<String> = files.iter().map(|f| escape_path(f)).collect();
            let _ = write!(
                s,
                "<tr><td><code>{}</code><br><small>{}</small></td><td>{}</td><td class=\"path\">{}</td></tr>",
                escape(rule),
                escape_words(profile),
                escape_words(reason),
                files.join("<br>")
            );
        }
        s.push_str("</tbody></table>");
    }
    s.push_str(
        "<p class=\"note\">Only the rules of the profiles above were checked; watching and \
         listening to the programme is not replaced by this report.</p></section>\n",
    );
}

/// Operating-system clutter, listed once, without hashes.
fn clutter(s: &mut String, r: &RunReport) {
    let items: Vec<&FileEntry> = r.files.iter().filter(|f| f.is_clutter()).collect();
    if items.is_empty() {
        return;
    }
    let _ = write!(
        s,
        "<section class=\"clutter\"><h2>Clutter ({})</h2><p>Files the operating system \
         leaves behind (<code>.DS_Store</code>, <code>Thumbs.db</code>, AppleDouble \
         <code>._</code> files); not checked and not part of any deliverable. Remove them \
         before delivery.</p><ul>",
        items.len()
    );
    for f in items {
        let _ = write!(
            s,
            "<li class=\"path\">{} <span class=\"size\">({})</span></li>",
            escape_path(f.name()),
            size(f.file.size_bytes)
        );
    }
    s.push_str("</ul></section>\n");
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
         \u{201c}not failing\u{201d}; a run nothing fails in which some rule could not be checked \
         is <span class=\"badge not_evaluated\">NOT EVALUATED</span>, never a pass (exit 0).</li>\
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

/// A human size with the exact byte count on hover.
fn size(bytes: u64) -> String {
    format!(
        "<span title=\"{bytes} bytes\">{}</span>",
        escape(&human_size(bytes))
    )
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
                let mut t = format!(
                    "{} · {}",
                    escape_words(&a.by),
                    escape_words(&local_time(&a.at))
                );
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
                        escape_path(&file.display()),
                        escape(hash.get(..12).unwrap_or(hash))
                    );
                }
                if !b.stale_files.is_empty() {
                    let _ = write!(
                        t,
                        "<br><b class=\"stale\">changed since approval: {}</b>",
                        escape_path(&b.stale_files.join(", "))
                    );
                }
                t
            }
        };
        let mut files: Vec<String> = b
            .files
            .iter()
            .map(|f| {
                let path = escape_path(&f.path.display());
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
                escape_path(p)
            ));
        }
        if let Some(c) = &b.pse_certificate {
            files.push(format!("PSE certificate {}", escape(&c.to_string())));
        }
        if let Some(seal) = &b.seal {
            files.push(format!("manifest: {}", escape(&seal.text())));
        }
        if let Some(notes) = b.notes_text() {
            files.push(format!("<b class=\"stale\">{}</b>", escape(&notes)));
        }
        let _ = write!(
            s,
            "<tr><td><b class=\"nw\">{}</b> {}</td><td><span class=\"state {}\">{}</span>{}</td><td>{}</td><td class=\"date\">{}</td>\
             <td class=\"files\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{approval}</td></tr>",
            escape(&b.id),
            escape_words(&b.title),
            b.state.as_str(),
            escape_words(&b.states_text()),
            fails_note(b, r),
            escape_words(b.owner.as_deref().unwrap_or("—")),
            escape_words(b.due.as_deref().unwrap_or("—")),
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
    for (i, f) in r.files.iter().enumerate().filter(|(_, f)| !f.is_clutter()) {
        let (e, w) = f.failed_counts();
        let _ = write!(
            s,
            "<tr><td class=\"path\"><a href=\"#file-{i}\">{}</a></td><td>{}</td><td class=\"num\">{e}</td>\
             <td class=\"num\">{w}</td><td class=\"what\">{}</td></tr>",
            escape_path(f.name()),
            verdict_badge(f.verdict()),
            escape(&f.file.summary)
        );
    }
    s.push_str("</tbody></table></section>\n");
}

fn file(s: &mut String, r: &RunReport, i: usize, f: &FileEntry) {
    let _ = write!(
        s,
        "<section class=\"file\" id=\"file-{i}\"><h2>{} {}</h2><dl class=\"facts\">\
         <dt>Path</dt><dd class=\"path\">{}</dd><dt>Size</dt><dd>{}</dd>",
        verdict_badge(f.verdict()),
        escape_path(f.name()),
        escape_path(&f.file.path),
        size(f.file.size_bytes)
    );
    let labels = TimeLabels::of(f.file.media.as_ref());
    let mut row = |k: &str, v: &str, class: &str| {
        let _ = write!(
            s,
            "<dt>{k}</dt><dd class=\"{class}\">{}</dd>",
            escape_words(v)
        );
    };
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
        thumbnails(s, &strip, &labels);
    }
    if let Some(m) = &f.file.media {
        streams(s, m);
    }
    if let Some(report) = &f.report {
        findings(s, r, &report.findings, &labels);
    }
    for p in f.picture.iter().flatten() {
        let strip = super::timeline::picture_strip(p, &labels);
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
                svg::loudness_graph(p, target.as_ref(), &marks, &labels),
                escape(&p.name)
            );
        }
    }
    for w in &f.file.warnings {
        let _ = write!(s, "<p class=\"note\">Note: {}</p>", escape(w));
    }
    s.push_str("</section>\n");
}

fn thumbnails(s: &mut String, strip: &Strip, labels: &TimeLabels) {
    if !strip.thumbnails.is_empty() {
        s.push_str("<div class=\"thumbs\">");
        for t in strip.thumbnails {
            let _ = write!(
                s,
                "<figure><img src=\"{}\" width=\"{}\" height=\"{}\" alt=\"frame at {}\"><figcaption>{}</figcaption></figure>",
                escape(&super::thumbs::data_uri(t)),
                t.width,
                t.height,
                labels.label(t.at_s),
                labels.label(t.at_s)
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
            escape(real_title(st).unwrap_or(""))
        );
    }
    s.push_str("</tbody></table>");
}

/// The track's title, or its handler name when that is a real title;
/// never a muxer's handler name (`SoundHandler`, `Core Media Audio`…).
fn real_title(st: &Stream) -> Option<&str> {
    [st.title.as_deref(), st.handler.as_deref()]
        .into_iter()
        .flatten()
        .find(|t| !is_handler_name(t))
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

fn findings(s: &mut String, r: &RunReport, all: &[Finding], labels: &TimeLabels) {
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
        finding_table(s, r, items, class, labels);
    }
    let passed: Vec<&Finding> = all.iter().filter(|x| x.status == Status::Passed).collect();
    if !passed.is_empty() {
        let _ = write!(
            s,
            "<details class=\"passed\"><summary>{} rule{} passed</summary>",
            passed.len(),
            if passed.len() == 1 { "" } else { "s" }
        );
        finding_table(s, r, &passed, "passed", labels);
        s.push_str("</details>");
    }
}

fn finding_table(
    s: &mut String,
    r: &RunReport,
    items: &[&Finding],
    class: &str,
    labels: &TimeLabels,
) {
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
            place.extend(f.position_s.map(|p| labels.label(p)));
        }
        place.extend(f.stream_index.map(|i| format!("stream #{i}")));
        place.extend(f.programme.as_ref().map(|p| format!("programme {p}")));
        let clause = source_of(r, f);
        let _ = write!(
            s,
            "<tr><td><code>{}</code>{clause}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&f.rule_id),
            escape(&what),
            escape_words(&f.expected),
            escape_words(&f.actual),
            escape_words(&place.join(" · "))
        );
    }
    s.push_str("</tbody></table>");
}

/// A finding's source: profile and clause, linked to the profile's document.
fn source_of(r: &RunReport, f: &Finding) -> String {
    let text = match &f.source_clause {
        Some(c) => format!("{} · {}", escape_words(&f.profile), escape_words(c)),
        None => escape_words(&f.profile),
    };
    let url = r
        .profiles
        .iter()
        .find(|p| p.id == f.profile)
        .and_then(|p| p.source.as_ref()?.url.as_deref());
    match url {
        Some(u) => format!("<br><small><a href=\"{}\">{text}</a></small>", escape(u)),
        None => format!("<br><small>{text}</small>"),
    }
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
        assert!(html.contains("<td><b class=\"nw\">FTR</b> Feature &lt;main&gt;</td>"));
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
        assert!(html.contains("no sidecar matches subtitles/<wbr>&lt;x&gt;.srt"));
        assert!(html.contains("<b>override:</b> <q>accepted &lt;b&gt;</q>"));
    }

    #[test]
    fn cover_counts_every_file_once() {
        let mut r = sample_run();
        let mut clutter = r.files[0].clone();
        clutter.file.kind = crate::inventory::sniff::FileKind::Clutter;
        clutter.file.relative_path = ".DS_Store".into();
        clutter.file.size_bytes = 6148;
        clutter.report = None;
        clutter.deliverable = None;
        r.files.push(clutter);
        let c = r.counts();
        assert_eq!((c.files, c.sum()), (4, 4));
        assert_eq!(
            (c.pass, c.fail, c.unreadable, c.clutter, c.unplanned),
            (1, 1, 1, 1, 0),
            "an unclaimed file that was checked counts by its verdict"
        );
        let html = render(&r);
        assert!(html.contains("<b>4 files</b>: <span class=\"pass\">1 pass</span> · <span class=\"fail\">1 fail</span> · <span class=\"unreadable\">1 unreadable</span> · <span class=\"clutter\">1 clutter</span>"), "{html}");
        assert!(
            html.contains("<b>1 deliverable</b>: <span class=\"state approved\">1 approved</span>")
        );
        assert!(html.contains("<section class=\"clutter\"><h2>Clutter (1)</h2>"));
        assert!(html.contains("<li class=\"path\">.DS_Store <span class=\"size\">(<span title=\"6148 bytes\">6.0 KiB</span>)</span></li>"));
        assert_eq!(
            html.matches(".DS_Store").count(),
            1 + 1,
            "listed once, and in the guide's text"
        );
    }

    #[test]
    fn signatures_sources_and_caveats() {
        let html = render(&sample_run());
        assert!(html.contains("<dt>Approved by</dt><dd>ana</dd>"), "{html}");
        assert!(
            html.contains("<dt>Role</dt><dd>QC &lt;lead&gt;</dd>"),
            "the role recorded by approve --role, escaped"
        );
        assert!(html.contains("<b>Producer</b> accepts this delivery"));
        let mut unroled = sample_run();
        for b in unroled.board.iter_mut().flatten() {
            b.approval.as_mut().unwrap().role = None;
        }
        let html = render(&unroled);
        assert!(
            html.contains("<dd>ana</dd><dt>Role</dt><dd class=\"blank\"></dd>"),
            "no role: a line to fill by hand"
        );
        assert!(html
            .contains("<a href=\"https://partnerhelp.example/articles/1?a=1&amp;b=&lt;2&gt;\">"));
        assert!(html.contains(
            "<span class=\"nw\">Dialogue-gated</span> loudness is &lt;not&gt; measured."
        ));
        assert!(html.contains("<h2>What this report does not cover</h2>"));
        assert!(html.contains(
            "<small><a href=\"https://partnerhelp.example/articles/1?a=1&amp;b=&lt;2&gt;\">\
             <span class=\"nw\">netflix-prores-hq</span> · article 1</a></small>"
        ));
    }

    #[test]
    fn sizes_are_human_and_handler_names_hidden() {
        let mut r = sample_run();
        r.files[0].file.size_bytes = 89_822_860;
        let stream = |i: usize, title: Option<&str>, handler: &str| {
            serde_json::json!({"index": i, "kind": "audio", "codec": "pcm_s24le",
                "title": title, "handler": handler})
        };
        r.files[0].file.media = Some(
            serde_json::from_value(serde_json::json!({
                "container": {"format": "mov", "ffmpeg_format": "mov,mp4", "stream_count": 2},
                "streams": [stream(0, None, "SoundHandler"), stream(1, Some("Commentary"), "Core Media Audio")]
            }))
            .unwrap(),
        );
        let html = render(&r);
        assert!(html.contains("<span title=\"89822860 bytes\">85.7 MiB</span>"));
        assert!(!html.contains("SoundHandler") && !html.contains("Core Media Audio"));
        assert!(html.contains("<td>Commentary</td>"));
    }

    #[test]
    fn without_a_board_says_so() {
        let mut r = sample_run();
        r.board = None;
        let html = render(&r);
        assert!(html.contains("not tied to a delivery plan"));
    }
}
