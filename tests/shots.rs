//! Shot changes (src/picture/shots.rs) on fixtures/make-shots.sh's
//! pictures with cuts at known frames: every cut found on its frame
//! (±0), none inside the moving, zooming or panning segments, and the
//! same frames and scene scores as FFmpeg's own `scdet` filter on the same
//! file, at 8 bits (H.264 4:2:0) and 10 bits (ProRes 4:2:2); the same
//! changes whether the picture stage runs for picture QC or for the shot
//! changes alone; and `signoff measure` reports them in its JSON.

mod common;

use signoff::picture::{analyse_picture, PictureOptions};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The first frames of every shot but the first, as the script makes them.
const CUTS: [u64; 5] = [50, 90, 120, 140, 190];
const FPS: f64 = 25.0;

fn fx(name: &str) -> PathBuf {
    common::fixtures().join("shots").join(name)
}

/// (time_s, score) of every frame `scdet` flags at `threshold`.
fn scdet(path: &Path, threshold: f64) -> Vec<(f64, f64)> {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-nostats", "-i"])
        .arg(path)
        .args(["-vf", &format!("scdet=threshold={threshold}")])
        .args(["-f", "null", "-"])
        .output()
        .expect("ffmpeg runs");
    let text = String::from_utf8_lossy(&out.stderr);
    let num = |line: &str, key: &str| -> Option<f64> {
        let rest = &line[line.find(key)? + key.len()..];
        rest.trim_start()
            .split(|c: char| c == ',' || c.is_whitespace())
            .next()?
            .parse()
            .ok()
    };
    text.lines()
        .filter_map(|l| Some((num(l, "lavfi.scd.time:")?, num(l, "lavfi.scd.score:")?)))
        .collect()
}

fn ours(path: &Path, opts: &PictureOptions) -> signoff::picture::shots::ShotChanges {
    let media = signoff::probe::probe_file(path).expect("probes").info;
    let mut all = analyse_picture(path, &media, opts).expect("analyses");
    assert_eq!(all.len(), 1);
    let p = all.remove(0);
    assert_eq!(p.not_evaluated, None);
    assert_eq!(p.frames, 250);
    p.shots.expect("shot changes measured")
}

fn agree(name: &str) {
    let path = fx(name);
    let truth = scdet(&path, 10.0);
    let truth_frames: Vec<u64> = truth.iter().map(|t| (t.0 * FPS).round() as u64).collect();
    assert_eq!(truth_frames, CUTS, "scdet on {name}: {truth:?}");
    let got = ours(&path, &PictureOptions::shots_only());
    assert_eq!(got.detector.threshold, 10.0);
    let frames: Vec<u64> = got.changes.iter().map(|c| c.frame).collect();
    assert_eq!(frames, CUTS, "{name}: {got:?}");
    for (c, t) in got.changes.iter().zip(&truth) {
        assert!((c.time_s - t.0).abs() < 1e-6, "{name}: {c:?} vs {t:?}");
        // scdet prints its score to 3 decimals
        assert!(
            (c.score - t.1).abs() <= 0.0005 + 1e-9,
            "{name}: score {} vs scdet {}",
            c.score,
            t.1
        );
    }
    // every other frame scores far below: scdet at threshold 3 adds nothing
    assert_eq!(scdet(&path, 3.0).len(), CUTS.len(), "{name}");
    let low = ours(
        &path,
        &PictureOptions {
            shots: Some(signoff::picture::shots::ShotOptions { threshold: 3.0 }),
            shots_only: true,
            ..Default::default()
        },
    );
    assert_eq!(low.changes.len(), CUTS.len(), "{name}: {low:?}");
}

#[test]
fn cuts_agree_with_scdet_at_8_bits() {
    agree("cuts_25.mkv");
}

#[test]
fn cuts_agree_with_scdet_at_10_bits_with_timecode() {
    agree("cuts_10bit.mov");
    let got = ours(&fx("cuts_10bit.mov"), &PictureOptions::shots_only());
    let tcs: Vec<&str> = got
        .changes
        .iter()
        .map(|c| c.timecode.as_deref().unwrap_or("none"))
        .collect();
    assert_eq!(
        tcs,
        [
            "10:00:02:00",
            "10:00:03:15",
            "10:00:04:20",
            "10:00:05:15",
            "10:00:07:15"
        ]
    );
}

#[test]
fn picture_qc_finds_the_same_shot_changes() {
    let path = fx("cuts_25.mkv");
    let every = PictureOptions::every_detector();
    let media = signoff::probe::probe_file(&path).expect("probes").info;
    let all = analyse_picture(&path, &media, &every).expect("analyses");
    let alone = ours(&path, &PictureOptions::shots_only());
    assert_eq!(all[0].shots.as_ref(), Some(&alone));
    // the shot changes alone run no other detector
    let only = analyse_picture(&path, &media, &PictureOptions::shots_only()).unwrap();
    assert!(only[0].black_detector.is_none() && only[0].levels.is_none());
}

#[test]
fn measure_reports_shot_changes_in_json() {
    let out = assert_cmd::Command::cargo_bin("signoff")
        .unwrap()
        .args(["measure", "--format", "json"])
        .arg(fx("cuts_25.mkv"))
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let text = doc.to_string();
    let shots = find(&doc, "shots").unwrap_or_else(|| panic!("no shots in {text}"));
    let frames: Vec<u64> = shots["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["frame"].as_u64().unwrap())
        .collect();
    assert_eq!(frames, CUTS);
}

/// The first value under `key` anywhere in `v`.
fn find<'a>(v: &'a serde_json::Value, key: &str) -> Option<&'a serde_json::Value> {
    match v {
        serde_json::Value::Object(m) => {
            m.get(key).or_else(|| m.values().find_map(|x| find(x, key)))
        }
        serde_json::Value::Array(a) => a.iter().find_map(|x| find(x, key)),
        _ => None,
    }
}
