//! kustomize's own end-to-end tests (`api/krusty` at kustomize/v5.5.0) as data: every fixture
//! under `tests/krusty/<case>/` (written by `tools/krusty/import.py`) is built with
//! [`kustomize::build`] and compared byte for byte with what `kubectl kustomize` v5.5.0 printed
//! (`expected.yaml`); where kubectl failed (`expected-error.txt`) the build must fail too, with
//! a message naming the same problem (the phrase listed for the case in `krusty-errors.txt`).
//!
//! Every case is expected to be `identical` (kubectl builds), `rejected-ok` (kubectl fails) or
//! `excluded` (exec/Go plugins, network, no reference); `krusty-known.txt` lists the cases
//! whose status is something else, each with its reason. A regression or a new unexplained
//! difference fails the test. `KRUSTY_BLESS=1` rewrites `krusty-known.txt` (keeping reasons),
//! `KRUSTY_VERBOSE=1` prints every case that is not identical, `KRUSTY_DIR` points at another
//! fixture tree.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kustomize::{BuildOptions, KustomizeError, LoadRestrictor};

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

fn fixture_dir() -> PathBuf {
    match std::env::var_os("KRUSTY_DIR") {
        Some(d) => PathBuf::from(d),
        None => tests_dir().join("krusty"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    /// kubectl builds it; our output is byte-identical.
    Identical,
    /// kubectl builds it; we build something else.
    Differs,
    /// kubectl rejects it; so do we.
    RejectedOk,
    /// kubectl rejects it; we build it.
    AcceptsInvalid,
    /// kubectl builds it; we fail.
    Refused,
    /// Not run: exec/Go plugins, network, or no kubectl reference.
    Excluded,
}

const STATUSES: [Status; 6] = [
    Status::Identical,
    Status::Differs,
    Status::RejectedOk,
    Status::AcceptsInvalid,
    Status::Refused,
    Status::Excluded,
];

impl Status {
    fn name(self) -> &'static str {
        match self {
            Status::Identical => "identical",
            Status::Differs => "differs",
            Status::RejectedOk => "rejected-ok",
            Status::AcceptsInvalid => "accepts-invalid",
            Status::Refused => "refused",
            Status::Excluded => "excluded",
        }
    }

    fn parse(s: &str) -> Option<Status> {
        STATUSES.into_iter().find(|x| x.name() == s)
    }
}

struct Case {
    name: String,
    /// What the case should come out as unless `krusty-known.txt` says otherwise.
    default: Status,
    status: Status,
    detail: String,
}

fn build(build_dir: &Path, opts: &BuildOptions) -> Result<String, KustomizeError> {
    let out = kustomize::build(build_dir, opts)?;
    // A build kustomize would fail (a patch without a target, a failing JSON patch
    // operation) counts as rejected.
    if let Some(f) = out.findings.iter().find(|f| f.fatal) {
        return Err(KustomizeError::at(
            Path::new(&f.file),
            f.pos.map(|p| p.line),
            f.message.clone(),
        ));
    }
    Ok(kustomize::render(&out))
}

fn run_case(dir: &Path) -> Case {
    let name = dir
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let text = std::fs::read_to_string(dir.join("case.json")).expect("case.json is readable");
    let meta: serde_json::Value = serde_json::from_str(&text).expect("case.json is JSON");
    let category = meta["category"].as_str().unwrap_or("");
    let kubectl = meta["kubectl"].as_str().unwrap_or("");
    if category != "ok" || kubectl == "not-run" {
        let why = if kubectl == "not-run" && category == "ok" {
            "no kubectl reference (Helm charts: see the app's tests)".to_string()
        } else {
            format!("{category}: {}", meta["reason"].as_str().unwrap_or(""))
        };
        return Case {
            name,
            default: Status::Excluded,
            status: Status::Excluded,
            detail: why,
        };
    }
    let o = &meta["options"];
    let opts = BuildOptions {
        load_restrictor: if o["load_restrictor"].as_str() == Some("LoadRestrictionsNone") {
            LoadRestrictor::None
        } else {
            LoadRestrictor::RootOnly
        },
        enable_helm: o["enable_helm"].as_bool().unwrap_or(false),
        display_base: Some(dir.join("input")),
        ..Default::default()
    };
    let build_dir = dir.join("input").join(meta["dir"].as_str().unwrap_or("."));
    let result =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build(&build_dir, &opts)))
            .unwrap_or_else(|_| Err(KustomizeError::at(&build_dir, None, "the build panicked")))
            .map_err(|e| e.to_string());
    let expected = std::fs::read_to_string(dir.join("expected.yaml")).ok();
    let default = if expected.is_some() {
        Status::Identical
    } else {
        Status::RejectedOk
    };
    let (status, detail) = match (expected, result) {
        (Some(want), Ok(got)) if want == got => (Status::Identical, String::new()),
        (Some(want), Ok(got)) => {
            let line = got
                .lines()
                .zip(want.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| got.lines().count().min(want.lines().count()));
            let detail = format!(
                "line {}: got {:?} want {:?}",
                line + 1,
                got.lines().nth(line).unwrap_or("<end>"),
                want.lines().nth(line).unwrap_or("<end>")
            );
            (Status::Differs, detail)
        }
        (Some(_), Err(e)) => (Status::Refused, e),
        (None, Ok(_)) => (
            Status::AcceptsInvalid,
            std::fs::read_to_string(dir.join("expected-error.txt")).unwrap_or_default(),
        ),
        (None, Err(e)) => (Status::RejectedOk, e),
    };
    Case {
        name,
        default,
        status,
        detail,
    }
}

/// `CASE STATUS reason...` per line; `#` comments.
fn read_known(path: &Path) -> BTreeMap<String, (Status, String)> {
    let mut out = BTreeMap::new();
    for line in std::fs::read_to_string(path).unwrap_or_default().lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(3, ' ');
        let (Some(case), Some(status)) = (parts.next(), parts.next()) else {
            continue;
        };
        if let Some(s) = Status::parse(status) {
            out.insert(
                case.to_string(),
                (s, parts.next().unwrap_or("").trim().to_string()),
            );
        }
    }
    out
}

/// `CASE<TAB>phrase` per line: a rejected case's error must contain the phrase.
fn read_errors(path: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .map(|(c, p)| (c.to_string(), p.to_string()))
        .collect()
}

#[test]
fn krusty_cases_match_kubectl_kustomize() {
    let root = fixture_dir();
    let Ok(entries) = std::fs::read_dir(&root) else {
        println!("no fixtures at {}", root.display());
        return;
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("case.json").is_file())
        .collect();
    dirs.sort();
    let cases: Vec<Case> = dirs.iter().map(|d| run_case(d)).collect();
    let known_file = tests_dir().join("krusty-known.txt");
    let known = read_known(&known_file);
    let errors = read_errors(&tests_dir().join("krusty-errors.txt"));

    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &cases {
        *counts.entry(c.status.name()).or_default() += 1;
    }
    println!("krusty cases: {counts:?}");
    if std::env::var_os("KRUSTY_VERBOSE").is_some() {
        for c in cases.iter().filter(|c| c.status != Status::Identical) {
            println!(
                "{} {} {}",
                c.name,
                c.status.name(),
                c.detail.replace('\n', " | ")
            );
        }
    }
    if std::env::var_os("KRUSTY_BLESS").is_some() {
        let mut text = String::from(
            "# krusty cases whose status is not the default (identical where kubectl builds,\n\
             # rejected-ok where it fails, excluded where it was not run), with the reason.\n\
             # Checked by tests/krusty.rs; KRUSTY_BLESS=1 rewrites the statuses.\n",
        );
        for c in cases.iter().filter(|c| c.status != c.default) {
            let reason = known.get(&c.name).map_or("", |(_, r)| r.as_str());
            text.push_str(format!("{} {} {reason}", c.name, c.status.name()).trim_end());
            text.push('\n');
        }
        std::fs::write(&known_file, text).expect("krusty-known.txt is writable");
        return;
    }
    let mut failures = Vec::new();
    for c in &cases {
        let want = known.get(&c.name).map_or(c.default, |(s, _)| *s);
        if want != c.status {
            failures.push(format!(
                "{}: expected {}, got {}: {}",
                c.name,
                want.name(),
                c.status.name(),
                c.detail
            ));
        }
        if c.status == Status::RejectedOk && c.default == Status::RejectedOk {
            match errors.get(&c.name) {
                Some(phrase) if c.detail.to_lowercase().contains(&phrase.to_lowercase()) => {}
                Some(phrase) => failures.push(format!(
                    "{}: rejected, but the error does not name the problem ({phrase:?}): {}",
                    c.name, c.detail
                )),
                None => failures.push(format!(
                    "{}: rejected, but krusty-errors.txt has no phrase for it: {}",
                    c.name, c.detail
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
