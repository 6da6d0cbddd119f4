//! [`HelmError`]: why loading or rendering a chart failed, with Helm's error texts.

/// Why rendering failed. `Display` is Helm's error text (what `helm template` prints after
/// `Error: `).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HelmError {
    /// Chart.yaml metadata is invalid.
    #[error("validation: {0}")]
    Validation(String),
    /// A chart archive is malformed or hostile.
    #[error("{message}")]
    Archive { path: String, message: String },
    /// A file could not be read.
    #[error("{message}")]
    Io { path: String, message: String },
    /// Any other error before rendering started (values, dependencies, release name...).
    #[error("{0}")]
    Message(String),
    /// An error while rendering or sorting the output; Helm adds a `--debug` hint to these,
    /// and with `--debug` prints the partial output first.
    #[error("{message}")]
    Render {
        message: String,
        /// What `--debug` prints before the error.
        partial: String,
    },
}
