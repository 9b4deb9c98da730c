//! `--report [FORMAT:]PATH` on `signoff check`, and `signoff report --from
//! run.json`: which report goes where, building the run report from a
//! check, and writing each report atomically.

use super::output;
use signoff::check::FileResult;
use signoff::report::html;
use signoff::report::model::{FileEntry, RunReport};
use signoff::report::{atomic, json, junit, markdown, pdf};
use signoff::spec::Profile;
use std::io::Write;
use std::path::PathBuf;

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// Self-contained HTML sign-off report.
    Html,
    /// JUnit XML.
    Junit,
    /// One JSON document.
    Json,
    /// JSON Lines.
    Jsonl,
    /// Markdown summary.
    Markdown,
}

/// One `--report` argument: a format and where to write it (`-` = stdout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportTarget {
    /// The format.
    pub format: ReportFormat,
    /// The file, or `-`.
    pub path: PathBuf,
}

fn format_named(name: &str) -> Option<ReportFormat> {
    Some(match name.to_ascii_lowercase().as_str() {
        "html" | "htm" => ReportFormat::Html,
        "junit" | "xml" => ReportFormat::Junit,
        "json" => ReportFormat::Json,
        "jsonl" | "ndjson" => ReportFormat::Jsonl,
        "md" | "markdown" => ReportFormat::Markdown,
        _ => return None,
    })
}

/// Parses `FORMAT:PATH` or `PATH` (format from the extension); for clap.
pub fn parse_target(arg: &str) -> Result<ReportTarget, String> {
    if let Some((prefix, rest)) = arg.split_once(':') {
        if let Some(format) = format_named(prefix) {
            if rest.is_empty() {
                return Err(format!(
                    "no file after `{prefix}:`; use `{prefix}:-` for standard output"
                ));
            }
            let path = PathBuf::from(rest);
            folder_exists(&path)?;
            return Ok(ReportTarget { format, path });
        }
    }
    if arg == "-" {
        return Err("say which format goes to standard output, e.g. `md:-` or `junit:-`".into());
    }
    let path = PathBuf::from(arg);
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let format = format_named(ext).ok_or_else(|| {
        format!(
            "cannot tell the report format of `{arg}`: name it .html, .xml (JUnit), .json, .jsonl \
             or .md, or write FORMAT:PATH (html, junit, json, jsonl, md)"
        )
    })?;
    folder_exists(&path)?;
    Ok(ReportTarget { format, path })
}

/// A report is refused before the run when the folder it would be written
/// into does not exist, not after the run has been spent.
fn folder_exists(path: &std::path::Path) -> Result<(), String> {
    if path.as_os_str() == "-" {
        return Ok(());
    }
    match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() && !folder.is_dir() => Err(format!(
            "the folder `{}` does not exist: create it first, or write the report elsewhere",
            folder.display()
        )),
        _ => Ok(()),
    }
}

/// A run report with the environment filled in and no files yet.
pub fn new_run(roots: &[PathBuf], profiles: &[Profile]) -> RunReport {
    RunReport::begin(roots, profiles, Default::default())
}

/// The report's entry for a checked file.
pub fn entry(c: &FileResult) -> FileEntry {
    FileEntry::from_result(c)
}

/// The text of one report.
pub fn render(r: &RunReport, format: ReportFormat) -> anyhow::Result<String> {
    Ok(match format {
        ReportFormat::Html => html::render(r),
        ReportFormat::Junit => junit::render(r),
        ReportFormat::Json => json::document(r)?,
        ReportFormat::Jsonl => json::jsonl(r)?,
        ReportFormat::Markdown => markdown::render(r),
    })
}

/// Writes every target (each atomically; `-` to stdout).
pub fn write_all(r: &RunReport, targets: &[ReportTarget]) -> anyhow::Result<()> {
    for t in targets {
        let text = render(r, t.format)?;
        atomic::write(&t.path, text.as_bytes()).map_err(|e| {
            anyhow::Error::from(e).context(format!("failed to write report {}", t.path.display()))
        })?;
    }
    Ok(())
}

/// Whether some target writes to standard output (then nothing else does).
pub fn any_stdout(targets: &[ReportTarget]) -> bool {
    targets.iter().any(|t| atomic::is_stdout(&t.path))
}

/// Arguments of `signoff report`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Renders reports without analysing anything: of the last run of `signoff check`
recorded in the delivery's ledger (the plan is found from ROOT or the current
folder, as `signoff status` does), or of a run saved with
`signoff check … --report run.json` (--from). Thumbnails are taken from the
files if they are still there.

Examples:
  signoff report fixtures/sample-delivery --ledger target/sample-ledger.sqlite --report qc.html
  signoff report fixtures/sample-delivery --ledger target/sample-ledger.sqlite --pdf qc.pdf
  signoff report --from run.json --report qc.html
  signoff report --from run.json --report md:-

--pdf prints the HTML report through an installed Chromium (/usr/bin/chromium,
chromium-browser, google-chrome, or $SIGNOFF_CHROMIUM), with page numbers and the
delivery's title in the footer.

Exit codes: 0 written; 3 usage error; 4 no plan, no completed run in the ledger,
the run could not be read, no Chromium for --pdf, or a report not written.")]
pub struct ReportArgs {
    /// A run saved as JSON by `--report run.json` (default: the ledger's last run).
    #[arg(long, value_name = "RUN.json", conflicts_with_all = ["root", "plan", "ledger"])]
    pub from: Option<PathBuf>,
    /// The delivery folder, without --from (default: the plan's).
    #[arg(value_name = "ROOT")]
    pub root: Option<PathBuf>,
    /// Plan and ledger, without --from.
    #[command(flatten)]
    pub plan: super::board::PlanArgs,
    /// Report to write: PATH (format from .html, .xml, .json, .jsonl, .md) or FORMAT:PATH; `-` is stdout. Repeatable.
    #[arg(long = "report", value_name = "[FORMAT:]PATH", required_unless_present = "pdf", value_parser = parse_target)]
    pub reports: Vec<ReportTarget>,
    /// The sign-off report as PDF, printed by an installed Chromium.
    #[arg(long, value_name = "PATH")]
    pub pdf: Option<PathBuf>,
    /// The report's title (default: "Delivery QC report").
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// What fails the run (with --from: replaces the saved run's policy when given).
    #[command(flatten)]
    pub policy: super::args::PolicyFlags,
}

/// Writes `r` as PDF to `path`, printed by `chromium`.
fn write_pdf(
    r: &RunReport,
    chromium: &std::path::Path,
    path: &std::path::Path,
) -> anyhow::Result<()> {
    let footer = format!("{}: {}", r.report_title(), r.delivery_title());
    let bytes = pdf::print(chromium, &html::render(r), &footer)?;
    atomic::write(path, &bytes).map_err(|e| {
        anyhow::Error::from(e).context(format!("failed to write the PDF {}", path.display()))
    })
}

/// Runs `signoff report`.
pub fn run(args: &ReportArgs) -> anyhow::Result<u8> {
    // Find the printer before any work, so a missing one fails fast.
    let chromium = args
        .pdf
        .as_ref()
        .map(|_| pdf::find_chromium())
        .transpose()?;
    let mut r = match &args.from {
        None => {
            let ctx = args.plan.load_at(args.root.as_deref())?;
            ctx.check_letterhead()?;
            let ledger = ctx.open_ledger()?;
            let board = signoff::delivery::status(&ctx.plan, &ledger, ctx.today)?;
            drop(ledger);
            super::check_plan::plan_run(&ctx, &board, args.policy.policy())?
        }
        Some(from) => read_run(from, args)?,
    };
    if let Some(t) = &args.title {
        r.branding.title = Some(t.clone());
    }
    write_all(&r, &args.reports)?;
    if let (Some(path), Some(chromium)) = (&args.pdf, &chromium) {
        write_pdf(&r, chromium, path)?;
    }
    output::stdout().flush()?;
    Ok(signoff::exit::OK)
}

/// The run saved by `check --report run.json` at `from`, with --fail-on applied.
fn read_run(from: &std::path::Path, args: &ReportArgs) -> anyhow::Result<RunReport> {
    let text = std::fs::read_to_string(from).map_err(|e| {
        anyhow::Error::from(e).context(format!("failed to read {}", from.display()))
    })?;
    let mut r = json::parse(&text).map_err(|e| {
        anyhow::Error::from(e).context(format!(
            "{} is not a run saved by `signoff check --report run.json`",
            from.display()
        ))
    })?;
    if !args.policy.fail_on.is_empty() {
        r.policy = args.policy.policy();
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let t =
            |s: &str| parse_target(s).map(|t| (t.format, t.path.to_string_lossy().into_owned()));
        assert_eq!(t("out.html"), Ok((ReportFormat::Html, "out.html".into())));
        assert_eq!(t("src/b.HTM"), Ok((ReportFormat::Html, "src/b.HTM".into())));
        assert_eq!(t("x.xml"), Ok((ReportFormat::Junit, "x.xml".into())));
        assert_eq!(
            t("run.jsonl"),
            Ok((ReportFormat::Jsonl, "run.jsonl".into()))
        );
        assert_eq!(t("md:-"), Ok((ReportFormat::Markdown, "-".into())));
        assert_eq!(
            t("junit:results.txt"),
            Ok((ReportFormat::Junit, "results.txt".into()))
        );
        assert_eq!(
            t("weird:name.json"),
            Ok((ReportFormat::Json, "weird:name.json".into()))
        );
        assert!(t("-").is_err());
        assert!(t("out.pdf").unwrap_err().contains("FORMAT:PATH"));
        assert!(t("html:").is_err());
    }

    #[test]
    fn a_report_into_a_missing_folder_is_refused_before_the_run() {
        let err = parse_target("no-such-folder/board.html").unwrap_err();
        assert!(
            err.contains("the folder `no-such-folder` does not exist"),
            "{err}"
        );
        let err = parse_target("junit:no-such-folder/x.xml").unwrap_err();
        assert!(err.contains("does not exist"), "{err}");
        assert!(parse_target("board.html").is_ok(), "the current folder");
    }
}
