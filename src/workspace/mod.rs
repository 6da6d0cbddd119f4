//! Replacing directories atomically: every new tree is written into a staging directory beside
//! its target (same filesystem), and only when all of them are complete are they renamed into
//! place. If a rename fails, the ones already swapped are put back. Readers therefore see the old
//! tree or the new one, never a half-written mix.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A scratch copy of a repository in a temporary directory, for building overlays against
/// trees that are not (yet) in place: `vendor.toml` (the given text, or the current file), the
/// whole patches directory, and each `(name, files)` tree as `upstream/NAME`.
pub fn scratch_repository<'a>(
    config: &crate::config::Config,
    vendor_toml: Option<&str>,
    trees: impl IntoIterator<Item = (&'a str, &'a BTreeMap<String, Vec<u8>>)>,
) -> Result<tempfile::TempDir, WorkspaceError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source: std::io::Error| WorkspaceError::Io { path, source }
    };
    let scratch = tempfile::Builder::new()
        .prefix("vendor-scratch-")
        .tempdir()
        .map_err(io(&std::env::temp_dir()))?;
    let root = scratch.path();
    let toml = vendor_toml.unwrap_or(&config.source);
    std::fs::write(root.join(crate::config::FILE_NAME), toml).map_err(io(root))?;
    let patches = config.root.join(&config.settings.patches_dir);
    if patches.is_dir() {
        for e in walkdir::WalkDir::new(&patches) {
            let e = e.map_err(|e| WorkspaceError::Io {
                path: patches.clone(),
                source: e.into(),
            })?;
            let rel = e.path().strip_prefix(&config.root).unwrap_or(e.path());
            let dest = root.join(rel);
            if e.file_type().is_dir() {
                std::fs::create_dir_all(&dest).map_err(io(&dest))?;
            } else if e.file_type().is_file() {
                std::fs::copy(e.path(), &dest).map_err(io(&dest))?;
            }
        }
    }
    for (name, files) in trees {
        let dir = root.join(&config.settings.upstream_dir).join(name);
        for (rel, bytes) in files {
            let path = dir.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
            }
            std::fs::write(&path, bytes).map_err(io(&path))?;
        }
    }
    Ok(scratch)
}

/// Why the vendored tree could not be replaced.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum WorkspaceError {
    #[error("cannot write {}", path.display())]
    #[diagnostic(help("check permissions and free space; nothing was changed"))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("refusing to write `{path}`: the path leaves the target directory")]
    UnsafePath { path: String },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WorkspaceError + '_ {
    move |source| WorkspaceError::Io {
        path: path.to_path_buf(),
        source,
    }
}

struct Staged {
    target: PathBuf,
    staging: PathBuf,
}

/// A set of directory replacements that commit together.
#[derive(Default)]
pub struct Transaction {
    staged: Vec<Staged>,
}

impl Transaction {
    pub fn new() -> Self {
        Transaction::default()
    }

    /// Writes `files` (relative `/`-separated paths) into a fresh staging directory beside
    /// `target`.
    pub fn stage(
        &mut self,
        target: &Path,
        files: &BTreeMap<String, Vec<u8>>,
    ) -> Result<(), WorkspaceError> {
        let staged = stage_one(target, files)?;
        self.staged.push(staged);
        Ok(())
    }

    /// Stages several trees in parallel (creating files is latency-bound on many filesystems).
    /// On failure, nothing staged by this call is left behind.
    pub fn stage_many(
        &mut self,
        items: &[(PathBuf, &BTreeMap<String, Vec<u8>>)],
        jobs: usize,
    ) -> Result<(), WorkspaceError> {
        use rayon::prelude::*;
        let work = || {
            items
                .par_iter()
                .map(|(t, f)| stage_one(t, f))
                .collect::<Vec<_>>()
        };
        let results = match rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.max(1))
            .build()
        {
            Ok(pool) => pool.install(work),
            Err(_) => work(),
        };
        let mut staged = Vec::new();
        let mut first_error = None;
        for r in results {
            match r {
                Ok(s) => staged.push(s),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        if let Some(e) = first_error {
            for s in staged {
                let _ = std::fs::remove_dir_all(&s.staging);
            }
            return Err(e);
        }
        self.staged.extend(staged);
        Ok(())
    }

    /// Renames every staged directory into place. On failure, already swapped targets are
    /// restored and the staging directories removed.
    pub fn commit(mut self) -> Result<(), WorkspaceError> {
        let staged = std::mem::take(&mut self.staged);
        let mut done: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
        for (i, s) in staged.iter().enumerate() {
            match swap(s) {
                Ok(backup) => done.push((s.target.clone(), backup)),
                Err(e) => {
                    for (target, backup) in done.into_iter().rev() {
                        let _ = std::fs::remove_dir_all(&target);
                        if let Some(b) = backup {
                            let _ = std::fs::rename(&b, &target);
                        }
                    }
                    for s in &staged[i..] {
                        let _ = std::fs::remove_dir_all(&s.staging);
                    }
                    return Err(e);
                }
            }
        }
        for (_, backup) in done {
            if let Some(b) = backup {
                let _ = std::fs::remove_dir_all(b);
            }
        }
        Ok(())
    }
}

impl Drop for Transaction {
    fn drop(&mut self) {
        for s in &self.staged {
            let _ = std::fs::remove_dir_all(&s.staging);
        }
    }
}

fn stage_one(target: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<Staged, WorkspaceError> {
    let parent = target.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io(parent))?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{name}.staging-"))
        .tempdir_in(parent)
        .map_err(io(parent))?
        .keep();
    if let Err(e) = write_tree(&staging, files) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    Ok(Staged {
        target: target.to_path_buf(),
        staging,
    })
}

/// Moves the old target aside (returned), then the staging directory into place.
fn swap(s: &Staged) -> Result<Option<PathBuf>, WorkspaceError> {
    let backup = if s.target.exists() {
        let b = s.staging.with_extension("old");
        std::fs::rename(&s.target, &b).map_err(io(&s.target))?;
        Some(b)
    } else {
        None
    };
    if let Err(e) = std::fs::rename(&s.staging, &s.target) {
        if let Some(b) = &backup {
            let _ = std::fs::rename(b, &s.target);
        }
        return Err(io(&s.target)(e));
    }
    Ok(backup)
}

fn write_tree(root: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<(), WorkspaceError> {
    let mut made = std::collections::HashSet::new();
    for (rel, bytes) in files {
        let safe = !rel.is_empty()
            && !rel.starts_with('/')
            && !rel.contains('\\')
            && rel
                .split('/')
                .all(|c| !c.is_empty() && c != "." && c != "..");
        if !safe {
            return Err(WorkspaceError::UnsafePath { path: rel.clone() });
        }
        let path = root.join(rel);
        if let Some(dir) = path.parent()
            && dir != root
            && made.insert(dir.to_path_buf())
        {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
        std::fs::write(&path, bytes).map_err(io(&path))?;
    }
    Ok(())
}

/// Reads every file under `dir` (relative `/`-separated paths), or `None` when `dir` does not
/// exist.
pub fn read_tree(dir: &Path) -> std::io::Result<Option<BTreeMap<String, Vec<u8>>>> {
    if !dir.is_dir() {
        return Ok(None);
    }
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(std::io::Error::other)?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let rel = rel.to_string_lossy().replace('\\', "/");
        out.insert(rel, std::fs::read(entry.path())?);
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(items: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn replaces_and_leaves_no_staging() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("up/a");
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(target.join("old.yaml"), "old").unwrap();
        let mut tx = Transaction::new();
        tx.stage(&target, &tree(&[("new.yaml", "new"), ("sub/x.yaml", "x")]))
            .unwrap();
        tx.commit().unwrap();
        let got = read_tree(&target).unwrap().unwrap();
        assert_eq!(got, tree(&[("new.yaml", "new"), ("sub/x.yaml", "x")]));
        let names: Vec<_> = std::fs::read_dir(dir.path().join("up"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["a"]);
    }

    #[test]
    fn unsafe_paths_and_dropped_transactions_change_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a");
        let mut tx = Transaction::new();
        assert!(tx.stage(&target, &tree(&[("../escape", "x")])).is_err());
        tx.stage(&target, &tree(&[("ok", "x")])).unwrap();
        drop(tx);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
