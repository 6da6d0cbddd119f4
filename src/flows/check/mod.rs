//! `vendor check`, the offline CI gate: for every entry, drift of the vendored tree against its
//! lock data, the patch overlay (does it build, does every patch still do something), the image
//! policy on what the overlay produces, image drift against the lock, and Argo CD pitfalls.
//! Entries are checked one by one, each entry's files in parallel; findings come back in a
//! stable order.

pub mod drift;
pub mod render;

use std::collections::BTreeSet;

use rayon::prelude::*;

use crate::config::{Config, Entry};
use crate::diag::{Code, Finding, LevelOverrides};
use crate::policy;
use crate::report::model::{CheckReport, ImageSite};
use kyaml::PathSeg;
use kyaml::manifest::{self as resources, LoadedFile, Resource};

/// What `check` is asked to do beyond the defaults.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--deny/--warn/--allow`: they win over `[lints]` and the entries' `lints`.
    pub overrides: LevelOverrides,
    /// Only these entries (all when empty).
    pub only: Vec<String>,
    /// `--render`: render each chart again from the download cache and compare byte for byte.
    pub render: bool,
}

/// Input that could not be read at all (exit 2): every such problem of the run, together.
#[derive(Debug, thiserror::Error)]
#[error("{} file{} could not be read", errors.len(), if errors.len() == 1 { "" } else { "s" })]
pub struct CheckError {
    pub errors: Vec<LoadError>,
}

impl miette::Diagnostic for CheckError {
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        Some(Box::new(
            self.errors.iter().map(|e| e as &dyn miette::Diagnostic),
        ))
    }
}

/// A vendored file that could not be read, with what to do about it here.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct LoadError(#[from] pub resources::LoadError);

impl miette::Diagnostic for LoadError {
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        use resources::LoadError as E;
        Some(Box::new(match &self.0 {
            E::Io { .. } | E::Missing { .. } => "check that the file exists and is readable",
            E::TooLarge { .. } => "split the manifest, or vendor it as several files",
            E::NotUtf8 { .. } => "Kubernetes manifests are UTF-8; re-sync the entry",
            E::Yaml { .. } | E::NotAnObject { .. } => {
                "fix the YAML at that line, or re-sync the entry with `vendor sync`"
            }
        }))
    }
}

/// Runs every offline check on `config`.
pub fn check(config: &Config, opts: &Options) -> Result<CheckReport, CheckError> {
    let entries: Vec<&Entry> = config
        .entries
        .iter()
        .filter(|e| opts.only.is_empty() || opts.only.contains(&e.name))
        .collect();
    // Entries run one after the other and each one's files in parallel: peak memory is then
    // that of the largest entry, not of the largest few at once.
    let cache = if opts.render {
        crate::sources::Cache::default_location().map(crate::sources::Cache::at)
    } else {
        None
    }
    .unwrap_or_else(crate::sources::Cache::disabled);
    let results: Vec<Result<Vec<Finding>, Vec<LoadError>>> = entries
        .iter()
        .map(|e| {
            let mut f = check_entry(config, e)?;
            if opts.render {
                f.extend(render::rerender(config, e, &cache));
            }
            Ok(f)
        })
        .collect();
    let mut findings = Vec::new();
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(f) => findings.extend(f),
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Err(CheckError { errors });
    }
    if opts.only.is_empty() {
        findings.extend(drift::orphans(config));
        findings.extend(drift::orphan_locks(config));
    }
    findings.extend(interrupted(config));
    config.levels(&opts.overrides).apply(&mut findings);
    let mut report = CheckReport {
        entries: entries
            .iter()
            .map(|e| (e.name.clone(), format!("{} {}", e.source.kind(), e.version)))
            .collect(),
        findings,
    };
    report.sort();
    Ok(report)
}

/// What an interrupted `vendor` run left in the repository (nothing while another run holds the
/// repository lock: its staging is work in progress).
fn interrupted(config: &Config) -> Vec<Finding> {
    use crate::workspace::txn::Leftover;
    if crate::workspace::repo_lock::holder(&config.root).is_some() {
        return Vec::new();
    }
    let upstream = config.root.join(&config.settings.upstream_dir);
    let fix = "run `vendor sync`: every command that writes first completes or rolls back an interrupted change and removes what it left behind";
    crate::workspace::txn::leftovers(&config.path, &upstream)
        .into_iter()
        .map(|l| {
            let shown = config.display_path(l.path());
            let message = match &l {
                Leftover::Journal(_) => format!(
                    "{shown}: a `vendor` run was killed while it replaced vendored trees and vendor.toml; they may not match each other"
                ),
                Leftover::LegacyBackup { target, .. } => format!(
                    "{shown}: a `vendor` run was killed while it replaced {}",
                    config.display_path(target)
                ),
                Leftover::Path(_) => {
                    format!("{shown} was left behind by an interrupted `vendor` run")
                }
            };
            Finding::new(Code::InterruptedWrite, message)
                .file(shown)
                .help(fix)
        })
        .collect()
}

fn check_entry(config: &Config, entry: &Entry) -> Result<Vec<Finding>, Vec<LoadError>> {
    let mut findings = drift::check(config, entry);
    findings.extend(render::inputs(config, entry));
    let mut files = load_upstream(config, entry)?;
    let name = &entry.name;

    // Image drift is judged on upstream as vendored.
    let found: BTreeSet<String> = files
        .iter()
        .flat_map(|f| &f.resources)
        .flat_map(|r| policy::image::images_of(&r.value))
        .map(|u| u.image)
        .collect();
    if let Some(lock) = &entry.lock {
        findings.extend(image_drift(config, entry, &lock.images, &found));
    }

    // The image policy and the Argo CD pitfalls are judged on what is deployed: the overlay's
    // output when there is an overlay, upstream as vendored otherwise.
    if !has_overlay(config, entry) {
        for file in &files {
            findings.extend(image_policy(entry, image_sites(config, file)));
            for r in &file.resources {
                findings.extend(pitfalls(name, &r.value, &r.file, r.start));
            }
        }
        return Ok(findings);
    }
    // Only positions are needed from here on: the build takes the decoded upstream over
    // instead of decoding it again.
    let preparsed = kustomize::Preparsed::default();
    for f in &mut files {
        let docs = f.take_documents();
        let file = kustomize::PreparsedFile {
            text: f.text.clone(),
            docs,
        };
        preparsed.insert(&config.root.join(&f.file), file);
    }
    match build_overlay(config, entry, preparsed) {
        Err(e) => {
            let f = Finding::new(Code::OverlayBuildFailed, e.message.clone())
                .entry(name)
                .file(&e.file)
                .at(e.line.map(|line| crate::diag::Pos { line, column: 1 }))
                .help(e.help.clone().unwrap_or_else(|| {
                    format!(
                        "fix the overlay in {}/{name}; `vendor build` shows the same error",
                        config.settings.patches_dir
                    )
                }));
            findings.push(f);
        }
        Ok(built) => {
            findings.extend(
                built
                    .findings
                    .into_iter()
                    .map(|f| crate::render::kustomize_finding(f).entry(name)),
            );
            let sites = built_image_sites(config, &files, &built.resources);
            findings.extend(image_policy(entry, sites));
            for r in &built.resources {
                let at = crate::diag::Pos {
                    line: r.start.line.max(1),
                    column: 1,
                };
                findings.extend(pitfalls(name, &r.value, &r.file, at));
            }
        }
    }
    Ok(findings)
}

/// Argo CD pitfalls of one object, as findings.
fn pitfalls(entry: &str, object: &kyaml::Value, file: &str, at: crate::diag::Pos) -> Vec<Finding> {
    policy::argocd::check(object, json_len(object))
        .into_iter()
        .map(|p| {
            Finding::new(p.code, p.message)
                .entry(entry)
                .file(file)
                .at(Some(at))
                .resource(resources::display_id(object))
                .help(p.help)
        })
        .collect()
}

/// Whether `patches/NAME` holds a kustomization.
fn has_overlay(config: &Config, entry: &Entry) -> bool {
    let dir = config.patches_dir(entry);
    kustomize::FILE_NAMES.iter().any(|f| dir.join(f).is_file())
}

/// Builds `patches/NAME`.
fn build_overlay(
    config: &Config,
    entry: &Entry,
    preparsed: kustomize::Preparsed,
) -> Result<kustomize::BuildOutput, kustomize::KustomizeError> {
    // An overlay may render a chart it keeps (or that is in the cache) with `helmCharts`;
    // the check stays offline.
    let opts = kustomize::BuildOptions {
        root: Some(config.root.clone()),
        display_base: Some(config.root.clone()),
        preparsed,
        enable_helm: true,
        helm: Some(std::sync::Arc::new(crate::render::ChartRenderer::new(true))),
        ..Default::default()
    };
    kustomize::build(&config.patches_dir(entry), &opts)
}

/// Image sites of an overlay's output. Each points at the `image:` field of the upstream
/// document the object came from (found by the origin's file and line), or at the object's
/// origin when that document is not one of the vendored files.
fn built_image_sites(
    config: &Config,
    files: &[LoadedFile],
    built: &[kustomize::Resource],
) -> Vec<ImageSite> {
    let mut out = Vec::new();
    for r in built {
        let origin_doc = files.iter().find(|f| f.file == r.file).and_then(|f| {
            f.resources
                .iter()
                .filter(|d| d.start.line <= r.start.line)
                .max_by_key(|d| d.start.line)
                .map(|d| (f, d))
        });
        for u in policy::image::images_of(&r.value) {
            let pos = match origin_doc {
                Some((f, doc)) => locate_in_doc(f, doc, &path_segs(&u.path)),
                None => None,
            }
            .or(Some(crate::diag::Pos {
                line: r.start.line.max(1),
                column: 1,
            }));
            out.push(ImageSite {
                violations: policy::image::judge(&u.image, &config.policy),
                pos,
                image: u.image,
                file: r.file.clone(),
                resource: resources::display_id(&r.value),
                container: u.container,
            });
        }
    }
    out
}

/// Locates `path` inside one document of a file, parsing only that document: from the line its
/// content starts on to the start of the next document.
fn locate_in_doc(file: &LoadedFile, doc: &Resource, path: &[PathSeg]) -> Option<crate::diag::Pos> {
    if doc.start.column != 1 {
        return kyaml::locate(&file.text, doc.doc_index, path);
    }
    let from = line_offset(&file.text, doc.start.line)?;
    let next = file
        .resources
        .iter()
        .filter(|r| r.start.line > doc.start.line)
        .map(|r| r.start.line)
        .min();
    let to = next
        .and_then(|l| line_offset(&file.text, l))
        .unwrap_or(file.text.len());
    let mut pos = kyaml::locate(&file.text[from..to], 0, path)?;
    pos.line += doc.start.line - 1;
    Some(pos)
}

/// Byte offset of the start of 1-based `line`.
fn line_offset(text: &str, line: u32) -> Option<usize> {
    if line <= 1 {
        return Some(0);
    }
    text.match_indices('\n')
        .nth(line as usize - 2)
        .map(|(i, _)| i + 1)
}

fn path_segs(path: &[policy::image::PathPart]) -> Vec<PathSeg<'_>> {
    path.iter()
        .map(|p| match p {
            policy::image::PathPart::Key(k) => PathSeg::Key(k),
            policy::image::PathPart::Index(i) => PathSeg::Index(*i),
        })
        .collect()
}

/// Length of the compact JSON form of a value (what client-side apply stores in the
/// last-applied annotation), computed without building the JSON.
fn json_len(v: &kyaml::Value) -> usize {
    use kyaml::Value;
    fn str_len(s: &str) -> usize {
        2 + s
            .chars()
            .map(|c| match c {
                '"' | '\\' | '\n' | '\r' | '\t' => 2,
                '<' | '>' | '&' => 6,
                c if (c as u32) < 0x20 => 6,
                c => c.len_utf8(),
            })
            .sum::<usize>()
    }
    match v {
        Value::Null => 4,
        Value::Bool(true) => 4,
        Value::Bool(false) => 5,
        Value::Int(i) => i.to_string().len(),
        Value::Float(f) => f.to_string().len(),
        Value::String(s) => str_len(s),
        Value::Seq(items) => {
            2 + items.iter().map(json_len).sum::<usize>() + items.len().saturating_sub(1)
        }
        Value::Map(m) => {
            2 + m
                .iter()
                .map(|(k, v)| str_len(k) + 1 + json_len(v))
                .sum::<usize>()
                + m.len().saturating_sub(1)
        }
    }
}

fn load_upstream(config: &Config, entry: &Entry) -> Result<Vec<LoadedFile>, Vec<LoadError>> {
    let dir = config.upstream_dir(entry);
    let (names, _) = drift::list_files(&dir).map_err(|e| {
        vec![LoadError(resources::LoadError::Io {
            file: config.display_path(&dir),
            message: e.to_string(),
        })]
    })?;
    let loaded: Vec<Result<LoadedFile, LoadError>> = names
        .par_iter()
        .filter(|n| resources::is_manifest_file(n))
        .map(|n| {
            let path = dir.join(n);
            resources::load_file(
                &path,
                &config.display_path(&path),
                crate::policy::VENDORED_FILES,
            )
            .map_err(LoadError)
        })
        .collect();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for r in loaded {
        match r {
            Ok(f) => files.push(f),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors)
    }
}

fn image_drift(
    config: &Config,
    entry: &Entry,
    locked: &[String],
    found: &BTreeSet<String>,
) -> Vec<Finding> {
    let locked: BTreeSet<&String> = locked.iter().collect();
    let name = &entry.name;
    let at = Some(config.pos_of(entry.span.start));
    let toml = config.display_path(&config.path);
    let mut out = Vec::new();
    for image in found.iter().filter(|i| !locked.contains(i)) {
        out.push(
            Finding::new(
                Code::ImageDrift,
                format!("image `{image}` is in upstream/{name} but not in its lock data"),
            )
            .entry(name)
            .file(&toml)
            .at(at)
            .help(format!(
                "run `vendor sync {name}` if upstream changed; otherwise restore the vendored files"
            )),
        );
    }
    for image in locked.iter().filter(|i| !found.contains(i.as_str())) {
        out.push(
            Finding::new(
                Code::ImageDrift,
                format!(
                    "image `{image}` is in the lock data of {name} but no longer in upstream/{name}"
                ),
            )
            .entry(name)
            .file(&toml)
            .at(at)
            .help(format!("run `vendor sync {name}` to refresh the lock data")),
        );
    }
    out
}

/// Every image of an entry as deployed (after its overlay), with the policy verdict on each.
pub fn images(config: &Config, entry: &Entry) -> Result<Vec<ImageSite>, Vec<LoadError>> {
    let files = load_upstream(config, entry)?;
    // What is deployed: the overlay's output when it builds (`check` reports it when not).
    if has_overlay(config, entry)
        && let Ok(built) = build_overlay(config, entry, kustomize::Preparsed::default())
    {
        return Ok(built_image_sites(config, &files, &built.resources));
    }
    Ok(files.iter().flat_map(|f| image_sites(config, f)).collect())
}

fn image_sites(config: &Config, file: &LoadedFile) -> Vec<ImageSite> {
    let mut out = Vec::new();
    for r in &file.resources {
        for u in policy::image::images_of(&r.value) {
            out.push(ImageSite {
                violations: policy::image::judge(&u.image, &config.policy),
                pos: locate_in_doc(file, r, &path_segs(&u.path)).or(Some(r.start)),
                image: u.image,
                file: r.file.clone(),
                resource: r.display_id(),
                container: u.container,
            });
        }
    }
    out
}

fn image_policy(entry: &Entry, sites: Vec<ImageSite>) -> Vec<Finding> {
    let mut out = Vec::new();
    for site in sites {
        for v in site.violations {
            let mut f = Finding::new(v.code, v.message)
                .entry(&entry.name)
                .file(&site.file)
                .at(site.pos)
                .resource(&site.resource)
                .help(v.help);
            if !site.container.is_empty() {
                f = f.container(&site.container);
            }
            out.push(f);
        }
    }
    out
}

/// `vendor check --online`: outdated findings plus re-tag detection for the selected entries
/// (all when `only` is empty), with the user's environment (cache bypassed for the re-tag
/// check). The caller merges these findings into its report.
pub fn online_findings(
    config: &crate::config::Config,
    only: &[String],
    jobs: usize,
) -> Result<Vec<crate::diag::Finding>, crate::flows::sync::SyncError> {
    let mut fetcher = crate::sources::Fetcher::from_env();
    fetcher.bypass_cache = true;
    let fetcher = &fetcher;
    let rows = crate::flows::outdated::outdated(config, fetcher, only, jobs);
    let mut findings = crate::flows::outdated::findings(config, &rows);
    findings.extend(crate::flows::sync::verify_upstream(
        config, fetcher, only, jobs,
    )?);
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_len_matches_serde_json() {
        let v = serde_json::json!({"a": [1, -2.5, true, false, null, "x\"y\n<&>"], "b": {}, "c": [], "dé": "é"});
        let ours = json_len(&kyaml::Value::from(v.clone()));
        // serde_json does not escape <, > and &: Go's encoder (kubectl's) does, 6 bytes each.
        assert_eq!(ours, serde_json::to_string(&v).unwrap().len() + 3 * 5);
    }
}
