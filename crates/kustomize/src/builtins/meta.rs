//! The metadata transformers: `NamespaceTransformer`, `PrefixTransformer`,
//! `SuffixTransformer`, `LabelTransformer` and `AnnotationsTransformer`, each applied to its
//! field specs with kustomize's rules (which kinds are skipped, what is created, how role
//! binding subjects get their namespace, when an id conflict is an error).

use std::collections::BTreeMap;

use crate::config::FieldSpec;
use crate::fieldpath::{Create, split_path, walk_fieldspec};
use crate::resource::{Gvk, Res};
use kyaml::{Map, Value};

/// Applies `set` at one field spec of `r` (when the spec's gvk matches the object).
pub(crate) fn apply_spec(
    r: &mut Res,
    fs: &FieldSpec,
    leaf: Create,
    set: &mut dyn FnMut(&mut Value) -> Result<(), String>,
) -> Result<(), String> {
    let gvk = r.gvk();
    if !fs.applies_to(&gvk) {
        return Ok(());
    }
    let path = split_path(&fs.path, '/');
    walk_fieldspec(&mut r.value, &path, fs.create, leaf, set).map_err(|e| {
        format!(
            "considering field '{}' of object {}: {e}",
            fs.path,
            r.cur_id().display()
        )
    })
}

/// `NamespaceTransformer`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Namespace {
    pub namespace: String,
    pub field_specs: Vec<FieldSpec>,
    pub unset_only: bool,
    /// `defaultOnly` (the default), `allServiceAccounts` or `none`.
    pub role_binding_subjects: String,
}

fn set_namespace_value(node: &mut Value, ns: &str, unset_only: bool) -> Result<(), String> {
    match node {
        Value::Map(_) | Value::Seq(_) => {
            Err("namespace field specs must target scalar nodes".to_string())
        }
        Value::String(s) if unset_only && !s.is_empty() => Ok(()),
        Value::Int(_) | Value::Bool(_) | Value::Float(_) if unset_only => Ok(()),
        _ => {
            *node = Value::String(ns.to_string().into());
            Ok(())
        }
    }
}

impl Namespace {
    pub fn transform(&self, resources: &mut [Res]) -> Result<(), String> {
        if self.namespace.is_empty() {
            return Ok(());
        }
        let mode = match self.role_binding_subjects.as_str() {
            "" | "defaultOnly" => "defaultOnly",
            m @ ("allServiceAccounts" | "none") => m,
            other => {
                return Err(format!(
                    "invalid value \"{other}\" for setRoleBindingSubjects: must be one of \"defaultOnly\", \"none\" or \"allServiceAccounts\""
                ));
            }
        };
        let ns = self.namespace.as_str();
        for r in resources.iter_mut() {
            r.store_previous_id();
            let api_version = r.api_version().to_string();
            let gvk = r.gvk();
            let mut specs: Vec<&FieldSpec> = self
                .field_specs
                .iter()
                .filter(|fs| fs.path != "metadata/namespace")
                .filter(|fs| api_version == "v1" || fs.path != "metadata/name")
                .collect();
            if !gvk.is_cluster_scoped() {
                let meta = FieldSpec::new("metadata/namespace", true);
                apply_spec(r, &meta, Create::Scalar, &mut |n| {
                    set_namespace_value(n, ns, self.unset_only)
                })?;
            }
            if gvk.kind == "RoleBinding" || gvk.kind == "ClusterRoleBinding" {
                specs.retain(|fs| {
                    !((fs.gvk.kind == "RoleBinding" || fs.gvk.kind == "ClusterRoleBinding")
                        && fs.path == "subjects/namespace")
                });
                if mode != "none"
                    && let Some(Value::Seq(subjects)) = r.value.get_mut("subjects")
                {
                    for s in subjects.iter_mut() {
                        let Value::Map(m) = s else { continue };
                        let hit = if mode == "defaultOnly" {
                            m.get("name").and_then(Value::as_str) == Some("default")
                        } else {
                            m.get("kind").and_then(Value::as_str) == Some("ServiceAccount")
                        };
                        if hit {
                            let slot = m.entry("namespace".to_string()).or_insert(Value::Null);
                            set_namespace_value(slot, ns, self.unset_only)?;
                        }
                    }
                }
            }
            for fs in specs {
                apply_spec(r, fs, Create::Scalar, &mut |n| {
                    set_namespace_value(n, ns, self.unset_only)
                })
                .map_err(|e| format!("namespace transformation failed: {e}"))?;
            }
        }
        // kustomize checks after each object; every object ends in the same namespace (or
        // none), so a clash at any step is still one at the end.
        let mut seen = std::collections::HashSet::new();
        for r in resources.iter() {
            let id = r.cur_id();
            let key = (
                id.gvk.clone(),
                id.name.clone(),
                id.effective_namespace().to_string(),
            );
            if !seen.insert(key) {
                return Err(format!(
                    "namespace transformation produces ID conflict: {}",
                    id.display()
                ));
            }
        }
        Ok(())
    }
}

/// `PrefixTransformer` and `SuffixTransformer`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Affix {
    pub affix: String,
    pub field_specs: Vec<FieldSpec>,
    pub is_prefix: bool,
}

fn skip_affix(gvk: &Gvk) -> bool {
    gvk.kind == "CustomResourceDefinition"
        || gvk.kind == "Namespace"
        || (gvk.group == "apiregistration.k8s.io" && gvk.kind == "APIService")
}

impl Affix {
    pub fn transform(&self, resources: &mut [Res]) -> Result<(), String> {
        for r in resources.iter_mut() {
            let org = r.org_id().gvk;
            if skip_affix(&org) {
                continue;
            }
            for fs in &self.field_specs {
                if !fs.applies_to(&org) {
                    continue;
                }
                if fs.path == "metadata/name" && !self.affix.is_empty() {
                    if self.is_prefix {
                        r.prefixes.push(self.affix.clone());
                    } else {
                        r.suffixes.push(self.affix.clone());
                    }
                    r.store_previous_id();
                }
                let affix = &self.affix;
                let is_prefix = self.is_prefix;
                apply_spec(r, fs, Create::Scalar, &mut |n| {
                    let old = match &*n {
                        Value::Map(_) | Value::Seq(_) => {
                            return Err(
                                "wrong node kind: expected ScalarNode but got a map or list"
                                    .to_string(),
                            );
                        }
                        other => crate::fieldpath::scalar_text(other).unwrap_or_default(),
                    };
                    *n = Value::String(if is_prefix {
                        format!("{affix}{old}").into()
                    } else {
                        format!("{old}{affix}").into()
                    });
                    Ok(())
                })?;
            }
        }
        Ok(())
    }
}

/// `LabelTransformer` and `AnnotationsTransformer`: set string entries in maps.
#[derive(Debug, Clone, Default)]
pub(crate) struct MapEntries {
    pub entries: BTreeMap<String, String>,
    pub field_specs: Vec<FieldSpec>,
}

impl MapEntries {
    pub fn transform(&self, resources: &mut [Res]) -> Result<(), String> {
        if self.entries.is_empty() {
            return Ok(());
        }
        for r in resources.iter_mut() {
            for (k, v) in &self.entries {
                for fs in &self.field_specs {
                    apply_spec(r, fs, Create::Map, &mut |n| {
                        if n.is_null() {
                            *n = Value::Map(Map::new());
                        }
                        match n {
                            Value::Map(m) => {
                                m.insert(k.clone(), Value::String(v.clone().into()));
                                Ok(())
                            }
                            other => Err(format!(
                                "wrong node kind: expected MappingNode but got {}",
                                if matches!(other, Value::Seq(_)) {
                                    "SequenceNode"
                                } else {
                                    "ScalarNode"
                                }
                            )),
                        }
                    })?;
                }
            }
        }
        Ok(())
    }
}
