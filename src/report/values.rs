//! How diff values and resources are written in text, shared by the diff printers of every
//! format: scalars on one line, values as YAML lines, API version moves, locations, the summary.

use kdiff::{DiffReport, ResourceDiff};
use kyaml::Value;

/// A scalar on one line (strings unquoted unless empty or padded), or `None` for maps and lists.
pub(crate) fn inline(v: &Value) -> Option<String> {
    Some(match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::String(s) if s.is_empty() || s.trim() != s || s.contains('\n') => format!("{s:?}"),
        Value::String(s) => s.clone().into(),
        Value::Map(m) if m.is_empty() => "{}".into(),
        Value::Seq(s) if s.is_empty() => "[]".into(),
        Value::Map(_) | Value::Seq(_) => return None,
    })
}

/// The lines a value is shown as: one line for scalars, YAML for maps and lists, the text itself
/// for multi-line strings.
pub(crate) fn value_lines(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) if s.contains('\n') => s.lines().map(str::to_string).collect(),
        _ => match inline(v) {
            Some(line) => vec![line],
            None => kyaml::to_string(v).lines().map(str::to_string).collect(),
        },
    }
}

/// `apps/v1 -> apps/v2` when the API version changed, else the one version.
pub(crate) fn api_versions(d: &ResourceDiff<'_>) -> String {
    match (d.old, d.new) {
        (Some(o), Some(n)) if o.api_version != n.api_version => {
            format!("{} -> {}", o.api_version, n.api_version)
        }
        (_, Some(r)) | (Some(r), None) => r.api_version.clone(),
        (None, None) => String::new(),
    }
}

/// `file:line` of the side a resource diff is best located by (new side first).
pub(crate) fn location(d: &ResourceDiff<'_>) -> Option<String> {
    let r = d.new.or(d.old)?;
    Some(match r.origin.line {
        Some(line) => format!("{}:{line}", r.origin.file),
        None => r.origin.file.clone(),
    })
}

/// `1 modified, 2 added, ...` (zero counts left out), or `no differences`.
pub(crate) fn summary_line(report: &DiffReport<'_>) -> String {
    let s = &report.summary;
    let parts: Vec<String> = [
        (s.modified, "modified"),
        (s.added, "added"),
        (s.removed, "removed"),
        (s.renamed, "renamed"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if parts.is_empty() {
        format!("no differences ({} resources unchanged)", s.unchanged)
    } else {
        format!("{} ({} unchanged)", parts.join(", "), s.unchanged)
    }
}

/// One line for the resources whose only changes are summarised labels (`[diff]
/// summarize-labels`), or `None` when there are none. `code` writes a label key (escaped for
/// the format) as code.
pub(crate) fn label_churn_line(
    report: &DiffReport<'_>,
    code: impl Fn(&str) -> String,
) -> Option<String> {
    let churn = &report.label_churn;
    if churn.is_empty() {
        return None;
    }
    let n = churn.resources.len();
    let labels: Vec<String> = churn.labels.iter().map(|l| code(l)).collect();
    Some(format!(
        "{n} more resource{} changed only {} label{} {} (not listed one by one: `[diff] summarize-labels`)",
        if n == 1 { "" } else { "s" },
        if n == 1 { "its" } else { "their" },
        if churn.labels.len() == 1 { "" } else { "s" },
        labels.join(", ")
    ))
}
