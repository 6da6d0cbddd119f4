//! `vendor diff OLD NEW` and `vendor diff NAME [--to VERSION]`: glue over `crate::flows::diff`.

use miette::IntoDiagnostic;

use super::{Format, GlobalArgs, Outcome};
use crate::flows::diff as flow;
use crate::report::progress::{Progress, ProgressStyle};
use crate::report::{DiffOptions, Output};
use kdiff::{NoiseFilter, Options, Pattern};

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
    /// List resources whose only changes are to the labels of `[diff] summarize-labels`
    /// (default `helm.sh/chart`, `app.kubernetes.io/version`) one by one, instead of one line.
    #[arg(long)]
    pub no_summarize_labels: bool,
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
            summarize_labels: Vec::new(),
        }
    }
}

pub fn run(global: &GlobalArgs, args: Args) -> miette::Result<Outcome> {
    if let Some(threshold) = args.detect_renames
        && !(0.0..=1.0).contains(&threshold)
    {
        return Err(miette::miette!(
            help = "use a similarity between 0 and 1, e.g. --detect-renames=0.8",
            "--detect-renames {threshold} is out of range"
        ));
    }
    let mut sides = match &args.new {
        Some(new) => flow::paths(&args.old, new)?,
        None => {
            let config = super::load_config(global)?;
            let entry = config
                .entry(&args.old)
                .ok_or_else(|| super::unknown_entry(&config, &args.old))?;
            let req = flow::EntryRequest {
                to: args.to.clone(),
                patched: args.patched,
                offline: args.offline,
                progress: Progress::new(ProgressStyle::detect(global.quiet)),
            };
            let sides = flow::entry(&config, entry, &req);
            req.progress.finish();
            match sides {
                Ok(sides) => sides,
                Err(flow::DiffError::PatchesBroken {
                    dir,
                    over,
                    findings,
                }) => {
                    // Exit 1 (patches that no longer apply), naming each failing patch.
                    let mut text = String::new();
                    for f in &findings {
                        text.push_str(&crate::report::human::findings::compact(f));
                    }
                    eprint!("{text}");
                    let e = flow::DiffError::PatchesBroken {
                        dir,
                        over,
                        findings,
                    };
                    eprintln!("{:?}", miette::Report::new(e));
                    return Ok(Outcome::Findings);
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    let opts = flow::options(
        args.options(),
        optional_config(global)?.as_ref(),
        !args.no_summarize_labels,
    );
    let diff_opts = DiffOptions {
        old_label: sides.old_label.clone(),
        new_label: sides.new_label.clone(),
        color: global.format == Format::Human && global.color_stdout(),
    };
    let result = flow::compare(&mut sides, &opts);
    if !(global.quiet && global.format == Format::Human) {
        super::print(global, Output::Diff(&result, &diff_opts))?;
    }
    let outcome = if args.exit_code && result.has_differences() {
        Outcome::Findings
    } else {
        Outcome::Clean
    };
    drop(result);
    // Freeing two multi-megabyte trees node by node costs ~10% of the run; the process exits next.
    std::mem::forget(sides);
    Ok(outcome)
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
