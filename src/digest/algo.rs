//! The digest algorithms signoff computes, their names, and one streaming hasher per algorithm.

use super::{c4, hex, Digests};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// A digest algorithm. The order is the ASC MHL XSD's (c4, md5, sha1,
/// xxh128, xxh3, xxh64), with sha256 (not an MHL format) after sha1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Algo {
    /// C4 id: SHA-512, base58, `c4` prefix (90 characters).
    C4,
    /// MD5 (RFC 1321).
    Md5,
    /// SHA-1 (FIPS 180-4).
    Sha1,
    /// SHA-256 (FIPS 180-4): what approvals record.
    Sha256,
    /// XXH3-128 (the reference tool's default).
    Xxh128,
    /// XXH3-64.
    Xxh3,
    /// XXH64.
    Xxh64,
}

const ALL: [Algo; 7] = [
    Algo::C4,
    Algo::Md5,
    Algo::Sha1,
    Algo::Sha256,
    Algo::Xxh128,
    Algo::Xxh3,
    Algo::Xxh64,
];

impl Algo {
    /// The lowercase name (`sha256`, `xxh128`, `c4` …), as the ASC MHL
    /// element and the `--algo` value.
    pub fn name(self) -> &'static str {
        match self {
            Algo::C4 => "c4",
            Algo::Md5 => "md5",
            Algo::Sha1 => "sha1",
            Algo::Sha256 => "sha256",
            Algo::Xxh128 => "xxh128",
            Algo::Xxh3 => "xxh3",
            Algo::Xxh64 => "xxh64",
        }
    }

    /// Every algorithm, in order.
    pub fn all() -> &'static [Algo] {
        &ALL
    }

    /// Whether ASC MHL v2.0 has an element for this algorithm.
    pub fn in_mhl(self) -> bool {
        self != Algo::Sha256
    }

    /// Relative CPU cost per byte (SHA-256 = 10), to spread hashers over
    /// threads; the fast non-cryptographic hashes are nearly free.
    pub(super) fn cost(self) -> u32 {
        match self {
            Algo::C4 => 16,
            Algo::Md5 => 18,
            Algo::Sha1 => 8,
            Algo::Sha256 => 10,
            Algo::Xxh128 | Algo::Xxh3 | Algo::Xxh64 => 1,
        }
    }

    /// The length of a digest in characters (hex, or the c4 id).
    pub fn digest_len(self) -> usize {
        match self {
            Algo::C4 => 90,
            Algo::Md5 | Algo::Xxh128 => 32,
            Algo::Sha1 => 40,
            Algo::Sha256 => 64,
            Algo::Xxh3 | Algo::Xxh64 => 16,
        }
    }
}

impl std::fmt::Display for Algo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// An algorithm name signoff does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown digest algorithm {given:?}: choose from c4, md5, sha1, sha256, xxh128, xxh3, xxh64"
)]
pub struct ParseAlgoError {
    /// What was given.
    pub given: String,
}

impl FromStr for Algo {
    type Err = ParseAlgoError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ALL.iter()
            .copied()
            .find(|a| a.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| ParseAlgoError {
                given: s.to_string(),
            })
    }
}

/// One streaming hasher. XXH3-64 and XXH3-128 share one state (the same
/// accumulation, two finalisations).
pub(super) enum Hasher {
    C4(Box<sha2::Sha512>),
    Md5(md5::Md5),
    Sha1(sha1::Sha1),
    Sha256(sha2::Sha256),
    Xxh3(Box<xxhash_rust::xxh3::Xxh3>),
    Xxh64(xxhash_rust::xxh64::Xxh64),
}

impl Hasher {
    /// The hashers that together compute `algos` (sorted, no duplicates).
    pub(super) fn for_algos(algos: &[Algo]) -> Vec<Hasher> {
        use sha2::Digest;
        let mut out = Vec::new();
        let mut xxh3 = false;
        for a in algos {
            let h = match a {
                Algo::C4 => Hasher::C4(Box::default()),
                Algo::Md5 => Hasher::Md5(md5::Md5::new()),
                Algo::Sha1 => Hasher::Sha1(sha1::Sha1::new()),
                Algo::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
                Algo::Xxh128 | Algo::Xxh3 if xxh3 => continue,
                Algo::Xxh128 | Algo::Xxh3 => {
                    xxh3 = true;
                    Hasher::Xxh3(Box::default())
                }
                Algo::Xxh64 => Hasher::Xxh64(xxhash_rust::xxh64::Xxh64::new(0)),
            };
            out.push(h);
        }
        out
    }

    pub(super) fn update(&mut self, bytes: &[u8]) {
        use sha2::Digest;
        match self {
            Hasher::C4(h) => h.update(bytes),
            Hasher::Md5(h) => h.update(bytes),
            Hasher::Sha1(h) => h.update(bytes),
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Xxh3(h) => h.update(bytes),
            Hasher::Xxh64(h) => h.update(bytes),
        }
    }

    /// Writes this hasher's digests (those of `algos` it computes) to `out`.
    pub(super) fn finish_into(self, algos: &[Algo], out: &mut Digests) {
        use sha2::Digest;
        match self {
            Hasher::C4(h) => {
                out.insert(Algo::C4, c4::c4_of_sha512(&h.finalize()));
            }
            Hasher::Md5(h) => {
                out.insert(Algo::Md5, hex(&h.finalize()));
            }
            Hasher::Sha1(h) => {
                out.insert(Algo::Sha1, hex(&h.finalize()));
            }
            Hasher::Sha256(h) => {
                out.insert(Algo::Sha256, hex(&h.finalize()));
            }
            Hasher::Xxh3(h) => {
                if algos.contains(&Algo::Xxh128) {
                    out.insert(Algo::Xxh128, format!("{:032x}", h.digest128()));
                }
                if algos.contains(&Algo::Xxh3) {
                    out.insert(Algo::Xxh3, format!("{:016x}", h.digest()));
                }
            }
            Hasher::Xxh64(h) => {
                out.insert(Algo::Xxh64, format!("{:016x}", h.digest()));
            }
        }
    }
}
