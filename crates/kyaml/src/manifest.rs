//! Kubernetes manifests: which files are manifests, and how a manifest file becomes objects.
//! One [`Resource`] type and one set of rules for every reader (drift and image checks, the
//! diff, lock data): multi-document YAML, empty documents skipped, `List` objects expanded on
//! request, a size cap on files, UTF-8 required, every object remembering its file, document
//! index and starting line.

use std::io::Read;
use std::path::Path;

use crate::{Dialect, Document, Pos, Value};

/// Files above this size are refused rather than parsed.
pub const MAX_MANIFEST_BYTES: u64 = 32 * 1024 * 1024;

/// The names kustomize reads as a kustomization (they are not manifests).
pub const KUSTOMIZATION_FILE_NAMES: &[&str] =
    &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// One Kubernetes object and where it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub value: Value,
    /// The file as shown to users (relative to what was read, `/`-separated), `-` for stdin.
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

    pub fn api_version(&self) -> &str {
        self.value
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("")
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

    /// Whether it has the `apiVersion` and `kind` every Kubernetes object has.
    pub fn is_object(&self) -> bool {
        !self.api_version().is_empty() && !self.kind().is_empty()
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

/// Why a manifest could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LoadError {
    #[error("{file}: cannot read: {message}")]
    Io { file: String, message: String },
    #[error("{file} does not exist")]
    Missing { file: String },
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
    #[error(
        "{file}:{line}: document is not a Kubernetes object (it needs `apiVersion` and `kind`)"
    )]
    NotAnObject { file: String, line: u32 },
}

impl LoadError {
    /// What to do about it.
    pub fn help(&self) -> &'static str {
        match self {
            LoadError::Io { .. } => "check that the file exists and is readable",
            LoadError::Missing { .. } => "check the path",
            LoadError::TooLarge { .. } => "split the manifest, or vendor it as several files",
            LoadError::NotUtf8 { .. } => "Kubernetes manifests are UTF-8",
            LoadError::Yaml { .. } => "fix the YAML at that line",
            LoadError::NotAnObject { .. } => "a manifest holds objects with apiVersion and kind",
        }
    }
}

/// How documents become resources.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// Return the items of `kind: List` (and `*List`) objects instead of the list.
    pub expand_lists: bool,
    /// A mapping without `apiVersion` and `kind` is an error instead of being skipped.
    pub strict: bool,
    /// Mappings without `apiVersion`/`kind` are kept (callers that judge them later).
    pub keep_non_objects: bool,
}

/// Whether a file name looks like a manifest (`.yaml`, `.yml`, `.json`, any case), and is not a
/// kustomization file.
pub fn is_manifest_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json"))
        && !is_kustomization_file(name)
}

/// Whether the last segment of a path is one of the names kustomize reads as a kustomization.
pub fn is_kustomization_file(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    KUSTOMIZATION_FILE_NAMES.contains(&base)
}

/// Splits YAML text into resources. Empty documents are skipped; a document that is not a
/// mapping is an error. Large texts are parsed on several cores (with the same result).
pub fn parse(text: &str, file: &str, opts: ParseOptions) -> Result<Vec<Resource>, LoadError> {
    let docs = parse_whole(text, file)?;
    let mut out = Vec::with_capacity(docs.len());
    for (doc_index, doc) in docs.into_iter().enumerate() {
        push_document(doc, doc_index, file, opts, &mut out)?;
    }
    Ok(out)
}

/// The documents of a whole text, or its first error.
fn parse_whole(text: &str, file: &str) -> Result<Vec<Document>, LoadError> {
    crate::parse_documents_parallel(text, Dialect::Kube).map_err(|e| LoadError::Yaml {
        file: file.to_string(),
        pos: e.pos.unwrap_or(Pos { line: 1, column: 1 }),
        message: e.message.clone(),
    })
}

/// Adds the resources of one document (none when it is empty).
fn push_document(
    doc: Document,
    doc_index: usize,
    file: &str,
    opts: ParseOptions,
    out: &mut Vec<Resource>,
) -> Result<(), LoadError> {
    let Document { value, start } = doc;
    match value {
        Value::Null => Ok(()),
        Value::Map(_) => {
            let r = Resource {
                value,
                file: file.to_string(),
                doc_index,
                start,
            };
            push(r, opts, out)
        }
        other => Err(LoadError::Yaml {
            file: file.to_string(),
            pos: start,
            message: format!(
                "a Kubernetes object must be a mapping, found a {}",
                other.type_name()
            ),
        }),
    }
}

fn push(r: Resource, opts: ParseOptions, out: &mut Vec<Resource>) -> Result<(), LoadError> {
    let is_list = opts.expand_lists
        && r.value
            .get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| k.ends_with("List"))
        && r.value.get("items").and_then(Value::as_seq).is_some();
    if is_list {
        let Resource {
            value,
            file,
            doc_index,
            start,
        } = r;
        if let Value::Map(mut m) = value
            && let Some(Value::Seq(items)) = m.shift_remove("items")
        {
            for value in items {
                let item = Resource {
                    value,
                    file: file.clone(),
                    doc_index,
                    start,
                };
                push(item, opts, out)?;
            }
        }
        return Ok(());
    }
    if r.is_object() || opts.keep_non_objects {
        out.push(r);
    } else if opts.strict {
        return Err(LoadError::NotAnObject {
            file: r.file,
            line: r.start.line,
        });
    }
    Ok(())
}

/// A manifest file's resources, and how to see its text again to find fields in it.
///
/// The text is the largest thing a loaded file holds and is rarely looked at again (only to
/// place a finding on a line), so a large file is read and parsed piece by piece, each piece's
/// text freed once parsed ([`crate::read_pieces`]). Only the pieces with a null in a document
/// are kept: kustomize looks at how a null was spelled ([`LoadedFile::null_source`]).
/// [`LoadedFile::text`] reads the file again, once, and uses that reading only if it is the
/// text the resources came from (same length and checksum).
#[derive(Debug, Clone)]
pub struct LoadedFile {
    /// The file as shown to users.
    pub file: String,
    pub resources: Vec<Resource>,
    /// Where the text was read from (`None`: it did not come from a file, and is kept whole).
    path: Option<std::path::PathBuf>,
    in_memory: Option<std::sync::Arc<str>>,
    /// Pieces kept for their nulls: the range of document indexes each holds, and its text.
    null_pieces: Vec<(std::ops::Range<usize>, std::sync::Arc<str>)>,
    read_again: std::sync::OnceLock<Option<Box<str>>>,
    fingerprint: Fingerprint,
}

/// Length and CRC-32 of a text: enough to tell a second reading of a file from a changed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fingerprint(usize, u32);

impl Fingerprint {
    fn of(text: &str) -> Fingerprint {
        Fingerprint(text.len(), crc32fast::hash(text.as_bytes()))
    }
}

impl LoadedFile {
    /// A file whose text is in memory already (and is kept).
    pub fn from_text(file: String, text: std::sync::Arc<str>, resources: Vec<Resource>) -> Self {
        let docs = resources.iter().map(|r| r.doc_index + 1).max().unwrap_or(0);
        LoadedFile {
            file,
            resources,
            path: None,
            fingerprint: Fingerprint::of(&text),
            null_pieces: vec![(0..docs, text.clone())],
            in_memory: Some(text),
            read_again: std::sync::OnceLock::new(),
        }
    }

    /// The text document `doc_index` was parsed from, with its index there, when it is kept:
    /// where a document of its piece holds a null.
    pub fn null_source(&self, doc_index: usize) -> Option<(std::sync::Arc<str>, usize)> {
        self.null_pieces
            .iter()
            .find(|(docs, _)| docs.contains(&doc_index))
            .map(|(docs, text)| (text.clone(), doc_index - docs.start))
    }

    /// The text the resources were parsed from: in memory, or the file read again (`None`
    /// when it cannot be read or has changed since).
    pub fn text(&self) -> Option<&str> {
        if let Some(text) = &self.in_memory {
            return Some(text);
        }
        let path = self.path.as_deref()?;
        self.read_again
            .get_or_init(|| {
                let text = read_text(path, &self.file).ok()?;
                (Fingerprint::of(&text) == self.fingerprint).then(|| text.into_boxed_str())
            })
            .as_deref()
    }

    /// Moves the decoded objects out (as documents with their index in the file), leaving
    /// each document's position: enough to locate fields later.
    pub fn take_documents(&mut self) -> Vec<(Document, usize)> {
        self.resources
            .iter_mut()
            .map(|r| {
                let doc = Document {
                    value: std::mem::take(&mut r.value),
                    start: r.start,
                };
                (doc, r.doc_index)
            })
            .collect()
    }
}

/// Reads the text of a manifest file, within [`MAX_MANIFEST_BYTES`] and as UTF-8. `shown` is
/// the path used in messages.
pub fn read_text(path: &Path, shown: &str) -> Result<String, LoadError> {
    checked_size(path, shown)?;
    let bytes = std::fs::read(path).map_err(io_error(shown))?;
    text_of(bytes, shown)
}

/// A failed read of `shown` as a load error (a missing file is said so).
fn io_error(shown: &str) -> impl Fn(std::io::Error) -> LoadError + '_ {
    move |e| match e.kind() {
        std::io::ErrorKind::NotFound => LoadError::Missing {
            file: shown.to_string(),
        },
        _ => LoadError::Io {
            file: shown.to_string(),
            message: e.to_string(),
        },
    }
}

/// The size of a manifest file, refused above [`MAX_MANIFEST_BYTES`].
fn checked_size(path: &Path, shown: &str) -> Result<u64, LoadError> {
    let size = std::fs::metadata(path).map_err(io_error(shown))?.len();
    if size > MAX_MANIFEST_BYTES {
        return Err(LoadError::TooLarge {
            file: shown.to_string(),
            size,
            limit: MAX_MANIFEST_BYTES,
        });
    }
    Ok(size)
}

/// Bytes as manifest text (UTF-8, within [`MAX_MANIFEST_BYTES`]).
pub fn text_of(bytes: Vec<u8>, shown: &str) -> Result<String, LoadError> {
    if bytes.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(LoadError::TooLarge {
            file: shown.to_string(),
            size: bytes.len() as u64,
            limit: MAX_MANIFEST_BYTES,
        });
    }
    String::from_utf8(bytes).map_err(|e| LoadError::NotUtf8 {
        file: shown.to_string(),
        offset: e.utf8_error().valid_up_to(),
    })
}

/// Reads one manifest file, in pieces when it is large (its text is kept only where needed:
/// [`LoadedFile`]).
pub fn load_file(path: &Path, shown: &str, opts: ParseOptions) -> Result<LoadedFile, LoadError> {
    let size = checked_size(path, shown)?;
    let file = std::fs::File::open(path).map_err(io_error(shown))?;
    // The size limit holds even for a file that grows while it is read.
    let reader = std::io::BufReader::new(file.take(MAX_MANIFEST_BYTES + 1));
    let raw = crate::read_pieces(reader, size as usize).map_err(io_error(shown))?;
    let total: usize = raw.iter().map(|(bytes, _)| bytes.len()).sum();
    if total as u64 > MAX_MANIFEST_BYTES {
        return Err(LoadError::TooLarge {
            file: shown.to_string(),
            size: total as u64,
            limit: MAX_MANIFEST_BYTES,
        });
    }
    let mut crc = crc32fast::Hasher::new();
    let mut pieces = Vec::with_capacity(raw.len());
    let mut read = 0usize;
    for (bytes, line) in raw {
        crc.update(&bytes);
        let len = bytes.len();
        let text = String::from_utf8(bytes).map_err(|e| LoadError::NotUtf8 {
            file: shown.to_string(),
            offset: read + e.utf8_error().valid_up_to(),
        })?;
        read += len;
        pieces.push((text, line));
    }
    let mut fingerprint = Fingerprint(read, crc.finalize());
    let has_null = |docs: &[Document]| docs.iter().any(Document::holds_null);
    let parsed = match pieces.len() {
        1 => None,
        _ => crate::parse_read_pieces(std::mem::take(&mut pieces), Dialect::Kube, has_null),
    };
    let parsed = match parsed {
        Some(parsed) => parsed,
        // One piece, or a stream that must be parsed whole (for its first error, or its
        // alias budget): the pieces read are gone by then, so the file is read again.
        None => {
            let text = match pieces.pop() {
                Some((text, _)) => text,
                None => {
                    let text = read_text(path, shown)?;
                    fingerprint = Fingerprint::of(&text);
                    text
                }
            };
            let documents = parse_whole(&text, shown)?;
            let text = has_null(&documents).then(|| std::sync::Arc::from(text));
            vec![crate::ReadPiece { documents, text }]
        }
    };
    let mut resources = Vec::new();
    let mut null_pieces = Vec::new();
    let mut doc_index = 0;
    for piece in parsed {
        let first = doc_index;
        for doc in piece.documents {
            push_document(doc, doc_index, shown, opts, &mut resources)?;
            doc_index += 1;
        }
        if let Some(text) = piece.text {
            null_pieces.push((first..doc_index, text));
        }
    }
    Ok(LoadedFile {
        file: shown.to_string(),
        resources,
        path: Some(path.to_path_buf()),
        in_memory: None,
        null_pieces,
        read_again: std::sync::OnceLock::new(),
        fingerprint,
    })
}

/// Reads standard input as one manifest.
pub fn load_stdin(opts: ParseOptions) -> Result<Vec<Resource>, LoadError> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(MAX_MANIFEST_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| LoadError::Io {
            file: "-".into(),
            message: e.to_string(),
        })?;
    parse(&text_of(bytes, "-")?, "-", opts)
}

/// The manifest files under `dir`, recursively, as `/`-separated paths relative to it, sorted.
pub fn manifest_files(dir: &Path) -> Result<Vec<String>, LoadError> {
    let mut out = Vec::new();
    walk(dir, "", &mut out).map_err(|e| LoadError::Io {
        file: dir.display().to_string(),
        message: e.to_string(),
    })?;
    out.sort();
    Ok(out)
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&entry.path(), &rel, out)?;
        } else if kind.is_file() && is_manifest_file(&rel) {
            out.push(rel);
        }
    }
    Ok(())
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

    #[test]
    fn lists_are_expanded_and_positions_kept() {
        let src = "---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n---\n# empty\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\n";
        let opts = ParseOptions {
            expand_lists: true,
            strict: true,
            keep_non_objects: false,
        };
        let rs = parse(src, "f.yaml", opts).unwrap();
        let got: Vec<(String, u32, usize)> = rs
            .iter()
            .map(|r| (r.display_id(), r.start.line, r.doc_index))
            .collect();
        assert_eq!(
            got,
            [
                ("ConfigMap/a".to_string(), 2, 0),
                ("Secret/b".to_string(), 11, 2)
            ]
        );
        let err = parse("kind: [", "x.yaml", opts).unwrap_err().to_string();
        assert!(err.starts_with("x.yaml:2:1: invalid YAML"), "{err}");
        let err = parse("a: 1\n", "x.yaml", opts).unwrap_err().to_string();
        assert!(err.contains("not a Kubernetes object"), "{err}");
        assert!(
            parse("a: 1\n", "x.yaml", ParseOptions::default())
                .unwrap()
                .is_empty()
        );
    }

    /// A loaded file keeps its text only where a document has a null, reads it again when
    /// asked otherwise, and refuses a second reading that is not the text it parsed.
    #[test]
    fn loaded_files_read_their_text_again_only_if_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.yaml");
        let load = || load_file(&path, "a.yaml", ParseOptions::default()).unwrap();
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n";
        std::fs::write(&path, text).unwrap();

        let file = load();
        assert_eq!(file.resources.len(), 1);
        assert_eq!(file.null_source(0), None);
        assert_eq!(file.text(), Some(text));
        // Read once: a later change is not seen by this file.
        std::fs::write(&path, "changed").unwrap();
        assert_eq!(file.text(), Some(text));

        // Changed after loading, to the same length or another: no text.
        std::fs::write(&path, text).unwrap();
        let file = load();
        std::fs::write(&path, text.replace("name: a", "name: b")).unwrap();
        assert_eq!(file.text(), None);
        std::fs::write(&path, text).unwrap();
        let file = load();
        std::fs::write(&path, format!("{text}# more\n")).unwrap();
        assert_eq!(file.text(), None);
        std::fs::write(&path, text).unwrap();
        let file = load();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(file.text(), None);

        // A null anywhere: the text is kept for it.
        let with_null = format!("{text}data:\n  x:\n");
        std::fs::write(&path, &with_null).unwrap();
        let file = load();
        let (kept, index) = file.null_source(0).unwrap();
        assert_eq!((&*kept, index), (with_null.as_str(), 0));
    }

    /// A large file is read and parsed in pieces: the same resources as parsing its whole
    /// text, only the pieces with nulls kept, and errors (a YAML error, bad UTF-8) where the
    /// whole text has them.
    #[test]
    fn large_files_load_in_pieces_as_their_whole_text_parses() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.yaml");
        let load = || load_file(&path, "big.yaml", ParseOptions::default());
        let doc = |i: usize| {
            let null = if i == 5000 { "  empty:\n" } else { "" };
            // An empty document (`---` twice) is not a null to keep a piece for.
            let empty = if i == 100 { "---\n" } else { "" };
            format!(
                "{empty}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\ndata:\n{null}  k: |\n    {}\n",
                "x".repeat(60)
            )
        };
        let text: String = (0..10000).map(doc).collect();
        assert!(text.len() > 4 * crate::chunked::PARALLEL_BYTES);
        std::fs::write(&path, &text).unwrap();
        let file = load().unwrap();
        assert_eq!(
            file.resources,
            parse(&text, "big.yaml", ParseOptions::default()).unwrap()
        );
        assert_eq!(file.text(), Some(text.as_str()));
        // One piece holds the null; it is kept, and only it.
        let index_of = |name: &str| {
            let r = file.resources.iter().find(|r| {
                r.value.path(&["metadata", "name"]).and_then(Value::as_str) == Some(name)
            });
            r.unwrap().doc_index
        };
        assert_eq!(index_of("c101"), 102);
        assert_eq!(file.null_source(100), None);
        assert_eq!(file.null_source(index_of("c100")), None);
        let (piece, index) = file.null_source(index_of("c5000")).unwrap();
        assert!(piece.len() < text.len() / 2, "{}", piece.len());
        let again = crate::parse_documents(&piece, Dialect::Kube).unwrap();
        assert_eq!(
            again[index].value.get("data").unwrap().get("empty"),
            Some(&Value::Null)
        );
        assert_eq!(file.null_source(0), None);
        assert_eq!(file.null_source(index_of("c9999")), None);

        // A YAML error far into the file: the whole text's error.
        let bad = format!("{text}---\na: [1\n");
        std::fs::write(&path, &bad).unwrap();
        let err = load().unwrap_err();
        assert_eq!(
            err,
            parse(&bad, "big.yaml", ParseOptions::default()).unwrap_err()
        );
        // Bad UTF-8 in a later piece: its offset in the file.
        let mut bytes = text.clone().into_bytes();
        let at = bytes.len() - 10;
        bytes[at] = 0xff;
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(
            load().unwrap_err(),
            LoadError::NotUtf8 {
                file: "big.yaml".into(),
                offset: at
            }
        );
    }
}
