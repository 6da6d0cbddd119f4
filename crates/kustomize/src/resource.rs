//! One Kubernetes object during a build: its value, where it came from, and the bookkeeping
//! kustomize keeps in build annotations (previous ids, name prefixes/suffixes, hash and
//! generator behaviour, var names, origin and transformer annotations), plus resource ids and
//! kustomize's "legacy" output order.

use k8s_patch::strategic_merge::PatchSeg;
use kyaml::{Map, PathSeg, Value};

/// Where a resource was read from (or generated): a path, the 1-based line its document starts
/// on, and the index of that document in the file (0 for objects generated from a kustomization).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: u32,
    pub doc_index: usize,
}

/// Group, version and kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Gvk {
    pub fn from_api_version(api_version: &str, kind: &str) -> Gvk {
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api_version.to_string()),
        };
        Gvk {
            group,
            version,
            kind: kind.to_string(),
        }
    }

    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Empty fields of `selector` match anything (kustomize `Gvk.IsSelected`).
    pub fn is_selected_by(&self, group: &str, version: &str, kind: &str) -> bool {
        (group.is_empty() || self.group == group)
            && (version.is_empty() || self.version == version)
            && (kind.is_empty() || self.kind == kind)
    }

    /// Kinds Kubernetes defines as cluster-scoped (kyaml's precomputed table); any other kind,
    /// custom resources included, counts as namespaced.
    pub fn is_cluster_scoped(&self) -> bool {
        // Most kinds are not in the table at all: rule them out by kind first.
        if !matches!(
            self.kind.as_str(),
            "MutatingWebhookConfiguration"
                | "ValidatingWebhookConfiguration"
                | "CustomResourceDefinition"
                | "APIService"
                | "CertificateSigningRequest"
                | "FlowSchema"
                | "PriorityLevelConfiguration"
                | "IngressClass"
                | "RuntimeClass"
                | "PodSecurityPolicy"
                | "ClusterRole"
                | "ClusterRoleBinding"
                | "PriorityClass"
                | "CSIDriver"
                | "CSINode"
                | "StorageClass"
                | "VolumeAttachment"
                | "ComponentStatus"
                | "Namespace"
                | "Node"
                | "NodeProxyOptions"
                | "PersistentVolume"
        ) {
            return false;
        }
        CLUSTER_SCOPED
            .iter()
            .any(|(a, k)| *k == self.kind && self.api_version_is(a))
    }

    /// Whether `api_version()` would be `av`, without building it.
    pub(crate) fn api_version_is(&self, av: &str) -> bool {
        if self.group.is_empty() {
            av == self.version
        } else {
            av.len() == self.group.len() + 1 + self.version.len()
                && av.starts_with(self.group.as_str())
                && av.as_bytes()[self.group.len()] == b'/'
                && av.ends_with(self.version.as_str())
        }
    }

    /// kustomize `Gvk.String()`: `Kind.version.group` with placeholders for empty parts.
    pub fn display(&self) -> String {
        format!(
            "{}.{}.{}",
            or_placeholder(&self.kind, "[noKind]"),
            or_placeholder(&self.version, "[noVer]"),
            or_placeholder(&self.group, "[noGrp]")
        )
    }

    fn legacy_sort_string(&self) -> String {
        format!(
            "{}_{}_{}",
            or_placeholder(&self.group, "~G"),
            or_placeholder(&self.version, "~V"),
            or_placeholder(&self.kind, "~K")
        )
    }
}

const CLUSTER_SCOPED: &[(&str, &str)] = &[
    (
        "admissionregistration.k8s.io/v1",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
    ),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"),
    ("apiregistration.k8s.io/v1", "APIService"),
    ("apiregistration.k8s.io/v1beta1", "APIService"),
    ("certificates.k8s.io/v1", "CertificateSigningRequest"),
    ("certificates.k8s.io/v1beta1", "CertificateSigningRequest"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema"),
    (
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "PriorityLevelConfiguration",
    ),
    ("networking.k8s.io/v1", "IngressClass"),
    ("networking.k8s.io/v1beta1", "IngressClass"),
    ("node.k8s.io/v1", "RuntimeClass"),
    ("node.k8s.io/v1beta1", "RuntimeClass"),
    ("policy/v1beta1", "PodSecurityPolicy"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding"),
    ("scheduling.k8s.io/v1", "PriorityClass"),
    ("scheduling.k8s.io/v1beta1", "PriorityClass"),
    ("storage.k8s.io/v1", "CSIDriver"),
    ("storage.k8s.io/v1", "CSINode"),
    ("storage.k8s.io/v1", "StorageClass"),
    ("storage.k8s.io/v1", "VolumeAttachment"),
    ("storage.k8s.io/v1beta1", "CSIDriver"),
    ("storage.k8s.io/v1beta1", "CSINode"),
    ("storage.k8s.io/v1beta1", "StorageClass"),
    ("storage.k8s.io/v1beta1", "VolumeAttachment"),
    ("v1", "ComponentStatus"),
    ("v1", "Namespace"),
    ("v1", "Node"),
    ("v1", "NodeProxyOptions"),
    ("v1", "PersistentVolume"),
];

/// Namespaced kinds in kustomize's precomputed scope table (with [`CLUSTER_SCOPED`], the
/// kinds whose scope kustomize knows without loading its schema).
const NAMESPACED: &[(&str, &str)] = &[
    ("apps/v1", "ControllerRevision"),
    ("apps/v1", "DaemonSet"),
    ("apps/v1", "Deployment"),
    ("apps/v1", "ReplicaSet"),
    ("apps/v1", "StatefulSet"),
    ("autoscaling/v1", "HorizontalPodAutoscaler"),
    ("autoscaling/v1", "Scale"),
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler"),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler"),
    ("batch/v1", "CronJob"),
    ("batch/v1", "Job"),
    ("batch/v1beta1", "CronJob"),
    ("coordination.k8s.io/v1", "Lease"),
    ("coordination.k8s.io/v1beta1", "Lease"),
    ("discovery.k8s.io/v1", "EndpointSlice"),
    ("discovery.k8s.io/v1beta1", "EndpointSlice"),
    ("events.k8s.io/v1", "Event"),
    ("events.k8s.io/v1beta1", "Event"),
    ("extensions/v1beta1", "Ingress"),
    ("networking.k8s.io/v1", "Ingress"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
    ("networking.k8s.io/v1beta1", "Ingress"),
    ("policy/v1", "PodDisruptionBudget"),
    ("policy/v1beta1", "PodDisruptionBudget"),
    ("rbac.authorization.k8s.io/v1", "Role"),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"),
    ("rbac.authorization.k8s.io/v1beta1", "Role"),
    ("rbac.authorization.k8s.io/v1beta1", "RoleBinding"),
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity"),
    ("v1", "ConfigMap"),
    ("v1", "Endpoints"),
    ("v1", "Event"),
    ("v1", "LimitRange"),
    ("v1", "PersistentVolumeClaim"),
    ("v1", "Pod"),
    ("v1", "PodAttachOptions"),
    ("v1", "PodExecOptions"),
    ("v1", "PodPortForwardOptions"),
    ("v1", "PodProxyOptions"),
    ("v1", "PodTemplate"),
    ("v1", "ReplicationController"),
    ("v1", "ResourceQuota"),
    ("v1", "Secret"),
    ("v1", "Service"),
    ("v1", "ServiceAccount"),
    ("v1", "ServiceProxyOptions"),
];

/// Whether kustomize knows the scope of this kind without loading its OpenAPI schema.
pub(crate) fn scope_is_precomputed(gvk: &Gvk) -> bool {
    CLUSTER_SCOPED
        .iter()
        .chain(NAMESPACED)
        .any(|(a, k)| *k == gvk.kind && gvk.api_version_is(a))
}

/// kustomize's `ResId`: gvk, name and namespace.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResId {
    pub gvk: Gvk,
    pub name: String,
    pub namespace: String,
}

pub const DEFAULT_NAMESPACE: &str = "default";
const NOT_A_NAMESPACE: &str = "_non_namespaceable_";

impl ResId {
    /// The namespace as kustomize compares it: "" and "default" are the same.
    pub fn effective_namespace(&self) -> &str {
        if self.gvk.is_cluster_scoped() {
            NOT_A_NAMESPACE
        } else if self.namespace.is_empty() {
            DEFAULT_NAMESPACE
        } else {
            &self.namespace
        }
    }

    pub fn ns_equals(&self, other: &ResId) -> bool {
        self.effective_namespace() == other.effective_namespace()
    }

    /// kustomize `ResId.Equals`.
    pub fn equals(&self, other: &ResId) -> bool {
        self.gvk == other.gvk && self.name == other.name && self.ns_equals(other)
    }

    /// kustomize `ResId.String()`, used in its error messages.
    pub fn display(&self) -> String {
        let ns = if self.namespace.is_empty() {
            "[noNs]"
        } else {
            &self.namespace
        };
        let name = if self.name.is_empty() {
            "[noName]"
        } else {
            &self.name
        };
        format!("{}/{}.{}", self.gvk.display(), name, ns)
    }

    fn legacy_sort_string(&self) -> String {
        let ns = if self.namespace.is_empty() {
            "~X"
        } else {
            &self.namespace
        };
        let name = if self.name.is_empty() {
            "~N"
        } else {
            &self.name
        };
        format!("{}|{}|{}", self.gvk.display(), ns, name)
    }
}

/// An object in the build.
#[derive(Debug, Clone)]
pub struct Res {
    pub value: Value,
    pub origin: Origin,
    /// Earlier (kind, name, effective namespace) of this object, oldest first.
    pub prev: Vec<(String, String, String)>,
    pub prefixes: Vec<String>,
    pub suffixes: Vec<String>,
    pub needs_hash: bool,
    /// Generator behaviour (`create`, `merge`, `replace`) of generated objects.
    pub behavior: Option<String>,
    /// Names of the vars this object is the source of.
    pub ref_var_names: Vec<String>,
    /// `config.kubernetes.io/origin` (with `buildMetadata: [originAnnotations]`).
    pub origin_anno: Option<crate::origin::OriginAnno>,
    /// `alpha.config.kubernetes.io/transformations`.
    pub transformations: Vec<crate::origin::OriginAnno>,
    /// Source text and document index, to tell `key:` from `key: null` (see `empty_nulls`).
    pub source: Option<(std::sync::Arc<str>, usize)>,
}

impl Res {
    pub fn new(value: Value, origin: Origin) -> Res {
        Res {
            value,
            origin,
            prev: Vec::new(),
            prefixes: Vec::new(),
            suffixes: Vec::new(),
            needs_hash: false,
            behavior: None,
            ref_var_names: Vec::new(),
            origin_anno: None,
            transformations: Vec::new(),
            source: None,
        }
    }

    fn str_at(&self, path: &[&str]) -> &str {
        self.value.path(path).and_then(Value::as_str).unwrap_or("")
    }

    pub fn kind(&self) -> &str {
        self.str_at(&["kind"])
    }

    pub fn api_version(&self) -> &str {
        self.str_at(&["apiVersion"])
    }

    pub fn name(&self) -> &str {
        self.str_at(&["metadata", "name"])
    }

    pub fn namespace(&self) -> &str {
        self.str_at(&["metadata", "namespace"])
    }

    pub fn gvk(&self) -> Gvk {
        Gvk::from_api_version(self.api_version(), self.kind())
    }

    pub fn cur_id(&self) -> ResId {
        ResId {
            gvk: self.gvk(),
            name: self.name().to_string(),
            namespace: self.namespace().to_string(),
        }
    }

    /// Previous ids (not including the current one), oldest first.
    pub fn prev_ids(&self) -> Vec<ResId> {
        let gvk = self.gvk();
        self.prev
            .iter()
            .map(|(k, n, ns)| ResId {
                gvk: Gvk {
                    kind: k.clone(),
                    ..gvk.clone()
                },
                name: n.clone(),
                namespace: ns.clone(),
            })
            .collect()
    }

    /// The id the object had when it entered the build.
    pub fn org_id(&self) -> ResId {
        self.prev_ids()
            .into_iter()
            .next()
            .unwrap_or_else(|| self.cur_id())
    }

    /// Matches the current id or any previous one (kustomize `GetMatchingResourcesByAnyId`).
    pub fn matches_any_id(&self, id: &ResId) -> bool {
        self.cur_id().equals(id) || self.prev_ids().iter().any(|p| p.equals(id))
    }

    pub fn store_previous_id(&mut self) {
        let id = self.cur_id();
        let ns = id.effective_namespace().to_string();
        self.prev.push((id.gvk.kind, id.name, ns));
    }

    fn metadata_mut(&mut self) -> &mut Map {
        let root = ensure_map(&mut self.value);
        ensure_map(
            root.entry("metadata".to_string())
                .or_insert(Value::Map(Map::new())),
        )
    }

    pub fn set_name(&mut self, name: &str) {
        self.metadata_mut()
            .insert("name", Value::String(name.to_string().into()));
    }

    /// kyaml `SetNamespace`: an empty namespace removes the field.
    pub fn set_namespace(&mut self, ns: &str) {
        let meta = self.metadata_mut();
        if ns.is_empty() {
            meta.shift_remove("namespace");
        } else {
            meta.insert("namespace", Value::String(ns.to_string().into()));
        }
    }

    pub fn set_kind(&mut self, kind: &str) {
        ensure_map(&mut self.value).insert("kind", Value::String(kind.to_string().into()));
    }

    /// kyaml `GetLabels`/`GetAnnotations`: the map's entries with each value's text.
    pub fn meta_map(&self, field: &str) -> std::collections::BTreeMap<String, String> {
        let mut out = std::collections::BTreeMap::new();
        if let Some(Value::Map(m)) = self.value.path(&["metadata", field]) {
            for (k, v) in m {
                let text = match v {
                    Value::String(s) => s.to_string(),
                    Value::Null => self.raw_null_text(&["metadata", field, k]),
                    Value::Map(_) | Value::Seq(_) => String::new(),
                    other => crate::fieldpath::scalar_text(other).unwrap_or_default(),
                };
                out.insert(k.to_string(), text);
            }
        }
        out
    }

    /// kyaml `SetLabels`/`SetAnnotations`: replaces the map with string values, or removes
    /// the field when the map is empty.
    pub fn set_meta_map(&mut self, field: &str, map: &std::collections::BTreeMap<String, String>) {
        let meta = self.metadata_mut();
        meta.shift_remove(field);
        if !map.is_empty() {
            meta.insert(
                field.to_string(),
                Value::Map(
                    map.iter()
                        .map(|(k, v)| (k.clone(), Value::String(v.clone().into())))
                        .collect(),
                ),
            );
        }
    }

    /// How a null was spelled in the source (`~`, `null`, or nothing), as kyaml keeps it.
    fn raw_null_text(&self, path: &[&str]) -> String {
        let Some((src, doc)) = &self.source else {
            return "null".to_string();
        };
        let segs: Vec<PathSeg> = path.iter().map(|k| PathSeg::Key(k)).collect();
        let Some(pos) = kyaml::locate(src, *doc, &segs) else {
            return "null".to_string();
        };
        let line = src.lines().nth(pos.line as usize - 1).unwrap_or("");
        let rest: String = line.chars().skip(pos.column as usize - 1).collect();
        let token = rest.split([' ', '#']).next().unwrap_or("").trim();
        match token {
            "~" | "null" | "Null" | "NULL" => token.to_string(),
            _ => String::new(),
        }
    }

    /// Paths of nulls written as empty values (`key:`), which strategic merge drops. Computed
    /// from the source text once; later merges see none (the first one removed them).
    pub fn take_empty_nulls(&mut self) -> Vec<Vec<PatchSeg>> {
        let Some((src, doc)) = self.source.take() else {
            return Vec::new();
        };
        let mut paths = Vec::new();
        collect_nulls(&self.value, &mut Vec::new(), &mut paths);
        // Each check re-reads the document up to the null; beyond this many, treat them all as
        // spelled out rather than risk quadratic time on hostile input.
        if paths.len() > MAX_NULL_CHECKS {
            return Vec::new();
        }
        let lines: Vec<&str> = src.lines().collect();
        paths
            .into_iter()
            .filter(|p| {
                let segs: Vec<PathSeg> = p
                    .iter()
                    .map(|s| match s {
                        PatchSeg::Key(k) => PathSeg::Key(k.as_str()),
                        PatchSeg::Index(i) => PathSeg::Index(*i),
                    })
                    .collect();
                let Some(pos) = kyaml::locate(&src, doc, &segs) else {
                    return false;
                };
                let line = lines.get(pos.line as usize - 1).copied().unwrap_or("");
                let rest: String = line.chars().skip(pos.column as usize - 1).collect();
                let rest = rest.trim_start();
                !(rest.starts_with("null")
                    || rest.starts_with("Null")
                    || rest.starts_with("NULL")
                    || rest.starts_with('~'))
            })
            .collect()
    }

    /// `kind/namespace/name` (or `kind/name`) for findings.
    pub fn describe(&self) -> String {
        if self.namespace().is_empty() {
            format!("{}/{}", self.kind(), self.name())
        } else {
            format!("{}/{}/{}", self.kind(), self.namespace(), self.name())
        }
    }
}

const MAX_NULL_CHECKS: usize = 256;

fn collect_nulls(v: &Value, path: &mut Vec<PatchSeg>, out: &mut Vec<Vec<PatchSeg>>) {
    match v {
        Value::Null => out.push(path.clone()),
        Value::Map(m) => {
            for (k, x) in m {
                path.push(PatchSeg::Key(k.to_string()));
                collect_nulls(x, path, out);
                path.pop();
            }
        }
        Value::Seq(items) => {
            for (i, x) in items.iter().enumerate() {
                path.push(PatchSeg::Index(i));
                collect_nulls(x, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Makes `v` a map (replacing a non-map) and returns it.
pub fn ensure_map(v: &mut Value) -> &mut Map {
    if !matches!(v, Value::Map(_)) {
        *v = Value::Map(Map::new());
    }
    match v {
        Value::Map(m) => m,
        _ => unreachable!("just made a map"),
    }
}

const ORDER_FIRST: &[&str] = &[
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];
const ORDER_LAST: &[&str] = &[
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

pub(crate) fn type_order(kind: &str) -> i32 {
    if let Some(i) = ORDER_FIRST.iter().position(|k| *k == kind) {
        return i as i32 - ORDER_FIRST.len() as i32;
    }
    if let Some(i) = ORDER_LAST.iter().position(|k| *k == kind) {
        return i as i32 + 1;
    }
    0
}

/// kustomize's default ("legacy") output order: by kind rank, then gvk, then namespace/name.
/// Ties cannot happen between distinct ids.
pub fn legacy_sort(resources: &mut Vec<Res>) {
    legacy_sort_with(resources, &type_order);
}

/// The legacy order with custom kind ranks (`sortOptions.legacySortOptions`).
pub fn legacy_sort_with(resources: &mut Vec<Res>, order: &dyn Fn(&str) -> i32) {
    // The comparison's strings, built once per object rather than once per comparison.
    struct Key {
        id: ResId,
        rank: i32,
        gvk: String,
        id_string: String,
    }
    let mut keyed: Vec<(Key, Res)> = std::mem::take(resources)
        .into_iter()
        .map(|r| {
            let id = r.cur_id();
            let key = Key {
                rank: order(&id.gvk.kind),
                gvk: id.gvk.legacy_sort_string(),
                id_string: id.legacy_sort_string(),
                id,
            };
            (key, r)
        })
        .collect();
    keyed.sort_by(|(a, _), (b, _)| {
        if a.id.gvk != b.id.gvk {
            if a.rank != b.rank {
                return a.rank.cmp(&b.rank);
            }
            let (ga, gb) = (&a.id.gvk, &b.id.gvk);
            if ga.kind == "Namespace"
                && gb.kind == "Namespace"
                && (ga.group.is_empty() || gb.group.is_empty())
            {
                return b.gvk.cmp(&a.gvk);
            }
            a.gvk.cmp(&b.gvk)
        } else {
            a.id_string.cmp(&b.id_string)
        }
    });
    resources.extend(keyed.into_iter().map(|(_, r)| r));
}

/// `s`, or `placeholder` when it is empty (kustomize's spelling of missing GVK parts).
fn or_placeholder<'a>(s: &'a str, placeholder: &'a str) -> &'a str {
    if s.is_empty() { placeholder } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(api_version: &str, kind: &str, name: &str, ns: &str) -> Res {
        let mut meta = Map::new();
        meta.insert("name", Value::String(name.into()));
        if !ns.is_empty() {
            meta.insert("namespace", Value::String(ns.into()));
        }
        let mut m = Map::new();
        m.insert("apiVersion", Value::String(api_version.into()));
        m.insert("kind", Value::String(kind.into()));
        m.insert("metadata", Value::Map(meta));
        Res::new(
            Value::Map(m),
            Origin {
                file: "x.yaml".into(),
                line: 1,
                doc_index: 0,
            },
        )
    }

    #[test]
    fn every_cluster_scoped_kind_passes_the_kind_filter() {
        for (av, kind) in CLUSTER_SCOPED {
            assert!(
                Gvk::from_api_version(av, kind).is_cluster_scoped(),
                "{av} {kind}"
            );
        }
        assert!(!Gvk::from_api_version("v1", "ConfigMap").is_cluster_scoped());
    }

    #[test]
    fn ids_print_like_kustomize() {
        let r = res("apps/v1", "Deployment", "web", "");
        assert_eq!(r.cur_id().display(), "Deployment.v1.apps/web.[noNs]");
        let s = res("v1", "Service", "web", "prod");
        assert_eq!(s.cur_id().display(), "Service.v1.[noGrp]/web.prod");
    }

    #[test]
    fn default_and_empty_namespaces_are_equal() {
        let a = res("v1", "ConfigMap", "c", "").cur_id();
        let b = res("v1", "ConfigMap", "c", "default").cur_id();
        assert!(a.equals(&b));
        assert!(!a.equals(&res("v1", "ConfigMap", "c", "prod").cur_id()));
    }

    #[test]
    fn legacy_order_ranks_kinds_then_names() {
        let mut list = vec![
            res(
                "admissionregistration.k8s.io/v1",
                "ValidatingWebhookConfiguration",
                "v",
                "",
            ),
            res("apps/v1", "Deployment", "b", "ns"),
            res("example.com/v1", "Widget", "w", "ns"),
            res("apps/v1", "Deployment", "a", "ns"),
            res("v1", "Namespace", "ns", ""),
            res(
                "apiextensions.k8s.io/v1",
                "CustomResourceDefinition",
                "widgets.example.com",
                "",
            ),
        ];
        legacy_sort(&mut list);
        let names: Vec<String> = list
            .iter()
            .map(|r| format!("{}/{}", r.kind(), r.name()))
            .collect();
        assert_eq!(
            names,
            [
                "Namespace/ns",
                "CustomResourceDefinition/widgets.example.com",
                "Deployment/a",
                "Deployment/b",
                "Widget/w",
                "ValidatingWebhookConfiguration/v"
            ]
        );
    }

    #[test]
    fn previous_ids_keep_the_original() {
        let mut r = res("v1", "ConfigMap", "c", "");
        r.store_previous_id();
        r.set_name("p-c");
        assert_eq!(r.org_id().name, "c");
        assert!(r.matches_any_id(&res("v1", "ConfigMap", "c", "").cur_id()));
        assert!(r.matches_any_id(&res("v1", "ConfigMap", "p-c", "").cur_id()));
    }
}
