//! `vendor update` as a library: per entry, pick the target version (newest within `track`, or
//! `--to`; `--major` allows leaving the track), fetch it, rebuild every patch overlay against the
//! new upstream, compute the structured diff old -> new, and stage the new `upstream/NAME` trees
//! and the edited vendor.toml so that they change together ([`Prepared::commit`]) or not at all.
//!
//! Fetching is `crate::sources` (discovery, `sync::prepare`), the overlay build and its findings
//! are `crate::flows::check`, the diff and highlights are `kdiff`; this module puts them together
//! and builds the report model (`crate::report::model::UpdateReport`).
//!
//! The new state is checked in a scratch copy (the new vendor.toml, the new upstream trees and
//! the `patches` directory) before anything in the repository is touched, so `--dry-run` and
//! failures leave every file as it was.

// The errors carry what the user needs (the failing URL and the source error); they are built
// once per run, so their size does not matter.
#![allow(clippy::result_large_err)]

pub mod patches;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::lock::{EntryUpdate, LockWriteError};
use crate::config::{Config, Entry, Source, VersionSource};
use crate::diag::{Finding, Level};
use crate::flows::{outdated, sync};
use crate::sources::{Fetcher, SourceError};
use crate::workspace::{Transaction, WorkspaceError};
use semver_ranges::{Constraint, Version};

use crate::report::model::{DiffSection, EntryReport, FileChanges, UpdateReport};

/// What to update and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Entries to update (empty: all).
    pub only: Vec<String>,
    /// An explicit target version (one entry only).
    pub to: Option<String>,
    /// Allow leaving the entry's `track` range.
    pub major: bool,
    /// Parallel network jobs.
    pub jobs: usize,
}

/// Why an update could not be prepared or committed. Nothing in the repository was changed,
/// except for [`UpdateError::Commit`], where the rename step itself failed (see its message).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum UpdateError {
    #[error("`{name}` is not an entry of vendor.toml")]
    #[diagnostic(help("entries: {known}"))]
    UnknownEntry { name: String, known: String },
    #[error("--to needs exactly one entry, {count} selected")]
    #[diagnostic(help("name the entry: `vendor update NAME --to VERSION`"))]
    ToNeedsOneEntry { count: usize },
    #[error("`{name}`: {version} is outside its track `{track}`")]
    #[diagnostic(help("add --major to leave the track, or widen `track` in vendor.toml"))]
    OutsideTrack {
        name: String,
        version: String,
        track: String,
    },
    #[error("`{name}`: track `{track}` is not a valid range: {reason}")]
    #[diagnostic(help("use Helm/Masterminds syntax, e.g. `~2.14` or `>=1.2, <2`"))]
    BadTrack {
        name: String,
        track: String,
        reason: String,
    },
    #[error("`{name}`: pinned version `{version}` is not a semantic version")]
    #[diagnostic(help("pin a version such as v1.2.3, or use --to VERSION"))]
    BadVersion { name: String, version: String },
    #[error("cannot list the versions of `{entry}`")]
    Discover {
        entry: String,
        #[source]
        #[diagnostic_source]
        source: SourceError,
    },
    #[error("cannot fetch `{entry}` {version}")]
    Fetch {
        entry: String,
        version: String,
        #[source]
        #[diagnostic_source]
        source: SourceError,
    },
    #[error("{} entries failed; nothing was written", failures.len())]
    #[diagnostic(help("each failure is listed below"))]
    Several {
        #[related]
        failures: Vec<UpdateError>,
    },
    #[error("cannot check the new upstream")]
    Check(
        #[from]
        #[diagnostic_source]
        crate::flows::check::CheckError,
    ),
    #[error("cannot check the new upstream: the staged vendor.toml does not load")]
    Config(
        #[from]
        #[diagnostic_source]
        crate::config::ConfigError,
    ),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Lock(#[from] LockWriteError),
    #[error("cannot read or stage {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> UpdateError + '_ {
    move |source| UpdateError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A prepared update: the report, and the writes that [`Prepared::commit`] performs.
pub struct Prepared {
    pub report: UpdateReport,
    tx: Transaction,
    /// The new versions and lock data, when vendor.toml changes.
    updates: Vec<EntryUpdate>,
}

impl Prepared {
    /// Replaces every staged `upstream/NAME` and vendor.toml in one journaled transaction
    /// (`crate::workspace::txn`), with the versions and lock data applied to vendor.toml as it is
    /// on disk now. Call with the repository lock held. Returns whether anything was written.
    pub fn commit(self, config: &Config) -> Result<bool, UpdateError> {
        let Prepared {
            mut tx, updates, ..
        } = self;
        if updates.is_empty() {
            drop(tx);
            return Ok(false);
        }
        let (text, changed) = crate::config::lock::apply_current(config, &updates)?;
        if changed {
            tx.stage_file(&config.path, text.as_bytes())?;
        }
        let wrote = !tx.is_empty();
        tx.commit()?;
        Ok(wrote)
    }
}

/// The version an entry moves to, or why it stays.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Move(String),
    Stay(String),
}

fn selected<'c>(config: &'c Config, only: &[String]) -> Result<Vec<&'c Entry>, UpdateError> {
    for n in only {
        if config.entry(n).is_none() {
            let known: Vec<&str> = config.entries.iter().map(|e| e.name.as_str()).collect();
            return Err(UpdateError::UnknownEntry {
                name: n.clone(),
                known: known.join(", "),
            });
        }
    }
    Ok(config
        .entries
        .iter()
        .filter(|e| only.is_empty() || only.contains(&e.name))
        .collect())
}

/// The range an entry may move within: its `track`, or the pinned version's caret range.
fn track_of(entry: &Entry) -> Result<(Constraint, String), UpdateError> {
    let text = match &entry.track {
        Some(t) => t.clone(),
        None => {
            let v = Version::parse(&entry.version).map_err(|_| UpdateError::BadVersion {
                name: entry.name.clone(),
                version: entry.version.clone(),
            })?;
            format!("^{}", v.to_string().trim_start_matches('v'))
        }
    };
    let c = Constraint::parse(&text).map_err(|e| UpdateError::BadTrack {
        name: entry.name.clone(),
        track: text.clone(),
        reason: e.to_string(),
    })?;
    Ok((c, text))
}

fn target_for(fetcher: &Fetcher, entry: &Entry, opts: &Options) -> Result<Target, UpdateError> {
    let (track, track_text) = track_of(entry)?;
    if let Some(to) = &opts.to {
        if to == &entry.version {
            return Ok(Target::Stay(format!("already at {to}")));
        }
        if !opts.major
            && let Ok(v) = Version::parse(to)
            && !track.matches(&v)
        {
            return Err(UpdateError::OutsideTrack {
                name: entry.name.clone(),
                version: to.clone(),
                track: track_text,
            });
        }
        return Ok(Target::Move(to.clone()));
    }
    let Some(d) = outdated::discovery_for(entry) else {
        return Ok(Target::Stay(
            "no version source to discover newer versions: add `versions = { github-releases = \"OWNER/REPO\" }` \
             (or git-tags, helm-index), or use --to VERSION"
                .into(),
        ));
    };
    let current = Version::parse(&entry.version).map_err(|_| UpdateError::BadVersion {
        name: entry.name.clone(),
        version: entry.version.clone(),
    })?;
    let found = fetcher
        .discover(d.as_ref())
        .map_err(|source| UpdateError::Discover {
            entry: entry.name.clone(),
            source,
        })?;
    let (in_track, latest) = outdated::pick(&entry.version, Some(&track), &found);
    let candidate = if opts.major { latest } else { in_track };
    let newer = candidate
        .as_deref()
        .and_then(|c| Version::parse(c).ok().map(|v| (c, v)))
        .filter(|(_, v)| v.cmp_precedence(&current).is_gt());
    Ok(match newer {
        Some((tag, _)) => Target::Move(tag.to_string()),
        None if opts.major => Target::Stay(format!("{} is the newest release", entry.version)),
        None => Target::Stay(format!(
            "{} is the newest version within `{track_text}`",
            entry.version
        )),
    })
}

/// Upstream release notes of `version`, when the entry comes from GitHub.
pub fn release_notes(entry: &Entry, version: &str) -> Option<String> {
    let repo = match &entry.source {
        Source::Manifest {
            versions: Some(VersionSource::GithubReleases(repo)),
            ..
        } => Some(repo.clone()),
        Source::Manifest { urls, .. } => urls.iter().find_map(|u| github_repo_of(u)),
        Source::Chart { .. } => None,
    }?;
    Some(format!("https://github.com/{repo}/releases/tag/{version}"))
}

/// `OWNER/REPO` of a github.com or raw.githubusercontent.com URL.
fn github_repo_of(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://github.com/")
        .or_else(|| url.strip_prefix("https://raw.githubusercontent.com/"))?;
    let mut parts = rest.split('/');
    let (owner, repo) = (parts.next()?, parts.next()?);
    (!owner.is_empty() && !repo.is_empty()).then(|| format!("{owner}/{repo}"))
}

fn in_pool<T: Send>(jobs: usize, f: impl FnOnce() -> T + Send) -> T {
    match rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()
    {
        Ok(pool) => pool.install(f),
        Err(_) => f(),
    }
}

fn collect_failures<T>(results: Vec<Result<T, UpdateError>>) -> Result<Vec<T>, UpdateError> {
    let mut ok = Vec::new();
    let mut failures = Vec::new();
    for r in results {
        match r {
            Ok(v) => ok.push(v),
            Err(e) => failures.push(e),
        }
    }
    match failures.len() {
        0 => Ok(ok),
        1 => Err(failures.remove(0)),
        _ => Err(UpdateError::Several { failures }),
    }
}

/// Plans, fetches and checks the update; writes nothing. See the module documentation.
pub fn prepare(
    config: &Config,
    fetcher: &Fetcher,
    opts: &Options,
    dry_run: bool,
) -> Result<Prepared, UpdateError> {
    let entries = selected(config, &opts.only)?;
    if opts.to.is_some() && entries.len() != 1 {
        return Err(UpdateError::ToNeedsOneEntry {
            count: entries.len(),
        });
    }

    // 1. Targets and new trees, fetched in parallel.
    let fetched: Vec<Result<(Target, Option<sync::Prepared>), UpdateError>> =
        in_pool(opts.jobs, || {
            entries
                .par_iter()
                .map(|e| {
                    let target = target_for(fetcher, e, opts)?;
                    let Target::Move(version) = &target else {
                        return Ok((target, None));
                    };
                    let moved = Entry {
                        version: version.clone(),
                        lock: None,
                        ..(*e).clone()
                    };
                    let p = sync::prepare(fetcher, config, &moved).map_err(|source| {
                        UpdateError::Fetch {
                            entry: e.name.clone(),
                            version: version.clone(),
                            source,
                        }
                    })?;
                    Ok((target, Some(p)))
                })
                .collect()
        });
    let fetched = collect_failures(fetched)?;

    // 2. The new vendor.toml text and the staged trees.
    let updates: Vec<EntryUpdate> = fetched
        .iter()
        .filter_map(|(_, p)| p.as_ref())
        .map(|p| EntryUpdate {
            name: p.name.clone(),
            version: Some(p.version.clone()),
            lock: Some(p.lock.clone()),
        })
        .collect();
    let new_config = if updates.is_empty() {
        None
    } else {
        Some(crate::config::lock::apply(config, &updates)?)
    };

    // 3. Check old and new states; the new one in a scratch copy.
    let updated_names: Vec<String> = updates.iter().map(|u| u.name.clone()).collect();
    let checkable: Vec<String> = entries
        .iter()
        .filter(|e| updated_names.contains(&e.name))
        .map(|e| e.name.clone())
        .collect();
    let (old_findings, new_findings) = if checkable.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        let check_opts = crate::flows::check::Options {
            only: checkable.clone(),
            ..Default::default()
        };
        // The old state may not load (that is what the update fixes); then nothing "appears".
        let old = crate::flows::check::check(config, &check_opts)
            .map(|r| r.findings)
            .unwrap_or_default();
        let scratch = scratch_copy(
            config,
            new_config.as_deref().unwrap_or(&config.source),
            &fetched,
        )?;
        let scratch_config = crate::config::load(&scratch.path().join(crate::config::FILE_NAME))?;
        let new = crate::flows::check::check(&scratch_config, &check_opts)?.findings;
        (old, new)
    };

    // 4. Per-entry reports, with the structured diff.
    let mut tx = Transaction::new(&config.root);
    let mut reports = Vec::new();
    for (entry, (target, prepared)) in entries.iter().zip(fetched) {
        let mut r = EntryReport {
            name: entry.name.clone(),
            kind: entry.source.kind(),
            from: entry.version.clone(),
            to: entry.version.clone(),
            updated: false,
            track: entry.track.clone(),
            reason: None,
            release_notes: None,
            files: FileChanges::default(),
            overlay: None,
            patches: Vec::new(),
            new_findings: Vec::new(),
            diff: None,
            note: None,
        };
        let (Target::Move(version), Some(p)) = (target.clone(), prepared) else {
            if let Target::Stay(reason) = target {
                r.reason = Some(reason);
            }
            reports.push(r);
            continue;
        };
        r.to = version.clone();
        r.updated = true;
        r.release_notes = release_notes(entry, &version);
        r.note = p.note.clone();
        let dir = config.upstream_dir(entry);
        let old_tree = crate::workspace::read_tree(&dir)
            .map_err(io(&dir))?
            .unwrap_or_default();
        r.files = file_changes(&old_tree, &p.files);
        if checkable.contains(&entry.name) {
            let overlay_dir = config.patches_dir(entry);
            let overlay_rel = config.display_path(&overlay_dir);
            let (kustomization, list) = patches::list(&overlay_dir, &overlay_rel);
            let mine: Vec<Finding> = new_findings
                .iter()
                .filter(|f| f.entry.as_deref() == Some(entry.name.as_str()))
                .cloned()
                .collect();
            r.patches = patches::statuses(&list, kustomization.as_deref(), &mine);
            r.overlay = kustomization;
            r.new_findings = appeared(&old_findings, &mine);
            r.diff = Some(diff_section(
                config,
                &entry.name,
                &old_tree,
                &p.files,
                &r.from,
                &r.to,
            ));
        }
        if !dry_run && old_tree != p.files {
            tx.stage(&dir, &p.files)?;
        }
        reports.push(r);
    }
    let writes = new_config.is_some_and(|t| t != config.source) && !dry_run;
    Ok(Prepared {
        report: UpdateReport {
            entries: reports,
            dry_run,
        },
        tx,
        updates: if writes { updates } else { Vec::new() },
    })
}

/// Deny-level findings of `new` (patch codes excluded) that `old` did not have.
fn appeared(old: &[Finding], new: &[Finding]) -> Vec<Finding> {
    let key = |f: &Finding| {
        (
            f.code,
            f.resource.clone(),
            f.container.clone(),
            f.message.clone(),
        )
    };
    let before: BTreeSet<_> = old.iter().map(key).collect();
    new.iter()
        .filter(|f| f.level == Level::Deny && !patches::PATCH_CODES.contains(&f.code))
        .filter(|f| !before.contains(&key(f)))
        .cloned()
        .collect()
}

fn file_changes(old: &BTreeMap<String, Vec<u8>>, new: &BTreeMap<String, Vec<u8>>) -> FileChanges {
    FileChanges {
        added: new
            .keys()
            .filter(|k| !old.contains_key(*k))
            .cloned()
            .collect(),
        removed: old
            .keys()
            .filter(|k| !new.contains_key(*k))
            .cloned()
            .collect(),
        modified: new
            .iter()
            .filter(|(k, v)| old.get(*k).is_some_and(|o| o != *v))
            .map(|(k, _)| k.clone())
            .collect(),
    }
}

/// A scratch repository holding the new state: vendor.toml, the `patches` directory and every
/// updated `upstream/NAME` tree (other entries' trees are not needed by their own overlays).
fn scratch_copy(
    config: &Config,
    new_config: &str,
    fetched: &[(Target, Option<sync::Prepared>)],
) -> Result<tempfile::TempDir, UpdateError> {
    let trees = fetched
        .iter()
        .filter_map(|(_, p)| p.as_ref())
        .map(|p| (p.name.as_str(), &p.files));
    let scratch = crate::workspace::scratch_repository(config, Some(new_config), trees)?;
    // The values files of charts: `check` compares their digests with the lock (render inputs).
    for entry in &config.entries {
        let Source::Chart { values, .. } = &entry.source else {
            continue;
        };
        for v in values {
            let (from, to) = (config.root.join(v), scratch.path().join(v));
            if !from.is_file() {
                continue;
            }
            let io = |source| crate::workspace::WorkspaceError::Io {
                path: to.clone(),
                source,
            };
            if let Some(dir) = to.parent() {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            std::fs::copy(&from, &to).map_err(io)?;
        }
    }
    Ok(scratch)
}

/// Budget of one entry's diff sections in the Markdown report (GitHub's body limit shared).
pub const DIFF_MARKDOWN_BUDGET: usize = 48_000;

fn diff_section(
    config: &Config,
    name: &str,
    old_tree: &BTreeMap<String, Vec<u8>>,
    new_tree: &BTreeMap<String, Vec<u8>>,
    from: &str,
    to: &str,
) -> DiffSection {
    let base = format!("{}/{name}", config.settings.upstream_dir);
    let load = |tree: &BTreeMap<String, Vec<u8>>| -> Vec<kdiff::Object> {
        let mut out = Vec::new();
        for (rel, bytes) in tree
            .iter()
            .filter(|(k, _)| kyaml::manifest::is_manifest_file(k))
        {
            let text = String::from_utf8_lossy(bytes);
            // A new file that does not parse has already stopped the update (the check of the
            // new state fails with its position); an old one is left out of the diff.
            let shown = format!("{base}/{rel}");
            if let Ok(rs) = kyaml::manifest::parse(&text, &shown, crate::flows::diff::SIDE) {
                out.extend(kdiff::Object::from_resources(rs));
            }
        }
        out
    };
    let opts = kdiff::Options {
        kube_version: Some(config.settings.kube_version.clone()),
        noise: config.diff.filter(),
        ..Default::default()
    };
    let (mut old, mut new) = rayon::join(|| load(old_tree), || load(new_tree));
    rayon::join(
        || kdiff::prepare(&mut old, &opts),
        || kdiff::prepare(&mut new, &opts),
    );
    let d = kdiff::diff(&old, &new, &opts);
    let render_opts = crate::report::DiffOptions {
        old_label: format!("{name} {from}"),
        new_label: format!("{name} {to}"),
        color: false,
    };
    DiffSection {
        summary: d.summary,
        highlights: d.highlights.clone(),
        json: crate::report::json::diff::to_json(&d, &render_opts),
        markdown: crate::report::markdown::update::diff_body(
            &crate::report::markdown::diff::render_with_limit(
                &d,
                &render_opts,
                DIFF_MARKDOWN_BUDGET,
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(toml: &str) -> Entry {
        let c = crate::config::parse(Path::new("vendor.toml"), toml.into()).unwrap();
        c.entries[0].clone()
    }

    #[test]
    fn release_notes_from_github_sources() {
        let e = entry(
            "[manifest.argocd]\nurl = \"https://example.com/{version}/install.yaml\"\nversion = \"v2.14.20\"\nversions = { github-releases = \"argoproj/argo-cd\" }\n",
        );
        assert_eq!(
            release_notes(&e, "v2.14.21").as_deref(),
            Some("https://github.com/argoproj/argo-cd/releases/tag/v2.14.21")
        );
        let e = entry(
            "[manifest.metallb]\nurl = \"https://raw.githubusercontent.com/metallb/metallb/{version}/config/manifests/metallb-native.yaml\"\nversion = \"v0.14.9\"\n",
        );
        assert_eq!(
            release_notes(&e, "v0.15.3").as_deref(),
            Some("https://github.com/metallb/metallb/releases/tag/v0.15.3")
        );
        let e = entry(
            "[manifest.x]\nurl = \"https://example.com/{version}/x.yaml\"\nversion = \"v1.0.0\"\n",
        );
        assert_eq!(release_notes(&e, "v1.0.1"), None);
    }

    #[test]
    fn default_track_is_the_caret_range_of_the_pinned_version() {
        let e = entry(
            "[manifest.x]\nurl = \"https://example.com/{version}/x.yaml\"\nversion = \"v1.4.2\"\n",
        );
        let (c, text) = track_of(&e).unwrap();
        assert_eq!(text, "^1.4.2");
        assert!(c.matches(&Version::parse("v1.9.0").unwrap()));
        assert!(!c.matches(&Version::parse("v2.0.0").unwrap()));
    }

    #[test]
    fn only_new_deny_findings_appear() {
        use crate::diag::Code;
        let old = vec![Finding::new(Code::ImageLatest, "a uses latest").resource("Deployment/x")];
        let new = vec![
            Finding::new(Code::ImageLatest, "a uses latest").resource("Deployment/x"),
            Finding::new(Code::ImageLatest, "b uses latest").resource("Deployment/y"),
            Finding::new(Code::CrdHasStatus, "warn only"),
            Finding::new(Code::Json6902OpFailed, "patch"),
        ];
        let got = appeared(&old, &new);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].message, "b uses latest");
    }
}
