//! `signoff check ROOT` with a plan: QC and hash every file, record the run
//! in the ledger, print the delivery board.

use super::args::Format;
use super::board::{self, PlanArgs};
use super::check::{CheckArgs, CheckFormat};
use super::output;
use super::progress::{should_draw, Bar, Terminal};
use super::scan::default_jobs;
use signoff::delivery::{self, RunOptions};
use std::io::Write;
use std::sync::Arc;

/// Runs `signoff check` against the plan found for its one folder.
pub fn run(args: &CheckArgs) -> anyhow::Result<u8> {
    let format = match args.format {
        CheckFormat::Human => Format::Human,
        CheckFormat::Json => Format::Json,
        CheckFormat::Jsonl => anyhow::bail!(
            "--format jsonl is for `check --spec`; the board is one document: use --format json, \
             or --report run.jsonl for the run as JSON Lines"
        ),
    };
    let [root] = args.paths.as_slice() else {
        anyhow::bail!("with a plan, `signoff check` takes one delivery folder (or pass --spec to check files)");
    };
    let plan_args = PlanArgs {
        plan: args.plan.clone(),
        ledger: args.ledger.clone(),
        specs_dir: args.specs_dir.clone(),
        today: args.today.clone(),
    };
    let ctx = plan_args.load_at(Some(root))?;
    let report = run_board(&ctx, &args.walk, args.rehash, format, &args.isolation)?;
    let policy = args.policy.policy();
    let errors = match args.verbose && format == Format::Human {
        true => Some(file_errors(&ctx, &report, policy)?),
        false => None,
    };
    let view = board::View {
        errors: errors.as_ref(),
        only_problems: args.problems,
    };
    let mut out = output::stdout();
    if !super::report::any_stdout(&args.reports) {
        board::print_as("check", &ctx, &report, &policy, format, view, &mut out)?;
    }
    out.flush()?;
    if !args.reports.is_empty() {
        write_reports(&ctx, &report, &args.reports, policy)?;
    }
    Ok(report.decide(&policy).verdict.exit_code())
}

/// Writes the reports of a recorded run (files' detail read from the ledger).
/// The errors of every failing file of the run, from the ledger (`-v`).
fn file_errors(
    ctx: &board::PlanContext,
    report: &delivery::BoardReport,
    policy: signoff::policy::FailPolicy,
) -> anyhow::Result<board::FileErrors> {
    let ledger = ctx.open_ledger()?;
    let run = signoff::report::plan::run_report(&ctx.plan, &ctx.registry, report, &ledger, policy)?;
    let mut errors = board::FileErrors::new();
    for r in run.files.iter().filter_map(|e| e.report.as_ref()) {
        let Ok(rel) = r.path.strip_prefix(report.root.as_path()) else {
            continue;
        };
        let failing: Vec<_> = r
            .findings
            .iter()
            .filter(|f| f.is_error())
            .cloned()
            .collect();
        let problem = r.problem.as_ref().map(|p| p.message.clone());
        if !failing.is_empty() || problem.is_some() {
            let detail = board::FileDetail {
                errors: failing,
                problem,
            };
            errors.insert(signoff::paths::RelPath::from_path(rel), detail);
        }
    }
    Ok(errors)
}

pub fn write_reports(
    ctx: &board::PlanContext,
    report: &delivery::BoardReport,
    targets: &[super::report::ReportTarget],
    policy: signoff::policy::FailPolicy,
) -> anyhow::Result<()> {
    let ledger = ctx.open_ledger()?;
    let run = signoff::report::plan::run_report(&ctx.plan, &ctx.registry, report, &ledger, policy)?;
    super::report::write_all(&run, targets)?;
    output::stdout().flush()?;
    Ok(())
}

/// Checks the delivery and records the run; shared with `approve`, which
/// takes the same walk flags so it sees the same files.
pub fn run_board(
    ctx: &board::PlanContext,
    walk: &super::args::WalkFlags,
    rehash: bool,
    format: Format,
    isolation: &super::args::IsolationFlags,
) -> anyhow::Result<delivery::BoardReport> {
    let ledger = ctx.open_ledger()?;
    let bar = Arc::new(Bar::new(
        should_draw(Terminal::detect(), walk.quiet, format == Format::Json),
        "checking",
    ));
    let opts = RunOptions {
        jobs: walk.jobs.unwrap_or_else(default_jobs),
        follow_links: walk.follow_links,
        rehash,
        user: board::user(),
        now: delivery::now_utc(),
        today: ctx.today,
        isolation: isolation.isolation(),
    };
    let report = delivery::run(&ctx.plan, &ctx.registry, ledger, &opts, bar.clone());
    bar.finish();
    Ok(report?)
}
