//! `signoff diff OLD NEW`: what changed between two versions of a master,
//! printed for people or as JSON, optionally as an HTML page.

use super::args::Format;
use super::board::PlanArgs;
use signoff::escape::terminal;
use signoff::ledger::Ledger;
use signoff::review::diff::model::{ChangeKind, ContentChange, DiffReport, Span, Version};
use signoff::review::diff::{diff_files, DiffOptions};
use std::io::Write;
use std::path::PathBuf;

/// Compare two versions of a master: facts, loudness, and where the picture or sound changed.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  signoff diff FEATURE_v2.mov FEATURE_v3.mov            what changed, in each file's timecode
  signoff diff v2.mxf v3.mxf --format json              the same, for pipelines
  signoff diff v2.mov v3.mov --html diff.html           a page with the changed ranges on a strip
  signoff diff v1/FTR.mov FTR.mov --root .              also record it in the delivery's ledger:
                                                        notes on v1 then say whether their range changed

With --root, --plan or --ledger the diff is recorded in that delivery's ledger, keyed by
the two files' SHA-256 (taken from the ledger's cache when a file is unchanged since a
check, else computed while the files are decoded); recording the same pair again replaces it.

Exit codes (as diff(1)): 0 the versions are the same (content, facts and loudness);
1 they differ; 2 a version could not be read, or nothing differs but not everything
could be compared (the reason is printed).")]
pub struct DiffArgs {
    /// The old version.
    pub old: PathBuf,
    /// The new version.
    pub new: PathBuf,
    /// Do not measure loudness (faster; content and facts only).
    #[arg(long)]
    pub no_measure: bool,
    /// Also write the diff as a self-contained HTML page to this file.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// The delivery whose ledger records this diff (default with --plan/--ledger: the plan's).
    #[arg(long, value_name = "ROOT")]
    pub root: Option<PathBuf>,
    /// Plan and ledger: with any of --root, --plan, --ledger the diff is recorded.
    #[command(flatten)]
    pub plan: PlanArgs,
}

/// Where the diff was recorded (`recorded` in JSON).
#[derive(Debug, serde::Serialize)]
struct Recorded {
    /// The ledger file.
    ledger: String,
    /// The row.
    id: i64,
    /// SHA-256 of the old version.
    old_sha256: String,
    /// SHA-256 of the new version.
    new_sha256: String,
}

/// `diff --format json`: the report, and where it was recorded when asked.
#[derive(Debug, serde::Serialize)]
struct DiffDoc<'a> {
    #[serde(flatten)]
    report: &'a DiffReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    recorded: Option<&'a Recorded>,
    #[serde(skip_serializing_if = "Option::is_none")]
    not_recorded: Option<&'a String>,
}

/// The ledger's cached SHA-256 of `path`, when its size and mtime are
/// those of the last time a check hashed it.
fn cached(ledger: &Ledger, path: &std::path::Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos() as i64;
    [
        std::path::absolute(path).ok(),
        std::fs::canonicalize(path).ok(),
    ]
    .into_iter()
    .flatten()
    .find_map(|p| ledger.cached_hash(&p, meta.len(), mtime).ok().flatten())
}

/// Records `report` in `ledger`; why not, when it cannot be.
fn record(
    ledger: &mut Ledger,
    report: &DiffReport,
    hashes: [Result<String, signoff::error::FileProblem>; 2],
) -> anyhow::Result<Recording> {
    if report.old.error.is_some() || report.new.error.is_some() {
        return Ok(Err(
            "a version could not be read, so there is nothing to record".into(),
        ));
    }
    let [old, new] = hashes;
    let (old, new) = match (old, new) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) => return Ok(Err(format!("cannot hash OLD: {}", e.message))),
        (_, Err(e)) => return Ok(Err(format!("cannot hash NEW: {}", e.message))),
    };
    let json = serde_json::to_string(report)?;
    let id = ledger.record_diff(&signoff::ledger::diffs::NewDiff {
        old_sha256: &old,
        new_sha256: &new,
        recorded_at: &signoff::delivery::now_utc(),
        recorded_by: &super::board::user(),
        json: &json,
    })?;
    Ok(Ok(Recorded {
        ledger: signoff::probe::display_path(ledger.path()).0,
        id,
        old_sha256: old,
        new_sha256: new,
    }))
}

/// Where the diff was recorded, or why it could not be.
type Recording = Result<Recorded, String>;

/// The diff, recorded in `ledger` when one is given.
fn compare(
    args: &DiffArgs,
    opts: &DiffOptions,
    ledger: Option<&mut Ledger>,
) -> anyhow::Result<(DiffReport, Option<Recording>)> {
    let Some(l) = ledger else {
        return Ok((diff_files(&args.old, &args.new, opts), None));
    };
    let known = [cached(l, &args.old), cached(l, &args.new)];
    let (report, hashes) =
        signoff::review::diff::diff_files_hashed(&args.old, &args.new, opts, known);
    let recorded = record(l, &report, hashes)?;
    Ok((report, Some(recorded)))
}

/// Runs the command: 0 same, 1 differs, 2 a version could not be read.
pub fn run(args: &DiffArgs) -> anyhow::Result<u8> {
    let opts = DiffOptions {
        measure: !args.no_measure,
    };
    let asked = args.root.is_some() || args.plan.plan.is_some() || args.plan.ledger.is_some();
    let mut ledger = match asked {
        true => Some(args.plan.load_at(args.root.as_deref())?.open_ledger()?),
        false => None,
    };
    let (report, recorded) = compare(args, &opts, ledger.as_mut())?;
    if let Some(path) = &args.html {
        let page = signoff::review::diff::html::render(&report);
        signoff::report::atomic::write(path, page.as_bytes()).map_err(|e| {
            anyhow::anyhow!("cannot write {}: {e}", signoff::probe::display_path(path).0)
        })?;
    }
    let mut out = super::output::stdout();
    match args.format {
        Format::Json => {
            use signoff::document::{envelope, to_json};
            let doc = DiffDoc {
                report: &report,
                recorded: recorded.as_ref().and_then(|r| r.as_ref().ok()),
                not_recorded: recorded.as_ref().and_then(|r| r.as_ref().err()),
            };
            out.write_all(to_json(&envelope("diff", &doc))?.as_bytes())?;
        }
        Format::Human => {
            write_human(&mut out, &report, opts.measure)?;
            match (&recorded, &ledger) {
                (Some(Ok(_)), Some(l)) => writeln!(
                    out,
                    "recorded in {}",
                    terminal(&super::board::shown(l.path()))
                )?,
                (Some(Err(why)), _) => writeln!(out, "not recorded: {}", terminal(why))?,
                _ => {}
            }
        }
    }
    out.flush()?;
    Ok(exit_code(&report))
}

fn exit_code(r: &DiffReport) -> u8 {
    if r.old.error.is_some() || r.new.error.is_some() {
        signoff::exit::UNREADABLE
    } else if r.differs {
        signoff::exit::QC_FAILED
    } else if !r.fully_compared {
        signoff::exit::UNREADABLE
    } else {
        signoff::exit::OK
    }
}

fn version_line(name: &str, v: &Version) -> String {
    let mut parts = Vec::new();
    if let Some(d) = v.duration_s {
        parts.push(signoff::probe::summary::duration(d));
    }
    match (v.frames, v.frame_rate_fps) {
        (Some(n), Some(f)) => parts.push(format!(
            "{n} frames at {} fps",
            signoff::probe::summary::fps(f)
        )),
        (None, Some(f)) => parts.push(format!("{} fps", signoff::probe::summary::fps(f))),
        _ => {}
    }
    if let Some(tc) = &v.start_timecode {
        parts.push(format!("TC {}", terminal(tc)));
    }
    if v.decode_errors > 0 {
        parts.push(format!("{} decode errors", v.decode_errors));
    }
    let facts = if parts.is_empty() {
        String::new()
    } else {
        format!("  ({})", parts.join(", "))
    };
    format!("{name}  {}{facts}", terminal(&v.path))
}

/// A position in words: its timecode, else seconds and frame.
fn at(s: &Span, end: bool) -> String {
    let (tc, secs, frame) = if end {
        (&s.end_tc, s.end_s, s.end_frame)
    } else {
        (&s.start_tc, s.start_s, s.start_frame)
    };
    match tc {
        Some(tc) => terminal(tc).into_owned(),
        None => format!("{secs:.3} s (frame {frame})"),
    }
}

fn range(s: &Span) -> String {
    format!(
        "{}–{} ({} frames, {:.2} s)",
        at(s, false),
        at(s, true),
        s.end_frame - s.start_frame,
        s.duration_s
    )
}

/// One change in words, in the old file's timecode then the new one's.
pub fn change_line(c: &ContentChange) -> String {
    match c.kind {
        ChangeKind::Replaced => format!(
            "replaced       OLD {} by NEW {}",
            range(&c.old),
            range(&c.new)
        ),
        ChangeKind::Inserted => format!(
            "inserted       {:.2} s at OLD {}: NEW {}",
            c.new.duration_s,
            at(&c.old, false),
            range(&c.new)
        ),
        ChangeKind::Removed => format!(
            "removed        OLD {}, at NEW {}",
            range(&c.old),
            at(&c.new, false)
        ),
        ChangeKind::AudioChanged => format!(
            "audio changed  OLD {} = NEW {}",
            range(&c.old),
            range(&c.new)
        ),
    }
}

fn write_changes(
    out: &mut impl Write,
    title: &str,
    rows: &[signoff::review::diff::model::Change],
) -> anyhow::Result<()> {
    if rows.is_empty() {
        writeln!(out, "{title}: the same")?;
        return Ok(());
    }
    writeln!(out, "{title}: {} differ", rows.len())?;
    let width = rows
        .iter()
        .map(|c| c.what.chars().count())
        .max()
        .unwrap_or(0);
    let v = |x: &Option<String>| {
        x.as_deref()
            .map_or("(none)".into(), |s| terminal(s).into_owned())
    };
    for c in rows {
        let pad = width - c.what.chars().count();
        writeln!(
            out,
            "  {}{}  {} → {}",
            terminal(&c.what),
            " ".repeat(pad),
            v(&c.old),
            v(&c.new)
        )?;
    }
    Ok(())
}

fn write_measurements(
    out: &mut impl Write,
    rows: &[signoff::review::diff::model::MeasurementChange],
) -> anyhow::Result<()> {
    if rows.is_empty() {
        writeln!(out, "loudness: the same")?;
        return Ok(());
    }
    writeln!(out, "loudness: {} differ", rows.len())?;
    let label = |m: &signoff::review::diff::model::MeasurementChange| {
        format!("programme {}: {}", terminal(&m.programme), m.what)
    };
    let width = rows
        .iter()
        .map(|m| label(m).chars().count())
        .max()
        .unwrap_or(0);
    for m in rows {
        let v = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.1} {}", m.unit));
        let delta = m.delta.map(|d| format!("  ({d:+.1})")).unwrap_or_default();
        let l = label(m);
        let pad = width - l.chars().count();
        writeln!(
            out,
            "  {l}{}  {} → {}{delta}",
            " ".repeat(pad),
            v(m.old),
            v(m.new)
        )?;
    }
    Ok(())
}

fn write_human(out: &mut impl Write, r: &DiffReport, measured: bool) -> anyhow::Result<()> {
    writeln!(out, "{}", version_line("OLD", &r.old))?;
    writeln!(out, "{}", version_line("NEW", &r.new))?;
    let readable = r.old.error.is_none() && r.new.error.is_none();
    if readable {
        write_changes(out, "facts", &r.facts)?;
        if measured {
            write_measurements(out, &r.measurements)?;
        } else {
            writeln!(out, "loudness: not measured (--no-measure)")?;
        }
        write_content(out, r)?;
    }
    if !r.not_compared.is_empty() {
        writeln!(out, "not compared:")?;
        for n in &r.not_compared {
            writeln!(out, "  {}", terminal(n))?;
        }
    }
    writeln!(out, "{}", headline(r, measured))?;
    Ok(())
}

fn write_content(out: &mut impl Write, r: &DiffReport) -> anyhow::Result<()> {
    let c = &r.content;
    let what = match (c.picture_compared, c.sound_compared) {
        (true, true) => "picture and sound",
        (true, false) => "picture",
        (false, true) => "sound",
        (false, false) => {
            writeln!(out, "content: not compared")?;
            return Ok(());
        }
    };
    let on = c.aligned_on.as_deref().unwrap_or("-");
    if c.unchanged {
        writeln!(out, "content ({what}, aligned on {on}): no change")?;
        return Ok(());
    }
    writeln!(out, "content ({what}, aligned on {on}):")?;
    if let Some(g) = c.level_change_db {
        writeln!(out, "  sound level changed by {g:+.1} dB throughout")?;
    }
    for ch in &c.changes {
        writeln!(out, "  {}", change_line(ch))?;
    }
    Ok(())
}

/// The last line: what the exit code says.
fn headline(r: &DiffReport, measured: bool) -> String {
    if r.old.error.is_some() || r.new.error.is_some() {
        return "UNREADABLE: a version could not be read; nothing was compared".into();
    }
    if !r.differs && !r.fully_compared {
        return "NOT COMPARED: no difference found, but not everything could be compared (see above)".into();
    }
    if !r.differs && !measured {
        return "SAME: no difference in content or facts (loudness not measured: --no-measure)"
            .into();
    }
    if !r.differs {
        return "SAME: no difference in content, facts or loudness".into();
    }
    let mut parts = Vec::new();
    let c = &r.content;
    if !c.unchanged {
        let n = c.changes.len();
        let mut what = Vec::new();
        if n > 0 {
            what.push(format!("{n} range{}", if n == 1 { "" } else { "s" }));
        }
        if let Some(g) = c.level_change_db {
            what.push(format!("sound level {g:+.1} dB"));
        }
        parts.push(format!("content changed ({})", what.join(", ")));
    } else if c.picture_compared || c.sound_compared {
        parts.push("content unchanged".into());
    }
    let count =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    if !r.facts.is_empty() {
        parts.push(count(r.facts.len(), "fact differs", "facts differ"));
    }
    if !r.measurements.is_empty() {
        parts.push(count(
            r.measurements.len(),
            "loudness value differs",
            "loudness values differ",
        ));
    }
    format!("DIFFERS: {}", parts.join(" · "))
}
