//! `vendor check`: the CI gate. Loads vendor.toml, runs `crate::flows::check`, prints the report in
//! the chosen format and turns error-level findings into exit code 1.

use miette::Result;

use super::levels::{LevelArgs, parse_code};
use super::{GlobalArgs, Outcome};
use crate::report::Output;
use crate::report::progress::{Progress, ProgressStyle};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Check only these entries (default: all).
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    #[command(flatten)]
    pub levels: LevelArgs,
    /// Also ask upstream: newer versions within `track` (outdated) and whether upstream still
    /// serves the vendored bytes for the pinned version (upstream-retagged).
    #[arg(long)]
    pub online: bool,
    /// Render every chart again from the download cache (offline) and compare the result with
    /// the vendored files byte for byte (render-mismatch).
    #[arg(long)]
    pub render: bool,
    /// Print what a finding code means and how to fix it, then exit (no vendor.toml needed).
    #[arg(long, value_name = "CODE", conflicts_with_all = ["names", "deny", "warn", "allow", "online", "render"])]
    pub explain: Option<String>,
}

pub fn run(global: &GlobalArgs, args: Args) -> Result<Outcome> {
    if let Some(name) = &args.explain {
        let code = parse_code(name)?;
        super::write_stdout(&crate::diag::explain(code))?;
        return Ok(Outcome::Clean);
    }
    let config = super::load_config(global)?;
    let overrides = args.levels.overrides()?;
    super::check_entries(&config, &args.names)?;
    let opts = crate::flows::check::Options {
        overrides: overrides.clone(),
        only: args.names,
        render: args.render,
    };
    let mut report = crate::flows::check::check(&config, &opts)?;
    if args.online {
        let jobs = global.jobs.unwrap_or(super::sync::DEFAULT_NETWORK_JOBS);
        let progress = Progress::new(ProgressStyle::detect(global.quiet));
        let mut online =
            crate::flows::check::online_findings(&config, &opts.only, jobs, &progress)?;
        config.levels(&overrides).apply(&mut online);
        report.findings.extend(online);
        report.sort();
    }
    super::print(global, Output::Check(&report))?;
    Ok(if report.has_errors() {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
