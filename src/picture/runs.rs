//! Runs of consecutive frames that meet a condition, closed into segments.

use super::{Segment, StreamContext};

/// A run being built: where it started and the worst it has been.
#[derive(Debug, Clone)]
struct Open<W> {
    start_frame: u64,
    start_s: f64,
    worst: W,
}

/// Collects runs of frames for which a detector's condition holds.
#[derive(Debug, Clone)]
pub(crate) struct Runs<W> {
    open: Option<Open<W>>,
    closed: Vec<(u64, u64, f64, f64, W)>,
}

impl<W: Clone> Default for Runs<W> {
    fn default() -> Self {
        Runs {
            open: None,
            closed: Vec::new(),
        }
    }
}

impl<W: Clone> Runs<W> {
    /// Frame `index` at `time_s` meets the condition with `value`; `merge`
    /// folds it into the run's worst so far.
    pub(crate) fn hit(&mut self, index: u64, time_s: f64, value: W, merge: impl Fn(&mut W, W)) {
        match &mut self.open {
            Some(open) => merge(&mut open.worst, value),
            None => {
                self.open = Some(Open {
                    start_frame: index,
                    start_s: time_s,
                    worst: value,
                })
            }
        }
    }

    /// Frame `index` at `time_s` does not meet the condition: any open run
    /// ends before it.
    pub(crate) fn miss(&mut self, index: u64, time_s: f64) {
        if let Some(open) = self.open.take() {
            self.closed
                .push((open.start_frame, index, open.start_s, time_s, open.worst));
        }
    }

    /// All runs as segments, an open one ending at the stream's end; runs
    /// shorter than `min_duration_s` are dropped. `detail` describes the
    /// worst of a run.
    pub(crate) fn segments(
        mut self,
        ctx: &StreamContext,
        min_duration_s: f64,
        detail: impl Fn(&W) -> String,
    ) -> Vec<Segment> {
        self.miss(ctx.frames, ctx.duration_s);
        self.closed
            .iter()
            .filter(|(_, _, s, e, _)| e - s + 1e-9 >= min_duration_s)
            .map(|(sf, ef, s, e, w)| ctx.segment((*sf, *ef), (*s, *e), Some(detail(w))))
            .collect()
    }
}
