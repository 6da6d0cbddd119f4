//! The table-shaped outputs on a terminal: `sync` (one line per entry), `outdated` (aligned
//! columns) and `images` (one line per image reference).

use std::fmt::Write as _;

use crate::report::model::{Change, ImagesReport, OutdatedRow, SyncReport};

/// The `outdated` table.
pub fn outdated(rows: &[OutdatedRow]) -> String {
    let header = ["NAME", "KIND", "CURRENT", "TRACK", "IN TRACK", "LATEST"];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.name.clone(),
                r.kind.to_string(),
                r.current.clone(),
                r.track.clone().unwrap_or_else(|| "-".into()),
                r.in_track.clone().unwrap_or_else(|| "-".into()),
                r.latest.clone().unwrap_or_else(|| "-".into()),
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
            out.push_str(&format!("{}: {e}\n", r.name));
        }
    }
    out
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
        let _ = writeln!(out, "{} {}: {what}", e.name, e.version);
        if let Some(note) = &e.note {
            let _ = writeln!(out, "  note: {note}");
        }
    }
    if let Some(path) = &report.wrote_config {
        let _ = writeln!(out, "wrote lock data to {path}");
    }
    out
}

/// One tab-separated line per image reference: entry, image, verdict, location, resource.
pub fn images(report: &ImagesReport) -> String {
    let mut t = String::new();
    for (entry, s) in &report.rows {
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
            Some(p) => format!("{}:{}:{}", s.file, p.line, p.column),
            None => s.file.clone(),
        };
        let _ = writeln!(
            t,
            "{entry}\t{}\t{verdict}\t{at}\t{} ({})",
            s.image, s.resource, s.container
        );
    }
    t
}
