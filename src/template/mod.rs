//! A Go `text/template` engine with the Sprig v3 function set and Helm's engine-level functions
//! (`include`, `tpl`, `required`, `fail`, `toYaml`, `fromYaml`, `lookup`, ...).
//!
//! This module knows nothing about charts: the `helm` module loads charts, builds the data
//! ([`GoValue`] maps plus [`GoObject`]s for `.Files`, `.Capabilities`, `.Chart`), registers every
//! template file in one [`Templates`] set (as Helm does: one Go template with associated
//! templates) and executes each file by name.
//!
//! Fidelity notes (Go / Helm behaviour reproduced here):
//! - Missing map keys evaluate to a nil value that prints `<no value>` (Go's default and Helm's
//!   `missingkey=zero` print the same for `map[string]interface{}`). Helm replaces `<no value>` by
//!   the empty string in every rendered file and in `tpl` output; `tpl` does it here, the caller
//!   does it for whole files (see [`Templates::execute`]).
//! - Values decoded from YAML files are `float64` in Helm (sigs.k8s.io/yaml goes through JSON):
//!   use [`GoValue::from_yaml_as_json`] for them, [`GoValue::from_yaml`] keeps integers.
//! - Error texts are Go's: `template: NAME:LINE:COL: executing "NAME" at <.Values.x>: ...` and
//!   parse errors `template: NAME:LINE: ...`. `required` and `fail` messages are wrapped in
//!   `HELM_ERR_START...HELM_ERR_END` as Helm's engine does; Helm's `cleanupExecError` /
//!   `cleanupParseError` (the `execution error at (FILE:LINE:COL): MSG` form) belong to the
//!   caller and work on `TemplateError::to_string()` ([`TemplateError::Exec`] is Go's ExecError).
//! - `include` keeps Helm's per-name nesting limit (1000, `rendering template has a nested
//!   reference name: NAME: unable to execute template`); `tpl` parses its text as template
//!   `gotpl` (Helm's set name) in a layer that sees every file's `define`s, so its errors read
//!   `template: gotpl:1:3: ...`. `tpl` nesting is bounded too (Helm has no bound and crashes).
//! - `lookup` returns an empty map and `getHostByName` "", as `helm template` does. Uses of
//!   `lookup` and of functions whose output changes on every render (`randAlphaNum`, `uuidv4`,
//!   `now`, ...) are recorded as [`Notice`]s ([`Templates::take_notices`]) for warnings.
//! - Sprig's crypto functions (`genCA`, `genSignedCert`, `genPrivateKey`, `encryptAES`, ...)
//!   make real keys and certificates (random, so recorded as notices); `derivePassword`,
//!   `decryptAES`, `toDate`, `dateModify`, `durationRound`, `urlJoin` are exact. DSA keys fail
//!   with an error naming them. `dateInZone` reads the system zone database as Go does
//!   (unknown names fall back to UTC, as in Sprig). See `funcs/crypto`, `funcs/dates`.
//! - Sprig regex functions take Go RE2 syntax: Go's ASCII-only `\d \w \s \b` are translated
//!   for Rust's `regex`, which is Unicode-aware by default.
//! - Known approximations: Go's `int` and `int64` are one type here (`typeOf` says `int`); the
//!   receiver type in `can't evaluate field X in type T` is `interface {}` for values reached
//!   through maps, lists or `range`, else the value's own type (Go's static type tracking is
//!   richer); Go's random map order in Sprig's `keys`/`values` is replaced by sorted order.
//!
//! Typical use (what `helm` does for a chart):
//! ```ignore
//! let mut set = Templates::new();
//! for (name, text) in files { set.add("mychart/templates/x.yaml", text)?; } // parse all first
//! let data = GoValue::from(map_of(Values, Chart, Release, Capabilities, Files, Template));
//! let out = set.execute("mychart/templates/x.yaml", &data, &ExecOptions::default())?;
//! let out = out.replace("<no value>", "");                            // as Helm does
//! for n in set.take_notices() { /* warn: n.function used in n.template:n.line */ }
//! ```
//! Objects: implement [`GoObject`] (`field` for `.Chart.Name`, `has_method` + `method` for
//! `.Files.Get "x"` / `.Capabilities.APIVersions.Has "v1"`, `string` for printing like Go's
//! `String()`, `to_value` for `toYaml`/`toJson`).
//!
//! Layout: `value` (the dynamic value), `lex`/`parse` (text to tree), `exec` (tree walking),
//! `gofmt` (Go's fmt verbs), `funcs` (builtins, Sprig, Helm).

mod exec;
mod funcs;
mod gofmt;
mod lex;
mod parse;
mod value;
mod yaml_bridge;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

pub use value::{GoObject, GoValue, MapRef};

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
    /// (from `include` or `tpl`), exactly as Go nests them.
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
    /// associated with template "y"`, or `fail`/`required` messages bubbling out of `include`).
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

/// What a missing map key evaluates to (Go's `missingkey` option).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingKey {
    /// `missingkey=default` / `missingkey=zero` for `map[string]interface{}`: a nil value,
    /// printed as `<no value>`. What `helm template` uses.
    #[default]
    Zero,
    /// `missingkey=error`: fail with `map has no entry for key "x"` (Helm's `--strict` lint).
    Error,
}

/// Settings for one execution.
#[derive(Debug, Clone)]
pub struct ExecOptions {
    pub missing_key: MissingKey,
    /// Result of `getHostByName` is "" unless DNS is enabled (Helm's `--enable-dns`, off by
    /// default); we never resolve names, so this only documents the behaviour.
    pub enable_dns: bool,
    /// Maximum nesting of `include` of the same template name (Helm: 1000).
    pub max_include_depth: usize,
    /// Maximum nesting of `{{template}}` calls (Go: 100000; lower here to bound the stack).
    pub max_exec_depth: usize,
    /// Maximum size of one execution's output; beyond it execution stops with an error.
    pub max_output_bytes: usize,
}

impl Default for ExecOptions {
    fn default() -> Self {
        ExecOptions {
            missing_key: MissingKey::Zero,
            enable_dns: false,
            max_include_depth: 1000,
            max_exec_depth: 10_000,
            max_output_bytes: 256 << 20,
        }
    }
}

/// Something a render used that makes its output not reproducible offline, recorded for warnings.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Notice {
    /// The function name, e.g. `lookup`, `randAlphaNum`, `genCA`, `uuidv4`, `now`.
    pub function: String,
    /// The template (file) name executing when it was called, and the line of the call.
    pub template: String,
    pub line: usize,
}

/// A set of named templates sharing one namespace of `define`d names (Go's template with its
/// associated templates). Later definitions of a name replace earlier ones, as in Go.
#[derive(Default)]
pub struct Templates {
    trees: HashMap<String, Rc<parse::Tree>>,
    notices: RefCell<Vec<Notice>>,
}

impl Templates {
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses `text` as the template `name`, registering the templates it `define`s. A later
    /// definition of a name replaces an earlier one unless its body is empty (Go's rule), so
    /// add files in Helm's parse order (its `sortTemplates`) for the same winner.
    /// Functions are resolved at parse time as in Go: an unknown function is a parse error
    /// (`template: NAME:LINE: function "x" not defined`).
    pub fn add(&mut self, name: &str, text: &str) -> Result<(), TemplateError> {
        let parsed = parse::parse(name, text, &funcs::is_known)?;
        for (def_name, tree) in parsed {
            // Go: an empty (whitespace-only) body does not replace an existing definition.
            if tree.is_empty_body() && self.trees.contains_key(&def_name) {
                continue;
            }
            self.trees.insert(def_name, Rc::new(tree));
        }
        Ok(())
    }

    /// True when a template of that name exists (a file or a `define`).
    pub fn contains(&self, name: &str) -> bool {
        self.trees.contains_key(name)
    }

    /// Names of all templates, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.trees.keys().cloned().collect();
        v.sort();
        v
    }

    /// Executes the template `name` with `data` as dot (and `$`). The output is Go's raw output:
    /// Helm then replaces every `<no value>` by "" (the caller's job, see module docs).
    pub fn execute(
        &self,
        name: &str,
        data: &GoValue,
        opts: &ExecOptions,
    ) -> Result<String, TemplateError> {
        exec::execute(self, name, data, opts)
    }

    /// Takes the notices (non-reproducible function uses) recorded since the last call.
    pub fn take_notices(&self) -> Vec<Notice> {
        std::mem::take(&mut self.notices.borrow_mut())
    }

    /// Names of every function templates may call (Go builtins, Sprig, Helm), sorted.
    pub fn function_names() -> Vec<&'static str> {
        funcs::names()
    }

    pub(crate) fn tree(&self, name: &str) -> Option<&Rc<parse::Tree>> {
        self.trees.get(name)
    }

    pub(crate) fn notice(&self, n: Notice) {
        self.notices.borrow_mut().push(n);
    }
}

#[cfg(test)]
mod tests;
