//! `vendor build` and the kustomize library: the ten real overlays of the corpus (byte-identical
//! to `kubectl kustomize` v5.5.0), a differential run against kubectl where it is installed,
//! every patch finding through the CLI with its exact output, bad input, and the upgrade
//! scenario (one overlay over argo-cd v2.14.21 and v3.0.23).

use std::path::{Path, PathBuf};
use std::process::Command;

use vendor::diag::Code;
use vendor::kustomize::{self, BuildOptions};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kustomize")
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
            .filter(|f| f.level == vendor::diag::Level::Deny)
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

/// Runs `vendor build` in the fixtures directory; returns (exit code, stdout, stderr).
fn vendor_build(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vendor"))
        .arg("build")
        .args(args)
        .arg("--color")
        .arg("never")
        .current_dir(fixtures())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn finding_patch_target_missing() {
    let (code, stdout, stderr) = vendor_build(&["findings/target-missing"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("kind: Deployment"),
        "the build output is still printed"
    );
    assert_eq!(
        stderr,
        "error[patch-target-missing]: no resource matches the target of this JSON patch (kind=Deployment, name=api)
  --> findings/target-missing/kustomization.yaml:4
  = help: upstream may have renamed or removed the object; kustomize would silently ignore this patch
error[patch-target-missing]: no resource matches strategic merge patch StatefulSet.v1.apps/web.[noNs]
  --> findings/target-missing/statefulset.yaml:1
  = help: no object of this kind exists in the resources; check apiVersion and kind, or whether upstream removed it
"
    );
}

#[test]
fn finding_patch_no_op() {
    let (code, _, stderr) = vendor_build(&["findings/no-op"]);
    assert_eq!(code, 0);
    assert_eq!(
        stderr,
        "warning[patch-no-op]: strategic merge patch changes nothing in Deployment/web
  --> findings/no-op/replicas.yaml:1
  = help: upstream may already contain this change; remove the patch if so
"
    );
}

#[test]
fn finding_patch_adds_container_without_image_is_an_error() {
    let (code, _, stderr) = vendor_build(&["findings/adds-container"]);
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "error[patch-adds-list-item]: strategic merge patch adds a new `spec.template.spec.containers` item (name=nginx) to Deployment/web: no existing item has this merge key
  --> findings/adds-container/resources.yaml:9
  = help: the new container has no image, so upstream probably renamed the container this patch was written for; update the patch's `name`
"
    );
}

#[test]
fn finding_patch_adds_env_item_is_a_warning() {
    let (code, _, stderr) = vendor_build(&["findings/adds-env"]);
    assert_eq!(code, 0);
    assert_eq!(
        stderr,
        "warning[patch-adds-list-item]: strategic merge patch adds a new `spec.template.spec.containers.env` item (name=LOG_LEVEL) to Deployment/web: no existing item has this merge key
  --> findings/adds-env/env.yaml:11
  = help: if the patch meant to change an existing item, upstream may have renamed it
"
    );
}

#[test]
fn finding_json6902_op_failed() {
    let (code, stdout, stderr) = vendor_build(&["findings/json-op-failed"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("replicas: 2"),
        "a failed JSON patch leaves its target unchanged"
    );
    assert_eq!(
        stderr,
        "error[json6902-op-failed]: JSON patch on Deployment/web: operation 1 (replace /spec/template/spec/containers/2/image) failed: index 2 is out of range (list has 2 items)
  --> findings/json-op-failed/ops.yaml:4
  = help: the path no longer exists in upstream; update the patch
"
    );
}

#[test]
fn finding_image_override_unused() {
    let (code, stdout, stderr) = vendor_build(&["findings/image-unused"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("image: nginx:1.27.0"));
    assert_eq!(
        stderr,
        "warning[image-override-unused]: images entry `docker.io/library/redis` matches no container image
  --> findings/image-unused/kustomization.yaml:6
  = help: upstream may have renamed or dropped the image; update or remove the entry
"
    );
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
            "bad/helm-charts/kustomization.yaml:2: `helmCharts` is not supported by vendor build",
        ),
        (
            "bad/unknown-field",
            "bad/unknown-field/kustomization.yaml:4: unknown field `patchesStrategicMerg` in kustomization",
        ),
    ];
    for (dir, want) in cases {
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
fn bad_input_exits_2() {
    for dir in [
        "bad/cycle-a",
        "bad/duplicate-id",
        "bad/unparsable-patch",
        "bad/helm-charts",
    ] {
        let (code, stdout, stderr) = vendor_build(&[dir]);
        assert_eq!(code, 2, "{dir}: {stderr}");
        assert!(stdout.is_empty());
        assert!(
            stderr.contains(&format!("{dir}/")),
            "{dir}: the error names the file: {stderr}"
        );
    }
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
            .map(|f| {
                (
                    f.code,
                    f.file.clone().unwrap_or_default(),
                    f.pos.map(|p| p.line),
                )
            })
            .collect::<Vec<_>>()
    };
    let old = codes("v2.14.21");
    let new = codes("v3.0.23");
    // Against v2.14 the env var is new: the patch adds it (a warning, not a container).
    assert_eq!(
        old,
        vec![(
            Code::PatchAddsListItem,
            "overlay/server-sync-replace.yaml".to_string(),
            Some(11)
        )]
    );
    // v3.0 ships the same env var: the patch became a no-op.
    assert_eq!(
        new,
        vec![(
            Code::PatchNoOp,
            "overlay/server-sync-replace.yaml".to_string(),
            Some(1)
        )]
    );
}
