//! `vendor template`.

use super::{GlobalArgs, Outcome};

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_global: &GlobalArgs, _args: Args) -> miette::Result<Outcome> {
    Err(super::not_yet("template"))
}
