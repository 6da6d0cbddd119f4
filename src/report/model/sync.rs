//! The result of `vendor sync`: what happened to each entry.

use serde::Serialize;

/// What happened to one entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "kebab-case")]
pub enum Change {
    Unchanged,
    /// Files or lock data changed; lists added, removed and modified files.
    Updated {
        added: Vec<String>,
        removed: Vec<String>,
        modified: Vec<String>,
        lock_only: bool,
    },
}

/// One synced entry.
#[derive(Debug, Clone, Serialize)]
pub struct EntryOutcome {
    pub name: String,
    pub version: String,
    #[serde(flatten)]
    pub change: Change,
    pub note: Option<String>,
}

/// The result of a sync run.
#[derive(Debug, Clone, Serialize)]
pub struct SyncReport {
    pub entries: Vec<EntryOutcome>,
    /// vendor.toml as displayed, when it was rewritten.
    pub wrote_config: Option<String>,
    /// Artifacts that came from the network.
    pub downloads: usize,
    /// What `--prune` removed (`upstream/OLD`, `[manifest.OLD.lock]`).
    pub pruned: Vec<String>,
}
