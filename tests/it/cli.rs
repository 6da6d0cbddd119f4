//! The command line as a user meets it: help layout, man pages, a closed stdout pipe, and the mode
//! of the files `vendor` creates.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::update::{KSM, METALLB, Project, upstream};

/// Every subcommand, as `vendor --help` should list it.
const COMMANDS: &[&str] = &[
    "check", "sync", "outdated", "update", "diff", "build", "template", "images", "init",
    "generate",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn vendor(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vendor"));
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    cmd
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The subcommands listed under `Commands:` in `vendor --help`.
fn listed_commands() -> Vec<String> {
    let o = vendor(&root()).arg("--help").output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    text(&o.stdout)
        .lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect()
}

#[test]
fn every_command_is_listed_in_help_with_global_options_apart() {
    assert_eq!(listed_commands(), COMMANDS);
    for c in COMMANDS {
        let o = vendor(&root())
            .args([c, "--help"])
            .env("COLUMNS", "100")
            .output()
            .unwrap();
        let help = text(&o.stdout);
        // The global options follow their own heading, after the command's own options.
        let (own, global) = help
            .split_once("\nGlobal options:\n")
            .unwrap_or_else(|| panic!("vendor {c} --help has no Global options heading:\n{help}"));
        for g in [
            "--manifest-path",
            "--format",
            "--color",
            "--quiet",
            "--verbose",
            "--jobs",
        ] {
            assert!(
                global.contains(g),
                "vendor {c} --help: {g} under Global options"
            );
            assert!(
                !own.contains(g),
                "vendor {c} --help: {g} among the command's options"
            );
        }
    }
    // The real -j default.
    let o = vendor(&root()).arg("--help").output().unwrap();
    assert!(
        text(&o.stdout).contains("(default: 16)"),
        "{}",
        text(&o.stdout)
    );
}

/// A line of wrapped text that ends inside a hyphenated word: `image-` then `floating-tag` on
/// the next line, or groff's hyphenation mark.
fn broken_at_hyphen(line: &str) -> bool {
    let line = line.trim_end();
    line.ends_with('\u{2010}')
        || (line.ends_with('-') && line.chars().rev().nth(1).is_some_and(char::is_alphanumeric))
}

#[test]
fn help_never_breaks_names_or_codes_at_hyphens() {
    let mut checked = 0;
    for width in [24, 32, 40, 52, 64, 80, 100] {
        for c in COMMANDS.iter().map(|c| vec![*c]).chain([vec![]]) {
            let o = vendor(&root())
                .args(&c)
                .arg("--help")
                .env("COLUMNS", width.to_string())
                .output()
                .unwrap();
            assert_eq!(o.status.code(), Some(0));
            let help = text(&o.stdout);
            for line in help.lines() {
                assert!(
                    !broken_at_hyphen(line),
                    "vendor {c:?} --help at {width} columns breaks a word at a hyphen: {line:?}\n{help}"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 7 * (COMMANDS.len() + 1));
}

#[test]
fn one_man_page_per_subcommand_and_the_main_page_points_to_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    let o = vendor(dir.path())
        .args(["generate", "man", "--dir"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let main = std::fs::read_to_string(out.join("vendor.1")).unwrap();
    for c in COMMANDS {
        let page = out.join(format!("vendor-{c}.1"));
        let body =
            std::fs::read_to_string(&page).unwrap_or_else(|e| panic!("{}: {e}", page.display()));
        assert!(
            body.contains(&format!("\n.TH vendor-{c} 1")),
            "{}",
            page.display()
        );
        assert!(
            main.contains(&format!("vendor\\-{c}(1)")),
            "vendor.1 points to vendor-{c}(1)"
        );
    }
    // Nested commands get their pages too; clap's `help` does not.
    assert!(out.join("vendor-generate-man.1").exists());
    assert!(!out.join("vendor-help.1").exists());
    // Without --dir, the main page goes to stdout.
    let o = vendor(dir.path())
        .args(["generate", "man"])
        .output()
        .unwrap();
    assert_eq!(text(&o.stdout), main);

    // Rendered by groff (as man(1) does) at any width, no word is broken at a hyphen.
    if Command::new("groff").arg("--version").output().is_err() {
        println!("groff is not installed: the rendering check is skipped");
        return;
    }
    for e in std::fs::read_dir(&out).unwrap() {
        let page = e.unwrap().path();
        for width in [30, 45, 60, 80] {
            let o = Command::new("groff")
                .args(["-man", "-Tutf8", "-P-cbou"])
                .arg(format!("-rLL={width}n"))
                .arg(&page)
                .output()
                .unwrap();
            let rendered = text(&o.stdout);
            assert!(rendered.contains("SYNOPSIS"), "{rendered}");
            for line in rendered.lines() {
                assert!(
                    !broken_at_hyphen(line),
                    "{} at {width} columns: {line:?}",
                    page.display()
                );
            }
        }
    }
}

/// Runs `cmd` with a stdout pipe whose reading end is already closed, as `vendor ... | head`
/// sees it once `head` has exited: every write fails with EPIPE.
fn with_closed_stdout(cmd: &mut Command) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    cmd.stdout(writer).stderr(Stdio::piped()).output().unwrap()
}

fn assert_quiet_success(what: &str, o: &Output) {
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{what}: {err}");
    for noise in ["Broken pipe", "os error 32", "panicked"] {
        assert!(!err.contains(noise), "{what}: {err}");
    }
}

#[test]
fn a_closed_stdout_pipe_ends_every_command_quietly() {
    let chart = crate::common::fixtures().join("charts/metallb/0.15.3");
    let chart = chart.to_str().unwrap();
    let offline: &[&[&str]] = &[
        &["check"],
        &["--format", "json", "check"],
        &["images"],
        &["diff", "upstream/argocd", "upstream/argocd-ha"],
        &[
            "--format",
            "markdown",
            "diff",
            "upstream/argocd",
            "upstream/argocd-ha",
        ],
        &["build", "patches/metallb"],
        &["template", "metallb", chart],
        &["generate", "man"],
        &["generate", "completions", "bash"],
        &["generate", "schema"],
        &["--help"],
        &["check", "--help"],
        &["--version"],
    ];
    for args in offline {
        let o = with_closed_stdout(vendor(&root()).args(*args));
        assert_quiet_success(&format!("vendor {}", args.join(" ")), &o);
    }

    // The commands that ask upstream, against a loopback one.
    let server = upstream(Default::default());
    let p = Project::synced(&server, &format!("{METALLB}{KSM}"));
    let online: &[&[&str]] = &[
        &["sync"],
        &["--format", "json", "sync"],
        &["outdated"],
        &["diff", "metallb", "--to", "v0.15.3"],
        &["update", "--dry-run"],
        &["update", "kube-state-metrics"],
    ];
    for args in online {
        let mut cmd = vendor(&p.repo);
        p.env(&mut cmd).args(*args);
        let o = with_closed_stdout(&mut cmd);
        assert_quiet_success(&format!("vendor {}", args.join(" ")), &o);
    }
    // The update went through although nobody read what it printed.
    let toml = std::fs::read_to_string(p.repo.join("vendor.toml")).unwrap();
    assert!(toml.contains("version = \"v2.20.0\""), "{toml}");

    // `init` prints nothing on stdout; it still exits 0.
    let dir = tempfile::tempdir().unwrap();
    let o = with_closed_stdout(vendor(dir.path()).arg("init"));
    assert_quiet_success("vendor init", &o);
    assert!(dir.path().join("vendor.toml").exists());
}

/// Runs `vendor ARGS` in `dir` under `umask`.
fn under_umask(umask: &str, dir: &Path, args: &[&str], project: Option<&Project>) -> Output {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_vendor"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1");
    if let Some(p) = project {
        p.env(&mut cmd);
    }
    cmd.output().unwrap()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn created_files_are_world_readable_unless_the_umask_says_otherwise() {
    for (umask, expected) in [("022", 0o644), ("002", 0o664), ("077", 0o600)] {
        let dir = tempfile::tempdir().unwrap();
        let o = under_umask(umask, dir.path(), &["init"], None);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        assert_eq!(
            mode(&dir.path().join("vendor.toml")),
            expected,
            "vendor.toml from `init` under umask {umask}"
        );
    }

    // Every report file `update` writes; an existing file keeps its mode.
    let server = upstream(Default::default());
    let p = Project::synced(&server, &format!("{METALLB}{KSM}"));
    let out = p.out.to_str().unwrap().to_string();
    std::fs::write(p.out.join("kept.md"), "old").unwrap();
    std::fs::set_permissions(p.out.join("kept.md"), PermissionsExt::from_mode(0o640)).unwrap();
    let report_dir = format!("{out}/reports");
    let o = under_umask(
        "022",
        &p.repo,
        &[
            "update",
            "--dry-run",
            "--report",
            &format!("{out}/body.md"),
            "--json",
            &format!("{out}/report.json"),
            "--commit-message",
            &format!("{out}/msg.txt"),
            "--report-dir",
            &report_dir,
        ],
        Some(&p),
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let mut files = vec![
        p.out.join("body.md"),
        p.out.join("report.json"),
        p.out.join("msg.txt"),
    ];
    for e in std::fs::read_dir(&report_dir).unwrap() {
        files.push(e.unwrap().path());
    }
    assert_eq!(files.len(), 3 + 6, "{files:?}");
    for f in &files {
        assert_eq!(mode(f), 0o644, "{}", f.display());
    }
    let o = under_umask(
        "022",
        &p.repo,
        &["update", "--dry-run", "--report", &format!("{out}/kept.md")],
        Some(&p),
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert_ne!(
        std::fs::read_to_string(p.out.join("kept.md")).unwrap(),
        "old"
    );
    assert_eq!(mode(&p.out.join("kept.md")), 0o640);
}
