//! `vendor update` on a terminal, and the commit message of an update.

use std::fmt::Write as _;

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
        if let Some(url) = &e.release_notes {
            let _ = writeln!(out, "Release notes: {}", t(url));
        }
        for p in e.patches.iter().filter(|p| p.status != PatchState::Applies) {
            let _ = writeln!(out, "- {} {}", p.status.as_str(), t(&p.patch.label));
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

/// A few lines for the terminal.
pub fn render(report: &UpdateReport) -> String {
    let mut out = String::new();
    if report.nothing_to_update() {
        out.push_str("nothing to update\n");
    }
    for e in &report.entries {
        if e.updated {
            let _ = writeln!(
                out,
                "{}: {} -> {}{} ({})",
                t(&e.name),
                t(&e.from),
                t(&e.to),
                if report.dry_run { " (dry run)" } else { "" },
                patch_summary(e)
            );
            for p in e.patches.iter().filter(|p| p.status != PatchState::Applies) {
                let _ = writeln!(out, "  {} {}", p.status.as_str(), t(&p.patch.label));
                for f in &p.findings {
                    let _ = writeln!(out, "    {}", t(&finding_line(f)));
                }
            }
            for f in &e.new_findings {
                let _ = writeln!(out, "  new finding: {}", t(&finding_line(f)));
            }
        } else {
            let _ = writeln!(
                out,
                "{}: {} ({})",
                t(&e.name),
                t(&e.from),
                t(e.reason.as_deref().unwrap_or("up to date"))
            );
        }
    }
    neutralise_commands(out)
}
