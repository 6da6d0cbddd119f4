//! Temporary directories a killed run does not leave behind for good.
//!
//! Every temporary directory of a process lives in one run directory,
//! `$TMPDIR/vendor-run-XXXXXX/`, which holds an `owner` file the process keeps locked (an OS
//! file lock, released by the kernel when the process ends, however it ends). [`sweep`] removes
//! run directories whose owner lock can be taken: their process is gone. [`finish`] removes the
//! process's own run directory on a normal exit.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use fs4::FileExt;

const PREFIX: &str = "vendor-run-";
const OWNER: &str = "owner";

struct RunDir {
    path: PathBuf,
    /// Held open (and locked) for the life of the process.
    _owner: File,
}

static RUN: Mutex<Option<RunDir>> = Mutex::new(None);

fn run_dir() -> std::io::Result<PathBuf> {
    let mut run = RUN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(r) = run.as_ref()
        && r.path.is_dir()
    {
        return Ok(r.path.clone());
    }
    let path = tempfile::Builder::new().prefix(PREFIX).tempdir()?.keep();
    let owner = File::create(path.join(OWNER))?;
    FileExt::lock(&owner)?;
    *run = Some(RunDir {
        path: path.clone(),
        _owner: owner,
    });
    Ok(path)
}

/// A fresh temporary directory (removed when dropped), inside this process's run directory.
pub fn dir(label: &str) -> std::io::Result<tempfile::TempDir> {
    let run = run_dir()?;
    tempfile::Builder::new()
        .prefix(&format!("{label}-"))
        .tempdir_in(run)
}

/// Removes this process's run directory (call at exit; temporary directories still alive are
/// removed with it).
pub fn finish() {
    let mut run = RUN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(r) = run.take() {
        let _ = std::fs::remove_dir_all(&r.path);
    }
}

/// Run directories under `tmp` whose process is gone (their owner lock is free), or that never
/// got an owner file and are older than a minute.
pub fn abandoned(tmp: &Path) -> Vec<PathBuf> {
    let own = RUN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .as_ref()
        .map(|r| r.path.clone());
    let Ok(read) = std::fs::read_dir(tmp) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in read.filter_map(Result::ok) {
        let name = e.file_name();
        if !name.to_string_lossy().starts_with(PREFIX) {
            continue;
        }
        let path = e.path();
        if Some(&path) == own.as_ref() || !e.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let dead = match File::open(path.join(OWNER)) {
            Ok(f) => FileExt::try_lock_shared(&f).is_ok(),
            Err(_) => e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 60),
        };
        if dead {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Removes the run directories of processes that are gone; returns what was removed.
pub fn sweep() -> Vec<PathBuf> {
    abandoned(&std::env::temp_dir())
        .into_iter()
        .filter(|p| std::fs::remove_dir_all(p).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_owner_is_kept_and_a_dead_one_is_found() {
        let tmp = tempfile::tempdir().unwrap();
        let live = tmp.path().join("vendor-run-live");
        std::fs::create_dir(&live).unwrap();
        let f = File::create(live.join(OWNER)).unwrap();
        FileExt::lock(&f).unwrap();
        let dead = tmp.path().join("vendor-run-dead");
        std::fs::create_dir(&dead).unwrap();
        File::create(dead.join(OWNER)).unwrap();
        std::fs::create_dir(tmp.path().join("other")).unwrap();
        assert_eq!(abandoned(tmp.path()), [dead]);
        drop(f);
        assert_eq!(abandoned(tmp.path()).len(), 2);
    }
}
