//! `vendor sync` as a library: fetch every selected entry at its pinned version (in parallel),
//! verify, build the exact tree of `upstream/NAME`, and then either report what would change
//! (`--locked`) or replace the trees and write the lock data into vendor.toml.
//!
//! All or nothing: when any entry fails, nothing is written, so `upstream/` and vendor.toml stay
//! byte-identical. Re-tag detection for `check --online` ([`verify_upstream`]) reuses the same
//! preparation with the cache bypassed.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use crate::config::lock::{EntryUpdate, LockWriteError};
use crate::config::{Config, Entry, Lock, Source};
use crate::diag::{Code, Finding};
use crate::report::model::{Change, EntryOutcome, SyncReport};
use crate::report::progress::Progress;
use crate::sources::{ChartRequest, Fetcher, SourceError, archive};
use crate::workspace::{Transaction, WorkspaceError};

/// Options of one sync run.
#[derive(Debug)]
pub struct Options<'p> {
    /// Entries to sync (empty: all).
    pub only: Vec<String>,
    /// Parallel fetches.
    pub jobs: usize,
    /// Fail instead of changing anything.
    pub locked: bool,
    pub progress: &'p Progress,
}

/// The complete new state of one entry.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub name: String,
    pub version: String,
    /// Every file of `upstream/NAME`, by relative path.
    pub files: BTreeMap<String, Vec<u8>>,
    pub lock: Lock,
    /// Something the user should know (e.g. chart output that is not reproducible).
    pub note: Option<String>,
    /// Whether anything came from the network.
    pub downloaded: bool,
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

/// File contents by relative `/`-separated path.
pub type Tree = BTreeMap<String, Vec<u8>>;

/// Whether a file at the top of the vendored tree is a kustomization.
fn is_kustomization(name: &str) -> bool {
    kustomize::FILE_NAMES.contains(&name)
}

/// The kustomization.yaml sync writes beside raw files that do not ship their own.
pub fn generated_kustomization(config: &Config, entry: &Entry, files: &[&str]) -> String {
    let mut out = format!(
        "# Written by `vendor sync` for {name} {version}: the vendored files, so that an overlay can name\n\
         # this directory. Do not edit: local changes belong in {patches}/{name}.\n\
         apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n",
        name = entry.name,
        version = entry.version,
        patches = config.settings.patches_dir,
    );
    for f in files {
        out.push_str("- ");
        out.push_str(f);
        out.push('\n');
    }
    out
}

/// Container images of the workloads in manifest files, sorted and unique: the same
/// object-aware extraction `check` compares the lock with (`crate::policy::image::images_of`).
/// Files that are not UTF-8 YAML contribute nothing here; `check` reports them.
pub fn images_in(files: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut out = BTreeSet::new();
    for (name, bytes) in files {
        if !kyaml::manifest::is_manifest_file(name) {
            continue;
        }
        let Ok(text) = std::str::from_utf8(bytes) else {
            continue;
        };
        let Ok(objects) = kyaml::manifest::parse(text, name, crate::policy::VENDORED_FILES) else {
            continue;
        };
        for r in &objects {
            out.extend(
                crate::policy::image::images_of(&r.value)
                    .into_iter()
                    .map(|u| u.image),
            );
        }
    }
    out.into_iter().collect()
}

/// Fetches and verifies one entry at its pinned version and builds its new tree and lock data.
pub fn prepare(fetcher: &Fetcher, config: &Config, entry: &Entry) -> Result<Prepared, SourceError> {
    let lock_matches = entry
        .lock
        .as_ref()
        .filter(|l| l.version.as_deref() == Some(entry.version.as_str()));
    match &entry.source {
        Source::Manifest { urls, .. } => {
            let mut files = BTreeMap::new();
            let mut downloaded = false;
            for url in urls {
                let url = url.replace("{version}", &entry.version);
                let name = crate::config::url_file_name(&url).to_string();
                let known = lock_matches
                    .and_then(|l| l.files.get(&name))
                    .map(String::as_str);
                let f = fetcher.fetch_url(&url, known)?;
                downloaded |= f.downloaded;
                files.insert(name, f.bytes);
            }
            if !files.keys().any(|k| is_kustomization(k)) {
                let listed: Vec<&str> = files
                    .keys()
                    .filter(|k| kyaml::manifest::is_manifest_file(k))
                    .map(String::as_str)
                    .collect();
                let k = generated_kustomization(config, entry, &listed);
                files.insert("kustomization.yaml".into(), k.into_bytes());
            }
            let lock = lock_for(entry, &files, None);
            Ok(Prepared {
                name: entry.name.clone(),
                version: entry.version.clone(),
                files,
                lock,
                note: None,
                downloaded,
            })
        }
        Source::Chart {
            repo, chart, auth, ..
        } => {
            let req = ChartRequest {
                repo: repo.clone(),
                chart: chart.clone(),
                version: entry.version.clone(),
                known_digest: lock_matches.and_then(|l| l.digest.clone()),
                auth: auth.clone(),
            };
            let fetched = fetcher.fetch_chart(&req)?;
            let chart_files = archive::read_chart(&fetched.bytes, archive::Limits::default())
                .map_err(|reason| SourceError::Archive {
                    url: crate::sources::http::redact(&fetched.url),
                    reason,
                })?;
            let (mut files, note) = render(config, entry, &chart_files)?;
            if !files.keys().any(|k| is_kustomization(k)) {
                let listed: Vec<&str> = files
                    .keys()
                    .filter(|k| kyaml::manifest::is_manifest_file(k))
                    .map(String::as_str)
                    .collect();
                let k = generated_kustomization(config, entry, &listed);
                files.insert("kustomization.yaml".into(), k.into_bytes());
            }
            let lock = lock_for(entry, &files, Some(fetched.digest.clone()));
            Ok(Prepared {
                name: entry.name.clone(),
                version: entry.version.clone(),
                files,
                lock,
                note,
                downloaded: fetched.downloaded,
            })
        }
    }
}

/// Renders a verified chart with the entry's release, namespace, values and the settings'
/// kube-version, like `helm template --include-crds --skip-tests --output-dir upstream/NAME`:
/// each rendered file keeps its Helm output path (`CHART/templates/x.yaml`). Test hooks are left
/// out (they are not deployed by GitOps tools); other hooks stay.
fn render(
    config: &Config,
    entry: &Entry,
    chart: &archive::ChartFiles,
) -> Result<(Tree, Option<String>), SourceError> {
    let what = format!("chart `{}` {}", entry.name, entry.version);
    let tmp = crate::workspace::temp::dir("render").map_err(|e| SourceError::Render {
        what: what.clone(),
        message: e.to_string(),
    })?;
    let dir = tmp.path().join(&chart.root);
    let mut tx_files = BTreeMap::new();
    for (k, v) in &chart.files {
        tx_files.insert(k.clone(), v.clone());
    }
    write_plain_tree(&dir, &tx_files).map_err(|e| SourceError::Render {
        what: what.clone(),
        message: e.to_string(),
    })?;
    let opts =
        crate::render::options_for_entry(config, entry).expect("render is only called for charts");
    let (rendered, warnings) =
        helm_render::render_chart(&dir, &opts).map_err(|e| SourceError::Render {
            what: what.clone(),
            message: e.to_string(),
        })?;
    let findings = crate::render::warning_findings(&warnings);
    let files = rendered
        .into_iter()
        .map(|f| (f.path, f.content.into_bytes()))
        .collect();
    let note = (!findings.is_empty()).then(|| {
        findings
            .iter()
            .map(|f| format!("{}: {}", f.code, f.message))
            .collect::<Vec<_>>()
            .join("; ")
    });
    Ok((files, note))
}

fn write_plain_tree(
    root: &std::path::Path,
    files: &BTreeMap<String, Vec<u8>>,
) -> std::io::Result<()> {
    for (rel, bytes) in files {
        let path = root.join(rel);
        if let Some(d) = path.parent() {
            std::fs::create_dir_all(d)?;
        }
        std::fs::write(path, bytes)?;
    }
    Ok(())
}

fn lock_for(
    entry: &Entry,
    files: &BTreeMap<String, Vec<u8>>,
    archive_digest: Option<String>,
) -> Lock {
    let digests: BTreeMap<String, String> = files
        .iter()
        .map(|(k, v)| (k.clone(), crate::digest::of_bytes(v)))
        .collect();
    let digest = archive_digest.unwrap_or_else(|| crate::digest::of_tree(&digests));
    let images = images_in(files);
    Lock {
        version: Some(entry.version.clone()),
        digest: Some(digest),
        images,
        files: digests,
    }
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
                let r = prepare(fetcher, config, e);
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
    let entries: Vec<&Entry> = selected(config, only)?
        .into_iter()
        .filter(|e| {
            e.lock.as_ref().is_some_and(|l| {
                l.version.as_deref() == Some(e.version.as_str()) && l.digest.is_some()
            })
        })
        .collect();
    let results = prepare_all(fetcher, config, &entries, jobs, &Progress::quiet());
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
        if lock.digest != p.lock.digest {
            let changed: Vec<&str> = p
                .lock
                .files
                .iter()
                .filter(|(k, v)| lock.files.get(*k) != Some(*v))
                .map(|(k, _)| k.as_str())
                .collect();
            let detail = if changed.is_empty() {
                String::new()
            } else {
                format!(" (changed: {})", changed.join(", "))
            };
            findings.push(
                Finding::new(
                    Code::UpstreamRetagged,
                    format!(
                        "upstream serves different content for {} {}: locked {}, now {}{detail}",
                        entry.name,
                        entry.version,
                        lock.digest.as_deref().unwrap_or("-"),
                        p.lock.digest.as_deref().unwrap_or("-"),
                    ),
                )
                .entry(&entry.name)
                .file(crate::config::FILE_NAME)
                .at(Some(config.pos_of(entry.span.start)))
                .help("the release was re-tagged or tampered with: review the upstream change before running `vendor sync`"),
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
