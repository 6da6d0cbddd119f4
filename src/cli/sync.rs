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
    #[arg(long, conflicts_with = "refresh")]
    pub offline: bool,
    /// Fail (exit 2) instead of waiting when another vendor command holds the repository lock.
    #[arg(long)]
    pub no_wait: bool,
    /// Ignore the download cache and fetch everything again (with --locked: catch an upstream
    /// that re-tagged a locked version, in CI).
    #[arg(long)]
    pub refresh: bool,
    /// Adopt what upstream serves now for this entry's locked version, although it differs
    /// from the lock data (a re-tagged release; review it first). Repeatable.
    #[arg(long, value_name = "NAME")]
    pub accept_retag: Vec<String>,
    /// Also remove what belongs to no entry: upstream/ directories and lock tables of entries
    /// that were renamed or removed (in one transaction; with --locked, fail if there are any).
    #[arg(long, conflicts_with = "names")]
    pub prune: bool,
}

/// Parallel network jobs when `-j` is not given: network work waits, it does not compute.
pub const DEFAULT_NETWORK_JOBS: usize = 16;

pub fn run(global: &GlobalArgs, args: Args) -> miette::Result<Outcome> {
    // `--locked` writes nothing: it reads without the lock, like `check`.
    let (config, _lock) = if args.locked {
        (super::load_config(global)?, None)
    } else {
        let (c, l) = super::load_config_for_write(global, "sync", args.no_wait)?;
        (c, Some(l))
    };
    super::check_entries(&config, &args.names)?;
    let mut fetcher = crate::sources::Fetcher::from_env();
    fetcher.offline = args.offline;
    fetcher.bypass_cache = args.refresh;
    let progress = Progress::new(ProgressStyle::detect(global.quiet));
    let opts = lib::Options {
        only: args.names,
        jobs: global.jobs.unwrap_or(DEFAULT_NETWORK_JOBS),
        locked: args.locked,
        accept_retag: args.accept_retag,
        progress: &progress,
    };
    let mut report = match lib::sync(&config, &fetcher, &opts) {
        Ok(r) => r,
        Err(e @ (lib::SyncError::Locked { .. } | lib::SyncError::Retagged { .. })) => {
            super::eprint_report(&miette::Report::new(e), global.color_stderr());
            return Ok(Outcome::Findings);
        }
        Err(e) => return Err(e.into()),
    };
    if args.prune {
        // vendor.toml as sync left it (read again under the repository lock we hold).
        let current = if report.wrote_config.is_some() {
            crate::config::load(&config.path)?
        } else {
            config
        };
        let plan = crate::flows::prune::plan(&current)?;
        report.pruned = plan.describe(&current);
        if args.locked && !plan.is_empty() {
            let e = miette::miette!(
                help = "run `vendor sync --prune` without --locked to remove them",
                "--locked: --prune would remove {}",
                report.pruned.join(", ")
            );
            super::eprint_report(&e, global.color_stderr());
            return Ok(Outcome::Findings);
        }
        if !args.locked {
            crate::flows::prune::commit(&current, &plan)?;
        }
    }
    if !global.quiet || global.format != super::Format::Human {
        super::print(global, Output::Sync(&report))?;
    }
    Ok(Outcome::Clean)
}
