//! `vendor diff`: the two sides of a comparison and the comparison itself. Two paths (files,
//! directories or `-`), or an entry's vendored tree against upstream at a version (fetched
//! through `crate::sources`), optionally both through the entry's overlay (`--patched`).

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;

use kdiff::{DiffReport, Object, Options};
use kyaml::manifest::{self, LoadError, ParseOptions};

use crate::config::{Config, Entry, Source};

/// Why a side could not be loaded.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum DiffError {
    #[error("cannot read the manifests in {what}")]
    Load {
        what: String,
        #[source]
        source: kyaml::manifest::LoadError,
    },
    #[error("both OLD and NEW are `-`")]
    #[diagnostic(help("read at most one side from stdin"))]
    BothStdin,
    #[error("`{name}` has no overlay in {dir}")]
    #[diagnostic(help("drop --patched to compare the upstream trees"))]
    NoOverlay { name: String, dir: String },
    #[error("the overlay {dir} does not build")]
    #[diagnostic(help("`vendor build` shows the same error"))]
    Overlay {
        dir: String,
        #[source]
        source: kustomize::KustomizeError,
    },
    #[error("the overlay {dir} does not apply cleanly to {over}")]
    #[diagnostic(
        code("patches-broken"),
        help(
            "a patch that fails would show the patch's own change as an upstream change; `vendor diff NAME --to VERSION` without --patched shows what upstream changed"
        )
    )]
    PatchesBroken {
        dir: String,
        /// The side the overlay was built over (`upstream/NAME (V)` or `NAME@V`).
        over: String,
        /// The error-level findings of the build, patch files named.
        findings: Vec<crate::diag::Finding>,
    },
    #[error("cannot fetch `{name}` at {version}")]
    Fetch {
        name: String,
        version: String,
        #[source]
        #[diagnostic_source]
        source: crate::sources::SourceError,
    },
    #[error("cannot render chart {chart} for {label}")]
    Render {
        chart: String,
        label: String,
        #[source]
        source: helm_render::HelmError,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Workspace(#[from] crate::workspace::WorkspaceError),
}

/// The two sides of a comparison and how they are named.
pub struct Sides {
    pub old: Vec<Object>,
    pub new: Vec<Object>,
    pub old_label: String,
    pub new_label: String,
}

/// How a side's documents are read: `List`s expanded, what is not an object skipped.
pub const SIDE: ParseOptions = ParseOptions {
    expand_lists: true,
    strict: false,
    keep_non_objects: false,
};

/// One side from a path: a manifest file (where a document that is not an object is an error),
/// a directory of manifests (recursively), or `-` for stdin.
pub fn load(path: &str) -> Result<Vec<Object>, DiffError> {
    let wrap = |source| DiffError::Load {
        what: path.to_string(),
        source,
    };
    load_path(Path::new(path)).map_err(wrap)
}

fn load_path(path: &Path) -> Result<Vec<Object>, LoadError> {
    let strict = ParseOptions {
        strict: true,
        ..SIDE
    };
    if path == Path::new("-") {
        return manifest::load_stdin(strict).map(Object::from_resources);
    }
    let shown = path.display().to_string();
    if !path.is_dir() {
        let text = manifest::read_text(path, &shown)?;
        return manifest::parse(&text, &shown, strict).map(Object::from_resources);
    }
    let files = manifest::manifest_files(path)?;
    let sides: Vec<Result<Vec<manifest::Resource>, LoadError>> = files
        .par_iter()
        .map(|rel| manifest::parse(&manifest::read_text(&path.join(rel), rel)?, rel, SIDE))
        .collect();
    let mut out = Vec::new();
    for side in sides {
        out.extend(Object::from_resources(side?));
    }
    Ok(out)
}

/// Objects of an in-memory tree (relative path -> bytes, e.g. what sync prepared for an entry
/// at another version): manifest files only, `label` prefixed to the file names.
pub fn load_tree(files: &BTreeMap<String, Vec<u8>>, label: &str) -> Result<Vec<Object>, LoadError> {
    let mut out = Vec::new();
    for (name, bytes) in files.iter().filter(|(k, _)| manifest::is_manifest_file(k)) {
        let shown = format!("{label}/{name}");
        let text = manifest::text_of(bytes.clone(), &shown)?;
        out.extend(Object::from_resources(manifest::parse(
            &text, &shown, SIDE,
        )?));
    }
    Ok(out)
}

fn parse_side(text: &str, label: &str) -> Result<Vec<Object>, LoadError> {
    manifest::parse(text, label, SIDE).map(Object::from_resources)
}

/// `vendor diff OLD NEW`: both sides from paths, read in parallel.
pub fn paths(old: &str, new: &str) -> Result<Sides, DiffError> {
    if old == "-" && new == "-" {
        return Err(DiffError::BothStdin);
    }
    let (old_side, new_side) = rayon::join(|| load(old), || load(new));
    Ok(Sides {
        old: old_side?,
        new: new_side?,
        old_label: old.to_string(),
        new_label: new.to_string(),
    })
}

/// What the NAME form compares.
#[derive(Debug, Clone, Default)]
pub struct EntryRequest {
    /// Upstream version to compare with (default: the pinned one, which shows hand edits).
    pub to: Option<String>,
    /// Both sides through the entry's overlay.
    pub patched: bool,
    /// Use only the download cache.
    pub offline: bool,
    /// Where rendering, fetching and building show their progress (nothing by default).
    pub progress: crate::report::progress::Progress,
}

/// `vendor diff NAME [--to VERSION]`: the vendored tree of an entry against upstream.
pub fn entry(config: &Config, entry: &Entry, req: &EntryRequest) -> Result<Sides, DiffError> {
    let name = &entry.name;
    let vendored_dir = config.upstream_dir(entry);
    let vendored_label = format!("{} ({})", config.display_path(&vendored_dir), entry.version);
    let progress = &req.progress;
    let old = if vendored_dir.join("Chart.yaml").is_file() {
        progress.phase(&format!("rendering the vendored chart of {name}"));
        render_chart(config, entry, &vendored_dir, &vendored_label)?
    } else {
        load_path(&vendored_dir).map_err(|source| DiffError::Load {
            what: format!("the vendored tree of `{name}`"),
            source,
        })?
    };
    let mut target = entry.clone();
    if let Some(v) = &req.to {
        target.version = v.clone();
    }
    let mut fetcher = crate::sources::Fetcher::from_env();
    fetcher.offline = req.offline;
    progress.phase(&format!("fetching {name} {}", target.version));
    let prepared = progress.entry(name, &target.version, || {
        crate::flows::sync::prepare(&fetcher, config, &target)
    });
    match &prepared {
        Ok(p) => progress.fetched(name, &target.version, p.downloaded),
        Err(_) => progress.failed(name, &target.version),
    }
    progress.phase(if req.patched {
        "building both sides through the overlay"
    } else {
        "comparing"
    });
    let prepared = prepared.map_err(|source| DiffError::Fetch {
        name: name.clone(),
        version: target.version.clone(),
        source,
    })?;
    let upstream_label = format!("{name}@{}", target.version);
    if req.patched {
        return patched(config, entry, &prepared.files, &upstream_label);
    }
    let new = load_tree(&prepared.files, &upstream_label).map_err(|source| DiffError::Load {
        what: format!("the upstream tree of `{upstream_label}`"),
        source,
    })?;
    Ok(Sides {
        old,
        new,
        old_label: vendored_label,
        new_label: upstream_label,
    })
}

/// `--patched`: both sides through the entry's overlay, `patches/NAME` built over the vendored
/// tree and over the fetched one (in a scratch copy of the repository).
fn patched(
    config: &Config,
    entry: &Entry,
    fetched: &BTreeMap<String, Vec<u8>>,
    upstream_label: &str,
) -> Result<Sides, DiffError> {
    let name = &entry.name;
    let patches = &config.settings.patches_dir;
    let overlay = |root: &Path, over: &str| -> Result<Vec<Object>, DiffError> {
        let dir = root.join(patches).join(name);
        let opts = kustomize::BuildOptions {
            root: Some(root.to_path_buf()),
            display_base: Some(root.to_path_buf()),
            ..Default::default()
        };
        let built = kustomize::build(&dir, &opts).map_err(|source| DiffError::Overlay {
            dir: format!("{patches}/{name}"),
            source,
        })?;
        // Fail closed: a patch that no longer applies is not a difference of upstream.
        let broken: Vec<crate::diag::Finding> = built
            .findings
            .iter()
            .cloned()
            .map(crate::render::kustomize_finding)
            .filter(|f| f.level == crate::diag::Level::Deny)
            .map(|f| f.entry(name))
            .collect();
        if !broken.is_empty() {
            return Err(DiffError::PatchesBroken {
                dir: format!("{patches}/{name}"),
                over: over.to_string(),
                findings: broken,
            });
        }
        parse_side(&kustomize::render(&built), &format!("{patches}/{name}")).map_err(|source| {
            DiffError::Load {
                what: format!("the output of {patches}/{name}"),
                source,
            }
        })
    };
    if !config.patches_dir(entry).is_dir() {
        return Err(DiffError::NoOverlay {
            name: name.clone(),
            dir: format!("{patches}/{name}"),
        });
    }
    let vendored = format!(
        "{}/{name} ({})",
        config.settings.upstream_dir, entry.version
    );
    let old = overlay(&config.root, &vendored)?;
    let scratch = crate::workspace::scratch_repository(config, None, [(name.as_str(), fetched)])?;
    let new = overlay(scratch.path(), upstream_label)?;
    Ok(Sides {
        old,
        new,
        old_label: format!("{patches}/{name} ({})", entry.version),
        new_label: format!("{patches}/{name} over {upstream_label}"),
    })
}

/// Renders a vendored chart *source* directory the way `sync` renders charts (release, namespace,
/// values files, kube-version; CRDs and hooks included, tests skipped) and loads the result. The
/// fetched side needs no rendering: `flows::sync::prepare` renders charts itself.
fn render_chart(
    config: &Config,
    entry: &Entry,
    chart_dir: &Path,
    label: &str,
) -> Result<Vec<Object>, DiffError> {
    let Source::Chart { chart, .. } = &entry.source else {
        return Ok(Vec::new());
    };
    let Some(opts) = crate::render::options_for_entry(config, entry) else {
        return Ok(Vec::new());
    };
    let release =
        helm_render::render_release(chart_dir, &opts).map_err(|source| DiffError::Render {
            chart: chart.clone(),
            label: label.to_string(),
            source,
        })?;
    let text = release.template_text(&opts);
    parse_side(&text, label).map_err(|source| DiffError::Load {
        what: format!("the rendered chart of {label}"),
        source,
    })
}

/// The comparison options with vendor.toml's settings added: its kube-version when none was
/// given, and its `[diff]` noise.
/// `summarize` false (`--no-summarize-labels`) lists label-only changes resource by resource;
/// else the labels of `[diff] summarize-labels` (or its default, without vendor.toml) are
/// summarised.
pub fn options(mut opts: Options, config: Option<&Config>, summarize: bool) -> Options {
    if summarize {
        opts.summarize_labels = match config {
            Some(c) => c.diff.summarize(),
            None => crate::config::DiffNoise::default().summarize(),
        };
    }
    if let Some(config) = config {
        if opts.kube_version.is_none() {
            opts.kube_version = Some(config.settings.kube_version.clone());
        }
        let from_config = config.diff.filter();
        opts.noise.paths.extend(from_config.paths);
        opts.noise.labels.extend(from_config.labels);
        opts.noise.annotations.extend(from_config.annotations);
    }
    opts
}

/// Normalizes both sides (in parallel) and compares them.
pub fn compare<'a>(sides: &'a mut Sides, opts: &Options) -> DiffReport<'a> {
    rayon::join(
        || kdiff::prepare(&mut sides.old, opts),
        || kdiff::prepare(&mut sides.new, opts),
    );
    kdiff::diff(&sides.old, &sides.new, opts)
}
