//! `signoff check PATH... --spec ID|FILE`: files or folders against spec
//! profiles; a pass/fail table for people or a JSON document.

use super::output;
use super::progress::{should_draw, Bar, Terminal};
use super::report::{self as reports, ReportTarget};
use super::scan::default_jobs;
use signoff::check::{CheckOptions, FileResult};
use signoff::document::{self, CheckDoc};
use signoff::report::json;
use signoff::report::model::now_rfc3339;
use signoff::spec::{render, FileReport, Profile, Registry};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

/// Arguments of `signoff check`.
#[derive(Debug, clap::Args)]
#[command(mut_arg("quiet", |a| a.help(super::args::QUIET_BOARD)))]
#[command(after_help = "\
Examples:
  signoff check /mnt/deliveries/FEATURE            with its plan (signoff.toml): the delivery board
  signoff check FEATURE --report qc.html           the board and every file in a sign-off report
  signoff check FEATURE -q                         only what needs action, the totals and the verdict
  signoff check fixtures/sample-delivery --ledger target/sample-ledger.sqlite
  signoff check master.mov --spec netflix-prores-hq
  signoff check subs/FEATURE_EN.ttml --spec netflix-timed-text --master master.mov --language en
  signoff check delivery/ --spec uk-dpp-as11-hd --spec ebu-r128
  signoff check master.mov --spec house.toml --format json
  signoff check delivery/ --spec netflix-prores-hq --report qc.html --report qc.xml
  signoff check delivery/ --spec ebu-r128 --format jsonl | jq -c 'select(.type==\"file\")'

Reports (--report, repeatable; format from the extension or FORMAT:PATH; `-` is stdout):
  .html  self-contained sign-off report (open in a browser; print to PDF)
  .xml   JUnit XML for CI      .json  the whole run (re-render with `signoff report --from`;
                               with a plan, `signoff report` renders the ledger's last run)
  .jsonl JSON Lines            .md    Markdown summary for a ticket or chat

What fails the run (exit 1; the JUnit, the headlines and the summary say the same): a file
that fails an error-severity rule or cannot be read, a deliverable failing or missing;
--fail-on warnings,not-evaluated,incomplete,stale,overdue adds more. A run nothing fails in
which some rule could not be checked says NOT EVALUATED, never PASS (exit 0).

Exit codes: 0 nothing fails the run; 1 something does; 2 some file could not be read;
3 usage error; 4 a profile, the plan or the ledger could not be read.")]
pub struct CheckArgs {
    /// Media files or folders (folders are walked; media files in them are
    /// checked); with a plan, the one delivery folder.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Spec profile id or profile file; repeat to check against several.
    /// Without it, the delivery's plan (`signoff.toml`) says what to check.
    #[arg(long = "spec", value_name = "ID|FILE")]
    pub specs: Vec<String>,
    /// Folder of user profiles (`*.toml`), in addition to the built-ins.
    #[arg(long, env = "SIGNOFF_SPECS", value_name = "DIR")]
    pub specs_dir: Option<PathBuf>,
    /// Names of the audio channels in file order, e.g. `L,R,C,LFE,Ls,Rs`, as
    /// `measure --layout`: groups loudness programmes, and names for the
    /// layout rules the channels the file does not label (with --spec).
    #[arg(long, value_name = "NAMES", requires = "specs")]
    pub layout: Option<String>,
    /// The picture master caption files are checked against (duration,
    /// frame rate, start timecode), with --spec; with a plan, the plan says
    /// (`captions_for`).
    #[arg(long, value_name = "FILE", requires = "specs")]
    pub master: Option<PathBuf>,
    /// The language caption files must declare (BCP 47, `en`), with --spec;
    /// with a plan, the deliverable's `language`.
    #[arg(long, value_name = "TAG", requires = "specs")]
    pub language: Option<String>,
    /// Output format on stdout (`jsonl`: one line per file as it finishes).
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
    /// Also write a report: PATH (format from .html, .xml, .json, .jsonl, .md) or FORMAT:PATH; `-` is stdout. Repeatable.
    #[arg(long = "report", value_name = "[FORMAT:]PATH", value_parser = reports::parse_target)]
    pub reports: Vec<ReportTarget>,
    /// Walking and progress.
    #[command(flatten)]
    pub walk: super::args::WalkFlags,
    /// Worker processes and their limits.
    #[command(flatten)]
    pub isolation: super::args::IsolationFlags,
    /// What fails the run.
    #[command(flatten)]
    pub policy: super::args::PolicyFlags,
    /// The plan file (default: `signoff.toml` in ROOT or a parent folder).
    #[arg(long, value_name = "FILE", conflicts_with = "specs")]
    pub plan: Option<PathBuf>,
    /// The ledger (default: `signoff.ledger.sqlite` beside the plan).
    #[arg(long, value_name = "FILE", conflicts_with = "specs")]
    pub ledger: Option<PathBuf>,
    /// Hash and analyse every file again, ignoring the ledger's cache.
    #[arg(long, conflicts_with = "specs")]
    pub rehash: bool,
    /// Check one shard of the delivery's files, K of N (or `auto/N`: K from
    /// JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID or AWS_BATCH_JOB_ARRAY_INDEX),
    /// recording its results for `signoff merge`.
    #[arg(long, value_name = "K/N", conflicts_with = "specs")]
    pub shard: Option<String>,
    /// List each failing file's errors (rule, timecode, message) under its deliverable.
    #[arg(long, short)]
    pub verbose: bool,
    /// The date deadlines are compared with (tests; default: today, UTC).
    #[arg(long, env = "SIGNOFF_TODAY", value_name = "YYYY-MM-DD", hide = true)]
    pub today: Option<String>,
}

/// Output formats of `signoff check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum CheckFormat {
    /// A pass/fail table for people.
    #[default]
    Human,
    /// One JSON document with a `schema_version`.
    Json,
    /// JSON Lines: a `begin` line, one `file` line per file as it finishes, an `end` line.
    Jsonl,
}

/// Runs `signoff check`.
pub fn run(args: &CheckArgs) -> anyhow::Result<u8> {
    if args.specs.is_empty() {
        return super::check_plan::run(args);
    }
    let mut reg = Registry::with_dir(args.specs_dir.as_deref())?;
    let profiles = args
        .specs
        .iter()
        .map(|s| reg.resolve_arg(s))
        .collect::<Result<Vec<_>, _>>()?;
    let machine = args.format != CheckFormat::Human;
    let bar = Arc::new(Bar::new(
        should_draw(Terminal::detect(), args.walk.quiet, machine),
        "checking",
    ));
    let stdout_taken = reports::any_stdout(&args.reports);
    let stream = args.format == CheckFormat::Jsonl && !stdout_taken;
    let opts = CheckOptions {
        jobs: args.walk.jobs.unwrap_or_else(default_jobs),
        follow_links: args.walk.follow_links,
        hash: stream || !args.reports.is_empty(),
        layout: args
            .layout
            .as_deref()
            .map(signoff::measure::programme::parse_layout),
        captions: Some(signoff::captions::master::standalone(
            args.master.as_deref(),
            args.language.as_deref(),
            &profiles,
        )),
        isolation: args.isolation.isolation(),
    };
    let mut run = reports::new_run(&args.paths, &profiles);
    run.policy = args.policy.policy();
    let mut out = output::stdout();
    if stream {
        out.write_all(json::jsonl_begin(&run)?.as_bytes())?;
        out.flush()?;
    }
    let mut written: std::io::Result<()> = Ok(());
    let mut each = |c: &FileResult| {
        if stream && written.is_ok() {
            written = json::jsonl_file(&reports::entry(c))
                .map_err(std::io::Error::from)
                .and_then(|line| out.write_all(line.as_bytes()))
                .and_then(|()| out.flush());
        }
    };
    let checked =
        signoff::check::check_files(&args.paths, &profiles, &opts, bar.clone(), &mut each);
    bar.finish();
    let checked = checked?;
    written?;
    run.finished_at = now_rfc3339();
    run.files = checked.iter().map(reports::entry).collect();
    let files: Vec<FileReport> = checked.into_iter().filter_map(|c| c.report).collect();
    if !stdout_taken {
        print(
            &mut out,
            args.walk.quiet,
            args.format,
            &profiles,
            &files,
            &run,
        )?;
    }
    out.flush()?;
    reports::write_all(&run, &args.reports)?;
    Ok(run.decide().verdict.exit_code())
}

/// Whether a file's report is shown under `--quiet`: it fails, cannot be
/// read or has a rule not evaluated.
fn shows_problem(r: &FileReport) -> bool {
    r.verdict != signoff::spec::Verdict::Pass
}

fn print(
    out: &mut impl Write,
    problems_only: bool,
    format: CheckFormat,
    profiles: &[Profile],
    files: &[FileReport],
    run: &signoff::report::model::RunReport,
) -> anyhow::Result<()> {
    match format {
        CheckFormat::Json => {
            let doc = document::envelope(
                "check",
                CheckDoc {
                    policy: run.policy,
                    outcome: run.decide().into(),
                    profiles,
                    files,
                },
            );
            out.write_all(document::to_json(&doc)?.as_bytes())?;
        }
        CheckFormat::Jsonl => out.write_all(json::jsonl_end(run)?.as_bytes())?,
        CheckFormat::Human => {
            for r in files.iter().filter(|r| !problems_only || shows_problem(r)) {
                // Paths and values come from files: escape before the terminal.
                for line in render::file(r).lines() {
                    writeln!(out, "{}", signoff::escape::terminal(line))?;
                }
            }
            writeln!(out, "{}", render::summary(files))?;
            writeln!(out, "{}", super::board::headline(&run.decide()))?;
        }
    }
    Ok(())
}
