//! The library API: Helm's `--output-dir` layout of [`render_chart`] and its warnings for
//! functions whose output cannot be reproduced offline.

// Test code: a panic is the failure report, and printing explains a skipped comparison.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};

use helm_render::{RenderOptions, RenderWarning, render_chart};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/helm")
}

const FILES_CHART_CONFIGMAP: &str = r#"---
# Source: files-chart/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: rel-files
  namespace: ns
data:
  app.conf: |
    port=80
    name=demo
  first: "line one"
  ignored: ""
  bak: ""
  big: "1e+06"
  keep: "true"
  drop: "me"
  chart: "files-chart-1.2.3-9.9"
  template: "files-chart/templates/configmap.yaml"
  basepath: "files-chart/templates"
"#;

const FILES_CHART_HOOKS: &str = r#"---
# Source: files-chart/templates/hooks.yaml
apiVersion: v1
kind: Pod
metadata:
  name: test-pod
  annotations:
    "helm.sh/hook": test-success
---
# Source: files-chart/templates/hooks.yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: pre
  annotations:
    "helm.sh/hook": pre-install,post-upgrade
"#;

/// The library API `sync` uses: Helm's --output-dir layout and warnings for lookup/random use.
#[test]
fn render_chart_output_dir_layout_and_warnings() {
    let opts = RenderOptions {
        release: "rel".into(),
        namespace: "ns".into(),
        ..Default::default()
    };
    let (files, warnings) = render_chart(&fixtures().join("local/files-chart"), &opts).unwrap();
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "files-chart/templates/secret.yaml",
            "files-chart/templates/configmap.yaml",
            "files-chart/templates/hooks.yaml"
        ]
    );
    assert_eq!(files[1].content, FILES_CHART_CONFIGMAP);
    assert_eq!(files[2].content, FILES_CHART_HOOKS);
    let codes: Vec<&str> = warnings.iter().map(RenderWarning::function).collect();
    assert!(codes.contains(&"lookup"), "{warnings:?}");
    assert!(
        warnings
            .iter()
            .any(|w| matches!(w, RenderWarning::Nondeterministic { .. })),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .all(|w| w.template() == "files-chart/templates/secret.yaml")
    );

    // Every document of the real metallb render lands in the file named by its Source line.
    let opts = RenderOptions {
        release: "metallb".into(),
        namespace: "metallb-system".into(),
        kube_version: Some("1.31.0".into()),
        ..Default::default()
    };
    let (files, warnings) = render_chart(&fixtures().join("charts/metallb/0.16.1"), &opts).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let expected =
        std::fs::read_to_string(fixtures().join("real/metallb-0.16.1-default.yaml")).unwrap();
    let total: usize = files
        .iter()
        .map(|f| f.content.matches("# Source: ").count())
        .sum();
    assert_eq!(total, expected.matches("# Source: ").count());
    for f in &files {
        for doc in f.content.split("---\n").filter(|d| !d.is_empty()) {
            assert!(doc.starts_with(&format!("# Source: {}\n", f.path)));
            assert!(
                expected.contains(doc),
                "document of {} not in helm's output",
                f.path
            );
        }
    }
}

/// A template with a regular document and a hook keeps both in the output-dir layout (Helm's
/// own --output-dir would let the hook truncate the file).
#[test]
fn render_chart_keeps_regular_documents_next_to_hooks() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = tmp.path().join("mixed");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: mixed\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        chart.join("templates/all.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\n  annotations:\n    helm.sh/hook: post-install\n",
    )
    .unwrap();
    let (files, _) = render_chart(&chart, &RenderOptions::default()).unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(
        files[0].content,
        "---\n# Source: mixed/templates/all.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n# Source: mixed/templates/all.yaml\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\n  annotations:\n    helm.sh/hook: post-install\n"
    );
}
