//! `signoff approve DELIVERABLE --by NAME`: checks the delivery (the cache
//! makes it quick), then records a sign-off bound to each file's SHA-256.

use super::args::Format;
use super::board::PlanArgs;
use super::check_plan::run_board;
use super::output;
use signoff::approve::{approve, ApproveError, ApproveRequest};
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `signoff approve`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  signoff approve feature-master --by \"Ana Ruiz\" --note \"viewed in full, grade OK\"
  signoff approve mne --by \"Ana Ruiz\" --override \"distributor accepts -16 LUFS M&E (email 2025-02-03)\"

Exit codes: 0 approved; 1 refused (failing, incomplete or missing, and no --override); 4 no plan or unknown deliverable.")]
pub struct ApproveArgs {
    /// The deliverable id from the plan.
    pub deliverable: String,
    /// Who signs off.
    #[arg(long, value_name = "NAME")]
    pub by: String,
    /// A note kept with the approval.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Approve although the deliverable does not pass; the reason is recorded.
    #[arg(long = "override", value_name = "REASON")]
    pub override_reason: Option<String>,
    /// The delivery folder (default: the plan's).
    #[arg(long, value_name = "ROOT")]
    pub root: Option<PathBuf>,
    /// Plan and ledger.
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Walking and progress: the same flags as `check`, so `approve` sees the same files.
    #[command(flatten)]
    pub walk: super::args::WalkFlags,
}

/// Runs `signoff approve`.
pub fn run(args: &ApproveArgs) -> anyhow::Result<u8> {
    let ctx = args.plan.load_at(args.root.as_deref())?;
    let report = run_board(&ctx, &args.walk, false, Format::Human)?;
    let mut ledger = ctx.open_ledger()?;
    let req = ApproveRequest {
        deliverable: args.deliverable.clone(),
        by: args.by.clone(),
        note: args.note.clone(),
        override_reason: args.override_reason.clone(),
        now: signoff::delivery::now_utc(),
    };
    let approval = match approve(&ctx.plan.plan, &report, &mut ledger, &req) {
        Ok(a) => a,
        Err(e @ ApproveError::Refused { .. }) => {
            eprintln!("signoff: {}", signoff::escape::terminal(&e.to_string()));
            return Ok(signoff::exit::QC_FAILED);
        }
        Err(e) => return Err(e.into()),
    };
    let mut out = output::stdout();
    let how = if approval.override_reason.is_some() {
        " (override recorded)"
    } else {
        ""
    };
    writeln!(
        out,
        "approved {} by {}{how}: {} file(s) bound by SHA-256",
        signoff::escape::terminal(&args.deliverable),
        signoff::escape::terminal(&approval.by),
        approval.files.len()
    )?;
    for (path, sha) in &approval.files {
        writeln!(out, "  {sha}  {}", signoff::escape::terminal(path))?;
    }
    out.flush()?;
    Ok(signoff::exit::OK)
}
