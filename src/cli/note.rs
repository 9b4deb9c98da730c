//! `signoff note`: notes at timecodes on a deliverable's current version;
//! list them, change their state, turn a run's findings into notes.

use super::args::Format;
use super::board::PlanArgs;
use super::output;
use signoff::approve::login_name;
use signoff::escape::terminal;
use signoff::review::changes::{change_words, CheckedNote, NoteCheck};
use signoff::review::notes::{Note, NoteKind, NoteState, StateChange};
use signoff::review::session::{self, NoteRequest, ReviewError};
use std::io::Write;
use std::path::PathBuf;

/// What a note is about (`--kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KindFlag {
    /// Cut, performance, grade, mix.
    Creative,
    /// Something technically wrong a person saw or heard.
    Technical,
    /// A QC finding.
    Qc,
}

/// A note's new state (`--set-state ID STATE`).
fn parse_state(s: &str) -> Result<NoteState, String> {
    NoteState::parse(s).ok_or_else(|| format!("{s:?} is not a state: open, addressed or wont-fix"))
}

/// Arguments of `signoff note`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  signoff note feature-master --at 01:00:12:05 \"grade: the sky in shot 3 goes magenta\" --by \"Ana Ruiz\"
  signoff note feature-master --at 01:02:00:00 --to 01:02:04:12 \"dialogue dips under the music\" --by Ana --kind technical
  signoff note --from-findings feature-master --by Ana     the latest run's QC findings become qc notes
  signoff note --list feature-master
  signoff note --set-state 3 addressed --by Bo \"regraded in v2\"
  signoff note --set-state 4 wont-fix --by Ana \"the director keeps it\"

A note is bound to the current version of the deliverable's master: the file (and its
SHA-256) of the latest `signoff check`. Timecodes are the master's own (its start timecode and
frame rate; HH:MM:SS;FF for drop-frame 29.97/59.94); --to is one past the last frame. A
timecode outside the master is refused with its range. Open notes are counted on the board,
and `signoff approve` refuses while any is open unless --override is given.

Exit codes: 0 done; 3 a timecode outside the master, a bad timecode, no such note, or the
master changed on disk since the latest check;
4 no plan, unknown deliverable, or no check in the ledger.")]
pub struct NoteArgs {
    /// The deliverable (with --set-state: the comment).
    #[arg(value_name = "DELIVERABLE")]
    pub deliverable: Option<String>,
    /// What the note says.
    #[arg(value_name = "TEXT")]
    pub text: Option<String>,
    /// Where the note starts, in the master's timecode.
    #[arg(long, value_name = "TC")]
    pub at: Option<String>,
    /// Where it ends (one past the last frame; default: one frame).
    #[arg(long, value_name = "TC", requires = "at")]
    pub to: Option<String>,
    /// Who writes it or changes it (default: the login name).
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    /// What it is about.
    #[arg(long, value_enum, default_value_t = KindFlag::Creative)]
    pub kind: KindFlag,
    /// List the notes (of DELIVERABLE, or all).
    #[arg(long, conflicts_with_all = ["at", "set_state", "from_findings"])]
    pub list: bool,
    /// Change note ID's state: open, addressed or wont-fix (a comment may follow).
    #[arg(long, num_args = 2, value_names = ["ID", "STATE"], conflicts_with_all = ["at", "from_findings"])]
    pub set_state: Option<Vec<String>>,
    /// Turn the latest run's QC findings with a position into qc notes (running it again adds nothing).
    #[arg(long, conflicts_with = "at")]
    pub from_findings: bool,
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

/// Runs `signoff note`.
pub fn run(args: &NoteArgs) -> anyhow::Result<u8> {
    let ctx = args.plan.load_at(args.root.as_deref())?;
    let mut ledger = ctx.open_ledger()?;
    let now = signoff::delivery::now_utc();
    let (action, notes, already) = match act(args, &ctx, &mut ledger, &now) {
        Ok(done) => done,
        Err(Failure::Usage(e)) => {
            eprintln!("signoff: {}", terminal(&e.to_string()));
            return Ok(signoff::exit::USAGE);
        }
        Err(Failure::Other(e)) => return Err(e),
    };
    let checks = session::check_notes(&ctx.plan, &ledger, ctx.today, &notes)?;
    let checked: Vec<CheckedNote> = notes
        .iter()
        .zip(&checks)
        .map(|(note, c)| CheckedNote {
            note,
            version_check: c.as_ref(),
        })
        .collect();
    let mut out = output::stdout();
    if args.format == Format::Json {
        use signoff::document::{envelope, to_json, NotesDoc};
        let doc = NotesDoc {
            action,
            notes: &checked,
            already_noted: already,
        };
        out.write_all(to_json(&envelope("note", doc))?.as_bytes())?;
    } else {
        print_human(&mut out, action, &checked, already)?;
    }
    out.flush()?;
    Ok(signoff::exit::OK)
}

enum Failure {
    Usage(String),
    Other(anyhow::Error),
}

impl From<ReviewError> for Failure {
    fn from(e: ReviewError) -> Self {
        if e.is_usage() {
            Failure::Usage(e.to_string())
        } else {
            Failure::Other(e.into())
        }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

type Done = (&'static str, Vec<Note>, Option<usize>);

fn who(args: &NoteArgs) -> Result<String, Failure> {
    args.by.clone().or_else(login_name).ok_or_else(|| {
        Failure::Usage("no login name found for who writes the note; say who with --by NAME".into())
    })
}

fn act(
    args: &NoteArgs,
    ctx: &super::board::PlanContext,
    ledger: &mut signoff::ledger::Ledger,
    now: &str,
) -> Result<Done, Failure> {
    if args.list {
        let notes = session::list(&ctx.plan, ledger, args.deliverable.as_deref())?;
        return Ok(("list", notes, None));
    }
    if let Some(v) = &args.set_state {
        let id: i64 = v[0]
            .parse()
            .map_err(|_| Failure::Usage(format!("--set-state: {:?} is not a note number", v[0])))?;
        let state = parse_state(&v[1]).map_err(Failure::Usage)?;
        let change = StateChange {
            state,
            by: who(args)?,
            at: now.to_string(),
            comment: args.deliverable.clone().or_else(|| args.text.clone()),
        };
        let note = session::set_state(ledger, id, &change)?;
        return Ok(("set_state", vec![note], None));
    }
    let Some(deliverable) = args.deliverable.clone() else {
        return Err(Failure::Usage("say which deliverable: signoff note DELIVERABLE --at TC \"text\" (or --list, --set-state ID STATE)".into()));
    };
    if args.from_findings {
        let by = who(args)?;
        let done = session::notes_from_run(&ctx.plan, ledger, ctx.today, &deliverable, &by, now)?;
        return Ok(("from_findings", done.added, Some(done.already)));
    }
    let (Some(at), Some(text)) = (args.at.clone(), args.text.clone()) else {
        return Err(Failure::Usage("a note needs --at TC and its text: signoff note DELIVERABLE --at TC \"text\" --by NAME".into()));
    };
    let req = NoteRequest {
        deliverable,
        at,
        to: args.to.clone(),
        text,
        by: who(args)?,
        kind: match args.kind {
            KindFlag::Creative => NoteKind::Creative,
            KindFlag::Technical => NoteKind::Technical,
            KindFlag::Qc => NoteKind::Qc,
        },
        now: now.to_string(),
    };
    let note = session::add_note(&ctx.plan, ledger, ctx.today, &req)?;
    Ok(("add", vec![note], None))
}

fn print_human(
    out: &mut impl Write,
    action: &str,
    notes: &[CheckedNote],
    already: Option<usize>,
) -> std::io::Result<()> {
    match action {
        "add" => writeln!(out, "noted:")?,
        "set_state" => writeln!(out, "changed:")?,
        "from_findings" => writeln!(
            out,
            "{} finding(s) became notes; {} already were",
            notes.len(),
            already.unwrap_or(0)
        )?,
        _ if notes.is_empty() => writeln!(out, "no notes")?,
        _ => {}
    }
    for n in notes {
        print_note(out, n.note, n.version_check)?;
    }
    Ok(())
}

/// `#3  open  creative  01:00:12:05–01:00:12:06  feature-master  by Ana  text`, then
/// `    on picture/FTR.mov (version 1a2b3c4d5e6f)`, how its range fared in the
/// current version (`range changed in v2 — addressed?`) and each state change.
fn print_note(out: &mut impl Write, n: &Note, check: Option<&NoteCheck>) -> std::io::Result<()> {
    let range = if n.end_frame > n.start_frame + 1 {
        format!("{}–{}", n.start_timecode, n.end_timecode)
    } else {
        n.start_timecode.clone()
    };
    writeln!(
        out,
        "  #{:<4} {:<10} {:<9} {:<25} {}  by {}  {}",
        n.id,
        n.state.word(),
        n.kind.as_str(),
        range,
        terminal(&n.deliverable),
        terminal(&n.by),
        terminal(&n.text)
    )?;
    writeln!(
        out,
        "         on {} (version {})",
        terminal(&n.path.display()),
        &n.sha256[..12.min(n.sha256.len())]
    )?;
    if let Some(c) = check {
        let mut what: Vec<String> = c.changes.iter().map(change_words).collect();
        if let Some(g) = c.level_change_db {
            what.push(format!("sound level {g:+.1} dB throughout"));
        }
        let what = if what.is_empty() {
            String::new()
        } else {
            format!(" ({})", terminal(&what.join(", ")))
        };
        writeln!(out, "         {}{what}", terminal(&c.message))?;
    }
    for c in &n.state_changes {
        let comment = c
            .comment
            .as_deref()
            .map(|s| format!(": {}", terminal(s)))
            .unwrap_or_default();
        writeln!(
            out,
            "         {} {} by {}{comment}",
            terminal(&c.at),
            c.state.word(),
            terminal(&c.by)
        )?;
    }
    Ok(())
}
