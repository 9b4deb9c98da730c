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
    run_as(args, false)
}

/// Runs `signoff merge`: the board of the shards' recorded results.
pub fn run_merge(args: &CheckArgs) -> anyhow::Result<u8> {
    run_as(args, true)
}

/// What a shard says: which files it recorded, never the board.
fn shard_done(
    s: signoff::shard::Shard,
    ctx: &board::PlanContext,
    report: &delivery::BoardReport,
    format: Format,
) -> anyhow::Result<u8> {
    let summary = signoff::shard::ShardRun {
        shard: s.run_kind(),
        run_id: report.run_id,
        ledger: match ctx.ledger.file() {
            Some(p) => p.to_path_buf(),
            None => ctx.ledger.to_string().into(),
        },
        analysed_files: report.analysed_files,
        reused_files: report.reused_files,
    };
    let mut out = output::stdout();
    match format {
        Format::Json => {
            let doc = signoff::document::envelope("check --shard", &summary);
            write!(out, "{}", signoff::document::to_json(&doc)?)?
        }
        _ => writeln!(out, "{}", signoff::escape::terminal(&summary.text()))?,
    }
    out.flush()?;
    Ok(signoff::exit::OK)
}

fn run_as(args: &CheckArgs, merge: bool) -> anyhow::Result<u8> {
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
    if !args.reports.is_empty() {
        ctx.check_letterhead()?;
    }
    let mode = match (&args.shard, merge) {
        (Some(_), true) => anyhow::bail!("`merge` takes no --shard: it merges them all"),
        (Some(s), false) => Mode::Shard(
            signoff::shard::Shard::parse(s, |v| std::env::var(v).ok())
                .map_err(|e| anyhow::anyhow!("--shard: {e}"))?,
        ),
        (None, true) => Mode::Merge,
        (None, false) => Mode::Check,
    };
    let report = run_board(&ctx, &args.walk, args.rehash, format, &args.isolation, mode)?;
    if let Mode::Shard(s) = mode {
        return shard_done(s, &ctx, &report, format);
    }
    let policy = args.policy.policy();
    let errors = match args.verbose && format == Format::Human {
        true => Some(file_errors(&ctx, &report, policy)?),
        false => None,
    };
    let view = board::View {
        errors: errors.as_ref(),
        only_problems: args.walk.quiet,
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
    let run = plan_run(ctx, report, policy)?;
    super::report::write_all(&run, targets)?;
    output::stdout().flush()?;
    Ok(())
}

/// The run report of a recorded run, with the plan's letterhead.
pub fn plan_run(
    ctx: &board::PlanContext,
    report: &delivery::BoardReport,
    policy: signoff::policy::FailPolicy,
) -> anyhow::Result<signoff::report::model::RunReport> {
    let ledger = ctx.open_ledger()?;
    let mut run =
        signoff::report::plan::run_report(&ctx.plan, &ctx.registry, report, &ledger, policy)?;
    run.branding = signoff::report::branding::from_plan(&ctx.plan)?;
    Ok(run)
}

/// Checks the delivery and records the run; shared with `approve`, which
/// takes the same walk flags so it sees the same files.
pub fn run_board(
    ctx: &board::PlanContext,
    walk: &super::args::WalkFlags,
    rehash: bool,
    format: Format,
    isolation: &super::args::IsolationFlags,
    mode: Mode,
) -> anyhow::Result<delivery::BoardReport> {
    let ledger = ctx.open_ledger()?;
    let merge_of = match mode {
        Mode::Merge => shards_agree(ctx, &ledger)?,
        _ => Vec::new(),
    };
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
        shard: match mode {
            Mode::Shard(s) => Some(s),
            _ => None,
        },
        merge_of,
    };
    let report = delivery::run(&ctx.plan, &ctx.registry, ledger, &opts, bar.clone());
    bar.finish();
    let report = report?;
    if let Mode::Shard(s) = mode {
        ctx.open_ledger()?
            .set_run_kind(report.run_id, &s.run_kind())?;
    }
    Ok(report)
}

/// What a planned run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Check every file and decide the board.
    Check,
    /// Check one shard's files and record them (`check --shard K/N`).
    Shard(signoff::shard::Shard),
    /// Analyse nothing: the board from the shards' results (`merge`).
    Merge,
}

/// `merge`: every shard of the newest sharding has recorded a run, with
/// this plan; their runs (kind, id). A refusal names every shard at fault
/// and why (exit 4, as a setup error).
fn shards_agree(
    ctx: &board::PlanContext,
    ledger: &signoff::ledger::Ledger,
) -> anyhow::Result<Vec<(String, i64)>> {
    let root = signoff::delivery::root_key(&ctx.plan.root)?;
    let runs = ledger.latest_shard_runs(&root)?;
    let newest = runs.iter().max_by_key(|(_, (id, _))| *id);
    let Some((kind, _)) = newest else {
        anyhow::bail!(
            "no shard has recorded a run over {} in {}: run `signoff check --shard K/N` first",
            root.display(),
            ledger.location()
        );
    };
    let count = kind.rsplit('/').next().unwrap_or("1").to_string();
    let n: u32 = count.parse().unwrap_or(1);
    let mut problems = Vec::new();
    let mut merged = Vec::new();
    for k in 1..=n {
        let kind = format!("shard {k}/{n}");
        match runs.get(&kind) {
            None => problems.push(format!(
                "shard {k}/{n} has not recorded a run (run `signoff check --shard {k}/{n}`)"
            )),
            Some((_, digest)) if *digest != ctx.plan.digest => problems.push(format!(
                "shard {k}/{n} ran with a different plan than {} as it is now: run it again",
                ctx.plan.path.display()
            )),
            Some((id, _)) => merged.push((kind, *id)),
        }
    }
    if !problems.is_empty() {
        anyhow::bail!("cannot merge the {n} shards: {}", problems.join("; "));
    }
    Ok(merged)
}
