//! `vendor update` on a terminal, and the commit message of an update.

use std::fmt::Write as _;

use anstyle::AnsiColor;

use crate::report::Style;
use crate::report::model::update::{finding_line, patch_summary, title};
use crate::report::model::{PatchState, UpdateReport};
use crate::report::text::{inline as t, neutralise_commands};

/// A commit message: the title as subject, then one paragraph per updated entry.
pub fn commit_message(report: &UpdateReport) -> String {
    let mut out = format!("{}\n", t(&title(report).replace('→', "->")));
    for e in report.updated() {
        let _ = write!(
            out,
            "\n{}: {} -> {} (patches: {})\n",
            t(&e.name),
            t(&e.from),
            t(&e.to),
            patch_summary(e)
        );
        if let (Some(old), Some(new)) = (&e.previous_track, &e.track) {
            let _ = writeln!(out, "Track: {} -> {}", t(old), t(new));
        }
        if let Some(url) = &e.release_notes {
            let _ = writeln!(out, "Release notes: {}", t(url));
        }
        for p in e.patches.iter().filter(|p| p.status != PatchState::Applies) {
            let _ = writeln!(out, "- {} {}", p.status.label(), t(&p.patch.label));
            for f in &p.findings {
                let _ = writeln!(out, "  {}", t(&finding_line(f)));
            }
        }
        for f in &e.new_findings {
            let _ = writeln!(out, "- new finding: {}", t(&finding_line(f)));
        }
    }
    neutralise_commands(out)
}

/// The terminal report: per entry its move (and track move), the patches that need a look
/// with the findings behind them (warnings included), new findings; then a summary line and
/// where each report file was written (`written`: path and what it is). `style.color` adds
/// ANSI colours.
pub fn render(report: &UpdateReport, style: Style, written: &[(String, &str)]) -> String {
    let paint = |s: anstyle::Style, text: &str| {
        if style.color {
            format!("{}{text}{}", s.render(), s.render_reset())
        } else {
            text.to_string()
        }
    };
    let bold = anstyle::Style::new().bold();
    let green = anstyle::Style::new().fg_color(Some(AnsiColor::Green.into()));
    let yellow = anstyle::Style::new().fg_color(Some(AnsiColor::Yellow.into()));
    let red = anstyle::Style::new()
        .bold()
        .fg_color(Some(AnsiColor::Red.into()));
    let dim = anstyle::Style::new().dimmed();
    let mut out = String::new();
    if report.nothing_to_update() {
        out.push_str("nothing to update\n");
    }
    for e in &report.entries {
        if !e.updated {
            let _ = writeln!(
                out,
                "{}",
                paint(
                    dim,
                    &format!(
                        "{}: {} ({})",
                        t(&e.name),
                        t(&e.from),
                        t(e.reason.as_deref().unwrap_or("up to date"))
                    )
                )
            );
            continue;
        }
        let track = match (&e.previous_track, &e.track) {
            (Some(old), Some(new)) => format!(", track {} -> {}", t(old), t(new)),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "{}: {} -> {}{}{track} ({})",
            paint(bold, &t(&e.name)),
            t(&e.from),
            paint(green, &t(&e.to)),
            if report.dry_run { " (dry run)" } else { "" },
            patch_summary(e)
        );
        for p in e.patches.iter().filter(|p| p.status != PatchState::Applies) {
            let s = match p.status {
                PatchState::Broken => red,
                _ => yellow,
            };
            let _ = writeln!(
                out,
                "  {} {}",
                paint(s, p.status.label()),
                t(&p.patch.label)
            );
            for f in &p.findings {
                let _ = writeln!(out, "    {}", t(&finding_line(f)));
            }
        }
        for f in &e.new_findings {
            let _ = writeln!(
                out,
                "  {} {}",
                paint(red, "new finding:"),
                t(&finding_line(f))
            );
        }
    }
    let _ = writeln!(out, "{}", paint(bold, &summary(report)));
    for (path, what) in written {
        let _ = writeln!(out, "wrote {} ({what})", t(path));
    }
    neutralise_commands(out)
}

/// One line: entries updated and not, patch states, new findings, dry run.
pub fn summary(report: &UpdateReport) -> String {
    let n = report.entries.len();
    let updated = report.updated().count();
    let mut s = format!(
        "{n} entr{} checked: {updated} updated, {} not",
        if n == 1 { "y" } else { "ies" },
        n - updated
    );
    let mut patches = Vec::new();
    for state in PatchState::ALL {
        let c: usize = report.updated().map(|e| e.count(state)).sum();
        if c > 0 {
            patches.push(format!("{c} {}", state.label()));
        }
    }
    if !patches.is_empty() {
        let _ = write!(s, "; patches: {}", patches.join(", "));
    }
    let appeared: usize = report.updated().map(|e| e.new_findings.len()).sum();
    if appeared > 0 {
        let _ = write!(
            s,
            "; {appeared} new error{}",
            if appeared == 1 { "" } else { "s" }
        );
    }
    if report.dry_run {
        s.push_str(" (dry run: nothing written to the repository)");
    }
    s
}
