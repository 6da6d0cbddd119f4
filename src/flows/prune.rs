//! `vendor sync --prune`: removes what belongs to no entry any more, that is the `upstream/`
//! directories of entries that were renamed or removed, and their lock tables left in
//! vendor.toml (`[manifest.OLD.lock]` with nothing else in `[manifest.OLD]`). Both change in one
//! journaled transaction (`crate::workspace::txn`), like everything `sync` writes.

use std::path::PathBuf;

use toml_edit::{DocumentMut, Item};

use crate::config::Config;
use crate::config::lock::LockWriteError;
use crate::workspace::{Transaction, WorkspaceError};

/// What pruning removes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Directories under the upstream directory that belong to no entry.
    pub dirs: Vec<PathBuf>,
    /// Orphan lock tables, as `[manifest.NAME.lock]`.
    pub tables: Vec<String>,
    /// vendor.toml without them, when there are any.
    new_config: Option<String>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.dirs.is_empty() && self.tables.is_empty()
    }

    /// What the plan removes, as the report names it (`upstream/old`, `[manifest.old.lock]`).
    pub fn describe(&self, config: &Config) -> Vec<String> {
        self.dirs
            .iter()
            .map(|d| config.display_path(d))
            .chain(self.tables.iter().cloned())
            .collect()
    }
}

/// Why pruning failed; nothing was removed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum PruneError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] LockWriteError),
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Finds what belongs to no entry. Only real directories are removed (a file or a link under
/// the upstream directory stays, and `check` keeps reporting it).
pub fn plan(config: &Config) -> Result<Plan, PruneError> {
    let upstream = config.root.join(&config.settings.upstream_dir);
    let mut dirs = Vec::new();
    match std::fs::read_dir(&upstream) {
        Ok(read) => {
            for e in read {
                let e = e.map_err(|source| PruneError::Read {
                    path: upstream.clone(),
                    source,
                })?;
                let name = e.file_name().to_string_lossy().into_owned();
                let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
                if is_dir && !name.starts_with('.') && config.entry(&name).is_none() {
                    dirs.push(e.path());
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(PruneError::Read {
                path: upstream,
                source,
            });
        }
    }
    dirs.sort();
    let tables: Vec<String> = config
        .orphan_locks
        .iter()
        .map(|o| format!("[{}.{}.lock]", o.kind, o.name))
        .collect();
    let new_config = if config.orphan_locks.is_empty() {
        None
    } else {
        Some(without_orphan_locks(config)?)
    };
    Ok(Plan {
        dirs,
        tables,
        new_config,
    })
}

/// vendor.toml without its orphan lock tables; everything else as it is.
fn without_orphan_locks(config: &Config) -> Result<String, LockWriteError> {
    let mut doc: DocumentMut = config.source.parse()?;
    for o in &config.orphan_locks {
        if let Some(kind) = doc.get_mut(o.kind).and_then(Item::as_table_like_mut) {
            kind.remove(&o.name);
            if kind.is_empty() {
                doc.remove(o.kind);
            }
        }
    }
    Ok(doc.to_string())
}

/// Removes everything in `plan` in one transaction. Call with the repository lock held, on a
/// `config` read under it.
pub fn commit(config: &Config, plan: &Plan) -> Result<(), PruneError> {
    if plan.is_empty() {
        return Ok(());
    }
    let mut tx = Transaction::new(&config.root);
    for d in &plan.dirs {
        tx.remove(d)?;
    }
    if let Some(text) = &plan.new_config {
        let now = std::fs::read_to_string(&config.path).map_err(|source| PruneError::Read {
            path: config.path.clone(),
            source,
        })?;
        if now != config.source {
            return Err(LockWriteError::Changed {
                path: config.path.clone(),
                what: "it was edited while vendor was running".into(),
            }
            .into());
        }
        tx.stage_file(&config.path, text.as_bytes())?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_only_orphan_lock_tables_and_keeps_the_rest() {
        let text = "# top\n[manifest.new]\nurl = \"https://h/{version}/a.yaml\" # keep\nversion = \"v1.0.0\"\n\n[manifest.new.lock]\nversion = \"v1.0.0\"\n\n[manifest.old.lock]\nversion = \"v0.9.0\"\n\n[manifest.old.lock.files]\n\"a.yaml\" = \"sha256:0000000000000000000000000000000000000000000000000000000000000000\"\n\n[chart.gone.lock]\nversion = \"1.0.0\"\n";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vendor.toml");
        std::fs::write(&path, text).unwrap();
        std::fs::create_dir_all(dir.path().join("upstream/old")).unwrap();
        std::fs::create_dir_all(dir.path().join("upstream/new")).unwrap();
        std::fs::create_dir_all(dir.path().join("upstream/.new.staging-x")).unwrap();
        std::fs::write(dir.path().join("upstream/README"), "x").unwrap();
        let config = crate::config::load(&path).unwrap();
        let plan = plan(&config).unwrap();
        assert_eq!(
            plan.describe(&config),
            ["upstream/old", "[manifest.old.lock]", "[chart.gone.lock]"]
        );
        commit(&config, &plan).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "# top\n[manifest.new]\nurl = \"https://h/{version}/a.yaml\" # keep\nversion = \"v1.0.0\"\n\n[manifest.new.lock]\nversion = \"v1.0.0\"\n"
        );
        assert!(!dir.path().join("upstream/old").exists());
        assert!(dir.path().join("upstream/new").is_dir());
        let config = crate::config::load(&path).unwrap();
        assert!(plan_is_empty(&config));
    }

    fn plan_is_empty(config: &Config) -> bool {
        plan(config).unwrap().is_empty()
    }
}
