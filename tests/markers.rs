//! `signoff markers` read back by OpenTimelineIO itself (tests/markers_read.py: the
//! otio-cmx3600-adapter for the EDL, OTIO's reader for the .otio, opentime's
//! drop-frame-aware `from_timecode` for every timecode), on masters made by FFmpeg with a
//! start timecode at 23.976, 25 and 29.97 drop-frame: every marker's name, comment and time
//! equal what signoff wrote, and the note typed at a timecode lands on the frame OTIO gives
//! that timecode.

mod common;
#[path = "common/review.rs"]
mod review_fixture;

use review_fixture::Review;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn read_back(rate: &str, dir: &Path, tcs: &[&str]) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/markers_read.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(rate)
        .arg(dir.join("m.edl"))
        .arg(dir.join("m.otio"))
        .arg(dir.join("m.txt"))
        .args(tcs)
        .output()
        .expect("python3 with opentimelineio and otio-cmx3600-adapter (see setup.sh)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The one-line form of a marker's text, as signoff's EDL and Avid writers make it.
fn one_line(s: &str) -> String {
    signoff::escape::line_field(s)
}

fn round_trip(rate: &str, start_tc: &str, at: &str, to: &str, at2: &str, drop_frame: bool) {
    let r = Review::new(rate, start_tc);
    r.check();
    let text = "sky goes magenta\nin shot 3\t* LOC: 00:00:00:00 RED forged";
    let a = r.json(&[
        "note", "ftr", "--at", at, "--to", to, text, "--by", "Ana", "--format", "json",
    ]);
    let b = r.json(&[
        "note",
        "ftr",
        "--at",
        at2,
        "hum in the left channel",
        "--by",
        "Bo",
        "--kind",
        "technical",
        "--format",
        "json",
    ]);
    let gone = r.json(&[
        "note",
        "ftr",
        "--at",
        at2,
        "already fixed",
        "--by",
        "Bo",
        "--format",
        "json",
    ]);
    let gone_id = gone["notes"][0]["id"].as_i64().unwrap().to_string();
    r.json(&[
        "note",
        "--set-state",
        &gone_id,
        "addressed",
        "--by",
        "Ana",
        "fixed",
        "--format",
        "json",
    ]);
    let qc = r.json(&[
        "note",
        "--from-findings",
        "ftr",
        "--by",
        "QC",
        "--format",
        "json",
    ]);
    assert_eq!(qc["notes"].as_array().unwrap().len(), 1, "{qc}");
    assert_eq!(a["notes"][0]["drop_frame"], drop_frame);
    let dir = r.tmp.path();
    let mut doc = Value::Null;
    for (format, file) in [("edl", "m.edl"), ("otio", "m.otio"), ("avid", "m.txt")] {
        let out = dir.join(file);
        doc = r.json(&[
            "markers",
            "ftr",
            "--format",
            format,
            "-o",
            out.to_str().unwrap(),
            "--json",
        ]);
    }
    let markers = doc["markers"].as_array().unwrap().clone();
    assert_eq!(
        markers.len(),
        3,
        "two open notes and the qc note, not the addressed one: {doc}"
    );
    let got = read_back(rate, dir, &[start_tc, at, to, at2]);
    let tcs = &got["timecodes"];
    let start = tcs[start_tc].as_f64().unwrap();
    // The master starts at its own timecode in every format.
    assert_eq!(got["edl"]["clip_start"].as_f64().unwrap(), start);
    assert_eq!(got["otio"]["clip_start"].as_f64().unwrap(), start);
    assert_eq!(
        got["otio"]["clip_duration"].as_f64().unwrap(),
        doc["master"]["duration_frames"].as_f64().unwrap()
    );
    assert_eq!(
        got["edl"]["clip_duration"].as_f64().unwrap(),
        doc["master"]["duration_frames"].as_f64().unwrap()
    );
    // The typed timecodes land where OTIO puts them.
    let note_a = markers
        .iter()
        .find(|m| m["comment"].as_str().unwrap().starts_with("sky"))
        .unwrap();
    let note_b = markers
        .iter()
        .find(|m| m["comment"] == "hum in the left channel")
        .unwrap();
    assert_eq!(
        start + note_a["frame"].as_f64().unwrap(),
        tcs[at].as_f64().unwrap()
    );
    assert_eq!(
        note_a["duration_frames"].as_f64().unwrap(),
        tcs[to].as_f64().unwrap() - tcs[at].as_f64().unwrap()
    );
    assert_eq!(
        start + note_b["frame"].as_f64().unwrap(),
        tcs[at2].as_f64().unwrap()
    );
    assert_eq!(note_a["timecode"], at);
    assert_eq!(note_b["timecode"], at2);
    let otio = got["otio"]["markers"].as_array().unwrap();
    let locs = got["edl"]["locs"].as_array().unwrap();
    let avid = got["avid"].as_array().unwrap();
    assert_eq!((otio.len(), locs.len(), avid.len()), (3, 3, 3), "{got}");
    for (i, m) in markers.iter().enumerate() {
        let frame = start + m["frame"].as_f64().unwrap();
        let text = one_line(&format!(
            "{}: {}",
            m["name"].as_str().unwrap(),
            m["comment"].as_str().unwrap()
        ));
        let upper = m["color"].as_str().unwrap().to_uppercase();
        // .otio: name, comment, colour, range, exactly.
        assert_eq!(otio[i]["name"], m["name"]);
        assert_eq!(otio[i]["comment"], m["comment"]);
        assert_eq!(otio[i]["color"], upper.as_str());
        assert_eq!(otio[i]["start"].as_f64().unwrap(), frame);
        assert_eq!(
            otio[i]["duration"].as_f64().unwrap(),
            m["duration_frames"].as_f64().unwrap()
        );
        // EDL: one locator line per marker, at the marker's frame.
        assert_eq!(locs[i]["tc"], m["timecode"]);
        assert_eq!(locs[i]["start"].as_f64().unwrap(), frame);
        assert_eq!(locs[i]["color"], upper.as_str());
        assert_eq!(locs[i]["text"], text.as_str());
        // Avid: six fields, the text on one line.
        assert_eq!(avid[i]["fields"], 6);
        assert_eq!(avid[i]["start"].as_f64().unwrap(), frame);
        assert_eq!(avid[i]["track"], "V1");
        assert_eq!(avid[i]["color"], m["color"]);
        assert_eq!(avid[i]["comment"], text.as_str());
        assert_eq!(avid[i]["by"], m["by"]);
        assert_eq!(
            avid[i]["duration"].as_f64().unwrap(),
            m["duration_frames"].as_f64().unwrap()
        );
    }
    // The adapter reads the locators itself at non-drop rates (its locator pattern takes
    // HH:MM:SS:FF only; drop-frame locators are checked through opentime above).
    let adapter = got["edl"]["markers"].as_array().unwrap();
    if !(drop_frame && adapter.is_empty()) {
        assert_eq!(adapter.len(), 3, "{got}");
        for (i, m) in markers.iter().enumerate() {
            let text = one_line(&format!(
                "{}: {}",
                m["name"].as_str().unwrap(),
                m["comment"].as_str().unwrap()
            ));
            assert_eq!(adapter[i]["name"], text.as_str());
            assert_eq!(
                adapter[i]["start"].as_f64().unwrap(),
                start + m["frame"].as_f64().unwrap()
            );
        }
    }
    // The forged locator in the note's text stays inside its own line.
    let edl = std::fs::read_to_string(dir.join("m.edl")).unwrap();
    assert_eq!(
        edl.lines().filter(|l| l.starts_with("* LOC:")).count(),
        3,
        "{edl}"
    );
    assert_eq!(edl.contains("FCM: DROP FRAME"), drop_frame, "{edl}");
    let list = r.json(&["note", "--list", "ftr", "--format", "json"]);
    let mut docs = Vec::new();
    for (name, schema, v) in [
        ("a", "note", &a),
        ("b", "note", &b),
        ("qc", "note", &qc),
        ("list", "note", &list),
        ("markers", "markers", &doc),
    ] {
        let p = dir.join(format!("{name}.json"));
        std::fs::write(&p, v.to_string()).unwrap();
        docs.push((schema, p));
    }
    let pairs: Vec<(&str, &Path)> = docs.iter().map(|(s, p)| (*s, p.as_path())).collect();
    common::assert_schema_valid(&pairs);
}

#[test]
fn markers_at_23_976_read_back_by_opentimelineio() {
    round_trip(
        "24000/1001",
        "00:59:50:00",
        "00:59:51:12",
        "00:59:52:00",
        "00:59:56:23",
        false,
    );
}

#[test]
fn markers_at_25_read_back_by_opentimelineio() {
    round_trip(
        "25",
        "10:00:00:00",
        "10:00:01:12",
        "10:00:02:00",
        "10:00:06:24",
        false,
    );
}

#[test]
fn markers_at_29_97_drop_frame_read_back_by_opentimelineio() {
    // 00:00:58;00 + 2 s crosses a minute that drops ;00 and ;01: a non-drop count would
    // put 00:01:00;02 two frames late.
    round_trip(
        "30000/1001",
        "00:00:58;00",
        "00:01:00;02",
        "00:01:01;00",
        "00:01:04;29",
        true,
    );
}
