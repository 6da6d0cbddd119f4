//! The review report of `vendor update` (issue 15, items 2 to 5 and 8): the pull-request body
//! fits GitHub's limit with the corpus' largest upgrades grouped, release notes from GitHub
//! releases and from a chart's Chart.yaml, `--major` moving `track`, `outdated` never
//! offering a downgrade, the terminal output, and label-only churn summarised. The binary runs
//! against a loopback upstream serving the real argo-cd, prometheus-operator and MetalLB
//! releases and a GitHub releases API with release notes.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use crate::common::{Reply, Server};

/// GitHub's limit on a pull-request body, in characters.
const GITHUB_LIMIT: usize = 65_536;

fn diff_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff")
}

/// A release list as the GitHub API returns it (newest first), with notes.
fn releases(list: &[(&str, &str)]) -> Vec<u8> {
    let list: Vec<serde_json::Value> = list
        .iter()
        .map(|(tag, body)| {
            serde_json::json!({
                "tag_name": tag,
                "draft": false,
                "prerelease": tag.contains('-'),
                "body": body,
                "html_url": format!("https://github.com/o/r/releases/tag/{tag}"),
            })
        })
        .collect();
    serde_json::to_vec(&list).unwrap()
}

/// Release notes long enough that the body must cut them.
fn long_notes() -> String {
    let mut s = String::from("## Changes\n\n");
    for i in 0..600 {
        s.push_str(&format!(
            "* fix: something important number {i} by @dev{i} in https://github.com/argoproj/argo-cd/pull/{i}\n"
        ));
    }
    s
}

/// `/api/repos/...` release lists and `/raw/PROJECT/VERSION/FILE` from the diff fixtures.
fn upstream() -> Server {
    let long = long_notes();
    Server::start(Duration::ZERO, move |req, _| {
        let path = req.path();
        match path {
            "/api/repos/argoproj/argo-cd/releases" => {
                return Reply::Ok(releases(&[
                    ("v3.1.0-rc.1", "a prerelease"),
                    ("v3.0.23", &long),
                    (
                        "v3.0.0",
                        "## v3.0 \u{202e}\n* breaking: <script>alert(1)</script> by @mallory (#1)\n::error::injected\n```\n@keep <tag>\n```",
                    ),
                    ("v2.14.21", "old"),
                    ("v2.14.20", "older"),
                ]));
            }
            "/api/repos/prometheus-operator/prometheus-operator/releases" => {
                return Reply::Ok(releases(&[
                    ("v0.84.1", "* [BUGFIX] fix the thing"),
                    ("v0.83.0", "old"),
                ]));
            }
            "/api/repos/metallb/metallb/releases" => {
                return Reply::Ok(releases(&[
                    ("v0.16.1", "MetalLB 0.16.1"),
                    ("v0.15.3", ""),
                    ("v0.14.9", ""),
                ]));
            }
            _ => {}
        }
        if let Some(rel) = path.strip_prefix("/raw/")
            && !rel.split('/').any(|s| s == "..")
            && let Ok(bytes) = std::fs::read(diff_fixtures().join(rel))
        {
            return Reply::Ok(bytes);
        }
        Reply::status(404)
    })
}

const ARGOCD: &str = r#"
[manifest.argocd]
url = "BASE/raw/argo-cd/{version}/install.yaml"
version = "v2.14.21"
track = "~2.14"   # the minor we run
versions = { github-releases = "argoproj/argo-cd" }
"#;

const PROMETHEUS: &str = r#"
[manifest.prometheus-operator]
url = "BASE/raw/prometheus-operator/{version}/bundle.yaml"
version = "v0.83.0"
track = ">=0.83, <1"
versions = { github-releases = "prometheus-operator/prometheus-operator" }
"#;

const METALLB: &str = r#"
[manifest.metallb]
url = "BASE/raw/metallb/{version}/metallb-native.yaml"
version = "v0.15.3"
track = ">=0.15, <0.16"
versions = { github-releases = "metallb/metallb" }
"#;

pub(crate) struct Project {
    _outer: tempfile::TempDir,
    pub repo: PathBuf,
    pub out: PathBuf,
    cache: tempfile::TempDir,
    api: String,
}

impl Project {
    /// A repository with `toml` (BASE replaced by the server) and `files` (path, text),
    /// synced at the pinned versions.
    pub(crate) fn synced(server: &Server, toml: &str, files: &[(&str, &str)]) -> Project {
        let outer = tempfile::tempdir().unwrap();
        let repo = outer.path().join("repo");
        let out = outer.path().join("out");
        std::fs::create_dir_all(&repo).unwrap();
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(repo.join("vendor.toml"), toml.replace("BASE", &server.base)).unwrap();
        for (path, text) in files {
            let p = repo.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let p = Project {
            _outer: outer,
            repo,
            out,
            cache: tempfile::tempdir().unwrap(),
            api: format!("{}/api", server.base),
        };
        let o = p.run(&["sync"]);
        assert_eq!(o.status.code(), Some(0), "sync: {}", stderr(&o));
        p
    }

    pub(crate) fn command(&self, args: &[&str]) -> std::process::Command {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_vendor"));
        c.args(args)
            .current_dir(&self.repo)
            .env("VENDOR_CACHE_DIR", self.cache.path())
            .env("GITHUB_API_URL", &self.api)
            .env("GITHUB_TOKEN", "")
            .env("NO_COLOR", "1");
        c
    }

    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    pub(crate) fn out(&self, name: &str) -> String {
        std::fs::read_to_string(self.out.join(name)).unwrap()
    }

    pub(crate) fn out_arg(&self, name: &str) -> String {
        self.out.join(name).to_string_lossy().into_owned()
    }

    pub(crate) fn toml(&self) -> String {
        std::fs::read_to_string(self.repo.join("vendor.toml")).unwrap()
    }
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// The corpus' largest upgrades in one grouped pull request: argo-cd v2.14 -> v3.0 (with
/// --major) and prometheus-operator v0.83 -> v0.84, plus MetalLB. Their diffs alone are far
/// over GitHub's limit; the body keeps under it, resource sections go first, and it says where
/// the full report is, which has every resource.
#[test]
fn a_grouped_body_of_the_largest_upgrades_fits_githubs_limit() {
    let server = upstream();
    let p = Project::synced(&server, &format!("{ARGOCD}{PROMETHEUS}{METALLB}"), &[]);
    let o = p.run(&[
        "update",
        "--major",
        "--group",
        "--report-dir",
        &p.out_arg("reports"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let body = p.out("reports/all.md");
    assert!(
        chars(&body) <= GITHUB_LIMIT,
        "the body has {} characters",
        chars(&body)
    );
    assert!(body.starts_with("# Update 3 upstream entries: argocd v3.0.23, prometheus-operator v0.84.1, metallb v0.16.1\n"), "{}", &body[..200]);
    for heading in [
        "## argocd v2.14.21 → v3.0.23",
        "## prometheus-operator v0.83.0 → v0.84.1",
        "## metallb v0.15.3 → v0.16.1",
    ] {
        assert!(body.contains(heading), "{heading}");
    }
    // Every entry keeps its highlights; resource sections were left out, and the body says how
    // many and where the whole report is.
    assert_eq!(body.matches("#### Highlights").count(), 3);
    let note = body
        .lines()
        .find(|l| l.starts_with("> Trimmed to fit GitHub's 65536-character limit"))
        .unwrap_or_else(|| panic!("no trim note in the body"));
    assert!(note.contains("resource sections not shown"), "{note}");
    let json_path = p.out.join("reports/all.json").display().to_string();
    assert!(note.contains(&format!("`{json_path}`")), "{note}");
    let json: serde_json::Value = serde_json::from_str(&p.out("reports/all.json")).unwrap();
    let in_json: usize = json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["diff"]["resources"].as_array().unwrap().len())
        .sum();
    let in_body = body.matches("<details><summary><b>").count();
    assert!(in_body > 0, "some resource sections fit");
    println!(
        "body: {} characters, {in_body} of {in_json} resource sections",
        chars(&body)
    );
    assert!(
        in_json > in_body,
        "the JSON report has every resource ({in_json}), the body some ({in_body})"
    );
    // Each entry got a share: prometheus-operator's sections are not crowded out by argo-cd's.
    let prom =
        &body[body.find("## prometheus-operator").unwrap()..body.find("## metallb").unwrap()];
    assert!(
        prom.contains("<details><summary><b>"),
        "prometheus-operator shows resources too"
    );

    // The same with --report FILE.md and --json FILE: the note names that file.
    let o = p.run(&["update", "--dry-run", "--report", &p.out_arg("body.md")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(p.out("body.md").contains("Nothing to update"));
}

/// Release notes of every release between the old and the new version, newest first, escaped
/// (no HTML, no mentions, no workflow commands, no invisible characters), within their budget.
#[test]
fn release_notes_from_github_releases_are_inert_and_trimmed() {
    let server = upstream();
    let p = Project::synced(&server, ARGOCD, &[]);
    let o = p.run(&[
        "update",
        "--major",
        "--dry-run",
        "--report",
        &p.out_arg("body.md"),
        "--json",
        &p.out_arg("r.json"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let body = p.out("body.md");
    assert!(chars(&body) <= GITHUB_LIMIT);
    let notes =
        &body[body.find("### Release notes").unwrap()..body.find("### Upstream changes").unwrap()];
    // v3.0.23 and v3.0.0; not the prerelease, not v2.14.21 (the old version), newest first.
    assert!(
        notes.contains(
            "<details><summary>v3.0.23, v3.0.0 (GitHub releases of argoproj/argo-cd)</summary>"
        ),
        "{notes}"
    );
    assert!(!notes.contains("a prerelease") && !notes.contains("> old"));
    // Inert: the mention and the issue reference are broken, HTML is text, links avoid
    // back-references, the invisible character is visible, no line is a workflow command.
    assert!(notes.contains("by @&#8203;mallory (#&#8203;1)"), "{notes}");
    assert!(notes.contains("&lt;script>alert(1)&lt;/script>"), "{notes}");
    assert!(notes.contains("\\u{202e}"), "{notes}");
    assert!(
        !notes.contains("https://github.com/argoproj/argo-cd/pull/"),
        "links in the notes go through redirect.github.com"
    );
    assert!(notes.contains("https://redirect.github.com/argoproj/argo-cd/pull/1"));
    assert!(body.lines().all(|l| !l.trim_start().starts_with("::")));
    assert!(
        notes.contains("> ::error::injected"),
        "quoted, not a command: {notes}"
    );
    // Code keeps its text.
    assert!(notes.contains("> @keep <tag>"), "{notes}");
    // The long notes of v3.0.23 are cut at a line, with a link to the full notes.
    assert!(
        notes.contains(
            "… (cut to fit; [the full notes](https://github.com/o/r/releases/tag/v3.0.23))"
        ),
        "{notes}"
    );
    assert!(
        chars(notes) <= 6_500,
        "{} characters of notes",
        chars(notes)
    );
    // The JSON report has the notes whole, as upstream wrote them.
    let json: serde_json::Value = serde_json::from_str(&p.out("r.json")).unwrap();
    let versions = &json["entries"][0]["notes"]["versions"];
    assert_eq!(versions[0]["version"], "v3.0.23");
    assert_eq!(versions[0]["text"].as_str().unwrap(), long_notes().trim());
    assert!(versions[1]["text"].as_str().unwrap().contains("<script>"));
}

/// `--major` moves `track` with the version, keeping its shape and its comment, and says so;
/// a track it cannot move is refused with the reason; `outdated` never offers a downgrade and
/// `update --dry-run` does not call a version outside the track "the newest within" it.
#[test]
fn major_moves_the_track_and_nothing_offers_a_downgrade() {
    let server = upstream();
    let p = Project::synced(&server, &format!("{ARGOCD}{METALLB}"), &[]);
    let o = p.run(&[
        "update",
        "--major",
        "--json",
        &p.out_arg("r.json"),
        "--report",
        &p.out_arg("body.md"),
        "--commit-message",
        &p.out_arg("msg.txt"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let toml = p.toml();
    assert!(
        toml.contains("version = \"v3.0.23\"\ntrack = \"~3.0\"   # the minor we run\n"),
        "{toml}"
    );
    assert!(
        toml.contains("version = \"v0.16.1\"\ntrack = \">=0.16, <0.17\"\n"),
        "{toml}"
    );
    let json: serde_json::Value = serde_json::from_str(&p.out("r.json")).unwrap();
    let e = &json["entries"][0];
    assert_eq!(
        (e["previous_track"].as_str(), e["track"].as_str()),
        (Some("~2.14"), Some("~3.0"))
    );
    assert!(
        p.out("body.md")
            .contains("Track moved with the version: `~2.14` → `~3.0` (vendor.toml).")
    );
    assert!(p.out("msg.txt").contains("Track: ~2.14 -> ~3.0\n"));
    assert!(
        stdout(&o).contains("argocd: v2.14.21 -> v3.0.23, track ~2.14 -> ~3.0 (no overlay)"),
        "{}",
        stdout(&o)
    );
    // The moved track holds the new version: check passes, nothing is outdated or offered.
    let o = p.run(&["check"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let o = p.run(&["--format", "json", "outdated"]);
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows[0]["in_track"], "v3.0.23");

    // A repository left by the old behaviour: v3.0.23 pinned, track still ~2.14.
    let text = p.toml().replace("track = \"~3.0\"", "track = \"~2.14\"");
    std::fs::write(p.repo.join("vendor.toml"), text).unwrap();
    let o = p.run(&["--format", "json", "outdated", "argocd"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        rows[0]["in_track"],
        serde_json::Value::Null,
        "v2.14.21 would be a downgrade"
    );
    assert_eq!(rows[0]["latest"], "v3.0.23");
    assert!(
        rows[0]["note"]
            .as_str()
            .unwrap()
            .contains("v3.0.23 is outside its track `~2.14`")
    );
    let o = p.run(&["outdated", "argocd"]);
    assert!(!stdout(&o).contains("v2.14.21"), "{}", stdout(&o));
    let o = p.run(&["update", "argocd", "--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(!out.contains("newest version within"), "{out}");
    assert!(
        out.contains(
            "v3.0.23 is outside its track `~2.14` (the newest within it is v2.14.21, older)"
        ),
        "{out}"
    );

    // A track --major cannot move: refused, with the reason; with --to, an error.
    let text = p
        .toml()
        .replace("track = \"~2.14\"", "track = \"^1 || ~2.14\"");
    let text = text.replace("version = \"v3.0.23\"", "version = \"v2.14.21\"");
    std::fs::write(p.repo.join("vendor.toml"), text).unwrap();
    let o = p.run(&["update", "argocd", "--major", "--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("v3.0.23 is outside `^1 || ~2.14`, which --major cannot move: `^1 || ~2.14` has alternatives"), "{}", stdout(&o));
    let o = p.run(&[
        "update",
        "argocd",
        "--to",
        "v3.0.23",
        "--major",
        "--dry-run",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--major cannot move its track `^1 || ~2.14` to v3.0.23"),
        "{}",
        stderr(&o)
    );
}

const METALLB_PORT_PATCH: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: controller
  namespace: metallb-system
spec:
  template:
    spec:
      containers:
      - name: controller
        ports:
        - containerPort: 7472
          hostPort: 7472
"#;

const METALLB_KUSTOMIZATION: &str =
    "resources:\n- ../../upstream/metallb\npatches:\n- path: metrics-host-port.yaml\n";

/// A patch on a port upstream renamed (7472 `monitoring` became 9120 `metricshttps` in MetalLB
/// 0.16): it still builds, adding a port, so it is "applies with warnings", shown on the
/// terminal with the warning, in the body and in the JSON. On a terminal the output is coloured;
/// every run ends with a summary line and where each report was written.
#[test]
fn a_patch_on_a_renamed_port_applies_with_warnings_and_the_terminal_says_so() {
    let server = upstream();
    let p = Project::synced(
        &server,
        &METALLB.replace(">=0.15, <0.16", "<1"),
        &[
            ("patches/metallb/kustomization.yaml", METALLB_KUSTOMIZATION),
            ("patches/metallb/metrics-host-port.yaml", METALLB_PORT_PATCH),
        ],
    );
    let o = p.run(&["check"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "the patch applies on v0.15.3: {}",
        stdout(&o)
    );
    assert!(
        !stdout(&o).contains("patch-adds-list-item"),
        "{}",
        stdout(&o)
    );
    let o = p.run(&["update", "--report-dir", &p.out_arg("r")]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("metallb: v0.15.3 -> v0.16.1 (1 applies with warnings)\n  applies with warnings metrics-host-port.yaml\n    patches/metallb/metrics-host-port.yaml"), "{out}");
    assert!(out.contains("patch-adds-list-item"), "{out}");
    assert!(
        out.contains("1 entry checked: 1 updated, 0 not; patches: 1 applies with warnings\n"),
        "{out}"
    );
    let r = p.out.join("r").display().to_string();
    assert!(out.contains(&format!("wrote {r}/metallb.md (pull-request body)\nwrote {r}/metallb.json (JSON report)\nwrote {r}/metallb.commit-message.txt (commit message)\n")), "{out}");
    let json: serde_json::Value = serde_json::from_str(&p.out("r/metallb.json")).unwrap();
    assert_eq!(
        json["entries"][0]["patches"][0]["status"],
        "applies-with-warnings"
    );
    let body = p.out("r/metallb.md");
    assert!(body.contains("| `metrics-host-port.yaml` | ⚠️ applies with warnings | patches/metallb/metrics-host-port.yaml"), "{body}");
    assert!(body.contains("> 1 patch applies with warnings"), "{body}");

    // --format json: the report on stdout, where the files went on stderr; -q: nothing.
    let o = p.run(&[
        "--format",
        "json",
        "update",
        "--dry-run",
        "--json",
        &p.out_arg("again.json"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["entries"][0]["name"], "metallb");
    let again = p.out.join("again.json").display().to_string();
    assert!(
        stderr(&o).contains(&format!("wrote {again} (JSON report)\n")),
        "{}",
        stderr(&o)
    );
    let o = p.run(&["-q", "update", "--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!((stdout(&o).as_str(), stderr(&o).as_str()), ("", ""));

    // On a terminal: colour (a pseudo-terminal through script(1), where it is installed).
    let Some(out) = on_a_terminal(&p, "update --dry-run --major") else {
        return;
    };
    assert!(out.contains("\u{1b}["), "colour on a terminal: {out:?}");
    assert!(out.contains("nothing to update"), "{out:?}");
}

/// Runs `vendor ARGS` in the project with stdout on a pseudo-terminal (`script -qec`), or
/// `None` when script(1) is not installed.
pub(crate) fn on_a_terminal(p: &Project, args: &str) -> Option<String> {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        println!("script(1) not installed: terminal output not checked");
        return None;
    }
    let bin = env!("CARGO_BIN_EXE_vendor");
    let o = std::process::Command::new("script")
        .args(["-qec", &format!("{bin} {args}"), "/dev/null"])
        .current_dir(&p.repo)
        .env("VENDOR_CACHE_DIR", p.cache.path())
        .env("GITHUB_API_URL", &p.api)
        .env("GITHUB_TOKEN", "")
        .env_remove("NO_COLOR")
        .env("TERM", "xterm")
        .output()
        .unwrap();
    Some(String::from_utf8_lossy(&o.stdout).replace("\r\n", "\n"))
}

/// A chart bump changes `helm.sh/chart` and `app.kubernetes.io/version` on every object: the
/// report lists the resources that changed more, and counts the rest in one line; the chart's
/// notes (`artifacthub.io/changes`, home, sources) are in the body.
#[test]
fn a_chart_bump_summarises_label_churn_and_shows_the_charts_notes() {
    let charts = crate::common::fixtures().join("charts/metallb");
    let tmp = tempfile::tempdir().unwrap();
    let mut tgz = Vec::new();
    for v in ["0.15.3", "0.16.1"] {
        let dir = tmp.path().join(v);
        crate::common::copy_dir(&charts.join(v), &dir);
        if v == "0.16.1" {
            let chart = dir.join("Chart.yaml");
            let mut text = std::fs::read_to_string(&chart).unwrap();
            text.push_str("annotations:\n  artifacthub.io/changes: |\n    - kind: changed\n      description: metrics served over HTTPS on 9120 @everyone\n    - kind: fixed\n      description: <b>speaker</b> crash\n");
            std::fs::write(&chart, text).unwrap();
        }
        tgz.push((v.to_string(), crate::common::package_chart(&dir, "metallb")));
    }
    let server = crate::common::chart_repo("metallb", tgz);
    let toml = "[chart.metallb]\nrepo = \"BASE/charts\"\nchart = \"metallb\"\nversion = \"0.15.3\"\ntrack = \"<1\"\nnamespace = \"metallb-system\"\n";
    let p = Project::synced(&server, toml, &[]);
    let o = p.run(&[
        "update",
        "--dry-run",
        "--report",
        &p.out_arg("body.md"),
        "--json",
        &p.out_arg("r.json"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let body = p.out("body.md");
    let json: serde_json::Value = serde_json::from_str(&p.out("r.json")).unwrap();
    let diff = &json["entries"][0]["diff"];
    let churn: Vec<&str> = diff["label_churn"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(churn.len() >= 5, "{churn:?}");
    assert_eq!(
        diff["label_churn"]["labels"],
        serde_json::json!(["app.kubernetes.io/version", "helm.sh/chart"])
    );
    let line = format!(
        "{} more resources changed only their labels `app.kubernetes.io/version`, `helm.sh/chart` (not listed one by one: `[diff] summarize-labels`)",
        churn.len()
    );
    assert!(body.contains(&line), "{body}");
    // The JSON keeps every resource with its changes.
    let ids: Vec<&str> = diff["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(churn.iter().all(|c| ids.contains(c)));
    // Listed in the body: only what changed more than those labels.
    for c in &churn {
        assert!(
            !body.contains(&format!("<code>{c}</code>")),
            "{c} is listed"
        );
    }
    // The chart's notes.
    assert!(
        body.contains(
            "[home](https://metallb.universe.tf) · [source](https://github.com/metallb/metallb)"
        ),
        "{body}"
    );
    assert!(body.contains("> - changed: metrics served over HTTPS on 9120 @&#8203;everyone\n> - fixed: &lt;b>speaker&lt;/b> crash\n"), "{body}");

    // `[diff] summarize-labels = []` lists them all again.
    let text = p.toml();
    std::fs::write(
        p.repo.join("vendor.toml"),
        format!("[diff]\nsummarize-labels = []\n\n{text}"),
    )
    .unwrap();
    let o = p.run(&["update", "--dry-run", "--report", &p.out_arg("all.md")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let all = p.out("all.md");
    assert!(!all.contains("changed only their labels"));
    assert!(all.contains(&format!("<code>{}</code>", churn[0])), "{all}");
}

/// `count` Deployments of a release `version`: each its own image and settings, so that every
/// one changes between two versions (a large upgrade of one entry, whose highlights alone are
/// over GitHub's limit).
fn many_deployments(count: usize, version: &str) -> Vec<u8> {
    let mut out = String::new();
    for i in 0..count {
        out.push_str(&format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: worker-{i}\n  namespace: big\n  labels:\n    app: worker-{i}\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: worker-{i}\n  template:\n    metadata:\n      labels:\n        app: worker-{i}\n    spec:\n      containers:\n      - name: worker\n        image: quay.io/example/worker-{i}:{version}\n        args:\n        - --queue=queue-{i}\n        - --release={version}\n        env:\n        - name: RELEASE\n          value: \"{version}\"\n        - name: SHARD\n          value: \"shard-{i}-{version}\"\n"
        ));
    }
    out.into_bytes()
}

/// One pull request per entry (the default): the body of one entry whose diff alone is far over
/// GitHub's limit keeps under it, the highlights are listed up to a point "and N more", and the
/// trim note names that entry's JSON report (or the `--json FILE` given), which has every
/// resource.
#[test]
fn a_per_entry_body_of_a_huge_upgrade_fits_githubs_limit() {
    const COUNT: usize = 900;
    let (old, new) = (
        many_deployments(COUNT, "v1.0.0"),
        many_deployments(COUNT, "v1.1.0"),
    );
    let notes = long_notes();
    let server = Server::start(Duration::ZERO, move |req, _| match req.path() {
        "/api/repos/example/big/releases" => {
            Reply::Ok(releases(&[("v1.1.0", &notes), ("v1.0.0", "first")]))
        }
        "/raw/big/v1.0.0/all.yaml" => Reply::Ok(old.clone()),
        "/raw/big/v1.1.0/all.yaml" => Reply::Ok(new.clone()),
        _ => Reply::status(404),
    });
    let toml = "[manifest.big]\nurl = \"BASE/raw/big/{version}/all.yaml\"\nversion = \"v1.0.0\"\ntrack = \"^1\"\nversions = { github-releases = \"example/big\" }\n";
    let p = Project::synced(&server, toml, &[]);
    let o = p.run(&["update", "--dry-run", "--report-dir", &p.out_arg("reports")]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let body = p.out("reports/big.md");
    let json: serde_json::Value = serde_json::from_str(&p.out("reports/big.json")).unwrap();
    let resources = json["entries"][0]["diff"]["resources"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(resources, COUNT, "the JSON report has every resource");
    assert!(
        chars(&body) <= GITHUB_LIMIT,
        "the body has {} characters",
        chars(&body)
    );
    let in_body = body.matches("<details><summary><b>").count();
    println!(
        "body: {} characters, {in_body} of {resources} resource sections",
        chars(&body)
    );
    // Resource sections go first: with highlights over the limit, none is left.
    assert_eq!(in_body, 0, "{in_body} of {resources}");
    let note = body
        .lines()
        .find(|l| l.starts_with("> Trimmed to fit GitHub's 65536-character limit"))
        .unwrap_or_else(|| panic!("no trim note in the body"));
    assert!(
        note.contains(&format!(
            "{} resource sections not shown",
            resources - in_body
        )),
        "{note}"
    );
    let json_path = p.out.join("reports/big.json").display().to_string();
    assert!(note.contains(&format!("`{json_path}`")), "{note}");
    // Long lists are capped: one image highlight per Deployment, too many to list them all.
    let capped = body
        .lines()
        .find(|l| {
            l.starts_with("- … and ") && l.ends_with(" more highlights (not shown: size limit)")
        })
        .unwrap_or_else(|| panic!("the highlights are not capped"));
    let shown = body.matches("- ℹ️ **image-changed** ").count();
    assert!(shown > 0, "some highlights are shown");
    assert_eq!(
        capped,
        format!(
            "- … and {} more highlights (not shown: size limit)",
            COUNT - shown
        )
    );
    assert!(
        note.contains(&format!("{} highlights not shown", COUNT - shown)),
        "{note}"
    );
    // The release notes were cut to their budget, with a link to the full text.
    assert!(
        body.contains("… (cut to fit; [the full notes]"),
        "notes not cut"
    );

    // --report FILE.md with --json FILE: the note names that JSON file.
    let o = p.run(&[
        "update",
        "--dry-run",
        "--report",
        &p.out_arg("body.md"),
        "--json",
        &p.out_arg("full.json"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let body = p.out("body.md");
    assert!(chars(&body) <= GITHUB_LIMIT, "{}", chars(&body));
    let full = p.out.join("full.json").display().to_string();
    assert!(body.contains(&format!("`{full}`")), "the note names {full}");
    // Without a JSON file the note says how to get the full report.
    let o = p.run(&["update", "--dry-run", "--report", &p.out_arg("only.md")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let body = p.out("only.md");
    assert!(chars(&body) <= GITHUB_LIMIT, "{}", chars(&body));
    assert!(
        body.contains("run `vendor update` with `--json FILE`"),
        "{}",
        chars(&body)
    );
}
