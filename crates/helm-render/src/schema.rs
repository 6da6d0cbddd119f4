//! `values.schema.json` validation with the error texts of the validator Helm 3.16 uses
//! (xeipuuv/gojsonschema): `- FIELD: DESCRIPTION` lines per chart. Covers the JSON Schema
//! (draft-04..07) keywords charts use: type, enum, const, properties, required,
//! additionalProperties, patternProperties, items, min/maxItems, uniqueItems, min/max(Length),
//! exclusive bounds, multipleOf, pattern, allOf/anyOf/oneOf/not, and local `$ref`s.
//!
//! Helm 4 validates with santhosh-tekuri/jsonschema v6, whose texts read
//! `- at '/json/pointer': MESSAGE` (`missing property 'x'`, `got null, want string`,
//! `value must be one of 'a', 'b'`, ...); `validate_chart_tree_for` words the leaf errors
//! that way in Helm 4 mode (the grouping of combinator errors stays gojsonschema's).

use serde_json::Value as Json;

use crate::chart::Chart;
use crate::version::HelmVersion;
use kyaml::{Map, Value};

/// Validates every chart of the tree that has a schema against its part of `vals`
/// (Helm's `ValidateAgainstSchema`). The error lists `CHART:\n- field: problem\n` blocks.
/// Errors are worded as `helm`'s validator words them.
pub fn validate_chart_tree_for(chart: &Chart, vals: &Map, helm: HelmVersion) -> Result<(), String> {
    let mut out = String::new();
    if let Some(schema) = &chart.schema
        && let Err(e) = validate_for(schema, vals, helm)
    {
        out.push_str(&format!("{}:\n{e}", chart.name()));
    }
    for sub in &chart.dependencies {
        let sub_vals = match vals.get(sub.name()) {
            Some(Value::Map(m)) => m.clone(),
            _ => Map::new(),
        };
        if let Err(e) = validate_chart_tree_for(sub, &sub_vals, helm) {
            out.push_str(&e);
        }
    }
    if out.is_empty() { Ok(()) } else { Err(out) }
}

/// Converts values as Helm does before validating (YAML round trip: integral floats are ints).
fn to_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Json::from(*f as i64),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(Json::Number)
            .unwrap_or(Json::Null),
        Value::String(s) => Json::String(s.clone().into()),
        Value::Seq(s) => Json::Array(s.iter().map(to_json).collect()),
        Value::Map(m) => Json::Object(m.iter().map(|(k, v)| (k.to_string(), to_json(v))).collect()),
    }
}

/// Validates one values map against one schema document.
/// Errors are worded as `helm`'s validator words them.
pub fn validate_for(schema: &[u8], vals: &Map, helm: HelmVersion) -> Result<(), String> {
    let schema: Json = serde_json::from_slice(schema).map_err(|e| e.to_string())?;
    let doc = to_json(&Value::Map(vals.clone()));
    let mut v = Validator {
        root: &schema,
        errors: Vec::new(),
        depth: 0,
        v4: helm.is_v4(),
    };
    v.check(&schema, &doc, "(root)");
    if v.errors.is_empty() {
        return Ok(());
    }
    Err(v.errors.iter().map(|e| format!("- {e}\n")).collect())
}

struct Validator<'a> {
    root: &'a Json,
    errors: Vec<String>,
    depth: usize,
    /// Helm 4's wording (santhosh-tekuri/jsonschema v6).
    v4: bool,
}

/// A dotted instance path (`(root)`, `a.b.0`) as v6 prints it: a quoted JSON pointer.
fn pointer(path: &str) -> String {
    let p = if path == "(root)" {
        String::new()
    } else {
        path.split('.').map(|x| format!("/{x}")).collect()
    };
    quote6(&p)
}

/// santhosh-tekuri/jsonschema's `quote`: Go's %q with single quotes.
fn quote6(s: &str) -> String {
    let q = gotemplate::gofmt::quote_go(s);
    let inner = &q[1..q.len() - 1];
    format!("'{}'", inner.replace("\\\"", "\"").replace('\'', "\\'"))
}

/// santhosh-tekuri/jsonschema's `display` of a value.
fn display6(v: &Json) -> String {
    match v {
        Json::String(s) => quote6(s),
        Json::Array(_) | Json::Object(_) => "value".into(),
        Json::Null => "<nil>".into(),
        other => other.to_string(),
    }
}

fn json_type(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn type_ok(want: &str, v: &Json) -> bool {
    let got = json_type(v);
    want == got || (want == "number" && got == "integer")
}

fn child(path: &str, key: &str) -> String {
    if path == "(root)" {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn num(v: &Json) -> Option<f64> {
    v.as_f64()
}

fn fmt_num(f: f64) -> String {
    if f.fract() == 0.0 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

impl<'a> Validator<'a> {
    fn resolve(&self, r: &str) -> Option<&'a Json> {
        let pointer = r.strip_prefix('#')?;
        self.root.pointer(pointer)
    }

    fn err(&mut self, path: &str, msg: String) {
        self.errors.push(format!("{path}: {msg}"));
    }

    /// Records an error worded for Helm 3 (`msg3`) or Helm 4 (`msg4`).
    fn err2(&mut self, path: &str, msg3: String, msg4: impl FnOnce() -> String) {
        if self.v4 {
            let p = pointer(path);
            self.errors.push(format!("at {p}: {}", msg4()));
        } else {
            self.err(path, msg3);
        }
    }

    fn valid(&mut self, schema: &Json, v: &Json, path: &str) -> (bool, Vec<String>) {
        let saved = std::mem::take(&mut self.errors);
        self.check(schema, v, path);
        let errs = std::mem::replace(&mut self.errors, saved);
        (errs.is_empty(), errs)
    }

    fn check(&mut self, schema: &Json, v: &Json, path: &str) {
        let s = match schema {
            Json::Bool(false) => {
                self.err(path, "False always fails validation".into());
                return;
            }
            Json::Object(s) => s,
            _ => return,
        };
        if self.depth > 64 {
            return;
        }
        if let Some(Json::String(r)) = s.get("$ref") {
            if let Some(target) = self.resolve(r) {
                self.depth += 1;
                self.check(target, v, path);
                self.depth -= 1;
            }
            return;
        }
        if let Some(Json::Array(any)) = s.get("anyOf") {
            let mut best: Option<Vec<String>> = None;
            let mut ok = false;
            for sub in any {
                let (valid, errs) = self.valid(sub, v, path);
                if valid {
                    ok = true;
                    break;
                }
                if best.as_ref().is_none_or(|b| errs.len() < b.len()) {
                    best = Some(errs);
                }
            }
            if !ok {
                self.err(path, "Must validate at least one schema (anyOf)".into());
                self.errors.extend(best.unwrap_or_default());
            }
        }
        if let Some(Json::Array(one)) = s.get("oneOf") {
            let mut count = 0;
            let mut best: Option<Vec<String>> = None;
            for sub in one {
                let (valid, errs) = self.valid(sub, v, path);
                if valid {
                    count += 1;
                } else if best.as_ref().is_none_or(|b| errs.len() < b.len()) {
                    best = Some(errs);
                }
            }
            if count != 1 {
                self.err(path, "Must validate one and only one schema (oneOf)".into());
                if count == 0 {
                    self.errors.extend(best.unwrap_or_default());
                }
            }
        }
        if let Some(Json::Array(all)) = s.get("allOf") {
            let mut ok = true;
            let mut collected = Vec::new();
            for sub in all {
                let (valid, errs) = self.valid(sub, v, path);
                ok &= valid;
                collected.extend(errs);
            }
            // gojsonschema merges the subschemas' errors first, then adds its own.
            self.errors.extend(collected);
            if !ok {
                self.err(path, "Must validate all the schemas (allOf)".into());
            }
        }
        if let Some(not) = s.get("not")
            && self.valid(not, v, path).0
        {
            self.err(path, "Must not validate the schema (not)".into());
        }
        match s.get("type") {
            Some(Json::String(t)) if !type_ok(t, v) => {
                self.err2(
                    path,
                    format!("Invalid type. Expected: {t}, given: {}", json_type(v)),
                    || format!("got {}, want {t}", json_type(v)),
                );
                return;
            }
            Some(Json::Array(ts)) => {
                let names: Vec<&str> = ts.iter().filter_map(Json::as_str).collect();
                if !names.iter().any(|t| type_ok(t, v)) {
                    self.err2(
                        path,
                        format!(
                            "Invalid type. Expected: {}, given: {}",
                            names.join(", "),
                            json_type(v)
                        ),
                        || format!("got {}, want {}", json_type(v), names.join(" or ")),
                    );
                    return;
                }
            }
            _ => {}
        }
        if let Some(Json::Array(allowed)) = s.get("enum")
            && !allowed.contains(v)
        {
            let list: Vec<String> = allowed
                .iter()
                .map(std::string::ToString::to_string)
                .collect();
            let field = path.rsplit('.').next().unwrap_or(path);
            self.err2(
                path,
                format!("{field} must be one of the following: {}", list.join(", ")),
                || {
                    if allowed.iter().any(|x| x.is_array() || x.is_object()) {
                        "enum failed".into()
                    } else if allowed.len() == 1 {
                        format!("value must be {}", display6(&allowed[0]))
                    } else {
                        let want: Vec<String> = allowed.iter().map(display6).collect();
                        format!("value must be one of {}", want.join(", "))
                    }
                },
            );
        }
        if let Some(c) = s.get("const")
            && c != v
        {
            let field = path.rsplit('.').next().unwrap_or(path);
            self.err2(path, format!("{field} does not match: {c}"), || {
                if c.is_array() || c.is_object() {
                    "const failed".into()
                } else {
                    format!("value must be {}", display6(c))
                }
            });
        }
        match v {
            Json::Object(o) => self.check_object(s, o, path),
            Json::Array(a) => self.check_array(s, a, path),
            Json::String(st) => self.check_string(s, st, path),
            Json::Number(_) => self.check_number(s, v, path),
            _ => {}
        }
    }

    fn check_object(
        &mut self,
        s: &serde_json::Map<String, Json>,
        o: &serde_json::Map<String, Json>,
        path: &str,
    ) {
        if let Some(Json::Array(req)) = s.get("required") {
            let missing: Vec<&str> = req
                .iter()
                .filter_map(Json::as_str)
                .filter(|r| !o.contains_key(*r))
                .collect();
            if self.v4 && !missing.is_empty() {
                // v6 reports the missing properties of an object in one error.
                let msg = if missing.len() == 1 {
                    format!("missing property {}", quote6(missing[0]))
                } else {
                    let q: Vec<String> = missing.iter().map(|m| quote6(m)).collect();
                    format!("missing properties {}", q.join(", "))
                };
                self.err2(path, String::new(), || msg);
            } else {
                for r in missing {
                    self.err(path, format!("{r} is required"));
                }
            }
        }
        let props = s.get("properties").and_then(Json::as_object);
        let patterns: Vec<(regex::Regex, &Json)> = s
            .get("patternProperties")
            .and_then(Json::as_object)
            .map(|pp| {
                pp.iter()
                    .filter_map(|(p, sch)| regex::Regex::new(p).ok().map(|r| (r, sch)))
                    .collect()
            })
            .unwrap_or_default();
        let mut keys: Vec<&String> = o.keys().collect();
        keys.sort();
        for k in keys {
            let val = &o[k];
            let p = child(path, k);
            let mut matched = false;
            if let Some(sch) = props.and_then(|ps| ps.get(k)) {
                matched = true;
                self.check(sch, val, &p);
            }
            for (re, sch) in &patterns {
                if re.is_match(k) {
                    matched = true;
                    self.check(sch, val, &p);
                }
            }
            if !matched {
                match s.get("additionalProperties") {
                    Some(Json::Bool(false)) => self.err2(
                        path,
                        format!("Additional property {k} is not allowed"),
                        || format!("additional properties {} not allowed", quote6(k)),
                    ),
                    Some(sch @ Json::Object(_)) => self.check(sch, val, &p),
                    _ => {}
                }
            }
        }
        if let Some(min) = s.get("minProperties").and_then(Json::as_u64)
            && (o.len() as u64) < min
        {
            self.err2(path, format!("Must have at least {min} properties"), || {
                format!("minProperties: got {}, want {min}", o.len())
            });
        }
        if let Some(max) = s.get("maxProperties").and_then(Json::as_u64)
            && (o.len() as u64) > max
        {
            self.err2(path, format!("Must have at most {max} properties"), || {
                format!("maxProperties: got {}, want {max}", o.len())
            });
        }
    }

    fn check_array(&mut self, s: &serde_json::Map<String, Json>, a: &[Json], path: &str) {
        match s.get("items") {
            Some(sch @ (Json::Object(_) | Json::Bool(_))) => {
                for (i, item) in a.iter().enumerate() {
                    self.check(sch, item, &child(path, &i.to_string()));
                }
            }
            Some(Json::Array(list)) => {
                for (i, item) in a.iter().enumerate() {
                    match list.get(i) {
                        Some(sch) => self.check(sch, item, &child(path, &i.to_string())),
                        None => {
                            if let Some(Json::Bool(false)) = s.get("additionalItems") {
                                self.err(
                                    path,
                                    format!(
                                        "Array has more items than allowed (max {})",
                                        list.len()
                                    ),
                                );
                                break;
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        if let Some(min) = s.get("minItems").and_then(Json::as_u64)
            && (a.len() as u64) < min
        {
            self.err2(
                path,
                format!("Array must have at least {min} items"),
                || format!("minItems: got {}, want {min}", a.len()),
            );
        }
        if let Some(max) = s.get("maxItems").and_then(Json::as_u64)
            && (a.len() as u64) > max
        {
            self.err2(path, format!("Array must have at most {max} items"), || {
                format!("maxItems: got {}, want {max}", a.len())
            });
        }
        if s.get("uniqueItems") == Some(&Json::Bool(true)) {
            'outer: for i in 0..a.len() {
                for j in i + 1..a.len() {
                    if a[i] == a[j] {
                        self.err2(path, format!("array items[{i},{j}] must be unique"), || {
                            format!("items at {i} and {j} are equal")
                        });
                        break 'outer;
                    }
                }
            }
        }
    }

    fn check_string(&mut self, s: &serde_json::Map<String, Json>, st: &str, path: &str) {
        let len = st.chars().count() as u64;
        if let Some(min) = s.get("minLength").and_then(Json::as_u64)
            && len < min
        {
            self.err2(
                path,
                format!("String length must be greater than or equal to {min}"),
                || format!("minLength: got {len}, want {min}"),
            );
        }
        if let Some(max) = s.get("maxLength").and_then(Json::as_u64)
            && len > max
        {
            self.err2(
                path,
                format!("String length must be less than or equal to {max}"),
                || format!("maxLength: got {len}, want {max}"),
            );
        }
        if let Some(Json::String(p)) = s.get("pattern")
            && let Ok(re) = regex::Regex::new(p)
            && !re.is_match(st)
        {
            self.err2(path, format!("Does not match pattern '{p}'"), || {
                format!("{} does not match pattern {}", quote6(st), quote6(p))
            });
        }
    }

    fn check_number(&mut self, s: &serde_json::Map<String, Json>, v: &Json, path: &str) {
        let Some(x) = num(v) else { return };
        let excl_min = s.get("exclusiveMinimum");
        let excl_max = s.get("exclusiveMaximum");
        if let Some(min) = s.get("minimum").and_then(num) {
            if excl_min == Some(&Json::Bool(true)) {
                if x <= min {
                    self.err(path, format!("Must be greater than {}", fmt_num(min)));
                }
            } else if x < min {
                self.err(
                    path,
                    format!("Must be greater than or equal to {}", fmt_num(min)),
                );
            }
        }
        if let Some(min) = excl_min.and_then(num)
            && x <= min
        {
            self.err(path, format!("Must be greater than {}", fmt_num(min)));
        }
        if let Some(max) = s.get("maximum").and_then(num) {
            if excl_max == Some(&Json::Bool(true)) {
                if x >= max {
                    self.err(path, format!("Must be less than {}", fmt_num(max)));
                }
            } else if x > max {
                self.err(
                    path,
                    format!("Must be less than or equal to {}", fmt_num(max)),
                );
            }
        }
        if let Some(max) = excl_max.and_then(num)
            && x >= max
        {
            self.err(path, format!("Must be less than {}", fmt_num(max)));
        }
        if let Some(m) = s.get("multipleOf").and_then(num)
            && m > 0.0
            && (x / m).fract() != 0.0
        {
            self.err(path, format!("Must be a multiple of {}", fmt_num(m)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(j: serde_json::Value) -> Map {
        match Value::from(j) {
            Value::Map(m) => m,
            _ => unreachable!(),
        }
    }

    const SCHEMA: &str = r##"{
      "type": "object",
      "definitions": {"probe": {"type": "object", "properties": {"enabled": {"type": "boolean"}}, "required": ["enabled"]}},
      "properties": {
        "speaker": {"type": "object", "properties": {"frr": {"type": "object", "properties": {"enabled": {"type": "boolean"}}}}},
        "probe": {"$ref": "#/definitions/probe"},
        "level": {"enum": ["info", "debug"]},
        "port": {"type": "integer", "minimum": 1},
        "strict": {"type": "object", "additionalProperties": false, "properties": {"a": {}}}
      }
    }"##;

    #[test]
    fn accepts_valid_values() {
        let v = vals(
            serde_json::json!({"speaker": {"frr": {"enabled": true}}, "probe": {"enabled": false}, "port": 8080.0}),
        );
        assert!(validate_for(SCHEMA.as_bytes(), &v, HelmVersion::V3).is_ok());
    }

    #[test]
    fn reports_like_gojsonschema() {
        let v = vals(serde_json::json!({
            "speaker": {"frr": {"enabled": "yes"}}, "probe": {}, "level": "trace", "port": 0, "strict": {"b": 1}
        }));
        let e = validate_for(SCHEMA.as_bytes(), &v, HelmVersion::V3).unwrap_err();
        assert!(
            e.contains("- speaker.frr.enabled: Invalid type. Expected: boolean, given: string\n"),
            "{e}"
        );
        assert!(e.contains("- probe: enabled is required\n"), "{e}");
        assert!(
            e.contains("- level: level must be one of the following: \"info\", \"debug\"\n"),
            "{e}"
        );
        assert!(
            e.contains("- port: Must be greater than or equal to 1\n"),
            "{e}"
        );
        assert!(
            e.contains("- strict: Additional property b is not allowed\n"),
            "{e}"
        );
    }

    /// Helm 4's validator (santhosh-tekuri/jsonschema v6) words the same problems as
    /// `at 'POINTER': MESSAGE`.
    #[test]
    fn reports_like_jsonschema_v6_in_helm4() {
        let v = vals(serde_json::json!({
            "speaker": {"frr": {"enabled": "yes"}}, "probe": {}, "level": "trace", "strict": {"b": 1}
        }));
        let e = validate_for(SCHEMA.as_bytes(), &v, HelmVersion::V4).unwrap_err();
        for want in [
            "- at '/speaker/frr/enabled': got string, want boolean\n",
            "- at '/probe': missing property 'enabled'\n",
            "- at '/level': value must be one of 'info', 'debug'\n",
            "- at '/strict': additional properties 'b' not allowed\n",
        ] {
            assert!(e.contains(want), "{want} in {e}");
        }
    }
}
