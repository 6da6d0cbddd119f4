//! A kustomize-compatible build (`kustomize build` / `kubectl kustomize`, v5.5.0) of the
//! kustomization features GitOps repositories use, with findings for patches that no longer
//! apply. Strategic merge and JSON6902 live in `k8s-patch`; YAML reading and writing in
//! `kyaml`. Remote resources and Helm inflation are refused: `vendor.toml` vendors them.
//!
//! The pipeline follows kustomize's `KustTarget`: resources (recursively) -> generators ->
//! components -> transformers (patchesStrategicMerge, patches, namespace, prefix, suffix,
//! labels, annotations, patchesJson6902, replicas, images); then, at the top only, hash
//! suffixes, name-reference fixes, the `local-config` filter and the legacy output order.
//!
//! ```no_run
//! let out = kustomize::build(std::path::Path::new("overlay"), &kustomize::BuildOptions::default())?;
//! print!("{}", kustomize::render(&out));
//! for f in &out.findings {
//!     eprintln!("{:?} {}: {}", f.kind, f.file, f.message);
//! }
//! # Ok::<(), kustomize::KustomizeError>(())
//! ```

mod finding;
mod generators;
mod kustomization;
mod namerefs;
mod patches;
mod resource;
mod transform;

use std::path::{Component, Path, PathBuf};

use kyaml::{Dialect, Pos, Value};

pub use finding::{Finding, FindingKind};
pub use kustomization::{FILE_NAMES, Kustomization};
use resource::Res;
pub use resource::{Gvk, Origin, ResId};

/// Options of a build.
#[derive(Debug, Default)]
pub struct BuildOptions {
    /// Directory no file or kustomization may be read from outside of (the repository root).
    /// `None`: only kustomize's own rule applies (files must be under their kustomization).
    pub root: Option<PathBuf>,
    /// Prefix used to print paths in findings and errors (paths are shown relative to it).
    pub display_base: Option<PathBuf>,
    /// Resource files the caller has already decoded, by absolute normalized path: the build
    /// takes them from here instead of reading and parsing the file again.
    pub preparsed: Preparsed,
}

/// Decoded resource files handed to a build (see [`BuildOptions::preparsed`]). Each entry is
/// taken by the first build that reads the file.
#[derive(Debug, Default)]
pub struct Preparsed(std::sync::Mutex<std::collections::HashMap<PathBuf, PreparsedFile>>);

/// One decoded file: its text and its documents with their index in it.
#[derive(Debug, Clone)]
pub struct PreparsedFile {
    pub text: std::sync::Arc<str>,
    pub docs: Vec<(kyaml::Document, usize)>,
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

/// One object of the build output.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub value: Value,
    pub origin: Origin,
}

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
    rel.unwrap_or_else(|| p.to_path_buf())
        .to_string_lossy()
        .replace('\\', "/")
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
    let abs = absolute;
    let base = opts
        .display_base
        .as_deref()
        .map(abs)
        .or_else(|| std::env::current_dir().ok());
    DISPLAY_BASE.with(|b| *b.borrow_mut() = base);
    let dir = abs(dir);
    let root = opts.root.as_deref().map(abs);
    let mut builder = Builder {
        root,
        preparsed: &opts.preparsed,
        stack: Vec::new(),
        findings: Vec::new(),
        warnings: Vec::new(),
    };
    let mut resources = builder.accumulate(&dir, Vec::new())?;
    transform::add_hash_suffixes(&mut resources)?;
    namerefs::fix(&mut resources).map_err(|m| KustomizeError::at(&dir, None, m))?;
    for r in &mut resources {
        finalize_annotations(r);
    }
    resources.retain(|r| {
        r.annotations()
            .and_then(|a| a.get("config.kubernetes.io/local-config"))
            .and_then(Value::as_str)
            != Some("true")
    });
    resource::legacy_sort(&mut resources);
    let mut findings = builder.findings;
    findings.sort_by(|a, b| (&a.file, a.pos).cmp(&(&b.file, b.pos)));
    Ok(BuildOutput {
        resources: resources
            .into_iter()
            .map(|r| Resource {
                value: r.value,
                origin: r.origin,
            })
            .collect(),
        findings,
        warnings: builder.warnings,
    })
}

/// kustomize rewrites annotations when it removes its bookkeeping ones: values become strings,
/// and an annotations map left empty disappears.
fn finalize_annotations(r: &mut Res) {
    let had_build = r.has_build_annotations();
    let Some(Value::Map(meta)) = r.value.get_mut("metadata") else {
        return;
    };
    let Some(ann) = meta.get_mut("annotations") else {
        return;
    };
    let empty = match ann {
        Value::Map(m) => {
            if m.is_empty() {
                had_build
            } else {
                for v in m.values_mut() {
                    if !matches!(v, Value::String(_)) {
                        let text = match &*v {
                            Value::Null => "null".to_string(),
                            other => kustomization::scalar_string(other).unwrap_or_default(),
                        };
                        *v = Value::String(text);
                    }
                }
                false
            }
        }
        Value::Null => had_build,
        _ => false,
    };
    if empty {
        meta.shift_remove("annotations");
    }
}

/// The build output exactly as `kustomize build` prints it.
pub fn render(out: &BuildOutput) -> String {
    use rayon::prelude::*;
    let docs: Vec<String> = out
        .resources
        .par_iter()
        .map(|r| kyaml::to_string(&r.value))
        .collect();
    let mut s = String::with_capacity(docs.iter().map(|d| d.len() + 4).sum());
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            s.push_str("---\n");
        }
        s.push_str(d);
    }
    s
}

struct Builder<'o> {
    root: Option<PathBuf>,
    preparsed: &'o Preparsed,
    /// Kustomization directories being built, for cycle detection.
    stack: Vec<PathBuf>,
    findings: Vec<Finding>,
    warnings: Vec<String>,
}

fn is_remote(s: &str) -> bool {
    s.contains("://")
        || s.starts_with("git@")
        || s.starts_with("github.com/")
        || s.starts_with("gitlab.com/")
        || s.starts_with("bitbucket.org/")
}

impl Builder<'_> {
    fn warn_once(&mut self, w: &str) {
        if !self.warnings.iter().any(|x| x == w) {
            self.warnings.push(w.to_string());
        }
    }

    fn check_root(
        &self,
        k: &Kustomization,
        path: &Path,
        line: Option<u32>,
    ) -> Result<(), KustomizeError> {
        if let Some(root) = &self.root
            && !path.starts_with(root)
        {
            {
                return Err(KustomizeError::at(&k.file, line, format!("`{}` is outside the repository root {}", display_path(path), display_path(root)))
                    .with_help("keep every file an overlay uses inside the repository (vendor upstream content with vendor.toml)"));
            }
        }
        Ok(())
    }

    /// kustomize's load restriction: files must be in or below the kustomization directory.
    fn file_path(
        &self,
        k: &Kustomization,
        rel: &str,
        line: Option<u32>,
    ) -> Result<PathBuf, KustomizeError> {
        let p = normalize(&k.dir.join(rel));
        if !p.starts_with(&k.dir) {
            return Err(KustomizeError::at(
                &k.file,
                line,
                format!(
                    "security; file '{}' is not in or below '{}'",
                    display_path(&p),
                    display_path(&k.dir)
                ),
            ));
        }
        self.check_root(k, &p, line)?;
        Ok(p)
    }

    /// Builds the kustomization in `dir` on top of `resources` (non-empty for components).
    fn accumulate(
        &mut self,
        dir: &Path,
        mut resources: Vec<Res>,
    ) -> Result<Vec<Res>, KustomizeError> {
        let k = Kustomization::load(dir)?;
        if self.stack.contains(&k.dir) {
            let chain: Vec<String> = self
                .stack
                .iter()
                .chain(std::iter::once(&k.dir))
                .map(|p| display_path(p))
                .collect();
            return Err(KustomizeError::at(
                &k.file,
                None,
                format!("cycle in kustomizations: {}", chain.join(" -> ")),
            ));
        }
        self.stack.push(k.dir.clone());
        let result = self
            .accumulate_loaded(&k, &mut resources)
            .map(|()| resources);
        self.stack.pop();
        result
    }

    fn accumulate_loaded(
        &mut self,
        k: &Kustomization,
        resources: &mut Vec<Res>,
    ) -> Result<(), KustomizeError> {
        use kyaml::PathSeg;
        for (name, w) in [
            (
                "patchesStrategicMerge",
                "# Warning: 'patchesStrategicMerge' is deprecated. Please use 'patches' instead. Run 'kustomize edit fix' to update your Kustomization automatically.",
            ),
            (
                "patchesJson6902",
                "# Warning: 'patchesJson6902' is deprecated. Please use 'patches' instead. Run 'kustomize edit fix' to update your Kustomization automatically.",
            ),
            (
                "bases",
                "# Warning: 'bases' is deprecated. Please use 'resources' instead. Run 'kustomize edit fix' to update your Kustomization automatically.",
            ),
            (
                "commonLabels",
                "# Warning: 'commonLabels' is deprecated. Please use 'labels' instead. Run 'kustomize edit fix' to update your Kustomization automatically.",
            ),
        ] {
            if k.get(name).is_some() {
                self.warn_once(w);
            }
        }
        // Resources.
        let mut own: Vec<Res> = Vec::new();
        for (entry, field, index) in k.resources()? {
            let line = k.line_of(&[PathSeg::Key(field), PathSeg::Index(index)]);
            if is_remote(&entry) {
                return Err(KustomizeError::at(&k.file, line, format!("remote resource `{entry}` is not supported"))
                    .with_help("vendor it with a [manifest.NAME] entry in vendor.toml and reference the vendored directory instead"));
            }
            let path = normalize(&k.dir.join(&entry));
            if path.is_dir() {
                self.check_root(k, &path, line)?;
                let sub = self.accumulate(&path, Vec::new())?;
                append_all(&mut own, sub, k, line)?;
            } else {
                if !path.exists() {
                    return Err(KustomizeError::at(
                        &k.file,
                        line,
                        format!("resource `{entry}` not found ({})", display_path(&path)),
                    ));
                }
                let path = self.file_path(k, &entry, line)?;
                let docs = load_resources(&path, self.preparsed.take(&path))?;
                append_all(&mut own, docs, k, line)?;
            }
        }
        append_all(resources, own, k, None)?;
        // Generators.
        generators::run(self, k, resources)?;
        // Components.
        for (index, entry) in k.strings("components")?.into_iter().enumerate() {
            let line = k.line_of(&[PathSeg::Key("components"), PathSeg::Index(index)]);
            if is_remote(&entry) {
                return Err(KustomizeError::at(
                    &k.file,
                    line,
                    format!("remote component `{entry}` is not supported"),
                )
                .with_help(
                    "vendor it with vendor.toml and reference the vendored directory instead",
                ));
            }
            let path = normalize(&k.dir.join(&entry));
            self.check_root(k, &path, line)?;
            let sub = Kustomization::load(&path)?;
            if !sub.is_component {
                return Err(KustomizeError::at(
                    &sub.file,
                    None,
                    "a component must have `kind: Component`",
                ));
            }
            let current = std::mem::take(resources);
            *resources = self.accumulate(&path, current)?;
        }
        if k.is_component && self.stack.len() == 1 {
            return Err(KustomizeError::at(
                &k.file,
                None,
                "a Component cannot be built on its own; list it under `components:` of a kustomization",
            ));
        }
        // Transformers, in kustomize's order.
        patches::strategic_merge_files(self, k, resources)?;
        patches::patches(self, k, resources, "patches")?;
        transform::namespace(k, resources)?;
        transform::prefix_suffix(k, resources)?;
        transform::labels(k, resources)?;
        transform::annotations(k, resources)?;
        patches::patches(self, k, resources, "patchesJson6902")?;
        transform::replicas(k, resources)?;
        transform::images(self, k, resources)?;
        Ok(())
    }
}

/// Reads the objects of a resource file (a `List` is expanded into its items).
fn load_resources(
    path: &Path,
    preparsed: Option<PreparsedFile>,
) -> Result<Vec<Res>, KustomizeError> {
    let docs = match preparsed {
        Some(f) => f
            .docs
            .into_iter()
            .map(|(d, i)| (d, f.text.clone(), i))
            .collect(),
        None => {
            let src = read_text(path)?;
            parse_chunked(&src).map_err(|e| KustomizeError::yaml(path, &e))?
        }
    };
    let file = display_path(path);
    let mut out = Vec::new();
    for (d, shared, doc_index) in docs {
        let line = d.start.line;
        match d.value {
            Value::Null => continue,
            Value::Map(m) if m.is_empty() => continue,
            Value::Map(m) => {
                let v = Value::Map(m);
                let kind = v.get("kind").and_then(Value::as_str).unwrap_or("");
                if kind.ends_with("List") && v.get("items").is_some() {
                    let items = v
                        .get("items")
                        .and_then(Value::as_seq)
                        .unwrap_or(&[])
                        .to_vec();
                    for item in items {
                        check_object(&item, path, line)?;
                        out.push(Res::new(
                            item,
                            Origin {
                                file: file.clone(),
                                line,
                            },
                        ));
                    }
                    continue;
                }
                check_object(&v, path, line)?;
                let mut r = Res::new(
                    v,
                    Origin {
                        file: file.clone(),
                        line,
                    },
                );
                if has_null(&r.value) {
                    r.source = Some((shared.clone(), doc_index));
                }
                out.push(r);
            }
            other => {
                return Err(KustomizeError::at(
                    path,
                    Some(line),
                    format!(
                        "expected a Kubernetes object (a map), found a {}",
                        other.type_name()
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// A parsed document, the text it was parsed from, and its index in that text.
type ParsedDoc = (kyaml::Document, std::sync::Arc<str>, usize);

/// Sources at least this large are split at document markers and parsed in parallel.
const PARALLEL_PARSE_BYTES: usize = 256 * 1024;

/// Parses a multi-document stream; large ones are cut at `---` lines (a document marker at
/// column 0 ends any scalar in YAML, so the cut cannot fall inside a value) and the pieces are
/// parsed in parallel. Returns each document with the text it was parsed from and its index
/// there (for `kyaml::locate`); lines are relative to the whole source.
fn parse_chunked(src: &str) -> Result<Vec<ParsedDoc>, kyaml::YamlError> {
    use rayon::prelude::*;
    let mut cuts = vec![0usize];
    if src.len() >= PARALLEL_PARSE_BYTES
        && !src
            .lines()
            .any(|l| l.starts_with('%') || l.starts_with("..."))
    {
        let mut offset = 0;
        for line in src.split_inclusive('\n') {
            if offset > 0
                && line.starts_with("---")
                && line[3..]
                    .chars()
                    .next()
                    .is_none_or(|c| c == ' ' || c == '\n' || c == '\r' || c == '\t')
            {
                cuts.push(offset);
            }
            offset += line.len();
        }
    }
    cuts.push(src.len());
    // Merge into roughly even chunks: a few per core is plenty.
    let target = (src.len() / (rayon::current_num_threads() * 4)).max(64 * 1024);
    let mut chunks: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for w in cuts.windows(2) {
        if w[1] - start >= target || w[1] == src.len() {
            if w[1] > start {
                chunks.push((start, w[1]));
            }
            start = w[1];
        }
    }
    if chunks.is_empty() {
        chunks.push((0, src.len()));
    }
    let parsed: Vec<Result<Vec<ParsedDoc>, kyaml::YamlError>> = chunks
        .par_iter()
        .map(|&(a, b)| {
            let text = &src[a..b];
            let line_offset = src[..a].bytes().filter(|c| *c == b'\n').count() as u32;
            let shared: std::sync::Arc<str> = std::sync::Arc::from(text);
            let docs = kyaml::parse_documents(text, Dialect::Kube).map_err(|mut e| {
                if let Some(p) = e.pos.as_mut() {
                    p.line += line_offset;
                }
                e
            })?;
            Ok(docs
                .into_iter()
                .enumerate()
                .map(|(i, mut d)| {
                    d.start.line += line_offset;
                    (d, shared.clone(), i)
                })
                .collect())
        })
        .collect();
    let mut out = Vec::new();
    for p in parsed {
        out.extend(p?);
    }
    Ok(out)
}

fn has_null(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Map(m) => m.values().any(has_null),
        Value::Seq(s) => s.iter().any(has_null),
        _ => false,
    }
}

fn check_object(v: &Value, path: &Path, line: u32) -> Result<(), KustomizeError> {
    if v.get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .is_empty()
    {
        return Err(KustomizeError::at(
            path,
            Some(line),
            "missing Resource metadata: the object has no `kind`",
        ));
    }
    if v.path(&["metadata", "name"])
        .and_then(Value::as_str)
        .unwrap_or("")
        .is_empty()
        && v.path(&["metadata", "generateName"]).is_none()
    {
        return Err(KustomizeError::at(
            path,
            Some(line),
            "missing metadata.name in object",
        ));
    }
    Ok(())
}

/// Appends with kustomize's duplicate-id check.
fn append_all(
    into: &mut Vec<Res>,
    from: Vec<Res>,
    k: &Kustomization,
    line: Option<u32>,
) -> Result<(), KustomizeError> {
    for r in from {
        let id = r.cur_id();
        if into.iter().any(|x| x.cur_id().equals(&id)) {
            let line = line.or(Some(r.origin.line));
            let file = if line == Some(r.origin.line) {
                PathBuf::from(&r.origin.file)
            } else {
                k.file.clone()
            };
            return Err(KustomizeError::at(
                &file,
                line,
                format!(
                    "may not add resource with an already registered id: {}",
                    id.display()
                ),
            )
            .with_help(
                "two resources have the same kind, name and namespace; remove one or rename it",
            ));
        }
        into.push(r);
    }
    Ok(())
}

/// A position-only helper for findings.
pub(crate) fn pos(line: Option<u32>) -> Option<Pos> {
    line.map(|line| Pos { line, column: 1 })
}
