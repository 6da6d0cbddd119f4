//! The `kustomization.yaml` model, read as kustomize reads it: YAML 1.1 (`sigs.k8s.io/yaml`,
//! so a repeated key's last value wins), then a strict JSON-style decode (field names match
//! case-insensitively, unknown fields are errors at any depth, a number never fills a string).
//! Deprecated fields are folded into their replacements as kustomize's `FixKustomization`
//! does; positions are kept so errors and findings point at the entry.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::KustomizeError;
use crate::decode::{DecodeError, Fields};
use crate::types::{
    GeneratorArgs, GeneratorOptions, HelmChart, HelmGlobals, Image, Label, Patch, ReplacementField,
    Replica, SortOptions, Var,
};
use kyaml::{Dialect, PathSeg, Value};

/// Names kustomize accepts for the file, in the order it looks for them.
pub const FILE_NAMES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

const KUSTOMIZATION_VERSION: &str = "kustomize.config.k8s.io/v1beta1";
const COMPONENT_VERSION: &str = "kustomize.config.k8s.io/v1alpha1";

const FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "openapi",
    "namePrefix",
    "nameSuffix",
    "namespace",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "patchesStrategicMerge",
    "patchesJson6902",
    "patches",
    "images",
    "imageTags",
    "replacements",
    "replicas",
    "vars",
    "sortOptions",
    "resources",
    "components",
    "crds",
    "bases",
    "configMapGenerator",
    "secretGenerator",
    "helmGlobals",
    "helmCharts",
    "helmChartInflationGenerator",
    "generatorOptions",
    "configurations",
    "generators",
    "transformers",
    "validators",
    "buildMetadata",
];

/// A loaded kustomization file.
#[derive(Debug, Clone, Default)]
pub struct Kustomization {
    pub dir: PathBuf,
    /// Path of the file, for messages.
    pub file: PathBuf,
    /// `kustomization.yaml`, `kustomization.yml` or `Kustomization`.
    pub file_name: String,
    pub src: String,
    pub is_component: bool,
    pub kind: String,
    pub openapi: BTreeMap<String, String>,
    pub name_prefix: String,
    pub name_suffix: String,
    pub namespace: String,
    pub common_labels: BTreeMap<String, String>,
    pub labels: Vec<Label>,
    pub common_annotations: BTreeMap<String, String>,
    pub patches_strategic_merge: Vec<String>,
    pub patches_json6902: Vec<Patch>,
    pub patches: Vec<Patch>,
    pub images: Vec<Image>,
    pub replacements: Vec<ReplacementField>,
    pub replicas: Vec<Replica>,
    pub vars: Vec<Var>,
    pub sort_options: Option<SortOptions>,
    /// `resources` then `bases`, with the list and index each came from.
    pub resources: Vec<(String, &'static str, usize)>,
    pub components: Vec<String>,
    pub crds: Vec<String>,
    pub config_map_generator: Vec<GeneratorArgs>,
    pub secret_generator: Vec<GeneratorArgs>,
    pub helm_globals: Option<HelmGlobals>,
    pub helm_charts: Vec<HelmChart>,
    pub generator_options: Option<GeneratorOptions>,
    pub configurations: Vec<String>,
    pub generators: Vec<String>,
    pub transformers: Vec<String>,
    pub validators: Vec<String>,
    pub build_metadata: Vec<String>,
    /// kustomize's deprecation notices for the fields this file uses.
    pub warnings: Vec<&'static str>,
    /// (canonical field name, spelling in the file) where they differ.
    spelling: Vec<(String, String)>,
}

const WARN_BASES: &str = "# Warning: 'bases' is deprecated. Please use 'resources' instead. Run 'kustomize edit fix' to update your Kustomization automatically.";
const WARN_COMMON_LABELS: &str = "# Warning: 'commonLabels' is deprecated. Please use 'labels' instead. Run 'kustomize edit fix' to update your Kustomization automatically.";
const WARN_IMAGE_TAGS: &str = "# Warning: 'imageTags' is deprecated. Please use 'images' instead. Run 'kustomize edit fix' to update your Kustomization automatically.";
const WARN_JSON6902: &str = "# Warning: 'patchesJson6902' is deprecated. Please use 'patches' instead. Run 'kustomize edit fix' to update your Kustomization automatically.";
const WARN_SM: &str = "# Warning: 'patchesStrategicMerge' is deprecated. Please use 'patches' instead. Run 'kustomize edit fix' to update your Kustomization automatically.";
const WARN_VARS: &str = "# Warning: 'vars' is deprecated. Please use 'replacements' instead. [EXPERIMENTAL] Run 'kustomize edit fix' to update your Kustomization automatically.";

/// The kustomization file in `dir`: `Ok(None)` when there is none.
pub fn find_file(dir: &Path) -> Result<Option<PathBuf>, KustomizeError> {
    let found: Vec<PathBuf> = FILE_NAMES
        .iter()
        .map(|n| dir.join(n))
        .filter(|p| p.is_file())
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        _ => Err(KustomizeError::at(
            dir,
            None,
            "found multiple kustomization files; keep only one of kustomization.yaml, kustomization.yml, Kustomization",
        )),
    }
}

impl Kustomization {
    /// Finds and loads the kustomization file in `dir`.
    pub fn load(dir: &Path) -> Result<Kustomization, KustomizeError> {
        if !dir.is_dir() {
            return Err(KustomizeError::at(
                dir,
                None,
                format!(
                    "must build at directory: not a valid directory: '{}': no such file or directory",
                    crate::display_path(dir)
                ),
            ));
        }
        let Some(file) = find_file(dir)? else {
            return Err(KustomizeError::at(
                dir,
                None,
                format!(
                    "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{}'",
                    crate::display_path(dir)
                ),
            ));
        };
        let src = super::read_text(&file)?;
        Self::from_text(dir, &file, src)
    }

    /// Parses kustomization text read from `file` in `dir`.
    pub fn from_text(
        dir: &Path,
        file: &Path,
        src: String,
    ) -> Result<Kustomization, KustomizeError> {
        let docs = kyaml::parse_documents(&src, Dialect::Helm)
            .map_err(|e| KustomizeError::yaml(file, &e))?;
        let mut docs: Vec<_> = docs.into_iter().filter(|d| !d.value.is_null()).collect();
        if docs.len() > 1 {
            return Err(KustomizeError::at(
                file,
                Some(docs[1].start.line),
                "a kustomization file must hold one YAML document",
            ));
        }
        let value = docs.pop().map(|d| d.value).unwrap_or(Value::Null);
        let mut k = Kustomization {
            dir: dir.to_path_buf(),
            file: file.to_path_buf(),
            file_name: file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            src,
            ..Default::default()
        };
        if !matches!(value, Value::Map(_) | Value::Null) {
            return Err(KustomizeError::at(
                file,
                Some(1),
                "invalid Kustomization: a kustomization must be a map of fields",
            ));
        }
        k.decode(&value).map_err(|e| k.decode_error(&e))?;
        Ok(k)
    }

    fn decode_error(&self, e: &DecodeError) -> KustomizeError {
        let path = e.locate_path();
        let line = kyaml::locate(&self.src, 0, &path).map(|p| p.line);
        let at = e
            .path
            .iter()
            .map(|s| match s {
                crate::decode::Seg::Key(k) => k.clone(),
                crate::decode::Seg::Index(i) => format!("[{i}]"),
            })
            .collect::<Vec<_>>()
            .join(".")
            .replace(".[", "[");
        let msg = if at.is_empty() || e.message.starts_with("unknown field") {
            format!("invalid Kustomization: {}", e.message)
        } else {
            format!("invalid Kustomization: {at}: {}", e.message)
        };
        KustomizeError::at(&self.file, line, msg)
    }

    fn decode(&mut self, value: &Value) -> Result<(), DecodeError> {
        let f = Fields::of(value, FIELDS, true)?;
        for name in FIELDS {
            let spelled = f.spelling(name);
            if f.has(name) && spelled != *name {
                self.spelling.push((name.to_string(), spelled.to_string()));
            }
        }
        let api_version = f.string("apiVersion")?;
        self.kind = f.string("kind")?;
        if f.has("metadata") {
            f.with("metadata", |m| {
                Fields::of(m, &["name", "namespace", "labels", "annotations"], true).map(|_| ())
            })?;
        }
        self.openapi = f.string_map("openapi")?;
        self.name_prefix = f.string("namePrefix")?;
        self.name_suffix = f.string("nameSuffix")?;
        self.namespace = f.string("namespace")?;
        let common_labels = f.opt_string_map("commonLabels")?;
        self.labels = f.list("labels", |x| Label::decode(x, true))?;
        self.common_annotations = f.string_map("commonAnnotations")?;
        let psm = f.opt_strings("patchesStrategicMerge")?;
        let pj = f.with("patchesJson6902", |v| {
            crate::decode::list(v, |x| Patch::decode(x, true))
        })?;
        self.patches = f.list("patches", |x| Patch::decode(x, true))?;
        self.images = f.list("images", |x| Image::decode(x, true))?;
        let image_tags = f.with("imageTags", |v| {
            crate::decode::list(v, |x| Image::decode(x, true))
        })?;
        self.replacements = f.list("replacements", |x| ReplacementField::decode(x, true))?;
        self.replicas = f.list("replicas", |x| Replica::decode(x, true))?;
        let vars = f.with("vars", |v| crate::decode::list(v, |x| Var::decode(x, true)))?;
        self.sort_options = f.with("sortOptions", |v| SortOptions::decode(v, true))?;
        for (i, r) in f.strings("resources")?.into_iter().enumerate() {
            self.resources.push((r, "resources", i));
        }
        let bases = f.opt_strings("bases")?;
        for (i, r) in bases.iter().flatten().enumerate() {
            self.resources.push((r.clone(), "bases", i));
        }
        self.components = f.strings("components")?;
        self.crds = f.strings("crds")?;
        self.config_map_generator = f.list("configMapGenerator", |x| {
            GeneratorArgs::decode(x, true, false)
        })?;
        self.secret_generator =
            f.list("secretGenerator", |x| GeneratorArgs::decode(x, true, true))?;
        self.helm_globals = f.with("helmGlobals", |v| HelmGlobals::decode(v, true))?;
        self.helm_charts = f.list("helmCharts", |x| HelmChart::decode(x, true))?;
        let legacy = f.list("helmChartInflationGenerator", |x| {
            HelmChart::decode_legacy(x, true)
        })?;
        self.generator_options =
            f.with("generatorOptions", |v| GeneratorOptions::decode(v, true))?;
        self.configurations = f.strings("configurations")?;
        self.generators = f.strings("generators")?;
        self.transformers = f.strings("transformers")?;
        self.validators = f.strings("validators")?;
        self.build_metadata = f.strings("buildMetadata")?;

        // Deprecations, in kustomize's order.
        for (used, w) in [
            (bases.is_some(), WARN_BASES),
            (common_labels.is_some(), WARN_COMMON_LABELS),
            (image_tags.is_some(), WARN_IMAGE_TAGS),
            (pj.is_some(), WARN_JSON6902),
            (psm.is_some(), WARN_SM),
            (vars.is_some(), WARN_VARS),
        ] {
            if used {
                self.warnings.push(w);
            }
        }
        self.common_labels = common_labels.unwrap_or_default();
        self.patches_strategic_merge = psm.unwrap_or_default();
        self.patches_json6902 = pj.unwrap_or_default();
        self.images.extend(image_tags.unwrap_or_default());
        self.vars = vars.unwrap_or_default();
        let (mut chart_home, mut config_home) = (String::new(), String::new());
        for (chart, home, helm_home) in legacy {
            self.helm_charts.push(chart);
            if !home.is_empty() {
                chart_home = home;
            }
            if !helm_home.is_empty() {
                config_home = helm_home;
            }
        }
        if self.helm_globals.is_none() && (!chart_home.is_empty() || !config_home.is_empty()) {
            self.helm_globals = Some(HelmGlobals { chart_home });
        }

        // FixKustomization, CheckEmpty and EnforceFields.
        if self.kind.is_empty() {
            self.kind = "Kustomization".to_string();
        }
        self.is_component = self.kind == "Component";
        let empty = f
            .found_names()
            .iter()
            .all(|n| matches!(*n, "apiVersion" | "kind"));
        if empty {
            return Err(DecodeError::new("kustomization.yaml is empty"));
        }
        let mut errs = Vec::new();
        if self.kind != "Kustomization" && self.kind != "Component" {
            errs.push("kind should be Kustomization or Component".to_string());
        }
        let required = if self.is_component {
            COMPONENT_VERSION
        } else {
            KUSTOMIZATION_VERSION
        };
        if !api_version.is_empty() && api_version != required {
            errs.push(format!("apiVersion for {} should be {required}", self.kind));
        }
        if !errs.is_empty() {
            return Err(DecodeError::new(format!(
                "Failed to read kustomization file under {}:\n{}",
                crate::display_path(&self.dir),
                errs.join("\n")
            )));
        }
        Ok(())
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

    /// Line of entry `index` of list `field`.
    pub fn entry_line(&self, field: &str, index: usize) -> Option<u32> {
        self.line_of(&[PathSeg::Key(field), PathSeg::Index(index)])
            .or_else(|| self.line_of(&[PathSeg::Key(field)]))
    }
}

impl Fields<'_> {
    /// The canonical names of the fields present.
    pub(crate) fn found_names(&self) -> Vec<&'static str> {
        FIELDS.iter().copied().filter(|n| self.has(n)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<Kustomization, KustomizeError> {
        Kustomization::from_text(
            Path::new("d"),
            Path::new("d/kustomization.yaml"),
            src.into(),
        )
    }

    #[test]
    fn unknown_fields_are_errors_at_any_depth() {
        let e = parse("resources: [a.yaml]\npatchesStrategicMerg: []\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(
            e.message.contains("unknown field \"patchesStrategicMerg\""),
            "{e}"
        );
        let e = parse("labels:\n- pairs: {a: b}\n  includeSelector: true\n").unwrap_err();
        assert!(
            e.message.contains("unknown field \"includeSelector\""),
            "{e}"
        );
    }

    #[test]
    fn the_last_repeated_key_wins() {
        let k = parse("namePrefix: a-\nnamePrefix: b-\nresources: [x.yaml]\n").unwrap();
        assert_eq!(k.name_prefix, "b-");
    }

    #[test]
    fn deprecated_fields_fold_into_their_replacements() {
        let k = parse("resources: [a]\nbases: [b]\nimageTags: [{name: x, newTag: '1'}]\n").unwrap();
        let r: Vec<&str> = k.resources.iter().map(|(s, _, _)| s.as_str()).collect();
        assert_eq!(r, ["a", "b"]);
        assert_eq!(k.images.len(), 1);
        assert_eq!(k.warnings, [WARN_BASES, WARN_IMAGE_TAGS]);
    }

    #[test]
    fn components_need_their_api_version_and_files_need_content() {
        let e =
            parse("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Component\nresources: [a]\n")
                .unwrap_err();
        assert!(
            e.message
                .contains("apiVersion for Component should be kustomize.config.k8s.io/v1alpha1"),
            "{e}"
        );
        let e = parse("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n")
            .unwrap_err();
        assert!(e.message.contains("kustomization.yaml is empty"), "{e}");
    }
}
