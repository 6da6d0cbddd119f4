//! `vendor images`: every image reference of every entry, where it comes from, and its policy
//! verdict.

use std::fmt::Write as _;
use std::io::Write;

use miette::{IntoDiagnostic, Result};

use super::{Format, GlobalArgs, Outcome};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only these entries (default: all).
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
}

pub fn run(global: &GlobalArgs, args: Args) -> Result<Outcome> {
    let config = super::load_config(global)?;
    for n in &args.names {
        if config.entry(n).is_none() {
            return Err(super::unknown_entry(&config, n));
        }
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for entry in &config.entries {
        if !args.names.is_empty() && !args.names.contains(&entry.name) {
            continue;
        }
        match crate::check::images(&config, entry) {
            Ok(sites) => rows.extend(sites.into_iter().map(|s| (entry.name.clone(), s))),
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Err(crate::check::CheckError { errors }.into());
    }
    let denied = rows.iter().any(|(_, s)| {
        s.violations
            .iter()
            .any(|v| v.code.default_level() == crate::diag::Level::Deny)
    });
    let text = match global.format {
        Format::Json => {
            let list: Vec<serde_json::Value> = rows
                .iter()
                .map(|(entry, s)| {
                    serde_json::json!({
                        "entry": entry,
                        "image": s.image,
                        "file": s.file,
                        "line": s.pos.map(|p| p.line),
                        "column": s.pos.map(|p| p.column),
                        "resource": s.resource,
                        "container": s.container,
                        "violations": s.violations.iter().map(|v| serde_json::json!({"code": v.code.as_str(), "message": v.message})).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let mut t = serde_json::to_string_pretty(&list).into_diagnostic()?;
            t.push('\n');
            t
        }
        _ => {
            let mut t = String::new();
            for (entry, s) in &rows {
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
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .into_diagnostic()?;
    Ok(if denied {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
