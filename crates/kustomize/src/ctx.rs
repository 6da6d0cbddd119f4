//! The state a build carries through every kustomization and plugin: the options, findings
//! and warnings, the OpenAPI schema in effect, and the loader that reads files under
//! kustomize's load restriction. `target` drives the build with it; `builtins` report into it.

use std::path::PathBuf;
use std::sync::Arc;

use crate::kustomization::Kustomization;
use crate::{BuildOptions, Finding, KustomizeError, LoadRestrictor, display_path, normalize};

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

    pub fn loader(&self, k: &Kustomization) -> Loader {
        Loader {
            dir: k.dir.clone(),
            kust_file: k.file.clone(),
            restricted: self.opts.load_restrictor == LoadRestrictor::RootOnly,
            root: self.root.clone(),
        }
    }
}
