//! `vendor update [NAME...]`: glue over `crate::flows::update`. Reports are written before the
//! repository changes, so a report that cannot be written leaves the repository as it was.

use std::path::{Path, PathBuf};

use miette::{IntoDiagnostic, WrapErr};

use super::{GlobalArgs, Outcome};
use crate::flows::update as lib;
use crate::report::model::UpdateReport;
use crate::report::{Output, human, json, markdown};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit codes: 0 updated (or nothing to update) and every patch applies; 1 updated \
                        but a patch broke or an error-level finding appeared; 2 error (nothing written).\n\n\
                        Examples:\n  vendor update --report-dir .vendor-reports\n  \
                        vendor update argocd --to v3.0.23 --major --report body.md\n  \
                        vendor update --group --report body.md --commit-message msg.txt"
)]
pub struct Args {
    /// Update only these entries (default: all).
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
    /// Move to this version instead of the newest within `track` (one entry).
    #[arg(long, value_name = "VERSION")]
    pub to: Option<String>,
    /// Allow leaving the entry's `track` range (newest release overall).
    #[arg(long)]
    pub major: bool,
    /// Fetch and check, print what would happen, and write nothing to the repository (reports
    /// asked for with --report, --json, --commit-message or --report-dir are still written).
    #[arg(long)]
    pub dry_run: bool,
    /// Write the pull-request body (Markdown) for all updated entries to FILE.
    #[arg(long, value_name = "FILE.md")]
    pub report: Option<PathBuf>,
    /// Write the machine-readable report (docs/update-report.md) for all updated entries.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write a commit message for all updated entries.
    #[arg(long, value_name = "FILE")]
    pub commit_message: Option<PathBuf>,
    /// With --report-dir: one report for all updated entries (all.md, all.json,
    /// all.commit-message.txt) instead of one per entry.
    #[arg(long)]
    pub group: bool,
    /// Write NAME.md, NAME.json and NAME.commit-message.txt per updated entry into DIR.
    #[arg(long, value_name = "DIR")]
    pub report_dir: Option<PathBuf>,
    /// Fail (exit 2) instead of waiting when another vendor command holds the repository lock.
    #[arg(long)]
    pub no_wait: bool,
}

/// The file stem of the grouped report in --report-dir.
pub const GROUP_STEM: &str = "all";

pub fn run(global: &GlobalArgs, args: Args) -> miette::Result<Outcome> {
    // `--dry-run` writes nothing to the repository: it reads without the lock, like `check`.
    let (config, _lock) = if args.dry_run {
        (super::load_config(global)?, None)
    } else {
        let (c, l) = super::load_config_for_write(global, "update", args.no_wait)?;
        (c, Some(l))
    };
    if args.group && args.report_dir.is_some() && config.entry(GROUP_STEM).is_some() {
        return Err(miette::miette!(
            help = "rename the entry, or write the grouped report with --report/--json/--commit-message",
            "--group writes {GROUP_STEM}.md, which is also the report name of the entry `{GROUP_STEM}`"
        ));
    }
    let fetcher = crate::sources::Fetcher::from_env();
    let opts = lib::Options {
        only: args.names.clone(),
        to: args.to.clone(),
        major: args.major,
        jobs: global.jobs.unwrap_or(super::sync::DEFAULT_NETWORK_JOBS),
    };
    let prepared = lib::prepare(&config, &fetcher, &opts, args.dry_run)?;
    let rep = prepared.report.clone();
    write_reports(&args, &rep)?;
    if !args.dry_run {
        prepared.commit(&config)?;
    }
    print(global, &rep)?;
    Ok(if rep.needs_attention() {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

fn write_reports(args: &Args, rep: &UpdateReport) -> miette::Result<()> {
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    if let Some(p) = &args.report {
        files.push((p.clone(), markdown::update::render(rep)));
    }
    if let Some(p) = &args.json {
        files.push((p.clone(), json::update::render(rep)));
    }
    if let Some(p) = &args.commit_message {
        files.push((p.clone(), human::update::commit_message(rep)));
    }
    if let Some(dir) = &args.report_dir {
        let mut sets: Vec<(String, UpdateReport)> = Vec::new();
        if args.group {
            if !rep.nothing_to_update() {
                sets.push((GROUP_STEM.to_string(), rep.clone()));
            }
        } else {
            for e in rep.updated() {
                sets.push((e.name.clone(), rep.only(&e.name)));
            }
        }
        for (stem, r) in sets {
            files.push((dir.join(format!("{stem}.md")), markdown::update::render(&r)));
            files.push((dir.join(format!("{stem}.json")), json::update::render(&r)));
            files.push((
                dir.join(format!("{stem}.commit-message.txt")),
                human::update::commit_message(&r),
            ));
        }
        std::fs::create_dir_all(dir)
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot create {}", dir.display()))?;
    }
    for (path, text) in files {
        write(&path, &text)?;
    }
    Ok(())
}

fn write(path: &Path, text: &str) -> miette::Result<()> {
    crate::config::lock::write_atomically(path, text.as_bytes())
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot write the report {}", path.display()))
}

fn print(global: &GlobalArgs, rep: &UpdateReport) -> miette::Result<()> {
    if global.quiet && global.format == super::Format::Human {
        return Ok(());
    }
    super::print(global, Output::Update(rep))
}
