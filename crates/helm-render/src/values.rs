//! Values handling as Helm does it (`pkg/chartutil/coalesce.go`, `values.go`): coalescing user
//! values with chart defaults (a user `null` deletes a default key), globals copied down into
//! subcharts, subchart sections merged, and the `Table`/`PathValue` lookups used by dependency
//! conditions and import-values. Warnings Helm logs are collected, not printed.
//!
//! Helm 4 coalesces differently in one respect: null-valued chart defaults are dropped
//! (`cleanNilValues`) instead of being kept as `key: null`, and a user `null` for a key the
//! chart does not default is kept; [`Warnings::helm`] selects the rules.

use crate::chart::Chart;
use crate::version::HelmVersion;
use kyaml::{Map, Value};

pub const GLOBAL_KEY: &str = "global";

/// Collects the warnings Helm prints with `log.Printf` while coalescing, and says whose
/// coalescing rules apply.
#[derive(Debug, Default, Clone)]
pub struct Warnings(pub Vec<String>, pub HelmVersion);

impl Warnings {
    /// No warnings yet; coalescing follows `helm`'s rules.
    pub fn new(helm: HelmVersion) -> Self {
        Warnings(Vec::new(), helm)
    }

    fn push(&mut self, s: String) {
        self.0.push(s);
    }

    fn v4(&self) -> bool {
        self.1.is_v4()
    }
}

/// Helm 4's `cleanNilValues`: removes null-valued keys at every depth.
fn clean_nil_values(m: &mut Map) {
    m.retain(|_, v| !v.is_null());
    for v in m.values_mut() {
        if let Value::Map(sub) = v {
            clean_nil_values(sub);
        }
    }
}

fn concat_prefix(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

/// Go's `%v` for warning texts (approximate for nested data).
fn go_v(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format!("{f}"),
        Value::String(s) => s.clone().into(),
        Value::Seq(s) => format!("[{}]", s.iter().map(go_v).collect::<Vec<_>>().join(" ")),
        Value::Map(m) => format!("map[{}]", {
            let mut keys: Vec<&kyaml::map::Key> = m.keys().collect();
            keys.sort();
            keys.iter()
                .map(|k| format!("{k}:{}", go_v(&m[*k])))
                .collect::<Vec<_>>()
                .join(" ")
        }),
    }
}

/// Helm's `CoalesceValues`: user values over chart defaults, `null` deletes (merge = false).
pub fn coalesce_values(ch: &Chart, vals: &Map, w: &mut Warnings) -> Result<Map, String> {
    let mut dest = vals.clone();
    coalesce(ch, &mut dest, "", false, w)?;
    Ok(dest)
}

/// Helm's `MergeValues`: like [`coalesce_values`] but `null`s are kept (merge = true).
pub fn merge_values(ch: &Chart, vals: &Map, w: &mut Warnings) -> Result<Map, String> {
    let mut dest = vals.clone();
    coalesce(ch, &mut dest, "", true, w)?;
    Ok(dest)
}

fn coalesce(
    ch: &Chart,
    dest: &mut Map,
    prefix: &str,
    merge: bool,
    w: &mut Warnings,
) -> Result<(), String> {
    coalesce_chart_values(ch, dest, prefix, merge, w);
    coalesce_deps(ch, dest, prefix, merge, w)
}

fn coalesce_deps(
    ch: &Chart,
    dest: &mut Map,
    prefix: &str,
    merge: bool,
    w: &mut Warnings,
) -> Result<(), String> {
    for sub in &ch.dependencies {
        let name = sub.name().to_string();
        match dest.get(&name) {
            None => {
                dest.insert(name.clone(), Value::Map(Map::new()));
            }
            Some(Value::Map(_)) => {}
            Some(other) => {
                return Err(format!(
                    "type mismatch on {name}: %!t({})",
                    go_type_and_value(other)
                ));
            }
        }
        let sub_prefix = concat_prefix(prefix, &ch.metadata.name);
        let mut dv = match dest.shift_remove(&name) {
            Some(Value::Map(m)) => m,
            _ => Map::new(),
        };
        // globals of the parent (dest) flow into the subchart's section
        coalesce_globals(&mut dv, dest, &sub_prefix, w);
        coalesce(sub, &mut dv, &sub_prefix, merge, w)?;
        dest.insert(name, Value::Map(dv));
    }
    Ok(())
}

fn go_type_and_value(v: &Value) -> String {
    let t = match v {
        Value::Null => return "<nil>".into(),
        Value::Bool(_) => "bool",
        Value::Int(_) => "int64",
        Value::Float(_) => "float64",
        Value::String(_) => "string",
        Value::Seq(_) => "[]interface {}",
        Value::Map(_) => "map[string]interface {}",
    };
    format!("{t}={}", go_v(v))
}

fn coalesce_globals(dest: &mut Map, src: &Map, prefix: &str, w: &mut Warnings) {
    let mut dg = match dest.get(GLOBAL_KEY) {
        None => Map::new(),
        Some(Value::Map(m)) => m.clone(),
        Some(_) => {
            w.push(format!(
                "warning: skipping globals because destination {GLOBAL_KEY} is not a table."
            ));
            return;
        }
    };
    let sg = match src.get(GLOBAL_KEY) {
        None => Map::new(),
        Some(Value::Map(m)) => m.clone(),
        Some(_) => {
            w.push(format!(
                "warning: skipping globals because source {GLOBAL_KEY} is not a table."
            ));
            return;
        }
    };
    for (key, val) in sg {
        match val {
            Value::Map(vv) => {
                let mut vv = vv;
                match dg.get(&key) {
                    None => {
                        dg.insert(key, Value::Map(vv));
                    }
                    Some(Value::Map(destv)) => {
                        let sub_prefix = concat_prefix(prefix, &key);
                        coalesce_tables(&mut vv, destv, &sub_prefix, true, w);
                        dg.insert(key, Value::Map(vv));
                    }
                    Some(_) => {
                        w.push(format!(
                            "Conflict: cannot merge map onto non-map for {key:?}. Skipping."
                        ));
                    }
                }
            }
            val => {
                if matches!(dg.get(&key), Some(Value::Map(_))) {
                    w.push(format!("key {key} is table. Skipping"));
                } else {
                    dg.insert(key, val);
                }
            }
        }
    }
    dest.insert(GLOBAL_KEY.to_string(), Value::Map(dg));
}

fn is_subchart(ch: &Chart, key: &str) -> bool {
    ch.dependencies.iter().any(|d| d.name() == key)
}

fn coalesce_chart_values(ch: &Chart, v: &mut Map, prefix: &str, merge: bool, w: &mut Warnings) {
    let sub_prefix = concat_prefix(prefix, &ch.metadata.name);
    let v4 = w.v4();
    for (key, val) in &ch.values {
        match v.get_mut(key) {
            Some(Value::Null) if !merge => {
                v.shift_remove(key);
            }
            Some(Value::Map(dest)) => match val {
                Value::Map(src) => {
                    let merge = merge || is_subchart(ch, key);
                    if v4 && !merge {
                        let mut src = src.clone();
                        clean_nil_values(&mut src);
                        coalesce_tables(dest, &src, &concat_prefix(&sub_prefix, key), merge, w);
                    } else {
                        coalesce_tables(dest, src, &concat_prefix(&sub_prefix, key), merge, w);
                    }
                }
                Value::Null => {}
                _ => w.push(format!(
                    "warning: skipped value for {sub_prefix}.{key}: Not a table."
                )),
            },
            Some(_) => {}
            None if v4 && !merge => {
                // Helm 4 drops null defaults instead of copying them.
                match val {
                    Value::Null => {}
                    Value::Map(sub) => {
                        let mut sub = sub.clone();
                        clean_nil_values(&mut sub);
                        v.insert(key.clone(), Value::Map(sub));
                    }
                    _ => {
                        v.insert(key.clone(), val.clone());
                    }
                }
            }
            None => {
                v.insert(key.clone(), val.clone());
            }
        }
    }
}

/// Helm's `coalesceTablesFullKey`: `src` fills in `dst`; `dst` wins. With `merge` false a `null`
/// in `dst` deletes the key.
///
/// Helm 4 deletes a `null` of `dst` only where `src` has a non-null value for the key (a
/// `null` nobody defaults stays).
pub fn coalesce_tables(dst: &mut Map, src: &Map, prefix: &str, merge: bool, w: &mut Warnings) {
    let v4 = w.v4();
    for (key, val) in src {
        let full = concat_prefix(prefix, key);
        match dst.get_mut(key) {
            Some(Value::Null) if !merge && (!v4 || !val.is_null()) => {
                dst.shift_remove(key);
            }
            None => {
                dst.insert(key.clone(), val.clone());
            }
            Some(dv) => match (val, dv) {
                (Value::Map(s), Value::Map(d)) => coalesce_tables(d, s, &full, merge, w),
                (Value::Map(_), _) => w.push(format!(
                    "warning: cannot overwrite table with non table for {full} ({})",
                    go_v(val)
                )),
                (v, Value::Map(_)) if !v.is_null() => w.push(format!(
                    "warning: destination for {full} is a table. Ignoring non-table value ({})",
                    go_v(v)
                )),
                _ => {}
            },
        }
    }
}

/// Helm's `mergeMaps` for `-f` files: recursive, later wins, maps merge.
pub fn merge_maps(base: &mut Map, over: Map) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(Value::Map(b)), Value::Map(o)) => merge_maps(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// `Values.Table("a.b.c")`: the map at that dotted path, or Helm's error text.
pub fn table<'a>(v: &'a Map, path: &str) -> Result<&'a Map, String> {
    let mut t = v;
    for part in path.split('.') {
        match t.get(part) {
            Some(Value::Map(m)) => t = m,
            _ => return Err(format!("{part:?} is not a table")),
        }
    }
    Ok(t)
}

/// `Values.PathValue("a.b")`: a non-table value at that path.
pub fn path_value<'a>(v: &'a Map, path: &str) -> Option<&'a Value> {
    if path.is_empty() {
        return None;
    }
    let (parent, key) = match path.rsplit_once('.') {
        Some((p, k)) => (Some(p), k),
        None => (None, path),
    };
    let t = match parent {
        None => v,
        Some(p) => table(v, p).ok()?,
    };
    match t.get(key) {
        Some(Value::Map(_)) | None => None,
        Some(x) => Some(x),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Metadata;

    fn map(j: serde_json::Value) -> Map {
        match Value::from(j) {
            Value::Map(m) => m,
            _ => unreachable!(),
        }
    }

    fn chart(name: &str, values: serde_json::Value, deps: Vec<Chart>) -> Chart {
        Chart {
            metadata: Metadata {
                name: name.into(),
                ..Default::default()
            },
            values: map(values),
            dependencies: deps,
            ..Default::default()
        }
    }

    #[test]
    fn user_null_deletes_default_and_globals_flow_down() {
        // Helm's issue-9027 shape.
        let sub = chart(
            "subchart",
            serde_json::json!({"global": {"hash": {"key1": 1, "key2": 2, "key4": 4}}, "hash": {"key1": 1, "key4": 4}}),
            vec![],
        );
        let parent = chart(
            "parent",
            serde_json::json!({"global": {"hash": {"key1": null, "key3": 13}}, "subchart": {"hash": {"key1": null}}}),
            vec![sub],
        );
        let mut w = Warnings::default();
        let out = coalesce_values(&parent, &Map::new(), &mut w).unwrap();
        let j = serde_json::Value::from(&Value::Map(out));
        assert_eq!(
            j["global"]["hash"],
            serde_json::json!({"key1": null, "key3": 13})
        );
        assert_eq!(
            j["subchart"]["global"]["hash"],
            serde_json::json!({"key3": 13, "key2": 2, "key4": 4})
        );
        assert_eq!(j["subchart"]["hash"], serde_json::json!({"key4": 4}));
    }

    #[test]
    fn user_values_win_and_warn_on_type_clash() {
        let c = chart(
            "c",
            serde_json::json!({"a": {"b": 1}, "s": "x", "t": {"u": 1}}),
            vec![],
        );
        let mut w = Warnings::default();
        let out = coalesce_values(
            &c,
            &map(serde_json::json!({"a": {"c": 2}, "s": null, "t": "str"})),
            &mut w,
        )
        .unwrap();
        let j = serde_json::Value::from(&Value::Map(out));
        assert_eq!(j, serde_json::json!({"a": {"c": 2, "b": 1}, "t": "str"}));
        assert!(w.0.is_empty(), "{:?}", w.0);
    }

    #[test]
    fn table_and_path_value() {
        let m = map(serde_json::json!({"a": {"b": {"c": true}}, "x": 1}));
        assert!(table(&m, "a.b").is_ok());
        assert_eq!(table(&m, "a.z").unwrap_err(), "\"z\" is not a table");
        assert_eq!(path_value(&m, "a.b.c"), Some(&Value::Bool(true)));
        assert_eq!(path_value(&m, "a.b"), None);
        assert_eq!(path_value(&m, "x"), Some(&Value::Int(1)));
    }
}
