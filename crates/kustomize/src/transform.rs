//! kustomize's built-in transformers other than patches: namespace, name prefix/suffix,
//! labels, annotations, replicas, images and generator hash suffixes, each applied to the
//! field specs kustomize's default configuration lists.

use super::kustomization::{Kustomization, scalar_string};
use super::resource::{Gvk, Res};
use super::{Builder, KustomizeError, generators};
use crate::{Finding, FindingKind};
use kyaml::{Map, PathSeg, Value};

/// A kustomize field spec: a `/`-separated path, the gvk it applies to, and whether missing
/// fields are created.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub path: &'static str,
    pub create: bool,
}

const fn fs(
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    path: &'static str,
    create: bool,
) -> FieldSpec {
    FieldSpec {
        group,
        version,
        kind,
        path,
        create,
    }
}

/// Label field specs for metadata and pod templates (kustomize `metadataLabels`).
const METADATA_LABELS: &[FieldSpec] = &[
    fs("", "", "", "metadata/labels", true),
    fs(
        "",
        "v1",
        "ReplicationController",
        "spec/template/metadata/labels",
        true,
    ),
    fs("", "", "Deployment", "spec/template/metadata/labels", true),
    fs("", "", "ReplicaSet", "spec/template/metadata/labels", true),
    fs("", "", "DaemonSet", "spec/template/metadata/labels", true),
    fs(
        "apps",
        "",
        "StatefulSet",
        "spec/template/metadata/labels",
        true,
    ),
    fs(
        "apps",
        "",
        "StatefulSet",
        "spec/volumeClaimTemplates[]/metadata/labels",
        true,
    ),
    fs("batch", "", "Job", "spec/template/metadata/labels", true),
    fs(
        "batch",
        "",
        "CronJob",
        "spec/jobTemplate/metadata/labels",
        true,
    ),
    fs(
        "batch",
        "",
        "CronJob",
        "spec/jobTemplate/spec/template/metadata/labels",
        true,
    ),
];

/// Selector field specs of `commonLabels` (kustomize `commonLabels` minus metadata labels).
const SELECTOR_LABELS: &[FieldSpec] = &[
    fs("", "v1", "Service", "spec/selector", true),
    fs("", "v1", "ReplicationController", "spec/selector", true),
    fs("", "", "Deployment", "spec/selector/matchLabels", true),
    fs(
        "apps",
        "",
        "Deployment",
        "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
        false,
    ),
    fs(
        "apps",
        "",
        "Deployment",
        "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
        false,
    ),
    fs(
        "apps",
        "",
        "Deployment",
        "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
        false,
    ),
    fs(
        "apps",
        "",
        "Deployment",
        "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
        false,
    ),
    fs(
        "apps",
        "",
        "Deployment",
        "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
        false,
    ),
    fs("", "", "ReplicaSet", "spec/selector/matchLabels", true),
    fs("", "", "DaemonSet", "spec/selector/matchLabels", true),
    fs("apps", "", "StatefulSet", "spec/selector/matchLabels", true),
    fs(
        "apps",
        "",
        "StatefulSet",
        "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
        false,
    ),
    fs(
        "apps",
        "",
        "StatefulSet",
        "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
        false,
    ),
    fs(
        "apps",
        "",
        "StatefulSet",
        "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
        false,
    ),
    fs(
        "apps",
        "",
        "StatefulSet",
        "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
        false,
    ),
    fs(
        "apps",
        "",
        "StatefulSet",
        "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
        false,
    ),
    fs("batch", "", "Job", "spec/selector/matchLabels", false),
    fs(
        "batch",
        "",
        "CronJob",
        "spec/jobTemplate/spec/selector/matchLabels",
        false,
    ),
    fs(
        "policy",
        "",
        "PodDisruptionBudget",
        "spec/selector/matchLabels",
        false,
    ),
    fs(
        "networking.k8s.io",
        "",
        "NetworkPolicy",
        "spec/podSelector/matchLabels",
        false,
    ),
    fs(
        "networking.k8s.io",
        "",
        "NetworkPolicy",
        "spec/ingress/from/podSelector/matchLabels",
        false,
    ),
    fs(
        "networking.k8s.io",
        "",
        "NetworkPolicy",
        "spec/egress/to/podSelector/matchLabels",
        false,
    ),
];

const ANNOTATIONS: &[FieldSpec] = &[
    fs("", "", "", "metadata/annotations", true),
    fs(
        "",
        "v1",
        "ReplicationController",
        "spec/template/metadata/annotations",
        true,
    ),
    fs(
        "",
        "",
        "Deployment",
        "spec/template/metadata/annotations",
        true,
    ),
    fs(
        "",
        "",
        "ReplicaSet",
        "spec/template/metadata/annotations",
        true,
    ),
    fs(
        "",
        "",
        "DaemonSet",
        "spec/template/metadata/annotations",
        true,
    ),
    fs(
        "",
        "",
        "StatefulSet",
        "spec/template/metadata/annotations",
        true,
    ),
    fs(
        "batch",
        "",
        "Job",
        "spec/template/metadata/annotations",
        true,
    ),
    fs(
        "batch",
        "",
        "CronJob",
        "spec/jobTemplate/metadata/annotations",
        true,
    ),
    fs(
        "batch",
        "",
        "CronJob",
        "spec/jobTemplate/spec/template/metadata/annotations",
        true,
    ),
];

const REPLICAS: &[FieldSpec] = &[
    fs("", "", "Deployment", "spec/replicas", true),
    fs("", "", "ReplicationController", "spec/replicas", true),
    fs("", "", "ReplicaSet", "spec/replicas", true),
    fs("", "", "StatefulSet", "spec/replicas", true),
];

impl FieldSpec {
    fn applies_to(&self, gvk: &Gvk) -> bool {
        gvk.is_selected_by(self.group, self.version, self.kind)
    }
}

/// Splits a field-spec path on `/` (a `\/` is a literal slash, as in annotation keys).
pub(crate) fn split_path(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'/') => {
                chars.next();
                current.push('/');
            }
            '/' => out.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    out.push(current);
    out
}

/// Calls `f` on every node at `path` (lists along the way are entered element by element),
/// creating missing maps when `create` is set; `leaf` builds a missing final node.
pub(crate) fn visit_path(
    v: &mut Value,
    segs: &[String],
    create: bool,
    leaf: &dyn Fn() -> Value,
    f: &mut dyn FnMut(&mut Value),
) {
    if segs.is_empty() {
        f(v);
        return;
    }
    if let Value::Seq(items) = v {
        for item in items {
            visit_path(item, segs, create, leaf, f);
        }
        return;
    }
    let seg = segs[0].strip_suffix("[]").unwrap_or(&segs[0]);
    let Value::Map(m) = v else { return };
    let present = m.get(seg).is_some_and(|c| !c.is_null());
    if !present {
        if !create {
            return;
        }
        let new = if segs.len() == 1 {
            leaf()
        } else {
            Value::Map(Map::new())
        };
        m.insert(seg.to_string(), new);
    }
    let child = m.get_mut(seg).expect("present or created");
    visit_path(child, &segs[1..], create, leaf, f);
}

fn apply_specs(
    r: &mut Res,
    specs: &[FieldSpec],
    leaf: &dyn Fn() -> Value,
    f: &mut dyn FnMut(&mut Value),
) {
    let gvk = r.gvk();
    for spec in specs {
        if spec.applies_to(&gvk) {
            visit_path(&mut r.value, &split_path(spec.path), spec.create, leaf, f);
        }
    }
}

fn set_pairs(r: &mut Res, specs: &[FieldSpec], pairs: &[(String, String)]) {
    if pairs.is_empty() {
        return;
    }
    apply_specs(r, specs, &|| Value::Map(Map::new()), &mut |node| {
        if node.is_null() {
            *node = Value::Map(Map::new());
        }
        if let Value::Map(m) = node {
            for (k, v) in pairs {
                m.insert(k.clone(), Value::String(v.clone()));
            }
        }
    });
}

pub(super) fn namespace(k: &Kustomization, resources: &mut [Res]) -> Result<(), KustomizeError> {
    let ns = k.string("namespace")?;
    if ns.is_empty() {
        return Ok(());
    }
    for i in 0..resources.len() {
        let r = &mut resources[i];
        r.store_previous_id();
        let gvk = r.gvk();
        if !gvk.is_cluster_scoped() {
            r.set_namespace(&ns);
        }
        if (gvk.kind == "RoleBinding" || gvk.kind == "ClusterRoleBinding")
            && let Some(Value::Seq(subjects)) = r.value.get_mut("subjects")
        {
            for s in subjects {
                if s.get("name").and_then(Value::as_str) == Some("default")
                    && let Value::Map(m) = s
                {
                    m.insert("namespace".into(), Value::String(ns.clone()));
                }
            }
        }
        let set = |v: &mut Value| *v = Value::String(ns.clone());
        if gvk.kind == "Namespace" && r.api_version() == "v1" {
            let mut set = set;
            visit_path(
                &mut r.value,
                &split_path("metadata/name"),
                true,
                &|| Value::Null,
                &mut set,
            );
        }
        if gvk.group == "apiregistration.k8s.io" && gvk.kind == "APIService" {
            let mut set = set;
            visit_path(
                &mut r.value,
                &split_path("spec/service/namespace"),
                true,
                &|| Value::Null,
                &mut set,
            );
        }
        if gvk.group == "apiextensions.k8s.io" && gvk.kind == "CustomResourceDefinition" {
            let mut set = set;
            visit_path(
                &mut r.value,
                &split_path("spec/conversion/webhook/clientConfig/service/namespace"),
                false,
                &|| Value::Null,
                &mut set,
            );
        }
        let id = resources[i].cur_id();
        if resources.iter().filter(|x| x.cur_id().equals(&id)).count() != 1 {
            return Err(KustomizeError::at(
                &k.file,
                k.line_of(&[PathSeg::Key("namespace")]),
                format!(
                    "namespace transformation produces ID conflict: {}",
                    id.display()
                ),
            ));
        }
    }
    Ok(())
}

pub(super) fn prefix_suffix(
    k: &Kustomization,
    resources: &mut [Res],
) -> Result<(), KustomizeError> {
    let prefix = k.string("namePrefix")?;
    let suffix = k.string("nameSuffix")?;
    for (affix, is_prefix) in [(prefix, true), (suffix, false)] {
        if affix.is_empty() {
            continue;
        }
        for r in resources.iter_mut() {
            let org = r.org_id().gvk;
            let skip = org.kind == "CustomResourceDefinition"
                || org.kind == "Namespace"
                || (org.group == "apiregistration.k8s.io" && org.kind == "APIService");
            if skip {
                continue;
            }
            if is_prefix {
                r.prefixes.push(affix.clone());
            } else {
                r.suffixes.push(affix.clone());
            }
            r.store_previous_id();
            let name = r.name().to_string();
            let new = if is_prefix {
                format!("{affix}{name}")
            } else {
                format!("{name}{affix}")
            };
            r.set_name(&new);
        }
    }
    Ok(())
}

pub(super) fn labels(k: &Kustomization, resources: &mut [Res]) -> Result<(), KustomizeError> {
    for entry in k.labels()? {
        let mut specs: Vec<FieldSpec> = Vec::new();
        if entry.include_selectors {
            specs.extend_from_slice(SELECTOR_LABELS);
            specs.extend_from_slice(METADATA_LABELS);
        } else {
            if entry.include_templates {
                specs.extend_from_slice(METADATA_LABELS);
            } else {
                specs.push(METADATA_LABELS[0]);
            }
        }
        for r in resources.iter_mut() {
            set_pairs(r, &specs, &entry.pairs);
        }
    }
    let common = k.string_map("commonLabels")?;
    if !common.is_empty() {
        let specs: Vec<FieldSpec> = SELECTOR_LABELS
            .iter()
            .chain(METADATA_LABELS)
            .copied()
            .collect();
        for r in resources.iter_mut() {
            set_pairs(r, &specs, &common);
        }
    }
    Ok(())
}

pub(super) fn annotations(k: &Kustomization, resources: &mut [Res]) -> Result<(), KustomizeError> {
    let pairs = k.string_map("commonAnnotations")?;
    for r in resources.iter_mut() {
        set_pairs(r, ANNOTATIONS, &pairs);
    }
    Ok(())
}

pub(super) fn replicas(k: &Kustomization, resources: &mut [Res]) -> Result<(), KustomizeError> {
    for (index, (name, count)) in k.replicas()?.into_iter().enumerate() {
        let mut found = false;
        for r in resources.iter_mut() {
            let matches = r.name() == name || r.prev_ids().iter().any(|p| p.name == name);
            let gvk = r.gvk();
            if matches && REPLICAS.iter().any(|s| s.applies_to(&gvk)) {
                found = true;
                let count = count.clone();
                apply_specs(r, REPLICAS, &|| Value::Null, &mut |v| *v = count.clone());
            }
        }
        if !found {
            return Err(KustomizeError::at(
                &k.file,
                k.line_of(&[PathSeg::Key("replicas"), PathSeg::Index(index)]),
                format!(
                    "resource with name {name} does not match a config with the following GVK [Deployment ReplicationController ReplicaSet StatefulSet]"
                ),
            ));
        }
    }
    Ok(())
}

/// Splits an image reference into name, tag and digest (kustomize `image.Split`).
pub fn split_image(image: &str) -> (&str, &str, &str) {
    let slash = image.find('/').filter(|i| *i > 0).unwrap_or(0);
    let search = &image[slash..];
    let at = search.find('@');
    let colon = search.find(':');
    match (colon, at) {
        (None, None) => (image, "", ""),
        (c, Some(a)) if c.is_none_or(|c| a < c) => {
            (&image[..slash + a], "", &image[slash + a + 1..])
        }
        (Some(c), Some(a)) => (
            &image[..slash + c],
            &image[slash + c + 1..slash + a],
            &image[slash + a + 1..],
        ),
        (Some(c), None) => (&image[..slash + c], &image[slash + c + 1..], ""),
        _ => (image, "", ""),
    }
}

fn update_image(image: &str, e: &super::kustomization::ImageEntry) -> Option<String> {
    let (name, tag, digest) = split_image(image);
    if name != e.name {
        return None;
    }
    let mut name = name.to_string();
    let (mut tag, mut digest) = (tag.to_string(), digest.to_string());
    if !e.new_name.is_empty() {
        name = e.new_name.clone();
    }
    if !e.new_tag.is_empty() && !e.digest.is_empty() {
        tag = e.new_tag.clone();
        digest = e.digest.clone();
    } else if !e.new_tag.is_empty() {
        tag = e.new_tag.clone();
        digest.clear();
    } else if !e.digest.is_empty() {
        digest = e.digest.clone();
        tag.clear();
    }
    if !tag.is_empty() {
        name = format!("{name}:{tag}");
    }
    if !digest.is_empty() {
        name = format!("{name}@{digest}");
    }
    Some(name)
}

fn walk_containers(v: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    match v {
        Value::Map(m) => {
            for (key, child) in m.iter_mut() {
                walk_containers(child, f);
                if (key == "containers" || key == "initContainers")
                    && let Value::Seq(items) = child
                {
                    for item in items {
                        if let Some(img) = item.get_mut("image") {
                            f(img);
                        }
                    }
                }
            }
        }
        Value::Seq(items) => {
            for item in items {
                walk_containers(item, f);
            }
        }
        _ => {}
    }
}

pub(super) fn images(
    b: &mut Builder,
    k: &Kustomization,
    resources: &mut [Res],
) -> Result<(), KustomizeError> {
    let entries = k.images()?;
    for e in &entries {
        let mut used = false;
        for r in resources.iter_mut() {
            if r.kind() == "CustomResourceDefinition" {
                continue;
            }
            walk_containers(&mut r.value, &mut |img| {
                let Some(text) = scalar_string(img) else {
                    return;
                };
                if let Some(new) = update_image(&text, e) {
                    used = true;
                    *img = Value::String(new);
                }
            });
        }
        if !used {
            let line = k.line_of(&[PathSeg::Key("images"), PathSeg::Index(e.index)]);
            b.findings.push(
                Finding::new(
                    FindingKind::ImageOverrideUnused,
                    format!("images entry `{}` matches no container image", e.name),
                )
                .file(super::display_path(&k.file))
                .at(super::pos(line))
                .help("upstream may have renamed or dropped the image; update or remove the entry"),
            );
        }
    }
    Ok(())
}

/// Appends the content hash to the names of generated ConfigMaps and Secrets (top level only).
pub(super) fn add_hash_suffixes(resources: &mut [Res]) -> Result<(), KustomizeError> {
    for r in resources.iter_mut() {
        if r.needs_hash {
            let h = generators::hash(r);
            r.store_previous_id();
            let name = format!("{}-{}", r.name(), h);
            r.set_name(&name);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_image_handles_registry_ports_tags_and_digests() {
        assert_eq!(split_image("nginx"), ("nginx", "", ""));
        assert_eq!(split_image("nginx:1.25"), ("nginx", "1.25", ""));
        assert_eq!(split_image("reg:5000/a/b:1"), ("reg:5000/a/b", "1", ""));
        assert_eq!(split_image("reg:5000/a/b"), ("reg:5000/a/b", "", ""));
        assert_eq!(split_image("a/b@sha256:ab"), ("a/b", "", "sha256:ab"));
        assert_eq!(split_image("a/b:1@sha256:ab"), ("a/b", "1", "sha256:ab"));
    }

    #[test]
    fn field_spec_paths_unescape_slashes() {
        assert_eq!(
            split_path("metadata/annotations/a.io\\/b"),
            vec!["metadata", "annotations", "a.io/b"]
        );
    }
}
