//! Content fingerprints, computed beside the one decode of each file:
//! per picture a 16×9 grid of luma block means (8-bit, 144 bytes), per
//! block of sound (one video frame long) the level and the level of the
//! first difference (a high-frequency emphasis) of every channel, in dB.
//! They are tens of bytes per frame; no picture or sample is kept.

use crate::picture::{Detector, FrameView, PictureMeasurements, Plane, StreamContext};
use std::sync::{Arc, Mutex};

/// Columns of the picture grid.
pub const GRID_W: usize = 16;
/// Rows of the picture grid.
pub const GRID_H: usize = 9;
/// Cells of the picture grid.
pub const CELLS: usize = GRID_W * GRID_H;

/// One picture's fingerprint.
pub type PicturePrint = [u8; CELLS];

/// The fingerprints of one video stream.
#[derive(Debug, Clone, Default)]
pub struct PicturePrints {
    /// One per decoded frame, in presentation order.
    pub frames: Vec<PicturePrint>,
    /// Frames per second of the stream.
    pub fps: f64,
}

/// Where a [`PrintDetector`] leaves its prints when the stream ends.
pub type PrintSlot = Arc<Mutex<Option<PicturePrints>>>;

/// A picture "detector" that only fingerprints.
pub struct PrintDetector {
    frames: Vec<PicturePrint>,
    slot: PrintSlot,
    sums: [u64; CELLS],
    counts: [u32; CELLS],
}

impl PrintDetector {
    /// A detector leaving its prints in `slot`.
    pub fn new(slot: PrintSlot) -> Self {
        PrintDetector {
            frames: Vec::new(),
            slot,
            sums: [0; CELLS],
            counts: [0; CELLS],
        }
    }
}

impl Detector for PrintDetector {
    fn frame(&mut self, f: &FrameView<'_>) {
        self.frames.push(picture_print(
            &f.y,
            f.bit_depth,
            &mut self.sums,
            &mut self.counts,
        ));
    }

    fn finish(self: Box<Self>, ctx: &StreamContext, _out: &mut PictureMeasurements) {
        if let Ok(mut slot) = self.slot.lock() {
            *slot = Some(PicturePrints {
                frames: self.frames,
                fps: ctx.fps(),
            });
        }
    }
}

/// The grid of block means of `y` (every few rows: a block mean over
/// thousands of samples does not need them all), scaled to 8 bits.
pub fn picture_print(
    y: &Plane<'_>,
    bit_depth: u8,
    sums: &mut [u64; CELLS],
    counts: &mut [u32; CELLS],
) -> PicturePrint {
    sums.fill(0);
    counts.fill(0);
    let (w, h) = (y.width, y.height);
    let mut print = [0u8; CELLS];
    if w < GRID_W || h < GRID_H {
        return print;
    }
    let step = (h / 144).max(1);
    let bounds: Vec<usize> = (0..=GRID_W).map(|c| c * w / GRID_W).collect();
    for row in (0..h).step_by(step) {
        let band = row * GRID_H / h;
        let bytes = y.row_bytes(row);
        for c in 0..GRID_W {
            let (x0, x1) = (bounds[c], bounds[c + 1]);
            let sum = if y.bytes_per_sample == 1 {
                bytes[x0..x1].iter().map(|&b| u64::from(b)).sum::<u64>()
            } else {
                bytes[x0 * 2..x1 * 2]
                    .chunks_exact(2)
                    .map(|p| u64::from(u16::from_le_bytes([p[0], p[1]])))
                    .sum::<u64>()
            };
            let cell = band * GRID_W + c;
            sums[cell] += sum;
            counts[cell] += (x1 - x0) as u32;
        }
    }
    let scale = f64::from(1u32 << bit_depth.saturating_sub(8));
    for (p, (&s, &n)) in print.iter_mut().zip(sums.iter().zip(counts.iter())) {
        if n > 0 {
            *p = (s as f64 / f64::from(n) / scale).round().clamp(0.0, 255.0) as u8;
        }
    }
    print
}

/// Level below which a block is silence (both silent: the same), dBFS.
pub const FLOOR_DB: f32 = -70.0;

/// Features of one channel per block: level and first-difference level.
pub const FEATURES: usize = 2;

/// The sound fingerprints of a file: per block, per channel, [`FEATURES`] values.
#[derive(Debug, Clone, Default)]
pub struct SoundPrints {
    /// Channels, in stream then channel order.
    pub channels: usize,
    /// Block length, seconds.
    pub block_s: f64,
    /// Blocks; `values[block][channel * FEATURES + feature]`.
    pub values: Vec<Vec<f32>>,
}

impl SoundPrints {
    /// Blocks fingerprinted.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no block was fingerprinted.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// One channel being fingerprinted.
#[derive(Debug, Clone)]
struct ChannelState {
    rate: f64,
    sum_sq: f64,
    diff_sq: f64,
    n: u64,
    prev: f32,
    position: u64,
    block: usize,
    blocks: Vec<[f32; FEATURES]>,
}

impl ChannelState {
    fn new(rate: u32) -> Self {
        ChannelState {
            rate: f64::from(rate),
            sum_sq: 0.0,
            diff_sq: 0.0,
            n: 0,
            prev: 0.0,
            position: 0,
            block: 0,
            blocks: Vec::new(),
        }
    }

    /// The first sample of block `k + 1`.
    fn boundary(&self, block_s: f64) -> u64 {
        ((self.block + 1) as f64 * block_s * self.rate).round() as u64
    }

    fn push(&mut self, samples: &[f32], block_s: f64) {
        let mut rest = samples;
        while !rest.is_empty() {
            let room = self.boundary(block_s).saturating_sub(self.position).max(1) as usize;
            let (now, later) = rest.split_at(room.min(rest.len()));
            let (mut s, mut d, mut prev) = (0.0f64, 0.0f64, self.prev);
            for &x in now {
                let x = if x.is_finite() { x } else { 0.0 };
                s += f64::from(x * x);
                let dx = x - prev;
                d += f64::from(dx * dx);
                prev = x;
            }
            self.prev = prev;
            self.sum_sq += s;
            self.diff_sq += d;
            self.n += now.len() as u64;
            self.position += now.len() as u64;
            if self.position >= self.boundary(block_s) {
                self.close();
            }
            rest = later;
        }
    }

    fn close(&mut self) {
        if self.n == 0 {
            return;
        }
        let db = |e: f64| {
            let ms = e / self.n as f64;
            ((10.0 * ms.max(1e-12).log10()) as f32).max(FLOOR_DB)
        };
        self.blocks.push([db(self.sum_sq), db(self.diff_sq)]);
        self.sum_sq = 0.0;
        self.diff_sq = 0.0;
        self.n = 0;
        self.block += 1;
    }
}

/// Fingerprints the sound of several streams, frame by decoded frame.
#[derive(Debug, Clone)]
pub struct SoundPrinter {
    block_s: f64,
    /// (stream index, channels of the stream, first channel's slot).
    streams: Vec<(usize, usize, usize)>,
    channels: Vec<ChannelState>,
}

/// Most channels fingerprinted per file.
pub const MAX_CHANNELS: usize = 32;

impl SoundPrinter {
    /// A printer for `streams` (index, channels, sample rate), blocks of `block_s`.
    pub fn new(streams: &[(usize, usize, u32)], block_s: f64) -> Self {
        let mut out = SoundPrinter {
            block_s,
            streams: Vec::new(),
            channels: Vec::new(),
        };
        for &(index, n, rate) in streams {
            let n = n.min(MAX_CHANNELS - out.channels.len().min(MAX_CHANNELS));
            out.streams.push((index, n, out.channels.len()));
            out.channels
                .extend((0..n).map(|_| ChannelState::new(rate.max(1))));
        }
        out
    }

    /// One decoded frame of stream `stream` (planar, one plane per channel).
    pub fn push(&mut self, stream: usize, planes: &[Vec<f32>]) {
        let Some(&(_, n, first)) = self.streams.iter().find(|s| s.0 == stream) else {
            return;
        };
        for (c, plane) in planes.iter().take(n).enumerate() {
            self.channels[first + c].push(plane, self.block_s);
        }
    }

    /// The fingerprints; a last partial block counts.
    pub fn finish(mut self) -> SoundPrints {
        for c in &mut self.channels {
            c.close();
        }
        let blocks = self.channels.iter().map(|c| c.blocks.len()).max();
        let blocks = blocks.unwrap_or(0);
        let values = (0..blocks)
            .map(|b| {
                self.channels
                    .iter()
                    .flat_map(|c| c.blocks.get(b).copied().unwrap_or([FLOOR_DB; FEATURES]))
                    .collect()
            })
            .collect();
        SoundPrints {
            channels: self.channels.len(),
            block_s: self.block_s,
            values,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sound_blocks_follow_the_block_length() {
        let mut p = SoundPrinter::new(&[(1, 1, 48_000)], 0.04);
        let tone: Vec<f32> = (0..48_000).map(|i| 0.5 * (i as f32 * 0.1).sin()).collect();
        for chunk in tone.chunks(1000) {
            p.push(1, &[chunk.to_vec()]);
        }
        let prints = p.finish();
        assert_eq!(prints.len(), 25);
        // A sine of amplitude 0.5: mean square 0.125, −9.03 dB.
        assert!((prints.values[3][0] + 9.03).abs() < 0.05);
    }

    #[test]
    fn picture_print_is_the_block_mean() {
        let data: Vec<u8> = (0..64 * 36)
            .map(|i| if i % 64 < 32 { 16 } else { 235 })
            .collect();
        let plane = Plane {
            data: &data,
            stride: 64,
            width: 64,
            height: 36,
            bytes_per_sample: 1,
        };
        let p = picture_print(&plane, 8, &mut [0; CELLS], &mut [0; CELLS]);
        assert_eq!(p[0], 16);
        assert_eq!(p[GRID_W - 1], 235);
    }
}
