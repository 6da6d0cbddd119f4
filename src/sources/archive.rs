//! Reading chart archives (`.tgz`) safely, entirely in memory.
//!
//! Only regular files (and directory entries, which are ignored) are accepted; links, devices,
//! FIFOs and anything else are refused, as are absolute paths, `..`, backslashes, duplicate paths
//! (also when they differ only in case), a file that is also a directory, and entries outside
//! the single top-level chart directory. Caps on entry count, per-file size and total
//! decompressed size guard against gzip and tar bombs. Nothing touches the filesystem here:
//! callers write the returned files into a staging directory.

use std::collections::{BTreeMap, HashSet};
use std::io::Read;

/// Limits for one archive.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_entries: usize,
    pub max_file_bytes: u64,
    pub max_total_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entries: 10_000,
            max_file_bytes: 32 * 1024 * 1024,
            max_total_bytes: 256 * 1024 * 1024,
        }
    }
}

/// Why an archive was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArchiveError {
    #[error("not a gzip-compressed tar archive: {0}")]
    Corrupt(String),
    #[error("entry `{path}` is a {kind}; only regular files are allowed")]
    NotRegularFile { path: String, kind: &'static str },
    #[error("entry `{path}` has an unsafe path ({why})")]
    UnsafePath { path: String, why: &'static str },
    #[error("entry `{path}` appears twice")]
    Duplicate { path: String },
    #[error("more than {max} entries")]
    TooManyEntries { max: usize },
    #[error("entry `{path}` is larger than {max} bytes")]
    FileTooLarge { path: String, max: u64 },
    #[error("the archive expands to more than {max} bytes (a decompression bomb?)")]
    TooLarge { max: u64 },
    #[error("entries are not all under one top-level directory (`{first}` and `{other}`)")]
    SeveralRoots { first: String, other: String },
    #[error("the archive is empty")]
    Empty,
}

/// The files of a chart archive: the top-level directory name and each file's path below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartFiles {
    pub root: String,
    pub files: BTreeMap<String, Vec<u8>>,
}

/// A reader that fails once more than `left` bytes were read from it.
struct Capped<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(std::io::Error::other(BOMB));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

const BOMB: &str = "decompressed size limit exceeded";

/// Reads a gzip-compressed tar archive of a chart.
pub fn read_chart(bytes: &[u8], limits: Limits) -> Result<ChartFiles, ArchiveError> {
    // Tar headers add 512 bytes per entry on top of file contents.
    let cap = limits.max_total_bytes + (limits.max_entries as u64 + 2) * 1024;
    let gz = flate2::read::MultiGzDecoder::new(bytes);
    let mut archive = tar::Archive::new(Capped {
        inner: gz,
        left: cap,
    });
    let io_err = |e: std::io::Error| {
        if e.to_string().contains(BOMB) {
            ArchiveError::TooLarge {
                max: limits.max_total_bytes,
            }
        } else {
            ArchiveError::Corrupt(e.to_string())
        }
    };
    let mut files = BTreeMap::new();
    let mut seen_lower = HashSet::new();
    let mut dirs = HashSet::new();
    let mut root: Option<String> = None;
    let mut total = 0u64;
    let mut count = 0usize;
    for entry in archive.entries().map_err(io_err)? {
        let mut entry = entry.map_err(io_err)?;
        count += 1;
        if count > limits.max_entries {
            return Err(ArchiveError::TooManyEntries {
                max: limits.max_entries,
            });
        }
        let raw_path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let kind = entry.header().entry_type();
        let is_dir = kind.is_dir();
        let kind_name = match kind {
            tar::EntryType::Regular | tar::EntryType::Continuous => None,
            tar::EntryType::Directory => None,
            tar::EntryType::Symlink => Some("symbolic link"),
            tar::EntryType::Link => Some("hard link"),
            tar::EntryType::Char => Some("character device"),
            tar::EntryType::Block => Some("block device"),
            tar::EntryType::Fifo => Some("FIFO"),
            tar::EntryType::GNUSparse => Some("sparse file"),
            tar::EntryType::XGlobalHeader => continue,
            _ => Some("special entry"),
        };
        if let Some(kind) = kind_name {
            return Err(ArchiveError::NotRegularFile {
                path: raw_path,
                kind,
            });
        }
        let parts = safe_components(&raw_path)?;
        let top = parts[0].to_string();
        match &root {
            None => root = Some(top.clone()),
            Some(r) if *r != top => {
                return Err(ArchiveError::SeveralRoots {
                    first: r.clone(),
                    other: raw_path,
                });
            }
            Some(_) => {}
        }
        let rel = parts[1..].join("/");
        if is_dir {
            if files.contains_key(&rel) {
                return Err(ArchiveError::UnsafePath {
                    path: raw_path,
                    why: "a file and a directory",
                });
            }
            dirs.insert(rel);
            continue;
        }
        if rel.is_empty() {
            return Err(ArchiveError::UnsafePath {
                path: raw_path,
                why: "a file at the top level",
            });
        }
        // Every parent of this file must not be a file already, and it must not be a directory.
        for i in 1..parts.len() - 1 {
            if files.contains_key(&parts[1..=i].join("/")) {
                return Err(ArchiveError::UnsafePath {
                    path: raw_path,
                    why: "a file and a directory",
                });
            }
        }
        if dirs.contains(&rel)
            || files
                .keys()
                .any(|k: &String| k.starts_with(&format!("{rel}/")))
        {
            return Err(ArchiveError::UnsafePath {
                path: raw_path,
                why: "a file and a directory",
            });
        }
        if !seen_lower.insert(rel.to_lowercase()) {
            return Err(ArchiveError::Duplicate { path: raw_path });
        }
        let size = entry
            .header()
            .size()
            .map_err(|e| ArchiveError::Corrupt(e.to_string()))?;
        if size > limits.max_file_bytes {
            return Err(ArchiveError::FileTooLarge {
                path: raw_path,
                max: limits.max_file_bytes,
            });
        }
        total += size;
        if total > limits.max_total_bytes {
            return Err(ArchiveError::TooLarge {
                max: limits.max_total_bytes,
            });
        }
        let mut data = Vec::with_capacity(size as usize);
        (&mut entry)
            .take(size)
            .read_to_end(&mut data)
            .map_err(io_err)?;
        if data.len() as u64 != size {
            return Err(ArchiveError::Corrupt(format!(
                "entry `{raw_path}` is truncated"
            )));
        }
        files.insert(rel, data);
    }
    // Drain the rest of the stream so that a truncated or corrupt gzip trailer is noticed.
    let mut rest = archive.into_inner();
    std::io::copy(&mut rest, &mut std::io::sink()).map_err(io_err)?;
    let root = root.ok_or(ArchiveError::Empty)?;
    if files.is_empty() {
        return Err(ArchiveError::Empty);
    }
    Ok(ChartFiles { root, files })
}

/// Splits an archive path into components, refusing anything that could leave the target.
fn safe_components(path: &str) -> Result<Vec<&str>, ArchiveError> {
    let bad = |why| ArchiveError::UnsafePath {
        path: path.to_string(),
        why,
    };
    if path.is_empty() {
        return Err(bad("empty"));
    }
    if path.starts_with('/') {
        return Err(bad("absolute"));
    }
    if path.contains('\\') {
        return Err(bad("backslash"));
    }
    if path.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err(bad("control character"));
    }
    if path.len() >= 2 && path.as_bytes()[1] == b':' {
        return Err(bad("drive letter"));
    }
    let mut parts = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => return Err(bad("`..`")),
            c => parts.push(c),
        }
    }
    if parts.is_empty() {
        return Err(bad("empty"));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tgz(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (path, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            b.append_data(&mut h, path, *data).unwrap();
        }
        let tar = b.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, &tar).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn reads_a_plain_chart() {
        let bytes = tgz(&[("c/Chart.yaml", b"name: c\n"), ("c/templates/a.yaml", b"x")]);
        let chart = read_chart(&bytes, Limits::default()).unwrap();
        assert_eq!(chart.root, "c");
        assert_eq!(
            chart.files.keys().collect::<Vec<_>>(),
            ["Chart.yaml", "templates/a.yaml"]
        );
    }

    #[test]
    fn refuses_case_duplicates_and_two_roots() {
        let bytes = tgz(&[("c/a.yaml", b"1"), ("c/A.yaml", b"2")]);
        assert!(matches!(
            read_chart(&bytes, Limits::default()),
            Err(ArchiveError::Duplicate { .. })
        ));
        let bytes = tgz(&[("c/a.yaml", b"1"), ("d/a.yaml", b"2")]);
        assert!(matches!(
            read_chart(&bytes, Limits::default()),
            Err(ArchiveError::SeveralRoots { .. })
        ));
    }

    #[test]
    fn unsafe_paths() {
        for p in ["/etc/passwd", "c/../../x", "c\\x", "C:/x", "..", "c/\u{1}x"] {
            assert!(safe_components(p).is_err(), "{p}");
        }
        assert_eq!(safe_components("./c//x").unwrap(), ["c", "x"]);
    }
}
