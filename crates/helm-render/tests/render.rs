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

/// Helm's objects as Helm 3.16 exposes them: `.Files` as a `map[string][]byte` (range, len,
/// Glob, bytes kept for b64enc), `.Capabilities.APIVersions` as a `[]string` (has, .Has),
/// HelmVersion printed as a struct, the type names typeOf reports; and in Helm 4 mode
/// `.Chart` as a map and Helm 4's capabilities.
#[test]
fn helm_objects_behave_like_helms() {
    use base64::Engine as _;
    let tmp = tempfile::tempdir().unwrap();
    let chart = tmp.path().join("objs");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::create_dir_all(chart.join("files")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: objs\nversion: 0.1.0\n",
    )
    .unwrap();
    let binary: Vec<u8> = vec![0x42, 0x5a, 0x68, 0xff, 0x00, 0x80, 0xc3];
    std::fs::write(chart.join("files/data.bin"), &binary).unwrap();
    std::fs::write(chart.join("files/a.txt"), "A").unwrap();
    std::fs::write(
        chart.join("templates/cm.yaml"),
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: objs
data:
  bin: {{ .Files.Get "files/data.bin" | b64enc | quote }}
  glob: "{{ range $p, $b := .Files.Glob "files/*" }}{{ $p }}={{ len $b }};{{ end }}"
  one: "{{ range .Files.Glob "files/*.txt" }}{{ printf "%s" . }}{{ end }}"
  count: "{{ len (.Files.Glob "files/*") }}"
  none: {{ (.Files.Glob "nothing/*").AsConfig | quote }}
  has: "{{ has "apps/v1" .Capabilities.APIVersions }} {{ .Capabilities.APIVersions.Has "apps/v1" }}"
  helm: {{ .Capabilities.HelmVersion | quote }}
  types: "{{ typeOf .Chart }}|{{ kindOf .Chart }}|{{ typeOf .Values }}|{{ typeOf .Files }}|{{ kindOf .Files }}|{{ typeOf .Capabilities.APIVersions }}"
  kube: "{{ .Capabilities.KubeVersion }}"
"#,
    )
    .unwrap();
    let rel = helm_render::render_release(&chart, &RenderOptions::default()).unwrap();
    let text = &rel.manifests[0].content;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&binary);
    for want in [
        format!("bin: \"{b64}\""),
        "glob: \"files/a.txt=1;files/data.bin=7;\"".to_string(),
        "one: \"A\"".to_string(),
        "count: \"2\"".to_string(),
        "none: \"{}\"".to_string(),
        "has: \"true true\"".to_string(),
        "helm: \"{v3.16.4 7877b45b63f95635153b29a42c0c2f4273ec45ca clean go1.22.7}\"".to_string(),
        "types: \"struct { chart.Metadata; IsRoot bool }|struct|chartutil.Values|engine.files|map|chartutil.VersionSet\"".to_string(),
        "kube: \"v1.31.0\"".to_string(),
    ] {
        assert!(text.contains(&want), "{want} in\n{text}");
    }

    std::fs::write(
        chart.join("templates/cm.yaml"),
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: objs
data:
  types: "{{ typeOf .Chart }}|{{ .Chart.Name }}|{{ .Chart.IsRoot }}|{{ typeOf .Values }}|{{ typeOf .Capabilities }}"
  kube: "{{ .Capabilities.KubeVersion }}"
  pretty: {{ toYamlPretty (dict "a" (list 1 2)) | quote }}
"#,
    )
    .unwrap();
    let opts = RenderOptions {
        helm_version: helm_render::HelmVersion::V4,
        ..RenderOptions::default()
    };
    let rel = helm_render::render_release(&chart, &opts).unwrap();
    let text = &rel.manifests[0].content;
    for want in [
        "types: \"map[string]interface {}|objs|true|common.Values|*common.Capabilities\"",
        "kube: \"v1.36.0\"",
        "pretty: \"a:\\n  - 1\\n  - 2\"",
    ] {
        assert!(text.contains(want), "{want} in\n{text}");
    }
    // Helm 3 does not know Helm 4's functions.
    let err = helm_render::render_release(&chart, &RenderOptions::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("function \"toYamlPretty\" not defined"),
        "{err}"
    );
}
