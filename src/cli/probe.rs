//! `signoff probe FILE...`: container and stream facts, for people or as JSON.

use super::args::Format;
use super::output;
use super::render_probe;
use signoff::probe::{ProbedFile, Status};
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `signoff probe`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  signoff probe master.mov
  signoff probe picture/*.mov audio/*.wav
  signoff probe --format json master.mxf | jq '.files[0].media.streams[0].video.frame_rate'

Exit codes: 0 every file read; 2 some file could not be read; 3 usage error.")]
pub struct ProbeArgs {
    /// Media files to probe.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Also print FFmpeg's log lines for files that read cleanly.
    #[arg(long, short)]
    pub verbose: bool,
}

/// Runs `signoff probe`.
pub fn run(args: &ProbeArgs) -> anyhow::Result<u8> {
    let files: Vec<ProbedFile> = args.files.iter().map(|p| ProbedFile::probe(p)).collect();
    let mut out = output::stdout();
    match args.format {
        Format::Json => {
            let doc =
                signoff::document::envelope("probe", signoff::document::ProbeDoc { files: &files });
            out.write_all(signoff::document::to_json(&doc)?.as_bytes())?;
        }
        Format::Human => {
            for (i, f) in files.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                render_probe::file(&mut out, f, args.verbose)?;
            }
        }
    }
    out.flush()?;
    let unreadable = files.iter().any(|f| f.status == Status::Error);
    Ok(if unreadable {
        signoff::exit::UNREADABLE
    } else {
        signoff::exit::OK
    })
}
