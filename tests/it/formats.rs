//! Output formats and diff noise (issue 15, items 8 and 11): label-only churn of a chart bump
//! summarised in one line in every format of `vendor diff` (and `[diff] summarize-labels` to
//! change it), `--format json` for `images`, `sync` and `outdated`, formats refused where they
//! make no sense, and `images` as a table with a header on a terminal.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `vendor ARGS` in `dir` (see [`crate::common::run_vendor`]).
fn vendor(dir: &Path, args: &[&str]) -> (i32, String, String) {
    crate::common::run_vendor(dir, args, crate::common::NO_ENV)
}

fn real(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/helm-render/tests/fixtures/helm/real")
        .join(name)
}

/// The ingress-nginx chart 4.14.5 -> 4.15.1 as rendered by `helm template`: 18 objects
/// modified, 17 of them only in `helm.sh/chart` and `app.kubernetes.io/version`.
#[test]
fn label_only_churn_of_a_chart_bump_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (
        real("ingress-nginx-4.14.5-default.yaml"),
        real("ingress-nginx-4.15.1-default.yaml"),
    );
    let (old, new) = (old.to_str().unwrap(), new.to_str().unwrap());
    let line = "17 more resources changed only their labels `app.kubernetes.io/version`, `helm.sh/chart` (not listed one by one: `[diff] summarize-labels`)";

    let (code, out, err) = vendor(dir.path(), &["diff", old, new]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(": 18 modified (0 unchanged)\n"), "{out}");
    assert_eq!(
        out.matches("\n~ ").count(),
        2,
        "one resource and the line: {out}"
    );
    assert!(
        out.contains("~ Deployment/ingress-nginx/ingress-nginx-controller"),
        "{out}"
    );
    assert!(out.contains(&format!("~ {line}\n")), "{out}");

    let (_, md, _) = vendor(dir.path(), &["diff", old, new, "--format", "markdown"]);
    assert!(md.contains(line), "{md}");
    assert_eq!(md.matches("<details>").count(), 1, "{md}");
    let (_, gh, _) = vendor(dir.path(), &["diff", old, new, "--format", "github"]);
    assert!(
        gh.contains("::notice title=label churn::17 more resources"),
        "{gh}"
    );
    // JSON keeps every resource and names the summarised ones.
    let (_, json, _) = vendor(dir.path(), &["diff", old, new, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["resources"].as_array().unwrap().len(), 18);
    assert_eq!(
        json["label_churn"]["resources"].as_array().unwrap().len(),
        17
    );

    // --no-summarize-labels lists them.
    let (_, out, _) = vendor(dir.path(), &["diff", old, new, "--no-summarize-labels"]);
    assert_eq!(out.matches("\n~ ").count(), 18, "{out}");
    assert!(!out.contains("changed only"));

    // vendor.toml's [diff] sets the labels: with helm.sh/chart alone, nothing is label-only.
    std::fs::write(
        dir.path().join("vendor.toml"),
        "[diff]\nsummarize-labels = [\"helm.sh/chart\"]\n\n[manifest.a]\nurl = \"https://example.com/{version}/a.yaml\"\nversion = \"v1.0.0\"\n",
    )
    .unwrap();
    let (_, out, _) = vendor(dir.path(), &["diff", old, new]);
    assert_eq!(out.matches("\n~ ").count(), 18, "{out}");
    // `*` patterns: every app.kubernetes.io label and the chart label.
    std::fs::write(
        dir.path().join("vendor.toml"),
        "[diff]\nsummarize-labels = [\"helm.sh/chart\", \"app.kubernetes.io/*\"]\n\n[manifest.a]\nurl = \"https://example.com/{version}/a.yaml\"\nversion = \"v1.0.0\"\n",
    )
    .unwrap();
    let (_, out, _) = vendor(dir.path(), &["diff", old, new]);
    assert!(out.contains(&format!("~ {line}\n")), "{out}");
}

fn check_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/base");
    for e in walkdir::WalkDir::new(&from) {
        let e = e.unwrap();
        let target = dir.path().join(e.path().strip_prefix(&from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
    dir
}

/// `images`: JSON, tab-separated lines in a pipe, a table with a header on a terminal.
#[test]
fn images_as_json_lines_and_a_table() {
    let repo = check_repo();
    let (code, out, err) = vendor(repo.path(), &["--format", "json", "images"]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = json.as_array().unwrap();
    assert!(rows.iter().any(|r| r["entry"] == "app"
        && r["image"] == "quay.io/example/web:v1.0.0"
        && r["container"] == "web"
        && r["violations"] == serde_json::json!([])));

    let (code, out, _) = vendor(repo.path(), &["images", "app"]);
    assert_eq!(code, 0);
    let first = out.lines().next().unwrap();
    assert_eq!(
        first.split('\t').count(),
        5,
        "tab-separated in a pipe: {out}"
    );
    assert!(!out.contains("ENTRY"), "no header in a pipe: {out}");

    if Command::new("script").arg("--version").output().is_err() {
        println!("script(1) not installed: the terminal table is not checked");
        return;
    }
    let o = Command::new("script")
        .args([
            "-qec",
            &format!("{} images app", env!("CARGO_BIN_EXE_vendor")),
            "/dev/null",
        ])
        .current_dir(repo.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).replace("\r\n", "\n");
    let mut lines = out.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("ENTRY  IMAGE"), "{out:?}");
    assert!(
        header.contains("VERDICT") && header.contains("LOCATION") && header.contains("RESOURCE")
    );
    let web = lines
        .find(|l| l.contains("quay.io/example/web:v1.0.0"))
        .unwrap();
    // Columns line up under the header.
    assert_eq!(web.find("ok"), header.find("VERDICT"), "{out}");
    assert!(
        out.ends_with("3 image references, 0 with a policy violation\n"),
        "{out:?}"
    );
}

/// A format a command does not support is refused before anything runs, naming the ones it
/// supports.
#[test]
fn unsupported_formats_are_refused() {
    let repo = check_repo();
    for (args, supported) in [
        (
            &["--format", "sarif", "images"][..],
            "use --format human, json",
        ),
        (
            &["--format", "markdown", "sync"][..],
            "use --format human, json",
        ),
        (
            &["--format", "github", "outdated"][..],
            "use --format human, json",
        ),
        (
            &["--format", "sarif", "update"][..],
            "use --format human, json, markdown",
        ),
        (
            &["--format", "json", "build", "patches/metallb"][..],
            "use --format human",
        ),
    ] {
        let (code, out, err) = vendor(repo.path(), args);
        assert_eq!(code, 2, "{args:?}");
        assert_eq!(out, "", "{args:?}");
        assert!(err.contains("does not support --format"), "{args:?}: {err}");
        assert!(err.contains(supported), "{args:?}: {err}");
    }
}
