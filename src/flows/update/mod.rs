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

mod notes;
pub mod patches;
pub mod track;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::lock::{EntryUpdate, LockWriteError};
use crate::config::{Config, Entry, Fetch, Source, VersionSource};
use crate::diag::{Finding, Level};
use crate::flows::{outdated, sync};
use crate::sources::{Fetcher, SourceError};
use crate::workspace::{Transaction, WorkspaceError};
use semver_ranges::{Constraint, Version};

use crate::report::model::{DiffSection, EntryReport, FileChanges, ReleaseNotes, UpdateReport};

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
    /// Where fetching and checking show their progress (nothing by default).
    pub progress: crate::report::progress::Progress,
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
    #[error("`{name}`: --major cannot move its track `{track}` to {version}: {reason}")]
    #[diagnostic(help(
        "edit `track` in vendor.toml to a range that holds {version} (e.g. `~MAJOR.MINOR`), then run again"
    ))]
    TrackCannotMove {
        name: String,
        track: String,
        version: String,
        reason: String,
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
    /// Entries whose `track` moves, with the new track.
    tracks: Vec<(String, String)>,
}

impl Prepared {
    /// Replaces every staged `upstream/NAME` and vendor.toml in one journaled transaction
    /// (`crate::workspace::txn`), with the versions and lock data applied to vendor.toml as it is
    /// on disk now. Call with the repository lock held. Returns whether anything was written.
    pub fn commit(self, config: &Config) -> Result<bool, UpdateError> {
        let Prepared {
            mut tx,
            updates,
            tracks,
            ..
        } = self;
        if updates.is_empty() {
            drop(tx);
            return Ok(false);
        }
        let (text, changed) = crate::config::lock::apply_current(config, &updates)?;
        let with_tracks = set_tracks(config, &text, &tracks)?;
        // Unchanged by `apply_current` means `text` is the file as it is now.
        let changed = changed || with_tracks != text;
        let text = with_tracks;
        if changed {
            tx.stage_file(&config.path, text.as_bytes())?;
        }
        let wrote = !tx.is_empty();
        tx.commit()?;
        Ok(wrote)
    }
}

/// The version an entry moves to (and the track it moves to, when it leaves its track), or why
/// it stays.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Move {
        version: String,
        track: Option<String>,
    },
    Stay(String),
}

/// A target with the release notes found while choosing it.
struct Planned {
    target: Target,
    /// GitHub releases, when the entry's versions come from them (bodies included).
    releases: Option<Vec<crate::sources::github::Release>>,
}

/// A tag list already fetched, as a version source (for `Fetcher::discover`'s parsing and tag
/// scheme), described as the source it came from.
#[derive(Debug)]
struct Listed {
    what: String,
    tags: Vec<String>,
}

impl crate::sources::VersionSource for Listed {
    fn describe(&self) -> String {
        self.what.clone()
    }

    fn tags(&self, _: &Fetcher) -> Result<Vec<String>, SourceError> {
        Ok(self.tags.clone())
    }
}

/// Releases named by the versions their tags spell under the entry's tag scheme (releases
/// whose tag does not follow it left out), each keeping its page, so that their notes are
/// matched by version.
fn versioned_releases(
    repo: &str,
    releases: Vec<crate::sources::github::Release>,
    scheme: Option<&crate::sources::tags::TagScheme>,
) -> Vec<crate::sources::github::Release> {
    let Some(scheme) = scheme else {
        return releases;
    };
    releases
        .into_iter()
        .filter_map(|r| {
            let version = scheme.extract(&r.tag)?;
            let page = format!("https://github.com/{repo}/releases/tag/{}", r.tag);
            Some(crate::sources::github::Release {
                url: r.url.or(Some(page)),
                tag: version,
                body: r.body,
            })
        })
        .collect()
}

/// The GitHub repository whose releases list the entry's versions.
fn github_repo(entry: &Entry) -> Option<&str> {
    match &entry.source {
        Source::Manifest {
            versions: Some(VersionSource::GithubReleases(repo)),
            ..
        } => Some(repo),
        _ => None,
    }
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

/// With `--major` (or `--to` outside the track), the track moves with the version: the new
/// track, or why it cannot move.
fn moved_track(entry: &Entry, track: &Constraint, version: &str) -> Result<Option<String>, String> {
    let (Some(text), Ok(v)) = (&entry.track, Version::parse(version)) else {
        // No track: the caret range of the pinned version, which moves by itself.
        return Ok(None);
    };
    if track.matches(&v) {
        return Ok(None);
    }
    track::moved(text, &v).map(Some)
}

fn target_for(fetcher: &Fetcher, entry: &Entry, opts: &Options) -> Result<Planned, UpdateError> {
    let (track, track_text) = track_of(entry)?;
    if let Some(to) = &opts.to {
        if to == &entry.version {
            return Ok(Planned {
                target: Target::Stay(format!("already at {to}")),
                releases: None,
            });
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
        let new_track =
            moved_track(entry, &track, to).map_err(|reason| UpdateError::TrackCannotMove {
                name: entry.name.clone(),
                track: track_text.clone(),
                version: to.clone(),
                reason,
            })?;
        // Release notes are a bonus: a failure to list them does not stop the update.
        let releases = github_repo(entry).and_then(|r| fetcher.github_releases(r).ok());
        return Ok(Planned {
            target: Target::Move {
                version: to.clone(),
                track: new_track,
            },
            releases,
        });
    }
    let Some(d) = outdated::discovery_for(entry) else {
        return Ok(Planned {
            target: Target::Stay(
                "no version source to discover newer versions: add `versions = { github-releases = \"OWNER/REPO\" }` \
                 (or git-tags, helm-index), or use --to VERSION"
                    .into(),
            ),
            releases: None,
        });
    };
    let current = Version::parse(&entry.version).map_err(|_| UpdateError::BadVersion {
        name: entry.name.clone(),
        version: entry.version.clone(),
    })?;
    let discover_err = |source| UpdateError::Discover {
        entry: entry.name.clone(),
        source,
    };
    let scheme = d.scheme.as_ref();
    // GitHub releases are listed once, with their notes.
    let (found, releases) = match github_repo(entry) {
        Some(repo) => {
            let releases = fetcher.github_releases(repo).map_err(discover_err)?;
            let listed = Listed {
                what: d.source.describe(),
                tags: releases.iter().map(|r| r.tag.clone()).collect(),
            };
            (
                fetcher.discover(&listed, scheme).map_err(discover_err)?,
                Some(versioned_releases(repo, releases, scheme)),
            )
        }
        None => (
            fetcher
                .discover(d.source.as_ref(), scheme)
                .map_err(discover_err)?,
            None,
        ),
    };
    let (in_track, latest) = outdated::pick(&entry.version, Some(&track), &found);
    let candidate = if opts.major { latest } else { in_track.clone() };
    let newer = candidate
        .as_deref()
        .and_then(|c| Version::parse(c).ok().map(|v| (c, v)))
        .filter(|(_, v)| v.cmp_precedence(&current).is_gt());
    let target = match newer {
        Some((tag, _)) => match moved_track(entry, &track, tag) {
            Ok(new_track) => Target::Move {
                version: tag.to_string(),
                track: new_track,
            },
            Err(reason) => Target::Stay(format!(
                "{tag} is outside `{track_text}`, which --major cannot move: {reason}; edit `track` to a range that holds {tag}"
            )),
        },
        None if opts.major => Target::Stay(format!("{} is the newest release", entry.version)),
        None if !track.matches(&current) => Target::Stay(format!(
            "{} is outside its track `{track_text}`{}: edit `track` to a range that holds it (`vendor update --major` moves both)",
            entry.version,
            match &in_track {
                Some(t) => format!(" (the newest within it is {t}, older)"),
                None => String::new(),
            }
        )),
        None => Target::Stay(format!(
            "{} is the newest version within `{track_text}`",
            entry.version
        )),
    };
    Ok(Planned { target, releases })
}

/// What upstream says about the versions between `from` and `to`: GitHub release texts, or
/// the chart's own notes. `None` when there are none (or they could not be read).
fn release_notes_of(
    fetcher: &Fetcher,
    entry: &Entry,
    planned: &Planned,
    to: &str,
    prepared: &sync::Prepared,
) -> Option<ReleaseNotes> {
    if let (Some(repo), Some(releases)) = (github_repo(entry), &planned.releases) {
        return notes::from_github(repo, releases, &entry.version, to);
    }
    // A chart from a repository (a chart from git carries no archive to read notes from).
    if let Source::Chart {
        repo,
        chart,
        auth,
        git: None,
        ..
    } = &entry.source
    {
        let req = crate::sources::ChartRequest {
            repo: repo.clone(),
            chart: chart.clone(),
            version: to.to_string(),
            known_digest: prepared.lock.digest.clone(),
            auth: auth.clone(),
        };
        let yaml = notes::chart_yaml(fetcher, &req)?;
        return notes::from_chart_yaml(chart, to, &yaml);
    }
    None
}

/// Upstream release notes of `version`, when the entry comes from GitHub: the release of the
/// version's tag (through the entry's tag scheme or git `ref`).
pub fn release_notes(entry: &Entry, version: &str) -> Option<String> {
    let tag_of = |scheme: Option<&crate::sources::tags::TagScheme>| match scheme {
        Some(s) => s.tag_for(version),
        None => Some(version.to_string()),
    };
    let (repo, tag) = match &entry.source {
        Source::Manifest {
            versions: Some(VersionSource::GithubReleases(repo)),
            tag,
            ..
        } => (Some(repo.clone()), tag_of(tag.as_ref())),
        Source::Manifest {
            fetch: Fetch::Git(g),
            ..
        }
        | Source::Chart { git: Some(g), .. } => {
            (github_repo_of(&g.url), Some(g.reference_for(version)))
        }
        Source::Manifest {
            fetch: Fetch::Urls(urls),
            tag,
            ..
        } => (
            urls.iter().find_map(|u| github_repo_of(u)),
            tag_of(tag.as_ref()),
        ),
        Source::Manifest {
            fetch: Fetch::Archive { url, .. },
            tag,
            ..
        } => (github_repo_of(url), tag_of(tag.as_ref())),
        Source::Chart { .. } => (None, None),
    };
    Some(format!(
        "https://github.com/{}/releases/tag/{}",
        repo?, tag?
    ))
}

/// `OWNER/REPO` of a github.com or raw.githubusercontent.com URL.
fn github_repo_of(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://github.com/")
        .or_else(|| url.strip_prefix("https://raw.githubusercontent.com/"))
        .or_else(|| url.strip_prefix("git@github.com:"))
        .or_else(|| url.strip_prefix("ssh://git@github.com/"))?;
    let mut parts = rest.split('/');
    let (owner, repo) = (parts.next()?, parts.next()?);
    let repo = repo.strip_suffix(".git").unwrap_or(repo);
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
    let progress = &opts.progress;
    progress.phase("looking up versions and fetching");
    type Fetched = (Target, Option<sync::Prepared>, Option<ReleaseNotes>);
    let fetched: Vec<Result<Fetched, UpdateError>> = in_pool(opts.jobs, || {
        entries
            .par_iter()
            .map(|e| {
                let planned = target_for(fetcher, e, opts)?;
                let Target::Move { version, .. } = &planned.target else {
                    return Ok((planned.target, None, None));
                };
                let moved = Entry {
                    version: version.clone(),
                    lock: None,
                    ..(*e).clone()
                };
                let p = progress.entry(&e.name, version, || sync::prepare(fetcher, config, &moved));
                match &p {
                    Ok(p) => progress.fetched(&e.name, version, p.downloaded),
                    Err(_) => progress.failed(&e.name, version),
                }
                let p = p.map_err(|source| UpdateError::Fetch {
                    entry: e.name.clone(),
                    version: version.clone(),
                    source,
                })?;
                let notes = release_notes_of(fetcher, e, &planned, version, &p);
                Ok((planned.target, Some(p), notes))
            })
            .collect()
    });
    let fetched = collect_failures(fetched)?;
    progress.phase("checking the patches against the new upstream");

    // 2. The new vendor.toml text and the staged trees.
    let updates: Vec<EntryUpdate> = fetched
        .iter()
        .filter_map(|(_, p, _)| p.as_ref())
        .map(|p| EntryUpdate {
            name: p.name.clone(),
            version: Some(p.version.clone()),
            lock: Some(p.lock.clone()),
        })
        .collect();
    let tracks: Vec<(String, String)> = entries
        .iter()
        .zip(&fetched)
        .filter_map(|(e, (t, _, _))| match t {
            Target::Move {
                track: Some(track), ..
            } => Some((e.name.clone(), track.clone())),
            _ => None,
        })
        .collect();
    let new_config = if updates.is_empty() {
        None
    } else {
        let text = crate::config::lock::apply(config, &updates)?;
        Some(set_tracks(config, &text, &tracks)?)
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
    for (entry, (target, prepared, notes)) in entries.iter().zip(fetched) {
        let mut r = EntryReport {
            name: entry.name.clone(),
            kind: entry.source.kind(),
            from: entry.version.clone(),
            to: entry.version.clone(),
            updated: false,
            track: entry.track.clone(),
            previous_track: None,
            reason: None,
            release_notes: None,
            notes: None,
            files: FileChanges::default(),
            overlay: None,
            patches: Vec::new(),
            new_findings: Vec::new(),
            diff: None,
            note: None,
        };
        let (Target::Move { version, track }, Some(p)) = (target.clone(), prepared) else {
            if let Target::Stay(reason) = target {
                r.reason = Some(reason);
            }
            reports.push(r);
            continue;
        };
        r.to = version.clone();
        r.updated = true;
        if let Some(t) = track {
            r.previous_track = r.track.replace(t);
        }
        r.release_notes = release_notes(entry, &version);
        r.notes = notes;
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
        tracks,
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

/// vendor.toml `text` with the `track` of each named entry replaced (its comment and layout
/// kept).
fn set_tracks(
    config: &Config,
    text: &str,
    tracks: &[(String, String)],
) -> Result<String, UpdateError> {
    if tracks.is_empty() {
        return Ok(text.to_string());
    }
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| UpdateError::Lock(LockWriteError::Parse(e)))?;
    for (name, track) in tracks {
        let Some(kind) = config.entry(name).map(|e| e.source.kind()) else {
            continue;
        };
        let item = doc
            .get_mut(kind)
            .and_then(|k| k.get_mut(name))
            .and_then(|e| e.get_mut("track"))
            .and_then(toml_edit::Item::as_value_mut);
        if let Some(v) = item {
            let decor = v.decor().clone();
            *v = track.as_str().into();
            *v.decor_mut() = decor;
        }
    }
    Ok(doc.to_string())
}

/// A scratch repository holding the new state: vendor.toml, the `patches` directory and every
/// updated `upstream/NAME` tree (other entries' trees are not needed by their own overlays).
fn scratch_copy(
    config: &Config,
    new_config: &str,
    fetched: &[(Target, Option<sync::Prepared>, Option<ReleaseNotes>)],
) -> Result<tempfile::TempDir, UpdateError> {
    let trees = fetched
        .iter()
        .filter_map(|(_, p, _)| p.as_ref())
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
        summarize_labels: config.diff.summarize(),
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
        markdown: crate::report::markdown::diff::pieces(&d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With a tag scheme, release notes are matched by the version a tag spells and link to
    /// the release's own page; releases of other schemes (the chart's) are left out.
    #[test]
    fn release_notes_follow_the_tag_scheme() {
        use crate::sources::github::Release;
        let scheme = crate::sources::tags::TagScheme::parse("controller-{version}").unwrap();
        let release = |tag: &str| Release {
            tag: tag.into(),
            body: format!("notes of {tag}"),
            url: None,
        };
        let listed = vec![
            release("controller-v1.15.1"),
            release("helm-chart-4.15.1"),
            release("controller-v1.15.0"),
            release("controller-v1.14.5"),
        ];
        let repo = "kubernetes/ingress-nginx";
        let versioned = versioned_releases(repo, listed.clone(), Some(&scheme));
        let tags: Vec<&str> = versioned.iter().map(|r| r.tag.as_str()).collect();
        assert_eq!(tags, ["v1.15.1", "v1.15.0", "v1.14.5"]);
        let notes = notes::from_github(repo, &versioned, "v1.14.5", "v1.15.1").unwrap();
        let got: Vec<(&str, Option<&str>, &str)> = notes
            .versions
            .iter()
            .map(|v| (v.version.as_str(), v.url.as_deref(), v.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "v1.15.1",
                    Some(
                        "https://github.com/kubernetes/ingress-nginx/releases/tag/controller-v1.15.1"
                    ),
                    "notes of controller-v1.15.1"
                ),
                (
                    "v1.15.0",
                    Some(
                        "https://github.com/kubernetes/ingress-nginx/releases/tag/controller-v1.15.0"
                    ),
                    "notes of controller-v1.15.0"
                ),
            ]
        );
        // Without a scheme the releases are as listed.
        assert_eq!(versioned_releases(repo, listed.clone(), None), listed);
    }

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
