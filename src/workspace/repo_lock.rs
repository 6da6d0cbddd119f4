//! The repository lock: every command that writes the repository holds an exclusive OS file lock
//! on `.vendor/lock` (beside vendor.toml) from before it reads vendor.toml until it exits. The
//! kernel releases it when the process ends, however it ends, so a stale lock file is harmless.
//! The file also says who holds it (pid, command, start time), for the message of a run that
//! has to wait.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use fs4::{FileExt, TryLockError};

/// The directory of the tool's own state beside vendor.toml (lock, journal). It ignores itself
/// in git (`.vendor/.gitignore` holds `*`).
pub const STATE_DIR: &str = ".vendor";
const LOCK_FILE: &str = "lock";

/// The lock, held until dropped.
#[derive(Debug)]
pub struct RepoLock {
    file: File,
    path: PathBuf,
}

/// Who holds the lock, as its holder wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub pid: Option<u32>,
    pub command: Option<String>,
    /// Seconds since the holder took the lock.
    pub since_secs: Option<u64>,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.pid {
            Some(pid) => write!(f, "process {pid}")?,
            None => f.write_str("another process")?,
        }
        if let Some(c) = &self.command {
            write!(f, " (`{c}`")?;
            if let Some(s) = self.since_secs {
                write!(f, ", started {s}s ago")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// Whether to wait for a lock someone else holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    Yes,
    No,
}

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LockError {
    #[error("{} is locked by {holder}: another vendor command is writing this repository", path.display())]
    #[diagnostic(help(
        "wait for it to finish, or run again without --no-wait to wait for it; the lock is released when that process exits"
    ))]
    Busy { path: PathBuf, holder: Holder },
    #[error("cannot lock {}", path.display())]
    #[diagnostic(help(
        "vendor keeps its lock and journal in .vendor/ beside vendor.toml: the directory must be writable"
    ))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// `.vendor/` of the repository whose vendor.toml is in `root` (`""` is the current directory).
pub fn state_dir(root: &Path) -> PathBuf {
    let root = if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    };
    root.join(STATE_DIR)
}

/// Creates `.vendor/` with a `.gitignore` that ignores everything in it.
pub fn ensure_state_dir(root: &Path) -> std::io::Result<PathBuf> {
    let dir = state_dir(root);
    std::fs::create_dir_all(&dir)?;
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        std::fs::write(
            &ignore,
            "# vendor's lock and journal: local state, never committed.\n*\n",
        )?;
    }
    Ok(dir)
}

impl RepoLock {
    /// Takes the lock of the repository in `root`. When someone else holds it: with
    /// [`Wait::Yes`], calls `waiting` with the holder and blocks until it is free; with
    /// [`Wait::No`], fails with [`LockError::Busy`].
    pub fn acquire(
        root: &Path,
        command: &str,
        wait: Wait,
        waiting: impl FnOnce(&Path, &Holder),
    ) -> Result<RepoLock, LockError> {
        let dir = ensure_state_dir(root).map_err(|source| LockError::Io {
            path: state_dir(root),
            source,
        })?;
        let path = dir.join(LOCK_FILE);
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = read_holder(&path);
                if holder.pid.is_none() {
                    // The holder took the lock a moment ago and is writing who it is.
                    std::thread::sleep(std::time::Duration::from_millis(50));
                    holder = read_holder(&path);
                }
                if wait == Wait::No {
                    return Err(LockError::Busy { path, holder });
                }
                waiting(&path, &holder);
                FileExt::lock(&file).map_err(io)?;
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        let mut lock = RepoLock { file, path };
        // Who holds it is a courtesy for waiting runs: failing to say so is not an error.
        let _ = lock.write_holder(command);
        Ok(lock)
    }

    fn write_holder(&mut self, command: &str) -> std::io::Result<()> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        self.file.set_len(0)?;
        self.file.rewind()?;
        let command: String = command.chars().filter(|c| !c.is_control()).collect();
        write!(
            self.file,
            "pid = {}\ncommand = {command}\nsince = {now}\n",
            std::process::id()
        )?;
        self.file.flush()
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for RepoLock {
    fn drop(&mut self) {
        // The next holder writes its own line; an empty file says nobody.
        let _ = self.file.set_len(0);
    }
}

/// Who holds the lock of the repository in `root`, if anyone (without taking it).
pub fn holder(root: &Path) -> Option<Holder> {
    let path = state_dir(root).join(LOCK_FILE);
    let file = File::open(&path).ok()?;
    match FileExt::try_lock_shared(&file) {
        Ok(()) => None,
        Err(TryLockError::WouldBlock) => Some(read_holder(&path)),
        Err(TryLockError::Error(_)) => None,
    }
}

fn read_holder(path: &Path) -> Holder {
    let mut text = String::new();
    if let Ok(mut f) = File::open(path) {
        let _ = f.read_to_string(&mut text);
    }
    let field = |key: &str| {
        text.lines()
            .filter_map(|l| l.split_once(" = "))
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.trim().to_string())
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Holder {
        pid: field("pid").and_then(|p| p.parse().ok()),
        command: field("command").filter(|c| !c.is_empty()),
        since_secs: field("since")
            .and_then(|s| s.parse::<u64>().ok())
            .map(|s| now.saturating_sub(s)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_busy_and_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let first = RepoLock::acquire(dir.path(), "vendor sync", Wait::No, |_, _| {}).unwrap();
        let err = RepoLock::acquire(dir.path(), "vendor update", Wait::No, |_, _| {}).unwrap_err();
        let LockError::Busy { holder: who, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(who.pid, Some(std::process::id()));
        assert_eq!(who.command.as_deref(), Some("vendor sync"));
        assert!(err.to_string().contains("`vendor sync`"), "{err}");
        assert_eq!(holder(dir.path()).unwrap().pid, Some(std::process::id()));
        drop(first);
        assert!(holder(dir.path()).is_none());
        RepoLock::acquire(dir.path(), "vendor update", Wait::No, |_, _| {}).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join(".vendor/.gitignore")).unwrap(),
            "# vendor's lock and journal: local state, never committed.\n*\n"
        );
    }
}
