//! Checksum sidecars and lists as `sha256sum`/`md5sum` write and read them: `HASH  PATH`, `HASH *PATH`, BSD `ALGO (PATH) = HASH`, and a bare `HASH` in `FILE.md5`.
//!
//! Paths are exact bytes ([`RelPath`]). A line that names a path containing
//! a backslash, a newline or a carriage return starts with `\` and escapes
//! those as `\\`, `\n`, `\r`, as GNU coreutils does; [`format_line`] writes
//! that form and [`parse`] reads it back, so the round trip is exact.

use super::Algo;
use crate::paths::RelPath;
use std::path::Path;

/// One checksum line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SidecarEntry {
    /// 1-based line number in the sidecar.
    pub line: usize,
    /// The algorithm (from the BSD tag, the sidecar's name, or the digest's length).
    pub algo: Algo,
    /// The digest as written, lowercased when hex (c4 ids are case-sensitive).
    pub digest: String,
    /// The path as written (relative to the sidecar's folder unless absolute);
    /// `None` for a bare digest, which names the file the sidecar is named
    /// after (`clip.wav.md5` → `clip.wav`).
    pub path: Option<RelPath>,
}

/// A line that is not a checksum line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct LineError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// A parsed sidecar: its checksum lines, and every line that is not one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sidecar {
    /// Checksum lines, in file order.
    pub entries: Vec<SidecarEntry>,
    /// Lines that could not be read, with line numbers (comment lines
    /// starting with `#` and blank lines are not errors).
    pub errors: Vec<LineError>,
}

/// The algorithm a sidecar's file name implies: `x.md5`, `MD5SUMS`,
/// `SHA256SUMS`, `x.sha256sum`, `x.xxh128` …; `None` when it implies none.
pub fn algo_from_file_name(path: &Path) -> Option<Algo> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    let stem = name
        .rsplit_once('.')
        .map_or(name.as_str(), |(_, ext)| ext)
        .trim_end_matches("sums")
        .trim_end_matches("sum");
    stem.parse().ok()
}

/// Reads every line of `bytes`. Untagged lines take `hint`'s algorithm (from
/// the sidecar's name or the user); without a hint, the digest's length
/// decides when only one algorithm has it (64 → sha256, 40 → sha1, 90 →
/// c4); lengths that two algorithms share (32: md5/xxh128, 16: xxh64/xxh3)
/// are errors that say so.
pub fn parse(bytes: &[u8], hint: Option<Algo>) -> Sidecar {
    let mut out = Sidecar::default();
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line.iter().all(u8::is_ascii_whitespace) || line.starts_with(b"#") {
            continue;
        }
        match parse_line(line, hint) {
            Ok((algo, digest, path)) => out.entries.push(SidecarEntry {
                line: i + 1,
                algo,
                digest,
                path,
            }),
            Err(message) => out.errors.push(LineError {
                line: i + 1,
                message,
            }),
        }
    }
    if out.entries.is_empty() && out.errors.is_empty() {
        out.errors.push(LineError {
            line: 1,
            message: "no checksum lines".into(),
        });
    }
    out
}

type Parsed = (Algo, String, Option<RelPath>);

fn parse_line(line: &[u8], hint: Option<Algo>) -> Result<Parsed, String> {
    let (escaped, body) = match line.strip_prefix(b"\\") {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    if let Some(parsed) = parse_tagged(body, escaped)? {
        return Ok(parsed);
    }
    parse_untagged(body, escaped, hint)
}

/// `ALGO (PATH) = DIGEST`; `Ok(None)` when the line is not in that form.
fn parse_tagged(body: &[u8], escaped: bool) -> Result<Option<Parsed>, String> {
    let Some(open) = body.windows(2).position(|w| w == b" (") else {
        return Ok(None);
    };
    let Some(close) = body.windows(4).rposition(|w| w == b") = ") else {
        return Ok(None);
    };
    let tag = &body[..open];
    if close < open + 2 || !tag.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-') {
        return Ok(None);
    }
    let tag = String::from_utf8_lossy(tag);
    let algo = tag_algo(&tag).ok_or_else(|| format!("unknown digest algorithm {tag:?}"))?;
    let path = unescape(&body[open + 2..close], escaped)?;
    let digest = check_digest(&body[close + 4..], algo)?;
    Ok(Some((algo, digest, Some(path))))
}

/// `DIGEST  PATH`, `DIGEST *PATH`, or a bare `DIGEST`.
fn parse_untagged(body: &[u8], escaped: bool, hint: Option<Algo>) -> Result<Parsed, String> {
    let end = body.iter().position(|&b| b == b' ').unwrap_or(body.len());
    let digest = &body[..end];
    let algo = match hint {
        Some(a) => a,
        None => algo_by_length(digest.len())?,
    };
    let digest = check_digest(digest, algo)?;
    if end == body.len() {
        if escaped {
            return Err("a line starting with \\ must name a path".into());
        }
        return Ok((algo, digest, None));
    }
    let rest = &body[end + 1..];
    let name = match rest.first() {
        Some(b' ') | Some(b'*') => &rest[1..],
        _ => return Err("expected two spaces (or \" *\") between the digest and the path".into()),
    };
    if name.is_empty() {
        return Err("the path is empty".into());
    }
    Ok((algo, digest, Some(unescape(name, escaped)?)))
}

fn algo_by_length(len: usize) -> Result<Algo, String> {
    match len {
        64 => Ok(Algo::Sha256),
        40 => Ok(Algo::Sha1),
        90 => Ok(Algo::C4),
        32 => Err("a 32-character digest may be md5 or xxh128: name the algorithm (--algo, or the sidecar's extension)".into()),
        16 => Err("a 16-character digest may be xxh64 or xxh3: name the algorithm (--algo, or the sidecar's extension)".into()),
        _ => Err(format!("not a checksum line (a {len}-character first word is no digest signoff knows)")),
    }
}

/// The algorithm of a BSD tag as coreutils and others write it (`SHA256`,
/// `MD5`, `SHA1`, `XXH128`, `XXH3`, `XXH64`, `C4`).
fn tag_algo(tag: &str) -> Option<Algo> {
    match tag.to_ascii_lowercase().as_str() {
        "sha-256" | "sha2-256" => Some(Algo::Sha256),
        "sha-1" => Some(Algo::Sha1),
        "xxh3-128" | "xxh3_128" => Some(Algo::Xxh128),
        t => t.parse().ok(),
    }
}

/// The tag [`format_tagged`] writes: the name in capitals (`SHA256`).
pub fn tag_of(algo: Algo) -> String {
    algo.name().to_ascii_uppercase()
}

fn check_digest(digest: &[u8], algo: Algo) -> Result<String, String> {
    let text = std::str::from_utf8(digest).map_err(|_| "the digest is not text".to_string())?;
    let ok = if algo == Algo::C4 {
        text.len() == 90 && text.starts_with("c4") && text[2..].bytes().all(is_base58)
    } else {
        text.len() == algo.digest_len() && text.bytes().all(|b| b.is_ascii_hexdigit())
    };
    if !ok {
        return Err(format!(
            "{text:?} is not a {} digest ({} characters expected)",
            algo.name(),
            algo.digest_len()
        ));
    }
    Ok(if algo == Algo::C4 {
        text.to_string()
    } else {
        text.to_ascii_lowercase()
    })
}

fn is_base58(b: u8) -> bool {
    b.is_ascii_alphanumeric() && !matches!(b, b'0' | b'O' | b'I' | b'l')
}

fn unescape(name: &[u8], escaped: bool) -> Result<RelPath, String> {
    if !escaped {
        return Ok(RelPath::from_bytes(name));
    }
    let mut out = Vec::with_capacity(name.len());
    let mut it = name.iter();
    while let Some(&b) = it.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match it.next() {
            Some(b'\\') => out.push(b'\\'),
            Some(b'n') => out.push(b'\n'),
            Some(b'r') => out.push(b'\r'),
            _ => return Err("invalid escape in the path (only \\\\, \\n and \\r)".into()),
        }
    }
    Ok(RelPath::from_bytes(out))
}

/// Whether a path must be written escaped (it has `\`, LF or CR).
fn needs_escape(path: &[u8]) -> bool {
    path.iter().any(|b| matches!(b, b'\\' | b'\n' | b'\r'))
}

fn escape_into(path: &[u8], out: &mut Vec<u8>) {
    for &b in path {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}

/// The `sha256sum` line `DIGEST  PATH\n` (escaped as coreutils does when
/// the path needs it), as bytes: paths are written exactly.
pub fn format_line(digest: &str, path: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(digest.len() + path.len() + 4);
    let escaped = needs_escape(path);
    if escaped {
        out.push(b'\\');
    }
    out.extend_from_slice(digest.as_bytes());
    out.extend_from_slice(b"  ");
    if escaped {
        escape_into(path, &mut out);
    } else {
        out.extend_from_slice(path);
    }
    out.push(b'\n');
    out
}

/// The BSD-style line `ALGO (PATH) = DIGEST\n` as `sha256sum --tag` writes it.
pub fn format_tagged(algo: Algo, digest: &str, path: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(digest.len() + path.len() + 16);
    let escaped = needs_escape(path);
    if escaped {
        out.push(b'\\');
    }
    out.extend_from_slice(tag_of(algo).as_bytes());
    out.extend_from_slice(b" (");
    if escaped {
        escape_into(path, &mut out);
    } else {
        out.extend_from_slice(path);
    }
    out.extend_from_slice(b") = ");
    out.extend_from_slice(digest.as_bytes());
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const MD5: &str = "d41d8cd98f00b204e9800998ecf8427e";

    #[test]
    fn gnu_lines_round_trip_with_escapes_and_raw_bytes() {
        for path in [
            &b"a b.wav"[..],
            b"back\\slash",
            b"new\nline",
            b"cr\r",
            b"bad\xff.wav",
        ] {
            for line in [
                format_line(SHA, path),
                format_tagged(Algo::Sha256, SHA, path),
            ] {
                let s = parse(&line, None);
                assert!(s.errors.is_empty(), "{:?}", s.errors);
                assert_eq!(s.entries[0].path.as_ref().unwrap().as_bytes(), path);
                assert_eq!(s.entries[0].digest, SHA);
            }
        }
    }

    #[test]
    fn hint_binary_marker_bare_digest_comments_and_crlf() {
        let text = format!("# list\r\n{MD5} *a.wav\r\n\r\n{}\n", MD5.to_uppercase());
        let s = parse(text.as_bytes(), Some(Algo::Md5));
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        assert_eq!(s.entries.len(), 2);
        assert_eq!(s.entries[0].line, 2);
        assert_eq!(s.entries[0].path, Some(RelPath::from_bytes("a.wav")));
        assert_eq!(s.entries[1].path, None);
        assert_eq!(s.entries[1].digest, MD5);
    }

    #[test]
    fn errors_carry_line_numbers() {
        let text = format!("{SHA}  ok.wav\nnot a checksum\n{MD5}  x\n{SHA} x\n");
        let s = parse(text.as_bytes(), None);
        assert_eq!(s.entries.len(), 1);
        let lines: Vec<usize> = s.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 3, 4]);
        assert!(s.errors[1].message.contains("md5 or xxh128"));
        assert!(parse(b"", None).errors[0].message.contains("no checksum"));
    }

    #[test]
    fn names_imply_algorithms() {
        let a = |n: &str| algo_from_file_name(Path::new(n));
        assert_eq!(a("clip.wav.md5"), Some(Algo::Md5));
        assert_eq!(a("SHA256SUMS"), Some(Algo::Sha256));
        assert_eq!(a("list.sha1sum"), Some(Algo::Sha1));
        assert_eq!(a("x.XXH128"), Some(Algo::Xxh128));
        assert_eq!(a("notes.txt"), None);
    }
}
