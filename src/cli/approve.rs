//! `signoff approve DELIVERABLE --by NAME`: checks the delivery (the cache
//! makes it quick), then records a sign-off bound to each file's SHA-256.

use super::args::Format;
use super::board::PlanArgs;
use super::check_plan::run_board;
use super::output;
use signoff::approve::{
    approve, approved_lines, file_notes, known, login_name, ApproveError, ApproveRequest,
};
use signoff::escape::terminal;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `signoff approve`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  signoff approve feature-master --by \"Ana Ruiz\" --note \"viewed in full, grade OK\"
  signoff approve mne --by \"Ana Ruiz\" --override \"distributor accepts -16 LUFS M&E (email 2025-02-03)\"

Prints each file approved with its SHA-256, verdict, warnings and rules not evaluated.
A refused approval records nothing in the ledger.

Exit codes: 0 approved; 1 refused (failing, incomplete or missing, and no --override); 4 no plan or unknown deliverable.")]
pub struct ApproveArgs {
    /// The deliverable id from the plan.
    pub deliverable: String,
    /// Who signs off (default: the login name).
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
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
    known(&ctx.plan.plan, &args.deliverable)?;
    let by = match args.by.clone().or_else(login_name) {
        Some(by) => by,
        None => anyhow::bail!("no login name found for who signs off; say who with --by NAME"),
    };
    let report = run_board(&ctx, &args.walk, false, Format::Human)?;
    let mut ledger = ctx.open_ledger()?;
    ledger.set_run_kind(report.run_id, "approve")?;
    let req = ApproveRequest {
        deliverable: args.deliverable.clone(),
        by,
        note: args.note.clone(),
        override_reason: args.override_reason.clone(),
        now: signoff::delivery::now_utc(),
    };
    let approval = match approve(&ctx.plan.plan, &report, &mut ledger, &req) {
        Ok(a) => a,
        Err(e) => {
            // A refusal records nothing: not the approval, not the run made for it.
            ledger.discard_run(report.run_id)?;
            if let ApproveError::Refused { .. } = e {
                eprintln!("signoff: {}", terminal(&e.to_string()));
                return Ok(signoff::exit::QC_FAILED);
            }
            return Err(e.into());
        }
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
        terminal(&args.deliverable),
        terminal(&approval.by),
        approval.files.len()
    )?;
    if let Some(status) = report
        .deliverables
        .iter()
        .find(|d| d.id == args.deliverable)
    {
        let profiles = ctx
            .plan
            .plan
            .deliverable(&status.id)
            .map(|d| d.profiles.clone())
            .unwrap_or_default();
        let notes = file_notes(&ledger, report.run_id, status, &profiles)?;
        for (f, line) in status.files.iter().zip(approved_lines(status)) {
            writeln!(out, "  {}", terminal(&line))?;
            for n in notes.get(&f.path).into_iter().flatten() {
                writeln!(out, "      {}", terminal(n))?;
            }
        }
        for f in &status.findings {
            writeln!(out, "  approved despite: {}", terminal(f))?;
        }
    }
    out.flush()?;
    Ok(signoff::exit::OK)
}
