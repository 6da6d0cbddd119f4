//! Kubernetes objects read from manifest files: multi-document YAML split into [`Resource`]s
//! that remember where they came from (file, document, line), with the input limits that keep
//! hostile files bounded. What to do with the objects is other modules' business.

use std::path::Path;

use crate::diag::Pos;
use kyaml::{Dialect, Value};

/// Files above this size are refused rather than parsed.
pub const MAX_MANIFEST_BYTES: u64 = 32 * 1024 * 1024;

/// One Kubernetes object and where it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub value: Value,
    /// Path relative to the repository root, `/`-separated.
    pub file: String,
    /// Index of the document in its file (counting empty documents).
    pub doc_index: usize,
    /// Where the document starts.
    pub start: Pos,
}

impl Resource {
    pub fn kind(&self) -> &str {
        self.value.get("kind").and_then(Value::as_str).unwrap_or("")
    }

    pub fn name(&self) -> &str {
        self.value
            .path(&["metadata", "name"])
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    pub fn namespace(&self) -> Option<&str> {
        self.value
            .path(&["metadata", "namespace"])
            .and_then(Value::as_str)
    }

    /// `Kind/namespace/name`, or `Kind/name` for objects without a namespace.
    pub fn display_id(&self) -> String {
        display_id(&self.value)
    }
}

/// `Kind/namespace/name`, or `Kind/name` for objects without a namespace.
pub fn display_id(v: &Value) -> String {
    let kind = v.get("kind").and_then(Value::as_str).unwrap_or("?");
    let name = v
        .path(&["metadata", "name"])
        .and_then(Value::as_str)
        .unwrap_or("?");
    match v.path(&["metadata", "namespace"]).and_then(Value::as_str) {
        Some(ns) => format!("{kind}/{ns}/{name}"),
        None => format!("{kind}/{name}"),
    }
}

/// Why a manifest file could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LoadError {
    #[error("{file}: cannot read: {message}")]
    Io { file: String, message: String },
    #[error("{file}: file is {size} bytes, above the {limit} byte limit for a manifest")]
    TooLarge { file: String, size: u64, limit: u64 },
    #[error("{file}: not valid UTF-8 (first bad byte at offset {offset})")]
    NotUtf8 { file: String, offset: usize },
    #[error("{file}:{}:{}: invalid YAML: {message}", pos.line, pos.column)]
    Yaml {
        file: String,
        pos: Pos,
        message: String,
    },
}

impl LoadError {
    /// What to do about it.
    pub fn help(&self) -> &'static str {
        match self {
            LoadError::Io { .. } => "check that the file exists and is readable",
            LoadError::TooLarge { .. } => "split the manifest, or vendor it as several files",
            LoadError::NotUtf8 { .. } => "Kubernetes manifests are UTF-8; re-sync the entry",
            LoadError::Yaml { .. } => {
                "fix the YAML at that line, or re-sync the entry with `vendor sync`"
            }
        }
    }
}

/// A manifest file's text and objects.
#[derive(Debug, Clone)]
pub struct LoadedFile {
    pub file: String,
    pub text: std::sync::Arc<str>,
    pub resources: Vec<Resource>,
}

impl LoadedFile {
    /// Moves the decoded objects out (as documents with their index in the file), leaving the
    /// text and each document's position: enough to locate fields later.
    pub fn take_documents(&mut self) -> Vec<(kyaml::Document, usize)> {
        self.resources
            .iter_mut()
            .map(|r| {
                let doc = kyaml::Document {
                    value: std::mem::take(&mut r.value),
                    start: r.start,
                };
                (doc, r.doc_index)
            })
            .collect()
    }
}

/// Reads one manifest file. `shown` is the path used in messages and in each [`Resource`].
pub fn load_file(path: &Path, shown: &str) -> Result<LoadedFile, LoadError> {
    let io = |e: std::io::Error| LoadError::Io {
        file: shown.to_string(),
        message: e.to_string(),
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_MANIFEST_BYTES {
        return Err(LoadError::TooLarge {
            file: shown.to_string(),
            size,
            limit: MAX_MANIFEST_BYTES,
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let text = String::from_utf8(bytes).map_err(|e| LoadError::NotUtf8 {
        file: shown.to_string(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    let resources = parse(&text, shown)?;
    Ok(LoadedFile {
        file: shown.to_string(),
        text: text.into(),
        resources,
    })
}

/// Splits YAML text into objects, skipping empty documents and `List` wrappers' nesting
/// (items of a `kind: List` are returned as objects of their own).
pub fn parse(text: &str, shown: &str) -> Result<Vec<Resource>, LoadError> {
    let docs = kyaml::parse_documents(text, Dialect::Kube).map_err(|e| LoadError::Yaml {
        file: shown.to_string(),
        pos: e.pos.unwrap_or(Pos { line: 1, column: 1 }),
        message: e.message.clone(),
    })?;
    let mut out = Vec::new();
    for (doc_index, doc) in docs.into_iter().enumerate() {
        match doc.value {
            Value::Null => {}
            Value::Map(_) => out.push(Resource {
                value: doc.value,
                file: shown.to_string(),
                doc_index,
                start: doc.start,
            }),
            other => {
                return Err(LoadError::Yaml {
                    file: shown.to_string(),
                    pos: doc.start,
                    message: format!(
                        "a Kubernetes object must be a mapping, found a {}",
                        other.type_name()
                    ),
                });
            }
        }
    }
    Ok(out)
}

/// Whether a file name looks like a manifest (`.yaml`, `.yml`, `.json`), and is not a
/// kustomization file.
pub fn is_manifest_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json"))
        && !is_kustomization_file(name)
}

/// Whether the last segment of a path is one of the names kustomize reads as a kustomization.
pub fn is_kustomization_file(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    kustomize::FILE_NAMES.contains(&base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_ids() {
        let v = Value::from(
            serde_json::json!({"kind": "Deployment", "metadata": {"name": "a", "namespace": "ns"}}),
        );
        assert_eq!(display_id(&v), "Deployment/ns/a");
        let v = Value::from(serde_json::json!({"kind": "ClusterRole", "metadata": {"name": "a"}}));
        assert_eq!(display_id(&v), "ClusterRole/a");
    }

    #[test]
    fn manifest_file_names() {
        assert!(is_manifest_file("install.yaml"));
        assert!(is_manifest_file("a/B.YML"));
        assert!(!is_manifest_file("kustomization.yaml"));
        assert!(!is_manifest_file("sub/kustomization.yml"));
        assert!(!is_manifest_file("README.md"));
    }
}
