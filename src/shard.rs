//! Shards: a deterministic partition of a delivery's files into N parts of
//! about equal size, so that N processes (a Kubernetes Indexed Job, a Slurm
//! array, an AWS Batch array) each check one part and record its results in
//! the ledger, and `signoff merge` builds the one board from them.
//!
//! The partition depends only on the files' relative paths and sizes, so a
//! retried shard gets the same files. A caption file checked against a
//! master goes with its master's largest file: its result depends on the
//! master's, which its shard must analyse.

use crate::paths::RelPath;
use std::collections::BTreeMap;

/// One shard of N, numbered from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, 1..=count.
    pub index: u32,
    /// How many shards.
    pub count: u32,
}

/// What a shard run recorded (`check --shard K/N`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ShardRun {
    /// `shard K/N`.
    pub shard: String,
    /// The run it recorded.
    pub run_id: i64,
    /// The ledger it recorded in.
    #[serde(serialize_with = "crate::paths::lossy")]
    pub ledger: std::path::PathBuf,
    /// Files analysed by this shard.
    pub analysed_files: usize,
    /// Files whose results the ledger already had.
    pub reused_files: usize,
}

impl ShardRun {
    /// One line for people.
    pub fn text(&self) -> String {
        format!(
            "{}: {} files recorded ({} analysed, {} reused) as run {} in {}; `signoff merge` builds the board once every shard has run",
            self.shard,
            self.analysed_files + self.reused_files,
            self.analysed_files,
            self.reused_files,
            self.run_id,
            self.ledger.display()
        )
    }
}

/// The environment variables of the engines that run arrays of jobs, each
/// with its index's base (0: the first task is 0).
const ENGINE_INDEX: [(&str, u32); 3] = [
    ("JOB_COMPLETION_INDEX", 0),      // Kubernetes Indexed Job
    ("AWS_BATCH_JOB_ARRAY_INDEX", 0), // AWS Batch array job
    ("SLURM_ARRAY_TASK_ID", 0),       // Slurm job array (run with --array=0-(N-1))
];

impl Shard {
    /// Parses `K/N` (1 ≤ K ≤ N) or `auto/N`, where K comes from the engine's
    /// array index in `env` (0-based, so K = index + 1).
    pub fn parse(s: &str, env: impl Fn(&str) -> Option<String>) -> Result<Shard, String> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}` is not a shard: write K/N (e.g. 2/8) or auto/N"))?;
        let count: u32 = n
            .trim()
            .parse()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| format!("`{n}` is not a number of shards (1 or more)"))?;
        let index = match k.trim() {
            "auto" => from_engine(&env)?,
            k => k
                .parse()
                .map_err(|_| format!("`{k}` is not a shard number"))?,
        };
        if index == 0 || index > count {
            return Err(format!(
                "shard {index} of {count} does not exist: shards are numbered 1 to {count}"
            ));
        }
        Ok(Shard { index, count })
    }

    /// The ledger's name for a run of this shard (`shard 2/8`).
    pub fn run_kind(&self) -> String {
        format!("shard {}/{}", self.index, self.count)
    }
}

fn from_engine(env: &impl Fn(&str) -> Option<String>) -> Result<u32, String> {
    for (var, base) in ENGINE_INDEX {
        if let Some(v) = env(var) {
            let i: u32 = v
                .trim()
                .parse()
                .map_err(|_| format!("{var}={v} is not an array index"))?;
            return Ok(i - base + 1);
        }
    }
    Err("`--shard auto/N` needs JOB_COMPLETION_INDEX (Kubernetes), SLURM_ARRAY_TASK_ID (Slurm) or AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch) in the environment".into())
}

/// What one file costs a shard beyond its bytes, in bytes: opening,
/// sniffing, probing and recording it take about as long as reading
/// 64 KiB more (bench/scale.sh: 10,000 mostly small files take about as
/// long as their 590 MB of media), so a shard of many small files is not
/// counted as nearly empty.
pub const FILE_COST_BYTES: u64 = 64 << 10;

/// Assigns each file (relative path, size) to a shard 1..=count: costliest
/// first, each to the shard with the least cost so far (ties: the lower
/// shard; equal sizes: path order). A file's cost is its size plus
/// [`FILE_COST_BYTES`]. `follows` maps a file to the file whose shard it
/// must share (a caption to its master).
pub fn assign(
    files: &[(RelPath, u64)],
    count: u32,
    follows: &BTreeMap<RelPath, RelPath>,
) -> BTreeMap<RelPath, u32> {
    let count = count.max(1) as usize;
    let mut order: Vec<&(RelPath, u64)> = files
        .iter()
        .filter(|(p, _)| !follows.contains_key(p))
        .collect();
    order.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut load = vec![0u64; count];
    let mut out = BTreeMap::new();
    for (path, size) in order {
        let (i, _) = load
            .iter()
            .enumerate()
            .min_by_key(|(i, l)| (**l, *i))
            .unwrap_or((0, &0));
        load[i] += size.saturating_add(FILE_COST_BYTES);
        out.insert(path.clone(), i as u32 + 1);
    }
    for (path, _) in files {
        if let Some(leader) = follows.get(path) {
            let shard = out.get(leader).copied().unwrap_or(1);
            out.insert(path.clone(), shard);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(s: &str) -> RelPath {
        RelPath::from_bytes(s.as_bytes().to_vec())
    }

    #[test]
    fn shards_parse_and_come_from_the_engines() {
        let none = |_: &str| None;
        assert_eq!(Shard::parse("2/8", none), Ok(Shard { index: 2, count: 8 }));
        assert!(Shard::parse("0/8", none).is_err());
        assert!(Shard::parse("9/8", none).is_err());
        assert!(Shard::parse("2", none).is_err());
        assert!(Shard::parse("auto/4", none)
            .unwrap_err()
            .contains("JOB_COMPLETION_INDEX"));
        let k8s = |v: &str| (v == "JOB_COMPLETION_INDEX").then(|| "3".to_string());
        assert_eq!(
            Shard::parse("auto/4", k8s),
            Ok(Shard { index: 4, count: 4 })
        );
        let slurm = |v: &str| (v == "SLURM_ARRAY_TASK_ID").then(|| "0".to_string());
        assert_eq!(
            Shard::parse("auto/4", slurm),
            Ok(Shard { index: 1, count: 4 })
        );
        let out_of_range = |v: &str| (v == "AWS_BATCH_JOB_ARRAY_INDEX").then(|| "4".to_string());
        assert!(Shard::parse("auto/4", out_of_range).is_err());
    }

    #[test]
    fn the_partition_is_balanced_by_size_stable_and_keeps_captions_with_their_master() {
        let files = vec![
            (rel("a.mov"), 900),
            (rel("b.mov"), 500),
            (rel("c.wav"), 400),
            (rel("d.srt"), 1),
            (rel("e.wav"), 100),
        ];
        let follows = BTreeMap::from([(rel("d.srt"), rel("b.mov"))]);
        let got = assign(&files, 2, &follows);
        assert_eq!(got[&rel("a.mov")], 1);
        assert_eq!(got[&rel("b.mov")], 2);
        assert_eq!(got[&rel("c.wav")], 2);
        assert_eq!(got[&rel("e.wav")], 1);
        assert_eq!(got[&rel("d.srt")], 2, "with its master");
        let mut shuffled = files.clone();
        shuffled.reverse();
        assert_eq!(
            assign(&shuffled, 2, &follows),
            got,
            "the order given does not matter"
        );
        assert!(assign(&files, 1, &follows).values().all(|s| *s == 1));
    }
}
