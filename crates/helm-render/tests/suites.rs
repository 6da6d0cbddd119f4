//! The peer suites (`tests/suites/*.json`: Sprig v3.3.0's, Go text/template's and Helm's engine
//! test tables, with Helm's own output as the expected result) run through [`helm_render::template`]
//! exactly as `tools/helm/extract_suites.py` wraps them for the oracle: a throwaway chart `suite`
//! whose `values.yaml` is `{"data": VALUES}` (written as Python's `json.dump` writes it), the case
//! template in `templates/_case.tpl` (inside `{{ define "case" }}` unless it defines templates
//! itself), and `templates/case.yaml` printing `out: {{ toJson (include ...) }}`.
//!
//! A case agrees when both succeed with the same `out` value, or both fail with the same message
//! (random cases: the same outcome). Cases that still differ must be listed, each with a reason,
//! in `tests/suites/known-differences.txt` (`SUITE<TAB>CASE NAME<TAB>REASON`): the test fails on
//! any unlisted difference (a regression or a new one) and on any listed case that now agrees
//! (so the list only shrinks). `SUITES_REPORT=1` prints every difference in full.

// Test code: a panic is the failure report, and printing explains the differences.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use helm_render::{RenderOptions, TemplateArgs};
use serde_json::Value;

const CHART_YAML: &str = "apiVersion: v2\nname: suite\nversion: 0.1.0\n";

fn suites_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/suites")
}

/// Python's `json.dump` (ensure_ascii): non-ASCII characters as `\uXXXX` escapes, characters
/// beyond the BMP as surrogate pairs. YAML reads the result as the same data.
fn python_json(v: &Value) -> String {
    let s = serde_json::to_string(v).unwrap();
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u16; 2];
            for u in c.encode_utf16(&mut buf) {
                write!(out, "\\u{u:04x}").unwrap();
            }
        }
    }
    out
}

fn write_case_chart(dir: &Path, tpl: &str, values: &Value) {
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(dir.join("Chart.yaml"), CHART_YAML).unwrap();
    let mut data = serde_json::Map::new();
    data.insert("data".into(), values.clone());
    std::fs::write(
        dir.join("values.yaml"),
        python_json(&Value::Object(data)) + "\n",
    )
    .unwrap();
    let raw = regex::Regex::new(r"\{\{-?\s*(define|block)\b")
        .unwrap()
        .is_match(tpl);
    let body = if raw {
        tpl.to_string()
    } else {
        format!("{{{{ define \"case\" }}}}{tpl}{{{{ end }}}}")
    };
    std::fs::write(dir.join("templates/_case.tpl"), body).unwrap();
    let target = if raw {
        "suite/templates/_case.tpl"
    } else {
        "case"
    };
    std::fs::write(
        dir.join("templates/case.yaml"),
        format!(
            "{{{{- $out := include \"{target}\" .Values.data }}}}\nout: {{{{ toJson $out }}}}\n"
        ),
    )
    .unwrap();
}

/// What the case rendered to: `Ok(out value)` or `Err(Helm's error text)`, as
/// `extract_suites.parse_template_output` reads `helm template`'s output.
fn run_case(work: &Path, tpl: &str, values: &Value) -> Result<Value, String> {
    let dir = work.join("suite");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    write_case_chart(&dir, tpl, values);
    let args = TemplateArgs {
        args: vec![dir.display().to_string()],
        name: Some("r".into()),
        ..TemplateArgs::default()
    };
    let opts = RenderOptions {
        kube_version: Some("1.31.0".into()),
        ..RenderOptions::default()
    };
    let out = helm_render::template(&args, &opts);
    if out.exit_code != 0 {
        let mut m = out.stderr.as_str();
        m = m.strip_prefix("Error: ").unwrap_or(m);
        let m = m.trim_end_matches('\n');
        let m = m
            .strip_suffix("\n\nUse --debug flag to render out invalid YAML")
            .unwrap_or(m);
        return Err(m.to_string());
    }
    let Some(i) = out.stdout.find("\nout: ") else {
        return Err(format!("no out: line in output: {:?}", out.stdout));
    };
    let js = out.stdout[i + "\nout: ".len()..].trim_end_matches('\n');
    serde_json::from_str(js).map_err(|_| format!("unparsable out: {js:?}"))
}

/// `suite -> case name -> reason`.
fn known_differences() -> BTreeMap<(String, String), String> {
    let text = std::fs::read_to_string(suites_dir().join("known-differences.txt")).unwrap();
    let mut m = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(3, '\t');
        let (Some(suite), Some(name), Some(reason)) = (parts.next(), parts.next(), parts.next())
        else {
            panic!(
                "known-differences.txt:{}: want SUITE<TAB>NAME<TAB>REASON",
                n + 1
            );
        };
        assert!(
            !reason.trim().is_empty(),
            "known-differences.txt:{}: a reason is required",
            n + 1
        );
        m.insert((suite.to_string(), name.to_string()), reason.to_string());
    }
    m
}

fn short(s: &str) -> String {
    if s.chars().count() > 400 {
        s.chars().take(400).collect::<String>() + "…"
    } else {
        s.to_string()
    }
}

#[test]
fn peer_suites_agree_with_helm() {
    let known = known_differences();
    let report = std::env::var_os("SUITES_REPORT").is_some();
    let work = tempfile::tempdir().unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let mut unexplained = Vec::new();
    let mut fixed = Vec::new();
    let mut summary = Vec::new();
    for file in ["go-text-template", "helm-engine", "sprig"] {
        let text = std::fs::read_to_string(suites_dir().join(format!("{file}.json"))).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let suite = doc["suite"].as_str().unwrap().to_string();
        let (mut agree, mut differ) = (0, 0);
        for case in doc["cases"].as_array().unwrap() {
            let name = case["name"].as_str().unwrap().to_string();
            let tpl = case["template"].as_str().unwrap();
            let random = case["random"].as_bool().unwrap_or(false);
            let got = run_case(work.path(), tpl, &case["values"]);
            let ok = match (&got, case.get("expected"), case.get("expected_error")) {
                (Ok(_), Some(_), _) if random => true,
                (Err(_), None, Some(_)) if random => true,
                (Ok(v), Some(want), _) => v == want,
                (Err(e), None, Some(want)) => want.as_str() == Some(e.as_str()),
                _ => false,
            };
            let key = (suite.clone(), name.clone());
            seen.insert(key.clone());
            if ok {
                agree += 1;
                if known.contains_key(&key) {
                    fixed.push(format!("{suite}\t{name}"));
                }
                continue;
            }
            differ += 1;
            let want = match (case.get("expected"), case.get("expected_error")) {
                (Some(v), _) => format!("ok {}", short(&v.to_string())),
                (_, Some(e)) => format!("error {}", short(e.as_str().unwrap_or(""))),
                _ => "?".into(),
            };
            let got = match &got {
                Ok(v) => format!("ok {}", short(&v.to_string())),
                Err(e) => format!("error {}", short(e)),
            };
            let detail = format!(
                "{suite}\t{name}\n  template: {tpl}\n  values: {}\n  want: {want}\n  got:  {got}",
                case["values"]
            );
            if report {
                println!("{detail}\n");
            }
            if !known.contains_key(&key) {
                unexplained.push(detail);
            }
        }
        summary.push(format!("{suite}: {agree} agree, {differ} differ"));
    }
    println!("{}", summary.join("\n"));
    let stale: Vec<String> = known
        .keys()
        .filter(|k| !seen.contains(*k))
        .map(|(s, n)| format!("{s}\t{n}"))
        .collect();
    let mut problems = String::new();
    if !unexplained.is_empty() {
        writeln!(
            problems,
            "{} differences not listed in tests/suites/known-differences.txt:\n\n{}",
            unexplained.len(),
            unexplained.join("\n\n")
        )
        .unwrap();
    }
    if !fixed.is_empty() {
        writeln!(
            problems,
            "\nlisted as known differences but now agreeing (remove them):\n{}",
            fixed.join("\n")
        )
        .unwrap();
    }
    if !stale.is_empty() {
        writeln!(
            problems,
            "\nlisted as known differences but no such case:\n{}",
            stale.join("\n")
        )
        .unwrap();
    }
    assert!(problems.is_empty(), "{problems}");
}
