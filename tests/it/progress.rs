//! Progress (issue 15, item 10) with the real binary and a real slow loopback server: live
//! lines on a terminal (a pseudo-terminal from `script(1)`) while a download runs, one plain line
//! per finished entry without a terminal, and nothing at all under `-q`.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{Reply, Server};

/// At least `size` bytes of valid Kubernetes YAML (ConfigMaps).
fn big_manifest(size: usize) -> Vec<u8> {
    let mut out = String::new();
    let filler = "x".repeat(1000);
    let mut i = 0;
    while out.len() < size {
        out.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\ndata:\n  k: {filler}\n"
        ));
        i += 1;
    }
    out.into_bytes()
}

fn small_manifest(name: &str) -> Vec<u8> {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n").into_bytes()
}

fn project(toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("vendor.toml"), toml).unwrap();
    dir
}

fn entry(name: &str, base: &str) -> String {
    format!(
        "[manifest.{name}]\nurl = \"{base}/{name}/{{version}}/{name}.yaml\"\nversion = \"v1.0.0\"\n"
    )
}

fn command(dir: &std::path::Path, program: &str) -> Command {
    let mut cmd = Command::new(program);
    cmd.current_dir(dir)
        .env("VENDOR_CACHE_DIR", dir.join(".cache-for-test"))
        .env("HELM_REPOSITORY_CONFIG", dir.join("no-helm-config.yaml"))
        .env_remove("VENDOR_HTTP_TIMEOUT");
    cmd
}

fn has_script() -> bool {
    Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Bytes the terminal showed, with the seconds since the start when they came.
type Shown = (f64, Vec<u8>);

/// A 4 MiB download that takes about 3 s: on a terminal, its progress (file, bytes so far of
/// the total, rate) shows while it runs, not only when it is done.
#[test]
fn a_slow_download_shows_its_progress_on_a_terminal_while_it_runs() {
    if !has_script() {
        assert!(
            std::env::var_os("CI").is_none(),
            "script(1) (util-linux) is needed for the terminal test"
        );
        eprintln!("skipped: script(1) is not installed");
        return;
    }
    let body = big_manifest(4 << 20);
    let total = body.len();
    let server = Server::start(Duration::ZERO, move |req, _| {
        if req.path().ends_with("slow.yaml") {
            Reply::Drip {
                body: body.clone(),
                chunk: 128 * 1024,
                every: Duration::from_millis(100),
            }
        } else {
            Reply::status(404)
        }
    });
    let dir = project(&entry("slow", &server.base));
    // script(1) runs the binary on a pseudo-terminal and copies what it draws to stdout.
    let line = format!("'{}' sync", env!("CARGO_BIN_EXE_vendor"));
    let mut child = command(dir.path(), "script")
        .args(["-q", "-e", "-f", "-c", &line, "/dev/null"])
        .env("TERM", "xterm")
        .env("COLUMNS", "120")
        .env_remove("CI")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    // Everything the terminal showed.
    let seen: Arc<Mutex<Vec<Shown>>> = Arc::default();
    let mut stdout = child.stdout.take().unwrap();
    let reader = {
        let seen = seen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let at = started.elapsed().as_secs_f64();
                seen.lock().unwrap().push((at, buf[..n].to_vec()));
            }
        })
    };
    let status = child.wait().unwrap();
    let ended = started.elapsed().as_secs_f64();
    reader.join().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let seen = seen.lock().unwrap().clone();
    let all: Vec<u8> = seen.iter().flat_map(|(_, b)| b.clone()).collect();
    let text = String::from_utf8_lossy(&all);
    assert!(status.success(), "{status:?}\n{text}\n{err}");
    assert!(
        std::fs::read(dir.path().join("upstream/slow/slow.yaml"))
            .unwrap()
            .len()
            == total,
        "the file was vendored"
    );
    // `1.25 MiB/4.00 MiB`: bytes so far of the announced total, drawn while the body arrived.
    // (The message column is padded to the terminal's width before the byte counts.)
    let progress = regex::Regex::new(
        r"downloading slow\.yaml +([0-9.]+) (B|KiB|MiB)/([0-9.]+) MiB \(([0-9.]+) (B|KiB|MiB)/s\)",
    )
    .unwrap();
    let mut partial_at = None;
    let mut shown = String::new();
    for (at, chunk) in &seen {
        shown.push_str(&String::from_utf8_lossy(chunk));
        if partial_at.is_none()
            && let Some(c) = progress.captures_iter(&shown).find(|c| {
                let so_far = c[1].parse::<f64>().unwrap()
                    * match &c[2] {
                        "MiB" => 1024.0 * 1024.0,
                        "KiB" => 1024.0,
                        _ => 1.0,
                    };
                so_far > 0.0 && so_far < total as f64 * 0.9
            })
        {
            partial_at = Some((*at, c[0].to_string()));
        }
    }
    let (at, what) = partial_at.unwrap_or_else(|| panic!("no partial progress shown:\n{text:?}"));
    assert!(
        at + 1.0 < ended,
        "progress `{what}` first shown at {at:.1}s, the run ended at {ended:.1}s"
    );
    assert!(text.contains("slow v1.0.0"), "the entry is named: {text:?}");
}

/// Without a terminal (a CI log, a pipe): one plain line per finished entry, no escape
/// sequences, no carriage returns.
#[test]
fn without_a_terminal_each_finished_entry_is_one_line() {
    let server = Server::start(Duration::ZERO, |req, _| {
        let name = req.path().rsplit('/').next().unwrap_or("");
        match name.strip_suffix(".yaml") {
            Some(n @ ("a" | "b")) => Reply::Ok(small_manifest(n)),
            _ => Reply::status(404),
        }
    });
    let dir = project(&format!(
        "{}{}",
        entry("a", &server.base),
        entry("b", &server.base)
    ));
    let out = command(dir.path(), env!("CARGO_BIN_EXE_vendor"))
        .arg("sync")
        .env("CI", "true")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    let mut lines: Vec<&str> = err.lines().collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            "fetched a v1.0.0 (downloaded)",
            "fetched b v1.0.0 (downloaded)"
        ],
        "{err:?}"
    );
    assert!(!err.contains(['\r', '\x1b']), "{err:?}");
}

/// `-q`: nothing on stdout or stderr when all goes well, for each command that shows progress.
#[test]
fn quiet_prints_nothing_on_success() {
    let server = Server::start(Duration::ZERO, |req, _| {
        if req.path().ends_with("/a.yaml") {
            Reply::Ok(small_manifest("a"))
        } else {
            Reply::status(404)
        }
    });
    let dir = project(&entry("a", &server.base));
    for args in [
        &["sync", "-q"][..],
        &["sync", "-q", "--locked"],
        &["diff", "-q", "a"],
        // A clean check: not even the summary line.
        &["check", "-q"],
    ] {
        let out = command(dir.path(), env!("CARGO_BIN_EXE_vendor"))
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        assert_eq!(
            (
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
            ("".into(), "".into()),
            "{args:?}"
        );
    }
}
