//! The run report: everything one `check` run found, in one serialisable
//! value that every renderer (HTML, JUnit, JSON, Markdown) reads.
//!
//! It is also the wire format of `--report run.json` (see docs/reports.md),
//! so a saved run can be rendered again without re-analysis.

use crate::board::DeliverableStatus;
use crate::measure::model::AudioMeasurements;
use crate::policy::{Decision, FailPolicy, FileView};
use crate::scan::ScannedFile;
use crate::spec::value::Scalar;
use crate::spec::{FileReport, Profile, Verdict};
use serde::{Deserialize, Serialize};

/// One run of signoff over a delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// Version of this document's format ([`crate::SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// `signoff X.Y.Z`.
    pub tool: String,
    /// The command whose run it is (`check`; a run rendered again by `report` keeps it).
    #[serde(default = "check_command")]
    pub command: String,
    /// The tool's version alone.
    pub tool_version: String,
    /// When the run started, RFC 3339 UTC.
    pub started_at: String,
    /// When the run finished, RFC 3339 UTC.
    pub finished_at: String,
    /// Who ran it (`$USER`).
    pub user: Option<String>,
    /// On which machine.
    pub host: Option<String>,
    /// The delivery roots (files or folders) as given.
    pub roots: Vec<String>,
    /// Project name, from the plan when there is one.
    #[serde(default)]
    pub project: Option<String>,
    /// Distributor, from the plan when there is one.
    #[serde(default)]
    pub distributor: Option<String>,
    /// What fails the run (`--fail-on`).
    #[serde(default)]
    pub policy: FailPolicy,
    /// Profiles checked against.
    pub profiles: Vec<ProfileRef>,
    /// Every file the run reports on, sorted by path.
    pub files: Vec<FileEntry>,
    /// The delivery board, when the run was tied to a plan.
    #[serde(default)]
    pub board: Option<Vec<DeliverableStatus>>,
    /// Who the report is from and what it is called (the plan's
    /// `[branding]`, `--title`).
    #[serde(default, skip_serializing_if = "Branding::is_empty")]
    pub branding: Branding,
}

/// The report's letterhead: a company name, a logo and a title.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Branding {
    /// Company name shown above the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// The logo as a `data:image/…;base64,` URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_data_uri: Option<String>,
    /// The report's title (default: `Delivery QC report`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

impl Branding {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self == &Branding::default()
    }
}

fn check_command() -> String {
    "check".into()
}

/// A profile as a report needs it: who it is, and the loudness it asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileRef {
    /// Profile id (`ebu-r128`).
    pub id: String,
    /// Human title.
    pub title: String,
    /// The loudness target, when the profile sets one.
    pub loudness: Option<LoudnessTarget>,
    /// The document the profile's numbers come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<crate::spec::model::Source>,
    /// What the profile does not check, and why (its `notes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caveats: Option<String>,
}

/// What a profile asks of loudness: drawn as the band on loudness graphs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LoudnessTarget {
    /// Integrated loudness target, LUFS.
    pub target_lufs: f64,
    /// Allowed distance from the target, LU (both ways).
    pub tolerance_lu: f64,
    /// Maximum true peak, dBTP.
    pub true_peak_max_dbtp: Option<f64>,
}

/// One file of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    /// What the file is, with its probe (`file.media`).
    pub file: ScannedFile,
    /// Findings and verdict, when the file was checked.
    pub report: Option<FileReport>,
    /// Audio measurements, when measured.
    #[serde(default)]
    pub audio: Option<AudioMeasurements>,
    /// Picture measurements per video stream, when measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<Vec<crate::picture::PictureMeasurements>>,
    /// A caption file's events against its master, when its caption rules ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captions: Option<crate::captions::timeline::CaptionTimeline>,
    /// SHA-256 of the content, lowercase hex.
    #[serde(default)]
    pub sha256: Option<String>,
    /// The deliverable (board row id) the file belongs to.
    #[serde(default)]
    pub deliverable: Option<String>,
}

/// How many files ended how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct FileCounts {
    /// Files reported.
    pub files: usize,
    /// Passed.
    pub pass: usize,
    /// Some rule not evaluated, none failed.
    pub not_evaluated: usize,
    /// Some error rule failed.
    pub fail: usize,
    /// Could not be read.
    pub unreadable: usize,
    /// Not checked (no verdict: a file no deliverable claims, or of a
    /// deliverable without profiles), clutter aside.
    pub unchecked: usize,
    /// Operating-system clutter (`.DS_Store`, `Thumbs.db`…), never checked.
    /// Every file is in exactly one bucket: the buckets add up to `files`.
    #[serde(default)]
    pub clutter: usize,
    /// Files of a planned run that no deliverable claims and that were
    /// not checked, clutter aside (a checked one counts by its verdict,
    /// as the run's decision counts it); always 0 without a plan.
    #[serde(default)]
    pub unplanned: usize,
}

impl FileCounts {
    /// The buckets every report shows, in order: (wire name, count, words);
    /// pass and fail always, the others when not empty. They add up to `files`.
    pub fn parts(&self) -> Vec<(&'static str, usize, &'static str)> {
        [
            ("pass", self.pass, "pass"),
            ("fail", self.fail, "fail"),
            ("not_evaluated", self.not_evaluated, "not evaluated"),
            ("unreadable", self.unreadable, "unreadable"),
            ("unchecked", self.unchecked, "not checked"),
            ("unplanned", self.unplanned, "not in the plan"),
            ("clutter", self.clutter, "clutter"),
        ]
        .into_iter()
        .filter(|(k, n, _)| *n > 0 || matches!(*k, "pass" | "fail"))
        .collect()
    }

    /// The sum of the buckets (equals `files`).
    pub fn sum(&self) -> usize {
        self.pass
            + self.not_evaluated
            + self.fail
            + self.unreadable
            + self.unchecked
            + self.clutter
            + self.unplanned
    }
}

impl FileEntry {
    /// The report's entry for one result of the pipeline.
    pub fn from_result(c: &crate::check::FileResult) -> Self {
        FileEntry {
            file: c.scanned.clone(),
            report: c.report.clone(),
            audio: c.audio.clone(),
            picture: c.picture.clone(),
            captions: c.captions.clone(),
            sha256: c.sha256.clone(),
            deliverable: None,
        }
    }

    /// Failed error-severity and warning-severity rules of this file.
    pub fn failed_counts(&self) -> (usize, usize) {
        let Some(r) = &self.report else { return (0, 0) };
        let failed = |sev| {
            r.findings
                .iter()
                .filter(|x| x.status == crate::spec::Status::Failed && x.severity == sev)
                .count()
        };
        (
            failed(crate::spec::Severity::Error),
            failed(crate::spec::Severity::Warning),
        )
    }

    /// Whether the file is operating-system clutter (`.DS_Store`…).
    pub fn is_clutter(&self) -> bool {
        self.file.kind == crate::inventory::sniff::FileKind::Clutter
    }

    /// The verdict, when the file was checked.
    pub fn verdict(&self) -> Option<Verdict> {
        self.report.as_ref().map(|r| r.verdict)
    }

    /// The file as the fail policy sees it.
    pub fn view(&self) -> FileView {
        FileView {
            verdict: self.verdict(),
            warnings: self.failed_counts().1,
            unreadable: false,
        }
    }

    /// The path relative to the root, for display.
    pub fn name(&self) -> &str {
        if self.file.relative_path.is_empty() {
            &self.file.path
        } else {
            &self.file.relative_path
        }
    }
}

impl RunReport {
    /// A run over `roots` against `profiles`, started now by this user on
    /// this host, judged by `policy`, with no files yet.
    pub fn begin(roots: &[std::path::PathBuf], profiles: &[Profile], policy: FailPolicy) -> Self {
        let now = now_rfc3339();
        RunReport {
            schema_version: crate::SCHEMA_VERSION,
            tool: format!("signoff {}", crate::TOOL_VERSION),
            command: check_command(),
            tool_version: crate::TOOL_VERSION.into(),
            started_at: now.clone(),
            finished_at: now,
            user: current_user(),
            host: host_name(),
            roots: roots
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect(),
            project: None,
            distributor: None,
            policy,
            profiles: profiles.iter().map(ProfileRef::from_profile).collect(),
            files: Vec::new(),
            board: None,
            branding: Branding::default(),
        }
    }

    /// Counts of files per verdict, clutter and files no deliverable
    /// claims in their own buckets: each file is counted once.
    pub fn counts(&self) -> FileCounts {
        let mut c = FileCounts {
            files: self.files.len(),
            ..FileCounts::default()
        };
        for f in &self.files {
            if f.is_clutter() {
                c.clutter += 1;
                continue;
            }
            if self.board.is_some() && f.deliverable.is_none() && f.verdict().is_none() {
                c.unplanned += 1;
                continue;
            }
            match f.verdict() {
                Some(Verdict::Pass) => c.pass += 1,
                Some(Verdict::NotEvaluated) => c.not_evaluated += 1,
                Some(Verdict::Fail) => c.fail += 1,
                Some(Verdict::Unreadable) => c.unreadable += 1,
                None => c.unchecked += 1,
            }
        }
        c
    }

    /// The worst file verdict (unreadable, then fail, then not evaluated).
    pub fn worst_file_verdict(&self) -> Verdict {
        Verdict::worst(self.files.iter().filter_map(FileEntry::verdict))
    }

    /// The run's answer under its policy: from the board with a plan, from
    /// the files without. The exit code and every renderer show this.
    pub fn decide(&self) -> Decision {
        let board = self.board.as_deref().unwrap_or_default();
        let claimed = |f: &FileEntry| {
            board
                .iter()
                .any(|d| d.files.iter().any(|b| b.path == f.name()))
        };
        let loose: Vec<FileView> = self
            .files
            .iter()
            .filter(|f| f.report.is_some() && !claimed(f))
            .map(FileEntry::view)
            .collect();
        self.policy.decide(board, &loose)
    }

    /// Deliverables per state (their main state), the states with any, in
    /// board order; empty without a board. They add up to the board's rows.
    pub fn deliverable_states(&self) -> Vec<(crate::board::State, usize)> {
        use crate::board::State;
        let rows = self.board.as_deref().unwrap_or_default();
        [
            State::Approved,
            State::Passing,
            State::ApprovalStale,
            State::Incomplete,
            State::Failing,
            State::Missing,
            State::Overdue,
        ]
        .into_iter()
        .map(|st| (st, rows.iter().filter(|b| b.state == st).count()))
        .filter(|(_, n)| *n > 0)
        .collect()
    }

    /// The delivery's title for headings and page footers: the plan's
    /// project title, else the roots.
    pub fn delivery_title(&self) -> String {
        self.project
            .clone()
            .unwrap_or_else(|| self.roots.join(", "))
    }

    /// The report's title: `--title`, else `Delivery QC report`.
    pub fn report_title(&self) -> &str {
        self.branding
            .title
            .as_deref()
            .unwrap_or("Delivery QC report")
    }

    /// The loudness target to draw graphs against: the first profile's that sets one.
    pub fn loudness_target(&self) -> Option<LoudnessTarget> {
        self.profiles.iter().find_map(|p| p.loudness)
    }
}

impl ProfileRef {
    /// The report's view of a profile: id, title and its loudness rules
    /// (`loudness.integrated_lufs` with `target`, `loudness.true_peak_dbtp` with `max`).
    pub fn from_profile(p: &Profile) -> Self {
        let rule = |key: &str| p.loudness.get(key).and_then(|set| set.0.first());
        let loudness = rule("integrated_lufs").and_then(|r| {
            let tp = rule("true_peak_dbtp")
                .and_then(|r| r.max.as_ref())
                .and_then(scalar_f64);
            r.target.map(|target_lufs| LoudnessTarget {
                target_lufs,
                tolerance_lu: r.tolerance.unwrap_or(0.0),
                true_peak_max_dbtp: tp,
            })
        });
        ProfileRef {
            id: p.id.clone(),
            title: p.title.clone(),
            loudness,
            source: Some(p.source.clone()),
            caveats: p.notes.clone(),
        }
    }
}

fn scalar_f64(s: &Scalar) -> Option<f64> {
    match s {
        Scalar::Int(i) => Some(*i as f64),
        Scalar::Float(f) => Some(*f),
        _ => None,
    }
}

/// Now, as RFC 3339 UTC to the second (`2026-11-05T14:03:22Z`).
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    rfc3339(secs)
}

/// Seconds since the Unix epoch as RFC 3339 UTC.
pub fn rfc3339(unix_s: i64) -> String {
    let days = unix_s.div_euclid(86_400);
    let rem = unix_s.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Howard Hinnant's days-to-civil: proleptic Gregorian date of a day number.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// An RFC 3339 time as local time with its zone, to the minute
/// (`2026-12-02 14:51 CET (UTC+01:00)`), in this machine's zone (`TZ`);
/// the text as given when it does not parse.
pub fn local_time(rfc3339: &str) -> String {
    use time::format_description::well_known::Rfc3339;
    let Ok(t) = time::OffsetDateTime::parse(rfc3339, &Rfc3339) else {
        return rfc3339.to_string();
    };
    let secs: libc::time_t = t.unix_timestamp() as libc::time_t;
    // SAFETY: an all-zero `tm` is a valid value for localtime_r to overwrite.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are to live values of the right types;
    // localtime_r is the re-entrant form (no shared buffer).
    if unsafe { libc::localtime_r(&secs, &mut tm) }.is_null() {
        return rfc3339.to_string();
    }
    let zone = if tm.tm_zone.is_null() {
        String::new()
    } else {
        // SAFETY: localtime_r set tm_zone to a NUL-terminated static string.
        let z = unsafe { std::ffi::CStr::from_ptr(tm.tm_zone) };
        z.to_string_lossy().into_owned()
    };
    let off = tm.tm_gmtoff;
    let sign = if off < 0 { '-' } else { '+' };
    let offset = format!(
        "UTC{sign}{:02}:{:02}",
        off.abs() / 3600,
        off.abs() / 60 % 60
    );
    let zone = if zone.is_empty() || zone.starts_with(['+', '-']) {
        offset
    } else {
        format!("{zone} ({offset})")
    };
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} {zone}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min
    )
}

/// Who runs signoff: `$USER`, else `$LOGNAME`.
pub fn current_user() -> Option<String> {
    ["USER", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
}

/// This machine's host name.
pub fn host_name() -> Option<String> {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is ours and its length is passed; gethostname
    // writes at most that many bytes.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return None;
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    let name = String::from_utf8_lossy(&buf[..end]).into_owned();
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(4_107_542_399), "2100-02-28T23:59:59Z");
    }

    #[test]
    fn worst_is_the_worst() {
        use Verdict::*;
        assert_eq!(Verdict::worst([]), Pass);
        assert_eq!(Verdict::worst([Pass, NotEvaluated]), NotEvaluated);
        assert_eq!(Verdict::worst([Fail, NotEvaluated, Pass]), Fail);
        assert_eq!(Verdict::worst([Fail, Unreadable]), Unreadable);
    }

    #[test]
    fn loudness_target_from_a_profile() {
        let reg = crate::spec::Registry::with_dir(None).unwrap();
        let p = reg.resolve("ebu-r128").unwrap();
        let r = ProfileRef::from_profile(&p);
        assert_eq!(
            r.loudness,
            Some(LoudnessTarget {
                target_lufs: -23.0,
                tolerance_lu: 0.2,
                true_peak_max_dbtp: Some(-1.0)
            })
        );
    }
}
