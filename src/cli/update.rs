//! `vendor update [NAME...]`: glue over `crate::flows::update`. Reports are written before the
//! repository changes, so a report that cannot be written leaves the repository as it was.

use std::path::{Path, PathBuf};

use miette::{IntoDiagnostic, WrapErr};

use super::{GlobalArgs, Outcome};
use crate::flows::update as lib;
use crate::report::model::UpdateReport;
use crate::report::progress::{Progress, ProgressStyle};
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
    super::check_entries(&config, &args.names)?;
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
        progress: Progress::new(ProgressStyle::detect(global.quiet)),
    };
    let prepared = lib::prepare(&config, &fetcher, &opts, args.dry_run);
    opts.progress.finish();
    let prepared = prepared?;
    let rep = prepared.report.clone();
    let written = write_reports(&args, &rep)?;
    if !args.dry_run {
        prepared.commit(&config)?;
    }
    print(global, &rep, &written)?;
    Ok(if rep.needs_attention() {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// Writes the requested report files; returns each path with what it is.
fn write_reports(args: &Args, rep: &UpdateReport) -> miette::Result<Vec<(String, &'static str)>> {
    let shown = |p: &Path| p.display().to_string();
    // Where the Markdown body says the full report is, when it has to be trimmed.
    let body = |json: Option<&Path>| markdown::update::BodyOptions {
        full_report: json.map(|p| format!("`{}`", shown(p))),
        ..Default::default()
    };
    let mut files: Vec<(PathBuf, String, &'static str)> = Vec::new();
    if let Some(p) = &args.report {
        let text = markdown::update::render_with(rep, &body(args.json.as_deref()));
        files.push((p.clone(), text, "pull-request body"));
    }
    if let Some(p) = &args.json {
        files.push((p.clone(), json::update::render(rep), "JSON report"));
    }
    if let Some(p) = &args.commit_message {
        files.push((
            p.clone(),
            human::update::commit_message(rep),
            "commit message",
        ));
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
            let json_path = dir.join(format!("{stem}.json"));
            let md = markdown::update::render_with(&r, &body(Some(&json_path)));
            files.push((dir.join(format!("{stem}.md")), md, "pull-request body"));
            files.push((json_path, json::update::render(&r), "JSON report"));
            files.push((
                dir.join(format!("{stem}.commit-message.txt")),
                human::update::commit_message(&r),
                "commit message",
            ));
        }
        std::fs::create_dir_all(dir)
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot create {}", dir.display()))?;
    }
    let mut written = Vec::new();
    for (path, text, what) in files {
        write(&path, &text)?;
        written.push((shown(&path), what));
    }
    Ok(written)
}

fn write(path: &Path, text: &str) -> miette::Result<()> {
    crate::config::lock::write_atomically(path, text.as_bytes())
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot write the report {}", path.display()))
}

fn print(
    global: &GlobalArgs,
    rep: &UpdateReport,
    written: &[(String, &'static str)],
) -> miette::Result<()> {
    if global.quiet {
        if global.format == super::Format::Human {
            return Ok(());
        }
        return super::print(global, Output::Update(rep));
    }
    if global.format == super::Format::Human {
        return super::write_stdout(&human::update::render(rep, global.style(), written));
    }
    super::print(global, Output::Update(rep))?;
    // stdout holds the JSON or Markdown document: say where the files went on stderr.
    for (path, what) in written {
        eprintln!("wrote {} ({what})", crate::report::text::inline(path));
    }
    Ok(())
}
