//! Command-line glue: argument parsing, global options, and the mapping from outcomes to exit
//! codes (0 clean, 1 findings/drift/broken patches, 2 the tool could not do its job). The work
//! itself lives in library modules; each `cli/<command>.rs` only wires them together.

// The command line is where output and errors reach the user: printing is allowed here.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

pub use crate::report::Format;
use crate::report::{Output, Style};

mod build;
mod check;
mod diff;
mod generate;
mod images;
mod init;
mod levels;
mod outdated;
mod sync;
mod template;
mod update;

/// Vendor upstream Kubernetes manifests and Helm charts, keep local changes as Kustomize
/// patches, and check all of it offline.
#[derive(Debug, Parser)]
#[command(
    name = "vendor",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts (listed under their own heading in every command's help).
#[derive(Debug, clap::Args, Clone)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Path to vendor.toml (default: search upward from the current directory).
    #[arg(long, global = true, value_name = "FILE")]
    pub manifest_path: Option<PathBuf>,
    /// Output format, where the command supports it.
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// When to use colour (NO_COLOR is respected by `auto`).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print only errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Print more about what is done.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Parallel network jobs in sync, outdated, update and check --online (default: 16).
    #[arg(short, long, global = true, value_name = "N")]
    pub jobs: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl GlobalArgs {
    /// Whether to colour output written to stdout.
    pub fn color_stdout(&self) -> bool {
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        }
    }

    /// How human output looks on stdout.
    pub fn style(&self) -> Style {
        Style {
            color: self.color_stdout(),
            quiet: self.quiet,
            terminal: std::io::stdout().is_terminal(),
        }
    }

    /// Whether to colour output written to stderr.
    pub fn color_stderr(&self) -> bool {
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stderr().is_terminal()
            }
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// CI gate: drift, patches, image policy (offline).
    Check(check::Args),
    /// Fetch the pinned versions into the upstream directory and write lock data.
    Sync(sync::Args),
    /// Show current, newest-in-range and newest versions.
    Outdated(outdated::Args),
    /// Move entries to newer versions, re-check patches, write the review report.
    Update(update::Args),
    /// Kubernetes-aware diff of two manifests, directories, or an entry against a new version.
    Diff(diff::Args),
    /// Build a kustomization directory (kustomize-compatible) to stdout.
    Build(build::Args),
    /// Render a Helm chart (helm-template-compatible) to stdout.
    Template(template::Args),
    /// List every image reference with its policy verdict.
    Images(images::Args),
    /// Write a commented starter vendor.toml in the current directory.
    Init(init::Args),
    /// Write shell completions, man pages or the JSON Schema of vendor.toml.
    Generate(generate::Args),
}

impl Command {
    /// The report kind (for the formats it supports) and the command's name.
    fn report(&self) -> (crate::report::Command, &'static str) {
        use crate::report::Command as R;
        match self {
            Command::Check(_) => (R::Check, "check"),
            Command::Sync(_) => (R::Sync, "sync"),
            Command::Outdated(_) => (R::Outdated, "outdated"),
            Command::Update(_) => (R::Update, "update"),
            Command::Diff(_) => (R::Diff, "diff"),
            Command::Build(_) => (R::Plain, "build"),
            Command::Template(_) => (R::Plain, "template"),
            Command::Images(_) => (R::Images, "images"),
            Command::Init(_) => (R::Plain, "init"),
            Command::Generate(_) => (R::Plain, "generate"),
        }
    }
}

/// What a command found, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing at error level: exit 0.
    Clean,
    /// Error-level findings, drift or broken patches: exit 1.
    Findings,
}

/// Parses the command line, runs the command and returns its exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    install_error_hook(&cli.global);
    let color_stderr = cli.global.color_stderr();
    crate::workspace::failpoint::setup();
    let result = run(cli);
    crate::workspace::temp::finish();
    match result {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(report) => {
            if is_broken_pipe(&report) {
                return ExitCode::SUCCESS;
            }
            eprint_report(&report, color_stderr);
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> miette::Result<Outcome> {
    let g = &cli.global;
    let (command, name) = cli.command.report();
    command.check_format(name, g.format)?;
    match cli.command {
        Command::Check(args) => check::run(g, args),
        Command::Sync(args) => sync::run(g, args),
        Command::Outdated(args) => outdated::run(g, args),
        Command::Update(args) => update::run(g, args),
        Command::Diff(args) => diff::run(g, args),
        Command::Build(args) => build::run(g, args),
        Command::Template(args) => template::run(g, args),
        Command::Images(args) => images::run(g, args),
        Command::Init(args) => init::run(g, args),
        Command::Generate(args) => generate::run(g, args),
    }
}

/// Prints an error on stderr. It may quote upstream text (file names, YAML, server replies), so
/// it is escaped like every report, keeping the colours the handler added on a terminal.
pub(crate) fn eprint_report(report: &miette::Report, color: bool) {
    let text = format!("{report:?}");
    let text = if color {
        crate::report::text::neutralise_commands(crate::report::text::lines_keep_colour(&text))
    } else {
        crate::report::text::terminal(&text)
    };
    eprintln!("{text}");
}

fn install_error_hook(g: &GlobalArgs) {
    let color = g.color_stderr();
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(
            miette::MietteHandlerOpts::new()
                .color(color)
                .unicode(color)
                .terminal_links(false)
                .width(100)
                .build(),
        )
    }));
}

fn is_broken_pipe(report: &miette::Report) -> bool {
    report.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Prints a command's output on stdout in the chosen format.
pub(crate) fn print(global: &GlobalArgs, output: Output<'_>) -> miette::Result<()> {
    let text = output
        .render(global.format, global.style())
        .ok_or_else(|| {
            miette::miette!("--format {} is not supported here", global.format.as_str())
        })?;
    write_stdout(&text)
}

/// Writes text to stdout (a closed pipe ends the command quietly, see `main`).
pub(crate) fn write_stdout(text: &str) -> miette::Result<()> {
    write_stdout_parts([text])
}

/// Writes `parts` to stdout one after the other (as [`write_stdout`] writes their
/// concatenation).
pub(crate) fn write_stdout_parts<'a>(
    parts: impl IntoIterator<Item = &'a str>,
) -> miette::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    parts
        .into_iter()
        .try_for_each(|part| out.write_all(part.as_bytes()))
        .and_then(|()| out.flush())
        .map_err(|e| miette::Report::new(WriteError(e)))
}

/// Writing to stdout failed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot write the output")]
struct WriteError(#[source] std::io::Error);

/// Finds and loads vendor.toml per `--manifest-path` or by searching upward.
pub(crate) fn load_config(global: &GlobalArgs) -> miette::Result<crate::config::Config> {
    let cwd = std::env::current_dir()
        .map_err(|e| miette::miette!("cannot read the current directory: {e}"))?;
    let path = crate::config::find(global.manifest_path.as_deref(), &cwd)?;
    Ok(crate::config::load(&path)?)
}

/// For commands that write the repository: finds vendor.toml, takes the repository lock (waiting
/// for another run with a message on stderr, or failing with `--no-wait`), completes or undoes
/// a change an interrupted run left, loads vendor.toml, and removes leftovers. The lock is held
/// until the returned guard is dropped.
pub(crate) fn load_config_for_write(
    global: &GlobalArgs,
    command: &str,
    no_wait: bool,
) -> miette::Result<(crate::config::Config, crate::workspace::RepoLock)> {
    use crate::workspace::repo_lock::Wait;
    let cwd = std::env::current_dir()
        .map_err(|e| miette::miette!("cannot read the current directory: {e}"))?;
    let path = crate::config::find(global.manifest_path.as_deref(), &cwd)?;
    let root = path
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let wait = if no_wait { Wait::No } else { Wait::Yes };
    let quiet = global.quiet;
    let lock = crate::workspace::RepoLock::acquire(
        &root,
        &format!("vendor {command}"),
        wait,
        |lock, holder| {
            if !quiet {
                eprintln!(
                    "waiting for {holder} to release {} (--no-wait fails instead)",
                    lock.display()
                );
            }
        },
    )?;
    if let Some(r) = crate::workspace::txn::recover(&root)? {
        let what: Vec<String> = r
            .trees
            .iter()
            .chain(r.file.iter())
            .map(|p| p.display().to_string())
            .collect();
        let how = if r.completed {
            "completed".to_string()
        } else {
            format!(
                "rolled back ({})",
                r.reason.as_deref().unwrap_or("it could not be completed")
            )
        };
        eprintln!(
            "recovered the change interrupted in process {}: {how}: {}",
            r.pid,
            what.join(", ")
        );
    }
    let config = crate::config::load(&path)?;
    let upstream = config.root.join(&config.settings.upstream_dir);
    let removed = crate::workspace::txn::sweep(&config.path, &upstream)?;
    if global.verbose {
        for p in removed {
            eprintln!("removed what an interrupted run left: {}", p.display());
        }
    }
    crate::workspace::failpoint::hit("after-recovery")
        .map_err(|e| miette::miette!("stopped after recovery: {e}"))?;
    Ok((config, lock))
}

/// The error for a NAME argument that is not an entry: the closest names, or every entry when
/// none is close.
pub(crate) fn unknown_entry(config: &crate::config::Config, name: &str) -> miette::Report {
    let names: Vec<&str> = config.entries.iter().map(|e| e.name.as_str()).collect();
    let help = match crate::diag::did_you_mean(&config.similar_entries(name)) {
        Some(d) => format!(
            "{d} (entries in {}: {})",
            config.path.display(),
            names.join(", ")
        ),
        None => format!("entries in {}: {}", config.path.display(), names.join(", ")),
    };
    miette::miette!(
        help = help,
        "`{name}` is not an entry of {}",
        config.path.display()
    )
}

/// Fails with [`unknown_entry`] for the first of `names` that is not an entry.
pub(crate) fn check_entries(
    config: &crate::config::Config,
    names: &[String],
) -> miette::Result<()> {
    match names.iter().find(|n| config.entry(n).is_none()) {
        Some(n) => Err(unknown_entry(config, n)),
        None => Ok(()),
    }
}
