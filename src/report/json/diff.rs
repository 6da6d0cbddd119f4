//! `--format json`: a stable, documented schema for tools.
//!
//! ```text
//! {
//!   "schema_version": 1,
//!   "old": "<label of the old side>", "new": "<label of the new side>",
//!   "summary": {"added": N, "removed": N, "modified": N, "renamed": N, "unchanged": N},
//!   "highlights": [{
//!     "category": "image-changed" | "image-added" | "image-removed" | "crd-version-added"
//!                 | "crd-version-removed" | "crd-served-changed" | "crd-storage-changed"
//!                 | "crd-field-added" | "crd-field-removed" | "crd-field-retyped"
//!                 | "crd-field-required" | "crd-enum-added" | "crd-enum-removed" | "rbac-widened" | "rbac-binding-added" | "pod-security"
//!                 | "webhook-added" | "webhook-changed" | "webhook-removed"
//!                 | "webhook-failure-policy" | "resource-removed" | "cluster-scoped-added" | "service-exposure"
//!                 | "api-deprecated" | "api-removed",
//!     "severity": "info" | "warning",
//!     "resource": "Kind/namespace/name" | "Kind/name" | null,
//!     "file": string | null, "line": number | null,
//!     "message": string,
//!     "old": string | null, "new": string | null,      // e.g. the two images, the two policies
//!     "details": [string]                              // locations, schema fields, grants, ...
//!   }],
//!   "resources": [{
//!     "status": "added" | "removed" | "modified" | "renamed",
//!     "group": string, "kind": string, "namespace": string, "name": string,
//!     "id": "Kind/namespace/name",
//!     "previous_id": string | null,                    // renamed (and group-moved) resources
//!     "api_version": {"old": string | null, "new": string | null},
//!     "old_file": string | null, "old_line": number | null,
//!     "new_file": string | null, "new_line": number | null,
//!     "similarity": number | null,                     // renames only, 0..1
//!     "changes": [{
//!       "op": "added" | "removed" | "changed",
//!       "path": "spec.template.spec.containers[name=controller].image",
//!       "segments": [string | number | {"key": string, "value": string}],
//!       "old": any | null, "new": any | null,            // absent side is null
//!       "text_diff": string | null                     // unified line diff of multi-line text
//!     }]
//!   }],
//!   "duplicates": ["Kind/namespace/name"],             // objects defined twice on one side
//!   "label_churn": {                                   // modified resources whose only changes
//!     "labels": [string],                              // are to `[diff] summarize-labels`: they
//!     "resources": ["Kind/namespace/name"]             // are in "resources" too, with their
//!   }                                                  // changes; other formats show one line
//! }
//! ```
//! Fields are only ever added to this schema; a breaking change bumps `schema_version`.
//! Resources are ordered by (group, kind, namespace, name); Secret values are masked unless
//! `--show-secrets`.

use serde_json::{Value as Json, json};

use crate::report::DiffOptions;
use kdiff::{Change, DiffReport, Highlight, ResourceDiff, Seg};

pub const SCHEMA_VERSION: u32 = 1;

pub fn render(report: &DiffReport<'_>, opts: &DiffOptions) -> String {
    let mut text =
        serde_json::to_string_pretty(&to_json(report, opts)).expect("JSON values serialize");
    text.push('\n');
    crate::report::text::json_safe(text)
}

/// The report as a JSON value (the schema in the module docs).
pub fn to_json(report: &DiffReport<'_>, opts: &DiffOptions) -> Json {
    let s = &report.summary;
    json!({
        "schema_version": SCHEMA_VERSION,
        "old": opts.old_label,
        "new": opts.new_label,
        "summary": {
            "added": s.added, "removed": s.removed, "modified": s.modified,
            "renamed": s.renamed, "unchanged": s.unchanged,
        },
        "highlights": report.highlights.iter().map(highlight).collect::<Vec<_>>(),
        "resources": all_resources(report).into_iter().map(resource).collect::<Vec<_>>(),
        "duplicates": report.duplicates.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "label_churn": {
            "labels": report.label_churn.labels,
            "resources": report.label_churn.resources.iter().map(|d| d.key().to_string()).collect::<Vec<_>>(),
        },
    })
}

/// Every changed resource, the summarised label-only ones included, in the diff's order.
fn all_resources<'r, 'a>(report: &'r DiffReport<'a>) -> Vec<&'r ResourceDiff<'a>> {
    let mut all: Vec<&ResourceDiff<'_>> = report
        .resources
        .iter()
        .chain(&report.label_churn.resources)
        .collect();
    all.sort_by(|a, b| a.key().cmp(b.key()).then(a.status.cmp(&b.status)));
    all
}

fn highlight(h: &Highlight) -> Json {
    json!({
        "category": h.category.as_str(),
        "severity": h.severity.as_str(),
        "resource": h.resource,
        "file": h.origin.as_ref().map(|o| &o.file),
        "line": h.origin.as_ref().and_then(|o| o.line),
        "message": h.message,
        "old": h.old,
        "new": h.new,
        "details": h.details,
    })
}

fn resource(d: &ResourceDiff<'_>) -> Json {
    let key = d.key();
    let previous = match (d.old, d.new) {
        (Some(o), Some(n)) if o.key != n.key => Some(o.key.to_string()),
        _ => None,
    };
    json!({
        "status": d.status.as_str(),
        "group": key.group,
        "kind": key.kind,
        "namespace": key.namespace,
        "name": key.name,
        "id": key.to_string(),
        "previous_id": previous,
        "api_version": {
            "old": d.old.map(|r| &r.api_version),
            "new": d.new.map(|r| &r.api_version),
        },
        "old_file": d.old.map(|r| &r.origin.file),
        "old_line": d.old.and_then(|r| r.origin.line),
        "new_file": d.new.map(|r| &r.origin.file),
        "new_line": d.new.and_then(|r| r.origin.line),
        "similarity": d.similarity,
        "changes": d.changes.iter().map(change).collect::<Vec<_>>(),
    })
}

fn change(c: &Change) -> Json {
    let segments: Vec<Json> = c
        .path
        .segments()
        .iter()
        .map(|s| match s {
            Seg::Key(k) => json!(k),
            Seg::Index(i) => json!(i),
            Seg::Keyed { key, value } => json!({"key": key, "value": value}),
        })
        .collect();
    json!({
        "op": c.op(),
        "path": c.path.to_string(),
        "segments": segments,
        "old": c.old().map(Json::from),
        "new": c.new_value().map(Json::from),
        "text_diff": c.text_diff,
    })
}
