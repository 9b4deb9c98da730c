//! Every built-in profile is exercised by a fixture that passes it and one that fails it,
//! through the real binary (probe, loudness measurement, evaluation).

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn check(profile: &str, fixture: &str) -> (i32, Value) {
    let mut cmd = Command::cargo_bin("signoff").unwrap();
    cmd.args(["check", "--quiet", "--format", "json", "--spec", profile]);
    // caption files are checked against their master, in English
    if fixture.contains("caption-rules/") {
        let master = common::fixtures().join("caption-rules/master_2398_tc01.mov");
        cmd.arg("--master").arg(master).args(["--language", "en"]);
    }
    let out = cmd.arg(common::media(fixture)).output().unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    (out.status.code().unwrap(), doc["files"][0].clone())
}

fn failed(file: &Value) -> Vec<(String, String)> {
    file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "failed" && f["severity"] != "info")
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// How a clearly-outside file ends under a profile.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Outside {
    /// An error: the file fails, exit 1.
    Fails,
    /// Every number of the profile is advisory by its source (a
    /// recommendation): the file gets warnings that say so, exit 0.
    AdvisoryOnly,
}

/// (profile, a fixture that passes, a fixture clearly outside the profile, how it ends)
const CASES: &[(&str, &str, &str, Outside)] = &[
    (
        "amazon-pvd",
        "h264_high_aac.mp4",
        "h264_422_intra.mov",
        Outside::Fails,
    ),
    (
        "apple-itunes-hd",
        "prores_hq_8mono_tc.mov",
        "h264_422_intra.mov",
        Outside::Fails,
    ),
    (
        "apple-podcasts",
        "wav_stereo_loud_-16.wav",
        "wav_mono_24bit.wav",
        Outside::Fails,
    ),
    (
        "atsc-a85",
        "wav_51_24bit.wav",
        "wav_stereo_loud_-16.wav",
        Outside::Fails,
    ),
    (
        "ebu-r128",
        "wav_stereo_24bit.wav",
        "wav_stereo_loud_-16.wav",
        Outside::Fails,
    ),
    (
        "ebu-r128-live",
        "prores_hq_8mono_tc.mov",
        "wav_stereo_loud_-16.wav",
        Outside::Fails,
    ),
    (
        "ebu-r128-s1",
        "wav_stereo_24bit.wav",
        "wav_stereo_loud_-16.wav",
        Outside::Fails,
    ),
    (
        "netflix-prores-hq",
        "prores_hq_8mono_tc.mov",
        "dnxhd_1080i25_op1a.mxf",
        Outside::Fails,
    ),
    (
        "netflix-timed-text",
        "../caption-rules/good_en.vtt",
        "../caption-rules/fast.srt",
        Outside::Fails,
    ),
    (
        "netflix-tt-children",
        "../caption-rules/good_en.vtt",
        "../caption-rules/fast.srt",
        Outside::Fails,
    ),
    (
        "bbc-subtitles",
        "../caption-rules/good_en.vtt",
        "../caption-rules/long_line.srt",
        Outside::Fails,
    ),
    (
        "spotify",
        "mkv_h264_ac3_51.mkv",
        "wav_stereo_clipping.wav",
        Outside::AdvisoryOnly,
    ),
    (
        "uk-dpp-as11-hd",
        "avcintra100_1080i25_op1a.mxf",
        "prores_hq_8mono_tc.mov",
        Outside::Fails,
    ),
    (
        "youtube-upload",
        "h264_high_aac.mp4",
        "prores_hq_8mono_tc.mov",
        Outside::AdvisoryOnly,
    ),
    // Artwork and documents (fixtures/artwork/, made by make-artwork.sh).
    (
        "roku-key-art",
        "../artwork/keyart_1920x1080_srgb.jpg",
        "../artwork/poster_400x600_cmyk.jpg",
        Outside::Fails,
    ),
    (
        "prime-video-cover-art",
        "../artwork/keyart_1920x1080_srgb.png",
        "../artwork/huge_header.jpg",
        Outside::Fails,
    ),
    (
        "house-cue-sheet",
        "../artwork/cue_sheet_a4_2pages.pdf",
        "../artwork/mixed_sizes.pdf",
        Outside::Fails,
    ),
];

#[test]
fn every_builtin_profile_passes_a_good_file_and_fails_a_clearly_outside_one() {
    let out = Command::cargo_bin("signoff")
        .unwrap()
        .args(["specs", "list"])
        .output()
        .unwrap();
    let listed = String::from_utf8(out.stdout).unwrap();
    for line in listed
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
    {
        let id = line.split_whitespace().next().unwrap();
        assert!(
            CASES.iter().any(|c| c.0 == id),
            "built-in profile {id} has no fixture case"
        );
    }
    for &(profile, good, bad, outside) in CASES {
        let (code, file) = check(profile, good);
        // Netflix's shot-change rule needs the master's measured shot
        // changes: without them it is the one rule not evaluated.
        let unevaluated: Vec<&str> = file["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["status"] == "not_evaluated")
            .map(|f| f["rule_id"].as_str().unwrap())
            .collect();
        let verdict = if file["verdict"] == "not_evaluated"
            && unevaluated == ["captions.shot_change_frames"]
        {
            "pass"
        } else {
            file["verdict"].as_str().unwrap_or_default()
        };
        assert_eq!(
            verdict,
            "pass",
            "{profile} on {good}: {:?} {unevaluated:?}",
            failed(&file)
        );
        assert_eq!(code, 0, "{profile} on {good}");

        let (code, file) = check(profile, bad);
        let failures = failed(&file);
        assert!(
            !failures.is_empty(),
            "{profile} on {bad} should fail something"
        );
        match outside {
            Outside::Fails => {
                assert_eq!(file["verdict"], "fail", "{profile} on {bad}");
                assert_eq!(code, 1, "{profile} on {bad}: exit 1 on QC failure");
            }
            Outside::AdvisoryOnly => {
                assert!(
                    failures.iter().all(|(_, s)| s == "warning"),
                    "{profile}: only advisory numbers may warn without failing"
                );
                let findings = file["findings"].as_array().unwrap();
                assert!(
                    findings.iter().any(|f| f["status"] == "failed"
                        && f["message"]
                            .as_str()
                            .unwrap()
                            .contains("advisory: its source only recommends this")),
                    "{profile} on {bad}: an advisory warning says so"
                );
                assert_eq!(code, 0, "{profile} on {bad}: recommendations do not fail");
            }
        }
    }
}

/// A 3 s PCM WAV of a 1 kHz sine at `peak_dbfs` on every channel, 16-bit:
/// a stereo one at −x dBFS peak measures −x LUFS (EBU Tech 3341 case 1/2).
fn sine_wav(path: &Path, channels: u16, rate: u32, peak_dbfs: f64) {
    let frames = rate as usize * 3;
    let amp = 10f64.powf(peak_dbfs / 20.0) * 32767.0;
    let mut data = Vec::with_capacity(frames * channels as usize * 2);
    for i in 0..frames {
        let v = (amp * (2.0 * std::f64::consts::PI * 1000.0 * i as f64 / rate as f64).sin()).round()
            as i16;
        for _ in 0..channels {
            data.extend_from_slice(&v.to_le_bytes());
        }
    }
    let block = channels * 2;
    let mut w = Vec::new();
    w.extend_from_slice(b"RIFF");
    w.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    w.extend_from_slice(b"WAVEfmt ");
    w.extend_from_slice(&16u32.to_le_bytes());
    w.extend_from_slice(&1u16.to_le_bytes());
    w.extend_from_slice(&channels.to_le_bytes());
    w.extend_from_slice(&rate.to_le_bytes());
    w.extend_from_slice(&(rate * block as u32).to_le_bytes());
    w.extend_from_slice(&block.to_le_bytes());
    w.extend_from_slice(&16u16.to_le_bytes());
    w.extend_from_slice(b"data");
    w.extend_from_slice(&(data.len() as u32).to_le_bytes());
    w.extend_from_slice(&data);
    std::fs::write(path, w).unwrap();
}

/// A half-second 320×240 MP4 at `rate` fps in `codec`, made by the ffmpeg CLI.
fn video_mp4(path: &Path, rate: u32, codec: &str) {
    let st = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("testsrc2=size=320x240:rate={rate}"))
        .args(["-t", "0.5", "-c:v", codec, "-pix_fmt", "yuv420p"])
        .arg(path)
        .status()
        .unwrap();
    assert!(st.success());
}

fn check_path(profile: &str, path: &Path) -> (i32, Value) {
    let out = Command::cargo_bin("signoff")
        .unwrap()
        .args(["check", "--quiet", "--format", "json", "--spec", profile])
        .arg(path)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    (out.status.code().unwrap(), doc["files"][0].clone())
}

fn finding<'a>(file: &'a Value, rule_id: &str) -> &'a Value {
    file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == rule_id)
        .unwrap_or_else(|| panic!("no finding {rule_id}: {file}"))
}

/// Every banded rule of the built-ins: a value in its band of doubt is a
/// warning that says so, never an error and never a pass.
#[test]
fn the_band_of_doubt_warns() {
    let dir = tempfile::tempdir().unwrap();
    let wav = |name: &str, ch, rate, peak| {
        let p = dir.path().join(name);
        sine_wav(&p, ch, rate, peak);
        p
    };
    let fps48 = dir.path().join("fps48.mp4");
    video_mp4(&fps48, 48, "libx264");
    let mpeg2 = dir.path().join("mpeg2.mp4");
    video_mp4(&mpeg2, 25, "mpeg2video");
    // (profile, file, banded rule, whether nothing else fails the file)
    let cases = [
        // 2.5 LU above −24: outside the quoted ±2, inside the widest credible ±5.
        (
            "atsc-a85",
            wav("a85.wav", 2, 48000, -21.5),
            "loudness.integrated_lufs",
            true,
        ),
        // 0.6 LU below −23: outside R 128's ±0.2, inside its ±1.0.
        (
            "uk-dpp-as11-hd",
            wav("dpp.wav", 2, 48000, -23.6),
            "loudness.integrated_lufs",
            false,
        ),
        // 48 fps: not in Netflix's list, between its slowest and fastest rate.
        (
            "netflix-prores-hq",
            fps48.clone(),
            "video.frame_rate",
            false,
        ),
        // 4 channels: not 1, 2, 6 or 8, and not more than 8.
        (
            "amazon-pvd",
            wav("quad.wav", 4, 48000, -30.0),
            "audio.total_channels",
            false,
        ),
        // 44.1 kHz: below the summary's 48 kHz, not below Apple's 44.1 kHz.
        (
            "apple-itunes-hd",
            wav("cd.wav", 2, 44100, -23.0),
            "audio.sample_rate",
            false,
        ),
        // MPEG-2 video: not ProRes, but once accepted for TV.
        ("apple-itunes-hd", mpeg2.clone(), "video.codec", false),
    ];
    for (profile, path, rule, alone) in cases {
        let (code, file) = check_path(profile, &path);
        let f = finding(&file, rule);
        assert_eq!(f["status"], "failed", "{profile} {rule}: {f}");
        assert_eq!(f["severity"], "warning", "{profile} {rule}: {f}");
        let m = f["message"].as_str().unwrap();
        assert!(m.contains("band of doubt"), "{profile}: {m}");
        assert!(m.contains("widest credible"), "{profile}: {m}");
        if alone {
            assert_eq!(file["verdict"], "pass", "{profile}: {file}");
            assert_eq!(code, 0, "{profile}: a warning does not fail the file");
        }
    }
    // Just past the widest credible tolerance, each fails.
    let (code, file) = check_path("atsc-a85", &wav("a85-hot.wav", 2, 48000, -18.5));
    assert_eq!(
        finding(&file, "loudness.integrated_lufs")["severity"],
        "error"
    );
    assert_eq!((code, file["verdict"].as_str()), (1, Some("fail")));
    let (_, file) = check_path("amazon-pvd", &wav("16ch.wav", 16, 48000, -40.0));
    assert_eq!(finding(&file, "audio.total_channels")["severity"], "error");
    let (_, file) = check_path("apple-itunes-hd", &wav("32k.wav", 2, 32000, -23.0));
    assert_eq!(finding(&file, "audio.sample_rate")["severity"], "error");
}

/// The case: a printmaster at −16 LUFS, 8 LU hot for A/85, fails
/// through every output, the HTML report included.
#[test]
fn atsc_a85_fails_a_printmaster_8_lu_hot_in_every_output() {
    let wav = common::media("wav_stereo_loud_-16.wav");
    let (code, file) = check("atsc-a85", "wav_stereo_loud_-16.wav");
    assert_eq!((code, file["verdict"].as_str()), (1, Some("fail")));
    let f = finding(&file, "loudness.integrated_lufs");
    assert_eq!(f["severity"], "error");
    let m = f["message"].as_str().unwrap();
    assert!(m.contains("8.0 LU above -24"), "{m}");
    assert!(
        m.contains("outside even the widest credible tolerance ±5 LU"),
        "{m}"
    );
    assert!(m.contains("A/85 text not confirmed"), "{m}");

    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("qc.html");
    let out = Command::cargo_bin("signoff")
        .unwrap()
        .args(["check", "--quiet", "--spec", "atsc-a85"])
        .arg(&wav)
        .arg("--report")
        .arg(&html)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("FAIL "), "{text}");
    let doc = std::fs::read_to_string(&html).unwrap();
    let badge = |at: &str| {
        let i = doc
            .find(at)
            .unwrap_or_else(|| panic!("no {at} in the report"));
        let rest = &doc[i..];
        let b = rest.find("<span class=\"badge ").unwrap();
        let end = rest[b..].find("</span>").unwrap();
        rest[b..b + end].rsplit('>').next().unwrap().to_string()
    };
    assert_eq!(badge("<header class=\"run"), "FAIL", "the headline verdict");
    assert_eq!(
        badge("<section class=\"file\""),
        "FAIL",
        "the file's verdict"
    );
    assert!(doc.contains("outside even the widest credible tolerance"));
}

#[test]
fn r128_names_the_measured_value_the_target_and_the_tolerance() {
    let (code, file) = check("ebu-r128", "wav_stereo_loud_-16.wav");
    assert_eq!(code, 1);
    let finding = file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "loudness.integrated_lufs")
        .unwrap();
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains("-15.9") || message.contains("-16.0"),
        "{message}"
    );
    assert!(
        message.contains("-23") && message.contains("0.2"),
        "{message}"
    );
    let (code, file) = check("ebu-r128", "wav_stereo_24bit.wav");
    assert_eq!((code, file["verdict"].as_str()), (0, Some("pass")));
}
