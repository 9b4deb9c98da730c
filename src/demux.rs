//! One demux pass of a media file, feeding every decoder that needs it.
//!
//! [`read_packets`] is the one packet-reading loop of signoff: it reads a
//! file's packets in order, turns damaged ones into [`Item::ReadError`]
//! (resynchronising, unless the demuxer keeps failing) and stops at the
//! end. [`Feed`] hands one stream kind's packets, with the parameters of
//! their streams, to a decoder on another thread, so that the audio
//! measurement and the picture stage share one read of the file.

use ffmpeg_next as ffmpeg;
use std::collections::HashMap;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// Consecutive read failures after which the demuxer is given up on.
const MAX_READ_ERRORS: u32 = 100;

/// Packets in flight between the demuxer and a fed decoder: enough to keep
/// both busy, few enough that memory stays flat.
const FEED_DEPTH: usize = 256;

/// One thing the demuxer produced.
pub enum Item {
    /// A packet of some stream.
    Packet(ffmpeg::Packet),
    /// A packet that could not be read, in FFmpeg's words.
    ReadError(String),
}

/// Reads every packet of `input` in file order, handing each to `each`.
pub fn read_packets(input: &mut ffmpeg::format::context::Input, mut each: impl FnMut(Item)) {
    let mut read_errors = 0u32;
    loop {
        let mut packet = ffmpeg::Packet::empty();
        match packet.read(input) {
            Ok(()) => {
                read_errors = 0;
                if let Ok(at) = u64::try_from(packet.position()) {
                    let media_s = media_time(input, &packet);
                    crate::progress::at_media(at + packet.size() as u64, media_s);
                }
                each(Item::Packet(packet));
            }
            Err(ffmpeg::Error::Eof) => return,
            Err(e) => {
                read_errors += 1;
                each(Item::ReadError(format!("failed to read a packet: {e}")));
                if read_errors > MAX_READ_ERRORS {
                    return;
                }
            }
        }
    }
}

/// The media time of `packet`, in seconds from the stream's start.
fn media_time(input: &ffmpeg::format::context::Input, packet: &ffmpeg::Packet) -> Option<f64> {
    let stream = input.stream(packet.stream())?;
    let ts = packet.pts().or(packet.dts())?;
    let start = stream.start_time();
    let start = if start == ffmpeg::ffi::AV_NOPTS_VALUE {
        0
    } else {
        start
    };
    let tb = stream.time_base();
    (tb.denominator() != 0)
        .then(|| (ts - start) as f64 * f64::from(tb.numerator()) / f64::from(tb.denominator()))
}

/// The packets of some streams, handed over by a demux pass on another thread.
pub struct Feed {
    /// Codec parameters of every fed stream (owned copies), by container index.
    pub parameters: HashMap<usize, ffmpeg::codec::Parameters>,
    /// The packets, in file order, and read errors; closed at the end of the file.
    pub items: Receiver<Item>,
}

/// The demuxer's side of a [`Feed`].
pub struct FeedSender {
    streams: Vec<usize>,
    tx: SyncSender<Item>,
}

/// A feed of the streams `streams` of `input`.
pub fn feed(input: &ffmpeg::format::context::Input, streams: &[usize]) -> (FeedSender, Feed) {
    let parameters = input
        .streams()
        .filter(|s| streams.contains(&s.index()))
        .map(|s| (s.index(), s.parameters().clone()))
        .collect();
    let (tx, items) = sync_channel(FEED_DEPTH);
    let sender = FeedSender {
        streams: streams.to_vec(),
        tx,
    };
    (sender, Feed { parameters, items })
}

impl FeedSender {
    /// Whether the packets of `stream` go to this feed.
    pub fn wants(&self, stream: usize) -> bool {
        self.streams.contains(&stream)
    }

    /// Hands `item` over (blocking while the feed is full); a feed whose
    /// decoder has stopped takes nothing more.
    pub fn send(&self, item: Item) {
        self.tx.send(item).ok();
    }
}

impl Feed {
    /// Every item until the demuxer is done.
    pub fn each(self, mut f: impl FnMut(Item)) {
        for item in self.items {
            f(item);
        }
    }
}
