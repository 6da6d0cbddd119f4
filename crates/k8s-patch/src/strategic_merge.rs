//! Strategic merge patch with the semantics kustomize v5 applies (kyaml's `merge2` walker with
//! `ListIncreaseDirection: Prepend`), so `vendor build` output matches `kustomize build`.
//!
//! Rules (see kyaml `walk/` and `merge2/`): maps merge field by field; `null` in the patch deletes
//! a field; `$patch: delete|replace|merge` on maps and lists; lists merge by key only when the
//! OpenAPI schema of a built-in type says `x-kubernetes-patch-strategy: merge` (keys from
//! `x-kubernetes-list-map-keys`, else `x-kubernetes-patch-merge-key`), all other lists (and every
//! list of a custom resource) are replaced. Items the patch adds come before the existing ones.
//! Like kustomize, [`merge`] copies `$setElementOrder`, `$retainKeys` and
//! `$deleteFromPrimitiveList` into the object as ordinary fields; [`merge_kubernetes`] applies
//! them as the API server does.

mod lists;

use super::schema::{CustomSchema, Schema};
use kyaml::{Map, Value};
use lists::{
    append_list, find_element, merge_values, set_element, set_scalar_element, validate_keys,
};

/// Why a strategic merge failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("wrong node kind at {path}: expected {expected} but got {got}")]
    WrongKind {
        path: String,
        expected: &'static str,
        got: &'static str,
    },
    #[error("unknown patch strategy '{value}' at {path}")]
    UnknownDirective { path: String, value: String },
}

/// What happened to list items while merging, for the `patch-adds-list-item` finding.
#[derive(Debug, Clone, PartialEq)]
pub struct AddedItem {
    /// Field path of the list from the object root, e.g. `spec.template.spec.containers`.
    pub path: Vec<String>,
    /// Merge key names and the values of the added item.
    pub keys: Vec<(String, String)>,
    /// The item as added.
    pub item: Value,
    /// Where the item sits in the patch (keys and list indexes from the patch root).
    pub patch_path: Vec<PatchSeg>,
}

/// One step of a path into the patch document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatchSeg {
    Key(String),
    Index(usize),
}

/// Result of merging: the new object (`None` when the patch deleted it) and the list items
/// the patch added because no existing item had their merge key.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    pub object: Option<Value>,
    pub added: Vec<AddedItem>,
}

/// Applies `patch` to `object` as kustomize's patchesStrategicMerge does.
pub fn merge(object: &Value, patch: &Value) -> Result<Merged, MergeError> {
    merge_with_empty_nulls(object, patch, &[])
}

/// Applies `patch` with the Kubernetes API server's semantics instead of kustomize's: the
/// directives `$retainKeys`, `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`
/// are interpreted (kustomize copies them into the object), and items a patch adds to a keyed
/// list go after the existing ones, which keep their order (kustomize puts patched items
/// first). Everything else (merge keys, `$patch`, `null`) is as in [`merge`].
pub fn merge_kubernetes(object: &Value, patch: &Value) -> Result<Merged, MergeError> {
    run(object, patch, &[], true, None)
}

/// Like [`merge`], for an object whose source wrote some nulls as empty values (`key:`), given
/// by their paths. kyaml keeps a null the patch does not mention only when it was spelled out
/// (`null`, `~`): empty ones disappear from every part of the object the merge walks.
pub fn merge_with_empty_nulls(
    object: &Value,
    patch: &Value,
    empty_nulls: &[Vec<PatchSeg>],
) -> Result<Merged, MergeError> {
    run(object, patch, empty_nulls, false, None)
}

/// Options of [`merge_with_options`].
#[derive(Debug, Clone, Copy, Default)]
pub struct MergeOptions<'a> {
    /// Nulls the source wrote as empty values (see [`merge_with_empty_nulls`]).
    pub empty_nulls: &'a [Vec<PatchSeg>],
    /// A schema that replaces the built-in one (kustomize's `openapi: path:`).
    pub schema: Option<&'a CustomSchema>,
}

/// [`merge`] with options: empty nulls and a custom schema.
pub fn merge_with_options(
    object: &Value,
    patch: &Value,
    opts: &MergeOptions,
) -> Result<Merged, MergeError> {
    run(object, patch, opts.empty_nulls, false, opts.schema)
}

fn run(
    object: &Value,
    patch: &Value,
    empty_nulls: &[Vec<PatchSeg>],
    kubernetes: bool,
    custom: Option<&CustomSchema>,
) -> Result<Merged, MergeError> {
    let mut dest = object.clone();
    let mut walker = Walker {
        added: Vec::new(),
        path: Vec::new(),
        patch_path: Vec::new(),
        dest_path: Vec::new(),
        empty_nulls,
        kubernetes,
        custom,
    };
    let out = walker.walk(Some(&mut dest), Some(patch), None)?;
    let object = match out {
        Out::InPlace => Some(dest),
        Out::New(v) if !v.is_null() => Some(v),
        _ => None,
    };
    Ok(Merged {
        object,
        added: walker.added,
    })
}

/// What a walk step produced for its field.
enum Out {
    /// The destination was modified in place (kyaml returns the dest node itself).
    InPlace,
    /// A different node replaces the destination.
    New(Value),
    /// The field (or list item, or object) is removed.
    Clear,
}

struct Walker<'a> {
    added: Vec<AddedItem>,
    path: Vec<String>,
    patch_path: Vec<PatchSeg>,
    /// Path of the destination node (with list indexes), to recognise empty nulls.
    dest_path: Vec<PatchSeg>,
    empty_nulls: &'a [Vec<PatchSeg>],
    /// Kubernetes semantics (see [`merge_kubernetes`]) instead of kustomize's.
    kubernetes: bool,
    /// A custom schema replacing the built-in one.
    custom: Option<&'a CustomSchema>,
}

/// Kubernetes-only directives found in one patch map.
#[derive(Default)]
struct MapDirectives {
    retain_keys: Option<Vec<String>>,
    delete_from: Vec<(String, Vec<Value>)>,
    set_order: Vec<(String, Vec<Value>)>,
}

const RETAIN_KEYS: &str = "$retainKeys";
const DELETE_FROM: &str = "$deleteFromPrimitiveList/";
const SET_ORDER: &str = "$setElementOrder/";

fn take_map_directives(m: &mut Map) -> MapDirectives {
    let mut d = MapDirectives::default();
    if let Some(v) = m.shift_remove(RETAIN_KEYS) {
        d.retain_keys = Some(
            v.as_seq()
                .unwrap_or(&[])
                .iter()
                .filter_map(scalar_text)
                .collect(),
        );
    }
    let keys: Vec<kyaml::map::Key> = m
        .keys()
        .filter(|k| k.starts_with(DELETE_FROM) || k.starts_with(SET_ORDER))
        .cloned()
        .collect();
    for k in keys {
        let v = m.shift_remove(&k).unwrap_or_default();
        let items = v.as_seq().map(<[Value]>::to_vec).unwrap_or_default();
        if let Some(field) = k.strip_prefix(DELETE_FROM) {
            d.delete_from.push((field.to_string(), items));
        } else if let Some(field) = k.strip_prefix(SET_ORDER) {
            d.set_order.push((field.to_string(), items));
        }
    }
    d
}

/// Identity of a list item for ordering: its merge-key values, or its text for scalars.
fn item_identity(v: &Value, keys: &[&str]) -> String {
    if keys.is_empty() || v.as_map().is_none() {
        return scalar_text(v).unwrap_or_default();
    }
    keys.iter()
        .map(|k| v.get(k).and_then(scalar_text).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\u{0}")
}

/// Orders `items`: first those whose identity is in `order` (in that order), then the rest in
/// their current order.
fn sort_like(items: &mut Vec<Value>, order: &[String], keys: &[&str]) {
    let rank = |v: &Value| {
        let id = item_identity(v, keys);
        order.iter().position(|o| *o == id).unwrap_or(usize::MAX)
    };
    let mut indexed: Vec<(usize, usize, Value)> = items
        .drain(..)
        .enumerate()
        .map(|(i, v)| (rank(&v), i, v))
        .collect();
    indexed.sort_by_key(|(r, i, _)| (*r, *i));
    items.extend(indexed.into_iter().map(|(_, _, v)| v));
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Shape {
    Map,
    Seq,
    Scalar,
    None,
}

fn shape(v: Option<&Value>) -> Shape {
    match v {
        None | Some(Value::Null) => Shape::None,
        Some(Value::Map(_)) => Shape::Map,
        Some(Value::Seq(_)) => Shape::Seq,
        Some(_) => Shape::Scalar,
    }
}

fn shape_name(s: Shape) -> &'static str {
    match s {
        Shape::Map => "MappingNode",
        Shape::Seq => "SequenceNode",
        Shape::Scalar => "ScalarNode",
        Shape::None => "null",
    }
}

fn missing_or_null(v: Option<&Value>) -> bool {
    matches!(v, None | Some(Value::Null))
}

/// The text of a scalar as kyaml compares merge-key values.
pub(crate) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone().into()),
        Value::Int(i) => Some(i.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Float(f) => Some(f.to_string()),
        _ => None,
    }
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Directive {
    Merge,
    Replace,
    Delete,
}

const DIRECTIVE: &str = "$patch";

fn parse_directive(v: &str, path: &[String]) -> Result<Directive, MergeError> {
    match v {
        "merge" => Ok(Directive::Merge),
        "replace" => Ok(Directive::Replace),
        "delete" => Ok(Directive::Delete),
        _ => Err(MergeError::UnknownDirective {
            path: path.join("."),
            value: v.to_string(),
        }),
    }
}

/// `$patch` of a patch map, removing it from the map when valid.
fn map_directive(patch: &mut Map, path: &[String]) -> Result<Directive, MergeError> {
    let Some(v) = patch.get(DIRECTIVE) else {
        return Ok(Directive::Merge);
    };
    let text = scalar_text(v).unwrap_or_default();
    let d = parse_directive(&text, path)?;
    patch.shift_remove(DIRECTIVE);
    Ok(d)
}

/// `$patch` of a patch list: an item `{$patch: X}` (alone in its map) applies to the list.
fn seq_directive(patch: &mut Vec<Value>, path: &[String]) -> Result<Directive, MergeError> {
    let Some(item) = patch
        .iter()
        .find_map(|v| v.as_map().filter(|m| m.contains_key(DIRECTIVE)))
    else {
        return Ok(Directive::Merge);
    };
    if item.len() > 1 {
        return Ok(Directive::Merge);
    }
    let text = scalar_text(&item[DIRECTIVE]).unwrap_or_default();
    let d = parse_directive(&text, path)?;
    patch.retain(|v| match v {
        Value::Null => false,
        Value::Map(m) => {
            !m.is_empty() && m.get(DIRECTIVE).and_then(scalar_text).as_deref() != Some(&text)
        }
        _ => true,
    });
    Ok(d)
}

fn is_empty_map(v: &Value) -> bool {
    matches!(v, Value::Null) || matches!(v, Value::Map(m) if m.is_empty())
}

impl<'a> Walker<'a> {
    fn schema_of(
        &self,
        schema: Option<Schema<'a>>,
        sources: [Option<&Value>; 2],
    ) -> Option<Schema<'a>> {
        if schema.is_some() {
            return schema;
        }
        sources.into_iter().flatten().find_map(|v| {
            let av = v.get("apiVersion")?.as_str()?;
            let kind = v.get("kind")?.as_str()?;
            if av.is_empty() || kind.is_empty() {
                return None;
            }
            match self.custom {
                Some(c) => c.for_type(av, kind),
                None => Schema::for_type(av, kind),
            }
        })
    }

    fn walk(
        &mut self,
        dest: Option<&mut Value>,
        origin: Option<&Value>,
        schema: Option<Schema<'a>>,
    ) -> Result<Out, MergeError> {
        let schema = self.schema_of(schema, [dest.as_deref(), origin]);
        let ds = shape(dest.as_deref());
        let os = shape(origin);
        let kind = if ds != Shape::None { ds } else { os };
        for s in [ds, os] {
            if s != Shape::None && s != kind && kind != Shape::None {
                return Err(MergeError::WrongKind {
                    path: self.path.join("."),
                    expected: shape_name(kind),
                    got: shape_name(s),
                });
            }
        }
        match kind {
            Shape::Map | Shape::None => self.walk_map(dest, origin, schema),
            Shape::Seq => {
                let associative = schema.is_some_and(|s| s.strategy().merges());
                if associative {
                    self.walk_associative(dest, origin, schema)
                } else {
                    Ok(match origin {
                        Some(o) => Out::New(o.clone()),
                        None => Out::InPlace,
                    })
                }
            }
            Shape::Scalar => Ok(match origin {
                Some(o) => Out::New(o.clone()),
                None => Out::InPlace,
            }),
        }
    }

    fn walk_map(
        &mut self,
        dest: Option<&mut Value>,
        origin: Option<&Value>,
        schema: Option<Schema<'a>>,
    ) -> Result<Out, MergeError> {
        if missing_or_null(dest.as_deref()) {
            let mut m = match origin {
                // A null the patch does not mention stays (kyaml's persistent null node).
                None => {
                    let empty = self.empty_nulls.contains(&self.dest_path);
                    return Ok(if dest.is_some() && !empty {
                        Out::InPlace
                    } else {
                        Out::Clear
                    });
                }
                Some(Value::Map(m)) => m.clone(),
                Some(_) => return Ok(Out::Clear),
            };
            if let Some(d) = m.get(DIRECTIVE).and_then(scalar_text) {
                match d.as_str() {
                    "delete" => return Ok(Out::Clear),
                    "replace" | "merge" => {
                        m.shift_remove(DIRECTIVE);
                    }
                    _ => {}
                }
            }
            return self.merge_into_self(Value::Map(m), schema);
        }
        match origin {
            Some(Value::Null) => Ok(Out::Clear),
            Some(Value::Map(m)) => {
                let mut m = m.clone();
                match map_directive(&mut m, &self.path)? {
                    Directive::Delete => Ok(Out::Clear),
                    Directive::Replace => self.merge_into_self(Value::Map(m), schema),
                    Directive::Merge => {
                        self.merge_fields(dest.expect("checked above"), Some(&m), schema)?;
                        Ok(Out::InPlace)
                    }
                }
            }
            _ => {
                self.merge_fields(dest.expect("checked above"), None, schema)?;
                Ok(Out::InPlace)
            }
        }
    }

    /// The patch node becomes the destination and is merged with itself, which strips its
    /// directives and nulls, as kyaml does.
    fn merge_into_self(
        &mut self,
        mut node: Value,
        schema: Option<Schema<'a>>,
    ) -> Result<Out, MergeError> {
        let patch = node.as_map().cloned().unwrap_or_default();
        self.merge_fields(&mut node, Some(&patch), schema)?;
        Ok(Out::New(node))
    }

    fn merge_fields(
        &mut self,
        dest: &mut Value,
        origin: Option<&Map>,
        schema: Option<Schema<'a>>,
    ) -> Result<(), MergeError> {
        let Value::Map(dest_map) = dest else {
            return Ok(());
        };
        let mut stripped: Option<Map> = None;
        let mut directives = MapDirectives::default();
        if self.kubernetes
            && let Some(o) = origin
        {
            let mut m = o.clone();
            directives = take_map_directives(&mut m);
            stripped = Some(m);
        }
        let origin = stripped.as_ref().or(origin);
        let mut keys: Vec<String> = dest_map.keys().map(ToString::to_string).collect();
        if let Some(o) = origin {
            keys.extend(
                o.keys()
                    .filter(|k| !dest_map.contains_key(k.as_str()))
                    .map(ToString::to_string),
            );
        }
        keys.sort();
        for key in keys {
            let field_schema = schema.and_then(|s| s.field(&key));
            let patch_value = origin.and_then(|o| o.get(key.as_str()));
            self.path.push(key.clone());
            self.patch_path.push(PatchSeg::Key(key.clone()));
            self.dest_path.push(PatchSeg::Key(key.clone()));
            let out = self.walk(dest_map.get_mut(key.as_str()), patch_value, field_schema);
            self.dest_path.pop();
            self.patch_path.pop();
            self.path.pop();
            match out? {
                Out::InPlace => {}
                Out::New(Value::Null) | Out::Clear => {
                    dest_map.shift_remove(key.as_str());
                }
                Out::New(v) => {
                    if let Some(slot) = dest_map.get_mut(key.as_str()) {
                        *slot = v;
                    } else {
                        dest_map.insert(key, v);
                    }
                }
            }
        }
        for (field, values) in &directives.delete_from {
            if let Some(Value::Seq(items)) = dest_map.get_mut(field.as_str()) {
                items.retain(|v| !values.contains(v));
            }
        }
        for (field, order) in &directives.set_order {
            let keys: Vec<&str> = schema
                .and_then(|s| s.field(field))
                .map(|s| s.strategy().keys.to_vec())
                .unwrap_or_default();
            let order: Vec<String> = order.iter().map(|v| item_identity(v, &keys)).collect();
            if let Some(Value::Seq(items)) = dest_map.get_mut(field.as_str()) {
                sort_like(items, &order, &keys);
            }
        }
        if let Some(retain) = &directives.retain_keys {
            dest_map.retain(|k, _| retain.iter().any(|r| r == k));
        }
        Ok(())
    }

    fn walk_associative(
        &mut self,
        dest: Option<&mut Value>,
        origin: Option<&Value>,
        schema: Option<Schema<'a>>,
    ) -> Result<Out, MergeError> {
        let mut origin_items: Option<Vec<Value>> =
            origin.and_then(Value::as_seq).map(<[Value]>::to_vec);
        // The list the items are merged into: the existing one, or the patch's own.
        let list: Vec<Value>;
        let mut replaced = false;
        if missing_or_null(dest.as_deref()) {
            match &origin_items {
                Some(items) => {
                    list = items.clone();
                    replaced = true;
                }
                None => return Ok(Out::Clear),
            }
        } else {
            if matches!(origin, Some(Value::Null)) {
                return Ok(Out::Clear);
            }
            let current = dest
                .as_deref()
                .and_then(Value::as_seq)
                .map(<[Value]>::to_vec)
                .unwrap_or_default();
            match origin_items.as_mut() {
                Some(items) => match seq_directive(items, &self.path)? {
                    Directive::Delete => return Ok(Out::Clear),
                    Directive::Replace => {
                        list = items.clone();
                        replaced = true;
                    }
                    Directive::Merge => list = current,
                },
                None => list = current,
            }
        }
        let strategy = schema.map(Schema::strategy);
        let keys: Vec<&'a str> = strategy.map(|s| s.keys.to_vec()).unwrap_or_default();
        let element_schema = schema.and_then(Schema::elements);
        let origin_items = origin_items.unwrap_or_default();
        let existing: Vec<String> = if self.kubernetes && !replaced {
            list.iter().map(|v| item_identity(v, &keys)).collect()
        } else {
            Vec::new()
        };
        let mut result = if keys.is_empty() {
            self.merge_primitive(list, &origin_items)?
        } else {
            self.merge_keyed(list, &origin_items, &keys, element_schema, replaced)?
        };
        if self.kubernetes
            && !replaced
            && let Some(items) = result.as_mut()
        {
            // The API server keeps existing items in place and appends new ones.
            sort_like(items, &existing, &keys);
        }
        Ok(match result {
            None => Out::Clear,
            Some(v) => Out::New(Value::Seq(v)),
        })
    }

    /// Lists of scalars with strategy `merge`: a set union, patch values first.
    fn merge_primitive(
        &self,
        dest: Vec<Value>,
        origin: &[Value],
    ) -> Result<Option<Vec<Value>>, MergeError> {
        let mut seen: Vec<String> = Vec::new();
        let mut values: Vec<String> = Vec::new();
        for v in origin.iter().chain(dest.iter()) {
            let t = scalar_text(v).unwrap_or_default();
            if !seen.contains(&t) {
                seen.push(t.clone());
                values.push(t);
            }
        }
        let find = |list: &[Value], t: &str| {
            list.iter()
                .find(|v| scalar_text(v).as_deref() == Some(t))
                .cloned()
        };
        let mut items: Vec<Value> = Vec::new();
        let mut dest = dest;
        for t in &values {
            let d = find(&dest, t);
            let o = find(origin, t);
            let val = match (d, o) {
                (_, Some(o)) => Some(o),
                (Some(d), None) => Some(d),
                (None, None) => None,
            };
            match val {
                None | Some(Value::Null) => {
                    dest.retain(|v| !v.is_null() && scalar_text(v).as_deref() != Some(t.as_str()));
                }
                Some(v) => set_scalar_element(&mut items, v),
            }
        }
        for v in dest {
            set_scalar_element(&mut items, v);
        }
        Ok(Some(items))
    }

    fn merge_keyed(
        &mut self,
        mut dest: Vec<Value>,
        origin: &[Value],
        keys: &[&str],
        element_schema: Option<Schema<'a>>,
        dest_is_patch: bool,
    ) -> Result<Option<Vec<Value>>, MergeError> {
        let tuple_of = |v: &Value| -> Vec<String> {
            keys.iter()
                .map(|k| {
                    v.get(k)
                        .and_then(scalar_text)
                        .filter(|s| !s.is_empty())
                        .unwrap_or_default()
                })
                .collect()
        };
        let dest_tuples: Vec<Vec<String>> = dest.iter().map(tuple_of).collect();
        let mut values: Vec<Vec<String>> = Vec::new();
        for t in origin
            .iter()
            .map(tuple_of)
            .chain(dest_tuples.iter().cloned())
        {
            if !values.contains(&t) {
                values.push(t);
            }
        }
        if keys.len() > 1 {
            merge_values(&mut values);
        }
        let mut items: Vec<Value> = Vec::new();
        let mut valid_keys: Vec<&str> = keys.to_vec();
        for tuple in values.clone() {
            if tuple.is_empty() {
                continue;
            }
            let (vk, vv) = validate_keys(&values, &tuple, keys);
            valid_keys = vk.clone();
            let (mk, mv) = validate_keys(std::slice::from_ref(&vv), &vv, &vk);
            let d_idx = find_element(&dest, &mk, &mv);
            let o_idx = find_element(origin, &mk, &mv);
            let origin_item = o_idx.map(|i| &origin[i]);
            let is_new = d_idx.is_none() && origin_item.is_some() && !dest_is_patch;
            let out = {
                let dest_item = d_idx.map(|i| &mut dest[i]);
                self.patch_path
                    .push(PatchSeg::Index(o_idx.unwrap_or(usize::MAX)));
                self.dest_path.push(PatchSeg::Index(if dest_is_patch {
                    usize::MAX
                } else {
                    d_idx.unwrap_or(usize::MAX)
                }));
                let out = self.walk(dest_item, origin_item, element_schema);
                self.dest_path.pop();
                self.patch_path.pop();
                out?
            };
            let val = match out {
                Out::InPlace => d_idx.map(|i| dest[i].clone()),
                Out::New(v) => Some(v),
                Out::Clear => None,
            };
            let Some(mut val) = val.filter(|v| !is_empty_map(v)) else {
                set_element(&mut dest, None, &vk, &vv);
                continue;
            };
            for (k, v) in vk.iter().zip(&vv) {
                if val.get(k).is_none()
                    && !v.is_empty()
                    && let Some(m) = val.as_map_mut()
                {
                    m.insert((*k).to_string(), Value::String(v.clone().into()));
                }
            }
            if is_new {
                self.added.push(AddedItem {
                    path: self.path.clone(),
                    keys: vk
                        .iter()
                        .zip(&vv)
                        .map(|(k, v)| ((*k).to_string(), v.clone()))
                        .collect(),
                    item: val.clone(),
                    patch_path: {
                        let mut p = self.patch_path.clone();
                        p.push(PatchSeg::Index(o_idx.unwrap_or(0)));
                        p
                    },
                });
            }
            set_element(&mut items, Some(val), &vk, &vv);
        }
        if !values.is_empty() {
            append_list(&mut items, dest, &valid_keys);
        } else {
            items = dest;
        }
        Ok(Some(items))
    }
}

#[cfg(test)]
mod tests;

/// Whether two versions of an object mean the same to Kubernetes: equal, except that lists
/// merged by key (per the schema of built-in types) may differ in order. Used to tell a patch
/// that only reorders keyed items (kyaml moves patched items first) from one that changes
/// something.
pub fn equivalent(a: &Value, b: &Value) -> bool {
    let schema = ["apiVersion", "kind"]
        .iter()
        .map(|k| a.get(k).and_then(Value::as_str))
        .collect::<Option<Vec<_>>>()
        .and_then(|v| Schema::for_type(v[0], v[1]));
    equivalent_at(a, b, schema)
}

fn equivalent_at(a: &Value, b: &Value, schema: Option<Schema<'_>>) -> bool {
    match (a, b) {
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    y.get(k)
                        .is_some_and(|w| equivalent_at(v, w, schema.and_then(|s| s.field(k))))
                })
        }
        (Value::Seq(x), Value::Seq(y)) => {
            if x.len() != y.len() {
                return false;
            }
            let keys: Vec<&str> = schema
                .map(Schema::strategy)
                .filter(super::schema::FieldStrategy::merges)
                .map(|s| s.keys.to_vec())
                .unwrap_or_default();
            let elements = schema.and_then(Schema::elements);
            if keys.is_empty() {
                return x.iter().zip(y).all(|(v, w)| equivalent_at(v, w, elements));
            }
            let key_of = |v: &Value| -> Vec<Option<String>> {
                keys.iter()
                    .map(|k| v.get(k).and_then(scalar_text))
                    .collect()
            };
            let mut used = vec![false; y.len()];
            x.iter().all(|v| {
                let kv = key_of(v);
                let found = y
                    .iter()
                    .enumerate()
                    .find(|(i, w)| !used[*i] && key_of(w) == kv && equivalent_at(v, w, elements));
                match found {
                    Some((i, _)) => {
                        used[i] = true;
                        true
                    }
                    None => false,
                }
            })
        }
        _ => a == b,
    }
}
