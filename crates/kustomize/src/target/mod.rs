//! The build of one kustomization directory, following kustomize's `KustTarget`: resources
//! (files and nested kustomizations), transformer configuration, generators, components,
//! transformers (builtin fields, then `transformers:`), validators and vars; the accumulated
//! objects, configuration and vars flow up to the kustomization that included the directory.

mod generate;
mod transform;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::TransformerConfig;
use crate::ctx::BuiltinSchema;
pub(crate) use crate::ctx::{Builder, Loader};
use crate::kustomization::Kustomization;
use crate::origin::OriginAnno;
use crate::resource::Res;
use crate::vars::VarSet;
use crate::{KustomizeError, display_path, normalize};
use kyaml::{PathSeg, Value};

/// Objects, transformer configuration and vars accumulated so far (kustomize's
/// `ResAccumulator`).
#[derive(Debug, Default)]
pub(crate) struct Acc {
    pub res: Vec<Res>,
    pub config: Arc<TransformerConfig>,
    pub vars: VarSet,
}

pub(crate) fn is_remote(s: &str) -> bool {
    s.contains("://")
        || s.starts_with("git@")
        || s.starts_with("github.com/")
        || s.starts_with("gitlab.com/")
        || s.starts_with("bitbucket.org/")
}

fn remote_error(k: &Kustomization, line: Option<u32>, what: &str, entry: &str) -> KustomizeError {
    KustomizeError::at(
        &k.file,
        line,
        format!("remote {what} `{entry}` is not supported: vendor build reads local files only"),
    )
    .with_help("vendor the remote base with a [manifest.NAME] entry in vendor.toml and reference the vendored directory instead")
}

impl Builder<'_> {
    fn warn_all(&mut self, k: &Kustomization) {
        for w in &k.warnings {
            if !self.warnings.iter().any(|x| x == w) {
                self.warnings.push((*w).to_string());
            }
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
            return Err(KustomizeError::at(
                &k.file,
                line,
                format!(
                    "`{}` is outside the repository root {}",
                    display_path(path),
                    display_path(root)
                ),
            )
            .with_help("keep every file an overlay uses inside the repository (vendor upstream content with vendor.toml)"));
        }
        Ok(())
    }

    /// `openapi:` — the first kustomization that sets a schema decides it (the top one first).
    pub fn set_schema(&mut self, k: &Kustomization, reset: bool) -> Result<(), KustomizeError> {
        if self.schema_set && !reset {
            return Ok(());
        }
        let line = k.line_of(&[PathSeg::Key("openapi")]);
        let version = k.openapi.get("version");
        if let Some(path) = k.openapi.get("path") {
            if version.is_some() {
                return Err(KustomizeError::at(
                    &k.file,
                    line,
                    "builtin version and custom schema provided, cannot use both",
                ));
            }
            let (file, bytes) = self
                .loader(k)
                .load(path)
                .map_err(|e| KustomizeError::at(&k.file, line, e.message))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| KustomizeError::at(&file, None, "schema file is not valid UTF-8"))?;
            let v = kyaml::parse_one(&text, kyaml::Dialect::Helm)
                .map_err(|e| KustomizeError::yaml(&file, &e))?;
            let fallback = match self.builtin_schema {
                BuiltinSchema::NotLoaded => k8s_patch::schema::Fallback::None,
                BuiltinSchema::Deferred => k8s_patch::schema::Fallback::BuiltinWins,
                BuiltinSchema::Loaded => k8s_patch::schema::Fallback::CustomWins,
            };
            let schema =
                k8s_patch::schema::CustomSchema::from_swagger(&v, fallback).map_err(|e| {
                    KustomizeError::at(&file, None, format!("invalid schema file: {e}"))
                })?;
            self.schema = Some(Arc::new(schema));
            self.schema_set = true;
            return Ok(());
        }
        if let Some(v) = version {
            if v != "v1.21.2" {
                return Err(KustomizeError::at(
                    &k.file,
                    line,
                    format!("the specified OpenAPI version is not built in: {v}"),
                )
                .with_help("kustomize v5.5.0 embeds the Kubernetes v1.21.2 schema; remove `openapi.version` or give a schema file with `openapi.path`"));
            }
            self.schema = None;
            self.schema_set = true;
        }
        Ok(())
    }

    /// Builds the kustomization directory `dir` on top of `acc` (non-empty for components).
    pub fn accumulate_dir(
        &mut self,
        dir: &Path,
        component: Option<bool>,
        origin: Option<OriginAnno>,
        acc: Acc,
    ) -> Result<Acc, KustomizeError> {
        let k = Kustomization::load(dir)?;
        self.accumulate_loaded(&k, component, origin, acc)
    }

    /// [`Self::accumulate_dir`] for a kustomization already read.
    pub fn accumulate_loaded(
        &mut self,
        k: &Kustomization,
        component: Option<bool>,
        origin: Option<OriginAnno>,
        acc: Acc,
    ) -> Result<Acc, KustomizeError> {
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
        match component {
            Some(true) if !k.is_component => {
                return Err(KustomizeError::at(
                    &k.file,
                    None,
                    format!(
                        "expected kind 'Component' for path '{}' but got '{}'",
                        display_path(&k.dir),
                        k.kind
                    ),
                )
                .with_help("only directories whose kustomization has `kind: Component` go under `components:`"));
            }
            Some(false) if k.is_component => {
                return Err(KustomizeError::at(
                    &k.file,
                    None,
                    format!(
                        "expected kind != 'Component' for path '{}'",
                        display_path(&k.dir)
                    ),
                )
                .with_help("list a Component under `components:`, not `resources:`"));
            }
            _ => {}
        }
        self.set_schema(k, component.is_none())?;
        self.warn_all(k);
        self.stack.push(k.dir.clone());
        let result = self.accumulate_target(k, origin, acc);
        self.stack.pop();
        result
    }

    fn accumulate_target(
        &mut self,
        k: &Kustomization,
        origin: Option<OriginAnno>,
        mut acc: Acc,
    ) -> Result<Acc, KustomizeError> {
        let loader = self.loader(k);
        for (entry, field, index) in &k.resources {
            // Lines are found only for messages: finding one re-reads the file.
            let line = || k.entry_line(field, *index);
            self.accumulate_resource(k, &loader, origin.as_ref(), entry, &line, &mut acc)?;
        }
        // Transformer configuration.
        let mut tc = std::borrow::Cow::Borrowed(TransformerConfig::defaults());
        for (i, path) in k.configurations.iter().enumerate() {
            let line = k.entry_line("configurations", i);
            let (file, bytes) = loader
                .load(path)
                .map_err(|e| KustomizeError::at(&k.file, line, e.message))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| KustomizeError::at(&file, None, "file is not valid UTF-8"))?;
            let v = kyaml::parse_one(&text, kyaml::Dialect::Kube)
                .map_err(|e| KustomizeError::yaml(&file, &e))?;
            let t = TransformerConfig::decode(&v).map_err(|e| {
                let l = kyaml::locate(&text, 0, &e.locate_path()).map(|p| p.line);
                KustomizeError::at(
                    &file,
                    l,
                    format!("invalid transformer configuration: {}", e.message),
                )
            })?;
            tc.to_mut()
                .merge(&t)
                .map_err(|m| KustomizeError::at(&file, None, m))?;
        }
        TransformerConfig::absorb(&mut acc.config, &tc)
            .map_err(|m| KustomizeError::at(&k.file, None, format!("merging config: {m}")))?;
        for (i, path) in k.crds.iter().enumerate() {
            let line = k.entry_line("crds", i);
            let (file, bytes) = loader
                .load(path)
                .map_err(|e| KustomizeError::at(&k.file, line, e.message))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| KustomizeError::at(&file, None, "file is not valid UTF-8"))?;
            let v = kyaml::parse_one(&text, kyaml::Dialect::Helm)
                .map_err(|e| KustomizeError::yaml(&file, &e))?;
            let t = crate::config::config_from_crd(&v).map_err(|e| {
                KustomizeError::at(
                    &file,
                    None,
                    format!(
                        "unable to parse open API definition from '{path}': {}",
                        e.message
                    ),
                )
            })?;
            Arc::make_mut(&mut acc.config)
                .merge(&t)
                .map_err(|m| KustomizeError::at(&file, None, m))?;
        }
        self.run_generators(k, &loader, origin.as_ref(), &mut acc)?;
        for (i, entry) in k.components.iter().enumerate() {
            let line = k.entry_line("components", i);
            if is_remote(entry) {
                return Err(remote_error(k, line, "component", entry));
            }
            let path = normalize(&k.dir.join(entry));
            self.check_root(k, &path, line)?;
            if !path.is_dir() {
                return Err(KustomizeError::at(
                    &k.file,
                    line,
                    format!(
                        "component `{entry}` must be a directory with a kustomization ({} is not)",
                        display_path(&path)
                    ),
                ));
            }
            let sub_origin = origin.as_ref().map(|o| o.append(entry));
            acc = self.accumulate_dir(&path, Some(true), sub_origin, acc)?;
        }
        self.run_transformers(k, &loader, origin.as_ref(), &mut acc)?;
        self.run_validators(k, &loader, origin.as_ref(), &acc)?;
        crate::vars::merge_vars(&mut acc.res, &k.vars, &mut acc.vars)
            .map_err(|m| KustomizeError::at(&k.file, k.line_of(&[PathSeg::Key("vars")]), m))?;
        Ok(acc)
    }

    fn accumulate_resource(
        &mut self,
        k: &Kustomization,
        loader: &Loader,
        origin: Option<&OriginAnno>,
        entry: &str,
        line: &dyn Fn() -> Option<u32>,
        acc: &mut Acc,
    ) -> Result<(), KustomizeError> {
        if is_remote(entry) {
            return Err(remote_error(k, line(), "resource", entry));
        }
        let path = normalize(&k.dir.join(entry));
        if path.is_file() {
            let path = loader.path(entry).map_err(|e| {
                KustomizeError::at(&k.file, line(), e.message).with_help_opt(e.help)
            })?;
            let mut docs = crate::files::load_resources(&path, self.opts.preparsed.take(&path))?;
            self.note_kinds(&docs);
            if let Some(o) = origin {
                let anno = o.append(entry);
                for r in &mut docs {
                    r.origin_anno = Some(anno.clone());
                }
            }
            return append_all_at(&mut acc.res, docs, k, line);
        }
        if path.is_dir() {
            self.check_root(k, &path, line())?;
            let sub = self.accumulate_dir(
                &path,
                Some(false),
                origin.map(|o| o.append(entry)),
                Acc::default(),
            )?;
            append_all_at(&mut acc.res, sub.res, k, line)?;
            if !Arc::ptr_eq(&acc.config, &sub.config) {
                TransformerConfig::absorb(&mut acc.config, &sub.config)
                    .map_err(|m| KustomizeError::at(&k.file, line(), m))?;
            }
            acc.vars
                .merge_set(&sub.vars)
                .map_err(|m| KustomizeError::at(&k.file, line(), m))?;
            return Ok(());
        }
        Err(KustomizeError::at(
            &k.file,
            line(),
            format!(
                "resource `{entry}` not found: '{}': no such file or directory",
                display_path(&path)
            ),
        ))
    }

    /// Reading objects of kinds outside kustomize's precomputed scope table defers loading
    /// the built-in schema (see [`BuiltinSchema`]).
    pub fn note_kinds(&mut self, docs: &[Res]) {
        if self.schema.is_none()
            && self.builtin_schema == BuiltinSchema::NotLoaded
            && docs
                .iter()
                .any(|r| !crate::resource::scope_is_precomputed(&r.gvk()))
        {
            self.builtin_schema = BuiltinSchema::Deferred;
        }
    }
}

fn is_empty_object(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Map(m) => m.is_empty(),
        _ => false,
    }
}

/// kustomize `OriginFromCustomPlugin`: a configuration object with an origin makes its
/// plugin's origin.
fn custom_plugin_origin(cfg: &Res) -> Option<OriginAnno> {
    let o = cfg.origin_anno.as_ref()?;
    Some(OriginAnno {
        repo: o.repo.clone(),
        git_ref: o.git_ref.clone(),
        configured_in: o.path.clone(),
        configured_by: Some((
            cfg.api_version().to_string(),
            cfg.kind().to_string(),
            cfg.name().to_string(),
            cfg.namespace().to_string(),
        )),
        ..Default::default()
    })
}

/// [`append_all`] with the entry's line found only for the message.
fn append_all_at(
    into: &mut Vec<Res>,
    from: Vec<Res>,
    k: &Kustomization,
    line: &dyn Fn() -> Option<u32>,
) -> Result<(), KustomizeError> {
    crate::resmap::append_all(into, from).map_err(|(m, origin)| {
        let (file, line) = match line() {
            Some(l) => (k.file.clone(), Some(l)),
            None => (PathBuf::from(&origin.file), Some(origin.line)),
        };
        KustomizeError::at(&file, line, m).with_help(
            "two resources have the same kind, name and namespace; remove one or rename it",
        )
    })
}

/// Appends with kustomize's duplicate-id check.
pub(crate) fn append_all(
    into: &mut Vec<Res>,
    from: Vec<Res>,
    k: &Kustomization,
    line: Option<u32>,
) -> Result<(), KustomizeError> {
    crate::resmap::append_all(into, from).map_err(|(m, origin)| {
        let (file, line) = match line {
            Some(l) => (k.file.clone(), Some(l)),
            None => (PathBuf::from(&origin.file), Some(origin.line)),
        };
        KustomizeError::at(&file, line, m).with_help(
            "two resources have the same kind, name and namespace; remove one or rename it",
        )
    })
}
