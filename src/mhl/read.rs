//! Reads MHL v2.0 generation and chain files strictly: well-formed XML, the right namespace, known hash formats,
//! paths inside the root; every rejection names the file, line and column.

use super::model::{
    Action, ChainEntry, Creator, DirEntry, FileEntry, Format, Generation, HashValue, Position,
    NS_DIRECTORY, NS_HASHLIST,
};
use quick_xml::events::Event;
use std::path::{Path, PathBuf};

/// The largest manifest signoff reads (bytes): about a million files.
pub const MAX_MANIFEST_BYTES: u64 = 512 << 20;
const MAX_DEPTH: usize = 64;

/// A manifest signoff will not read, and why.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}{}: {message}", path.display(), at.map(|p| format!(":{}:{}", p.line, p.column)).unwrap_or_default())]
pub struct ManifestError {
    /// The manifest.
    pub path: PathBuf,
    /// Where, when known.
    pub at: Option<Position>,
    /// What is wrong.
    pub message: String,
}

/// One element of the little tree a manifest is read into.
#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<Node>,
    at: Position,
}

impl Node {
    fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }
    fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
}

struct Ctx<'a> {
    path: &'a Path,
}

impl Ctx<'_> {
    fn err(&self, at: Option<Position>, message: impl Into<String>) -> ManifestError {
        ManifestError {
            path: self.path.to_path_buf(),
            at,
            message: message.into(),
        }
    }
    fn need<'n>(&self, node: &'n Node, name: &str) -> Result<&'n Node, ManifestError> {
        node.child(name)
            .ok_or_else(|| self.err(Some(node.at), format!("<{}> has no <{name}>", node.name)))
    }
}

/// Reads a manifest file (bounded size).
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, ManifestError> {
    let ctx = Ctx { path };
    let meta = std::fs::metadata(path).map_err(|e| ctx.err(None, e.to_string()))?;
    if meta.len() > MAX_MANIFEST_BYTES {
        return Err(ctx.err(
            None,
            format!(
                "{} bytes; signoff reads manifests up to {MAX_MANIFEST_BYTES} bytes",
                meta.len()
            ),
        ));
    }
    std::fs::read(path).map_err(|e| ctx.err(None, e.to_string()))
}

/// Parses a generation file's bytes (`path` names it in errors).
pub fn parse_generation(path: &Path, bytes: &[u8]) -> Result<Generation, ManifestError> {
    let ctx = Ctx { path };
    let root = tree(&ctx, bytes, "hashlist", Some(NS_HASHLIST))?;
    if root.attr("version") != Some("2.0") {
        return Err(ctx.err(
            Some(root.at),
            format!(
                "<hashlist version=\"{}\">: signoff reads ASC MHL 2.0 here",
                root.attr("version").unwrap_or("")
            ),
        ));
    }
    let mut g = Generation {
        creator: creator(&ctx, ctx.need(&root, "creatorinfo")?)?,
        ..Generation::default()
    };
    let process = ctx.need(&root, "processinfo")?;
    g.process = ctx.need(process, "process")?.text.trim().to_string();
    if let Some(rh) = process.child("roothash") {
        g.root_hash = Some(dir_hashes(&ctx, rh, String::new(), None)?);
    }
    if let Some(ig) = process.child("ignore") {
        g.ignore = ig.children("pattern").map(|p| p.text.clone()).collect();
    }
    if let Some(hashes) = root.child("hashes") {
        for n in &hashes.children {
            match n.name.as_str() {
                "hash" => g.files.push(file(&ctx, n)?),
                "directoryhash" => g.dirs.push(dir(&ctx, n)?),
                other => {
                    return Err(
                        ctx.err(Some(n.at), format!("unknown element <{other}> in <hashes>"))
                    )
                }
            }
        }
    }
    if let Some(refs) = root.child("references") {
        for r in refs.children("hashlistreference") {
            let p = ctx.need(r, "path")?;
            g.references.push(rel_path(&ctx, p)?);
        }
    }
    Ok(g)
}

/// Parses the chain file's bytes.
pub fn parse_chain(path: &Path, bytes: &[u8]) -> Result<Vec<ChainEntry>, ManifestError> {
    let ctx = Ctx { path };
    let root = tree(&ctx, bytes, "ascmhldirectory", Some(NS_DIRECTORY))?;
    let mut out = Vec::new();
    for h in root.children("hashlist") {
        let seq = h.attr("sequencenr").unwrap_or("");
        let sequence = seq
            .parse()
            .map_err(|_| ctx.err(Some(h.at), format!("sequencenr \"{seq}\" is not a number")))?;
        let p = ctx.need(h, "path")?;
        out.push(ChainEntry {
            sequence,
            path: rel_path(&ctx, p)?,
            c4: h.child("c4").map(|c| c.text.trim().to_string()),
            at: h.at,
        });
    }
    Ok(out)
}

fn creator(ctx: &Ctx, n: &Node) -> Result<Creator, ManifestError> {
    let tool = ctx.need(n, "tool")?;
    Ok(Creator {
        creation_date: ctx.need(n, "creationdate")?.text.trim().to_string(),
        hostname: ctx.need(n, "hostname")?.text.clone(),
        tool: tool.text.clone(),
        tool_version: tool.attr("version").unwrap_or("").to_string(),
        authors: n.children("author").map(|a| a.text.clone()).collect(),
    })
}

fn file(ctx: &Ctx, n: &Node) -> Result<FileEntry, ManifestError> {
    let p = ctx.need(n, "path")?;
    let size_bytes =
        match p.attr("size") {
            None => None,
            Some(s) => Some(s.trim().parse().map_err(|_| {
                ctx.err(Some(p.at), format!("size \"{s}\" is not a number of bytes"))
            })?),
        };
    let mut hashes = Vec::new();
    for c in &n.children {
        if let Some(format) = Format::parse(&c.name) {
            hashes.push(hash(ctx, c, format)?);
        }
    }
    if hashes.is_empty() {
        return Err(ctx.err(Some(n.at), "<hash> without any hash value"));
    }
    Ok(FileEntry {
        path: rel_path(ctx, p)?,
        size_bytes,
        creation_date: p.attr("creationdate").map(str::to_string),
        modification_date: p.attr("lastmodificationdate").map(str::to_string),
        hashes,
        previous_path: match n.child("previousPath") {
            Some(pp) => Some(rel_path(ctx, pp)?),
            None => None,
        },
        at: n.at,
    })
}

fn dir(ctx: &Ctx, n: &Node) -> Result<DirEntry, ManifestError> {
    let p = ctx.need(n, "path")?;
    let path = rel_path(ctx, p)?;
    dir_hashes(ctx, n, path, p.attr("lastmodificationdate"))
}

fn dir_hashes(
    ctx: &Ctx,
    n: &Node,
    path: String,
    modified: Option<&str>,
) -> Result<DirEntry, ManifestError> {
    let list = |name: &str| -> Result<Vec<HashValue>, ManifestError> {
        let c = ctx.need(n, name)?;
        c.children
            .iter()
            .filter_map(|h| Format::parse(&h.name).map(|f| hash(ctx, h, f)))
            .collect()
    };
    Ok(DirEntry {
        path,
        modification_date: modified.map(str::to_string),
        content: list("content")?,
        structure: list("structure")?,
    })
}

fn hash(ctx: &Ctx, n: &Node, format: Format) -> Result<HashValue, ManifestError> {
    let action = match n.attr("action") {
        None => None,
        Some(a) => Some(Action::parse(a).ok_or_else(|| {
            ctx.err(
                Some(n.at),
                format!("action \"{a}\" is not original, verified or failed"),
            )
        })?),
    };
    let value = n.text.trim().to_string();
    if !valid_value(format, &value) {
        return Err(ctx.err(
            Some(n.at),
            format!(
                "<{}> value \"{value}\" is not a {} hash",
                format.name(),
                format.name()
            ),
        ));
    }
    Ok(HashValue {
        format,
        value,
        action,
        hash_date: n.attr("hashdate").map(str::to_string),
    })
}

/// Length and alphabet of a hash value as written.
fn valid_value(format: Format, v: &str) -> bool {
    let hex = |len: usize| v.len() == len && v.bytes().all(|b| b.is_ascii_hexdigit());
    match format {
        Format::C4 => {
            v.len() == 90
                && v.starts_with("c4")
                && v[2..]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() && !b"0OIl".contains(&b))
        }
        Format::Md5 => hex(32),
        Format::Sha1 => hex(40),
        Format::Xxh128 => hex(32),
        Format::Xxh3 | Format::Xxh64 => hex(16),
    }
}

/// A path inside the root: relative, `/`-separated, no `..`, not empty.
fn rel_path(ctx: &Ctx, n: &Node) -> Result<String, ManifestError> {
    let p = n.text.clone();
    let bad = if p.is_empty() {
        Some("an empty path")
    } else if p.starts_with('/') || p.starts_with('\\') || p.get(1..2) == Some(":") {
        Some("an absolute path")
    } else if p.split(['/', '\\']).any(|c| c == "..") {
        Some("a path that leaves the root (`..`)")
    } else if p.contains('\0') {
        Some("a path with a NUL byte")
    } else {
        None
    };
    match bad {
        Some(why) => Err(ctx.err(
            Some(n.at),
            format!(
                "{why}: \"{}\"; a manifest names files inside its root only",
                p.escape_debug()
            ),
        )),
        None => Ok(p),
    }
}

/// The whole document as a tree; the root must be `root` in namespace `ns`.
/// The whole document as a tree; the root must be `root`, in namespace `ns`
/// when given (MHL v1.1 has none).
fn tree(ctx: &Ctx, bytes: &[u8], root: &str, ns: Option<&str>) -> Result<Node, ManifestError> {
    let pos_of = |offset: u64| -> Position {
        let end = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        let before = &bytes[..end];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count() as u64;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        Position {
            line,
            column: 1 + (end - line_start) as u64,
        }
    };
    let mut reader = quick_xml::Reader::from_reader(bytes);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Node> = Vec::new();
    let mut prefix: Option<String> = None;
    let mut done: Option<Node> = None;
    loop {
        let at = pos_of(reader.buffer_position());
        let event = reader.read_event().map_err(|e| {
            ctx.err(
                Some(pos_of(reader.error_position())),
                format!("not well-formed XML: {e}"),
            )
        })?;
        let is_empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(e) | Event::Empty(e) => {
                if done.is_some() {
                    return Err(ctx.err(Some(at), "content after the root element"));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(
                        ctx.err(Some(at), format!("elements nested deeper than {MAX_DEPTH}"))
                    );
                }
                let qname = e.name().as_ref().to_string();
                let (pre, local) = match qname.split_once(':') {
                    Some((p, l)) => (Some(p.to_string()), l.to_string()),
                    None => (None, qname.clone()),
                };
                let mut node = Node {
                    name: local,
                    at,
                    ..Node::default()
                };
                for a in e.attributes() {
                    let a = a.map_err(|err| ctx.err(Some(at), format!("bad attribute: {err}")))?;
                    let key = a.key.as_ref().to_string();
                    let value = a
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|err| ctx.err(Some(at), format!("bad attribute `{key}`: {err}")))?
                        .into_owned();
                    node.attrs.push((key, value));
                }
                if stack.is_empty() {
                    check_root(ctx, &node, pre.as_deref(), root, ns)?;
                    prefix = pre.clone();
                } else if let Some(ns) = ns.filter(|_| pre != prefix) {
                    return Err(
                        ctx.err(Some(at), format!("<{qname}> is not in the namespace {ns}"))
                    );
                }
                stack.push(node);
                if is_empty {
                    close(&mut stack, &mut done);
                }
            }
            Event::End(_) => close(&mut stack, &mut done),
            Event::Text(t) => push_text(&mut stack, &t.xml10_content()),
            Event::CData(t) => push_text(&mut stack, &t.into_inner()),
            Event::GeneralRef(r) => {
                let name = r.as_ref().to_string();
                let c = match name.as_str() {
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "amp" => Some('&'),
                    "apos" => Some('\''),
                    "quot" => Some('"'),
                    _ => r.resolve_char_ref().ok().flatten(),
                };
                let c = c.ok_or_else(|| ctx.err(Some(at), format!("unknown entity `&{name};`")))?;
                push_text(&mut stack, c.encode_utf8(&mut [0; 4]));
            }
            Event::DocType(_) => {
                return Err(ctx.err(
                    Some(at),
                    "a DOCTYPE; MHL manifests have none and signoff expands no entities",
                ));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    done.ok_or_else(|| ctx.err(None, format!("no <{root}> element: not an ASC MHL file")))
}

fn check_root(
    ctx: &Ctx,
    node: &Node,
    prefix: Option<&str>,
    root: &str,
    ns: Option<&str>,
) -> Result<(), ManifestError> {
    if node.name != root {
        return Err(ctx.err(
            Some(node.at),
            format!("the root element is <{}>, not <{root}>", node.name),
        ));
    }
    let Some(ns) = ns else { return Ok(()) };
    let key = prefix.map_or("xmlns".to_string(), |p| format!("xmlns:{p}"));
    match node.attr(&key) {
        Some(found) if found == ns => Ok(()),
        found => Err(ctx.err(
            Some(node.at),
            format!(
                "<{root}> is in namespace \"{}\", not {ns}",
                found.unwrap_or("(none)")
            ),
        )),
    }
}

fn push_text(stack: &mut [Node], s: &str) {
    if let Some(top) = stack.last_mut() {
        top.text.push_str(s);
    }
}

fn close(stack: &mut Vec<Node>, done: &mut Option<Node>) {
    if let Some(node) = stack.pop() {
        match stack.last_mut() {
            Some(parent) => parent.children.push(node),
            None => *done = Some(node),
        }
    }
}

/// One `<hash>` of a legacy MHL v1.1 file.
#[derive(Debug, Clone)]
pub struct LegacyEntry {
    /// `<file>`, relative to the MHL file's folder.
    pub path: String,
    /// `<size>`.
    pub size_bytes: Option<u64>,
    /// `<lastmodificationdate>`.
    pub modification_date: Option<String>,
    /// (element name, value) of each hash element (`md5`, `sha1`, `xxhash64`, `xxhash64be`, `xxhash`…).
    pub hashes: Vec<(String, String)>,
    /// Where the entry is.
    pub at: Position,
}

/// Parses a legacy MHL v1.1 file (`<hashlist version="1.1">`, no namespace).
pub fn parse_legacy(path: &Path, bytes: &[u8]) -> Result<Vec<LegacyEntry>, ManifestError> {
    let ctx = Ctx { path };
    let root = tree(&ctx, bytes, "hashlist", None)?;
    if root.attr("version") != Some("1.1") {
        return Err(ctx.err(Some(root.at), "not an MHL v1.1 hashlist (version=\"1.1\")"));
    }
    let mut out = Vec::new();
    for h in root.children("hash") {
        let file = ctx.need(h, "file")?;
        let size_bytes = match h.child("size") {
            None => None,
            Some(n) => Some(n.text.trim().parse().map_err(|_| {
                ctx.err(
                    Some(n.at),
                    format!("size \"{}\" is not a number of bytes", n.text.trim()),
                )
            })?),
        };
        let hashes: Vec<(String, String)> = h
            .children
            .iter()
            .filter(|c| {
                matches!(
                    c.name.as_str(),
                    "md5" | "sha1" | "xxhash" | "xxhash64" | "xxhash64be" | "null"
                )
            })
            .map(|c| (c.name.clone(), c.text.trim().to_string()))
            .collect();
        if hashes.is_empty() {
            return Err(ctx.err(Some(h.at), "<hash> without any hash value"));
        }
        out.push(LegacyEntry {
            path: rel_path(&ctx, file)?,
            size_bytes,
            modification_date: h
                .child("lastmodificationdate")
                .map(|n| n.text.trim().to_string()),
            hashes,
            at: h.at,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(xml: &str) -> Result<Generation, ManifestError> {
        parse_generation(Path::new("g.mhl"), xml.as_bytes())
    }

    const HEAD: &str = "<hashlist version=\"2.0\" xmlns=\"urn:ASC:MHL:v2.0\"><creatorinfo><creationdate>2026-01-01T00:00:00Z</creationdate><hostname>h</hostname><tool version=\"1\">t</tool></creatorinfo><processinfo><process>in-place</process></processinfo>";

    #[test]
    fn entities_and_paths_come_back_exactly() {
        let g = parse(&format!("{HEAD}<hashes><hash><path size=\"3\">a &amp; &lt;b&gt; &#233;.wav</path><xxh64 action=\"original\">0123456789abcdef</xxh64></hash></hashes></hashlist>")).unwrap();
        assert_eq!(g.files[0].path, "a & <b> \u{e9}.wav");
        assert_eq!(g.files[0].size_bytes, Some(3));
    }

    #[test]
    fn rejections_name_line_and_column() {
        let e = parse(
            "<hashlist version=\"2.0\" xmlns=\"urn:ASC:MHL:v2.0\">\n  <creatorinfo>\n</hashlist>",
        )
        .unwrap_err();
        assert_eq!(e.at.map(|p| p.line), Some(3), "{e}");
        let e = parse(&format!("{HEAD}\n<hashes><hash><path>../x</path><md5 action=\"original\">0123456789abcdef0123456789abcdef</md5></hash></hashes></hashlist>")).unwrap_err();
        assert!(e.message.contains("leaves the root"), "{e}");
        assert_eq!(e.at.map(|p| p.line), Some(2));
        let e = parse("<!DOCTYPE x [<!ENTITY a \"b\">]><hashlist/>").unwrap_err();
        assert!(e.message.contains("DOCTYPE"), "{e}");
        let e = parse(&format!("{HEAD}<hashes><hash><path>a</path><md5 action=\"maybe\">0123456789abcdef0123456789abcdef</md5></hash></hashes></hashlist>")).unwrap_err();
        assert!(
            e.message.contains("not original, verified or failed"),
            "{e}"
        );
        let e = parse(&format!("{HEAD}<hashes><hash><path>a</path><md5 action=\"original\">0123</md5></hash></hashes></hashlist>")).unwrap_err();
        assert!(e.message.contains("is not a md5 hash"), "{e}");
    }

    #[test]
    fn what_the_writer_writes_the_reader_reads() {
        let g = parse(&format!("{HEAD}<hashes><hash><path size=\"1\">x/\"q\" 'a'.wav</path><c4 action=\"verified\">c4{}</c4></hash></hashes></hashlist>", "1".repeat(88))).unwrap();
        let xml = crate::mhl::write::generation_xml(&g).unwrap();
        let mut back = parse_generation(Path::new("g"), &xml).unwrap();
        back.files[0].at = g.files[0].at;
        assert_eq!(back, g);
    }
}
