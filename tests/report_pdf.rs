//! The sign-off report printed to PDF by headless Chromium (`signoff report
//! --pdf`), on a temp copy of the sample delivery with one approval, read
//! back with poppler's `pdftotext -layout` (an independent reader of the
//! PDF) and `pdfinfo`: no word, date or path broken mid-token, the cover's
//! counts add up to the run's files and deliverables (from the run's JSON),
//! the signature blocks, the source documents' links and page numbers with
//! the delivery's title in every page's footer are there.

mod common;

use std::fs;
use std::process::Command;

struct Printed {
    _tmp: tempfile::TempDir,
    text: String,
    pdf: Vec<u8>,
    html: String,
    run: serde_json::Value,
    pages: usize,
}

fn sh(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs signoff, asserting its exit code (its stderr shown when it differs).
fn exits(cmd: &mut assert_cmd::Command, code: i32) -> std::process::Output {
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The PDF's text as poppler's `pdftotext -layout` reads it.
fn pdf_text(pdf: &std::path::Path) -> String {
    String::from_utf8(sh(Command::new("pdftotext").arg("-layout").arg(pdf).arg("-")).stdout)
        .unwrap()
}

/// Checks a copy of the sample delivery (with a letterhead in its plan),
/// approves `printmaster-51`, and prints the report with `--title`.
fn print_sample() -> Printed {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("FEATURE");
    common::copy_dir(&common::sample_delivery(), &root).unwrap();
    let logo = tmp.path().join("logo.png");
    // A 1×1 PNG (signature, IHDR, IDAT, IEND) written by Python's zlib/struct.
    sh(Command::new("python3").arg("-c").arg(
        "import struct,zlib,sys\n\
         def c(t,d): return struct.pack('>I',len(d))+t+d+struct.pack('>I',zlib.crc32(t+d))\n\
         open(sys.argv[1],'wb').write(b'\\x89PNG\\r\\n\\x1a\\n'+c(b'IHDR',struct.pack('>IIBBBBB',1,1,8,2,0,0,0))\
         +c(b'IDAT',zlib.compress(b'\\x00\\x10\\x20\\x30'))+c(b'IEND',b''))",
    ).arg(&logo));
    let plan = root.join("signoff.toml");
    let text = fs::read_to_string(&plan).unwrap().replacen(
        "[project]\n",
        "[project]\ncompany = \"Northlight Post\"\nlogo = \"../logo.png\"\n",
        1,
    );
    fs::write(&plan, text).unwrap();
    let ledger = tmp.path().join("l.sqlite");
    exits(
        common::plan_signoff()
            .args(["check", "-q"])
            .arg(&root)
            .arg("--ledger")
            .arg(&ledger),
        1,
    );
    exits(
        common::plan_signoff()
            .current_dir(&root)
            .args(["approve", "printmaster-51", "--by", "Dana Whitfield"])
            .args(["--role", "Head of Post"])
            .arg("--ledger")
            .arg(&ledger),
        0,
    );
    let pdf = tmp.path().join("qc.pdf");
    let html = tmp.path().join("qc.html");
    let json = tmp.path().join("run.json");
    exits(
        common::plan_signoff()
            .env("TZ", "Europe/Paris")
            .arg("report")
            .arg(&root)
            .arg("--ledger")
            .arg(&ledger)
            .args(["--title", "Sign-off report", "--pdf"])
            .arg(&pdf)
            .arg("--report")
            .arg(&html)
            .arg("--report")
            .arg(&json),
        0,
    );
    let text = pdf_text(&pdf);
    let info = String::from_utf8(sh(Command::new("pdfinfo").arg(&pdf)).stdout).unwrap();
    let pages = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(|n| n.trim().parse().unwrap())
        .unwrap();
    Printed {
        text,
        pdf: fs::read(&pdf).unwrap(),
        html: fs::read_to_string(&html).unwrap(),
        run: serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap(),
        pages,
        _tmp: tmp,
    }
}

fn printed() -> &'static Printed {
    static P: std::sync::OnceLock<Printed> = std::sync::OnceLock::new();
    P.get_or_init(print_sample)
}

/// The words of the text (split on white space).
fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

#[test]
fn no_word_date_or_path_is_broken() {
    let p = printed();
    let broken = regex::Regex::new(
        // Words cut short, dates cut after a hyphen, and deliverable,
        // profile and folder names cut at theirs (prose such as
        // "16-channel" may break after its hyphen, as typesetting does).
        r"^(approv|passin|Marketin|failin|incomplet|Supervis|recordin|\d{4}-|\d{4}-\d{2}-|\
         feature-|trailer-|printmaster-|captions-|subtitles-|key-|music-|dub-|netflix-|ebu-|uk-|\
         youtube-|roku-|house-|sample-|Re-)$",
    )
    .unwrap();
    let names = regex::Regex::new(r"FEATURE_[A-Za-z0-9_]*").unwrap();
    let ext = regex::Regex::new(r"FEATURE_[A-Za-z0-9_]+\.(mov|mp4|wav|srt|ttml|jpg|png|pdf|csv)")
        .unwrap();
    for w in words(&p.text) {
        let bare = w.trim_matches(|c: char| "()[],;:“”\"'".contains(c));
        assert!(!broken.is_match(bare), "broken token `{w}` in:\n{}", p.text);
        if names.is_match(bare) && !bare.contains('*') {
            assert!(
                ext.is_match(bare),
                "path split mid-name: `{w}` in:\n{}",
                p.text
            );
        }
    }
    for whole in [
        "approved",
        "passing",
        "Marketing",
        "feature-master",
        "printmaster-51",
        "2027-03-01",
        "2025-01-15",
        "FEATURE_FTR_ProResHQ_2398_178_EN.mov",
        "FEATURE_MnE_20_24bit.wav",
    ] {
        assert!(
            words(&p.text).iter().any(|w| w.contains(whole)),
            "{whole} missing"
        );
    }
}

/// `N label: a x · b y …` on the cover: the total and the parts.
fn tally(text: &str, label: &str) -> (usize, usize) {
    let re = regex::Regex::new(&format!(r"(\d+) {label}: ([^\n]*)")).unwrap();
    let c = re
        .captures(text)
        .unwrap_or_else(|| panic!("no `{label}:` line"));
    let parts: usize = regex::Regex::new(r"(\d+) [a-z]")
        .unwrap()
        .captures_iter(&c[2])
        .map(|m| m[1].parse::<usize>().unwrap())
        .sum();
    (c[1].parse().unwrap(), parts)
}

#[test]
fn cover_counts_add_up_to_the_run() {
    let p = printed();
    let files = p.run["files"].as_array().unwrap().len();
    let board = p.run["board"].as_array().unwrap().len();
    assert_eq!(tally(&p.text, "files"), (files, files), "{}", p.text);
    assert_eq!(tally(&p.text, "deliverables"), (board, board));
    let counts = &p.run["summary"]["counts"];
    let sum: u64 = [
        "pass",
        "fail",
        "not_evaluated",
        "unreadable",
        "unchecked",
        "clutter",
        "unplanned",
    ]
    .iter()
    .map(|k| counts[k].as_u64().unwrap())
    .sum();
    assert_eq!(sum as usize, files);
    assert_eq!(counts["clutter"], 2, ".DS_Store and the AppleDouble file");
    assert!(p.text.contains("2 clutter"));
}

#[test]
fn cover_says_who_where_when_and_has_signature_blocks() {
    let p = printed();
    let t = &p.text;
    assert!(t.contains("Sign-off report: FEATURE"));
    assert!(t.contains("Northlight Post"));
    assert!(p
        .html
        .contains("<img class=\"logo\" src=\"data:image/png;base64,iVBOR"));
    assert!(t.contains("tester"), "the user");
    assert!(
        regex::Regex::new(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} CET \(UTC\+01:00\)")
            .unwrap()
            .is_match(t)
    );
    for s in [
        "Sign-off",
        "Approved by",
        "Dana Whitfield",
        "Head of Post",
        "Producer",
        "Signature",
        "Role",
    ] {
        assert!(t.contains(s), "{s} missing");
    }
}

#[test]
fn sources_are_linked_and_caveats_shown() {
    let p = printed();
    let pdf = String::from_utf8_lossy(&p.pdf);
    for url in [
        "https://partnerhelp.netflixstudios.com/hc/en-us/articles/360060572613",
        "https://tech.ebu.ch/docs/r/r128.pdf",
    ] {
        assert!(pdf.contains(&format!("/URI ({url})")), "no link to {url}");
    }
    assert!(p.text.contains("Sources"));
    assert!(p.text.contains("What this report does not cover"));
    assert!(p.text.contains("Dialogue-gated"), "Netflix's caveat");
}

#[test]
fn every_page_has_its_number_and_the_title_in_the_footer() {
    let p = printed();
    assert!(p.pages > 3);
    for n in 1..=p.pages {
        let footer = regex::Regex::new(&format!(
            r"Sign-off report: FEATURE\s+Page {n} of {}",
            p.pages
        ))
        .unwrap();
        assert!(footer.is_match(&p.text), "page {n} footer");
    }
}

#[test]
fn no_chromium_is_a_setup_error_that_says_how_to_install_one() {
    let tmp = tempfile::tempdir().unwrap();
    let out = exits(
        common::plan_signoff()
            .env("SIGNOFF_CHROMIUM", tmp.path().join("none"))
            .arg("report")
            .arg(common::sample_delivery())
            .arg("--ledger")
            .arg(tmp.path().join("l.sqlite"))
            .arg("--pdf")
            .arg(tmp.path().join("x.pdf")),
        4,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("apt-get install chromium"), "{err}");
    assert!(!tmp.path().join("x.pdf").exists());
}

#[test]
fn a_saved_run_prints_too_and_a_browser_that_fails_is_an_error_not_a_hang() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run.json");
    let wav = common::sample_delivery().join("audio/FEATURE_PM_20_24bit.wav");
    exits(
        common::plan_signoff()
            .args(["check", "-q", "--spec", "ebu-r128"])
            .arg(&wav)
            .arg("--report")
            .arg(&run),
        0,
    );
    let pdf = tmp.path().join("x.pdf");
    let started = std::time::Instant::now();
    let out = exits(
        common::plan_signoff()
            .env("SIGNOFF_CHROMIUM", "/bin/false")
            .arg("report")
            .arg("--from")
            .arg(&run)
            .arg("--pdf")
            .arg(&pdf),
        4,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/bin/false did not print the report"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    assert!(!pdf.exists());
    exits(
        common::plan_signoff()
            .arg("report")
            .arg("--from")
            .arg(&run)
            .arg("--pdf")
            .arg(&pdf),
        0,
    );
    let text = pdf_text(&pdf);
    assert!(text.contains("FEATURE_PM_20_24bit.wav"), "{text}");
    assert_eq!(tally(&text, "file"), (1, 1), "{text}");
    assert!(
        regex::Regex::new(r"Delivery QC report: \S*FEATURE_PM_20_24bit.wav\s+Page 1 of \d")
            .unwrap()
            .is_match(&text),
        "{text}"
    );
}
