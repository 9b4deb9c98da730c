//! `signoff markers DELIVERABLE --format edl|avid|otio -o FILE`: the open
//! notes and the latest run's positioned QC findings of a deliverable as
//! markers an editing system imports, in the master's own timecode.

use super::board::PlanArgs;
use super::output;
use signoff::escape::terminal;
use signoff::review::markers::{avid, edl, otio};
use signoff::review::session::{markers_of, ReviewError};
use std::io::Write;
use std::path::PathBuf;

/// Marker file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MarkerFormat {
    /// CMX 3600 EDL with `* LOC:` locators (DaVinci Resolve, Avid, OpenTimelineIO).
    Edl,
    /// Avid Media Composer marker list (tab-separated text; Markers → Import Markers).
    Avid,
    /// OpenTimelineIO timeline (`.otio` JSON) with markers.
    Otio,
}

impl MarkerFormat {
    fn name(self) -> &'static str {
        match self {
            MarkerFormat::Edl => "edl",
            MarkerFormat::Avid => "avid",
            MarkerFormat::Otio => "otio",
        }
    }
}

/// Arguments of `signoff markers`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  signoff markers feature-master --format edl -o FTR_notes.edl       DaVinci Resolve: Timeline → Import → Timeline Markers from EDL
  signoff markers feature-master --format avid -o FTR_markers.txt    Media Composer: Markers window → Import Markers
  signoff markers feature-master --format otio -o FTR_notes.otio     anything that reads OpenTimelineIO

Markers are the deliverable's open notes (blue creative, yellow technical, red qc; a note made
on an earlier version says so) and the latest run's QC findings with a position (red errors,
yellow warnings) not already a note, placed on its current master in the master's own start
timecode and frame rate (drop-frame for 29.97/59.94 DF masters). Nothing is analysed again.

Exit codes: 0 written; 3 the deliverable has no master with a timecode, or it changed on disk
since the latest check; 4 no plan, unknown
deliverable, no check in the ledger, or FILE could not be written.")]
pub struct MarkersArgs {
    /// The deliverable id from the plan.
    pub deliverable: String,
    /// The marker file's format.
    #[arg(long, value_enum)]
    pub format: MarkerFormat,
    /// Where to write it (`-`: standard output).
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
    /// Print what was written as JSON (to standard output; with -o FILE only).
    #[arg(long)]
    pub json: bool,
    /// The delivery folder (default: the plan's).
    #[arg(long, value_name = "ROOT")]
    pub root: Option<PathBuf>,
    /// Plan and ledger.
    #[command(flatten)]
    pub plan: PlanArgs,
}

/// Runs `signoff markers`.
pub fn run(args: &MarkersArgs) -> anyhow::Result<u8> {
    let ctx = args.plan.load_at(args.root.as_deref())?;
    let ledger = ctx.open_ledger()?;
    let set = match markers_of(&ctx.plan, &ledger, ctx.today, &args.deliverable) {
        Ok(s) => s,
        Err(e)
            if e.is_usage()
                || matches!(
                    e,
                    ReviewError::Note(signoff::review::notes::NoteError::NoMaster { .. })
                ) =>
        {
            eprintln!("signoff: {}", terminal(&e.to_string()));
            return Ok(signoff::exit::USAGE);
        }
        Err(e) => return Err(e.into()),
    };
    let text = match args.format {
        MarkerFormat::Edl => edl::write(&args.deliverable, &set.master, &set.markers),
        MarkerFormat::Avid => avid::write(&set.markers),
        MarkerFormat::Otio => otio::write(&args.deliverable, &set.master, &set.markers),
    };
    signoff::report::atomic::write(&args.output, text.as_bytes())
        .map_err(|e| anyhow::anyhow!("failed to write {}: {e}", args.output.display()))?;
    if signoff::report::atomic::is_stdout(&args.output) {
        return Ok(signoff::exit::OK);
    }
    let mut out = output::stdout();
    if args.json {
        use signoff::document::{envelope, to_json, MarkersDoc, MarkersMaster};
        let doc = MarkersDoc {
            deliverable: &args.deliverable,
            format: args.format.name(),
            output: args.output.to_string_lossy().into_owned(),
            master: MarkersMaster::of(&set.master),
            markers: &set.markers,
        };
        out.write_all(to_json(&envelope("markers", doc))?.as_bytes())?;
    } else {
        writeln!(
            out,
            "{} marker(s) on {} ({}, from {}) written to {}",
            set.markers.len(),
            terminal(&set.master.path.display()),
            set.master.rate.describe(),
            set.master.timecode(0),
            terminal(&args.output.display().to_string())
        )?;
    }
    out.flush()?;
    Ok(signoff::exit::OK)
}
