//! Drift: whether `upstream/NAME` still holds exactly what `sync` vendored. Every file is hashed
//! and compared with the lock data; modified, missing and extra files are each a finding.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;

use crate::config::{Config, Entry};
use crate::diag::{Code, Finding};

/// The files of a vendored tree, keyed by `/`-separated path relative to `dir`, sorted.
/// Anything that is not a regular file (a symlink, a fifo) is returned in the second list.
pub fn list_files(dir: &Path) -> std::io::Result<(Vec<String>, Vec<String>)> {
    let mut files = Vec::new();
    let mut odd = Vec::new();
    if !dir.exists() {
        return Ok((files, odd));
    }
    for e in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .follow_links(false)
    {
        let e = e.map_err(std::io::Error::other)?;
        if e.depth() == 0 || e.file_type().is_dir() {
            continue;
        }
        let rel = e
            .path()
            .strip_prefix(dir)
            .expect("walkdir yields paths under its root")
            .to_string_lossy()
            .replace('\\', "/");
        if e.file_type().is_file() {
            files.push(rel);
        } else {
            odd.push(rel);
        }
    }
    Ok((files, odd))
}

/// Hashes every file of `dir` (see [`list_files`]).
pub fn hash_tree(dir: &Path) -> std::io::Result<BTreeMap<String, String>> {
    let (files, _) = list_files(dir)?;
    files
        .into_iter()
        .map(|f| {
            let d = crate::digest::of_file(&dir.join(&f))?;
            Ok((f, d))
        })
        .collect()
}

/// Compares `upstream/NAME` with the entry's lock data.
pub fn check(config: &Config, entry: &Entry) -> Vec<Finding> {
    let mut out = Vec::new();
    let dir = config.upstream_dir(entry);
    let shown_dir = config.display_path(&dir);
    let name = &entry.name;
    let Some(lock) = &entry.lock else {
        out.push(
            Finding::new(
                Code::NotSynced,
                format!("{name} has no lock data: it was never synced"),
            )
            .entry(name)
            .file(config.display_path(&config.path))
            .at(Some(config.pos_of(entry.span.start)))
            .help(format!(
                "run `vendor sync {name}` to vendor it and record its digests"
            )),
        );
        return out;
    };
    if let Some(v) = &lock.version
        && v != &entry.version
    {
        out.push(
            Finding::new(
                Code::NotSynced,
                format!("{name} pins {} but its lock data is for {v}", entry.version),
            )
            .entry(name)
            .file(config.display_path(&config.path))
            .at(Some(config.pos_of(entry.span.start)))
            .help(format!(
                "run `vendor sync {name}` to vendor {}",
                entry.version
            )),
        );
    }
    let (files, odd) = match list_files(&dir) {
        Ok(x) => x,
        Err(e) => {
            out.push(
                Finding::new(Code::FileMissing, format!("cannot read {shown_dir}: {e}"))
                    .entry(name)
                    .file(&shown_dir)
                    .help(format!("run `vendor sync {name}` to restore it")),
            );
            return out;
        }
    };
    let version = &entry.version;
    // Every recorded file is hashed, in parallel; the findings then come in file order.
    let digests: Vec<Option<std::io::Result<String>>> = files
        .par_iter()
        .map(|f| {
            lock.files
                .contains_key(f)
                .then(|| crate::digest::of_file(&dir.join(f)))
        })
        .collect();
    for (f, digest) in files.iter().zip(digests) {
        let shown = format!("{shown_dir}/{f}");
        match lock.files.get(f).zip(digest) {
            None => out.push(
                Finding::new(
                    Code::FileExtra,
                    format!("{shown} was not vendored for {name} {version}"),
                )
                .entry(name)
                .file(&shown)
                .help(format!(
                    "local additions belong in {}/{name}; delete the file, or run `vendor sync {name}`",
                    config.settings.patches_dir
                )),
            ),
            Some((want, digest)) => match digest {
                Ok(got) if &got == want => {}
                Ok(_) => out.push(
                    Finding::new(
                        Code::FileModified,
                        format!("{shown} differs from what was vendored for {name} {version}"),
                    )
                    .entry(name)
                    .file(&shown)
                    .help(format!(
                        "move the change into {}/{name}, or run `vendor sync {name}` to restore it",
                        config.settings.patches_dir
                    )),
                ),
                Err(e) => out.push(
                    Finding::new(Code::FileModified, format!("cannot read {shown}: {e}"))
                        .entry(name)
                        .file(&shown)
                        .help(format!("run `vendor sync {name}` to restore it")),
                ),
            },
        }
    }
    for f in &odd {
        let shown = format!("{shown_dir}/{f}");
        out.push(
            Finding::new(
                Code::FileExtra,
                format!("{shown} is not a regular file (vendored trees hold plain files only)"),
            )
            .entry(name)
            .file(&shown)
            .help(format!("remove it, or run `vendor sync {name}`")),
        );
    }
    for f in lock.files.keys() {
        if files.binary_search(f).is_err() {
            let shown = format!("{shown_dir}/{f}");
            out.push(
                Finding::new(
                    Code::FileMissing,
                    format!("{shown} was vendored for {name} {version} but is missing"),
                )
                .entry(name)
                .file(&shown)
                .help(format!(
                    "run `vendor sync {name}` to restore it; to drop upstream content, delete it with a patch in {}/{name}",
                    config.settings.patches_dir
                )),
            );
        }
    }
    out
}

/// Directories under the upstream directory that belong to no entry.
pub fn orphans(config: &Config) -> Vec<Finding> {
    let dir = config.root.join(&config.settings.upstream_dir);
    let Ok(read) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = read
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
        .into_iter()
        .filter(|n| config.entry(n).is_none())
        .map(|n| {
            let shown = config.display_path(&dir.join(&n));
            Finding::new(
                Code::FileExtra,
                format!("{shown} belongs to no entry of vendor.toml"),
            )
            .file(shown)
            .help("add an entry for it to vendor.toml, or run `vendor sync --prune` to delete it")
        })
        .collect()
}

/// Lock tables left behind by entries that were renamed or removed: one finding each.
pub fn orphan_locks(config: &Config) -> Vec<Finding> {
    let toml = config.display_path(&config.path);
    config
        .orphan_locks
        .iter()
        .map(|o| {
            let table = format!("[{}.{}.lock]", o.kind, o.name);
            let renamed = crate::diag::did_you_mean(&config.similar_entries(&o.name))
                .map(|d| format!(" (renamed? {d})"))
                .unwrap_or_default();
            Finding::new(
                Code::OrphanLock,
                format!(
                    "lock table for unknown entry `{}`: {table} belongs to no entry{renamed}",
                    o.name
                ),
            )
            .file(&toml)
            .at(Some(config.pos_of(o.span.start)))
            .help(format!(
                "the entry was renamed or removed; run `vendor sync --prune` to remove {table}, or delete it"
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_files_sorted_and_separates_links() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("sub")).unwrap();
        std::fs::write(d.path().join("b.yaml"), "b").unwrap();
        std::fs::write(d.path().join("sub/a.yaml"), "a").unwrap();
        std::os::unix::fs::symlink("b.yaml", d.path().join("link.yaml")).unwrap();
        let (files, odd) = list_files(d.path()).unwrap();
        assert_eq!(files, ["b.yaml", "sub/a.yaml"]);
        assert_eq!(odd, ["link.yaml"]);
        let tree = hash_tree(d.path()).unwrap();
        assert_eq!(tree["b.yaml"], crate::digest::of_bytes(b"b"));
    }
}
