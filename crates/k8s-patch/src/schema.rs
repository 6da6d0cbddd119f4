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

/// A position in a schema: the built-in table, or a custom schema (`openapi:`).
#[derive(Clone, Copy, PartialEq)]
pub enum Schema<'a> {
    Builtin(u16),
    Custom(&'a CustomSchema, u32),
}

impl std::fmt::Debug for Schema<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Schema::Builtin(i) => write!(f, "Schema({i}: {:?})", table::NODES[*i as usize].kind),
            Schema::Custom(_, i) => write!(f, "CustomSchema({i})"),
        }
    }
}

impl Schema<'static> {
    /// The schema of a whole object of this apiVersion and kind, if Kubernetes defines it.
    pub fn for_type(api_version: &str, kind: &str) -> Option<Schema<'static>> {
        table::GVKS
            .binary_search_by(|(av, k, _)| (*av, *k).cmp(&(api_version, kind)))
            .ok()
            .map(|i| Schema::Builtin(table::GVKS[i].2))
    }
}

impl<'a> Schema<'a> {
    fn kind(self) -> NodeKind {
        match self {
            Schema::Builtin(i) => table::NODES[i as usize].kind,
            Schema::Custom(c, i) => c.nodes[i as usize].kind,
        }
    }

    /// The schema of property `name` (or of the map values, for a map type).
    pub fn field(self, name: &str) -> Option<Schema<'a>> {
        match self {
            Schema::Builtin(i) => {
                let node = &table::NODES[i as usize];
                if node.kind != NodeKind::Object {
                    return None;
                }
                match node.fields.binary_search_by(|(n, _)| (*n).cmp(name)) {
                    Ok(i) => Some(Schema::Builtin(node.fields[i].1)),
                    Err(_) if node.additional != NONE => Some(Schema::Builtin(node.additional)),
                    Err(_) => None,
                }
            }
            Schema::Custom(c, i) => {
                let node = &c.nodes[i as usize];
                match node.fields.binary_search_by(|(n, _)| n.as_str().cmp(name)) {
                    Ok(j) => node.fields[j].1.resolve(c),
                    Err(_) => node.additional.and_then(|a| a.resolve(c)),
                }
            }
        }
    }

    /// The schema of an array's items.
    pub fn elements(self) -> Option<Schema<'a>> {
        match self {
            Schema::Builtin(i) => {
                let node = &table::NODES[i as usize];
                (node.kind == NodeKind::Array && node.items != NONE)
                    .then_some(Schema::Builtin(node.items))
            }
            Schema::Custom(c, i) => {
                let node = &c.nodes[i as usize];
                if node.kind != NodeKind::Array {
                    return None;
                }
                node.items.and_then(|x| x.resolve(c))
            }
        }
    }

    pub fn is_array(self) -> bool {
        self.kind() == NodeKind::Array
    }

    /// The patch strategy and merge keys of this (array) field.
    pub fn strategy(self) -> FieldStrategy<'a> {
        match self {
            Schema::Builtin(i) => {
                let node = &table::NODES[i as usize];
                FieldStrategy {
                    strategy: node.strategy,
                    keys: Keys::Static(node.keys),
                }
            }
            Schema::Custom(c, i) => {
                let node = &c.nodes[i as usize];
                FieldStrategy {
                    strategy: &node.strategy,
                    keys: Keys::Owned(&node.keys),
                }
            }
        }
    }

    /// Follows `path` (field names; `"[]"` steps into array items).
    pub fn lookup(self, path: &[&str]) -> Option<Schema<'a>> {
        path.iter().try_fold(
            self,
            |s, p| if *p == "[]" { s.elements() } else { s.field(p) },
        )
    }
}

/// Merge key names of a list field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keys<'a> {
    Static(&'static [&'static str]),
    Owned(&'a [String]),
}

impl<'a> Keys<'a> {
    pub fn to_vec(self) -> Vec<&'a str> {
        match self {
            Keys::Static(k) => k.to_vec(),
            Keys::Owned(k) => k.iter().map(String::as_str).collect(),
        }
    }

    pub fn first(self) -> Option<&'a str> {
        match self {
            Keys::Static(k) => k.first().copied(),
            Keys::Owned(k) => k.first().map(String::as_str),
        }
    }

    pub fn is_empty(self) -> bool {
        match self {
            Keys::Static(k) => k.is_empty(),
            Keys::Owned(k) => k.is_empty(),
        }
    }
}

/// `x-kubernetes-patch-strategy` and the merge keys of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldStrategy<'a> {
    /// Comma-separated strategies, e.g. `merge`, `retainKeys`, `merge,retainKeys`, or "".
    pub strategy: &'a str,
    /// `x-kubernetes-list-map-keys` if present, else the single `x-kubernetes-patch-merge-key`.
    pub keys: Keys<'a>,
}

impl FieldStrategy<'_> {
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
pub fn field_strategy(
    api_version: &str,
    kind: &str,
    path: &[&str],
) -> Option<FieldStrategy<'static>> {
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
    if s.merges() { s.keys.first() } else { None }
}

/// A schema read from an OpenAPI (swagger) document, as kustomize's `openapi: path:` gives
/// one. Only what strategic merge needs is kept: properties, `additionalProperties`, array
/// items, `$ref`s to `#/definitions/...`, the patch strategy extensions, and
/// `x-kubernetes-group-version-kind`. How it combines with the built-in table is its
/// [`Fallback`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomSchema {
    nodes: Vec<CNode>,
    /// (apiVersion, kind) -> node, sorted.
    gvks: Vec<((String, String), NodeRef)>,
    fallback: Fallback,
}

/// How a custom schema combines with the built-in one. kustomize keeps one global schema: a
/// custom schema set before the built-in one was loaded replaces it; if the built-in one was
/// already loaded, both are there (the custom definitions win); if loading it was only
/// deferred (an object of a kind outside kustomize's precomputed list was read first), both
/// are there and the built-in definitions win.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Fallback {
    /// The custom schema alone.
    #[default]
    None,
    /// Both; custom types and definitions first.
    CustomWins,
    /// Both; built-in types and definitions first.
    BuiltinWins,
}

/// A node of a custom schema, or of the built-in table a custom schema refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NodeRef {
    Custom(u32),
    Builtin(u16),
    /// An unresolvable `$ref`: no schema (kyaml's lookup gives up there).
    Missing,
}

impl NodeRef {
    fn resolve(self, c: &CustomSchema) -> Option<Schema<'_>> {
        match self {
            NodeRef::Custom(i) => Some(Schema::Custom(c, i)),
            NodeRef::Builtin(i) => Some(Schema::Builtin(i)),
            NodeRef::Missing => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct CNode {
    kind: NodeKind,
    fields: Vec<(String, NodeRef)>,
    additional: Option<NodeRef>,
    items: Option<NodeRef>,
    strategy: String,
    keys: Vec<String>,
}

fn builtin_definition(name: &str) -> Option<u16> {
    table::DEFS
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .map(|i| table::DEFS[i].1)
}

/// Why a custom schema could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SchemaError(String);

/// Nesting a schema document may have (bounds hostile input).
const MAX_SCHEMA_DEPTH: usize = 200;

impl CustomSchema {
    /// Reads a swagger document (its `definitions`).
    pub fn from_swagger(
        doc: &kyaml::Value,
        fallback: Fallback,
    ) -> Result<CustomSchema, SchemaError> {
        let defs = doc
            .get("definitions")
            .and_then(kyaml::Value::as_map)
            .ok_or_else(|| SchemaError("the schema has no `definitions` map".into()))?;
        let mut b = SchemaBuilder {
            defs,
            nodes: Vec::new(),
            by_name: std::collections::HashMap::new(),
            fallback,
        };
        let mut gvks = Vec::new();
        for (name, def) in defs {
            let Some(list) = def
                .get("x-kubernetes-group-version-kind")
                .and_then(kyaml::Value::as_seq)
            else {
                continue;
            };
            let idx = b.definition(name, 0)?;
            for g in list {
                let s = |k: &str| g.get(k).and_then(kyaml::Value::as_str).unwrap_or("");
                let av = if s("group").is_empty() {
                    s("version").to_string()
                } else {
                    format!("{}/{}", s("group"), s("version"))
                };
                gvks.push(((av, s("kind").to_string()), idx));
            }
        }
        gvks.sort_by(|a, b| a.0.cmp(&b.0));
        gvks.dedup_by(|a, b| a.0 == b.0);
        Ok(CustomSchema {
            nodes: b.nodes,
            gvks,
            fallback,
        })
    }

    /// The schema of a whole object of this apiVersion and kind.
    pub fn for_type(&self, api_version: &str, kind: &str) -> Option<Schema<'_>> {
        let custom = || {
            self.gvks
                .binary_search_by(|((av, k), _)| {
                    (av.as_str(), k.as_str()).cmp(&(api_version, kind))
                })
                .ok()
                .and_then(|i| self.gvks[i].1.resolve(self))
        };
        match self.fallback {
            Fallback::None => custom(),
            Fallback::CustomWins => custom().or_else(|| Schema::for_type(api_version, kind)),
            Fallback::BuiltinWins => Schema::for_type(api_version, kind).or_else(custom),
        }
    }
}

struct SchemaBuilder<'d> {
    defs: &'d kyaml::Map,
    nodes: Vec<CNode>,
    by_name: std::collections::HashMap<String, NodeRef>,
    fallback: Fallback,
}

impl SchemaBuilder<'_> {
    /// The node of definition `name`, per the fallback order.
    fn definition(&mut self, name: &str, depth: usize) -> Result<NodeRef, SchemaError> {
        if let Some(i) = self.by_name.get(name) {
            return Ok(*i);
        }
        let builtin = || builtin_definition(name).map(NodeRef::Builtin);
        let r = match self.fallback {
            Fallback::BuiltinWins => match builtin() {
                Some(b) => b,
                None => self.custom_definition(name, depth)?,
            },
            Fallback::CustomWins => match self.custom_definition(name, depth)? {
                NodeRef::Missing => builtin().unwrap_or(NodeRef::Missing),
                r => r,
            },
            Fallback::None => self.custom_definition(name, depth)?,
        };
        self.by_name.insert(name.to_string(), r);
        Ok(r)
    }

    fn custom_definition(&mut self, name: &str, depth: usize) -> Result<NodeRef, SchemaError> {
        let Some(def) = self.defs.get(name) else {
            return Ok(NodeRef::Missing);
        };
        // Reserve the slot first so that recursive types terminate.
        let idx = self.placeholder();
        self.by_name.insert(name.to_string(), NodeRef::Custom(idx));
        let node = self.build(def, depth + 1)?;
        self.nodes[idx as usize] = node;
        Ok(NodeRef::Custom(idx))
    }

    fn placeholder(&mut self) -> u32 {
        self.nodes.push(CNode {
            kind: NodeKind::Scalar,
            fields: Vec::new(),
            additional: None,
            items: None,
            strategy: String::new(),
            keys: Vec::new(),
        });
        (self.nodes.len() - 1) as u32
    }

    /// The node of a schema object, following `$ref` as kyaml does (the reference replaces
    /// the schema, extensions included).
    fn node_of(&mut self, s: &kyaml::Value, depth: usize) -> Result<NodeRef, SchemaError> {
        if depth > MAX_SCHEMA_DEPTH {
            return Err(SchemaError("the schema nests too deeply".into()));
        }
        if let Some(r) = s.get("$ref").and_then(kyaml::Value::as_str) {
            let name = r.strip_prefix("#/definitions/").unwrap_or(r);
            return self.definition(name, depth);
        }
        let node = self.build(s, depth + 1)?;
        let idx = self.placeholder();
        self.nodes[idx as usize] = node;
        Ok(NodeRef::Custom(idx))
    }

    fn build(&mut self, s: &kyaml::Value, depth: usize) -> Result<CNode, SchemaError> {
        if depth > MAX_SCHEMA_DEPTH {
            return Err(SchemaError("the schema nests too deeply".into()));
        }
        if let Some(r) = s.get("$ref").and_then(kyaml::Value::as_str) {
            // A definition that is itself a reference: an object with no known fields.
            let _ = r;
            return Ok(CNode {
                kind: NodeKind::Object,
                fields: Vec::new(),
                additional: None,
                items: None,
                strategy: String::new(),
                keys: Vec::new(),
            });
        }
        let is_array = match s.get("type") {
            Some(kyaml::Value::String(t)) => t == "array",
            Some(kyaml::Value::Seq(ts)) => ts.len() == 1 && ts[0].as_str() == Some("array"),
            _ => false,
        };
        let mut fields = Vec::new();
        if let Some(props) = s.get("properties").and_then(kyaml::Value::as_map) {
            for (k, v) in props {
                let idx = self.node_of(v, depth)?;
                fields.push((k.to_string(), idx));
            }
        }
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        let additional = match s.get("additionalProperties") {
            Some(v @ kyaml::Value::Map(_)) => Some(self.node_of(v, depth)?),
            _ => None,
        };
        let items = match s.get("items") {
            Some(v @ kyaml::Value::Map(_)) => Some(self.node_of(v, depth)?),
            _ => None,
        };
        let text = |k: &str| s.get(k).and_then(kyaml::Value::as_str).map(str::to_string);
        let strategy = text("x-kubernetes-patch-strategy").unwrap_or_default();
        let keys = if strategy.is_empty() {
            Vec::new()
        } else if let Some(list) = s
            .get("x-kubernetes-list-map-keys")
            .and_then(kyaml::Value::as_seq)
        {
            list.iter()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect()
        } else {
            text("x-kubernetes-patch-merge-key").into_iter().collect()
        };
        Ok(CNode {
            kind: if is_array {
                NodeKind::Array
            } else if s.get("properties").is_some()
                || additional.is_some()
                || s.get("type").and_then(kyaml::Value::as_str) == Some("object")
            {
                NodeKind::Object
            } else {
                NodeKind::Scalar
            },
            fields,
            additional,
            items,
            strategy,
            keys,
        })
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
        assert_eq!(s.keys.to_vec(), ["containerPort", "protocol"]);
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
        assert_eq!(s.keys.to_vec(), ["name"]);
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
