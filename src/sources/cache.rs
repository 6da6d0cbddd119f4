//! The content-addressed download cache in the user's cache directory.
//!
//! Blobs live at `blobs/sha256/<hex>`, named by the sha256 of their bytes and verified on
//! read; `refs/<sha256 of key>` maps a key (a URL, or `chart repo|name|version`) to a digest, so
//! `--offline` can find what an earlier run fetched. Every write goes to a temporary file in the
//! same directory and is renamed into place, so two runs sharing the cache never see partial
//! files (the last rename wins, and both write the same bytes).

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The cache root and its operations. A disabled cache stores and finds nothing.
#[derive(Debug, Clone)]
pub struct Cache {
    root: Option<PathBuf>,
}

impl Cache {
    /// The cache under `dir`.
    pub fn at(dir: impl Into<PathBuf>) -> Cache {
        Cache {
            root: Some(dir.into()),
        }
    }

    /// A cache that never holds anything.
    pub fn disabled() -> Cache {
        Cache { root: None }
    }

    /// `VENDOR_CACHE_DIR`, else `$XDG_CACHE_HOME/vendor`, else `~/.cache/vendor`
    /// (`~/Library/Caches/vendor` on macOS, `%LOCALAPPDATA%\vendor` on Windows).
    pub fn default_location() -> Option<PathBuf> {
        let env = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        if let Some(d) = env("VENDOR_CACHE_DIR") {
            return Some(d);
        }
        if let Some(d) = env("XDG_CACHE_HOME") {
            return Some(d.join("vendor"));
        }
        if cfg!(windows) {
            return env("LOCALAPPDATA").map(|d| d.join("vendor"));
        }
        let home = env("HOME")?;
        if cfg!(target_os = "macos") {
            return Some(home.join("Library/Caches/vendor"));
        }
        Some(home.join(".cache/vendor"))
    }

    pub fn root(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    fn blob_path(&self, digest: &str) -> Option<PathBuf> {
        let hex = crate::digest::hex_of(&crate::digest::normalize(digest))?.to_string();
        Some(
            self.root
                .as_ref()?
                .join("blobs/sha256")
                .join(hex.to_ascii_lowercase()),
        )
    }

    fn ref_path(&self, key: &str) -> Option<PathBuf> {
        let h = hex::encode(Sha256::digest(key.as_bytes()));
        Some(self.root.as_ref()?.join("refs").join(h))
    }

    /// The blob with this digest, if cached and intact (a corrupt blob is removed).
    pub fn get(&self, digest: &str) -> Option<Vec<u8>> {
        let path = self.blob_path(digest)?;
        let bytes = std::fs::read(&path).ok()?;
        if crate::digest::of_bytes(&bytes) != digest.to_ascii_lowercase() {
            let _ = std::fs::remove_file(&path);
            return None;
        }
        Some(bytes)
    }

    /// Whether the blob is present (without reading it).
    pub fn contains(&self, digest: &str) -> bool {
        self.blob_path(digest).is_some_and(|p| p.is_file())
    }

    /// Stores bytes and returns their digest. Cache write failures are not errors: the cache is
    /// an optimisation, and a read-only cache directory must not stop a sync.
    pub fn put(&self, bytes: &[u8]) -> String {
        let digest = crate::digest::of_bytes(bytes);
        if let Some(path) = self.blob_path(&digest)
            && !path.is_file()
        {
            let _ = write_atomically(&path, bytes);
        }
        digest
    }

    /// Records that `key` resolved to `digest`.
    pub fn set_ref(&self, key: &str, digest: &str) {
        if let Some(path) = self.ref_path(key) {
            let _ = write_atomically(&path, digest.as_bytes());
        }
    }

    /// The digest `key` last resolved to.
    pub fn get_ref(&self, key: &str) -> Option<String> {
        let text = std::fs::read_to_string(self.ref_path(key)?).ok()?;
        let text = text.trim();
        text.starts_with("sha256:").then(|| text.to_string())
    }

    /// The blob `key` last resolved to.
    pub fn get_by_ref(&self, key: &str) -> Option<Vec<u8>> {
        self.get(&self.get_ref(key)?)
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_verifies_and_maps_keys() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path());
        let d = cache.put(b"hello");
        assert_eq!(d, crate::digest::of_bytes(b"hello"));
        assert_eq!(cache.get(&d).unwrap(), b"hello");
        cache.set_ref("https://x/y", &d);
        assert_eq!(cache.get_by_ref("https://x/y").unwrap(), b"hello");
        // A corrupted blob is not returned.
        let hex = d.strip_prefix("sha256:").unwrap();
        std::fs::write(dir.path().join("blobs/sha256").join(hex), b"evil").unwrap();
        assert!(cache.get(&d).is_none());
        assert!(Cache::disabled().get(&d).is_none());
        assert!(cache.get("sha256:../../etc").is_none());
    }

    #[test]
    fn concurrent_writers_agree() {
        let dir = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..200_000u32).flat_map(u32::to_le_bytes).collect();
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    let c = Cache::at(dir.path());
                    let d = c.put(&data);
                    assert_eq!(c.get(&d).unwrap(), data);
                });
            }
        });
    }
}
