//! `vars:` and their `$(NAME)` references. Each kustomization's vars are attached to the
//! object they name (by any of its ids) when that kustomization is done; at the top, after
//! name references are fixed, each var takes the value of its field and every `$(NAME)` in
//! the `varReference` fields is replaced in one left-to-right pass (the replacement text is
//! never expanded again, so expansion cannot loop).

use std::collections::BTreeMap;

use crate::config::FieldSpec;
use crate::fieldpath::{Create, lookup, smarter_split};
use crate::resource::{Res, ResId};
use crate::types::Var;
use kyaml::Value;

/// The vars of a build, by name (kustomize `VarSet`).
#[derive(Debug, Clone, Default)]
pub(crate) struct VarSet(BTreeMap<String, Var>);

impl VarSet {
    pub fn merge(&mut self, v: &Var) -> Result<(), String> {
        if self.0.contains_key(&v.name) {
            return Err(format!("var '{}' already encountered", v.name));
        }
        self.0.insert(v.name.clone(), v.clone());
        Ok(())
    }

    pub fn merge_set(&mut self, other: &VarSet) -> Result<(), String> {
        for v in other.0.values() {
            self.merge(v)?;
        }
        Ok(())
    }
}

fn describe(v: &Var) -> String {
    format!(
        "{{{} {{{} {}}} {{{}}}}}",
        v.name,
        v.obj_ref.display(),
        v.obj_ref.name,
        v.field_path
    )
}

/// kustomize `ResAccumulator.MergeVars`: marks the object each var names, then adds the vars.
pub(crate) fn merge_vars(
    resources: &mut [Res],
    incoming: &[Var],
    set: &mut VarSet,
) -> Result<(), String> {
    for v in incoming {
        let target = ResId {
            gvk: crate::resource::Gvk {
                group: v.obj_ref.group.clone(),
                version: v.obj_ref.version.clone(),
                kind: v.obj_ref.kind.clone(),
            },
            name: v.obj_ref.name.clone(),
            namespace: v.obj_ref.namespace.clone(),
        };
        let by_ns = !target.namespace.is_empty();
        let matched: Vec<usize> = (0..resources.len())
            .filter(|&i| {
                let r = &resources[i];
                std::iter::once(r.cur_id()).chain(r.prev_ids()).any(|id| {
                    id.name == target.name
                        && id.gvk == target.gvk
                        && (!by_ns || id.ns_equals(&target))
                })
            })
            .collect();
        if matched.len() > 1 {
            return Err(format!(
                "found {} resId matches for var {} (unable to disambiguate)",
                matched.len(),
                describe(v)
            ));
        }
        if let [i] = matched.as_slice() {
            resources[*i].ref_var_names.push(v.name.clone());
        }
    }
    for v in incoming {
        set.merge(v)?;
    }
    Ok(())
}

/// A var's value: a primitive, or something that cannot replace a reference.
#[derive(Debug, Clone)]
enum VarValue {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Other,
}

impl VarValue {
    fn text(&self) -> Option<String> {
        match self {
            VarValue::Str(s) => Some(s.clone()),
            VarValue::Int(i) => Some(i.to_string()),
            VarValue::Float(f) => Some(go_float(*f)),
            VarValue::Bool(b) => Some(b.to_string()),
            VarValue::Other => None,
        }
    }

    fn value(&self) -> Option<Value> {
        match self {
            VarValue::Str(s) => Some(Value::String(s.clone().into())),
            VarValue::Int(i) => Some(Value::Int(*i)),
            VarValue::Float(f) => Some(Value::Float(*f)),
            VarValue::Bool(b) => Some(Value::Bool(*b)),
            VarValue::Other => None,
        }
    }
}

/// Go's `%v` of a float64 (`strconv.FormatFloat(f, 'g', -1, 64)`).
fn go_float(f: f64) -> String {
    if f == 0.0 {
        return "0".to_string();
    }
    let exp = f.abs().log10().floor() as i32;
    if (-4..21).contains(&exp) && !(6..21).contains(&exp) {
        return format!("{f}");
    }
    if (6..21).contains(&exp) {
        // Go switches to exponent form at 1e+06 for the shortest representation.
        let s = format!("{f:e}");
        return go_exp(&s);
    }
    go_exp(&format!("{f:e}"))
}

fn go_exp(rust: &str) -> String {
    let Some((mant, exp)) = rust.split_once('e') else {
        return rust.to_string();
    };
    let (sign, digits) = match exp.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', exp),
    };
    format!("{mant}e{sign}{digits:0>2}")
}

/// Resolves the vars and replaces their references (kustomize `ResolveVars`).
pub(crate) fn resolve(
    resources: &mut [Res],
    vars: &VarSet,
    specs: &[FieldSpec],
) -> Result<(), String> {
    let mut values: BTreeMap<String, VarValue> = BTreeMap::new();
    for v in vars.0.values() {
        let holder = resources
            .iter()
            .find(|r| r.ref_var_names.contains(&v.name))
            .ok_or_else(|| {
                format!(
                    "var '{}' cannot be mapped to a field in the set of known resources",
                    describe(v)
                )
            })?;
        let parts = convert_slice_index(&smarter_split(&v.field_path, '.'));
        let found = lookup(&holder.value, &parts)
            .ok()
            .flatten()
            .ok_or_else(|| {
                format!(
                    "field specified in var '{}' not found in corresponding resource",
                    describe(v)
                )
            })?;
        let value = match found {
            Value::String(s) => VarValue::Str(s.clone().into()),
            Value::Int(i) => VarValue::Int(*i),
            Value::Float(f) => VarValue::Float(*f),
            Value::Bool(b) => VarValue::Bool(*b),
            Value::Null => VarValue::Str(String::new()),
            _ => VarValue::Other,
        };
        values.insert(v.name.clone(), value);
    }
    if values.is_empty() {
        return Ok(());
    }
    for r in resources.iter_mut() {
        for fs in specs {
            super::builtins::meta::apply_spec(r, fs, Create::Nothing, &mut |n| {
                replace_node(n, &values)
            })?;
        }
    }
    Ok(())
}

/// kyaml's `convertSliceIndex`: `a[0]` becomes `a`, `0`.
fn convert_slice_index(parts: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(parts.len());
    for p in parts {
        if let Some(open) = p.rfind('[')
            && p.ends_with(']')
        {
            let idx = &p[open + 1..p.len() - 1];
            if !idx.is_empty() && idx.bytes().all(|b| b.is_ascii_digit()) {
                if open > 0 {
                    out.push(p[..open].to_string());
                }
                out.push(idx.to_string());
                continue;
            }
        }
        out.push(p.clone());
    }
    out
}

fn replace_node(node: &mut Value, values: &BTreeMap<String, VarValue>) -> Result<(), String> {
    match node {
        Value::Null => Ok(()),
        Value::String(s) => {
            *node = expand(s, values);
            Ok(())
        }
        Value::Map(m) => {
            for v in m.values_mut() {
                if let Value::String(s) = v {
                    *v = expand(s, values);
                }
            }
            Ok(())
        }
        Value::Seq(items) => {
            for item in items.iter_mut() {
                match item {
                    Value::String(s) => *item = expand(s, values),
                    _ => return Err("invalid value type expect a string".to_string()),
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// kustomize's `DoReplacements`: `$(NAME)` is replaced, `$$` is a literal `$`; a string that
/// is exactly one reference takes the var's type.
fn expand(input: &str, values: &BTreeMap<String, VarValue>) -> Value {
    let bytes = input.as_bytes();
    let mut out = String::with_capacity(input.len());
    let mut checkpoint = 0;
    let mut cursor = 0;
    while cursor < bytes.len() {
        if bytes[cursor] == b'$' && cursor + 1 < bytes.len() {
            out.push_str(&input[checkpoint..cursor]);
            let rest = &input[cursor + 1..];
            let advance = match rest.as_bytes()[0] {
                b'$' => {
                    out.push('$');
                    1
                }
                b'(' => match rest[1..].find(')') {
                    Some(end) => {
                        let name = &rest[1..1 + end];
                        let mapped = values.get(name);
                        if input.len() == name.len() + 3 && cursor == 0 {
                            if let Some(v) = mapped.and_then(VarValue::value) {
                                return v;
                            }
                            return Value::String(input.to_string().into());
                        }
                        match mapped.and_then(VarValue::text) {
                            Some(t) => out.push_str(&t),
                            None => {
                                out.push_str("$(");
                                out.push_str(name);
                                out.push(')');
                            }
                        }
                        end + 2
                    }
                    None => {
                        out.push_str("$(");
                        1
                    }
                },
                _ => {
                    let c = rest.chars().next().unwrap_or_default();
                    out.push('$');
                    out.push(c);
                    c.len_utf8()
                }
            };
            cursor += advance;
            checkpoint = cursor + 1;
        }
        cursor += 1;
    }
    if checkpoint < input.len() {
        out.push_str(&input[checkpoint..]);
    }
    Value::String(out.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals() -> BTreeMap<String, VarValue> {
        let mut m = BTreeMap::new();
        m.insert("SVC".to_string(), VarValue::Str("my-svc".into()));
        m.insert("PORT".to_string(), VarValue::Int(8080));
        m
    }

    #[test]
    fn references_expand_once() {
        assert_eq!(
            expand("http://$(SVC):$(PORT)/", &vals()),
            Value::String("http://my-svc:8080/".into())
        );
        assert_eq!(expand("$(PORT)", &vals()), Value::Int(8080));
        assert_eq!(expand("$$(SVC)", &vals()), Value::String("$(SVC)".into()));
        assert_eq!(
            expand("$(NOPE) $(", &vals()),
            Value::String("$(NOPE) $(".into())
        );
        assert_eq!(expand("a$b", &vals()), Value::String("a$b".into()));
    }

    #[test]
    fn slice_indexes_split_off() {
        let p: Vec<String> = ["spec", "ports[0]", "port"]
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(convert_slice_index(&p), ["spec", "ports", "0", "port"]);
    }

    #[test]
    fn floats_print_like_go() {
        assert_eq!(go_float(1.5), "1.5");
        assert_eq!(go_float(1.0), "1");
        assert_eq!(go_float(1e6), "1e+06");
    }
}
