//! Chart renders, offline: whether the inputs of each chart's render are still those the lock
//! data recorded ([`inputs`]: values files hashed, nothing rendered), and with `--render`
//! whether rendering the cached chart archive again gives the vendored files byte for byte
//! ([`rerender`]).

use crate::config::{Config, Entry, RenderInputs, Source};
use crate::diag::{Code, Finding};
use crate::sources::{Cache, identity};

/// The lock data of a chart entry for its pinned version (other versions are `not-synced`).
fn current_lock(entry: &Entry) -> Option<&crate::config::Lock> {
    if !matches!(entry.source, Source::Chart { .. }) {
        return None;
    }
    entry
        .lock
        .as_ref()
        .filter(|l| l.version.as_deref() == Some(entry.version.as_str()))
}

/// One finding per render input that differs from the lock data; a `not-synced` finding for
/// chart lock data that does not record its inputs (written by an older vendor).
pub fn inputs(config: &Config, entry: &Entry) -> Vec<Finding> {
    let Some(lock) = current_lock(entry) else {
        return Vec::new();
    };
    let name = &entry.name;
    let toml = config.display_path(&config.path);
    let at = Some(config.pos_of(entry.span.start));
    let sync = format!(
        "run `vendor sync {name}` to render it again with the current inputs (from the download cache when the chart archive is there) and record them"
    );
    let Some(locked) = &lock.render else {
        return vec![
            Finding::new(
                Code::NotSynced,
                format!("the lock data of {name} does not record its render inputs (it was written by an older vendor)"),
            )
            .entry(name)
            .file(&toml)
            .at(at)
            .help(format!(
                "run `vendor sync {name}` once to record them; the vendored files change only if the render does"
            )),
        ];
    };
    let now = match crate::render::inputs_for_entry(config, entry) {
        Some(Ok(now)) => now,
        Some(Err((file, e))) => {
            return vec![
                Finding::new(
                    Code::RenderInputChanged,
                    format!("values file {file} of {name} cannot be read: {e}"),
                )
                .entry(name)
                .file(file)
                .help(format!("restore it, or remove it from `values` and {sync}")),
            ];
        }
        None => return Vec::new(),
    };
    changes(locked, &now)
        .into_iter()
        .map(|(file, message)| {
            let f = Finding::new(Code::RenderInputChanged, format!("{name}: {message}"))
                .entry(name)
                .help(sync.clone());
            match file {
                Some(file) => f.file(file),
                None => f.file(&toml).at(at),
            }
        })
        .collect()
}

/// What differs between recorded and current inputs: (the values file concerned, message).
fn changes(locked: &RenderInputs, now: &RenderInputs) -> Vec<(Option<String>, String)> {
    let mut out = Vec::new();
    let mut field = |what: &str, old: String, new: String| {
        if old != new {
            out.push((
                None,
                format!("{what} changed since the last sync: rendered with {old}, now {new}"),
            ));
        }
    };
    field("release", quoted(&locked.release), quoted(&now.release));
    field(
        "namespace",
        quoted(&locked.namespace),
        quoted(&now.namespace),
    );
    field(
        "kube-version",
        quoted(&locked.kube_version),
        quoted(&now.kube_version),
    );
    field(
        "api-versions",
        format!("{:?}", locked.api_versions),
        format!("{:?}", now.api_versions),
    );
    field(
        "include-crds",
        locked.include_crds.to_string(),
        now.include_crds.to_string(),
    );
    field("the Helm mode", quoted(&locked.helm), quoted(&now.helm));
    field(
        "the renderer",
        quoted(&locked.renderer),
        quoted(&now.renderer),
    );
    let files = |v: &[(String, String)]| v.iter().map(|(f, _)| f.clone()).collect::<Vec<_>>();
    if files(&locked.values) != files(&now.values) {
        out.push((
            None,
            format!(
                "the values files changed since the last sync: rendered with {:?}, now {:?}",
                files(&locked.values),
                files(&now.values)
            ),
        ));
    }
    for (file, digest) in &now.values {
        if let Some((_, old)) = locked.values.iter().find(|(f, _)| f == file)
            && old != digest
        {
            out.push((
                Some(file.clone()),
                format!(
                    "values file {file} changed since the last sync (rendered with {old}, now {digest})"
                ),
            ));
        }
    }
    out
}

fn quoted(s: &str) -> String {
    format!("`{s}`")
}

/// `check --render`: renders the chart archive the lock data names (from the download cache,
/// never the network) with the current inputs and compares the result with `upstream/NAME`
/// byte for byte. An archive that is not cached is a `render-unverified` warning.
pub fn rerender(config: &Config, entry: &Entry, cache: &Cache) -> Vec<Finding> {
    let Some(lock) = current_lock(entry) else {
        return Vec::new();
    };
    let Source::Chart { chart, git, .. } = &entry.source else {
        return Vec::new();
    };
    let name = &entry.name;
    let toml = config.display_path(&config.path);
    let at = Some(config.pos_of(entry.span.start));
    if git.is_some() {
        return vec![
            Finding::new(
                Code::RenderUnverified,
                format!("{name}: a chart taken from git is not rendered again offline (its source is not kept in the download cache)"),
            )
            .entry(name)
            .file(&toml)
            .at(at)
            .help(format!("run `vendor sync --locked {name}` to fetch and render it again and compare")),
        ];
    }
    let digest = lock.digest.as_deref().unwrap_or("-");
    let Some(bytes) = lock.digest.as_deref().and_then(|d| cache.get(d)) else {
        return vec![
            Finding::new(
                Code::RenderUnverified,
                format!("{name}: the chart archive {digest} is not in the download cache, so it was not rendered again"),
            )
            .entry(name)
            .file(&toml)
            .at(at)
            .help(format!(
                "run `vendor sync {name}` once on this machine (it fills the cache), then `vendor check --render` again"
            )),
        ];
    };
    let unusable = |message: String| {
        vec![
            Finding::new(Code::RenderMismatch, format!("{name}: {message}"))
                .entry(name)
                .file(&toml)
                .at(at)
                .help(format!("run `vendor sync {name}`")),
        ]
    };
    let files = match identity::read_chart(&bytes) {
        Ok(f) => f,
        Err(e) => {
            return unusable(format!(
                "the cached chart archive {digest} is unusable: {e}"
            ));
        }
    };
    let id = match identity::of(&files) {
        Ok(id) => id,
        Err(e) => return unusable(format!("the cached chart archive {digest}: {e}")),
    };
    if identity::check(&id, chart, &entry.version).is_err() {
        return vec![
            Finding::new(
                Code::NotSynced,
                format!(
                    "the lock data of {name} records {digest} for {chart} {}, but that archive is {id}",
                    entry.version
                ),
            )
            .entry(name)
            .file(&toml)
            .at(at)
            .help(format!(
                "the lock data was edited along with the version; run `vendor sync {name}` to vendor {chart} {} as the repository serves it",
                entry.version
            )),
        ];
    }
    let (expected, note) = match crate::flows::sync::chart_tree(config, entry, &files) {
        Ok(t) => t,
        Err(e) => return unusable(format!("it no longer renders: {e}")),
    };
    let dir = config.upstream_dir(entry);
    let shown_dir = config.display_path(&dir);
    let on_disk = match crate::workspace::read_tree(&dir) {
        Ok(t) => t.unwrap_or_default(),
        Err(e) => return unusable(format!("cannot read {shown_dir}: {e}")),
    };
    let why = note
        .map(|n| format!(" (the chart is not reproducible: {n})"))
        .unwrap_or_default();
    let help = format!(
        "the vendored files are not what the chart renders to; run `vendor sync {name}` to restore them, and move local changes into {}/{name}",
        config.settings.patches_dir
    );
    let mut out = Vec::new();
    for (file, bytes) in &expected {
        let message = match on_disk.get(file) {
            Some(b) if b == bytes => continue,
            Some(_) => format!(
                "{shown_dir}/{file} differs from the render of {chart} {}{why}",
                entry.version
            ),
            None => format!(
                "{shown_dir}/{file} is missing from the vendored tree, but the render of {chart} {} has it",
                entry.version
            ),
        };
        out.push(
            Finding::new(Code::RenderMismatch, message)
                .entry(name)
                .file(format!("{shown_dir}/{file}"))
                .help(help.clone()),
        );
    }
    for file in on_disk.keys().filter(|f| !expected.contains_key(*f)) {
        out.push(
            Finding::new(
                Code::RenderMismatch,
                format!(
                    "{shown_dir}/{file} is not part of the render of {chart} {}",
                    entry.version
                ),
            )
            .entry(name)
            .file(format!("{shown_dir}/{file}"))
            .help(help.clone()),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_changed_input_is_named() {
        let locked = RenderInputs {
            release: "r".into(),
            namespace: "n".into(),
            kube_version: "1.31.0".into(),
            api_versions: Vec::new(),
            include_crds: true,
            helm: "3".into(),
            renderer: "helm-render 0.1.0".into(),
            values: vec![("a.yaml".into(), "sha256:1".into())],
        };
        assert!(changes(&locked, &locked).is_empty());
        let now = RenderInputs {
            namespace: "m".into(),
            renderer: "helm-render 0.2.0".into(),
            values: vec![("a.yaml".into(), "sha256:2".into())],
            ..locked.clone()
        };
        let got = changes(&locked, &now);
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(got[0].1.starts_with("namespace changed"));
        assert!(got[1].1.starts_with("the renderer changed"));
        assert_eq!(got[2].0.as_deref(), Some("a.yaml"));
        let reordered = RenderInputs {
            values: vec![],
            ..locked.clone()
        };
        assert!(
            changes(&locked, &reordered)[0]
                .1
                .contains("values files changed")
        );
    }
}
