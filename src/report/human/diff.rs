//! Human-readable diff for terminals: a summary line, the highlights, then per resource the
//! field paths with old (`-`) and new (`+`) values, in the spirit of dyff's between output.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};

use crate::report::DiffOptions;
use crate::report::text::{inline as t, line as text_line, neutralise_commands};
use crate::report::values::{api_versions, label_churn_line, location, summary_line, value_lines};
use kdiff::{ChangeKind, DiffReport, ResourceDiff, Severity, Status};

struct Painter {
    color: bool,
}

impl Painter {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }
}

const RED: Style = AnsiColor::Red.on_default();
const GREEN: Style = AnsiColor::Green.on_default();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const CYAN: Style = AnsiColor::Cyan.on_default();
const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

pub fn render(report: &DiffReport<'_>, opts: &DiffOptions) -> String {
    let p = Painter { color: opts.color };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} -> {}: {}",
        p.paint(BOLD, "vendor diff"),
        t(&opts.old_label),
        t(&opts.new_label),
        summary_line(report)
    );
    for key in &report.duplicates {
        let _ = writeln!(
            out,
            "{} {} appears more than once; only the first is compared",
            p.paint(YELLOW, "note:"),
            t(&key.to_string())
        );
    }
    if !report.highlights.is_empty() {
        let _ = writeln!(out, "\n{}", p.paint(BOLD, "Highlights"));
        for h in &report.highlights {
            let (mark, style) = match h.severity {
                Severity::Warning => ("!", YELLOW),
                Severity::Info => ("*", CYAN),
            };
            let resource = h
                .resource
                .as_deref()
                .map(|r| format!(" {}:", t(r)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {} {}{resource} {}",
                p.paint(style, mark),
                p.paint(style, &format!("[{}]", h.category.as_str())),
                t(&h.message)
            );
            for d in &h.details {
                let _ = writeln!(out, "      {}", t(d));
            }
        }
    }
    if !report.resources.is_empty() {
        let _ = writeln!(out, "\n{}", p.paint(BOLD, "Changes"));
    }
    for d in &report.resources {
        resource(&mut out, &p, d);
    }
    if let Some(line) = label_churn_line(report, |l| format!("`{}`", t(l))) {
        let _ = writeln!(out, "\n{} {line}", p.paint(DIM, "~"));
    }
    neutralise_commands(out)
}

fn resource(out: &mut String, p: &Painter, d: &ResourceDiff<'_>) {
    let (mark, style) = match d.status {
        Status::Added => ("+", GREEN),
        Status::Removed => ("-", RED),
        Status::Modified => ("~", YELLOW),
        Status::Renamed => (">", YELLOW),
    };
    let title = match (d.status, d.old) {
        (Status::Renamed, Some(o)) => format!("{} (renamed from {})", d.key(), o.key),
        _ => d.key().to_string(),
    };
    let title = t(&title);
    let place = location(d)
        .map(|l| format!(", {}", t(&l)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "\n{} {}  {}",
        p.paint(style, mark),
        p.paint(BOLD, &title),
        p.paint(
            DIM,
            &format!("({}, {}{place})", t(&api_versions(d)), d.status.as_str())
        )
    );
    for c in &d.changes {
        let _ = writeln!(out, "  {}", p.paint(CYAN, &t(&c.path.to_string())));
        if let Some(text) = &c.text_diff {
            for line in text.lines() {
                let line = &*text_line(line);
                let styled = match line.as_bytes().first() {
                    Some(b'+') => p.paint(GREEN, line),
                    Some(b'-') => p.paint(RED, line),
                    Some(b'@') => p.paint(DIM, line),
                    _ => line.to_string(),
                };
                let _ = writeln!(out, "      {styled}");
            }
            continue;
        }
        let mut side = |sign: &str, style: Style, v: &kyaml::Value| {
            for line in value_lines(v) {
                let text = format!("{sign} {}", text_line(&line));
                let _ = writeln!(out, "    {}", p.paint(style, text.trim_end()));
            }
        };
        match &c.kind {
            ChangeKind::Added(v) => side("+", GREEN, v),
            ChangeKind::Removed(v) => side("-", RED, v),
            ChangeKind::Changed { old, new } => {
                side("-", RED, old);
                side("+", GREEN, new);
            }
        }
    }
}
