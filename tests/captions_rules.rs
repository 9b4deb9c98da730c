//! The caption rules through the real binary, on the files
//! fixtures/make-caption-rules.sh made: every rule passes its good file
//! and fails its bad one, naming the event; event times, durations and
//! gaps are checked against FFmpeg's own SRT demuxer (`ffprobe
//! -show_packets`) and the master's duration and frame rate against
//! `ffprobe`, never against numbers written here.

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fx(name: &str) -> PathBuf {
    common::fixtures().join("caption-rules").join(name)
}

const MASTER: &str = "master_2398_tc01.mov";

/// `check FILE --spec PROFILE --format json` plus `extra`; the exit code and the file's report.
fn check(profile: &str, file: &Path, extra: &[&str]) -> (i32, Value) {
    let out = Command::cargo_bin("signoff")
        .unwrap()
        .args(["check", "--quiet", "--format", "json", "--spec", profile])
        .args(extra)
        .arg(file)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), doc["files"][0].clone())
}

/// Against the 23.976 master, in English.
fn netflix(name: &str) -> (i32, Value) {
    let master = fx(MASTER);
    let master = master.to_str().unwrap();
    check(
        "netflix-timed-text",
        &fx(name),
        &["--master", master, "--language", "en"],
    )
}

fn finding<'a>(file: &'a Value, rule: &str) -> &'a Value {
    file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == rule)
        .unwrap_or_else(|| panic!("no {rule} in {file:#}"))
}

fn message(f: &Value) -> &str {
    f["message"].as_str().unwrap()
}

fn statuses(file: &Value, status: &str) -> Vec<String> {
    file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == status && f["profile"] != "kind")
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect()
}

/// FFmpeg's reading of an SRT: (start, duration) per event, seconds.
fn packets(file: &Path) -> Vec<(f64, f64)> {
    let out = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-show_packets", "-of", "json"])
        .arg(file)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["packets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let n = |k: &str| p[k].as_str().unwrap().parse::<f64>().unwrap();
            (n("pts_time"), n("duration_time"))
        })
        .collect()
}

/// The master's duration (format) and frame rate (first video stream), by ffprobe.
fn master_facts() -> (f64, f64) {
    let out = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
        .args(["format=duration:stream=r_frame_rate", "-of", "json"])
        .arg(fx(MASTER))
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let dur = v["format"]["duration"].as_str().unwrap().parse().unwrap();
    let (n, d) = v["streams"][0]["r_frame_rate"]
        .as_str()
        .unwrap()
        .split_once('/')
        .unwrap();
    (dur, n.parse::<f64>().unwrap() / d.parse::<f64>().unwrap())
}

/// `HH:MM:SS:FF` of `t` at the master's rate (frames at the nominal 24),
/// read from `origin` (3600 s: a timecode-relative file's 01:00:00:00).
fn tc_from(t: f64, origin: f64, fps: f64) -> String {
    let frames = frame_of(t - origin, fps) + (origin * 24.0).round() as i64;
    let (s, f) = (frames / 24, frames % 24);
    format!("{:02}:{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60, f)
}

fn tc(t: f64, fps: f64) -> String {
    tc_from(t, 0.0, fps)
}

fn frame_of(t: f64, fps: f64) -> i64 {
    let exact = t * fps;
    // within a millisecond of a frame (times written in milliseconds): that frame
    (if (exact - exact.round()).abs() <= 0.001 * fps {
        exact.round()
    } else {
        exact.floor()
    }) as i64
}

#[test]
fn the_good_file_passes_every_rule_that_can_be_evaluated() {
    let (code, file) = netflix("good.srt");
    assert_eq!(code, 0, "{file:#}");
    assert!(statuses(&file, "failed").is_empty(), "{file:#}");
    // SRT declares no language; the master's shot changes are measured
    assert_eq!(
        statuses(&file, "not_evaluated"),
        ["captions.language_matches_plan"],
        "{file:#}"
    );
    // event 2 ends 12 frames before the cut, event 3 starts on it
    let shots = finding(&file, "captions.shot_change_frames");
    assert_eq!(shots["status"], "passed", "{shots:#}");
    assert!(
        message(finding(&file, "captions.language_matches_plan")).contains("declares no language")
    );
    let tb = finding(&file, "captions.time_base");
    assert_eq!(tb["actual"], "programme");
    assert!(
        message(tb).contains("master_2398_tc01.mov"),
        "{}",
        message(tb)
    );
    // the WebVTT file declares its language
    let (_, file) = netflix("good_en.vtt");
    assert!(statuses(&file, "failed").is_empty(), "{file:#}");
    assert!(statuses(&file, "not_evaluated").is_empty(), "{file:#}");
    assert_eq!(
        finding(&file, "captions.language_matches_plan")["status"],
        "passed"
    );
}

/// (fixture, rule, first failing event): each bad file fails its rule at that event.
const BAD: &[(&str, &str, usize)] = &[
    ("out_of_order.srt", "captions.in_order", 3),
    ("overlap.srt", "captions.no_overlap", 1),
    ("inverted.srt", "captions.start_before_end", 2),
    ("durations.srt", "captions.duration_s", 2),
    ("long_event.srt", "captions.duration_s", 1),
    ("gap_1_frame.srt", "captions.gap_frames", 1),
    ("three_lines.srt", "captions.lines", 2),
    ("long_line.srt", "captions.chars_per_line", 2),
    ("fast.srt", "captions.reading_speed_cps", 2),
    ("past_end.srt", "captions.within_master", 4),
    ("fits_25.srt", "captions.frame_aligned", 1),
    ("before_start.srt", "captions.within_master", 1),
];

#[test]
fn every_bad_file_fails_its_rule_at_the_event_ffmpeg_reads() {
    let (_, fps) = master_facts();
    for &(name, rule, event) in BAD {
        let (code, file) = netflix(name);
        assert_eq!(code, 1, "{name}: {file:#}");
        let f = finding(&file, rule);
        assert_eq!(f["status"], "failed", "{name}: {f:#}");
        assert_eq!(f["severity"], "error", "{name}");
        let m = message(f);
        assert!(
            m.contains(&format!("first: event {event} at ")),
            "{name}: {m}"
        );
        // where: an event's start as FFmpeg's SRT demuxer reads it (its
        // packets are in time order, the events in file order)
        let at = f["position_s"].as_f64().unwrap();
        let starts: Vec<f64> = packets(&fx(name)).iter().map(|p| p.0).collect();
        let start = *starts
            .iter()
            .find(|s| (at - **s).abs() < 1e-6)
            .unwrap_or_else(|| panic!("{name}: {at} is no event start of ffprobe's {starts:?}"));
        let origin = if name.starts_with("before_start") {
            3600.0
        } else {
            0.0
        };
        assert_eq!(
            f["timecode"].as_str().unwrap(),
            tc_from(start, origin, fps),
            "{name}"
        );
    }
}

#[test]
fn values_agree_with_ffmpeg_and_ffprobe() {
    let (master_s, fps) = master_facts();
    // duration of event 2, as ffprobe reads the packet
    let (_, file) = netflix("durations.srt");
    let d = packets(&fx("durations.srt"))[1].1;
    assert!(message(finding(&file, "captions.duration_s")).contains(&format!("({d:.3} s)")));
    // the gap after event 1, in frames of the master's rate
    let p = packets(&fx("gap_1_frame.srt"));
    let gap = ((p[1].0 - (p[0].0 + p[0].1)) * fps).round();
    assert_eq!(gap, 1.0);
    let (_, file) = netflix("gap_1_frame.srt");
    let m = message(finding(&file, "captions.gap_frames"));
    assert!(m.contains("(1 frames at 23.976 fps before event 2)"), "{m}");
    // reading speed: 39 characters over ffprobe's duration of event 2
    let p = packets(&fx("fast.srt"));
    let cps = 39.0 / p[1].1;
    let (_, file) = netflix("fast.srt");
    let m = message(finding(&file, "captions.reading_speed_cps"));
    assert!(
        m.contains(&format!("({cps:.1} cps: 39 characters in {:.3} s)", p[1].1)),
        "{m}"
    );
    // past the end: the master ends where ffprobe says
    let (_, file) = netflix("past_end.srt");
    let m = message(finding(&file, "captions.within_master"));
    assert!(
        m.contains(&format!("after the master's end at {}", tc(master_s, fps))),
        "{m}"
    );
    // the master at 25 fps: the 25 fps file fits it; against 23.976 it says so
    let (_, file) = netflix("fits_25.srt");
    let m = message(finding(&file, "captions.frame_aligned"));
    assert!(m.contains("the times fit 25"), "{m}");
    assert!(m.contains("the master is 23.976 fps"), "{m}");
    let m25 = fx("master_25_tc10.mov");
    let (_, file) = check(
        "netflix-timed-text",
        &fx("fits_25.srt"),
        &["--master", m25.to_str().unwrap()],
    );
    assert_eq!(
        finding(&file, "captions.frame_aligned")["status"],
        "passed",
        "{file:#}"
    );
    assert_eq!(finding(&file, "captions.time_base")["actual"], "programme");
}

#[test]
fn timecode_relative_files_are_read_from_the_start_timecode() {
    let (code, file) = netflix("good_tc_relative.srt");
    assert_eq!(code, 0, "{file:#}");
    let tb = finding(&file, "captions.time_base");
    assert_eq!(tb["actual"], "timecode");
    assert!(message(tb).contains("01:00:00:00"), "{}", message(tb));
    assert_eq!(finding(&file, "captions.within_master")["status"], "passed");
    assert_eq!(finding(&file, "captions.frame_aligned")["status"], "passed");
    let (_, file) = netflix("before_start.srt");
    let m = message(finding(&file, "captions.within_master"));
    assert!(
        m.contains("before the master's start at 01:00:00:00"),
        "{m}"
    );
}

#[test]
fn encoding_language_and_empty_files() {
    let (_, file) = netflix("latin1.srt");
    assert_eq!(
        finding(&file, "captions.utf8")["status"],
        "failed",
        "{file:#}"
    );
    let (_, file) = netflix("control_char.srt");
    assert_eq!(
        finding(&file, "captions.control_characters")["status"],
        "failed"
    );
    let (_, file) = netflix("bom.srt");
    assert_eq!(finding(&file, "captions.utf8")["status"], "passed");
    let dir = tempfile::tempdir().unwrap();
    let house = dir.path().join("house.toml");
    std::fs::write(
        &house,
        "id = \"house\"\ntitle = \"no BOM\"\n[source]\ndocument = \"house\"\ndate_read = \"2026-12\"\nconfidence = \"primary\"\n[captions]\nbom = false\n",
    )
    .unwrap();
    let (code, file) = check(house.to_str().unwrap(), &fx("bom.srt"), &[]);
    assert_eq!(code, 1);
    assert_eq!(finding(&file, "captions.bom")["status"], "failed");
    let (code, file) = netflix("lang_fr.vtt");
    assert_eq!(code, 1);
    let m = message(finding(&file, "captions.language_matches_plan"));
    assert!(m.contains("declares `fr`, the plan orders `en`"), "{m}");
    // an empty file is unreadable, and says so
    let (code, file) = netflix("empty.srt");
    assert_eq!(code, 2, "{file:#}");
    assert_eq!(file["verdict"], "unreadable");
    assert!(file["problem"]["message"]
        .as_str()
        .unwrap()
        .contains("empty file"));
}

#[test]
fn japanese_lines_count_full_width_characters_under_the_japanese_rules() {
    let master = fx(MASTER);
    let args = ["--master", master.to_str().unwrap(), "--language", "ja"];
    let (_, file) = check("netflix-timed-text", &fx("ja_long_line.vtt"), &args);
    let f = finding(&file, "captions.chars_per_line");
    assert_eq!(f["status"], "failed");
    assert!(message(f).contains("(15 characters)") && message(f).contains("rules for `ja`"));
    // no Japanese reading speed rule
    assert!(file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["rule_id"] != "captions.reading_speed_cps"));
    let (_, file) = check("netflix-timed-text", &fx("ja_good.vtt"), &args);
    assert_eq!(
        finding(&file, "captions.chars_per_line")["status"],
        "passed"
    );
}

#[test]
fn bbc_bands_warn_in_the_band_of_doubt_and_fail_outside() {
    let master = fx(MASTER);
    let args = ["--master", master.to_str().unwrap(), "--language", "en"];
    let (_, file) = check("bbc-subtitles", &fx("good.srt"), &args);
    assert!(statuses(&file, "failed").is_empty(), "{file:#}");
    // 3 lines: the band of doubt
    let (code, file) = check("bbc-subtitles", &fx("three_lines.srt"), &args);
    let f = finding(&file, "captions.lines");
    assert_eq!(
        (f["status"].as_str(), f["severity"].as_str()),
        (Some("failed"), Some("warning"))
    );
    assert!(message(f).contains("band of doubt"), "{}", message(f));
    assert_eq!(code, 0);
    // 43 characters: beyond the widest credible 40
    let (code, file) = check("bbc-subtitles", &fx("long_line.srt"), &args);
    let f = finding(&file, "captions.chars_per_line");
    assert_eq!(f["severity"], "error", "{f:#}");
    assert_eq!(code, 1);
}

#[test]
fn without_a_master_the_master_rules_say_why() {
    let (_, file) = check("netflix-timed-text", &fx("good.srt"), &[]);
    for rule in [
        "captions.within_master",
        "captions.frame_aligned",
        "captions.time_base",
    ] {
        let f = finding(&file, rule);
        assert_eq!(f["status"], "not_evaluated", "{rule}");
        assert!(f["reason"].as_str().unwrap().contains("no master"), "{f:#}");
    }
    assert_eq!(file["verdict"], "not_evaluated");
}

#[test]
fn terminal_junit_and_html_name_the_event() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("r.html");
    let xml = dir.path().join("r.xml");
    let master = fx(MASTER);
    let before = std::fs::metadata(fx("fast.srt"))
        .unwrap()
        .modified()
        .unwrap();
    let out = Command::cargo_bin("signoff")
        .unwrap()
        .args([
            "check",
            "--quiet",
            "--spec",
            "netflix-timed-text",
            "--master",
        ])
        .arg(&master)
        .arg("--report")
        .arg(&html)
        .arg("--report")
        .arg(&xml)
        .arg(fx("fast.srt"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("captions.reading_speed_cps"), "{text}");
    assert!(text.contains("first: event 2 at 00:00:02:16"), "{text}");
    let junit = std::fs::read_to_string(&xml).unwrap();
    assert!(junit.contains("first: event 2 at 00:00:02:16"), "{junit}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("Caption events over the programme (4 events"),
        "no strip"
    );
    assert!(
        page.contains("event 2: 0:02.7 to 0:04.5; fails captions.reading_speed_cps"),
        "no failing event"
    );
    // the caption file and the master are read, never written
    assert_eq!(
        std::fs::metadata(fx("fast.srt"))
            .unwrap()
            .modified()
            .unwrap(),
        before
    );
}

/// One planned check of `root`: the board's JSON and the run report's caption file.
fn planned(root: &Path, ledger: &Path, run: &Path) -> (Value, Value) {
    let out = common::plan_signoff()
        .args(["check", "--quiet", "--format", "json", "--ledger"])
        .arg(ledger)
        .arg("--report")
        .arg(run)
        .arg(root)
        .output()
        .unwrap();
    let board: Value = serde_json::from_slice(&out.stdout).unwrap();
    let report: Value = serde_json::from_str(&std::fs::read_to_string(run).unwrap()).unwrap();
    let srt = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"]["relative_path"] == "subtitles/FEATURE_EN_SDH.srt")
        .cloned()
        .unwrap_or(Value::Null);
    (board, srt)
}

#[test]
fn a_planned_check_reads_the_master_the_plan_implies_and_rechecks_when_it_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("FEATURE");
    common::copy_dir(&common::sample_delivery(), &root).unwrap();
    let (ledger, run) = (tmp.path().join("l.sqlite"), tmp.path().join("run.json"));
    let (board, srt) = planned(&root, &ledger, &run);
    let row = board["deliverables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "captions-en-sdh")
        .unwrap();
    assert!(
        row["states"]
            .as_array()
            .unwrap()
            .contains(&"failing".into()),
        "{row:#}"
    );
    let report = &srt["report"];
    let tb = finding(report, "captions.time_base");
    assert!(
        message(tb).contains(
            "master feature-master (picture/FEATURE_FTR_ProResHQ_2398_178_EN.mov, the plan lists this file among `feature-master`'s sidecars)"
        ),
        "{}",
        message(tb)
    );
    assert_eq!(
        finding(report, "captions.within_master")["status"],
        "passed"
    );
    let aligned = message(finding(report, "captions.frame_aligned"));
    assert!(aligned.contains("the master is 23.976 fps"), "{aligned}");
    // the plan's language, and the event strip's data
    assert!(
        message(finding(report, "captions.language_matches_plan")).contains("declares no language")
    );
    assert_eq!(srt["captions"]["event_count"], 3);
    // nothing changed: nothing analysed again
    let (board, _) = planned(&root, &ledger, &run);
    assert_eq!(board["analysed_files"], 0, "{board:#}");
    // another master: the master and its captions are analysed again
    std::fs::copy(
        fx("master_25_tc10.mov"),
        root.join("picture/FEATURE_FTR_ProResHQ_2398_178_EN.mov"),
    )
    .unwrap();
    let (board, srt) = planned(&root, &ledger, &run);
    assert_eq!(board["analysed_files"], 2, "{board:#}");
    let aligned = message(finding(&srt["report"], "captions.frame_aligned"));
    assert!(aligned.contains("the master is 25 fps"), "{aligned}");
    // the master's 10:00:00:00 start: the captions are programme-relative
    assert!(message(finding(&srt["report"], "captions.time_base")).contains("programme-relative"));
}

/// The master's shot changes as FFmpeg's `scdet` finds them, seconds.
fn scdet_cuts() -> Vec<f64> {
    let out = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-nostats", "-i"])
        .arg(fx(MASTER))
        .args(["-vf", "scdet=threshold=10", "-f", "null", "-"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter_map(|l| {
            let rest = &l[l.find("lavfi.scd.time:")? + "lavfi.scd.time:".len()..];
            rest.trim().parse().ok()
        })
        .collect()
}

#[test]
fn events_near_the_masters_shot_changes_fail_and_on_them_pass() {
    let (_, fps) = master_facts();
    let cuts = scdet_cuts();
    assert_eq!(cuts.len(), 1, "scdet: {cuts:?}");
    let cut = cuts[0];
    // (file, event, frames from the cut as ffprobe reads the event, severity)
    let cases = [
        ("near_cut.srt", 2, "ends", "before", "warning"),
        ("near_cut_after.srt", 2, "ends", "after", "warning"),
        ("near_cut_2.srt", 3, "starts", "after", "error"),
    ];
    for (name, event, which, side, severity) in cases {
        let p = packets(&fx(name))[event - 1];
        let at = if which == "ends" { p.0 + p.1 } else { p.0 };
        let frames = ((at - cut) * fps).round().abs();
        let (code, file) = netflix(name);
        let f = finding(&file, "captions.shot_change_frames");
        assert_eq!(
            (f["status"].as_str(), f["severity"].as_str()),
            (Some("failed"), Some(severity)),
            "{name}: {f:#}"
        );
        let m = message(f);
        let words = format!(
            "{which} {frames} frames {side} the shot change at {}",
            tc(cut, fps)
        );
        assert!(m.contains(&words), "{name}: {m} (want {words})");
        assert!(m.contains(&format!("first: event {event} at ")), "{m}");
        assert_eq!(code, i32::from(severity == "error"), "{name}");
    }
    // `--master` measures the master's shot changes for the captions
    let (_, file) = netflix("good_en.ttml");
    assert_eq!(
        finding(&file, "captions.shot_change_frames")["status"],
        "passed"
    );
}

#[test]
fn a_planned_master_without_picture_qc_still_has_its_shot_changes_measured() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("SHOTS");
    std::fs::create_dir_all(root.join("picture")).unwrap();
    std::fs::create_dir_all(root.join("subs")).unwrap();
    std::fs::copy(fx(MASTER), root.join("picture/M.mov")).unwrap();
    std::fs::copy(fx("near_cut_after.srt"), root.join("subs/M_EN.srt")).unwrap();
    // youtube-upload has [video] rules and no [picture] rules
    std::fs::write(
        root.join("signoff.toml"),
        r#"[project]
title = "Shots"

[[deliverable]]
id = "master"
title = "Master"
profiles = ["youtube-upload"]
patterns = ["picture/*.mov"]

[[deliverable]]
id = "subs"
title = "English subtitles"
profiles = ["netflix-timed-text"]
patterns = ["subs/*.srt"]
captions_for = "master"
language = "en"
"#,
    )
    .unwrap();
    let (ledger, run) = (tmp.path().join("l.sqlite"), tmp.path().join("run.json"));
    let board = |n: u64| {
        let out = common::plan_signoff()
            .args(["check", "--quiet", "--format", "json", "--ledger"])
            .arg(&ledger)
            .arg("--report")
            .arg(&run)
            .arg(&root)
            .output()
            .unwrap();
        let board: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        assert_eq!(board["analysed_files"], n, "{board:#}");
        board
    };
    let first = board(2);
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&run).unwrap()).unwrap();
    let subs = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"]["relative_path"] == "subs/M_EN.srt")
        .unwrap();
    let f = finding(&subs["report"], "captions.shot_change_frames");
    assert_eq!(f["status"], "failed", "{f:#}");
    assert!(
        message(f).contains("ends 5 frames after the shot change"),
        "{}",
        message(f)
    );
    // the master's profiles judged no picture: no picture line on its row
    let master = first["deliverables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "master")
        .unwrap();
    assert!(master["files"][0]["verdict"].is_string(), "{master:#}");
    assert!(master["files"][0].get("picture").is_none(), "{master:#}");
    // nothing changed: the cached master still gives its shot changes
    board(0);
}

#[test]
fn an_event_ending_before_it_starts_is_reported_once() {
    let (code, file) = netflix("inverted.srt");
    assert_eq!(code, 1);
    let f = finding(&file, "captions.start_before_end");
    assert_eq!(f["status"], "failed", "{f:#}");
    // the parse check leaves it to the rule
    let parse = finding(&file, "kind.caption_parses");
    assert_eq!(parse["status"], "passed", "{parse:#}");
    let saying: Vec<&Value> = file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "failed" && message(f).contains("before it starts"))
        .collect();
    assert_eq!(saying.len(), 1, "{file:#}");
}

/// EBU STL is binary, its text in the code page its GSI block names: the
/// UTF-8 rules cannot be made on it and say so, never a failure.
#[test]
fn the_utf8_rules_are_not_evaluated_on_binary_stl() {
    let stl = common::fixtures().join("captions").join("good_25.stl");
    let (_, file) = check("netflix-timed-text", &stl, &[]);
    for rule in ["captions.utf8", "captions.control_characters"] {
        let f = finding(&file, rule);
        assert_eq!(f["status"], "not_evaluated", "{f:#}");
        assert!(message(f).contains("EBU STL is a binary format"), "{f:#}");
    }
}
