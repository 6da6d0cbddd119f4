//! Field specs and the transformer configuration: which fields of which kinds each builtin
//! transformer touches (name prefix/suffix, namespace, labels, annotations, name references,
//! var references, images, replicas). The defaults are kustomize's (`config/defaults.yaml`);
//! `configurations:` files and `crds:` (OpenAPI definitions with `x-kubernetes-*` markers)
//! add to them, and a kustomization's configuration flows up to the ones that include it.

use std::cmp::Ordering;
use std::sync::{Arc, OnceLock};

use crate::decode::{DResult, DecodeError, Fields};
use crate::resource::Gvk;
use kyaml::Value;

/// A field spec: a `/`-separated path in objects of a (partial) gvk, and whether a missing
/// field is created.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSpec {
    pub gvk: Gvk,
    pub path: String,
    pub create: bool,
}

impl FieldSpec {
    pub fn new(path: &str, create: bool) -> FieldSpec {
        FieldSpec {
            gvk: Gvk::default(),
            path: path.to_string(),
            create,
        }
    }

    pub(crate) fn decode(v: &Value, strict: bool) -> DResult<FieldSpec> {
        let f = Fields::of(v, &["group", "version", "kind", "path", "create"], strict)?;
        Ok(FieldSpec {
            gvk: Gvk {
                group: f.string("group")?,
                version: f.string("version")?,
                kind: f.string("kind")?,
            },
            path: f.string("path")?,
            create: f.boolean("create")?,
        })
    }

    /// Whether this spec applies to objects of `gvk` (empty parts match anything).
    pub fn applies_to(&self, gvk: &Gvk) -> bool {
        gvk.is_selected_by(&self.gvk.group, &self.gvk.version, &self.gvk.kind)
    }

    /// kustomize `FieldSpec.String()`, in messages.
    pub fn display(&self) -> String {
        format!("{}:{}:{}", self.gvk.display(), self.create, self.path)
    }
}

/// kustomize `Gvk.IsLessThan`: by kind rank, then `group_version_kind` (with `~G`, `~V`,
/// `~K` for empty parts), compared without building the strings.
pub(crate) fn gvk_less(a: &Gvk, b: &Gvk) -> Ordering {
    fn bytes(g: &Gvk) -> [&str; 5] {
        [
            if g.group.is_empty() {
                "~G"
            } else {
                g.group.as_str()
            },
            "_",
            if g.version.is_empty() {
                "~V"
            } else {
                g.version.as_str()
            },
            "_",
            if g.kind.is_empty() {
                "~K"
            } else {
                g.kind.as_str()
            },
        ]
    }
    let (ia, ib) = (
        crate::resource::type_order(&a.kind),
        crate::resource::type_order(&b.kind),
    );
    ia.cmp(&ib).then_with(|| {
        let (x, y) = (bytes(a), bytes(b));
        x.iter()
            .flat_map(|s| s.bytes())
            .cmp(y.iter().flat_map(|s| s.bytes()))
    })
}

/// Adds `x` to `list` unless an equivalent spec is there (kustomize `FsSlice.MergeOne`).
pub(crate) fn merge_one(list: &mut Vec<FieldSpec>, x: &FieldSpec) -> Result<(), String> {
    let existing = list.iter().find(|s| {
        s.gvk
            .is_selected_by(&x.gvk.group, &x.gvk.version, &x.gvk.kind)
            && s.path == x.path
    });
    match existing {
        Some(s) if s.create != x.create => Err(format!(
            "conflicting fieldspecs: {} and {}",
            s.display(),
            x.display()
        )),
        Some(_) => Ok(()),
        None => {
            list.push(x.clone());
            Ok(())
        }
    }
}

pub(crate) fn merge_all(list: &mut Vec<FieldSpec>, other: &[FieldSpec]) -> Result<(), String> {
    for x in other {
        merge_one(list, x)?;
    }
    Ok(())
}

/// The referrers of one kind of object (`nameReference` entry).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameBackRef {
    pub gvk: Gvk,
    pub referrers: Vec<FieldSpec>,
}

/// kustomize's `TransformerConfig`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransformerConfig {
    pub name_prefix: Vec<FieldSpec>,
    pub name_suffix: Vec<FieldSpec>,
    pub namespace: Vec<FieldSpec>,
    pub common_labels: Vec<FieldSpec>,
    pub labels: Vec<FieldSpec>,
    pub template_labels: Vec<FieldSpec>,
    pub common_annotations: Vec<FieldSpec>,
    pub name_reference: Vec<NameBackRef>,
    pub var_reference: Vec<FieldSpec>,
    pub images: Vec<FieldSpec>,
    pub replicas: Vec<FieldSpec>,
}

const SECTIONS: [&str; 11] = [
    "namePrefix",
    "nameSuffix",
    "namespace",
    "commonLabels",
    "labels",
    "templateLabels",
    "commonAnnotations",
    "nameReference",
    "varReference",
    "images",
    "replicas",
];

impl TransformerConfig {
    fn lists_mut(&mut self) -> [&mut Vec<FieldSpec>; 10] {
        [
            &mut self.name_prefix,
            &mut self.name_suffix,
            &mut self.namespace,
            &mut self.common_labels,
            &mut self.labels,
            &mut self.template_labels,
            &mut self.common_annotations,
            &mut self.var_reference,
            &mut self.images,
            &mut self.replicas,
        ]
    }

    fn lists(&self) -> [&Vec<FieldSpec>; 10] {
        [
            &self.name_prefix,
            &self.name_suffix,
            &self.namespace,
            &self.common_labels,
            &self.labels,
            &self.template_labels,
            &self.common_annotations,
            &self.var_reference,
            &self.images,
            &self.replicas,
        ]
    }

    /// Decodes a `configurations:` file (strictly, as kustomize does).
    pub(crate) fn decode(v: &Value) -> DResult<TransformerConfig> {
        let f = Fields::of(v, &SECTIONS, true)?;
        let specs = |name: &str| f.list(name, |x| FieldSpec::decode(x, true));
        let mut t = TransformerConfig {
            name_prefix: specs("namePrefix")?,
            name_suffix: specs("nameSuffix")?,
            namespace: specs("namespace")?,
            common_labels: specs("commonLabels")?,
            labels: specs("labels")?,
            template_labels: specs("templateLabels")?,
            common_annotations: specs("commonAnnotations")?,
            var_reference: specs("varReference")?,
            images: specs("images")?,
            replicas: specs("replicas")?,
            name_reference: f.list("nameReference", |x| {
                let nf = Fields::of(x, &["group", "version", "kind", "fieldSpecs"], true)?;
                Ok(NameBackRef {
                    gvk: Gvk {
                        group: nf.string("group")?,
                        version: nf.string("version")?,
                        kind: nf.string("kind")?,
                    },
                    referrers: nf.list("fieldSpecs", |s| FieldSpec::decode(s, true))?,
                })
            })?,
        };
        t.sort();
        Ok(t)
    }

    fn sort(&mut self) {
        for l in self.lists_mut() {
            l.sort_by(|a, b| gvk_less(&a.gvk, &b.gvk));
        }
        self.name_reference.sort_by(|a, b| gvk_less(&a.gvk, &b.gvk));
    }

    /// kustomize's default configuration (shared).
    pub fn defaults_arc() -> &'static Arc<TransformerConfig> {
        static DEFAULTS: OnceLock<Arc<TransformerConfig>> = OnceLock::new();
        DEFAULTS.get_or_init(|| Arc::new(read_defaults(DEFAULTS_YAML)))
    }

    /// kustomize's default configuration.
    pub fn defaults() -> &'static TransformerConfig {
        Self::defaults_arc()
    }

    /// Merges a kustomization's configuration (the defaults, plus its `configurations:`
    /// files) into the accumulated one, skipping the work when nothing would change: the
    /// defaults merged into an empty configuration are the defaults (a test checks this).
    pub fn absorb(acc: &mut Arc<TransformerConfig>, own: &TransformerConfig) -> Result<(), String> {
        let defaults = Self::defaults_arc();
        if own == &**defaults {
            if **acc == TransformerConfig::default() {
                *acc = defaults.clone();
                return Ok(());
            }
            if Arc::ptr_eq(acc, defaults) || **acc == **defaults {
                return Ok(());
            }
        }
        Arc::make_mut(acc).merge(own)
    }

    /// kustomize `TransformerConfig.Merge`.
    pub fn merge(&mut self, other: &TransformerConfig) -> Result<(), String> {
        // Every kustomization merges the defaults into what it accumulated: merging a
        // (deduplicated) configuration into itself changes nothing. Merging into an empty one
        // is not a copy: a general spec after a specific one for the same path is dropped.
        if self == other {
            return Ok(());
        }
        for (mine, theirs) in self.lists_mut().into_iter().zip(other.lists()) {
            merge_all(mine, theirs)?;
        }
        for nbr in &other.name_reference {
            self.add_name_reference(nbr)?;
        }
        self.sort();
        Ok(())
    }

    pub fn add_name_reference(&mut self, nbr: &NameBackRef) -> Result<(), String> {
        match self.name_reference.iter_mut().find(|c| c.gvk == nbr.gvk) {
            Some(c) => merge_all(&mut c.referrers, &nbr.referrers),
            None => {
                self.name_reference.push(nbr.clone());
                Ok(())
            }
        }
    }
}

const DEFAULTS_YAML: &str = include_str!("config/defaults.yaml");

/// Reads `config/defaults.yaml` without a YAML parser: it is written in a fixed shape (a
/// section name per line, one flow-style field spec per `- {...}` line, name references as
/// `- kind: ...` blocks), and a test checks this reading against the YAML decode. Building
/// the defaults is on every build's path, so it must cost next to nothing.
fn read_defaults(text: &str) -> TransformerConfig {
    fn spec(flow: &str) -> FieldSpec {
        let inner = flow.trim();
        let inner = inner.strip_prefix('{').unwrap_or(inner);
        let inner = inner.strip_suffix('}').unwrap_or(inner);
        let mut fs = FieldSpec::default();
        // `key: value` pairs separated by commas; values never contain ", ".
        for part in inner.split(',') {
            let part = part.trim_start();
            let Some(colon) = part.find(':') else {
                continue;
            };
            let (k, v) = (&part[..colon], part[colon + 1..].trim());
            let v = v
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .unwrap_or(v);
            match k {
                "group" => fs.gvk.group = v.to_string(),
                "version" => fs.gvk.version = v.to_string(),
                "kind" => fs.gvk.kind = v.to_string(),
                "path" => fs.path = v.to_string(),
                "create" => fs.create = v == "true",
                _ => {}
            }
        }
        fs
    }
    let mut t = TransformerConfig::default();
    let mut section = String::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if let Some(name) = line.strip_suffix(':')
            && !line.starts_with(' ')
            && !line.starts_with('-')
        {
            section = name.to_string();
            continue;
        }
        let list = match section.as_str() {
            "namePrefix" => &mut t.name_prefix,
            "nameSuffix" => &mut t.name_suffix,
            "namespace" => &mut t.namespace,
            "commonLabels" => &mut t.common_labels,
            "labels" => &mut t.labels,
            "templateLabels" => &mut t.template_labels,
            "commonAnnotations" => &mut t.common_annotations,
            "varReference" => &mut t.var_reference,
            "images" => &mut t.images,
            "replicas" => &mut t.replicas,
            _ => {
                // nameReference: `- kind: X` opens an entry, `  group:`/`  version:` add to
                // it, `  - {...}` are its referrers.
                if let Some(kind) = line.strip_prefix("- kind: ") {
                    t.name_reference.push(NameBackRef {
                        gvk: Gvk {
                            kind: kind.trim().to_string(),
                            ..Default::default()
                        },
                        referrers: Vec::new(),
                    });
                } else if let Some(nbr) = t.name_reference.last_mut() {
                    let l = line.trim();
                    if let Some(g) = l.strip_prefix("group: ") {
                        nbr.gvk.group = g.to_string();
                    } else if let Some(v) = l.strip_prefix("version: ") {
                        nbr.gvk.version = v.to_string();
                    } else if let Some(f) = l.strip_prefix("- ") {
                        nbr.referrers.push(spec(f));
                    }
                }
                continue;
            }
        };
        if let Some(f) = line.strip_prefix("- ") {
            list.push(spec(f));
        }
    }
    t.sort();
    t
}

/// The transformer configuration from a `crds:` file: OpenAPI definitions whose properties
/// carry `x-kubernetes-annotation`, `x-kubernetes-label-selector`, `x-kubernetes-identity` or
/// `x-kubernetes-object-ref-*` markers.
pub fn config_from_crd(doc: &Value) -> Result<TransformerConfig, DecodeError> {
    let defs = doc
        .as_map()
        .ok_or_else(|| DecodeError::new("expected a map of OpenAPI definitions"))?;
    let mut result = TransformerConfig::default();
    for (name, def) in defs {
        let props = def
            .path(&["Schema", "properties"])
            .or_else(|| def.get("properties"));
        let Some(props) = props.and_then(Value::as_map) else {
            continue;
        };
        if !["kind", "apiVersion", "metadata"]
            .iter()
            .all(|k| props.contains_key(*k))
        {
            continue;
        }
        let kind = name.rsplit('.').next().unwrap_or(name);
        let gvk = Gvk {
            kind: kind.to_string(),
            ..Default::default()
        };
        let mut tc = TransformerConfig::default();
        let mut seen = Vec::new();
        load_crd(&mut tc, &gvk, defs, name, &mut Vec::new(), &mut seen)
            .map_err(DecodeError::new)?;
        result.merge(&tc).map_err(DecodeError::new)?;
    }
    Ok(result)
}

fn load_crd(
    tc: &mut TransformerConfig,
    gvk: &Gvk,
    defs: &kyaml::Map,
    type_name: &str,
    path: &mut Vec<String>,
    seen: &mut Vec<String>,
) -> Result<(), String> {
    // A type that refers to itself would recurse forever.
    if seen.iter().any(|s| s == type_name) || path.len() > 64 {
        return Ok(());
    }
    let Some(def) = defs.get(type_name) else {
        return Ok(());
    };
    let props = def
        .path(&["Schema", "properties"])
        .or_else(|| def.get("properties"))
        .and_then(Value::as_map);
    let Some(props) = props else { return Ok(()) };
    seen.push(type_name.to_string());
    for (prop_name, prop) in props {
        let ext = |key: &str| -> Option<&str> {
            prop.as_map()?
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .and_then(|(_, v)| v.as_str())
        };
        path.push(prop_name.to_string());
        let fs = FieldSpec {
            gvk: gvk.clone(),
            path: path.join("/"),
            create: false,
        };
        if ext("x-kubernetes-annotation").is_some() {
            merge_one(&mut tc.common_annotations, &fs)?;
        }
        if ext("x-kubernetes-label-selector").is_some() {
            merge_one(&mut tc.common_labels, &fs)?;
        }
        if ext("x-kubernetes-identity").is_some() {
            merge_one(&mut tc.name_prefix, &fs)?;
        }
        if let (Some(version), Some(kind)) = (
            ext("x-kubernetes-object-ref-api-version"),
            ext("x-kubernetes-object-ref-kind"),
        ) {
            let name_key = ext("x-kubernetes-object-ref-name-key").unwrap_or("name");
            tc.add_name_reference(&NameBackRef {
                gvk: Gvk {
                    group: String::new(),
                    version: version.to_string(),
                    kind: kind.to_string(),
                },
                referrers: vec![FieldSpec {
                    path: format!("{}/{name_key}", fs.path),
                    ..fs.clone()
                }],
            })?;
        }
        if let Some(r) = prop.get("$ref").and_then(Value::as_str) {
            load_crd(tc, gvk, defs, r, path, seen)?;
        }
        path.pop();
    }
    seen.pop();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_merged_into_nothing_are_the_defaults() {
        let mut t = TransformerConfig::default();
        t.merge(TransformerConfig::defaults()).unwrap();
        assert_eq!(&t, TransformerConfig::defaults());
    }

    #[test]
    fn the_defaults_reader_agrees_with_the_yaml_decode() {
        let v = kyaml::parse_one(DEFAULTS_YAML, kyaml::Dialect::Kube).unwrap();
        assert_eq!(
            read_defaults(DEFAULTS_YAML),
            TransformerConfig::decode(&v).unwrap()
        );
    }

    #[test]
    fn defaults_load_with_every_section() {
        let d = TransformerConfig::defaults();
        assert_eq!(d.name_prefix.len(), 1);
        assert!(d.common_labels.len() > 20);
        assert_eq!(d.template_labels.len(), 10);
        assert!(d.name_reference.iter().any(|n| n.gvk.kind == "ConfigMap"));
        assert!(d.var_reference.iter().any(|s| s.path == "metadata/labels"));
        assert_eq!(d.images.len(), 4);
    }

    #[test]
    fn merging_dedupes_and_detects_conflicts() {
        let mut a = vec![FieldSpec::new("metadata/labels", true)];
        let dup = FieldSpec {
            gvk: Gvk {
                kind: "Deployment".into(),
                ..Default::default()
            },
            ..FieldSpec::new("metadata/labels", true)
        };
        // A spec for all kinds covers the kind-specific one.
        merge_one(&mut a, &dup).unwrap();
        assert_eq!(a.len(), 2);
        let conflict = FieldSpec::new("metadata/labels", false);
        assert!(merge_one(&mut a, &conflict).is_err());
    }
}
