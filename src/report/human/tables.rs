//! The table-shaped outputs on a terminal: `sync` (one line per entry), `outdated` (aligned
//! columns) and `images` (aligned columns with a header on a terminal, tab-separated lines in a
//! pipe).

use std::fmt::Write as _;

use crate::report::model::{Change, ImagesReport, OutdatedRow, SyncReport};
use crate::report::text::{inline as t, neutralise_commands};

/// The `outdated` table.
pub fn outdated(rows: &[OutdatedRow]) -> String {
    let header = ["NAME", "KIND", "CURRENT", "TRACK", "IN TRACK", "LATEST"];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                t(&r.name).into_owned(),
                r.kind.to_string(),
                t(&r.current).into_owned(),
                r.track
                    .as_deref()
                    .map_or_else(|| "-".into(), |s| t(s).into_owned()),
                r.in_track
                    .as_deref()
                    .map_or_else(|| "-".into(), |s| t(s).into_owned()),
                r.latest
                    .as_deref()
                    .map_or_else(|| "-".into(), |s| t(s).into_owned()),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cols: Vec<&str>| {
        let mut s = String::new();
        for (i, c) in cols.iter().enumerate() {
            if i + 1 == cols.len() {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:<w$}  ", w = widths[i]));
            }
        }
        out.push_str(s.trim_end());
        out.push('\n');
    };
    line(header.to_vec());
    for row in &cells {
        line(row.iter().map(String::as_str).collect());
    }
    for r in rows {
        if let Some(e) = &r.error {
            out.push_str(&format!("{}: {}\n", t(&r.name), t(e)));
        }
        if let Some(n) = &r.note {
            out.push_str(&format!("{}: {}\n", t(&r.name), t(n)));
        }
    }
    neutralise_commands(out)
}

/// One line per synced entry, its notes, and whether vendor.toml was written.
pub fn sync(report: &SyncReport) -> String {
    let mut out = String::new();
    for e in &report.entries {
        let what = match &e.change {
            Change::Unchanged => "unchanged".to_string(),
            Change::Updated {
                lock_only: true, ..
            } => "lock data updated".to_string(),
            Change::Updated {
                added,
                removed,
                modified,
                ..
            } => format!(
                "updated ({} added, {} removed, {} modified)",
                added.len(),
                removed.len(),
                modified.len()
            ),
        };
        let _ = writeln!(out, "{} {}: {what}", t(&e.name), t(&e.version));
        if let Some(note) = &e.note {
            let _ = writeln!(out, "  note: {}", t(note));
        }
    }
    if let Some(path) = &report.wrote_config {
        let _ = writeln!(out, "wrote lock data to {}", t(path));
    }
    for p in &report.pruned {
        let _ = writeln!(out, "pruned {}: it belongs to no entry", t(p));
    }
    neutralise_commands(out)
}

/// The cells of one image row: entry, image, verdict, location, resource (container).
fn image_cells(entry: &str, s: &crate::report::model::ImageSite) -> [String; 5] {
    let verdict = if s.violations.is_empty() {
        "ok".to_string()
    } else {
        s.violations
            .iter()
            .map(|v| v.code.as_str())
            .collect::<Vec<_>>()
            .join(",")
    };
    let at = match s.pos {
        Some(p) => format!("{}:{}:{}", t(&s.file), p.line, p.column),
        None => t(&s.file).into_owned(),
    };
    let resource = if s.container.is_empty() {
        t(&s.resource).into_owned()
    } else {
        format!("{} ({})", t(&s.resource), t(&s.container))
    };
    [
        t(entry).into_owned(),
        t(&s.image).into_owned(),
        verdict,
        at,
        resource,
    ]
}

/// The images as aligned columns under a header, verdicts coloured when `color`, and a last
/// line counting images and violations.
pub fn images_table(report: &ImagesReport, color: bool) -> String {
    use anstyle::{AnsiColor, Style};
    let header = ["ENTRY", "IMAGE", "VERDICT", "LOCATION", "RESOURCE"];
    let rows: Vec<[String; 5]> = report
        .rows
        .iter()
        .map(|(entry, s)| image_cells(entry, s))
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let paint = |style: Style, text: &str| {
        if color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    };
    let line = |cols: [&str; 5], verdict_style: Option<Style>| {
        let mut s = String::new();
        for (i, c) in cols.iter().enumerate() {
            let padded = if i + 1 == cols.len() {
                (*c).to_string()
            } else {
                let pad = widths[i].saturating_sub(c.chars().count());
                format!("{c}{}  ", " ".repeat(pad))
            };
            match (i, verdict_style) {
                (2, Some(style)) => s.push_str(&paint(style, &padded)),
                _ => s.push_str(&padded),
            }
        }
        let mut s = s.trim_end().to_string();
        s.push('\n');
        s
    };
    let bold = Style::new().bold();
    let mut out = paint(bold, line(header, None).trim_end());
    out.push('\n');
    let mut violations = 0;
    for (row, (_, site)) in rows.iter().zip(&report.rows) {
        let style = if site.violations.is_empty() {
            AnsiColor::Green.on_default()
        } else {
            violations += 1;
            AnsiColor::Red.on_default().bold()
        };
        out.push_str(&line(
            [&row[0], &row[1], &row[2], &row[3], &row[4]],
            Some(style),
        ));
    }
    let n = rows.len();
    let _ = writeln!(
        out,
        "{n} image reference{}, {violations} with a policy violation",
        if n == 1 { "" } else { "s" }
    );
    neutralise_commands(out)
}

/// One tab-separated line per image reference: entry, image, verdict, location, resource (the
/// cells of the table).
pub fn images(report: &ImagesReport) -> String {
    let mut out = String::new();
    for (entry, s) in &report.rows {
        let _ = writeln!(out, "{}", image_cells(entry, s).join("\t"));
    }
    neutralise_commands(out)
}
