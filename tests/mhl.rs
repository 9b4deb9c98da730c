//! ASC MHL v2.0 interop: what `signoff seal` writes, the reference tool
//! (`ascmhl`, `ascmhl-debug`, installed by setup.sh) verifies and validates
//! against the XSD; what `ascmhl create` writes, `signoff verify` reads; one
//! changed byte fails both; signoff is stricter where the reference is lax.
//! Every test seals a copy in a temp folder and proves the fixture unchanged.

mod common;

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn xsd(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/mhl_xsd")
        .join(name)
}

/// Runs a reference tool; (exit code, stdout + stderr). Fails, never skips, when it is missing.
fn reference(tool: &str, args: &[&str]) -> (i32, String) {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("{tool} is not installed ({e}): run ./setup.sh (or `pip install ascmhl`)")
    });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn signoff() -> assert_cmd::Command {
    common::plan_signoff()
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A copy of the sample delivery in a temp dir, plus the fixture's snapshot.
struct Copy {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    before: common::Snapshot,
}

impl Copy {
    fn sample() -> Copy {
        let before = common::snapshot(&common::sample_delivery());
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("FEATURE_DELIVERY");
        common::copy_dir(&common::sample_delivery(), &root).unwrap();
        Copy {
            _tmp: tmp,
            root,
            before,
        }
    }

    fn small() -> Copy {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("Small");
        fs::create_dir_all(root.join("sub/deeper")).unwrap();
        fs::create_dir_all(root.join("empty")).unwrap();
        fs::write(root.join("a.txt"), b"hello\n").unwrap();
        fs::write(root.join("sub/b & <c>.txt"), b"world\n").unwrap();
        fs::write(root.join("sub/deeper/d.bin"), [0u8, 1, 2, 3, 255]).unwrap();
        Copy {
            _tmp: tmp,
            root,
            before: common::Snapshot::new(),
        }
    }

    fn root(&self) -> &str {
        path_str(&self.root)
    }

    fn generations(&self) -> Vec<PathBuf> {
        let mut g: Vec<PathBuf> = fs::read_dir(self.root.join("ascmhl"))
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "mhl"))
                    .collect()
            })
            .unwrap_or_default();
        g.sort();
        g
    }
}

impl Drop for Copy {
    fn drop(&mut self) {
        if !self.before.is_empty() && !std::thread::panicking() {
            common::assert_unchanged(&common::sample_delivery(), &self.before);
        }
    }
}

fn seal(root: &str, extra: &[&str]) -> (i32, Value) {
    common::json_of(
        signoff()
            .args(["seal", root, "--format", "json"])
            .args(extra),
    )
}

fn verify(root: &str) -> (i32, Value) {
    common::json_of(signoff().args(["verify", root, "--format", "json"]))
}

fn state_of<'a>(doc: &'a Value, path: &str) -> &'a str {
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("{path} not in {doc:#}"))["state"]
        .as_str()
        .unwrap()
}

fn assert_xsd_valid(c: &Copy) {
    for g in c.generations() {
        let (code, text) = reference(
            "ascmhl-debug",
            &[
                "xsd-schema-check",
                "-xsd",
                path_str(&xsd("ASCMHL.xsd")),
                path_str(&g),
            ],
        );
        assert_eq!(code, 0, "{}: {text}", g.display());
    }
    let chain = c.root.join("ascmhl/ascmhl_chain.xml");
    let (code, text) = reference(
        "ascmhl-debug",
        &[
            "xsd-schema-check",
            "-df",
            "-xsd",
            path_str(&xsd("ASCMHLDirectory__combined.xsd")),
            path_str(&chain),
        ],
    );
    assert_eq!(code, 0, "chain: {text}");
}

fn save_json(dir: &Path, name: &str, doc: &Value) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, serde_json::to_vec_pretty(doc).unwrap()).unwrap();
    p
}

#[test]
fn a_signoff_seal_passes_the_reference_verify_and_the_xsd() {
    let c = Copy::sample();
    let (code, doc) = seal(
        c.root(),
        &[
            "--algo",
            "xxh128,md5,sha1,c4,xxh3,xxh64",
            "--by",
            "Jo \"QC\" <qc@example.com> & Co",
        ],
    );
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["written"], true);
    assert_eq!(doc["generation"], 1);
    // the plan is signoff's own file; .DS_Store is a default ignore
    let paths: Vec<&str> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(
        !paths.contains(&"signoff.toml") && !paths.contains(&".DS_Store"),
        "{paths:?}"
    );
    assert!(paths.iter().all(|p| state_of(&doc, p) == "new"));
    let (code, text) = reference("ascmhl-debug", &["verify", c.root()]);
    assert_eq!(code, 0, "{text}");
    let (code, text) = reference("ascmhl-debug", &["verify", "-dh", c.root()]);
    assert_eq!(code, 0, "directory hashes: {text}");
    assert_xsd_valid(&c);
    // the author's markup characters came through the writer escaped, and back exactly
    let xml = fs::read_to_string(&c.generations()[0]).unwrap();
    assert!(
        xml.contains("<author>Jo &quot;QC&quot; &lt;qc@example.com&gt; &amp; Co</author>"),
        "{xml}"
    );
    let (code, v) = verify(c.root());
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        v["counts"]["verified"].as_u64().unwrap() as usize,
        paths.len()
    );
    let dir = tempfile::tempdir().unwrap();
    common::assert_schema_valid(&[
        ("seal", &save_json(dir.path(), "seal.json", &doc)),
        ("verify", &save_json(dir.path(), "verify.json", &v)),
    ]);
}

#[test]
fn an_ascmhl_create_history_passes_signoff_verify() {
    let c = Copy::small();
    let (code, text) = reference(
        "ascmhl",
        &["create", c.root(), "-h", "xxh64", "-h", "md5", "-h", "c4"],
    );
    assert_eq!(code, 0, "{text}");
    let (code, doc) = verify(c.root());
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["counts"]["verified"], 3);
    assert_eq!(state_of(&doc, "sub/b & <c>.txt"), "verified");
}

#[test]
fn one_changed_byte_fails_both_tools_and_seal_refuses() {
    let c = Copy::small();
    let (code, _) = seal(c.root(), &[]);
    assert_eq!(code, 0);
    let mut bytes = fs::read(c.root.join("sub/deeper/d.bin")).unwrap();
    bytes[2] ^= 1;
    fs::write(c.root.join("sub/deeper/d.bin"), bytes).unwrap();
    let (code, doc) = verify(c.root());
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(state_of(&doc, "sub/deeper/d.bin"), "changed");
    assert!(doc["files"].as_array().unwrap().iter().any(|f| f["reason"]
        .as_str()
        .is_some_and(|r| r.contains("xxh128 is"))));
    let (code, text) = reference("ascmhl-debug", &["verify", c.root()]);
    assert_ne!(code, 0, "the reference tool passed a changed file: {text}");
    // seal refuses and writes nothing
    let (code, doc) = seal(c.root(), &[]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(doc["written"], false);
    assert_eq!(c.generations().len(), 1);
    // --allow-failed records the failure, as the reference tool does
    let (code, doc) = seal(c.root(), &["--allow-failed"]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(doc["written"], true);
    let xml = fs::read_to_string(&c.generations()[1]).unwrap();
    assert!(xml.contains("action=\"failed\""), "{xml}");
    assert_xsd_valid(&c);
}

#[test]
fn a_second_signoff_seal_after_ascmhl_create_chains_and_both_tools_read_it() {
    let c = Copy::small();
    let (code, text) = reference("ascmhl", &["create", c.root(), "-h", "xxh64"]);
    assert_eq!(code, 0, "{text}");
    fs::write(c.root.join("sub/new.txt"), b"arrived later\n").unwrap();
    let (code, doc) = seal(c.root(), &["--algo", "xxh128"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["generation"], 2);
    assert_eq!(state_of(&doc, "a.txt"), "verified");
    assert_eq!(state_of(&doc, "sub/new.txt"), "new");
    let xml = fs::read_to_string(&c.generations()[1]).unwrap();
    assert!(
        xml.contains("<xxh64 action=\"verified\""),
        "the recorded format is verified: {xml}"
    );
    for args in [vec!["verify", c.root()], vec!["verify", "-dh", c.root()]] {
        let (code, text) = reference("ascmhl-debug", &args);
        assert_eq!(code, 0, "{args:?}: {text}");
    }
    let (code, text) = reference("ascmhl", &["info", c.root()]);
    assert!(code == 0 && text.contains("Generation 2"), "{text}");
    assert_xsd_valid(&c);
    let (code, doc) = verify(c.root());
    assert_eq!(code, 0, "{doc:#}");
    // and the reference tool can add a third generation on top of signoff's
    let (code, text) = reference("ascmhl", &["create", c.root(), "-h", "xxh64"]);
    assert_eq!(code, 0, "{text}");
    let (code, doc) = verify(c.root());
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["generation"], 3);
}

fn problems(doc: &Value) -> String {
    doc["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}:{}:{} {}\n",
                p["file"], p["line"], p["column"], p["message"]
            )
        })
        .collect()
}

/// Rewrites the chain's c4 for every generation, as a careless tool would after editing one.
fn rechain(c: &Copy) {
    let chain = c.root.join("ascmhl/ascmhl_chain.xml");
    let mut xml = fs::read_to_string(&chain).unwrap();
    for g in c.generations() {
        let (_, c4) = reference("ascmhl-debug", &["hash", path_str(&g), "-h", "c4"]);
        let c4 = c4
            .split_whitespace()
            .find(|w| w.starts_with("c4") && w.len() == 90)
            .unwrap()
            .to_string();
        let name = g.file_name().unwrap().to_str().unwrap();
        let start = xml.find(name).unwrap();
        let c4_at = start + xml[start..].find("<c4>").unwrap() + 4;
        xml.replace_range(c4_at..c4_at + 90, &c4);
    }
    fs::write(chain, xml).unwrap();
}

#[test]
fn stricter_than_the_reference_missing_action_tampered_chain_deleted_entry() {
    // a hash without an action: the reference takes it as original; signoff fails it
    let c = Copy::small();
    reference("ascmhl", &["create", c.root()]);
    let g = c.generations()[0].clone();
    let xml = fs::read_to_string(&g)
        .unwrap()
        .replacen(" action=\"original\"", "", 1);
    fs::write(&g, xml).unwrap();
    rechain(&c);
    let (code, doc) = verify(c.root());
    assert_eq!(code, 1, "{doc:#}");
    assert!(
        problems(&doc).contains("has no action"),
        "{}",
        problems(&doc)
    );
    // a generation edited after the chain recorded it
    let c = Copy::small();
    seal(c.root(), &[]);
    let g = c.generations()[0].clone();
    let xml = fs::read_to_string(&g)
        .unwrap()
        .replace("<hostname>", "<hostname>edited-");
    fs::write(&g, xml).unwrap();
    let (code, doc) = verify(c.root());
    assert_eq!(code, 1);
    assert!(
        problems(&doc).contains("has been modified"),
        "{}",
        problems(&doc)
    );
    let (code, _) = seal(c.root(), &[]);
    assert_eq!(code, 1, "seal refuses on a damaged history");
    // a file dropped from a later generation
    let c = Copy::small();
    reference("ascmhl", &["create", c.root()]);
    fs::remove_file(c.root.join("a.txt")).unwrap();
    reference("ascmhl", &["create", c.root()]);
    let (code, doc) = verify(c.root());
    assert_eq!(code, 1);
    assert!(
        problems(&doc).contains("a deleted hash entry"),
        "{}",
        problems(&doc)
    );
    assert_eq!(state_of(&doc, "a.txt"), "missing");
    // a generation missing from the chain
    let c = Copy::small();
    seal(c.root(), &[]);
    fs::write(
        c.root.join("ascmhl/ascmhl_chain.xml"),
        "<?xml version=\"1.0\"?>\n<ascmhldirectory xmlns=\"urn:ASC:MHL:DIRECTORY:v2.0\"/>\n",
    )
    .unwrap();
    let (code, doc) = verify(c.root());
    assert_eq!(code, 1);
    assert!(
        problems(&doc).contains("is not in the chain"),
        "{}",
        problems(&doc)
    );
}

#[test]
fn bad_manifests_are_rejected_with_line_and_column() {
    let cases = [
        ("not xml", "<hashlist version=\"2.0\" xmlns=\"urn:ASC:MHL:v2.0\">\n  <creatorinfo>\n</hashlist>\n", "not well-formed XML", 3),
        ("wrong namespace", "<?xml version=\"1.0\"?>\n<hashlist version=\"2.0\" xmlns=\"urn:ASC:MHL:v1.0\"/>\n", "not urn:ASC:MHL:v2.0", 2),
        ("outside the root", "<?xml version=\"1.0\"?>\n<hashlist version=\"2.0\" xmlns=\"urn:ASC:MHL:v2.0\"><creatorinfo><creationdate>2026-01-01T00:00:00Z</creationdate><hostname>h</hostname><tool version=\"1\">t</tool></creatorinfo><processinfo><process>in-place</process></processinfo>\n<hashes>\n  <hash><path size=\"1\">../../etc/passwd</path><xxh64 action=\"original\">0123456789abcdef</xxh64></hash></hashes></hashlist>\n", "leaves the root", 4),
        ("absolute", "<?xml version=\"1.0\"?>\n<hashlist version=\"2.0\" xmlns=\"urn:ASC:MHL:v2.0\"><creatorinfo><creationdate>2026-01-01T00:00:00Z</creationdate><hostname>h</hostname><tool version=\"1\">t</tool></creatorinfo><processinfo><process>in-place</process></processinfo>\n<hashes>\n  <hash><path size=\"1\">/etc/passwd</path><xxh64 action=\"original\">0123456789abcdef</xxh64></hash></hashes></hashlist>\n", "an absolute path", 4),
    ];
    for (what, xml, message, line) in cases {
        let c = Copy::small();
        fs::create_dir(c.root.join("ascmhl")).unwrap();
        fs::write(c.root.join("ascmhl/0001_Small_2026-01-01_000000Z.mhl"), xml).unwrap();
        let (code, doc) = verify(c.root());
        assert_eq!(code, 1, "{what}: {doc:#}");
        let p = doc["problems"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["message"].as_str().unwrap().contains(message))
            .unwrap_or_else(|| panic!("{what}: {}", problems(&doc)));
        assert_eq!(p["line"], line, "{what}: {p}");
        assert!(p["column"].as_u64().unwrap() >= 1, "{what}: {p}");
        let (code, _) = seal(c.root(), &[]);
        assert_eq!(code, 1, "{what}: seal refuses");
    }
}

#[test]
fn a_name_an_mhl_cannot_hold_is_refused_by_its_escaped_path() {
    use std::os::unix::ffi::OsStrExt;
    let c = Copy::small();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.wav");
    fs::write(c.root.join(name), b"latin-1 name").unwrap();
    let (code, doc) = seal(c.root(), &[]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(doc["written"], false);
    assert_eq!(state_of(&doc, "caf\\xe9.wav"), "unrecordable");
    assert!(!c.root.join("ascmhl").exists(), "nothing written");
    let out = signoff().args(["seal", c.root()]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("unrecordable caf\\xe9.wav") && text.contains("not UTF-8"),
        "{text}"
    );
}

#[test]
fn verify_without_a_history_says_so_and_writes_nothing() {
    let c = Copy::small();
    let out = signoff().args(["verify", c.root()]).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no ASC MHL history"));
    assert!(!c.root.join("ascmhl").exists());
}

fn with_manifest_plan(c: &Copy) {
    let plan = c.root.join("signoff.toml");
    let text = fs::read_to_string(&plan).unwrap();
    fs::write(
        &plan,
        text.replacen("[project]\n", "[project]\nmanifest = \"ascmhl\"\n", 1),
    )
    .unwrap();
}

fn board(root: &str) -> (i32, Value) {
    common::json_of(signoff().args(["status", root, "--format", "json"]))
}

fn seal_of<'a>(board: &'a Value, id: &str) -> &'a Value {
    &board["deliverables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .unwrap()["seal"]
}

#[test]
fn the_board_says_sealed_not_sealed_or_out_of_date_when_the_plan_requires_a_seal() {
    let c = Copy::sample();
    with_manifest_plan(&c);
    let out = signoff().args(["check", c.root()]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("manifest: NOT SEALED (the plan requires an ASC MHL seal"),
        "{text}"
    );
    let (code, doc) = seal(c.root(), &[]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(
        !doc["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"].as_str().unwrap().starts_with("signoff.ledger")),
        "the ledger is signoff's own file"
    );
    let (_, b) = board(c.root());
    assert_eq!(seal_of(&b, "feature-master")["state"], "sealed");
    assert_eq!(seal_of(&b, "feature-master")["generation"], 1);
    assert!(
        seal_of(&b, "dub-de").is_null(),
        "a missing deliverable has nothing sealed"
    );
    // the history is not a delivery file
    assert!(
        !b["unplanned"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p.as_str().unwrap().starts_with("ascmhl/")),
        "{:#}",
        b["unplanned"]
    );
    let wav = c.root.join("audio/FEATURE_PM_51_24bit.wav");
    let f = fs::File::options().write(true).open(&wav).unwrap();
    f.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
        .unwrap();
    let (_, b) = board(c.root());
    let s = seal_of(&b, "printmaster-51");
    assert_eq!(s["state"], "out_of_date", "{s}");
    assert_eq!(s["files"][0], "audio/FEATURE_PM_51_24bit.wav (changed)");
    let out = signoff().args(["status", c.root()]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "manifest: seal out of date (generation 1): audio/FEATURE_PM_51_24bit.wav (changed)"
        ),
        "{text}"
    );
    let dir = tempfile::tempdir().unwrap();
    common::assert_schema_valid(&[("board", &save_json(dir.path(), "board.json", &b))]);
}

#[test]
fn approve_seal_binds_the_manifest_to_the_approval_and_verify_checks_it_on_arrival() {
    let c = Copy::sample();
    with_manifest_plan(&c);
    let out = signoff()
        .args([
            "approve",
            "feature-master",
            "--root",
            c.root(),
            "--by",
            "Ana",
            "-q",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("approve with --seal"));
    assert!(!c.root.join("ascmhl").exists());
    let out = signoff()
        .args([
            "approve",
            "feature-master",
            "--root",
            c.root(),
            "--by",
            "Ana",
            "--seal",
            "-q",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("sealed ") && text.contains("approved feature-master by Ana"),
        "{text}"
    );
    let (code, text) = reference("ascmhl-debug", &["verify", c.root()]);
    assert_eq!(code, 0, "{text}");
    let xml = fs::read_to_string(&c.generations()[0]).unwrap();
    assert!(xml.contains("<author>Ana</author>"), "{xml}");
    // the receiving side: the delivery moved (another root), plan and ledger travelled with it
    let arrived = c._tmp.path().join("ARRIVED");
    common::copy_dir(&c.root, &arrived).unwrap();
    let before = common::snapshot(&arrived);
    let (code, v) = verify(path_str(&arrived));
    assert_eq!(code, 0, "{v:#}");
    common::assert_unchanged(&arrived, &before); // verify writes nothing, the ledger included
    let fm = v["approvals"]["deliverables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["deliverable"] == "feature-master")
        .unwrap();
    assert_eq!(fm["state"], "as_approved", "{fm}");
    let master = arrived.join("picture/FEATURE_FTR_ProResHQ_2398_178_EN.mov");
    let mut bytes = fs::read(&master).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x20;
    fs::write(&master, bytes).unwrap();
    let (code, v) = verify(path_str(&arrived));
    assert_eq!(code, 1, "{v:#}");
    let fm = v["approvals"]["deliverables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["deliverable"] == "feature-master")
        .unwrap();
    assert_eq!(fm["state"], "differs", "{fm}");
    assert!(
        fm["differences"][0].as_str().unwrap().contains("SHA-256"),
        "{fm}"
    );
    let dir = tempfile::tempdir().unwrap();
    common::assert_schema_valid(&[("verify", &save_json(dir.path(), "verify.json", &v))]);
}

/// Runs a coreutils checksum tool in `dir`, writing its output to `dir/out`.
fn coreutils(dir: &Path, tool: &str, files: &[&str], out: &str) {
    let o = Command::new(tool)
        .args(files)
        .current_dir(dir)
        .output()
        .expect("coreutils");
    assert!(
        o.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    fs::write(dir.join(out), o.stdout).unwrap();
}

#[test]
fn verify_reads_checksum_sidecars_written_by_sha256sum_and_md5sum() {
    let c = Copy::small();
    coreutils(
        &c.root,
        "sha256sum",
        &["a.txt", "sub/b & <c>.txt"],
        "SHA256SUMS",
    );
    coreutils(
        &c.root.join("sub/deeper"),
        "md5sum",
        &["d.bin"],
        "d.bin.md5",
    );
    let (code, doc) = verify(c.root());
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["manifest"], "sidecar");
    assert_eq!(doc["counts"]["verified"], 3);
    let mut bytes = fs::read(c.root.join("a.txt")).unwrap();
    bytes[0] ^= 1;
    fs::write(c.root.join("a.txt"), bytes).unwrap();
    fs::write(c.root.join("late.txt"), b"not in any sidecar").unwrap();
    let (code, doc) = verify(c.root());
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(state_of(&doc, "a.txt"), "changed");
    assert_eq!(state_of(&doc, "late.txt"), "new");
    // a sidecar line naming a file outside its folder is a problem with its line
    fs::write(
        c.root.join("bad.sha256"),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  ../../etc/passwd\n",
    )
    .unwrap();
    let (code, doc) = verify(c.root());
    assert_eq!(code, 1);
    assert!(
        problems(&doc).contains("leaves the root"),
        "{}",
        problems(&doc)
    );
    let dir = tempfile::tempdir().unwrap();
    common::assert_schema_valid(&[("verify", &save_json(dir.path(), "verify.json", &doc))]);
}

#[test]
fn verify_reads_a_legacy_mhl_1_1_file_md5_and_xxhash64_both_byte_orders() {
    let c = Copy::small();
    let md5 = |rel: &str| {
        let o = Command::new("md5sum")
            .arg(c.root.join(rel))
            .output()
            .unwrap();
        String::from_utf8(o.stdout)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_string()
    };
    let (_, text) = reference(
        "ascmhl-debug",
        &[
            "hash",
            path_str(&c.root.join("sub/deeper/d.bin")),
            "-h",
            "xxh64",
        ],
    );
    let be = text
        .split(|ch: char| !ch.is_ascii_hexdigit())
        .find(|w| w.len() == 16)
        .unwrap()
        .to_string();
    let le: String = (0..8).rev().map(|i| &be[2 * i..2 * i + 2]).collect();
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<hashlist version=\"1.1\">\n\
         <creatorinfo><name>DIT</name><hostname>cart</hostname><tool>x</tool></creatorinfo>\n\
         <hash><file>a.txt</file><size>6</size><md5>{}</md5></hash>\n\
         <hash><file>sub/b &amp; &lt;c&gt;.txt</file><size>6</size><md5>{}</md5></hash>\n\
         <hash><file>sub/deeper/d.bin</file><size>5</size><xxhash64be>{be}</xxhash64be><xxhash64>{le}</xxhash64></hash>\n\
         </hashlist>\n",
        md5("a.txt"),
        md5("sub/b & <c>.txt")
    );
    fs::write(c.root.join("A001.mhl"), xml).unwrap();
    let (code, doc) = verify(c.root());
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["manifest"], "mhl-1.1");
    assert_eq!(doc["counts"]["verified"], 3);
    fs::write(c.root.join("sub/deeper/d.bin"), [9u8, 9, 9, 9, 9]).unwrap();
    let (code, doc) = verify(c.root());
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(state_of(&doc, "sub/deeper/d.bin"), "changed");
}
