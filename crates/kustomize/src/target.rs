//! The build of one kustomization directory, following kustomize's `KustTarget`: resources
//! (files and nested kustomizations), transformer configuration, generators, components,
//! transformers (builtin fields, then `transformers:`), validators and vars; the accumulated
//! objects, configuration and vars flow up to the kustomization that included the directory.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::builtins::{self, Configured, Generator, Loc, Plugin, Transformer};
use crate::config::{FieldSpec, TransformerConfig, merge_all};
use crate::kustomization::Kustomization;
use crate::origin::OriginAnno;
use crate::resource::Res;
use crate::vars::VarSet;
use crate::{BuildOptions, Finding, KustomizeError, LoadRestrictor, display_path, normalize};
use kyaml::{PathSeg, Value};

/// Objects, transformer configuration and vars accumulated so far (kustomize's
/// `ResAccumulator`).
#[derive(Debug, Default)]
pub(crate) struct Acc {
    pub res: Vec<Res>,
    pub config: Arc<TransformerConfig>,
    pub vars: VarSet,
}

/// Reads files named in a kustomization, under kustomize's load restriction.
#[derive(Debug, Clone)]
pub(crate) struct Loader {
    pub dir: PathBuf,
    pub kust_file: PathBuf,
    pub restricted: bool,
    pub root: Option<PathBuf>,
}

impl Loader {
    /// The absolute path of `rel`, checked against the load restriction.
    pub fn path(&self, rel: &str) -> Result<PathBuf, KustomizeError> {
        let p = normalize(&self.dir.join(rel));
        if self.restricted && !p.starts_with(&self.dir) {
            return Err(KustomizeError::at(
                &self.kust_file,
                None,
                format!(
                    "security; file '{}' is not in or below '{}'",
                    display_path(&p),
                    display_path(&self.dir)
                ),
            )
            .with_help("files a kustomization reads must be in or below its directory; `vendor build --load-restrictor LoadRestrictionsNone` lifts this"));
        }
        if let Some(root) = &self.root
            && !p.starts_with(root)
        {
            return Err(KustomizeError::at(
                &self.kust_file,
                None,
                format!(
                    "`{}` is outside the repository root {}",
                    display_path(&p),
                    display_path(root)
                ),
            )
            .with_help("keep every file an overlay uses inside the repository (vendor upstream content with vendor.toml)"));
        }
        Ok(p)
    }

    pub fn load(&self, rel: &str) -> Result<(PathBuf, Vec<u8>), KustomizeError> {
        let p = self.path(rel)?;
        let bytes = std::fs::read(&p).map_err(|e| {
            KustomizeError::at(
                &self.kust_file,
                None,
                format!("cannot read '{}': {e}", display_path(&p)),
            )
        })?;
        Ok((p, bytes))
    }
}

impl builtins::generators::FileLoader for Loader {
    fn load(&self, rel: &str) -> Result<Vec<u8>, String> {
        Loader::load(self, rel)
            .map(|(_, b)| b)
            .map_err(|e| e.message)
    }
}

/// State of one build.
pub(crate) struct Builder<'o> {
    pub opts: &'o BuildOptions,
    pub root: Option<PathBuf>,
    /// Kustomization directories being built, for cycle detection.
    pub stack: Vec<PathBuf>,
    pub findings: Vec<Finding>,
    pub warnings: Vec<String>,
    /// The custom OpenAPI schema in effect (`openapi:`), if any.
    pub schema: Option<Arc<k8s_patch::schema::CustomSchema>>,
    /// Whether some kustomization already chose the schema (the first one wins).
    pub schema_set: bool,
    /// Whether kustomize would have loaded (or deferred loading) its built-in schema by now,
    /// which decides how a custom schema set later combines with it.
    pub builtin_schema: BuiltinSchema,
    /// The top kustomization's `buildMetadata` (every level uses it).
    pub build_metadata: Vec<String>,
}

/// kustomize's lazily loaded built-in schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BuiltinSchema {
    NotLoaded,
    /// An object of a kind outside the precomputed scope table was read: the schema will be
    /// loaded along with any custom one.
    Deferred,
    /// A strategic merge patch loaded it.
    Loaded,
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

impl<'o> Builder<'o> {
    pub fn new(opts: &'o BuildOptions, root: Option<PathBuf>) -> Self {
        Builder {
            opts,
            root,
            stack: Vec::new(),
            findings: Vec::new(),
            warnings: Vec::new(),
            schema: None,
            schema_set: false,
            builtin_schema: BuiltinSchema::NotLoaded,
            build_metadata: Vec::new(),
        }
    }

    fn warn_all(&mut self, k: &Kustomization) {
        for w in &k.warnings {
            if !self.warnings.iter().any(|x| x == w) {
                self.warnings.push((*w).to_string());
            }
        }
    }

    pub fn loader(&self, k: &Kustomization) -> Loader {
        Loader {
            dir: k.dir.clone(),
            kust_file: k.file.clone(),
            restricted: self.opts.load_restrictor == LoadRestrictor::RootOnly,
            root: self.root.clone(),
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

    fn builtin_origin(
        &self,
        k: &Kustomization,
        origin: Option<&OriginAnno>,
        kind: &str,
    ) -> Option<OriginAnno> {
        origin.map(|o| OriginAnno::builtin(o, &k.file_name, kind))
    }

    fn run_generators(
        &mut self,
        k: &Kustomization,
        loader: &Loader,
        origin: Option<&OriginAnno>,
        acc: &mut Acc,
    ) -> Result<(), KustomizeError> {
        let mut gens: Vec<(Generator, Loc, Option<OriginAnno>)> = Vec::new();
        for (field, secret) in [("configMapGenerator", false), ("secretGenerator", true)] {
            let list = if secret {
                &k.secret_generator
            } else {
                &k.config_map_generator
            };
            for (i, args) in list.iter().enumerate() {
                let mut args = args.clone();
                args.options = crate::types::GeneratorOptions::merge_global(
                    args.options.as_ref(),
                    k.generator_options.as_ref(),
                );
                let loc = Loc {
                    file: k.file.clone(),
                    line: k.entry_line(field, i),
                };
                let kind = if secret {
                    "SecretGenerator"
                } else {
                    "ConfigMapGenerator"
                };
                let g = if secret {
                    Generator::Secret(args)
                } else {
                    Generator::ConfigMap(args)
                };
                gens.push((g, loc, self.builtin_origin(k, origin, kind)));
            }
        }
        let globals = k.helm_globals.clone().unwrap_or_default();
        for (i, chart) in k.helm_charts.iter().enumerate() {
            let loc = Loc {
                file: k.file.clone(),
                line: k
                    .entry_line("helmCharts", i)
                    .or_else(|| k.entry_line("helmChartInflationGenerator", i)),
            };
            gens.push((
                Generator::Helm(Box::new((globals.clone(), chart.clone()))),
                loc,
                self.builtin_origin(k, origin, "HelmChartInflationGenerator"),
            ));
        }
        for (cfg, loc) in self.plugin_configs(k, loader, origin, &k.generators, "generators")? {
            let plugin_origin = custom_plugin_origin(&cfg);
            match builtins::configure(&cfg, loader, &loc)? {
                Plugin::Generator(g) => gens.push((*g, loc, plugin_origin)),
                Plugin::Transformers(_) => {
                    return Err(loc.error(format!(
                        "failed to load generator: plugin {} not a generator",
                        cfg.org_id().display()
                    )));
                }
            }
        }
        for (g, loc, gen_origin) in gens {
            let produced = self.generate(k, loader, &g, &loc)?;
            for mut r in produced {
                if r.origin_anno.is_none() {
                    r.origin_anno = gen_origin.clone();
                }
                crate::resmap::absorb(&mut acc.res, r).map_err(|m| loc.error(m))?;
            }
        }
        Ok(())
    }

    fn generate(
        &mut self,
        k: &Kustomization,
        loader: &Loader,
        g: &Generator,
        loc: &Loc,
    ) -> Result<Vec<Res>, KustomizeError> {
        let origin = crate::resource::Origin {
            file: display_path(&loc.file),
            line: loc.line.unwrap_or(1),
        };
        match g {
            Generator::ConfigMap(args) | Generator::Secret(args) => {
                let secret = matches!(g, Generator::Secret(_));
                builtins::generators::generate(args, secret, loader, origin)
                    .map(|r| vec![r])
                    .map_err(|m| loc.error(m))
            }
            Generator::Helm(b) => builtins::helm::generate(self, k, loader, &b.0, &b.1, loc),
            Generator::Iam([cloud, ks_name, ks_ns, sa_name, project]) => {
                if cloud != "gke" {
                    return Err(loc.error(format!("cloud provider {cloud} not supported yet")));
                }
                let mut text = format!(
                    "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  annotations:\n    iam.gke.io/gcp-service-account: {sa_name}@{project}.iam.gserviceaccount.com\n  name: {ks_name}\n"
                );
                if !ks_ns.is_empty() {
                    text.push_str(&format!("  namespace: {ks_ns}\n"));
                }
                crate::files::resources_from_text(&loc.file, &text)
            }
        }
    }

    /// The configuration objects a `generators:`/`transformers:`/`validators:` list names:
    /// inline objects, files, or kustomization directories (whose own transformations apply).
    fn plugin_configs(
        &mut self,
        k: &Kustomization,
        loader: &Loader,
        origin: Option<&OriginAnno>,
        entries: &[String],
        field: &str,
    ) -> Result<Vec<(Res, Loc)>, KustomizeError> {
        let mut acc = Acc::default();
        let mut locs: Vec<Loc> = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            let line = k.entry_line(field, i);
            let loc = Loc {
                file: k.file.clone(),
                line,
            };
            if let Ok(mut inline) = crate::files::resources_from_text(&k.file, entry)
                && !inline.is_empty()
                && entry.contains(':')
            {
                for r in &mut inline {
                    r.origin.line = line.unwrap_or(1);
                    if let Some(o) = origin {
                        r.origin_anno = Some(o.append(&k.file_name));
                    }
                }
                let n = inline.len();
                append_all(&mut acc.res, inline, k, line)?;
                locs.extend(std::iter::repeat_n(loc, n));
                continue;
            }
            let before = acc.res.len();
            self.accumulate_resource(k, loader, origin, entry, &|| line, &mut acc)?;
            let n = acc.res.len() - before;
            locs.extend(std::iter::repeat_n(loc, n));
        }
        let mut out = Vec::new();
        for (r, loc) in acc.res.into_iter().zip(locs) {
            let gvk = r.gvk();
            if !(gvk.group.is_empty() && gvk.version == "builtin") {
                return Err(loc
                    .error(format!(
                        "external plugins disabled; unable to load external plugin '{}' ({})",
                        gvk.kind,
                        r.org_id().display()
                    ))
                    .with_help("vendor build runs kustomize's builtin plugins only (apiVersion: builtin); run the plugin yourself and vendor its output, or express the change with patches and replacements"));
            }
            out.push((r, loc));
        }
        Ok(out)
    }

    fn builtin_transformers(
        &self,
        k: &Kustomization,
        loader: &Loader,
        origin: Option<&OriginAnno>,
        tc: &TransformerConfig,
    ) -> Result<Vec<Configured>, KustomizeError> {
        let mut out: Vec<Configured> = Vec::new();
        let push = |out: &mut Vec<Configured>, kind: &str, t: Transformer, loc: Loc| {
            out.push(Configured {
                t,
                loc,
                origin: origin.map(|o| OriginAnno::builtin(o, &k.file_name, kind)),
            });
        };
        let at = |field: &str, i: Option<usize>| Loc {
            file: k.file.clone(),
            line: match i {
                Some(i) => k.entry_line(field, i),
                None => k.line_of(&[PathSeg::Key(field)]),
            },
        };
        if !k.patches_strategic_merge.is_empty() {
            let mut list = Vec::new();
            for (i, entry) in k.patches_strategic_merge.iter().enumerate() {
                let loc = at("patchesStrategicMerge", Some(i));
                let inline_line = loc.line;
                list.push(builtins::load_sm_entry(entry, loader, &loc, inline_line)?);
            }
            builtins::check_sm_not_empty(
                &list,
                &k.patches_strategic_merge,
                &at("patchesStrategicMerge", None),
            )?;
            push(
                &mut out,
                "PatchStrategicMergeTransformer",
                Transformer::PatchSm(list),
                at("patchesStrategicMerge", None),
            );
        }
        for (i, p) in k.patches.iter().enumerate() {
            let loc = at("patches", Some(i));
            let value_line = k.line_of(&[
                PathSeg::Key("patches"),
                PathSeg::Index(i),
                PathSeg::Key("patch"),
            ]);
            let (src, mut body) = builtins::load_patch(p, loader, &loc, value_line)?;
            if let builtins::PatchBody::Sm(docs) = &mut body {
                for d in docs.iter_mut() {
                    d.allow_name_change = p.options.get("allowNameChange") == Some(&true);
                    d.allow_kind_change = p.options.get("allowKindChange") == Some(&true);
                }
            }
            push(
                &mut out,
                "PatchTransformer",
                Transformer::Patch {
                    src,
                    body,
                    target: p.target.clone(),
                    json_store_previous: true,
                },
                loc,
            );
        }
        if !k.namespace.is_empty() {
            push(
                &mut out,
                "NamespaceTransformer",
                Transformer::Namespace(builtins::meta::Namespace {
                    namespace: k.namespace.clone(),
                    field_specs: tc.namespace.clone(),
                    ..Default::default()
                }),
                at("namespace", None),
            );
        }
        for (affix, is_prefix, specs, kind, field) in [
            (
                &k.name_prefix,
                true,
                &tc.name_prefix,
                "PrefixTransformer",
                "namePrefix",
            ),
            (
                &k.name_suffix,
                false,
                &tc.name_suffix,
                "SuffixTransformer",
                "nameSuffix",
            ),
        ] {
            if !affix.is_empty() {
                push(
                    &mut out,
                    kind,
                    Transformer::Affix(builtins::meta::Affix {
                        affix: affix.clone(),
                        field_specs: specs.clone(),
                        is_prefix,
                    }),
                    at(field, None),
                );
            }
        }
        if !k.labels.is_empty() || !k.common_labels.is_empty() {
            for (i, label) in k.labels.iter().enumerate() {
                let loc = at("labels", Some(i));
                let mut fss: Vec<FieldSpec> = label.fields.clone();
                let merge = |fss: &mut Vec<FieldSpec>, more: &[FieldSpec]| {
                    merge_all(fss, more)
                        .map_err(|m| loc.error(format!("failed to merge labels: {m}")))
                };
                merge(&mut fss, &tc.labels)?;
                if label.include_selectors {
                    merge(&mut fss, &tc.common_labels)?;
                } else {
                    if label.include_templates {
                        merge(&mut fss, &tc.template_labels)?;
                    }
                    merge(&mut fss, &[FieldSpec::new("metadata/labels", true)])?;
                }
                push(
                    &mut out,
                    "LabelTransformer",
                    Transformer::Labels(builtins::meta::MapEntries {
                        entries: label.pairs.clone(),
                        field_specs: fss,
                    }),
                    loc,
                );
            }
            push(
                &mut out,
                "LabelTransformer",
                Transformer::Labels(builtins::meta::MapEntries {
                    entries: k.common_labels.clone(),
                    field_specs: tc.common_labels.clone(),
                }),
                at("commonLabels", None),
            );
        }
        if !k.common_annotations.is_empty() {
            push(
                &mut out,
                "AnnotationsTransformer",
                Transformer::Annotations(builtins::meta::MapEntries {
                    entries: k.common_annotations.clone(),
                    field_specs: tc.common_annotations.clone(),
                }),
                at("commonAnnotations", None),
            );
        }
        for (i, p) in k.patches_json6902.iter().enumerate() {
            let loc = at("patchesJson6902", Some(i));
            let value_line = k.line_of(&[
                PathSeg::Key("patchesJson6902"),
                PathSeg::Index(i),
                PathSeg::Key("patch"),
            ]);
            if let Plugin::Transformers(ts) =
                builtins::json6902_transformer(p, loader, &loc, value_line)?
            {
                for t in ts {
                    push(&mut out, "PatchJson6902Transformer", t, loc.clone());
                }
            }
        }
        for (i, r) in k.replicas.iter().enumerate() {
            push(
                &mut out,
                "ReplicaCountTransformer",
                Transformer::Replicas(builtins::images::ReplicaCount {
                    replica: r.clone(),
                    field_specs: tc.replicas.clone(),
                }),
                at("replicas", Some(i)),
            );
        }
        for (i, img) in k.images.iter().enumerate() {
            push(
                &mut out,
                "ImageTagTransformer",
                Transformer::Image(builtins::images::ImageTag::new(
                    img.clone(),
                    tc.images.clone(),
                )),
                at("images", Some(i)),
            );
        }
        if !k.replacements.is_empty() {
            let loc = at("replacements", None);
            let list = builtins::load_replacements(&k.replacements, loader, &loc)?;
            push(
                &mut out,
                "ReplacementTransformer",
                Transformer::Replacement(list),
                loc,
            );
        }
        Ok(out)
    }

    fn external_transformers(
        &mut self,
        k: &Kustomization,
        loader: &Loader,
        origin: Option<&OriginAnno>,
        entries: &[String],
        field: &str,
    ) -> Result<Vec<Configured>, KustomizeError> {
        let mut out = Vec::new();
        for (cfg, loc) in self.plugin_configs(k, loader, origin, entries, field)? {
            let plugin_origin = custom_plugin_origin(&cfg);
            match builtins::configure(&cfg, loader, &loc)? {
                Plugin::Transformers(ts) => {
                    for t in ts {
                        out.push(Configured {
                            t,
                            loc: loc.clone(),
                            origin: plugin_origin.clone(),
                        });
                    }
                }
                Plugin::Generator(_) => {
                    return Err(loc.error(format!(
                        "plugin {} not a transformer",
                        cfg.org_id().display()
                    )));
                }
            }
        }
        Ok(out)
    }

    fn run_transformers(
        &mut self,
        k: &Kustomization,
        loader: &Loader,
        origin: Option<&OriginAnno>,
        acc: &mut Acc,
    ) -> Result<(), KustomizeError> {
        let mut list = self.builtin_transformers(k, loader, origin, &acc.config)?;
        list.extend(self.external_transformers(
            k,
            loader,
            origin,
            &k.transformers,
            "transformers",
        )?);
        for c in list {
            c.t.apply(self, &mut acc.res, &c.loc)?;
            if let Some(o) = &c.origin {
                for r in &mut acc.res {
                    if r.origin_anno.is_none() {
                        r.origin_anno = Some(o.clone());
                    } else {
                        r.transformations.push(o.clone());
                    }
                }
            }
            acc.res.retain(|r| !is_empty_object(&r.value));
        }
        Ok(())
    }

    fn run_validators(
        &mut self,
        k: &Kustomization,
        loader: &Loader,
        origin: Option<&OriginAnno>,
        acc: &Acc,
    ) -> Result<(), KustomizeError> {
        if k.validators.is_empty() {
            return Ok(());
        }
        let list = self.external_transformers(k, loader, origin, &k.validators, "validators")?;
        for c in list {
            let mut copy = acc.res.clone();
            c.t.apply(self, &mut copy, &c.loc)?;
            for r in &mut copy {
                let mut labels = r.meta_map("labels");
                if labels.remove("validated-by").is_some() {
                    r.set_meta_map("labels", &labels);
                }
            }
            let same = copy.len() == acc.res.len()
                && copy.iter().zip(&acc.res).all(|(a, b)| a.value == b.value);
            if !same {
                return Err(c.loc.error("validator shouldn't modify the resource map"));
            }
        }
        Ok(())
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
