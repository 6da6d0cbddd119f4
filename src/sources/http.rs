//! HTTP GET with deadlines and retries: the one place that talks HTTP for every source.
//!
//! Deadlines ([`Timeouts`]): connecting, the wait for a response and every read of the body
//! (idle), and each request as a whole (total). A server that accepts and never answers is
//! named as stalled within two idle periods (a stall is retried once).
//!
//! Retries with exponential backoff on connection errors, bodies cut short, 429 (honouring
//! `Retry-After`) and 5xx; other statuses are returned to the caller, who knows what a 401 or
//! 404 means for its protocol. What cannot succeed is not retried: a body over the size limit
//! (a `Content-Length` over it is refused before reading), a redirect to something that is not
//! HTTP(S), too many redirects, a request that used up its total deadline.
//!
//! Redirects are followed here (at most [`MAX_REDIRECTS`]): the caller's headers go to the
//! origin they were meant for only. Credentials in a URL (`https://user:pass@host/...`) are sent
//! as Basic auth on every request to that origin (scheme, host and port) for the rest of the
//! run, as Helm does for a repository's archives. URLs in errors have their credentials
//! redacted.

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::SourceError;

/// How many times a request is tried, and how long to wait between tries.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(30),
        }
    }
}

/// The deadlines of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing the connection (DNS, TCP, TLS).
    pub connect: Duration,
    /// Waiting for the response headers, and for each read of the body.
    pub idle: Duration,
    /// The whole request, body included (a slow drip is cut here).
    pub total: Duration,
}

/// The idle deadline when `VENDOR_HTTP_TIMEOUT` is not set.
pub const DEFAULT_IDLE: Duration = Duration::from_secs(20);

/// Redirects followed per request.
pub const MAX_REDIRECTS: usize = 10;

impl Timeouts {
    /// Connect within `idle` (at most 10 s); the whole request within 15 idle periods.
    pub fn from_idle(idle: Duration) -> Timeouts {
        Timeouts {
            connect: idle.min(Duration::from_secs(10)),
            idle,
            total: idle * 15,
        }
    }

    /// `VENDOR_HTTP_TIMEOUT` (seconds, the idle deadline), else the defaults.
    pub fn from_env() -> Timeouts {
        let idle = std::env::var("VENDOR_HTTP_TIMEOUT")
            .ok()
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0)
            .map_or(DEFAULT_IDLE, Duration::from_secs_f64);
        Timeouts::from_idle(idle)
    }
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts::from_idle(DEFAULT_IDLE)
    }
}

/// A finished response: status, the headers we care about, and the whole body.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The URL after redirects.
    pub url: String,
}

impl Response {
    /// The first header with this (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// A shared HTTP client (connection pooling, deadlines, retry policy, URL credentials).
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    pub retry: RetryPolicy,
    pub timeouts: Timeouts,
    /// Largest body accepted, in bytes.
    pub max_body: u64,
    /// `Authorization` headers from URL userinfo, by origin.
    userinfo: Arc<Mutex<HashMap<String, String>>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("retry", &self.retry)
            .field("timeouts", &self.timeouts)
            .finish()
    }
}

impl Default for Client {
    /// The default retry policy, with deadlines from `VENDOR_HTTP_TIMEOUT`.
    fn default() -> Self {
        Client::with_timeouts(RetryPolicy::default(), Timeouts::from_env())
    }
}

/// Why one attempt failed, and whether trying again can help.
#[derive(Debug)]
struct Failure {
    reason: String,
    kind: FailureKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FailureKind {
    /// Connection errors, bodies cut short: retried.
    Transient,
    /// Connected, and then nothing within the idle deadline: retried once.
    Stalled,
    /// Cannot succeed by trying again.
    Permanent,
}

impl Failure {
    fn permanent(reason: impl Into<String>) -> Failure {
        Failure {
            reason: reason.into(),
            kind: FailureKind::Permanent,
        }
    }
}

impl Client {
    /// A client whose idle deadline is `timeout` (see [`Timeouts::from_idle`]).
    pub fn new(retry: RetryPolicy, timeout: Duration) -> Client {
        Client::with_timeouts(retry, Timeouts::from_idle(timeout))
    }

    pub fn with_timeouts(retry: RetryPolicy, timeouts: Timeouts) -> Client {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(timeouts.connect))
            .timeout_recv_response(Some(timeouts.idle))
            .timeout_per_read(Some(timeouts.idle))
            .timeout_global(Some(timeouts.total))
            .user_agent(concat!("vendor/", env!("CARGO_PKG_VERSION")))
            .max_idle_connections_per_host(32)
            .build();
        Client {
            agent: config.into(),
            retry,
            timeouts,
            max_body: 512 * 1024 * 1024,
            userinfo: Arc::default(),
        }
    }

    /// GET `url` with `headers`, following redirects and retrying transient failures. Returns
    /// any final status; the error is for transport failures that outlived the retries and for
    /// what cannot succeed (see the module documentation).
    pub fn get(&self, url: &str, headers: &[(&str, String)]) -> Result<Response, SourceError> {
        let started = Instant::now();
        let mut attempt = 0;
        let mut stalls = 0;
        loop {
            attempt += 1;
            let last = attempt >= self.retry.attempts;
            match self.get_following(url, headers) {
                Ok(resp) => {
                    let transient = resp.status == 429 || (500..600).contains(&resp.status);
                    if !transient || last {
                        return Ok(resp);
                    }
                    let wait = retry_after(&resp).unwrap_or_else(|| self.backoff(attempt));
                    std::thread::sleep(wait.min(self.retry.max_delay));
                }
                Err(f) => {
                    if f.kind == FailureKind::Stalled {
                        stalls += 1;
                    }
                    let wait = self.backoff(attempt);
                    let out_of_time = started.elapsed() + wait >= self.timeouts.total;
                    let give_up = last
                        || out_of_time
                        || f.kind == FailureKind::Permanent
                        || (f.kind == FailureKind::Stalled && stalls >= 2);
                    if give_up {
                        return Err(self.error(url, f, attempt));
                    }
                    std::thread::sleep(wait);
                }
            }
        }
    }

    fn error(&self, url: &str, f: Failure, attempts: u32) -> SourceError {
        match f.kind {
            FailureKind::Stalled => SourceError::Stalled {
                url: redact(url),
                reason: f.reason,
                attempts,
            },
            FailureKind::Permanent => SourceError::Refused {
                url: redact(url),
                reason: f.reason,
            },
            FailureKind::Transient => SourceError::Network {
                url: redact(url),
                reason: f.reason,
                attempts,
            },
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32 << (attempt - 1).min(10);
        (self.retry.base_delay * factor).min(self.retry.max_delay)
    }

    /// One attempt: the request and the redirects it leads to.
    fn get_following(&self, url: &str, headers: &[(&str, String)]) -> Result<Response, Failure> {
        let first_origin = origin(url);
        let mut current = url.to_string();
        for _ in 0..=MAX_REDIRECTS {
            // The caller's headers (credentials among them) are for the origin it asked.
            let same_origin = origin(&current) == first_origin;
            let hop_headers: Vec<(&str, String)> = headers
                .iter()
                .filter(|(k, _)| same_origin || !k.eq_ignore_ascii_case("authorization"))
                .cloned()
                .collect();
            let mut resp = self.get_once(&current, &hop_headers)?;
            let location = resp.header("location").map(str::to_string);
            let Some(location) = location.filter(|_| is_redirect(resp.status)) else {
                resp.url = split_userinfo(&current).0;
                return Ok(resp);
            };
            let next = url::Url::parse(&current)
                .and_then(|base| base.join(&location))
                .map_err(|e| {
                    Failure::permanent(format!(
                        "HTTP {} redirects to `{}`, which is not a valid URL ({e})",
                        resp.status,
                        redact(&location)
                    ))
                })?;
            if !matches!(next.scheme(), "http" | "https") {
                return Err(Failure::permanent(format!(
                    "refusing the redirect (HTTP {}) to {}: only http and https URLs are followed",
                    resp.status,
                    redact(next.as_str())
                )));
            }
            current = next.to_string();
        }
        Err(Failure::permanent(format!(
            "more than {MAX_REDIRECTS} redirects (last: {})",
            redact(&current)
        )))
    }

    fn get_once(&self, url: &str, headers: &[(&str, String)]) -> Result<Response, Failure> {
        let (clean_url, basic) = split_userinfo(url);
        let host = host_of(&clean_url);
        let mut req = self.agent.get(&clean_url);
        let explicit = headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("authorization"));
        let memo = |f: &mut HashMap<String, String>| match &basic {
            Some(b) => {
                f.insert(origin(&clean_url), b.clone());
                Some(b.clone())
            }
            None => f.get(&origin(&clean_url)).cloned(),
        };
        let from_url = memo(
            &mut self
                .userinfo
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        if !explicit && let Some(b) = from_url {
            req = req.header("Authorization", b);
        }
        for (k, v) in headers {
            req = req.header(*k, v.as_str());
        }
        let mut resp = req.call().map_err(|e| self.describe(&e, &host))?;
        let status = resp.status().as_u16();
        let headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
            .collect();
        let expected_len = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse::<u64>().ok());
        if let Some(n) = expected_len
            && n > self.max_body
        {
            return Err(Failure::permanent(format!(
                "the response is {n} bytes (Content-Length), over the limit of {} bytes; not downloaded",
                self.max_body
            )));
        }
        let mut body = Vec::new();
        let reader = super::transfer::reader(
            resp.body_mut().as_reader(),
            &redact(&clean_url),
            expected_len,
        );
        reader
            .take(self.max_body + 1)
            .read_to_end(&mut body)
            .map_err(
                |e| match e.get_ref().and_then(|r| r.downcast_ref::<ureq::Error>()) {
                    Some(inner) => {
                        let mut f = self.describe(inner, &host);
                        f.reason = format!("{} after {} bytes of the body", f.reason, body.len());
                        f
                    }
                    None => Failure {
                        reason: format!("reading the response body failed: {e}"),
                        kind: FailureKind::Transient,
                    },
                },
            )?;
        if body.len() as u64 > self.max_body {
            return Err(Failure::permanent(format!(
                "the response body is larger than the limit of {} bytes",
                self.max_body
            )));
        }
        if let Some(n) = expected_len
            && n != body.len() as u64
        {
            return Err(Failure {
                reason: format!("connection closed after {} of {n} bytes", body.len()),
                kind: FailureKind::Transient,
            });
        }
        Ok(Response {
            status,
            headers,
            body,
            url: clean_url,
        })
    }

    fn describe(&self, e: &ureq::Error, host: &str) -> Failure {
        use ureq::Timeout as T;
        let secs = |d: Duration| format!("{}s", d.as_secs_f64());
        let t = self.timeouts;
        let transient = |reason: String| Failure {
            reason,
            kind: FailureKind::Transient,
        };
        match e {
            ureq::Error::Timeout(T::Connect | T::Resolve) => transient(format!(
                "could not connect to {host} within {}",
                secs(t.connect)
            )),
            ureq::Error::Timeout(T::RecvResponse | T::SendRequest | T::PerWrite | T::SendBody) => {
                Failure {
                    reason: format!(
                        "{host} accepted the connection but sent no response within {} (stalled)",
                        secs(t.idle)
                    ),
                    kind: FailureKind::Stalled,
                }
            }
            ureq::Error::Timeout(T::PerRead) => Failure {
                reason: format!("{host} stopped sending for {} (stalled)", secs(t.idle)),
                kind: FailureKind::Stalled,
            },
            ureq::Error::Timeout(T::Global | T::PerCall | T::RecvBody) => {
                Failure::permanent(format!(
                    "{host} did not finish the response within {}",
                    secs(t.total)
                ))
            }
            ureq::Error::Timeout(other) => transient(format!("timed out ({other})")),
            ureq::Error::HostNotFound => transient(format!("host not found: {host}")),
            ureq::Error::Io(io) => transient(format!("connection to {host} failed: {io}")),
            ureq::Error::BadUri(_) | ureq::Error::Http(_) => {
                Failure::permanent(format!("invalid URL: {e}"))
            }
            other => transient(other.to_string()),
        }
    }
}

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// `scheme://host:port` of a URL (with the scheme's default port), for "same origin" checks.
fn origin(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(u) => u.origin().ascii_serialization(),
        Err(_) => raw.to_string(),
    }
}

/// `host:port` of a URL, for messages.
fn host_of(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(u) => match (u.host_str(), u.port_or_known_default()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => redact(raw),
        },
        Err(_) => redact(raw),
    }
}

/// `Retry-After` in seconds (HTTP dates are rare for these servers and fall back to backoff).
fn retry_after(resp: &Response) -> Option<Duration> {
    let v = resp.header("retry-after")?.trim();
    v.parse::<u64>().ok().map(Duration::from_secs)
}

/// Moves `https://user:pass@host/...` credentials into a Basic header.
fn split_userinfo(raw: &str) -> (String, Option<String>) {
    let Ok(mut url) = url::Url::parse(raw) else {
        return (raw.to_string(), None);
    };
    if url.username().is_empty() && url.password().is_none() {
        return (raw.to_string(), None);
    }
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let header = super::auth::basic_header(
        &decode(url.username()),
        &decode(url.password().unwrap_or("")),
    );
    let _ = url.set_username("");
    let _ = url.set_password(None);
    (url.to_string(), Some(header))
}

/// The URL with any `user:password@` replaced by `***@` and secret-looking query parameters
/// (`token`, `access_token`, `sig`, ...) blanked, for error messages.
pub fn redact(url: &str) -> String {
    let mut out = match url.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find('/').unwrap_or(rest.len());
            match rest[..authority_end].rsplit_once('@') {
                Some((_, host)) => format!("{scheme}://***@{host}{}", &rest[authority_end..]),
                None => url.to_string(),
            }
        }
        None => url.to_string(),
    };
    if let Some(q) = out.find('?') {
        let (base, query) = out.split_at(q + 1);
        let query: Vec<String> = query
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, _))
                    if [
                        "token",
                        "access_token",
                        "sig",
                        "signature",
                        "password",
                        "x-amz-signature",
                    ]
                    .contains(&k.to_ascii_lowercase().as_str()) =>
                {
                    format!("{k}=***")
                }
                _ => kv.to_string(),
            })
            .collect();
        out = format!("{base}{}", query.join("&"));
    }
    out
}

/// Resolves `reference` against `base` (an absolute URL) as browsers and Helm do.
pub fn join_url(base: &str, reference: &str) -> String {
    match url::Url::parse(base).and_then(|b| b.join(reference)) {
        Ok(u) => u.to_string(),
        Err(_) => reference.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_userinfo_and_tokens() {
        assert_eq!(redact("https://u:p@h.example/x"), "https://***@h.example/x");
        assert_eq!(
            redact("https://h/x?a=1&token=abc"),
            "https://h/x?a=1&token=***"
        );
        assert_eq!(redact("https://h/x"), "https://h/x");
    }

    #[test]
    fn userinfo_becomes_basic_auth() {
        let (url, header) = split_userinfo("https://al%40ice:s3cret@h.example/index.yaml");
        assert_eq!(url, "https://h.example/index.yaml");
        assert_eq!(
            header.unwrap(),
            super::super::auth::basic_header("al@ice", "s3cret")
        );
    }

    #[test]
    fn joins_like_helm() {
        let base = "https://charts.example/repo/index.yaml";
        assert_eq!(
            join_url(base, "a-1.0.0.tgz"),
            "https://charts.example/repo/a-1.0.0.tgz"
        );
        assert_eq!(join_url(base, "/x/a.tgz"), "https://charts.example/x/a.tgz");
        assert_eq!(
            join_url(base, "../b/a.tgz"),
            "https://charts.example/b/a.tgz"
        );
        assert_eq!(
            join_url(base, "https://o.example/a.tgz"),
            "https://o.example/a.tgz"
        );
        assert_eq!(join_url("https://h/repo/", "a.tgz"), "https://h/repo/a.tgz");
        assert_eq!(
            join_url("http://127.0.0.1:9/", "c/a.tgz"),
            "http://127.0.0.1:9/c/a.tgz"
        );
    }
}
