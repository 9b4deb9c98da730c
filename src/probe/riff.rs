//! WAV truncation: FFmpeg trims a WAV's duration to what is on disk, so
//! compare the `data` chunk's declared size with the bytes present.

use crate::error::{FileProblem, ProblemKind};
use std::io::Read;
use std::path::Path;

/// Bytes of the header read while looking for the `data` chunk.
const HEADER_BYTES: u64 = 1 << 20;

/// `Some(problem)` when a WAV's `data` chunk runs past the end of the file.
pub fn check_riff(path: &Path, format: &str) -> Option<FileProblem> {
    if format != "wav" {
        return None;
    }
    let file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let mut head = Vec::new();
    file.take(HEADER_BYTES).read_to_end(&mut head).ok()?;
    let (offset, declared) = data_chunk(&head)?;
    let present = len.saturating_sub(offset);
    (declared > present).then(|| {
        FileProblem::new(
            ProblemKind::Truncated,
            format!(
                "truncated: the WAV data chunk declares {declared} bytes but the file holds {present} ({:.0}% missing)",
                100.0 * (declared - present) as f64 / declared as f64
            ),
        )
    })
}

/// Offset and declared size of the `data` chunk of a RIFF/WAVE header.
/// RF64 and streaming WAVs (size 0 or 0xFFFFFFFF) are not judged.
fn data_chunk(head: &[u8]) -> Option<(u64, u64)> {
    if head.len() < 12 || &head[0..4] != b"RIFF" || &head[8..12] != b"WAVE" {
        return None;
    }
    let mut pos = 12usize;
    while pos + 8 <= head.len() {
        let id = &head[pos..pos + 4];
        let size = u32::from_le_bytes(head[pos + 4..pos + 8].try_into().ok()?);
        if id == b"data" {
            return (size != 0 && size != u32::MAX).then_some(((pos + 8) as u64, u64::from(size)));
        }
        pos = pos.checked_add(8 + size as usize + (size as usize & 1))?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav(data_size: u32) -> Vec<u8> {
        let mut v = b"RIFF\0\0\0\0WAVEfmt ".to_vec();
        v.extend_from_slice(&16u32.to_le_bytes());
        v.extend_from_slice(&[0u8; 16]);
        v.extend_from_slice(b"data");
        v.extend_from_slice(&data_size.to_le_bytes());
        v
    }

    #[test]
    fn finds_the_data_chunk() {
        assert_eq!(data_chunk(&wav(1000)), Some((44, 1000)));
        assert_eq!(data_chunk(&wav(u32::MAX)), None);
        assert_eq!(data_chunk(b"RIFX"), None);
    }
}
