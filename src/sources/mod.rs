//! Fetching upstream: Helm HTTP repositories, OCI registries, raw URLs, and version discovery
//! (GitHub releases, git tags, Helm indexes).
//!
//! [`Fetcher`] is the entry point: it owns the HTTP client (retries), the cache, the offline
//! switch and per-run memos (one index download per repository). Its inputs are plain values
//! ([`ChartRequest`], URLs, [`Discovery`]) so the module does not depend on vendor.toml; `sync`
//! and `outdated` translate config entries into them. Writing to disk is `crate::workspace`'s
//! job; rendering charts is `crate::render`'s (through the `helm-render` crate).

pub mod archive;
pub mod auth;
pub mod cache;
pub mod git;
pub mod github;
pub mod helm_repo;
pub mod http;
pub mod oci;
pub mod outdated;
pub mod sync;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use semver_ranges::Version;

pub use cache::{Cache, sha256_digest};

/// Why fetching failed. Every variant names the URL (credentials redacted).
#[derive(Debug, Clone, thiserror::Error, miette::Diagnostic)]
pub enum SourceError {
    #[error("{url}: {reason} (after {attempts} attempts)")]
    #[diagnostic(help("check the network and the URL, then run the command again"))]
    Network {
        url: String,
        reason: String,
        attempts: u32,
    },
    #[error("{url}: HTTP {status}")]
    #[diagnostic(help("the server refused the request; check the URL"))]
    Status { url: String, status: u16 },
    #[error("{url}: not found (HTTP 404)")]
    #[diagnostic(help("check the URL and the version"))]
    NotFound { url: String },
    #[error("{url}: authentication required or refused")]
    #[diagnostic(help("{help}"))]
    Unauthorized { url: String, help: String },
    #[error("{url}: digest mismatch: expected {expected}, got {actual}")]
    #[diagnostic(help(
        "upstream served different bytes than it advertises (or than were pinned); do not trust this download"
    ))]
    DigestMismatch {
        url: String,
        expected: String,
        actual: String,
    },
    #[error("{url}: refusing the chart archive: {reason}")]
    #[diagnostic(help("the archive is malformed or hostile; nothing was written"))]
    Archive {
        url: String,
        reason: archive::ArchiveError,
    },
    #[error("{url}: index.yaml: {reason}")]
    #[diagnostic(help("the repository's index is not valid YAML of the expected shape"))]
    Index {
        url: String,
        reason: helm_repo::IndexError,
    },
    #[error("{what} has no version {version}")]
    #[diagnostic(help("{help}"))]
    VersionNotFound {
        what: String,
        version: String,
        help: String,
    },
    #[error("{url}: GitHub API rate limit exceeded; it resets at {reset}")]
    #[diagnostic(help(
        "set GITHUB_TOKEN to a token to get a higher limit, or wait until the reset"
    ))]
    RateLimited { url: String, reset: String },
    #[error("{what} is not in the cache and --offline forbids the network")]
    #[diagnostic(help("run once without --offline to fill the cache"))]
    Offline { what: String },
    #[error("{url}: {reason}")]
    #[diagnostic(help("check that the git remote exists and is readable"))]
    Git { url: String, reason: String },
    #[error("{url}: unexpected response: {reason}")]
    InvalidResponse { url: String, reason: String },
    #[error("{what}: {reason}")]
    Unsupported { what: String, reason: String },
    #[error("{what} does not render: {message}")]
    #[diagnostic(help("check the entry's values files, release and namespace against the chart"))]
    Render { what: String, message: String },
}

/// A chart to fetch: repository (`https://...` or `oci://...`), chart name, exact version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartRequest {
    pub repo: String,
    pub chart: String,
    pub version: String,
    /// The digest recorded for it, if any: lets a warm cache answer without the network.
    pub known_digest: Option<String>,
    pub auth: auth::RepoAuth,
}

/// A fetched chart archive, verified.
#[derive(Debug, Clone)]
pub struct FetchedChart {
    pub bytes: Vec<u8>,
    /// `sha256:<hex>` of the archive.
    pub digest: String,
    pub url: String,
    /// Whether the bytes came from the network (false: cache).
    pub downloaded: bool,
}

/// A fetched raw file.
#[derive(Debug, Clone)]
pub struct FetchedFile {
    pub url: String,
    pub bytes: Vec<u8>,
    pub digest: String,
    pub downloaded: bool,
}

/// Where to discover versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Discovery {
    GithubReleases {
        repo: String,
    },
    GitTags {
        url: String,
    },
    HelmIndex {
        repo: String,
        chart: String,
        auth: auth::RepoAuth,
    },
    Oci {
        repo: String,
        chart: String,
    },
}

/// A version found upstream: the tag as written and its parsed form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub tag: String,
    pub version: Version,
}

type IndexMemo = Arc<OnceLock<Result<Arc<helm_repo::Index>, SourceError>>>;

/// Fetching state for one run.
pub struct Fetcher {
    pub http: http::Client,
    pub cache: Cache,
    pub offline: bool,
    /// Skip cache reads (still writes): `check --online` re-tag detection.
    pub bypass_cache: bool,
    pub github_api: String,
    pub github_token: Option<String>,
    /// Explicit registry credentials (else the registry config files).
    pub registry_credentials: Option<auth::Credentials>,
    indexes: Mutex<HashMap<String, IndexMemo>>,
    downloads: std::sync::atomic::AtomicUsize,
}

impl Fetcher {
    pub fn new(http: http::Client, cache: Cache) -> Fetcher {
        Fetcher {
            http,
            cache,
            offline: false,
            bypass_cache: false,
            github_api: github::default_api_base(),
            github_token: std::env::var("GITHUB_TOKEN").ok().filter(|t| !t.is_empty()),
            registry_credentials: None,
            indexes: Mutex::new(HashMap::new()),
            downloads: Default::default(),
        }
    }

    /// A fetcher with the default client and the user's cache directory.
    pub fn from_env() -> Fetcher {
        let cache = Cache::default_location()
            .map(Cache::at)
            .unwrap_or_else(Cache::disabled);
        Fetcher::new(http::Client::default(), cache)
    }

    /// How many artifacts (archives, files) came from the network in this run.
    pub fn downloads(&self) -> usize {
        self.downloads.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn count_download(&self) {
        self.downloads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    fn online(&self, what: &str) -> Result<(), SourceError> {
        if self.offline {
            return Err(SourceError::Offline {
                what: what.to_string(),
            });
        }
        Ok(())
    }

    /// GET that turns non-success statuses into errors.
    fn get_ok(&self, url: &str, headers: &[(&str, String)]) -> Result<http::Response, SourceError> {
        self.online(&http::redact(url))?;
        let resp = self.http.get(url, headers)?;
        match resp.status {
            s if (200..300).contains(&s) => Ok(resp),
            404 => Err(SourceError::NotFound { url: http::redact(url) }),
            401 | 403 => Err(SourceError::Unauthorized {
                url: http::redact(url),
                help: "add credentials for this repository to Helm's repositories.yaml (`helm repo add NAME URL --username U --password P`)".into(),
            }),
            s => Err(SourceError::Status { url: http::redact(url), status: s }),
        }
    }

    /// A raw file, from the cache when `known_digest` is cached.
    pub fn fetch_url(
        &self,
        url: &str,
        known_digest: Option<&str>,
    ) -> Result<FetchedFile, SourceError> {
        if !self.bypass_cache {
            let cached = known_digest.and_then(|d| self.cache.get(d)).or_else(|| {
                if self.offline {
                    self.cache.get_by_ref(url)
                } else {
                    None
                }
            });
            if let Some(bytes) = cached {
                let digest = sha256_digest(&bytes);
                return Ok(FetchedFile {
                    url: url.to_string(),
                    bytes,
                    digest,
                    downloaded: false,
                });
            }
        }
        if let Some(path) = url.strip_prefix("file://") {
            let path = percent_encoding::percent_decode_str(path)
                .decode_utf8_lossy()
                .into_owned();
            let bytes = std::fs::read(&path).map_err(|e| SourceError::InvalidResponse {
                url: url.to_string(),
                reason: format!("cannot read {path}: {e}"),
            })?;
            let digest = sha256_digest(&bytes);
            return Ok(FetchedFile {
                url: url.to_string(),
                bytes,
                digest,
                downloaded: false,
            });
        }
        let resp = self.get_ok(url, &[])?;
        self.count_download();
        let digest = self.cache.put(&resp.body);
        self.cache.set_ref(url, &digest);
        Ok(FetchedFile {
            url: url.to_string(),
            bytes: resp.body,
            digest,
            downloaded: true,
        })
    }

    /// The parsed index of an HTTP repository, downloaded once per run.
    pub fn index(
        &self,
        repo: &str,
        auth: &auth::RepoAuth,
    ) -> Result<Arc<helm_repo::Index>, SourceError> {
        let memo = {
            let mut map = self.indexes.lock().unwrap();
            map.entry(repo.to_string()).or_default().clone()
        };
        memo.get_or_init(|| {
            let url = helm_repo::index_url(repo);
            let bytes = if self.offline {
                self.cache
                    .get_by_ref(&url)
                    .ok_or_else(|| SourceError::Offline {
                        what: http::redact(&url),
                    })?
            } else {
                let headers: Vec<(&str, String)> = auth
                    .header_for(repo)
                    .map(|h| ("Authorization", h))
                    .into_iter()
                    .collect();
                let resp = self.get_ok(&url, &headers)?;
                let digest = self.cache.put(&resp.body);
                self.cache.set_ref(&url, &digest);
                resp.body
            };
            let text = String::from_utf8_lossy(&bytes);
            let index = helm_repo::parse_index(&text).map_err(|reason| SourceError::Index {
                url: http::redact(&url),
                reason,
            })?;
            Ok(Arc::new(index))
        })
        .clone()
    }

    /// A chart archive at an exact version, verified against the index digest (HTTP) or the
    /// manifest and layer digests (OCI), and against `known_digest` when given.
    pub fn fetch_chart(&self, req: &ChartRequest) -> Result<FetchedChart, SourceError> {
        let key = format!(
            "chart {}|{}|{}",
            req.repo.trim_end_matches('/'),
            req.chart,
            req.version
        );
        if !self.bypass_cache {
            let cached = req
                .known_digest
                .as_deref()
                .and_then(|d| self.cache.get(d))
                .or_else(|| {
                    if self.offline {
                        self.cache.get_by_ref(&key)
                    } else {
                        None
                    }
                });
            if let Some(bytes) = cached {
                let digest = sha256_digest(&bytes);
                return Ok(FetchedChart {
                    bytes,
                    digest,
                    url: key,
                    downloaded: false,
                });
            }
        }
        self.online(&http::redact(&key))?;
        let fetched = if req.repo.starts_with("oci://") {
            self.fetch_oci_chart(req)?
        } else {
            self.fetch_http_chart(req)?
        };
        self.cache.set_ref(&key, &fetched.digest);
        Ok(fetched)
    }

    fn fetch_http_chart(&self, req: &ChartRequest) -> Result<FetchedChart, SourceError> {
        let index = self.index(&req.repo, &req.auth)?;
        let cv = index.find(&req.chart, &req.version).ok_or_else(|| {
            let known = index.versions(&req.chart);
            let help = if index.entries.contains_key(&req.chart) {
                let newest: Vec<String> = known
                    .iter()
                    .take(5)
                    .map(|v| v.original().to_string())
                    .collect();
                format!("newest versions in the index: {}", newest.join(", "))
            } else {
                format!("the index has no chart named `{}`", req.chart)
            };
            SourceError::VersionNotFound {
                what: format!("chart `{}` in {}", req.chart, http::redact(&req.repo)),
                version: req.version.clone(),
                help,
            }
        })?;
        let url =
            helm_repo::chart_url(&req.repo, cv).ok_or_else(|| SourceError::InvalidResponse {
                url: http::redact(&helm_repo::index_url(&req.repo)),
                reason: format!("{} {} has no download URL", req.chart, req.version),
            })?;
        let expected = cv.digest.as_ref().map(|d| {
            if d.starts_with("sha256:") {
                d.to_ascii_lowercase()
            } else {
                format!("sha256:{}", d.to_ascii_lowercase())
            }
        });
        if !self.bypass_cache
            && let Some(bytes) = expected.as_deref().and_then(|d| self.cache.get(d))
        {
            let digest = sha256_digest(&bytes);
            return Ok(FetchedChart {
                bytes,
                digest,
                url,
                downloaded: false,
            });
        }
        // Send credentials only to the repository's own host (as Helm does by default).
        let same_host = url::Url::parse(&url)
            .ok()
            .map(|u| u.host_str().map(str::to_string))
            == url::Url::parse(&req.repo)
                .ok()
                .map(|u| u.host_str().map(str::to_string));
        let headers: Vec<(&str, String)> = if same_host {
            req.auth
                .header_for(&req.repo)
                .map(|h| ("Authorization", h))
                .into_iter()
                .collect()
        } else {
            Vec::new()
        };
        let resp = self.get_ok(&url, &headers)?;
        self.count_download();
        let digest = sha256_digest(&resp.body);
        if let Some(expected) = &expected
            && *expected != digest
        {
            return Err(SourceError::DigestMismatch {
                url: http::redact(&url),
                expected: expected.clone(),
                actual: digest,
            });
        }
        self.cache.put(&resp.body);
        Ok(FetchedChart {
            bytes: resp.body,
            digest,
            url,
            downloaded: true,
        })
    }

    fn fetch_oci_chart(&self, req: &ChartRequest) -> Result<FetchedChart, SourceError> {
        let r = oci::Reference::parse(&req.repo, &req.chart).ok_or_else(|| {
            SourceError::Unsupported {
                what: req.repo.clone(),
                reason: "expected oci://HOST/PATH".into(),
            }
        })?;
        let mut registry = oci::Registry::new(&self.http);
        registry.credentials = self.registry_credentials.clone();
        let pulled = registry.pull(&r, &req.version)?;
        self.count_download();
        self.cache.put(&pulled.bytes);
        Ok(FetchedChart {
            bytes: pulled.bytes,
            digest: pulled.digest,
            url: format!(
                "oci://{}/{}:{}",
                r.host,
                r.repository,
                oci::tag_for_version(&req.version)
            ),
            downloaded: true,
        })
    }

    /// Every version upstream offers, parsed; tags that are not versions are skipped.
    pub fn discover(&self, d: &Discovery) -> Result<Vec<Found>, SourceError> {
        let tags: Vec<String> = match d {
            Discovery::GithubReleases { repo } => {
                self.online(&format!("GitHub releases of {repo}"))?;
                github::release_tags(
                    &self.http,
                    &self.github_api,
                    repo,
                    self.github_token.as_deref(),
                )?
            }
            Discovery::GitTags { url } => {
                self.online(&format!("tags of {}", http::redact(url)))?;
                git::remote_tags(url)?
            }
            Discovery::HelmIndex { repo, chart, auth } => {
                let index = self.index(repo, auth)?;
                index
                    .entries
                    .get(chart)
                    .map(|l| l.iter().map(|cv| cv.version.clone()).collect())
                    .unwrap_or_default()
            }
            Discovery::Oci { repo, chart } => {
                self.online(repo)?;
                let r =
                    oci::Reference::parse(repo, chart).ok_or_else(|| SourceError::Unsupported {
                        what: repo.clone(),
                        reason: "expected oci://HOST/PATH".into(),
                    })?;
                let mut registry = oci::Registry::new(&self.http);
                registry.credentials = self.registry_credentials.clone();
                registry
                    .tags(&r)?
                    .iter()
                    .map(|t| oci::version_for_tag(t))
                    .collect()
            }
        };
        let mut found: Vec<Found> = tags
            .into_iter()
            .filter_map(|tag| {
                Version::parse(&tag)
                    .ok()
                    .map(|version| Found { tag, version })
            })
            .collect();
        found.sort_by(|a, b| b.version.cmp(&a.version));
        found.dedup_by(|a, b| a.tag == b.tag);
        Ok(found)
    }
}

/// `vendor check --online`: outdated findings plus re-tag detection for the selected entries
/// (all when `only` is empty), with the user's environment (cache bypassed for the re-tag
/// check). The caller merges these findings into its report.
pub fn online_findings(
    config: &crate::config::Config,
    only: &[String],
    jobs: usize,
) -> Result<Vec<crate::diag::Finding>, sync::SyncError> {
    let mut fetcher = Fetcher::from_env();
    fetcher.bypass_cache = true;
    let fetcher = &fetcher;
    let rows = outdated::outdated(config, fetcher, only, jobs);
    let mut findings = outdated::findings(config, &rows);
    findings.extend(sync::verify_upstream(config, fetcher, only, jobs)?);
    Ok(findings)
}
