//! Paths as identities: a file of a delivery is named by the exact bytes of
//! its path relative to the root ([`RelPath`]), never by a lossy conversion,
//! so `a\b.wav`, `a/b.wav` and two names differing only in invalid UTF-8
//! bytes stay different files in the cache, the ledger, the plan matching,
//! the board and every approval.
//!
//! People see [`RelPath::display`]: the name as text, with a literal `\`
//! written `\\` and each byte that is not UTF-8 written `\xNN`. That form is
//! injective (two different paths never display alike) and reversible
//! ([`RelPath::parse_display`]), so it can key a JSON object; beside it, JSON
//! gives `path_hex` (the raw bytes in hex) whenever the display differs from
//! the name itself.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::ffi::OsStr;
use std::fmt;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// Serialises a path as (lossy) UTF-8 text; serde's own impl fails on
/// non-UTF-8 names, which would lose the whole document.
pub fn lossy<S: Serializer>(path: &Path, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&path.to_string_lossy())
}

/// A path relative to the delivery root, kept as its raw bytes (`/`-separated,
/// as the file system gives it on Unix). Equality, order and hashing are on
/// the bytes.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct RelPath(Vec<u8>);

impl RelPath {
    /// From the raw bytes.
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Self {
        RelPath(bytes.into())
    }

    /// From a path, byte for byte.
    pub fn from_path(path: &Path) -> Self {
        RelPath(path.as_os_str().as_bytes().to_vec())
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// As a path (exact; for joining with the root and for glob matching).
    pub fn as_path(&self) -> &Path {
        Path::new(OsStr::from_bytes(&self.0))
    }

    /// The name for people and for JSON keys: UTF-8 text as it is, `\` as
    /// `\\`, every byte that is not UTF-8 as `\xNN`. Injective. Control
    /// characters are left for the terminal escaper.
    pub fn display(&self) -> String {
        let mut out = String::with_capacity(self.0.len());
        for chunk in self.0.utf8_chunks() {
            for c in chunk.valid().chars() {
                if c == '\\' {
                    out.push_str("\\\\");
                } else {
                    out.push(c);
                }
            }
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
        out
    }

    /// Reads back a [`RelPath::display`] form; `None` when it is not one.
    pub fn parse_display(s: &str) -> Option<Self> {
        let mut out = Vec::with_capacity(s.len());
        let bytes = s.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] != b'\\' {
                out.push(bytes[i]);
                i += 1;
                continue;
            }
            match bytes.get(i + 1) {
                Some(b'\\') => {
                    out.push(b'\\');
                    i += 2;
                }
                Some(b'x') => {
                    let hex = s.get(i + 2..i + 4)?;
                    out.push(u8::from_str_radix(hex, 16).ok()?);
                    i += 4;
                }
                _ => return None,
            }
        }
        Some(RelPath(out))
    }

    /// Whether the display form is the name itself (valid UTF-8, no `\`).
    pub fn is_plain(&self) -> bool {
        std::str::from_utf8(&self.0).is_ok_and(|s| !s.contains('\\'))
    }

    /// Hex of the raw bytes.
    pub fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Hex of the raw bytes when the display form is not the name itself:
    /// the lossless form JSON gives beside `path`.
    pub fn path_hex(&self) -> Option<String> {
        (!self.is_plain()).then(|| self.hex())
    }

    /// Whether this path lies in folder `dir` (itself relative; empty = root).
    pub fn is_under(&self, dir: &RelPath) -> bool {
        dir.0.is_empty()
            || self.0 == dir.0
            || (self.0.starts_with(&dir.0) && self.0.get(dir.0.len()) == Some(&b'/'))
    }
}

impl fmt::Debug for RelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.display())
    }
}

impl fmt::Display for RelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl From<&str> for RelPath {
    fn from(s: &str) -> Self {
        RelPath(s.as_bytes().to_vec())
    }
}

impl PartialEq<&str> for RelPath {
    /// Whether the path is exactly the bytes of `other`.
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl From<&Path> for RelPath {
    fn from(p: &Path) -> Self {
        RelPath::from_path(p)
    }
}

impl Serialize for RelPath {
    /// The display form (see [`RelPath::display`]); a field beside it gives
    /// [`RelPath::path_hex`].
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.display())
    }
}

impl<'de> Deserialize<'de> for RelPath {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        RelPath::parse_display(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("not a displayed path: {s}")))
    }
}

/// Serialises a map keyed by [`RelPath`] as a list of entries
/// `{ path, path_hex?, <value_key>: value }` (a JSON object cannot hold the
/// raw bytes as keys).
pub fn entries<V: Serialize>(
    map: &std::collections::BTreeMap<RelPath, V>,
    value_key: &'static str,
) -> Vec<serde_json::Value> {
    map.iter()
        .map(|(p, v)| {
            let mut o = serde_json::Map::new();
            o.insert("path".into(), serde_json::Value::String(p.display()));
            if let Some(h) = p.path_hex() {
                o.insert("path_hex".into(), serde_json::Value::String(h));
            }
            o.insert(
                value_key.into(),
                serde_json::to_value(v).unwrap_or(serde_json::Value::Null),
            );
            serde_json::Value::Object(o)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_injective_and_reversible() {
        let names: [&[u8]; 6] = [
            b"a\\b.wav",
            b"a/b.wav",
            b"x\xe9.wav",
            b"x\xe8.wav",
            b"x\\xe9.wav",
            b"plain.wav",
        ];
        let shown: Vec<String> = names
            .iter()
            .map(|n| RelPath::from_bytes(*n).display())
            .collect();
        assert_eq!(
            shown,
            [
                "a\\\\b.wav",
                "a/b.wav",
                "x\\xe9.wav",
                "x\\xe8.wav",
                "x\\\\xe9.wav",
                "plain.wav"
            ]
        );
        for n in names {
            let p = RelPath::from_bytes(n);
            assert_eq!(RelPath::parse_display(&p.display()), Some(p));
        }
        assert_eq!(RelPath::from_bytes(*b"plain.wav").path_hex(), None);
        assert_eq!(
            RelPath::from_bytes(*b"a\\b").path_hex().as_deref(),
            Some("615c62")
        );
    }

    #[test]
    fn under_a_folder_means_inside_it() {
        let p = RelPath::from("audio/a.wav");
        assert!(p.is_under(&RelPath::from("audio")));
        assert!(p.is_under(&RelPath::from("")));
        assert!(!p.is_under(&RelPath::from("aud")));
        assert!(!RelPath::from("audio2/a.wav").is_under(&RelPath::from("audio")));
    }
}
