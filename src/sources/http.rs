//! HTTP GET with retries: the one place that talks HTTP for every source.
//!
//! Retries with exponential backoff on connection errors, timeouts, bodies cut short, 429
//! (honouring `Retry-After`) and 5xx; other statuses are returned to the caller, who knows what
//! a 401 or 404 means for its protocol. URLs in errors have their credentials redacted.

use std::io::Read;
use std::time::Duration;

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

/// A shared HTTP client (connection pooling, timeouts, retry policy).
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    pub retry: RetryPolicy,
    /// Largest body accepted, in bytes.
    pub max_body: u64,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("retry", &self.retry)
            .finish()
    }
}

impl Default for Client {
    fn default() -> Self {
        Client::new(RetryPolicy::default(), Duration::from_secs(30))
    }
}

impl Client {
    pub fn new(retry: RetryPolicy, timeout: Duration) -> Client {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_recv_response(Some(timeout))
            .timeout_recv_body(Some(timeout))
            .user_agent(concat!("vendor/", env!("CARGO_PKG_VERSION")))
            .max_idle_connections_per_host(32)
            .build();
        Client {
            agent: config.into(),
            retry,
            max_body: 512 * 1024 * 1024,
        }
    }

    /// GET `url` with `headers`, retrying transient failures. Returns any final status; the
    /// error is only for transport failures that outlived the retries.
    pub fn get(&self, url: &str, headers: &[(&str, String)]) -> Result<Response, SourceError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt >= self.retry.attempts;
            match self.get_once(url, headers) {
                Ok(resp) => {
                    let transient = resp.status == 429 || (500..600).contains(&resp.status);
                    if !transient || last {
                        return Ok(resp);
                    }
                    let wait = retry_after(&resp).unwrap_or_else(|| self.backoff(attempt));
                    std::thread::sleep(wait.min(self.retry.max_delay));
                }
                Err(reason) => {
                    if last {
                        return Err(SourceError::Network {
                            url: redact(url),
                            reason,
                            attempts: attempt,
                        });
                    }
                    std::thread::sleep(self.backoff(attempt));
                }
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32 << (attempt - 1).min(10);
        (self.retry.base_delay * factor).min(self.retry.max_delay)
    }

    fn get_once(&self, url: &str, headers: &[(&str, String)]) -> Result<Response, String> {
        let (clean_url, basic) = split_userinfo(url);
        let mut req = self.agent.get(&clean_url);
        if let Some(b) = basic {
            req = req.header("Authorization", b);
        }
        for (k, v) in headers {
            req = req.header(*k, v.as_str());
        }
        let mut resp = req.call().map_err(|e| describe(&e))?;
        let status = resp.status().as_u16();
        let headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
            .collect();
        let final_url = resp
            .extensions()
            .get::<ureq::http::Uri>()
            .map(std::string::ToString::to_string)
            .unwrap_or_else(|| clean_url.clone());
        let expected_len = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse::<u64>().ok());
        let mut body = Vec::new();
        let reader = resp.body_mut().as_reader();
        reader
            .take(self.max_body + 1)
            .read_to_end(&mut body)
            .map_err(|e| format!("reading the response body failed: {e}"))?;
        if body.len() as u64 > self.max_body {
            return Err(format!("response body larger than {} bytes", self.max_body));
        }
        if let Some(n) = expected_len
            && n != body.len() as u64
        {
            return Err(format!(
                "connection closed after {} of {n} bytes",
                body.len()
            ));
        }
        Ok(Response {
            status,
            headers,
            body,
            url: final_url,
        })
    }
}

fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(t) => format!("timed out ({t})"),
        ureq::Error::HostNotFound => "host not found".to_string(),
        ureq::Error::Io(io) => format!("connection failed: {io}"),
        other => other.to_string(),
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
