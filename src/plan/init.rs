//! `signoff plan init`: a starting plan guessed from what a delivery holds.
//!
//! Files are grouped by folder and name pattern (digit runs are treated as
//! a sequence: `REEL1.mov`, `REEL2.mov` → `REEL*.mov`, count 2); each group
//! becomes a deliverable. Profiles and languages are guessed from the folder,
//! extension and name tokens; the user edits the rest.
//!
//! A file that could not be read is never planned silently: its deliverable
//! gets the profile its extension implies (a `.wav` is audio whatever it
//! holds), a note naming it, and [`unreadable_notice`] lists every such file
//! for the plan's header and the terminal. `signoff check` reports them
//! unreadable, which fails their deliverables.

use super::model::{Deliverable, Plan, Project};
use std::collections::BTreeMap;

/// One file seen in the delivery, relative to the root (`/`-separated),
/// with its kind by content (`media`, `caption`, `clutter`…).
#[derive(Debug, Clone)]
pub struct SeenFile {
    /// Path relative to the root.
    pub relative_path: String,
    /// Content kind, lowercase.
    pub kind: String,
    /// Why the file could not be read, when it could not.
    pub problem: Option<String>,
}

/// How many unreadable files [`unreadable_notice`] names one by one.
const NOTICE_NAMED: usize = 20;

/// Lines saying which files could not be read (for the plan's header
/// comment and the terminal); empty when every file was read. Control
/// characters in names are shown escaped, so each line stays one line.
pub fn unreadable_notice(files: &[SeenFile]) -> Vec<String> {
    let bad: Vec<&SeenFile> = files.iter().filter(|f| f.problem.is_some()).collect();
    if bad.is_empty() {
        return Vec::new();
    }
    let files_word = if bad.len() == 1 { "file" } else { "files" };
    let mut lines = vec![format!(
        "UNREADABLE: {} {files_word} could not be read when this plan was written; \
         `signoff check` reports them unreadable (their deliverables fail) until they are replaced:",
        bad.len()
    )];
    for f in bad.iter().take(NOTICE_NAMED) {
        let why = f.problem.as_deref().unwrap_or_default();
        lines.push(one_line(&format!("  {}: {why}", f.relative_path)));
    }
    if bad.len() > NOTICE_NAMED {
        lines.push(format!("  … and {} more", bad.len() - NOTICE_NAMED));
    }
    lines
}

/// `text` with control characters escaped (`\n`, `\u{1b}`): one safe line.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' => "\\n".to_string(),
            '\r' => "\\r".to_string(),
            c if c.is_control() => c.escape_unicode().to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// A plan for the files of a delivery titled `title`; clutter is left out.
pub fn guess_plan(title: &str, files: &[SeenFile]) -> Plan {
    let mut groups: BTreeMap<String, Vec<&SeenFile>> = BTreeMap::new();
    for f in files.iter().filter(|f| f.kind != "clutter") {
        groups
            .entry(pattern_of(&f.relative_path))
            .or_default()
            .push(f);
    }
    let mut used: BTreeMap<String, usize> = BTreeMap::new();
    let deliverables = groups
        .into_iter()
        .map(|(pattern, members)| guess_deliverable(&pattern, &members, &mut used))
        .collect();
    Plan {
        project: Project {
            title: title.to_string(),
            ..Default::default()
        },
        deliverables,
    }
}

/// The file's pattern: digit runs in the name become `*` (glob metacharacters escaped).
fn pattern_of(relative: &str) -> String {
    let (folder, name) = relative
        .rsplit_once('/')
        .map_or(("", relative), |(d, n)| (d, n));
    let mut out = String::new();
    let mut in_digits = false;
    for c in name.chars() {
        if c.is_ascii_digit() && !in_digits {
            out.push('\u{0}');
        }
        in_digits = c.is_ascii_digit();
        if !in_digits {
            out.push(c);
        }
    }
    let name = escape(&out).replace('\u{0}', "*");
    if folder.is_empty() {
        name
    } else {
        format!("{}/{name}", escape(folder))
    }
}

fn escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '*' | '?' | '[' | ']' | '{' | '}' => format!("[{c}]"),
            c => c.to_string(),
        })
        .collect()
}

fn guess_deliverable(
    pattern: &str,
    members: &[&SeenFile],
    used: &mut BTreeMap<String, usize>,
) -> Deliverable {
    let first = &members[0].relative_path;
    let patterns = if members.len() == 1 {
        vec![escape(first)]
    } else {
        vec![pattern.to_string()]
    };
    let source = if members.len() == 1 {
        first.as_str()
    } else {
        pattern
    };
    let name = source.rsplit('/').next().unwrap_or(source);
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    // The profiles the readable files suggest; when none could be read, the
    // extension's (an unreadable `.wav` is still meant to be audio).
    let profiles = match members.iter().find(|m| m.problem.is_none()) {
        Some(readable) => guess_profiles(&readable.relative_path, &readable.kind),
        None => guess_profiles(first, "media"),
    };
    let notes = unreadable_note(members);
    Deliverable {
        id: unique_id(slug(stem), used),
        title: stem.replace('_', " ").replace('*', "#"),
        profiles,
        notes,
        patterns,
        count: members.len(),
        language: guess_language(stem),
        owner: Some("TODO".into()),
        ..Default::default()
    }
}

/// "2 of 3 files could not be read …", naming the first, when any could not.
fn unreadable_note(members: &[&SeenFile]) -> Option<String> {
    let bad: Vec<&&SeenFile> = members.iter().filter(|m| m.problem.is_some()).collect();
    let first = bad.first()?;
    let why = first.problem.as_deref().unwrap_or_default();
    Some(format!(
        "UNREADABLE: {} of {} files could not be read when this plan was written \
         (first: {}: {why}); signoff check reports them unreadable",
        bad.len(),
        members.len(),
        first.relative_path
    ))
}

fn slug(stem: &str) -> String {
    let s: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let parts: Vec<&str> = s.split('-').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        "item".into()
    } else {
        parts.join("-")
    }
}

fn unique_id(id: String, used: &mut BTreeMap<String, usize>) -> String {
    let n = used.entry(id.clone()).or_insert(0);
    *n += 1;
    if *n == 1 {
        id
    } else {
        format!("{id}-{n}")
    }
}

/// Profiles from the extension and kind: a first guess to be checked.
fn guess_profiles(relative: &str, kind: &str) -> Vec<String> {
    let ext = relative
        .rsplit('.')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let id = match (kind, ext.as_str()) {
        ("media", "mov") => "netflix-prores-hq",
        ("media", "mp4") => "youtube-upload",
        ("media", "mxf") => "uk-dpp-as11-hd",
        ("media", "wav") => "ebu-r128",
        _ => return Vec::new(),
    };
    vec![id.to_string()]
}

/// A language from a name token (`_EN_`, `_FR.`), if one is there.
fn guess_language(stem: &str) -> Option<String> {
    const CODES: [&str; 10] = ["EN", "FR", "DE", "ES", "IT", "PT", "JA", "ZH", "NL", "SV"];
    stem.split(['_', '-', '.', ' '])
        .find(|t| CODES.contains(t))
        .map(|t| t.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(path: &str, kind: &str) -> SeenFile {
        SeenFile {
            relative_path: path.into(),
            kind: kind.into(),
            problem: None,
        }
    }

    #[test]
    fn groups_sequences_and_skips_clutter() {
        let plan = guess_plan(
            "Film",
            &[
                seen(".DS_Store", "clutter"),
                seen("picture/REEL1.mov", "media"),
                seen("picture/REEL2.mov", "media"),
                seen("subtitles/F_EN_SDH.srt", "caption"),
                seen("audio/mix [final].wav", "media"),
            ],
        );
        let ids: Vec<&str> = plan.deliverables.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["mix-final", "reel", "f-en-sdh"]);
        let reel = &plan.deliverables[1];
        assert_eq!(
            (reel.patterns[0].as_str(), reel.count),
            ("picture/REEL*.mov", 2)
        );
        assert_eq!(reel.profiles, ["netflix-prores-hq"]);
        assert_eq!(plan.deliverables[0].patterns, ["audio/mix [[]final[]].wav"]);
        assert_eq!(plan.deliverables[2].language.as_deref(), Some("en"));
    }
}
