//! Hostile file names never reach the terminal raw: through scan, probe,
//! measure, check --spec, check with a plan and status, stdout holds no
//! control character but the line breaks signoff itself writes, no bidi
//! override, and no line a file name forged.

mod common;

use assert_cmd::Command;
use std::path::Path;

/// File names that try to set the terminal title (OSC), forge a `PASS`
/// line and a summary, return the carriage, use a C1 CSI and reverse the
/// text.
const HOSTILE: &[&str] = &[
    "osc\u{1b}]0;pwned\u{7}.wav",
    "nl\nPASS       forged.wav  [ebu-r128]\n1 file: 1 pass, 0 fail, 0 incomplete, 0 unreadable\n.wav",
    "cr\rPASS       forged-cr.wav",
    "csi\u{9b}2J.wav",
    "bidi\u{202e}vaw.exe.wav",
];

fn hostile_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in HOSTILE {
        std::fs::copy(common::small_valid_wav(), dir.path().join(name)).unwrap();
    }
    dir
}

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    HOSTILE.iter().map(|n| dir.join(n)).collect()
}

/// Runs signoff and gives its stdout, asserting it is clean.
fn clean_stdout(args: &[&std::ffi::OsStr]) -> String {
    let out = Command::cargo_bin("signoff")
        .unwrap()
        .args(args)
        .env_remove("SIGNOFF_SPECS")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    assert_clean(&text, args);
    text
}

fn assert_clean(text: &str, args: &[&std::ffi::OsStr]) {
    for (i, c) in text.char_indices() {
        let bad = (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(
            !bad,
            "{args:?}: raw U+{:04X} at byte {i} of stdout:\n{text}",
            c as u32
        );
    }
    for line in text.lines() {
        assert!(
            !line.starts_with("PASS       forged"),
            "{args:?}: forged line {line:?}\n{text}"
        );
        assert!(
            !line.starts_with("1 file:"),
            "{args:?}: forged summary {line:?}\n{text}"
        );
        if line.contains("forged") {
            assert!(
                line.contains("\\u{a}PASS") || line.contains("\\u{d}PASS"),
                "{args:?}: {line:?}"
            );
        }
    }
}

fn os<'a>(parts: &'a [&'a str]) -> Vec<&'a std::ffi::OsStr> {
    parts.iter().map(std::ffi::OsStr::new).collect()
}

#[test]
fn scan_escapes_hostile_names() {
    let dir = hostile_tree();
    let mut args = os(&["scan"]);
    args.push(dir.path().as_os_str());
    let text = clean_stdout(&args);
    assert!(text.contains("osc\\u{1b}]0;pwned\\u{7}.wav"), "{text}");
    assert!(text.contains("csi\\u{9b}2J.wav"), "{text}");
    assert!(text.contains("bidi\\u{202e}vaw"), "{text}");
}

#[test]
fn probe_escapes_hostile_names() {
    let dir = hostile_tree();
    let paths = files(dir.path());
    let mut args = os(&["probe"]);
    args.extend(paths.iter().map(|p| p.as_os_str()));
    let text = clean_stdout(&args);
    assert!(text.contains("nl\\u{a}PASS"), "{text}");
}

#[test]
fn measure_escapes_hostile_names() {
    let dir = hostile_tree();
    let paths = files(dir.path());
    let mut args = os(&["measure"]);
    args.extend(paths.iter().map(|p| p.as_os_str()));
    let text = clean_stdout(&args);
    assert!(text.contains("osc\\u{1b}]0;pwned\\u{7}.wav"), "{text}");
    assert!(text.contains("cr\\u{d}PASS"), "{text}");
}

#[test]
fn check_spec_escapes_hostile_names() {
    let dir = hostile_tree();
    let paths = files(dir.path());
    let mut args = os(&["check", "--spec", "ebu-r128"]);
    args.extend(paths.iter().map(|p| p.as_os_str()));
    let text = clean_stdout(&args);
    assert!(text.contains("nl\\u{a}PASS"), "{text}");
    // the folder as well
    let mut args = os(&["check", "--spec", "ebu-r128"]);
    args.push(dir.path().as_os_str());
    clean_stdout(&args);
}

#[test]
fn check_with_a_plan_and_status_escape_hostile_names() {
    let dir = hostile_tree();
    std::fs::write(
        dir.path().join("signoff.toml"),
        "[project]\ntitle = \"T\"\n\n[[deliverable]]\nid = \"mix\"\ntitle = \"Mix\"\n\
         profiles = [\"ebu-r128\"]\npatterns = [\"*.wav\"]\ncount = 1\n",
    )
    .unwrap();
    let mut args = os(&["check"]);
    args.push(dir.path().as_os_str());
    clean_stdout(&args);
    let mut args = os(&["status"]);
    args.push(dir.path().as_os_str());
    clean_stdout(&args);
}
