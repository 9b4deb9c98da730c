//! Audio track layout alternatives: the file's audio streams, in order,
//! must match one of the listed layouts (by channel names, or by channel
//! counts per stream).

use super::model::LayoutAlternative;
use crate::probe::model::Stream;

/// The result of matching the file's audio streams against the alternatives.
#[derive(Debug, Clone, PartialEq)]
pub struct LayoutMatch {
    /// Name of the matching alternative, if any.
    pub matched: Option<String>,
    /// Whether the match relied on channel counts because names were missing.
    pub by_count_only: bool,
    /// The file's layout in words (`2 streams: [L R C LFE Ls Rs] [Lt Rt]`).
    pub actual: String,
}

/// The file's audio layout in words.
pub fn describe(streams: &[&Stream]) -> String {
    if streams.is_empty() {
        return "no audio streams".into();
    }
    let parts: Vec<String> = streams
        .iter()
        .map(|s| match &s.audio {
            Some(a) if !a.channel_names.is_empty() => format!("[{}]", a.channel_names.join(" ")),
            Some(a) => format!("[{} ch unlabelled]", a.channels),
            None => "[?]".into(),
        })
        .collect();
    let n = streams.len();
    format!(
        "{n} stream{}: {}",
        if n == 1 { "" } else { "s" },
        parts.join(" ")
    )
}

/// Describes the alternatives for `expected`.
pub fn describe_alternatives(alts: &[LayoutAlternative]) -> String {
    alts.iter()
        .map(|a| match (&a.streams, &a.channels) {
            (Some(s), _) => {
                let s: Vec<String> = s.iter().map(|c| format!("[{}]", c.join(" "))).collect();
                format!("{} {}", a.name, s.join(" "))
            }
            (None, Some(c)) => format!("{} (channels per stream {c:?})", a.name),
            (None, None) => a.name.clone(),
        })
        .collect::<Vec<_>>()
        .join("; or ")
}

/// Matches `streams` (the file's audio streams in order) against `alts`.
pub fn match_layouts(streams: &[&Stream], alts: &[LayoutAlternative]) -> LayoutMatch {
    let mut by_count = None;
    for alt in alts {
        match matches(streams, alt) {
            Some(false) => {
                return LayoutMatch {
                    matched: Some(alt.name.clone()),
                    by_count_only: false,
                    actual: describe(streams),
                }
            }
            Some(true) if by_count.is_none() => by_count = Some(alt.name.clone()),
            _ => {}
        }
    }
    LayoutMatch {
        by_count_only: by_count.is_some(),
        matched: by_count,
        actual: describe(streams),
    }
}

/// `None` no match; `Some(by_count_only)` a match.
fn matches(streams: &[&Stream], alt: &LayoutAlternative) -> Option<bool> {
    let counts: Vec<u32> = streams
        .iter()
        .map(|s| s.audio.as_ref().map_or(0, |a| a.channels))
        .collect();
    if let Some(want) = &alt.channels {
        return (want == &counts).then_some(false);
    }
    let want = alt.streams.as_ref()?;
    if want.len() != streams.len() {
        return None;
    }
    let mut by_count = false;
    for (s, names) in streams.iter().zip(want) {
        let a = s.audio.as_ref()?;
        // A lone `M` is the probe's name for a mono track that does not say
        // which channel it carries: as good as unlabelled.
        let unlabelled =
            a.channel_names.is_empty() || (a.channel_names == ["M"] && names.as_slice() != ["M"]);
        if unlabelled {
            if a.channels as usize != names.len() {
                return None;
            }
            by_count = true;
        } else if a.channel_names.len() != names.len()
            || !a
                .channel_names
                .iter()
                .zip(names)
                .all(|(x, y)| x.eq_ignore_ascii_case(y))
        {
            return None;
        }
    }
    Some(by_count)
}

/// The channel names to measure loudness with, from the first of
/// `profile`'s `audio.layouts` alternatives that the file matches and that
/// names its channels: unlabelled mono tracks then group into programmes as
/// the spec lays them out. `None` when no named alternative matches.
pub fn measurement_layout(
    profile: &super::Profile,
    media: &crate::probe::model::MediaInfo,
) -> Option<Vec<String>> {
    use crate::probe::model::StreamKind;
    let streams: Vec<&Stream> = media
        .streams
        .iter()
        .filter(|s| s.kind == StreamKind::Audio)
        .collect();
    let rules = profile.audio.get("layouts")?;
    rules.0.iter().find_map(|rule| {
        let alts = rule.alternatives.as_deref()?;
        let name = match_layouts(&streams, alts).matched?;
        let alt = alts.iter().find(|a| a.name == name)?;
        alt.streams.as_ref().map(|s| s.concat())
    })
}
