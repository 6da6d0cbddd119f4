//! A Go `text/template` engine: lexer, parser and executor with Go's semantics and Go's error
//! texts, the dynamic value model ([`GoValue`], [`GoObject`]), Go's `fmt` verbs ([`gofmt`]),
//! Go's builtin functions (`and`, `or`, `not`, `len`, `index`,
//! `print`, `printf`, `println`, `eq`, `ne`, `lt`, `le`, `gt`, `ge`, `html`, `js`,
//! `urlquery`, `call`) and a function-registration API ([`FuncMap`]).
//!
//! What it deliberately does not know: any function library (Sprig lives in the `sprig`
//! crate), Helm (charts, `include`, `tpl`, `toYaml`: the `helm-render` crate registers those
//! through the same [`FuncMap`] API), YAML or JSON. Functions get a [`Context`] with what
//! they legitimately need: recording [`Notice`]s, executing a named template of the set
//! ([`Context::execute_template`], what Helm's `include` needs), parsing and executing a text
//! in a layer above the set ([`Context::execute_text`], what Helm's `tpl` needs), per-name
//! nesting counts to bound recursion ([`Context::depth`], [`Context::nested`]) and the
//! [`ExecOptions`].
//!
//! Fidelity notes (Go behaviour reproduced here):
//! - Missing map keys evaluate to a nil value that prints `<no value>` (Go's default and
//!   `missingkey=zero` print the same for `map[string]interface{}`); [`MissingKey::Error`] is
//!   `missingkey=error`.
//! - Error texts are Go's: `template: NAME:LINE:COL: executing "NAME" at <.Values.x>: ...` and
//!   parse errors `template: NAME:LINE: ...` ([`TemplateError`]); a function's [`FuncError`]
//!   reads `error calling NAME: MESSAGE` inside it.
//! - Functions are resolved at parse time: an unknown name is a parse error
//!   (`function "x" not defined`), so a template using a function nobody registered fails
//!   clearly instead of rendering differently.
//! - Known approximations: Go's `int` and `int64` are one type here; the receiver type in
//!   `can't evaluate field X in type T` is `interface {}` for values reached through maps,
//!   lists or `range`, else the value's own type (Go's static type tracking is richer).
//!
//! ```
//! use std::sync::Arc;
//! use gotemplate::{ExecOptions, FuncError, FuncMap, GoValue, Param, Templates};
//!
//! let mut funcs = FuncMap::new();
//! funcs.insert("shout", &[Param::Str], None, |_ctx, args| {
//!     let s = args[0].as_str().unwrap_or("");
//!     if s.is_empty() {
//!         return Err(FuncError::new("nothing to shout"));
//!     }
//!     Ok(GoValue::from(s.to_uppercase()))
//! });
//! let mut set = Templates::new(Arc::new(funcs));
//! set.add("greeting", r#"{{ define "name" }}{{ .name }}{{ end }}hello {{ template "name" . }}, {{ .name | shout | printf "%q" }}"#)
//!     .unwrap();
//! let mut data = std::collections::BTreeMap::new();
//! data.insert("name".to_string(), GoValue::from("gopher"));
//! let out = set
//!     .execute("greeting", &GoValue::from(data), &ExecOptions::default())
//!     .unwrap();
//! assert_eq!(out, r#"hello gopher, "GOPHER""#);
//!
//! // Unknown functions fail at parse time, with Go's text.
//! let err = set.add("bad", "{{ whisper . }}").unwrap_err();
//! assert_eq!(err.to_string(), r#"template: bad:1: function "whisper" not defined"#);
//! ```
//!
//! Objects: implement [`GoObject`] (`field` for `.Chart.Name`, `has_method` + `method` for
//! `.Files.Get "x"`, `string` for printing like Go's `String()`, `to_value` for data
//! encoders).
//!
//! Layout (no module cycles): `value` (the dynamic value) and `error`/`options` are leaves;
//! `gofmt` (Go's fmt verbs) uses `value`; `lex`/`parse` turn text into trees; `funcmap`
//! (registration and [`Context`]) and `builtins` sit below `exec` (tree walking), and `set`
//! ([`Templates`]) uses `exec`.

mod builtins;
mod error;
mod exec;
mod funcmap;
pub mod gofmt;
mod lex;
mod options;
mod parse;
mod set;
mod value;

pub use builtins::names as builtin_names;
pub use error::{FuncError, TemplateError};
pub use funcmap::{Context, Func, FuncImpl, FuncMap, Param};
pub use options::{ExecOptions, MissingKey, Notice};
pub use set::Templates;
pub use value::{GoObject, GoValue, MapRef};

#[cfg(test)]
mod tests;
