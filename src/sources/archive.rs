//! The files an entry vendors from a source archive (`url` = `.tar.gz`, `.tgz` or `.zip` with
//! `paths`): read with `safe-archive` under caps for a project's whole tree, selected with
//! [`Selection`], relative to the single top-level directory such archives have.

use std::collections::BTreeMap;

use super::paths::Selection;

/// The caps for source archives (a project's whole tree): 200,000 entries, 2 GiB decompressed;
/// what is kept is capped as chart archives are (32 MiB a file, 256 MiB in all).
fn limits() -> safe_archive::Limits {
    safe_archive::Limits {
        max_entries: 200_000,
        max_expanded_bytes: 2 * 1024 * 1024 * 1024,
        ..safe_archive::Limits::default()
    }
}

/// Why an archive gave no selection.
#[derive(Debug)]
pub enum SelectError {
    /// The archive itself is refused (format, safety rules, caps).
    Archive(safe_archive::ArchiveError),
    /// A path selects nothing, or two files would land at the same path.
    Path { reason: String, help: String },
}

/// The files of an archive that `selection` selects, by the path they land at. Paths are
/// relative to the archive's single top-level directory when it has one (as source and release
/// archives are laid out), else to its root. `url` helps to tell the format when the bytes do
/// not; `version` is named in the error for a path the archive does not have.
pub fn select_files(
    bytes: &[u8],
    url: &str,
    selection: &Selection,
    version: &str,
) -> Result<BTreeMap<String, Vec<u8>>, SelectError> {
    let format = safe_archive::Format::detect(bytes)
        .or_else(|| safe_archive::Format::from_name(url))
        .ok_or(SelectError::Archive(
            safe_archive::ArchiveError::UnknownFormat,
        ))?;
    // One pass: keep what either reading of the names selects (below a single top-level
    // directory, or from the root), note the top-level names, and decide after.
    let mut tops = std::collections::BTreeSet::new();
    let strip = |p: &str| p.split_once('/').map(|(_, r)| r.to_string());
    let read = safe_archive::read_format(bytes, format, &limits(), |e| {
        let top = e.path.split('/').next().unwrap_or("").to_string();
        let nested = e.path.contains('/');
        tops.insert((top, nested));
        let below = strip(e.path).is_some_and(|r| selection.target(&r).is_some());
        if below || selection.target(e.path).is_some() {
            safe_archive::Select::Keep
        } else {
            safe_archive::Select::Skip
        }
    })
    .map_err(SelectError::Archive)?;
    let single_root = tops.len() == 1 && tops.iter().all(|(_, nested)| *nested);
    let mut files = BTreeMap::new();
    let mut matched = vec![false; selection.len()];
    let mut from: BTreeMap<String, String> = BTreeMap::new();
    for f in read.files {
        let rel = if single_root {
            strip(&f.path).unwrap_or_default()
        } else {
            f.path.clone()
        };
        let Some((i, landed)) = selection.target(&rel) else {
            continue;
        };
        matched[i] = true;
        if let Some(first) = from.insert(landed.clone(), f.path.clone()) {
            return Err(SelectError::Path {
                reason: format!(
                    "`{first}` and `{}` would both be vendored as `{landed}`",
                    f.path
                ),
                help: "select them through a common directory, or leave one out with `exclude`"
                    .into(),
            });
        }
        files.insert(landed, f.data);
    }
    if let Some(i) = matched.iter().position(|m| !m) {
        return Err(SelectError::Path {
            reason: format!(
                "`{}` does not exist in the archive of {version}",
                selection.include_text(i)
            ),
            help: "paths are relative to the archive's single top-level directory (or its root when it has several); check the archive of this version and adjust `paths`".into(),
        });
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_gz(files: &[(&str, &str)]) -> Vec<u8> {
        let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let mut b = tar::Builder::new(gz);
        for (path, text) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(text.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, path, text.as_bytes()).unwrap();
        }
        b.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn paths_are_relative_to_the_single_top_level_directory() {
        let bytes = tar_gz(&[
            ("proj-1.0/deploy/a.yaml", "kind: A\n"),
            ("proj-1.0/deploy/sub/b.yaml", "kind: B\n"),
            ("proj-1.0/README.md", "x"),
        ]);
        let sel = Selection::new(&["deploy".into()], &[]);
        let got = select_files(&bytes, "https://h/v1.0.tar.gz", &sel, "1.0").unwrap();
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            ["a.yaml", "sub/b.yaml"],
            "{got:?}"
        );
        assert_eq!(got["a.yaml"], b"kind: A\n");
    }

    #[test]
    fn a_path_the_archive_lacks_names_the_version() {
        let bytes = tar_gz(&[("proj-2.0/other/a.yaml", "kind: A\n")]);
        let sel = Selection::new(&["deploy".into()], &[]);
        match select_files(&bytes, "x.tgz", &sel, "2.0") {
            Err(SelectError::Path { reason, .. }) => {
                assert_eq!(reason, "`deploy` does not exist in the archive of 2.0")
            }
            other => panic!("{other:?}"),
        }
    }
}
