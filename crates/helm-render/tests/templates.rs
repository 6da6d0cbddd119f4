//! Integration tests of the template engine with Helm's function map on real chart templates
//! (copied from the corpus into tests/fixtures/template/): every template must parse, and
//! ingress-nginx's templates rendered with its default values must give the documents
//! `helm template` v3.16.4 printed.

// Test code: a panic is the failure report, and printing explains a skipped comparison.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gotemplate::{ExecOptions, FuncError, GoObject, GoValue, Templates};
use helm_render::govalue;
use kyaml::Dialect;

/// A template set as Helm's engine makes one: named `gotpl`, with Sprig's and Helm's functions.
fn helm_set() -> Templates {
    Templates::named("gotpl", helm_render::funcs::function_map())
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/template")
}

/// Every template file under `dir`, as (name relative to `dir`, text), sorted.
fn template_files(dir: &Path) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| e.path().components().any(|c| c.as_os_str() == "templates"))
        .map(|e| {
            let name = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read_to_string(e.path()).unwrap())
        })
        .collect();
    v.sort();
    v
}

#[test]
fn every_corpus_template_parses() {
    let mut count = 0;
    for chart in [
        "ingress-nginx-4.15.1",
        "metallb-0.16.1",
        "metallb-0.15.3",
        "helm-golden",
    ] {
        let dir = fixtures().join(chart);
        let mut set = helm_set();
        for (name, text) in template_files(&dir) {
            if let Err(e) = set.add(&name, &text) {
                panic!("{chart}/{name}: {e}");
            }
            count += 1;
        }
    }
    assert!(count > 90, "only {count} templates found");
}

struct Chart(BTreeMap<String, GoValue>);
impl GoObject for Chart {
    fn type_name(&self) -> &str {
        "*chart.Metadata"
    }
    fn field(&self, name: &str) -> Option<GoValue> {
        let key = name[..1].to_lowercase() + &name[1..];
        Some(
            self.0
                .get(&key)
                .cloned()
                .unwrap_or_else(|| GoValue::from("")),
        )
    }
}

struct KubeVersion;
impl GoObject for KubeVersion {
    fn type_name(&self) -> &str {
        "chartutil.KubeVersion"
    }
    fn field(&self, name: &str) -> Option<GoValue> {
        Some(GoValue::from(match name {
            "Version" | "GitVersion" => "v1.31.0",
            "Major" => "1",
            "Minor" => "31",
            _ => return None,
        }))
    }
    fn string(&self) -> Option<String> {
        Some("v1.31.0".into())
    }
}

struct ApiVersions;
impl GoObject for ApiVersions {
    fn type_name(&self) -> &str {
        "chartutil.VersionSet"
    }
    fn has_method(&self, name: &str) -> bool {
        name == "Has"
    }
    fn method(&self, name: &str, args: &[GoValue]) -> Option<Result<GoValue, FuncError>> {
        (name == "Has").then(|| {
            let known = [
                "v1",
                "apps/v1",
                "policy/v1",
                "networking.k8s.io/v1",
                "autoscaling/v2",
                "batch/v1",
            ];
            Ok(GoValue::Bool(
                args.first()
                    .and_then(GoValue::as_str)
                    .is_some_and(|a| known.contains(&a)),
            ))
        })
    }
}

struct Capabilities;
impl GoObject for Capabilities {
    fn type_name(&self) -> &str {
        "*chartutil.Capabilities"
    }
    fn field(&self, name: &str) -> Option<GoValue> {
        match name {
            "KubeVersion" => Some(GoValue::object(KubeVersion)),
            "APIVersions" => Some(GoValue::object(ApiVersions)),
            _ => None,
        }
    }
}

fn map(entries: &[(&str, GoValue)]) -> GoValue {
    GoValue::from(
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect::<BTreeMap<_, _>>(),
    )
}

/// Helm's releaseutil.SplitManifests + `# Source:` printing, per file.
fn documents(rendered: &str) -> Vec<String> {
    let sep = regex::Regex::new(r"(?:^|\s*\n)---\s*").unwrap();
    sep.split(rendered.trim())
        .filter(|d| !d.is_empty())
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
        .collect()
}

#[test]
fn ingress_nginx_templates_render_as_helm_does() {
    check_chart(
        "ingress-nginx-4.15.1",
        "ingress-nginx",
        "ingress-nginx",
        "expected-default.yaml",
        None,
    );
}

/// The chart's CI values files, rendered by helm template v3.16.4 (corpus helm-real).
#[test]
fn ingress_nginx_ci_values_render_as_helm_does() {
    for name in [
        "admission-webhooks-cert-manager-values",
        "controller-configmap-proxyheaders-values",
        "controller-daemonset-metrics-values",
        "controller-daemonset-values",
        "controller-deployment-podannotations-values",
        "controller-hpa-values",
        "controller-service-internal-values",
    ] {
        check_chart(
            "ingress-nginx-4.15.1",
            "ingress-nginx",
            "ingress-nginx",
            &format!("expected/{name}.yaml"),
            Some(&format!("ci/{name}.yaml")),
        );
    }
}

/// `fail` inside an `if`: Go's raw error, which Helm shortens to
/// `execution error at (metallb/templates/speaker.yaml:3:4): ...`.
#[test]
fn metallb_fail_reports_go_location() {
    let dir = fixtures().join("metallb-0.15.3");
    let mut values = read_yaml(&dir.join("values.yaml"));
    coalesce(
        &mut values,
        &kyaml::parse_one("frrk8s:\n  enabled: true\n", Dialect::Helm).unwrap(),
    );
    let mut set = helm_set();
    for (name, text) in template_files(&dir) {
        set.add(&format!("metallb/{name}"), &text).unwrap();
    }
    let data = map(&[("Values", govalue::from_yaml_as_json(&values))]);
    let err = set
        .execute(
            "metallb/templates/speaker.yaml",
            &data,
            &ExecOptions::default(),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "template: metallb/templates/speaker.yaml:3:4: executing \"metallb/templates/speaker.yaml\" at <fail \"speaker.frr.enabled and frrk8s.enabled / external are mutually exclusive!\">: error calling fail: HELM_ERR_STARTspeaker.frr.enabled and frrk8s.enabled / external are mutually exclusive!HELM_ERR_END"
    );
}

fn read_yaml(path: &Path) -> kyaml::Value {
    kyaml::parse_one(&std::fs::read_to_string(path).unwrap(), Dialect::Helm).unwrap()
}

/// Helm's coalescing of user values over chart defaults (maps merge, user wins, null deletes).
fn coalesce(base: &mut kyaml::Value, user: &kyaml::Value) {
    match (base, user) {
        (kyaml::Value::Map(b), kyaml::Value::Map(u)) => {
            for (k, v) in u {
                if v.is_null() {
                    b.shift_remove(k);
                } else if let Some(existing) = b.get_mut(k)
                    && existing.as_map().is_some()
                    && v.as_map().is_some()
                {
                    coalesce(existing, v);
                } else {
                    b.insert(k.clone(), v.clone());
                }
            }
        }
        (b, u) => *b = u.clone(),
    }
}

/// metallb's own templates (its subcharts need Helm's value scoping, tested by `helm`).
#[test]
fn metallb_templates_render_as_helm_does() {
    check_chart(
        "metallb-0.16.1",
        "metallb",
        "metallb-system",
        "expected-default-own-templates.yaml",
        None,
    );
}

fn check_chart(
    fixture: &str,
    chart_name: &str,
    namespace: &str,
    expected_file: &str,
    user_values: Option<&str>,
) {
    let dir = fixtures().join(fixture);
    let mut values = read_yaml(&dir.join("values.yaml"));
    if let Some(u) = user_values {
        coalesce(&mut values, &read_yaml(&dir.join(u)));
    }
    let chart_yaml = kyaml::parse_one(
        &std::fs::read_to_string(dir.join("Chart.yaml")).unwrap(),
        Dialect::Helm,
    )
    .unwrap();
    let GoValue::Map(meta) = govalue::from_yaml(&chart_yaml) else {
        panic!("Chart.yaml is not a map")
    };
    let chart = GoValue::object(Chart(meta.borrow().clone()));
    let release = map(&[
        ("Name", GoValue::from(chart_name)),
        ("Namespace", GoValue::from(namespace)),
        ("Service", GoValue::from("Helm")),
        ("IsInstall", GoValue::Bool(true)),
        ("IsUpgrade", GoValue::Bool(false)),
        ("Revision", GoValue::Int(1)),
    ]);
    let values = govalue::from_yaml_as_json(&values);

    let mut set = helm_set();
    let files = template_files(&dir);
    for (name, text) in &files {
        set.add(&format!("{chart_name}/{name}"), text).unwrap();
    }

    // Expected documents per source file, from helm template's output.
    let expected = std::fs::read_to_string(dir.join(expected_file)).unwrap();
    let mut want: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for block in expected.split("---\n# Source: ").skip(1) {
        let (src, body) = block.split_once('\n').unwrap();
        want.entry(src.to_string())
            .or_default()
            .push(body.trim_end().to_string());
    }

    let mut got: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, _) in &files {
        let full = format!("{chart_name}/{name}");
        if Path::new(name)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with('_')
            || !name.ends_with(".yaml")
            || name.starts_with("charts/")
        {
            continue;
        }
        let data = map(&[
            ("Values", values.clone()),
            ("Chart", chart.clone()),
            ("Release", release.clone()),
            ("Capabilities", GoValue::object(Capabilities)),
            (
                "Template",
                map(&[
                    ("Name", GoValue::from(full.as_str())),
                    ("BasePath", GoValue::from(format!("{chart_name}/templates"))),
                ]),
            ),
        ]);
        let out = set
            .execute(&full, &data, &ExecOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let out = out.replace("<no value>", "");
        for d in documents(&out) {
            got.entry(full.clone()).or_default().push(d);
        }
    }
    // Helm reorders documents by kind (install order); compare each file's documents sorted.
    for docs in want.values_mut().chain(got.values_mut()) {
        docs.sort();
    }
    for (src, docs) in &want {
        let mine = got.get(src).cloned().unwrap_or_default();
        assert_eq!(mine.len(), docs.len(), "{src}: number of documents");
        for (i, d) in docs.iter().enumerate() {
            let m = mine.get(i).map(String::as_str).unwrap_or("<missing>");
            if m != d {
                let line = d
                    .lines()
                    .zip(m.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                panic!(
                    "{expected_file}: {src} document {i} differs at line {line}:\n--- helm\n{}\n--- ours\n{}",
                    d.lines()
                        .skip(line.saturating_sub(2))
                        .take(6)
                        .collect::<Vec<_>>()
                        .join("\n"),
                    m.lines()
                        .skip(line.saturating_sub(2))
                        .take(6)
                        .collect::<Vec<_>>()
                        .join("\n")
                );
            }
        }
    }
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
}

/// Bad input never panics: every prefix (cut every 61 bytes) of every corpus template either
/// fails to parse with an error or executes (with empty data) to output or an error.
#[test]
fn truncated_templates_fail_cleanly() {
    let mut tried = 0;
    for chart in ["ingress-nginx-4.15.1", "metallb-0.16.1"] {
        for (name, text) in template_files(&fixtures().join(chart)) {
            let mut cut = 0;
            while cut < text.len() {
                cut = (cut + 61).min(text.len());
                while !text.is_char_boundary(cut) {
                    cut += 1;
                }
                let mut set = helm_set();
                if set.add(&name, &text[..cut]).is_ok() {
                    let _ = set.execute(&name, &GoValue::new_map(), &ExecOptions::default());
                }
                tried += 1;
            }
        }
    }
    assert!(tried > 1000);
}

// ---- Sprig crypto, date and URL functions ----
