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
        let req = Request {
            method,
            target,
            headers,
        };
        if let Some(n) = req
            .header("content-length")
            .and_then(|v| v.parse::<usize>().ok())
        {
            let mut body = vec![0; n];
            let _ = reader.read_exact(&mut body);
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
