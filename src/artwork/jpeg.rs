//! JPEG facts from a walk over the marker segments before the first scan:
//! the frame header (SOFn: precision, dimensions, components), JFIF
//! density (APP0), EXIF resolution (APP1, read with `kamadak-exif`), the
//! ICC profile (APP2 `ICC_PROFILE` chunks). Segments not needed are skipped by seeking, so memory is
//! bounded by one segment (64 KiB) plus the ICC profile.

use super::{icc, io_error, ImageError, ImageInfo, Resolution, Unit};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// At most this many marker segments are walked before the frame header
/// (memory: one 64 KiB segment at a time, and at most 255 ICC chunks).
const MAX_SEGMENTS: usize = 4096;

/// What the walk collected.
#[derive(Default)]
struct Segments {
    frame: Option<Frame>,
    jfif: Option<Result<Resolution, String>>,
    exif: Option<Vec<u8>>,
    icc_chunks: Vec<(u8, Vec<u8>)>,
}

struct Frame {
    precision: u8,
    height: u16,
    width: u16,
    components: u8,
}

/// Reads a JPEG's facts.
pub fn read(path: &Path) -> Result<ImageInfo, ImageError> {
    let file = File::open(path).map_err(|e| io_error("JPEG", &e))?;
    let mut r = BufReader::new(file);
    let segs = walk(&mut r)?;
    let Some(frame) = &segs.frame else {
        return Err(ImageError::Damaged(
            "the JPEG has no frame header (SOF) before its first scan".into(),
        ));
    };
    if frame.width == 0 || frame.height == 0 {
        return Err(ImageError::Damaged(format!(
            "the JPEG frame header gives {}x{} pixels",
            frame.width, frame.height
        )));
    }
    Ok(ImageInfo {
        format: "jpeg".into(),
        width_px: frame.width.into(),
        height_px: frame.height.into(),
        color_space: color_space(frame.components),
        bit_depth: Some(frame.precision.into()),
        alpha: false,
        icc: icc_profile(&segs.icc_chunks),
        resolution: resolution(&segs),
        page_count: 1,
    })
}

/// Walks the segments up to the first frame header.
fn walk(r: &mut (impl Read + Seek)) -> Result<Segments, ImageError> {
    let io = |e: std::io::Error| io_error("JPEG", &e);
    let mut segs = Segments::default();
    let mut b2 = [0u8; 2];
    r.read_exact(&mut b2).map_err(io)?;
    if b2 != [0xFF, 0xD8] {
        return Err(ImageError::Damaged(
            "the JPEG has no start-of-image marker".into(),
        ));
    }
    for _ in 0..MAX_SEGMENTS {
        let marker = next_marker(r)?;
        if matches!(marker, 0xD9 | 0xDA) {
            break; // end of image, or start of scan: no frame header follows
        }
        if matches!(marker, 0x01 | 0xD0..=0xD7) {
            continue; // markers without a length
        }
        r.read_exact(&mut b2).map_err(io)?;
        let len = u16::from_be_bytes(b2);
        if len < 2 {
            return Err(ImageError::Damaged(format!(
                "a JPEG segment (marker FF {marker:02X}) has length {len}"
            )));
        }
        let body_len = u64::from(len - 2);
        if is_frame(marker) || wanted(marker) {
            let mut body = vec![0u8; body_len as usize];
            r.read_exact(&mut body).map_err(io)?;
            if is_frame(marker) {
                segs.frame = frame(&body);
                return Ok(segs);
            }
            keep(&mut segs, marker, body);
        } else {
            r.seek(SeekFrom::Current(body_len as i64)).map_err(io)?;
        }
    }
    Ok(segs)
}

/// The next marker code (after any fill bytes).
fn next_marker(r: &mut (impl Read + Seek)) -> Result<u8, ImageError> {
    let io = |e: std::io::Error| io_error("JPEG", &e);
    let mut b = [0u8; 1];
    r.read_exact(&mut b).map_err(io)?;
    if b[0] != 0xFF {
        let at = r.stream_position().map_err(io)?.saturating_sub(1);
        return Err(ImageError::Damaged(format!(
            "the JPEG has byte {:02X} where a marker belongs (offset {at}): its header is damaged",
            b[0]
        )));
    }
    while b[0] == 0xFF {
        r.read_exact(&mut b).map_err(io)?;
    }
    Ok(b[0])
}

/// SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
fn is_frame(marker: u8) -> bool {
    (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC)
}

fn wanted(marker: u8) -> bool {
    matches!(marker, 0xE0..=0xE2)
}

fn frame(body: &[u8]) -> Option<Frame> {
    let b = body.get(0..6)?;
    Some(Frame {
        precision: b[0],
        height: u16::from_be_bytes([b[1], b[2]]),
        width: u16::from_be_bytes([b[3], b[4]]),
        components: b[5],
    })
}

fn keep(segs: &mut Segments, marker: u8, body: Vec<u8>) {
    match marker {
        0xE0 if body.starts_with(b"JFIF\0") && segs.jfif.is_none() => {
            segs.jfif = Some(jfif_density(&body));
        }
        0xE1 if body.starts_with(b"Exif\0\0") && segs.exif.is_none() => {
            segs.exif = Some(body[6..].to_vec());
        }
        // At most 255 chunks make a profile; more are not kept.
        0xE2 if body.starts_with(b"ICC_PROFILE\0")
            && body.len() > 14
            && segs.icc_chunks.len() < 255 =>
        {
            segs.icc_chunks.push((body[12], body[14..].to_vec()));
        }
        _ => {}
    }
}

/// JFIF units 1 (per inch) or 2 (per cm); 0 gives only the pixel aspect.
fn jfif_density(body: &[u8]) -> Result<Resolution, String> {
    let Some(d) = body.get(7..12) else {
        return Err("the JFIF header is cut short".into());
    };
    let (x, y) = (
        u16::from_be_bytes([d[1], d[2]]),
        u16::from_be_bytes([d[3], d[4]]),
    );
    let unit = match d[0] {
        1 => Unit::Inch,
        2 => Unit::WholeCentimetre,
        _ => return Err("the JFIF header gives only the pixel aspect, no resolution".into()),
    };
    Resolution::new(x.into(), y.into(), unit, "JFIF")
        .ok_or_else(|| format!("the JFIF header gives a resolution of {x}x{y}"))
}

/// EXIF XResolution / YResolution / ResolutionUnit of the primary image.
fn exif_resolution(raw: &[u8]) -> Option<Result<Resolution, String>> {
    use exif::{In, Tag, Value};
    let exif = exif::Reader::new().read_raw(raw.to_vec()).ok()?;
    let rational = |tag| match &exif.get_field(tag, In::PRIMARY)?.value {
        Value::Rational(v) => v.first().map(|r| r.to_f64()),
        _ => None,
    };
    let (x, y) = (rational(Tag::XResolution)?, rational(Tag::YResolution)?);
    let unit = exif
        .get_field(Tag::ResolutionUnit, In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        .unwrap_or(2);
    let unit = match unit {
        2 => Unit::Inch,
        3 => Unit::Centimetre,
        _ => return Some(Err("the EXIF header gives no resolution unit".into())),
    };
    Some(
        Resolution::new(x, y, unit, "EXIF")
            .ok_or_else(|| "the EXIF resolution is not positive".into()),
    )
}

/// JFIF and EXIF agree, or only one states it; two that disagree are not
/// guessed between.
fn resolution(segs: &Segments) -> Result<Resolution, String> {
    let exif = segs.exif.as_deref().and_then(exif_resolution);
    match (segs.jfif.clone(), exif) {
        (Some(Ok(j)), Some(Ok(e))) if (j.dpi() - e.dpi()).abs() > 0.5 => Err(format!(
            "the JPEG states two resolutions: {} (JFIF) and {} (EXIF)",
            j.words(),
            e.words()
        )),
        (Some(Ok(j)), _) => Ok(j),
        (_, Some(Ok(e))) => Ok(e),
        (Some(Err(j)), _) => Err(j),
        (None, Some(Err(e))) => Err(e),
        (None, None) => {
            Err("the JPEG states no resolution (no JFIF density, no EXIF resolution)".into())
        }
    }
}

/// 1 component: Gray; 3: RGB (coded as YCbCr or RGB); 4: CMYK (coded as
/// CMYK or, with Adobe's transform, YCCK).
fn color_space(components: u8) -> Option<String> {
    let name = match components {
        1 => "Gray",
        3 => "RGB",
        4 => "CMYK",
        _ => return None,
    };
    Some(name.to_string())
}

/// The ICC profile from its chunks, in sequence order.
fn icc_profile(chunks: &[(u8, Vec<u8>)]) -> Option<Result<icc::IccInfo, String>> {
    if chunks.is_empty() {
        return None;
    }
    let mut sorted: Vec<&(u8, Vec<u8>)> = chunks.iter().collect();
    sorted.sort_by_key(|(seq, _)| *seq);
    let bytes: Vec<u8> = sorted.iter().flat_map(|(_, b)| b.iter().copied()).collect();
    Some(icc::parse(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// SOI, a JFIF APP0 at 72 dpi, a 1920x1080 3-component baseline SOF0.
    fn header() -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        b.extend_from_slice(b"JFIF\0\x01\x01\x01\x00\x48\x00\x48\x00\x00");
        b.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 8, 0x04, 0x38, 0x07, 0x80, 3]);
        b.extend_from_slice(&[1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        b
    }

    #[test]
    fn walks_to_the_frame_header() {
        let segs = walk(&mut Cursor::new(header())).unwrap();
        let f = segs.frame.unwrap();
        assert_eq!(
            (f.width, f.height, f.components, f.precision),
            (1920, 1080, 3, 8)
        );
        assert_eq!(segs.jfif.unwrap().unwrap().dpi(), 72.0);
    }

    #[test]
    fn damaged_headers_say_where() {
        let mut junk = header();
        junk[2] = 0x00;
        let e = walk(&mut Cursor::new(junk)).err().unwrap();
        assert!(e.words().contains("offset 2"), "{e:?}");
        let mut short = header();
        short[5] = 1;
        let e = walk(&mut Cursor::new(short)).err().unwrap();
        assert!(e.words().contains("has length 1"), "{e:?}");
        let cut = header()[..12].to_vec();
        let e = walk(&mut Cursor::new(cut)).err().unwrap();
        assert!(e.words().contains("cut short"), "{e:?}");
    }
}
