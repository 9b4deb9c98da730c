//! The plan file's types (serde, unknown keys rejected). Dates are kept as
//! the `YYYY-MM-DD` text written in the file; [`parse_date`] reads them.

use serde::{Deserialize, Serialize};
use time::Date;

/// A whole plan: the project and its deliverables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// The production.
    pub project: Project,
    /// Every item the delivery must contain.
    #[serde(default, rename = "deliverable")]
    pub deliverables: Vec<Deliverable>,
}

/// The production the delivery is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// Title of the production.
    pub title: String,
    /// Who commissioned it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// Who receives the delivery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distributor: Option<String>,
    /// Overall due date, `YYYY-MM-DD`; deliverables without their own inherit it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    /// The delivery root relative to the plan file's folder (default `.`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
    /// A manifest the whole delivery must carry (`"ascmhl"`: sealed with `signoff seal`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<Manifest>,
    /// The company named on the reports' letterhead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// The reports' logo: an image file (PNG, JPEG, GIF, WebP, at most
    /// 512 KiB) relative to the plan file's folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<String>,
    /// The ledger: a SQLite file relative to the plan file's folder, or a
    /// `postgres://` URL (a facility's shared ledger); `--ledger` and
    /// `SIGNOFF_LEDGER` override it. Default: `signoff.ledger.sqlite` beside the plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger: Option<String>,
}

/// A delivery manifest a plan can require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Manifest {
    /// An ASC MHL v2.0 history in `ROOT/ascmhl/` (`signoff seal`).
    Ascmhl,
}

impl Manifest {
    /// The value as written in the plan.
    pub fn name(self) -> &'static str {
        match self {
            Manifest::Ascmhl => "ascmhl",
        }
    }
}

/// One item of the delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Deliverable {
    /// Stable identifier, used with `signoff approve` (`feature-master`).
    pub id: String,
    /// Human title.
    pub title: String,
    /// Spec profile ids every media file of this item is checked against.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<String>,
    /// Globs relative to the delivery root (`picture/*_FTR_*.mov`).
    #[serde(default)]
    pub patterns: Vec<String>,
    /// Number of files expected (default 1).
    #[serde(default = "one")]
    pub count: usize,
    /// Language (BCP 47, `en`, `fr-CA`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Territory (`US`, `worldwide`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub territory: Option<String>,
    /// Due date, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    /// Who delivers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Globs of files that must accompany this item (captions per language…);
    /// each must match at least one file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sidecars: Vec<String>,
    /// An external PSE test certificate (Harding FPA or equivalent) for this
    /// item, a path relative to the delivery root; signoff's own PSE check
    /// is screening, not a certified test, so the board shows which it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pse_certificate: Option<String>,
    /// For a caption or subtitle deliverable: the id of the picture
    /// deliverable it captions (its master), against which the caption
    /// rules check duration, frame rate, start timecode and shot changes.
    /// Without it the master is inferred (docs/plan.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captions_for: Option<String>,
    /// A manifest this item must be sealed in (`"ascmhl"`); the project's applies when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<Manifest>,
}

fn one() -> usize {
    1
}

/// The keys allowed at the top, in `[project]` and in `[[deliverable]]`.
pub const TOP_KEYS: [&str; 2] = ["project", "deliverable"];
/// Keys of `[project]`.
pub const PROJECT_KEYS: [&str; 9] = [
    "title",
    "client",
    "distributor",
    "due",
    "root",
    "manifest",
    "company",
    "logo",
    "ledger",
];
/// Keys of `[[deliverable]]`.
pub const DELIVERABLE_KEYS: [&str; 14] = [
    "id",
    "title",
    "profiles",
    "patterns",
    "count",
    "language",
    "territory",
    "due",
    "owner",
    "notes",
    "sidecars",
    "pse_certificate",
    "captions_for",
    "manifest",
];

/// Reads a `YYYY-MM-DD` date.
pub fn parse_date(s: &str) -> Result<Date, String> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s, fmt).map_err(|e| format!("`{s}` is not a date (YYYY-MM-DD): {e}"))
}

/// Writes a date as `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    d.format(fmt).unwrap_or_default()
}

impl Plan {
    /// The manifest `d` must be sealed in: its own, else the project's.
    pub fn manifest_of(&self, d: &Deliverable) -> Option<Manifest> {
        d.manifest.or(self.project.manifest)
    }

    /// The deliverable with this id.
    pub fn deliverable(&self, id: &str) -> Option<&Deliverable> {
        self.deliverables.iter().find(|d| d.id == id)
    }

    /// A deliverable's due date: its own, else the project's.
    pub fn due_of(&self, d: &Deliverable) -> Option<Date> {
        d.due
            .as_deref()
            .or(self.project.due.as_deref())
            .and_then(|s| parse_date(s).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_reject_nonsense() {
        let d = parse_date("2025-02-28").unwrap();
        assert_eq!(format_date(d), "2025-02-28");
        assert!(parse_date("2025-02-30").is_err());
        assert!(parse_date("28/02/2025").is_err());
    }

    #[test]
    fn count_defaults_to_one_and_unknown_keys_fail() {
        let p: Plan = toml::from_str(
            "[project]\ntitle = \"T\"\n[[deliverable]]\nid = \"a\"\ntitle = \"A\"\n",
        )
        .unwrap();
        assert_eq!(p.deliverables[0].count, 1);
        assert!(toml::from_str::<Plan>("[project]\ntitle = \"T\"\nfoo = 1\n").is_err());
    }
}
