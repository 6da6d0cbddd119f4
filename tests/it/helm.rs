//! `vendor template` against Helm's own golden tests (helm v3.21.4 `TestTemplateCmd`) and real
//! charts rendered by helm v3.16.4 (ingress-nginx, metallb with subcharts). Each case runs the
//! binary and compares stdout+stderr byte for byte (CRLF -> LF only), as Helm's harness does.
//!
//! Helm's test build reports Kubernetes v1.20.0 by default while the release binary (which
//! `vendor` follows) reports v1.31.0, so golden cases without `--kube-version` get
//! `--kube-version 1.20.0`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/helm-render/tests/fixtures/helm")
}

fn load_cases(file: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(file).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["cases"].as_array().unwrap().clone()
}

fn run(cwd: &Path, args: &[String]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_vendor"))
        .current_dir(cwd)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n"),
        String::from_utf8_lossy(&out.stderr).replace("\r\n", "\n"),
        out.status.code().unwrap_or(-1),
    )
}

fn first_difference(want: &str, got: &str) -> String {
    for (i, (w, g)) in want.lines().zip(got.lines()).enumerate() {
        if w != g {
            return format!("line {}:\n  want: {w:?}\n  got:  {g:?}", i + 1);
        }
    }
    format!(
        "lengths differ: want {} lines, got {} lines",
        want.lines().count(),
        got.lines().count()
    )
}

/// Runs Helm golden case `index` of `golden/cases.json`.
fn golden_case(index: usize) {
    let dir = fixtures().join("golden");
    let case = &load_cases(&dir.join("cases.json"))[index];
    let mut argv: Vec<String> = case["argv"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    if !argv.iter().any(|a| a.starts_with("--kube-version")) {
        argv.insert(1, "--kube-version".into());
        argv.insert(2, "1.20.0".into());
    }
    let want = std::fs::read_to_string(dir.join(case["golden"].as_str().unwrap()))
        .unwrap()
        .replace("\r\n", "\n");
    let repeat = case["repeat"].as_u64().unwrap_or(0) + 1;
    for _ in 0..repeat {
        let (stdout, stderr, code) = run(&dir, &argv);
        let got = format!("{stdout}{stderr}");
        assert_eq!(
            code != 0,
            case["want_error"].as_bool().unwrap(),
            "exit code {code}: {got}"
        );
        assert!(
            got == want,
            "case {:?} differs from {}: {}\n--- got ---\n{got}",
            case["name"],
            case["golden"],
            first_difference(&want, &got)
        );
    }
}

/// Runs real-chart case `index` of `real/cases.json`.
fn real_case(index: usize) {
    let case = &load_cases(&fixtures().join("real/cases.json"))[index];
    let mut argv = vec!["template".to_string()];
    argv.extend(
        case["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string()),
    );
    argv.push(case["chart"].as_str().unwrap().to_string());
    let want = std::fs::read_to_string(
        fixtures()
            .join("real")
            .join(case["expected"].as_str().unwrap()),
    )
    .unwrap();
    let (stdout, stderr, code) = run(&fixtures().join("charts"), &argv);
    let want_code = case["exit_code"].as_i64().unwrap() as i32;
    assert_eq!(code, want_code, "exit code; stderr: {stderr}");
    let got = if want_code == 0 { stdout } else { stderr };
    assert!(
        got == want,
        "case {:?}: {}\n--- got (first 3000 bytes) ---\n{}",
        case["name"],
        first_difference(&want, &got),
        &got[..got.len().min(3000)]
    );
}

macro_rules! cases {
    ($runner:ident: $($name:ident = $index:expr;)*) => {
        $( #[test] fn $name() { $runner($index) } )*
    };
}

cases! { golden_case:
    golden_00_check_name = 0;
    golden_01_set_name = 1;
    golden_02_values_files = 2;
    golden_03_name_template = 3;
    golden_04_no_args = 4;
    golden_05_library_chart = 5;
    golden_06_chart_bad_type = 6;
    golden_07_app_chart_as_library_dep = 7;
    golden_08_app_chart_archive_as_library_dep = 8;
    golden_09_kube_version = 9;
    golden_10_api_versions = 10;
    golden_11_include_crds = 11;
    golden_12_show_only_one = 12;
    golden_13_show_only_multiple = 13;
    golden_14_show_only_glob = 14;
    golden_15_object_order = 15;
    golden_16_invalid_yaml = 16;
    golden_17_invalid_yaml_debug = 17;
    golden_18_skip_tests = 18;
    golden_19_issue_9027_null_deletes = 19;
    golden_20_import_values = 20;
    golden_21_import_values_set = 21;
    golden_22_import_values_file = 22;
}

cases! { real_case:
    real_00_ingress_nginx_4_14_5_default = 0;
    real_01_ingress_nginx_4_15_1_default = 1;
    real_02_ingress_nginx_cert_manager = 2;
    real_03_ingress_nginx_configmap_proxyheaders = 3;
    real_04_ingress_nginx_daemonset_metrics = 4;
    real_05_ingress_nginx_daemonset = 5;
    real_06_ingress_nginx_podannotations = 6;
    real_07_ingress_nginx_hpa = 7;
    real_08_ingress_nginx_service_internal = 8;
    real_09_metallb_0_15_3_default = 9;
    real_10_metallb_0_15_3_frr_expected_error = 10;
    real_11_metallb_0_16_1_default = 11;
    real_12_metallb_0_16_1_frr = 12;
    real_13_metallb_0_16_1_nocrds = 13;
}

/// A template that asks for a hostile amount of memory (issue 11, item 10) stops with exit 2
/// and an error naming the template file and line, well within two seconds.
#[test]
fn template_resource_caps_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("capped");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: capped\nversion: 0.1.0\n",
    )
    .unwrap();
    let cases = [
        ("{{ randBytes 1000000000 }}", "at <randBytes 1000000000>"),
        (
            "{{ randAlphaNum 1000000000 }}",
            "at <randAlphaNum 1000000000>",
        ),
        ("{{ \"x\" | indent 1000000000 }}", "at <indent 1000000000>"),
        (
            "{{ nindent 1000000000 \"x\" }}",
            "at <nindent 1000000000 \"x\">",
        ),
        // The chart's total output.
        (
            "{{ range until 300 }}{{ randAlphaNum 1000000 }}{{ end }}",
            "at <randAlphaNum 1000000>",
        ),
    ];
    for (tpl, at) in cases {
        std::fs::write(
            chart.join("templates/big.yaml"),
            format!("kind: ConfigMap\n{tpl}\n"),
        )
        .unwrap();
        let start = std::time::Instant::now();
        let (stdout, stderr, code) = run(dir.path(), &["template".into(), "capped".into()]);
        let took = start.elapsed();
        // The report wraps long lines (`  | ` continues them).
        let stderr = stderr.replace("\n  | ", " ");
        assert_eq!(code, 2, "{tpl}: {stderr}");
        assert_eq!(stdout, "", "{tpl}");
        assert!(
            stderr.contains("template: capped/templates/big.yaml:2:") && stderr.contains(at),
            "{tpl}: {stderr}"
        );
        assert!(
            stderr.contains("exceeds vendor's limit of"),
            "{tpl}: {stderr}"
        );
        // The message proves the cap fired; the time is a loose backstop for a loaded CI
        // machine (uncapped, these allocate GiBs for many seconds), not a benchmark.
        assert!(took.as_secs_f64() < 30.0, "{tpl}: took {took:?}");
    }
}

#[test]
fn template_rejects_hostile_archive() {
    // A chart archive whose entry escapes the chart directory.
    let dir = tempfile::tempdir().unwrap();
    let mut builder = tar::Builder::new(Vec::new());
    let data = b"apiVersion: v2\nname: evil\nversion: 1.0.0\n";
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    let name = b"evil/../../Chart.yaml";
    h.as_old_mut().name[..name.len()].copy_from_slice(name);
    h.set_cksum();
    builder.append(&h, &data[..]).unwrap();
    let tar = builder.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &tar).unwrap();
    let path = dir.path().join("evil-1.0.0.tgz");
    std::fs::write(&path, gz.finish().unwrap()).unwrap();
    let (stdout, stderr, code) = run(dir.path(), &["template".into(), "evil-1.0.0.tgz".into()]);
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "Error: chart illegally references parent directory\n"
    );
}

/// `--helm-version 4` renders as Helm 4 (helm v4.2.4's golden: trailing blank lines kept),
/// the default as Helm 3.
#[test]
fn template_helm_version_4() {
    let dir = fixtures().join("golden-v4");
    let args = |v: Option<&str>| {
        let mut a: Vec<String> = [
            "template",
            "testdata/testcharts/subchart",
            "--kube-version",
            "1.20.0",
        ]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
        if let Some(v) = v {
            a.extend(["--helm-version".to_string(), v.to_string()]);
        }
        a
    };
    let want = std::fs::read_to_string(dir.join("testdata/output/template.txt")).unwrap();
    let (stdout, stderr, code) = run(&dir, &args(Some("4")));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout == want, "{}", first_difference(&want, &stdout));
    let (stdout3, _, code) = run(&dir, &args(None));
    assert_eq!(code, 0);
    assert_ne!(stdout3, want, "the default is Helm 3");
    let (_, stderr, code) = run(&dir, &args(Some("5")));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("unsupported Helm version"), "{stderr}");
}

#[test]
fn template_reports_bad_set_syntax_like_helm() {
    let dir = fixtures().join("golden");
    let (_, stderr, code) = run(
        &dir,
        &[
            "template".into(),
            "testdata/testcharts/subchart".into(),
            "--set".into(),
            "a.b".into(),
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "Error: failed parsing --set data: key \"b\" has no value\n"
    );
}

#[test]
fn template_show_only_missing_template() {
    let dir = fixtures().join("golden");
    let (_, stderr, code) = run(
        &dir,
        &[
            "template".into(),
            "testdata/testcharts/subchart".into(),
            "--show-only".into(),
            "templates/nope.yaml".into(),
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "Error: could not find template templates/nope.yaml in chart\n"
    );
}

const FILES_CHART_CONFIGMAP: &str = r#"---
# Source: files-chart/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: rel-files
  namespace: ns
data:
  app.conf: |
    port=80
    name=demo
  first: "line one"
  ignored: ""
  bak: ""
  big: "1e+06"
  keep: "true"
  drop: "me"
  chart: "files-chart-1.2.3-9.9"
  template: "files-chart/templates/configmap.yaml"
  basepath: "files-chart/templates"
"#;

const FILES_CHART_HOOKS: &str = r#"---
# Source: files-chart/templates/hooks.yaml
apiVersion: v1
kind: Pod
metadata:
  name: test-pod
  annotations:
    "helm.sh/hook": test-success
---
# Source: files-chart/templates/hooks.yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: pre
  annotations:
    "helm.sh/hook": pre-install,post-upgrade
"#;

const FILES_CHART_SECRET: &str = r#"---
# Source: files-chart/templates/secret.yaml
apiVersion: v1
kind: Secret
metadata:
  name: pw
stringData:
  password: "12"
"#;

/// .Files (Get, Glob, AsConfig, Lines), .helmignore, values as float64, YAML 1.1 booleans,
/// .Chart/.Template, hooks (test-success is a test hook, unknown hooks are dropped with
/// Helm's log line), NOTES.txt never printed, install order Secret before ConfigMap.
#[test]
fn local_chart_files_hooks_and_order() {
    let dir = fixtures().join("local");
    let (stdout, stderr, code) = run(
        &dir,
        &[
            "template".into(),
            "rel".into(),
            "files-chart".into(),
            "-n".into(),
            "ns".into(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        format!("{FILES_CHART_SECRET}{FILES_CHART_CONFIGMAP}{FILES_CHART_HOOKS}")
    );
    assert_eq!(stderr, "info: skipping unknown hook: \"not-a-hook\"\n");

    let (stdout, _, _) = run(
        &dir,
        &[
            "template".into(),
            "rel".into(),
            "files-chart".into(),
            "-n".into(),
            "ns".into(),
            "--skip-tests".into(),
        ],
    );
    assert!(
        !stdout.contains("test-pod") && stdout.contains("name: pre"),
        "{stdout}"
    );
    let (stdout, _, _) = run(
        &dir,
        &[
            "template".into(),
            "rel".into(),
            "files-chart".into(),
            "-n".into(),
            "ns".into(),
            "--no-hooks".into(),
        ],
    );
    assert_eq!(
        stdout,
        format!("{FILES_CHART_SECRET}{FILES_CHART_CONFIGMAP}")
    );
}

#[test]
fn local_chart_crds_set_file_and_set_json() {
    let dir = fixtures().join("local");
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("value.txt");
    std::fs::write(&file, "from a file\n").unwrap();
    let (stdout, stderr, code) = run(
        &dir,
        &[
            "template".into(),
            "files-chart".into(),
            "--include-crds".into(),
            "--no-hooks".into(),
            "--set-file".into(),
            format!("fromFile={}", file.display()),
            "--set-json".into(),
            r#"fromJson={"list":[1,2.5,"x"]}"#.into(),
            "--set".into(),
            "nested.drop=null".into(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with(
        "---\n# Source: files-chart/crds/crd.yaml\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n\n---\n"
    ), "{stdout}");
    assert!(
        stdout.contains("  fromFile: \"from a file\\n\"\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  fromJson: \"[1,2.5,\\\"x\\\"]\"\n"),
        "{stdout}"
    );
    // a user null deletes the chart default
    // (`quote` of a missing value prints nothing)
    assert!(stdout.contains("  drop: \n"), "{stdout}");
    assert!(
        stdout.contains("  name: release-name-files\n  namespace: default\n"),
        "{stdout}"
    );
}

/// A packaged chart (.tgz) renders exactly like its directory.
#[test]
fn packaged_chart_renders_like_directory() {
    let src = fixtures().join("charts/metallb/0.16.1");
    let tmp = tempfile::tempdir().unwrap();
    let mut builder = tar::Builder::new(Vec::new());
    builder.append_dir_all("metallb", &src).unwrap();
    let tar = builder.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &tar).unwrap();
    let tgz = tmp.path().join("metallb-0.16.1.tgz");
    std::fs::write(&tgz, gz.finish().unwrap()).unwrap();
    let args = |chart: String| {
        vec![
            "template".to_string(),
            "metallb".into(),
            chart,
            "--namespace".into(),
            "metallb-system".into(),
            "--kube-version".into(),
            "1.31.0".into(),
        ]
    };
    let (from_tgz, stderr, code) = run(tmp.path(), &args(tgz.display().to_string()));
    assert_eq!(code, 0, "{stderr}");
    let expected =
        std::fs::read_to_string(fixtures().join("real/metallb-0.16.1-default.yaml")).unwrap();
    assert!(
        from_tgz == expected,
        "{}",
        first_difference(&expected, &from_tgz)
    );
}

#[test]
fn schema_violation_is_reported_per_chart() {
    let dir = fixtures().join("charts");
    let (stdout, stderr, code) = run(
        &dir,
        &[
            "template".into(),
            "metallb/0.16.1".into(),
            "--set-string".into(),
            "speaker.frr.enabled=yes".into(),
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "Error: values don't meet the specifications of the schema(s) in the following chart(s):\nmetallb:\n- speaker.frr.enabled: Invalid type. Expected: boolean, given: string\n- speaker: Must validate all the schemas (allOf)\n\n"
    );
}

#[test]
fn kube_version_constraint_and_bad_release_name() {
    let dir = fixtures().join("charts");
    let (_, stderr, code) = run(
        &dir,
        &[
            "template".into(),
            "metallb/0.16.1".into(),
            "--kube-version".into(),
            "1.18.0".into(),
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "Error: chart requires kubeVersion: >= 1.19.0-0 which is incompatible with Kubernetes v1.18.0\n\nUse --debug flag to render out invalid YAML\n"
    );
    let (_, stderr, code) = run(
        &dir,
        &[
            "template".into(),
            "Bad_Name".into(),
            "metallb/0.16.1".into(),
        ],
    );
    assert_eq!(code, 1);
    assert!(
        stderr.starts_with(
            "Error: release name \"Bad_Name\": invalid release name, must match regex"
        ),
        "{stderr}"
    );
    let (_, stderr, code) = run(&dir, &["template".into(), "no/such/chart".into()]);
    assert_eq!(code, 1);
    assert_eq!(stderr, "Error: path \"no/such/chart\" not found\n");
}

#[test]
fn chart_errors_use_helm_wording() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("empty/templates")).unwrap();
    let (_, stderr, code) = run(tmp.path(), &["template".into(), "empty".into()]);
    assert_eq!(
        (code, stderr.as_str()),
        (1, "Error: Chart.yaml file is missing\n")
    );

    std::fs::create_dir_all(tmp.path().join("deps")).unwrap();
    std::fs::write(
        tmp.path().join("deps/Chart.yaml"),
        "apiVersion: v2\nname: deps\nversion: 1.0.0\ndependencies:\n- name: absent\n  version: 1.0.0\n",
    )
    .unwrap();
    let (_, stderr, code) = run(tmp.path(), &["template".into(), "deps".into()]);
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "Error: An error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: absent\n"
    );

    std::fs::write(
        tmp.path().join("deps/Chart.yaml"),
        "apiVersion: v2\nname: deps\n",
    )
    .unwrap();
    let (_, stderr, _) = run(tmp.path(), &["template".into(), "deps".into()]);
    assert_eq!(
        stderr,
        "Error: validation: chart.metadata.version is required\n"
    );

    std::fs::write(tmp.path().join("notachart.yaml"), "a: 1\n").unwrap();
    let (_, stderr, _) = run(tmp.path(), &["template".into(), "notachart.yaml".into()]);
    let abs = std::path::absolute(tmp.path().join("notachart.yaml")).unwrap();
    assert_eq!(
        stderr,
        format!(
            "Error: file '{}' seems to be a YAML file, but expected a gzipped archive\n",
            abs.display()
        )
    );
}
