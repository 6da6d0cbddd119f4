//! `vendor build DIR`: kustomize-compatible build to stdout; patch and image findings to stderr.

use std::io::Write;
use std::path::PathBuf;

use super::{GlobalArgs, Outcome};
use crate::diag::Level;
use kustomize::{self, BuildOptions};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory holding a kustomization.yaml.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Refuse to read files outside this directory (default: no limit beyond kustomize's own).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Where a kustomization may read files from, as kustomize's flag:
    /// `LoadRestrictionsRootOnly` (in or below its own directory) or `LoadRestrictionsNone`.
    #[arg(long, value_name = "RESTRICTOR", default_value = "LoadRestrictionsRootOnly",
          value_parser = ["LoadRestrictionsRootOnly", "LoadRestrictionsNone"])]
    pub load_restrictor: String,
    /// Render `helmCharts:` entries (kustomize's --enable-helm) with vendor's own Helm engine.
    #[arg(long)]
    pub enable_helm: bool,
    #[command(flatten)]
    pub levels: super::levels::LevelArgs,
}

pub fn run(global: &GlobalArgs, args: Args) -> miette::Result<Outcome> {
    let overrides = args.levels.overrides()?;
    let opts = BuildOptions {
        root: args.root,
        load_restrictor: if args.load_restrictor == "LoadRestrictionsNone" {
            kustomize::LoadRestrictor::None
        } else {
            kustomize::LoadRestrictor::RootOnly
        },
        enable_helm: args.enable_helm,
        helm: args.enable_helm.then(|| {
            std::sync::Arc::new(crate::render::ChartRenderer::new(false))
                as std::sync::Arc<dyn kustomize::ChartInflater>
        }),
        ..Default::default()
    };
    let out = kustomize::build(&args.dir, &opts).map_err(|e| {
        let mut r = miette::miette!("{e}");
        if let Some(h) = e.help.clone() {
            r = miette::miette!(help = h, "{e}");
        }
        r
    })?;
    // Fail closed: with an error-level finding nothing reaches stdout, so `vendor build DIR |
    // kubectl apply -f -` never applies an overlay whose patches failed or found no target
    // (kustomize itself ignores a patch without a target; `-A patch-target-missing` does too).
    let mut findings: Vec<crate::diag::Finding> = out
        .findings
        .iter()
        .cloned()
        .map(crate::render::kustomize_finding)
        .collect();
    overrides.apply(&mut findings);
    let worst = findings
        .iter()
        .map(|f| f.level)
        .max()
        .unwrap_or(Level::Allow);
    if worst < Level::Deny {
        let objects = kustomize::render_objects(&out);
        let separated = objects
            .iter()
            .enumerate()
            .flat_map(|(i, object)| [if i == 0 { "" } else { "---\n" }, object.as_str()]);
        super::write_stdout_parts(separated)?;
    }
    // The process ends after this command: freeing the objects (a large tree of small
    // allocations) one by one would only add time.
    std::mem::forget(out.resources);
    let mut stderr = std::io::stderr().lock();
    if !global.quiet {
        for w in &out.warnings {
            let _ = writeln!(stderr, "{}", crate::report::text::terminal(&w.to_string()));
        }
    }
    for f in &findings {
        if global.quiet && f.level < Level::Deny {
            continue;
        }
        let _ = write!(stderr, "{}", crate::report::human::findings::compact(f));
    }
    if worst == Level::Deny {
        let _ = writeln!(
            stderr,
            "error: {} does not build cleanly: nothing was written to stdout",
            args.dir.display()
        );
        return Ok(Outcome::Findings);
    }
    Ok(Outcome::Clean)
}
