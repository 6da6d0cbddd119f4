//! `--format github`: GitHub Actions workflow commands. One annotation per highlight (warnings as
//! `::warning`, the rest as `::notice`), placed on the resource's file and line when known, and a
//! closing notice with the summary.

use std::fmt::Write as _;

use super::{RenderOptions, summary_line};
use crate::diff::{DiffReport, Severity};

pub fn render(report: &DiffReport<'_>, opts: &RenderOptions) -> String {
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
    let _ = writeln!(
        out,
        "::notice title=vendor diff::{}",
        data(&format!("{} -> {}: {}", opts.old_label, opts.new_label, summary_line(report)))
    );
    out
}

/// Escapes the message part of a workflow command.
fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value of a workflow command.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
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
