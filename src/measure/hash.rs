//! SHA-256 of a file's content: thin wrappers over [`crate::digest`] for the approval hash.

use crate::digest::{self, Algo};
use crate::error::FileProblem;
use std::io::Read;
use std::path::Path;

/// The SHA-256 of the file at `path` as lowercase hex, read-only; a file
/// that changes while it is read is a problem, never a digest. Read and
/// hashed on the calling thread: `check` already runs it on its own thread
/// beside the file's analysis, which keeps the other core busy.
pub fn sha256_file(path: &Path) -> Result<String, FileProblem> {
    digest::digest_file_with(path, &[Algo::Sha256], digest::Lanes::Inline)
        .map(|d| d.digests[&Algo::Sha256].clone())
        .map_err(|e| e.to_problem())
}

/// The SHA-256 of `bytes` in memory, as lowercase hex (no read buffer:
/// cheap for the short keys hashed once per file of a run).
pub fn sha256_bytes(bytes: &[u8]) -> String {
    let mut h = digest::MultiHasher::new(&[Algo::Sha256]);
    h.update(bytes);
    h.finish().remove(&Algo::Sha256).unwrap_or_default()
}

/// The SHA-256 of everything `reader` yields, as lowercase hex.
pub fn sha256_reader(reader: &mut impl Read) -> std::io::Result<String> {
    let d = digest::Lanes::Inline.digest(reader, &[Algo::Sha256])?;
    Ok(d.digests[&Algo::Sha256].clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        // FIPS 180-2 test vectors.
        assert_eq!(
            sha256_reader(&mut &b""[..]).unwrap(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_reader(&mut &b"abc"[..]).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha256_bytes(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha256_bytes(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn agrees_with_sha256sum_on_a_fixture() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/media/wav_stereo_24bit.wav");
        let out = std::process::Command::new("sha256sum")
            .arg(&path)
            .output()
            .expect("sha256sum (coreutils)");
        let theirs = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            sha256_file(&path).unwrap(),
            theirs.split_whitespace().next().unwrap()
        );
    }
}
