//! The pull-request body of `vendor update` (Markdown). Deterministic: the same report gives the
//! same bytes. The structured diff sections were rendered by `super::diff` when the report was
//! made; this module wraps them per entry.

use std::fmt::Write as _;

use crate::report::model::update::{finding_line, patch_summary, title};
use crate::report::model::{EntryReport, PatchState, UpdateReport};
use crate::report::text::{inline as t, neutralise_commands};

fn icon(s: PatchState) -> &'static str {
    match s {
        PatchState::Applies => "✅",
        PatchState::NoOp => "➖",
        PatchState::Broken => "❌",
    }
}

/// Text safe inside a Markdown table cell.
fn cell(s: &str) -> String {
    t(&s.replace('\n', " "))
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The diff module's Markdown without its own title line, headings one level down, so it nests
/// under an entry's section.
pub fn diff_body(markdown: &str) -> String {
    let body = match markdown.split_once('\n') {
        Some((first, rest)) if first.starts_with("## ") => rest.trim_start_matches('\n'),
        _ => markdown,
    };
    let mut out = String::with_capacity(body.len() + 64);
    for line in body.split_inclusive('\n') {
        if line.starts_with("### ") {
            out.push('#');
        }
        out.push_str(line);
    }
    out
}

/// The pull-request body.
pub fn render(report: &UpdateReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", t(&title(report)));
    if report.dry_run {
        out.push_str("> [!NOTE]\n> Dry run: nothing was written.\n\n");
    }
    if report.nothing_to_update() {
        out.push_str("Nothing to update: every entry is at the newest version it may move to.\n\n");
        for e in &report.entries {
            let _ = writeln!(
                out,
                "- **{}** {}: {}",
                t(&e.name),
                t(&e.from),
                t(e.reason.as_deref().unwrap_or("up to date"))
            );
        }
        return neutralise_commands(out);
    }
    let broken: usize = report.updated().map(|e| e.count(PatchState::Broken)).sum();
    let appeared: usize = report.updated().map(|e| e.new_findings.len()).sum();
    if broken > 0 {
        let _ = writeln!(
            out,
            "> [!WARNING]\n> {broken} patch{} no longer appl{}. The new upstream is vendored as released, so this \
             pull request shows the breakage: fix the patch{} before merging.\n",
            if broken == 1 { "" } else { "es" },
            if broken == 1 { "ies" } else { "y" },
            if broken == 1 { "" } else { "es" },
        );
    }
    if appeared > 0 {
        let _ = writeln!(
            out,
            "> [!CAUTION]\n> {appeared} new error-level finding{} (listed per entry below).\n",
            if appeared == 1 { "" } else { "s" }
        );
    }
    out.push_str("| entry | from | to | release notes | patches |\n|---|---|---|---|---|\n");
    for e in report.updated() {
        let notes = match &e.release_notes {
            Some(url) => format!("[{}]({})", cell(&e.to), cell(url)),
            None => "—".into(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {notes} | {} |",
            cell(&e.name),
            cell(&e.from),
            cell(&e.to),
            patch_summary(e)
        );
    }
    let stayed: Vec<&EntryReport> = report.entries.iter().filter(|e| !e.updated).collect();
    if !stayed.is_empty() {
        out.push_str("\nNot updated:\n");
        for e in stayed {
            let _ = writeln!(
                out,
                "- **{}** {}: {}",
                t(&e.name),
                t(&e.from),
                t(e.reason.as_deref().unwrap_or("up to date"))
            );
        }
    }
    for e in report.updated() {
        entry_markdown(&mut out, e);
    }
    neutralise_commands(out)
}

fn entry_markdown(out: &mut String, e: &EntryReport) {
    let _ = writeln!(out, "\n## {} {} → {}\n", t(&e.name), t(&e.from), t(&e.to));
    if let Some(url) = &e.release_notes {
        let _ = writeln!(out, "Release notes: {}\n", t(url));
    }
    let f = &e.files;
    let _ = writeln!(
        out,
        "Vendored files: {} added, {} removed, {} modified.\n",
        f.added.len(),
        f.removed.len(),
        f.modified.len()
    );
    if let Some(note) = &e.note {
        let _ = writeln!(out, "Note: {}\n", t(note));
    }
    out.push_str("### Patches\n\n");
    match (&e.overlay, e.patches.is_empty()) {
        (None, _) => out.push_str("No overlay: the entry has no patches.\n"),
        (Some(k), true) => {
            let _ = writeln!(out, "`{}` declares no patches.", t(k));
        }
        (Some(_), false) => {
            out.push_str("| patch | status | finding |\n|---|---|---|\n");
            for p in &e.patches {
                let findings: Vec<String> =
                    p.findings.iter().map(|f| cell(&finding_line(f))).collect();
                let _ = writeln!(
                    out,
                    "| `{}` | {} {} | {} |",
                    t(&p.patch.label).replace('`', "'"),
                    icon(p.status),
                    p.status.as_str(),
                    findings.join("<br>")
                );
            }
        }
    }
    if !e.new_findings.is_empty() {
        out.push_str("\n### New findings\n\n");
        for f in &e.new_findings {
            let _ = writeln!(out, "- ❌ {}", cell(&finding_line(f)));
        }
    }
    if let Some(d) = &e.diff {
        out.push_str("\n### Upstream changes\n\n");
        out.push_str(&d.markdown);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_body_drops_the_title_and_nests_headings() {
        let md = "## vendor diff: `a` → `b`\n\n1 modified\n\n### Highlights\n\n- x\n";
        assert_eq!(diff_body(md), "1 modified\n\n#### Highlights\n\n- x\n");
    }

    #[test]
    fn cells_escape_pipes_and_newlines() {
        assert_eq!(cell("a|b\nc <d>"), "a\\|b c &lt;d&gt;");
        assert_eq!(cell("x\x1b[2J"), "x\\\\u{1b}[2J");
    }
}
