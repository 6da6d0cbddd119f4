//! `vendor init`: writes a commented starter vendor.toml (never overwriting one).

use miette::{IntoDiagnostic, Result};

use super::{GlobalArgs, Outcome};

#[derive(Debug, clap::Args)]
pub struct Args {}

/// The starter file: valid as written, every key explained.
pub const STARTER: &str = r#"# vendor.toml: what this repository vendors from upstream, and how it is checked.
# Reference: the README of vendor. Run `vendor sync` after editing.

[settings]
upstream-dir = "upstream"   # vendored upstream content, never edited by hand
patches-dir = "patches"     # your Kustomize overlays: patches/NAME/kustomization.yaml
kube-version = "1.31.0"     # the Kubernetes version charts are rendered for
helm = "4"                  # render charts as Helm 4's `helm template` does ("3": Helm 3)

[policy.images]
deny-latest = true          # `:latest` or no tag at all is an error
require-digest = false      # warn on images pinned by tag only
allow-registries = []       # e.g. ["quay.io", "registry.k8s.io"]; empty allows any

# What `vendor diff` and `vendor update` reports leave out or summarise (these are the defaults).
[diff]
ignore-paths = []           # field paths as the diff prints them, e.g. "spec.replicas"
ignore-labels = []          # label keys, `*` matches anything
ignore-annotations = []     # annotation keys, e.g. "checksum/*"
# Resources whose only changes are these labels are counted in one line, not listed.
summarize-labels = ["helm.sh/chart", "app.kubernetes.io/version"]

# Finding levels: "allow", "warn" or "deny" per code (`vendor check --explain CODE`).
# -A/-W/-D on the command line win; an entry can have its own: lints = { CODE = "allow" }.
[lints]
# object-too-large = "allow"   # when you apply server-side
# patch-no-op = "deny"

# A raw upstream manifest: one URL (or a list), `{version}` is replaced by `version`.
[manifest.argocd]
url = "https://raw.githubusercontent.com/argoproj/argo-cd/{version}/manifests/install.yaml"
version = "v2.14.21"
track = "~2.14"             # the range `vendor update` may move within
versions = { github-releases = "argoproj/argo-cd" }

# A Helm chart from an HTTP repository (or repo = "oci://registry/path").
# [chart.ingress-nginx]
# repo = "https://kubernetes.github.io/ingress-nginx"
# chart = "ingress-nginx"
# version = "4.14.5"
# track = "^4"
# release = "ingress-nginx"
# namespace = "ingress-nginx"
# values = ["values/ingress-nginx.yaml"]
"#;

pub fn run(global: &GlobalArgs, _args: Args) -> Result<Outcome> {
    let path = match &global.manifest_path {
        Some(p) => p.clone(),
        None => std::env::current_dir()
            .into_diagnostic()?
            .join(crate::config::FILE_NAME),
    };
    if path.exists() {
        return Err(miette::miette!(
            help = "edit the existing file, or remove it first",
            "{} already exists",
            path.display()
        ));
    }
    match crate::config::lock::create_atomically(&path, STARTER.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(miette::miette!(
                help = "edit the existing file, or remove it first",
                "{} already exists",
                path.display()
            ));
        }
        r => r.into_diagnostic()?,
    }
    if !global.quiet {
        eprintln!("wrote {}; next: `vendor sync`", path.display());
    }
    Ok(Outcome::Clean)
}

#[cfg(test)]
mod tests {
    #[test]
    fn starter_is_a_valid_vendor_toml_with_the_defaults_it_states() {
        let c = crate::config::parse(std::path::Path::new("vendor.toml"), super::STARTER.into())
            .unwrap();
        assert_eq!(c.entries.len(), 1);
        assert_eq!(c.diff, crate::config::DiffNoise::default());
        assert!(c.lints.is_empty());
        // The commented lints are valid codes and levels once uncommented.
        let uncommented = super::STARTER.replace("# object-too-large", "object-too-large");
        let c = crate::config::parse(std::path::Path::new("vendor.toml"), uncommented).unwrap();
        assert_eq!(
            c.lints.get(crate::diag::Code::ObjectTooLarge),
            Some(crate::diag::Level::Allow)
        );
        // New repositories render charts as Helm 4 does.
        assert_eq!(c.settings.helm, helm_render::HelmVersion::V4);
    }
}
