//! One entry of `vendor sync`: fetch it at its pinned version, prove it is what was asked for,
//! and build its new tree and lock data ([`prepare`]). Manifest URLs, archives and git
//! directories become files where they land; charts (from a repository or a git directory)
//! are rendered with the entry's inputs ([`chart_tree`]).

use std::collections::{BTreeMap, BTreeSet};

use crate::config::{Config, Entry, Fetch, Lock, Source};
use crate::sources::{ChartRequest, Fetcher, SourceError, archive, identity};

use super::Retag;

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
    /// Upstream artifacts whose bytes differ from the lock data recorded for this same version.
    pub retagged: Vec<Retag>,
    /// Chart lock data whose digest was shown to be another chart or version (lock data edited
    /// along with the version): what it really is. The lock is rewritten; not a re-tag.
    pub stale_lock: Option<String>,
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
///
/// Verified means: manifest files parse as Kubernetes YAML with at least one object (unless the
/// entry says `allow-empty`); a chart archive's Chart.yaml names the requested chart and
/// version. Bytes that differ from the lock data recorded for the same version are returned as
/// [`Prepared::retagged`] (the caller decides), except for chart lock data shown to belong to
/// another version ([`Prepared::stale_lock`]).
pub fn prepare(fetcher: &Fetcher, config: &Config, entry: &Entry) -> Result<Prepared, SourceError> {
    let lock_matches = entry
        .lock
        .as_ref()
        .filter(|l| l.version.as_deref() == Some(entry.version.as_str()));
    match &entry.source {
        Source::Manifest {
            fetch,
            allow_empty,
            checksums,
            ..
        } => {
            let checksums = checksums
                .as_deref()
                .map(|c| c.replace("{version}", &entry.version));
            let mut got = match fetch {
                Fetch::Urls(urls) => fetch_urls(
                    fetcher,
                    entry,
                    lock_matches,
                    urls,
                    *allow_empty,
                    checksums.as_deref(),
                )?,
                Fetch::Archive { url, paths } => fetch_archive(
                    fetcher,
                    entry,
                    lock_matches,
                    url,
                    paths,
                    checksums.as_deref(),
                )?,
                Fetch::Git(g) => fetch_git(fetcher, entry, lock_matches, g)?,
            };
            if !got.files.keys().any(|k| is_kustomization(k)) {
                let listed: Vec<&str> = got
                    .files
                    .keys()
                    .filter(|k| kyaml::manifest::is_manifest_file(k))
                    .map(String::as_str)
                    .collect();
                let k = generated_kustomization(config, entry, &listed);
                got.files
                    .insert("kustomization.yaml".into(), k.into_bytes());
            }
            let mut lock = lock_for(entry, &got.files, got.digest, None);
            lock.commit = got.commit;
            Ok(Prepared {
                name: entry.name.clone(),
                version: entry.version.clone(),
                files: got.files,
                lock,
                note: None,
                downloaded: got.downloaded,
                retagged: got.retagged,
                stale_lock: None,
            })
        }
        Source::Chart {
            git: Some(g),
            chart,
            ..
        } => prepare_git_chart(fetcher, config, entry, lock_matches, g, chart),
        Source::Chart {
            repo, chart, auth, ..
        } => {
            let locked_digest = lock_matches.and_then(|l| l.digest.clone());
            let req = ChartRequest {
                repo: repo.clone(),
                chart: chart.clone(),
                version: entry.version.clone(),
                known_digest: locked_digest.clone(),
                auth: auth.clone(),
            };
            let inputs = chart_render_inputs(config, entry)?;
            let fetched = fetcher.fetch_chart(&req)?;
            let shown_url = crate::sources::http::redact(&fetched.url);
            let chart_files =
                identity::read_chart(&fetched.bytes).map_err(|reason| SourceError::Archive {
                    url: shown_url.clone(),
                    reason,
                })?;
            let id = identity::of(&chart_files).map_err(|reason| SourceError::NotAChart {
                url: shown_url.clone(),
                reason,
            })?;
            if let Err(m) = identity::check(&id, chart, &entry.version) {
                // The cache answered with the archive the lock data names, and it is another
                // chart or version: the lock data is what is wrong.
                if !fetched.downloaded && locked_digest.as_deref() == Some(fetched.digest.as_str())
                {
                    return Err(SourceError::StaleLock {
                        entry: entry.name.clone(),
                        version: entry.version.clone(),
                        digest: fetched.digest.clone(),
                        actual: format!("{id} (its Chart.yaml)"),
                        help: format!(
                            "the lock data was edited along with the version (e.g. by a search-and-replace); run `vendor sync {}` online to fetch {} {} from the repository",
                            entry.name, chart, entry.version
                        ),
                    });
                }
                return Err(SourceError::ChartMismatch {
                    url: shown_url,
                    field: m.field,
                    requested: m.requested,
                    found: m.found,
                });
            }
            let mut retagged = Vec::new();
            let mut stale_lock = None;
            let mut notes = Vec::new();
            if let Some(locked) = &locked_digest
                && *locked != fetched.digest
            {
                match fetcher.identify_chart_digest(&req, locked) {
                    Some(what) => {
                        notes.push(format!(
                            "the lock data recorded {locked} for {version}, but that is {what}: the lock was edited along with the version; vendored {chart} {version} as the repository serves it ({digest})",
                            version = entry.version,
                            digest = fetched.digest,
                        ));
                        stale_lock = Some(what);
                    }
                    None => retagged.push(Retag {
                        url: shown_url.clone(),
                        locked: locked.clone(),
                        served: fetched.digest.clone(),
                    }),
                }
            }
            let (files, note) = chart_tree(config, entry, &chart_files)?;
            notes.extend(note);
            let lock = lock_for(entry, &files, Some(fetched.digest.clone()), Some(inputs));
            Ok(Prepared {
                name: entry.name.clone(),
                version: entry.version.clone(),
                files,
                lock,
                note: (!notes.is_empty()).then(|| notes.join("; ")),
                downloaded: fetched.downloaded,
                retagged,
                stale_lock,
            })
        }
    }
}

/// What a manifest source gave: the files by the path they land at, and what the lock records
/// about where they came from.
struct Fetched {
    files: Tree,
    /// The artifact's digest (archives); `None`: the digest of the files.
    digest: Option<String>,
    commit: Option<String>,
    downloaded: bool,
    retagged: Vec<Retag>,
}

/// One file per URL, each verified as a manifest (and against published checksums).
fn fetch_urls(
    fetcher: &Fetcher,
    entry: &Entry,
    lock: Option<&Lock>,
    urls: &[String],
    allow_empty: bool,
    checksums: Option<&str>,
) -> Result<Fetched, SourceError> {
    let mut files = BTreeMap::new();
    let mut downloaded = false;
    let mut retagged = Vec::new();
    for url in urls {
        let url = url.replace("{version}", &entry.version);
        let name = crate::config::url_file_name(&url).to_string();
        let known = lock.and_then(|l| l.files.get(&name)).map(String::as_str);
        let f = fetcher.fetch_url(&url, known)?;
        if let Some(c) = checksums {
            fetcher.verify_checksum(c, &f.url, &f.digest)?;
        }
        verify_manifest(&name, &f.url, &f.bytes, allow_empty)?;
        if let Some(known) = known
            && *known != f.digest
        {
            retagged.push(Retag {
                url: crate::sources::http::redact(&f.url),
                locked: known.to_string(),
                served: f.digest.clone(),
            });
        }
        downloaded |= f.downloaded;
        files.insert(name, f.bytes);
    }
    Ok(Fetched {
        files,
        digest: None,
        commit: None,
        downloaded,
        retagged,
    })
}

/// The render inputs of a chart entry (what the lock records), or the values file that cannot
/// be read.
fn chart_render_inputs(
    config: &Config,
    entry: &Entry,
) -> Result<crate::config::RenderInputs, SourceError> {
    crate::render::inputs_for_entry(config, entry)
        .expect("a chart entry has render inputs")
        .map_err(|(file, e)| SourceError::Render {
            what: format!("chart `{}` {}", entry.name, entry.version),
            message: format!("cannot read values file {file}: {e}"),
        })
}

/// The selected files inside an archive. `paths` are relative to the archive's single
/// top-level directory when it has one (as source and release archives are laid out), else to
/// its root.
fn fetch_archive(
    fetcher: &Fetcher,
    entry: &Entry,
    lock: Option<&Lock>,
    url: &str,
    paths: &crate::config::Paths,
    checksums: Option<&str>,
) -> Result<Fetched, SourceError> {
    let url = url.replace("{version}", &entry.version);
    let known = lock.and_then(|l| l.digest.as_deref());
    let f = fetcher.fetch_url(&url, known)?;
    let shown = crate::sources::http::redact(&f.url);
    if let Some(c) = checksums {
        fetcher.verify_checksum(c, &f.url, &f.digest)?;
    }
    let mut retagged = Vec::new();
    if let Some(known) = known
        && *known != f.digest
    {
        retagged.push(Retag {
            url: shown.clone(),
            locked: known.to_string(),
            served: f.digest.clone(),
        });
    }
    let selection = crate::sources::paths::Selection::new(&paths.include, &paths.exclude);
    let files =
        archive::select_files(&f.bytes, &url, &selection, &entry.version).map_err(|e| match e {
            archive::SelectError::Archive(reason) => SourceError::Archive {
                url: shown.clone(),
                reason,
            },
            archive::SelectError::Path { reason, help } => SourceError::ArchivePath {
                url: shown.clone(),
                reason,
                help,
            },
        })?;
    Ok(Fetched {
        files,
        digest: Some(f.digest),
        commit: None,
        downloaded: f.downloaded,
        retagged,
    })
}

/// The selected files of a git repository at the entry's tag. A tag that now resolves to
/// another commit than the lock records is a re-tag.
fn fetch_git(
    fetcher: &Fetcher,
    entry: &Entry,
    lock: Option<&Lock>,
    g: &crate::config::GitDir,
) -> Result<Fetched, SourceError> {
    let (co, retagged) = checkout(fetcher, entry, lock, g)?;
    Ok(Fetched {
        files: co.files,
        digest: None,
        commit: Some(co.commit),
        downloaded: co.downloaded,
        retagged,
    })
}

fn checkout(
    fetcher: &Fetcher,
    entry: &Entry,
    lock: Option<&Lock>,
    g: &crate::config::GitDir,
) -> Result<(crate::sources::git::Checkout, Vec<Retag>), SourceError> {
    let reference = g.reference_for(&entry.version);
    let selection = crate::sources::paths::Selection::new(&g.paths.include, &g.paths.exclude);
    let co = fetcher.git_checkout(&crate::sources::git::GitRequest {
        url: &g.url,
        reference: &reference,
        selection: &selection,
        version: &entry.version,
    })?;
    let mut retagged = Vec::new();
    if let Some(locked) = lock.and_then(|l| l.commit.as_deref())
        && locked != co.commit
    {
        retagged.push(Retag {
            url: format!("{} tag {reference}", crate::sources::http::redact(&g.url)),
            locked: format!("commit {locked}"),
            served: format!("commit {}", co.commit),
        });
    }
    Ok((co, retagged))
}

/// A chart directory of a git repository at the entry's tag, rendered as a chart from a
/// repository is: its Chart.yaml must name the chart and version, its dependencies come from
/// its Chart.lock through vendor's sources, and the lock records the commit, the digest of
/// every input file (the chart's and the dependencies' archives) and the render inputs.
fn prepare_git_chart(
    fetcher: &Fetcher,
    config: &Config,
    entry: &Entry,
    lock: Option<&Lock>,
    g: &crate::config::GitDir,
    chart: &str,
) -> Result<Prepared, SourceError> {
    let inputs = chart_render_inputs(config, entry)?;
    let (co, retagged) = checkout(fetcher, entry, lock, g)?;
    let shown = format!(
        "{} {}",
        crate::sources::http::redact(&g.url),
        g.reference_for(&entry.version)
    );
    let mut chart_files = identity::ChartFiles {
        root: chart.to_string(),
        files: co.files,
    };
    let id = identity::of(&chart_files).map_err(|reason| SourceError::NotAChart {
        url: shown.clone(),
        reason,
    })?;
    if let Err(m) = identity::check(&id, chart, &entry.version) {
        return Err(SourceError::ChartMismatch {
            url: shown,
            field: m.field,
            requested: m.requested,
            found: m.found,
        });
    }
    let mut downloaded = co.downloaded;
    for dep in crate::sources::deps::missing(&chart_files.files).map_err(|reason| {
        SourceError::NotAChart {
            url: shown.clone(),
            reason,
        }
    })? {
        let fetched = fetcher.fetch_chart(&ChartRequest {
            repo: dep.repository.clone(),
            chart: dep.name.clone(),
            version: dep.version.clone(),
            known_digest: None,
            auth: Default::default(),
        })?;
        let dep_files =
            identity::read_chart(&fetched.bytes).map_err(|reason| SourceError::Archive {
                url: crate::sources::http::redact(&fetched.url),
                reason,
            })?;
        let dep_id = identity::of(&dep_files).map_err(|reason| SourceError::NotAChart {
            url: crate::sources::http::redact(&fetched.url),
            reason,
        })?;
        if let Err(m) = identity::check(&dep_id, &dep.name, &dep.version) {
            return Err(SourceError::ChartMismatch {
                url: crate::sources::http::redact(&fetched.url),
                field: m.field,
                requested: m.requested,
                found: m.found,
            });
        }
        downloaded |= fetched.downloaded;
        chart_files.files.insert(
            format!("charts/{}-{}.tgz", dep.name, dep.version),
            fetched.bytes,
        );
    }
    // The chart's inputs: every source file and dependency archive, by digest.
    let input_digests: BTreeMap<String, String> = chart_files
        .files
        .iter()
        .map(|(k, v)| (k.clone(), crate::digest::of_bytes(v)))
        .collect();
    let digest = crate::digest::of_tree(&input_digests);
    let (files, note) = chart_tree(config, entry, &chart_files)?;
    let mut lock = lock_for(entry, &files, Some(digest), Some(inputs));
    lock.commit = Some(co.commit);
    Ok(Prepared {
        name: entry.name.clone(),
        version: entry.version.clone(),
        files,
        lock,
        note,
        downloaded,
        retagged,
        stale_lock: None,
    })
}

/// A manifest file as fetched must be what a manifest URL should serve: UTF-8 Kubernetes YAML
/// with at least one object (none is allowed with `allow-empty`). Kustomization files must be
/// YAML; files of other types are vendored as they are.
fn verify_manifest(
    name: &str,
    url: &str,
    bytes: &[u8],
    allow_empty: bool,
) -> Result<(), SourceError> {
    let url = crate::sources::http::redact(url);
    let kustomization = kyaml::manifest::is_kustomization_file(name);
    if !kyaml::manifest::is_manifest_file(name) && !kustomization {
        return Ok(());
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.starts_with("<?xml")
        || head.starts_with("<head")
        || head.starts_with("<body")
    {
        return Err(SourceError::NotManifest {
            url,
            reason: "the response is an HTML or XML page".into(),
            help: "the server answered with a web page (a login page, an error page, a moved repository?); check the URL and any credentials it needs".into(),
        });
    }
    let not_manifest = |reason: String| SourceError::NotManifest {
        url: url.clone(),
        reason,
        help: "check the URL: it must serve the raw YAML of the release (nothing was written)"
            .into(),
    };
    let text =
        kyaml::manifest::text_of(bytes.to_vec(), name).map_err(|e| not_manifest(e.to_string()))?;
    if kustomization {
        return match kyaml::parse_one(&text, kyaml::Dialect::Kube) {
            Ok(kyaml::Value::Map(_)) => Ok(()),
            Ok(_) => Err(not_manifest(format!("{name} is not a YAML mapping"))),
            Err(e) => Err(not_manifest(format!("{name}: invalid YAML: {e}"))),
        };
    }
    let strict = kyaml::manifest::ParseOptions {
        expand_lists: true,
        strict: true,
        keep_non_objects: false,
    };
    let objects =
        kyaml::manifest::parse(&text, name, strict).map_err(|e| not_manifest(e.to_string()))?;
    if objects.is_empty() && !allow_empty {
        return Err(SourceError::NotManifest {
            url,
            reason: if bytes.is_empty() {
                "the response is empty: no Kubernetes object".into()
            } else {
                "the file holds no Kubernetes object".into()
            },
            help: "check the URL; if the file is empty on purpose, say so with `allow-empty = true` in the entry (nothing was written)".into(),
        });
    }
    Ok(())
}

/// The vendored tree of a verified chart archive: the render with the entry's inputs, plus the
/// generated kustomization.yaml. `sync` writes it; `check --render` compares it with the tree
/// on disk.
pub fn chart_tree(
    config: &Config,
    entry: &Entry,
    chart: &identity::ChartFiles,
) -> Result<(Tree, Option<String>), SourceError> {
    let (mut files, note) = render(config, entry, chart)?;
    if !files.keys().any(|k| is_kustomization(k)) {
        let listed: Vec<&str> = files
            .keys()
            .filter(|k| kyaml::manifest::is_manifest_file(k))
            .map(String::as_str)
            .collect();
        let k = generated_kustomization(config, entry, &listed);
        files.insert("kustomization.yaml".into(), k.into_bytes());
    }
    Ok((files, note))
}

/// Renders a verified chart with the entry's release, namespace, values and the settings'
/// kube-version, like `helm template --include-crds --skip-tests --output-dir upstream/NAME`:
/// each rendered file keeps its Helm output path (`CHART/templates/x.yaml`). Test hooks are left
/// out (they are not deployed by GitOps tools); other hooks stay.
fn render(
    config: &Config,
    entry: &Entry,
    chart: &identity::ChartFiles,
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
    render: Option<crate::config::RenderInputs>,
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
        commit: None,
        images,
        files: digests,
        render,
    }
}
