//! Unit tests of the caption parsers (the checkers' file handling is tested
//! through the binary in tests/kinds.rs).

use super::caption::{full, scc, srt, ttml, webvtt};
use crate::captions::CaptionFormat;

fn err(r: Result<String, String>) -> String {
    r.expect_err("should not parse")
}

#[test]
fn srt_cues_are_numbered_and_timed_start_before_end() {
    let good = "\u{feff}1\r\n00:00:01,000 --> 00:00:02,500\r\nHi\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000 X1:10 X2:20\r\nThere\r\n";
    assert_eq!(srt(good.as_bytes()).unwrap(), "2 cues");
    let backwards = "1\n00:00:05,000 --> 00:00:02,000\nHi\n";
    assert_eq!(
        err(srt(backwards.as_bytes())),
        "line 2: cue 1 ends (00:00:02.000) before it starts (00:00:05.000)"
    );
    let zero = "1\n00:00:05,000 --> 00:00:05,000\nHi\n";
    assert!(err(srt(zero.as_bytes())).contains("ends (00:00:05.000) when it starts"));
    let unnumbered = "1\n00:00:01,000 --> 00:00:02,000\nHi\n\nTwo\n00:00:03,000 --> 00:00:04,000\n";
    assert!(
        err(srt(unnumbered.as_bytes())).starts_with("line 5: expected a cue number, found `Two`")
    );
    let bad_time = "1\n00:00:01,000 --> 00:61:02,000\nHi\n";
    assert!(err(srt(bad_time.as_bytes())).starts_with("line 2: cue 1: the timing line"));
    assert!(err(srt(b"1\n")).contains("no timing line"));
    assert_eq!(err(srt(b"\n\n")), "the file holds no timed captions");
}

#[test]
fn webvtt_needs_its_header_and_valid_timings() {
    let good = "WEBVTT - a title\nKind: captions\n\nNOTE a comment\nspanning lines\n\nSTYLE\n::cue { color: red }\n\nintro\n00:01.000 --> 00:02.000 align:start\nHi\n\n01:00:03.000 --> 01:00:04.000\nThere\n";
    assert_eq!(webvtt(good.as_bytes()).unwrap(), "2 cues");
    assert_eq!(
        err(webvtt(b"WEBVTTX\n\n00:01.000 --> 00:02.000\nHi\n")),
        "line 1: expected the `WEBVTT` header, found `WEBVTTX`"
    );
    assert!(err(webvtt(b"WEBVTT\n\n00:03.000 --> 00:02.000\nHi\n"))
        .starts_with("line 3: cue 1 ends (00:00:02.000) before it starts"));
    assert!(err(webvtt(b"WEBVTT\n\n00:01,000 --> 00:02,000\nHi\n"))
        .starts_with("line 3: cue 1: the timing line"));
}

#[test]
fn ttml_must_be_well_formed_with_a_tt_root_and_no_entities() {
    let good = br#"<?xml version="1.0"?><tt xmlns="http://www.w3.org/ns/ttml"><body><div><p begin="0s" end="1s">A &amp; B &#233;</p><p/></div></body></tt>"#;
    assert_eq!(ttml(good).unwrap(), "2 paragraphs");
    let bom = b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<tt><body/></tt>\n";
    assert_eq!(ttml(bom).unwrap(), "0 paragraphs");
    let prefixed = br#"<tt:tt xmlns:tt="http://www.w3.org/ns/ttml"><tt:body/></tt:tt>"#;
    assert_eq!(ttml(prefixed).unwrap(), "0 paragraphs");
    let unclosed = b"<tt>\n<body>\n<div>\n";
    assert_eq!(
        err(ttml(unclosed)),
        "the file ends before <div> (line 3) is closed; <tt> opened on line 1 is never closed"
    );
    let mismatched = b"<tt>\n<body>\n</div>\n</tt>";
    assert!(err(ttml(mismatched)).starts_with("line 3: the XML is not well-formed"));
    assert_eq!(
        err(ttml(b"<?xml version=\"1.0\"?>\n<html></html>")),
        "line 2: the root element is <html>, not <tt>"
    );
    let entity = b"<!DOCTYPE tt [<!ENTITY a \"aaaa\">]>\n<tt>&a;</tt>";
    assert!(err(ttml(entity)).contains("declares entities"));
    assert_eq!(
        err(ttml(b"<tt>\n&nbsp;</tt>")),
        "line 2: unknown entity `&nbsp;`"
    );
    assert!(err(ttml(b"<tt></tt>\n<tt></tt>")).contains("after the end of the root element"));
    let deep = format!("<tt>{}", "<div>".repeat(10_000));
    assert!(err(ttml(deep.as_bytes())).contains("nested deeper than"));
}

#[test]
fn scc_needs_its_header_and_timecode_lines_of_hex_words() {
    let good =
        "Scenarist_SCC V1.0\r\n\r\n00:00:00:00\t9420 9420 94ae\r\n\r\n00:00:02;15\t942f 942f\r\n";
    assert_eq!(scc(good.as_bytes()).unwrap(), "2 timed lines");
    assert!(err(scc(b"Scenarist_SCC V2.0\n")).starts_with("line 1: expected the"));
    assert_eq!(
        err(scc(b"Scenarist_SCC V1.0\n\n00:00:00:40\t9420\n")),
        "line 3: expected a timecode (HH:MM:SS:FF or HH:MM:SS;FF), found `00:00:00:40`"
    );
    assert_eq!(
        err(scc(b"Scenarist_SCC V1.0\n\n00:00:00:10\t94g0\n")),
        "line 3: `94g0` is not a 4-digit hex caption word"
    );
}

#[test]
fn ebu_stl_is_read_by_its_full_parser_and_timing_is_left_to_the_rule() {
    let mut gsi = vec![b' '; 1024];
    gsi[..3].copy_from_slice(b"850");
    gsi[3..11].copy_from_slice(b"STL25.01");
    gsi[12..14].copy_from_slice(b"00");
    gsi[238..243].copy_from_slice(b"00002");
    let block = |sn: u8, tci: u8, tco: u8| {
        let mut b = vec![0u8, sn, 0, 0xFF, 0, 0, 0, tci, 0, 0, 0, tco, 0, 20, 2, 0];
        b.extend_from_slice(b"Hallo");
        b.resize(128, 0x8F);
        b
    };
    let mut file = gsi.clone();
    file.extend(block(1, 1, 2));
    file.extend(block(2, 5, 4));
    let stl = |f: &[u8], judged| full(CaptionFormat::EbuStl, f, judged);
    assert!(err(stl(&file, false))
        .contains("TTI block 2 (subtitle 2) ends (00:00:04:00) before it starts"));
    assert_eq!(stl(&file, true).unwrap(), "2 cues");
    file.truncate(1024 + 128);
    assert!(err(stl(&file, true)).contains("the GSI says 2 TTI blocks (TNB), the file holds 1"));
    assert!(err(stl(&gsi[..500], true)).contains("shorter than the 1024-byte GSI block"));
}
