//! Renderers of an [`UpdateReport`]: the pull-request body (Markdown), the machine-readable JSON
//! (schema in docs/update-report.md) and the commit message. All three are deterministic: the
//! same report gives the same bytes.
//!
//! The structured diff sections come from `crate::report::diff` (Markdown and JSON); this module
//! wraps them per entry.

use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use super::{EntryReport, PatchState, UpdateReport};
use crate::diag::Finding;

/// Version of the JSON schema (docs/update-report.md). Fields are only added; a breaking
/// change bumps it.
pub const SCHEMA_VERSION: u32 = 1;

/// The first line of every rendering: a pull-request title.
pub fn title(report: &UpdateReport) -> String {
    let updated: Vec<&EntryReport> = report.updated().collect();
    match updated.as_slice() {
        [] => "vendor: nothing to update".to_string(),
        [e] => format!("Update {} {} → {}", e.name, e.from, e.to),
        many => format!(
            "Update {} upstream entries: {}",
            many.len(),
            many.iter()
                .map(|e| format!("{} {}", e.name, e.to))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn patch_summary(e: &EntryReport) -> String {
    if e.patches.is_empty() {
        return if e.overlay.is_some() {
            "no patches".into()
        } else {
            "no overlay".into()
        };
    }
    let mut parts = Vec::new();
    for s in [PatchState::Applies, PatchState::NoOp, PatchState::Broken] {
        let n = e.count(s);
        if n > 0 {
            parts.push(format!("{n} {}", s.as_str()));
        }
    }
    parts.join(", ")
}

fn icon(s: PatchState) -> &'static str {
    match s {
        PatchState::Applies => "✅",
        PatchState::NoOp => "➖",
        PatchState::Broken => "❌",
    }
}

/// `file:line: code: message`, one line.
fn finding_line(f: &Finding) -> String {
    let mut s = String::new();
    if let Some(file) = &f.file {
        s.push_str(file);
        if let Some(p) = f.pos {
            let _ = write!(s, ":{}", p.line);
        }
        s.push_str(": ");
    }
    let _ = write!(s, "{}: {}", f.code, f.message);
    s
}

/// Text safe inside a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('\n', " ")
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
pub fn markdown(report: &UpdateReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", title(report));
    if report.dry_run {
        out.push_str("> [!NOTE]\n> Dry run: nothing was written.\n\n");
    }
    if report.nothing_to_update() {
        out.push_str("Nothing to update: every entry is at the newest version it may move to.\n\n");
        for e in &report.entries {
            let _ = writeln!(
                out,
                "- **{}** {}: {}",
                e.name,
                e.from,
                e.reason.as_deref().unwrap_or("up to date")
            );
        }
        return out;
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
            Some(url) => format!("[{}]({url})", e.to),
            None => "—".into(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {notes} | {} |",
            e.name,
            e.from,
            e.to,
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
                e.name,
                e.from,
                e.reason.as_deref().unwrap_or("up to date")
            );
        }
    }
    for e in report.updated() {
        entry_markdown(&mut out, e);
    }
    out
}

fn entry_markdown(out: &mut String, e: &EntryReport) {
    let _ = writeln!(out, "\n## {} {} → {}\n", e.name, e.from, e.to);
    if let Some(url) = &e.release_notes {
        let _ = writeln!(out, "Release notes: {url}\n");
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
        let _ = writeln!(out, "Note: {note}\n");
    }
    out.push_str("### Patches\n\n");
    match (&e.overlay, e.patches.is_empty()) {
        (None, _) => out.push_str("No overlay: the entry has no patches.\n"),
        (Some(k), true) => {
            let _ = writeln!(out, "`{k}` declares no patches.");
        }
        (Some(_), false) => {
            out.push_str("| patch | status | finding |\n|---|---|---|\n");
            for p in &e.patches {
                let findings: Vec<String> =
                    p.findings.iter().map(|f| cell(&finding_line(f))).collect();
                let _ = writeln!(
                    out,
                    "| `{}` | {} {} | {} |",
                    p.patch.label.replace('`', "'"),
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

fn finding_json(f: &Finding) -> Json {
    json!({
        "code": f.code.as_str(),
        "level": f.level.as_str(),
        "file": f.file,
        "line": f.pos.map(|p| p.line),
        "column": f.pos.map(|p| p.column),
        "resource": f.resource,
        "container": f.container,
        "message": f.message,
        "help": f.help,
    })
}

/// The machine-readable report (docs/update-report.md).
pub fn json(report: &UpdateReport) -> String {
    let entries: Vec<Json> = report
        .entries
        .iter()
        .map(|e| {
            json!({
                "name": e.name,
                "kind": e.kind,
                "from": e.from,
                "to": e.to,
                "updated": e.updated,
                "track": e.track,
                "reason": e.reason,
                "release_notes": e.release_notes,
                "note": e.note,
                "files": e.files,
                "overlay": e.overlay,
                "patches": e.patches.iter().map(|p| json!({
                    "patch": p.patch.label,
                    "file": p.patch.file,
                    "field": p.patch.field,
                    "line": p.patch.line,
                    "status": p.status.as_str(),
                    "findings": p.findings.iter().map(finding_json).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
                "new_findings": e.new_findings.iter().map(finding_json).collect::<Vec<_>>(),
                "diff": e.diff.as_ref().map(|d| d.json.clone()),
            })
        })
        .collect();
    let value = json!({
        "schema_version": SCHEMA_VERSION,
        "title": title(report),
        "dry_run": report.dry_run,
        "nothing_to_update": report.nothing_to_update(),
        "needs_attention": report.needs_attention(),
        "entries": entries,
    });
    let mut text = serde_json::to_string_pretty(&value).expect("JSON values serialize");
    text.push('\n');
    text
}

/// A commit message: the title as subject, then one paragraph per updated entry.
pub fn commit_message(report: &UpdateReport) -> String {
    let mut out = format!("{}\n", title(report).replace('→', "->"));
    for e in report.updated() {
        let _ = write!(
            out,
            "\n{}: {} -> {} (patches: {})\n",
            e.name,
            e.from,
            e.to,
            patch_summary(e)
        );
        if let Some(url) = &e.release_notes {
            let _ = writeln!(out, "Release notes: {url}");
        }
        for p in e.patches.iter().filter(|p| p.status != PatchState::Applies) {
            let _ = writeln!(out, "- {} {}", p.status.as_str(), p.patch.label);
            for f in &p.findings {
                let _ = writeln!(out, "  {}", finding_line(f));
            }
        }
        for f in &e.new_findings {
            let _ = writeln!(out, "- new finding: {}", finding_line(f));
        }
    }
    out
}

/// A few lines for the terminal.
pub fn human(report: &UpdateReport) -> String {
    let mut out = String::new();
    if report.nothing_to_update() {
        out.push_str("nothing to update\n");
    }
    for e in &report.entries {
        if e.updated {
            let _ = writeln!(
                out,
                "{}: {} -> {}{} ({})",
                e.name,
                e.from,
                e.to,
                if report.dry_run { " (dry run)" } else { "" },
                patch_summary(e)
            );
            for p in e.patches.iter().filter(|p| p.status != PatchState::Applies) {
                let _ = writeln!(out, "  {} {}", p.status.as_str(), p.patch.label);
                for f in &p.findings {
                    let _ = writeln!(out, "    {}", finding_line(f));
                }
            }
            for f in &e.new_findings {
                let _ = writeln!(out, "  new finding: {}", finding_line(f));
            }
        } else {
            let _ = writeln!(
                out,
                "{}: {} ({})",
                e.name,
                e.from,
                e.reason.as_deref().unwrap_or("up to date")
            );
        }
    }
    out
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
    }
}
