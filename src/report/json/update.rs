//! The machine-readable report of `vendor update` (schema in docs/update-report.md).

use serde_json::{Value as Json, json};

use crate::diag::Finding;
use crate::report::model::UpdateReport;
use crate::report::model::update::title;

/// Version of the JSON schema (docs/update-report.md). Fields are only added; a breaking
/// change bumps it.
pub const SCHEMA_VERSION: u32 = 1;

fn finding_json(f: &Finding) -> Json {
    json!({
        "code": f.code.as_str(),
        "level": f.level.as_str(),
        "file": f.file,
        "line": f.pos.map(|p| p.line),
        "column": f.pos.map(|p| p.column),
        "resource": f.resource,
        "container": f.container,
        "message": f.message,
        "help": f.help,
    })
}

/// The machine-readable report (docs/update-report.md).
pub fn render(report: &UpdateReport) -> String {
    let entries: Vec<Json> = report
        .entries
        .iter()
        .map(|e| {
            json!({
                "name": e.name,
                "kind": e.kind,
                "from": e.from,
                "to": e.to,
                "updated": e.updated,
                "track": e.track,
                "previous_track": e.previous_track,
                "reason": e.reason,
                "release_notes": e.release_notes,
                "notes": e.notes.as_ref().map(|n| json!({
                    "source": n.source,
                    "versions": n.versions.iter().map(|v| json!({
                        "version": v.version,
                        "url": v.url,
                        "text": v.text,
                    })).collect::<Vec<_>>(),
                    "links": n.links.iter().map(|(what, url)| json!({"what": what, "url": url})).collect::<Vec<_>>(),
                })),
                "note": e.note,
                "files": e.files,
                "overlay": e.overlay,
                "patches": e.patches.iter().map(|p| json!({
                    "patch": p.patch.label,
                    "file": p.patch.file,
                    "field": p.patch.field,
                    "line": p.patch.line,
                    "status": p.status.as_str(),
                    "findings": p.findings.iter().map(finding_json).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
                "new_findings": e.new_findings.iter().map(finding_json).collect::<Vec<_>>(),
                "diff": e.diff.as_ref().map(|d| d.json.clone()),
            })
        })
        .collect();
    let value = json!({
        "schema_version": SCHEMA_VERSION,
        "title": title(report),
        "dry_run": report.dry_run,
        "nothing_to_update": report.nothing_to_update(),
        "needs_attention": report.needs_attention(),
        "entries": entries,
    });
    let mut text = serde_json::to_string_pretty(&value).expect("JSON values serialize");
    text.push('\n');
    crate::report::text::json_safe(text)
}
