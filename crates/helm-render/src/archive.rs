//! Safe in-memory reading of chart archives (`.tgz`): regular files only, no absolute paths,
//! no `..`, no links or devices, caps on entry count, per-file size and total decompressed size
//! (a gzip bomb stops at the cap instead of filling memory). Mirrors Helm's loader rules: the
//! first path component (the chart directory) is stripped and paths are normalised to `/`.

use std::io::Read;

use crate::error::HelmError;

/// Helm's limit for a whole decompressed chart (100 MiB).
pub const MAX_DECOMPRESSED_CHART_SIZE: u64 = 100 * 1024 * 1024;
/// Helm's limit for one decompressed file (5 MiB).
pub const MAX_DECOMPRESSED_FILE_SIZE: u64 = 5 * 1024 * 1024;
/// Our own cap on the number of entries in one archive.
pub const MAX_ENTRIES: usize = 20_000;

/// A file of a chart, path relative to the chart root with `/` separators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BufferedFile {
    pub name: String,
    pub data: Vec<u8>,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

pub(crate) fn strip_bom(mut data: Vec<u8>) -> Vec<u8> {
    if data.starts_with(UTF8_BOM) {
        data.drain(..3);
    }
    data
}

/// Reads the files of a gzip-compressed chart archive held in memory.
pub fn load_archive_files(bytes: &[u8], origin: &str) -> Result<Vec<BufferedFile>, HelmError> {
    let bad = |message: String| HelmError::Archive {
        path: origin.to_string(),
        message,
    };
    if bytes.len() < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b {
        return Err(bad("gzip: invalid header".into()));
    }
    let gz = flate2::read::MultiGzDecoder::new(bytes);
    // One byte more than the cap so that exceeding it is detectable.
    let limited = gz.take(MAX_DECOMPRESSED_CHART_SIZE + 1024 * 1024);
    let mut tar = tar::Archive::new(limited);
    let entries = tar.entries().map_err(|e| bad(e.to_string()))?;
    let mut files = Vec::new();
    let mut remaining = MAX_DECOMPRESSED_CHART_SIZE;
    for (count, entry) in entries.enumerate() {
        if count >= MAX_ENTRIES {
            return Err(bad(format!("archive has more than {MAX_ENTRIES} entries")));
        }
        let mut entry = entry.map_err(|e| bad(e.to_string()))?;
        let kind = entry.header().entry_type();
        let raw_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if kind.is_dir() || kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        if kind.is_gnu_longname() || kind.is_gnu_longlink() {
            continue;
        }
        if !(kind.is_file() || kind == tar::EntryType::Continuous) {
            return Err(bad(format!(
                "chart archive entry {raw_name:?} is not a regular file (links and devices are not allowed)"
            )));
        }
        let name = normalize_entry_name(&raw_name).map_err(bad)?;
        let size = entry.header().size().map_err(|e| bad(e.to_string()))?;
        if size > remaining {
            return Err(bad(format!(
                "decompressed chart is larger than the maximum size {MAX_DECOMPRESSED_CHART_SIZE}"
            )));
        }
        if size > MAX_DECOMPRESSED_FILE_SIZE {
            return Err(bad(format!(
                "decompressed chart file {raw_name:?} is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}"
            )));
        }
        let mut data = Vec::with_capacity(size as usize);
        (&mut entry)
            .take(size.min(remaining))
            .read_to_end(&mut data)
            .map_err(|e| bad(e.to_string()))?;
        remaining -= data.len() as u64;
        if (data.len() as u64) < size {
            return Err(bad(format!("unexpected end of archive in {raw_name:?}")));
        }
        files.push(BufferedFile {
            name,
            data: strip_bom(data),
        });
    }
    if files.is_empty() {
        return Err(bad("no files in chart archive".into()));
    }
    Ok(files)
}

/// Strips the top directory and rejects names that escape the chart (Helm's rules, same texts).
fn normalize_entry_name(raw: &str) -> Result<String, String> {
    let delimiter = if raw.contains('\\') { '\\' } else { '/' };
    let parts: Vec<&str> = raw.split(delimiter).collect();
    if parts[0] == "Chart.yaml" {
        return Err("chart yaml not in base directory".into());
    }
    let joined = parts[1..].join("/");
    if joined.starts_with('/') {
        return Err("chart illegally contains absolute paths".into());
    }
    let cleaned = clean_path(&joined);
    if cleaned == "." {
        return Err(format!(
            "chart illegally contains content outside the base directory: {raw:?}"
        ));
    }
    if cleaned.starts_with("..") {
        return Err("chart illegally references parent directory".into());
    }
    let b = cleaned.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        return Err("chart contains illegally named files".into());
    }
    Ok(cleaned)
}

/// Go's `path.Clean` for relative paths.
pub(crate) fn clean_path(p: &str) -> String {
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|s| *s != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            s => out.push(s),
        }
    }
    let body = out.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tgz(entries: &[(&str, &[u8], tar::EntryType)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (name, data, kind) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(*kind);
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            // set_path refuses `..`; write the raw name bytes to test hostile archives.
            let bytes = name.as_bytes();
            h.as_old_mut().name[..bytes.len()].copy_from_slice(bytes);
            h.set_cksum();
            builder.append(&h, *data).unwrap();
        }
        let tar = builder.into_inner().unwrap();
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut enc, &tar).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn strips_top_dir_and_bom() {
        let a = tgz(&[
            (
                "c/Chart.yaml",
                b"\xEF\xBB\xBFname: c",
                tar::EntryType::Regular,
            ),
            ("c/templates/x.yaml", b"a: 1", tar::EntryType::Regular),
        ]);
        let files = load_archive_files(&a, "c.tgz").unwrap();
        assert_eq!(files[0].name, "Chart.yaml");
        assert_eq!(files[0].data, b"name: c");
        assert_eq!(files[1].name, "templates/x.yaml");
    }

    #[test]
    fn rejects_parent_references_links_and_toplevel_chart_yaml() {
        let a = tgz(&[("c/../../etc/passwd", b"x", tar::EntryType::Regular)]);
        let e = load_archive_files(&a, "c.tgz").unwrap_err().to_string();
        assert!(e.contains("parent directory"), "{e}");
        let a = tgz(&[("c/link", b"", tar::EntryType::Symlink)]);
        let e = load_archive_files(&a, "c.tgz").unwrap_err().to_string();
        assert!(e.contains("not a regular file"), "{e}");
        let a = tgz(&[("Chart.yaml", b"", tar::EntryType::Regular)]);
        let e = load_archive_files(&a, "c.tgz").unwrap_err().to_string();
        assert!(e.contains("chart yaml not in base directory"), "{e}");
    }

    #[test]
    fn rejects_non_gzip_and_empty() {
        assert!(load_archive_files(b"hello", "x.tgz").is_err());
        let a = tgz(&[]);
        let e = load_archive_files(&a, "x.tgz").unwrap_err().to_string();
        assert!(e.contains("no files in chart archive"), "{e}");
    }

    #[test]
    fn gzip_bomb_stops_at_file_cap() {
        let big = vec![0u8; (MAX_DECOMPRESSED_FILE_SIZE + 1) as usize];
        let a = tgz(&[("c/big", &big, tar::EntryType::Regular)]);
        assert!(a.len() < 100_000);
        let e = load_archive_files(&a, "x.tgz").unwrap_err().to_string();
        assert!(e.contains("maximum file size"), "{e}");
    }

    #[test]
    fn clean_path_matches_go() {
        assert_eq!(clean_path("a/./b/../c"), "a/c");
        assert_eq!(clean_path(""), ".");
        assert_eq!(clean_path("../x"), "../x");
        assert_eq!(clean_path("a/../../x"), "../x");
    }
}
