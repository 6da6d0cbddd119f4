//! vendor.toml: the typed model ([`Config`]), loading with spans and validation that reports every
//! problem at once ([`load`]), and in-place writing of lock data ([`lock`]). Fetching, rendering and
//! checking are other modules' business; this one only knows what the file says.

pub mod lock;
mod problems;
mod validate;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

pub use problems::{ConfigError, Problem};
pub use validate::url_file_name;

/// The JSON Schema of vendor.toml (`vendor generate schema`), for editor completion.
pub const SCHEMA: &str = include_str!("../../docs/vendor.schema.json");

/// The name of the file `vendor` looks for.
pub const FILE_NAME: &str = "vendor.toml";

/// A loaded, validated vendor.toml.
#[derive(Debug, Clone)]
pub struct Config {
    /// Path of vendor.toml as given or found.
    pub path: PathBuf,
    /// The directory holding vendor.toml: every relative path is resolved against it.
    pub root: PathBuf,
    /// The file's text, for diagnostics that point into it.
    pub source: String,
    pub settings: Settings,
    pub policy: ImagePolicy,
    /// `[diff]`: what `vendor diff` and `vendor update` treat as noise.
    pub diff: DiffNoise,
    /// `[lints]`: finding levels for every entry.
    pub lints: crate::diag::LevelOverrides,
    /// Entries in file order.
    pub entries: Vec<Entry>,
    /// Tables that hold only lock data: left behind by an entry that was renamed or removed.
    pub orphan_locks: Vec<OrphanLock>,
}

/// A `[manifest.NAME.lock]` or `[chart.NAME.lock]` table whose entry has no other keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrphanLock {
    /// `manifest` or `chart`.
    pub kind: &'static str,
    pub name: String,
    /// Byte range of the lock table in vendor.toml.
    pub span: Range<usize>,
}

/// `[settings]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Where vendored upstream content lives (default `upstream`).
    pub upstream_dir: String,
    /// Where the Kustomize patch overlays live (default `patches`).
    pub patches_dir: String,
    /// `.Capabilities.KubeVersion` when rendering charts, and the version removed APIs are judged
    /// against (default `1.31.0`).
    pub kube_version: String,
    /// `helm = "3"|"4"`: which Helm's `helm template` chart entries are rendered as. Without
    /// the setting Helm 3, so renders (and lock data) of existing files do not change.
    pub helm: helm_render::HelmVersion,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            upstream_dir: "upstream".into(),
            patches_dir: "patches".into(),
            kube_version: "1.31.0".into(),
            helm: helm_render::HelmVersion::V3,
        }
    }
}

/// `[policy.images]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ImagePolicy {
    /// `:latest`, or no tag at all, is an error.
    pub deny_latest: bool,
    /// A tag without `@sha256:...` is a warning.
    pub require_digest: bool,
    /// Registries images may come from; empty allows any.
    pub allow_registries: Vec<String>,
    /// Tags that move (checked in addition to `latest`).
    pub floating_tags: Vec<String>,
}

/// Tags that name a moving target rather than a release.
pub const DEFAULT_FLOATING_TAGS: &[&str] = &[
    "main", "master", "stable", "edge", "nightly", "dev", "develop", "canary", "head", "rolling",
    "snapshot", "testing", "unstable", "current",
];

impl Default for ImagePolicy {
    fn default() -> Self {
        ImagePolicy {
            deny_latest: true,
            require_digest: false,
            allow_registries: Vec::new(),
            floating_tags: DEFAULT_FLOATING_TAGS
                .iter()
                .map(std::string::ToString::to_string)
                .collect(),
        }
    }
}

/// `[diff]`: changes to leave out of structured diffs, or to summarise (patterns may use `*`).
#[derive(Debug, Clone, PartialEq)]
pub struct DiffNoise {
    /// Field paths as the diff prints them, e.g. `spec.template.metadata.annotations`.
    pub ignore_paths: Vec<String>,
    /// Label keys, e.g. `helm.sh/chart`.
    pub ignore_labels: Vec<String>,
    /// Annotation keys, e.g. `checksum/*`.
    pub ignore_annotations: Vec<String>,
    /// Label keys whose churn is summarised in one line: resources whose only changes are to
    /// these labels are counted, not shown one by one.
    pub summarize_labels: Vec<String>,
}

/// The labels every chart (and many manifest) bumps change on every object.
pub const DEFAULT_SUMMARIZE_LABELS: &[&str] = &["helm.sh/chart", "app.kubernetes.io/version"];

impl Default for DiffNoise {
    fn default() -> Self {
        DiffNoise {
            ignore_paths: Vec::new(),
            ignore_labels: Vec::new(),
            ignore_annotations: Vec::new(),
            summarize_labels: DEFAULT_SUMMARIZE_LABELS
                .iter()
                .map(std::string::ToString::to_string)
                .collect(),
        }
    }
}

impl DiffNoise {
    /// The patterns of `summarize-labels`.
    pub fn summarize(&self) -> Vec<kdiff::Pattern> {
        self.summarize_labels
            .iter()
            .map(kdiff::Pattern::new)
            .collect()
    }

    /// The diff engine's noise filter for these settings.
    pub fn filter(&self) -> kdiff::NoiseFilter {
        let patterns = |v: &[String]| v.iter().map(kdiff::Pattern::new).collect();
        kdiff::NoiseFilter {
            paths: patterns(&self.ignore_paths),
            labels: patterns(&self.ignore_labels),
            annotations: patterns(&self.ignore_annotations),
        }
    }
}

/// One `[manifest.NAME]` or `[chart.NAME]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub name: String,
    pub source: Source,
    /// The pinned version.
    pub version: String,
    /// The range `update` may move within (Helm/Masterminds syntax).
    pub track: Option<String>,
    /// `lints = { CODE = "allow" | "warn" | "deny" }`: finding levels for this entry.
    pub lints: crate::diag::LevelOverrides,
    /// Lock data written by `sync`; `None` before the first sync.
    pub lock: Option<Lock>,
    /// Byte range of the entry's table header in vendor.toml.
    pub span: Range<usize>,
}

/// Where an entry comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// Raw upstream manifests: files by URL (with a `{version}` placeholder), files inside an
    /// archive, or files of a git repository at a tag.
    Manifest {
        fetch: Fetch,
        versions: Option<VersionSource>,
        /// `allow-empty = true`: a file with no Kubernetes object is accepted (by default `sync`
        /// refuses it as an empty or wrong response).
        allow_empty: bool,
        /// `tag`: how upstream's tags spell versions (a template such as
        /// `controller-v{version}`, or a regex with a named group `version`).
        tag: Option<crate::sources::tags::TagScheme>,
        /// `checksums`: URL of a sha256sum-format file that lists every downloaded asset.
        checksums: Option<String>,
    },
    /// A Helm chart from an HTTP repository or an `oci://` registry, or a chart directory of a
    /// git repository (`git`; then `repo` is empty).
    Chart {
        repo: String,
        /// The chart's name (for a chart from git: `chart`, else the directory's name).
        chart: String,
        /// A chart directory of a git repository at a tag.
        git: Option<GitDir>,
        release: Option<String>,
        namespace: Option<String>,
        values: Vec<String>,
        /// Credentials for the chart repository: `auth = { username-env = "...", password-env =
        /// "..." }` or `{ token-env = "..." }`, names of environment variables. Without it,
        /// credentials come from Helm's repositories.yaml or the registry config files.
        auth: crate::sources::auth::RepoAuth,
    },
}

/// Where the files of a manifest entry come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetch {
    /// `url`: one file per URL, saved under its last path segment.
    Urls(Vec<String>),
    /// `url` of an archive (`.tar.gz`, `.tgz`, `.zip`) and the `paths` inside it.
    Archive { url: String, paths: Paths },
    /// `git`, `ref` and `paths`.
    Git(GitDir),
}

/// Paths of a git repository at a tag: `git = URL`, `ref = "v{version}"`, `paths`.
#[derive(Debug, Clone, PartialEq)]
pub struct GitDir {
    /// The remote: `https://`, `ssh://`, `git@host:org/repo`, `file://`.
    pub url: String,
    /// The tag template (`{version}` replaced), or a full commit id.
    pub reference: String,
    pub paths: Paths,
}

impl GitDir {
    /// The tag (or commit) for `version`.
    pub fn reference_for(&self, version: &str) -> String {
        self.reference.replace("{version}", version)
    }
}

/// Which files of a tree are vendored: `paths` (directories, files or globs; each one's files
/// land relative to it) less `exclude` (globs).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Paths {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

impl Source {
    /// `manifest` or `chart`: the table the entry is declared in.
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Manifest { .. } => "manifest",
            Source::Chart { .. } => "chart",
        }
    }
}

/// Where newer versions of a manifest entry are discovered.
#[derive(Debug, Clone, PartialEq)]
pub enum VersionSource {
    /// `owner/repo` on GitHub: release tags.
    GithubReleases(String),
    /// A git remote's tags.
    GitTags(String),
    /// A Helm repository index and the chart whose versions to use.
    HelmIndex { url: String, chart: Option<String> },
}

/// What `sync` recorded about the vendored content.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Lock {
    /// The version the lock data was written for.
    pub version: Option<String>,
    /// Digest of the fetched artifact (`sha256:<hex>`).
    pub digest: Option<String>,
    /// Entries from git: the commit the tag resolved to.
    pub commit: Option<String>,
    /// Every image found in the vendored content, sorted.
    pub images: Vec<String>,
    /// `sha256:<hex>` of every file under `upstream/NAME`, keyed by path relative to it.
    pub files: BTreeMap<String, String>,
    /// Charts: every input of the render besides the archive (`digest`). `None` for manifests,
    /// and for chart lock data written before render inputs were recorded.
    pub render: Option<RenderInputs>,
}

/// The inputs of a chart render as `sync` recorded them (`[chart.NAME.lock.render]`): with the
/// chart archive's digest they determine the vendored files, so `check` can tell offline when
/// one of them changed since.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RenderInputs {
    pub release: String,
    pub namespace: String,
    pub kube_version: String,
    /// `--api-versions` added to the default set.
    pub api_versions: Vec<String>,
    pub include_crds: bool,
    /// The Helm mode rendered for (`[settings] helm`): "3" or "4".
    pub helm: String,
    /// The renderer and its version, e.g. `helm-render 0.1.0`.
    pub renderer: String,
    /// Every values file, in the order they are merged: path relative to vendor.toml and the
    /// sha256 of its bytes.
    pub values: Vec<(String, String)>,
}

impl Config {
    /// `upstream/NAME` of an entry, as a path under the root.
    pub fn upstream_dir(&self, entry: &Entry) -> PathBuf {
        self.root
            .join(&self.settings.upstream_dir)
            .join(&entry.name)
    }

    /// `patches/NAME` of an entry, as a path under the root.
    pub fn patches_dir(&self, entry: &Entry) -> PathBuf {
        self.root.join(&self.settings.patches_dir).join(&entry.name)
    }

    /// Path of `p` relative to the root, with `/` separators, for messages.
    pub fn display_path(&self, p: &Path) -> String {
        let rel = p.strip_prefix(&self.root).unwrap_or(p);
        rel.to_string_lossy().replace('\\', "/")
    }

    /// The entry called `name`.
    pub fn entry(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.name == name)
    }

    /// The level of every finding: `[lints]`, each entry's `lints`, then `command_line`.
    pub fn levels(&self, command_line: &crate::diag::LevelOverrides) -> crate::diag::Levels {
        crate::diag::Levels {
            command_line: command_line.clone(),
            entries: self
                .entries
                .iter()
                .filter(|e| !e.lints.is_empty())
                .map(|e| (e.name.clone(), e.lints.clone()))
                .collect(),
            config: self.lints.clone(),
        }
    }

    /// The entry names close to `name` (for "did you mean").
    pub fn similar_entries(&self, name: &str) -> Vec<&str> {
        crate::diag::similar_names(name, self.entries.iter().map(|e| e.name.as_str()))
    }

    /// 1-based line and column of a byte offset in vendor.toml.
    pub fn pos_of(&self, offset: usize) -> crate::diag::Pos {
        problems::pos_of(&self.source, offset)
    }
}

/// Finds vendor.toml: `explicit` when given, else the first one in `start` or its parents.
pub fn find(explicit: Option<&Path>, start: &Path) -> Result<PathBuf, ConfigError> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    // Found files are returned relative to `start` (`vendor.toml`, `../vendor.toml`), so that
    // messages name them the way the user would.
    let mut dir = Some(start);
    let mut up = PathBuf::new();
    while let Some(d) = dir {
        if d.join(FILE_NAME).is_file() {
            return Ok(up.join(FILE_NAME));
        }
        dir = d.parent();
        up.push("..");
    }
    Err(ConfigError::NotFound {
        start: start.to_path_buf(),
    })
}

/// Reads and validates vendor.toml. Every problem in the file is reported in one error.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let bytes = std::fs::read(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let source = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let valid = std::str::from_utf8(&e.as_bytes()[..offset]).unwrap_or_default();
        ConfigError::NotUtf8 {
            path: path.to_path_buf(),
            pos: problems::pos_of(valid, offset),
        }
    })?;
    parse(path, source)
}

/// Validates vendor.toml text that has already been read.
pub fn parse(path: &Path, source: String) -> Result<Config, ConfigError> {
    let root = path
        .parent()
        .map(|p| {
            if p.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                p.to_path_buf()
            }
        })
        .unwrap_or_else(|| PathBuf::from("."));
    validate::validate(path, root, source)
}
