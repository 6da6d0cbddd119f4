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
//! - Number literals are read as Go's parser reads them ([`strconv`]): `0x1p10`, `0o17`,
//!   `1_000`, `.5`, `1e3`, `'a'`, imaginary `1i` and complex `1+2i` constants, with Go's
//!   errors (`integer overflow`, `illegal number syntax`, `bad number syntax`) and Go's typing
//!   of constants (`1e3` is a float64, `0x1E` an int, `9223372036854775808` overflows int).
//! - `int` and `int64` are distinct ([`GoValue::Int`], [`GoValue::Int64`]): they print and
//!   compare alike, but a parameter of type `int` refuses an `int64` as Go does.
//! - A nil that came out of a map or a ranged list is a typed nil: a typed parameter refuses it
//!   (`wrong type for value; expected string; got interface {}`), a literal `nil` or a
//!   pipeline's nil result is accepted by map and slice parameters.
//! - Resource limits ([`ExecOptions::max_output_bytes`] for everything an execution writes,
//!   [`ExecOptions::max_value_bytes`] for a function's result) stop hostile templates with an
//!   error naming the template and line; [`is_resource_limit`] tells those errors apart.
//! - Known approximations: the receiver type in `can't evaluate field X in type T` is
//!   `interface {}` for values reached through maps, lists or `range`, else the value's own
//!   type (Go's static type tracking is richer); other Go integer types (`uint8` of a byte)
//!   are `int`.
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
//! encoders, `type_name`/`kind` for `typeOf`/`kindOf`). An object that is a Go map or slice
//! underneath (Helm's `.Files.Glob` result, a `map[string][]byte`; `.Capabilities.APIVersions`,
//! a `[]string`) implements [`GoObject::entries`] or [`GoObject::items`]: then `range` with
//! one or two variables, `len`, `index`, truth and Sprig's list and dict functions see its
//! elements, while its methods keep working. [`GoValue::typed_list`] and
//! [`GoValue::typed_map`] make such values for Go's typed slices and maps (`[]string` from
//! `keys`, `map[string]string` from `split`).
//!
//! ```
//! use gotemplate::{ExecOptions, FuncMap, GoObject, GoValue, Templates};
//! use std::sync::Arc;
//!
//! /// A `[]string`-based Go type with a method, like Helm's `VersionSet`.
//! struct Versions(Vec<String>);
//! impl GoObject for Versions {
//!     fn type_name(&self) -> &str { "chartutil.VersionSet" }
//!     fn kind(&self) -> &str { "slice" }
//!     fn items(&self) -> Option<Vec<GoValue>> {
//!         Some(self.0.iter().map(|v| GoValue::from(v.as_str())).collect())
//!     }
//!     fn has_method(&self, name: &str) -> bool { name == "Has" }
//!     fn method(&self, name: &str, args: &[GoValue]) -> Option<Result<GoValue, gotemplate::FuncError>> {
//!         (name == "Has").then(|| Ok(GoValue::Bool(self.0.iter().any(|v| Some(v.as_str()) == args[0].as_str()))))
//!     }
//! }
//! let mut set = Templates::new(Arc::new(FuncMap::new()));
//! set.add("t", r#"{{ len . }}:{{ range $i, $v := . }} {{ $i }}={{ $v }}{{ end }} {{ index . 1 }} {{ .Has "v1" }}"#).unwrap();
//! let data = GoValue::object(Versions(vec!["v1".into(), "apps/v1".into()]));
//! let out = set.execute("t", &data, &ExecOptions::default()).unwrap();
//! assert_eq!(out, "2: 0=v1 1=apps/v1 apps/v1 true");
//! ```
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
pub use go_strconv as strconv;
mod value;

pub use builtins::names as builtin_names;
pub use error::{FuncError, TemplateError};
pub use funcmap::{Context, Func, FuncImpl, FuncMap, Param};
pub use options::{
    ExecOptions, LIMIT_MARKER, MissingKey, Notice, is_resource_limit, limit_message,
};
pub use set::Templates;
pub use value::{GoObject, GoValue, MapRef};

#[cfg(test)]
mod tests;
