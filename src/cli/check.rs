//! `signoff check PATH... --spec ID|FILE`: files or folders against spec
//! profiles; a pass/fail table for people or a JSON document.

use super::args::Format;
use super::output;
use super::progress::{should_draw, Bar, Terminal};
use super::scan::default_jobs;
use signoff::check::CheckOptions;
use signoff::spec::finding::exit_code;
use signoff::spec::{render, FileReport, Profile, Registry};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

/// Arguments of `signoff check`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  signoff check /mnt/deliveries/FEATURE            with its plan (signoff.toml): the delivery board
  signoff check fixtures/sample-delivery --ledger target/sample-ledger.sqlite
  signoff check master.mov --spec netflix-prores-hq
  signoff check delivery/ --spec uk-dpp-as11-hd --spec ebu-r128
  signoff check master.mov --spec house.toml --format json

Exit codes: 0 no error-severity failures; 1 some file (with a plan: some deliverable) failed;
2 some file could not be read; 3 usage error; 4 a profile, the plan or the ledger could not be read.")]
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
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Files analysed at once (default: number of cores).
    #[arg(long, short, value_name = "N")]
    pub jobs: Option<usize>,
    /// Follow symbolic links in folders (loops are detected and reported).
    #[arg(long)]
    pub follow_links: bool,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// The plan file (default: `signoff.toml` in ROOT or a parent folder).
    #[arg(long, value_name = "FILE", conflicts_with = "specs")]
    pub plan: Option<PathBuf>,
    /// The ledger (default: `signoff.ledger.sqlite` beside the plan).
    #[arg(long, value_name = "FILE", conflicts_with = "specs")]
    pub ledger: Option<PathBuf>,
    /// Hash and analyse every file again, ignoring the ledger's cache.
    #[arg(long, conflicts_with = "specs")]
    pub rehash: bool,
    /// The date deadlines are compared with (tests; default: today, UTC).
    #[arg(long, env = "SIGNOFF_TODAY", value_name = "YYYY-MM-DD", hide = true)]
    pub today: Option<String>,
}

/// The JSON document of `signoff check --format json`.
#[derive(serde::Serialize)]
struct CheckDocument<'a> {
    schema_version: u32,
    tool: String,
    profiles: &'a [Profile],
    files: &'a [FileReport],
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
    let json = args.format == Format::Json;
    let bar = Arc::new(Bar::new(
        should_draw(Terminal::detect(), args.quiet, json),
        "checking",
    ));
    let opts = CheckOptions {
        jobs: args.jobs.unwrap_or_else(default_jobs),
        follow_links: args.follow_links,
    };
    let reports = signoff::check::check_paths(&args.paths, &profiles, &opts, bar.clone());
    bar.finish();
    let reports = reports?;
    let mut out = output::stdout();
    match args.format {
        Format::Json => {
            let doc = CheckDocument {
                schema_version: signoff::SCHEMA_VERSION,
                tool: format!("signoff {}", signoff::TOOL_VERSION),
                profiles: &profiles,
                files: &reports,
            };
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        Format::Human => {
            for r in &reports {
                // Paths and values come from files: escape before the terminal.
                for line in render::file(r).lines() {
                    writeln!(out, "{}", signoff::escape::terminal(line))?;
                }
            }
            writeln!(out, "{}", render::summary(&reports))?;
        }
    }
    out.flush()?;
    Ok(exit_code(&reports))
}
