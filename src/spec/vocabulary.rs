//! The closed vocabularies of text rule keys: the only values the probe can
//! report, so that a misspelt value is refused with "did you mean" instead
//! of failing every file.
//!
//! The colour names are FFmpeg's own (`av_color_*_name`, which the probe
//! reports; tested against `ffmpeg -h filter=setparams`); scan type, field
//! order and chroma subsampling are signoff's names (src/probe/names.rs).

use super::catalogue::Field;

const SCAN_TYPES: &[&str] = &["progressive", "interlaced"];
const FIELD_ORDERS: &[&str] = &["progressive", "tff", "bff", "tb", "bt"];
const CHROMA: &[&str] = &[
    "4:4:4", "4:2:2", "4:2:0", "4:1:1", "4:1:0", "4:4:0", "4:0:0",
];
const RANGES: &[&str] = &["tv", "pc"];
const PRIMARIES: &[&str] = &[
    "bt709",
    "bt470m",
    "bt470bg",
    "smpte170m",
    "smpte240m",
    "film",
    "bt2020",
    "smpte428",
    "smpte431",
    "smpte432",
    "jedec-p22",
    "ebu3213",
];
const TRANSFERS: &[&str] = &[
    "bt709",
    "bt470m",
    "bt470bg",
    "smpte170m",
    "smpte240m",
    "linear",
    "log100",
    "log316",
    "iec61966-2-4",
    "bt1361e",
    "iec61966-2-1",
    "bt2020-10",
    "bt2020-12",
    "smpte2084",
    "smpte428",
    "arib-std-b67",
];
const MATRICES: &[&str] = &[
    "gbr",
    "bt709",
    "fcc",
    "bt470bg",
    "smpte170m",
    "smpte240m",
    "ycgco",
    "bt2020nc",
    "bt2020c",
    "smpte2085",
    "chroma-derived-nc",
    "chroma-derived-c",
    "ictcp",
    "ipt-c2",
    "ycgco-re",
    "ycgco-ro",
];

/// What people write for a value, and the name the probe reports instead.
const ALIASES: &[(&str, &str, &str)] = &[
    ("color_range", "limited", "tv"),
    ("color_range", "mpeg", "tv"),
    ("color_range", "full", "pc"),
    ("color_range", "jpeg", "pc"),
    ("color_primaries", "rec709", "bt709"),
    ("color_primaries", "rec2020", "bt2020"),
    ("color_transfer", "pq", "smpte2084"),
    ("color_transfer", "hlg", "arib-std-b67"),
    ("color_transfer", "srgb", "iec61966-2-1"),
    ("field_order", "tt", "tff"),
    ("field_order", "bb", "bff"),
];

/// The values `def` can take, when they are a closed set.
pub fn values(def: &Field) -> Option<&'static [&'static str]> {
    if def.group != "video" {
        return None;
    }
    Some(match def.key {
        "scan_type" => SCAN_TYPES,
        "field_order" => FIELD_ORDERS,
        "chroma_subsampling" => CHROMA,
        "color_range" => RANGES,
        "color_primaries" => PRIMARIES,
        "color_transfer" => TRANSFERS,
        "color_matrix" => MATRICES,
        _ => return None,
    })
}

/// Why `value` cannot be a value of `def`, with the likely intended value;
/// `None` when it is one (case-insensitively) or `def` is open-ended.
pub fn problem(def: &Field, value: &str) -> Option<String> {
    let known = values(def)?;
    let lower = value.to_ascii_lowercase();
    if known.contains(&lower.as_str()) {
        return None;
    }
    let alias = ALIASES
        .iter()
        .find(|(key, from, _)| *key == def.key && *from == lower)
        .map(|(_, _, to)| *to);
    let hint = alias.or_else(|| super::catalogue::suggest(&lower, known.iter().copied()));
    Some(match hint {
        Some(h) => format!(
            "`{value}` is not a {} signoff reads; did you mean `{h}`?",
            def.label
        ),
        None => format!(
            "`{value}` is not a {} signoff reads; known: {}",
            def.label,
            known.join(", ")
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::catalogue::lookup;

    fn problem_of(key: &str, value: &str) -> Option<String> {
        problem(&lookup("video", key).unwrap(), value)
    }

    #[test]
    fn misspelt_and_aliased_values_get_the_name_the_probe_reports() {
        let p = problem_of("scan_type", "progresive").unwrap();
        assert!(p.contains("did you mean `progressive`"), "{p}");
        let p = problem_of("color_range", "limited").unwrap();
        assert!(p.contains("did you mean `tv`"), "{p}");
        let p = problem_of("color_transfer", "PQ").unwrap();
        assert!(p.contains("did you mean `smpte2084`"), "{p}");
        let p = problem_of("chroma_subsampling", "422").unwrap();
        assert!(p.contains("known: 4:4:4"), "{p}");
        assert_eq!(
            problem_of("color_primaries", "BT709"),
            None,
            "case-insensitive"
        );
        assert_eq!(problem_of("codec", "anything"), None, "open-ended");
    }

    /// FFmpeg's own list of colour names (the values of its `setparams`
    /// filter's options) is what the probe can report: every one is known here.
    #[test]
    fn colour_names_are_ffmpegs() {
        let Ok(out) = std::process::Command::new("ffmpeg")
            .args(["-hide_banner", "-h", "filter=setparams"])
            .output()
        else {
            panic!("ffmpeg is needed for this test (setup.sh installs it)");
        };
        let text = String::from_utf8_lossy(&out.stdout);
        let mut section = "";
        let mut seen = 0;
        for line in text.lines() {
            let t = line.trim_start();
            let word = t.split_whitespace().next().unwrap_or("");
            if t.contains("<int>") {
                section = word; // an option; its values follow, indented further
                continue;
            }
            let key = match section {
                "range" => "color_range",
                "color_primaries" => "color_primaries",
                "color_trc" => "color_transfer",
                "colorspace" => "color_matrix",
                _ => continue,
            };
            if ["auto", "unknown", "unspecified"].contains(&word) || word.is_empty() {
                continue;
            }
            let def = lookup("video", key).unwrap();
            // FFmpeg's options accept the range aliases; the probe reports tv/pc.
            let reported = ALIASES
                .iter()
                .find(|(k, from, _)| *k == key && *from == word)
                .map_or(word, |(_, _, to)| *to);
            assert_eq!(problem(&def, reported), None, "{key} `{word}`");
            seen += 1;
        }
        assert!(seen > 40, "read FFmpeg's colour names ({seen})");
    }
}
