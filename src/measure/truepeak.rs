//! True peak of one channel (ITU-R BS.1770-4 Annex 2), fast and exact.
//!
//! The interpolator is the one the `ebur128` crate (and libebur128) uses: a
//! 48-tap Hann-windowed sinc, 4× oversampling below 96 kHz, 2× below
//! 192 kHz, none above; the true peak is the larger of the interpolated
//! and the sample peak. The result equals the crate's (a unit test checks
//! it) but is computed much faster, because oversampling dominates the cost
//! of a measurement:
//! - the samples are processed in blocks of [`BLOCK`] outputs, with the
//!   filter loops written over contiguous slices so that they vectorise;
//! - a block is skipped when it cannot raise the peak: no interpolated value
//!   can exceed the block's largest input magnitude times the largest L1
//!   norm of a filter phase, so when that bound is at or below the peak
//!   found so far the block cannot change the result.

use std::f64::consts::PI;

/// Taps of the interpolation filter (all phases together).
const TAPS: usize = 48;
/// Outputs per block: small enough that quiet stretches are skipped,
/// large enough for the loops to vectorise.
const BLOCK: usize = 32;

/// Streaming true-peak meter for one channel.
#[derive(Debug, Clone)]
pub struct TruePeak {
    /// Coefficients per phase, `phases[p][t]` applies to `x[n - t]`.
    phases: Vec<Vec<f32>>,
    /// Largest L1 norm of a phase, times a margin for rounding.
    bound_gain: f32,
    /// The last `taps_per_phase - 1` inputs, followed by the current chunk.
    buf: Vec<f32>,
    /// Largest magnitude so far (sample or interpolated).
    peak: f32,
}

impl TruePeak {
    /// A meter for a channel sampled at `rate` Hz.
    pub fn new(rate: u32) -> Self {
        let factor = if rate < 96_000 {
            4
        } else if rate < 192_000 {
            2
        } else {
            1
        };
        let all = if factor == 1 {
            Vec::new()
        } else {
            filter_phases(factor)
        };
        let taps = all.first().map_or(1, Vec::len);
        // Phase 0 of a windowed sinc is a pure delay (one tap of 1.0, the rest
        // ~1e-17): its output is the input, already counted as sample peak.
        let phases: Vec<Vec<f32>> = all.into_iter().filter(|p| !is_delay(p)).collect();
        let l1 = phases
            .iter()
            .map(|p| p.iter().map(|c| c.abs()).sum::<f32>())
            .fold(1.0f32, f32::max);
        TruePeak {
            phases,
            bound_gain: l1 * 1.0001,
            buf: vec![0.0; taps - 1],
            peak: 0.0,
        }
    }

    /// Adds the next samples of the channel.
    pub fn push(&mut self, samples: &[f32]) {
        let sample_peak = max_abs(samples);
        if sample_peak > self.peak {
            self.peak = sample_peak;
        }
        if self.buf.is_empty() {
            return;
        }
        let history = self.buf.len();
        self.buf.extend_from_slice(samples);
        let mut start = history;
        while start < self.buf.len() {
            let end = (start + BLOCK).min(self.buf.len());
            self.scan_block(start, end, history);
            start = end;
        }
        self.buf.drain(..self.buf.len() - history);
    }

    /// Interpolates outputs for inputs `buf[start..end]` unless they cannot
    /// raise the peak.
    fn scan_block(&mut self, start: usize, end: usize, history: usize) {
        let local = max_abs(&self.buf[start - history..end]);
        if local * self.bound_gain <= self.peak {
            return;
        }
        let len = end - start;
        for phase in &self.phases {
            let mut acc = [0.0f32; BLOCK];
            let acc = &mut acc[..len];
            for (t, &c) in phase.iter().enumerate() {
                let src = &self.buf[start - t..end - t];
                for (a, &x) in acc.iter_mut().zip(src) {
                    *a += c * x;
                }
            }
            let m = max_abs(acc);
            if m > self.peak {
                self.peak = m;
            }
        }
    }

    /// True peak so far, linear (1.0 = full scale).
    pub fn peak(&self) -> f64 {
        f64::from(self.peak)
    }
}

/// Whether a phase only passes one input through unchanged.
fn is_delay(phase: &[f32]) -> bool {
    let big: Vec<f32> = phase.iter().copied().filter(|c| c.abs() > 1e-6).collect();
    big.len() == 1 && (big[0] - 1.0).abs() < 1e-6
}

/// Largest magnitude in `x` (0 when empty).
pub fn max_abs(x: &[f32]) -> f32 {
    // Eight lanes so that the compiler can vectorise without reassociation.
    let mut lanes = [0.0f32; 8];
    let mut chunks = x.chunks_exact(8);
    for chunk in &mut chunks {
        for (l, &v) in lanes.iter_mut().zip(chunk) {
            *l = l.max(v.abs());
        }
    }
    let tail = chunks
        .remainder()
        .iter()
        .fold(0.0f32, |m, v| m.max(v.abs()));
    lanes.iter().fold(tail, |m, &v| m.max(v))
}

/// The libebur128 interpolation filter split into `factor` phases.
fn filter_phases(factor: usize) -> Vec<Vec<f32>> {
    let per_phase = TAPS / factor;
    let window = TAPS as f64;
    let mut phases = vec![vec![0.0f32; per_phase]; factor];
    for j in 0..TAPS {
        let jf = j as f64;
        let w = 0.5 * (1.0 - (2.0 * PI * jf / window).cos());
        let m = jf - window / 2.0;
        let c = if m.abs() > 0.000001 {
            w * (m * PI / factor as f64).sin() / (m * PI / factor as f64)
        } else {
            w
        };
        phases[j % factor][j / factor] = c as f32;
    }
    phases
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crate_true_peak(x: &[f32], rate: u32) -> f64 {
        let mut m = ebur128::EbuR128::new(1, rate, ebur128::Mode::TRUE_PEAK).unwrap();
        for chunk in x.chunks(1000) {
            m.add_frames_f32(chunk).unwrap();
        }
        m.true_peak(0).unwrap()
    }

    fn noise(n: usize, seed: u32) -> Vec<f32> {
        let mut s = seed;
        (0..n)
            .map(|i| {
                s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let r = (s >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
                let sine = (i as f32 * 0.9).sin() * 0.3;
                r * 0.5 + sine
            })
            .collect()
    }

    #[test]
    fn matches_the_ebur128_crate() {
        for (rate, seed) in [(48_000, 1), (44_100, 2), (96_000, 3), (192_000, 4)] {
            let x = noise(20_000, seed);
            let mut tp = TruePeak::new(rate);
            for chunk in x.chunks(777) {
                tp.push(chunk);
            }
            let expected = crate_true_peak(&x, rate);
            assert!(
                (tp.peak() - expected).abs() < 1e-5,
                "{rate}: {} vs {expected}",
                tp.peak()
            );
        }
    }

    #[test]
    fn inter_sample_peak_above_sample_peak() {
        // fs/4 at 45°: samples at ±0.707, true peak 1.0.
        let x: Vec<f32> = (0..4800)
            .map(|i| (PI / 2.0 * i as f64 + PI / 4.0).sin() as f32)
            .collect();
        let mut tp = TruePeak::new(48_000);
        tp.push(&x);
        assert!(max_abs(&x) < 0.71);
        assert!(tp.peak() > 0.95, "{}", tp.peak());
    }
}
