//! `signoff probe --format json` agrees with ffprobe, field by field, on every fixture.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Every media fixture that must read cleanly.
fn media_fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures().join("media"))
        .expect("fixtures/media")
        .map(|e| e.unwrap().path())
        .collect();
    for name in [
        "mislabelled_wav.mov",
        "mp4_named.bin",
        "name with spaces.wav",
    ] {
        files.push(fixtures().join("bad").join(name));
    }
    files.sort();
    assert!(
        files.len() >= 10,
        "expected the media fixtures, found {files:?}"
    );
    files
}

fn signoff_probe(path: &Path) -> Value {
    let out = Command::cargo_bin("signoff")
        .unwrap()
        .args(["probe", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "signoff probe failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stdout)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema_version"], 2);
    let file = &doc["files"][0];
    assert_eq!(file["status"], "ok", "{}: {file}", path.display());
    file["media"].clone()
}

fn ffprobe(path: &Path, extra: &[&str]) -> Value {
    let out = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-of", "json"])
        .args(extra)
        .arg(path)
        .output()
        .expect("ffprobe must be installed (see .ci/run)");
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

/// ffprobe prints numbers as strings; absent or N/A or 0/0 means "not known".
fn text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) if s == "N/A" || s == "0/0" || s == "unknown" => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn num(v: &Value) -> Option<f64> {
    text(v).and_then(|s| s.parse().ok())
}

fn ours_num(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn ours_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn close(a: Option<f64>, b: Option<f64>, what: &str, file: &Path) {
    match (a, b) {
        (Some(x), Some(y)) => assert!(
            (x - y).abs() < 1e-5,
            "{}: {what}: signoff {x} vs ffprobe {y}",
            file.display()
        ),
        (x, y) => assert_eq!(x, y, "{}: {what}", file.display()),
    }
}

fn same(a: Option<String>, b: Option<String>, what: &str, file: &Path) {
    assert_eq!(a, b, "{}: {what}", file.display());
}

#[test]
fn container_fields_agree_with_ffprobe() {
    for file in media_fixtures() {
        let ours = signoff_probe(&file);
        let theirs = ffprobe(&file, &["-show_format", "-show_streams"]);
        let (c, f) = (&ours["container"], &theirs["format"]);
        same(
            ours_text(&c["ffmpeg_format"]),
            text(&f["format_name"]),
            "format_name",
            &file,
        );
        same(
            ours_text(&c["format_long_name"]),
            text(&f["format_long_name"]),
            "format_long_name",
            &file,
        );
        close(
            ours_num(&c["duration_s"]),
            num(&f["duration"]),
            "duration",
            &file,
        );
        close(
            ours_num(&c["bit_rate_bps"]),
            num(&f["bit_rate"]),
            "bit_rate",
            &file,
        );
        close(
            ours_num(&c["start_time_s"]),
            num(&f["start_time"]),
            "start_time",
            &file,
        );
        let tags = &f["tags"];
        for (ours_key, tag) in [
            ("creation_time", "creation_time"),
            ("encoder", "encoder"),
            ("title", "title"),
            ("major_brand", "major_brand"),
        ] {
            same(ours_text(&c[ours_key]), text(&tags[tag]), tag, &file);
        }
        assert_eq!(
            c["stream_count"].as_u64(),
            f["nb_streams"].as_u64(),
            "{}",
            file.display()
        );
        let streams = theirs["streams"].as_array().unwrap();
        let tc = text(&tags["timecode"])
            .or_else(|| streams.iter().find_map(|s| text(&s["tags"]["timecode"])));
        same(ours_text(&c["start_timecode"]), tc, "timecode", &file);
    }
}

#[test]
fn format_is_normalised() {
    let expect = [
        ("media/prores_hq_8mono_tc.mov", "mov"),
        ("media/h264_high_aac.mp4", "mp4"),
        ("media/dnxhd_1080i25_op1a.mxf", "mxf"),
        ("media/wav_51_24bit.wav", "wav"),
        ("media/mkv_h264_ac3_51.mkv", "mkv"),
        ("media/ts_h264_mp2.ts", "mpegts"),
        ("bad/mislabelled_wav.mov", "wav"),
        ("bad/mp4_named.bin", "mp4"),
    ];
    for (rel, format) in expect {
        let ours = signoff_probe(&fixtures().join(rel));
        assert_eq!(ours["container"]["format"], format, "{rel}");
    }
    let mxf = signoff_probe(&fixtures().join("media/dnxhd_1080i25_op1a.mxf"));
    assert_eq!(mxf["container"]["operational_pattern"], "OP1a");
}

fn kind(codec_type: &str) -> &str {
    match codec_type {
        "video" | "audio" | "subtitle" | "data" | "attachment" => codec_type,
        _ => "unknown",
    }
}

fn check_common(s: &Value, f: &Value, file: &Path) {
    assert_eq!(s["index"], f["index"], "{}", file.display());
    assert_eq!(
        s["kind"].as_str(),
        f["codec_type"].as_str().map(kind),
        "{}",
        file.display()
    );
    let codec = text(&f["codec_name"]).or_else(|| text(&f["codec_tag_string"]));
    same(ours_text(&s["codec"]), codec, "codec_name", file);
    same(
        ours_text(&s["profile"]),
        text(&f["profile"]),
        "profile",
        file,
    );
    let tag = text(&f["codec_tag_string"]).filter(|t| t != "[0][0][0][0]");
    same(ours_text(&s["codec_tag"]), tag, "codec_tag_string", file);
    close(
        ours_num(&s["duration_s"]),
        num(&f["duration"]),
        "stream duration",
        file,
    );
    close(
        ours_num(&s["bit_rate_bps"]),
        num(&f["bit_rate"]),
        "stream bit_rate",
        file,
    );
    for (ours_key, tag) in [
        ("language", "language"),
        ("title", "title"),
        ("handler", "handler_name"),
        ("timecode", "timecode"),
    ] {
        same(ours_text(&s[ours_key]), text(&f["tags"][tag]), tag, file);
    }
}

fn check_video(v: &Value, f: &Value, file: &Path) {
    assert_eq!(v["width"], f["width"], "{}", file.display());
    assert_eq!(v["height"], f["height"], "{}", file.display());
    same(
        ours_text(&v["sample_aspect_ratio"]),
        text(&f["sample_aspect_ratio"]),
        "sar",
        file,
    );
    same(
        ours_text(&v["display_aspect_ratio"]),
        text(&f["display_aspect_ratio"]),
        "dar",
        file,
    );
    same(
        ours_text(&v["frame_rate"]),
        text(&f["r_frame_rate"]),
        "r_frame_rate",
        file,
    );
    same(
        ours_text(&v["avg_frame_rate"]),
        text(&f["avg_frame_rate"]),
        "avg_frame_rate",
        file,
    );
    if let Some(rate) = text(&f["r_frame_rate"]) {
        let (n, d) = rate.split_once('/').unwrap();
        let expect = n.parse::<f64>().unwrap() / d.parse::<f64>().unwrap();
        close(
            ours_num(&v["frame_rate_fps"]),
            Some(expect),
            "frame rate decimal",
            file,
        );
    }
    let field = text(&f["field_order"]).map(|o| match o.as_str() {
        "tt" => "tff".to_string(),
        "bb" => "bff".to_string(),
        other => other.to_string(),
    });
    same(ours_text(&v["field_order"]), field, "field_order", file);
    same(
        ours_text(&v["pixel_format"]),
        text(&f["pix_fmt"]),
        "pix_fmt",
        file,
    );
    if let Some(bits) = num(&f["bits_per_raw_sample"]) {
        close(
            ours_num(&v["bit_depth"]),
            Some(bits),
            "bits_per_raw_sample",
            file,
        );
    }
    same(
        ours_text(&v["color_range"]),
        text(&f["color_range"]),
        "color_range",
        file,
    );
    same(
        ours_text(&v["color_primaries"]),
        text(&f["color_primaries"]),
        "color_primaries",
        file,
    );
    same(
        ours_text(&v["color_transfer"]),
        text(&f["color_transfer"]),
        "color_transfer",
        file,
    );
    same(
        ours_text(&v["color_matrix"]),
        text(&f["color_space"]),
        "color_space",
        file,
    );
    close(
        ours_num(&v["frame_count"]),
        num(&f["nb_frames"]),
        "nb_frames",
        file,
    );
}

fn check_audio(a: &Value, f: &Value, file: &Path) {
    close(
        ours_num(&a["sample_rate"]),
        num(&f["sample_rate"]),
        "sample_rate",
        file,
    );
    same(
        ours_text(&a["sample_format"]),
        text(&f["sample_fmt"]),
        "sample_fmt",
        file,
    );
    close(
        ours_num(&a["channels"]),
        num(&f["channels"]),
        "channels",
        file,
    );
    same(
        ours_text(&a["channel_layout"]),
        text(&f["channel_layout"]),
        "channel_layout",
        file,
    );
    let bits = num(&f["bits_per_raw_sample"])
        .or(num(&f["bits_per_sample"]))
        .filter(|b| *b > 0.0);
    close(ours_num(&a["bit_depth"]), bits, "bit depth", file);
}

#[test]
fn stream_fields_agree_with_ffprobe() {
    for file in media_fixtures() {
        let ours = signoff_probe(&file);
        let theirs = ffprobe(&file, &["-show_streams"]);
        let (ss, fs) = (
            ours["streams"].as_array().unwrap(),
            theirs["streams"].as_array().unwrap(),
        );
        assert_eq!(ss.len(), fs.len(), "{}", file.display());
        for (s, f) in ss.iter().zip(fs) {
            check_common(s, f, &file);
            match f["codec_type"].as_str() {
                Some("video") => check_video(&s["video"], f, &file),
                Some("audio") => check_audio(&s["audio"], f, &file),
                _ => {}
            }
        }
    }
}

#[test]
fn channel_names_follow_the_layout() {
    let names = |rel: &str, stream: usize| -> Vec<String> {
        let ours = signoff_probe(&fixtures().join(rel));
        serde_json::from_value(ours["streams"][stream]["audio"]["channel_names"].clone()).unwrap()
    };
    assert_eq!(
        names("media/wav_51_24bit.wav", 0),
        ["L", "R", "C", "LFE", "Ls", "Rs"]
    );
    assert_eq!(names("media/wav_stereo_24bit.wav", 0), ["L", "R"]);
    assert_eq!(
        names("media/mkv_h264_ac3_51.mkv", 1),
        ["L", "R", "C", "LFE", "Ls", "Rs"]
    );
    let mov: Vec<String> = (1..=8)
        .flat_map(|i| names("media/prores_hq_8mono_tc.mov", i))
        .collect();
    assert_eq!(mov, ["L", "R", "C", "LFE", "Ls", "Rs", "Lt", "Rt"]);
}

/// ffprobe gives mastering display values as rationals, e.g. "34000/50000".
fn ratio(v: &Value) -> f64 {
    let s = text(v).unwrap();
    match s.split_once('/') {
        Some((n, d)) => n.parse::<f64>().unwrap() / d.parse::<f64>().unwrap(),
        None => s.parse().unwrap(),
    }
}

#[test]
fn hdr10_metadata_agrees_with_ffprobe_first_frame() {
    let file = fixtures().join("media/hevc_main10_hdr10.mp4");
    let ours = signoff_probe(&file);
    let hdr = &ours["streams"][0]["video"]["hdr"];
    let theirs = ffprobe(
        &file,
        &[
            "-select_streams",
            "v:0",
            "-show_frames",
            "-read_intervals",
            "%+#1",
            "-show_entries",
            "frame=side_data_list",
        ],
    );
    let side = theirs["frames"][0]["side_data_list"].as_array().unwrap();
    let md = side
        .iter()
        .find(|s| s["side_data_type"] == "Mastering display metadata")
        .unwrap();
    let cll = side
        .iter()
        .find(|s| s["side_data_type"] == "Content light level metadata")
        .unwrap();
    let m = &hdr["mastering_display"];
    let pairs = [
        ("red_xy", "red_x", "red_y"),
        ("green_xy", "green_x", "green_y"),
        ("blue_xy", "blue_x", "blue_y"),
        ("white_point_xy", "white_point_x", "white_point_y"),
    ];
    for (ours_key, x, y) in pairs {
        close(m[ours_key][0].as_f64(), Some(ratio(&md[x])), x, &file);
        close(m[ours_key][1].as_f64(), Some(ratio(&md[y])), y, &file);
    }
    close(
        m["min_luminance_nits"].as_f64(),
        Some(ratio(&md["min_luminance"])),
        "min_luminance",
        &file,
    );
    close(
        m["max_luminance_nits"].as_f64(),
        Some(ratio(&md["max_luminance"])),
        "max_luminance",
        &file,
    );
    assert_eq!(hdr["max_cll_nits"], cll["max_content"]);
    assert_eq!(hdr["max_fall_nits"], cll["max_average"]);
    assert_eq!(hdr["max_cll_nits"], 1000);
    assert_eq!(hdr["source"], "frame");
}
