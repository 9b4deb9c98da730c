//! `signoff hash FILE|DIR…`: sha256sum-compatible checksum lines (or JSON) from one read per file, and `hash -c LIST` to check them.

use super::args::{Format, WalkFlags};
use super::progress::{should_draw, Bar, Terminal};
use super::scan::default_jobs;
use signoff::digest::run::{
    check_list, hash_paths, CheckOptions, HashOptions, HashedFile, ListCheck,
};
use signoff::digest::sidecar::{format_line, format_tagged};
use signoff::digest::Algo;
use signoff::escape::terminal;
use signoff::paths::RelPath;
use std::io::{IsTerminal, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::sync::Arc;

/// Arguments of `signoff hash`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Every file is read once, read-only; every algorithm asked for is computed
from that one read. Folders are walked as `scan` walks them (hidden files
included, links listed but not followed unless --follow-links).

Output: with one algorithm, `DIGEST  PATH` lines as sha256sum/md5sum write
them (`sha256sum -c` reads them back); with several (or --tag), BSD-style
`SHA256 (PATH) = DIGEST` lines, one per algorithm, as `sha256sum --tag`
writes. A path holding a backslash or a newline is written as coreutils
does (line starts with `\\`, `\\\\` and `\\n` inside). Paths are written byte
for byte when the output is a file or a pipe; on a terminal, control
characters are shown escaped.

-c LIST reads a checksum list (sha256sum, md5sum, BSD tags, or a bare digest
in FILE.md5) and checks every file it names; listed paths are relative to
the list's folder (--base to change). Nothing is written.

Examples:
  signoff hash FEATURE > FEATURE.sha256
  signoff hash --algo md5 master.mov > master.mov.md5
  signoff hash --algo sha256,xxh128,md5 FEATURE
  signoff hash -c FEATURE.sha256
  signoff hash --format json FEATURE

Exit codes: 0 every file hashed (-c: every line OK); 1 (-c) a file differs,
is missing, or a line is not a checksum line; 2 a file could not be read
or changed while it was read; 3 usage error; 4 a path cannot be read.")]
pub struct HashArgs {
    /// Files or folders to hash.
    #[arg(value_name = "PATH", required_unless_present = "check")]
    pub paths: Vec<PathBuf>,
    /// Algorithms, comma-separated: sha256 (default), xxh128, xxh3, xxh64, md5, sha1, c4.
    #[arg(long, short, value_delimiter = ',', value_name = "ALGO")]
    pub algo: Vec<Algo>,
    /// BSD-style tagged lines (`SHA256 (path) = …`) even for one algorithm.
    #[arg(long)]
    pub tag: bool,
    /// Check the checksum list LIST instead of hashing.
    #[arg(long, short, value_name = "LIST", conflicts_with_all = ["paths", "tag"])]
    pub check: Option<PathBuf>,
    /// With --check: the folder listed paths are relative to (default: the list's folder).
    #[arg(long, value_name = "DIR", requires = "check")]
    pub base: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Walking and progress.
    #[command(flatten)]
    pub walk: WalkFlags,
}

/// Runs `signoff hash`.
pub fn run(args: &HashArgs) -> anyhow::Result<u8> {
    let json = args.format == Format::Json;
    let bar = Arc::new(Bar::new(
        should_draw(Terminal::detect(), args.walk.quiet, json),
        "hashing",
    ));
    let jobs = args.walk.jobs.unwrap_or_else(default_jobs);
    let code = match &args.check {
        Some(list) => check(args, list, jobs, &bar),
        None => hash(args, jobs, &bar),
    };
    bar.finish();
    code
}

fn setup_error(e: signoff::error::Error) -> u8 {
    let chain = anyhow::Error::from(e)
        .chain()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(": ");
    eprintln!("signoff: error: {}", terminal(&chain));
    signoff::exit::SETUP
}

fn hash(args: &HashArgs, jobs: usize, bar: &Arc<Bar>) -> anyhow::Result<u8> {
    let algos = if args.algo.is_empty() {
        vec![Algo::Sha256]
    } else {
        args.algo.clone()
    };
    let opts = HashOptions {
        algos: algos.clone(),
        follow_links: args.walk.follow_links,
        jobs,
    };
    let json = args.format == Format::Json;
    let tagged = args.tag || {
        let mut distinct = algos.clone();
        distinct.sort();
        distinct.dedup();
        distinct.len() > 1
    };
    let tty = std::io::stdout().is_terminal();
    let mut out = super::output::stdout();
    let mut write_err: Option<std::io::Error> = None;
    let mut each = |f: &HashedFile| {
        if json || write_err.is_some() {
            return;
        }
        if let Err(e) = write_lines(&mut out, f, tagged, tty) {
            write_err = Some(e);
        }
    };
    let files = match hash_paths(&args.paths, &opts, bar.clone(), &mut each) {
        Ok(files) => files,
        Err(e) => return Ok(setup_error(e)),
    };
    if let Some(e) = write_err {
        return Err(e.into());
    }
    if json {
        let doc = signoff::document::envelope(
            "hash",
            signoff::document::HashDoc {
                algos: &algos,
                files: &files,
            },
        );
        out.write_all(signoff::document::to_json(&doc)?.as_bytes())?;
    }
    out.flush()?;
    Ok(if files.iter().any(|f| f.problem.is_some()) {
        signoff::exit::UNREADABLE
    } else {
        signoff::exit::OK
    })
}

/// The checksum lines of one file, or its problem on stderr.
fn write_lines(
    out: &mut impl Write,
    f: &HashedFile,
    tagged: bool,
    tty: bool,
) -> std::io::Result<()> {
    let shown = || terminal(&RelPath::from_path(&f.raw_path).display()).into_owned();
    if let Some(p) = &f.problem {
        out.flush()?;
        eprintln!("signoff: {}: {}", shown(), terminal(&p.message));
        return Ok(());
    }
    if let Some(why) = &f.skipped {
        out.flush()?;
        eprintln!("signoff: {}: skipped: {}", shown(), terminal(why));
        return Ok(());
    }
    let owned;
    let path: &[u8] = if tty {
        owned = shown();
        owned.as_bytes()
    } else {
        f.raw_path.as_os_str().as_bytes()
    };
    for (algo, digest) in &f.digests {
        let line = if tagged {
            format_tagged(*algo, digest, path)
        } else {
            format_line(digest, path)
        };
        out.write_all(&line)?;
    }
    Ok(())
}

fn check(
    args: &HashArgs,
    list: &std::path::Path,
    jobs: usize,
    bar: &Arc<Bar>,
) -> anyhow::Result<u8> {
    if args.algo.len() > 1 {
        eprintln!(
            "signoff: error: --check takes at most one --algo (for the list's untagged lines)"
        );
        return Ok(signoff::exit::USAGE);
    }
    let opts = CheckOptions {
        algo: args.algo.first().copied(),
        base: args.base.clone(),
        jobs,
    };
    let result = match check_list(list, &opts, bar.clone()) {
        Ok(r) => r,
        Err(e) => return Ok(setup_error(e)),
    };
    bar.finish();
    let mut out = super::output::stdout();
    if args.format == Format::Json {
        let doc = signoff::document::envelope("hash check", &result);
        out.write_all(signoff::document::to_json(&doc)?.as_bytes())?;
    } else {
        render_check(&mut out, &result)?;
    }
    out.flush()?;
    Ok(check_exit(&result))
}

/// 2 when a file could not be read, else 1 when anything failed, else 0.
fn check_exit(r: &ListCheck) -> u8 {
    if r.counts.unreadable > 0 {
        signoff::exit::UNREADABLE
    } else if !r.all_ok() {
        signoff::exit::QC_FAILED
    } else {
        signoff::exit::OK
    }
}

fn render_check(out: &mut impl Write, r: &ListCheck) -> std::io::Result<()> {
    for l in &r.lines {
        let path = terminal(&RelPath::from_path(&l.raw_path).display()).into_owned();
        match &l.message {
            Some(m) => writeln!(out, "{path}: {} ({})", l.status.word(), terminal(m))?,
            None => writeln!(out, "{path}: {}", l.status.word())?,
        }
    }
    let list = terminal(&r.list).into_owned();
    for m in &r.malformed {
        writeln!(
            out,
            "{list}:{}: not a checksum line: {}",
            m.line,
            terminal(&m.message)
        )?;
    }
    let c = &r.counts;
    let mut notes = Vec::new();
    for (n, what) in [
        (c.failed, "did not match".to_string()),
        (c.missing, "missing".to_string()),
        (c.unreadable, "could not be read".to_string()),
        (
            c.malformed,
            format!("malformed line{}", if c.malformed == 1 { "" } else { "s" }),
        ),
    ] {
        if n > 0 {
            notes.push(format!("{n} {what}"));
        }
    }
    if notes.is_empty() {
        writeln!(out, "{} OK", plural(c.ok, "checksum"))?;
    } else {
        writeln!(out, "{} OK; {}", plural(c.ok, "checksum"), notes.join(", "))?;
    }
    Ok(())
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
