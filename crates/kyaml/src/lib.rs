//! The YAML data model shared by every stage: a JSON-like [`Value`] tree (what Kubernetes and Helm
//! see after decoding), a parser that resolves scalars per [`Dialect`] and keeps line/column
//! positions for diagnostics, and an emitter ([`to_string`]) that writes exactly what Go's
//! `sigs.k8s.io/yaml.Marshal` writes (the format of `kustomize build` output and of Helm's
//! `toYaml`). Input is `&str`: decoding bytes (and rejecting non-UTF-8) is the caller's job.
//!
//! Mapping keys that are not strings become their string form as `sigs.k8s.io/yaml` converts
//! them (`0x1F` -> `"31"`, `true` -> `"true"`); a null key is an error.
//!
//! Hostile input is bounded: aliases may add at most max(1,000,000, 10 x events) nodes, nesting
//! (aliases included) stops at 1,000 levels, and nothing recurses on the input's depth while
//! parsing. Where Go would fail to marshal (NaN/infinite floats, strings with C1 controls or
//! U+FFFE/U+FFFF that the JSON re-read rejects), [`to_string`] still writes go-yaml's form.
//!
//! ```
//! use kyaml::{Dialect, Value};
//!
//! let docs = kyaml::parse_documents("a: yes\nb: 0644\n", Dialect::Helm).unwrap();
//! assert_eq!(docs[0].value.get("a"), Some(&Value::Bool(true)));
//! assert_eq!(kyaml::to_string(&docs[0].value), "a: true\nb: 420\n");
//! ```

mod chunked;
mod emit;
mod gofmt;
mod kyaml;
mod locate;
pub mod manifest;
pub mod map;
mod parse;
mod resolve;
mod simple;
mod sort;
#[cfg(test)]
mod test_rng;
mod value;

use std::fmt;

pub use chunked::{
    Piece, ReadPiece, parse_documents_parallel, parse_pieces, parse_read_pieces, read_pieces,
};
pub use emit::{to_string, to_string_v3};
pub use locate::{PathSeg, locate};
pub use map::Map;
pub use parse::{SIGS_NULL_KEY, parse_documents, parse_first, parse_one};
pub use value::{Str, Value};

/// The value an untagged plain scalar with this text has under `dialect`'s rules (what a
/// YAML reader makes of `key: <text>`): `"1"` is the integer 1, `"true"` a bool, `""` null.
pub fn resolve_scalar(text: &str, dialect: Dialect) -> Value {
    resolve::resolve_plain(text, dialect).into_value(std::borrow::Cow::Borrowed(text))
}

/// A place in a file, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

/// Which YAML reader's scalar rules to follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// How kustomize (kyaml, go-yaml v3) reads YAML: only `true`/`false` (and their `True`/`TRUE`
    /// forms) are bools, `yes` is a string, `0644` is the int 420 (Go `ParseInt` base 0), `0o644`,
    /// `0x1F`, `.inf`; `~`/`null`/empty are null. A bare `=` is the string `"="`. Duplicate
    /// mapping keys are an error; for merge keys (`<<`) the mapping's own keys win. Folded (`>`) scalars get kustomize's round-trip quirk (see
    /// `kyaml.rs`).
    Kube,
    /// How Helm reads values files and `fromYaml` (`sigs.k8s.io/yaml` -> go-yaml v2, YAML 1.1):
    /// `y/n/yes/no/on/off` in go-yaml v2's case forms are bools, `0644` is octal, `1_000` is 1000;
    /// base-60 (`1:30`) stays a string as in go-yaml v2. Duplicate keys: the last one wins, and
    /// merge keys apply in place, as go-yaml v2 does.
    Helm,
}

/// One document of a YAML stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The decoded content; `Value::Null` for an empty document (callers usually skip those).
    pub value: Value,
    /// Where the document's content starts (1-based line/column).
    pub start: Pos,
}

impl Document {
    /// Whether a null sits inside the document's content (an empty document, itself Null,
    /// holds none: it is content-free and skipped by callers).
    pub fn holds_null(&self) -> bool {
        !self.value.is_null() && self.value.contains_null()
    }
}

/// A YAML syntax error or a violated limit (alias expansion, nesting depth, duplicate key).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct YamlError {
    pub message: String,
    pub pos: Option<Pos>,
}

impl YamlError {
    pub(crate) fn at(pos: Pos, message: impl Into<String>) -> Self {
        YamlError {
            message: message.into(),
            pos: Some(pos),
        }
    }
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pos {
            Some(p) => write!(f, "line {}, column {}: {}", p.line, p.column, self.message),
            None => f.write_str(&self.message),
        }
    }
}
