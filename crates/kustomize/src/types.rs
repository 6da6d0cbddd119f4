//! The typed pieces of a kustomization and of builtin plugin configurations: selectors,
//! patches, images, replicas, labels, generator arguments, vars, replacements, sort options
//! and Helm charts. Each has a `decode` that follows kustomize's field names; `strict` makes
//! unknown fields errors (kustomization files), otherwise they are ignored (plugin configs).

use std::collections::BTreeMap;

use crate::config::FieldSpec;
use crate::decode::{DResult, Fields, bool_map, list};
use kyaml::Value;

/// A resource id pattern: empty parts match anything (`ResId` in kustomize's selectors).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdSelector {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

const ID_FIELDS: [&str; 5] = ["group", "version", "kind", "name", "namespace"];

impl IdSelector {
    fn from_fields(f: &Fields) -> DResult<IdSelector> {
        Ok(IdSelector {
            group: f.string("group")?,
            version: f.string("version")?,
            kind: f.string("kind")?,
            name: f.string("name")?,
            namespace: f.string("namespace")?,
        })
    }

    pub fn is_empty(&self) -> bool {
        *self == IdSelector::default()
    }

    /// kustomize `ResId.String()` of the selector.
    pub fn display(&self) -> String {
        crate::resource::ResId {
            gvk: crate::resource::Gvk {
                group: self.group.clone(),
                version: self.version.clone(),
                kind: self.kind.clone(),
            },
            name: self.name.clone(),
            namespace: self.namespace.clone(),
        }
        .display()
    }
}

/// A patch or replacement target: id parts are regular expressions (patches) or exact values
/// (replacements), plus label and annotation selectors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    pub id: IdSelector,
    pub label_selector: String,
    pub annotation_selector: String,
}

impl Selector {
    pub(crate) fn decode(v: &Value, strict: bool) -> DResult<Selector> {
        let mut known = ID_FIELDS.to_vec();
        known.extend(["labelSelector", "annotationSelector"]);
        let f = Fields::of(v, &known, strict)?;
        Ok(Selector {
            id: IdSelector::from_fields(&f)?,
            label_selector: f.string("labelSelector")?,
            annotation_selector: f.string("annotationSelector")?,
        })
    }

    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("group", &self.id.group),
            ("version", &self.id.version),
            ("kind", &self.id.kind),
            ("name", &self.id.name),
            ("namespace", &self.id.namespace),
            ("labelSelector", &self.label_selector),
            ("annotationSelector", &self.annotation_selector),
        ] {
            if !v.is_empty() {
                parts.push(format!("{k}={v}"));
            }
        }
        parts.join(", ")
    }
}

/// A `patches:` entry (also a `PatchTransformer` config).
#[derive(Debug, Clone, Default)]
pub struct Patch {
    pub path: String,
    pub patch: String,
    pub target: Option<Selector>,
    pub options: BTreeMap<String, bool>,
}

impl Patch {
    pub(crate) fn decode(v: &Value, strict: bool) -> DResult<Patch> {
        let f = Fields::of(v, &["path", "patch", "target", "options"], strict)?;
        Ok(Patch {
            path: f.string("path")?,
            patch: f.string("patch")?,
            target: f.with("target", |t| Selector::decode(t, strict))?,
            options: f.with("options", bool_map)?.unwrap_or_default(),
        })
    }
}

/// An `images:` entry.
#[derive(Debug, Clone, Default)]
pub struct Image {
    pub name: String,
    pub new_name: String,
    pub tag_suffix: String,
    pub new_tag: String,
    pub digest: String,
}

impl Image {
    pub(crate) fn decode(v: &Value, strict: bool) -> DResult<Image> {
        let f = Fields::of(
            v,
            &["name", "newName", "tagSuffix", "newTag", "digest"],
            strict,
        )?;
        Ok(Image {
            name: f.string("name")?,
            new_name: f.string("newName")?,
            tag_suffix: f.string("tagSuffix")?,
            new_tag: f.string("newTag")?,
            digest: f.string("digest")?,
        })
    }
}

/// A `replicas:` entry.
#[derive(Debug, Clone, Default)]
pub struct Replica {
    pub name: String,
    pub count: i64,
}

impl Replica {
    pub(crate) fn decode(v: &Value, strict: bool) -> DResult<Replica> {
        let f = Fields::of(v, &["name", "count"], strict)?;
        Ok(Replica {
            name: f.string("name")?,
            count: f.int("count")?,
        })
    }
}

/// A `labels:` entry.
#[derive(Debug, Clone, Default)]
pub struct Label {
    pub pairs: BTreeMap<String, String>,
    pub include_selectors: bool,
    pub include_templates: bool,
    pub fields: Vec<FieldSpec>,
}

impl Label {
    pub(crate) fn decode(v: &Value, strict: bool) -> DResult<Label> {
        let f = Fields::of(
            v,
            &["pairs", "includeSelectors", "includeTemplates", "fields"],
            strict,
        )?;
        Ok(Label {
            pairs: f.string_map("pairs")?,
            include_selectors: f.boolean("includeSelectors")?,
            include_templates: f.boolean("includeTemplates")?,
            fields: f.list("fields", |x| FieldSpec::decode(x, strict))?,
        })
    }
}

/// `generatorOptions` (global or per generator).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GeneratorOptions {
    pub labels: Option<BTreeMap<String, String>>,
    pub annotations: Option<BTreeMap<String, String>>,
    pub disable_name_suffix_hash: bool,
    pub immutable: bool,
}

impl GeneratorOptions {
    pub(crate) fn decode(v: &Value, strict: bool) -> DResult<GeneratorOptions> {
        let f = Fields::of(
            v,
            &[
                "labels",
                "annotations",
                "disableNameSuffixHash",
                "immutable",
            ],
            strict,
        )?;
        Ok(GeneratorOptions {
            labels: f.opt_string_map("labels")?,
            annotations: f.opt_string_map("annotations")?,
            disable_name_suffix_hash: f.boolean("disableNameSuffixHash")?,
            immutable: f.boolean("immutable")?,
        })
    }

    /// kustomize `MergeGlobalOptionsIntoLocal`: local keys win, flags are or-ed.
    pub fn merge_global(
        local: Option<&GeneratorOptions>,
        global: Option<&GeneratorOptions>,
    ) -> Option<GeneratorOptions> {
        let Some(global) = global else {
            return local.cloned();
        };
        let mut out = local.cloned().unwrap_or_default();
        for (mine, theirs) in [
            (&mut out.labels, &global.labels),
            (&mut out.annotations, &global.annotations),
        ] {
            match (mine.as_mut(), theirs) {
                (None, Some(g)) => *mine = Some(g.clone()),
                (Some(m), Some(g)) => {
                    for (k, v) in g {
                        m.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                }
                _ => {}
            }
        }
        out.disable_name_suffix_hash |= global.disable_name_suffix_hash;
        out.immutable |= global.immutable;
        Some(out)
    }
}

/// A `configMapGenerator:` / `secretGenerator:` entry (also the generator plugins' config).
#[derive(Debug, Clone, Default)]
pub struct GeneratorArgs {
    pub name: String,
    pub namespace: String,
    pub behavior: String,
    pub literals: Vec<String>,
    pub files: Vec<String>,
    pub envs: Vec<String>,
    pub options: Option<GeneratorOptions>,
    /// Secret `type`.
    pub secret_type: String,
}

pub(crate) const GENERATOR_FIELDS: [&str; 9] = [
    "name",
    "namespace",
    "behavior",
    "literals",
    "files",
    "envs",
    "env",
    "options",
    "type",
];

impl GeneratorArgs {
    pub(crate) fn decode(v: &Value, strict: bool, secret: bool) -> DResult<GeneratorArgs> {
        let known: &[&str] = if secret {
            &GENERATOR_FIELDS
        } else {
            &GENERATOR_FIELDS[..8]
        };
        let f = Fields::of(v, known, strict)?;
        Self::from_fields(&f, strict)
    }

    pub(crate) fn from_fields(f: &Fields, strict: bool) -> DResult<GeneratorArgs> {
        let mut envs = f.strings("envs")?;
        let env = f.string("env")?;
        if !env.is_empty() {
            envs.push(env);
        }
        Ok(GeneratorArgs {
            name: f.string("name")?,
            namespace: f.string("namespace")?,
            behavior: f.string("behavior")?,
            literals: f.strings("literals")?,
            files: f.strings("files")?,
            envs,
            options: f.with("options", |o| GeneratorOptions::decode(o, strict))?,
            secret_type: f.string("type")?,
        })
    }
}

/// A `vars:` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Var {
    pub name: String,
    pub obj_ref: IdSelector,
    pub field_path: String,
}

impl Var {
    pub(crate) fn decode(v: &Value, strict: bool) -> DResult<Var> {
        let f = Fields::of(v, &["name", "objref", "fieldref"], strict)?;
        let obj_ref = f
            .with("objref", |o| {
                let mut known = ID_FIELDS.to_vec();
                known.push("apiVersion");
                let of = Fields::of(o, &known, strict)?;
                let mut id = IdSelector::from_fields(&of)?;
                let api_version = of.string("apiVersion")?;
                if !api_version.is_empty() {
                    let parts: Vec<&str> = api_version.split('/').collect();
                    match parts.as_slice() {
                        [g, v] => {
                            id.group = (*g).to_string();
                            id.version = (*v).to_string();
                        }
                        [v] => id.version = (*v).to_string(),
                        _ => {}
                    }
                }
                Ok(id)
            })?
            .unwrap_or_default();
        let field_path = f
            .with("fieldref", |r| {
                Fields::of(r, &["fieldPath"], strict)?.string("fieldPath")
            })?
            .unwrap_or_default();
        Ok(Var {
            name: f.string("name")?,
            obj_ref,
            field_path: if field_path.is_empty() {
                "metadata.name".to_string()
            } else {
                field_path
            },
        })
    }
}

/// `options` of a replacement source or target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldOptions {
    pub delimiter: String,
    pub index: i64,
    pub encoding: String,
    pub create: bool,
}

impl FieldOptions {
    fn decode(v: &Value, strict: bool) -> DResult<FieldOptions> {
        let f = Fields::of(v, &["delimiter", "index", "encoding", "create"], strict)?;
        Ok(FieldOptions {
            delimiter: f.string("delimiter")?,
            index: f.int("index")?,
            encoding: f.string("encoding")?,
            create: f.boolean("create")?,
        })
    }
}

/// The source of a replacement.
#[derive(Debug, Clone, Default)]
pub struct SourceSelector {
    pub id: IdSelector,
    pub field_path: String,
    pub options: Option<FieldOptions>,
}

/// One target of a replacement.
#[derive(Debug, Clone, Default)]
pub struct TargetSelector {
    pub select: Option<Selector>,
    pub reject: Vec<Selector>,
    pub field_paths: Vec<String>,
    pub options: Option<FieldOptions>,
}

/// A replacement: copy the value at the source into every target field.
#[derive(Debug, Clone, Default)]
pub struct Replacement {
    pub source: Option<SourceSelector>,
    pub targets: Option<Vec<TargetSelector>>,
}

/// A `replacements:` entry: inline, or a `path:` to a file of replacements.
#[derive(Debug, Clone, Default)]
pub struct ReplacementField {
    pub replacement: Replacement,
    pub path: String,
}

impl Replacement {
    pub(crate) fn decode(v: &Value, strict: bool) -> DResult<Replacement> {
        let f = Fields::of(v, &["source", "targets"], strict)?;
        Self::from_fields(&f, strict)
    }

    fn from_fields(f: &Fields, strict: bool) -> DResult<Replacement> {
        let source = f.with("source", |s| {
            let mut known = ID_FIELDS.to_vec();
            known.extend(["fieldPath", "options"]);
            let sf = Fields::of(s, &known, strict)?;
            Ok(SourceSelector {
                id: IdSelector::from_fields(&sf)?,
                field_path: sf.string("fieldPath")?,
                options: sf.with("options", |o| FieldOptions::decode(o, strict))?,
            })
        })?;
        let targets = f.with("targets", |t| {
            list(t, |x| {
                let tf = Fields::of(x, &["select", "reject", "fieldPaths", "options"], strict)?;
                Ok(TargetSelector {
                    select: tf.with("select", |s| Selector::decode(s, strict))?,
                    reject: tf.list("reject", |r| Selector::decode(r, strict))?,
                    field_paths: tf.strings("fieldPaths")?,
                    options: tf.with("options", |o| FieldOptions::decode(o, strict))?,
                })
            })
        })?;
        Ok(Replacement { source, targets })
    }
}

impl ReplacementField {
    pub(crate) fn decode(v: &Value, strict: bool) -> DResult<ReplacementField> {
        let f = Fields::of(v, &["source", "targets", "path"], strict)?;
        Ok(ReplacementField {
            replacement: Replacement::from_fields(&f, strict)?,
            path: f.string("path")?,
        })
    }
}

/// `sortOptions`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SortOptions {
    pub order: String,
    /// (orderFirst, orderLast) of `legacySortOptions`.
    pub legacy: Option<(Vec<String>, Vec<String>)>,
}

impl SortOptions {
    pub(crate) fn decode(v: &Value, strict: bool) -> DResult<SortOptions> {
        let f = Fields::of(v, &["order", "legacySortOptions"], strict)?;
        Ok(SortOptions {
            order: f.string("order")?,
            legacy: f.with("legacySortOptions", |l| {
                let lf = Fields::of(l, &["orderFirst", "orderLast"], strict)?;
                Ok((lf.strings("orderFirst")?, lf.strings("orderLast")?))
            })?,
        })
    }
}

/// `helmGlobals`.
#[derive(Debug, Clone, Default)]
pub struct HelmGlobals {
    pub chart_home: String,
}

impl HelmGlobals {
    pub(crate) fn decode(v: &Value, strict: bool) -> DResult<HelmGlobals> {
        // `configHome` is helm's own configuration directory: nothing to do without helm.
        let f = Fields::of(v, &["chartHome", "configHome"], strict)?;
        Ok(HelmGlobals {
            chart_home: f.string("chartHome")?,
        })
    }
}

/// A `helmCharts:` entry (kustomize's `HelmChart`).
#[derive(Debug, Clone, Default)]
pub struct HelmChart {
    pub name: String,
    pub version: String,
    pub repo: String,
    pub release_name: String,
    pub namespace: String,
    pub additional_values_files: Vec<String>,
    pub values_file: String,
    pub values_inline: Option<Value>,
    pub values_merge: String,
    pub include_crds: bool,
    pub skip_hooks: bool,
    pub api_versions: Vec<String>,
    pub kube_version: String,
    pub name_template: String,
    pub skip_tests: bool,
    pub debug: bool,
}

pub(crate) const HELM_CHART_FIELDS: [&str; 16] = [
    "name",
    "version",
    "repo",
    "releaseName",
    "namespace",
    "additionalValuesFiles",
    "valuesFile",
    "valuesInline",
    "valuesMerge",
    "includeCRDs",
    "skipHooks",
    "apiVersions",
    "kubeVersion",
    "nameTemplate",
    "skipTests",
    "debug",
];

impl HelmChart {
    pub(crate) fn decode(v: &Value, strict: bool) -> DResult<HelmChart> {
        let f = Fields::of(v, &HELM_CHART_FIELDS, strict)?;
        Self::from_fields(&f)
    }

    pub(crate) fn from_fields(f: &Fields) -> DResult<HelmChart> {
        Ok(HelmChart {
            name: f.string("name")?,
            version: f.string("version")?,
            repo: f.string("repo")?,
            release_name: f.string("releaseName")?,
            namespace: f.string("namespace")?,
            additional_values_files: f.strings("additionalValuesFiles")?,
            values_file: f.string("valuesFile")?,
            values_inline: f.get("valuesInline").cloned(),
            values_merge: f.string("valuesMerge")?,
            include_crds: f.boolean("includeCRDs")?,
            skip_hooks: f.boolean("skipHooks")?,
            api_versions: f.strings("apiVersions")?,
            kube_version: f.string("kubeVersion")?,
            name_template: f.string("nameTemplate")?,
            skip_tests: f.boolean("skipTests")?,
            debug: f.boolean("debug")?,
        })
    }

    /// The deprecated `helmChartInflationGenerator` entry: the chart, and its chart home.
    pub(crate) fn decode_legacy(v: &Value, strict: bool) -> DResult<(HelmChart, String, String)> {
        let f = Fields::of(
            v,
            &[
                "chartName",
                "chartVersion",
                "chartRepoUrl",
                "chartHome",
                "chartRepoName",
                "helmBin",
                "helmHome",
                "values",
                "valuesLocal",
                "valuesMerge",
                "releaseName",
                "releaseNamespace",
                "extraArgs",
            ],
            strict,
        )?;
        let chart = HelmChart {
            name: f.string("chartName")?,
            version: f.string("chartVersion")?,
            repo: f.string("chartRepoUrl")?,
            values_file: f.string("values")?,
            values_inline: f.get("valuesLocal").cloned(),
            values_merge: f.string("valuesMerge")?,
            release_name: f.string("releaseName")?,
            ..Default::default()
        };
        Ok((chart, f.string("chartHome")?, f.string("helmHome")?))
    }
}
