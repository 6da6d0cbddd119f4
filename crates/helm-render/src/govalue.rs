//! The link between `kyaml` and the template engine's values: converts [`GoValue`]s to and
//! from `kyaml::Value` (chart data, values, `toYaml`/`fromYaml`) and calls the shared emitter
//! and parser (sigs.k8s.io/yaml behaviour).

use std::collections::BTreeMap;

use base64::Engine as _;
use gotemplate::GoValue;
use kyaml::{Dialect, Map as YamlMap, Value as YamlValue};

/// sigs.k8s.io/yaml `Marshal` output, trailing newline included.
pub(crate) fn to_string(v: &GoValue) -> Result<String, String> {
    Ok(kyaml::to_string(&to_yaml(v)))
}

/// sigs.k8s.io/yaml `Unmarshal` into `interface{}`: the first document only, numbers become
/// float64 (the bytes go through JSON).
pub(crate) fn parse(text: &str) -> Result<GoValue, String> {
    let value = kyaml::parse_first(text, Dialect::Helm).map_err(|e| {
        format!(
            "error converting YAML to JSON: {}",
            crate::yamlio::go_yaml_error(text, &e)
        )
    })?;
    Ok(from_yaml_as_json(&value))
}

/// Converts YAML data keeping integers as `int` (use for `--set` values, Chart data).
pub fn from_yaml(v: &YamlValue) -> GoValue {
    convert_yaml(v, false)
}

/// Converts YAML data as Helm decodes values files (through JSON): every number is a
/// `float64`, so `{{ .Values.big }}` prints `1e+06` as Helm does.
pub fn from_yaml_as_json(v: &YamlValue) -> GoValue {
    convert_yaml(v, true)
}

fn convert_yaml(v: &YamlValue, json_numbers: bool) -> GoValue {
    match v {
        YamlValue::Null => GoValue::Nil,
        YamlValue::Bool(b) => GoValue::Bool(*b),
        YamlValue::Int(i) if json_numbers => GoValue::Float(*i as f64),
        YamlValue::Int(i) => GoValue::Int(*i),
        YamlValue::Float(f) => GoValue::Float(*f),
        YamlValue::String(s) => GoValue::from(s.as_str()),
        YamlValue::Seq(s) => GoValue::from(
            s.iter()
                .map(|x| convert_yaml(x, json_numbers))
                .collect::<Vec<_>>(),
        ),
        YamlValue::Map(m) => GoValue::from(
            m.iter()
                .map(|(k, x)| (k.to_string(), convert_yaml(x, json_numbers)))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
}

/// Converts to YAML data keeping Go's types (floats stay floats, as go-yaml v3 encodes a
/// `float64` directly, Helm 4's `toYamlPretty`).
pub fn to_yaml_exact(v: &GoValue) -> YamlValue {
    match v {
        GoValue::Float(f) => YamlValue::Float(*f),
        GoValue::List(l) => YamlValue::Seq(l.iter().map(to_yaml_exact).collect()),
        GoValue::Map(m) => {
            let mut out = YamlMap::new();
            for (k, v) in m.borrow().iter() {
                out.insert(k.clone(), to_yaml_exact(v));
            }
            YamlValue::Map(out)
        }
        GoValue::Object(o) => match o.as_str() {
            Some(s) => YamlValue::String(s.to_string().into()),
            None => to_yaml_exact(&o.to_value()),
        },
        other => to_yaml(other),
    }
}

/// Converts to YAML data as `json.Marshal` would see it: maps in sorted key order, objects
/// through [`GoObject::to_value`], bytes as base64 strings, and floats with an integral value
/// as integers (JSON writes `1` for `1.0`, and sigs.k8s.io/yaml reads it back as an int).
pub fn to_yaml(v: &GoValue) -> YamlValue {
    match v {
        GoValue::Nil => YamlValue::Null,
        GoValue::Bool(b) => YamlValue::Bool(*b),
        GoValue::Int(i) | GoValue::Int64(i) => YamlValue::Int(*i),
        GoValue::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e21 && *f >= i64::MIN as f64 && *f < i64::MAX as f64 {
                YamlValue::Int(*f as i64)
            } else {
                YamlValue::Float(*f)
            }
        }
        GoValue::String(s) => YamlValue::String(s.to_string().into()),
        GoValue::Bytes(b) => {
            YamlValue::String(base64::engine::general_purpose::STANDARD.encode(b).into())
        }
        GoValue::List(l) => YamlValue::Seq(l.iter().map(to_yaml).collect()),
        GoValue::Map(m) => {
            let mut out = YamlMap::new();
            for (k, v) in m.borrow().iter() {
                out.insert(k.clone(), to_yaml(v));
            }
            YamlValue::Map(out)
        }
        GoValue::Object(o) => to_yaml(&o.to_value()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `fromYaml` error texts as Helm's engine gives them (sigs.k8s.io/yaml over go-yaml v2).
    #[test]
    fn parse_errors_are_worded_like_go_yaml() {
        let cases = [
            ("a: b: c", "mapping values are not allowed in this context"),
            ("a: [1, 2", "line 1: did not find expected ',' or ']'"),
            ("- a\nb: c", "line 1: did not find expected '-' indicator"),
            ("a:\n  b: 1\n c: 2", "line 2: did not find expected key"),
            ("key: \"unterminated", "found unexpected end of stream"),
            ("a: &x 1\nb: *y", "unknown anchor 'y' referenced"),
            ("{a: 1", "line 1: did not find expected ',' or '}'"),
            ("a: 'x", "found unexpected end of stream"),
            ("a: b\n- c", "line 1: did not find expected key"),
            // go-yaml has no empty implicit key ...
            (": a", "did not find expected key"),
            ("b: 1\n: a", "line 1: did not find expected key"),
            ("{a: 1, : b}", "did not find expected node content"),
            ("[a, %x]", "found character that cannot start any token"),
            (
                "a: 1\nb: [%]",
                "line 2: found character that cannot start any token",
            ),
            // libyaml's directive checks on the first line.
            ("%d%%", "found unexpected non-alphabetical character"),
            ("%foo bar", "found unknown directive name"),
            ("% x", "could not find expected directive name"),
            // ... and refuses a list or map as a key.
            ("[1]: a", "invalid map key: []interface {}{1}"),
            (
                "{a: 1.5, b: [x, ~]}: b",
                "invalid map key: map[interface {}]interface {}{\"a\":1.5, \"b\":[]interface {}{\"x\", interface {}(nil)}}",
            ),
        ];
        for (text, want) in cases {
            let got = parse(text).map(|_| ()).unwrap_err();
            assert_eq!(
                got,
                format!("error converting YAML to JSON: yaml: {want}"),
                "{text:?}"
            );
        }
        // A null key (explicit or written) is refused by sigs.k8s.io/yaml's converter.
        for text in ["~: a", "? \n: a"] {
            assert_eq!(
                parse(text).map(|_| ()).unwrap_err(),
                "error converting YAML to JSON: unsupported map key of type: %!s(<nil>), key: <nil>, value: \"a\"",
                "{text:?}"
            );
        }
    }
}
