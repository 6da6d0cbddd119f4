//! `vendor diff OLD NEW` and `vendor diff NAME [--to VERSION]`: glue between the command line,
//! `crate::sources` (fetching upstream at another version for the NAME form) and `crate::diff`.
//! Both forms load two resource sets and end in [`report`].

use std::io::Write;
use std::path::Path;

use miette::{IntoDiagnostic, WrapErr};

use super::{Format, GlobalArgs, Outcome};
use crate::diff::render::{self, RenderOptions};
use crate::diff::{self, NoiseFilter, Options, Pattern, Resource};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  vendor diff argocd --to v2.14.22\n  \
                  vendor diff old/install.yaml new/install.yaml --exit-code\n  \
                  vendor diff old-dir/ new-dir/ --format markdown > body.md\n  \
                  vendor template chart/ | vendor diff rendered.yaml -")]
pub struct Args {
    /// The old side: a manifest file, a directory of manifests, or `-` for stdin. With a single
    /// argument: the name of a vendor.toml entry (vendored tree against upstream).
    #[arg(value_name = "OLD|NAME")]
    pub old: String,
    /// The new side: a manifest file, a directory of manifests, or `-` for stdin.
    #[arg(value_name = "NEW")]
    pub new: Option<String>,
    /// NAME form: the upstream version to compare the vendored tree with.
    #[arg(long, value_name = "VERSION")]
    pub to: Option<String>,
    /// NAME form: run both sides through the entry's patch overlay.
    #[arg(long)]
    pub patched: bool,
    /// NAME form: use only the download cache, never the network.
    #[arg(long)]
    pub offline: bool,
    /// Exit with 1 when there are differences (0 when none).
    #[arg(long)]
    pub exit_code: bool,
    /// Show Secret data instead of masking it.
    #[arg(long)]
    pub show_secrets: bool,
    /// Ignore changes at a field path (as printed; `*` matches anything), e.g.
    /// `spec.replicas` or `spec.template.spec.containers[*].image`. Repeatable.
    #[arg(long = "ignore-path", value_name = "PATH")]
    pub ignore_paths: Vec<String>,
    /// Ignore a label key everywhere in an object (`*` matches anything). Repeatable.
    #[arg(long = "ignore-label", value_name = "KEY")]
    pub ignore_labels: Vec<String>,
    /// Ignore an annotation key everywhere in an object, e.g. `checksum/*`. Repeatable.
    #[arg(long = "ignore-annotation", value_name = "KEY")]
    pub ignore_annotations: Vec<String>,
    /// Pair removed and added objects of the same kind as renames when their content is at
    /// least this similar (0..1).
    #[arg(
        long,
        value_name = "SIMILARITY",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "0.8"
    )]
    pub detect_renames: Option<f64>,
    /// Kubernetes version for the deprecated/removed API highlights (e.g. 1.31; default: the
    /// `kube-version` setting of vendor.toml when one is found).
    #[arg(long, value_name = "VERSION")]
    pub kube_version: Option<String>,
}

impl Args {
    /// The comparison options the flags ask for.
    pub fn options(&self) -> Options {
        let patterns = |v: &[String]| v.iter().map(Pattern::new).collect();
        Options {
            noise: NoiseFilter {
                paths: patterns(&self.ignore_paths),
                labels: patterns(&self.ignore_labels),
                annotations: patterns(&self.ignore_annotations),
            },
            show_secrets: self.show_secrets,
            rename_threshold: self.detect_renames,
            kube_version: self.kube_version.clone(),
        }
    }
}

pub fn run(global: &GlobalArgs, args: Args) -> miette::Result<Outcome> {
    let Some(new) = args.new.clone() else {
        let name = args.old.clone();
        return run_entry(global, &args, &name);
    };
    if let Some(threshold) = args.detect_renames
        && !(0.0..=1.0).contains(&threshold)
    {
        return Err(miette::miette!(
            help = "use a similarity between 0 and 1, e.g. --detect-renames=0.8",
            "--detect-renames {threshold} is out of range"
        ));
    }
    if args.old == "-" && new == "-" {
        return Err(miette::miette!(
            help = "read at most one side from stdin",
            "both OLD and NEW are `-`"
        ));
    }
    let (old_side, new_side) = rayon::join(|| load(&args.old), || load(&new));
    report(global, &args, old_side?, new_side?, &args.old, &new)
}

/// `--patched`: both sides through the entry's overlay, `patches/NAME` built over the vendored
/// tree and over the fetched one (in a scratch copy of the repository).
fn run_patched(
    global: &GlobalArgs,
    args: &Args,
    config: &crate::config::Config,
    entry: &crate::config::Entry,
    fetched: &std::collections::BTreeMap<String, Vec<u8>>,
    upstream_label: &str,
) -> miette::Result<Outcome> {
    let name = &entry.name;
    let overlay = |root: &Path| -> miette::Result<Vec<Resource>> {
        let dir = root.join(&config.settings.patches_dir).join(name);
        let opts = crate::kustomize::BuildOptions {
            root: Some(root.to_path_buf()),
            display_base: Some(root.to_path_buf()),
            ..Default::default()
        };
        let built = crate::kustomize::build(&dir, &opts)
            .map_err(|e| miette::miette!(help = "`vendor build` shows the same error", "{e}"))
            .wrap_err_with(|| {
                format!(
                    "the overlay {}/{name} does not build",
                    config.settings.patches_dir
                )
            })?;
        diff::load_str(
            &crate::kustomize::render(&built),
            &format!("{}/{name}", config.settings.patches_dir),
            false,
        )
        .into_diagnostic()
    };
    if !config.patches_dir(entry).is_dir() {
        return Err(miette::miette!(
            help = "drop --patched to compare the upstream trees",
            "`{name}` has no overlay in {}/{name}",
            config.settings.patches_dir
        ));
    }
    let old = overlay(&config.root)?;
    let scratch = crate::workspace::scratch_repository(config, None, [(name.as_str(), fetched)])?;
    let new = overlay(scratch.path())?;
    let old_label = format!("{}/{name} ({})", config.settings.patches_dir, entry.version);
    let new_label = format!(
        "{}/{name} over {upstream_label}",
        config.settings.patches_dir
    );
    report(global, args, old, new, &old_label, &new_label)
}

/// `vendor diff NAME [--to VERSION]`: the vendored tree of an entry against upstream at VERSION
/// (default: the pinned version, which shows hand edits of the vendored copy).
fn run_entry(global: &GlobalArgs, args: &Args, name: &str) -> miette::Result<Outcome> {
    let config = super::load_config(global)?;
    let entry = config
        .entry(name)
        .ok_or_else(|| super::unknown_entry(&config, name))?;
    let vendored_dir = config.upstream_dir(entry);
    let vendored_label = format!("{} ({})", config.display_path(&vendored_dir), entry.version);
    let old = if vendored_dir.join("Chart.yaml").is_file() {
        render_chart(&config, entry, &vendored_dir, &vendored_label)?
    } else {
        diff::load_path(&vendored_dir)
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot read the vendored manifests of `{name}`"))?
    };

    let mut target = entry.clone();
    if let Some(v) = &args.to {
        target.version = v.clone();
    }
    let mut fetcher = crate::sources::Fetcher::from_env();
    fetcher.offline = args.offline;
    let prepared = crate::sources::sync::prepare(&fetcher, &config, &target)
        .wrap_err_with(|| format!("cannot fetch `{name}` at {}", target.version))?;
    let upstream_label = format!("{name}@{}", target.version);
    if args.patched {
        return run_patched(
            global,
            args,
            &config,
            entry,
            &prepared.files,
            &upstream_label,
        );
    }
    let new = diff::load_files(
        prepared
            .files
            .iter()
            .map(|(path, bytes)| (path.as_str(), bytes.as_slice())),
        &upstream_label,
    )
    .into_diagnostic()
    .wrap_err_with(|| format!("cannot read the upstream manifests of `{upstream_label}`"))?;
    report(global, args, old, new, &vendored_label, &upstream_label)
}

/// Renders a vendored chart *source* directory the way `sync` renders charts (release, namespace,
/// values files, kube-version; CRDs and hooks included, tests skipped) and loads the result. The
/// fetched side needs no rendering: `sources::sync::prepare` renders charts itself.
fn render_chart(
    config: &crate::config::Config,
    entry: &crate::config::Entry,
    chart_dir: &Path,
    label: &str,
) -> miette::Result<Vec<Resource>> {
    let crate::config::Source::Chart { chart, .. } = &entry.source else {
        return Ok(Vec::new());
    };
    let Some(opts) = crate::render::options_for_entry(config, entry) else {
        return Ok(Vec::new());
    };
    let release = helm_render::render_release(chart_dir, &opts)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot render chart {chart} for {label}"))?;
    let text = release.template_text(&opts);
    diff::load_str(&text, label, false)
        .into_diagnostic()
        .wrap_err_with(|| format!("the rendered chart of {label} is not valid YAML"))
}

/// vendor.toml, when there is one (for `[settings] kube-version` and `[diff]` noise):
/// `--manifest-path` must load; a vendor.toml found upward that does not load is ignored
/// (comparing two files does not need it).
fn optional_config(global: &GlobalArgs) -> miette::Result<Option<crate::config::Config>> {
    let cwd = std::env::current_dir().into_diagnostic()?;
    let Ok(path) = crate::config::find(global.manifest_path.as_deref(), &cwd) else {
        return Ok(None);
    };
    match crate::config::load(&path) {
        Ok(config) => Ok(Some(config)),
        Err(e) if global.manifest_path.is_some() => Err(e.into()),
        Err(_) => Ok(None),
    }
}

fn load(path: &str) -> miette::Result<Vec<Resource>> {
    diff::load_path(Path::new(path))
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot read the manifests in {path}"))
}

/// Compares two loaded sides and prints the report in the global format. Both `vendor diff OLD
/// NEW` and the NAME form end here.
pub fn report(
    global: &GlobalArgs,
    args: &Args,
    mut old: Vec<Resource>,
    mut new: Vec<Resource>,
    old_label: &str,
    new_label: &str,
) -> miette::Result<Outcome> {
    let format = match global.format {
        Format::Human => render::Format::Human,
        Format::Json => render::Format::Json,
        Format::Markdown => render::Format::Markdown,
        Format::Github => render::Format::Github,
        Format::Sarif => {
            return Err(miette::miette!(
                help = "use --format human, json, markdown or github",
                "`vendor diff` does not support --format sarif"
            ));
        }
    };
    let mut opts = args.options();
    if let Some(config) = optional_config(global)? {
        if opts.kube_version.is_none() {
            opts.kube_version = Some(config.settings.kube_version.clone());
        }
        let from_config = config.diff.filter();
        opts.noise.paths.extend(from_config.paths);
        opts.noise.labels.extend(from_config.labels);
        opts.noise.annotations.extend(from_config.annotations);
    }
    rayon::join(
        || diff::prepare(&mut old, &opts),
        || diff::prepare(&mut new, &opts),
    );
    let result = diff::diff(&old, &new, &opts);
    let render_opts = RenderOptions {
        old_label: old_label.to_string(),
        new_label: new_label.to_string(),
        color: format == render::Format::Human && global.color_stdout(),
    };
    let text = render::render(&result, format, &render_opts);
    if !(global.quiet && format == render::Format::Human) {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(text.as_bytes()).into_diagnostic()?;
        stdout.flush().into_diagnostic()?;
    }
    let outcome = if args.exit_code && result.has_differences() {
        Outcome::Findings
    } else {
        Outcome::Clean
    };
    drop(result);
    // Freeing two multi-megabyte trees node by node costs ~10% of the run; the process exits next.
    std::mem::forget(old);
    std::mem::forget(new);
    Ok(outcome)
}
