//! The `lock` table `vendor sync` writes into each entry.

use std::collections::BTreeMap;
use std::ops::Range;

use toml_edit::Item;

use super::entries::escapes;
use super::{Keys, Validator};
use crate::config::{Lock, Problem, RenderInputs};

pub(super) const LOCK_KEYS: &[&str] = &["version", "digest", "commit", "images", "files", "render"];
pub(super) const RENDER_KEYS: &[&str] = &[
    "release",
    "namespace",
    "kube-version",
    "api-versions",
    "include-crds",
    "helm",
    "renderer",
    "values",
];
const VALUES_KEYS: &[&str] = &["file", "digest"];

impl Validator {
    pub(super) fn lock(&mut self, what: &str, item: &Item) -> Option<Lock> {
        let Some(t) = item.as_table_like() else {
            self.type_error("lock", "a table", item);
            return None;
        };
        let keys = Keys::new(t, what.to_string(), LOCK_KEYS);
        self.unknown_keys(&keys);
        let mut lock = Lock {
            version: self.string(&keys, "version").map(|v| v.0),
            ..Lock::default()
        };
        if let Some((d, span)) = self.string(&keys, "digest") {
            self.digest(&d, span);
            lock.digest = Some(d);
        }
        if let Some((c, span)) = self.string(&keys, "commit") {
            let ok = (c.len() == 40 || c.len() == 64)
                && c.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if !ok {
                self.problems.push(
                    Problem::new(format!("{c:?} is not a git commit id"), span)
                        .label("expected 40 (or 64) lowercase hex digits")
                        .help("lock data is written by `vendor sync`; run it to rewrite the lock"),
                );
            }
            lock.commit = Some(c);
        }
        lock.images = self
            .string_list(&keys, "images")
            .unwrap_or_default()
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        if let Some((_, files)) = keys.get("files") {
            match files.as_table_like() {
                None => self.type_error("files", "a table of file = \"sha256:...\"", files),
                Some(ft) => {
                    let mut map = BTreeMap::new();
                    for (file, d) in ft.iter() {
                        let span = self.span_of_item(d);
                        match d.as_str() {
                            Some(s) => {
                                self.digest(s, span.clone());
                                if escapes(file) {
                                    self.problems.push(
                                        Problem::new(
                                            format!("lock file path {file:?} leaves the entry's directory"),
                                            ft.key(file).and_then(toml_edit::Key::span).unwrap_or(span),
                                        )
                                        .label("path escapes")
                                        .help("paths in lock data are relative to upstream/NAME; run `vendor sync` to rewrite them"),
                                    );
                                }
                                map.insert(file.to_string(), s.to_string());
                            }
                            None => self.type_error(file, "a digest string", d),
                        }
                    }
                    lock.files = map;
                }
            }
        }
        if let Some((_, item)) = keys.get("render") {
            lock.render = self.render_inputs(&format!("{what}.render"), item);
        }
        Some(lock)
    }

    /// `[KIND.NAME.lock.render]`: the recorded inputs of a chart render.
    fn render_inputs(&mut self, what: &str, item: &Item) -> Option<RenderInputs> {
        let Some(t) = item.as_table_like() else {
            self.type_error("render", "a table", item);
            return None;
        };
        let keys = Keys::new(t, what.to_string(), RENDER_KEYS);
        self.unknown_keys(&keys);
        let mut r = RenderInputs {
            release: self
                .string(&keys, "release")
                .map(|s| s.0)
                .unwrap_or_default(),
            namespace: self
                .string(&keys, "namespace")
                .map(|s| s.0)
                .unwrap_or_default(),
            kube_version: self
                .string(&keys, "kube-version")
                .map(|s| s.0)
                .unwrap_or_default(),
            api_versions: self
                .string_list(&keys, "api-versions")
                .unwrap_or_default()
                .into_iter()
                .map(|(s, _)| s)
                .collect(),
            include_crds: self.bool(&keys, "include-crds").unwrap_or(false),
            helm: self.string(&keys, "helm").map(|s| s.0).unwrap_or_default(),
            renderer: self
                .string(&keys, "renderer")
                .map(|s| s.0)
                .unwrap_or_default(),
            values: Vec::new(),
        };
        if let Some((_, values)) = keys.get("values") {
            let expected = "an array of { file = \"...\", digest = \"sha256:...\" }";
            match values.as_array() {
                None => self.type_error("values", expected, values),
                Some(array) => {
                    for v in array.iter() {
                        let span = v.span().unwrap_or(0..0);
                        let Some(t) = v.as_inline_table() else {
                            self.problems.push(
                                Problem::new(
                                    format!("`values` must hold tables: {expected}"),
                                    span,
                                )
                                .label("expected { file, digest }"),
                            );
                            continue;
                        };
                        let keys = Keys::new(t, format!("{what}.values"), VALUES_KEYS);
                        self.unknown_keys(&keys);
                        let file = self.string(&keys, "file");
                        let digest = self.string(&keys, "digest");
                        if let Some((d, span)) = &digest {
                            self.digest(d, span.clone());
                        }
                        match (file, digest) {
                            (Some((f, _)), Some((d, _))) => r.values.push((f, d)),
                            _ => self.problems.push(
                                Problem::new("a values file in lock data needs `file` and `digest`", span)
                                    .label("incomplete")
                                    .help("lock data is written by `vendor sync`; run it to rewrite the lock"),
                            ),
                        }
                    }
                }
            }
        }
        Some(r)
    }

    pub(super) fn digest(&mut self, d: &str, span: Range<usize>) {
        let ok = crate::digest::hex_of(d).is_some();
        if !ok {
            self.problems.push(
                Problem::new(format!("{d:?} is not a sha256 digest"), span)
                    .label("expected sha256:<64 lowercase hex digits>")
                    .help("lock data is written by `vendor sync`; run it to rewrite the lock"),
            );
        }
    }
}
