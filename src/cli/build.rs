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
}

pub fn run(global: &GlobalArgs, args: Args) -> miette::Result<Outcome> {
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
    let text = kustomize::render(&out);
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(text.as_bytes()) {
        // A closed pipe (`vendor build DIR | head`) is not a failure.
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Ok(Outcome::Clean);
        }
        return Err(miette::miette!("cannot write output: {e}"));
    }
    stdout.flush().ok();
    let mut stderr = std::io::stderr().lock();
    if !global.quiet {
        for w in &out.warnings {
            let _ = writeln!(stderr, "{}", crate::report::text::terminal(&w.to_string()));
        }
    }
    let mut worst = Level::Allow;
    for f in out
        .findings
        .into_iter()
        .map(crate::render::kustomize_finding)
    {
        worst = worst.max(f.level);
        if global.quiet && f.level < Level::Deny {
            continue;
        }
        let _ = write!(stderr, "{}", crate::report::human::findings::compact(&f));
    }
    Ok(if worst == Level::Deny {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
