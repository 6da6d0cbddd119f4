//! Raw files by URL (`https://`, `file://`): release manifests as upstream publishes them.
//! Downloads are cached by digest; a known digest answers from the cache without the network
//! only when the cache recorded it for this very URL (a digest recorded for another version's
//! URL never stands in for this one).

use super::{FetchedFile, Fetcher, SourceError};

impl Fetcher {
    /// A raw file, from the cache when `known_digest` is cached and was fetched from `url`.
    pub fn fetch_url(
        &self,
        url: &str,
        known_digest: Option<&str>,
    ) -> Result<FetchedFile, SourceError> {
        if !self.bypass_cache {
            let cached = known_digest
                .filter(|d| self.cache.get_ref(url).as_deref() == Some(*d))
                .and_then(|d| self.cache.get(d))
                .or_else(|| {
                    if self.offline {
                        self.cache.get_by_ref(url)
                    } else {
                        None
                    }
                });
            if let Some(bytes) = cached {
                let digest = crate::digest::of_bytes(&bytes);
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
            let digest = crate::digest::of_bytes(&bytes);
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
}
