//! Byte copies in one `check` run: each copy carries a warning naming the other, alike in the terminal, JSON, JSON Lines, JUnit and HTML.

mod common;

use std::fs;

const RULE: &str = "content.duplicate";

#[test]
fn a_textless_master_that_is_a_copy_of_the_texted_one_is_reported_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("F");
    fs::create_dir(&f).unwrap();
    let wav = common::media("wav_stereo_24bit.wav");
    fs::copy(&wav, f.join("FEATURE_texted.wav")).unwrap();
    fs::copy(&wav, f.join("FEATURE_textless.wav")).unwrap();
    fs::copy(
        common::media("wav_stereo_loud_-16.wav"),
        f.join("trailer.wav"),
    )
    .unwrap();
    fs::write(f.join("empty1.txt"), b"").unwrap();
    fs::write(f.join("empty2.txt"), b"").unwrap();
    let before = common::snapshot(tmp.path());
    let base = ["check", "--spec", "ebu-r128"];
    let (_, doc) = common::json_of(
        common::plan_signoff()
            .args(base)
            .args(["--format", "json"])
            .arg(&f),
    );
    let warned: Vec<(String, String)> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|file| {
            let path = file["path"].as_str().unwrap().to_string();
            file["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|x| x["rule_id"] == RULE)
                .map(move |x| {
                    assert_eq!(x["severity"], "warning");
                    (path.clone(), x["actual"].as_str().unwrap().to_string())
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let name = |n: &str| f.join(n).display().to_string();
    assert_eq!(
        warned,
        [
            (
                name("FEATURE_texted.wav"),
                format!("same content as {}", name("FEATURE_textless.wav"))
            ),
            (
                name("FEATURE_textless.wav"),
                format!("same content as {}", name("FEATURE_texted.wav"))
            ),
        ]
    );
    // JSON Lines streams each file as it is done: the same warnings.
    let out = common::plan_signoff()
        .args(base)
        .args(["--format", "jsonl"])
        .arg(&f)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.matches(RULE).count(), 2, "{text}");
    // Terminal, JUnit and HTML.
    let out = common::plan_signoff()
        .args(base)
        .arg(&f)
        .arg("--report")
        .arg(tmp.path().join("r.xml"))
        .arg("--report")
        .arg(tmp.path().join("r.html"))
        .output()
        .unwrap();
    let terminal = String::from_utf8(out.stdout).unwrap();
    assert_eq!(terminal.matches(RULE).count(), 2, "{terminal}");
    assert!(terminal.contains("same content (SHA-256) as"), "{terminal}");
    for r in ["r.xml", "r.html"] {
        let body = fs::read_to_string(tmp.path().join(r)).unwrap();
        assert_eq!(body.matches("same content (SHA-256) as").count(), 2, "{r}");
        fs::remove_file(tmp.path().join(r)).unwrap();
    }
    common::assert_unchanged(tmp.path(), &before);
}

#[test]
fn in_a_planned_run_the_board_and_every_report_name_the_copies() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("FEATURE");
    common::copy_dir(&common::sample_delivery(), &root).unwrap();
    let texted = "picture/FEATURE_FTR_ProResHQ_2398_178_EN.mov";
    let textless = "picture/FEATURE_TXTLS_ProResHQ_2398.mov";
    fs::copy(root.join(texted), root.join(textless)).unwrap();
    let ledger = tmp.path().join("ledger.sqlite");
    let run = |extra: &[&str]| {
        let mut c = common::plan_signoff();
        c.arg("check")
            .arg(&root)
            .arg("--ledger")
            .arg(&ledger)
            .args(extra);
        c
    };
    let (_, board) = common::json_of(&mut run(&["--format", "json"]));
    assert_eq!(board["duplicates"][texted], serde_json::json!([textless]));
    assert_eq!(board["duplicates"][textless], serde_json::json!([texted]));
    let board_path = tmp.path().join("board.json");
    fs::write(&board_path, serde_json::to_vec(&board).unwrap()).unwrap();
    common::assert_schema_valid(&[("board", &board_path)]);
    // The second run reuses the cache: the warning is still there, in the
    // terminal, the run JSON, JUnit and HTML.
    let out = run(&[
        "--report",
        tmp.path().join("r.json").to_str().unwrap(),
        "--report",
        tmp.path().join("r.xml").to_str().unwrap(),
        "--report",
        tmp.path().join("r.html").to_str().unwrap(),
    ])
    .output()
    .unwrap();
    let terminal = String::from_utf8(out.stdout).unwrap();
    assert!(
        terminal.contains(&format!("{texted}  = {textless}")),
        "{terminal}"
    );
    for r in ["r.json", "r.xml", "r.html"] {
        let body = fs::read_to_string(tmp.path().join(r)).unwrap();
        assert_eq!(body.matches("same content (SHA-256) as").count(), 2, "{r}");
    }
    let run_doc: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(tmp.path().join("r.json")).unwrap()).unwrap();
    let warned: Vec<&str> = run_doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["report"]["findings"]
                .as_array()
                .is_some_and(|x| x.iter().any(|x| x["rule_id"] == RULE))
        })
        .map(|f| f["file"]["relative_path"].as_str().unwrap())
        .collect();
    assert_eq!(warned, [texted, textless]);
    let status = common::plan_signoff()
        .args(["status"])
        .arg(&root)
        .arg("--ledger")
        .arg(&ledger)
        .output()
        .unwrap();
    let text = String::from_utf8(status.stdout).unwrap();
    assert!(text.contains(&format!("{textless}  = {texted}")), "{text}");
}
