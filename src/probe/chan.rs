//! MOV/MP4 `chan` atoms read from the file's bytes, read-only and bounded,
//! for what FFmpeg's channel layout cannot say.
//!
//! FFmpeg 5.1 reports a `chan` atom as the stream's channel layout, and so
//! labels most tracks itself. One case it cannot tell apart: a one-channel
//! track labelled Center (bitmap `Center`, or a channel description
//! `kAudioChannelLabel_Center`, as Pro Tools writes them) and one that
//! says only Mono both become FFmpeg's `mono` (front centre). This reads the
//! atoms of every track in file order so such a track can be named `C`.
//!
//! Only box headers are read on the way down (`moov/trak/mdia/minf/stbl/
//! stsd`); at most [`MAX_STSD`] bytes of a sample description are read, and
//! at most [`MAX_BOXES`] boxes are visited, whatever the sizes claim.

use super::model::{ChannelLabels, Stream, StreamKind};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// Bytes of a sample description (`stsd`) read at most.
const MAX_STSD: u64 = 64 * 1024;
/// Boxes visited at most.
const MAX_BOXES: usize = 100_000;

/// `mChannelLayoutTag` values (CoreAudio).
const TAG_USE_DESCRIPTIONS: u32 = 0;
const TAG_USE_BITMAP: u32 = 1 << 16;
/// `kAudioChannelBit_Center`.
const BIT_CENTER: u32 = 1 << 2;
/// `kAudioChannelLabel_Center`.
const LABEL_CENTER: u32 = 3;

/// One `chan` atom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chan {
    /// `mChannelLayoutTag`.
    pub tag: u32,
    /// `mChannelBitmap`.
    pub bitmap: u32,
    /// `mChannelLabel` of each channel description.
    pub labels: Vec<u32>,
}

impl Chan {
    /// Whether the atom labels its one channel Center (not merely Mono).
    pub fn is_centre(&self) -> bool {
        (self.tag == TAG_USE_BITMAP && self.bitmap == BIT_CENTER)
            || (self.tag == TAG_USE_DESCRIPTIONS && self.labels == [LABEL_CENTER])
    }
}

/// Names `C` the one-channel audio tracks that FFmpeg calls `mono` but
/// whose `chan` atom says Center. Streams are matched to tracks in order
/// (FFmpeg's mov demuxer makes one stream per `trak`, in file order).
pub fn name_centre_tracks(path: &Path, streams: &mut [Stream]) {
    let ambiguous = |s: &Stream| {
        s.kind == StreamKind::Audio
            && s.audio.as_ref().is_some_and(|a| {
                a.channels == 1
                    && a.channel_labels == ChannelLabels::None
                    && a.channel_layout.as_deref() == Some("mono")
            })
    };
    if !streams.iter().any(ambiguous) {
        return;
    }
    let Ok(tracks) = read_tracks(path) else {
        return;
    };
    if tracks.len() != streams.len() {
        return; // not one stream per track: do not guess
    }
    for (s, chan) in streams.iter_mut().zip(tracks) {
        if ambiguous(s) && chan.as_ref().is_some_and(Chan::is_centre) {
            if let Some(a) = s.audio.as_mut() {
                a.channel_names = vec!["C".into()];
                a.channel_labels = ChannelLabels::ChanAtom;
            }
        }
    }
}

/// The `chan` atom of every track (`None` for a track without one), in
/// file order.
pub fn read_tracks(path: &Path) -> std::io::Result<Vec<Option<Chan>>> {
    let file = File::open(path)?;
    let len = file.metadata()?.len();
    let mut r = Reader {
        f: BufReader::new(file),
        visited: 0,
    };
    let mut out = Vec::new();
    let Some((start, end)) = r.find(0, len, b"moov")? else {
        return Ok(out);
    };
    let mut pos = start;
    while let Some(b) = r.next_box(pos, end)? {
        if &b.kind == b"trak" {
            out.push(r.trak_chan(b.body, b.end)?);
        }
        pos = b.end;
    }
    Ok(out)
}

/// One box: its type, where its body starts and where it ends.
struct BoxHeader {
    kind: [u8; 4],
    body: u64,
    end: u64,
}

struct Reader {
    f: BufReader<File>,
    visited: usize,
}

impl Reader {
    /// The box at `pos`, if one fits before `limit`.
    fn next_box(&mut self, pos: u64, limit: u64) -> std::io::Result<Option<BoxHeader>> {
        self.visited += 1;
        if self.visited > MAX_BOXES || pos.saturating_add(8) > limit {
            return Ok(None);
        }
        self.f.seek(SeekFrom::Start(pos))?;
        let mut h = [0u8; 8];
        self.f.read_exact(&mut h)?;
        let size32 = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
        let kind = [h[4], h[5], h[6], h[7]];
        let (size, header) = match size32 {
            0 => (limit - pos, 8),
            1 => {
                let mut l = [0u8; 8];
                self.f.read_exact(&mut l)?;
                (u64::from_be_bytes(l), 16)
            }
            n => (u64::from(n), 8),
        };
        let end = pos
            .checked_add(size)
            .filter(|&e| e <= limit && size >= header);
        Ok(end.map(|end| BoxHeader {
            kind,
            body: pos + header,
            end,
        }))
    }

    /// The body of the first child box of type `kind` in `[start, end)`.
    fn find(
        &mut self,
        start: u64,
        end: u64,
        kind: &[u8; 4],
    ) -> std::io::Result<Option<(u64, u64)>> {
        let mut pos = start;
        while let Some(b) = self.next_box(pos, end)? {
            if &b.kind == kind {
                return Ok(Some((b.body, b.end)));
            }
            pos = b.end;
        }
        Ok(None)
    }

    /// The `chan` atom of a track's first sample description.
    fn trak_chan(&mut self, start: u64, end: u64) -> std::io::Result<Option<Chan>> {
        let mut range = (start, end);
        for kind in [b"mdia", b"minf", b"stbl", b"stsd"] {
            match self.find(range.0, range.1, kind)? {
                Some(r) => range = r,
                None => return Ok(None),
            }
        }
        let n = (range.1 - range.0).min(MAX_STSD);
        let mut stsd = Vec::new();
        self.f.seek(SeekFrom::Start(range.0))?;
        (&mut self.f).take(n).read_to_end(&mut stsd)?;
        Ok(stsd_chan(&stsd))
    }
}

/// The `chan` atom of the first sound sample entry of an `stsd` body.
fn stsd_chan(stsd: &[u8]) -> Option<Chan> {
    // version/flags (4), entry count (4), then the first entry
    let entry = stsd.get(8..)?;
    let size = be32(entry, 0)? as usize;
    let entry = entry.get(..size.min(entry.len()))?;
    // QuickTime sound description: fixed fields end at 36 (v0), 52 (v1), 72 (v2)
    let fixed = match be16(entry, 16)? {
        0 => 36,
        1 => 52,
        2 => 72,
        _ => return None,
    };
    find_chan(entry.get(fixed..)?, 2)
}

/// A `chan` box among `boxes`, looking inside `wave` up to `depth` levels.
fn find_chan(boxes: &[u8], depth: u32) -> Option<Chan> {
    let mut pos = 0usize;
    while pos + 8 <= boxes.len() {
        let size = be32(boxes, pos)? as usize;
        if size < 8 || pos + size > boxes.len() {
            return None;
        }
        let body = &boxes[pos + 8..pos + size];
        match &boxes[pos + 4..pos + 8] {
            b"chan" => return parse_chan(body),
            b"wave" if depth > 0 => {
                if let Some(c) = find_chan(body, depth - 1) {
                    return Some(c);
                }
            }
            _ => {}
        }
        pos += size;
    }
    None
}

/// A `chan` body: version/flags, tag, bitmap, description count, then
/// 20-byte descriptions (label, flags, three coordinates).
fn parse_chan(body: &[u8]) -> Option<Chan> {
    let tag = be32(body, 4)?;
    let bitmap = be32(body, 8)?;
    let count = be32(body, 12)? as usize;
    let labels = (0..count.min(64))
        .map_while(|i| be32(body, 16 + 20 * i))
        .collect();
    Some(Chan {
        tag,
        bitmap,
        labels,
    })
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chan_box(tag: u32, bitmap: u32, labels: &[u32]) -> Vec<u8> {
        let mut body = vec![0u8; 4];
        for v in [tag, bitmap, labels.len() as u32] {
            body.extend_from_slice(&v.to_be_bytes());
        }
        for l in labels {
            body.extend_from_slice(&l.to_be_bytes());
            body.extend_from_slice(&[0u8; 16]);
        }
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(b"chan");
        b.extend(body);
        b
    }

    #[test]
    fn centre_by_bitmap_or_description_not_mono() {
        let parse = |b: Vec<u8>| find_chan(&b, 0).unwrap();
        assert!(parse(chan_box(TAG_USE_BITMAP, BIT_CENTER, &[])).is_centre());
        assert!(parse(chan_box(0, 0, &[LABEL_CENTER])).is_centre());
        let mono = (100 << 16) | 1; // kAudioChannelLayoutTag_Mono
        assert!(!parse(chan_box(mono, 0, &[])).is_centre());
        assert!(!parse(chan_box(TAG_USE_BITMAP, 1, &[])).is_centre());
    }

    #[test]
    fn lying_sizes_are_refused_not_followed() {
        let mut b = chan_box(TAG_USE_BITMAP, BIT_CENTER, &[]);
        b[0..4].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(find_chan(&b, 0), None);
        let mut b = chan_box(0, 0, &[LABEL_CENTER]);
        // claims a million descriptions: reads what is there
        b[20..24].copy_from_slice(&1_000_000u32.to_be_bytes());
        assert_eq!(find_chan(&b, 0).unwrap().labels, vec![LABEL_CENTER]);
        assert_eq!(stsd_chan(&[0u8; 3]), None);
    }
}
