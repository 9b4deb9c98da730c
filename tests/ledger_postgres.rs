//! The PostgreSQL ledger's bad input, through the binary (issue 15): an
//! unreachable server, bad credentials or a URL of another store is a setup
//! error (exit 4) before anything is analysed, naming the server and
//! database, never the password; a password given in the URL is shown
//! nowhere; a connection lost mid-run fails that run's remaining writes
//! with a plain error and loses nothing already committed.

mod common;

use common::ledger::{Backend, TestLedger};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const PLAN: &str = r#"[project]
title = "SOUND"

[[deliverable]]
id = "stems"
title = "Stems"
profiles = ["ebu-r128"]
patterns = ["*.wav"]
count = 5
"#;

/// Five small WAVs under a plan; the last one (in path order) is `z_hang.wav`.
fn delivery(tmp: &Path) -> PathBuf {
    let root = tmp.join("SOUND");
    fs::create_dir_all(&root).unwrap();
    fs::write(root.join("signoff.toml"), PLAN).unwrap();
    for name in ["a", "b", "c", "d", "z_hang"] {
        fs::copy(
            common::media("wav_mono_24bit.wav"),
            root.join(format!("{name}.wav")),
        )
        .unwrap();
    }
    root
}

/// The test server's address with `user:password@` instead of its own user.
fn as_user(user: &str, password: &str, db: &str) -> String {
    use postgres::config::Host;
    let config: postgres::Config = common::ledger::admin_url().parse().unwrap();
    let host = match &config.get_hosts()[0] {
        Host::Tcp(h) => h.clone(),
        Host::Unix(dir) => dir.to_string_lossy().replace('/', "%2F"),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!("postgres://{user}:{password}@{host}:{port}/{db}")
}

/// `url` with `password` after its user (`postgres://user@…` →
/// `postgres://user:password@…`; a URL that names no user is the current
/// user's).
fn with_password(url: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (user, host) = rest
        .split_once('@')
        .map_or_else(|| (current_user(), rest), |(u, h)| (u.to_string(), h));
    format!("{scheme}://{user}:{password}@{host}")
}

/// The name of the user running the tests.
fn current_user() -> String {
    // SAFETY: getpwuid returns a pointer to static storage or null; the name
    // is copied out at once, on this thread.
    unsafe {
        let pw = libc::getpwuid(libc::geteuid());
        assert!(!pw.is_null(), "the current user has no passwd entry");
        std::ffi::CStr::from_ptr((*pw).pw_name)
            .to_string_lossy()
            .into_owned()
    }
}

fn check(root: &Path, ledger: &str) -> (i32, String, String) {
    let out = common::plan_signoff()
        .arg("check")
        .arg(root)
        .args(["--format", "json", "-q", "--ledger", ledger])
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn an_unreachable_server_bad_credentials_or_another_store_is_a_setup_error() {
    let tmp = tempfile::tempdir().unwrap();
    let root = delivery(tmp.path());
    // Port 1 on this machine: nothing listens.
    let (code, out, err) = check(&root, "postgres://qc:s3cret@127.0.0.1:1/ledger");
    assert_eq!(code, 4, "{err}");
    assert!(out.is_empty(), "nothing analysed, no board: {out}");
    assert!(
        err.contains("could not connect to the ledger postgres://qc@127.0.0.1:1/ledger"),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "{err}");
    let url = as_user("signoff_no_such_role", "s3cret", "postgres");
    let (code, out, err) = check(&root, &url);
    assert_eq!(code, 4, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("could not connect to the ledger postgres://signoff_no_such_role@"),
        "{err}"
    );
    assert!(
        err.contains("/postgres: the PostgreSQL server refused: FATAL"),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "{err}");
    let (code, _, err) = check(&root, "mysql://qc:s3cret@db/ledger");
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("`mysql://…` is not a ledger"), "{err}");
    assert!(!err.contains("s3cret"), "{err}");
    let (code, _, err) = check(&root, "postgres://qc:s3cret@db:port/ledger");
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("not a valid PostgreSQL URL"), "{err}");
    assert!(!err.contains("s3cret"), "{err}");
    assert!(
        !root.join("signoff.ledger.sqlite").exists(),
        "no SQLite ledger made instead"
    );
}

#[test]
fn a_password_in_the_url_is_shown_nowhere() {
    let tmp = tempfile::tempdir().unwrap();
    let root = delivery(tmp.path());
    let ledger = TestLedger::new(Backend::Postgres, Path::new("unused"));
    // The local socket authenticates by peer: the password is carried, not checked.
    let url = with_password(&ledger.text(), "s3cret");
    let shown = url.replace(":s3cret@", "@");
    let (code, out, err) = check(&root, &url);
    assert!(code <= 1, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["ledger"], shown.as_str());
    for args in [
        vec!["status"],
        vec!["check", "--shard", "1/2"],
        vec!["history", "stems"],
    ] {
        let out = common::plan_signoff()
            .args(&args)
            .arg(if args[0] == "history" {
                "--root"
            } else {
                "--plan"
            })
            .arg(if args[0] == "history" {
                root.clone()
            } else {
                root.join("signoff.toml")
            })
            .args(["--ledger", &url])
            .args(if args[0] == "history" {
                vec![]
            } else {
                vec![root.to_str().unwrap()]
            })
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.contains("s3cret"), "{args:?}: {all}");
        if args[0] != "history" {
            assert!(all.contains(&shown), "{args:?}: {all}");
        }
    }
}

#[test]
fn a_connection_lost_mid_run_fails_the_rest_and_keeps_what_was_committed() {
    let tmp = tempfile::tempdir().unwrap();
    let root = delivery(tmp.path());
    let ledger = TestLedger::new(Backend::Postgres, Path::new("unused"));
    // One file at a time, in path order: a–d are recorded, then z_hang.wav
    // hangs its worker until the stall limit stops it.
    let run = std::process::Command::new(assert_cmd::cargo::cargo_bin("signoff"))
        .env("SIGNOFF_TODAY", common::PLAN_TODAY)
        .env("SIGNOFF_USER", "tester")
        .env_remove("SIGNOFF_SPECS")
        .env(signoff::isolate::TEST_FAULT_ENV, "hang:z_hang.wav")
        .arg("check")
        .arg(&root)
        .args(["-q", "--jobs", "1", "--stall-timeout", "5", "--ledger"])
        .arg(&ledger.arg)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while ledger
        .try_count("SELECT COUNT(*) FROM run_files")
        .unwrap_or(0)
        < 4
    {
        assert!(
            Instant::now() < deadline,
            "the first four files were never recorded"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // The server drops the run's connection (as a restart or a failover would).
    ledger.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    );
    let out = run.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.contains("failed to record a file result in the ledger")
            && err.contains("the connection to the PostgreSQL server was lost"),
        "{err}"
    );
    assert!(
        !err.contains("Error {"),
        "plain words, not a debug dump: {err}"
    );
    assert_eq!(
        ledger.count("SELECT COUNT(*) FROM run_files"),
        4,
        "nothing committed is lost"
    );
    assert_eq!(ledger.count("SELECT COUNT(*) FROM file_cache"), 4);
    assert_eq!(
        ledger.count("SELECT COUNT(*) FROM file_results"),
        1,
        "four copies of one content"
    );
    assert_eq!(
        ledger.count("SELECT COUNT(*) FROM runs WHERE finished_at IS NULL"),
        1,
        "the run is not complete"
    );
}

#[test]
fn the_plans_ledger_key_then_signoff_ledger_then_ledger_choose_the_ledger() {
    let tmp = tempfile::tempdir().unwrap();
    let root = delivery(tmp.path());
    let pg = TestLedger::new(Backend::Postgres, Path::new("unused"));
    let plan = root.join("signoff.toml");
    let with_key = |value: &str| {
        let text = PLAN.replacen(
            "title = \"SOUND\"\n",
            &format!("title = \"SOUND\"\nledger = \"{value}\"\n"),
            1,
        );
        fs::write(&plan, text).unwrap();
    };
    // A path in the plan is relative to the plan's folder.
    with_key("ledgers/sound.sqlite");
    let status = |env: Option<&str>, flag: Option<&str>| {
        let mut c = common::plan_signoff();
        c.arg("check").arg(&root).args(["-q", "--format", "json"]);
        if let Some(v) = env {
            c.env("SIGNOFF_LEDGER", v);
        }
        if let Some(f) = flag {
            c.args(["--ledger", f]);
        }
        let (code, doc) = common::json_of(&mut c);
        assert!(code <= 1, "{doc}");
        doc["ledger"].as_str().unwrap().to_string()
    };
    let shown = status(None, None);
    assert_eq!(Path::new(&shown), root.join("ledgers/sound.sqlite"));
    assert!(root.join("ledgers/sound.sqlite").is_file());
    // A URL in the plan; SIGNOFF_LEDGER overrides it, and --ledger overrides both.
    with_key(&pg.text());
    assert_eq!(status(None, None), pg.text());
    assert_eq!(pg.count("SELECT COUNT(*) FROM runs"), 1);
    let env_file = tmp.path().join("env.sqlite");
    assert_eq!(
        status(Some(env_file.to_str().unwrap()), None),
        env_file.to_str().unwrap()
    );
    let flag_file = tmp.path().join("flag.sqlite");
    assert_eq!(
        status(
            Some(env_file.to_str().unwrap()),
            Some(flag_file.to_str().unwrap())
        ),
        flag_file.to_str().unwrap()
    );
    assert_eq!(pg.count("SELECT COUNT(*) FROM runs"), 1);
}
