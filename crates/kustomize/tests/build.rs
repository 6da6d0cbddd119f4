//! The kustomize build on real data: the ten real overlays of the corpus (byte-identical to
//! `kubectl kustomize` v5.5.0), a differential run against kubectl where it is installed, bad
//! input, and the upgrade scenario (one overlay over argo-cd v2.14.21 and v3.0.23).

// Test code: a panic is the failure report, and printing explains a skipped comparison.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::Command;

use kustomize::{BuildOptions, FindingKind};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// (case, build dir) of the corpus overlays.
const CORPUS: &[(&str, &str)] = &[
    ("neco-admission", "."),
    ("neco-argocd", "."),
    ("neco-cert-manager", "."),
    ("neco-elastic", "."),
    ("neco-kube-metrics-adapter", "."),
    ("neco-logging", "."),
    ("neco-metallb", "."),
    ("neco-moco", "."),
    ("neco-rook-overlay-gcp", "overlays/gcp"),
    ("neco-topolvm", "."),
];

fn build_text(dir: &Path) -> String {
    let out = kustomize::build(dir, &BuildOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    kustomize::render(&out)
}

#[test]
fn corpus_overlays_build_byte_identical_to_kustomize() {
    let mut identical = 0;
    let mut failures = Vec::new();
    for (case, build_dir) in CORPUS {
        let dir = fixtures().join(case).join(build_dir);
        let expected =
            std::fs::read_to_string(fixtures().join(case).join("expected.yaml")).unwrap();
        let got = build_text(&dir);
        if got == expected {
            identical += 1;
        } else {
            let line = got
                .lines()
                .zip(expected.lines())
                .position(|(a, b)| a != b)
                .map_or(0, |i| i + 1);
            failures.push(format!("{case}: first difference at line {line}"));
        }
    }
    println!("byte-identical corpus cases: {identical}/{}", CORPUS.len());
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Every transformer at once: namespace, prefix and suffix (with name references), `labels`
/// and `commonLabels`, annotations, replicas, images (tag, name + digest), secret and merged
/// ConfigMap generators with hashes, a component, selector-targeted patches (label selector,
/// kind regex). `expected.yaml` is `kubectl kustomize` v5.5.0 output.
#[test]
fn every_transformer_matches_kustomize() {
    let dir = fixtures().join("features/overlay");
    let expected = std::fs::read_to_string(fixtures().join("features/expected.yaml")).unwrap();
    assert!(
        build_text(&dir) == expected,
        "features overlay differs from kustomize's output"
    );
    let out = kustomize::build(&dir, &BuildOptions::default()).unwrap();
    assert!(out.findings.is_empty(), "{:#?}", out.findings);
}

#[test]
fn corpus_overlays_have_no_error_findings() {
    for (case, build_dir) in CORPUS {
        let out = kustomize::build(
            &fixtures().join(case).join(build_dir),
            &BuildOptions::default(),
        )
        .unwrap();
        let errors: Vec<_> = out
            .findings
            .iter()
            .filter(|f| {
                matches!(
                    f.kind,
                    FindingKind::PatchAddsListItem {
                        likely_renamed: true
                    }
                )
            })
            .collect();
        assert!(errors.is_empty(), "{case}: {errors:#?}");
        assert!(
            out.warnings.iter().any(|w| w.contains("deprecated")),
            "{case} uses deprecated fields"
        );
    }
}

fn kubectl_available() -> bool {
    Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Every overlay that builds cleanly, for the differential test.
fn differential_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = CORPUS
        .iter()
        .map(|(c, b)| fixtures().join(c).join(b))
        .collect();
    for d in ["no-op", "adds-container", "adds-env", "image-unused"] {
        dirs.push(fixtures().join("findings").join(d));
    }
    dirs.push(fixtures().join("features/overlay"));
    dirs
}

#[test]
fn differential_against_kubectl_kustomize() {
    if !kubectl_available() {
        println!("skipped: kubectl is not installed, so there is nothing to compare against");
        return;
    }
    for dir in differential_dirs() {
        let k = Command::new("kubectl")
            .arg("kustomize")
            .arg(&dir)
            .output()
            .unwrap();
        assert!(
            k.status.success(),
            "kubectl failed on {}: {}",
            dir.display(),
            String::from_utf8_lossy(&k.stderr)
        );
        let ours = build_text(&dir);
        assert!(
            ours == String::from_utf8_lossy(&k.stdout),
            "output differs from kubectl kustomize for {}",
            dir.display()
        );
    }
}

fn build_error(dir: &str) -> kustomize::KustomizeError {
    let opts = BuildOptions {
        root: Some(fixtures()),
        display_base: Some(fixtures()),
        ..Default::default()
    };
    kustomize::build(&fixtures().join(dir), &opts).expect_err("bad input must fail")
}

#[test]
fn bad_input_is_reported_with_file_and_line() {
    let cases: &[(&str, &str)] = &[
        (
            "bad/unparsable-patch",
            "bad/unparsable-patch/broken.yaml:7: invalid patch: ",
        ),
        (
            "bad/patch-without-kind",
            "bad/patch-without-kind/nokind.yaml:1: strategic merge patch has no `kind`",
        ),
        (
            "bad/cycle-a",
            "bad/cycle-a/kustomization.yaml: cycle in kustomizations: bad/cycle-a -> bad/cycle-b -> bad/cycle-a",
        ),
        (
            "bad/escapes-root",
            "bad/escapes-root/kustomization.yaml:2: security; file 'findings/base/deployment.yaml' is not in or below 'bad/escapes-root'",
        ),
        (
            "bad/duplicate-id",
            "bad/duplicate-id/kustomization.yaml:3: may not add resource with an already registered id: Service.v1.[noGrp]/web.[noNs]",
        ),
        (
            "bad/remote-resource",
            "bad/remote-resource/kustomization.yaml:2: remote resource `https://github.com/argoproj/argo-cd//manifests/cluster-install?ref=v2.14.21` is not supported",
        ),
        (
            "bad/helm-charts",
            "bad/helm-charts/kustomization.yaml:2: helmCharts: rendering chart `ingress-nginx` must be enabled: must specify --enable-helm",
        ),
        (
            "bad/unknown-field",
            "bad/unknown-field/kustomization.yaml:4: invalid Kustomization: unknown field \"patchesStrategicMerg\"",
        ),
    ];
    let also: &[(&str, &str)] = &[
        (
            "bad/empty-patch",
            "bad/empty-patch/empty.yaml:1: patch is empty: [path: \"bad/empty-patch/empty.yaml\"] holds no object",
        ),
        (
            "bad/comment-only-patch",
            "bad/comment-only-patch/kustomization.yaml:4: patch appears to be empty; files=[comments.yaml]",
        ),
        (
            "bad/unknown-nested-field",
            "bad/unknown-nested-field/kustomization.yaml:6: invalid Kustomization: unknown field \"includeSelector\"",
        ),
        (
            "bad/exec-plugin",
            "bad/exec-plugin/kustomization.yaml:4: external plugins disabled; unable to load external plugin 'SedTransformer'",
        ),
    ];
    for (dir, want) in cases.iter().chain(also) {
        let err = build_error(dir).to_string();
        assert!(err.starts_with(want), "{dir}:\n got: {err}\nwant: {want}");
    }
    assert!(
        build_error("bad/remote-resource")
            .help
            .unwrap()
            .contains("vendor.toml")
    );
}

#[test]
fn files_outside_the_root_are_refused() {
    let opts = BuildOptions {
        root: Some(fixtures().join("findings/no-op")),
        display_base: Some(fixtures()),
        ..Default::default()
    };
    let err = kustomize::build(&fixtures().join("findings/no-op"), &opts).unwrap_err();
    assert!(
        err.to_string().contains("is outside the repository root"),
        "{err}"
    );
}

/// Lays out `upstream/` (one argo-cd version) and `overlay/` in a temporary directory.
fn upgrade_tree(version: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let src = fixtures().join("upgrade");
    for (from, to) in [
        (format!("upstream-{version}"), "upstream"),
        ("overlay".to_string(), "overlay"),
    ] {
        std::fs::create_dir_all(tmp.path().join(to)).unwrap();
        for entry in std::fs::read_dir(src.join(&from)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), tmp.path().join(to).join(entry.file_name())).unwrap();
        }
    }
    tmp
}

#[test]
fn upgrade_scenario_argocd_2_14_to_3_0() {
    let codes = |version: &str| {
        let tree = upgrade_tree(version);
        let opts = BuildOptions {
            root: Some(tree.path().to_path_buf()),
            display_base: Some(tree.path().to_path_buf()),
            ..Default::default()
        };
        let out = kustomize::build(&tree.path().join("overlay"), &opts).unwrap();
        if kubectl_available() {
            let k = Command::new("kubectl")
                .arg("kustomize")
                .arg(tree.path().join("overlay"))
                .output()
                .unwrap();
            assert!(
                kustomize::render(&out) == String::from_utf8_lossy(&k.stdout),
                "{version}: differs from kubectl kustomize"
            );
        }
        let text = kustomize::render(&out);
        assert!(
            text.contains("image: registry.example.com/argocd:"),
            "{version}: images override applied"
        );
        out.findings
            .iter()
            .map(|f| (f.kind, f.file.clone(), f.pos.map(|p| p.line)))
            .collect::<Vec<_>>()
    };
    let old = codes("v2.14.21");
    let new = codes("v3.0.23");
    // Against v2.14 the env var is new: the patch adds it (a warning, not a container).
    assert_eq!(
        old,
        vec![(
            FindingKind::PatchAddsListItem {
                likely_renamed: false
            },
            "overlay/server-sync-replace.yaml".to_string(),
            Some(11)
        )]
    );
    // v3.0 ships the same env var: the patch became a no-op.
    assert_eq!(
        new,
        vec![(
            FindingKind::PatchNoOp,
            "overlay/server-sync-replace.yaml".to_string(),
            Some(1)
        )]
    );
}
