//! SARIF 2.1.0 (`--format sarif`), for code-scanning dashboards. Finding codes are the rule ids.

use serde_json::{Value, json};

use crate::diag::{Code, Level};
use crate::report::model::CheckReport;

pub fn render(report: &CheckReport) -> String {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "shortDescription": {"text": c.description()},
                "defaultConfiguration": {"level": sarif_level(c.default_level())},
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut text = f.message.clone();
            if let Some(r) = &f.resource {
                match &f.container {
                    Some(c) => text.push_str(&format!(" [{r}, container {c}]")),
                    None => text.push_str(&format!(" [{r}]")),
                }
            }
            if let Some(h) = &f.help {
                text.push_str(&format!(" (help: {h})"));
            }
            let mut result = json!({
                "ruleId": f.code.as_str(),
                "ruleIndex": Code::ALL.iter().position(|c| *c == f.code),
                "level": sarif_level(f.level),
                "message": {"text": text},
            });
            if let Some(file) = &f.file {
                let mut physical = json!({"artifactLocation": {"uri": file}});
                if let Some(p) = f.pos {
                    physical["region"] = json!({"startLine": p.line, "startColumn": p.column});
                }
                result["locations"] = json!([{"physicalLocation": physical}]);
            }
            result
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "vendor",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("JSON values always serialize");
    s.push('\n');
    crate::report::text::json_safe(s)
}

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Deny => "error",
        Level::Warn => "warning",
        Level::Allow => "note",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_rules_and_results() {
        let text = super::render(&crate::report::model::tests::sample());
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        assert!(run["tool"]["driver"]["rules"].as_array().unwrap().len() > 10);
        let r = &run["results"][2];
        assert_eq!(r["ruleId"], "image-latest");
        assert_eq!(
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            12
        );
        assert!(run["results"][1]["locations"][0]["physicalLocation"]["region"].is_null());
    }
}
