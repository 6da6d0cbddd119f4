//! Field-level diff of two versions of one object: maps by key, lists by their merge key (the
//! Kubernetes strategic-merge data, or a unique `name` field) or by a longest-common-subsequence
//! alignment when items have no identity, multi-line strings (and embedded JSON) line by line.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use similar::{Algorithm, DiffOp, TextDiff};

use super::Object;
use super::merge_key;
use super::path::{FieldPath, Seg};
use kyaml::Value;

/// What happened at a path.
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeKind {
    Added(Value),
    Removed(Value),
    Changed { old: Value, new: Value },
}

/// One field-level change.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub path: FieldPath,
    pub kind: ChangeKind,
    /// For multi-line strings (and embedded JSON documents): a unified line diff, without file
    /// headers, with 3 lines of context.
    pub text_diff: Option<String>,
}

impl Change {
    pub fn op(&self) -> &'static str {
        match self.kind {
            ChangeKind::Added(_) => "added",
            ChangeKind::Removed(_) => "removed",
            ChangeKind::Changed { .. } => "changed",
        }
    }

    pub fn old(&self) -> Option<&Value> {
        match &self.kind {
            ChangeKind::Removed(v) | ChangeKind::Changed { old: v, .. } => Some(v),
            ChangeKind::Added(_) => None,
        }
    }

    pub fn new_value(&self) -> Option<&Value> {
        match &self.kind {
            ChangeKind::Added(v) | ChangeKind::Changed { new: v, .. } => Some(v),
            ChangeKind::Removed(_) => None,
        }
    }
}

struct Walker<'a> {
    api_version: &'a str,
    kind: &'a str,
    path: Vec<Seg>,
    /// Mapping keys only, for the merge-key lookup (`spec.template.spec.containers`).
    field_path: Vec<&'a str>,
    out: Vec<Change>,
}

/// The changes from `old` to `new` (the same object, or a renamed one).
pub fn diff_objects(old: &Object, new: &Object) -> Vec<Change> {
    let mut w = Walker {
        api_version: &new.api_version,
        kind: &new.key.kind,
        path: Vec::new(),
        field_path: Vec::new(),
        out: Vec::new(),
    };
    w.value(old.compared(), new.compared());
    w.out
}

impl<'a> Walker<'a> {
    fn push(&mut self, kind: ChangeKind, text_diff: Option<String>) {
        self.out.push(Change {
            path: FieldPath(self.path.clone()),
            kind,
            text_diff,
        });
    }

    fn value(&mut self, old: &'a Value, new: &'a Value) {
        if old == new {
            return;
        }
        match (old, new) {
            (Value::Map(a), Value::Map(b)) => {
                for (k, va) in a {
                    self.path.push(Seg::Key(k.to_string()));
                    match b.get(k) {
                        Some(vb) => {
                            self.field_path.push(k);
                            self.value(va, vb);
                            self.field_path.pop();
                        }
                        None => self.push(ChangeKind::Removed(va.clone()), None),
                    }
                    self.path.pop();
                }
                for (k, vb) in b {
                    if !a.contains_key(k) {
                        self.path.push(Seg::Key(k.to_string()));
                        self.push(ChangeKind::Added(vb.clone()), None);
                        self.path.pop();
                    }
                }
            }
            (Value::Seq(a), Value::Seq(b)) => self.list(a, b),
            (Value::String(a), Value::String(b)) => {
                let text = text_diff(a, b);
                self.push(
                    ChangeKind::Changed {
                        old: old.clone(),
                        new: new.clone(),
                    },
                    text,
                );
            }
            _ => self.push(
                ChangeKind::Changed {
                    old: old.clone(),
                    new: new.clone(),
                },
                None,
            ),
        }
    }

    fn list(&mut self, a: &'a [Value], b: &'a [Value]) {
        let schema_key = merge_key::for_list(self.api_version, self.kind, &self.field_path);
        let key = schema_key
            .filter(|k| has_unique_key(a, k) && has_unique_key(b, k))
            .or_else(|| {
                ["name"]
                    .into_iter()
                    .find(|k| has_unique_key(a, k) && has_unique_key(b, k))
            });
        match key {
            Some(k) => self.keyed_list(k, a, b),
            None => self.aligned_list(a, b),
        }
    }

    fn keyed_list(&mut self, key: &str, a: &'a [Value], b: &'a [Value]) {
        let id = |v: &Value| v.get(key).map(scalar_text).unwrap_or_default();
        for va in a {
            let ka = id(va);
            self.path.push(Seg::Keyed {
                key: key.to_string(),
                value: ka.clone(),
            });
            match b.iter().find(|vb| id(vb) == ka) {
                Some(vb) => self.value(va, vb),
                None => self.push(ChangeKind::Removed(va.clone()), None),
            }
            self.path.pop();
        }
        for vb in b {
            let kb = id(vb);
            if !a.iter().any(|va| id(va) == kb) {
                self.path.push(Seg::Keyed {
                    key: key.to_string(),
                    value: kb,
                });
                self.push(ChangeKind::Added(vb.clone()), None);
                self.path.pop();
            }
        }
    }

    fn aligned_list(&mut self, a: &'a [Value], b: &'a [Value]) {
        let ha: Vec<u64> = a.iter().map(hash_value).collect();
        let hb: Vec<u64> = b.iter().map(hash_value).collect();
        for op in similar::capture_diff_slices(Algorithm::Myers, &ha, &hb) {
            match op {
                DiffOp::Equal { .. } => {}
                DiffOp::Delete {
                    old_index, old_len, ..
                } => {
                    self.removed_items(a, old_index, old_index + old_len);
                }
                DiffOp::Insert {
                    new_index, new_len, ..
                } => {
                    self.added_items(b, new_index, new_index + new_len);
                }
                DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } => {
                    let common = old_len.min(new_len);
                    for k in 0..common {
                        self.at(new_index + k, |w| {
                            w.value(&a[old_index + k], &b[new_index + k])
                        });
                    }
                    self.removed_items(a, old_index + common, old_index + old_len);
                    self.added_items(b, new_index + common, new_index + new_len);
                }
            }
        }
    }

    fn removed_items(&mut self, items: &[Value], from: usize, to: usize) {
        for (i, item) in items.iter().enumerate().take(to).skip(from) {
            self.at(i, |w| w.push(ChangeKind::Removed(item.clone()), None));
        }
    }

    fn added_items(&mut self, items: &[Value], from: usize, to: usize) {
        for (i, item) in items.iter().enumerate().take(to).skip(from) {
            self.at(i, |w| w.push(ChangeKind::Added(item.clone()), None));
        }
    }

    fn at(&mut self, index: usize, f: impl FnOnce(&mut Self)) {
        self.path.push(Seg::Index(index));
        f(self);
        self.path.pop();
    }
}

fn has_unique_key(items: &[Value], key: &str) -> bool {
    let mut seen = HashSet::with_capacity(items.len());
    items.iter().all(|v| {
        v.get(key)
            .filter(|k| !matches!(k, Value::Map(_) | Value::Seq(_) | Value::Null))
            .is_some_and(|k| seen.insert(scalar_text(k)))
    })
}

/// A scalar as it reads in a path (`80`, `controller`, `true`).
pub fn scalar_text(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::String(s) => s.clone().into(),
        Value::Seq(_) | Value::Map(_) => String::new(),
    }
}

/// A unified line diff for multi-line strings, or for two JSON documents (pretty-printed first).
fn text_diff(old: &str, new: &str) -> Option<String> {
    if old.contains('\n') || new.contains('\n') {
        return Some(unified(old, new));
    }
    let looks_json = |s: &str| matches!(s.trim_start().as_bytes().first(), Some(b'{' | b'['));
    if looks_json(old) && looks_json(new) && old.len() + new.len() > 80 {
        let a: serde_json::Value = serde_json::from_str(old).ok()?;
        let b: serde_json::Value = serde_json::from_str(new).ok()?;
        let a = serde_json::to_string_pretty(&a).ok()?;
        let b = serde_json::to_string_pretty(&b).ok()?;
        return Some(unified(&a, &b));
    }
    None
}

fn unified(old: &str, new: &str) -> String {
    let diff = TextDiff::from_lines(old, new);
    let mut out = diff.unified_diff();
    out.context_radius(3).missing_newline_hint(false);
    let mut text = out.to_string();
    if !text.ends_with('\n') && !text.is_empty() {
        text.push('\n');
    }
    text
}

/// A structural hash of a value (map key order ignored, as Kubernetes ignores it).
pub fn hash_value(v: &Value) -> u64 {
    let mut h = DefaultHasher::new();
    hash_into(v, &mut h);
    h.finish()
}

fn hash_into(v: &Value, h: &mut DefaultHasher) {
    match v {
        Value::Null => 0u8.hash(h),
        Value::Bool(b) => (1u8, b).hash(h),
        Value::Int(i) => (2u8, i).hash(h),
        Value::Float(f) => (3u8, f.to_bits()).hash(h),
        Value::String(s) => (4u8, s).hash(h),
        Value::Seq(items) => {
            (5u8, items.len()).hash(h);
            items.iter().for_each(|i| hash_into(i, h));
        }
        Value::Map(m) => {
            // Order-independent: combine the entry hashes commutatively.
            let mut acc = 0u64;
            for (k, val) in m {
                let mut eh = DefaultHasher::new();
                k.hash(&mut eh);
                hash_into(val, &mut eh);
                acc = acc.wrapping_add(eh.finish());
            }
            (6u8, m.len(), acc).hash(h);
        }
    }
}

/// Hashes of every (path, scalar) leaf of an object, for rename similarity.
pub fn leaf_hashes(r: &Object) -> HashSet<u64> {
    fn walk(v: &Value, prefix: u64, out: &mut HashSet<u64>) {
        match v {
            Value::Map(m) => {
                for (k, val) in m {
                    let mut h = DefaultHasher::new();
                    (prefix, k).hash(&mut h);
                    walk(val, h.finish(), out);
                }
            }
            Value::Seq(items) => {
                for val in items {
                    walk(val, prefix.wrapping_mul(31).wrapping_add(7), out);
                }
            }
            leaf => {
                let mut h = DefaultHasher::new();
                (prefix, hash_value(leaf)).hash(&mut h);
                out.insert(h.finish());
            }
        }
    }
    let mut out = HashSet::new();
    walk(&r.value, 0, &mut out);
    out
}

/// |a ∩ b| / |a ∪ b|; 1.0 for two empty sets.
pub fn jaccard(a: &HashSet<u64>, b: &HashSet<u64>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 1.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Origin;
    use serde_json::json;

    fn changes(old: serde_json::Value, new: serde_json::Value) -> Vec<String> {
        let o = Object::new(Value::from(old), Origin::default()).unwrap();
        let n = Object::new(Value::from(new), Origin::default()).unwrap();
        diff_objects(&o, &n)
            .into_iter()
            .map(|c| format!("{} {}", c.op(), c.path))
            .collect()
    }

    fn deploy(containers: serde_json::Value) -> serde_json::Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
               "spec": {"template": {"spec": {"containers": containers}}}})
    }

    #[test]
    fn containers_matched_by_name_not_position() {
        let old = deploy(json!([{"name": "a", "image": "x:1"}, {"name": "b", "image": "y:1"}]));
        let new = deploy(json!([{"name": "b", "image": "y:2"}, {"name": "a", "image": "x:1"}]));
        assert_eq!(
            changes(old, new),
            ["changed spec.template.spec.containers[name=b].image"]
        );
    }

    #[test]
    fn unkeyed_lists_are_aligned() {
        let old = deploy(json!([{"name": "a", "args": ["--x", "--publish", "--y"]}]));
        let new = deploy(json!([{"name": "a", "args": ["--x", "--y", "--z"]}]));
        assert_eq!(
            changes(old, new),
            [
                "removed spec.template.spec.containers[name=a].args[1]",
                "added spec.template.spec.containers[name=a].args[2]"
            ]
        );
    }

    #[test]
    fn key_order_is_ignored_and_multiline_strings_get_line_diffs() {
        let old = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "n"},
                         "data": {"script": "a\nb\nc\n"}});
        let new = json!({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"namespace": "n", "name": "c"},
                         "data": {"script": "a\nB\nc\n"}});
        let o = Object::new(Value::from(old), Origin::default()).unwrap();
        let n = Object::new(Value::from(new), Origin::default()).unwrap();
        let ch = diff_objects(&o, &n);
        assert_eq!(ch.len(), 1);
        assert_eq!(
            ch[0].text_diff.as_deref(),
            Some("@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n")
        );
    }

    #[test]
    fn map_hash_ignores_key_order() {
        let a = Value::from(json!({"x": 1, "y": [1, 2]}));
        let b = Value::from(json!({"y": [1, 2], "x": 1}));
        assert_eq!(hash_value(&a), hash_value(&b));
        assert_ne!(
            hash_value(&a),
            hash_value(&Value::from(json!({"x": 1, "y": [2, 1]})))
        );
    }
}
