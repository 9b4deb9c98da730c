//! Audio fault rules (`[faults]`): the facts they read from a file's
//! measured audio, the rules every profile that measures audio gets by
//! default, and what a fault rule may say.
//!
//! Faults are found by `measure`'s detectors at fixed settings (silence
//! below −60 dBFS for 2 s or more, clipping runs of 3 or more full-scale
//! samples, DC offset at or above −40 dBFS, stereo correlation below −0.5
//! over 1 s windows); a rule sets how much of each a file may have.

use super::model::{Rule, Severity};
use super::value::{Fact, Scalar};
use crate::measure::model::{AudioMeasurements, Fault, FaultKind, Programme};
use crate::probe::model::MediaInfo;
use std::collections::BTreeSet;

/// Silence is detected from this long; `faults.silence_s` cannot ask for less.
pub const SILENCE_DETECTED_FROM_S: f64 = 2.0;

/// The clause shown with a default rule.
pub const DEFAULT_CLAUSE: &str =
    "signoff default: audio faults are checked wherever audio is measured (docs/specs.md, Audio faults)";

/// Where a fault fact shows in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// Seconds from the start of the stream.
    pub position_s: f64,
    /// The stream it is in.
    pub stream_index: usize,
    /// Where and what, in words ("stream 0 channel 1: 40 run(s) of …").
    pub detail: String,
}

/// The rules a profile that measures audio gets for the `[faults]` keys it
/// does not set: invalid samples and decode errors fail the file, the other
/// faults are warnings.
pub fn default_rules() -> Vec<(&'static str, Rule)> {
    let rule = |max: Scalar, severity: Severity| Rule {
        max: Some(max),
        severity,
        clause: Some(DEFAULT_CLAUSE.to_string()),
        ..Rule::default()
    };
    vec![
        ("invalid_samples", rule(Scalar::Int(0), Severity::Error)),
        ("decode_errors", rule(Scalar::Int(0), Severity::Error)),
        ("clipping_runs", rule(Scalar::Int(0), Severity::Warning)),
        (
            "silence_s",
            rule(Scalar::Float(SILENCE_DETECTED_FROM_S), Severity::Warning),
        ),
        ("silent_channels", rule(Scalar::Int(0), Severity::Warning)),
        ("phase_inverted_s", rule(Scalar::Int(0), Severity::Warning)),
        (
            "dc_offset_channels",
            rule(Scalar::Int(0), Severity::Warning),
        ),
    ]
}

/// What is wrong with a `[faults]` rule, if anything (besides what every
/// rule is checked for).
pub fn rule_problems(key: &str, rule: &Rule) -> Vec<String> {
    let mut out = Vec::new();
    if matches!(rule.severity, Severity::Info | Severity::Off) {
        out.push(format!(
            "`faults.{key}` is at least a warning: audio faults are never switched off (use `severity = \"warning\"`)"
        ));
    }
    if key == "invalid_samples" && (rule.severity != Severity::Error || !max_zero(rule)) {
        out.push(
            "`faults.invalid_samples` always fails a file: it takes only `max = 0` with severity `error`"
                .into(),
        );
    }
    if key == "silence_s" {
        let below = [&rule.max, &rule.min]
            .into_iter()
            .flatten()
            .filter_map(scalar_f64)
            .any(|v| v < SILENCE_DETECTED_FROM_S);
        if below {
            out.push(format!(
                "`faults.silence_s` cannot be checked below {SILENCE_DETECTED_FROM_S} s: shorter silences are not detected"
            ));
        }
        let negative = [rule.head_allowance_s, rule.tail_allowance_s]
            .into_iter()
            .flatten()
            .any(|v| v < 0.0 || !v.is_finite());
        if negative {
            out.push("silence allowances are seconds, 0 or more".into());
        }
    }
    out
}

/// Whether `head_allowance_s`/`tail_allowance_s` may appear on `group.key`.
pub fn takes_allowances(group: &str, key: &str) -> bool {
    group == "faults" && key == "silence_s"
}

fn max_zero(rule: &Rule) -> bool {
    rule.max.as_ref().and_then(scalar_f64) == Some(0.0)
        && rule.min.is_none()
        && rule.equals.is_none()
        && rule.one_of.is_none()
        && rule.target.is_none()
}

fn scalar_f64(v: &Scalar) -> Option<f64> {
    match v {
        Scalar::Int(i) => Some(*i as f64),
        Scalar::Float(x) => Some(*x),
        _ => None,
    }
}

/// The fact `faults.key` reads from the measured audio, with where it shows.
pub fn fault_fact(
    key: &str,
    rule: &Rule,
    audio: &AudioMeasurements,
    media: Option<&MediaInfo>,
) -> (Fact, Option<Evidence>) {
    let of = |kind: FaultKind| -> Vec<&Fault> {
        audio.faults.iter().filter(|f| f.kind == kind).collect()
    };
    let counted = |kind: FaultKind| {
        let faults = of(kind);
        let n: u64 = faults.iter().map(|f| f.count.unwrap_or(1)).sum();
        (Fact::Number(n as f64), faults.first().map(|f| evidence(f)))
    };
    match key {
        "invalid_samples" => counted(FaultKind::InvalidSamples),
        "decode_errors" => counted(FaultKind::DecodeError),
        "clipping_runs" => counted(FaultKind::Clipping),
        "dc_offset_channels" => {
            let faults = of(FaultKind::DcOffset);
            (
                Fact::Number(faults.len() as f64),
                faults.first().map(|f| evidence(f)),
            )
        }
        "phase_inverted_s" => {
            let longest = of(FaultKind::PhaseInverted)
                .into_iter()
                .max_by(|a, b| a.duration_s.total_cmp(&b.duration_s));
            (
                Fact::Number(longest.map_or(0.0, |f| f.duration_s)),
                longest.map(evidence),
            )
        }
        "silent_channels" => silent_channels(audio),
        "silence_s" => {
            let head = rule.head_allowance_s.unwrap_or(0.0);
            let tail = rule.tail_allowance_s.unwrap_or(0.0);
            longest_silence(audio, media, head, tail)
        }
        _ => (
            Fact::Absent(format!("`faults.{key}` is not a fault signoff measures")),
            None,
        ),
    }
}

fn evidence(f: &Fault) -> Evidence {
    let channel = f
        .channel
        .map(|c| format!(" channel {c}"))
        .unwrap_or_default();
    let at = f
        .timecode
        .clone()
        .unwrap_or_else(|| format!("{:.3} s", f.start_s));
    Evidence {
        position_s: f.start_s,
        stream_index: f.stream_index,
        detail: format!(
            "first at {at}, stream {}{channel}: {}",
            f.stream_index, f.message
        ),
    }
}

/// Channels silent throughout, LFE excluded (an LFE is often silent by design).
fn silent_channels(audio: &AudioMeasurements) -> (Fact, Option<Evidence>) {
    let name_of = |stream: usize, channel: usize| {
        audio
            .programmes
            .iter()
            .flat_map(|p| &p.channels)
            .find(|c| c.stream_index == stream && c.channel == channel)
            .map(|c| c.name.as_str())
    };
    let channels_of = |stream: usize| -> Vec<usize> {
        let mut v: Vec<usize> = audio
            .programmes
            .iter()
            .flat_map(|p| &p.channels)
            .filter(|c| c.stream_index == stream)
            .map(|c| c.channel)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let mut silent = BTreeSet::new();
    let mut first = None;
    for f in audio
        .faults
        .iter()
        .filter(|f| f.kind == FaultKind::SilentChannel)
    {
        let channels = match f.channel {
            Some(c) => vec![c],
            None => channels_of(f.stream_index),
        };
        for c in channels {
            if name_of(f.stream_index, c) != Some("LFE") && silent.insert((f.stream_index, c)) {
                first.get_or_insert(f);
            }
        }
    }
    (Fact::Number(silent.len() as f64), first.map(evidence))
}

/// The longest stretch where every channel of a programme is silent,
/// leaving out `head` seconds at the start and `tail` at the end.
fn longest_silence(
    audio: &AudioMeasurements,
    media: Option<&MediaInfo>,
    head: f64,
    tail: f64,
) -> (Fact, Option<Evidence>) {
    let mut best: Option<(f64, f64, &Programme)> = None;
    for p in &audio.programmes {
        let mut common: Option<Vec<(f64, f64)>> = None;
        let mut end = 0.0f64;
        for c in &p.channels {
            let spans: Vec<(f64, f64)> = audio
                .faults
                .iter()
                .filter(|f| {
                    matches!(f.kind, FaultKind::Silence | FaultKind::SilentChannel)
                        && f.stream_index == c.stream_index
                        && f.channel.is_none_or(|ch| ch == c.channel)
                })
                .map(|f| (f.start_s, f.start_s + f.duration_s))
                .collect();
            end = end.max(stream_duration(media, c.stream_index).unwrap_or(0.0));
            end = end.max(spans.iter().map(|s| s.1).fold(0.0, f64::max));
            common = Some(match common {
                None => spans,
                Some(prev) => intersect(&prev, &spans),
            });
        }
        let (from, to) = (head, end - tail);
        for (s, e) in common.unwrap_or_default() {
            let (s, e) = (s.max(from), e.min(to));
            if e - s > best.map_or(0.0, |b| b.1 - b.0) {
                best = Some((s, e, p));
            }
        }
    }
    let fact = Fact::Number(best.map_or(0.0, |(s, e, _)| round1(e - s)));
    let evidence = best.map(|(s, e, p)| Evidence {
        position_s: s,
        stream_index: p.channels.first().map_or(0, |c| c.stream_index),
        detail: format!(
            "programme {} is silent from {s:.3} s to {e:.3} s (head allowance {head} s, tail allowance {tail} s)",
            p.name
        ),
    });
    (fact, evidence)
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn stream_duration(media: Option<&MediaInfo>, stream: usize) -> Option<f64> {
    let m = media?;
    m.streams
        .iter()
        .find(|s| s.index == stream)
        .and_then(|s| s.duration_s)
        .or(m.container.duration_s)
}

/// The overlap of two sets of spans.
fn intersect(a: &[(f64, f64)], b: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    for &(s1, e1) in a {
        for &(s2, e2) in b {
            let (s, e) = (s1.max(s2), e1.min(e2));
            if e > s {
                out.push((s, e));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::model::{ChannelSource, Timeline};

    fn fault(kind: FaultKind, stream: usize, channel: Option<usize>, s: f64, d: f64) -> Fault {
        Fault {
            kind,
            stream_index: stream,
            channel,
            start_s: s,
            duration_s: d,
            count: None,
            timecode: None,
            message: "m".into(),
        }
    }

    fn programme(names: &[&str]) -> Programme {
        Programme {
            name: "p".into(),
            channels: names
                .iter()
                .enumerate()
                .map(|(i, n)| ChannelSource {
                    stream_index: 0,
                    channel: i,
                    name: n.to_string(),
                })
                .collect(),
            grouping: Default::default(),
            integrated_lufs: None,
            loudness_range_lu: None,
            true_peak_dbtp: None,
            true_peak_per_channel_dbtp: vec![],
            sample_peak_dbfs: None,
            max_momentary_lufs: None,
            max_short_term_lufs: None,
            short_term_timeline: Timeline::default(),
        }
    }

    fn audio(names: &[&str], faults: Vec<Fault>) -> AudioMeasurements {
        AudioMeasurements {
            programmes: vec![programme(names)],
            faults,
            ffmpeg_log: vec![],
        }
    }

    #[test]
    fn silence_counts_only_where_every_channel_is_silent_outside_allowances() {
        let a = audio(
            &["L", "R"],
            vec![
                fault(FaultKind::Silence, 0, Some(0), 0.0, 10.0),
                fault(FaultKind::Silence, 0, Some(1), 2.0, 3.0),
                fault(FaultKind::Silence, 0, Some(0), 20.0, 6.0),
                fault(FaultKind::Silence, 0, Some(1), 19.0, 8.0),
            ],
        );
        let silence = |head, tail| {
            let rule = Rule {
                head_allowance_s: Some(head),
                tail_allowance_s: Some(tail),
                ..Rule::default()
            };
            fault_fact("silence_s", &rule, &a, None).0
        };
        assert_eq!(silence(0.0, 0.0), Fact::Number(6.0));
        // The programme ends at 27 s; a 3 s tail allowance leaves 20..24.
        assert_eq!(silence(0.0, 3.0), Fact::Number(4.0));
        assert_eq!(silence(0.0, 10.0), Fact::Number(3.0));
        assert_eq!(silence(4.0, 10.0), Fact::Number(1.0));
    }

    #[test]
    fn whole_stream_silence_and_silent_channels_without_lfe() {
        let a = audio(
            &["L", "R", "C", "LFE", "Ls", "Rs"],
            vec![
                fault(FaultKind::SilentChannel, 0, Some(3), 0.0, 5.0),
                fault(FaultKind::SilentChannel, 0, Some(4), 0.0, 5.0),
                fault(FaultKind::Silence, 0, None, 1.0, 2.5),
            ],
        );
        assert_eq!(silent_channels(&a).0, Fact::Number(1.0));
        let (f, e) = fault_fact("silence_s", &Rule::default(), &a, None);
        assert_eq!(f, Fact::Number(2.5));
        assert_eq!(e.unwrap().position_s, 1.0);
    }

    #[test]
    fn counts_add_up_over_faults() {
        let mut c1 = fault(FaultKind::Clipping, 0, Some(0), 0.5, 1.0);
        c1.count = Some(40);
        let mut c2 = fault(FaultKind::Clipping, 0, Some(1), 0.2, 1.0);
        c2.count = Some(2);
        let a = audio(&["L", "R"], vec![c1, c2]);
        let (f, e) = fault_fact("clipping_runs", &Rule::default(), &a, None);
        assert_eq!(f, Fact::Number(42.0));
        assert_eq!(e.unwrap().position_s, 0.5);
        let (f, e) = fault_fact("invalid_samples", &Rule::default(), &a, None);
        assert_eq!((f, e), (Fact::Number(0.0), None));
    }

    #[test]
    fn every_fault_key_has_a_default_and_is_documented() {
        let doc = include_str!("../../docs/specs.md");
        let keys = crate::spec::catalogue::keys_of("faults");
        let defaults: Vec<&str> = default_rules().into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, defaults);
        for key in keys {
            assert!(doc.contains(&format!("`faults.{key}`")), "{key}");
        }
    }

    #[test]
    fn what_a_fault_rule_may_say() {
        let rule = |max: Scalar, severity| Rule {
            max: Some(max),
            severity,
            ..Rule::default()
        };
        assert!(
            rule_problems("clipping_runs", &rule(Scalar::Int(5), Severity::Warning)).is_empty()
        );
        assert_eq!(
            rule_problems("clipping_runs", &rule(Scalar::Int(0), Severity::Off)).len(),
            1
        );
        assert_eq!(
            rule_problems("invalid_samples", &rule(Scalar::Int(3), Severity::Error)).len(),
            1
        );
        assert!(
            rule_problems("invalid_samples", &rule(Scalar::Int(0), Severity::Error)).is_empty()
        );
        assert_eq!(
            rule_problems("silence_s", &rule(Scalar::Float(1.0), Severity::Error)).len(),
            1
        );
        for (key, r) in default_rules() {
            assert!(rule_problems(key, &r).is_empty(), "{key}");
        }
    }
}
