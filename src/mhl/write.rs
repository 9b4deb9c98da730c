//! Writes MHL v2.0 generation and chain XML with quick-xml; every text and attribute from a file or a user goes through `report::xml::escape`.

use super::model::{
    ChainEntry, DirEntry, FileEntry, Generation, HashValue, NS_DIRECTORY, NS_HASHLIST,
};
use crate::report::xml::escape;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::QName;
use std::borrow::Cow;
use std::io;

type W = quick_xml::Writer<Vec<u8>>;

/// True when `s` survives the escaper unchanged apart from the five markup
/// entities, i.e. it can be written into MHL text and read back exactly.
pub fn is_exact_in_xml(s: &str) -> bool {
    let escaped = escape(s);
    matches!(quick_xml::escape::unescape(&escaped), Ok(back) if back == s)
}

/// The XML of one generation.
pub fn generation_xml(g: &Generation) -> io::Result<Vec<u8>> {
    let mut w = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    start(
        &mut w,
        "hashlist",
        &[("version", "2.0"), ("xmlns", NS_HASHLIST)],
    )?;
    creator(&mut w, g)?;
    process(&mut w, g)?;
    if !g.files.is_empty() || !g.dirs.is_empty() {
        start(&mut w, "hashes", &[])?;
        for f in &g.files {
            file(&mut w, f)?;
        }
        for d in &g.dirs {
            dir(&mut w, d)?;
        }
        end(&mut w, "hashes")?;
    }
    end(&mut w, "hashlist")?;
    let mut out = w.into_inner();
    out.push(b'\n');
    Ok(out)
}

/// The XML of the chain file.
pub fn chain_xml(entries: &[ChainEntry]) -> io::Result<Vec<u8>> {
    let mut w = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    start(&mut w, "ascmhldirectory", &[("xmlns", NS_DIRECTORY)])?;
    for e in entries {
        let seq = e.sequence.to_string();
        start(&mut w, "hashlist", &[("sequencenr", &seq)])?;
        text_element(&mut w, "path", &[], &e.path)?;
        if let Some(c4) = &e.c4 {
            text_element(&mut w, "c4", &[], c4)?;
        }
        end(&mut w, "hashlist")?;
    }
    end(&mut w, "ascmhldirectory")?;
    let mut out = w.into_inner();
    out.push(b'\n');
    Ok(out)
}

fn creator(w: &mut W, g: &Generation) -> io::Result<()> {
    let c = &g.creator;
    start(w, "creatorinfo", &[])?;
    text_element(w, "creationdate", &[], &c.creation_date)?;
    text_element(w, "hostname", &[], &c.hostname)?;
    text_element(w, "tool", &[("version", &c.tool_version)], &c.tool)?;
    for a in &c.authors {
        text_element(w, "author", &[], a)?;
    }
    end(w, "creatorinfo")
}

fn process(w: &mut W, g: &Generation) -> io::Result<()> {
    start(w, "processinfo", &[])?;
    text_element(w, "process", &[], &g.process)?;
    if let Some(root) = &g.root_hash {
        start(w, "roothash", &[])?;
        containers(w, root)?;
        end(w, "roothash")?;
    }
    if !g.ignore.is_empty() {
        start(w, "ignore", &[])?;
        for p in &g.ignore {
            text_element(w, "pattern", &[], p)?;
        }
        end(w, "ignore")?;
    }
    end(w, "processinfo")
}

fn file(w: &mut W, f: &FileEntry) -> io::Result<()> {
    start(w, "hash", &[])?;
    let size = f.size_bytes.map(|s| s.to_string());
    let mut attrs: Vec<(&str, &str)> = Vec::new();
    if let Some(s) = &size {
        attrs.push(("size", s));
    }
    if let Some(d) = &f.creation_date {
        attrs.push(("creationdate", d));
    }
    if let Some(d) = &f.modification_date {
        attrs.push(("lastmodificationdate", d));
    }
    text_element(w, "path", &attrs, &f.path)?;
    for h in &f.hashes {
        hash(w, h)?;
    }
    if let Some(p) = &f.previous_path {
        text_element(w, "previousPath", &[], p)?;
    }
    end(w, "hash")
}

fn dir(w: &mut W, d: &DirEntry) -> io::Result<()> {
    start(w, "directoryhash", &[])?;
    let attrs: Vec<(&str, &str)> = d
        .modification_date
        .iter()
        .map(|m| ("lastmodificationdate", m.as_str()))
        .collect();
    text_element(w, "path", &attrs, &d.path)?;
    containers(w, d)?;
    end(w, "directoryhash")
}

fn containers(w: &mut W, d: &DirEntry) -> io::Result<()> {
    start(w, "content", &[])?;
    for h in &d.content {
        hash(w, h)?;
    }
    end(w, "content")?;
    start(w, "structure", &[])?;
    for h in &d.structure {
        hash(w, h)?;
    }
    end(w, "structure")
}

fn hash(w: &mut W, h: &HashValue) -> io::Result<()> {
    let mut attrs: Vec<(&str, &str)> = Vec::new();
    if let Some(a) = h.action {
        attrs.push(("action", a.name()));
    }
    if let Some(d) = &h.hash_date {
        attrs.push(("hashdate", d));
    }
    text_element(w, h.format.name(), &attrs, &h.value)
}

fn element<'a>(name: &'a str, attrs: &[(&'a str, &str)]) -> BytesStart<'a> {
    let mut e = BytesStart::new(name);
    for (k, v) in attrs {
        e.push_attribute(Attribute {
            key: QName(k),
            value: Cow::Owned(escape(v).into_owned()),
        });
    }
    e
}

fn start(w: &mut W, name: &str, attrs: &[(&str, &str)]) -> io::Result<()> {
    w.write_event(Event::Start(element(name, attrs)))
}

fn end(w: &mut W, name: &str) -> io::Result<()> {
    w.write_event(Event::End(BytesEnd::new(name)))
}

fn text_element(w: &mut W, name: &str, attrs: &[(&str, &str)], text: &str) -> io::Result<()> {
    start(w, name, attrs)?;
    w.write_event(Event::Text(BytesText::from_escaped(escape(text))))?;
    end(w, name)
}
