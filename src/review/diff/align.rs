//! Aligning two fingerprint sequences: Myers' O(ND) shortest edit script
//! over a tolerant "same" (two fingerprints within a threshold), so that
//! an inserted, removed or replaced stretch shows as such. The work and
//! memory grow with the number of differing frames D (the trace is
//! O(D²)), not with length; past `max_d` the caller compares in place.

use std::ops::Range;

/// A run of matching positions: `a[a_start..a_start+len]` ≈ `b[b_start..b_start+len]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    /// First position in the old sequence.
    pub a_start: usize,
    /// First position in the new sequence.
    pub b_start: usize,
    /// Length.
    pub len: usize,
}

/// A stretch that differs: `a` in the old sequence stands where `b` is in the new.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    /// Old positions (empty: an insertion before `a.start`).
    pub a: Range<usize>,
    /// New positions (empty: a removal before `b.start`).
    pub b: Range<usize>,
}

/// The matching runs of a shortest edit script of `n` old against `m`
/// new positions, `same(i, j)` deciding; `None` when more than `max_d`
/// positions differ.
pub fn align(
    n: usize,
    m: usize,
    max_d: usize,
    same: impl Fn(usize, usize) -> bool,
) -> Option<Vec<Run>> {
    let max_d = max_d.min(n + m);
    let off = max_d as isize + 1;
    let mut v = vec![0isize; 2 * max_d + 3];
    let mut trace: Vec<Vec<isize>> = Vec::new();
    let (n_i, m_i) = (n as isize, m as isize);
    for d in 0..=max_d as isize {
        trace.push(v[(off - d) as usize..=(off + d) as usize].to_vec());
        let mut k = -d;
        while k <= d {
            let at = |k: isize| v[(off + k) as usize];
            let mut x = if k == -d || (k != d && at(k - 1) < at(k + 1)) {
                at(k + 1)
            } else {
                at(k - 1) + 1
            };
            let mut y = x - k;
            while x < n_i && y < m_i && same(x as usize, y as usize) {
                x += 1;
                y += 1;
            }
            v[(off + k) as usize] = x;
            if x >= n_i && y >= m_i {
                return Some(backtrack(&trace, n_i, m_i, d));
            }
            k += 2;
        }
    }
    None
}

/// The diagonal runs of the path found at round `d`, in order.
fn backtrack(trace: &[Vec<isize>], n: isize, m: isize, d_end: isize) -> Vec<Run> {
    let mut runs = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (0..=d_end).rev() {
        // Where round d's edit left the path (the start of its snake),
        // and where round d − 1 ended.
        let ((sx, sy), (px, py)) = if d == 0 {
            ((0, 0), (0, 0))
        } else {
            let snap = &trace[d as usize];
            let at = |k: isize| snap[(k + d) as usize];
            let k = x - y;
            let down = k == -d || (k != d && at(k - 1) < at(k + 1));
            let pk = if down { k + 1 } else { k - 1 };
            let px = at(pk);
            let py = px - pk;
            let start = if down { (px, py + 1) } else { (px + 1, py) };
            (start, (px, py))
        };
        let len = (x - sx).min(y - sy);
        if len > 0 {
            runs.push(Run {
                a_start: (x - len) as usize,
                b_start: (y - len) as usize,
                len: len as usize,
            });
        }
        x = px;
        y = py;
    }
    runs.reverse();
    runs
}

/// The stretches between `runs` (of `n` old and `m` new positions),
/// after dropping runs shorter than `min_run` between two changes (a
/// frame or two that happen to match inside a replaced shot).
pub fn hunks(runs: &[Run], n: usize, m: usize, min_run: usize) -> Vec<Hunk> {
    let kept: Vec<&Run> = runs
        .iter()
        .filter(|r| {
            let at_start = r.a_start == 0 && r.b_start == 0;
            let at_end = r.a_start + r.len == n && r.b_start + r.len == m;
            r.len >= min_run || at_start || at_end
        })
        .collect();
    let mut out = Vec::new();
    let (mut a, mut b) = (0, 0);
    for r in kept.iter().map(|r| **r).chain(std::iter::once(Run {
        a_start: n,
        b_start: m,
        len: 0,
    })) {
        if r.a_start > a || r.b_start > b {
            out.push(Hunk {
                a: a..r.a_start,
                b: b..r.b_start,
            });
        }
        a = r.a_start + r.len;
        b = r.b_start + r.len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diff(a: &str, b: &str) -> Vec<Hunk> {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let runs = align(a.len(), b.len(), 100, |i, j| a[i] == b[j]).unwrap();
        hunks(&runs, a.len(), b.len(), 1)
    }

    #[test]
    fn finds_inserts_removals_and_replacements() {
        assert_eq!(diff("abcdef", "abcdef"), vec![]);
        assert_eq!(diff("abcdef", "abcXYdef"), vec![Hunk { a: 3..3, b: 3..5 }]);
        assert_eq!(diff("abcdef", "abef"), vec![Hunk { a: 2..4, b: 2..2 }]);
        assert_eq!(
            diff("abcdefgh", "abcXYfgh"),
            vec![Hunk { a: 3..5, b: 3..5 }]
        );
        assert_eq!(diff("", "ab"), vec![Hunk { a: 0..0, b: 0..2 }]);
        assert_eq!(diff("ab", ""), vec![Hunk { a: 0..2, b: 0..0 }]);
        assert_eq!(
            diff("abcdefgh", "Xbcdefgh"),
            vec![Hunk { a: 0..1, b: 0..1 }]
        );
    }

    #[test]
    fn gives_up_past_max_d() {
        let a: Vec<u32> = (0..100).collect();
        let b: Vec<u32> = (100..200).collect();
        assert!(align(100, 100, 10, |i, j| a[i] == b[j]).is_none());
    }
}
