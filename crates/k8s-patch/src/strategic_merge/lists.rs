//! The list helpers of the strategic merge, after kyaml's: matching items by their merge-key
//! values, replacing or removing them, and appending merged items in kyaml's order.

use super::{is_empty_map, scalar_text};
use kyaml::Value;

/// kyaml `mergeValues`: tuples that agree wherever both have a value are unified.
pub(super) fn merge_values(values: &mut [Vec<String>]) {
    for i in 0..values.len() {
        for j in 0..values.len() {
            let (a, b) = (&values[i], &values[j]);
            if a.len() != b.len() {
                continue;
            }
            let mut common = false;
            let mut res = Vec::with_capacity(a.len());
            let mut ok = true;
            for (x, y) in a.iter().zip(b) {
                if x == y {
                    common = true;
                    res.push(x.clone());
                } else if !x.is_empty() && !y.is_empty() {
                    ok = false;
                    break;
                } else if !x.is_empty() {
                    res.push(x.clone());
                } else {
                    res.push(y.clone());
                }
            }
            if ok && common {
                values[i] = res.clone();
                values[j] = res;
            }
        }
    }
}

/// kyaml `validateKeys`: keep the keys some tuple has a value for.
pub(super) fn validate_keys<'k>(
    all: &[Vec<String>],
    tuple: &[String],
    keys: &[&'k str],
) -> (Vec<&'k str>, Vec<String>) {
    let valid: Vec<bool> = (0..keys.len())
        .map(|i| all.iter().any(|t| t.get(i).is_some_and(|v| !v.is_empty())))
        .collect();
    if !valid.iter().any(|v| *v) {
        return (keys.to_vec(), tuple.to_vec());
    }
    let vk = keys
        .iter()
        .zip(&valid)
        .filter(|(_, v)| **v)
        .map(|(k, _)| *k)
        .collect();
    let vv = tuple
        .iter()
        .zip(&valid)
        .filter(|(t, v)| !t.is_empty() || **v)
        .map(|(t, _)| t.clone())
        .collect();
    (vk, vv)
}

/// kyaml `ElementMatcher`: the first map item whose key fields equal the values.
pub(super) fn find_element(list: &[Value], keys: &[&str], values: &[String]) -> Option<usize> {
    if keys.len() != values.len() {
        return None;
    }
    list.iter().position(|item| {
        let Some(m) = item.as_map() else { return false };
        keys.iter()
            .zip(values)
            .all(|(k, v)| m.get(*k).and_then(scalar_text).as_deref() == Some(v.as_str()))
    })
}

/// kyaml `ElementSetter` on a list of maps: drops null/empty items, replaces every item matching
/// the keys with `element` (or removes them when `None`), appends when nothing matched.
pub(super) fn set_element(
    list: &mut Vec<Value>,
    element: Option<Value>,
    keys: &[&str],
    values: &[String],
) {
    let mut out = Vec::with_capacity(list.len() + 1);
    let mut found_any = false;
    let mapping_setter =
        !keys.is_empty() && !keys[0].is_empty() && !values.is_empty() && !values[0].is_empty();
    for item in list.drain(..) {
        if is_empty_map(&item) {
            continue;
        }
        let Some(m) = item.as_map() else {
            if mapping_setter {
                out.push(item);
            }
            continue;
        };
        let mut found = true;
        let mut checked = false;
        for (j, k) in keys.iter().enumerate() {
            if j < values.len() {
                checked = true;
                let ok = match m.get(*k) {
                    None => false,
                    Some(v) => {
                        values[j].is_empty()
                            || scalar_text(v).as_deref() == Some(values[j].as_str())
                    }
                };
                if !ok {
                    found = false;
                    break;
                }
            }
        }
        if !checked {
            found = false;
        }
        if !found {
            if !values.is_empty() {
                out.push(item);
            }
            continue;
        }
        found_any = true;
        if let Some(e) = &element {
            out.push(e.clone());
        }
    }
    *list = out;
    if let Some(e) = element
        && !e.is_null()
        && !found_any
    {
        list.push(e);
    }
}

pub(super) fn set_scalar_element(list: &mut Vec<Value>, element: Value) {
    let text = scalar_text(&element);
    let mut found = false;
    list.retain(|v| !is_empty_map(v));
    for item in list.iter_mut() {
        if scalar_text(item) == text {
            *item = element.clone();
            found = true;
        }
    }
    if !found {
        list.push(element);
    }
}

/// kyaml `appendListNode(items, dest, keys)`: existing items replace their merged copies; with
/// several keys each existing item moves to the end.
pub(super) fn append_list(items: &mut Vec<Value>, dest: Vec<Value>, keys: &[&str]) {
    for elem in dest {
        let mut values = Vec::new();
        let mut appended = false;
        for k in keys {
            match elem.get(k).and_then(scalar_text) {
                Some(v) => values.push(v),
                None => {
                    if !appended {
                        items.push(elem.clone());
                        appended = true;
                    }
                }
            }
        }
        if keys.len() > 1 {
            set_element(items, None, keys, &values);
        }
        set_element(items, Some(elem), keys, &values);
    }
}
