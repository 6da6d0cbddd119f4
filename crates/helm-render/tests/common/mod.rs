//! Shared by the test binaries that run `helm template` command lines: the flags the recorded
//! cases use, mapped to [`TemplateArgs`] and [`RenderOptions`] as `vendor template` maps them,
//! and Helm's harness rules for comparing outputs.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use helm_render::{HelmVersion, RenderOptions, TemplateArgs, TemplateOutput};

/// Parses `template ARGS...` (the leading word is skipped); relative paths are joined to
/// `cwd`.
pub fn parse_argv(cwd: &Path, argv: &[String], helm: HelmVersion) -> (TemplateArgs, RenderOptions) {
    let mut args = TemplateArgs::default();
    let mut opts = RenderOptions {
        helm_version: helm,
        ..RenderOptions::default()
    };
    let mut it = argv.iter().skip(1); // "template"
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if a.starts_with("--") => (f, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        let mut value = || inline.clone().or_else(|| it.next().cloned()).unwrap();
        let rel = |p: String| {
            let p = PathBuf::from(p);
            if p.is_absolute() { p } else { cwd.join(p) }
        };
        match flag {
            "--name" => args.name = Some(value()),
            "--namespace" | "-n" => opts.namespace = value(),
            "--values" | "-f" => opts
                .values_files
                .extend(value().split(',').map(|p| rel(p.to_string()))),
            "--set" => opts.set.push(value()),
            "--set-string" => opts.set_string.push(value()),
            "--kube-version" => opts.kube_version = Some(value()),
            "--api-versions" | "-a" => opts
                .api_versions
                .extend(value().split(',').map(str::to_string)),
            "--name-template" => args.name_template = Some(value()),
            "--show-only" | "-s" => args.show_only.push(value()),
            "--include-crds" => opts.include_crds = true,
            "--is-upgrade" => opts.is_upgrade = true,
            "--skip-tests" => opts.skip_tests = true,
            "--no-hooks" => opts.no_hooks = true,
            "--debug" => args.debug = true,
            f if f.starts_with('-') => panic!("flag {f} not handled by the test harness"),
            chart => args.args.push(rel(chart.to_string()).display().to_string()),
        }
    }
    (args, opts)
}

/// Runs `helm template` with these arguments; chart and file paths are relative to `cwd`
/// (and are shown that way in the output, as the command line would show them).
pub fn run(cwd: &Path, argv: &[String], helm: HelmVersion) -> TemplateOutput {
    let (args, opts) = parse_argv(cwd, argv, helm);
    let prefix = format!("{}/", cwd.display());
    let out = helm_render::template(&args, &opts);
    TemplateOutput {
        stdout: out.stdout.replace(&prefix, ""),
        stderr: out.stderr.replace(&prefix, ""),
        exit_code: out.exit_code,
    }
}

/// Where two texts first differ, for failure messages.
pub fn first_difference(want: &str, got: &str) -> String {
    for (i, (w, g)) in want.lines().zip(got.lines()).enumerate() {
        if w != g {
            return format!("line {}: want {w:?}, got {g:?}", i + 1);
        }
    }
    format!(
        "lengths differ: want {} lines, got {} lines",
        want.lines().count(),
        got.lines().count()
    )
}
