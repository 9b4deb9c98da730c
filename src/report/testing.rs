//! A small run built in code for the renderers' unit tests: a passing file,
//! a failing file with a hostile name and a hostile title tag, an
//! unreadable file, a loudness measurement and a board.

use super::model::*;
use crate::board::{Approval, BoardFile, DeliverableStatus, FileOutcome, State};
use crate::error::{FileProblem, ProblemKind};
use crate::inventory::sniff::FileKind;
use crate::measure::model::{AudioMeasurements, Fault, FaultKind, Programme, Timeline};
use crate::probe::Status as ProbeStatus;
use crate::scan::ScannedFile;
use crate::spec::{FileReport, Finding, Severity, Status};
use std::path::PathBuf;

/// The hostile file name used across the tests.
pub const HOSTILE: &str = "<img src=x onerror=alert(1)>.mov";

fn scanned(rel: &str) -> ScannedFile {
    ScannedFile {
        path: format!("/deliveries/FEATURE/{rel}"),
        path_hex: None,
        relative_path: rel.into(),
        size_bytes: 1234,
        modified_unix_s: Some(1_700_000_000),
        kind: FileKind::Media,
        format: Some("mov".into()),
        summary: "mov · prores HQ 1920x1080 <script>alert(2)</script>".into(),
        status: ProbeStatus::Ok,
        problem: None,
        warnings: vec![],
        link: None,
        media: None,
        ffmpeg_log: vec![],
    }
}

fn finding(rule: &str, severity: Severity, status: Status, message: &str) -> Finding {
    Finding {
        profile: "netflix-prores-hq".into(),
        rule_id: rule.into(),
        severity,
        status,
        stream_index: Some(0),
        programme: None,
        expected: "23.976 fps".into(),
        actual: "25 fps <b>".into(),
        message: message.into(),
        source_clause: Some("article 1".into()),
        position_s: Some(1.5),
        timecode: Some("01:00:01:12".into()),
    }
}

fn programme() -> Programme {
    Programme {
        name: "stereo".into(),
        channels: vec![],
        grouping: Default::default(),
        integrated_lufs: Some(-23.4),
        loudness_range_lu: Some(5.0),
        true_peak_dbtp: Some(-1.8),
        true_peak_per_channel_dbtp: vec![Some(-1.8), Some(-2.0)],
        sample_peak_dbfs: Some(-2.1),
        max_momentary_lufs: Some(-18.0),
        max_short_term_lufs: Some(-20.0),
        short_term_timeline: Timeline {
            interval_s: 1.0,
            values_lufs: (0..60)
                .map(|i| Some(-24.0 + (i % 7) as f64 * 0.5))
                .collect(),
        },
    }
}

/// The sample run.
pub fn sample_run() -> RunReport {
    let profiles = vec!["netflix-prores-hq".to_string()];
    let pass = FileEntry {
        file: scanned("picture/FEATURE.mov"),
        report: Some(FileReport::from_findings(
            "/deliveries/FEATURE/picture/FEATURE.mov".into(),
            profiles.clone(),
            vec![finding(
                "video.codec",
                Severity::Error,
                Status::Passed,
                "ProRes",
            )],
        )),
        picture: None,
        captions: None,
        audio: Some(AudioMeasurements {
            programmes: vec![programme()],
            faults: vec![Fault {
                kind: FaultKind::Clipping,
                stream_index: 1,
                channel: Some(0),
                start_s: 12.0,
                duration_s: 0.01,
                count: Some(1),
                timecode: None,
                message: "clipping: 3 samples at full scale".into(),
            }],
            ffmpeg_log: Vec::new(),
        }),
        sha256: Some("ab".repeat(32)),
        deliverable: Some("FTR".into()),
    };
    let hostile_rel = format!("picture/{HOSTILE}");
    let fail = FileEntry {
        file: scanned(&hostile_rel),
        report: Some(FileReport::from_findings(
            PathBuf::from(format!("/deliveries/FEATURE/{hostile_rel}")),
            profiles.clone(),
            vec![
                finding(
                    "video.frame_rate",
                    Severity::Error,
                    Status::Failed,
                    "frame rate is 25 fps, <script>alert(3)</script> expected 23.976",
                ),
                finding("video.scan", Severity::Warning, Status::Failed, "a&b\"c'"),
                finding(
                    "loudness.integrated_lufs",
                    Severity::Error,
                    Status::NotEvaluated {
                        reason: "loudness not measured".into(),
                    },
                    "not measured",
                ),
            ],
        )),
        picture: None,
        captions: None,
        audio: None,
        sha256: Some("cd".repeat(32)),
        deliverable: Some("TRL".into()),
    };
    let mut broken = scanned("audio/a&b\"c'.wav");
    broken.status = ProbeStatus::Error;
    let problem = FileProblem::new(ProblemKind::Truncated, "truncated: moov atom missing");
    broken.problem = Some(problem.clone());
    let unreadable = FileEntry {
        report: Some(FileReport::unreadable(
            PathBuf::from(&broken.path),
            profiles,
            problem,
        )),
        file: broken,
        picture: None,
        captions: None,
        audio: None,
        sha256: None,
        deliverable: None,
    };
    RunReport {
        schema_version: crate::SCHEMA_VERSION,
        tool: "signoff 0.1.0".into(),
        command: "check".into(),
        tool_version: "0.1.0".into(),
        started_at: "2026-11-05T14:03:22Z".into(),
        finished_at: "2026-11-05T14:03:30Z".into(),
        user: Some("qc<op>".into()),
        host: Some("bay-3".into()),
        roots: vec!["/deliveries/FEATURE".into()],
        project: Some("FEATURE <The Movie>".into()),
        distributor: Some("Netflix".into()),
        policy: Default::default(),
        profiles: vec![ProfileRef {
            id: "netflix-prores-hq".into(),
            title: "Netflix ProRes 422 HQ".into(),
            loudness: Some(LoudnessTarget {
                target_lufs: -24.0,
                tolerance_lu: 3.0,
                true_peak_max_dbtp: Some(-1.0),
            }),
            source: Some(crate::spec::model::Source {
                document: "Partner Help <Center>".into(),
                url: Some("https://partnerhelp.example/articles/1?a=1&b=<2>".into()),
                clause: Some("article 1".into()),
                date_read: "2026-11".into(),
                confidence: crate::spec::model::Confidence::Primary,
            }),
            caveats: Some("Dialogue-gated loudness is <not> measured.".into()),
        }],
        files: vec![pass, fail, unreadable],
        board: Some(vec![DeliverableStatus {
            owner: Some("ana".into()),
            due: Some("2026-11-20".into()),
            files: vec![BoardFile {
                path: "picture/FEATURE.mov".into(),
                path_hex: None,
                outcome: FileOutcome {
                    sha256: Some("ab".repeat(32)),
                    verdict: Some(crate::spec::Verdict::Pass),
                    ..Default::default()
                },
            }],
            approval: Some(Approval {
                by: "ana".into(),
                role: Some("QC <lead>".into()),
                at: "2026-11-04T10:00:00Z".into(),
                note: Some("<b>ok</b>".into()),
                files: [("picture/FEATURE.mov".into(), "ab".repeat(32))].into(),
                override_reason: None,
            }),
            profiles: vec!["netflix-prores-hq".into()],
            ..board_row("FTR", "Feature <main>", State::Approved)
        }]),
        branding: Default::default(),
    }
}

/// A board row with no files, in `state`.
pub fn board_row(id: &str, title: &str, state: State) -> DeliverableStatus {
    DeliverableStatus {
        id: id.into(),
        title: title.into(),
        state,
        states: vec![state],
        owner: None,
        due: None,
        expected_files: 1,
        files: Vec::new(),
        error_count: 0,
        warning_count: 0,
        not_evaluated_count: 0,
        missing_sidecars: Vec::new(),
        pse_certificate: None,
        findings: Vec::new(),
        stale_files: Vec::new(),
        approval: None,
        profiles: Vec::new(),
        seal: None,
        open_notes: 0,
        open_notes_range_changed: 0,
        notes_current_version: None,
    }
}
