//! Unit tests of the caption rules on caption documents built by hand
//! (the values are worked out in each test's comments).

use super::captions::{same_language, time_base, CaptionFacts};
use super::eval::evaluate;
use super::facts::FileFacts;
use super::finding::{Finding, Status};
use super::load::{Origin, Registry};
use super::model::{Profile, Severity};
use crate::captions::context::{CaptionContext, MasterFacts, MasterLink};
use crate::captions::model::{CaptionDoc, CaptionEvent, CaptionFormat, Encoding, FrameRate};
use std::path::Path;

const R2398: FrameRate = FrameRate {
    num: 24000,
    den: 1001,
};
const R25: FrameRate = FrameRate { num: 25, den: 1 };

fn custom(body: &str) -> Profile {
    let text = format!(
        "id = \"t\"\ntitle = \"t\"\n[source]\ndocument = \"d\"\nurl = \"u\"\nclause = \"§1\"\ndate_read = \"2026-11\"\nconfidence = \"primary\"\n{body}"
    );
    let mut reg = Registry::builtin().unwrap();
    reg.add_text(&text, Origin::BuiltIn("t")).unwrap();
    reg.resolve("t").unwrap()
}

fn ev(number: usize, start_s: f64, end_s: f64, lines: &[&str]) -> CaptionEvent {
    CaptionEvent {
        number,
        id: None,
        start_s,
        end_s,
        start_frames: None,
        end_frames: None,
        lines: lines.iter().map(|l| l.to_string()).collect(),
        at: Default::default(),
    }
}

fn doc(events: Vec<CaptionEvent>) -> CaptionDoc {
    CaptionDoc {
        format: CaptionFormat::Srt,
        events,
        language: None,
        frame_rate: None,
        drop_frame: false,
        time_base: None,
        encoding: Encoding {
            utf8_valid: true,
            ..Encoding::default()
        },
        problems: Vec::new(),
    }
}

fn master(duration_s: f64, rate: FrameRate, tc: &str) -> MasterLink {
    MasterLink::Found(MasterFacts {
        deliverable: "feature".into(),
        file: "picture/F.mov".into(),
        sha256: None,
        found_by: "named by `captions_for` in the plan".into(),
        duration_s: Some(duration_s),
        frame_rate: Some(rate),
        start_timecode: Some(tc.into()),
        shot_changes_s: None,
    })
}

fn run(p: &Profile, doc: CaptionDoc, context: CaptionContext) -> Vec<Finding> {
    let captions = CaptionFacts {
        doc: Ok(doc),
        context,
    };
    let facts = FileFacts {
        path: Path::new("/d/F_EN.srt"),
        file_name: "F_EN.srt",
        size_bytes: 1,
        media: None,
        audio: None,
        sidecars: &[],
        picture: None,
        captions: Some(&captions),
        artwork: None,
    };
    evaluate(p, &facts)
}

fn one<'a>(fs: &'a [Finding], id: &str) -> &'a Finding {
    fs.iter()
        .find(|f| f.rule_id == id)
        .unwrap_or_else(|| panic!("no {id} in {fs:#?}"))
}

#[test]
fn reading_speed_names_the_count_first_and_worst_event() {
    let p = custom("[captions]\nreading_speed_cps = { max = 17 }\n");
    // event 2: 20 characters in 1 s = 20 cps; event 3: 30 in 1 s = 30 cps;
    // event 1: 10 characters in 1 s = 10 cps (passes)
    let d = doc(vec![
        ev(1, 0.0, 1.0, &["0123456789"]),
        ev(2, 62.4, 63.4, &["0123456789", "0123456789"]),
        ev(3, 70.0, 71.0, &["012345678901234", "012345678901234"]),
    ]);
    let ctx = CaptionContext {
        plan_language: Some("en".into()),
        master: master(100.0, R25, "00:00:00:00"),
    };
    let fs = run(&p, d, ctx);
    let f = one(&fs, "captions.reading_speed_cps");
    assert_eq!(f.status, Status::Failed);
    assert_eq!(f.severity, Severity::Error);
    assert!(
        f.message
            .starts_with("2 of 3 events fail the reading speed"),
        "{}",
        f.message
    );
    assert!(
        f.message
            .contains("first: event 2 at 00:01:02:10 (20.0 cps"),
        "{}",
        f.message
    );
    assert!(f.message.contains("worst: event 3"), "{}", f.message);
    assert_eq!(f.timecode.as_deref(), Some("00:01:02:10"));
    assert_eq!(f.position_s, Some(62.4));
}

#[test]
fn timing_rules_order_overlap_inversion_duration_gap() {
    let p = custom(
        "[captions]\nin_order = true\nno_overlap = true\nstart_before_end = true\n\
         duration_s = { min = 0.833, max = 7 }\ngap_frames = { min = 2 }\n",
    );
    // 25 fps: event 2 starts 1 frame (0.04 s) after event 1 ends; event 3
    // overlaps event 4; event 4 starts before event 3 (out of order) and
    // ends before it starts; event 5 lasts 8 s.
    let d = doc(vec![
        ev(1, 0.0, 1.0, &["a"]),
        ev(2, 1.04, 2.0, &["b"]),
        ev(3, 5.0, 6.0, &["c"]),
        ev(4, 4.0, 3.5, &["d"]),
        ev(5, 10.0, 18.0, &["e"]),
    ]);
    let ctx = CaptionContext {
        plan_language: None,
        master: master(100.0, R25, "00:00:00:00"),
    };
    let fs = run(&p, d, ctx);
    let msg = |id| one(&fs, id).message.clone();
    assert!(
        msg("captions.in_order").starts_with("1 of 5 events start before"),
        "{}",
        msg("captions.in_order")
    );
    assert!(msg("captions.in_order").contains("first: event 4"));
    assert!(
        msg("captions.no_overlap").contains("first: event 3"),
        "{}",
        msg("captions.no_overlap")
    );
    assert!(msg("captions.start_before_end").contains("first: event 4"));
    // durations: event 4 is -0.5 s, event 5 is 8 s
    let d = one(&fs, "captions.duration_s");
    assert!(d.message.starts_with("2 of 5 events"), "{}", d.message);
    assert!(d.message.contains("first: event 4"), "{}", d.message);
    // gaps: 1 → 2 is 1 frame; 2 → 3 is 75 frames; 4 → 5 is 162.5 frames
    let g = one(&fs, "captions.gap_frames");
    assert!(g.message.starts_with("1 of 5 events"), "{}", g.message);
    assert!(
        g.message.contains("(1 frames at 25 fps before event 2)"),
        "{}",
        g.message
    );
}

#[test]
fn gap_without_any_frame_rate_is_not_evaluated() {
    let p = custom("[captions]\ngap_frames = { min = 2 }\n");
    let fs = run(
        &p,
        doc(vec![ev(1, 0.0, 1.0, &["a"]), ev(2, 1.5, 2.0, &["b"])]),
        CaptionContext::default(),
    );
    let f = one(&fs, "captions.gap_frames");
    assert!(f.is_not_evaluated(), "{f:#?}");
    assert!(f.message.contains("no frame rate"), "{}", f.message);
}

#[test]
fn lines_and_characters_per_line() {
    let p = custom("[captions]\nlines = { max = 2 }\nchars_per_line = { max = 42 }\n");
    let long = "x".repeat(43);
    let d = doc(vec![
        ev(1, 0.0, 1.0, &["one", "two", "three"]),
        ev(2, 2.0, 3.0, &[&long]),
        ev(3, 4.0, 5.0, &[&"y".repeat(42)]),
    ]);
    let fs = run(&p, d, CaptionContext::default());
    let l = one(&fs, "captions.lines");
    assert!(
        l.message.contains("1 of 3 events") && l.message.contains("event 1"),
        "{}",
        l.message
    );
    let c = one(&fs, "captions.chars_per_line");
    assert!(
        c.message
            .contains("first: event 2 at 00:00:02.000 (43 characters)"),
        "{}",
        c.message
    );
}

#[test]
fn per_language_overrides_replace_keys_and_count_half_width() {
    let p = custom(
        "[captions]\nreading_speed_cps = { max = 17 }\nchars_per_line = { max = 42 }\n\
         [captions.languages.ja]\nreading_speed_cps = { max = 4 }\nchars_per_line = { max = 13 }\n",
    );
    // 15 full-width characters: 15 counted (over 13)
    let d = doc(vec![ev(1, 0.0, 4.0, &["日本語の字幕です。日本語の字幕"])]);
    let ctx = CaptionContext {
        plan_language: Some("ja-JP".into()),
        master: MasterLink::default(),
    };
    let fs = run(&p, d.clone(), ctx);
    let c = one(&fs, "captions.chars_per_line");
    assert_eq!(c.status, Status::Failed, "{c:#?}");
    assert!(
        c.message.contains("(15 characters)") && c.message.contains("rules for `ja`"),
        "{}",
        c.message
    );
    // 15 characters in 4 s = 3.75 cps: within 4
    assert_eq!(
        one(&fs, "captions.reading_speed_cps").status,
        Status::Passed
    );
    // the same file judged as English: 15 characters, 42 allowed
    let ctx = CaptionContext {
        plan_language: Some("en".into()),
        ..CaptionContext::default()
    };
    let fs = run(&p, d, ctx);
    assert_eq!(one(&fs, "captions.chars_per_line").status, Status::Passed);
}

#[test]
fn banded_reading_speed_warns_in_the_band() {
    let p = custom(
        "[captions]\nreading_speed_cps = { max = 17, fail_max = 20, confidence = \"secondary\" }\n",
    );
    // 18 cps: band of doubt → warning
    let fs = run(
        &p,
        doc(vec![ev(1, 0.0, 1.0, &[&"a".repeat(18)])]),
        CaptionContext::default(),
    );
    let f = one(&fs, "captions.reading_speed_cps");
    assert_eq!(
        (f.status.clone(), f.severity),
        (Status::Failed, Severity::Warning),
        "{f:#?}"
    );
    assert!(
        f.message
            .contains("0 outside the widest credible reading, 1 in the band of doubt"),
        "{}",
        f.message
    );
    // 18 and 25 cps: one error is enough for an error
    let fs = run(
        &p,
        doc(vec![
            ev(1, 0.0, 1.0, &[&"a".repeat(18)]),
            ev(2, 2.0, 3.0, &[&"a".repeat(25)]),
        ]),
        CaptionContext::default(),
    );
    assert_eq!(
        one(&fs, "captions.reading_speed_cps").severity,
        Severity::Error
    );
}

#[test]
fn against_the_master_duration_frame_rate_and_time_base() {
    let p = custom(
        "[captions]\nwithin_master = true\nframe_aligned = true\ntime_base = { one_of = [\"programme\", \"timecode\"] }\n",
    );
    // master: 10 s at 23.976 from 01:00:00:00; captions timecode-relative,
    // on 25 fps frames (0.04 s steps), one event before the start and one past the end
    let d = doc(vec![
        ev(1, 3599.0, 3600.4, &["early"]),
        ev(2, 3601.0, 3602.0, &["in"]),
        ev(3, 3603.0, 3604.0, &["in"]),
        ev(4, 3609.0, 3611.0, &["late"]),
    ]);
    let ctx = CaptionContext {
        plan_language: None,
        master: master(10.0, R2398, "01:00:00:00"),
    };
    let fs = run(&p, d.clone(), ctx);
    let tb = one(&fs, "captions.time_base");
    assert_eq!(tb.actual, "timecode");
    assert!(tb.message.contains("timecode-relative"), "{}", tb.message);
    let w = one(&fs, "captions.within_master");
    assert!(
        w.message.starts_with("2 of 4 events fall outside"),
        "{}",
        w.message
    );
    assert!(
        w.message.contains("before the master's start"),
        "{}",
        w.message
    );
    let a = one(&fs, "captions.frame_aligned");
    assert_eq!(a.status, Status::Failed);
    assert!(a.message.contains("the times fit 25"), "{}", a.message);
    assert!(
        a.message.contains("the master is 23.976 fps"),
        "{}",
        a.message
    );
    // the same events programme-relative against a master starting at 0
    let prog = doc(vec![
        ev(1, 1.001, 2.002, &["a"]),
        ev(2, 3.003, 4.004, &["b"]),
    ]);
    let ctx = CaptionContext {
        plan_language: None,
        master: master(10.0, R2398, "01:00:00:00"),
    };
    let fs = run(&p, prog.clone(), ctx);
    assert_eq!(one(&fs, "captions.time_base").actual, "programme");
    assert_eq!(one(&fs, "captions.within_master").status, Status::Passed);
    assert_eq!(
        one(&fs, "captions.frame_aligned").status,
        Status::Passed,
        "{fs:#?}"
    );
    let m = match master(10.0, R2398, "01:00:00:00") {
        MasterLink::Found(m) => m,
        _ => unreachable!(),
    };
    assert_eq!(time_base(&prog, &m).origin_s, 0.0);
}

#[test]
fn without_a_master_the_master_rules_are_not_evaluated() {
    let p = custom("[captions]\nwithin_master = true\nshot_change_frames = { min = 12 }\n");
    let fs = run(
        &p,
        doc(vec![ev(1, 0.0, 1.0, &["a"])]),
        CaptionContext::default(),
    );
    for f in &fs {
        assert!(f.is_not_evaluated(), "{f:#?}");
        assert!(f.message.contains("no master"), "{}", f.message);
    }
    // a master without measured shot changes
    let ctx = CaptionContext {
        plan_language: None,
        master: master(10.0, R25, "00:00:00:00"),
    };
    let fs = run(&p, doc(vec![ev(1, 0.0, 1.0, &["a"])]), ctx);
    let s = one(&fs, "captions.shot_change_frames");
    assert!(
        s.message.contains("no shot changes measured"),
        "{}",
        s.message
    );
}

#[test]
fn shot_changes_within_frames_fail() {
    let p = custom("[captions]\nshot_change_frames = { min = 12 }\n");
    let mut m = match master(20.0, R25, "00:00:00:00") {
        MasterLink::Found(m) => m,
        _ => unreachable!(),
    };
    // cut at 5.0 s: event 1 ends 5 frames before it (4.8 s); event 2 starts on it
    m.shot_changes_s = Some(vec![5.0]);
    let d = doc(vec![ev(1, 2.0, 4.8, &["a"]), ev(2, 5.0, 7.0, &["b"])]);
    let ctx = CaptionContext {
        plan_language: None,
        master: MasterLink::Found(m),
    };
    let fs = run(&p, d, ctx);
    let s = one(&fs, "captions.shot_change_frames");
    assert_eq!(s.status, Status::Failed);
    assert!(s.message.starts_with("1 of 2 events"), "{}", s.message);
    assert!(
        s.message
            .contains("ends 5 frames before the shot change at 00:00:05:00"),
        "{}",
        s.message
    );
}

#[test]
fn encoding_and_language() {
    let p = custom(
        "[captions]\nutf8 = true\nbom = false\ncontrol_characters = { max = 0 }\nlanguage_matches_plan = true\n",
    );
    let mut d = doc(vec![ev(1, 0.0, 1.0, &["a"])]);
    d.encoding = Encoding {
        utf8_bom: true,
        utf8_valid: false,
        detected: Some("Latin-1 or Windows-1252".into()),
        first_bad: Some(crate::captions::Location {
            line: 3,
            column: 5,
            byte: 40,
        }),
        control_chars: 2,
    };
    d.language = Some("fr".into());
    let ctx = CaptionContext {
        plan_language: Some("en".into()),
        ..CaptionContext::default()
    };
    let fs = run(&p, d, ctx);
    for id in [
        "captions.utf8",
        "captions.bom",
        "captions.control_characters",
        "captions.language_matches_plan",
    ] {
        assert_eq!(one(&fs, id).status, Status::Failed, "{id}");
    }
    assert!(one(&fs, "captions.utf8")
        .message
        .contains("Latin-1 or Windows-1252; first at line 3, column 5"));
    assert!(one(&fs, "captions.language_matches_plan")
        .message
        .contains("declares `fr`, the plan orders `en`"));
    assert!(same_language("en", "en-US"));
    assert!(same_language("EN-us", "en-US"));
    assert!(!same_language("en-GB", "en-US"));
    assert!(!same_language("fr", "en"));
}

#[test]
fn an_empty_file_leaves_event_rules_not_evaluated() {
    let p = custom("[captions]\nevent_count = { min = 1 }\nduration_s = { min = 1 }\n");
    let fs = run(&p, doc(Vec::new()), CaptionContext::default());
    assert_eq!(one(&fs, "captions.event_count").status, Status::Failed);
    assert!(one(&fs, "captions.duration_s").is_not_evaluated());
}

#[test]
fn a_file_that_does_not_parse_leaves_every_rule_not_evaluated() {
    let p = custom("[captions]\nduration_s = { min = 1 }\n");
    let captions = CaptionFacts {
        doc: Err("the SRT file does not parse: line 2, column 1: no timing line".into()),
        context: CaptionContext::default(),
    };
    let facts = FileFacts {
        path: Path::new("x.srt"),
        file_name: "x.srt",
        size_bytes: 1,
        media: None,
        audio: None,
        sidecars: &[],
        picture: None,
        captions: Some(&captions),
        artwork: None,
    };
    let fs = evaluate(&p, &facts);
    assert!(fs[0].is_not_evaluated());
    assert!(
        fs[0].message.contains("line 2, column 1"),
        "{}",
        fs[0].message
    );
}

#[test]
fn caption_keys_are_validated_with_suggestions() {
    let text = "id = \"t\"\ntitle = \"t\"\n[source]\ndocument = \"d\"\ndate_read = \"2026-11\"\nconfidence = \"primary\"\n[captions]\nreading_speed = { max = 17 }\n[captions.languages.ja]\nchars_per_lin = { max = 13 }\n";
    let mut reg = Registry::builtin().unwrap();
    reg.add_text(text, Origin::BuiltIn("t")).unwrap();
    let err = reg.resolve("t").unwrap_err().to_string();
    assert!(err.contains("did you mean `reading_speed_cps`"), "{err}");
    assert!(err.contains("did you mean `chars_per_line`"), "{err}");
    // a warning-only number is refused as in the other spec groups
    let text = text
        .replace(
            "reading_speed = { max = 17 }",
            "reading_speed_cps = { max = 17, severity = \"warning\" }",
        )
        .replace("chars_per_lin", "chars_per_line");
    let mut reg = Registry::builtin().unwrap();
    reg.add_text(&text, Origin::BuiltIn("t")).unwrap();
    let err = reg.resolve("t").unwrap_err().to_string();
    assert!(err.contains("warning-only"), "{err}");
}
