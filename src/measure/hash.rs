//! SHA-256 of a file's content, streamed in fixed-size blocks (flat memory).

use crate::error::FileProblem;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// Bytes read per block.
const BLOCK: usize = 1 << 20;

/// The SHA-256 of the file at `path` as lowercase hex, read-only.
pub fn sha256_file(path: &Path) -> Result<String, FileProblem> {
    let mut file = std::fs::File::open(path).map_err(|e| FileProblem::from_io(&e))?;
    sha256_reader(&mut file).map_err(|e| FileProblem::from_io(&e))
}

/// The SHA-256 of everything `reader` yields, as lowercase hex.
pub fn sha256_reader(reader: &mut impl Read) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; BLOCK];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
