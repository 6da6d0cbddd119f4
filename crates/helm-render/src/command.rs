//! The `helm template` command: positional arguments, `--name-template`, `--show-only`,
//! `--debug`, and Helm's stdout, stderr and exit code.

use std::path::Path;

use crate::error::HelmError;
use crate::render::{RenderOptions, render_release};
use crate::{engine, glob, manifests};

/// The result of the `vendor template` command: what Helm would print and its exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateOutput {
    pub stdout: String,
    pub stderr: String,
    /// 0, 1 for Helm's errors, 2 when a resource limit of the template engine stopped the
    /// render ([`gotemplate::is_resource_limit`]).
    pub exit_code: u8,
}

/// Arguments of `helm template` beyond [`RenderOptions`].
#[derive(Debug, Clone, Default)]
pub struct TemplateArgs {
    /// Positional arguments: `[NAME] CHART`.
    pub args: Vec<String>,
    /// `--name` (our spelling of the positional NAME).
    pub name: Option<String>,
    pub name_template: Option<String>,
    pub generate_name: bool,
    pub show_only: Vec<String>,
    pub debug: bool,
}

/// Runs `helm template` with Helm's output, error texts and exit code.
pub fn template(args: &TemplateArgs, opts: &RenderOptions) -> TemplateOutput {
    let mut stdout = String::new();
    let mut stderr = String::new();
    let result = template_inner(args, opts, &mut stdout, &mut stderr);
    match result {
        Ok(()) => TemplateOutput {
            stdout,
            stderr,
            exit_code: 0,
        },
        Err(e) => {
            stderr.push_str(&format!("Error: {e}\n"));
            // A template engine resource limit (not a Helm error): exit 2.
            let exit_code = if gotemplate::is_resource_limit(&e) {
                2
            } else {
                1
            };
            TemplateOutput {
                stdout,
                stderr,
                exit_code,
            }
        }
    }
}

fn template_inner(
    args: &TemplateArgs,
    opts: &RenderOptions,
    stdout: &mut String,
    stderr: &mut String,
) -> Result<(), String> {
    let mut positional = args.args.clone();
    if let Some(n) = &args.name {
        positional.insert(0, n.clone());
    }
    if positional.is_empty() {
        return Err("\"helm template\" requires at least 1 argument\n\nUsage:  helm template [NAME] [CHART] [flags]".into());
    }
    if positional.len() > 2 {
        return Err(format!(
            "expected at most two arguments, unexpected arguments: {}",
            positional[2..].join(", ")
        ));
    }
    let mut opts = opts.clone();
    let chart = if positional.len() == 2 {
        if args.generate_name {
            return Err("cannot set --generate-name and also specify a name".into());
        }
        if args.name_template.is_some() {
            return Err("cannot set --name-template and also specify a name".into());
        }
        opts.release = positional[0].clone();
        positional[1].clone()
    } else {
        if let Some(t) = &args.name_template {
            opts.release = engine::render_name_template(t)?;
        }
        positional[0].clone()
    };
    let (text, install_err) = match render_release(Path::new(&chart), &opts) {
        Ok(rel) => {
            for line in &rel.log {
                stderr.push_str(line);
                stderr.push('\n');
            }
            (rel.template_text(&opts), None)
        }
        // With --debug, Helm prints what was rendered (the release's partial manifest) and
        // returns the error afterwards.
        Err(HelmError::Render { message, partial }) if args.debug => {
            (format!("{}\n", partial.trim()), Some(message))
        }
        Err(HelmError::Render { message, .. }) => {
            return Err(format!(
                "{message}\n\nUse --debug flag to render out invalid YAML"
            ));
        }
        Err(e) => return Err(e.to_string()),
    };
    let result = || install_err.clone().map_or(Ok(()), Err);
    if args.show_only.is_empty() {
        stdout.push_str(&text);
        return result();
    }
    let source = regex::Regex::new("# Source: [^/]+/(.+)").expect("valid regex");
    let docs = manifests::split_manifests(&text, opts.helm_version);
    let mut selected: Vec<&String> = Vec::new();
    for pattern in &args.show_only {
        let pattern = pattern.replace('\\', "/");
        let mut missing = true;
        for d in &docs {
            let Some(c) = source.captures(d) else {
                continue;
            };
            if !glob::glob_match(&pattern, &c[1]).unwrap_or(false) {
                continue;
            }
            selected.push(d);
            missing = false;
        }
        if missing {
            // Helm 4 assumes the manifest was too malformed to render and returns the
            // render error.
            if opts.helm_version.is_v4()
                && let Some(e) = &install_err
            {
                return Err(e.clone());
            }
            return Err(format!("could not find template {pattern} in chart"));
        }
    }
    for d in selected {
        stdout.push_str("---\n");
        stdout.push_str(d);
        stdout.push('\n');
    }
    result()
}
