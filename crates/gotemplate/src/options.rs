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
    /// Maximum output of one execution, counting every byte written by it and by the
    /// executions it starts (`include`, `tpl`); beyond it execution stops with an error
    /// naming the template and line (see [`is_resource_limit`](crate::is_resource_limit)).
    pub max_output_bytes: usize,
    /// Largest string or byte value (in bytes) or list (in elements) a function may build:
    /// functions that allocate from an argument (`randBytes`, `repeat`, `indent`, `until`,
    /// `printf` widths...) refuse more before allocating, and any larger function result is
    /// an error.
    pub max_value_bytes: usize,
}

impl Default for ExecOptions {
    fn default() -> Self {
        ExecOptions {
            missing_key: MissingKey::Zero,
            max_nesting: 1000,
            max_exec_depth: 10_000,
            max_output_bytes: 64 << 20,
            max_value_bytes: 64 << 20,
        }
    }
}

/// The words every resource-limit error carries (`... exceeds vendor's limit of N ...`).
pub const LIMIT_MARKER: &str = "exceeds vendor's limit";

/// Whether an error text (a [`TemplateError`](crate::TemplateError), a
/// [`FuncError`](crate::FuncError) or a text that embeds one, as Helm's errors do) reports a
/// resource limit of this engine rather than a template error Go would also raise: callers
/// use it to give such failures their own exit code.
pub fn is_resource_limit(message: &str) -> bool {
    message.contains(LIMIT_MARKER)
}

/// The error text for a value of `size` `unit`s (bytes, elements) built by `what` beyond
/// `limit`.
pub fn limit_message(what: &str, size: u128, unit: &str, limit: usize) -> String {
    format!("{what}: {size} {unit} {LIMIT_MARKER} of {limit} {unit}")
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
