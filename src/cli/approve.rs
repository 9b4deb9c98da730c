//! `signoff approve DELIVERABLE --by NAME`: checks the delivery (the cache
//! makes it quick), then records a sign-off bound to each file's SHA-256.

use super::args::Format;
use super::board::PlanArgs;
use super::check_plan::run_board;
use super::output;
use signoff::approve::{
    approved_lines, file_notes, known, login_name, prepare, record, ApproveError, ApproveRequest,
    Prepared,
};
use signoff::escape::terminal;
use signoff::mhl::model::Format as HashFormat;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `signoff approve`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  signoff approve feature-master --by \"Ana Ruiz\" --role \"Head of post\" --note \"viewed in full, grade OK\"
  signoff approve mne --by \"Ana Ruiz\" --override \"distributor accepts -16 LUFS M&E (email 2025-02-03)\"
  signoff approve --revoke feature-master --by \"Ana Ruiz\" \"wrong audio in reel 4\"

Prints each file approved with its SHA-256, verdict, warnings and rules not evaluated.
A refused approval records nothing in the ledger. A deliverable with review notes still open
(`signoff note`) is refused too, unless --override is given. --revoke records who revoked the
approval in force, when and why; the board shows the deliverable unapproved again.

With --seal the delivery folder is also sealed (ASC MHL, like `signoff seal`) in the same
step: the seal re-reads every file and is written, and the approval recorded, only when each
approved file still has the SHA-256 being approved, so the manifest and the approval name the
same bytes. A deliverable whose plan says `manifest = \"ascmhl\"` can only be approved with --seal.

Exit codes: 0 approved (or revoked); 1 refused (failing, incomplete or missing, or notes open,
and no --override; a seal required, or refused; nothing to revoke); 3 --revoke without a reason;
4 no plan or unknown deliverable.")]
pub struct ApproveArgs {
    /// The deliverable id from the plan.
    pub deliverable: String,
    /// With --revoke: why the approval is revoked.
    #[arg(value_name = "REASON", requires = "revoke")]
    pub reason: Option<String>,
    /// Revoke the deliverable's approval in force instead (recorded with --by and REASON);
    /// the board shows it unapproved again.
    #[arg(long, conflicts_with_all = ["note", "override_reason", "seal"])]
    pub revoke: bool,
    /// Who signs off (default: the login name).
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    /// Their role, for the report's signature block (e.g. "Head of post");
    /// without it the role line is left blank, to fill by hand.
    #[arg(long, value_name = "ROLE", conflicts_with = "revoke")]
    pub role: Option<String>,
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
    /// Also seal the delivery folder (ASC MHL v2.0) in the same step, bound to the same bytes.
    #[arg(long)]
    pub seal: bool,
    /// Hash formats of the seal (with --seal).
    #[arg(long = "algo", value_name = "FORMAT", value_delimiter = ',', default_value = "xxh128", value_parser = super::seal::parse_format, requires = "seal")]
    pub algo: Vec<HashFormat>,
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
    if args.revoke {
        return run_revoke(args, &ctx, by);
    }
    let report = run_board(
        &ctx,
        &args.walk,
        false,
        Format::Human,
        &super::args::IsolationFlags::defaults(),
        super::check_plan::Mode::Check,
    )?;
    let mut ledger = ctx.open_ledger()?;
    ledger.set_run_kind(report.run_id, "approve")?;
    let req = ApproveRequest {
        deliverable: args.deliverable.clone(),
        by,
        role: args.role.clone().filter(|r| !r.trim().is_empty()),
        note: args.note.clone(),
        override_reason: args.override_reason.clone(),
        now: signoff::delivery::now_utc(),
    };
    let prepared = match prepare(&ctx.plan.plan, &report, &req) {
        Ok(p) => p,
        Err(e) => {
            // A refusal records nothing: not the approval, not the run made for it.
            ledger.discard_run(report.run_id)?;
            if let ApproveError::Refused { .. } | ApproveError::OpenNotes { .. } = e {
                eprintln!("signoff: {}", terminal(&e.to_string()));
                return Ok(signoff::exit::QC_FAILED);
            }
            return Err(e.into());
        }
    };
    let mut out = output::stdout();
    if let Some(why) = seal_refusal(args, &ctx, &prepared, &mut out)? {
        ledger.discard_run(report.run_id)?;
        out.flush()?;
        eprintln!("signoff: {}", terminal(&why));
        return Ok(signoff::exit::QC_FAILED);
    }
    record(&mut ledger, &report, &prepared)?;
    let approval = prepared.approval;
    let how = if approval.override_reason.is_some() {
        " (override recorded)"
    } else {
        ""
    };
    let role = approval
        .role
        .as_deref()
        .map(|r| format!(" ({})", terminal(r)))
        .unwrap_or_default();
    writeln!(
        out,
        "approved {} by {}{role}{how}: {} file(s) bound by SHA-256",
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

/// `approve --revoke DELIVERABLE --by NAME "reason"`: records the
/// revocation of the approval in force; nothing is checked or analysed.
fn run_revoke(
    args: &ApproveArgs,
    ctx: &super::board::PlanContext,
    by: String,
) -> anyhow::Result<u8> {
    let Some(reason) = args.reason.clone().filter(|r| !r.trim().is_empty()) else {
        eprintln!("signoff: say why the approval is revoked: signoff approve --revoke DELIVERABLE --by NAME \"reason\"");
        return Ok(signoff::exit::USAGE);
    };
    let mut ledger = ctx.open_ledger()?;
    let root = signoff::delivery::root_key(&ctx.plan.root)?;
    let revocation = signoff::ledger::notes::Revocation {
        approval_id: 0,
        by,
        at: signoff::delivery::now_utc(),
        reason,
    };
    match signoff::approve::revoke(
        &ctx.plan.plan,
        &mut ledger,
        &root,
        &args.deliverable,
        &revocation,
    ) {
        Ok(id) => {
            let mut out = output::stdout();
            writeln!(
                out,
                "revoked approval {id} of {} by {}: {}",
                terminal(&args.deliverable),
                terminal(&revocation.by),
                terminal(&revocation.reason)
            )?;
            out.flush()?;
            Ok(signoff::exit::OK)
        }
        Err(e @ ApproveError::NothingToRevoke { .. }) => {
            eprintln!("signoff: {}", terminal(&e.to_string()));
            Ok(signoff::exit::QC_FAILED)
        }
        Err(e) => Err(e.into()),
    }
}

/// Seals the root when asked (bound to the approval's SHA-256s); why the
/// approval must be refused, if it must.
fn seal_refusal(
    args: &ApproveArgs,
    ctx: &super::board::PlanContext,
    prepared: &Prepared,
    out: &mut impl Write,
) -> anyhow::Result<Option<String>> {
    let plan = &ctx.plan.plan;
    let required = plan
        .deliverable(&prepared.deliverable)
        .and_then(|d| plan.manifest_of(d));
    if !args.seal {
        return Ok(required.map(|_| {
            format!(
                "refusing to approve `{}`: the plan requires an ASC MHL seal (manifest = \"ascmhl\"); \
                 approve with --seal so the manifest and the approval name the same bytes",
                prepared.deliverable
            )
        }));
    }
    let opts = signoff::mhl::seal::SealOptions {
        formats: args.algo.clone(),
        author: Some(prepared.approval.by.clone()),
        hostname: signoff::report::model::host_name().unwrap_or_else(|| "unknown".into()),
        now: time::OffsetDateTime::now_utc(),
        ignores: Vec::new(),
        allow_failed: false,
        expect_sha256: prepared.approval.files.clone(),
    };
    let sealed = signoff::mhl::seal::seal(&ctx.plan.root, &opts)?;
    super::seal::print_seal(out, &ctx.plan.root, &sealed)?;
    if sealed.written {
        return Ok(None);
    }
    Ok(Some(format!(
        "refusing to approve `{}`: the seal was refused ({}), and the approval goes with it",
        prepared.deliverable,
        sealed.refused.join("; ")
    )))
}
