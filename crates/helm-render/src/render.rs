use std::path::{Path, PathBuf};

use kyaml::Map;

use crate::error::HelmError;
use crate::manifests::{self, Manifest};
use crate::version::HelmVersion;
use crate::{chart, deps, engine, objects, schema, strvals, values, yamlio};

/// Settings for one render, as `helm template` flags.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    pub release: String,
    pub namespace: String,
    /// `-f/--values` files, in order.
    pub values_files: Vec<PathBuf>,
    pub set: Vec<String>,
    pub set_string: Vec<String>,
    pub set_json: Vec<String>,
    pub set_file: Vec<String>,
    pub set_literal: Vec<String>,
    /// `--kube-version`; `None` is Helm's client-only default (v1.31.0 for Helm 3.16).
    pub kube_version: Option<String>,
    /// `--api-versions`, added to the default set.
    pub api_versions: Vec<String>,
    pub include_crds: bool,
    pub skip_tests: bool,
    pub no_hooks: bool,
    pub is_upgrade: bool,
    /// Which Helm major version's behaviour to reproduce (default: Helm 3).
    pub helm_version: HelmVersion,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            release: "release-name".into(),
            namespace: "default".into(),
            values_files: Vec::new(),
            set: Vec::new(),
            set_string: Vec::new(),
            set_json: Vec::new(),
            set_file: Vec::new(),
            set_literal: Vec::new(),
            kube_version: None,
            api_versions: Vec::new(),
            include_crds: false,
            skip_tests: false,
            no_hooks: false,
            is_upgrade: false,
            helm_version: HelmVersion::V3,
        }
    }
}

/// Kubernetes version of Helm 3.16's client-only capabilities.
pub const DEFAULT_KUBE_VERSION: &str = "v1.31.0";

/// A use of a function that makes a render not reproducible offline (Helm's engine would
/// reach the cluster, the network or a random source).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderWarning {
    /// `lookup`, which is always an empty map in an offline render (as in `helm template`).
    Lookup { template: String, line: usize },
    /// A function whose output changes on every render (`randAlphaNum`, `uuidv4`, `now`,
    /// `genCA`, ...) or comes from the network (`getHostByName`, always "" here).
    Nondeterministic {
        function: String,
        template: String,
        line: usize,
    },
}

impl RenderWarning {
    /// The function called.
    pub fn function(&self) -> &str {
        match self {
            RenderWarning::Lookup { .. } => "lookup",
            RenderWarning::Nondeterministic { function, .. } => function,
        }
    }

    /// The template file that called it.
    pub fn template(&self) -> &str {
        match self {
            RenderWarning::Lookup { template, .. }
            | RenderWarning::Nondeterministic { template, .. } => template,
        }
    }

    /// The line of the call.
    pub fn line(&self) -> usize {
        match self {
            RenderWarning::Lookup { line, .. } | RenderWarning::Nondeterministic { line, .. } => {
                *line
            }
        }
    }
}

impl From<gotemplate::Notice> for RenderWarning {
    fn from(n: gotemplate::Notice) -> Self {
        if n.function == "lookup" {
            RenderWarning::Lookup {
                template: n.template,
                line: n.line,
            }
        } else {
            RenderWarning::Nondeterministic {
                function: n.function,
                template: n.template,
                line: n.line,
            }
        }
    }
}

/// A rendered release: CRDs (when asked), manifests and hooks in Helm's output order.
#[derive(Debug, Clone, Default)]
pub struct Release {
    /// (`chart/crds/x.yaml`, raw content), only with `include_crds`.
    pub crds: Vec<(String, String)>,
    pub manifests: Vec<Manifest>,
    pub hooks: Vec<Manifest>,
    /// Lines Helm logs on stderr (coalescing conflicts, unknown hooks, ...).
    pub log: Vec<String>,
    /// Uses of functions whose output cannot be reproduced offline (lookup, random
    /// functions), in the order the engine met them.
    pub warnings: Vec<RenderWarning>,
}

impl Release {
    /// Helm's `rel.Manifest`: CRDs then manifests, each framed.
    pub fn manifest_text(&self) -> String {
        let mut b = String::new();
        for (name, content) in &self.crds {
            manifests::frame(&mut b, name, content);
        }
        for m in &self.manifests {
            manifests::frame(&mut b, &m.name, &m.content);
        }
        b
    }

    /// What `helm template` prints (before `--show-only` filtering).
    pub fn template_text(&self, opts: &RenderOptions) -> String {
        let mut out = String::new();
        out.push_str(self.manifest_text().trim());
        out.push('\n');
        if !opts.no_hooks {
            for h in &self.hooks {
                if opts.skip_tests && h.is_test_hook() {
                    continue;
                }
                manifests::frame(&mut out, &h.name, &h.content);
            }
        }
        out
    }
}

/// One file of `helm template --output-dir` (path relative to the output directory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    pub path: String,
    pub content: String,
}

/// Renders a chart into files in Helm's `--output-dir` layout (`CHART/templates/x.yaml`, each
/// file holding its framed documents), plus warnings for non-reproducible output.
pub fn render_chart(
    chart: &Path,
    opts: &RenderOptions,
) -> Result<(Vec<RenderedFile>, Vec<RenderWarning>), HelmError> {
    let rel = render_release(chart, opts)?;
    let mut files: Vec<RenderedFile> = Vec::new();
    let push = |files: &mut Vec<RenderedFile>, name: &str, content: &str, append: bool| {
        let mut text = String::new();
        manifests::frame(&mut text, name, content);
        match files.iter_mut().find(|f| f.path == name) {
            Some(f) if append => f.content.push_str(&text),
            Some(f) => f.content = text,
            None => files.push(RenderedFile {
                path: name.to_string(),
                content: text,
            }),
        }
    };
    let mut written: Vec<String> = Vec::new();
    for (name, content) in &rel.crds {
        push(&mut files, name, content, written.contains(name));
        written.push(name.clone());
    }
    for m in &rel.manifests {
        push(&mut files, &m.name, &m.content, written.contains(&m.name));
        written.push(m.name.clone());
    }
    if !opts.no_hooks {
        // Deliberate deviation: `helm template --output-dir` tracks hook files separately, so a
        // template with both hooks and regular documents loses the regular ones (the first hook
        // truncates the file). Vendoring must not drop documents, so hooks are appended.
        for h in &rel.hooks {
            if opts.skip_tests && h.is_test_hook() {
                continue;
            }
            push(&mut files, &h.name, &h.content, written.contains(&h.name));
            written.push(h.name.clone());
        }
    }
    Ok((files, rel.warnings))
}

fn read_input(path: &str) -> Result<Vec<u8>, String> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).map_err(|e| e.to_string())?;
        return Ok(buf);
    }
    std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("open {path}: no such file or directory"),
        _ => format!("open {path}: {e}"),
    })
}

/// Helm's `values.Options.MergeValues`: `-f` files, then `--set-json`, `--set`, `--set-string`,
/// `--set-file`, `--set-literal`.
pub fn merge_user_values(opts: &RenderOptions) -> Result<Map, HelmError> {
    let mut base = Map::new();
    for f in &opts.values_files {
        let shown = f.display().to_string();
        let raw = read_input(&shown).map_err(HelmError::Message)?;
        let text = String::from_utf8_lossy(&raw);
        let cur = yamlio::parse_values(&text)
            .map_err(|e| HelmError::Message(format!("failed to parse {shown}: {e}")))?;
        values::merge_maps(&mut base, cur);
    }
    for v in &opts.set_json {
        strvals::parse_into(v, &mut base, &strvals::ValueMode::Json)
            .map_err(|_| HelmError::Message(format!("failed parsing --set-json data {v}")))?;
    }
    for v in &opts.set {
        strvals::parse_into(v, &mut base, &strvals::ValueMode::Typed)
            .map_err(|e| HelmError::Message(format!("failed parsing --set data: {e}")))?;
    }
    for v in &opts.set_string {
        strvals::parse_into(v, &mut base, &strvals::ValueMode::String)
            .map_err(|e| HelmError::Message(format!("failed parsing --set-string data: {e}")))?;
    }
    let reader = |p: &str| -> Result<String, String> {
        read_input(p).map(|b| String::from_utf8_lossy(&b).into_owned())
    };
    for v in &opts.set_file {
        strvals::parse_into(v, &mut base, &strvals::ValueMode::File(&reader))
            .map_err(|e| HelmError::Message(format!("failed parsing --set-file data: {e}")))?;
    }
    for v in &opts.set_literal {
        strvals::parse_literal_into(v, &mut base)
            .map_err(|e| HelmError::Message(format!("failed parsing --set-literal data: {e}")))?;
    }
    Ok(base)
}

/// Helm's release-name rule.
pub fn validate_release_name(name: &str) -> Result<(), HelmError> {
    const RE: &str = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    if name.is_empty() {
        return Err(HelmError::Message(format!(
            "release name {name:?}: no name provided"
        )));
    }
    let ok = name.len() <= 53
        && regex::Regex::new(RE)
            .map(|r| r.is_match(name))
            .unwrap_or(false);
    if !ok {
        return Err(HelmError::Message(format!(
            "release name {name:?}: invalid release name, must match regex {RE} and the length must not be longer than 53"
        )));
    }
    Ok(())
}

/// Loads, checks and renders a chart the way `helm template` does (everything but printing).
pub fn render_release(chart_path: &Path, opts: &RenderOptions) -> Result<Release, HelmError> {
    let shown = chart_path.display().to_string();
    if !chart_path.exists() {
        return Err(HelmError::Message(format!("path {shown:?} not found")));
    }
    let user_values = merge_user_values(opts)?;
    if chart_path.is_file() {
        // Helm reports the located (absolute) chart path here.
        let shown = std::path::absolute(chart_path)
            .map(|p| p.display().to_string())
            .unwrap_or(shown.clone());
        let head = std::fs::read(chart_path).map_err(|e| HelmError::Io {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        if !(head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b) {
            if shown.ends_with(".yml") || shown.ends_with(".yaml") {
                return Err(HelmError::Message(format!(
                    "file '{shown}' seems to be a YAML file, but expected a gzipped archive"
                )));
            }
            return Err(HelmError::Message(format!(
                "file '{shown}' does not appear to be a gzipped archive; got 'application/octet-stream'"
            )));
        }
    }
    let mut chart = chart::load(chart_path)?;
    match chart.metadata.chart_type.as_str() {
        "" | "application" => {}
        t => {
            return Err(HelmError::Message(format!(
                "{t} charts are not installable"
            )));
        }
    }
    let mut log = Vec::new();
    if chart.metadata.deprecated {
        log.push("WARNING: This chart is deprecated".to_string());
    }
    if !chart.metadata.dependencies.is_empty() {
        deps::check_dependencies(&chart).map_err(|e| {
            HelmError::Message(format!(
                "An error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: {e}"
            ))
        })?;
    }
    validate_release_name(&opts.release)?;
    let mut warnings = values::Warnings::new(opts.helm_version);
    deps::process_dependencies(&mut chart, &user_values, &mut warnings)
        .map_err(HelmError::Message)?;
    chart.set_paths(None);

    let helm = opts.helm_version;
    let kube = match (&opts.kube_version, helm) {
        (Some(v), HelmVersion::V3) => objects::KubeVersion::parse(v).ok_or_else(|| {
            HelmError::Message(format!(
                "invalid kube version '{v}': Invalid Semantic Version"
            ))
        })?,
        (Some(v), HelmVersion::V4) => objects::KubeVersion::parse_v4(v)
            .map_err(|e| HelmError::Message(format!("invalid kube version '{v}': {e}")))?,
        (None, _) => objects::KubeVersion::default_for(helm),
    };
    let mut api_versions: Vec<String> = objects::default_api_versions(helm)
        .iter()
        .map(std::string::ToString::to_string)
        .collect();
    api_versions.extend(opts.api_versions.iter().cloned());

    let vals =
        values::coalesce_values(&chart, &user_values, &mut warnings).map_err(HelmError::Message)?;
    schema::validate_chart_tree_for(&chart, &vals, helm).map_err(|e| {
        HelmError::Message(format!(
            "values don't meet the specifications of the schema(s) in the following chart(s):\n{e}"
        ))
    })?;

    // From here on Helm has created the release: errors carry the --debug hint.
    let render_err = |message: String, partial: String| HelmError::Render { message, partial };
    if !chart.metadata.kube_version.is_empty()
        && !deps::is_compatible_range(&chart.metadata.kube_version, &kube.normalized)
    {
        return Err(render_err(
            format!(
                "chart requires kubeVersion: {} which is incompatible with Kubernetes {}",
                chart.metadata.kube_version, kube.version
            ),
            String::new(),
        ));
    }
    let release_info = engine::ReleaseInfo {
        name: opts.release.clone(),
        namespace: opts.namespace.clone(),
        is_upgrade: opts.is_upgrade,
        helm,
    };
    let rendered = engine::render(&chart, &vals, &release_info, &kube, &api_versions)
        .map_err(|m| render_err(m, String::new()))?;
    // NOTES.txt files are rendered (their errors count) but never printed by `helm template`.
    let files: Vec<(String, String)> = rendered
        .files
        .into_iter()
        .filter(|(k, _)| !k.ends_with("NOTES.txt"))
        .collect();
    let sorted = match manifests::sort_manifests(&files, helm) {
        Ok(s) => s,
        Err(message) => {
            let mut partial = String::new();
            let mut all: Vec<&(String, String)> = files.iter().collect();
            all.sort_by(|a, b| a.0.cmp(&b.0));
            for (name, content) in all {
                if !content.trim().is_empty() {
                    manifests::frame(&mut partial, name, content);
                }
            }
            return Err(render_err(message, partial));
        }
    };
    log.extend(warnings.0);
    log.extend(sorted.notes);
    let crds = if opts.include_crds {
        chart
            .crd_objects()
            .into_iter()
            .map(|(n, d)| (n, String::from_utf8_lossy(d).into_owned()))
            .collect()
    } else {
        Vec::new()
    };
    Ok(Release {
        crds,
        manifests: sorted.manifests,
        hooks: sorted.hooks,
        log,
        warnings: rendered
            .notices
            .into_iter()
            .map(RenderWarning::from)
            .collect(),
    })
}
