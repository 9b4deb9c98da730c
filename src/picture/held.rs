//! A picture a detector keeps after the frame it saw (freeze's reference,
//! scan's previous and current frames): a new reference to the decoder's
//! buffers when the frame came from FFmpeg (nothing copied), a copy of its
//! planes otherwise.

use super::{FrameView, Plane};
use ffmpeg_next as ffmpeg;
use ffmpeg_next::ffi;

/// The decoded FFmpeg frame a [`FrameView`] reads, and which of its planes
/// are Y′, Cb and Cr.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    /// The frame.
    pub frame: &'a ffmpeg::frame::Video,
    /// Plane index of Y′, Cb, Cr.
    pub planes: [usize; 3],
}

impl std::fmt::Debug for Source<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("planes", &self.planes)
            .finish()
    }
}

/// Shape of one kept plane.
#[derive(Debug, Clone, Copy, Default)]
struct Shape {
    stride: usize,
    width: usize,
    height: usize,
    bytes_per_sample: usize,
}

impl Shape {
    fn of(p: &Plane<'_>) -> Shape {
        Shape {
            stride: p.stride,
            width: p.width,
            height: p.height,
            bytes_per_sample: p.bytes_per_sample,
        }
    }

    fn plane<'a>(&self, data: &'a [u8]) -> Plane<'a> {
        Plane {
            data,
            stride: self.stride,
            width: self.width,
            height: self.height,
            bytes_per_sample: self.bytes_per_sample,
        }
    }
}

/// A kept picture.
pub struct Held {
    /// A reference to the decoder's frame, when there was one.
    frame: Option<ffmpeg::frame::Video>,
    /// Plane indices in `frame`, or copies of the planes.
    planes: [usize; 3],
    copies: [Vec<u8>; 3],
    shapes: [Shape; 3],
    /// The view's other fields (its planes replaced on [`Held::view`]).
    meta: Option<Meta>,
}

#[derive(Debug, Clone, Copy)]
struct Meta {
    index: u64,
    time_s: f64,
    width: usize,
    height: usize,
    bit_depth: u8,
    full_range: bool,
    matrix: super::Matrix,
    chroma_shift: (u8, u8),
    interlaced_flag: bool,
    top_field_first: bool,
}

impl Default for Held {
    fn default() -> Self {
        Held {
            frame: None,
            planes: [0, 1, 2],
            copies: Default::default(),
            shapes: Default::default(),
            meta: None,
        }
    }
}

impl Held {
    /// Keeps `f` (replacing what was kept).
    pub fn keep(&mut self, f: &FrameView<'_>) {
        self.shapes = [Shape::of(&f.y), Shape::of(&f.u), Shape::of(&f.v)];
        self.meta = Some(Meta {
            index: f.index,
            time_s: f.time_s,
            width: f.width,
            height: f.height,
            bit_depth: f.bit_depth,
            full_range: f.full_range,
            matrix: f.matrix,
            chroma_shift: f.chroma_shift,
            interlaced_flag: f.interlaced_flag,
            top_field_first: f.top_field_first,
        });
        if let Some(src) = f.source {
            let kept = self.frame.get_or_insert_with(ffmpeg::frame::Video::empty);
            // SAFETY: both frames are valid; `kept` is emptied first, then
            // made to share the source's reference-counted buffers.
            let ok = unsafe {
                ffi::av_frame_unref(kept.as_mut_ptr());
                ffi::av_frame_ref(kept.as_mut_ptr(), src.frame.as_ptr())
            } >= 0;
            if ok {
                self.planes = src.planes;
                return;
            }
            self.frame = None;
        }
        self.frame = None;
        for (copy, p) in self.copies.iter_mut().zip([&f.y, &f.u, &f.v]) {
            copy.clear();
            copy.extend_from_slice(&p.data[..p.data.len().min(p.stride * p.height)]);
        }
    }

    /// The kept picture, as it was seen; `None` before anything was kept.
    pub fn view(&self) -> Option<FrameView<'_>> {
        let m = self.meta?;
        let data = |i: usize| -> &[u8] {
            match &self.frame {
                Some(frame) => frame.data(self.planes[i]),
                None => &self.copies[i],
            }
        };
        Some(FrameView {
            index: m.index,
            time_s: m.time_s,
            width: m.width,
            height: m.height,
            bit_depth: m.bit_depth,
            full_range: m.full_range,
            matrix: m.matrix,
            chroma_shift: m.chroma_shift,
            interlaced_flag: m.interlaced_flag,
            top_field_first: m.top_field_first,
            y: self.shapes[0].plane(data(0)),
            u: self.shapes[1].plane(data(1)),
            v: self.shapes[2].plane(data(2)),
            source: None,
            cache: None,
        })
    }
}
