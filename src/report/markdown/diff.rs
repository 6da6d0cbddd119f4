//! `--format markdown`: a pull-request body. Summary table, highlights, then one collapsible
//! `<details>` section per resource. The whole body stays under GitHub's 65,536-character limit:
//! sections that do not fit are left out and a note says how many.

use std::fmt::Write as _;

use crate::report::DiffOptions;
use crate::report::text::{inline as t, line as text_line, neutralise_commands};
use crate::report::values::{api_versions, location, summary_line, value_lines};
use kdiff::{ChangeKind, DiffReport, Highlight, ResourceDiff, Severity};

/// GitHub rejects pull-request and comment bodies longer than this (in characters).
pub const GITHUB_BODY_LIMIT: usize = 65_536;
/// Room kept for the truncation note.
const NOTE_RESERVE: usize = 400;
/// Details listed per highlight before "... and N more".
const MAX_DETAILS: usize = 15;
/// Lines of one resource section's diff block before it is cut.
const MAX_LINES_PER_RESOURCE: usize = 400;

pub fn render(report: &DiffReport<'_>, opts: &DiffOptions) -> String {
    render_with_limit(report, opts, GITHUB_BODY_LIMIT)
}

/// Renders with a custom size limit (in characters), for tests.
pub fn render_with_limit(report: &DiffReport<'_>, opts: &DiffOptions, limit: usize) -> String {
    let budget = limit.saturating_sub(NOTE_RESERVE);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## vendor diff: `{}` → `{}`\n",
        t(&opts.old_label),
        t(&opts.new_label)
    );
    let _ = writeln!(out, "{}\n", summary_line(report));
    let s = &report.summary;
    out.push_str("| change | resources |\n|---|---:|\n");
    for (what, n) in [
        ("modified", s.modified),
        ("added", s.added),
        ("removed", s.removed),
        ("renamed", s.renamed),
        ("unchanged", s.unchanged),
    ] {
        let _ = writeln!(out, "| {what} | {n} |");
    }

    let mut left_out_highlights = 0;
    if !report.highlights.is_empty() {
        out.push_str("\n### Highlights\n\n");
        for h in &report.highlights {
            let item = highlight(h);
            if chars(&out) + chars(&item) > budget {
                left_out_highlights += 1;
            } else {
                out.push_str(&item);
            }
        }
    }

    let mut left_out_resources = 0;
    if !report.resources.is_empty() {
        out.push_str("\n### Resources\n\n");
        for d in &report.resources {
            let section = resource(d);
            if left_out_resources > 0 || chars(&out) + chars(&section) > budget {
                left_out_resources += 1;
            } else {
                out.push_str(&section);
            }
        }
    }
    if left_out_highlights + left_out_resources > 0 {
        let _ = writeln!(
            out,
            "\n> [!NOTE]\n> Truncated to fit GitHub's {GITHUB_BODY_LIMIT}-character limit: {left_out_highlights} \
             highlight(s) and {left_out_resources} resource section(s) are not shown. Run `vendor diff` \
             locally, or use `--format json`, for the full diff."
        );
    }
    neutralise_commands(out)
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

fn code(s: &str) -> String {
    format!("`{}`", t(s).replace('`', "'"))
}

fn highlight(h: &Highlight) -> String {
    let mut item = String::new();
    let icon = match h.severity {
        Severity::Warning => "⚠️",
        Severity::Info => "ℹ️",
    };
    let resource = h
        .resource
        .as_deref()
        .map(|r| format!(" {}:", code(r)))
        .unwrap_or_default();
    let _ = writeln!(
        item,
        "- {icon} **{}**{resource} {}",
        h.category.as_str(),
        escape(&h.message)
    );
    for d in h.details.iter().take(MAX_DETAILS) {
        let _ = writeln!(item, "  - {}", code(d));
    }
    if h.details.len() > MAX_DETAILS {
        let _ = writeln!(item, "  - … and {} more", h.details.len() - MAX_DETAILS);
    }
    item
}

/// Escapes what Markdown or GitHub's HTML sanitizer would interpret in running text.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in t(s).chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '*' | '_' | '[' | ']' | '`' | '|' => {
                out.push('\\');
                out.push(ch);
            }
            _ => out.push(ch),
        }
    }
    out
}

fn resource(d: &ResourceDiff<'_>) -> String {
    let mut s = String::new();
    let count = match d.changes.len() {
        0 => String::new(),
        1 => ", 1 change".to_string(),
        n => format!(", {n} changes"),
    };
    let renamed = match (d.old, d.new) {
        (Some(o), Some(n)) if o.key != n.key => {
            format!(" (was <code>{}</code>)", html(&o.key.to_string()))
        }
        _ => String::new(),
    };
    let _ = writeln!(
        s,
        "<details><summary><b>{}</b> <code>{}</code>{renamed} ({}{count})</summary>\n",
        d.status.as_str(),
        html(&d.key().to_string()),
        html(&api_versions(d)),
    );
    if let Some(loc) = location(d) {
        let _ = writeln!(s, "{}\n", code(&loc));
    }
    if d.changes.is_empty() {
        // Added and removed objects: the object itself, so the reviewer need not open the file.
        let (sign, object) = match (d.old, d.new) {
            (None, Some(n)) => ("+", n),
            (Some(o), None) => ("-", o),
            _ => return finish(s),
        };
        let body = kyaml::to_string(&object.value);
        let total = body.lines().count();
        let lines: Vec<String> = body
            .lines()
            .take(MAX_LINES_PER_RESOURCE)
            .map(|l| format!("{sign} {}", text_line(l)).trim_end().to_string())
            .collect();
        code_block(&mut s, &lines);
        if total > MAX_LINES_PER_RESOURCE {
            let _ = writeln!(
                s,
                "\n… {} more lines not shown.",
                total - MAX_LINES_PER_RESOURCE
            );
        }
    } else {
        let mut lines: Vec<String> = Vec::new();
        for c in &d.changes {
            lines.push(format!("@@ {} @@", t(&c.path.to_string())));
            if let Some(text) = &c.text_diff {
                lines.extend(
                    text.lines()
                        .filter(|l| !l.starts_with("@@"))
                        .map(|l| text_line(l).into_owned()),
                );
                continue;
            }
            match &c.kind {
                ChangeKind::Added(v) => lines.extend(
                    value_lines(v)
                        .into_iter()
                        .map(|l| format!("+ {}", text_line(&l)).trim_end().to_string()),
                ),
                ChangeKind::Removed(v) => lines.extend(
                    value_lines(v)
                        .into_iter()
                        .map(|l| format!("- {}", text_line(&l)).trim_end().to_string()),
                ),
                ChangeKind::Changed { old, new } => {
                    lines.extend(
                        value_lines(old)
                            .into_iter()
                            .map(|l| format!("- {}", text_line(&l)).trim_end().to_string()),
                    );
                    lines.extend(
                        value_lines(new)
                            .into_iter()
                            .map(|l| format!("+ {}", text_line(&l)).trim_end().to_string()),
                    );
                }
            }
        }
        let total = lines.len();
        lines.truncate(MAX_LINES_PER_RESOURCE);
        code_block(&mut s, &lines);
        if total > MAX_LINES_PER_RESOURCE {
            let _ = writeln!(
                s,
                "\n… {} more lines not shown.",
                total - MAX_LINES_PER_RESOURCE
            );
        }
    }
    finish(s)
}

/// A `diff` code block, fenced with more backticks than any line holds (at least four), so
/// upstream text cannot close it.
fn code_block(s: &mut String, lines: &[String]) {
    let longest = lines
        .iter()
        .flat_map(|l| l.split(|c| c != '`'))
        .map(str::len)
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(longest.max(3) + 1);
    let _ = writeln!(s, "{fence}diff");
    for l in lines {
        s.push_str(l);
        s.push('\n');
    }
    let _ = writeln!(s, "{fence}");
}

fn finish(mut s: String) -> String {
    s.push_str("\n</details>\n\n");
    s
}

fn html(s: &str) -> String {
    t(s).replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
