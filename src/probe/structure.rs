//! Container structure checks that FFmpeg does not make: a MOV/MP4 whose
//! top-level boxes run past the end of the file (cut inside its index or its
//! media data), and an MXF whose header points to a footer partition beyond
//! the end of the file (cut before its end).
//!
//! Both read a few bytes per top-level structure, never the essence, so
//! the cost does not grow with the file's size.

use crate::error::{FileProblem, ProblemKind};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Top-level boxes walked at most (a fragmented MP4 has two per fragment).
const MAX_BOXES: usize = 1_000_000;
/// Bytes searched for the MXF header partition (the run-in is at most 64 KiB).
const MXF_RUN_IN: usize = 65_536 + 16;
/// The first 13 bytes of every MXF partition pack key.
const MXF_PARTITION: [u8; 13] = [
    0x06, 0x0e, 0x2b, 0x34, 0x02, 0x05, 0x01, 0x01, 0x0d, 0x01, 0x02, 0x01, 0x01,
];

/// `Some(problem)` when the container's own structure says the file is cut.
/// `ffmpeg_format` is FFmpeg's demuxer name.
pub fn check_structure(path: &Path, ffmpeg_format: &str) -> Option<FileProblem> {
    let mut file = File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    if ffmpeg_format.starts_with("mov,") {
        check_boxes(&mut file, len)
    } else if ffmpeg_format == "mxf" {
        check_mxf(&mut file, len)
    } else {
        None
    }
}

/// Walks the top-level ISO BMFF boxes; a box that claims more bytes than
/// the file holds means the file was cut.
fn check_boxes(file: &mut (impl Read + Seek), len: u64) -> Option<FileProblem> {
    let mut pos = 0u64;
    for _ in 0..MAX_BOXES {
        if pos + 8 > len {
            return None;
        }
        let mut head = [0u8; 16];
        file.seek(SeekFrom::Start(pos)).ok()?;
        let got = read_up_to(file, &mut head)?;
        let kind = &head[4..8];
        if !kind.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
            return None; // not a box: not ours to judge
        }
        let size = match u32::from_be_bytes(head[0..4].try_into().ok()?) {
            0 => return None, // extends to the end of the file
            1 if got >= 16 => u64::from_be_bytes(head[8..16].try_into().ok()?),
            1 => return None,
            n => u64::from(n),
        };
        if size < 8 {
            return None;
        }
        let remaining = len - pos;
        if size > remaining {
            return Some(cut_box(kind, size, remaining));
        }
        pos += size;
    }
    None
}

fn cut_box(kind: &[u8], size: u64, remaining: u64) -> FileProblem {
    let name = String::from_utf8_lossy(kind);
    let what = match kind {
        b"moov" => "the index (`moov` box), which describes every track,".to_string(),
        b"mdat" => "the media data (`mdat` box)".to_string(),
        _ => format!("the `{name}` box"),
    };
    let lost = match kind {
        b"moov" => "; tracks described after the cut are lost",
        _ => "",
    };
    FileProblem::new(
        ProblemKind::Truncated,
        format!(
            "truncated: {what} declares {size} bytes but the file holds only {remaining} of them{lost}"
        ),
    )
}

/// The header partition's footer offset must lie inside the file.
fn check_mxf(file: &mut (impl Read + Seek), len: u64) -> Option<FileProblem> {
    let mut head = vec![0u8; MXF_RUN_IN + 128];
    file.seek(SeekFrom::Start(0)).ok()?;
    let got = read_up_to(file, &mut head)?;
    head.truncate(got);
    let start = head
        .windows(MXF_PARTITION.len())
        .take(MXF_RUN_IN)
        .position(|w| w == MXF_PARTITION)?;
    let key = &head[start..];
    // Byte 13 of the key: 0x02 header, 0x03 body, 0x04 footer partition.
    if key.len() < 17 || key[13] != 0x02 {
        return None;
    }
    let (value, _) = ber_value(&key[16..])?;
    // MajorVersion u16, MinorVersion u16, KAGSize u32, ThisPartition u64,
    // PreviousPartition u64, FooterPartition u64 (offsets from the header partition).
    let footer = u64::from_be_bytes(value.get(24..32)?.try_into().ok()?);
    if footer == 0 {
        return None; // not recorded (an open header): nothing to compare
    }
    let at = (start as u64).checked_add(footer)?;
    if at.saturating_add(16) > len {
        return Some(FileProblem::new(
            ProblemKind::Truncated,
            format!(
                "truncated: the MXF header places its footer partition at byte {at} but the file ends at byte {len} ({:.0}% of the file is missing)",
                100.0 * (at + 16 - len) as f64 / (at + 16) as f64
            ),
        ));
    }
    None
}

/// The value of a KLV packet whose BER length starts `data`, and the
/// length's own size.
fn ber_value(data: &[u8]) -> Option<(&[u8], usize)> {
    let first = *data.first()?;
    let (len, skip) = if first & 0x80 == 0 {
        (u64::from(first), 1)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 8 {
            return None;
        }
        let bytes = data.get(1..1 + n)?;
        (
            bytes.iter().fold(0u64, |v, b| v << 8 | u64::from(*b)),
            1 + n,
        )
    };
    let end = skip.checked_add(usize::try_from(len).ok()?)?;
    Some((data.get(skip..end.min(data.len()))?, skip))
}

/// Reads as much of `buf` as the file has; `None` on an I/O error.
fn read_up_to(file: &mut impl Read, buf: &mut [u8]) -> Option<usize> {
    let mut got = 0;
    while got < buf.len() {
        match file.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some(got)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn boxed(kind: &[u8; 4], payload: usize) -> Vec<u8> {
        let mut v = ((payload + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend(vec![0u8; payload]);
        v
    }

    #[test]
    fn a_cut_moov_is_truncated() {
        let mut d = boxed(b"ftyp", 12);
        d.extend(boxed(b"mdat", 100));
        d.extend(boxed(b"moov", 50));
        let whole = d.len() as u64;
        assert_eq!(check_boxes(&mut Cursor::new(&d), whole), None);
        d.truncate(d.len() - 10);
        let p = check_boxes(&mut Cursor::new(&d), d.len() as u64).unwrap();
        assert_eq!(p.kind, ProblemKind::Truncated);
        assert!(p.message.contains("`moov` box"), "{}", p.message);
        assert!(p.message.contains("58 bytes"), "{}", p.message);
    }

    #[test]
    fn a_cut_mdat_is_truncated_and_junk_is_not_judged() {
        let mut d = boxed(b"ftyp", 12);
        d.extend(boxed(b"moov", 50));
        d.extend(boxed(b"mdat", 100));
        d.truncate(d.len() - 1);
        let p = check_boxes(&mut Cursor::new(&d), d.len() as u64).unwrap();
        assert!(p.message.contains("media data"), "{}", p.message);
        let junk = vec![0xffu8; 64];
        assert_eq!(check_boxes(&mut Cursor::new(&junk), 64), None);
    }

    #[test]
    fn mxf_footer_beyond_the_end() {
        let mut d = MXF_PARTITION.to_vec();
        d.extend_from_slice(&[0x02, 0x04, 0x00]);
        d.push(0x83);
        d.extend_from_slice(&[0, 0, 88]);
        let mut value = vec![0u8; 88];
        value[24..32].copy_from_slice(&10_000u64.to_be_bytes());
        d.extend(value);
        d.resize(5_000, 0);
        let p = check_mxf(&mut Cursor::new(&d), 5_000).unwrap();
        assert_eq!(p.kind, ProblemKind::Truncated);
        assert!(p.message.contains("byte 10000"), "{}", p.message);
        d.resize(10_016, 0);
        assert_eq!(check_mxf(&mut Cursor::new(&d), 10_016), None);
    }
}
