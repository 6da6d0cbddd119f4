//! Fetching upstream, one module per kind: raw files by URL ([`raw`]), Helm HTTP repositories
//! ([`helm_repo`]), OCI registries ([`oci`]), and version lists from GitHub releases
//! ([`github`]) and git tags ([`git`]), all behind [`VersionSource`] for discovery; files of a
//! git commit ([`git`]) and inside archives (the `safe-archive` crate), selected by
//! [`paths`]; tag schemes ([`tags`]); published checksums ([`raw`]).
//!
//! [`Fetcher`] owns what a run shares: the HTTP client (retries), the cache, the offline switch
//! and per-run memos (one index download per repository). Inputs are plain values
//! ([`ChartRequest`], URLs, version sources), never vendor.toml: the flows translate entries.
//! Writing to disk is `crate::workspace`'s job; rendering charts is the engines'.

pub mod archive;
pub mod auth;
pub mod cache;
pub mod deps;
pub mod git;
pub mod github;
pub mod helm_repo;
pub mod http;
pub mod identity;
pub mod oci;
pub mod paths;
pub mod raw;
pub mod tags;
pub mod transfer;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use semver_ranges::Version;

pub use cache::Cache;

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
    #[error("{url}: {reason} (after {attempts} attempts)")]
    #[diagnostic(help(
        "the server is up but not answering: try again later; VENDOR_HTTP_TIMEOUT (seconds) sets how long to wait for it"
    ))]
    Stalled {
        url: String,
        reason: String,
        attempts: u32,
    },
    #[error("{url}: {reason}")]
    #[diagnostic(help("trying again cannot help: check the URL and what the server sends"))]
    Refused { url: String, reason: String },
    #[error(
        "{url}: `auth.{key}` names the environment variable {variable}, which is not set or empty"
    )]
    #[diagnostic(help(
        "set {variable} to the credential (e.g. in the CI job's secrets), or remove `auth` from the entry to use Helm's repositories.yaml"
    ))]
    MissingCredential {
        url: String,
        key: &'static str,
        variable: String,
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
    #[error("{url}: refusing the archive: {reason}")]
    #[diagnostic(help("the archive is malformed or hostile; nothing was written"))]
    Archive {
        url: String,
        reason: safe_archive::ArchiveError,
    },
    #[error("{url}: {reason}")]
    #[diagnostic(help("{help}"))]
    ArchivePath {
        url: String,
        reason: String,
        help: String,
    },
    #[error("{url}: git is not installed (or not on PATH)")]
    #[diagnostic(help(
        "vendor runs the git command for git sources (`git = ...` entries and `versions = {{ git-tags = ... }}`): install git"
    ))]
    GitMissing { url: String },
    #[error("{url} has no tag {reference} (version {version})")]
    #[diagnostic(help(
        "check `version` and the entry's `ref` template; `vendor outdated NAME` lists the versions the remote has"
    ))]
    GitRefNotFound {
        url: String,
        reference: String,
        version: String,
    },
    #[error("{url}: {reason}")]
    #[diagnostic(help("{help}"))]
    GitPath {
        url: String,
        reason: String,
        help: String,
    },
    #[error("none of the {total} tags of {what} match the tag scheme `{scheme}`")]
    #[diagnostic(help(
        "check the entry's `tag` (or `ref`) against the tags upstream uses, e.g. \"controller-v{{version}}\" for controller-v1.15.1"
    ))]
    NoMatchingTags {
        what: String,
        scheme: String,
        total: usize,
    },
    #[error(
        "{url}: sha256 {actual} does not match the checksum {expected} that {checksums} lists for `{asset}`"
    )]
    #[diagnostic(help(
        "the download is not what upstream published (or the checksums file changed): do not trust it; nothing was written"
    ))]
    ChecksumMismatch {
        url: String,
        checksums: String,
        asset: String,
        expected: String,
        actual: String,
    },
    #[error("{checksums} lists no checksum for `{asset}` (downloaded from {url})")]
    #[diagnostic(help(
        "the checksums file must have a line `<sha256>  {asset}`; check `checksums` and the asset's URL (nothing was written)"
    ))]
    ChecksumMissing {
        url: String,
        checksums: String,
        asset: String,
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
    #[error(
        "{url}: the archive's Chart.yaml says {field} `{found}`, but `{requested}` was requested"
    )]
    #[diagnostic(help(
        "the repository serves another chart under this name or version; check `chart` and `version` in vendor.toml (nothing was written)"
    ))]
    ChartMismatch {
        url: String,
        field: &'static str,
        requested: String,
        found: String,
    },
    #[error("{url}: not a chart archive: {reason}")]
    #[diagnostic(help("the repository serves something else than a Helm chart here"))]
    NotAChart { url: String, reason: String },
    #[error(
        "the lock data of `{entry}` records {digest} for {version}, but that archive is {actual}"
    )]
    #[diagnostic(help("{help}"))]
    StaleLock {
        entry: String,
        version: String,
        digest: String,
        actual: String,
        help: String,
    },
    #[error("{url}: not a Kubernetes manifest: {reason}")]
    #[diagnostic(help("{help}"))]
    NotManifest {
        url: String,
        reason: String,
        help: String,
    },
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

/// A place that lists an upstream's versions. Each kind is a module: [`github::Releases`],
/// [`git::Tags`], [`helm_repo::ChartVersions`], [`oci::ChartTags`].
pub trait VersionSource: Send + Sync + std::fmt::Debug {
    /// How reports name it (credentials redacted), e.g. `github-releases argoproj/argo-cd`.
    fn describe(&self) -> String;
    /// Every tag it offers, as written upstream.
    fn tags(&self, fetcher: &Fetcher) -> Result<Vec<String>, SourceError>;
}

/// A version found upstream: the tag as written and its parsed form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub tag: String,
    pub version: Version,
}

pub(crate) type IndexMemo = Arc<OnceLock<Result<Arc<helm_repo::Index>, SourceError>>>;

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
    pub(crate) indexes: Mutex<HashMap<String, IndexMemo>>,
    downloads: std::sync::atomic::AtomicUsize,
    /// Where git sources are fetched when there is no download cache.
    pub(crate) git_scratch: OnceLock<Option<tempfile::TempDir>>,
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
            git_scratch: OnceLock::new(),
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

    pub(crate) fn count_download(&self) {
        self.downloads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    pub(crate) fn online(&self, what: &str) -> Result<(), SourceError> {
        if self.offline {
            return Err(SourceError::Offline {
                what: what.to_string(),
            });
        }
        Ok(())
    }

    /// GET that turns non-success statuses into errors.
    pub(crate) fn get_ok(
        &self,
        url: &str,
        headers: &[(&str, String)],
    ) -> Result<http::Response, SourceError> {
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

    /// A chart archive at an exact version. The repository is asked first what the version is
    /// (the index entry's digest, or the OCI tag's layer digest), and the cache answers only
    /// with that archive; a download is verified against it. Where the repository cannot be
    /// asked (offline without a cached index, an index without digests), the cache answers by
    /// `known_digest` or by what this version resolved to before. Either way the caller checks
    /// the archive's Chart.yaml against the request ([`identity::check`]).
    pub fn fetch_chart(&self, req: &ChartRequest) -> Result<FetchedChart, SourceError> {
        let key = format!(
            "chart {}|{}|{}",
            req.repo.trim_end_matches('/'),
            req.chart,
            req.version
        );
        let fetched = if req.repo.starts_with("oci://") {
            self.fetch_oci_chart(req, &key)?
        } else {
            self.fetch_http_chart(req, &key)?
        };
        if fetched.downloaded {
            self.cache.set_ref(&key, &fetched.digest);
        }
        Ok(fetched)
    }

    /// A chart archive from the cache: the one the repository advertises when it could be
    /// asked, else the last one this version resolved to (offline) or `known_digest`.
    fn cached_chart(
        &self,
        advertised: Option<&str>,
        req: &ChartRequest,
        key: &str,
    ) -> Option<(Vec<u8>, String)> {
        if self.bypass_cache {
            return None;
        }
        let candidates: Vec<String> = match advertised {
            Some(d) => vec![d.to_string()],
            None => [
                self.offline.then(|| self.cache.get_ref(key)).flatten(),
                req.known_digest.clone(),
            ]
            .into_iter()
            .flatten()
            .collect(),
        };
        candidates.into_iter().find_map(|d| {
            let bytes = self.cache.get(&d)?;
            let digest = crate::digest::of_bytes(&bytes);
            Some((bytes, digest))
        })
    }

    /// What a chart digest recorded for `req` really is, when it can be shown to be another
    /// chart or version: the repository's index lists it under another version, or the archive
    /// in the cache says so in its Chart.yaml. `None` when nothing shows that (for a digest
    /// that differs from what the repository serves: upstream changed, a re-tag).
    pub fn identify_chart_digest(&self, req: &ChartRequest, digest: &str) -> Option<String> {
        if !req.repo.starts_with("oci://")
            && let Some(what) = self.index_names_digest(req, digest)
        {
            return Some(what);
        }
        let id = identity::of_archive(&self.cache.get(digest)?)?;
        identity::check(&id, &req.chart, &req.version)
            .is_err()
            .then(|| format!("{id} (its Chart.yaml, in the download cache)"))
    }
    /// The releases of GitHub repository `repo` (`owner/name`) with their text, from the API
    /// (one request per 100 releases): versions and release notes for `update`.
    pub fn github_releases(&self, repo: &str) -> Result<Vec<github::Release>, SourceError> {
        self.online(&format!("GitHub releases of {repo}"))?;
        github::releases(
            &self.http,
            &self.github_api,
            repo,
            self.github_token.as_deref(),
        )
    }

    /// Every version a source offers, parsed and newest first; tags that are not versions are
    /// skipped. With a tag scheme, only the tags that follow it count, each as the version it
    /// names ([`Found::tag`] is then that version, as vendor.toml writes it); when none does,
    /// that is an error ([`SourceError::NoMatchingTags`]).
    pub fn discover(
        &self,
        source: &dyn VersionSource,
        scheme: Option<&tags::TagScheme>,
    ) -> Result<Vec<Found>, SourceError> {
        let all = source.tags(self)?;
        let total = all.len();
        let named: Vec<String> = match scheme {
            None => all,
            Some(s) => all.iter().filter_map(|t| s.extract(t)).collect(),
        };
        if let Some(s) = scheme
            && named.is_empty()
        {
            return Err(SourceError::NoMatchingTags {
                what: source.describe(),
                scheme: s.as_str().to_string(),
                total,
            });
        }
        let mut found: Vec<Found> = named
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
