//! EBU Tech 3341 (loudness meter) and Tech 3342 (loudness range)
//! conformance: every case that can be synthesised, generated in memory at
//! 48 kHz, each asserting the table value and tolerance from
//! /work/shared/reference/loudness.md. A few cases also go through a WAV
//! file and the decoder.

use signoff::measure::loudness::{channel_type, ChannelEnergy, ProgrammeLoudness};
use signoff::measure::truepeak::TruePeak;
use signoff::measure::{measure_file, MeasureOptions};
use signoff::probe::probe_file;
use std::f64::consts::PI;
use std::io::Write;
use std::path::Path;

const RATE: u32 = 48_000;

/// A 1 kHz sine with per-segment peak levels: (seconds, dBFS).
fn tone_segments(segments: &[(f64, f64)]) -> Vec<f32> {
    let mut out = Vec::new();
    for &(seconds, dbfs) in segments {
        let amplitude = 10f64.powf(dbfs / 20.0);
        let n = (seconds * f64::from(RATE)).round() as usize;
        let start = out.len();
        out.extend((0..n).map(|i| {
            let t = (start + i) as f64 / f64::from(RATE);
            (amplitude * (2.0 * PI * 1000.0 * t).sin()) as f32
        }));
    }
    out
}

/// Loudness of named channels, with the short-term and momentary values
/// after every 100 ms sub-block.
struct Measured {
    programme: ProgrammeLoudness,
    momentary: Vec<Option<f64>>,
    short_term: Vec<Option<f64>>,
    true_peak_dbtp: f64,
}

fn measure(channels: &[(&str, &[f32])]) -> Measured {
    let energies: Vec<Vec<f64>> = channels
        .iter()
        .map(|(name, x)| {
            let mut ch = ChannelEnergy::new(RATE, channel_type(name)).unwrap();
            let mut out = Vec::new();
            for chunk in x.chunks(1000) {
                ch.push(chunk, &mut out).unwrap();
            }
            out
        })
        .collect();
    let mut programme = ProgrammeLoudness::new(channels.len());
    let (mut momentary, mut short_term) = (Vec::new(), Vec::new());
    for k in 0..energies[0].len() {
        for (c, e) in energies.iter().enumerate() {
            programme.push(c, &e[k..=k]);
        }
        momentary.push(programme.momentary_lufs());
        short_term.push(programme.short_term_lufs());
    }
    let true_peak = channels
        .iter()
        .map(|(_, x)| {
            let mut tp = TruePeak::new(RATE);
            tp.push(x);
            tp.peak()
        })
        .fold(0.0, f64::max);
    Measured {
        programme,
        momentary,
        short_term,
        true_peak_dbtp: 20.0 * true_peak.log10(),
    }
}

fn stereo(x: &[f32]) -> Measured {
    measure(&[("L", x), ("R", x)])
}

fn assert_within(what: &str, value: f64, expected: f64, below: f64, above: f64) {
    assert!(
        value >= expected - below && value <= expected + above,
        "{what}: {value:.3}, expected {expected} (-{below}/+{above})"
    );
}

fn integrated(m: &Measured) -> f64 {
    m.programme.summary().integrated_lufs.unwrap()
}

#[test]
fn tech3341_case1_minus_23() {
    let m = stereo(&tone_segments(&[(20.0, -23.0)]));
    assert_within("I", integrated(&m), -23.0, 0.1, 0.1);
    assert_within("M", m.momentary.last().unwrap().unwrap(), -23.0, 0.1, 0.1);
    assert_within("S", m.short_term.last().unwrap().unwrap(), -23.0, 0.1, 0.1);
}

#[test]
fn tech3341_case2_minus_33() {
    let m = stereo(&tone_segments(&[(20.0, -33.0)]));
    assert_within("I", integrated(&m), -33.0, 0.1, 0.1);
    assert_within("M", m.momentary.last().unwrap().unwrap(), -33.0, 0.1, 0.1);
    assert_within("S", m.short_term.last().unwrap().unwrap(), -33.0, 0.1, 0.1);
}

#[test]
fn tech3341_case3_relative_gate() {
    let m = stereo(&tone_segments(&[
        (10.0, -36.0),
        (60.0, -23.0),
        (10.0, -36.0),
    ]));
    assert_within("I", integrated(&m), -23.0, 0.1, 0.1);
}

#[test]
fn tech3341_case4_absolute_gate() {
    let x = tone_segments(&[
        (10.0, -72.0),
        (10.0, -36.0),
        (60.0, -23.0),
        (10.0, -36.0),
        (10.0, -72.0),
    ]);
    assert_within("I", integrated(&stereo(&x)), -23.0, 0.1, 0.1);
}

#[test]
fn tech3341_case5_gating_blocks() {
    let x = tone_segments(&[(20.0, -26.0), (20.1, -20.0), (20.0, -26.0)]);
    assert_within("I", integrated(&stereo(&x)), -23.0, 0.1, 0.1);
}

#[test]
fn tech3341_case6_five_channels() {
    let front = tone_segments(&[(20.0, -28.0)]);
    let centre = tone_segments(&[(20.0, -24.0)]);
    let surround = tone_segments(&[(20.0, -30.0)]);
    let m = measure(&[
        ("L", &front),
        ("R", &front),
        ("C", &centre),
        ("Ls", &surround),
        ("Rs", &surround),
    ]);
    assert_within("I", integrated(&m), -23.0, 0.1, 0.1);
}

#[test]
fn tech3341_case9_short_term_constant_after_3_s() {
    let period = [(1.34, -20.0), (1.66, -30.0)];
    let x = tone_segments(&period.repeat(5));
    let m = stereo(&x);
    // Sub-block 30 ends at 3.0 s.
    for (k, s) in m.short_term.iter().enumerate().skip(29) {
        assert_within(
            &format!("S at {:.1} s", (k + 1) as f64 / 10.0),
            s.unwrap(),
            -23.0,
            0.1,
            0.1,
        );
    }
}

#[test]
fn tech3341_case12_momentary_constant_after_1_s() {
    let period = [(0.18, -20.0), (0.22, -30.0)];
    let x = tone_segments(&period.repeat(25));
    let m = stereo(&x);
    for (k, v) in m.momentary.iter().enumerate().skip(9) {
        assert_within(
            &format!("M at {:.1} s", (k + 1) as f64 / 10.0),
            v.unwrap(),
            -23.0,
            0.1,
            0.1,
        );
    }
}

/// A sine at `fs / divisor`, amplitude in full scale, phase in degrees,
/// with 10 ms linear fades.
fn tp_sine(divisor: f64, amplitude: f64, phase_deg: f64) -> Vec<f32> {
    let n = RATE as usize * 2;
    let fade = RATE as usize / 100;
    (0..n)
        .map(|i| {
            let gain = (i.min(n - 1 - i) as f64 / fade as f64).min(1.0);
            let phase = 2.0 * PI * i as f64 / divisor + phase_deg.to_radians();
            (gain * amplitude * phase.sin()) as f32
        })
        .collect()
}

fn tp_case(x: &[f32], expected: f64) {
    let m = stereo(x);
    assert_within("true peak dBTP", m.true_peak_dbtp, expected, 0.4, 0.2);
}

#[test]
fn tech3341_case15_fs4_phase0() {
    tp_case(&tp_sine(4.0, 0.5, 0.0), -6.0);
}

#[test]
fn tech3341_case16_fs4_phase45() {
    tp_case(&tp_sine(4.0, 0.5, 45.0), -6.0);
}

#[test]
fn tech3341_case17_fs6_phase60() {
    tp_case(&tp_sine(6.0, 0.5, 60.0), -6.0);
}

#[test]
fn tech3341_case18_fs8_phase67_5() {
    tp_case(&tp_sine(8.0, 0.5, 67.5), -6.0);
}

#[test]
fn tech3341_case19_fs4_141_ffs_phase45_float() {
    tp_case(&tp_sine(4.0, 1.41, 45.0), 3.0);
}

/// Tech 3341 #20–23: an fs/6 sine at 0.5 FFS containing one period of fs/4
/// at 1.0 FFS (phase-continuous), made at 4·fs, low-passed, decimated by 4
/// starting at `offset`.
fn burst(offset: usize) -> Vec<f32> {
    let fast = 4 * RATE as usize;
    let n = fast; // one second at 4·fs
    let burst_start = n / 2;
    let burst_len = 16; // one period of fs/4 at 4·fs
    let mut phase = 0.0f64;
    let hi: Vec<f64> = (0..n)
        .map(|i| {
            let in_burst = (burst_start..burst_start + burst_len).contains(&i);
            let (freq, amp) = if in_burst {
                (RATE as f64 / 4.0, 1.0)
            } else {
                (RATE as f64 / 6.0, 0.5)
            };
            let v = amp * phase.sin();
            phase += 2.0 * PI * freq / fast as f64;
            v
        })
        .collect();
    // Anti-alias low-pass: Blackman-windowed sinc, cutoff 20 kHz at 4·fs.
    let taps = 255;
    let fc = 20_000.0 / fast as f64;
    let h: Vec<f64> = (0..taps)
        .map(|k| {
            let m = k as f64 - (taps - 1) as f64 / 2.0;
            let sinc = if m == 0.0 {
                2.0 * fc
            } else {
                (2.0 * PI * fc * m).sin() / (PI * m)
            };
            let w = 0.42 - 0.5 * (2.0 * PI * k as f64 / (taps - 1) as f64).cos()
                + 0.08 * (4.0 * PI * k as f64 / (taps - 1) as f64).cos();
            sinc * w
        })
        .collect();
    (offset..n - taps)
        .step_by(4)
        .map(|i| {
            h.iter()
                .enumerate()
                .map(|(k, c)| c * hi[i + k])
                .sum::<f64>() as f32
        })
        .collect()
}

#[test]
fn tech3341_cases20_to_23_burst_decimation_offsets() {
    for offset in 0..4 {
        let x = burst(offset);
        let m = stereo(&x);
        assert_within(
            &format!("case {} true peak", 20 + offset),
            m.true_peak_dbtp,
            0.0,
            0.4,
            0.2,
        );
    }
}

fn lra(segments: &[(f64, f64)]) -> f64 {
    let m = stereo(&tone_segments(segments));
    m.programme.summary().loudness_range_lu.unwrap()
}

#[test]
fn tech3342_case1() {
    assert_within("LRA", lra(&[(20.0, -20.0), (20.0, -30.0)]), 10.0, 1.0, 1.0);
}

#[test]
fn tech3342_case2() {
    assert_within("LRA", lra(&[(20.0, -20.0), (20.0, -15.0)]), 5.0, 1.0, 1.0);
}

#[test]
fn tech3342_case3() {
    assert_within("LRA", lra(&[(20.0, -40.0), (20.0, -20.0)]), 20.0, 1.0, 1.0);
}

#[test]
fn tech3342_case4() {
    let segments = [
        (20.0, -50.0),
        (20.0, -35.0),
        (20.0, -20.0),
        (20.0, -35.0),
        (20.0, -50.0),
    ];
    assert_within("LRA", lra(&segments), 15.0, 1.0, 1.0);
}

/// Writes a WAV file: 16-bit PCM, or 32-bit float when `float`.
fn write_wav(path: &Path, channels: &[&[f32]], float: bool) {
    let n = channels[0].len();
    let bytes_per_sample = if float { 4 } else { 2 };
    let block = channels.len() * bytes_per_sample;
    let data_len = n * block;
    let mut out = Vec::with_capacity(44 + data_len);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&(if float { 3u16 } else { 1u16 }).to_le_bytes());
    out.extend_from_slice(&(channels.len() as u16).to_le_bytes());
    out.extend_from_slice(&RATE.to_le_bytes());
    out.extend_from_slice(&(RATE * block as u32).to_le_bytes());
    out.extend_from_slice(&(block as u16).to_le_bytes());
    out.extend_from_slice(&(8 * bytes_per_sample as u16).to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(data_len as u32).to_le_bytes());
    for i in 0..n {
        for ch in channels {
            if float {
                out.extend_from_slice(&ch[i].to_le_bytes());
            } else {
                let v = (f64::from(ch[i]) * 32_768.0)
                    .round()
                    .clamp(-32_768.0, 32_767.0) as i16;
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
    }
    std::fs::File::create(path)
        .unwrap()
        .write_all(&out)
        .unwrap();
}

fn measure_wav(path: &Path) -> signoff::measure::model::AudioMeasurements {
    let info = probe_file(path).unwrap().info;
    measure_file(path, &info, &MeasureOptions::default()).unwrap()
}

#[test]
fn through_the_decoder_case1_and_case19() {
    let dir = tempfile::tempdir().unwrap();
    let x = tone_segments(&[(20.0, -23.0)]);
    let path = dir.path().join("case1.wav");
    write_wav(&path, &[&x, &x], false);
    let m = measure_wav(&path);
    let p = &m.programmes[0];
    assert_eq!(p.name, "stereo");
    assert_within("I", p.integrated_lufs.unwrap(), -23.0, 0.1, 0.1);
    assert_within("max M", p.max_momentary_lufs.unwrap(), -23.0, 0.1, 0.1);
    assert_within("max S", p.max_short_term_lufs.unwrap(), -23.0, 0.1, 0.1);
    assert!(m.faults.is_empty(), "{:?}", m.faults);

    let x = tp_sine(4.0, 1.41, 45.0);
    let path = dir.path().join("case19.wav");
    write_wav(&path, &[&x, &x], true);
    let m = measure_wav(&path);
    assert_within("TP", m.programmes[0].true_peak_dbtp.unwrap(), 3.0, 0.4, 0.2);
}

#[test]
fn through_the_decoder_case6_as_5_1() {
    let dir = tempfile::tempdir().unwrap();
    let front = tone_segments(&[(20.0, -28.0)]);
    let centre = tone_segments(&[(20.0, -24.0)]);
    let surround = tone_segments(&[(20.0, -30.0)]);
    let lfe = tone_segments(&[(20.0, -10.0)]);
    let path = dir.path().join("case6.wav");
    write_wav(
        &path,
        &[&front, &front, &centre, &lfe, &surround, &surround],
        false,
    );
    let m = measure_wav(&path);
    let p = &m.programmes[0];
    assert_eq!(p.name, "5.1");
    // The loud LFE must not count.
    assert_within("I", p.integrated_lufs.unwrap(), -23.0, 0.1, 0.1);
    assert_eq!(p.true_peak_per_channel_dbtp.len(), 6);
}
