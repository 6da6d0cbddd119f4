//! `--format github`: GitHub Actions workflow commands. One annotation per highlight (warnings as
//! `::warning`, the rest as `::notice`), one notice per changed resource listing the changed
//! paths, each placed on the resource's file and line when known, and a closing summary notice.

use std::fmt::Write as _;

use super::{escape_data as data, escape_property as property};
use crate::report::DiffOptions;
use crate::report::values::{label_churn_line, summary_line};
use kdiff::{DiffReport, Severity};

/// Changed paths listed per resource annotation.
const MAX_PATHS: usize = 10;

pub fn render(report: &DiffReport<'_>, opts: &DiffOptions) -> String {
    let mut out = String::new();
    for h in &report.highlights {
        let command = match h.severity {
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = Vec::new();
        if let Some(origin) = &h.origin {
            props.push(format!("file={}", property(&origin.file)));
            if let Some(line) = origin.line {
                props.push(format!("line={line}"));
            }
        }
        let title = match &h.resource {
            Some(r) => format!("{} {r}", h.category.as_str()),
            None => h.category.as_str().to_string(),
        };
        props.push(format!("title={}", property(&title)));
        let mut message = h.message.clone();
        for d in &h.details {
            message.push('\n');
            message.push_str(d);
        }
        let _ = writeln!(out, "::{command} {}::{}", props.join(","), data(&message));
    }
    for d in &report.resources {
        let Some(r) = d.new.or(d.old) else { continue };
        let mut props = vec![format!("file={}", property(&r.origin.file))];
        if let Some(line) = r.origin.line {
            props.push(format!("line={line}"));
        }
        props.push(format!(
            "title={}",
            property(&format!("{} {}", d.status.as_str(), d.key()))
        ));
        let mut message = match d.changes.len() {
            0 => format!("{} {}", d.key(), d.status.as_str()),
            1 => "1 change:".to_string(),
            n => format!("{n} changes:"),
        };
        for c in d.changes.iter().take(MAX_PATHS) {
            message.push('\n');
            message.push_str(&c.path.to_string());
        }
        if d.changes.len() > MAX_PATHS {
            message.push_str(&format!("\n... and {} more", d.changes.len() - MAX_PATHS));
        }
        let _ = writeln!(out, "::notice {}::{}", props.join(","), data(&message));
    }
    if let Some(line) = label_churn_line(report, |l| format!("`{l}`")) {
        let _ = writeln!(out, "::notice title=label churn::{}", data(&line));
    }
    let _ = writeln!(
        out,
        "::notice title=vendor diff::{}",
        data(&format!(
            "{} -> {}: {}",
            opts.old_label,
            opts.new_label,
            summary_line(report)
        ))
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_workflow_command_values() {
        assert_eq!(data("50%\nnext"), "50%25%0Anext");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
