//! The delivery board for people (aligned, states at a glance) and for
//! pipelines (one JSON document), plus the options every planned command
//! shares: `--plan`, `--ledger`, `--today`.

use super::args::Format;
use super::style::{pad, paint, widest, Tone};
use anyhow::Context;
use signoff::board::{DeliverableStatus, State};
use signoff::delivery::BoardReport;
use signoff::document::{self, BoardDoc};
use signoff::escape::terminal;
use signoff::ledger::{default_path, Ledger, Location};
use signoff::paths::RelPath;
use signoff::plan::model::{format_date, parse_date};
use signoff::plan::{self, LoadedPlan};
use signoff::policy::FailPolicy;
use signoff::spec::Registry;
use signoff::spec::{Finding, Verdict};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use time::Date;

/// The variable naming the ledger when `--ledger` does not (a facility's shared ledger).
pub const LEDGER_ENV: &str = "SIGNOFF_LEDGER";

/// Options shared by the commands that read a plan and its ledger.
#[derive(Debug, Clone, clap::Args)]
pub struct PlanArgs {
    /// The plan file (default: `signoff.toml` in the delivery root or a parent folder).
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// The ledger: a SQLite file or a postgres:// URL (default: the plan's `ledger`, else `signoff.ledger.sqlite` beside the plan).
    #[arg(long, env = "SIGNOFF_LEDGER", value_name = "FILE|URL")]
    pub ledger: Option<PathBuf>,
    /// Folder of user profiles (`*.toml`), in addition to the built-ins.
    #[arg(long, env = "SIGNOFF_SPECS", value_name = "DIR")]
    pub specs_dir: Option<PathBuf>,
    /// The date deadlines are compared with (tests; default: today, UTC).
    #[arg(long, env = "SIGNOFF_TODAY", value_name = "YYYY-MM-DD", hide = true)]
    pub today: Option<String>,
}

/// A plan with its registry, ledger and today's date.
pub struct PlanContext {
    /// The plan.
    pub plan: LoadedPlan,
    /// Profiles.
    pub registry: Registry,
    /// Where the ledger is (parsed before anything else is done).
    pub ledger: Location,
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
        // `check` builds these arguments itself: SIGNOFF_LEDGER applies there too.
        let given = self
            .ledger
            .clone()
            .or_else(|| std::env::var_os(LEDGER_ENV).map(PathBuf::from));
        let ledger = ledger_of(given.as_deref(), &plan)?;
        let today = match &self.today {
            Some(t) => parse_date(t)
                .map_err(anyhow::Error::msg)
                .context("--today / SIGNOFF_TODAY")?,
            None => time::OffsetDateTime::now_utc().date(),
        };
        Ok(PlanContext {
            plan,
            registry,
            ledger,
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
    /// Refuses, before any run, a plan whose reports could not be written as
    /// asked: a `[project] logo` that cannot be read, is not an image or is
    /// too large (a setup error naming the file and why).
    pub fn check_letterhead(&self) -> anyhow::Result<()> {
        signoff::report::branding::from_plan(&self.plan)?;
        Ok(())
    }

    /// Opens (creating or migrating) the ledger; a PostgreSQL ledger is connected to.
    pub fn open_ledger(&self) -> anyhow::Result<Ledger> {
        if let Some(dir) = self
            .ledger
            .file()
            .and_then(Path::parent)
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("failed to create {}", dir.display()))?;
        }
        Ok(Ledger::open(&self.ledger)?)
    }

    /// The ledger as people see it: a file relative to here, a URL without its password.
    pub fn ledger_shown(&self) -> String {
        match self.ledger.file() {
            Some(p) => shown(p),
            None => self.ledger.to_string(),
        }
    }
}

/// The ledger: `--ledger` (or `SIGNOFF_LEDGER`), else the plan's `ledger`
/// (a path relative to the plan's folder, or a URL), else the file beside the plan.
pub fn ledger_of(given: Option<&Path>, plan: &LoadedPlan) -> anyhow::Result<Location> {
    let location = match (given, &plan.plan.project.ledger) {
        (Some(p), _) => Location::parse(p.as_os_str()).context("--ledger / SIGNOFF_LEDGER")?,
        (None, Some(l)) => {
            let at = Location::parse(std::ffi::OsStr::new(l))
                .with_context(|| format!("the plan's `ledger` ({})", plan.path.display()))?;
            match at {
                Location::File(p) => {
                    Location::File(plan.path.parent().unwrap_or(Path::new("")).join(p))
                }
                url => url,
            }
        }
        (None, None) => Location::File(default_path(&plan.path)),
    };
    Ok(location)
}

/// Who is running signoff, for the ledger.
pub fn user() -> String {
    signoff::approve::login_name().unwrap_or_else(|| "unknown".into())
}

/// The errors of each failing file, by path relative to the delivery root
/// (`check -v` lists them under their deliverable).
pub type FileErrors = BTreeMap<RelPath, FileDetail>;

/// What `-v` shows under a file: its errors, or why it could not be read.
#[derive(Debug, Clone, Default)]
pub struct FileDetail {
    /// Its failed error-severity rules.
    pub errors: Vec<Finding>,
    /// Why it could not be read, when it could not.
    pub problem: Option<String>,
}

/// How much of the board people see.
#[derive(Debug, Clone, Copy, Default)]
pub struct View<'a> {
    /// Each failing file's errors (`-v`).
    pub errors: Option<&'a FileErrors>,
    /// Only the deliverables that need action, and the totals (`--quiet`).
    pub only_problems: bool,
}

/// Prints the board in `format`, naming `command` (`check` or `status`) in the JSON envelope, with `view`.
pub fn print_as(
    command: &str,
    ctx: &PlanContext,
    report: &BoardReport,
    policy: &FailPolicy,
    format: Format,
    view: View,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    if format == Format::Json {
        let doc = document::envelope(
            command,
            BoardDoc {
                plan: ctx.plan.path.to_string_lossy().into_owned(),
                ledger: match ctx.ledger.file() {
                    Some(p) => p.to_string_lossy().into_owned(),
                    None => ctx.ledger.to_string(),
                },
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
    human(ctx, report, policy, view, out)?;
    Ok(())
}

/// The widths of the board's columns, in display columns, from what they hold.
struct Columns {
    id: usize,
    state: usize,
    owner: usize,
}

impl Columns {
    fn of(rows: &[&DeliverableStatus]) -> Columns {
        let owners: Vec<String> = rows
            .iter()
            .map(|d| terminal(d.owner.as_deref().unwrap_or_default()).into_owned())
            .collect();
        let ids: Vec<String> = rows.iter().map(|d| terminal(&d.id).into_owned()).collect();
        let states: Vec<String> = rows.iter().map(|d| state_cell(d)).collect();
        Columns {
            id: widest(ids.iter().map(String::as_str), 11),
            state: widest(states.iter().map(String::as_str), 5),
            owner: widest(owners.iter().map(String::as_str), 5),
        }
    }
}

/// Whether a deliverable needs action (anything but passing or approved).
fn needs_action(d: &DeliverableStatus) -> bool {
    d.states
        .iter()
        .any(|s| !matches!(s, State::Passing | State::Approved))
}

fn human(
    ctx: &PlanContext,
    r: &BoardReport,
    policy: &FailPolicy,
    view: View,
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
        paint(Tone::Strong, &terminal(&p.title)),
        format_date(ctx.today)
    )?;
    let line = format!(
        "plan {}  ·  ledger {}  ·  run {} ({} files reused, {} analysed)",
        terminal(&shown(&ctx.plan.path)),
        terminal(&ctx.ledger_shown()),
        r.run_id,
        r.reused_files,
        r.analysed_files
    );
    writeln!(out, "{}", paint(Tone::Dim, &line))?;
    if let Some(at) = &r.checked_at {
        writeln!(out, "last check {}", terminal(at))?;
    }
    writeln!(out)?;
    let rows: Vec<&DeliverableStatus> = r
        .deliverables
        .iter()
        .filter(|d| !view.only_problems || needs_action(d))
        .collect();
    let cols = Columns::of(&rows);
    let header = format!(
        "{}  {}  {:>5}  {}  DUE",
        pad("DELIVERABLE", cols.id),
        pad("STATE", cols.state),
        "FILES",
        pad("OWNER", cols.owner)
    );
    writeln!(out, "{}", paint(Tone::Strong, &header))?;
    for d in rows {
        row(out, d, &cols, &r.changed_since_check, view.errors)?;
    }
    if !view.only_problems {
        extras(out, r)?;
    }
    writeln!(out)?;
    writeln!(out, "{}", tally(&r.deliverables))?;
    writeln!(out, "{}", headline(&r.decide(policy)))
}

/// The run's headline, coloured by its verdict.
pub fn headline(outcome: &signoff::policy::Decision) -> String {
    let tone = match outcome.verdict {
        signoff::policy::RunVerdict::Pass => Tone::Good,
        signoff::policy::RunVerdict::NotEvaluated => Tone::Warn,
        _ => Tone::Bad,
    };
    paint(tone, &outcome.headline())
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
    cols: &Columns,
    changes: &[signoff::disk::DiskChange],
    errors: Option<&FileErrors>,
) -> std::io::Result<()> {
    let files = format!("{}/{}", d.files.len(), d.expected_files);
    let owner = d.owner.as_deref().map(terminal).unwrap_or_default();
    let state = state_parts(d)
        .into_iter()
        .map(|(tone, text)| paint(tone, &text))
        .collect::<Vec<_>>()
        .join(", ");
    let state_pad = " ".repeat(
        cols.state
            .saturating_sub(super::style::width(&state_cell(d))),
    );
    writeln!(
        out,
        "{}  {state}{state_pad}  {files:>5}  {}  {}",
        pad(&terminal(&d.id), cols.id),
        pad(&owner, cols.owner),
        terminal(d.due.as_deref().unwrap_or("-"))
    )?;
    let indent = " ".repeat(cols.id);
    for c in r_changes(d, changes) {
        writeln!(out, "{indent}  {}", terminal(&c))?;
    }
    for (line, tone) in details(d, errors) {
        let line = terminal(&line);
        match tone {
            Some(t) => writeln!(out, "{indent}  {}", paint(t, &line))?,
            None => writeln!(out, "{indent}  {line}")?,
        }
    }
    Ok(())
}

/// The tone of a state on the terminal.
fn tone_of(s: State) -> Tone {
    match s {
        State::Missing | State::Failing | State::Overdue => Tone::Bad,
        State::Incomplete | State::ApprovalStale => Tone::Warn,
        State::Passing | State::Approved => Tone::Good,
    }
}

/// The state column: primary state with its numbers, then the other states.
pub fn state_cell(d: &DeliverableStatus) -> String {
    state_parts(d)
        .into_iter()
        .map(|(_, text)| text)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Each state of the state column with its tone.
fn state_parts(d: &DeliverableStatus) -> Vec<(Tone, String)> {
    let mut parts = Vec::new();
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
        parts.push((tone_of(*s), format!("{word}{extra}")));
    }
    parts
}

/// A path as the operator knows it: relative to the current folder when inside it.
pub fn shown(path: &std::path::Path) -> String {
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

/// One error of a failing file, for `check -v`: rule, where, message.
fn error_line(f: &Finding) -> String {
    let at = f
        .timecode_to_show()
        .map(|t| format!(" at {t}"))
        .unwrap_or_default();
    format!("      {}{at}: {}", f.rule_id, f.message)
}

/// The lines under a deliverable's row, each with its tone (None: plain);
/// with `errors`, each failing file's errors under it.
fn details(d: &DeliverableStatus, errors: Option<&FileErrors>) -> Vec<(String, Option<Tone>)> {
    let mut out: Vec<(String, Option<Tone>)> = Vec::new();
    let mut plain = |line: String| out.push((line, None));
    for f in &d.stale_files {
        plain(format!("  changed since approval: {f}"));
    }
    for line in version_lines(d) {
        plain(line);
    }
    for s in &d.missing_sidecars {
        plain(format!("  missing sidecar: {s}"));
    }
    if let Some(c) = &d.pse_certificate {
        plain(format!("  PSE certificate: {c}"));
    }
    if let Some(seal) = &d.seal {
        plain(format!("  manifest: {}", seal.text()));
    }
    for f in &d.findings {
        plain(format!("  {f}"));
    }
    for f in &d.files {
        match (f.outcome.sha256.is_none(), f.outcome.verdict) {
            (true, _) | (_, Some(Verdict::Unreadable)) => {
                out.push((format!("  cannot read: {}", f.path), Some(Tone::Bad)));
                let why = errors.and_then(|e| e.get(&f.path)?.problem.as_deref());
                out.extend(why.map(|w| (format!("      {}", terminal(w)), None)));
            }
            (_, Some(Verdict::Fail)) => {
                let line = format!(
                    "  fails: {} ({} error{})",
                    f.path,
                    f.outcome.errors,
                    plural(f.outcome.errors)
                );
                out.push((line, Some(Tone::Bad)));
                let listed = errors
                    .and_then(|e| e.get(&f.path))
                    .into_iter()
                    .flat_map(|d| &d.errors);
                out.extend(listed.map(|e| (error_line(e), None)));
            }
            _ => {}
        }
        if let Some(p) = &f.outcome.picture {
            out.push((picture_line(d, f, p), None));
        }
    }
    if d.not_evaluated_count > 0 {
        let line = format!(
            "  {} rule{} not evaluated",
            d.not_evaluated_count,
            plural(d.not_evaluated_count)
        );
        out.push((line, Some(Tone::Warn)));
    }
    if let Some(notes) = d.notes_text() {
        let line = format!("  {notes} (signoff note --list {})", d.id);
        out.push((line, Some(Tone::Warn)));
    }
    if let Some(a) = &d.approval {
        let how = a
            .override_reason
            .as_deref()
            .map(|r| format!(" — OVERRIDE: {r}"))
            .unwrap_or_default();
        let role = a
            .role
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        out.push((
            format!("  approved by {}{role} at {}{how}", a.by, a.at),
            Some(Tone::Good),
        ));
    }
    out
}

/// Under a stale approval, each changed file's current version and the
/// approved one (SHA-256, 12 digits): `version now 1a2b3c4d5e6f of
/// picture/FTR.mov; approved 9f8e7d6c5b4a`.
fn version_lines(d: &DeliverableStatus) -> Vec<String> {
    let Some(a) = d.approval.as_ref().filter(|_| !d.stale_files.is_empty()) else {
        return Vec::new();
    };
    let short = |s: &str| s[..12.min(s.len())].to_string();
    d.files
        .iter()
        .filter_map(|f| {
            let now = f.outcome.sha256.as_deref()?;
            let approved = a.files.get(&f.path).map(|s| short(s));
            (approved.as_deref() != Some(&short(now))).then(|| {
                format!(
                    "  version now {} of {}; approved {}",
                    short(now),
                    f.path,
                    approved.unwrap_or_else(|| "none (file added)".into())
                )
            })
        })
        .collect()
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
