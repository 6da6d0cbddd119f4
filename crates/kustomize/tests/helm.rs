//! `helmCharts:` through a stand-in [`ChartInflater`]: what the build asks the renderer for
//! (chart directory, release, values in `-f` order, flags), fetching charts missing from
//! `chartHome`, and the errors without `--enable-helm` or a chart.

#![allow(clippy::unwrap_used)] // the stand-in renderer and helpers run only in tests

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use kustomize::{BuildOptions, ChartInflater, HelmPull, HelmTemplate, HelmValues};

/// Records requests; renders one ConfigMap naming the release and chart directory.
#[derive(Default)]
struct Fake {
    templates: Mutex<Vec<HelmTemplate>>,
    pulls: Mutex<Vec<HelmPull>>,
    /// Where fetched charts go (out of the kustomization's tree).
    store: Mutex<Option<tempfile::TempDir>>,
}

impl ChartInflater for Fake {
    fn template(&self, req: &HelmTemplate) -> Result<String, String> {
        self.templates.lock().unwrap().push(req.clone());
        let chart = req.chart_dir.file_name().unwrap().to_string_lossy();
        Ok(format!(
            "---\n# Source: {chart}/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}-{chart}\n",
            if req.release_name.is_empty() {
                "release-name"
            } else {
                &req.release_name
            }
        ))
    }

    fn pull(&self, req: &HelmPull) -> Result<PathBuf, String> {
        self.pulls.lock().unwrap().push(req.clone());
        let mut store = self.store.lock().unwrap();
        let root = store.get_or_insert_with(|| tempfile::tempdir().unwrap());
        let dir = root.path().join(&req.name);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("values.yaml"), "replicas: 1\n").map_err(|e| e.to_string())?;
        Ok(dir)
    }
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn opts(fake: &Arc<Fake>) -> BuildOptions {
    BuildOptions {
        enable_helm: true,
        helm: Some(fake.clone() as Arc<dyn ChartInflater>),
        ..Default::default()
    }
}

#[test]
fn a_local_chart_renders_with_merged_values() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(
        d,
        "charts/web/values.yaml",
        "image: {tag: '1.0', pullPolicy: Always}\nreplicas: 1\n",
    );
    write(d, "extra.yaml", "replicas: 3\n");
    write(
        d,
        "kustomization.yaml",
        "helmCharts:\n- name: web\n  releaseName: prod\n  namespace: apps\n  includeCRDs: true\n  valuesInline:\n    image: {tag: '2.0'}\n  additionalValuesFiles: [extra.yaml]\n  apiVersions: [foo/v1]\n  kubeVersion: '1.30'\nnamePrefix: x-\n",
    );
    let fake = Arc::new(Fake::default());
    let out = kustomize::build(d, &opts(&fake)).unwrap();
    assert_eq!(
        kustomize::render(&out),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x-prod-web\n"
    );
    let reqs = fake.templates.lock().unwrap();
    let req = &reqs[0];
    assert!(req.chart_dir.ends_with("charts/web"));
    assert_eq!(req.release_name, "prod");
    assert_eq!(req.namespace, "apps");
    assert!(req.include_crds && !req.skip_tests);
    assert_eq!(req.api_versions, ["foo/v1"]);
    assert_eq!(req.kube_version, "1.30");
    // valuesMerge defaults to override: the chart's values with the inline ones on top.
    let merged = kyaml::parse_one(
        "image: {tag: '2.0', pullPolicy: Always}\nreplicas: 1\n",
        kyaml::Dialect::Helm,
    )
    .unwrap();
    assert_eq!(req.values[0], HelmValues::Merged(merged));
    assert!(matches!(&req.values[1], HelmValues::File(p) if p.ends_with("extra.yaml")));
    assert!(fake.pulls.lock().unwrap().is_empty());
}

#[test]
fn a_missing_chart_with_repo_and_version_is_fetched() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(
        d,
        "kustomization.yaml",
        "helmCharts:\n- name: db\n  repo: https://charts.example.com\n  version: 1.2.3\n",
    );
    // With repo and version, charts/db (no version in the name) is not the chart.
    write(d, "charts/db/values.yaml", "x: 1\n");
    let fake = Arc::new(Fake::default());
    let out = kustomize::build(d, &opts(&fake)).unwrap();
    assert_eq!(out.resources.len(), 1);
    let pulls = fake.pulls.lock().unwrap();
    assert_eq!(pulls[0].name, "db");
    assert_eq!(pulls[0].version, "1.2.3");
    // kustomize's layout for a versioned chart is charts/<name>-<version>/<name>.
    assert!(pulls[0].chart_home.ends_with("charts/db-1.2.3"));
    let reqs = fake.templates.lock().unwrap();
    let store = fake.store.lock().unwrap();
    let fetched = store.as_ref().unwrap().path().join("db");
    assert_eq!(reqs[0].chart_dir, fetched);
    assert_eq!(
        reqs[0].values[0],
        HelmValues::File(fetched.join("values.yaml"))
    );
    assert!(
        !d.join("charts/db-1.2.3").exists(),
        "nothing is written into the kustomization"
    );
}

#[test]
fn charts_need_enable_helm_and_a_chart() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d, "kustomization.yaml", "helmCharts:\n- name: web\n");
    let fake = Arc::new(Fake::default());
    let off = BuildOptions::default();
    let e = kustomize::build(d, &off).unwrap_err();
    assert!(e.message.contains("must specify --enable-helm"), "{e}");
    let e = kustomize::build(d, &opts(&fake)).unwrap_err();
    assert!(
        e.message
            .contains("no repo specified for pull, no chart found"),
        "{e}"
    );
}
