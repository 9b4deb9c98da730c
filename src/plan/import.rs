//! `signoff plan import`: deliverables from a distributor's delivery
//! schedule exported from a spreadsheet as CSV. Which column holds what is
//! configurable; the defaults fit the common `item, description, spec, due,
//! owner` layout.

use super::model::{format_date, parse_date, Deliverable};
use std::collections::BTreeMap;
use std::io::Read;

/// Which CSV column (by header name, case-insensitive) feeds which field.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnMapping {
    /// Field name (`id`, `title`, `spec`, `due`, `owner`, `language`,
    /// `territory`, `notes`, `patterns`, `count`) → column header.
    pub columns: BTreeMap<String, String>,
}

/// The fields a column can feed.
pub const FIELDS: [&str; 10] = [
    "id",
    "title",
    "spec",
    "due",
    "owner",
    "language",
    "territory",
    "notes",
    "patterns",
    "count",
];

impl Default for ColumnMapping {
    fn default() -> Self {
        let pairs = [
            ("id", "item"),
            ("title", "description"),
            ("spec", "spec"),
            ("due", "due"),
            ("owner", "owner"),
            ("language", "language"),
            ("territory", "territory"),
            ("notes", "notes"),
            ("patterns", "patterns"),
            ("count", "count"),
        ];
        ColumnMapping {
            columns: pairs
                .iter()
                .map(|(f, c)| (f.to_string(), c.to_string()))
                .collect(),
        }
    }
}

/// Errors importing a schedule.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The CSV could not be read.
    #[error("failed to read the schedule")]
    Csv(#[from] csv::Error),
    /// A mapping names an unknown field.
    #[error("unknown field `{field}` in --map; fields are: {}", FIELDS.join(", "))]
    UnknownField {
        /// The field named.
        field: String,
    },
    /// The id column is not in the header.
    #[error("no column `{column}` for the deliverable id; the header has: {header}; use --map id=COLUMN")]
    NoIdColumn {
        /// The column looked for.
        column: String,
        /// The header as read.
        header: String,
    },
    /// A value could not be read.
    #[error("row {row}: {message}")]
    Value {
        /// 1-based data row (the header is row 1).
        row: usize,
        /// What is wrong.
        message: String,
    },
}

impl ColumnMapping {
    /// Applies `field=column` overrides.
    pub fn with_overrides(mut self, overrides: &[(String, String)]) -> Result<Self, ImportError> {
        for (field, column) in overrides {
            if !FIELDS.contains(&field.as_str()) {
                return Err(ImportError::UnknownField {
                    field: field.clone(),
                });
            }
            self.columns.insert(field.clone(), column.clone());
        }
        Ok(self)
    }
}

/// Reads the schedule into deliverables, one per non-empty row.
pub fn import_csv(
    reader: impl Read,
    mapping: &ColumnMapping,
) -> Result<Vec<Deliverable>, ImportError> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let header: Vec<String> = rdr.headers()?.iter().map(|h| h.to_lowercase()).collect();
    let index: BTreeMap<&str, usize> = mapping
        .columns
        .iter()
        .filter_map(|(f, c)| {
            header
                .iter()
                .position(|h| *h == c.to_lowercase())
                .map(|i| (f.as_str(), i))
        })
        .collect();
    if !index.contains_key("id") {
        return Err(ImportError::NoIdColumn {
            column: mapping.columns["id"].clone(),
            header: header.join(", "),
        });
    }
    let mut out = Vec::new();
    for (n, record) in rdr.records().enumerate() {
        let record = record?;
        let get = |f: &str| {
            index
                .get(f)
                .and_then(|&i| record.get(i))
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        if get("id").is_none() {
            continue;
        }
        out.push(row(&get, n + 2)?);
    }
    Ok(out)
}

fn row(get: &dyn Fn(&str) -> Option<String>, row: usize) -> Result<Deliverable, ImportError> {
    let item = get("id").unwrap_or_default();
    let spec = get("spec");
    let due = match get("due") {
        Some(d) => Some(normalise_date(&d).map_err(|message| ImportError::Value { row, message })?),
        None => None,
    };
    let count = match get("count") {
        Some(c) => c.parse().map_err(|_| ImportError::Value {
            row,
            message: format!("count `{c}` is not a whole number"),
        })?,
        None => 1,
    };
    let notes = match (spec.as_deref(), get("notes")) {
        (Some(s), Some(n)) => Some(format!("{n} (spec: {s})")),
        (Some(s), None) => Some(format!("spec: {s}")),
        (None, n) => n,
    };
    Ok(Deliverable {
        id: slug(&item),
        title: get("title").unwrap_or_else(|| item.clone()),
        profiles: spec.as_deref().map(guess_profiles).unwrap_or_default(),
        patterns: get("patterns")
            .map(|p| p.split(';').map(|s| s.trim().to_string()).collect())
            .unwrap_or_default(),
        count,
        language: get("language"),
        territory: get("territory"),
        due,
        owner: get("owner"),
        notes,
        sidecars: Vec::new(),
        pse_certificate: None,
        captions_for: None,
        manifest: None,
    })
}

/// `YYYY-MM-DD`, or `DD/MM/YYYY` as European spreadsheets export it.
fn normalise_date(s: &str) -> Result<String, String> {
    if let Ok(d) = parse_date(s) {
        return Ok(format_date(d));
    }
    let parts: Vec<&str> = s.split(['/', '.']).collect();
    if let [d, m, y] = parts.as_slice() {
        if let Ok(date) = parse_date(&format!("{y}-{m:0>2}-{d:0>2}")) {
            return Ok(format_date(date));
        }
    }
    Err(format!(
        "due date `{s}` is neither YYYY-MM-DD nor DD/MM/YYYY"
    ))
}

fn slug(item: &str) -> String {
    item.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// Profile ids suggested by a free-text spec ("ProRes 422 HQ …", "-24 LUFS").
fn guess_profiles(spec: &str) -> Vec<String> {
    let s = spec.to_lowercase();
    let mut out = Vec::new();
    if s.contains("prores") {
        out.push("netflix-prores-hq");
    }
    if s.contains("h.264") || s.contains("h264") || s.contains("mp4") {
        out.push("youtube-upload");
    }
    if s.contains("-24 lufs") || s.contains("-24 lkfs") {
        out.push("atsc-a85");
    } else if s.contains("lufs") || s.contains("r128") || s.contains("r 128") {
        out.push("ebu-r128");
    }
    out.into_iter().map(String::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "item,description,spec,due,owner\nFTR-PIC-01,Feature,\"ProRes 422 HQ, TC 01:00:00:00\",2024-03-01,Post\nAUD-PM-51,5.1 printmaster,\"WAV, -24 LUFS +/-2\",20/02/2024,Mixer\n,,,,\n";

    #[test]
    fn default_mapping() {
        let d = import_csv(CSV.as_bytes(), &ColumnMapping::default()).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].id, "ftr-pic-01");
        assert_eq!(d[0].profiles, ["netflix-prores-hq"]);
        assert_eq!(
            d[0].notes.as_deref(),
            Some("spec: ProRes 422 HQ, TC 01:00:00:00")
        );
        assert_eq!(d[1].due.as_deref(), Some("2024-02-20"));
        assert_eq!(d[1].profiles, ["atsc-a85"]);
        assert_eq!(d[1].owner.as_deref(), Some("Mixer"));
    }

    #[test]
    fn custom_mapping_and_errors() {
        let csv = "Ref,Name,Deadline\nA1,Trailer,2025-01-31\n";
        let map = ColumnMapping::default()
            .with_overrides(&[
                ("id".into(), "Ref".into()),
                ("title".into(), "name".into()),
                ("due".into(), "deadline".into()),
            ])
            .unwrap();
        let d = import_csv(csv.as_bytes(), &map).unwrap();
        assert_eq!((d[0].id.as_str(), d[0].title.as_str()), ("a1", "Trailer"));
        let err = import_csv(csv.as_bytes(), &ColumnMapping::default()).unwrap_err();
        assert!(err.to_string().contains("no column `item`"), "{err}");
        let bad = "item,due\nX,next week\n";
        let err = import_csv(bad.as_bytes(), &ColumnMapping::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "row 2: due date `next week` is neither YYYY-MM-DD nor DD/MM/YYYY"
        );
        assert!(ColumnMapping::default()
            .with_overrides(&[("colour".into(), "x".into())])
            .is_err());
    }
}
