//! The patch transformers: `PatchStrategicMergeTransformer` (`patchesStrategicMerge`),
//! `PatchTransformer` (`patches`) and `PatchJson6902Transformer` (`patchesJson6902`). Patches
//! are read when configured (inline text or a file under the kustomization), targets chosen as
//! kustomize does (by id, or by selector), and what happened becomes findings at the patch's
//! line: `patch-target-missing`, `patch-no-op`, `patch-adds-list-item`, `json6902-op-failed`.

use std::path::PathBuf;

use crate::ctx::Builder;
use crate::resmap::{get_by_id, select};
use crate::resource::{Gvk, Res, ResId};
use crate::types::Selector;
use crate::{Finding, FindingKind, KustomizeError, display_path, pos};
use k8s_patch::json6902;
use k8s_patch::strategic_merge::{self, PatchSeg};
use kyaml::{Dialect, PathSeg, Value};

/// Where a patch came from, to point findings and errors at it.
#[derive(Debug, Clone)]
pub(crate) struct PatchSource {
    /// File holding the patch text (the patch file, or the kustomization for inline patches).
    pub file: PathBuf,
    /// Text the patch was parsed from.
    pub text: String,
    /// Line in `file` where `text` starts, minus one (0 for patch files).
    pub line_offset: u32,
    /// Line of the patch entry itself (inline patches) or of the document (files).
    pub line: Option<u32>,
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

    fn doc_line(&self, doc_line: u32) -> Option<u32> {
        Some(
            doc_line
                + self
                    .line_offset
                    .saturating_sub(u32::from(self.line_offset > 0)),
        )
    }

    fn error(&self, line: Option<u32>, msg: impl Into<String>) -> KustomizeError {
        KustomizeError::at(&self.file, line.or(self.line), msg)
    }
}

/// One strategic merge patch document.
#[derive(Debug, Clone)]
pub(crate) struct SmPatch {
    pub value: Value,
    pub doc_index: usize,
    pub line: u32,
    pub allow_name_change: bool,
    pub allow_kind_change: bool,
}

/// Reads strategic merge patches as kustomize's resource factory reads objects: empty
/// documents are skipped, each must have a kind and a name, lists are expanded.
pub(crate) fn parse_sm(src: &PatchSource) -> Result<Vec<SmPatch>, KustomizeError> {
    let docs = kyaml::parse_documents(&src.text, Dialect::Kube).map_err(|e| {
        let line = e.pos.map(|p| {
            p.line
                + src
                    .line_offset
                    .saturating_sub(u32::from(src.line_offset > 0))
        });
        src.error(line, format!("invalid patch: {}", e.message))
    })?;
    let mut out = Vec::new();
    for (i, d) in docs.into_iter().enumerate() {
        let line = d.start.line;
        match d.value {
            Value::Null => continue,
            Value::Map(m) if m.is_empty() => continue,
            Value::Map(m) => {
                let v = Value::Map(m);
                check_patch_object(src, &v, src.doc_line(line))?;
                out.push(SmPatch {
                    value: v,
                    doc_index: i,
                    line,
                    allow_name_change: false,
                    allow_kind_change: false,
                });
            }
            other => {
                return Err(src.error(
                    src.doc_line(line),
                    format!(
                        "a strategic merge patch must be a map, found a {}",
                        other.type_name()
                    ),
                ));
            }
        }
    }
    Ok(out)
}

fn check_patch_object(
    src: &PatchSource,
    v: &Value,
    line: Option<u32>,
) -> Result<(), KustomizeError> {
    let kind = v.get("kind").and_then(Value::as_str).unwrap_or("");
    if kind.is_empty() {
        return Err(src
            .error(
                line,
                "strategic merge patch has no `kind` (missing kind in object)",
            )
            .with_help(
                "a strategic merge patch names its target with apiVersion, kind and metadata.name",
            ));
    }
    let name = v
        .path(&["metadata", "name"])
        .and_then(Value::as_str)
        .unwrap_or("");
    if name.is_empty() && !kind.ends_with("List") {
        return Err(src
            .error(
                line,
                "strategic merge patch has no `metadata.name` (missing metadata.name in object)",
            )
            .with_help(
                "a strategic merge patch names its target with apiVersion, kind and metadata.name",
            ));
    }
    Ok(())
}

/// Reads a JSON patch (a JSON or YAML list of operations).
pub(crate) fn parse_json(src: &PatchSource) -> Result<Vec<json6902::Operation>, KustomizeError> {
    let doc = kyaml::parse_one(&src.text, Dialect::Kube)
        .map_err(|e| src.error(None, format!("invalid JSON patch: {}", e.message)))?;
    json6902::parse(&doc).map_err(|err| {
        let line = err
            .op_index()
            .and_then(|i| src.line_in_text(0, &[PathSeg::Index(i)]));
        src.error(line, format!("invalid JSON patch: {err}"))
    })
}

/// Whether the text is a JSON patch (a list of operations) rather than objects.
pub(crate) fn looks_like_json_patch(text: &str) -> bool {
    matches!(kyaml::parse_one(text, Dialect::Kube), Ok(Value::Seq(_)))
}

fn patch_id(v: &Value) -> ResId {
    let s = |p: &[&str]| v.path(p).and_then(Value::as_str).unwrap_or("").to_string();
    ResId {
        gvk: Gvk::from_api_version(&s(&["apiVersion"]), &s(&["kind"])),
        name: s(&["metadata", "name"]),
        namespace: s(&["metadata", "namespace"]),
    }
}

/// Applies each patch to the one object its id names (kustomize's `GetById`).
pub(crate) fn apply_sm_by_id(
    b: &mut Builder,
    resources: &mut Vec<Res>,
    src: &PatchSource,
    patches: &[SmPatch],
) -> Result<(), KustomizeError> {
    for doc in patches {
        let mut src = src.clone();
        if src.line_offset == 0 {
            src.line = Some(doc.line);
        } else {
            src.line = src.doc_line(doc.line);
        }
        let id = patch_id(&doc.value);
        match get_by_id(resources, &id) {
            Ok(i) => apply_sm_to(b, resources, &[i], &src, doc)?,
            Err(msg) if msg.starts_with("no matches") => {
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
                    .help(help)
                    .fatal(),
                );
            }
            Err(msg) => return Err(src.error(None, msg)),
        }
    }
    Ok(())
}

/// Applies one strategic merge patch to the selected objects (kustomize `ApplySmPatch`).
pub(crate) fn apply_sm_to(
    b: &mut Builder,
    resources: &mut Vec<Res>,
    targets: &[usize],
    src: &PatchSource,
    doc: &SmPatch,
) -> Result<(), KustomizeError> {
    let mut changed_any = false;
    let mut deleted: Vec<usize> = Vec::new();
    let schema = b.schema.clone();
    if schema.is_none() {
        b.builtin_schema = crate::ctx::BuiltinSchema::Loaded;
    }
    for &i in targets {
        let r = &mut resources[i];
        let mut patch = doc.value.clone();
        if let Value::Map(m) = &mut patch {
            m.insert(
                "apiVersion",
                Value::String(r.api_version().to_string().into()),
            );
            normalize_patch_metadata(m);
        }
        let (name, ns, kind) = (
            r.name().to_string(),
            r.namespace().to_string(),
            r.kind().to_string(),
        );
        if doc.allow_name_change || doc.allow_kind_change {
            r.store_previous_id();
        }
        let empty_nulls = r.take_empty_nulls();
        let merged = strategic_merge::merge_with_options(
            &r.value,
            &patch,
            &strategic_merge::MergeOptions {
                empty_nulls: &empty_nulls,
                schema: schema.as_deref(),
            },
        )
        .map_err(|e| {
            src.error(
                None,
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
            f = if no_image {
                f.help("the new container has no image, so upstream probably renamed the container this patch was written for; update the patch's `name`")
            } else {
                f.help(
                    "if the patch meant to change an existing item, upstream may have renamed it",
                )
            };
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
                if !doc.allow_kind_change {
                    r.set_kind(&kind);
                }
                if !doc.allow_name_change {
                    r.set_name(&name);
                }
                r.set_namespace(&ns);
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
                        other => crate::fieldpath::scalar_text(other).unwrap_or_default(),
                    };
                    *v = Value::String(text.into());
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

/// Applies a selector-targeted strategic merge patch.
pub(crate) fn apply_sm_selected(
    b: &mut Builder,
    resources: &mut Vec<Res>,
    src: &PatchSource,
    doc: &SmPatch,
    target: &Selector,
    entry: (&std::path::Path, Option<u32>),
) -> Result<(), KustomizeError> {
    let selected = select_targets(b, resources, target, "patch", entry)?;
    if selected.is_empty() {
        return Ok(());
    }
    apply_sm_to(b, resources, &selected, src, doc)
}

/// The objects a patch's `target` selects. None is a `PatchTargetMissing` finding at the
/// patch entry (kustomize ignores such a patch silently); `what` names the patch kind.
fn select_targets(
    b: &mut Builder,
    resources: &[Res],
    target: &Selector,
    what: &str,
    entry: (&std::path::Path, Option<u32>),
) -> Result<Vec<usize>, KustomizeError> {
    let selected =
        select(resources, target).map_err(|m| KustomizeError::at(entry.0, entry.1, m))?;
    if selected.is_empty() {
        b.findings.push(
            Finding::new(
                FindingKind::PatchTargetMissing,
                format!(
                    "no resource matches the target of this {what} ({})",
                    target.describe()
                ),
            )
            .file(display_path(entry.0))
            .at(pos(entry.1))
            .help("upstream may have renamed or removed the object; kustomize would silently ignore this patch"),
        );
    }
    Ok(selected)
}

/// Applies a JSON patch to the selected objects. `store_previous` is set for `patches:`
/// entries (kustomize's `PatchTransformer` records the old id; `PatchJson6902Transformer`
/// does not).
#[allow(clippy::too_many_arguments)]
pub(crate) fn apply_json(
    b: &mut Builder,
    resources: &mut [Res],
    src: &PatchSource,
    ops: &[json6902::Operation],
    target: &Selector,
    entry: (&std::path::Path, Option<u32>),
    store_previous: bool,
) -> Result<(), KustomizeError> {
    let selected = select_targets(b, resources, target, "JSON patch", entry)?;
    if selected.is_empty() {
        return Ok(());
    }
    let mut changed_any = false;
    for i in &selected {
        let r = &mut resources[*i];
        if store_previous {
            r.store_previous_id();
        }
        let mut v = r.value.clone();
        match json6902::apply(&mut v, ops) {
            Ok(()) => {
                if v != r.value {
                    changed_any = true;
                }
                r.value = v;
                // kustomize writes the annotations back through a string map.
                let ann = r.meta_map("annotations");
                r.set_meta_map("annotations", &ann);
            }
            Err(err) => {
                changed_any = true;
                let line = err
                    .op_index()
                    .and_then(|i| src.line_in_text(0, &[PathSeg::Index(i)]))
                    .or(src.line);
                b.findings.push(
                    Finding::new(
                        FindingKind::Json6902OpFailed,
                        format!("JSON patch on {}: {err}", r.describe()),
                    )
                    .file(display_path(&src.file))
                    .at(pos(line))
                    .resource(r.describe())
                    .help("the path no longer exists in upstream; update the patch")
                    .fatal(),
                );
            }
        }
    }
    if !changed_any {
        b.findings.push(
            src.finding(
                FindingKind::PatchNoOp,
                "JSON patch changes nothing".to_string(),
            )
            .help("upstream may already contain this change; remove the patch if so"),
        );
    }
    Ok(())
}
