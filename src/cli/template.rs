//! `vendor template`: `helm template` flags, output and error text (see the `helm-render`
//! crate).

use std::io::Write;
use std::path::PathBuf;

use super::{GlobalArgs, Outcome};
use helm_render::{RenderOptions, TemplateArgs};

/// Render a chart directory or .tgz exactly as `helm template` would.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub flags: Box<Flags>,
}

/// The `helm template` flags (boxed: they are large next to other commands' arguments).
#[derive(Debug, clap::Args)]
pub struct Flags {
    /// `[NAME] CHART`: optional release name, then the chart directory or .tgz archive.
    #[arg(value_name = "ARGS", num_args = 0..)]
    pub args: Vec<String>,
    /// Release name (default: release-name); same as the positional NAME.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Template for the release name (Go template, Sprig functions).
    #[arg(long, value_name = "TEMPLATE")]
    pub name_template: Option<String>,
    /// Generate the release name (accepted for compatibility; helm template ignores it).
    #[arg(short = 'g', long)]
    pub generate_name: bool,
    /// Namespace of the release (default: default).
    #[arg(short = 'n', long, value_name = "NS")]
    pub namespace: Option<String>,
    /// Values files, merged in order.
    #[arg(
        short = 'f',
        long = "values",
        value_name = "FILE",
        value_delimiter = ','
    )]
    pub values: Vec<PathBuf>,
    /// Set values (a.b=c, lists a={x,y}, a[0]=x).
    #[arg(long = "set", value_name = "K=V")]
    pub set: Vec<String>,
    /// Set string values.
    #[arg(long = "set-string", value_name = "K=V")]
    pub set_string: Vec<String>,
    /// Set JSON values.
    #[arg(long = "set-json", value_name = "K=JSON")]
    pub set_json: Vec<String>,
    /// Set values from files (the file content becomes the value).
    #[arg(long = "set-file", value_name = "K=PATH")]
    pub set_file: Vec<String>,
    /// Set literal string values (no parsing of commas or types).
    #[arg(long = "set-literal", value_name = "K=V")]
    pub set_literal: Vec<String>,
    /// Kubernetes version for .Capabilities (default: 1.31.0 as Helm 3.16, 1.36.0 as Helm 4.2).
    #[arg(long, value_name = "V")]
    pub kube_version: Option<String>,
    /// Extra API versions for .Capabilities.APIVersions.
    #[arg(
        short = 'a',
        long = "api-versions",
        value_name = "V",
        value_delimiter = ','
    )]
    pub api_versions: Vec<String>,
    /// Include the crds/ directories in the output.
    #[arg(long)]
    pub include_crds: bool,
    /// Leave out test hooks.
    #[arg(long)]
    pub skip_tests: bool,
    /// Leave out hooks.
    #[arg(long)]
    pub no_hooks: bool,
    /// Render as an upgrade (.Release.IsUpgrade).
    #[arg(long)]
    pub is_upgrade: bool,
    /// Only show manifests rendered from these templates (globs allowed).
    #[arg(short = 's', long = "show-only", value_name = "TEMPLATE")]
    pub show_only: Vec<String>,
    /// On render errors, print the rendered output before the error.
    #[arg(long)]
    pub debug: bool,
    /// Which Helm's `helm template` to reproduce: 3 (Helm v3.16, the default) or 4 (v4.2).
    #[arg(long, value_name = "3|4", default_value = "3")]
    pub helm_version: helm_render::HelmVersion,
}

pub fn run(_global: &GlobalArgs, args: Args) -> miette::Result<Outcome> {
    let args = *args.flags;
    let mut opts = RenderOptions::default();
    if let Some(ns) = args.namespace {
        opts.namespace = ns;
    }
    opts.values_files = args.values;
    opts.set = args.set;
    opts.set_string = args.set_string;
    opts.set_json = args.set_json;
    opts.set_file = args.set_file;
    opts.set_literal = args.set_literal;
    opts.kube_version = args.kube_version;
    opts.api_versions = args.api_versions;
    opts.include_crds = args.include_crds;
    opts.skip_tests = args.skip_tests;
    opts.no_hooks = args.no_hooks;
    opts.is_upgrade = args.is_upgrade;
    opts.helm_version = args.helm_version;
    let targs = TemplateArgs {
        args: args.args,
        name: args.name,
        name_template: args.name_template,
        generate_name: args.generate_name,
        show_only: args.show_only,
        debug: args.debug,
    };
    let out = helm_render::template(&targs, &opts);
    super::write_stdout(&out.stdout)?;
    if out.exit_code == 2 {
        // A resource limit of the template engine: an error of vendor's own (exit 2).
        let msg = out.stderr.trim_end();
        let msg = msg.strip_prefix("Error: ").unwrap_or(msg);
        let msg = msg
            .strip_suffix("Use --debug flag to render out invalid YAML")
            .unwrap_or(msg)
            .trim_end();
        return Err(miette::miette!("{}", crate::report::text::terminal(msg)));
    }
    // Warnings and errors quote the chart: escaped like every report (stdout is the YAML).
    let _ = std::io::stderr().write_all(crate::report::text::terminal(&out.stderr).as_bytes());
    // Helm's error text is already on stderr; like helm, a failed render exits 1.
    Ok(if out.exit_code == 0 {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}
