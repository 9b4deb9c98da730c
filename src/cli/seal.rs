//! `signoff seal ROOT` and `signoff verify ROOT`: ASC MHL v2.0 manifests, written only by `seal` and only when asked.

use super::args::Format;
use super::output;
use signoff::escape::terminal;
use signoff::mhl::check::{FileCheck, State};
use signoff::mhl::model::Format as HashFormat;
use signoff::mhl::seal::{seal, SealOptions, SealReport};
use signoff::mhl::verify::{verify, Counts, VerifyReport};
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

Exit codes: 0 every file verified; 1 any other state or a damaged history; 2 a file could not
be read; 4 no ASC MHL history in ROOT.")]
pub struct VerifyArgs {
    /// The delivered folder (holding `ascmhl/`).
    pub root: PathBuf,
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

/// Runs `signoff verify`.
pub fn run_verify(args: &VerifyArgs) -> anyhow::Result<u8> {
    let report = match verify(&args.root) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("signoff: {}", terminal(&e.to_string()));
            return Ok(signoff::exit::SETUP);
        }
    };
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
            "  history      {}{at}: {}",
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
    writeln!(
        out,
        "{root}: ASC MHL history, {} generation(s)",
        r.generation
    )?;
    problem_lines(out, &r.problems)?;
    file_lines(out, &r.files, |s| s != State::Verified)?;
    writeln!(out, "{}", counts_line(&r.counts))?;
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
            "FAIL: {n} file(s) not verified, {} history problem(s)",
            r.problems.len()
        )?;
    }
    Ok(())
}
