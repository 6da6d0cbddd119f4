//! `vendor outdated` as a library: per entry the pinned version, the newest version within its
//! `track` range and the newest release overall, discovered from the entry's version source.

use rayon::prelude::*;

use crate::config::{Config, Entry, Fetch, GitDir, Source, VersionSource};
use crate::diag::{Code, Finding};
use crate::report::model::OutdatedRow;
use crate::sources::tags::TagScheme;
use crate::sources::{self, Fetcher, Found, SourceError, auth::RepoAuth};
use semver_ranges::{Constraint, Version};

/// Where an entry's versions are discovered, and how its tags spell them.
pub struct Discovery {
    pub source: Box<dyn sources::VersionSource>,
    /// The entry's `tag` (or, for git sources, its `ref` template).
    pub scheme: Option<TagScheme>,
}

/// Where an entry's versions are discovered, if anywhere: its `versions`, a chart's repository,
/// or a git source's own tags (through its `ref` template).
pub fn discovery_for(entry: &Entry) -> Option<Discovery> {
    let ref_scheme = |g: &GitDir| {
        g.reference
            .contains("{version}")
            .then(|| TagScheme::parse(&g.reference).ok())
            .flatten()
    };
    let (source, scheme): (Box<dyn sources::VersionSource>, _) = match &entry.source {
        Source::Chart { git: Some(g), .. } => (
            Box::new(sources::git::Tags { url: g.url.clone() }),
            ref_scheme(g),
        ),
        Source::Chart { repo, chart, .. } if repo.starts_with("oci://") => (
            Box::new(sources::oci::ChartTags {
                repo: repo.clone(),
                chart: chart.clone(),
            }),
            None,
        ),
        Source::Chart {
            repo, chart, auth, ..
        } => (
            Box::new(sources::helm_repo::ChartVersions {
                repo: repo.clone(),
                chart: chart.clone(),
                auth: auth.clone(),
            }),
            None,
        ),
        Source::Manifest {
            versions,
            fetch,
            tag,
            ..
        } => {
            let from_git = match fetch {
                Fetch::Git(g) => Some(g),
                _ => None,
            };
            let scheme = tag.clone().or_else(|| from_git.and_then(ref_scheme));
            let source: Box<dyn sources::VersionSource> = match (versions, from_git) {
                (Some(VersionSource::GithubReleases(repo)), _) => {
                    Box::new(sources::github::Releases { repo: repo.clone() })
                }
                (Some(VersionSource::GitTags(url)), _) => {
                    Box::new(sources::git::Tags { url: url.clone() })
                }
                (Some(VersionSource::HelmIndex { url, chart }), _) => {
                    Box::new(sources::helm_repo::ChartVersions {
                        repo: url.clone(),
                        chart: chart.clone().unwrap_or_else(|| entry.name.clone()),
                        auth: RepoAuth::default(),
                    })
                }
                (None, Some(g)) => Box::new(sources::git::Tags { url: g.url.clone() }),
                (None, None) => return None,
            };
            (source, scheme)
        }
    };
    Some(Discovery { source, scheme })
}

/// Picks the newest in-track and newest overall versions from a discovery result.
pub fn pick(
    current: &str,
    track: Option<&Constraint>,
    found: &[Found],
) -> (Option<String>, Option<String>) {
    let cur_pre = Version::parse(current).is_ok_and(|v| v.is_prerelease());
    let mut sorted: Vec<&Found> = found.iter().collect();
    sorted.sort_by(|a, b| b.version.cmp(&a.version));
    let latest = sorted
        .iter()
        .find(|f| cur_pre || !f.version.is_prerelease())
        .map(|f| f.tag.clone());
    let in_track = track.and_then(|c| {
        sorted
            .iter()
            .find(|f| c.matches(&f.version))
            .map(|f| f.tag.clone())
    });
    (in_track, latest)
}

/// The report for the selected entries (all when `only` is empty), discovered in parallel.
pub fn outdated(
    config: &Config,
    fetcher: &Fetcher,
    only: &[String],
    jobs: usize,
) -> Vec<OutdatedRow> {
    let entries: Vec<&Entry> = config
        .entries
        .iter()
        .filter(|e| only.is_empty() || only.contains(&e.name))
        .collect();
    let work = || {
        entries
            .par_iter()
            .map(|e| row(fetcher, e))
            .collect::<Vec<_>>()
    };
    match rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()
    {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
}

fn row(fetcher: &Fetcher, entry: &Entry) -> OutdatedRow {
    let mut row = OutdatedRow {
        name: entry.name.clone(),
        kind: entry.source.kind(),
        current: entry.version.clone(),
        track: entry.track.clone(),
        in_track: None,
        latest: None,
        source: None,
        error: None,
        note: None,
    };
    let Some(d) = discovery_for(entry) else {
        row.error = Some("no version source: add `versions = { github-releases = ... }` (or git-tags, helm-index)".into());
        return row;
    };
    row.source = Some(match &d.scheme {
        Some(s) => format!("{} (tags {})", d.source.describe(), s.as_str()),
        None => d.source.describe(),
    });
    let track = match entry.track.as_deref().map(Constraint::parse) {
        Some(Ok(c)) => Some(c),
        Some(Err(e)) => {
            row.error = Some(e.to_string());
            return row;
        }
        None => None,
    };
    match fetcher.discover(d.source.as_ref(), d.scheme.as_ref()) {
        Ok(found) => {
            let (in_track, latest) = pick(&entry.version, track.as_ref(), &found);
            // Never offer a downgrade: a version older than the pinned one is no candidate.
            let current = Version::parse(&entry.version).ok();
            let not_older = |tag: &Option<String>| match (tag, &current) {
                (Some(t), Some(cur)) => {
                    Version::parse(t).is_ok_and(|v| v.cmp_precedence(cur).is_ge())
                }
                (t, None) => t.is_some(),
                (None, _) => false,
            };
            if let (Some(c), Some(cur)) = (&track, &current)
                && !c.matches(cur)
            {
                row.note = Some(format!(
                    "{} is outside its track `{}`: edit `track` to a range that holds it (`vendor update --major` moves both)",
                    entry.version,
                    entry.track.as_deref().unwrap_or_default()
                ));
            }
            row.in_track = if not_older(&in_track) { in_track } else { None };
            row.latest = if not_older(&latest) { latest } else { None };
        }
        Err(e) => row.error = Some(error_text(&e)),
    }
    row
}

fn error_text(e: &SourceError) -> String {
    e.to_string()
}

/// `outdated` findings for `check --online`: one per entry with a newer version in its track.
pub fn findings(config: &Config, rows: &[OutdatedRow]) -> Vec<Finding> {
    rows.iter()
        .filter(|r| r.update_available())
        .map(|r| {
            let pos = config.entry(&r.name).map(|e| config.pos_of(e.span.start));
            Finding::new(
                Code::Outdated,
                format!(
                    "{} {} can move to {} within `{}`",
                    r.name,
                    r.current,
                    r.in_track.as_deref().unwrap_or("-"),
                    r.track.as_deref().unwrap_or("*")
                ),
            )
            .entry(&r.name)
            .file(crate::config::FILE_NAME)
            .at(pos)
            .help(format!("run `vendor update {}`", r.name))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(tags: &[&str]) -> Vec<Found> {
        tags.iter()
            .map(|t| Found {
                tag: t.to_string(),
                version: Version::parse(t).unwrap(),
            })
            .collect()
    }

    #[test]
    fn picks_in_track_and_latest() {
        let f = found(&["v2.14.20", "v2.14.21", "v3.0.23", "v3.1.0-rc.1", "v2.13.9"]);
        let c = Constraint::parse("~2.14").unwrap();
        let (t, l) = pick("v2.14.20", Some(&c), &f);
        assert_eq!(t.as_deref(), Some("v2.14.21"));
        assert_eq!(l.as_deref(), Some("v3.0.23"));
        let (_, l) = pick("v3.1.0-rc.0", None, &f);
        assert_eq!(l.as_deref(), Some("v3.1.0-rc.1"));
    }
}
