//! `signoff check PATH... --spec ID|FILE`: files or folders against spec
//! profiles; a pass/fail table for people or a JSON document.

use super::args::Format;
use super::output;
use signoff::error::FileProblem;
use signoff::inventory::sniff::is_media_extension;
use signoff::inventory::walk::{walk, WalkOptions};
use signoff::probe::probe_file;
use signoff::spec::facts::siblings;
use signoff::spec::finding::exit_code;
use signoff::spec::{check_file, render, FileFacts, FileReport, Profile, Registry};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `signoff check`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  signoff check master.mov --spec netflix-prores-hq
  signoff check delivery/ --spec uk-dpp-as11-hd --spec ebu-r128
  signoff check master.mov --spec house.toml --format json

Exit codes: 0 no error-severity failures; 1 some file failed; 2 some file could not be read;
3 usage error; 4 a profile could not be read or resolved.")]
pub struct CheckArgs {
    /// Media files or folders (folders are walked; media files in them are checked).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Spec profile id or profile file; repeat to check against several.
    #[arg(long = "spec", required = true, value_name = "ID|FILE")]
    pub specs: Vec<String>,
    /// Folder of user profiles (`*.toml`), in addition to the built-ins.
    #[arg(long, env = "SIGNOFF_SPECS", value_name = "DIR")]
    pub specs_dir: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
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
    let mut reg = Registry::with_dir(args.specs_dir.as_deref())?;
    let profiles = args
        .specs
        .iter()
        .map(|s| reg.resolve_arg(s))
        .collect::<Result<Vec<_>, _>>()?;
    let mut reports = Vec::new();
    for path in &args.paths {
        for target in targets(path) {
            reports.push(match target {
                Ok(file) => check_one(&file, &profiles),
                Err((file, problem)) => FileReport::unreadable(file, ids(&profiles), problem),
            });
        }
    }
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
                write!(out, "{}", render::file(r))?;
            }
            writeln!(out, "{}", render::summary(&reports))?;
        }
    }
    out.flush()?;
    Ok(exit_code(&reports))
}

fn ids(profiles: &[Profile]) -> Vec<String> {
    profiles.iter().map(|p| p.id.clone()).collect()
}

type Target = Result<PathBuf, (PathBuf, FileProblem)>;

/// The files to check under `path`: itself, or the media files of a folder.
fn targets(path: &Path) -> Vec<Target> {
    if !path.is_dir() {
        return vec![Ok(path.to_path_buf())];
    }
    walk(path, &WalkOptions::default())
        .into_iter()
        .filter(|e| e.problem.is_some() || e.path.file_name().is_some_and(is_media_extension))
        .map(|e| match e.problem {
            Some(p) => Err((e.path, p)),
            None => Ok(e.path),
        })
        .collect()
}

fn check_one(path: &Path, profiles: &[Profile]) -> FileReport {
    let probed = match probe_file(path) {
        Ok(p) => p,
        Err(f) => return FileReport::unreadable(path.to_path_buf(), ids(profiles), f.problem),
    };
    let sidecars = siblings(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Loudness is not measured yet (the measure command is in progress):
    // loudness rules are reported as not evaluated.
    let facts = FileFacts {
        path,
        file_name: &name,
        size_bytes: std::fs::metadata(path).map_or(0, |m| m.len()),
        media: Some(&probed.info),
        audio: None,
        sidecars: &sidecars,
    };
    check_file(&facts, profiles)
}
