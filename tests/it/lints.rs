//! Configuration instead of repeated flags (issue 15, items 6, 7 and 9): finding levels in
//! vendor.toml (`[lints]`, an entry's `lints`) under the command line's `-A/-W/-D`,
//! `check --explain`, "did you mean" for entry names and codes, and what a renamed entry
//! leaves behind (`orphan-lock`, `sync --prune`). The binary runs on a copy of the check
//! fixture repository (real MetalLB and a small app).

use std::path::{Path, PathBuf};

struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn base() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        crate::common::copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/base"),
            dir.path(),
        );
        Repo { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap()
    }

    fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.path(rel), text).unwrap();
    }

    fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    fn vendor(&self, args: &[&str]) -> (i32, String, String) {
        crate::common::run_vendor(self.dir.path(), args, crate::common::NO_ENV)
    }
}

/// (entry, code, level) of each finding of `vendor --format json check ARGS`.
fn levels(repo: &Repo, args: &[&str]) -> (i32, Vec<(String, String, String)>) {
    let mut all = vec!["--format", "json", "check"];
    all.extend_from_slice(args);
    let (code, out, err) = repo.vendor(&all);
    let json: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    let mut got: Vec<(String, String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["entry"].as_str().unwrap_or("-").to_string(),
                f["code"].as_str().unwrap().to_string(),
                f["level"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    got.dedup();
    (code, got)
}

fn row(entry: &str, code: &str, level: &str) -> (String, String, String) {
    (entry.into(), code.into(), level.into())
}

/// `[lints]` sets levels for every entry, an entry's `lints` for that entry, and `-A/-W/-D`
/// win over both.
#[test]
fn levels_from_vendor_toml_and_the_command_line() {
    let repo = Repo::base();
    // Digests required: every image is `image-no-digest` (warning); quay.io only: the app's
    // busybox from registry.k8s.io is `image-registry-not-allowed` (error).
    repo.edit(
        "vendor.toml",
        "allow-registries = [\"quay.io\", \"registry.k8s.io\"]",
        "allow-registries = [\"quay.io\"]\nrequire-digest = true",
    );
    let (code, got) = levels(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        got,
        [
            row("app", "image-no-digest", "warning"),
            row("app", "image-registry-not-allowed", "error"),
            row("metallb", "image-no-digest", "warning"),
        ]
    );

    let text = repo.read("vendor.toml").replacen(
        "[policy.images]",
        "[lints]\nimage-no-digest = \"deny\"            # we pin digests\nimage-registry-not-allowed = \"warn\"\n\n[policy.images]",
        1,
    );
    let text = text.replacen(
        "track = \"~0.15\"\n",
        "track = \"~0.15\"\nlints = { image-no-digest = \"allow\" }\n",
        1,
    );
    repo.write("vendor.toml", &text);
    let (code, got) = levels(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        got,
        [
            row("app", "image-no-digest", "error"),
            row("app", "image-registry-not-allowed", "warning"),
        ]
    );
    // The command line wins over the entry's and [lints].
    let (code, got) = levels(
        &repo,
        &["-W", "image-no-digest", "-D", "image-registry-not-allowed"],
    );
    assert_eq!(code, 1);
    assert_eq!(
        got,
        [
            row("app", "image-no-digest", "warning"),
            row("app", "image-registry-not-allowed", "error"),
            row("metallb", "image-no-digest", "warning"),
        ]
    );
    let (code, got) = levels(
        &repo,
        &["-A", "image-no-digest", "-A", "image-registry-not-allowed"],
    );
    assert_eq!((code, got), (0, vec![]));
    // `vendor images` exits by the same levels.
    let (code, _, _) = repo.vendor(&["images", "metallb"]);
    assert_eq!(code, 0);
    let (code, _, _) = repo.vendor(&["images", "app"]);
    assert_eq!(code, 1);
}

/// An unknown code or level in vendor.toml is an error at its line and column, with the
/// closest code; every problem in one run.
#[test]
fn unknown_codes_in_vendor_toml_point_at_the_line_with_a_suggestion() {
    let repo = Repo::base();
    let text = format!(
        "[lints]\nobject-to-large = \"allow\"\ncrd-has-status = \"error\"\n\n{}",
        repo.read("vendor.toml").replacen(
            "track = \"~0.15\"\n",
            "track = \"~0.15\"\nlints = { patch-noop = \"warn\" }\n",
            1
        )
    );
    repo.write("vendor.toml", &text);
    let (code, out, err) = repo.vendor(&["check"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("vendor.toml has 3 problems"), "{err}");
    assert!(
        err.contains("unknown finding code `object-to-large` in [lints]"),
        "{err}"
    );
    assert!(err.contains("[vendor.toml:2:1]"), "{err}");
    assert!(
        err.contains("help: did you mean `object-too-large`?"),
        "{err}"
    );
    assert!(err.contains("\"error\" is not a finding level"), "{err}");
    assert!(err.contains("[vendor.toml:3:18]"), "{err}");
    assert!(
        err.contains("help: did you mean `deny`? levels: allow, warn, deny"),
        "{err}"
    );
    assert!(
        err.contains("unknown finding code `patch-noop` in `lints` of [manifest.metallb]"),
        "{err}"
    );
    assert!(err.contains("did you mean `patch-no-op`?"), "{err}");
}

/// `vendor check --explain CODE` says what a code means and how to fix it, without a
/// vendor.toml; a misspelt code (there, or with -A/-W/-D) gets the closest ones.
#[test]
fn explain_and_did_you_mean_for_codes() {
    let empty = tempfile::tempdir().unwrap();
    let (code, out, err) = crate::common::run_vendor(
        empty.path(),
        &["check", "--explain", "object-too-large"],
        crate::common::NO_ENV,
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with(
            "object-too-large (default level: warning)\n\nAn object is larger than 256 KiB"
        ),
        "{out}"
    );
    assert!(out.contains("\nFix: apply it server-side"), "{out}");
    assert!(
        out.contains("[lints]\n    object-too-large = \"allow\""),
        "{out}"
    );
    let (code, _, err) = crate::common::run_vendor(
        empty.path(),
        &["check", "--explain", "object-to-large"],
        crate::common::NO_ENV,
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown finding code `object-to-large`"),
        "{err}"
    );
    assert!(err.contains("did you mean `object-too-large`?"), "{err}");
    let repo = Repo::base();
    let (code, _, err) = repo.vendor(&["check", "-A", "image-lates"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `image-latest`?"), "{err}");
    let (code, _, err) = repo.vendor(&["check", "-D", "zzzz"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("known codes: file-modified, file-missing"),
        "{err}"
    );
    // Every code has its text.
    for c in [
        "file-modified",
        "orphan-lock",
        "patch-adds-list-item",
        "interrupted-write",
    ] {
        let (code, out, _) = crate::common::run_vendor(
            empty.path(),
            &["check", "--explain", c],
            crate::common::NO_ENV,
        );
        assert_eq!(code, 0);
        assert!(out.contains("\nFix: "), "{c}: {out}");
    }
}

/// Every command that takes NAME suggests the closest entries, and lists them all when none is
/// close.
#[test]
fn did_you_mean_for_entry_names() {
    let repo = Repo::base();
    let text = repo
        .read("vendor.toml")
        .replace("[manifest.app", "[manifest.argocd");
    let text = format!(
        "{text}\n[manifest.argocd-ha]\nurl = \"https://example.com/{{version}}/ha.yaml\"\nversion = \"v1.0.0\"\n"
    );
    repo.write("vendor.toml", &text);
    std::fs::rename(repo.path("upstream/app"), repo.path("upstream/argocd")).unwrap();
    for (args, want) in [
        (
            &["check", "argo"][..],
            "did you mean `argocd` or `argocd-ha`?",
        ),
        (&["sync", "metalb"][..], "did you mean `metallb`?"),
        (
            &["update", "metalb", "--dry-run"][..],
            "did you mean `metallb`?",
        ),
        (
            &["outdated", "argocd-h"][..],
            "did you mean `argocd-ha` or `argocd`?",
        ),
        (&["images", "metallb-x"][..], "did you mean `metallb`?"),
        (&["diff", "metall"][..], "did you mean `metallb`?"),
    ] {
        let (code, _, err) = repo.vendor(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains(&format!("`{}` is not an entry of vendor.toml", args[1])),
            "{args:?}: {err}"
        );
        assert!(err.contains(want), "{args:?}: {err}");
    }
    let (code, _, err) = repo.vendor(&["check", "zzz"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("entries in vendor.toml: metallb, argocd, argocd-ha"),
        "{err}"
    );
    assert!(!err.contains("did you mean"), "{err}");
}

/// Renaming an entry leaves its lock table and its upstream directory: one `orphan-lock`
/// finding with the fix (not "add `version`" errors), and `vendor sync --prune` removes both in
/// one transaction: killed half-way, the next run completes it.
#[test]
fn a_renamed_entry_leaves_an_orphan_lock_that_prune_removes() {
    let repo = Repo::base();
    // The app's release as a local file, so that sync works offline.
    let releases = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(releases.path().join("v1.0.0")).unwrap();
    std::fs::copy(
        repo.path("upstream/app/app.yaml"),
        releases.path().join("v1.0.0/app.yaml"),
    )
    .unwrap();
    std::fs::create_dir_all(releases.path().join("v0.15.3")).unwrap();
    std::fs::copy(
        repo.path("upstream/metallb/metallb-native.yaml"),
        releases.path().join("v0.15.3/metallb-native.yaml"),
    )
    .unwrap();
    repo.edit(
        "vendor.toml",
        "https://raw.githubusercontent.com/metallb/metallb/{version}/config/manifests/metallb-native.yaml",
        &format!("file://{}/{{version}}/metallb-native.yaml", releases.path().display()),
    );
    let url = format!("file://{}/{{version}}/app.yaml", releases.path().display());
    repo.edit(
        "vendor.toml",
        "[manifest.app]\nurl = \"https://example.com/releases/{version}/app.yaml\"",
        &format!("[manifest.web]\nurl = \"{url}\""),
    );
    let (code, out, err) = repo.vendor(&["check"]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(err, "");
    assert!(!out.contains("add `version"), "{out}");
    let line = repo
        .read("vendor.toml")
        .lines()
        .position(|l| l == "[manifest.app.lock]")
        .unwrap()
        + 1;
    assert!(
        out.contains(&format!(
            "  warning[orphan-lock]: lock table for unknown entry `app`: [manifest.app.lock] belongs to no entry\n    --> vendor.toml:{line}:1\n    help: the entry was renamed or removed; run `vendor sync --prune` to remove [manifest.app.lock], or delete it\n"
        )),
        "{out}"
    );
    assert_eq!(out.matches("orphan-lock").count(), 1, "{out}");
    assert!(
        out.contains("error[not-synced]: web has no lock data"),
        "{out}"
    );
    assert!(
        out.contains("error[file-extra]: upstream/app belongs to no entry of vendor.toml"),
        "{out}"
    );
    assert!(
        out.contains("run `vendor sync --prune` to delete it"),
        "{out}"
    );

    // --locked reports what --prune would remove, and changes nothing.
    let (code, _, _) = repo.vendor(&["sync", "web"]);
    assert_eq!(code, 0);
    let before = crate::common::snapshot(repo.dir.path());
    let (code, _, err) = repo.vendor(&["sync", "--locked", "--prune"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("--prune would remove upstream/app, [manifest.app.lock]"),
        "{err}"
    );
    assert_eq!(crate::common::snapshot(repo.dir.path()), before);

    // Killed in the middle of the swap: the next run completes the prune.
    let (code, _, _) = crate::common::run_vendor(
        repo.dir.path(),
        &["sync", "--prune"],
        &[("FAILPOINTS", "swap-install=return(crash)")],
    );
    assert_ne!(code, 0);
    let (code, out, _) = repo.vendor(&["check"]);
    assert_eq!(code, 1);
    assert!(out.contains("interrupted-write"), "{out}");
    let (code, out, err) = repo.vendor(&["sync", "--prune"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("recovered the change interrupted in process"),
        "{err}"
    );
    assert!(err.contains(": completed:"), "{err}");
    assert!(!repo.path("upstream/app").exists());
    let toml = repo.read("vendor.toml");
    assert!(!toml.contains("manifest.app"), "{toml}");
    assert!(toml.contains("[manifest.web.lock]"), "{toml}");
    let (code, out, err) = repo.vendor(&["check"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "2 entries checked: 0 errors, 0 warnings\n"),
        "{err}"
    );

    // Nothing left to prune: a second run says nothing about it.
    let (code, out, _) = repo.vendor(&["sync", "--prune"]);
    assert_eq!(code, 0);
    assert!(!out.contains("pruned"), "{out}");
}

/// `sync --prune` says what it removed, in every format; it refuses NAME arguments.
#[test]
fn prune_reports_what_it_removed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("releases/v1.0.0")).unwrap();
    std::fs::write(
        root.join("releases/v1.0.0/app.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("upstream/old/sub")).unwrap();
    std::fs::write(root.join("upstream/old/sub/x.yaml"), "{}\n").unwrap();
    std::fs::write(root.join("upstream/README"), "not a directory: kept\n").unwrap();
    let toml = format!(
        "[manifest.web]\nurl = \"file://{}/releases/{{version}}/app.yaml\"\nversion = \"v1.0.0\"\n\n# left behind\n[chart.old.lock]\nversion = \"1.0.0\"\n",
        root.display()
    );
    std::fs::write(root.join("vendor.toml"), toml).unwrap();
    let (code, _, err) =
        crate::common::run_vendor(root, &["sync", "--prune", "web"], crate::common::NO_ENV);
    assert_eq!(code, 2);
    assert!(err.contains("cannot be used with"), "{err}");
    let (code, out, err) = crate::common::run_vendor(
        root,
        &["--format", "json", "sync", "--prune"],
        crate::common::NO_ENV,
    );
    assert_eq!(code, 0, "{out}{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        json["pruned"],
        serde_json::json!(["upstream/old", "[chart.old.lock]"])
    );
    assert!(!root.join("upstream/old").exists());
    assert!(root.join("upstream/README").exists());
    let toml = std::fs::read_to_string(root.join("vendor.toml")).unwrap();
    assert!(!toml.contains("chart"), "{toml}");
    // Human output, on a second orphan.
    std::fs::create_dir_all(root.join("upstream/gone")).unwrap();
    let (code, out, _) =
        crate::common::run_vendor(root, &["sync", "--prune"], crate::common::NO_ENV);
    assert_eq!(code, 0);
    assert!(
        out.contains("pruned upstream/gone: it belongs to no entry\n"),
        "{out}"
    );
}

/// `vendor init` writes the `[diff]` defaults it uses and a commented `[lints]` example that is
/// valid once uncommented.
#[test]
fn init_writes_diff_defaults_and_a_lints_example() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = crate::common::run_vendor(dir.path(), &["init"], crate::common::NO_ENV);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(dir.path().join("vendor.toml")).unwrap();
    assert!(
        text.contains("summarize-labels = [\"helm.sh/chart\", \"app.kubernetes.io/version\"]\n"),
        "{text}"
    );
    assert!(
        text.contains("[lints]\n# object-too-large = \"allow\""),
        "{text}"
    );
    // Loads (exit 1: nothing is synced yet, not 2: a bad vendor.toml), and so does the example.
    let (code, out, err) = crate::common::run_vendor(dir.path(), &["check"], crate::common::NO_ENV);
    assert_eq!(code, 1, "{out}{err}");
    std::fs::write(
        dir.path().join("vendor.toml"),
        text.replace("# object-too-large", "object-too-large")
            .replace("# patch-no-op", "patch-no-op"),
    )
    .unwrap();
    let (code, out, err) = crate::common::run_vendor(dir.path(), &["check"], crate::common::NO_ENV);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("not-synced"), "{out}");
}
