//! Integration tests of fetching and syncing against real servers on loopback: a Helm HTTP
//! repository, raw manifests and a GitHub-shaped API served by `crate::common::Server`, a real OCI
//! registry (Debian's `docker-registry`, Distribution 2.8) and a real git repository.

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::common::{
    GitRepo, IndexItem, Reply, Request, Server, fixtures, index_yaml, package_chart,
    pax_path_header, raw_entry, sha256_hex, snapshot,
};
use safe_archive::{ArchiveError, Limits};
use vendor::config::{self, Config};
use vendor::diag::Code;
use vendor::flows::sync::{self, Options, SyncError};
use vendor::report::model::Change;
use vendor::report::progress::Progress;
use vendor::sources::http::{Client, RetryPolicy};
use vendor::sources::identity;
use vendor::sources::{Cache, ChartRequest, Fetcher, SourceError};

fn metallb_tgz(version: &str) -> Vec<u8> {
    static CACHE: OnceLock<std::sync::Mutex<std::collections::HashMap<String, Vec<u8>>>> =
        OnceLock::new();
    let m = CACHE.get_or_init(Default::default);
    m.lock()
        .unwrap()
        .entry(version.to_string())
        .or_insert_with(|| {
            package_chart(&fixtures().join("charts/metallb").join(version), "metallb")
        })
        .clone()
}

fn raw(path: &str) -> Vec<u8> {
    std::fs::read(fixtures().join("raw").join(path)).unwrap()
}

/// The standard upstream: a chart repository under /charts (one relative and one absolute chart
/// URL), raw manifests under /raw. `fault` may answer first.
fn upstream(
    latency: Duration,
    fault: impl Fn(&Request, usize) -> Option<Reply> + Send + Sync + 'static,
) -> Server {
    let base: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
    let b = base.clone();
    let server = Server::start(latency, move |req, n| {
        if let Some(r) = fault(req, n) {
            return r;
        }
        let base = b.get().unwrap();
        match req.path() {
            "/charts/index.yaml" => Reply::Ok(
                index_yaml(&[
                    IndexItem {
                        name: "metallb".into(),
                        version: "0.16.1".into(),
                        url: format!("{base}/dl/metallb-0.16.1.tgz"),
                        digest: Some(sha256_hex(&metallb_tgz("0.16.1"))),
                    },
                    IndexItem {
                        name: "metallb".into(),
                        version: "0.15.3".into(),
                        url: "metallb-0.15.3.tgz".into(),
                        digest: Some(sha256_hex(&metallb_tgz("0.15.3"))),
                    },
                ])
                .into_bytes(),
            ),
            "/charts/metallb-0.15.3.tgz" => Reply::Ok(metallb_tgz("0.15.3")),
            "/dl/metallb-0.16.1.tgz" => Reply::Ok(metallb_tgz("0.16.1")),
            "/raw/metallb/v0.15.3/metallb-native.yaml" => {
                Reply::Ok(raw("metallb-v0.15.3/metallb-native.yaml"))
            }
            "/raw/metallb/v0.16.1/metallb-native.yaml" => {
                Reply::Ok(raw("metallb-v0.16.1/metallb-native.yaml"))
            }
            p if p.starts_with("/raw/ksm/v2.19.1/") => {
                let f = p.rsplit('/').next().unwrap();
                match std::fs::read(fixtures().join("raw/kube-state-metrics/v2.19.1").join(f)) {
                    Ok(b) => Reply::Ok(b),
                    Err(_) => Reply::status(404),
                }
            }
            _ => Reply::status(404),
        }
    });
    base.set(server.base.clone()).unwrap();
    server
}

fn fetcher(cache: &Path) -> Fetcher {
    let retry = RetryPolicy {
        attempts: 4,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(3),
    };
    Fetcher::new(Client::new(retry, Duration::from_secs(5)), Cache::at(cache))
}

static QUIET: std::sync::LazyLock<Progress> = std::sync::LazyLock::new(Progress::quiet);

fn options() -> Options<'static> {
    Options {
        only: Vec::new(),
        jobs: 4,
        locked: false,
        accept_retag: Vec::new(),
        progress: &QUIET,
    }
}

const VENDOR_TOML: &str = r#"# A test repository.
[settings]
kube-version = "1.31.0"

[chart.metallb]
repo = "BASE/charts"
chart = "metallb"
version = "0.15.3"
track = "^0.15"
release = "metallb"
namespace = "metallb-system"

[manifest.metallb-native]
url = "BASE/raw/metallb/{version}/metallb-native.yaml"
version = "v0.15.3"
track = ">=0.15, <1"

# Several files, with upstream's own kustomization.yaml.
[manifest.ksm]
url = [
  "BASE/raw/ksm/{version}/deployment.yaml",
  "BASE/raw/ksm/{version}/service.yaml",
  "BASE/raw/ksm/{version}/kustomization.yaml",
]
version = "v2.19.1"
"#;

fn project(base: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("vendor.toml"), text.replace("BASE", base)).unwrap();
    dir
}

fn load(dir: &Path) -> Config {
    config::load(&dir.join("vendor.toml")).unwrap_or_else(|e| panic!("{e:?}"))
}

#[test]
fn sync_vendors_charts_and_manifests_and_a_warm_second_run_downloads_nothing() {
    let server = upstream(Duration::ZERO, |_, _| None);
    let dir = project(&server.base, VENDOR_TOML);
    let cache = tempfile::tempdir().unwrap();
    let f = fetcher(cache.path());
    let report = sync::sync(&load(dir.path()), &f, &options()).unwrap();
    assert!(report.wrote_config.is_some());
    assert!(
        report
            .entries
            .iter()
            .all(|e| matches!(e.change, Change::Updated { .. }))
    );

    // Raw files are byte-exact; a kustomization.yaml lists them unless upstream ships one.
    let up = dir.path().join("upstream");
    assert_eq!(
        std::fs::read(up.join("metallb-native/metallb-native.yaml")).unwrap(),
        raw("metallb-v0.15.3/metallb-native.yaml")
    );
    let k = std::fs::read_to_string(up.join("metallb-native/kustomization.yaml")).unwrap();
    assert!(k.ends_with("resources:\n- metallb-native.yaml\n"), "{k}");
    assert_eq!(
        std::fs::read(up.join("ksm/kustomization.yaml")).unwrap(),
        std::fs::read(fixtures().join("raw/kube-state-metrics/v2.19.1/kustomization.yaml"))
            .unwrap()
    );
    // The chart is rendered into Helm's --output-dir layout, with a kustomization listing it.
    assert!(
        up.join("metallb/metallb/templates/controller.yaml")
            .is_file()
    );
    assert!(!up.join("metallb/Chart.yaml").exists());
    let k = std::fs::read_to_string(up.join("metallb/kustomization.yaml")).unwrap();
    assert!(
        k.contains("- metallb/charts/crds/templates/crds.yaml\n"),
        "{k}"
    );
    assert!(k.contains("- metallb/templates/controller.yaml\n"), "{k}");

    // Lock data: the archive digest for charts, tree digest and per-file digests for manifests.
    let config = load(dir.path());
    let chart_lock = config.entry("metallb").unwrap().lock.clone().unwrap();
    assert_eq!(
        chart_lock.digest.unwrap(),
        format!("sha256:{}", sha256_hex(&metallb_tgz("0.15.3")))
    );
    assert_eq!(chart_lock.version.as_deref(), Some("0.15.3"));
    let m = config
        .entry("metallb-native")
        .unwrap()
        .lock
        .clone()
        .unwrap();
    assert_eq!(
        m.files["metallb-native.yaml"],
        format!(
            "sha256:{}",
            sha256_hex(&raw("metallb-v0.15.3/metallb-native.yaml"))
        )
    );
    assert_eq!(m.digest.unwrap(), vendor::digest::of_tree(&m.files));
    assert_eq!(
        m.images,
        [
            "quay.io/metallb/controller:v0.15.3",
            "quay.io/metallb/speaker:v0.15.3"
        ]
    );
    let text = std::fs::read_to_string(dir.path().join("vendor.toml")).unwrap();
    assert!(
        text.starts_with("# A test repository.\n"),
        "comments survive"
    );
    // Drift check of the lead's module agrees with what sync wrote.
    for e in &config.entries {
        let findings = vendor::flows::check::drift::check(&config, e);
        assert!(findings.is_empty(), "{findings:?}");
    }

    // Second run, warm cache: nothing downloaded, nothing changed.
    let before = snapshot(dir.path());
    let archives = server.count_suffix(".tgz");
    let f2 = fetcher(cache.path());
    let report = sync::sync(&load(dir.path()), &f2, &options()).unwrap();
    assert_eq!(f2.downloads(), 0);
    assert_eq!(server.count_suffix(".tgz"), archives);
    assert!(report.wrote_config.is_none());
    assert!(report.entries.iter().all(|e| e.change == Change::Unchanged));
    assert_eq!(snapshot(dir.path()), before);

    // --locked with a version bump fails and changes nothing.
    let bumped = text.replacen("version = \"0.15.3\"", "version = \"0.16.1\"", 1);
    std::fs::write(dir.path().join("vendor.toml"), &bumped).unwrap();
    let before = snapshot(dir.path());
    let mut opts = options();
    opts.locked = true;
    let err = sync::sync(&load(dir.path()), &f2, &opts).unwrap_err();
    assert!(matches!(err, SyncError::Locked { .. }), "{err:?}");
    assert!(err.to_string().contains("upstream/metallb"), "{err}");
    assert_eq!(snapshot(dir.path()), before);

    // Without --locked the bump goes through: the absolute chart URL is used.
    sync::sync(&load(dir.path()), &f2, &options()).unwrap();
    assert_eq!(server.count("/dl/metallb-0.16.1.tgz"), 1);
    let controller = std::fs::read_to_string(
        dir.path()
            .join("upstream/metallb/metallb/templates/controller.yaml"),
    )
    .unwrap();
    assert!(
        controller.contains("quay.io/metallb/controller:v0.16.1"),
        "{controller}"
    );
}

/// The documents sync renders for a chart are the documents `helm template` v3.16 printed for
/// the same release, namespace and kube-version (corpus reference output).
#[test]
fn rendered_chart_matches_helm_template() {
    let server = upstream(Duration::ZERO, |_, _| None);
    let dir = project(&server.base, VENDOR_TOML);
    let cache = tempfile::tempdir().unwrap();
    let mut opts = options();
    opts.only = vec!["metallb".into()];
    sync::sync(&load(dir.path()), &fetcher(cache.path()), &opts).unwrap();
    let docs = |text: &str| {
        let mut d: Vec<String> = text
            .split("---\n")
            .map(|s| s.trim_end().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        d.sort();
        d
    };
    let mut ours = String::new();
    for (path, bytes) in snapshot(&dir.path().join("upstream/metallb")) {
        if path.ends_with(".yaml") && path != "kustomization.yaml" {
            ours.push_str(&String::from_utf8(bytes).unwrap());
            ours.push('\n');
        }
    }
    let expected =
        std::fs::read_to_string(fixtures().join("helm-real/metallb-0.15.3-default.yaml")).unwrap();
    let (ours, expected) = (docs(&ours), docs(&expected));
    assert_eq!(ours.len(), expected.len());
    assert_eq!(ours, expected);
    let config = load(dir.path());
    let images = &config
        .entry("metallb")
        .unwrap()
        .lock
        .as_ref()
        .unwrap()
        .images;
    assert_eq!(
        images,
        &[
            "quay.io/frrouting/frr:10.4.1",
            "quay.io/metallb/controller:v0.15.3",
            "quay.io/metallb/speaker:v0.15.3"
        ]
    );
}

#[test]
fn offline_sync_uses_the_cache_and_fails_clearly_without_it() {
    let server = upstream(Duration::ZERO, |_, _| None);
    let dir = project(&server.base, VENDOR_TOML);
    let cache = tempfile::tempdir().unwrap();
    sync::sync(&load(dir.path()), &fetcher(cache.path()), &options()).unwrap();
    let lock_text = std::fs::read(dir.path().join("vendor.toml")).unwrap();
    std::fs::remove_dir_all(dir.path().join("upstream")).unwrap();
    let requests = server.requests().len();
    let mut f = fetcher(cache.path());
    f.offline = true;
    sync::sync(&load(dir.path()), &f, &options()).unwrap();
    assert_eq!(server.requests().len(), requests, "offline made no request");
    assert_eq!(
        std::fs::read(dir.path().join("vendor.toml")).unwrap(),
        lock_text
    );

    let empty = tempfile::tempdir().unwrap();
    let mut f = fetcher(empty.path());
    f.offline = true;
    std::fs::remove_dir_all(dir.path().join("upstream")).unwrap();
    let before = snapshot(dir.path());
    let err = sync::sync(&load(dir.path()), &f, &options()).unwrap_err();
    let text = format!("{:?}", miette::Report::new(err));
    assert!(text.contains("--offline"), "{text}");
    assert_eq!(snapshot(dir.path()), before);
}

/// Runs a sync that must fail, and checks that nothing changed on disk.
fn failing_sync(server: &Server, text: &str) -> (SyncError, String) {
    let dir = project(&server.base, text);
    let cache = tempfile::tempdir().unwrap();
    let before = snapshot(dir.path());
    let err = sync::sync(&load(dir.path()), &fetcher(cache.path()), &options()).unwrap_err();
    assert_eq!(
        snapshot(dir.path()),
        before,
        "upstream/ and vendor.toml unchanged"
    );
    let rendered = chain(&err);
    (err, rendered)
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        out.push_str(": ");
        out.push_str(&s.to_string());
        cur = s.source();
    }
    out
}

fn source_of(err: &SyncError) -> &SourceError {
    match err {
        SyncError::Fetch { source, .. } => source,
        other => panic!("expected a fetch error, got {other:?}"),
    }
}

const CHART_ONLY: &str =
    "[chart.metallb]\nrepo = \"BASE/charts\"\nchart = \"metallb\"\nversion = \"0.15.3\"\n";
const MANIFEST_ONLY: &str = "[manifest.m]\nurl = \"BASE/raw/metallb/{version}/metallb-native.yaml\"\nversion = \"v0.15.3\"\n";

#[test]
fn fault_500_then_200_is_retried() {
    let server = upstream(Duration::ZERO, |req, n| {
        (req.path().ends_with(".tgz") && n == 0).then(|| Reply::status(500))
    });
    let dir = project(&server.base, CHART_ONLY);
    let cache = tempfile::tempdir().unwrap();
    sync::sync(&load(dir.path()), &fetcher(cache.path()), &options()).unwrap();
    assert_eq!(server.count("/charts/metallb-0.15.3.tgz"), 2);
}

#[test]
fn fault_connection_reset_mid_body_recovers_once_and_fails_clearly_when_persistent() {
    let once = upstream(Duration::ZERO, |req, n| {
        (req.path().ends_with(".yaml") && req.path().starts_with("/raw") && n == 0)
            .then(|| Reply::ResetMidBody(raw("metallb-v0.15.3/metallb-native.yaml")))
    });
    let dir = project(&once.base, MANIFEST_ONLY);
    let cache = tempfile::tempdir().unwrap();
    sync::sync(&load(dir.path()), &fetcher(cache.path()), &options()).unwrap();
    assert_eq!(
        std::fs::read(dir.path().join("upstream/m/metallb-native.yaml")).unwrap(),
        raw("metallb-v0.15.3/metallb-native.yaml")
    );

    let always = upstream(Duration::ZERO, |req, _| {
        req.path()
            .starts_with("/raw")
            .then(|| Reply::ResetMidBody(raw("metallb-v0.15.3/metallb-native.yaml")))
    });
    let (err, text) = failing_sync(&always, MANIFEST_ONLY);
    assert!(
        matches!(source_of(&err), SourceError::Network { attempts: 4, .. }),
        "{err:?}"
    );
    assert!(
        text.contains("/raw/metallb/v0.15.3/metallb-native.yaml"),
        "names the URL: {text}"
    );
}

#[test]
fn fault_truncated_archive_is_refused() {
    // No digest in the index, so only the archive reader can notice the truncation.
    let base: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
    let server = Server::start(Duration::ZERO, move |req, _| match req.path() {
        "/charts/index.yaml" => Reply::Ok(
            index_yaml(&[IndexItem {
                name: "metallb".into(),
                version: "0.15.3".into(),
                url: "m.tgz".into(),
                digest: None,
            }])
            .into_bytes(),
        ),
        "/charts/m.tgz" => {
            let full = metallb_tgz("0.15.3");
            Reply::Ok(full[..full.len() * 2 / 3].to_vec())
        }
        _ => Reply::status(404),
    });
    base.set(server.base.clone()).unwrap();
    let (err, _) = failing_sync(&server, CHART_ONLY);
    assert!(
        matches!(
            source_of(&err),
            SourceError::Archive {
                reason: ArchiveError::Corrupt { .. },
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn fault_wrong_digest_is_refused() {
    let server = upstream(Duration::ZERO, |req, _| {
        (req.path() == "/charts/metallb-0.15.3.tgz").then(|| Reply::Ok(metallb_tgz("0.16.1")))
    });
    let (err, text) = failing_sync(&server, CHART_ONLY);
    match source_of(&err) {
        SourceError::DigestMismatch {
            expected, actual, ..
        } => {
            assert_eq!(
                *expected,
                format!("sha256:{}", sha256_hex(&metallb_tgz("0.15.3")))
            );
            assert_eq!(
                *actual,
                format!("sha256:{}", sha256_hex(&metallb_tgz("0.16.1")))
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(text.contains("metallb-0.15.3.tgz"), "{text}");
}

#[test]
fn fault_401_without_credentials_and_basic_auth_from_the_url() {
    let server = upstream(Duration::ZERO, |req, _| {
        let ok = req.header("authorization") == Some("Basic dXNlcjpzM2NyZXQ="); // user:s3cret
        (req.path().starts_with("/charts") && !ok).then(|| Reply::status(401))
    });
    let (err, text) = failing_sync(&server, CHART_ONLY);
    assert!(
        matches!(source_of(&err), SourceError::Unauthorized { .. }),
        "{err:?}"
    );
    assert!(text.contains("/charts/index.yaml"), "{text}");

    // Wrong password: the error must not show it.
    let with_user = |pass: &str| {
        CHART_ONLY.replace(
            "BASE",
            &server
                .base
                .replace("http://", &format!("http://user:{pass}@")),
        )
    };
    let wrong = with_user("hunter2");
    let (_, text) = failing_sync(&server, &wrong);
    assert!(!text.contains("hunter2"), "credentials redacted: {text}");

    // Right credentials in the repository URL: Basic auth works.
    let good = with_user("s3cret");
    let dir = project(&server.base, &good);
    let cache = tempfile::tempdir().unwrap();
    sync::sync(&load(dir.path()), &fetcher(cache.path()), &options()).unwrap();
}

#[test]
fn fault_404_version_and_404_url() {
    let server = upstream(Duration::ZERO, |_, _| None);
    let (err, text) = failing_sync(&server, &CHART_ONLY.replace("0.15.3", "0.99.0"));
    assert!(
        matches!(source_of(&err), SourceError::VersionNotFound { .. }),
        "{err:?}"
    );
    assert!(text.contains("0.99.0"), "{text}");
    let (err, text) = failing_sync(&server, &MANIFEST_ONLY.replace("v0.15.3", "v0.99.0"));
    assert!(
        matches!(source_of(&err), SourceError::NotFound { .. }),
        "{err:?}"
    );
    assert!(
        text.contains("/raw/metallb/v0.99.0/metallb-native.yaml"),
        "{text}"
    );
}

#[test]
fn fault_429_honours_retry_after() {
    let server = upstream(Duration::ZERO, |req, n| {
        (req.path().starts_with("/raw") && n == 0)
            .then(|| Reply::Status(429, vec![("Retry-After".into(), "1".into())], Vec::new()))
    });
    let dir = project(&server.base, MANIFEST_ONLY);
    let cache = tempfile::tempdir().unwrap();
    let start = Instant::now();
    sync::sync(&load(dir.path()), &fetcher(cache.path()), &options()).unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(950),
        "waited for Retry-After"
    );
    assert_eq!(server.count("/raw/metallb/v0.15.3/metallb-native.yaml"), 2);
}

#[test]
fn several_failures_are_all_reported_and_nothing_is_written() {
    let server = upstream(Duration::ZERO, |req, _| {
        (req.path().ends_with(".tgz") || req.path().contains("ksm")).then(|| Reply::status(404))
    });
    let (err, _) = failing_sync(&server, VENDOR_TOML);
    match err {
        SyncError::Several { failures } => assert_eq!(failures.len(), 2),
        other => panic!("{other:?}"),
    }
}

#[test]
fn retagged_upstream_is_detected() {
    let flipped = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let fl = flipped.clone();
    let server = upstream(Duration::ZERO, move |req, _| {
        (fl.load(std::sync::atomic::Ordering::SeqCst)
            && req.path().starts_with("/raw/metallb/v0.15.3"))
        .then(|| Reply::Ok(raw("metallb-v0.16.1/metallb-native.yaml")))
    });
    let dir = project(&server.base, VENDOR_TOML);
    let cache = tempfile::tempdir().unwrap();
    sync::sync(&load(dir.path()), &fetcher(cache.path()), &options()).unwrap();
    let config = load(dir.path());
    let mut f = fetcher(cache.path());
    f.bypass_cache = true;
    assert!(
        sync::verify_upstream(&config, &f, &[], 4)
            .unwrap()
            .is_empty()
    );
    flipped.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut f = fetcher(cache.path());
    f.bypass_cache = true;
    let findings = sync::verify_upstream(&config, &f, &[], 4).unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].code, Code::UpstreamRetagged);
    assert_eq!(findings[0].entry.as_deref(), Some("metallb-native"));
    assert!(
        findings[0].message.contains("metallb-native.yaml"),
        "{}",
        findings[0].message
    );
}

#[test]
fn outdated_reports_in_track_and_latest_from_index_github_and_git() {
    let base: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
    let b = base.clone();
    let gh = Server::start(Duration::ZERO, move |req, _| {
        let base = b.get().unwrap();
        match req.target.as_str() {
            "/repos/metallb/metallb/releases?per_page=100" => Reply::Status(
                200,
                vec![("Link".into(), format!("<{base}/repos/metallb/metallb/releases?per_page=100&page=2>; rel=\"next\""))],
                br#"[{"tag_name":"v0.16.1","draft":false},{"tag_name":"v0.17.0","draft":true},{"tag_name":"v1.0.0-rc.1","prerelease":true}]"#.to_vec(),
            ),
            "/repos/metallb/metallb/releases?per_page=100&page=2" => {
                Reply::Ok(br#"[{"tag_name":"v0.15.3"},{"tag_name":"v0.15.4"},{"tag_name":"nightly"}]"#.to_vec())
            }
            "/repos/limited/repo/releases?per_page=100" => Reply::Status(
                403,
                vec![("x-ratelimit-remaining".into(), "0".into()), ("x-ratelimit-reset".into(), "1700000000".into())],
                br#"{"message":"API rate limit exceeded"}"#.to_vec(),
            ),
            _ => Reply::status(404),
        }
    });
    base.set(gh.base.clone()).unwrap();
    let repo = upstream(Duration::ZERO, |_, _| None);

    // A real git repository with tags, read over file://.
    let git_repo = GitRepo::new();
    git_repo.commit(&[], "one");
    for t in [
        "v0.14.9",
        "v0.15.3",
        "v0.15.5",
        "v0.16.1",
        "v1.0.0-rc.1",
        "not-a-version",
    ] {
        git_repo.tag(t, false);
    }
    let git_url = git_repo.file_url();

    let text = format!(
        "[chart.metallb]\nrepo = \"{r}/charts\"\nchart = \"metallb\"\nversion = \"0.15.3\"\ntrack = \"~0.15\"\n\n\
         [manifest.from-github]\nurl = \"https://example.com/{{version}}/a.yaml\"\nversion = \"v0.15.3\"\ntrack = \"~0.15\"\nversions = {{ github-releases = \"metallb/metallb\" }}\n\n\
         [manifest.from-git]\nurl = \"https://example.com/{{version}}/a.yaml\"\nversion = \"v0.15.3\"\ntrack = \">=0.15, <1\"\nversions = {{ git-tags = \"{git_url}\" }}\n\n\
         [manifest.limited]\nurl = \"https://example.com/{{version}}/a.yaml\"\nversion = \"v1.0.0\"\nversions = {{ github-releases = \"limited/repo\" }}\n",
        r = repo.base
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("vendor.toml"), text).unwrap();
    let config = load(dir.path());
    let cache = tempfile::tempdir().unwrap();
    let mut f = fetcher(cache.path());
    f.github_api = gh.base.clone();
    let rows = vendor::flows::outdated::outdated(&config, &f, &[], 4);
    let get = |n: &str| rows.iter().find(|r| r.name == n).unwrap();
    assert_eq!(
        (
            get("metallb").in_track.as_deref(),
            get("metallb").latest.as_deref()
        ),
        (Some("0.15.3"), Some("0.16.1"))
    );
    let g = get("from-github");
    assert_eq!(
        (g.in_track.as_deref(), g.latest.as_deref()),
        (Some("v0.15.4"), Some("v0.16.1")),
        "draft skipped, pages followed"
    );
    let g = get("from-git");
    assert_eq!(
        (g.in_track.as_deref(), g.latest.as_deref()),
        (Some("v0.16.1"), Some("v0.16.1")),
        "prerelease excluded"
    );
    let l = get("limited");
    let e = l.error.as_deref().unwrap();
    assert!(
        e.contains("rate limit") && e.contains("2023-11-14 22:13:20 UTC"),
        "{e}"
    );
    let findings = vendor::flows::outdated::findings(&config, &rows);
    let names: Vec<_> = findings.iter().map(|f| f.entry.clone().unwrap()).collect();
    assert_eq!(names, ["from-github", "from-git"]);
    assert!(findings.iter().all(|f| f.code == Code::Outdated));
    let table = vendor::report::human::tables::outdated(&rows);
    assert!(table.starts_with("NAME"), "{table}");
    let json = serde_json::to_value(&rows).unwrap();
    let j = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "from-github")
        .unwrap();
    assert_eq!(j["in_track"], "v0.15.4");
}

#[test]
fn argo_helm_index_parses_typed() {
    let text = std::fs::read_to_string(fixtures().join("argo-helm-index.yaml")).unwrap();
    let index = vendor::sources::helm_repo::parse_index(&text).unwrap();
    // The real index takes the fast path, and it agrees with the YAML event parser.
    let fast =
        vendor::sources::helm_repo::parse_index_fast(&text).expect("argo-helm uses Helm's layout");
    assert_eq!(
        fast,
        vendor::sources::helm_repo::parse_index_events(&text).unwrap()
    );
    assert_eq!(fast, index);
    let argo_cd = &index.entries["argo-cd"];
    assert!(argo_cd.len() > 100, "{}", argo_cd.len());
    assert!(
        argo_cd
            .iter()
            .all(|cv| cv.digest.as_deref().is_some_and(|d| d.len() == 64))
    );
    assert!(argo_cd.iter().all(|cv| !cv.urls.is_empty()));
    let c = semver_ranges::Constraint::parse("~7.7").unwrap();
    let v = index.newest_matching("argo-cd", &c).unwrap();
    assert!(v.to_string().starts_with("7.7."), "{v}");
}

// ---- OCI -------------------------------------------------------------------------------------

/// A scripted registry on loopback demanding a bearer token from its own token endpoint.
#[test]
fn oci_bearer_token_challenge_and_digests() {
    let chart = metallb_tgz("0.15.3");
    let layer_digest = format!("sha256:{}", sha256_hex(&chart));
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.cncf.helm.config.v1+json", "digest": format!("sha256:{}", sha256_hex(b"{}")), "size": 2},
        "layers": [{"mediaType": "application/vnd.cncf.helm.chart.content.v1.tar+gzip", "digest": layer_digest, "size": chart.len()}]
    })
    .to_string()
    .into_bytes();
    let base: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
    let b = base.clone();
    let (m, c) = (manifest.clone(), chart.clone());
    let server = Server::start(Duration::ZERO, move |req, _| {
        let base = b.get().unwrap();
        if req.path() == "/token" {
            let ok = req.header("authorization") == Some("Basic dTpw")
                && req
                    .target
                    .contains("scope=repository%3Acharts%2Fmetallb%3Apull");
            return if ok {
                Reply::Ok(br#"{"token":"T0K"}"#.to_vec())
            } else {
                Reply::status(401)
            };
        }
        if req.header("authorization") != Some("Bearer T0K") {
            return Reply::Status(
                401,
                vec![(
                    "WWW-Authenticate".into(),
                    format!(
                        "Bearer realm=\"{base}/token\",service=\"test\",scope=\"repository:charts/metallb:pull\""
                    ),
                )],
                Vec::new(),
            );
        }
        match req.path() {
            "/v2/charts/metallb/manifests/0.15.3_build.1" => Reply::Status(
                200,
                vec![(
                    "Docker-Content-Digest".into(),
                    format!("sha256:{}", sha256_hex(&m)),
                )],
                m.clone(),
            ),
            p if p == format!("/v2/charts/metallb/blobs/sha256:{}", sha256_hex(&c)) => {
                Reply::Ok(c.clone())
            }
            _ => Reply::status(404),
        }
    });
    base.set(server.base.clone()).unwrap();
    let host = server.base.strip_prefix("http://").unwrap().to_string();
    let cache = tempfile::tempdir().unwrap();
    let req = ChartRequest {
        repo: format!("oci://{host}/charts"),
        chart: "metallb".into(),
        version: "0.15.3+build.1".into(),
        known_digest: None,
        auth: Default::default(),
    };
    // Without credentials the token endpoint refuses: a clear error naming the registry.
    let mut f = fetcher(cache.path());
    f.registry_credentials = Some(vendor::sources::auth::Credentials {
        username: "x".into(),
        password: "bad".into(),
    });
    let err = f.fetch_chart(&req).unwrap_err();
    assert!(matches!(err, SourceError::Unauthorized { .. }), "{err:?}");
    assert!(!format!("{err:?}").contains("bad\""), "{err:?}");

    let mut f = fetcher(cache.path());
    f.registry_credentials = Some(vendor::sources::auth::Credentials {
        username: "u".into(),
        password: "p".into(),
    });
    let got = f.fetch_chart(&req).unwrap();
    assert_eq!(got.digest, layer_digest);
    assert_eq!(got.bytes, chart);
}

pub(crate) struct Registry {
    child: std::process::Child,
    pub(crate) base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts Debian's `docker-registry` (Distribution 2.8) on a free loopback port, or explains why
/// not (a failure under CI=true).
pub(crate) fn start_registry() -> Option<Registry> {
    let bin = ["/usr/bin/docker-registry", "/usr/local/bin/docker-registry"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    let Some(bin) = bin else {
        let why = "docker-registry is not installed (apt-get install docker-registry)";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{why}");
        eprintln!("skipping: {why}");
        return None;
    };
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = dir.path().join("config.yml");
    std::fs::write(
        &cfg,
        format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.path().join("data").display()
        ),
    )
    .unwrap();
    let child = std::process::Command::new(bin)
        .arg("serve")
        .arg(&cfg)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let reg = Registry {
        child,
        base,
        _dir: dir,
    };
    for _ in 0..100 {
        if ureq::get(&format!("{}/v2/", reg.base)).call().is_ok() {
            return Some(reg);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("docker-registry did not start on {}", reg.base);
}

/// Pushes a chart with the distribution API: two monolithic blob uploads and a manifest.
pub(crate) fn push_chart(base: &str, repository: &str, tag: &str, chart: &[u8]) -> String {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let config = br#"{"name":"metallb","version":"0.15.3","apiVersion":"v2"}"#;
    let upload = |bytes: &[u8]| {
        let resp = agent
            .post(&format!("{base}/v2/{repository}/blobs/uploads/"))
            .send_empty()
            .unwrap();
        assert_eq!(resp.status(), 202);
        let loc = resp
            .headers()
            .get("location")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let loc = if loc.starts_with("http") {
            loc
        } else {
            format!("{base}{loc}")
        };
        let sep = if loc.contains('?') { '&' } else { '?' };
        let digest = format!("sha256:{}", sha256_hex(bytes));
        let resp = agent
            .put(&format!("{loc}{sep}digest={digest}"))
            .header("Content-Type", "application/octet-stream")
            .send(bytes)
            .unwrap();
        assert_eq!(resp.status(), 201, "blob upload");
        digest
    };
    let config_digest = upload(config);
    let layer_digest = upload(chart);
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.cncf.helm.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": [{"mediaType": "application/vnd.cncf.helm.chart.content.v1.tar+gzip", "digest": layer_digest, "size": chart.len()}]
    })
    .to_string();
    let resp = agent
        .put(&format!("{base}/v2/{repository}/manifests/{tag}"))
        .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
        .send(manifest.as_bytes())
        .unwrap();
    assert_eq!(resp.status(), 201, "manifest push");
    layer_digest
}

#[test]
fn oci_real_registry_pull_sync_and_paginated_tags() {
    let Some(reg) = start_registry() else { return };
    let host = reg.base.strip_prefix("http://").unwrap();
    let chart = metallb_tgz("0.15.3");
    let digest = push_chart(&reg.base, "charts/metallb", "0.15.3", &chart);
    for tag in ["0.14.0", "0.16.1_build.7", "0.15.9", "not-semver"] {
        push_chart(&reg.base, "charts/metallb", tag, &chart);
    }

    let text = format!(
        "[chart.metallb]\nrepo = \"oci://{host}/charts\"\nchart = \"metallb\"\nversion = \"0.15.3\"\ntrack = \"~0.15\"\n"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("vendor.toml"), &text).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let f = fetcher(cache.path());
    sync::sync(&load(dir.path()), &f, &options()).unwrap();
    let config = load(dir.path());
    assert_eq!(
        config
            .entry("metallb")
            .unwrap()
            .lock
            .as_ref()
            .unwrap()
            .digest
            .as_deref(),
        Some(digest.as_str())
    );
    assert!(
        dir.path()
            .join("upstream/metallb/metallb/templates/speaker.yaml")
            .is_file()
    );

    // Tag listing with a small page size follows the Link header; `_` reads back as `+`.
    let client = Client::default();
    let mut registry = vendor::sources::oci::Registry::new(&client);
    registry.page_size = 2;
    let r =
        vendor::sources::oci::Reference::parse(&format!("oci://{host}/charts"), "metallb").unwrap();
    let mut tags = registry.tags(&r).unwrap();
    tags.sort();
    assert_eq!(
        tags,
        ["0.14.0", "0.15.3", "0.15.9", "0.16.1_build.7", "not-semver"]
    );
    let found = f
        .discover(
            &vendor::sources::oci::ChartTags {
                repo: format!("oci://{host}/charts"),
                chart: "metallb".into(),
            },
            None,
        )
        .unwrap();
    let versions: Vec<String> = found.iter().map(|x| x.tag.clone()).collect();
    assert_eq!(versions, ["0.16.1+build.7", "0.15.9", "0.15.3", "0.14.0"]);

    // A version the registry does not have.
    std::fs::write(
        dir.path().join("vendor.toml"),
        text.replace("0.15.3", "0.15.4"),
    )
    .unwrap();
    let before = snapshot(dir.path());
    let err = sync::sync(&load(dir.path()), &fetcher(cache.path()), &options()).unwrap_err();
    assert!(
        matches!(source_of(&err), SourceError::VersionNotFound { .. }),
        "{err:?}"
    );
    assert_eq!(snapshot(dir.path()), before);
}

// ---- hostile archives ------------------------------------------------------------------------

fn tgz_of(f: impl FnOnce(&mut tar::Builder<Vec<u8>>)) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    raw_entry(
        &mut b,
        b"c/Chart.yaml",
        tar::EntryType::Regular,
        b"name: c\n",
        None,
    );
    f(&mut b);
    crate::common::gzip(&b.into_inner().unwrap())
}

fn hostile_archives() -> Vec<(&'static str, Vec<u8>)> {
    use tar::EntryType::*;
    let small = Limits::default();
    let mut out: Vec<(&'static str, Vec<u8>)> = vec![
        (
            "traversal",
            tgz_of(|b| raw_entry(b, b"c/../../evil", Regular, b"x", None)),
        ),
        (
            "leading dotdot",
            tgz_of(|b| raw_entry(b, b"../evil", Regular, b"x", None)),
        ),
        (
            "absolute path",
            tgz_of(|b| raw_entry(b, b"/tmp/evil", Regular, b"x", None)),
        ),
        (
            "symlink",
            tgz_of(|b| raw_entry(b, b"c/link", Symlink, b"", Some(b"/etc/passwd"))),
        ),
        (
            "hardlink",
            tgz_of(|b| raw_entry(b, b"c/hard", Link, b"", Some(b"c/Chart.yaml"))),
        ),
        (
            "char device",
            tgz_of(|b| raw_entry(b, b"c/null", Char, b"", None)),
        ),
        (
            "block device",
            tgz_of(|b| raw_entry(b, b"c/sda", Block, b"", None)),
        ),
        ("fifo", tgz_of(|b| raw_entry(b, b"c/pipe", Fifo, b"", None))),
        (
            "duplicate entry",
            tgz_of(|b| raw_entry(b, b"c/Chart.yaml", Regular, b"name: evil\n", None)),
        ),
        (
            "case-folded duplicate",
            tgz_of(|b| raw_entry(b, b"c/chart.yaml", Regular, b"x", None)),
        ),
        (
            "backslash path",
            tgz_of(|b| raw_entry(b, b"c\\..\\..\\evil", Regular, b"x", None)),
        ),
        (
            "second top-level dir",
            tgz_of(|b| raw_entry(b, b"other/x.yaml", Regular, b"x", None)),
        ),
        (
            "file then directory",
            tgz_of(|b| raw_entry(b, b"c/Chart.yaml/x", Regular, b"x", None)),
        ),
        (
            "gnu sparse",
            tgz_of(|b| raw_entry(b, b"c/sparse", GNUSparse, b"", None)),
        ),
        ("not gzip", b"PK\x03\x04 this is a zip".to_vec()),
        (
            "empty archive",
            crate::common::gzip(&tar::Builder::new(Vec::new()).into_inner().unwrap()),
        ),
    ];
    // GNU long name carrying a traversal (the tar crate applies long names to `path`).
    let mut b = tar::Builder::new(Vec::new());
    let long = format!("c/{}/../../../../evil", "d".repeat(120));
    let mut ln = tar::Header::new_gnu();
    ln.set_entry_type(tar::EntryType::GNULongName);
    ln.set_size(long.len() as u64 + 1);
    ln.as_gnu_mut().unwrap().name[..13].copy_from_slice(b"././@LongLink");
    ln.set_cksum();
    let mut name = long.into_bytes();
    name.push(0);
    b.append(&ln, name.as_slice()).unwrap();
    raw_entry(
        &mut b,
        b"c/placeholder",
        tar::EntryType::Regular,
        b"x",
        None,
    );
    out.push((
        "gnu long name traversal",
        crate::common::gzip(&b.into_inner().unwrap()),
    ));
    // PAX path override with an absolute path.
    let mut b = tar::Builder::new(Vec::new());
    pax_path_header(&mut b, "/etc/passwd");
    raw_entry(&mut b, b"c/innocent", tar::EntryType::Regular, b"x", None);
    out.push((
        "pax path override",
        crate::common::gzip(&b.into_inner().unwrap()),
    ));
    // Too many entries.
    out.push((
        "huge entry count",
        tgz_of(|b| {
            for i in 0..(small.max_entries + 1) {
                raw_entry(
                    b,
                    format!("c/f{i}").as_bytes(),
                    tar::EntryType::Regular,
                    b"",
                    None,
                );
            }
        }),
    ));
    // One entry declaring more than the per-file cap.
    let mut b = tar::Builder::new(Vec::new());
    let big = vec![0u8; (small.max_file_bytes + 1) as usize];
    raw_entry(&mut b, b"c/big", tar::EntryType::Regular, &big, None);
    out.push((
        "oversized file",
        crate::common::gzip(&b.into_inner().unwrap()),
    ));
    // Gzip bomb: many files under the per-file cap that together exceed the total cap.
    let mut b = tar::Builder::new(Vec::new());
    let chunk = vec![0u8; (small.max_file_bytes - 1) as usize];
    for i in 0..(small.max_total_bytes / small.max_file_bytes + 2) {
        raw_entry(
            &mut b,
            format!("c/zero{i}").as_bytes(),
            tar::EntryType::Regular,
            &chunk,
            None,
        );
    }
    out.push(("gzip bomb", crate::common::gzip(&b.into_inner().unwrap())));
    out
}

#[test]
fn hostile_archives_are_all_refused() {
    let cases = hostile_archives();
    assert!(cases.len() >= 15);
    for (name, bytes) in &cases {
        let r = identity::read_chart(bytes);
        assert!(
            r.is_err(),
            "{name}: accepted {:?}",
            r.map(|c| c.files.keys().cloned().collect::<Vec<_>>())
        );
    }
    let bomb = &cases.iter().find(|(n, _)| *n == "gzip bomb").unwrap().1;
    assert!(
        bomb.len() < 2 * 1024 * 1024,
        "a real bomb: {} bytes compressed",
        bomb.len()
    );
    assert!(matches!(
        identity::read_chart(bomb),
        Err(ArchiveError::TooLarge { .. })
    ));
}

#[test]
fn hostile_archive_through_sync_writes_nothing_anywhere() {
    let evil = tgz_of(|b| {
        raw_entry(
            b,
            b"c/../../../escaped.txt",
            tar::EntryType::Regular,
            b"pwned",
            None,
        )
    });
    let digest = sha256_hex(&evil);
    let server = Server::start(Duration::ZERO, move |req, _| match req.path() {
        "/charts/index.yaml" => Reply::Ok(
            index_yaml(&[IndexItem {
                name: "metallb".into(),
                version: "0.15.3".into(),
                url: "x.tgz".into(),
                digest: Some(digest.clone()),
            }])
            .into_bytes(),
        ),
        "/charts/x.tgz" => Reply::Ok(evil.clone()),
        _ => Reply::status(404),
    });
    let outer = tempfile::tempdir().unwrap();
    let dir = outer.path().join("a/b/repo");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("vendor.toml"),
        CHART_ONLY.replace("BASE", &server.base),
    )
    .unwrap();
    let before = snapshot(outer.path());
    let cache = tempfile::tempdir().unwrap();
    let err = sync::sync(&load(&dir), &fetcher(cache.path()), &options()).unwrap_err();
    assert!(
        matches!(source_of(&err), SourceError::Archive { .. }),
        "{err:?}"
    );
    assert_eq!(snapshot(outer.path()), before);
}

// ---- the binary --------------------------------------------------------------------------------

#[test]
fn cli_sync_locked_and_outdated_json() {
    let server = upstream(Duration::ZERO, |_, _| None);
    let dir = project(&server.base, CHART_ONLY);
    let cache = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_vendor"))
            .args(args)
            .current_dir(dir.path())
            .env("VENDOR_CACHE_DIR", cache.path())
            .env("CI", "true")
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let out = run(&["sync", "--locked"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--locked"));
    let out = run(&["sync"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("metallb 0.15.3: updated"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("fetched metallb 0.15.3"), "{stderr}");
    let out = run(&["sync", "--locked", "--offline"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&["--format", "json", "outdated"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["latest"], "0.16.1");
    let out = run(&["sync", "nope"]);
    assert_eq!(out.status.code(), Some(2));
}

/// Credentials from the user's tool configs, through the binary: Helm's repositories.yaml for an
/// HTTP repository, Docker's config.json for an OCI registry with a bearer-token challenge.
#[test]
fn cli_credentials_from_helm_and_docker_configs() {
    let repo = upstream(Duration::ZERO, |req, _| {
        let ok = req.header("authorization") == Some("Basic aGVsbTpwdw=="); // helm:pw
        (req.path().starts_with("/charts") && !ok).then(|| Reply::status(401))
    });
    let chart = metallb_tgz("0.16.1");
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "config": {"mediaType": "application/vnd.cncf.helm.config.v1+json", "digest": format!("sha256:{}", sha256_hex(b"{}")), "size": 2},
        "layers": [{"mediaType": "application/vnd.cncf.helm.chart.content.v1.tar+gzip", "digest": format!("sha256:{}", sha256_hex(&chart)), "size": chart.len()}]
    })
    .to_string()
    .into_bytes();
    let base: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
    let b = base.clone();
    let registry = Server::start(Duration::ZERO, move |req, _| {
        if req.path() == "/token" {
            return if req.header("authorization") == Some("Basic ZG9ja2VyOnB3") {
                // docker:pw
                Reply::Ok(br#"{"access_token":"abc"}"#.to_vec())
            } else {
                Reply::status(401)
            };
        }
        if req.header("authorization") != Some("Bearer abc") {
            let challenge = format!(
                "Bearer realm=\"{}/token\",service=\"reg\"",
                b.get().unwrap()
            );
            return Reply::Status(
                401,
                vec![("WWW-Authenticate".into(), challenge)],
                Vec::new(),
            );
        }
        match req.path() {
            "/v2/metallb/manifests/0.16.1" => Reply::Ok(manifest.clone()),
            p if p.starts_with("/v2/metallb/blobs/") => Reply::Ok(chart.clone()),
            _ => Reply::status(404),
        }
    });
    base.set(registry.base.clone()).unwrap();
    let host = registry.base.strip_prefix("http://").unwrap();

    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "[chart.http]\nrepo = \"{}/charts\"\nchart = \"metallb\"\nversion = \"0.15.3\"\n\n[chart.oci]\nrepo = \"oci://{host}\"\nchart = \"metallb\"\nversion = \"0.16.1\"\n",
        repo.base
    );
    std::fs::write(dir.path().join("vendor.toml"), &text).unwrap();
    let home = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let run = |with_configs: bool| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_vendor"));
        cmd.arg("sync")
            .current_dir(dir.path())
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("DOCKER_CONFIG", home.path().join("docker"))
            .env_remove("HELM_REPOSITORY_CONFIG")
            .env_remove("HELM_REGISTRY_CONFIG")
            .env_remove("REGISTRY_AUTH_FILE")
            .env_remove("XDG_RUNTIME_DIR")
            .env("VENDOR_CACHE_DIR", cache.path())
            .env("CI", "true");
        if with_configs {
            let repos = home.path().join("repositories.yaml");
            std::fs::write(&repos, format!("apiVersion: \"\"\nrepositories:\n- name: test\n  url: {}/charts\n  username: helm\n  password: pw\n", repo.base)).unwrap();
            cmd.env("HELM_REPOSITORY_CONFIG", &repos);
            std::fs::create_dir_all(home.path().join("docker")).unwrap();
            std::fs::write(
                home.path().join("docker/config.json"),
                format!("{{\"auths\":{{\"{host}\":{{\"auth\":\"ZG9ja2VyOnB3\"}}}}}}"),
            )
            .unwrap();
        }
        cmd.output().unwrap()
    };
    let out = run(false);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("authentication required"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("vendor.toml")).unwrap(),
        text
    );
    let out = run(true);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        dir.path()
            .join("upstream/http/metallb/templates/controller.yaml")
            .is_file()
    );
    assert!(
        dir.path()
            .join("upstream/oci/metallb/templates/controller.yaml")
            .is_file()
    );
}

/// A registry whose manifest does not match its advertised digest, and one whose layer does not
/// match the manifest: both refused.
#[test]
fn oci_digest_mismatches_are_refused() {
    let chart = metallb_tgz("0.15.3");
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "config": {"mediaType": "application/vnd.cncf.helm.config.v1+json", "digest": format!("sha256:{}", sha256_hex(b"{}")), "size": 2},
        "layers": [{"mediaType": "application/vnd.cncf.helm.chart.content.v1.tar+gzip", "digest": format!("sha256:{}", sha256_hex(&chart)), "size": chart.len()}]
    })
    .to_string()
    .into_bytes();
    let server = Server::start(Duration::ZERO, move |req, _| match req.path() {
        "/v2/bad-manifest/manifests/1.0.0" => Reply::Status(
            200,
            vec![(
                "Docker-Content-Digest".into(),
                format!("sha256:{}", "0".repeat(64)),
            )],
            manifest.clone(),
        ),
        "/v2/bad-layer/manifests/1.0.0" => Reply::Ok(manifest.clone()),
        p if p.starts_with("/v2/bad-layer/blobs/") => Reply::Ok(metallb_tgz("0.16.1")),
        _ => Reply::status(404),
    });
    let host = server.base.strip_prefix("http://").unwrap();
    let cache = tempfile::tempdir().unwrap();
    for chart in ["bad-manifest", "bad-layer"] {
        let req = ChartRequest {
            repo: format!("oci://{host}"),
            chart: chart.into(),
            version: "1.0.0".into(),
            known_digest: None,
            auth: Default::default(),
        };
        let err = fetcher(cache.path()).fetch_chart(&req).unwrap_err();
        assert!(
            matches!(err, SourceError::DigestMismatch { .. }),
            "{chart}: {err:?}"
        );
        assert!(err.to_string().contains(chart), "{err}");
    }
}

/// Credentials from environment variables that vendor.toml names (`auth = {...}`), through the
/// binary; the variables' values never appear in vendor.toml.
#[test]
fn cli_credentials_from_environment_variables_named_in_vendor_toml() {
    let server = upstream(Duration::ZERO, |req, _| {
        let ok = req.header("authorization") == Some("Basic dXNlcjpzM2NyZXQ="); // user:s3cret
        (req.path().starts_with("/charts") && !ok).then(|| Reply::status(401))
    });
    let text = format!(
        "{CHART_ONLY}auth = {{ username-env = \"VENDOR_TEST_REPO_USER\", password-env = \"VENDOR_TEST_REPO_PASS\" }}\n"
    );
    let dir = project(&server.base, &text);
    let cache = tempfile::tempdir().unwrap();
    let sync = |pass: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_vendor"))
            .args(["sync", "-q"])
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env("VENDOR_CACHE_DIR", cache.path())
            .env(
                "HELM_REPOSITORY_CONFIG",
                dir.path().join("no-helm-config.yaml"),
            )
            .env("VENDOR_TEST_REPO_USER", "user")
            .env("VENDOR_TEST_REPO_PASS", pass)
            .output()
            .unwrap()
    };
    let out = sync("wrong");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("wrong"));
    let out = sync("s3cret");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("upstream/metallb").is_dir());
}
