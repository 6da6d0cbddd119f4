//! `vendor images`: glue over `crate::flows::images`.

use miette::Result;

use super::{GlobalArgs, Outcome};
use crate::report::Output;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only these entries (default: all).
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
}

pub fn run(global: &GlobalArgs, args: Args) -> Result<Outcome> {
    let config = super::load_config(global)?;
    super::check_entries(&config, &args.names)?;
    let report = crate::flows::images::images(&config, &args.names)?;
    super::print(global, Output::Images(&report))?;
    Ok(if crate::flows::images::any_denied(&config, &report) {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
