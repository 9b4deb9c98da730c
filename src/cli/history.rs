//! `signoff history DELIVERABLE`: its runs (with the state in each),
//! approvals and revocations, oldest first, then its versions (each
//! distinct file content, with the runs that saw it, and what a recorded
//! `signoff diff` found between consecutive versions of a file), from the ledger.

use super::args::Format;
use super::board::PlanArgs;
use super::output;
use signoff::delivery::root_key;
use signoff::escape::terminal;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `signoff history`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  signoff history feature-master
  signoff history mne --format json

Exit codes: 0 listed; 4 no plan or unknown deliverable.")]
pub struct HistoryArgs {
    /// The deliverable id from the plan.
    pub deliverable: String,
    /// The delivery folder (default: the plan's).
    #[arg(long, value_name = "ROOT")]
    pub root: Option<PathBuf>,
    /// Plan and ledger.
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// Runs `signoff history`.
pub fn run(args: &HistoryArgs) -> anyhow::Result<u8> {
    let ctx = args.plan.load_at(args.root.as_deref())?;
    if ctx.plan.plan.deliverable(&args.deliverable).is_none() {
        let ids = ctx.plan.plan.deliverables.iter().map(|d| d.id.as_str());
        let hint = signoff::spec::catalogue::suggest(&args.deliverable, ids)
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        anyhow::bail!("no deliverable `{}` in the plan{hint}", args.deliverable);
    }
    let ledger = ctx.open_ledger()?;
    let root = root_key(&ctx.plan.root)?;
    let runs = ledger.runs_of(&root, &args.deliverable)?;
    let approvals = ledger.approvals_of(&root, &args.deliverable)?;
    let versions = signoff::review::versions::versions(&ctx.plan, &ledger, &args.deliverable)?;
    let changes = signoff::review::changes::version_changes(&versions, |old, new| {
        let found = ledger.diff_between(old, new)?;
        Ok::<_, signoff::ledger::LedgerError>(found.and_then(|r| {
            Some(signoff::review::changes::Recorded {
                diff: signoff::review::changes::StoredDiff::parse(&r.json)?,
                at: r.recorded_at,
                by: r.recorded_by,
            })
        }))
    })?;
    let mut out = output::stdout();
    if args.format == Format::Json {
        use signoff::document::{envelope, to_json, HistoryDoc, HistoryRun};
        let runs = runs
            .iter()
            .map(|(run, states)| HistoryRun { run, states })
            .collect();
        let doc = HistoryDoc {
            deliverable: &args.deliverable,
            runs,
            approvals: &approvals,
            versions: &versions,
            version_changes: &changes,
        };
        out.write_all(to_json(&envelope("history", doc))?.as_bytes())?;
    } else {
        let mut lines: Vec<(String, String)> = Vec::new();
        for (r, states) in &runs {
            lines.push((
                r.started_at.clone(),
                format!(
                    "run {:<4} by {:<12} {:<28} signoff {}  plan {}",
                    r.id,
                    terminal(&r.user),
                    states,
                    r.tool_version,
                    &r.plan_digest[..12.min(r.plan_digest.len())]
                ),
            ));
        }
        for a in &approvals {
            let ap = &a.approval;
            let role = ap
                .role
                .as_ref()
                .map(|r| format!(" ({})", terminal(r)))
                .unwrap_or_default();
            let mut s = format!(
                "APPROVED by {}{role} ({} file(s))",
                terminal(&ap.by),
                ap.files.len()
            );
            if let Some(n) = &ap.note {
                s.push_str(&format!("  note: {}", terminal(n)));
            }
            if let Some(o) = &ap.override_reason {
                s.push_str(&format!("  OVERRIDE: {}", terminal(o)));
            }
            lines.push((ap.at.clone(), s));
            if let Some(r) = &a.revocation {
                let s = format!(
                    "REVOKED approval {} by {}: {}",
                    a.id,
                    terminal(&r.by),
                    terminal(&r.reason)
                );
                lines.push((r.at.clone(), s));
            }
        }
        lines.sort();
        writeln!(out, "{}", terminal(&args.deliverable))?;
        for (at, s) in lines {
            writeln!(out, "  {}  {s}", terminal(&at))?;
        }
        if !versions.is_empty() {
            writeln!(out, "versions")?;
        }
        for (i, v) in versions.iter().enumerate() {
            let seen = if v.first_run == v.last_run {
                format!("run {}", v.first_run)
            } else {
                format!("runs {}–{}", v.first_run, v.last_run)
            };
            writeln!(
                out,
                "  v{:<3} {}  {}  {seen} ({} – {})",
                i + 1,
                &v.sha256[..12.min(v.sha256.len())],
                terminal(&v.path.display()),
                terminal(&v.first_seen_at),
                terminal(&v.last_seen_at)
            )?;
            for c in changes.iter().filter(|c| c.to == i + 1) {
                writeln!(
                    out,
                    "         v{}→v{}: {}",
                    c.from,
                    c.to,
                    terminal(&c.summary)
                )?;
            }
        }
    }
    out.flush()?;
    Ok(signoff::exit::OK)
}
