//! clap definitions for every command and the options they share.

use clap::{Parser, Subcommand, ValueEnum};

/// Delivery QC and sign-off for post production.
#[derive(Debug, Parser)]
#[command(name = "signoff", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show container and stream facts of media files (like ffprobe, for people and pipelines).
    Probe(super::probe::ProbeArgs),
    /// Check media files or folders against delivery spec profiles.
    Check(super::check::CheckArgs),
    /// List, show and lint spec profiles.
    Specs(super::specs::SpecsArgs),
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
