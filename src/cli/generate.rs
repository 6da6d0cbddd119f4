//! `vendor generate completions SHELL | man [--dir DIR] | schema`: artefacts generated from the
//! CLI and config definitions, so packagers and editors never go out of date.

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use miette::{IntoDiagnostic, Result, WrapErr};

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
    /// Man pages (roff): `vendor.1` on stdout, or with --dir one page per command.
    Man {
        /// Write vendor.1 and vendor-COMMAND.1 (one per subcommand) into DIR.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// The JSON Schema of vendor.toml, for editor completion (e.g. taplo, Even Better TOML).
    Schema,
}

pub fn run(global: &GlobalArgs, args: Args) -> Result<Outcome> {
    match args.what {
        What::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "vendor", &mut out);
            super::write_stdout(&String::from_utf8_lossy(&out))?;
        }
        What::Man { dir: None } => super::write_stdout(&man_page(man_command())?)?,
        What::Man { dir: Some(dir) } => {
            let written = write_man_pages(&dir)?;
            if !global.quiet {
                eprintln!("wrote {} man pages to {}", written.len(), dir.display());
            }
        }
        What::Schema => super::write_stdout(crate::config::SCHEMA)?,
    }
    Ok(Outcome::Clean)
}

/// The command tree the man pages describe: `help` is clap's, not a page of its own.
fn man_command() -> clap::Command {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// One page in roff, with hyphenation off before anything else (groff's man macros re-apply the
/// `HY` register at every paragraph, so it is set to 0; `.nh` for other formatters): command
/// names, options and finding codes are never broken across lines at a hyphen.
fn man_page(cmd: clap::Command) -> Result<String> {
    let mut out = b".nr HY 0\n.nh\n".to_vec();
    clap_mangen::Man::new(cmd)
        .render(&mut out)
        .into_diagnostic()?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Writes `vendor.1` and one page per (nested) subcommand, `vendor-check.1`,
/// `vendor-generate-man.1`, ... The main page lists them under SUBCOMMANDS as `vendor-check(1)`.
fn write_man_pages(dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot create {}", dir.display()))?;
    let mut written = Vec::new();
    let mut stack = vec![man_command()];
    while let Some(cmd) = stack.pop() {
        stack.extend(cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
        let name = cmd
            .get_display_name()
            .unwrap_or_else(|| cmd.get_name())
            .to_string();
        let path = dir.join(format!("{name}.1"));
        std::fs::write(&path, man_page(cmd)?)
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
