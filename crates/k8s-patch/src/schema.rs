//! Merge keys and patch strategies of the built-in Kubernetes types, as strategic merge needs
//! them. The data is the table generated from the Kubernetes v1.21.2 OpenAPI definitions (the
//! schema kustomize v5 embeds) by `tools/gen_schema_table.py`; this module only navigates it.
//!
//! Navigation mirrors kyaml's `openapi.ResourceSchema`: `field` follows a property (or, failing
//! that, `additionalProperties`), `elements` follows an array's items. Kinds the table does not
//! know (custom resources) have no schema: their lists are replaced, never merged.

#[rustfmt::skip]
#[path = "schema_table.rs"]
mod table;

/// Index meaning "no node".
pub(super) const NONE: u16 = u16::MAX;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NodeKind {
    Object,
    Array,
    Scalar,
}

#[derive(Debug)]
pub(super) struct Node {
    pub kind: NodeKind,
    /// Properties that are objects, arrays or maps, sorted by name.
    pub fields: &'static [(&'static str, u16)],
    pub additional: u16,
    pub items: u16,
    /// `x-kubernetes-patch-strategy` of an array property ("" when absent).
    pub strategy: &'static str,
    /// `x-kubernetes-list-map-keys`, else `[x-kubernetes-patch-merge-key]`, when a strategy is set.
    pub keys: &'static [&'static str],
}

/// A position in the schema of a built-in type.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Schema(u16);

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Schema({}: {:?})", self.0, self.node().kind)
    }
}

impl Schema {
    fn node(self) -> &'static Node {
        &table::NODES[self.0 as usize]
    }

    /// The schema of a whole object of this apiVersion and kind, if Kubernetes defines it.
    pub fn for_type(api_version: &str, kind: &str) -> Option<Schema> {
        table::GVKS
            .binary_search_by(|(av, k, _)| (*av, *k).cmp(&(api_version, kind)))
            .ok()
            .map(|i| Schema(table::GVKS[i].2))
    }

    /// The schema of property `name` (or of the map values, for a map type).
    pub fn field(self, name: &str) -> Option<Schema> {
        let node = self.node();
        if node.kind != NodeKind::Object {
            return None;
        }
        match node.fields.binary_search_by(|(n, _)| (*n).cmp(name)) {
            Ok(i) => Some(Schema(node.fields[i].1)),
            Err(_) if node.additional != NONE => Some(Schema(node.additional)),
            Err(_) => None,
        }
    }

    /// The schema of an array's items.
    pub fn elements(self) -> Option<Schema> {
        let node = self.node();
        (node.kind == NodeKind::Array && node.items != NONE).then_some(Schema(node.items))
    }

    pub fn is_array(self) -> bool {
        self.node().kind == NodeKind::Array
    }

    /// The patch strategy and merge keys of this (array) field.
    pub fn strategy(self) -> FieldStrategy {
        let node = self.node();
        FieldStrategy {
            strategy: node.strategy,
            keys: node.keys,
        }
    }

    /// Follows `path` (field names; `"[]"` steps into array items).
    pub fn lookup(self, path: &[&str]) -> Option<Schema> {
        path.iter().try_fold(
            self,
            |s, p| if *p == "[]" { s.elements() } else { s.field(p) },
        )
    }
}

/// `x-kubernetes-patch-strategy` and the merge keys of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldStrategy {
    /// Comma-separated strategies, e.g. `merge`, `retainKeys`, `merge,retainKeys`, or "".
    pub strategy: &'static str,
    /// `x-kubernetes-list-map-keys` if present, else the single `x-kubernetes-patch-merge-key`.
    pub keys: &'static [&'static str],
}

impl FieldStrategy {
    /// Whether lists at this field are merged element by element (strategy includes `merge`).
    pub fn merges(&self) -> bool {
        self.strategy.split(',').any(|s| s == "merge")
    }

    pub fn retains_keys(&self) -> bool {
        self.strategy.split(',').any(|s| s == "retainKeys")
    }
}

/// The strategy of the field at `path` (field names from the object root; list items are
/// stepped over implicitly, so `["spec","template","spec","containers","ports"]` works), or
/// `None` when the type or field is unknown.
pub fn field_strategy(api_version: &str, kind: &str, path: &[&str]) -> Option<FieldStrategy> {
    let mut schema = Schema::for_type(api_version, kind)?;
    for p in path {
        if *p == "[]" {
            schema = schema.elements()?;
            continue;
        }
        if schema.is_array() {
            schema = schema.elements()?;
        }
        schema = schema.field(p)?;
    }
    Some(schema.strategy())
}

/// The merge key of the list at `path` when strategic merge merges it by key, e.g.
/// `list_merge_key("apps/v1", "Deployment", &["spec","template","spec","containers"])` is
/// `Some("name")`. Lists with several keys (`ports`: containerPort + protocol) give the first.
pub fn list_merge_key(api_version: &str, kind: &str, path: &[&str]) -> Option<&'static str> {
    let s = field_strategy(api_version, kind, path)?;
    if s.merges() {
        s.keys.first().copied()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_merge_by_name() {
        let p = ["spec", "template", "spec", "containers"];
        assert_eq!(list_merge_key("apps/v1", "Deployment", &p), Some("name"));
        assert_eq!(list_merge_key("apps/v1", "StatefulSet", &p), Some("name"));
        assert_eq!(
            list_merge_key("v1", "Pod", &["spec", "containers"]),
            Some("name")
        );
    }

    #[test]
    fn nested_lists_step_over_items() {
        let env = ["spec", "template", "spec", "containers", "env"];
        assert_eq!(list_merge_key("apps/v1", "DaemonSet", &env), Some("name"));
        let ports = ["spec", "template", "spec", "containers", "ports"];
        let s = field_strategy("apps/v1", "Deployment", &ports).unwrap();
        assert_eq!(s.keys, ["containerPort", "protocol"]);
        assert_eq!(
            list_merge_key("apps/v1", "Deployment", &ports),
            Some("containerPort")
        );
        let mounts = [
            "spec",
            "template",
            "spec",
            "containers",
            "[]",
            "volumeMounts",
        ];
        assert_eq!(
            list_merge_key("apps/v1", "Deployment", &mounts),
            Some("mountPath")
        );
    }

    #[test]
    fn volumes_merge_and_retain_keys() {
        let s = field_strategy("v1", "Pod", &["spec", "volumes"]).unwrap();
        assert!(s.merges() && s.retains_keys());
        assert_eq!(s.keys, ["name"]);
    }

    #[test]
    fn atomic_lists_and_unknown_kinds_have_no_key() {
        assert_eq!(
            list_merge_key(
                "apps/v1",
                "Deployment",
                &["spec", "template", "spec", "containers", "args"]
            ),
            None
        );
        assert_eq!(
            list_merge_key("example.com/v1", "Widget", &["spec", "items"]),
            None
        );
        assert_eq!(
            list_merge_key("apps/v1", "Deployment", &["spec", "nope"]),
            None
        );
    }

    #[test]
    fn maps_follow_additional_properties() {
        let s = Schema::for_type("v1", "ConfigMap").unwrap();
        assert!(s.field("data").is_some());
        let pod = Schema::for_type("v1", "Pod").unwrap();
        let limits = pod.lookup(&["spec", "containers", "[]", "resources", "limits"]);
        assert!(limits.is_some());
    }
}
