//! `signoff seal ROOT` and `signoff verify ROOT`: ASC MHL v2.0 manifests, written only by `seal` and only when asked.

use super::args::Format;
use super::output;
use signoff::board::Approval;
use signoff::escape::terminal;
use signoff::mhl::arrival::{compare, Arrival, ArrivalState};
use signoff::mhl::check::{FileCheck, State};
use signoff::mhl::model::Format as HashFormat;
use signoff::mhl::seal::{seal, SealOptions, SealReport};
use signoff::mhl::verify::{verify_with, Counts, VerifyReport};
use signoff::paths::RelPath;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;

/// An `--algo` value.
pub fn parse_format(s: &str) -> Result<HashFormat, String> {
    HashFormat::parse(s).ok_or_else(|| {
        format!("`{s}` is not an ASC MHL hash format (c4, md5, sha1, xxh128, xxh3, xxh64)")
    })
}

/// Arguments of `signoff seal`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Writes one ASC MHL v2.0 generation into ROOT/ascmhl/ (NNNN_<root>_<date>.mhl) and updates
ROOT/ascmhl/ascmhl_chain.xml. A folder that already has a history is verified against it first;
when any recorded file changed or is missing, or the history itself is damaged, nothing is
written unless --allow-failed (the reference tool writes anyway). A file that cannot be hashed
or named exactly in XML is never sealed.

Examples:
  signoff seal /mnt/DELIVERY --by \"Jo Editor\"
  signoff seal /mnt/DELIVERY --algo xxh128,md5 --ignore '*.tmp'

Exit codes: 0 sealed; 1 not sealed (or sealed with --allow-failed over failures);
2 a file could not be read; 4 ROOT is not a folder or the history could not be written.")]
pub struct SealArgs {
    /// The folder to seal.
    pub root: PathBuf,
    /// Hash formats to record, every one from one read of each file.
    #[arg(long = "algo", value_name = "FORMAT", value_delimiter = ',', default_value = "xxh128", value_parser = parse_format)]
    pub algo: Vec<HashFormat>,
    /// The author recorded in the generation's creator info.
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    /// More ignore patterns (gitignore syntax, as ASC MHL records them); `.DS_Store`, `ascmhl/` and signoff's own plan and ledger are always ignored.
    #[arg(long = "ignore", value_name = "PATTERN")]
    pub ignore: Vec<String>,
    /// Write the generation even when verification against the history failed, recording failed hashes.
    #[arg(long)]
    pub allow_failed: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// Arguments of `signoff verify`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Reads ROOT/ascmhl/ (every generation and the chain) and hashes every file of ROOT, read-only;
writes nothing. Each file is verified, changed, missing, new, unreadable or unrecordable.
Stricter than the reference tool: a hash without an action, a file dropped from a later
generation, a chain entry whose C4 ID does not match and a generation missing from the chain
all fail, with file, line and column.

Examples:
  signoff verify /mnt/DELIVERY
  signoff verify /mnt/DELIVERY --format json

With a plan (--plan, or a signoff.toml in ROOT) and its ledger, it also says per deliverable
whether what arrived is what was approved: the SHA-256 of every approved file, taken in the
same read, against the approval's. The ledger is read from a private copy (nothing in ROOT changes).

Exit codes: 0 every file verified (and every approved deliverable arrived as approved); 1 any
other state, a damaged history, or an approved file that differs; 2 a file could not be read;
4 no ASC MHL history in ROOT.")]
pub struct VerifyArgs {
    /// The delivered folder (holding `ascmhl/`).
    pub root: PathBuf,
    /// The delivery plan, to compare with its approvals (default: ROOT/signoff.toml when present).
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// The ledger holding the approvals: a SQLite file (read from a private copy) or a postgres:// URL (read-only); default: the plan's `ledger`, else signoff.ledger.sqlite beside the plan.
    #[arg(long, env = "SIGNOFF_LEDGER", value_name = "FILE|URL")]
    pub ledger: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// Runs `signoff seal`.
pub fn run_seal(args: &SealArgs) -> anyhow::Result<u8> {
    let opts = SealOptions {
        formats: args.algo.clone(),
        author: args.by.clone(),
        hostname: signoff::report::model::host_name().unwrap_or_else(|| "unknown".into()),
        now: time::OffsetDateTime::now_utc(),
        ignores: args.ignore.clone(),
        allow_failed: args.allow_failed,
        expect_sha256: Default::default(),
    };
    let report = seal(&args.root, &opts)?;
    let code = seal_code(&report);
    let mut out = output::stdout();
    if args.format == Format::Json {
        let doc = signoff::document::envelope("seal", &report);
        out.write_all(signoff::document::to_json(&doc)?.as_bytes())?;
    } else {
        print_seal(&mut out, &args.root, &report)?;
    }
    out.flush()?;
    Ok(code)
}

/// The plan's deliverable ids and the approvals to compare with; `Err` says why none can be.
struct Approvals {
    ids: Vec<String>,
    root: Option<PathBuf>,
    latest: BTreeMap<String, Approval>,
    not_evaluated: Option<String>,
}

fn load_approvals(args: &VerifyArgs) -> anyhow::Result<Option<Approvals>> {
    let plan_path = match &args.plan {
        Some(p) => p.clone(),
        None => args.root.join(signoff::plan::PLAN_FILE),
    };
    if args.plan.is_none() && !plan_path.is_file() {
        return Ok(None);
    }
    let registry = signoff::spec::Registry::with_dir(None)?;
    let plan = signoff::plan::load(&plan_path, &registry)?;
    let ids: Vec<String> = plan
        .plan
        .deliverables
        .iter()
        .map(|d| d.id.clone())
        .collect();
    let location = super::board::ledger_of(args.ledger.as_deref(), &plan)?;
    let mut out = Approvals {
        ids,
        root: None,
        latest: BTreeMap::new(),
        not_evaluated: None,
    };
    let mut copy = None;
    let ledger = match &location {
        signoff::ledger::Location::File(path) => {
            if !path.is_file() {
                out.not_evaluated = Some(format!(
                    "no ledger at {}: approvals not compared",
                    path.display()
                ));
                return Ok(Some(out));
            }
            // SQLite creates -wal/-shm files beside a WAL database even when it is
            // opened read-only: read a private copy, so nothing in the delivery changes.
            let copy = copy.insert(LedgerCopy::of(path)?);
            signoff::ledger::Ledger::open_read_only(&signoff::ledger::Location::File(
                copy.path.clone(),
            ))?
        }
        // A server's ledger is read in read-only transactions: nothing to copy.
        url => signoff::ledger::Ledger::open_read_only(url)?,
    };
    let roots = ledger.approval_roots()?;
    let here = std::fs::canonicalize(&args.root).ok();
    let root = match (here, roots.as_slice()) {
        (_, []) => None,
        (Some(h), _) if roots.contains(&h) => Some(h),
        (_, [one]) => Some(one.clone()),
        _ => {
            out.not_evaluated = Some(format!(
                "the ledger holds approvals for {} delivery roots, none of them this folder: approvals not compared",
                roots.len()
            ));
            return Ok(Some(out));
        }
    };
    if let Some(r) = &root {
        out.latest = ledger.latest_approvals(r, &out.ids)?;
    }
    out.root = root;
    Ok(Some(out))
}

/// Runs `signoff verify`.
pub fn run_verify(args: &VerifyArgs) -> anyhow::Result<u8> {
    let approvals = load_approvals(args)?;
    let sha256_for: BTreeSet<RelPath> = approvals
        .iter()
        .flat_map(|a| a.latest.values())
        .flat_map(|a| a.files.keys().cloned())
        .collect();
    let mut report = match verify_with(&args.root, &sha256_for) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("signoff: {}", terminal(&e.to_string()));
            return Ok(signoff::exit::SETUP);
        }
    };
    if let Some(a) = approvals {
        let arrival = Arrival {
            approved_root: a.root.as_ref().map(|r| r.display().to_string()),
            not_evaluated: a.not_evaluated,
            deliverables: compare(&a.ids, &a.latest, &report.files),
        };
        report.verified &= arrival
            .deliverables
            .iter()
            .all(|d| d.state != ArrivalState::Differs);
        report.approvals = Some(arrival);
    }
    let code = verify_code(&report);
    let mut out = output::stdout();
    if args.format == Format::Json {
        let doc = signoff::document::envelope("verify", &report);
        out.write_all(signoff::document::to_json(&doc)?.as_bytes())?;
    } else {
        print_verify(&mut out, &args.root, &report)?;
    }
    out.flush()?;
    Ok(code)
}

fn seal_code(r: &SealReport) -> u8 {
    if r.counts.unreadable > 0 {
        signoff::exit::UNREADABLE
    } else if r.clean() {
        signoff::exit::OK
    } else {
        signoff::exit::QC_FAILED
    }
}

fn verify_code(r: &VerifyReport) -> u8 {
    if r.counts.unreadable > 0 {
        signoff::exit::UNREADABLE
    } else if r.verified {
        signoff::exit::OK
    } else {
        signoff::exit::QC_FAILED
    }
}

fn counts_line(c: &Counts) -> String {
    let parts = [
        (c.verified, "verified"),
        (c.changed, "changed"),
        (c.missing, "missing"),
        (c.new, "new"),
        (c.unreadable, "unreadable"),
        (c.unrecordable, "unrecordable"),
    ];
    let total = parts.iter().map(|(n, _)| n).sum::<usize>();
    let words: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| format!("{n} {w}"))
        .collect();
    let words = if words.is_empty() {
        "none".to_string()
    } else {
        words.join(", ")
    };
    format!("{total} file(s): {words}")
}

fn file_lines(
    out: &mut impl Write,
    files: &[FileCheck],
    show: impl Fn(State) -> bool,
) -> std::io::Result<()> {
    for f in files.iter().filter(|f| show(f.state)) {
        writeln!(
            out,
            "  {:<12} {}",
            f.state.name(),
            terminal(&f.path.display())
        )?;
        for part in f.reason.iter().flat_map(|r| r.split("; ")) {
            writeln!(out, "  {:<12}   {}", "", terminal(part))?;
        }
    }
    Ok(())
}

fn problem_lines(
    out: &mut impl Write,
    problems: &[signoff::mhl::history::Problem],
) -> std::io::Result<()> {
    for p in problems {
        let at = match (p.line, p.column) {
            (Some(l), Some(c)) => format!(":{l}:{c}"),
            _ => String::new(),
        };
        writeln!(
            out,
            "  manifest     {}{at}: {}",
            terminal(&p.file),
            terminal(&p.message)
        )?;
    }
    Ok(())
}

/// The human output of a seal.
pub fn print_seal(
    out: &mut impl Write,
    root: &std::path::Path,
    r: &SealReport,
) -> std::io::Result<()> {
    let formats: Vec<&str> = r.formats.iter().map(|f| f.name()).collect();
    let root = terminal(&root.display().to_string()).into_owned();
    if r.written {
        writeln!(
            out,
            "sealed {root}: generation {} ({})",
            r.generation,
            formats.join(", ")
        )?;
        writeln!(out, "  {}", terminal(&r.manifest))?;
    } else {
        writeln!(out, "NOT SEALED {root}: nothing written")?;
    }
    problem_lines(out, &r.problems)?;
    file_lines(out, &r.files, |s| {
        !matches!(s, State::Verified | State::New)
    })?;
    writeln!(out, "{}", counts_line(&r.counts))?;
    for why in &r.refused {
        writeln!(out, "not sealed: {}", terminal(why))?;
    }
    Ok(())
}

fn print_verify(
    out: &mut impl Write,
    root: &std::path::Path,
    r: &VerifyReport,
) -> std::io::Result<()> {
    let root = terminal(&root.display().to_string()).into_owned();
    match r.manifest.as_str() {
        "ascmhl" => writeln!(
            out,
            "{root}: ASC MHL history, {} generation(s)",
            r.generation
        )?,
        kind => {
            let sources: Vec<String> = r
                .sources
                .iter()
                .map(|p| terminal(&p.display()).into_owned())
                .collect();
            writeln!(out, "{root}: {kind} ({})", sources.join(", "))?
        }
    }
    problem_lines(out, &r.problems)?;
    file_lines(out, &r.files, |s| s != State::Verified)?;
    writeln!(out, "{}", counts_line(&r.counts))?;
    if let Some(a) = &r.approvals {
        arrival_lines(out, a)?;
    }
    if r.verified {
        writeln!(out, "VERIFIED: every file matches the newest record of it")?;
    } else {
        let n = r
            .files
            .iter()
            .filter(|f| f.state != State::Verified)
            .count();
        writeln!(
            out,
            "FAIL: {n} file(s) not verified, {} manifest problem(s)",
            r.problems.len()
        )?;
    }
    Ok(())
}

fn arrival_lines(out: &mut impl Write, a: &Arrival) -> std::io::Result<()> {
    if let Some(why) = &a.not_evaluated {
        return writeln!(out, "approvals: not evaluated: {}", terminal(why));
    }
    let from = a
        .approved_root
        .as_deref()
        .map(|r| format!(" (approved at {})", terminal(r)))
        .unwrap_or_default();
    writeln!(out, "approvals{from}:")?;
    for d in &a.deliverables {
        let what = match d.state {
            ArrivalState::AsApproved => format!(
                "arrived as approved by {} at {}",
                terminal(d.approved_by.as_deref().unwrap_or("")),
                terminal(d.approved_at.as_deref().unwrap_or(""))
            ),
            ArrivalState::Differs => "NOT AS APPROVED".to_string(),
            ArrivalState::NotApproved => "not approved".to_string(),
        };
        writeln!(out, "  {:<20} {what}", terminal(&d.deliverable))?;
        for diff in &d.differences {
            writeln!(out, "  {:<20}   {}", "", terminal(diff))?;
        }
    }
    Ok(())
}

/// A private copy of a ledger (and its write-ahead log, if any) in the
/// temporary folder, removed when dropped.
struct LedgerCopy {
    dir: PathBuf,
    path: PathBuf,
}

impl LedgerCopy {
    fn of(ledger: &std::path::Path) -> anyhow::Result<LedgerCopy> {
        use anyhow::Context;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir =
            std::env::temp_dir().join(format!("signoff-verify-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&dir).with_context(|| format!("failed to create {}", dir.display()))?;
        let copy = LedgerCopy {
            path: dir.join("ledger.sqlite"),
            dir,
        };
        std::fs::copy(ledger, &copy.path)
            .with_context(|| format!("failed to read {}", ledger.display()))?;
        let mut wal = ledger.as_os_str().to_os_string();
        wal.push("-wal");
        if std::path::Path::new(&wal).is_file() {
            std::fs::copy(&wal, copy.dir.join("ledger.sqlite-wal"))?;
        }
        Ok(copy)
    }
}

impl Drop for LedgerCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
