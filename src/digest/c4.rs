//! C4 ids (SMPTE ST 2114): SHA-512, base58 with the bitcoin alphabet, left-padded with '1' to 88 characters, prefixed `c4`.

/// Characters of the base58 part of a C4 id.
const C4_BASE58_LEN: usize = 88;

/// The C4 id of `bytes` (90 characters), as ASC MHL writes for chain and
/// generation files.
pub fn c4_of_bytes(bytes: &[u8]) -> String {
    c4_of_sha512(ring::digest::digest(&ring::digest::SHA512, bytes).as_ref())
}

/// The C4 id of a SHA-512 digest.
pub(super) fn c4_of_sha512(sha512: &[u8]) -> String {
    // base58 of the digest as one big-endian number: bs58 writes one '1'
    // per leading zero byte, which is the same number, and 58^88 > 2^512
    // so the padding below never truncates.
    let b58 = bs58::encode(sha512).into_string();
    let digits = b58.trim_start_matches('1');
    let mut id = String::with_capacity(2 + C4_BASE58_LEN);
    id.push_str("c4");
    id.extend(std::iter::repeat_n('1', C4_BASE58_LEN - digits.len()));
    id.push_str(digits);
    id
}
