//! Sprig lists, dicts, defaults and reflection functions.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::util::{arg_str, is_empty, kind, str_list, strval, table, to_i64};
use gotemplate::{GoValue, MapRef};

/// The elements of any slice Sprig's reflection accepts (`[]interface {}`, `[]byte`, typed
/// slices), else Sprig's error for `what` (`Cannot find first on type string`); nil panics
/// as Sprig's `reflect.TypeOf(nil).Kind()` does.
fn list_items(v: &GoValue, what: &str) -> Result<Option<Rc<Vec<GoValue>>>, String> {
    match v {
        GoValue::List(l) => Ok(Some(l.clone())),
        GoValue::Bytes(b) => Ok(Some(Rc::new(
            b.iter().map(|x| GoValue::Int(*x as i64)).collect(),
        ))),
        GoValue::Nil => Err(NIL_PANIC.into()),
        other => match other.list_items() {
            Some(items) => Ok(Some(Rc::new(items.into_owned()))),
            None => Err(format!("Cannot {what} on type {}", kind(other))),
        },
    }
}

const ZERO_VALUE: &str = "reflect: call of reflect.Value.Type on zero Value";

const NIL_PANIC: &str = "runtime error: invalid memory address or nil pointer dereference";

/// A nil `[]interface {}` (what Sprig's `rest`/`initial` return for an empty list, `concat`
/// of nothing): prints `[]`, is empty, and encodes as JSON `null`.
struct NilSlice;

impl gotemplate::GoObject for NilSlice {
    fn type_name(&self) -> &str {
        "[]interface {}"
    }
    fn kind(&self) -> &str {
        "slice"
    }
    fn string(&self) -> Option<String> {
        Some("[]".into())
    }
    fn items(&self) -> Option<Vec<GoValue>> {
        Some(Vec::new())
    }
}

fn nil_slice() -> GoValue {
    GoValue::object(NilSlice)
}

fn the_map(v: &GoValue) -> Option<&MapRef> {
    match v {
        GoValue::Map(m) => Some(m),
        _ => None,
    }
}

fn nil_map_panic() -> String {
    "assignment to entry in nil map".into()
}

pub(crate) fn register(m: &mut gotemplate::FuncMap) {
    table! { m;
        "list" [] ...Any => |_, a| Ok(GoValue::from(a));
        "tuple" [] ...Any => |_, a| Ok(GoValue::from(a));
        "first" [Any] => |_, a| first(&a[0]);
        "mustFirst" [Any] => |_, a| first(&a[0]);
        "last" [Any] => |_, a| last(&a[0]);
        "mustLast" [Any] => |_, a| last(&a[0]);
        "rest" [Any] => |_, a| rest(&a[0]);
        "mustRest" [Any] => |_, a| rest(&a[0]);
        "initial" [Any] => |_, a| initial(&a[0]);
        "mustInitial" [Any] => |_, a| initial(&a[0]);
        "append" [Any, Any] => |_, a| push(&a[0], &a[1]);
        "push" [Any, Any] => |_, a| push(&a[0], &a[1]);
        "mustAppend" [Any, Any] => |_, a| push(&a[0], &a[1]);
        "mustPush" [Any, Any] => |_, a| push(&a[0], &a[1]);
        "prepend" [Any, Any] => |_, a| prepend(&a[0], &a[1]);
        "mustPrepend" [Any, Any] => |_, a| prepend(&a[0], &a[1]);
        "concat" [] ...Any => |_, a| concat(&a);
        "reverse" [Any] => |_, a| reverse(&a[0]);
        "mustReverse" [Any] => |_, a| reverse(&a[0]);
        "uniq" [Any] => |_, a| uniq(&a[0]);
        "mustUniq" [Any] => |_, a| uniq(&a[0]);
        "without" [Any] ...Any => |_, a| without(&a[0], &a[1..]);
        "mustWithout" [Any] ...Any => |_, a| without(&a[0], &a[1..]);
        "has" [Any, Any] => |_, a| has(&a[0], &a[1]);
        "mustHas" [Any, Any] => |_, a| has(&a[0], &a[1]);
        "compact" [Any] => |_, a| compact(&a[0]);
        "mustCompact" [Any] => |_, a| compact(&a[0]);
        "slice" [Any] ...Any => |_, a| slice(&a[0], &a[1..]);
        "mustSlice" [Any] ...Any => |_, a| slice(&a[0], &a[1..]);
        "chunk" [Int, Any] => |_, a| chunk(to_i64(&a[0]), &a[1]);
        "mustChunk" [Int, Any] => |_, a| chunk(to_i64(&a[0]), &a[1]);
        "dict" [] ...Any => |_, a| {
            let mut m = BTreeMap::new();
            let mut i = 0;
            while i < a.len() {
                let k = strval(&a[i]);
                let v = a.get(i + 1).cloned().unwrap_or_else(|| GoValue::from(""));
                m.insert(k, v);
                i += 2;
            }
            Ok(GoValue::from(m))
        };
        "get" [Map, Str] => |_, a| Ok(the_map(&a[0]).and_then(|m| m.borrow().get(arg_str(&a[1])).cloned()).unwrap_or_else(|| GoValue::from("")));
        "set" [Map, Str, Any] => |_, a| {
            let m = the_map(&a[0]).ok_or_else(nil_map_panic)?;
            refuse_cycle("set", &a[2], std::slice::from_ref(m))?;
            m.borrow_mut().insert(arg_str(&a[1]).to_string(), a[2].clone());
            Ok(a[0].clone())
        };
        "unset" [Map, Str] => |_, a| {
            if let Some(m) = the_map(&a[0]) { m.borrow_mut().remove(arg_str(&a[1])); }
            // A nil map comes back as a (nil) map: `map[]`.
            Ok(if a[0].is_nil() { GoValue::new_map() } else { a[0].clone() })
        };
        "hasKey" [Map, Str] => |_, a| Ok(GoValue::Bool(the_map(&a[0]).is_some_and(|m| m.borrow().contains_key(arg_str(&a[1])))));
        "pluck" [Str] ...Map => |_, a| {
            let k = arg_str(&a[0]);
            Ok(GoValue::from(a[1..].iter().filter_map(|d| the_map(d).and_then(|m| m.borrow().get(k).cloned())).collect::<Vec<_>>()))
        };
        "keys" [] ...Map => |_, a| {
            let mut ks = Vec::new();
            for d in &a { if let Some(m) = the_map(d) { ks.extend(m.borrow().keys().cloned()); } }
            Ok(str_list(ks))
        };
        "pick" [Map] ...Str => |_, a| {
            let mut out = BTreeMap::new();
            if let Some(m) = the_map(&a[0]) {
                let m = m.borrow();
                for k in &a[1..] { if let Some(v) = m.get(arg_str(k)) { out.insert(arg_str(k).to_string(), v.clone()); } }
            }
            Ok(GoValue::from(out))
        };
        "omit" [Map] ...Str => |_, a| {
            let mut out = BTreeMap::new();
            if let Some(m) = the_map(&a[0]) {
                let omit: Vec<&str> = a[1..].iter().map(arg_str).collect();
                for (k, v) in m.borrow().iter() { if !omit.contains(&k.as_str()) { out.insert(k.clone(), v.clone()); } }
            }
            Ok(GoValue::from(out))
        };
        "values" [Map] => |_, a| Ok(GoValue::from(the_map(&a[0]).map(|m| m.borrow().values().cloned().collect::<Vec<_>>()).unwrap_or_default()));
        "dig" [] ...Any => |_, a| dig(&a);
        "merge" [Map] ...Map => |_, a| merge(&a, false);
        "mustMerge" [Map] ...Map => |_, a| merge(&a, false);
        "mergeOverwrite" [Map] ...Map => |_, a| merge(&a, true);
        "mustMergeOverwrite" [Map] ...Map => |_, a| merge(&a, true);
        // copystructure reflects on nil before its own check: Go's reflect panic.
        "deepCopy" [Any] => |_, a| if a[0].is_nil() { Err(ZERO_VALUE.into()) } else { Ok(a[0].deep_copy()) };
        "mustDeepCopy" [Any] => |_, a| if a[0].is_nil() { Err(ZERO_VALUE.into()) } else { Ok(a[0].deep_copy()) };
        "default" [Any] ...Any => |_, a| Ok(if a.len() < 2 || is_empty(&a[1]) { a[0].clone() } else { a[1].clone() });
        "empty" [Any] => |_, a| Ok(GoValue::Bool(is_empty(&a[0])));
        "coalesce" [] ...Any => |_, a| Ok(a.into_iter().find(|v| !is_empty(v)).unwrap_or_default());
        "all" [] ...Any => |_, a| Ok(GoValue::Bool(a.iter().all(|v| !is_empty(v))));
        "any" [] ...Any => |_, a| Ok(GoValue::Bool(a.iter().any(|v| !is_empty(v))));
        "ternary" [Any, Any, Bool] => |_, a| Ok(if matches!(a[2], GoValue::Bool(true)) { a[0].clone() } else { a[1].clone() });
        "typeOf" [Any] => |_, a| Ok(GoValue::from(a[0].type_name()));
        "typeIs" [Str, Any] => |_, a| Ok(GoValue::Bool(arg_str(&a[0]) == a[1].type_name()));
        "typeIsLike" [Str, Any] => |_, a| { let t = a[1].type_name(); Ok(GoValue::Bool(arg_str(&a[0]) == t || format!("*{}", arg_str(&a[0])) == t)) };
        "kindOf" [Any] => |_, a| Ok(GoValue::from(kind(&a[0])));
        "kindIs" [Str, Any] => |_, a| Ok(GoValue::Bool(arg_str(&a[0]) == kind(&a[1])));
        "deepEqual" [Any, Any] => |_, a| Ok(GoValue::Bool(a[0] == a[1]));
    }
}

fn first(v: &GoValue) -> Result<GoValue, String> {
    let l = list_items(v, "find first")?.unwrap_or_default();
    Ok(l.first().cloned().unwrap_or_default())
}

fn last(v: &GoValue) -> Result<GoValue, String> {
    let l = list_items(v, "find last")?.unwrap_or_default();
    Ok(l.last().cloned().unwrap_or_default())
}

fn rest(v: &GoValue) -> Result<GoValue, String> {
    let l = list_items(v, "find rest")?.unwrap_or_default();
    if l.is_empty() {
        return Ok(nil_slice());
    }
    Ok(GoValue::from(l[1..].to_vec()))
}

fn initial(v: &GoValue) -> Result<GoValue, String> {
    let l = list_items(v, "find initial")?.unwrap_or_default();
    if l.is_empty() {
        return Ok(nil_slice());
    }
    Ok(GoValue::from(l[..l.len() - 1].to_vec()))
}

fn push(list: &GoValue, v: &GoValue) -> Result<GoValue, String> {
    let l = list_items(list, "push")?.unwrap_or_default();
    let mut out = Vec::with_capacity(l.len() + 1);
    out.extend(l.iter().cloned());
    out.push(v.clone());
    Ok(GoValue::from(out))
}

fn prepend(list: &GoValue, v: &GoValue) -> Result<GoValue, String> {
    let l = list_items(list, "prepend")?.unwrap_or_default();
    let mut out = Vec::with_capacity(l.len() + 1);
    out.push(v.clone());
    out.extend(l.iter().cloned());
    Ok(GoValue::from(out))
}

fn concat(lists: &[GoValue]) -> Result<GoValue, String> {
    let mut out = Vec::new();
    for l in lists {
        if l.is_nil() {
            return Err(NIL_PANIC.into());
        }
        match list_items(l, "concat") {
            Ok(items) => out.extend(items.unwrap_or_default().iter().cloned()),
            Err(_) => return Err(format!("Cannot concat type {} as list", kind(l))),
        }
    }
    if out.is_empty() {
        return Ok(nil_slice());
    }
    Ok(GoValue::from(out))
}

fn reverse(v: &GoValue) -> Result<GoValue, String> {
    let l = list_items(v, "find reverse")?.unwrap_or_default();
    Ok(GoValue::from(l.iter().rev().cloned().collect::<Vec<_>>()))
}

fn uniq(v: &GoValue) -> Result<GoValue, String> {
    let l = list_items(v, "find uniq")?.unwrap_or_default();
    let mut out: Vec<GoValue> = Vec::new();
    for x in l.iter() {
        if !out.contains(x) {
            out.push(x.clone());
        }
    }
    Ok(GoValue::from(out))
}

fn without(v: &GoValue, omit: &[GoValue]) -> Result<GoValue, String> {
    let l = list_items(v, "find without")?.unwrap_or_default();
    Ok(GoValue::from(
        l.iter()
            .filter(|x| !omit.contains(x))
            .cloned()
            .collect::<Vec<_>>(),
    ))
}

fn has(needle: &GoValue, haystack: &GoValue) -> Result<GoValue, String> {
    if haystack.is_nil() {
        return Ok(GoValue::Bool(false));
    }
    let l = list_items(haystack, "find has")?.unwrap_or_default();
    Ok(GoValue::Bool(l.contains(needle)))
}

fn compact(v: &GoValue) -> Result<GoValue, String> {
    let l = list_items(v, "compact")?.unwrap_or_default();
    Ok(GoValue::from(
        l.iter()
            .filter(|x| !is_empty(x))
            .cloned()
            .collect::<Vec<_>>(),
    ))
}

fn slice(v: &GoValue, idx: &[GoValue]) -> Result<GoValue, String> {
    if v.is_nil() {
        return Err(NIL_PANIC.into());
    }
    let l = match list_items(v, "slice") {
        Ok(l) => l.unwrap_or_default(),
        Err(_) => {
            return Err(format!(
                "list should be type of slice or array but {}",
                kind(v)
            ));
        }
    };
    if l.is_empty() {
        return Ok(GoValue::Nil);
    }
    let start = idx.first().map(to_int).unwrap_or(0);
    let end = if idx.len() < 2 {
        l.len() as i64
    } else {
        to_int(&idx[1])
    };
    if start < 0 || end < start || end > l.len() as i64 {
        return Err("reflect.Value.Slice: slice index out of bounds".into());
    }
    let part = l[start as usize..end as usize].to_vec();
    Ok(match v {
        GoValue::Object(o) => GoValue::typed_list(o.type_name(), part),
        GoValue::Bytes(_) => GoValue::Bytes(
            part.iter()
                .map(|x| x.as_int().unwrap_or(0) as u8)
                .collect::<Vec<u8>>()
                .into(),
        ),
        _ => GoValue::from(part),
    })
}

/// cast.ToInt (Sprig's `toInt`).
fn to_int(v: &GoValue) -> i64 {
    to_i64(v)
}

fn chunk(size: i64, v: &GoValue) -> Result<GoValue, String> {
    if v.is_nil() {
        return Err(NIL_PANIC.into());
    }
    let l = match list_items(v, "chunk") {
        Ok(l) => l.unwrap_or_default(),
        Err(_) => return Err(format!("Cannot chunk type {}", kind(v))),
    };
    // Sprig's float arithmetic, as Go computes it: the number of chunks, then each length.
    const MAKESLICE: &str = "runtime error: makeslice: len out of range";
    let n = l.len() as f64;
    let cs = crate::util::go_f2i(((n - 1.0) / size as f64).floor() + 1.0);
    if cs < 0 {
        return Err(MAKESLICE.into());
    }
    let mut out = Vec::new();
    for i in 0..cs {
        let mut clen = size;
        if i == cs - 1 {
            clen = crate::util::go_f2i((n % size as f64).floor());
            if clen == 0 {
                clen = size;
            }
        }
        if clen < 0 {
            return Err(MAKESLICE.into());
        }
        let mut part = Vec::with_capacity(clen.min(l.len() as i64) as usize);
        for j in 0..clen {
            let ix = i * size + j;
            match usize::try_from(ix).ok().and_then(|ix| l.get(ix)) {
                Some(x) => part.push(x.clone()),
                None => return Err("reflect: slice index out of range".into()),
            }
        }
        out.push(GoValue::from(part));
    }
    Ok(GoValue::typed_list("[][]interface {}", out))
}

fn dig(a: &[GoValue]) -> Result<GoValue, String> {
    if a.len() < 3 {
        return Err("dig needs at least three arguments".into());
    }
    let (dict, default) = (&a[a.len() - 1], &a[a.len() - 2]);
    // Sprig asserts the dict's type first, then each key's.
    let assertion = |v: &GoValue, want: &str| {
        format!(
            "interface conversion: interface {{}} is {}, not {want}",
            if v.is_nil() {
                "nil".to_string()
            } else {
                v.type_name()
            }
        )
    };
    if !matches!(dict, GoValue::Map(_)) {
        return Err(assertion(dict, "map[string]interface {}"));
    }
    let mut keys = Vec::new();
    for k in &a[..a.len() - 2] {
        match k {
            GoValue::String(s) => keys.push(s.clone()),
            other => return Err(assertion(other, "string")),
        }
    }
    let mut cur = dict.clone();
    for (i, k) in keys.iter().enumerate() {
        let m = match &cur {
            GoValue::Map(m) => m.clone(),
            other => {
                return Err(format!(
                    "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                    if other.is_nil() {
                        "nil".to_string()
                    } else {
                        other.type_name()
                    }
                ));
            }
        };
        let step = m.borrow().get(&**k).cloned();
        match step {
            None => return Ok(default.clone()),
            Some(v) if i + 1 == keys.len() => return Ok(v),
            Some(v) => cur = v,
        }
    }
    Ok(default.clone())
}

/// Refuses to put into `maps[last]` a value that holds it or one of the maps it sits in
/// (`maps`, outermost first): Go lets a template build such a cycle, and then overflows its
/// stack printing or encoding it (Helm dies); vendor stops at the function that would close
/// the cycle, with a resource-limit error.
fn refuse_cycle(what: &str, value: &GoValue, maps: &[MapRef]) -> Result<(), String> {
    if !matches!(value, GoValue::Map(_) | GoValue::List(_)) {
        return Ok(());
    }
    let mut seen: std::collections::HashSet<*const ()> = std::collections::HashSet::new();
    let mut todo: Vec<GoValue> = vec![value.clone()];
    while let Some(v) = todo.pop() {
        match v {
            GoValue::Map(m) => {
                if maps.iter().any(|map| Rc::ptr_eq(&m, map)) {
                    return Err(cycle_error(what));
                }
                let id = Rc::as_ptr(&m).cast::<()>();
                if seen.insert(id) {
                    todo.extend(m.borrow().values().cloned());
                }
            }
            GoValue::List(l) => todo.extend(l.iter().cloned()),
            _ => {}
        }
    }
    Ok(())
}

fn cycle_error(what: &str) -> String {
    format!(
        "{what}: a map that contains itself (Helm overflows its stack on one) {} of values without cycles",
        gotemplate::LIMIT_MARKER
    )
}

/// mergo's Merge / Merge(WithOverride) of `map[string]interface{}` values, as Sprig uses it.
fn merge(a: &[GoValue], overwrite: bool) -> Result<GoValue, String> {
    // mergo makes a new map for a nil destination.
    let dst = match &a[0] {
        GoValue::Map(m) => m.clone(),
        _ => match GoValue::new_map() {
            GoValue::Map(m) => m,
            _ => return Err(nil_map_panic()),
        },
    };
    for src in &a[1..] {
        if let GoValue::Map(s) = src {
            if Rc::ptr_eq(s, &dst) {
                continue;
            }
            merge_maps(&mut vec![dst.clone()], &s.borrow(), overwrite)?;
        }
    }
    Ok(GoValue::Map(dst))
}

/// Merges `src` into the last map of `path` (the maps it sits in come before it: a value that
/// holds any of them would close a cycle, and is refused).
fn merge_maps(
    path: &mut Vec<MapRef>,
    src: &BTreeMap<String, GoValue>,
    overwrite: bool,
) -> Result<(), String> {
    let Some(dst) = path.last().cloned() else {
        return Ok(());
    };
    for (k, sv) in src {
        if sv.is_nil() {
            if overwrite {
                dst.borrow_mut().insert(k.clone(), GoValue::Nil);
            }
            continue;
        }
        let dv = dst.borrow().get(k).cloned();
        match (sv, &dv) {
            (GoValue::Map(sm), Some(GoValue::Map(dm))) => {
                if !Rc::ptr_eq(sm, dm) {
                    let s = sm.borrow().clone();
                    path.push(dm.clone());
                    let merged = merge_maps(path, &s, overwrite);
                    path.pop();
                    merged?;
                }
                continue;
            }
            (GoValue::Map(_) | GoValue::List(_), Some(d)) if !is_empty(d) && !overwrite => continue,
            _ => {}
        }
        let set = overwrite || dv.as_ref().is_none_or(is_empty);
        if set {
            refuse_cycle("merge", sv, path)?;
            dst.borrow_mut().insert(k.clone(), sv.clone());
        }
    }
    Ok(())
}
