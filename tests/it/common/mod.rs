//! Test helpers: a loopback HTTP server with scripted faults, chart packaging from fixture
//! directories, and tree snapshots for "nothing changed" assertions.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A request as the handler sees it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path with query.
    pub target: String,
    pub headers: Vec<(String, String)>,
    /// The body (requests with `Content-Length` only).
    pub body: Vec<u8>,
}

impl Request {
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or(&self.target)
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server sends back.
#[derive(Debug, Clone)]
pub enum Reply {
    Ok(Vec<u8>),
    Status(u16, Vec<(String, String)>, Vec<u8>),
    /// Announces the full length, sends half the body, then closes the connection.
    ResetMidBody(Vec<u8>),
    /// Reads the request and answers nothing for this long, then closes the connection.
    Stall(Duration),
    /// Announces the full length, then sends `chunk` bytes every `every` (a slow drip).
    Drip {
        body: Vec<u8>,
        chunk: usize,
        every: Duration,
    },
    /// Announces `Content-Length: length`, then sends nothing for `hold` and closes.
    Announce {
        length: u64,
        hold: Duration,
    },
    /// The body with `Transfer-Encoding: chunked` (no length announced).
    Chunked(Vec<u8>),
}

impl Reply {
    pub fn status(code: u16) -> Reply {
        Reply::Status(code, Vec::new(), Vec::new())
    }
}

type Handler = dyn Fn(&Request, usize) -> Reply + Send + Sync;

/// A loopback HTTP/1.1 server. The handler gets the request and how many times this path was
/// requested before (0 for the first time).
pub struct Server {
    pub base: String,
    counts: Arc<Mutex<HashMap<String, usize>>>,
    log: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    pub fn start(
        latency: Duration,
        handler: impl Fn(&Request, usize) -> Reply + Send + Sync + 'static,
    ) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let counts: Arc<Mutex<HashMap<String, usize>>> = Default::default();
        let log: Arc<Mutex<Vec<Request>>> = Default::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let (c, l) = (counts.clone(), log.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (handler, c, l) = (handler.clone(), c.clone(), l.clone());
                std::thread::spawn(move || serve(stream, latency, &*handler, &c, &l));
            }
        });
        Server { base, counts, log }
    }

    /// How many times `path` was requested.
    pub fn count(&self, path: &str) -> usize {
        self.counts.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    /// Requests whose path ends with `suffix`.
    pub fn count_suffix(&self, suffix: &str) -> usize {
        self.counts
            .lock()
            .unwrap()
            .iter()
            .filter(|(k, _)| k.ends_with(suffix))
            .map(|(_, v)| v)
            .sum()
    }

    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }
}

fn serve(
    stream: TcpStream,
    latency: Duration,
    handler: &Handler,
    counts: &Mutex<HashMap<String, usize>>,
    log: &Mutex<Vec<Request>>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        let mut req = Request {
            method,
            target,
            headers,
            body: Vec::new(),
        };
        if let Some(n) = req
            .header("content-length")
            .and_then(|v| v.parse::<usize>().ok())
        {
            let mut body = vec![0; n];
            let _ = reader.read_exact(&mut body);
            req.body = body;
        }
        let n = {
            let mut c = counts.lock().unwrap();
            let e = c.entry(req.path().to_string()).or_default();
            *e += 1;
            *e - 1
        };
        log.lock().unwrap().push(req.clone());
        if !latency.is_zero() {
            std::thread::sleep(latency);
        }
        let reply = handler(&req, n);
        let (code, extra, body, cut) = match reply {
            Reply::Ok(b) => (200, Vec::new(), b, false),
            Reply::Status(c, h, b) => (c, h, b, false),
            Reply::ResetMidBody(b) => (200, Vec::new(), b, true),
            Reply::Stall(hold) => {
                std::thread::sleep(hold);
                return;
            }
            Reply::Drip { body, chunk, every } => {
                let head = format!("HTTP/1.1 200 X\r\nContent-Length: {}\r\n\r\n", body.len());
                if stream.write_all(head.as_bytes()).is_err() {
                    return;
                }
                for part in body.chunks(chunk.max(1)) {
                    std::thread::sleep(every);
                    if stream
                        .write_all(part)
                        .and_then(|()| stream.flush())
                        .is_err()
                    {
                        return;
                    }
                }
                continue;
            }
            Reply::Announce { length, hold } => {
                let head = format!("HTTP/1.1 200 X\r\nContent-Length: {length}\r\n\r\n");
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.flush();
                std::thread::sleep(hold);
                return;
            }
            Reply::Chunked(body) => {
                let mut out = b"HTTP/1.1 200 X\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
                for part in body.chunks(64 * 1024) {
                    out.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
                    out.extend_from_slice(part);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"0\r\n\r\n");
                if stream.write_all(&out).is_err() {
                    return;
                }
                continue;
            }
        };
        let mut head = format!("HTTP/1.1 {code} X\r\nContent-Length: {}\r\n", body.len());
        for (k, v) in &extra {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        if stream.write_all(head.as_bytes()).is_err() {
            return;
        }
        if cut {
            let _ = stream.write_all(&body[..body.len() / 2]);
            let _ = stream.flush();
            let _ = stream.shutdown(std::net::Shutdown::Both);
            return;
        }
        if req.method != "HEAD" && stream.write_all(&body).is_err() {
            return;
        }
    }
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sources")
}

/// Packages a chart directory as `helm package` lays it out: `<name>/...` entries, gzip.
/// Deterministic: fixed mtime and mode, sorted entries.
pub fn package_chart(dir: &Path, name: &str) -> Vec<u8> {
    let mut files: Vec<PathBuf> = walk(dir);
    files.sort();
    let mut b = tar::Builder::new(Vec::new());
    for f in files {
        let rel = f
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let data = std::fs::read(&f).unwrap();
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(1_700_000_000);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, format!("{name}/{rel}"), data.as_slice())
            .unwrap();
    }
    gzip(&b.into_inner().unwrap())
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Appends a tar entry whose name (and link name) are written byte for byte, past the tar
/// crate's checks, so that tests can build the hostile archives no writer makes.
pub fn raw_entry(
    b: &mut tar::Builder<Vec<u8>>,
    name: &[u8],
    kind: tar::EntryType,
    data: &[u8],
    link: Option<&[u8]>,
) {
    let mut h = tar::Header::new_old();
    {
        let old = h.as_old_mut();
        old.name[..name.len()].copy_from_slice(name);
        if let Some(l) = link {
            old.linkname[..l.len()].copy_from_slice(l);
        }
    }
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_entry_type(kind);
    h.set_cksum();
    b.append(&h, data).unwrap();
}

/// Appends a PAX extended header (`x`) whose `path` record renames the next entry to `value`.
pub fn pax_path_header(b: &mut tar::Builder<Vec<u8>>, value: &str) {
    // `"<len> path=<value>\n"`, the length counting its own digits.
    let rest = " path=".len() + value.len() + 1;
    let mut len = rest + 1;
    while len.to_string().len() + rest != len {
        len += 1;
    }
    let record = format!("{len} path={value}\n");
    let mut h = tar::Header::new_ustar();
    h.set_entry_type(tar::EntryType::XHeader);
    h.set_size(record.len() as u64);
    h.set_path("PaxHeader").unwrap();
    h.set_cksum();
    b.append(&h, record.as_bytes()).unwrap();
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// One chart version in a generated index.
pub struct IndexItem {
    pub name: String,
    pub version: String,
    pub url: String,
    pub digest: Option<String>,
}

/// An index.yaml shaped like Helm's (`helm repo index`).
pub fn index_yaml(items: &[IndexItem]) -> String {
    let mut by_name: BTreeMap<&str, Vec<&IndexItem>> = BTreeMap::new();
    for i in items {
        by_name.entry(&i.name).or_default().push(i);
    }
    let mut out = String::from("apiVersion: v1\nentries:\n");
    for (name, list) in by_name {
        out.push_str(&format!("  {name}:\n"));
        for i in list {
            out.push_str("  - apiVersion: v2\n    appVersion: v1.0.0\n    created: \"2025-01-01T00:00:00Z\"\n");
            out.push_str("    description: A chart\n");
            if let Some(d) = &i.digest {
                out.push_str(&format!("    digest: {d}\n"));
            }
            out.push_str(&format!(
                "    name: {}\n    type: application\n    urls:\n    - {}\n    version: {}\n",
                i.name, i.url, i.version
            ));
        }
    }
    out.push_str("generated: \"2025-01-01T00:00:00Z\"\n");
    out
}

/// Every file and directory under `dir` with its bytes (directories end in `/` and map to
/// nothing); empty when `dir` does not exist. Leftover staging directories show up here.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    if dir.exists() {
        snapshot_into(dir, dir, &mut out);
    }
    out
}

fn snapshot_into(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
        if p.is_dir() {
            out.insert(format!("{rel}/"), Vec::new());
            snapshot_into(root, &p, out);
        } else {
            out.insert(rel, std::fs::read(&p).unwrap());
        }
    }
}

/// A git repository made in the test with real git (a work tree; served as is over `file://`,
/// smart HTTP ([`git_http`]) or a stand-in ssh ([`fake_ssh`])).
pub struct GitRepo {
    root: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

impl GitRepo {
    /// A new repository in a temporary directory.
    pub fn new() -> GitRepo {
        let dir = tempfile::tempdir().unwrap();
        let r = GitRepo {
            root: dir.path().to_path_buf(),
            _dir: Some(dir),
        };
        r.git(&["init", "-q", "-b", "main"]);
        r
    }

    /// A new repository at `path` (created; removed by whoever owns its parent).
    pub fn at(path: &Path) -> GitRepo {
        std::fs::create_dir_all(path).unwrap();
        let r = GitRepo {
            root: path.to_path_buf(),
            _dir: None,
        };
        r.git(&["init", "-q", "-b", "main"]);
        r
    }

    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Runs git in the repository with a fixed identity and dates; returns stdout.
    pub fn git(&self, args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(&self.root)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .env("GIT_AUTHOR_DATE", "2025-01-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2025-01-01T00:00:00Z")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", &self.root)
            .output()
            .expect("git is installed");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Writes files (path -> bytes; `None` removes), commits them, returns the commit id.
    pub fn commit(&self, files: &[(&str, Option<&[u8]>)], message: &str) -> String {
        for (rel, data) in files {
            let p = self.root.join(rel);
            match data {
                Some(d) => {
                    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                    std::fs::write(&p, d).unwrap();
                }
                None => {
                    if p.is_dir() {
                        std::fs::remove_dir_all(&p).unwrap();
                    } else {
                        std::fs::remove_file(&p).unwrap();
                    }
                }
            }
        }
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.head()
    }

    /// Copies every file of `from` to `to` in the work tree (replacing what is there).
    pub fn put_dir(&self, from: &Path, to: &str) {
        let target = self.root.join(to);
        if target.exists() {
            std::fs::remove_dir_all(&target).unwrap();
        }
        for f in walk(from) {
            let rel = f.strip_prefix(from).unwrap();
            let dest = target.join(rel);
            std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
            std::fs::copy(&f, dest).unwrap();
        }
    }

    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    /// A lightweight tag (`-f`: moves it), or an annotated one.
    pub fn tag(&self, name: &str, annotated: bool) {
        if annotated {
            self.git(&["tag", "-f", "-a", "-m", name, name]);
        } else {
            self.git(&["tag", "-f", name]);
        }
    }

    pub fn file_url(&self) -> String {
        format!("file://{}", self.root.display())
    }
}

/// A smart HTTP git server on loopback: `git http-backend` (CGI) behind the test server,
/// serving every repository under `root` (`http://127.0.0.1:PORT/NAME`).
pub fn git_http(root: PathBuf) -> Server {
    Server::start(Duration::ZERO, move |req, _| {
        let (path, query) = req.target.split_once('?').unwrap_or((&req.target, ""));
        let mut cmd = std::process::Command::new("git");
        cmd.arg("http-backend")
            .env("GIT_PROJECT_ROOT", &root)
            .env("GIT_HTTP_EXPORT_ALL", "1")
            .env("REQUEST_METHOD", &req.method)
            .env("PATH_INFO", path)
            .env("QUERY_STRING", query)
            .env("REMOTE_ADDR", "127.0.0.1")
            .env("CONTENT_LENGTH", req.body.len().to_string())
            .env("CONTENT_TYPE", req.header("content-type").unwrap_or(""))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null());
        if let Some(p) = req.header("git-protocol") {
            cmd.env("GIT_PROTOCOL", p);
        }
        if let Some(e) = req.header("content-encoding") {
            cmd.env("HTTP_CONTENT_ENCODING", e);
        }
        let mut child = cmd.spawn().expect("git http-backend runs");
        let mut stdin = child.stdin.take().unwrap();
        let body = req.body.clone();
        let w = std::thread::spawn(move || {
            let _ = stdin.write_all(&body);
        });
        let out = child.wait_with_output().unwrap();
        w.join().unwrap();
        let raw = out.stdout;
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map(|i| (i, 4))
            .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2)));
        let Some((at, len)) = split else {
            return Reply::status(500);
        };
        let head = String::from_utf8_lossy(&raw[..at]).into_owned();
        let mut status = 200;
        let mut headers = Vec::new();
        for line in head.lines() {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            let (k, v) = (k.trim(), v.trim());
            if k.eq_ignore_ascii_case("status") {
                status = v
                    .split(' ')
                    .next()
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(500);
            } else {
                headers.push((k.to_string(), v.to_string()));
            }
        }
        Reply::Status(status, headers, raw[at + len..].to_vec())
    })
}

/// A stand-in `ssh` for `GIT_SSH_COMMAND` (with `GIT_SSH_VARIANT=simple`): it runs the command
/// git asks the remote host to run (`git-upload-pack '/path'`) on this machine, so
/// `ssh://` and `git@host:path` URLs take git's real ssh code path without a server.
pub fn fake_ssh(dir: &Path) -> PathBuf {
    let script = dir.join("fake-ssh");
    std::fs::write(
        &script,
        "#!/bin/sh\n# fake-ssh [-p PORT] HOST COMMAND: run COMMAND here.\nfor last; do :; done\nexec sh -c \"$last\"\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    script
}

/// Copies a directory tree (files and directories) to `to`, creating it.
pub fn copy_dir(from: &Path, to: &Path) {
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

/// No extra environment for [`run_vendor`].
pub const NO_ENV: &[(&str, &str)] = &[];

/// Runs the vendor binary in `dir` with `env` added, colour off and no inherited colour forcing
/// or failpoints; returns (exit code, stdout, stderr). Output must be UTF-8.
pub fn run_vendor<V: AsRef<std::ffi::OsStr>>(
    dir: &Path,
    args: &[&str],
    env: &[(&str, V)],
) -> (i32, String, String) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_vendor"));
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("FAILPOINTS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    )
}

/// A Helm chart repository at `BASE/charts/`: `index.yaml` listing `chart` at each version of
/// `archives` (version, .tgz bytes, with digests), and `CHART-VERSION.tgz` for each.
pub fn chart_repo(chart: &str, archives: Vec<(String, Vec<u8>)>) -> Server {
    let items: Vec<IndexItem> = archives
        .iter()
        .map(|(v, bytes)| IndexItem {
            name: chart.into(),
            version: v.clone(),
            url: format!("{chart}-{v}.tgz"),
            digest: Some(sha256_hex(bytes)),
        })
        .collect();
    let index = index_yaml(&items);
    let chart = chart.to_string();
    Server::start(Duration::ZERO, move |req, _| {
        if req.path() == "/charts/index.yaml" {
            return Reply::Ok(index.clone().into_bytes());
        }
        for (v, bytes) in &archives {
            if req.path() == format!("/charts/{chart}-{v}.tgz") {
                return Reply::Ok(bytes.clone());
            }
        }
        Reply::status(404)
    })
}
