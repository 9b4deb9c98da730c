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

/// One streaming hasher. SHA-1, SHA-256 and SHA-512 (for c4) are ring's
/// (BoringSSL's assembly, SHA extensions where the CPU has them); XXH3 and
/// XXH64 are twox-hash's (AVX2 chosen at run time); MD5 is md-5's.
pub(super) enum Hasher {
    Ring(Algo, Box<ring::digest::Context>),
    Md5(md5::Md5),
    Xxh3(Box<twox_hash::XxHash3_64>),
    Xxh128(Box<twox_hash::XxHash3_128>),
    Xxh64(twox_hash::XxHash64),
}

impl Hasher {
    /// The hashers that together compute `algos` (sorted, no duplicates).
    pub(super) fn for_algos(algos: &[Algo]) -> Vec<Hasher> {
        use md5::Digest;
        use ring::digest::{Context, SHA1_FOR_LEGACY_USE_ONLY, SHA256, SHA512};
        algos
            .iter()
            .map(|&a| match a {
                Algo::C4 => Hasher::Ring(a, Box::new(Context::new(&SHA512))),
                Algo::Md5 => Hasher::Md5(md5::Md5::new()),
                Algo::Sha1 => Hasher::Ring(a, Box::new(Context::new(&SHA1_FOR_LEGACY_USE_ONLY))),
                Algo::Sha256 => Hasher::Ring(a, Box::new(Context::new(&SHA256))),
                Algo::Xxh128 => Hasher::Xxh128(Box::default()),
                Algo::Xxh3 => Hasher::Xxh3(Box::default()),
                Algo::Xxh64 => Hasher::Xxh64(twox_hash::XxHash64::with_seed(0)),
            })
            .collect()
    }

    pub(super) fn update(&mut self, bytes: &[u8]) {
        use std::hash::Hasher as _;
        match self {
            Hasher::Ring(_, h) => h.update(bytes),
            Hasher::Md5(h) => md5::Digest::update(h, bytes),
            Hasher::Xxh3(h) => h.write(bytes),
            Hasher::Xxh128(h) => h.write(bytes),
            Hasher::Xxh64(h) => h.write(bytes),
        }
    }

    /// Writes this hasher's digest to `out`.
    pub(super) fn finish_into(self, out: &mut Digests) {
        use std::hash::Hasher as _;
        let (algo, digest) = match self {
            Hasher::Ring(Algo::C4, h) => (Algo::C4, c4::c4_of_sha512(h.finish().as_ref())),
            Hasher::Ring(a, h) => (a, hex(h.finish().as_ref())),
            Hasher::Md5(h) => (Algo::Md5, hex(&md5::Digest::finalize(h))),
            Hasher::Xxh3(h) => (Algo::Xxh3, format!("{:016x}", h.finish())),
            Hasher::Xxh128(h) => (Algo::Xxh128, format!("{:032x}", h.finish_128())),
            Hasher::Xxh64(h) => (Algo::Xxh64, format!("{:016x}", h.finish())),
        };
        out.insert(algo, digest);
    }
}
