//! The spec profile format (TOML): metadata, rule groups, rules.
//!
//! A profile is a table of metadata plus rule groups (`[container]`,
//! `[video]`, `[audio]`, `[loudness]`, `[timing]`, `[naming]`,
//! `[sidecars]`, `[faults]`, `[picture]`, `[image]`, `[document]`, `[captions]`). Each key of a group names a field (see
//! [`super::catalogue`]) and holds a rule: a bare value (must equal), a list
//! of values (must be one of), a table with one comparison plus severity,
//! message, clause and `when`, or an array of such tables. See docs/specs.md.

use super::value::Scalar;
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;

/// One profile as written in a file, or resolved after `extends`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Stable identifier, used with `--spec` (`netflix-prores-hq`).
    pub id: String,
    /// Human title.
    pub title: String,
    /// Identifier of the profile this one builds on; its keys are overridden by ours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// Where the numbers come from.
    pub source: Source,
    /// Free-text caveats shown with the profile (what is not checked, and why).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Container rules.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub container: Group,
    /// Video rules, evaluated on every video stream.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub video: Group,
    /// Audio rules, per audio stream or over all audio streams.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub audio: Group,
    /// Loudness rules, evaluated on every measured programme.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub loudness: Group,
    /// Timing rules: duration, start timecode, A/V duration match.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub timing: Group,
    /// File-name rules.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub naming: Group,
    /// Required sidecar files: any key, each a `regex` on sidecar file names.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sidecars: Group,
    /// Audio fault rules (clipping, silence, phase, DC offset, invalid
    /// samples, decode errors), evaluated on the measured audio.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub faults: Group,
    /// Picture rules (black, freeze, video decode errors…), evaluated on
    /// the picture stage's measurements of every video stream.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub picture: Group,
    /// Still-image rules (key art, posters): format, size, colour, resolution.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub image: Group,
    /// Document rules (PDF cue sheets, reports): pages and page size.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub document: Group,
    /// Caption rules (timing, layout, reading speed, encoding, language,
    /// against the master), with per-language overrides.
    #[serde(default, skip_serializing_if = "CaptionGroup::is_empty")]
    pub captions: CaptionGroup,
}

/// The `[captions]` group: its rules, and per-language overrides
/// (`[captions.languages.ja]`) whose keys replace the group's keys for a
/// caption file in that language.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CaptionGroup {
    /// Overrides by language tag (`ja`, `zh-Hant`), matched exactly
    /// (case-insensitively), else by primary subtag.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub languages: BTreeMap<String, Group>,
    /// The rules for every language.
    #[serde(flatten)]
    pub rules: Group,
}

impl CaptionGroup {
    /// Whether the group has no rules and no overrides.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty() && self.languages.is_empty()
    }

    /// The override table that applies to `language`: the tag itself, else
    /// its primary subtag (`ja-JP` → `ja`), compared case-insensitively.
    pub fn override_for(&self, language: &str) -> Option<(&str, &Group)> {
        let find = |tag: &str| {
            self.languages
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(tag))
                .map(|(k, g)| (k.as_str(), g))
        };
        let primary = language.split(['-', '_']).next().unwrap_or(language);
        find(language).or_else(|| find(primary))
    }

    /// The rules for a caption file in `language` (none: the group's own):
    /// each key of the language's override replaces the group's key.
    pub fn effective(&self, language: Option<&str>) -> Group {
        let mut rules = self.rules.clone();
        if let Some((_, over)) = language.and_then(|l| self.override_for(l)) {
            rules.extend(over.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        rules
    }
}

/// The rules of one group, by field key.
pub type Group = BTreeMap<String, RuleSet>;

/// The names of the rule groups, in evaluation order.
pub const GROUPS: [&str; 12] = [
    "container",
    "video",
    "audio",
    "loudness",
    "timing",
    "naming",
    "sidecars",
    "faults",
    "picture",
    "image",
    "document",
    "captions",
];

impl Profile {
    /// The rule groups with their names, in evaluation order (`captions`:
    /// its rules for every language; see [`CaptionGroup::languages`]).
    pub fn groups(&self) -> [(&'static str, &Group); 12] {
        [
            ("container", &self.container),
            ("video", &self.video),
            ("audio", &self.audio),
            ("loudness", &self.loudness),
            ("timing", &self.timing),
            ("naming", &self.naming),
            ("sidecars", &self.sidecars),
            ("faults", &self.faults),
            ("picture", &self.picture),
            ("image", &self.image),
            ("document", &self.document),
            ("captions", &self.captions.rules),
        ]
    }
}

/// Where a profile's numbers come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Document name and version.
    pub document: String,
    /// Where to read it (a house spec may have no address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Clause or section the profile is built from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause: Option<String>,
    /// When the document was read (`2026-11`).
    pub date_read: String,
    /// Whether the text itself was read or only third-party quotes.
    pub confidence: Confidence,
}

/// How sure the profile's numbers are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Read in the issuing body's own document.
    Primary,
    /// Only found quoted by third parties.
    Secondary,
}

/// How much a failed rule matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fails the file (exit code 1).
    #[default]
    Error,
    /// Reported; does not fail the file.
    Warning,
    /// For information.
    Info,
    /// Switched off (a child profile disabling a parent's rule).
    Off,
}

impl Severity {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Off => "off",
        }
    }
}

/// One rule: a comparison, plus severity, message, clause and condition.
///
/// Exactly one comparison is set: `equals`, `one_of`, `min`/`max` (either
/// or both), `target` with `tolerance`, `regex`, `present`, or (for
/// `audio.layouts` only) `alternatives`.
///
/// A numeric rule may be **banded** ([`Rule::band`]): the comparison is the
/// strict reading of the spec, and `fail_tolerance` (with `target`) or
/// `fail_min`/`fail_max` (with `min`/`max`, `equals`, `one_of`) is the widest
/// credible one; on any field, `fail_outside` (with `equals`, `one_of`) lists
/// the widest credible set of values. Inside the strict band the rule passes, between the two it
/// fails as a warning ("band of doubt"), outside the wide band it fails as an
/// error. See docs/specs.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Rule id in findings; defaults to `group.key` (`group.key#2` for the second rule of a key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Must equal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<Scalar>,
    /// Must be one of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<Scalar>>,
    /// At least (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Scalar>,
    /// At most (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Scalar>,
    /// Target value; pass when within `tolerance` (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    /// Allowed distance from `target`, both ways (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<f64>,
    /// Widest credible tolerance around `target`: fail outside it, warn
    /// between `tolerance` and it (a banded rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_tolerance: Option<f64>,
    /// Widest credible lower bound: fail below it, warn between it and the
    /// strict comparison (a banded rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_min: Option<Scalar>,
    /// Widest credible upper bound: fail above it, warn between the strict
    /// comparison and it (a banded rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_max: Option<Scalar>,
    /// The widest credible set of values: fail outside it, warn for a value
    /// in it that the strict `equals`/`one_of` does not allow (a banded rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_outside: Option<Vec<Scalar>>,
    /// Regular expression the text must match (searched; anchor with `^…$`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    /// Must be present (`true`) or absent (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub present: Option<bool>,
    /// Accepted audio track layouts (`audio.layouts` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternatives: Option<Vec<LayoutAlternative>>,
    /// Allowed at the start of the programme, seconds (`faults.silence_s`,
    /// `picture.black_s`, `picture.freeze_s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_allowance_s: Option<f64>,
    /// Allowed at the end of the programme, seconds (`faults.silence_s`,
    /// `picture.black_s`, `picture.freeze_s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tail_allowance_s: Option<f64>,
    /// A picture detector's parameters (`[picture]` rules only), e.g.
    /// `{ pixel_threshold = 0.1, picture_ratio = 0.98, min_duration_s = 2 }`
    /// for `picture.black_s`; see docs/specs.md.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detector: Option<BTreeMap<String, f64>>,
    /// Apply the rule only when every condition holds (`"video.height" = 2160`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<BTreeMap<String, RuleSet>>,
    /// How much a failure matters (default `error`).
    #[serde(default)]
    pub severity: Severity,
    /// A sentence shown with the finding, in the spec's own words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Clause of the source this rule comes from; defaults to the profile's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause: Option<String>,
    /// How sure this rule's number is; defaults to the profile's
    /// `[source].confidence`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    /// The source itself only recommends this value (it is not a rejection
    /// criterion): the one case where a rule on a number may be a warning or
    /// info without a band.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub advisory: bool,
}

/// The widest credible reading of a banded rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Band<'a> {
    /// `fail_tolerance`: the widest credible distance from `target`.
    Tolerance(f64),
    /// `fail_min` / `fail_max`: the widest credible bounds.
    Range {
        /// Fail below this.
        min: Option<&'a Scalar>,
        /// Fail above this.
        max: Option<&'a Scalar>,
    },
    /// `fail_outside`: the widest credible set of values.
    Values(&'a [Scalar]),
}

impl Rule {
    /// The rule's widest credible band, when it is banded.
    pub fn band(&self) -> Option<Band<'_>> {
        if let Some(t) = self.fail_tolerance {
            return Some(Band::Tolerance(t));
        }
        if let Some(values) = &self.fail_outside {
            return Some(Band::Values(values));
        }
        if self.fail_min.is_some() || self.fail_max.is_some() {
            return Some(Band::Range {
                min: self.fail_min.as_ref(),
                max: self.fail_max.as_ref(),
            });
        }
        None
    }
}

/// One accepted audio track layout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayoutAlternative {
    /// Name for people (`8 mono tracks`).
    pub name: String,
    /// Channel names per audio stream, in order (`[["L"], ["R"]]` or `[["L","R"]]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub streams: Option<Vec<Vec<String>>>,
    /// Channel counts per audio stream, in order (`[4]`, `[1, 1, 1, 1]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<Vec<u32>>,
}

/// The rules of one key: one or more [`Rule`]s.
///
/// Written as a bare value (`codec = "prores"`, meaning `equals`), a list of
/// values (`one_of`), a table, or an array of tables.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "toml::Value")]
pub struct RuleSet(pub Vec<Rule>);

impl Serialize for RuleSet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.as_slice() {
            [one] => one.serialize(s),
            many => many.serialize(s),
        }
    }
}

impl TryFrom<toml::Value> for RuleSet {
    type Error = String;

    fn try_from(value: toml::Value) -> Result<Self, String> {
        use toml::Value as V;
        match value {
            V::Table(_) => Ok(RuleSet(vec![table_rule(value)?])),
            V::Array(items) if items.iter().all(|i| i.is_table()) && !items.is_empty() => {
                let rules = items
                    .into_iter()
                    .map(table_rule)
                    .collect::<Result<_, _>>()?;
                Ok(RuleSet(rules))
            }
            V::Array(items) => {
                let values = items.into_iter().map(scalar).collect::<Result<_, _>>()?;
                Ok(RuleSet(vec![Rule {
                    one_of: Some(values),
                    ..Rule::default()
                }]))
            }
            other => Ok(RuleSet(vec![Rule {
                equals: Some(scalar(other)?),
                ..Rule::default()
            }])),
        }
    }
}

fn table_rule(value: toml::Value) -> Result<Rule, String> {
    value
        .try_into::<Rule>()
        .map_err(|e| e.message().to_string())
}

fn scalar(value: toml::Value) -> Result<Scalar, String> {
    match value {
        toml::Value::String(s) => Ok(Scalar::Str(s)),
        toml::Value::Integer(i) => Ok(Scalar::Int(i)),
        toml::Value::Float(x) => Ok(Scalar::Float(x)),
        toml::Value::Boolean(b) => Ok(Scalar::Bool(b)),
        other => Err(format!(
            "expected a value, a list of values or a rule table, found {}",
            other.type_str()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(src: &str) -> RuleSet {
        let v: toml::Value = toml::from_str(&format!("k = {src}")).unwrap();
        RuleSet::try_from(v["k"].clone()).unwrap()
    }

    #[test]
    fn shorthands() {
        assert_eq!(
            rules("\"prores\"").0[0].equals,
            Some(Scalar::Str("prores".into()))
        );
        assert_eq!(rules("[24, 25]").0[0].one_of.as_ref().unwrap().len(), 2);
        let r = rules("{ min = 1, severity = \"warning\" }");
        assert_eq!(r.0[0].severity, Severity::Warning);
        assert_eq!(rules("[{ equals = 1 }, { equals = 2 }]").0.len(), 2);
    }

    #[test]
    fn unknown_rule_key_is_an_error() {
        let v: toml::Value = toml::from_str("k = { tolerence = 1 }").unwrap();
        let err = RuleSet::try_from(v["k"].clone()).unwrap_err();
        assert!(err.contains("tolerence"), "{err}");
    }
}
