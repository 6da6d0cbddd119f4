//! `--format markdown`: a pull-request body. Summary table, highlights, then one collapsible
//! `<details>` section per resource. The whole body stays under GitHub's 65,536-character limit.
//!
//! A diff is rendered in pieces ([`pieces`]); [`fit`] chooses the pieces of one or several diffs
//! (the grouped `vendor update` body) that fit a budget together, and [`assemble`] writes them
//! with notes saying what was left out. What goes first: per-resource sections (shared fairly
//! between the diffs), then the highlights' detail lists (cut to a few items with "and N
//! more"), then highlights themselves (information before warnings).

use std::fmt::Write as _;

use crate::report::DiffOptions;
use crate::report::model::{DiffMarkdown, HighlightMarkdown};
use crate::report::text::{inline as t, line as text_line, neutralise_commands};
use crate::report::values::{api_versions, label_churn_line, location, summary_line, value_lines};
use kdiff::{ChangeKind, DiffReport, Highlight, ResourceDiff, Severity};

/// GitHub rejects pull-request and comment bodies longer than this (in characters).
pub const GITHUB_BODY_LIMIT: usize = 65_536;
/// Room kept for the truncation note.
const NOTE_RESERVE: usize = 400;
/// Details listed per highlight before "... and N more".
const MAX_DETAILS: usize = 15;
/// Details listed per highlight when highlights must be shortened.
const COMPACT_DETAILS: usize = 3;
/// Lines of one resource section's diff block before it is cut.
const MAX_LINES_PER_RESOURCE: usize = 400;
/// Headings and notes [`assemble`] adds around the pieces of one diff, at most.
const ASSEMBLY_OVERHEAD: usize = 400;

pub fn render(report: &DiffReport<'_>, opts: &DiffOptions) -> String {
    render_with_limit(report, opts, GITHUB_BODY_LIMIT)
}

/// Renders with a custom size limit (in characters), for tests.
pub fn render_with_limit(report: &DiffReport<'_>, opts: &DiffOptions, limit: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## vendor diff: `{}` → `{}`\n",
        t(&opts.old_label),
        t(&opts.new_label)
    );
    let p = pieces(report);
    let budget = limit.saturating_sub(NOTE_RESERVE + chars(&out));
    let selection = fit(&[&p], budget).remove(0);
    out.push_str(&assemble(&p, &selection, "###"));
    if selection.left_out() {
        let _ = writeln!(
            out,
            "\n> [!NOTE]\n> Trimmed to fit GitHub's {GITHUB_BODY_LIMIT}-character limit ({}). Run \
             `vendor diff` locally, or use `--format json`, for the full diff.",
            selection.describe_left_out()
        );
    }
    hard_limit(neutralise_commands(out), limit)
}

/// The diff as Markdown pieces, each escaped and ready to print.
pub fn pieces(report: &DiffReport<'_>) -> DiffMarkdown {
    let mut header = String::new();
    let _ = writeln!(header, "{}\n", summary_line(report));
    let s = &report.summary;
    header.push_str("| change | resources |\n|---|---:|\n");
    for (what, n) in [
        ("modified", s.modified),
        ("added", s.added),
        ("removed", s.removed),
        ("renamed", s.renamed),
        ("unchanged", s.unchanged),
    ] {
        let _ = writeln!(header, "| {what} | {n} |");
    }
    DiffMarkdown {
        header: neutralise_commands(header),
        highlights: report
            .highlights
            .iter()
            .map(|h| HighlightMarkdown {
                full: neutralise_commands(highlight(h, MAX_DETAILS)),
                compact: neutralise_commands(highlight(h, COMPACT_DETAILS)),
                warning: h.severity == Severity::Warning,
            })
            .collect(),
        resources: report
            .resources
            .iter()
            .map(|d| neutralise_commands(resource(d)))
            .collect(),
        label_churn: label_churn_line(report, code).map(neutralise_commands),
    }
}

/// Which pieces of one diff to print.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Highlights with their details cut short.
    pub compact: bool,
    /// Indexes of the highlights shown, in order.
    pub highlights: Vec<usize>,
    /// Indexes of the resource sections shown, in order.
    pub resources: Vec<usize>,
    /// How many of each there are.
    pub total_highlights: usize,
    pub total_resources: usize,
}

impl Selection {
    /// Everything of `d`.
    fn all(d: &DiffMarkdown) -> Selection {
        Selection {
            compact: false,
            highlights: (0..d.highlights.len()).collect(),
            resources: (0..d.resources.len()).collect(),
            total_highlights: d.highlights.len(),
            total_resources: d.resources.len(),
        }
    }

    /// Whether anything was left out or shortened.
    pub fn left_out(&self) -> bool {
        self.compact
            || self.highlights.len() < self.total_highlights
            || self.resources.len() < self.total_resources
    }

    pub fn resources_left_out(&self) -> usize {
        self.total_resources - self.resources.len()
    }

    pub fn highlights_left_out(&self) -> usize {
        self.total_highlights - self.highlights.len()
    }

    /// "3 resource sections and 2 highlights not shown, highlight details shortened".
    pub fn describe_left_out(&self) -> String {
        let mut parts = Vec::new();
        let r = self.resources_left_out();
        if r > 0 {
            parts.push(format!(
                "{r} resource section{} not shown",
                if r == 1 { "" } else { "s" }
            ));
        }
        let h = self.highlights_left_out();
        if h > 0 {
            parts.push(format!(
                "{h} highlight{} not shown",
                if h == 1 { "" } else { "s" }
            ));
        }
        if self.compact {
            parts.push("highlight details shortened".into());
        }
        parts.join(", ")
    }
}

/// Chooses what of each diff fits into `budget` characters together (the budget covers
/// everything [`assemble`] writes). Per-resource sections go first, shared fairly: each diff
/// gets an equal share of the room, what one does not need goes to the others, and within a
/// diff the sections are taken in order, skipping one that does not fit. Then the highlights'
/// details are shortened, then highlights are left out, warnings last.
pub fn fit(diffs: &[&DiffMarkdown], budget: usize) -> Vec<Selection> {
    let mut out: Vec<Selection> = diffs.iter().map(|d| Selection::all(d)).collect();
    let fixed: Vec<usize> = diffs
        .iter()
        .map(|d| chars(&d.header) + d.label_churn.as_deref().map_or(0, chars) + ASSEMBLY_OVERHEAD)
        .collect();
    let sum = |v: &[usize]| v.iter().sum::<usize>();
    let full: Vec<usize> = diffs
        .iter()
        .map(|d| d.highlights.iter().map(|h| chars(&h.full)).sum())
        .collect();
    let resources: Vec<Vec<usize>> = diffs
        .iter()
        .map(|d| d.resources.iter().map(|r| chars(r)).collect())
        .collect();
    let all_resources: usize = resources.iter().map(|r| sum(r)).sum();
    if sum(&fixed) + sum(&full) + all_resources <= budget {
        return out;
    }
    let room = budget.checked_sub(sum(&fixed) + sum(&full));
    if let Some(room) = room {
        let shares = share(room, &resources.iter().map(|r| sum(r)).collect::<Vec<_>>());
        for ((sel, sizes), room) in out.iter_mut().zip(&resources).zip(shares) {
            sel.resources = take_in_order(sizes, room, |_| true);
        }
        return out;
    }
    for sel in &mut out {
        sel.resources.clear();
        sel.compact = true;
    }
    let compact: Vec<Vec<usize>> = diffs
        .iter()
        .map(|d| d.highlights.iter().map(|h| chars(&h.compact)).collect())
        .collect();
    let room = budget.saturating_sub(sum(&fixed));
    let shares = share(room, &compact.iter().map(|c| sum(c)).collect::<Vec<_>>());
    for (((sel, d), sizes), room) in out.iter_mut().zip(diffs).zip(&compact).zip(shares) {
        if sum(sizes) <= room {
            continue;
        }
        // Warnings first, then information, each in order.
        let warnings = take_in_order(sizes, room, |i| d.highlights[i].warning);
        let used: usize = warnings.iter().map(|&i| sizes[i]).sum();
        let infos = take_in_order(sizes, room - used, |i| !d.highlights[i].warning);
        let mut kept: Vec<usize> = warnings.into_iter().chain(infos).collect();
        kept.sort_unstable();
        sel.highlights = kept;
    }
    out
}

/// Splits `room` between demands: equal shares, what a demand does not need going to the others.
pub(crate) fn share(room: usize, demands: &[usize]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..demands.len()).collect();
    order.sort_by_key(|&i| demands[i]);
    let mut out = vec![0; demands.len()];
    let mut left = room;
    for (n, &i) in order.iter().enumerate() {
        let fair = left / (demands.len() - n);
        out[i] = demands[i].min(fair);
        left -= out[i];
    }
    out
}

/// Indexes of `sizes` (those `wanted`) taken in order while they fit `room`, skipping one that
/// does not.
fn take_in_order(sizes: &[usize], room: usize, wanted: impl Fn(usize) -> bool) -> Vec<usize> {
    let mut left = room;
    let mut out = Vec::new();
    for (i, &size) in sizes.iter().enumerate() {
        if wanted(i) && size <= left {
            left -= size;
            out.push(i);
        }
    }
    out
}

/// The selected pieces of `d` under headings of level `heading` (`###`), with a note for what
/// was left out.
pub fn assemble(d: &DiffMarkdown, sel: &Selection, heading: &str) -> String {
    let mut out = d.header.clone();
    if !d.highlights.is_empty() {
        let _ = writeln!(out, "\n{heading} Highlights\n");
        for &i in &sel.highlights {
            let h = &d.highlights[i];
            out.push_str(if sel.compact { &h.compact } else { &h.full });
        }
        let n = sel.highlights_left_out();
        if n > 0 {
            let _ = writeln!(
                out,
                "- … and {n} more highlight{} (not shown: size limit)",
                if n == 1 { "" } else { "s" }
            );
        }
    }
    if !d.resources.is_empty() {
        let _ = writeln!(out, "\n{heading} Resources\n");
        for &i in &sel.resources {
            out.push_str(&d.resources[i]);
        }
        let n = sel.resources_left_out();
        if n > 0 {
            let _ = writeln!(
                out,
                "… and {n} more resource section{} (not shown: size limit).\n",
                if n == 1 { "" } else { "s" }
            );
        }
    }
    if let Some(line) = &d.label_churn {
        let _ = writeln!(out, "\n{line}");
    }
    out
}

/// `text` cut to at most `limit` characters at a line boundary, with a last line saying so: the
/// last resort when the parts that are never left out are too large themselves.
pub fn hard_limit(text: String, limit: usize) -> String {
    if chars(&text) <= limit {
        return text;
    }
    const CUT: &str = "\n\n> [!WARNING]\n> Cut to fit GitHub's 65,536-character limit.\n";
    let keep = limit.saturating_sub(chars(CUT));
    let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
    let end = text[..end].rfind('\n').unwrap_or(end);
    let mut out = text[..end].to_string();
    out.push_str(CUT);
    out
}

pub(crate) fn chars(s: &str) -> usize {
    s.chars().count()
}

fn code(s: &str) -> String {
    format!("`{}`", t(s).replace('`', "'"))
}

fn highlight(h: &Highlight, max_details: usize) -> String {
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
    for d in h.details.iter().take(max_details) {
        let _ = writeln!(item, "  - {}", code(d));
    }
    if h.details.len() > max_details {
        let _ = writeln!(item, "  - … and {} more", h.details.len() - max_details);
    }
    item
}

/// Escapes what Markdown or GitHub's HTML sanitizer would interpret in running text.
pub(crate) fn escape(s: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn md(highlights: &[(usize, bool)], resources: &[usize]) -> DiffMarkdown {
        DiffMarkdown {
            header: "h\n".into(),
            highlights: highlights
                .iter()
                .map(|&(n, warning)| HighlightMarkdown {
                    full: "f".repeat(n),
                    compact: "c".repeat(n / 2),
                    warning,
                })
                .collect(),
            resources: resources.iter().map(|&n| "r".repeat(n)).collect(),
            label_churn: None,
        }
    }

    #[test]
    fn shares_are_fair_and_pass_on_what_is_not_needed() {
        assert_eq!(share(90, &[10, 100, 100]), [10, 40, 40]);
        assert_eq!(share(1000, &[10, 20]), [10, 20]);
        assert_eq!(share(0, &[10, 20]), [0, 0]);
    }

    #[test]
    fn resources_go_first_then_highlight_details_then_highlights() {
        let a = md(&[(100, false), (100, true)], &[500, 50, 500]);
        let b = md(&[(100, true)], &[100]);
        let fixed = 2 * (2 + ASSEMBLY_OVERHEAD);
        // Everything fits.
        let sel = fit(&[&a, &b], fixed + 300 + 1150);
        assert!(sel.iter().all(|s| !s.left_out()));
        // Room for 650 of resources: b takes its 100, a gets the rest, in order, skipping.
        let sel = fit(&[&a, &b], fixed + 300 + 650);
        assert_eq!(sel[1].resources, [0]);
        assert_eq!(sel[0].resources, [0, 1]);
        assert!(!sel[0].compact);
        // No room for any resource: highlights shortened.
        let sel = fit(&[&a, &b], fixed + 200);
        assert!(sel.iter().all(|s| s.compact && s.resources.is_empty()));
        assert_eq!(sel[0].highlights, [0, 1]);
        // Less: the information highlight goes before the warning.
        let sel = fit(&[&a, &b], fixed + 100);
        assert_eq!(sel[0].highlights, [1]);
        assert_eq!(sel[1].highlights, [0]);
        let text = assemble(&a, &sel[0], "###");
        assert!(text.contains("… and 1 more highlight"), "{text}");
        assert!(text.contains("… and 3 more resource sections"), "{text}");
        assert!(
            chars(&text) <= 2 + ASSEMBLY_OVERHEAD + 50 + 50,
            "{}",
            chars(&text)
        );
    }

    #[test]
    fn hard_limit_cuts_at_a_line() {
        let text = "line\n".repeat(100);
        let cut = hard_limit(text.clone(), 200);
        assert!(chars(&cut) <= 200);
        assert!(cut.starts_with("line\nline\n"));
        assert!(cut.ends_with("character limit.\n"));
        assert_eq!(hard_limit(text.clone(), 1000), text);
    }
}
