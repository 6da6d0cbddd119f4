//! `vendor sync` as a library: fetch every selected entry at its pinned version (in parallel),
//! verify, build the exact tree of `upstream/NAME`, and then either report what would change
//! (`--locked`) or replace the trees and write the lock data into vendor.toml.
//!
//! Nothing is used before it is proven to be what was asked for (see [`prepare`]): a chart
//! version is resolved in its repository before the cache is trusted and its Chart.yaml must
//! name the requested chart and version; raw manifests must be Kubernetes YAML with objects.
//! Bytes that differ from the lock data of the same version stop the run as
//! [`SyncError::Retagged`] unless the user accepts them (`--accept-retag NAME`).
//!
//! All or nothing: when any entry fails, nothing is written, so `upstream/` and vendor.toml stay
//! byte-identical. Re-tag detection for `check --online` ([`verify_upstream`]) reuses the same
//! preparation with the cache bypassed.
//!
//! The steps live beside this module: [`prepare`] fetches, verifies and builds one entry's
//! new tree and lock data; this module runs them for the selected entries and writes the
//! result in one transaction.

mod prepare;

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::config::lock::{EntryUpdate, LockWriteError};
use crate::config::{Config, Entry};
use crate::diag::{Code, Finding};
use crate::report::model::{Change, EntryOutcome, SyncReport};
use crate::report::progress::Progress;
use crate::sources::{Fetcher, SourceError};
use crate::workspace::{Transaction, WorkspaceError};

pub use prepare::{Prepared, Tree, chart_tree, generated_kustomization, images_in, prepare};

/// Options of one sync run.
#[derive(Debug)]
pub struct Options<'p> {
    /// Entries to sync (empty: all).
    pub only: Vec<String>,
    /// Parallel fetches.
    pub jobs: usize,
    /// Fail instead of changing anything.
    pub locked: bool,
    /// Entries whose re-tagged upstream may be adopted (`--accept-retag NAME`).
    pub accept_retag: Vec<String>,
    pub progress: &'p Progress,
}

/// Upstream serves other bytes for a version than the lock data records: a re-tagged release
/// (or tampering). `sync` stops unless the user accepts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retag {
    /// Where the bytes came from (credentials redacted).
    pub url: String,
    /// The digest in the lock data.
    pub locked: String,
    /// The digest of what upstream serves now.
    pub served: String,
}

/// Why sync stopped. Nothing was written in any case.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SyncError {
    #[error("cannot sync `{entry}`")]
    Fetch {
        entry: String,
        #[source]
        #[diagnostic_source]
        source: SourceError,
    },
    #[error("{} entries failed to sync; nothing was written", failures.len())]
    #[diagnostic(help("each failure is listed below"))]
    Several {
        #[related]
        failures: Vec<SyncError>,
    },
    #[error("`{name}` is not an entry of vendor.toml")]
    UnknownEntry { name: String },
    #[error(
        "upstream serves different content for the locked version of {}; nothing was written",
        names(entries)
    )]
    #[diagnostic(code("upstream-retagged"), help("{}", retag_help(entries)))]
    Retagged {
        entries: Vec<(String, String, Retag)>,
    },
    #[error("--locked: sync would change {}", changes.join("; "))]
    #[diagnostic(
        code(locked),
        help("run without --locked to update the vendored files and the lock data in vendor.toml")
    )]
    Locked { changes: Vec<String> },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Lock(#[from] LockWriteError),
    #[error("cannot read {}", path.display())]
    Read {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn names(entries: &[(String, String, Retag)]) -> String {
    let mut names: Vec<String> = entries.iter().map(|(n, _, _)| format!("`{n}`")).collect();
    names.dedup();
    names.join(", ")
}

fn retag_help(entries: &[(String, String, Retag)]) -> String {
    let mut out = String::new();
    for (name, version, r) in entries {
        out.push_str(&format!(
            "{name} {version}: {url}\n  locked: {locked}\n  served: {served}\n",
            url = r.url,
            locked = r.locked,
            served = r.served
        ));
    }
    let mut accept: Vec<String> = entries
        .iter()
        .map(|(n, _, _)| format!("--accept-retag {n}"))
        .collect();
    accept.dedup();
    let diff = match accept.as_slice() {
        [_] => format!("vendor diff {}", entries[0].0),
        _ => "vendor diff NAME".to_string(),
    };
    out.push_str(&format!(
        "the release was re-tagged or tampered with: review the upstream change (`{diff}`), then adopt it with `vendor sync {}`; if the lock data was edited by hand along with the version, this adopts the new version's content too",
        accept.join(" ")
    ));
    out
}

fn selected<'c>(config: &'c Config, only: &[String]) -> Result<Vec<&'c Entry>, SyncError> {
    for n in only {
        if config.entry(n).is_none() {
            return Err(SyncError::UnknownEntry { name: n.clone() });
        }
    }
    Ok(config
        .entries
        .iter()
        .filter(|e| only.is_empty() || only.contains(&e.name))
        .collect())
}

/// Prepares entries in parallel (bounded by `jobs`), keeping their order.
fn prepare_all<'c>(
    fetcher: &Fetcher,
    config: &Config,
    entries: &[&'c Entry],
    jobs: usize,
    progress: &Progress,
) -> Vec<(&'c Entry, Result<Prepared, SourceError>)> {
    progress.start(entries.len());
    let work = || {
        entries
            .par_iter()
            .map(|e| {
                let r = progress.entry(&e.name, &e.version, || prepare(fetcher, config, e));
                match &r {
                    Ok(p) => progress.fetched(&e.name, &e.version, p.downloaded),
                    Err(_) => progress.failed(&e.name, &e.version),
                }
                (*e, r)
            })
            .collect::<Vec<_>>()
    };
    let out = match rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()
    {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    };
    progress.finish();
    out
}

fn diff_tree(
    old: Option<&BTreeMap<String, Vec<u8>>>,
    new: &BTreeMap<String, Vec<u8>>,
) -> (Vec<String>, Vec<String>, Vec<String>) {
    let empty = BTreeMap::new();
    let old = old.unwrap_or(&empty);
    let added = new
        .keys()
        .filter(|k| !old.contains_key(*k))
        .cloned()
        .collect();
    let removed = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect();
    let modified = new
        .iter()
        .filter(|(k, v)| old.get(*k).is_some_and(|o| o != *v))
        .map(|(k, _)| k.clone())
        .collect();
    (added, removed, modified)
}

/// Syncs the selected entries. See the module documentation for the guarantees.
pub fn sync(config: &Config, fetcher: &Fetcher, opts: &Options) -> Result<SyncReport, SyncError> {
    let entries = selected(config, &opts.only)?;
    selected(config, &opts.accept_retag)?;
    let results = prepare_all(fetcher, config, &entries, opts.jobs, opts.progress);
    let mut failures = Vec::new();
    let mut prepared = Vec::new();
    for (entry, r) in results {
        match r {
            Ok(p) => prepared.push((entry, p)),
            Err(source) => failures.push(SyncError::Fetch {
                entry: entry.name.clone(),
                source,
            }),
        }
    }
    if failures.len() == 1 {
        return Err(failures.remove(0));
    }
    if !failures.is_empty() {
        return Err(SyncError::Several { failures });
    }
    // A re-tag is adopted only for the entries the user named; otherwise nothing is written.
    let mut retagged = Vec::new();
    for (entry, p) in &mut prepared {
        if p.retagged.is_empty() {
            continue;
        }
        if opts.accept_retag.contains(&entry.name) {
            let accepted: Vec<String> = p
                .retagged
                .iter()
                .map(|r| format!("{} (was {}, now {})", r.url, r.locked, r.served))
                .collect();
            let note = format!("accepted the re-tag of {}", accepted.join(", "));
            p.note = Some(match p.note.take() {
                Some(n) => format!("{note}; {n}"),
                None => note,
            });
        } else {
            for r in &p.retagged {
                retagged.push((entry.name.clone(), entry.version.clone(), r.clone()));
            }
        }
    }
    if !retagged.is_empty() {
        return Err(SyncError::Retagged { entries: retagged });
    }

    let mut outcomes = Vec::new();
    let mut to_stage: Vec<(std::path::PathBuf, &BTreeMap<String, Vec<u8>>)> = Vec::new();
    let mut updates = Vec::new();
    let mut locked_changes = Vec::new();
    for (entry, p) in &prepared {
        let dir = config.upstream_dir(entry);
        let on_disk = crate::workspace::read_tree(&dir).map_err(|source| SyncError::Read {
            path: dir.clone(),
            source,
        })?;
        let (added, removed, modified) = diff_tree(on_disk.as_ref(), &p.files);
        let tree_changed = on_disk.as_ref() != Some(&p.files);
        let lock_changed = entry.lock.as_ref() != Some(&p.lock);
        let change = if !tree_changed && !lock_changed {
            Change::Unchanged
        } else {
            let shown = config.display_path(&dir);
            if tree_changed {
                let mut parts = Vec::new();
                if on_disk.is_none() {
                    parts.push("would be created".to_string());
                }
                for (sign, list) in [("+", &added), ("-", &removed), ("~", &modified)] {
                    if !list.is_empty() && on_disk.is_some() {
                        parts.push(
                            list.iter()
                                .map(|f| format!("{sign}{f}"))
                                .collect::<Vec<_>>()
                                .join(" "),
                        );
                    }
                }
                locked_changes.push(format!("{shown} ({})", parts.join(", ")));
            } else {
                locked_changes.push(format!("the lock data of `{}`", entry.name));
            }
            if tree_changed && !opts.locked {
                to_stage.push((dir.clone(), &p.files));
            }
            if lock_changed {
                updates.push(EntryUpdate {
                    name: entry.name.clone(),
                    version: None,
                    lock: Some(p.lock.clone()),
                });
            }
            Change::Updated {
                added,
                removed,
                modified,
                lock_only: !tree_changed,
            }
        };
        outcomes.push(EntryOutcome {
            name: p.name.clone(),
            version: p.version.clone(),
            change,
            note: p.note.clone(),
        });
    }
    if opts.locked {
        if !locked_changes.is_empty() {
            return Err(SyncError::Locked {
                changes: locked_changes,
            });
        }
        return Ok(SyncReport {
            entries: outcomes,
            wrote_config: None,
            downloads: fetcher.downloads(),
            pruned: Vec::new(),
        });
    }
    // The trees and vendor.toml change in one journaled transaction (`crate::workspace::txn`);
    // the lock data goes into vendor.toml as it is on disk now.
    let mut tx = Transaction::new(&config.root);
    let mut wrote_config = None;
    if !updates.is_empty() {
        let (text, changed) = crate::config::lock::apply_current(config, &updates)?;
        if changed {
            tx.stage_file(&config.path, text.as_bytes())?;
            wrote_config = Some(config.path.display().to_string());
        }
    }
    tx.stage_many(&to_stage, opts.jobs)?;
    tx.commit()?;
    Ok(SyncReport {
        entries: outcomes,
        wrote_config,
        downloads: fetcher.downloads(),
        pruned: Vec::new(),
    })
}

/// `check --online`: whether upstream still serves the bytes recorded in the lock for each
/// entry's pinned version. A difference is an `upstream-retagged` finding. Entries without lock
/// data for their version are skipped (`check` reports them as not synced).
pub fn verify_upstream(
    config: &Config,
    fetcher: &Fetcher,
    only: &[String],
    jobs: usize,
) -> Result<Vec<Finding>, SyncError> {
    verify_upstream_with(config, fetcher, only, jobs, &Progress::quiet())
}

/// [`verify_upstream`], showing each entry's fetch on `progress`.
pub fn verify_upstream_with(
    config: &Config,
    fetcher: &Fetcher,
    only: &[String],
    jobs: usize,
    progress: &Progress,
) -> Result<Vec<Finding>, SyncError> {
    let entries: Vec<&Entry> = selected(config, only)?
        .into_iter()
        .filter(|e| {
            e.lock.as_ref().is_some_and(|l| {
                l.version.as_deref() == Some(e.version.as_str()) && l.digest.is_some()
            })
        })
        .collect();
    let results = prepare_all(fetcher, config, &entries, jobs, progress);
    let mut findings = Vec::new();
    let mut failures = Vec::new();
    for (entry, r) in results {
        let p = match r {
            Ok(p) => p,
            Err(source) => {
                failures.push(SyncError::Fetch {
                    entry: entry.name.clone(),
                    source,
                });
                continue;
            }
        };
        let lock = entry.lock.as_ref().expect("filtered above");
        let at = Some(config.pos_of(entry.span.start));
        if let Some(what) = &p.stale_lock {
            findings.push(
                Finding::new(
                    Code::NotSynced,
                    format!(
                        "the lock data of {} records {} for {}, but that is {what}",
                        entry.name,
                        lock.digest.as_deref().unwrap_or("-"),
                        entry.version,
                    ),
                )
                .entry(&entry.name)
                .file(crate::config::FILE_NAME)
                .at(at)
                .help(format!(
                    "the lock data was edited along with the version; run `vendor sync {}` to vendor {} as the repository serves it",
                    entry.name, entry.version
                )),
            );
            continue;
        }
        if !p.retagged.is_empty() {
            let detail: Vec<String> = p
                .retagged
                .iter()
                .map(|r| format!("{}: locked {}, now {}", r.url, r.locked, r.served))
                .collect();
            findings.push(
                Finding::new(
                    Code::UpstreamRetagged,
                    format!(
                        "upstream serves different content for {} {}: {}",
                        entry.name,
                        entry.version,
                        detail.join("; "),
                    ),
                )
                .entry(&entry.name)
                .file(crate::config::FILE_NAME)
                .at(at)
                .help(format!("the release was re-tagged or tampered with: review the upstream change (`vendor diff {name}`) before adopting it with `vendor sync --accept-retag {name}`", name = entry.name)),
            );
        } else if lock.digest != p.lock.digest {
            findings.push(
                Finding::new(
                    Code::UpstreamRetagged,
                    format!(
                        "upstream serves different content for {} {}: locked {}, now {}",
                        entry.name,
                        entry.version,
                        lock.digest.as_deref().unwrap_or("-"),
                        p.lock.digest.as_deref().unwrap_or("-"),
                    ),
                )
                .entry(&entry.name)
                .file(crate::config::FILE_NAME)
                .at(at)
                .help(format!("the vendored content no longer matches what upstream serves for this version: review the change (`vendor diff {name}`) before running `vendor sync --accept-retag {name}`", name = entry.name)),
            );
        }
    }
    if failures.len() == 1 {
        return Err(failures.remove(0));
    }
    if !failures.is_empty() {
        return Err(SyncError::Several { failures });
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_and_kinds() {
        assert_eq!(
            crate::config::url_file_name("https://h/a/install.yaml?x=1"),
            "install.yaml"
        );
        assert!(
            kyaml::manifest::is_manifest_file("a.yaml")
                && kyaml::manifest::is_manifest_file("b.JSON")
                && !kyaml::manifest::is_manifest_file("kustomization.yaml")
        );
    }

    #[test]
    fn images_come_from_workload_containers_only() {
        let text = "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - image: quay.io/a/b:v1\n        name: x\n      - name: y\n        image: \"redis:7\" # cache\n---\nkind: ConfigMap\ndata:\n  image: not/this:1\n";
        let files = BTreeMap::from([("a.yaml".to_string(), text.as_bytes().to_vec())]);
        assert_eq!(images_in(&files), ["quay.io/a/b:v1", "redis:7"]);
    }
}
