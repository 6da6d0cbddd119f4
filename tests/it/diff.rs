//! Integration tests of `vendor diff` on real upstream release manifests (copied from the corpus
//! into tests/fixtures/diff): the library API, every output format (insta snapshots) and the CLI.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use kdiff::{Category, ChangeKind, DiffReport, Object, Options, Status};
use vendor::report::{DiffOptions as RenderOptions, Format, Output as Printed, Style};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/diff")
        .join(rel)
}

/// Loads and prepares both sides; labels in reports are the fixture-relative paths.
fn sides(old: &str, new: &str, opts: &Options) -> (Vec<Object>, Vec<Object>) {
    let mut a =
        vendor::flows::diff::load(&fixture(old).display().to_string()).expect("old side loads");
    let mut b =
        vendor::flows::diff::load(&fixture(new).display().to_string()).expect("new side loads");
    kdiff::prepare(&mut a, opts);
    kdiff::prepare(&mut b, opts);
    (a, b)
}

fn render_opts(old: &str, new: &str) -> RenderOptions {
    RenderOptions {
        old_label: old.into(),
        new_label: new.into(),
        color: false,
    }
}

/// Fixture paths in `Origin`s are absolute; make rendered output machine-independent.
fn portable(text: &str) -> String {
    let root = fixture("").display().to_string();
    text.replace(&root, "")
}

fn highlight_lines(report: &DiffReport<'_>) -> String {
    let mut out = String::new();
    for h in &report.highlights {
        out.push_str(&format!(
            "{} [{}] {}{}\n",
            h.severity.as_str(),
            h.category.as_str(),
            h.resource
                .as_deref()
                .map(|r| format!("{r}: "))
                .unwrap_or_default(),
            h.message
        ));
        for d in &h.details {
            out.push_str(&format!("    {d}\n"));
        }
    }
    out
}

const ARGO_OLD: &str = "argo-cd/v2.14.20/install.yaml";
const ARGO_NEW: &str = "argo-cd/v2.14.21/install.yaml";
const ARGO_V3: &str = "argo-cd/v3.0.23/install.yaml";
const PROM_OLD: &str = "prometheus-operator/v0.83.0/bundle.yaml";
const PROM_NEW: &str = "prometheus-operator/v0.84.1/bundle.yaml";
const NGINX_CLOUD: &str = "ingress-nginx/v1.15.1/deploy.yaml";
const NGINX_METAL: &str = "ingress-nginx/v1.15.1/deploy-baremetal.yaml";

#[test]
fn argo_cd_patch_bump_changes_only_images() {
    let opts = Options::default();
    let (a, b) = sides(ARGO_OLD, ARGO_NEW, &opts);
    assert_eq!((a.len(), b.len()), (59, 59));
    let report = kdiff::diff(&a, &b, &opts);
    assert_eq!(report.summary.modified, 7);
    assert_eq!(
        report.summary.added + report.summary.removed + report.summary.renamed,
        0
    );
    assert_eq!(report.summary.unchanged, 52);
    for r in &report.resources {
        assert_eq!(r.status, Status::Modified);
        for c in &r.changes {
            let path = c.path.to_string();
            assert!(
                path.ends_with("].image"),
                "unexpected change at {path} in {}",
                r.key()
            );
            assert!(matches!(c.kind, ChangeKind::Changed { .. }));
        }
    }
    let images: Vec<(Category, Option<&str>, Option<&str>, usize)> = report
        .highlights
        .iter()
        .map(|h| {
            (
                h.category,
                h.old.as_deref(),
                h.new.as_deref(),
                h.details.len(),
            )
        })
        .collect();
    assert_eq!(
        images,
        [
            (
                Category::ImageChanged,
                Some("quay.io/argoproj/argocd:v2.14.20"),
                Some("quay.io/argoproj/argocd:v2.14.21"),
                8
            ),
            (
                Category::ImageChanged,
                Some("redis:7.0.15-alpine"),
                Some("redis:7.2.11-alpine"),
                1
            ),
        ]
    );
    insta::assert_snapshot!(
        "argo_patch_human",
        portable(
            &Printed::Diff(&report, &render_opts("v2.14.20", "v2.14.21"))
                .render(Format::Human, Style::default())
                .unwrap()
        )
    );
}

#[test]
fn argo_cd_major_upgrade() {
    let opts = Options::default();
    let (a, b) = sides(ARGO_NEW, ARGO_V3, &opts);
    let report = kdiff::diff(&a, &b, &opts);
    assert_eq!(report.summary.modified, 12);
    assert!(
        report
            .highlights
            .iter()
            .any(|h| h.category == Category::RbacWidened
                && h.resource.as_deref() == Some("Role/argocd-application-controller"))
    );
    insta::assert_snapshot!("argo_major_highlights", highlight_lines(&report));
    let md = Printed::Diff(&report, &render_opts("v2.14.21", "v3.0.23"))
        .render(Format::Markdown, Style::default())
        .unwrap();
    assert!(md.chars().count() < 65_536);
    insta::assert_snapshot!("argo_major_markdown", portable(&md));
}

#[test]
fn prometheus_operator_crd_schema_changes() {
    let opts = Options::default();
    let (a, b) = sides(PROM_OLD, PROM_NEW, &opts);
    let report = kdiff::diff(&a, &b, &opts);
    assert_eq!(report.summary.modified, 15);
    let crd_highlights = report
        .highlights
        .iter()
        .filter(|h| h.category.as_str().starts_with("crd-"))
        .count();
    assert!(crd_highlights >= 8, "{crd_highlights}");
    insta::assert_snapshot!("prometheus_highlights", highlight_lines(&report));
    let json = vendor::report::json::diff::to_json(&report, &render_opts("v0.83.0", "v0.84.1"));
    let ids: Vec<&str> = json["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    insta::assert_debug_snapshot!("prometheus_resource_ids", ids);
    let md = Printed::Diff(&report, &render_opts("v0.83.0", "v0.84.1"))
        .render(Format::Markdown, Style::default())
        .unwrap();
    assert!(md.chars().count() < 65_536, "{}", md.chars().count());
}

#[test]
fn ignoring_version_labels_and_annotations_hides_that_noise() {
    let opts = Options {
        noise: kdiff::NoiseFilter {
            labels: vec![kdiff::Pattern::new("app.kubernetes.io/version")],
            annotations: vec![kdiff::Pattern::new("operator.prometheus.io/*")],
            paths: vec![kdiff::Pattern::new("spec.versions[*].schema")],
        },
        ..Options::default()
    };
    let (a, b) = sides(PROM_OLD, PROM_NEW, &opts);
    let report = kdiff::diff(&a, &b, &opts);
    // What is left: a CRD gaining the status subresource, the operator Deployment (image, args)
    // and the ClusterRole.
    let left: Vec<String> = report
        .resources
        .iter()
        .map(|r| r.key().to_string())
        .collect();
    assert_eq!(
        left,
        [
            "CustomResourceDefinition/servicemonitors.monitoring.coreos.com",
            "Deployment/default/prometheus-operator",
            "ClusterRole/prometheus-operator"
        ]
    );
    let crd_changes: Vec<String> = report.resources[0]
        .changes
        .iter()
        .map(|c| c.path.to_string())
        .collect();
    assert_eq!(crd_changes, ["spec.versions[name=v1].subresources"]);
}

#[test]
fn metallb_across_three_versions() {
    let opts = Options::default();
    let mut out = String::new();
    for (old, new) in [("v0.14.9", "v0.15.3"), ("v0.15.3", "v0.16.1")] {
        let (a, b) = sides(
            &format!("metallb/{old}/metallb-native.yaml"),
            &format!("metallb/{new}/metallb-native.yaml"),
            &opts,
        );
        let report = kdiff::diff(&a, &b, &opts);
        out.push_str(&format!("== {old} -> {new}: {:?}\n", report.summary));
        out.push_str(&highlight_lines(&report));
    }
    insta::assert_snapshot!("metallb_chain_highlights", out);
}

#[test]
fn ingress_nginx_cloud_vs_baremetal_every_format() {
    let opts = Options::default();
    let (a, b) = sides(NGINX_CLOUD, NGINX_METAL, &opts);
    let report = kdiff::diff(&a, &b, &opts);
    let service = report
        .resources
        .iter()
        .find(|r| r.key().kind == "Service" && r.key().name == "ingress-nginx-controller")
        .expect("the controller Service differs");
    let type_change = service
        .changes
        .iter()
        .find(|c| c.path.to_string() == "spec.type")
        .unwrap();
    assert_eq!(
        (
            type_change.old().and_then(|v| v.as_str()),
            type_change.new_value().and_then(|v| v.as_str())
        ),
        (Some("LoadBalancer"), Some("NodePort"))
    );
    let ro = render_opts("deploy.yaml", "deploy-baremetal.yaml");
    for (name, format) in [
        ("nginx_human", Format::Human),
        ("nginx_json", Format::Json),
        ("nginx_markdown", Format::Markdown),
        ("nginx_github", Format::Github),
    ] {
        insta::assert_snapshot!(
            name,
            portable(
                &Printed::Diff(&report, &ro)
                    .render(format, Style::default())
                    .unwrap()
            )
        );
    }
}

#[test]
fn markdown_is_truncated_with_a_note() {
    let opts = Options::default();
    let (a, b) = sides(ARGO_NEW, ARGO_V3, &opts);
    let report = kdiff::diff(&a, &b, &opts);
    let md =
        vendor::report::markdown::diff::render_with_limit(&report, &render_opts("a", "b"), 6_000);
    assert!(md.chars().count() <= 6_000, "{}", md.chars().count());
    assert!(md.contains("Trimmed to fit"), "{md}");
    assert!(md.contains("resource sections not shown"), "{md}");
    assert!(
        md.contains("… and 9 more resource sections (not shown: size limit)."),
        "{md}"
    );
}

// ---- CLI ----

fn vendor(args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vendor"));
    cmd.args(args).current_dir(fixture("")).env("NO_COLOR", "1");
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("vendor runs");
    if let Some(input) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn cli_exit_code_reflects_differences() {
    let same = vendor(&["diff", "--exit-code", NGINX_CLOUD, NGINX_CLOUD], None);
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&same.stderr)
    );
    assert!(stdout(&same).contains("no differences (19 resources unchanged)"));
    let differ = vendor(&["diff", "--exit-code", NGINX_CLOUD, NGINX_METAL], None);
    assert_eq!(differ.status.code(), Some(1));
    let without_flag = vendor(&["diff", NGINX_CLOUD, NGINX_METAL], None);
    assert_eq!(without_flag.status.code(), Some(0));
}

#[test]
fn cli_reads_stdin_and_directories() {
    let src = std::fs::read_to_string(fixture(NGINX_METAL)).unwrap();
    let o = vendor(&["diff", "--format", "json", NGINX_CLOUD, "-"], Some(&src));
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["summary"]["modified"], 2);
    assert_eq!(json["resources"][0]["new_file"], "-");

    let o = vendor(
        &[
            "diff",
            "--format",
            "json",
            "metallb/v0.15.3",
            "metallb/v0.16.1",
        ],
        None,
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["summary"]["modified"], 6);
    assert_eq!(json["resources"][0]["new_file"], "metallb-native.yaml");
}

#[test]
fn cli_masks_secrets_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, pw: &str| {
        let p = dir.path().join(name);
        std::fs::write(
            &p,
            format!(
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: {pw}\n"
            ),
        )
        .unwrap();
        p.display().to_string()
    };
    let (a, b) = (write("a.yaml", "b2xkLXB3"), write("b.yaml", "bmV3LXB3"));
    let masked = stdout(&vendor(&["diff", &a, &b], None));
    assert!(masked.contains("data.password"), "{masked}");
    // "old-pw" -> "new-pw": the length and that it changed, nothing derived from the values.
    assert!(
        masked.contains("- <hidden, 6 bytes>\n    + <hidden, 6 bytes, changed>"),
        "{masked}"
    );
    assert!(!masked.contains("b2xkLXB3") && !masked.contains("bmV3LXB3"));
    let shown = stdout(&vendor(&["diff", "--show-secrets", &a, &b], None));
    assert!(
        shown.contains("- b2xkLXB3") && shown.contains("+ bmV3LXB3"),
        "{shown}"
    );
}

#[test]
fn cli_bad_input_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n",
    )
    .unwrap();
    let o = vendor(&["diff", NGINX_CLOUD, &bad.display().to_string()], None);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.yaml:5:1: invalid YAML"), "{err}");

    let o = vendor(&["diff", NGINX_CLOUD, "does-not-exist.yaml"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("does-not-exist.yaml does not exist"));

    let o = vendor(
        &["diff", "--format", "sarif", NGINX_CLOUD, NGINX_METAL],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn cli_judges_api_versions_against_the_kube_version() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, body: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p.display().to_string()
    };
    let pdb = |max: u32| {
        format!(
            "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: p\n  namespace: n\n\
             spec:\n  maxUnavailable: {max}\n"
        )
    };
    let (a, b) = (write("a.yaml", &pdb(1)), write("b.yaml", &pdb(2)));
    let o = vendor(&["diff", "--kube-version", "1.31", &a, &b], None);
    let out = stdout(&o);
    assert!(
        out.contains("[api-removed] policy/v1beta1 PodDisruptionBudget is removed in Kubernetes 1.25 (target 1.31); use policy/v1"),
        "{out}"
    );
    // The default comes from vendor.toml's `[settings] kube-version`.
    let config = write(
        "vendor.toml",
        "[settings]\nkube-version = \"1.22.0\"\n\n[manifest.x]\nurl = \"https://example.com/{version}/x.yaml\"\nversion = \"v1\"\n",
    );
    let o = vendor(&["diff", "--manifest-path", &config, &a, &b], None);
    let out = stdout(&o);
    assert!(
        out.contains("[api-deprecated]") && !out.contains("[api-removed]"),
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Serves `body` for any GET whose path contains `/{version}/`, 404 otherwise, on loopback.
fn serve_once_per_request(version: &'static str, body: Vec<u8>) -> u16 {
    serve(vec![(format!("/{version}/"), body)])
}

/// Serves the body of the first route whose pattern the request path contains, 404 otherwise.
fn serve(routes: Vec<(String, Vec<u8>)>) -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let head = String::from_utf8_lossy(&request);
            let first = head.lines().next().unwrap_or("");
            let (status, payload): (&str, &[u8]) = match routes
                .iter()
                .find(|(pattern, _)| first.contains(pattern.as_str()))
            {
                Some((_, body)) => ("200 OK", body),
                None => ("404 Not Found", b"not found"),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                payload.len()
            );
            let _ = stream.write_all(payload);
        }
    });
    port
}

#[test]
fn cli_name_form_compares_the_vendored_tree_with_upstream_at_a_version() {
    let repo = tempfile::tempdir().unwrap();
    let baremetal = std::fs::read(fixture(NGINX_METAL)).unwrap();
    let port = serve_once_per_request("v2", baremetal);
    std::fs::write(
        repo.path().join("vendor.toml"),
        format!(
            "[manifest.nginx]\nurl = \"http://127.0.0.1:{port}/{{version}}/deploy.yaml\"\nversion = \"v1\"\n"
        ),
    )
    .unwrap();
    let vendored = repo.path().join("upstream/nginx");
    std::fs::create_dir_all(&vendored).unwrap();
    std::fs::copy(fixture(NGINX_CLOUD), vendored.join("deploy.yaml")).unwrap();
    let manifest = repo.path().join("vendor.toml").display().to_string();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "diff",
            "--manifest-path",
            &manifest,
            "--format",
            "json",
            "nginx",
        ];
        args.extend_from_slice(extra);
        Command::new(env!("CARGO_BIN_EXE_vendor"))
            .args(&args)
            .env("VENDOR_CACHE_DIR", repo.path().join("cache"))
            .output()
            .unwrap()
    };
    let o = run(&["--to", "v2"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["new"], "nginx@v2");
    assert_eq!(json["summary"]["modified"], 2);
    assert_eq!(json["resources"][0]["new_file"], "nginx@v2/deploy.yaml");
    // Upstream has no v3: the error names the entry and the version.
    let o = run(&["--to", "v3"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("cannot fetch `nginx` at v3"), "{err}");
    // Unknown entries list the known ones.
    let o = Command::new(env!("CARGO_BIN_EXE_vendor"))
        .args(["diff", "--manifest-path", &manifest, "nope"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("entries in"));
}

/// A chart archive `demo-VERSION.tgz` whose ConfigMap carries `.Values.greeting`.
fn chart_tgz(version: &str, greeting: &str) -> Vec<u8> {
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    let files = [
        ("demo/Chart.yaml", format!("apiVersion: v2\nname: demo\nversion: {version}\n")),
        ("demo/values.yaml", format!("greeting: {greeting}\n")),
        (
            "demo/templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\n  namespace: {{ .Release.Namespace }}\ndata:\n  greeting: {{ .Values.greeting | quote }}\n".to_string(),
        ),
    ];
    for (path, body) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(body.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, path, body.as_bytes()).unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap()
}

#[test]
fn cli_name_form_renders_chart_entries_on_both_sides() {
    let repo = tempfile::tempdir().unwrap();
    let index = "apiVersion: v1\nentries:\n  demo:\n  - name: demo\n    version: 0.2.0\n    urls: [demo-0.2.0.tgz]\n  - name: demo\n    version: 0.1.0\n    urls: [demo-0.1.0.tgz]\n";
    let port = serve(vec![
        ("/index.yaml".into(), index.as_bytes().to_vec()),
        ("/demo-0.2.0.tgz".into(), chart_tgz("0.2.0", "hello")),
        ("/demo-0.1.0.tgz".into(), chart_tgz("0.1.0", "hi")),
    ]);
    std::fs::write(
        repo.path().join("vendor.toml"),
        format!(
            "[chart.demo]\nrepo = \"http://127.0.0.1:{port}\"\nchart = \"demo\"\nversion = \"0.1.0\"\nnamespace = \"apps\"\n"
        ),
    )
    .unwrap();
    // The vendored copy is the chart source at 0.1.0.
    let vendored = repo.path().join("upstream/demo");
    std::fs::create_dir_all(vendored.join("templates")).unwrap();
    let archive = chart_tgz("0.1.0", "hi");
    let chart = safe_archive::read(&archive, &safe_archive::Limits::default())
        .unwrap()
        .strip_root()
        .unwrap();
    for f in chart.files {
        let path = vendored.join(&f.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, f.data).unwrap();
    }
    let manifest = repo.path().join("vendor.toml").display().to_string();
    let o = Command::new(env!("CARGO_BIN_EXE_vendor"))
        .args([
            "diff",
            "--manifest-path",
            &manifest,
            "--color",
            "never",
            "demo",
            "--to",
            "0.2.0",
        ])
        .env("VENDOR_CACHE_DIR", repo.path().join("cache"))
        .output()
        .unwrap();
    let out = stdout(&o);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("~ ConfigMap/apps/demo-cm"), "{out}");
    assert!(
        out.contains("data.greeting\n    - hi\n    + hello"),
        "{out}"
    );
}

#[test]
fn cli_detects_renames_when_asked_and_markdown_shows_new_objects() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, object: &str, last: &str| {
        let p = dir.path().join(name);
        let body = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {object}\n  namespace: n\ndata:\n  a: \"1\"\n  b: \"2\"\n  c: \"3\"\n  d: \"4\"\n  e: \"5\"\n  f: \"{last}\"\n"
        );
        std::fs::write(&p, body).unwrap();
        p.display().to_string()
    };
    let (a, b) = (
        write("a.yaml", "old-name", "6"),
        write("b.yaml", "new-name", "7"),
    );
    let plain = stdout(&vendor(&["diff", "--format", "markdown", &a, &b], None));
    assert!(plain.contains("1 added, 1 removed"), "{plain}");
    assert!(
        plain.contains("+ kind: ConfigMap\n+ metadata:\n+   name: new-name"),
        "{plain}"
    );
    let renamed = stdout(&vendor(
        &["diff", "--detect-renames=0.6", "--format", "json", &a, &b],
        None,
    ));
    let json: serde_json::Value = serde_json::from_str(&renamed).unwrap();
    assert_eq!(json["summary"]["renamed"], 1);
    assert_eq!(json["resources"][0]["previous_id"], "ConfigMap/n/old-name");
    let paths: Vec<&str> = json["resources"][0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["metadata.name", "data.f"]);
}

/// `[diff]` in vendor.toml: ignored labels and annotations leave the diff, as the flags do.
#[test]
fn noise_settings_from_vendor_toml() {
    let dir = tempfile::tempdir().unwrap();
    let cm = |chart: &str, checksum: &str, data: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    helm.sh/chart: {chart}\n  annotations:\n    checksum/config: \"{checksum}\"\ndata:\n  a: \"{data}\"\n"
        )
    };
    std::fs::write(dir.path().join("old.yaml"), cm("x-1.0.0", "111", "same")).unwrap();
    std::fs::write(dir.path().join("new.yaml"), cm("x-1.1.0", "222", "same")).unwrap();
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_vendor"))
            .args(["diff", "--exit-code", "old.yaml", "new.yaml"])
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    assert_eq!(
        run().status.code(),
        Some(1),
        "labels and annotations differ"
    );
    std::fs::write(
        dir.path().join("vendor.toml"),
        "[diff]\nignore-labels = [\"helm.sh/chart\"]\nignore-annotations = [\"checksum/*\"]\n\n[manifest.x]\nurl = \"https://example.com/{version}/x.yaml\"\nversion = \"v1.0.0\"\n",
    )
    .unwrap();
    let o = run();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

/// `--patched`: both sides go through `patches/NAME`; a change the overlay overrides on both
/// sides (here the Service type) disappears from the diff.
#[test]
fn cli_name_form_patched_runs_both_sides_through_the_overlay() {
    let repo = tempfile::tempdir().unwrap();
    let baremetal = std::fs::read(fixture(NGINX_METAL)).unwrap();
    let port = serve_once_per_request("v2", baremetal);
    std::fs::write(
        repo.path().join("vendor.toml"),
        format!(
            "[manifest.nginx]\nurl = \"http://127.0.0.1:{port}/{{version}}/deploy.yaml\"\nversion = \"v1\"\n"
        ),
    )
    .unwrap();
    let vendored = repo.path().join("upstream/nginx");
    std::fs::create_dir_all(&vendored).unwrap();
    std::fs::copy(fixture(NGINX_CLOUD), vendored.join("deploy.yaml")).unwrap();
    std::fs::write(
        vendored.join("kustomization.yaml"),
        "resources:\n- deploy.yaml\n",
    )
    .unwrap();
    let overlay = repo.path().join("patches/nginx");
    std::fs::create_dir_all(&overlay).unwrap();
    std::fs::write(
        overlay.join("kustomization.yaml"),
        "resources:\n- ../../upstream/nginx\npatches:\n- target:\n    kind: Service\n    name: ingress-nginx-controller\n  patch: |-\n    - op: replace\n      path: /spec/type\n      value: ClusterIP\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["diff", "--format", "json", "nginx", "--to", "v2"];
        args.extend_from_slice(extra);
        let o = Command::new(env!("CARGO_BIN_EXE_vendor"))
            .args(&args)
            .current_dir(repo.path())
            .env("VENDOR_CACHE_DIR", repo.path().join("cache"))
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    };
    let plain = run(&[]);
    assert!(plain.contains("\"spec.type\""), "{plain}");
    let patched = run(&["--patched"]);
    assert!(!patched.contains("\"spec.type\""), "{patched}");
    let json: serde_json::Value = serde_json::from_str(&patched).unwrap();
    assert_eq!(json["old"], "patches/nginx (v1)");
    assert_eq!(json["new"], "patches/nginx over nginx@v2");
}
