//! A delivery for the review tests: one 8 s master made by FFmpeg with a start timecode,
//! a plan with one deliverable `ftr` and a user profile that makes black an error.

use super::common;
use common::ledger::{Backend, TestLedger};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

const PROFILE: &str = r#"id = "review-test"
title = "Review test: black in the programme is an error"

[source]
document = "signoff tests"
url = "https://example.invalid/review"
clause = "test"
date_read = "2026-12"
confidence = "primary"

[picture]
black_s = { max = 0, severity = "error", message = "black in the programme" }
"#;

const PLAN: &str = r#"[project]
title = "REVIEW"

[[deliverable]]
id = "ftr"
title = "Feature master"
profiles = ["review-test"]
patterns = ["picture/*.mov"]
"#;

/// A delivery with one 8 s master at `rate` from `start_tc`, black from 3 s to 5.5 s.
pub struct Review {
    pub tmp: tempfile::TempDir,
    pub root: PathBuf,
    pub ledger: TestLedger,
    pub specs: PathBuf,
}

impl Review {
    #[allow(dead_code)] // tests/markers.rs uses it, tests/review.rs `on`
    pub fn new(rate: &str, start_tc: &str) -> Review {
        Review::on(Backend::Sqlite, rate, start_tc)
    }

    /// As [`Review::new`], recording in a ledger of `backend`.
    pub fn on(backend: Backend, rate: &str, start_tc: &str) -> Review {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("DELIVERY");
        let specs = tmp.path().join("specs");
        std::fs::create_dir_all(root.join("picture")).unwrap();
        std::fs::create_dir_all(&specs).unwrap();
        std::fs::write(specs.join("review-test.toml"), PROFILE).unwrap();
        std::fs::write(root.join("signoff.toml"), PLAN).unwrap();
        let r = Review {
            ledger: TestLedger::new(backend, &tmp.path().join("ledger.sqlite")),
            tmp,
            root,
            specs,
        };
        r.master("picture/MASTER_v1.mov", rate, start_tc, "3", "5.5");
        r
    }

    /// Writes a master with black between `black_from` and `black_to` seconds.
    pub fn master(&self, rel: &str, rate: &str, start_tc: &str, black_from: &str, black_to: &str) {
        let out = Command::new("ffmpeg")
            .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
            .arg(format!("testsrc=size=160x90:rate={rate}:duration=8"))
            .arg("-vf")
            .arg(format!(
                "drawbox=enable='between(t,{black_from},{black_to})':color=black:t=fill"
            ))
            .args([
                "-c:v",
                "libx264",
                "-pix_fmt",
                "yuv420p",
                "-timecode",
                start_tc,
            ])
            .arg(self.root.join(rel))
            .output()
            .expect("ffmpeg");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn signoff(&self) -> assert_cmd::Command {
        let mut c = common::plan_signoff();
        c.env("SIGNOFF_SPECS", &self.specs)
            .arg("--color")
            .arg("never")
            .current_dir(&self.root);
        c
    }

    /// `signoff ARGS --ledger L` → (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self
            .signoff()
            .args(args)
            .arg("--ledger")
            .arg(&self.ledger.arg)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "signoff {args:?}: {err}");
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
    }

    pub fn check(&self) {
        let (code, _, err) = self.run(&["check", ".", "-q"]);
        assert!(code <= 1, "{err}");
    }
}
