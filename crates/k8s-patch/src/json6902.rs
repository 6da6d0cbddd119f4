//! JSON Patch (RFC 6902) with JSON Pointers (RFC 6901) on [`Value`] trees, as kustomize's
//! `patchesJson6902` and JSON-style `patches:` entries apply them. Errors name the operation
//! index, the path and the reason, so `vendor check` can report `json6902-op-failed`.

use kyaml::Value;

/// One operation of a JSON patch.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub op: String,
    pub path: String,
    pub from: Option<String>,
    pub value: Option<Value>,
}

/// Why a JSON patch could not be read or applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonPatchError {
    #[error("a JSON patch must be a list of operations, found {found}")]
    NotAList { found: &'static str },
    #[error("operation {index}: {reason}")]
    Invalid { index: usize, reason: String },
    #[error("operation {index} ({op} {path}) failed: {reason}")]
    Failed {
        index: usize,
        op: String,
        path: String,
        reason: String,
    },
}

impl JsonPatchError {
    /// Index of the operation concerned (0-based), when there is one.
    pub fn op_index(&self) -> Option<usize> {
        match self {
            JsonPatchError::NotAList { .. } => None,
            JsonPatchError::Invalid { index, .. } | JsonPatchError::Failed { index, .. } => {
                Some(*index)
            }
        }
    }
}

/// Reads a decoded patch document (a list of `{op, path, from?, value?}` maps).
pub fn parse(doc: &Value) -> Result<Vec<Operation>, JsonPatchError> {
    let items = doc.as_seq().ok_or(JsonPatchError::NotAList {
        found: doc.type_name(),
    })?;
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let invalid = |reason: String| JsonPatchError::Invalid { index, reason };
            let m = item
                .as_map()
                .ok_or_else(|| invalid(format!("expected a map, found {}", item.type_name())))?;
            let text = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_string);
            let op = text("op").ok_or_else(|| invalid("missing `op`".into()))?;
            let path = text("path").ok_or_else(|| invalid("missing `path`".into()))?;
            if !matches!(
                op.as_str(),
                "add" | "remove" | "replace" | "move" | "copy" | "test"
            ) {
                return Err(invalid(format!("unknown op `{op}`")));
            }
            let from = text("from");
            if matches!(op.as_str(), "move" | "copy") && from.is_none() {
                return Err(invalid(format!("`{op}` needs `from`")));
            }
            let value = m.get("value").cloned();
            if matches!(op.as_str(), "add" | "replace" | "test") && value.is_none() {
                return Err(invalid(format!("`{op}` needs `value`")));
            }
            Ok(Operation {
                op,
                path,
                from,
                value,
            })
        })
        .collect()
}

/// Applies every operation in order; the first failure stops.
pub fn apply(doc: &mut Value, ops: &[Operation]) -> Result<(), JsonPatchError> {
    for (index, op) in ops.iter().enumerate() {
        apply_one(doc, op).map_err(|reason| JsonPatchError::Failed {
            index,
            op: op.op.clone(),
            path: op.path.clone(),
            reason,
        })?;
    }
    Ok(())
}

fn apply_one(doc: &mut Value, op: &Operation) -> Result<(), String> {
    match op.op.as_str() {
        "add" => add(doc, &op.path, op.value.clone().unwrap_or_default()),
        "remove" => remove(doc, &op.path).map(drop),
        "replace" => {
            let target = get_mut(doc, &op.path)?;
            *target = op.value.clone().unwrap_or_default();
            Ok(())
        }
        "move" => {
            let from = op.from.as_deref().unwrap_or_default();
            if op.path.starts_with(&format!("{from}/")) {
                return Err(format!("cannot move {from} into its own child"));
            }
            let v = remove(doc, from)?;
            add(doc, &op.path, v)
        }
        "copy" => {
            let v = get_mut(doc, op.from.as_deref().unwrap_or_default())?.clone();
            add(doc, &op.path, v)
        }
        "test" => {
            let v = get_mut(doc, &op.path)?;
            if Some(&*v) == op.value.as_ref() {
                Ok(())
            } else {
                Err("test failed: value differs".into())
            }
        }
        other => Err(format!("unknown op `{other}`")),
    }
}

/// Splits an RFC 6901 pointer into unescaped tokens.
fn tokens(pointer: &str) -> Result<Vec<String>, String> {
    if pointer.is_empty() {
        return Ok(Vec::new());
    }
    let rest = pointer
        .strip_prefix('/')
        .ok_or_else(|| format!("pointer `{pointer}` must start with `/`"))?;
    Ok(rest
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn index_of(token: &str, len: usize, allow_end: bool) -> Result<usize, String> {
    if allow_end && token == "-" {
        return Ok(len);
    }
    let valid = !token.is_empty()
        && token.bytes().all(|b| b.is_ascii_digit())
        && (token == "0" || !token.starts_with('0'));
    let i: usize = if valid {
        token.parse().map_err(|_| format!("bad index `{token}`"))?
    } else {
        return Err(format!("`{token}` is not a list index"));
    };
    let max = if allow_end {
        len
    } else {
        len.saturating_sub(1)
    };
    if i > max || (!allow_end && len == 0) {
        return Err(format!("index {i} is out of range (list has {len} items)"));
    }
    Ok(i)
}

fn parent_mut<'a>(doc: &'a mut Value, pointer: &str) -> Result<(&'a mut Value, String), String> {
    let mut toks = tokens(pointer)?;
    let last = toks
        .pop()
        .ok_or_else(|| "the whole document cannot be the target".to_string())?;
    let mut cur = doc;
    let mut walked = String::new();
    for t in &toks {
        walked.push('/');
        walked.push_str(t);
        cur = step(cur, t).map_err(|e| format!("{e} (at {walked})"))?;
    }
    Ok((cur, last))
}

fn step<'a>(v: &'a mut Value, t: &str) -> Result<&'a mut Value, String> {
    match v {
        Value::Map(m) => m.get_mut(t).ok_or_else(|| format!("missing key `{t}`")),
        Value::Seq(s) => {
            let i = index_of(t, s.len(), false)?;
            Ok(&mut s[i])
        }
        other => Err(format!(
            "cannot step into a {} with `{t}`",
            other.type_name()
        )),
    }
}

fn get_mut<'a>(doc: &'a mut Value, pointer: &str) -> Result<&'a mut Value, String> {
    let mut cur = doc;
    for t in tokens(pointer)? {
        cur = step(cur, &t)?;
    }
    Ok(cur)
}

fn add(doc: &mut Value, pointer: &str, value: Value) -> Result<(), String> {
    if pointer.is_empty() {
        *doc = value;
        return Ok(());
    }
    let (parent, last) = parent_mut(doc, pointer)?;
    match parent {
        Value::Map(m) => {
            m.insert(last, value);
            Ok(())
        }
        Value::Seq(s) => {
            let i = index_of(&last, s.len(), true)?;
            s.insert(i, value);
            Ok(())
        }
        other => Err(format!("cannot add to a {}", other.type_name())),
    }
}

fn remove(doc: &mut Value, pointer: &str) -> Result<Value, String> {
    let (parent, last) = parent_mut(doc, pointer)?;
    match parent {
        Value::Map(m) => m
            .shift_remove(&last)
            .ok_or_else(|| format!("missing key `{last}`")),
        Value::Seq(s) => {
            let i = index_of(&last, s.len(), false)?;
            Ok(s.remove(i))
        }
        other => Err(format!("cannot remove from a {}", other.type_name())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(
        doc: serde_json::Value,
        ops: serde_json::Value,
    ) -> Result<serde_json::Value, JsonPatchError> {
        let mut d = Value::from(doc);
        let ops = parse(&Value::from(ops))?;
        apply(&mut d, &ops)?;
        Ok(serde_json::Value::from(&d))
    }

    #[test]
    fn add_replace_remove() {
        let out = run(
            json!({"a": {"b": [1, 2]}, "c": 1}),
            json!([
                {"op": "add", "path": "/a/b/1", "value": 9},
                {"op": "add", "path": "/a/b/-", "value": 3},
                {"op": "replace", "path": "/c", "value": "x"},
                {"op": "remove", "path": "/a/b/0"},
                {"op": "add", "path": "/d~1e", "value": true}
            ]),
        )
        .unwrap();
        assert_eq!(out, json!({"a": {"b": [9, 2, 3]}, "c": "x", "d/e": true}));
    }

    #[test]
    fn move_copy_test() {
        let out = run(
            json!({"a": 1, "b": {}}),
            json!([
                {"op": "copy", "from": "/a", "path": "/b/a"},
                {"op": "move", "from": "/a", "path": "/z"},
                {"op": "test", "path": "/z", "value": 1}
            ]),
        )
        .unwrap();
        assert_eq!(out, json!({"b": {"a": 1}, "z": 1}));
    }

    #[test]
    fn failures_name_index_path_and_reason() {
        let err = run(json!({"a": 1}), json!([{"op": "add", "path": "/b", "value": 1}, {"op": "replace", "path": "/x/y", "value": 2}]))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "operation 1 (replace /x/y) failed: missing key `x`"
        );
        assert_eq!(err.op_index(), Some(1));
        let err = run(json!({"a": [1]}), json!([{"op": "remove", "path": "/a/3"}])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "operation 0 (remove /a/3) failed: index 3 is out of range (list has 1 items)"
        );
        let err = run(
            json!({"a": 1}),
            json!([{"op": "test", "path": "/a", "value": 2}]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("test failed"));
    }

    #[test]
    fn malformed_operations_are_rejected() {
        assert!(matches!(
            run(json!({}), json!({"op": "add"})),
            Err(JsonPatchError::NotAList { .. })
        ));
        let err = run(json!({}), json!([{"op": "frob", "path": "/a"}])).unwrap_err();
        assert_eq!(err.to_string(), "operation 0: unknown op `frob`");
    }
}
