//! Programme loudness: BS.1770-4 integrated, EBU Tech 3342 LRA, max
//! momentary and short-term, and a short-term timeline.
//!
//! Every channel is K-weighted by its own one-channel `ebur128` instance whose
//! channel type carries the BS.1770 weight (`Ls`/`Rs` 1.41, `LFE` unused).
//! Each instance yields the mean weighted energy of consecutive 100 ms
//! sub-blocks ([`ChannelEnergy`]), so channels can be filtered on separate
//! threads. [`ProgrammeLoudness`] sums the channels' sub-blocks and derives
//! everything else exactly from them:
//! - momentary = the last 4 sub-blocks (400 ms), every 100 ms; these are also
//!   the BS.1770 gating blocks (400 ms, 75 % overlap);
//! - short-term = the last 30 sub-blocks (3 s), every 100 ms (10 Hz, as
//!   Tech 3342 asks; the crate's own LRA uses 1 Hz);
//! - integrated: absolute gate −70 LUFS, relative gate −10 LU;
//! - LRA: short-term values, absolute gate −70 LUFS, relative gate −20 LU,
//!   95th minus 10th percentile by nearest rank (rank `round(p·n)`, as
//!   FFmpeg's `ebur128` filter ranks them). Tech 3342's MATLAB reference
//!   (and libebur128) rank `round((n−1)·p) + 1`, which can pick the
//!   neighbouring short-term value: during a level change that is up to a
//!   few tenths of an LU, so we follow FFmpeg to agree with it within 0.1.
//!
//! Gating blocks and short-term values go into histograms of 0.01 LU bins
//! (with exact energy sums per bin), so memory does not grow with duration.

use ebur128::{Channel, EbuR128, Mode};
use std::collections::VecDeque;

/// Absolute gate, LUFS.
const ABSOLUTE_GATE_LUFS: f64 = -70.0;
/// Histogram range and resolution.
const HIST_MIN_LUFS: f64 = -70.0;
const HIST_MAX_LUFS: f64 = 20.0;
const HIST_BINS_PER_LU: f64 = 100.0;

/// The `ebur128` channel type (and so the BS.1770 weight) of a post
/// channel name: side surrounds 1.41 (BS.1770 Annex 3: 60°–120° azimuth),
/// LFE excluded, everything else (rear surrounds at ±135–150° included) 1.0.
pub fn channel_type(name: &str) -> Channel {
    match name {
        "LFE" | "LFE2" => Channel::Unused,
        "Ls" | "Lss" => Channel::LeftSurround,
        "Rs" | "Rss" => Channel::RightSurround,
        "R" | "Rt" => Channel::Right,
        "C" | "M" => Channel::Center,
        _ => Channel::Left,
    }
}

/// The channel type of `name` inside a programme of `channels` channels: a
/// programme of one channel is plain mono (weight 1.0) whatever its name,
/// since the 1.41 surround weight belongs to a position in a multichannel
/// programme; an LFE stays excluded.
pub fn programme_channel_type(name: &str, channels: usize) -> Channel {
    match channel_type(name) {
        Channel::Unused => Channel::Unused,
        _ if channels == 1 => Channel::Center,
        other => other,
    }
}

/// Converts a mean-square energy to LUFS (BS.1770: −0.691 + 10·log10).
pub fn energy_to_lufs(energy: f64) -> f64 {
    -0.691 + 10.0 * energy.log10()
}

fn lufs_to_energy(lufs: f64) -> f64 {
    10f64.powf((lufs + 0.691) / 10.0)
}

/// K-weighted energy of one channel in consecutive 100 ms sub-blocks.
pub struct ChannelEnergy {
    meter: EbuR128,
    per_block: usize,
    /// Samples of the current sub-block already given to the meter.
    filled: usize,
}

impl ChannelEnergy {
    /// A channel at `rate` Hz of type `channel` (see [`channel_type`]).
    pub fn new(rate: u32, channel: Channel) -> Result<Self, ebur128::Error> {
        let mut meter = EbuR128::new(1, rate, Mode::M)?;
        meter.set_channel(0, channel)?;
        Ok(ChannelEnergy {
            meter,
            // The crate's own 100 ms block length.
            per_block: (rate as usize + 5) / 10,
            filled: 0,
        })
    }

    /// Adds samples and appends the energy of every completed sub-block to `out`.
    pub fn push(&mut self, mut samples: &[f32], out: &mut Vec<f64>) -> Result<(), ebur128::Error> {
        while !samples.is_empty() {
            let take = (self.per_block - self.filled).min(samples.len());
            self.meter.add_frames_f32(&samples[..take])?;
            samples = &samples[take..];
            self.filled += take;
            if self.filled == self.per_block {
                self.filled = 0;
                let lufs = self.meter.loudness_window(100)?;
                out.push(if lufs.is_finite() {
                    lufs_to_energy(lufs)
                } else {
                    0.0
                });
            }
        }
        Ok(())
    }
}

/// Counts and energy sums in 0.01 LU bins.
#[derive(Debug, Clone)]
struct Histogram {
    counts: Vec<u64>,
    energy: Vec<f64>,
}

impl Histogram {
    fn new() -> Self {
        let bins = ((HIST_MAX_LUFS - HIST_MIN_LUFS) * HIST_BINS_PER_LU) as usize + 1;
        Histogram {
            counts: vec![0; bins],
            energy: vec![0.0; bins],
        }
    }

    fn bin(lufs: f64) -> usize {
        let i = ((lufs - HIST_MIN_LUFS) * HIST_BINS_PER_LU).floor().max(0.0) as usize;
        i.min(((HIST_MAX_LUFS - HIST_MIN_LUFS) * HIST_BINS_PER_LU) as usize)
    }

    fn bin_lufs(i: usize) -> f64 {
        HIST_MIN_LUFS + (i as f64 + 0.5) / HIST_BINS_PER_LU
    }

    /// Adds an energy if it passes the absolute gate.
    fn add(&mut self, energy: f64) {
        if energy <= 0.0 {
            return;
        }
        let lufs = energy_to_lufs(energy);
        if lufs < ABSOLUTE_GATE_LUFS {
            return;
        }
        let i = Self::bin(lufs);
        self.counts[i] += 1;
        self.energy[i] += energy;
    }

    /// The first bin at or above `gate_lu` below the power mean of everything.
    fn relative_gate_bin(&self, gate_lu: f64) -> Option<usize> {
        let n: u64 = self.counts.iter().sum();
        if n == 0 {
            return None;
        }
        let mean = self.energy.iter().sum::<f64>() / n as f64;
        let gate = energy_to_lufs(mean) + gate_lu;
        Some(if gate < HIST_MIN_LUFS {
            0
        } else {
            Self::bin(gate)
        })
    }

    /// BS.1770 gated loudness with a relative gate of −10 LU.
    fn integrated(&self) -> Option<f64> {
        let from = self.relative_gate_bin(-10.0)?;
        let n: u64 = self.counts[from..].iter().sum();
        let e: f64 = self.energy[from..].iter().sum();
        (n > 0).then(|| energy_to_lufs(e / n as f64))
    }

    /// Tech 3342 loudness range with a relative gate of −20 LU.
    fn range(&self) -> Option<f64> {
        let from = self.relative_gate_bin(-20.0)?;
        let n: u64 = self.counts[from..].iter().sum();
        if n == 0 {
            return None;
        }
        let nth = |q: f64| {
            // Nearest rank, 1-based, as FFmpeg computes it.
            let index = ((n as f64 * q + 0.5).floor() as u64).max(1) - 1;
            let mut seen = 0;
            for (i, &c) in self.counts.iter().enumerate().skip(from) {
                seen += c;
                if seen > index {
                    return Self::bin_lufs(i);
                }
            }
            Self::bin_lufs(self.counts.len() - 1)
        };
        Some(nth(0.95) - nth(0.10))
    }
}

/// Results of one programme's loudness.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LoudnessSummary {
    /// Integrated loudness, LUFS.
    pub integrated_lufs: Option<f64>,
    /// Loudness range, LU.
    pub loudness_range_lu: Option<f64>,
    /// Maximum momentary loudness, LUFS.
    pub max_momentary_lufs: Option<f64>,
    /// Maximum short-term loudness (full 3 s windows only), LUFS.
    pub max_short_term_lufs: Option<f64>,
    /// Short-term loudness at the end of every second, LUFS.
    pub short_term_per_second: Vec<Option<f64>>,
}

/// Combines channels' sub-block energies into programme loudness.
#[derive(Debug, Clone)]
pub struct ProgrammeLoudness {
    /// Sub-blocks received per channel, not yet combined.
    pending: Vec<VecDeque<f64>>,
    /// The last 30 combined sub-blocks.
    recent: VecDeque<f64>,
    blocks: u64,
    gating: Histogram,
    short_term: Histogram,
    max_momentary: f64,
    max_short_term: f64,
    timeline: Vec<Option<f64>>,
}

impl ProgrammeLoudness {
    /// A programme of `channels` channels.
    pub fn new(channels: usize) -> Self {
        ProgrammeLoudness {
            pending: vec![VecDeque::new(); channels],
            recent: VecDeque::with_capacity(31),
            blocks: 0,
            gating: Histogram::new(),
            short_term: Histogram::new(),
            max_momentary: f64::NEG_INFINITY,
            max_short_term: f64::NEG_INFINITY,
            timeline: Vec::new(),
        }
    }

    /// Adds sub-block energies of channel `channel` (in programme order).
    pub fn push(&mut self, channel: usize, energies: &[f64]) {
        let Some(queue) = self.pending.get_mut(channel) else {
            return;
        };
        queue.extend(energies);
        while self.pending.iter().all(|p| !p.is_empty()) {
            let sum = self
                .pending
                .iter_mut()
                .filter_map(VecDeque::pop_front)
                .sum();
            self.add_block(sum);
        }
    }

    fn add_block(&mut self, energy: f64) {
        self.recent.push_back(energy);
        if self.recent.len() > 30 {
            self.recent.pop_front();
        }
        self.blocks += 1;
        if self.blocks >= 4 {
            let m = self.recent.iter().rev().take(4).sum::<f64>() / 4.0;
            self.gating.add(m);
            self.max_momentary = self.max_momentary.max(energy_to_lufs(m));
        }
        let s = self.recent.iter().sum::<f64>() / 30.0;
        if self.blocks >= 30 {
            self.short_term.add(s);
            self.max_short_term = self.max_short_term.max(energy_to_lufs(s));
        }
        if self.blocks.is_multiple_of(10) {
            let lufs = energy_to_lufs(s);
            self.timeline
                .push((lufs >= ABSOLUTE_GATE_LUFS).then_some(round2(lufs)));
        }
    }

    /// Ends the programme: channels that stopped early (a shorter mono
    /// track) count as silent for the rest of it.
    pub fn finish(&mut self) {
        while self.pending.iter().any(|p| !p.is_empty()) {
            let sum = self
                .pending
                .iter_mut()
                .map(|p| p.pop_front().unwrap_or(0.0))
                .sum();
            self.add_block(sum);
        }
    }

    /// Momentary loudness (last 400 ms) at the latest sub-block, LUFS;
    /// `None` before 400 ms or when silent.
    pub fn momentary_lufs(&self) -> Option<f64> {
        self.window_lufs(4)
    }

    /// Short-term loudness (last 3 s) at the latest sub-block, LUFS;
    /// `None` before 3 s or when silent.
    pub fn short_term_lufs(&self) -> Option<f64> {
        self.window_lufs(30)
    }

    fn window_lufs(&self, blocks: usize) -> Option<f64> {
        if self.recent.len() < blocks {
            return None;
        }
        let e = self.recent.iter().rev().take(blocks).sum::<f64>() / blocks as f64;
        (e > 0.0).then(|| energy_to_lufs(e))
    }

    /// The results so far.
    pub fn summary(&self) -> LoudnessSummary {
        let finite = |v: f64| (v.is_finite() && v >= ABSOLUTE_GATE_LUFS).then_some(v);
        LoudnessSummary {
            integrated_lufs: self.gating.integrated(),
            loudness_range_lu: self.short_term.range(),
            max_momentary_lufs: finite(self.max_momentary),
            max_short_term_lufs: finite(self.max_short_term),
            short_term_per_second: self.timeline.clone(),
        }
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(amplitude: f64, seconds: f64) -> Vec<f32> {
        let n = (seconds * 48_000.0) as usize;
        (0..n)
            .map(|i| {
                (amplitude * (2.0 * std::f64::consts::PI * 997.0 * i as f64 / 48_000.0).sin())
                    as f32
            })
            .collect()
    }

    #[test]
    fn full_scale_997_hz_in_one_front_channel_is_minus_3() {
        let mut ch = ChannelEnergy::new(48_000, Channel::Left).unwrap();
        let mut out = Vec::new();
        ch.push(&sine(1.0, 10.0), &mut out).unwrap();
        let mut p = ProgrammeLoudness::new(1);
        p.push(0, &out);
        let s = p.summary();
        assert!((s.integrated_lufs.unwrap() + 3.01).abs() < 0.02, "{s:?}");
        assert_eq!(s.short_term_per_second.len(), 10);
        assert_eq!(s.loudness_range_lu, Some(0.0));
    }

    #[test]
    fn surround_weight_and_lfe_exclusion() {
        assert_eq!(channel_type("LFE"), Channel::Unused);
        let energy = |channel| {
            let mut ch = ChannelEnergy::new(48_000, channel).unwrap();
            let mut out = Vec::new();
            ch.push(&sine(0.5, 2.0), &mut out).unwrap();
            out[10]
        };
        let ratio = energy(Channel::LeftSurround) / energy(Channel::Left);
        assert!((ratio - 1.41).abs() < 0.01, "{ratio}");
        assert_eq!(energy(Channel::Unused), 0.0);
    }

    #[test]
    fn a_channel_that_ends_early_counts_as_silent() {
        let mut p = ProgrammeLoudness::new(2);
        p.push(0, &[1.0; 50]);
        p.push(1, &[1.0; 20]);
        assert_eq!(p.summary().short_term_per_second.len(), 2);
        p.finish();
        let s = p.summary();
        assert_eq!(s.short_term_per_second.len(), 5);
        let i = s.integrated_lufs.unwrap();
        assert!(i > energy_to_lufs(1.0) && i < energy_to_lufs(2.0), "{i}");
    }

    #[test]
    fn silence_has_no_loudness() {
        let mut p = ProgrammeLoudness::new(2);
        p.push(0, &[0.0; 100]);
        p.push(1, &[0.0; 100]);
        let s = p.summary();
        assert_eq!(s.integrated_lufs, None);
        assert_eq!(s.loudness_range_lu, None);
        assert_eq!(s.max_momentary_lufs, None);
        assert_eq!(s.short_term_per_second, vec![None; 10]);
    }
}
