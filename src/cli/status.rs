//! `signoff status [ROOT]`: the board of the latest completed run, read from
//! the ledger without analysing anything.

use super::args::Format;
use super::board::{self, PlanArgs};
use super::output;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `signoff status`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  signoff status                      the plan found from the current folder
  signoff status fixtures/sample-delivery --ledger target/sample-ledger.sqlite
  signoff status -q                   only the deliverables that need action, the totals and the verdict

Exit codes: as `signoff check` for the run shown; 4 no plan, or no completed run in the ledger.")]
pub struct StatusArgs {
    /// The delivery folder (default: the plan's; the plan is found from here or the current folder).
    #[arg(value_name = "ROOT")]
    pub root: Option<PathBuf>,
    /// Plan and ledger.
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// What fails the run.
    #[command(flatten)]
    pub policy: super::args::PolicyFlags,
    /// Only what needs action: the deliverables not passing or approved; the
    /// totals and the verdict stay, and JSON is whole (nothing is analysed, so
    /// there is no progress bar to hide).
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `signoff status`.
pub fn run(args: &StatusArgs) -> anyhow::Result<u8> {
    let ctx = args.plan.load_at(args.root.as_deref())?;
    let ledger = ctx.open_ledger()?;
    let report = signoff::delivery::status(&ctx.plan, &ledger, ctx.today)?;
    let mut out = output::stdout();
    let policy = args.policy.policy();
    let view = board::View {
        errors: None,
        only_problems: args.quiet,
    };
    board::print_as(
        "status",
        &ctx,
        &report,
        &policy,
        args.format,
        view,
        &mut out,
    )?;
    out.flush()?;
    Ok(report.decide(&policy).verdict.exit_code())
}
