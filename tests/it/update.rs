//! `vendor update` end to end: the binary against a loopback upstream (GitHub release listing and
//! raw manifests of real MetalLB and kube-state-metrics releases), on repositories first synced
//! with `vendor sync` at the old versions.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::common::{Reply, Server, snapshot};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/update")
}

fn releases(tags: &[&str]) -> Vec<u8> {
    let list: Vec<serde_json::Value> = tags
        .iter()
        .map(|t| serde_json::json!({"tag_name": t, "draft": false, "prerelease": false}))
        .collect();
    serde_json::to_vec(&list).unwrap()
}

/// Serves `/api/repos/OWNER/REPO/releases` and `/raw/...` from the fixtures. While `fail_ksm`
/// is set, kube-state-metrics files answer HTTP 500.
pub(crate) fn upstream(fail_ksm: Arc<AtomicBool>) -> Server {
    Server::start(Duration::ZERO, move |req, _| {
        let path = req.path();
        match path {
            "/api/repos/metallb/metallb/releases" => {
                return Reply::Ok(releases(&["v0.16.1", "v0.15.3", "v0.14.9"]));
            }
            "/api/repos/kubernetes/kube-state-metrics/releases" => {
                return Reply::Ok(releases(&["v2.20.0", "v2.19.1"]));
            }
            _ => {}
        }
        if let Some(rel) = path.strip_prefix("/raw/") {
            if rel.starts_with("kube-state-metrics/") && fail_ksm.load(Ordering::SeqCst) {
                return Reply::status(500);
            }
            if !rel.split('/').any(|s| s == "..")
                && let Ok(bytes) = std::fs::read(fixtures().join("raw").join(rel))
            {
                return Reply::Ok(bytes);
            }
        }
        Reply::status(404)
    })
}

pub(crate) const METALLB: &str = r#"# Upstreams we vendor.
[settings]
kube-version = "1.31.0"   # the cluster we run

# MetalLB, the raw manifest.
[manifest.metallb]
url = "BASE/raw/metallb/{version}/metallb-native.yaml"
version = "v0.14.9"   # moved by `vendor update`
track = ">=0.14, <0.16"
versions = { github-releases = "metallb/metallb" }
"#;

pub(crate) const KSM: &str = r#"
# kube-state-metrics: upstream ships its own kustomization.
[manifest.kube-state-metrics]
url = [
  "BASE/raw/kube-state-metrics/{version}/cluster-role-binding.yaml",
  "BASE/raw/kube-state-metrics/{version}/cluster-role.yaml",
  "BASE/raw/kube-state-metrics/{version}/deployment.yaml",
  "BASE/raw/kube-state-metrics/{version}/kustomization.yaml",
  "BASE/raw/kube-state-metrics/{version}/service-account.yaml",
  "BASE/raw/kube-state-metrics/{version}/service.yaml",
]
version = "v2.19.1"
track = "~2"
versions = { github-releases = "kubernetes/kube-state-metrics" }
"#;

const EDGE: &str = r#"
# A second MetalLB, one minor ahead.
[manifest.metallb-edge]
url = "BASE/raw/metallb/{version}/metallb-native.yaml"
version = "v0.15.3"
track = ">=0.15, <0.17"
versions = { github-releases = "metallb/metallb" }
"#;

pub(crate) struct Project {
    /// Holds the repository (`repo/`) and, beside it, the report outputs (`out/`).
    _outer: tempfile::TempDir,
    pub(crate) repo: PathBuf,
    pub(crate) out: PathBuf,
    cache: tempfile::TempDir,
    api: String,
}

impl Project {
    /// A repository with `toml` (BASE replaced), the metallb overlay when `toml` has the
    /// `metallb` manifest entry, synced at the pinned versions.
    pub(crate) fn synced(server: &Server, toml: &str) -> Project {
        let outer = tempfile::tempdir().unwrap();
        let repo = outer.path().join("repo");
        let out = outer.path().join("out");
        std::fs::create_dir_all(repo.join("patches/metallb")).unwrap();
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(repo.join("vendor.toml"), toml.replace("BASE", &server.base)).unwrap();
        // The overlay belongs to the raw-manifest entry (object names differ in the chart).
        let overlay = if toml.contains("[manifest.metallb]") {
            std::fs::read_dir(fixtures().join("patches/metallb"))
                .unwrap()
                .collect()
        } else {
            Vec::new()
        };
        for e in overlay {
            let p = e.unwrap().path();
            std::fs::copy(
                &p,
                repo.join("patches/metallb").join(p.file_name().unwrap()),
            )
            .unwrap();
        }
        let p = Project {
            _outer: outer,
            repo,
            out,
            cache: tempfile::tempdir().unwrap(),
            api: format!("{}/api", server.base),
        };
        let o = p.run(&["sync"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "sync: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        p
    }

    pub(crate) fn run(&self, args: &[&str]) -> Output {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_vendor"));
        cmd.args(args).current_dir(&self.repo);
        self.env(&mut cmd).output().unwrap()
    }

    /// The environment that points `vendor` (or a script running it) at the loopback upstream.
    pub(crate) fn env<'c>(
        &self,
        cmd: &'c mut std::process::Command,
    ) -> &'c mut std::process::Command {
        cmd.env("VENDOR_CACHE_DIR", self.cache.path())
            .env("GITHUB_API_URL", &self.api)
            .env("GITHUB_TOKEN", "")
            .env("CI", "true")
            .env("NO_COLOR", "1")
    }

    fn out(&self, name: &str) -> String {
        std::fs::read_to_string(self.out.join(name)).unwrap()
    }

    fn out_arg(&self, name: &str) -> String {
        self.out.join(name).to_string_lossy().into_owned()
    }
}

fn code(o: &Output) -> Option<i32> {
    o.status.code()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn three_patches_one_applies_one_no_op_one_broken() {
    let server = upstream(Default::default());
    let p = Project::synced(&server, METALLB);
    let toml_before = std::fs::read_to_string(p.repo.join("vendor.toml")).unwrap();

    let o = p.run(&[
        "update",
        "--report",
        &p.out_arg("body.md"),
        "--json",
        &p.out_arg("report.json"),
        "--commit-message",
        &p.out_arg("msg.txt"),
    ]);
    // Updated, but a patch broke: exit 1, and the new upstream is written anyway.
    assert_eq!(code(&o), Some(1), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(p.repo.join("upstream/metallb/metallb-native.yaml")).unwrap(),
        std::fs::read(fixtures().join("raw/metallb/v0.15.3/metallb-native.yaml")).unwrap()
    );

    // vendor.toml edited in place: only the version and the lock data change.
    let toml = std::fs::read_to_string(p.repo.join("vendor.toml")).unwrap();
    assert!(toml.starts_with(
        "# Upstreams we vendor.\n[settings]\nkube-version = \"1.31.0\"   # the cluster we run\n"
    ));
    assert!(
        toml.contains("version = \"v0.15.3\"   # moved by `vendor update`\n"),
        "{toml}"
    );
    assert!(toml.contains("track = \">=0.14, <0.16\"\n"));
    assert_eq!(
        toml_before.replace("v0.14.9", "v0.15.3").lines().count(),
        toml.lines().count(),
        "same layout:\n{toml}"
    );
    let config = vendor::config::load(&p.repo.join("vendor.toml")).unwrap();
    let lock = config.entries[0].lock.clone().unwrap();
    assert_eq!(lock.version.as_deref(), Some("v0.15.3"));
    assert!(
        lock.images
            .contains(&"quay.io/metallb/speaker:v0.15.3".to_string()),
        "{:?}",
        lock.images
    );

    // The report says exactly what happened to each patch.
    let json: serde_json::Value = serde_json::from_str(&p.out("report.json")).unwrap();
    let e = &json["entries"][0];
    assert_eq!(
        (e["from"].as_str(), e["to"].as_str(), e["updated"].as_bool()),
        (Some("v0.14.9"), Some("v0.15.3"), Some(true))
    );
    assert_eq!(
        e["release_notes"],
        "https://github.com/metallb/metallb/releases/tag/v0.15.3"
    );
    let statuses: Vec<(String, String, Vec<String>)> = e["patches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["patch"].as_str().unwrap().to_string(),
                p["status"].as_str().unwrap().to_string(),
                p["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f["code"].as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect();
    let expected = [
        ("controller-resources.yaml", "applies", vec![]),
        ("speaker-image.yaml", "no-op", vec!["patch-no-op"]),
        (
            "bgppeers-cabundle.yaml",
            "broken",
            vec!["json6902-op-failed"],
        ),
    ];
    let expected: Vec<(String, String, Vec<String>)> = expected
        .into_iter()
        .map(|(a, b, c)| {
            (
                a.to_string(),
                b.to_string(),
                c.into_iter().map(String::from).collect(),
            )
        })
        .collect();
    assert_eq!(statuses, expected);
    assert_eq!(json["needs_attention"], true);
    // The manifest, and the kustomization sync writes (it names the version).
    assert_eq!(
        e["files"]["modified"],
        serde_json::json!(["kustomization.yaml", "metallb-native.yaml"])
    );
    // The structured diff is the diff module's JSON: the caBundle removal is one of its changes.
    let resources = e["diff"]["resources"].as_array().unwrap();
    assert!(
        resources
            .iter()
            .any(|r| r["id"].as_str().unwrap().contains("bgppeers.metallb.io"))
    );
    assert!(
        resources
            .iter()
            .any(|r| r["status"] == "added" && r["name"] == "configurationstates.metallb.io")
    );

    let msg = p.out("msg.txt");
    assert!(msg.starts_with("Update metallb v0.14.9 -> v0.15.3\n\nmetallb: v0.14.9 -> v0.15.3 (patches: 1 applies, 1 no-op, 1 broken)\n"), "{msg}");

    let body = p.out("body.md");
    assert!(body.starts_with("# Update metallb v0.14.9 → v0.15.3\n"));
    insta::assert_snapshot!("metallb_three_patches_body", body);

    // The terminal summary names the broken patch.
    let out = stdout(&o);
    assert!(
        out.contains("metallb: v0.14.9 -> v0.15.3 (1 applies, 1 no-op, 1 broken)"),
        "{out}"
    );
    assert!(out.contains("broken bgppeers-cabundle.yaml"), "{out}");

    // Running again: nothing to update, said plainly, exit 0 (the broken patch is `check`'s
    // business now; update made no change).
    let o = p.run(&["update"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("nothing to update"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("v0.15.3 is the newest version within `>=0.14, <0.16`"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn dry_run_leaves_every_file_byte_identical() {
    let server = upstream(Default::default());
    let p = Project::synced(&server, METALLB);
    let before = snapshot(&p.repo);
    let o = p.run(&["update", "--dry-run", "--report", &p.out_arg("body.md")]);
    assert_eq!(code(&o), Some(1), "{}", stderr(&o));
    assert_eq!(snapshot(&p.repo), before);
    assert!(
        stdout(&o).contains("metallb: v0.14.9 -> v0.15.3 (dry run)"),
        "{}",
        stdout(&o)
    );
    assert!(p.out("body.md").contains("Dry run: nothing was written."));

    // --to within the track, and --major to leave it.
    let o = p.run(&["update", "metallb", "--to", "v0.16.1", "--dry-run"]);
    assert_eq!(code(&o), Some(2));
    assert!(stderr(&o).contains("outside its track"), "{}", stderr(&o));
    let o = p.run(&["--format", "json", "update", "--major", "--dry-run"]);
    assert_eq!(code(&o), Some(1), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["entries"][0]["to"], "v0.16.1");
    assert_eq!(snapshot(&p.repo), before);
}

#[test]
fn grouped_update_of_three_entries() {
    let server = upstream(Default::default());
    let p = Project::synced(&server, &format!("{METALLB}{KSM}{EDGE}"));
    let o = p.run(&["update", "--group", "--report-dir", &p.out_arg("reports")]);
    assert_eq!(code(&o), Some(1), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&p.out("reports/all.json")).unwrap();
    let moves: Vec<(&str, &str, &str)> = json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap(),
                e["from"].as_str().unwrap(),
                e["to"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        moves,
        [
            ("metallb", "v0.14.9", "v0.15.3"),
            ("kube-state-metrics", "v2.19.1", "v2.20.0"),
            ("metallb-edge", "v0.15.3", "v0.16.1"),
        ]
    );
    let body = p.out("reports/all.md");
    assert!(
        body.starts_with("# Update 3 upstream entries: metallb v0.15.3, kube-state-metrics v2.20.0, metallb-edge v0.16.1\n"),
        "{body}"
    );
    for heading in [
        "## metallb v0.14.9 → v0.15.3",
        "## kube-state-metrics v2.19.1 → v2.20.0",
        "## metallb-edge v0.15.3 → v0.16.1",
    ] {
        assert!(body.contains(heading), "{heading}");
    }
    // kube-state-metrics: the image bump is a highlight; no overlay.
    let ksm = &json["entries"][1];
    assert_eq!(ksm["overlay"], serde_json::Value::Null);
    assert!(
        ksm["diff"]["highlights"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["category"] == "image-changed"
                && h["new"] == "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.20.0"),
        "{}",
        ksm["diff"]["highlights"]
    );
    assert!(
        p.out("reports/all.commit-message.txt")
            .starts_with("Update 3 upstream entries")
    );
    assert_eq!(std::fs::read_dir(p.out.join("reports")).unwrap().count(), 3);
    let toml = std::fs::read_to_string(p.repo.join("vendor.toml")).unwrap();
    for v in [
        "version = \"v0.15.3\"   # moved",
        "version = \"v2.20.0\"",
        "version = \"v0.16.1\"",
    ] {
        assert!(toml.contains(v), "{v}\n{toml}");
    }
    assert_eq!(
        std::fs::read(p.repo.join("upstream/kube-state-metrics/deployment.yaml")).unwrap(),
        std::fs::read(fixtures().join("raw/kube-state-metrics/v2.20.0/deployment.yaml")).unwrap()
    );

    // One report per entry otherwise: nothing left to update now, so no files.
    let o = p.run(&["update", "--report-dir", &p.out_arg("per-entry")]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_dir(p.out.join("per-entry")).unwrap().count(),
        0
    );
}

#[test]
fn per_entry_reports_use_the_names_the_ci_workflow_expects() {
    let server = upstream(Default::default());
    let p = Project::synced(&server, &format!("{METALLB}{KSM}"));
    let o = p.run(&["update", "--dry-run", "--report-dir", &p.out_arg("r")]);
    assert_eq!(code(&o), Some(1), "{}", stderr(&o));
    let mut names: Vec<String> = std::fs::read_dir(p.out.join("r"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "kube-state-metrics.commit-message.txt",
            "kube-state-metrics.json",
            "kube-state-metrics.md",
            "metallb.commit-message.txt",
            "metallb.json",
            "metallb.md",
        ]
    );
    let ksm = p.out("r/kube-state-metrics.md");
    assert!(
        ksm.starts_with("# Update kube-state-metrics v2.19.1 → v2.20.0\n"),
        "{ksm}"
    );
    assert!(!ksm.contains("## metallb"), "one entry per report");
}

#[test]
fn a_failure_mid_update_leaves_the_repository_byte_identical() {
    let fail = Arc::new(AtomicBool::new(false));
    let server = upstream(fail.clone());
    let p = Project::synced(&server, &format!("{METALLB}{KSM}{EDGE}"));
    let before = snapshot(&p.repo);
    fail.store(true, Ordering::SeqCst);
    let o = p.run(&["update", "--report", &p.out_arg("body.md")]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("cannot fetch `kube-state-metrics` v2.20.0"),
        "{err}"
    );
    assert!(err.contains("500"), "{err}");
    assert_eq!(snapshot(&p.repo), before);
    assert!(!p.out.join("body.md").exists(), "no report on error");
}

#[test]
fn a_chart_entry_is_rendered_diffed_and_edited_in_place() {
    let charts = crate::common::fixtures().join("charts/metallb");
    let tgz: Vec<(String, Vec<u8>)> = ["0.15.3", "0.16.1"]
        .iter()
        .map(|v| {
            (
                v.to_string(),
                crate::common::package_chart(&charts.join(v), "metallb"),
            )
        })
        .collect();
    let server = crate::common::chart_repo("metallb", tgz);
    let toml = "# Charts.\n[chart.metallb]\nrepo = \"BASE/charts\"\nchart = \"metallb\"\nversion = \"0.15.3\" # pinned\ntrack = \"<1\"\nnamespace = \"metallb-system\"\n";
    let p = Project::synced(&server, toml);
    let o = p.run(&["update", "--json", &p.out_arg("r.json")]);
    assert_eq!(code(&o), Some(0), "{}{}", stdout(&o), stderr(&o));
    let toml = std::fs::read_to_string(p.repo.join("vendor.toml")).unwrap();
    assert!(toml.contains("version = \"0.16.1\" # pinned\n"), "{toml}");
    let json: serde_json::Value = serde_json::from_str(&p.out("r.json")).unwrap();
    let e = &json["entries"][0];
    assert_eq!(
        (e["kind"].as_str(), e["to"].as_str()),
        (Some("chart"), Some("0.16.1"))
    );
    assert_eq!(e["release_notes"], serde_json::Value::Null);
    assert!(
        e["diff"]["highlights"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["category"] == "image-changed"),
        "{}",
        e["diff"]["highlights"]
    );
}
