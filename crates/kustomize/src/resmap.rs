//! Operations on the list of objects being built (kustomize's `ResMap`): appending with the
//! duplicate-id check, absorbing generated objects (`behavior: create|merge|replace`),
//! finding patch targets by id, and selecting by regular-expression selectors with label and
//! annotation selectors.

use std::collections::BTreeMap;

use regex::Regex;

use crate::resource::{Res, ResId};
use crate::types::Selector;
use kyaml::{Map, Value};

/// An id as kustomize compares them: gvk, name and effective namespace.
type IdKey = (crate::resource::Gvk, String, String);

fn id_key(id: ResId) -> IdKey {
    let ns = id.effective_namespace().to_string();
    (id.gvk, id.name, ns)
}

/// Appends each object unless one with its current id is there (kustomize `ResMap.Append`);
/// on a clash, returns the message and where the object that clashed came from.
pub fn append_all(
    list: &mut Vec<Res>,
    from: Vec<Res>,
) -> Result<(), (String, crate::resource::Origin)> {
    let mut seen: std::collections::HashSet<IdKey> =
        list.iter().map(|r| id_key(r.cur_id())).collect();
    for r in from {
        let id = r.cur_id();
        if !seen.insert(id_key(id.clone())) {
            return Err((
                format!(
                    "may not add resource with an already registered id: {}",
                    id.display()
                ),
                r.origin,
            ));
        }
        list.push(r);
    }
    Ok(())
}

/// Appends one object (see [`append_all`]).
pub fn append(list: &mut Vec<Res>, r: Res) -> Result<(), String> {
    append_all(list, vec![r]).map_err(|(m, _)| m)
}

/// Indexes of the objects matching `id` by their current or any previous id.
pub fn by_any_id(list: &[Res], id: &ResId) -> Vec<usize> {
    (0..list.len())
        .filter(|&i| list[i].matches_any_id(id))
        .collect()
}

/// The one object matching `id` by any id (kustomize `GetById`), or kustomize's error.
pub fn get_by_id(list: &[Res], id: &ResId) -> Result<usize, String> {
    match by_any_id(list, id).as_slice() {
        [one] => Ok(*one),
        [] => Err(format!(
            "no matches for Id {}; failed to find unique target for patch {}",
            id.display(),
            id.display()
        )),
        _ => Err(format!(
            "multiple matches for Id {}; failed to find unique target for patch {}",
            id.display(),
            id.display()
        )),
    }
}

/// Adds a generated object, merging into or replacing an existing one per its behavior
/// (kustomize `AbsorbAll`).
pub fn absorb(list: &mut Vec<Res>, mut r: Res) -> Result<(), String> {
    let id = r.cur_id();
    let matches = by_any_id(list, &id);
    let behavior = r.behavior.clone().unwrap_or_default();
    match matches.as_slice() {
        [] => match behavior.as_str() {
            "merge" | "replace" => Err(format!(
                "id {} does not exist; cannot merge or replace",
                id.display()
            )),
            _ => append(list, r),
        },
        [i] => {
            let old = &list[*i];
            match behavior.as_str() {
                "replace" => copy_merge_metadata(&mut r, old),
                "merge" => {
                    let origin = old.origin_anno.clone();
                    copy_merge_metadata(&mut r, old);
                    for field in ["data", "binaryData"] {
                        merge_string_map(&mut r.value, &old.value, field);
                    }
                    if origin.is_some() {
                        r.origin_anno = origin;
                    }
                }
                _ => {
                    return Err(format!(
                        "id {} exists; behavior must be merge or replace",
                        id.display()
                    ));
                }
            }
            list[*i] = r;
            Ok(())
        }
        _ => Err(format!(
            "found multiple objects that could accept merge of {}",
            id.display()
        )),
    }
}

/// kustomize `CopyMergeMetaDataFieldsFrom(old)`: labels and annotations merged (the new
/// object's win), name and namespace and the build bookkeeping from the old object; the hash
/// suffix only when both want it.
fn copy_merge_metadata(r: &mut Res, old: &Res) {
    let mut labels = old.meta_map("labels");
    labels.extend(r.meta_map("labels"));
    r.set_meta_map("labels", &labels);
    let mut annotations = old.meta_map("annotations");
    annotations.extend(r.meta_map("annotations"));
    r.set_meta_map("annotations", &annotations);
    r.set_name(old.name());
    r.set_namespace(old.namespace());
    r.needs_hash = r.needs_hash && old.needs_hash;
    r.behavior = old.behavior.clone();
    r.prev = old.prev.clone();
    r.prefixes = old.prefixes.clone();
    r.suffixes = old.suffixes.clone();
    r.ref_var_names = old.ref_var_names.clone();
    r.origin_anno = r.origin_anno.take().or_else(|| old.origin_anno.clone());
    if r.transformations.is_empty() {
        r.transformations = old.transformations.clone();
    }
}

/// `SetDataMap(merge(old.data, new.data))`: string values, the new object's keys win, and
/// the field disappears when empty.
fn merge_string_map(new: &mut Value, old: &Value, field: &str) {
    let text = |v: &Value| -> BTreeMap<String, String> {
        v.get(field)
            .and_then(Value::as_map)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| {
                        (
                            k.to_string(),
                            crate::fieldpath::scalar_text(v).unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut merged = text(old);
    merged.extend(text(new));
    let Some(m) = new.as_map_mut() else { return };
    if merged.is_empty() {
        m.shift_remove(field);
    } else {
        m.insert(
            field.to_string(),
            Value::Map(
                merged
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v.into())))
                    .collect::<Map>(),
            ),
        );
    }
}

fn anchored(pattern: &str) -> Result<Option<Regex>, String> {
    if pattern.is_empty() {
        return Ok(None);
    }
    Regex::new(&format!("^(?:{pattern})$"))
        .map(Some)
        .map_err(|e| format!("error parsing regexp: {e}"))
}

/// Indexes of the objects a selector picks (kustomize `ResMap.Select`): id parts are
/// anchored regular expressions matched against the original or current id.
pub fn select(list: &[Res], s: &Selector) -> Result<Vec<usize>, String> {
    let (g, v, kd, n, ns) = (
        anchored(&s.id.group)?,
        anchored(&s.id.version)?,
        anchored(&s.id.kind)?,
        anchored(&s.id.name)?,
        anchored(&s.id.namespace)?,
    );
    let labels = parse_label_selector(&s.label_selector)?;
    let annotations = parse_label_selector(&s.annotation_selector)?;
    let m = |re: &Option<Regex>, s: &str| re.as_ref().is_none_or(|r| r.is_match(s));
    let mut out = Vec::new();
    for (i, r) in list.iter().enumerate() {
        let gvk = r.gvk();
        if !m(&g, &gvk.group) || !m(&v, &gvk.version) || !m(&kd, &gvk.kind) {
            continue;
        }
        if n.is_some() || ns.is_some() {
            let cur = r.cur_id();
            let org = r.org_id();
            if !m(&ns, org.effective_namespace()) && !m(&ns, cur.effective_namespace()) {
                continue;
            }
            if !m(&n, &org.name) && !m(&n, &cur.name) {
                continue;
            }
        }
        if (!labels.is_empty() && !matches_selector(&labels, &r.meta_map("labels")))
            || (!annotations.is_empty()
                && !matches_selector(&annotations, &r.meta_map("annotations")))
        {
            continue;
        }
        out.push(i);
    }
    Ok(out)
}

/// One requirement of a label selector.
#[derive(Debug)]
pub enum Requirement {
    Eq(String, String),
    NotEq(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// Parses a Kubernetes label selector (`a=b,c!=d,e in (x,y),!f,g`).
pub fn parse_label_selector(s: &str) -> Result<Vec<Requirement>, String> {
    let mut out = Vec::new();
    let s = s.trim();
    if s.is_empty() {
        return Ok(out);
    }
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
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
                .ok_or_else(|| {
                    format!("unable to parse requirement: invalid label selector `{s}`")
                })?;
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
            return Err(format!(
                "unable to parse requirement: invalid label selector `{s}`"
            ));
        }
    }
    Ok(out)
}

pub fn matches_selector(reqs: &[Requirement], map: &BTreeMap<String, String>) -> bool {
    let get = |k: &str| map.get(k);
    reqs.iter().all(|r| match r {
        Requirement::Eq(k, v) => get(k) == Some(v),
        Requirement::NotEq(k, v) => get(k) != Some(v),
        Requirement::In(k, vs) => get(k).is_some_and(|x| vs.contains(x)),
        Requirement::NotIn(k, vs) => get(k).is_none_or(|x| !vs.contains(x)),
        Requirement::Exists(k) => get(k).is_some(),
        Requirement::NotExists(k) => get(k).is_none(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_selectors() {
        let mut m = BTreeMap::new();
        m.insert("app".to_string(), "web".to_string());
        m.insert("tier".to_string(), "front".to_string());
        let ok = |s: &str| matches_selector(&parse_label_selector(s).unwrap(), &m);
        assert!(ok("app=web"));
        assert!(ok("app==web,tier"));
        assert!(ok("app in (web, api),!missing"));
        assert!(!ok("app notin (web)"));
        assert!(!ok("app!=web"));
        assert!(ok(""));
    }
}
