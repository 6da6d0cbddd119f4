//! The engine's errors: [`TemplateError`] (parse and execution errors with Go's texts) and
//! [`FuncError`] (what a registered function returns).

use std::fmt;

/// An error from parsing or executing a template. `Display` is exactly Go's error text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TemplateError {
    /// A syntax error: `template: NAME:LINE: MESSAGE`.
    #[error("template: {name}:{line}: {message}")]
    Parse {
        name: String,
        line: usize,
        message: String,
    },
    /// An execution error (Go's `template.ExecError`):
    /// `template: FILE:LINE:COL: executing "NAME" at <CONTEXT>: MESSAGE`, where FILE is the
    /// source the failing node was parsed from and NAME the template being executed (they
    /// differ inside a `define`). `message` may itself contain the text of a nested error
    /// (from a function that executes templates), exactly as Go nests them.
    #[error("{}", exec_text(.file, *.line, *.col, .name, .context, .message))]
    Exec {
        file: String,
        line: usize,
        col: usize,
        name: String,
        context: String,
        message: String,
    },
    /// An error with no template position (Go's plain errors, e.g. `template: no template "x"
    /// associated with template "y"`).
    #[error("{0}")]
    Other(String),
}

fn exec_text(
    file: &str,
    line: usize,
    col: usize,
    name: &str,
    context: &str,
    message: &str,
) -> String {
    format!("template: {file}:{line}:{col}: executing \"{name}\" at <{context}>: {message}")
}

/// The error of a template function (or of a [`GoObject`](crate::GoObject) method). `Display`
/// is the message alone; the executor reports it as Go reports a function's error:
/// `error calling NAME: MESSAGE` inside a [`TemplateError::Exec`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuncError {
    message: String,
}

impl FuncError {
    pub fn new(message: impl Into<String>) -> Self {
        FuncError {
            message: message.into(),
        }
    }

    /// The message, as it will appear after `error calling NAME: `.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for FuncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FuncError {}

impl From<String> for FuncError {
    fn from(message: String) -> Self {
        FuncError { message }
    }
}

impl From<&str> for FuncError {
    fn from(message: &str) -> Self {
        FuncError::new(message)
    }
}

/// A template error raised inside a function (a nested execution) keeps its Go text.
impl From<TemplateError> for FuncError {
    fn from(e: TemplateError) -> Self {
        FuncError::new(e.to_string())
    }
}
