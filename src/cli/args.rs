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
    /// Measure loudness, true peak and audio faults per programme.
    Measure(super::measure::MeasureArgs),
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
