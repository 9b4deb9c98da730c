//! The profile registry: built-in profiles embedded in the binary, user
//! profiles from a folder or a file, and `extends` resolution with cycle
//! detection.

use super::model::{Profile, GROUPS};
use super::validate::validate;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The built-in profiles, `(file name, TOML text)`, from `specs/*.toml`.
pub const BUILTIN: &[(&str, &str)] = &[
    ("ebu-r128.toml", include_str!("../../specs/ebu-r128.toml")),
    (
        "ebu-r128-live.toml",
        include_str!("../../specs/ebu-r128-live.toml"),
    ),
    (
        "ebu-r128-s1.toml",
        include_str!("../../specs/ebu-r128-s1.toml"),
    ),
    ("atsc-a85.toml", include_str!("../../specs/atsc-a85.toml")),
    (
        "netflix-timed-text.toml",
        include_str!("../../specs/netflix-timed-text.toml"),
    ),
    (
        "netflix-tt-children.toml",
        include_str!("../../specs/netflix-tt-children.toml"),
    ),
    (
        "bbc-subtitles.toml",
        include_str!("../../specs/bbc-subtitles.toml"),
    ),
    (
        "netflix-prores-hq.toml",
        include_str!("../../specs/netflix-prores-hq.toml"),
    ),
    (
        "amazon-pvd.toml",
        include_str!("../../specs/amazon-pvd.toml"),
    ),
    (
        "apple-itunes-hd.toml",
        include_str!("../../specs/apple-itunes-hd.toml"),
    ),
    (
        "youtube-upload.toml",
        include_str!("../../specs/youtube-upload.toml"),
    ),
    (
        "uk-dpp-as11-hd.toml",
        include_str!("../../specs/uk-dpp-as11-hd.toml"),
    ),
    ("spotify.toml", include_str!("../../specs/spotify.toml")),
    (
        "roku-key-art.toml",
        include_str!("../../specs/roku-key-art.toml"),
    ),
    (
        "prime-video-cover-art.toml",
        include_str!("../../specs/prime-video-cover-art.toml"),
    ),
    (
        "house-cue-sheet.toml",
        include_str!("../../specs/house-cue-sheet.toml"),
    ),
    (
        "apple-podcasts.toml",
        include_str!("../../specs/apple-podcasts.toml"),
    ),
];

/// Where a profile was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Embedded in the binary (`specs/<name>`).
    BuiltIn(&'static str),
    /// A user file.
    File(PathBuf),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::BuiltIn(name) => write!(f, "built-in specs/{name}"),
            Origin::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// One profile as read, before `extends` is resolved.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Its id.
    pub id: String,
    /// Where it comes from.
    pub origin: Origin,
    /// The TOML text.
    pub text: String,
    /// The parsed table.
    pub table: toml::Table,
}

/// Errors loading or resolving profiles.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// A profile file could not be read.
    #[error("failed to read spec profile {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A profile is not valid TOML or lacks an `id`.
    #[error("invalid spec profile {origin}: {message}")]
    Parse {
        /// Where it was read from.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// No profile has this id.
    #[error("no spec profile `{id}`{}", suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    Unknown {
        /// The id asked for.
        id: String,
        /// The closest known id.
        suggestion: Option<String>,
    },
    /// `extends` leads back to a profile already in the chain.
    #[error("inheritance cycle: {}", chain.join(" → "))]
    Cycle {
        /// The ids, ending with the repeated one.
        chain: Vec<String>,
    },
    /// A resolved profile breaks the format's rules.
    #[error("invalid spec profile `{id}`: {}", problems.join("; "))]
    Invalid {
        /// The profile.
        id: String,
        /// Every problem.
        problems: Vec<String>,
    },
}

/// All known profiles by id.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    entries: BTreeMap<String, Entry>,
}

impl Registry {
    /// The built-in profiles.
    pub fn builtin() -> Result<Self, SpecError> {
        let mut reg = Registry::default();
        for (name, text) in BUILTIN {
            reg.add_text(text, Origin::BuiltIn(name))?;
        }
        Ok(reg)
    }

    /// The built-ins plus every `*.toml` in `dir` (user profiles replace
    /// built-ins of the same id).
    pub fn with_dir(dir: Option<&Path>) -> Result<Self, SpecError> {
        let mut reg = Self::builtin()?;
        if let Some(dir) = dir {
            reg.add_dir(dir)?;
        }
        Ok(reg)
    }

    /// Adds every `*.toml` file of `dir`, in name order.
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), SpecError> {
        let read = |source| SpecError::Read {
            path: dir.to_path_buf(),
            source,
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(read)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        for f in files {
            self.add_file(&f)?;
        }
        Ok(())
    }

    /// Adds one profile file; returns its id.
    pub fn add_file(&mut self, path: &Path) -> Result<String, SpecError> {
        let text = std::fs::read_to_string(path).map_err(|source| SpecError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        self.add_text(&text, Origin::File(path.to_path_buf()))
    }

    /// Adds one profile from its TOML text; returns its id.
    pub fn add_text(&mut self, text: &str, origin: Origin) -> Result<String, SpecError> {
        let parse_err = |message: String| SpecError::Parse {
            origin: origin.to_string(),
            message,
        };
        let table: toml::Table = toml::from_str(text).map_err(|e| parse_err(e.message().into()))?;
        let id = table
            .get("id")
            .and_then(|v| v.as_str())
            .ok_or_else(|| parse_err("missing `id = \"…\"`".into()))?
            .to_string();
        self.entries.insert(
            id.clone(),
            Entry {
                id: id.clone(),
                origin: origin.clone(),
                text: text.to_string(),
                table,
            },
        );
        Ok(id)
    }

    /// Every entry, by id.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    /// The entry of `id`.
    pub fn entry(&self, id: &str) -> Result<&Entry, SpecError> {
        self.entries.get(id).ok_or_else(|| SpecError::Unknown {
            id: id.to_string(),
            suggestion: super::catalogue::suggest(id, self.entries.keys().map(|k| k.as_str()))
                .map(str::to_string),
        })
    }

    /// The ids from `id` up its `extends` chain (`[child, parent, …]`).
    pub fn chain(&self, id: &str) -> Result<Vec<String>, SpecError> {
        let mut chain = vec![id.to_string()];
        let mut cur = self.entry(id)?;
        while let Some(parent) = cur.table.get("extends").and_then(|v| v.as_str()) {
            let seen = chain.iter().any(|c| c == parent);
            chain.push(parent.to_string());
            if seen {
                return Err(SpecError::Cycle { chain });
            }
            cur = self.entry(parent)?;
        }
        Ok(chain)
    }

    /// The resolved table of `id`: ancestors first, each child's keys overriding.
    pub fn resolved_table(&self, id: &str) -> Result<toml::Table, SpecError> {
        let chain = self.chain(id)?;
        let mut table = toml::Table::new();
        for ancestor in chain.iter().rev() {
            merge(&mut table, &self.entry(ancestor)?.table);
        }
        Ok(table)
    }

    /// The profile `id` after inheritance, validated.
    pub fn resolve(&self, id: &str) -> Result<Profile, SpecError> {
        let table = self.resolved_table(id)?;
        let invalid = |problems| SpecError::Invalid {
            id: id.to_string(),
            problems,
        };
        let profile: Profile = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| invalid(vec![e.message().to_string()]))?;
        let problems = validate(&profile);
        if !problems.is_empty() {
            let p = problems
                .into_iter()
                .map(|p| format!("{}: {}", p.path.join("."), p.message))
                .collect();
            return Err(invalid(p));
        }
        Ok(profile)
    }

    /// Resolves a `--spec` argument: a path to a `.toml` file (added to the
    /// registry first, so it may extend built-ins) or a profile id.
    pub fn resolve_arg(&mut self, arg: &str) -> Result<Profile, SpecError> {
        let path = Path::new(arg);
        let id = if arg.ends_with(".toml") || path.is_file() {
            self.add_file(path)?
        } else {
            arg.to_string()
        };
        self.resolve(&id)
    }
}

/// Merges `child` over `base`: rule groups key by key, everything else
/// (including `source`) replaced whole.
pub fn merge(base: &mut toml::Table, child: &toml::Table) {
    for (k, v) in child {
        match (base.get_mut(k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(c))
                if GROUPS.contains(&k.as_str()) =>
            {
                for (rk, rv) in c {
                    match (b.get_mut(rk), rv) {
                        // `[captions.languages]`: tag by tag
                        (Some(toml::Value::Table(bl)), toml::Value::Table(cl))
                            if k == "captions" && rk == "languages" =>
                        {
                            bl.extend(cl.iter().map(|(t, v)| (t.clone(), v.clone())));
                        }
                        _ => {
                            b.insert(rk.clone(), rv.clone());
                        }
                    }
                }
            }
            _ => {
                base.insert(k.clone(), v.clone());
            }
        }
    }
    if !child.contains_key("extends") {
        base.remove("extends");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::model::Severity;

    const CHILD: &str = r#"
id = "my-netflix"
title = "Mine"
extends = "netflix-prores-hq"
[source]
document = "house rules"
url = "https://example.com"
date_read = "2026-11"
confidence = "primary"
[video]
frame_rate = { equals = "25", severity = "warning", advisory = true }
"#;

    #[test]
    fn every_builtin_resolves() {
        let reg = Registry::builtin().unwrap();
        assert_eq!(reg.entries().count(), BUILTIN.len());
        for e in reg.entries() {
            let p = reg
                .resolve(&e.id)
                .unwrap_or_else(|err| panic!("{}: {err}", e.id));
            assert_eq!(p.id, e.id);
        }
    }

    #[test]
    fn child_keys_override_parent() {
        let mut reg = Registry::builtin().unwrap();
        reg.add_text(CHILD, Origin::BuiltIn("test")).unwrap();
        let p = reg.resolve("my-netflix").unwrap();
        let parent = reg.resolve("netflix-prores-hq").unwrap();
        assert_eq!(p.video["frame_rate"].0[0].severity, Severity::Warning);
        assert_eq!(p.video["codec"], parent.video["codec"]);
        assert_eq!(p.source.document, "house rules");
        assert_eq!(p.extends.as_deref(), Some("netflix-prores-hq"));
        assert_eq!(
            reg.chain("my-netflix").unwrap(),
            ["my-netflix", "netflix-prores-hq"]
        );
    }

    fn stub(id: &str, extends: &str) -> String {
        format!("id = \"{id}\"\ntitle = \"t\"\nextends = \"{extends}\"\n")
    }

    #[test]
    fn cycles_are_detected() {
        let mut reg = Registry::default();
        reg.add_text(&stub("a", "b"), Origin::BuiltIn("a")).unwrap();
        reg.add_text(&stub("b", "c"), Origin::BuiltIn("b")).unwrap();
        reg.add_text(&stub("c", "a"), Origin::BuiltIn("c")).unwrap();
        let err = reg.resolve("a").unwrap_err();
        assert!(matches!(&err, SpecError::Cycle { chain } if chain == &["a", "b", "c", "a"]));
        assert_eq!(err.to_string(), "inheritance cycle: a → b → c → a");
        reg.add_text(&stub("self", "self"), Origin::BuiltIn("s"))
            .unwrap();
        assert!(matches!(reg.resolve("self"), Err(SpecError::Cycle { .. })));
    }

    #[test]
    fn unknown_ids_suggest() {
        let reg = Registry::builtin().unwrap();
        let err = reg.resolve("ebu-r12").unwrap_err().to_string();
        assert!(err.contains("did you mean `ebu-r128`"), "{err}");
        let mut reg = reg;
        reg.add_text(&stub("orphan", "nope"), Origin::BuiltIn("o"))
            .unwrap();
        assert!(matches!(
            reg.resolve("orphan"),
            Err(SpecError::Unknown { .. })
        ));
    }

    #[test]
    fn invalid_profiles_are_rejected() {
        let mut reg = Registry::builtin().unwrap();
        let bad = CHILD.replace("frame_rate = {", "frame_rat = {");
        reg.add_text(&bad, Origin::BuiltIn("bad")).unwrap();
        let err = reg.resolve("my-netflix").unwrap_err().to_string();
        assert!(err.contains("did you mean `frame_rate`"), "{err}");
    }
}
