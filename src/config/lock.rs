//! Writing lock data (and versions) back into vendor.toml in place: comments, key order and blank
//! lines survive, and the file is not touched when its bytes would not change. Writes go through
//! a temporary file in the same directory and a rename, so the file is never half-written.

use std::path::Path;

use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, value};

use super::{Config, Lock};

/// Why vendor.toml could not be rewritten.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LockWriteError {
    #[error("entry `{name}` is not in {}", path.display())]
    #[diagnostic(help("the file changed while vendor was running; run the command again"))]
    NoSuchEntry {
        path: std::path::PathBuf,
        name: String,
    },
    #[error("{} changed while vendor was running: {what}", path.display())]
    #[diagnostic(help("nothing was written; run the command again"))]
    Changed {
        path: std::path::PathBuf,
        what: String,
    },
    #[error("vendor.toml no longer parses")]
    Parse(#[from] toml_edit::TomlError),
    #[error("cannot write {}", path.display())]
    Write {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// An edit to one entry: a new pinned version and/or new lock data.
#[derive(Debug, Clone, Default)]
pub struct EntryUpdate {
    pub name: String,
    pub version: Option<String>,
    pub lock: Option<Lock>,
}

/// Applies `updates` to the text of vendor.toml and returns the new text.
pub fn apply(config: &Config, updates: &[EntryUpdate]) -> Result<String, LockWriteError> {
    let mut doc: DocumentMut = config.source.parse()?;
    for u in updates {
        let entry = config
            .entry(&u.name)
            .ok_or_else(|| LockWriteError::NoSuchEntry {
                path: config.path.clone(),
                name: u.name.clone(),
            })?;
        let kind = entry.source.kind();
        let table = doc
            .get_mut(kind)
            .and_then(|k| k.get_mut(&u.name))
            .and_then(Item::as_table_like_mut)
            .ok_or_else(|| LockWriteError::NoSuchEntry {
                path: config.path.clone(),
                name: u.name.clone(),
            })?;
        if let Some(v) = &u.version
            && table.get("version").and_then(Item::as_str) != Some(v.as_str())
        {
            set_str(table.get_mut("version"), v, |item| {
                *item = value(v.as_str())
            });
        }
        if let Some(lock) = &u.lock {
            write_lock(table, lock);
        }
    }
    Ok(doc.to_string())
}

/// Applies `updates` to vendor.toml as it is on disk now (call with the repository lock held):
/// lock data written by this run goes into the current file, so that edits made to the file
/// since `config` was read are kept. An entry this run changes must be unchanged on disk (its
/// source, version and lock data), else the run's result may not match it: that is an error.
/// Returns the new text and whether it differs from what is on disk.
pub fn apply_current(
    config: &Config,
    updates: &[EntryUpdate],
) -> Result<(String, bool), LockWriteError> {
    let now = std::fs::read_to_string(&config.path).map_err(|source| LockWriteError::Write {
        path: config.path.clone(),
        source,
    })?;
    if now == config.source {
        let text = apply(config, updates)?;
        let changed = text != now;
        return Ok((text, changed));
    }
    let current = super::parse(&config.path, now.clone()).map_err(|e| LockWriteError::Changed {
        path: config.path.clone(),
        what: format!("it no longer loads ({e})"),
    })?;
    if current.settings != config.settings {
        return Err(LockWriteError::Changed {
            path: config.path.clone(),
            what: "[settings] was edited".into(),
        });
    }
    for u in updates {
        let strip = |e: &super::Entry| super::Entry {
            span: 0..0,
            ..e.clone()
        };
        let before = config.entry(&u.name).map(strip);
        let after = current.entry(&u.name).map(strip);
        if before != after {
            return Err(LockWriteError::Changed {
                path: config.path.clone(),
                what: format!("entry `{}` was edited", u.name),
            });
        }
    }
    let text = apply(&current, updates)?;
    let changed = text != now;
    Ok((text, changed))
}

/// Applies `updates` and writes vendor.toml if its bytes changed. Returns whether it wrote.
pub fn write(config: &Config, updates: &[EntryUpdate]) -> Result<bool, LockWriteError> {
    let text = apply(config, updates)?;
    if text == config.source {
        return Ok(false);
    }
    write_atomically(&config.path, text.as_bytes()).map_err(|source| LockWriteError::Write {
        path: config.path.clone(),
        source,
    })?;
    Ok(true)
}

/// Writes `bytes` to `path` through a temporary file beside it (`.NAME.tmp-XXXXXX`) and a
/// rename. With `clobber` false, fails (`AlreadyExists`) instead of replacing an existing file.
/// A new file gets the mode any tool gives it (0666 less the umask: 0644 usually); an existing
/// file keeps its mode.
fn write_via_temp(path: &Path, bytes: &[u8], clobber: bool) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = new_file_builder()
        .prefix(&format!(".{name}.tmp-"))
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
    }
    if clobber {
        tmp.persist(path).map_err(|e| e.error)?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| e.error)?;
    }
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file beside it and a rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_via_temp(path, bytes, true)
}

/// Creates `path` with `bytes`, atomically, failing with `AlreadyExists` if it exists (two
/// runs racing to create it: one wins, the other fails).
pub fn create_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_via_temp(path, bytes, false)
}

/// A temporary-file builder whose files are created like `File::create`'s: 0666 less the umask
/// (tempfile's own default is 0600, meant for private scratch files).
fn new_file_builder<'a, 'b>() -> tempfile::Builder<'a, 'b> {
    let mut b = tempfile::Builder::new();
    #[cfg(unix)]
    b.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    b
}

fn set_str(item: Option<&mut Item>, v: &str, fallback: impl FnOnce(&mut Item)) {
    if let Some(item) = item {
        // Keep the item's decoration (comments, spacing) and replace only the value.
        if let Some(old) = item.as_value_mut() {
            let decor = old.decor().clone();
            *old = v.into();
            *old.decor_mut() = decor;
        } else {
            fallback(item);
        }
    }
}

/// Rewrites the `lock` sub-table of an entry, keeping its position and decoration when present.
fn write_lock(entry: &mut dyn toml_edit::TableLike, lock: &Lock) {
    let existing = entry.get(LOCK_KEY).map(toml_edit::Item::is_table);
    let mut t = match entry.get_mut(LOCK_KEY).and_then(Item::as_table_mut) {
        Some(t) => std::mem::take(t),
        None => Table::new(),
    };
    fill_lock_table(&mut t, lock);
    match existing {
        Some(true) | None => {
            entry.insert(LOCK_KEY, Item::Table(t));
        }
        Some(false) => {
            entry.insert(LOCK_KEY, Item::Value(t.into_inline_table().into()));
        }
    }
}

const LOCK_KEY: &str = "lock";

fn fill_lock_table(t: &mut Table, lock: &Lock) {
    set_or_remove(t, "version", lock.version.as_deref());
    set_or_remove(t, "digest", lock.digest.as_deref());
    // A new `commit` goes right after `digest`: what was fetched, then what was found in it.
    let images_first = lock.commit.is_some() && !t.contains_key("commit");
    let images = if images_first {
        t.remove("images")
    } else {
        None
    };
    set_or_remove(t, "commit", lock.commit.as_deref());
    if let Some(images) = images {
        t.insert("images", images);
    }
    let mut images = Array::new();
    for i in &lock.images {
        images.push(i.as_str());
    }
    multiline(&mut images);
    replace_value(t, "images", images.into());
    let mut files = InlineTable::new();
    for (k, v) in &lock.files {
        files.insert(k, v.as_str().into());
    }
    // Many files read best as a sub-table, one per line.
    let mut ft = files.into_table();
    ft.set_implicit(false);
    if let Some(old) = t.get_mut("files").and_then(Item::as_table_mut) {
        let decor = old.decor().clone();
        *old = ft;
        *old.decor_mut() = decor;
    } else {
        t.insert("files", Item::Table(ft));
    }
    write_render(t, lock.render.as_ref());
}

/// The `render` sub-table of a chart's lock (its inputs besides the archive). A new one goes
/// before `files`, so the inputs read before the (long) list of outputs: a table without a
/// document position is written after the table visited before it.
fn write_render(t: &mut Table, render: Option<&super::RenderInputs>) {
    let Some(r) = render else {
        t.remove("render");
        return;
    };
    let mut rt = match t.get_mut("render").and_then(Item::as_table_mut) {
        Some(old) => std::mem::take(old),
        None => Table::new(),
    };
    rt.set_implicit(false);
    replace_value(&mut rt, "release", r.release.as_str().into());
    replace_value(&mut rt, "namespace", r.namespace.as_str().into());
    replace_value(&mut rt, "kube-version", r.kube_version.as_str().into());
    let mut apis = Array::new();
    for a in &r.api_versions {
        apis.push(a.as_str());
    }
    replace_value(&mut rt, "api-versions", apis.into());
    replace_value(&mut rt, "include-crds", r.include_crds.into());
    replace_value(&mut rt, "helm", r.helm.as_str().into());
    replace_value(&mut rt, "renderer", r.renderer.as_str().into());
    let mut values = Array::new();
    for (file, digest) in &r.values {
        let mut v = InlineTable::new();
        v.insert("file", file.as_str().into());
        v.insert("digest", digest.as_str().into());
        values.push(v);
    }
    multiline(&mut values);
    replace_value(&mut rt, "values", values.into());
    if t.contains_key("render") {
        t.insert("render", Item::Table(rt));
    } else {
        let files = t.remove("files");
        t.insert("render", Item::Table(rt));
        if let Some(files) = files {
            t.insert("files", files);
        }
    }
}

fn set_or_remove(t: &mut Table, key: &str, v: Option<&str>) {
    match v {
        Some(v) => replace_value(t, key, v.into()),
        None => {
            t.remove(key);
        }
    }
}

fn replace_value(t: &mut Table, key: &str, new: toml_edit::Value) {
    if let Some(old) = t.get_mut(key).and_then(Item::as_value_mut) {
        if old.to_string().trim() == new.to_string().trim() {
            return;
        }
        let decor = old.decor().clone();
        *old = new;
        *old.decor_mut() = decor;
    } else {
        t.insert(key, Item::Value(new));
    }
}

fn multiline(a: &mut Array) {
    if a.is_empty() {
        return;
    }
    for v in a.iter_mut() {
        v.decor_mut().set_prefix("\n  ");
    }
    a.set_trailing("\n");
    a.set_trailing_comma(true);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    const TEXT: &str = r#"# Our upstreams.
[settings]
kube-version = "1.31.0"   # what we run

# Argo CD, pinned.
[manifest.argocd]
url = "https://example.com/{version}/install.yaml"
version = "v2.14.21" # bump with `vendor update`

[manifest.other]
url = "https://example.com/{version}/other.yaml"
version = "v1.0.0"
"#;

    fn config() -> Config {
        crate::config::parse(Path::new("vendor.toml"), TEXT.into()).unwrap()
    }

    fn lock() -> Lock {
        Lock {
            commit: None,
            version: Some("v2.14.21".into()),
            digest: Some(format!("sha256:{}", "a".repeat(64))),
            images: vec![
                "quay.io/argoproj/argocd:v2.14.21".into(),
                "redis:7.0.15".into(),
            ],
            files: BTreeMap::from([("install.yaml".into(), format!("sha256:{}", "b".repeat(64)))]),
            render: None,
        }
    }

    #[test]
    fn writes_lock_keeping_comments_and_order() {
        let c = config();
        let out = apply(
            &c,
            &[EntryUpdate {
                name: "argocd".into(),
                version: None,
                lock: Some(lock()),
            }],
        )
        .unwrap();
        assert!(out.starts_with(
            "# Our upstreams.\n[settings]\nkube-version = \"1.31.0\"   # what we run\n"
        ));
        assert!(out.contains("version = \"v2.14.21\" # bump with `vendor update`\n"));
        let reparsed = crate::config::parse(Path::new("vendor.toml"), out.clone()).unwrap();
        assert_eq!(reparsed.entries[0].lock, Some(lock()));
        assert!(
            out.find("[manifest.argocd.lock]").unwrap() < out.find("[manifest.other]").unwrap(),
            "{out}"
        );
        // Writing the same lock again changes nothing.
        let again = apply(
            &reparsed,
            &[EntryUpdate {
                name: "argocd".into(),
                version: None,
                lock: Some(lock()),
            }],
        )
        .unwrap();
        assert_eq!(again, out);
    }

    #[test]
    fn render_inputs_round_trip_before_files() {
        let c = config();
        let mut l = lock();
        l.render = Some(crate::config::RenderInputs {
            release: "r".into(),
            namespace: "n".into(),
            kube_version: "1.31.0".into(),
            api_versions: vec!["x/v1".into()],
            include_crds: true,
            helm: "3".into(),
            renderer: "helm-render 0.1.0".into(),
            values: vec![
                ("values/b.yaml".into(), format!("sha256:{}", "c".repeat(64))),
                ("values/a.yaml".into(), format!("sha256:{}", "d".repeat(64))),
            ],
        });
        let update = |c: &Config| {
            apply(
                c,
                &[EntryUpdate {
                    name: "argocd".into(),
                    version: None,
                    lock: Some(l.clone()),
                }],
            )
            .unwrap()
        };
        let out = update(&c);
        let reparsed = crate::config::parse(Path::new("vendor.toml"), out.clone()).unwrap();
        assert_eq!(reparsed.entries[0].lock.as_ref(), Some(&l), "{out}");
        assert!(
            out.find("[manifest.argocd.lock.render]").unwrap()
                < out.find("[manifest.argocd.lock.files]").unwrap(),
            "{out}"
        );
        assert_eq!(update(&reparsed), out, "idempotent");
    }

    #[test]
    fn tree_digest_is_over_sorted_file_lines() {
        let files = BTreeMap::from([
            ("b.yaml".to_string(), "sha256:2".to_string()),
            ("a.yaml".to_string(), "sha256:1".to_string()),
        ]);
        let expected = crate::digest::of_bytes(b"a.yaml sha256:1\nb.yaml sha256:2\n");
        assert_eq!(crate::digest::of_tree(&files), expected);
    }

    #[test]
    fn no_updates_keep_bytes() {
        let c = config();
        assert_eq!(apply(&c, &[]).unwrap(), TEXT);
    }

    #[test]
    fn version_bump_keeps_trailing_comment() {
        let c = config();
        let out = apply(
            &c,
            &[EntryUpdate {
                name: "argocd".into(),
                version: Some("v2.14.22".into()),
                lock: None,
            }],
        )
        .unwrap();
        assert!(
            out.contains("version = \"v2.14.22\" # bump with `vendor update`\n"),
            "{out}"
        );
    }
}
