//! `signoff scan ROOT`: the inventory of a delivery folder.

use super::args::Format;
use super::output;
use super::progress::{should_draw, Bar, Terminal};
use super::render_probe::bytes;
use signoff::escape::terminal;
use signoff::probe::summary::duration;
use signoff::probe::Status;
use signoff::scan::{FolderSummary, Inventory, ScanOptions, ScannedFile};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

/// Arguments of `signoff scan`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Every file is classified by its content, not its name: media (probed),
captions (SRT, WebVTT, SCC, TTML/IMSC/DFXP, EBU STL), documents, images,
clutter (.DS_Store, ._*, Thumbs.db) or unknown. Nothing is written.

Examples:
  signoff scan /mnt/deliveries/FEATURE
  signoff scan --jobs 4 --follow-links /mnt/deliveries/FEATURE
  signoff scan --format json FEATURE > inventory.json

Exit codes: 0 every file read; 2 some file could not be read; 3 usage error; 4 the root cannot be read.")]
pub struct ScanArgs {
    /// The delivery folder (or a single file).
    #[arg(value_name = "ROOT")]
    pub root: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Walking and progress.
    #[command(flatten)]
    pub walk: super::args::WalkFlags,
}

/// Runs `signoff scan`.
pub fn run(args: &ScanArgs) -> anyhow::Result<u8> {
    let json = args.format == Format::Json;
    let bar = Arc::new(Bar::new(
        should_draw(Terminal::detect(), args.walk.quiet, json),
        "scanning",
    ));
    let opts = ScanOptions {
        follow_links: args.walk.follow_links,
        jobs: args.walk.jobs.unwrap_or_else(default_jobs),
    };
    let inventory = match signoff::scan::scan(&args.root, &opts, bar.clone()) {
        Ok(inv) => inv,
        Err(e) => {
            bar.finish();
            let chain = anyhow::Error::from(e)
                .chain()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(": ");
            eprintln!("signoff: error: {}", terminal(&chain));
            return Ok(signoff::exit::SETUP);
        }
    };
    bar.finish();
    let mut out = output::stdout();
    if json {
        let doc = signoff::document::envelope(
            "scan",
            signoff::document::ScanDoc {
                inventory: &inventory,
            },
        );
        out.write_all(signoff::document::to_json(&doc)?.as_bytes())?;
    } else {
        render(&mut out, &inventory)?;
    }
    out.flush()?;
    Ok(if inventory.has_errors() {
        signoff::exit::UNREADABLE
    } else {
        signoff::exit::OK
    })
}

/// The number of cores, the default for `--jobs`.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

fn render(out: &mut impl Write, inv: &Inventory) -> std::io::Result<()> {
    writeln!(out, "{}", terminal(&inv.root))?;
    for folder in &inv.folders {
        writeln!(out)?;
        writeln!(
            out,
            "{}/  {}",
            terminal(&folder.folder),
            folder_line(folder)
        )?;
        let files = inv.files.iter().filter(|f| folder_of(f) == folder.folder);
        for f in files {
            file_line(out, f)?;
        }
    }
    writeln!(out)?;
    writeln!(out, "total  {}", folder_line(&inv.totals))?;
    let bad: Vec<&ScannedFile> = inv
        .files
        .iter()
        .filter(|f| f.status == Status::Error)
        .collect();
    if !bad.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{} file{} could not be read:",
            bad.len(),
            if bad.len() == 1 { "" } else { "s" }
        )?;
        for f in bad {
            let reason = f.problem.as_ref().map(|p| p.message.as_str()).unwrap_or("");
            writeln!(
                out,
                "  {}: {}",
                terminal(&f.relative_path),
                terminal(reason)
            )?;
        }
    }
    Ok(())
}

fn folder_of(f: &ScannedFile) -> String {
    match std::path::Path::new(&f.relative_path).parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_string_lossy().into_owned(),
        _ => ".".into(),
    }
}

fn folder_line(f: &FolderSummary) -> String {
    let kinds: Vec<String> = f.kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let mut parts = vec![
        format!("{} file{}", f.files, if f.files == 1 { "" } else { "s" }),
        bytes(f.size_bytes),
    ];
    if f.media_duration_s > 0.0 {
        parts.push(format!("{} of media", duration(f.media_duration_s)));
    }
    parts.push(kinds.join(", "));
    parts.join(" · ")
}

fn file_line(out: &mut impl Write, f: &ScannedFile) -> std::io::Result<()> {
    let mark = match f.status {
        Status::Ok => "  ",
        Status::Warning => "! ",
        Status::Error => "✗ ",
    };
    let name = std::path::Path::new(&f.relative_path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let kind = if f.status == Status::Error {
        "error".to_string()
    } else {
        format!("{:?}", f.kind).to_lowercase()
    };
    writeln!(
        out,
        "  {mark}{kind:<8} {:<40} {}",
        terminal(&name),
        terminal(&f.summary)
    )?;
    for w in &f.warnings {
        writeln!(out, "             warning: {}", terminal(w))?;
    }
    Ok(())
}
