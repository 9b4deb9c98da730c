//! clap definitions for every command and the options they share.

use clap::{Parser, Subcommand, ValueEnum};

/// Delivery QC and sign-off for post production.
#[derive(Debug, Parser)]
#[command(
    name = "signoff",
    version,
    about = "Delivery QC and sign-off for post production: probe, scan and check media before it leaves the building.",
    after_help = "\
Examples:
  signoff scan /mnt/deliveries/FEATURE          what is in the delivery, by content
  signoff probe picture/FEATURE_FTR.mov         container and stream facts (agrees with ffprobe)
  signoff probe --format json master.mxf        the same, for pipelines
  signoff plan init /mnt/deliveries/FEATURE     a starting plan to edit
  signoff check /mnt/deliveries/FEATURE         QC every deliverable of the plan, print the board
  signoff approve feature-master --by \"Ana\"    sign off, bound to each file's SHA-256
  signoff check master.mov --spec netflix-prores-hq   against a distributor's spec
  signoff measure printmaster.wav               loudness (EBU R 128), true peak, audio faults
  signoff diff FEATURE_v2.mov FEATURE_v3.mov    what changed between two versions, in timecode
  signoff hash FEATURE > FEATURE.sha256         checksums sha256sum -c reads; `signoff hash -c` checks them
  signoff specs list                            the built-in spec profiles

Exit codes: 0 all files read (and passed); 1 QC failures; 2 some file could not be read;
3 usage error; 4 setup error (a path or FFmpeg could not be opened).
Run `signoff <command> --help` for each command's options and examples."
)]
pub struct Cli {
    /// Colour: auto (on a terminal, honouring NO_COLOR, CLICOLOR and CLICOLOR_FORCE), always or never.
    #[arg(long, global = true, value_enum, default_value_t = super::style::ColorFlag::Auto, value_name = "WHEN")]
    pub color: super::style::ColorFlag,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show container and stream facts of media files (like ffprobe, for people and pipelines).
    Probe(super::probe::ProbeArgs),
    /// Inventory a delivery folder: what every file is (by content), media probed in parallel.
    Scan(super::scan::ScanArgs),
    /// Check media files or folders against delivery spec profiles.
    Check(super::check::CheckArgs),
    /// List, show and lint spec profiles.
    Specs(super::specs::SpecsArgs),
    /// Write (init, import) and lint the delivery plan `signoff.toml`.
    Plan(super::plan::PlanCmdArgs),
    /// Sign off a deliverable, bound to the SHA-256 of each of its files.
    Approve(super::approve::ApproveArgs),
    /// The delivery board from the ledger, without re-analysing.
    Status(super::status::StatusArgs),
    /// A deliverable's runs and approvals.
    History(super::history::HistoryArgs),
    /// Render reports again (HTML, JUnit, JSON, Markdown), without re-analysis: the ledger's last run, or `--from run.json`.
    Report(super::report::ReportArgs),
    /// Measure loudness, true peak and audio faults per programme.
    Measure(super::measure::MeasureArgs),
    /// What changed between two versions of a master: facts, loudness, and the timecode ranges whose picture or sound changed.
    Diff(super::diff::DiffArgs),
    /// Checksums of files and folders from one read per file (sha256sum-compatible lines or JSON), or check a checksum list (-c).
    Hash(super::hash::HashArgs),
    /// Seal a delivery folder: write one ASC MHL v2.0 generation into ROOT/ascmhl/ (verifying the history first).
    Seal(super::seal::SealArgs),
    /// Verify a delivered folder against its ASC MHL history, read-only.
    Verify(super::seal::VerifyArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(super::completions::CompletionsArgs),
    /// Print the man page (roff).
    Man(super::completions::ManArgs),
}

/// Output formats shared by every command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Aligned text for people.
    #[default]
    Human,
    /// One JSON document with a `schema_version`.
    Json,
}

/// What fails the run (`--fail-on`); shared by `check`, `status` and `report`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PolicyFlags {
    /// Also fail the run (exit 1, and in JUnit and every headline) on: warnings,
    /// not-evaluated, incomplete, stale, overdue (comma-separated or repeated).
    /// By default a run fails on failing and unreadable files and on failing
    /// and missing deliverables.
    #[arg(long = "fail-on", value_name = "WHAT", value_delimiter = ',', value_parser = signoff::policy::FailOn::parse)]
    pub fail_on: Vec<signoff::policy::FailOn>,
}

impl PolicyFlags {
    /// The policy these flags ask for.
    pub fn policy(&self) -> signoff::policy::FailPolicy {
        signoff::policy::FailPolicy::with(&self.fail_on)
    }
}

/// How a delivery is walked and analysed; shared by `scan`, `check` and `approve`.
#[derive(Debug, Clone, clap::Args)]
pub struct WalkFlags {
    /// Files analysed at once, at least 1 (default: number of cores).
    #[arg(long, short, value_name = "N", value_parser = at_least_one)]
    pub jobs: Option<usize>,
    /// Follow symbolic links in folders (loops are detected and reported).
    #[arg(long)]
    pub follow_links: bool,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `--jobs`: a whole number of at least 1.
fn at_least_one(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1 (0 files at once would never finish)".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("{s:?} is not a whole number")),
    }
}
