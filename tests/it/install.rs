//! Releases and installs: `scripts/build-release.sh` packages the binary this test suite built as
//! a release would, `scripts/install.sh` (what the GitHub Action runs) installs it from a loopback
//! "GitHub releases" server, verifying it against SHA256SUMS.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use crate::common::{Reply, Server};

const TAG: &str = concat!("v", env!("CARGO_PKG_VERSION"));

fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn build_release(args: &[&str]) -> Output {
    Command::new("bash")
        .arg(repo_file("scripts/build-release.sh"))
        .args(args)
        .output()
        .unwrap()
}

fn install(releases: &str, args: &[&str]) -> Output {
    Command::new("sh")
        .arg(repo_file("scripts/install.sh"))
        .args(args)
        .env("VENDOR_RELEASES_URL", releases)
        .env_remove("VENDOR_VERSION")
        .env_remove("VENDOR_TARGET")
        .env_remove("VENDOR_INSTALL_DIR")
        .output()
        .unwrap()
}

/// This machine's release target, as install.sh sees it.
fn host_target() -> String {
    let o = install("http://127.0.0.1:9", &["--resolve", "--version", TAG]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    text(&o.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("target=").map(str::to_string))
        .unwrap()
}

/// A release directory as the release workflow publishes it: the archive of this build's
/// `vendor` for `target`, and SHA256SUMS.
fn release(target: &str) -> tempfile::TempDir {
    let dist = tempfile::tempdir().unwrap();
    let d = dist.path().to_str().unwrap();
    let o = build_release(&["package", target, TAG, d, env!("CARGO_BIN_EXE_vendor")]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout).trim(),
        format!("{d}/vendor-{TAG}-{target}.tar.gz")
    );
    let o = build_release(&["checksums", d]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    dist
}

/// Serves `dist` as GitHub serves a release: `/releases/latest` redirects to the tag,
/// `/releases/download/TAG/FILE` are the assets. Under `/tampered/` the archives are served
/// with one byte changed (SHA256SUMS as published).
fn serve(dist: &Path) -> Server {
    let dist = dist.to_path_buf();
    Server::start(Duration::ZERO, move |req, _| {
        let path = req.path();
        let (tampered, path) = match path.strip_prefix("/tampered") {
            Some(rest) => (true, rest),
            None => (false, path),
        };
        if path == "/releases/latest" {
            return Reply::Status(
                302,
                vec![("Location".into(), format!("/releases/tag/{TAG}"))],
                Vec::new(),
            );
        }
        let Some(file) = path.strip_prefix(&format!("/releases/download/{TAG}/")) else {
            return Reply::status(404);
        };
        if file.contains('/') {
            return Reply::status(404);
        }
        match std::fs::read(dist.join(file)) {
            Ok(mut bytes) => {
                if tampered && file.ends_with(".tar.gz") {
                    let last = bytes.len() - 1;
                    bytes[last] ^= 1;
                }
                Reply::Ok(bytes)
            }
            Err(_) => Reply::status(404),
        }
    })
}

#[test]
fn a_verified_release_installs_and_runs() {
    let target = host_target();
    let dist = release(&target);
    let sums = std::fs::read_to_string(dist.path().join("SHA256SUMS")).unwrap();
    assert!(
        sums.ends_with(&format!("  vendor-{TAG}-{target}.tar.gz\n")),
        "{sums}"
    );
    let server = serve(dist.path());
    let releases = format!("{}/releases", server.base);

    // The latest release, for this machine.
    let to = tempfile::tempdir().unwrap();
    let o = install(&releases, &["--to", to.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains(&format!("installed vendor {TAG} ({target})")));
    let vendor = to.path().join("vendor");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&vendor).unwrap().permissions().mode() & 0o777,
        0o755
    );
    let v = Command::new(&vendor).arg("--version").output().unwrap();
    assert_eq!(
        text(&v.stdout).trim(),
        format!("vendor {}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(
        std::fs::read(&vendor).unwrap(),
        std::fs::read(env!("CARGO_BIN_EXE_vendor")).unwrap()
    );
    assert_eq!(server.count("/releases/latest"), 1);

    // A named version; `--resolve` tells what the action caches by, installing nothing.
    let o = install(&releases, &["--resolve"]);
    assert_eq!(text(&o.stdout), format!("version={TAG}\ntarget={target}\n"));
    let again = tempfile::tempdir().unwrap();
    let o = install(
        &releases,
        &["--version", TAG, "--to", again.path().to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(again.path().join("vendor").exists());
}

#[test]
fn a_checksum_mismatch_or_a_missing_platform_installs_nothing() {
    let target = host_target();
    let dist = release(&target);
    let server = serve(dist.path());

    // The archive differs from what SHA256SUMS lists.
    let to = tempfile::tempdir().unwrap();
    let o = install(
        &format!("{}/tampered/releases", server.base),
        &["--to", to.path().to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("checksum mismatch"), "{err}");
    assert!(err.contains("nothing installed"), "{err}");
    assert_eq!(std::fs::read_dir(to.path()).unwrap().count(), 0);

    // A platform the release has no build for.
    let other = if target.contains("apple") {
        "x86_64-pc-windows-msvc"
    } else {
        "aarch64-apple-darwin"
    };
    let o = install(
        &format!("{}/releases", server.base),
        &["--target", other, "--to", to.path().to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains(&format!("release {TAG} has no build for {other}")),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(to.path()).unwrap().count(), 0);
    assert_eq!(
        server.count(&format!(
            "/releases/download/{TAG}/vendor-{TAG}-{other}.tar.gz"
        )),
        0,
        "no download without a checksum to check it against"
    );

    // A release that does not exist.
    let o = install(
        &format!("{}/releases", server.base),
        &["--version", "v9.9.9", "--to", to.path().to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("cannot download SHA256SUMS of release v9.9.9"));
    assert_eq!(std::fs::read_dir(to.path()).unwrap().count(), 0);
}

#[test]
fn release_archives_are_named_for_the_workspace_version() {
    let dist = tempfile::tempdir().unwrap();
    let o = build_release(&[
        "package",
        "x86_64-unknown-linux-musl",
        "v0.0.0-not-the-version",
        dist.path().to_str().unwrap(),
        env!("CARGO_BIN_EXE_vendor"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("does not match the workspace version"));
    assert_eq!(std::fs::read_dir(dist.path()).unwrap().count(), 0);

    // The container image builds with the same script.
    let dockerfile = std::fs::read_to_string(repo_file("Dockerfile")).unwrap();
    assert!(dockerfile.contains("scripts/build-release.sh build \"$target\""));
}
