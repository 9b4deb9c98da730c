//! MHL hash formats on top of `digest`: hashing bytes for directory hashes and decoding written values back to bytes.

use super::model::Format;
use crate::digest::{Algo, MultiHasher};

impl Format {
    /// The digest algorithm behind the format.
    pub fn algo(self) -> Algo {
        match self {
            Format::C4 => Algo::C4,
            Format::Md5 => Algo::Md5,
            Format::Sha1 => Algo::Sha1,
            Format::Xxh128 => Algo::Xxh128,
            Format::Xxh3 => Algo::Xxh3,
            Format::Xxh64 => Algo::Xxh64,
        }
    }
}

/// The value of `format` over `bytes`, as an MHL writes it.
pub fn hash_bytes(format: Format, bytes: &[u8]) -> String {
    let algo = format.algo();
    let mut h = MultiHasher::new(&[algo]);
    h.update(bytes);
    h.finish().remove(&algo).unwrap_or_default()
}

/// The digest bytes behind a written value (hex, or a C4 ID's base58
/// number as 64 big-endian bytes); `None` when it is not one.
pub fn value_bytes(format: Format, value: &str) -> Option<Vec<u8>> {
    match format {
        Format::C4 => {
            let digits = value.strip_prefix("c4")?.trim_start_matches('1');
            let n = bs58::decode(digits).into_vec().ok()?;
            let n = &n[n.iter().take_while(|&&b| b == 0).count()..];
            if n.len() > 64 {
                return None;
            }
            let mut out = vec![0u8; 64 - n.len()];
            out.extend_from_slice(n);
            Some(out)
        }
        _ => hex_bytes(value),
    }
}

fn hex_bytes(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Content and structure hashes of one directory from its children, as the
/// reference implementation computes them: content = hash over the sorted
/// children's content hashes (as bytes); structure = hash over the sorted
/// list of hash(UTF-8 name + child hash bytes), where a file's child hash is
/// its content hash and a directory's its structure hash.
#[derive(Debug, Default)]
pub struct DirHasher {
    content: Vec<String>,
    structure: Vec<String>,
}

impl DirHasher {
    /// Adds a file child.
    pub fn add_file(&mut self, format: Format, name: &str, content: &str) {
        self.content.push(content.to_string());
        self.structure.push(named(format, name, content));
    }

    /// Adds a directory child.
    pub fn add_dir(&mut self, format: Format, name: &str, content: &str, structure: &str) {
        self.content.push(content.to_string());
        self.structure.push(named(format, name, structure));
    }

    /// (content, structure) of the directory.
    pub fn finish(mut self, format: Format) -> (String, String) {
        (
            of_list(format, &mut self.content),
            of_list(format, &mut self.structure),
        )
    }
}

fn named(format: Format, name: &str, value: &str) -> String {
    let mut bytes = name.as_bytes().to_vec();
    bytes.extend(value_bytes(format, value).unwrap_or_default());
    hash_bytes(format, &bytes)
}

fn of_list(format: Format, list: &mut [String]) -> String {
    list.sort();
    let bytes: Vec<u8> = list
        .iter()
        .flat_map(|v| value_bytes(format, v).unwrap_or_default())
        .collect();
    hash_bytes(format, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_c4_id_decodes_to_its_sha512_bytes() {
        for data in [&b""[..], b"hello\n", &[0u8; 1000]] {
            let c4 = crate::digest::c4_of_bytes(data);
            let bytes = value_bytes(Format::C4, &c4).unwrap();
            assert_eq!(bytes.len(), 64);
            assert_eq!(crate::digest::hex(&bytes), hash_hex(data));
        }
    }

    /// SHA-512 from coreutils, the independent source.
    fn hash_hex(data: &[u8]) -> String {
        use std::io::Write;
        let mut child = std::process::Command::new("sha512sum")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("sha512sum (coreutils)");
        child.stdin.take().unwrap().write_all(data).unwrap();
        let out = child.wait_with_output().unwrap();
        String::from_utf8(out.stdout).unwrap()[..128].to_string()
    }

    #[test]
    fn hex_values_decode_and_bad_ones_do_not() {
        assert_eq!(value_bytes(Format::Xxh64, "00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(value_bytes(Format::Md5, "abc"), None);
        assert_eq!(value_bytes(Format::Md5, "zz"), None);
    }
}
