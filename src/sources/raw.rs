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

impl Fetcher {
    /// Checks a downloaded asset against its line in a published checksums file
    /// (`sha256sum` format, `<hex>  NAME` or `<hex> *NAME`; BSD `SHA256 (NAME) = <hex>` too).
    /// The asset is found by its file name (the URL's last segment). A missing line and a
    /// different sha256 are errors that name both the asset and the checksums file.
    pub fn verify_checksum(
        &self,
        checksums_url: &str,
        asset_url: &str,
        digest: &str,
    ) -> Result<(), SourceError> {
        let list = self.fetch_url(checksums_url, None)?;
        let asset = crate::config::url_file_name(asset_url).to_string();
        let text = String::from_utf8_lossy(&list.bytes);
        let shown = super::http::redact(checksums_url);
        let Some(expected) = checksum_line(&text, &asset) else {
            return Err(SourceError::ChecksumMissing {
                url: super::http::redact(asset_url),
                checksums: shown,
                asset,
            });
        };
        let actual = digest.strip_prefix("sha256:").unwrap_or(digest);
        if !expected.eq_ignore_ascii_case(actual) {
            return Err(SourceError::ChecksumMismatch {
                url: super::http::redact(asset_url),
                checksums: shown,
                asset,
                expected: format!("sha256:{}", expected.to_ascii_lowercase()),
                actual: format!("sha256:{actual}"),
            });
        }
        Ok(())
    }
}

/// The sha256 a checksums file lists for `asset` (matched by file name).
pub fn checksum_line<'t>(text: &'t str, asset: &str) -> Option<&'t str> {
    let is_hex = |h: &str| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit());
    let named = |name: &str| {
        let name = name.trim();
        name == asset || name.rsplit('/').next() == Some(asset)
    };
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if let Some(rest) = line.strip_prefix("SHA256 (")
            && let Some((name, hex)) = rest.split_once(") = ")
        {
            if named(name) && is_hex(hex.trim()) {
                return Some(hex.trim());
            }
            continue;
        }
        let Some((hex, name)) = line.split_once(char::is_whitespace) else {
            continue;
        };
        let name = name.trim_start();
        let name = name.strip_prefix('*').unwrap_or(name);
        if is_hex(hex) && named(name) {
            return Some(hex);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_checksum_lines() {
        let h = "a".repeat(64);
        let b = "b".repeat(64);
        let text = format!("{b}  other.tar.gz\n{h} *dist/app-v1.tar.gz\nSHA256 (x.zip) = {b}\n");
        assert_eq!(
            super::checksum_line(&text, "app-v1.tar.gz"),
            Some(h.as_str())
        );
        assert_eq!(super::checksum_line(&text, "x.zip"), Some(b.as_str()));
        assert_eq!(super::checksum_line(&text, "app.tar.gz"), None);
    }
}
