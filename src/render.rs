//! The seam between the app and the engines: what an entry of vendor.toml means for an engine
//! (a chart entry as `helm template` flags for `helm_render`), and what the engines report, as
//! the app's findings (codes and levels) for chart renders and kustomize builds.

use std::collections::BTreeSet;

use helm_render::{RenderOptions, RenderWarning};

use crate::config::{Config, Entry, Source};
use crate::diag::{Code, Finding, Level};

/// How `sync`, `diff` and `update` render a chart entry of vendor.toml: its release name
/// (default: the entry name), namespace (default `default`), values files (relative to
/// vendor.toml), the settings' kube-version and Helm version (`[settings] helm`, Helm 3 by
/// default; [`RenderOptions::helm_version`] is the mode to record with the render), with
/// CRDs and without test hooks. `None` for entries that are not charts.
pub fn options_for_entry(config: &Config, entry: &Entry) -> Option<RenderOptions> {
    let Source::Chart {
        release,
        namespace,
        values,
        ..
    } = &entry.source
    else {
        return None;
    };
    Some(RenderOptions {
        release: release.clone().unwrap_or_else(|| entry.name.clone()),
        namespace: namespace.clone().unwrap_or_else(|| "default".into()),
        values_files: values.iter().map(|v| config.root.join(v)).collect(),
        kube_version: Some(config.settings.kube_version.clone()),
        helm_version: config.settings.helm,
        include_crds: true,
        skip_tests: true,
        ..RenderOptions::default()
    })
}

/// Findings for the engine's warnings: one per (function, template), `lookup` as
/// [`Code::ChartUsesLookup`], everything else as [`Code::ChartNondeterministic`].
pub fn warning_findings(warnings: &[RenderWarning]) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    let mut seen = BTreeSet::new();
    for w in warnings {
        if !seen.insert((w.function(), w.template())) {
            continue;
        }
        let f = match w {
            RenderWarning::Lookup { template, line } => Finding::new(
                Code::ChartUsesLookup,
                format!("template {template} calls `lookup` (line {line}), which is always empty in an offline render"),
            )
            .help("set the values the chart would have looked up, or patch the result in the overlay"),
            RenderWarning::Nondeterministic {
                function,
                template,
                line,
            } => Finding::new(
                Code::ChartNondeterministic,
                format!(
                    "template {template} calls `{function}` (line {line}): its output changes on every render"
                ),
            )
            .help("set the value explicitly (e.g. an existing secret) so renders are reproducible"),
        };
        out.push(f.file(w.template().to_string()));
    }
    out
}

/// A kustomize build finding as a vendor finding: its code, and its level (a list item added
/// where upstream probably renamed the container is an error, not a warning).
pub fn kustomize_finding(f: kustomize::Finding) -> Finding {
    use kustomize::FindingKind as K;
    let code = match f.kind {
        K::PatchTargetMissing => Code::PatchTargetMissing,
        K::PatchNoOp => Code::PatchNoOp,
        K::PatchAddsListItem { .. } => Code::PatchAddsListItem,
        K::Json6902OpFailed => Code::Json6902OpFailed,
        K::ImageOverrideUnused => Code::ImageOverrideUnused,
    };
    let mut out = Finding::new(code, f.message).file(f.file).at(f.pos);
    if let K::PatchAddsListItem {
        likely_renamed: true,
    } = f.kind
    {
        out.level = Level::Deny;
    }
    out.resource = f.resource;
    out.help = f.help;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_become_one_finding_per_function_and_template() {
        let w = |function: &str, template: &str, line| {
            if function == "lookup" {
                RenderWarning::Lookup {
                    template: template.into(),
                    line,
                }
            } else {
                RenderWarning::Nondeterministic {
                    function: function.into(),
                    template: template.into(),
                    line,
                }
            }
        };
        let findings = warning_findings(&[
            w("lookup", "c/templates/a.yaml", 3),
            w("randAlphaNum", "c/templates/a.yaml", 5),
            w("randAlphaNum", "c/templates/a.yaml", 9),
            w("lookup", "c/templates/b.yaml", 1),
        ]);
        let got: Vec<(Code, String)> = findings
            .iter()
            .map(|f| (f.code, f.message.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    Code::ChartUsesLookup,
                    "template c/templates/a.yaml calls `lookup` (line 3), which is always empty in an offline render".to_string()
                ),
                (
                    Code::ChartNondeterministic,
                    "template c/templates/a.yaml calls `randAlphaNum` (line 5): its output changes on every render".to_string()
                ),
                (
                    Code::ChartUsesLookup,
                    "template c/templates/b.yaml calls `lookup` (line 1), which is always empty in an offline render".to_string()
                ),
            ]
        );
    }
}
