//! The `kustomization.yaml` model: the fields `vendor build` supports, read from the decoded
//! YAML with their positions kept for diagnostics. Field names match case-insensitively, as
//! Go's JSON decoding (which kustomize uses) does; unknown fields are errors.

use std::path::{Path, PathBuf};

use super::KustomizeError;
use kyaml::{Dialect, PathSeg, Value};

/// Names kustomize accepts for the file, in the order it looks for them.
pub const FILE_NAMES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// A loaded kustomization file.
#[derive(Debug, Clone)]
pub struct Kustomization {
    pub dir: PathBuf,
    /// Path of the file, for messages.
    pub file: PathBuf,
    pub src: String,
    pub value: Value,
    pub is_component: bool,
    /// (canonical field name, spelling in the file) where they differ.
    spelling: Vec<(String, String)>,
}

/// One `patches:` / `patchesJson6902:` entry.
#[derive(Debug, Clone, Default)]
pub struct PatchEntry {
    pub path: Option<String>,
    pub patch: Option<String>,
    pub target: Option<Selector>,
    pub allow_name_change: bool,
    pub allow_kind_change: bool,
    /// Which list and index the entry comes from, to point diagnostics at it.
    pub field: &'static str,
    pub index: usize,
}

/// A patch target selector; each string is a regular expression matched against the whole value.
#[derive(Debug, Clone, Default)]
pub struct Selector {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub label_selector: String,
    pub annotation_selector: String,
}

impl Selector {
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("group", &self.group),
            ("version", &self.version),
            ("kind", &self.kind),
            ("name", &self.name),
            ("namespace", &self.namespace),
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

/// An `images:` entry.
#[derive(Debug, Clone, Default)]
pub struct ImageEntry {
    pub name: String,
    pub new_name: String,
    pub new_tag: String,
    pub digest: String,
    pub index: usize,
}

/// A `labels:` entry.
#[derive(Debug, Clone, Default)]
pub struct LabelEntry {
    pub pairs: Vec<(String, String)>,
    pub include_selectors: bool,
    pub include_templates: bool,
}

/// A `configMapGenerator:` / `secretGenerator:` entry (with `generatorOptions` folded in).
#[derive(Debug, Clone, Default)]
pub struct GeneratorEntry {
    pub name: String,
    pub namespace: String,
    pub behavior: String,
    pub files: Vec<String>,
    pub literals: Vec<String>,
    pub envs: Vec<String>,
    pub kind_type: String,
    pub labels: Vec<(String, String)>,
    pub annotations: Vec<(String, String)>,
    pub disable_hash: bool,
    pub immutable: bool,
    pub index: usize,
}

const KNOWN_FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "resources",
    "bases",
    "components",
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "namespace",
    "namePrefix",
    "nameSuffix",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "images",
    "replicas",
    "configMapGenerator",
    "secretGenerator",
    "generatorOptions",
    "helmCharts",
    "helmGlobals",
    "helmChartInflationGenerator",
    "crds",
    "configurations",
    "generators",
    "transformers",
    "validators",
    "vars",
    "replacements",
    "openapi",
    "sortOptions",
    "buildMetadata",
];

/// Fields kustomize knows that `vendor build` does not implement: an error names them.
const UNSUPPORTED: &[(&str, &str)] = &[
    (
        "helmCharts",
        "render the chart with a [chart.NAME] entry in vendor.toml and list the rendered files as resources",
    ),
    (
        "helmChartInflationGenerator",
        "render the chart with a [chart.NAME] entry in vendor.toml and list the rendered files as resources",
    ),
    (
        "generators",
        "generator plugins are not supported; vendor the generated output instead",
    ),
    (
        "transformers",
        "transformer plugins are not supported; express the change as a patch",
    ),
    ("validators", "validator plugins are not supported"),
    (
        "replacements",
        "replacements are not supported yet; use a patch",
    ),
    ("vars", "vars are not supported; use a patch"),
    (
        "configurations",
        "custom transformer configurations are not supported",
    ),
    ("crds", "custom CRD configurations are not supported"),
    ("openapi", "a custom OpenAPI schema is not supported"),
    (
        "sortOptions",
        "custom output order is not supported; vendor build uses kustomize's default (legacy) order",
    ),
    (
        "buildMetadata",
        "build metadata annotations are not supported",
    ),
];

impl Kustomization {
    /// Finds and loads the kustomization file in `dir`.
    pub fn load(dir: &Path) -> Result<Kustomization, KustomizeError> {
        let found: Vec<PathBuf> = FILE_NAMES
            .iter()
            .map(|n| dir.join(n))
            .filter(|p| p.is_file())
            .collect();
        let file = match found.as_slice() {
            [] => {
                return Err(KustomizeError::at(
                    dir,
                    None,
                    format!(
                        "no kustomization file found in this directory (looked for {})",
                        FILE_NAMES.join(", ")
                    ),
                ));
            }
            [one] => one.clone(),
            _ => {
                return Err(KustomizeError::at(
                    dir,
                    None,
                    "found multiple kustomization files; keep only one of kustomization.yaml, kustomization.yml, Kustomization",
                ));
            }
        };
        let src = super::read_text(&file)?;
        let docs = kyaml::parse_documents(&src, Dialect::Kube)
            .map_err(|e| KustomizeError::yaml(&file, &e))?;
        let mut docs: Vec<_> = docs.into_iter().filter(|d| !d.value.is_null()).collect();
        if docs.len() > 1 {
            return Err(KustomizeError::at(
                &file,
                Some(docs[1].start.line),
                "a kustomization file must hold one YAML document",
            ));
        }
        let value = docs
            .pop()
            .map(|d| d.value)
            .unwrap_or(Value::Map(Default::default()));
        let Value::Map(map) = value else {
            return Err(KustomizeError::at(
                &file,
                Some(1),
                "a kustomization must be a map of fields",
            ));
        };
        // Normalise field names case-insensitively (Go's encoding/json does).
        let mut norm = kyaml::Map::new();
        let mut spelling = Vec::new();
        for (k, v) in map {
            let canon = KNOWN_FIELDS
                .iter()
                .find(|f| f.eq_ignore_ascii_case(&k))
                .copied();
            match canon {
                Some(c) => {
                    if c != k {
                        spelling.push((c.to_string(), k.clone()));
                    }
                    norm.insert(c.to_string(), v);
                }
                None => {
                    let line = kyaml::locate(&src, 0, &[PathSeg::Key(&k)]).map(|p| p.line);
                    return Err(KustomizeError::at(
                        &file,
                        line,
                        format!("unknown field `{k}` in kustomization"),
                    ));
                }
            }
        }
        let kind = norm
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("Kustomization")
            .to_string();
        let k = Kustomization {
            dir: dir.to_path_buf(),
            file,
            src,
            value: Value::Map(norm),
            is_component: kind == "Component",
            spelling,
        };
        for (field, help) in UNSUPPORTED {
            if k.value
                .get(field)
                .is_some_and(|v| !v.is_null() && !is_empty(v))
            {
                return Err(KustomizeError::at(
                    &k.file,
                    k.line_of(&[PathSeg::Key(field)]),
                    format!("`{field}` is not supported by vendor build"),
                )
                .with_help(*help));
            }
        }
        if !matches!(kind.as_str(), "Kustomization" | "Component") {
            return Err(KustomizeError::at(
                &k.file,
                k.line_of(&[PathSeg::Key("kind")]),
                format!("unknown kustomization kind `{kind}`"),
            ));
        }
        Ok(k)
    }

    /// Line of a path in the file (1-based), if it exists.
    pub fn line_of(&self, path: &[PathSeg]) -> Option<u32> {
        let mut p: Vec<PathSeg> = path.to_vec();
        if let Some(PathSeg::Key(k)) = p.first().copied()
            && let Some((_, orig)) = self.spelling.iter().find(|(c, _)| c == k)
        {
            p[0] = PathSeg::Key(orig.as_str());
        }
        kyaml::locate(&self.src, 0, &p).map(|p| p.line)
    }

    pub fn get(&self, field: &str) -> Option<&Value> {
        self.value.get(field).filter(|v| !v.is_null())
    }

    pub fn string(&self, field: &str) -> Result<String, KustomizeError> {
        match self.get(field) {
            None => Ok(String::new()),
            Some(v) => scalar_string(v).ok_or_else(|| self.type_error(field, "a string")),
        }
    }

    fn type_error(&self, field: &str, want: &str) -> KustomizeError {
        KustomizeError::at(
            &self.file,
            self.line_of(&[PathSeg::Key(field)]),
            format!("`{field}` must be {want}"),
        )
    }

    /// A list of strings.
    pub fn strings(&self, field: &str) -> Result<Vec<String>, KustomizeError> {
        match self.get(field) {
            None => Ok(Vec::new()),
            Some(Value::Seq(items)) => items
                .iter()
                .map(|v| {
                    scalar_string(v).ok_or_else(|| self.type_error(field, "a list of strings"))
                })
                .collect(),
            Some(_) => Err(self.type_error(field, "a list of strings")),
        }
    }

    /// A map of strings (`commonLabels`, `commonAnnotations`).
    pub fn string_map(&self, field: &str) -> Result<Vec<(String, String)>, KustomizeError> {
        match self.get(field) {
            None => Ok(Vec::new()),
            Some(v) => string_pairs(v).ok_or_else(|| self.type_error(field, "a map of strings")),
        }
    }

    /// `resources` followed by `bases` (kustomize appends the deprecated `bases`).
    pub fn resources(&self) -> Result<Vec<(String, &'static str, usize)>, KustomizeError> {
        let mut out: Vec<(String, &'static str, usize)> = Vec::new();
        for field in ["resources", "bases"] {
            for (i, s) in self.strings(field)?.into_iter().enumerate() {
                out.push((s, field, i));
            }
        }
        Ok(out)
    }

    pub fn patches(&self) -> Result<Vec<PatchEntry>, KustomizeError> {
        let mut out = Vec::new();
        for field in ["patches", "patchesJson6902"] {
            let Some(v) = self.get(field) else { continue };
            let items = v.as_seq().ok_or_else(|| self.type_error(field, "a list"))?;
            for (index, item) in items.iter().enumerate() {
                let err = |msg: &str| {
                    KustomizeError::at(
                        &self.file,
                        self.line_of(&[PathSeg::Key(field), PathSeg::Index(index)]),
                        msg.to_string(),
                    )
                };
                let m = item
                    .as_map()
                    .ok_or_else(|| err("a patch entry must be a map with `path` or `patch`"))?;
                let mut e = PatchEntry {
                    field: if field == "patches" {
                        "patches"
                    } else {
                        "patchesJson6902"
                    },
                    index,
                    ..Default::default()
                };
                for (k, v) in m {
                    match k.to_ascii_lowercase().as_str() {
                        "path" => e.path = scalar_string(v),
                        "patch" => e.patch = scalar_string(v),
                        "target" => {
                            e.target = Some(
                                selector(v)
                                    .ok_or_else(|| err("`target` must be a map of strings"))?,
                            )
                        }
                        "options" => {
                            let opts = v.as_map().ok_or_else(|| err("`options` must be a map"))?;
                            e.allow_name_change = opts
                                .get("allowNameChange")
                                .is_some_and(|v| v == &Value::Bool(true));
                            e.allow_kind_change = opts
                                .get("allowKindChange")
                                .is_some_and(|v| v == &Value::Bool(true));
                        }
                        _ => return Err(err(&format!("unknown field `{k}` in a patch entry"))),
                    }
                }
                out.push(e);
            }
        }
        Ok(out)
    }

    pub fn images(&self) -> Result<Vec<ImageEntry>, KustomizeError> {
        let Some(v) = self.get("images") else {
            return Ok(Vec::new());
        };
        let items = v
            .as_seq()
            .ok_or_else(|| self.type_error("images", "a list"))?;
        items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                let m = item
                    .as_map()
                    .ok_or_else(|| self.type_error("images", "a list of maps"))?;
                let get = |k: &str| {
                    m.iter()
                        .find(|(x, _)| x.eq_ignore_ascii_case(k))
                        .and_then(|(_, v)| scalar_string(v))
                        .unwrap_or_default()
                };
                Ok(ImageEntry {
                    name: get("name"),
                    new_name: get("newName"),
                    new_tag: get("newTag"),
                    digest: get("digest"),
                    index,
                })
            })
            .collect()
    }

    pub fn replicas(&self) -> Result<Vec<(String, Value)>, KustomizeError> {
        let Some(v) = self.get("replicas") else {
            return Ok(Vec::new());
        };
        let items = v
            .as_seq()
            .ok_or_else(|| self.type_error("replicas", "a list"))?;
        items
            .iter()
            .map(|item| {
                let name = item
                    .get("name")
                    .and_then(scalar_string)
                    .ok_or_else(|| self.type_error("replicas", "a list of {name, count}"))?;
                let count = item.get("count").cloned().unwrap_or(Value::Int(0));
                Ok((name, count))
            })
            .collect()
    }

    pub fn labels(&self) -> Result<Vec<LabelEntry>, KustomizeError> {
        let Some(v) = self.get("labels") else {
            return Ok(Vec::new());
        };
        let items = v
            .as_seq()
            .ok_or_else(|| self.type_error("labels", "a list"))?;
        items
            .iter()
            .map(|item| {
                let pairs = item.get("pairs").and_then(string_pairs).unwrap_or_default();
                let flag = |k: &str| item.get(k) == Some(&Value::Bool(true));
                if item.get("fields").is_some() {
                    return Err(self
                        .type_error("labels", "entries without custom `fields` (not supported)"));
                }
                Ok(LabelEntry {
                    pairs,
                    include_selectors: flag("includeSelectors"),
                    include_templates: flag("includeTemplates"),
                })
            })
            .collect()
    }

    pub fn generators(&self, field: &str) -> Result<Vec<GeneratorEntry>, KustomizeError> {
        let Some(v) = self.get(field) else {
            return Ok(Vec::new());
        };
        let items = v.as_seq().ok_or_else(|| self.type_error(field, "a list"))?;
        let global = self.get("generatorOptions");
        items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                let list = |k: &str| -> Vec<String> {
                    item.get(k)
                        .and_then(Value::as_seq)
                        .map(|s| s.iter().filter_map(scalar_string).collect())
                        .unwrap_or_default()
                };
                let s = |k: &str| item.get(k).and_then(scalar_string).unwrap_or_default();
                let mut e = GeneratorEntry {
                    name: s("name"),
                    namespace: s("namespace"),
                    behavior: s("behavior"),
                    files: list("files"),
                    literals: list("literals"),
                    envs: list("envs"),
                    kind_type: s("type"),
                    index,
                    ..Default::default()
                };
                if let Some(env) = item.get("env").and_then(scalar_string) {
                    e.envs.insert(0, env);
                }
                // Global options first, local ones override (kustomize MergeGlobalOptionsIntoLocal).
                for opts in [global, item.get("options")].into_iter().flatten() {
                    if let Some(l) = opts.get("labels").and_then(string_pairs) {
                        merge_pairs(&mut e.labels, l);
                    }
                    if let Some(a) = opts.get("annotations").and_then(string_pairs) {
                        merge_pairs(&mut e.annotations, a);
                    }
                    if let Some(Value::Bool(b)) = opts.get("disableNameSuffixHash") {
                        e.disable_hash = *b;
                    }
                    if let Some(Value::Bool(b)) = opts.get("immutable") {
                        e.immutable = *b;
                    }
                }
                Ok(e)
            })
            .collect()
    }
}

fn merge_pairs(into: &mut Vec<(String, String)>, from: Vec<(String, String)>) {
    for (k, v) in from {
        if let Some(slot) = into.iter_mut().find(|(x, _)| *x == k) {
            slot.1 = v;
        } else {
            into.push((k, v));
        }
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Seq(s) => s.is_empty(),
        Value::Map(m) => m.is_empty(),
        _ => false,
    }
}

/// A scalar as the string Go would decode it into.
pub fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Float(f) => Some(f.to_string()),
        _ => None,
    }
}

fn string_pairs(v: &Value) -> Option<Vec<(String, String)>> {
    v.as_map()?
        .iter()
        .map(|(k, v)| {
            Some((
                k.clone(),
                scalar_string(v).or_else(|| v.is_null().then(String::new))?,
            ))
        })
        .collect()
}

fn selector(v: &Value) -> Option<Selector> {
    let m = v.as_map()?;
    let mut s = Selector::default();
    for (k, v) in m {
        let text = scalar_string(v)?;
        match k.to_ascii_lowercase().as_str() {
            "group" => s.group = text,
            "version" => s.version = text,
            "kind" => s.kind = text,
            "name" => s.name = text,
            "namespace" => s.namespace = text,
            "labelselector" => s.label_selector = text,
            "annotationselector" => s.annotation_selector = text,
            _ => return None,
        }
    }
    Some(s)
}
