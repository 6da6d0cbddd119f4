//! CustomResourceDefinition highlights: versions added or removed, `served`/`storage` flips, and
//! per version the OpenAPI schema fields added, removed, retyped or newly required. Only the
//! topmost field of an added or removed subtree is listed.

use std::collections::BTreeMap;

use super::{Category, Highlight, str_at};
use crate::{Object, ResourceDiff, Status};
use kyaml::Value;

pub(crate) fn is_crd(r: &Object) -> bool {
    r.key.group == "apiextensions.k8s.io" && r.key.kind == "CustomResourceDefinition"
}

fn versions(r: &Object) -> BTreeMap<String, &Value> {
    r.value
        .path(&["spec", "versions"])
        .and_then(Value::as_seq)
        .unwrap_or_default()
        .iter()
        .map(|v| (str_at(v, "name").to_string(), v))
        .collect()
}

/// One schema field: its type and whether its parent requires it.
#[derive(Debug, PartialEq)]
struct Field {
    ty: String,
    required: bool,
    /// Allowed values, when the schema restricts them.
    allowed: Vec<String>,
}

fn schema_of(version: &Value) -> Option<&Value> {
    version.path(&["schema", "openAPIV3Schema"])
}

fn type_of(schema: &Value) -> String {
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        return t.to_string();
    }
    if schema.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
        return "int-or-string".into();
    }
    if schema.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true)) {
        return "any".into();
    }
    if schema.get("properties").is_some() {
        return "object".into();
    }
    "unspecified".into()
}

/// Flattens a schema to `path -> Field` (`spec.endpoints[].port`, `spec.labels{}`).
fn flatten(schema: &Value, prefix: &str, required: bool, out: &mut BTreeMap<String, Field>) {
    if !prefix.is_empty() {
        let allowed = schema
            .get("enum")
            .and_then(Value::as_seq)
            .unwrap_or_default()
            .iter()
            .map(crate::field::scalar_text)
            .collect();
        out.insert(
            prefix.to_string(),
            Field {
                ty: type_of(schema),
                required,
                allowed,
            },
        );
    }
    let required_names: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    if let Some(props) = schema.get("properties").and_then(Value::as_map) {
        for (name, sub) in props {
            let path = if prefix.is_empty() {
                name.to_string()
            } else {
                format!("{prefix}.{name}")
            };
            flatten(sub, &path, required_names.contains(&name.as_str()), out);
        }
    }
    if let Some(items) = schema.get("items").filter(|i| i.as_map().is_some()) {
        flatten(items, &format!("{prefix}[]"), false, out);
    }
    if let Some(extra) = schema
        .get("additionalProperties")
        .filter(|i| i.as_map().is_some())
    {
        flatten(extra, &format!("{prefix}{{}}"), false, out);
    }
}

/// The parent of a flattened path (`a.b[]` -> `a.b`, `a.b` -> `a`).
fn parent(path: &str) -> Option<&str> {
    if let Some(p) = path.strip_suffix("[]").or_else(|| path.strip_suffix("{}")) {
        return Some(p);
    }
    path.rfind('.').map(|i| &path[..i])
}

pub(super) fn highlight(d: &ResourceDiff<'_>, out: &mut Vec<Highlight>) {
    let (Some(o), Some(n)) = (d.old, d.new) else {
        return;
    };
    if d.status == Status::Added || !is_crd(n) || !is_crd(o) {
        return;
    }
    let (before, after) = (versions(o), versions(n));
    for name in before.keys().filter(|v| !after.contains_key(*v)) {
        out.push(
            Highlight::new(
                Category::CrdVersionRemoved,
                format!("version {name} is removed"),
            )
            .resource(n),
        );
    }
    for name in after.keys().filter(|v| !before.contains_key(*v)) {
        out.push(
            Highlight::new(
                Category::CrdVersionAdded,
                format!("version {name} is added"),
            )
            .resource(n),
        );
    }
    for (name, new_v) in &after {
        let Some(old_v) = before.get(name) else {
            continue;
        };
        for (flag, category) in [
            ("served", Category::CrdServedChanged),
            ("storage", Category::CrdStorageChanged),
        ] {
            let was = old_v.get(flag) == Some(&Value::Bool(true));
            let is = new_v.get(flag) == Some(&Value::Bool(true));
            if was != is {
                out.push(
                    Highlight::new(category, format!("version {name}: {flag} {was} -> {is}"))
                        .resource(n)
                        .change(was.to_string(), is.to_string()),
                );
            }
        }
        if old_v == new_v {
            continue;
        }
        schema_changes(name, schema_of(old_v), schema_of(new_v), n, out);
    }
}

fn schema_changes(
    version: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    crd: &Object,
    out: &mut Vec<Highlight>,
) {
    if old == new {
        return;
    }
    let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
    if let Some(s) = old {
        flatten(s, "", false, &mut a);
    }
    if let Some(s) = new {
        flatten(s, "", false, &mut b);
    }
    let top_only = |mine: &BTreeMap<String, Field>, other: &BTreeMap<String, Field>, path: &str| {
        parent(path).is_none_or(|p| other.contains_key(p) || !mine.contains_key(p))
    };
    let added: Vec<String> = b
        .keys()
        .filter(|p| !a.contains_key(*p) && top_only(&b, &a, p))
        .cloned()
        .collect();
    let removed: Vec<String> = a
        .keys()
        .filter(|p| !b.contains_key(*p) && top_only(&a, &b, p))
        .cloned()
        .collect();
    let retyped: Vec<String> = b
        .iter()
        .filter_map(|(p, f)| {
            let old = a.get(p)?;
            (old.ty != f.ty).then(|| format!("{p}: {} -> {}", old.ty, f.ty))
        })
        .collect();
    // Newly required: required now, and either optional before or added under an existing parent.
    let required: Vec<String> = b
        .iter()
        .filter(|(p, f)| f.required && a.get(*p).is_none_or(|old| !old.required))
        .filter(|(p, _)| a.contains_key(*p) || parent(p).is_none_or(|par| a.contains_key(par)))
        // The controller writes `status`; only what users write can break their manifests.
        .filter(|(p, _)| !p.starts_with("status."))
        .map(|(p, _)| p.clone())
        .collect();
    let (mut enum_added, mut enum_removed) = (Vec::new(), Vec::new());
    for (p, f) in &b {
        let Some(old) = a.get(p) else { continue };
        if old.allowed.is_empty() || f.allowed.is_empty() {
            continue;
        }
        let gained: Vec<&str> = f
            .allowed
            .iter()
            .filter(|v| !old.allowed.contains(v))
            .map(String::as_str)
            .collect();
        let lost: Vec<&str> = old
            .allowed
            .iter()
            .filter(|v| !f.allowed.contains(v))
            .map(String::as_str)
            .collect();
        if !gained.is_empty() {
            enum_added.push(format!("{p}: {}", gained.join(", ")));
        }
        if !lost.is_empty() {
            enum_removed.push(format!("{p}: {}", lost.join(", ")));
        }
    }
    let mut push = |category, verb: &str, fields: Vec<String>| {
        if fields.is_empty() {
            return;
        }
        let noun = if fields.len() == 1 { "field" } else { "fields" };
        out.push(
            Highlight::new(
                category,
                format!("version {version}: {} schema {noun} {verb}", fields.len()),
            )
            .resource(crd)
            .details(fields),
        );
    };
    push(Category::CrdFieldAdded, "added", added);
    push(Category::CrdFieldRemoved, "removed", removed);
    push(Category::CrdFieldRetyped, "retyped", retyped);
    push(Category::CrdFieldRequired, "newly required", required);
    push(Category::CrdEnumAdded, "accept new values", enum_added);
    push(
        Category::CrdEnumRemoved,
        "no longer accept some values",
        enum_removed,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Options, Origin, diff};
    use serde_json::json;

    fn crd(versions: serde_json::Value) -> Object {
        Object::new(
            Value::from(json!({
                "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": {"name": "widgets.example.com"},
                "spec": {"group": "example.com", "scope": "Namespaced",
                         "names": {"kind": "Widget"}, "versions": versions}
            })),
            Origin::default(),
        )
        .unwrap()
    }

    fn version(name: &str, storage: bool, spec: serde_json::Value) -> serde_json::Value {
        json!({"name": name, "served": true, "storage": storage,
               "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": spec}}}})
    }

    #[test]
    fn reports_schema_and_version_changes() {
        let old = vec![crd(json!([version(
            "v1",
            true,
            json!({"type": "object",
            "properties": {"size": {"type": "integer"}, "mode2": {"type": "string", "enum": ["a", "b"]}, "old": {"type": "object",
                "properties": {"deep": {"type": "string"}}}}})
        )]))];
        let new = vec![crd(json!([
            version(
                "v1",
                false,
                json!({"type": "object", "required": ["size", "mode"],
                "properties": {"size": {"type": "string"}, "mode": {"type": "string"}, "mode2": {"type": "string", "enum": ["b", "c"]},
                               "extra": {"type": "object", "properties": {"x": {"type": "string"}}}}})
            ),
            version("v2", true, json!({"type": "object"}))
        ]))];
        let report = diff(&old, &new, &Options::default());
        let got: Vec<String> = report
            .highlights
            .iter()
            .map(|h| format!("{}: {} {:?}", h.category.as_str(), h.message, h.details))
            .collect();
        assert_eq!(
            got,
            [
                "crd-version-added: version v2 is added []",
                "crd-storage-changed: version v1: storage true -> false []",
                r#"crd-field-added: version v1: 2 schema fields added ["spec.extra", "spec.mode"]"#,
                r#"crd-field-removed: version v1: 1 schema field removed ["spec.old"]"#,
                r#"crd-field-retyped: version v1: 1 schema field retyped ["spec.size: integer -> string"]"#,
                r#"crd-field-required: version v1: 2 schema fields newly required ["spec.mode", "spec.size"]"#,
                r#"crd-enum-added: version v1: 1 schema field accept new values ["spec.mode2: c"]"#,
                r#"crd-enum-removed: version v1: 1 schema field no longer accept some values ["spec.mode2: a"]"#,
            ]
        );
    }
}
