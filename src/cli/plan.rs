//! `signoff plan init | import | lint`: writing and checking the plan.

use super::args::Format;
use super::output;
use super::progress::{should_draw, Bar, Terminal};
use super::scan::default_jobs;
use anyhow::Context;
use signoff::plan::import::{import_csv, ColumnMapping};
use signoff::plan::init::{guess_plan, SeenFile};
use signoff::plan::lint::lint_text;
use signoff::plan::{render, Plan, Project, PLAN_FILE};
use signoff::scan::ScanOptions;
use signoff::spec::Registry;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Arguments of `signoff plan`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  signoff plan init /mnt/deliveries/FEATURE            writes /mnt/deliveries/FEATURE/signoff.toml
  signoff plan import schedule.csv --title FEATURE -o signoff.toml
  signoff plan import schedule.csv --map id=Ref --map due=Deadline
  signoff plan lint

Exit codes: 0 ok; 1 lint found problems; 4 a file could not be read or would be overwritten.")]
pub struct PlanCmdArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: PlanCommand,
}

/// `plan` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum PlanCommand {
    /// Write a starting plan guessed from a delivery folder (never overwrites).
    Init {
        /// The delivery folder.
        root: PathBuf,
        /// Where to write (default: ROOT/signoff.toml).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Project title (default: the folder's name).
        #[arg(long)]
        title: Option<String>,
        /// No progress bar; the results are printed as without it.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Turn a delivery schedule (CSV from a spreadsheet) into a plan.
    Import {
        /// The CSV file.
        csv: PathBuf,
        /// Column for a field, `FIELD=COLUMN` (fields: id, title, spec, due, owner,
        /// language, territory, notes, patterns, count); repeatable.
        #[arg(long = "map", value_name = "FIELD=COLUMN", value_parser = parse_map)]
        map: Vec<(String, String)>,
        /// Write the plan here (never overwrites) instead of to stdout.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Project title.
        #[arg(long, default_value = "Untitled")]
        title: String,
    },
    /// Check a plan: unknown keys, types, dates, ids, profiles, globs — with line:column.
    Lint {
        /// The plan (default: found from the current folder).
        file: Option<PathBuf>,
        /// Folder of user profiles (`*.toml`), in addition to the built-ins.
        #[arg(long, env = "SIGNOFF_SPECS", value_name = "DIR")]
        specs_dir: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
}

fn parse_map(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(f, c)| (f.trim().to_string(), c.trim().to_string()))
        .ok_or_else(|| format!("`{s}` is not FIELD=COLUMN"))
}

/// Runs `signoff plan`.
pub fn run(args: &PlanCmdArgs) -> anyhow::Result<u8> {
    match &args.command {
        PlanCommand::Init {
            root,
            output,
            title,
            quiet,
        } => init(root, output.as_deref(), title.as_deref(), *quiet),
        PlanCommand::Import {
            csv,
            map,
            output,
            title,
        } => import(csv, map, output.as_deref(), title),
        PlanCommand::Lint {
            file,
            specs_dir,
            format,
        } => lint(file.as_deref(), specs_dir.as_deref(), *format),
    }
}

/// Writes `text` to a new file; an existing file is never overwritten.
fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| match path.exists() {
            true => format!(
                "{} already exists; signoff never overwrites a plan (edit it, or pass --output)",
                path.display()
            ),
            false => format!("failed to create {}", path.display()),
        })?;
    f.write_all(text.as_bytes())?;
    Ok(())
}

fn init(
    root: &Path,
    output: Option<&Path>,
    title: Option<&str>,
    quiet: bool,
) -> anyhow::Result<u8> {
    let target = output
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join(PLAN_FILE));
    if target.exists() {
        anyhow::bail!(
            "{} already exists; signoff never overwrites a plan (edit it, or pass --output)",
            target.display()
        );
    }
    let bar = Arc::new(Bar::new(
        should_draw(Terminal::detect(), quiet, false),
        "reading",
    ));
    let opts = ScanOptions {
        follow_links: false,
        jobs: default_jobs(),
    };
    let inv = signoff::scan::scan(root, &opts, bar.clone());
    bar.finish();
    let inv = inv?;
    let files: Vec<SeenFile> = inv
        .files
        .iter()
        .map(|f| SeenFile {
            relative_path: f.relative_path.replace('\\', "/"),
            kind: format!("{:?}", f.kind).to_lowercase(),
            problem: f.problem.as_ref().map(|p| p.message.clone()),
        })
        .collect();
    let notice = signoff::plan::init::unreadable_notice(&files);
    let name = std::path::absolute(root)?
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Untitled".into());
    let plan = guess_plan(title.unwrap_or(&name), &files);
    let mut header: Vec<&str> = HEADER.to_vec();
    header.splice(
        HEADER.len() - 1..HEADER.len() - 1,
        notice.iter().map(String::as_str),
    );
    let text = render::to_toml(&plan, &header);
    write_new(&target, &text)?;
    for line in &notice {
        eprintln!("warning: {}", signoff::escape::terminal(line.trim_start()));
    }
    eprintln!(
        "wrote {} ({} deliverables guessed); edit it, then run `signoff check {}`",
        signoff::escape::terminal(&target.to_string_lossy()),
        plan.deliverables.len(),
        signoff::escape::terminal(&root.to_string_lossy())
    );
    Ok(signoff::exit::OK)
}

const HEADER: [&str; 4] = [
    "Delivery plan written by `signoff plan init`: a first guess to edit.",
    "Check every profile, pattern and count; fill in owners and due dates (YYYY-MM-DD).",
    "Keys: docs/plan.md. Check it with `signoff plan lint`.",
    "",
];

fn import(
    csv: &Path,
    map: &[(String, String)],
    output: Option<&Path>,
    title: &str,
) -> anyhow::Result<u8> {
    let mapping = ColumnMapping::default().with_overrides(map)?;
    let file =
        std::fs::File::open(csv).with_context(|| format!("failed to open {}", csv.display()))?;
    let deliverables = import_csv(file, &mapping)
        .with_context(|| format!("failed to import {}", csv.display()))?;
    let plan = Plan {
        project: Project {
            title: title.to_string(),
            ..Default::default()
        },
        deliverables,
    };
    let header = [
        &format!("Imported by `signoff plan import` from {}.", csv.display())[..],
        "Fill in `patterns` (globs relative to the delivery root) and check the guessed profiles.",
        "",
    ];
    let text = render::to_toml(&plan, &header);
    match output {
        Some(path) => {
            write_new(path, &text)?;
            eprintln!(
                "wrote {} ({} deliverables)",
                signoff::escape::terminal(&path.to_string_lossy()),
                plan.deliverables.len()
            );
        }
        None => {
            let mut out = output::stdout();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(signoff::exit::OK)
}

fn lint(file: Option<&Path>, specs_dir: Option<&Path>, format: Format) -> anyhow::Result<u8> {
    let registry = Registry::with_dir(specs_dir)?;
    let path = signoff::plan::load::locate(file, Path::new("."))?;
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("failed to read {}", path.display()))?;
    let problems = lint_text(&text, &path.display().to_string(), &registry);
    let warnings = signoff::plan::lint::warnings(&text, &path.display().to_string());
    let mut out = output::stdout();
    if format == Format::Json {
        let doc = signoff::document::envelope(
            "plan lint",
            signoff::document::LintDoc {
                problems: &problems,
                warnings: &warnings,
            },
        );
        out.write_all(signoff::document::to_json(&doc)?.as_bytes())?;
    } else {
        for p in problems.iter().chain(&warnings) {
            writeln!(out, "{}", signoff::escape::terminal(&p.to_string()))?;
        }
        if problems.is_empty() {
            writeln!(
                out,
                "{}: ok",
                signoff::escape::terminal(&path.to_string_lossy())
            )?;
        }
    }
    out.flush()?;
    Ok(if problems.is_empty() {
        signoff::exit::OK
    } else {
        signoff::exit::QC_FAILED
    })
}
