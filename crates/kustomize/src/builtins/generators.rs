//! `ConfigMapGenerator` and `SecretGenerator`: build ConfigMaps and Secrets from env files,
//! literals and files (non-UTF-8 files go to `binaryData`; Secret values are base64 wrapped
//! at 70 columns as kustomize writes them), and compute the name-suffix hash exactly as
//! kustomize does (sha256 of a Go-JSON encoding, first 10 hex digits, re-lettered).

use std::path::Path;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::fieldpath::scalar_text;
use crate::resource::{Origin, Res};
use crate::types::GeneratorArgs;
use kyaml::{Map, Value};

/// Reads the files a generator names (relative to its kustomization, under the load rules).
pub(crate) trait FileLoader {
    fn load(&self, rel: &str) -> Result<Vec<u8>, String>;
}

impl FileLoader for crate::ctx::Loader {
    fn load(&self, rel: &str) -> Result<Vec<u8>, String> {
        crate::ctx::Loader::load(self, rel)
            .map(|(_, b)| b)
            .map_err(|e| e.message)
    }
}

/// Generates the object for one `configMapGenerator`/`secretGenerator` entry.
pub(crate) fn generate(
    args: &GeneratorArgs,
    secret: bool,
    loader: &dyn FileLoader,
    origin: Origin,
) -> Result<Res, String> {
    if args.name.is_empty() {
        return Err("a configmap must have a name".to_string());
    }
    let kind = if secret { "Secret" } else { "ConfigMap" };
    let pairs = collect(args, loader)?;
    let mut meta = Map::new();
    meta.insert("name", Value::String(args.name.clone().into()));
    if !args.namespace.is_empty() {
        meta.insert("namespace", Value::String(args.namespace.clone().into()));
    }
    let mut obj = Map::new();
    obj.insert("apiVersion", Value::String("v1".into()));
    obj.insert("kind", Value::String(kind.into()));
    obj.insert("metadata", Value::Map(meta));
    let mut sorted: Vec<(String, Vec<u8>)> = pairs;
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    if secret {
        let t = if args.secret_type.is_empty() {
            "Opaque"
        } else {
            args.secret_type.as_str()
        };
        obj.insert("type", Value::String(t.into()));
        let data: Map = sorted
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(encode_base64(v).into())))
            .collect();
        obj.insert("data", Value::Map(data));
    } else {
        let mut data = Map::new();
        let mut binary = Map::new();
        for (k, v) in sorted {
            match String::from_utf8(v) {
                Ok(s) => {
                    data.insert(k, Value::String(s.into()));
                }
                Err(e) => {
                    binary.insert(k, Value::String(encode_base64(e.as_bytes()).into()));
                }
            }
        }
        if !data.is_empty() {
            obj.insert("data", Value::Map(data));
        }
        if !binary.is_empty() {
            obj.insert("binaryData", Value::Map(binary));
        }
    }
    let mut r = Res::new(Value::Map(obj), origin);
    if let Some(opts) = &args.options {
        let mut labels = std::collections::BTreeMap::new();
        for (k, v) in opts.labels.iter().flatten() {
            labels.insert(k.clone(), v.clone());
        }
        if !labels.is_empty() {
            r.set_meta_map("labels", &labels);
        }
        let mut ann = std::collections::BTreeMap::new();
        for (k, v) in opts.annotations.iter().flatten() {
            ann.insert(k.clone(), v.clone());
        }
        if !ann.is_empty() {
            r.set_meta_map("annotations", &ann);
        }
        if opts.immutable
            && let Value::Map(m) = &mut r.value
        {
            m.insert("immutable", Value::Bool(true));
        }
    }
    r.needs_hash = !args
        .options
        .as_ref()
        .is_some_and(|o| o.disable_name_suffix_hash);
    r.behavior = Some(
        match args.behavior.as_str() {
            b @ ("create" | "merge" | "replace") => b,
            _ => "unspecified",
        }
        .to_string(),
    );
    Ok(r)
}

/// The key/value pairs in kustomize's order: env files, literals, files.
fn collect(
    args: &GeneratorArgs,
    loader: &dyn FileLoader,
) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let add = |key: String, val: Vec<u8>, out: &mut Vec<(String, Vec<u8>)>| {
        if out.iter().any(|(k, _)| *k == key) {
            return Err(format!(
                "configmap {} illegally repeats the key `{key}`",
                args.name
            ));
        }
        out.push((key, val));
        Ok(())
    };
    for env in &args.envs {
        let bytes = loader.load(env)?;
        for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let Ok(line) = std::str::from_utf8(line) else {
                return Err(format!(
                    "line {} of env file {env} has invalid utf8 bytes",
                    i + 1
                ));
            };
            let line = if i == 0 {
                line.trim_start_matches('\u{feff}')
            } else {
                line
            };
            let line = line.trim_start();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, val) = line.split_once('=').unwrap_or((line, ""));
            add(key.to_string(), val.as_bytes().to_vec(), &mut out)?;
        }
    }
    for lit in &args.literals {
        if lit.starts_with('=') || !lit.contains('=') {
            return Err(format!("invalid literal source {lit}, expected key=value"));
        }
        let (key, val) = lit.split_once('=').unwrap_or((lit, ""));
        add(
            key.to_string(),
            remove_quotes(val).as_bytes().to_vec(),
            &mut out,
        )?;
    }
    for f in &args.files {
        let (key, rel) = parse_file_source(f)?;
        let bytes = loader.load(&rel)?;
        add(key, bytes, &mut out)?;
    }
    Ok(out)
}

/// kustomize `ParseFileSource`: `key=path` or a path whose base name is the key.
fn parse_file_source(source: &str) -> Result<(String, String), String> {
    let n = source.matches('=').count();
    match n {
        0 => Ok((
            Path::new(source)
                .file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| source.to_string()),
            source.to_string(),
        )),
        1 if source.starts_with('=') => Err(format!(
            "missing key name for file path \"{}\" in source \"{source}\"",
            source.trim_start_matches('=')
        )),
        1 if source.ends_with('=') => Err(format!(
            "missing file path for key name \"{}\" in source \"{source}\"",
            source.trim_end_matches('=')
        )),
        1 => {
            let (k, p) = source.split_once('=').unwrap_or((source, ""));
            Ok((k.to_string(), p.to_string()))
        }
        _ => Err(format!(
            "source \"{source}\" key name or file path contains '='"
        )),
    }
}

fn remove_quotes(v: &str) -> &str {
    let b = v.as_bytes();
    if b.len() >= 2 && b[0] == b[b.len() - 1] && (b[0] == b'"' || b[0] == b'\'') {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

/// Base64 as kyaml writes generated values: wrapped at 70 columns, each line ending in a
/// newline once the text is longer than one line.
pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    const LINE: usize = 70;
    let enc = base64::engine::general_purpose::STANDARD.encode(bytes);
    if enc.len() < LINE {
        return enc;
    }
    let mut out = String::with_capacity(enc.len() + enc.len() / LINE + 1);
    for chunk in enc.as_bytes().chunks(LINE) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
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
            let mut keys: Vec<&kyaml::map::Key> = m.keys().collect();
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

/// The name suffix kustomize gives a generated object (its `Hasher`).
pub(crate) fn hash(r: &Res) -> String {
    // Maps hash as maps; scalars as their text; a missing field as "".
    let field = |key: &str| -> Value {
        match r.value.get(key) {
            None => Value::String(Default::default()),
            Some(v @ Value::Map(_)) | Some(v @ Value::Seq(_)) => v.clone(),
            Some(v) => Value::String(scalar_text(v).unwrap_or_default().into()),
        }
    };
    let mut m = Map::new();
    let kind = r.kind().to_string();
    m.insert("kind", Value::String(kind.clone().into()));
    // kustomize looks the name up as the single key "metadata/name", which never exists, so
    // the name always hashes as "".
    m.insert("name", Value::String(Default::default()));
    m.insert("data", field("data"));
    if kind == "Secret" {
        m.insert("type", field("type"));
        if let Some(Value::Map(s)) = r.value.get("stringData") {
            m.insert("stringData", Value::Map(s.clone()));
        }
    } else if let Some(Value::Map(bd)) = r.value.get("binaryData") {
        m.insert("binaryData", Value::Map(bd.clone()));
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
    fn long_base64_wraps_at_70_columns() {
        assert_eq!(encode_base64(b"foobar"), "Zm9vYmFy");
        let long = encode_base64(&[b'a'; 60]);
        let lines: Vec<&str> = long.split_terminator('\n').collect();
        assert_eq!(lines[0].len(), 70);
        assert!(long.ends_with('\n'));
    }

    #[test]
    fn go_json_escapes_html() {
        let mut s = String::new();
        go_json_string("a<b>&\"\n", &mut s);
        assert_eq!(s, r#""a\u003cb\u003e\u0026\"\n""#);
    }

    #[test]
    fn file_sources_name_their_keys() {
        assert_eq!(
            parse_file_source("dir/app.properties").unwrap(),
            (
                "app.properties".to_string(),
                "dir/app.properties".to_string()
            )
        );
        assert_eq!(
            parse_file_source("k=dir/a").unwrap(),
            ("k".to_string(), "dir/a".to_string())
        );
        assert!(parse_file_source("=x").is_err());
        assert!(parse_file_source("a=b=c").is_err());
    }
}
