//! `vendor sync [NAME...]`: glue over `crate::flows::sync`.

use super::{GlobalArgs, Outcome};
use crate::flows::sync as lib;
use crate::report::Output;
use crate::report::progress::{Progress, ProgressStyle};

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
    let progress = Progress::new(ProgressStyle::detect(global.quiet));
    let opts = lib::Options {
        only: args.names,
        jobs: global.jobs.unwrap_or(DEFAULT_NETWORK_JOBS),
        locked: args.locked,
        progress: &progress,
    };
    let report = match lib::sync(&config, &fetcher, &opts) {
        Ok(r) => r,
        Err(e @ lib::SyncError::Locked { .. }) => {
            eprintln!("{:?}", miette::Report::new(e));
            return Ok(Outcome::Findings);
        }
        Err(e) => return Err(e.into()),
    };
    if !global.quiet || global.format != super::Format::Human {
        super::print(global, Output::Sync(&report))?;
    }
    Ok(Outcome::Clean)
}
