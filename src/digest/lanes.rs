//! How the hashers of one read are spread over threads: all on the reading thread, or on worker lanes fed block by block.

use super::{read_block, Algo, FileDigests, MultiHasher, BLOCK};
use std::collections::VecDeque;
use std::io::{self, Read};
use std::sync::{mpsc, Arc};

/// Blocks that may be in flight at once (read but not yet hashed by every
/// lane): memory stays at `IN_FLIGHT` × [`BLOCK`] whatever the file's size.
const IN_FLIGHT: usize = 4;

/// Where the hashers run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lanes {
    /// Every hasher on the reading thread, one block after the other.
    Inline,
    /// Hashers on `n` worker threads (n ≥ 1), while the calling thread reads
    /// the next blocks.
    Threads(usize),
}

impl Lanes {
    /// The default for `algos`: worker threads so that reading overlaps
    /// hashing, one per costly algorithm (at most the machine's cores).
    pub fn auto(algos: &[Algo]) -> Lanes {
        let costly = algos.iter().filter(|a| a.cost() > 1).count().max(1);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if cores < 2 {
            return Lanes::Inline;
        }
        Lanes::Threads(costly.min(cores))
    }

    /// Every digest in `algos` of everything `reader` yields.
    pub fn digest(self, reader: &mut impl Read, algos: &[Algo]) -> io::Result<FileDigests> {
        match self {
            Lanes::Inline => inline(reader, algos),
            Lanes::Threads(n) => threaded(reader, &split(algos, n.max(1))),
        }
    }
}

fn inline(reader: &mut impl Read, algos: &[Algo]) -> io::Result<FileDigests> {
    let mut hasher = MultiHasher::new(algos);
    let mut buf = vec![0u8; BLOCK];
    let mut size_bytes = 0u64;
    loop {
        let n = read_block(reader, &mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size_bytes += n as u64;
        crate::progress::at(size_bytes);
    }
    Ok(FileDigests {
        size_bytes,
        digests: hasher.finish(),
    })
}

/// `algos` in at most `n` groups of about equal cost (greedy: costliest
/// first, into the cheapest group).
fn split(algos: &[Algo], n: usize) -> Vec<Vec<Algo>> {
    let mut algos = algos.to_vec();
    algos.sort();
    algos.dedup();
    algos.sort_by_key(|a| std::cmp::Reverse(a.cost()));
    let mut groups: Vec<(u32, Vec<Algo>)> = vec![(0, Vec::new()); n.min(algos.len()).max(1)];
    for a in algos {
        let i = (0..groups.len()).min_by_key(|&i| groups[i].0).unwrap_or(0);
        groups[i].0 += a.cost();
        groups[i].1.push(a);
    }
    groups
        .into_iter()
        .map(|(_, g)| g)
        .filter(|g| !g.is_empty())
        .collect()
}

/// One block shared by every lane.
type Block = Arc<Vec<u8>>;

fn threaded(reader: &mut impl Read, groups: &[Vec<Algo>]) -> io::Result<FileDigests> {
    std::thread::scope(|scope| {
        let (ack_tx, ack_rx) = mpsc::channel::<()>();
        let mut senders = Vec::new();
        let mut workers = Vec::new();
        for g in groups {
            let (tx, rx) = mpsc::sync_channel::<Block>(IN_FLIGHT);
            let ack = ack_tx.clone();
            let mut hasher = MultiHasher::new(g);
            senders.push(tx);
            workers.push(scope.spawn(move || {
                for block in rx {
                    hasher.update(&block);
                    drop(block);
                    // The reader may have stopped waiting (an error): fine.
                    let _ = ack.send(());
                }
                hasher.finish()
            }));
        }
        drop(ack_tx);
        let read = feed(reader, &senders, &ack_rx);
        drop(senders);
        let mut digests = super::Digests::new();
        for w in workers {
            let d = w.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            digests.extend(d);
        }
        Ok(FileDigests {
            size_bytes: read?,
            digests,
        })
    })
}

/// Reads `reader` block by block into recycled buffers and sends each block
/// to every lane; the bytes read.
fn feed(
    reader: &mut impl Read,
    lanes: &[mpsc::SyncSender<Block>],
    acks: &mpsc::Receiver<()>,
) -> io::Result<u64> {
    let mut free: Vec<Vec<u8>> = Vec::new();
    let mut in_flight: VecDeque<Block> = VecDeque::new();
    let mut size_bytes = 0u64;
    loop {
        while acks.try_recv().is_ok() {}
        let mut buf = match free.pop() {
            Some(b) => b,
            None if in_flight.len() < IN_FLIGHT => Vec::with_capacity(BLOCK),
            None => oldest_released(&mut in_flight, acks),
        };
        buf.resize(BLOCK, 0);
        let n = read_block(reader, &mut buf)?;
        if n == 0 {
            return Ok(size_bytes);
        }
        buf.truncate(n);
        size_bytes += n as u64;
        crate::progress::at(size_bytes);
        let block = Arc::new(buf);
        for lane in lanes {
            if lane.send(Arc::clone(&block)).is_err() {
                return Err(io::Error::other("a hashing thread stopped"));
            }
        }
        in_flight.push_back(block);
        while let Some(b) = in_flight.front() {
            if Arc::strong_count(b) > 1 {
                break;
            }
            if let Some(b) = in_flight.pop_front().and_then(|b| Arc::try_unwrap(b).ok()) {
                free.push(b);
            }
        }
    }
}

/// Waits until every lane is done with the oldest block in flight; its buffer.
fn oldest_released(in_flight: &mut VecDeque<Block>, acks: &mpsc::Receiver<()>) -> Vec<u8> {
    loop {
        let ready = in_flight.front().is_some_and(|b| Arc::strong_count(b) == 1);
        if ready {
            if let Some(Ok(buf)) = in_flight.pop_front().map(Arc::try_unwrap) {
                return buf;
            }
        }
        // Every lane acknowledges each block after dropping it; when all
        // lanes have gone, nothing holds the block any more.
        if acks.recv().is_err() {
            return in_flight
                .pop_front()
                .and_then(|b| Arc::try_unwrap(b).ok())
                .unwrap_or_else(|| Vec::with_capacity(BLOCK));
        }
    }
}
