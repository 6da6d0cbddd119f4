//! Journaled replacement of vendored trees and vendor.toml: all of them change, or none.
//!
//! 1. Stage: each new tree is written into `upstream/.NAME.staging-XXXXXX` beside its target,
//!    the new vendor.toml into `.vendor.toml.staging-XXXXXX` beside it; every file and
//!    directory is fsynced. Nothing the user sees has changed; a failure removes the staging.
//! 2. Journal: `.vendor/journal.json` names every staged tree, the backup each old tree will be
//!    moved to, and the old and new digests of vendor.toml. It is written to a temporary file,
//!    fsynced, renamed into place and its directory fsynced: the commit point.
//! 3. Swap: per tree, the old tree is renamed to `upstream/.NAME.old-XXXXXX` and the staged one
//!    into place; then the staged vendor.toml replaces vendor.toml; the directories are fsynced.
//! 4. Clean up: backups are removed, then the journal.
//!
//! A failure in step 3 undoes the renames already made (nothing changed). A process killed in
//! step 3 or 4 leaves the journal: [`recover`], which every writing command runs under the
//! repository lock before it reads vendor.toml, finishes the swap (every step is idempotent), or
//! undoes it when vendor.toml was edited since (it then matches neither side). Killed before the
//! commit point, only staging files are left: [`sweep`] removes them, and [`leftovers`] lets
//! `check` report them.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::WorkspaceError;
use super::failpoint::hit;
use super::repo_lock::{ensure_state_dir, state_dir};

const JOURNAL: &str = "journal.json";
const JOURNAL_TMP: &str = "journal.json.tmp";
const JOURNAL_VERSION: u32 = 1;
const STAGING: &str = ".staging-";
const BACKUP: &str = ".old-";

/// The write-ahead journal. Paths are relative to the repository root (absolute when outside).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Journal {
    version: u32,
    /// The process that wrote it, for messages.
    pid: u32,
    trees: Vec<TreeStep>,
    file: Option<FileStep>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct TreeStep {
    target: PathBuf,
    staging: PathBuf,
    backup: PathBuf,
    /// Whether the target existed at the commit point (else there is no backup to make).
    existed: bool,
    /// The target is removed, not replaced: its staging directory is empty and only marks the
    /// step as not done yet; the forward step moves the target to its backup and removes the
    /// staging (journals without the field replace).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    remove: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct FileStep {
    target: PathBuf,
    staging: PathBuf,
    /// Digest of the file at the commit point (`None`: it did not exist).
    old: Option<String>,
    new: String,
}

struct Staged {
    target: PathBuf,
    staging: PathBuf,
    /// A removal (see [`TreeStep::remove`]).
    remove: bool,
}

struct StagedFile {
    target: PathBuf,
    staging: PathBuf,
    new: String,
}

/// A set of directory replacements and at most one file replacement (vendor.toml) that commit
/// together. Staging directories are removed if the transaction is dropped uncommitted.
pub struct Transaction {
    root: PathBuf,
    staged: Vec<Staged>,
    file: Option<StagedFile>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WorkspaceError + '_ {
    super::io(path)
}

impl Transaction {
    /// A transaction on the repository whose vendor.toml is in `root` (the journal goes into
    /// `root/.vendor/`). Every target must be inside `root`.
    pub fn new(root: &Path) -> Self {
        Transaction {
            root: root.to_path_buf(),
            staged: Vec::new(),
            file: None,
        }
    }

    /// Whether nothing is staged.
    pub fn is_empty(&self) -> bool {
        self.staged.is_empty() && self.file.is_none()
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

    /// Removes the directory `target` in the same transaction (`vendor sync --prune`): at commit
    /// it is moved aside with the replaced trees, and deleted with their backups.
    pub fn remove(&mut self, target: &Path) -> Result<(), WorkspaceError> {
        let mut staged = stage_one(target, &BTreeMap::new())?;
        staged.remove = true;
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

    /// Stages the new content of one file (vendor.toml) beside it, keeping its permissions.
    pub fn stage_file(&mut self, target: &Path, bytes: &[u8]) -> Result<(), WorkspaceError> {
        let dir = parent_of(target);
        let name = file_name(target);
        let write = || -> std::io::Result<PathBuf> {
            let mut tmp = tempfile::Builder::new()
                .prefix(&format!(".{name}{STAGING}"))
                .tempfile_in(dir)?;
            tmp.write_all(bytes)?;
            // An abort here leaves the file (`tmp` removes it only when dropped).
            hit("stage-config")?;
            if let Ok(meta) = std::fs::metadata(target) {
                let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
            }
            tmp.as_file().sync_all()?;
            let (_, path) = tmp.keep().map_err(|e| e.error)?;
            Ok(path)
        };
        let staging = write().map_err(io(target))?;
        if let Some(old) = self.file.replace(StagedFile {
            target: target.to_path_buf(),
            staging,
            new: crate::digest::of_bytes(bytes),
        }) {
            let _ = std::fs::remove_file(old.staging);
        }
        Ok(())
    }

    /// Replaces every target with its staged tree and the file with its staged content, all or
    /// nothing. See the module documentation for the steps and what a failure leaves.
    pub fn commit(mut self) -> Result<(), WorkspaceError> {
        if self.is_empty() {
            return Ok(());
        }
        let root = self.root.clone();
        // On any error before the commit point, `self` is dropped: the staging is removed.
        let journal = self.journal()?;
        let state = ensure_state_dir(&root).map_err(io(&state_dir(&root)))?;
        // Before the commit point every staged file and directory must be on disk.
        self.sync_staging()?;
        if let Err(e) = write_journal(&state, &journal) {
            // Not committed (the journal may have been renamed before its directory's fsync
            // failed: take it back too, the staging it names is about to be removed).
            let _ = std::fs::remove_file(state.join(JOURNAL_TMP));
            let _ = std::fs::remove_file(state.join(JOURNAL));
            return Err(io(&state.join(JOURNAL))(e));
        }
        // Committed: from here on the journal owns the staging; nothing is removed on drop.
        self.staged.clear();
        self.file = None;
        if let Err(e) = forward(&root, &journal) {
            let undone = backward(&root, &journal)
                .and_then(|()| remove_journal(&state).map_err(io(&state.join(JOURNAL))));
            return match undone {
                Ok(()) => Err(e),
                Err(undo) => Err(WorkspaceError::Unfinished {
                    root: root.clone(),
                    journal: state.join(JOURNAL),
                    reason: format!("{e}: {}; undoing it failed: {undo}", error_detail(&e)),
                }),
            };
        }
        finish(&root, &journal, &state).map_err(|e| WorkspaceError::CleanupFailed {
            root,
            reason: format!("finishing it failed: {e}"),
        })
    }

    fn journal(&self) -> Result<Journal, WorkspaceError> {
        let rel = |p: &Path| p.strip_prefix(&self.root).unwrap_or(p).to_path_buf();
        let trees = self
            .staged
            .iter()
            .map(|s| TreeStep {
                target: rel(&s.target),
                staging: rel(&s.staging),
                backup: rel(&backup_of(&s.staging)),
                existed: s.target.symlink_metadata().is_ok(),
                remove: s.remove,
            })
            .collect();
        let file = match &self.file {
            None => None,
            Some(f) => {
                let old = match std::fs::read(&f.target) {
                    Ok(b) => Some(crate::digest::of_bytes(&b)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                    Err(e) => return Err(io(&f.target)(e)),
                };
                Some(FileStep {
                    target: rel(&f.target),
                    staging: rel(&f.staging),
                    old,
                    new: f.new.clone(),
                })
            }
        };
        Ok(Journal {
            version: JOURNAL_VERSION,
            pid: std::process::id(),
            trees,
            file,
        })
    }

    fn sync_staging(&self) -> Result<(), WorkspaceError> {
        let mut dirs: Vec<&Path> = self.staged.iter().map(|s| parent_of(&s.staging)).collect();
        if let Some(f) = &self.file {
            dirs.push(parent_of(&f.staging));
        }
        dirs.sort();
        dirs.dedup();
        for d in dirs {
            sync_dir(d).map_err(io(d))?;
        }
        Ok(())
    }
}

impl Drop for Transaction {
    fn drop(&mut self) {
        for s in &self.staged {
            let _ = std::fs::remove_dir_all(&s.staging);
        }
        if let Some(f) = &self.file {
            let _ = std::fs::remove_file(&f.staging);
        }
    }
}

fn error_detail(e: &WorkspaceError) -> String {
    match e {
        WorkspaceError::Io { source, .. } => source.to_string(),
        other => other.to_string(),
    }
}

fn parent_of(p: &Path) -> &Path {
    p.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `.NAME.staging-XYZ` -> `.NAME.old-XYZ`.
fn backup_of(staging: &Path) -> PathBuf {
    let name = file_name(staging);
    let backup = match name.rsplit_once(STAGING) {
        Some((head, suffix)) => format!("{head}{BACKUP}{suffix}"),
        None => format!("{name}.old"),
    };
    staging.with_file_name(backup)
}

fn stage_one(target: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<Staged, WorkspaceError> {
    let parent = parent_of(target);
    std::fs::create_dir_all(parent).map_err(io(parent))?;
    let name = file_name(target);
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{name}{STAGING}"))
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
        remove: false,
    })
}

fn write_tree(root: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<(), WorkspaceError> {
    hit("stage-write").map_err(io(root))?;
    let mut made = std::collections::BTreeSet::new();
    made.insert(root.to_path_buf());
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
            && !made.contains(dir)
        {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
            for a in dir.ancestors().take_while(|a| *a != root) {
                made.insert(a.to_path_buf());
            }
        }
        let mut f = File::create(&path).map_err(io(&path))?;
        f.write_all(bytes).map_err(io(&path))?;
        f.sync_all().map_err(io(&path))?;
    }
    hit("stage-fsync").map_err(io(root))?;
    // Deepest first, so that every directory entry is durable before its parent's.
    for d in made.iter().rev() {
        sync_dir(d).map_err(io(d))?;
    }
    Ok(())
}

/// fsync of a directory (its entries: renames and new files in it). A no-op where directories
/// cannot be opened as files.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    if cfg!(unix) {
        File::open(dir)?.sync_all()
    } else {
        Ok(())
    }
}

fn write_journal(state: &Path, journal: &Journal) -> std::io::Result<()> {
    hit("journal-write")?;
    let text = serde_json::to_vec_pretty(journal).map_err(std::io::Error::other)?;
    let tmp = state.join(JOURNAL_TMP);
    let mut f = File::create(&tmp)?;
    f.write_all(&text)?;
    f.sync_all()?;
    hit("journal-commit")?;
    std::fs::rename(&tmp, state.join(JOURNAL))?;
    sync_dir(state)
}

fn remove_journal(state: &Path) -> std::io::Result<()> {
    hit("journal-remove")?;
    match std::fs::remove_file(state.join(JOURNAL)) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    sync_dir(state)
}

fn exists(p: &Path) -> bool {
    p.symlink_metadata().is_ok()
}

fn rename(from: &Path, to: &Path) -> Result<(), WorkspaceError> {
    std::fs::rename(from, to).map_err(io(to))
}

/// The swap, from wherever it stopped: every step checks what is already done.
fn forward(root: &Path, j: &Journal) -> Result<(), WorkspaceError> {
    for t in &j.trees {
        let (target, staging, backup) = (
            root.join(&t.target),
            root.join(&t.staging),
            root.join(&t.backup),
        );
        if !exists(&staging) {
            continue; // installed already
        }
        if exists(&target) && !exists(&backup) {
            hit("swap-backup").map_err(io(&target))?;
            rename(&target, &backup)?;
        } else if exists(&target) {
            // Both the target and its backup exist while the staging does: only a foreign
            // hand could have made this. Do not guess.
            return Err(io(&target)(std::io::Error::other(format!(
                "{} and {} both exist",
                target.display(),
                backup.display()
            ))));
        }
        hit("swap-install").map_err(io(&target))?;
        if t.remove {
            std::fs::remove_dir(&staging).map_err(io(&staging))?;
        } else {
            rename(&staging, &target)?;
        }
    }
    if let Some(f) = &j.file {
        let staging = root.join(&f.staging);
        if exists(&staging) {
            let target = root.join(&f.target);
            hit("config-install").map_err(io(&target))?;
            rename(&staging, &target)?;
        }
    }
    Ok(())
}

/// Undoes the swap: every target gets its old tree back, staging is removed. vendor.toml is
/// only ever replaced last, after every tree, so it is never undone here (see [`recover`]).
fn backward(root: &Path, j: &Journal) -> Result<(), WorkspaceError> {
    for t in j.trees.iter().rev() {
        let (target, staging, backup) = (
            root.join(&t.target),
            root.join(&t.staging),
            root.join(&t.backup),
        );
        if exists(&backup) {
            if exists(&target) && !exists(&staging) {
                // The new tree is in place: move it back to staging, to be removed below.
                rename(&target, &staging)?;
            }
            if !exists(&target) {
                rename(&backup, &target)?;
            }
        } else if !t.existed && exists(&target) && !exists(&staging) {
            rename(&target, &staging)?;
        }
        if exists(&staging) {
            std::fs::remove_dir_all(&staging).map_err(io(&staging))?;
        }
    }
    if let Some(f) = &j.file {
        let staging = root.join(&f.staging);
        if exists(&staging) {
            std::fs::remove_file(&staging).map_err(io(&staging))?;
        }
    }
    Ok(())
}

/// After the renames: make them durable, remove the backups, then the journal.
fn finish(root: &Path, j: &Journal, state: &Path) -> std::io::Result<()> {
    hit("commit-fsync")?;
    let mut dirs: Vec<PathBuf> = j
        .trees
        .iter()
        .map(|t| parent_of(&root.join(&t.target)).to_path_buf())
        .collect();
    if let Some(f) = &j.file {
        dirs.push(parent_of(&root.join(&f.target)).to_path_buf());
    }
    dirs.sort();
    dirs.dedup();
    for d in &dirs {
        sync_dir(d)?;
    }
    for t in &j.trees {
        let backup = root.join(&t.backup);
        if exists(&backup) {
            hit("cleanup-backup")?;
            std::fs::remove_dir_all(&backup)?;
        }
    }
    remove_journal(state)
}

/// What [`recover`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    /// True: the interrupted change was completed; false: it was undone.
    pub completed: bool,
    /// Targets of the change, relative to the repository root.
    pub trees: Vec<PathBuf>,
    /// The file of the change (vendor.toml), if it had one.
    pub file: Option<PathBuf>,
    /// The process that was interrupted.
    pub pid: u32,
    /// Why it was undone rather than completed.
    pub reason: Option<String>,
}

fn read_journal(state: &Path) -> Result<Option<Journal>, WorkspaceError> {
    let path = state.join(JOURNAL);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(&path)(e)),
    };
    let j: Journal = serde_json::from_slice(&bytes).map_err(|e| WorkspaceError::BadJournal {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    if j.version != JOURNAL_VERSION {
        return Err(WorkspaceError::BadJournal {
            path,
            reason: format!("journal version {}", j.version),
        });
    }
    Ok(Some(j))
}

/// Completes or undoes a change that a killed run left half-done. Call with the repository
/// lock held, before reading vendor.toml. `None`: there was nothing to recover.
///
/// Completed when every step can still be done and vendor.toml is as the run left it (its old
/// or its new content); undone when vendor.toml was edited since (or a staged tree vanished),
/// so that the trees match the lock data again.
pub fn recover(root: &Path) -> Result<Option<Recovered>, WorkspaceError> {
    let state = state_dir(root);
    let Some(j) = read_journal(&state)? else {
        return Ok(None);
    };
    let mut reason = None;
    for t in j.trees.iter().filter(|t| !t.remove) {
        if !exists(&root.join(&t.staging)) && !exists(&root.join(&t.target)) {
            reason = Some(format!("{} vanished", t.staging.display()));
        }
    }
    if let Some(f) = &j.file {
        let target = root.join(&f.target);
        let now = std::fs::read(&target)
            .ok()
            .map(|b| crate::digest::of_bytes(&b));
        let staged = exists(&root.join(&f.staging));
        if now.as_deref() == Some(f.new.as_str()) && !staged {
            // Installed already.
        } else if now == f.old && staged {
            // Not installed yet.
        } else if now.as_deref() == Some(f.new.as_str()) {
            // Installed, and the staging copy is still there: the rename is done (a copy does
            // not rename); remove the copy below.
        } else {
            reason = Some(format!(
                "{} was changed after the interrupted run",
                f.target.display()
            ));
        }
    }
    let undo = || -> Result<(), WorkspaceError> {
        hit("recover-step").map_err(io(root))?;
        backward(root, &j)
    };
    let completed = match &reason {
        None => {
            hit("recover-step").map_err(io(root))?;
            match forward(root, &j) {
                Ok(()) => true,
                Err(e) => {
                    reason = Some(format!("completing it failed: {}", error_detail(&e)));
                    undo()?;
                    false
                }
            }
        }
        Some(_) => {
            undo()?;
            false
        }
    };
    if let Some(f) = &j.file {
        let staging = root.join(&f.staging);
        if exists(&staging) {
            std::fs::remove_file(&staging).map_err(io(&staging))?;
        }
    }
    finish(root, &j, &state).map_err(io(&state.join(JOURNAL)))?;
    Ok(Some(Recovered {
        completed,
        trees: j.trees.iter().map(|t| t.target.clone()).collect(),
        file: j.file.as_ref().map(|f| f.target.clone()),
        pid: j.pid,
        reason,
    }))
}

/// Something an interrupted run left in the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leftover {
    /// A journal: a change between its commit point and its end.
    Journal(PathBuf),
    /// A staging directory or file, a backup, or a temporary file of ours.
    Path(PathBuf),
    /// `upstream/.NAME.old` from vendor versions before the journal: the old tree of a swap that
    /// was killed between its renames.
    LegacyBackup { backup: PathBuf, target: PathBuf },
}

impl Leftover {
    pub fn path(&self) -> &Path {
        match self {
            Leftover::Journal(p) | Leftover::Path(p) => p,
            Leftover::LegacyBackup { backup, .. } => backup,
        }
    }
}

/// Whether a file beside vendor.toml is one of our temporary files: `.vendor.toml.staging-*`,
/// or tempfile's default `.tmpXXXXXX` that versions before the journal left, when it holds TOML
/// text with vendor.toml's tables.
fn is_config_temp(dir: &Path, name: &str, config_name: &str) -> bool {
    if name.starts_with(&format!(".{config_name}{STAGING}")) {
        return true;
    }
    let legacy = name.len() == 10
        && name.starts_with(".tmp")
        && name[4..].bytes().all(|b| b.is_ascii_alphanumeric());
    if !legacy {
        return false;
    }
    let Ok(text) = std::fs::read_to_string(dir.join(name)) else {
        return false;
    };
    text.parse::<toml_edit::DocumentMut>().is_ok_and(|doc| {
        ["settings", "manifest", "chart"]
            .iter()
            .any(|k| doc.contains_key(k))
    })
}

/// Everything an interrupted run left behind in the repository whose vendor.toml is
/// `config_path`, with vendored trees under `upstream_dir`.
pub fn leftovers(config_path: &Path, upstream_dir: &Path) -> Vec<Leftover> {
    let root = parent_of(config_path);
    let config_name = file_name(config_path);
    let mut out = Vec::new();
    let state = state_dir(root);
    if exists(&state.join(JOURNAL)) {
        out.push(Leftover::Journal(state.join(JOURNAL)));
    }
    if exists(&state.join(JOURNAL_TMP)) {
        out.push(Leftover::Path(state.join(JOURNAL_TMP)));
    }
    if let Ok(read) = std::fs::read_dir(root) {
        let mut names: Vec<String> = read
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| is_config_temp(root, n, &config_name))
            .collect();
        names.sort();
        out.extend(names.into_iter().map(|n| Leftover::Path(root.join(n))));
    }
    if let Ok(read) = std::fs::read_dir(upstream_dir) {
        let mut names: Vec<String> = read
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        names.sort();
        for n in names {
            let path = upstream_dir.join(&n);
            if n.contains(STAGING) || n.contains(BACKUP) {
                out.push(Leftover::Path(path));
            } else if let Some(target) = n
                .strip_prefix('.')
                .and_then(|t| t.strip_suffix(".old"))
                .filter(|t| !t.is_empty())
            {
                out.push(Leftover::LegacyBackup {
                    backup: path,
                    target: upstream_dir.join(target),
                });
            }
        }
    }
    out
}

/// Removes what interrupted runs left (call after [`recover`], with the repository lock held):
/// staging and backup directories, temporary files beside vendor.toml, the journal's temporary
/// file, and temporary directories of processes that are gone. A legacy `.NAME.old` is put back
/// when `NAME` is missing (the run died between its two renames), else removed. Returns what
/// was removed or restored.
pub fn sweep(config_path: &Path, upstream_dir: &Path) -> Result<Vec<PathBuf>, WorkspaceError> {
    let mut done = Vec::new();
    for l in leftovers(config_path, upstream_dir) {
        match &l {
            // `recover` runs first; a journal still here is not ours to remove.
            Leftover::Journal(_) => continue,
            Leftover::Path(p) => {
                let r = if p.is_dir() {
                    std::fs::remove_dir_all(p)
                } else {
                    std::fs::remove_file(p)
                };
                r.map_err(io(p))?;
            }
            Leftover::LegacyBackup { backup, target } => {
                if exists(target) {
                    std::fs::remove_dir_all(backup).map_err(io(backup))?;
                } else {
                    rename(backup, target)?;
                }
            }
        }
        done.push(l.path().to_path_buf());
    }
    done.extend(super::temp::sweep());
    Ok(done)
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

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn replaces_trees_and_file_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let target = root.join("up/a");
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(target.join("old.yaml"), "old").unwrap();
        std::fs::write(root.join("vendor.toml"), "old").unwrap();
        let mut tx = Transaction::new(root);
        tx.stage(&target, &tree(&[("new.yaml", "new"), ("sub/x.yaml", "x")]))
            .unwrap();
        tx.stage(&root.join("up/b"), &tree(&[("b.yaml", "b")]))
            .unwrap();
        tx.stage_file(&root.join("vendor.toml"), b"new").unwrap();
        tx.commit().unwrap();
        let got = super::super::read_tree(&target).unwrap().unwrap();
        assert_eq!(got, tree(&[("new.yaml", "new"), ("sub/x.yaml", "x")]));
        assert_eq!(names(&root.join("up")), ["a", "b"]);
        assert_eq!(std::fs::read(root.join("vendor.toml")).unwrap(), b"new");
        assert_eq!(names(root), [".vendor", "up", "vendor.toml"]);
        assert_eq!(names(&root.join(".vendor")), [".gitignore"]);
        assert!(leftovers(&root.join("vendor.toml"), &root.join("up")).is_empty());
    }

    #[test]
    fn removes_trees_with_the_replaced_ones() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("up/gone/sub")).unwrap();
        std::fs::write(root.join("up/gone/sub/f.yaml"), "x").unwrap();
        std::fs::write(root.join("vendor.toml"), "old").unwrap();
        let mut tx = Transaction::new(root);
        tx.remove(&root.join("up/gone")).unwrap();
        tx.stage(&root.join("up/a"), &tree(&[("a.yaml", "a")]))
            .unwrap();
        tx.stage_file(&root.join("vendor.toml"), b"new").unwrap();
        tx.commit().unwrap();
        assert_eq!(names(&root.join("up")), ["a"]);
        assert_eq!(std::fs::read(root.join("vendor.toml")).unwrap(), b"new");
        assert!(leftovers(&root.join("vendor.toml"), &root.join("up")).is_empty());
    }

    /// A removal killed at each point: recovery completes it, or undoes it with the change.
    #[test]
    fn recovery_completes_or_undoes_a_removal() {
        for (done, edited) in [(0, false), (1, false), (2, false), (1, true)] {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path();
            std::fs::create_dir_all(root.join("up/gone")).unwrap();
            std::fs::write(root.join("up/gone/f"), "old").unwrap();
            std::fs::create_dir_all(root.join("up/.gone.staging-1")).unwrap();
            std::fs::write(root.join("vendor.toml"), "old").unwrap();
            std::fs::write(root.join(".vendor.toml.staging-1"), "new").unwrap();
            let j = journal_of("gone", true);
            write_journal(&ensure_state_dir(root).unwrap(), &j).unwrap();
            if done >= 1 {
                std::fs::rename(root.join("up/gone"), root.join("up/.gone.old-1")).unwrap();
            }
            if done >= 2 {
                std::fs::remove_dir(root.join("up/.gone.staging-1")).unwrap();
            }
            if edited {
                std::fs::write(root.join("vendor.toml"), "edited").unwrap();
            }
            let r = recover(root).unwrap().unwrap();
            assert_eq!(r.completed, !edited, "{done}: {r:?}");
            let expect: &[&str] = if edited { &["gone"] } else { &[] };
            assert_eq!(names(&root.join("up")), expect, "{done}");
            assert!(leftovers(&root.join("vendor.toml"), &root.join("up")).is_empty());
        }
    }

    #[test]
    fn unsafe_paths_and_dropped_transactions_change_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a");
        let mut tx = Transaction::new(dir.path());
        assert!(tx.stage(&target, &tree(&[("../escape", "x")])).is_err());
        tx.stage(&target, &tree(&[("ok", "x")])).unwrap();
        tx.stage_file(&dir.path().join("vendor.toml"), b"x")
            .unwrap();
        drop(tx);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    /// The journal of a run that replaces (or, with `remove`, removes) `up/NAME` and writes
    /// vendor.toml from "old" to "new", as the tests below write it by hand.
    fn journal_of(name: &str, remove: bool) -> Journal {
        Journal {
            version: JOURNAL_VERSION,
            pid: 1,
            trees: vec![TreeStep {
                target: format!("up/{name}").into(),
                staging: format!("up/.{name}.staging-1").into(),
                backup: format!("up/.{name}.old-1").into(),
                existed: true,
                remove,
            }],
            file: Some(FileStep {
                target: "vendor.toml".into(),
                staging: ".vendor.toml.staging-1".into(),
                old: Some(crate::digest::of_bytes(b"old")),
                new: crate::digest::of_bytes(b"new"),
            }),
        }
    }

    /// A journal written by hand at each point of the swap: recovery completes it.
    #[test]
    fn recovery_completes_from_every_point_of_the_swap() {
        for done in 0..=3 {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path();
            std::fs::create_dir_all(root.join("up/a")).unwrap();
            std::fs::write(root.join("up/a/f"), "old").unwrap();
            std::fs::create_dir_all(root.join("up/.a.staging-1")).unwrap();
            std::fs::write(root.join("up/.a.staging-1/f"), "new").unwrap();
            std::fs::write(root.join("vendor.toml"), "old").unwrap();
            std::fs::write(root.join(".vendor.toml.staging-1"), "new").unwrap();
            let j = journal_of("a", false);
            let state = ensure_state_dir(root).unwrap();
            write_journal(&state, &j).unwrap();
            if done >= 1 {
                std::fs::rename(root.join("up/a"), root.join("up/.a.old-1")).unwrap();
            }
            if done >= 2 {
                std::fs::rename(root.join("up/.a.staging-1"), root.join("up/a")).unwrap();
            }
            if done >= 3 {
                std::fs::rename(
                    root.join(".vendor.toml.staging-1"),
                    root.join("vendor.toml"),
                )
                .unwrap();
            }
            assert!(!leftovers(&root.join("vendor.toml"), &root.join("up")).is_empty());
            let r = recover(root).unwrap().unwrap();
            assert!(r.completed, "{done}: {r:?}");
            assert_eq!(std::fs::read(root.join("up/a/f")).unwrap(), b"new");
            assert_eq!(std::fs::read(root.join("vendor.toml")).unwrap(), b"new");
            assert!(leftovers(&root.join("vendor.toml"), &root.join("up")).is_empty());
            assert_eq!(names(&root.join("up")), ["a"]);
            assert!(recover(root).unwrap().is_none());
        }
    }

    #[test]
    fn recovery_undoes_when_vendor_toml_was_edited_since() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("up/.a.old-1")).unwrap();
        std::fs::write(root.join("up/.a.old-1/f"), "old").unwrap();
        std::fs::create_dir_all(root.join("up/a")).unwrap();
        std::fs::write(root.join("up/a/f"), "new").unwrap();
        std::fs::write(root.join("vendor.toml"), "edited").unwrap();
        std::fs::write(root.join(".vendor.toml.staging-1"), "new").unwrap();
        let j = journal_of("a", false);
        write_journal(&ensure_state_dir(root).unwrap(), &j).unwrap();
        let r = recover(root).unwrap().unwrap();
        assert!(!r.completed);
        assert!(r.reason.unwrap().contains("changed after"));
        assert_eq!(std::fs::read(root.join("up/a/f")).unwrap(), b"old");
        assert_eq!(std::fs::read(root.join("vendor.toml")).unwrap(), b"edited");
        assert!(leftovers(&root.join("vendor.toml"), &root.join("up")).is_empty());
    }

    #[test]
    fn sweep_removes_staging_and_restores_a_legacy_backup() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("up/.a.old")).unwrap();
        std::fs::write(root.join("up/.a.old/f"), "old").unwrap();
        std::fs::create_dir_all(root.join("up/.b.staging-x/d")).unwrap();
        std::fs::create_dir_all(root.join("up/b")).unwrap();
        std::fs::create_dir_all(root.join("up/.b.old")).unwrap();
        std::fs::write(root.join("vendor.toml"), "[settings]\n").unwrap();
        std::fs::write(root.join(".tmpAb12Cd"), "[settings]\n").unwrap();
        std::fs::write(root.join(".tmpNotOur"), "not toml [").unwrap();
        std::fs::write(root.join(".vendor.toml.staging-q"), "x").unwrap();
        let found = leftovers(&root.join("vendor.toml"), &root.join("up"));
        assert_eq!(found.len(), 5, "{found:?}");
        sweep(&root.join("vendor.toml"), &root.join("up")).unwrap();
        assert_eq!(names(&root.join("up")), ["a", "b"]);
        assert_eq!(std::fs::read(root.join("up/a/f")).unwrap(), b"old");
        assert_eq!(names(root), [".tmpNotOur", "up", "vendor.toml"]);
    }
}
