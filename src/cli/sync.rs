//! `vendor sync [NAME...]`: glue over `crate::sources::sync`.

use std::io::Write;

use miette::IntoDiagnostic;

use super::{GlobalArgs, Outcome};
use crate::sources::sync::{self as lib, Change, ProgressStyle};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Sync only these entries (default: all).
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    /// Fail, showing what would change, instead of writing anything.
    #[arg(long)]
    pub locked: bool,
    /// Use only the download cache; never the network.
    #[arg(long)]
    pub offline: bool,
}

/// Parallel network jobs when `-j` is not given: network work waits, it does not compute.
pub const DEFAULT_NETWORK_JOBS: usize = 16;

pub fn run(global: &GlobalArgs, args: Args) -> miette::Result<Outcome> {
    let config = super::load_config(global)?;
    let mut fetcher = crate::sources::Fetcher::from_env();
    fetcher.offline = args.offline;
    let opts = lib::Options {
        only: args.names,
        jobs: global.jobs.unwrap_or(DEFAULT_NETWORK_JOBS),
        locked: args.locked,
        progress: ProgressStyle::detect(global.quiet),
    };
    let report = match lib::sync(&config, &fetcher, &opts) {
        Ok(r) => r,
        Err(e @ lib::SyncError::Locked { .. }) => {
            eprintln!("{:?}", miette::Report::new(e));
            return Ok(Outcome::Findings);
        }
        Err(e) => return Err(e.into()),
    };
    if !global.quiet {
        let mut out = std::io::stdout().lock();
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
            writeln!(out, "{} {}: {what}", e.name, e.version).into_diagnostic()?;
            if let Some(note) = &e.note {
                writeln!(out, "  note: {note}").into_diagnostic()?;
            }
        }
        if report.wrote_config {
            writeln!(out, "wrote lock data to {}", config.path.display()).into_diagnostic()?;
        }
    }
    Ok(Outcome::Clean)
}
