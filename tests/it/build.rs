//! `vendor build`: every patch finding through the CLI with its exact output and exit code, and
//! bad input exits 2. The overlays are the kustomize crate's fixtures.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/kustomize/tests/fixtures")
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
    assert_eq!(stdout, "", "fail closed: nothing to apply");
    assert_eq!(
        stderr,
        "error[patch-target-missing]: no resource matches the target of this JSON patch (kind=Deployment, name=api)
  --> findings/target-missing/kustomization.yaml:4
  = help: upstream may have renamed or removed the object; kustomize would silently ignore this patch
error[patch-target-missing]: no resource matches strategic merge patch StatefulSet.v1.apps/web.[noNs]
  --> findings/target-missing/statefulset.yaml:1
  = help: no object of this kind exists in the resources; check apiVersion and kind, or whether upstream removed it
error: findings/target-missing does not build cleanly: nothing was written to stdout
"
    );
}

/// `-A`/`-W`/`-D` set a finding's level as for `check`: an allowed or warned finding no longer
/// withholds the output (kustomize's own behaviour for a patch without a target), and a
/// warning can be made an error.
#[test]
fn finding_levels_from_the_command_line() {
    let (code, allowed, stderr) =
        vendor_build(&["findings/json-op-failed", "-A", "json6902-op-failed"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert!(allowed.contains("kind: Deployment"), "{allowed}");
    let (code, warned, stderr) =
        vendor_build(&["--warn", "json6902-op-failed", "findings/json-op-failed"]);
    assert_eq!(code, 0);
    assert_eq!(warned, allowed);
    assert!(
        stderr.starts_with("warning[json6902-op-failed]: JSON patch on Deployment/web"),
        "{stderr}"
    );
    let (code, stdout, stderr) = vendor_build(&["findings/no-op", "-D", "patch-no-op"]);
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert!(stderr.starts_with("error[patch-no-op]"), "{stderr}");
    let (code, stdout, stderr) = vendor_build(&["findings/no-op", "-A", "patch-no-opp"]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert!(
        stderr.contains("unknown finding code `patch-no-opp`")
            && stderr.contains("did you mean `patch-no-op`?"),
        "{stderr}"
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
    let (code, stdout, stderr) = vendor_build(&["findings/adds-container"]);
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "error[patch-adds-list-item]: strategic merge patch adds a new `spec.template.spec.containers` item (name=nginx) to Deployment/web: no existing item has this merge key
  --> findings/adds-container/resources.yaml:9
  = help: the new container has no image, so upstream probably renamed the container this patch was written for; update the patch's `name`
error: findings/adds-container does not build cleanly: nothing was written to stdout
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
    assert_eq!(stdout, "", "fail closed: nothing to apply");
    assert_eq!(
        stderr,
        "error[json6902-op-failed]: JSON patch on Deployment/web: operation 1 (replace /spec/template/spec/containers/2/image) failed: index 2 is out of range (list has 2 items)
  --> findings/json-op-failed/ops.yaml:4
  = help: the path no longer exists in upstream; update the patch
error: findings/json-op-failed does not build cleanly: nothing was written to stdout
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

/// kustomize's own `helmCharts` cases (krusty fixtures whose reference is the Go test's
/// expectation, helm being absent where they were imported), rendered by vendor's Helm
/// engine through `vendor build --enable-helm`.
#[test]
fn helm_charts_krusty_cases_render_like_kustomize_with_helm() {
    let root = fixtures().join("../krusty");
    let mut ran = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(text) = std::fs::read_to_string(dir.join("case.json")) else {
            continue;
        };
        let meta: serde_json::Value = serde_json::from_str(&text).unwrap();
        if meta["category"] != "ok" || meta["options"]["enable_helm"] != true {
            continue;
        }
        let Ok(expected) = std::fs::read_to_string(dir.join("expected.yaml")) else {
            continue;
        };
        let build_dir = dir.join("input").join(meta["dir"].as_str().unwrap_or("."));
        let out = Command::new(env!("CARGO_BIN_EXE_vendor"))
            .args(["build", "--enable-helm"])
            .arg(&build_dir)
            .output()
            .unwrap();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected, "{name}");
        ran += 1;
    }
    assert_eq!(ran, 4, "the four local-chart cases");
}

/// A chart missing from `chartHome` with `repo` and `version` is fetched from the repository
/// (here a loopback one) into the cache, and rendered without writing into the repository.
#[test]
fn helm_charts_missing_locally_are_fetched() {
    use crate::common::{IndexItem, Reply, Server, index_yaml, package_chart};
    let chart_src = fixtures()
        .join("../krusty/TestHelmChartInflationGeneratorSkipTests/input/charts/test-chart");
    let tgz = package_chart(&chart_src, "test-chart");
    let server = Server::start(std::time::Duration::ZERO, move |req, _| match req.path() {
        "/charts/index.yaml" => Reply::Ok(
            index_yaml(&[IndexItem {
                name: "test-chart".into(),
                version: "1.0.0".into(),
                url: "test-chart-1.0.0.tgz".into(),
                digest: None,
            }])
            .into_bytes(),
        ),
        "/charts/test-chart-1.0.0.tgz" => Reply::Ok(tgz.clone()),
        _ => Reply::status(404),
    });
    let tmp = tempfile::tempdir().unwrap();
    let k = tmp.path().join("overlay");
    std::fs::create_dir_all(&k).unwrap();
    std::fs::write(
        k.join("kustomization.yaml"),
        format!(
            "helmCharts:\n- name: test-chart\n  repo: {}/charts\n  version: 1.0.0\n  releaseName: web\n  skipTests: true\n",
            server.base
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vendor"))
        .args(["build", "--enable-helm"])
        .arg(&k)
        .env("VENDOR_CACHE_DIR", tmp.path().join("cache"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("kind: Deployment") && text.contains("name: my-deploy"),
        "{text}"
    );
    assert!(
        !k.join("charts").exists(),
        "nothing is written into the overlay"
    );
    assert!(server.count("/charts/test-chart-1.0.0.tgz") == 1);
}
