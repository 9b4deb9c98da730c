//! `signoff hash` against coreutils: our lists read by `sha256sum -c`/`md5sum -c`, theirs read by `signoff hash -c`, names with backslashes, newlines and invalid UTF-8 kept exact.

mod common;

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::Command;

/// A folder with awkward names: a backslash, a newline, invalid UTF-8, a
/// space, a sub-folder and a real WAV.
fn awkward_tree() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    fs::create_dir_all(d.join("sub")).unwrap();
    fs::copy(common::media("wav_mono_24bit.wav"), d.join("mono take.wav")).unwrap();
    fs::write(d.join("sub/abc.txt"), b"abc").unwrap();
    fs::write(d.join("back\\slash"), b"1").unwrap();
    fs::write(d.join("new\nline"), b"2").unwrap();
    fs::write(d.join(OsStr::from_bytes(b"bad\xff.wav")), b"3").unwrap();
    tmp
}

fn signoff_in(dir: &Path) -> assert_cmd::Command {
    let mut c = common::plan_signoff();
    c.current_dir(dir);
    c
}

fn run(cmd: &mut Command) -> (i32, Vec<u8>, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    (
        out.status.code().unwrap(),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn our_lists_pass_sha256sum_and_md5sum_check() {
    let tmp = awkward_tree();
    let before = common::snapshot(tmp.path());
    for (algo, tool) in [("sha256", "sha256sum"), ("md5", "md5sum")] {
        let out = signoff_in(tmp.path())
            .args(["hash", "-q", "--algo", algo, "d"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lines = out
            .stdout
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .count();
        assert_eq!(lines, 5, "{}", String::from_utf8_lossy(&out.stdout));
        let list = tmp.path().join(format!("list.{algo}"));
        fs::write(&list, &out.stdout).unwrap();
        let (code, stdout, stderr) = run(Command::new(tool)
            .arg("-c")
            .arg(&list)
            .current_dir(tmp.path()));
        assert_eq!(
            code,
            0,
            "{tool} -c: {stderr}\n{}",
            String::from_utf8_lossy(&stdout)
        );
        assert_eq!(String::from_utf8_lossy(&stdout).matches(": OK").count(), 5);
        // Byte for byte what coreutils writes for the same files.
        let mut theirs = Command::new(tool);
        theirs.current_dir(tmp.path());
        for f in walk_sorted(&tmp.path().join("d")) {
            theirs.arg(f.strip_prefix(tmp.path()).unwrap());
        }
        let (_, theirs, _) = run(&mut theirs);
        assert_eq!(sorted_lines(&out.stdout), sorted_lines(&theirs));
        fs::remove_file(&list).unwrap();
    }
    common::assert_unchanged(tmp.path(), &before);
}

fn walk_sorted(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk_sorted(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn sorted_lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    v.sort();
    v
}

#[test]
fn coreutils_lists_and_tags_are_read_by_hash_check() {
    let tmp = awkward_tree();
    let files: Vec<_> = walk_sorted(&tmp.path().join("d"))
        .into_iter()
        .map(|f| f.strip_prefix(tmp.path()).unwrap().to_path_buf())
        .collect();
    for (tool, tag, name) in [
        ("sha256sum", false, "SHA256SUMS"),
        ("md5sum", false, "list.md5"),
        ("sha1sum", true, "list.txt"),
        ("sha256sum", true, "tagged"),
    ] {
        let mut cmd = Command::new(tool);
        cmd.current_dir(tmp.path())
            .args(if tag { &["--tag"][..] } else { &[] })
            .args(&files);
        let (_, list, _) = run(&mut cmd);
        fs::write(tmp.path().join(name), &list).unwrap();
        let (code, doc) = common::json_of(
            signoff_in(tmp.path()).args(["hash", "-q", "--format", "json", "-c", name]),
        );
        assert_eq!(code, 0, "{name}: {doc:#}");
        assert_eq!(doc["counts"]["ok"], 5, "{name}: {doc:#}");
        let human = signoff_in(tmp.path())
            .args(["hash", "-c", name])
            .output()
            .unwrap();
        let text = String::from_utf8(human.stdout).unwrap();
        assert!(text.contains("d/new\\u{a}line: OK"), "{text}");
        assert!(text.contains("d/bad\\xff.wav: OK"), "{text}");
        assert!(text.ends_with("5 checksums OK\n"), "{text}");
    }
}

#[test]
fn a_changed_byte_a_missing_file_and_a_bad_line_fail_the_check() {
    let tmp = awkward_tree();
    let out = signoff_in(tmp.path())
        .args(["hash", "-q", "d"])
        .output()
        .unwrap();
    let mut list = out.stdout;
    list.extend_from_slice(b"this is not a checksum line\n");
    fs::write(tmp.path().join("d.sha256"), &list).unwrap();
    fs::write(tmp.path().join("d/sub/abc.txt"), b"abd").unwrap();
    fs::remove_file(tmp.path().join("d/back\\slash")).unwrap();
    let (code, doc) = common::json_of(
        signoff_in(tmp.path()).args(["hash", "--format", "json", "-c", "d.sha256"]),
    );
    assert_eq!(code, 1, "{doc:#}");
    let status = |suffix: &str| {
        doc["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["path"].as_str().unwrap().ends_with(suffix))
            .map(|l| l["status"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(status("abc.txt"), "failed");
    assert_eq!(status("slash"), "missing");
    assert_eq!(status("take.wav"), "ok");
    assert_eq!(doc["malformed"][0]["line"], 6);
    assert_eq!(doc["counts"]["ok"], 3);
    // sha256sum agrees that the list fails.
    let (theirs, _, _) = run(Command::new("sha256sum")
        .arg("-c")
        .arg("d.sha256")
        .current_dir(tmp.path()));
    assert_eq!(theirs, 1);
    let human = signoff_in(tmp.path())
        .args(["hash", "-c", "d.sha256"])
        .output()
        .unwrap();
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(text.contains("d/sub/abc.txt: FAILED\n"), "{text}");
    assert!(
        text.contains("d/back\\\\slash: FAILED (missing)\n"),
        "{text}"
    );
    assert!(text.contains("d.sha256:6: not a checksum line"), "{text}");
    assert!(
        text.ends_with("3 checksums OK; 1 did not match, 1 missing, 1 malformed line\n"),
        "{text}"
    );
}

#[test]
fn several_algorithms_are_tagged_lines_sha256sum_and_md5sum_both_check() {
    let tmp = awkward_tree();
    let out = signoff_in(tmp.path())
        .args(["hash", "-q", "--algo", "md5,sha256,xxh128", "d/sub"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(
        text,
        "MD5 (d/sub/abc.txt) = 900150983cd24fb0d6963f7d28e17f72\n\
         SHA256 (d/sub/abc.txt) = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n\
         XXH128 (d/sub/abc.txt) = 06b05ab6733a618578af5f94892f3950\n"
    );
    fs::write(tmp.path().join("tags"), &out.stdout).unwrap();
    for tool in ["sha256sum", "md5sum"] {
        let (code, stdout, _) = run(Command::new(tool)
            .args(["-c", "tags"])
            .current_dir(tmp.path()));
        assert_eq!(code, 0);
        assert_eq!(String::from_utf8_lossy(&stdout), "d/sub/abc.txt: OK\n");
    }
    let (code, doc) =
        common::json_of(signoff_in(tmp.path()).args(["hash", "--format", "json", "-c", "tags"]));
    assert_eq!(
        (code, doc["counts"]["ok"].as_u64()),
        (0, Some(3)),
        "{doc:#}"
    );
}

#[test]
fn json_names_every_file_and_paths_that_are_not_utf8() {
    let tmp = awkward_tree();
    std::os::unix::fs::symlink("abc.txt", tmp.path().join("d/sub/link")).unwrap();
    let (code, doc) = common::json_of(signoff_in(tmp.path()).args([
        "hash",
        "-q",
        "--format",
        "json",
        "--algo",
        "xxh64,md5",
        "d",
    ]));
    assert_eq!(code, 0, "{doc:#}");
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), 6);
    let bad = files.iter().find(|f| f["path_hex"].is_string()).unwrap();
    assert_eq!(bad["path_hex"], hex(b"d/bad\xff.wav"));
    assert_eq!(bad["size_bytes"], 1);
    let link = files.iter().find(|f| f["path"] == "d/sub/link").unwrap();
    assert!(link["skipped"].as_str().unwrap().contains("not followed"));
    assert_eq!(link["digests"], serde_json::json!({}));
    let abc = files.iter().find(|f| f["path"] == "d/sub/abc.txt").unwrap();
    assert_eq!(abc["digests"]["md5"], "900150983cd24fb0d6963f7d28e17f72");
    assert_eq!(abc["digests"]["xxh64"], "44bc2cf5ad770999");
    let path = tmp.path().join("hash.json");
    fs::write(&path, serde_json::to_vec(&doc).unwrap()).unwrap();
    common::assert_schema_valid(&[("hash", &path)]);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn unreadable_files_and_bad_paths_have_their_exit_codes() {
    let tmp = awkward_tree();
    let fifo = tmp.path().join("d/pipe.wav");
    common::mkfifo(&fifo).unwrap();
    let out = signoff_in(tmp.path())
        .args(["hash", "-q", "d"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("d/pipe.wav: not a regular file"), "{err}");
    assert_eq!(sorted_lines(&out.stdout).len(), 5);
    let out = signoff_in(tmp.path())
        .args(["hash", "nowhere"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let out = signoff_in(tmp.path())
        .args(["hash", "--algo", "crc32", "d"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("sha256"));
}
