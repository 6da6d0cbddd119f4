//! kustomize's own end-to-end tests (`api/krusty` at kustomize/v5.5.0) as data: every fixture
//! under `tests/krusty/<case>/` (written by `tools/krusty/import.py`) is built with
//! [`kustomize::build`] and compared byte for byte with what `kubectl kustomize` v5.5.0 printed
//! (`expected.yaml`), or, where kubectl failed (`expected-error.txt`), checked to fail too.
//!
//! The status of every case is committed in `tests/krusty/status.txt` (one line per case:
//! name, status, and for anything but `identical`/`rejected-ok`/`excluded` a reason), so a
//! regression or a new unexplained difference fails the test. `KRUSTY_BLESS=1` rewrites the
//! statuses (keeping reasons); `KRUSTY_DIR` points at another fixture tree.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kustomize::{BuildOptions, LoadRestrictor};

fn fixture_dir() -> PathBuf {
    match std::env::var_os("KRUSTY_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/krusty"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
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
        [
            Status::Identical,
            Status::Differs,
            Status::RejectedOk,
            Status::AcceptsInvalid,
            Status::Refused,
            Status::Excluded,
        ]
        .into_iter()
        .find(|x| x.name() == s)
    }
}

struct Outcome {
    status: Status,
    detail: String,
}

fn run_case(dir: &Path) -> Outcome {
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("case.json")).unwrap()).unwrap();
    let category = meta["category"].as_str().unwrap_or("");
    let kubectl = meta["kubectl"].as_str().unwrap_or("");
    if category != "ok" || kubectl == "not-run" {
        return Outcome {
            status: Status::Excluded,
            detail: format!("{category}: {}", meta["reason"].as_str().unwrap_or("")),
        };
    }
    let o = &meta["options"];
    let opts = BuildOptions {
        load_restrictor: if o["load_restrictor"].as_str() == Some("LoadRestrictionsNone") {
            LoadRestrictor::None
        } else {
            LoadRestrictor::RootOnly
        },
        // kubectl has no flag for it, so its output is without the label.
        add_managed_by_label: false,
        enable_helm: o["enable_helm"].as_bool().unwrap_or(false),
        display_base: Some(dir.join("input")),
        ..Default::default()
    };
    let build_dir = dir.join("input").join(meta["dir"].as_str().unwrap_or("."));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        kustomize::build(&build_dir, &opts).and_then(|out| {
            // A build kustomize would fail (a patch without target, a failing JSON patch
            // operation) counts as rejected.
            match out.findings.iter().find(|f| f.fatal) {
                Some(f) => Err(kustomize::KustomizeError::at(
                    std::path::Path::new(&f.file),
                    f.pos.map(|p| p.line),
                    f.message.clone(),
                )),
                None => Ok(kustomize::render(&out)),
            }
        })
    }));
    let result = match result {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(_) => Err("panic".to_string()),
    };
    let expected = std::fs::read_to_string(dir.join("expected.yaml")).ok();
    match (expected, result) {
        (Some(want), Ok(got)) if want == got => Outcome {
            status: Status::Identical,
            detail: String::new(),
        },
        (Some(want), Ok(got)) => {
            let line = got
                .lines()
                .zip(want.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| got.lines().count().min(want.lines().count()));
            Outcome {
                status: Status::Differs,
                detail: format!(
                    "line {}: got {:?} want {:?}",
                    line + 1,
                    got.lines().nth(line).unwrap_or("<end>"),
                    want.lines().nth(line).unwrap_or("<end>")
                ),
            }
        }
        (Some(_), Err(e)) => Outcome {
            status: Status::Refused,
            detail: e,
        },
        (None, Ok(_)) => Outcome {
            status: Status::AcceptsInvalid,
            detail: std::fs::read_to_string(dir.join("expected-error.txt")).unwrap_or_default(),
        },
        (None, Err(e)) => Outcome {
            status: Status::RejectedOk,
            detail: e,
        },
    }
}

/// `status.txt`: `CASE STATUS [reason...]` per line; `#` comments.
fn read_status(path: &Path) -> BTreeMap<String, (Status, String)> {
    let mut out = BTreeMap::new();
    let Ok(text) = std::fs::read_to_string(path) else {
        return out;
    };
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(3, ' ');
        let (Some(case), Some(status)) = (parts.next(), parts.next()) else {
            continue;
        };
        let reason = parts.next().unwrap_or("").trim().to_string();
        if let Some(s) = Status::parse(status) {
            out.insert(case.to_string(), (s, reason));
        }
    }
    out
}

#[test]
fn krusty_cases_match_kubectl_kustomize() {
    let root = fixture_dir();
    let Ok(entries) = std::fs::read_dir(&root) else {
        println!("no fixtures at {}", root.display());
        return;
    };
    let mut cases: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("case.json").is_file())
        .collect();
    cases.sort();
    let status_file = root.join("status.txt");
    let known = read_status(&status_file);
    let mut results: BTreeMap<String, Outcome> = BTreeMap::new();
    for dir in &cases {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        results.insert(name, run_case(dir));
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for o in results.values() {
        *counts.entry(o.status.name()).or_default() += 1;
    }
    println!("{counts:?}");
    if std::env::var_os("KRUSTY_VERBOSE").is_some() {
        for (name, o) in &results {
            if !matches!(o.status, Status::Identical | Status::Excluded) {
                println!(
                    "{name} {} {}",
                    o.status.name(),
                    o.detail.replace('\n', " | ")
                );
            }
        }
    }
    if std::env::var_os("KRUSTY_BLESS").is_some() {
        let mut text = String::from(
            "# Status of every krusty case (see tests/krusty.rs). Regenerate statuses with\n\
             # KRUSTY_BLESS=1 cargo test -p kustomize --test krusty; reasons are kept.\n",
        );
        for (name, o) in &results {
            let reason = known.get(name).map(|(_, r)| r.as_str()).unwrap_or("");
            let line = format!("{name} {} {reason}", o.status.name());
            text.push_str(line.trim_end());
            text.push('\n');
        }
        std::fs::write(&status_file, text).unwrap();
        return;
    }
    let mut failures = Vec::new();
    for (name, o) in &results {
        let want = known.get(name).map(|(s, _)| *s).unwrap_or(match o.status {
            Status::Excluded => Status::Excluded,
            _ => Status::Identical,
        });
        let ok = want == o.status || (want == Status::Identical && o.status == Status::RejectedOk);
        if !ok {
            failures.push(format!(
                "{name}: expected {}, got {}: {}",
                want.name(),
                o.status.name(),
                o.detail
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
