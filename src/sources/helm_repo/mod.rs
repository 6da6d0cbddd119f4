//! Helm HTTP chart repositories: the index (parsed in [`index`]), version resolution, chart URLs,
//! and downloading a chart archive verified against the index digest.

pub mod index;

use std::sync::Arc;

pub use index::{
    ChartVersion, Index, IndexError, parse_index, parse_index_events, parse_index_fast,
    sequence_of_flat_maps,
};

use super::{ChartRequest, FetchedChart, Fetcher, SourceError, auth, http};

/// The download URL of a chart version: its first URL, resolved against the repository URL
/// (Helm treats the repository URL as a directory).
pub fn chart_url(repo_url: &str, cv: &ChartVersion) -> Option<String> {
    let first = cv.urls.first()?;
    let base = format!("{}/", repo_url.trim_end_matches('/'));
    Some(super::http::join_url(&base, first))
}

/// The URL of a repository's index.
pub fn index_url(repo_url: &str) -> String {
    format!("{}/index.yaml", repo_url.trim_end_matches('/'))
}

/// The versions of a chart in an HTTP repository's index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartVersions {
    pub repo: String,
    pub chart: String,
    pub auth: auth::RepoAuth,
}

impl super::VersionSource for ChartVersions {
    fn describe(&self) -> String {
        format!("helm-index {} {}", http::redact(&self.repo), self.chart)
    }

    fn tags(&self, f: &Fetcher) -> Result<Vec<String>, SourceError> {
        let index = f.index(&self.repo, &self.auth)?;
        Ok(index
            .entries
            .get(&self.chart)
            .map(|l| l.iter().map(|cv| cv.version.clone()).collect())
            .unwrap_or_default())
    }
}

impl Fetcher {
    /// The parsed index of an HTTP repository, downloaded once per run.
    pub fn index(&self, repo: &str, auth: &auth::RepoAuth) -> Result<Arc<Index>, SourceError> {
        let memo = {
            let mut map = self
                .indexes
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            map.entry(repo.to_string()).or_default().clone()
        };
        memo.get_or_init(|| {
            let url = index_url(repo);
            let bytes = if self.offline {
                self.cache
                    .get_by_ref(&url)
                    .ok_or_else(|| SourceError::Offline {
                        what: http::redact(&url),
                    })?
            } else {
                let headers: Vec<(&str, String)> = auth
                    .header_for(repo)?
                    .map(|h| ("Authorization", h))
                    .into_iter()
                    .collect();
                let resp = self.get_ok(&url, &headers)?;
                let digest = self.cache.put(&resp.body);
                self.cache.set_ref(&url, &digest);
                resp.body
            };
            let text = String::from_utf8_lossy(&bytes);
            let index = parse_index(&text).map_err(|reason| SourceError::Index {
                url: http::redact(&url),
                reason,
            })?;
            Ok(Arc::new(index))
        })
        .clone()
    }

    /// The index entry of a chart version: the version must be listed (an unknown chart or
    /// version is [`SourceError::VersionNotFound`], whatever the cache holds).
    pub(crate) fn locate_http_chart(
        &self,
        req: &ChartRequest,
    ) -> Result<(ChartVersion, String), SourceError> {
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
        let url = chart_url(&req.repo, cv).ok_or_else(|| SourceError::InvalidResponse {
            url: http::redact(&index_url(&req.repo)),
            reason: format!("{} {} has no download URL", req.chart, req.version),
        })?;
        Ok((cv.clone(), url))
    }

    /// A chart from an HTTP repository. The version is looked up in the index first (offline:
    /// the cached index, when there is one), so the cache answers only with the archive whose
    /// digest the index lists for it; a download is verified against that digest.
    pub(crate) fn fetch_http_chart(
        &self,
        req: &ChartRequest,
        key: &str,
    ) -> Result<FetchedChart, SourceError> {
        let located = match self.locate_http_chart(req) {
            Ok(l) => Some(l),
            // Offline without a cached index: the cache alone answers (the caller checks
            // the archive's Chart.yaml against the request).
            Err(SourceError::Offline { .. }) if self.offline => None,
            Err(e) => return Err(e),
        };
        let expected = located
            .as_ref()
            .and_then(|(cv, _)| cv.digest.as_deref())
            .map(crate::digest::normalize);
        if let Some((bytes, digest)) = self.cached_chart(expected.as_deref(), req, key) {
            let url = located
                .map(|(_, url)| url)
                .unwrap_or_else(|| key.to_string());
            return Ok(FetchedChart {
                bytes,
                digest,
                url,
                downloaded: false,
            });
        }
        self.online(&http::redact(key))?;
        let Some((_, url)) = located else {
            return Err(SourceError::Offline {
                what: http::redact(key),
            });
        };
        // Send credentials only to the repository's own host (as Helm does by default).
        let same_host = url::Url::parse(&url)
            .ok()
            .map(|u| u.host_str().map(str::to_string))
            == url::Url::parse(&req.repo)
                .ok()
                .map(|u| u.host_str().map(str::to_string));
        let headers: Vec<(&str, String)> = if same_host {
            req.auth
                .header_for(&req.repo)?
                .map(|h| ("Authorization", h))
                .into_iter()
                .collect()
        } else {
            Vec::new()
        };
        let resp = self.get_ok(&url, &headers)?;
        self.count_download();
        let digest = crate::digest::of_bytes(&resp.body);
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

    /// What the index says a digest is, when it lists it for another chart or version than
    /// `req` (the digest was recorded for something else).
    pub(crate) fn index_names_digest(&self, req: &ChartRequest, digest: &str) -> Option<String> {
        let index = self.index(&req.repo, &req.auth).ok()?;
        for (name, list) in &index.entries {
            for cv in list {
                let same = cv
                    .digest
                    .as_deref()
                    .is_some_and(|d| crate::digest::normalize(d) == digest);
                if same
                    && !(*name == req.chart
                        && super::identity::same_version(&cv.version, &req.version))
                {
                    return Some(format!(
                        "{name} {} according to the repository's index",
                        cv.version
                    ));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_urls_resolve_against_the_repo() {
        let cv = ChartVersion {
            urls: vec!["charts/a-1.0.0.tgz".into()],
            ..Default::default()
        };
        assert_eq!(
            chart_url("https://h/repo", &cv).unwrap(),
            "https://h/repo/charts/a-1.0.0.tgz"
        );
        let cv = ChartVersion {
            urls: vec!["https://o/a.tgz".into()],
            ..Default::default()
        };
        assert_eq!(
            chart_url("https://h/repo/", &cv).unwrap(),
            "https://o/a.tgz"
        );
    }
}
