//! The crate's use of `kyaml` (a leaf module): decoding as Helm's `sigs.k8s.io/yaml.Unmarshal`
//! does (first document only, go-yaml v2 scalar rules, numbers as float64 for values) and
//! go-yaml's error text (`yaml: line N: PROBLEM`) wrapped as sigs.k8s.io/yaml wraps it.

use kyaml::{Dialect, Map, Value};

/// Scanner problems libyaml reports without a context.
const SCANNER_PROBLEMS: &[&str] = &[
    "mapping values are not allowed in this context",
    "found character that cannot start any token",
    "block sequence entries are not allowed in this context",
    "found a tab character that violates indentation",
    "could not find expected ':'",
];

/// The error text `yaml.Unmarshal` gives for what kyaml refused: go-yaml's (`yaml: ...`) or
/// sigs.k8s.io/yaml's own for a null key.
pub(crate) fn go_yaml_error(text: &str, e: &kyaml::YamlError) -> String {
    if e.message.starts_with(kyaml::SIGS_NULL_KEY) {
        return e.message.clone();
    }
    format!("yaml: {}", go_yaml_problem(text, e))
}

/// A parse error worded as go-yaml v2 (sigs.k8s.io/yaml) words it: the problem without
/// libyaml's context, prefixed `line N: ` where go-yaml has a line (a scanner error's
/// 1-based line, a parser error's 0-based one, none on the first line), and
/// `unknown anchor 'x' referenced` for an undefined alias.
fn go_yaml_problem(text: &str, e: &kyaml::YamlError) -> String {
    let (context, problem) = match e.message.split_once(", ") {
        Some((c, p)) if c.starts_with("while ") => (c, p),
        _ => ("", e.message.as_str()),
    };
    // libyaml's wording of the flow-collection and simple-key problems (saphyr words them
    // differently).
    let problem = match problem {
        "expected ',' or ']'" => "did not find expected ',' or ']'",
        "expected ',' or '}'" => "did not find expected ',' or '}'",
        "simple key expected" | "simple key expect ':'" => "could not find expected ':'",
        p if p.starts_with("unexpected character: `") => {
            "found character that cannot start any token"
        }
        p => p,
    };
    let Some(pos) = e.pos else {
        return problem.to_string();
    };
    if problem.contains("unknown anchor") {
        let name: String = text
            .lines()
            .nth(pos.line.saturating_sub(1) as usize)
            .and_then(|l| {
                l.chars()
                    .skip(pos.column.saturating_sub(1) as usize)
                    .collect::<String>()
                    .strip_prefix('*')
                    .map(str::to_string)
            })
            .map(|rest| {
                rest.chars()
                    .take_while(|c| !c.is_whitespace() && !",[]{}".contains(*c))
                    .collect()
            })
            .unwrap_or_default();
        return format!("unknown anchor '{name}' referenced");
    }
    // The scanner's contexts (libyaml words a few of them "while parsing").
    let scanner = context.starts_with("while scanning")
        || context.starts_with("while parsing a quoted scalar")
        || context.starts_with("while parsing a tag")
        || (context.is_empty() && SCANNER_PROBLEMS.contains(&problem));
    let line = if scanner {
        pos.line
    } else {
        pos.line.saturating_sub(1)
    };
    if pos.line > 1 && line > 0 {
        format!("line {line}: {problem}")
    } else {
        problem.to_string()
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
            go_yaml_error(src, &e)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// go-yaml numbers a scanner error's line from 1 but leaves the first line unnumbered.
    #[test]
    fn values_errors_number_lines_as_go_yaml() {
        for (text, want) in [
            (
                "a: \"\\ud83d\"",
                "yaml: found invalid Unicode character escape code",
            ),
            (
                "a: 1\nb: \"\\ud83d\"",
                "yaml: line 2: found invalid Unicode character escape code",
            ),
            (
                "a: 1\nb: \"\\q\"",
                "yaml: line 2: found unknown escape character",
            ),
        ] {
            assert_eq!(
                parse_values(text).unwrap_err(),
                format!("error converting YAML to JSON: {want}"),
                "{text:?}"
            );
        }
    }
}
