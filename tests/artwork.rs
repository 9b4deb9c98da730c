//! Artwork and documents checked for what they are: every fact signoff
//! reads from an image (`signoff::artwork::read_image`) agrees with
//! exiftool and ImageMagick's identify, every PDF fact with pdfinfo; the
//! `[image]` and `[document]` rules of the built-in profiles pass and fail
//! the files they should, in JSON and JUnit; bad input gets a clear finding.
//! Fixtures from `fixtures/make-artwork.sh`; the media are never written.

mod common;

use serde_json::Value;
use signoff::artwork::{pdf, read_image, ImageInfo};
use std::path::PathBuf;
use std::process::Command;

fn art(name: &str) -> PathBuf {
    common::fixtures().join("artwork").join(name)
}

/// The images whose facts are compared, with their format by content.
const IMAGES: &[(&str, &str)] = &[
    ("keyart_1920x1080_srgb.jpg", "jpeg"),
    ("keyart_1920x1080_srgb.png", "png"),
    ("poster_400x600_cmyk.jpg", "jpeg"),
    ("progressive_gray_800x450.jpg", "jpeg"),
    ("gray16_300x200.png", "png"),
    ("title_alpha_400x300.png", "png"),
    ("pages2_adobergb_16bit.tiff", "tiff"),
    ("exif_only_240dpi.jpg", "jpeg"),
    ("jpeg_named.png", "jpeg"),
];

/// exiftool's numeric tags of one file, keyed `Group:Tag`.
fn exiftool(name: &str) -> serde_json::Map<String, Value> {
    let out = Command::new("exiftool")
        .args(["-j", "-G1", "-n"])
        .arg(art(name))
        .output()
        .expect("exiftool (apt install libimage-exiftool-perl; setup.sh installs it)");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    doc[0].as_object().unwrap().clone()
}

/// The first value of `tag` in any group (`ImageWidth` is `File:`, `PNG:` or `IFD0:`).
fn tag<'a>(tags: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a Value> {
    let order = ["File", "PNG", "IFD0", "ICC_Profile", "JFIF", "PNG-pHYs"];
    order.iter().find_map(|g| tags.get(&format!("{g}:{name}")))
}

fn number(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        // "16 16 16": bits per sample of each channel.
        Value::String(s) => s
            .split_whitespace()
            .map(|x| x.parse::<f64>().unwrap())
            .fold(0.0, f64::max),
        other => panic!("not a number: {other}"),
    }
}

/// identify's colour space, alpha flag and frame count (one line a frame).
fn identify(name: &str) -> (String, bool, usize) {
    let out = Command::new("identify")
        .args(["-format", "%[colorspace] %A\n"])
        .arg(art(name))
        .output()
        .expect("identify (apt install imagemagick; setup.sh installs it)");
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let (space, alpha) = lines[0].split_once(' ').unwrap();
    (space.to_string(), alpha == "True", lines.len())
}

fn read(name: &str, format: &str) -> ImageInfo {
    read_image(&art(name), format).unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

#[test]
fn dimensions_depth_and_profile_agree_with_exiftool() {
    for (name, format) in IMAGES {
        let info = read(name, format);
        let tags = exiftool(name);
        let w = number(tag(&tags, "ImageWidth").unwrap());
        let h = number(tag(&tags, "ImageHeight").unwrap());
        assert_eq!(
            (info.width_px as f64, info.height_px as f64),
            (w, h),
            "{name}"
        );
        let depth = tag(&tags, "BitsPerSample").or_else(|| tag(&tags, "BitDepth"));
        assert_eq!(info.bit_depth.map(f64::from), depth.map(number), "{name}");
        let icc = info.icc.clone().map(|p| p.unwrap().description.unwrap());
        let theirs = tag(&tags, "ProfileDescription").map(|v| v.as_str().unwrap().to_string());
        assert_eq!(icc, theirs, "{name}: ICC profile description");
        assert_eq!(info.format, *format, "{name}");
    }
}

#[test]
fn resolution_agrees_with_exiftool() {
    for (name, format) in IMAGES {
        let info = read(name, format);
        let tags = exiftool(name);
        // PNG: pixels per metre (unit 1); JFIF: unit 1 = inch; EXIF/TIFF: unit 2 = inch.
        let theirs = if let Some(ppm) = tags.get("PNG-pHYs:PixelsPerUnitX") {
            Some((number(ppm) * 0.0254).round())
        } else if let Some(x) = tags.get("JFIF:XResolution") {
            // JFIF: unit 1 = per inch, 2 = per cm (whole numbers: 59 px/cm is 150 dpi).
            match tags["JFIF:ResolutionUnit"].as_u64() {
                Some(1) => Some(number(x)),
                Some(2) => Some((number(x) * 2.54).round()),
                other => panic!("{name}: JFIF unit {other:?}"),
            }
        } else {
            tags.get("IFD0:XResolution").map(|x| {
                assert_eq!(tags["IFD0:ResolutionUnit"], 2, "{name}");
                number(x)
            })
        };
        let ours = info.resolution.as_ref().ok().map(|r| r.dpi());
        assert_eq!(ours, theirs, "{name}: {:?}", info.resolution);
    }
    // JFIF says 72 dpi and EXIF 300: exiftool shows both; signoff does not guess.
    let tags = exiftool("jfif72_exif300.jpg");
    assert_eq!(
        (
            number(&tags["JFIF:XResolution"]),
            number(&tags["IFD0:XResolution"])
        ),
        (72.0, 300.0)
    );
    let info = read("jfif72_exif300.jpg", "jpeg");
    let why = info.resolution.unwrap_err();
    assert!(why.contains("72 dpi (JFIF) and 300 dpi (EXIF)"), "{why}");
    let gray = read("gray16_300x200.png", "png");
    assert!(gray.resolution.unwrap_err().contains("no pHYs"));
}

#[test]
fn colour_space_alpha_and_pages_agree_with_identify() {
    for (name, format) in IMAGES {
        let info = read(name, format);
        let (space, alpha, frames) = identify(name);
        let theirs = match space.as_str() {
            "sRGB" | "RGB" => "RGB",
            other => other,
        };
        assert_eq!(info.color_space.as_deref(), Some(theirs), "{name}");
        assert_eq!(info.alpha, alpha, "{name}: alpha");
        assert_eq!(info.page_count as usize, frames, "{name}: pages");
    }
}

/// One page as pdfinfo sizes it: width and height in points, and its name.
type PdfinfoPage = (f64, f64, Option<String>);

/// pdfinfo's pages, encryption and page sizes (`Page    N size: W x H pts (A4)`).
fn pdfinfo(name: &str) -> (u32, bool, Vec<PdfinfoPage>) {
    let out = Command::new("pdfinfo")
        .args(["-f", "1", "-l", "100"])
        .arg(art(name))
        .output()
        .expect("pdfinfo (apt install poppler-utils; setup.sh installs it)");
    let text = String::from_utf8(out.stdout).unwrap();
    let field = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(k))
            .map(|v| v.trim().to_string())
            .unwrap()
    };
    let pages = field("Pages:").parse().unwrap();
    let encrypted = field("Encrypted:").starts_with("yes");
    let sizes = text
        .lines()
        .filter(|l| l.starts_with("Page ") && l.contains(" size:"))
        .map(|l| {
            let v = l.split_once("size:").unwrap().1.trim();
            let mut it = v.split_whitespace();
            let w: f64 = it.next().unwrap().parse().unwrap();
            it.next();
            let h: f64 = it.next().unwrap().parse().unwrap();
            let name = v
                .split_once('(')
                .map(|(_, n)| n.trim_end_matches(')').to_string());
            (w, h, name)
        })
        .collect();
    (pages, encrypted, sizes)
}

#[test]
fn pdf_pages_and_sizes_agree_with_pdfinfo() {
    for name in [
        "cue_sheet_letter.pdf",
        "cue_sheet_a4_2pages.pdf",
        "mixed_sizes.pdf",
        "encrypted_no_user_password.pdf",
    ] {
        let doc = pdf::read_pdf(&art(name)).unwrap();
        let (pages, encrypted, sizes) = pdfinfo(name);
        assert_eq!(doc.page_count, Ok(pages), "{name}");
        assert_eq!(doc.encrypted, encrypted, "{name}");
        let ours = doc.pages.unwrap();
        assert_eq!(ours.len(), sizes.len(), "{name}");
        for (p, (w, h, their_name)) in ours.iter().zip(&sizes) {
            assert!(
                (p.width_pt - w).abs() < 0.001 && (p.height_pt - h).abs() < 0.001,
                "{name}: {p:?} vs {w} x {h}"
            );
            // pdfinfo says `letter` and `A4`; it names no other sizes signoff names.
            let mapped = their_name
                .as_deref()
                .map(|n| if n == "letter" { "US Letter" } else { n });
            assert_eq!(p.name(), mapped, "{name}");
        }
    }
    // A password-protected PDF: pdfinfo refuses it; signoff says it is
    // encrypted and that its pages cannot be read.
    let locked = pdf::read_pdf(&art("encrypted_password.pdf")).unwrap();
    assert!(locked.encrypted);
    assert!(locked.page_count.unwrap_err().contains("encrypted"));
    let not = pdf::read_pdf(&art("not_a_pdf.pdf")).unwrap_err();
    assert!(not.contains("not a PDF"), "{not}");
}

/// `check FILE… --spec ID --format json`: (exit code, files by name).
fn check(files: &[&str], spec: &str) -> (i32, Vec<Value>) {
    let mut cmd = assert_cmd::Command::cargo_bin("signoff").unwrap();
    cmd.env_remove("SIGNOFF_SPECS").arg("check");
    for f in files {
        cmd.arg(art(f));
    }
    cmd.args(["--spec", spec, "--format", "json"]);
    let (code, doc) = common::json_of(&mut cmd);
    (code, doc["files"].as_array().unwrap().clone())
}

/// (rule id, status, actual) of every finding of one file's report.
fn findings(file: &Value) -> Vec<(String, String, String)> {
    file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let status = match &f["status"] {
                Value::String(s) => s.clone(),
                _ => "not_evaluated".into(),
            };
            (
                f["rule_id"].as_str().unwrap().to_string(),
                status,
                f["actual"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn status_of(file: &Value, rule: &str) -> (String, String) {
    let all = findings(file);
    let (_, s, a) = all
        .iter()
        .find(|(id, ..)| id == rule)
        .unwrap_or_else(|| panic!("no {rule} in {all:?}"));
    (s.clone(), a.clone())
}

#[test]
fn roku_key_art_passes_the_key_art_and_fails_the_rest() {
    let before = common::snapshot(&common::fixtures().join("artwork"));
    let (code, files) = check(
        &[
            "keyart_1920x1080_srgb.jpg",
            "keyart_1920x1080_srgb.png",
            "poster_400x600_cmyk.jpg",
            "pages2_adobergb_16bit.tiff",
            "huge_header.png",
        ],
        "roku-key-art",
    );
    assert_eq!(code, 1);
    for f in &files[..2] {
        assert_eq!(f["verdict"], "pass", "{f:#}");
        assert_eq!(
            status_of(f, "image.dpi"),
            ("passed".into(), "72 dpi".into())
        );
        assert_eq!(
            status_of(f, "image.aspect_ratio"),
            ("passed".into(), "16:9".into())
        );
    }
    let cmyk = &files[2];
    assert_eq!(
        status_of(cmyk, "image.color_space"),
        ("failed".into(), "CMYK".into())
    );
    assert_eq!(
        status_of(cmyk, "image.dpi"),
        ("failed".into(), "300 dpi".into())
    );
    assert_eq!(
        status_of(&files[3], "image.format"),
        ("failed".into(), "tiff".into())
    );
    // A header claiming 100000x100000 over 69 bytes: read, never decoded.
    let huge = &files[4];
    assert_eq!(
        status_of(huge, "image.width_px"),
        ("failed".into(), "100000 px".into())
    );
    common::assert_unchanged(&common::fixtures().join("artwork"), &before);
}

#[test]
fn prime_video_limits_the_longest_side() {
    let (_, files) = check(
        &["huge_header.jpg", "keyart_1920x1080_srgb.jpg"],
        "prime-video-cover-art",
    );
    assert_eq!(
        status_of(&files[0], "image.longest_side_px"),
        ("failed".into(), "65000 px".into())
    );
    assert_eq!(files[1]["verdict"], "pass", "{:#}", files[1]);
}

#[test]
fn bad_images_get_clear_findings() {
    let (code, files) = check(&["truncated_header.png", "jpeg_named.png"], "roku-key-art");
    assert_eq!(code, 1);
    let cut = &files[0];
    assert_eq!(cut["verdict"], "fail");
    assert_eq!(status_of(cut, "kind.image_complete").0, "failed");
    let msg = cut["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "image.width_px")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(msg.contains("cut short (truncated)"), "{msg}");
    // A JPEG named .png is read as the JPEG it is, and its name fails.
    let named = &files[1];
    assert_eq!(
        status_of(named, "kind.extension_matches_content").0,
        "failed"
    );
    assert_eq!(
        status_of(named, "image.format"),
        ("passed".into(), "jpeg".into())
    );
    assert_eq!(
        status_of(named, "image.color_space"),
        ("failed".into(), "CMYK".into())
    );
}

#[test]
fn house_cue_sheet_checks_documents() {
    let (code, files) = check(
        &[
            "cue_sheet_letter.pdf",
            "cue_sheet_a4_2pages.pdf",
            "mixed_sizes.pdf",
            "encrypted_password.pdf",
            "not_a_pdf.pdf",
        ],
        "house-cue-sheet",
    );
    assert_eq!(code, 1);
    assert_eq!(files[0]["verdict"], "pass", "{:#}", files[0]);
    assert_eq!(status_of(&files[0], "document.page_size").1, "US Letter");
    assert_eq!(
        status_of(&files[1], "document.page_count"),
        ("passed".into(), "2".into())
    );
    assert_eq!(
        status_of(&files[2], "document.page_size"),
        (
            "failed".into(),
            "mixed: A4 (2 pages), 540 x 720 pt (1 page)".into()
        )
    );
    let locked = &files[3];
    assert_eq!(
        status_of(locked, "document.encrypted"),
        ("failed".into(), "yes".into())
    );
    assert_eq!(status_of(locked, "document.page_count").0, "not_evaluated");
    let text = &files[4];
    assert_eq!(
        status_of(text, "document.format"),
        ("failed".into(), "text".into())
    );
}

#[test]
fn the_sample_key_art_and_cue_sheet_pass_their_profiles_in_junit() {
    let sd = common::sample_delivery();
    let junit = |files: &[&str], spec: &str| {
        let mut cmd = assert_cmd::Command::cargo_bin("signoff").unwrap();
        cmd.env_remove("SIGNOFF_SPECS").arg("check");
        for f in files {
            cmd.arg(sd.join(f));
        }
        let out = cmd
            .args(["--spec", spec, "--report", "xml:-"])
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    let art = ["artwork/FEATURE_keyart.jpg", "artwork/FEATURE_keyart.png"];
    let (code, xml) = junit(&art, "roku-key-art");
    assert_eq!(code, Some(0), "{xml}");
    assert!(xml.contains(r#"<testcase name="roku-key-art""#), "{xml}");
    assert!(!xml.contains("<failure"), "{xml}");
    let (code, xml) = junit(&["docs/FEATURE_music_cue_sheet.pdf"], "house-cue-sheet");
    assert_eq!(code, Some(0), "{xml}");
    assert!(xml.contains(r#"<testcase name="house-cue-sheet""#), "{xml}");
    assert!(!xml.contains("<failure"), "{xml}");
    // The same files against the other's profile fail on their format.
    let (code, xml) = junit(&["docs/FEATURE_music_cue_sheet.pdf"], "roku-key-art");
    assert_eq!(code, Some(1));
    assert!(
        xml.contains("<failure") && xml.contains("image format is pdf"),
        "{xml}"
    );
}

#[test]
fn every_image_key_judges_the_fact_read() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = tmp.path().join("house-art.toml");
    std::fs::write(
        &spec,
        r#"id = "house-art"
title = "every [image] key"
[source]
document = "test"
date_read = "2026-12"
confidence = "primary"
[image]
icc_profile = [{ present = true }, { regex = "^sRGB" }]
alpha = false
bit_depth = 8
page_count = 1
resolution = "1920x1080"
file_size_bytes = { max = 100000 }
"#,
    )
    .unwrap();
    let spec = spec.to_str().unwrap();
    let (_, files) = check(
        &[
            "keyart_1920x1080_srgb.png",
            "title_alpha_400x300.png",
            "pages2_adobergb_16bit.tiff",
        ],
        spec,
    );
    assert_eq!(files[0]["verdict"], "pass", "{:#}", files[0]);
    assert_eq!(
        status_of(&files[0], "image.icc_profile#2"),
        ("passed".into(), "sRGB".into())
    );
    let alpha = &files[1];
    assert_eq!(
        status_of(alpha, "image.alpha"),
        ("failed".into(), "yes".into())
    );
    assert_eq!(
        status_of(alpha, "image.icc_profile"),
        ("failed".into(), "absent".into())
    );
    assert_eq!(
        status_of(alpha, "image.resolution"),
        ("failed".into(), "400x300".into())
    );
    let tiff = &files[2];
    assert_eq!(
        status_of(tiff, "image.page_count"),
        ("failed".into(), "2".into())
    );
    assert_eq!(
        status_of(tiff, "image.bit_depth"),
        ("failed".into(), "16 bits".into())
    );
    assert_eq!(
        status_of(tiff, "image.icc_profile#2"),
        ("failed".into(), "Compatible with Adobe RGB (1998)".into())
    );
}

#[test]
fn wrong_key_art_fails_its_deliverable_on_the_board_and_in_html() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("FEATURE");
    common::copy_dir(&common::sample_delivery(), &root).unwrap();
    // A CMYK print poster delivered as the key art.
    std::fs::copy(
        art("poster_400x600_cmyk.jpg"),
        root.join("artwork/FEATURE_keyart.jpg"),
    )
    .unwrap();
    let html = tmp.path().join("board.html");
    let mut cmd = common::plan_signoff();
    cmd.arg("check")
        .arg(&root)
        .arg("--ledger")
        .arg(tmp.path().join("ledger.sqlite"))
        .args(["--format", "json", "--report"])
        .arg(format!("html:{}", html.display()));
    let (code, doc) = common::json_of(&mut cmd);
    assert_eq!(code, 1);
    let deliverable = |id: &str| {
        doc["deliverables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .unwrap()
            .clone()
    };
    let key_art = deliverable("key-art");
    assert_eq!(key_art["state"], "failing", "{key_art:#}");
    assert_eq!(key_art["error_count"], 5, "{key_art:#}");
    assert_eq!(deliverable("music-cue-sheet")["state"], "passing");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("image colour space is CMYK; the spec requires RGB"),
        "no CMYK finding in the HTML"
    );
}

#[test]
fn in_a_folder_only_images_are_judged_by_image_rules() {
    let tmp = tempfile::tempdir().unwrap();
    for f in [
        "keyart_1920x1080_srgb.jpg",
        "poster_400x600_cmyk.jpg",
        "cue_sheet_letter.pdf",
    ] {
        std::fs::copy(art(f), tmp.path().join(f)).unwrap();
    }
    std::fs::write(tmp.path().join("notes.txt"), "delivered by courier\n").unwrap();
    let mut cmd = assert_cmd::Command::cargo_bin("signoff").unwrap();
    cmd.env_remove("SIGNOFF_SPECS")
        .arg("check")
        .arg(tmp.path())
        .args(["--spec", "roku-key-art", "--format", "json"]);
    let (code, doc) = common::json_of(&mut cmd);
    assert_eq!(code, 1);
    let names: Vec<String> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            f["path"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    // The text file and the PDF are no concern of key-art rules: left alone.
    assert_eq!(
        names,
        ["keyart_1920x1080_srgb.jpg", "poster_400x600_cmyk.jpg"]
    );
}

#[test]
fn every_cut_of_every_image_and_pdf_gets_an_answer_not_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let cut = tmp.path().join("cut");
    for (name, format) in IMAGES
        .iter()
        .chain(&[("huge_header.png", "png"), ("huge_header.jpg", "jpeg")])
    {
        let bytes = std::fs::read(art(name)).unwrap();
        let lengths = (0..bytes.len().min(1500)).chain((1500..bytes.len()).step_by(4093));
        for n in lengths {
            std::fs::write(&cut, &bytes[..n]).unwrap();
            // Ok or a reason in words; never a panic, never a hang.
            if let Err(e) = read_image(&cut, format) {
                assert!(!e.words().is_empty(), "{name} cut at {n}");
            }
        }
    }
    for name in [
        "cue_sheet_a4_2pages.pdf",
        "mixed_sizes.pdf",
        "encrypted_password.pdf",
    ] {
        let bytes = std::fs::read(art(name)).unwrap();
        for n in 0..bytes.len() {
            std::fs::write(&cut, &bytes[..n]).unwrap();
            if let Err(e) = pdf::read_pdf(&cut) {
                assert!(!e.is_empty(), "{name} cut at {n}");
            }
        }
    }
}
