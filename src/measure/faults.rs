//! Streaming fault detectors: invalid samples, silence, clipping, DC offset
//! (per channel) and phase (per stereo pair). Each is a small state machine
//! fed one chunk at a time; positions are in samples from the start of the
//! stream.
//!
//! Samples that are not numbers (NaN, ±inf: only float PCM can hold them)
//! are counted with their positions and replaced by silence in the buffer,
//! so that nothing downstream (loudness, true peak) is poisoned by them; to
//! the silence detector they are not silence, to the clipping and DC
//! detectors they are not samples.

/// Detector settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaultSettings {
    /// Silence: every sample below this magnitude (linear).
    pub silence_threshold: f32,
    /// Silence: at least this many samples.
    pub silence_min_samples: u64,
    /// Clipping: a sample at or above this magnitude is at full scale.
    pub clip_level: f32,
    /// Clipping: at least this many consecutive full-scale samples.
    pub clip_min_run: u32,
    /// Clipping runs closer than this many samples are reported as one fault.
    pub clip_merge_samples: u64,
    /// DC offset: a channel whose mean magnitude is at or above this (linear).
    pub dc_threshold: f64,
}

/// Samples that are not numbers, one run or a merged span of runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InvalidSpan {
    /// First invalid sample.
    pub start: u64,
    /// Span from the first to the last invalid sample.
    pub len: u64,
    /// Number of runs of consecutive invalid samples.
    pub runs: u64,
    /// Number of NaN samples.
    pub nan: u64,
    /// Number of infinite samples (+inf or −inf).
    pub infinite: u64,
}

/// What a detector found.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// Below the threshold from `start` for `len` samples.
    Silence {
        /// First silent sample.
        start: u64,
        /// Number of samples.
        len: u64,
    },
    /// The whole channel is below the threshold.
    SilentChannel {
        /// Number of samples.
        len: u64,
    },
    /// Full-scale runs between `start` and `start + len`.
    Clipping {
        /// First clipped sample.
        start: u64,
        /// Span from the first to the last clipped sample.
        len: u64,
        /// Number of runs.
        runs: u64,
        /// Number of clipped samples.
        samples: u64,
    },
    /// Mean sample value of the channel.
    DcOffset {
        /// The mean, full scale = 1.
        mean: f64,
        /// Number of samples.
        len: u64,
    },
    /// Samples that are not numbers (NaN, ±inf).
    InvalidSamples(InvalidSpan),
    /// Correlation below the limit from `start` for `len` samples.
    PhaseInverted {
        /// First sample.
        start: u64,
        /// Number of samples.
        len: u64,
        /// Lowest correlation seen in the span.
        correlation: f64,
    },
}

/// Silence, clipping and DC offset of one channel.
#[derive(Debug, Clone)]
pub struct ChannelFaults {
    settings: FaultSettings,
    pos: u64,
    silence_start: Option<u64>,
    clip_run: u64,
    clip_open: Option<(u64, u64, u64, u64)>,
    invalid_open: Option<InvalidSpan>,
    invalid_total: u64,
    sum: f64,
    findings: Vec<Finding>,
}

impl ChannelFaults {
    /// A detector with `settings`.
    pub fn new(settings: FaultSettings) -> Self {
        ChannelFaults {
            settings,
            pos: 0,
            silence_start: Some(0),
            clip_run: 0,
            clip_open: None,
            invalid_open: None,
            invalid_total: 0,
            sum: 0.0,
            findings: Vec::new(),
        }
    }

    /// Adds the next samples; samples that are not numbers are counted and
    /// replaced by 0 in `samples`, so the buffer is safe to measure after.
    pub fn push(&mut self, samples: &mut [f32]) {
        for block in samples.chunks_mut(64) {
            let (high, sum, invalid) = block_stats(block);
            if invalid {
                self.push_with_invalid(block);
            } else {
                self.push_valid(block, high, sum);
            }
        }
    }

    /// Samples processed so far, valid or not.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Samples that were not numbers so far.
    pub fn invalid_samples(&self) -> u64 {
        self.invalid_total
    }

    fn push_valid(&mut self, block: &[f32], high: f32, sum: f32) {
        self.sum += f64::from(sum);
        let start = self.pos;
        // Clipping needs the samples one by one, but only near full scale.
        if self.clip_run > 0 || high >= self.settings.clip_level {
            for &x in block {
                self.clip_sample(x.abs());
            }
            self.pos = start;
        }
        self.silence_block(block, high);
        self.pos = start + block.len() as u64;
    }

    /// A block holding samples that are not numbers: valid stretches are
    /// analysed as usual, invalid ones recorded and zeroed.
    fn push_with_invalid(&mut self, block: &mut [f32]) {
        let mut i = 0;
        while i < block.len() {
            let valid = block[i].is_finite();
            let n = block[i..]
                .iter()
                .position(|x| x.is_finite() != valid)
                .unwrap_or(block.len() - i);
            let part = &mut block[i..i + n];
            if valid {
                let (high, sum, _) = block_stats(part);
                self.push_valid(part, high, sum);
            } else {
                self.invalid_run(part);
                part.fill(0.0);
            }
            i += n;
        }
    }

    /// A run of invalid samples at the current position: it ends any
    /// silence or clipping run, and is merged with runs close before it.
    fn invalid_run(&mut self, run: &[f32]) {
        if let Some(start) = self.silence_start.take() {
            self.close_silence(start, self.pos);
        }
        if self.clip_run > 0 {
            self.close_clip_run();
        }
        let len = run.len() as u64;
        let nan = run.iter().filter(|x| x.is_nan()).count() as u64;
        let (start, end) = (self.pos, self.pos + len);
        match &mut self.invalid_open {
            Some(open) if start <= open.start + open.len + self.settings.clip_merge_samples => {
                // A run cut by a buffer boundary is still one run.
                if start > open.start + open.len {
                    open.runs += 1;
                }
                open.len = end - open.start;
                open.nan += nan;
                open.infinite += len - nan;
            }
            _ => {
                self.flush_invalid();
                self.invalid_open = Some(InvalidSpan {
                    start,
                    len,
                    runs: 1,
                    nan,
                    infinite: len - nan,
                });
            }
        }
        self.invalid_total += len;
        self.pos = end;
    }

    fn flush_invalid(&mut self) {
        if let Some(span) = self.invalid_open.take() {
            self.findings.push(Finding::InvalidSamples(span));
        }
    }

    /// Silence runs end at the first sample at or above the threshold and
    /// start again after the last one, so a block needs no per-sample state.
    fn silence_block(&mut self, block: &[f32], high: f32) {
        let threshold = self.settings.silence_threshold;
        if high < threshold {
            self.silence_start.get_or_insert(self.pos);
            return;
        }
        let first = block.iter().position(|x| x.abs() >= threshold).unwrap_or(0);
        let last = block
            .iter()
            .rposition(|x| x.abs() >= threshold)
            .unwrap_or(0);
        if let Some(start) = self.silence_start.take() {
            self.close_silence(start, self.pos + first as u64);
        }
        if last + 1 < block.len() {
            self.silence_start = Some(self.pos + last as u64 + 1);
        }
    }

    fn clip_sample(&mut self, a: f32) {
        if a >= self.settings.clip_level {
            self.clip_run += 1;
        } else if self.clip_run > 0 {
            self.close_clip_run();
        }
        self.pos += 1;
    }

    fn close_silence(&mut self, start: u64, end: u64) {
        let len = end - start;
        if len >= self.settings.silence_min_samples {
            self.findings.push(Finding::Silence { start, len });
        }
    }

    fn close_clip_run(&mut self) {
        let run = std::mem::take(&mut self.clip_run);
        if run < u64::from(self.settings.clip_min_run) {
            return;
        }
        let start = self.pos - run;
        match &mut self.clip_open {
            Some((_, end, runs, samples)) if start <= *end + self.settings.clip_merge_samples => {
                *end = self.pos;
                *runs += 1;
                *samples += run;
            }
            _ => {
                self.flush_clipping();
                self.clip_open = Some((start, self.pos, 1, run));
            }
        }
    }

    fn flush_clipping(&mut self) {
        if let Some((start, end, runs, samples)) = self.clip_open.take() {
            self.findings.push(Finding::Clipping {
                start,
                len: end - start,
                runs,
                samples,
            });
        }
    }

    /// Ends the stream and returns everything found, in order of position.
    pub fn finish(mut self) -> Vec<Finding> {
        if self.clip_run > 0 {
            self.close_clip_run();
        }
        self.flush_clipping();
        self.flush_invalid();
        match self.silence_start.take() {
            Some(0) if self.pos > 0 => self.findings.push(Finding::SilentChannel { len: self.pos }),
            Some(start) => self.close_silence(start, self.pos),
            None => {}
        }
        let valid = self.pos - self.invalid_total;
        if valid > 0 {
            let mean = self.sum / valid as f64;
            if mean.abs() >= self.settings.dc_threshold {
                self.findings.push(Finding::DcOffset {
                    mean,
                    len: self.pos,
                });
            }
        }
        self.findings.sort_by_key(start_of);
        self.findings
    }
}

/// Largest magnitude and sum of a short block, and whether it holds a
/// sample that is not a number, in lanes so that it vectorises.
fn block_stats(block: &[f32]) -> (f32, f32, bool) {
    const EXPONENT: u32 = 0x7f80_0000;
    let mut high = [0.0f32; 8];
    let mut sum = [0.0f32; 8];
    let mut bad = [false; 8];
    let mut chunks = block.chunks_exact(8);
    for chunk in &mut chunks {
        for i in 0..8 {
            high[i] = high[i].max(chunk[i].abs());
            sum[i] += chunk[i];
            bad[i] |= chunk[i].to_bits() & EXPONENT == EXPONENT;
        }
    }
    let (mut h, mut s, mut b) = (0.0f32, 0.0f32, false);
    for &x in chunks.remainder() {
        h = h.max(x.abs());
        s += x;
        b |= !x.is_finite();
    }
    for i in 0..8 {
        h = h.max(high[i]);
        s += sum[i];
        b |= bad[i];
    }
    (h, s, b)
}

fn start_of(f: &Finding) -> u64 {
    match f {
        Finding::Silence { start, .. }
        | Finding::Clipping { start, .. }
        | Finding::PhaseInverted { start, .. } => *start,
        Finding::InvalidSamples(span) => span.start,
        Finding::SilentChannel { .. } | Finding::DcOffset { .. } => 0,
    }
}

/// Correlation of a stereo pair over consecutive windows; flags spans where
/// it stays below a limit while both channels carry signal.
#[derive(Debug, Clone)]
pub struct PhaseDetector {
    window: u64,
    limit: f64,
    min_energy: f64,
    pos: u64,
    n: u64,
    sums: [f64; 3],
    open: Option<(u64, f64)>,
    findings: Vec<Finding>,
}

impl PhaseDetector {
    /// Windows of `window` samples; flags correlation below `limit` where
    /// both channels' mean square is above `min_energy`.
    pub fn new(window: u64, limit: f64, min_energy: f64) -> Self {
        PhaseDetector {
            window,
            limit,
            min_energy,
            pos: 0,
            n: 0,
            sums: [0.0; 3],
            open: None,
            findings: Vec::new(),
        }
    }

    /// Adds the next samples of both channels (equal lengths).
    pub fn push(&mut self, mut left: &[f32], mut right: &[f32]) {
        while !left.is_empty() && !right.is_empty() {
            let take = ((self.window - self.n) as usize)
                .min(left.len())
                .min(right.len());
            for (l, r) in left[..take].chunks(64).zip(right[..take].chunks(64)) {
                let [ll, rr, lr] = pair_sums(l, r);
                self.sums[0] += f64::from(ll);
                self.sums[1] += f64::from(rr);
                self.sums[2] += f64::from(lr);
            }
            self.n += take as u64;
            self.pos += take as u64;
            left = &left[take..];
            right = &right[take..];
            if self.n == self.window {
                self.end_window();
            }
        }
    }

    fn end_window(&mut self) {
        let [ll, rr, lr] = std::mem::take(&mut self.sums);
        let n = std::mem::take(&mut self.n) as f64;
        // A window holding samples that are not numbers tells nothing.
        let numbers = ll.is_finite() && rr.is_finite() && lr.is_finite();
        let loud = numbers && ll / n > self.min_energy && rr / n > self.min_energy;
        let correlation = if loud { lr / (ll * rr).sqrt() } else { 0.0 };
        let start = self.pos - n as u64;
        if loud && correlation < self.limit {
            let open = self.open.get_or_insert((start, correlation));
            open.1 = open.1.min(correlation);
        } else {
            self.close(start);
        }
    }

    fn close(&mut self, end: u64) {
        if let Some((start, correlation)) = self.open.take() {
            self.findings.push(Finding::PhaseInverted {
                start,
                len: end - start,
                correlation,
            });
        }
    }

    /// Ends the stream and returns the spans found.
    pub fn finish(mut self) -> Vec<Finding> {
        let end = self.pos - self.n;
        self.close(end);
        self.findings
    }
}

/// Sums of l², r² and l·r over a short block, in lanes so that it vectorises.
fn pair_sums(left: &[f32], right: &[f32]) -> [f32; 3] {
    let mut acc = [[0.0f32; 8]; 3];
    let mut l8 = left.chunks_exact(8);
    let mut r8 = right.chunks_exact(8);
    for (l, r) in (&mut l8).zip(&mut r8) {
        for i in 0..8 {
            acc[0][i] += l[i] * l[i];
            acc[1][i] += r[i] * r[i];
            acc[2][i] += l[i] * r[i];
        }
    }
    let mut out = [0.0f32; 3];
    for (&l, &r) in l8.remainder().iter().zip(r8.remainder()) {
        out[0] += l * l;
        out[1] += r * r;
        out[2] += l * r;
    }
    for (o, a) in out.iter_mut().zip(&acc) {
        *o += a.iter().sum::<f32>();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> FaultSettings {
        FaultSettings {
            silence_threshold: 0.001,
            silence_min_samples: 100,
            clip_level: 0.9999,
            clip_min_run: 3,
            clip_merge_samples: 50,
            dc_threshold: 0.05,
        }
    }

    fn tone(n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| if i % 2 == 0 { 0.5 } else { -0.5 })
            .collect()
    }

    #[test]
    fn silence_in_the_middle() {
        let mut f = ChannelFaults::new(settings());
        f.push(&mut tone(500));
        f.push(&mut [0.0; 150]);
        f.push(&mut [0.0; 50]);
        f.push(&mut tone(10));
        f.push(&mut [0.0; 99]);
        f.push(&mut tone(10));
        let found = f.finish();
        assert_eq!(
            found,
            vec![Finding::Silence {
                start: 500,
                len: 200
            }]
        );
    }

    #[test]
    fn silent_channel() {
        let mut f = ChannelFaults::new(settings());
        f.push(&mut [0.0; 1000]);
        assert_eq!(f.finish(), vec![Finding::SilentChannel { len: 1000 }]);
    }

    #[test]
    fn clipping_runs_merged_and_short_runs_ignored() {
        let mut f = ChannelFaults::new(settings());
        let mut x = tone(1000);
        x[100..104].fill(1.0);
        x[120..123].fill(-1.0);
        x[500..502].fill(1.0);
        x[800..803].fill(1.0);
        f.push(&mut x);
        let found = f.finish();
        assert_eq!(
            found,
            vec![
                Finding::Clipping {
                    start: 100,
                    len: 23,
                    runs: 2,
                    samples: 7
                },
                Finding::Clipping {
                    start: 800,
                    len: 3,
                    runs: 1,
                    samples: 3
                },
            ]
        );
    }

    #[test]
    fn dc_offset() {
        let mut f = ChannelFaults::new(settings());
        let mut x: Vec<f32> = tone(1000).iter().map(|v| v + 0.1).collect();
        f.push(&mut x);
        let found = f.finish();
        assert!(
            matches!(found[..], [Finding::DcOffset { mean, len: 1000 }] if (mean - 0.1).abs() < 0.01)
        );
    }

    #[test]
    fn invalid_samples_are_counted_zeroed_and_not_silence() {
        let mut f = ChannelFaults::new(settings());
        let mut x = tone(1000);
        x[10] = f32::NAN;
        x[11] = f32::INFINITY;
        x[30] = f32::NEG_INFINITY;
        x[900] = f32::NAN;
        f.push(&mut x);
        assert!(x.iter().all(|v| v.is_finite()));
        assert_eq!((x[10], x[11], x[30]), (0.0, 0.0, 0.0));
        assert_eq!(f.invalid_samples(), 4);
        let found = f.finish();
        let span = |start, len, runs, nan, infinite| {
            Finding::InvalidSamples(InvalidSpan {
                start,
                len,
                runs,
                nan,
                infinite,
            })
        };
        assert_eq!(found, vec![span(10, 21, 2, 1, 2), span(900, 1, 1, 1, 0)]);
    }

    #[test]
    fn an_all_nan_channel_is_not_silent() {
        let mut f = ChannelFaults::new(settings());
        let mut x = vec![f32::NAN; 1000];
        f.push(&mut x[..500]);
        f.push(&mut x[500..]);
        let found = f.finish();
        assert_eq!(
            found,
            vec![Finding::InvalidSamples(InvalidSpan {
                start: 0,
                len: 1000,
                runs: 1,
                nan: 1000,
                infinite: 0
            })]
        );
    }

    #[test]
    fn silence_around_invalid_samples() {
        let mut f = ChannelFaults::new(settings());
        let mut x = vec![0.0f32; 1000];
        x[500] = f32::NAN;
        f.push(&mut x);
        let found = f.finish();
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(found[0], Finding::Silence { start: 0, len: 500 });
        assert_eq!(
            found[2],
            Finding::Silence {
                start: 501,
                len: 499
            }
        );
    }

    #[test]
    fn inverted_pair() {
        let mut p = PhaseDetector::new(100, -0.5, 1e-6);
        let l = tone(1000);
        let r: Vec<f32> = l.iter().map(|v| -v).collect();
        p.push(&l[..300], &l[..300]);
        p.push(&l[300..800], &r[300..800]);
        p.push(&l[800..], &l[800..]);
        let found = p.finish();
        assert!(
            matches!(found[..], [Finding::PhaseInverted { start: 300, len: 500, correlation }] if correlation < -0.99)
        );
    }
}
