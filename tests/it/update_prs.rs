//! `docs/ci/vendor-update-prs.sh`, the scheduled update workflow's shell logic, end to end: real
//! git against a local bare "origin", the real `vendor update` against a loopback upstream, and a
//! stand-in `gh` on PATH that records its calls and keeps the pull requests it was asked to open.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::update::{KSM, METALLB, Project, upstream};

/// The `gh` stand-in: every call is one line of tab-separated arguments in `$GH_STUB_DIR/calls`;
/// `pr create` stores the PR under `$GH_STUB_DIR/prs/N/` (head, base, title, body), `pr edit N`
/// rewrites its title and body, `pr list --head B` prints the number of the PR for B.
const GH_STUB: &str = r#"#!/bin/sh
set -eu
d=$GH_STUB_DIR
mkdir -p "$d/prs"
for a in "$@"; do printf '%s\t' "$a"; done >> "$d/calls"
echo >> "$d/calls"
[ "$1" = pr ] || { echo "gh stub: unsupported: $*" >&2; exit 2; }
cmd=$2; shift 2
number=""; head=""; base=""; title=""; body=""
while [ $# -gt 0 ]; do
  case "$1" in
    --head) head=$2; shift ;;
    --base) base=$2; shift ;;
    --title) title=$2; shift ;;
    --body-file) body=$2; shift ;;
    --state|--json|--jq) shift ;;
    -*) echo "gh stub: unknown flag $1" >&2; exit 2 ;;
    *) number=$1 ;;
  esac
  shift
done
case "$cmd" in
  list)
    for pr in "$d"/prs/*; do
      [ -e "$pr/head" ] || continue
      if [ "$(cat "$pr/head")" = "$head" ] && [ "$(cat "$pr/base")" = "$base" ]; then
        basename "$pr"
      fi
    done ;;
  create)
    n=$(($(ls "$d/prs" | wc -l) + 1))
    mkdir "$d/prs/$n"
    printf '%s' "$head" > "$d/prs/$n/head"
    printf '%s' "$base" > "$d/prs/$n/base"
    printf '%s' "$title" > "$d/prs/$n/title"
    cp "$body" "$d/prs/$n/body"
    echo "https://github.example/o/r/pull/$n" ;;
  edit)
    [ -d "$d/prs/$number" ] || { echo "gh stub: no PR $number" >&2; exit 1; }
    printf '%s' "$title" > "$d/prs/$number/title"
    cp "$body" "$d/prs/$number/body" ;;
  *) echo "gh stub: unsupported: pr $cmd" >&2; exit 2 ;;
esac
"#;

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/ci/vendor-update-prs.sh")
}

/// A repository as the workflow sees it: `origin` is a bare repository holding `main`, `work` a
/// clone of it (actions/checkout), `bin` has `vendor` and the `gh` stand-in.
struct Ci {
    project: Project,
    origin: PathBuf,
    work: PathBuf,
    bin: PathBuf,
    gh: PathBuf,
    reports: PathBuf,
}

fn git(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .args(["-c", "user.name=dev", "-c", "user.email=dev@example.com"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

impl Ci {
    fn new(project: Project) -> Ci {
        let outer = project.out.clone();
        let (origin, work, bin, gh, reports) = (
            outer.join("origin.git"),
            outer.join("work"),
            outer.join("bin"),
            outer.join("gh"),
            outer.join("reports"),
        );
        git(&project.repo, &["init", "-q", "-b", "main"]);
        git(&project.repo, &["add", "-A"]);
        git(
            &project.repo,
            &[
                "commit",
                "-q",
                "-m",
                "Vendor metallb and kube-state-metrics",
            ],
        );
        git(
            &outer,
            &["init", "-q", "--bare", "-b", "main", "origin.git"],
        );
        git(
            &project.repo,
            &["push", "-q", origin.to_str().unwrap(), "main"],
        );
        git(&outer, &["clone", "-q", origin.to_str().unwrap(), "work"]);
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::write(bin.join("gh"), GH_STUB).unwrap();
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_vendor"), bin.join("vendor")).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(bin.join("gh"), PermissionsExt::from_mode(0o755)).unwrap();
        Ci {
            project,
            origin,
            work,
            bin,
            gh,
            reports,
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        let path = format!(
            "{}:{}",
            self.bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut cmd = Command::new("bash");
        cmd.arg(script())
            .args(["--report-dir", self.reports.to_str().unwrap()])
            .args(args)
            .current_dir(&self.work)
            .env("PATH", path)
            .env("GH_STUB_DIR", &self.gh)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1");
        let o = self.project.env(&mut cmd).output().unwrap();
        // The run as a CI log shows it (seen with `cargo test update_prs -- --nocapture`).
        eprintln!(
            "$ vendor-update-prs.sh {}\n{}{}(exit {:?})\n",
            args.join(" "),
            stdout(&o),
            stderr(&o),
            o.status.code()
        );
        o
    }

    /// The `gh` calls so far, as argument lists.
    fn calls(&self) -> Vec<Vec<String>> {
        std::fs::read_to_string(self.gh.join("calls"))
            .unwrap_or_default()
            .lines()
            .map(|l| {
                l.trim_end_matches('\t')
                    .split('\t')
                    .map(str::to_string)
                    .collect()
            })
            .collect()
    }

    fn pr(&self, n: usize, field: &str) -> String {
        std::fs::read_to_string(self.gh.join(format!("prs/{n}/{field}"))).unwrap()
    }

    fn pr_count(&self) -> usize {
        std::fs::read_dir(self.gh.join("prs"))
            .map(Iterator::count)
            .unwrap_or(0)
    }

    /// Branch name → commit on origin.
    fn remote_branches(&self) -> Vec<(String, String)> {
        git(
            &self.origin,
            &["for-each-ref", "--format=%(refname:short) %(objectname)"],
        )
        .lines()
        .map(|l| {
            let (name, sha) = l.split_once(' ').unwrap();
            (name.to_string(), sha.to_string())
        })
        .collect()
    }

    fn sha(&self, rev: &str) -> String {
        git(&self.origin, &["rev-parse", rev])
    }

    /// The files a commit on origin changes relative to its parent.
    fn changed_files(&self, rev: &str) -> Vec<String> {
        git(
            &self.origin,
            &["diff", "--name-only", &format!("{rev}^"), rev],
        )
        .lines()
        .map(str::to_string)
        .collect()
    }

    fn file_at(&self, rev: &str, path: &str) -> String {
        git(&self.origin, &["show", &format!("{rev}:{path}")])
    }

    /// vendor.toml as committed at `rev` on origin, loaded.
    fn config_at(&self, rev: &str) -> vendor::config::Config {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vendor.toml");
        std::fs::write(&path, self.file_at(rev, "vendor.toml")).unwrap();
        vendor::config::load(&path).unwrap()
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn calls_of(calls: &[Vec<String>], what: &str) -> Vec<Vec<String>> {
    calls
        .iter()
        .filter(|c| c.len() > 1 && c[1] == what)
        .cloned()
        .collect()
}

#[test]
fn one_pull_request_per_entry_from_a_clean_base_and_reruns_update_them() {
    let server = upstream(Default::default());
    let ci = Ci::new(Project::synced(&server, &format!("{METALLB}{KSM}")));
    let main = ci.sha("main");

    let o = ci.run(&[]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    // metallb's update breaks a patch (vendor update exits 1): the PR is opened all the same.
    assert!(
        stderr(&o).contains("metallb: a patch no longer applies"),
        "{}",
        stderr(&o)
    );

    let branches = ci.remote_branches();
    let names: Vec<&str> = branches.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "main",
            "vendor/update-kube-state-metrics",
            "vendor/update-metallb"
        ]
    );
    // Each branch: one commit on main, with only its entry's changes.
    for (entry, other) in [
        ("metallb", "kube-state-metrics"),
        ("kube-state-metrics", "metallb"),
    ] {
        let branch = format!("vendor/update-{entry}");
        assert_eq!(
            ci.sha(&format!("{branch}^")),
            main,
            "{branch} starts from main"
        );
        let files = ci.changed_files(&branch);
        assert!(files.contains(&"vendor.toml".to_string()), "{files:?}");
        for f in &files {
            assert!(
                f == "vendor.toml" || f.starts_with(&format!("upstream/{entry}/")),
                "{branch} changes {f}"
            );
        }
        assert!(files.len() > 1, "{files:?}");
        // The other entry is exactly as on main (version and lock data); this one moved.
        let (new, old) = (ci.config_at(&branch), ci.config_at("main"));
        let (e, o) = (new.entry(other).unwrap(), old.entry(other).unwrap());
        assert_eq!((&e.version, &e.lock), (&o.version, &o.lock), "{branch}");
        let (e, o) = (new.entry(entry).unwrap(), old.entry(entry).unwrap());
        assert_ne!(e.version, o.version, "{branch}");
        assert_eq!(e.lock.as_ref().unwrap().version.as_ref(), Some(&e.version));
        let message = git(&ci.origin, &["log", "-1", "--format=%s%n%an", &branch]);
        assert!(
            message.starts_with(&format!("Update {entry} v")),
            "{message}"
        );
        assert!(message.ends_with("github-actions[bot]"), "{message}");
    }
    assert!(
        ci.file_at("vendor/update-metallb", "vendor.toml")
            .contains("version = \"v0.15.3\"")
    );
    assert!(
        ci.file_at("vendor/update-kube-state-metrics", "vendor.toml")
            .contains("version = \"v2.20.0\"")
    );

    // Two PRs, titled and described by the reports, against main.
    let calls = ci.calls();
    assert_eq!(calls_of(&calls, "create").len(), 2, "{calls:?}");
    assert_eq!(calls_of(&calls, "edit").len(), 0, "{calls:?}");
    let mut prs: Vec<(String, String, String)> = (1..=2)
        .map(|n| (ci.pr(n, "head"), ci.pr(n, "base"), ci.pr(n, "title")))
        .collect();
    prs.sort();
    assert_eq!(
        prs,
        [
            (
                "vendor/update-kube-state-metrics".to_string(),
                "main".to_string(),
                "Update kube-state-metrics v2.19.1 -> v2.20.0".to_string()
            ),
            (
                "vendor/update-metallb".to_string(),
                "main".to_string(),
                "Update metallb v0.14.9 -> v0.15.3".to_string()
            ),
        ]
    );
    for n in 1..=2 {
        let head = ci.pr(n, "head");
        let entry = head.trim_start_matches("vendor/update-");
        let body = ci.pr(n, "body");
        assert_eq!(
            body,
            std::fs::read_to_string(ci.reports.join(entry).join(format!("{entry}.md"))).unwrap()
        );
        assert!(body.starts_with(&format!("# Update {entry} v")), "{body}");
    }
    // The checkout is back on main, clean.
    assert_eq!(git(&ci.work, &["symbolic-ref", "--short", "HEAD"]), "main");
    assert_eq!(git(&ci.work, &["status", "--porcelain"]), "");

    // Again, nothing changed upstream or on main: no push, no second PR, the PRs are edited.
    let before = ci.remote_branches();
    let o = ci.run(&[]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    assert_eq!(ci.remote_branches(), before);
    assert!(
        stdout(&o).contains("vendor/update-metallb is current"),
        "{}",
        stdout(&o)
    );
    let calls = ci.calls();
    assert_eq!(calls_of(&calls, "create").len(), 2);
    let edits = calls_of(&calls, "edit");
    assert_eq!(edits.len(), 2, "{calls:?}");
    assert_eq!(ci.pr_count(), 2);

    // main moves on: each branch is rebuilt on the new main, and still one PR each.
    std::fs::write(ci.work.join("NOTES.md"), "unrelated change\n").unwrap();
    git(&ci.work, &["add", "NOTES.md"]);
    git(&ci.work, &["commit", "-q", "-m", "Notes"]);
    git(&ci.work, &["push", "-q", "origin", "main"]);
    let new_main = ci.sha("main");
    let o = ci.run(&[]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    for entry in ["metallb", "kube-state-metrics"] {
        let branch = format!("vendor/update-{entry}");
        assert_eq!(ci.sha(&format!("{branch}^")), new_main, "{branch}");
        assert!(
            !ci.changed_files(&branch).contains(&"NOTES.md".to_string()),
            "{branch}"
        );
    }
    assert_eq!(calls_of(&ci.calls(), "edit").len(), 4);
    assert_eq!(ci.pr_count(), 2);
}

#[test]
fn grouped_mode_opens_one_pull_request_for_every_entry() {
    let server = upstream(Default::default());
    let ci = Ci::new(Project::synced(&server, &format!("{METALLB}{KSM}")));
    let o = ci.run(&["--group"]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let names: Vec<String> = ci.remote_branches().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["main", "vendor/update-all"]);
    let files = ci.changed_files("vendor/update-all");
    assert!(files.iter().any(|f| f.starts_with("upstream/metallb/")));
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("upstream/kube-state-metrics/"))
    );
    assert_eq!(ci.pr_count(), 1);
    assert!(
        ci.pr(1, "title").starts_with("Update 2 upstream entries"),
        "{}",
        ci.pr(1, "title")
    );
    assert!(ci.pr(1, "body").contains("## metallb v0.14.9 → v0.15.3"));

    // Re-running keeps the one PR.
    let o = ci.run(&["--group"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(ci.pr_count(), 1);
    assert_eq!(calls_of(&ci.calls(), "edit").len(), 1);
}

#[test]
fn nothing_to_update_and_a_dirty_tree_open_nothing() {
    let server = upstream(Default::default());
    let ci = Ci::new(Project::synced(&server, &format!("{METALLB}{KSM}")));
    // Only kube-state-metrics, and only once it is current: nothing to do.
    let o = ci.run(&["--entry", "kube-state-metrics"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(ci.pr_count(), 1);
    assert!(ci.pr(1, "head").ends_with("kube-state-metrics"));

    std::fs::write(ci.work.join("stray.txt"), "x").unwrap();
    let o = ci.run(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("uncommitted changes"), "{}", stderr(&o));
    assert_eq!(calls_of(&ci.calls(), "create").len(), 1);
    std::fs::remove_file(ci.work.join("stray.txt")).unwrap();

    // The report directory must not be inside the repository (it would be committed).
    let o = Command::new("bash")
        .arg(script())
        .args(["--report-dir", "reports"])
        .current_dir(&ci.work)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("inside the repository"),
        "{}",
        stderr(&o)
    );
}
