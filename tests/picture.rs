//! Issue 10, picture: black and freeze segments agree with FFmpeg's own
//! `blackdetect` and `freezedetect` on the same file and parameters, within
//! one frame, at 8 bits (FFV1 4:2:0) and 10 bits (ProRes 422 HQ). Fixtures
//! are made in the test from FFmpeg's lavfi sources.

mod common;

use signoff::picture::{analyse_picture, PictureMeasurements, PictureOptions};
use std::path::{Path, PathBuf};
use std::process::Command;

const FPS: f64 = 25.0;

/// 2 s moving, 3 s black, 2 s moving, 3 s still, 1 s near-black (Y′ 30,
/// under the 10 % threshold), 1 s moving, 2.4 s dark grey (Y′ 40, above
/// it), 2.4 s still colour bars, 2.5 s black to the end.
fn make(dir: &Path, name: &str, codec: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let s = "s=320x240:r=25";
    let sources = [
        format!("testsrc2={s}:d=2"),
        format!("color=black:{s}:d=3"),
        format!("testsrc2={s}:d=2"),
        format!("testsrc2={s}:d=0.04,loop=loop=74:size=1"),
        format!("color=0x1e1e1e:{s}:d=1"),
        format!("testsrc2={s}:d=1"),
        format!("color=0x282828:{s}:d=2.4"),
        format!("smptebars={s}:d=2.4"),
        format!("color=black:{s}:d=2.5"),
    ];
    let mut cmd = Command::new("ffmpeg");
    cmd.args(["-nostdin", "-y", "-hide_banner", "-loglevel", "error"]);
    for src in &sources {
        cmd.args(["-f", "lavfi", "-i", src]);
    }
    let inputs: String = (0..sources.len())
        .map(|i| format!("[{i}:v]format=yuv420p,setsar=1[v{i}];"))
        .collect();
    let chain: String = (0..sources.len()).map(|i| format!("[v{i}]")).collect();
    let filter = format!("{inputs}{chain}concat=n={}:v=1:a=0[out]", sources.len());
    let status = cmd
        .args(["-filter_complex", &filter, "-map", "[out]"])
        .args(codec)
        .arg(&out)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg made {name}");
    out
}

/// (start, end) seconds of every segment FFmpeg's filters report, and the
/// end of a freeze still open at the end (`None`).
struct Truth {
    black: Vec<(f64, f64)>,
    freeze: Vec<(f64, Option<f64>)>,
}

fn ffmpeg_truth(path: &Path, black: &str, freeze: &str) -> Truth {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-nostats", "-i"])
        .arg(path)
        .args([
            "-vf",
            &format!("blackdetect={black},freezedetect={freeze}"),
            "-f",
            "null",
            "-",
        ])
        .output()
        .expect("ffmpeg runs");
    let text = String::from_utf8_lossy(&out.stderr);
    let num = |line: &str, key: &str| -> Option<f64> {
        let rest = &line[line.find(key)? + key.len()..];
        rest.trim_start()
            .split(|c: char| c.is_whitespace())
            .next()?
            .parse()
            .ok()
    };
    let mut truth = Truth {
        black: Vec::new(),
        freeze: Vec::new(),
    };
    for line in text.lines() {
        if let (Some(s), Some(e)) = (num(line, "black_start:"), num(line, "black_end:")) {
            truth.black.push((s, e));
        }
        if let Some(s) = num(line, "freeze_start:") {
            truth.freeze.push((s, None));
        }
        if let Some(e) = num(line, "freeze_end:") {
            truth.freeze.last_mut().expect("a freeze started").1 = Some(e);
        }
    }
    truth
}

fn ours(path: &Path, opts: &PictureOptions) -> PictureMeasurements {
    let media = signoff::probe::probe_file(path).expect("probes").info;
    let mut all = analyse_picture(path, &media, opts).expect("analyses");
    assert_eq!(all.len(), 1);
    all.remove(0)
}

fn near(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1.0 / FPS + 1e-6
}

fn agree(path: &Path) {
    let opts = PictureOptions::default();
    let truth = ffmpeg_truth(path, "d=2:pic_th=0.98:pix_th=0.1", "n=0.001:d=2");
    let got = ours(path, &opts);
    assert_eq!(got.not_evaluated, None);
    assert_eq!(got.frames, 483);
    assert!(got.decode_errors.is_empty(), "{:?}", got.decode_errors);
    // Black: the 3 s hold, 1 s near-black (too short on its own: it
    // follows the still, so stands alone), and the 2.5 s tail.
    let black: Vec<(f64, f64)> = got.black.iter().map(|s| (s.start_s, s.end_s)).collect();
    assert_eq!(
        black.len(),
        truth.black.len(),
        "ours {black:?} ffmpeg {:?}",
        truth.black
    );
    assert_eq!(black.len(), 2, "{black:?}");
    for (o, t) in black.iter().zip(&truth.black) {
        assert!(
            near(o.0, t.0) && near(o.1, t.1),
            "black ours {o:?} ffmpeg {t:?}"
        );
    }
    // Freeze: FFmpeg also reports the black holds as freezes; signoff
    // reports them once, as black.
    let in_black = |s: f64| black.iter().any(|b| s >= b.0 - 0.05 && s < b.1);
    let expected: Vec<&(f64, Option<f64>)> =
        truth.freeze.iter().filter(|f| !in_black(f.0)).collect();
    let freeze: Vec<(f64, f64)> = got.freeze.iter().map(|s| (s.start_s, s.end_s)).collect();
    assert_eq!(
        freeze.len(),
        expected.len(),
        "ours {freeze:?} ffmpeg {:?}",
        truth.freeze
    );
    assert!(freeze.len() >= 2, "{freeze:?}");
    for (o, t) in freeze.iter().zip(expected) {
        assert!(near(o.0, t.0), "freeze start ours {o:?} ffmpeg {t:?}");
        if let Some(end) = t.1 {
            assert!(near(o.1, end), "freeze end ours {o:?} ffmpeg {t:?}");
        }
    }
}

#[test]
fn black_and_freeze_agree_with_ffmpeg_8_bit() {
    let dir = tempfile::tempdir().unwrap();
    let f = make(dir.path(), "p.mkv", &["-c:v", "ffv1"]);
    agree(&f);
    let got = ours(&f, &PictureOptions::default());
    assert_eq!(got.bit_depth, 8);
    assert!(!got.full_range);
}

#[test]
fn black_and_freeze_agree_with_ffmpeg_10_bit_prores() {
    let dir = tempfile::tempdir().unwrap();
    let f = make(
        dir.path(),
        "p.mov",
        &[
            "-c:v",
            "prores_ks",
            "-profile:v",
            "3",
            "-pix_fmt",
            "yuv422p10le",
        ],
    );
    agree(&f);
    let got = ours(&f, &PictureOptions::default());
    assert_eq!(got.bit_depth, 10);
}

const PROFILE: &str = r#"
id = "test-picture"
title = "Picture rules under test"
[source]
document = "tests/picture.rs"
date_read = "2026-12"
confidence = "primary"
[picture]
black_s = { max = 0, head_allowance_s = 1.0 }
freeze_s = { max = 0, severity = "warning" }
"#;

fn run_json(args: &[&str], files: &[&Path]) -> (i32, serde_json::Value, String) {
    let out = assert_cmd::Command::cargo_bin("signoff")
        .unwrap()
        .env_remove("SIGNOFF_SPECS")
        .args(args)
        .args(files)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let doc = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "JSON ({e}): {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), doc, text)
}

fn validate(name: &str, text: &str, dir: &Path) {
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, text).unwrap();
    common::assert_schema_valid(&[(name, &path)]);
}

#[test]
fn check_fails_black_and_warns_freeze_at_their_positions_read_only() {
    let dir = tempfile::tempdir().unwrap();
    let media = make(dir.path(), "p.mkv", &["-c:v", "ffv1"]);
    let spec = dir.path().join("picture.toml");
    std::fs::write(&spec, PROFILE).unwrap();
    let before = (
        std::fs::read(&media).unwrap(),
        std::fs::metadata(&media).unwrap().modified().unwrap(),
    );
    let (code, doc, text) = run_json(
        &[
            "check",
            "--spec",
            spec.to_str().unwrap(),
            "--format",
            "json",
            "-j",
            "1",
        ],
        &[&media],
    );
    validate("check", &text, dir.path());
    assert_eq!(code, 1, "{doc}");
    let file = &doc["files"][0];
    let finding = |id: &str| {
        file["report"]["findings"]
            .as_array()
            .or(file["findings"].as_array())
            .unwrap()
            .iter()
            .find(|f| f["rule_id"] == id)
            .unwrap_or_else(|| panic!("{id} in {file}"))
            .clone()
    };
    let black = finding("picture.black_s");
    assert_eq!(black["status"], "failed", "{black}");
    // The longest black outside the 1 s head allowance: the 3 s hold at 2 s.
    assert!(
        (black["position_s"].as_f64().unwrap() - 2.0).abs() < 0.05,
        "{black}"
    );
    let freeze = finding("picture.freeze_s");
    assert_eq!(freeze["status"], "failed");
    assert_eq!(freeze["severity"], "warning");
    let errors = finding("picture.decode_errors");
    assert_eq!(errors["status"], "passed");
    assert!(
        black["message"]
            .as_str()
            .unwrap()
            .contains("from 2.000 s to 5.000 s"),
        "{black}"
    );
    let after = (
        std::fs::read(&media).unwrap(),
        std::fs::metadata(&media).unwrap().modified().unwrap(),
    );
    assert!(before == after, "the media file was changed");
}

#[test]
fn a_file_without_video_leaves_picture_rules_not_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("a.wav");
    let ok = Command::new("ffmpeg")
        .args([
            "-nostdin",
            "-y",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=d=1",
        ])
        .arg(&wav)
        .status()
        .unwrap();
    assert!(ok.success());
    let spec = dir.path().join("picture.toml");
    std::fs::write(&spec, PROFILE).unwrap();
    let (code, doc, _) = run_json(
        &[
            "check",
            "--spec",
            spec.to_str().unwrap(),
            "--format",
            "json",
            "-j",
            "1",
        ],
        &[&wav],
    );
    assert_eq!(
        code, 0,
        "not evaluated is not failed (unless the policy says so): {doc}"
    );
    assert_eq!(doc["files"][0]["verdict"], "not_evaluated");
    let picture: Vec<&serde_json::Value> = doc["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"].as_str().unwrap().starts_with("picture."))
        .collect();
    assert_eq!(picture.len(), 3, "{doc}");
    for f in picture {
        assert_eq!(f["status"], "not_evaluated", "{f}");
        assert_eq!(f["reason"], "the file has no video stream");
    }
}

#[test]
fn measure_reports_picture_segments_in_json_and_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let media = make(dir.path(), "p.mkv", &["-c:v", "ffv1"]);
    let (code, doc, text) = run_json(&["measure", "--format", "json"], &[&media]);
    assert_eq!(code, 0, "{doc}");
    validate("measure", &text, dir.path());
    let p = &doc["files"][0]["picture"][0];
    assert_eq!(p["frames"], 483);
    assert_eq!(p["bit_depth"], 8);
    let black = p["black"].as_array().unwrap();
    assert_eq!(black.len(), 2, "{p}");
    assert_eq!(black[0]["start_frame"], 50);
    assert_eq!(black[0]["end_frame"], 125);
    assert_eq!(p["freeze"].as_array().unwrap().len(), 3, "{p}");
    let human = assert_cmd::Command::cargo_bin("signoff")
        .unwrap()
        .arg("measure")
        .arg(&media)
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&human.stdout);
    assert!(
        human.contains("picture, video stream 0: 483 frames"),
        "{human}"
    );
    assert!(
        human.contains("black   2.000 s to 5.000 s  3.00 s"),
        "{human}"
    );
}

#[test]
fn a_damaged_frame_is_a_decode_error_with_its_position_and_the_rest_is_analysed() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("p.mov");
    let ok = Command::new("ffmpeg")
        .args(["-nostdin", "-y", "-loglevel", "error", "-f", "lavfi", "-i"])
        .args([
            "testsrc2=s=320x240:r=25:d=4",
            "-c:v",
            "prores_ks",
            "-profile:v",
            "3",
        ])
        .arg(&good)
        .status()
        .unwrap();
    assert!(ok.success());
    // Overwrite bytes of one frame in the middle of the media data.
    let mut bytes = std::fs::read(&good).unwrap();
    let mid = bytes.len() / 2;
    for b in bytes[mid..mid + 20_000].iter_mut().step_by(7) {
        *b = 0xff;
    }
    let bad = dir.path().join("bad.mov");
    std::fs::write(&bad, bytes).unwrap();
    let got = ours(&bad, &PictureOptions::default());
    assert_eq!(got.frames, 100, "every other frame still analysed");
    assert!(got.decode_error_count >= 1, "{got:?}");
    let first = &got.decode_errors[0];
    assert!(first.at_s > 1.0 && first.at_s < 3.0, "{first:?}");
    let spec = dir.path().join("picture.toml");
    std::fs::write(&spec, PROFILE).unwrap();
    let (code, doc, _) = run_json(
        &[
            "check",
            "--spec",
            spec.to_str().unwrap(),
            "--format",
            "json",
            "-j",
            "1",
        ],
        &[&bad],
    );
    assert_eq!(code, 1, "{doc}");
    let f = doc["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "picture.decode_errors")
        .unwrap()
        .clone();
    assert_eq!(f["status"], "failed", "{f}");
    assert!(
        (f["position_s"].as_f64().unwrap() - first.at_s).abs() < 1e-9,
        "{f}"
    );
}

/// Frame `n` of `path` scaled by FFmpeg to `w × h` R′G′B′ (area averaging,
/// exact rounding, chroma interpolated to full resolution before the
/// conversion), from limited range with colour matrix `matrix`.
fn ffmpeg_rgb(path: &Path, n: u64, (w, h): (u32, u32), matrix: &str) -> Vec<u8> {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(path)
        .args([
            "-vf",
            &format!(
                "select=eq(n\\,{n}),scale={w}:{h}:flags=area+accurate_rnd+full_chroma_int:in_color_matrix={matrix}:in_range=tv,format=rgb24"
            ),
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-",
        ])
        .output()
        .expect("ffmpeg runs");
    assert!(out.status.success());
    out.stdout
}

fn png_pixels(base64_png: &str) -> (u32, u32, Vec<u8>) {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64_png)
        .unwrap();
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

#[test]
fn thumbnails_come_from_the_one_decode_and_match_ffmpeg_colours() {
    let dir = tempfile::tempdir().unwrap();
    // Smooth saturated colour: a wrong matrix is off by about 10 code values.
    let src = "gradients=s=320x240:r=25:d=4:speed=0.02";
    let files = [
        ("bt709_10bit.mov", "bt709", "prores_ks", "yuv422p10le"),
        ("bt601_8bit.mkv", "smpte170m", "ffv1", "yuv420p"),
    ];
    for (name, matrix, codec, pix) in files {
        let path = dir.path().join(name);
        let tags = format!(
            "format={pix},setparams=range=tv:colorspace={matrix}:color_primaries={matrix}:color_trc={matrix}"
        );
        let status = Command::new("ffmpeg")
            .args(["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", src])
            .args(["-vf", &tags, "-c:v", codec])
            .arg(&path)
            .status()
            .unwrap();
        assert!(status.success());
        let probe = signoff::probe::probe_file(&path).unwrap().info;
        let tagged = probe.streams[0]
            .video
            .as_ref()
            .unwrap()
            .color_matrix
            .clone();
        assert_eq!(tagged.as_deref(), Some(matrix), "{name}");
        let p = ours(&path, &PictureOptions::default());
        assert_eq!(p.thumbnails.len(), 6, "{name}: {:?}", p.thumbnails_note);
        assert_eq!(p.thumbnails_note, None);
        // Evenly spaced over the 4 s: the first frame at or after (i + ½) × 4/6 s.
        let frames: Vec<u64> = p.thumbnails.iter().map(|t| t.frame).collect();
        assert_eq!(frames, [9, 25, 42, 59, 75, 92], "{name}");
        let wrong = if matrix == "bt709" { "bt601" } else { "bt709" };
        for t in &p.thumbnails {
            let (w, h, ours) = png_pixels(&t.png_base64);
            assert_eq!((w, h), (160, 120));
            let diff = |theirs: Vec<u8>| {
                assert_eq!(theirs.len(), ours.len());
                ours.iter()
                    .zip(&theirs)
                    .map(|(a, b)| f64::from(a.abs_diff(*b)))
                    .sum::<f64>()
                    / ours.len() as f64
            };
            let right = diff(ffmpeg_rgb(&path, t.frame, (w, h), matrix));
            let other = diff(ffmpeg_rgb(&path, t.frame, (w, h), wrong));
            assert!(right < 1.0, "{name} frame {}: {right}", t.frame);
            assert!(
                other > 3.0 * right,
                "{name} frame {}: {right} vs {other}",
                t.frame
            );
        }
    }
}
