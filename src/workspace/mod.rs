//! Writing the repository safely.
//!
//! - [`txn`]: every change to vendored trees and vendor.toml is one journaled transaction: new
//!   trees are staged beside their targets, a write-ahead journal names every step, and the
//!   renames follow. A run that is killed half-way is completed or rolled back by the next
//!   command that writes ([`txn::recover`]); leftovers are found ([`txn::leftovers`]) and removed
//!   ([`txn::sweep`]).
//! - [`repo_lock`]: the exclusive OS file lock every writing command holds on the repository.
//! - [`temp`]: temporary directories that a killed run's successor can find and remove.
//! - Scratch copies of a repository ([`scratch_repository`]) and reading trees ([`read_tree`]).

pub mod failpoint;
pub mod repo_lock;
pub mod temp;
pub mod txn;

pub use repo_lock::{LockError, RepoLock};
pub use txn::Transaction;

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
    let scratch = temp::dir("scratch").map_err(io(&std::env::temp_dir()))?;
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
    #[error("the change to {} could not be finished, nor undone: {reason}", root.display())]
    #[diagnostic(help(
        "{}: fix the cause (permissions, free space), then run `vendor sync`; it completes or rolls back the change and removes what was left behind",
        journal.display()
    ))]
    Unfinished {
        root: PathBuf,
        journal: PathBuf,
        reason: String,
    },
    #[error("the change to {} is in place, but {reason}", root.display())]
    #[diagnostic(help(
        "the vendored trees and vendor.toml are consistent; the next `vendor sync` (or any command that writes) removes what was left behind"
    ))]
    CleanupFailed { root: PathBuf, reason: String },
    #[error("{} is not a journal this version of vendor can read: {reason}", path.display())]
    #[diagnostic(help(
        "an interrupted run of another vendor version left it; finish with that version, or restore the repository with git (`git status`, `git checkout -- vendor.toml upstream/`) and delete the file"
    ))]
    BadJournal { path: PathBuf, reason: String },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WorkspaceError + '_ {
    move |source| WorkspaceError::Io {
        path: path.to_path_buf(),
        source,
    }
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
