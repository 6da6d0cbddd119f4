//! The network under faults (issue 11, item 9), against real loopback servers: a server that
//! accepts and never answers, one that drips, oversize bodies, redirects to other schemes and
//! origins, and credentials (URL userinfo, environment variables).

use std::process::{Command, Output};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::common::{IndexItem, Reply, Server, fixtures, index_yaml, package_chart, sha256_hex};
use vendor::sources::http::{Client, RetryPolicy};

fn retry() -> RetryPolicy {
    RetryPolicy {
        attempts: 4,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(1),
    }
}

fn project(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("vendor.toml"), text).unwrap();
    dir
}

fn vendor(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> (Output, Duration) {
    let cache = dir.join(".cache-for-test");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vendor"));
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("VENDOR_CACHE_DIR", &cache)
        .env("HELM_REPOSITORY_CONFIG", dir.join("no-helm-config.yaml"))
        .env_remove("VENDOR_HTTP_TIMEOUT");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let t0 = Instant::now();
    let out = cmd.output().unwrap();
    (out, t0.elapsed())
}

/// stderr with miette's line wrapping and gutters undone.
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr)
        .split_whitespace()
        .filter(|w| !matches!(*w, "|" | "│"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn manifest_toml(base: &str) -> String {
    format!("[manifest.m]\nurl = \"{base}/raw/{{version}}/m.yaml\"\nversion = \"v1.0.0\"\n")
}

/// A server that accepts the connection and never answers: sync fails within two idle periods
/// (one retry), naming the stalled host, instead of 4 x 30 s of silence.
#[test]
fn a_stalled_server_fails_the_sync_within_two_idle_periods_naming_the_host() {
    let server = Server::start(Duration::ZERO, |_, _| Reply::Stall(Duration::from_secs(20)));
    let dir = project(&manifest_toml(&server.base));
    let (o, took) = vendor(dir.path(), &["sync"], &[("VENDOR_HTTP_TIMEOUT", "1")]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let host = server.base.trim_start_matches("http://");
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "{host} accepted the connection but sent no response within 1s (stalled)"
        )),
        "{err}"
    );
    assert!(err.contains("after 2 attempts"), "{err}");
    assert!(err.contains("VENDOR_HTTP_TIMEOUT"), "{err}");
    assert_eq!(server.count("/raw/v1.0.0/m.yaml"), 2);
    assert!(took < Duration::from_secs(8), "took {took:?}");
    eprintln!("stalled server: sync failed after {took:?} (idle deadline 1s, 2 attempts)");
    assert!(!dir.path().join("upstream").exists());
}

/// A body that drips in without ever pausing for an idle period is cut at the total deadline
/// (15 idle periods), and not downloaded again.
#[test]
fn a_slow_drip_is_cut_at_the_total_deadline_and_not_retried() {
    let server = Server::start(Duration::ZERO, |_, _| Reply::Drip {
        body: vec![b'x'; 200_000],
        chunk: 100,
        every: Duration::from_millis(50),
    });
    let client = Client::new(retry(), Duration::from_millis(200));
    let t0 = Instant::now();
    let err = match client.get(&format!("{}/slow", server.base), &[]) {
        Ok(r) => panic!("finished: {} bytes", r.body.len()),
        Err(e) => e,
    };
    let took = t0.elapsed();
    let text = err.to_string();
    assert!(
        text.contains("did not finish the response within 3s"),
        "{text}"
    );
    assert!(
        text.contains(server.base.trim_start_matches("http://")),
        "{text}"
    );
    assert_eq!(server.count("/slow"), 1, "not retried");
    assert!(took < Duration::from_secs(6), "took {took:?}");
    eprintln!("slow drip: cut after {took:?} (total deadline 3s)");
}

/// A body over the size limit is read once (not four times); a `Content-Length` over the limit
/// is refused before anything of the body is read.
#[test]
fn oversize_bodies_are_refused_once_and_an_oversize_length_before_reading() {
    let server = Server::start(Duration::ZERO, |req, _| match req.path() {
        "/chunked" => Reply::Chunked(vec![b'x'; 5000]),
        "/announced" => Reply::Announce {
            length: 1 << 40,
            hold: Duration::from_secs(10),
        },
        _ => Reply::status(404),
    });
    let mut client = Client::new(retry(), Duration::from_secs(5));
    client.max_body = 1000;

    let err = client
        .get(&format!("{}/chunked", server.base), &[])
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("larger than the limit of 1000 bytes"),
        "{err}"
    );
    assert_eq!(server.count("/chunked"), 1, "not retried: {err}");

    let t0 = Instant::now();
    let err = client
        .get(&format!("{}/announced", server.base), &[])
        .unwrap_err();
    let took = t0.elapsed();
    let text = err.to_string();
    assert!(
        text.contains("1099511627776 bytes (Content-Length), over the limit of 1000 bytes"),
        "{text}"
    );
    assert_eq!(server.count("/announced"), 1, "not retried");
    assert!(
        took < Duration::from_secs(2),
        "refused before reading: took {took:?}"
    );
    eprintln!("oversize Content-Length: refused after {took:?}");
}

/// A redirect to `file://` (or any scheme but http and https) is refused as such, once; http
/// redirects are followed.
#[test]
fn redirects_to_other_schemes_are_refused_as_such() {
    let server = Server::start(Duration::ZERO, |req, _| {
        let to = |l: &str| Reply::Status(302, vec![("Location".into(), l.into())], Vec::new());
        match req.path() {
            "/raw/v1.0.0/m.yaml" => to("file:///etc/passwd"),
            "/ftp" => to("ftp://example.invalid/x.yaml"),
            "/moved" => to("/target"),
            "/target" => Reply::Ok(b"kind: ConfigMap\n".to_vec()),
            _ => Reply::status(404),
        }
    });
    let dir = project(&manifest_toml(&server.base));
    let (o, _) = vendor(dir.path(), &["sync"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    // (miette may wrap inside the URL: compare without spaces)
    assert!(
        err.replace(' ', "").contains(
            "refusingtheredirect(HTTP302)tofile:///etc/passwd:onlyhttpandhttpsURLsarefollowed"
        ),
        "{err}"
    );
    assert_eq!(server.count("/raw/v1.0.0/m.yaml"), 1, "not retried");

    let client = Client::new(retry(), Duration::from_secs(5));
    let err = client
        .get(&format!("{}/ftp", server.base), &[])
        .unwrap_err();
    assert!(
        err.to_string().contains("to ftp://example.invalid/x.yaml"),
        "{err}"
    );
    let resp = client.get(&format!("{}/moved", server.base), &[]).unwrap();
    assert_eq!(
        (resp.status, resp.body.as_slice()),
        (200, &b"kind: ConfigMap\n"[..])
    );
    assert!(resp.url.ends_with("/target"), "{}", resp.url);
}

/// The caller's `Authorization` goes to the origin it was meant for, not to another origin a
/// redirect points at.
#[test]
fn credentials_do_not_follow_a_redirect_to_another_origin() {
    type Seen = Vec<(String, Option<String>)>;
    let seen: Arc<Mutex<Seen>> = Arc::default();
    let s = seen.clone();
    let other = Server::start(Duration::ZERO, move |req, _| {
        s.lock().unwrap().push((
            req.path().to_string(),
            req.header("authorization").map(str::to_string),
        ));
        Reply::Ok(b"other".to_vec())
    });
    let other_base = other.base.clone();
    let s = seen.clone();
    let first = Server::start(Duration::ZERO, move |req, _| {
        let to = |l: String| Reply::Status(302, vec![("Location".into(), l)], Vec::new());
        match req.path() {
            "/away" => to(format!("{other_base}/x")),
            "/here" => to("/final".into()),
            _ => {
                s.lock().unwrap().push((
                    req.path().to_string(),
                    req.header("authorization").map(str::to_string),
                ));
                Reply::Ok(b"here".to_vec())
            }
        }
    });
    let client = Client::new(retry(), Duration::from_secs(5));
    let auth = [("Authorization", "Bearer secret".to_string())];
    client.get(&format!("{}/away", first.base), &auth).unwrap();
    client.get(&format!("{}/here", first.base), &auth).unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            ("/x".to_string(), None),
            ("/final".to_string(), Some("Bearer secret".to_string()))
        ]
    );
}

fn metallb_tgz() -> Vec<u8> {
    static TGZ: OnceLock<Vec<u8>> = OnceLock::new();
    TGZ.get_or_init(|| package_chart(&fixtures().join("charts/metallb/0.16.1"), "metallb"))
        .clone()
}

/// A chart repository that wants Basic `user:s3cret` on every path, whose index points at the
/// archive by an absolute URL on the same origin.
fn private_repo() -> Server {
    let base: Arc<OnceLock<String>> = Arc::default();
    let b = base.clone();
    let server = Server::start(Duration::ZERO, move |req, _| {
        if req.header("authorization") != Some("Basic dXNlcjpzM2NyZXQ=") {
            return Reply::status(401);
        }
        match req.path() {
            "/charts/index.yaml" => Reply::Ok(
                index_yaml(&[IndexItem {
                    name: "metallb".into(),
                    version: "0.16.1".into(),
                    url: format!("{}/dl/metallb-0.16.1.tgz", b.get().unwrap()),
                    digest: Some(sha256_hex(&metallb_tgz())),
                }])
                .into_bytes(),
            ),
            "/dl/metallb-0.16.1.tgz" => Reply::Ok(metallb_tgz()),
            _ => Reply::status(404),
        }
    });
    base.set(server.base.clone()).unwrap();
    server
}

/// Credentials in the repository URL apply to every request to that origin: the index and the
/// archive it points at (which used to be fetched without them, and refused).
#[test]
fn url_credentials_apply_to_the_chart_archive_on_the_same_origin() {
    let server = private_repo();
    let repo = server.base.replace("http://", "http://user:s3cret@");
    let dir = project(&format!(
        "[chart.metallb]\nrepo = \"{repo}/charts\"\nchart = \"metallb\"\nversion = \"0.16.1\"\n"
    ));
    let (o, _) = vendor(dir.path(), &["sync"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("s3cret"));
    assert_eq!(server.count("/dl/metallb-0.16.1.tgz"), 1);
    assert!(
        dir.path()
            .join("upstream/metallb/kustomization.yaml")
            .is_file()
    );
}

/// `password-env`/`token-env` naming a variable that is not set: the error names the variable
/// and the key, and no request goes out without the credentials.
#[test]
fn an_unset_credential_variable_is_named_in_the_error() {
    let server = private_repo();
    for (auth, key, variable) in [
        (
            "{ username-env = \"VT_NET_USER\", password-env = \"VT_NET_PASSWORD_UNSET\" }",
            "password-env",
            "VT_NET_PASSWORD_UNSET",
        ),
        (
            "{ token-env = \"VT_NET_TOKEN_UNSET\" }",
            "token-env",
            "VT_NET_TOKEN_UNSET",
        ),
    ] {
        let dir = project(&format!(
            "[chart.metallb]\nrepo = \"{}/charts\"\nchart = \"metallb\"\nversion = \"0.16.1\"\nauth = {auth}\n",
            server.base
        ));
        let (o, _) = vendor(
            dir.path(),
            &["sync"],
            &[
                ("VT_NET_USER", "user"),
                ("VT_NET_PASSWORD_UNSET", ""),
                ("VT_NET_TOKEN_UNSET", ""),
            ],
        );
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains(&format!(
                "`auth.{key}` names the environment variable {variable}, which is not set or empty"
            )),
            "{err}"
        );
        assert!(err.contains(&format!("set {variable}")), "{err}");
    }
    assert_eq!(
        server.count("/charts/index.yaml"),
        0,
        "nothing sent without credentials"
    );
}
