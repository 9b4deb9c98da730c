//! The `console` examples of the README and of docs/*.md are run with the
//! real binary and must match.
//!
//! Each `$ ` line of a ```console block is a command (`signoff …` or
//! `cargo run --release -- …`, both run as the built binary; `echo $?` prints
//! the previous exit code; `cp [-r] SRC DEST` copies into `target/` only, a
//! folder DEST replaced whole, so an example can seal a copy, never a fixture;
//! `fixtures/make-NAME.sh target/DIR` runs that committed FFmpeg script once
//! per version of it, so an example can use the versions it makes). The lines after it are the output it must print
//! (a command shown with no output must only not fail with a usage or setup
//! error):
//! a line `...` stands for any number of lines, dates and run numbers are
//! normalised, and a `--ledger` path is replaced by a fresh one so the run
//! does not depend on what an earlier run left behind.

use regex::Regex;
use std::path::Path;
use std::process::Command;

/// One command of a console block and the output shown for it.
#[derive(Debug)]
struct Example {
    command: String,
    expected: Vec<String>,
}

fn examples(readme: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut in_block = false;
    let mut continued = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_block = line == "```console";
            continue;
        }
        if !in_block {
            continue;
        }
        if continued {
            let last = out.last_mut().expect("a continued command");
            last.command.push(' ');
            last.command.push_str(line.trim().trim_end_matches('\\'));
            continued = line.ends_with('\\');
        } else if let Some(cmd) = line.strip_prefix("$ ") {
            continued = cmd.ends_with('\\');
            out.push(Example {
                command: cmd.trim_end_matches('\\').trim().to_string(),
                expected: Vec::new(),
            });
        } else {
            out.last_mut()
                .expect("output before any command")
                .expected
                .push(line.trim_end().to_string());
        }
    }
    out
}

fn normalise(text: &str, ledger: &Path) -> String {
    let here = concat!(env!("CARGO_MANIFEST_DIR"), "/");
    let text = text
        .replace(ledger.to_str().unwrap(), "target/sample-ledger.sqlite")
        .replace(here, "");
    let date = Regex::new(r"\d{4}-\d{2}-\d{2}").unwrap();
    let clock = Regex::new(r"_\d{6}Z\.mhl").unwrap();
    let text = clock.replace_all(&text, "_HHMMSSZ.mhl");
    let run = Regex::new(r"run \d+ \(\d+ files? reused, \d+ analysed\)").unwrap();
    let text = run.replace_all(&text, "run N (reused, analysed)");
    date.replace_all(&text, "YYYY-MM-DD").into_owned()
}

/// Whether `actual` shows `expected`, `...` matching any run of lines.
fn matches(expected: &[String], actual: &[String]) -> Result<(), String> {
    let mut j = 0;
    let mut gap = false;
    for e in expected {
        if e == "..." {
            gap = true;
            continue;
        }
        let found = if gap {
            actual[j..].iter().position(|a| a == e).map(|k| j + k)
        } else {
            (actual.get(j) == Some(e)).then_some(j)
        };
        match found {
            Some(k) => j = k + 1,
            None => return Err(format!("expected line not found: {e:?}")),
        }
        gap = false;
    }
    if !gap && j != actual.len() {
        return Err(format!("unexpected further output: {:?}", &actual[j..]));
    }
    Ok(())
}

/// Runs every console example of `name` (relative to the repository) in
/// order, with one fresh ledger; (commands run, failures).
fn run_examples(root: &Path, name: &str) -> (usize, Vec<String>) {
    let text = std::fs::read_to_string(root.join(name)).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let ledger = tmp.path().join("ledger.sqlite");
    let mut last_code = None;
    let mut ran = 0;
    let mut failures = Vec::new();
    for ex in examples(&text) {
        let (code, output) = if ex.command == "echo $?" {
            let code = last_code.expect("echo $? after a command");
            (code, format!("{code}\n"))
        } else {
            run(root, &ex.command, &ledger)
        };
        let output = normalise(&output, &ledger);
        let actual: Vec<String> = output.lines().map(|l| l.trim_end().to_string()).collect();
        let expected: Vec<String> = ex.expected.iter().map(|l| normalise(l, &ledger)).collect();
        // A command shown without output is checked for its exit code only.
        let shown = if expected.is_empty() {
            Ok(())
        } else {
            matches(&expected, &actual)
        };
        if let Err(why) = shown {
            failures.push(format!(
                "{name} example `{}`: {why}\n--- actual output ---\n{output}",
                ex.command
            ));
        } else if code >= 3 {
            failures.push(format!("{name}: `{}` exited {code}:\n{output}", ex.command));
        }
        last_code = Some(code);
        ran += 1;
    }
    (ran, failures)
}

#[test]
fn every_console_example_in_the_readme_is_true() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (ran, failures) = run_examples(root, "README.md");
    assert!(ran >= 5, "only {ran} README commands found");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The console examples of docs/*.md hold too, by the same rules.
#[test]
fn every_console_example_in_the_docs_is_true() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut docs: Vec<String> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    docs.sort();
    let mut ran = 0;
    let mut failures = Vec::new();
    for doc in &docs {
        let (n, f) = run_examples(root, doc);
        ran += n;
        failures.extend(f);
    }
    assert!(ran >= 2, "only {ran} commands found in {docs:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Runs one README command as the built binary; (exit code, stdout + stderr).
fn run(root: &Path, command: &str, ledger: &Path) -> (i32, String) {
    let command = command.split(" #").next().unwrap().trim();
    assert!(
        !command.contains(['"', '\'', '|', '>']),
        "not a plain command: {command}"
    );
    if let Some(args) = command.strip_prefix("cp ") {
        return copy(root, args);
    }
    if command.starts_with("fixtures/make-") {
        return make(root, command);
    }
    let args = command
        .strip_prefix("cargo run --release -- ")
        .or_else(|| command.strip_prefix("signoff "))
        .unwrap_or_else(|| panic!("README command is not signoff: {command}"));
    let mut words: Vec<String> = args.split_whitespace().map(String::from).collect();
    if let Some(i) = words.iter().position(|w| w == "--ledger") {
        words[i + 1] = ledger.to_str().unwrap().to_string();
    }
    let out = Command::new(assert_cmd::cargo::cargo_bin("signoff"))
        .args(&words)
        .current_dir(root)
        .output()
        .unwrap();
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// `cp [-r] SRC DEST` with DEST under `target/` (a folder DEST is replaced whole).
fn copy(root: &Path, args: &str) -> (i32, String) {
    let words: Vec<&str> = args.split_whitespace().filter(|w| *w != "-r").collect();
    let [src, dest] = words[..] else {
        panic!("cp takes SRC DEST: cp {args}")
    };
    assert!(
        dest.starts_with("target/") && !dest.contains(".."),
        "README copies go into target/ only: cp {args}"
    );
    let dest = root.join(dest);
    if dest.is_dir() {
        std::fs::remove_dir_all(&dest).unwrap();
    }
    let out = Command::new("cp")
        .args(["-r", "--no-preserve=all"])
        .arg(root.join(src))
        .arg(&dest)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().unwrap_or(-1), text)
}

/// `fixtures/make-NAME.sh target/DIR`: runs the script into DIR unless this
/// version of it already did (a stamp in DIR).
fn make(root: &Path, command: &str) -> (i32, String) {
    use std::hash::{Hash, Hasher};
    let words: Vec<&str> = command.split_whitespace().collect();
    let [script, dest] = words[..] else {
        panic!("a fixture script takes one folder: {command}")
    };
    assert!(
        script.ends_with(".sh") && !script.contains("..") && !script[9..].contains('/'),
        "not a fixture script: {command}"
    );
    assert!(
        dest.starts_with("target/") && !dest.contains(".."),
        "README fixture scripts write into target/ only: {command}"
    );
    let text = std::fs::read(root.join(script)).unwrap();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    let stamp = root.join(dest).join(format!(".made-{:016x}", h.finish()));
    if stamp.exists() {
        return (0, String::new());
    }
    let out = Command::new("bash")
        .arg(root.join(script))
        .arg(root.join(dest))
        .output()
        .unwrap();
    if out.status.success() {
        std::fs::write(&stamp, b"").unwrap();
    }
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().unwrap_or(-1), text)
}
