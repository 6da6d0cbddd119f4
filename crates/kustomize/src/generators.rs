//! `configMapGenerator` and `secretGenerator`: build ConfigMaps/Secrets from files, env files
//! and literals, merge them into existing ones per `behavior`, and compute the name-suffix hash
//! exactly as kustomize does (sha256 of a Go-JSON encoding, first 10 hex digits, re-lettered).

use std::path::Path;

use sha2::{Digest, Sha256};

use super::kustomization::{GeneratorEntry, Kustomization};
use super::resource::{Origin, Res};
use super::{Builder, KustomizeError, display_path};
use kyaml::{Map, PathSeg, Value};

pub(super) fn run(
    b: &mut Builder,
    k: &Kustomization,
    resources: &mut Vec<Res>,
) -> Result<(), KustomizeError> {
    let _ = b;
    for (field, kind) in [
        ("configMapGenerator", "ConfigMap"),
        ("secretGenerator", "Secret"),
    ] {
        for e in k.generators(field)? {
            let line = k.line_of(&[PathSeg::Key(field), PathSeg::Index(e.index)]);
            let err = |msg: String| KustomizeError::at(&k.file, line, msg);
            let data = collect_data(k, &e, line)?;
            let mut meta = Map::new();
            meta.insert("name".into(), Value::String(e.name.clone()));
            if !e.namespace.is_empty() {
                meta.insert("namespace".into(), Value::String(e.namespace.clone()));
            }
            if !e.labels.is_empty() {
                meta.insert(
                    "labels".into(),
                    Value::Map(
                        e.labels
                            .iter()
                            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                            .collect(),
                    ),
                );
            }
            if !e.annotations.is_empty() {
                meta.insert(
                    "annotations".into(),
                    Value::Map(
                        e.annotations
                            .iter()
                            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                            .collect(),
                    ),
                );
            }
            let mut obj = Map::new();
            obj.insert("apiVersion".into(), Value::String("v1".into()));
            obj.insert("kind".into(), Value::String(kind.into()));
            obj.insert("metadata".into(), Value::Map(meta));
            let mut data_map = Map::new();
            for (key, val) in data {
                let v = if kind == "Secret" {
                    base64(val.as_bytes())
                } else {
                    val
                };
                data_map.insert(key, Value::String(v));
            }
            if !data_map.is_empty() {
                obj.insert("data".into(), Value::Map(data_map));
            }
            if kind == "Secret" {
                let t = if e.kind_type.is_empty() {
                    "Opaque".to_string()
                } else {
                    e.kind_type.clone()
                };
                obj.insert("type".into(), Value::String(t));
            }
            if e.immutable {
                obj.insert("immutable".into(), Value::Bool(true));
            }
            let mut r = Res::new(
                Value::Map(obj),
                Origin {
                    file: display_path(&k.file),
                    line: line.unwrap_or(1),
                },
            );
            r.needs_hash = !e.disable_hash;
            let behavior = if e.behavior.is_empty() {
                "create"
            } else {
                e.behavior.as_str()
            };
            r.behavior = Some(behavior.to_string());
            let id = r.cur_id();
            let existing = resources.iter().position(|x| {
                x.matches_any_id(&id)
                    || (x.kind() == kind && x.name() == e.name && x.cur_id().ns_equals(&id))
            });
            match (behavior, existing) {
                ("create", None) => resources.push(r),
                ("create", Some(_)) => {
                    return Err(err(format!(
                        "cannot add generated {kind} `{}`: an object with this id already exists (use behavior: merge or replace)",
                        e.name
                    )));
                }
                ("merge" | "replace", None) => {
                    return Err(err(format!(
                        "id {} does not exist; cannot merge or replace",
                        id.display()
                    )));
                }
                ("merge", Some(i)) => {
                    let old = &mut resources[i];
                    for field in ["data", "binaryData"] {
                        if let Some(Value::Map(new)) = r.value.get(field).cloned() {
                            let target = super::resource::ensure_map(&mut old.value);
                            let slot = target
                                .entry(field.to_string())
                                .or_insert(Value::Map(Map::new()));
                            let m = super::resource::ensure_map(slot);
                            for (k2, v) in new {
                                m.insert(k2, v);
                            }
                        }
                    }
                    for field in ["labels", "annotations"] {
                        if let Some(Value::Map(new)) = r.value.path(&["metadata", field]).cloned() {
                            let meta = super::resource::ensure_map(
                                super::resource::ensure_map(&mut old.value)
                                    .entry("metadata".to_string())
                                    .or_insert(Value::Map(Map::new())),
                            );
                            let m = super::resource::ensure_map(
                                meta.entry(field.to_string())
                                    .or_insert(Value::Map(Map::new())),
                            );
                            for (k2, v) in new {
                                m.insert(k2, v);
                            }
                        }
                    }
                    old.needs_hash = old.needs_hash || r.needs_hash;
                }
                ("replace", Some(i)) => {
                    let old_prev = resources[i].prev.clone();
                    r.prev = old_prev;
                    resources[i] = r;
                }
                (other, _) => {
                    return Err(err(format!(
                        "unknown generator behavior `{other}` (use create, merge or replace)"
                    )));
                }
            }
        }
    }
    Ok(())
}

fn collect_data(
    k: &Kustomization,
    e: &GeneratorEntry,
    line: Option<u32>,
) -> Result<Vec<(String, String)>, KustomizeError> {
    let err = |msg: String| KustomizeError::at(&k.file, line, msg);
    let mut out: Vec<(String, String)> = Vec::new();
    let add =
        |key: String, val: String, out: &mut Vec<(String, String)>| -> Result<(), KustomizeError> {
            if out.iter().any(|(k2, _)| *k2 == key) {
                return Err(KustomizeError::at(
                    &k.file,
                    line,
                    format!("configmap/secret `{}` has duplicate key `{key}`", e.name),
                ));
            }
            out.push((key, val));
            Ok(())
        };
    for env in &e.envs {
        let path = resolve(k, env, line)?;
        let text = super::read_text(&path)?;
        for l in text.lines() {
            let l = l.trim_start_matches('\u{feff}');
            let t = l.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            match l.split_once('=') {
                Some((key, val)) => add(key.trim().to_string(), val.to_string(), &mut out)?,
                None => {
                    let v = std::env::var(t).unwrap_or_default();
                    add(t.to_string(), v, &mut out)?
                }
            }
        }
    }
    for lit in &e.literals {
        let (key, val) = lit
            .split_once('=')
            .ok_or_else(|| err(format!("literal `{lit}` must be KEY=VALUE")))?;
        let val = strip_quotes(val);
        add(key.to_string(), val.to_string(), &mut out)?;
    }
    for f in &e.files {
        let (key, rel) = match f.split_once('=') {
            Some((k2, p)) => (k2.to_string(), p.to_string()),
            None => (
                Path::new(f)
                    .file_name()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                f.clone(),
            ),
        };
        let path = resolve(k, &rel, line)?;
        let text = super::read_text(&path)?;
        add(key, text, &mut out)?;
    }
    Ok(out)
}

fn strip_quotes(v: &str) -> &str {
    if v.len() >= 2
        && ((v.starts_with('"') && v.ends_with('"')) || (v.starts_with('\'') && v.ends_with('\'')))
    {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

fn resolve(
    k: &Kustomization,
    rel: &str,
    line: Option<u32>,
) -> Result<std::path::PathBuf, KustomizeError> {
    let p = super::normalize(&k.dir.join(rel));
    if !p.starts_with(&k.dir) {
        return Err(KustomizeError::at(
            &k.file,
            line,
            format!(
                "security; file '{}' is not in or below '{}'",
                display_path(&p),
                display_path(&k.dir)
            ),
        ));
    }
    if !p.is_file() {
        return Err(KustomizeError::at(
            &k.file,
            line,
            format!("file `{rel}` not found ({})", display_path(&p)),
        ));
    }
    Ok(p)
}

fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// Go `encoding/json` string encoding (HTML-safe escapes included).
fn go_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Go `json.Marshal` of a decoded value (map keys sorted).
fn go_json(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&f.to_string()),
        Value::String(s) => go_json_string(s, out),
        Value::Seq(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json(x, out);
            }
            out.push(']');
        }
        Value::Map(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json_string(k, out);
                out.push(':');
                go_json(&m[k.as_str()], out);
            }
            out.push('}');
        }
    }
}

/// The name suffix kustomize gives a generated ConfigMap or Secret.
pub(super) fn hash(r: &Res) -> String {
    let field = |path: &[&str]| -> Value {
        match r.value.path(path) {
            None => Value::String(String::new()),
            Some(Value::Map(m)) => Value::Map(m.clone()),
            Some(v) => Value::String(super::kustomization::scalar_string(v).unwrap_or_default()),
        }
    };
    let mut m = Map::new();
    let kind = r.kind().to_string();
    m.insert("kind".into(), Value::String(kind.clone()));
    // kustomize looks the name up as the single key "metadata/name", which never exists, so
    // the name always hashes as "".
    m.insert("name".into(), field(&["metadata/name"]));
    m.insert("data".into(), field(&["data"]));
    if kind == "Secret" {
        m.insert("type".into(), field(&["type"]));
        if let Some(Value::Map(s)) = r.value.get("stringData") {
            m.insert("stringData".into(), Value::Map(s.clone()));
        }
    } else if let Some(Value::Map(bd)) = r.value.get("binaryData") {
        m.insert("binaryData".into(), Value::Map(bd.clone()));
    }
    let mut json = String::new();
    go_json(&Value::Map(m), &mut json);
    let digest = hex::encode(Sha256::digest(json.as_bytes()));
    digest[..10]
        .chars()
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn go_json_escapes_html() {
        let mut s = String::new();
        go_json_string("a<b>&\"\n", &mut s);
        assert_eq!(s, r#""a\u003cb\u003e\u0026\"\n""#);
    }
}
