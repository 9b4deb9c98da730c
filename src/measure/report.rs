//! Turning detector findings and per-channel results into the reported
//! [`Programme`]s and [`Fault`]s: units, rounding, timecodes, messages.

use super::decode::StreamDecodeReport;
use super::faults::{Finding, InvalidSpan};
use super::loudness::LoudnessSummary;
use super::model::{ChannelSource, Fault, FaultKind, Programme, Timeline};
use super::pairs::StereoPair;
use super::programme::ProgrammePlan;
use super::run::MeasureOptions;
use super::timecode::TimecodeBase;
use crate::probe::model::MediaInfo;
use std::collections::HashMap;

/// Everything found on one channel once decoding is over.
pub(super) struct SlotResult {
    pub stream_index: usize,
    pub channel: usize,
    pub rate: u32,
    pub true_peak: f64,
    pub sample_peak: f64,
    /// Samples of the channel, valid or not.
    pub samples: u64,
    /// Samples that were not numbers (measured as silence).
    pub invalid_samples: u64,
    pub findings: Vec<Finding>,
}

/// A programme gets no loudness at all when more than this share of the
/// samples of one of its channels are not numbers: what is left is not the
/// programme.
pub(super) const MOSTLY_INVALID: f64 = 0.5;

impl SlotResult {
    /// The share of the channel's samples that are not numbers, when it is
    /// so large that its programme cannot be measured.
    fn withholds_loudness(&self) -> Option<f64> {
        let share = self.invalid_samples as f64 / self.samples.max(1) as f64;
        (self.invalid_samples > 0 && share > MOSTLY_INVALID).then_some(share)
    }
}

/// Every fault of the file, sorted by stream, channel and position.
pub(super) fn collect_faults(
    results: &[SlotResult],
    pairs: Vec<StereoPair>,
    reports: &[StreamDecodeReport],
    rates: &HashMap<usize, u32>,
    opts: &MeasureOptions,
    tc: Option<&TimecodeBase>,
) -> Vec<Fault> {
    let rate_of = |stream: usize| rates.get(&stream).copied().unwrap_or(48_000);
    let mut faults = Vec::new();
    for r in results {
        let channel = Some(r.channel);
        let withheld = r.withholds_loudness();
        faults.extend(r.findings.iter().map(|f| {
            let mut fault = to_fault(f, r.stream_index, channel, r.rate, opts, tc);
            if let (FaultKind::InvalidSamples, Some(share)) = (fault.kind, withheld) {
                fault.message = format!(
                    "{}: {:.0}% of the channel, so the loudness of its programme is not measured",
                    fault.message.trim_end_matches("; measured as silence"),
                    100.0 * share
                );
            }
            fault
        }));
    }
    for pair in pairs {
        let (stream, left) = pair.left;
        let rate = rate_of(stream);
        let found = pair.finish();
        faults.extend(
            found
                .iter()
                .map(|f| to_fault(f, stream, Some(left), rate, opts, tc)),
        );
    }
    for report in reports {
        faults.extend(decode_fault(report, rate_of(report.stream_index), tc));
    }
    let mut faults = merge_whole_stream(faults, results);
    faults.sort_by(|a, b| {
        (a.stream_index, a.channel, a.start_s)
            .partial_cmp(&(b.stream_index, b.channel, b.start_s))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    faults
}

/// Start timecode of the file with the video frame rate (25 without video).
pub(super) fn timecode_base(info: &MediaInfo) -> Option<TimecodeBase> {
    let tc = info.container.start_timecode.as_deref()?;
    let fps = info
        .streams
        .iter()
        .filter_map(|s| s.video.as_ref()?.frame_rate_fps)
        .find(|&f| f > 0.0)
        .unwrap_or(25.0);
    TimecodeBase::parse(tc, fps)
}

fn to_db(linear: f64) -> Option<f64> {
    (linear > 0.0).then(|| round2(20.0 * linear.log10()))
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

pub(super) fn programme_result(
    plan: &ProgrammePlan,
    summary: LoudnessSummary,
    results: &[SlotResult],
) -> Programme {
    let channel_result = |c: &ChannelSource| {
        results
            .iter()
            .find(|r| r.stream_index == c.stream_index && r.channel == c.channel)
    };
    let tp: Vec<Option<f64>> = plan
        .channels
        .iter()
        .map(|c| channel_result(c).and_then(|r| to_db(r.true_peak)))
        .collect();
    let sample_peak = plan
        .channels
        .iter()
        .filter_map(|c| channel_result(c).map(|r| r.sample_peak))
        .fold(0.0, f64::max);
    let withheld = plan
        .channels
        .iter()
        .find_map(|c| channel_result(c).and_then(SlotResult::withholds_loudness));
    let programme = Programme {
        name: plan.name.clone(),
        channels: plan.channels.clone(),
        grouping: plan.grouping,
        integrated_lufs: summary.integrated_lufs.map(round2),
        loudness_range_lu: summary.loudness_range_lu.map(round2),
        true_peak_dbtp: tp.iter().flatten().copied().reduce(f64::max),
        true_peak_per_channel_dbtp: tp,
        sample_peak_dbfs: to_db(sample_peak),
        max_momentary_lufs: summary.max_momentary_lufs.map(round2),
        max_short_term_lufs: summary.max_short_term_lufs.map(round2),
        short_term_timeline: Timeline {
            interval_s: 1.0,
            values_lufs: summary.short_term_per_second,
        },
    };
    if withheld.is_none() {
        return programme;
    }
    // Mostly samples that are not numbers: no loudness, no peaks.
    Programme {
        integrated_lufs: None,
        loudness_range_lu: None,
        true_peak_dbtp: None,
        true_peak_per_channel_dbtp: vec![None; plan.channels.len()],
        sample_peak_dbfs: None,
        max_momentary_lufs: None,
        max_short_term_lufs: None,
        short_term_timeline: Timeline {
            interval_s: 1.0,
            values_lufs: Vec::new(),
        },
        ..programme
    }
}

/// A detector's finding as a reported fault.
fn to_fault(
    finding: &Finding,
    stream_index: usize,
    channel: Option<usize>,
    rate: u32,
    opts: &MeasureOptions,
    tc: Option<&TimecodeBase>,
) -> Fault {
    let secs = |samples: u64| samples as f64 / f64::from(rate);
    let count = match *finding {
        Finding::Clipping { runs, .. } => Some(runs),
        Finding::InvalidSamples(span) => Some(span.nan + span.infinite),
        _ => None,
    };
    let (kind, start, len, message) = match *finding {
        Finding::Silence { start, len } => (
            FaultKind::Silence,
            start,
            len,
            format!(
                "silence for {:.1} s below {} dBFS",
                secs(len),
                opts.silence_threshold_dbfs
            ),
        ),
        Finding::SilentChannel { len } => (
            FaultKind::SilentChannel,
            0,
            len,
            format!(
                "channel silent throughout (below {} dBFS)",
                opts.silence_threshold_dbfs
            ),
        ),
        Finding::Clipping {
            start,
            len,
            runs,
            samples,
        } => (
            FaultKind::Clipping,
            start,
            len,
            format!(
                "{runs} run(s) of at least {} full-scale samples ({samples} samples)",
                opts.clip_min_run
            ),
        ),
        Finding::DcOffset { mean, len } => (
            FaultKind::DcOffset,
            0,
            len,
            format!(
                "DC offset: mean {mean:+.4} ({:.1} dBFS)",
                20.0 * mean.abs().log10()
            ),
        ),
        Finding::InvalidSamples(span) => (
            FaultKind::InvalidSamples,
            span.start,
            span.len,
            invalid_message(&span),
        ),
        Finding::PhaseInverted {
            start,
            len,
            correlation,
        } => (
            FaultKind::PhaseInverted,
            start,
            len,
            format!(
                "stereo correlation down to {correlation:.2} for {:.1} s (phase problem)",
                secs(len)
            ),
        ),
    };
    Fault {
        kind,
        stream_index,
        channel,
        start_s: round3(secs(start)),
        duration_s: round3(secs(len)),
        count,
        timecode: tc.map(|t| t.at(secs(start))),
        message,
    }
}

/// "1 sample is not a number (NaN)", "3 samples are not numbers (1 NaN,
/// 2 infinite) in 2 runs".
fn invalid_message(span: &InvalidSpan) -> String {
    let n = span.nan + span.infinite;
    let what = match (span.nan, span.infinite) {
        (_, 0) => "NaN".to_string(),
        (0, _) => "infinite".to_string(),
        (nan, inf) => format!("{nan} NaN, {inf} infinite"),
    };
    let runs = if span.runs > 1 {
        format!(" in {} runs", span.runs)
    } else {
        String::new()
    };
    let verb = if n == 1 {
        "sample is not a number"
    } else {
        "samples are not numbers"
    };
    format!("{n} {verb} ({what}){runs}; measured as silence")
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// Silence found on every channel of a multi-channel stream at the same
/// time is reported once for the stream (`channel: null`).
fn merge_whole_stream(faults: Vec<Fault>, results: &[SlotResult]) -> Vec<Fault> {
    let channels_of = |stream: usize| results.iter().filter(|r| r.stream_index == stream).count();
    let same_span = |a: &Fault, b: &Fault| {
        a.kind == b.kind
            && a.stream_index == b.stream_index
            && a.start_s == b.start_s
            && a.duration_s == b.duration_s
    };
    let mut out: Vec<Fault> = Vec::new();
    for fault in &faults {
        let mergeable = matches!(fault.kind, FaultKind::Silence | FaultKind::SilentChannel);
        let n = channels_of(fault.stream_index);
        if !mergeable || n < 2 {
            out.push(fault.clone());
            continue;
        }
        let together = faults.iter().filter(|f| same_span(f, fault)).count();
        if together < n {
            out.push(fault.clone());
        } else if !out
            .iter()
            .any(|f| same_span(f, fault) && f.channel.is_none())
        {
            let message = match fault.kind {
                FaultKind::SilentChannel => fault.message.replace("channel silent", "track silent"),
                _ => format!("{} (all {n} channels)", fault.message),
            };
            out.push(Fault {
                channel: None,
                message,
                ..fault.clone()
            });
        }
    }
    out
}

/// The decode-error fault of a stream, if any.
fn decode_fault(
    report: &StreamDecodeReport,
    rate: u32,
    tc: Option<&TimecodeBase>,
) -> Option<Fault> {
    let first = report.first_error_sample?;
    let start_s = first as f64 / f64::from(rate);
    Some(Fault {
        kind: FaultKind::DecodeError,
        stream_index: report.stream_index,
        channel: None,
        start_s: round3(start_s),
        duration_s: 0.0,
        count: Some(report.errors),
        timecode: tc.map(|t| t.at(start_s)),
        message: format!(
            "{} decode error(s); first: {}",
            report.errors,
            report.first_error.as_deref().unwrap_or("unknown")
        ),
    })
}
