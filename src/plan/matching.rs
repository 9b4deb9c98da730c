//! Matching files to deliverables: one glob set per deliverable over paths
//! relative to the delivery root (`/`-separated; `*` stays inside a folder,
//! `**` crosses folders). A file can be claimed by none (unplanned), one, or
//! several deliverables (double-claimed, reported). Paths are matched as
//! their raw bytes ([`RelPath`]): a `\` in a name is a character, not a
//! separator, and names that are not UTF-8 match exactly.

use super::model::Plan;
use crate::paths::RelPath;
use globset::{Candidate, Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Serialize;
use std::collections::BTreeMap;

/// Compiled patterns of every deliverable.
#[derive(Debug, Clone)]
pub struct Matcher {
    sets: Vec<(String, GlobSet)>,
    sidecars: Vec<(String, Vec<(String, GlobSet)>)>,
    certificates: Vec<(String, String)>,
}

/// Which files each deliverable claims.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Matching {
    /// Deliverable id → relative paths it claims, sorted.
    pub claims: BTreeMap<String, Vec<RelPath>>,
    /// Files no deliverable claims.
    pub unplanned: Vec<RelPath>,
    /// Files claimed by two or more deliverables, with their ids.
    pub double_claimed: BTreeMap<RelPath, Vec<String>>,
    /// Deliverable id → sidecar patterns that match no file (and a named
    /// PSE certificate that is not in the delivery, as `PSE certificate PATH`).
    pub missing_sidecars: BTreeMap<String, Vec<String>>,
    /// Deliverable id → the PSE certificate the plan names, when it is in the delivery.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pse_certificates: BTreeMap<String, RelPath>,
}

fn glob(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern).literal_separator(true).build()
}

fn set(patterns: &[String]) -> Result<GlobSet, globset::Error> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        b.add(glob(p)?);
    }
    b.build()
}

impl Matcher {
    /// Compiles the plan's patterns (a linted plan always compiles).
    pub fn new(plan: &Plan) -> Result<Self, globset::Error> {
        let mut sets = Vec::new();
        let mut sidecars = Vec::new();
        let mut certificates = Vec::new();
        for d in &plan.deliverables {
            sets.push((d.id.clone(), set(&d.patterns)?));
            let side = d
                .sidecars
                .iter()
                .map(|p| Ok((p.clone(), set(std::slice::from_ref(p))?)))
                .collect::<Result<Vec<_>, globset::Error>>()?;
            sidecars.push((d.id.clone(), side));
            if let Some(c) = &d.pse_certificate {
                certificates.push((d.id.clone(), c.clone()));
            }
        }
        Ok(Matcher {
            sets,
            sidecars,
            certificates,
        })
    }

    /// The deliverables claiming `relative_path`.
    pub fn claimants(&self, relative_path: &RelPath) -> Vec<String> {
        let candidate = Candidate::new(relative_path.as_path());
        self.sets
            .iter()
            .filter(|(_, s)| s.is_match_candidate(&candidate))
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// The deliverables whose `sidecars` patterns match `relative_path`
    /// (a caption file named as a master's sidecar).
    pub fn sidecar_of(&self, relative_path: &RelPath) -> Vec<String> {
        let candidate = Candidate::new(relative_path.as_path());
        self.sidecars
            .iter()
            .filter(|(_, side)| side.iter().any(|(_, s)| s.is_match_candidate(&candidate)))
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// Matches every file (relative, `/`-separated) to deliverables.
    pub fn match_files(&self, files: &[RelPath]) -> Matching {
        let mut m = Matching::default();
        for (id, _) in &self.sets {
            m.claims.insert(id.clone(), Vec::new());
        }
        for f in files {
            let ids = self.claimants(f);
            match ids.len() {
                0 => m.unplanned.push(f.clone()),
                1 => {}
                _ => {
                    m.double_claimed.insert(f.clone(), ids.clone());
                }
            }
            for id in ids {
                m.claims.entry(id).or_default().push(f.clone());
            }
        }
        for (id, side) in &self.sidecars {
            let missing: Vec<String> = side
                .iter()
                .filter(|(_, s)| !files.iter().any(|f| s.is_match(f.as_path())))
                .map(|(p, _)| p.clone())
                .collect();
            if !missing.is_empty() {
                m.missing_sidecars.insert(id.clone(), missing);
            }
        }
        for (id, cert) in &self.certificates {
            match files
                .iter()
                .find(|f| f.as_path() == std::path::Path::new(cert))
            {
                Some(f) => {
                    m.unplanned.retain(|u| u != f);
                    m.pse_certificates.insert(id.clone(), f.clone());
                }
                None => m
                    .missing_sidecars
                    .entry(id.clone())
                    .or_default()
                    .push(format!("PSE certificate {cert}")),
            }
        }
        m.unplanned.sort();
        for v in m.claims.values_mut() {
            v.sort();
        }
        m
    }
}

/// The finding of a deliverable with more files than its plan's `count`
/// ("3 files where the plan expects 1"): which of them is the delivery is
/// not known, so the deliverable is failing until the plan or the folder says.
pub fn count_finding(found: usize, expected: usize) -> Option<String> {
    (found > expected).then(|| format!("{found} files where the plan expects {expected}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::model::{Deliverable, Project};

    fn plan(items: &[(&str, &[&str])]) -> Plan {
        Plan {
            project: Project::default(),
            deliverables: items
                .iter()
                .map(|(id, pats)| Deliverable {
                    id: id.to_string(),
                    patterns: pats.iter().map(|s| s.to_string()).collect(),
                    count: 1,
                    ..Default::default()
                })
                .collect(),
        }
    }

    fn files(names: &[&str]) -> Vec<RelPath> {
        names.iter().map(|s| RelPath::from(*s)).collect()
    }

    #[test]
    fn backslashes_and_invalid_utf8_are_matched_exactly() {
        let p = plan(&[("top", &["*.wav"]), ("in-a", &["a/*.wav"])]);
        let mut names = files(&["a\\b.wav", "a/b.wav"]);
        names.push(RelPath::from_bytes(*b"x\xe9.wav"));
        names.push(RelPath::from_bytes(*b"x\xe8.wav"));
        let m = Matcher::new(&p).unwrap().match_files(&names);
        assert_eq!(m.claims["in-a"], files(&["a/b.wav"]));
        assert_eq!(m.claims["top"].len(), 3, "{m:?}");
        assert!(m.claims["top"].contains(&RelPath::from("a\\b.wav")));
    }

    #[test]
    fn claims_unplanned_and_overlaps() {
        let p = plan(&[
            ("pm", &["audio/*_PM_*.wav"]),
            ("all-audio", &["audio/*.wav"]),
            ("subs", &["subtitles/*.srt"]),
        ]);
        let m = Matcher::new(&p).unwrap().match_files(&files(&[
            "audio/F_PM_51.wav",
            "audio/F_MnE.wav",
            "docs/x.pdf",
            ".DS_Store",
        ]));
        assert_eq!(m.claims["pm"], ["audio/F_PM_51.wav"]);
        assert_eq!(
            m.claims["all-audio"],
            ["audio/F_MnE.wav", "audio/F_PM_51.wav"]
        );
        assert!(m.claims["subs"].is_empty());
        assert_eq!(m.unplanned, [".DS_Store", "docs/x.pdf"]);
        assert_eq!(
            m.double_claimed[&RelPath::from("audio/F_PM_51.wav")],
            ["pm", "all-audio"]
        );
    }

    #[test]
    fn star_stays_in_its_folder_double_star_crosses() {
        let p = plan(&[("flat", &["*.wav"]), ("deep", &["**/*.mov"])]);
        let m = Matcher::new(&p).unwrap().match_files(&files(&[
            "a/b.wav",
            "top.wav",
            "x/y/z.mov",
            "z.mov",
        ]));
        assert_eq!(m.claims["flat"], ["top.wav"]);
        assert_eq!(m.claims["deep"], ["x/y/z.mov", "z.mov"]);
        assert_eq!(m.unplanned, ["a/b.wav"]);
    }

    #[test]
    fn same_file_matched_twice_by_one_deliverable_counts_once() {
        let p = plan(&[("a", &["audio/*.wav", "audio/F_*"])]);
        let m = Matcher::new(&p)
            .unwrap()
            .match_files(&files(&["audio/F_1.wav"]));
        assert_eq!(m.claims["a"], ["audio/F_1.wav"]);
        assert!(m.double_claimed.is_empty());
    }

    #[test]
    fn missing_sidecars_are_listed() {
        let mut p = plan(&[("ftr", &["picture/*.mov"])]);
        p.deliverables[0].sidecars = vec!["subtitles/*_EN_*.srt".into(), "subtitles/*_DE.*".into()];
        let m = Matcher::new(&p)
            .unwrap()
            .match_files(&files(&["picture/a.mov", "subtitles/F_EN_SDH.srt"]));
        assert_eq!(m.missing_sidecars["ftr"], ["subtitles/*_DE.*"]);
    }

    #[test]
    fn a_pse_certificate_is_found_or_listed_missing() {
        let mut p = plan(&[("ftr", &["picture/*.mov"]), ("trl", &["picture/*.mp4"])]);
        p.deliverables[0].pse_certificate = Some("docs/FTR_PSE_certificate.pdf".into());
        p.deliverables[1].pse_certificate = Some("docs/TRL_PSE.pdf".into());
        let m = Matcher::new(&p).unwrap().match_files(&files(&[
            "picture/a.mov",
            "picture/b.mp4",
            "docs/FTR_PSE_certificate.pdf",
        ]));
        assert_eq!(
            m.pse_certificates["ftr"],
            RelPath::from("docs/FTR_PSE_certificate.pdf")
        );
        assert!(m.unplanned.is_empty(), "{:?}", m.unplanned);
        assert!(!m.missing_sidecars.contains_key("ftr"));
        assert_eq!(
            m.missing_sidecars["trl"],
            ["PSE certificate docs/TRL_PSE.pdf"]
        );
    }
}
