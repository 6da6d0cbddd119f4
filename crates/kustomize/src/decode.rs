//! Decoding YAML values into typed configuration the way kustomize does: its structs are filled
//! by Go's `encoding/json` after a YAML-to-JSON conversion, so field names match exactly or
//! case-insensitively, `null` leaves a field at its zero value, a number never fills a string,
//! and (for kustomization files) unknown fields are errors at any depth. Plugin configurations
//! are decoded leniently (unknown fields ignored), as `yaml.Unmarshal` does.

use std::collections::BTreeMap;

use kyaml::{Map, Value};

/// Why a value could not be decoded, with the path to it (keys and indexes from the root).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DecodeError {
    pub path: Vec<Seg>,
    pub message: String,
}

/// One step of a path into the decoded document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

impl DecodeError {
    pub fn new(message: impl Into<String>) -> Self {
        DecodeError {
            path: Vec::new(),
            message: message.into(),
        }
    }

    /// Prefixes the path with `seg` (errors bubble up from the leaves).
    pub fn under(mut self, seg: Seg) -> Self {
        self.path.insert(0, seg);
        self
    }

    pub fn at_key(self, key: &str) -> Self {
        self.under(Seg::Key(key.to_string()))
    }

    pub fn at_index(self, i: usize) -> Self {
        self.under(Seg::Index(i))
    }

    /// The path as kyaml's `locate` wants it.
    pub fn locate_path(&self) -> Vec<kyaml::PathSeg<'_>> {
        self.path
            .iter()
            .map(|s| match s {
                Seg::Key(k) => kyaml::PathSeg::Key(k.as_str()),
                Seg::Index(i) => kyaml::PathSeg::Index(*i),
            })
            .collect()
    }
}

pub(crate) type DResult<T> = Result<T, DecodeError>;

/// Go's JSON type names in its unmarshal errors.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Float(_) => "number",
        Value::String(_) => "string",
        Value::Seq(_) => "array",
        Value::Map(_) => "object",
    }
}

fn type_error(v: &Value, want: &str) -> DecodeError {
    DecodeError::new(format!(
        "cannot unmarshal {} into a field of type {want}",
        json_type(v)
    ))
}

/// The fields of a struct-like map. Keys are matched to `known` names exactly, else ignoring
/// ASCII case (Go's `encoding/json`); unknown keys are an error when `strict`.
pub(crate) struct Fields<'a> {
    found: Vec<(&'static str, &'a str, &'a Value)>,
}

impl<'a> Fields<'a> {
    pub fn of(v: &'a Value, known: &[&'static str], strict: bool) -> DResult<Fields<'a>> {
        let m = match v {
            Value::Null => return Ok(Fields { found: Vec::new() }),
            Value::Map(m) => m,
            other => return Err(type_error(other, "object")),
        };
        Self::of_map(m, known, strict)
    }

    pub fn of_map(m: &'a Map, known: &[&'static str], strict: bool) -> DResult<Fields<'a>> {
        let mut found = Vec::with_capacity(m.len());
        for (k, v) in m {
            let name = known
                .iter()
                .find(|f| **f == k.as_str())
                .or_else(|| known.iter().find(|f| f.eq_ignore_ascii_case(k)));
            match name {
                Some(n) => found.push((*n, k.as_str(), v)),
                None if strict => {
                    return Err(DecodeError::new(format!("unknown field \"{k}\"")).at_key(k));
                }
                None => {}
            }
        }
        Ok(Fields { found })
    }

    /// The value of field `name` (the last spelling wins), `None` when absent or null.
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.found
            .iter()
            .rev()
            .find(|(n, _, v)| *n == name && !v.is_null())
            .map(|(_, _, v)| *v)
    }

    /// Whether the field is present at all (even as null).
    pub fn has(&self, name: &str) -> bool {
        self.found.iter().any(|(n, _, _)| *n == name)
    }

    /// How the field is spelled in the document (for error paths).
    pub fn spelling<'s>(&'s self, name: &'s str) -> &'s str {
        self.found
            .iter()
            .rev()
            .find(|(n, _, _)| *n == name)
            .map_or(name, |(_, s, _)| s)
    }

    fn wrap<T>(&self, name: &str, r: DResult<T>) -> DResult<T> {
        r.map_err(|e| e.at_key(self.spelling(name)))
    }

    pub fn string(&self, name: &str) -> DResult<String> {
        self.wrap(name, self.get(name).map_or(Ok(String::new()), string))
    }

    pub fn boolean(&self, name: &str) -> DResult<bool> {
        self.wrap(name, self.get(name).map_or(Ok(false), boolean))
    }

    pub fn int(&self, name: &str) -> DResult<i64> {
        self.wrap(name, self.get(name).map_or(Ok(0), int))
    }

    pub fn strings(&self, name: &str) -> DResult<Vec<String>> {
        self.wrap(name, self.get(name).map_or(Ok(Vec::new()), strings))
    }

    /// A list whose absence (or `null`) is told apart from an empty list.
    pub fn opt_strings(&self, name: &str) -> DResult<Option<Vec<String>>> {
        self.wrap(name, self.get(name).map(strings).transpose())
    }

    pub fn string_map(&self, name: &str) -> DResult<BTreeMap<String, String>> {
        self.wrap(name, self.get(name).map_or(Ok(BTreeMap::new()), string_map))
    }

    pub fn opt_string_map(&self, name: &str) -> DResult<Option<BTreeMap<String, String>>> {
        self.wrap(name, self.get(name).map(string_map).transpose())
    }

    /// A field decoded by `f`.
    pub fn with<T>(
        &self,
        name: &str,
        f: impl FnOnce(&'a Value) -> DResult<T>,
    ) -> DResult<Option<T>> {
        self.wrap(name, self.get(name).map(f).transpose())
    }

    /// A list field whose items are decoded by `f`.
    pub fn list<T>(&self, name: &str, f: impl Fn(&'a Value) -> DResult<T>) -> DResult<Vec<T>> {
        self.wrap(name, self.get(name).map_or(Ok(Vec::new()), |v| list(v, f)))
    }
}

pub(crate) fn string(v: &Value) -> DResult<String> {
    match v {
        Value::Null => Ok(String::new()),
        Value::String(s) => Ok(s.clone().into()),
        other => Err(type_error(other, "string")),
    }
}

pub(crate) fn boolean(v: &Value) -> DResult<bool> {
    match v {
        Value::Null => Ok(false),
        Value::Bool(b) => Ok(*b),
        other => Err(type_error(other, "bool")),
    }
}

pub(crate) fn int(v: &Value) -> DResult<i64> {
    match v {
        Value::Null => Ok(0),
        Value::Int(i) => Ok(*i),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Ok(*f as i64),
        other => Err(type_error(other, "int")),
    }
}

pub(crate) fn list<'a, T>(v: &'a Value, f: impl Fn(&'a Value) -> DResult<T>) -> DResult<Vec<T>> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Seq(items) => items
            .iter()
            .enumerate()
            .map(|(i, x)| f(x).map_err(|e| e.at_index(i)))
            .collect(),
        other => Err(type_error(other, "array")),
    }
}

pub(crate) fn strings(v: &Value) -> DResult<Vec<String>> {
    list(v, string)
}

pub(crate) fn string_map(v: &Value) -> DResult<BTreeMap<String, String>> {
    match v {
        Value::Null => Ok(BTreeMap::new()),
        Value::Map(m) => m
            .iter()
            .map(|(k, x)| Ok((k.to_string(), string(x).map_err(|e| e.at_key(k))?)))
            .collect(),
        other => Err(type_error(other, "map of strings")),
    }
}

/// A map whose values are booleans (`patches[].options`).
pub(crate) fn bool_map(v: &Value) -> DResult<BTreeMap<String, bool>> {
    match v {
        Value::Null => Ok(BTreeMap::new()),
        Value::Map(m) => m
            .iter()
            .map(|(k, x)| Ok((k.to_string(), boolean(x).map_err(|e| e.at_key(k))?)))
            .collect(),
        other => Err(type_error(other, "map of booleans")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(src: &str) -> Value {
        kyaml::parse_one(src, kyaml::Dialect::Helm).unwrap()
    }

    #[test]
    fn fields_match_case_insensitively_and_reject_unknown() {
        let doc = v("NamePrefix: a-\nnamespace: x\n");
        let f = Fields::of(&doc, &["namePrefix", "namespace"], true).unwrap();
        assert_eq!(f.string("namePrefix").unwrap(), "a-");
        assert_eq!(f.spelling("namePrefix"), "NamePrefix");
        let bad = v("nope: 1\n");
        let err = Fields::of(&bad, &["namespace"], true).err().unwrap();
        assert_eq!(err.message, "unknown field \"nope\"");
        assert_eq!(err.path, vec![Seg::Key("nope".into())]);
        assert!(Fields::of(&bad, &["namespace"], false).is_ok());
    }

    #[test]
    fn numbers_do_not_fill_strings() {
        let doc = v("namespace: 12\n");
        let f = Fields::of(&doc, &["namespace"], true).unwrap();
        let err = f.string("namespace").unwrap_err();
        assert_eq!(err.path, vec![Seg::Key("namespace".into())]);
        assert!(err.message.contains("number"), "{}", err.message);
    }

    #[test]
    fn nulls_are_zero_values() {
        let doc = v("a: null\nb: [x, null]\n");
        let f = Fields::of(&doc, &["a", "b"], true).unwrap();
        assert_eq!(f.string("a").unwrap(), "");
        assert_eq!(
            f.strings("b").unwrap(),
            vec!["x".to_string(), String::new()]
        );
        assert!(f.has("a") && f.get("a").is_none());
    }
}
