//! JSON of a run: one document (`--report run.json`), or JSON Lines for
//! pipelines (`--report run.jsonl`, `--format jsonl`): a `begin` line, one
//! `file` line per file as it finishes, an `end` line with the summary.
//! Each line is `{"type": …, "data": …}`. See docs/reports.md.

use super::model::{FileCounts, FileEntry, ProfileRef, RunReport};
use crate::board::DeliverableStatus;
use crate::policy::{FailPolicy, RunVerdict};
use serde::Serialize;

/// The whole-run summary, in both formats: the run's answer under its
/// policy (what the exit code says), why, and the file counts.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// The run's answer (`pass`, `fail`, `unreadable`), as the exit code.
    pub verdict: RunVerdict,
    /// The exit code the run gives.
    pub exit_code: u8,
    /// The headline every report shows.
    pub headline: String,
    /// What fails the run.
    pub reasons: Vec<String>,
    /// What is worth a look but does not fail it under the policy.
    pub notes: Vec<String>,
    /// Files per verdict.
    pub counts: FileCounts,
}

/// The summary of `r`.
pub fn summary(r: &RunReport) -> Summary {
    let d = r.decide();
    Summary {
        verdict: d.verdict,
        exit_code: d.verdict.exit_code(),
        headline: d.headline(),
        reasons: d.reasons,
        notes: d.notes,
        counts: r.counts(),
    }
}

#[derive(Serialize)]
struct Document<'a> {
    #[serde(flatten)]
    run: &'a RunReport,
    summary: Summary,
}

/// The run as one pretty-printed JSON document, newline-terminated.
pub fn document(r: &RunReport) -> serde_json::Result<String> {
    let mut s = serde_json::to_string_pretty(&Document {
        run: r,
        summary: summary(r),
    })?;
    s.push('\n');
    Ok(s)
}

/// Reads back a document written by [`document`] (the `summary` is recomputed).
pub fn parse(text: &str) -> serde_json::Result<RunReport> {
    serde_json::from_str(text)
}

/// One JSON Lines record.
#[derive(Serialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
enum Line<'a> {
    Begin(Begin<'a>),
    File(&'a FileEntry),
    End(End<'a>),
}

#[derive(Serialize)]
struct Begin<'a> {
    schema_version: u32,
    tool: &'a str,
    command: &'a str,
    started_at: &'a str,
    user: &'a Option<String>,
    host: &'a Option<String>,
    roots: &'a [String],
    policy: &'a FailPolicy,
    profiles: &'a [ProfileRef],
}

#[derive(Serialize)]
struct End<'a> {
    finished_at: &'a str,
    summary: Summary,
    board: &'a Option<Vec<DeliverableStatus>>,
}

fn line(l: &Line) -> serde_json::Result<String> {
    let mut s = serde_json::to_string(l)?;
    s.push('\n');
    Ok(s)
}

/// The `begin` line: who, when, where, against which profiles (`files` is not read).
pub fn jsonl_begin(r: &RunReport) -> serde_json::Result<String> {
    line(&Line::Begin(Begin {
        schema_version: r.schema_version,
        tool: &r.tool,
        command: &r.command,
        started_at: &r.started_at,
        user: &r.user,
        host: &r.host,
        roots: &r.roots,
        policy: &r.policy,
        profiles: &r.profiles,
    }))
}

/// The `file` line of one finished file.
pub fn jsonl_file(f: &FileEntry) -> serde_json::Result<String> {
    line(&Line::File(f))
}

/// The `end` line: finish time, verdict and counts, the board.
pub fn jsonl_end(r: &RunReport) -> serde_json::Result<String> {
    line(&Line::End(End {
        finished_at: &r.finished_at,
        summary: summary(r),
        board: &r.board,
    }))
}

/// The whole run as JSON Lines.
pub fn jsonl(r: &RunReport) -> serde_json::Result<String> {
    let mut s = jsonl_begin(r)?;
    for f in &r.files {
        s.push_str(&jsonl_file(f)?);
    }
    s.push_str(&jsonl_end(r)?);
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::sample_run;

    #[test]
    fn document_round_trips() {
        let r = sample_run();
        let text = document(&r).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["schema_version"], crate::SCHEMA_VERSION);
        assert_eq!(v["summary"]["verdict"], "unreadable");
        assert_eq!(v["summary"]["counts"]["fail"], 1);
        assert_eq!(parse(&text).unwrap(), r);
    }

    #[test]
    fn jsonl_is_one_object_per_line() {
        let r = sample_run();
        let text = jsonl(&r).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), r.files.len() + 2);
        assert_eq!(lines[0]["type"], "begin");
        assert_eq!(lines[0]["data"]["schema_version"], crate::SCHEMA_VERSION);
        assert_eq!(lines[1]["type"], "file");
        assert_eq!(lines[1]["data"]["file"]["path"], r.files[0].file.path);
        assert_eq!(lines.last().unwrap()["type"], "end");
    }
}
