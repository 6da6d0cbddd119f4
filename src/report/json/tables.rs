//! The table-shaped outputs as JSON: `outdated` rows, `images` rows and `sync` outcomes.

use serde_json::json;

use crate::report::model::{ImagesReport, OutdatedRow, SyncReport};

fn pretty(value: &serde_json::Value) -> String {
    let mut t = serde_json::to_string_pretty(value).expect("JSON values serialize");
    t.push('\n');
    crate::report::text::json_safe(t)
}

/// The `outdated` rows as an array of objects.
pub fn outdated(rows: &[OutdatedRow]) -> String {
    pretty(&serde_json::to_value(rows).expect("rows serialize"))
}

/// Every image reference with where it is and its violations.
pub fn images(report: &ImagesReport) -> String {
    let list: Vec<serde_json::Value> = report
        .rows
        .iter()
        .map(|(entry, s)| {
            json!({
                "entry": entry,
                "image": s.image,
                "file": s.file,
                "line": s.pos.map(|p| p.line),
                "column": s.pos.map(|p| p.column),
                "resource": s.resource,
                "container": s.container,
                "violations": s.violations.iter().map(|v| json!({"code": v.code.as_str(), "message": v.message})).collect::<Vec<_>>(),
            })
        })
        .collect();
    pretty(&serde_json::Value::Array(list))
}

/// What sync did per entry.
pub fn sync(report: &SyncReport) -> String {
    pretty(&serde_json::to_value(report).expect("the sync report serializes"))
}
