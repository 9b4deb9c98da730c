//! Audio track layout alternatives: the file's audio streams, in order,
//! must match one of the listed layouts (by channel names, or by channel
//! counts per stream).
//!
//! Where the file labels its channels (a MOV `chan` atom, a WAV channel
//! mask, MXF MCA labels, the codec, or track titles), the labels must match.
//! Where it does not, only the count can be compared, and every output says
//! so in the words of [`BY_COUNT_ONLY`].

use super::model::LayoutAlternative;
use crate::probe::model::{ChannelLabels, MediaInfo, Stream, StreamKind};

/// What a layout finding says when the file does not label its channels.
pub const BY_COUNT_ONLY: &str = "by count only: the file does not label its channels";

/// What a layout match rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchBasis {
    /// The file's channel labels match the alternative's names.
    Labels,
    /// The alternative names channels but the file does not label them
    /// (some or all): only the counts match.
    CountOnly,
    /// The alternative lists channel counts only.
    SpecCounts,
}

/// The result of matching the file's audio streams against the alternatives.
#[derive(Debug, Clone, PartialEq)]
pub struct LayoutMatch {
    /// Name of the matching alternative, if any.
    pub matched: Option<String>,
    /// Whether the match relied on channel counts because names were missing.
    pub by_count_only: bool,
    /// What the match rests on, when there is one.
    pub basis: Option<MatchBasis>,
    /// Whether any audio stream of the file is unlabelled.
    pub unlabelled: bool,
    /// The file's layout in words (`2 streams: [L R C LFE Ls Rs] [Lt Rt]`).
    pub actual: String,
}

/// Whether a finding carries the by-count-only caveat (so passed layout
/// findings that rest on counts are shown, not hidden with the passes).
pub fn has_caveat(message: &str) -> bool {
    message.contains(BY_COUNT_ONLY)
}

/// Whether a stream's channels are unlabelled: nothing in the file names
/// them, or a mono track says only `M`.
fn is_unlabelled(a: &crate::probe::model::AudioInfo) -> bool {
    !a.channel_labels.labelled() || a.channel_names.is_empty() || a.channel_names == ["M"]
}

/// The file's audio layout in words.
pub fn describe(streams: &[&Stream]) -> String {
    if streams.is_empty() {
        return "no audio streams".into();
    }
    let parts: Vec<String> = streams
        .iter()
        .map(|s| match &s.audio {
            Some(a) if is_unlabelled(a) && a.channels == 1 => "[M unlabelled]".into(),
            Some(a) if is_unlabelled(a) => format!("[{} ch unlabelled]", a.channels),
            Some(a) => format!("[{}]", a.channel_names.join(" ")),
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
///
/// An alternative matched by labels wins over one matched by counts.
pub fn match_layouts(streams: &[&Stream], alts: &[LayoutAlternative]) -> LayoutMatch {
    let unlabelled = streams
        .iter()
        .any(|s| s.audio.as_ref().is_none_or(is_unlabelled));
    let result = |alt: Option<(&LayoutAlternative, MatchBasis)>| LayoutMatch {
        matched: alt.map(|(a, _)| a.name.clone()),
        by_count_only: alt.is_some_and(|(_, b)| b != MatchBasis::Labels) && unlabelled,
        basis: alt.map(|(_, b)| b),
        unlabelled,
        actual: describe(streams),
    };
    let mut by_count = None;
    for alt in alts {
        match matches(streams, alt) {
            Some(MatchBasis::Labels) => return result(Some((alt, MatchBasis::Labels))),
            Some(b) if by_count.is_none() => by_count = Some((alt, b)),
            _ => {}
        }
    }
    result(by_count)
}

/// `None` no match; else what the match rests on.
fn matches(streams: &[&Stream], alt: &LayoutAlternative) -> Option<MatchBasis> {
    let counts: Vec<u32> = streams
        .iter()
        .map(|s| s.audio.as_ref().map_or(0, |a| a.channels))
        .collect();
    if let Some(want) = &alt.channels {
        return (want == &counts).then_some(MatchBasis::SpecCounts);
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
        let unlabelled = is_unlabelled(a) && !(a.channel_names == ["M"] && names == &["M"]);
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
    Some(if by_count {
        MatchBasis::CountOnly
    } else {
        MatchBasis::Labels
    })
}

/// What names the file's audio channels, in words, for messages
/// (`the MOV chan atom`; `the WAV channel mask and the track titles`).
pub fn label_sources(streams: &[&Stream]) -> String {
    let mut seen: Vec<ChannelLabels> = Vec::new();
    for s in streams {
        if let Some(a) = &s.audio {
            if !is_unlabelled(a) && !seen.contains(&a.channel_labels) {
                seen.push(a.channel_labels);
            }
        }
    }
    let words: Vec<&str> = seen.iter().map(|l| l.words()).collect();
    match words.as_slice() {
        [] => "nothing".into(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Names channels the file does not label with the names of `given`
/// (`--layout`, every audio channel in file order); channels the file
/// labels keep their labels. Returns whether any name was given.
pub fn apply_given_layout(media: &mut MediaInfo, given: &[String]) -> bool {
    let mut applied = false;
    let mut next = 0usize;
    for s in media
        .streams
        .iter_mut()
        .filter(|s| s.kind == StreamKind::Audio)
    {
        let Some(a) = s.audio.as_mut() else {
            continue;
        };
        let n = a.channels as usize;
        let names = given.get(next..next + n);
        next += n;
        if let (true, Some(names)) = (is_unlabelled(a), names) {
            a.channel_names = names.to_vec();
            a.channel_labels = ChannelLabels::Given;
            applied = true;
        }
    }
    applied
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
