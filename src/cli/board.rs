//! The delivery board for people (aligned, states at a glance) and for
//! pipelines (one JSON document), plus the options every planned command
//! shares: `--plan`, `--ledger`, `--today`.

use super::args::Format;
use anyhow::Context;
use signoff::board::{DeliverableStatus, State};
use signoff::delivery::BoardReport;
use signoff::document::{self, BoardDoc};
use signoff::escape::terminal;
use signoff::ledger::{default_path, Ledger};
use signoff::plan::model::{format_date, parse_date};
use signoff::plan::{self, LoadedPlan};
use signoff::policy::FailPolicy;
use signoff::spec::Registry;
use signoff::spec::Verdict;
use std::io::Write;
use std::path::{Path, PathBuf};
use time::Date;

/// Options shared by the commands that read a plan and its ledger.
#[derive(Debug, Clone, clap::Args)]
pub struct PlanArgs {
    /// The plan file (default: `signoff.toml` in the delivery root or a parent folder).
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// The ledger database (default: `signoff.ledger.sqlite` beside the plan).
    #[arg(long, value_name = "FILE")]
    pub ledger: Option<PathBuf>,
    /// Folder of user profiles (`*.toml`), in addition to the built-ins.
    #[arg(long, env = "SIGNOFF_SPECS", value_name = "DIR")]
    pub specs_dir: Option<PathBuf>,
    /// The date deadlines are compared with (tests; default: today, UTC).
    #[arg(long, env = "SIGNOFF_TODAY", value_name = "YYYY-MM-DD", hide = true)]
    pub today: Option<String>,
}

/// A plan with its registry, ledger path and today's date.
pub struct PlanContext {
    /// The plan.
    pub plan: LoadedPlan,
    /// Profiles.
    pub registry: Registry,
    /// Where the ledger is.
    pub ledger_path: PathBuf,
    /// Today.
    pub today: Date,
}

impl PlanArgs {
    /// Loads the plan (discovered from `start` unless `--plan`); an invalid
    /// plan stops here, before the ledger is opened.
    pub fn load(&self, start: &Path) -> anyhow::Result<PlanContext> {
        let registry = Registry::with_dir(self.specs_dir.as_deref())?;
        let path = plan::load::locate(self.plan.as_deref(), start)?;
        let plan = plan::load(&path, &registry)?;
        let ledger_path = self.ledger.clone().unwrap_or_else(|| default_path(&path));
        let today = match &self.today {
            Some(t) => parse_date(t)
                .map_err(anyhow::Error::msg)
                .context("--today / SIGNOFF_TODAY")?,
            None => time::OffsetDateTime::now_utc().date(),
        };
        Ok(PlanContext {
            plan,
            registry,
            ledger_path,
            today,
        })
    }
}

impl PlanArgs {
    /// Loads the plan found from `root` (or the current folder); the delivery
    /// root is `root` when given, else the plan's own (its folder and `project.root`).
    pub fn load_at(&self, root: Option<&Path>) -> anyhow::Result<PlanContext> {
        let mut ctx = self.load(root.unwrap_or(Path::new(".")))?;
        if let Some(r) = root {
            ctx.plan.set_root(r)?;
        }
        Ok(ctx)
    }
}

impl PlanContext {
    /// Opens (creating or migrating) the ledger.
    pub fn open_ledger(&self) -> anyhow::Result<Ledger> {
        if let Some(dir) = self
            .ledger_path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("failed to create {}", dir.display()))?;
        }
        Ok(Ledger::open(&self.ledger_path)?)
    }
}

/// Who is running signoff, for the ledger.
pub fn user() -> String {
    signoff::approve::login_name().unwrap_or_else(|| "unknown".into())
}

/// Prints the board in `format` (`command`: `check` or `status`).
pub fn print(
    ctx: &PlanContext,
    report: &BoardReport,
    policy: &FailPolicy,
    format: Format,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    print_as("check", ctx, report, policy, format, out)
}

/// As [`print`], naming the command in the JSON envelope.
pub fn print_as(
    command: &str,
    ctx: &PlanContext,
    report: &BoardReport,
    policy: &FailPolicy,
    format: Format,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    if format == Format::Json {
        let doc = document::envelope(
            command,
            BoardDoc {
                plan: ctx.plan.path.to_string_lossy().into_owned(),
                ledger: ctx.ledger_path.to_string_lossy().into_owned(),
                today: format_date(ctx.today),
                project: &ctx.plan.plan.project,
                policy: *policy,
                outcome: report.decide(policy).into(),
                board: report,
            },
        );
        out.write_all(document::to_json(&doc)?.as_bytes())?;
        return Ok(());
    }
    human(ctx, report, policy, out)?;
    Ok(())
}

fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    format!("{s}{}", " ".repeat(width.saturating_sub(n)))
}

fn human(
    ctx: &PlanContext,
    r: &BoardReport,
    policy: &FailPolicy,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let p = &ctx.plan.plan.project;
    let to = p
        .distributor
        .as_deref()
        .map(|d| format!(" for {}", terminal(d)))
        .unwrap_or_default();
    writeln!(
        out,
        "{}{to}  ·  today {}",
        terminal(&p.title),
        format_date(ctx.today)
    )?;
    writeln!(
        out,
        "plan {}  ·  ledger {}  ·  run {} ({} files reused, {} analysed)",
        terminal(&shown(&ctx.plan.path)),
        terminal(&shown(&ctx.ledger_path)),
        r.run_id,
        r.reused_files,
        r.analysed_files
    )?;
    if let Some(at) = &r.checked_at {
        writeln!(out, "last check {}", terminal(at))?;
    }
    writeln!(out)?;
    let w = r
        .deliverables
        .iter()
        .map(|d| d.id.chars().count())
        .max()
        .unwrap_or(11)
        .max(11);
    writeln!(
        out,
        "{}  {}  {:>5}  {}  DUE",
        pad("DELIVERABLE", w),
        pad("STATE", 34),
        "FILES",
        pad("OWNER", 20)
    )?;
    for d in &r.deliverables {
        row(out, d, w, &r.changed_since_check)?;
    }
    extras(out, r)?;
    writeln!(out)?;
    writeln!(out, "{}", tally(&r.deliverables))?;
    writeln!(out, "{}", r.decide(policy).headline())
}

/// "changed since last check" lines of one deliverable.
fn r_changes(d: &DeliverableStatus, changes: &[signoff::disk::DiskChange]) -> Vec<String> {
    changes
        .iter()
        .filter(|c| c.deliverables.contains(&d.id))
        .map(|c| format!("  {} since last check: {}", c.change.word(), c.path))
        .collect()
}

fn row(
    out: &mut impl Write,
    d: &DeliverableStatus,
    w: usize,
    changes: &[signoff::disk::DiskChange],
) -> std::io::Result<()> {
    let files = format!("{}/{}", d.files.len(), d.expected_files);
    let owner = d.owner.as_deref().map(terminal).unwrap_or_default();
    writeln!(
        out,
        "{}  {}  {files:>5}  {}  {}",
        pad(&terminal(&d.id), w),
        pad(&state_cell(d), 34),
        pad(&owner, 20),
        terminal(d.due.as_deref().unwrap_or("-"))
    )?;
    for c in r_changes(d, changes) {
        writeln!(out, "{}  {}", " ".repeat(w), terminal(&c))?;
    }
    for line in details(d) {
        writeln!(out, "{}  {}", " ".repeat(w), terminal(&line))?;
    }
    Ok(())
}

/// The state column: primary state with its numbers, then the other states.
pub fn state_cell(d: &DeliverableStatus) -> String {
    let mut parts: Vec<String> = Vec::new();
    for s in &d.states {
        let extra = match s {
            State::Failing => format!(" ({} error{})", d.error_count, plural(d.error_count)),
            State::Passing | State::Approved if d.warning_count > 0 => {
                format!(" ({} warning{})", d.warning_count, plural(d.warning_count))
            }
            State::Overdue => String::new(),
            _ => String::new(),
        };
        let word = if *s == State::Overdue
            || *s == State::Missing
            || *s == State::Failing
            || *s == State::ApprovalStale
        {
            s.word().to_uppercase()
        } else {
            s.word().to_string()
        };
        parts.push(format!("{word}{extra}"));
    }
    parts.join(", ")
}

/// A path as the operator knows it: relative to the current folder when inside it.
fn shown(path: &std::path::Path) -> String {
    let here = std::env::current_dir().ok();
    let rel = here
        .as_deref()
        .and_then(|h| path.strip_prefix(h).ok())
        .unwrap_or(path);
    rel.to_string_lossy().into_owned()
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A file's picture results in brief (named when the deliverable has several files).
pub fn picture_line(
    d: &DeliverableStatus,
    f: &signoff::board::BoardFile,
    p: &signoff::picture::summary::PictureSummary,
) -> String {
    if d.files.len() > 1 {
        format!("  picture, {}: {}", f.path, p.text)
    } else {
        format!("  picture: {}", p.text)
    }
}

fn details(d: &DeliverableStatus) -> Vec<String> {
    let mut out = Vec::new();
    for f in &d.stale_files {
        out.push(format!("  changed since approval: {f}"));
    }
    for s in &d.missing_sidecars {
        out.push(format!("  missing sidecar: {s}"));
    }
    if let Some(c) = &d.pse_certificate {
        out.push(format!("  PSE certificate: {c}"));
    }
    if let Some(seal) = &d.seal {
        out.push(format!("  manifest: {}", seal.text()));
    }
    for f in &d.findings {
        out.push(format!("  {f}"));
    }
    for f in &d.files {
        match (f.outcome.sha256.is_none(), f.outcome.verdict) {
            (true, _) | (_, Some(Verdict::Unreadable)) => {
                out.push(format!("  cannot read: {}", f.path))
            }
            (_, Some(Verdict::Fail)) => out.push(format!(
                "  fails: {} ({} error{})",
                f.path,
                f.outcome.errors,
                plural(f.outcome.errors)
            )),
            _ => {}
        }
        if let Some(p) = &f.outcome.picture {
            out.push(picture_line(d, f, p));
        }
    }
    if d.not_evaluated_count > 0 {
        out.push(format!(
            "  {} rule{} not evaluated",
            d.not_evaluated_count,
            plural(d.not_evaluated_count)
        ));
    }
    if let Some(a) = &d.approval {
        let how = a
            .override_reason
            .as_deref()
            .map(|r| format!(" — OVERRIDE: {r}"))
            .unwrap_or_default();
        out.push(format!("  approved by {} at {}{how}", a.by, a.at));
    }
    out
}

fn extras(out: &mut impl Write, r: &BoardReport) -> std::io::Result<()> {
    if !r.unplanned.is_empty() {
        writeln!(
            out,
            "\nunplanned ({}): files the plan does not account for",
            r.unplanned.len()
        )?;
        for f in &r.unplanned {
            writeln!(out, "  {}", terminal(&f.display()))?;
        }
    }
    let elsewhere: Vec<_> = r
        .changed_since_check
        .iter()
        .filter(|c| c.deliverables.is_empty())
        .collect();
    if !elsewhere.is_empty() {
        writeln!(
            out,
            "\non disk since last check ({}): files of no deliverable",
            elsewhere.len()
        )?;
        for c in elsewhere {
            writeln!(
                out,
                "  {}: {}",
                c.change.word(),
                terminal(&c.path.display())
            )?;
        }
    }
    if !r.duplicates.is_empty() {
        writeln!(
            out,
            "\nsame content ({} files): byte copies of each other (a warning on each)",
            r.duplicates.len()
        )?;
        for (f, others) in &r.duplicates {
            let others: Vec<String> = others.iter().map(|o| o.display()).collect();
            writeln!(
                out,
                "  {}  = {}",
                terminal(&f.display()),
                terminal(&others.join(", "))
            )?;
        }
    }
    if !r.double_claimed.is_empty() {
        writeln!(
            out,
            "\nclaimed twice ({}): files matched by more than one deliverable",
            r.double_claimed.len()
        )?;
        for (f, ids) in &r.double_claimed {
            writeln!(
                out,
                "  {}  ← {}",
                terminal(&f.display()),
                terminal(&ids.join(", "))
            )?;
        }
    }
    Ok(())
}

fn tally(board: &[DeliverableStatus]) -> String {
    let order = [
        State::Missing,
        State::Incomplete,
        State::Failing,
        State::Passing,
        State::Approved,
        State::ApprovalStale,
        State::Overdue,
    ];
    let counts: Vec<String> = order
        .iter()
        .map(|s| (s, board.iter().filter(|d| d.states.contains(s)).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {}", s.word()))
        .collect();
    format!(
        "{} deliverable{}: {}",
        board.len(),
        plural(board.len()),
        counts.join(", ")
    )
}
