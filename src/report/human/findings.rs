//! The human format: findings grouped per entry, a compiler-style location line, help lines,
//! colour when asked for, and one summary line.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use crate::diag::{Finding, Level};
use crate::report::location;
use crate::report::model::CheckReport;
use crate::report::text::{inline as t, neutralise_commands};

/// Renders the report for a terminal. `color` adds ANSI styles; `quiet` keeps the errors only.
pub fn render(report: &CheckReport, color: bool, quiet: bool) -> String {
    let paint = |style: Style, text: &str| {
        if color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    };
    let bold = Style::new().bold();
    let red = Style::new().bold().fg_color(Some(AnsiColor::Red.into()));
    let yellow = Style::new().bold().fg_color(Some(AnsiColor::Yellow.into()));
    let blue = Style::new().fg_color(Some(AnsiColor::Blue.into()));
    let green = Style::new().bold().fg_color(Some(AnsiColor::Green.into()));

    let mut out = String::new();
    let groups = report
        .entries
        .iter()
        .map(|(n, d)| (Some(n.as_str()), Some(d.as_str())))
        .chain(std::iter::once((None, None)));
    for (entry, desc) in groups {
        let findings: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.entry.as_deref() == entry)
            .filter(|f| !quiet || f.level == Level::Deny)
            .collect();
        if findings.is_empty() {
            continue;
        }
        match (entry, desc) {
            (Some(e), Some(d)) => {
                let _ = writeln!(out, "{} ({})", paint(bold, &t(e)), t(d));
            }
            _ => {
                let _ = writeln!(out, "{}", paint(bold, "(repository)"));
            }
        }
        for f in findings {
            let level = match f.level {
                Level::Deny => paint(red, "error"),
                Level::Warn => paint(yellow, "warning"),
                Level::Allow => paint(blue, "note"),
            };
            let _ = writeln!(out, "  {level}[{}]: {}", f.code, t(&f.message));
            let mut at = location(f).map(|l| t(&l).into_owned()).unwrap_or_default();
            if let Some(r) = &f.resource {
                if !at.is_empty() {
                    at.push(' ');
                }
                match &f.container {
                    Some(c) => {
                        let _ = write!(at, "({}, container {})", t(r), t(c));
                    }
                    None => {
                        let _ = write!(at, "({})", t(r));
                    }
                }
            }
            if !at.is_empty() {
                let _ = writeln!(out, "    {} {at}", paint(blue, "-->"));
            }
            if let Some(h) = &f.help {
                let _ = writeln!(out, "    {} {}", paint(blue, "help:"), t(h));
            }
        }
        out.push('\n');
    }
    let summary_style = if report.has_errors() {
        red
    } else if report.count(Level::Warn) > 0 {
        yellow
    } else {
        green
    };
    // `-q` prints the errors and nothing else: no summary (the exit status says it).
    if !quiet {
        let _ = writeln!(out, "{}", paint(summary_style, &report.summary()));
    }
    neutralise_commands(out)
}

/// One finding in the compact form `vendor build` prints on stderr.
pub fn compact(f: &Finding) -> String {
    let mut s = format!("{}[{}]: {}\n", f.level, f.code, t(&f.message));
    if let Some(file) = &f.file {
        let file = t(file);
        match f.pos {
            Some(p) => s.push_str(&format!("  --> {file}:{}\n", p.line)),
            None => s.push_str(&format!("  --> {file}\n")),
        }
    }
    if let Some(h) = &f.help {
        s.push_str(&format!("  = help: {}\n", t(h)));
    }
    neutralise_commands(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_groups_locations_and_summary() {
        let text = render(&crate::report::model::tests::sample(), false, false);
        insta::assert_snapshot!(text, @r"
        argocd (manifest v2.14.21)
          warning[patch-no-op]: patch changes nothing
            --> patches/argocd/resources.yaml:1:1
          error[file-modified]: upstream/argocd/install.yaml differs from what was vendored for argocd v2.14.21
            --> upstream/argocd/install.yaml
            help: move the change into patches/argocd, or run `vendor sync argocd` to restore it

        metallb (manifest v0.15.3)
          error[image-latest]: image `nginx:latest` uses the `latest` tag
            --> upstream/metallb/metallb-native.yaml:12:16 (Deployment/metallb-system/controller)
            help: pin a released tag

        2 entries checked: 2 errors, 1 warning
        ");
    }

    #[test]
    fn quiet_keeps_errors_only_and_color_adds_styles() {
        let text = render(&crate::report::model::tests::sample(), false, true);
        assert!(!text.contains("patch-no-op"));
        assert!(text.contains("error[file-modified]"), "{text}");
        assert!(
            !text.contains("entries checked"),
            "no summary under -q: {text}"
        );
        assert!(render(&crate::report::model::tests::sample(), true, false).contains("\x1b["));
    }
}
