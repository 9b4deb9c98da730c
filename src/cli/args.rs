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
  signoff note feature-master --at 01:00:12:05 \"sky goes magenta\" --by Dir   a note at a timecode, on the current version
  signoff markers feature-master --format edl -o notes.edl   open notes and QC findings as markers for the editor
  signoff check master.mov --spec netflix-prores-hq   against a distributor's spec
  signoff measure printmaster.wav               loudness (EBU R 128), true peak, audio faults
  signoff diff FEATURE_v2.mov FEATURE_v3.mov    what changed between two versions, in timecode
  signoff hash FEATURE > FEATURE.sha256         checksums sha256sum -c reads; `signoff hash -c` checks them
  signoff specs list                            the built-in spec profiles

Exit codes: 0 nothing fails the run (PASS, or NOT EVALUATED: some rule could not be checked); 1 QC failures; 2 some file could not be read;
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
    /// A deliverable's runs, versions, approvals and revocations.
    History(super::history::HistoryArgs),
    /// Notes at timecodes on a deliverable's current version: add, list, change state, from QC findings.
    Note(super::note::NoteArgs),
    /// Export a deliverable's open notes and QC findings as markers (EDL, Avid, OpenTimelineIO).
    Markers(super::markers::MarkersArgs),
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
    /// Build the delivery board from the results of `check --shard K/N`
    /// runs (every shard must have run, with this plan); analyses nothing.
    Merge(super::check::CheckArgs),
    /// Analyse files sent as JSON lines on stdin (the worker process of
    /// `check`; not for people).
    #[command(hide = true)]
    Worker,
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
    /// No progress bar; the results are printed as without it.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `-q` on the commands that print a board (`check`, `merge`): no progress
/// bar, and only what needs action.
pub const QUIET_BOARD: &str = "No progress bar, and only what needs action: the deliverables not \
passing or approved (with a plan), the files not passing (with --spec); the totals and the \
verdict stay, and JSON and --report files are whole";

/// How files are analysed: in worker processes (the default) or here.
#[derive(Debug, Clone, clap::Args, Default)]
pub struct IsolationFlags {
    /// Analyse files in this process instead of in worker processes (for
    /// debugging: a crash or hang in one file then ends or stalls the run).
    #[arg(long)]
    pub in_process: bool,
    /// Stop a file's analysis after this long: seconds (`600`), a multiple of
    /// the file's duration (`4x`) or `none`.
    #[arg(long, value_name = "LIMIT", default_value = "none", value_parser = signoff::isolate::FileTimeout::parse)]
    pub file_timeout: Option<signoff::isolate::FileTimeout>,
    /// Stop a file's analysis when it reads nothing for this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0)]
    pub stall_timeout: f64,
    /// Limit each worker's memory (address space) to this many MiB.
    #[arg(long, value_name = "MIB")]
    pub worker_memory: Option<u64>,
}

impl IsolationFlags {
    /// The isolation these flags ask for; `None` with `--in-process`.
    pub fn isolation(&self) -> Option<std::sync::Arc<signoff::isolate::Isolation>> {
        if self.in_process {
            return None;
        }
        let program = std::env::current_exe().ok()?;
        Some(std::sync::Arc::new(signoff::isolate::Isolation {
            program,
            args: vec!["worker".into()],
            stall: std::time::Duration::from_secs_f64(self.stall_timeout.max(0.1)),
            file_timeout: self
                .file_timeout
                .unwrap_or(signoff::isolate::FileTimeout::None),
            memory_limit_bytes: self.worker_memory.map(|m| m.saturating_mul(1 << 20)),
        }))
    }

    /// The default: worker processes, no time limit beyond the stall.
    pub fn defaults() -> Self {
        IsolationFlags {
            in_process: false,
            file_timeout: None,
            stall_timeout: 60.0,
            worker_memory: None,
        }
    }
}

/// `--jobs`: a whole number of at least 1.
fn at_least_one(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1 (0 files at once would never finish)".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("{s:?} is not a whole number")),
    }
}
