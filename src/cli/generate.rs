//! `vendor generate completions SHELL | man | schema`: artefacts generated from the CLI and
//! config definitions, so packagers and editors never go out of date.

use std::io::Write;

use clap::CommandFactory;
use miette::{IntoDiagnostic, Result};

use super::{Cli, GlobalArgs, Outcome};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(Debug, clap::Subcommand)]
enum What {
    /// Shell completions for bash, zsh, fish, elvish or powershell.
    Completions { shell: clap_complete::Shell },
    /// The man page (roff) of `vendor`.
    Man,
    /// The JSON Schema of vendor.toml, for editor completion (e.g. taplo, Even Better TOML).
    Schema,
}

pub fn run(_global: &GlobalArgs, args: Args) -> Result<Outcome> {
    let mut out = std::io::stdout().lock();
    match args.what {
        What::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "vendor", &mut out);
        }
        What::Man => {
            clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .into_diagnostic()?;
        }
        What::Schema => {
            out.write_all(crate::config::SCHEMA.as_bytes())
                .into_diagnostic()?;
        }
    }
    Ok(Outcome::Clean)
}
