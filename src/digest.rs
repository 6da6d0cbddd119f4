//! The one digest format of the app: `sha256:<64 lowercase hex digits>`, of bytes, of a file
//! (streamed) and of a vendored tree (its sorted `<file> <digest>` lines). Lock data, the
//! download cache, chart indexes and OCI manifests all go through here.
//!
//! SHA-256 is `ring`'s (assembly: SHA-NI, AVX2 or SSSE3, whichever the CPU has), about twice as
//! fast as a portable implementation on CPUs without SHA-NI; `vendor check` hashes every
//! vendored file on every run.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use ring::digest::{Context, SHA256, digest};

const PREFIX: &str = "sha256:";

fn format(hash: &[u8]) -> String {
    format!("{PREFIX}{}", hex::encode(hash))
}

/// The digest of a byte string.
pub fn of_bytes(bytes: &[u8]) -> String {
    format(digest(&SHA256, bytes).as_ref())
}

/// The digest of a file, read in chunks.
pub fn of_file(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut hasher = Context::new(&SHA256);
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(format(hasher.finish().as_ref()))
}

/// The digest of a vendored tree: sha256 of its `<file> <digest>\n` lines in path order.
pub fn of_tree(files: &BTreeMap<String, String>) -> String {
    let mut h = Context::new(&SHA256);
    for (file, digest) in files {
        h.update(file.as_bytes());
        h.update(b" ");
        h.update(digest.as_bytes());
        h.update(b"\n");
    }
    format(h.finish().as_ref())
}

/// The hex part of a well-formed digest (`sha256:` and 64 lowercase hex digits), else `None`.
pub fn hex_of(digest: &str) -> Option<&str> {
    digest.strip_prefix(PREFIX).filter(|h| {
        h.len() == 64
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// A digest as upstream writes it (a Helm index's bare hex, any case) in our format.
pub fn normalize(digest: &str) -> String {
    let lower = digest.to_ascii_lowercase();
    if lower.starts_with(PREFIX) {
        lower
    } else {
        format!("{PREFIX}{lower}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors_and_validation() {
        let abc = of_bytes(b"abc");
        assert_eq!(
            abc,
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(hex_of(&abc).is_some());
        assert!(hex_of(&abc.to_ascii_uppercase()).is_none());
        assert!(hex_of("sha256:../../etc").is_none());
        assert_eq!(normalize("BA7816"), "sha256:ba7816");
        assert_eq!(normalize("sha256:AB"), "sha256:ab");
        let tree = BTreeMap::from([("a".to_string(), abc.clone())]);
        assert_eq!(of_tree(&tree), of_bytes(format!("a {abc}\n").as_bytes()));
    }
}
