//! `signoff specs list | show ID | lint FILE...`: the spec profiles.

use super::args::Format;
use super::output;
use signoff::document::{self, LintDoc, ProfileListing, SpecsListDoc, SpecsShowDoc};
use signoff::spec::lint::lint_file;
use signoff::spec::Registry;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `signoff specs`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  signoff specs list
  signoff specs show netflix-prores-hq
  signoff specs lint my-house-spec.toml
  SIGNOFF_SPECS=~/specs signoff specs list

Exit codes: 0 ok; 1 lint found problems; 4 a profile could not be read or resolved.")]
pub struct SpecsArgs {
    /// What to do with the profiles.
    #[command(subcommand)]
    pub command: SpecsCommand,
    /// Folder of user profiles (`*.toml`), in addition to the built-ins.
    #[arg(long, env = "SIGNOFF_SPECS", value_name = "DIR", global = true)]
    pub specs_dir: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human, global = true)]
    pub format: Format,
}

/// `specs` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum SpecsCommand {
    /// List built-in and user profiles.
    List,
    /// Print a profile after inheritance (`extends`) is resolved.
    Show {
        /// Profile id, or a profile file.
        id: String,
    },
    /// Check profile files: unknown keys, wrong types, inheritance cycles, with line:column.
    Lint {
        /// Profile files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// Runs `signoff specs`.
pub fn run(args: &SpecsArgs) -> anyhow::Result<u8> {
    let mut reg = Registry::with_dir(args.specs_dir.as_deref())?;
    let mut out = output::stdout();
    match &args.command {
        SpecsCommand::List => list(&reg, args.format, &mut out)?,
        SpecsCommand::Show { id } => {
            let p = reg.resolve_arg(id)?;
            match args.format {
                Format::Json => {
                    let doc = document::envelope("specs show", SpecsShowDoc { profile: &p });
                    out.write_all(document::to_json(&doc)?.as_bytes())?;
                }
                Format::Human => writeln!(out, "{}", toml::to_string_pretty(&p)?)?,
            }
        }
        SpecsCommand::Lint { files } => {
            let mut all = Vec::new();
            for f in files {
                all.extend(lint_file(f, &reg)?);
            }
            match args.format {
                Format::Json => {
                    let doc = document::envelope(
                        "specs lint",
                        LintDoc {
                            problems: &all,
                            warnings: &[],
                        },
                    );
                    out.write_all(document::to_json(&doc)?.as_bytes())?;
                }
                Format::Human => {
                    for p in &all {
                        writeln!(out, "{}", signoff::escape::terminal(&p.to_string()))?;
                    }
                }
            }
            out.flush()?;
            return Ok(if all.is_empty() {
                signoff::exit::OK
            } else {
                signoff::exit::QC_FAILED
            });
        }
    }
    out.flush()?;
    Ok(signoff::exit::OK)
}

fn list(reg: &Registry, format: Format, out: &mut impl Write) -> anyhow::Result<()> {
    let mut rows: Vec<ProfileListing> = Vec::new();
    for e in reg.entries() {
        let p = reg.resolve(&e.id);
        let (title, confidence) = match &p {
            Ok(p) => (
                p.title.clone(),
                format!("{:?}", p.source.confidence).to_lowercase(),
            ),
            Err(err) => (format!("invalid: {err}"), "-".into()),
        };
        rows.push(ProfileListing {
            id: e.id.clone(),
            confidence,
            origin: e.origin.to_string(),
            title,
        });
    }
    if format == Format::Json {
        let doc = document::envelope("specs list", SpecsListDoc { profiles: rows });
        out.write_all(document::to_json(&doc)?.as_bytes())?;
        return Ok(());
    }
    for r in rows {
        let (id, t, o) = (
            signoff::escape::terminal(&r.id),
            signoff::escape::terminal(&r.title),
            signoff::escape::terminal(&r.origin),
        );
        writeln!(out, "{id:<20} {:<10} {t}\n{:<31} ({o})", r.confidence, "")?;
    }
    Ok(())
}
