//! `vendor check` end to end: the built binary on fixture repositories copied to a temporary
//! directory and changed the way users break them. Outputs are compared exactly (inline or
//! file snapshots), exit codes always.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A fixture repository in a temporary directory.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    /// A copy of `tests/fixtures/check/base`.
    fn base() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        crate::common::copy_dir(&fixtures().join("base"), dir.path());
        Repo { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap()
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// Replaces `from` by `to` in a file (which must contain it).
    fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    /// Runs `vendor ARGS` in the repository; returns (exit code, stdout, stderr).
    fn vendor(&self, args: &[&str]) -> (i32, String, String) {
        crate::common::run_vendor(self.dir.path(), args, crate::common::NO_ENV)
    }
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check")
}

#[test]
fn clean_repository_passes() {
    let repo = Repo::base();
    let (code, out, err) = repo.vendor(&["check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out, "2 entries checked: 0 errors, 0 warnings\n");
    assert_eq!(err, "");
}

#[test]
fn hand_edited_upstream_file_is_drift() {
    let repo = Repo::base();
    repo.edit(
        "upstream/metallb/metallb-native.yaml",
        "--log-level=info",
        "--log-level=debug",
    );
    let (code, out, _) = repo.vendor(&["check"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out, @r"
    metallb (manifest v0.15.3)
      error[file-modified]: upstream/metallb/metallb-native.yaml differs from what was vendored for metallb v0.15.3
        --> upstream/metallb/metallb-native.yaml
        help: move the change into patches/metallb, or run `vendor sync metallb` to restore it

    2 entries checked: 1 error, 0 warnings
    ");
}

#[test]
fn missing_and_extra_files_are_drift() {
    let repo = Repo::base();
    std::fs::remove_file(repo.path("upstream/metallb/kustomization.yaml")).unwrap();
    repo.write(
        "upstream/app/local-fix.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fix\n",
    );
    repo.write("upstream/stray/x.yaml", "{}\n");
    let (code, out, _) = repo.vendor(&["check"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out, @r"
    metallb (manifest v0.15.3)
      error[overlay-build-failed]: unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory 'upstream/metallb'
        --> upstream/metallb
        help: fix the overlay in patches/metallb; `vendor build` shows the same error
      error[file-missing]: upstream/metallb/kustomization.yaml was vendored for metallb v0.15.3 but is missing
        --> upstream/metallb/kustomization.yaml
        help: run `vendor sync metallb` to restore it; to drop upstream content, delete it with a patch in patches/metallb

    app (manifest v1.0.0)
      error[file-extra]: upstream/app/local-fix.yaml was not vendored for app v1.0.0
        --> upstream/app/local-fix.yaml
        help: local additions belong in patches/app; delete the file, or run `vendor sync app`

    (repository)
      error[file-extra]: upstream/stray belongs to no entry of vendor.toml
        --> upstream/stray
        help: add an entry for it to vendor.toml, or run `vendor sync --prune` to delete it

    2 entries checked: 4 errors, 0 warnings
    ");
}

#[test]
fn latest_and_untagged_images_are_errors_with_positions() {
    let repo = Repo::base();
    repo.edit(
        "upstream/app/app.yaml",
        "quay.io/example/web:v1.0.0",
        "quay.io/example/web:latest",
    );
    repo.edit(
        "upstream/app/app.yaml",
        "quay.io/example/migrate:v1.0.0",
        "quay.io/example/migrate",
    );
    let (code, out, _) = repo.vendor(&["check", "app", "-A", "file-modified", "-A", "image-drift"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out, @r"
    app (manifest v1.0.0)
      error[image-untagged]: image `quay.io/example/migrate` has no tag (it means `latest`)
        --> upstream/app/app.yaml:22:16 (Deployment/app/web, container migrate)
        help: pin a released tag, with `images:` in the patch overlay's kustomization.yaml if upstream does not
      error[image-latest]: image `quay.io/example/web:latest` uses the `latest` tag
        --> upstream/app/app.yaml:25:16 (Deployment/app/web, container web)
        help: pin a released tag, with `images:` in the patch overlay's kustomization.yaml if upstream does not

    1 entry checked: 2 errors, 0 warnings
    ");
}

#[test]
fn floating_tags_and_foreign_registries_are_errors() {
    let repo = Repo::base();
    repo.edit(
        "upstream/app/app.yaml",
        "registry.k8s.io/e2e-test-images/busybox:1.36.1-1",
        "docker.io/library/busybox:stable",
    );
    let (code, out, _) = repo.vendor(&[
        "check",
        "app",
        "--allow",
        "file-modified",
        "--allow",
        "image-drift",
    ]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out, @r"
    app (manifest v1.0.0)
      error[image-floating-tag]: image `docker.io/library/busybox:stable` uses the floating tag `stable`
        --> upstream/app/app.yaml:44:20 (CronJob/app/cleanup, container cleanup)
        help: floating tags move: pin a released tag or a digest
      error[image-registry-not-allowed]: image `docker.io/library/busybox:stable` comes from `docker.io`, which is not in allow-registries
        --> upstream/app/app.yaml:44:20 (CronJob/app/cleanup, container cleanup)
        help: mirror the image to an allowed registry (quay.io, registry.k8s.io) and point `images:` at it, or extend policy.images.allow-registries

    1 entry checked: 2 errors, 0 warnings
    ");
}

#[test]
fn require_digest_warns_on_tags_and_accepts_digests() {
    let repo = Repo::base();
    repo.edit(
        "vendor.toml",
        "[policy.images]\n",
        "[policy.images]\nrequire-digest = true\n",
    );
    let digest = format!("sha256:{}", "0123456789abcdef".repeat(4));
    repo.edit(
        "upstream/app/app.yaml",
        "quay.io/example/web:v1.0.0",
        &format!("quay.io/example/web:v1.0.0@{digest}"),
    );
    let (code, out, _) = repo.vendor(&["check", "app", "-A", "file-modified", "-A", "image-drift"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        !out.contains("quay.io/example/web"),
        "digest-pinned image flagged:\n{out}"
    );
    assert_eq!(out.matches("warning[image-no-digest]").count(), 2, "{out}");
    assert!(
        out.ends_with("1 entry checked: 0 errors, 2 warnings\n"),
        "{out}"
    );
}

#[test]
fn image_drift_against_the_lock() {
    let repo = Repo::base();
    repo.edit(
        "vendor.toml",
        "  \"quay.io/example/web:v1.0.0\",\n",
        "  \"quay.io/example/web:v0.9.0\",\n",
    );
    let (code, out, _) = repo.vendor(&["check", "app"]);
    assert_eq!(code, 1);
    assert!(out.contains("error[image-drift]: image `quay.io/example/web:v1.0.0` is in upstream/app but not in its lock data"), "{out}");
    assert!(out.contains("error[image-drift]: image `quay.io/example/web:v0.9.0` is in the lock data of app but no longer in upstream/app"), "{out}");
    assert!(out.contains("--> vendor.toml:22:1"), "{out}");
}

#[test]
fn deny_and_warn_overrides_change_exit_code() {
    let repo = Repo::base();
    repo.edit(
        "upstream/app/app.yaml",
        "quay.io/example/web:v1.0.0",
        "quay.io/example/web:latest",
    );
    let (code, _, _) = repo.vendor(&[
        "check",
        "app",
        "-W",
        "image-latest",
        "-W",
        "file-modified",
        "-W",
        "image-drift",
    ]);
    assert_eq!(code, 0);
    let (code, _, _) = repo.vendor(&["check", "app", "-D", "patch-no-op"]);
    assert_eq!(code, 1);
    let (code, _, err) = repo.vendor(&["check", "--deny", "no-such-code"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown finding code `no-such-code`"), "{err}");
}

#[test]
fn machine_formats() {
    let repo = Repo::base();
    repo.edit(
        "upstream/app/app.yaml",
        "quay.io/example/web:v1.0.0",
        "quay.io/example/web:latest",
    );
    let (code, json, _) = repo.vendor(&[
        "check",
        "app",
        "--format",
        "json",
        "-A",
        "file-modified",
        "-A",
        "image-drift",
    ]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("json", json);
    let (_, github, _) = repo.vendor(&[
        "check",
        "app",
        "--format",
        "github",
        "-A",
        "file-modified",
        "-A",
        "image-drift",
    ]);
    insta::assert_snapshot!("github", github);
    let (_, sarif, _) = repo.vendor(&[
        "check",
        "app",
        "--format",
        "sarif",
        "-A",
        "file-modified",
        "-A",
        "image-drift",
    ]);
    let v: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["ruleId"], "image-latest");
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        25
    );
}

#[test]
fn unknown_entry_name_is_a_usage_error() {
    let repo = Repo::base();
    let (code, _, err) = repo.vendor(&["check", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("`nope` is not an entry of"), "{err}");
    assert!(err.contains("entries in"), "{err}");
}

/// Every broken vendor.toml in `tests/fixtures/check/bad-config/` exits 2 with exactly the
/// diagnostics of its `.stderr` file, and writes nothing.
#[test]
fn broken_vendor_toml_cases() {
    let dir = fixtures().join("bad-config");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 10,
        "expected the bad-config cases, found {}",
        cases.len()
    );
    for case in cases {
        let repo = Repo::base();
        let text = std::fs::read(&case).unwrap();
        std::fs::write(repo.path("vendor.toml"), &text).unwrap();
        let (code, out, err) = repo.vendor(&["check"]);
        let name = case.file_stem().unwrap().to_string_lossy().into_owned();
        assert_eq!(code, 2, "{name}: {out}{err}");
        assert_eq!(out, "", "{name}");
        assert_eq!(
            std::fs::read(repo.path("vendor.toml")).unwrap(),
            text,
            "{name} changed vendor.toml"
        );
        insta::assert_snapshot!(format!("bad_config_{name}"), err);
    }
}

#[test]
fn missing_vendor_toml() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = crate::common::run_vendor(dir.path(), &["check"], crate::common::NO_ENV);
    assert_eq!(code, 2);
    assert!(err.contains("no vendor.toml in"), "{err}");
    assert!(err.contains("--manifest-path"), "{err}");
}

#[test]
fn invalid_yaml_points_at_its_line() {
    let repo = Repo::base();
    repo.edit("upstream/app/app.yaml", "  name: web\n", "  name: [web\n");
    let (code, out, err) = repo.vendor(&["check"]);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("upstream/app/app.yaml:"), "{err}");
    assert!(err.contains("invalid YAML"), "{err}");
}

#[test]
fn non_utf8_manifest_is_an_error() {
    let repo = Repo::base();
    std::fs::write(
        repo.path("upstream/app/app.yaml"),
        b"kind: ConfigMap\nname: \xff\xfe\n",
    )
    .unwrap();
    let (code, _, err) = repo.vendor(&["check"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("upstream/app/app.yaml: not valid UTF-8 (first bad byte at offset 22)"),
        "{err}"
    );
}

#[test]
fn oversized_manifest_is_refused_quickly() {
    let repo = Repo::base();
    let line = "# padding padding padding padding padding padding padding padding padding\n";
    let big = line.repeat(50 * 1024 * 1024 / line.len());
    repo.write("upstream/app/app.yaml", &big);
    let (code, _, err) = repo.vendor(&["check"]);
    assert_eq!(code, 2);
    assert!(err.contains("upstream/app/app.yaml: file is"), "{err}");
    assert!(err.contains("byte limit for a manifest"), "{err}");
}

#[test]
fn alias_bomb_and_deep_nesting_are_bounded() {
    let repo = Repo::base();
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (i, prev) in ('b'..='j').zip('a'..) {
        bomb.push_str(&format!(
            "{i}: &{i} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
    }
    repo.write("upstream/app/app.yaml", &bomb);
    let (code, _, err) = repo.vendor(&["check"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("upstream/app/app.yaml:"), "{err}");

    let deep = format!("{}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    repo.write("upstream/app/app.yaml", &deep);
    let (code, _, err) = repo.vendor(&["check"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("upstream/app/app.yaml:"), "{err}");
}

#[test]
fn overlay_images_override_is_what_the_policy_judges() {
    // As in real repositories (neco-apps' topolvm): upstream ships `:latest`, the overlay pins it.
    let repo = Repo::base();
    repo.edit(
        "upstream/app/app.yaml",
        "quay.io/example/web:v1.0.0",
        "quay.io/example/web:latest",
    );
    let args = ["check", "app", "-A", "file-modified", "-A", "image-drift"];
    let (code, out, _) = repo.vendor(&args);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error[image-latest]"), "{out}");
    repo.write(
        "patches/app/kustomization.yaml",
        "resources:\n- ../../upstream/app\nimages:\n- name: quay.io/example/web\n  newTag: v1.0.0\n",
    );
    let (code, out, _) = repo.vendor(&args);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, "1 entry checked: 0 errors, 0 warnings\n");
}

#[test]
fn patch_for_a_renamed_container_is_an_error() {
    let repo = Repo::base();
    repo.edit(
        "patches/metallb/controller.yaml",
        "- name: controller\n",
        "- name: metallb-controller\n",
    );
    let (code, out, _) = repo.vendor(&["check", "metallb"]);
    assert_eq!(code, 1, "{out}");
    insta::assert_snapshot!(out, @r"
    metallb (manifest v0.15.3)
      error[patch-adds-list-item]: strategic merge patch adds a new `spec.template.spec.containers` item (name=metallb-controller) to Deployment/metallb-system/controller: no existing item has this merge key
        --> patches/metallb/controller.yaml:10:1 (Deployment/metallb-system/controller)
        help: the new container has no image, so upstream probably renamed the container this patch was written for; update the patch's `name`

    1 entry checked: 1 error, 0 warnings
    ");
}

#[test]
fn patch_that_upstream_adopted_is_a_no_op_warning() {
    let repo = Repo::base();
    repo.write(
        "patches/metallb/controller.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: controller\n  namespace: metallb-system\nspec:\n  template:\n    spec:\n      containers:\n      - name: controller\n        image: quay.io/metallb/controller:v0.15.3\n",
    );
    let (code, out, _) = repo.vendor(&["check", "metallb"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("warning[patch-no-op]"), "{out}");
    assert!(
        out.contains("--> patches/metallb/controller.yaml:"),
        "{out}"
    );
}

#[test]
fn patch_target_missing_and_broken_overlay() {
    let repo = Repo::base();
    repo.edit(
        "patches/metallb/controller.yaml",
        "  name: controller\n",
        "  name: controler\n",
    );
    let (code, out, _) = repo.vendor(&["check", "metallb"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error[patch-target-missing]"), "{out}");

    repo.write(
        "patches/metallb/kustomization.yaml",
        "resources:\n- ../../upstream/nope\n",
    );
    let (code, out, _) = repo.vendor(&["check", "metallb"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error[overlay-build-failed]"), "{out}");
    assert!(
        out.contains("--> patches/metallb/kustomization.yaml"),
        "{out}"
    );
}

#[test]
fn online_check_flags_a_retagged_upstream() {
    let repo = Repo::base();
    let metallb = std::fs::read(repo.path("upstream/metallb/metallb-native.yaml")).unwrap();
    let app = Arc::new(Mutex::new(
        std::fs::read(repo.path("upstream/app/app.yaml")).unwrap(),
    ));
    let served = app.clone();
    let server =
        crate::common::Server::start(std::time::Duration::ZERO, move |req, _| match req.path() {
            "/metallb/v0.15.3/metallb-native.yaml" => crate::common::Reply::Ok(metallb.clone()),
            "/releases/v1.0.0/app.yaml" => crate::common::Reply::Ok(served.lock().unwrap().clone()),
            _ => crate::common::Reply::status(404),
        });
    let text = repo.read("vendor.toml").replace(
        "https://raw.githubusercontent.com/metallb/metallb/{version}/config/manifests",
        &format!("{}/metallb/{{version}}", server.base),
    );
    repo.write(
        "vendor.toml",
        &text.replace("https://example.com", &server.base),
    );
    let cache = tempfile::tempdir().unwrap();
    let online = |repo: &Repo| {
        let (code, out, _) = crate::common::run_vendor(
            repo.dir.path(),
            &["check", "--online"],
            &[("VENDOR_CACHE_DIR", cache.path())],
        );
        (code, out)
    };
    let (code, out) = online(&repo);
    assert_eq!(code, 0, "{out}");
    assert_eq!(server.count("/releases/v1.0.0/app.yaml"), 1);

    // Upstream now serves other bytes for the same version.
    app.lock().unwrap().extend_from_slice(b"# re-tagged\n");
    let (code, out) = online(&repo);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error[upstream-retagged]"), "{out}");
    assert!(!out.contains("metallb-native.yaml differs"), "{out}");
}

#[test]
fn crd_status_is_flagged_until_a_patch_removes_it() {
    let repo = Repo::base();
    repo.write(
        "upstream/app/crd.yaml",
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  names:\n    kind: Widget\n    plural: widgets\n  scope: Namespaced\n  versions: []\nstatus:\n  acceptedNames:\n    kind: \"\"\n    plural: \"\"\n",
    );
    repo.edit(
        "upstream/app/kustomization.yaml",
        "- app.yaml\n",
        "- app.yaml\n- crd.yaml\n",
    );
    let args = ["check", "app", "-A", "file-modified", "-A", "file-extra"];
    let (code, out, _) = repo.vendor(&args);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("warning[crd-has-status]: CustomResourceDefinition carries a `status` field"),
        "{out}"
    );
    assert!(
        out.contains(
            "--> upstream/app/crd.yaml:1:1 (CustomResourceDefinition/widgets.example.com)"
        ),
        "{out}"
    );
    repo.write(
        "patches/app/kustomization.yaml",
        "resources:\n- ../../upstream/app\npatches:\n- patch: |-\n    apiVersion: apiextensions.k8s.io/v1\n    kind: CustomResourceDefinition\n    metadata:\n      name: widgets.example.com\n    status: null\n",
    );
    let (code, out, _) = repo.vendor(&args);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, "1 entry checked: 0 errors, 0 warnings\n");
}

#[test]
fn images_lists_every_image_as_deployed_with_its_verdict() {
    let repo = Repo::base();
    repo.edit(
        "upstream/app/app.yaml",
        "quay.io/example/web:v1.0.0",
        "quay.io/example/web:latest",
    );
    let (code, out, _) = repo.vendor(&["images", "app"]);
    assert_eq!(code, 1, "{out}");
    insta::assert_snapshot!(out, @r"
    app	quay.io/example/migrate:v1.0.0	ok	upstream/app/app.yaml:22:16	Deployment/app/web (migrate)
    app	quay.io/example/web:latest	image-latest	upstream/app/app.yaml:25:16	Deployment/app/web (web)
    app	registry.k8s.io/e2e-test-images/busybox:1.36.1-1	ok	upstream/app/app.yaml:44:20	CronJob/app/cleanup (cleanup)
    ");
    // With the overlay pinning the tag, the deployed image is fine.
    repo.write(
        "patches/app/kustomization.yaml",
        "resources:\n- ../../upstream/app\nimages:\n- name: quay.io/example/web\n  newTag: v1.0.1\n",
    );
    let (code, out, _) = repo.vendor(&["images", "app", "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let web = v
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["container"] == "web")
        .unwrap();
    assert_eq!(web["image"], "quay.io/example/web:v1.0.1");
    assert_eq!(web["line"], 25);
    assert_eq!(web["violations"].as_array().unwrap().len(), 0);
}

/// The repository's own example: its lock data is exactly what `vendor sync` writes when
/// upstream serves the vendored files (a loopback mirror of the upstream URLs), so
/// `vendor sync --locked` finds nothing to change.
#[test]
fn example_lock_data_is_what_sync_writes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    crate::common::copy_dir(&root.join("upstream"), &dir.path().join("upstream"));
    crate::common::copy_dir(&root.join("patches"), &dir.path().join("patches"));
    let upstream = dir.path().join("upstream");
    let newer = root.join("tests/fixtures/git");
    let fixture = newer.clone();
    let server = crate::common::Server::start(std::time::Duration::ZERO, move |req, _| {
        // ingress-nginx's releases mix controller and chart tags.
        if req.path() == "/api/repos/kubernetes/ingress-nginx/releases" {
            let tags = [
                "controller-v1.15.1",
                "helm-chart-4.15.1",
                "controller-v1.14.5",
            ];
            let list: Vec<serde_json::Value> = tags
                .iter()
                .map(|t| serde_json::json!({"tag_name": t, "draft": false}))
                .collect();
            return crate::common::Reply::Ok(serde_json::to_vec(&list).unwrap());
        }
        // /NAME/VERSION/FILE -> upstream/NAME/FILE (a newer version from the fixtures)
        let parts: Vec<&str> = req.path().trim_start_matches('/').split('/').collect();
        if parts.len() == 3
            && let Ok(bytes) = std::fs::read(fixture.join(parts[0]).join(parts[1]).join(parts[2]))
        {
            return crate::common::Reply::Ok(bytes);
        }
        match std::fs::read(upstream.join(parts[0]).join(parts[parts.len() - 1])) {
            Ok(bytes) if parts.len() == 3 => crate::common::Reply::Ok(bytes),
            _ => crate::common::Reply::status(404),
        }
    });
    // Entries from git: a repository made here whose tag holds the vendored files under the
    // entry's `paths`, served by smart HTTP on loopback (git http-backend).
    let text = std::fs::read_to_string(root.join("vendor.toml")).unwrap();
    let config = vendor::config::parse(Path::new("vendor.toml"), text.clone()).unwrap();
    let git_root = tempfile::tempdir().unwrap();
    let git_server = crate::common::git_http(git_root.path().to_path_buf());
    // entry name -> (mirror URL, commit of the mirror's tag)
    let mut git_mirrors = std::collections::HashMap::new();
    let mut git_repos = Vec::new();
    for e in &config.entries {
        let vendor::config::Source::Manifest {
            fetch: vendor::config::Fetch::Git(g),
            ..
        } = &e.source
        else {
            continue;
        };
        let repo_dir = git_root.path().join(&e.name);
        let repo = crate::common::GitRepo::at(&repo_dir);
        let dir = &g.paths.include[0];
        for f in e.lock.as_ref().unwrap().files.keys() {
            let bytes = std::fs::read(root.join("upstream").join(&e.name).join(f)).unwrap();
            let p = repo_dir.join(dir).join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        let commit = repo.commit(&[], "release");
        repo.tag(&g.reference_for(&e.version), false);
        git_mirrors.insert(
            e.name.clone(),
            (format!("{}/{}", git_server.base, e.name), commit),
        );
        git_repos.push((e.name.clone(), dir.clone(), repo));
    }
    // Point every URL of every entry at the mirror.
    let url = regex::Regex::new(r#""https://[^"]*/([^/"]+)""#).unwrap();
    let mut entry = String::new();
    let mirrored: String = text
        .lines()
        .map(|line| {
            if let Some(name) = line
                .strip_prefix("[manifest.")
                .and_then(|l| l.strip_suffix(']'))
            {
                entry = name.to_string();
            }
            let table = entry
                .trim_end_matches(".lock.files")
                .trim_end_matches(".lock");
            if let Some((mirror, commit)) = git_mirrors.get(table) {
                if line.starts_with("git = ") {
                    return format!("git = \"{mirror}\"\n");
                }
                if line.starts_with("commit = ") {
                    return format!("commit = \"{commit}\"\n");
                }
            }
            // ingress-nginx keeps its version source (releases on the mirror, tag scheme).
            let line = if line.starts_with("versions") && table != "ingress-nginx" {
                String::new()
            } else {
                line.to_string()
            };
            let replaced = url.replace_all(&line, |c: &regex::Captures| {
                format!("\"{}/{entry}/{{version}}/{}\"", server.base, &c[1])
            });
            format!("{replaced}\n")
        })
        .collect();
    std::fs::write(dir.path().join("vendor.toml"), &mirrored).unwrap();
    let cache = dir.path().join(".cache");
    let locked_sync = || {
        crate::common::run_vendor(
            dir.path(),
            &["sync", "--locked"],
            &[("VENDOR_CACHE_DIR", &cache)],
        )
    };
    let (code, out, err) = locked_sync();
    assert_eq!(code, 0, "{err}{out}");
    assert!(
        server.count_suffix(".yaml") >= 11,
        "every upstream file was fetched"
    );
    assert!(
        git_server.count_suffix("/git-upload-pack") >= 2,
        "git entries were fetched from their remote"
    );

    // The same run with one image missing from the lock: --locked refuses and writes nothing.
    let tampered = mirrored.replacen("  \"ghcr.io/dexidp/dex:v2.41.1\",\n", "", 1);
    assert_ne!(tampered, mirrored);
    std::fs::write(dir.path().join("vendor.toml"), &tampered).unwrap();
    let (code, _, err) = locked_sync();
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("vendor.toml")).unwrap(),
        tampered
    );

    // outdated and update on the example's git entry (a newer tag on its remote) and on
    // ingress-nginx through its tag scheme (the mirror's release list).
    std::fs::write(dir.path().join("vendor.toml"), &mirrored).unwrap();
    let (name, path, repo) = git_repos
        .iter()
        .find(|(n, _, _)| n == "kube-state-metrics")
        .expect("the example vendors kube-state-metrics from git");
    repo.put_dir(&newer.join(name).join("v2.20.0"), path);
    repo.commit(&[], "v2.20.0");
    repo.tag("v2.20.0", true);
    let api = format!("{}/api", server.base);
    let env = [
        ("VENDOR_CACHE_DIR", cache.as_path()),
        ("GITHUB_API_URL", Path::new(&api)),
    ];
    let (code, out, err) = crate::common::run_vendor(
        dir.path(),
        &[
            "outdated",
            "kube-state-metrics",
            "ingress-nginx",
            "--format",
            "json",
        ],
        &env,
    );
    assert_eq!(code, 0, "{err}");
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(rows[0]["name"], "ingress-nginx");
    assert_eq!(rows[0]["latest"], "v1.15.1", "{rows}");
    assert_eq!(rows[1]["in_track"], "2.20.0", "{rows}");
    let (code, _, err) =
        crate::common::run_vendor(dir.path(), &["update", "kube-state-metrics"], &env);
    assert!(code == 0 || code == 1, "{err}");
    let (code, _, err) =
        crate::common::run_vendor(dir.path(), &["update", "ingress-nginx", "--major"], &env);
    assert!(code == 0 || code == 1, "{err}");
    let toml = std::fs::read_to_string(dir.path().join("vendor.toml")).unwrap();
    assert!(toml.contains("version = \"2.20.0\"") && toml.contains("version = \"v1.15.1\""));
    assert_eq!(
        std::fs::read(dir.path().join("upstream/ingress-nginx/deploy.yaml")).unwrap(),
        std::fs::read(newer.join("ingress-nginx/v1.15.1/deploy.yaml")).unwrap()
    );
    assert!(
        crate::common::snapshot(&dir.path().join("upstream/kube-state-metrics"))
            == crate::common::snapshot(&newer.join("kube-state-metrics/v2.20.0")),
        "kube-state-metrics' directory at 2.20.0, byte for byte"
    );
}
