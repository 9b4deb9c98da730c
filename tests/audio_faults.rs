//! Issue 9, audio: samples that are not numbers, audio faults as rules,
//! undecodable files as unreadable, lying headers refused within bounded
//! memory. Fixtures: `fixtures/damaged/` (made by `fixtures/make-audio.sh`).

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};

fn damaged(name: &str) -> PathBuf {
    common::fixtures().join("damaged").join(name)
}

fn signoff() -> Command {
    let mut c = Command::cargo_bin("signoff").unwrap();
    c.env_remove("SIGNOFF_SPECS");
    c
}

fn measure_json(path: &Path) -> (i32, Value) {
    let out = signoff()
        .args(["measure", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    (out.status.code().unwrap(), doc)
}

/// `check --format json` with the given `--spec`s (ids or files).
fn check_json(paths: &[&Path], specs: &[&str]) -> (i32, Value) {
    let mut cmd = signoff();
    cmd.arg("check");
    for s in specs {
        cmd.args(["--spec", s]);
    }
    let out = cmd
        .args(paths)
        .args(["--format", "json", "-j", "1"])
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "JSON on stdout ({e}):\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), doc)
}

fn findings<'a>(doc: &'a Value, rule: &str) -> Vec<&'a Value> {
    doc["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .collect()
}

fn faults_of<'a>(doc: &'a Value, kind: &str) -> Vec<&'a Value> {
    doc["files"][0]["audio"]["faults"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == kind)
        .collect()
}

/// FFmpeg's integrated loudness and true peak (`ebur128=peak=true`).
fn ffmpeg_loudness(input: &Path) -> (f64, f64) {
    let out = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-nostats", "-hide_banner", "-i"])
        .arg(input)
        .args(["-af", "ebur128=peak=true", "-f", "null", "-"])
        .output()
        .expect("ffmpeg runs");
    let text = String::from_utf8_lossy(&out.stderr);
    let summary = text.rsplit("Summary:").next().unwrap();
    let value = |label: &str| -> f64 {
        summary
            .lines()
            .find_map(|l| l.trim().strip_prefix(label))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {label} in:\n{text}"))
    };
    (value("I:"), value("Peak:"))
}

/// A copy of a 32-bit float WAV (44-byte header) with every sample that is
/// not a number replaced by 0: the reference FFmpeg can measure.
fn zeroed_copy(src: &Path, dir: &Path) -> PathBuf {
    let mut bytes = std::fs::read(src).unwrap();
    assert_eq!(&bytes[36..40], b"data", "plain 44-byte header");
    let mut replaced = 0;
    for word in bytes[44..].chunks_exact_mut(4) {
        if !f32::from_le_bytes(word.try_into().unwrap()).is_finite() {
            word.copy_from_slice(&0f32.to_le_bytes());
            replaced += 1;
        }
    }
    assert_eq!(
        replaced, 1,
        "the fixture holds one sample that is not a number"
    );
    let out = dir.join("zeroed.wav");
    std::fs::write(&out, bytes).unwrap();
    out
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

// --- 5. samples that are not numbers --------------------------------------

fn assert_one_invalid_sample_measured_over_valid(name: &str, at_s: f64) {
    let file = damaged(name);
    let dir = tempfile::tempdir().unwrap();
    let (ref_i, ref_tp) = ffmpeg_loudness(&zeroed_copy(&file, dir.path()));
    assert!((ref_i + 20.0).abs() < 0.15, "reference I {ref_i}");
    let (code, doc) = measure_json(&file);
    assert_eq!(code, 0);
    let p = &doc["files"][0]["audio"]["programmes"][0];
    let i = p["integrated_lufs"]
        .as_f64()
        .expect("loudness over the valid samples");
    let tp = p["true_peak_dbtp"].as_f64().expect("a finite true peak");
    assert!(
        (round1(i) - ref_i).abs() <= 0.1,
        "{name}: I {i} vs FFmpeg {ref_i}"
    );
    assert!(
        (round1(tp) - ref_tp).abs() <= 0.1,
        "{name}: TP {tp} vs FFmpeg {ref_tp}"
    );
    let invalid = faults_of(&doc, "invalid_samples");
    assert_eq!(invalid.len(), 1, "{doc:#}");
    assert_eq!(invalid[0]["count"], 1);
    assert_eq!(invalid[0]["channel"], 0);
    assert!((invalid[0]["start_s"].as_f64().unwrap() - at_s).abs() < 0.001);
}

#[test]
fn one_nan_sample_is_a_fault_and_loudness_is_over_the_valid_samples() {
    assert_one_invalid_sample_measured_over_valid("float_-20lufs_nan.wav", 0.002);
}

#[test]
fn one_inf_sample_is_a_fault_and_true_peak_stays_finite() {
    assert_one_invalid_sample_measured_over_valid("float_-20lufs_inf.wav", 0.5);
}

#[test]
fn an_all_nan_track_is_not_silent_and_has_no_loudness() {
    let (code, doc) = measure_json(&damaged("float_all_nan.wav"));
    assert_eq!(code, 0);
    let faults = doc["files"][0]["audio"]["faults"].as_array().unwrap();
    assert!(
        faults
            .iter()
            .all(|f| f["kind"] != "silence" && f["kind"] != "silent_channel"),
        "{faults:#?}"
    );
    let invalid = faults_of(&doc, "invalid_samples");
    let total: u64 = invalid.iter().map(|f| f["count"].as_u64().unwrap()).sum();
    assert_eq!(total, 2 * 24_000);
    assert!(
        invalid[0]["message"]
            .as_str()
            .unwrap()
            .contains("not measured"),
        "{invalid:#?}"
    );
    let p = &doc["files"][0]["audio"]["programmes"][0];
    assert!(p["integrated_lufs"].is_null() && p["true_peak_dbtp"].is_null());
}

#[test]
fn invalid_samples_fail_the_file_under_any_profile_that_measures_audio() {
    let dir = tempfile::tempdir().unwrap();
    // A house profile with only a loudness rule the file meets.
    let house = loose_loudness_profile(dir.path());
    let house = house.to_str().unwrap();
    for spec in ["ebu-r128", house] {
        let (code, doc) = check_json(&[&damaged("float_-20lufs_nan.wav")], &[spec]);
        assert_eq!(code, 1, "{spec}: {doc:#}");
        assert_eq!(doc["files"][0]["verdict"], "fail");
        let f = findings(&doc, "faults.invalid_samples");
        assert_eq!(f.len(), 1, "{spec}");
        assert_eq!(f[0]["status"], "failed");
        assert_eq!(f[0]["severity"], "error");
        assert_eq!(f[0]["actual"], "1");
    }
    // The all-NaN file fails too, and its loudness is not evaluated, with the reason.
    let (code, doc) = check_json(&[&damaged("float_all_nan.wav")], &["ebu-r128"]);
    assert_eq!(code, 1);
    let i = findings(&doc, "loudness.integrated_lufs");
    assert_eq!(i[0]["status"], "not_evaluated");
    assert!(
        i[0]["reason"].as_str().unwrap().contains("not numbers"),
        "{i:#?}"
    );
}

/// A house profile asking only for loudness between −30 and −10 LUFS.
fn loose_loudness_profile(dir: &Path) -> PathBuf {
    let p = dir.join("house.toml");
    std::fs::write(
        &p,
        "id = \"house\"\ntitle = \"house\"\n[source]\ndocument = \"house\"\ndate_read = \"2026-12\"\n\
         confidence = \"primary\"\n[loudness]\nintegrated_lufs = { min = -30, max = -10 }\n",
    )
    .unwrap();
    p
}

#[test]
fn decode_errors_in_the_middle_fail_the_file() {
    let dir = tempfile::tempdir().unwrap();
    // media/h264_high_aac.mp4 with 10 % of its media data zeroed in the middle:
    // the first frames decode, the middle does not.
    let mut d = std::fs::read(common::media("h264_high_aac.mp4")).unwrap();
    let at = d.windows(4).position(|w| w == b"mdat").unwrap() - 4;
    let size = u32::from_be_bytes(d[at..at + 4].try_into().unwrap()) as usize;
    let (a, b) = (at + 8 + size * 45 / 100, at + 8 + size * 55 / 100);
    d[a..b].fill(0);
    let file = dir.path().join("mid.mp4");
    std::fs::write(&file, d).unwrap();
    let house = loose_loudness_profile(dir.path());
    let (code, doc) = check_json(&[&file], &[house.to_str().unwrap()]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(
        findings(&doc, "loudness.integrated_lufs")[0]["status"],
        "passed"
    );
    let f = findings(&doc, "faults.decode_errors");
    assert_eq!(
        (f[0]["status"].as_str(), f[0]["severity"].as_str()),
        (Some("failed"), Some("error"))
    );
    assert!(f[0]["actual"].as_str().unwrap().parse::<u32>().unwrap() > 0);
    let at = f[0]["position_s"].as_f64().unwrap();
    assert!(at > 0.5 && at < 1.5, "the damage is in the middle: {at}");
}

// --- 6. audio faults are rules ---------------------------------------------

#[test]
fn clipping_runs_become_findings_in_check() {
    let clipping = common::media("wav_stereo_clipping.wav");
    // By default (any profile that measures audio): a warning with the count.
    let (_, doc) = check_json(&[&clipping], &["ebu-r128"]);
    let f = findings(&doc, "faults.clipping_runs");
    assert_eq!(f.len(), 1, "{doc:#}");
    assert_eq!(f[0]["status"], "failed");
    assert_eq!(f[0]["severity"], "warning");
    let (_, measured) = measure_json(&clipping);
    let runs: u64 = faults_of(&measured, "clipping")
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .sum();
    assert_eq!(runs, 2 * 4_000, "4000 clipped runs per channel");
    assert_eq!(f[0]["actual"], runs.to_string());
    assert!(f[0]["position_s"].is_number());
    // A profile with only a [faults] group measures the audio and fails the file.
    let dir = tempfile::tempdir().unwrap();
    let strict = dir.path().join("strict.toml");
    std::fs::write(
        &strict,
        "id = \"strict\"\ntitle = \"strict\"\n[source]\ndocument = \"house\"\ndate_read = \"2026-12\"\n\
         confidence = \"primary\"\n[faults]\nclipping_runs = { max = 0 }\n",
    )
    .unwrap();
    let (code, doc) = check_json(&[&clipping], &[strict.to_str().unwrap()]);
    assert_eq!(code, 1, "{doc:#}");
    let f = findings(&doc, "faults.clipping_runs");
    assert_eq!(
        (f[0]["status"].as_str(), f[0]["severity"].as_str()),
        (Some("failed"), Some("error"))
    );
    // A clean file passes the same profile, every fault key evaluated.
    let (code, doc) = check_json(
        &[&common::media("wav_stereo_24bit.wav")],
        &[strict.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{doc:#}");
    let keys = doc["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"].as_str().unwrap().starts_with("faults."))
        .filter(|f| f["status"] == "passed")
        .count();
    assert_eq!(keys, 7);
}

/// A stereo WAV: 5 s silence, 4 s tone, 3 s silence (9–12 s), 4 s tone, 5 s silence.
fn silences_wav(dir: &Path) -> PathBuf {
    let path = dir.join("silences.wav");
    let status = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg(
            "sine=frequency=997:sample_rate=48000:duration=21,\
             volume='if(lt(t,5)+between(t,9,12)+gte(t,16),0,1)':eval=frame,\
             aformat=channel_layouts=stereo",
        )
        .args(["-c:a", "pcm_s24le"])
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success());
    path
}

#[test]
fn silence_counts_outside_the_head_and_tail_allowances() {
    let dir = tempfile::tempdir().unwrap();
    let wav = silences_wav(dir.path());
    let check = |max: f64, head: f64, tail: f64| {
        let p = dir.path().join(format!("s{max}-{head}-{tail}.toml"));
        std::fs::write(
            &p,
            format!(
                "id = \"s\"\ntitle = \"s\"\n[source]\ndocument = \"house\"\n\
                 date_read = \"2026-12\"\nconfidence = \"primary\"\n[faults]\n\
                 silence_s = {{ max = {max:.1}, head_allowance_s = {head:.1}, tail_allowance_s = {tail:.1} }}\n"
            ),
        )
        .unwrap();
        let (code, doc) = check_json(&[&wav], &[p.to_str().unwrap()]);
        let f = findings(&doc, "faults.silence_s")[0].clone();
        (
            code,
            f["actual"].as_str().unwrap().to_string(),
            f["position_s"].clone(),
        )
    };
    // No allowance: the 5 s head silence is the longest.
    let (code, got, at) = check(2.0, 0.0, 0.0);
    assert_eq!((code, got.as_str()), (1, "5 s"));
    assert!(at.as_f64().unwrap().abs() < 0.05, "{at}");
    // Head and tail allowed: the 3 s silence in the middle (9–12 s) is what is left.
    let (code, got, at) = check(2.0, 5.0, 5.0);
    assert_eq!((code, got.as_str()), (1, "3 s"));
    assert!((at.as_f64().unwrap() - 9.0).abs() < 0.05, "{at}");
    // 4 s allowances leave 1 s of the head and tail silences.
    assert_eq!(check(2.0, 4.0, 4.0).1, "3 s");
    // A profile allowing 3 s passes the file.
    assert_eq!(check(3.0, 5.0, 5.0).0, 0);
}

#[test]
fn a_fault_rule_is_never_below_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("lax.toml");
    std::fs::write(
        &p,
        "id = \"lax\"\ntitle = \"lax\"\n[source]\ndocument = \"house\"\ndate_read = \"2026-12\"\n\
         confidence = \"primary\"\n[faults]\nclipping_runs = { max = 0, severity = \"off\" }\n\
         invalid_samples = { max = 5 }\nsilence_s = { max = 0.5 }\n",
    )
    .unwrap();
    let out = signoff().args(["specs", "lint"]).arg(&p).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("`faults.clipping_runs` is at least a warning"),
        "{text}"
    );
    assert!(
        text.contains("`faults.invalid_samples` always fails a file"),
        "{text}"
    );
    assert!(text.contains("cannot be checked below 2 s"), "{text}");
    signoff()
        .args(["check", "--spec"])
        .arg(&p)
        .arg(common::media("wav_stereo_24bit.wav"))
        .assert()
        .code(4);
}

#[test]
fn netflix_masters_fail_on_clipping() {
    let (_, doc) = check_json(
        &[&common::media("wav_stereo_clipping.wav")],
        &["netflix-prores-hq"],
    );
    let f = findings(&doc, "faults.clipping_runs");
    assert_eq!(f[0]["status"], "failed");
    assert_eq!(f[0]["severity"], "error");
    assert!(f[0]["source_clause"]
        .as_str()
        .unwrap()
        .contains("AudioClippingInspector"));
}

// --- 7. undecodable is unreadable ------------------------------------------

#[test]
fn undecodable_and_cut_files_are_unreadable() {
    let cases = [
        (
            "g726_no_decoder.wav",
            "decoder of audio stream 0 (adpcm_g726) will not open",
        ),
        ("mp4_zeroed_payload.mp4", "does not decode"),
        (
            "mov_truncated_moov.mov",
            "truncated: the index (`moov` box)",
        ),
        (
            "mxf_cut_in_half.mxf",
            "truncated: the MXF header places its footer partition",
        ),
    ];
    for (name, words) in cases {
        let path = damaged(name);
        // With a profile that measures audio and with one that does not.
        for spec in ["ebu-r128", "youtube-upload"] {
            let (code, doc) = check_json(&[&path], &[spec]);
            assert_eq!(code, 2, "{name} {spec}: {doc:#}");
            let file = &doc["files"][0];
            assert_eq!(file["verdict"], "unreadable", "{name}");
            let message = file["problem"]["message"].as_str().unwrap();
            assert!(message.contains(words), "{name}: {message}");
        }
        signoff().arg("probe").arg(&path).assert().code(2);
    }
}

// --- 14. bounded memory from lying headers ----------------------------------

/// Runs the binary with its address space limited to `bytes`.
fn bounded(args: &[&str], path: &Path, bytes: u64) -> std::process::Output {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("signoff"));
    cmd.args(args).arg(path).env_remove("SIGNOFF_SPECS");
    // SAFETY: setrlimit is async-signal-safe; nothing else runs in the child.
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.output().unwrap()
}

#[test]
fn lying_headers_are_refused_within_bounded_memory() {
    const LIMIT: u64 = 1 << 30;
    let cases = [
        ("channels_65535.wav", "unsupported: 65535 channels"),
        ("rate_2ghz.wav", "unsupported: sample rate 2000000000 Hz"),
    ];
    for (name, words) in cases {
        for args in [
            &["measure"][..],
            &["check", "--spec", "ebu-r128"][..],
            &["probe"][..],
        ] {
            let out = bounded(args, &damaged(name), LIMIT);
            let text = String::from_utf8_lossy(&out.stdout);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{name} {args:?}: {text}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(text.contains(words), "{name} {args:?}: {text}");
        }
    }
    // A picture size claimed by the header (FFmpeg itself accepts 200 Mpixel).
    for args in [&["probe"][..], &["check", "--spec", "youtube-upload"][..]] {
        let out = bounded(args, &damaged("mov_claims_20000x10000.mov"), LIMIT);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {text}");
        assert!(
            text.contains("unsupported: a 20000x10000 picture"),
            "{text}"
        );
    }
}

/// A 16-bit stereo 48 kHz WAV of `seconds` of a 997 Hz tone at −20 dBFS.
fn tone_wav(path: &Path, seconds: u32) {
    let frames = 48_000 * seconds as usize;
    let mut data = Vec::with_capacity(frames * 4);
    for i in 0..frames {
        let v = (0.1 * (2.0 * std::f64::consts::PI * 997.0 * i as f64 / 48_000.0).sin() * 32_767.0)
            as i16;
        data.extend_from_slice(&v.to_le_bytes());
        data.extend_from_slice(&v.to_le_bytes());
    }
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    for v in [1u16, 2] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&48_000u32.to_le_bytes());
    out.extend_from_slice(&(48_000u32 * 4).to_le_bytes());
    for v in [4u16, 16] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend(data);
    std::fs::write(path, out).unwrap();
}

/// Peak resident memory of `signoff measure FILE`, kB, from `wait4` on that child.
#[allow(clippy::zombie_processes)] // reaped by wait4, which std cannot do
fn measure_peak_rss_kb(file: &Path) -> i64 {
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("signoff"))
        .arg("measure")
        .arg(file)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: waiting for our own child by its pid, with valid out-pointers.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32);
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
    usage.ru_maxrss
}

#[test]
fn measure_memory_stays_flat_in_file_length() {
    let dir = tempfile::tempdir().unwrap();
    let (short, long) = (dir.path().join("short.wav"), dir.path().join("long.wav"));
    tone_wav(&short, 5);
    tone_wav(&long, 120);
    let a = measure_peak_rss_kb(&short);
    let b = measure_peak_rss_kb(&long);
    // 115 s more of stereo is 44 MB as f32: memory growing with length would show.
    assert!(b < a + 16 * 1024, "5 s: {a} kB, 120 s: {b} kB");
}

#[test]
fn fault_and_damage_documents_validate_against_their_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = [
        "float_-20lufs_nan.wav",
        "float_all_nan.wav",
        "channels_65535.wav",
        "mp4_zeroed_payload.mp4",
    ]
    .iter()
    .map(|n| damaged(n))
    .chain([common::media("wav_stereo_clipping.wav")])
    .collect();
    let mut pairs = Vec::new();
    for (name, args) in [
        ("measure.json", vec!["measure", "--format", "json"]),
        (
            "check.json",
            vec!["check", "--spec", "ebu-r128", "--format", "json"],
        ),
    ] {
        let out = signoff().args(&args).args(&files).output().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, &out.stdout).unwrap();
        pairs.push((name.trim_end_matches(".json"), path));
    }
    let docs: Vec<(&str, &Path)> = pairs.iter().map(|(n, p)| (*n, p.as_path())).collect();
    common::assert_schema_valid(&docs);
}
