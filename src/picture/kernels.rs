//! The picture detectors' inner loops over one row of samples, written so
//! that the compiler vectorises them, and compiled for the vector units
//! the machine has (chosen at run time): the detectors' work per frame
//! stays far below the decoder's.
//!
//! Every kernel works on 16-bit samples. [`Rows`] hands a plane's rows
//! out as `&[u16]`: borrowed from the decoded picture when it is 16-bit
//! little-endian and aligned (FFmpeg's are), widened into a scratch row
//! otherwise (8-bit pictures).

use super::Plane;
use multiversion::multiversion;

/// Reads rows of a plane as 16-bit samples.
#[derive(Debug, Default)]
pub struct Rows {
    scratch: Vec<u16>,
}

impl Rows {
    /// Row `y` of `plane`, `plane.width` samples.
    pub fn row<'s>(&'s mut self, plane: &Plane<'s>, y: usize) -> &'s [u16] {
        let bytes = plane.row_bytes(y);
        if plane.bytes_per_sample == 2 && cfg!(target_endian = "little") {
            // SAFETY: any two bytes are a valid u16; `align_to` only
            // returns the middle part correctly aligned.
            let (head, mid, tail) = unsafe { bytes.align_to::<u16>() };
            if head.is_empty() && tail.is_empty() {
                return mid;
            }
        }
        self.scratch.clear();
        if plane.bytes_per_sample == 1 {
            self.scratch.extend(bytes.iter().map(|&b| u16::from(b)));
        } else {
            self.scratch.extend(
                bytes
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]])),
            );
        }
        &self.scratch
    }
}

/// Samples outside `lo..=hi`, with the lowest and highest sample of `row`.
#[multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
pub fn outside_min_max(row: &[u16], lo: u16, hi: u16) -> (u32, u16, u16) {
    let mut outside = 0u32;
    let (mut min, mut max) = (u16::MAX, u16::MIN);
    for chunk in row.chunks(4096) {
        let mut n = 0u16;
        for &s in chunk {
            n = n.wrapping_add(u16::from(s < lo) + u16::from(s > hi));
            min = min.min(s);
            max = max.max(s);
        }
        outside += u32::from(n);
    }
    (outside, min, max)
}

/// Sum, lowest and highest sample of `row` (the luma graph's YAVG, YMIN,
/// YMAX); the sum fits a `u32` for rows up to 65 536 samples.
#[multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
pub fn sum_min_max(row: &[u16]) -> (u32, u16, u16) {
    let mut sum = 0u32;
    let (mut min, mut max) = (u16::MAX, u16::MIN);
    for &s in row {
        sum = sum.wrapping_add(u32::from(s));
        min = min.min(s);
        max = max.max(s);
    }
    (sum, min, max)
}

/// `idet`'s three sums over one line `here` between `above` and `below`:
/// Σ |above + below − 2·prev|, Σ |above + below − 2·next| and
/// Σ |above + below − 2·here|, in one pass.
#[multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
pub fn idet_line(
    above: &[u16],
    here: &[u16],
    below: &[u16],
    prev: &[u16],
    next: &[u16],
) -> [u64; 3] {
    let n = [above.len(), here.len(), below.len(), prev.len(), next.len()]
        .into_iter()
        .min()
        .unwrap_or(0);
    let mut total = [0u64; 3];
    let mut start = 0;
    while start < n {
        let end = (start + 4096).min(n);
        let (a, h, b, p, x) = (
            &above[start..end],
            &here[start..end],
            &below[start..end],
            &prev[start..end],
            &next[start..end],
        );
        let (mut sp, mut sx, mut sh) = (0u32, 0u32, 0u32);
        for i in 0..a.len() {
            let ab = i32::from(a[i]) + i32::from(b[i]);
            sp += (ab - 2 * i32::from(p[i])).unsigned_abs();
            sx += (ab - 2 * i32::from(x[i])).unsigned_abs();
            sh += (ab - 2 * i32::from(h[i])).unsigned_abs();
        }
        total[0] += u64::from(sp);
        total[1] += u64::from(sx);
        total[2] += u64::from(sh);
        start = end;
    }
    total
}

/// [`idet_line`] for samples of at most `bits` bits (up to 14), in 16-bit
/// lanes: twice the samples per instruction, the same three sums. Every
/// difference is at most 2·(2^bits − 1) < 2^15, so it is exact in an `i16`,
/// and the 16-bit lane sums are emptied before they could overflow. A
/// sample above 2^bits − 1 (which FFmpeg's decoders do not make) is read
/// as 2^bits − 1.
#[multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
pub fn idet_line_narrow(
    above: &[u16],
    here: &[u16],
    below: &[u16],
    prev: &[u16],
    next: &[u16],
    bits: u8,
) -> [u64; 3] {
    const L: usize = 16;
    let bits = bits.clamp(1, 14);
    let top = ((1u32 << bits) - 1) as u16;
    let n = [above.len(), here.len(), below.len(), prev.len(), next.len()]
        .into_iter()
        .min()
        .unwrap_or(0);
    // Blocks of L samples a 16-bit lane sum takes before it must be emptied.
    let per_flush = (65_535 / (2 * u32::from(top))).max(1) as usize;
    let blocks = n / L;
    let mut total = [0u64; 3];
    let mut start = 0;
    while start < blocks {
        let end = (start + per_flush).min(blocks);
        let (mut sp, mut sx, mut sh) = ([0u16; L], [0u16; L], [0u16; L]);
        for o in (start * L..end * L).step_by(L) {
            let (a, h, b) = (&above[o..o + L], &here[o..o + L], &below[o..o + L]);
            let (p, x) = (&prev[o..o + L], &next[o..o + L]);
            for l in 0..L {
                let ab = a[l].min(top) + b[l].min(top);
                sp[l] += (ab.wrapping_sub(p[l].min(top) << 1) as i16).unsigned_abs();
                sx[l] += (ab.wrapping_sub(x[l].min(top) << 1) as i16).unsigned_abs();
                sh[l] += (ab.wrapping_sub(h[l].min(top) << 1) as i16).unsigned_abs();
            }
        }
        for (t, a) in total.iter_mut().zip([sp, sx, sh]) {
            *t += a.iter().map(|&v| u64::from(v)).sum::<u64>();
        }
        start = end;
    }
    let clip = |s: &[u16], i: usize| i32::from(s[i].min(top));
    for i in blocks * L..n {
        let ab = clip(above, i) + clip(below, i);
        total[0] += u64::from((ab - 2 * clip(prev, i)).unsigned_abs());
        total[1] += u64::from((ab - 2 * clip(next, i)).unsigned_abs());
        total[2] += u64::from((ab - 2 * clip(here, i)).unsigned_abs());
    }
    total
}

/// Whether every `|a − b|` is at most `noise`, stopping at the first
/// 256-sample block that is not.
#[multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
pub fn within(a: &[u16], b: &[u16], noise: u16) -> bool {
    a.chunks(256).zip(b.chunks(256)).all(|(a, b)| {
        a.iter()
            .zip(b)
            .fold(0u16, |m, (&x, &y)| m.max(x.abs_diff(y)))
            <= noise
    })
}

/// Sum of `|a − b|` over a row.
#[multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
pub fn abs_diff_sum(a: &[u16], b: &[u16]) -> u64 {
    let mut total = 0u64;
    for (a, b) in a.chunks(4096).zip(b.chunks(4096)) {
        let mut sum = 0u32;
        for (&x, &y) in a.iter().zip(b) {
            sum += u32::from(x.abs_diff(y));
        }
        total += u64::from(sum);
    }
    total
}

/// Y′CbCr → R′G′B′ in code values, fixed point with 16 fractional bits in
/// 32-bit lanes (exact for samples of up to 12 bits).
#[derive(Debug, Clone, Copy)]
pub struct RgbCoefficients {
    /// Chroma's zero, code value.
    pub mid: i32,
    /// R′ from Cr.
    pub r_cr: i32,
    /// G′ from Cb.
    pub g_cb: i32,
    /// G′ from Cr.
    pub g_cr: i32,
    /// B′ from Cb.
    pub b_cb: i32,
}

/// R′G′B′ of one site, as (lowest, highest) component.
#[inline(always)]
fn rgb_site(y: i32, cb: u16, cr: u16, k: &RgbCoefficients) -> (i32, i32) {
    const HALF: i32 = 1 << 15;
    let (cb, cr) = (i32::from(cb) - k.mid, i32::from(cr) - k.mid);
    let r = y + ((k.r_cr * cr + HALF) >> 16);
    let g = y - ((k.g_cb * cb + k.g_cr * cr + HALF) >> 16);
    let b = y + ((k.b_cb * cb + HALF) >> 16);
    (r.min(g).min(b), r.max(g).max(b))
}

/// The count of sites with a component outside `lo..=hi`, and the lowest
/// and highest component seen: what every `rgb_outside*` kernel returns.
#[derive(Clone, Copy)]
struct Tally {
    outside: u32,
    min: i32,
    max: i32,
}

impl Tally {
    const EMPTY: Tally = Tally {
        outside: 0,
        min: i32::MAX,
        max: i32::MIN,
    };

    /// Adds the site of luma `y` and chroma `cb`, `cr`.
    #[inline(always)]
    fn add(&mut self, y: i32, cb: u16, cr: u16, k: &RgbCoefficients, lo: i32, hi: i32) {
        let (l, h) = rgb_site(y, cb, cr, k);
        self.outside += u32::from(l < lo) | u32::from(h > hi);
        self.min = self.min.min(l);
        self.max = self.max.max(h);
    }

    #[inline(always)]
    fn result(self) -> (u32, i32, i32) {
        (self.outside, self.min, self.max)
    }
}

/// Sites where any of R′G′B′ (from `y`, `cb`, `cr` at the same sites) is
/// outside `lo..=hi`, with the lowest and highest component.
#[multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
pub fn rgb_outside(
    y: &[u16],
    cb: &[u16],
    cr: &[u16],
    k: RgbCoefficients,
    lo: i32,
    hi: i32,
) -> (u32, i32, i32) {
    let mut t = Tally::EMPTY;
    for ((&y, &cb), &cr) in y.iter().zip(cb).zip(cr) {
        t.add(i32::from(y), cb, cr, &k, lo, hi);
    }
    t.result()
}

/// [`rgb_outside`] at 4:2:2 sites straight from the luma row: Y′ of site
/// `i` is the rounded mean of samples `2i` and `2i + 1` (what
/// [`luma_at_chroma`] gives), without the averaged row in between.
pub fn rgb_outside_pairs(
    y: &[u16],
    cb: &[u16],
    cr: &[u16],
    k: RgbCoefficients,
    lo: i32,
    hi: i32,
) -> (u32, i32, i32) {
    if cfg!(target_endian = "little") {
        // SAFETY: any four bytes are a valid u32; `align_to` only returns
        // the middle part correctly aligned. Little-endian: the low half
        // of each u32 is the even sample.
        let (head, pairs, tail) = unsafe { y.align_to::<u32>() };
        if head.is_empty() && tail.is_empty() {
            return rgb_outside_packed_pairs(pairs, cb, cr, k, lo, hi);
        }
    }
    rgb_outside_pairs_slow(y, cb, cr, k, lo, hi)
}

/// [`rgb_outside_pairs`] over sample pairs read as one `u32` each (the
/// vector units add the halves without shuffling).
#[multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
fn rgb_outside_packed_pairs(
    pairs: &[u32],
    cb: &[u16],
    cr: &[u16],
    k: RgbCoefficients,
    lo: i32,
    hi: i32,
) -> (u32, i32, i32) {
    let mut t = Tally::EMPTY;
    for ((&p, &cb), &cr) in pairs.iter().zip(cb).zip(cr) {
        let y = (((p & 0xffff) + (p >> 16) + 1) >> 1) as i32;
        t.add(y, cb, cr, &k, lo, hi);
    }
    t.result()
}

#[multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
fn rgb_outside_pairs_slow(
    y: &[u16],
    cb: &[u16],
    cr: &[u16],
    k: RgbCoefficients,
    lo: i32,
    hi: i32,
) -> (u32, i32, i32) {
    let mut t = Tally::EMPTY;
    for ((p, &cb), &cr) in y.chunks_exact(2).zip(cb).zip(cr) {
        let y = (i32::from(p[0]) + i32::from(p[1]) + 1) >> 1;
        t.add(y, cb, cr, &k, lo, hi);
    }
    t.result()
}

/// [`rgb_outside`] at 4:2:0 sites straight from two luma rows: Y′ of site
/// `i` is the rounded mean of the 2×2 samples it covers.
#[multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
pub fn rgb_outside_quads(
    y0: &[u16],
    y1: &[u16],
    cb: &[u16],
    cr: &[u16],
    k: RgbCoefficients,
    lo: i32,
    hi: i32,
) -> (u32, i32, i32) {
    let mut t = Tally::EMPTY;
    let pairs = y0.chunks_exact(2).zip(y1.chunks_exact(2));
    for (((p, q), &cb), &cr) in pairs.zip(cb).zip(cr) {
        let sum = i32::from(p[0]) + i32::from(p[1]) + i32::from(q[0]) + i32::from(q[1]);
        t.add((sum + 2) >> 2, cb, cr, &k, lo, hi);
    }
    t.result()
}

/// Y′ averaged over the pixels each chroma site covers: `rows` luma rows
/// (1 or 2), `2^sx` samples across (`sx` 0 or 1), rounded; into `out`,
/// `sites` long (fewer if the rows are shorter).
pub fn luma_at_chroma(rows: &[&[u16]], sx: usize, sites: usize, out: &mut Vec<u16>) {
    let width = rows.iter().map(|r| r.len()).min().unwrap_or(0);
    let full = if sx == 0 { width } else { width / 2 };
    let n = sites.min(full);
    out.clear();
    out.resize(n, 0);
    match (rows, sx) {
        ([r], 0) => out.copy_from_slice(&r[..n]),
        ([a, b], 0) => average2(&a[..n], &b[..n], out),
        ([r], _) => pairs1(&r[..2 * n], out),
        ([a, b], _) => pairs2(&a[..2 * n], &b[..2 * n], out),
        _ => {}
    }
    // A last site over a single column (odd width).
    if sites > n && sx == 1 && width > 2 * n {
        let x = 2 * n;
        let sum: u32 = rows.iter().map(|r| u32::from(r[x])).sum();
        let k = rows.len() as u32;
        out.push(((sum + k / 2) / k) as u16);
    }
}

#[multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
fn average2(a: &[u16], b: &[u16], out: &mut [u16]) {
    for ((o, &a), &b) in out.iter_mut().zip(a).zip(b) {
        *o = ((u32::from(a) + u32::from(b) + 1) >> 1) as u16;
    }
}

#[multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
fn pairs1(r: &[u16], out: &mut [u16]) {
    for (o, p) in out.iter_mut().zip(r.chunks_exact(2)) {
        *o = ((u32::from(p[0]) + u32::from(p[1]) + 1) >> 1) as u16;
    }
}

#[multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
fn pairs2(a: &[u16], b: &[u16], out: &mut [u16]) {
    for ((o, p), q) in out.iter_mut().zip(a.chunks_exact(2)).zip(b.chunks_exact(2)) {
        let sum = u32::from(p[0]) + u32::from(p[1]) + u32::from(q[0]) + u32::from(q[1]);
        *o = ((sum + 2) >> 2) as u16;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_counts_and_extremes() {
        let row = [3u16, 5, 100, 246, 247, 0, 1000];
        assert_eq!(outside_min_max(&row, 5, 246), (4, 0, 1000));
        let long: Vec<u16> = (0..10_000).map(|i| (i % 300) as u16).collect();
        let expect = long.iter().filter(|&&s| !(5..=246).contains(&s)).count() as u32;
        assert_eq!(outside_min_max(&long, 5, 246).0, expect);
    }

    #[test]
    fn idet_line_is_idets_filter_three_times() {
        let above = [10u16, 0, 4095];
        let below = [0u16, 0, 4095];
        let here = [5u16, 4095, 0];
        let prev = [0u16, 0, 0];
        let next = [5u16, 0, 4095];
        assert_eq!(
            idet_line(&above, &here, &below, &prev, &next),
            [10 + 8190, 0, 8190 + 8190]
        );
    }

    #[test]
    fn narrow_idet_line_is_the_wide_one() {
        // Pseudo-random rows at 8, 10, 12 and 14 bits, long enough to
        // empty the 16-bit sums many times, with a tail that is not a
        // whole block.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for bits in [8u8, 10, 12, 14] {
            let top = (1u64 << bits) - 1;
            let mut row = |extreme: bool| -> Vec<u16> {
                (0..4103)
                    .map(|i| match (extreme, i % 3) {
                        (true, 0) => 0,
                        (true, _) => top as u16,
                        _ => (next() % (top + 1)) as u16,
                    })
                    .collect()
            };
            for extreme in [false, true] {
                let r: Vec<Vec<u16>> = (0..5).map(|k| row(extreme && k % 2 == 0)).collect();
                assert_eq!(
                    idet_line_narrow(&r[0], &r[1], &r[2], &r[3], &r[4], bits),
                    idet_line(&r[0], &r[1], &r[2], &r[3], &r[4]),
                    "{bits} bits"
                );
            }
        }
    }

    #[test]
    fn luma_average_over_a_422_site() {
        let r: [u16; 5] = [10, 11, 20, 20, 7];
        let mut out = Vec::new();
        luma_at_chroma(&[&r], 1, 3, &mut out);
        assert_eq!(out, [11, 20, 7]);
        luma_at_chroma(&[&r, &r], 1, 3, &mut out);
        assert_eq!(out, [11, 20, 7]);
    }

    #[test]
    fn rgb_at_422_sites_is_rgb_of_the_averaged_row() {
        let k = RgbCoefficients {
            mid: 512,
            r_cr: 100_893,
            g_cb: 12_003,
            g_cr: 29_991,
            b_cb: 118_900,
        };
        let y: Vec<u16> = (0..2048u32).map(|i| ((i * 7919) % 1024) as u16).collect();
        let cb: Vec<u16> = (0..1024u32)
            .map(|i| ((i * 104_729) % 1024) as u16)
            .collect();
        let cr: Vec<u16> = (0..1024u32)
            .map(|i| ((i * 1_299_709) % 1024) as u16)
            .collect();
        let mut avg = Vec::new();
        luma_at_chroma(&[&y], 1, 1024, &mut avg);
        let expect = rgb_outside(&avg, &cb, &cr, k, 20, 984);
        assert!(expect.0 > 0);
        assert_eq!(rgb_outside_pairs(&y, &cb, &cr, k, 20, 984), expect);
        // Misaligned (the slow path) gives the same.
        let shifted: Vec<u16> = std::iter::once(0).chain(y.iter().copied()).collect();
        assert_eq!(
            rgb_outside_pairs(&shifted[1..], &cb, &cr, k, 20, 984),
            expect
        );
        let y1: Vec<u16> = y.iter().rev().copied().collect();
        luma_at_chroma(&[&y, &y1], 1, 1024, &mut avg);
        assert_eq!(
            rgb_outside_quads(&y, &y1, &cb, &cr, k, 20, 984),
            rgb_outside(&avg, &cb, &cr, k, 20, 984)
        );
    }

    #[test]
    fn within_noise() {
        assert!(within(&[1, 2, 3], &[2, 2, 2], 1));
        assert!(!within(&[1, 2, 9], &[2, 2, 2], 1));
    }
}
