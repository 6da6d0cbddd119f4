//! `ReplacementTransformer` (`replacements:`): copy the value at a source object's field
//! path into target fields. Sources and targets are chosen by exact id parts against the
//! current or any previous id, targets also by label/annotation selectors and rejections;
//! `options` split the value at a delimiter, pick or replace one part, or create missing
//! fields. A scalar target keeps its type; a created one takes the type its text reads as.

use crate::fieldpath::{MatchCreate, Matched, lookup, path_match, scalar_text, smarter_split};
use crate::resmap::{matches_selector, parse_label_selector};
use crate::resource::{Res, ResId};
use crate::types::{FieldOptions, IdSelector, Replacement, Selector};
use kyaml::Value;

/// kustomize `ResId.IsSelectedBy`: empty selector parts match anything; namespaces compare
/// as effective namespaces.
fn selected_by(id: &ResId, s: &IdSelector) -> bool {
    (s.name.is_empty() || s.name == id.name)
        && (s.namespace.is_empty() || {
            let sel = ResId {
                gvk: id.gvk.clone(),
                name: String::new(),
                namespace: s.namespace.clone(),
            };
            sel.effective_namespace() == id.effective_namespace()
        })
        && id.gvk.is_selected_by(&s.group, &s.version, &s.kind)
}

fn all_ids(r: &Res) -> Vec<ResId> {
    let mut ids = vec![r.cur_id()];
    ids.extend(r.prev_ids());
    ids
}

fn matches_meta_selectors(r: &Res, s: &Selector) -> Result<bool, String> {
    let labels = parse_label_selector(&s.label_selector)?;
    let annotations = parse_label_selector(&s.annotation_selector)?;
    Ok(matches_selector(&labels, &r.meta_map("labels"))
        && matches_selector(&annotations, &r.meta_map("annotations")))
}

/// Applies the replacements in order.
pub(crate) fn transform(replacements: &[Replacement], resources: &mut [Res]) -> Result<(), String> {
    for r in replacements {
        let (Some(source), Some(targets)) = (&r.source, &r.targets) else {
            return Err("replacements must specify a source and at least one target".to_string());
        };
        let value = source_value(resources, source)?;
        for t in targets {
            let Some(select) = &t.select else {
                return Err("target must specify resources to select".to_string());
            };
            let field_paths = if t.field_paths.is_empty() {
                vec!["metadata.name".to_string()]
            } else {
                t.field_paths.clone()
            };
            for res in resources.iter_mut() {
                if !matches_meta_selectors(res, select)? {
                    continue;
                }
                let mut rejected = false;
                for rej in &t.reject {
                    if (!rej.annotation_selector.is_empty() || !rej.label_selector.is_empty())
                        && matches_meta_selectors(res, rej)?
                    {
                        rejected = true;
                    }
                }
                if rejected {
                    continue;
                }
                let ids = all_ids(res);
                let rejected_by_id = t
                    .reject
                    .iter()
                    .any(|rej| !rej.id.is_empty() && ids.iter().any(|id| selected_by(id, &rej.id)));
                if rejected_by_id || !ids.iter().any(|id| selected_by(id, &select.id)) {
                    continue;
                }
                for fp in &field_paths {
                    copy_to_target(res, &value, fp, t.options.as_ref())?;
                }
            }
        }
    }
    Ok(())
}

fn source_value(resources: &[Res], source: &crate::types::SourceSelector) -> Result<Value, String> {
    let mut found: Option<&Res> = None;
    for r in resources {
        if all_ids(r).iter().any(|id| selected_by(id, &source.id)) {
            if found.is_some() {
                return Err(format!(
                    "multiple matches for selector {}",
                    describe_source(source)
                ));
            }
            found = Some(r);
        }
    }
    let Some(r) = found else {
        return Err(format!("nothing selected by {}", describe_source(source)));
    };
    let fp = if source.field_path.is_empty() {
        "metadata.name"
    } else {
        source.field_path.as_str()
    };
    let v = lookup(&r.value, &smarter_split(fp, '.'))
        .map_err(|e| format!("error looking up replacement source: {e}"))?;
    let v = match v {
        None | Some(Value::Null) => {
            return Err(format!(
                "fieldPath `{fp}` is missing for replacement source {}",
                source.id.display()
            ));
        }
        Some(Value::Map(m)) if m.is_empty() => {
            return Err(format!(
                "fieldPath `{fp}` is missing for replacement source {}",
                source.id.display()
            ));
        }
        Some(Value::Seq(s)) if s.is_empty() => {
            return Err(format!(
                "fieldPath `{fp}` is missing for replacement source {}",
                source.id.display()
            ));
        }
        Some(v) => v.clone(),
    };
    refine(source.options.as_ref(), v)
}

fn describe_source(s: &crate::types::SourceSelector) -> String {
    let mut parts = vec![s.id.display()];
    if !s.field_path.is_empty() {
        parts.push(s.field_path.clone());
    }
    if let Some(o) = &s.options
        && (!o.delimiter.is_empty() || o.create)
    {
        parts.push(format!("{}({}), create={}", o.delimiter, o.index, o.create));
    }
    parts.join(":")
}

/// Picks part `index` of the source text split at `delimiter`.
fn refine(options: Option<&FieldOptions>, v: Value) -> Result<Value, String> {
    let Some(o) = options.filter(|o| !o.delimiter.is_empty()) else {
        return Ok(v);
    };
    if matches!(v, Value::Map(_) | Value::Seq(_)) {
        return Err("delimiter option can only be used with scalar nodes".to_string());
    }
    let text = scalar_text(&v).unwrap_or_default();
    let parts: Vec<&str> = text.split(o.delimiter.as_str()).collect();
    if o.index < 0 || o.index as usize >= parts.len() {
        return Err(format!(
            "options.index {} is out of bounds for value {text}",
            o.index
        ));
    }
    Ok(with_text(&v, parts[o.index as usize]))
}

/// A scalar of `like`'s type holding `text` (kyaml replaces a node's text, keeping its tag).
fn with_text(like: &Value, text: &str) -> Value {
    let resolved = kyaml::resolve_scalar(text, kyaml::Dialect::Kube);
    match like {
        Value::Int(_) => match resolved {
            Value::Int(_) => resolved,
            _ => Value::String(text.to_string().into()),
        },
        Value::Float(_) => match resolved {
            Value::Float(_) => resolved,
            Value::Int(i) => Value::Float(i as f64),
            _ => Value::String(text.to_string().into()),
        },
        Value::Bool(_) => match resolved {
            Value::Bool(_) => resolved,
            _ => Value::String(text.to_string().into()),
        },
        _ => Value::String(text.to_string().into()),
    }
}

fn copy_to_target(
    res: &mut Res,
    value: &Value,
    field_path: &str,
    options: Option<&FieldOptions>,
) -> Result<(), String> {
    let create = if options.is_some_and(|o| o.create) {
        MatchCreate::of(value)
    } else {
        MatchCreate::No
    };
    let parts = smarter_split(field_path, '.');
    let mut err = None;
    let n = path_match(&mut res.value, &parts, create, &mut |m: Matched| {
        if err.is_none()
            && let Err(e) = set_target(m, value, options)
        {
            err = Some(e);
        }
        Ok(())
    })
    .map_err(|e| format!("{}: {e}", retrieval_error(field_path, create)))?;
    if let Some(e) = err {
        return Err(e);
    }
    if n == 0 {
        return Err(retrieval_error(field_path, create));
    }
    Ok(())
}

fn retrieval_error(field_path: &str, create: MatchCreate) -> String {
    if create == MatchCreate::No {
        format!("unable to find field \"{field_path}\" in replacement target")
    } else {
        format!("unable to find or create field \"{field_path}\" in replacement target")
    }
}

fn set_target(m: Matched, value: &Value, options: Option<&FieldOptions>) -> Result<(), String> {
    let mut value = value.clone();
    if let Some(o) = options.filter(|o| !o.delimiter.is_empty()) {
        if matches!(m.node, Value::Map(_) | Value::Seq(_)) {
            return Err("delimiter option can only be used with scalar nodes".to_string());
        }
        let target_text = scalar_text(m.node).unwrap_or_default();
        let mut parts: Vec<String> = target_text
            .split(o.delimiter.as_str())
            .map(str::to_string)
            .collect();
        let v = scalar_text(&value).unwrap_or_default();
        if o.index < 0 {
            parts.insert(0, v);
        } else if o.index as usize >= parts.len() {
            parts.push(v);
        } else {
            parts[o.index as usize] = v;
        }
        value = Value::String(parts.join(&o.delimiter).into());
    }
    let target_is_scalar = !matches!(m.node, Value::Map(_) | Value::Seq(_));
    if target_is_scalar && !matches!(value, Value::Map(_) | Value::Seq(_)) {
        let text = scalar_text(&value).unwrap_or_default();
        *m.node = if m.created {
            kyaml::resolve_scalar(&text, kyaml::Dialect::Kube)
        } else {
            with_text(m.node, &text)
        };
    } else {
        *m.node = value;
    }
    Ok(())
}
