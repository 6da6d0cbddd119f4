//! Reading objects from resource files as kustomize's resource factory does: YAML streams
//! (large ones parsed in parallel), empty documents skipped, every object needs a kind and a
//! name, and `*List` objects are expanded into their items (recursively).

use std::path::Path;

use crate::resource::{Origin, Res};
use crate::{KustomizeError, ParsedDoc, PreparsedFile, display_path, read_text};
use kyaml::{Dialect, Value};

/// Reads the objects of a resource file.
pub(crate) fn load_resources(
    path: &Path,
    preparsed: Option<PreparsedFile>,
) -> Result<Vec<Res>, KustomizeError> {
    let docs = match preparsed {
        Some(f) => f.docs,
        None => {
            let src = read_text(path)?;
            parse_chunked(&src).map_err(|e| KustomizeError::yaml(path, &e))?
        }
    };
    objects_from_docs(path, docs)
}

/// Reads the objects of a YAML stream that did not come from a file (generator output).
pub(crate) fn resources_from_text(label: &Path, text: &str) -> Result<Vec<Res>, KustomizeError> {
    let docs = parse_chunked(text).map_err(|e| KustomizeError::yaml(label, &e))?;
    objects_from_docs(label, docs)
}

fn objects_from_docs(path: &Path, docs: Vec<ParsedDoc>) -> Result<Vec<Res>, KustomizeError> {
    let file = display_path(path);
    // kustomize expands lists through a queue: a list's items come after the documents that
    // follow it.
    let mut queue: std::collections::VecDeque<(Value, u32, usize, Option<Source>)> =
        std::collections::VecDeque::new();
    for ParsedDoc {
        document: d,
        index: doc_index,
        source,
    } in docs
    {
        let line = d.start.line;
        match d.value {
            Value::Null => continue,
            Value::Map(m) if m.is_empty() => continue,
            v @ Value::Map(_) => queue.push_back((v, line, doc_index, source)),
            other => {
                return Err(KustomizeError::at(
                    path,
                    Some(line),
                    format!(
                        "expected a Kubernetes object (a map), found a {}",
                        other.type_name()
                    ),
                ));
            }
        }
    }
    let mut out = Vec::new();
    while let Some((v, line, doc_index, source)) = queue.pop_front() {
        check_object(&v, path, line)?;
        if is_list(&v) {
            let kind = v
                .get("kind")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            // The list itself is not kept: its items move out of it.
            let items = match v {
                Value::Map(mut m) => m.swap_remove("items"),
                _ => None,
            };
            match items {
                None | Some(Value::Null) => {}
                Some(Value::Seq(items)) => {
                    for item in items {
                        match item {
                            Value::Null => {}
                            Value::Map(ref m) if m.is_empty() => {}
                            _ => queue.push_back((item, line, doc_index, None)),
                        }
                    }
                }
                Some(_) => {
                    return Err(KustomizeError::at(
                        path,
                        Some(line),
                        format!("expected array in {kind}/items"),
                    ));
                }
            }
            continue;
        }
        let mut r = Res::new(
            v,
            Origin {
                file: file.clone(),
                line,
                doc_index,
            },
        );
        if r.value.contains_null() {
            r.source = source;
        }
        out.push(r);
    }
    Ok(out)
}

/// Where an object's text is, to look at how its nulls were spelled.
type Source = (std::sync::Arc<str>, usize);

/// A `*List` with `items` is expanded; one without stays an object.
fn is_list(v: &Value) -> bool {
    v.get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k.ends_with("List"))
        && v.get("items").is_some()
}

/// Parses a multi-document stream (large ones in pieces, in parallel: `kyaml::parse_pieces`).
/// Each document comes with its index in the stream and, where its piece has a null, the
/// piece's text with its index there (for `kyaml::locate`); lines are relative to the whole
/// source.
pub(crate) fn parse_chunked(src: &str) -> Result<Vec<ParsedDoc>, kyaml::YamlError> {
    let pieces = kyaml::parse_pieces(src, Dialect::Kube)?;
    let mut out = Vec::new();
    for piece in pieces {
        let text: Option<std::sync::Arc<str>> = piece
            .documents
            .iter()
            .any(kyaml::Document::holds_null)
            .then(|| std::sync::Arc::from(&src[piece.range]));
        let first = out.len();
        out.extend(
            piece
                .documents
                .into_iter()
                .enumerate()
                .map(|(i, document)| ParsedDoc {
                    document,
                    index: first + i,
                    source: text.clone().map(|t| (t, i)),
                }),
        );
    }
    Ok(out)
}

/// kyaml `GetValidatedMetadata`: a kind, and a name unless the kind is a list.
fn check_object(v: &Value, path: &Path, line: u32) -> Result<(), KustomizeError> {
    let kind = match v.get("kind") {
        Some(Value::String(s)) => s.as_str(),
        _ => "",
    };
    if kind.is_empty() {
        return Err(KustomizeError::at(
            path,
            Some(line),
            "missing Resource metadata: the object has no `kind` (missing kind in object)",
        ));
    }
    let name = match v.path(&["metadata", "name"]) {
        Some(Value::String(s)) => s.as_str(),
        _ => "",
    };
    if name.is_empty() && !kind.ends_with("List") {
        return Err(KustomizeError::at(
            path,
            Some(line),
            "missing metadata.name in object",
        ));
    }
    Ok(())
}
