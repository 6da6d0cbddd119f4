//! Reading one side of a diff: a manifest file, a directory of manifests (recursively, `*.yaml`,
//! `*.yml`, `*.json`), or `-` for stdin, into [`Resource`]s. `List` objects are expanded.

use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{Origin, Resource};
use kyaml::Value;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("failed to read {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `location` is `file:line:column` (or just the file when the parser gave no position).
    #[error("{location}: invalid YAML: {message}")]
    Yaml { location: String, message: String },
    #[error(
        "{file}:{line}: document is not a Kubernetes object (it needs `apiVersion` and `kind`)"
    )]
    NotAnObject { file: String, line: u32 },
    #[error("{path} does not exist")]
    Missing { path: PathBuf },
}

/// Reads `path` (a file, a directory, or `-` for stdin). In a directory, documents that are not
/// Kubernetes objects (a kustomization.yaml, a values file) are skipped; in a named file they are
/// an error.
pub fn load_path(path: &Path) -> Result<Vec<Resource>, LoadError> {
    if path == Path::new("-") {
        let mut src = String::new();
        std::io::stdin()
            .read_to_string(&mut src)
            .map_err(|source| LoadError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        return load_str(&src, "-", true);
    }
    let meta = std::fs::metadata(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => LoadError::Missing {
            path: path.to_path_buf(),
        },
        _ => LoadError::Io {
            path: path.to_path_buf(),
            source,
        },
    })?;
    if !meta.is_dir() {
        let src = read(path)?;
        return load_str(&src, &path.display().to_string(), true);
    }
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(path)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && is_manifest_name(e.path()))
        .map(walkdir::DirEntry::into_path)
        .collect();
    files.sort();
    let sides: Vec<Result<Vec<Resource>, LoadError>> = files
        .par_iter()
        .map(|file| {
            let shown = file
                .strip_prefix(path)
                .unwrap_or(file)
                .display()
                .to_string();
            load_str(&read(file)?, &shown, false)
        })
        .collect();
    let mut out = Vec::new();
    for side in sides {
        out.extend(side?);
    }
    Ok(out)
}

/// Reads an in-memory tree (`relative path -> bytes`, e.g. what the fetch layer prepared for an
/// entry at another version). Like a directory: `*.yaml`/`*.yml`/`*.json` files only, documents
/// that are not Kubernetes objects (kustomization.yaml) skipped; `label` prefixes the file names
/// in origins (e.g. `upstream@v2.14.21`).
pub fn load_files<'f>(
    files: impl IntoIterator<Item = (&'f str, &'f [u8])>,
    label: &str,
) -> Result<Vec<Resource>, LoadError> {
    let mut out = Vec::new();
    for (name, bytes) in files {
        if !is_manifest_name(Path::new(name)) {
            continue;
        }
        let shown = if label.is_empty() {
            name.to_string()
        } else {
            format!("{label}/{name}")
        };
        let src = std::str::from_utf8(bytes).map_err(|e| LoadError::Yaml {
            location: shown.clone(),
            message: format!("not UTF-8 ({e})"),
        })?;
        out.extend(load_str(src, &shown, false)?);
    }
    Ok(out)
}

fn is_manifest_name(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

fn read(path: &Path) -> Result<String, LoadError> {
    std::fs::read_to_string(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Parses the documents of one file. `strict`: a document that is not a Kubernetes object is an
/// error rather than skipped. Empty documents are always skipped.
pub fn load_str(src: &str, file: &str, strict: bool) -> Result<Vec<Resource>, LoadError> {
    let docs = kyaml::parse_documents(src, kyaml::Dialect::Kube).map_err(|e| LoadError::Yaml {
        location: match e.pos {
            Some(p) => format!("{file}:{}:{}", p.line, p.column),
            None => file.to_string(),
        },
        message: e.message,
    })?;
    let mut out = Vec::with_capacity(docs.len());
    for doc in docs {
        let line = doc_line(&doc);
        if doc.value.is_null() {
            continue;
        }
        let origin = Origin {
            file: file.to_string(),
            line: Some(line),
        };
        push_object(doc.value, origin, strict, &mut out)?;
    }
    Ok(out)
}

fn push_object(
    value: Value,
    origin: Origin,
    strict: bool,
    out: &mut Vec<Resource>,
) -> Result<(), LoadError> {
    let is_list = value
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k == "List" || k.ends_with("List"))
        && value.get("items").and_then(Value::as_seq).is_some();
    if is_list {
        if let Value::Map(mut m) = value
            && let Some(Value::Seq(items)) = m.shift_remove("items")
        {
            for item in items {
                push_object(item, origin.clone(), strict, out)?;
            }
        }
        return Ok(());
    }
    let line = origin.line.unwrap_or(1);
    let file = origin.file.clone();
    match Resource::new(value, origin) {
        Some(r) => out.push(r),
        None if strict => return Err(LoadError::NotAnObject { file, line }),
        None => {}
    }
    Ok(())
}

fn doc_line(doc: &kyaml::Document) -> u32 {
    doc.start.line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_expanded_and_positions_kept() {
        let src = "---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n---\n# empty\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\n";
        let rs = load_str(src, "f.yaml", true).unwrap();
        let got: Vec<(String, Option<u32>)> = rs
            .iter()
            .map(|r| (r.key.to_string(), r.origin.line))
            .collect();
        assert_eq!(
            got,
            [
                ("ConfigMap/a".to_string(), Some(2)),
                ("Secret/b".to_string(), Some(11))
            ]
        );
    }

    #[test]
    fn in_memory_trees_skip_non_objects_and_other_files() {
        let files = [
            (
                "kustomization.yaml",
                "resources: [install.yaml]\n".as_bytes(),
            ),
            (
                "install.yaml",
                b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n".as_slice(),
            ),
            ("README.md", b"# not yaml: [".as_slice()),
        ];
        let rs = load_files(files, "upstream@v2").unwrap();
        assert_eq!(rs.len(), 1);
        assert_eq!(rs[0].origin.file, "upstream@v2/install.yaml");
        let err = load_str("kind: [", "x.yaml", true).unwrap_err().to_string();
        assert!(err.starts_with("x.yaml:2:1: invalid YAML"), "{err}");
    }
}
