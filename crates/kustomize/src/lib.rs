//! A kustomize-compatible build (`kustomize build` / `kubectl kustomize`, v5.5.0) of
//! kustomization directories, byte for byte, with findings for patches that no longer apply.
//! Strategic merge and JSON6902 live in `k8s-patch`; YAML reading and writing in `kyaml`.
//! Exec, Go and KRM-function plugins and remote resources are refused (vendor them instead);
//! Helm charts are rendered by a [`ChartInflater`] the caller supplies.
//!
//! The pipeline follows kustomize's `KustTarget`: resources (recursively) -> transformer
//! configuration -> generators -> components -> transformers (patchesStrategicMerge, patches,
//! namespace, prefix, suffix, labels, annotations, patchesJson6902, replicas, images,
//! replacements, then `transformers:`) -> validators -> vars; then, at the top only, hash
//! suffixes, name-reference fixes, var references, the `local-config` filter, the output order
//! and `buildMetadata`.
//!
//! ```no_run
//! let out = kustomize::build(std::path::Path::new("overlay"), &kustomize::BuildOptions::default())?;
//! print!("{}", kustomize::render(&out));
//! for f in &out.findings {
//!     eprintln!("{:?} {}: {}", f.kind, f.file, f.message);
//! }
//! # Ok::<(), kustomize::KustomizeError>(())
//! ```

mod builtins;
mod config;
mod ctx;
mod decode;
mod fieldpath;
mod files;
mod finding;
mod kustomization;
mod namerefs;
mod origin;
mod resmap;
mod resource;
mod target;
mod types;
mod vars;

use std::path::{Component, Path, PathBuf};

use kyaml::{Pos, Value};

pub use finding::{Finding, FindingKind};
pub use kustomization::FILE_NAMES;
use kustomization::Kustomization;
use resource::Res;
pub use resource::{Gvk, ResId};

/// Options of a build.
#[derive(Default)]
pub struct BuildOptions {
    /// Directory no file or kustomization may be read from outside of (the repository root).
    /// `None`: only kustomize's own rule applies (files must be under their kustomization).
    pub root: Option<PathBuf>,
    /// Prefix used to print paths in findings and errors (paths are shown relative to it).
    pub display_base: Option<PathBuf>,
    /// Resource files the caller has already decoded, by absolute normalized path: the build
    /// takes them from here instead of reading and parsing the file again.
    pub preparsed: Preparsed,
    /// kustomize's `--load-restrictor`.
    pub load_restrictor: LoadRestrictor,
    /// kustomize's `--enable-managedby-label`.
    pub add_managed_by_label: bool,
    /// kustomize's `--enable-helm`.
    pub enable_helm: bool,
    /// Renders `helmCharts:` (with `enable_helm`); without one, charts are an error.
    pub helm: Option<std::sync::Arc<dyn ChartInflater>>,
}

impl std::fmt::Debug for BuildOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuildOptions")
            .field("root", &self.root)
            .field("display_base", &self.display_base)
            .field("load_restrictor", &self.load_restrictor)
            .field("add_managed_by_label", &self.add_managed_by_label)
            .field("enable_helm", &self.enable_helm)
            .field("helm", &self.helm.is_some())
            .finish_non_exhaustive()
    }
}

/// Renders Helm charts for `helmCharts:` entries (kustomize's HelmChartInflationGenerator).
/// The build finds the chart, merges values and parses the output; the implementation only
/// fetches and renders, as `helm pull` and `helm template` would.
pub trait ChartInflater: Send + Sync {
    /// Renders the chart; returns the manifests as one YAML stream.
    fn template(&self, req: &HelmTemplate) -> Result<String, String>;
    /// Fetches a chart that is missing from `chartHome`; returns the directory holding it
    /// (anywhere: kustomize would untar it into `req.chart_home`, an implementation may keep
    /// it out of the repository).
    fn pull(&self, req: &HelmPull) -> Result<PathBuf, String>;
}

/// One `helm template` a build needs.
#[derive(Debug, Clone, PartialEq)]
pub struct HelmTemplate {
    /// The chart directory (`<chartHome>/<name>` or `<chartHome>/<name>-<version>/<name>`).
    pub chart_dir: PathBuf,
    /// `releaseName`; empty when the kustomization sets none.
    pub release_name: String,
    pub namespace: String,
    /// Values in `-f` order (the chart's own `values.yaml` is the base beneath them).
    pub values: Vec<HelmValues>,
    pub api_versions: Vec<String>,
    pub kube_version: String,
    pub include_crds: bool,
    pub skip_tests: bool,
    pub skip_hooks: bool,
    pub name_template: String,
    pub debug: bool,
}

/// One `-f` values input of a chart render.
#[derive(Debug, Clone, PartialEq)]
pub enum HelmValues {
    /// A values file, read as it is (`valuesFile`, `additionalValuesFiles`).
    File(PathBuf),
    /// `valuesInline` merged with the values file per `valuesMerge`; kustomize writes it to a
    /// file with Go's `yaml.Marshal`, which [`kyaml::to_string`] reproduces.
    Merged(Value),
}

/// A chart to fetch (`repo` + `version` set and not found under `chartHome`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelmPull {
    pub repo: String,
    pub name: String,
    pub version: String,
    /// Where kustomize would put it (`<chartHome>/<name>-<version>`).
    pub chart_home: PathBuf,
}

/// Where files may be loaded from (kustomize `--load-restrictor`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum LoadRestrictor {
    /// Files must be in or below the kustomization's directory.
    #[default]
    RootOnly,
    /// Any file may be read.
    None,
}

/// Decoded resource files handed to a build (see [`BuildOptions::preparsed`]). Each entry is
/// taken by the first build that reads the file.
#[derive(Debug, Default)]
pub struct Preparsed(std::sync::Mutex<std::collections::HashMap<PathBuf, PreparsedFile>>);

/// One decoded file: its documents in order.
#[derive(Debug, Clone)]
pub struct PreparsedFile {
    pub docs: Vec<ParsedDoc>,
}

/// A decoded document: its index in its file, and the text it was parsed from with its index
/// there. That text is needed (and must be given) only when the document holds a null: how a
/// null was spelled decides what patches do with it.
#[derive(Debug, Clone)]
pub struct ParsedDoc {
    pub document: kyaml::Document,
    pub index: usize,
    pub source: Option<(std::sync::Arc<str>, usize)>,
}

impl Preparsed {
    /// Offers a decoded file; `path` may be relative to the current directory.
    pub fn insert(&self, path: &Path, file: PreparsedFile) {
        let key = absolute(path);
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key, file);
    }

    fn take(&self, path: &Path) -> Option<PreparsedFile> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(path)
    }
}

/// `p` made absolute against the current directory and lexically normalized.
pub(crate) fn absolute(p: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|c| c.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    normalize(&joined)
}

/// One object of the build output: a manifest resource whose file, document and line are where
/// the object was read from (or, for generated objects, the kustomization that generated it).
pub use kyaml::manifest::Resource;

/// The result of a build: objects in output order, and findings about the patches and images.
#[derive(Debug, Clone, Default)]
pub struct BuildOutput {
    pub resources: Vec<Resource>,
    pub findings: Vec<Finding>,
    /// Deprecation notices kustomize prints (`patchesStrategicMerge`, `bases`, `commonLabels`...).
    pub warnings: Vec<String>,
}

/// Why a build failed. Every variant names the file (and line when known).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}", location(file, *line), message)]
pub struct KustomizeError {
    pub file: String,
    pub line: Option<u32>,
    pub message: String,
    pub help: Option<String>,
}

fn location(file: &str, line: Option<u32>) -> String {
    match line {
        Some(l) => format!("{file}:{l}: "),
        None if file.is_empty() => String::new(),
        None => format!("{file}: "),
    }
}

impl KustomizeError {
    pub fn at(file: &Path, line: Option<u32>, message: impl Into<String>) -> Self {
        KustomizeError {
            file: display_path(file),
            line,
            message: message.into(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub(crate) fn with_help_opt(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    pub(crate) fn yaml(file: &Path, e: &kyaml::YamlError) -> Self {
        let line = e.pos.map(|p| p.line);
        let msg = match e.pos {
            Some(p) => format!("invalid YAML (column {}): {}", p.column, e.message),
            None => format!("invalid YAML: {}", e.message),
        };
        KustomizeError::at(file, line, msg)
    }
}

thread_local! {
    static DISPLAY_BASE: std::cell::RefCell<Option<PathBuf>> = const { std::cell::RefCell::new(None) };
}

/// A path as shown in messages: relative to the display base when under it.
pub(crate) fn display_path(p: &Path) -> String {
    let rel = DISPLAY_BASE.with(|b| {
        b.borrow()
            .as_ref()
            .and_then(|base| p.strip_prefix(base).ok().map(Path::to_path_buf))
    });
    let s = rel
        .unwrap_or_else(|| p.to_path_buf())
        .to_string_lossy()
        .replace('\\', "/");
    if s.is_empty() { ".".to_string() } else { s }
}

pub(crate) fn read_text(path: &Path) -> Result<String, KustomizeError> {
    let bytes = std::fs::read(path)
        .map_err(|e| KustomizeError::at(path, None, format!("cannot read file: {e}")))?;
    String::from_utf8(bytes).map_err(|_| KustomizeError::at(path, None, "file is not valid UTF-8"))
}

/// Lexically normalises a path (`a/./b/../c` -> `a/c`) without touching the file system.
pub(crate) fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Builds the kustomization in `dir`.
pub fn build(dir: &Path, opts: &BuildOptions) -> Result<BuildOutput, KustomizeError> {
    let base = opts
        .display_base
        .as_deref()
        .map(absolute)
        .or_else(|| std::env::current_dir().ok());
    DISPLAY_BASE.with(|b| *b.borrow_mut() = base);
    let dir = absolute(dir);
    let root = opts.root.as_deref().map(absolute);
    let mut b = target::Builder::new(opts, root);
    let top = Kustomization::load(&dir)?;
    b.build_metadata = top.build_metadata.clone();
    let origin = (!top.build_metadata.is_empty()).then(origin::OriginAnno::default);
    let acc = b.accumulate_loaded(&top, None, origin, target::Acc::default())?;
    let err = |m: String| KustomizeError::at(&top.file, None, m);
    let mut resources = acc.res;
    builtins::Transformer::Hash.apply(
        &mut b,
        &mut resources,
        &builtins::Loc {
            file: top.file.clone(),
            line: None,
        },
    )?;
    namerefs::fix(&mut resources, &acc.config.name_reference).map_err(err)?;
    vars::resolve(&mut resources, &acc.vars, &acc.config.var_reference).map_err(err)?;
    resources.retain(|r| {
        r.meta_map("annotations")
            .get("config.kubernetes.io/local-config")
            .is_none_or(|v| v == "false")
    });
    builtins::sort::sort(&mut resources, top.sort_options.as_ref()).map_err(|m| {
        KustomizeError::at(
            &top.file,
            top.line_of(&[kyaml::PathSeg::Key("sortOptions")]),
            m,
        )
    })?;
    let has = |o: &str| top.build_metadata.iter().any(|x| x == o);
    if opts.add_managed_by_label || has("managedByLabel") {
        let mut entries = std::collections::BTreeMap::new();
        entries.insert(
            origin::MANAGED_BY_LABEL.to_string(),
            origin::MANAGED_BY_VALUE.to_string(),
        );
        builtins::meta::MapEntries {
            entries,
            field_specs: vec![config::FieldSpec::new("metadata/labels", true)],
        }
        .transform(&mut resources)
        .map_err(err)?;
    }
    let (keep_origin, keep_transformations) =
        (has("originAnnotations"), has("transformerAnnotations"));
    for r in &mut resources {
        finalize_annotations(r, keep_origin, keep_transformations);
    }
    let mut findings = b.findings;
    findings.sort_by(|a, b| (&a.file, a.pos).cmp(&(&b.file, b.pos)));
    Ok(BuildOutput {
        resources: resources
            .into_iter()
            .map(|r| Resource {
                value: r.value,
                file: r.origin.file,
                doc_index: r.origin.doc_index,
                start: kyaml::Pos {
                    line: r.origin.line,
                    column: 1,
                },
            })
            .collect(),
        findings,
        warnings: b.warnings,
    })
}

/// kustomize rewrites every object's annotations when it removes its bookkeeping ones:
/// values become their text, an empty map disappears; kept origin and transformer
/// annotations are written.
fn finalize_annotations(r: &mut Res, keep_origin: bool, keep_transformations: bool) {
    let mut ann = r.meta_map("annotations");
    if keep_origin && let Some(o) = &r.origin_anno {
        ann.insert(origin::ORIGIN_ANNOTATION.to_string(), o.to_yaml());
    }
    if keep_transformations && !r.transformations.is_empty() {
        ann.insert(
            origin::TRANSFORMATIONS_ANNOTATION.to_string(),
            origin::transformations_yaml(&r.transformations),
        );
    }
    let present = r.value.path(&["metadata", "annotations"]).is_some();
    if !ann.is_empty() || present {
        r.set_meta_map("annotations", &ann);
    }
}

/// The build output exactly as `kustomize build` prints it.
pub fn render(out: &BuildOutput) -> String {
    let docs = render_objects(out);
    let mut s = String::with_capacity(docs.iter().map(|d| d.len() + 4).sum());
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            s.push_str("---\n");
        }
        s.push_str(d);
    }
    s
}

/// [`render`] one object at a time: printed with `---\n` between them, they are the build
/// output (writing them one by one spares a copy of the whole output).
pub fn render_objects(out: &BuildOutput) -> Vec<String> {
    use rayon::prelude::*;
    // Writing a small output is quicker than starting threads.
    let mut budget = PARALLEL_RENDER_NODES;
    let large = out.resources.len() > 1
        && out
            .resources
            .iter()
            .any(|r| count_nodes(&r.value, &mut budget) == 0);
    if !large {
        out.resources
            .iter()
            .map(|r| kyaml::to_string(&r.value))
            .collect()
    } else {
        out.resources
            .par_iter()
            .map(|r| kyaml::to_string(&r.value))
            .collect()
    }
}

/// Outputs with more nodes than this are written on several threads.
const PARALLEL_RENDER_NODES: usize = 20_000;

/// Counts nodes down from `budget`, stopping at zero; returns what is left.
fn count_nodes(v: &Value, budget: &mut usize) -> usize {
    if *budget == 0 {
        return 0;
    }
    *budget -= 1;
    match v {
        Value::Map(m) => {
            for x in m.values() {
                if count_nodes(x, budget) == 0 {
                    return 0;
                }
            }
        }
        Value::Seq(items) => {
            for x in items {
                if count_nodes(x, budget) == 0 {
                    return 0;
                }
            }
        }
        _ => {}
    }
    *budget
}

/// A position-only helper for findings.
pub(crate) fn pos(line: Option<u32>) -> Option<Pos> {
    line.map(|line| Pos { line, column: 1 })
}
