//! Finding and loading a plan: `signoff.toml` in the delivery root or a
//! parent folder, or a file given with `--plan`; a plan with any lint
//! problem is rejected as a whole.

use super::lint::lint_text;
use super::model::Plan;
use crate::measure::hash::sha256_reader;
use crate::spec::lint::LintProblem;
use crate::spec::Registry;
use std::path::{Path, PathBuf};

/// The plan's file name.
pub const PLAN_FILE: &str = "signoff.toml";

/// Errors loading a plan.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The file could not be read.
    #[error("failed to read plan {path}")]
    Read {
        /// The plan file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The plan has problems (each with file:line:column).
    #[error("the plan {path} has {} problem(s):\n{}", .problems.len(), render(.problems))]
    Invalid {
        /// The plan file.
        path: PathBuf,
        /// Every problem found.
        problems: Vec<LintProblem>,
    },
    /// The folder given lies inside the delivery the plan describes: a run
    /// over part of it would call every deliverable outside it missing.
    #[error("{given} is inside the delivery {root} planned by {plan}: checking part of a planned delivery would record every deliverable outside it as missing. Check the whole delivery with `signoff check {root}`, or check just these files against a profile with `signoff check --spec PROFILE {given}`")]
    Subfolder {
        /// The folder given.
        given: String,
        /// The plan's delivery root.
        root: String,
        /// The plan file.
        plan: String,
    },
    /// The folder to check does not exist.
    #[error("{} does not exist", .0.display())]
    NoSuchFolder(PathBuf),
    /// No plan was found.
    #[error("no {PLAN_FILE} in {start} or any parent folder; write one with `signoff plan init {start}` or pass --plan FILE")]
    NotFound {
        /// Where the search started.
        start: PathBuf,
    },
}

fn render(problems: &[LintProblem]) -> String {
    let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
    lines.join("\n")
}

/// A plan read and checked.
#[derive(Debug, Clone)]
pub struct LoadedPlan {
    /// The plan file.
    pub path: PathBuf,
    /// SHA-256 of the plan text (recorded with every run).
    pub digest: String,
    /// The plan.
    pub plan: Plan,
    /// The delivery root: the plan's folder joined with `project.root`.
    pub root: PathBuf,
}

/// The nearest `signoff.toml` in `start` (a folder or file) or its parents.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(start).ok()?;
    let first = if abs.is_dir() {
        abs.as_path()
    } else {
        abs.parent()?
    };
    first
        .ancestors()
        .map(|d| d.join(PLAN_FILE))
        .find(|p| p.is_file())
}

/// Discovers the plan from `start` unless `explicit` names one.
pub fn locate(explicit: Option<&Path>, start: &Path) -> Result<PathBuf, PlanError> {
    if std::fs::symlink_metadata(start).is_err() {
        return Err(PlanError::NoSuchFolder(start.to_path_buf()));
    }
    match explicit {
        Some(p) => Ok(p.to_path_buf()),
        None => discover(start).ok_or_else(|| PlanError::NotFound {
            start: start.to_path_buf(),
        }),
    }
}

/// Reads, lints and parses the plan at `path`.
pub fn load(path: &Path, registry: &Registry) -> Result<LoadedPlan, PlanError> {
    let text = std::fs::read_to_string(path).map_err(|source| PlanError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let problems = lint_text(&text, &path.display().to_string(), registry);
    let plan = match toml::from_str::<Plan>(&text) {
        Ok(plan) if problems.is_empty() => plan,
        _ => {
            return Err(PlanError::Invalid {
                path: path.to_path_buf(),
                problems,
            })
        }
    };
    let folder = path.parent().unwrap_or(Path::new("."));
    let root = folder.join(plan.project.root.as_deref().unwrap_or("."));
    Ok(LoadedPlan {
        path: path.to_path_buf(),
        digest: sha256_reader(&mut text.as_bytes()).unwrap_or_default(),
        plan,
        root,
    })
}

impl LoadedPlan {
    /// Makes `given` the delivery root, unless it is a folder strictly inside
    /// the plan's own root (a partial run is refused with a hint, never
    /// recorded as a board).
    pub fn set_root(&mut self, given: &Path) -> Result<(), PlanError> {
        let (Ok(own), Ok(new)) = (
            std::fs::canonicalize(&self.root),
            std::fs::canonicalize(given),
        ) else {
            self.root = given.to_path_buf();
            return Ok(());
        };
        if new != own && new.starts_with(&own) {
            let shown = |p: &Path| crate::escape::terminal(&p.display().to_string()).into_owned();
            return Err(PlanError::Subfolder {
                given: shown(given),
                root: shown(&self.root),
                plan: shown(&self.path),
            });
        }
        self.root = given.to_path_buf();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovers_in_parents_and_rejects_bad_plans() {
        let tmp = tempfile::tempdir().unwrap();
        let deep = tmp.path().join("a/b");
        std::fs::create_dir_all(&deep).unwrap();
        assert!(discover(&deep).is_none());
        std::fs::write(tmp.path().join(PLAN_FILE), "[project]\ntitle = \"F\"\n").unwrap();
        let found = discover(&deep).unwrap();
        assert!(found.ends_with(PLAN_FILE));
        let reg = Registry::builtin().unwrap();
        let loaded = load(&found, &reg).unwrap();
        assert_eq!(loaded.plan.project.title, "F");
        assert_eq!(loaded.digest.len(), 64);
        std::fs::write(&found, "[project]\ntitl = \"F\"\n").unwrap();
        let err = load(&found, &reg).unwrap_err().to_string();
        assert!(err.contains(":2:1: unknown key `titl`"), "{err}");
    }
}
