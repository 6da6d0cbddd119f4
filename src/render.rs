//! The seam between the app and the engines: what an entry of vendor.toml means for an engine
//! (a chart entry as `helm template` flags for `helm_render`), and what the engines report, as
//! the app's findings (codes and levels) for chart renders and kustomize builds.

use std::collections::BTreeSet;

use helm_render::{RenderOptions, RenderWarning};

use crate::config::{Config, Entry, Source};
use crate::diag::{Code, Finding, Level};

/// How `sync`, `diff` and `update` render a chart entry of vendor.toml: its release name
/// (default: the entry name), namespace (default `default`), values files (relative to
/// vendor.toml), the settings' kube-version and Helm version (`[settings] helm`, Helm 3 by
/// default; [`RenderOptions::helm_version`] is the mode to record with the render), with
/// CRDs and without test hooks. `None` for entries that are not charts.
pub fn options_for_entry(config: &Config, entry: &Entry) -> Option<RenderOptions> {
    let Source::Chart {
        release,
        namespace,
        values,
        ..
    } = &entry.source
    else {
        return None;
    };
    Some(RenderOptions {
        release: release.clone().unwrap_or_else(|| entry.name.clone()),
        namespace: namespace.clone().unwrap_or_else(|| "default".into()),
        values_files: values.iter().map(|v| config.root.join(v)).collect(),
        kube_version: Some(config.settings.kube_version.clone()),
        helm_version: config.settings.helm,
        include_crds: true,
        skip_tests: true,
        ..RenderOptions::default()
    })
}

/// The renderer recorded in lock data. The engine crate shares the workspace's version.
pub const RENDERER: &str = concat!("helm-render ", env!("CARGO_PKG_VERSION"));

/// Every input of a chart entry's render besides the archive, as the lock records it: release,
/// namespace, kube-version, api-versions, include-crds, Helm mode, renderer, and the sha256 of
/// each values file in merge order. `None` for entries that are not charts; an error names a
/// values file that cannot be read.
pub fn inputs_for_entry(
    config: &Config,
    entry: &Entry,
) -> Option<Result<crate::config::RenderInputs, (String, std::io::Error)>> {
    let opts = options_for_entry(config, entry)?;
    let Source::Chart { values, .. } = &entry.source else {
        return None;
    };
    let mut hashed = Vec::with_capacity(values.len());
    for v in values {
        match crate::digest::of_file(&config.root.join(v)) {
            Ok(d) => hashed.push((v.clone(), d)),
            Err(e) => return Some(Err((v.clone(), e))),
        }
    }
    Some(Ok(crate::config::RenderInputs {
        release: opts.release,
        namespace: opts.namespace,
        kube_version: opts.kube_version.unwrap_or_default(),
        api_versions: opts.api_versions,
        include_crds: opts.include_crds,
        helm: opts.helm_version.as_str().to_string(),
        renderer: RENDERER.to_string(),
        values: hashed,
    }))
}

/// Findings for the engine's warnings: one per (function, template), `lookup` as
/// [`Code::ChartUsesLookup`], everything else as [`Code::ChartNondeterministic`].
pub fn warning_findings(warnings: &[RenderWarning]) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    let mut seen = BTreeSet::new();
    for w in warnings {
        if !seen.insert((w.function(), w.template())) {
            continue;
        }
        let f = match w {
            RenderWarning::Lookup { template, line } => Finding::new(
                Code::ChartUsesLookup,
                format!("template {template} calls `lookup` (line {line}), which is always empty in an offline render"),
            )
            .help("set the values the chart would have looked up, or patch the result in the overlay"),
            RenderWarning::Nondeterministic {
                function,
                template,
                line,
            } => Finding::new(
                Code::ChartNondeterministic,
                format!(
                    "template {template} calls `{function}` (line {line}): its output changes on every render"
                ),
            )
            .help("set the value explicitly (e.g. an existing secret) so renders are reproducible"),
        };
        out.push(f.file(w.template().to_string()));
    }
    out
}

/// Renders `helmCharts:` entries of kustomizations (`vendor build --enable-helm`, and the
/// overlays `vendor check` builds) with vendor's Helm engine. A chart missing from
/// `chartHome` is fetched through the sources and the cache (cache only when `fetcher` is
/// offline) and unpacked into a directory that lives as long as the renderer, never into the
/// repository. Without `releaseName`, a literal `nameTemplate` names the release; Helm's
/// `--generate-name` (kustomize's default otherwise) would be random, so vendor uses Helm's
/// fixed default, `release-name`. `debug` is ignored.
pub struct ChartRenderer {
    offline: bool,
    /// Made on the first fetch: most builds render no chart, or only local ones.
    fetcher: std::sync::OnceLock<crate::sources::Fetcher>,
    scratch: std::sync::Mutex<Vec<tempfile::TempDir>>,
}

impl ChartRenderer {
    /// A renderer that fetches missing charts from the network (through the cache), or only
    /// from the cache when `offline`.
    pub fn new(offline: bool) -> Self {
        ChartRenderer {
            offline,
            fetcher: std::sync::OnceLock::new(),
            scratch: std::sync::Mutex::new(Vec::new()),
        }
    }

    fn fetcher(&self) -> &crate::sources::Fetcher {
        self.fetcher.get_or_init(|| {
            let mut f = crate::sources::Fetcher::from_env();
            f.offline = self.offline;
            f
        })
    }

    fn scratch_dir(&self) -> Result<std::path::PathBuf, String> {
        let dir =
            tempfile::tempdir().map_err(|e| format!("cannot create a scratch directory: {e}"))?;
        let path = dir.path().to_path_buf();
        self.scratch
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(dir);
        Ok(path)
    }
}

impl kustomize::ChartInflater for ChartRenderer {
    fn template(&self, req: &kustomize::HelmTemplate) -> Result<String, String> {
        let mut values_files = Vec::new();
        for v in &req.values {
            match v {
                kustomize::HelmValues::File(p) => values_files.push(p.clone()),
                kustomize::HelmValues::Merged(value) => {
                    let path = self.scratch_dir()?.join("kustomize-values.yaml");
                    std::fs::write(&path, kyaml::to_string(value))
                        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                    values_files.push(path);
                }
            }
        }
        let opts = RenderOptions {
            release: if !req.release_name.is_empty() {
                req.release_name.clone()
            } else if !req.name_template.is_empty() && !req.name_template.contains("{{") {
                req.name_template.clone()
            } else {
                "release-name".into()
            },
            namespace: if req.namespace.is_empty() {
                "default".into()
            } else {
                req.namespace.clone()
            },
            values_files,
            kube_version: (!req.kube_version.is_empty()).then(|| req.kube_version.clone()),
            api_versions: req.api_versions.clone(),
            include_crds: req.include_crds,
            skip_tests: req.skip_tests,
            no_hooks: req.skip_hooks,
            ..RenderOptions::default()
        };
        helm_render::render_release(&req.chart_dir, &opts)
            .map(|release| release.template_text(&opts))
            .map_err(|e| e.to_string())
    }

    fn pull(&self, req: &kustomize::HelmPull) -> Result<std::path::PathBuf, String> {
        use crate::sources::{ChartRequest, identity};
        let fetched = self
            .fetcher()
            .fetch_chart(&ChartRequest {
                repo: req.repo.clone(),
                chart: req.name.clone(),
                version: req.version.clone(),
                known_digest: None,
                auth: Default::default(),
            })
            .map_err(|e| e.to_string())?;
        let chart = identity::read_chart(&fetched.bytes).map_err(|e| e.to_string())?;
        let root = self.scratch_dir()?.join(&chart.root);
        for (rel, bytes) in &chart.files {
            let path = root.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
            }
            std::fs::write(&path, bytes).map_err(|e| e.to_string())?;
        }
        Ok(root)
    }
}

/// A kustomize build finding as a vendor finding: its code, and its level (a list item added
/// where upstream probably renamed the container is an error, not a warning).
pub fn kustomize_finding(f: kustomize::Finding) -> Finding {
    use kustomize::FindingKind as K;
    let code = match f.kind {
        K::PatchTargetMissing => Code::PatchTargetMissing,
        K::PatchNoOp => Code::PatchNoOp,
        K::PatchAddsListItem { .. } => Code::PatchAddsListItem,
        K::Json6902OpFailed => Code::Json6902OpFailed,
        K::ImageOverrideUnused => Code::ImageOverrideUnused,
    };
    let mut out = Finding::new(code, f.message).file(f.file).at(f.pos);
    if let K::PatchAddsListItem {
        likely_renamed: true,
    } = f.kind
    {
        out.level = Level::Deny;
    }
    out.resource = f.resource;
    out.help = f.help;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_become_one_finding_per_function_and_template() {
        let w = |function: &str, template: &str, line| {
            if function == "lookup" {
                RenderWarning::Lookup {
                    template: template.into(),
                    line,
                }
            } else {
                RenderWarning::Nondeterministic {
                    function: function.into(),
                    template: template.into(),
                    line,
                }
            }
        };
        let findings = warning_findings(&[
            w("lookup", "c/templates/a.yaml", 3),
            w("randAlphaNum", "c/templates/a.yaml", 5),
            w("randAlphaNum", "c/templates/a.yaml", 9),
            w("lookup", "c/templates/b.yaml", 1),
        ]);
        let got: Vec<(Code, String)> = findings
            .iter()
            .map(|f| (f.code, f.message.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    Code::ChartUsesLookup,
                    "template c/templates/a.yaml calls `lookup` (line 3), which is always empty in an offline render".to_string()
                ),
                (
                    Code::ChartNondeterministic,
                    "template c/templates/a.yaml calls `randAlphaNum` (line 5): its output changes on every render".to_string()
                ),
                (
                    Code::ChartUsesLookup,
                    "template c/templates/b.yaml calls `lookup` (line 1), which is always empty in an offline render".to_string()
                ),
            ]
        );
    }
}
