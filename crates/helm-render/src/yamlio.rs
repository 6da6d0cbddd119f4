//! The crate's use of `kyaml` (a leaf module): decoding as Helm's `sigs.k8s.io/yaml.Unmarshal`
//! does (first document only, go-yaml v2 scalar rules, numbers as float64 for values) and
//! go-yaml's error text (`yaml: line N: PROBLEM`) wrapped as sigs.k8s.io/yaml wraps it.

use kyaml::{Dialect, Map, Value, YamlError};

/// go-yaml v2's error text for a syntax error.
fn go_yaml_error(e: &YamlError) -> String {
    // saphyr (a libyaml port) prefixes the context ("while scanning a simple key, ..."); go-yaml
    // prints only the problem.
    let msg = match e.message.rsplit_once(", ") {
        Some((ctx, problem)) if ctx.starts_with("while ") => problem,
        _ => e.message.as_str(),
    };
    // saphyr words libyaml's "while scanning a simple key: could not find expected ':'"
    // differently; go-yaml (a libyaml port) prints libyaml's problem text.
    let msg = match msg {
        "simple key expected" | "simple key expect ':'" => "could not find expected ':'",
        m => m,
    };
    match e.pos {
        Some(p) if p.line > 0 => format!("yaml: line {}: {msg}", p.line),
        _ => format!("yaml: {msg}"),
    }
}

pub(crate) fn first_document(src: &str) -> Result<Value, String> {
    match kyaml::parse_documents(src, Dialect::Helm) {
        Ok(docs) => Ok(docs
            .into_iter()
            .next()
            .map(|d| d.value)
            .unwrap_or(Value::Null)),
        Err(e) => Err(format!(
            "error converting YAML to JSON: {}",
            go_yaml_error(&e)
        )),
    }
}

/// Decodes YAML into a generic value (Chart.yaml, requirements.yaml, Chart.lock).
pub fn parse_helm(src: &str) -> Result<Value, String> {
    first_document(src)
}

/// Decodes a values document (values.yaml, `-f` files): a map (or nothing), numbers as floats.
pub fn parse_values(src: &str) -> Result<Map, String> {
    let mut v = first_document(src)?;
    to_json_numbers(&mut v);
    match v {
        Value::Null => Ok(Map::new()),
        Value::Map(m) => Ok(m),
        other => Err(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            match other {
                Value::Seq(_) => "array",
                Value::String(_) => "string",
                Value::Bool(_) => "bool",
                _ => "number",
            }
        )),
    }
}

/// Numbers in values files are float64 in Helm (YAML -> JSON -> `interface{}`).
pub fn to_json_numbers(v: &mut Value) {
    match v {
        Value::Int(i) => *v = Value::Float(*i as f64),
        Value::Seq(s) => s.iter_mut().for_each(to_json_numbers),
        Value::Map(m) => m.values_mut().for_each(to_json_numbers),
        _ => {}
    }
}
