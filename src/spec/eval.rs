//! Evaluates a resolved profile against one file's facts, producing one
//! finding per rule and subject (file, stream or programme).

use super::catalogue::{lookup, lookup_path, Field, Scope};
use super::compare::{compare, Outcome};
use super::facts::{fact, timecode_of, FileFacts, Subject};
use super::faults::{default_rules, fault_fact};
use super::finding::{FileReport, Finding, Status};
use super::layout::{
    describe_alternatives, label_sources, match_layouts, MatchBasis, BY_COUNT_ONLY,
};
use super::model::{Profile, Rule, Severity};
use super::value::Fact;
use crate::measure::model::Programme;
use crate::probe::model::StreamKind;

/// Whether checking against `profile` needs audio measurements (loudness
/// or fault rules), so the caller only decodes audio when a profile asks
/// for it.
pub fn needs_audio_measurement(profile: &Profile) -> bool {
    [&profile.loudness, &profile.faults]
        .into_iter()
        .flat_map(|g| g.values())
        .any(|set| set.0.iter().any(|r| r.severity != Severity::Off))
}

/// Checks one file against every profile and gives its verdict.
pub fn check_file(facts: &FileFacts, profiles: &[Profile]) -> FileReport {
    let findings = profiles.iter().flat_map(|p| evaluate(p, facts)).collect();
    let ids = profiles.iter().map(|p| p.id.clone()).collect();
    FileReport::from_findings(facts.path.to_path_buf(), ids, findings)
}

/// Every finding of `profile` on one file, passed rules included.
pub fn evaluate(profile: &Profile, facts: &FileFacts) -> Vec<Finding> {
    let mut out = Vec::new();
    let language = facts.captions.and_then(|c| c.language());
    let captions = profile.captions.effective(language);
    let over = language.and_then(|l| profile.captions.override_for(l));
    for (group, rules) in profile.groups() {
        let rules = if group == "captions" {
            &captions
        } else {
            rules
        };
        for (key, set) in rules {
            let from = out.len();
            let Some(def) = lookup(group, key) else {
                continue; // rejected when the profile was loaded
            };
            for (i, rule) in set.0.iter().enumerate() {
                if rule.severity == Severity::Off {
                    continue;
                }
                let id = rule.id.clone().unwrap_or_else(|| match i {
                    0 => format!("{group}.{key}"),
                    n => format!("{group}.{key}#{}", n + 1),
                });
                let ctx = Ctx {
                    profile,
                    facts,
                    rule,
                    def,
                    id,
                };
                ctx.run(&mut out);
            }
            if let Some((tag, o)) = over.filter(|(_, o)| group == "captions" && o.contains_key(key))
            {
                let _ = o;
                for f in &mut out[from..] {
                    f.message = format!("{} (rules for `{tag}`)", f.message);
                }
            }
        }
    }
    default_fault_rules(profile, facts, &mut out);
    default_picture_rules(profile, facts, &mut out);
    out
}

/// Wherever a profile checks the picture, the `[picture]` keys with a
/// default that it does not set are checked with it.
fn default_picture_rules(profile: &Profile, facts: &FileFacts, out: &mut Vec<Finding>) {
    if !super::picture::needs_picture_measurement(profile) {
        return;
    }
    for (key, rule) in super::picture::default_rules() {
        if profile.picture.contains_key(key) {
            continue;
        }
        let Some(def) = lookup("picture", key) else {
            continue;
        };
        let ctx = Ctx {
            profile,
            facts,
            rule: &rule,
            def,
            id: format!("picture.{key}"),
        };
        ctx.run(out);
    }
}

/// Wherever a profile has the audio measured, the `[faults]` keys it does
/// not set are checked with their default rules (never less than a warning).
fn default_fault_rules(profile: &Profile, facts: &FileFacts, out: &mut Vec<Finding>) {
    if facts.audio.is_none() || !needs_audio_measurement(profile) {
        return;
    }
    for (key, rule) in default_rules() {
        if profile.faults.contains_key(key) {
            continue;
        }
        let Some(def) = lookup("faults", key) else {
            continue;
        };
        let ctx = Ctx {
            profile,
            facts,
            rule: &rule,
            def,
            id: format!("faults.{key}"),
        };
        ctx.run(out);
    }
}

/// One rule being evaluated.
struct Ctx<'a> {
    profile: &'a Profile,
    facts: &'a FileFacts<'a>,
    rule: &'a Rule,
    def: Field,
    id: String,
}

impl<'a> Ctx<'a> {
    fn run(&self, out: &mut Vec<Finding>) {
        match self.def.scope {
            Scope::VideoStream => self.per_stream(StreamKind::Video, out),
            Scope::AudioStream => self.per_stream(StreamKind::Audio, out),
            Scope::Programme => self.per_programme(out),
            Scope::Sidecar => out.extend(self.sidecar()),
            Scope::Faults => out.extend(self.fault_rule()),
            Scope::Picture => out.extend(self.picture_rule()),
            Scope::CaptionEvent | Scope::CaptionFile => out.push(self.caption_rule()),
            Scope::AudioFile if self.def.key == "layouts" => out.extend(self.layouts()),
            Scope::File | Scope::AudioFile => out.extend(self.subject(Subject::default())),
        }
    }

    fn per_stream(&self, kind: StreamKind, out: &mut Vec<Finding>) {
        if self.facts.media.is_none() {
            return out.push(self.not_evaluated(None, "the file was not probed"));
        }
        let streams = self.facts.streams(kind);
        if streams.is_empty() {
            let reason = format!("the file has no {} stream", kind.as_str());
            return out.push(self.not_evaluated(None, &reason));
        }
        for s in streams {
            out.extend(self.subject(Subject {
                stream: Some(s),
                programme: None,
            }));
        }
    }

    fn per_programme(&self, out: &mut Vec<Finding>) {
        let Some(audio) = self.facts.audio else {
            let reason = self.unmeasured(StreamKind::Audio, "loudness not measured");
            return out.push(self.not_evaluated(None, &reason));
        };
        if audio.programmes.is_empty() {
            return out.push(self.not_evaluated(None, "no audio programme was measured"));
        }
        for p in &audio.programmes {
            out.extend(self.subject(Subject {
                stream: None,
                programme: Some(p),
            }));
        }
    }

    /// The rule on one subject; `None` when a condition does not hold.
    fn subject(&self, subject: Subject) -> Option<Finding> {
        if let Err(reason) = self.conditions(subject)? {
            return Some(self.with_subject(self.not_evaluated(None, &reason), subject));
        }
        let f = fact(&self.def, self.facts, subject);
        let outcome = compare(self.rule, &self.def, &f);
        let mut finding = self.with_subject(self.finding(outcome, &f), subject);
        if let Some(p) = subject.programme {
            finding.position_s = moment(&self.def, p);
            finding.timecode = finding.position_s.and_then(|t| timecode_of(self.facts, t));
        }
        Some(finding)
    }

    /// `None` when a condition is false (rule does not apply), `Some(Err)`
    /// when one cannot be evaluated, `Some(Ok)` when all hold.
    fn conditions(&self, subject: Subject) -> Option<Result<(), String>> {
        for (path, set) in self.rule.when.iter().flatten() {
            let Some(def) = lookup_path(path) else {
                return Some(Err(format!("unknown condition field `{path}`")));
            };
            let f = fact(
                &def,
                self.facts,
                condition_subject(&def, self.facts, subject),
            );
            for cond in &set.0 {
                match compare(cond, &def, &f).status {
                    Status::Passed => {}
                    Status::Failed => return None,
                    Status::NotEvaluated { reason } => {
                        return Some(Err(format!("condition on {path} not evaluated: {reason}")))
                    }
                }
            }
        }
        Some(Ok(()))
    }

    fn layouts(&self) -> Option<Finding> {
        if self.facts.media.is_none() {
            return Some(self.not_evaluated(None, "the file was not probed"));
        }
        if let Err(reason) = self.conditions(Subject::default())? {
            return Some(self.not_evaluated(None, &reason));
        }
        let alts = self.rule.alternatives.as_deref().unwrap_or_default();
        let streams = self.facts.streams(StreamKind::Audio);
        let m = match_layouts(&streams, alts);
        let expected = describe_alternatives(alts);
        let message = layout_message(&m, &streams, &expected);
        let status = match m.matched {
            Some(_) => Status::Passed,
            None => Status::Failed,
        };
        Some(self.build(status, expected, m.actual, message))
    }

    /// Why a measurement of `kind` is missing: the probed file has no such
    /// stream, or else `otherwise`.
    fn unmeasured(&self, kind: StreamKind, otherwise: &str) -> String {
        match self.facts.media {
            Some(_) if self.facts.streams(kind).is_empty() => {
                format!("the file has no {} stream", kind.as_str())
            }
            _ => otherwise.to_string(),
        }
    }

    /// A `[faults]` rule on the file's measured audio, placed at the fault
    /// that shows it.
    fn fault_rule(&self) -> Option<Finding> {
        let Some(audio) = self.facts.audio else {
            let reason = self.unmeasured(StreamKind::Audio, "audio not measured");
            return Some(self.not_evaluated(None, &reason));
        };
        if let Err(reason) = self.conditions(Subject::default())? {
            return Some(self.not_evaluated(None, &reason));
        }
        let (f, evidence) = fault_fact(self.def.key, self.rule, audio, self.facts.media);
        let finding = self.finding(compare(self.rule, &self.def, &f), &f);
        Some(self.placed(finding, evidence))
    }

    /// A `[picture]` rule on the picture stage's measurements, placed at
    /// the segment or decode error that shows it.
    fn picture_rule(&self) -> Option<Finding> {
        let Some(picture) = self.facts.picture else {
            let reason = self.unmeasured(StreamKind::Video, "the picture was not measured");
            return Some(self.not_evaluated(None, &reason));
        };
        if let Err(reason) = self.conditions(Subject::default())? {
            return Some(self.not_evaluated(None, &reason));
        }
        let (f, evidence) = super::picture::picture_fact(self.def.key, self.rule, picture);
        let finding = self.finding(compare(self.rule, &self.def, &f), &f);
        Some(self.placed(finding, evidence))
    }

    /// A `[captions]` rule on the parsed caption file (per event, reported
    /// once with the failing events' count, first and worst).
    fn caption_rule(&self) -> Finding {
        let Some(captions) = self.facts.captions else {
            return self.not_evaluated(None, "not a caption file");
        };
        let o = super::captions::caption_outcome(self.rule, &self.def, captions);
        let mut finding = self.build(o.status, o.expected, o.actual, o.message);
        finding.severity = o.severity;
        finding.position_s = o.position_s;
        finding.timecode = o.timecode;
        finding
    }

    /// A finding placed where its evidence shows (stream, time, timecode),
    /// with the evidence's words added when the rule does not hold.
    fn placed(&self, mut finding: Finding, evidence: Option<super::faults::Evidence>) -> Finding {
        if let Some(e) = evidence {
            finding.stream_index = Some(e.stream_index);
            finding.position_s = Some(e.position_s);
            finding.timecode = timecode_of(self.facts, e.position_s);
            if finding.status != Status::Passed {
                finding.message = format!("{} ({})", finding.message, e.detail);
            }
        }
        finding
    }

    fn sidecar(&self) -> Option<Finding> {
        if let Err(reason) = self.conditions(Subject::default())? {
            return Some(self.not_evaluated(None, &reason));
        }
        let Some(pattern) = &self.rule.regex else {
            return Some(self.not_evaluated(None, "a sidecar rule needs a `regex`"));
        };
        let stem = std::path::Path::new(self.facts.file_name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let pattern = pattern.replace("{stem}", &regex::escape(&stem));
        let re = match regex::Regex::new(&pattern) {
            Ok(re) => re,
            Err(e) => return Some(self.not_evaluated(None, &format!("bad regex: {e}"))),
        };
        let names: Vec<String> = self
            .facts
            .sidecars
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        let found: Vec<&String> = names.iter().filter(|n| re.is_match(n)).collect();
        let want = self.rule.present.unwrap_or(true);
        let passed = found.is_empty() != want;
        let actual = if found.is_empty() {
            "none".to_string()
        } else {
            found
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (expected, message) = if want {
            let e = format!("a sidecar matching /{pattern}/");
            let m = if passed {
                format!("sidecar {actual} found")
            } else {
                format!("no sidecar matches /{pattern}/; the spec requires one")
            };
            (e, m)
        } else {
            let e = format!("no sidecar matching /{pattern}/");
            let m = if passed {
                "no unwanted sidecar".to_string()
            } else {
                format!("sidecar {actual} is present; the spec forbids it")
            };
            (e, m)
        };
        let status = if passed {
            Status::Passed
        } else {
            Status::Failed
        };
        Some(self.build(status, expected, actual, message))
    }

    fn finding(&self, o: Outcome, f: &Fact) -> Finding {
        let label = self.def.label;
        let mut message = match (&o.status, f) {
            (Status::Passed, _) => format!("{label} is {}", o.actual),
            (Status::Failed, _) => format!("{label} is {}; the spec {}", o.actual, o.demand),
            (Status::NotEvaluated { reason }, _) => format!("{label} not evaluated: {reason}"),
        };
        if let Some(band) = &o.band {
            message = format!("{message}; {}", band.why());
        }
        if self.rule.advisory && o.status == Status::Failed {
            message = format!("{message}; advisory: its source only recommends this");
        }
        let severity = o.severity(self.rule);
        let mut finding = self.build(o.status, o.expected, o.actual, message);
        finding.severity = severity;
        finding
    }

    fn not_evaluated(&self, expected: Option<String>, reason: &str) -> Finding {
        let expected = expected
            .or_else(|| {
                super::compare::describe(self.rule, &self.def)
                    .ok()
                    .map(|d| d.0)
            })
            .unwrap_or_default();
        self.build(
            Status::NotEvaluated {
                reason: reason.to_string(),
            },
            expected,
            String::new(),
            format!("{} not evaluated: {reason}", self.def.label),
        )
    }

    fn build(&self, status: Status, expected: String, actual: String, message: String) -> Finding {
        let message = match (&status, &self.rule.message) {
            (Status::Failed, Some(extra)) => format!("{message} ({extra})"),
            _ => message,
        };
        Finding {
            profile: self.profile.id.clone(),
            rule_id: self.id.clone(),
            severity: self.rule.severity,
            status,
            stream_index: None,
            programme: None,
            expected,
            actual,
            message,
            source_clause: self
                .rule
                .clause
                .clone()
                .or_else(|| self.profile.source.clause.clone())
                .or_else(|| Some(self.profile.source.document.clone())),
            position_s: None,
            timecode: None,
        }
    }

    fn with_subject(&self, mut f: Finding, subject: Subject) -> Finding {
        if let Some(s) = subject.stream {
            f.stream_index = Some(s.index);
        }
        if let Some(p) = subject.programme {
            f.programme = Some(p.name.clone());
            f.stream_index = p.channels.first().map(|c| c.stream_index);
            f.message = format!("programme {}: {}", p.name, f.message);
        }
        f
    }
}

/// The subject a condition reads: the rule's own stream when the condition
/// is about the same kind of stream, else the first stream of that kind.
fn condition_subject<'a>(
    def: &Field,
    facts: &'a FileFacts<'a>,
    subject: Subject<'a>,
) -> Subject<'a> {
    let kind = match def.scope {
        Scope::VideoStream => StreamKind::Video,
        Scope::AudioStream => StreamKind::Audio,
        _ => return Subject::default(),
    };
    let stream = subject
        .stream
        .filter(|s| s.kind == kind)
        .or_else(|| facts.streams(kind).first().copied());
    Subject {
        stream,
        programme: None,
    }
}

/// Where in the programme the maximum short-term loudness occurs.
fn moment(def: &Field, p: &Programme) -> Option<f64> {
    if def.key != "max_short_term_lufs" {
        return None;
    }
    let t = &p.short_term_timeline;
    let (i, _) = t
        .values_lufs
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    Some(i as f64 * t.interval_s)
}

/// The layout finding's sentence: what matched and what the match rests on.
fn layout_message(
    m: &super::layout::LayoutMatch,
    streams: &[&crate::probe::model::Stream],
    expected: &str,
) -> String {
    let sources = label_sources(streams);
    let given = streams.iter().any(|s| {
        s.audio.as_ref().map(|a| a.channel_labels)
            == Some(crate::probe::model::ChannelLabels::Given)
    });
    let tail = if given {
        "; the file does not label its channels"
    } else {
        ""
    };
    match (&m.matched, m.basis) {
        (Some(name), Some(MatchBasis::Labels)) => {
            format!("audio layout is `{name}`, by channel labels from {sources}{tail}")
        }
        (Some(name), Some(MatchBasis::SpecCounts)) if m.unlabelled => {
            format!(
                "audio layout is `{name}` (the spec counts channels per stream), {BY_COUNT_ONLY}"
            )
        }
        (Some(name), Some(MatchBasis::SpecCounts)) => {
            format!("audio layout is `{name}` (the spec counts channels per stream)")
        }
        (Some(name), _) => format!("audio layout matches `{name}` {BY_COUNT_ONLY}"),
        (None, _) if m.unlabelled => format!(
            "audio layout is {}; the spec allows {expected} (compared {BY_COUNT_ONLY})",
            m.actual
        ),
        (None, _) => format!("audio layout is {}; the spec allows {expected}", m.actual),
    }
}
