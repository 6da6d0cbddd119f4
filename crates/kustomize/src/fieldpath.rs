//! Walking paths into objects the three ways kustomize does:
//!
//! - field specs (`spec/template/metadata/labels`): lists on the way are entered element by
//!   element, missing maps are created when the spec says `create` (never a missing list:
//!   a `name[]` segment only enters an existing list), and the last step's node is handed to
//!   a setter;
//! - `Lookup` paths (vars' and replacement sources' `fieldPath`, `a.b[0].c`, `a.[name=x].b`):
//!   exact field names, list indexes and `[key=value]` element matches, no creation;
//! - `PathMatcher` paths (replacement targets): like lookups, plus `*` over list elements,
//!   `[key=regex]` matching every element, and creation of what is missing when asked.

use kyaml::{Map, Value};

/// Splits a field-spec path on `/`; a `\/` is a literal slash (kyaml `PathSplitter`).
pub fn split_path(path: &str, delimiter: char) -> Vec<String> {
    let mut parts: Vec<&str> = path.split(delimiter).collect();
    if parts.len() > 1 && parts[0].is_empty() {
        parts.remove(0);
    }
    let mut out: Vec<String> = Vec::with_capacity(parts.len());
    for p in parts {
        match out.last_mut() {
            Some(last) if last.ends_with('\\') => {
                last.pop();
                last.push(delimiter);
                last.push_str(p);
            }
            _ => out.push(p.to_string()),
        }
    }
    out
}

/// kyaml `SmarterPathSplitter`: like [`split_path`], but a `[...]` segment containing the
/// delimiter stays whole (`[name=a.b]`), and a bracketed segment without `=` loses its brackets.
pub fn smarter_split(path: &str, delimiter: char) -> Vec<String> {
    let split = split_path(path, delimiter);
    let mut out = Vec::with_capacity(split.len());
    let mut i = 0;
    while i < split.len() {
        let elem = &split[i];
        if elem.starts_with('[') && !elem.ends_with(']') {
            let mut bracketed = vec![elem.clone()];
            while i < split.len() - 1 {
                i += 1;
                bracketed.push(split[i].clone());
                if split[i].ends_with(']') {
                    break;
                }
            }
            let joined = bracketed.join(&delimiter.to_string());
            if joined.contains('=') {
                out.push(joined);
            } else {
                out.push(joined.trim_matches(|c| c == '[' || c == ']').to_string());
            }
        } else {
            out.push(elem.clone());
        }
        i += 1;
    }
    out
}

/// What a field spec creates at its last step when the field is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Create {
    /// Nothing: missing fields are skipped.
    Nothing,
    /// An empty map (labels, annotations).
    Map,
    /// A null scalar the setter fills (names, namespaces, replicas, images).
    Scalar,
}

/// Longest field path followed (deeper ones would create absurdly nested objects on hostile
/// input; no Kubernetes field is anywhere near this deep).
pub const MAX_PATH_SEGMENTS: usize = 200;

fn too_long(n: usize) -> Result<(), String> {
    if n > MAX_PATH_SEGMENTS {
        return Err(format!(
            "field path has {n} segments; at most {MAX_PATH_SEGMENTS} are followed"
        ));
    }
    Ok(())
}

/// The setter a field-spec walk calls on each node it reaches.
pub type Setter<'a> = dyn FnMut(&mut Value) -> Result<(), String> + 'a;

/// Applies `set` at `path` (already split) in `obj`, per kustomize's `fieldspec.Filter`.
pub fn walk_fieldspec(
    obj: &mut Value,
    path: &[String],
    create: bool,
    leaf: Create,
    set: &mut Setter,
) -> Result<(), String> {
    too_long(path.len())?;
    walk(obj, path, create, leaf, set)
}

fn walk(
    obj: &mut Value,
    path: &[String],
    create: bool,
    leaf: Create,
    set: &mut Setter,
) -> Result<(), String> {
    if path.is_empty() {
        return set(obj);
    }
    match obj {
        Value::Null => Ok(()),
        Value::Seq(items) => {
            for item in items {
                walk(item, path, create, leaf, set)?;
            }
            Ok(())
        }
        Value::Map(m) => {
            let (name, is_seq) = match path[0].strip_suffix("[]") {
                Some(n) => (n, true),
                None => (path[0].as_str(), false),
            };
            if name.is_empty() {
                return Err("cannot set or create an empty field name".to_string());
            }
            // What to create: nothing for `[]` segments or specs without `create`.
            let kind = if is_seq {
                Some(NodeKind::Seq)
            } else if !create || leaf == Create::Nothing {
                None
            } else if path.len() == 1 {
                Some(match leaf {
                    Create::Map => NodeKind::Map,
                    _ => NodeKind::Scalar,
                })
            } else {
                Some(NodeKind::Map)
            };
            let creates = !is_seq && kind.is_some();
            if !m.contains_key(name) {
                if !creates {
                    return Ok(());
                }
                m.insert(name.to_string(), kind.map_or(Value::Null, NodeKind::empty));
            }
            let field = m.get_mut(name).expect("present or just created");
            // A null field becomes an empty node of the kind being walked into.
            if field.is_null()
                && let Some(k) = kind
            {
                *field = k.empty();
            }
            walk(field, &path[1..], create, leaf, set)
        }
        _ => Err("expected sequence or mapping node".to_string()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NodeKind {
    Map,
    Seq,
    Scalar,
}

impl NodeKind {
    fn empty(self) -> Value {
        match self {
            NodeKind::Map => Value::Map(Map::new()),
            NodeKind::Seq => Value::Seq(Vec::new()),
            NodeKind::Scalar => Value::Null,
        }
    }
}

/// `[key=value]` split into its parts (`key` may be empty for primitive elements).
pub fn split_index_name_value(part: &str) -> Option<(&str, &str)> {
    let inner = part.strip_prefix('[').unwrap_or(part);
    let inner = inner.strip_suffix(']').unwrap_or(inner);
    inner.split_once('=')
}

fn is_list_index(p: &str) -> bool {
    p.starts_with('[') && p.ends_with(']')
}

fn is_index_number(p: &str) -> bool {
    p.parse::<usize>().is_ok()
}

/// The text of a scalar as kyaml compares it (`node.Value`).
pub fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone().into()),
        Value::Int(i) => Some(i.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Float(f) => Some(kyaml::to_string(&Value::Float(*f)).trim_end().to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

/// kyaml `Lookup(parts...)` without creation: the node at the path, if any.
pub fn lookup<'v>(v: &'v Value, parts: &[String]) -> Result<Option<&'v Value>, String> {
    let mut cur = v;
    for part in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        if cur.is_null() {
            return Ok(None);
        }
        let next = if let Ok(i) = part.parse::<i64>() {
            if i < 0 {
                return Err(format!("array index {i} cannot be negative"));
            }
            match cur {
                Value::Seq(items) => items.get(i as usize),
                _ => return Err(wrong_kind("SequenceNode", cur)),
            }
        } else if part == "-" {
            match cur {
                Value::Seq(items) => items.last(),
                _ => return Err(wrong_kind("SequenceNode", cur)),
            }
        } else if part == "*" {
            return Err("wildcard is not supported in PathGetter".to_string());
        } else if is_list_index(part) {
            let (key, value) = split_index_name_value(part).ok_or_else(|| {
                "list path element must contain fieldName=fieldValue for element to match"
                    .to_string()
            })?;
            match cur {
                Value::Seq(items) => items.iter().find(|item| {
                    if key.is_empty() {
                        scalar_text(item).is_some_and(|t| t == value)
                    } else {
                        item.as_map().is_some_and(|m| {
                            m.get(key).and_then(scalar_text).is_some_and(|t| t == value)
                        })
                    }
                }),
                _ => return Err(wrong_kind("SequenceNode", cur)),
            }
        } else {
            match cur {
                Value::Map(m) => m.get(part),
                _ => return Err(wrong_kind("MappingNode", cur)),
            }
        };
        match next {
            Some(n) => cur = n,
            None => return Ok(None),
        }
    }
    Ok(Some(cur))
}

fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Map(_) => "MappingNode",
        Value::Seq(_) => "SequenceNode",
        _ => "ScalarNode",
    }
}

fn wrong_kind(expected: &str, got: &Value) -> String {
    format!(
        "wrong node kind: expected {expected} but got {}",
        kind_name(got)
    )
}

/// What a `PathMatcher` creates for missing parts (the kind of the value being copied).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchCreate {
    No,
    Scalar,
    Map,
    Seq,
}

impl MatchCreate {
    pub fn of(v: &Value) -> MatchCreate {
        match v {
            Value::Map(_) => MatchCreate::Map,
            Value::Seq(_) => MatchCreate::Seq,
            _ => MatchCreate::Scalar,
        }
    }

    fn kind_for(self, next: Option<&str>) -> Value {
        match next {
            Some(n) if is_list_index(n) || is_index_number(n) => Value::Seq(Vec::new()),
            Some(_) => Value::Map(Map::new()),
            None => match self {
                MatchCreate::Map => Value::Map(Map::new()),
                MatchCreate::Seq => Value::Seq(Vec::new()),
                _ => Value::Null,
            },
        }
    }
}

/// A node a `PathMatcher` reached; `created` when the walk made it (a fresh, untagged node).
pub struct Matched<'v> {
    pub node: &'v mut Value,
    pub created: bool,
}

/// Applies `f` to every node kyaml's `PathMatcher` matches for `parts`; returns how many.
pub fn path_match(
    v: &mut Value,
    parts: &[String],
    create: MatchCreate,
    f: &mut dyn FnMut(Matched) -> Result<(), String>,
) -> Result<usize, String> {
    let parts: Vec<&str> = parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect();
    too_long(parts.len())?;
    let mut count = 0;
    matcher(v, &parts, create, false, f, &mut count, 0)?;
    Ok(count)
}

#[allow(clippy::too_many_arguments)]
fn matcher(
    v: &mut Value,
    parts: &[&str],
    create: MatchCreate,
    created: bool,
    f: &mut dyn FnMut(Matched) -> Result<(), String>,
    count: &mut usize,
    depth: usize,
) -> Result<(), String> {
    if depth > 256 {
        return Err("field path too deep".to_string());
    }
    let Some((&part, rest)) = parts.split_first() else {
        *count += 1;
        return f(Matched { node: v, created });
    };
    let next = rest.first().copied();
    let creating = create != MatchCreate::No;
    if is_index_number(part) {
        let idx: usize = part.parse().map_err(|_| format!("bad index {part}"))?;
        let items = match v {
            Value::Seq(items) => items,
            Value::Null => return Ok(()),
            other => return Err(wrong_kind("SequenceNode", other)),
        };
        let mut made = false;
        if items.len() == idx && creating {
            items.push(create.kind_for(next));
            made = true;
        }
        if items.len() < idx + 1 {
            return Err(format!(
                "index {idx} specified but only {} elements found",
                items.len()
            ));
        }
        return matcher(&mut items[idx], rest, create, made, f, count, depth + 1);
    }
    if is_list_index(part) {
        let (key, pattern) = split_index_name_value(part).ok_or_else(|| {
            "list path element must contain fieldName=fieldValue for element to match".to_string()
        })?;
        let re = regex::Regex::new(pattern).map_err(|e| e.to_string())?;
        let items = match v {
            Value::Seq(items) => items,
            Value::Null => return Ok(()),
            other => return Err(wrong_kind("SequenceNode", other)),
        };
        for attempt in 0..2 {
            let mut matched = false;
            for item in items.iter_mut() {
                if key.is_empty() {
                    let text = scalar_yaml_text(item);
                    if re.is_match(&text) {
                        matched = true;
                        *count += 1;
                        f(Matched {
                            node: item,
                            created: false,
                        })?;
                    }
                    continue;
                }
                let Some(field) = item.as_map().and_then(|m| m.get(key)) else {
                    continue;
                };
                if field.is_null() || !re.is_match(&scalar_yaml_text(field)) {
                    continue;
                }
                let before = *count;
                matcher(item, rest, create, false, f, count, depth + 1)?;
                matched |= *count > before;
            }
            if matched || !creating || attempt == 1 {
                break;
            }
            let value = Value::String(pattern.to_string().into());
            items.push(if key.is_empty() {
                value
            } else {
                let mut m = Map::new();
                m.insert(key.to_string(), value);
                Value::Map(m)
            });
        }
        return Ok(());
    }
    if part == "*" {
        let items = match v {
            Value::Seq(items) => items,
            Value::Null => return Ok(()),
            other => return Err(wrong_kind("SequenceNode", other)),
        };
        for item in items.iter_mut() {
            matcher(item, rest, create, false, f, count, depth + 1)?;
        }
        return Ok(());
    }
    let m = match v {
        Value::Map(m) => m,
        Value::Null if creating => {
            *v = Value::Map(Map::new());
            v.as_map_mut().expect("just made a map")
        }
        Value::Null => return Ok(()),
        other => return Err(wrong_kind("MappingNode", other)),
    };
    let mut made = false;
    if !m.contains_key(part) {
        if !creating {
            return Ok(());
        }
        m.insert(part.to_string(), create.kind_for(next));
        made = true;
    }
    let field = m.get_mut(part).expect("present or created");
    matcher(field, rest, create, made, f, count, depth + 1)
}

/// A node's text as kyaml's `RNode.String()` writes it, trimmed (what `[key=regex]` matches).
fn scalar_yaml_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone().into(),
        Value::Map(_) | Value::Seq(_) => kyaml::to_string(v).trim().to_string(),
        other => scalar_text(other).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(src: &str) -> Value {
        kyaml::parse_one(src, kyaml::Dialect::Kube).unwrap()
    }

    fn strs(p: &[&str]) -> Vec<String> {
        p.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn splitting_keeps_escaped_slashes_and_bracketed_dots() {
        assert_eq!(
            split_path("metadata/annotations/a.io\\/b", '/'),
            strs(&["metadata", "annotations", "a.io/b"])
        );
        assert_eq!(
            smarter_split("spec.containers.[name=a.b].image", '.'),
            strs(&["spec", "containers", "[name=a.b]", "image"])
        );
        assert_eq!(smarter_split("a.[b].c", '.'), strs(&["a", "[b]", "c"]));
        assert_eq!(smarter_split("a.[b.c].d", '.'), strs(&["a", "b.c", "d"]));
    }

    #[test]
    fn fieldspec_walk_creates_maps_but_never_lists() {
        let mut obj = v("spec: {template: {}}\n");
        let path = split_path("spec/template/metadata/labels", '/');
        walk_fieldspec(&mut obj, &path, true, Create::Map, &mut |n| {
            n.as_map_mut()
                .unwrap()
                .insert("a", Value::String("b".into()));
            Ok(())
        })
        .unwrap();
        assert_eq!(
            obj.path(&["spec", "template", "metadata", "labels", "a"]),
            Some(&Value::String("b".into()))
        );
        let mut sts = v("spec: {}\n");
        let path = split_path("spec/volumeClaimTemplates[]/metadata/labels", '/');
        walk_fieldspec(&mut sts, &path, true, Create::Map, &mut |_| Ok(())).unwrap();
        assert_eq!(sts, v("spec: {}\n"));
    }

    #[test]
    fn lookup_follows_indexes_and_element_matches() {
        let obj = v("spec:\n  containers:\n  - name: a\n    image: x\n  - name: b\n    image: y\n");
        let got = lookup(&obj, &strs(&["spec", "containers", "[name=b]", "image"])).unwrap();
        assert_eq!(got, Some(&Value::String("y".into())));
        let got = lookup(&obj, &strs(&["spec", "containers", "0", "image"])).unwrap();
        assert_eq!(got, Some(&Value::String("x".into())));
        assert_eq!(lookup(&obj, &strs(&["spec", "nope"])).unwrap(), None);
    }

    #[test]
    fn absurdly_long_paths_are_refused() {
        let mut obj = v("a: 1\n");
        let path: Vec<String> = (0..=MAX_PATH_SEGMENTS).map(|_| "x".to_string()).collect();
        assert!(walk_fieldspec(&mut obj, &path, true, Create::Map, &mut |_| Ok(())).is_err());
        assert!(path_match(&mut obj, &path, MatchCreate::Map, &mut |_| Ok(())).is_err());
        assert_eq!(obj, v("a: 1\n"));
    }

    #[test]
    fn creating_an_element_the_pattern_does_not_match_stops() {
        let mut obj = v("list: []\n");
        let n = path_match(
            &mut obj,
            &strs(&["list", "[name=^x$]", "v"]),
            MatchCreate::Scalar,
            &mut |_| Ok(()),
        )
        .unwrap();
        assert_eq!(n, 0);
    }

    #[test]
    fn path_match_wildcards_and_creates() {
        let mut obj = v("spec:\n  containers:\n  - name: a\n  - name: b\n");
        let n = path_match(
            &mut obj,
            &strs(&["spec", "containers", "*", "image"]),
            MatchCreate::Scalar,
            &mut |m| {
                *m.node = Value::String("img".into());
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(n, 2);
        assert_eq!(
            lookup(&obj, &strs(&["spec", "containers", "1", "image"])).unwrap(),
            Some(&Value::String("img".into()))
        );
    }
}
