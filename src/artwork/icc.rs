//! An embedded ICC profile's header (data colour space, version) and its
//! description (`desc` tag: ICC v2 `desc` text or v4 `mluc` Unicode), read
//! from the profile's bytes with every offset checked against its length.

/// What an ICC profile says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IccInfo {
    /// The profile's description (`sRGB IEC61966-2.1`), when it has one.
    pub description: Option<String>,
    /// The data colour space of its header (`RGB`, `GRAY`, `CMYK`, `Lab`).
    pub color_space: String,
    /// Its version (`2.1`, `4.3`).
    pub version: String,
}

impl IccInfo {
    /// The description, else words saying the profile has none.
    pub fn words(&self) -> String {
        match &self.description {
            Some(d) => d.clone(),
            None => format!("an ICC {} profile without a description", self.color_space),
        }
    }
}

/// Reads `bytes` as an ICC profile; `Err` says why it is not one.
pub fn parse(bytes: &[u8]) -> Result<IccInfo, String> {
    if bytes.len() < 132 || &bytes[36..40] != b"acsp" {
        return Err("the embedded ICC profile is damaged (no `acsp` header)".into());
    }
    let color_space = String::from_utf8_lossy(&bytes[16..20]).trim().to_string();
    let version = format!("{}.{}", bytes[8], bytes[9] >> 4);
    Ok(IccInfo {
        description: description(bytes),
        color_space,
        version,
    })
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

/// The `desc` tag's text.
fn description(bytes: &[u8]) -> Option<String> {
    let count = be32(bytes, 128)? as usize;
    for i in 0..count.min(1024) {
        let entry = 132 + i * 12;
        if bytes.get(entry..entry + 4)? != b"desc" {
            continue;
        }
        let offset = be32(bytes, entry + 4)? as usize;
        let size = be32(bytes, entry + 8)? as usize;
        let tag = bytes.get(offset..offset.checked_add(size)?)?;
        return match tag.get(0..4)? {
            b"desc" => text_description(tag),
            b"mluc" => multi_localized(tag),
            _ => None,
        };
    }
    None
}

/// ICC v2 `textDescriptionType`: a count, then ASCII ending in NUL.
fn text_description(tag: &[u8]) -> Option<String> {
    let n = be32(tag, 8)? as usize;
    let text = tag.get(12..12usize.checked_add(n)?)?;
    let text = text.split(|b| *b == 0).next()?;
    clean(String::from_utf8_lossy(text).into_owned())
}

/// ICC v4 `multiLocalizedUnicodeType`: the English record, else the first.
fn multi_localized(tag: &[u8]) -> Option<String> {
    let records = be32(tag, 8)? as usize;
    let record_size = be32(tag, 12)? as usize;
    if record_size < 12 {
        return None;
    }
    let record = |i: usize| -> Option<(&[u8], String)> {
        let at = 16 + i.checked_mul(record_size)?;
        let lang = tag.get(at..at + 2)?;
        let len = be32(tag, at + 4)? as usize;
        let off = be32(tag, at + 8)? as usize;
        let raw = tag.get(off..off.checked_add(len)?)?;
        let units: Vec<u16> = raw
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        Some((lang, String::from_utf16_lossy(&units)))
    };
    let all: Vec<_> = (0..records.min(256)).filter_map(record).collect();
    let pick = all
        .iter()
        .find(|(lang, _)| *lang == b"en")
        .or_else(|| all.first())?;
    clean(pick.1.clone())
}

fn clean(s: String) -> Option<String> {
    let s = s.trim_end_matches('\0').trim().to_string();
    (!s.is_empty()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal profile with one `desc` tag of `tag` bytes.
    fn profile(space: &[u8; 4], tag: &[u8]) -> Vec<u8> {
        let mut p = vec![0u8; 132];
        p[8] = 4;
        p[9] = 0x30;
        p[16..20].copy_from_slice(space);
        p[36..40].copy_from_slice(b"acsp");
        p[128..132].copy_from_slice(&1u32.to_be_bytes());
        let offset = 144u32;
        p.extend_from_slice(b"desc");
        p.extend_from_slice(&offset.to_be_bytes());
        p.extend_from_slice(&(tag.len() as u32).to_be_bytes());
        p.extend_from_slice(tag);
        p
    }

    #[test]
    fn reads_v2_and_v4_descriptions() {
        let mut v2 = b"desc\0\0\0\0".to_vec();
        v2.extend_from_slice(&5u32.to_be_bytes());
        v2.extend_from_slice(b"sRGB\0");
        let info = parse(&profile(b"RGB ", &v2)).unwrap();
        assert_eq!(info.description.as_deref(), Some("sRGB"));
        assert_eq!(
            (info.color_space.as_str(), info.version.as_str()),
            ("RGB", "4.3")
        );

        let text: Vec<u8> = "Gray γ"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        let mut v4 = b"mluc\0\0\0\0".to_vec();
        v4.extend_from_slice(&1u32.to_be_bytes());
        v4.extend_from_slice(&12u32.to_be_bytes());
        v4.extend_from_slice(b"enUS");
        v4.extend_from_slice(&(text.len() as u32).to_be_bytes());
        v4.extend_from_slice(&28u32.to_be_bytes());
        v4.extend_from_slice(&text);
        let info = parse(&profile(b"GRAY", &v4)).unwrap();
        assert_eq!(info.description.as_deref(), Some("Gray γ"));
    }

    #[test]
    fn hostile_offsets_give_no_description() {
        let mut p = profile(b"RGB ", b"desc");
        p[136..140].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(parse(&p).unwrap().description, None);
        assert!(parse(b"not a profile").is_err());
    }
}
