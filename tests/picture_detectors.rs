//! The levels, scan-type and PSE detectors on real decoded files, against
//! FFmpeg's own filters: `signalstats` (BRNG) for out-of-range counts,
//! `idet` for the whole-file scan verdict, and synthetic flashes with known
//! answers for PSE. Fixtures are made in a temporary folder by the ffmpeg
//! CLI from lavfi sources (lossless FFV1, so the decoded planes are the
//! generated ones).
//!
//! The frames are decoded here with ffmpeg-next and handed to the
//! detectors as `FrameView`s, so the detectors are checked on FFmpeg's
//! planes independently of the picture stage's own loop.

mod common;

use ffmpeg_next as ffmpeg;
use signoff::picture::levels::{LevelsDetector, LevelsOptions, LevelsResult};
use signoff::picture::luma::LumaDetector;
use signoff::picture::pse::{PseDetector, PseOptions, PseResult, LABEL};
use signoff::picture::scan::{ScanDetector, ScanKind, ScanOptions, ScanResult};
use signoff::picture::{
    Detector, FrameCache, FrameView, Matrix, PictureMeasurements, Plane, StreamContext, StreamInfo,
};
use std::path::{Path, PathBuf};
use std::process::Command;

fn ffmpeg_make(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y"])
        .args(args)
        .arg(&path)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg {args:?}");
    path
}

/// FFmpeg's stderr for `-vf filter` over `path`.
fn ffmpeg_filter(path: &Path, filter: &str) -> String {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-nostats", "-i"])
        .arg(path)
        .args(["-vf", filter, "-f", "null", "-"])
        .output()
        .expect("ffmpeg runs");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// (bit depth, log2 chroma x, log2 chroma y) of the planar YUV formats the tests make.
fn layout(p: ffmpeg::format::Pixel) -> (u8, u8, u8) {
    use ffmpeg::format::Pixel::*;
    match p {
        YUV420P => (8, 1, 1),
        YUV422P => (8, 1, 0),
        YUV444P => (8, 0, 0),
        YUV420P10LE => (10, 1, 1),
        YUV422P10LE => (10, 1, 0),
        YUV444P10LE => (10, 0, 0),
        other => panic!("test decoder does not handle {other:?}"),
    }
}

/// Decodes the first video stream of `path` and runs `detectors` over it.
fn run(path: &Path, mut detectors: Vec<Box<dyn Detector>>) -> PictureMeasurements {
    ffmpeg::init().unwrap();
    let mut input = ffmpeg::format::input(path).unwrap();
    let stream = input.streams().best(ffmpeg::media::Type::Video).unwrap();
    let index = stream.index();
    let tb = f64::from(stream.time_base());
    let rate = stream.avg_frame_rate();
    let ctx = ffmpeg::codec::Context::from_parameters(stream.parameters()).unwrap();
    let mut decoder = ctx.decoder().video().unwrap();
    let mut frame = ffmpeg::frame::Video::empty();
    let (mut frames, mut first, mut last_s) = (0u64, None, 0.0);
    let mut feed = |decoder: &mut ffmpeg::decoder::Video,
                    detectors: &mut Vec<Box<dyn Detector>>| {
        while decoder.receive_frame(&mut frame).is_ok() {
            let pts = frame.timestamp().or(frame.pts()).unwrap_or(frames as i64);
            let t0 = *first.get_or_insert(pts);
            let time_s = (pts - t0) as f64 * tb;
            let (depth, sx, sy) = layout(frame.format());
            let bps = if depth > 8 { 2 } else { 1 };
            let plane = |i: usize| Plane {
                data: frame.data(i),
                stride: frame.stride(i),
                width: frame.plane_width(i) as usize,
                height: frame.plane_height(i) as usize,
                bytes_per_sample: bps,
            };
            let cache = FrameCache::default();
            let view = FrameView {
                index: frames,
                time_s,
                width: frame.width() as usize,
                height: frame.height() as usize,
                bit_depth: depth,
                full_range: frame.color_range() == ffmpeg::color::Range::JPEG,
                matrix: Matrix::Bt709,
                chroma_shift: (sx, sy),
                interlaced_flag: frame.is_interlaced(),
                top_field_first: frame.is_top_first(),
                y: plane(0),
                u: plane(1),
                v: plane(2),
                source: None,
                cache: Some(&cache),
            };
            for d in detectors.iter_mut() {
                d.frame(&view);
            }
            frames += 1;
            last_s = time_s;
        }
    };
    for (s, packet) in input.packets() {
        if s.index() == index {
            decoder.send_packet(&packet).unwrap();
            feed(&mut decoder, &mut detectors);
        }
    }
    decoder.send_eof().unwrap();
    feed(&mut decoder, &mut detectors);
    let fps = f64::from(rate);
    let ctx = StreamContext {
        stream_index: index,
        frame_rate: (rate.numerator() as u32, rate.denominator() as u32),
        start_timecode: None,
        frames,
        duration_s: last_s + 1.0 / fps,
        field_order: None,
    };
    let mut out = PictureMeasurements {
        stream_index: index,
        frames,
        ..PictureMeasurements::default()
    };
    for d in detectors {
        d.finish(&ctx, &mut out);
    }
    out
}

fn info(fps: f64) -> StreamInfo {
    StreamInfo {
        fps,
        ..StreamInfo::default()
    }
}

fn levels(path: &Path, opts: LevelsOptions) -> LevelsResult {
    let d: Box<dyn Detector> = Box::new(LevelsDetector::new(opts, &info(25.0)));
    run(path, vec![d]).levels.unwrap()
}

/// Per-frame `lavfi.signalstats.BRNG` (fraction of pixels outside broadcast range).
fn brng(path: &Path) -> Vec<f64> {
    let text = ffmpeg_filter(
        path,
        "signalstats=stat=brng,metadata=print:key=lavfi.signalstats.BRNG",
    );
    text.lines()
        .filter_map(|l| l.split("lavfi.signalstats.BRNG=").nth(1))
        .map(|v| v.trim().parse().unwrap())
        .collect()
}

/// A luma ramp over 20–220 (8-bit terms) that slides up and down by 40
/// over a second, so some frames go outside 16–235 and some do not;
/// neutral chroma. `max` is the code range's top (255 or 1023).
fn sliding_ramp(max: u32) -> String {
    let s = f64::from(max + 1) / 256.0;
    format!(
        "lum='clip({lo} + X*{span}/W + {amp}*sin(2*PI*N/25), 0, {max})':cb={mid}:cr={mid}",
        lo = 20.0 * s,
        span = 200.0 * s,
        amp = 40.0 * s,
        mid = max.div_ceil(2)
    )
}

#[test]
fn out_of_range_area_agrees_with_signalstats_brng() {
    let dir = tempfile::tempdir().unwrap();
    for (name, pix, scale) in [
        ("ramp8.mkv", "yuv420p", 1.0),
        ("ramp10.mkv", "yuv422p10le", 4.0),
    ] {
        let geq = sliding_ramp(if scale == 1.0 { 255 } else { 1023 });
        let src = format!("color=c=gray:s=320x180:r=25:d=2,format={pix},geq={geq}");
        let path = ffmpeg_make(
            dir.path(),
            name,
            &["-f", "lavfi", "-i", &src, "-c:v", "ffv1"],
        );
        let reference = brng(&path);
        assert_eq!(reference.len(), 50, "{name}");
        // signalstats' broadcast range is 16–235 (chroma 16–240); chroma is
        // neutral here, so Y′ alone decides.
        let opts = LevelsOptions {
            luma_range_8bit: (16.0, 235.0),
            check_rgb: false,
            luma_min_area: 0.01,
            ..LevelsOptions::default()
        };
        let r = levels(&path, opts.clone());
        assert_eq!(r.frames, 50);
        assert_eq!(
            r.luma_range,
            [(16.0 * scale) as i32, (235.0 * scale) as i32]
        );
        let expected = reference.iter().filter(|&&b| b >= 0.01).count() as u64;
        assert!(
            expected > 5 && expected < 50,
            "{name}: fixture must pass and fail: {reference:?}"
        );
        assert_eq!(
            r.luma_frames_out_of_range, expected,
            "{name}: {reference:?}"
        );
        let max = reference.iter().cloned().fold(0.0, f64::max);
        assert!(
            (r.max_luma_area - max).abs() < 1e-4,
            "{name}: {} vs {max}",
            r.max_luma_area
        );
        // Each frame's area too: a threshold just above each BRNG value
        // leaves out exactly the frames at or below it.
        for &b in reference.iter().filter(|&&b| b > 0.0).take(5) {
            let r = levels(
                &path,
                LevelsOptions {
                    luma_min_area: b + 1e-6,
                    ..opts.clone()
                },
            );
            let expected = reference.iter().filter(|&&x| x >= b + 1e-6).count() as u64;
            assert_eq!(r.luma_frames_out_of_range, expected, "{name} at {b}");
        }
        // R 103's wider range at this depth (5–246, 20–984) catches fewer.
        let wide = levels(&path, LevelsOptions::default());
        assert_eq!(
            wide.luma_range,
            [(5.0 * scale) as i32, (246.0 * scale) as i32]
        );
        assert!(wide.luma_frames_out_of_range < r.luma_frames_out_of_range);
    }
}

/// Per-frame `signalstats` (YMIN, YAVG, YMAX) of `path`.
fn signalstats_y(path: &Path) -> Vec<[f64; 3]> {
    let text = ffmpeg_filter(path, "signalstats,metadata=print");
    let mut out: Vec<[f64; 3]> = Vec::new();
    for line in text.lines() {
        for (i, key) in ["YMIN", "YAVG", "YMAX"].iter().enumerate() {
            let Some(v) = line.split(&format!("lavfi.signalstats.{key}=")).nth(1) else {
                continue;
            };
            if i == 0 {
                out.push([0.0; 3]);
            }
            out.last_mut().unwrap()[i] = v.trim().parse().unwrap();
        }
    }
    out
}

#[test]
fn luma_series_agrees_with_signalstats_yavg_ymin_ymax() {
    let dir = tempfile::tempdir().unwrap();
    for (name, pix, max) in [
        ("luma8.mkv", "yuv420p", 255),
        ("luma10.mkv", "yuv422p10le", 1023),
    ] {
        let src = format!(
            "color=c=gray:s=320x180:r=25:d=2,format={pix},geq={}",
            sliding_ramp(max)
        );
        let path = ffmpeg_make(
            dir.path(),
            name,
            &["-f", "lavfi", "-i", &src, "-c:v", "ffv1"],
        );
        let reference = signalstats_y(&path);
        assert_eq!(reference.len(), 50, "{name}");
        // A 2 s stream: one bin per frame.
        let stream = StreamInfo {
            duration_s: Some(2.0),
            ..info(25.0)
        };
        let d: Box<dyn Detector> = Box::new(LumaDetector::new(&stream));
        let luma = run(&path, vec![d]).luma.unwrap();
        assert_eq!(luma.bit_depth, if max == 255 { 8 } else { 10 });
        assert_eq!(luma.bins.len(), 50, "{name}");
        for (bin, [ymin, yavg, ymax]) in luma.bins.iter().zip(&reference) {
            assert_eq!(bin.frames, 1);
            // signalstats prints YAVG to 6 significant digits.
            assert!((bin.mean - yavg).abs() < 0.01, "{name}: {bin:?} vs {yavg}");
            assert_eq!(f64::from(bin.min), *ymin, "{name}");
            assert_eq!(f64::from(bin.max), *ymax, "{name}");
        }
        let spread = reference.iter().map(|r| r[1]).fold(0.0f64, f64::max)
            - reference.iter().map(|r| r[1]).fold(f64::MAX, f64::min);
        assert!(spread > 0.0, "{name}: the fixture's mean must move");
    }
}

#[test]
fn legal_colour_bars_pass_and_overdriven_ones_fail() {
    let dir = tempfile::tempdir().unwrap();
    let bars = ffmpeg_make(
        dir.path(),
        "bars.mkv",
        &[
            "-f",
            "lavfi",
            "-i",
            "smptehdbars=s=320x180:r=25:d=1",
            "-pix_fmt",
            "yuv422p10le",
            "-c:v",
            "ffv1",
        ],
    );
    let r = levels(&bars, LevelsOptions::default());
    assert_eq!(r.frames, 25);
    // SMPTE HD bars carry a −2 % / +2 % PLUGE and 100 % white, all inside
    // R 103's −5 %…105 %, but the bars' sub-black PLUGE and superwhite are
    // small; the picture as a whole must pass.
    assert_eq!(
        r.luma_frames_out_of_range + r.rgb_frames_out_of_range,
        0,
        "{r:?}"
    );
    // Saturation boosted beyond legal: R′G′B′ goes out while Y′ does not.
    let hot = ffmpeg_make(
        dir.path(),
        "hot.mkv",
        &[
            "-f",
            "lavfi",
            "-i",
            "smptehdbars=s=320x180:r=25:d=1",
            "-vf",
            "hue=s=2",
            "-pix_fmt",
            "yuv422p10le",
            "-c:v",
            "ffv1",
        ],
    );
    let r = levels(&hot, LevelsOptions::default());
    assert_eq!(r.rgb_frames_out_of_range, 25, "{r:?}");
    assert!(r.max_rgb_area > r.max_luma_area);
    assert_eq!(r.rgb_segments.len(), 1);
    assert_eq!(r.rgb_segments[0].end_frame, 25);
}

/// `idet`'s multi-frame counts (TFF, BFF, progressive, undetermined).
fn idet(path: &Path) -> [u64; 4] {
    let text = ffmpeg_filter(path, "idet");
    let line = text
        .lines()
        .find(|l| l.contains("Multi frame detection:"))
        .unwrap_or_else(|| panic!("no idet summary:\n{text}"));
    let mut nums = line
        .split(':')
        .skip(2)
        .map(|p| p.split_whitespace().next().unwrap().parse().unwrap());
    [0; 4].map(|_| nums.next().unwrap())
}

fn scan(path: &Path) -> ScanResult {
    let d: Box<dyn Detector> = Box::new(ScanDetector::new(ScanOptions::default(), &info(25.0)));
    run(path, vec![d]).scan.unwrap()
}

fn verdict(counts: [u64; 4]) -> ScanKind {
    let [tff, bff, prog, _] = counts;
    if tff + bff + prog == 0 {
        ScanKind::Undetermined
    } else if tff + bff > prog {
        if tff >= bff {
            ScanKind::Tff
        } else {
            ScanKind::Bff
        }
    } else {
        ScanKind::Progressive
    }
}

#[test]
fn scan_type_agrees_with_idet() {
    let dir = tempfile::tempdir().unwrap();
    let moving = "testsrc2=s=320x240:r=50:d=4";
    for (name, vf, expect) in [
        (
            "tff.mkv",
            "tinterlace=mode=interleave_top,setfield=prog",
            ScanKind::Tff,
        ),
        (
            "bff.mkv",
            "tinterlace=mode=interleave_bottom,setfield=prog",
            ScanKind::Bff,
        ),
        ("prog.mkv", "", ScanKind::Progressive),
        ("still.mkv", "", ScanKind::Progressive),
    ] {
        // Progressive sources: a smooth moving pattern (every frame progressive to
        // idet) and testsrc (half its frames undetermined).
        let source = match name {
            // A smooth moving pattern made by a formula: FFmpeg's
            // `gradients` source differs from run to run, even with a seed.
            "prog.mkv" => {
                "nullsrc=s=320x240:r=25:d=4,geq=lum='128+90*sin((X+2*Y)/50+T*2)':cb=128:cr=128"
            }
            "still.mkv" => "testsrc=s=320x240:r=25:d=4",
            _ => moving,
        };
        let mut args = vec!["-f", "lavfi", "-i", source];
        if !vf.is_empty() {
            args.extend(["-vf", vf]);
        }
        args.extend(["-pix_fmt", "yuv420p", "-c:v", "ffv1"]);
        let path = ffmpeg_make(dir.path(), name, &args);
        let reference = idet(&path);
        assert_eq!(
            verdict(reference),
            expect,
            "{name}: idet says {reference:?}"
        );
        let r = scan(&path);
        assert_eq!(r.detected, expect, "{name}: {r:?} vs idet {reference:?}");
        let ours = [
            r.multi_frame.tff,
            r.multi_frame.bff,
            r.multi_frame.progressive,
            r.multi_frame.undetermined,
        ];
        eprintln!("{name}: ours {ours:?}, idet {reference:?}");
        if name != "still.mkv" {
            // Clean material: the same count of every kind. (On testsrc
            // idet's chroma planes tip some undetermined frames; luma alone
            // calls them progressive; the verdict is the same.)
            assert_eq!(ours, reference, "{name}");
        }
        assert_eq!(
            ours.iter().sum::<u64>(),
            reference.iter().sum::<u64>(),
            "{name}: every frame judged"
        );
        assert_eq!(
            r.flagged,
            ScanKind::Progressive,
            "{name}: FFV1 here carries no field flag"
        );
        if expect == ScanKind::Progressive {
            assert_eq!(r.matches_flag, Some(true));
            assert!(r.segments.is_empty());
        } else {
            assert_eq!(r.matches_flag, Some(false), "{name}");
            assert_eq!(r.segments.len(), 1, "{name}: {r:?}");
            assert!(r.segments[0].duration_s > 3.5, "{name}: {r:?}");
            assert!(r.segments[0]
                .detail
                .as_deref()
                .unwrap()
                .contains("flagged progressive"));
        }
    }
}

fn pse(path: &Path, fps: f64) -> PseResult {
    let d: Box<dyn Detector> = Box::new(PseDetector::new(PseOptions::default(), &info(fps)));
    run(path, vec![d]).pse.unwrap()
}

/// A 60 fps flash between two Y′CbCr values at `hz`, over the left `share` of the picture.
fn flash(dir: &Path, name: &str, hz: u32, share: f64, on: (u32, u32, u32)) -> PathBuf {
    let period = 60 / hz;
    let cond = format!("lt(X,W*{share})*gte(mod(N,{period}),{})", period / 2);
    let geq = format!(
        "lum='if({cond},{},16)':cb='if({cond},{},128)':cr='if({cond},{},128)'",
        on.0, on.1, on.2
    );
    let src = format!("color=c=black:s=320x180:r=60:d=3,format=yuv444p,geq={geq}");
    ffmpeg_make(dir, name, &["-f", "lavfi", "-i", &src, "-c:v", "ffv1"])
}

#[test]
fn pse_known_answers_on_generated_flashes() {
    let dir = tempfile::tempdir().unwrap();
    let white = (235, 128, 128);
    let red = (63, 102, 240);
    let fails = pse(&flash(dir.path(), "w10.mkv", 10, 1.0, white), 60.0);
    assert!(!fails.passed, "{fails:?}");
    assert_eq!(fails.label, LABEL);
    assert_eq!(fails.flash_segments.len(), 1);
    assert!(fails.flash_segments[0]
        .detail
        .as_deref()
        .unwrap()
        .contains(LABEL));
    let slow = pse(&flash(dir.path(), "w2.mkv", 2, 1.0, white), 60.0);
    assert!(slow.passed, "{slow:?}");
    let small = pse(&flash(dir.path(), "w10s.mkv", 10, 0.2, white), 60.0);
    assert!(small.passed, "{small:?}");
    assert!(small.max_flash_area > 0.15, "{small:?}");
    let red5 = pse(&flash(dir.path(), "r5.mkv", 5, 1.0, red), 60.0);
    assert!(!red5.passed, "{red5:?}");
    assert_eq!(red5.red_flash_segments.len(), 1, "{red5:?}");
}

#[test]
fn the_picture_stage_runs_them_in_its_one_decode() {
    let dir = tempfile::tempdir().unwrap();
    // Interlaced TFF flagged progressive; and a red flash at 6.25 Hz over
    // the whole picture with R′G′B′ overdriven in its red frames.
    let interlaced = ffmpeg_make(
        dir.path(),
        "stage-tff.mkv",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=s=320x240:r=50:d=3,tinterlace=mode=interleave_top,setfield=prog",
            "-pix_fmt",
            "yuv420p",
            "-colorspace",
            "bt709",
            "-c:v",
            "ffv1",
        ],
    );
    let on = "gte(mod(N,4),2)";
    let red = format!(
        "color=c=black:s=320x240:r=25:d=3,format=yuv420p,\
         geq=lum='if({on},63,16)':cb='if({on},102,128)':cr='if({on},255,128)'"
    );
    let flashing = ffmpeg_make(
        dir.path(),
        "stage-red.mkv",
        &[
            "-f",
            "lavfi",
            "-i",
            &red,
            "-colorspace",
            "bt709",
            "-c:v",
            "ffv1",
        ],
    );
    let opts = signoff::picture::PictureOptions {
        levels: Some(LevelsOptions::default()),
        scan: Some(ScanOptions::default()),
        pse: Some(PseOptions::default()),
        ..Default::default()
    };
    let mut results = Vec::new();
    for path in [&interlaced, &flashing] {
        let own = run(
            path,
            vec![
                Box::new(LevelsDetector::new(LevelsOptions::default(), &info(25.0)))
                    as Box<dyn Detector>,
                Box::new(ScanDetector::new(ScanOptions::default(), &info(25.0))),
                Box::new(PseDetector::new(PseOptions::default(), &info(25.0))),
            ],
        );
        let media = signoff::probe::probe_file(path).unwrap().info;
        let stage = signoff::picture::analyse_picture(path, &media, &opts).unwrap();
        assert_eq!(stage.len(), 1);
        let p = stage.into_iter().next().unwrap();
        assert_eq!(p.frames, 75);
        assert_eq!(p.levels, own.levels, "{path:?}");
        assert_eq!(p.scan, own.scan, "{path:?}");
        assert_eq!(p.pse, own.pse, "{path:?}");
        results.push(p);
    }
    assert_eq!(results[0].scan.as_ref().unwrap().detected, ScanKind::Tff);
    assert_eq!(results[0].scan.as_ref().unwrap().matches_flag, Some(false));
    assert!(results[0].pse.as_ref().unwrap().passed);
    let levels = results[1].levels.as_ref().unwrap();
    assert!(levels.rgb_frames_out_of_range > 30, "{levels:?}");
    let pse = results[1].pse.as_ref().unwrap();
    assert!(!pse.red_flash_segments.is_empty(), "{pse:?}");
}

const PROFILE: &str = r#"
id = "test-picture-signal"
title = "Levels, scan and PSE rules under test"
[source]
document = "tests/picture_detectors.rs"
date_read = "2026-12"
confidence = "primary"
[picture]
luma_out_of_range_frames = { max = 0 }
rgb_out_of_range_frames = { max = 0 }
scan_matches_flag = { equals = true, severity = "warning" }
scan_mismatch_s = { max = 0, severity = "warning" }
pse_flash_s = { max = 0 }
pse_red_flash_s = { max = 0 }
"#;

fn check_json(spec: &Path, files: &[&Path], dir: &Path) -> (i32, serde_json::Value) {
    let out = assert_cmd::Command::cargo_bin("signoff")
        .unwrap()
        .env_remove("SIGNOFF_SPECS")
        .args(["check", "--spec"])
        .arg(spec)
        .args(["--format", "json", "-j", "1"])
        .args(files)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "JSON ({e}): {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let path = dir.join("check.json");
    std::fs::write(&path, &text).unwrap();
    common::assert_schema_valid(&[("check", &path)]);
    (out.status.code().unwrap(), doc)
}

fn finding(file: &serde_json::Value, id: &str) -> serde_json::Value {
    file["report"]["findings"]
        .as_array()
        .or(file["findings"].as_array())
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == id)
        .unwrap_or_else(|| panic!("{id} in {file}"))
        .clone()
}

#[test]
fn check_fails_levels_pse_and_warns_scan_with_positions() {
    let dir = tempfile::tempdir().unwrap();
    let on = "gte(mod(N,4),2)";
    let red = format!(
        "color=c=black:s=320x240:r=25:d=3,format=yuv420p,\
         geq=lum='if({on},63,16)':cb='if({on},102,128)':cr='if({on},255,128)'"
    );
    let flashing = ffmpeg_make(
        dir.path(),
        "red.mkv",
        &[
            "-f",
            "lavfi",
            "-i",
            &red,
            "-colorspace",
            "bt709",
            "-c:v",
            "ffv1",
        ],
    );
    let interlaced = ffmpeg_make(
        dir.path(),
        "tff.mkv",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=s=320x240:r=50:d=3,tinterlace=mode=interleave_top,setfield=prog",
            "-pix_fmt",
            "yuv420p",
            "-c:v",
            "ffv1",
        ],
    );
    let spec = dir.path().join("signal.toml");
    std::fs::write(&spec, PROFILE).unwrap();
    let before = std::fs::read(&flashing).unwrap();
    let (code, doc) = check_json(&spec, &[&flashing, &interlaced], dir.path());
    assert_eq!(code, 1, "{doc}");
    assert_eq!(std::fs::read(&flashing).unwrap(), before);
    let files = doc["files"].as_array().unwrap();
    let by_name = |n: &str| {
        files
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(n))
            .unwrap()
            .clone()
    };
    let red = by_name("red.mkv");
    let rgb = finding(&red, "picture.rgb_out_of_range_frames");
    assert_eq!(rgb["status"], "failed", "{rgb}");
    // The first red frame is frame 2 (0.08 s).
    assert!(
        (rgb["position_s"].as_f64().unwrap() - 0.08).abs() < 0.01,
        "{rgb}"
    );
    assert_eq!(
        finding(&red, "picture.luma_out_of_range_frames")["status"],
        "passed"
    );
    let pse = finding(&red, "picture.pse_red_flash_s");
    assert_eq!(pse["status"], "failed", "{pse}");
    assert!(pse["message"].as_str().unwrap().contains(LABEL), "{pse}");
    assert_eq!(finding(&red, "picture.pse_flash_s")["status"], "passed");
    let tff = by_name("tff.mkv");
    let scan = finding(&tff, "picture.scan_matches_flag");
    assert_eq!(scan["status"], "failed", "{scan}");
    assert_eq!(scan["severity"], "warning");
    assert!(
        scan["message"]
            .as_str()
            .unwrap()
            .contains("interlaced (TFF)"),
        "{scan}"
    );
    assert_eq!(finding(&tff, "picture.pse_flash_s")["status"], "passed");
}

/// A profile checking Y′ levels, reading the picture in `range` (or as the file says).
fn range_profile(range: Option<&str>) -> String {
    let line = range
        .map(|r| format!("range = \"{r}\"\n"))
        .unwrap_or_default();
    format!(
        r#"
id = "test-picture-range"
title = "Y′ levels in a set range"
[source]
document = "tests/picture_detectors.rs"
date_read = "2026-12"
confidence = "primary"
[picture]
{line}luma_out_of_range_frames = {{ max = 0 }}
"#
    )
}

#[test]
fn a_profile_sets_the_range_the_levels_are_read_in() {
    let dir = tempfile::tempdir().unwrap();
    // A full-range ramp over the whole code range 0–255, tagged full range:
    // legal read as full; read as limited, the 2 % under 5 and the 3.5 %
    // over 246 are excursions (R 103, 1 % of the area).
    let full = ffmpeg_make(
        dir.path(),
        "full.mkv",
        &[
            "-f",
            "lavfi",
            "-i",
            "color=c=gray:s=256x144:r=25:d=1,format=yuv444p,geq=lum='X':cb=128:cr=128,setparams=range=pc",
            "-color_range",
            "pc",
            "-c:v",
            "ffv1",
        ],
    );
    for (range, full_range, status) in [
        (None, true, "passed"),
        (Some("full"), true, "passed"),
        (Some("limited"), false, "failed"),
    ] {
        let spec = dir.path().join("range.toml");
        std::fs::write(&spec, range_profile(range)).unwrap();
        let report = dir.path().join("run.json");
        let out = assert_cmd::Command::cargo_bin("signoff")
            .unwrap()
            .env_remove("SIGNOFF_SPECS")
            .args(["check", "-q", "--spec"])
            .arg(&spec)
            .arg("--report")
            .arg(&report)
            .arg(&full)
            .output()
            .unwrap();
        let code = out.status.code().unwrap();
        common::assert_schema_valid(&[("run", &report)]);
        let doc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
        let file = &doc["files"][0];
        let picture = &file["picture"][0];
        assert_eq!(picture["full_range"], full_range, "{range:?}: {file}");
        let levels = finding(file, "picture.luma_out_of_range_frames");
        assert_eq!(levels["status"], status, "{range:?}: {levels}");
        assert_eq!(code, if status == "passed" { 0 } else { 1 }, "{range:?}");
        if status == "failed" {
            assert_eq!(picture["levels"]["luma_frames_out_of_range"], 25);
        }
        if let Some(r) = range {
            let f = finding(file, "picture.range");
            assert_eq!(f["status"], "passed", "{f}");
            assert_eq!(f["actual"], r, "{f}");
        }
    }
    // Anything but "limited" or "full" is refused when the profile loads.
    let spec = dir.path().join("bad.toml");
    std::fs::write(&spec, range_profile(Some("tv"))).unwrap();
    let out = assert_cmd::Command::cargo_bin("signoff")
        .unwrap()
        .args(["check", "--spec"])
        .arg(&spec)
        .arg(&full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "an invalid profile");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("picture.range: must be \"limited\" or \"full\""),
        "{err}"
    );
}
