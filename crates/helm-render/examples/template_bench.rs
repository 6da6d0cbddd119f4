//! Times the template engine on ingress-nginx 4.15.1 (parse every template, then render every
//! non-partial one with the chart's default values). Run by `bench/template-engine.sh`.

// A developer tool run by hand: it prints, and it may stop on bad input with a panic.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use gotemplate::{ExecOptions, FuncError, GoObject, GoValue, Templates};
use helm_render::govalue;
use kyaml::Dialect;

struct ApiVersions;
impl GoObject for ApiVersions {
    fn type_name(&self) -> &str {
        "chartutil.VersionSet"
    }
    fn has_method(&self, name: &str) -> bool {
        name == "Has"
    }
    fn method(&self, _name: &str, args: &[GoValue]) -> Option<Result<GoValue, FuncError>> {
        Some(Ok(GoValue::Bool(
            args.first().and_then(GoValue::as_str) == Some("policy/v1"),
        )))
    }
}

fn map(entries: Vec<(&str, GoValue)>) -> GoValue {
    GoValue::from(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<BTreeMap<_, _>>(),
    )
}

fn main() {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/template/ingress-nginx-4.15.1");
    let iterations: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir.join("templates"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .map(|e| {
            (
                format!(
                    "ingress-nginx/templates/{}",
                    e.file_name().to_string_lossy()
                ),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    let values_src = std::fs::read_to_string(dir.join("values.yaml")).unwrap();
    let chart_src = std::fs::read_to_string(dir.join("Chart.yaml")).unwrap();

    let mut parse_total = 0.0;
    let mut render_total = 0.0;
    let mut tparse_total = 0.0;
    let mut bytes = 0;
    for _ in 0..iterations {
        let t0 = Instant::now();
        let values =
            govalue::from_yaml_as_json(&kyaml::parse_one(&values_src, Dialect::Helm).unwrap());
        let chart = kyaml::parse_one(&chart_src, Dialect::Helm).unwrap();
        let mut chart_fields = BTreeMap::new();
        for (k, v) in chart.as_map().unwrap() {
            let mut c = k.chars();
            let key = c.next().unwrap().to_uppercase().collect::<String>() + c.as_str();
            chart_fields.insert(key, govalue::from_yaml(v));
        }
        let tp = Instant::now();
        let mut set = Templates::named("gotpl", helm_render::funcs::function_map());
        for (name, text) in &files {
            set.add(name, text).unwrap();
        }
        let t1 = Instant::now();
        tparse_total += (t1 - tp).as_secs_f64();
        let caps = map(vec![
            (
                "KubeVersion",
                map(vec![
                    ("Version", GoValue::from("v1.31.0")),
                    ("Major", GoValue::from("1")),
                    ("Minor", GoValue::from("31")),
                ]),
            ),
            ("APIVersions", GoValue::object(ApiVersions)),
        ]);
        let release = map(vec![
            ("Name", GoValue::from("ingress-nginx")),
            ("Namespace", GoValue::from("ingress-nginx")),
            ("Service", GoValue::from("Helm")),
        ]);
        bytes = 0;
        for (name, _) in &files {
            if name.contains("/_") || !name.ends_with(".yaml") {
                continue;
            }
            let data = map(vec![
                ("Values", values.clone()),
                ("Chart", GoValue::from(chart_fields.clone())),
                ("Release", release.clone()),
                ("Capabilities", caps.clone()),
                (
                    "Template",
                    map(vec![
                        ("Name", GoValue::from(name.as_str())),
                        ("BasePath", GoValue::from("ingress-nginx/templates")),
                    ]),
                ),
            ]);
            bytes += set
                .execute(name, &data, &ExecOptions::default())
                .unwrap()
                .len();
        }
        let t2 = Instant::now();
        parse_total += (t1 - t0).as_secs_f64();
        render_total += (t2 - t1).as_secs_f64();
    }
    let n = iterations as f64;
    println!(
        "ingress-nginx 4.15.1: {} template files, {bytes} bytes rendered",
        files.len()
    );
    println!(
        "  parse (values + templates): {:.3} ms/iteration",
        parse_total / n * 1e3
    );
    println!(
        "  of which templates only:    {:.3} ms/iteration",
        tparse_total / n * 1e3
    );
    println!(
        "  render (all templates):     {:.3} ms/iteration",
        render_total / n * 1e3
    );
    println!(
        "  total:                      {:.3} ms/iteration ({iterations} iterations)",
        (parse_total + render_total) / n * 1e3
    );
}
