//! Real charts against recorded `helm template` outputs, in Helm 3 and Helm 4 modes.
//!
//! The chart sources are committed as one deterministic archive per chart
//! (`real-charts/archives/*.tgz`, written by `tools/helm/pack_charts.py`; see
//! `real-charts/README.md` for sources, commits and licences). They are unpacked once into a
//! temporary `charts/` directory and every case of `real-charts/cases.json` runs there with
//! its recorded `helm template` flags, as `vendor template` would.
//!
//! Expectations (`tools/helm/make_cases.py`): `expected/` holds the oracle's output (Helm's Go
//! engine v4.2.3 framed as `helm template` v3.16 prints it); `edits.json.gz` holds, per mode
//! and case, line edits that turn that file into the mode's expected output where it differs
//! (`helm4`: the oracle's Helm 4 framing; `helm3`: the Helm 3.16 truth where Helm 3 and the
//! Helm 4 engine differ, each explained by the case's `helm3.note`). Stdout is compared when
//! the expected exit code is 0, else stderr; lines matching the case's `random_lines` are
//! replaced by `<random>` on both sides (runs folded into one) before comparing.
//!
//! `REAL_CHARTS=substring` restricts the run to matching case names.

// Test code: a panic is the failure report, and printing lists the differing cases.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use helm_render::HelmVersion;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/real-charts")
}

/// The unpacked charts directory (shared by the tests of this binary).
fn charts_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let mut archives: Vec<PathBuf> = std::fs::read_dir(root().join("archives"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "tgz"))
            .collect();
        archives.sort();
        assert!(!archives.is_empty(), "no chart archives");
        for a in archives {
            let bytes = std::fs::read(&a).unwrap();
            let files = safe_archive::read(&bytes, &safe_archive::Limits::default()).unwrap();
            for f in files.files {
                let path = tmp.path().join(&f.path);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, f.data).unwrap();
            }
        }
        tmp
    })
    .path()
}

fn gunzip(path: &Path) -> String {
    let mut s = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut s)
        .unwrap();
    s
}

fn cases() -> &'static Vec<Value> {
    static CASES: OnceLock<Vec<Value>> = OnceLock::new();
    CASES.get_or_init(|| {
        let text = std::fs::read_to_string(root().join("cases.json")).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        v["cases"].as_array().unwrap().clone()
    })
}

/// `edits.json.gz`: mode -> case name -> [[start, end, [lines]]...].
fn edits() -> &'static Value {
    static EDITS: OnceLock<Value> = OnceLock::new();
    EDITS.get_or_init(|| {
        let p = root().join("edits.json.gz");
        if p.exists() {
            serde_json::from_str(&gunzip(&p)).unwrap()
        } else {
            Value::Null
        }
    })
}

fn mode_key(helm: HelmVersion) -> &'static str {
    match helm {
        HelmVersion::V3 => "helm3",
        HelmVersion::V4 => "helm4",
    }
}

/// Applies line edits (ranges of the original's lines, in increasing order) to `text`.
fn apply_edits(text: &str, ops: &Value) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut at = 0usize;
    for op in ops.as_array().unwrap() {
        let (start, end) = (
            op[0].as_u64().unwrap() as usize,
            op[1].as_u64().unwrap() as usize,
        );
        out.extend(lines[at..start].iter().map(|s| (*s).to_string()));
        out.extend(
            op[2]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap().to_string()),
        );
        at = end;
    }
    out.extend(lines[at..].iter().map(|s| (*s).to_string()));
    out.join("\n")
}

/// The expected exit code and text of `case` in mode `helm`.
fn expectation(case: &Value, helm: HelmVersion) -> (u8, String) {
    let base = gunzip(&root().join(case["expected"].as_str().unwrap()));
    let spec = &case[mode_key(helm)];
    let code = spec["exit_code"]
        .as_u64()
        .or_else(|| case["exit_code"].as_u64())
        .unwrap() as u8;
    let name = case["name"].as_str().unwrap();
    let ops = &edits()[mode_key(helm)][name];
    let text = if ops.is_null() {
        base
    } else {
        apply_edits(&base, ops)
    };
    (code, text)
}

fn normalise(text: &str, rx: &[regex::Regex]) -> String {
    if rx.is_empty() {
        return text.to_string();
    }
    let mut out: Vec<&str> = Vec::new();
    for ln in text.split('\n') {
        if rx.iter().any(|r| r.is_match(ln)) {
            if out.last() == Some(&"<random>") {
                continue;
            }
            out.push("<random>");
        } else {
            out.push(ln);
        }
    }
    out.join("\n")
}

/// Runs one case; `Err` describes the difference.
fn run_case(case: &Value, helm: HelmVersion) -> Result<(), String> {
    let mut argv = vec![
        "template".to_string(),
        case["chart"].as_str().unwrap().to_string(),
    ];
    argv.extend(
        case["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string()),
    );
    let (want_code, want) = expectation(case, helm);
    let out = common::run(charts_dir(), &argv, helm);
    let got = if want_code == 0 {
        &out.stdout
    } else {
        &out.stderr
    };
    let rx: Vec<regex::Regex> = case["random_lines"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| regex::Regex::new(r.as_str().unwrap()).unwrap())
                .collect()
        })
        .unwrap_or_default();
    if out.exit_code != want_code {
        return Err(format!(
            "exit code {} (want {want_code}); stderr: {}",
            out.exit_code,
            out.stderr.chars().take(400).collect::<String>()
        ));
    }
    let (w, g) = (normalise(&want, &rx), normalise(got, &rx));
    if w != g {
        return Err(common::first_difference(&w, &g));
    }
    Ok(())
}

/// Runs every selected case in mode `helm` (two worker threads) and fails listing the
/// differing ones.
fn run_all(helm: HelmVersion) {
    let filter = std::env::var("REAL_CHARTS").unwrap_or_default();
    let selected: Vec<&Value> = cases()
        .iter()
        .filter(|c| c["name"].as_str().unwrap().contains(&filter))
        .collect();
    charts_dir();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: std::sync::Mutex<BTreeMap<String, Result<(), String>>> = Default::default();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(case) = selected.get(i) else { break };
                    let r = run_case(case, helm);
                    results
                        .lock()
                        .unwrap()
                        .insert(case["name"].as_str().unwrap().to_string(), r);
                }
            });
        }
    });
    let results = results.into_inner().unwrap();
    let mut per_chart: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (name, r) in &results {
        let chart = name.split('/').next().unwrap();
        let e = per_chart.entry(chart).or_default();
        e.0 += 1;
        if r.is_ok() {
            e.1 += 1;
        }
    }
    let failed: Vec<(&String, &String)> = results
        .iter()
        .filter_map(|(n, r)| r.as_ref().err().map(|e| (n, e)))
        .collect();
    println!(
        "Helm {helm} mode: {} of {} cases agree ({} charts)",
        results.len() - failed.len(),
        results.len(),
        per_chart.len()
    );
    for (chart, (n, ok)) in &per_chart {
        if ok != n {
            println!("  {chart}: {ok}/{n}");
        }
    }
    for (n, e) in &failed {
        println!("DIFF {n}: {e}");
    }
    assert!(
        failed.is_empty(),
        "{} cases differ in Helm {helm} mode",
        failed.len()
    );
}

#[test]
fn real_charts_helm3() {
    run_all(HelmVersion::V3);
}

#[test]
fn real_charts_helm4() {
    run_all(HelmVersion::V4);
}
