//! The pull-request body of `vendor update` (Markdown). Deterministic: the same report gives the
//! same bytes, and it always fits GitHub's 65,536-character body limit: the release notes have
//! a budget of their own, and the structured diffs of all entries share what is left
//! (`super::diff::fit`: per-resource sections go first, then highlight details, then
//! highlights); a note then says what was left out and where the full report is.

use std::fmt::Write as _;

use super::diff::{GITHUB_BODY_LIMIT, assemble, chars, escape, fit, hard_limit};
use crate::report::model::update::{finding_line, patch_summary, title};
use crate::report::model::{EntryReport, PatchState, ReleaseNotes, UpdateReport};
use crate::report::text::{inline as t, line as text_line, neutralise_commands};

/// Release notes of all entries together, at most (characters).
const NOTES_BUDGET: usize = 16_000;
/// Release notes of one entry, at most.
const NOTES_PER_ENTRY: usize = 6_000;
/// Room kept for the closing note.
const CLOSING_RESERVE: usize = 600;

/// How the body is written.
#[derive(Debug, Clone)]
pub struct BodyOptions {
    /// The size limit in characters (GitHub's by default).
    pub limit: usize,
    /// Where the full report is, for the note when the body is trimmed (e.g. "`all.json`").
    pub full_report: Option<String>,
}

impl Default for BodyOptions {
    fn default() -> Self {
        BodyOptions {
            limit: GITHUB_BODY_LIMIT,
            full_report: None,
        }
    }
}

fn icon(s: PatchState) -> &'static str {
    match s {
        PatchState::Applies => "✅",
        PatchState::AppliesWithWarnings => "⚠️",
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

/// The pull-request body, within GitHub's limit.
pub fn render(report: &UpdateReport) -> String {
    render_with(report, &BodyOptions::default())
}

/// The pull-request body with explicit options.
pub fn render_with(report: &UpdateReport, opts: &BodyOptions) -> String {
    let mut head = String::new();
    let _ = writeln!(head, "# {}\n", t(&title(report)));
    if report.dry_run {
        head.push_str("> [!NOTE]\n> Dry run: nothing was written.\n\n");
    }
    if report.nothing_to_update() {
        head.push_str(
            "Nothing to update: every entry is at the newest version it may move to.\n\n",
        );
        for e in &report.entries {
            let _ = writeln!(
                head,
                "- **{}** {}: {}",
                t(&e.name),
                t(&e.from),
                t(e.reason.as_deref().unwrap_or("up to date"))
            );
        }
        return hard_limit(neutralise_commands(head), opts.limit);
    }
    let broken: usize = report.updated().map(|e| e.count(PatchState::Broken)).sum();
    let warned: usize = report
        .updated()
        .map(|e| e.count(PatchState::AppliesWithWarnings))
        .sum();
    let appeared: usize = report.updated().map(|e| e.new_findings.len()).sum();
    if broken > 0 {
        let _ = writeln!(
            head,
            "> [!WARNING]\n> {broken} patch{} no longer appl{}. The new upstream is vendored as released, so this \
             pull request shows the breakage: fix the patch{} before merging.\n",
            if broken == 1 { "" } else { "es" },
            if broken == 1 { "ies" } else { "y" },
            if broken == 1 { "" } else { "es" },
        );
    }
    if warned > 0 {
        let _ = writeln!(
            head,
            "> [!WARNING]\n> {warned} patch{} appl{} with warnings: {} may no longer do what {} did (see the patch tables).\n",
            if warned == 1 { "" } else { "es" },
            if warned == 1 { "ies" } else { "y" },
            if warned == 1 { "it" } else { "they" },
            if warned == 1 { "it" } else { "they" },
        );
    }
    if appeared > 0 {
        let _ = writeln!(
            head,
            "> [!CAUTION]\n> {appeared} new error-level finding{} (listed per entry below).\n",
            if appeared == 1 { "" } else { "s" }
        );
    }
    head.push_str("| entry | from | to | release notes | patches |\n|---|---|---|---|---|\n");
    for e in report.updated() {
        let notes = match &e.release_notes {
            Some(url) => format!("[{}]({})", cell(&e.to), cell(url)),
            None => "—".into(),
        };
        let _ = writeln!(
            head,
            "| {} | {} | {} | {notes} | {} |",
            cell(&e.name),
            cell(&e.from),
            cell(&e.to),
            patch_summary(e)
        );
    }
    let stayed: Vec<&EntryReport> = report.entries.iter().filter(|e| !e.updated).collect();
    if !stayed.is_empty() {
        head.push_str("\nNot updated:\n");
        for e in stayed {
            let _ = writeln!(
                head,
                "- **{}** {}: {}",
                t(&e.name),
                t(&e.from),
                t(e.reason.as_deref().unwrap_or("up to date"))
            );
        }
    }
    let head = neutralise_commands(head);

    // Per entry: what is always shown, the release notes within their budget, the diff.
    let updated: Vec<&EntryReport> = report.updated().collect();
    let fixed: Vec<String> = updated
        .iter()
        .map(|e| neutralise_commands(entry_head(e)))
        .collect();
    let wanted: Vec<usize> = updated
        .iter()
        .map(|e| {
            e.notes.as_ref().map_or(0, |n| {
                chars(&notes_section(n, usize::MAX)) + NOTES_TAIL + 60
            })
        })
        .collect();
    let note_budgets = share_capped(NOTES_BUDGET, NOTES_PER_ENTRY, &wanted);
    let notes: Vec<String> = updated
        .iter()
        .zip(&note_budgets)
        .map(|(e, budget)| match &e.notes {
            Some(n) => neutralise_commands(notes_section(n, *budget)),
            None => String::new(),
        })
        .collect();
    let diff_heading = "\n### Upstream changes\n\n";
    let used = chars(&head)
        + fixed.iter().map(|f| chars(f)).sum::<usize>()
        + notes.iter().map(|n| chars(n)).sum::<usize>()
        + updated.iter().filter(|e| e.diff.is_some()).count() * chars(diff_heading)
        + CLOSING_RESERVE;
    let diffs: Vec<&crate::report::model::DiffMarkdown> = updated
        .iter()
        .filter_map(|e| e.diff.as_ref().map(|d| &d.markdown))
        .collect();
    let mut selections = fit(&diffs, opts.limit.saturating_sub(used)).into_iter();

    let mut out = head;
    let (mut left_resources, mut left_highlights, mut shortened) = (0, 0, false);
    for ((e, f), n) in updated.iter().zip(&fixed).zip(&notes) {
        out.push_str(f);
        out.push_str(n);
        if let Some(d) = &e.diff {
            let sel = selections.next().unwrap_or_default();
            left_resources += sel.resources_left_out();
            left_highlights += sel.highlights_left_out();
            shortened |= sel.compact;
            out.push_str(diff_heading);
            out.push_str(&assemble(&d.markdown, &sel, "####"));
        }
    }
    if left_resources + left_highlights > 0 || shortened {
        let mut what = Vec::new();
        if left_resources > 0 {
            what.push(format!(
                "{left_resources} resource section{} not shown",
                if left_resources == 1 { "" } else { "s" }
            ));
        }
        if left_highlights > 0 {
            what.push(format!(
                "{left_highlights} highlight{} not shown",
                if left_highlights == 1 { "" } else { "s" }
            ));
        }
        if shortened {
            what.push("highlight details shortened".into());
        }
        let full = match &opts.full_report {
            Some(where_) => format!("The full report, every resource included: {where_}."),
            None => "For the full report, run `vendor update` with `--json FILE` (or `--report-dir DIR`), \
                     or `vendor diff NAME --to VERSION` per entry."
                .to_string(),
        };
        let _ = writeln!(
            out,
            "\n> [!NOTE]\n> Trimmed to fit GitHub's {GITHUB_BODY_LIMIT}-character limit ({}). {}",
            what.join(", "),
            t(&full)
        );
    }
    hard_limit(neutralise_commands(out), opts.limit)
}

/// Equal shares of `total` (each at most `cap`), what one does not need going to the others.
fn share_capped(total: usize, cap: usize, wanted: &[usize]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..wanted.len()).collect();
    order.sort_by_key(|&i| wanted[i]);
    let mut out = vec![0; wanted.len()];
    let mut left = total;
    for (n, &i) in order.iter().enumerate() {
        let fair = left / (wanted.len() - n);
        out[i] = wanted[i].min(fair).min(cap);
        left -= out[i];
    }
    out
}

/// An entry's section up to its release notes: versions, track, files, patches, findings.
fn entry_head(e: &EntryReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\n## {} {} → {}\n", t(&e.name), t(&e.from), t(&e.to));
    if let (Some(old), Some(new)) = (&e.previous_track, &e.track) {
        let _ = writeln!(
            out,
            "Track moved with the version: `{}` → `{}` (vendor.toml).\n",
            t(old).replace('`', "'"),
            t(new).replace('`', "'")
        );
    }
    if let (Some(url), None) = (&e.release_notes, &e.notes) {
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
                    p.status.label(),
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
    out
}

/// Room [`notes_section`] keeps for its last lines (the versions it had to leave out).
const NOTES_TAIL: usize = 160;

/// The release notes of an entry in at most `budget` characters: links, then each version's
/// text quoted and sanitised, newest first, the last one that fits cut at a line.
fn notes_section(n: &ReleaseNotes, budget: usize) -> String {
    let mut text = notes_text(n, budget);
    let end = text.trim_end_matches('\n').len();
    text.truncate(end);
    if !text.is_empty() {
        text.push('\n');
    }
    text
}

fn notes_text(n: &ReleaseNotes, budget: usize) -> String {
    let mut out = String::from("\n### Release notes\n\n");
    let links: Vec<String> = n
        .links
        .iter()
        .map(|(what, url)| format!("[{}]({})", escape(what), link(url)))
        .collect();
    if !links.is_empty() {
        let _ = writeln!(out, "{}\n", links.join(" · "));
    }
    let version_link = |v: &crate::report::model::VersionNotes| match &v.url {
        Some(url) => format!("[{}]({})", escape(&v.version), link(url)),
        None => escape(&v.version),
    };
    let (with_text, without): (Vec<_>, Vec<_>) =
        n.versions.iter().partition(|v| !v.text.trim().is_empty());
    if !without.is_empty() {
        let list: Vec<String> = without.iter().map(|v| version_link(v)).collect();
        let _ = writeln!(out, "Without release notes: {}.\n", list.join(", "));
    }
    if with_text.is_empty() {
        return if chars(&out) <= budget {
            out
        } else {
            String::new()
        };
    }
    let versions: Vec<String> = with_text
        .iter()
        .map(|v| t(&v.version).into_owned())
        .collect();
    let _ = writeln!(
        out,
        "<details><summary>{} ({})</summary>\n",
        html(&versions.join(", ")),
        html(&n.source)
    );
    const CLOSE: &str = "</details>\n";
    // Each version gets a fair share of the room (what a short one does not need goes to the
    // others), so that a long changelog does not crowd out the next release's.
    let bodies: Vec<(String, Vec<String>)> = with_text
        .iter()
        .map(|v| {
            let heading = format!("#### {}\n\n", version_link(v));
            let lines = sanitize(&v.text).into_iter().map(|l| quote(&l)).collect();
            (heading, lines)
        })
        .collect();
    let sizes: Vec<usize> = bodies
        .iter()
        .map(|(h, lines)| chars(h) + lines.iter().map(|l| chars(l) + 1).sum::<usize>() + 1)
        .collect();
    let room = budget.saturating_sub(chars(&out) + chars(CLOSE) + NOTES_TAIL);
    let shares = super::diff::share(room, &sizes);
    let mut left_out: Vec<String> = Vec::new();
    for ((v, (heading, lines)), (size, share)) in
        with_text.iter().zip(&bodies).zip(sizes.iter().zip(shares))
    {
        if *size > share && chars(heading) + 160 > share {
            left_out.push(escape(&v.version).chars().take(40).collect());
            continue;
        }
        out.push_str(heading);
        if *size <= share {
            for line in lines {
                out.push_str(line);
                out.push('\n');
            }
            out.push('\n');
            continue;
        }
        let more = match &v.url {
            Some(url) => format!("[the full notes]({})", link(url)),
            None => "the full notes upstream".to_string(),
        };
        let tail = format!(">\n> … (cut to fit; {more})\n\n");
        let mut used = chars(heading) + chars(&tail);
        for line in lines {
            if used + chars(line) + 1 > share {
                break;
            }
            out.push_str(line);
            out.push('\n');
            used += chars(line) + 1;
        }
        out.push_str(&tail);
    }
    if !left_out.is_empty() {
        let shown = left_out.len().min(5);
        let _ = writeln!(
            out,
            "Not shown: {}{}.\n",
            left_out[..shown].join(", "),
            if left_out.len() > shown {
                format!(" and {} more", left_out.len() - shown)
            } else {
                String::new()
            }
        );
    }
    out.push_str(CLOSE);
    out
}

/// A URL as a Markdown link target.
fn link(url: &str) -> String {
    t(url)
        .replace(' ', "%20")
        .replace(')', "%29")
        .replace('<', "%3C")
        .replace('>', "%3E")
}

fn html(s: &str) -> String {
    t(s).replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A blockquote line.
fn quote(line: &str) -> String {
    if line.is_empty() {
        ">".to_string()
    } else {
        format!("> {line}")
    }
}

/// Upstream Markdown made inert for a pull-request body, line by line: control and invisible
/// characters escaped; outside code, raw HTML shown as text (`<` as `&lt;`), `@mentions` and
/// `#123` references broken with a zero-width space (no one is notified, no issue of the
/// user's repository is linked), github.com links through GitHub's redirect host.
pub fn sanitize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fence: Option<String> = None;
    for raw in text.lines() {
        let line = text_line(raw.trim_end_matches('\r')).into_owned();
        let trimmed = line.trim_start();
        let marker: String = trimmed
            .chars()
            .take_while(|c| *c == '`' || *c == '~')
            .collect();
        let is_fence = marker.len() >= 3
            && marker
                .chars()
                .all(|c| c == marker.chars().next().unwrap_or('`'));
        match &fence {
            Some(open) => {
                if is_fence && marker.starts_with(open.as_str()) {
                    fence = None;
                }
                out.push(line);
                continue;
            }
            None if is_fence => {
                fence = Some(marker);
                out.push(line);
                continue;
            }
            None => {}
        }
        out.push(inert(&line));
    }
    out
}

/// One line of running text (not in a fenced block) made inert; inline code spans kept.
fn inert(line: &str) -> String {
    let line = line.replace("https://github.com/", "https://redirect.github.com/");
    let mut out = String::with_capacity(line.len() + 16);
    let mut in_code = false;
    let mut prev: Option<char> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        let word_before = prev.is_some_and(|p| p.is_alphanumeric() || p == '_' || p == '/');
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            '<' if !in_code => out.push_str("&lt;"),
            '@' if !in_code
                && !word_before
                && chars.peek().is_some_and(char::is_ascii_alphanumeric) =>
            {
                out.push_str("@&#8203;");
            }
            '#' if !in_code && !word_before && chars.peek().is_some_and(char::is_ascii_digit) => {
                out.push_str("#&#8203;");
            }
            c => out.push(c),
        }
        prev = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_pipes_and_newlines() {
        assert_eq!(cell("a|b\nc <d>"), "a\\|b c &lt;d&gt;");
        assert_eq!(cell("x\x1b[2J"), "x\\\\u{1b}[2J");
    }

    #[test]
    fn release_notes_are_made_inert() {
        let got = sanitize(
            "## Fixes\n* fix (#123) by @alice in https://github.com/o/r/pull/1\n<img src=x onerror=alert(1)>\n`@keep <b>` and a@b.c\n```yaml\n# comment @bob <x>\n```\n\u{202e}evil\n",
        );
        assert_eq!(
            got,
            [
                "## Fixes",
                "* fix (#&#8203;123) by @&#8203;alice in https://redirect.github.com/o/r/pull/1",
                "&lt;img src=x onerror=alert(1)>",
                "`@keep <b>` and a@b.c",
                "```yaml",
                "# comment @bob <x>",
                "```",
                "\\u{202e}evil",
            ]
        );
    }

    #[test]
    fn notes_shares_are_capped() {
        assert_eq!(share_capped(100, 30, &[10, 50, 50]), [10, 30, 30]);
        assert_eq!(share_capped(40, 30, &[50, 50]), [20, 20]);
    }
}
