//! Measuring one file: decode once, analyse every channel in parallel,
//! combine per programme.
//!
//! The calling thread demuxes and decodes (and checks stereo phase); each
//! channel's samples go to one of a few worker threads, which K-weight it
//! (one-channel `ebur128`), oversample it for true peak and run the silence,
//! clipping and DC detectors. Workers hand 100 ms loudness sub-blocks to
//! their programme's combiner. Channels travel over bounded queues, so the
//! decoder never runs far ahead and memory stays flat.

use super::decode::{decode_audio, AudioSource, DecodedFrame, StreamDecodeReport};
use super::faults::{ChannelFaults, FaultSettings, PhaseDetector};
use super::loudness::{programme_channel_type, ChannelEnergy, ProgrammeLoudness};
use super::model::AudioMeasurements;
use super::pairs::StereoPair;
use super::programme::{plan_programmes_by, ProgrammePlan};
use super::report::{collect_faults, programme_result, timecode_base, SlotResult};
use super::router::{Batch, Router};
use super::truepeak::{max_abs, TruePeak};
use crate::error::{FileProblem, ProblemKind};
use crate::probe::model::{MediaInfo, StreamKind};
use ebur128::Channel;
use std::collections::HashMap;
use std::path::Path;
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender};
use std::sync::Mutex;

/// Settings of a measurement. [`Default`] gives the documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureOptions {
    /// Post names of every audio channel in file order (`--layout`), used
    /// to group mono tracks into programmes.
    pub layout: Option<Vec<String>>,
    /// Where `layout` came from, as each programme's `grouping` says
    /// (default: given by the operator, `--layout`).
    pub layout_origin: super::model::Grouping,
    /// Silence: every sample below this level, dBFS (default −60).
    pub silence_threshold_dbfs: f64,
    /// Silence: for at least this long, seconds (default 2).
    pub silence_min_s: f64,
    /// Clipping: at least this many consecutive full-scale samples (default 3).
    pub clip_min_run: u32,
    /// DC offset: mean sample value at or above this level, dBFS (default −40).
    pub dc_threshold_dbfs: f64,
    /// Phase: stereo correlation over 1 s windows below this (default −0.5).
    pub phase_correlation_limit: f64,
    /// Worker threads; 0 = one per core.
    pub threads: usize,
}

impl Default for MeasureOptions {
    fn default() -> Self {
        MeasureOptions {
            layout: None,
            layout_origin: super::model::Grouping::GivenLayout,
            silence_threshold_dbfs: -60.0,
            silence_min_s: 2.0,
            clip_min_run: 3,
            dc_threshold_dbfs: -40.0,
            phase_correlation_limit: -0.5,
            threads: 0,
        }
    }
}

/// A channel of the file and everything measured on it.
struct Slot {
    stream_index: usize,
    channel: usize,
    rate: u32,
    /// Programme and member index of the loudness combiner, if weighted.
    member: Option<(usize, usize)>,
    energy: Option<ChannelEnergy>,
    true_peak: TruePeak,
    sample_peak: f32,
    faults: ChannelFaults,
}

/// Measures loudness, peaks and faults of every audio programme of `path`.
pub fn measure_file(
    path: &Path,
    info: &MediaInfo,
    opts: &MeasureOptions,
) -> Result<AudioMeasurements, FileProblem> {
    measure_source(AudioSource::File(path), info, opts)
}

/// Measures loudness, peaks and faults of every audio programme of the
/// file whose packets `source` gives (its own read of the file, or a feed
/// from the file's one demux pass).
pub fn measure_source(
    source: AudioSource<'_>,
    info: &MediaInfo,
    opts: &MeasureOptions,
) -> Result<AudioMeasurements, FileProblem> {
    // Decoding runs on this thread: what FFmpeg logs meanwhile is this file's.
    let (result, log) = crate::ffmpeg_log::capture(|| measure_captured(source, info, opts));
    result.map(|m| AudioMeasurements {
        ffmpeg_log: log,
        ..m
    })
}

fn measure_captured(
    source: AudioSource<'_>,
    info: &MediaInfo,
    opts: &MeasureOptions,
) -> Result<AudioMeasurements, FileProblem> {
    // A header's claims are bounded before a channel is allocated for them
    // (the probe refuses such files too; `info` may come from elsewhere).
    if let Some(problem) = crate::probe::limits::check(&info.streams) {
        return Err(problem);
    }
    let plans = plan_programmes_by(info, opts.layout.as_deref(), opts.layout_origin);
    let rates = stream_rates(info);
    let (slots, members) = build_slots(&plans, &rates, opts)?;
    if slots.is_empty() {
        return Ok(AudioMeasurements::default());
    }
    let meters: Vec<Mutex<ProgrammeLoudness>> = members
        .iter()
        .map(|&n| Mutex::new(ProgrammeLoudness::new(n)))
        .collect();
    let mut phase = stereo_pairs(&plans, &rates, opts);
    let streams = decode_list(&slots);
    let (reports, results) = run_workers(source, slots, &meters, &streams, &mut phase, opts)?;
    if let Some(problem) = undecodable(&reports) {
        return Err(problem);
    }
    let tc = timecode_base(info);
    let faults = collect_faults(&results, phase, &reports, &rates, opts, tc.as_ref());
    let programmes = plans
        .iter()
        .zip(&meters)
        .map(|(plan, meter)| {
            let summary = meter
                .lock()
                .map(|mut m| {
                    m.finish();
                    m.summary()
                })
                .unwrap_or_default();
            programme_result(plan, summary, &results)
        })
        .collect();
    Ok(AudioMeasurements {
        programmes,
        faults,
        ffmpeg_log: Vec::new(),
    })
}

/// A stream that decoded to errors throughout (nothing but errors, no
/// sound at all) makes the file damaged rather than a file with faults.
fn undecodable(reports: &[StreamDecodeReport]) -> Option<FileProblem> {
    let r = reports.iter().find(|r| r.samples == 0 && r.errors > 0)?;
    Some(FileProblem::new(
        ProblemKind::Corrupt,
        format!(
            "damaged: audio stream {} does not decode: {} error(s) and no sound (first: {})",
            r.stream_index,
            r.errors,
            r.first_error.as_deref().unwrap_or("unknown")
        ),
    ))
}

/// Sample rate of every audio stream.
fn stream_rates(info: &MediaInfo) -> HashMap<usize, u32> {
    info.streams
        .iter()
        .filter(|s| s.kind == StreamKind::Audio)
        .filter_map(|s| Some((s.index, s.audio.as_ref()?.sample_rate)))
        .collect()
}

/// One slot per channel of every programme, and the number of weighted
/// members of each programme.
fn build_slots(
    plans: &[ProgrammePlan],
    rates: &HashMap<usize, u32>,
    opts: &MeasureOptions,
) -> Result<(Vec<Slot>, Vec<usize>), FileProblem> {
    let mut slots = Vec::new();
    let mut members = Vec::new();
    for (p, plan) in plans.iter().enumerate() {
        let mut weighted = 0;
        for source in &plan.channels {
            let rate = rates
                .get(&source.stream_index)
                .copied()
                .filter(|&r| r > 0)
                .ok_or_else(|| {
                    FileProblem::new(
                        ProblemKind::Corrupt,
                        format!("audio stream {} has no sample rate", source.stream_index),
                    )
                })?;
            let kind = programme_channel_type(&source.name, plan.channels.len());
            let (energy, member) = if kind == Channel::Unused {
                (None, None)
            } else {
                let energy = ChannelEnergy::new(rate, kind).map_err(meter_problem)?;
                weighted += 1;
                (Some(energy), Some((p, weighted - 1)))
            };
            slots.push(Slot {
                stream_index: source.stream_index,
                channel: source.channel,
                rate,
                member,
                energy,
                true_peak: TruePeak::new(rate),
                sample_peak: 0.0,
                faults: ChannelFaults::new(fault_settings(opts, rate)),
            });
        }
        members.push(weighted);
    }
    Ok((slots, members))
}

fn meter_problem(e: ebur128::Error) -> FileProblem {
    FileProblem::new(
        ProblemKind::Corrupt,
        format!("failed to set up the loudness meter: {e}"),
    )
}

fn fault_settings(opts: &MeasureOptions, rate: u32) -> FaultSettings {
    FaultSettings {
        silence_threshold: db_to_linear(opts.silence_threshold_dbfs) as f32,
        silence_min_samples: (opts.silence_min_s * f64::from(rate)).round().max(1.0) as u64,
        // One LSB below full scale at 16 bits still counts as full scale.
        clip_level: 32_766.5 / 32_768.0,
        clip_min_run: opts.clip_min_run.max(1),
        clip_merge_samples: u64::from(rate),
        dc_threshold: db_to_linear(opts.dc_threshold_dbfs),
    }
}

fn db_to_linear(db: f64) -> f64 {
    10f64.powf(db / 20.0)
}

/// Phase checks for every `L R` / `Lt Rt` pair of a programme (within one
/// stream or across mono tracks).
fn stereo_pairs(
    plans: &[ProgrammePlan],
    rates: &HashMap<usize, u32>,
    opts: &MeasureOptions,
) -> Vec<StereoPair> {
    let mut out = Vec::new();
    for plan in plans {
        for (l, r) in [("L", "R"), ("Lt", "Rt")] {
            let find = |n: &str| plan.channels.iter().find(|c| c.name == n);
            let (Some(left), Some(right)) = (find(l), find(r)) else {
                continue;
            };
            let rate = rates.get(&left.stream_index).copied().unwrap_or(48_000);
            if rates.get(&right.stream_index) != Some(&rate) {
                continue;
            }
            let min_energy = db_to_linear(opts.silence_threshold_dbfs).powi(2);
            let detector =
                PhaseDetector::new(u64::from(rate), opts.phase_correlation_limit, min_energy);
            out.push(StereoPair::new(left, right, detector));
        }
    }
    out
}

/// The streams to decode with their channel counts.
fn decode_list(slots: &[Slot]) -> Vec<(usize, usize)> {
    let mut streams: Vec<(usize, usize)> = Vec::new();
    for s in slots {
        match streams.iter_mut().find(|(i, _)| *i == s.stream_index) {
            Some(entry) => entry.1 = entry.1.max(s.channel + 1),
            None => streams.push((s.stream_index, s.channel + 1)),
        }
    }
    streams
}

/// Decodes on this thread while workers analyse the channels.
fn run_workers(
    source: AudioSource<'_>,
    slots: Vec<Slot>,
    meters: &[Mutex<ProgrammeLoudness>],
    streams: &[(usize, usize)],
    phase: &mut [StereoPair],
    opts: &MeasureOptions,
) -> Result<(Vec<StreamDecodeReport>, Vec<SlotResult>), FileProblem> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = if opts.threads == 0 {
        cores
    } else {
        opts.threads
    }
    .clamp(1, slots.len());
    let assignment = balance(&slots, workers);
    let owners: Vec<(usize, usize, usize)> = slots
        .iter()
        .enumerate()
        .map(|(i, s)| (s.stream_index, s.channel, assignment[i]))
        .collect();
    let mut per_worker: Vec<Vec<(usize, Slot)>> = (0..workers).map(|_| Vec::new()).collect();
    for (i, slot) in slots.into_iter().enumerate() {
        per_worker[assignment[i]].push((i, slot));
    }
    let (recycle_tx, recycle_rx) = channel::<Vec<f32>>();
    std::thread::scope(|scope| {
        let mut senders = Vec::new();
        let mut handles = Vec::new();
        for owned in per_worker {
            let (tx, rx) = sync_channel::<Batch>(4);
            senders.push(tx);
            let recycle = recycle_tx.clone();
            handles.push(scope.spawn(move || worker(rx, recycle, owned, meters)));
        }
        drop(recycle_tx);
        let mut router = Router::new(&owners, senders, recycle_rx);
        let decoded = decode_audio(source, streams, |frame: &DecodedFrame| {
            check_phase(frame, phase);
            router.push(frame.stream_index, &frame.planes);
        });
        router.finish();
        let mut results = Vec::new();
        for handle in handles {
            let done = handle.join().map_err(|_| {
                FileProblem::new(ProblemKind::Corrupt, "a measurement thread failed")
            })?;
            results.extend(done?);
        }
        results.sort_by_key(|(i, _)| *i);
        Ok((decoded?, results.into_iter().map(|(_, r)| r).collect()))
    })
}

/// Assigns each slot to a worker, heaviest first to the least loaded: a
/// K-weighted channel costs about twice one that only gets true peak and
/// fault detection (LFE).
fn balance(slots: &[Slot], workers: usize) -> Vec<usize> {
    let cost = |s: &Slot| if s.energy.is_some() { 2 } else { 1 };
    let mut order: Vec<usize> = (0..slots.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(cost(&slots[i])));
    let mut load = vec![0; workers];
    let mut assignment = vec![0; slots.len()];
    for i in order {
        let w = (0..workers).min_by_key(|&w| load[w]).unwrap_or(0);
        load[w] += cost(&slots[i]);
        assignment[i] = w;
    }
    assignment
}

/// Feeds the stereo pairs of a frame to their phase detectors.
fn check_phase(frame: &DecodedFrame, pairs: &mut [StereoPair]) {
    for pair in pairs {
        if pair.left.0 == frame.stream_index || pair.right.0 == frame.stream_index {
            pair.push(frame.stream_index, &frame.planes);
        }
    }
}

/// Analyses the channels it owns until the decoder hangs up.
fn worker(
    rx: Receiver<Batch>,
    recycle: Sender<Vec<f32>>,
    owned: Vec<(usize, Slot)>,
    meters: &[Mutex<ProgrammeLoudness>],
) -> Result<Vec<(usize, SlotResult)>, FileProblem> {
    let mut slots: HashMap<usize, Slot> = owned.into_iter().collect();
    let mut energies = Vec::new();
    for (id, mut samples) in rx.into_iter().flatten() {
        let Some(slot) = slots.get_mut(&id) else {
            continue;
        };
        // First, so that samples that are not numbers are counted and
        // zeroed before anything measures them.
        slot.faults.push(&mut samples);
        slot.sample_peak = slot.sample_peak.max(max_abs(&samples));
        slot.true_peak.push(&samples);
        if let (Some(energy), Some((p, m))) = (slot.energy.as_mut(), slot.member) {
            energies.clear();
            energy
                .push(&samples, &mut energies)
                .map_err(meter_problem)?;
            if !energies.is_empty() {
                if let Ok(mut meter) = meters[p].lock() {
                    meter.push(m, &energies);
                }
            }
        }
        samples.clear();
        // Once the decoder has finished nobody takes buffers back; drop them.
        recycle.send(samples).ok();
    }
    Ok(slots
        .into_iter()
        .map(|(id, s)| {
            let result = SlotResult {
                stream_index: s.stream_index,
                channel: s.channel,
                rate: s.rate,
                true_peak: s.true_peak.peak(),
                sample_peak: f64::from(s.sample_peak),
                samples: s.faults.position(),
                invalid_samples: s.faults.invalid_samples(),
                findings: s.faults.finish(),
            };
            (id, result)
        })
        .collect())
}
