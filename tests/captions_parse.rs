//! The caption parsers against an independent reading: FFmpeg's SRT,
//! WebVTT and SCC demuxers (`ffprobe -show_packets`, `ffmpeg -f srt`) for
//! event times and text; TTML (no FFmpeg demuxer) by values computed by
//! hand from the TTML spec. Bad files (made by fixtures/make-captions.sh)
//! get located problems.

mod common;

use serde_json::Value;
use signoff::captions::{parse, CaptionDoc, CaptionFormat};
use std::fs;
use std::process::Command;

fn read(name: &str) -> Vec<u8> {
    fs::read(common::fixtures().join("captions").join(name)).unwrap()
}

fn doc(format: CaptionFormat, name: &str) -> CaptionDoc {
    parse(format, &read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// (pts_time, duration_time) of every packet, as ffprobe reads them.
fn packets(name: &str) -> Vec<(f64, Option<f64>)> {
    let path = common::fixtures().join("captions").join(name);
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_packets", "-of", "json"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "ffprobe {name}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let num = |p: &Value, k: &str| p[k].as_str().and_then(|s| s.parse::<f64>().ok());
    v["packets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (num(p, "pts_time").unwrap(), num(p, "duration_time")))
        .collect()
}

#[test]
fn srt_and_webvtt_times_agree_with_ffprobe() {
    for (format, name) in [
        (CaptionFormat::Srt, "good.srt"),
        (CaptionFormat::Webvtt, "good.vtt"),
    ] {
        let d = doc(format, name);
        assert!(d.problems.is_empty(), "{name}: {:?}", d.problems);
        let p = packets(name);
        assert_eq!(d.events.len(), p.len(), "{name}");
        for (e, (pts, dur)) in d.events.iter().zip(p) {
            assert!((e.start_s - pts).abs() < 1e-6, "{name}: {e:?} vs {pts}");
            let dur = dur.unwrap();
            assert!(
                (e.end_s - e.start_s - dur).abs() < 1e-6,
                "{name}: {e:?} vs {dur}"
            );
        }
    }
    assert_eq!(
        doc(CaptionFormat::Srt, "good.srt").events[0].lines,
        ["Hello there", "second line"]
    );
}

#[test]
fn scc_times_and_text_agree_with_ffmpeg() {
    let d = doc(CaptionFormat::Scc, "good.scc");
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    assert!(d.drop_frame);
    // FFmpeg stamps a line at its timecode read as clock time (HH:MM:SS
    // plus FF × 33 ms), ignoring drop-frame; signoff counts real frames at
    // 30000/1001 and one frame per byte pair, so the caption appears at its
    // EOC (pair 9 of its line). Drop-frame timecode stays within a few
    // milliseconds of clock time, which is the tolerance.
    let p = packets("good.scc");
    let pair = 1001.0 / 30000.0;
    let lines_with_eoc = [p[0].0, p[2].0];
    let edm = [p[1].0, p[3].0];
    assert_eq!(d.events.len(), 2);
    for (i, e) in d.events.iter().enumerate() {
        assert!(
            (e.start_s - (lines_with_eoc[i] + 9.0 * pair)).abs() < 0.01,
            "{e:?}"
        );
        assert!((e.end_s - edm[i]).abs() < 0.01, "{e:?}");
        let frames = e.start_frames.unwrap() as f64;
        assert!((frames * pair - e.start_s).abs() < 1e-9);
    }
    // 00:10:00;00 is frame 17982: exactly 600 s.
    assert_eq!(d.events[1].start_frames, Some(17982 + 9));
    let path = common::fixtures().join("captions/good.scc");
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&path)
        .args(["-f", "srt", "-"])
        .output()
        .unwrap();
    let srt = String::from_utf8(out.stdout).unwrap();
    let texts: Vec<String> = srt
        .lines()
        .filter(|l| l.contains("<font"))
        .map(|l| {
            l.replace("<font face=\"Monospace\">", "")
                .replace("</font>", "")
                .replace("{\\an7}", "")
        })
        .collect();
    let ours: Vec<String> = d.events.iter().map(|e| e.lines.join(" ")).collect();
    assert_eq!(ours, texts);
}

#[test]
fn ttml_times_follow_the_spec() {
    let d = doc(CaptionFormat::Ttml, "good.ttml");
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    assert_eq!(d.language.as_deref(), Some("en"));
    let fps = 24000.0 / 1001.0;
    let e = &d.events;
    // div begin 10 s + p begin 1 s; end 10 s + 2.5 s.
    assert_eq!((e[0].start_s, e[0].end_s), (11.0, 12.5));
    assert_eq!(e[0].lines, ["Hello", "there"]);
    // 10 s + 48 frames, for 24 frames, at 24000/1001.
    assert!((e[1].start_s - (10.0 + 48.0 / fps)).abs() < 1e-9);
    assert!((e[1].end_s - (10.0 + 72.0 / fps)).abs() < 1e-9);
}

fn problems(format: CaptionFormat, name: &str) -> Vec<String> {
    doc(format, name)
        .problems
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn refused(format: CaptionFormat, name: &str) -> String {
    parse(format, &read(name)).unwrap_err().to_string()
}

#[test]
fn bad_files_get_located_problems() {
    assert_eq!(
        refused(CaptionFormat::Srt, "empty.srt"),
        "the file is empty (0 bytes)"
    );
    let latin1 = problems(CaptionFormat::Srt, "latin1.srt");
    assert!(
        latin1[0].starts_with("line 3, column 4: the file is not UTF-8: byte 0xE9"),
        "{latin1:?}"
    );
    assert_eq!(
        doc(CaptionFormat::Srt, "latin1.srt").events[0].lines,
        ["Café crème"]
    );
    assert_eq!(
        problems(CaptionFormat::Srt, "backwards.srt"),
        ["line 2: cue 1 ends (00:00:03.500) before it starts (00:00:05.000)"]
    );
    let utf16 = doc(CaptionFormat::Ttml, "utf16.ttml");
    assert!(utf16.problems[0]
        .message
        .starts_with("the file is UTF-16LE, not UTF-8"));
    assert_eq!(utf16.events.len(), 2);
    assert_eq!(utf16.encoding.detected.as_deref(), Some("UTF-16LE"));
    let broken = refused(CaptionFormat::Ttml, "not_well_formed.ttml");
    assert!(
        broken.starts_with("line 5") && broken.contains("not well-formed"),
        "{broken}"
    );
    let laughs = refused(CaptionFormat::Ttml, "billion_laughs.ttml");
    assert!(
        laughs.starts_with("line 2: the document has a DOCTYPE"),
        "{laughs}"
    );
    let parity = problems(CaptionFormat::Scc, "parity.scc");
    assert_eq!(
        parity,
        ["line 3, column 53: the byte pair cf80 fails the odd-parity check (byte 0xCF): the caption data is corrupt"]
    );
    let tc = problems(CaptionFormat::Scc, "broken_timecodes.scc");
    assert_eq!(
        tc,
        [
            "line 5: the timecode `00:0x:02:00`: expected HH:MM:SS:FF (or HH:MM:SS;FF drop-frame); the line is skipped",
            "line 7: the timecode `00:01:00;00`: frame 00 of minute 01 does not exist in drop-frame timecode (frames 00 and 01 are dropped); the line is skipped",
        ]
    );
}

/// ttconv's reading of an EBU STL file (the Sandflow/MovieLabs timed-text
/// converter, `pip install ttconv`): (start, end, lines) per subtitle, tags removed.
fn ttconv(path: &std::path::Path) -> Vec<(f64, f64, Vec<String>)> {
    let script = r#"
import sys, re, ttconv.stl.reader as r, ttconv.srt.writer as w
srt = w.from_model(r.to_model(open(sys.argv[1], 'rb')))
def t(s):
    h, m, rest = s.split(':'); sec, ms = rest.split(',')
    return int(h) * 3600 + int(m) * 60 + int(sec) + int(ms) / 1000
for block in srt.strip().split('\n\n'):
    lines = block.split('\n')
    a, b = lines[1].split(' --> ')
    text = [re.sub('<[^>]+>', '', l) for l in lines[2:]]
    print('\t'.join([str(t(a)), str(t(b))] + text))
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "ttconv is needed for this test (setup.sh installs it): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let mut f = l.split('\t');
            let a = f.next().unwrap().parse().unwrap();
            let b = f.next().unwrap().parse().unwrap();
            (a, b, f.map(str::to_string).collect())
        })
        .collect()
}

#[test]
fn ebu_stl_times_and_text_agree_with_ttconv() {
    for (name, lang, fps) in [
        ("good_25.stl", "de", 25.0),
        ("good_30.stl", "ru", 30000.0 / 1001.0),
    ] {
        let d = doc(CaptionFormat::EbuStl, name);
        assert!(d.problems.is_empty(), "{name}: {:?}", d.problems);
        assert_eq!(d.language.as_deref(), Some(lang));
        assert!((d.frame_rate.unwrap().fps() - fps).abs() < 1e-9);
        // ttconv shows comment blocks (CF 1); EBU Tech 3264 says they are not for transmission
        let theirs: Vec<_> = ttconv(&common::fixtures().join("captions").join(name))
            .into_iter()
            .filter(|t| t.2 != ["a comment"])
            .collect();
        assert_eq!(d.events.len(), theirs.len(), "{name}: {:?}", d.events);
        for (e, t) in d.events.iter().zip(&theirs) {
            // ttconv writes milliseconds
            assert!(
                (e.start_s - t.0).abs() <= 0.0005 + 1e-9,
                "{name}: {e:?} {t:?}"
            );
            assert!(
                (e.end_s - t.1).abs() <= 0.0005 + 1e-9,
                "{name}: {e:?} {t:?}"
            );
            assert_eq!(e.lines, t.2, "{name}");
        }
    }
    let d = doc(CaptionFormat::EbuStl, "good_25.stl");
    assert_eq!(d.events[0].lines, ["Grüße", "im Café."]);
    assert_eq!(d.events[1].lines, ["Der erste Teil, der zweite Teil."]);
    assert_eq!(d.events[1].start_frames, Some(36004 * 25));
}

#[test]
fn ebu_stl_problems_name_the_block_and_byte() {
    let said = problems(CaptionFormat::EbuStl, "bad.stl");
    assert_eq!(
        said,
        [
            "byte 238: the GSI says 5 TTI blocks (TNB), the file holds 3 (384 bytes after the GSI)",
            "byte 1157: TTI block 2 (subtitle 2): the time code in (TCI) bytes 00 00 03 1E are not a timecode at 25 fps (hours 0–23, minutes and seconds 0–59, frames 0–24); the subtitle is skipped",
            "byte 1289: TTI block 3 (subtitle 3) ends (00:00:05:00) before it starts (00:00:06:00)",
        ]
    );
}
