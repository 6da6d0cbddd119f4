//! The patch transformers (`patchesStrategicMerge`, `patches`, `patchesJson6902`): reading
//! patches, choosing their targets as kustomize does (by id, or by selector), applying them with
//! `crate::patch`, and turning what happened into findings: `patch-target-missing`,
//! `patch-no-op`, `patch-adds-list-item` and `json6902-op-failed`, each at the patch's line.

use std::path::PathBuf;

use regex::Regex;

use super::kustomization::{Kustomization, PatchEntry, Selector, scalar_string};
use super::resource::{Gvk, Res, ResId};
use super::{Builder, KustomizeError, display_path, pos};
use crate::{Finding, FindingKind};
use k8s_patch::json6902;
use k8s_patch::strategic_merge::{self, PatchSeg};
use kyaml::{Dialect, PathSeg, Value};

/// Where a patch came from, to point findings at it.
#[derive(Debug, Clone)]
struct PatchSource {
    /// File holding the patch text (the patch file, or the kustomization for inline patches).
    file: PathBuf,
    /// Text the patch was parsed from.
    text: String,
    /// Line in `file` where `text` starts, minus one (0 for patch files).
    line_offset: u32,
    /// Line of the patch entry itself (inline patches) or of the document (files).
    line: Option<u32>,
}

impl PatchSource {
    fn finding(&self, kind: FindingKind, message: String) -> Finding {
        Finding::new(kind, message)
            .file(display_path(&self.file))
            .at(pos(self.line))
    }

    fn line_in_text(&self, doc: usize, path: &[PathSeg]) -> Option<u32> {
        kyaml::locate(&self.text, doc, path).map(|p| p.line + self.line_offset)
    }
}

/// One strategic merge patch document.
struct SmPatch {
    value: Value,
    doc_index: usize,
    line: u32,
}

fn parse_sm_docs(text: &str) -> Result<Vec<SmPatch>, kyaml::YamlError> {
    let docs = kyaml::parse_documents(text, Dialect::Kube)?;
    Ok(docs
        .into_iter()
        .enumerate()
        .filter(|(_, d)| !d.value.is_null())
        .map(|(i, d)| SmPatch {
            value: d.value,
            doc_index: i,
            line: d.start.line,
        })
        .collect())
}

pub(super) fn strategic_merge_files(
    b: &mut Builder,
    k: &Kustomization,
    resources: &mut Vec<Res>,
) -> Result<(), KustomizeError> {
    for (index, entry) in k.strings("patchesStrategicMerge")?.into_iter().enumerate() {
        let entry_line = k.line_of(&[PathSeg::Key("patchesStrategicMerge"), PathSeg::Index(index)]);
        let source = if entry.contains('\n')
            || (!entry.ends_with(".yaml")
                && !entry.ends_with(".yml")
                && !entry.ends_with(".json")
                && entry.contains(':'))
        {
            PatchSource {
                file: k.file.clone(),
                text: entry.clone(),
                line_offset: entry_line.unwrap_or(1),
                line: entry_line,
            }
        } else {
            let path = b.file_path(k, &entry, entry_line)?;
            if !path.is_file() {
                return Err(KustomizeError::at(
                    &k.file,
                    entry_line,
                    format!("patch file `{entry}` not found ({})", display_path(&path)),
                ));
            }
            PatchSource {
                file: path.clone(),
                text: super::read_text(&path)?,
                line_offset: 0,
                line: None,
            }
        };
        let docs = parse_sm_docs(&source.text).map_err(|e| yaml_error(&source, &e))?;
        for doc in docs {
            let mut src = source.clone();
            src.line = Some(
                doc.line
                    + src
                        .line_offset
                        .saturating_sub(if src.line_offset > 0 { 1 } else { 0 }),
            );
            if src.line_offset == 0 {
                src.line = Some(doc.line);
            }
            check_patch_object(&src, &doc.value)?;
            let id = patch_id(&doc.value);
            apply_sm_by_id(b, resources, &src, &doc, &id, false, false)?;
        }
    }
    Ok(())
}

fn yaml_error(src: &PatchSource, e: &kyaml::YamlError) -> KustomizeError {
    let line = e.pos.map(|p| {
        p.line
            + src
                .line_offset
                .saturating_sub(u32::from(src.line_offset > 0))
    });
    KustomizeError::at(&src.file, line, format!("invalid patch: {}", e.message))
}

fn check_patch_object(src: &PatchSource, v: &Value) -> Result<(), KustomizeError> {
    let Some(m) = v.as_map() else {
        return Err(KustomizeError::at(
            &src.file,
            src.line,
            format!(
                "a strategic merge patch must be a map, found a {}",
                v.type_name()
            ),
        ));
    };
    let kind = m.get("kind").and_then(Value::as_str).unwrap_or("");
    if kind.is_empty() {
        return Err(KustomizeError::at(&src.file, src.line, "strategic merge patch has no `kind`")
            .with_help("a strategic merge patch names its target with apiVersion, kind and metadata.name"));
    }
    Ok(())
}

fn patch_id(v: &Value) -> ResId {
    let s = |p: &[&str]| v.path(p).and_then(Value::as_str).unwrap_or("").to_string();
    ResId {
        gvk: Gvk::from_api_version(&s(&["apiVersion"]), &s(&["kind"])),
        name: s(&["metadata", "name"]),
        namespace: s(&["metadata", "namespace"]),
    }
}

fn apply_sm_by_id(
    b: &mut Builder,
    resources: &mut Vec<Res>,
    src: &PatchSource,
    doc: &SmPatch,
    id: &ResId,
    allow_name: bool,
    allow_kind: bool,
) -> Result<(), KustomizeError> {
    let matches: Vec<usize> = (0..resources.len())
        .filter(|i| resources[*i].matches_any_id(id))
        .collect();
    match matches.as_slice() {
        [] => {
            let same_kind = resources.iter().any(|r| r.kind() == id.gvk.kind);
            let help = if same_kind {
                "no object has this apiVersion, kind, name and namespace; upstream may have renamed or removed it"
            } else {
                "no object of this kind exists in the resources; check apiVersion and kind, or whether upstream removed it"
            };
            b.findings.push(
                src.finding(
                    FindingKind::PatchTargetMissing,
                    format!("no resource matches strategic merge patch {}", id.display()),
                )
                .help(help),
            );
            Ok(())
        }
        [i] => {
            let i = *i;
            apply_sm_to(b, resources, &[i], src, doc, allow_name, allow_kind)
        }
        _ => Err(KustomizeError::at(
            &src.file,
            src.line,
            format!(
                "multiple matches for Id {}; failed to find unique target for patch",
                id.display()
            ),
        )),
    }
}

/// Applies one strategic merge patch to the selected resources; records findings.
fn apply_sm_to(
    b: &mut Builder,
    resources: &mut Vec<Res>,
    targets: &[usize],
    src: &PatchSource,
    doc: &SmPatch,
    allow_name: bool,
    allow_kind: bool,
) -> Result<(), KustomizeError> {
    let mut changed_any = false;
    let mut deleted: Vec<usize> = Vec::new();
    for &i in targets {
        let r = &mut resources[i];
        let mut patch = doc.value.clone();
        if let Value::Map(m) = &mut patch {
            m.insert(
                "apiVersion".into(),
                Value::String(r.api_version().to_string()),
            );
            normalize_patch_metadata(m);
        }
        let (name, ns, kind) = (
            r.name().to_string(),
            r.namespace().to_string(),
            r.kind().to_string(),
        );
        if allow_name || allow_kind {
            r.store_previous_id();
        }
        let empty_nulls = r.take_empty_nulls();
        let merged = strategic_merge::merge_with_empty_nulls(&r.value, &patch, &empty_nulls)
            .map_err(|e| {
                KustomizeError::at(
                    &src.file,
                    src.line,
                    format!(
                        "cannot apply strategic merge patch to {}: {e}",
                        r.describe()
                    ),
                )
            })?;
        for added in &merged.added {
            let field = added.path.last().map(String::as_str).unwrap_or("");
            let keys: Vec<String> = added.keys.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let no_image = matches!(field, "containers" | "initContainers")
                && added.item.get("image").is_none();
            let segs: Vec<PathSeg> = added
                .patch_path
                .iter()
                .map(|s| match s {
                    PatchSeg::Key(k) => PathSeg::Key(k.as_str()),
                    PatchSeg::Index(i) => PathSeg::Index(*i),
                })
                .collect();
            let line = src.line_in_text(doc.doc_index, &segs).or(src.line);
            let mut f = Finding::new(
                FindingKind::PatchAddsListItem { likely_renamed: no_image },
                format!("strategic merge patch adds a new `{}` item ({}) to {}: no existing item has this merge key", added.path.join("."), keys.join(", "), r.describe()),
            )
            .file(display_path(&src.file))
            .at(pos(line))
            .resource(r.describe());
            if no_image {
                f = f.help("the new container has no image, so upstream probably renamed the container this patch was written for; update the patch's `name`");
            } else {
                f = f.help(
                    "if the patch meant to change an existing item, upstream may have renamed it",
                );
            }
            b.findings.push(f);
        }
        match merged.object {
            None => {
                deleted.push(i);
                changed_any = true;
            }
            Some(v) if v.as_map().is_some_and(kyaml::Map::is_empty) => {
                deleted.push(i);
                changed_any = true;
            }
            Some(v) => {
                let before = std::mem::replace(&mut r.value, v);
                if !allow_kind {
                    set_str(&mut r.value, &["kind"], &kind);
                }
                if !allow_name {
                    set_str(&mut r.value, &["metadata", "name"], &name);
                }
                // kustomize sets the namespace back (an empty one becomes `namespace: ""`... no:
                // SetNamespace("") removes the field).
                if ns.is_empty() {
                    if let Some(Value::Map(m)) = r.value.get_mut("metadata") {
                        m.shift_remove("namespace");
                    }
                } else {
                    set_str(&mut r.value, &["metadata", "namespace"], &ns);
                }
                if !strategic_merge::equivalent(&before, &r.value) {
                    changed_any = true;
                }
            }
        }
    }
    if !changed_any && !targets.is_empty() {
        let names: Vec<String> = targets.iter().map(|i| resources[*i].describe()).collect();
        b.findings.push(
            src.finding(
                FindingKind::PatchNoOp,
                format!(
                    "strategic merge patch changes nothing in {}",
                    names.join(", ")
                ),
            )
            .help("upstream may already contain this change; remove the patch if so"),
        );
    }
    deleted.sort_unstable();
    for i in deleted.into_iter().rev() {
        resources.remove(i);
    }
    Ok(())
}

/// kustomize copies a patch's labels and annotations through `map[string]string` before
/// merging: values become their text (`null` -> "null") and an empty or null map disappears.
fn normalize_patch_metadata(patch: &mut kyaml::Map) {
    let Some(Value::Map(meta)) = patch.get_mut("metadata") else {
        return;
    };
    for field in ["labels", "annotations"] {
        let keep = match meta.get_mut(field) {
            None => continue,
            Some(Value::Map(m)) if !m.is_empty() => {
                for v in m.values_mut() {
                    let text = match &*v {
                        Value::Null => "null".to_string(),
                        Value::String(_) => continue,
                        other => scalar_string(other).unwrap_or_default(),
                    };
                    *v = Value::String(text);
                }
                true
            }
            Some(_) => false,
        };
        if !keep {
            meta.shift_remove(field);
        }
    }
}

fn set_str(v: &mut Value, path: &[&str], s: &str) {
    let mut cur = v;
    for (i, key) in path.iter().enumerate() {
        let m = super::resource::ensure_map(cur);
        if i + 1 == path.len() {
            m.insert((*key).to_string(), Value::String(s.to_string()));
            return;
        }
        cur = m
            .entry((*key).to_string())
            .or_insert(Value::Map(Default::default()));
    }
}

/// `patches:` (field "patches") or `patchesJson6902:` entries.
pub(super) fn patches(
    b: &mut Builder,
    k: &Kustomization,
    resources: &mut Vec<Res>,
    field: &str,
) -> Result<(), KustomizeError> {
    let entries: Vec<PatchEntry> = k
        .patches()?
        .into_iter()
        .filter(|e| e.field == field)
        .collect();
    for e in entries {
        let entry_line = k.line_of(&[PathSeg::Key(e.field), PathSeg::Index(e.index)]);
        let source = match (&e.path, &e.patch) {
            (Some(_), Some(_)) => {
                return Err(KustomizeError::at(
                    &k.file,
                    entry_line,
                    "patch and path can't be set at the same time",
                ));
            }
            (None, None) => {
                return Err(KustomizeError::at(
                    &k.file,
                    entry_line,
                    "must specify one of patch and path",
                ));
            }
            (Some(p), None) => {
                let path = b.file_path(k, p, entry_line)?;
                if !path.is_file() {
                    return Err(KustomizeError::at(
                        &k.file,
                        entry_line,
                        format!("failed to get the patch file from path({p}): file not found"),
                    ));
                }
                PatchSource {
                    file: path.clone(),
                    text: super::read_text(&path)?,
                    line_offset: 0,
                    line: Some(1),
                }
            }
            (None, Some(text)) => {
                let value_line = k.line_of(&[
                    PathSeg::Key(e.field),
                    PathSeg::Index(e.index),
                    PathSeg::Key("patch"),
                ]);
                // A block scalar's text starts on the line after its indicator.
                let offset = value_line.unwrap_or(1);
                PatchSource {
                    file: k.file.clone(),
                    text: text.clone(),
                    line_offset: offset,
                    line: entry_line,
                }
            }
        };
        let text = source.text.trim();
        if text.is_empty() {
            return Err(KustomizeError::at(&source.file, source.line, "empty patch"));
        }
        let docs = parse_sm_docs(text).map_err(|err| yaml_error(&source, &err))?;
        let is_json = field == "patchesJson6902"
            || matches!(docs.as_slice(), [d] if matches!(d.value, Value::Seq(_)));
        if is_json {
            let doc = docs
                .into_iter()
                .next()
                .map(|d| d.value)
                .unwrap_or(Value::Null);
            let ops = json6902::parse(&doc).map_err(|err| {
                let line = err
                    .op_index()
                    .and_then(|i| source.line_in_text(0, &[PathSeg::Index(i)]))
                    .or(source.line);
                KustomizeError::at(&source.file, line, format!("invalid JSON patch: {err}"))
            })?;
            let Some(target) = &e.target else {
                return Err(KustomizeError::at(
                    &k.file,
                    entry_line,
                    "must specify a target for JSON patch",
                ));
            };
            let selected = select(resources, target)
                .map_err(|m| KustomizeError::at(&k.file, entry_line, m))?;
            if selected.is_empty() {
                b.findings.push(
                    Finding::new(FindingKind::PatchTargetMissing, format!("no resource matches the target of this JSON patch ({})", target.describe()))
                        .file(display_path(&k.file))
                        .at(pos(entry_line))
                        .help("upstream may have renamed or removed the object; kustomize would silently ignore this patch"),
                );
                continue;
            }
            let mut changed_any = false;
            for i in &selected {
                let r = &mut resources[*i];
                let mut v = r.value.clone();
                match json6902::apply(&mut v, &ops) {
                    Ok(()) => {
                        r.store_previous_id();
                        if v != r.value {
                            changed_any = true;
                        }
                        r.value = v;
                    }
                    Err(err) => {
                        changed_any = true;
                        let line = err
                            .op_index()
                            .and_then(|i| source.line_in_text(0, &[PathSeg::Index(i)]))
                            .or(source.line);
                        b.findings.push(
                            Finding::new(
                                FindingKind::Json6902OpFailed,
                                format!("JSON patch on {}: {err}", r.describe()),
                            )
                            .file(display_path(&source.file))
                            .at(pos(line))
                            .resource(r.describe())
                            .help("the path no longer exists in upstream; update the patch"),
                        );
                    }
                }
            }
            if !changed_any {
                b.findings.push(
                    source
                        .finding(
                            FindingKind::PatchNoOp,
                            "JSON patch changes nothing".to_string(),
                        )
                        .help("upstream may already contain this change; remove the patch if so"),
                );
            }
            continue;
        }
        // Strategic merge.
        for d in &docs {
            check_patch_object(
                &PatchSource {
                    line: Some(d.line + source.line_offset),
                    ..source.clone()
                },
                &d.value,
            )?;
        }
        if let Some(target) = &e.target {
            if docs.len() > 1 {
                return Err(KustomizeError::at(
                    &k.file,
                    entry_line,
                    "Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set `patches.target` field",
                ));
            }
            let selected = select(resources, target)
                .map_err(|m| KustomizeError::at(&k.file, entry_line, m))?;
            if selected.is_empty() {
                b.findings.push(
                    Finding::new(FindingKind::PatchTargetMissing, format!("no resource matches the target of this patch ({})", target.describe()))
                        .file(display_path(&k.file))
                        .at(pos(entry_line))
                        .help("upstream may have renamed or removed the object; kustomize would silently ignore this patch"),
                );
                continue;
            }
            let doc = &docs[0];
            let mut src = source.clone();
            if src.line_offset == 0 {
                src.line = Some(doc.line);
            }
            let mut patch = SmPatch {
                value: doc.value.clone(),
                doc_index: doc.doc_index,
                line: doc.line,
            };
            // The patch's kind is kept; its apiVersion is replaced per target.
            patch.line = doc.line;
            apply_sm_to(
                b,
                resources,
                &selected,
                &src,
                &patch,
                e.allow_name_change,
                e.allow_kind_change,
            )?;
        } else {
            for doc in docs {
                let mut src = source.clone();
                if src.line_offset == 0 {
                    src.line = Some(doc.line);
                }
                let id = patch_id(&doc.value);
                apply_sm_by_id(
                    b,
                    resources,
                    &src,
                    &doc,
                    &id,
                    e.allow_name_change,
                    e.allow_kind_change,
                )?;
            }
        }
    }
    Ok(())
}

fn anchored(pattern: &str) -> Result<Option<Regex>, String> {
    if pattern.is_empty() {
        return Ok(None);
    }
    Regex::new(&format!("^(?:{pattern})$"))
        .map(Some)
        .map_err(|e| format!("invalid regular expression `{pattern}` in patch target: {e}"))
}

/// Indexes of the resources a selector picks (kustomize `ResMap.Select`).
fn select(resources: &[Res], s: &Selector) -> Result<Vec<usize>, String> {
    let (g, v, kd, n, ns) = (
        anchored(&s.group)?,
        anchored(&s.version)?,
        anchored(&s.kind)?,
        anchored(&s.name)?,
        anchored(&s.namespace)?,
    );
    let labels = parse_label_selector(&s.label_selector)?;
    let annotations = parse_label_selector(&s.annotation_selector)?;
    let m = |re: &Option<Regex>, s: &str| re.as_ref().is_none_or(|r| r.is_match(s));
    let mut out = Vec::new();
    for (i, r) in resources.iter().enumerate() {
        let cur = r.cur_id();
        let org = r.org_id();
        if !m(&ns, org.effective_namespace()) && !m(&ns, cur.effective_namespace()) {
            continue;
        }
        if !m(&n, &org.name) && !m(&n, &cur.name) {
            continue;
        }
        let gvk = r.gvk();
        if !m(&g, &gvk.group) || !m(&v, &gvk.version) || !m(&kd, &gvk.kind) {
            continue;
        }
        if !matches_selector(&labels, r.labels())
            || !matches_selector(&annotations, r.annotations())
        {
            continue;
        }
        out.push(i);
    }
    Ok(out)
}

#[derive(Debug)]
enum Requirement {
    Eq(String, String),
    NotEq(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// Parses a Kubernetes label selector (`a=b,c!=d,e in (x,y),!f,g`).
fn parse_label_selector(s: &str) -> Result<Vec<Requirement>, String> {
    let mut out = Vec::new();
    let s = s.trim();
    if s.is_empty() {
        return Ok(out);
    }
    // Split on commas outside parentheses.
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    for p in parts {
        let p = p.trim();
        let set = |rest: &str| -> Result<Vec<String>, String> {
            let inner = rest
                .trim()
                .strip_prefix('(')
                .and_then(|r| r.strip_suffix(')'))
                .ok_or_else(|| format!("invalid label selector `{s}`"))?;
            Ok(inner
                .split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect())
        };
        if let Some((k, v)) = p.split_once("!=") {
            out.push(Requirement::NotEq(k.trim().into(), v.trim().into()));
        } else if let Some((k, v)) = p.split_once("==") {
            out.push(Requirement::Eq(k.trim().into(), v.trim().into()));
        } else if let Some((k, v)) = p.split_once('=') {
            out.push(Requirement::Eq(k.trim().into(), v.trim().into()));
        } else if let Some((k, rest)) = p.split_once(" notin ") {
            out.push(Requirement::NotIn(k.trim().into(), set(rest)?));
        } else if let Some((k, rest)) = p.split_once(" in ") {
            out.push(Requirement::In(k.trim().into(), set(rest)?));
        } else if let Some(k) = p.strip_prefix('!') {
            out.push(Requirement::NotExists(k.trim().into()));
        } else if !p.is_empty() && !p.contains(' ') {
            out.push(Requirement::Exists(p.into()));
        } else {
            return Err(format!("invalid label selector `{s}`"));
        }
    }
    Ok(out)
}

fn matches_selector(reqs: &[Requirement], map: Option<&kyaml::Map>) -> bool {
    let get = |k: &str| map.and_then(|m| m.get(k)).and_then(scalar_string);
    reqs.iter().all(|r| match r {
        Requirement::Eq(k, v) => get(k).as_deref() == Some(v.as_str()),
        Requirement::NotEq(k, v) => get(k).as_deref() != Some(v.as_str()),
        Requirement::In(k, vs) => get(k).is_some_and(|x| vs.contains(&x)),
        Requirement::NotIn(k, vs) => get(k).is_none_or(|x| !vs.contains(&x)),
        Requirement::Exists(k) => get(k).is_some(),
        Requirement::NotExists(k) => get(k).is_none(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_selectors() {
        let mut m = kyaml::Map::new();
        m.insert("app".into(), Value::String("web".into()));
        m.insert("tier".into(), Value::String("front".into()));
        let ok = |s: &str| matches_selector(&parse_label_selector(s).unwrap(), Some(&m));
        assert!(ok("app=web"));
        assert!(ok("app==web,tier"));
        assert!(ok("app in (web, api),!missing"));
        assert!(!ok("app notin (web)"));
        assert!(!ok("app!=web"));
        assert!(ok(""));
    }
}
