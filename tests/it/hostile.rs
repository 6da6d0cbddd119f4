//! Hostile upstream content through the real binary (issue 11, items 12 to 14): upstream text that
//! would drive a terminal or issue GitHub Actions workflow commands, malformed image references
//! that would pass as pinned, and Secret values that would leak into diffs and PR bodies.

use std::path::Path;
use std::process::Command;

/// Runs `vendor ARGS` in `dir`; returns (exit code, stdout, stderr).
fn vendor(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vendor"));
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Characters that must never reach a terminal or a log raw (a newline and a tab may: they are
/// the printers' own).
fn is_hidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{200b}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}'
        )
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// Asserts that `text` can be printed on a terminal and in a GitHub Actions log without effect:
/// no control or invisible character, no line the runner reads as a workflow command (`::` first
/// after blanks, or the legacy `##[` anywhere).
#[track_caller]
fn assert_inert(what: &str, text: &str) {
    if let Some(c) = text.chars().find(|&c| is_hidden(c)) {
        panic!("{what}: raw U+{:04X} in\n{text}", c as u32);
    }
    for line in text.lines() {
        assert!(
            !line.trim_start().starts_with("::"),
            "{what}: a workflow command line: {line:?}\n{text}"
        );
        assert!(
            !line.contains("##["),
            "{what}: a legacy workflow command: {line:?}\n{text}"
        );
    }
}

/// Asserts that every line of `--format github` output is one of the tool's own workflow
/// commands (or the closing summary), with nothing raw in it.
#[track_caller]
fn assert_github_commands(text: &str) {
    if let Some(c) = text.chars().find(|&c| is_hidden(c)) {
        panic!("github: raw U+{:04X} in\n{text}", c as u32);
    }
    let lines: Vec<&str> = text.lines().collect();
    for line in &lines[..lines.len() - 1] {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice "),
            "not one of ours: {line:?}"
        );
        // One command per line: `::` twice (command and data separator), the properties escaped.
        let (props, _) = line[2..].split_once("::").unwrap();
        assert!(!props.contains(':'), "unescaped property: {line:?}");
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let target = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// A copy of `tests/fixtures/check/base` with `upstream/app/app.yaml` edited by `edits`.
fn check_repo(edits: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/base");
    copy_dir(&base, dir.path());
    let file = dir.path().join("upstream/app/app.yaml");
    let mut text = std::fs::read_to_string(&file).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "app.yaml does not contain {from:?}");
        text = text.replacen(from, to, 1);
    }
    std::fs::write(&file, text).unwrap();
    dir
}

/// Upstream that names its workload `web<ESC>[2J<LF>::set-env ...`, its image `::set-env ...`,
/// and a container `clean<CR>up ##[stop-commands]`.
fn hostile_check_repo() -> tempfile::TempDir {
    check_repo(&[
        (
            "  name: web\n  namespace: app",
            "  name: \"web\\e[2J\\n::set-env name=Y::z\"\n  namespace: app",
        ),
        (
            "image: quay.io/example/web:v1.0.0",
            "image: \"::set-env name=X::y\"",
        ),
        (
            "- name: cleanup\n",
            "- name: \"clean\\rup ##[stop-commands]tok\"\n",
        ),
        (
            "image: registry.k8s.io/e2e-test-images/busybox:1.36.1-1",
            "image: \"docker.io/busybox:1\\e]0;pwned\\a\"",
        ),
    ])
}

const ALLOW_DRIFT: [&str; 4] = ["-A", "file-modified", "-A", "image-drift"];

#[test]
fn check_escapes_hostile_upstream_text_in_every_format() {
    let repo = hostile_check_repo();
    let run = |format: &str| {
        let mut args = vec!["check", "app", "--format", format];
        args.extend(ALLOW_DRIFT);
        vendor(repo.path(), &args, &[])
    };

    let (code, out, err) = run("human");
    assert_eq!(code, 1, "{out}{err}");
    assert_inert("check", &out);
    assert_inert("check stderr", &err);
    // Visible, not dropped: the reader sees what upstream wrote.
    assert!(
        out.contains("Deployment/app/web\\u{1b}[2J\\n::set-env name=Y::z"),
        "{out}"
    );
    assert!(
        out.contains("clean\\rup #\\u{23}[stop-commands]tok"),
        "{out}"
    );
    assert!(out.contains("busybox:1\\u{1b}]0;pwned\\u{7}"), "{out}");

    let (code, out, _) = run("github");
    assert_eq!(code, 1);
    assert_github_commands(&out);
    assert!(out.contains("web[2J%0A::set-env name=Y::z"), "{out}");
    assert!(out.contains("clean%0Dup"), "{out}");

    // JSON and SARIF: valid documents carrying the exact upstream strings, and no `##[` in the
    // raw text (it is written `#\u0023[`, the same string once parsed).
    let (_, json, _) = run("json");
    assert_inert("check json", &json);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let resources: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["resource"].as_str())
        .collect();
    assert!(
        resources.contains(&"Deployment/app/web\x1b[2J\n::set-env name=Y::z"),
        "{resources:?}"
    );
    let containers: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["container"].as_str())
        .collect();
    assert!(
        containers.contains(&"clean\rup ##[stop-commands]tok"),
        "{containers:?}"
    );
    let (_, sarif, _) = run("sarif");
    assert_inert("check sarif", &sarif);
    let v: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert!(v["runs"][0]["results"].as_array().unwrap().len() >= 2);
}

#[test]
fn images_escapes_hostile_upstream_text() {
    let repo = hostile_check_repo();
    let (code, out, err) = vendor(repo.path(), &["images", "app"], &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert_inert("images", &out);
    assert_eq!(out.lines().count(), 3, "one line per image:\n{out}");
    assert!(
        out.contains("\t::set-env name=X::y\timage-invalid\t"),
        "{out}"
    );
    let (_, json, _) = vendor(repo.path(), &["images", "app", "--format", "json"], &[]);
    assert_inert("images json", &json);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .any(|i| i["image"] == "docker.io/busybox:1\x1b]0;pwned\x07"),
        "{json}"
    );
}

/// Two manifests, the new one hostile: names, keys, values and images that carry escape
/// sequences, newlines followed by workflow commands, bidirectional overrides and fences.
fn hostile_diff_sides() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let old = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: app\ndata:\n  \
               script: |\n    echo one\n    ::set-env name=CTX::x\n    echo two\n---\n\
               apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: app\n\
               spec:\n  template:\n    spec:\n      containers:\n      - name: web\n        \
               image: quay.io/example/web:v1.0.0\n";
    let new = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: app\ndata:\n  \
               script: \"echo one\\n::set-env name=CTX::x\\necho \\e[2J\\r##[stop-commands]t\\n````\\n\"\n  \
               \"key\\u202E\\n::error::k\": \"\\e]0;title\\a\"\n---\n\
               apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"new\\e[2J\\n::set-env name=N::v\"\n  \
               namespace: app\n---\n\
               apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: app\n\
               spec:\n  template:\n    spec:\n      containers:\n      - name: web\n        \
               image: \"quay.io/example/web:v2\\n::add-mask::x\"\n";
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let (a, b) = (write("old.yaml", old), write("new.yaml", new));
    (dir, a, b)
}

#[test]
fn diff_escapes_hostile_upstream_text_in_every_format() {
    let (dir, a, b) = hostile_diff_sides();
    let run = |format: &str| vendor(dir.path(), &["diff", "--format", format, &a, &b], &[]);

    let (code, human, err) = run("human");
    assert_eq!(code, 0, "{err}");
    assert_inert("diff", &human);
    assert!(
        human.contains("ConfigMap/app/new\\u{1b}[2J\\n::set-env name=N::v"),
        "{human}"
    );
    assert!(human.contains("\\u{3a}:set-env name=CTX::x"), "{human}");
    assert!(human.contains("key\\u{202e}\\n::error::k"), "{human}");

    let (_, markdown, _) = run("markdown");
    assert_inert("diff markdown", &markdown);
    // A value holding a four-backtick fence cannot close the code block it is shown in.
    assert!(markdown.contains("`````diff\n"), "{markdown}");

    let (_, github, _) = run("github");
    assert_github_commands(&github);

    let (_, json, _) = run("json");
    assert_inert("diff json", &json);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let names: Vec<&str> = v["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"new\x1b[2J\n::set-env name=N::v"),
        "{names:?}"
    );
}

#[test]
fn malformed_image_references_are_invalid_not_pinned() {
    let digest = "0123456789abcdef".repeat(4);
    let repo = check_repo(&[
        (
            "quay.io/example/web:v1.0.0",
            "quay.io/example/web:latest@sha256:abc",
        ),
        (
            "quay.io/example/migrate:v1.0.0",
            "quay.io/example/migrate:v1.0.0\u{200b}",
        ),
        (
            "registry.k8s.io/e2e-test-images/busybox:1.36.1-1",
            &format!("registry.k8s.io/e2e-test-images/busybox:1.36.1-1@sha256:{digest}"),
        ),
    ]);
    std::fs::write(
        repo.path().join("vendor.toml"),
        std::fs::read_to_string(repo.path().join("vendor.toml"))
            .unwrap()
            .replace(
                "[policy.images]\n",
                "[policy.images]\nrequire-digest = true\n",
            ),
    )
    .unwrap();
    let mut args = vec!["check", "app"];
    args.extend(ALLOW_DRIFT);
    let (code, out, err) = vendor(repo.path(), &args, &[]);
    assert_eq!(code, 1, "{out}{err}");
    insta::assert_snapshot!(out, @r"
    app (manifest v1.0.0)
      error[image-invalid]: `quay.io/example/migrate:v1.0.0\u{200b}` is not a valid image reference: it contains a character outside printable ASCII (U+200B)
        --> upstream/app/app.yaml:22:16 (Deployment/app/web, container migrate)
        help: write the image as [registry/]repository[:tag][@sha256:<64 hex digits>]; runtimes refuse or read a malformed reference differently
      error[image-invalid]: `quay.io/example/web:latest@sha256:abc` is not a valid image reference: the digest `sha256:abc` is not `sha256:` followed by 64 lowercase hex digits
        --> upstream/app/app.yaml:25:16 (Deployment/app/web, container web)
        help: write the image as [registry/]repository[:tag][@sha256:<64 hex digits>]; runtimes refuse or read a malformed reference differently

    1 entry checked: 2 errors, 0 warnings
    ");
    // Each malformed reference has the one finding; the well-formed digest is pinned.
    let (_, json, _) = vendor(repo.path(), &["images", "app", "--format", "json"], &[]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let verdicts: Vec<(String, Vec<String>)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["container"].as_str().unwrap().to_string(),
                i["violations"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x["code"].as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            ("migrate".to_string(), vec!["image-invalid".to_string()]),
            ("web".to_string(), vec!["image-invalid".to_string()]),
            ("cleanup".to_string(), vec![]),
        ]
    );
    // The code can be changed like any other.
    let mut args = vec!["check", "app", "-W", "image-invalid"];
    args.extend(ALLOW_DRIFT);
    assert_eq!(vendor(repo.path(), &args, &[]).0, 0);
}
