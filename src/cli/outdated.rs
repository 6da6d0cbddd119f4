//! `vendor outdated [NAME...]`: glue over `crate::flows::outdated`.

use super::{GlobalArgs, Outcome};
use crate::flows::outdated as lib;
use crate::report::Output;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Report only these entries (default: all).
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
}

pub fn run(global: &GlobalArgs, args: Args) -> miette::Result<Outcome> {
    let config = super::load_config(global)?;
    super::check_entries(&config, &args.names)?;
    let fetcher = crate::sources::Fetcher::from_env();
    let jobs = global.jobs.unwrap_or(super::sync::DEFAULT_NETWORK_JOBS);
    let rows = lib::outdated(&config, &fetcher, &args.names, jobs);
    super::print(global, Output::Outdated(&rows))?;
    // Discovery failures mean the report is incomplete: the tool could not do its job.
    if let Some(r) = rows
        .iter()
        .find(|r| r.error.is_some() && r.source.is_some())
    {
        return Err(miette::miette!(
            "cannot list the versions of `{}`: {}",
            r.name,
            r.error.as_deref().unwrap_or("")
        ));
    }
    Ok(Outcome::Clean)
}
