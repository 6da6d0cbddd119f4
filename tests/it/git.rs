//! Git directories, archives, tag schemes and published checksums (issue 14), end to end: the
//! binary against git repositories made here with real git and served over `file://`, smart
//! HTTP (`git http-backend` on loopback) and git's ssh code path (a stand-in ssh that runs the
//! remote command locally); archives, checksums and a GitHub-shaped release API served by the
//! loopback HTTP server. Upstream data: kube-state-metrics `examples/standard` at v2.19.1 and
//! v2.20.0, ingress-nginx `deploy.yaml` at controller-v1.14.5 and controller-v1.15.1.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use crate::common::{
    GitRepo, Reply, Server, fake_ssh, git_http, pax_path_header, raw_entry, snapshot,
};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/git")
}

fn ksm(version: &str) -> PathBuf {
    fixtures().join("kube-state-metrics").join(version)
}

/// A kube-state-metrics-shaped repository: `examples/standard` at v2.19.1 (lightweight tag) and
/// v2.20.0 (annotated), plus tags that are not versions of this scheme.
fn ksm_repo() -> GitRepo {
    let r = GitRepo::new();
    r.commit(&[("README.md", Some(b"kube-state-metrics\n"))], "init");
    r.put_dir(&ksm("v2.19.1"), "examples/standard");
    r.commit(&[("main.go", Some(b"package main\n"))], "v2.19.1");
    r.tag("v2.19.1", false);
    r.tag("helm-chart-1.0.0", false);
    r.put_dir(&ksm("v2.20.0"), "examples/standard");
    r.commit(&[], "v2.20.0");
    r.tag("v2.20.0", true);
    r.tag("latest", false);
    r
}

/// A repository using vendor in a temporary directory, with its own download cache.
struct Project {
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Project {
    fn new(toml: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("vendor.toml"), toml).unwrap();
        Project {
            dir,
            cache: tempfile::tempdir().unwrap(),
            env: Vec::new(),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_vendor"));
        cmd.args(args)
            .current_dir(self.dir.path())
            .env("VENDOR_CACHE_DIR", self.cache.path())
            .env("NO_COLOR", "1")
            .env("GITHUB_TOKEN", "");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    fn toml(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("vendor.toml")).unwrap()
    }

    fn upstream(&self, name: &str) -> std::collections::BTreeMap<String, Vec<u8>> {
        snapshot(&self.dir.path().join("upstream").join(name))
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn ksm_entry(url: &str, version: &str) -> String {
    format!(
        "[manifest.kube-state-metrics]\ngit = \"{url}\"\nref = \"v{{version}}\"\npaths = [\"examples/standard\"]\nversion = \"{version}\"\ntrack = \"^2\"\n"
    )
}

/// The vendored files are the upstream directory byte for byte.
fn assert_is_ksm(p: &Project, version: &str) {
    let got = p.upstream("kube-state-metrics");
    let want = snapshot(&ksm(&format!("v{version}")));
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    assert!(got == want, "vendored files differ from upstream {version}");
}

#[test]
fn git_directory_over_file_http_and_ssh() {
    let repo = ksm_repo();
    let commit = repo
        .git(&["rev-parse", "v2.19.1^{commit}"])
        .trim()
        .to_string();
    // file://
    let p = Project::new(&ksm_entry(&repo.file_url(), "2.19.1"));
    let o = p.run(&["sync"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_is_ksm(&p, "2.19.1");
    let toml = p.toml();
    assert!(toml.contains(&format!("commit = \"{commit}\"")), "{toml}");
    assert!(
        toml.contains("\"deployment.yaml\" = \"sha256:"),
        "every file's digest is locked: {toml}"
    );
    let o = p.run(&["check"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    // No working copy and no other tag's commit: one shallow commit in a bare cache repository.
    let cached: Vec<PathBuf> = std::fs::read_dir(p.cache.path().join("git"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "git"))
        .collect();
    assert_eq!(cached.len(), 1);
    let count = std::process::Command::new("git")
        .arg("--git-dir")
        .arg(&cached[0])
        .args(["rev-list", "--all", "--count"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&count.stdout).trim(), "1");
    assert!(!cached[0].join("index").exists());

    // Smart HTTP on loopback (git http-backend), cold and warm, with the same result.
    let root = repo.path().parent().unwrap().to_path_buf();
    let name = repo
        .path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let server = git_http(root);
    let url = format!("{}/{name}", server.base);
    let h = Project::new(&ksm_entry(&url, "2.19.1"));
    let t = Instant::now();
    let o = h.run(&["sync"]);
    let cold = t.elapsed();
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_is_ksm(&h, "2.19.1");
    assert!(
        server.count_suffix("/git-upload-pack") >= 1,
        "smart HTTP was used"
    );
    std::fs::remove_dir_all(h.dir.path().join("upstream")).unwrap();
    let fetches = server.count_suffix("/git-upload-pack");
    let t = Instant::now();
    let o = h.run(&["sync"]);
    let warm = t.elapsed();
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_is_ksm(&h, "2.19.1");
    assert_eq!(
        server.count_suffix("/git-upload-pack"),
        fetches + 1,
        "a warm sync asks for the tag (ls-remote) and fetches nothing"
    );
    eprintln!("sync of a git entry over loopback smart HTTP: cold {cold:?}, warm {warm:?}");
    let mut h_toml = h.toml();
    h_toml = h_toml.replace(&url, &repo.file_url());
    assert_eq!(
        h_toml,
        p.toml(),
        "the same lock data whatever the transport"
    );
    // Offline, the cache answers.
    std::fs::remove_dir_all(h.dir.path().join("upstream")).unwrap();
    let o = h.run(&["sync", "--offline"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_is_ksm(&h, "2.19.1");

    // ssh:// and scp-like URLs, through git's ssh transport (a stand-in ssh).
    let ssh = fake_ssh(h.cache.path());
    for url in [
        format!("ssh://git@example.invalid{}", repo.path().display()),
        format!("git@example.invalid:{}", repo.path().display()),
    ] {
        let mut s = Project::new(&format!(
            "{}versions = {{ git-tags = \"{url}\" }}\n",
            ksm_entry(&url, "2.19.1")
        ));
        s.env = vec![
            ("GIT_SSH_COMMAND".into(), ssh.display().to_string()),
            ("GIT_SSH_VARIANT".into(), "simple".into()),
        ];
        let o = s.run(&["sync"]);
        assert_eq!(code(&o), 0, "{url}: {}", text(&o));
        assert_is_ksm(&s, "2.19.1");
        let o = s.run(&["outdated", "--format", "json"]);
        assert_eq!(code(&o), 0, "{url}: {}", text(&o));
        let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(rows[0]["in_track"], "2.20.0", "{rows}");
    }
}

#[test]
fn git_absent_is_a_clear_error() {
    let repo = ksm_repo();
    let mut p = Project::new(&ksm_entry(&repo.file_url(), "2.19.1"));
    let empty = tempfile::tempdir().unwrap();
    p.env = vec![("PATH".into(), empty.path().display().to_string())];
    let o = p.run(&["sync"]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("git is not installed (or not on PATH)") && t.contains("install git"),
        "{t}"
    );
    assert!(!p.dir.path().join("upstream").exists());
    // Only fetching needs git: `check` compares the vendored files with the lock without it.
    p.env.clear();
    assert_eq!(code(&p.run(&["sync"])), 0);
    p.env = vec![("PATH".into(), empty.path().display().to_string())];
    let o = p.run(&["check"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
}

#[test]
fn a_moved_tag_is_upstream_retagged() {
    let repo = ksm_repo();
    let p = Project::new(&ksm_entry(&repo.file_url(), "2.19.1"));
    assert_eq!(code(&p.run(&["sync"])), 0);
    let old = repo
        .git(&["rev-parse", "v2.19.1^{commit}"])
        .trim()
        .to_string();
    let before = snapshot(p.dir.path());
    // Upstream moves the tag to a new commit (same files: still a re-tag).
    repo.git(&["checkout", "-q", "v2.19.1"]);
    let new = repo.commit(&[("NOTICE", Some(b"moved\n"))], "re-tag");
    repo.tag("v2.19.1", false);
    let o = p.run(&["sync"]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("upstream-retagged"), "{t}");
    assert!(
        t.contains(&old) && t.contains(&new),
        "both commits named: {t}"
    );
    assert!(snapshot(p.dir.path()) == before, "nothing was written");
    // `check --online` says the same; `--accept-retag` adopts it.
    let o = p.run(&["check", "--online"]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert!(text(&o).contains("upstream-retagged"), "{}", text(&o));
    let o = p.run(&["sync", "--accept-retag", "kube-state-metrics"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(p.toml().contains(&format!("commit = \"{new}\"")));
    assert_eq!(code(&p.run(&["sync", "--locked"])), 0);
}

#[test]
fn outdated_and_update_follow_the_ref_template_and_paths() {
    let repo = ksm_repo();
    let p = Project::new(&ksm_entry(&repo.file_url(), "2.19.1"));
    assert_eq!(code(&p.run(&["sync"])), 0);
    let o = p.run(&["outdated", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // Tags that do not follow `v{version}` (helm-chart-1.0.0, latest) are not versions.
    assert_eq!(rows[0]["in_track"], "2.20.0", "{rows}");
    assert_eq!(rows[0]["latest"], "2.20.0", "{rows}");
    let o = p.run(&["update"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_is_ksm(&p, "2.20.0");
    let toml = p.toml();
    let commit = repo
        .git(&["rev-parse", "v2.20.0^{commit}"])
        .trim()
        .to_string();
    assert!(
        toml.contains("version = \"2.20.0\"") && toml.contains(&commit),
        "{toml}"
    );
    assert_eq!(code(&p.run(&["check"])), 0);

    // A newer version where the directory is gone: the update stops and names the path.
    repo.git(&["checkout", "-q", "main"]);
    repo.commit(&[("examples/standard", None)], "move examples");
    repo.tag("v2.21.0", false);
    let before = snapshot(p.dir.path());
    let o = p.run(&["update"]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("`examples/standard` does not exist at 2.21.0"),
        "{t}"
    );
    assert!(snapshot(p.dir.path()) == before, "nothing was written");
}

/// A GitHub-shaped API and raw files on loopback for ingress-nginx, whose releases mix
/// `controller-v*` and `helm-chart-*` tags.
fn ingress_upstream() -> Server {
    Server::start(Duration::ZERO, |req, _| {
        let path = req.path();
        if path == "/api/repos/kubernetes/ingress-nginx/releases" {
            let list: Vec<serde_json::Value> = [
                "helm-chart-4.15.1",
                "controller-v1.15.1",
                "helm-chart-4.14.5",
                "controller-v1.14.5",
            ]
            .iter()
            .map(|t| serde_json::json!({"tag_name": t, "draft": false}))
            .collect();
            return Reply::Ok(serde_json::to_vec(&list).unwrap());
        }
        // /raw/controller-vX.Y.Z/deploy.yaml
        let mut parts = path.trim_start_matches("/raw/").split('/');
        match (
            parts.next().and_then(|t| t.strip_prefix("controller-")),
            parts.next(),
        ) {
            (Some(v), Some("deploy.yaml")) => {
                match std::fs::read(fixtures().join("ingress-nginx").join(v).join("deploy.yaml")) {
                    Ok(b) => Reply::Ok(b),
                    Err(_) => Reply::status(404),
                }
            }
            _ => Reply::status(404),
        }
    })
}

#[test]
fn tag_schemes_for_github_releases_and_git_tags() {
    let server = ingress_upstream();
    let entry = |tag: &str| {
        format!(
            "[manifest.ingress-nginx]\nurl = \"{}/raw/controller-{{version}}/deploy.yaml\"\nversion = \"v1.14.5\"\ntrack = \"~1\"\nversions = {{ github-releases = \"kubernetes/ingress-nginx\" }}\ntag = \"{tag}\"\n",
            server.base
        )
    };
    let mut p = Project::new(&entry("controller-{version}"));
    p.env = vec![("GITHUB_API_URL".into(), format!("{}/api", server.base))];
    assert_eq!(code(&p.run(&["sync"])), 0);
    let o = p.run(&["outdated"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("v1.15.1"), "{t}");
    assert!(
        !t.contains("4.15.1"),
        "chart tags are not controller versions: {t}"
    );
    let o = p.run(&["update", "--report", "r.md"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(p.toml().contains("version = \"v1.15.1\""));
    assert_eq!(
        std::fs::read(p.dir.path().join("upstream/ingress-nginx/deploy.yaml")).unwrap(),
        std::fs::read(fixtures().join("ingress-nginx/v1.15.1/deploy.yaml")).unwrap()
    );
    let report = std::fs::read_to_string(p.dir.path().join("r.md")).unwrap();
    assert!(
        report.contains(
            "https://github.com/kubernetes/ingress-nginx/releases/tag/controller-v1.15.1"
        ),
        "release notes link through the tag scheme"
    );

    // A regex scheme (Renovate's extractVersion) finds the same versions.
    std::fs::write(
        p.dir.path().join("vendor.toml"),
        entry(r"^controller-(?P<version>v[0-9.]+)$").replace("v1.14.5", "v1.15.1"),
    )
    .unwrap();
    let o = p.run(&["outdated", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows[0]["latest"], "v1.15.1", "{rows}");

    // A scheme no tag follows: outdated says so instead of printing `-`.
    std::fs::write(p.dir.path().join("vendor.toml"), entry("release-{version}")).unwrap();
    let o = p.run(&["outdated"]);
    let t = text(&o);
    assert!(
        t.contains("none of the 4 tags of github-releases kubernetes/ingress-nginx match the tag scheme `release-{version}`"),
        "{t}"
    );

    // The same scheme on a git remote's tags (smart HTTP).
    let repo = GitRepo::new();
    for t in [
        "controller-v1.14.5",
        "helm-chart-4.15.1",
        "controller-v1.15.1",
    ] {
        repo.commit(&[], t);
        repo.tag(t, true);
    }
    let root = repo.path().parent().unwrap().to_path_buf();
    let git = git_http(root);
    let url = format!(
        "{}/{}",
        git.base,
        repo.path().file_name().unwrap().to_string_lossy()
    );
    let toml = entry("controller-{version}").replace(
        "{ github-releases = \"kubernetes/ingress-nginx\" }",
        &format!("{{ git-tags = \"{url}\" }}"),
    );
    std::fs::write(p.dir.path().join("vendor.toml"), toml).unwrap();
    let o = p.run(&["outdated", "--format", "json"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows[0]["latest"], "v1.15.1", "{rows}");
}

/// A source archive laid out as GitHub's: `kube-state-metrics-VERSION/examples/standard/...`.
fn ksm_tgz(version: &str) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let dir = ksm(&format!("v{version}"));
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    for n in names {
        let data = std::fs::read(dir.join(&n)).unwrap();
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(
            &mut h,
            format!(
                "kube-state-metrics-{version}/examples/standard/{}",
                n.to_string_lossy()
            ),
            data.as_slice(),
        )
        .unwrap();
    }
    let mut h = tar::Header::new_gnu();
    h.set_size(3);
    h.set_mode(0o644);
    b.append_data(
        &mut h,
        format!("kube-state-metrics-{version}/main.go"),
        &b"go\n"[..],
    )
    .unwrap();
    crate::common::gzip(&b.into_inner().unwrap())
}

fn sha256(b: &[u8]) -> String {
    crate::common::sha256_hex(b)
}

#[test]
fn archives_with_paths_and_published_checksums() {
    use std::sync::{Arc, Mutex};
    let evil: Arc<Mutex<Option<Vec<u8>>>> = Arc::default();
    let sums: Arc<Mutex<String>> = Arc::default();
    let (e2, s2) = (evil.clone(), sums.clone());
    let server = Server::start(Duration::ZERO, move |req, _| {
        let path = req.path();
        if let Some(v) = path
            .strip_prefix("/archive/v")
            .and_then(|p| p.strip_suffix(".tar.gz"))
        {
            if let Some(b) = e2.lock().unwrap().clone() {
                return Reply::Ok(b);
            }
            return Reply::Ok(ksm_tgz(v));
        }
        if path.ends_with("/checksums.txt") {
            return Reply::Ok(s2.lock().unwrap().clone().into_bytes());
        }
        Reply::status(404)
    });
    let toml = format!(
        "[manifest.kube-state-metrics]\nurl = \"{base}/archive/v{{version}}.tar.gz\"\npaths = [\"examples/standard\"]\nexclude = [\"**/README.md\"]\nchecksums = \"{base}/{{version}}/checksums.txt\"\nversion = \"2.19.1\"\n",
        base = server.base
    );
    let good = ksm_tgz("2.19.1");
    *sums.lock().unwrap() = format!(
        "{}  other.tar.gz\n{}  v2.19.1.tar.gz\n",
        "0".repeat(64),
        sha256(&good)
    );
    let p = Project::new(&toml);
    let o = p.run(&["sync"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_is_ksm(&p, "2.19.1");
    assert!(
        p.toml()
            .contains(&format!("digest = \"sha256:{}\"", sha256(&good))),
        "the archive's digest is locked"
    );
    let synced = snapshot(p.dir.path());

    // A checksum that does not match: exit 2, both named, nothing written.
    *sums.lock().unwrap() = format!("{}  v2.19.1.tar.gz\n", "ab".repeat(32));
    let o = p.run(&["sync", "--refresh"]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    let t = text(&o);
    assert!(t.contains(&format!("sha256:{}", "ab".repeat(32))), "{t}");
    assert!(
        t.contains(&sha256(&good)) && t.contains("checksums.txt") && t.contains("v2.19.1.tar.gz"),
        "{t}"
    );
    assert!(snapshot(p.dir.path()) == synced);
    // No line for the asset.
    *sums.lock().unwrap() = format!("{}  other.tar.gz\n", "0".repeat(64));
    let o = p.run(&["sync", "--refresh"]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(
        text(&o).contains("lists no checksum for `v2.19.1.tar.gz`"),
        "{}",
        text(&o)
    );
    assert!(snapshot(p.dir.path()) == synced);

    // Hostile archives (with matching checksums): refused, nothing written.
    let hostile: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "traversal",
            raw_tgz(
                b"k/examples/standard/../../../evil.yaml",
                tar::EntryType::Regular,
            ),
            "unsafe path",
        ),
        (
            "symlink",
            raw_tgz(b"k/examples/standard/link.yaml", tar::EntryType::Symlink),
            "symbolic link",
        ),
        (
            "non-UTF-8 name",
            raw_tgz(b"k/examples/standard/caf\xe9.yaml", tar::EntryType::Regular),
            "not UTF-8",
        ),
        ("PAX mismatch", pax_tgz(), "disagrees"),
    ];
    for (what, bytes, says) in hostile {
        *sums.lock().unwrap() = format!("{}  v2.19.1.tar.gz\n", sha256(&bytes));
        *evil.lock().unwrap() = Some(bytes);
        let o = p.run(&["sync", "--refresh", "--accept-retag", "kube-state-metrics"]);
        assert_eq!(code(&o), 2, "{what}: {}", text(&o));
        assert!(text(&o).contains(says), "{what}: {}", text(&o));
        assert!(snapshot(p.dir.path()) == synced, "{what}: nothing written");
    }
}

fn raw_tgz(name: &[u8], kind: tar::EntryType) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    if kind == tar::EntryType::Regular {
        raw_entry(&mut b, name, kind, b"{}", None);
    } else {
        raw_entry(&mut b, name, kind, b"", Some(b"/etc/passwd"));
    }
    crate::common::gzip(&b.into_inner().unwrap())
}

/// `k/examples/standard/a.yaml` for a reader that ignores PAX, `k/examples/standard/b.yaml` for tar(1).
fn pax_tgz() -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    pax_path_header(&mut b, "k/examples/standard/b.yaml");
    raw_entry(
        &mut b,
        b"k/examples/standard/a.yaml",
        tar::EntryType::Regular,
        b"{}",
        None,
    );
    crate::common::gzip(&b.into_inner().unwrap())
}

/// metallb 0.15.3's chart directory in a monorepo (`charts/metallb` at tag v0.15.3) without its
/// packaged frr-k8s dependency, which its Chart.lock pins in a repository (on loopback): vendored
/// from git, it renders exactly as the same chart packaged in a Helm repository does.
#[test]
fn a_chart_from_a_git_directory_renders_like_a_repository_chart() {
    let src =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sources/charts/metallb/0.15.3");
    let frr = std::fs::read(src.join("charts/frr-k8s-0.0.21.tgz")).unwrap();
    let packaged = crate::common::package_chart(&src, "metallb");
    let (frr2, packaged2) = (frr.clone(), packaged.clone());
    let server = Server::start(Duration::ZERO, move |req, _| match req.path() {
        "/frr/index.yaml" => Reply::Ok(
            crate::common::index_yaml(&[crate::common::IndexItem {
                name: "frr-k8s".into(),
                version: "0.0.21".into(),
                url: "frr-k8s-0.0.21.tgz".into(),
                digest: Some(sha256(&frr2)),
            }])
            .into_bytes(),
        ),
        "/frr/frr-k8s-0.0.21.tgz" => Reply::Ok(frr2.clone()),
        "/charts/index.yaml" => Reply::Ok(
            crate::common::index_yaml(&[crate::common::IndexItem {
                name: "metallb".into(),
                version: "0.15.3".into(),
                url: "metallb-0.15.3.tgz".into(),
                digest: Some(sha256(&packaged2)),
            }])
            .into_bytes(),
        ),
        "/charts/metallb-0.15.3.tgz" => Reply::Ok(packaged2.clone()),
        _ => Reply::status(404),
    });
    let repo = GitRepo::new();
    repo.put_dir(&src, "charts/metallb");
    std::fs::remove_file(repo.path().join("charts/metallb/charts/frr-k8s-0.0.21.tgz")).unwrap();
    let lock = repo.path().join("charts/metallb/Chart.lock");
    let lock_text = std::fs::read_to_string(&lock).unwrap().replace(
        "https://metallb.github.io/frr-k8s",
        &format!("{}/frr", server.base),
    );
    std::fs::write(&lock, lock_text).unwrap();
    let commit = repo.commit(&[], "metallb chart 0.15.3");
    repo.tag("v0.15.3", true);
    let p = Project::new(&format!(
        "[chart.from-git]\ngit = \"{git}\"\nref = \"v{{version}}\"\npaths = [\"charts/metallb\"]\nchart = \"metallb\"\nversion = \"0.15.3\"\nrelease = \"metallb\"\nnamespace = \"metallb-system\"\n\n\
         [chart.from-repo]\nrepo = \"{base}/charts\"\nchart = \"metallb\"\nversion = \"0.15.3\"\nrelease = \"metallb\"\nnamespace = \"metallb-system\"\n",
        git = repo.file_url(),
        base = server.base
    ));
    let o = p.run(&["sync"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_eq!(
        server.count("/frr/frr-k8s-0.0.21.tgz"),
        1,
        "the dependency came from its repository"
    );
    let mut from_git = p.upstream("from-git");
    let mut from_repo = p.upstream("from-repo");
    // The generated kustomization.yaml names its entry; everything rendered is identical.
    from_git.remove("kustomization.yaml");
    from_repo.remove("kustomization.yaml");
    assert!(from_git.len() > 5);
    assert!(
        from_git == from_repo,
        "the same render from git and from the repository"
    );
    let toml = p.toml();
    assert!(toml.contains(&format!("commit = \"{commit}\"")), "{toml}");
    assert!(
        toml.contains("[chart.from-git.lock.render]"),
        "render inputs are locked: {toml}"
    );
    assert_eq!(code(&p.run(&["check"])), 0);
    assert_eq!(code(&p.run(&["sync", "--locked"])), 0);
    // The chart's version must be the tag's: a Chart.yaml that says otherwise is refused.
    repo.git(&["checkout", "-q", "main"]);
    repo.commit(&[], "next");
    repo.tag("v0.15.4", false);
    let o = p.run(&["update", "from-git", "--to", "0.15.4"]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(
        text(&o).contains("Chart.yaml says version `0.15.3`"),
        "{}",
        text(&o)
    );
}
