//! Errors from reading vendor.toml. Validation collects every [`Problem`] before failing, so the
//! user sees the whole list in one run; each problem points at file:line:col with a help line.

use std::path::PathBuf;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceSpan};

use crate::diag::Pos;

/// One thing wrong in vendor.toml.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub message: String,
    /// Byte range in vendor.toml the problem is about.
    pub span: std::ops::Range<usize>,
    /// Short text under the underlined span.
    pub label: String,
    pub help: Option<String>,
}

impl Problem {
    pub fn new(message: impl Into<String>, span: std::ops::Range<usize>) -> Self {
        Problem {
            message: message.into(),
            span,
            label: "here".into(),
            help: None,
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// A problem rendered with the file it points into.
#[derive(Debug, thiserror::Error)]
#[error("{}", problem.message)]
pub struct LocatedProblem {
    pub problem: Problem,
    pub src: NamedSource<Arc<String>>,
}

impl Diagnostic for LocatedProblem {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        None
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.problem
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = SourceSpan::from(self.problem.span.clone());
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(self.problem.label.clone()),
            span,
        ))))
    }
}

/// Why vendor.toml could not be used.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ConfigError {
    #[error("no vendor.toml in {} or any parent directory", start.display())]
    #[diagnostic(help(
        "run vendor in a repository that has a vendor.toml, or pass --manifest-path FILE"
    ))]
    NotFound { start: PathBuf },

    #[error("cannot read {}", path.display())]
    #[diagnostic(help("check that the file exists and is readable"))]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{}:{}:{}: not valid UTF-8", path.display(), pos.line, pos.column)]
    #[diagnostic(help("save the file as UTF-8"))]
    NotUtf8 { path: PathBuf, pos: Pos },

    #[error("{} has {} problem{}", path.display(), problems.len(), if problems.len() == 1 { "" } else { "s" })]
    Invalid {
        path: PathBuf,
        #[related]
        problems: Vec<LocatedProblem>,
    },
}

impl ConfigError {
    /// The problems of an invalid file (empty for other errors).
    pub fn problems(&self) -> Vec<&Problem> {
        match self {
            ConfigError::Invalid { problems, .. } => problems.iter().map(|p| &p.problem).collect(),
            _ => Vec::new(),
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn pos_of(source: &str, offset: usize) -> Pos {
    let offset = offset.min(source.len());
    let before = &source[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = source[line_start..offset].chars().count() as u32 + 1;
    Pos { line, column }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pos_of_counts_lines_and_chars() {
        let s = "a = 1\nbé = 2\n";
        assert_eq!(pos_of(s, 0), Pos { line: 1, column: 1 });
        assert_eq!(pos_of(s, 6), Pos { line: 2, column: 1 });
        assert_eq!(pos_of(s, 9), Pos { line: 2, column: 3 });
        assert_eq!(pos_of(s, 1000), Pos { line: 3, column: 1 });
    }
}
