//! Stereo pairs for the phase check, aligned across streams.
//!
//! `L R` or `Lt Rt` may be two channels of one stream or two mono tracks;
//! the two sides arrive in separate frames in the second case, so each side
//! is queued until the other has caught up. The queues hold no more than
//! the container's interleaving (typically well under a second).

use super::faults::{Finding, PhaseDetector};
use super::model::ChannelSource;
use std::collections::VecDeque;

/// One stereo pair and its phase detector.
#[derive(Debug, Clone)]
pub struct StereoPair {
    /// Left channel (stream, channel).
    pub left: (usize, usize),
    /// Right channel (stream, channel).
    pub right: (usize, usize),
    queues: [VecDeque<f32>; 2],
    scratch: [Vec<f32>; 2],
    detector: PhaseDetector,
}

impl StereoPair {
    /// A pair of `left` and `right` checked by `detector`.
    pub fn new(left: &ChannelSource, right: &ChannelSource, detector: PhaseDetector) -> Self {
        StereoPair {
            left: (left.stream_index, left.channel),
            right: (right.stream_index, right.channel),
            queues: [VecDeque::new(), VecDeque::new()],
            scratch: [Vec::new(), Vec::new()],
            detector,
        }
    }

    /// Takes the pair's channels from a decoded frame of `stream`.
    pub fn push(&mut self, stream: usize, planes: &[Vec<f32>]) {
        let sides = [self.left, self.right];
        let mut both_here = true;
        for (side, (s, c)) in sides.iter().enumerate() {
            match planes.get(*c).filter(|_| *s == stream) {
                Some(plane) if self.queues[side].is_empty() && sides[1 - side].0 == stream => {
                    // Same stream, nothing pending: no copy needed.
                    self.scratch[side].clear();
                    self.scratch[side].extend_from_slice(plane);
                }
                Some(plane) => {
                    both_here = false;
                    self.queues[side].extend(plane);
                }
                None => both_here = false,
            }
        }
        if both_here {
            let [l, r] = &self.scratch;
            self.detector.push(l, r);
        } else {
            self.drain();
        }
    }

    fn drain(&mut self) {
        let n = self.queues[0].len().min(self.queues[1].len());
        if n == 0 {
            return;
        }
        for side in 0..2 {
            self.scratch[side].clear();
            self.scratch[side].extend(self.queues[side].drain(..n));
        }
        let [l, r] = &self.scratch;
        self.detector.push(l, r);
    }

    /// Ends the stream and returns the spans found.
    pub fn finish(self) -> Vec<Finding> {
        self.detector.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(stream_index: usize, channel: usize) -> ChannelSource {
        ChannelSource {
            stream_index,
            channel,
            name: String::new(),
        }
    }

    #[test]
    fn mono_tracks_are_aligned() {
        let mut pair = StereoPair::new(
            &source(1, 0),
            &source(2, 0),
            PhaseDetector::new(100, -0.5, 1e-6),
        );
        let tone: Vec<f32> = (0..1000)
            .map(|i| if i % 2 == 0 { 0.5 } else { -0.5 })
            .collect();
        let inverted: Vec<f32> = tone.iter().map(|v| -v).collect();
        // Left runs ahead by 300 samples, then right catches up.
        pair.push(1, &[tone[..600].to_vec()]);
        pair.push(2, &[inverted[..300].to_vec()]);
        pair.push(1, &[tone[600..].to_vec()]);
        pair.push(2, &[inverted[300..].to_vec()]);
        let found = pair.finish();
        assert!(
            matches!(
                found[..],
                [Finding::PhaseInverted {
                    start: 0,
                    len: 1000,
                    ..
                }]
            ),
            "{found:?}"
        );
    }

    #[test]
    fn same_stream_pair() {
        let mut pair = StereoPair::new(
            &source(0, 0),
            &source(0, 1),
            PhaseDetector::new(100, -0.5, 1e-6),
        );
        let tone: Vec<f32> = (0..1000)
            .map(|i| if i % 2 == 0 { 0.5 } else { -0.5 })
            .collect();
        pair.push(0, &[tone.clone(), tone]);
        assert!(pair.finish().is_empty());
    }
}
