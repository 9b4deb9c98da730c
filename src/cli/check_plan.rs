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
            "--format jsonl is for `check --spec`; the board is one document: use --format json"
        ),
    };
    if !args.reports.is_empty() {
        anyhow::bail!("--report is for `check --spec` (reports of the board are not written yet); use --format json");
    }
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
    let report = run_board(
        &ctx,
        args.jobs,
        args.follow_links,
        args.rehash,
        args.quiet,
        format,
    )?;
    let mut out = output::stdout();
    board::print(&ctx, &report, format, &mut out)?;
    out.flush()?;
    Ok(board::exit_code(&report))
}

/// Checks the delivery and records the run; shared with `approve`.
pub fn run_board(
    ctx: &board::PlanContext,
    jobs: Option<usize>,
    follow_links: bool,
    rehash: bool,
    quiet: bool,
    format: Format,
) -> anyhow::Result<delivery::BoardReport> {
    let ledger = ctx.open_ledger()?;
    let bar = Arc::new(Bar::new(
        should_draw(Terminal::detect(), quiet, format == Format::Json),
        "checking",
    ));
    let opts = RunOptions {
        jobs: jobs.unwrap_or_else(default_jobs),
        follow_links,
        rehash,
        user: board::user(),
        now: delivery::now_utc(),
        today: ctx.today,
    };
    let report = delivery::run(&ctx.plan, &ctx.registry, ledger, &opts, bar.clone());
    bar.finish();
    Ok(report?)
}
