//! Execution settings ([`ExecOptions`], [`MissingKey`]) and what an execution records
//! ([`Notice`]).

/// What a missing map key evaluates to (Go's `missingkey` option).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingKey {
    /// `missingkey=default` / `missingkey=zero` for `map[string]interface{}`: a nil value,
    /// printed as `<no value>`.
    #[default]
    Zero,
    /// `missingkey=error`: fail with `map has no entry for key "x"`.
    Error,
}

/// Settings for one execution.
#[derive(Debug, Clone)]
pub struct ExecOptions {
    pub missing_key: MissingKey,
    /// Bound for functions that nest executions (an `include`-like function re-entering the
    /// same name): they read it through [`Context::options`](crate::Context::options) and
    /// compare it with [`Context::depth`](crate::Context::depth). Default 1000 (Helm's bound).
    pub max_nesting: usize,
    /// Maximum nesting of `{{template}}` calls (Go: 100000; lower here to bound the stack).
    pub max_exec_depth: usize,
    /// Maximum size of one execution's output; beyond it execution stops with an error.
    pub max_output_bytes: usize,
}

impl Default for ExecOptions {
    fn default() -> Self {
        ExecOptions {
            missing_key: MissingKey::Zero,
            max_nesting: 1000,
            max_exec_depth: 10_000,
            max_output_bytes: 256 << 20,
        }
    }
}

/// A use of a function recorded by [`Context::notice`](crate::Context::notice), e.g. one
/// whose output makes a render not reproducible.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Notice {
    /// The function name, e.g. `lookup`, `randAlphaNum`, `now`.
    pub function: String,
    /// The template (file) name executing when it was called, and the line of the call.
    pub template: String,
    pub line: usize,
}
