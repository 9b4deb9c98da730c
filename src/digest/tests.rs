//! Digests checked against published vectors, coreutils and the ASC MHL reference tool.

use super::*;
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/media")
        .join(name)
}

fn all_of(bytes: &[u8], lanes: Lanes) -> Digests {
    lanes.digest(&mut &bytes[..], Algo::all()).unwrap().digests
}

#[test]
fn published_vectors() {
    let d = all_of(b"abc", Lanes::Inline);
    assert_eq!(d[&Algo::Md5], "900150983cd24fb0d6963f7d28e17f72");
    assert_eq!(d[&Algo::Sha1], "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert_eq!(
        d[&Algo::Sha256],
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    let e = all_of(b"", Lanes::Inline);
    assert_eq!(e[&Algo::Xxh64], "ef46db3751d8e999");
    assert_eq!(e[&Algo::Xxh3], "2d06800538d394c2");
    assert_eq!(e[&Algo::Xxh128], "99aa06d3014798d86001c324468d497f");
    assert_eq!(e[&Algo::C4].len(), 90);
    assert!(e[&Algo::C4].starts_with("c4"));
}

#[test]
fn names_parse_case_insensitively_and_errors_list_choices() {
    for a in Algo::all() {
        assert_eq!(a.name().to_uppercase().parse::<Algo>().unwrap(), *a);
    }
    let err = "blake3".parse::<Algo>().unwrap_err().to_string();
    assert!(err.contains("sha256") && err.contains("xxh128"), "{err}");
    assert!(!Algo::Sha256.in_mhl() && Algo::C4.in_mhl());
    let mut sorted = Algo::all().to_vec();
    sorted.sort();
    assert_eq!(sorted, Algo::all());
}

#[test]
fn every_lane_layout_gives_the_same_digests() {
    // Several blocks and a ragged end, so block boundaries matter.
    let bytes: Vec<u8> = (0..(3 * BLOCK + 12345))
        .map(|i| (i * 7 % 251) as u8)
        .collect();
    let inline = all_of(&bytes, Lanes::Inline);
    for n in 1..=8 {
        assert_eq!(all_of(&bytes, Lanes::Threads(n)), inline, "{n} lanes");
    }
    let mut m = MultiHasher::new(&[Algo::Xxh3, Algo::Sha256, Algo::Xxh3]);
    for chunk in bytes.chunks(1000) {
        m.update(chunk);
    }
    let d = m.finish();
    assert_eq!(d.len(), 2);
    assert_eq!(d[&Algo::Sha256], inline[&Algo::Sha256]);
    assert_eq!(d[&Algo::Xxh3], inline[&Algo::Xxh3]);
    let r = digest_reader(&mut &bytes[..], &[Algo::Xxh128]).unwrap();
    assert_eq!(r.size_bytes, bytes.len() as u64);
    assert_eq!(r.digests[&Algo::Xxh128], inline[&Algo::Xxh128]);
}

fn first_word(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    text.split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The value `ascmhl-debug hash` prints (its last word).
fn reference(path: &Path, algo: Algo) -> String {
    let mut cmd = Command::new("ascmhl-debug");
    cmd.arg("hash").arg(path).arg("-h").arg(algo.name());
    let out = cmd
        .output()
        .expect("ascmhl-debug (pip install ascmhl; see setup.sh)");
    assert!(out.status.success(), "{cmd:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    text.split_whitespace()
        .last()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn equal_to_coreutils_and_the_asc_mhl_reference_tool() {
    let empty = tempfile::NamedTempFile::new().unwrap();
    for path in [fixture("wav_stereo_24bit.wav"), empty.path().to_path_buf()] {
        let ours = digest_file(&path, Algo::all()).unwrap();
        assert_eq!(ours.size_bytes, std::fs::metadata(&path).unwrap().len());
        let d = &ours.digests;
        assert_eq!(
            d[&Algo::Sha256],
            first_word(Command::new("sha256sum").arg(&path))
        );
        assert_eq!(d[&Algo::Md5], first_word(Command::new("md5sum").arg(&path)));
        assert_eq!(
            d[&Algo::Sha1],
            first_word(Command::new("sha1sum").arg(&path))
        );
        for a in Algo::all().iter().filter(|a| a.in_mhl()) {
            assert_eq!(d[a], reference(&path, *a), "{a} of {}", path.display());
        }
    }
}

#[test]
fn c4_of_bytes_equals_the_reference_tool() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("chain.xml");
    let bytes = b"<ascmhldirectory/>\n".repeat(1000);
    std::fs::write(&p, &bytes).unwrap();
    assert_eq!(c4_of_bytes(&bytes), reference(&p, Algo::C4));
}

#[test]
fn a_file_that_grows_while_read_has_no_digest() {
    use std::io::Write;
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("growing.wav");
    std::fs::write(&p, vec![1u8; 16 * BLOCK]).unwrap();
    let done = AtomicBool::new(false);
    let started = AtomicBool::new(false);
    let result = std::thread::scope(|s| {
        s.spawn(|| {
            let mut f = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
            while !done.load(Ordering::Relaxed) {
                f.write_all(&[2u8; 4096]).unwrap();
                started.store(true, Ordering::Relaxed);
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        });
        while !started.load(Ordering::Relaxed) {
            std::thread::yield_now();
        }
        let r = digest_file_with(&p, &[Algo::Sha256], Lanes::Inline);
        std::thread::sleep(std::time::Duration::from_millis(5));
        let r2 = digest_file(&p, &[Algo::Sha256]);
        done.store(true, Ordering::Relaxed);
        (r, r2)
    });
    for r in [result.0, result.1] {
        match r {
            Err(DigestError::ChangedDuringRead { before, after, .. }) => {
                assert!(after.size_bytes > before.size_bytes, "{before} / {after}")
            }
            other => panic!("expected ChangedDuringRead, got {other:?}"),
        }
    }
}

#[test]
fn a_file_whose_size_lies_is_changed_not_digested() {
    // /proc files stat as 0 bytes and read as more.
    let r = digest_file(Path::new("/proc/self/status"), &[Algo::Md5]);
    assert!(
        matches!(r, Err(DigestError::ChangedDuringRead { .. })),
        "{r:?}"
    );
}

#[test]
fn folders_and_missing_files_are_errors_by_path() {
    let dir = tempfile::tempdir().unwrap();
    let r = digest_file(dir.path(), &[Algo::Sha256]);
    assert!(matches!(r, Err(DigestError::NotRegularFile { .. })));
    let missing = dir.path().join("gone.wav");
    let e = digest_file(&missing, &[Algo::Sha256]).unwrap_err();
    assert_eq!(e.path(), missing);
    assert!(e.to_string().contains("gone.wav"));
}
