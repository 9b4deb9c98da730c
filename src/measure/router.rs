//! Batches decoded channels for the worker threads and recycles buffers.
//!
//! Sending every channel of every decoded frame on its own costs more in
//! wake-ups and allocation than the analysis of a small frame, so samples
//! are gathered per channel until one channel holds [`BATCH`] samples, then
//! each worker gets one message with all of its channels. Workers send the
//! emptied buffers back for reuse.

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, SyncSender};

/// Samples per channel gathered before a batch is sent.
pub const BATCH: usize = 16_384;

/// A batch for one worker: (slot, samples) for each of its channels.
pub type Batch = Vec<(usize, Vec<f32>)>;

/// Routes decoded channels to the workers that own them.
pub struct Router {
    /// (stream, channel) → (worker, position in that worker's batch).
    route: HashMap<(usize, usize), (usize, usize)>,
    batches: Vec<Batch>,
    senders: Vec<SyncSender<Batch>>,
    recycled: Receiver<Vec<f32>>,
}

impl Router {
    /// `owners[slot] = (stream, channel, worker)`.
    pub fn new(
        owners: &[(usize, usize, usize)],
        senders: Vec<SyncSender<Batch>>,
        recycled: Receiver<Vec<f32>>,
    ) -> Self {
        let mut batches: Vec<Batch> = senders.iter().map(|_| Vec::new()).collect();
        let mut route = HashMap::new();
        for (slot, &(stream, channel, worker)) in owners.iter().enumerate() {
            route.insert((stream, channel), (worker, batches[worker].len()));
            batches[worker].push((slot, Vec::with_capacity(BATCH * 2)));
        }
        Router {
            route,
            batches,
            senders,
            recycled,
        }
    }

    /// Adds one decoded frame of `stream`.
    pub fn push(&mut self, stream: usize, planes: &[Vec<f32>]) {
        let mut full = Vec::new();
        for (channel, plane) in planes.iter().enumerate() {
            if let Some(&(worker, pos)) = self.route.get(&(stream, channel)) {
                let buf = &mut self.batches[worker][pos].1;
                buf.extend_from_slice(plane);
                if buf.len() >= BATCH && !full.contains(&worker) {
                    full.push(worker);
                }
            }
        }
        for worker in full {
            self.send(worker);
        }
    }

    fn send(&mut self, worker: usize) {
        let fresh: Batch = self.batches[worker]
            .iter()
            .map(|(slot, _)| {
                (
                    *slot,
                    self.recycled
                        .try_recv()
                        .unwrap_or_else(|_| Vec::with_capacity(BATCH * 2)),
                )
            })
            .collect();
        let batch = std::mem::replace(&mut self.batches[worker], fresh);
        // A closed queue means that the worker failed; its error is reported
        // when it is joined.
        if self.senders[worker].send(batch).is_err() {
            self.batches[worker].iter_mut().for_each(|(_, b)| b.clear());
        }
    }

    /// Sends whatever is left and hangs up.
    pub fn finish(mut self) {
        for worker in 0..self.batches.len() {
            if self.batches[worker].iter().any(|(_, b)| !b.is_empty()) {
                self.send(worker);
            }
        }
    }
}
