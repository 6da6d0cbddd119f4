//! Integration tests of the template engine on real chart templates (copied from the corpus
//! into tests/fixtures/template/): every template must parse, and ingress-nginx's templates
//! rendered with its default values must give the documents `helm template` v3.16.4 printed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use vendor::template::{ExecOptions, GoObject, GoValue, Templates};
use vendor::yaml::{self, Dialect};

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
            let name = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(e.path()).unwrap())
        })
        .collect();
    v.sort();
    v
}

#[test]
fn every_corpus_template_parses() {
    let mut count = 0;
    for chart in ["ingress-nginx-4.15.1", "metallb-0.16.1", "helm-golden"] {
        let dir = fixtures().join(chart);
        let mut set = Templates::new();
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
        Some(self.0.get(&key).cloned().unwrap_or_else(|| GoValue::from("")))
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
    fn method(&self, name: &str, args: &[GoValue]) -> Option<Result<GoValue, String>> {
        (name == "Has").then(|| {
            let known = ["v1", "apps/v1", "policy/v1", "networking.k8s.io/v1", "autoscaling/v2", "batch/v1"];
            Ok(GoValue::Bool(args.first().and_then(GoValue::as_str).is_some_and(|a| known.contains(&a))))
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
    GoValue::from(entries.iter().map(|(k, v)| (k.to_string(), v.clone())).collect::<BTreeMap<_, _>>())
}

/// Helm's releaseutil.SplitManifests + `# Source:` printing, per file.
fn documents(rendered: &str) -> Vec<String> {
    let sep = regex::Regex::new(r"(?:^|\s*\n)---\s*").unwrap();
    sep.split(rendered.trim()).filter(|d| !d.is_empty()).map(|d| d.trim().to_string()).filter(|d| !d.is_empty()).collect()
}

#[test]
fn ingress_nginx_templates_render_as_helm_does() {
    let dir = fixtures().join("ingress-nginx-4.15.1");
    let values = yaml::parse_one(&std::fs::read_to_string(dir.join("values.yaml")).unwrap(), Dialect::Helm).unwrap();
    let chart_yaml = yaml::parse_one(&std::fs::read_to_string(dir.join("Chart.yaml")).unwrap(), Dialect::Helm).unwrap();
    let GoValue::Map(meta) = GoValue::from_yaml(&chart_yaml) else { panic!("Chart.yaml is not a map") };
    let chart = GoValue::object(Chart(meta.borrow().clone()));
    let release = map(&[
        ("Name", GoValue::from("ingress-nginx")),
        ("Namespace", GoValue::from("ingress-nginx")),
        ("Service", GoValue::from("Helm")),
        ("IsInstall", GoValue::Bool(true)),
        ("IsUpgrade", GoValue::Bool(false)),
        ("Revision", GoValue::Int(1)),
    ]);
    let values = GoValue::from_yaml_as_json(&values);

    let mut set = Templates::new();
    let files = template_files(&dir);
    for (name, text) in &files {
        set.add(&format!("ingress-nginx/{name}"), text).unwrap();
    }

    // Expected documents per source file, from helm template's output.
    let expected = std::fs::read_to_string(dir.join("expected-default.yaml")).unwrap();
    let mut want: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for block in expected.split("---\n# Source: ").skip(1) {
        let (src, body) = block.split_once('\n').unwrap();
        want.entry(src.to_string()).or_default().push(body.trim_end().to_string());
    }

    let mut got: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, _) in &files {
        let full = format!("ingress-nginx/{name}");
        if Path::new(name).file_name().unwrap().to_string_lossy().starts_with('_') || !name.ends_with(".yaml") {
            continue;
        }
        let data = map(&[
            ("Values", values.clone()),
            ("Chart", chart.clone()),
            ("Release", release.clone()),
            ("Capabilities", GoValue::object(Capabilities)),
            ("Template", map(&[("Name", GoValue::from(full.as_str())), ("BasePath", GoValue::from("ingress-nginx/templates"))])),
        ]);
        let out = set.execute(&full, &data, &ExecOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let out = out.replace("<no value>", "");
        for d in documents(&out) {
            got.entry(full.clone()).or_default().push(d);
        }
    }
    for (src, docs) in &want {
        let mine = got.get(src).cloned().unwrap_or_default();
        for (i, d) in docs.iter().enumerate() {
            let m = mine.get(i).map(String::as_str).unwrap_or("<missing>");
            if m != d {
                let line = d.lines().zip(m.lines()).position(|(a, b)| a != b).unwrap_or(0);
                panic!("{src} document {i} differs at line {line}:\n--- helm\n{}\n--- ours\n{}", d.lines().skip(line.saturating_sub(2)).take(6).collect::<Vec<_>>().join("\n"), m.lines().skip(line.saturating_sub(2)).take(6).collect::<Vec<_>>().join("\n"));
            }
        }
    }
    assert_eq!(got.keys().collect::<Vec<_>>(), want.keys().collect::<Vec<_>>());
}
