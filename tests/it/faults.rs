//! Nothing is lost under faults and concurrency (issue 11, items 7 and 8), with real `vendor`
//! processes against a loopback server:
//!
//! - two runs racing: the repository lock serialises them (or `--no-wait` refuses), and both
//!   runs' lock data end up in vendor.toml;
//! - a fault at every step of the transaction that replaces the vendored trees and vendor.toml
//!   (failpoints compiled into the test build: an I/O error, or an abort as `kill -9` would),
//!   and real `kill -9` at random times: after the next writing command the repository is
//!   exactly its old state or exactly its new one, `check` agrees, and nothing is left behind;
//! - leftovers of versions before the journal (`upstream/.NAME.old`, staging directories,
//!   `.tmpXXXXXX` beside vendor.toml): `check` reports them, the next sync repairs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::{Reply, Server, snapshot};

/// A manifest file as the loopback upstream serves it: a ConfigMap named after the path.
fn manifest(path: &str) -> Vec<u8> {
    let name: String = path
        .trim_start_matches('/')
        .replace(['/', '.'], "-")
        .to_ascii_lowercase();
    let filler = "x".repeat(2000);
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  path: \"{path}\"\n  filler: \"{filler}\"\n"
    )
    .into_bytes()
}

/// Serves `/raw/...` manifests and `/index.yaml` (versions 1.0.0 and 2.0.0 of every entry).
fn upstream(latency: Duration) -> Server {
    Server::start(latency, |req, _| {
        let p = req.path();
        if p == "/index.yaml" {
            let mut out = String::from("apiVersion: v1\nentries:\n");
            for name in ["a", "b", "c", "d", "e", "f"] {
                out.push_str(&format!("  {name}:\n"));
                for v in ["2.0.0", "1.0.0"] {
                    out.push_str(&format!(
                        "  - name: {name}\n    version: {v}\n    urls:\n    - {name}-{v}.tgz\n"
                    ));
                }
            }
            out.push_str("generated: \"2025-01-01T00:00:00Z\"\n");
            return Reply::Ok(out.into_bytes());
        }
        if p.starts_with("/raw/") && p.ends_with(".yaml") {
            return Reply::Ok(manifest(p));
        }
        Reply::status(404)
    })
}

/// vendor.toml with `names` at `version`, each with `files` manifest URLs.
fn vendor_toml(base: &str, names: &[&str], version: &str, files: usize) -> String {
    let mut out =
        String::from("# Fault-injection repository.\n[settings]\nkube-version = \"1.31.0\"\n");
    for n in names {
        let urls: Vec<String> = (0..files)
            .map(|i| format!("  \"{base}/raw/{n}/{{version}}/f{i}.yaml\",\n"))
            .collect();
        out.push_str(&format!(
            "\n[manifest.{n}]\nurl = [\n{}]\nversion = \"{version}\"\ntrack = \">=1\"\nversions = {{ helm-index = \"{base}\", chart = \"{n}\" }}\n",
            urls.concat()
        ));
    }
    out
}

/// A repository and the environment its `vendor` processes run in (own cache and TMPDIR, so
/// that leftover temporary directories can be counted).
struct Repo {
    dir: tempfile::TempDir,
    tmp: tempfile::TempDir,
    cache: Arc<tempfile::TempDir>,
}

impl Repo {
    fn new(cache: &Arc<tempfile::TempDir>) -> Repo {
        Repo {
            dir: tempfile::tempdir().unwrap(),
            tmp: tempfile::tempdir().unwrap(),
            cache: cache.clone(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self, args: &[&str], failpoints: Option<&str>) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_vendor"));
        cmd.args(args)
            .current_dir(self.path())
            .env("VENDOR_CACHE_DIR", self.cache.path())
            .env("TMPDIR", self.tmp.path())
            .env("NO_COLOR", "1")
            .env_remove("FAILPOINTS")
            .stdin(Stdio::null());
        if let Some(f) = failpoints {
            cmd.env("FAILPOINTS", f);
        }
        cmd
    }

    fn run(&self, args: &[&str], failpoints: Option<&str>) -> Output {
        self.command(args, failpoints).output().unwrap()
    }

    /// Every file and directory of the repository except the lock in `.vendor/`.
    fn state(&self) -> BTreeMap<String, Vec<u8>> {
        let mut s = snapshot(self.path());
        s.remove(".vendor/");
        s.remove(".vendor/lock");
        s.remove(".vendor/.gitignore");
        s
    }

    /// Replaces the repository's content with `state`.
    fn set_state(&self, state: &BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(self.path()).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                std::fs::remove_dir_all(&p).unwrap();
            } else {
                std::fs::remove_file(&p).unwrap();
            }
        }
        for (k, v) in state {
            let p = self.path().join(k);
            if k.ends_with('/') {
                std::fs::create_dir_all(&p).unwrap();
            } else {
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(&p, v).unwrap();
            }
        }
    }

    /// Temporary directories of `vendor` processes left in this repository's TMPDIR.
    fn temp_leftovers(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.tmp.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect()
    }
}

/// stderr with miette's line wrapping and gutters undone.
fn flat_stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr)
        .split_whitespace()
        .filter(|w| !matches!(*w, "|" | "│"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Files of a state that no run should leave behind.
fn stray(state: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    state
        .keys()
        .filter(|k| {
            let name = k.trim_end_matches('/').rsplit('/').next().unwrap_or("");
            (name.starts_with('.') && *k != ".vendor/") || k.starts_with(".vendor/")
        })
        .cloned()
        .collect()
}

/// The old and new states of a two-entry change made by `command` (`sync`: versions bumped by
/// hand, `update`: moved by the tool), the repository they were computed in, and the cache.
struct Scenario {
    command: &'static str,
    old: BTreeMap<String, Vec<u8>>,
    new: BTreeMap<String, Vec<u8>>,
    cache: Arc<tempfile::TempDir>,
    _server: Server,
}

impl Scenario {
    fn new(command: &'static str, names: &[&str], files: usize) -> Scenario {
        let server = upstream(Duration::ZERO);
        let cache = Arc::new(tempfile::tempdir().unwrap());
        let repo = Repo::new(&cache);
        std::fs::write(
            repo.path().join("vendor.toml"),
            vendor_toml(&server.base, names, "1.0.0", files),
        )
        .unwrap();
        let o = repo.run(&["sync"], None);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        if command == "sync" {
            let t = std::fs::read_to_string(repo.path().join("vendor.toml")).unwrap();
            std::fs::write(
                repo.path().join("vendor.toml"),
                t.replace("version = \"1.0.0\"\ntrack", "version = \"2.0.0\"\ntrack"),
            )
            .unwrap();
        }
        let old = repo.state();
        let o = repo.run(&[command], None);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let new = repo.state();
        assert_ne!(old, new);
        assert!(stray(&new).is_empty(), "{:?}", stray(&new));
        Scenario {
            command,
            old,
            new,
            cache,
            _server: server,
        }
    }

    fn fresh(&self) -> Repo {
        let r = Repo::new(&self.cache);
        r.set_state(&self.old);
        r
    }

    /// Which of the two states `repo` is in (`None`: neither).
    fn which(&self, repo: &Repo) -> Option<&'static str> {
        let s = repo.state();
        if s == self.old {
            Some("old")
        } else if s == self.new {
            Some("new")
        } else {
            None
        }
    }

    /// Describes how `repo` differs from both states.
    fn diff(&self, repo: &Repo) -> String {
        let s = repo.state();
        let keys = |a: &BTreeMap<String, Vec<u8>>| {
            let mut d: Vec<String> = s
                .iter()
                .filter(|(k, v)| a.get(*k) != Some(*v))
                .map(|(k, _)| format!("+{k}"))
                .collect();
            d.extend(
                a.keys()
                    .filter(|k| !s.contains_key(*k))
                    .map(|k| format!("-{k}")),
            );
            d
        };
        format!(
            "vs old: {:?}\nvs new: {:?}",
            keys(&self.old),
            keys(&self.new)
        )
    }

    /// `check`: exit 0 on the new state; on the old one, for `sync`, only `not-synced` (the
    /// versions were bumped by hand), for `update`, exit 0 too.
    fn assert_check_agrees(&self, repo: &Repo, side: &str, label: &str) {
        let o = repo.run(&["--format", "json", "check"], None);
        let json: serde_json::Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{label}: {e}: {}", text(&o)));
        let codes: Vec<&str> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap())
            .collect();
        if side == "new" || self.command == "update" {
            assert_eq!(o.status.code(), Some(0), "{label}: {}", text(&o));
        } else {
            assert!(
                codes.iter().all(|c| *c == "not-synced"),
                "{label}: {codes:?}"
            );
        }
    }
}

/// Runs `repo`'s recovery: a writing command stopped by a failpoint right after it recovered
/// and swept.
fn recover(repo: &Repo, label: &str) {
    let o = repo.run(&["sync"], Some("after-recovery=return"));
    assert_eq!(o.status.code(), Some(2), "{label}: {}", text(&o));
    assert!(
        flat_stderr(&o).contains("stopped after recovery"),
        "{label}: {}",
        text(&o)
    );
}

/// Whether `check` reports `interrupted-write`.
fn check_reports_interrupted(repo: &Repo) -> bool {
    let o = repo.run(&["--format", "json", "check"], None);
    String::from_utf8_lossy(&o.stdout).contains("\"interrupted-write\"")
}

/// (failpoint, hit, side the repository must end on after a crash there).
const STEPS: &[(&str, usize, &str)] = &[
    ("stage-config", 1, "old"),
    ("stage-write", 1, "old"),
    ("stage-write", 2, "old"),
    ("stage-fsync", 1, "old"),
    ("stage-fsync", 2, "old"),
    ("journal-write", 1, "old"),
    ("journal-commit", 1, "old"),
    ("swap-backup", 1, "new"),
    ("swap-backup", 2, "new"),
    ("swap-install", 1, "new"),
    ("swap-install", 2, "new"),
    ("config-install", 1, "new"),
    ("commit-fsync", 1, "new"),
    ("cleanup-backup", 1, "new"),
    ("cleanup-backup", 2, "new"),
    ("journal-remove", 1, "new"),
];

/// Steps after which an I/O error leaves the change in place (only the cleanup failed).
fn error_leaves_new(point: &str) -> bool {
    matches!(point, "commit-fsync" | "cleanup-backup" | "journal-remove")
}

fn spec(point: &str, hit: usize, action: &str) -> String {
    if hit == 1 {
        format!("{point}={action}")
    } else {
        format!("{point}={}*off->{action}", hit - 1)
    }
}

/// Every step of the transaction, both faults, for one command. Returns the outcome table.
fn fault_matrix(command: &'static str) -> Vec<String> {
    let sc = Scenario::new(command, &["a", "b"], 3);
    let mut table = Vec::new();
    for &(point, hit, crash_side) in STEPS {
        for mode in ["error", "crash"] {
            let label = format!("{command} {point}#{hit} {mode}");
            let repo = sc.fresh();
            let action = if mode == "crash" {
                "return(crash)"
            } else {
                "return"
            };
            let o = repo.run(&[command], Some(&spec(point, hit, action)));
            let (expect_side, immediate) = if mode == "crash" {
                assert_eq!(
                    o.status.code(),
                    None,
                    "{label}: killed by a signal: {}",
                    text(&o)
                );
                (crash_side, None)
            } else {
                assert_eq!(o.status.code(), Some(2), "{label}: {}", text(&o));
                let stderr = flat_stderr(&o);
                assert!(stderr.contains("failpoint"), "{label}: {stderr}");
                if error_leaves_new(point) {
                    assert!(stderr.contains("is in place"), "{label}: {stderr}");
                    ("new", Some("new+leftovers"))
                } else {
                    // Undone in-process: exactly the old state, nothing left behind, at once.
                    assert_eq!(sc.which(&repo), Some("old"), "{label}: {}", sc.diff(&repo));
                    assert!(repo.temp_leftovers().is_empty(), "{label}");
                    ("old", Some("old"))
                }
            };
            let left = stray(&repo.state());
            let reported = check_reports_interrupted(&repo);
            assert_eq!(reported, !left.is_empty(), "{label}: leftovers {left:?}");
            recover(&repo, &label);
            assert_eq!(
                sc.which(&repo),
                Some(expect_side),
                "{label}: after recovery: {}",
                sc.diff(&repo)
            );
            assert!(
                repo.temp_leftovers().is_empty(),
                "{label}: {:?}",
                repo.temp_leftovers()
            );
            sc.assert_check_agrees(&repo, expect_side, &label);
            table.push(format!(
                "{label:<36} exit {:<4} leftovers {:<2} -> {}{}",
                o.status.code().map_or("sig".to_string(), |c| c.to_string()),
                left.len(),
                expect_side,
                immediate.map_or(String::new(), |i| format!(" (before recovery: {i})"))
            ));
        }
    }
    table
}

#[test]
fn fault_at_every_step_of_sync_leaves_old_or_new_and_nothing_behind() {
    let table = fault_matrix("sync");
    eprintln!("sync: {} faults\n{}", table.len(), table.join("\n"));
    assert_eq!(table.len(), STEPS.len() * 2);
}

#[test]
fn fault_at_every_step_of_update_leaves_old_or_new_and_nothing_behind() {
    let table = fault_matrix("update");
    eprintln!("update: {} faults\n{}", table.len(), table.join("\n"));
    assert_eq!(table.len(), STEPS.len() * 2);
}

/// A crash, then faults in the recovery itself: the next run still completes.
#[test]
fn faults_during_recovery_are_recovered_too() {
    let sc = Scenario::new("sync", &["a", "b"], 2);
    for (first, second) in [
        (
            "swap-install=1*off->return(crash)",
            "recover-step=return(crash)",
        ),
        ("swap-backup=return(crash)", "recover-step=return"),
        (
            "swap-backup=1*off->return(crash)",
            "swap-backup=return(crash)",
        ),
        (
            "config-install=return(crash)",
            "journal-remove=return(crash)",
        ),
        ("swap-install=return(crash)", "cleanup-backup=return(crash)"),
        ("swap-install=return(crash)", "journal-remove=return"),
    ] {
        let label = format!("{first} then {second}");
        let repo = sc.fresh();
        let o = repo.run(&["sync"], Some(first));
        assert_eq!(o.status.code(), None, "{label}: {}", text(&o));
        let o = repo.run(&["sync"], Some(second));
        assert_ne!(o.status.code(), Some(0), "{label}: {}", text(&o));
        assert!(check_reports_interrupted(&repo), "{label}");
        recover(&repo, &label);
        assert_eq!(sc.which(&repo), Some("new"), "{label}: {}", sc.diff(&repo));
        assert!(repo.temp_leftovers().is_empty(), "{label}");
        sc.assert_check_agrees(&repo, "new", &label);
    }
}

/// vendor.toml edited by hand after a crash mid-swap: recovery undoes the swap instead of
/// overwriting the edit, so the trees match the lock data of the edited file.
#[test]
fn recovery_rolls_back_when_vendor_toml_was_edited_after_the_crash() {
    let sc = Scenario::new("update", &["a", "b"], 2);
    let repo = sc.fresh();
    let o = repo.run(&["update"], Some("swap-install=1*off->return(crash)"));
    assert_eq!(o.status.code(), None, "{}", text(&o));
    let toml = repo.path().join("vendor.toml");
    let edited = format!(
        "{}# a comment added by hand\n",
        std::fs::read_to_string(&toml).unwrap()
    );
    std::fs::write(&toml, &edited).unwrap();
    let o = repo.run(&["sync"], Some("after-recovery=return"));
    let stderr = flat_stderr(&o);
    assert!(stderr.contains("rolled back"), "{}", text(&o));
    assert!(
        stderr.contains("changed after the interrupted run"),
        "{}",
        text(&o)
    );
    let mut expected = sc.old.clone();
    expected.insert("vendor.toml".into(), edited.into_bytes());
    assert_eq!(repo.state(), expected);
    sc.assert_check_agrees(&repo, "old", "edited");
}

/// Real `kill -9` of `vendor sync` at random times: over the whole run, and over a run whose
/// commit steps are slowed down (failpoint `sleep`) so that kills land inside the transaction.
#[test]
fn kill_9_at_random_points_leaves_old_or_new_and_nothing_behind() {
    let names = ["a", "b", "c", "d"];
    let sc = Scenario::new("sync", &names, 8);
    let slow = "stage-fsync=sleep(15);journal-commit=sleep(15);swap-backup=sleep(15);swap-install=sleep(15);config-install=sleep(15);commit-fsync=sleep(15);cleanup-backup=sleep(15);journal-remove=sleep(15)";
    let mut seed: u64 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("kill -9 seed {seed}");
    let mut random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut figures = Vec::new();
    for (series, failpoints, runs) in [("whole run", None, 6), ("slowed commit", Some(slow), 10)] {
        // How long an uninterrupted run takes.
        let repo = sc.fresh();
        let t0 = Instant::now();
        let o = repo.run(&["sync"], failpoints);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let full = t0.elapsed();
        let (mut old, mut new, mut finished, mut with_leftovers, mut journal) = (0, 0, 0, 0, 0);
        for i in 0..runs {
            let repo = sc.fresh();
            let at = Duration::from_micros(random() % (full.as_micros() as u64 + 1));
            let mut child = repo
                .command(&["sync"], failpoints)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(at);
            let _ = child.kill(); // SIGKILL
            let status = child.wait().unwrap();
            if status.success() {
                finished += 1;
            }
            let left = stray(&repo.state());
            if !left.is_empty() {
                with_leftovers += 1;
            }
            if left.iter().any(|l| l == ".vendor/journal.json") {
                journal += 1;
            }
            let label = format!("{series} #{i} killed at {at:?} of {full:?}");
            assert_eq!(
                check_reports_interrupted(&repo),
                !left.is_empty(),
                "{label}: {left:?}"
            );
            recover(&repo, &label);
            let side = sc.which(&repo);
            assert!(side.is_some(), "{label}: {}", sc.diff(&repo));
            assert!(repo.temp_leftovers().is_empty(), "{label}");
            sc.assert_check_agrees(&repo, side.unwrap(), &label);
            if side == Some("old") {
                old += 1;
            } else {
                new += 1;
            }
        }
        figures.push(format!(
            "{series}: {runs} kills over {full:?}: {finished} finished first, {with_leftovers} left files ({journal} a journal); after recovery {old} old, {new} new, 0 mixed, 0 leftovers"
        ));
    }
    eprintln!("{}", figures.join("\n"));
}

/// Leftovers of vendor versions before the journal, as the issue found them: `check` reports
/// each with `interrupted-write`; the next sync repairs (it used to fail with "Directory not
/// empty" forever).
#[test]
fn leftovers_of_older_versions_are_reported_and_repaired() {
    let sc = Scenario::new("update", &["a", "b"], 2);
    let repo = sc.fresh();
    let up = repo.path().join("upstream");
    // `a`: killed after the new tree went in, before the backup was removed.
    crate::common::copy_dir(&up.join("a"), &up.join(".a.old"));
    // `b`: killed between the two renames.
    std::fs::rename(up.join("b"), up.join(".b.old")).unwrap();
    std::fs::create_dir_all(up.join(".b.staging-Xy12Ab/sub")).unwrap();
    std::fs::write(up.join(".b.staging-Xy12Ab/sub/x.yaml"), "x").unwrap();
    std::fs::copy(
        repo.path().join("vendor.toml"),
        repo.path().join(".tmpQw3Er5"),
    )
    .unwrap();
    let o = repo.run(&["check"], None);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    for shown in [
        "upstream/.a.old",
        "upstream/.b.old",
        "upstream/.b.staging-Xy12Ab",
        ".tmpQw3Er5",
    ] {
        assert!(
            out.lines()
                .any(|l| l.contains("interrupted-write") && l.contains(shown))
                || out.contains(&format!("{shown}: a `vendor` run was killed"))
                || out.contains(&format!("{shown} was left behind")),
            "{shown}: {out}"
        );
    }
    assert!(out.contains("run `vendor sync`"), "{out}");
    let o = repo.run(&["sync"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(sc.which(&repo), Some("old"), "{}", sc.diff(&repo));
    let o = repo.run(&["check"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// Two `vendor sync` processes on disjoint entries against a slow server: the second waits for
/// the repository lock (and says so), both exit 0, and both entries' lock data are in
/// vendor.toml.
#[test]
fn two_syncs_racing_on_disjoint_entries_both_keep_their_lock_data() {
    let server = upstream(Duration::from_millis(300));
    let cache = Arc::new(tempfile::tempdir().unwrap());
    let repo = Repo::new(&cache);
    std::fs::write(
        repo.path().join("vendor.toml"),
        vendor_toml(&server.base, &["a", "b"], "1.0.0", 2),
    )
    .unwrap();
    let a = repo
        .command(&["sync", "a"], None)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let b = repo
        .command(&["sync", "b"], None)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert_eq!(a.status.code(), Some(0), "{}", text(&a));
    assert_eq!(b.status.code(), Some(0), "{}", text(&b));
    let toml = std::fs::read_to_string(repo.path().join("vendor.toml")).unwrap();
    assert!(toml.contains("[manifest.a.lock]"), "{toml}");
    assert!(toml.contains("[manifest.b.lock]"), "{toml}");
    let waited = [&a, &b]
        .iter()
        .filter(|o| String::from_utf8_lossy(&o.stderr).contains("waiting for "))
        .count();
    assert_eq!(
        waited,
        1,
        "one run waits for the other:\n{}\n{}",
        text(&a),
        text(&b)
    );
    let o = repo.run(&["check"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// `--no-wait`: a writing command fails at once (exit 2) while another holds the lock, naming
/// the holder; read-only commands do not wait.
#[test]
fn no_wait_fails_fast_naming_the_holder() {
    let server = upstream(Duration::from_millis(700));
    let cache = Arc::new(tempfile::tempdir().unwrap());
    let repo = Repo::new(&cache);
    std::fs::write(
        repo.path().join("vendor.toml"),
        vendor_toml(&server.base, &["a", "b"], "1.0.0", 2),
    )
    .unwrap();
    let mut first = repo
        .command(&["sync", "a"], None)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lock = repo.path().join(".vendor/lock");
    let deadline = Instant::now() + Duration::from_secs(20);
    let pid = format!("pid = {}", first.id());
    while !std::fs::read_to_string(&lock)
        .unwrap_or_default()
        .contains(&pid)
    {
        assert!(
            Instant::now() < deadline,
            "the first run never took the lock"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    for args in [
        &["sync", "b", "--no-wait"][..],
        &["update", "b", "--no-wait"][..],
    ] {
        let t0 = Instant::now();
        let o = repo.run(args, None);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(t0.elapsed() < Duration::from_secs(5), "{args:?} waited");
        let stderr = flat_stderr(&o);
        assert!(
            stderr.contains(&format!("locked by process {}", first.id()))
                && stderr.contains("`vendor sync`"),
            "{args:?}: {stderr}"
        );
    }
    // Read-only commands neither wait nor report the run in progress as interrupted.
    let o = repo.run(&["--format", "json", "check"], None);
    assert!(
        !String::from_utf8_lossy(&o.stdout).contains("interrupted-write"),
        "{}",
        text(&o)
    );
    assert!(first.wait().unwrap().success());
    let o = repo.run(&["sync", "b", "--no-wait"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let ignore = std::fs::read_to_string(repo.path().join(".vendor/.gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "*"), "{ignore}");
    let _ = Arc::strong_count(&cache);
}
