//! The `[settings]`, `[diff]` and `[policy.images]` tables.

use toml_edit::TableLike;

use super::entries::{is_version, normalize};
use super::{Keys, Validator};
use crate::config::{ImagePolicy, Problem, Settings};

pub(super) const SETTINGS_KEYS: &[&str] = &["upstream-dir", "patches-dir", "kube-version", "helm"];
pub(super) const POLICY_IMAGES_KEYS: &[&str] = &[
    "deny-latest",
    "require-digest",
    "allow-registries",
    "floating-tags",
];
pub(super) const DIFF_KEYS: &[&str] = &[
    "ignore-paths",
    "ignore-labels",
    "ignore-annotations",
    "summarize-labels",
];

impl Validator {
    pub(super) fn settings(&mut self, t: &dyn TableLike) -> Settings {
        let keys = Keys::new(t, "[settings]", SETTINGS_KEYS);
        self.unknown_keys(&keys);
        let mut s = Settings::default();
        if let Some((dir, span)) = self.string(&keys, "upstream-dir") {
            self.repo_path("upstream-dir", &dir, span);
            s.upstream_dir = dir;
        }
        if let Some((dir, span)) = self.string(&keys, "patches-dir") {
            self.repo_path("patches-dir", &dir, span.clone());
            if normalize(&dir) == normalize(&s.upstream_dir) {
                self.problems.push(
                    Problem::new(
                        "`patches-dir` is the same directory as `upstream-dir`",
                        span,
                    )
                    .label("same directory")
                    .help("vendored files and patches must live in different directories"),
                );
            }
            s.patches_dir = dir;
        }
        if let Some((v, span)) = self.string(&keys, "kube-version") {
            if !is_version(&v) {
                self.problems.push(
                    Problem::new(format!("`kube-version` {v:?} is not a version"), span)
                        .label("expected MAJOR.MINOR.PATCH")
                        .help("write it like \"1.31.0\""),
                );
            }
            s.kube_version = v.trim_start_matches('v').to_string();
        }
        if let Some((v, span)) = self.string(&keys, "helm") {
            match v.as_str() {
                "3" => s.helm = helm_render::HelmVersion::V3,
                "4" => s.helm = helm_render::HelmVersion::V4,
                _ => self.problems.push(
                    Problem::new(format!("`helm` {v:?} is not a supported Helm version"), span)
                        .label("expected \"3\" or \"4\"")
                        .help("write helm = \"4\" to render charts as Helm 4 does, \"3\" (the default) as Helm 3"),
                ),
            }
        }
        s
    }

    pub(super) fn diff(&mut self, t: &dyn TableLike) -> crate::config::DiffNoise {
        let keys = Keys::new(t, "[diff]", DIFF_KEYS);
        self.unknown_keys(&keys);
        let mut list = |key: &str| {
            self.string_list(&keys, key)
                .map(|l| l.into_iter().map(|(s, _)| s).collect::<Vec<String>>())
        };
        let defaults = crate::config::DiffNoise::default();
        crate::config::DiffNoise {
            ignore_paths: list("ignore-paths").unwrap_or_default(),
            ignore_labels: list("ignore-labels").unwrap_or_default(),
            ignore_annotations: list("ignore-annotations").unwrap_or_default(),
            summarize_labels: list("summarize-labels").unwrap_or(defaults.summarize_labels),
        }
    }

    pub(super) fn policy(&mut self, t: &dyn TableLike) -> ImagePolicy {
        let keys = Keys::new(t, "[policy]", &["images"]);
        self.unknown_keys(&keys);
        let mut p = ImagePolicy::default();
        let Some((_, item)) = keys.get("images") else {
            return p;
        };
        let Some(t) = item.as_table_like() else {
            self.type_error("policy.images", "a table", item);
            return p;
        };
        let keys = Keys::new(t, "[policy.images]", POLICY_IMAGES_KEYS);
        self.unknown_keys(&keys);
        if let Some(b) = self.bool(&keys, "deny-latest") {
            p.deny_latest = b;
        }
        if let Some(b) = self.bool(&keys, "require-digest") {
            p.require_digest = b;
        }
        if let Some(list) = self.string_list(&keys, "allow-registries") {
            for (r, span) in &list {
                if r.is_empty() || r.contains("://") || r.contains(char::is_whitespace) {
                    self.problems.push(
                        Problem::new(format!("{r:?} is not a registry host"), span.clone())
                            .label("expected a host such as registry.k8s.io or quay.io/org")
                            .help("write the registry host (and optional path prefix) without a scheme"),
                    );
                }
            }
            p.allow_registries = list.into_iter().map(|(s, _)| s).collect();
        }
        if let Some(list) = self.string_list(&keys, "floating-tags") {
            p.floating_tags = list.into_iter().map(|(s, _)| s).collect();
        }
        p
    }
}
