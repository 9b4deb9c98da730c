//! Evaluation tests on typical files built in code.

use super::eval::{check_file, evaluate, needs_audio_measurement};
use super::facts::FileFacts;
use super::finding::{Finding, Status, Verdict};
use super::load::{Origin, Registry};
use super::model::{Profile, Severity};
use crate::measure::model::{AudioMeasurements, ChannelSource, Programme, Timeline};
use crate::probe::model::*;
use std::path::{Path, PathBuf};

fn container(format: &str, duration: f64) -> Container {
    Container {
        format: format.into(),
        ffmpeg_format: format.into(),
        format_long_name: None,
        major_brand: None,
        operational_pattern: None,
        duration_s: Some(duration),
        bit_rate_bps: None,
        start_time_s: Some(0.0),
        start_timecode: None,
        creation_time: None,
        encoder: None,
        title: None,
        stream_count: 0,
    }
}

fn stream(index: usize, kind: StreamKind, codec: &str, duration: f64) -> Stream {
    Stream {
        index,
        kind,
        codec: codec.into(),
        codec_long_name: None,
        profile: None,
        codec_tag: None,
        language: None,
        title: None,
        handler: None,
        duration_s: Some(duration),
        bit_rate_bps: None,
        timecode: None,
        video: None,
        audio: None,
    }
}

fn video(w: u32, h: u32, rate: &str, fps: f64) -> VideoInfo {
    VideoInfo {
        width: w,
        height: h,
        sample_aspect_ratio: Some("1:1".into()),
        display_aspect_ratio: Some("16:9".into()),
        frame_rate: Some(rate.into()),
        frame_rate_fps: Some(fps),
        avg_frame_rate: Some(rate.into()),
        constant_frame_rate: Some(true),
        scan_type: Some("progressive".into()),
        field_order: Some("progressive".into()),
        pixel_format: Some("yuv422p10le".into()),
        bit_depth: Some(10),
        chroma_subsampling: Some("4:2:2".into()),
        color_range: Some("tv".into()),
        color_primaries: Some("bt709".into()),
        color_transfer: Some("bt709".into()),
        color_matrix: Some("bt709".into()),
        hdr: None,
        frame_count: None,
    }
}

fn audio(codec_bits: u32, names: &[&str]) -> AudioInfo {
    AudioInfo {
        sample_rate: 48000,
        sample_format: Some("s32".into()),
        bit_depth: Some(codec_bits),
        channels: names.len() as u32,
        channel_layout: None,
        channel_names: names.iter().map(|s| s.to_string()).collect(),
        channel_labels: crate::probe::model::ChannelLabels::TrackTitle,
    }
}

/// ProRes 422 HQ 1080p23.976 MOV with eight mono 24-bit PCM tracks.
fn prores_hq_mov() -> MediaInfo {
    let mut v = stream(0, StreamKind::Video, "prores", 600.0);
    v.profile = Some("HQ".into());
    v.video = Some(video(1920, 1080, "24000/1001", 23.976));
    let mut streams = vec![v];
    for (i, name) in ["L", "R", "C", "LFE", "Ls", "Rs", "Lt", "Rt"]
        .iter()
        .enumerate()
    {
        let mut a = stream(i + 1, StreamKind::Audio, "pcm_s24le", 600.2);
        a.audio = Some(audio(24, &[name]));
        streams.push(a);
    }
    let mut c = container("mov", 600.2);
    c.start_timecode = Some("10:00:00:00".into());
    MediaInfo {
        container: c,
        streams,
    }
}

/// HD H.264 MP4, 1080p25, AAC stereo.
fn h264_mp4() -> MediaInfo {
    let mut v = stream(0, StreamKind::Video, "h264", 60.0);
    v.profile = Some("High".into());
    v.bit_rate_bps = Some(10_000_000);
    let mut vi = video(1920, 1080, "25/1", 25.0);
    vi.chroma_subsampling = Some("4:2:0".into());
    vi.bit_depth = Some(8);
    v.video = Some(vi);
    let mut a = stream(1, StreamKind::Audio, "aac", 60.0);
    a.profile = Some("LC".into());
    let mut ai = audio(0, &["L", "R"]);
    ai.bit_depth = None;
    a.audio = Some(ai);
    MediaInfo {
        container: container("mp4", 60.0),
        streams: vec![v, a],
    }
}

/// MXF OP1a AVC-Intra 100 1080i25 with four mono 24-bit PCM tracks.
fn mxf_1080i25() -> MediaInfo {
    let mut v = stream(0, StreamKind::Video, "h264", 1800.0);
    v.profile = Some("High 4:2:2 Intra".into());
    let mut vi = video(1920, 1080, "25/1", 25.0);
    vi.scan_type = Some("interlaced".into());
    vi.field_order = Some("tff".into());
    v.video = Some(vi);
    let mut streams = vec![v];
    for i in 1..=4 {
        let mut a = stream(i, StreamKind::Audio, "pcm_s24le", 1800.0);
        a.audio = Some(audio(24, &[]));
        a.audio.as_mut().unwrap().channels = 1;
        streams.push(a);
    }
    let mut c = container("mxf", 1800.0);
    c.operational_pattern = Some("OP1a".into());
    c.start_timecode = Some("09:59:30:00".into());
    MediaInfo {
        container: c,
        streams,
    }
}

fn programme(name: &str, i: f64, tp: f64) -> Programme {
    Programme {
        name: name.into(),
        channels: vec![ChannelSource {
            stream_index: 1,
            channel: 0,
            name: "L".into(),
        }],
        grouping: Default::default(),
        integrated_lufs: Some(i),
        loudness_range_lu: Some(6.0),
        true_peak_dbtp: Some(tp),
        true_peak_per_channel_dbtp: vec![Some(tp)],
        sample_peak_dbfs: None,
        max_momentary_lufs: Some(-15.0),
        max_short_term_lufs: Some(-17.0),
        short_term_timeline: Timeline {
            interval_s: 1.0,
            values_lufs: vec![Some(-30.0), None, Some(-17.0), Some(-20.0)],
        },
    }
}

fn builtin(id: &str) -> Profile {
    Registry::builtin().unwrap().resolve(id).unwrap()
}

fn custom(body: &str) -> Profile {
    let text = format!(
        "id = \"t\"\ntitle = \"t\"\n[source]\ndocument = \"d\"\nurl = \"u\"\nclause = \"§1\"\ndate_read = \"2026-11\"\nconfidence = \"primary\"\n{body}"
    );
    let mut reg = Registry::builtin().unwrap();
    reg.add_text(&text, Origin::BuiltIn("t")).unwrap();
    reg.resolve("t").unwrap()
}

fn run(p: &Profile, m: &MediaInfo, a: Option<&AudioMeasurements>) -> Vec<Finding> {
    let facts = FileFacts {
        path: Path::new("/d/ABC_001.mov"),
        file_name: "ABC_001.mov",
        size_bytes: 1,
        media: Some(m),
        audio: a,
        sidecars: &[],
        picture: None,
        captions: None,
        artwork: None,
    };
    evaluate(p, &facts)
}

fn by_id<'a>(f: &'a [Finding], id: &str) -> Vec<&'a Finding> {
    f.iter().filter(|x| x.rule_id == id).collect()
}

fn failed(f: &[Finding]) -> Vec<&str> {
    f.iter()
        .filter(|x| x.status == Status::Failed)
        .map(|x| x.rule_id.as_str())
        .collect()
}

#[test]
fn loudness_of_a_file_without_sound_says_so() {
    let mut m = prores_hq_mov();
    m.streams.retain(|s| s.kind != StreamKind::Audio);
    let f = run(&builtin("netflix-prores-hq"), &m, None);
    assert_eq!(
        by_id(&f, "loudness.integrated_lufs")[0].status,
        Status::NotEvaluated {
            reason: "the file has no audio stream".into()
        }
    );
}

#[test]
fn prores_hq_passes_netflix_except_unmeasured_loudness() {
    let f = run(&builtin("netflix-prores-hq"), &prores_hq_mov(), None);
    assert!(failed(&f).is_empty(), "{:?}", failed(&f));
    let lufs = by_id(&f, "loudness.integrated_lufs");
    assert_eq!(
        lufs[0].status,
        Status::NotEvaluated {
            reason: "loudness not measured".into()
        }
    );
    assert_eq!(
        by_id(&f, "audio.sample_rate").len(),
        8,
        "one per audio stream"
    );
    let layout = by_id(&f, "audio.layouts");
    assert_eq!(
        layout[0].message,
        "audio layout is `eight mono streams`, by channel labels from the track titles"
    );
}

#[test]
fn h264_mp4_fails_netflix_with_readable_sentences() {
    let f = run(&builtin("netflix-prores-hq"), &h264_mp4(), None);
    let fails = failed(&f);
    for id in [
        "container.format",
        "video.codec",
        "video.profile",
        "audio.codec",
    ] {
        assert!(fails.contains(&id), "{id} should fail: {fails:?}");
    }
    let codec = by_id(&f, "video.codec")[0];
    assert_eq!(codec.stream_index, Some(0));
    assert_eq!(
        codec.message,
        "video codec is h264; the spec requires prores"
    );
    assert_eq!(codec.source_clause.as_deref(), Some("article 360060572613"));
    let bits = by_id(&f, "audio.bit_depth")[0];
    assert!(
        matches!(bits.status, Status::NotEvaluated { .. }),
        "AAC has no bit depth"
    );
    let layout = by_id(&f, "audio.layouts")[0];
    assert_eq!(layout.status, Status::Passed, "2.0 is accepted");
    assert_eq!(layout.actual, "1 stream: [L R]");
}

#[test]
fn frame_rate_sentence() {
    let p = custom("[video]\nframe_rate = [\"23.976\", \"24\"]\n");
    let f = run(&p, &h264_mp4(), None);
    assert_eq!(
        by_id(&f, "video.frame_rate")[0].message,
        "frame rate is 25 fps; the spec allows 23.976, 24 fps"
    );
    let f = run(&p, &prores_hq_mov(), None);
    assert_eq!(by_id(&f, "video.frame_rate")[0].status, Status::Passed);
}

#[test]
fn film_24_does_not_match_23_976() {
    let p = custom("[video]\nframe_rate = \"23.976\"\n");
    let mut m = prores_hq_mov();
    m.streams[0].video.as_mut().unwrap().frame_rate = Some("24/1".into());
    assert_eq!(failed(&run(&p, &m, None)), ["video.frame_rate"]);
}

#[test]
fn mxf_passes_dpp_structure() {
    let f = run(&builtin("uk-dpp-as11-hd"), &mxf_1080i25(), None);
    assert!(failed(&f).is_empty(), "{:?}", failed(&f));
    let mut m = mxf_1080i25();
    m.streams.truncate(3);
    let f = run(&builtin("uk-dpp-as11-hd"), &m, None);
    assert_eq!(failed(&f), ["audio.layouts", "audio.total_channels"]);
}

#[test]
fn missing_fields_are_not_evaluated_never_passed() {
    let p = custom("[video]\nfield_order = \"tff\"\n[timing]\nstart_timecode = \"10:00:00:00\"\n");
    let mut m = mxf_1080i25();
    m.streams[0].video.as_mut().unwrap().field_order = None;
    m.container.start_timecode = None;
    let f = run(&p, &m, None);
    assert!(f.iter().all(|x| x.is_not_evaluated()), "{f:#?}");
    assert!(
        f[0].message.contains("does not say its field order"),
        "{}",
        f[0].message
    );
}

#[test]
fn no_video_stream_is_not_evaluated() {
    let mut m = h264_mp4();
    m.streams.remove(0);
    let f = run(&custom("[video]\ncodec = \"h264\"\n"), &m, None);
    assert_eq!(
        f[0].status,
        Status::NotEvaluated {
            reason: "the file has no video stream".into()
        }
    );
}

#[test]
fn conditions_select_rules() {
    let p = custom(
        "[video]\ncodec = [{ equals = \"hevc\", when = { \"video.height\" = 2160 } }, { equals = \"h264\", when = { \"video.height\" = { max = 1080 } } }]\n",
    );
    let f = run(&p, &h264_mp4(), None);
    assert_eq!(f.len(), 1, "the 2160 rule does not apply: {f:#?}");
    assert_eq!(f[0].rule_id, "video.codec#2");
    assert_eq!(f[0].status, Status::Passed);
    let mut uhd = h264_mp4();
    uhd.streams[0].video.as_mut().unwrap().height = 2160;
    assert_eq!(failed(&run(&p, &uhd, None)), ["video.codec"]);
}

#[test]
fn condition_on_missing_field_is_not_evaluated() {
    let p = custom(
        "[video]\ncodec = { equals = \"h264\", when = { \"video.field_order\" = \"tff\" } }\n",
    );
    let mut m = h264_mp4();
    m.streams[0].video.as_mut().unwrap().field_order = None;
    let f = run(&p, &m, None);
    assert!(f[0].is_not_evaluated(), "{f:#?}");
}

#[test]
fn apple_progressive_condition() {
    let p = builtin("apple-itunes-hd");
    let mut m = prores_hq_mov();
    m.streams[0].video.as_mut().unwrap().field_order = Some("tff".into());
    assert!(failed(&run(&p, &m, None)).contains(&"video.field_order"));
    m.streams[0].video.as_mut().unwrap().frame_rate = Some("30000/1001".into());
    let f = run(&p, &m, None);
    assert!(
        by_id(&f, "video.field_order").is_empty(),
        "29.97i is allowed"
    );
}

#[test]
fn layout_alternatives() {
    let p = builtin("netflix-prores-hq");
    let eight = |names: &[&str]| {
        let mut m = prores_hq_mov();
        m.streams.truncate(1);
        let mut a = stream(1, StreamKind::Audio, "pcm_s24le", 600.0);
        a.audio = Some(audio(24, names));
        m.streams.push(a);
        m
    };
    let ok = eight(&["L", "R", "C", "LFE", "Ls", "Rs", "Lt", "Rt"]);
    assert_eq!(
        by_id(&run(&p, &ok, None), "audio.layouts")[0].status,
        Status::Passed
    );
    let stereo = eight(&["L", "R"]);
    assert_eq!(
        by_id(&run(&p, &stereo, None), "audio.layouts")[0].status,
        Status::Passed
    );
    let five_one = eight(&["L", "R", "C", "LFE", "Ls", "Rs"]);
    assert_eq!(
        by_id(&run(&p, &five_one, None), "audio.layouts")[0].status,
        Status::Failed
    );
    let wrong_order = eight(&["L", "R", "C", "LFE", "Ls", "Rs", "Rt", "Lt"]);
    assert_eq!(
        by_id(&run(&p, &wrong_order, None), "audio.layouts")[0].status,
        Status::Failed
    );
    let mut unlabelled = prores_hq_mov();
    for s in unlabelled.streams.iter_mut().skip(1) {
        let a = s.audio.as_mut().unwrap();
        a.channel_names.clear();
        a.channel_labels = crate::probe::model::ChannelLabels::None;
    }
    let f = run(&p, &unlabelled, None);
    let l = by_id(&f, "audio.layouts")[0];
    assert_eq!(l.status, Status::Passed);
    assert!(
        l.message
            .contains("by count only: the file does not label its channels"),
        "{}",
        l.message
    );
}

#[test]
fn av_duration_match() {
    let p = builtin("netflix-prores-hq");
    let mut m = prores_hq_mov();
    m.streams[3].duration_s = Some(601.5);
    let f = run(&p, &m, None);
    let d = by_id(&f, "timing.av_duration_difference_s")[0];
    assert_eq!(d.status, Status::Failed);
    assert_eq!(d.actual, "1.5 s");
}

#[test]
fn loudness_per_programme_with_boundaries() {
    let p = builtin("ebu-r128");
    let a = AudioMeasurements {
        programmes: vec![
            programme("5.1", -23.2, -1.0),
            programme("stereo", -22.7, -0.5),
        ],
        faults: vec![],
        ffmpeg_log: vec![],
    };
    let f = run(&p, &prores_hq_mov(), Some(&a));
    let i = by_id(&f, "loudness.integrated_lufs");
    assert_eq!(i[0].status, Status::Passed, "−23.2 is on the boundary");
    assert_eq!(i[1].status, Status::Failed);
    assert_eq!(i[1].programme.as_deref(), Some("stereo"));
    assert_eq!(
        i[1].message,
        "programme stereo: integrated loudness is -22.7 LUFS; the spec requires -23 ± 0.2 LUFS"
    );
    let tp = by_id(&f, "loudness.true_peak_dbtp");
    assert_eq!(
        (tp[0].status.clone(), tp[1].status.clone()),
        (Status::Passed, Status::Failed)
    );
    let live = builtin("ebu-r128-live");
    let f = run(&live, &prores_hq_mov(), Some(&a));
    assert_eq!(
        by_id(&f, "loudness.integrated_lufs")[1].status,
        Status::Passed
    );
}

#[test]
fn short_term_finding_has_a_position() {
    let a = AudioMeasurements {
        programmes: vec![programme("stereo", -23.0, -2.0)],
        faults: vec![],
        ffmpeg_log: vec![],
    };
    let p = custom("[loudness]\nmax_short_term_lufs = { max = -18.0 }\n");
    let f = run(&p, &prores_hq_mov(), Some(&a));
    assert_eq!(f[0].status, Status::Failed);
    assert_eq!(f[0].position_s, Some(2.0));
    assert_eq!(f[0].timecode.as_deref(), Some("10:00:01:23"));
}

#[test]
fn needs_audio_only_for_loudness() {
    assert!(needs_audio_measurement(&builtin("ebu-r128")));
    assert!(!needs_audio_measurement(&builtin("amazon-pvd")));
}

#[test]
fn naming_and_sidecars() {
    let p = custom(
        "[naming]\nfile_name = { regex = '^[A-Z]{3}_\\d{3}\\.mov$' }\n[sidecars]\ncaptions = { regex = '^{stem}\\.(scc|srt)$' }\n",
    );
    let m = prores_hq_mov();
    let with = [PathBuf::from("/d/ABC_001.scc")];
    let facts = FileFacts {
        path: Path::new("/d/ABC_001.mov"),
        file_name: "ABC_001.mov",
        size_bytes: 1,
        media: Some(&m),
        audio: None,
        sidecars: &with,
        picture: None,
        captions: None,
        artwork: None,
    };
    let r = check_file(&facts, std::slice::from_ref(&p));
    assert_eq!(r.verdict, Verdict::Pass, "{:#?}", r.findings);
    let other = [PathBuf::from("/d/XYZ_002.scc")];
    let facts = FileFacts {
        sidecars: &other,
        picture: None,
        captions: None,
        artwork: None,
        file_name: "abc_001.mov",
        ..facts
    };
    let r = check_file(&facts, &[p]);
    assert_eq!(r.verdict, Verdict::Fail);
    assert_eq!(
        failed(&r.findings),
        ["naming.file_name", "sidecars.captions"]
    );
}

#[test]
fn verdicts_and_severity() {
    let warn = custom("[video]\ncodec = { equals = \"prores\", severity = \"warning\", message = \"house rule\" }\n");
    let m = h264_mp4();
    let facts = FileFacts {
        path: Path::new("x.mp4"),
        file_name: "x.mp4",
        size_bytes: 1,
        media: Some(&m),
        audio: None,
        sidecars: &[],
        picture: None,
        captions: None,
        artwork: None,
    };
    let r = check_file(&facts, std::slice::from_ref(&warn));
    assert_eq!(r.verdict, Verdict::Pass);
    assert_eq!(r.findings[0].severity, Severity::Warning);
    assert!(r.findings[0].message.ends_with("(house rule)"));
    let r = check_file(&facts, &[builtin("ebu-r128")]);
    assert_eq!(r.verdict, Verdict::NotEvaluated);
    let off = custom("[video]\ncodec = { equals = \"prores\", severity = \"off\" }\n");
    assert!(check_file(&facts, &[off]).findings.is_empty());
}

#[test]
fn findings_serialise_with_status_inline() {
    let f = run(&custom("[video]\ncodec = \"prores\"\n"), &h264_mp4(), None);
    let j = serde_json::to_value(&f[0]).unwrap();
    assert_eq!(j["status"], "failed");
    assert_eq!(j["rule_id"], "video.codec");
    assert_eq!(j["severity"], "error");
}
