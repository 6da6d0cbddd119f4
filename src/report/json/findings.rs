//! The JSON format (`--format json`), a stable, documented schema:
//!
//! ```json
//! { "version": 1,
//!   "entries": [{"name": "argocd", "description": "manifest v2.14.21"}],
//!   "findings": [{"code": "image-latest", "level": "error", "entry": "argocd",
//!                 "file": "upstream/argocd/install.yaml", "line": 12, "column": 16,
//!                 "resource": "Deployment/argocd/argocd-server", "container": "server",
//!                 "message": "...", "help": "..."}],
//!   "summary": {"entries": 1, "errors": 1, "warnings": 0} }
//! ```
//! `level` is `error` or `warning`; `entry`, `file`, `line`, `column`, `resource`, `container` and `help` are
//! `null` when they do not apply.

use serde_json::{Value, json};

use crate::diag::Level;
use crate::report::model::CheckReport;

pub fn render(report: &CheckReport) -> String {
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            json!({
                "code": f.code.as_str(),
                "level": f.level.as_str(),
                "entry": f.entry,
                "file": f.file,
                "line": f.pos.map(|p| p.line),
                "column": f.pos.map(|p| p.column),
                "resource": f.resource,
                "container": f.container,
                "message": f.message,
                "help": f.help,
            })
        })
        .collect();
    let doc = json!({
        "version": 1,
        "entries": report.entries.iter().map(|(n, d)| json!({"name": n, "description": d})).collect::<Vec<_>>(),
        "findings": findings,
        "summary": {
            "entries": report.entries.len(),
            "errors": report.count(Level::Deny),
            "warnings": report.count(Level::Warn),
        },
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("JSON values always serialize");
    s.push('\n');
    crate::report::text::json_safe(s)
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_every_field() {
        let text = super::render(&crate::report::model::tests::sample());
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(v["summary"]["errors"], 2);
        let f = &v["findings"][2];
        assert_eq!(f["code"], "image-latest");
        assert_eq!(f["level"], "error");
        assert_eq!(f["line"], 12);
        assert_eq!(f["column"], 16);
        assert_eq!(f["resource"], "Deployment/metallb-system/controller");
        assert!(v["findings"][1]["line"].is_null());
    }
}
