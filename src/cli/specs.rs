//! `signoff specs list | show ID | lint FILE...`: the spec profiles.

use super::args::Format;
use super::output;
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
                Format::Json => serde_json::to_writer_pretty(&mut out, &p)?,
                Format::Human => write!(out, "{}", toml::to_string_pretty(&p)?)?,
            }
            writeln!(out)?;
        }
        SpecsCommand::Lint { files } => {
            let mut all = Vec::new();
            for f in files {
                all.extend(lint_file(f, &reg)?);
            }
            match args.format {
                Format::Json => {
                    let doc = serde_json::json!({
                        "schema_version": signoff::SCHEMA_VERSION,
                        "problems": all,
                    });
                    serde_json::to_writer_pretty(&mut out, &doc)?;
                    writeln!(out)?;
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
    let mut rows = Vec::new();
    for e in reg.entries() {
        let p = reg.resolve(&e.id);
        let (title, confidence) = match &p {
            Ok(p) => (
                p.title.clone(),
                format!("{:?}", p.source.confidence).to_lowercase(),
            ),
            Err(err) => (format!("invalid: {err}"), "-".into()),
        };
        rows.push((e.id.clone(), confidence, e.origin.to_string(), title));
    }
    if format == Format::Json {
        let items: Vec<_> = rows
            .iter()
            .map(|(id, c, o, t)| serde_json::json!({"id": id, "confidence": c, "origin": o, "title": t}))
            .collect();
        let doc = serde_json::json!({"schema_version": signoff::SCHEMA_VERSION, "profiles": items});
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)?;
        return Ok(());
    }
    for (id, c, o, t) in rows {
        let (id, t, o) = (
            signoff::escape::terminal(&id),
            signoff::escape::terminal(&t),
            signoff::escape::terminal(&o),
        );
        writeln!(out, "{id:<20} {c:<10} {t}\n{:<31} ({o})", "")?;
    }
    Ok(())
}
