//! `vendor check`, the offline CI gate: for every entry, drift of the vendored tree against its
//! lock data, the patch overlay (does it build, does every patch still do something), the image
//! policy on what the overlay produces, image drift against the lock, and Argo CD pitfalls.
//! Entries are checked one by one, each entry's files in parallel; findings come back in a
//! stable order.

pub mod drift;
pub mod render;
mod sites;

use sites::Wanted;

use std::collections::BTreeSet;

use rayon::prelude::*;

use crate::config::{Config, Entry};
use crate::diag::{Code, Finding, LevelOverrides};
use crate::policy;
use crate::report::model::{CheckReport, ImageSite};
use kyaml::manifest::{self as resources, LoadedFile};

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
    // Entries run in batches whose vendored trees together are no larger than the largest
    // one, each batch's entries (and each entry's files, and the pieces of large files) in
    // parallel: the cores stay busy, and peak memory stays that of the largest entry.
    let cache = if opts.render {
        crate::sources::Cache::default_location().map(crate::sources::Cache::at)
    } else {
        None
    }
    .unwrap_or_else(crate::sources::Cache::disabled);
    let sizes: Vec<u64> = entries
        .iter()
        .map(|e| tree_size(&config.upstream_dir(e)))
        .collect();
    let mut results: Vec<Result<Vec<Finding>, Vec<LoadError>>> = Vec::new();
    for batch in batches(&sizes) {
        results.par_extend(entries[batch].par_iter().map(|e| {
            let mut f = check_entry(config, e)?;
            if opts.render {
                f.extend(render::rerender(config, e, &cache));
            }
            Ok(f)
        }));
    }
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

/// Bytes of the regular files under `dir` (0 when it cannot be read).
fn tree_size(dir: &std::path::Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

/// Consecutive runs of entries, given their sizes, each run no larger in total than the largest
/// entry (an entry larger than that alone is a run of one).
fn batches(sizes: &[u64]) -> Vec<std::ops::Range<usize>> {
    let budget = sizes.iter().copied().max().unwrap_or(0);
    let mut out = Vec::new();
    let (mut start, mut sum) = (0, 0u64);
    for (i, &size) in sizes.iter().enumerate() {
        if i > start && sum + size > budget {
            out.push(start..i);
            (start, sum) = (i, 0);
        }
        sum += size;
    }
    if start < sizes.len() {
        out.push(start..sizes.len());
    }
    out
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
    // Hashing every vendored file and parsing every manifest are independent: side by side.
    let (mut findings, files) = rayon::join(
        || {
            let mut findings = drift::check(config, entry);
            findings.extend(render::inputs(config, entry));
            findings
        },
        || load_upstream(config, entry),
    );
    let mut files = files?;
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
            findings.extend(image_policy(
                entry,
                sites::of_files(config, file, Wanted::BreakingPolicy),
            ));
            findings.extend(in_order(&file.resources, |r| {
                pitfalls(name, &r.value, &r.file, r.start)
            }));
        }
        drop_in_parallel(files.into_iter().flat_map(|f| f.resources).collect());
        return Ok(findings);
    }
    // Only positions are needed from here on: the build takes the decoded upstream over
    // instead of decoding it again.
    let preparsed = hand_over(&config.root, &mut files);
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
            let sites = sites::of_build(config, &files, &built.resources, Wanted::BreakingPolicy);
            findings.extend(image_policy(entry, sites));
            findings.extend(in_order(&built.resources, |r| {
                let at = crate::diag::Pos {
                    line: r.start.line.max(1),
                    column: 1,
                };
                pitfalls(name, &r.value, &r.file, at)
            }));
            drop_in_parallel(built.resources);
        }
    }
    Ok(findings)
}

/// Moves the decoded documents of `files` (shown relative to `root`) into a form a build takes
/// instead of reading and decoding the files again, with the text of each document that holds
/// a null.
fn hand_over(root: &std::path::Path, files: &mut [LoadedFile]) -> kustomize::Preparsed {
    let preparsed = kustomize::Preparsed::default();
    for f in files {
        let docs = f
            .take_documents()
            .into_iter()
            .map(|(document, index)| kustomize::ParsedDoc {
                document,
                index,
                source: f.null_source(index),
            })
            .collect();
        preparsed.insert(&root.join(&f.file), kustomize::PreparsedFile { docs });
    }
    preparsed
}

/// `f` of each item, on rayon's pool, flattened in the order of `items`.
fn in_order<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> Vec<R> + Sync + Send) -> Vec<R> {
    let parts: Vec<Vec<R>> = items.par_iter().map(f).collect();
    parts.into_iter().flatten().collect()
}

/// Frees the decoded objects of a large file on all cores rather than on one (freeing a tree
/// costs about a tenth of decoding it).
fn drop_in_parallel<T: Send>(items: Vec<T>) {
    items.into_par_iter().for_each(drop);
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

/// Length of the compact JSON form of a value (what client-side apply stores in the
/// last-applied annotation), computed without building the JSON.
fn json_len(v: &kyaml::Value) -> usize {
    use kyaml::Value;
    // Per byte: a character's UTF-8 bytes each count once; ASCII that JSON escapes counts
    // more (`\n` 2, `\u003c` 6).
    fn str_len(s: &str) -> usize {
        2 + s.len()
            + s.bytes()
                .map(|b| match b {
                    b'"' | b'\\' | b'\n' | b'\r' | b'\t' => 1,
                    b'<' | b'>' | b'&' => 5,
                    b if b < 0x20 => 5,
                    _ => 0,
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
        return Ok(sites::of_build(
            config,
            &files,
            &built.resources,
            Wanted::Every,
        ));
    }
    Ok(files
        .iter()
        .flat_map(|f| sites::of_files(config, f, Wanted::Every))
        .collect())
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
    progress: &crate::report::progress::Progress,
) -> Result<Vec<crate::diag::Finding>, crate::flows::sync::SyncError> {
    let mut fetcher = crate::sources::Fetcher::from_env();
    fetcher.bypass_cache = true;
    let fetcher = &fetcher;
    progress.phase("looking up newer versions");
    let rows = crate::flows::outdated::outdated(config, fetcher, only, jobs);
    let mut findings = crate::flows::outdated::findings(config, &rows);
    let verified = crate::flows::sync::verify_upstream_with(config, fetcher, only, jobs, progress);
    progress.finish();
    findings.extend(verified?);
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An overlay built from the decoded upstream `check` hands over is the one a build that
    /// reads the files itself makes, also for a large file read in pieces whose nulls are
    /// spelled in every way (strategic merge treats `key:` apart from `key: null`).
    #[test]
    fn handed_over_upstream_builds_as_the_files_do() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let doc = |i: usize| {
            let nulls = match i % 500 {
                7 if i > 3000 => "  a:\n  b: ~\n  c: null\n  d: Null\n",
                8 if i > 3000 => "  e:\n",
                _ => "",
            };
            format!(
                "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\ndata:\n{nulls}  k: v{i}\n"
            )
        };
        let text: String = (0..8000).map(doc).collect::<String>() + "---\n---\n";
        std::fs::create_dir_all(root.join("upstream/x")).unwrap();
        std::fs::create_dir_all(root.join("patches/x")).unwrap();
        std::fs::write(root.join("upstream/x/big.yaml"), &text).unwrap();
        std::fs::write(
            root.join("upstream/x/kustomization.yaml"),
            "resources:\n- big.yaml\n",
        )
        .unwrap();
        let patch = |name: &str| {
            format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  k: patched\n"
            )
        };
        std::fs::write(root.join("patches/x/p1.yaml"), patch("c3507")).unwrap();
        std::fs::write(root.join("patches/x/p2.yaml"), patch("c7008")).unwrap();
        std::fs::write(
            root.join("patches/x/kustomization.yaml"),
            "resources:\n- ../../upstream/x\npatches:\n- path: p1.yaml\n- path: p2.yaml\n",
        )
        .unwrap();
        let loaded = resources::load_file(
            &root.join("upstream/x/big.yaml"),
            "upstream/x/big.yaml",
            crate::policy::VENDORED_FILES,
        )
        .unwrap();
        assert!(loaded.null_source(0).is_none());
        let opts = |preparsed| kustomize::BuildOptions {
            root: Some(root.to_path_buf()),
            display_base: Some(root.to_path_buf()),
            preparsed,
            ..Default::default()
        };
        let build = |preparsed| {
            let out = kustomize::build(&root.join("patches/x"), &opts(preparsed)).unwrap();
            kustomize::render_objects(&out).concat()
        };
        let handed = build(hand_over(root, &mut [loaded]));
        let read = build(kustomize::Preparsed::default());
        assert_eq!(handed, read);
        assert!(read.contains("k: patched"));
        assert!(
            read.contains("b: null"),
            "a patched object keeps its spelled nulls"
        );
    }

    #[test]
    fn batches_stay_within_the_largest_entry() {
        assert_eq!(batches(&[]), Vec::<std::ops::Range<usize>>::new());
        assert_eq!(batches(&[5]), vec![std::ops::Range { start: 0, end: 1 }]);
        assert_eq!(batches(&[1, 1, 10, 3, 4, 4, 0]), [0..2, 2..3, 3..5, 5..7]);
        assert_eq!(batches(&[2, 2, 2, 2]), [0..1, 1..2, 2..3, 3..4]);
    }

    #[test]
    fn json_len_matches_serde_json() {
        let v = serde_json::json!({"a": [1, -2.5, true, false, null, "x\"y\n<&>"], "b": {}, "c": [], "dé": "é"});
        let ours = json_len(&kyaml::Value::from(v.clone()));
        // serde_json does not escape <, > and &: Go's encoder (kubectl's) does, 6 bytes each.
        assert_eq!(ours, serde_json::to_string(&v).unwrap().len() + 3 * 5);
    }

    #[test]
    fn json_len_counts_bytes_as_the_char_by_char_count_did() {
        fn by_chars(s: &str) -> usize {
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
        let all_ascii: String = (0u8..0x80).map(char::from).collect();
        for s in [
            "",
            "plain",
            all_ascii.as_str(),
            "é ü 中文 \u{1F600} \u{2028} \u{7f} \u{85} \u{feff}",
            "a<b>&\"c\"\\\n\r\t\u{1}\u{1f}",
        ] {
            assert_eq!(
                json_len(&kyaml::Value::String(s.into())),
                by_chars(s),
                "{s:?}"
            );
        }
    }
}
