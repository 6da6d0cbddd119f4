//! OCI registries (`oci://host/path/chart`): Helm charts over the distribution API.
//!
//! Anonymous access first; on `401` the `WWW-Authenticate` challenge decides: `Bearer` fetches
//! a token from the realm (with registry credentials when there are any), `Basic` sends them
//! directly. Manifests and layers are verified against their digests. Tags are listed with
//! pagination (`Link: <...>; rel="next"`); Helm writes `+` in versions as `_` in tags.

use std::collections::HashMap;
use std::sync::Mutex;

use super::SourceError;
use super::auth::{Credentials, basic_header, registry_credentials};
use super::http::{Client, Response};
use super::{ChartRequest, FetchedChart, Fetcher};

pub const HELM_CHART_LAYER: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
pub const HELM_CONFIG: &str = "application/vnd.cncf.helm.config.v1+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// Charts pushed by very old Helm versions.
const LEGACY_CHART_LAYER: &str = "application/tar+gzip";

/// `oci://host[:port]/repository` split into registry host and repository path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub host: String,
    pub repository: String,
}

impl Reference {
    /// From `oci://host/path` and a chart name (`repo` + `/` + `chart`).
    pub fn parse(repo: &str, chart: &str) -> Option<Reference> {
        let rest = repo.strip_prefix("oci://")?.trim_end_matches('/');
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        if host.is_empty() {
            return None;
        }
        let repository = match (path.is_empty(), chart.is_empty()) {
            (true, _) => chart.to_string(),
            (false, true) => path.to_string(),
            (false, false) => format!("{path}/{chart}"),
        };
        if repository.is_empty() {
            return None;
        }
        Some(Reference {
            host: host.to_string(),
            repository,
        })
    }

    /// Loopback registries speak plain HTTP (as Docker treats `localhost`); others HTTPS.
    pub fn base_url(&self) -> String {
        let host_only = self
            .host
            .rsplit_once(':')
            .map(|(h, _)| h)
            .unwrap_or(&self.host);
        let plain = matches!(host_only, "localhost" | "127.0.0.1" | "[::1]")
            || std::env::var("VENDOR_OCI_PLAIN_HTTP").is_ok_and(|v| v == self.host || v == "1");
        let scheme = if plain { "http" } else { "https" };
        format!("{scheme}://{}", self.host)
    }
}

/// The tag Helm uses for a chart version.
pub fn tag_for_version(version: &str) -> String {
    version.replace('+', "_")
}

/// The version a tag stands for.
pub fn version_for_tag(tag: &str) -> String {
    tag.replace('_', "+")
}

/// A client for one or more registries, caching tokens per host and scope.
pub struct Registry<'a> {
    http: &'a Client,
    tokens: Mutex<HashMap<(String, String), String>>,
    /// Overrides the registry config files (tests, and callers with explicit credentials).
    pub credentials: Option<Credentials>,
    /// Tags requested per page when listing.
    pub page_size: usize,
}

/// The chart layer a tag points at.
#[derive(Debug, Clone)]
pub struct ChartLayer {
    pub blob_url: String,
    /// `sha256:<hex>` of the archive.
    pub digest: String,
    pub size: Option<u64>,
    pub manifest_digest: String,
}

/// A pulled chart: the archive bytes and their digest.
#[derive(Debug, Clone)]
pub struct PulledChart {
    pub bytes: Vec<u8>,
    pub digest: String,
    pub manifest_digest: String,
}

impl<'a> Registry<'a> {
    pub fn new(http: &'a Client) -> Self {
        Registry {
            http,
            tokens: Mutex::new(HashMap::new()),
            credentials: None,
            page_size: 1000,
        }
    }

    fn creds(&self, host: &str) -> Option<Credentials> {
        self.credentials
            .clone()
            .or_else(|| registry_credentials(host))
    }

    /// GET with registry auth: cached token, else anonymous, then the challenge on 401.
    fn get(&self, r: &Reference, url: &str, accept: &str) -> Result<Response, SourceError> {
        let scope = format!("repository:{}:pull", r.repository);
        let key = (r.host.clone(), scope.clone());
        let mut headers = vec![("Accept", accept.to_string())];
        let cached = self
            .tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&key)
            .cloned();
        if let Some(auth) = &cached {
            headers.push(("Authorization", auth.clone()));
        }
        let resp = self.http.get(url, &headers)?;
        if resp.status != 401 {
            return Ok(resp);
        }
        let challenge = resp.header("www-authenticate").unwrap_or("").to_string();
        let auth = self.answer(r, url, &challenge, &scope)?;
        self.tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key, auth.clone());
        let headers = vec![("Accept", accept.to_string()), ("Authorization", auth)];
        let resp = self.http.get(url, &headers)?;
        if resp.status == 401 || resp.status == 403 {
            return Err(unauthorized(url, &r.host, self.creds(&r.host).is_some()));
        }
        Ok(resp)
    }

    /// The `Authorization` value answering a `WWW-Authenticate` challenge.
    fn answer(
        &self,
        r: &Reference,
        url: &str,
        challenge: &str,
        scope: &str,
    ) -> Result<String, SourceError> {
        let creds = self.creds(&r.host);
        let (scheme, params) = parse_challenge(challenge);
        if scheme.eq_ignore_ascii_case("basic") {
            let c = creds.ok_or_else(|| unauthorized(url, &r.host, false))?;
            return Ok(basic_header(&c.username, &c.password));
        }
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(unauthorized(url, &r.host, creds.is_some()));
        }
        let realm = params
            .get("realm")
            .ok_or_else(|| SourceError::InvalidResponse {
                url: super::http::redact(url),
                reason: "a Bearer challenge without a realm".into(),
            })?;
        let mut token_url = realm.clone();
        let mut sep = if token_url.contains('?') { '&' } else { '?' };
        if let Some(service) = params.get("service") {
            token_url.push_str(&format!("{sep}service={}", encode(service)));
            sep = '&';
        }
        let scope = params
            .get("scope")
            .cloned()
            .unwrap_or_else(|| scope.to_string());
        token_url.push_str(&format!("{sep}scope={}", encode(&scope)));
        let mut headers = Vec::new();
        if let Some(c) = &creds {
            headers.push(("Authorization", basic_header(&c.username, &c.password)));
        }
        let resp = self.http.get(&token_url, &headers)?;
        if !resp.is_success() {
            return Err(unauthorized(url, &r.host, creds.is_some()));
        }
        let json: serde_json::Value =
            serde_json::from_slice(&resp.body).map_err(|e| SourceError::InvalidResponse {
                url: super::http::redact(&token_url),
                reason: format!("token response is not JSON: {e}"),
            })?;
        let token = json
            .get("token")
            .or_else(|| json.get("access_token"))
            .and_then(|t| t.as_str())
            .ok_or_else(|| SourceError::InvalidResponse {
                url: super::http::redact(&token_url),
                reason: "token response has no `token`".into(),
            })?;
        Ok(format!("Bearer {token}"))
    }

    /// Pulls the chart archive of `version`, verifying manifest and layer digests.
    pub fn pull(&self, r: &Reference, version: &str) -> Result<PulledChart, SourceError> {
        let layer = self.resolve(r, version)?;
        let bytes = self.blob(r, &layer)?;
        Ok(PulledChart {
            bytes,
            digest: layer.digest,
            manifest_digest: layer.manifest_digest,
        })
    }

    /// What the tag of `version` points at: its manifest (verified against the registry's
    /// `Docker-Content-Digest`) and the digest and size of the chart layer. One small request;
    /// the archive itself is [`Registry::blob`].
    pub fn resolve(&self, r: &Reference, version: &str) -> Result<ChartLayer, SourceError> {
        let tag = tag_for_version(version);
        let url = format!("{}/v2/{}/manifests/{tag}", r.base_url(), r.repository);
        let resp = self.get(r, &url, OCI_MANIFEST)?;
        if resp.status == 404 {
            return Err(SourceError::VersionNotFound {
                what: format!("oci://{}/{}", r.host, r.repository),
                version: version.to_string(),
                help: "run `vendor outdated` to list the versions the registry has".into(),
            });
        }
        check_status(&resp, &url)?;
        let manifest_digest = crate::digest::of_bytes(&resp.body);
        if let Some(expected) = resp.header("docker-content-digest")
            && expected.starts_with("sha256:")
            && expected != manifest_digest
        {
            return Err(SourceError::DigestMismatch {
                url: super::http::redact(&url),
                expected: expected.to_string(),
                actual: manifest_digest,
            });
        }
        let manifest: serde_json::Value =
            serde_json::from_slice(&resp.body).map_err(|e| SourceError::InvalidResponse {
                url: super::http::redact(&url),
                reason: format!("manifest is not JSON: {e}"),
            })?;
        let layers = manifest
            .get("layers")
            .and_then(|l| l.as_array())
            .cloned()
            .unwrap_or_default();
        let layer = layers
            .iter()
            .find(|l| l.get("mediaType").and_then(|m| m.as_str()) == Some(HELM_CHART_LAYER))
            .or_else(|| {
                layers.iter().find(|l| {
                    l.get("mediaType").and_then(|m| m.as_str()) == Some(LEGACY_CHART_LAYER)
                })
            })
            .ok_or_else(|| SourceError::InvalidResponse {
                url: super::http::redact(&url),
                reason: format!("not a Helm chart: no layer of type {HELM_CHART_LAYER}"),
            })?;
        let digest = layer
            .get("digest")
            .and_then(|d| d.as_str())
            .unwrap_or("")
            .to_string();
        let size = layer.get("size").and_then(serde_json::Value::as_u64);
        if crate::digest::hex_of(&digest).is_none() {
            return Err(SourceError::InvalidResponse {
                url: super::http::redact(&url),
                reason: format!("unsupported layer digest `{digest}`"),
            });
        }
        Ok(ChartLayer {
            blob_url: format!("{}/v2/{}/blobs/{digest}", r.base_url(), r.repository),
            digest,
            size,
            manifest_digest,
        })
    }

    /// The chart layer's bytes, verified against its digest and size.
    pub fn blob(&self, r: &Reference, layer: &ChartLayer) -> Result<Vec<u8>, SourceError> {
        let blob = self.get(r, &layer.blob_url, "application/octet-stream")?;
        check_status(&blob, &layer.blob_url)?;
        let actual = crate::digest::of_bytes(&blob.body);
        if actual != layer.digest || layer.size.is_some_and(|s| s != blob.body.len() as u64) {
            return Err(SourceError::DigestMismatch {
                url: super::http::redact(&layer.blob_url),
                expected: layer.digest.clone(),
                actual,
            });
        }
        Ok(blob.body)
    }

    /// Every tag of the repository, following pagination.
    pub fn tags(&self, r: &Reference) -> Result<Vec<String>, SourceError> {
        let mut url = format!(
            "{}/v2/{}/tags/list?n={}",
            r.base_url(),
            r.repository,
            self.page_size
        );
        let mut out = Vec::new();
        for _ in 0..1000 {
            let resp = self.get(r, &url, "application/json")?;
            if resp.status == 404 {
                return Err(SourceError::NotFound {
                    url: super::http::redact(&url),
                });
            }
            check_status(&resp, &url)?;
            let json: serde_json::Value =
                serde_json::from_slice(&resp.body).map_err(|e| SourceError::InvalidResponse {
                    url: super::http::redact(&url),
                    reason: format!("tag list is not JSON: {e}"),
                })?;
            if let Some(tags) = json.get("tags").and_then(|t| t.as_array()) {
                out.extend(tags.iter().filter_map(|t| t.as_str().map(str::to_string)));
            }
            match resp.header("link").and_then(next_link) {
                Some(next) => url = super::http::join_url(&url, &next),
                None => break,
            }
        }
        Ok(out)
    }
}

fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn check_status(resp: &Response, url: &str) -> Result<(), SourceError> {
    if resp.is_success() {
        return Ok(());
    }
    Err(SourceError::Status {
        url: super::http::redact(url),
        status: resp.status,
    })
}

fn unauthorized(url: &str, host: &str, had_credentials: bool) -> SourceError {
    let help = if had_credentials {
        format!(
            "the registry refused the credentials found for {host}; log in again with `helm registry login {host}` or `docker login {host}`"
        )
    } else {
        format!(
            "no credentials for {host}: log in with `helm registry login {host}` or `docker login {host}`"
        )
    };
    SourceError::Unauthorized {
        url: super::http::redact(url),
        help,
    }
}

/// `Bearer realm="...",service="...",scope="..."` into scheme and parameters.
pub fn parse_challenge(header: &str) -> (String, HashMap<String, String>) {
    let header = header.trim();
    let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
    let mut params = HashMap::new();
    let mut rest = rest.trim();
    while !rest.is_empty() {
        let Some((key, after)) = rest.split_once('=') else {
            break;
        };
        let key = key
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        let after = after.trim_start();
        let (value, tail) = if let Some(q) = after.strip_prefix('"') {
            match q.find('"') {
                Some(end) => (q[..end].to_string(), &q[end + 1..]),
                None => (q.to_string(), ""),
            }
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_string(), &after[end..])
        };
        params.insert(key, value);
        rest = tail.trim_start().trim_start_matches(',').trim_start();
    }
    (scheme.to_string(), params)
}

/// The target of `rel="next"` in a `Link` header.
fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        if !params.contains("rel=\"next\"") && !params.contains("rel=next") {
            return None;
        }
        Some(
            target
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string(),
        )
    })
}

/// The tags of a chart in an OCI registry, as chart versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartTags {
    /// `oci://HOST/PATH`.
    pub repo: String,
    pub chart: String,
}

impl super::VersionSource for ChartTags {
    fn describe(&self) -> String {
        format!("oci {}/{}", self.repo, self.chart)
    }

    fn tags(&self, f: &Fetcher) -> Result<Vec<String>, SourceError> {
        f.online(&self.repo)?;
        let r =
            Reference::parse(&self.repo, &self.chart).ok_or_else(|| SourceError::Unsupported {
                what: self.repo.clone(),
                reason: "expected oci://HOST/PATH".into(),
            })?;
        let mut registry = Registry::new(&f.http);
        registry.credentials = f.registry_credentials.clone();
        Ok(registry
            .tags(&r)?
            .iter()
            .map(|t| version_for_tag(t))
            .collect())
    }
}

impl Fetcher {
    /// A chart from a registry: the tag is resolved first (its manifest names the layer's
    /// digest), so the cache answers only with the archive the tag points at now.
    pub(crate) fn fetch_oci_chart(
        &self,
        req: &ChartRequest,
        key: &str,
    ) -> Result<FetchedChart, SourceError> {
        let r =
            Reference::parse(&req.repo, &req.chart).ok_or_else(|| SourceError::Unsupported {
                what: req.repo.clone(),
                reason: "expected oci://HOST/PATH".into(),
            })?;
        let shown = format!(
            "oci://{}/{}:{}",
            r.host,
            r.repository,
            tag_for_version(&req.version)
        );
        let mut registry = Registry::new(&self.http);
        registry.credentials = self.registry_credentials.clone();
        let layer = if self.offline {
            None
        } else {
            Some(registry.resolve(&r, &req.version)?)
        };
        if let Some((bytes, digest)) =
            self.cached_chart(layer.as_ref().map(|l| l.digest.as_str()), req, key)
        {
            return Ok(FetchedChart {
                bytes,
                digest,
                url: shown,
                downloaded: false,
            });
        }
        self.online(&shown)?;
        let layer = match layer {
            Some(l) => l,
            None => registry.resolve(&r, &req.version)?,
        };
        let bytes = registry.blob(&r, &layer)?;
        self.count_download();
        self.cache.put(&bytes);
        Ok(FetchedChart {
            bytes,
            digest: layer.digest,
            url: shown,
            downloaded: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_tags() {
        let r = Reference::parse("oci://ghcr.io/org/charts", "app").unwrap();
        assert_eq!(
            (r.host.as_str(), r.repository.as_str()),
            ("ghcr.io", "org/charts/app")
        );
        assert_eq!(r.base_url(), "https://ghcr.io");
        let r = Reference::parse("oci://127.0.0.1:5000/c", "x").unwrap();
        assert_eq!(r.base_url(), "http://127.0.0.1:5000");
        assert!(Reference::parse("https://x/y", "c").is_none());
        assert_eq!(tag_for_version("1.2.3+build.1"), "1.2.3_build.1");
        assert_eq!(version_for_tag("1.2.3_build.1"), "1.2.3+build.1");
    }

    #[test]
    fn challenges_and_links() {
        let (s, p) = parse_challenge(
            r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull""#,
        );
        assert_eq!(s, "Bearer");
        assert_eq!(p["realm"], "https://auth.example/token");
        assert_eq!(p["service"], "registry.example");
        assert_eq!(p["scope"], "repository:a/b:pull");
        let (s, p) = parse_challenge(r#"Basic realm="Registry Realm""#);
        assert_eq!(
            (s.as_str(), p["realm"].as_str()),
            ("Basic", "Registry Realm")
        );
        assert_eq!(
            next_link(r#"</v2/a/tags/list?last=x&n=2>; rel="next""#).unwrap(),
            "/v2/a/tags/list?last=x&n=2"
        );
        assert!(next_link(r#"</x>; rel="prev""#).is_none());
    }
}
