//! The `lock` table `vendor sync` writes into each entry.

use std::collections::BTreeMap;
use std::ops::Range;

use toml_edit::Item;

use super::entries::escapes;
use super::{Keys, Validator};
use crate::config::{Lock, Problem};

pub(super) const LOCK_KEYS: &[&str] = &["version", "digest", "images", "files"];

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
        Some(lock)
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
