//! Scan type from the picture: combing and field motion on every frame, as FFmpeg's `idet`, against the flag.
//!
//! Each frame is compared with its neighbours as `idet` does (luma only):
//! the difference of each line with the lines around it, taken from the
//! previous and the next frame, tells a top-field-first picture from a
//! bottom-field-first or progressive one; the same thresholds (interlace
//! 1.04, progressive 1.5) and the same four-frame history give the
//! "multi-frame" type of each frame. The whole-file verdict is the majority
//! of the multi-frame types; runs where the picture disagrees with the
//! frame's own flag are reported as segments.

use super::held::Held;
use super::kernels::{self, Rows};
use super::runs::Runs;
use super::{Detector, FrameView, PictureMeasurements, Plane, StreamContext, StreamInfo};
use serde::{Deserialize, Serialize};

/// Parameters (`idet`'s names and defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScanOptions {
    /// `intl_thres`: how much more one field parity must differ to call a frame interlaced.
    pub interlace_threshold: f64,
    /// `prog_thres`: how much more the fields must differ than the frame to call it progressive.
    pub progressive_threshold: f64,
    /// Shortest disagreement with the flag that is reported as a segment.
    pub min_segment_s: f64,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            interlace_threshold: 1.04,
            progressive_threshold: 1.5,
            min_segment_s: 1.0,
        }
    }
}

/// What one frame looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ScanKind {
    /// Interlaced, top field first.
    Tff,
    /// Interlaced, bottom field first.
    Bff,
    /// Progressive.
    Progressive,
    /// Cannot be told (no motion between fields).
    #[default]
    Undetermined,
}

impl ScanKind {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            ScanKind::Tff => "interlaced (TFF)",
            ScanKind::Bff => "interlaced (BFF)",
            ScanKind::Progressive => "progressive",
            ScanKind::Undetermined => "undetermined",
        }
    }

    fn interlaced(self) -> bool {
        matches!(self, ScanKind::Tff | ScanKind::Bff)
    }
}

/// Frame counts per kind, as `idet` prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ScanCounts {
    /// Top field first.
    pub tff: u64,
    /// Bottom field first.
    pub bff: u64,
    /// Progressive.
    pub progressive: u64,
    /// Undetermined.
    pub undetermined: u64,
}

impl ScanCounts {
    fn add(&mut self, k: ScanKind) {
        match k {
            ScanKind::Tff => self.tff += 1,
            ScanKind::Bff => self.bff += 1,
            ScanKind::Progressive => self.progressive += 1,
            ScanKind::Undetermined => self.undetermined += 1,
        }
    }

    /// The majority verdict: interlaced when TFF + BFF frames outnumber
    /// progressive ones (field order by the larger), undetermined when no
    /// frame could be told.
    pub fn verdict(&self) -> ScanKind {
        if self.tff + self.bff + self.progressive == 0 {
            ScanKind::Undetermined
        } else if self.tff + self.bff > self.progressive {
            if self.tff >= self.bff {
                ScanKind::Tff
            } else {
                ScanKind::Bff
            }
        } else {
            ScanKind::Progressive
        }
    }
}

/// What was measured on one stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanResult {
    /// The picture's scan type over the whole file (multi-frame majority).
    pub detected: ScanKind,
    /// What the frames say they are (majority of the frames' flags).
    pub flagged: ScanKind,
    /// Whether the picture agrees with the flag (`None`: undetermined picture).
    pub matches_flag: Option<bool>,
    /// Per-frame classification (`idet`'s single-frame detection).
    pub single_frame: ScanCounts,
    /// Classification with the four-frame history (`idet`'s multi-frame detection).
    pub multi_frame: ScanCounts,
    /// Runs where the picture disagrees with the frames' flag: interlaced
    /// picture flagged progressive, or the field order the other way round.
    pub segments: Vec<super::Segment>,
    /// The parameters it ran with.
    pub detector: ScanOptions,
}

/// An earlier frame, kept (by reference when it came from the decoder) with its flag.
#[derive(Default)]
struct Kept {
    held: Held,
    flag: ScanKind,
    /// Bits per sample.
    bits: u8,
    index: u64,
    time_s: f64,
}

impl Kept {
    fn fill(&mut self, f: &FrameView<'_>) {
        self.held.keep(f);
        self.flag = flag_of(f);
        self.bits = f.bit_depth;
        (self.index, self.time_s) = (f.index, f.time_s);
    }

    /// The kept luma.
    fn luma(&self) -> Option<Plane<'_>> {
        self.held.view().map(|v| v.y)
    }

    fn same_shape(&self, p: &Plane<'_>) -> bool {
        self.luma().is_some_and(|k| {
            (k.width, k.height, k.bytes_per_sample) == (p.width, p.height, p.bytes_per_sample)
        })
    }
}

fn flag_of(f: &FrameView<'_>) -> ScanKind {
    match (f.interlaced_flag, f.top_field_first) {
        (false, _) => ScanKind::Progressive,
        (true, true) => ScanKind::Tff,
        (true, false) => ScanKind::Bff,
    }
}

/// `idet`'s single-frame classification of `cur` between `prev` and `next`.
fn classify(
    prev: &Plane<'_>,
    cur: &Plane<'_>,
    next: &Plane<'_>,
    bits: u8,
    o: &ScanOptions,
    rows: &mut [Rows; 5],
) -> ScanKind {
    let mut alpha = [0u64; 2];
    let mut delta = 0u64;
    let [r_above, r_here, r_below, r_prev, r_next] = rows;
    for y in 2..cur.height.saturating_sub(2) {
        let (above, here, below) = (
            r_above.row(cur, y - 1),
            r_here.row(cur, y),
            r_below.row(cur, y + 1),
        );
        let (p, n) = (r_prev.row(prev, y), r_next.row(next, y));
        let [p, n, d] = if bits <= 14 {
            kernels::idet_line_narrow(above, here, below, p, n, bits)
        } else {
            kernels::idet_line(above, here, below, p, n)
        };
        alpha[y & 1] += p;
        alpha[(y ^ 1) & 1] += n;
        delta += d;
    }
    let (a0, a1, d) = (alpha[0] as f64, alpha[1] as f64, delta as f64);
    if a0 > o.interlace_threshold * a1 {
        ScanKind::Tff
    } else if a1 > o.interlace_threshold * a0 {
        ScanKind::Bff
    } else if a1 > o.progressive_threshold * d {
        ScanKind::Progressive
    } else {
        ScanKind::Undetermined
    }
}

/// How the picture and the flag disagree on one frame, if they do.
fn mismatch(detected: ScanKind, flag: ScanKind) -> Option<&'static str> {
    match (detected, flag) {
        (d, ScanKind::Progressive) if d.interlaced() => Some("flagged progressive"),
        (ScanKind::Tff, ScanKind::Bff) | (ScanKind::Bff, ScanKind::Tff) => {
            Some("field order the other way round")
        }
        _ => None,
    }
}

/// The detector.
pub struct ScanDetector {
    opts: ScanOptions,
    prev: Option<Kept>,
    cur: Option<Kept>,
    spare: Kept,
    rows: [Rows; 5],
    history: [ScanKind; 4],
    last: ScanKind,
    single: ScanCounts,
    multi: ScanCounts,
    flags: ScanCounts,
    runs: Runs<(ScanKind, ScanKind)>,
}

impl ScanDetector {
    /// A detector for a stream described by `info`.
    pub fn new(opts: ScanOptions, _info: &StreamInfo) -> Self {
        ScanDetector {
            opts,
            prev: None,
            cur: None,
            spare: Kept::default(),
            rows: Default::default(),
            history: [ScanKind::Undetermined; 4],
            last: ScanKind::Undetermined,
            single: ScanCounts::default(),
            multi: ScanCounts::default(),
            flags: ScanCounts::default(),
            runs: Runs::default(),
        }
    }

    /// Classifies the kept current frame with `next` after it.
    fn judge(&mut self, next: Option<&Plane<'_>>) {
        let Some(cur) = &self.cur else { return };
        let Some(cp) = cur.luma() else { return };
        let pp = self.prev.as_ref().and_then(Kept::luma).unwrap_or(cp);
        let bits = cur.bits;
        let kind = classify(
            &pp,
            &cp,
            next.unwrap_or(&cp),
            bits,
            &self.opts,
            &mut self.rows,
        );
        let cur = self.cur.as_ref().expect("checked above");
        self.single.add(kind);
        self.history.rotate_right(1);
        self.history[0] = kind;
        let (best, matched) = history_match(&self.history);
        if (self.last == ScanKind::Undetermined && matched > 0) || matched > 2 {
            self.last = best;
        }
        self.multi.add(self.last);
        self.flags.add(cur.flag);
        match mismatch(self.last, cur.flag) {
            Some(_) => self
                .runs
                .hit(cur.index, cur.time_s, (self.last, cur.flag), |_, _| {}),
            None => self.runs.miss(cur.index, cur.time_s),
        }
    }
}

/// `idet`'s history rule: the most recent determined type and how many
/// determined frames in a row agree with it.
fn history_match(history: &[ScanKind; 4]) -> (ScanKind, u32) {
    let mut best = ScanKind::Undetermined;
    let mut matched = 0;
    for &h in history {
        if h == ScanKind::Undetermined {
            continue;
        }
        if best == ScanKind::Undetermined {
            best = h;
        }
        if h == best {
            matched += 1;
        } else {
            return (best, 0);
        }
    }
    (best, matched)
}

impl Detector for ScanDetector {
    fn frame(&mut self, f: &FrameView<'_>) {
        if self.cur.as_ref().is_some_and(|c| !c.same_shape(&f.y)) {
            // The picture changed size: judge what was kept on its own and start again.
            self.judge(None);
            self.prev = None;
            self.cur = None;
        }
        if self.cur.is_some() {
            self.judge(Some(&f.y));
        }
        let mut kept = std::mem::take(&mut self.spare);
        kept.fill(f);
        if let Some(old) = self.prev.take() {
            self.spare = old;
        }
        self.prev = self.cur.take();
        self.cur = Some(kept);
    }

    fn finish(mut self: Box<Self>, ctx: &StreamContext, out: &mut PictureMeasurements) {
        self.judge(None);
        let detected = self.multi.verdict();
        let flagged = self.flags.verdict();
        let matches_flag =
            (detected != ScanKind::Undetermined).then(|| mismatch(detected, flagged).is_none());
        let segments = self.runs.segments(ctx, self.opts.min_segment_s, |(d, f)| {
            format!(
                "picture {} but {} ({})",
                d.label(),
                mismatch(*d, *f).unwrap_or("flag"),
                f.label()
            )
        });
        out.scan = Some(ScanResult {
            detected,
            flagged,
            matches_flag,
            single_frame: self.single,
            multi_frame: self.multi,
            segments,
            detector: self.opts.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::Owned;
    use super::*;

    const W: usize = 64;
    const H: usize = 64;

    /// A moving vertical bar sampled as two fields: even lines at time
    /// 2n (top field first) or 2n+1, odd lines at the other.
    fn woven(n: usize, tff: bool) -> Owned {
        let mut o = Owned::flat(W, H, 16, 128, 128);
        for y in 0..H {
            let first = (y % 2 == 0) == tff;
            let t = 2 * n + usize::from(!first);
            let x0 = (t * 3) % W;
            for x in x0..(x0 + 12).min(W) {
                o.y[y * W + x] = 235;
            }
        }
        o
    }

    /// The same bar, whole frames.
    fn progressive(n: usize) -> Owned {
        let mut o = Owned::flat(W, H, 16, 128, 128);
        for y in 0..H {
            let x0 = (n * 6) % W;
            for x in x0..(x0 + 12).min(W) {
                o.y[y * W + x] = 235;
            }
        }
        o
    }

    fn run(frames: &[Owned], flag: Option<bool>) -> ScanResult {
        let info = StreamInfo {
            width: W,
            height: H,
            fps: 25.0,
            ..Default::default()
        };
        let mut d = Box::new(ScanDetector::new(ScanOptions::default(), &info));
        for (i, f) in frames.iter().enumerate() {
            let mut v = f.view(i as u64, 25.0);
            if let Some(tff) = flag {
                v.interlaced_flag = true;
                v.top_field_first = tff;
            }
            d.frame(&v);
        }
        let ctx = StreamContext {
            stream_index: 0,
            frame_rate: (25, 1),
            start_timecode: None,
            frames: frames.len() as u64,
            duration_s: frames.len() as f64 / 25.0,
            field_order: None,
        };
        let mut out = PictureMeasurements::default();
        d.finish(&ctx, &mut out);
        out.scan.unwrap()
    }

    #[test]
    fn interlaced_tff_flagged_progressive_is_a_mismatch() {
        let frames: Vec<_> = (0..50).map(|n| woven(n, true)).collect();
        let r = run(&frames, None);
        assert_eq!(r.detected, ScanKind::Tff, "{r:?}");
        assert_eq!(r.flagged, ScanKind::Progressive);
        assert_eq!(r.matches_flag, Some(false));
        assert_eq!(
            r.single_frame.tff
                + r.single_frame.bff
                + r.single_frame.progressive
                + r.single_frame.undetermined,
            50
        );
        assert_eq!(r.segments.len(), 1, "{r:?}");
        assert!(r.segments[0]
            .detail
            .as_deref()
            .unwrap()
            .contains("flagged progressive"));
    }

    #[test]
    fn bff_is_told_from_tff() {
        let frames: Vec<_> = (0..50).map(|n| woven(n, false)).collect();
        let r = run(&frames, Some(true));
        assert_eq!(r.detected, ScanKind::Bff, "{r:?}");
        assert_eq!(r.flagged, ScanKind::Tff);
        assert_eq!(r.matches_flag, Some(false));
        assert!(r.segments[0]
            .detail
            .as_deref()
            .unwrap()
            .contains("other way round"));
        let r = run(&frames, Some(false));
        assert_eq!(r.matches_flag, Some(true));
        assert!(r.segments.is_empty());
    }

    #[test]
    fn progressive_picture_is_progressive() {
        let frames: Vec<_> = (0..50).map(progressive).collect();
        let r = run(&frames, None);
        assert_eq!(r.detected, ScanKind::Progressive, "{r:?}");
        assert_eq!(r.matches_flag, Some(true));
        assert!(r.segments.is_empty());
    }

    #[test]
    fn a_still_picture_is_undetermined() {
        let frames: Vec<_> = (0..10).map(|_| progressive(0)).collect();
        let r = run(&frames, None);
        assert_eq!(r.detected, ScanKind::Undetermined, "{r:?}");
        assert_eq!(r.matches_flag, None);
    }

    #[test]
    fn history_rule_follows_idet() {
        use ScanKind::*;
        assert_eq!(history_match(&[Tff, Undetermined, Tff, Tff]), (Tff, 3));
        assert_eq!(history_match(&[Tff, Bff, Bff, Bff]), (Tff, 0));
        assert_eq!(history_match(&[Undetermined; 4]), (Undetermined, 0));
    }
}
