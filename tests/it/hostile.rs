//! Hostile upstream content through the real binary (issue 11, items 12 to 14): upstream text that
//! would drive a terminal or issue GitHub Actions workflow commands, malformed image references
//! that would pass as pinned, and Secret values that would leak into diffs and PR bodies.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::common::{Reply, Server};

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

/// A copy of `tests/fixtures/check/base` with `upstream/app/app.yaml` edited by `edits`.
fn check_repo(edits: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/base");
    crate::common::copy_dir(&base, dir.path());
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
        crate::common::run_vendor(repo.path(), &args, crate::common::NO_ENV)
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
    let (code, out, err) =
        crate::common::run_vendor(repo.path(), &["images", "app"], crate::common::NO_ENV);
    assert_eq!(code, 1, "{out}{err}");
    assert_inert("images", &out);
    assert_eq!(out.lines().count(), 3, "one line per image:\n{out}");
    assert!(
        out.contains("\t::set-env name=X::y\timage-invalid\t"),
        "{out}"
    );
    let (_, json, _) = crate::common::run_vendor(
        repo.path(),
        &["images", "app", "--format", "json"],
        crate::common::NO_ENV,
    );
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
    let run = |format: &str| {
        crate::common::run_vendor(
            dir.path(),
            &["diff", "--format", format, &a, &b],
            crate::common::NO_ENV,
        )
    };

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

/// Secrets whose values sit in `data` and, as kubectl writes it, in the last-applied annotation.
/// "hunter2" becomes "hunter3": the same length.
fn secret(password_b64: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: app\n  annotations:\n    \
         kubectl.kubernetes.io/last-applied-configuration: |\n      \
         {{\"apiVersion\":\"v1\",\"data\":{{\"password\":\"{password_b64}\"}},\"kind\":\"Secret\",\
         \"metadata\":{{\"annotations\":{{}},\"name\":\"db\",\"namespace\":\"app\"}},\"type\":\"Opaque\"}}\n\
         type: Opaque\ndata:\n  password: {password_b64}\n"
    )
}

const OLD_PW: &str = "aHVudGVyMg==";
const NEW_PW: &str = "aHVudGVyMw==";

/// What must not appear in a report about the two Secrets: the values, encoded or not, and the
/// unsalted digest prefixes older versions printed (which confirm a guessed password).
#[track_caller]
fn assert_no_secret(what: &str, text: &str) {
    use sha2::Digest;
    for value in [OLD_PW, NEW_PW, "hunter2", "hunter3"] {
        assert!(!text.contains(value), "{what} leaks {value}:\n{text}");
        let digest = hex::encode(sha2::Sha256::digest(value.as_bytes()));
        assert!(
            !text.contains(&digest[..12]),
            "{what} leaks a digest of {value}:\n{text}"
        );
    }
    assert!(
        !text.contains("<hidden, sha256:"),
        "{what}: a digest of a value:\n{text}"
    );
}

#[test]
fn diff_masks_secret_values_everywhere_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: String| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let (a, b) = (
        write("a.yaml", secret(OLD_PW)),
        write("b.yaml", secret(NEW_PW)),
    );
    let run = |format: &str| {
        let (code, out, err) = crate::common::run_vendor(
            dir.path(),
            &["diff", "--format", format, &a, &b],
            crate::common::NO_ENV,
        );
        assert_eq!(code, 0, "{err}");
        out.replace(&*dir.path().display().to_string(), "")
    };
    let human = run("human");
    assert_no_secret("human", &human);
    insta::assert_snapshot!(human, @r#"
    vendor diff /a.yaml -> /b.yaml: 1 modified (0 unchanged)

    Changes

    ~ Secret/app/db  (v1, modified, /b.yaml:1)
      metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]
        - <hidden, 147 bytes>
        + <hidden, 147 bytes, changed>
      data.password
        - <hidden, 7 bytes>
        + <hidden, 7 bytes, changed>
    "#);
    let markdown = run("markdown");
    assert_no_secret("markdown", &markdown);
    assert!(
        markdown.contains("+ <hidden, 7 bytes, changed>"),
        "{markdown}"
    );
    let json = run("json");
    assert_no_secret("json", &json);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let changes = &v["resources"][0]["changes"];
    assert_eq!(changes[1]["old"], "<hidden, 7 bytes>");
    assert_eq!(changes[1]["new"], "<hidden, 7 bytes, changed>");
    assert!(changes[0]["text_diff"].is_null(), "{json}");
    assert_no_secret("github", &run("github"));

    // An added Secret shown whole (Markdown shows added objects) is masked too.
    let empty = write("empty.yaml", String::new());
    let (_, added, _) = crate::common::run_vendor(
        dir.path(),
        &["diff", "--format", "markdown", &empty, &b],
        crate::common::NO_ENV,
    );
    assert_no_secret("added", &added);
    assert!(added.contains("+   password: <hidden, 7 bytes>"), "{added}");

    // Unchanged values are not a change; --show-secrets shows them all.
    let (_, same, _) =
        crate::common::run_vendor(dir.path(), &["diff", &a, &a], crate::common::NO_ENV);
    assert!(same.contains("no differences"), "{same}");
    let (_, shown, _) = crate::common::run_vendor(
        dir.path(),
        &["diff", "--show-secrets", &a, &b],
        crate::common::NO_ENV,
    );
    assert!(shown.contains(&format!("+ {NEW_PW}")), "{shown}");
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
    let (code, out, err) = crate::common::run_vendor(repo.path(), &args, crate::common::NO_ENV);
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
    let (_, json, _) = crate::common::run_vendor(
        repo.path(),
        &["images", "app", "--format", "json"],
        crate::common::NO_ENV,
    );
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
    assert_eq!(
        crate::common::run_vendor(repo.path(), &args, crate::common::NO_ENV).0,
        0
    );
}

/// `vendor update` moving an entry to a hostile upstream release: the terminal output, the PR
/// body, the JSON report and the commit message neither carry raw escapes or workflow commands
/// nor the Secret's values.
#[test]
fn update_reports_escape_hostile_text_and_mask_secrets() {
    let deployment = |image: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: app\n\
             spec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: {image}\n"
        )
    };
    let v1 = format!(
        "{}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: app\n---\n{}",
        secret(OLD_PW),
        deployment("quay.io/example/web:v1.0.0")
    );
    let v2 = format!(
        "{}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"cfg\\e[2J\\n::set-env name=X::y\"\n  \
         namespace: app\ndata:\n  note: \"one\\n::error::pwned\\n##[stop-commands]tok\\n\\e]0;title\\a\"\n---\n{}",
        secret(NEW_PW),
        deployment("\"quay.io/example/web:v1.1.0\\n::set-env name=Z::w\"")
    );
    let server = Server::start(Duration::ZERO, move |req, _| match req.path() {
        "/api/repos/example/app/releases" => Reply::Ok(
            serde_json::to_vec(&serde_json::json!([
                {"tag_name": "v1.1.0", "draft": false, "prerelease": false},
                {"tag_name": "v1.0.0", "draft": false, "prerelease": false},
            ]))
            .unwrap(),
        ),
        "/raw/v1.0.0/app.yaml" => Reply::Ok(v1.clone().into_bytes()),
        "/raw/v1.1.0/app.yaml" => Reply::Ok(v2.clone().into_bytes()),
        _ => Reply::status(404),
    });
    let outer = tempfile::tempdir().unwrap();
    let repo: PathBuf = outer.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::write(
        repo.join("vendor.toml"),
        format!(
            "[manifest.app]\nurl = \"{}/raw/{{version}}/app.yaml\"\nversion = \"v1.0.0\"\n\
             track = \"~1\"\nversions = {{ github-releases = \"example/app\" }}\n",
            server.base
        ),
    )
    .unwrap();
    let cache = outer.path().join("cache").display().to_string();
    let api = format!("{}/api", server.base);
    let env = [
        ("VENDOR_CACHE_DIR", cache.as_str()),
        ("GITHUB_API_URL", api.as_str()),
        ("GITHUB_TOKEN", ""),
        ("CI", "true"),
    ];
    let (code, _, err) = crate::common::run_vendor(&repo, &["sync"], &env);
    assert_eq!(code, 0, "{err}");

    let out = |name: &str| outer.path().join(name).display().to_string();
    let (code, stdout, stderr) = crate::common::run_vendor(
        &repo,
        &[
            "update",
            "--report",
            &out("body.md"),
            "--json",
            &out("report.json"),
            "--commit-message",
            &out("msg.txt"),
        ],
        &env,
    );
    // Updated, with a new error-level finding (the image is not a valid reference): exit 1.
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_inert("update stdout", &stdout);
    assert_inert("update stderr", &stderr);
    assert!(stdout.contains("new finding:"), "{stdout}");
    let read = |name: &str| std::fs::read_to_string(outer.path().join(name)).unwrap();
    let body = read("body.md");
    assert_inert("PR body", &body);
    assert_no_secret("PR body", &body);
    assert!(body.contains("<hidden, 7 bytes, changed>"), "{body}");
    assert_inert("commit message", &read("msg.txt"));
    let json = read("report.json");
    assert_inert("JSON report", &json);
    assert_no_secret("JSON report", &json);
    serde_json::from_str::<serde_json::Value>(&json).unwrap();
}
