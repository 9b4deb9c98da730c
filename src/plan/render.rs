//! Writing a plan back as TOML people edit: `[project]`, then one
//! `[[deliverable]]` table per item, keys in a fixed order.

use super::model::{Deliverable, Plan};
use std::fmt::Write;

/// A TOML string literal (escaped as TOML requires).
fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", quoted.join(", "))
}

fn opt(out: &mut String, key: &str, value: &Option<String>) {
    if let Some(v) = value {
        let _ = writeln!(out, "{key} = {}", quote(v));
    }
}

/// The plan as TOML, with `header` comment lines first.
pub fn to_toml(plan: &Plan, header: &[&str]) -> String {
    let mut out = String::new();
    for h in header {
        let _ = writeln!(out, "# {h}");
    }
    let p = &plan.project;
    out.push_str("[project]\n");
    let _ = writeln!(out, "title = {}", quote(&p.title));
    opt(&mut out, "client", &p.client);
    opt(&mut out, "distributor", &p.distributor);
    opt(&mut out, "due", &p.due);
    opt(&mut out, "root", &p.root);
    opt(&mut out, "company", &p.company);
    opt(&mut out, "logo", &p.logo);
    opt(&mut out, "ledger", &p.ledger);
    if let Some(m) = p.manifest {
        let _ = writeln!(out, "manifest = {}", quote(m.name()));
    }
    for d in &plan.deliverables {
        out.push('\n');
        deliverable(&mut out, d);
    }
    out
}

fn deliverable(out: &mut String, d: &Deliverable) {
    out.push_str("[[deliverable]]\n");
    let _ = writeln!(out, "id = {}", quote(&d.id));
    let _ = writeln!(out, "title = {}", quote(&d.title));
    let _ = writeln!(out, "profiles = {}", list(&d.profiles));
    let _ = writeln!(out, "patterns = {}", list(&d.patterns));
    let _ = writeln!(out, "count = {}", d.count);
    opt(out, "language", &d.language);
    opt(out, "territory", &d.territory);
    opt(out, "due", &d.due);
    opt(out, "owner", &d.owner);
    opt(out, "notes", &d.notes);
    if !d.sidecars.is_empty() {
        let _ = writeln!(out, "sidecars = {}", list(&d.sidecars));
    }
    opt(out, "pse_certificate", &d.pse_certificate);
    opt(out, "captions_for", &d.captions_for);
    if let Some(m) = d.manifest {
        let _ = writeln!(out, "manifest = {}", quote(m.name()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::model::Project;

    #[test]
    fn round_trips() {
        let plan = Plan {
            project: Project {
                title: "Film \"X\"".into(),
                due: Some("2025-03-01".into()),
                ..Default::default()
            },
            deliverables: vec![Deliverable {
                id: "a".into(),
                title: "A".into(),
                patterns: vec!["audio/*.wav".into()],
                count: 2,
                notes: Some("line\nbreak".into()),
                ..Default::default()
            }],
        };
        let text = to_toml(&plan, &["hello"]);
        assert!(text.starts_with("# hello\n[project]\n"));
        assert_eq!(toml::from_str::<Plan>(&text).unwrap(), plan);
    }
}
