//! The report layer: one model of what the commands produce ([`model`]) and one printer per
//! output format ([`human`], [`json`], [`markdown`], [`github`], [`sarif`]), plus progress on
//! stderr ([`progress`]). Printers only format; deciding levels and exit codes is the caller's
//! business. Nothing else in the app prints. Upstream text reaches a terminal or a CI log only
//! through [`text`] (visible escapes, no workflow commands).

pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod model;
pub mod progress;
pub mod sarif;
pub mod text;
mod values;

use crate::diag::Finding;
use model::{CheckReport, ImagesReport, OutdatedRow, SyncReport, UpdateReport};

/// Output formats (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Markdown,
    Github,
    Sarif,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Markdown => "markdown",
            Format::Github => "github",
            Format::Sarif => "sarif",
        }
    }
}

/// How human output looks.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
    /// Errors only.
    pub quiet: bool,
    /// stdout is a terminal: tables are aligned, with a header (`images`); in a pipe they are
    /// tab-separated lines, for `cut` and `awk`.
    pub terminal: bool,
}

/// What the two sides of a diff are called, and whether to colour it.
#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// How the old side is named in headers (a path, a version).
    pub old_label: String,
    pub new_label: String,
    /// ANSI colours (human format only).
    pub color: bool,
}

/// Something a command prints.
pub enum Output<'a> {
    Check(&'a CheckReport),
    Diff(&'a kdiff::DiffReport<'a>, &'a DiffOptions),
    Sync(&'a SyncReport),
    Outdated(&'a [OutdatedRow]),
    Images(&'a ImagesReport),
    Update(&'a UpdateReport),
}

/// The commands, for the formats each supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Check,
    Diff,
    Sync,
    Outdated,
    Images,
    Update,
    /// Commands whose output is YAML or files (`build`, `template`, `init`, `generate`).
    Plain,
}

impl Command {
    /// The formats the command supports; the first is the default.
    pub fn formats(self) -> &'static [Format] {
        use Format::*;
        match self {
            Command::Check => &[Human, Json, Github, Sarif],
            Command::Diff => &[Human, Json, Markdown, Github],
            Command::Update => &[Human, Json, Markdown],
            Command::Sync | Command::Outdated | Command::Images => &[Human, Json],
            Command::Plain => &[Human],
        }
    }

    /// `Err` with the message a command gives for a format it does not support.
    pub fn check_format(self, name: &str, format: Format) -> Result<(), UnsupportedFormat> {
        if self.formats().contains(&format) {
            return Ok(());
        }
        Err(UnsupportedFormat {
            command: name.to_string(),
            format,
            supported: self
                .formats()
                .iter()
                .map(|f| f.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }
}

/// A `--format` the command does not support.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("`vendor {command}` does not support --format {}", format.as_str())]
#[diagnostic(help("use --format {supported}"))]
pub struct UnsupportedFormat {
    pub command: String,
    pub format: Format,
    pub supported: String,
}

impl Output<'_> {
    fn command(&self) -> Command {
        match self {
            Output::Check(_) => Command::Check,
            Output::Diff(..) => Command::Diff,
            Output::Sync(_) => Command::Sync,
            Output::Outdated(_) => Command::Outdated,
            Output::Images(_) => Command::Images,
            Output::Update(_) => Command::Update,
        }
    }

    /// The output in `format`, or `None` when the command does not support it (callers check
    /// with [`Command::check_format`] before doing any work).
    pub fn render(&self, format: Format, style: Style) -> Option<String> {
        if !self.command().formats().contains(&format) {
            return None;
        }
        Some(match (self, format) {
            (Output::Check(r), Format::Human) => {
                human::findings::render(r, style.color, style.quiet)
            }
            (Output::Check(r), Format::Json) => json::findings::render(r),
            (Output::Check(r), Format::Github) => github::findings::render(r),
            (Output::Check(r), Format::Sarif) => sarif::render(r),
            (Output::Diff(d, o), Format::Human) => human::diff::render(d, o),
            (Output::Diff(d, o), Format::Json) => json::diff::render(d, o),
            (Output::Diff(d, o), Format::Markdown) => markdown::diff::render(d, o),
            (Output::Diff(d, o), Format::Github) => github::diff::render(d, o),
            (Output::Sync(r), Format::Json) => json::tables::sync(r),
            (Output::Sync(r), _) => human::tables::sync(r),
            (Output::Outdated(r), Format::Json) => json::tables::outdated(r),
            (Output::Outdated(r), _) => human::tables::outdated(r),
            (Output::Images(r), Format::Json) => json::tables::images(r),
            (Output::Images(r), _) if style.terminal => human::tables::images_table(r, style.color),
            (Output::Images(r), _) => human::tables::images(r),
            (Output::Update(r), Format::Json) => json::update::render(r),
            (Output::Update(r), Format::Markdown) => markdown::update::render(r),
            (Output::Update(r), _) => human::update::render(r, style, &[]),
            _ => return None,
        })
    }
}

/// `file:line:col` (or just the file) of a finding.
pub(crate) fn location(f: &Finding) -> Option<String> {
    let file = f.file.as_ref()?;
    Some(match f.pos {
        Some(p) => format!("{file}:{}:{}", p.line, p.column),
        None => file.clone(),
    })
}
