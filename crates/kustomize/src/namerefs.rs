//! Name-reference fixing (kustomize's `nameReference` transformer): after prefixes, suffixes,
//! namespaces and hash suffixes changed object names, every field that refers to an object by
//! name (a ConfigMap volume, a RoleBinding's roleRef, a webhook's service...) is updated to the
//! new name. The referring fields come from the transformer configuration; the referral is
//! chosen as kustomize does: by previous name and kind, roleRef kind, namespace, and then by
//! matching prefixes and suffixes when several candidates remain.

use crate::config::NameBackRef;
use crate::fieldpath::{Create, split_path, walk_fieldspec};
use crate::resource::{Gvk, Res, ResId};
use kyaml::Value;

/// What selection needs to know about a possible referral.
struct Info {
    cur: ResId,
    prev: Vec<ResId>,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
}

impl Info {
    fn of(r: &Res) -> Info {
        Info {
            cur: r.cur_id(),
            prev: r.prev_ids(),
            prefixes: r.prefixes.clone(),
            suffixes: r.suffixes.clone(),
        }
    }
}

/// kustomize `utils.SameEndingSubSlice`: the shorter list ends the longer one; an empty list
/// only matches an empty list.
fn same_ending(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return long.is_empty();
    }
    long.ends_with(short)
}

fn affixes_equal(r: &Info, o: &Info, allow_empty: bool) -> bool {
    let prefix = (allow_empty && (r.prefixes.is_empty() || o.prefixes.is_empty()))
        || same_ending(&r.prefixes, &o.prefixes);
    let suffix = (allow_empty && (r.suffixes.is_empty() || o.suffixes.is_empty()))
        || same_ending(&r.suffixes, &o.suffixes);
    prefix && suffix
}

/// The objects a referrer can see (kustomize `SubsetThatCouldBeReferencedByResource`).
fn visible(referrer: &Res, infos: &[Info]) -> Result<Vec<usize>, String> {
    let rid = referrer.cur_id();
    if rid.gvk.is_cluster_scoped() {
        return Ok((0..infos.len()).collect());
    }
    let mut rb_namespaces: Vec<String> = Vec::new();
    if referrer.kind() == "RoleBinding"
        && let Some(Value::Seq(subjects)) = referrer.value.get("subjects")
    {
        for s in subjects {
            let Some(m) = s.as_map() else { continue };
            if let (Some(ns), Some(kind)) = (m.get("namespace"), m.get("kind"))
                && kind.as_str() == Some("ServiceAccount")
            {
                match ns {
                    Value::String(n) => rb_namespaces.push(n.clone().into()),
                    _ => {
                        return Err(format!(
                            "Invalid Input: namespace is blank for resource \"{}\"",
                            rid.display()
                        ));
                    }
                }
            }
        }
    }
    Ok((0..infos.len())
        .filter(|&i| {
            let id = &infos[i].cur;
            id.gvk.is_cluster_scoped()
                || id.ns_equals(&rid)
                || rb_namespaces.contains(&id.namespace)
        })
        .collect())
}

struct Select<'a> {
    referrer: &'a Info,
    referrer_id: ResId,
    target: &'a Gvk,
    role_ref: Option<Gvk>,
}

impl Select<'_> {
    fn pick<'i>(
        &self,
        old_name: &str,
        cands: &[&'i Info],
        by_ns: bool,
    ) -> Result<Option<&'i Info>, String> {
        let mut c: Vec<&Info> = cands
            .iter()
            .copied()
            .filter(|r| r.prev.iter().any(|p| p.name == old_name))
            .filter(|r| {
                r.prev.iter().any(|p| {
                    p.gvk.is_selected_by(
                        &self.target.group,
                        &self.target.version,
                        &self.target.kind,
                    )
                })
            })
            .filter(|r| match &self.role_ref {
                None => true,
                Some(g) => r
                    .prev
                    .iter()
                    .any(|p| p.gvk.is_selected_by(&g.group, "", &g.kind)),
            })
            .filter(|r| {
                self.referrer_id.gvk.is_cluster_scoped()
                    || r.cur.gvk.is_cluster_scoped()
                    || r.cur.gvk.kind == "ServiceAccount"
                    || self.referrer_id.ns_equals(&r.cur)
            })
            .collect();
        if c.len() == 1 {
            return Ok(Some(c[0]));
        }
        c.retain(|r| affixes_equal(r, self.referrer, true));
        if c.len() > 1 {
            c.retain(|r| affixes_equal(r, self.referrer, false));
        }
        match c.len() {
            0 => Ok(None),
            1 => Ok(Some(c[0])),
            _ => {
                let same = c.iter().all(|r| {
                    r.cur.name == c[0].cur.name && (!by_ns || r.cur.namespace == c[0].cur.namespace)
                });
                if same {
                    Ok(Some(c[0]))
                } else {
                    let ids: Vec<String> = c.iter().map(|r| r.cur.display()).collect();
                    Err(format!(
                        "found multiple possible referrals: {}",
                        ids.join(", ")
                    ))
                }
            }
        }
    }
}

/// Updates every name reference. Errors carry kustomize's message.
pub(crate) fn fix(resources: &mut [Res], back_refs: &[NameBackRef]) -> Result<(), String> {
    let infos: Vec<Info> = resources.iter().map(Info::of).collect();
    let org_ids: Vec<ResId> = resources.iter().map(Res::org_id).collect();
    for ri in 0..resources.len() {
        let mut filters: Vec<(&NameBackRef, usize)> = Vec::new();
        for (bi, b) in back_refs.iter().enumerate() {
            for (si, spec) in b.referrers.iter().enumerate() {
                if org_ids[ri].gvk.is_selected_by(
                    &spec.gvk.group,
                    &spec.gvk.version,
                    &spec.gvk.kind,
                ) {
                    filters.push((&back_refs[bi], si));
                }
            }
        }
        if filters.is_empty() {
            continue;
        }
        let cand_idx = visible(&resources[ri], &infos)?;
        let cands: Vec<&Info> = cand_idx.iter().map(|&i| &infos[i]).collect();
        for (b, si) in filters {
            let spec = &b.referrers[si];
            let role_ref = if spec.path.ends_with("roleRef/name") {
                resources[ri].value.get("roleRef").and_then(|rr| {
                    let g = rr.get("apiGroup")?;
                    let k = rr.get("kind")?;
                    Some(Gvk {
                        group: crate::fieldpath::scalar_text(g)?,
                        version: String::new(),
                        kind: crate::fieldpath::scalar_text(k)?,
                    })
                })
            } else {
                None
            };
            let sel = Select {
                referrer: &infos[ri],
                referrer_id: resources[ri].cur_id(),
                target: &b.gvk,
                role_ref,
            };
            let path = split_path(&spec.path, '/');
            let r = &mut resources[ri];
            walk_fieldspec(&mut r.value, &path, false, Create::Nothing, &mut |node| {
                set(node, &sel, &cands)
            })
            .map_err(|e| {
                format!(
                    "updating name reference in '{}' field of '{}': {e}",
                    spec.path,
                    sel.referrer_id.display()
                )
            })?;
        }
    }
    Ok(())
}

fn set(node: &mut Value, sel: &Select, cands: &[&Info]) -> Result<(), String> {
    match node {
        Value::Null => Ok(()),
        Value::Map(_) => set_map(node, sel, cands),
        Value::Seq(items) => {
            for item in items.iter_mut() {
                match item {
                    Value::Null => {}
                    Value::Map(_) => set_map(item, sel, cands)?,
                    Value::Seq(_) => {
                        return Err(
                            "is expected to be either a string or a map of string".to_string()
                        );
                    }
                    _ => set_scalar(item, sel, cands)?,
                }
            }
            Ok(())
        }
        _ => set_scalar(node, sel, cands),
    }
}

fn set_scalar(node: &mut Value, sel: &Select, cands: &[&Info]) -> Result<(), String> {
    let old = crate::fieldpath::scalar_text(node).unwrap_or_default();
    if let Some(r) = sel.pick(&old, cands, false)?
        && r.cur.name != old
    {
        *node = Value::String(r.cur.name.clone().into());
    }
    Ok(())
}

fn set_map(node: &mut Value, sel: &Select, cands: &[&Info]) -> Result<(), String> {
    let Some(m) = node.as_map() else {
        return Err("expect a mapping node".to_string());
    };
    let Some(name) = m.get("name") else {
        return Err("path config error; no 'name' field in node".to_string());
    };
    let old = crate::fieldpath::scalar_text(name).unwrap_or_default();
    let filtered: Vec<&Info> = match m.get("namespace") {
        None => cands.to_vec(),
        Some(nsv) => {
            let ns = crate::fieldpath::scalar_text(nsv).unwrap_or_default();
            let by_org: Vec<&Info> = cands
                .iter()
                .copied()
                .filter(|r| {
                    let org = r.prev.first().unwrap_or(&r.cur);
                    org.effective_namespace() == ns
                })
                .collect();
            if !by_org.is_empty() {
                by_org
            } else {
                cands
                    .iter()
                    .copied()
                    .filter(|r| r.cur.effective_namespace() == ns)
                    .collect()
            }
        }
    };
    let Some(r) = sel.pick(&old, &filtered, true)? else {
        return Ok(());
    };
    if r.cur.name == old && r.cur.namespace.is_empty() {
        return Ok(());
    }
    let m = node.as_map_mut().expect("checked above");
    m.insert("name", Value::String(r.cur.name.clone().into()));
    if !r.cur.namespace.is_empty() {
        m.insert("namespace", Value::String(r.cur.namespace.clone().into()));
    }
    Ok(())
}
